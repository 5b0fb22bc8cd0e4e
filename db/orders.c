/* Orders pushed by the shop, their lines, and inventory for exchanges. */
#include "db/store.h"
#include "util/timefmt.h"

#include <string.h>

static const char sql_order_upsert[] =
    "INSERT INTO orders (merchant_id, order_number, email, email_key, currency, placed_at,"
    " delivered_at, shipping_address)"
    " VALUES (?, ?, ?, LOWER(TRIM(?)), ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?)"
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
static const char sql_line_ids[] =
    "SELECT l.id, l.line_id, EXISTS (SELECT 1 FROM return_items ri WHERE ri.order_line_id = l.id)"
    " FROM order_lines l WHERE l.order_id = ?";
static const char sql_line_delete[] = "DELETE FROM order_lines WHERE id = ?";

#define ORDER_COLUMNS                                                                              \
	"SELECT id, merchant_id, order_number, email, currency, UNIX_TIMESTAMP(placed_at),"        \
	" UNIX_TIMESTAMP(delivered_at), shipping_address FROM orders "
static const char sql_order_get[] = ORDER_COLUMNS "WHERE merchant_id = ? AND order_number = ?";
static const char sql_order_get_lock[] =
    ORDER_COLUMNS "WHERE merchant_id = ? AND order_number = ? FOR UPDATE";
static const char sql_order_by_id[] = ORDER_COLUMNS "WHERE id = ?";
static const char sql_order_by_id_lock[] = ORDER_COLUMNS "WHERE id = ? FOR UPDATE";
static const char sql_lines_get[] =
    "SELECT l.id, l.line_id, l.sku, l.product_id, l.name, l.variant, l.category, l.quantity,"
    " l.unit_price, l.final_sale, (SELECT COALESCE(SUM(ri.quantity), 0) FROM return_items ri"
    " JOIN returns r ON r.id = ri.return_id WHERE ri.order_line_id = l.id"
    " AND r.status NOT IN ('canceled', 'expired'))"
    " FROM order_lines l WHERE l.order_id = ? ORDER BY l.position";

static const char sql_stock_upsert[] =
    "INSERT INTO inventory (merchant_id, sku, product_id, variant, available) VALUES (?, ?, ?, ?, "
    "?)"
    " ON DUPLICATE KEY UPDATE product_id = VALUES(product_id), variant = VALUES(variant),"
    " available = VALUES(available), updated_at = CURRENT_TIMESTAMP";
static const char sql_exchange_options[] =
    "SELECT l.id, i.sku, i.variant FROM order_lines l JOIN inventory i"
    " ON i.merchant_id = ? AND i.product_id = l.product_id AND i.sku <> l.sku"
    " AND i.available - i.reserved > 0 WHERE l.order_id = ? ORDER BY l.position, i.variant, i.sku";
static const char sql_reserve[] =
    "UPDATE inventory SET reserved = reserved + ? WHERE merchant_id = ? AND sku = ?"
    " AND product_id = ? AND available - reserved >= ?";
static const char sql_release[] =
    "UPDATE inventory SET reserved = GREATEST(reserved - ?, 0) WHERE merchant_id = ? AND sku = ?";

static bool in_input(const struct order *o, const char *line_id)
{
	for (size_t i = 0; i < o->n_lines; i++)
		if (strcmp(o->lines[i].line_id, line_id) == 0)
			return true;
	return false;
}

enum kaeru_err store_order_put(struct db *db, const struct order *o, bool *created,
                               const char **bad_line)
{
	uint64_t affected = 0, order_id = 0;
	enum kaeru_err e = db_exec(
	    db, sql_order_upsert,
	    DB_ARGS(DBI(o->merchant_id), DBS(o->order_number), DBS(o->email), DBS(o->email),
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
			if (in_input(o, db_str(&rows, r, 1)))
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
	return KAERU_OK;
}

static enum kaeru_err order_rows(struct db *db, enum kaeru_err e, const struct db_rows *rows,
                                 struct order *o)
{
	if (e != KAERU_OK)
		return e;
	if (rows->nrows == 0)
		return KAERU_ENOTFOUND;
	memset(o, 0, sizeof(*o));
	o->id = db_int(rows, 0, 0);
	o->merchant_id = db_int(rows, 0, 1);
	o->order_number = db_str(rows, 0, 2);
	o->email = db_str(rows, 0, 3);
	o->currency = db_str(rows, 0, 4);
	o->has_placed = !db_isnull(rows, 0, 5);
	o->placed_at = db_int(rows, 0, 5);
	o->has_delivered = !db_isnull(rows, 0, 6);
	o->delivered_at = db_int(rows, 0, 6);
	o->shipping_address_json = db_str(rows, 0, 7);

	struct db_rows lines;
	if ((e = db_query(db, sql_lines_get, DB_ARGS(DBI(o->id)), &lines)) != KAERU_OK)
		return e;
	o->n_lines = lines.nrows;
	o->lines = arena_zalloc(db->arena, sizeof(*o->lines) * (lines.nrows + 1));
	for (size_t r = 0; r < lines.nrows; r++) {
		struct order_line *l = &o->lines[r];
		l->id = db_int(&lines, r, 0);
		l->line_id = db_str(&lines, r, 1);
		l->sku = db_str(&lines, r, 2);
		l->product_id = db_str(&lines, r, 3);
		l->name = db_str(&lines, r, 4);
		l->variant = db_str(&lines, r, 5);
		l->category = db_str(&lines, r, 6);
		l->quantity = db_int(&lines, r, 7);
		l->unit_price = db_int(&lines, r, 8);
		l->final_sale = db_int(&lines, r, 9) != 0;
		l->returned = db_int(&lines, r, 10);
	}
	return KAERU_OK;
}

enum kaeru_err store_order_get(struct db *db, int64_t merchant_id, const char *order_number,
                               bool lock, struct order *o)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, lock ? sql_order_get_lock : sql_order_get,
	                            DB_ARGS(DBI(merchant_id), DBS(order_number)), &rows);
	return order_rows(db, e, &rows, o);
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

enum kaeru_err store_exchange_options(struct db *db, const struct order *o,
                                      struct exchange_option **out, size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_exchange_options, DB_ARGS(DBI(o->merchant_id), DBI(o->id)), &rows);
	if (e != KAERU_OK)
		return e;
	*n = rows.nrows;
	*out = arena_zalloc(db->arena, sizeof(**out) * (rows.nrows + 1));
	for (size_t r = 0; r < rows.nrows; r++) {
		(*out)[r].order_line_id = db_int(&rows, r, 0);
		(*out)[r].sku = db_str(&rows, r, 1);
		(*out)[r].variant = db_str(&rows, r, 2);
	}
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
