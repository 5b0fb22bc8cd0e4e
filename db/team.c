/* A merchant's team: its console users, and a staff user's own password (db/team.h). */
#include "db/team.h"

#define TIME(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

static const char sql_team_list[] = "SELECT id, email, name, role, " TIME("created_at") ", " TIME(
    "last_sign_in_at") " FROM users WHERE merchant_id = ? AND removed_at IS NULL"
                       " AND role IN ('merchant', 'merchant_staff') ORDER BY id LIMIT ?";
static const char sql_team_member[] = "SELECT id, email, name, role, " TIME("created_at") ", " TIME(
    "last_sign_in_at") " FROM users WHERE merchant_id = ? AND id = ? AND removed_at IS NULL"
                       " AND role IN ('merchant', 'merchant_staff')";
static const char sql_team_count[] =
    "SELECT COUNT(*), COALESCE(SUM(role = 'merchant' AND id <> ?), 0) FROM users"
    " WHERE merchant_id = ? AND removed_at IS NULL AND role IN ('merchant', 'merchant_staff')";
static const char sql_team_add[] =
    "INSERT INTO users (email, password_hash, role, merchant_id, name) VALUES (?, ?, ?, ?, ?)";
static const char sql_team_remove[] = "UPDATE users SET removed_at = CURRENT_TIMESTAMP"
                                      " WHERE merchant_id = ? AND id = ? AND removed_at IS NULL";
static const char sql_sessions_end[] = "DELETE FROM sessions WHERE user_id = ?";
static const char sql_sessions_end_others[] =
    "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?";
static const char sql_password_set[] =
    "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ? AND removed_at IS NULL";

static enum kaeru_err member_row(const struct db_rows *rows, size_t i, struct team_member *m)
{
	int role = NAME_INDEX(role_names, db_str(rows, i, 3));
	if (role < 0)
		return KAERU_EINTERNAL;
	*m = (struct team_member){
	    .id = db_int(rows, i, 0),
	    .email = db_str(rows, i, 1),
	    .name = db_str(rows, i, 2),
	    .role = (enum role)role,
	    .created_at = db_str(rows, i, 4),
	    .last_sign_in_at = db_str(rows, i, 5),
	};
	return KAERU_OK;
}

enum kaeru_err store_team_list(struct db *db, int64_t merchant_id, struct team_member **out,
                               size_t *n)
{
	struct db_rows rows;
	*n = 0;
	enum kaeru_err e =
	    db_query(db, sql_team_list, DB_ARGS(DBI(merchant_id), DBI(TEAM_MAX)), &rows);
	if (e != KAERU_OK)
		return e;
	*out = arena_alloc(db->arena, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
	for (size_t i = 0; i < rows.nrows; i++)
		if ((e = member_row(&rows, i, &(*out)[i])) != KAERU_OK)
			return e;
	*n = rows.nrows;
	return KAERU_OK;
}

enum kaeru_err store_team_count(struct db *db, int64_t merchant_id, int64_t except_id,
                                int64_t *members, int64_t *other_owners)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_team_count, DB_ARGS(DBI(except_id), DBI(merchant_id)), &rows);
	if (e != KAERU_OK)
		return e;
	*members = db_int(&rows, 0, 0);
	*other_owners = db_int(&rows, 0, 1);
	return KAERU_OK;
}

enum kaeru_err store_team_add(struct db *db, int64_t merchant_id, const char *email,
                              const char *name, const char *password_hash, enum role role,
                              int64_t *id)
{
	uint64_t insert_id = 0;
	enum kaeru_err e = db_exec(db, sql_team_add,
	                           DB_ARGS(DBS(email), DBS(password_hash), DBS(role_names[role]),
	                                   DBI(merchant_id), DBS(name)),
	                           NULL, &insert_id);
	*id = (int64_t)insert_id;
	return e;
}

enum kaeru_err store_team_member(struct db *db, int64_t merchant_id, int64_t id,
                                 struct team_member *m)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_team_member, DB_ARGS(DBI(merchant_id), DBI(id)), &rows);
	if (e != KAERU_OK)
		return e;
	return rows.nrows ? member_row(&rows, 0, m) : KAERU_ENOTFOUND;
}

enum kaeru_err store_team_remove(struct db *db, int64_t merchant_id, int64_t id)
{
	uint64_t n = 0;
	enum kaeru_err e =
	    db_exec(db, sql_team_remove, DB_ARGS(DBI(merchant_id), DBI(id)), &n, NULL);
	if (e == KAERU_OK && n != 1)
		return KAERU_ENOTFOUND;
	if (e == KAERU_OK)
		e = db_exec(db, sql_sessions_end, DB_ARGS(DBI(id)), NULL, NULL);
	return e;
}

enum kaeru_err store_password_change(struct db *db, int64_t user_id, const char *old_hash,
                                     const char *new_hash, const char *keep_session)
{
	uint64_t n = 0;
	enum kaeru_err e = db_exec(db, sql_password_set,
	                           DB_ARGS(DBS(new_hash), DBI(user_id), DBS(old_hash)), &n, NULL);
	if (e == KAERU_OK && n != 1)
		return KAERU_ECONFLICT;
	if (e != KAERU_OK)
		return e;
	if (keep_session)
		return db_exec(db, sql_sessions_end_others,
		               DB_ARGS(DBI(user_id), DBS(keep_session)), NULL, NULL);
	return db_exec(db, sql_sessions_end, DB_ARGS(DBI(user_id)), NULL, NULL);
}
