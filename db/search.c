/* The console's search over returns: each return's terms in return_search (016_return_search.sql
 * says why a table of terms), and the keyset pages a query reads from them.
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

#include <jansson.h>
#include <string.h>

/* Each return's terms are at most about two per character of its text; a return with very long
 * names keeps its first SEARCH_TERMS_MAX. */
#define SEARCH_TERMS_MAX 4096

/* ---- keeping each return's terms ---- */

static const char sql_index_source[] =
    "SELECT r.merchant_id, r.rma, o.order_number, JSON_VALUE(o.shipping_address, '$.name'),"
    " ri.sku, ri.name FROM returns r JOIN orders o ON o.id = r.order_id"
    " LEFT JOIN return_items ri ON ri.return_id = r.id WHERE r.id = ?";
/* The terms as one JSON array: one statement however many there are. */
#define TERMS_TABLE                                                                                \
	"JSON_TABLE(?, '$[*]' COLUMNS (term VARCHAR(4) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"  \
	" PATH '$')) j"
static const char sql_index_insert[] = "INSERT INTO return_search (merchant_id, term, return_id) "
                                       "SELECT ?, j.term, ? FROM " TERMS_TABLE;
/* Written anew, a return loses the terms it no longer has and gains the new ones; the terms it
 * keeps, and their counts, are not written (a rebuild of unchanged returns writes nothing). */
static const char sql_index_drop[] = "DELETE FROM return_search WHERE return_id = ? AND term NOT IN"
                                     " (SELECT j.term FROM " TERMS_TABLE ")";
static const char sql_index_add[] =
    "INSERT IGNORE INTO return_search (merchant_id, term, return_id)"
    " SELECT ?, j.term, ? FROM " TERMS_TABLE;
static const char sql_order_returns[] =
    "SELECT id FROM returns WHERE order_id = ? ORDER BY id DESC LIMIT ?";
/* In id order whatever the merchant: each batch goes on where the last one stopped. */
static const char sql_rebuild_ids[] =
    "SELECT id FROM returns FORCE INDEX (PRIMARY) WHERE id > ? AND (? = 0 OR merchant_id = ?)"
    " ORDER BY id LIMIT ?";

/* The terms as a JSON array of strings, in the arena. Terms hold only letters and digits
 * (core/search.c drops every ASCII symbol and control character): nothing to escape. */
static const char *terms_json(struct arena *a, const struct search_terms *t)
{
	char *out = arena_alloc(a, t->n * (SEARCH_TERM_SIZE + 3) + 3);
	size_t len = 0;
	out[len++] = '[';
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			out[len++] = ',';
		out[len++] = '"';
		size_t n = strlen(t->terms[i]);
		memcpy(out + len, t->terms[i], n);
		len += n;
		out[len++] = '"';
	}
	out[len++] = ']';
	out[len] = '\0';
	return out;
}

/* Writes the terms of texts[0..n) (NULLs skipped) as return_id's, in place of its old ones
 * unless fresh (a return just made has none). */
static enum kaeru_err index_texts(struct db *db, int64_t merchant_id, int64_t return_id, bool fresh,
                                  const char *const *texts, size_t n)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += texts[i] ? strlen(texts[i]) : 0;
	size_t cap = 2 * bytes + 8 < SEARCH_TERMS_MAX ? 2 * bytes + 8 : SEARCH_TERMS_MAX;
	struct search_terms t;
	search_terms_init(&t, arena_alloc(db->arena, cap * sizeof(search_term)), cap);
	for (size_t i = 0; i < n; i++)
		search_terms_add(&t, texts[i]);
	search_terms_finish(&t);
	const char *json = terms_json(db->arena, &t);
	enum kaeru_err e;
	if (!fresh && (e = db_exec(db, sql_index_drop, DB_ARGS(DBI(return_id), DBS(json)), NULL,
	                           NULL)) != KAERU_OK)
		return e;
	if (t.n == 0)
		return KAERU_OK;
	return db_exec(db, fresh ? sql_index_insert : sql_index_add,
	               DB_ARGS(DBI(merchant_id), DBI(return_id), DBS(json)), NULL, NULL);
}

enum kaeru_err store_search_index(struct db *db, int64_t return_id, bool fresh)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_index_source, DB_ARGS(DBI(return_id)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	/* the RMA, the order number, the customer; then each item's SKU and product name */
	const char **texts = arena_alloc(db->arena, sizeof(*texts) * (3 + 2 * rows.nrows));
	size_t n = 0;
	for (size_t col = 1; col <= 3; col++)
		texts[n++] = db_str(&rows, 0, col);
	for (size_t i = 0; i < rows.nrows; i++) {
		texts[n++] = db_str(&rows, i, 4);
		texts[n++] = db_str(&rows, i, 5);
	}
	return index_texts(db, db_int(&rows, 0, 0), return_id, fresh, texts, n);
}

enum kaeru_err store_search_index_of(struct db *db, const struct ret *r)
{
	if (!r->order_number || r->n_items == 0)
		return store_search_index(db, r->id, true);
	json_t *address =
	    json_loads(r->shipping_address_json ? r->shipping_address_json : "{}", 0, NULL);
	const char *name = json_string_value(json_object_get(address, "name"));
	const char **texts = arena_alloc(db->arena, sizeof(*texts) * (3 + 2 * r->n_items));
	size_t n = 0;
	texts[n++] = r->rma;
	texts[n++] = r->order_number;
	texts[n++] = name ? arena_strdup(db->arena, name) : NULL;
	json_decref(address);
	for (size_t i = 0; i < r->n_items; i++) {
		texts[n++] = r->items[i].sku;
		texts[n++] = r->items[i].name;
	}
	return index_texts(db, r->merchant_id, r->id, true, texts, n);
}

/* Writes anew the terms of each return whose id is in column 0 of rows. */
static enum kaeru_err index_each(struct db *db, const struct db_rows *rows)
{
	enum kaeru_err e = KAERU_OK;
	for (size_t i = 0; e == KAERU_OK && i < rows->nrows; i++)
		e = store_search_index(db, db_int(rows, i, 0), false);
	return e;
}

enum kaeru_err store_search_index_order(struct db *db, int64_t order_id)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_order_returns, DB_ARGS(DBI(order_id), DBI(SEARCH_SCAN)), &rows);
	return e == KAERU_OK ? index_each(db, &rows) : e;
}

enum kaeru_err store_search_rebuild(struct db *db, int64_t merchant_id, int64_t limit,
                                    int64_t *after, int64_t *n)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_rebuild_ids,
	             DB_ARGS(DBI(*after), DBI(merchant_id), DBI(merchant_id), DBI(limit)), &rows);
	if (e == KAERU_OK)
		e = index_each(db, &rows);
	if (e != KAERU_OK)
		return e;
	*n = (int64_t)rows.nrows;
	if (rows.nrows)
		*after = db_int(&rows, rows.nrows - 1, 0);
	return KAERU_OK;
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
