#include "db/migrate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Named leases every host can see: a row per name, claimed with a guarded UPDATE. GET_LOCK and
 * SKIP LOCKED are local to one Galera node; an UPDATE is certified, so of two claims made at
 * once on two nodes one commits and the other fails (or, run again, finds the lease taken). */
static const char sql_locks_table[] = "CREATE TABLE IF NOT EXISTS cluster_locks ("
                                      " name VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
                                      " holder VARCHAR(255) NOT NULL DEFAULT '',"
                                      " until DATETIME NOT NULL DEFAULT '1970-01-01 00:00:00',"
                                      " claims BIGINT UNSIGNED NOT NULL DEFAULT 0"
                                      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
static const char sql_lease_row[] = "INSERT IGNORE INTO cluster_locks (name) VALUES (?)";
static const char sql_lease_take[] =
    "UPDATE cluster_locks SET holder = ?, until = UTC_TIMESTAMP() + INTERVAL ? SECOND,"
    " claims = claims + 1" /* a renewal in the same second still changes the row */
    " WHERE name = ? AND (until < UTC_TIMESTAMP() OR holder = ?)";
static const char sql_lease_drop[] =
    "UPDATE cluster_locks SET until = '1970-01-01 00:00:00' WHERE name = ? AND holder = ?";

#define MIGRATE_LEASE_S 600 /* renewed before each migration */
#define MIGRATE_WAIT_S  120 /* how long a second host waits for the first */
#define LEASE_TRIES     5   /* claims asked again when certification failed */

static const char sql_applied[] = "SELECT version FROM schema_migrations";
static const char sql_record[] = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)";

static bool applied(const struct db_rows *rows, int version)
{
	for (size_t r = 0; r < rows->nrows; r++)
		if (db_int(rows, r, 0) == version)
			return true;
	return false;
}

void db_lease_holder(char out[DB_LEASE_HOLDER_LEN])
{
	char host[64] = "";
	gethostname(host, sizeof(host) - 1);
	snprintf(out, DB_LEASE_HOLDER_LEN, "%s/%ld/%08x", host, (long)getpid(),
	         (unsigned)rand() ^ (unsigned)time(NULL));
}

/* The table is made by db_migrate, once: a CREATE TABLE, even IF NOT EXISTS, is DDL that
 * Galera runs on every node in total order, aborting the claims and renewals in flight there. */
enum kaeru_err db_lease_take(struct db *db, const char *name, const char *holder, int seconds,
                             bool *taken)
{
	*taken = false;
	enum kaeru_err e = db_exec(db, sql_lease_row, DB_ARGS(DBS(name)), NULL, NULL);
	uint64_t affected = 0;
	/* A claim that lost certification is asked again: the row then tells whether the other
	 * node's claim holds (not ours) or it was a renewal of ours aborted by other writes. */
	for (int tries = 1; e == KAERU_OK || e == KAERU_ERETRY; tries++) {
		e = db_exec(db, sql_lease_take,
		            DB_ARGS(DBS(holder), DBI(seconds), DBS(name), DBS(holder)), &affected,
		            NULL);
		if (e != KAERU_ERETRY || tries == LEASE_TRIES)
			break;
		usleep(100 * 1000 * tries);
	}
	if (e == KAERU_ERETRY) /* contested every time: not ours this round */
		return KAERU_OK;
	*taken = e == KAERU_OK && affected == 1;
	return e;
}

enum kaeru_err db_lease_drop(struct db *db, const char *name, const char *holder)
{
	enum kaeru_err e = KAERU_ERETRY;
	for (int tries = 1; e == KAERU_ERETRY && tries <= LEASE_TRIES; tries++)
		if ((e = db_exec(db, sql_lease_drop, DB_ARGS(DBS(name), DBS(holder)), NULL,
		                 NULL)) == KAERU_ERETRY)
			usleep(100 * 1000 * tries);
	return e;
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
		e = db_exec_text(db, sql_locks_table);
	char holder[DB_LEASE_HOLDER_LEN];
	db_lease_holder(holder);
	bool taken = false;
	for (int waited = 0; e == KAERU_OK; waited++) {
		e = db_lease_take(db, "migrate", holder, MIGRATE_LEASE_S, &taken);
		if (e != KAERU_OK || taken)
			break;
		if (waited == MIGRATE_WAIT_S) {
			fprintf(log, "migrate: another host holds the migration lease\n");
			return KAERU_ECONFLICT;
		}
		if (waited == 0)
			fprintf(log, "migrate: waiting for another host's migration\n");
		sleep(1);
	}
	if (e != KAERU_OK)
		return e;
	e = db_query(db, sql_applied, NULL, 0, &rows);
	int done = 0;
	for (size_t i = 0; e == KAERU_OK && i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		if (applied(&rows, m->version))
			continue;
		fprintf(log, "migrate: applying %03d_%s\n", m->version, m->name);
		if ((e = db_lease_take(db, "migrate", holder, MIGRATE_LEASE_S, &taken)) ==
		        KAERU_OK &&
		    !taken) {
			fprintf(log, "migrate: the migration lease was lost\n");
			db_lease_drop(db, "migrate", holder);
			return KAERU_ECONFLICT;
		}
		if (e != KAERU_OK)
			break;
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
	db_lease_drop(db, "migrate", holder);
	if (e == KAERU_OK)
		fprintf(log, "migrate: %d applied, schema at version %d\n", done,
		        migrations_count ? migrations[migrations_count - 1].version : 0);
	return e;
}
