/* Idempotency-Key (fcgi/idempotency.h). */
#include "fcgi/idempotency.h"
#include "util/keys.h"

#include <stdlib.h>
#include <string.h>

const char *idempotency_key_read(struct req *r, struct checker *c)
{
	const char *key = r->idempotency_key;
	if (key && !segment_plausible(key, 255))
		check_fail(c, "Idempotency-Key", "must be 1 to 255 visible characters");
	return key;
}

void idempotency_request_hash(const char *scope, json_t *body,
                              char out[IDEMPOTENCY_HASH_HEX_LEN + 1])
{
	char *canonical = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	size_t n = strlen(scope), m = canonical ? strlen(canonical) : 0;
	char *all = xmalloc(n + m + 1);
	memcpy(all, scope, n);
	memcpy(all + n, canonical ? canonical : "", m + 1);
	hash_hex(all, n + m, out);
	free(all);
	free(canonical);
}

void respond_idempotency_reused(struct req *r)
{
	respond_problem(r, 409, "Idempotency-Key reused",
	                "This Idempotency-Key was used for a different request.", NULL);
}

void idempotent_begin(struct req *r, struct checker *c, int64_t merchant_id, struct idempotent *k)
{
	*k = (struct idempotent){.merchant_id = merchant_id, .key = idempotency_key_read(r, c)};
	if (k->key)
		idempotency_request_hash(
		    arena_printf(r->arena, "%s %s\n", method_names[r->method], r->path), r->json,
		    k->request_hash);
}

enum kaeru_err idempotent_seen(struct db *db, struct idempotent *k)
{
	k->replay = k->reused = false;
	k->status = 0;
	k->body = NULL;
	if (!k->key)
		return KAERU_OK;
	char seen[IDEMPOTENCY_HASH_HEX_LEN + 1];
	enum kaeru_err e =
	    store_idempotent_answer(db, k->merchant_id, k->key, seen, &k->status, &k->body);
	if (e == KAERU_ENOTFOUND)
		return KAERU_OK;
	if (e != KAERU_OK)
		return e;
	k->replay = strcmp(seen, k->request_hash) == 0;
	k->reused = !k->replay;
	return k->replay ? KAERU_OK : KAERU_ECONFLICT;
}

enum kaeru_err idempotent_keep(struct db *db, struct idempotent *k, int status, json_t *answer)
{
	char *s = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
	json_decref(answer);
	if (!s)
		return KAERU_EDB;
	k->status = status;
	k->body = arena_strdup(db->arena, s);
	free(s);
	return k->key ? store_idempotent_keep(db, k->merchant_id, k->key, k->request_hash, status,
	                                      k->body)
	              : KAERU_OK;
}

enum kaeru_err idempotent_run(struct db *db, db_tx_fn fn, void *arg, struct idempotent *k)
{
	enum kaeru_err e = db_tx_run(db, fn, arg);
	if (e == KAERU_ECONFLICT && k->key && !k->reused)
		e = db_tx_run(db, fn, arg);
	return e;
}

bool idempotent_respond(struct req *r, const struct idempotent *k, enum kaeru_err e)
{
	if (k->reused) {
		respond_idempotency_reused(r);
		return true;
	}
	if (e != KAERU_OK || !k->body)
		return false;
	respond(r, k->status, "application/json", k->replay ? "Idempotent-Replayed: true\r\n" : "",
	        k->body, strlen(k->body));
	return true;
}
