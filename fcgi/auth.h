/* Credentials: merchant API keys, order tokens from lookup, tracking keys, and the hashes
 * they are stored as. All comparisons are constant-time. */
#ifndef KAERU_FCGI_AUTH_H
#define KAERU_FCGI_AUTH_H

#include "db/store.h"
#include "fcgi/http.h"

#include <stdbool.h>
#include <stdint.h>

#define ORDER_TOKEN_TTL  (24 * 3600)
#define TRACKING_KEY_LEN 22               /* base64url of 16 random bytes */
#define RETURN_LINK_TTL  (30 * 24 * 3600) /* a shop's return link works 30 days */

/* Hex BLAKE2b-256 of data into out (65 bytes with the NUL). */
void hash_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1]);
/* A new merchant API key ("kk_" + 43 base64url characters) into out. */
void api_key_new(char out[48]);
/* A new random tracking key into out. */
void tracking_key_new(char out[TRACKING_KEY_LEN + 1]);

/* Answers 401/404 itself and returns false unless the Bearer key belongs to the merchant
 * whose slug is in the path; then fills *m. */
bool auth_merchant_key(struct req *r, const char *slug, struct merchant *m);

/* A signed token granting access to one order until now + ORDER_TOKEN_TTL; in the arena. */
char *order_token_new(struct req *r, int64_t order_id);
/* The order a token grants, if it is genuine and unexpired. */
bool order_token_check(struct req *r, const char *token, int64_t *order_id);

/* A return link's token: merchant and order signed with the server secret (the order token's
 * scheme), good until expires; in the arena. */
char *return_link_token_new(struct req *r, int64_t merchant_id, int64_t order_id, int64_t expires);
enum link_check { LINK_OK, LINK_FORGED, LINK_EXPIRED };
/* LINK_OK with the merchant and order a link token names when it is genuine and unexpired;
 * LINK_EXPIRED when genuine but past its time; LINK_FORGED otherwise. */
enum link_check return_link_token_check(struct req *r, const char *token, int64_t *merchant_id,
                                        int64_t *order_id);

#endif
