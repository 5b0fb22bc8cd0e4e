/* The console's search over returns (db/search.c): each return's terms (core/search.h) kept in
 * return_search, written behind the request by kaeru-worker's indexer from a queue of returns,
 * and the keyset pages a query reads from them. */
#ifndef KAERU_DB_SEARCH_H
#define KAERU_DB_SEARCH_H

#include "core/search.h"
#include "db/store.h"

#include <stdbool.h>
#include <stdint.h>

/* Candidates a page looks at, at most: the rows of the query's rarest term it reads. A page may
 * end short of its limit with a next cursor when a common term's candidates ran out first. */
#define SEARCH_SCAN 1000

/* A batch of the indexer: up to SEARCH_INDEX_ROWS rows of sources. */
#define SEARCH_INDEX_ROWS 5000

/* Writes the terms of up to limit queued returns (068_search_pending.sql), the oldest queued
 * first, from what each holds now (its RMA, its order's number and customer name, its items'
 * SKUs and names): the whole set, the terms it no longer has dropped, all the batch's new rows
 * in one sorted insert; their queue rows deleted unless queued again meanwhile. In the caller's
 * transaction; *n is how many returns it took (0: the queue is empty). */
enum kaeru_err store_search_index_queued(struct db *db, int64_t limit, int64_t *n);
/* Whether any return is queued for the indexer, and any analytics deltas for
 * store_analytics_fold (069_analytics_pending.sql): one statement, outside a transaction. */
enum kaeru_err store_derived_pending(struct db *db, bool *search, bool *analytics);
/* Queues the returns of an order whose customer name may have changed (the newest SEARCH_SCAN
 * of them), to be written anew by the indexer. */
enum kaeru_err store_search_queue_order(struct db *db, int64_t order_id);
/* Queues up to limit returns with ids above *after (of one merchant unless merchant_id is 0),
 * oldest first, in the caller's transaction; *after becomes the last id and *n how many there
 * were (fewer than limit: the end). */
enum kaeru_err store_search_queue_all(struct db *db, int64_t merchant_id, int64_t limit,
                                      int64_t *after, int64_t *n);

/* What a search asks for: terms (every one must be there) or one e-mail key; which returns. */
struct search_ask {
	const struct search_terms *terms; /* NULL when email_key is given */
	const char *email_key;
	/* With terms, when the query is one word (search_query_key): an order number as typed and
	 * the RMA it spells ("" for none). Returns of the order or the return it names, when there
	 * are any, are the answer, found by their keys; the terms only when there are none. */
	const char *key, *rma;
	int status;    /* < 0: any */
	int64_t since; /* updated at or after, Unix seconds (0: any) */
	int64_t after; /* return ids below this one (0: from the newest) */
	int64_t limit; /* 1..50 */
};
struct search_page {
	struct return_row *rows; /* newest first, in db->arena */
	size_t n;
	int64_t next;  /* the cursor of the next page, or 0 when there is none */
	int64_t total; /* returns that match, or -1 when the search is too broad to count */
};
/* A page of the merchant's returns that match. */
enum kaeru_err store_returns_search(struct db *db, int64_t merchant_id,
                                    const struct search_ask *ask, struct search_page *out);

#endif
