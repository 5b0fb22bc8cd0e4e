/* Staff users, their sessions, and the record of failed logins that slows guessing down. */
#include "db/store.h"

#include <string.h>

#define USER_COLUMNS                                                                               \
	"u.id, u.email, u.password_hash, u.role, COALESCE(u.merchant_id, 0),"                      \
	" COALESCE(u.warehouse_id, 0), m.slug, m.name, w.code, w.name"
#define USER_JOINS                                                                                 \
	" LEFT JOIN merchants m ON m.id = u.merchant_id"                                           \
	" LEFT JOIN warehouses w ON w.id = u.warehouse_id"

static const char sql_user_by_email[] =
    "SELECT " USER_COLUMNS " FROM users u" USER_JOINS " WHERE u.email = ?";
static const char sql_session_user[] =
    "SELECT " USER_COLUMNS ", TIMESTAMPDIFF(SECOND, s.last_seen_at, CURRENT_TIMESTAMP)"
    " FROM sessions s JOIN users u ON u.id = s.user_id" USER_JOINS
    " WHERE s.token_hash = ? AND s.last_seen_at > CURRENT_TIMESTAMP - INTERVAL ? SECOND"
    " AND s.created_at > CURRENT_TIMESTAMP - INTERVAL ? SECOND";
static const char sql_session_insert[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)"
    " VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
static const char sql_session_touch[] =
    "UPDATE sessions SET last_seen_at = CURRENT_TIMESTAMP WHERE token_hash = ?";
static const char sql_session_delete[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char sql_sessions_prune[] =
    "DELETE FROM sessions WHERE last_seen_at <= CURRENT_TIMESTAMP - INTERVAL ? SECOND"
    " OR created_at <= CURRENT_TIMESTAMP - INTERVAL ? SECOND";
static const char sql_login_failures[] =
    "SELECT COUNT(*), TIMESTAMPDIFF(SECOND, MAX(at), NOW(3)) FROM login_failures"
    " WHERE kind = ? AND subject = ? AND at > NOW(3) - INTERVAL ? SECOND";
static const char sql_login_failure_insert[] =
    "INSERT INTO login_failures (kind, subject, at) VALUES ('account', ?, NOW(3)),"
    " ('address', ?, NOW(3))";
static const char sql_login_clear[] =
    "DELETE FROM login_failures WHERE kind = 'account' AND subject = ?";
static const char sql_login_failures_prune[] =
    "DELETE FROM login_failures WHERE at < NOW(3) - INTERVAL 1 DAY";
static const char sql_lookup_failures_prune[] =
    "DELETE FROM lookup_failures WHERE at < NOW(3) - INTERVAL 1 DAY";

static const char *const login_kinds[] = {[LOGIN_ACCOUNT] = "account", [LOGIN_ADDRESS] = "address"};

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
	return db_exec(db, sql_session_insert, DB_ARGS(DBS(token_hash), DBI(user_id)), NULL, NULL);
}

enum kaeru_err store_session_user(struct db *db, const char *token_hash, int idle_s, int max_s,
                                  struct user *u)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_session_user,
	                            DB_ARGS(DBS(token_hash), DBI(idle_s), DBI(max_s)), &rows);
	if (e != KAERU_OK || (e = user_row(&rows, u)) != KAERU_OK)
		return e;
	if (db_int(&rows, 0, 10) >= 60) /* one write a minute at most, not one per scan */
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

enum kaeru_err store_login_failures(struct db *db, enum login_kind kind, const char *subject,
                                    int window_s, int64_t *count, int64_t *since_last)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_login_failures,
	             DB_ARGS(DBS(login_kinds[kind]), DBS(subject), DBI(window_s)), &rows);
	if (e != KAERU_OK)
		return e;
	*count = rows.nrows ? db_int(&rows, 0, 0) : 0;
	*since_last = rows.nrows ? db_int(&rows, 0, 1) : 0;
	return KAERU_OK;
}

enum kaeru_err store_login_failed(struct db *db, const char *account, const char *address)
{
	return db_exec(db, sql_login_failure_insert, DB_ARGS(DBS(account), DBS(address)), NULL,
	               NULL);
}

enum kaeru_err store_login_clear(struct db *db, const char *account)
{
	return db_exec(db, sql_login_clear, DB_ARGS(DBS(account)), NULL, NULL);
}

enum kaeru_err store_failures_prune(struct db *db, uint64_t *n)
{
	uint64_t a = 0, b = 0;
	enum kaeru_err e = db_exec(db, sql_login_failures_prune, NULL, 0, &a, NULL);
	if (e == KAERU_OK)
		e = db_exec(db, sql_lookup_failures_prune, NULL, 0, &b, NULL);
	*n = a + b;
	return e;
}
