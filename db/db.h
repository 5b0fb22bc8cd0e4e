/* MariaDB access: one connection per worker thread, prepared statements cached per connection
 * and keyed by their SQL text's address, transactions retried whole on deadlock. */
#ifndef KAERU_DB_DB_H
#define KAERU_DB_DB_H

#include "core/domain.h"
#include "util/config.h"
#include "util/mem.h"

#include <mysql.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DB_STMT_SLOTS 256

struct db_stmt_slot {
	const char *sql; /* a string literal: its address is the key */
	MYSQL_STMT *stmt;
};

struct db {
	MYSQL *conn; /* NULL until connected, and again after the server went away */
	const struct config *cfg;
	struct arena *arena; /* where query results live; set by the owner per request */
	struct db_stmt_slot slots[DB_STMT_SLOTS];
	int64_t used_ms; /* CLOCK_MONOTONIC of the last command */
	bool in_tx;      /* inside db_tx_run's fn: a lost connection is not made anew */
	bool galera;     /* the connected server is a Galera node */
	bool sync_next;  /* db_sync_next: the next command waits for the cluster first */
	/* What the running transaction already read or wrote, forgotten when an attempt starts
	 * (db_tx_run): the return whose updated_at it set, a merchant's time zone. Only used
	 * inside db_tx_run. */
	struct {
		int64_t touched_return;
		int64_t zone_merchant; /* 0: not read */
		const char *zone;      /* that merchant's time zone (analytics.c) */
		struct outbox *outbox; /* store_plan_run's events, written at its end (events.c) */
	} memo;
	unsigned last_errno;
	char last_error[256];
};

enum db_type { DB_NULL, DB_INT, DB_STR };
struct db_val {
	enum db_type type;
	int64_t i;
	const char *s;
	size_t len; /* 0: strlen(s) */
};
#define DBI(x) ((struct db_val){.type = DB_INT, .i = (int64_t)(x)})
#define DBS(x) ((struct db_val){.type = (x) ? DB_STR : DB_NULL, .s = (x)})
#define DBN    ((struct db_val){.type = DB_NULL})

/* Rows of a result, every cell as text (NULL for SQL NULL), row-major, in db->arena. */
struct db_rows {
	size_t nrows, ncols;
	char **cells;
};

/* Once per process, before any thread starts; and its pair at exit. */
void db_library_init(void);
void db_library_end(void);

/* Prepares *db for cfg (which must outlive it) and connects. KAERU_OK or KAERU_EDB, with the
 * reason in db->last_error. A failed connection is retried by the next call. */
enum kaeru_err db_open(struct db *db, const struct config *cfg, struct arena *arena);
void db_close(struct db *db);
/* Per thread, before the thread exits. */
void db_thread_end(void);

/* Runs a prepared statement with params; *affected and *insert_id may be NULL.
 * KAERU_ECONFLICT on a duplicate key, KAERU_ERETRY on deadlock/lock wait, KAERU_EDB else. */
enum kaeru_err db_exec(struct db *db, const char *sql, const struct db_val *params, size_t n,
                       uint64_t *affected, uint64_t *insert_id);
/* Runs a prepared query; its rows land in *out (in db->arena). Same errors as db_exec. */
enum kaeru_err db_query(struct db *db, const char *sql, const struct db_val *params, size_t n,
                        struct db_rows *out);

#define DB_ARGS(...)                                                                               \
	(struct db_val[]){__VA_ARGS__},                                                            \
	    sizeof((struct db_val[]){__VA_ARGS__}) / sizeof(struct db_val)

/* Cell accessors: text (NULL for NULL), integer (0 for NULL), NULL test. */
static inline const char *db_str(const struct db_rows *r, size_t row, size_t col)
{
	return r->cells[row * r->ncols + col];
}
int64_t db_int(const struct db_rows *r, size_t row, size_t col);
static inline bool db_isnull(const struct db_rows *r, size_t row, size_t col)
{
	return r->cells[row * r->ncols + col] == NULL;
}

/* Runs fn(db, arg) inside one transaction and commits. When any step — COMMIT included —
 * reports a deadlock or lock wait timeout (1213, 1205), rolls back and runs fn again, up to
 * a few times; fn must therefore only change state through db. Any other error rolls back
 * and is returned as is. */
typedef enum kaeru_err (*db_tx_fn)(struct db *db, void *arg);
enum kaeru_err db_tx_run(struct db *db, db_tx_fn fn, void *arg);

/* For a guarded write that matched no row (the state it bound moved since it was read): notes
 * what moved, which db_tx_run's log of the run again names, and returns KAERU_ERETRY. */
enum kaeru_err db_moved(struct db *db, const char *what);

/* Transactions db_tx_run ran again (deadlocks, lock waits, Galera conflicts), since start. */
unsigned long long db_tx_retries(void);
/* Connections made to another of KAERU_DB_NODES because the first was gone or not synced. */
unsigned long long db_failovers(void);
/* Statements this process sent to MariaDB (every round trip), since start. */
unsigned long long db_statements(void);

/* Called at the start of each request: on a Galera node, the request's first command first
 * waits until the node has applied every write committed anywhere before it (wsrep_sync_wait),
 * so a client reads its own writes whichever node served them. Nothing on a single server. */
void db_sync_next(struct db *db);

/* Executes SQL text that contains no input (migrations, fixed statements). */
enum kaeru_err db_exec_text(struct db *db, const char *sql);

#endif
