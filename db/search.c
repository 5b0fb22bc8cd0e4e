/* The console's search over returns: each return's terms in return_search (016_return_search.sql
 * says why a table of terms), and the keyset pages a query reads from them.
 *
 * The terms are written behind the request (068_search_pending.sql): a new return, or one whose
 * order changed, is queued, and kaeru-worker's indexer writes the terms of up to 500 queued
 * returns a transaction, all their new rows in one INSERT sorted by key. Written with each
 * return, its ~40 terms landed each on its own leaf page of the primary key, scattered by term:
 * at ×100 of issue 16's data (14.4M rows) ~710 µs of MariaDB's CPU a create (~460 µs at ×1),
 * the create's largest cost. Sorted, the rows of a batch's returns that share a term share a
 * leaf page, reached once. Measured on a scratch MariaDB (return_search of 0.75M and 14.4M rows,
 * 2,000 returns of 31 terms): a return's terms inserted with it cost ~260 µs of MariaDB's CPU at
 * 0.75M rows and ~450 µs at 14.4M; in batches of 500, ~190 and ~210 µs, and the create pays only
 * the trigger's queue row (within the noise, under ~30 µs).
 *
 * A query that is one word may be a whole order number or RMA: the returns of that order, or
 * that return, are found by their keys (by_key), and the terms are read only when there is none.
 *
 * A query of terms runs in up to four statements, each bounded by SEARCH_SCAN:
 *  1. the probe counts each term's rows, up to SEARCH_SCAN each, and picks the rarest to drive;
 *  2. when the driving term has SEARCH_SCAN rows or more and a return that has it may not
 *     match (other terms, a status, a date), the floor is its SEARCH_SCAN-th row below the
 *     cursor: the page looks at no candidate under it;
 *  3. the page reads the driving term's rows backwards from the cursor to the floor, keeps
 *     those that have every other term (a primary-key lookup each, the rarest first) and the
 *     asked status, and stops at limit + 1;
 *  4. the count, when the driving term is rare enough to count all its candidates and the page
 *     did not already see them all. A query of one term and no filter needs none: every return
 *     with the term matches, and the probe counted them.
 *
 * Counts kept per term (a row per merchant and term, written by every new return for each of
 * its ~40 terms) would make the probe read one row a term, but measured ~210 µs more of
 * MariaDB's CPU a create (~20%): the create is the customer's, the search the console's. */
#include "db/search.h"
#include "db/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keeping each return's terms ---- */

/* The queued returns of a batch, the oldest first, with what they are found by: a row per item
 * (NULL item columns for a return without items), at most SEARCH_INDEX_ROWS rows. The queue row's
 * version is read in the same snapshot as the text: the terms written are those of that version
 * or a later one. */
static const char sql_pending_source[] =
    "SELECT p.return_id, p.version, p.fresh, r.merchant_id, r.rma, o.order_number,"
    " JSON_VALUE(o.shipping_address, '$.name'), ri.sku, ri.name"
    " FROM (SELECT return_id, version, fresh FROM search_pending ORDER BY return_id LIMIT ?) p"
    " LEFT JOIN returns r ON r.id = p.return_id LEFT JOIN orders o ON o.id = r.order_id"
    " LEFT JOIN return_items ri ON ri.return_id = r.id ORDER BY p.return_id, ri.id LIMIT ?";
/* Terms as one JSON array: one statement however many there are. */
#define TERMS_TABLE                                                                                \
	"JSON_TABLE(?, '$[*]' COLUMNS (term VARCHAR(4) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"  \
	" PATH '$')) j"
/* A return indexed before loses the terms it no longer has; the others are added below. */
static const char sql_index_drop[] = "DELETE FROM return_search WHERE return_id = ? AND term NOT IN"
                                     " (SELECT j.term FROM " TERMS_TABLE ")";
/* Every term of the batch, [merchant, term, return] in key order: rows of many returns that
 * share a leaf page are written together. IGNORE: the terms a return keeps, and those another
 * indexer of the same return wrote, are there already. */
static const char sql_index_add[] =
    "INSERT IGNORE INTO return_search (merchant_id, term, return_id) SELECT j.m, j.term, j.r"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (m BIGINT UNSIGNED PATH '$[0]', term VARCHAR(4)"
    " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$[1]', r BIGINT UNSIGNED PATH '$[2]')) j";
/* Done: the queue rows of the batch, each unless queued again since it was read. */
static const char sql_pending_done[] =
    "DELETE p FROM search_pending p JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH"
    " '$[0]', v BIGINT UNSIGNED PATH '$[1]')) j ON p.return_id = j.id AND p.version = j.v";
/* Queued again (a return already queued is queued anew: its version moves). */
#define QUEUE   "INSERT INTO search_pending (return_id, fresh) SELECT id, FALSE FROM returns"
#define REQUEUE " ON DUPLICATE KEY UPDATE version = version + 1, fresh = FALSE"
static const char sql_queue_order[] = QUEUE " WHERE order_id = ? ORDER BY id DESC LIMIT ?" REQUEUE;
/* In id order whatever the merchant: each batch goes on where the last one stopped. */
static const char sql_queue_ids[] =
    "SELECT id FROM returns FORCE INDEX (PRIMARY) WHERE id > ? AND (? = 0 OR merchant_id = ?)"
    " ORDER BY id LIMIT ?";
static const char sql_queue_range[] = QUEUE " WHERE id > ? AND id <= ? AND (? = 0 OR"
                                            " merchant_id = ?)" REQUEUE;

/* Both of kaeru-worker's queues of derived data in one statement: its idle poll. */
static const char sql_pending_any[] = "SELECT EXISTS (SELECT 1 FROM search_pending),"
                                      " EXISTS (SELECT 1 FROM analytics_pending)";

enum kaeru_err store_derived_pending(struct db *db, bool *search, bool *analytics)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_pending_any, NULL, 0, &rows);
	*search = e == KAERU_OK && rows.nrows > 0 && db_int(&rows, 0, 0);
	*analytics = e == KAERU_OK && rows.nrows > 0 && db_int(&rows, 0, 1);
	return e;
}

enum kaeru_err store_search_queue_order(struct db *db, int64_t order_id)
{
	return db_exec(db, sql_queue_order, DB_ARGS(DBI(order_id), DBI(SEARCH_SCAN)), NULL, NULL);
}

enum kaeru_err store_search_queue_all(struct db *db, int64_t merchant_id, int64_t limit,
                                      int64_t *after, int64_t *n)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_queue_ids,
	             DB_ARGS(DBI(*after), DBI(merchant_id), DBI(merchant_id), DBI(limit)), &rows);
	if (e != KAERU_OK)
		return e;
	*n = (int64_t)rows.nrows;
	if (rows.nrows == 0)
		return KAERU_OK;
	int64_t last = db_int(&rows, rows.nrows - 1, 0);
	e = db_exec(db, sql_queue_range,
	            DB_ARGS(DBI(*after), DBI(last), DBI(merchant_id), DBI(merchant_id)), NULL,
	            NULL);
	if (e == KAERU_OK)
		*after = last;
	return e;
}

/* Each return's terms are at most about two per character of its text; a return with very long
 * names keeps its first SEARCH_TERMS_MAX. */
#define SEARCH_TERMS_MAX 4096

/* A row of return_search. */
struct term_row {
	int64_t merchant_id, return_id;
	const char *term;
};

static int term_row_cmp(const void *pa, const void *pb)
{
	const struct term_row *a = pa, *b = pb;
	if (a->merchant_id != b->merchant_id)
		return a->merchant_id < b->merchant_id ? -1 : 1;
	int c = strcmp(a->term, b->term); /* bytes: utf8mb4_bin's order of code points */
	if (c)
		return c;
	return a->return_id < b->return_id ? -1 : a->return_id > b->return_id;
}

/* Text grown in the arena; terms hold only letters and digits (core/search.c drops every ASCII
 * symbol and control character): nothing to escape. */
struct json_out {
	char *s;
	size_t len;
};

static void json_term(struct json_out *o, const char *term)
{
	o->s[o->len++] = '"';
	size_t n = strlen(term);
	memcpy(o->s + o->len, term, n);
	o->len += n;
	o->s[o->len++] = '"';
}

/* The terms of rows [from, to) of the source (one return): in *t, in the arena. */
static void return_terms(struct db *db, const struct db_rows *rows, size_t from, size_t to,
                         struct search_terms *t)
{
	size_t bytes = 0;
	for (size_t i = from; i < to; i++)
		for (size_t col = i == from ? 4 : 7; col <= 8; col++)
			bytes += db_str(rows, i, col) ? strlen(db_str(rows, i, col)) : 0;
	size_t cap = 2 * bytes + 8 < SEARCH_TERMS_MAX ? 2 * bytes + 8 : SEARCH_TERMS_MAX;
	search_terms_init(t, arena_alloc(db->arena, cap * sizeof(search_term)), cap);
	if (db_isnull(rows, from, 3)) { /* no such return: nothing to find it by */
		search_terms_finish(t);
		return;
	}
	/* the RMA, the order number, the customer; then each item's SKU and product name */
	for (size_t col = 4; col <= 6; col++)
		search_terms_add(t, db_str(rows, from, col));
	for (size_t i = from; i < to; i++) {
		search_terms_add(t, db_str(rows, i, 7));
		search_terms_add(t, db_str(rows, i, 8));
	}
	search_terms_finish(t);
}

enum kaeru_err store_search_index_queued(struct db *db, int64_t limit, int64_t *n)
{
	*n = 0;
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_pending_source, DB_ARGS(DBI(limit), DBI(SEARCH_INDEX_ROWS)), &rows);
	if (e != KAERU_OK || rows.nrows == 0)
		return e;
	size_t end = rows.nrows;
	if (rows.nrows ==
	    SEARCH_INDEX_ROWS) { /* the last return's items may go on: the next batch's */
		while (end > 0 && db_int(&rows, end - 1, 0) == db_int(&rows, rows.nrows - 1, 0))
			end--;
		if (end == 0) /* one return of more rows than a batch holds: it cannot be */
			return KAERU_EINTERNAL;
	}
	size_t returns = 0, nterms = 0;
	for (size_t i = 0; i < end; i++)
		returns += i == 0 || db_int(&rows, i, 0) != db_int(&rows, i - 1, 0);
	struct search_terms *terms = arena_alloc(db->arena, sizeof(*terms) * returns);
	size_t *first = arena_alloc(db->arena, sizeof(*first) * returns);
	for (size_t i = 0, k = 0; i < end; k++) {
		size_t j = i + 1;
		while (j < end && db_int(&rows, j, 0) == db_int(&rows, i, 0))
			j++;
		first[k] = i;
		return_terms(db, &rows, i, j, &terms[k]);
		nterms += terms[k].n;
		i = j;
	}
	struct term_row *all = arena_alloc(db->arena, sizeof(*all) * (nterms + 1));
	struct json_out done = {arena_alloc(db->arena, returns * 48 + 3), 0};
	done.s[done.len++] = '[';
	size_t m = 0;
	for (size_t k = 0; k < returns; k++) {
		size_t row = first[k];
		int64_t id = db_int(&rows, row, 0);
		done.len += (size_t)sprintf(done.s + done.len, "%s[%lld,%lld]", k ? "," : "",
		                            (long long)id, (long long)db_int(&rows, row, 1));
		if (!db_int(&rows, row, 2)) { /* indexed before: the terms it no longer has go */
			struct json_out one = {
			    arena_alloc(db->arena, terms[k].n * (SEARCH_TERM_SIZE + 3) + 3), 0};
			one.s[one.len++] = '[';
			for (size_t i = 0; i < terms[k].n; i++) {
				if (i)
					one.s[one.len++] = ',';
				json_term(&one, terms[k].terms[i]);
			}
			one.s[one.len++] = ']';
			one.s[one.len] = '\0';
			if ((e = db_exec(db, sql_index_drop, DB_ARGS(DBI(id), DBS(one.s)), NULL,
			                 NULL)) != KAERU_OK)
				return e;
		}
		for (size_t i = 0; i < terms[k].n; i++)
			all[m++] = (struct term_row){db_int(&rows, row, 3), id, terms[k].terms[i]};
	}
	done.s[done.len++] = ']';
	done.s[done.len] = '\0';
	if (m > 0) {
		qsort(all, m, sizeof(*all), term_row_cmp);
		struct json_out add = {arena_alloc(db->arena, m * (SEARCH_TERM_SIZE + 48) + 3), 0};
		add.s[add.len++] = '[';
		for (size_t i = 0; i < m; i++) {
			add.len += (size_t)sprintf(add.s + add.len, "%s[%lld,", i ? "," : "",
			                           (long long)all[i].merchant_id);
			json_term(&add, all[i].term);
			add.len +=
			    (size_t)sprintf(add.s + add.len, ",%lld]", (long long)all[i].return_id);
		}
		add.s[add.len++] = ']';
		add.s[add.len] = '\0';
		if ((e = db_exec(db, sql_index_add, DB_ARGS(DBS(add.s)), NULL, NULL)) != KAERU_OK)
			return e;
	}
	if ((e = db_exec(db, sql_pending_done, DB_ARGS(DBS(done.s)), NULL, NULL)) == KAERU_OK)
		*n = (int64_t)returns;
	return e;
}

/* ---- reading pages ---- */

/* A term's rows, counted up to a cap ('' is no term: 0). */
#define PROBE                                                                                      \
	"(SELECT COUNT(*) FROM (SELECT 1 FROM return_search"                                       \
	" WHERE merchant_id = ? AND term = ? LIMIT ?) p)"
#define PROBE2 PROBE ", " PROBE
static const char sql_probe[] = "SELECT " PROBE2 ", " PROBE2 ", " PROBE2 ", " PROBE2;
static const char sql_floor[] =
    "SELECT return_id FROM return_search WHERE merchant_id = ? AND term = ? AND return_id < ?"
    " ORDER BY return_id DESC LIMIT 1 OFFSET ?";

/* One of the query's other terms, looked up by primary key for each candidate (NULL: a slot the
 * query does not use, nothing looked up). */
#define HAS_TERM                                                                                   \
	" AND (? IS NULL OR EXISTS (SELECT 1 FROM return_search x WHERE"                           \
	" x.merchant_id = d.merchant_id AND x.term = ? AND x.return_id = d.return_id))"
#define OTHER_TERMS_SQL HAS_TERM HAS_TERM HAS_TERM HAS_TERM HAS_TERM HAS_TERM HAS_TERM
#define FILTERS                                                                                    \
	" AND (? IS NULL OR r.status = ?)"                                                         \
	" AND r.updated_at >= TIMESTAMPADD(SECOND, ?, '1970-01-01')"
/* The driving term's rows in [floor, cursor), then the others, then the filters. */
#define MATCH_FROM " FROM return_search d JOIN returns r ON r.id = d.return_id"
#define MATCH_WHERE                                                                                \
	" WHERE d.merchant_id = ? AND d.term = ?"                                                  \
	" AND d.return_id < ? AND d.return_id >= ?" OTHER_TERMS_SQL FILTERS
/* STRAIGHT_JOIN: the driving term first, whatever the statistics say of a merchant's orders —
 * a page must read its range in order and stop, not sort what another plan found. */
static const char sql_terms_page[] =
    "SELECT STRAIGHT_JOIN d.return_id, " RETURN_ROW_COLUMNS MATCH_FROM
    " JOIN orders o ON o.id = r.order_id" MATCH_WHERE " ORDER BY d.return_id DESC LIMIT ?";
static const char sql_terms_count[] = "SELECT STRAIGHT_JOIN COUNT(*)" MATCH_FROM MATCH_WHERE;

/* A page of the returns a derived table c (from FROM_C: their ids) holds, newest first. */
#define PAGE_OF(FROM_C)                                                                            \
	"SELECT STRAIGHT_JOIN c.id, " RETURN_ROW_COLUMNS FROM_C                                    \
	" JOIN returns r ON r.id = c.id JOIN orders o ON o.id = r.order_id ORDER BY c.id DESC "    \
	"LIMIT ?"

/* An e-mail: the returns of the address's orders, found by (merchant_id, email_key), the newest
 * orders first and at most SEARCH_SCAN returns (a customer has a handful). */
#define BY_EMAIL                                                                                   \
	" FROM (SELECT STRAIGHT_JOIN r.id FROM orders e JOIN returns r ON r.order_id = e.id"       \
	" WHERE e.merchant_id = ? AND e.email_key = ? AND r.id < ?" FILTERS                        \
	" ORDER BY e.id DESC LIMIT ?) c"
static const char sql_email_page[] = PAGE_OF(BY_EMAIL);
static const char sql_email_count[] = "SELECT COUNT(*)" BY_EMAIL;

/* A whole key: the return of the RMA and the returns of the order of the number, by their unique
 * keys, each part at most SEARCH_SCAN (an order has a handful). */
#define BY_KEY                                                                                     \
	" FROM ((SELECT r.id FROM returns r WHERE r.rma = ? AND r.merchant_id = ? AND r.id < "     \
	"?" FILTERS ")"                                                                            \
	" UNION (SELECT STRAIGHT_JOIN r.id FROM orders e JOIN returns r ON r.order_id = e.id"      \
	" WHERE e.merchant_id = ? AND e.order_number = ? AND r.id < ?" FILTERS                     \
	" ORDER BY r.id DESC LIMIT ?)) c"
static const char sql_key_page[] = PAGE_OF(BY_KEY);
static const char sql_key_count[] = "SELECT COUNT(*)" BY_KEY;

#define OTHER_TERMS (SEARCH_QUERY_TERMS - 1)
#define CURSOR_NONE INT64_MAX

/* Rows (id, RETURN_ROW_COLUMNS) into the page: at most limit, next from the one past it. */
static void page_rows(struct db *db, const struct db_rows *rows, int64_t limit,
                      struct search_page *out)
{
	out->n = rows->nrows < (size_t)limit ? rows->nrows : (size_t)limit;
	out->rows = arena_zalloc(db->arena, sizeof(*out->rows) * (out->n + 1));
	for (size_t i = 0; i < out->n; i++)
		store_return_row_read(rows, i, 1, &out->rows[i]);
	out->next = rows->nrows > (size_t)limit ? db_int(rows, out->n - 1, 0) : 0;
}

static enum kaeru_err count(struct db *db, const char *sql, const struct db_val *args, size_t n,
                            int64_t *total)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql, args, n, &rows);
	if (e == KAERU_OK)
		*total = rows.nrows ? db_int(&rows, 0, 0) : 0;
	return e;
}

static enum kaeru_err by_email(struct db *db, int64_t merchant_id, const struct search_ask *a,
                               struct search_page *out)
{
	const char *status = a->status >= 0 ? return_status_names[a->status] : NULL;
	struct db_val args[] = {
	    DBI(merchant_id), DBS(a->email_key), DBI(a->after ? a->after : CURSOR_NONE),
	    DBS(status),      DBS(status),       DBI(a->since),
	    DBI(SEARCH_SCAN), DBI(a->limit + 1)};
	size_t nargs = sizeof(args) / sizeof(args[0]);
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_email_page, args, nargs, &rows);
	if (e != KAERU_OK)
		return e;
	page_rows(db, &rows, a->limit, out);
	if (!a->after && !out->next) {
		out->total = (int64_t)out->n;
		return KAERU_OK;
	}
	args[2] = DBI(CURSOR_NONE);
	if ((e = count(db, sql_email_count, args, nargs - 1, &out->total)) == KAERU_OK &&
	    out->total >= SEARCH_SCAN)
		out->total = -1; /* as many as it looks at: there may be more */
	return e;
}

/* The returns of the order or return a whole key names (a->key, a->rma), if any: *found. */
static enum kaeru_err by_key(struct db *db, int64_t merchant_id, const struct search_ask *a,
                             struct search_page *out, bool *found)
{
	const char *status = a->status >= 0 ? return_status_names[a->status] : NULL;
	int64_t cursor = a->after ? a->after : CURSOR_NONE;
	struct db_val args[] = {DBS(a->rma ? a->rma : ""),
	                        DBI(merchant_id),
	                        DBI(cursor),
	                        DBS(status),
	                        DBS(status),
	                        DBI(a->since),
	                        DBI(merchant_id),
	                        DBS(a->key),
	                        DBI(cursor),
	                        DBS(status),
	                        DBS(status),
	                        DBI(a->since),
	                        DBI(SEARCH_SCAN),
	                        DBI(a->limit + 1)};
	size_t nargs = sizeof(args) / sizeof(args[0]);
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_key_page, args, nargs, &rows);
	*found = e == KAERU_OK && rows.nrows > 0;
	if (!*found)
		return e;
	page_rows(db, &rows, a->limit, out);
	if (!a->after && !out->next) {
		out->total = (int64_t)out->n;
		return KAERU_OK;
	}
	args[2] = args[8] = DBI(CURSOR_NONE);
	return count(db, sql_key_count, args, nargs - 1, &out->total);
}

enum kaeru_err store_returns_search(struct db *db, int64_t merchant_id, const struct search_ask *a,
                                    struct search_page *out)
{
	*out = (struct search_page){.total = -1};
	if (!a->terms)
		return by_email(db, merchant_id, a, out);
	bool found = false;
	enum kaeru_err e = a->key ? by_key(db, merchant_id, a, out, &found) : KAERU_OK;
	if (e != KAERU_OK || found)
		return e;
	const struct search_terms *t = a->terms;
	if (t->n == 0 || t->n > SEARCH_QUERY_TERMS)
		return KAERU_EINTERNAL;

	/* 1. the rarest term drives */
	struct db_val probe[3 * SEARCH_QUERY_TERMS];
	for (size_t i = 0; i < SEARCH_QUERY_TERMS; i++) {
		probe[3 * i] = DBI(merchant_id);
		probe[3 * i + 1] = DBS(i < t->n ? t->terms[i] : ""); /* '' is no term: 0 rows */
		probe[3 * i + 2] = DBI(SEARCH_SCAN);
	}
	struct db_rows rows;
	e = db_query(db, sql_probe, probe, 3 * SEARCH_QUERY_TERMS, &rows);
	if (e != KAERU_OK)
		return e;
	int64_t counts[SEARCH_QUERY_TERMS] = {0};
	size_t drive = 0;
	for (size_t i = 0; i < t->n; i++) {
		counts[i] = db_int(&rows, 0, i);
		if (counts[i] < counts[drive])
			drive = i;
	}
	int64_t candidates = counts[drive];
	if (candidates <= 0) { /* a term no return of the merchant has */
		out->total = 0;
		return KAERU_OK;
	}
	/* One term and no filter: every candidate matches, so the page stops at limit + 1 and the
	 * probe's count is the total (when under the cap). */
	bool all_match = t->n == 1 && a->status < 0 && a->since <= 0;
	bool countable = candidates < SEARCH_SCAN;
	int64_t cursor = a->after ? a->after : CURSOR_NONE;

	/* 2. how far down this page may look */
	int64_t floor = 0;
	if (!countable && !all_match) {
		e = db_query(db, sql_floor,
		             DB_ARGS(DBI(merchant_id), DBS(t->terms[drive]), DBI(cursor),
		                     DBI(SEARCH_SCAN - 1)),
		             &rows);
		if (e != KAERU_OK)
			return e;
		floor = rows.nrows ? db_int(&rows, 0, 0) : 0;
	}

	/* 3. the page */
	const char *status = a->status >= 0 ? return_status_names[a->status] : NULL;
	struct db_val args[4 + 2 * OTHER_TERMS + 4];
	size_t n = 0;
	args[n++] = DBI(merchant_id);
	args[n++] = DBS(t->terms[drive]);
	args[n++] = DBI(cursor);
	args[n++] = DBI(floor);
	/* the other terms rarest first: a candidate that lacks one is most likely to lack those */
	size_t order[SEARCH_QUERY_TERMS], others = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (i == drive)
			continue;
		size_t k = others++;
		for (; k > 0 && counts[order[k - 1]] > counts[i]; k--)
			order[k] = order[k - 1];
		order[k] = i;
	}
	for (size_t k = 0; k < OTHER_TERMS; k++) {
		const char *term = k < others ? t->terms[order[k]] : NULL;
		args[n++] = DBS(term);
		args[n++] = DBS(term);
	}
	args[n++] = DBS(status);
	args[n++] = DBS(status);
	args[n++] = DBI(a->since);
	args[n++] = DBI(a->limit + 1);
	if ((e = db_query(db, sql_terms_page, args, n, &rows)) != KAERU_OK)
		return e;
	page_rows(db, &rows, a->limit, out);
	if (!out->next)
		out->next = floor; /* the candidates below the floor are the next page's */

	/* 4. how many match, when that is cheap to know */
	if (!a->after && !out->next) { /* the page saw them all */
		out->total = (int64_t)out->n;
		return KAERU_OK;
	}
	if (!countable)
		return KAERU_OK;
	if (all_match) {
		out->total = candidates;
		return KAERU_OK;
	}
	args[2] = DBI(CURSOR_NONE);
	args[3] = DBI(0);
	return count(db, sql_terms_count, args, n - 1, &out->total);
}
