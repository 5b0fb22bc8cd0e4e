#include "db/migrate.h"

static const char sql_lock[] = "SELECT GET_LOCK('kaeru_migrate', 120)";
static const char sql_unlock[] = "SELECT RELEASE_LOCK('kaeru_migrate')";
static const char sql_applied[] = "SELECT version FROM schema_migrations";
static const char sql_record[] = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)";

static bool applied(const struct db_rows *rows, int version)
{
	for (size_t r = 0; r < rows->nrows; r++)
		if (db_int(rows, r, 0) == version)
			return true;
	return false;
}

enum kaeru_err db_migrate(struct db *db, FILE *log)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_exec_text(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                     " version INT PRIMARY KEY, name VARCHAR(255) NOT NULL,"
	                     " applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
	                     ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
	if (e == KAERU_OK)
		e = db_query(db, sql_lock, NULL, 0, &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows != 1 || db_int(&rows, 0, 0) != 1) {
		fprintf(log, "migrate: could not take the migration lock\n");
		return KAERU_ECONFLICT;
	}
	e = db_query(db, sql_applied, NULL, 0, &rows);
	int done = 0;
	for (size_t i = 0; e == KAERU_OK && i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		if (applied(&rows, m->version))
			continue;
		fprintf(log, "migrate: applying %03d_%s\n", m->version, m->name);
		/* DDL commits implicitly in MariaDB: each file is written to be applied once,
		 * and is recorded right after it succeeds. */
		e = db_exec_text(db, m->sql);
		if (e == KAERU_OK)
			e = db_exec(db, sql_record, DB_ARGS(DBI(m->version), DBS(m->name)), NULL,
			            NULL);
		if (e != KAERU_OK)
			fprintf(log, "migrate: %03d_%s failed: %s\n", m->version, m->name,
			        db->last_error);
		done++;
	}
	struct db_rows ignored;
	db_query(db, sql_unlock, NULL, 0, &ignored);
	if (e == KAERU_OK)
		fprintf(log, "migrate: %d applied, schema at version %d\n", done,
		        migrations_count ? migrations[migrations_count - 1].version : 0);
	return e;
}
