/* Returns, their items and timeline; the lookup throttle. */
#include "db/events.h"
#include "db/search.h"
#include "db/store.h"

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
static const char sql_return_get[] =
    "SELECT r.id, r.merchant_id, r.order_id, r.warehouse_id, r.rma, r.tracking_key,"
    " r.status, DATE_FORMAT(r.created_at, '%Y-%m-%dT%H:%i:%sZ'), o.order_number,"
    " o.currency, o.shipping_address, w.code, w.name,"
    " DATE_FORMAT(r.received_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " TIMESTAMPDIFF(SECOND, '1970-01-01', r.expires_at), w.address,"
    " " TOTALS_COLUMNS ", " MERCHANT_COLUMNS " FROM returns r JOIN orders o ON o.id = r.order_id"
    " JOIN warehouses w ON w.id = r.warehouse_id JOIN merchants m ON m.id = r.merchant_id"
    " WHERE r.rma = ?";
#define RETURN_NCOLUMNS (16 + TOTALS_NCOLUMNS) /* the merchant's columns follow */
/* The lock takes only the return's own row: locking the joined order and warehouse rows too
 * would make every inspection in a warehouse wait for the others. It re-reads what of the row
 * can change once it exists: its status, and received_at with it. */
static const char sql_status_lock[] =
    "SELECT r.status, DATE_FORMAT(r.received_at, '%Y-%m-%dT%H:%i:%sZ'), " TOTALS_COLUMNS
    " FROM returns r WHERE r.id = ? FOR UPDATE";
static const char sql_items_get[] =
    "SELECT ri.id, ri.order_line_id, l.line_id, ri.sku, ri.name, ri.variant, ri.product_id,"
    " ri.quantity, ri.unit_price, ri.reserved_quantity, ri.reason, ri.comment, ri.resolution,"
    " ri.exchange_sku, ri.status, ri.received_quantity, ri.grade, ri.disposition, ri.note,"
    " (SELECT inv.variant FROM inventory inv JOIN returns r ON r.id = ri.return_id"
    "  WHERE inv.merchant_id = r.merchant_id AND inv.sku = ri.exchange_sku), ri.category"
    " FROM return_items ri JOIN order_lines l ON l.id = ri.order_line_id"
    " WHERE ri.return_id = ? ORDER BY ri.id";
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
    " idempotency_key, request_hash, created_at, updated_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, 'label_issued', ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
    " TIMESTAMPADD(SECOND, ?, '1970-01-01'))";
static const char sql_item_insert[] =
    "INSERT INTO return_items (return_id, order_line_id, sku, product_id, name, variant, category,"
    " unit_price, quantity, reason, comment, resolution, exchange_sku, reserved_quantity)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_event_insert[] =
    "INSERT INTO return_events (return_id, at, type, actor, user_id, detail)"
    " VALUES (?, NOW(3), ?, ?, ?, ?)";
/* The line's units in returns that count, raised by a new return's units but never above what
 * was sold: a certified write on the line, so two creates on two Galera nodes conflict. */
static const char sql_line_take[] =
    "UPDATE order_lines SET returned_quantity = returned_quantity + ?"
    " WHERE id = ? AND quantity - returned_quantity >= ?";
/* Every change to a locked return writes its row: the lock alone is local to one node. */
static const char sql_return_bump[] = "UPDATE returns SET revision = revision + 1 WHERE id = ?";
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

enum kaeru_err store_return_items(struct db *db, struct ret *r)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_items_get, DB_ARGS(DBI(r->id)), &rows);
	if (e != KAERU_OK)
		return e;
	r->n_items = rows.nrows;
	r->items = arena_zalloc(db->arena, sizeof(*r->items) * (rows.nrows + 1));
	for (size_t i = 0; i < rows.nrows; i++) {
		struct return_item *it = &r->items[i];
		it->id = db_int(&rows, i, 0);
		it->order_line_id = db_int(&rows, i, 1);
		it->line_id = db_str(&rows, i, 2);
		it->sku = db_str(&rows, i, 3);
		it->name = db_str(&rows, i, 4);
		it->variant = db_str(&rows, i, 5);
		it->product_id = db_str(&rows, i, 6);
		it->quantity = db_int(&rows, i, 7);
		it->unit_price = db_int(&rows, i, 8);
		it->reserved_quantity = db_int(&rows, i, 9);
		int reason = NAME_INDEX(reason_names, db_str(&rows, i, 10));
		int resolution = NAME_INDEX(resolution_names, db_str(&rows, i, 12));
		if (reason < 0 || resolution < 0)
			return KAERU_EINTERNAL; /* the schema only stores known names */
		it->reason = (enum reason)reason;
		it->comment = db_str(&rows, i, 11);
		it->resolution = (enum resolution)resolution;
		it->exchange_sku = db_str(&rows, i, 13);
		it->status = db_str(&rows, i, 14);
		it->has_received = !db_isnull(&rows, i, 15);
		it->received_quantity = db_int(&rows, i, 15);
		it->grade = db_str(&rows, i, 16);
		it->disposition = db_str(&rows, i, 17);
		it->note = db_str(&rows, i, 18);
		it->exchange_variant = db_str(&rows, i, 19);
		it->category = db_str(&rows, i, 20);
	}
	return KAERU_OK;
}

static enum kaeru_err load_events(struct db *db, struct ret *r)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_events_get, DB_ARGS(DBI(r->id)), &rows);
	if (e != KAERU_OK)
		return e;
	r->n_events = rows.nrows;
	r->events = arena_zalloc(db->arena, sizeof(*r->events) * (rows.nrows + 1));
	for (size_t i = 0; i < rows.nrows; i++) {
		r->events[i].at = db_str(&rows, i, 0);
		r->events[i].type = db_str(&rows, i, 1);
		r->events[i].actor = db_str(&rows, i, 2);
		r->events[i].detail_json = db_str(&rows, i, 3);
		r->events[i].staff = db_str(&rows, i, 4);
	}
	return KAERU_OK;
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

/* The replacement shipments of a resolved return (its totals came with its row). */
static enum kaeru_err load_shipments(struct db *db, struct ret *r)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_shipments_get, DB_ARGS(DBI(r->id)), &rows);
	if (e != KAERU_OK)
		return e;
	r->n_shipments = rows.nrows;
	r->shipments = arena_zalloc(db->arena, sizeof(*r->shipments) * (rows.nrows + 1));
	r->totals.replacements = 0;
	for (size_t i = 0; i < rows.nrows; i++) {
		r->shipments[i].sku = db_str(&rows, i, 0);
		r->shipments[i].variant = db_str(&rows, i, 1);
		r->shipments[i].quantity = db_int(&rows, i, 2);
		r->totals.replacements += r->shipments[i].quantity;
	}
	return KAERU_OK;
}

enum kaeru_err store_return_row(struct db *db, const char *rma, struct ret *r, struct merchant *m)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_return_get, DB_ARGS(DBS(rma)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	memset(r, 0, sizeof(*r));
	r->id = db_int(&rows, 0, 0);
	r->merchant_id = db_int(&rows, 0, 1);
	r->order_id = db_int(&rows, 0, 2);
	r->warehouse_id = db_int(&rows, 0, 3);
	snprintf(r->rma, sizeof(r->rma), "%s", db_str(&rows, 0, 4));
	r->tracking_key = db_str(&rows, 0, 5);
	if ((e = status_from(db_str(&rows, 0, 6), &r->status)) != KAERU_OK)
		return e;
	r->created_at = db_str(&rows, 0, 7);
	r->order_number = db_str(&rows, 0, 8);
	r->currency = db_str(&rows, 0, 9);
	r->shipping_address_json = db_str(&rows, 0, 10);
	r->warehouse_code = db_str(&rows, 0, 11);
	r->warehouse_name = db_str(&rows, 0, 12);
	r->received_at = db_str(&rows, 0, 13);
	r->expires_at = db_int(&rows, 0, 14);
	r->warehouse_address_json = db_str(&rows, 0, 15);
	totals_from_row(&rows, 16, r);
	if (m)
		store_merchant_from_row(&rows, 0, RETURN_NCOLUMNS, m);
	return KAERU_OK;
}

enum kaeru_err store_return_lock(struct db *db, struct ret *r)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_status_lock, DB_ARGS(DBI(r->id)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	if ((e = db_exec(db, sql_return_bump, DB_ARGS(DBI(r->id)), NULL, NULL)) != KAERU_OK)
		return e;
	r->received_at = db_str(&rows, 0, 1);
	totals_from_row(&rows, 2, r);
	return status_from(db_str(&rows, 0, 0), &r->status);
}

enum kaeru_err store_return_timeline(struct db *db, struct ret *r)
{
	enum kaeru_err e = load_events(db, r);
	if (e == KAERU_OK && r->status == RETURN_RESOLVED)
		e = load_shipments(db, r);
	return e;
}

enum kaeru_err store_return_get(struct db *db, const char *rma, struct ret *r)
{
	enum kaeru_err e;
	if ((e = store_return_row(db, rma, r, NULL)) != KAERU_OK ||
	    (e = store_return_items(db, r)) != KAERU_OK)
		return e;
	return store_return_timeline(db, r);
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

enum kaeru_err store_return_insert(struct db *db, struct ret *r, const char *idempotency_key,
                                   const char *request_hash_hex, int64_t expires_at)
{
	uint64_t id = 0;
	enum kaeru_err e =
	    db_exec(db, sql_return_insert,
	            DB_ARGS(DBS(r->rma), DBI(r->merchant_id), DBI(r->order_id),
	                    DBI(r->warehouse_id), DBS(r->tracking_key), DBS(idempotency_key),
	                    DBS(request_hash_hex), DBI(expires_at)),
	            NULL, &id);
	if (e != KAERU_OK)
		return e;
	r->id = (int64_t)id;
	for (size_t i = 0; i < r->n_items; i++) {
		struct return_item *it = &r->items[i];
		uint64_t taken = 0;
		e = db_exec(db, sql_line_take,
		            DB_ARGS(DBI(it->quantity), DBI(it->order_line_id), DBI(it->quantity)),
		            &taken, NULL);
		if (e == KAERU_OK && taken != 1)
			e = KAERU_ERETRY; /* returned meanwhile: decide again from a fresh read */
		if (e != KAERU_OK)
			return e;
		e = db_exec(db, sql_item_insert,
		            DB_ARGS(DBI(r->id), DBI(it->order_line_id), DBS(it->sku),
		                    DBS(it->product_id), DBS(it->name), DBS(it->variant),
		                    DBS(it->category), DBI(it->unit_price), DBI(it->quantity),
		                    DBS(reason_names[it->reason]), DBS(it->comment),
		                    DBS(resolution_names[it->resolution]), DBS(it->exchange_sku),
		                    DBI(it->reserved_quantity)),
		            NULL, &id);
		if (e != KAERU_OK)
			return e;
		it->id = (int64_t)id;
	}
	db->memo.touched_return = r->id;     /* made just now: its updated_at is now */
	return store_search_index_of(db, r); /* found by the console's search at once */
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
	enum kaeru_err e = db_exec(db, sql_event_insert,
	                           DB_ARGS(DBI(r->id), DBS(event_type_names[type]), DBS(actor),
	                                   user_id ? DBI(user_id) : DBN, DBS(detail_json)),
	                           NULL, NULL);
	return e == KAERU_OK ? store_event_return_of(db, r, status, type, detail_json) : e;
}

enum kaeru_err store_event_add(struct db *db, int64_t return_id, enum event_type type,
                               const char *actor, const char *detail_json)
{
	return store_event_add_by(db, return_id, type, actor, 0, detail_json);
}

enum kaeru_err store_item_unreserve(struct db *db, int64_t item_id)
{
	return db_exec(db, sql_item_unreserve, DB_ARGS(DBI(item_id)), NULL, NULL);
}
