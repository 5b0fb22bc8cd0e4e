/* The shop system learns what happened (merchant key): the events feed, the webhook that pushes
 * the same events, and its deliveries. */
#include "db/events.h"
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "validate/check.h"
#include "util/url.h"

#include <sodium.h>
#include <string.h>

#define FEED_LIMIT_MAX     500
#define FEED_LIMIT_DEFAULT 100
#define URL_MAX            2048
#define PATTERNS_MAX       32
#define DELIVERIES_MAX     200

/* A cursor is the seq of the last event seen, in decimal; NULL or "" is the start. */
static bool cursor_parse(const char *s, int64_t *seq)
{
	*seq = 0;
	if (!s || !*s)
		return true;
	size_t len = strlen(s);
	if (len > 18 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*seq = *seq * 10 + (s[i] - '0');
	}
	return true;
}

/* GET /api/v1/merchants/{merchant}/events?after=&limit= */
void h_events(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct checker c;
	check_init(&c, r->arena);
	int64_t after = 0;
	if (!cursor_parse(req_query(r, "after"), &after))
		check_fail(&c, "after", "must be the next cursor of an earlier page");
	int64_t limit = check_query_int(&c, "limit", req_query(r, "limit"), 1, FEED_LIMIT_MAX,
	                                FEED_LIMIT_DEFAULT);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	struct event_row *evs = NULL;
	size_t n = 0;
	enum kaeru_err e = store_events_page(r->db, m.id, after, limit, &evs, &n);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, event_json(&evs[i]));
	int64_t next = n ? evs[n - 1].seq : after;
	respond_json(r, 200,
	             json_pack("{s:o, s:s}", "events", list, "next",
	                       arena_printf(r->arena, "%lld", (long long)next)));
}

static json_t *webhook_json(const struct webhook *w, const char *secret)
{
	json_t *j = json_pack("{s:s, s:o, s:s}", "url", w->url, "events",
	                      json_loads(w->events_json, 0, NULL), "status",
	                      w->paused_at ? "paused" : "active");
	if (w->paused_at)
		json_object_set_new(j, "paused_at", json_string(w->paused_at));
	if (secret)
		json_object_set_new(j, "secret", json_string(secret));
	return j;
}

/* GET /api/v1/merchants/{merchant}/webhook */
void h_webhook_get(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct webhook w;
	enum kaeru_err e = store_webhook_get(r->db, m.id, &w);
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 404, "No webhook", "This merchant has no webhook.", NULL);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, webhook_json(&w, NULL));
}

/* A pattern is an event type ("listing.sold"), a family ("return.*") or "*". */
static bool pattern_ok(const char *s)
{
	if (strcmp(s, "*") == 0)
		return true;
	size_t len = strlen(s);
	if (len < 3 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' || s[i] == '.' ||
		      (s[i] == '*' && i == len - 1 && s[i - 1] == '.')))
			return false;
	return strchr(s, '.') && s[0] != '.';
}

struct webhook_put {
	int64_t merchant_id;
	const char *url, *events_json, *secret; /* secret NULL: keep it */
	bool rotate;
	char fresh[WEBHOOK_SECRET_HEX + 1];
	struct webhook now;
};

static enum kaeru_err webhook_put_tx(struct db *db, void *arg)
{
	struct webhook_put *wp = arg;
	struct webhook old;
	enum kaeru_err e = store_webhook_get(db, wp->merchant_id, &old);
	if (e != KAERU_OK && e != KAERU_ENOTFOUND)
		return e;
	wp->secret = e == KAERU_ENOTFOUND || wp->rotate ? wp->fresh : NULL;
	if ((e = store_webhook_put(db, wp->merchant_id, wp->url, wp->events_json, wp->secret)) !=
	    KAERU_OK)
		return e;
	return store_webhook_get(db, wp->merchant_id, &wp->now);
}

/* PUT /api/v1/merchants/{merchant}/webhook {"url","events"?,"rotate_secret"?} */
void h_webhook_put(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct checker c;
	check_init(&c, r->arena);
	struct webhook_put wp = {.merchant_id = m.id};
	wp.url = check_string(&c, r->json, "url", REQUIRED, 1, URL_MAX, NULL);
	wp.rotate = check_bool(&c, r->json, "rotate_secret", OPTIONAL, false);
	json_t *events = json_object_get(r->json, "events");
	json_t *patterns = json_array();
	if (events && !json_is_null(events)) {
		events = check_array(&c, r->json, "events", 1, PATTERNS_MAX);
		size_t i;
		json_t *p;
		json_array_foreach(events, i, p)
		{
			if (!json_is_string(p) || !pattern_ok(json_string_value(p)))
				check_fail(
				    &c, arena_printf(r->arena, "events[%zu]", i),
				    "must be an event type, a family like \"return.*\", or \"*\"");
			else
				json_array_append(patterns, p);
		}
	} else {
		json_array_append_new(patterns, json_string("*"));
	}
	struct url_target t;
	if (wp.url && !url_parse(wp.url, &t))
		check_fail(&c, "url", "must be an absolute http:// or https:// URL");
	else if (wp.url) {
		const char *why = url_resolve(&t, r->cfg->webhook_allow_private);
		if (why)
			check_fail(&c, "url", arena_printf(r->arena, "cannot be used: %s", why));
	}
	if (!check_ok(&c)) {
		json_decref(patterns);
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	char *text = json_dumps(patterns, JSON_COMPACT);
	json_decref(patterns);
	wp.events_json = arena_strdup(r->arena, text);
	free(text);
	unsigned char raw[WEBHOOK_SECRET_HEX / 2];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(wp.fresh, sizeof(wp.fresh), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	enum kaeru_err e = db_tx_run(r->db, webhook_put_tx, &wp);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 200, webhook_json(&wp.now, wp.secret));
}

static enum kaeru_err webhook_delete_tx(struct db *db, void *arg)
{
	return store_webhook_delete(db, *(int64_t *)arg);
}

/* DELETE /api/v1/merchants/{merchant}/webhook */
void h_webhook_delete(struct req *r)
{
	struct merchant m = r->who.merchant;
	enum kaeru_err e = db_tx_run(r->db, webhook_delete_tx, &m.id);
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 404, "No webhook", "This merchant has no webhook.", NULL);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond(r, 204, "application/json", "", NULL, 0);
}

/* GET /api/v1/merchants/{merchant}/webhook/deliveries?limit= */
void h_webhook_deliveries(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct checker c;
	check_init(&c, r->arena);
	int64_t limit = check_query_int(&c, "limit", req_query(r, "limit"), 1, DELIVERIES_MAX, 50);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	struct delivery *ds = NULL;
	size_t n = 0;
	enum kaeru_err e = store_deliveries_page(r->db, m.id, limit, &ds, &n);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct delivery *d = &ds[i];
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:o, s:s, s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)d->id,
		              "event_id", json_sprintf("%lld", (long long)d->event_id), "type",
		              d->type, "attempts", (json_int_t)d->attempts, "status", d->status,
		              "last_status_code",
		              d->has_status_code ? json_integer(d->last_status_code) : json_null(),
		              "next_attempt_at",
		              strcmp(d->status, "pending") == 0 && d->next_attempt_at
		                  ? json_string(d->next_attempt_at)
		                  : json_null(),
		              "last_error",
		              d->last_error ? json_string(d->last_error) : json_null()));
	}
	respond_json(r, 200, json_pack("{s:o}", "items", items));
}

struct retry {
	int64_t merchant_id, id;
};

static enum kaeru_err retry_tx(struct db *db, void *arg)
{
	struct retry *rt = arg;
	return store_delivery_retry(db, rt->merchant_id, rt->id);
}

/* POST /api/v1/merchants/{merchant}/webhook/deliveries/{id}/retry */
void h_webhook_retry(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct retry rt = {.merchant_id = m.id, .id = segment_id(r->params[1])};
	enum kaeru_err e = rt.id > 0 ? db_tx_run(r->db, retry_tx, &rt) : KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 202, json_pack("{s:I, s:s}", "id", (json_int_t)rt.id, "status", "pending"));
}
