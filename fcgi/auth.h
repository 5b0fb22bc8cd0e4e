/* Credentials as kaeru-fcgi checks them: merchant API keys, order tokens from lookup,
 * tracking keys, staff sessions (session.h); how keys are made and hashed is util/keys.h. */
#ifndef KAERU_FCGI_AUTH_H
#define KAERU_FCGI_AUTH_H

#include "core/team.h"
#include "db/store.h"
#include "fcgi/http.h"
#include "util/keys.h"

#include <stdbool.h>
#include <stdint.h>

#define ORDER_TOKEN_TTL (24 * 3600)
#define RETURN_LINK_TTL (30 * 24 * 3600) /* a shop's return link works 30 days */

/* The credential a route takes: one column of the routing table (router.c), checked in one
 * place before its handler runs. */
enum credential {
	CRED_NONE,         /* anybody */
	CRED_MERCHANT_KEY, /* Bearer API key of the merchant whose slug is the path's first '*' */
	CRED_ORDER_TOKEN,  /* Bearer order token from lookup */
	CRED_RETURN_READ,  /* an order token, a tracking key (?k=) or a staff session, in that
	                    * order; the handler matches it against the return it loads */
	CRED_STAFF,        /* a staff session whose role holds the route's right (core/team.h) */
	CRED_STAFF_WHOLE,  /* the same, read by the handler with the return it reads whole, in one
	                    * statement (auth_staff_whole); checked here only as far as that read */
	CRED__MAX
};

/* Checks the request's credential of kind cred (for CRED_STAFF, a role holding right) and
 * fills r->who. Answers 401/403/404/415 itself and returns false when it is missing or wrong:
 * 401 without a valid one, 404 for a merchant key of another merchant than the path's. */
bool auth_check(struct req *r, enum credential cred, enum right right);

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
