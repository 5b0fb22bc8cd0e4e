#include "fcgi/auth.h"

#include "fcgi/session.h"

_Static_assert(KEY_HASH_HEX_LEN == HASH_HEX_LEN, "one hash length for keys and the database");

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers 401/404 itself and returns false unless the Bearer key belongs to the merchant
 * whose slug is in the path; then fills *m. */
static bool auth_merchant_key(struct req *r, const char *slug, struct merchant *m)
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

/* Whether the rest of token after its first signed_len bytes and a '.' is the genuine MAC of
 * those bytes (compared in constant time). */
static bool signed_token_verify(struct req *r, const char *token, size_t signed_len)
{
	const char *b64 = token + signed_len + 1;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	size_t maclen = 0;
	if (sodium_base642bin(mac, sizeof(mac), b64, strlen(b64), NULL, &maclen, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    maclen != sizeof(mac))
		return false;
	return crypto_auth_hmacsha256_verify(mac, (const unsigned char *)token,
	                                     (unsigned long long)signed_len, r->cfg->secret) == 0;
}

/* Token: "o1.<order_id>.<expires>.<base64url HMAC-SHA256 of the first three parts>". */
char *order_token_new(struct req *r, int64_t order_id)
{
	char head[64];
	snprintf(head, sizeof(head), "o1.%lld.%lld", (long long)order_id,
	         (long long)(r->now + ORDER_TOKEN_TTL));
	return signed_token(r, head);
}

/* Reads the decimal digits at *p (no sign, no leading zero, at most INT64_MAX) into *v and
 * moves *p past them; false when there are none or they do not fit. */
static bool read_decimal(const char **p, int64_t *v)
{
	const char *s = *p;
	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	int64_t n = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		int d = *s - '0';
		if (n > (INT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	*p = s;
	return true;
}

bool order_token_check(struct req *r, const char *token, int64_t *order_id)
{
	int64_t id, expires;
	const char *p = token;
	if (strncmp(p, "o1.", 3) != 0)
		return false;
	p += 3;
	if (!read_decimal(&p, &id) || *p++ != '.' || !read_decimal(&p, &expires) || *p++ != '.')
		return false;
	if (!signed_token_verify(r, token, (size_t)(p - token - 1)))
		return false;
	if (id <= 0 || expires < r->now)
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
	int64_t mid, oid, expires;
	const char *p = token;
	if (strncmp(p, "l1.", 3) != 0)
		return LINK_FORGED;
	p += 3;
	if (!read_decimal(&p, &mid) || *p++ != '.' || !read_decimal(&p, &oid) || *p++ != '.' ||
	    !read_decimal(&p, &expires) || *p++ != '.')
		return LINK_FORGED;
	if (!signed_token_verify(r, token, (size_t)(p - token - 1)) || mid <= 0 || oid <= 0)
		return LINK_FORGED;
	if (expires < r->now)
		return LINK_EXPIRED;
	*merchant_id = mid;
	*order_id = oid;
	return LINK_OK;
}

/* An order token in Authorization, or a 401. */
static bool auth_order_token(struct req *r)
{
	const char *token = req_bearer(r);
	if (!token) {
		respond_problem(r, 401, "Order token required",
		                "Look the order up first; its token goes in Authorization: Bearer.",
		                NULL);
		return false;
	}
	if (!order_token_check(r, token, &r->who.order_id)) {
		respond_problem(r, 401, "Invalid or expired order token",
		                "Look the order up again for a new token.", NULL);
		return false;
	}
	r->who.kind = WHO_ORDER_TOKEN;
	return true;
}

/* A staff session of a role holding right, or a 401/403/415. */
static bool auth_session(struct req *r, enum right right)
{
	if (!auth_staff(r, right, &r->who.user))
		return false;
	r->who.kind = WHO_STAFF;
	return true;
}

bool auth_check(struct req *r, enum credential cred, enum right right)
{
	r->who = (struct principal){.kind = WHO_ANYBODY};
	switch (cred) {
	case CRED_NONE:
		return true;
	case CRED_MERCHANT_KEY:
		if (!auth_merchant_key(r, r->params[0], &r->who.merchant))
			return false;
		r->who.kind = WHO_MERCHANT_KEY;
		return true;
	case CRED_ORDER_TOKEN:
		return auth_order_token(r);
	case CRED_RETURN_READ: {
		const char *k = req_query(r, "k");
		if (req_bearer(r))
			return auth_order_token(r);
		if (k) {
			r->who.kind = WHO_TRACKING_KEY;
			r->who.tracking_key = k;
			return true;
		}
		if (req_has_session(r))
			return auth_session(r, RIGHT_SIGNED_IN);
		respond_problem(r, 401, "Credentials required",
		                "Use the tracking link, or the order token from lookup.", NULL);
		return false;
	}
	case CRED_STAFF:
		return auth_session(r, right);
	case CRED_STAFF_WHOLE:
		return auth_staff_before(r, right);
	case CRED__MAX:
		break;
	}
	abort();
}
