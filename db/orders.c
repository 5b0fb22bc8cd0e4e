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

#define ORDER_COLUMNS                                                                              \
	"o.id, o.merchant_id, o.order_number, o.email, o.currency,"                                \
	" TIMESTAMPDIFF(SECOND, '1970-01-01', o.placed_at),"                                       \
	" TIMESTAMPDIFF(SECOND, '1970-01-01', o.delivered_at), o.shipping_address"
static const char sql_order_by_id[] = "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.id = ?";
static const char sql_order_by_id_lock[] =
    "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.id = ? FOR UPDATE";
/* The merchant by slug and its order, both by unique keys: no row when there is no such
 * merchant; the order columns are NULL when it has no such order. */
static const char sql_lookup[] =
    "SELECT " MERCHANT_COLUMNS ", " ORDER_COLUMNS " FROM merchants m"
    " LEFT JOIN orders o ON o.merchant_id = m.id AND o.order_number = ? WHERE m.slug = ?";
/* The same with the order by its id (a return link's), still only within the merchant. */
static const char sql_lookup_by_id[] =
    "SELECT " MERCHANT_COLUMNS ", " ORDER_COLUMNS " FROM merchants m"
    " LEFT JOIN orders o ON o.merchant_id = m.id AND o.id = ? WHERE m.slug = ?";
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
/* The same with exchange options: one row per line and other variant of its product, whether a
 * unit of it is free; a line without other variants in one row whose option columns are NULL. */
static const char sql_lines_options_get[] =
    "SELECT " LINE_COLUMNS ", i.sku, i.variant, i.available - i.reserved > 0"
    " FROM order_lines l LEFT JOIN inventory i"
    " ON i.merchant_id = ? AND i.product_id = l.product_id AND i.sku <> l.sku"
    " WHERE l.order_id = ?";

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

/* The line of id among o's, or NULL. The rows of a line mostly come together: the last first. */
static struct order_line *line_of(struct order *o, int64_t id)
{
	for (size_t i = o->n_lines; i-- > 0;)
		if (o->lines[i].id == id)
			return &o->lines[i];
	return NULL;
}

enum kaeru_err store_order_lines(struct db *db, struct order *o, struct exchange_option **opts,
                                 size_t *n_opts)
{
	struct db_rows rows;
	enum kaeru_err e = opts ? db_query(db, sql_lines_options_get,
	                                   DB_ARGS(DBI(o->merchant_id), DBI(o->id)), &rows)
	                        : db_query(db, sql_lines_get, DB_ARGS(DBI(o->id)), &rows);
	if (e != KAERU_OK)
		return e;
	o->n_lines = 0;
	o->lines = arena_zalloc(db->arena, sizeof(*o->lines) * (rows.nrows + 1));
	if (opts) {
		*n_opts = 0;
		*opts = arena_zalloc(db->arena, sizeof(**opts) * (rows.nrows + 1));
	}
	for (size_t r = 0; r < rows.nrows; r++) {
		int64_t id = db_int(&rows, r, 0);
		if (!line_of(o, id))
			o->lines[o->n_lines++] = (struct order_line){
			    .id = id,
			    .line_id = db_str(&rows, r, 1),
			    .sku = db_str(&rows, r, 2),
			    .product_id = db_str(&rows, r, 3),
			    .name = db_str(&rows, r, 4),
			    .variant = db_str(&rows, r, 5),
			    .category = db_str(&rows, r, 6),
			    .quantity = db_int(&rows, r, 7),
			    .unit_price = db_int(&rows, r, 8),
			    .final_sale = db_int(&rows, r, 9) != 0,
			    .returned = db_int(&rows, r, 10),
			    .position = db_int(&rows, r, 11),
			};
		if (opts && !db_isnull(&rows, r, 12))
			(*opts)[(*n_opts)++] = (struct exchange_option){
			    .order_line_id = id,
			    .sku = db_str(&rows, r, 12),
			    .variant = db_str(&rows, r, 13),
			    .in_stock = db_int(&rows, r, 14) != 0,
			};
	}
	qsort(o->lines, o->n_lines, sizeof(*o->lines), by_position);
	if (opts)
		qsort(*opts, *n_opts, sizeof(**opts), by_variant);
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
	return store_order_lines(db, o, NULL, NULL);
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

/* Reads the one row of sql_lookup or sql_lookup_by_id into *out. */
static enum kaeru_err lookup_row(enum kaeru_err e, const struct db_rows *rows, struct lookup *out)
{
	if (e != KAERU_OK)
		return e;
	memset(out, 0, sizeof(*out));
	if (rows->nrows == 0)
		return KAERU_OK; /* no such merchant */
	if (rows->nrows != 1)
		return KAERU_EINTERNAL; /* joins on unique keys: at most one row */
	const size_t merchant_col = 0, order_col = merchant_col + MERCHANT_NCOLUMNS;
	out->has_merchant = true;
	if (out->has_merchant)
		store_merchant_from_row(rows, 0, merchant_col, &out->merchant);
	out->has_order = !db_isnull(rows, 0, order_col);
	if (out->has_order)
		order_from_row(rows, 0, order_col, &out->order);
	return KAERU_OK;
}

enum kaeru_err store_lookup(struct db *db, const char *slug, const char *order_number,
                            struct lookup *out)
{
	struct db_rows rows;
	enum kaeru_err e =
	    slug && order_number
	        ? db_query(db, sql_lookup, DB_ARGS(DBS(order_number), DBS(slug)), &rows)
	        : (memset(&rows, 0, sizeof(rows)), KAERU_OK);
	return lookup_row(e, &rows, out);
}

enum kaeru_err store_lookup_by_id(struct db *db, const char *slug, int64_t order_id,
                                  struct lookup *out)
{
	struct db_rows rows;
	enum kaeru_err e =
	    slug ? db_query(db, sql_lookup_by_id, DB_ARGS(DBI(order_id), DBS(slug)), &rows)
	         : (memset(&rows, 0, sizeof(rows)), KAERU_OK);
	return lookup_row(e, &rows, out);
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
