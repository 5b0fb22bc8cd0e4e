/* One return, seen by its customer or by staff: the timeline, the label, cancelling. */
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "fcgi/label_of.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "pdf/label.h"
#include "pdf/qr.h"
#include "util/timefmt.h"
#include "util/tz.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum access { ACCESS_NONE, ACCESS_TOKEN, ACCESS_TRACKING, ACCESS_STAFF };

/* The return's row and merchant, enough to decide who may see it; whole (store_return_whole)
 * when the answer shows more, still one statement. */
static enum kaeru_err load(struct req *r, struct ret *ret, struct merchant *m, bool whole)
{
	char rma[RMA_LEN + 1];
	if (!rma_normalize(r->params[0], rma))
		return KAERU_ENOTFOUND;
	return whole ? store_return_whole(r->db, rma, ret, m, NULL)
	             : store_return_row(r->db, rma, ret, m);
}

/* Loads the return named in the path — its row and merchant, and whole when asked — and checks
 * the credential its route took (r->who) is this return's: the order token of its order, its
 * tracking key, or a staff session that may see it (warehouse, merchant, admin). Answers 404
 * itself otherwise and returns ACCESS_NONE. */
static enum access return_access(struct req *r, struct ret *ret, struct merchant *m, bool whole)
{
	enum kaeru_err e = load(r, ret, m, whole);
	enum access a = ACCESS_NONE;
	if (e == KAERU_OK && r->who.kind == WHO_ORDER_TOKEN && r->who.order_id == ret->order_id)
		a = ACCESS_TOKEN;
	else if (e == KAERU_OK && r->who.kind == WHO_TRACKING_KEY &&
	         strlen(r->who.tracking_key) == TRACKING_KEY_LEN &&
	         sodium_memcmp(r->who.tracking_key, ret->tracking_key, TRACKING_KEY_LEN) == 0)
		a = ACCESS_TRACKING;
	else if (e == KAERU_OK && r->who.kind == WHO_STAFF && staff_can_see(&r->who.user, ret))
		a = ACCESS_STAFF;
	if (a == ACCESS_NONE)
		respond_error(r, e == KAERU_OK ? KAERU_ENOTFOUND : e);
	return a;
}

/* GET /api/v1/returns/{rma} */
void h_return_get(struct req *r)
{
	struct ret ret;
	struct merchant m;
	enum access a = return_access(r, &ret, &m, true);
	if (a == ACCESS_NONE)
		return;
	enum kaeru_err e;
	if ((e = store_return_timeline(r->db, &ret)) != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *j = render_return(r, &ret, &m, a == ACCESS_STAFF ? VIEW_STAFF : VIEW_CUSTOMER);
	/* Staff and the merchant see every photo; the customer their own return's. */
	if (!render_return_photos(r, &ret, j)) {
		json_decref(j);
		respond_error(r, KAERU_EDB);
		return;
	}
	respond_json(r, 200, j);
}

/* Answers 410 and returns true when the return's label is void (canceled, expired): neither the
 * label nor its QR code may then be used. */
static bool label_void(struct req *r, const struct ret *ret)
{
	if (return_label_state(ret->status) != LABEL_VOID)
		return false;
	respond_problem_ext(
	    r, 410, "Label no longer valid",
	    arena_printf(r->arena,
	                 ret->status == RETURN_CANCELED
	                     ? "Return %s was canceled; its label must not be used."
	                     : "The label of return %s expired before the parcel was sent; it "
	                       "must not be used.",
	                 ret->rma),
	    json_pack("{s:s, s:s}", "rma", ret->rma, "return_status",
	              return_status_names[ret->status]));
	return true;
}

/* GET /api/v1/returns/{rma}/label.pdf: the 4×6 in return label. */
void h_return_label(struct req *r)
{
	struct ret ret;
	struct merchant m;
	if (return_access(r, &ret, &m, true) == ACCESS_NONE || label_void(r, &ret))
		return;
	unsigned char *pdf = NULL;
	size_t len = 0;
	if (!return_label_pdf(r->arena, &ret, &m, &pdf, &len)) {
		respond_problem(r, 500, "Label could not be made", NULL, NULL);
		return;
	}
	char *headers = arena_printf(
	    r->arena, "Content-Disposition: inline; filename=\"return-%s.pdf\"\r\n", ret.rma);
	respond(r, 200, "application/pdf", headers, pdf, len);
	free(pdf);
}

/* GET /api/v1/returns/{rma}/qr.svg: the label's QR code ("KAERU:<rma>") as an SVG image, for
 * the portal's done page and the tracking page: shown at a counter for box-free drop-off. The
 * same access and the same 410 as the label. */
void h_return_qr(struct req *r)
{
	struct ret ret;
	struct merchant m;
	if (return_access(r, &ret, &m, false) == ACCESS_NONE || label_void(r, &ret))
		return;
	char *svg = NULL;
	size_t len = 0;
	if (!qr_svg(arena_printf(r->arena, "KAERU:%s", ret.rma), &svg, &len)) {
		respond_problem(r, 500, "QR code could not be made", NULL, NULL);
		return;
	}
	respond(r, 200, "image/svg+xml", "Cache-Control: private, max-age=3600\r\n",
	        (unsigned char *)svg, len);
	free(svg);
}

struct cancel {
	struct merchant *m; /* read with the return */
	bool again;         /* a run again: the return changed since it was read */
	/* in: as read before the transaction (whole); out: as the transaction left it */
	struct ret now;
	struct plan plan;
};

/* Plans the cancel in core from the return as read (anew when run again) and runs the plan,
 * whose first write binds the revision read (store_plan_run). */
static enum kaeru_err cancel_tx(struct db *db, void *arg)
{
	struct cancel *cx = arg;
	struct ret *ret = &cx->now;
	enum kaeru_err e = store_return_again(db, &cx->again, ret, cx->m, NULL);
	if (e != KAERU_OK)
		return e;
	struct life_item items[RETURN_ITEMS_MAX];
	struct life_return life;
	if ((e = store_return_life(ret, items, RETURN_ITEMS_MAX, &life)) != KAERU_OK ||
	    (e = plan_cancel(&life, &cx->plan)) != KAERU_OK)
		return e;
	return store_plan_run(db, ret, &cx->plan, NULL, 0);
}

/* POST /api/v1/returns/{rma}/cancel (order token): only before the parcel is scanned. */
void h_return_cancel(struct req *r)
{
	struct merchant m;
	struct cancel cx = {.m = &m};
	if (return_access(r, &cx.now, &m, true) != ACCESS_TOKEN)
		return;
	enum kaeru_err e = db_tx_run(r->db, cancel_tx, &cx);
	if (e == KAERU_ECONFLICT && cx.plan.refusal == REFUSAL_STATUS) {
		respond_problem(r, 409, "Return can no longer be canceled",
		                arena_printf(r->arena,
		                             "The parcel is already %s; it cannot be canceled now.",
		                             return_status_names[cx.now.status]),
		                NULL);
		return;
	}
	if (e == KAERU_OK)
		e = store_return_timeline(r->db, &cx.now);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, render_return(r, &cx.now, &m, VIEW_CUSTOMER));
}
