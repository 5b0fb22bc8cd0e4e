/* Staff sessions: logging in and out, and the check every staff endpoint starts with —
 * a live session cookie of an allowed role and, for changes, a same-origin JSON request. */
#ifndef KAERU_FCGI_SESSION_H
#define KAERU_FCGI_SESSION_H

#include "db/store.h"
#include "fcgi/http.h"
#include "util/keys.h"

#include <stdbool.h>

/* The session cookie's name. Over TLS the __Host- prefix makes browsers refuse it unless it
 * was set Secure, Path=/ and without Domain by this very host: no sibling subdomain or plain
 * http page can plant one. */
#define SESSION_COOKIE      "kaeru_session"
#define SESSION_COOKIE_TLS  "__Host-kaeru_session"
#define SESSION_COOKIES_MAX 4 /* of that name tried, the first live one wins */

/* Roles an endpoint admits, as a mask. */
#define ALLOW(role)   (1u << (role))
#define ALLOW_STAFF   (ALLOW(ROLE_WAREHOUSE) | ALLOW(ROLE_ADMIN))
#define ALLOW_ANYBODY (ALLOW(ROLE_WAREHOUSE) | ALLOW(ROLE_MERCHANT) | ALLOW(ROLE_ADMIN))

/* The session cookie name for this request: SESSION_COOKIE_TLS when served over TLS. */
const char *session_cookie_name(const struct req *r);
/* True when the request carries a session cookie (live or not). */
bool req_has_session(struct req *r);

/* Answers 401 (no or dead session), 403 (role not in roles, or a cross-origin change) or
 * 415 (a change not sent as JSON) itself and returns false; else fills *u. */
bool auth_staff(struct req *r, unsigned roles, struct user *u);

/* True when u may see the return: admins all, warehouse staff their warehouse's, merchant
 * users their merchant's. */
bool staff_can_see(const struct user *u, const struct ret *ret);

/* "warehouse:TYO1", the actor of a staff member's events at a return's warehouse. */
const char *staff_actor(struct req *r, const struct ret *ret);

#endif
