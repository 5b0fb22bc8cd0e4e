/* Merchants, warehouses and staff users. */
#include "db/events.h"
#include "db/store.h"

#include <string.h>

static const char sql_merchant_by_key[] =
    "SELECT " MERCHANT_COLUMNS " FROM merchants m WHERE m.api_key_hash = ?";
static const char sql_merchant_by_slug[] =
    "SELECT " MERCHANT_COLUMNS " FROM merchants m WHERE m.slug = ?";
static const char sql_merchant_by_id[] =
    "SELECT " MERCHANT_COLUMNS " FROM merchants m WHERE m.id = ?";
static const char sql_warehouse_by_code[] =
    "SELECT id, code, name, address FROM warehouses WHERE code = ?";
static const char sql_warehouse_insert[] =
    "INSERT INTO warehouses (code, name, address) VALUES (?, ?, ?)";
static const char sql_merchant_insert[] =
    "INSERT INTO merchants (slug, name, currency, timezone, warehouse_id, api_key_hash,"
    " price_step) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_timezone_set[] = "UPDATE merchants SET timezone = ? WHERE id = ?";
static const char sql_reply_to_set[] = "UPDATE merchants SET reply_to = ? WHERE id = ?";
static const char sql_reply_to_get[] = "SELECT reply_to FROM merchants WHERE id = ?";
static const char sql_policy_set[] =
    "UPDATE merchants SET window_days = ?, restocking_fee_percent = ?,"
    " store_credit_bonus_percent = ?, label_validity_days = ?, resale_percent_new = ?,"
    " resale_percent_like_new = ?, resale_percent_good = ?, resale_percent_fair = ?,"
    " price_step = ?, reasons_offered = ?, fee_reasons = ?, price_floor_percent = ?,"
    " review_damaged = ?, review_short_receipt = ?, review_defective_new = ?,"
    " review_amount_over = ? WHERE id = ?";
static const char sql_merchant_lock[] =
    "SELECT " MERCHANT_COLUMNS " FROM merchants m WHERE m.id = ? FOR UPDATE";
static const char sql_merchant_settings_set[] =
    "UPDATE merchants SET timezone = ?, checkout_url = ? WHERE id = ?";
static const char sql_return_policy_keep[] =
    "INSERT INTO return_policies (return_id, restocking_fee_percent, fee_reasons,"
    " store_credit_bonus_percent, resale_percent_new, resale_percent_like_new,"
    " resale_percent_good, resale_percent_fair, price_step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_user_insert[] =
    "INSERT INTO users (email, password_hash, role, merchant_id, warehouse_id)"
    " VALUES (?, ?, ?, ?, ?)";

void store_merchant_from_row(const struct db_rows *rows, size_t row, size_t col, struct merchant *m)
{
	m->id = db_int(rows, row, col + 0);
	m->slug = db_str(rows, row, col + 1);
	m->name = db_str(rows, row, col + 2);
	m->currency = db_str(rows, row, col + 3);
	m->warehouse_id = db_int(rows, row, col + 4);
	struct policy *p = &m->policy;
	policy_default(p, m->currency);
	p->window_days = (int)db_int(rows, row, col + 5);
	p->restocking_fee_percent = (int)db_int(rows, row, col + 6);
	p->store_credit_bonus_percent = (int)db_int(rows, row, col + 7);
	p->label_validity_days = (int)db_int(rows, row, col + 8);
	p->resale_percent[GRADE_NEW] = (int)db_int(rows, row, col + 9);
	p->resale_percent[GRADE_LIKE_NEW] = (int)db_int(rows, row, col + 10);
	p->resale_percent[GRADE_GOOD] = (int)db_int(rows, row, col + 11);
	p->resale_percent[GRADE_FAIR] = (int)db_int(rows, row, col + 12);
	p->price_step = db_int(rows, row, col + 13);
	m->timezone = db_str(rows, row, col + 14);
	p->reasons_offered = (unsigned)db_int(rows, row, col + 15) & REASONS_ALL;
	p->fee_reasons = (unsigned)db_int(rows, row, col + 16) & REASONS_ALL;
	p->price_floor_percent = (int)db_int(rows, row, col + 17);
	m->checkout_url = db_isnull(rows, row, col + 18) ? NULL : db_str(rows, row, col + 18);
	p->review.damaged = db_int(rows, row, col + 19) != 0;
	p->review.short_receipt = db_int(rows, row, col + 20) != 0;
	p->review.defective_new = db_int(rows, row, col + 21) != 0;
	p->review.amount_over = db_isnull(rows, row, col + 22) ? -1 : db_int(rows, row, col + 22);
}

static enum kaeru_err merchant_row(enum kaeru_err e, const struct db_rows *rows, struct merchant *m)
{
	if (e != KAERU_OK)
		return e;
	if (rows->nrows == 0)
		return KAERU_ENOTFOUND;
	store_merchant_from_row(rows, 0, 0, m);
	return KAERU_OK;
}

enum kaeru_err store_merchant_by_key(struct db *db, const char *hash, struct merchant *m)
{
	struct db_rows rows;
	return merchant_row(db_query(db, sql_merchant_by_key, DB_ARGS(DBS(hash)), &rows), &rows, m);
}

enum kaeru_err store_merchant_by_slug(struct db *db, const char *slug, struct merchant *m)
{
	struct db_rows rows;
	return merchant_row(db_query(db, sql_merchant_by_slug, DB_ARGS(DBS(slug)), &rows), &rows,
	                    m);
}

enum kaeru_err store_merchant_by_id(struct db *db, int64_t id, struct merchant *m)
{
	struct db_rows rows;
	return merchant_row(db_query(db, sql_merchant_by_id, DB_ARGS(DBI(id)), &rows), &rows, m);
}

static enum kaeru_err warehouse_row(enum kaeru_err e, const struct db_rows *rows,
                                    struct warehouse *w)
{
	if (e != KAERU_OK)
		return e;
	if (rows->nrows == 0)
		return KAERU_ENOTFOUND;
	w->id = db_int(rows, 0, 0);
	w->code = db_str(rows, 0, 1);
	w->name = db_str(rows, 0, 2);
	w->address_json = db_str(rows, 0, 3);
	return KAERU_OK;
}

enum kaeru_err store_warehouse_by_code(struct db *db, const char *code, struct warehouse *w)
{
	struct db_rows rows;
	return warehouse_row(db_query(db, sql_warehouse_by_code, DB_ARGS(DBS(code)), &rows), &rows,
	                     w);
}

enum kaeru_err store_warehouse_create(struct db *db, const char *code, const char *name,
                                      const char *address_json, int64_t *id)
{
	uint64_t insert_id = 0;
	enum kaeru_err e =
	    db_exec(db, sql_warehouse_insert, DB_ARGS(DBS(code), DBS(name), DBS(address_json)),
	            NULL, &insert_id);
	*id = (int64_t)insert_id;
	return e;
}

enum kaeru_err store_merchant_create(struct db *db, const char *slug, const char *name,
                                     const char *currency, const char *timezone,
                                     int64_t warehouse_id, const char *key_hash, int64_t price_step,
                                     int64_t *id)
{
	uint64_t insert_id = 0;
	enum kaeru_err e = db_exec(db, sql_merchant_insert,
	                           DB_ARGS(DBS(slug), DBS(name), DBS(currency), DBS(timezone),
	                                   DBI(warehouse_id), DBS(key_hash), DBI(price_step)),
	                           NULL, &insert_id);
	*id = (int64_t)insert_id;
	return e;
}

enum kaeru_err store_user_create(struct db *db, const char *email, const char *password_hash,
                                 enum role role, int64_t merchant_id, int64_t warehouse_id)
{
	return db_exec(db, sql_user_insert,
	               DB_ARGS(DBS(email), DBS(password_hash), DBS(role_names[role]),
	                       merchant_id ? DBI(merchant_id) : DBN,
	                       warehouse_id ? DBI(warehouse_id) : DBN),
	               NULL, NULL);
}

enum kaeru_err store_merchant_policy_set(struct db *db, int64_t id, const struct policy *p)
{
	return db_exec(
	    db, sql_policy_set,
	    DB_ARGS(DBI(p->window_days), DBI(p->restocking_fee_percent),
	            DBI(p->store_credit_bonus_percent), DBI(p->label_validity_days),
	            DBI(p->resale_percent[GRADE_NEW]), DBI(p->resale_percent[GRADE_LIKE_NEW]),
	            DBI(p->resale_percent[GRADE_GOOD]), DBI(p->resale_percent[GRADE_FAIR]),
	            DBI(p->price_step), DBI(p->reasons_offered), DBI(p->fee_reasons),
	            DBI(p->price_floor_percent), DBI(p->review.damaged),
	            DBI(p->review.short_receipt), DBI(p->review.defective_new),
	            p->review.amount_over >= 0 ? DBI(p->review.amount_over) : DBN, DBI(id)),
	    NULL, NULL);
}

enum kaeru_err store_merchant_lock(struct db *db, int64_t id, struct merchant *m)
{
	struct db_rows rows;
	return merchant_row(db_query(db, sql_merchant_lock, DB_ARGS(DBI(id)), &rows), &rows, m);
}

enum kaeru_err store_merchant_policy_change(struct db *db, const struct merchant *m,
                                            const struct policy *p, const char *timezone,
                                            const char *checkout_url, const char *change_json)
{
	enum kaeru_err e = store_merchant_policy_set(db, m->id, p);
	db->memo.zone_merchant = 0; /* the transaction reads the new zone */
	if (e == KAERU_OK)
		e = db_exec(
		    db, sql_merchant_settings_set,
		    DB_ARGS(DBS(timezone), checkout_url ? DBS(checkout_url) : DBN, DBI(m->id)),
		    NULL, NULL);
	if (e == KAERU_OK)
		e = store_event_emit(db, m->id, "merchant.policy_changed", NULL, 0, change_json);
	return e;
}

enum kaeru_err store_return_policy_keep(struct db *db, int64_t return_id, const struct policy *p)
{
	return db_exec(
	    db, sql_return_policy_keep,
	    DB_ARGS(DBI(return_id), DBI(p->restocking_fee_percent), DBI(p->fee_reasons),
	            DBI(p->store_credit_bonus_percent), DBI(p->resale_percent[GRADE_NEW]),
	            DBI(p->resale_percent[GRADE_LIKE_NEW]), DBI(p->resale_percent[GRADE_GOOD]),
	            DBI(p->resale_percent[GRADE_FAIR]), DBI(p->price_step)),
	    NULL, NULL);
}

void store_return_policy_from_row(const struct db_rows *rows, size_t i, size_t col,
                                  struct policy *p)
{
	p->restocking_fee_percent = (int)db_int(rows, i, col);
	p->fee_reasons = (unsigned)db_int(rows, i, col + 1) & REASONS_ALL;
	p->store_credit_bonus_percent = (int)db_int(rows, i, col + 2);
	p->resale_percent[GRADE_NEW] = (int)db_int(rows, i, col + 3);
	p->resale_percent[GRADE_LIKE_NEW] = (int)db_int(rows, i, col + 4);
	p->resale_percent[GRADE_GOOD] = (int)db_int(rows, i, col + 5);
	p->resale_percent[GRADE_FAIR] = (int)db_int(rows, i, col + 6);
	p->price_step = db_int(rows, i, col + 7);
}

enum kaeru_err store_merchant_timezone_set(struct db *db, int64_t id, const char *timezone)
{
	db->memo.zone_merchant = 0; /* the transaction reads the new zone */
	return db_exec(db, sql_timezone_set, DB_ARGS(DBS(timezone), DBI(id)), NULL, NULL);
}

enum kaeru_err store_merchant_reply_to_set(struct db *db, int64_t id, const char *reply_to)
{
	return db_exec(db, sql_reply_to_set, DB_ARGS(reply_to ? DBS(reply_to) : DBN, DBI(id)), NULL,
	               NULL);
}

enum kaeru_err store_merchant_reply_to(struct db *db, int64_t id, const char **reply_to)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_reply_to_get, DB_ARGS(DBI(id)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	*reply_to = db_isnull(&rows, 0, 0) ? NULL : db_str(&rows, 0, 0);
	return KAERU_OK;
}
