/* Returns, their items and timeline; the lookup throttle. */
#include "db/events.h"
#include "db/media.h"
#include "db/search.h"
#include "db/store.h"

#include <assert.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a resolved return settled to, stored when it resolved (NULL before). */
#define TOTALS_COLUMNS                                                                             \
	"r.refund_total, r.restocking_fee_total, r.store_credit_total, r.bonus_total,"             \
	" r.missing_units"
#define TOTALS_NCOLUMNS 5

/* The return's row with its order's, warehouse's and merchant's columns: one statement for
 * everything a handler checks before it decides. */
#define RETURN_COLUMNS                                                                             \
	"r.id, r.merchant_id, r.order_id, r.warehouse_id, r.rma, r.tracking_key,"                  \
	" r.status, DATE_FORMAT(r.created_at, '%Y-%m-%dT%H:%i:%sZ'), o.order_number,"              \
	" o.currency, o.shipping_address, w.code, w.name,"                                         \
	" DATE_FORMAT(r.received_at, '%Y-%m-%dT%H:%i:%sZ'),"                                       \
	" TIMESTAMPDIFF(SECOND, '1970-01-01', r.expires_at), w.address,"                           \
	" " TOTALS_COLUMNS ", r.revision, " MERCHANT_COLUMNS
#define RETURN_ROW "SELECT " RETURN_COLUMNS
#define RETURN_ROW_FROM                                                                            \
	" FROM returns r JOIN orders o ON o.id = r.order_id"                                       \
	" JOIN warehouses w ON w.id = r.warehouse_id JOIN merchants m ON m.id = r.merchant_id"
static const char sql_return_get[] = RETURN_ROW RETURN_ROW_FROM " WHERE r.rma = ?";
#define RETURN_NCOLUMNS (17 + TOTALS_NCOLUMNS) /* the merchant's columns follow */
/* An item's columns (items_from_rows reads them), of return_items ri joined to order_lines l
 * and, for the exchange's variant as stock names it, ITEM_INVENTORY. */
#define ITEM_COLUMNS                                                                               \
	"ri.id, ri.order_line_id, l.line_id, ri.sku, ri.name, ri.variant, ri.product_id,"          \
	" ri.quantity, ri.unit_price, ri.reserved_quantity, ri.reason, ri.comment, ri.resolution," \
	" ri.exchange_sku, ri.status, ri.received_quantity, ri.grade, ri.disposition, ri.note,"    \
	" inv.variant, ri.category"
#define ITEM_NCOLUMNS 21
#define ITEM_INVENTORY(merchant)                                                                   \
	" LEFT JOIN inventory inv ON inv.merchant_id = " merchant " AND inv.sku = ri.exchange_sku"
/* The money rules the return keeps (NULL for returns made before 014). */
#define POLICY_COLUMNS                                                                             \
	"rp.restocking_fee_percent, rp.fee_reasons, rp.store_credit_bonus_percent,"                \
	" rp.resale_percent_new, rp.resale_percent_like_new, rp.resale_percent_good,"              \
	" rp.resale_percent_fair, rp.price_step"
/* The return whole, in one statement: everything a change decides from and its answer shows.
 * Rows of four kinds, told apart by the first column (WHOLE_*): the return's row with its
 * revision, merchant and the money rules it keeps, repeated with each of its items' columns
 * (one row, items NULL, without); then a row for each event of its timeline, each photo and
 * each replacement shipment, their columns first and the rest NULL (return_whole_sql pads
 * them). Rows, not JSON_ARRAYAGG columns: MariaDB builds an aggregate of JSON documents in a
 * temporary structure per execution, ~300 µs of its CPU each on the bench machine, where these
 * rows cost a few µs. No ORDER BY either (a temporary table and a filesort): each kind is put
 * in order here. */
enum { WHOLE_RETURN = 0, WHOLE_EVENT, WHOLE_PHOTO, WHOLE_SHIPMENT, WHOLE_SESSION };
/* Columns of a kind's rows less the first (whole_split's views): */
#define WHOLE_POLICY (RETURN_NCOLUMNS + MERCHANT_NCOLUMNS) /* rp.return_id, then its rules */
#define WHOLE_ITEM   (WHOLE_POLICY + 9)
#define WHOLE_WIDTH  (1 + WHOLE_ITEM + ITEM_NCOLUMNS) /* every row's, the kind's included */
static const char whole_return_part[] =
    "SELECT 0, " RETURN_COLUMNS ", rp.return_id, " POLICY_COLUMNS ", " ITEM_COLUMNS RETURN_ROW_FROM
    " LEFT JOIN return_policies rp ON rp.return_id = r.id"
    " LEFT JOIN (return_items ri JOIN order_lines l ON l.id = ri.order_line_id)"
    " ON ri.return_id = r.id" ITEM_INVENTORY("r.merchant_id") " WHERE r.rma = ?";
/* The other kinds: their columns (and how many), and where they come from. The return's row is
 * read by its unique RMA while the statement is planned, so a kind its row says it has none of
 * (no photos: has_photos, 070_whole_read_gated.sql; shipments only once resolved) is dropped
 * there, its tables not planned nor opened: ~40 µs of MariaDB's CPU each a read on the bench
 * machine, of the ~370 µs of the whole. The other kinds: An event: its id
 * (the order), then what load_events reads; a photo: PHOTO_COLUMNS then what PHOTO_ORDER
 * orders by besides them; a shipment: its id (the order), then what load_shipments reads; the
 * staff session's user (store_return_whole_session alone), at most one row. */
static const struct whole_part {
	const char *columns;
	int ncolumns;
	const char *from;
} whole_parts[] = {
    [WHOLE_EVENT] = {"e.id, DATE_FORMAT(e.at, '%Y-%m-%dT%H:%i:%sZ'), e.type, e.actor, e.detail,"
                     " u.email",
                     6,
                     " FROM returns r JOIN return_events e ON e.return_id = r.id"
                     " LEFT JOIN users u ON u.id = e.user_id WHERE r.rma = ?"},
    [WHOLE_PHOTO] = {PHOTO_COLUMNS ", p.return_item_id IS NULL, p.position", 8,
                     " FROM returns r JOIN return_photos p ON p.return_id = r.id" PHOTO_JOIN
                     " WHERE r.rma = ? AND r.has_photos"},
    [WHOLE_SHIPMENT] = {"s.id, s.sku, COALESCE(inv.variant, ''), s.quantity", 4,
                        " FROM returns r JOIN shipments s ON s.return_id = r.id"
                        " LEFT JOIN inventory inv ON inv.merchant_id = s.merchant_id"
                        " AND inv.sku = s.sku WHERE r.rma = ? AND r.status = 'resolved'"},
    [WHOLE_SESSION] = {SESSION_USER_COLUMNS, SESSION_USER_NCOLUMNS, SESSION_USER_FROM},
};
static char whole_sql[8192], whole_session_sql[8192]; /* without and with WHOLE_SESSION */
static pthread_once_t whole_once = PTHREAD_ONCE_INIT;

/* Appends the UNION ALL of kind k's rows to sql (n of its size used); the new length. */
static size_t whole_sql_add(char *sql, size_t size, size_t n, int k)
{
	const struct whole_part *part = &whole_parts[k];
	n += (size_t)snprintf(sql + n, size - n, " UNION ALL SELECT %d, %s", k, part->columns);
	for (int c = 1 + part->ncolumns; c < WHOLE_WIDTH && n < size; c++)
		n += (size_t)snprintf(sql + n, size - n, ", NULL");
	if (n < size)
		n += (size_t)snprintf(sql + n, size - n, "%s", part->from);
	return n;
}

static void whole_sql_build(void)
{
	size_t n = (size_t)snprintf(whole_sql, sizeof(whole_sql), "%s", whole_return_part);
	for (int k = WHOLE_EVENT; k <= WHOLE_SHIPMENT && n < sizeof(whole_sql); k++)
		n = whole_sql_add(whole_sql, sizeof(whole_sql), n, k);
	if (n < sizeof(whole_sql) && n < sizeof(whole_session_sql)) {
		memcpy(whole_session_sql, whole_sql, n + 1);
		n = whole_sql_add(whole_session_sql, sizeof(whole_session_sql), n, WHOLE_SESSION);
	}
	if (n >= sizeof(whole_sql) || n >= sizeof(whole_session_sql))
		abort(); /* a fixed text: too long for its buffer is a build defect */
}

/* The text of store_return_whole's statement, and with the session of
 * store_return_whole_session, made once (its address names the prepared statement). */
static const char *return_whole_sql(bool session)
{
	pthread_once(&whole_once, whole_sql_build);
	return session ? whole_session_sql : whole_sql;
}
static const char sql_items_get[] =
    "SELECT " ITEM_COLUMNS
    " FROM return_items ri JOIN order_lines l ON l.id = ri.order_line_id" ITEM_INVENTORY(
        "?") " WHERE ri.return_id = ? ORDER BY ri.id";
static const char sql_events_get[] =
    "SELECT DATE_FORMAT(e.at, '%Y-%m-%dT%H:%i:%sZ'), e.type, e.actor, e.detail, u.email"
    " FROM return_events e LEFT JOIN users u ON u.id = e.user_id"
    " WHERE e.return_id = ? ORDER BY e.id";
static const char sql_shipments_get[] =
    "SELECT s.sku, COALESCE(inv.variant, ''), s.quantity FROM shipments s"
    " LEFT JOIN inventory inv ON inv.merchant_id = s.merchant_id AND inv.sku = s.sku"
    " WHERE s.return_id = ? ORDER BY s.id";
static const char sql_by_idempotency[] =
    "SELECT rma, request_hash FROM returns WHERE order_id = ? AND idempotency_key = ?";
static const char sql_return_insert[] =
    "INSERT INTO returns (rma, merchant_id, order_id, warehouse_id, tracking_key, status,"
    " idempotency_key, request_hash, language, created_at, updated_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, 'label_issued', ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
    " TIMESTAMPADD(SECOND, ?, '1970-01-01')) RETURNING id,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " (SELECT w.code FROM warehouses w WHERE w.id = warehouse_id),"
    " (SELECT w.name FROM warehouses w WHERE w.id = warehouse_id),"
    " (SELECT w.address FROM warehouses w WHERE w.id = warehouse_id),"
    " (SELECT m.timezone FROM merchants m WHERE m.id = merchant_id)";
/* A new return's items as one JSON array of rows, in order; each one's id and its exchange's
 * variant as stock names it come back (RETURNING), in the same order. */
static const char sql_items_insert[] =
    "INSERT INTO return_items (return_id, order_line_id, sku, product_id, name, variant, category,"
    " unit_price, quantity, reason, comment, resolution, exchange_sku, reserved_quantity)"
    " SELECT ?, j.line, j.sku, j.product_id, j.name, j.variant, j.category, j.unit_price,"
    " j.quantity, j.reason, j.comment, j.resolution, j.exchange_sku, j.reserved"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, line BIGINT UNSIGNED PATH '$[0]',"
    " sku LONGTEXT CHARACTER SET utf8mb4 PATH '$[1]',"
    " product_id LONGTEXT CHARACTER SET utf8mb4 PATH '$[2]',"
    " name LONGTEXT CHARACTER SET utf8mb4 PATH '$[3]',"
    " variant LONGTEXT CHARACTER SET utf8mb4 PATH '$[4]',"
    " category LONGTEXT CHARACTER SET utf8mb4 PATH '$[5]', unit_price BIGINT PATH '$[6]',"
    " quantity BIGINT PATH '$[7]', reason VARCHAR(32) PATH '$[8]',"
    " comment LONGTEXT CHARACTER SET utf8mb4 PATH '$[9]', resolution VARCHAR(32) PATH '$[10]',"
    " exchange_sku LONGTEXT CHARACTER SET utf8mb4 PATH '$[11]', reserved BIGINT PATH '$[12]'))"
    " j ORDER BY j.n RETURNING id, (SELECT inv.variant FROM inventory inv"
    " WHERE inv.merchant_id = ? AND inv.sku = exchange_sku)";
static const char sql_event_insert[] =
    "INSERT INTO return_events (return_id, at, type, actor, user_id, detail)"
    " VALUES (?, NOW(3), ?, ?, ?, ?)";
/* The line's units in returns that count, raised by a new return's units but never above what
 * was sold: a certified write on the line, so two creates on two Galera nodes conflict. */
#define LINES_JSON                                                                                 \
	" JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$[0]', q BIGINT PATH "       \
	"'$[1]'))"                                                                                 \
	" j ON l.id = j.id"
static const char sql_lines_take[] =
    "UPDATE order_lines l" LINES_JSON " SET l.returned_quantity = l.returned_quantity + j.q"
    " WHERE l.quantity - l.returned_quantity >= j.q";
/* A canceled or expired return gives its units back to their lines (see 013_cluster.sql). */
static const char sql_lines_give_back[] =
    "UPDATE order_lines l" LINES_JSON
    " SET l.returned_quantity = GREATEST(l.returned_quantity - j.q, 0)";
/* A change run again takes the row first (a write: locked until COMMIT, and certified on
 * Galera), then reads: every other writer of the return writes this row first too, so what it
 * reads stays as read, and the change cannot lose to another one again on this node. */
static const char sql_return_bump[] = "UPDATE returns SET revision = revision + 1 WHERE id = ?";
/* The first write of a change that does not move the status (db/plan.c's moves bind the
 * revision themselves): see store_return_guard. */
static const char sql_return_guard[] =
    "UPDATE returns SET revision = revision + 1, updated_at = CURRENT_TIMESTAMP"
    " WHERE id = ? AND revision = ?";
static const char sql_item_unreserve[] =
    "UPDATE return_items SET reserved_quantity = 0 WHERE id = ?";

/* The status named by a cell; EINTERNAL for a name the schema would not store. */
static enum kaeru_err status_from(const char *name, enum return_status *out)
{
	int s = NAME_INDEX(return_status_names, name);
	if (s < 0)
		return KAERU_EINTERNAL;
	*out = (enum return_status)s;
	return KAERU_OK;
}

/* r's items from the rows' ITEM_COLUMNS at column col (rows whose item id is NULL are none). */
static enum kaeru_err items_from_rows(struct db *db, const struct db_rows *rows, size_t col,
                                      struct ret *r)
{
	size_t n = 0;
	for (size_t i = 0; i < rows->nrows; i++)
		n += !db_isnull(rows, i, col);
	r->n_items = n;
	r->items = arena_zalloc(db->arena, sizeof(*r->items) * (n + 1));
	for (size_t i = 0, k = 0; i < rows->nrows; i++) {
		if (db_isnull(rows, i, col))
			continue;
		struct return_item *it = &r->items[k++];
		it->id = db_int(rows, i, col + 0);
		it->order_line_id = db_int(rows, i, col + 1);
		it->line_id = db_str(rows, i, col + 2);
		it->sku = db_str(rows, i, col + 3);
		it->name = db_str(rows, i, col + 4);
		it->variant = db_str(rows, i, col + 5);
		it->product_id = db_str(rows, i, col + 6);
		it->quantity = db_int(rows, i, col + 7);
		it->unit_price = db_int(rows, i, col + 8);
		it->reserved_quantity = db_int(rows, i, col + 9);
		int reason = NAME_INDEX(reason_names, db_str(rows, i, col + 10));
		int resolution = NAME_INDEX(resolution_names, db_str(rows, i, col + 12));
		if (reason < 0 || resolution < 0)
			return KAERU_EINTERNAL; /* the schema only stores known names */
		it->reason = (enum reason)reason;
		it->comment = db_str(rows, i, col + 11);
		it->resolution = (enum resolution)resolution;
		it->exchange_sku = db_str(rows, i, col + 13);
		it->status = db_str(rows, i, col + 14);
		it->has_received = !db_isnull(rows, i, col + 15);
		it->received_quantity = db_int(rows, i, col + 15);
		it->grade = db_str(rows, i, col + 16);
		it->disposition = db_str(rows, i, col + 17);
		it->note = db_str(rows, i, col + 18);
		it->exchange_variant = db_str(rows, i, col + 19);
		it->category = db_str(rows, i, col + 20);
	}
	return KAERU_OK;
}

enum kaeru_err store_return_items(struct db *db, struct ret *r)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_items_get, DB_ARGS(DBI(r->merchant_id), DBI(r->id)), &rows);
	return e == KAERU_OK ? items_from_rows(db, &rows, 0, r) : e;
}

/* r's timeline from rows of [at, type, actor, detail, staff e-mail] at column col, in order. */
static void events_from_rows(struct db *db, const struct db_rows *rows, size_t col, struct ret *r)
{
	r->n_events = rows->nrows;
	r->events = arena_zalloc(db->arena, sizeof(*r->events) * (rows->nrows + 1));
	for (size_t i = 0; i < rows->nrows; i++) {
		r->events[i].at = db_str(rows, i, col);
		r->events[i].type = db_str(rows, i, col + 1);
		r->events[i].actor = db_str(rows, i, col + 2);
		r->events[i].detail_json = db_str(rows, i, col + 3);
		r->events[i].staff = db_str(rows, i, col + 4);
	}
}

static enum kaeru_err load_events(struct db *db, struct ret *r)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_events_get, DB_ARGS(DBI(r->id)), &rows);
	if (e == KAERU_OK)
		events_from_rows(db, &rows, 0, r);
	return e;
}

/* Reads the stored totals from column col of a row: has_totals when they are there. */
static void totals_from_row(const struct db_rows *rows, size_t col, struct ret *r)
{
	r->has_totals = !db_isnull(rows, 0, col);
	r->totals = (struct resolve_totals){
	    .refund = db_int(rows, 0, col),
	    .fee = db_int(rows, 0, col + 1),
	    .store_credit = db_int(rows, 0, col + 2),
	    .bonus = db_int(rows, 0, col + 3),
	    .missing = db_int(rows, 0, col + 4),
	};
}

/* r's replacement shipments from rows of [sku, variant, quantity] at column col, in order. */
static void shipments_from_rows(struct db *db, const struct db_rows *rows, size_t col,
                                struct ret *r)
{
	r->n_shipments = rows->nrows;
	r->shipments = arena_zalloc(db->arena, sizeof(*r->shipments) * (rows->nrows + 1));
	r->totals.replacements = 0;
	for (size_t i = 0; i < rows->nrows; i++) {
		r->shipments[i].sku = db_str(rows, i, col);
		r->shipments[i].variant = db_str(rows, i, col + 1);
		r->shipments[i].quantity = db_int(rows, i, col + 2);
		r->totals.replacements += r->shipments[i].quantity;
	}
}

/* The replacement shipments of a resolved return (its totals came with its row). */
static enum kaeru_err load_shipments(struct db *db, struct ret *r)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_shipments_get, DB_ARGS(DBI(r->id)), &rows);
	if (e == KAERU_OK)
		shipments_from_rows(db, &rows, 0, r);
	return e;
}

/* r (and m unless NULL) from the RETURN_ROW columns of rows' first row. */
static enum kaeru_err return_from_row(const struct db_rows *rows, struct ret *r, struct merchant *m)
{
	memset(r, 0, sizeof(*r));
	r->id = db_int(rows, 0, 0);
	r->merchant_id = db_int(rows, 0, 1);
	r->order_id = db_int(rows, 0, 2);
	r->warehouse_id = db_int(rows, 0, 3);
	snprintf(r->rma, sizeof(r->rma), "%s", db_str(rows, 0, 4));
	r->tracking_key = db_str(rows, 0, 5);
	enum kaeru_err e = status_from(db_str(rows, 0, 6), &r->status);
	if (e != KAERU_OK)
		return e;
	r->created_at = db_str(rows, 0, 7);
	r->order_number = db_str(rows, 0, 8);
	r->currency = db_str(rows, 0, 9);
	r->shipping_address_json = db_str(rows, 0, 10);
	r->warehouse_code = db_str(rows, 0, 11);
	r->warehouse_name = db_str(rows, 0, 12);
	r->received_at = db_str(rows, 0, 13);
	r->expires_at = db_int(rows, 0, 14);
	r->warehouse_address_json = db_str(rows, 0, 15);
	totals_from_row(rows, 16, r);
	r->revision = db_int(rows, 0, 16 + TOTALS_NCOLUMNS);
	if (m) {
		store_merchant_from_row(rows, 0, RETURN_NCOLUMNS, m);
		r->timezone = m->timezone;
	}
	return KAERU_OK;
}

enum kaeru_err store_return_row(struct db *db, const char *rma, struct ret *r, struct merchant *m)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_return_get, DB_ARGS(DBS(rma)), &rows);
	if (e != KAERU_OK)
		return e;
	return rows.nrows == 0 ? KAERU_ENOTFOUND : return_from_row(&rows, r, m);
}

/* Orders the rows of one kind of sql_return_whole's by up to four columns of numbers (a NULL
 * first); their first column is left out of the view. */
struct whole_order {
	size_t n, cols[4];
};

static int whole_cmp(const void *a, const void *b, void *arg)
{
	const struct whole_order *o = arg;
	char *const *x = *(char *const *const *)a, *const *y = *(char *const *const *)b;
	for (size_t k = 0; k < o->n; k++) {
		const char *p = x[o->cols[k]], *q = y[o->cols[k]];
		long long u = p ? strtoll(p, NULL, 10) : LLONG_MIN,
		          v = q ? strtoll(q, NULL, 10) : LLONG_MIN;
		if (u != v)
			return u < v ? -1 : 1;
	}
	return 0;
}

/* The rows of all whose first column is kind, in order, as rows of their other columns. */
static struct db_rows whole_rows(struct db *db, const struct db_rows *all, int kind,
                                 struct whole_order order)
{
	struct db_rows part = {.ncols = all->ncols - 1};
	char ***rows = arena_alloc(db->arena, sizeof(*rows) * (all->nrows + 1));
	for (size_t i = 0; i < all->nrows; i++)
		if (db_int(all, i, 0) == kind)
			rows[part.nrows++] = &all->cells[i * all->ncols + 1];
	qsort_r(rows, part.nrows, sizeof(*rows), whole_cmp, &order);
	part.cells = arena_alloc(db->arena, sizeof(char *) * (part.nrows * part.ncols + 1));
	for (size_t i = 0; i < part.nrows; i++)
		memcpy(&part.cells[i * part.ncols], rows[i], sizeof(char *) * part.ncols);
	return part;
}

/* The return of store_return_whole's rows (all). */
static enum kaeru_err whole_from_rows(struct db *db, const struct db_rows *all, struct ret *r,
                                      struct merchant *m, struct policy *p)
{
	enum kaeru_err e;
	if (all->ncols != WHOLE_WIDTH)
		return KAERU_EINTERNAL;
	struct db_rows whole =
	    whole_rows(db, all, WHOLE_RETURN, (struct whole_order){1, {WHOLE_ITEM}});
	if (whole.nrows == 0)
		return KAERU_ENOTFOUND;
	if ((e = return_from_row(&whole, r, m)) != KAERU_OK ||
	    (e = items_from_rows(db, &whole, WHOLE_ITEM, r)) != KAERU_OK)
		return e;
	assert(!p || m);
	if (p) {
		*p = m->policy;
		if (!db_isnull(&whole, 0, WHOLE_POLICY))
			store_return_policy_from_row(&whole, 0, WHOLE_POLICY + 1, p);
	}
	struct db_rows events = whole_rows(db, all, WHOLE_EVENT, (struct whole_order){1, {0}});
	events_from_rows(db, &events, 1, r);
	r->n_events_read = r->n_events;
	r->timeline_known = true;
	/* the photos of the items in item order, then the return's own (PHOTO_ORDER) */
	struct db_rows photos =
	    whole_rows(db, all, WHOLE_PHOTO, (struct whole_order){4, {6, 1, 7, 0}});
	r->photos = store_photos_from_rows(db, &photos, 0);
	r->n_photos = photos.nrows;
	r->photos_known = true;
	struct db_rows shipments =
	    whole_rows(db, all, WHOLE_SHIPMENT, (struct whole_order){1, {0}});
	shipments_from_rows(db, &shipments, 1, r);
	return KAERU_OK;
}

enum kaeru_err store_return_whole(struct db *db, const char *rma, struct ret *r, struct merchant *m,
                                  struct policy *p)
{
	struct db_rows all;
	enum kaeru_err e = db_query(db, return_whole_sql(false),
	                            DB_ARGS(DBS(rma), DBS(rma), DBS(rma), DBS(rma)), &all);
	return e != KAERU_OK ? e : whole_from_rows(db, &all, r, m, p);
}

enum kaeru_err store_return_whole_session(struct db *db, const char *rma, struct ret *r,
                                          struct merchant *m, struct policy *p,
                                          const struct session_ask *s, struct user *u,
                                          enum kaeru_err *who)
{
	struct db_rows all;
	enum kaeru_err e = db_query(db, return_whole_sql(true),
	                            DB_ARGS(DBS(rma), DBS(rma), DBS(rma), DBS(rma),
	                                    DBS(s->token_hash), DBI(s->idle_s), DBI(s->max_s)),
	                            &all);
	if (e != KAERU_OK) {
		*who = e;
		return e;
	}
	struct db_rows session = whole_rows(db, &all, WHOLE_SESSION, (struct whole_order){0, {0}});
	*who = store_session_from_rows(db, &session, s->token_hash, u);
	return whole_from_rows(db, &all, r, m, p);
}

enum kaeru_err store_return_again(struct db *db, bool *again, struct ret *r, struct merchant *m,
                                  struct policy *p)
{
	if (!*again) {
		*again = true;
		return KAERU_OK;
	}
	char rma[RMA_LEN + 1];
	memcpy(rma, r->rma, sizeof(rma));
	uint64_t written = 0;
	enum kaeru_err e = db_exec(db, sql_return_bump, DB_ARGS(DBI(r->id)), &written, NULL);
	if (e == KAERU_OK && written != 1)
		e = KAERU_ENOTFOUND;
	return e == KAERU_OK ? store_return_whole(db, rma, r, m, p) : e;
}

enum kaeru_err store_return_guard(struct db *db, struct ret *r)
{
	uint64_t written = 0;
	enum kaeru_err e =
	    db_exec(db, sql_return_guard, DB_ARGS(DBI(r->id), DBI(r->revision)), &written, NULL);
	if (e != KAERU_OK)
		return e;
	if (written != 1) /* decide again from a fresh read */
		return db_moved(db, "the return changed since it was read");
	r->revision++;
	db->memo.touched_return = r->id;
	return KAERU_OK;
}

enum kaeru_err store_return_timeline(struct db *db, struct ret *r)
{
	enum kaeru_err e = r->timeline_known ? KAERU_OK : load_events(db, r);
	if (e == KAERU_OK && r->status == RETURN_RESOLVED && !r->shipments) /* else known */
		e = load_shipments(db, r);
	return e;
}

enum kaeru_err store_return_by_idempotency(struct db *db, int64_t order_id, const char *key,
                                           char rma[RMA_LEN + 1],
                                           char request_hash_hex[HASH_HEX_LEN + 1])
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_by_idempotency, DB_ARGS(DBI(order_id), DBS(key)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	snprintf(rma, RMA_LEN + 1, "%s", db_str(&rows, 0, 0));
	snprintf(request_hash_hex, HASH_HEX_LEN + 1, "%s",
	         db_str(&rows, 0, 1) ? db_str(&rows, 0, 1) : "");
	return KAERU_OK;
}

/* r's units by order line, [[line id, units], ...] (a line's items summed: a multi-table
 * UPDATE changes each line once), for LINES_JSON; *n lines. The caller frees it; NULL when it
 * cannot be made. */
static char *units_by_line(const struct ret *r, size_t *n)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < r->n_items; i++) {
		int64_t q = 0;
		bool seen = false;
		for (size_t k = 0; k < r->n_items; k++) {
			seen |= k < i && r->items[k].order_line_id == r->items[i].order_line_id;
			if (r->items[k].order_line_id == r->items[i].order_line_id)
				q += r->items[k].quantity;
		}
		if (!seen)
			json_array_append_new(
			    lines, json_pack("[I, I]", (json_int_t)r->items[i].order_line_id,
			                     (json_int_t)q));
	}
	*n = json_array_size(lines);
	char *text = json_dumps(lines, JSON_COMPACT);
	json_decref(lines);
	return text;
}

/* Takes r's units from their order lines in one statement: every line must have them, else
 * ERETRY. */
static enum kaeru_err take_lines(struct db *db, const struct ret *r)
{
	size_t n = 0;
	char *text = units_by_line(r, &n);
	uint64_t taken = 0;
	enum kaeru_err e =
	    text ? db_exec(db, sql_lines_take, DB_ARGS(DBS(text)), &taken, NULL) : KAERU_EINTERNAL;
	free(text);
	if (e == KAERU_OK && taken != n) /* decide again from a fresh read */
		e = db_moved(db, "an order line was returned meanwhile");
	return e;
}

enum kaeru_err store_lines_give_back(struct db *db, const struct ret *r)
{
	size_t n = 0;
	char *text = r->n_items ? units_by_line(r, &n) : NULL;
	enum kaeru_err e = !r->n_items ? KAERU_OK
	                   : text ? db_exec(db, sql_lines_give_back, DB_ARGS(DBS(text)), NULL, NULL)
	                          : KAERU_EINTERNAL;
	free(text);
	return e;
}

/* Inserts r's items in one statement; sets each one's id, exchange variant and status. */
static enum kaeru_err insert_items(struct db *db, struct ret *r)
{
	json_t *rows = json_array();
	for (size_t i = 0; i < r->n_items; i++) {
		const struct return_item *it = &r->items[i];
		json_array_append_new(
		    rows, json_pack("[I, s, s?, s, s?, s?, I, I, s, s?, s, s?, I]",
		                    (json_int_t)it->order_line_id, it->sku, it->product_id,
		                    it->name, it->variant, it->category, (json_int_t)it->unit_price,
		                    (json_int_t)it->quantity, reason_names[it->reason], it->comment,
		                    resolution_names[it->resolution], it->exchange_sku,
		                    (json_int_t)it->reserved_quantity));
	}
	char *text = json_array_size(rows) == r->n_items ? json_dumps(rows, JSON_COMPACT) : NULL;
	json_decref(rows);
	struct db_rows ids;
	enum kaeru_err e = text
	                       ? db_query(db, sql_items_insert,
	                                  DB_ARGS(DBI(r->id), DBS(text), DBI(r->merchant_id)), &ids)
	                       : KAERU_EINTERNAL;
	free(text);
	if (e == KAERU_OK && ids.nrows != r->n_items)
		e = KAERU_EINTERNAL;
	for (size_t i = 0; e == KAERU_OK && i < r->n_items; i++) {
		r->items[i].id = db_int(&ids, i, 0);
		r->items[i].exchange_variant = db_str(&ids, i, 1);
		r->items[i].status = "pending"; /* the column's default */
	}
	return e;
}

enum kaeru_err store_return_insert(struct db *db, struct ret *r, const char *idempotency_key,
                                   const char *request_hash_hex, const char *language,
                                   int64_t expires_at)
{
	struct db_rows row;
	enum kaeru_err e =
	    db_query(db, sql_return_insert,
	             DB_ARGS(DBS(r->rma), DBI(r->merchant_id), DBI(r->order_id),
	                     DBI(r->warehouse_id), DBS(r->tracking_key), DBS(idempotency_key),
	                     DBS(request_hash_hex), DBS(language), DBI(expires_at)),
	             &row);
	if (e != KAERU_OK)
		return e;
	if (row.nrows != 1)
		return KAERU_EINTERNAL;
	/* The row as store_return_row would read it back. */
	r->id = db_int(&row, 0, 0);
	r->created_at = db_str(&row, 0, 1);
	r->warehouse_code = db_str(&row, 0, 2);
	r->warehouse_name = db_str(&row, 0, 3);
	r->warehouse_address_json = db_str(&row, 0, 4);
	r->timezone = db_str(&row, 0, 5);
	r->expires_at = expires_at;
	r->tracking_key = arena_strdup(db->arena, r->tracking_key);
	if (r->n_items > 0 &&
	    ((e = take_lines(db, r)) != KAERU_OK || (e = insert_items(db, r)) != KAERU_OK))
		return e;
	/* Made just now: its updated_at is now. A trigger queued it for the search's indexer
	 * (068_search_pending.sql): kaeru-worker writes its terms within about a second. */
	db->memo.touched_return = r->id;
	return KAERU_OK;
}

enum kaeru_err store_event_add_by(struct db *db, int64_t return_id, enum event_type type,
                                  const char *actor, int64_t user_id, const char *detail_json)
{
	enum kaeru_err e = db_exec(db, sql_event_insert,
	                           DB_ARGS(DBI(return_id), DBS(event_type_names[type]), DBS(actor),
	                                   user_id ? DBI(user_id) : DBN, DBS(detail_json)),
	                           NULL, NULL);
	return e == KAERU_OK ? store_event_return(db, return_id, type, detail_json) : e;
}

enum kaeru_err store_event_add_of(struct db *db, const struct ret *r, enum return_status status,
                                  enum event_type type, const char *actor, int64_t user_id,
                                  const char *detail_json)
{
	if (r->n_items == 0) /* its items not loaded: the event reads the return as it is */
		return store_event_add_by(db, r->id, type, actor, user_id, detail_json);
	if (store_outbox_timeline(db, r->id, type, actor, user_id, detail_json))
		return store_event_return_of(db, r, status, type, detail_json);
	enum kaeru_err e = db_exec(db, sql_event_insert,
	                           DB_ARGS(DBI(r->id), DBS(event_type_names[type]), DBS(actor),
	                                   user_id ? DBI(user_id) : DBN, DBS(detail_json)),
	                           NULL, NULL);
	return e == KAERU_OK ? store_event_return_of(db, r, status, type, detail_json) : e;
}

enum kaeru_err store_item_unreserve(struct db *db, int64_t item_id)
{
	return db_exec(db, sql_item_unreserve, DB_ARGS(DBI(item_id)), NULL, NULL);
}
