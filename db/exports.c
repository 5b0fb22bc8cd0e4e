/* What the console's CSV exports read: a merchant's return items and ledger entries in a range
 * of creation times, in keyset pages (created_at, id) so that each page is one bounded range
 * read of an index and an export of any size never holds more than a page. */
#include "db/store.h"

/* One row per return item, with the return, its order and the item's ledger entry (if any). */
/* A page is the items of up to `limit` returns, those read off ix_returns_merchant_created in
 * its order after the key (the derived table stops there): only their items are joined and
 * sorted. Sorting by the items' ids over the join instead made MariaDB join and sort every
 * return left in the range for each page, a download's time growing with the square of its
 * returns. */
static const char sql_export_returns[] =
    "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01', r.created_at), r.id, r.rma, r.status,"
    " o.order_number, o.email, o.currency, i.sku, i.product_id, i.name, i.variant, i.quantity,"
    " i.unit_price, i.reason, i.comment, i.resolution, i.exchange_sku, i.received_quantity,"
    " i.grade, i.disposition, l.gross, l.restocking_fee, l.bonus, l.withheld, l.amount,"
    " TIMESTAMPDIFF(SECOND, '1970-01-01', r.resolved_at)"
    " FROM (SELECT p.id FROM returns p FORCE INDEX (ix_returns_merchant_created)"
    "  WHERE p.merchant_id = ? AND p.created_at >= TIMESTAMPADD(SECOND, ?, '1970-01-01')"
    "  AND p.created_at < TIMESTAMPADD(SECOND, ?, '1970-01-01')"
    "  AND (p.created_at > TIMESTAMPADD(SECOND, ?, '1970-01-01')"
    "   OR (p.created_at = TIMESTAMPADD(SECOND, ?, '1970-01-01') AND p.id > ?))"
    "  ORDER BY p.created_at, p.id LIMIT ?) page"
    " JOIN returns r ON r.id = page.id"
    " JOIN orders o ON o.id = r.order_id JOIN return_items i ON i.return_id = r.id"
    " LEFT JOIN ledger_entries l ON l.return_item_id = i.id"
    " ORDER BY r.created_at, r.id, i.id";
static const char sql_export_ledger[] =
    "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01', l.created_at), l.id, r.rma, o.order_number,"
    " i.sku, l.kind, l.currency, l.gross, l.restocking_fee, l.bonus, l.withheld, l.amount"
    " FROM ledger_entries l JOIN returns r ON r.id = l.return_id"
    " JOIN orders o ON o.id = r.order_id JOIN return_items i ON i.id = l.return_item_id"
    " WHERE l.merchant_id = ? AND l.created_at >= TIMESTAMPADD(SECOND, ?, '1970-01-01')"
    " AND l.created_at < TIMESTAMPADD(SECOND, ?, '1970-01-01')"
    " AND (l.created_at > TIMESTAMPADD(SECOND, ?, '1970-01-01')"
    "  OR (l.created_at = TIMESTAMPADD(SECOND, ?, '1970-01-01') AND l.id > ?))"
    " ORDER BY l.created_at, l.id LIMIT ?";

static enum kaeru_err export_page(struct db *db, const char *sql, int64_t merchant_id,
                                  const struct export_range *range, const struct export_key *after,
                                  size_t limit, struct db_rows *rows)
{
	return db_query(db, sql,
	                DB_ARGS(DBI(merchant_id), DBI(range->from), DBI(range->to), DBI(after->at),
	                        DBI(after->at), DBI(after->id), DBI((int64_t)limit)),
	                rows);
}

enum kaeru_err store_export_returns_page(struct db *db, int64_t merchant_id,
                                         const struct export_range *range,
                                         const struct export_key *after, size_t limit,
                                         struct db_rows *rows)
{
	return export_page(db, sql_export_returns, merchant_id, range, after, limit, rows);
}

enum kaeru_err store_export_ledger_page(struct db *db, int64_t merchant_id,
                                        const struct export_range *range,
                                        const struct export_key *after, size_t limit,
                                        struct db_rows *rows)
{
	return export_page(db, sql_export_ledger, merchant_id, range, after, limit, rows);
}
