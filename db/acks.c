/* The shop's acknowledgements (db/acks.h). */
#include "db/acks.h"

#define TIME(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

static const char sql_owed[] = "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries"
                               " WHERE return_id = ? AND kind = 'refund'";
static const char sql_paid[] =
    "SELECT COALESCE(SUM(amount), 0) FROM refund_payments WHERE return_id = ?";
static const char sql_payment_by_ref[] =
    "SELECT amount FROM refund_payments WHERE return_id = ? AND reference = ?";
static const char sql_payment_insert[] =
    "INSERT INTO refund_payments (merchant_id, return_id, amount, reference, created_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP())";
static const char sql_ship[] =
    "UPDATE shipments SET status = 'shipped', carrier = ?, tracking_number = ?,"
    " shipped_at = UTC_TIMESTAMP() WHERE return_id = ? AND status = 'pending'";
static const char sql_returns_changed[] =
    "SELECT r.rma, r.status, o.order_number, o.currency, " TIME("r.created_at") ", " TIME(
        "r.updated_at") " FROM returns r JOIN orders o ON o.id = r.order_id"
                        " WHERE r.merchant_id = ? AND r.updated_at >= TIMESTAMPADD(SECOND, ?,"
                        " '1970-01-01') ORDER BY r.updated_at, r.id LIMIT ? OFFSET ?";
static const char sql_returns_changed_count[] =
    "SELECT COUNT(*) FROM returns WHERE merchant_id = ?"
    " AND updated_at >= TIMESTAMPADD(SECOND, ?, '1970-01-01')";
static const char sql_shipment_count[] = "SELECT COUNT(*) FROM shipments WHERE return_id = ?";
static const char sql_ledger_rows[] =
    "SELECT l.kind, ri.sku, l.currency, l.gross, l.restocking_fee, l.bonus, l.amount, " TIME(
        "l.created_at") " FROM ledger_entries l JOIN return_items ri ON ri.id = l.return_item_id"
                        " WHERE l.return_id = ? ORDER BY l.id";
static const char sql_payment_rows[] = "SELECT amount, reference, " TIME(
    "created_at") " FROM refund_payments WHERE return_id = ? ORDER BY id";
static const char sql_shipment_rows[] =
    "SELECT sku, quantity, status, carrier, tracking_number, " TIME(
        "shipped_at") " FROM shipments WHERE return_id = ? ORDER BY id";

static int64_t one_int(struct db *db, const char *sql, int64_t id, enum kaeru_err *e)
{
	struct db_rows rows;
	*e = db_query(db, sql, DB_ARGS(DBI(id)), &rows);
	return *e == KAERU_OK && rows.nrows ? db_int(&rows, 0, 0) : 0;
}

static int64_t changed_count(struct db *db, int64_t merchant_id, int64_t since, enum kaeru_err *e)
{
	struct db_rows rows;
	*e = db_query(db, sql_returns_changed_count, DB_ARGS(DBI(merchant_id), DBI(since)), &rows);
	return *e == KAERU_OK && rows.nrows ? db_int(&rows, 0, 0) : 0;
}

enum kaeru_err store_refund_totals(struct db *db, int64_t return_id, int64_t *owed, int64_t *paid)
{
	enum kaeru_err e;
	*owed = one_int(db, sql_owed, return_id, &e);
	if (e == KAERU_OK)
		*paid = one_int(db, sql_paid, return_id, &e);
	return e;
}

enum kaeru_err store_refund_payment(struct db *db, int64_t return_id, const char *reference,
                                    int64_t *amount)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_payment_by_ref, DB_ARGS(DBI(return_id), DBS(reference)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	*amount = db_int(&rows, 0, 0);
	return KAERU_OK;
}

enum kaeru_err store_refund_paid(struct db *db, int64_t merchant_id, int64_t return_id,
                                 int64_t amount, const char *reference)
{
	return db_exec(db, sql_payment_insert,
	               DB_ARGS(DBI(merchant_id), DBI(return_id), DBI(amount), DBS(reference)), NULL,
	               NULL);
}

enum kaeru_err store_returns_changed(struct db *db, int64_t merchant_id, int64_t since,
                                     int64_t offset, int64_t limit, json_t **items, int64_t *total)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_returns_changed,
	             DB_ARGS(DBI(merchant_id), DBI(since), DBI(limit), DBI(offset)), &rows);
	if (e != KAERU_OK)
		return e;
	*total = changed_count(db, merchant_id, since, &e);
	if (e != KAERU_OK)
		return e;
	*items = json_array();
	for (size_t i = 0; i < rows.nrows; i++)
		json_array_append_new(
		    *items,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "rma", db_str(&rows, i, 0),
		              "status", db_str(&rows, i, 1), "order_number", db_str(&rows, i, 2),
		              "currency", db_str(&rows, i, 3), "created_at", db_str(&rows, i, 4),
		              "updated_at", db_str(&rows, i, 5)));
	return KAERU_OK;
}

enum kaeru_err store_shipments_ship(struct db *db, int64_t return_id, const char *carrier,
                                    const char *tracking_number, uint64_t *n, int64_t *total)
{
	enum kaeru_err e = db_exec(
	    db, sql_ship, DB_ARGS(DBS(carrier), DBS(tracking_number), DBI(return_id)), n, NULL);
	if (e == KAERU_OK)
		*total = one_int(db, sql_shipment_count, return_id, &e);
	return e;
}

static json_t *str_or_null(const struct db_rows *rows, size_t i, size_t col)
{
	const char *s = db_str(rows, i, col);
	return s ? json_string(s) : json_null();
}

enum kaeru_err store_return_money(struct db *db, int64_t return_id, json_t **out)
{
	struct db_rows l, p, s;
	enum kaeru_err e = db_query(db, sql_ledger_rows, DB_ARGS(DBI(return_id)), &l);
	if (e == KAERU_OK)
		e = db_query(db, sql_payment_rows, DB_ARGS(DBI(return_id)), &p);
	if (e == KAERU_OK)
		e = db_query(db, sql_shipment_rows, DB_ARGS(DBI(return_id)), &s);
	if (e != KAERU_OK)
		return e;
	json_t *ledger = json_array(), *payments = json_array(), *shipments = json_array();
	for (size_t i = 0; i < l.nrows; i++)
		json_array_append_new(
		    ledger,
		    json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "kind", db_str(&l, i, 0),
		              "sku", db_str(&l, i, 1), "currency", db_str(&l, i, 2), "gross",
		              (json_int_t)db_int(&l, i, 3), "restocking_fee",
		              (json_int_t)db_int(&l, i, 4), "bonus", (json_int_t)db_int(&l, i, 5),
		              "amount", (json_int_t)db_int(&l, i, 6), "at", db_str(&l, i, 7)));
	for (size_t i = 0; i < p.nrows; i++)
		json_array_append_new(
		    payments, json_pack("{s:I, s:s, s:s}", "amount", (json_int_t)db_int(&p, i, 0),
		                        "reference", db_str(&p, i, 1), "at", db_str(&p, i, 2)));
	for (size_t i = 0; i < s.nrows; i++)
		json_array_append_new(
		    shipments,
		    json_pack("{s:s, s:I, s:s, s:o, s:o, s:o}", "sku", db_str(&s, i, 0), "quantity",
		              (json_int_t)db_int(&s, i, 1), "status", db_str(&s, i, 2), "carrier",
		              str_or_null(&s, i, 3), "tracking_number", str_or_null(&s, i, 4),
		              "shipped_at", str_or_null(&s, i, 5)));
	*out = json_pack("{s:o, s:o, s:o}", "ledger", ledger, "refund_payments", payments,
	                 "shipments", shipments);
	return KAERU_OK;
}
