/* POST/GET/DELETE /api/v1/session and the staff check. Logins are counted per account and per
 * client address in MariaDB before the password is checked; past a few failures, the account or
 * address must wait, the wait doubling with each further failure. */
#include "fcgi/session.h"

#include "db/team.h"
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "validate/check.h"
#include "util/password.h"

#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOGIN_WINDOW_S     (15 * 60)
#define LOGIN_ACCOUNT_FREE 5  /* failures an account may have before it must wait */
#define LOGIN_ADDRESS_FREE 20 /* the same for a client address (a warehouse shares one) */
#define LOGIN_WAIT_FIRST_S 30
#define LOGIN_WAIT_MAX_S   900

const char *session_cookie_name(const struct req *r)
{
	return r->https ? SESSION_COOKIE_TLS : SESSION_COOKIE;
}

/* The well-formed session tokens among the request's session cookies, in order; how many. */
static size_t session_tokens(struct req *r, const char *tokens[SESSION_COOKIES_MAX])
{
	const char *values[SESSION_COOKIES_MAX];
	size_t n = cookie_values(r->arena, r->cookie, session_cookie_name(r), values,
	                         SESSION_COOKIES_MAX),
	       k = 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(values[i]) == SESSION_TOKEN_LEN)
			tokens[k++] = values[i];
	return k;
}

bool req_has_session(struct req *r)
{
	const char *tokens[SESSION_COOKIES_MAX];
	return session_tokens(r, tokens) > 0;
}

/* The origin this server is reached at, as a browser writes it in the Origin header. */
static bool origin_is_ours(struct req *r)
{
	if (!r->host)
		return false;
	const char *ours = arena_printf(r->arena, "%s://%s", r->https ? "https" : "http", r->host);
	if (strcasecmp(r->origin, ours) == 0)
		return true;
	const char *pub = r->cfg->public_url;
	if (!pub)
		return false;
	size_t n = strlen(pub);
	while (n && pub[n - 1] == '/')
		n--;
	return strlen(r->origin) == n && strncasecmp(r->origin, pub, n) == 0;
}

/* Cookie-carried changes only as same-origin JSON: a page of another site can make the
 * browser send the cookie, but not with a JSON type, our Origin and same-origin fetch data. */
static bool same_origin_json(struct req *r)
{
	if (r->method == METHOD_GET || r->method == METHOD_HEAD)
		return true;
	if ((r->origin && !origin_is_ours(r)) ||
	    (r->sec_fetch_site && (strcmp(r->sec_fetch_site, "cross-site") == 0 ||
	                           strcmp(r->sec_fetch_site, "same-site") == 0))) {
		respond_problem(r, 403, "Cross-origin request refused",
		                "Staff changes must come from kaeru's own pages.", NULL);
		return false;
	}
	/* A photo upload's image type, like JSON, needs a CORS preflight cross-site. */
	if ((r->method == METHOD_POST || r->method == METHOD_PUT || r->method == METHOD_PATCH) &&
	    !req_is_json(r) && !r->upload) {
		respond_problem(r, 415, "Unsupported media type",
		                "Send staff changes as Content-Type: application/json.", NULL);
		return false;
	}
	return true;
}

static char *token_hash(struct req *r, const char *token)
{
	char *h = arena_alloc(r->arena, HASH_HEX_LEN + 1);
	hash_hex(token, strlen(token), h);
	return h;
}

/* The checks before a session is read: a session cookie (else 401) and, for a change, a
 * same-origin JSON request (else 403 or 415). Answers itself and returns false; else fills
 * tokens, *n of them. */
static bool staff_before(struct req *r, const char *tokens[SESSION_COOKIES_MAX], size_t *n)
{
	*n = session_tokens(r, tokens);
	if (*n == 0) {
		respond_problem(r, 401, "Login required", "Log in with a staff account first.",
		                NULL);
		return false;
	}
	return same_origin_json(r);
}

/* The user of the first live session of tokens[from..n): a stale cookie of another path or an
 * older login may come first, any live one counts. */
static enum kaeru_err session_user(struct req *r, const char *const *tokens, size_t from, size_t n,
                                   struct user *u)
{
	enum kaeru_err e = KAERU_ENOTFOUND;
	for (size_t i = from; i < n && e == KAERU_ENOTFOUND; i++)
		e = store_session_user(r->db, token_hash(r, tokens[i]), SESSION_IDLE_S,
		                       SESSION_MAX_S, u);
	return e;
}

/* The verdict on the session read (e, u): 401 when none was live, 403 for a role without
 * right. Answers itself and returns false. */
static bool staff_verdict(struct req *r, enum right right, enum kaeru_err e, const struct user *u)
{
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 401, "Session expired", "Log in again.", NULL);
		return false;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return false;
	}
	if (!role_may(u->role, right)) {
		respond_problem(
		    r, 403, "Not allowed for this role",
		    right == RIGHT_SETTINGS && role_may(u->role, RIGHT_CONSOLE)
		        ? "Only an owner of the shop can change its policy, webhook or "
		          "team."
		        : arena_printf(r->arena, "A %s login cannot do this.", role_names[u->role]),
		    NULL);
		return false;
	}
	return true;
}

bool auth_staff(struct req *r, enum right right, struct user *u)
{
	const char *tokens[SESSION_COOKIES_MAX];
	size_t n;
	return staff_before(r, tokens, &n) &&
	       staff_verdict(r, right, session_user(r, tokens, 0, n, u), u);
}

bool auth_staff_before(struct req *r, enum right right)
{
	const char *tokens[SESSION_COOKIES_MAX];
	size_t n;
	if (!staff_before(r, tokens, &n))
		return false;
	r->who = (struct principal){.kind = WHO_STAFF_UNREAD, .right = right};
	return true;
}

bool auth_staff_whole(struct req *r, const char *rma, struct ret *ret, struct merchant *m,
                      struct policy *p, enum kaeru_err *found)
{
	assert(r->who.kind == WHO_STAFF_UNREAD);
	const char *tokens[SESSION_COOKIES_MAX];
	size_t n = session_tokens(r, tokens);
	struct user *u = &r->who.user;
	enum kaeru_err e = KAERU_ENOTFOUND;
	*found = KAERU_ENOTFOUND;
	if (rma && n > 0) {
		struct session_ask ask = {token_hash(r, tokens[0]), SESSION_IDLE_S, SESSION_MAX_S};
		*found = store_return_whole_session(r->db, rma, ret, m, p, &ask, u, &e);
	}
	/* No return to read (then every cookie), or the first cookie is dead (then the others):
	 * the session alone, then the return (a second read, for a stale cookie only). */
	if (e == KAERU_ENOTFOUND) {
		e = session_user(r, tokens, rma ? 1 : 0, n, u);
		if (e == KAERU_OK && rma)
			*found = store_return_whole(r->db, rma, ret, m, p);
	}
	if (!staff_verdict(r, r->who.right, e, u))
		return false;
	r->who.kind = WHO_STAFF;
	return true;
}

bool staff_can_see(const struct user *u, const struct ret *ret)
{
	switch (u->role) {
	case ROLE_ADMIN:
		return true;
	case ROLE_WAREHOUSE:
		return u->warehouse_id == ret->warehouse_id;
	case ROLE_MERCHANT:
	case ROLE_MERCHANT_STAFF:
		return u->merchant_id == ret->merchant_id;
	case ROLE__MAX:
		break;
	}
	return false;
}

const char *staff_actor(struct req *r, const struct ret *ret)
{
	return arena_printf(r->arena, "warehouse:%s", ret->warehouse_code);
}

static json_t *render_user(const struct user *u)
{
	return json_pack("{s:{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s?}}", "user", "id",
	                 (json_int_t)u->id, "email", u->email, "role", role_names[u->role],
	                 "merchant", u->merchant_slug, "merchant_name", u->merchant_name,
	                 "warehouse", u->warehouse_code, "warehouse_name", u->warehouse_name);
}

/* Seconds still to wait after count failures, the latest since_last seconds ago, when free
 * failures are allowed: 0 while under the limit, then 30 s doubling per failure. */
static int64_t login_wait(int64_t count, int64_t since_last, int free)
{
	if (count < free)
		return 0;
	int64_t n = count - free;
	int64_t wait = n >= 5 ? LOGIN_WAIT_MAX_S : (int64_t)LOGIN_WAIT_FIRST_S << n;
	if (wait > LOGIN_WAIT_MAX_S)
		wait = LOGIN_WAIT_MAX_S;
	return wait > since_last ? wait - since_last : 0;
}

/* Past its free attempts, a subject's next attempt waits as login_wait says, and goes one at a
 * time: while another is still being checked, it waits a second. */
static enum kaeru_err throttled_wait(struct req *r, enum throttle_kind kind, const char *subject,
                                     int free, int64_t *wait)
{
	struct throttle_state st;
	enum kaeru_err e = store_throttle_read(r->db, kind, subject, &st);
	if (e != KAERU_OK)
		return e;
	*wait = login_wait(st.failures, st.since_failure < 0 ? 0 : st.since_failure, free);
	if (st.attempts - st.failures > 1 && *wait < 1)
		*wait = 1;
	return KAERU_OK;
}

/* Counts this login against the account and the client address before the password is checked,
 * so that racing guesses cannot overshoot the free attempts. *wait: 0 when it may go on, else the
 * seconds to wait (and the attempt is given back: a refusal is not a failure). */
static enum kaeru_err login_admit(struct req *r, const char *account, int64_t *wait)
{
	int64_t na = 0, nc = 0, wa = 0, wc = 0;
	enum kaeru_err e =
	    store_throttle_take(r->db, THROTTLE_LOGIN_ACCOUNT, account, LOGIN_WINDOW_S, &na);
	if (e != KAERU_OK)
		return e;
	e = store_throttle_take(r->db, THROTTLE_LOGIN_ADDRESS, r->remote_addr, LOGIN_WINDOW_S, &nc);
	if (e == KAERU_OK && na > LOGIN_ACCOUNT_FREE)
		e = throttled_wait(r, THROTTLE_LOGIN_ACCOUNT, account, LOGIN_ACCOUNT_FREE, &wa);
	if (e == KAERU_OK && nc > LOGIN_ADDRESS_FREE)
		e = throttled_wait(r, THROTTLE_LOGIN_ADDRESS, r->remote_addr, LOGIN_ADDRESS_FREE,
		                   &wc);
	*wait = wa > wc ? wa : wc;
	if (e == KAERU_OK && *wait == 0)
		return KAERU_OK;
	/* Refused, or the database failed: neither is a failed login. */
	store_throttle_give_back(r->db, THROTTLE_LOGIN_ACCOUNT, account);
	if (nc > 0)
		store_throttle_give_back(r->db, THROTTLE_LOGIN_ADDRESS, r->remote_addr);
	return e;
}

static char dummy_hash[PASSWORD_HASH_MAX];
static void make_dummy_hash(void)
{
	char secret[33]; /* nobody knows it: no password can match */
	randombytes_buf(secret, sizeof(secret) - 1);
	secret[32] = '\0';
	if (!password_hash(dummy_hash, secret))
		dummy_hash[0] = '\0';
}

/* Password checks at once: each holds 19 MiB (util/password.h) and a core for its ~30 ms, so
 * a burst of logins (a shift starting) queues here instead of taking 19 MiB per worker thread
 * and sharing the cores with every scan. Hashing a new password costs the same and queues too. */
#define PASSWORD_CHECKS_MAX 1
static sem_t password_checks;

static void password_init(void)
{
	sem_init(&password_checks, 0, PASSWORD_CHECKS_MAX);
	make_dummy_hash();
}

static void password_enter(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, password_init);
	while (sem_wait(&password_checks) != 0)
		; /* EINTR */
}

bool password_check(const char *hash, const char *password)
{
	password_enter();
	bool same = password_verify(hash ? hash : dummy_hash, password);
	sem_post(&password_checks);
	return hash && same; /* for an unknown account only the time it took matters */
}

bool password_make(char out[PASSWORD_HASH_MAX], const char *password)
{
	password_enter();
	bool made = password_hash(out, password);
	sem_post(&password_checks);
	return made;
}

/* Records how an admitted attempt at account's password went: a success forgets the account's
 * failures and gives the address its attempt back; a failure counts for both. */
static enum kaeru_err password_attempt_done(struct req *r, const char *account, bool ok)
{
	enum kaeru_err e;
	if (ok) {
		if ((e = store_throttle_clear(r->db, THROTTLE_LOGIN_ACCOUNT, account)) == KAERU_OK)
			e = store_throttle_give_back(r->db, THROTTLE_LOGIN_ADDRESS, r->remote_addr);
		return e;
	}
	if ((e = store_throttle_failed(r->db, THROTTLE_LOGIN_ACCOUNT, account)) == KAERU_OK)
		e = store_throttle_failed(r->db, THROTTLE_LOGIN_ADDRESS, r->remote_addr);
	return e;
}

/* Admits an attempt at account's password (login_admit), or answers itself (an error, or 429
 * with Retry-After) and returns false. */
static bool password_attempt(struct req *r, const char *account)
{
	int64_t wait;
	enum kaeru_err e = login_admit(r, account, &wait);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return false;
	}
	if (wait > 0) {
		respond_problem_with(
		    r, 429, "Too many failed logins",
		    arena_printf(r->arena, "Wait %lld seconds before trying again.",
		                 (long long)wait),
		    NULL, arena_printf(r->arena, "Retry-After: %lld\r\n", (long long)wait));
		return false;
	}
	return true;
}

/* POST /api/v1/session {email, password} */
void h_session_create(struct req *r)
{
	if (r->origin && !origin_is_ours(r)) {
		respond_problem(r, 403, "Cross-origin request refused", NULL, NULL);
		return;
	}
	struct checker c;
	check_init(&c, r->arena);
	const char *email = check_string(&c, r->json, "email", REQUIRED, 1, 254, NULL);
	const char *password =
	    check_string(&c, r->json, "password", REQUIRED, 1, PASSWORD_MAX_LEN, NULL);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	const char *account = email_key(r->arena, email);
	if (!password_attempt(r, account))
		return;
	struct user u;
	enum kaeru_err e = store_user_by_email(r->db, account, &u);
	if (e != KAERU_OK && e != KAERU_ENOTFOUND) {
		respond_error(r, e);
		return;
	}
	if (!password_check(e == KAERU_OK ? u.password_hash : NULL, password)) {
		if ((e = password_attempt_done(r, account, false)) != KAERU_OK) {
			respond_error(r, e);
			return;
		}
		respond_problem(r, 401, "Wrong email or password", NULL, NULL);
		return;
	}
	char token[SESSION_TOKEN_LEN + 1];
	session_token_new(token);
	if ((e = password_attempt_done(r, account, true)) != KAERU_OK ||
	    (e = store_session_create(r->db, token_hash(r, token), u.id)) != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	char *headers =
	    arena_printf(r->arena, "Set-Cookie: %s=%s; Path=/; HttpOnly; SameSite=Strict%s\r\n",
	                 session_cookie_name(r), token, r->https ? "; Secure" : "");
	respond_json_with(r, 200, render_user(&u), headers);
}

/* GET /api/v1/session */
void h_session_get(struct req *r)
{
	respond_json(r, 200, render_user(&r->who.user));
}

/* DELETE /api/v1/session: logs out (every session cookie the request carries); harmless
 * without a session. */
void h_session_delete(struct req *r)
{
	const char *tokens[SESSION_COOKIES_MAX];
	size_t n = session_tokens(r, tokens);
	if (n && !same_origin_json(r))
		return;
	for (size_t i = 0; i < n; i++) {
		enum kaeru_err e = store_session_delete(r->db, token_hash(r, tokens[i]));
		if (e != KAERU_OK) {
			respond_error(r, e);
			return;
		}
	}
	respond(r, 204, "application/json",
	        arena_printf(r->arena,
	                     "Set-Cookie: %s=; Path=/; HttpOnly; SameSite=Strict%s; Max-Age=0\r\n",
	                     session_cookie_name(r), r->https ? "; Secure" : ""),
	        NULL, 0);
}

struct password_change {
	const struct user *u;
	const char *hash;
};

static enum kaeru_err password_change_tx(struct db *db, void *arg)
{
	struct password_change *pc = arg;
	return store_password_change(db, pc->u->id, pc->u->password_hash, pc->hash,
	                             pc->u->session_hash);
}

/* POST /api/v1/session/password {current_password, new_password}: the signed-in user's own
 * password. The current one is checked as a sign-in is (and counts as one against guessing);
 * every other session of the user ends, this one stays. */
void h_password_change(struct req *r)
{
	const struct user *u = &r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	const char *current =
	    check_string(&c, r->json, "current_password", REQUIRED, 1, PASSWORD_MAX_LEN, NULL);
	const char *fresh = check_string(&c, r->json, "new_password", REQUIRED, PASSWORD_MIN_LEN,
	                                 PASSWORD_MAX_LEN, NULL);
	if (current && fresh && strcmp(current, fresh) == 0)
		check_fail(&c, "new_password", "must differ from the current password");
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	if (!password_attempt(r, u->email))
		return;
	bool ok = password_check(u->password_hash, current);
	enum kaeru_err e = password_attempt_done(r, u->email, ok);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	if (!ok) {
		respond_invalid(r, json_pack("[{s:s, s:s}]", "field", "current_password", "message",
		                             "is not your current password"));
		return;
	}
	char hash[PASSWORD_HASH_MAX];
	if (!password_make(hash, fresh)) {
		respond_error(r, KAERU_EINTERNAL);
		return;
	}
	struct password_change pc = {.u = u, .hash = hash};
	e = db_tx_run(r->db, password_change_tx, &pc);
	if (e == KAERU_ECONFLICT)
		respond_problem(r, 409, "The password changed meanwhile",
		                "Sign in again with the new password.", NULL);
	else if (e != KAERU_OK)
		respond_error(r, e);
	else
		respond(r, 204, "application/json", "", NULL, 0);
}
