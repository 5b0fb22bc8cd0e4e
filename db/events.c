/* The outbox: events, the feed, webhooks and their deliveries (see db/events.h and
 * migrations/009_events.sql for why events are ordered by a per-merchant seq). */
#include "db/events.h"
#include "db/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIME(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

/* A JSON array of events, in the array's order: the triggers of 063_event_triggers.sql give
 * each its merchant's next seq, row by row in this order, and its webhook delivery. */
static const char sql_events_insert[] =
    "INSERT INTO events (merchant_id, type, at, rma, listing_id, data)"
    " SELECT ?, j.type, UTC_TIMESTAMP(), j.rma, j.listing_id, j.data"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY,"
    " type VARCHAR(40) CHARACTER SET ascii PATH '$.type', rma CHAR(11) PATH '$.rma',"
    " listing_id BIGINT UNSIGNED PATH '$.listing_id',"
    " data LONGTEXT CHARACTER SET utf8mb4 PATH '$.data')) j ORDER BY j.n";
/* The same for one event, as most changes write: a JSON_TABLE is a temporary table and its
 * ORDER BY a filesort, ~45 µs of MariaDB's CPU an INSERT on the bench machine. */
static const char sql_event_insert[] =
    "INSERT INTO events (merchant_id, type, at, rma, listing_id, data)"
    " VALUES (?, ?, UTC_TIMESTAMP(), ?, ?, ?)";
/* A plan's timeline rows (store_outbox_timeline) in one INSERT, in their order; the first
 * carries the plan's analytics deltas and its feed's events, which the trigger
 * return_events_carried queues and inserts and keeps out of the row
 * (069_analytics_pending.sql, 071_feed_with_timeline.sql). */
static const char sql_timeline_insert[] =
    "INSERT INTO return_events (return_id, at, type, actor, user_id, detail, analytics, feed)"
    " SELECT ?, NOW(3), j.type, j.actor, j.user_id, j.detail, j.analytics, j.feed"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, type VARCHAR(32) PATH '$.type',"
    " actor VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.actor',"
    " user_id BIGINT UNSIGNED PATH '$.user_id',"
    " detail LONGTEXT CHARACTER SET utf8mb4 PATH '$.detail',"
    " analytics LONGTEXT CHARACTER SET utf8mb4 PATH '$.analytics',"
    " feed LONGTEXT CHARACTER SET utf8mb4 PATH '$.feed')) j ORDER BY j.n"
    " RETURNING DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%sZ')";
/* The same for one row (see sql_event_insert). */
static const char sql_timeline_insert_one[] =
    "INSERT INTO return_events (return_id, at, type, actor, user_id, detail, analytics, feed)"
    " VALUES (?, NOW(3), ?, ?, ?, ?, ?, ?) RETURNING DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%sZ')";
/* The deltas of a plan that wrote no timeline row (none counts anything today). */
static const char sql_analytics_queue[] =
    "INSERT INTO analytics_pending (merchant_id, data) VALUES (?, ?)";
static const char sql_return_brief[] =
    "SELECT r.merchant_id, r.rma, r.status, o.order_number, o.currency FROM returns r"
    " JOIN orders o ON o.id = r.order_id WHERE r.id = ?";
static const char sql_return_items_brief[] =
    "SELECT ri.id, l.line_id, ri.sku, ri.name, ri.variant, ri.quantity, ri.unit_price, ri.reason,"
    " ri.resolution, ri.exchange_sku, ri.status, ri.received_quantity, ri.grade,"
    " ri.disposition FROM return_items ri JOIN order_lines l ON l.id = ri.order_line_id"
    " WHERE ri.return_id = ? ORDER BY ri.id";
static const char sql_listing_brief[] =
    "SELECT l.id, l.status, l.title, l.variant, l.sku, l.product_id, l.grade, l.condition_note,"
    " l.currency, l.original_price, l.suggested_price, l.price, r.rma, l.reject_reason"
    " FROM listings l JOIN returns r ON r.id = l.return_id WHERE l.merchant_id = ? AND l.id = ?";
/* Forced: with a cursor deep in a large merchant's feed MariaDB used only the key's merchant_id
 * and walked every entry before it (./kaeru bench --scale: 36 ms a page, 0.2 ms forced). */
static const char sql_events_page[] =
    "SELECT id, seq, type, " TIME("at") ", rma, listing_id, data FROM events"
                                        " FORCE INDEX (uq_events_seq)"
                                        " WHERE merchant_id = ? AND seq > ? ORDER BY seq LIMIT ?";
static const char sql_webhook_get[] =
    "SELECT url, events, secret, " TIME("paused_at") " FROM webhooks WHERE merchant_id = ?";
static const char sql_webhook_put[] =
    "INSERT INTO webhooks (merchant_id, url, events, secret, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE"
    " url = VALUES(url), events = VALUES(events), secret = VALUES(secret),"
    " updated_at = VALUES(updated_at), paused_at = NULL";
static const char sql_webhook_update[] =
    "UPDATE webhooks SET url = ?, events = ?, updated_at = UTC_TIMESTAMP(), paused_at = NULL"
    " WHERE merchant_id = ?";
static const char sql_webhook_delete[] = "DELETE FROM webhooks WHERE merchant_id = ?";
static const char sql_deliveries_page[] =
    "SELECT d.id, d.merchant_id, d.event_id, d.attempts, e.type, d.status, d.last_status_code,"
    " " TIME("d.next_attempt_at") ", d.last_error,"
                                  " TIMESTAMPDIFF(SECOND, '1970-01-01', d.created_at)"
                                  " FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"
                                  " WHERE d.merchant_id = ? ORDER BY d.id DESC LIMIT ?";
static const char sql_delivery_retry[] =
    "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = UTC_TIMESTAMP(),"
    " claimed_by = NULL, lease_until = NULL WHERE merchant_id = ? AND id = ?";
static const char sql_delivery_exists[] =
    "SELECT 1 FROM webhook_deliveries WHERE merchant_id = ? AND id = ?";
static const char sql_deliveries_due[] =
    "SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.merchant_id = d.merchant_id"
    " WHERE d.status = 'pending' AND d.next_attempt_at <= UTC_TIMESTAMP()"
    " AND (d.lease_until IS NULL OR d.lease_until < UTC_TIMESTAMP()) AND w.paused_at IS NULL"
    " ORDER BY d.next_attempt_at, d.id LIMIT ?";
/* The guard: only a delivery still due and unleased is taken; of racing dispatchers one
 * changes the row, the others change nothing (or lose certification on Galera). */
static const char sql_delivery_claim[] =
    "UPDATE webhook_deliveries SET claimed_by = ?,"
    " lease_until = TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP()) WHERE id = ? AND status = 'pending'"
    " AND next_attempt_at <= UTC_TIMESTAMP()"
    " AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())";
static const char sql_delivery_job[] =
    "SELECT d.id, d.event_id, d.attempts, TIMESTAMPDIFF(SECOND, '1970-01-01', d.created_at),"
    " w.url, w.secret, e.id, e.seq, e.type, " TIME(
        "e.at") ", e.rma, e.listing_id, e.data"
                " FROM webhook_deliveries d JOIN webhooks w ON w.merchant_id = d.merchant_id"
                " JOIN events e ON e.id = d.event_id WHERE d.id = ? AND d.claimed_by = ?";
static const char sql_delivery_done[] =
    "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1,"
    " last_attempt_at = UTC_TIMESTAMP(), last_status_code = ?, last_error = ?,"
    " next_attempt_at = TIMESTAMPADD(SECOND, ?, '1970-01-01'), claimed_by = NULL,"
    " lease_until = NULL WHERE id = ? AND claimed_by = ?";
static const char sql_webhook_pause[] =
    "UPDATE webhooks w JOIN webhook_deliveries d ON d.merchant_id = w.merchant_id"
    " SET w.paused_at = UTC_TIMESTAMP() WHERE d.id = ? AND w.paused_at IS NULL";

static const char sql_return_touch[] =
    "UPDATE returns SET updated_at = CURRENT_TIMESTAMP WHERE id = ?";
static const char sql_email_queue[] =
    "INSERT IGNORE INTO emails (merchant_id, return_id, kind, ref, data, created_at,"
    " next_attempt_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())";
/* The anti-join keeps the read to returns not yet reminded; the unique key makes a race of two
 * hosts queue one message. */
static const char sql_email_reminders[] =
    "INSERT IGNORE INTO emails (merchant_id, return_id, kind, ref, data, created_at,"
    " next_attempt_at) SELECT r.merchant_id, r.id, '" MAIL_KIND_EXPIRING "', '', NULL,"
    " UTC_TIMESTAMP(), UTC_TIMESTAMP() FROM returns r WHERE r.status = 'label_issued'"
    " AND r.expires_at > UTC_TIMESTAMP()"
    " AND r.expires_at <= TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP())"
    " AND NOT EXISTS (SELECT 1 FROM emails e WHERE e.return_id = r.id"
    " AND e.kind = '" MAIL_KIND_EXPIRING "' AND e.ref = '')"
    " ORDER BY r.expires_at LIMIT ?";
static const char sql_emails_due[] =
    "SELECT id FROM emails WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP()"
    " AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())"
    " ORDER BY next_attempt_at, id LIMIT ?";
static const char sql_email_claim[] =
    "UPDATE emails SET claimed_by = ?, lease_until = TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP())"
    " WHERE id = ? AND status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP()"
    " AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP())";
static const char sql_email_job[] =
    "SELECT e.id, e.attempts, TIMESTAMPDIFF(SECOND, '1970-01-01', e.created_at), e.kind, r.rma,"
    " r.language, o.email, e.data FROM emails e JOIN returns r ON r.id = e.return_id"
    " JOIN orders o ON o.id = r.order_id"
    " WHERE e.id = ? AND e.claimed_by = ?";
static const char sql_email_done[] =
    "UPDATE emails SET status = ?, attempts = attempts + 1, last_error = ?,"
    " sent_at = CASE WHEN ? THEN UTC_TIMESTAMP() END,"
    " next_attempt_at = TIMESTAMPADD(SECOND, ?, '1970-01-01'), claimed_by = NULL,"
    " lease_until = NULL WHERE id = ? AND claimed_by = ?";

const char *const languages[LANGUAGE__MAX] = {[LANGUAGE_JA] = "ja", [LANGUAGE_EN] = "en"};

enum kaeru_err store_email_queue(struct db *db, int64_t merchant_id, int64_t return_id,
                                 const char *kind, const char *ref, const char *data_json)
{
	return db_exec(db, sql_email_queue,
	               DB_ARGS(DBI(merchant_id), DBI(return_id), DBS(kind), DBS(ref ? ref : ""),
	                       DBS(data_json)),
	               NULL, NULL);
}

enum kaeru_err store_email_reminders(struct db *db, int64_t within_s, size_t max, uint64_t *n)
{
	return db_exec(db, sql_email_reminders, DB_ARGS(DBI(within_s), DBI((int64_t)max)), n, NULL);
}

/* Claims up to max rows of `due` by the guarded UPDATE `claim`; *ids gets those won. */
static enum kaeru_err claim_rows(struct db *db, const char *due, const char *claim, const char *me,
                                 int lease_s, size_t max, int64_t **ids, size_t *n)
{
	struct db_rows rows;
	*n = 0;
	enum kaeru_err e = db_query(db, due, DB_ARGS(DBI(max)), &rows);
	if (e != KAERU_OK)
		return e;
	*ids = arena_zalloc(db->arena, sizeof(**ids) * (rows.nrows + 1));
	for (size_t i = 0; i < rows.nrows; i++) {
		uint64_t affected = 0;
		e = db_exec(db, claim, DB_ARGS(DBS(me), DBI(lease_s), DBI(db_int(&rows, i, 0))),
		            &affected, NULL);
		if (e == KAERU_ERETRY)
			continue; /* another dispatcher won it */
		if (e != KAERU_OK)
			return e;
		if (affected == 1)
			(*ids)[(*n)++] = db_int(&rows, i, 0);
	}
	return KAERU_OK;
}

enum kaeru_err store_emails_claim(struct db *db, const char *me, int lease_s, size_t max,
                                  struct email_job **out, size_t *n)
{
	int64_t *ids = NULL;
	size_t won = 0;
	*n = 0;
	enum kaeru_err e =
	    claim_rows(db, sql_emails_due, sql_email_claim, me, lease_s, max, &ids, &won);
	if (e != KAERU_OK)
		return e;
	*out = arena_zalloc(db->arena, sizeof(**out) * (won + 1));
	for (size_t i = 0; i < won; i++) {
		struct db_rows j;
		if ((e = db_query(db, sql_email_job, DB_ARGS(DBI(ids[i]), DBS(me)), &j)) !=
		    KAERU_OK)
			return e;
		if (j.nrows != 1)
			continue;
		(*out)[(*n)++] = (struct email_job){.id = db_int(&j, 0, 0),
		                                    .attempts = db_int(&j, 0, 1),
		                                    .created_at = db_int(&j, 0, 2),
		                                    .kind = db_str(&j, 0, 3),
		                                    .rma = db_str(&j, 0, 4),
		                                    .language = db_str(&j, 0, 5),
		                                    .to = db_str(&j, 0, 6),
		                                    .data_json = db_str(&j, 0, 7)};
	}
	return KAERU_OK;
}

enum kaeru_err store_email_attempted(struct db *db, const char *me, int64_t id, bool sent,
                                     const char *error, bool give_up, int64_t next_at)
{
	const char *status = sent ? "sent" : give_up ? "failed" : "pending";
	return db_exec(db, sql_email_done,
	               DB_ARGS(DBS(status), DBS(error), DBI(sent), DBI(next_at), DBI(id), DBS(me)),
	               NULL, NULL);
}

bool webhook_wants(const char *patterns_json, const char *type)
{
	json_t *patterns = json_loads(patterns_json ? patterns_json : "", 0, NULL);
	bool wants = false;
	size_t i;
	json_t *p;
	json_array_foreach(patterns, i, p)
	{
		const char *s = json_string_value(p);
		size_t len = s ? strlen(s) : 0;
		if (!s)
			continue;
		if (strcmp(s, "*") == 0 || strcmp(s, type) == 0 ||
		    (len >= 2 && s[len - 1] == '*' && s[len - 2] == '.' &&
		     strncmp(s, type, len - 1) == 0))
			wants = true;
	}
	json_decref(patterns);
	return wants;
}

/* Appends one event to o (strings copied: the caller may free its text). */
static void outbox_add(struct outbox *o, const char *type, const char *rma, int64_t listing_id,
                       const char *data_json)
{
	if (!o->events)
		o->events = json_array();
	json_array_append_new(
	    o->events,
	    json_pack("{s:s, s:s?, s:o, s:s?}", "type", type, "rma", rma, "listing_id",
	              listing_id ? json_integer(listing_id) : json_null(), "data", data_json));
}

/* Writes o's events in one statement however many there are; their seqs and deliveries are
 * the triggers' (063_event_triggers.sql), so nothing is read first. */
static enum kaeru_err outbox_write_events(struct db *db, const struct outbox *o)
{
	if (json_array_size(o->events) == 0)
		return KAERU_OK;
	if (json_array_size(o->events) == 1) {
		json_t *ev = json_array_get(o->events, 0),
		       *listing = json_object_get(ev, "listing_id");
		return db_exec(
		    db, sql_event_insert,
		    DB_ARGS(DBI(o->merchant_id),
		            DBS(json_string_value(json_object_get(ev, "type"))),
		            DBS(json_string_value(json_object_get(ev, "rma"))),
		            json_is_integer(listing) ? DBI(json_integer_value(listing)) : DBN,
		            DBS(json_string_value(json_object_get(ev, "data")))),
		    NULL, NULL);
	}
	char *list = json_dumps(o->events, JSON_COMPACT);
	if (!list)
		return KAERU_EINTERNAL;
	enum kaeru_err e =
	    db_exec(db, sql_events_insert, DB_ARGS(DBI(o->merchant_id), DBS(list)), NULL, NULL);
	free(list);
	return e;
}

/* Writes o's timeline rows in one statement, the first carrying analytics and feed (the
 * events, {"m": merchant, "e": [...]}; NULL: none), and keeps them as written (o->written). */
static enum kaeru_err outbox_write_timeline(struct db *db, struct outbox *o, const char *analytics,
                                            const char *feed)
{
	size_t n = json_array_size(o->timeline);
	struct db_rows at;
	enum kaeru_err e;
	if (analytics)
		json_object_set_new(json_array_get(o->timeline, 0), "analytics",
		                    json_string(analytics));
	if (feed)
		json_object_set_new(json_array_get(o->timeline, 0), "feed", json_string(feed));
	if (n == 1) {
		json_t *row = json_array_get(o->timeline, 0),
		       *user = json_object_get(row, "user_id");
		e = db_query(db, sql_timeline_insert_one,
		             DB_ARGS(DBI(o->return_id),
		                     DBS(json_string_value(json_object_get(row, "type"))),
		                     DBS(json_string_value(json_object_get(row, "actor"))),
		                     json_is_integer(user) ? DBI(json_integer_value(user)) : DBN,
		                     DBS(json_string_value(json_object_get(row, "detail"))),
		                     DBS(analytics), DBS(feed)),
		             &at);
	} else {
		char *rows = json_dumps(o->timeline, JSON_COMPACT);
		e = rows ? db_query(db, sql_timeline_insert, DB_ARGS(DBI(o->return_id), DBS(rows)),
		                    &at)
		         : KAERU_EINTERNAL;
		free(rows);
	}
	if (e != KAERU_OK || at.nrows != n)
		return e != KAERU_OK ? e : KAERU_EINTERNAL;
	o->written = arena_zalloc(db->arena, sizeof(*o->written) * (n + 1));
	o->written_by_user = arena_zalloc(db->arena, sizeof(*o->written_by_user) * (n + 1));
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array_get(o->timeline, i);
		o->written_by_user[i] = json_is_integer(json_object_get(row, "user_id"));
		const char *detail = json_string_value(json_object_get(row, "detail"));
		o->written[i] = (struct return_event){
		    .at = db_str(&at, i, 0),
		    .type =
		        arena_strdup(db->arena, json_string_value(json_object_get(row, "type"))),
		    .actor =
		        arena_strdup(db->arena, json_string_value(json_object_get(row, "actor"))),
		    .detail_json = detail ? arena_strdup(db->arena, detail) : NULL,
		};
	}
	o->n_written = n;
	return KAERU_OK;
}

void store_outbox_open(struct db *db, struct outbox *o, int64_t merchant_id, int64_t return_id)
{
	*o = (struct outbox){.merchant_id = merchant_id, .return_id = return_id};
	db->memo.outbox = o;
}

enum kaeru_err store_outbox_close(struct db *db, struct outbox *o, enum kaeru_err e)
{
	if (db->memo.outbox == o)
		db->memo.outbox = NULL;
	/* The analytics deltas ({"m": merchant} alone: nothing counted) ride on the first
	 * timeline row. */
	char *analytics = e == KAERU_OK && json_object_size(o->analytics) > 1
	                      ? json_dumps(o->analytics, JSON_COMPACT)
	                      : NULL;
	/* So do the events, when there is a timeline row: one statement for both. */
	bool carried =
	    e == KAERU_OK && json_array_size(o->timeline) > 0 && json_array_size(o->events) > 0;
	char *feed = NULL;
	if (carried) {
		json_t *f =
		    json_pack("{s:I, s:O}", "m", (json_int_t)o->merchant_id, "e", o->events);
		if (!f || !(feed = json_dumps(f, JSON_COMPACT)))
			e = KAERU_EINTERNAL;
		json_decref(f);
	}
	if (e == KAERU_OK && json_array_size(o->timeline) > 0)
		e = outbox_write_timeline(db, o, analytics, feed);
	else if (e == KAERU_OK && analytics)
		e = db_exec(db, sql_analytics_queue, DB_ARGS(DBI(o->merchant_id), DBS(analytics)),
		            NULL, NULL);
	free(analytics);
	free(feed);
	if (e == KAERU_OK && !carried)
		e = outbox_write_events(db, o);
	json_decref(o->events);
	json_decref(o->timeline);
	json_decref(o->analytics);
	o->events = o->timeline = o->analytics = NULL;
	return e;
}

bool store_outbox_timeline(struct db *db, int64_t return_id, enum event_type type,
                           const char *actor, int64_t user_id, const char *detail_json)
{
	struct outbox *o = db->in_tx ? db->memo.outbox : NULL;
	if (!o || o->return_id != return_id)
		return false;
	if (!o->timeline)
		o->timeline = json_array();
	json_array_append_new(
	    o->timeline, json_pack("{s:s, s:s, s:o, s:s?}", "type", event_type_names[type], "actor",
	                           actor, "user_id", user_id ? json_integer(user_id) : json_null(),
	                           "detail", detail_json));
	return true;
}

enum kaeru_err store_event_emit(struct db *db, int64_t merchant_id, const char *type,
                                const char *rma, int64_t listing_id, const char *data_json)
{
	struct outbox *o = db->in_tx ? db->memo.outbox : NULL;
	if (o && o->merchant_id == merchant_id) { /* written with the plan's others */
		outbox_add(o, type, rma, listing_id, data_json);
		return KAERU_OK;
	}
	struct outbox one = {.merchant_id = merchant_id};
	outbox_add(&one, type, rma, listing_id, data_json);
	enum kaeru_err e = outbox_write_events(db, &one);
	json_decref(one.events);
	return e;
}

/* The feed's name of each timeline event. */
static const char *const return_event_types[EVENT__MAX] = {
    [EVENT_CREATED] = "return.created",          [EVENT_RECEIVED] = "return.received",
    [EVENT_INSPECTED] = "return.item_inspected", [EVENT_RESOLVED] = "return.resolved",
    [EVENT_CANCELED] = "return.canceled",        [EVENT_EXPIRED] = "return.expired",
};

/* Moves the money of a resolved return's timeline detail into the feed's shapes. */
static void resolved_money(json_t *data, json_t *detail, const char *currency)
{
	json_int_t refund = json_integer_value(json_object_get(detail, "refund"));
	json_object_set_new(data, "refund",
	                    json_pack("{s:I, s:s, s:s}", "amount", refund, "currency", currency,
	                              "method", "original_payment"));
	json_object_set_new(
	    data, "store_credit",
	    json_pack("{s:I, s:I, s:s}", "amount",
	              json_integer_value(json_object_get(detail, "store_credit")), "bonus",
	              json_integer_value(json_object_get(detail, "store_credit_bonus")), "currency",
	              currency));
	json_object_set_new(
	    data, "restocking_fee",
	    json_integer(json_integer_value(json_object_get(detail, "restocking_fee"))));
	json_object_set_new(data, "missing",
	                    json_integer(json_integer_value(json_object_get(detail, "missing"))));
	json_t *exchanges = json_object_get(detail, "exchanges");
	json_object_set(data, "exchanges", json_is_array(exchanges) ? exchanges : json_array());
}

/* The event of r as it now is (status: a plan changes r->status only after its events). */
static enum kaeru_err return_event(struct db *db, const struct ret *r, enum return_status status,
                                   enum event_type type, const char *detail_json)
{
	json_t *list = json_array();
	for (size_t i = 0; i < r->n_items; i++) {
		const struct return_item *it = &r->items[i];
		json_array_append_new(
		    list,
		    json_pack(
		        "{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s?, s:s, s:o, s:s?, s:s?}",
		        "item_id", (json_int_t)it->id, "line_id", it->line_id, "sku", it->sku,
		        "name", it->name, "variant", it->variant ? it->variant : "", "quantity",
		        (json_int_t)it->quantity, "unit_price", (json_int_t)it->unit_price,
		        "reason", reason_names[it->reason], "resolution",
		        resolution_names[it->resolution], "exchange_sku", it->exchange_sku,
		        "status", it->status ? it->status : "pending", "received_quantity",
		        it->has_received ? json_integer(it->received_quantity) : json_null(),
		        "grade", it->grade, "disposition", it->disposition));
	}
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:o}", "rma", r->rma, "status",
	                         return_status_names[status], "order_number", r->order_number,
	                         "currency", r->currency, "items", list);
	json_t *detail = detail_json ? json_loads(detail_json, 0, NULL) : NULL;
	if (type == EVENT_RESOLVED && detail)
		resolved_money(data, detail, r->currency);
	else if (type == EVENT_INSPECTED && detail)
		json_object_set(data, "item", detail);
	else if (json_is_object(detail))
		json_object_update_missing(data, detail);
	json_decref(detail);
	char *text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	const char *name = type < EVENT__MAX && return_event_types[type]
	                       ? return_event_types[type]
	                       : arena_printf(db->arena, "return.%s", event_type_names[type]);
	enum kaeru_err e = store_event_emit(db, r->merchant_id, name, r->rma, 0, text);
	free(text);
	/* Every change is a change the shop's updated_since list shows (once a transaction). */
	if (e == KAERU_OK && !(db->in_tx && db->memo.touched_return == r->id)) {
		e = db_exec(db, sql_return_touch, DB_ARGS(DBI(r->id)), NULL, NULL);
		db->memo.touched_return = r->id;
	}
	/* The customer's e-mail of the event, if it sends one, is the trigger
	 * return_events_mailed's (067_emails_by_trigger.sql), queued with the event's timeline row.
	 */
	return e;
}

enum kaeru_err store_event_return_of(struct db *db, const struct ret *r, enum return_status status,
                                     enum event_type type, const char *detail_json)
{
	return return_event(db, r, status, type, detail_json);
}

enum kaeru_err store_event_return(struct db *db, int64_t return_id, enum event_type type,
                                  const char *detail_json)
{
	struct db_rows row, items;
	enum kaeru_err e = db_query(db, sql_return_brief, DB_ARGS(DBI(return_id)), &row);
	if (e != KAERU_OK)
		return e;
	if (row.nrows != 1)
		return KAERU_ENOTFOUND;
	if ((e = db_query(db, sql_return_items_brief, DB_ARGS(DBI(return_id)), &items)) != KAERU_OK)
		return e;
	struct ret r = {.id = return_id,
	                .merchant_id = db_int(&row, 0, 0),
	                .order_number = db_str(&row, 0, 3),
	                .currency = db_str(&row, 0, 4),
	                .n_items = items.nrows};
	snprintf(r.rma, sizeof(r.rma), "%s", db_str(&row, 0, 1));
	int status = NAME_INDEX(return_status_names, db_str(&row, 0, 2));
	r.items = arena_zalloc(db->arena, sizeof(*r.items) * (items.nrows + 1));
	for (size_t i = 0; i < items.nrows; i++) {
		int reason = NAME_INDEX(reason_names, db_str(&items, i, 7));
		int resolution = NAME_INDEX(resolution_names, db_str(&items, i, 8));
		r.items[i] = (struct return_item){
		    .id = db_int(&items, i, 0),
		    .line_id = db_str(&items, i, 1),
		    .sku = db_str(&items, i, 2),
		    .name = db_str(&items, i, 3),
		    .variant = db_str(&items, i, 4),
		    .quantity = db_int(&items, i, 5),
		    .unit_price = db_int(&items, i, 6),
		    .reason = reason >= 0 ? (enum reason)reason : 0,
		    .resolution = resolution >= 0 ? (enum resolution)resolution : 0,
		    .exchange_sku = db_str(&items, i, 9),
		    .status = db_str(&items, i, 10),
		    .has_received = !db_isnull(&items, i, 11),
		    .received_quantity = db_int(&items, i, 11),
		    .grade = db_str(&items, i, 12),
		    .disposition = db_str(&items, i, 13),
		};
	}
	return return_event(db, &r, status >= 0 ? (enum return_status)status : r.status, type,
	                    detail_json);
}

/* The listing event, with extra members (stolen; NULL for none) merged into its data. */
static enum kaeru_err listing_event(struct db *db, int64_t merchant_id, int64_t listing_id,
                                    const char *type, json_t *extra);

enum kaeru_err store_event_listing(struct db *db, int64_t merchant_id, int64_t listing_id,
                                   const char *type)
{
	return listing_event(db, merchant_id, listing_id, type, NULL);
}

enum kaeru_err store_event_listing_by(struct db *db, int64_t merchant_id, int64_t listing_id,
                                      const char *type, const char *by, json_t *changes)
{
	json_t *extra = json_pack("{s:s?}", "by", by);
	if (changes)
		json_object_set_new(extra, "changes", changes);
	return listing_event(db, merchant_id, listing_id, type, extra);
}

/* The event of listing l as its data says it (extra merged in, stolen; NULL for none). */
static enum kaeru_err listing_event_of(struct db *db, const struct listing *l, const char *type,
                                       json_t *extra)
{
	json_t *data = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}", "id",
	    (json_int_t)l->id, "status", listing_status_names[l->status], "title", l->title,
	    "variant", l->variant, "sku", l->sku, "product_id", l->product_id, "grade", l->grade,
	    "condition_note", l->condition_note, "currency", l->currency, "original_price",
	    (json_int_t)l->original_price, "suggested_price", (json_int_t)l->suggested_price,
	    "price", (json_int_t)l->price, "rma", l->rma, "reject_reason",
	    l->reject_reason ? json_string(l->reject_reason) : json_null());
	if (extra) {
		json_object_update(data, extra);
		json_decref(extra);
	}
	char *text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	enum kaeru_err e = store_event_emit(db, l->merchant_id, type, l->rma, l->id, text);
	free(text);
	return e;
}

static enum kaeru_err listing_event(struct db *db, int64_t merchant_id, int64_t listing_id,
                                    const char *type, json_t *extra)
{
	struct db_rows l;
	enum kaeru_err e =
	    db_query(db, sql_listing_brief, DB_ARGS(DBI(merchant_id), DBI(listing_id)), &l);
	int status =
	    e == KAERU_OK && l.nrows == 1 ? NAME_INDEX(listing_status_names, db_str(&l, 0, 1)) : -1;
	if (status < 0) {
		json_decref(extra);
		return e != KAERU_OK ? e : l.nrows != 1 ? KAERU_ENOTFOUND : KAERU_EINTERNAL;
	}
	struct listing row = {.id = db_int(&l, 0, 0),
	                      .merchant_id = merchant_id,
	                      .status = (enum listing_status)status,
	                      .title = db_str(&l, 0, 2),
	                      .variant = db_str(&l, 0, 3),
	                      .sku = db_str(&l, 0, 4),
	                      .product_id = db_str(&l, 0, 5),
	                      .grade = db_str(&l, 0, 6),
	                      .condition_note = db_str(&l, 0, 7),
	                      .currency = db_str(&l, 0, 8),
	                      .original_price = db_int(&l, 0, 9),
	                      .suggested_price = db_int(&l, 0, 10),
	                      .price = db_int(&l, 0, 11),
	                      .rma = db_str(&l, 0, 12),
	                      .reject_reason = db_str(&l, 0, 13)};
	return listing_event_of(db, &row, type, extra);
}

enum kaeru_err store_event_listing_drafted(struct db *db, const struct listing *l)
{
	return listing_event_of(db, l, "listing.drafted", NULL);
}

enum kaeru_err store_events_page(struct db *db, int64_t merchant_id, int64_t after, int64_t limit,
                                 struct event_row **out, size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_events_page, DB_ARGS(DBI(merchant_id), DBI(after), DBI(limit)), &rows);
	*n = 0;
	if (e != KAERU_OK)
		return e;
	*out = arena_zalloc(db->arena, sizeof(**out) * (rows.nrows + 1));
	for (size_t i = 0; i < rows.nrows; i++)
		(*out)[i] = (struct event_row){
		    .id = db_int(&rows, i, 0),
		    .seq = db_int(&rows, i, 1),
		    .type = db_str(&rows, i, 2),
		    .at = db_str(&rows, i, 3),
		    .rma = db_str(&rows, i, 4),
		    .listing_id = db_int(&rows, i, 5),
		    .data_json = db_str(&rows, i, 6),
		};
	*n = rows.nrows;
	return KAERU_OK;
}

json_t *event_json(const struct event_row *ev)
{
	json_t *j = json_pack("{s:o, s:I, s:s, s:s}", "id", json_sprintf("%lld", (long long)ev->id),
	                      "seq", (json_int_t)ev->seq, "type", ev->type, "at", ev->at);
	if (ev->rma)
		json_object_set_new(j, "rma", json_string(ev->rma));
	if (ev->listing_id)
		json_object_set_new(j, "listing_id", json_integer(ev->listing_id));
	json_t *data = json_loads(ev->data_json ? ev->data_json : "", 0, NULL);
	json_object_set_new(j, "data", json_is_object(data) ? data : json_object());
	return j;
}

enum kaeru_err store_webhook_get(struct db *db, int64_t merchant_id, struct webhook *w)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_webhook_get, DB_ARGS(DBI(merchant_id)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows != 1)
		return KAERU_ENOTFOUND;
	*w = (struct webhook){.url = db_str(&rows, 0, 0),
	                      .events_json = db_str(&rows, 0, 1),
	                      .secret = db_str(&rows, 0, 2),
	                      .paused_at = db_str(&rows, 0, 3)};
	return KAERU_OK;
}

enum kaeru_err store_webhook_put(struct db *db, int64_t merchant_id, const char *url,
                                 const char *events_json, const char *secret)
{
	if (secret)
		return db_exec(db, sql_webhook_put,
		               DB_ARGS(DBI(merchant_id), DBS(url), DBS(events_json), DBS(secret)),
		               NULL, NULL);
	struct webhook w;
	enum kaeru_err e = store_webhook_get(db, merchant_id, &w);
	if (e != KAERU_OK)
		return e;
	return db_exec(db, sql_webhook_update,
	               DB_ARGS(DBS(url), DBS(events_json), DBI(merchant_id)), NULL, NULL);
}

enum kaeru_err store_webhook_delete(struct db *db, int64_t merchant_id)
{
	uint64_t affected = 0;
	enum kaeru_err e =
	    db_exec(db, sql_webhook_delete, DB_ARGS(DBI(merchant_id)), &affected, NULL);
	return e == KAERU_OK && affected == 0 ? KAERU_ENOTFOUND : e;
}

enum kaeru_err store_deliveries_page(struct db *db, int64_t merchant_id, int64_t limit,
                                     struct delivery **out, size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_deliveries_page, DB_ARGS(DBI(merchant_id), DBI(limit)), &rows);
	*n = 0;
	if (e != KAERU_OK)
		return e;
	*out = arena_zalloc(db->arena, sizeof(**out) * (rows.nrows + 1));
	for (size_t i = 0; i < rows.nrows; i++)
		(*out)[i] = (struct delivery){
		    .id = db_int(&rows, i, 0),
		    .merchant_id = db_int(&rows, i, 1),
		    .event_id = db_int(&rows, i, 2),
		    .attempts = db_int(&rows, i, 3),
		    .type = db_str(&rows, i, 4),
		    .status = db_str(&rows, i, 5),
		    .has_status_code = !db_isnull(&rows, i, 6),
		    .last_status_code = db_int(&rows, i, 6),
		    .next_attempt_at = db_str(&rows, i, 7),
		    .last_error = db_str(&rows, i, 8),
		    .created_at = db_int(&rows, i, 9),
		};
	*n = rows.nrows;
	return KAERU_OK;
}

enum kaeru_err store_delivery_retry(struct db *db, int64_t merchant_id, int64_t id)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_delivery_exists, DB_ARGS(DBI(merchant_id), DBI(id)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	return db_exec(db, sql_delivery_retry, DB_ARGS(DBI(merchant_id), DBI(id)), NULL, NULL);
}

enum kaeru_err store_deliveries_claim(struct db *db, const char *me, int lease_s, size_t max,
                                      struct delivery_job **out, size_t *n)
{
	int64_t *ids = NULL;
	size_t won = 0;
	*n = 0;
	enum kaeru_err e =
	    claim_rows(db, sql_deliveries_due, sql_delivery_claim, me, lease_s, max, &ids, &won);
	if (e != KAERU_OK)
		return e;
	*out = arena_zalloc(db->arena, sizeof(**out) * (won + 1));
	for (size_t i = 0; i < won; i++) {
		struct db_rows j;
		if ((e = db_query(db, sql_delivery_job, DB_ARGS(DBI(ids[i]), DBS(me)), &j)) !=
		    KAERU_OK)
			return e;
		if (j.nrows != 1)
			continue;
		struct event_row ev = {.id = db_int(&j, 0, 6),
		                       .seq = db_int(&j, 0, 7),
		                       .type = db_str(&j, 0, 8),
		                       .at = db_str(&j, 0, 9),
		                       .rma = db_str(&j, 0, 10),
		                       .listing_id = db_int(&j, 0, 11),
		                       .data_json = db_str(&j, 0, 12)};
		json_t *body = event_json(&ev);
		char *text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		(*out)[(*n)++] = (struct delivery_job){
		    .id = db_int(&j, 0, 0),
		    .event_id = db_int(&j, 0, 1),
		    .attempts = db_int(&j, 0, 2),
		    .created_at = db_int(&j, 0, 3),
		    .url = db_str(&j, 0, 4),
		    .secret = db_str(&j, 0, 5),
		    .type = db_str(&j, 0, 8),
		    .body = arena_strdup(db->arena, text),
		};
		free(text);
	}
	return KAERU_OK;
}

struct attempt {
	const char *me, *status, *error;
	int64_t id, next_at;
	int status_code;
	bool pause;
};

/* The attempt and, when it was the last, the webhook's pause: one change, seen whole. */
static enum kaeru_err delivery_attempted_tx(struct db *db, void *arg)
{
	const struct attempt *a = arg;
	enum kaeru_err e =
	    db_exec(db, sql_delivery_done,
	            DB_ARGS(DBS(a->status), a->status_code ? DBI(a->status_code) : DBN,
	                    DBS(a->error), DBI(a->next_at), DBI(a->id), DBS(a->me)),
	            NULL, NULL);
	if (e == KAERU_OK && a->pause)
		e = db_exec(db, sql_webhook_pause, DB_ARGS(DBI(a->id)), NULL, NULL);
	return e;
}

enum kaeru_err store_delivery_attempted(struct db *db, const char *me, int64_t id, bool delivered,
                                        int status_code, const char *error, bool give_up,
                                        int64_t next_at)
{
	struct attempt a = {.me = me,
	                    .status = delivered ? "delivered"
	                              : give_up ? "failed"
	                                        : "pending",
	                    .error = error,
	                    .id = id,
	                    .next_at = next_at,
	                    .status_code = status_code,
	                    .pause = give_up && !delivered};
	return db_tx_run(db, delivery_attempted_tx, &a);
}
