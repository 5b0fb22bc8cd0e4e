/* The customer's side: the portal's merchant, order lookup, starting a return. */
#include "core/resolve.h"
#include "core/rma.h"
#include "db/events.h"
#include "fcgi/auth.h"
#include "validate/bodies.h"
#include "fcgi/handlers.h"
#include "fcgi/idempotency.h"
#include "fcgi/render.h"
#include "fcgi/throttle.h"
#include "validate/check.h"
#include "util/timefmt.h"
#include "util/tz.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define LOOKUP_WINDOW_S     600
#define LOOKUP_FAILURES_MAX 10
/* Failed lookups per client address: fcgi/throttle.h. */
static struct guard lookup_guard = GUARD_INIT(LOOKUP_WINDOW_S, LOOKUP_FAILURES_MAX);
/* What a lookup's answer is written into first (fcgi/render.h's jtext grows it beyond). */
#define LOOKUP_ANSWER_ROOM 8192
/* Store credit is quoted for up to this many units of a line (the portal's quantity steps). */
#define STORE_CREDIT_QUOTES_MAX 100

/* GET /api/v1/portal/{merchant}: what the returns page shows before a lookup. */
void h_portal_get(struct req *r)
{
	struct merchant m;
	enum kaeru_err e = segment_plausible(r->params[0], 64)
	                       ? store_merchant_by_slug(r->db, r->params[0], &m)
	                       : KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	struct jtext t = {0};
	jt_lit(&t, "{\"merchant\":");
	jt_merchant_brief(&t, &m);
	jt_lit(&t, ",\"policy\":");
	jt_merchant_policy(&t, &m);
	jt_lit(&t, "}");
	respond(r, 200, "application/json", NULL, t.p, t.len);
	free(t.p);
}

/* The merchant's local day numbers of now and of o's delivery (now's when not delivered): what
 * the return window counts, in the merchant's calendar. */
static void order_days(const struct merchant *m, const struct order *o, int64_t now, int64_t *today,
                       int64_t *delivered_day)
{
	int64_t t[2] = {now, o->has_delivered ? o->delivered_at : now}, day[2];
	tz_local_days(m->timezone, 2, t, day);
	*today = day[0];
	*delivered_day = day[1];
}

/* Each line's eligibility and returnable units, as core decides them. */
struct line_verdict {
	enum ineligible why;
	int64_t returnable;
};
static void lookup_verdicts(const struct merchant *m, const struct order *o, int64_t today,
                            int64_t delivered_day, struct line_verdict *out)
{
	for (size_t i = 0; i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		struct line_state st = {l->quantity, l->returned, l->final_sale, o->has_delivered,
		                        delivered_day};
		out[i].why = line_eligibility(&st, &m->policy, today, &out[i].returnable);
	}
}

/* The lookup's answer is written as text (fcgi/render.h's jt_*), as json_dumps(…, JSON_COMPACT)
 * would write the same objects, the same members in the same order: building it of jansson
 * objects took a quarter of kaeru-fcgi's time a lookup, most of it in malloc and free. */
/* A line's returns that count, as [{rma, status, tracking_url}]: where a line already in a
 * return leads. */
static void write_line_returns(struct jtext *t, struct req *r, const struct order_line *l,
                               const struct line_return *held, size_t n_held)
{
	const char *base = r->cfg->public_url ? r->cfg->public_url : "";
	const char *sep = "[";
	for (size_t k = 0; k < n_held; k++) {
		if (held[k].order_line_id != l->id)
			continue;
		jt_lit(t, sep);
		jt_lit_str(t, "{\"rma\":", held[k].rma);
		jt_lit_str(t, ",\"status\":", held[k].status);
		jt_lit_str(t, ",\"tracking_url\":",
		           arena_printf(r->arena, "%s/r/%s?k=%s", base, held[k].rma,
		                        held[k].tracking_key));
		jt_lit(t, "}");
		sep = ",";
	}
	jt_lit(t, *sep == '[' ? "[]" : "]");
}

/* The variants a line can be exchanged for: with stock only (exchange_options: {sku, variant})
 * or all of them (exchange_variants: {sku, variant, in_stock}, so the customer sees what
 * exists); none when the line cannot be returned. */
static void write_line_variants(struct jtext *t, const struct order_line *l, bool eligible,
                                bool all, const struct exchange_option *opts, size_t nopts)
{
	const char *sep = "[";
	for (size_t k = 0; eligible && k < nopts; k++) {
		if (strcmp(opts[k].product_id, l->product_id) != 0 ||
		    strcmp(opts[k].sku, l->sku) == 0 || (!all && !opts[k].in_stock))
			continue;
		jt_lit(t, sep);
		jt_lit_str(t, "{\"sku\":", opts[k].sku);
		jt_lit_str(t, ",\"variant\":", opts[k].variant);
		if (all)
			jt_lit_bool(t, ",\"in_stock\":", opts[k].in_stock);
		jt_lit(t, "}");
		sep = ",";
	}
	jt_lit(t, *sep == '[' ? "[]" : "]");
}

static void write_lookup_lines(struct jtext *t, struct req *r, const struct merchant *m,
                               const struct order *o, const struct line_verdict *verdicts,
                               const char *until, const struct lookup *lk)
{
	jt_lit(t, "[");
	for (size_t i = 0; i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		enum ineligible why = verdicts[i].why;
		int64_t returnable = verdicts[i].returnable;
		jt_lit_str(t, i ? ",{\"line_id\":" : "{\"line_id\":", l->line_id);
		jt_lit_str(t, ",\"sku\":", l->sku);
		jt_lit_str(t, ",\"product_id\":", l->product_id);
		jt_lit_str(t, ",\"name\":", l->name);
		jt_lit_str(t, ",\"variant\":", l->variant);
		jt_lit_int(t, ",\"quantity\":", l->quantity);
		jt_lit_int(t, ",\"returnable_quantity\":", returnable);
		jt_lit_int(t, ",\"unit_price\":", l->unit_price);
		jt_lit_bool(t, ",\"final_sale\":", l->final_sale);
		jt_lit_bool(t, ",\"eligible\":", why == INELIGIBLE_NONE);
		jt_lit_str(t, ",\"ineligible_reason\":", ineligible_names[why]);
		jt_lit(t, ",\"exchange_options\":");
		write_line_variants(t, l, why == INELIGIBLE_NONE, false, lk->options,
		                    lk->n_options);
		/* What store credit pays for 1, 2, ... of the returnable units, as core settles
		 * it. */
		jt_lit(t, ",\"store_credit_amounts\":[");
		for (int64_t q = 1; q <= returnable && q <= STORE_CREDIT_QUOTES_MAX; q++) {
			jt_lit_int(t, q > 1 ? "," : "",
			           resolve_store_credit(&m->policy, l->unit_price, q));
		}
		jt_lit(t, "],\"returns\":");
		write_line_returns(t, r, l, lk->returns, lk->n_returns);
		jt_lit(t, ",\"exchange_variants\":");
		write_line_variants(t, l, why == INELIGIBLE_NONE, true, lk->options, lk->n_options);
		if (why == INELIGIBLE_NONE)
			jt_lit_str(t, ",\"returnable_until\":", until);
		jt_lit(t, "}");
	}
	jt_lit(t, "]");
}

/* The answer of a lookup that found the order (read whole with it: its lines, the returns
 * holding them, the variants of their products): a token, the merchant, the order with its
 * lines, the policy. */
static void respond_lookup_found(struct req *r, const struct lookup *lk)
{
	const struct merchant *m = &lk->merchant;
	const struct order *o = &lk->order;
	int64_t today, delivered_day;
	order_days(m, o, r->now, &today, &delivered_day);
	char until[DATE_LEN];
	date_format(returnable_until(delivered_day, &m->policy), until);
	struct line_verdict *verdicts =
	    arena_zalloc(r->arena, sizeof(*verdicts) * (o->n_lines + 1));
	lookup_verdicts(m, o, today, delivered_day, verdicts);
	/* room for a few lines' answer (a 3-line order's is ~4 KB), not grown from nothing */
	struct jtext t = {.p = xmalloc(LOOKUP_ANSWER_ROOM), .cap = LOOKUP_ANSWER_ROOM};
	jt_lit_str(&t, "{\"token\":", order_token_new(r, o->id));
	jt_lit(&t, ",\"merchant\":");
	jt_merchant_brief(&t, m);
	jt_lit_str(&t, ",\"order\":{\"order_number\":", o->order_number);
	jt_lit_str(&t, ",\"currency\":", o->currency);
	jt_lit(&t, ",\"delivered_at\":");
	char delivered[RFC3339_LEN];
	if (o->has_delivered)
		rfc3339_format(o->delivered_at, delivered);
	jt_str(&t, o->has_delivered ? delivered : NULL);
	jt_lit(&t, ",\"lines\":");
	write_lookup_lines(&t, r, m, o, verdicts, until, lk);
	jt_lit(&t, "},\"policy\":");
	jt_merchant_policy(&t, m);
	jt_lit(&t, "}");
	respond(r, 200, "application/json", NULL, t.p, t.len);
	free(t.p);
}

/* A problem about the return link the body gave, naming the field "link". */
static void respond_link_problem(struct req *r, int status, const char *title, const char *why)
{
	respond_problem(
	    r, status, title,
	    arena_printf(r->arena, "%s Find the order with its number and e-mail address instead.",
	                 why),
	    json_pack("[{s:s, s:s}]", "field", "link", "message", why));
}

/* 429 with Retry-After: too many failed lookups from this address. */
static void respond_lookup_throttled(struct req *r, int64_t retry_after)
{
	char headers[64];
	snprintf(headers, sizeof(headers), "Retry-After: %lld\r\n", (long long)retry_after);
	respond_problem_with(r, 429, "Too many attempts",
	                     "Too many failed lookups from this address; try again later.", NULL,
	                     headers);
}

/* POST /api/v1/lookup {merchant, order_number, email} or {merchant, link} → an order token and
 * the order. A link (a shop's return link, GET …/return-link) stands for number and e-mail; it
 * counts against the same throttle.
 *
 * The throttle comes first: a throttled client learns nothing, not even its input's faults.
 * kaeru-fcgi lets an attempt be decided only while this address's failures and the attempts
 * being decided cannot pass the limit, so parallel guesses cannot overshoot (fcgi/throttle.h);
 * the failures the database counts (other hosts', earlier processes') come with the lookup.
 * Statements: one (the failures, merchant, order, lines, their returns and their products'
 * variants: store_lookup), two for an unknown merchant; a failed lookup writes its failure,
 * nothing else writes. An expired link and invalid input are not guesses. */
void h_lookup(struct req *r)
{
	struct checker c;
	check_init(&c, r->arena);
	struct lookup_in in;
	bool valid = check_lookup(&c, r->json, &in);
	const char *slug = in.merchant, *number = in.order_number, *email = in.email,
	           *link = in.link;
	int64_t link_merchant = 0, link_order = 0;
	enum link_check lc = LINK_FORGED;
	if (valid && link)
		lc = return_link_token_check(r, link, &link_merchant, &link_order);
	int64_t retry_after = 1;
	if (guard_enter(&lookup_guard, r->remote_addr, &retry_after) != THROTTLE_GO) {
		json_decref(c.errors);
		respond_lookup_throttled(r, retry_after);
		return;
	}
	struct lookup lk = {0};
	enum kaeru_err e =
	    link ? store_lookup_by_id(r->db, r->remote_addr, LOOKUP_WINDOW_S,
	                              valid && lc == LINK_OK ? slug : NULL, link_order, &lk)
	         : store_lookup(r->db, r->remote_addr, LOOKUP_WINDOW_S, valid ? slug : NULL,
	                        valid ? number : NULL, &lk);
	if (e == KAERU_OK && guard_merge(&lookup_guard, r->remote_addr, lk.failures,
	                                 lk.failures_age, &retry_after) != THROTTLE_GO) {
		json_decref(c.errors); /* its place is given up */
		respond_lookup_throttled(r, retry_after);
		return;
	}
	bool found = valid && lk.has_order &&
	             (link ? lc == LINK_OK && lk.merchant.id == link_merchant
	                   : email_same(r->arena, email, lk.order.email));
	/* A guess: valid input that found nothing, but for a genuine link that expired. */
	bool guess = e == KAERU_OK && valid && !found && !(link && lc == LINK_EXPIRED);
	int64_t failures = 0;
	if (guess)
		e = store_lookup_failed(r->db, r->remote_addr, LOOKUP_WINDOW_S, &failures);
	guard_leave(&lookup_guard, r->remote_addr, guess, failures);
	if (e != KAERU_OK) {
		json_decref(c.errors);
		respond_error(r, e);
		return;
	}
	if (!valid) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	if (link && lc == LINK_EXPIRED) {
		respond_link_problem(r, 410, "Return link expired",
		                     "This return link has expired.");
		return;
	}
	if (link && !found) {
		respond_link_problem(r, 404, "Return link not valid",
		                     "This return link is not valid for this shop.");
		return;
	}
	if (!found) {
		respond_problem(r, 404, "Order not found",
		                "No order matches this order number and e-mail address.", NULL);
		return;
	}
	respond_lookup_found(r, &lk);
}

/* GET /api/v1/merchants/{merchant}/orders/{order_number}/return-link (merchant key) →
 * {url, expires_at}: the portal opened on this order, for the shop's order page and delivery
 * e-mail. The token rides in the URL's fragment, which browsers do not send to servers or in
 * Referer headers. */
void h_return_link(struct req *r)
{
	const struct merchant *m = &r->who.merchant; /* the route takes the merchant's key */
	int64_t order_id;
	const char *number = r->params[1];
	enum kaeru_err e = segment_plausible(number, 64)
	                       ? store_order_id_by_number(r->db, m->id, number, &order_id)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 404, "Order not found",
		                "This merchant has no order with this number.", NULL);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	int64_t expires = r->now + RETURN_LINK_TTL;
	char at[RFC3339_LEN];
	rfc3339_format(expires, at);
	const char *base = r->cfg->public_url ? r->cfg->public_url : "";
	char *url = arena_printf(r->arena, "%s/returns/%s/#link=%s", base, m->slug,
	                         return_link_token_new(r, m->id, order_id, expires));
	respond_json(r, 200, json_pack("{s:s, s:s}", "url", url, "expires_at", at));
}

struct return_create {
	int64_t order_id;
	struct life_request *items;
	const char **comments; /* each item's, or NULL */
	size_t n_items;
	struct idempotent idem; /* its key lives on the return: only key, hash, replay, reused */
	const char *language;   /* the portal's: "ja", "en", or NULL */
	struct checker *check;  /* item errors found against the order */
	int64_t now;
	/* out */
	char rma[RMA_LEN + 1];
	struct merchant merchant;
	struct plan plan;
	struct ret made; /* the return as this request wrote it (not on a replay): its answer */
	bool has_made;
};

/* Puts core's refusal of item i (or its stock shortage) into the checker, naming the field. */
static void refuse_item(struct return_create *rc, size_t i, bool out_of_stock)
{
	struct checker *c = rc->check;
	const struct item_plan *ip = &rc->plan.items[i];
	check_enter(c, "items[%zu].", i);
	switch (out_of_stock ? REFUSAL__MAX : ip->refusal) {
	case REFUSAL_NONE:
		break;
	case REFUSAL_NO_LINE:
		check_fail(c, "line_id", "is not a line of this order");
		break;
	case REFUSAL_LINE_TWICE:
		check_fail(c, "line_id", "appears twice; give one quantity per line");
		break;
	case REFUSAL_INELIGIBLE:
		check_fail(c, "line_id",
		           arena_printf(c->arena, "cannot be returned: %s",
		                        ineligible_names[ip->ineligible]));
		break;
	case REFUSAL_QUANTITY:
		check_fail(c, "quantity",
		           arena_printf(c->arena, "at most %lld can be returned",
		                        (long long)ip->returnable));
		break;
	case REFUSAL_SAME_VARIANT:
		check_fail(c, "exchange_sku", "must be another variant than the one returned");
		break;
	case REFUSAL_REASON:
		check_fail(c, "reason", "is not a reason this shop offers");
		break;
	case REFUSAL__MAX: /* out of stock */
		check_fail(c, "exchange_sku", "is not an in-stock variant of the same product");
		break;
	default:
		check_fail(c, "line_id", "cannot be returned");
		break;
	}
	c->prefix = "";
}

/* A new return in one transaction: the order locked with its lines, core's plan of the return,
 * the return and its items (what each line sold) inserted, the plan run (reservations, event). */
static enum kaeru_err return_create_tx(struct db *db, void *arg)
{
	struct return_create *rc = arg;
	struct order o;
	json_array_clear(rc->check->errors); /* fresh on every attempt */
	rc->has_made = false;
	enum kaeru_err e = store_order_by_id(db, rc->order_id, true, &o);
	if (e == KAERU_OK)
		e = store_merchant_by_id(db, o.merchant_id, &rc->merchant);
	if (e != KAERU_OK)
		return e;
	if (rc->idem.key) {
		char seen_hash[HASH_HEX_LEN + 1];
		e = store_return_by_idempotency(db, o.id, rc->idem.key, rc->rma, seen_hash);
		if (e == KAERU_OK) {
			rc->idem.replay = strcmp(seen_hash, rc->idem.request_hash) == 0;
			rc->idem.reused = !rc->idem.replay;
			return rc->idem.replay ? KAERU_OK : KAERU_ECONFLICT;
		}
		if (e != KAERU_ENOTFOUND)
			return e;
	}
	int64_t today, delivered_day;
	order_days(&rc->merchant, &o, rc->now, &today, &delivered_day);
	struct life_line *lines = arena_zalloc(db->arena, sizeof(*lines) * (o.n_lines + 1));
	for (size_t k = 0; k < o.n_lines; k++) {
		const struct order_line *l = &o.lines[k];
		lines[k] = (struct life_line){
		    l->line_id,
		    l->sku,
		    {l->quantity, l->returned, l->final_sale, o.has_delivered, delivered_day}};
	}
	struct plan *p = &rc->plan;
	e = plan_create(&rc->merchant.policy, lines, o.n_lines, rc->items, rc->n_items, rc->now,
	                today, p);
	if (e != KAERU_OK) {
		for (size_t i = 0; i < p->n_items; i++)
			refuse_item(rc, i, false);
		return e;
	}
	struct ret ret = {.merchant_id = o.merchant_id,
	                  .order_id = o.id,
	                  .warehouse_id = rc->merchant.warehouse_id,
	                  .status = p->to,
	                  .order_number = o.order_number,
	                  .currency = o.currency,
	                  .shipping_address_json = o.shipping_address_json,
	                  .n_items = rc->n_items};
	ret.items = arena_zalloc(db->arena, sizeof(*ret.items) * rc->n_items);
	for (size_t i = 0; i < rc->n_items; i++) {
		const struct life_request *in = &rc->items[i];
		const struct order_line *l = &o.lines[p->items[i].line];
		ret.items[i] = (struct return_item){
		    .order_line_id = l->id,
		    .line_id = l->line_id,
		    .sku = l->sku,
		    .product_id = l->product_id,
		    .name = l->name,
		    .variant = l->variant,
		    .category = l->category,
		    .unit_price = l->unit_price,
		    .quantity = in->quantity,
		    .reason = in->reason,
		    .comment = rc->comments[i],
		    .resolution = in->resolution,
		    .exchange_sku = p->items[i].reserve > 0 ? in->exchange_sku : NULL,
		    .reserved_quantity = p->items[i].reserve,
		};
	}
	char key[TRACKING_KEY_LEN + 1];
	tracking_key_new(key);
	ret.tracking_key = key;
	for (int attempt = 0;; attempt++) { /* a clash of 50-bit codes is rare; try anew */
		uint8_t rnd[RMA_RANDOM_BYTES];
		randombytes_buf(rnd, sizeof(rnd));
		rma_from_random(rnd, ret.rma);
		e = store_return_insert(db, &ret, rc->idem.key, rc->idem.request_hash, rc->language,
		                        p->expires_at);
		if (e != KAERU_ECONFLICT || attempt == 3)
			break;
	}
	if (e != KAERU_OK)
		return e;
	e = store_plan_run(db, &ret, p, NULL, rc->now);
	if (e == KAERU_ECONFLICT) { /* stock could not cover an exchange */
		for (size_t i = 0; i < rc->n_items; i++)
			if (p->items[i].reserve > 0 && ret.items[i].reserved_quantity == 0)
				refuse_item(rc, i, true);
		return KAERU_EINVALID;
	}
	if (e == KAERU_OK) /* the money rules it settles under, whatever the policy becomes */
		e = store_return_policy_keep(db, ret.id, &rc->merchant.policy);
	if (e == KAERU_OK)
		memcpy(rc->rma, ret.rma, sizeof(rc->rma));
	if (e == KAERU_OK) { /* answered from what was written: store_plan_run kept it whole */
		rc->made = ret;
		rc->has_made = true;
	}
	return e;
}

/* POST /api/v1/returns (order token) → a return with its RMA code and label. */
void h_return_create(struct req *r)
{
	int64_t order_id = r->who.order_id;
	struct checker c;
	check_init(&c, r->arena);
	struct return_create rc = {.order_id = order_id, .now = r->now, .check = &c};
	check_return_items(&c, r->json, &rc.items, &rc.comments, &rc.n_items);
	int language = check_enum(&c, r->json, "language", OPTIONAL, languages, LANGUAGE__MAX);
	rc.language = language >= 0 ? languages[language] : NULL;
	rc.idem.key = idempotency_key_read(r, &c);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	if (rc.idem.key) /* the body alone: the key is the order's, on one route */
		idempotency_request_hash("", r->json, rc.idem.request_hash);

	/* Run again on a conflict under the key: another request with it committed first. */
	enum kaeru_err e = idempotent_run(r->db, return_create_tx, &rc, &rc.idem);
	if (e == KAERU_EINVALID) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	if (rc.idem.reused) {
		respond_idempotency_reused(r);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	struct ret ret = rc.made; /* a replay answers the return as it is now */
	if (!rc.has_made && (e = store_return_whole(r->db, rc.rma, &ret, NULL, NULL)) != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, rc.idem.replay ? 200 : 201,
	             render_return(r, &ret, &rc.merchant, VIEW_CUSTOMER));
}
