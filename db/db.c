#include "db/db.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TX_ATTEMPTS     5
#define PARAMS_MAX      32   /* per statement: more is a defect of the statement, not input */
#define COLUMNS_MAX     80   /* a return row with its merchant and items (db/returns.c) is 65 */
#define DB_IDLE_PING_MS 1000 /* a connection idle longer is pinged before its next use */

/* Since the process started: transactions run again, connections made to another node. */
static atomic_ullong tx_retries, failovers;
/* Statements sent to MariaDB (every round trip: a prepared statement run, SQL text, COMMIT,
 * ROLLBACK), since start: GET /api/v1/metrics, and `./kaeru bench`'s statements a request. */
static atomic_ullong statements;
#define SENT() atomic_fetch_add_explicit(&statements, 1, memory_order_relaxed)

void db_library_init(void)
{
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "kaeru: mysql_library_init failed\n");
		abort();
	}
}

void db_library_end(void)
{
	mysql_library_end();
}

void db_thread_end(void)
{
	mysql_thread_end();
}

static void forget_statements(struct db *db)
{
	for (size_t i = 0; i < DB_STMT_SLOTS; i++) {
		if (db->slots[i].stmt)
			mysql_stmt_close(db->slots[i].stmt);
		db->slots[i].stmt = NULL;
		db->slots[i].sql = NULL;
	}
}

static void disconnect(struct db *db)
{
	forget_statements(db);
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
}

static void note_error(struct db *db, unsigned no, const char *msg)
{
	db->last_errno = no;
	snprintf(db->last_error, sizeof(db->last_error), "%s", msg);
}

/* Maps a server or client error number to kaeru's errors; drops a dead connection so the
 * next call reconnects (never MYSQL_OPT_RECONNECT: it would hide a lost transaction). */
static enum kaeru_err classify(struct db *db, unsigned no, const char *msg)
{
	note_error(db, no, msg);
	switch (no) {
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		return KAERU_ERETRY;
	case ER_DUP_ENTRY:
		return KAERU_ECONFLICT;
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case ER_UNKNOWN_COM_ERROR: /* 1047: a Galera node out of the primary component */
		disconnect(db);
		return KAERU_EDB;
	default:
		fprintf(stderr, "kaeru: database error %u: %s\n", no, msg);
		/* Any client-side error (2000–2999: server gone or lost, a read or write that
		 * timed out, a protocol out of step) leaves the connection in an unknown state:
		 * drop it, and the next call connects afresh. */
		if (no >= CR_MIN_ERROR && no <= CR_MAX_ERROR)
			disconnect(db);
		return KAERU_EDB;
	}
}

/* One connection to one server: a unix socket path, or host and port. NULL on failure, with
 * the reason noted in db. */
static MYSQL *connect_one(struct db *db, const char *sock, const char *host, unsigned port)
{
	const struct config *c = db->cfg;
	MYSQL *m = mysql_init(NULL);
	if (!m)
		abort();
	/* A stalled server must not hold a worker (and whoever waits on it) forever: every
	 * read and write gives up after db_timeout_s, and the request answers 503. */
	unsigned connect_s = c->db_connect_timeout_s, io_s = c->db_timeout_s;
	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
	mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &io_s);
	mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &io_s);
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(m, MYSQL_INIT_COMMAND,
	               "SET time_zone = '+00:00', tx_isolation = 'READ-COMMITTED',"
	               " sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO'");
	if (!mysql_real_connect(m, sock ? NULL : host, c->db_user, c->db_password, c->db_name,
	                        sock ? 0 : port, sock, CLIENT_MULTI_STATEMENTS)) {
		note_error(db, mysql_errno(m), mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

/* Whether the server on m takes clients: a Galera node (wsrep_on, then *galera is set) only
 * while it is synced in the primary component (wsrep_ready); a server without Galera always. */
static bool node_ready(struct db *db, MYSQL *m, bool *galera)
{
	*galera = false;
	SENT();
	if (mysql_query(
	        m, "SELECT @@wsrep_on, (SELECT VARIABLE_VALUE FROM"
	           " information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY')") != 0) {
		unsigned no = mysql_errno(m);
		note_error(db, no, mysql_error(m));
		return no == ER_UNKNOWN_SYSTEM_VARIABLE; /* a server built without Galera */
	}
	MYSQL_RES *res = mysql_store_result(m);
	MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
	bool ready = true;
	if (row && row[0] && strcmp(row[0], "1") == 0) {
		*galera = true;
		ready = row[1] && strcmp(row[1], "ON") == 0;
		if (!ready)
			note_error(db, ER_UNKNOWN_COM_ERROR, "the Galera node is not synced");
	}
	if (res)
		mysql_free_result(res);
	return ready;
}

/* Connects to the configured server or, when it is gone or not synced, to the first of
 * KAERU_DB_NODES that is ("/path/to.sock" or "host:port", comma-separated). */
static enum kaeru_err connect_now(struct db *db)
{
	const struct config *c = db->cfg;
	const char *sock = c->db_socket && *c->db_socket ? c->db_socket : NULL;
	char nodes[1024];
	snprintf(nodes, sizeof(nodes), "%s", c->db_nodes ? c->db_nodes : "");
	char *save = NULL, *next = strtok_r(nodes, ",", &save);
	const char *host = c->db_host;
	unsigned port = c->db_port;
	for (int tried = 0;; tried++) {
		MYSQL *m = connect_one(db, sock, host, port);
		bool galera = false;
		if (m && node_ready(db, m, &galera)) {
			if (tried > 0) {
				atomic_fetch_add(&failovers, 1);
				fprintf(stderr,
				        "kaeru: database node %s in use (the first is gone or not "
				        "synced)\n",
				        sock ? sock : host);
			}
			db->conn = m;
			db->galera = galera;
			return KAERU_OK;
		}
		if (m)
			mysql_close(m);
		if (!next)
			return KAERU_EDB;
		char *colon = strrchr(next, ':');
		if (next[0] == '/' || !colon) {
			sock = next;
		} else {
			*colon = '\0';
			sock = NULL;
			host = next;
			port = (unsigned)strtoul(colon + 1, NULL, 10);
		}
		next = strtok_r(NULL, ",", &save);
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs SQL text and drains every result of it, stopping at the first error. */
static enum kaeru_err run_text(struct db *db, const char *sql)
{
	SENT();
	if (mysql_query(db->conn, sql) != 0)
		return classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	int status;
	do {
		MYSQL_RES *res = mysql_store_result(db->conn);
		if (res)
			mysql_free_result(res);
		status = mysql_next_result(db->conn);
		if (status > 0)
			return classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	} while (status == 0);
	return KAERU_OK;
}

void db_sync_next(struct db *db)
{
	db->sync_next = true;
}

/* On Galera, when db_sync_next asked for it: waits until this node has applied every write
 * committed on any node before now (one causality check, wsrep_sync_wait), so a request sees
 * what the client's earlier requests wrote wherever they ran. One wait per request, not per
 * statement: the statements after it see at least as much. A node that cannot (not synced,
 * or too slow: repl.causal_read_timeout) fails the request with 503. */
static enum kaeru_err causal_wait(struct db *db)
{
	if (!db->sync_next || !db->galera)
		return KAERU_OK;
	db->sync_next = false;
	return run_text(db, "SET SESSION wsrep_sync_wait = 1;"
	                    " SELECT 1 FROM schema_migrations LIMIT 1;"
	                    " SET SESSION wsrep_sync_wait = 0");
}

/* A live connection for the next command: connects when there is none, and pings one that sat
 * idle for a while, since the server may have restarted meanwhile (a stale connection would
 * fail the first request after it with 503). A failed ping connects anew, once. */
static enum kaeru_err ensure_connected(struct db *db)
{
	int64_t now = now_ms();
	/* Never inside a transaction: a statement there may well follow a long lock wait, and on
	 * Galera a COM_PING can swallow the deadlock error of a transaction aborted meanwhile. */
	if (db->conn && !db->in_tx && now - db->used_ms > DB_IDLE_PING_MS &&
	    mysql_ping(db->conn) != 0)
		disconnect(db);
	db->used_ms = now;
	if (db->conn)
		return causal_wait(db);
	if (db->in_tx) { /* its transaction went with the connection: never go on without it */
		note_error(db, CR_SERVER_LOST, "the connection was lost during a transaction");
		return KAERU_EDB;
	}
	enum kaeru_err e = connect_now(db);
	return e == KAERU_OK ? causal_wait(db) : e;
}

enum kaeru_err db_open(struct db *db, const struct config *cfg, struct arena *arena)
{
	memset(db, 0, sizeof(*db));
	db->cfg = cfg;
	db->arena = arena;
	return connect_now(db);
}

void db_close(struct db *db)
{
	disconnect(db);
}

/* On Galera, whether the transaction is still the one START TRANSACTION opened: a transaction
 * aborted by a conflicting write from another node is rolled back, and a deadlock error that
 * should say so can get lost (statements after it then run on their own). KAERU_ERETRY then. */
static enum kaeru_err still_open(struct db *db)
{
	SENT();
	if (mysql_query(db->conn, "SELECT @@in_transaction") != 0)
		return classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	MYSQL_RES *res = mysql_store_result(db->conn);
	MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
	bool open = row && row[0] && strcmp(row[0], "1") == 0;
	if (res)
		mysql_free_result(res);
	if (open)
		return KAERU_OK;
	note_error(db, ER_LOCK_DEADLOCK, "the transaction was aborted by a conflicting write");
	return KAERU_ERETRY;
}

enum kaeru_err db_moved(struct db *db, const char *what)
{
	note_error(db, 0, what);
	return KAERU_ERETRY;
}

unsigned long long db_tx_retries(void)
{
	return atomic_load(&tx_retries);
}

unsigned long long db_failovers(void)
{
	return atomic_load(&failovers);
}

unsigned long long db_statements(void)
{
	return atomic_load(&statements);
}

static size_t slot_of(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15u;
	return (size_t)(h >> 7) % DB_STMT_SLOTS;
}

/* The prepared statement for sql on this connection, preparing it on first use. */
static enum kaeru_err statement(struct db *db, const char *sql, MYSQL_STMT **out)
{
	if (ensure_connected(db) != KAERU_OK)
		return KAERU_EDB;
	size_t i = slot_of(sql);
	for (size_t probes = 0; probes < DB_STMT_SLOTS; probes++, i = (i + 1) % DB_STMT_SLOTS) {
		if (db->slots[i].sql == sql) {
			*out = db->slots[i].stmt;
			return KAERU_OK;
		}
		if (!db->slots[i].sql)
			break;
	}
	if (db->slots[i].sql) {
		fprintf(stderr, "kaeru: statement cache full\n");
		abort(); /* a fixed set of statements: more than the cache holds is a build defect
		          */
	}
	MYSQL_STMT *st = mysql_stmt_init(db->conn);
	if (!st)
		abort();
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		enum kaeru_err e = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return e;
	}
	my_bool on = 1;
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	db->slots[i].sql = sql;
	db->slots[i].stmt = st;
	/* A prepare inside a transaction on Galera can swallow the deadlock error of the
	 * transaction, aborted meanwhile by another node's write: what ran after it would run
	 * on its own, committed statement by statement. Ask before running anything. */
	if (db->in_tx && db->galera) {
		enum kaeru_err e = still_open(db);
		if (e != KAERU_OK)
			return e;
	}
	*out = st;
	return KAERU_OK;
}

static enum kaeru_err run(struct db *db, const char *sql, const struct db_val *params, size_t n,
                          MYSQL_STMT **out)
{
	MYSQL_STMT *st = NULL;
	enum kaeru_err e = statement(db, sql, &st);
	if (e != KAERU_OK)
		return e;
	if (mysql_stmt_param_count(st) != n || n > PARAMS_MAX) {
		fprintf(stderr, "kaeru: %zu parameters for: %s\n", n, sql);
		abort();
	}
	MYSQL_BIND bind[PARAMS_MAX];
	unsigned long lens[PARAMS_MAX];
	memset(bind, 0, sizeof(bind));
	for (size_t i = 0; i < n; i++) {
		switch (params[i].type) {
		case DB_NULL:
			bind[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DB_INT:
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = (void *)&params[i].i;
			break;
		case DB_STR:
			lens[i] = params[i].len ? params[i].len : strlen(params[i].s);
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)params[i].s;
			bind[i].buffer_length = lens[i];
			bind[i].length = &lens[i];
			break;
		default:
			abort();
		}
	}
	SENT();
	if ((n && mysql_stmt_bind_param(st, bind) != 0) || mysql_stmt_execute(st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	*out = st;
	return KAERU_OK;
}

enum kaeru_err db_exec(struct db *db, const char *sql, const struct db_val *params, size_t n,
                       uint64_t *affected, uint64_t *insert_id)
{
	MYSQL_STMT *st = NULL;
	enum kaeru_err e = run(db, sql, params, n, &st);
	if (e != KAERU_OK)
		return e;
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	return KAERU_OK;
}

enum kaeru_err db_query(struct db *db, const char *sql, const struct db_val *params, size_t n,
                        struct db_rows *out)
{
	MYSQL_STMT *st = NULL;
	enum kaeru_err e = run(db, sql, params, n, &st);
	if (e != KAERU_OK)
		return e;
	memset(out, 0, sizeof(*out));
	if (mysql_stmt_store_result(st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	if (!meta) {
		mysql_stmt_free_result(st);
		return KAERU_OK;
	}
	size_t ncols = mysql_num_fields(meta), nrows = (size_t)mysql_stmt_num_rows(st);
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	if (ncols > COLUMNS_MAX) {
		fprintf(stderr, "kaeru: %zu columns for: %s\n", ncols, sql);
		abort();
	}
	MYSQL_BIND bind[COLUMNS_MAX];
	unsigned long lens[COLUMNS_MAX];
	my_bool nulls[COLUMNS_MAX], errs[COLUMNS_MAX];
	memset(bind, 0, sizeof(bind));
	for (size_t c = 0; c < ncols; c++) {
		size_t cap = fields[c].max_length > 63 ? fields[c].max_length + 1 : 64;
		bind[c].buffer_type = MYSQL_TYPE_STRING;
		bind[c].buffer = arena_alloc(db->arena, cap);
		bind[c].buffer_length = cap;
		bind[c].length = &lens[c];
		bind[c].is_null = &nulls[c];
		bind[c].error = &errs[c];
	}
	mysql_free_result(meta);
	out->ncols = ncols;
	out->cells = arena_alloc(db->arena, sizeof(char *) * (nrows * ncols + 1));
	if (mysql_stmt_bind_result(st, bind) != 0) {
		e = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		if (db->conn) /* else classify closed st with the connection */
			mysql_stmt_free_result(st);
		return e;
	}
	/* Every row that store_result counted, or an error: never a short result. 0 and
	 * MYSQL_DATA_TRUNCATED (a cell longer than its buffer, fetched whole below) are rows;
	 * MYSQL_NO_DATA before nrows, or 1, is a failure. */
	size_t r = 0;
	int rc = 0;
	while (r < nrows && ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)) {
		for (size_t c = 0; c < ncols && rc != 1; c++) {
			char **cell = &out->cells[r * ncols + c];
			if (nulls[c]) {
				*cell = NULL;
			} else if (errs[c]) { /* longer than its buffer: fetch it whole */
				MYSQL_BIND one = {0};
				char *buf = arena_alloc(db->arena, lens[c] + 1);
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = buf;
				one.buffer_length = lens[c] + 1;
				if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0) != 0)
					rc = 1;
				buf[lens[c]] = '\0';
				*cell = buf;
			} else {
				*cell = arena_strndup(db->arena, bind[c].buffer, lens[c]);
			}
		}
		if (rc == 1)
			break;
		r++;
	}
	if (r < nrows) {
		memset(out, 0, sizeof(*out));
		if (rc == 1)
			e = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		else
			e = classify(db, CR_UNKNOWN_ERROR, "fewer rows than the result counted");
		if (db->conn) /* else classify closed st with the connection */
			mysql_stmt_free_result(st);
		return e;
	}
	out->nrows = r;
	mysql_stmt_free_result(st);
	return KAERU_OK;
}

int64_t db_int(const struct db_rows *r, size_t row, size_t col)
{
	const char *s = db_str(r, row, col);
	return s ? strtoll(s, NULL, 10) : 0;
}

enum kaeru_err db_exec_text(struct db *db, const char *sql)
{
	if (ensure_connected(db) != KAERU_OK)
		return KAERU_EDB;
	return run_text(db, sql);
}

enum kaeru_err db_tx_run(struct db *db, db_tx_fn fn, void *arg)
{
	enum kaeru_err e = KAERU_EDB;
	bool reconnected = false;
	for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			/* Counted and logged: on Galera a conflict with a write on another node
			 * shows up here, as 1213 at COMMIT. */
			atomic_fetch_add(&tx_retries, 1);
			fprintf(stderr, "kaeru: transaction run again (attempt %d) after %u: %s\n",
			        attempt + 1, db->last_errno, db->last_error);
			/* Back off a little, with jitter, so the same two don't collide again. */
			struct timespec ts = {0, (long)(1 + rand() % 4) * attempt * 1000000L};
			nanosleep(&ts, NULL);
			/* The run again reads what the winner wrote: on Galera its write set may
			 * not be applied here yet, and reading without it would conflict once more.
			 */
			db->sync_next = true;
		}
		bool committing = false;
		e = db_exec_text(db, "START TRANSACTION");
		memset(&db->memo, 0, sizeof(db->memo));
		if (e == KAERU_OK) {
			db->in_tx = true;
			e = fn(db, arg);
			db->in_tx = false;
		}
		/* Whatever fn decided, it decided from reads of this transaction: when the
		 * transaction was aborted under it, run it again. */
		if (e != KAERU_ERETRY && db->galera && db->conn) {
			enum kaeru_err open = still_open(db);
			if (open != KAERU_OK && (e == KAERU_OK || open == KAERU_ERETRY))
				e = open;
		}
		if (e == KAERU_OK) {
			committing = true;
			SENT();
			if (db->conn && mysql_commit(db->conn) == 0)
				return KAERU_OK;
			e = db->conn ? classify(db, mysql_errno(db->conn), mysql_error(db->conn))
			             : KAERU_EDB;
		}
		if (db->conn) {
			SENT();
			mysql_rollback(db->conn);
		}
		/* The connection went before COMMIT was sent (its node died or left the cluster):
		 * nothing was committed, so the transaction runs once more on a fresh connection,
		 * which may be to another node (KAERU_DB_NODES). A lost COMMIT is never re-run. */
		if (e == KAERU_EDB && !db->conn && !committing && !reconnected) {
			reconnected = true;
			e = KAERU_ERETRY;
		}
		if (e != KAERU_ERETRY)
			return e;
	}
	return e;
}
