/* Staff sessions: logging in and out, and the check every staff endpoint starts with —
 * a live session cookie of an allowed role and, for changes, a same-origin JSON request. */
#ifndef KAERU_FCGI_SESSION_H
#define KAERU_FCGI_SESSION_H

#include "core/team.h"
#include "db/store.h"
#include "fcgi/http.h"
#include "util/keys.h"
#include "util/password.h"

#include <stdbool.h>

/* The session cookie's name. Over TLS the __Host- prefix makes browsers refuse it unless it
 * was set Secure, Path=/ and without Domain by this very host: no sibling subdomain or plain
 * http page can plant one. */
#define SESSION_COOKIE      "kaeru_session"
#define SESSION_COOKIE_TLS  "__Host-kaeru_session"
#define SESSION_COOKIES_MAX 4 /* of that name tried, the first live one wins */

/* The session cookie name for this request: SESSION_COOKIE_TLS when served over TLS. */
const char *session_cookie_name(const struct req *r);
/* True when the request carries a session cookie (live or not). */
bool req_has_session(struct req *r);

/* Answers 401 (no or dead session), 403 (a role without right, or a cross-origin change) or
 * 415 (a change not sent as JSON) itself and returns false; else fills *u. */
bool auth_staff(struct req *r, enum right right, struct user *u);
/* auth_staff in two halves, for a handler of one return that reads the session with it in one
 * statement (CRED_STAFF_WHOLE). auth_staff_before: the checks before the read (401 without a
 * session cookie, 403/415), answered itself (false); else r->who is WHO_STAFF_UNREAD of right.
 * auth_staff_whole, in the handler: the session's user and the return rma (NULL: none to read)
 * whole as store_return_whole reads it, into ret, m, p and *found (its answer: ENOTFOUND when
 * there is none). The verdict as auth_staff's (401, 403, nothing of the return told) answered
 * itself (false); else r->who is WHO_STAFF with the user. */
bool auth_staff_before(struct req *r, enum right right);
bool auth_staff_whole(struct req *r, const char *rma, struct ret *ret, struct merchant *m,
                      struct policy *p, enum kaeru_err *found);

/* Password checks and hashes for sign-ins, password changes and invitations: one at a time in
 * the process (each holds 19 MiB, util/password.h). password_check: whether password matches
 * hash, an unknown account (hash NULL) taking as long. password_make: false when memory ran
 * out. */
bool password_check(const char *hash, const char *password);
bool password_make(char out[PASSWORD_HASH_MAX], const char *password);

/* True when u may see the return: admins all, warehouse staff their warehouse's, merchant
 * users (owners and staff) their merchant's. */
bool staff_can_see(const struct user *u, const struct ret *ret);

/* "warehouse:TYO1", the actor of a staff member's events at a return's warehouse. */
const char *staff_actor(struct req *r, const struct ret *ret);

#endif
