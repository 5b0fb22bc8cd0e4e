/* Idempotency-Key: a client that sends a change again under the same key (its retry after a
 * lost answer, or nginx's on another host) never makes it twice.
 *
 * Merchant-key changes (a listing sold, held) keep their first answer in the change's own
 * transaction (db/idempotency.h); a retry — the same key, method, path and JSON body — gets it
 * again, status and body, whatever happened since, with `Idempotent-Replayed: true`. The same key
 * with another request is 409 and changes nothing. Only the answers of committed changes are
 * kept: a refusal (4xx) changed nothing, so a retry after one is decided afresh. Keys are the
 * merchant's own: one merchant's key never answers another's request.
 *
 * A handler: idempotent_begin with its checks; a transaction function that starts with
 * idempotent_seen (returning at once when it is not KAERU_OK or k->replay) and ends with
 * idempotent_keep; idempotent_run instead of db_tx_run; idempotent_respond first when answering.
 * A new return keeps its key on the return instead (h_customer.c) but reads the header, hashes
 * the body and refuses a reused key here.
 */
#ifndef KAERU_FCGI_IDEMPOTENCY_H
#define KAERU_FCGI_IDEMPOTENCY_H

#include "db/idempotency.h"
#include "fcgi/http.h"
#include "validate/check.h"

#include <jansson.h>
#include <stdbool.h>

struct idempotent {
	int64_t merchant_id;
	const char *key; /* the request's Idempotency-Key, or NULL */
	char request_hash[IDEMPOTENCY_HASH_HEX_LEN + 1];
	/* out, set by the transaction */
	bool replay; /* the key's answer was kept: status and body are it */
	bool reused; /* the key was used for another request */
	int status;
	const char *body; /* the answer (JSON), kept or to keep, in the request's arena */
};

/* The request's Idempotency-Key, or NULL when it sent none; a malformed one fails the check
 * naming the field "Idempotency-Key". */
const char *idempotency_key_read(struct req *r, struct checker *c);
/* BLAKE2b (hex) of scope followed by body as compact JSON with sorted keys: key order and
 * spacing do not tell two requests apart. */
void idempotency_request_hash(const char *scope, json_t *body,
                              char out[IDEMPOTENCY_HASH_HEX_LEN + 1]);
/* 409 "Idempotency-Key reused". */
void respond_idempotency_reused(struct req *r);

/* Fills *k for a change of merchant_id: the key (checked into c) and the hash of the method,
 * path and body. */
void idempotent_begin(struct req *r, struct checker *c, int64_t merchant_id, struct idempotent *k);
/* First in the transaction: KAERU_OK with k->replay when the key's answer is kept (the
 * transaction returns at once, changing nothing), KAERU_OK when there is none (or no key),
 * ECONFLICT with k->reused when the key was used for another request. */
enum kaeru_err idempotent_seen(struct db *db, struct idempotent *k);
/* Last in the transaction: answer (stolen) becomes k's answer with status, kept under the key
 * when there is one. ECONFLICT when another request took the key meanwhile. */
enum kaeru_err idempotent_keep(struct db *db, struct idempotent *k, int status, json_t *answer);
/* db_tx_run(fn, arg), run once more when it ends in a conflict under a key: the conflict may be
 * a concurrent request with this key that committed first, whose answer the second run finds. */
enum kaeru_err idempotent_run(struct db *db, db_tx_fn fn, void *arg, struct idempotent *k);
/* Answers the reused key (409) or, when e is KAERU_OK, the answer the transaction kept or
 * found; true when it answered. */
bool idempotent_respond(struct req *r, const struct idempotent *k, enum kaeru_err e);

#endif
