/* Resale listings from their draft to their sale, what the public shop reads of them, and the
 * console's list of returns. Where an optional filter would keep a query off its index, each
 * form is a statement of its own. The shop itself reads db/shop.c's snapshots;
 * publishing and selling bump its version here. */
#include "db/events.h"
#include "db/media.h"
#include "db/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const listing_status_names[LISTING__MAX] = {
    [LISTING_PENDING_REVIEW] = "pending_review",
    [LISTING_PUBLISHED] = "published",
    [LISTING_REJECTED] = "rejected",
    [LISTING_SOLD] = "sold",
};
#define TIME(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
/* When the listing's hold ends, while it is held; NULL when not held (or the hold ran out). */
#define HELD_UNTIL(t)                                                                              \
	"CASE WHEN " t ".held_until > CURRENT_TIMESTAMP THEN " TIME(t ".held_until") " END"
/* A listing's columns, from listings l (with the index hint of hint) joined to its return. */
#define LISTING_SELECT(hint)                                                                       \
	"SELECT STRAIGHT_JOIN l.id, l.merchant_id, l.status, l.title, l.variant, l.sku,"           \
	" l.product_id, l.category, l.grade, l.condition_note, l.currency, r.rma,"                 \
	" l.original_price, l.suggested_price, l.price, " TIME("l.created_at") ", " TIME(          \
	    "l.published_at") ", " TIME("l.sold_at") ", l.reject_reason, l.public_note,"           \
	                                             " " HELD_UNTIL("l") " FROM listings l" hint   \
	                                                                 " JOIN returns r ON r.id" \
	                                                                 " = l.return_id"
#define LISTING_COLUMNS LISTING_SELECT("")

/* An item's drafts, one per unit of the JSON array [1, 2, ...], their ids back in unit order. */
static const char sql_listing_insert[] =
    "INSERT INTO listings (merchant_id, return_id, return_item_id, unit, title, variant, sku,"
    " product_id, category, grade, condition_note, currency, original_price, suggested_price,"
    " price, created_at) SELECT ?, ?, ?, j.unit, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " CURRENT_TIMESTAMP FROM JSON_TABLE(?, '$[*]' COLUMNS (unit BIGINT PATH '$')) j"
    " ORDER BY j.unit RETURNING id";
static const char sql_listing_get[] = LISTING_COLUMNS " WHERE l.merchant_id = ? AND l.id = ?";
static const char sql_listing_lock[] =
    "SELECT id FROM listings WHERE merchant_id = ? AND id = ? FOR UPDATE";
/* A console list's page reads an index in the list's order — (merchant, status, created_at,
 * id) for one tab, (merchant, created_at, id) for all (InnoDB ends each key in the primary key)
 * — from a place (created_at, id): the one after the cursor's row, or the list's start (then
 * skipping OFFSET rows for a page by number). A page before a cursor reads the other way and
 * is turned around. The totals are status_counts' rows (migration 019). */
#define SECONDS(x) "TIMESTAMPADD(SECOND, " x ", '1970-01-01')"
#define FROM_PLACE(t, cmp, dir)                                                                    \
	" AND (" t "created_at " cmp                                                               \
	" " SECONDS("?") " OR (" t "created_at = " SECONDS("?") " AND " t "id " cmp                \
	                                                        " ?)) ORDER BY " t                 \
	                                                        "created_at " dir ", " t "id " dir \
	                                                        " LIMIT ? OFFSET ?"
/* The index is named: the planner's statistics, sampled as a merchant's rows grow, must not
 * turn a page into a scan of the merchant's listings now and then. */
#define LISTINGS_FROM(index, where, cmp, dir)                                                      \
	LISTING_SELECT(" FORCE INDEX (" index ")")                                                 \
	" WHERE l.merchant_id = ?" where FROM_PLACE("l.", cmp, dir)
/* A list's four statements, [of one status][descending], from FROM(index, where, cmp, dir). */
#define LIST_STATEMENTS(FROM, all_index, status_index, status_where)                               \
	{                                                                                          \
		{FROM(all_index, "", ">", "ASC"), FROM(all_index, "", "<", "DESC")},               \
		    {FROM(status_index, status_where, ">", "ASC"),                                 \
		     FROM(status_index, status_where, "<", "DESC")},                               \
	}
static const char *const sql_listings_from[2][2] = LIST_STATEMENTS(
    LISTINGS_FROM, "ix_listings_created", "ix_listings_merchant", " AND l.status = ?");
/* Where a cursor's row stands in its list, and a list's total (of one status, or all). */
#define PLACE_OF(table)                                                                            \
	"SELECT TIMESTAMPDIFF(SECOND, '1970-01-01', created_at) FROM " table                       \
	" WHERE merchant_id = ? AND id = ?"
#define TOTAL_OF(kind)                                                                             \
	"SELECT COALESCE(SUM(n), 0) FROM status_counts WHERE merchant_id = ? AND kind = '" kind    \
	"' AND (? IS NULL OR status = ?)"
static const char sql_listing_place[] = PLACE_OF("listings");
static const char sql_listings_count[] = TOTAL_OF("listing");
static const char sql_listing_publish[] =
    "UPDATE listings SET status = 'published', price = ?, title = COALESCE(?, title),"
    " reviewed_by = ?, published_at = CURRENT_TIMESTAMP"
    " WHERE merchant_id = ? AND id = ? AND status = 'pending_review'";
static const char sql_listing_reject[] =
    "UPDATE listings SET status = 'rejected', reject_reason = ?, reviewed_by = ?"
    " WHERE merchant_id = ? AND id = ? AND status = 'pending_review'";
/* A held listing is sold only by its own hold. */
static const char sql_listing_sell[] =
    "UPDATE listings SET status = 'sold', sold_at = CURRENT_TIMESTAMP, hold_id = NULL,"
    " held_until = NULL WHERE merchant_id = ? AND id = ? AND status = 'published'"
    " AND (held_until IS NULL OR held_until <= CURRENT_TIMESTAMP OR hold_id = ?)";
static const char sql_listing_edit[] =
    "UPDATE listings SET price = COALESCE(?, price), title = COALESCE(?, title),"
    " public_note = COALESCE(?, public_note)"
    " WHERE merchant_id = ? AND id = ? AND status IN ('pending_review', 'published')";
static const char sql_listing_withdraw[] =
    "UPDATE listings SET status = 'pending_review', published_at = NULL, hold_id = NULL,"
    " held_until = NULL WHERE merchant_id = ? AND id = ? AND status = 'published'";
static const char sql_listing_restore[] =
    "UPDATE listings SET status = 'pending_review', reject_reason = NULL"
    " WHERE merchant_id = ? AND id = ? AND status = 'rejected'";
static const char sql_listing_hold[] =
    "UPDATE listings SET hold_id = ?, held_until = TIMESTAMPADD(MINUTE, ?, CURRENT_TIMESTAMP)"
    " WHERE merchant_id = ? AND id = ? AND status = 'published'"
    " AND (held_until IS NULL OR held_until <= CURRENT_TIMESTAMP)";
static const char sql_listing_release[] =
    "UPDATE listings SET hold_id = NULL, held_until = NULL"
    " WHERE merchant_id = ? AND id = ? AND hold_id IS NOT NULL AND (? IS NULL OR hold_id = ?)";
static const char sql_item_photo_ids[] =
    "SELECT p.id FROM return_photos p JOIN listings l ON l.return_item_id = p.return_item_id"
    " WHERE l.merchant_id = ? AND l.id = ? AND p.source = 'warehouse' ORDER BY p.position, p.id";
static const char sql_photo_position[] = "UPDATE return_photos SET position = ? WHERE id = ?";
static const char sql_shop_merchant[] =
    "SELECT " MERCHANT_COLUMNS ", COALESCE(v.version, 0) FROM merchants m"
    " LEFT JOIN shop_versions v ON v.merchant_id = m.id WHERE m.slug = ?";
static const char sql_shop_changed[] =
    "INSERT INTO shop_versions (merchant_id, version) VALUES (?, 1)"
    " ON DUPLICATE KEY UPDATE version = version + 1";
/* The shop's version as the caller's transaction has just made it: its own write, on a row it
 * holds locked until it commits (and on Galera, two nodes' writes of it conflict at
 * certification, one running again), so no two committed changes take the same number. */
#define SHOP_VERSION_NOW "(SELECT version FROM shop_versions WHERE merchant_id = ?)"
static const char sql_listing_stamp[] =
    "UPDATE listings SET shop_version = " SHOP_VERSION_NOW " WHERE merchant_id = ? AND id = ?";
/* An item's photos are every unit's: its listings in the shop, or on their way there. */
#define ITEM_LISTINGS                                                                              \
	" WHERE merchant_id = ? AND return_item_id = ? AND status IN ('pending_review', "          \
	"'published')"
static const char sql_item_listings[] = "SELECT COUNT(*) FROM listings" ITEM_LISTINGS;
static const char sql_item_stamp[] =
    "UPDATE listings SET shop_version = " SHOP_VERSION_NOW ITEM_LISTINGS;
static const char sql_listing_item[] =
    "SELECT return_item_id FROM listings WHERE merchant_id = ? AND id = ?";
static const char sql_listings_public_note[] =
    "UPDATE listings SET public_note = ? WHERE return_item_id = ? AND status = 'pending_review'";
/* What a shop's snapshot is read from (fcgi/shop.c): one row h of the shop's version, its sold
 * count and the database's time, joined to the listings read, so that all come from one
 * statement — one read view: the rows are exactly as new as the version beside them. There is
 * a row even when no listing matches (l.id NULL). condition_note here is the public note: the
 * inspection's own note is internal. */
#define SHOP_HEAD                                                                                  \
	"(SELECT COALESCE(" SHOP_VERSION_NOW ", 0) AS version, COALESCE((SELECT n FROM"            \
	" status_counts WHERE merchant_id = ? AND kind = 'listing' AND status = 'sold'), 0) AS"    \
	" sold, DATE_FORMAT(CURRENT_TIMESTAMP, '%Y-%m-%dT%H:%i:%sZ') AS now) h"
#define SHOP_ROWS(listings)                                                                        \
	"SELECT h.version, h.sold, h.now, l.id, l.status, l.title, l.variant, l.product_id,"       \
	" l.category, l.grade, l.public_note, l.currency, l.original_price, l.price,"              \
	" " TIME("l.published_at") ", " HELD_UNTIL("l") " FROM " SHOP_HEAD                         \
	                                                " LEFT JOIN listings l " listings
/* In no order: with the head joined, an ORDER BY here sorts every row in a temporary table
 * (tens of ms for 30,000 listings); fcgi/shop.c sorts them in a fraction of that. */
static const char sql_shop_published[] =
    SHOP_ROWS("FORCE INDEX (ix_listings_shop) ON l.merchant_id = ? AND l.status = 'published'");
/* The listings stamped after a version, in whatever status they are now (migration 064). */
static const char sql_shop_changes[] =
    SHOP_ROWS("FORCE INDEX (ix_listings_shop_version) ON l.merchant_id = ? AND l.shop_version > ?"
              " LIMIT ?");
static const char sql_listing_counts[] =
    "SELECT status, n, amount FROM status_counts WHERE merchant_id = ? AND kind = 'listing'";

/* Like the listings, newest first; the page's ids first, from the index alone, so the rows
 * skipped by OFFSET are never joined. */
#define RETURNS_FROM(index, where, cmp, dir)                                                       \
	"SELECT p.id, " RETURN_ROW_COLUMNS " FROM (SELECT id, created_at FROM returns"             \
	" FORCE INDEX (" index ") WHERE merchant_id = ?" where FROM_PLACE(                         \
	    "", cmp, dir) ") p JOIN returns r ON r.id = p.id"                                      \
	                  " JOIN orders o ON o.id = r.order_id ORDER BY p.created_at " dir         \
	                  ", p.id " dir
static const char *const sql_returns_from[2][2] = LIST_STATEMENTS(
    RETURNS_FROM, "ix_returns_merchant_created", "ix_returns_merchant", " AND status = ?");
static const char sql_return_place[] = PLACE_OF("returns");
static const char sql_returns_count[] = TOTAL_OF("return");
static const char sql_return_counts[] =
    "SELECT status, n FROM status_counts WHERE merchant_id = ? AND kind = 'return'";

enum kaeru_err store_listings_draft(struct db *db, const struct ret *r,
                                    const struct return_item *it, int64_t units,
                                    int64_t suggested_price)
{
	/* The listing as inserted (status pending_review by the column's default), for its
	 * event. */
	struct listing l = {.merchant_id = r->merchant_id,
	                    .status = LISTING_PENDING_REVIEW,
	                    .title = it->name,
	                    .variant = it->variant,
	                    .sku = it->sku,
	                    .product_id = it->product_id,
	                    .grade = it->grade,
	                    .condition_note = it->note ? it->note : "",
	                    .currency = r->currency,
	                    .rma = r->rma,
	                    .original_price = it->unit_price,
	                    .suggested_price = suggested_price,
	                    .price = suggested_price};
	json_t *list = json_array();
	for (int64_t unit = 1; unit <= units; unit++)
		json_array_append_new(list, json_integer(unit));
	char *text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	struct db_rows ids = {0};
	enum kaeru_err e =
	    text ? db_query(db, sql_listing_insert,
	                    DB_ARGS(DBI(r->merchant_id), DBI(r->id), DBI(it->id), DBS(l.title),
	                            DBS(l.variant), DBS(l.sku), DBS(l.product_id),
	                            DBS(it->category), DBS(l.grade), DBS(l.condition_note),
	                            DBS(l.currency), DBI(l.original_price), DBI(l.suggested_price),
	                            DBI(l.price), DBS(text)),
	                    &ids)
	         : KAERU_EINTERNAL;
	free(text);
	if (e == KAERU_OK && ids.nrows != (size_t)(units > 0 ? units : 0))
		e = KAERU_EINTERNAL;
	for (size_t i = 0; e == KAERU_OK && i < ids.nrows; i++) {
		l.id = db_int(&ids, i, 0);
		e = store_event_listing_drafted(db, &l);
	}
	/* Drafted now: counted on today's local day, as their created_at says. */
	return e == KAERU_OK ? store_analytics_drafted(db, r->merchant_id, units) : e;
}

static void listing_row(const struct db_rows *rows, size_t i, struct listing *l)
{
	int status = NAME_INDEX(listing_status_names, db_str(rows, i, 2));
	*l = (struct listing){
	    .id = db_int(rows, i, 0),
	    .merchant_id = db_int(rows, i, 1),
	    .status = status < 0 ? LISTING_PENDING_REVIEW : (enum listing_status)status,
	    .title = db_str(rows, i, 3),
	    .variant = db_str(rows, i, 4),
	    .sku = db_str(rows, i, 5),
	    .product_id = db_str(rows, i, 6),
	    .category = db_str(rows, i, 7),
	    .grade = db_str(rows, i, 8),
	    .condition_note = db_str(rows, i, 9),
	    .currency = db_str(rows, i, 10),
	    .rma = db_str(rows, i, 11),
	    .original_price = db_int(rows, i, 12),
	    .suggested_price = db_int(rows, i, 13),
	    .price = db_int(rows, i, 14),
	    .created_at = db_str(rows, i, 15),
	    .published_at = db_str(rows, i, 16),
	    .sold_at = db_str(rows, i, 17),
	    .reject_reason = db_str(rows, i, 18),
	    .public_note = db_str(rows, i, 19),
	    .held_until = db_str(rows, i, 20),
	};
}

/* Gives each of the n listings ls its photos of ps (np of them, by listing id, so each
 * listing's are one run, found by bisection: a whole shop's photos cost n log np). */
static enum kaeru_err attach_photos(struct db *db, enum kaeru_err e, const struct listing_photo *ps,
                                    size_t np, struct listing *ls, size_t n)
{
	if (e != KAERU_OK || np == 0)
		return e;
	struct photo *all = arena_alloc(db->arena, sizeof(*all) * np);
	for (size_t k = 0; k < np; k++)
		all[k] = ps[k].photo;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0, hi = np;
		while (k < hi) {
			size_t mid = k + (hi - k) / 2;
			if (ps[mid].listing_id < ls[i].id)
				k = mid + 1;
			else
				hi = mid;
		}
		ls[i].photos = &all[k];
		while (k < np && ps[k].listing_id == ls[i].id) {
			ls[i].n_photos++;
			k++;
		}
	}
	return KAERU_OK;
}

/* Hands each of ls (n listings of merchant_id) its photos: of listing_id alone, or (0) of all
 * published listings. */
static enum kaeru_err listings_photos(struct db *db, int64_t merchant_id, int64_t listing_id,
                                      struct listing *ls, size_t n)
{
	struct listing_photo *ps = NULL;
	size_t np = 0;
	enum kaeru_err e = store_listing_photos(db, merchant_id, listing_id, &ps, &np);
	return attach_photos(db, e, ps, np, ls, n);
}

/* The photos of a page of listings, in one statement. */
static enum kaeru_err page_photos(struct db *db, int64_t merchant_id, struct listing *ls, size_t n)
{
	if (n == 0)
		return KAERU_OK;
	int64_t *ids = arena_alloc(db->arena, sizeof(*ids) * n);
	for (size_t i = 0; i < n; i++)
		ids[i] = ls[i].id;
	struct listing_photo *ps = NULL;
	size_t np = 0;
	enum kaeru_err e = store_listings_photos_of(db, merchant_id, ids, n, &ps, &np);
	return attach_photos(db, e, ps, np, ls, n);
}

enum kaeru_err store_listings_public_note(struct db *db, int64_t return_item_id,
                                          const char *public_note)
{
	return db_exec(db, sql_listings_public_note, DB_ARGS(DBS(public_note), DBI(return_item_id)),
	               NULL, NULL);
}

static enum kaeru_err count_of(struct db *db, const char *sql, const struct db_val *args,
                               size_t nargs, int64_t *total)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql, args, nargs, &rows);
	*total = e == KAERU_OK && rows.nrows ? db_int(&rows, 0, 0) : 0;
	return e;
}

enum kaeru_err store_listing_get(struct db *db, int64_t merchant_id, int64_t id, bool lock,
                                 struct listing *l)
{
	struct db_rows rows;
	enum kaeru_err e = KAERU_OK;
	if (lock && (e = db_query(db, sql_listing_lock, DB_ARGS(DBI(merchant_id), DBI(id)),
	                          &rows)) != KAERU_OK)
		return e;
	if ((e = db_query(db, sql_listing_get, DB_ARGS(DBI(merchant_id), DBI(id)), &rows)) !=
	    KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	listing_row(&rows, 0, l);
	return listings_photos(db, merchant_id, id, l, 1);
}

/* Where a page reads from, for a list in descending order or not: the place's created_at (in
 * seconds) and id, whether it reads the list backwards, and its statement of sql[2][2]. */
struct place {
	int64_t at, id, offset;
	bool backwards;
	const char *sql;
};

/* The place of at in the list of sql_place's table; EINVALID when its cursor is not a row of
 * the merchant's. */
static enum kaeru_err place_of(struct db *db, const char *sql_place, const char *const sql[2][2],
                               int64_t merchant_id, bool one_status, bool descending,
                               const struct keyset *at, struct place *p)
{
	int64_t cursor = at->after ? at->after : at->before;
	*p = (struct place){
	    .at = descending ? 253402300799 : -1, /* 9999-12-31T23:59:59Z, or before any row */
	    .id = descending ? INT64_MAX : 0,
	    .offset = cursor ? 0 : at->offset,
	    .backwards = at->before != 0 && !at->after,
	};
	p->sql = sql[one_status][descending != p->backwards];
	if (!cursor)
		return KAERU_OK;
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_place, DB_ARGS(DBI(merchant_id), DBI(cursor)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_EINVALID;
	p->at = db_int(&rows, 0, 0);
	p->id = cursor;
	return KAERU_OK;
}

/* The arguments of a page's statement: the merchant, status (when s), place, limit, offset. */
static size_t page_args(struct db_val *args, int64_t merchant_id, const char *s,
                        const struct place *p, int64_t limit)
{
	size_t n = 0;
	args[n++] = DBI(merchant_id);
	if (s)
		args[n++] = DBS(s);
	args[n++] = DBI(p->at);
	args[n++] = DBI(p->at);
	args[n++] = DBI(p->id);
	args[n++] = DBI(limit + 1);
	args[n++] = DBI(p->offset);
	return n;
}

/* Reads the page at of a list (sql_place and sql as place_of takes them; of status s, or all * when
 * NULL) into rows, each row's id in column 0: pg->n of them, the i-th in the list's order being
 * rows' (*order)[i] (the arena's); the cursors around it. */
static enum kaeru_err list_page(struct db *db, const char *sql_place, const char *const sql[2][2],
                                int64_t merchant_id, const char *s, bool descending,
                                const struct keyset *at, struct db_rows *rows, size_t **order,
                                struct keyset_page *pg)
{
	struct place p;
	enum kaeru_err e = place_of(db, sql_place, sql, merchant_id, s != NULL, descending, at, &p);
	if (e != KAERU_OK)
		return e;
	struct db_val args[7];
	size_t nargs = page_args(args, merchant_id, s, &p, at->limit);
	if ((e = db_query(db, p.sql, args, nargs, rows)) != KAERU_OK)
		return e;
	bool more = rows->nrows > (size_t)at->limit;
	size_t n = more ? (size_t)at->limit : rows->nrows;
	*order = arena_alloc(db->arena, sizeof(**order) * (n + 1));
	for (size_t i = 0; i < n; i++)
		(*order)[i] = p.backwards ? n - 1 - i : i;
	*pg = (struct keyset_page){.n = n};
	if (n == 0)
		return KAERU_OK;
	int64_t first = db_int(rows, (*order)[0], 0), last = db_int(rows, (*order)[n - 1], 0);
	if (p.backwards) {
		pg->prev = more ? first : 0;
		pg->next = last; /* the cursor's row, at least, comes after */
	} else {
		pg->next = more ? last : 0;
		pg->prev = at->after || p.offset ? first : 0;
	}
	return KAERU_OK;
}

enum kaeru_err store_listings_page(struct db *db, int64_t merchant_id, int status,
                                   const struct keyset *at, struct listing **out,
                                   struct keyset_page *pg)
{
	const char *s = status >= 0 ? listing_status_names[status] : NULL;
	struct db_rows rows;
	size_t *order;
	enum kaeru_err e = list_page(db, sql_listing_place, sql_listings_from, merchant_id, s,
	                             status != LISTING_PENDING_REVIEW, at, &rows, &order, pg);
	if (e != KAERU_OK)
		return e;
	*out = arena_zalloc(db->arena, sizeof(**out) * (pg->n + 1));
	for (size_t i = 0; i < pg->n; i++)
		listing_row(&rows, order[i], &(*out)[i]);
	if ((e = page_photos(db, merchant_id, *out, pg->n)) != KAERU_OK)
		return e;
	return count_of(db, sql_listings_count, DB_ARGS(DBI(merchant_id), DBS(s), DBS(s)),
	                &pg->total);
}

static enum kaeru_err changed_one(enum kaeru_err e, uint64_t affected)
{
	return e == KAERU_OK && affected != 1 ? KAERU_ECONFLICT : e;
}

enum kaeru_err store_listing_publish(struct db *db, int64_t merchant_id, int64_t id, int64_t price,
                                     const char *title, int64_t user_id)
{
	uint64_t affected = 0;
	enum kaeru_err e = db_exec(db, sql_listing_publish,
	                           DB_ARGS(DBI(price), DBS(title), user_id ? DBI(user_id) : DBN,
	                                   DBI(merchant_id), DBI(id)),
	                           &affected, NULL);
	if ((e = changed_one(e, affected)) != KAERU_OK ||
	    (e = store_analytics_listing(db, merchant_id, id, RESALE_PUBLISHED)) != KAERU_OK ||
	    (e = store_shop_changed(db, merchant_id, id)) != KAERU_OK)
		return e;
	return store_event_listing(db, merchant_id, id, "listing.published");
}

enum kaeru_err store_listing_reject(struct db *db, int64_t merchant_id, int64_t id,
                                    const char *reason, int64_t user_id)
{
	uint64_t affected = 0;
	enum kaeru_err e =
	    db_exec(db, sql_listing_reject,
	            DB_ARGS(DBS(reason), user_id ? DBI(user_id) : DBN, DBI(merchant_id), DBI(id)),
	            &affected, NULL);
	if ((e = changed_one(e, affected)) != KAERU_OK)
		return e;
	return store_event_listing(db, merchant_id, id, "listing.rejected");
}

enum kaeru_err store_listing_sell(struct db *db, int64_t merchant_id, int64_t id,
                                  const char *hold_id)
{
	uint64_t affected = 0;
	enum kaeru_err e = db_exec(db, sql_listing_sell,
	                           DB_ARGS(DBI(merchant_id), DBI(id), DBS(hold_id ? hold_id : "")),
	                           &affected, NULL);
	if ((e = changed_one(e, affected)) != KAERU_OK ||
	    (e = store_analytics_listing(db, merchant_id, id, RESALE_SOLD)) != KAERU_OK ||
	    (e = store_shop_changed(db, merchant_id, id)) != KAERU_OK)
		return e;
	return store_event_listing(db, merchant_id, id, "listing.sold");
}

enum kaeru_err store_listing_counts(struct db *db, int64_t merchant_id,
                                    int64_t counts[LISTING__MAX], int64_t *recovered)
{
	struct db_rows rows;
	memset(counts, 0, sizeof(int64_t) * LISTING__MAX);
	*recovered = 0;
	enum kaeru_err e = db_query(db, sql_listing_counts, DB_ARGS(DBI(merchant_id)), &rows);
	for (size_t i = 0; e == KAERU_OK && i < rows.nrows; i++) {
		int s = NAME_INDEX(listing_status_names, db_str(&rows, i, 0));
		if (s >= 0)
			counts[s] = db_int(&rows, i, 1);
		if (s == LISTING_SOLD)
			*recovered = db_int(&rows, i, 2);
	}
	return e;
}

void store_return_row_read(const struct db_rows *rows, size_t i, size_t col, struct return_row *out)
{
	*out = (struct return_row){
	    .rma = db_str(rows, i, col),
	    .status = db_str(rows, i, col + 1),
	    .order_number = db_str(rows, i, col + 2),
	    .customer_name = db_str(rows, i, col + 3),
	    .email = db_str(rows, i, col + 4),
	    .currency = db_str(rows, i, col + 5),
	    .created_at = db_str(rows, i, col + 6),
	    .updated_at = db_str(rows, i, col + 7),
	    .items = db_int(rows, i, col + 8),
	    .has_refund = !db_isnull(rows, i, col + 9),
	    .refund_amount = db_int(rows, i, col + 9),
	};
}

enum kaeru_err store_returns_page(struct db *db, int64_t merchant_id, int status,
                                  const struct keyset *at, struct return_row **out,
                                  struct keyset_page *pg)
{
	const char *s = status >= 0 ? return_status_names[status] : NULL;
	struct db_rows rows;
	size_t *order;
	enum kaeru_err e = list_page(db, sql_return_place, sql_returns_from, merchant_id, s, true,
	                             at, &rows, &order, pg);
	if (e != KAERU_OK)
		return e;
	*out = arena_zalloc(db->arena, sizeof(**out) * (pg->n + 1));
	for (size_t i = 0; i < pg->n; i++)
		store_return_row_read(&rows, order[i], 1, &(*out)[i]);
	return count_of(db, sql_returns_count, DB_ARGS(DBI(merchant_id), DBS(s), DBS(s)),
	                &pg->total);
}

enum kaeru_err store_return_counts(struct db *db, int64_t merchant_id, int64_t counts[RETURN__MAX])
{
	struct db_rows rows;
	memset(counts, 0, sizeof(int64_t) * RETURN__MAX);
	enum kaeru_err e = db_query(db, sql_return_counts, DB_ARGS(DBI(merchant_id)), &rows);
	for (size_t i = 0; e == KAERU_OK && i < rows.nrows; i++) {
		int s = NAME_INDEX(return_status_names, db_str(&rows, i, 0));
		if (s >= 0)
			counts[s] = db_int(&rows, i, 1);
	}
	return e;
}

enum kaeru_err store_shop_merchant(struct db *db, const char *slug, struct merchant *m,
                                   uint64_t *version)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_shop_merchant, DB_ARGS(DBS(slug)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	store_merchant_from_row(&rows, 0, 0, m);
	*version = (uint64_t)db_int(&rows, 0, MERCHANT_NCOLUMNS);
	return KAERU_OK;
}

enum kaeru_err store_shop_changed(struct db *db, int64_t merchant_id, int64_t listing_id)
{
	enum kaeru_err e = db_exec(db, sql_shop_changed, DB_ARGS(DBI(merchant_id)), NULL, NULL);
	return e == KAERU_OK ? db_exec(db, sql_listing_stamp,
	                               DB_ARGS(DBI(merchant_id), DBI(merchant_id), DBI(listing_id)),
	                               NULL, NULL)
	                     : e;
}

enum kaeru_err store_shop_item_changed(struct db *db, int64_t merchant_id, int64_t return_item_id)
{
	int64_t n = 0;
	enum kaeru_err e =
	    count_of(db, sql_item_listings, DB_ARGS(DBI(merchant_id), DBI(return_item_id)), &n);
	if (e != KAERU_OK || n == 0)
		return e;
	if ((e = db_exec(db, sql_shop_changed, DB_ARGS(DBI(merchant_id)), NULL, NULL)) != KAERU_OK)
		return e;
	/* Pending listings are stamped too, though the shop shows none: their photos change
	 * with a write of their rows, so a listing published meanwhile (the count took no lock)
	 * is written by both changes, here or on another Galera node, and one of the two waits or
	 * fails certification and runs again after the other, finding it published. */
	return db_exec(db, sql_item_stamp,
	               DB_ARGS(DBI(merchant_id), DBI(merchant_id), DBI(return_item_id)), NULL,
	               NULL);
}

/* Reads a snapshot's rows (sql_shop_published, whole, or sql_shop_changes, with args after the
 * head's two merchant ids) into out; the photos of those published. */
static enum kaeru_err shop_rows(struct db *db, bool whole, int64_t merchant_id,
                                const struct db_val *args, size_t nargs, struct shop_rows *out)
{
	const char *sql = whole ? sql_shop_published : sql_shop_changes;
	struct db_val all[5] = {DBI(merchant_id), DBI(merchant_id)};
	memcpy(all + 2, args, sizeof(*args) * nargs);
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql, all, nargs + 2, &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0) /* the head is one row, always */
		return KAERU_EINTERNAL;
	*out = (struct shop_rows){
	    .version = (uint64_t)db_int(&rows, 0, 0),
	    .sold = db_int(&rows, 0, 1),
	    .now = db_str(&rows, 0, 2),
	    .n = db_isnull(&rows, 0, 3) ? 0 : rows.nrows,
	};
	out->rows = arena_zalloc(db->arena, sizeof(*out->rows) * (out->n + 1));
	int64_t *published = arena_alloc(db->arena, sizeof(*published) * (out->n + 1));
	size_t n_published = 0;
	for (size_t i = 0; i < out->n; i++) {
		int status = NAME_INDEX(listing_status_names, db_str(&rows, i, 4));
		struct listing *l = &out->rows[i];
		*l = (struct listing){
		    .id = db_int(&rows, i, 3),
		    .merchant_id = merchant_id,
		    .status = status < 0 ? LISTING_PENDING_REVIEW : (enum listing_status)status,
		    .title = db_str(&rows, i, 5),
		    .variant = db_str(&rows, i, 6),
		    .product_id = db_str(&rows, i, 7),
		    .category = db_str(&rows, i, 8),
		    .grade = db_str(&rows, i, 9),
		    .condition_note = db_str(&rows, i, 10),
		    .currency = db_str(&rows, i, 11),
		    .original_price = db_int(&rows, i, 12),
		    .price = db_int(&rows, i, 13),
		    .published_at = db_str(&rows, i, 14),
		    .held_until = db_str(&rows, i, 15),
		};
		if (l->status == LISTING_PUBLISHED)
			published[n_published++] = l->id;
	}
	if (n_published == 0)
		return KAERU_OK;
	/* Read after the rows: as new as they are, or newer (a photo added since is stamped
	 * after the version, and read again with the next snapshot). */
	struct listing_photo *ps = NULL;
	size_t np = 0;
	e = whole ? store_listing_photos(db, merchant_id, 0, &ps, &np)
	          : store_listings_photos_of(db, merchant_id, published, n_published, &ps, &np);
	return attach_photos(db, e, ps, np, out->rows, out->n);
}

enum kaeru_err store_shop_published(struct db *db, int64_t merchant_id, struct shop_rows *out)
{
	return shop_rows(db, true, merchant_id, DB_ARGS(DBI(merchant_id)), out);
}

enum kaeru_err store_shop_changes(struct db *db, int64_t merchant_id, uint64_t after, size_t limit,
                                  struct shop_rows *out)
{
	return shop_rows(db, false, merchant_id,
	                 DB_ARGS(DBI(merchant_id), DBI((int64_t)after), DBI((int64_t)limit + 1)),
	                 out);
}

/* ---- the merchant's edits and the shop's holds ---- */

/* Bumps the shop's version and stamps the listing when it is in the shop, then writes the
 * event. */
static enum kaeru_err listing_changed(struct db *db, int64_t merchant_id, int64_t id, bool in_shop,
                                      const char *type, const char *by, json_t *changes)
{
	enum kaeru_err e = in_shop ? store_shop_changed(db, merchant_id, id) : KAERU_OK;
	if (e != KAERU_OK) {
		json_decref(changes);
		return e;
	}
	return store_event_listing_by(db, merchant_id, id, type, by, changes);
}

enum kaeru_err store_listing_edit(struct db *db, int64_t merchant_id, int64_t id,
                                  const struct listing_edit *ed, const char *by)
{
	struct listing before;
	enum kaeru_err e = store_listing_get(db, merchant_id, id, true, &before);
	if (e != KAERU_OK)
		return e;
	if (before.status != LISTING_PUBLISHED && before.status != LISTING_PENDING_REVIEW)
		return KAERU_ECONFLICT;
	uint64_t affected = 0;
	if ((e = db_exec(db, sql_listing_edit,
	                 DB_ARGS(ed->has_price ? DBI(ed->price) : DBN, DBS(ed->title),
	                         DBS(ed->public_note), DBI(merchant_id), DBI(id)),
	                 &affected, NULL)) != KAERU_OK)
		return e;
	for (size_t i = 0; e == KAERU_OK && i < ed->n_photo_order; i++)
		e = db_exec(db, sql_photo_position,
		            DB_ARGS(DBI((int64_t)i), DBI(ed->photo_order[i])), NULL, NULL);
	/* The photos are the item's: every unit's listing shows them in the new order. */
	bool in_shop = before.status == LISTING_PUBLISHED;
	if (e == KAERU_OK && ed->n_photo_order) {
		struct db_rows item;
		e = db_query(db, sql_listing_item, DB_ARGS(DBI(merchant_id), DBI(id)), &item);
		if (e == KAERU_OK && item.nrows)
			e = store_shop_item_changed(db, merchant_id, db_int(&item, 0, 0));
		in_shop = false; /* stamped with its item */
	}
	if (e != KAERU_OK)
		return e;
	json_t *changes = json_object();
	if (ed->has_price && ed->price != before.price)
		json_object_set_new(changes, "price",
		                    json_pack("{s:I, s:I}", "from", (json_int_t)before.price, "to",
		                              (json_int_t)ed->price));
	if (ed->title && strcmp(ed->title, before.title) != 0)
		json_object_set_new(changes, "title",
		                    json_pack("{s:s, s:s}", "from", before.title, "to", ed->title));
	if (ed->public_note && strcmp(ed->public_note, before.public_note) != 0)
		json_object_set_new(
		    changes, "public_note",
		    json_pack("{s:s, s:s}", "from", before.public_note, "to", ed->public_note));
	if (ed->n_photo_order)
		json_object_set_new(changes, "photo_order", json_true());
	return listing_changed(db, merchant_id, id, in_shop, "listing.updated", by, changes);
}

enum kaeru_err store_listing_photo_ids(struct db *db, int64_t merchant_id, int64_t id,
                                       int64_t **ids, size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_item_photo_ids, DB_ARGS(DBI(merchant_id), DBI(id)), &rows);
	if (e != KAERU_OK)
		return e;
	*n = rows.nrows;
	*ids = arena_alloc(db->arena, sizeof(**ids) * (rows.nrows + 1));
	for (size_t i = 0; i < rows.nrows; i++)
		(*ids)[i] = db_int(&rows, i, 0);
	return KAERU_OK;
}

enum kaeru_err store_listing_withdraw(struct db *db, int64_t merchant_id, int64_t id,
                                      const char *by)
{
	uint64_t affected = 0;
	/* Its publication leaves the resale figures while the row still says when it was. */
	enum kaeru_err e = store_analytics_listing(db, merchant_id, id, RESALE_WITHDRAWN);
	if (e == KAERU_OK)
		e = db_exec(db, sql_listing_withdraw, DB_ARGS(DBI(merchant_id), DBI(id)), &affected,
		            NULL);
	if ((e = changed_one(e, affected)) != KAERU_OK)
		return e;
	return listing_changed(db, merchant_id, id, true, "listing.withdrawn", by, NULL);
}

enum kaeru_err store_listing_restore(struct db *db, int64_t merchant_id, int64_t id, const char *by)
{
	uint64_t affected = 0;
	enum kaeru_err e =
	    db_exec(db, sql_listing_restore, DB_ARGS(DBI(merchant_id), DBI(id)), &affected, NULL);
	if ((e = changed_one(e, affected)) != KAERU_OK)
		return e;
	return listing_changed(db, merchant_id, id, false, "listing.restored", by, NULL);
}

enum kaeru_err store_listing_hold(struct db *db, int64_t merchant_id, int64_t id,
                                  const char *hold_id, int minutes)
{
	uint64_t affected = 0;
	enum kaeru_err e = db_exec(db, sql_listing_hold,
	                           DB_ARGS(DBS(hold_id), DBI(minutes), DBI(merchant_id), DBI(id)),
	                           &affected, NULL);
	if ((e = changed_one(e, affected)) != KAERU_OK)
		return e;
	return listing_changed(db, merchant_id, id, true, "listing.held", "shop", NULL);
}

enum kaeru_err store_listing_release(struct db *db, int64_t merchant_id, int64_t id,
                                     const char *hold_id, bool *released)
{
	uint64_t affected = 0;
	enum kaeru_err e = db_exec(db, sql_listing_release,
	                           DB_ARGS(DBI(merchant_id), DBI(id), DBS(hold_id), DBS(hold_id)),
	                           &affected, NULL);
	*released = e == KAERU_OK && affected == 1;
	if (e != KAERU_OK || !*released)
		return e;
	return listing_changed(db, merchant_id, id, true, "listing.released", "shop", NULL);
}
