/* Orders pushed by the shop, their lines, and inventory for exchanges. */
#include "db/search.h"
#include "db/store.h"
#include "util/timefmt.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char sql_order_upsert[] =
    "INSERT INTO orders (merchant_id, order_number, email, email_key, currency, placed_at,"
    " delivered_at, shipping_address)"
    " VALUES (?, ?, ?, ?, ?, TIMESTAMPADD(SECOND, ?, '1970-01-01'),"
    " TIMESTAMPADD(SECOND, ?, '1970-01-01'), ?)"
    " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), email = VALUES(email),"
    " email_key = VALUES(email_key), currency = VALUES(currency), placed_at = VALUES(placed_at),"
    " delivered_at = VALUES(delivered_at), shipping_address = VALUES(shipping_address),"
    " updated_at = CURRENT_TIMESTAMP";
static const char sql_line_upsert[] =
    "INSERT INTO order_lines (order_id, line_id, position, sku, product_id, name, variant,"
    " category, quantity, unit_price, final_sale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE position = VALUES(position), sku = VALUES(sku),"
    " product_id = VALUES(product_id), name = VALUES(name), variant = VALUES(variant),"
    " category = VALUES(category), quantity = VALUES(quantity), unit_price = VALUES(unit_price),"
    " final_sale = VALUES(final_sale)";
/* Each line, whether a return refers to it, and its units in returns that count. */
static const char sql_line_ids[] =
    "SELECT l.id, l.line_id, EXISTS (SELECT 1 FROM return_items ri WHERE ri.order_line_id = l.id),"
    " l.returned_quantity FROM order_lines l WHERE l.order_id = ?";
static const char sql_line_delete[] = "DELETE FROM order_lines WHERE id = ?";

#define ORDER_COLUMNS_BUT_ADDRESS                                                                  \
	"o.id, o.merchant_id, o.order_number, o.email, o.currency,"                                \
	" TIMESTAMPDIFF(SECOND, '1970-01-01', o.placed_at),"                                       \
	" TIMESTAMPDIFF(SECOND, '1970-01-01', o.delivered_at)"
#define ORDER_COLUMNS  ORDER_COLUMNS_BUT_ADDRESS ", o.shipping_address"
#define ORDER_NCOLUMNS 8
static const char sql_order_id_by_number[] =
    "SELECT id FROM orders WHERE merchant_id = ? AND order_number = ?";
#define LINE_COLUMNS                                                                               \
	"l.id, l.line_id, l.sku, l.product_id, l.name, l.variant, l.category, l.quantity,"         \
	" l.unit_price, l.final_sale, l.returned_quantity, l.position"
#define LINE_NCOLUMNS 12
/* An order with its lines, a row each (one row, lines NULL, without); locked, both the order's
 * row and its lines' (which a new return then writes). */
#define ORDER_LINES                                                                                \
	"SELECT " ORDER_COLUMNS ", " LINE_COLUMNS " FROM orders o"                                 \
	" LEFT JOIN order_lines l ON l.order_id = o.id WHERE o.id = ?"
static const char sql_order_by_id[] = ORDER_LINES;
static const char sql_order_by_id_lock[] = ORDER_LINES " FOR UPDATE";
/* The merchant's columns a lookup answers and decides by: who it is, its time zone and the
 * policy the answer shows (the window, fee and bonus, label validity, reasons). Half of
 * MERCHANT_COLUMNS: ~20 µs less of MariaDB's CPU a lookup on the bench machine. */
#define LOOKUP_MERCHANT_COLUMNS                                                                    \
	"m.id, m.slug, m.name, m.currency, m.timezone, m.window_days, m.restocking_fee_percent,"   \
	" m.store_credit_bonus_percent, m.label_validity_days, m.reasons_offered, m.fee_reasons"
#define LOOKUP_MERCHANT_NCOLUMNS 11
/* A lookup's row: the client's failures, the merchant, the order, a line, a return holding the
 * line, a variant of the line's product. Of the order and the line what the answer shows and
 * the rules decide by, in ORDER_COLUMNS' and LINE_COLUMNS' places: not the merchant (m.id), the
 * time it was placed, its address, the line's category (NULL); its delivery from a TIMESTAMP
 * literal, not a string read anew on each row (~4% of the statement's cost together). */
#define LOOKUP_COLUMNS                                                                             \
	"IF(t.started >= NOW(3) - INTERVAL ? SECOND, t.failures, 0),"                              \
	" TIMESTAMPDIFF(SECOND, t.started, NOW(3)), " LOOKUP_MERCHANT_COLUMNS                      \
	", o.id, NULL, o.order_number, o.email, o.currency, NULL,"                                 \
	" TIMESTAMPDIFF(SECOND, TIMESTAMP'1970-01-01 00:00:00', o.delivered_at), NULL,"            \
	" l.id, l.line_id, l.sku, l.product_id, l.name, l.variant, NULL, l.quantity,"              \
	" l.unit_price, l.final_sale, l.returned_quantity, l.position, r.id, r.rma, "              \
	"r.tracking_key,"                                                                          \
	" r.status, i.sku, i.variant, i.available - i.reserved > 0"
/* Where each kind of column starts in a row of sql_lookup (lookup_rows reads them). */
enum {
	LOOKUP_MERCHANT = 2,
	LOOKUP_ORDER = LOOKUP_MERCHANT + LOOKUP_MERCHANT_NCOLUMNS,
	LOOKUP_LINE = LOOKUP_ORDER + ORDER_NCOLUMNS,
	LOOKUP_RETURN = LOOKUP_LINE + LINE_NCOLUMNS,
	LOOKUP_VARIANT = LOOKUP_RETURN + 4,
	LOOKUP_WIDTH = LOOKUP_VARIANT + 3
};
/* A lookup in one statement, every table by a unique key or an index on the one before: the
 * merchant by slug, the client's failed lookups of the window (the throttles row; the throttle
 * is kaeru-fcgi's, fcgi/throttle.h), its order and the order's lines; with each line, the
 * returns that count holding it (neither canceled nor expired) and the variants of its product
 * (through inventory's (merchant_id, product_id) index: the merchant's other stock is never
 * read). A row per line, per return of it and per variant of its product (a line in no return
 * of a product without stock is one row); one row, order NULL, when the merchant has no such
 * order; none when there is no such merchant.
 * Variants are read only for lines core may find returnable (line_eligibility decides, on the
 * merchant's calendar): not final sale, units left, delivered, and within the window with two
 * days to spare for the time zone; a line that cannot be returned shows no exchange options.
 * Rows of one join, not one statement a kind: for a 4-line order of the ×2 bench set (prepared,
 * MariaDB's CPU from its threads' schedstat) this join cost ~100 µs, the three statements it
 * replaced ~140 µs, and a UNION ALL of the three kinds ~175 µs (MariaDB prepares a union anew
 * at each execution). No ORDER BY either (a temporary table and a filesort): lookup_rows puts
 * each kind in order. */
#define LOOKUP_SELECT(order_key)                                                                   \
	"SELECT " LOOKUP_COLUMNS " FROM merchants m"                                               \
	" LEFT JOIN throttles t ON t.kind = 'lookup' AND t.subject = ?"                            \
	" LEFT JOIN orders o ON o.merchant_id = m.id AND " order_key                               \
	" LEFT JOIN order_lines l ON l.order_id = o.id"                                            \
	" LEFT JOIN (return_items ri JOIN returns r ON r.id = ri.return_id"                        \
	" AND r.status NOT IN ('canceled', 'expired')) ON ri.order_line_id = l.id"                 \
	" LEFT JOIN inventory i FORCE INDEX (ix_inventory_product)"                                \
	" ON i.merchant_id = m.id AND i.product_id = l.product_id AND NOT l.final_sale"            \
	" AND l.returned_quantity < l.quantity"                                                    \
	" AND o.delivered_at > NOW() - INTERVAL (m.window_days + 2) DAY WHERE m.slug = ?"
static const char sql_lookup[] = LOOKUP_SELECT("o.order_number = ?");
/* The same with the order by its id (a return link's), still only within the merchant. */
static const char sql_lookup_by_id[] = LOOKUP_SELECT("o.id = ?");
/* The client's failed lookups alone, when there is no such merchant (no row above). */
static const char sql_lookup_failures[] =
    "SELECT IF(started >= NOW(3) - INTERVAL ? SECOND, failures, 0),"
    " TIMESTAMPDIFF(SECOND, started, NOW(3)) FROM throttles WHERE kind = 'lookup' AND subject = ?";
/* A failed lookup of a client: one more failure in its window (a window older than window_s
 * starts anew); LAST_INSERT_ID(n) hands the new count back. Assignments run left to right:
 * started is reset last. */
static const char sql_lookup_failed[] =
    "INSERT INTO throttles (kind, subject, started, attempts, failures, last_failed)"
    " VALUES ('lookup', ?, NOW(3), 1, LAST_INSERT_ID(1), NOW(3)) ON DUPLICATE KEY UPDATE"
    " failures = LAST_INSERT_ID(IF(started < NOW(3) - INTERVAL ? SECOND, 1, failures + 1)),"
    " attempts = failures, last_failed = NOW(3),"
    " started = IF(started < NOW(3) - INTERVAL ? SECOND, NOW(3), started)";

static const char sql_stock_upsert[] =
    "INSERT INTO inventory (merchant_id, sku, product_id, variant, available) VALUES (?, ?, ?, ?, "
    "?)"
    " ON DUPLICATE KEY UPDATE product_id = VALUES(product_id), variant = VALUES(variant),"
    " available = VALUES(available), updated_at = CURRENT_TIMESTAMP";
static const char sql_reserve[] =
    "UPDATE inventory SET reserved = reserved + ? WHERE merchant_id = ? AND sku = ?"
    " AND product_id = ? AND available - reserved >= ?";
static const char sql_release[] =
    "UPDATE inventory SET reserved = GREATEST(reserved - ?, 0) WHERE merchant_id = ? AND sku = ?";

/* The input line of line_id, or NULL. */
static const struct order_line *in_input(const struct order *o, const char *line_id)
{
	for (size_t i = 0; i < o->n_lines; i++)
		if (strcmp(o->lines[i].line_id, line_id) == 0)
			return &o->lines[i];
	return NULL;
}

/* Whether the name of address (the order's shipping address as stored, JSON) is not before. */
static bool customer_changed(const char *before, const char *address)
{
	json_t *a = address ? json_loads(address, 0, NULL) : NULL;
	const char *now = json_string_value(json_object_get(a, "name"));
	bool changed = (before == NULL) != (now == NULL) || (now && strcmp(before, now) != 0);
	json_decref(a);
	return changed;
}

enum kaeru_err store_order_put(struct db *db, const struct order *o, bool *created,
                               const char **bad_line)
{
	uint64_t affected = 0, order_id = 0;
	/* analytics: what the order counted as sold before it changes (db/analytics.c) */
	const char *customer_before = NULL;
	enum kaeru_err e =
	    store_analytics_order(db, o->merchant_id, o->order_number, -1, &customer_before);
	if (e != KAERU_OK)
		return e;
	e = db_exec(
	    db, sql_order_upsert,
	    DB_ARGS(DBI(o->merchant_id), DBS(o->order_number), DBS(o->email), DBS(o->email_key),
	            DBS(o->currency), o->has_placed ? DBI(o->placed_at) : DBN,
	            o->has_delivered ? DBI(o->delivered_at) : DBN, DBS(o->shipping_address_json)),
	    &affected, &order_id);
	if (e != KAERU_OK)
		return e;
	*created = affected == 1;
	if (!*created) {
		struct db_rows rows;
		if ((e = db_query(db, sql_line_ids, DB_ARGS(DBI(order_id)), &rows)) != KAERU_OK)
			return e;
		for (size_t r = 0; r < rows.nrows; r++) {
			const struct order_line *l = in_input(o, db_str(&rows, r, 1));
			if (l && l->quantity < db_int(&rows, r, 3)) {
				*bad_line = db_str(&rows, r, 1); /* fewer units than returned */
				return KAERU_ECONFLICT;
			}
			if (l)
				continue;
			if (db_int(&rows, r, 2)) {
				*bad_line = db_str(&rows, r, 1);
				return KAERU_ECONFLICT;
			}
			e = db_exec(db, sql_line_delete, DB_ARGS(DBI(db_int(&rows, r, 0))), NULL,
			            NULL);
			if (e != KAERU_OK)
				return e;
		}
	}
	for (size_t i = 0; i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		e = db_exec(db, sql_line_upsert,
		            DB_ARGS(DBI(order_id), DBS(l->line_id), DBI(i), DBS(l->sku),
		                    DBS(l->product_id), DBS(l->name), DBS(l->variant),
		                    DBS(l->category), DBI(l->quantity), DBI(l->unit_price),
		                    DBI(l->final_sale)),
		            NULL, NULL);
		if (e != KAERU_OK)
			return e;
	}
	e = store_analytics_order(db, o->merchant_id, o->order_number, 1, NULL);
	/* A new customer's name: the order's returns are queued for the search's indexer, which
	 * writes them anew (the new name found, the old one not). The rest of what a return is
	 * found by is its own, or the order number: the same name queues nothing. */
	if (e == KAERU_OK && !*created &&
	    customer_changed(customer_before, o->shipping_address_json))
		e = store_search_queue_order(db, (int64_t)order_id);
	return e;
}

/* Reads ORDER_COLUMNS from column col of a row; the lines are left empty. */
static void order_from_row(const struct db_rows *rows, size_t row, size_t col, struct order *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_int(rows, row, col + 0);
	o->merchant_id = db_int(rows, row, col + 1);
	o->order_number = db_str(rows, row, col + 2);
	o->email = db_str(rows, row, col + 3);
	o->currency = db_str(rows, row, col + 4);
	o->has_placed = !db_isnull(rows, row, col + 5);
	o->placed_at = db_int(rows, row, col + 5);
	o->has_delivered = !db_isnull(rows, row, col + 6);
	o->delivered_at = db_int(rows, row, col + 6);
	o->shipping_address_json = db_str(rows, row, col + 7);
}

static int by_position(const void *a, const void *b)
{
	const struct order_line *x = a, *y = b;
	if (x->position != y->position)
		return x->position < y->position ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* By variant, then sku, in byte order (the columns' utf8mb4_bin). */
static int by_variant(const void *a, const void *b)
{
	const struct exchange_option *x = a, *y = b;
	int c = strcmp(x->variant, y->variant);
	return c ? c : strcmp(x->sku, y->sku);
}

/* Sorts the n items of size bytes at base by cmp and keeps the first of each run that cmp finds
 * equal (a row read once per row of what it was joined with); how many are kept. */
static size_t sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	qsort(base, n, size, cmp);
	char *p = base;
	size_t kept = 0;
	for (size_t k = 0; k < n; k++)
		if (kept == 0 || cmp(p + (kept - 1) * size, p + k * size) != 0)
			memmove(p + kept++ * size, p + k * size, size);
	return kept;
}

/* Reads the lines of rows (LINE_COLUMNS from column col on; rows whose line is NULL are
 * skipped, a line on several rows is read once) into o, in their order. */
static void lines_from_rows(struct db *db, const struct db_rows *rows, size_t col, struct order *o)
{
	o->n_lines = 0;
	o->lines = arena_zalloc(db->arena, sizeof(*o->lines) * (rows->nrows + 1));
	for (size_t r = 0; r < rows->nrows; r++) {
		if (db_isnull(rows, r, col))
			continue;
		o->lines[o->n_lines++] = (struct order_line){
		    .id = db_int(rows, r, col + 0),
		    .line_id = db_str(rows, r, col + 1),
		    .sku = db_str(rows, r, col + 2),
		    .product_id = db_str(rows, r, col + 3),
		    .name = db_str(rows, r, col + 4),
		    .variant = db_str(rows, r, col + 5),
		    .category = db_str(rows, r, col + 6),
		    .quantity = db_int(rows, r, col + 7),
		    .unit_price = db_int(rows, r, col + 8),
		    .final_sale = db_int(rows, r, col + 9) != 0,
		    .returned = db_int(rows, r, col + 10),
		    .position = db_int(rows, r, col + 11),
		};
	}
	/* a line comes once per return of it and variant of its product (store_lookup) */
	o->n_lines = sort_unique(o->lines, o->n_lines, sizeof(*o->lines), by_position);
}

static enum kaeru_err order_rows(struct db *db, enum kaeru_err e, const struct db_rows *rows,
                                 struct order *o)
{
	if (e != KAERU_OK)
		return e;
	if (rows->nrows == 0)
		return KAERU_ENOTFOUND;
	order_from_row(rows, 0, 0, o);
	lines_from_rows(db, rows, ORDER_NCOLUMNS, o);
	return KAERU_OK;
}

enum kaeru_err store_order_by_id(struct db *db, int64_t order_id, bool lock, struct order *o)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, lock ? sql_order_by_id_lock : sql_order_by_id,
	                            DB_ARGS(DBI(order_id)), &rows);
	return order_rows(db, e, &rows, o);
}

enum kaeru_err store_inventory_put(struct db *db, int64_t merchant_id, const struct stock *items,
                                   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum kaeru_err e =
		    db_exec(db, sql_stock_upsert,
		            DB_ARGS(DBI(merchant_id), DBS(items[i].sku), DBS(items[i].product_id),
		                    DBS(items[i].variant), DBI(items[i].available)),
		            NULL, NULL);
		if (e != KAERU_OK)
			return e;
	}
	return KAERU_OK;
}

/* Reads LOOKUP_MERCHANT_COLUMNS from column col of a row; the rest of the policy is the
 * default's. */
static void lookup_merchant_from_row(const struct db_rows *rows, size_t col, struct merchant *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_int(rows, 0, col + 0);
	m->slug = db_str(rows, 0, col + 1);
	m->name = db_str(rows, 0, col + 2);
	m->currency = db_str(rows, 0, col + 3);
	m->timezone = db_str(rows, 0, col + 4);
	struct policy *p = &m->policy;
	policy_default(p, m->currency);
	p->window_days = (int)db_int(rows, 0, col + 5);
	p->restocking_fee_percent = (int)db_int(rows, 0, col + 6);
	p->store_credit_bonus_percent = (int)db_int(rows, 0, col + 7);
	p->label_validity_days = (int)db_int(rows, 0, col + 8);
	p->reasons_offered = (unsigned)db_int(rows, 0, col + 9) & REASONS_ALL;
	p->fee_reasons = (unsigned)db_int(rows, 0, col + 10) & REASONS_ALL;
}

/* By the return (the oldest first), then the line. */
static int by_return(const void *a, const void *b)
{
	const struct line_return *x = a, *y = b;
	if (x->return_id != y->return_id)
		return x->return_id < y->return_id ? -1 : 1;
	return x->order_line_id < y->order_line_id ? -1 : x->order_line_id > y->order_line_id;
}

/* The variants (LOOKUP_VARIANT) of the rows, each once, by variant then sku; each with the
 * product of the row's line. */
static void variants_from_rows(struct db *db, const struct db_rows *rows, struct lookup *out)
{
	struct exchange_option *v = arena_zalloc(db->arena, sizeof(*v) * (rows->nrows + 1));
	size_t n = 0;
	for (size_t r = 0; r < rows->nrows; r++)
		if (!db_isnull(rows, r, LOOKUP_VARIANT))
			v[n++] = (struct exchange_option){
			    .product_id = db_str(rows, r, LOOKUP_LINE + 3),
			    .sku = db_str(rows, r, LOOKUP_VARIANT),
			    .variant = db_str(rows, r, LOOKUP_VARIANT + 1),
			    .in_stock = db_int(rows, r, LOOKUP_VARIANT + 2) != 0,
			};
	/* a variant comes once per line of its product and return of the line (a sku is one
	 * variant of the merchant's: its copies are equal) */
	out->options = v;
	out->n_options = sort_unique(v, n, sizeof(*v), by_variant);
}

/* The (line, return) pairs (LOOKUP_RETURN) of the rows, each once, the oldest return first. */
static void returns_from_rows(struct db *db, const struct db_rows *rows, struct lookup *out)
{
	struct line_return *h = arena_zalloc(db->arena, sizeof(*h) * (rows->nrows + 1));
	size_t n = 0;
	for (size_t r = 0; r < rows->nrows; r++)
		if (!db_isnull(rows, r, LOOKUP_RETURN))
			h[n++] = (struct line_return){
			    .order_line_id = db_int(rows, r, LOOKUP_LINE),
			    .return_id = db_int(rows, r, LOOKUP_RETURN),
			    .rma = db_str(rows, r, LOOKUP_RETURN + 1),
			    .tracking_key = db_str(rows, r, LOOKUP_RETURN + 2),
			    .status = db_str(rows, r, LOOKUP_RETURN + 3),
			};
	out->returns = h; /* a pair comes once per variant of the line's product */
	out->n_returns = sort_unique(h, n, sizeof(*h), by_return);
}

/* Reads the rows of sql_lookup or sql_lookup_by_id into *out; none (no such merchant, or no
 * slug to look for): the client's failures alone, one statement more. */
static enum kaeru_err lookup_rows(struct db *db, enum kaeru_err e, const char *client, int window_s,
                                  const struct db_rows *rows, struct lookup *out)
{
	memset(out, 0, sizeof(*out));
	if (e != KAERU_OK)
		return e;
	if (rows->nrows == 0) {
		struct db_rows failures;
		e = db_query(db, sql_lookup_failures, DB_ARGS(DBI(window_s), DBS(client)),
		             &failures);
		if (e == KAERU_OK && failures.nrows == 1) {
			out->failures = db_int(&failures, 0, 0);
			out->failures_age = db_int(&failures, 0, 1);
		}
		return e;
	}
	if (rows->ncols != LOOKUP_WIDTH)
		return KAERU_EINTERNAL;
	out->failures = db_int(rows, 0, 0);
	out->failures_age = db_int(rows, 0, 1);
	out->has_merchant = true;
	lookup_merchant_from_row(rows, LOOKUP_MERCHANT, &out->merchant);
	out->has_order = !db_isnull(rows, 0, LOOKUP_ORDER);
	if (out->has_order) {
		order_from_row(rows, 0, LOOKUP_ORDER, &out->order);
		out->order.merchant_id = out->merchant.id; /* joined by it */
		lines_from_rows(db, rows, LOOKUP_LINE, &out->order);
		variants_from_rows(db, rows, out);
		returns_from_rows(db, rows, out);
	}
	return KAERU_OK;
}

enum kaeru_err store_lookup(struct db *db, const char *client, int window_s, const char *slug,
                            const char *order_number, struct lookup *out)
{
	struct db_rows rows = {0};
	enum kaeru_err e =
	    slug ? db_query(db, sql_lookup,
	                    DB_ARGS(DBI(window_s), DBS(client),
	                            order_number ? DBS(order_number) : DBN, DBS(slug)),
	                    &rows)
	         : KAERU_OK;
	return lookup_rows(db, e, client, window_s, &rows, out);
}

enum kaeru_err store_lookup_by_id(struct db *db, const char *client, int window_s, const char *slug,
                                  int64_t order_id, struct lookup *out)
{
	struct db_rows rows = {0};
	enum kaeru_err e =
	    slug ? db_query(db, sql_lookup_by_id,
	                    DB_ARGS(DBI(window_s), DBS(client), DBI(order_id), DBS(slug)), &rows)
	         : KAERU_OK;
	return lookup_rows(db, e, client, window_s, &rows, out);
}

enum kaeru_err store_lookup_failed(struct db *db, const char *client, int window_s,
                                   int64_t *failures)
{
	enum kaeru_err e = KAERU_ERETRY;
	uint64_t n = 0;
	/* a lost race on the row (a deadlock, a Galera certification conflict) is made again */
	for (int attempt = 0; attempt < 5 && e == KAERU_ERETRY; attempt++)
		e = db_exec(db, sql_lookup_failed,
		            DB_ARGS(DBS(client), DBI(window_s), DBI(window_s)), NULL, &n);
	*failures = (int64_t)n;
	return e;
}

enum kaeru_err store_order_id_by_number(struct db *db, int64_t merchant_id,
                                        const char *order_number, int64_t *order_id)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_order_id_by_number,
	                            DB_ARGS(DBI(merchant_id), DBS(order_number)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	*order_id = db_int(&rows, 0, 0);
	return KAERU_OK;
}

enum kaeru_err store_reserve(struct db *db, int64_t merchant_id, const char *product_id,
                             const char *sku, int64_t qty)
{
	uint64_t affected = 0;
	enum kaeru_err e =
	    db_exec(db, sql_reserve,
	            DB_ARGS(DBI(qty), DBI(merchant_id), DBS(sku), DBS(product_id), DBI(qty)),
	            &affected, NULL);
	if (e == KAERU_OK && affected != 1)
		return KAERU_ECONFLICT;
	return e;
}

enum kaeru_err store_release(struct db *db, int64_t merchant_id, const char *sku, int64_t qty)
{
	return db_exec(db, sql_release, DB_ARGS(DBI(qty), DBI(merchant_id), DBS(sku)), NULL, NULL);
}
