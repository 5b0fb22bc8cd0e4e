/* Listings the merchant fixes after publishing — edit (price, title, public note, photo order),
 * withdraw, restore — in the console (merchant session), and the shop system's holds on a
 * listing in a shopper's cart (merchant key). Every change is one transaction with its event,
 * naming who made it, and moves the shop's version when the shop shows the listing. */
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "fcgi/idempotency.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "validate/check.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PRICE_MAX        1000000000000LL /* as order lines */
#define TITLE_MAX        255
#define NOTE_MAX         1000
#define PHOTOS_MAX       20
#define HOLD_MINUTES_MAX 60

/* The listing the path names, of the session's merchant; answers 404 itself. */
static bool merchant_listing(struct req *r, struct user *u, int64_t *id)
{
	*u = r->who.user;
	*id = segment_id(r->params[0]);
	if (*id == 0) {
		respond_error(r, KAERU_ENOTFOUND);
		return false;
	}
	return true;
}

/* Answers with the listing as it is now. */
static void respond_listing(struct req *r, int64_t merchant_id, int64_t id)
{
	struct listing l;
	enum kaeru_err e = store_listing_get(r->db, merchant_id, id, false, &l);
	if (e != KAERU_OK)
		respond_error(r, e);
	else
		respond_json(r, 200, render_listing(&l));
}

static void refuse_status(struct req *r, int64_t merchant_id, int64_t id, const char *wants)
{
	struct listing l;
	enum kaeru_err e = store_listing_get(r->db, merchant_id, id, false, &l);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_problem_ext(r, 409, "Not possible in this status",
	                    arena_printf(r->arena, "The listing is %s; this needs it %s.",
	                                 listing_status_names[l.status], wants),
	                    json_pack("{s:s}", "listing_status", listing_status_names[l.status]));
}

struct edit {
	int64_t merchant_id, id;
	struct listing_edit ed;
	bool confirm_low_price;
	const char *by;
	/* out */
	struct listing before;
	int low_percent; /* core's threshold under the merchant's policy */
	bool too_low;
	bool bad_photo_order;
};

/* Whether order holds exactly the ids (each once). */
static bool same_ids(const int64_t *order, size_t n, const int64_t *ids, size_t m)
{
	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t hits = 0;
		for (size_t k = 0; k < n; k++)
			hits += order[k] == ids[i];
		if (hits != 1)
			return false;
	}
	return true;
}

static enum kaeru_err edit_tx(struct db *db, void *arg)
{
	struct edit *x = arg;
	enum kaeru_err e = store_listing_get(db, x->merchant_id, x->id, true, &x->before);
	if (e != KAERU_OK)
		return e;
	/* The low-price rule (core's), against the original price as stored. */
	struct merchant m;
	if ((e = store_merchant_by_id(db, x->merchant_id, &m)) != KAERU_OK)
		return e;
	x->low_percent = resale_low_percent(&m.policy);
	x->too_low = x->ed.has_price && !x->confirm_low_price &&
	             resale_price_low(&m.policy, x->before.original_price, x->ed.price);
	if (x->too_low)
		return KAERU_EINVALID;
	if (x->ed.n_photo_order) {
		int64_t *ids;
		size_t n;
		if ((e = store_listing_photo_ids(db, x->merchant_id, x->id, &ids, &n)) != KAERU_OK)
			return e;
		x->bad_photo_order = !same_ids(x->ed.photo_order, x->ed.n_photo_order, ids, n);
		if (x->bad_photo_order)
			return KAERU_EINVALID;
	}
	return store_listing_edit(db, x->merchant_id, x->id, &x->ed, x->by);
}

/* PATCH /api/v1/merchant/listings/{id} {price?, title?, public_note?, photo_order?,
 * confirm_low_price?} */
void h_listing_patch(struct req *r)
{
	struct user u;
	int64_t id;
	if (!merchant_listing(r, &u, &id))
		return;
	struct checker c;
	check_init(&c, r->arena);
	struct edit x = {.merchant_id = u.merchant_id, .id = id, .by = u.email};
	json_t *price = json_object_get(r->json, "price");
	x.ed.has_price = price && !json_is_null(price);
	x.ed.price = check_int(&c, r->json, "price", OPTIONAL, 1, PRICE_MAX, 0);
	x.ed.title = check_string(&c, r->json, "title", OPTIONAL, 1, TITLE_MAX, NULL);
	if (x.ed.title)
		x.ed.title = trim_copy(r->arena, x.ed.title);
	if (x.ed.title && !*x.ed.title)
		check_fail(&c, "title", "must not be blank");
	x.ed.public_note = check_string(&c, r->json, "public_note", OPTIONAL, 0, NOTE_MAX, NULL);
	x.confirm_low_price = check_bool(&c, r->json, "confirm_low_price", OPTIONAL, false);
	json_t *order = json_object_get(r->json, "photo_order")
	                    ? check_array(&c, r->json, "photo_order", 1, PHOTOS_MAX)
	                    : NULL;
	if (order) {
		int64_t *ids = arena_alloc(r->arena, sizeof(*ids) * json_array_size(order));
		size_t i;
		json_t *v;
		json_array_foreach(order, i, v)
		{
			if (!json_is_integer(v) || json_integer_value(v) <= 0) {
				check_fail(&c, "photo_order", "must list photo ids");
				break;
			}
			ids[i] = json_integer_value(v);
		}
		x.ed.photo_order = ids;
		x.ed.n_photo_order = json_array_size(order);
	}
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	enum kaeru_err e = db_tx_run(r->db, edit_tx, &x);
	if (e == KAERU_EINVALID) {
		check_init(&c, r->arena);
		if (x.too_low)
			check_fail(&c, "price",
			           arena_printf(r->arena,
			                        "is below %d%% of the original price (%lld); send "
			                        "\"confirm_low_price\": true if it is meant",
			                        x.low_percent, (long long)x.before.original_price));
		else
			check_fail(&c, "photo_order",
			           "must list each of the listing's photo ids once");
		respond_invalid(r, c.errors);
		return;
	}
	if (e == KAERU_ECONFLICT) {
		refuse_status(r, u.merchant_id, id, "pending_review or published");
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_listing(r, u.merchant_id, id);
}

struct status_change {
	int64_t merchant_id, id;
	const char *by;
	enum kaeru_err (*change)(struct db *, int64_t, int64_t, const char *);
};

static enum kaeru_err status_tx(struct db *db, void *arg)
{
	const struct status_change *s = arg;
	return s->change(db, s->merchant_id, s->id, s->by);
}

static void change_status(struct req *r,
                          enum kaeru_err (*change)(struct db *, int64_t, int64_t, const char *),
                          const char *wants)
{
	struct user u;
	int64_t id;
	if (!merchant_listing(r, &u, &id))
		return;
	struct status_change s = {u.merchant_id, id, u.email, change};
	enum kaeru_err e = db_tx_run(r->db, status_tx, &s);
	if (e == KAERU_ECONFLICT) {
		refuse_status(r, u.merchant_id, id, wants);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_listing(r, u.merchant_id, id);
}

/* POST /api/v1/merchant/listings/{id}/withdraw: out of the shop at once, back to review. */
void h_listing_withdraw(struct req *r)
{
	change_status(r, store_listing_withdraw, "published");
}

/* POST /api/v1/merchant/listings/{id}/restore: a rejected listing back to review. */
void h_listing_restore(struct req *r)
{
	change_status(r, store_listing_restore, "rejected");
}

/* ---- holds (merchant key) ---- */

struct hold {
	int64_t merchant_id, id;
	char hold_id[33];
	int minutes;
	struct idempotent idem;
};

/* The hold and its answer {hold_id, held_until}, kept under the request's Idempotency-Key. */
static enum kaeru_err hold_tx(struct db *db, void *arg)
{
	struct hold *h = arg;
	enum kaeru_err e = idempotent_seen(db, &h->idem);
	if (e != KAERU_OK || h->idem.replay)
		return e;
	struct listing l;
	if ((e = store_listing_hold(db, h->merchant_id, h->id, h->hold_id, h->minutes)) !=
	        KAERU_OK ||
	    (e = store_listing_get(db, h->merchant_id, h->id, false, &l)) != KAERU_OK)
		return e;
	return idempotent_keep(
	    db, &h->idem, 200,
	    json_pack("{s:s, s:s?}", "hold_id", h->hold_id, "held_until", l.held_until));
}

/* POST /api/v1/merchants/{merchant}/listings/{id}/hold {minutes}: 200 {hold_id, held_until};
 * 409 when held by another hold, sold or not published. Of racing holds one gets 200; a retry
 * under its Idempotency-Key gets its answer again, the same hold_id. */
void h_listing_hold(struct req *r)
{
	struct merchant m = r->who.merchant;
	int64_t id = segment_id(r->params[1]);
	struct checker c;
	check_init(&c, r->arena);
	struct hold h = {.merchant_id = m.id, .id = id};
	h.minutes = (int)check_int(&c, r->json, "minutes", OPTIONAL, 1, HOLD_MINUTES_MAX, 15);
	idempotent_begin(r, &c, m.id, &h.idem);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	struct listing l;
	enum kaeru_err e = id ? store_listing_get(r->db, m.id, id, false, &l) : KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	unsigned char raw[16];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(h.hold_id, sizeof(h.hold_id), raw, sizeof(raw));
	e = idempotent_run(r->db, hold_tx, &h, &h.idem);
	if (idempotent_respond(r, &h.idem, e))
		return;
	if (e == KAERU_ECONFLICT) {
		enum kaeru_err got = store_listing_get(r->db, m.id, id, false, &l);
		if (got != KAERU_OK)
			e = got;
	}
	if (e == KAERU_ECONFLICT) {
		bool held = l.status == LISTING_PUBLISHED;
		respond_problem_ext(r, 409, held ? "Held by another cart" : "Listing not for sale",
		                    held ? "Another hold has the listing until it ends."
		                         : arena_printf(r->arena, "The listing is %s.",
		                                        listing_status_names[l.status]),
		                    json_pack("{s:s, s:s?}", "listing_status",
		                              listing_status_names[l.status], "held_until",
		                              l.held_until));
		return;
	}
	/* Never KAERU_OK here: a hold keeps its answer, which idempotent_respond gave. */
	respond_error(r, e);
}

struct release {
	int64_t merchant_id, id;
	const char *hold_id;
	bool released;
};

static enum kaeru_err release_tx(struct db *db, void *arg)
{
	struct release *x = arg;
	return store_listing_release(db, x->merchant_id, x->id, x->hold_id, &x->released);
}

/* DELETE /api/v1/merchants/{merchant}/listings/{id}/hold[?hold_id=]: 204, held or not. */
void h_listing_release(struct req *r)
{
	struct merchant m = r->who.merchant;
	int64_t id = segment_id(r->params[1]);
	struct listing l;
	enum kaeru_err e = id ? store_listing_get(r->db, m.id, id, false, &l) : KAERU_ENOTFOUND;
	const char *hold_id = req_query(r, "hold_id");
	struct release x = {m.id, id, hold_id && *hold_id ? hold_id : NULL, false};
	if (e == KAERU_OK)
		e = db_tx_run(r->db, release_tx, &x);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond(r, 204, "application/json", NULL, "", 0);
}
