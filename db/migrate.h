/* Versioned schema migrations: db/migrations/NNN_name.sql, compiled into the programs,
 * applied in order and recorded in schema_migrations. */
#ifndef KAERU_DB_MIGRATE_H
#define KAERU_DB_MIGRATE_H

#include "db/db.h"

#include <stdio.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct migration migrations[]; /* generated from db/migrations/, by version */
extern const size_t migrations_count;

/* Applies every migration not yet recorded, one at a time, under the "migrate" lease so two
 * hosts running it at once (on one server or on several Galera nodes) apply each exactly once.
 * Reports each step to log. */
enum kaeru_err db_migrate(struct db *db, FILE *log);

/* Leases shared by every host of a cluster (table cluster_locks): name is held by holder until
 * a time, claimed and renewed with a guarded UPDATE, which Galera certifies (a GET_LOCK or
 * SKIP LOCKED only holds on its own node). Take sets *taken when holder now holds it for
 * seconds more; a lease another holder keeps leaves *taken false. Each runs on its own (no
 * transaction around it). */
#define DB_LEASE_HOLDER_LEN 96
void db_lease_holder(char out[DB_LEASE_HOLDER_LEN]); /* this host and process, unique */
enum kaeru_err db_lease_take(struct db *db, const char *name, const char *holder, int seconds,
                             bool *taken);
enum kaeru_err db_lease_drop(struct db *db, const char *name, const char *holder);

#endif
