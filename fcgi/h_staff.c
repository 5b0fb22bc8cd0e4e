/* The warehouse: scanning arriving parcels, inspecting each item (a unit graded for resale
 * becomes a listing draft), and the resolution that follows the last inspection in the same
 * transaction. */
#include "core/resolve.h"
#include "core/rma.h"
#include "validate/bodies.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "validate/check.h"
#include "util/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* j serialised into the arena (j released). */
static const char *json_text(struct arena *a, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s) { /* a defect in what kaeru built: the event keeps no detail, the scan goes on */
		fprintf(stderr, "kaeru-fcgi: cannot render an event's detail\n");
		return "{}";
	}
	const char *t = arena_strdup(a, s);
	free(s);
	return t;
}

/* Answers the 409 staff see for a parcel they must not process. */
static void refuse_parcel(struct req *r, const struct ret *ret)
{
	const char *day = arena_strndup(r->arena, ret->created_at, 10);
	if (ret->status == RETURN_CANCELED)
		respond_problem_ext(
		    r, 409, "Return canceled",
		    arena_printf(r->arena,
		                 "Return %s was canceled by the customer. Do not process it; set "
		                 "the parcel aside.",
		                 ret->rma),
		    json_pack("{s:s, s:s}", "rma", ret->rma, "return_status", "canceled"));
	else
		respond_problem_ext(
		    r, 409, "Label expired",
		    arena_printf(r->arena,
		                 "The label of return %s (made %s) expired before the parcel "
		                 "arrived. Do not process it; set the parcel aside.",
		                 ret->rma, day),
		    json_pack("{s:s, s:s}", "rma", ret->rma, "return_status", "expired"));
}

struct scan {
	int64_t return_id, at;
	const struct user *user;
	const char *actor, *detail;
	bool first; /* out: this scan received the parcel */
};

/* The guarded UPDATE decides which of concurrent scans is the first: the others find the
 * row no longer label_issued once the winner commits. */
static enum kaeru_err scan_tx(struct db *db, void *arg)
{
	struct scan *sx = arg;
	sx->first = false;
	enum kaeru_err e = store_return_receive(db, sx->return_id, sx->at);
	if (e == KAERU_ECONFLICT)
		return KAERU_OK; /* received by another scan, or canceled or expired meanwhile */
	if (e == KAERU_OK)
		e = store_event_add_by(db, sx->return_id, EVENT_RECEIVED, sx->actor, sx->user->id,
		                       sx->detail);
	sx->first = e == KAERU_OK;
	return e;
}

/* POST /api/v1/scan {code}: the parcel arrived. Only the first scan writes. */
void h_scan(struct req *r)
{
	struct user u = r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	/* Any length: what cannot be a code is simply unknown (404). */
	const char *code = check_string(&c, r->json, "code", REQUIRED, 1, BODY_MAX, NULL);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	char rma[RMA_LEN + 1];
	struct ret ret;
	struct merchant m;
	enum kaeru_err e =
	    rma_normalize(code, rma) ? store_return_row(r->db, rma, &ret, &m) : KAERU_ENOTFOUND;
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 404, "Unknown code",
		                strlen(code) <= 40
		                    ? arena_printf(r->arena, "No return has the code \"%s\".", code)
		                    : "No return has this code.",
		                NULL);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	if (!staff_can_see(&u, &ret)) {
		respond_problem_ext(r, 409, "Wrong warehouse",
		                    arena_printf(r->arena,
		                                 "This parcel goes to warehouse %s (%s), not here.",
		                                 ret.warehouse_code, ret.warehouse_name),
		                    json_pack("{s:s, s:s, s:s}", "rma", ret.rma, "return_status",
		                              "wrong_warehouse", "warehouse", ret.warehouse_code));
		return;
	}
	bool first = false;
	if (ret.status == RETURN_LABEL_ISSUED) {
		struct scan sx = {
		    .return_id = ret.id,
		    .at = r->now,
		    .user = &u,
		    .actor = staff_actor(r, &ret),
		    .detail =
		        json_text(r->arena, json_pack("{s:s, s:s}", "warehouse", ret.warehouse_code,
		                                      "warehouse_name", ret.warehouse_name)),
		};
		e = db_tx_run(r->db, scan_tx, &sx);
		first = e == KAERU_OK && sx.first;
		if (first) {
			/* As stored, and as store_return_row would read it back. */
			char *at = arena_zalloc(r->arena, RFC3339_LEN);
			rfc3339_format(sx.at, at);
			ret.status = RETURN_RECEIVED;
			ret.received_at = at;
		} else if (e == KAERU_OK) {
			/* Another scan came first, or it was canceled or expired: answer as it is
			 * now. */
			e = store_return_row(r->db, rma, &ret, NULL);
		}
		if (e != KAERU_OK) {
			respond_error(r, e);
			return;
		}
	}
	if (ret.status == RETURN_CANCELED || ret.status == RETURN_EXPIRED) {
		refuse_parcel(r, &ret);
		return;
	}
	if ((e = store_return_items(r->db, &ret)) != KAERU_OK ||
	    (e = store_return_timeline(r->db, &ret)) != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *j = render_return(r, &ret, &m, VIEW_STAFF);
	json_object_set_new(j, "first_scan", json_boolean(first));
	respond_json(r, 200, j);
}

/* ---- inspection and resolution ---- */

struct inspect {
	const struct ret *before; /* the return as read before the transaction */
	int64_t item_id;
	struct inspection in;
	const struct user *user;
	const struct merchant *merchant;
	const char *actor;
	struct arena *arena;
	/* out */
	struct ret now;       /* the return as this transaction left it, with its items */
	const char *conflict; /* why not, for a 409 */
};

static bool same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool same_inspection(const struct return_item *it, const struct inspection *in)
{
	return it->has_received && it->received_quantity == in->received &&
	       same_text(it->grade, in->grade) && same_text(it->disposition, in->disposition) &&
	       same_text(it->note, in->note);
}

/* Settles a return whose items are all inspected: ledger, shipments, stock, the event. */
static enum kaeru_err resolve_return(struct db *db, struct inspect *ix, const struct ret *ret)
{
	struct resolve_totals t = {0};
	json_t *exchanges = json_array();
	enum kaeru_err e = KAERU_OK;
	for (size_t i = 0; i < ret->n_items && e == KAERU_OK; i++) {
		const struct return_item *it = &ret->items[i];
		struct resolve_item in = {it->unit_price, it->quantity, it->received_quantity,
		                          it->reason, it->resolution};
		struct resolve_money money;
		if (resolve_item(&ix->merchant->policy, &in, &money) != KAERU_OK) {
			e = KAERU_EINTERNAL; /* inspection keeps received within 0..quantity */
			break;
		}
		resolve_add(&t, &in, &money);
		if (it->resolution != RESOLUTION_EXCHANGE && money.gross > 0)
			e = store_ledger_add(db, ret, it, &money);
		if (it->resolution == RESOLUTION_EXCHANGE && it->exchange_sku) {
			int64_t commit = money.replacements < it->reserved_quantity
			                     ? money.replacements
			                     : it->reserved_quantity;
			int64_t release = it->reserved_quantity - commit;
			if (e == KAERU_OK && money.replacements > 0) {
				e = store_shipment_add(db, ret, it, money.replacements);
				json_array_append_new(
				    exchanges,
				    json_pack("{s:s, s:s, s:I}", "sku", it->exchange_sku, "variant",
				              it->exchange_variant ? it->exchange_variant : "",
				              "quantity", (json_int_t)money.replacements));
			}
			if (e == KAERU_OK && commit > 0)
				e = store_inventory_commit(db, ret->merchant_id, it->exchange_sku,
				                           commit);
			if (e == KAERU_OK && release > 0)
				e = store_release(db, ret->merchant_id, it->exchange_sku, release);
			if (e == KAERU_OK && it->reserved_quantity > 0)
				e = store_item_unreserve(db, it->id);
		}
		if (e == KAERU_OK && it->received_quantity > 0 && it->disposition &&
		    strcmp(it->disposition, disposition_names[DISPOSITION_RESTOCK]) == 0)
			e = store_restock(db, ret->merchant_id, it, it->received_quantity);
	}
	json_t *detail =
	    json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:I}", "currency", ret->currency, "refund",
	              (json_int_t)t.refund, "restocking_fee", (json_int_t)t.fee, "store_credit",
	              (json_int_t)t.store_credit, "store_credit_bonus", (json_int_t)t.bonus,
	              "exchanges", exchanges, "missing", (json_int_t)t.missing);
	if (e != KAERU_OK) {
		json_decref(detail);
		return e;
	}
	if ((e = store_return_resolve(db, ret->id)) != KAERU_OK)
		return e;
	return store_event_add(db, ret->id, EVENT_RESOLVED, "kaeru", json_text(ix->arena, detail));
}

static enum kaeru_err inspect_tx(struct db *db, void *arg)
{
	struct inspect *ix = arg;
	struct ret *ret = &ix->now;
	ix->conflict = NULL;
	*ret = *ix->before;
	/* The lock serialises the inspections of one return: the items read after it show every
	 * other inspection, so exactly the last one resolves. */
	enum kaeru_err e = store_return_lock(db, ret);
	if (e != KAERU_OK || (e = store_return_items(db, ret)) != KAERU_OK)
		return e;
	struct return_item *it = NULL;
	for (size_t i = 0; i < ret->n_items; i++)
		if (ret->items[i].id == ix->item_id)
			it = &ret->items[i];
	if (!it)
		return KAERU_ENOTFOUND;
	if (strcmp(it->status, "inspected") == 0) {
		if (same_inspection(it, &ix->in))
			return KAERU_OK; /* a retry: nothing to do */
		ix->conflict = "This item is already inspected with other values.";
		return KAERU_ECONFLICT;
	}
	if (ret->status != RETURN_RECEIVED) {
		ix->conflict = ret->status == RETURN_LABEL_ISSUED
		                   ? "Scan the parcel before inspecting its items."
		                   : arena_printf(ix->arena, "The return is %s.",
		                                  return_status_names[ret->status]);
		return KAERU_ECONFLICT;
	}
	if ((e = store_item_inspect(db, it->id, &ix->in, ix->user->id)) != KAERU_OK)
		return e;
	it->status = "inspected";
	it->has_received = true;
	it->received_quantity = ix->in.received;
	it->grade = ix->in.grade;
	it->disposition = ix->in.disposition;
	it->note = ix->in.note;
	if (it->received_quantity > 0 &&
	    strcmp(it->disposition, disposition_names[DISPOSITION_RESALE]) == 0) {
		int g = NAME_INDEX(grade_names, it->grade);
		int64_t price = resale_price(&ix->merchant->policy, (enum grade)g, it->unit_price);
		if ((e = store_listings_draft(db, ret, it, it->received_quantity, price)) !=
		    KAERU_OK)
			return e;
	}
	json_t *detail = json_pack(
	    "{s:I, s:s, s:s, s:I, s:I, s:s?, s:s?}", "item_id", (json_int_t)it->id, "sku", it->sku,
	    "name", it->name, "quantity", (json_int_t)it->quantity, "received_quantity",
	    (json_int_t)it->received_quantity, "grade", it->grade, "disposition", it->disposition);
	if ((e = store_event_add_by(db, ret->id, EVENT_INSPECTED, ix->actor, ix->user->id,
	                            json_text(ix->arena, detail))) != KAERU_OK)
		return e;
	for (size_t i = 0; i < ret->n_items; i++)
		if (strcmp(ret->items[i].status, "inspected") != 0)
			return KAERU_OK; /* more to come */
	if ((e = resolve_return(db, ix, ret)) == KAERU_OK)
		ret->status = RETURN_RESOLVED;
	return e;
}

/* Reads the inspection body against the item it is for. */
static bool read_inspection(struct req *r, const struct return_item *it, struct inspection *in)
{
	struct checker c;
	check_init(&c, r->arena);
	if (!check_inspection(&c, r->json, it->quantity, in)) {
		respond_invalid(r, c.errors);
		return false;
	}
	json_decref(c.errors);
	return true;
}

/* POST /api/v1/returns/{rma}/items/{item_id}/inspection */
void h_inspect(struct req *r)
{
	struct user u = r->who.user;
	char rma[RMA_LEN + 1];
	struct ret ret;
	struct merchant m;
	int64_t item_id = segment_id(r->params[1]);
	enum kaeru_err e = rma_normalize(r->params[0], rma) && item_id > 0
	                       ? store_return_row(r->db, rma, &ret, &m)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK && !staff_can_see(&u, &ret))
		e = KAERU_ENOTFOUND;
	if (e == KAERU_OK)
		e = store_return_items(r->db, &ret);
	const struct return_item *it = NULL;
	for (size_t i = 0; e == KAERU_OK && i < ret.n_items; i++)
		if (ret.items[i].id == item_id)
			it = &ret.items[i];
	if (e == KAERU_OK && !it)
		e = KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	struct inspect ix = {.before = &ret,
	                     .item_id = item_id,
	                     .user = &u,
	                     .merchant = &m,
	                     .actor = staff_actor(r, &ret),
	                     .arena = r->arena};
	if (!read_inspection(r, it, &ix.in))
		return;
	e = db_tx_run(r->db, inspect_tx, &ix);
	if (e == KAERU_ECONFLICT && ix.conflict) {
		respond_problem_ext(r, 409, "Cannot inspect this item now", ix.conflict,
		                    json_pack("{s:s, s:s}", "rma", ret.rma, "return_status",
		                              return_status_names[ret.status]));
		return;
	}
	/* The transaction left the row and items as they are now; the timeline is read anew. */
	if (e == KAERU_OK)
		e = store_return_timeline(r->db, &ix.now);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, render_return(r, &ix.now, &m, VIEW_STAFF));
}
