/* Answers kept under a merchant's Idempotency-Key (db/idempotency.c, migration 017): the first
 * answer of a change, stored in the change's transaction, for a retry to get again. */
#ifndef KAERU_DB_IDEMPOTENCY_H
#define KAERU_DB_IDEMPOTENCY_H

#include "db/db.h"

#include <stdint.h>

#define IDEMPOTENCY_HASH_HEX_LEN 64
#define IDEMPOTENCY_KEEP_S       (24 * 3600) /* how long an answer is kept */

/* The answer kept under (merchant, key): the hash of the request that made it, its status and
 * body (in db->arena). ENOTFOUND when none is kept. */
enum kaeru_err store_idempotent_answer(struct db *db, int64_t merchant_id, const char *key,
                                       char request_hash[IDEMPOTENCY_HASH_HEX_LEN + 1], int *status,
                                       const char **body);
/* Keeps an answer under (merchant, key), in the caller's transaction. ECONFLICT when the key
 * is taken (another request under it committed first, or waits to). */
enum kaeru_err store_idempotent_keep(struct db *db, int64_t merchant_id, const char *key,
                                     const char *request_hash, int status, const char *body);
/* Forgets answers kept longer than IDEMPOTENCY_KEEP_S, at most batch of them; *n how many. */
enum kaeru_err store_idempotent_prune(struct db *db, uint64_t batch, uint64_t *n);

#endif
