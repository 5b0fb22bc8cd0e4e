/* What a resolution writes besides the return's row — ledger entries, replacement shipments,
 * stock — as db/plan.c runs core's plans; and the labels due to expire. */
#include "db/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A plan's ledger rows as one JSON array, in its order. */
static const char sql_ledger_insert[] =
    "INSERT INTO ledger_entries (merchant_id, return_id, return_item_id, kind, currency, gross,"
    " restocking_fee, bonus, amount, withheld, created_at)"
    " SELECT ?, ?, j.item, j.kind, ?, j.gross, j.fee, j.bonus, j.amount, j.withheld,"
    " CURRENT_TIMESTAMP FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY,"
    " item BIGINT UNSIGNED PATH '$[0]', kind VARCHAR(32) PATH '$[1]', gross BIGINT PATH '$[2]',"
    " fee BIGINT PATH '$[3]', bonus BIGINT PATH '$[4]', amount BIGINT PATH '$[5]',"
    " withheld BIGINT PATH '$[6]')) j ORDER BY j.n";
static const char sql_shipment_insert[] =
    "INSERT INTO shipments (merchant_id, return_id, return_item_id, sku, quantity, created_at)"
    " VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP)";
static const char sql_inventory_commit[] =
    "UPDATE inventory SET available = GREATEST(available - ?, 0),"
    " reserved = GREATEST(reserved - ?, 0), updated_at = CURRENT_TIMESTAMP"
    " WHERE merchant_id = ? AND sku = ?";
static const char sql_restock[] =
    "INSERT INTO inventory (merchant_id, sku, product_id, variant, available) VALUES (?, ?, ?, ?, "
    "?)"
    " ON DUPLICATE KEY UPDATE available = available + VALUES(available),"
    " updated_at = CURRENT_TIMESTAMP";
static const char sql_expired_labels[] =
    "SELECT rma FROM returns WHERE status = 'label_issued' AND expires_at <= CURRENT_TIMESTAMP"
    " ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED";

enum kaeru_err store_ledger_add_plan(struct db *db, const struct ret *r, const struct plan *p)
{
	json_t *rows = json_array();
	for (size_t i = 0; i < p->n_items && i < r->n_items; i++) {
		const struct resolve_money *m = &p->items[i].money;
		if (p->items[i].ledger)
			json_array_append_new(
			    rows, json_pack("[I, s, I, I, I, I, I]", (json_int_t)r->items[i].id,
			                    resolution_names[r->items[i].resolution],
			                    (json_int_t)m->gross, (json_int_t)m->fee,
			                    (json_int_t)m->bonus, (json_int_t)m->amount,
			                    (json_int_t)m->withheld));
	}
	char *text = json_array_size(rows) ? json_dumps(rows, JSON_COMPACT) : NULL;
	bool none = json_array_size(rows) == 0;
	json_decref(rows);
	if (none)
		return KAERU_OK;
	enum kaeru_err e =
	    text ? db_exec(db, sql_ledger_insert,
	                   DB_ARGS(DBI(r->merchant_id), DBI(r->id), DBS(r->currency), DBS(text)),
	                   NULL, NULL)
	         : KAERU_EINTERNAL;
	free(text);
	return e;
}

enum kaeru_err store_shipment_add(struct db *db, const struct ret *r, const struct return_item *it,
                                  int64_t quantity)
{
	return db_exec(db, sql_shipment_insert,
	               DB_ARGS(DBI(r->merchant_id), DBI(r->id), DBI(it->id), DBS(it->exchange_sku),
	                       DBI(quantity)),
	               NULL, NULL);
}

enum kaeru_err store_inventory_commit(struct db *db, int64_t merchant_id, const char *sku,
                                      int64_t qty)
{
	return db_exec(db, sql_inventory_commit,
	               DB_ARGS(DBI(qty), DBI(qty), DBI(merchant_id), DBS(sku)), NULL, NULL);
}

enum kaeru_err store_restock(struct db *db, int64_t merchant_id, const struct return_item *it,
                             int64_t qty)
{
	return db_exec(db, sql_restock,
	               DB_ARGS(DBI(merchant_id), DBS(it->sku), DBS(it->product_id),
	                       DBS(it->variant), DBI(qty)),
	               NULL, NULL);
}

enum kaeru_err store_expired_labels(struct db *db, size_t max, char (*rmas)[RMA_LEN + 1], size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_expired_labels, DB_ARGS(DBI(max)), &rows);
	*n = 0;
	if (e != KAERU_OK)
		return e;
	for (size_t i = 0; i < rows.nrows && i < max; i++)
		snprintf(rmas[(*n)++], RMA_LEN + 1, "%s", db_str(&rows, i, 0));
	return KAERU_OK;
}
