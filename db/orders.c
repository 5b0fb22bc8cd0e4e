/* Orders pushed by the shop, their lines, and inventory for exchanges. */
#include "db/search.h"
#include "db/store.h"
#include "util/timefmt.h"

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
/* The returns that count (not canceled or expired) holding each line of an order. */
static const char sql_line_returns[] =
    "SELECT ri.order_line_id, r.rma, r.tracking_key, r.status FROM return_items ri"
    " JOIN returns r ON r.id = ri.return_id WHERE r.order_id = ?"
    " AND r.status NOT IN ('canceled', 'expired') ORDER BY r.id";
#define LINE_COLUMNS                                                                               \
	"l.id, l.line_id, l.sku, l.product_id, l.name, l.variant, l.category, l.quantity,"         \
	" l.unit_price, l.final_sale, l.returned_quantity, l.position"
/* Neither sorts: an ORDER BY over the join costs MariaDB a temporary table and a filesort
 * (~80 µs a lookup on the bench machine), more than sorting a handful of lines here. */
static const char sql_lines_get[] =
    "SELECT " LINE_COLUMNS " FROM order_lines l WHERE l.order_id = ?";
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
/* A lookup in one statement: the client's failed lookups of the window (the throttles row;
 * the throttle is kaeru-fcgi's, fcgi/throttle.h), the merchant by slug, its order and the
 * order's lines, all by unique keys. Always one row or more: the merchant's columns are NULL
 * when there is no such merchant, the order's when it has no such order, one row per line.
 * The lookup's answer shows no address: the order's JSON shipping_address is not read (NULL),
 * one JSON document less for MariaDB to copy into every line's row. */
#define LOOKUP_SELECT                                                                              \
	"SELECT IF(t.started >= NOW(3) - INTERVAL ? SECOND, t.failures, 0),"                       \
	" COALESCE(TIMESTAMPDIFF(SECOND, t.started, NOW(3)), 0), " LOOKUP_MERCHANT_COLUMNS         \
	", " ORDER_COLUMNS_BUT_ADDRESS ", NULL, " LINE_COLUMNS " FROM (SELECT 1) k"                \
	" LEFT JOIN throttles t ON t.kind = 'lookup' AND t.subject = ?"                            \
	" LEFT JOIN merchants m ON m.slug = ?"
static const char sql_lookup[] =
    LOOKUP_SELECT " LEFT JOIN orders o ON o.merchant_id = m.id AND o.order_number = ?"
                  " LEFT JOIN order_lines l ON l.order_id = o.id";
/* The same with the order by its id (a return link's), still only within the merchant. */
static const char sql_lookup_by_id[] =
    LOOKUP_SELECT " LEFT JOIN orders o ON o.merchant_id = m.id AND o.id = ?"
                  " LEFT JOIN order_lines l ON l.order_id = o.id";
/* A failed lookup of a client: one more failure in its window (a window older than window_s
 * starts anew); LAST_INSERT_ID(n) hands the new count back. Assignments run left to right:
 * started is reset last. */
static const char sql_lookup_failed[] =
    "INSERT INTO throttles (kind, subject, started, attempts, failures, last_failed)"
    " VALUES ('lookup', ?, NOW(3), 1, LAST_INSERT_ID(1), NOW(3)) ON DUPLICATE KEY UPDATE"
    " failures = LAST_INSERT_ID(IF(started < NOW(3) - INTERVAL ? SECOND, 1, failures + 1)),"
    " attempts = failures, last_failed = NOW(3),"
    " started = IF(started < NOW(3) - INTERVAL ? SECOND, NOW(3), started)";
/* The variants of the products of an order's lines through inventory's (merchant_id,
 * product_id) key; whether a unit of each is free. A plain join: a variant comes once per line
 * of its product, store_exchange_options keeps it once (cheaper for MariaDB than
 * IN (SELECT …), whose semi-join it plans and runs per lookup). Left to itself MariaDB reads
 * the merchant's whole inventory by its primary key for each line (or once, for the
 * IN (SELECT …)): the index reads only the lines' products. (Product ids bound as a JSON_TABLE
 * instead met inventory by merchant_id alone: every variant of the merchant.) For orders of
 * more products than sql_variants_of binds. */
static const char sql_exchange_options[] =
    "SELECT i.product_id, i.sku, i.variant, i.available - i.reserved > 0 FROM order_lines l"
    " JOIN inventory i FORCE INDEX (ix_inventory_product)"
    " ON i.merchant_id = ? AND i.product_id = l.product_id"
    " WHERE l.order_id = ?";

/* The same with the products' ids bound (1 to VARIANTS_BOUND_MAX of them, each once): MariaDB
 * reads the index alone, not the order's lines again (~60 µs of MariaDB's CPU an execution,
 * not ~77, on the bench machine). */
#define VARIANTS_OF(ids)                                                                           \
	"SELECT i.product_id, i.sku, i.variant, i.available - i.reserved > 0 FROM inventory i"     \
	" FORCE INDEX (ix_inventory_product) WHERE i.merchant_id = ? AND i.product_id IN (" ids    \
	")"
#define VARIANTS_BOUND_MAX 8
static const char *const sql_variants_of[VARIANTS_BOUND_MAX + 1] = {
    NULL,
    VARIANTS_OF("?"),
    VARIANTS_OF("?, ?"),
    VARIANTS_OF("?, ?, ?"),
    VARIANTS_OF("?, ?, ?, ?"),
    VARIANTS_OF("?, ?, ?, ?, ?"),
    VARIANTS_OF("?, ?, ?, ?, ?, ?"),
    VARIANTS_OF("?, ?, ?, ?, ?, ?, ?"),
    VARIANTS_OF("?, ?, ?, ?, ?, ?, ?, ?"),
};

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

enum kaeru_err store_order_put(struct db *db, const struct order *o, bool *created,
                               const char **bad_line)
{
	uint64_t affected = 0, order_id = 0;
	/* analytics: what the order counted as sold before it changes (db/analytics.c) */
	enum kaeru_err e = store_analytics_order(db, o->merchant_id, o->order_number, -1);
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
	e = store_analytics_order(db, o->merchant_id, o->order_number, 1);
	/* The customer's name may have changed: the search finds its returns by the new one. */
	if (e == KAERU_OK && !*created)
		e = store_search_index_order(db, (int64_t)order_id);
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

/* Reads the lines of rows (LINE_COLUMNS from column col on, one line a row; rows whose line is
 * NULL are skipped) into o, in their order. */
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
	qsort(o->lines, o->n_lines, sizeof(*o->lines), by_position);
}

enum kaeru_err store_order_lines(struct db *db, struct order *o)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_lines_get, DB_ARGS(DBI(o->id)), &rows);
	if (e == KAERU_OK)
		lines_from_rows(db, &rows, 0, o);
	return e;
}

enum kaeru_err store_exchange_options(struct db *db, const struct order *o,
                                      struct exchange_option **opts, size_t *n_opts)
{
	/* the lines' products, each once, bound when there are few */
	struct db_val args[VARIANTS_BOUND_MAX + 1] = {DBI(o->merchant_id)};
	size_t n_ids = 0;
	for (size_t i = 0; i < o->n_lines && n_ids <= VARIANTS_BOUND_MAX; i++) {
		size_t k = 1;
		while (k <= n_ids && strcmp(args[k].s, o->lines[i].product_id) != 0)
			k++;
		if (k > n_ids && ++n_ids <= VARIANTS_BOUND_MAX)
			args[n_ids] = DBS(o->lines[i].product_id);
	}
	struct db_rows rows;
	enum kaeru_err e = n_ids >= 1 && n_ids <= VARIANTS_BOUND_MAX
	                       ? db_query(db, sql_variants_of[n_ids], args, n_ids + 1, &rows)
	                       : db_query(db, sql_exchange_options,
	                                  DB_ARGS(DBI(o->merchant_id), DBI(o->id)), &rows);
	if (e != KAERU_OK)
		return e;
	*n_opts = rows.nrows;
	*opts = arena_zalloc(db->arena, sizeof(**opts) * (rows.nrows + 1));
	for (size_t r = 0; r < rows.nrows; r++)
		(*opts)[r] = (struct exchange_option){
		    .product_id = db_str(&rows, r, 0),
		    .sku = db_str(&rows, r, 1),
		    .variant = db_str(&rows, r, 2),
		    .in_stock = db_int(&rows, r, 3) != 0,
		};
	qsort(*opts, *n_opts, sizeof(**opts), by_variant);
	/* a variant of a product on several lines came once per line: keep it once (a sku is
	 * one variant of the merchant's, so its copies sort next to each other) */
	size_t kept = 0;
	for (size_t k = 0; k < *n_opts; k++)
		if (kept == 0 || strcmp((*opts)[kept - 1].sku, (*opts)[k].sku) != 0)
			(*opts)[kept++] = (*opts)[k];
	*n_opts = kept;
	return KAERU_OK;
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

/* Reads the rows of sql_lookup or sql_lookup_by_id into *out. */
static enum kaeru_err lookup_rows(struct db *db, enum kaeru_err e, const struct db_rows *rows,
                                  struct lookup *out)
{
	if (e != KAERU_OK)
		return e;
	memset(out, 0, sizeof(*out));
	if (rows->nrows == 0)
		return KAERU_EINTERNAL; /* (SELECT 1) LEFT JOIN …: at least one row */
	const size_t merchant_col = 2, order_col = merchant_col + LOOKUP_MERCHANT_NCOLUMNS,
	             line_col = order_col + ORDER_NCOLUMNS;
	out->failures = db_int(rows, 0, 0);
	out->failures_age = db_int(rows, 0, 1);
	out->has_merchant = !db_isnull(rows, 0, merchant_col);
	if (out->has_merchant)
		lookup_merchant_from_row(rows, merchant_col, &out->merchant);
	out->has_order = !db_isnull(rows, 0, order_col);
	if (out->has_order) {
		order_from_row(rows, 0, order_col, &out->order);
		lines_from_rows(db, rows, line_col, &out->order);
	}
	return KAERU_OK;
}

enum kaeru_err store_lookup(struct db *db, const char *client, int window_s, const char *slug,
                            const char *order_number, struct lookup *out)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_lookup,
	                            DB_ARGS(DBI(window_s), DBS(client), slug ? DBS(slug) : DBN,
	                                    order_number ? DBS(order_number) : DBN),
	                            &rows);
	return lookup_rows(db, e, &rows, out);
}

enum kaeru_err store_lookup_by_id(struct db *db, const char *client, int window_s, const char *slug,
                                  int64_t order_id, struct lookup *out)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(
	    db, sql_lookup_by_id,
	    DB_ARGS(DBI(window_s), DBS(client), slug ? DBS(slug) : DBN, DBI(order_id)), &rows);
	return lookup_rows(db, e, &rows, out);
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

enum kaeru_err store_order_line_returns(struct db *db, int64_t order_id, struct line_return **out,
                                        size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_line_returns, DB_ARGS(DBI(order_id)), &rows);
	if (e != KAERU_OK)
		return e;
	*n = rows.nrows;
	*out = arena_zalloc(db->arena, sizeof(**out) * (rows.nrows + 1));
	for (size_t r = 0; r < rows.nrows; r++)
		(*out)[r] = (struct line_return){
		    .order_line_id = db_int(&rows, r, 0),
		    .rma = db_str(&rows, r, 1),
		    .tracking_key = db_str(&rows, r, 2),
		    .status = db_str(&rows, r, 3),
		};
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
