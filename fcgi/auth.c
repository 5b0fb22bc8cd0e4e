#include "fcgi/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void hash_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(out, HASH_HEX_LEN + 1, h, sizeof(h));
}

void api_key_new(char out[48])
{
	unsigned char rnd[32];
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out, "kk_", 3);
	sodium_bin2base64(out + 3, 45, rnd, sizeof(rnd), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void tracking_key_new(char out[TRACKING_KEY_LEN + 1])
{
	unsigned char rnd[16];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2base64(out, TRACKING_KEY_LEN + 1, rnd, sizeof(rnd),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool auth_merchant_key(struct req *r, const char *slug, struct merchant *m)
{
	const char *key = req_bearer(r);
	if (!key) {
		respond_problem(r, 401, "Credentials required",
		                "Send the merchant API key as Authorization: Bearer <key>.", NULL);
		return false;
	}
	char h[HASH_HEX_LEN + 1];
	hash_hex(key, strlen(key), h);
	enum kaeru_err e = store_merchant_by_key(r->db, h, m);
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 401, "Unknown API key", NULL, NULL);
		return false;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return false;
	}
	if (strcmp(m->slug, slug) != 0) {
		respond_problem(r, 404, "Not found", "No such merchant for this key.", NULL);
		return false;
	}
	return true;
}

/* head + "." + the base64url HMAC-SHA256 of head under the server secret, in the arena: the one
 * signing scheme of kaeru's tokens (order tokens, return links). */
static char *signed_token(struct req *r, const char *head)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)head, strlen(head), r->cfg->secret);
	char b64[64];
	sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return arena_printf(r->arena, "%s.%s", head, b64);
}

/* Whether token is head "." mac with mac genuine for head (constant-time); *head_len is then
 * the length of head. */
static bool signed_token_verify(struct req *r, const char *token, size_t *head_len)
{
	const char *dot = strrchr(token, '.');
	if (!dot || dot == token)
		return false;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	size_t maclen = 0;
	if (sodium_base642bin(mac, sizeof(mac), dot + 1, strlen(dot + 1), NULL, &maclen, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    maclen != sizeof(mac))
		return false;
	if (crypto_auth_hmacsha256_verify(mac, (const unsigned char *)token,
	                                  (unsigned long long)(dot - token), r->cfg->secret) != 0)
		return false;
	*head_len = (size_t)(dot - token);
	return true;
}

/* Token: "o1.<order_id>.<expires>.<base64url HMAC-SHA256 of the first three parts>". */
char *order_token_new(struct req *r, int64_t order_id)
{
	char head[64];
	snprintf(head, sizeof(head), "o1.%lld.%lld", (long long)order_id,
	         (long long)(r->now + ORDER_TOKEN_TTL));
	return signed_token(r, head);
}

bool order_token_check(struct req *r, const char *token, int64_t *order_id)
{
	long long id, expires;
	int consumed = 0;
	size_t head_len;
	if (!signed_token_verify(r, token, &head_len) ||
	    sscanf(token, "o1.%lld.%lld%n", &id, &expires, &consumed) != 2 ||
	    (size_t)consumed != head_len)
		return false;
	if (expires < r->now)
		return false;
	*order_id = id;
	return true;
}

/* Link: "l1.<merchant_id>.<order_id>.<expires>.<base64url HMAC-SHA256 of the first four>". */
char *return_link_token_new(struct req *r, int64_t merchant_id, int64_t order_id, int64_t expires)
{
	char head[96];
	snprintf(head, sizeof(head), "l1.%lld.%lld.%lld", (long long)merchant_id,
	         (long long)order_id, (long long)expires);
	return signed_token(r, head);
}

enum link_check return_link_token_check(struct req *r, const char *token, int64_t *merchant_id,
                                        int64_t *order_id)
{
	long long mid, oid, expires;
	int consumed = 0;
	size_t head_len;
	if (!signed_token_verify(r, token, &head_len) ||
	    sscanf(token, "l1.%lld.%lld.%lld%n", &mid, &oid, &expires, &consumed) != 3 ||
	    (size_t)consumed != head_len)
		return LINK_FORGED;
	if (expires < r->now)
		return LINK_EXPIRED;
	*merchant_id = mid;
	*order_id = oid;
	return LINK_OK;
}
