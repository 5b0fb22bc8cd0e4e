/* The merchant console's API: the review queue of resale listings, the returns list and a
 * summary. A merchant session only ever reaches its own merchant's rows: every query is keyed
 * by the session's merchant, so another merchant's id is simply not found (404). */
#include "core/rma.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "util/timefmt.h"
#include "util/tz.h"
#include "util/url.h"
#include "validate/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSOLE_PAGE 50
#define PRICE_MAX    1000000000000LL /* as order lines */
#define BULK_MAX     200

static int64_t page_of(struct checker *c, struct req *r)
{
	return check_query_int(c, "page", req_query(r, "page"), 1, 1000000, 1);
}

/* Where a console list's page starts: after= or before= (the next or prev of an earlier answer:
 * cheap at any depth), else page= (skips the rows before it); limit= rows, CONSOLE_PAGE unless
 * fewer are asked for. */
static struct keyset keyset_of(struct checker *c, struct req *r, int64_t page)
{
	struct keyset k = {
	    .after = query_cursor(c, r, "after"),
	    .before = query_cursor(c, r, "before"),
	    .limit =
	        check_query_int(c, "limit", req_query(r, "limit"), 1, CONSOLE_PAGE, CONSOLE_PAGE),
	};
	if (k.after && k.before)
		check_fail(c, "before", "give after or before, not both");
	if ((k.after || k.before) && page != 1)
		check_fail(c, "page", "a page by cursor (after or before) has no page number");
	k.offset = (page - 1) * k.limit;
	return k;
}

/* Where the list's page starts (keyset_of), when c holds no failures; else answers 422 and
 * returns false. */
static bool list_place(struct req *r, struct checker *c, int64_t page, struct keyset *k)
{
	*k = keyset_of(c, r, page);
	if (!check_ok(c)) {
		respond_invalid(r, c->errors);
		return false;
	}
	json_decref(c->errors);
	return true;
}

/* The answer to a console list's page: its items, where it is and the cursors around it. A
 * cursor that is none of the merchant's rows is a bad field, as a malformed one. */
static void respond_list_page(struct req *r, enum kaeru_err e, const struct keyset *k, int64_t page,
                              json_t *items, const struct keyset_page *pg)
{
	if (e == KAERU_EINVALID) {
		json_decref(items);
		struct checker c;
		check_init(&c, r->arena);
		check_fail(&c, k->after ? "after" : "before",
		           "must be the next or prev cursor of an earlier page of this list");
		respond_invalid(r, c.errors);
		return;
	}
	if (e != KAERU_OK) {
		json_decref(items);
		respond_error(r, e);
		return;
	}
	json_t *j = json_pack("{s:o, s:o, s:o}", "items", items, "next", render_cursor(pg->next),
	                      "prev", render_cursor(pg->prev));
	render_page(j, page, k->limit, pg->total);
	if (k->after || k->before)
		json_object_del(j, "page"); /* a cursor's page has no number */
	respond_json(r, 200, j);
}

/* GET /api/v1/merchant/listings?status=&after=|before=|page=&limit= */
void h_merchant_listings(struct req *r)
{
	struct user u = r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	int status = check_query_enum(&c, "status", req_query(r, "status"), listing_status_names,
	                              LISTING__MAX);
	int64_t page = page_of(&c, r);
	struct keyset k;
	if (!list_place(r, &c, page, &k))
		return;
	struct listing *ls = NULL;
	struct keyset_page pg = {0};
	enum kaeru_err e = store_listings_page(r->db, u.merchant_id, status, &k, &ls, &pg);
	json_t *items = json_array();
	for (size_t i = 0; e == KAERU_OK && i < pg.n; i++)
		json_array_append_new(items, render_listing(&ls[i]));
	respond_list_page(r, e, &k, page, items, &pg);
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

/* GET /api/v1/merchant/returns?status=&after=|before=|page=&limit= — or, with q, a search
 * (h_search.c) */
void h_merchant_returns(struct req *r)
{
	struct user u = r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	int status = check_query_enum(&c, "status", req_query(r, "status"), return_status_names,
	                              RETURN__MAX);
	int64_t page = page_of(&c, r);
	if (returns_search(r, &c, u.merchant_id, status, 0, page))
		return;
	struct keyset k;
	if (!list_place(r, &c, page, &k))
		return;
	struct return_row *rows = NULL;
	struct keyset_page pg = {0};
	enum kaeru_err e = store_returns_page(r->db, u.merchant_id, status, &k, &rows, &pg);
	json_t *items = json_array();
	for (size_t i = 0; e == KAERU_OK && i < pg.n; i++)
		json_array_append_new(items, render_return_row(&rows[i]));
	respond_list_page(r, e, &k, page, items, &pg);
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

/* ---- the merchant's policy ---- */

#define WINDOW_DAYS_MAX    365
#define LABEL_DAYS_MAX     90
#define PRICE_STEP_MAX     1000000000LL
#define CHECKOUT_URL_MAX   2048
#define AMOUNT_OVER_MAX    PRICE_MAX
#define POLICY_PERCENT_MAX 100

static json_t *reason_set_json(unsigned set)
{
	json_t *a = json_array();
	for (int i = 0; i < REASON__MAX; i++)
		if (set & REASON_BIT(i))
			json_array_append_new(a, json_string(reason_names[i]));
	return a;
}

/* The policy as the console edits it: every field PUT takes. */
static json_t *render_policy_full(const struct merchant *m)
{
	const struct policy *p = &m->policy;
	const struct review_rules *rv = &p->review;
	return json_pack(
	    "{s:i, s:o, s:o, s:i, s:i, s:i, s:{s:i, s:i, s:i, s:i}, s:I, s:i, s:s, s:o, s:s,"
	    " s:{s:b, s:b, s:b, s:o}}",
	    "window_days", p->window_days, "reasons", reason_set_json(p->reasons_offered),
	    "fee_reasons", reason_set_json(p->fee_reasons), "restocking_fee_percent",
	    p->restocking_fee_percent, "store_credit_bonus_percent", p->store_credit_bonus_percent,
	    "label_validity_days", p->label_validity_days, "resale_percent", "new",
	    p->resale_percent[GRADE_NEW], "like_new", p->resale_percent[GRADE_LIKE_NEW], "good",
	    p->resale_percent[GRADE_GOOD], "fair", p->resale_percent[GRADE_FAIR], "price_step",
	    (json_int_t)p->price_step, "price_floor_percent", p->price_floor_percent, "timezone",
	    m->timezone, "checkout_url",
	    m->checkout_url ? json_string(m->checkout_url) : json_null(), "currency", m->currency,
	    "review_rules", "damaged", rv->damaged, "short_receipt", rv->short_receipt,
	    "defective_new", rv->defective_new, "amount_over",
	    rv->amount_over >= 0 ? json_integer(rv->amount_over) : json_null());
}

/* A list of reason names into a set; errors name key[i]. Absent: *set unchanged. */
static void check_reason_set(struct checker *c, json_t *body, const char *key, size_t min,
                             unsigned *set)
{
	if (!json_object_get(body, key))
		return;
	json_t *a = check_array(c, body, key, min, REASON__MAX * 2);
	if (!a)
		return;
	unsigned s = 0;
	bool ok = true;
	for (size_t i = 0; i < json_array_size(a); i++) {
		int r =
		    name_index(reason_names, REASON__MAX, json_string_value(json_array_get(a, i)));
		if (r < 0) {
			check_fail(c, arena_printf(c->arena, "%s[%zu]", key, i),
			           "must be one of too_small, too_large, not_as_described, damaged,"
			           " defective, wrong_item, changed_mind, arrived_late, other");
			ok = false;
			continue;
		}
		s |= REASON_BIT(r);
	}
	if (ok)
		*set = s;
}

/* An optional integer field of obj into *v (unchanged when absent). */
static void check_int_into(struct checker *c, json_t *obj, const char *key, int64_t min,
                           int64_t max, int64_t *v)
{
	*v = check_int(c, obj, key, OPTIONAL, min, max, *v);
}

static void check_percent_into(struct checker *c, json_t *obj, const char *key, int *v)
{
	int64_t x = *v;
	check_int_into(c, obj, key, 0, POLICY_PERCENT_MAX, &x);
	*v = (int)x;
}

/* Reads a policy PUT over the merchant's current settings: fields left out keep their value.
 * Every bad field is reported, named by its JSON path. */
static bool read_policy(struct req *r, struct merchant *m, struct checker *c)
{
	json_t *body = r->json;
	struct policy *p = &m->policy;
	int64_t x = p->window_days;
	check_int_into(c, body, "window_days", 1, WINDOW_DAYS_MAX, &x);
	p->window_days = (int)x;
	x = p->label_validity_days;
	check_int_into(c, body, "label_validity_days", 1, LABEL_DAYS_MAX, &x);
	p->label_validity_days = (int)x;
	check_percent_into(c, body, "restocking_fee_percent", &p->restocking_fee_percent);
	check_percent_into(c, body, "store_credit_bonus_percent", &p->store_credit_bonus_percent);
	check_percent_into(c, body, "price_floor_percent", &p->price_floor_percent);
	check_int_into(c, body, "price_step", 1, PRICE_STEP_MAX, &p->price_step);
	check_reason_set(c, body, "reasons", 1, &p->reasons_offered);
	check_reason_set(c, body, "fee_reasons", 0, &p->fee_reasons);
	json_t *resale = check_object(c, body, "resale_percent", OPTIONAL);
	if (resale) {
		check_enter(c, "resale_percent.");
		for (int g = 0; g < GRADE__MAX; g++)
			if (g != GRADE_DAMAGED) /* damaged is never resold */
				check_percent_into(c, resale, grade_names[g],
				                   &p->resale_percent[g]);
		c->prefix = "";
	}
	const char *tz = check_string(c, body, "timezone", OPTIONAL, 1, 64, NULL);
	if (tz && !tz_valid(tz))
		check_fail(c, "timezone", "must be an IANA time zone name such as Asia/Tokyo");
	else if (tz)
		m->timezone = tz;
	json_t *url = json_object_get(body, "checkout_url");
	if (url && json_is_null(url)) {
		m->checkout_url = NULL;
	} else if (url) {
		const char *s =
		    check_string(c, body, "checkout_url", OPTIONAL, 1, CHECKOUT_URL_MAX, NULL);
		struct url_target t;
		if (s && !url_parse(s, &t))
			check_fail(c, "checkout_url", "must be an absolute http or https URL");
		else if (s)
			m->checkout_url = s;
	}
	json_t *rules = check_object(c, body, "review_rules", OPTIONAL);
	if (rules) {
		struct review_rules *rv = &p->review;
		check_enter(c, "review_rules.");
		rv->damaged = check_bool(c, rules, "damaged", OPTIONAL, rv->damaged);
		rv->short_receipt =
		    check_bool(c, rules, "short_receipt", OPTIONAL, rv->short_receipt);
		rv->defective_new =
		    check_bool(c, rules, "defective_new", OPTIONAL, rv->defective_new);
		json_t *over = json_object_get(rules, "amount_over");
		if (over && json_is_null(over))
			rv->amount_over = -1;
		else if (over)
			check_int_into(c, rules, "amount_over", 0, AMOUNT_OVER_MAX,
			               &rv->amount_over);
		c->prefix = "";
	}
	return check_ok(c);
}

/* GET /api/v1/merchant/policy */
void h_merchant_policy_get(struct req *r)
{
	struct user u = r->who.user;
	struct merchant m;
	enum kaeru_err e = store_merchant_by_id(r->db, u.merchant_id, &m);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, render_policy_full(&m));
}

struct policy_put {
	struct req *req;
	const struct user *user;
	struct checker *check;
	/* out */
	struct merchant m;
	bool invalid;
};

/* Locks the merchant, reads the body over what is stored now, stores it with its event. */
static enum kaeru_err policy_put_tx(struct db *db, void *arg)
{
	struct policy_put *pp = arg;
	json_array_clear(pp->check->errors);
	enum kaeru_err e = store_merchant_lock(db, pp->user->merchant_id, &pp->m);
	if (e != KAERU_OK)
		return e;
	json_t *before = render_policy_full(&pp->m);
	if (!read_policy(pp->req, &pp->m, pp->check)) {
		json_decref(before);
		pp->invalid = true;
		return KAERU_EINVALID;
	}
	json_t *after = render_policy_full(&pp->m);
	char *change = NULL;
	if (!json_equal(before, after)) {
		json_t *ev = json_pack("{s:s, s:I, s:O, s:O}", "by", pp->user->email, "user_id",
		                       (json_int_t)pp->user->id, "before", before, "after", after);
		change = json_dumps(ev, JSON_COMPACT);
		json_decref(ev);
	}
	json_decref(before);
	json_decref(after);
	if (!change)
		return KAERU_OK; /* nothing changed: nothing to tell */
	e = store_merchant_policy_change(db, &pp->m, &pp->m.policy, pp->m.timezone,
	                                 pp->m.checkout_url, change);
	free(change);
	return e;
}

/* PUT /api/v1/merchant/policy: the fields given replace the stored ones; lookups and new
 * returns use them at once, returns already made settle under the money rules they were made
 * under. */
void h_merchant_policy_put(struct req *r)
{
	struct user u = r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	struct policy_put pp = {.req = r, .user = &u, .check = &c};
	enum kaeru_err e = db_tx_run(r->db, policy_put_tx, &pp);
	if (pp.invalid) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, render_policy_full(&pp.m));
}

/* ---- review holds ---- */

#define DECISION_NOTE_MAX 2000

struct decide {
	struct merchant *m; /* read with the return */
	bool again;         /* a run again: the return changed since it was read */
	struct life_decision decision;
	struct plan_by by;
	/* in, as read before the transaction (whole), and out */
	struct ret now;
	struct policy policy; /* the merchant's, with the return's money rules over it */
	/* out */
	struct plan plan;
};

/* Resolves the return as read (anew when run again) as decided: core's plan, run with guards,
 * the first of them on the revision read (store_plan_run). */
static enum kaeru_err decide_tx(struct db *db, void *arg)
{
	struct decide *dx = arg;
	struct ret *ret = &dx->now;
	enum kaeru_err e = store_return_again(db, &dx->again, ret, dx->m, &dx->policy);
	if (e != KAERU_OK)
		return e;
	struct life_item items[RETURN_ITEMS_MAX];
	struct life_return life;
	if ((e = store_return_life(ret, items, RETURN_ITEMS_MAX, &life)) != KAERU_OK ||
	    (e = plan_decide(&life, &dx->policy, &dx->decision, &dx->plan)) != KAERU_OK)
		return e;
	return store_plan_run(db, ret, &dx->plan, &dx->by, 0);
}

/* POST /api/v1/merchant/returns/{rma}/decision {"refund_percent"|"amount", "note"?}: resolves
 * a return held for review, paying that share of what is owed. */
void h_merchant_decision(struct req *r)
{
	struct checker c;
	check_init(&c, r->arena);
	bool has_percent = json_object_get(r->json, "refund_percent") &&
	                   !json_is_null(json_object_get(r->json, "refund_percent"));
	bool has_amount =
	    json_object_get(r->json, "amount") && !json_is_null(json_object_get(r->json, "amount"));
	struct life_decision d = {-1, -1, NULL};
	if (has_percent == has_amount)
		check_fail(&c, has_percent ? "amount" : "refund_percent",
		           "give exactly one of refund_percent (0 to 100) and amount");
	else if (has_percent)
		d.percent = (int)check_int(&c, r->json, "refund_percent", REQUIRED, 0, 100, -1);
	else
		d.amount =
		    check_int(&c, r->json, "amount", REQUIRED, 0, PRICE_MAX * RETURN_ITEMS_MAX, -1);
	d.note = check_string(&c, r->json, "note", OPTIONAL, 0, DECISION_NOTE_MAX, NULL);
	if (d.note && !*d.note)
		d.note = NULL;
	char rma[RMA_LEN + 1];
	struct merchant m;
	struct decide dx = {.m = &m, .decision = d};
	enum kaeru_err e;
	if (!auth_staff_whole(r, rma_normalize(r->params[0], rma) ? rma : NULL, &dx.now, &m,
	                      &dx.policy, &e)) {
		json_decref(c.errors);
		return;
	}
	struct user u = r->who.user;
	if (e == KAERU_OK && dx.now.merchant_id != u.merchant_id)
		e = KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		json_decref(c.errors);
		respond_error(r, e);
		return;
	}
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	dx.by = (struct plan_by){arena_printf(r->arena, "merchant:%s", m.slug), u.id, u.email};
	e = db_tx_run(r->db, decide_tx, &dx);
	if (e == KAERU_EINVALID && dx.plan.refusal == REFUSAL_DECISION) {
		check_fail(&c, has_percent ? "refund_percent" : "amount",
		           arena_printf(r->arena, "must be at most %lld, what is owed",
		                        (long long)dx.plan.owed));
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	if (e == KAERU_ECONFLICT) {
		respond_problem_ext(
		    r, 409, "Nothing to decide",
		    arena_printf(r->arena,
		                 "The return is %s; only returns held for review can"
		                 " be decided.",
		                 return_status_names[dx.now.status]),
		    json_pack("{s:s, s:s}", "rma", dx.now.rma, "return_status",
		              return_status_names[dx.now.status]));
		return;
	}
	if (e == KAERU_OK)
		e = store_return_timeline(r->db, &dx.now);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, render_return(r, &dx.now, &m, VIEW_STAFF));
}

/* ---- date ranges in the merchant's calendar ---- */

/* The first instant (Unix seconds) of local day `day` in zone: the smallest t whose local day
 * is day (zones are within ±14 h of UTC; a day that starts at a DST gap starts when it can). */
static int64_t day_start(const char *zone, int64_t day)
{
	int64_t lo = day * 86400 - 16 * 3600, hi = day * 86400 + 16 * 3600;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (tz_local_day(zone, mid) >= day)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* A query parameter holding a calendar date YYYY-MM-DD: its day number, or def when absent. */
static int64_t check_query_day(struct checker *c, const char *key, const char *value, int64_t def)
{
	if (!value || !*value)
		return def;
	unsigned y, m, d;
	char rest;
	char back[DATE_LEN];
	if (strlen(value) == 10 && sscanf(value, "%4u-%2u-%2u%c", &y, &m, &d, &rest) == 3 &&
	    y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
		int64_t day = days_from_civil(y, m, d);
		date_format(day, back);
		if (strcmp(back, value) == 0)
			return day;
	}
	check_fail(c, key, "must be a date YYYY-MM-DD");
	return def;
}

/* A range of local days ?from=&to= (both inclusive; default the last 30 days to today) of at
 * most max_days days, as UTC instants [from, to). false after answering 422. */
static bool read_day_range(struct req *r, const struct merchant *m, int64_t max_days,
                           struct export_range *range, int64_t *from_day, int64_t *to_day)
{
	struct checker c;
	check_init(&c, r->arena);
	int64_t today = tz_local_day(m->timezone, r->now);
	int64_t to = check_query_day(&c, "to", req_query(r, "to"), today);
	int64_t from = check_query_day(&c, "from", req_query(r, "from"), to - 29);
	if (check_ok(&c) && from > to)
		check_fail(&c, "to", "must not be before from");
	else if (check_ok(&c) && to - from + 1 > max_days)
		check_fail(&c, "to",
		           arena_printf(r->arena, "must be at most %lld days after from",
		                        (long long)(max_days - 1)));
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return false;
	}
	json_decref(c.errors);
	range->from = day_start(m->timezone, from);
	range->to = day_start(m->timezone, to + 1);
	*from_day = from;
	*to_day = to;
	return true;
}

/* ---- CSV exports, streamed ---- */

#define EXPORT_PAGE     500
#define EXPORT_DAYS_MAX 3660

/* A time column as an RFC 3339 field (NULL: empty), then sep. */
static void csv_time(struct req *r, const struct db_rows *rows, size_t i, size_t col,
                     const char *sep)
{
	char buf[RFC3339_LEN];
	bool null = db_isnull(rows, i, col);
	if (!null)
		rfc3339_format(db_int(rows, i, col), buf);
	respond_stream_csv(r, null ? NULL : buf, false, sep);
}

/* A local day number as a date field, then a comma. */
static void csv_day(struct req *r, int64_t day)
{
	char buf[DATE_LEN];
	date_format(day, buf);
	respond_stream_csv(r, buf, false, ",");
}

typedef enum kaeru_err (*export_fetch)(struct db *, int64_t, const struct export_range *,
                                       const struct export_key *, size_t, struct db_rows *);
/* Writes row i of a page to the answer; day: the merchant's local day of its column 0. */
typedef void (*export_row)(struct req *r, const struct db_rows *rows, size_t i, int64_t day);

/* Streams an export: the header line, then page after page of rows, each written to the
 * client as it is made (respond_stream). Pages live in an arena of their own, reset for each
 * page, and a row allocates nothing, so memory stays one page whatever the size of the export.
 * A failure after the first page ends the body early (the status is sent by then). */
static void export_stream(struct req *r, const char *what, const char *header, export_fetch fetch,
                          export_row write_row)
{
	struct user u = r->who.user;
	struct merchant m;
	enum kaeru_err e = store_merchant_by_id(r->db, u.merchant_id, &m);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	struct export_range range;
	int64_t from_day, to_day;
	if (!read_day_range(r, &m, EXPORT_DAYS_MAX, &range, &from_day, &to_day))
		return;
	struct arena *request_arena = r->db->arena, pages = {0};
	r->db->arena = &pages;
	struct export_key after = {range.from - 1, 0};
	struct db_rows rows;
	e = fetch(r->db, u.merchant_id, &range, &after, EXPORT_PAGE, &rows);
	if (e != KAERU_OK) {
		r->db->arena = request_arena;
		arena_free(&pages);
		respond_error(r, e);
		return;
	}
	char from[DATE_LEN], to[DATE_LEN];
	date_format(from_day, from);
	date_format(to_day, to);
	char *headers = arena_printf(
	    r->arena, "Content-Disposition: attachment; filename=\"%s-%s-%s-%s.csv\"\r\n", m.slug,
	    what, from, to);
	bool body = respond_stream_begin(r, 200, "text/csv; charset=utf-8", headers);
	if (body)
		respond_stream(r, header, strlen(header));
	while (body && e == KAERU_OK) {
		/* the local days of a page at once: one calendar of the zone a page, not a row */
		int64_t *t = arena_alloc(&pages, sizeof(*t) * (rows.nrows + 1));
		int64_t *days = arena_alloc(&pages, sizeof(*days) * (rows.nrows + 1));
		for (size_t i = 0; i < rows.nrows; i++)
			t[i] = db_int(&rows, i, 0);
		tz_local_days(m.timezone, rows.nrows, t, days);
		for (size_t i = 0; i < rows.nrows; i++)
			write_row(r, &rows, i, days[i]);
		/* fewer rows than EXPORT_PAGE: fewer keys than asked for (a returns page holds
		 * every item of its returns), so the last page */
		if (rows.nrows < EXPORT_PAGE)
			break;
		after = (struct export_key){db_int(&rows, rows.nrows - 1, 0),
		                            db_int(&rows, rows.nrows - 1, 1)};
		arena_reset(&pages);
		e = fetch(r->db, u.merchant_id, &range, &after, EXPORT_PAGE, &rows);
	}
	r->db->arena = request_arena;
	arena_free(&pages);
}

static void returns_row(struct req *r, const struct db_rows *x, size_t i, int64_t day)
{
	/* columns: see store_export_returns_page */
	respond_stream_csv(r, db_str(x, i, 2), true, ","); /* rma */
	csv_time(r, x, i, 0, ",");                         /* created_at */
	csv_day(r, day);                                   /* created_date */
	for (size_t col = 3; col <= 24; col++) {
		bool text = col <= 10 || (col >= 13 && col <= 16) || col == 18 || col == 19;
		respond_stream_csv(r, db_str(x, i, col), text, ",");
	}
	csv_time(r, x, i, 25, "\r\n"); /* resolved_at */
}

static void ledger_row(struct req *r, const struct db_rows *x, size_t i, int64_t day)
{
	respond_stream_csv(r, db_str(x, i, 1), false, ","); /* id */
	csv_time(r, x, i, 0, ",");                          /* created_at */
	csv_day(r, day);                                    /* created_date */
	for (size_t col = 2; col <= 10; col++)
		respond_stream_csv(r, db_str(x, i, col), col <= 6, ",");
	respond_stream_csv(r, db_str(x, i, 11), false, "\r\n"); /* amount */
}

/* GET /api/v1/merchant/returns.csv?from=&to=: one row per returned item of the returns made on
 * those local days, with its ledger entry's money (minor units). */
void h_merchant_returns_csv(struct req *r)
{
	export_stream(
	    r, "returns",
	    "rma,created_at,created_date,status,order_number,email,currency,sku,product_id,"
	    "name,variant,quantity,unit_price,reason,comment,resolution,exchange_sku,"
	    "received_quantity,grade,disposition,gross,restocking_fee,store_credit_bonus,"
	    "withheld,amount,resolved_at\r\n",
	    store_export_returns_page, returns_row);
}

/* GET /api/v1/merchant/ledger.csv?from=&to=: the ledger entries made on those local days. */
void h_merchant_ledger_csv(struct req *r)
{
	export_stream(r, "ledger",
	              "id,created_at,created_date,rma,order_number,sku,kind,currency,gross,"
	              "restocking_fee,bonus,withheld,amount\r\n",
	              store_export_ledger_page, ledger_row);
}

/* ---- analytics ---- */

#define ANALYTICS_DAYS_MAX 366

static void analytics(struct req *r, const struct merchant *m)
{
	struct export_range range;
	int64_t from_day, to_day;
	if (!read_day_range(r, m, ANALYTICS_DAYS_MAX, &range, &from_day, &to_day))
		return;
	json_t *j;
	enum kaeru_err e = store_analytics_read(r->db, m->id, from_day, to_day, &range, &j);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_object_set_new(j, "currency", json_string(m->currency));
	json_object_set_new(j, "timezone", json_string(m->timezone));
	respond_json(r, 200, j);
}

/* GET /api/v1/merchant/analytics?from=&to= (merchant session) */
void h_merchant_analytics(struct req *r)
{
	struct merchant m;
	enum kaeru_err e = store_merchant_by_id(r->db, r->who.user.merchant_id, &m);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	analytics(r, &m);
}

/* GET /api/v1/merchants/{merchant}/analytics?from=&to= (merchant key) */
void h_shop_analytics(struct req *r)
{
	analytics(r, &r->who.merchant);
}

/* ---- the webhook, from the console ---- */

/* The merchant-key webhook handlers (fcgi/h_events.c) answer for r->who.merchant and read a
 * delivery's id from the path's second segment: a session's twin puts its own merchant and the
 * id there and runs the same code. */
static bool console_as_merchant(struct req *r)
{
	enum kaeru_err e = store_merchant_by_id(r->db, r->who.user.merchant_id, &r->who.merchant);
	if (e != KAERU_OK)
		respond_error(r, e);
	return e == KAERU_OK;
}

/* GET /api/v1/merchant/webhook */
void h_console_webhook_get(struct req *r)
{
	if (console_as_merchant(r))
		h_webhook_get(r);
}

/* PUT /api/v1/merchant/webhook {"url","events"?,"rotate_secret"?} */
void h_console_webhook_put(struct req *r)
{
	if (console_as_merchant(r))
		h_webhook_put(r);
}

/* DELETE /api/v1/merchant/webhook */
void h_console_webhook_delete(struct req *r)
{
	if (console_as_merchant(r))
		h_webhook_delete(r);
}

/* GET /api/v1/merchant/webhook/deliveries?limit= */
void h_console_webhook_deliveries(struct req *r)
{
	if (console_as_merchant(r))
		h_webhook_deliveries(r);
}

/* POST /api/v1/merchant/webhook/deliveries/{id}/retry */
void h_console_webhook_retry(struct req *r)
{
	if (!console_as_merchant(r))
		return;
	r->params[1] = r->params[0];
	r->params[0] = r->who.merchant.slug;
	h_webhook_retry(r);
}
