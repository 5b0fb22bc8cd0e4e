/* The merchant's analytics: daily aggregates (061_exports_analytics.sql and
 * 020_analytics_bounded.sql say what each counts and on which local day), and the reads of the
 * console's figures over a range of local days. Orders and listing changes outside a return's
 * plan are counted in their own transaction; what a return's plan counts is computed in its
 * transaction but written behind it (069_analytics_pending.sql): the deltas ride, as one JSON
 * document, on the plan's first timeline row, a trigger queues them, and kaeru-worker folds the
 * queue into the aggregates (store_analytics_fold) — no statement of the request's, and no
 * hot day row locked by it. The aggregates
 * make a range cost days × products (and warehouses) rows, and the comments a fixed number,
 * however many orders, returns and listings the merchant has. */
#include "core/timing.h"
#include "db/events.h"
#include "db/store.h"
#include "util/timefmt.h"
#include "util/tz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char sql_order_day[] =
    "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01', COALESCE(o.placed_at, o.created_at)), m.timezone,"
    " JSON_VALUE(o.shipping_address, '$.name')"
    " FROM orders o JOIN merchants m ON m.id = o.merchant_id"
    " WHERE o.merchant_id = ? AND o.order_number = ?";
static const char sql_order_sold[] =
    "INSERT INTO analytics_product_days (merchant_id, day, product_id, sku, name, sold_units)"
    " SELECT o.merchant_id, ?, l.product_id, l.sku, MAX(l.name), ? * SUM(l.quantity)"
    " FROM orders o JOIN order_lines l ON l.order_id = o.id"
    " WHERE o.merchant_id = ? AND o.order_number = ? GROUP BY l.product_id, l.sku"
    " ON DUPLICATE KEY UPDATE sold_units = sold_units + VALUES(sold_units)";
static const char sql_timezone[] = "SELECT timezone FROM merchants WHERE id = ?";
enum kaeru_err store_analytics_order(struct db *db, int64_t merchant_id, const char *order_number,
                                     int sign, const char **customer)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_order_day, DB_ARGS(DBI(merchant_id), DBS(order_number)), &rows);
	if (customer)
		*customer = e == KAERU_OK && rows.nrows ? db_str(&rows, 0, 2) : NULL;
	if (e != KAERU_OK || rows.nrows == 0)
		return e; /* a new order counted nothing before */
	int64_t day = tz_local_day(db_str(&rows, 0, 1), db_int(&rows, 0, 0));
	return db_exec(db, sql_order_sold,
	               DB_ARGS(DBI(day), DBI(sign), DBI(merchant_id), DBS(order_number)), NULL,
	               NULL);
}

/* The items of returns that carry a comment, by when their return was made: counted anew by
 * kaeru-admin analytics rebuild; a new return's are kept by the trigger return_items_commented
 * (063_kept_by_triggers.sql) as its items are inserted. */
#define COMMENTED_ITEMS                                                                            \
	"INSERT INTO analytics_comments (merchant_id, created_at, return_item_id)"                 \
	" SELECT r.merchant_id, r.created_at, i.id FROM returns r"                                 \
	" JOIN return_items i ON i.return_id = r.id"                                               \
	" WHERE i.comment IS NOT NULL AND i.comment <> '' AND "
/* A return's local day of making (seconds), warehouse, and its spans in seconds: label to
 * first scan, scan to resolution (NULL before they happen). */
#define RETURN_SPANS                                                                               \
	"TIMESTAMPDIFF(SECOND, '1970-01-01', created_at), warehouse_id,"                           \
	" TIMESTAMPDIFF(SECOND, created_at, received_at),"                                         \
	" TIMESTAMPDIFF(SECOND, received_at, resolved_at)"
static const char sql_return_spans[] = "SELECT " RETURN_SPANS " FROM returns WHERE id = ?";
static const char sql_timing[] =
    "INSERT INTO analytics_timing_days (merchant_id, day, warehouse_id, stage, bucket, n)"
    " VALUES (?, ?, ?, ?, ?, 1) ON DUPLICATE KEY UPDATE n = n + 1";
enum timing_stage { STAGE_SCAN, STAGE_RESOLUTION, STAGE__MAX };
static const char *const stage_names[STAGE__MAX] = {
    [STAGE_SCAN] = "scan",
    [STAGE_RESOLUTION] = "resolution",
};
/* A listing's status and instants (seconds; published and sold NULL until they happen), price
 * and original price. */
#define LISTING_TIMES                                                                              \
	"SELECT status, TIMESTAMPDIFF(SECOND, '1970-01-01', created_at),"                          \
	" TIMESTAMPDIFF(SECOND, '1970-01-01', published_at),"                                      \
	" TIMESTAMPDIFF(SECOND, '1970-01-01', sold_at), price, original_price"                     \
	" FROM listings WHERE merchant_id = ?"
static const char sql_listing_times[] = LISTING_TIMES " AND id = ? FOR UPDATE";
static const char sql_resale[] =
    "INSERT INTO analytics_resale_days (merchant_id, day, drafted, published, sold, sold_amount,"
    " sold_original, sell_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE drafted = drafted + VALUES(drafted),"
    " published = published + VALUES(published), sold = sold + VALUES(sold),"
    " sold_amount = sold_amount + VALUES(sold_amount),"
    " sold_original = sold_original + VALUES(sold_original),"
    " sell_seconds = sell_seconds + VALUES(sell_seconds)";

/* Counts the spans of the return in row i of rows (RETURN_SPANS from column col) that are asked
 * for and have happened, on the local day in zone tz the return was made. */
static enum kaeru_err count_spans(struct db *db, int64_t merchant_id, const char *tz,
                                  const struct db_rows *rows, size_t i, size_t col,
                                  const bool stages[STAGE__MAX])
{
	int64_t day = tz_local_day(tz, db_int(rows, i, col));
	enum kaeru_err e = KAERU_OK;
	for (int s = 0; e == KAERU_OK && s < STAGE__MAX; s++)
		if (stages[s] && !db_isnull(rows, i, col + 2 + (size_t)s))
			e = db_exec(db, sql_timing,
			            DB_ARGS(DBI(merchant_id), DBI(day),
			                    DBI(db_int(rows, i, col + 1)), DBS(stage_names[s]),
			                    DBI(span_bucket(db_int(rows, i, col + 2 + (size_t)s)))),
			            NULL, NULL);
	return e;
}

/* What change c of the listing in row i of rows (LISTING_TIMES) counts, on its local day in
 * zone tz; nothing when the instant it counts by has not happened (or, withdrawn, when it is
 * not published). */
static enum kaeru_err count_listing(struct db *db, int64_t merchant_id, const char *tz,
                                    const struct db_rows *rows, size_t i, enum resale_change c)
{
	int64_t drafted = 0, published = 0, sold = 0, amount = 0, original = 0, seconds = 0;
	size_t col;
	switch (c) {
	case RESALE_DRAFTED:
		col = 1, drafted = 1;
		break;
	case RESALE_PUBLISHED:
		col = 2, published = 1;
		break;
	case RESALE_WITHDRAWN:
		if (strcmp(db_str(rows, i, 0), listing_status_names[LISTING_PUBLISHED]) != 0)
			return KAERU_OK;
		col = 2, published = -1;
		break;
	case RESALE_SOLD:
		col = 3, sold = 1, amount = db_int(rows, i, 4), original = db_int(rows, i, 5);
		seconds = db_int(rows, i, 3) - db_int(rows, i, 1);
		break;
	default:
		abort();
	}
	if (db_isnull(rows, i, col))
		return KAERU_OK;
	return db_exec(db, sql_resale,
	               DB_ARGS(DBI(merchant_id), DBI(tz_local_day(tz, db_int(rows, i, col))),
	                       DBI(drafted), DBI(published), DBI(sold), DBI(amount), DBI(original),
	                       DBI(seconds)),
	               NULL, NULL);
}

/* The merchant's time zone (UTC when it has none); read once a transaction. */
static enum kaeru_err zone_of(struct db *db, int64_t merchant_id, const char **tz)
{
	if (db->in_tx && db->memo.zone_merchant == merchant_id) {
		*tz = db->memo.zone;
		return KAERU_OK;
	}
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_timezone, DB_ARGS(DBI(merchant_id)), &rows);
	*tz = e == KAERU_OK && rows.nrows ? db_str(&rows, 0, 0) : "UTC";
	if (e == KAERU_OK) {
		db->memo.zone_merchant = merchant_id;
		db->memo.zone = *tz;
	}
	return e;
}

/* The merchant's local day of instant t. */
static enum kaeru_err local_day(struct db *db, int64_t merchant_id, int64_t t, int64_t *day)
{
	const char *tz;
	enum kaeru_err e = zone_of(db, merchant_id, &tz);
	if (e == KAERU_OK)
		*day = tz_local_day(tz, t);
	return e;
}

enum kaeru_err store_analytics_listing(struct db *db, int64_t merchant_id, int64_t id,
                                       enum resale_change c)
{
	struct db_rows rows;
	const char *tz;
	enum kaeru_err e =
	    db_query(db, sql_listing_times, DB_ARGS(DBI(merchant_id), DBI(id)), &rows);
	if (e != KAERU_OK || rows.nrows == 0 || (e = zone_of(db, merchant_id, &tz)) != KAERU_OK)
		return e;
	return count_listing(db, merchant_id, tz, &rows, 0, c);
}

void store_analytics_zone_known(struct db *db, const struct ret *r)
{
	if (db->in_tx && r->timezone) {
		db->memo.zone_merchant = r->merchant_id;
		db->memo.zone = r->timezone;
	}
}

/* The deltas of the transaction's plan (db->memo.outbox, merchant_id's), to be written with its
 * first timeline row (069_analytics_pending.sql): {"m": merchant, "p": [[day, product_id, sku,
 * name, units]], "r": [[day, product_id, reason, units]], "$": [[day, resolved_returns, refund,
 * refund_items, store_credit, store_credit_items, store_credit_bonus, exchange_value,
 * exchange_items, restocking_fees, withheld]], "t": [[day, warehouse_id, stage, bucket, n]],
 * "d": [[day, drafted]]}, made when first asked for; NULL outside a plan of that merchant. */
static json_t *pending(struct db *db, int64_t merchant_id)
{
	struct outbox *o = db->in_tx ? db->memo.outbox : NULL;
	if (!o || o->merchant_id != merchant_id)
		return NULL;
	if (!o->analytics)
		o->analytics = json_pack("{s:I}", "m", (json_int_t)merchant_id);
	return o->analytics;
}

/* Appends row (stolen) to the document's list of kind. */
static void pending_add(json_t *doc, const char *kind, json_t *row)
{
	json_t *list = json_object_get(doc, kind);
	if (!list)
		json_object_set_new(doc, kind, list = json_array());
	json_array_append_new(list, row);
}

enum kaeru_err store_analytics_drafted(struct db *db, int64_t merchant_id, int64_t n)
{
	int64_t day;
	enum kaeru_err e = local_day(db, merchant_id, (int64_t)time(NULL), &day);
	if (e != KAERU_OK || n <= 0)
		return e;
	json_t *doc = pending(db, merchant_id);
	if (doc) { /* a resolving inspection's: with the plan's other deltas */
		pending_add(doc, "d", json_pack("[I, I]", (json_int_t)day, (json_int_t)n));
		return KAERU_OK;
	}
	return db_exec(
	    db, sql_resale,
	    DB_ARGS(DBI(merchant_id), DBI(day), DBI(n), DBI(0), DBI(0), DBI(0), DBI(0), DBI(0)),
	    NULL, NULL);
}

/* Counts r's spans of the stages asked for, as the plan run at `now` left its row: a first
 * scan stamps received_at with now, a resolution resolved_at with the current time (now
 * here); made at r->created_at. Read from the row only when r lacks its times. */
static enum kaeru_err count_timing(struct db *db, json_t *doc, const struct ret *r,
                                   const bool stages[STAGE__MAX], int64_t now)
{
	int64_t created = 0, received = 0, spans[STAGE__MAX] = {0}, day;
	bool counted[STAGE__MAX] = {
	    [STAGE_SCAN] = stages[STAGE_SCAN], [STAGE_RESOLUTION] = stages[STAGE_RESOLUTION]};
	const char *tz;
	enum kaeru_err e = zone_of(db, r->merchant_id, &tz);
	if (e != KAERU_OK)
		return e;
	if (r->created_at && rfc3339_parse(r->created_at, &created) &&
	    (stages[STAGE_SCAN] || (r->received_at && rfc3339_parse(r->received_at, &received)))) {
		day = tz_local_day(tz, created);
		spans[STAGE_SCAN] = now - created;
		spans[STAGE_RESOLUTION] = now - received;
	} else { /* RETURN_SPANS: the spans that have happened */
		struct db_rows rows;
		if ((e = db_query(db, sql_return_spans, DB_ARGS(DBI(r->id)), &rows)) != KAERU_OK ||
		    rows.nrows == 0)
			return e;
		day = tz_local_day(tz, db_int(&rows, 0, 0));
		for (int s = 0; s < STAGE__MAX; s++) {
			counted[s] = stages[s] && !db_isnull(&rows, 0, 2 + (size_t)s);
			spans[s] = db_int(&rows, 0, 2 + (size_t)s);
		}
	}
	for (int s = 0; s < STAGE__MAX; s++)
		if (counted[s])
			pending_add(doc, "t",
			            json_pack("[I, I, s, I, I]", (json_int_t)day,
			                      (json_int_t)r->warehouse_id, stage_names[s],
			                      (json_int_t)span_bucket(spans[s]), (json_int_t)1));
	return KAERU_OK;
}

/* Counts r's items as returned on its day (sign 1), or takes them back (sign -1). */
static void count_returned(json_t *doc, const struct ret *r, int64_t day, int sign)
{
	for (size_t i = 0; i < r->n_items; i++) {
		const struct return_item *it = &r->items[i];
		json_int_t units = (json_int_t)(sign * it->quantity);
		pending_add(doc, "p",
		            json_pack("[I, s?, s?, s?, I]", (json_int_t)day, it->product_id,
		                      it->sku, it->name, units));
		pending_add(doc, "r",
		            json_pack("[I, s?, s, I]", (json_int_t)day, it->product_id,
		                      reason_names[it->reason], units));
	}
}

/* What a resolution kept and paid, on its day. */
static void count_resolved(json_t *doc, const struct ret *r, const struct plan *p, int64_t day)
{
	int64_t items[RESOLUTION__MAX] = {0}, exchange_value = 0;
	for (size_t i = 0; i < r->n_items && i < p->n_items; i++) {
		const struct return_item *it = &r->items[i];
		items[it->resolution]++;
		if (it->resolution == RESOLUTION_EXCHANGE)
			exchange_value += it->unit_price * p->items[i].money.replacements;
	}
	const struct resolve_totals *t = &p->totals;
	json_t *row = json_pack("[I, I, I, I, I, I, I]", (json_int_t)day, (json_int_t)1,
	                        (json_int_t)t->refund, (json_int_t)items[RESOLUTION_REFUND],
	                        (json_int_t)t->store_credit,
	                        (json_int_t)items[RESOLUTION_STORE_CREDIT], (json_int_t)t->bonus);
	json_array_append_new(row, json_integer(exchange_value));
	json_array_append_new(row, json_integer(items[RESOLUTION_EXCHANGE]));
	json_array_append_new(row, json_integer(t->fee));
	json_array_append_new(row, json_integer(t->withheld));
	pending_add(doc, "$", row);
}

enum kaeru_err store_analytics_plan(struct db *db, const struct ret *r, const struct plan *p,
                                    int64_t now)
{
	if (!plan_runs(p))
		return KAERU_OK;
	json_t *doc = pending(db, r->merchant_id);
	if (!doc)
		return KAERU_EINTERNAL; /* only ever run inside store_plan_run's outbox */
	if (now <= 0)
		now = (int64_t)time(NULL);
	int64_t day;
	enum kaeru_err e = KAERU_OK;
	store_analytics_zone_known(db, r);
	if (p->kind == PLAN_CREATE) {
		if ((e = local_day(db, r->merchant_id, now, &day)) == KAERU_OK)
			count_returned(doc, r, day, 1);
	} else if (p->kind == PLAN_CANCEL || p->kind == PLAN_EXPIRE) {
		int64_t made = now;
		if (r->created_at)
			rfc3339_parse(r->created_at, &made);
		if ((e = local_day(db, r->merchant_id, made, &day)) == KAERU_OK)
			count_returned(doc, r, day, -1);
	}
	if (e == KAERU_OK && p->resolves &&
	    (e = local_day(db, r->merchant_id, now, &day)) == KAERU_OK)
		count_resolved(doc, r, p, day);
	/* The spans as db/plan.c wrote them: a first scan stamps received_at (sql_receive), a
	 * resolution resolved_at. */
	bool stages[STAGE__MAX] = {
	    [STAGE_SCAN] = p->kind != PLAN_CREATE && !p->resolves && p->to != p->from &&
	                   p->to == RETURN_RECEIVED,
	    [STAGE_RESOLUTION] = p->resolves,
	};
	if (e == KAERU_OK && (stages[STAGE_SCAN] || stages[STAGE_RESOLUTION]))
		e = count_timing(db, doc, r, stages, now);
	return e;
}

static const char sql_read_skus[] =
    "SELECT product_id, sku, MAX(name), SUM(sold_units), SUM(returned_units)"
    " FROM analytics_product_days WHERE merchant_id = ? AND day BETWEEN ? AND ?"
    " GROUP BY product_id, sku ORDER BY product_id, sku";
static const char sql_read_reasons[] =
    "SELECT product_id, reason, SUM(units) FROM analytics_reason_days"
    " WHERE merchant_id = ? AND day BETWEEN ? AND ? GROUP BY product_id, reason"
    " HAVING SUM(units) <> 0";
/* Weeks start on Monday: day 4 (1970-01-05) was one. */
static const char sql_read_weeks[] =
    "SELECT day - MOD(day + 3, 7) AS week, reason, SUM(units) FROM analytics_reason_days"
    " WHERE merchant_id = ? AND day BETWEEN ? AND ? GROUP BY week, reason"
    " HAVING SUM(units) <> 0 ORDER BY week, reason";
static const char sql_read_money[] =
    "SELECT COALESCE(SUM(resolved_returns), 0), COALESCE(SUM(refund), 0),"
    " COALESCE(SUM(refund_items), 0), COALESCE(SUM(store_credit), 0),"
    " COALESCE(SUM(store_credit_items), 0), COALESCE(SUM(store_credit_bonus), 0),"
    " COALESCE(SUM(exchange_value), 0), COALESCE(SUM(exchange_items), 0),"
    " COALESCE(SUM(restocking_fees), 0), COALESCE(SUM(withheld), 0)"
    " FROM analytics_money_days WHERE merchant_id = ? AND day BETWEEN ? AND ?";
#define IN_RANGE(col)                                                                              \
	col " >= TIMESTAMPADD(SECOND, ?, '1970-01-01') AND " col                                   \
	    " < TIMESTAMPADD(SECOND, ?, '1970-01-01')"
static const char sql_read_resale[] =
    "SELECT COALESCE(SUM(drafted), 0), COALESCE(SUM(published), 0), COALESCE(SUM(sold), 0),"
    " COALESCE(SUM(sold_amount), 0), COALESCE(SUM(sold_original), 0),"
    " COALESCE(SUM(sell_seconds), 0)"
    " FROM analytics_resale_days WHERE merchant_id = ? AND day BETWEEN ? AND ?";
/* The latest customer comments of returns made in the range (a product shows up to
 * ANALYTICS_COMMENTS of them), newest first through analytics_comments' key: at most
 * ANALYTICS_COMMENTS_MAX items read, however many returns of the range carry none. */
#define ANALYTICS_COMMENTS     5
#define ANALYTICS_COMMENTS_MAX 300
static const char sql_read_comments[] =
    "SELECT i.product_id, i.comment, i.reason, i.sku,"
    " DATE_FORMAT(c.created_at, '%Y-%m-%dT%H:%i:%sZ')"
    " FROM analytics_comments c STRAIGHT_JOIN return_items i ON i.id = c.return_item_id"
    " WHERE c.merchant_id = ? AND " IN_RANGE(
        "c.created_at") " ORDER BY c.created_at DESC, c.return_item_id DESC LIMIT ?";
/* The spans' counts per warehouse, stage and bucket: days × warehouses × buckets rows. */
static const char sql_read_timing[] =
    "SELECT w.code, t.stage, t.bucket, SUM(t.n)"
    " FROM analytics_timing_days t STRAIGHT_JOIN warehouses w ON w.id = t.warehouse_id"
    " WHERE t.merchant_id = ? AND t.day BETWEEN ? AND ?"
    " GROUP BY w.code, t.stage, t.bucket ORDER BY w.code, t.stage, t.bucket";

static json_t *day_json(int64_t day)
{
	char buf[DATE_LEN];
	date_format(day, buf);
	return json_string(buf);
}

/* returned / sold, four decimals; null when nothing was sold. */
static json_t *rate_json(int64_t returned, int64_t sold)
{
	if (sold <= 0)
		return json_null();
	return json_real((double)(returned * 10000 / sold) / 10000.0);
}

static int by_worst(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_t *rx = json_object_get(x, "return_rate"), *ry = json_object_get(y, "return_rate");
	double fx = json_is_real(rx) ? json_real_value(rx) : -1,
	       fy = json_is_real(ry) ? json_real_value(ry) : -1;
	if (fx != fy)
		return fx < fy ? 1 : -1;
	json_int_t ux = json_integer_value(json_object_get(x, "returned_units"));
	json_int_t uy = json_integer_value(json_object_get(y, "returned_units"));
	if (ux != uy)
		return ux < uy ? 1 : -1;
	return strcmp(json_string_value(json_object_get(x, "product_id")),
	              json_string_value(json_object_get(y, "product_id")));
}

static enum kaeru_err read_products(struct db *db, int64_t merchant_id, int64_t from, int64_t to,
                                    const struct export_range *range, json_t *out)
{
	struct db_rows skus, reasons, comments;
	enum kaeru_err e =
	    db_query(db, sql_read_skus, DB_ARGS(DBI(merchant_id), DBI(from), DBI(to)), &skus);
	if (e == KAERU_OK)
		e = db_query(db, sql_read_reasons, DB_ARGS(DBI(merchant_id), DBI(from), DBI(to)),
		             &reasons);
	if (e == KAERU_OK)
		e = db_query(db, sql_read_comments,
		             DB_ARGS(DBI(merchant_id), DBI(range->from), DBI(range->to),
		                     DBI(ANALYTICS_COMMENTS_MAX)),
		             &comments);
	if (e != KAERU_OK)
		return e;
	json_t *by_id = json_object(); /* product_id → product */
	for (size_t i = 0; i < skus.nrows; i++) {
		const char *pid = db_str(&skus, i, 0);
		int64_t sold = db_int(&skus, i, 3), returned = db_int(&skus, i, 4);
		json_t *p = json_object_get(by_id, pid);
		if (!p) {
			p = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "product_id", pid, "name",
			              db_str(&skus, i, 2), "sold_units", (json_int_t)0,
			              "returned_units", (json_int_t)0, "reasons", json_object(),
			              "skus", json_array());
			json_object_set_new(p, "comments", json_array());
			json_object_set_new(by_id, pid, p);
		}
		json_int_t ps = json_integer_value(json_object_get(p, "sold_units")) + sold;
		json_int_t pr = json_integer_value(json_object_get(p, "returned_units")) + returned;
		json_object_set_new(p, "sold_units", json_integer(ps));
		json_object_set_new(p, "returned_units", json_integer(pr));
		json_array_append_new(json_object_get(p, "skus"),
		                      json_pack("{s:s, s:I, s:I, s:o}", "sku", db_str(&skus, i, 1),
		                                "sold_units", (json_int_t)sold, "returned_units",
		                                (json_int_t)returned, "return_rate",
		                                rate_json(returned, sold)));
	}
	for (size_t i = 0; i < reasons.nrows; i++) {
		json_t *p = json_object_get(by_id, db_str(&reasons, i, 0));
		if (p)
			json_object_set_new(json_object_get(p, "reasons"), db_str(&reasons, i, 1),
			                    json_integer(db_int(&reasons, i, 2)));
	}
	for (size_t i = 0; i < comments.nrows; i++) { /* newest first */
		json_t *list =
		    json_object_get(json_object_get(by_id, db_str(&comments, i, 0)), "comments");
		if (list && json_array_size(list) < ANALYTICS_COMMENTS)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "text",
			                                      db_str(&comments, i, 1), "reason",
			                                      db_str(&comments, i, 2), "sku",
			                                      db_str(&comments, i, 3), "at",
			                                      db_str(&comments, i, 4)));
	}
	size_t n = json_object_size(by_id), k = 0;
	json_t **list = xmalloc(sizeof(*list) * (n + 1));
	const char *key;
	json_t *p;
	json_object_foreach(by_id, key, p)
	{
		json_object_set_new(
		    p, "return_rate",
		    rate_json(json_integer_value(json_object_get(p, "returned_units")),
		              json_integer_value(json_object_get(p, "sold_units"))));
		list[k++] = p;
	}
	qsort(list, n, sizeof(*list), by_worst);
	json_t *products = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(products, list[i]);
	free(list);
	json_decref(by_id);
	json_object_set_new(out, "products", products);
	return KAERU_OK;
}

static enum kaeru_err read_reasons(struct db *db, int64_t merchant_id, int64_t from, int64_t to,
                                   json_t *out)
{
	struct db_rows weeks;
	enum kaeru_err e =
	    db_query(db, sql_read_weeks, DB_ARGS(DBI(merchant_id), DBI(from), DBI(to)), &weeks);
	if (e != KAERU_OK)
		return e;
	int64_t totals[REASON__MAX] = {0};
	json_t *weekly = json_array(), *week = NULL;
	int64_t week_day = INT64_MIN;
	for (size_t i = 0; i < weeks.nrows; i++) {
		if (db_int(&weeks, i, 0) != week_day) {
			week_day = db_int(&weeks, i, 0);
			week = json_object();
			json_array_append_new(
			    weekly,
			    json_pack("{s:o, s:o}", "week", day_json(week_day), "reasons", week));
		}
		json_object_set_new(week, db_str(&weeks, i, 1), json_integer(db_int(&weeks, i, 2)));
		int r = NAME_INDEX(reason_names, db_str(&weeks, i, 1));
		if (r >= 0)
			totals[r] += db_int(&weeks, i, 2);
	}
	json_t *reasons = json_array();
	for (int pass = 0; pass < REASON__MAX; pass++) { /* most first */
		int best = -1;
		for (int r = 0; r < REASON__MAX; r++)
			if (totals[r] > 0 && (best < 0 || totals[r] > totals[best]))
				best = r;
		if (best < 0)
			break;
		json_array_append_new(reasons, json_pack("{s:s, s:I}", "reason", reason_names[best],
		                                         "units", (json_int_t)totals[best]));
		totals[best] = 0;
	}
	json_object_set_new(out, "reasons", reasons);
	json_object_set_new(out, "reasons_weekly", weekly);
	return KAERU_OK;
}

static enum kaeru_err read_money(struct db *db, int64_t merchant_id, int64_t from, int64_t to,
                                 json_t *out)
{
	struct db_rows m;
	enum kaeru_err e =
	    db_query(db, sql_read_money, DB_ARGS(DBI(merchant_id), DBI(from), DBI(to)), &m);
	if (e != KAERU_OK)
		return e;
	json_int_t credit = db_int(&m, 0, 3), exchange = db_int(&m, 0, 6);
	json_object_set_new(out, "resolutions",
	                    json_pack("{s:{s:I, s:I}, s:{s:I, s:I, s:I}, s:{s:I, s:I}}", "refund",
	                              "items", (json_int_t)db_int(&m, 0, 2), "amount",
	                              (json_int_t)db_int(&m, 0, 1), "store_credit", "items",
	                              (json_int_t)db_int(&m, 0, 4), "amount", credit, "bonus",
	                              (json_int_t)db_int(&m, 0, 5), "exchange", "items",
	                              (json_int_t)db_int(&m, 0, 7), "amount", exchange));
	json_object_set_new(out, "resolved_returns", json_integer(db_int(&m, 0, 0)));
	json_object_set_new(out, "refunds", json_integer(db_int(&m, 0, 1)));
	json_object_set_new(out, "retained_revenue", json_integer(credit + exchange));
	json_object_set_new(out, "restocking_fees", json_integer(db_int(&m, 0, 8)));
	json_object_set_new(out, "withheld", json_integer(db_int(&m, 0, 9)));
	return KAERU_OK;
}

static enum kaeru_err read_resale(struct db *db, int64_t merchant_id, int64_t from, int64_t to,
                                  json_t *out)
{
	struct db_rows x;
	enum kaeru_err e =
	    db_query(db, sql_read_resale, DB_ARGS(DBI(merchant_id), DBI(from), DBI(to)), &x);
	if (e != KAERU_OK)
		return e;
	int64_t sold = db_int(&x, 0, 2), recovered = db_int(&x, 0, 3), original = db_int(&x, 0, 4);
	json_t *days = json_null(); /* the mean, in days to one decimal (truncated) */
	if (sold > 0)
		days = json_real(
		    (double)(int64_t)((double)db_int(&x, 0, 5) / (double)sold / 8640.0) / 10.0);
	json_object_set_new(
	    out, "resale",
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "drafted",
	              (json_int_t)db_int(&x, 0, 0), "published", (json_int_t)db_int(&x, 0, 1),
	              "sold", (json_int_t)sold, "recovered", (json_int_t)recovered,
	              "original_value", (json_int_t)original, "recovered_percent",
	              original > 0 ? json_real((double)(recovered * 1000 / original) / 10.0)
	                           : json_null(),
	              "days_to_sell", days));
	return KAERU_OK;
}

/* {"median","p90","count"} of spans counted in buckets: the hours each percentile's bucket
 * reports (core/timing.h); nulls when none. */
static json_t *spread_json(const int64_t counts[SPAN_BUCKETS])
{
	int64_t n = 0;
	for (int b = 0; b < SPAN_BUCKETS; b++)
		n += counts[b];
	int med = span_percentile(counts, 50), p90 = span_percentile(counts, 90);
	if (med < 0 || p90 < 0)
		return json_pack("{s:n, s:n, s:I}", "median", "p90", "count", (json_int_t)0);
	return json_pack("{s:I, s:I, s:I}", "median", (json_int_t)span_bucket_hours(med), "p90",
	                 (json_int_t)span_bucket_hours(p90), "count", (json_int_t)n);
}

static enum kaeru_err read_timing(struct db *db, int64_t merchant_id, int64_t from, int64_t to,
                                  json_t *out)
{
	struct db_rows x;
	enum kaeru_err e =
	    db_query(db, sql_read_timing, DB_ARGS(DBI(merchant_id), DBI(from), DBI(to)), &x);
	if (e != KAERU_OK)
		return e;
	json_t *warehouses = json_array();
	for (size_t i = 0; i < x.nrows;) { /* a warehouse's rows are one run */
		const char *code = db_str(&x, i, 0);
		int64_t counts[STAGE__MAX][SPAN_BUCKETS] = {{0}};
		for (; i < x.nrows && strcmp(db_str(&x, i, 0), code) == 0; i++) {
			int s = NAME_INDEX(stage_names, db_str(&x, i, 1));
			int64_t b = db_int(&x, i, 2);
			if (s >= 0 && b >= 0 && b < SPAN_BUCKETS)
				counts[s][b] += db_int(&x, i, 3);
		}
		json_array_append_new(warehouses, json_pack("{s:s, s:o, s:o}", "warehouse", code,
		                                            "label_to_scan_hours",
		                                            spread_json(counts[STAGE_SCAN]),
		                                            "scan_to_resolution_hours",
		                                            spread_json(counts[STAGE_RESOLUTION])));
	}
	/* Every return counts now; "sampled" stays in the answer's shape, never true. */
	json_object_set_new(out, "timing",
	                    json_pack("{s:o, s:b}", "warehouses", warehouses, "sampled", 0));
	return KAERU_OK;
}

enum kaeru_err store_analytics_read(struct db *db, int64_t merchant_id, int64_t from_day,
                                    int64_t to_day, const struct export_range *range, json_t **out)
{
	json_t *j = json_pack("{s:o, s:o}", "from", day_json(from_day), "to", day_json(to_day));
	enum kaeru_err e = read_products(db, merchant_id, from_day, to_day, range, j);
	if (e == KAERU_OK)
		e = read_reasons(db, merchant_id, from_day, to_day, j);
	if (e == KAERU_OK)
		e = read_money(db, merchant_id, from_day, to_day, j);
	if (e == KAERU_OK)
		e = read_resale(db, merchant_id, from_day, to_day, j);
	if (e == KAERU_OK)
		e = read_timing(db, merchant_id, from_day, to_day, j);
	if (e != KAERU_OK) {
		json_decref(j);
		return e;
	}
	*out = j;
	return KAERU_OK;
}

/* ---- rebuilding a merchant's aggregates from its records (kaeru-admin analytics rebuild) ---- */

/* The merchant's queued deltas first (069_analytics_pending.sql): their changes are in the
 * records counted below. */
static const char *const sql_wipe[] = {
    "DELETE FROM analytics_pending WHERE merchant_id = ?",
    "DELETE FROM analytics_product_days WHERE merchant_id = ?",
    "DELETE FROM analytics_reason_days WHERE merchant_id = ?",
    "DELETE FROM analytics_money_days WHERE merchant_id = ?",
    "DELETE FROM analytics_resale_days WHERE merchant_id = ?",
    "DELETE FROM analytics_comments WHERE merchant_id = ?",
    "DELETE FROM analytics_timing_days WHERE merchant_id = ?",
};
static const char sql_orders_of[] = "SELECT order_number FROM orders WHERE merchant_id = ?";
/* Each counted return: id, resolved_at, whether resolved, then RETURN_SPANS (from column 3). */
#define RETURN_SPANS_COL 3
static const char sql_returns_of[] =
    "SELECT id, TIMESTAMPDIFF(SECOND, '1970-01-01', resolved_at), status = 'resolved',"
    " " RETURN_SPANS
    " FROM returns WHERE merchant_id = ? AND status NOT IN ('canceled', 'expired')";
static const char sql_rebuild_comments[] = COMMENTED_ITEMS "r.merchant_id = ?";
static const char sql_listings_of[] = LISTING_TIMES;
static const char sql_rebuild_returned[] =
    "INSERT INTO analytics_product_days (merchant_id, day, product_id, sku, name, returned_units)"
    " SELECT ?, ?, product_id, sku, MAX(name), SUM(quantity) FROM return_items"
    " WHERE return_id = ? GROUP BY product_id, sku"
    " ON DUPLICATE KEY UPDATE returned_units = returned_units + VALUES(returned_units)";
static const char sql_rebuild_reasons[] =
    "INSERT INTO analytics_reason_days (merchant_id, day, product_id, reason, units)"
    " SELECT ?, ?, product_id, reason, SUM(quantity) FROM return_items"
    " WHERE return_id = ? GROUP BY product_id, reason"
    " ON DUPLICATE KEY UPDATE units = units + VALUES(units)";
static const char sql_rebuild_money[] =
    "INSERT INTO analytics_money_days (merchant_id, day, resolved_returns, refund, refund_items,"
    " store_credit, store_credit_items, store_credit_bonus, exchange_value, exchange_items,"
    " restocking_fees, withheld)"
    " SELECT ?, ?, 1, COALESCE(MAX(r.refund_total), 0), SUM(i.resolution = 'refund'),"
    " COALESCE(MAX(r.store_credit_total), 0), SUM(i.resolution = 'store_credit'),"
    " COALESCE(MAX(r.bonus_total), 0),"
    " SUM(IF(i.resolution = 'exchange', i.unit_price * COALESCE(i.received_quantity, 0), 0)),"
    " SUM(i.resolution = 'exchange'), COALESCE(MAX(r.restocking_fee_total), 0),"
    " (SELECT COALESCE(SUM(l.withheld), 0) FROM ledger_entries l WHERE l.return_id = r.id)"
    " FROM returns r JOIN return_items i ON i.return_id = r.id WHERE r.id = ? GROUP BY r.id"
    " ON DUPLICATE KEY UPDATE resolved_returns = resolved_returns + 1,"
    " refund = refund + VALUES(refund), refund_items = refund_items + VALUES(refund_items),"
    " store_credit = store_credit + VALUES(store_credit),"
    " store_credit_items = store_credit_items + VALUES(store_credit_items),"
    " store_credit_bonus = store_credit_bonus + VALUES(store_credit_bonus),"
    " exchange_value = exchange_value + VALUES(exchange_value),"
    " exchange_items = exchange_items + VALUES(exchange_items),"
    " restocking_fees = restocking_fees + VALUES(restocking_fees),"
    " withheld = withheld + VALUES(withheld)";

enum kaeru_err store_analytics_rebuild(struct db *db, int64_t merchant_id, int64_t *orders,
                                       int64_t *returns)
{
	enum kaeru_err e = KAERU_OK;
	for (size_t k = 0; e == KAERU_OK && k < sizeof(sql_wipe) / sizeof(sql_wipe[0]); k++)
		e = db_exec(db, sql_wipe[k], DB_ARGS(DBI(merchant_id)), NULL, NULL);
	struct db_rows os, rs, ls;
	const char *tz = "UTC";
	if (e == KAERU_OK)
		e = zone_of(db, merchant_id, &tz);
	if (e == KAERU_OK)
		e = db_query(db, sql_orders_of, DB_ARGS(DBI(merchant_id)), &os);
	if (e == KAERU_OK)
		e = db_query(db, sql_returns_of, DB_ARGS(DBI(merchant_id)), &rs);
	if (e == KAERU_OK)
		e = db_query(db, sql_listings_of, DB_ARGS(DBI(merchant_id)), &ls);
	if (e == KAERU_OK)
		e = db_exec(db, sql_rebuild_comments, DB_ARGS(DBI(merchant_id)), NULL, NULL);
	if (e != KAERU_OK)
		return e;
	for (size_t i = 0; e == KAERU_OK && i < os.nrows; i++)
		e = store_analytics_order(db, merchant_id, db_str(&os, i, 0), 1, NULL);
	static const bool both[STAGE__MAX] = {[STAGE_SCAN] = true, [STAGE_RESOLUTION] = true};
	for (size_t i = 0; e == KAERU_OK && i < rs.nrows; i++) {
		int64_t id = db_int(&rs, i, 0);
		int64_t made = tz_local_day(tz, db_int(&rs, i, RETURN_SPANS_COL));
		e = db_exec(db, sql_rebuild_returned, DB_ARGS(DBI(merchant_id), DBI(made), DBI(id)),
		            NULL, NULL);
		if (e == KAERU_OK)
			e = db_exec(db, sql_rebuild_reasons,
			            DB_ARGS(DBI(merchant_id), DBI(made), DBI(id)), NULL, NULL);
		if (e == KAERU_OK && db_int(&rs, i, 2) && !db_isnull(&rs, i, 1))
			e = db_exec(db, sql_rebuild_money,
			            DB_ARGS(DBI(merchant_id),
			                    DBI(tz_local_day(tz, db_int(&rs, i, 1))), DBI(id)),
			            NULL, NULL);
		if (e == KAERU_OK)
			e = count_spans(db, merchant_id, tz, &rs, i, RETURN_SPANS_COL, both);
	}
	/* A listing's life as its row tells it: drafted, published unless withdrawn since, sold. */
	static const enum resale_change lives[] = {RESALE_DRAFTED, RESALE_PUBLISHED, RESALE_SOLD};
	for (size_t i = 0; e == KAERU_OK && i < ls.nrows; i++)
		for (size_t k = 0; e == KAERU_OK && k < sizeof(lives) / sizeof(lives[0]); k++)
			e = count_listing(db, merchant_id, tz, &ls, i, lives[k]);
	*orders = (int64_t)os.nrows;
	*returns = (int64_t)rs.nrows;
	return e;
}

/* ---- folding the queued deltas of return plans into the aggregates (kaeru-worker) ---- */

/* The oldest queued documents, locked: the fold deletes them, so on Galera too two folds of
 * the same rows cannot both commit. */
static const char sql_pending_batch[] =
    "SELECT id, data FROM analytics_pending ORDER BY id LIMIT ? FOR UPDATE";
static const char sql_pending_delete[] =
    "DELETE p FROM analytics_pending p JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED"
    " PATH '$')) j ON p.id = j.id";
/* A JSON array of folded rows [merchant, day, ...] as a table (j.m, j.d, then the columns). */
#define FOLD_FROM(columns)                                                                         \
	" FROM JSON_TABLE(?, '$[*]' COLUMNS (m BIGINT UNSIGNED PATH '$[0]', d INT PATH "           \
	"'$[1]', " columns ")) j"
#define TEXT_AT(i) " LONGTEXT CHARACTER SET utf8mb4 PATH '$[" #i "]'"
#define ADD(col)   col " = " col " + VALUES(" col ")"
// clang-format off
#define MONEY_ADD                                                                                  \
	" " ADD("resolved_returns") ", " ADD("refund") ", " ADD("refund_items") ", "               \
	ADD("store_credit") ", " ADD("store_credit_items") ", " ADD("store_credit_bonus") ", "     \
	ADD("exchange_value") ", " ADD("exchange_items") ", " ADD("restocking_fees") ", "          \
	ADD("withheld")
// clang-format on

/* A kind of delta: its rows [day, keys..., texts..., sums...] add up by (merchant, day, keys);
 * a text (the product's name) is the first one's, as an insert keeps the first name. Folded as
 * [merchant, day, keys..., texts..., sums...] by sql. */
struct fold_kind {
	const char *name;
	size_t keys, texts, sums; /* keys: after the day */
	const char *sql;
};
static const struct fold_kind fold_kinds[] = {
    {"p", 2, 1, 1,
     "INSERT INTO analytics_product_days (merchant_id, day, product_id, sku, name,"
     " returned_units) SELECT j.m, j.d, j.k1, j.k2, j.t1, j.s1" FOLD_FROM(
         "k1" TEXT_AT(2) ", k2" TEXT_AT(3) ", t1" TEXT_AT(
             4) ", s1 BIGINT PATH '$[5]'") " ON DUPLICATE KEY UPDATE " ADD("returned_units")},
    {"r", 2, 0, 1,
     "INSERT INTO analytics_reason_days (merchant_id, day, product_id, reason, units)"
     " SELECT j.m, j.d, j.k1, j.k2, j.s1" FOLD_FROM("k1" TEXT_AT(2) ", k2" TEXT_AT(
         3) ", s1 BIGINT PATH '$[4]'") " ON DUPLICATE KEY UPDATE " ADD("units")},
    {"$", 0, 0, 10,
     "INSERT INTO analytics_money_days (merchant_id, day, resolved_returns, refund,"
     " refund_items, store_credit, store_credit_items, store_credit_bonus, exchange_value,"
     " exchange_items, restocking_fees, withheld)"
     " SELECT j.m, j.d, j.s1, j.s2, j.s3, j.s4, j.s5, j.s6, j.s7, j.s8, j.s9, j.s10" FOLD_FROM(
         "s1 BIGINT PATH '$[2]', s2 BIGINT PATH '$[3]', s3 BIGINT PATH '$[4]',"
         " s4 BIGINT PATH '$[5]', s5 BIGINT PATH '$[6]', s6 BIGINT PATH '$[7]',"
         " s7 BIGINT PATH '$[8]', s8 BIGINT PATH '$[9]', s9 BIGINT PATH '$[10]',"
         " s10 BIGINT PATH '$[11]'") " ON DUPLICATE KEY UPDATE" MONEY_ADD},
    {"t", 3, 0, 1,
     "INSERT INTO analytics_timing_days (merchant_id, day, warehouse_id, stage, bucket, n)"
     " SELECT j.m, j.d, j.k1, j.k2, j.k3, j.s1" FOLD_FROM(
         "k1 BIGINT UNSIGNED PATH '$[2]', k2 VARCHAR(16) PATH '$[3]', k3 INT PATH '$[4]',"
         " s1 BIGINT PATH '$[5]'") " ON DUPLICATE KEY UPDATE " ADD("n")},
    {"d", 0, 0, 1,
     "INSERT INTO analytics_resale_days (merchant_id, day, drafted) SELECT j.m, j.d, "
     "j.s1" FOLD_FROM("s1 BIGINT PATH '$[2]'") " ON DUPLICATE KEY UPDATE " ADD("drafted")},
};
#define FOLD_KINDS (sizeof(fold_kinds) / sizeof(fold_kinds[0]))

/* Orders folded rows by their key (merchant, day, keys: numbers as numbers, text as bytes,
 * utf8mb4_bin's order): every fold locks the day rows it writes in the same order. */
static _Thread_local size_t fold_key_len;
static int fold_row_cmp(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	for (size_t i = 0; i < fold_key_len; i++) {
		json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
		int c = json_is_integer(x) ? (json_integer_value(x) > json_integer_value(y)) -
		                                 (json_integer_value(x) < json_integer_value(y))
		                           : strcmp(json_string_value(x), json_string_value(y));
		if (c)
			return c;
	}
	return 0;
}

/* Adds document doc's rows of kind k into sums (key text → folded row). */
static void fold_add(json_t *sums, const struct fold_kind *k, json_int_t merchant, json_t *rows)
{
	size_t i, width = 1 + k->keys + k->texts + k->sums;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		if (json_array_size(row) != width)
			continue; /* not a document of this version: nothing to add */
		json_t *folded = json_pack("[I]", merchant);
		for (size_t c = 0; c < width; c++) {
			json_t *v = json_array_get(row, c);
			json_array_append_new(folded, json_is_null(v) ? json_string("")
			                                              : json_deep_copy(v));
		}
		json_t *key = json_array();
		for (size_t c = 0; c < 2 + k->keys; c++)
			json_array_append(key, json_array_get(folded, c));
		char *text = json_dumps(key, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(key);
		json_t *have = text ? json_object_get(sums, text) : NULL;
		if (!text) {
			json_decref(folded);
			continue;
		}
		if (!have) {
			json_object_set_new(sums, text, folded);
		} else {
			for (size_t c = width + 1 - k->sums; c <= width; c++)
				json_array_set_new(
				    have, c,
				    json_integer(json_integer_value(json_array_get(have, c)) +
				                 json_integer_value(json_array_get(folded, c))));
			json_decref(folded);
		}
		free(text);
	}
}

/* Writes the folded rows of kind k in key order, in one statement. */
static enum kaeru_err fold_write(struct db *db, const struct fold_kind *k, json_t *sums)
{
	size_t n = json_object_size(sums), i = 0;
	if (n == 0)
		return KAERU_OK;
	json_t **rows = xmalloc(sizeof(*rows) * n), *row;
	const char *key;
	json_object_foreach(sums, key, row) rows[i++] = row;
	fold_key_len = 2 + k->keys;
	qsort(rows, n, sizeof(*rows), fold_row_cmp);
	json_t *list = json_array();
	for (i = 0; i < n; i++)
		json_array_append(list, rows[i]);
	free(rows);
	char *text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	enum kaeru_err e =
	    text ? db_exec(db, k->sql, DB_ARGS(DBS(text)), NULL, NULL) : KAERU_EINTERNAL;
	free(text);
	return e;
}

enum kaeru_err store_analytics_fold(struct db *db, int64_t limit, int64_t *n)
{
	struct db_rows batch;
	*n = 0;
	enum kaeru_err e = db_query(db, sql_pending_batch, DB_ARGS(DBI(limit)), &batch);
	if (e != KAERU_OK || batch.nrows == 0)
		return e;
	json_t *sums[FOLD_KINDS], *ids = json_array();
	for (size_t k = 0; k < FOLD_KINDS; k++)
		sums[k] = json_object();
	for (size_t i = 0; i < batch.nrows; i++) {
		json_array_append_new(ids, json_integer(db_int(&batch, i, 0)));
		json_t *doc = json_loads(db_str(&batch, i, 1), 0, NULL);
		json_int_t merchant = json_integer_value(json_object_get(doc, "m"));
		for (size_t k = 0; merchant > 0 && k < FOLD_KINDS; k++)
			fold_add(sums[k], &fold_kinds[k], merchant,
			         json_object_get(doc, fold_kinds[k].name));
		json_decref(doc);
	}
	for (size_t k = 0; k < FOLD_KINDS; k++) {
		if (e == KAERU_OK)
			e = fold_write(db, &fold_kinds[k], sums[k]);
		json_decref(sums[k]);
	}
	char *text = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	uint64_t deleted = 0;
	if (e == KAERU_OK)
		e = text ? db_exec(db, sql_pending_delete, DB_ARGS(DBS(text)), &deleted, NULL)
		         : KAERU_EINTERNAL;
	free(text);
	if (e == KAERU_OK && deleted != batch.nrows)
		e = KAERU_ERETRY; /* another fold took some: this one's sums are wrong, run again */
	if (e == KAERU_OK)
		*n = (int64_t)batch.nrows;
	return e;
}
