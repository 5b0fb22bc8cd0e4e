/* The shop acknowledges what kaeru decided (merchant key): a refund paid, a replacement
 * shipped; and reads a return whole, with its ledger, payments and shipments. */
#include "core/lifecycle.h"
#include "core/rma.h"
#include "db/acks.h"
#include "db/events.h"
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "validate/check.h"
#include "util/timefmt.h"

#include <stdlib.h>
#include <string.h>

#define AMOUNT_MAX 1000000000000LL

/* The return {rma} of the key's merchant into *ret, whole (store_return_whole); answers
 * 401/404 itself and returns false. */
static bool merchant_return(struct req *r, struct merchant *m, struct ret *ret)
{
	*m = r->who.merchant;
	char rma[RMA_LEN + 1];
	struct merchant owner;
	enum kaeru_err e = rma_normalize(r->params[1], rma)
	                       ? store_return_whole(r->db, rma, ret, &owner, NULL)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK && ret->merchant_id != m->id)
		e = KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return false;
	}
	return true;
}

/* Answers the return (read whole: its items are known) in its merchant view with ledger,
 * payments, shipments and what is still due. */
static void respond_return(struct req *r, struct ret *ret, const struct merchant *m)
{
	json_t *money = NULL;
	int64_t owed = 0, paid = 0;
	enum kaeru_err e = store_return_timeline(r->db, ret);
	if (e == KAERU_OK)
		e = store_return_money(r->db, ret->id, &money);
	if (e == KAERU_OK)
		e = store_refund_totals(r->db, ret->id, &owed, &paid);
	if (e != KAERU_OK) {
		json_decref(money);
		respond_error(r, e);
		return;
	}
	json_t *j = render_return(r, ret, m, VIEW_STAFF);
	json_object_update(j, money);
	json_decref(money);
	json_object_set_new(j, "refund_paid", json_integer(paid));
	json_object_set_new(j, "refund_due", json_integer(owed - paid));
	respond_json(r, 200, j);
}

#define CHANGED_PAGE 50

/* GET /api/v1/merchants/{merchant}/returns?updated_since=<RFC 3339>&page= — or, with q, a
 * search of the returns updated since then (h_search.c) */
void h_merchant_returns_changed(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct checker c;
	check_init(&c, r->arena);
	const char *since_text = req_query(r, "updated_since");
	int64_t since = 0;
	if (since_text && *since_text &&
	    (!rfc3339_parse(since_text, &since) || since < TIME_API_MIN || since >= TIME_API_MAX))
		check_fail(&c, "updated_since",
		           "must be an RFC 3339 time, e.g. 2026-11-03T09:00:00Z");
	int64_t page = check_query_int(&c, "page", req_query(r, "page"), 1, 1000000, 1);
	if (returns_search(r, &c, m.id, -1, since, page))
		return;
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	json_t *items = NULL;
	int64_t total = 0;
	enum kaeru_err e = store_returns_changed(r->db, m.id, since, (page - 1) * CHANGED_PAGE,
	                                         CHANGED_PAGE, &items, &total);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *j = json_pack("{s:o}", "items", items);
	render_page(j, page, CHANGED_PAGE, total);
	respond_json(r, 200, j);
}

/* GET /api/v1/merchants/{merchant}/returns/{rma} */
void h_merchant_return_get(struct req *r)
{
	struct merchant m;
	struct ret ret;
	if (merchant_return(r, &m, &ret))
		respond_return(r, &ret, &m);
}

struct ack {
	struct ret *ret; /* as read before the transaction; read anew when it runs again */
	bool again;
	int64_t amount;
	const char *reference, *carrier, *tracking_number;
	struct arena *arena;
	/* out */
	const char *conflict; /* a 409's detail */
	int64_t due;          /* when the amount is more than this: 422 */
	bool over;
};

/* The return as read (anew when run again), its row written first binding the revision read
 * (store_return_guard): of two acknowledgements of one return, on any node, the second runs
 * again after the first and reads what it wrote. */
static enum kaeru_err return_guarded(struct db *db, struct ack *a)
{
	struct merchant owner;
	enum kaeru_err e = store_return_again(db, &a->again, a->ret, &owner, NULL);
	return e == KAERU_OK ? store_return_guard(db, a->ret) : e;
}

/* Both acknowledgements need a resolved return, guarded against a concurrent change. */
static enum kaeru_err lock_resolved(struct db *db, struct ack *a)
{
	enum kaeru_err e = return_guarded(db, a);
	if (e == KAERU_OK && a->ret->status != RETURN_RESOLVED) {
		a->conflict =
		    arena_printf(a->arena, "The return is %s; only a resolved return is settled.",
		                 return_status_names[a->ret->status]);
		e = KAERU_ECONFLICT;
	}
	return e;
}

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static enum kaeru_err refund_paid_tx(struct db *db, void *arg)
{
	struct ack *a = arg;
	a->conflict = NULL;
	a->over = false;
	int64_t seen = 0, owed = 0, paid = 0;
	enum kaeru_err e = return_guarded(db, a), found = KAERU_ENOTFOUND;
	if (e == KAERU_OK) {
		found = store_refund_payment(db, a->ret->id, a->reference, &seen);
		e = found == KAERU_ENOTFOUND ? KAERU_OK : found;
	}
	if (e == KAERU_OK)
		e = store_refund_totals(db, a->ret->id, &owed, &paid);
	if (e != KAERU_OK)
		return e;
	a->due = owed - paid;
	switch (refund_ack_decide(a->ret->status, owed, paid, found == KAERU_OK ? &seen : NULL,
	                          a->amount)) {
	case REFUND_ACK_NEW:
		break;
	case REFUND_ACK_REPEAT:
		return KAERU_OK; /* the same acknowledgement again: nothing new */
	case REFUND_ACK_NOT_RESOLVED:
		a->conflict =
		    arena_printf(a->arena, "The return is %s; only a resolved return is settled.",
		                 return_status_names[a->ret->status]);
		return KAERU_ECONFLICT;
	case REFUND_ACK_OTHER_AMOUNT:
		a->conflict = "This reference was acknowledged with another amount.";
		return KAERU_ECONFLICT;
	case REFUND_ACK_OVER_DUE:
		a->over = true;
		return KAERU_EINVALID;
	}
	if ((e = store_refund_paid(db, a->ret->merchant_id, a->ret->id, a->amount, a->reference)) !=
	    KAERU_OK)
		return e;
	char *data = dump(json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:I}", "rma", a->ret->rma,
	                            "amount", (json_int_t)a->amount, "currency", a->ret->currency,
	                            "reference", a->reference, "refund_owed", (json_int_t)owed,
	                            "refund_paid", (json_int_t)(paid + a->amount), "refund_due",
	                            (json_int_t)(a->due - a->amount)));
	/* On the customer's timeline, and in the feed as return.refund_paid (of the items read:
	 * the guard proved them current); the answer reads the timeline anew. */
	e = store_event_add_of(db, a->ret, a->ret->status, EVENT_REFUND_PAID, "shop", 0, data);
	a->ret->timeline_known = false;
	if (e == KAERU_OK)
		e = store_email_queue(db, a->ret->merchant_id, a->ret->id, "refund_paid",
		                      a->reference, data);
	free(data);
	return e;
}

/* Answers what an acknowledgement's transaction ended in. */
static void ack_done(struct req *r, enum kaeru_err e, struct ack *a, const struct merchant *m)
{
	if (e == KAERU_ECONFLICT && a->conflict) {
		respond_problem(r, 409, "Cannot acknowledge this now", a->conflict, NULL);
		return;
	}
	if (e == KAERU_EINVALID && a->over) {
		json_t *errors = json_array();
		json_array_append_new(
		    errors, json_pack("{s:s, s:s}", "field", "amount", "message",
		                      arena_printf(r->arena, "is more than the %lld still due",
		                                   (long long)a->due)));
		respond_invalid(r, errors);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_return(r, a->ret, m);
}

/* Reads an acknowledgement's body into *a. */
typedef void (*ack_read_fn)(struct checker *c, json_t *body, struct ack *a);

/* The steps of both acknowledgements: the return, the body, the transaction, the answer. */
static void ack_run(struct req *r, ack_read_fn read, db_tx_fn tx)
{
	struct merchant m;
	struct ret ret;
	if (!merchant_return(r, &m, &ret))
		return;
	struct checker c;
	check_init(&c, r->arena);
	struct ack a = {.ret = &ret, .arena = r->arena};
	read(&c, r->json, &a);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	ack_done(r, db_tx_run(r->db, tx, &a), &a, &m);
}

static void refund_paid_read(struct checker *c, json_t *body, struct ack *a)
{
	a->amount = check_int(c, body, "amount", REQUIRED, 1, AMOUNT_MAX, 0);
	a->reference = check_string(c, body, "reference", REQUIRED, 1, 128, NULL);
}

/* POST /api/v1/merchants/{merchant}/returns/{rma}/refund-paid {"amount","reference"} */
void h_refund_paid(struct req *r)
{
	ack_run(r, refund_paid_read, refund_paid_tx);
}

static enum kaeru_err exchange_shipped_tx(struct db *db, void *arg)
{
	struct ack *a = arg;
	a->conflict = NULL;
	enum kaeru_err e = lock_resolved(db, a);
	uint64_t n = 0;
	int64_t total = 0;
	if (e != KAERU_OK || (e = store_shipments_ship(db, a->ret->id, a->carrier,
	                                               a->tracking_number, &n, &total)) != KAERU_OK)
		return e;
	if (total == 0) {
		a->conflict = "This return ships no replacement.";
		return KAERU_ECONFLICT;
	}
	if (n == 0)
		return KAERU_OK; /* shipped already: nothing new */
	json_t *money = NULL;
	if ((e = store_return_money(db, a->ret->id, &money)) != KAERU_OK)
		return e;
	char *data = dump(json_pack("{s:s, s:s, s:s, s:O}", "rma", a->ret->rma, "carrier",
	                            a->carrier, "tracking_number", a->tracking_number, "shipments",
	                            json_object_get(money, "shipments")));
	json_decref(money);
	e = store_event_add_of(db, a->ret, a->ret->status, EVENT_EXCHANGE_SHIPPED, "shop", 0, data);
	a->ret->timeline_known = false;
	if (e == KAERU_OK)
		e = store_email_queue(db, a->ret->merchant_id, a->ret->id, "exchange_shipped", NULL,
		                      data);
	free(data);
	return e;
}

static void exchange_shipped_read(struct checker *c, json_t *body, struct ack *a)
{
	a->carrier = check_string(c, body, "carrier", REQUIRED, 1, 64, NULL);
	a->tracking_number = check_string(c, body, "tracking_number", REQUIRED, 1, 128, NULL);
}

/* POST /api/v1/merchants/{merchant}/returns/{rma}/exchange-shipped {"carrier","tracking_number"} */
void h_exchange_shipped(struct req *r)
{
	ack_run(r, exchange_shipped_read, exchange_shipped_tx);
}
