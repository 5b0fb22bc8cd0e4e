/* Staff users, their sessions, and the throttles that slow guessing of logins down (a lookup's
 * failures go into the same table: db/orders.c, store_lookup_failed). */
#include "db/store.h"

#include <string.h>

/* Removed team members (015_merchant_team.sql) hold no active_email: they cannot sign in. */
static const char sql_user_by_email[] =
    "SELECT " USER_COLUMNS " FROM users u" USER_JOINS " WHERE u.active_email = ?";
static const char sql_session_user[] = "SELECT " SESSION_USER_COLUMNS SESSION_USER_FROM;
static const char sql_session_insert[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)"
    " VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
static const char sql_signed_in[] =
    "UPDATE users SET last_sign_in_at = CURRENT_TIMESTAMP WHERE id = ?";
static const char sql_session_touch[] =
    "UPDATE sessions SET last_seen_at = CURRENT_TIMESTAMP WHERE token_hash = ?";
static const char sql_session_delete[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char sql_sessions_prune[] =
    "DELETE FROM sessions WHERE last_seen_at <= CURRENT_TIMESTAMP - INTERVAL ? SECOND"
    " OR created_at <= CURRENT_TIMESTAMP - INTERVAL ? SECOND";
/* LAST_INSERT_ID(n) hands the row's new count back with the statement's answer. ON DUPLICATE
 * KEY UPDATE assigns left to right: started is reset last, after the others read it. */
static const char sql_throttle_take[] =
    "INSERT INTO throttles (kind, subject, started, attempts) VALUES (?, ?, NOW(3), "
    "LAST_INSERT_ID(1))"
    " ON DUPLICATE KEY UPDATE"
    " attempts = LAST_INSERT_ID(IF(started < NOW(3) - INTERVAL ? SECOND, 1, attempts + 1)),"
    " failures = IF(started < NOW(3) - INTERVAL ? SECOND, 0, failures),"
    " last_failed = IF(started < NOW(3) - INTERVAL ? SECOND, NULL, last_failed),"
    " started = IF(started < NOW(3) - INTERVAL ? SECOND, NOW(3), started)";
static const char sql_throttle_give_back[] =
    "UPDATE throttles SET attempts = attempts - 1 WHERE kind = ? AND subject = ? AND attempts > 0";
static const char sql_throttle_failed[] =
    "UPDATE throttles SET failures = failures + 1, last_failed = NOW(3)"
    " WHERE kind = ? AND subject = ?";
static const char sql_throttle_clear[] = "DELETE FROM throttles WHERE kind = ? AND subject = ?";
static const char sql_throttle_read[] =
    "SELECT attempts, failures, TIMESTAMPDIFF(SECOND, started, NOW(3)),"
    " COALESCE(TIMESTAMPDIFF(SECOND, last_failed, NOW(3)), -1)"
    " FROM throttles WHERE kind = ? AND subject = ?";
static const char sql_throttles_prune[] =
    "DELETE FROM throttles WHERE started < NOW(3) - INTERVAL 1 DAY";

static const char *const throttle_kinds[] = {[THROTTLE_LOOKUP] = "lookup",
                                             [THROTTLE_LOGIN_ACCOUNT] = "login_account",
                                             [THROTTLE_LOGIN_ADDRESS] = "login_address"};

static enum kaeru_err user_row(const struct db_rows *rows, struct user *u)
{
	if (rows->nrows == 0)
		return KAERU_ENOTFOUND;
	int role = NAME_INDEX(role_names, db_str(rows, 0, 3));
	if (role < 0)
		return KAERU_EINTERNAL;
	*u = (struct user){
	    .id = db_int(rows, 0, 0),
	    .email = db_str(rows, 0, 1),
	    .password_hash = db_str(rows, 0, 2),
	    .role = (enum role)role,
	    .merchant_id = db_int(rows, 0, 4),
	    .warehouse_id = db_int(rows, 0, 5),
	    .merchant_slug = db_str(rows, 0, 6),
	    .merchant_name = db_str(rows, 0, 7),
	    .warehouse_code = db_str(rows, 0, 8),
	    .warehouse_name = db_str(rows, 0, 9),
	};
	return KAERU_OK;
}

enum kaeru_err store_user_by_email(struct db *db, const char *email, struct user *u)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_user_by_email, DB_ARGS(DBS(email)), &rows);
	return e != KAERU_OK ? e : user_row(&rows, u);
}

enum kaeru_err store_session_create(struct db *db, const char *token_hash, int64_t user_id)
{
	enum kaeru_err e =
	    db_exec(db, sql_session_insert, DB_ARGS(DBS(token_hash), DBI(user_id)), NULL, NULL);
	return e != KAERU_OK ? e : db_exec(db, sql_signed_in, DB_ARGS(DBI(user_id)), NULL, NULL);
}

enum kaeru_err store_session_user(struct db *db, const char *token_hash, int idle_s, int max_s,
                                  struct user *u)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_session_user,
	                            DB_ARGS(DBS(token_hash), DBI(idle_s), DBI(max_s)), &rows);
	return e != KAERU_OK ? e : store_session_from_rows(db, &rows, token_hash, u);
}

enum kaeru_err store_session_from_rows(struct db *db, const struct db_rows *rows,
                                       const char *token_hash, struct user *u)
{
	enum kaeru_err e = user_row(rows, u);
	if (e != KAERU_OK)
		return e;
	u->session_hash = token_hash;
	if (db_int(rows, 0, SESSION_USER_NCOLUMNS - 1) >= 60) /* a write a minute, not a scan */
		e = db_exec(db, sql_session_touch, DB_ARGS(DBS(token_hash)), NULL, NULL);
	return e;
}

enum kaeru_err store_session_delete(struct db *db, const char *token_hash)
{
	return db_exec(db, sql_session_delete, DB_ARGS(DBS(token_hash)), NULL, NULL);
}

enum kaeru_err store_sessions_prune(struct db *db, int idle_s, int max_s, uint64_t *n)
{
	return db_exec(db, sql_sessions_prune, DB_ARGS(DBI(idle_s), DBI(max_s)), n, NULL);
}

/* A write to a throttle row that lost a race (a deadlock, or on Galera a certification
 * conflict of two nodes counting the same subject) is simply made again. */
static enum kaeru_err throttle_exec(struct db *db, const char *sql, const struct db_val *params,
                                    size_t n, uint64_t *insert_id)
{
	enum kaeru_err e = KAERU_ERETRY;
	for (int attempt = 0; attempt < 5 && e == KAERU_ERETRY; attempt++)
		e = db_exec(db, sql, params, n, NULL, insert_id);
	return e;
}

enum kaeru_err store_throttle_take(struct db *db, enum throttle_kind kind, const char *subject,
                                   int window_s, int64_t *attempts)
{
	uint64_t n = 0;
	enum kaeru_err e =
	    throttle_exec(db, sql_throttle_take,
	                  DB_ARGS(DBS(throttle_kinds[kind]), DBS(subject), DBI(window_s),
	                          DBI(window_s), DBI(window_s), DBI(window_s)),
	                  &n);
	if (e == KAERU_OK && n == 0)
		return KAERU_EINTERNAL; /* LAST_INSERT_ID(n) did not come back: a defect */
	*attempts = (int64_t)n;
	return e;
}

enum kaeru_err store_throttle_give_back(struct db *db, enum throttle_kind kind, const char *subject)
{
	return throttle_exec(db, sql_throttle_give_back,
	                     DB_ARGS(DBS(throttle_kinds[kind]), DBS(subject)), NULL);
}

enum kaeru_err store_throttle_failed(struct db *db, enum throttle_kind kind, const char *subject)
{
	return throttle_exec(db, sql_throttle_failed,
	                     DB_ARGS(DBS(throttle_kinds[kind]), DBS(subject)), NULL);
}

enum kaeru_err store_throttle_clear(struct db *db, enum throttle_kind kind, const char *subject)
{
	return throttle_exec(db, sql_throttle_clear,
	                     DB_ARGS(DBS(throttle_kinds[kind]), DBS(subject)), NULL);
}

enum kaeru_err store_throttle_read(struct db *db, enum throttle_kind kind, const char *subject,
                                   struct throttle_state *out)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_throttle_read,
	                            DB_ARGS(DBS(throttle_kinds[kind]), DBS(subject)), &rows);
	if (e != KAERU_OK)
		return e;
	*out = (struct throttle_state){.since_failure = -1};
	if (rows.nrows) {
		out->attempts = db_int(&rows, 0, 0);
		out->failures = db_int(&rows, 0, 1);
		out->window_age = db_int(&rows, 0, 2);
		out->since_failure = db_int(&rows, 0, 3);
	}
	return KAERU_OK;
}

enum kaeru_err store_failures_prune(struct db *db, uint64_t *n)
{
	*n = 0;
	return db_exec(db, sql_throttles_prune, NULL, 0, n, NULL);
}
