/* The merchant console's API: the review queue of resale listings, the returns list and a
 * summary. A merchant session only ever reaches its own merchant's rows: every query is keyed
 * by the session's merchant, so another merchant's id is simply not found (404). */
#include "core/rma.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "validate/check.h"

#include <stdlib.h>
#include <string.h>

#define CONSOLE_PAGE 50
#define PRICE_MAX    1000000000000LL /* as order lines */
#define BULK_MAX     200

static int64_t page_of(struct checker *c, struct req *r)
{
	return check_query_int(c, "page", req_query(r, "page"), 1, 1000000, 1);
}

/* GET /api/v1/merchant/listings?status=&page= */
void h_merchant_listings(struct req *r)
{
	struct user u = r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	int status = check_query_enum(&c, "status", req_query(r, "status"), listing_status_names,
	                              LISTING__MAX);
	int64_t page = page_of(&c, r);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	struct listing *ls;
	size_t n;
	int64_t total;
	enum kaeru_err e = store_listings_page(
	    r->db, u.merchant_id, status, (page - 1) * CONSOLE_PAGE, CONSOLE_PAGE, &ls, &n, &total);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, render_listing(&ls[i]));
	json_t *j = json_pack("{s:o}", "items", items);
	render_page(j, page, CONSOLE_PAGE, total);
	respond_json(r, 200, j);
}

/* GET /api/v1/merchant/listings/{id} */
void h_merchant_listing_get(struct req *r)
{
	struct user u = r->who.user;
	struct listing l;
	int64_t id = segment_id(r->params[0]);
	enum kaeru_err e =
	    id ? store_listing_get(r->db, u.merchant_id, id, false, &l) : KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, render_listing(&l));
}

struct review {
	int64_t merchant_id, id, user_id;
	bool approve;
	bool has_price;
	int64_t price;
	const char *title, *reason;
	/* out */
	struct listing l;
	bool repeat; /* the same decision again: answered as it stands */
};

static enum kaeru_err review_tx(struct db *db, void *arg)
{
	struct review *rv = arg;
	rv->repeat = false;
	enum kaeru_err e = store_listing_get(db, rv->merchant_id, rv->id, true, &rv->l);
	if (e != KAERU_OK)
		return e;
	const struct listing *l = &rv->l;
	if (l->status != LISTING_PENDING_REVIEW) {
		bool same = rv->approve ? l->status == LISTING_PUBLISHED &&
		                              (!rv->has_price || rv->price == l->price) &&
		                              (!rv->title || strcmp(rv->title, l->title) == 0)
		                        : l->status == LISTING_REJECTED && l->reject_reason &&
		                              strcmp(rv->reason, l->reject_reason) == 0;
		rv->repeat = same;
		return same ? KAERU_OK : KAERU_ECONFLICT;
	}
	if (rv->approve)
		e = store_listing_publish(db, rv->merchant_id, rv->id,
		                          rv->has_price ? rv->price : l->suggested_price, rv->title,
		                          rv->user_id);
	else
		e = store_listing_reject(db, rv->merchant_id, rv->id, rv->reason, rv->user_id);
	if (e == KAERU_OK)
		e = store_listing_get(db, rv->merchant_id, rv->id, false, &rv->l);
	return e;
}

static void review(struct req *r, bool approve)
{
	struct user u = r->who.user;
	struct review rv = {.id = segment_id(r->params[0]), .approve = approve};
	rv.merchant_id = u.merchant_id;
	rv.user_id = u.id;
	struct checker c;
	check_init(&c, r->arena);
	if (approve) {
		rv.has_price = json_object_get(r->json, "price") &&
		               !json_is_null(json_object_get(r->json, "price"));
		rv.price = check_int(&c, r->json, "price", OPTIONAL, 1, PRICE_MAX, 0);
		rv.title = check_string(&c, r->json, "title", OPTIONAL, 1, 200, NULL);
	} else {
		rv.reason = check_string(&c, r->json, "reason", REQUIRED, 1, 500, NULL);
	}
	if (rv.id == 0) {
		json_decref(c.errors);
		respond_error(r, KAERU_ENOTFOUND);
		return;
	}
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	enum kaeru_err e = db_tx_run(r->db, review_tx, &rv);
	if (e == KAERU_ECONFLICT) {
		respond_problem_ext(
		    r, 409, approve ? "Listing cannot be approved" : "Listing cannot be rejected",
		    arena_printf(
		        r->arena, "The listing is %s; only listings awaiting review can be %s.",
		        listing_status_names[rv.l.status], approve ? "approved" : "rejected"),
		    json_pack("{s:s}", "listing_status", listing_status_names[rv.l.status]));
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, render_listing(&rv.l));
}

/* POST /api/v1/merchant/listings/{id}/approve {price?, title?} */
void h_listing_approve(struct req *r)
{
	review(r, true);
}

/* POST /api/v1/merchant/listings/{id}/reject {reason} */
void h_listing_reject(struct req *r)
{
	review(r, false);
}

struct bulk {
	int64_t merchant_id, user_id;
	const int64_t *ids;
	size_t n;
	bool *approved;
};

static enum kaeru_err bulk_tx(struct db *db, void *arg)
{
	struct bulk *b = arg;
	for (size_t i = 0; i < b->n; i++) {
		struct listing l;
		b->approved[i] = false;
		enum kaeru_err e = store_listing_get(db, b->merchant_id, b->ids[i], true, &l);
		if (e == KAERU_ENOTFOUND || (e == KAERU_OK && l.status != LISTING_PENDING_REVIEW))
			continue;
		if (e == KAERU_OK)
			e = store_listing_publish(db, b->merchant_id, b->ids[i], l.suggested_price,
			                          NULL, b->user_id);
		if (e != KAERU_OK)
			return e;
		b->approved[i] = true;
	}
	return KAERU_OK;
}

/* POST /api/v1/merchant/listings/approve {ids: [...]}: publishes each pending listing at its
 * suggested price, in one transaction; the rest are reported skipped. */
void h_listings_bulk_approve(struct req *r)
{
	struct user u = r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	json_t *ids = check_array(&c, r->json, "ids", 1, BULK_MAX);
	size_t n = ids ? json_array_size(ids) : 0;
	int64_t *v = arena_zalloc(r->arena, sizeof(*v) * (n + 1));
	size_t nv = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(ids, i);
		if (!json_is_integer(x) || json_integer_value(x) < 1) {
			check_fail(&c, arena_printf(r->arena, "ids[%zu]", i),
			           "must be a listing id (a positive integer)");
			continue;
		}
		bool seen = false; /* each id is answered once */
		for (size_t k = 0; k < nv && !seen; k++)
			seen = v[k] == json_integer_value(x);
		if (!seen)
			v[nv++] = json_integer_value(x);
	}
	n = nv;
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	struct bulk b = {u.merchant_id, u.id, v, n, arena_zalloc(r->arena, sizeof(bool) * (n + 1))};
	enum kaeru_err e = db_tx_run(r->db, bulk_tx, &b);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *approved = json_array(), *skipped = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(b.approved[i] ? approved : skipped, json_integer(v[i]));
	respond_json(r, 200, json_pack("{s:o, s:o}", "approved", approved, "skipped", skipped));
}

/* GET /api/v1/merchant/returns?status=&q=&page= */
void h_merchant_returns(struct req *r)
{
	struct user u = r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	int status = check_query_enum(&c, "status", req_query(r, "status"), return_status_names,
	                              RETURN__MAX);
	int64_t page = page_of(&c, r);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	/* One search box: an RMA, an order number or an e-mail. */
	const char *q = req_query(r, "q");
	q = q ? trim_copy(r->arena, q) : NULL;
	if (q && !*q)
		q = NULL;
	char rma[RMA_LEN + 1];
	const char *email = q ? email_key(r->arena, q) : NULL;
	struct return_row *rows;
	size_t n;
	int64_t total;
	enum kaeru_err e = store_returns_page(
	    r->db, u.merchant_id, status, q && rma_normalize(q, rma) ? rma : NULL, q, email,
	    (page - 1) * CONSOLE_PAGE, CONSOLE_PAGE, &rows, &n, &total);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct return_row *x = &rows[i];
		json_array_append_new(
		    items,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "rma", x->rma,
		              "status", x->status, "order_number", x->order_number, "customer_name",
		              x->customer_name ? x->customer_name : "", "email", x->email,
		              "currency", x->currency, "created_at", x->created_at, "updated_at",
		              x->updated_at, "items", (json_int_t)x->items, "refund_amount",
		              x->has_refund ? json_integer(x->refund_amount) : json_null()));
	}
	json_t *j = json_pack("{s:o}", "items", items);
	render_page(j, page, CONSOLE_PAGE, total);
	respond_json(r, 200, j);
}

/* GET /api/v1/merchant/summary */
void h_merchant_summary(struct req *r)
{
	struct user u = r->who.user;
	struct merchant m;
	int64_t returns[RETURN__MAX], listings[LISTING__MAX], recovered;
	enum kaeru_err e = store_merchant_by_id(r->db, u.merchant_id, &m);
	if (e == KAERU_OK)
		e = store_return_counts(r->db, u.merchant_id, returns);
	if (e == KAERU_OK)
		e = store_listing_counts(r->db, u.merchant_id, listings, &recovered);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *rj = json_object(), *lj = json_object();
	for (int i = 0; i < RETURN__MAX; i++)
		json_object_set_new(rj, return_status_names[i], json_integer(returns[i]));
	for (int i = 0; i < LISTING__MAX; i++)
		json_object_set_new(lj, listing_status_names[i], json_integer(listings[i]));
	respond_json(r, 200,
	             json_pack("{s:o, s:o, s:o, s:I}", "merchant", render_merchant_brief(&m),
	                       "returns", rj, "listings", lj, "recovered", (json_int_t)recovered));
}
