/* The console's search over returns: `q` on the console's list (merchant session) and on the
 * shop's list (merchant key). core/search.h reads the query into terms, db/search.c finds the
 * merchant's returns that have them, newest first, in keyset pages: `next` is the cursor to
 * pass as `after` for the page below. */
#include "core/search.h"
#include "db/search.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "validate/check.h"

#include <stdio.h>
#include <string.h>

#define SEARCH_PAGE_MAX 50

int64_t query_cursor(struct checker *c, struct req *r, const char *field)
{
	return check_query_int(c, field, req_query(r, field), 1, INT64_MAX, 0);
}

bool returns_search(struct req *r, struct checker *c, int64_t merchant_id, int status,
                    int64_t since, int64_t page)
{
	const char *q = req_query(r, "q");
	if (!q)
		return false;
	search_term buf[SEARCH_QUERY_TERMS];
	struct search_terms terms;
	search_terms_init(&terms, buf, SEARCH_QUERY_TERMS);
	bool text = utf8_valid(q, strlen(q));
	enum search_query kind = text ? search_query_read(q, &terms) : SEARCH_NOTHING;
	if (kind == SEARCH_BLANK)
		return false;
	if (!text)
		check_fail(c, "q", "must be UTF-8 text");
	else if (kind == SEARCH_TOO_LONG)
		check_fail(
		    c, "q",
		    arena_printf(r->arena, "must be at most %d characters", SEARCH_QUERY_CHARS));
	else if (kind == SEARCH_NOTHING)
		check_fail(c, "q",
		           "has nothing to search for: type part of an RMA, an order number, a "
		           "customer's name or e-mail address, a SKU or a product name");
	char key[SEARCH_KEY_SIZE], rma[SEARCH_KEY_SIZE];
	bool whole = kind == SEARCH_TERMS && search_query_key(q, key, rma);
	struct search_ask ask = {
	    .terms = kind == SEARCH_TERMS ? &terms : NULL,
	    .key = whole ? key : NULL,
	    .rma = whole ? rma : NULL,
	    .email_key = kind == SEARCH_EMAIL ? email_key(r->arena, q) : NULL,
	    .status = status,
	    .since = since,
	    .after = query_cursor(c, r, "after"),
	    .limit = check_query_int(c, "limit", req_query(r, "limit"), 1, SEARCH_PAGE_MAX,
	                             SEARCH_PAGE_MAX),
	};
	if (page != 1)
		check_fail(c, "page",
		           "a search is read page by page with after (its answer's next)");
	if (!check_ok(c)) {
		respond_invalid(r, c->errors);
		return true;
	}
	json_decref(c->errors);
	struct search_page found;
	enum kaeru_err e = store_returns_search(r->db, merchant_id, &ask, &found);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return true;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < found.n; i++)
		json_array_append_new(items, render_return_row(&found.rows[i]));
	json_t *j =
	    json_pack("{s:o, s:o, s:o, s:I}", "items", items, "next", render_cursor(found.next),
	              "total", found.total >= 0 ? json_integer(found.total) : json_null(),
	              "per_page", (json_int_t)ask.limit);
	if (!ask.after)
		json_object_set_new(j, "page", json_integer(1));
	respond_json(r, 200, j);
	return true;
}
