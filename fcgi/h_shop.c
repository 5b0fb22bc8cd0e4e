/* The public resale shop of a merchant — its listings as JSON and as a CSV product feed for
 * marketplaces — and the storefront's call that marks a listing sold. Shoppers see listings
 * only: never a return, an order or a customer. */
#include "core/policy.h"
#include "db/media.h"
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "fcgi/idempotency.h"
#include "fcgi/render.h"
#include "fcgi/shop.h"
#include "validate/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOP_PAGE 24

/* The shop at r's merchant slug as it is now: its merchant, then the snapshot of the version
 * read with it. False when answered already (404, or an error). */
static bool shop_now(struct req *r, struct merchant *m, struct shop **s)
{
	uint64_t version = 0;
	enum kaeru_err e = segment_plausible(r->params[0], 64)
	                       ? store_shop_merchant(r->db, r->params[0], m, &version)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK)
		e = shop_get(r->db, m->id, version, s);
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 404, "Shop not found", "No merchant has this shop.", NULL);
		return false;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return false;
	}
	return true;
}

static const char *filter(struct req *r, const char *name)
{
	const char *v = req_query(r, name);
	return v && *v ? v : NULL;
}

/* GET /api/v1/shop/{merchant}/listings?grade=&variant=&category=&q=&sort=&page= */
void h_shop_listings(struct req *r)
{
	struct merchant m;
	struct shop *s;
	if (!shop_now(r, &m, &s))
		return;
	struct checker c;
	check_init(&c, r->arena);
	struct shop_query sq = {.variant = filter(r, "variant"),
	                        .category = filter(r, "category"),
	                        .q = filter(r, "q"),
	                        .limit = SHOP_PAGE};
	int grade = check_query_enum(&c, "grade", req_query(r, "grade"), grade_names, GRADE__MAX);
	int sort =
	    check_query_enum(&c, "sort", req_query(r, "sort"), shop_sort_names, SHOP_SORT__MAX);
	int64_t page = check_query_int(&c, "page", req_query(r, "page"), 1, 100000, 1);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		shop_release(s);
		return;
	}
	json_decref(c.errors);
	sq.grade = grade >= 0 ? grade_names[grade] : NULL;
	sq.sort = sort >= 0 ? (enum shop_sort)sort : SHOP_NEWEST;
	sq.offset = (page - 1) * SHOP_PAGE;
	size_t found[SHOP_PAGE], len;
	int64_t total;
	size_t n = shop_find(s, &sq, found, &total);
	/* The snapshot holds each listing's and the facets' JSON text: the answer is copied
	 * together around them, as json_dumps would write the whole. */
	struct jtext b = {0};
	jt_lit(&b, "{\"merchant\":");
	jt_json(&b, render_merchant_brief(&m));
	jt_lit(&b, ",\"items\":[");
	for (size_t i = 0; i < n; i++) {
		const char *item = shop_item_json(s, found[i], &len);
		if (i)
			jt_put(&b, ",", 1);
		jt_put(&b, item, len);
	}
	jt_lit(&b, "],\"facets\":");
	const char *facets = shop_facets_json(s, &len);
	jt_put(&b, facets, len);
	jt_lit(&b,
	       arena_printf(r->arena,
	                    ",\"sold_count\":%lld,\"page\":%lld,\"per_page\":%d,\"total\":%lld}",
	                    (long long)shop_sold(s), (long long)page, SHOP_PAGE, (long long)total));
	respond(r, 200, "application/json", NULL, b.p, b.len);
	free(b.p);
	shop_release(s);
}

/* "49.00 USD", "3670 JPY": major units with the currency's decimals, as feeds want. */
static const char *feed_price(struct arena *a, int64_t amount, const char *currency)
{
	int e = currency_exponent(currency);
	int64_t div = 1;
	for (int i = 0; i < e; i++)
		div *= 10;
	if (e == 0)
		return arena_printf(a, "%lld %s", (long long)amount, currency);
	return arena_printf(a, "%lld.%0*lld %s", (long long)(amount / div), e,
	                    (long long)(amount % div), currency);
}

/* One row of the feed: listing l of merchant m, its texts made in the row's arena. */
static void feed_row(struct req *r, struct arena *a, const struct merchant *m,
                     const struct listing *l, const char *base)
{
	respond_stream_csv(r, arena_printf(a, "%lld", (long long)l->id), false, ",");
	respond_stream_csv(r, l->title, false, ",");
	respond_stream_csv(r, l->condition_note, false, ",");
	respond_stream_csv(r, strcmp(l->grade, "new") == 0 ? "new" : "used", false, ",");
	respond_stream_csv(r, feed_price(a, l->original_price, l->currency), false, ",");
	respond_stream_csv(r, feed_price(a, l->price, l->currency), false, ",");
	respond_stream_csv(
	    r, arena_printf(a, "%s/shop/%s/items/%lld", base, m->slug, (long long)l->id), false,
	    ",");
	respond_stream_csv(r, "in stock", false, ",");
	respond_stream_csv(r, m->name, false, ",");
	respond_stream_csv(r, l->product_id, false, ",");
	respond_stream_csv(r, l->variant, false, ",");
	respond_stream_csv(r, l->category, false, ",");
	respond_stream_csv(r, l->grade, false, ",");
	/* The first photo, and up to 10 more comma-separated (Google's and Meta's limit). */
	char url[128];
	respond_stream_csv(
	    r,
	    l->n_photos
	        ? arena_printf(a, "%s%s", base, render_photo_url(url, sizeof(url), &l->photos[0]))
	        : "",
	    false, ",");
	const char *more = "";
	for (size_t k = 1; k < l->n_photos && k <= 10; k++)
		more = arena_printf(a, "%s%s%s%s", more, k > 1 ? "," : "", base,
		                    render_photo_url(url, sizeof(url), &l->photos[k]));
	respond_stream_csv(r, more, false, "\r\n");
}

/* GET /api/v1/shop/{merchant}/feed.csv: every published listing, one row each, newest first —
 * the snapshot's own order, read off it in place. Streamed (respond_stream): each row's texts
 * are made in one small arena reset after the row, so the answer takes the same memory for a
 * shop of ten listings or of a hundred thousand, and its first byte leaves before its last row
 * is made. */
void h_shop_feed(struct req *r)
{
	struct merchant m;
	struct shop *s;
	if (!shop_now(r, &m, &s))
		return;
	const char *base = r->cfg->public_url ? r->cfg->public_url : "";
	static const char header[] = "id,title,description,condition,price,sale_price,link,"
	                             "availability,brand,item_group_id,size,product_type,grade,"
	                             "image_link,additional_image_link\r\n";
	char *headers = arena_printf(
	    r->arena, "Content-Disposition: inline; filename=\"%s-resale.csv\"\r\n", m.slug);
	if (respond_stream_begin(r, 200, "text/csv; charset=utf-8", headers)) {
		respond_stream(r, header, sizeof(header) - 1);
		struct arena row = {0};
		for (size_t i = 0, n = shop_size(s); i < n; i++) {
			feed_row(r, &row, &m, shop_item(s, i), base);
			arena_reset(&row);
		}
		arena_free(&row);
	}
	shop_release(s);
}

struct sale {
	int64_t merchant_id, id;
	const char *hold_id; /* the shop's hold, when it holds the listing; or NULL */
	struct idempotent idem;
};

/* The sale and the shop's new version, together; its answer, the listing sold, kept under the
 * request's Idempotency-Key. */
static enum kaeru_err sell_tx(struct db *db, void *arg)
{
	struct sale *s = arg;
	enum kaeru_err e = idempotent_seen(db, &s->idem);
	if (e != KAERU_OK || s->idem.replay)
		return e;
	struct listing l;
	if ((e = store_listing_sell(db, s->merchant_id, s->id, s->hold_id)) != KAERU_OK ||
	    (e = store_listing_get(db, s->merchant_id, s->id, false, &l)) != KAERU_OK)
		return e;
	return idempotent_keep(db, &s->idem, 200, render_listing(&l));
}

/* POST /api/v1/merchants/{merchant}/listings/{id}/sold {hold_id?} (merchant key): of racing
 * calls, exactly one changes the row; the rest find it sold and get 409 — but a retry under the
 * first one's Idempotency-Key gets the first one's answer. */
void h_listing_sold(struct req *r)
{
	struct merchant m = r->who.merchant;
	int64_t id = segment_id(r->params[1]);
	if (id == 0) {
		respond_error(r, KAERU_ENOTFOUND);
		return;
	}
	struct checker c;
	check_init(&c, r->arena);
	struct sale sale = {m.id, id, NULL, {0}};
	sale.hold_id = check_string(&c, r->json, "hold_id", OPTIONAL, 1, 64, NULL);
	idempotent_begin(r, &c, m.id, &sale.idem);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	enum kaeru_err e = idempotent_run(r->db, sell_tx, &sale, &sale.idem);
	if (idempotent_respond(r, &sale.idem, e))
		return;
	struct listing l;
	if (e == KAERU_ECONFLICT) {
		enum kaeru_err got = store_listing_get(r->db, m.id, id, false, &l);
		if (got != KAERU_OK)
			e = got;
	}
	if (e == KAERU_ECONFLICT && l.status == LISTING_PUBLISHED && l.held_until) {
		respond_problem_ext(r, 409, "Held by another cart",
		                    "The listing is held by another hold; sell it with that hold's "
		                    "hold_id, or after the hold ends.",
		                    json_pack("{s:s, s:s}", "listing_status", "published",
		                              "held_until", l.held_until));
		return;
	}
	if (e == KAERU_ECONFLICT) {
		respond_problem_ext(
		    r, 409, l.status == LISTING_SOLD ? "Already sold" : "Listing not published",
		    arena_printf(r->arena,
		                 "The listing is %s; only published listings can be sold.",
		                 listing_status_names[l.status]),
		    json_pack("{s:s}", "listing_status", listing_status_names[l.status]));
		return;
	}
	/* Never KAERU_OK here: a sale keeps its answer, which idempotent_respond gave. */
	respond_error(r, e);
}
