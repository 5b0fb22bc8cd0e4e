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

/* Applies every migration not yet recorded, one at a time, under a named server lock so two
 * hosts running it at once apply each exactly once. Reports each step to log. */
enum kaeru_err db_migrate(struct db *db, FILE *log);

#endif
