/* The warehouse: scanning arriving parcels, inspecting each item (a unit graded for resale
 * becomes a listing draft), and the resolution that follows the last inspection in the same
 * transaction. */
#include "core/resolve.h"
#include "core/rma.h"
#include "validate/bodies.h"
#include "fcgi/handlers.h"
#include "fcgi/idempotency.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "validate/check.h"
#include "util/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct ret *ret;    /* as read before; read anew when the first plan found it moved */
	struct merchant *m; /* read with it */
	int64_t at;
	struct plan_by by;
	struct plan plan;        /* core's plan of the receipt */
	bool stale;              /* a run again: the return moved since it was read */
	bool first;              /* out: this scan received the parcel */
	struct idempotent *idem; /* the scan's Idempotency-Key: a first scan keeps it */
};

/* Runs the receipt core planned. Its UPDATE binds the status and revision the plan was made
 * from, so of concurrent first scans one receives; the others find the row moved, read it anew
 * and plan anew (a repeat). */
static enum kaeru_err scan_tx(struct db *db, void *arg)
{
	struct scan *sx = arg;
	sx->first = false;
	enum kaeru_err e;
	/* The scan station's own retry (or nginx's, on another host) of a first scan that committed
	 * finds its key: it was the first scan, and answers so. */
	if (sx->idem->key &&
	    ((e = idempotent_seen(db, sx->idem)) != KAERU_OK || sx->idem->replay)) {
		sx->first = e == KAERU_OK;
		sx->ret->timeline_known = false; /* read anew for the answer */
		return e;
	}
	bool stale = sx->stale; /* another scan (or change) wrote meanwhile */
	if ((e = store_return_again(db, &sx->stale, sx->ret, sx->m, NULL)) != KAERU_OK)
		return e;
	if (stale) {
		struct life_return life = {sx->ret->status, sx->ret->expires_at, 0, NULL};
		plan_receive(&life, &sx->plan);
	}
	if (!plan_runs(&sx->plan))
		return KAERU_OK; /* received by another scan, or canceled or expired meanwhile */
	e = store_plan_run(db, sx->ret, &sx->plan, &sx->by, sx->at);
	sx->first = e == KAERU_OK;
	if (e == KAERU_OK && sx->idem->key) /* what a retry needs: that it was the first */
		e = idempotent_keep(db, sx->idem, 200, json_pack("{s:b}", "first_scan", 1));
	return e;
}

/* POST /api/v1/scan {code}: the parcel arrived. Only the first scan writes. */
void h_scan(struct req *r)
{
	struct checker c;
	check_init(&c, r->arena);
	/* Any length: what cannot be a code is simply unknown (404). */
	const char *code = check_string(&c, r->json, "code", REQUIRED, 1, BODY_MAX, NULL);
	char rma[RMA_LEN + 1];
	struct ret ret;
	struct merchant m;
	enum kaeru_err e;
	/* Whole, for the receipt's event and the answer: a parcel's items do not change before it
	 * is received, and the receipt does not change them. With the session: a bad body is told
	 * only to staff. */
	if (!auth_staff_whole(r, code && rma_normalize(code, rma) ? rma : NULL, &ret, &m, NULL,
	                      &e)) {
		json_decref(c.errors);
		return;
	}
	struct user u = r->who.user;
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
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
	struct idempotent idem;
	check_init(&c, r->arena);
	idempotent_begin(r, &c, ret.merchant_id, &idem);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	struct scan sx = {.ret = &ret,
	                  .m = &m,
	                  .at = r->now,
	                  .by = {staff_actor(r, &ret), u.id, u.email},
	                  .idem = &idem};
	struct life_return life = {ret.status, ret.expires_at, 0, NULL};
	plan_receive(&life, &sx.plan);
	/* The first scan as far as the row said; or one with a key, which may be a first scan's
	 * retry. */
	if (plan_runs(&sx.plan) || idem.key) {
		e = idempotent_run(r->db, scan_tx, &sx, &idem);
		if (idem.reused) {
			respond_idempotency_reused(r);
			return;
		}
		if (e == KAERU_OK && sx.first && !idem.replay) {
			/* As stored, and as store_return_row would read it back. */
			char *at = arena_zalloc(r->arena, RFC3339_LEN);
			rfc3339_format(sx.at, at);
			ret.received_at = at;
		}
		if (e != KAERU_OK) {
			respond_error(r, e);
			return;
		}
	}
	if (sx.plan.refusal == REFUSAL_STATUS) {
		refuse_parcel(r, &ret);
		return;
	}
	bool first = sx.first;
	if ((e = store_return_timeline(r->db, &ret)) != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *j = render_return(r, &ret, &m, VIEW_STAFF);
	if (!render_return_photos(r, &ret, j)) {
		json_decref(j);
		respond_error(r, KAERU_EDB);
		return;
	}
	json_object_set_new(j, "first_scan", json_boolean(first));
	respond_json_with(r, 200, j, idem.replay ? "Idempotent-Replayed: true\r\n" : NULL);
}

/* ---- inspection and resolution ---- */

struct inspect {
	int64_t item_id;
	struct life_inspection in;
	const char *public_note; /* for shoppers: goes to the item's listing drafts; or NULL */
	struct plan_by by;
	struct merchant *m; /* read with the return: its review rules as they are now */
	bool again;         /* a run again: the return changed since it was read */
	/* in, as read before the transaction (store_return_whole), and out */
	struct ret now;       /* the return as this transaction left it, with its items */
	struct policy policy; /* with the money rules the return keeps from when it was made */
	/* out */
	size_t item;      /* the item's index in now.items (n_items when unknown) */
	struct plan plan; /* core's plan: the inspection and, for the last item, the resolution */
};

/* Plans from the return as read before and runs the plan, whose first write binds the revision
 * read (store_plan_run): of two inspections of one return's items the second finds it moved,
 * reads it anew and sees the other's item, so exactly the last one's plan resolves. */
static enum kaeru_err inspect_tx(struct db *db, void *arg)
{
	struct inspect *ix = arg;
	struct ret *ret = &ix->now;
	enum kaeru_err e = store_return_again(db, &ix->again, ret, ix->m, &ix->policy);
	if (e != KAERU_OK)
		return e;
	for (ix->item = 0; ix->item < ret->n_items; ix->item++)
		if (ret->items[ix->item].id == ix->item_id)
			break;
	struct life_item items[RETURN_ITEMS_MAX];
	struct life_return life;
	if ((e = store_return_life(ret, items, RETURN_ITEMS_MAX, &life)) != KAERU_OK ||
	    (e = plan_inspect(&life, &ix->policy, ix->item, &ix->in, &ix->plan)) != KAERU_OK)
		return e;
	if ((e = store_plan_run(db, ret, &ix->plan, &ix->by, 0)) != KAERU_OK)
		return e;
	/* The note (in) stays internal; the public note is the drafts' own. */
	return ix->public_note ? store_listings_public_note(db, ix->item_id, ix->public_note)
	                       : KAERU_OK;
}

/* Reads the inspection body: its shape only; what it may say of the item is core's to judge. */
static bool read_inspection(struct req *r, struct life_inspection *in, const char **public_note)
{
	struct checker c;
	check_init(&c, r->arena);
	*public_note = check_string(&c, r->json, "public_note", OPTIONAL, 0, NOTE_MAX, NULL);
	if (!check_inspection(&c, r->json, in)) {
		respond_invalid(r, c.errors);
		return false;
	}
	json_decref(c.errors);
	return true;
}

/* Answers the 422 for an inspection core refused. */
static void refuse_inspection(struct req *r, const struct inspect *ix)
{
	struct checker c;
	check_init(&c, r->arena);
	const struct return_item *it = ix->item < ix->now.n_items ? &ix->now.items[ix->item] : NULL;
	switch (ix->plan.refusal) {
	case REFUSAL_RECEIVED_OVER:
		check_fail(&c, "received_quantity",
		           arena_printf(r->arena, "must be between 0 and the %lld units returned",
		                        (long long)(it ? it->quantity : 0)));
		break;
	case REFUSAL_NEEDS_GRADE:
		check_fail(&c, "grade", "is required when items arrived");
		break;
	case REFUSAL_NEEDS_DISPOSAL:
		check_fail(&c, "disposition", "is required when items arrived");
		break;
	case REFUSAL_NOT_RESALABLE:
		check_fail(
		    &c, "disposition",
		    arena_printf(r->arena, "%s items cannot be resold", grade_names[ix->in.grade]));
		break;
	default:
		check_fail(&c, "received_quantity", "cannot be settled: the amounts are too large");
		break;
	}
	respond_invalid(r, c.errors);
}

/* POST /api/v1/returns/{rma}/items/{item_id}/inspection */
void h_inspect(struct req *r)
{
	char rma[RMA_LEN + 1];
	struct merchant m;
	struct inspect ix = {.item_id = segment_id(r->params[1]), .m = &m};
	enum kaeru_err e;
	/* Whole: everything the plan is made from and the answer shows, with the session, in one
	 * statement. */
	if (!auth_staff_whole(r, rma_normalize(r->params[0], rma) && ix.item_id > 0 ? rma : NULL,
	                      &ix.now, &m, &ix.policy, &e))
		return;
	struct user u = r->who.user;
	if (e == KAERU_OK && !staff_can_see(&u, &ix.now))
		e = KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	ix.by = (struct plan_by){staff_actor(r, &ix.now), u.id, u.email};
	if (!read_inspection(r, &ix.in, &ix.public_note))
		return;
	e = db_tx_run(r->db, inspect_tx, &ix);
	if (e == KAERU_EINVALID) {
		refuse_inspection(r, &ix);
		return;
	}
	if (e == KAERU_ECONFLICT) {
		const struct ret *now = &ix.now;
		respond_problem_ext(r, 409, "Cannot inspect this item now",
		                    ix.plan.refusal == REFUSAL_INSPECTED
		                        ? "This item is already inspected with other values."
		                    : now->status == RETURN_LABEL_ISSUED
		                        ? "Scan the parcel before inspecting its items."
		                        : arena_printf(r->arena, "The return is %s.",
		                                       return_status_names[now->status]),
		                    json_pack("{s:s, s:s}", "rma", now->rma, "return_status",
		                              return_status_names[now->status]));
		return;
	}
	/* The transaction left the row, items and timeline as they are now: nothing is read. */
	if (e == KAERU_OK)
		e = store_return_timeline(r->db, &ix.now);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *j = render_return(r, &ix.now, &m, VIEW_STAFF);
	if (!render_return_photos(r, &ix.now, j)) {
		json_decref(j);
		respond_error(r, KAERU_EDB);
		return;
	}
	respond_json(r, 200, j);
}
