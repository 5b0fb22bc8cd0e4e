/* Answers kept under a merchant's Idempotency-Key (db/idempotency.h). */
#include "db/idempotency.h"

#include <stdio.h>

static const char sql_answer[] = "SELECT request_hash, status, response FROM idempotency_keys"
                                 " WHERE merchant_id = ? AND idempotency_key = ?";
static const char sql_keep[] =
    "INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, status, response,"
    " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())";
static const char sql_prune[] = "DELETE FROM idempotency_keys"
                                " WHERE created_at < UTC_TIMESTAMP() - INTERVAL ? SECOND LIMIT ?";

enum kaeru_err store_idempotent_answer(struct db *db, int64_t merchant_id, const char *key,
                                       char request_hash[IDEMPOTENCY_HASH_HEX_LEN + 1], int *status,
                                       const char **body)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_answer, DB_ARGS(DBI(merchant_id), DBS(key)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	const char *hash = db_str(&rows, 0, 0);
	snprintf(request_hash, IDEMPOTENCY_HASH_HEX_LEN + 1, "%s", hash ? hash : "");
	*status = (int)db_int(&rows, 0, 1);
	*body = db_str(&rows, 0, 2);
	return KAERU_OK;
}

enum kaeru_err store_idempotent_keep(struct db *db, int64_t merchant_id, const char *key,
                                     const char *request_hash, int status, const char *body)
{
	return db_exec(
	    db, sql_keep,
	    DB_ARGS(DBI(merchant_id), DBS(key), DBS(request_hash), DBI(status), DBS(body)), NULL,
	    NULL);
}

enum kaeru_err store_idempotent_prune(struct db *db, uint64_t batch, uint64_t *n)
{
	*n = 0;
	return db_exec(db, sql_prune, DB_ARGS(DBI(IDEMPOTENCY_KEEP_S), DBI(batch)), n, NULL);
}
