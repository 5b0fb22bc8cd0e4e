/* The public shop's catalogue: a merchant's published listings, held in memory per version of
 * the shop, so browsing reads no listing rows. Whatever changes what a shop shows (a listing
 * published or sold) bumps shop_versions in the same transaction; a request reads the version
 * and uses the snapshot of that version, loading it once when it is new. A snapshot is
 * immutable and reference-counted: a request keeps the one it got even when a newer one
 * replaces it in the cache. */
#include "db/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shops kept, and the memory they may take together; a shop larger than that is still served,
 * loaded for each request, just not kept. */
#define CACHE_SHOPS 64
#define CACHE_BYTES (24u << 20)

const char *const shop_sort_names[SHOP_SORT__MAX] = {
    [SHOP_NEWEST] = "newest",
    [SHOP_PRICE] = "price",
    [SHOP_PRICE_DESC] = "-price",
};

struct shop {
	int64_t merchant_id;
	uint64_t version;
	atomic_int refs;
	uint64_t last_used; /* the cache's clock, under its lock */
	size_t bytes;
	struct arena arena;    /* every string and array below */
	struct listing *items; /* newest first: published_at, then id, descending */
	size_t n;
	uint32_t *by_price; /* indexes into items: price, then id, ascending */
	struct facet *facets[FACET__MAX];
	size_t n_facets[FACET__MAX];
};

static const char sql_shop_merchant[] =
    "SELECT " MERCHANT_COLUMNS ", COALESCE(v.version, 0) FROM merchants m"
    " LEFT JOIN shop_versions v ON v.merchant_id = m.id WHERE m.slug = ?";
static const char sql_bump[] = "INSERT INTO shop_versions (merchant_id, version) VALUES (?, 1)"
                               " ON DUPLICATE KEY UPDATE version = version + 1";
static const char sql_published[] =
    "SELECT id, title, variant, product_id, category, grade, condition_note, currency,"
    " original_price, price, DATE_FORMAT(published_at, '%Y-%m-%dT%H:%i:%sZ')"
    " FROM listings WHERE merchant_id = ? AND status = 'published'"
    " ORDER BY published_at DESC, id DESC";

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

enum kaeru_err store_shop_changed(struct db *db, int64_t merchant_id)
{
	return db_exec(db, sql_bump, DB_ARGS(DBI(merchant_id)), NULL, NULL);
}

/* ---- building a snapshot ---- */

static const char *keep(struct shop *s, const char *text)
{
	size_t n = strlen(text);
	s->bytes += n + 1;
	return arena_strndup(&s->arena, text, n);
}

static int by_price(const void *a, const void *b, void *items)
{
	const struct listing *x = &((const struct listing *)items)[*(const uint32_t *)a];
	const struct listing *y = &((const struct listing *)items)[*(const uint32_t *)b];
	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *facet_value(const struct listing *l, enum facet_kind kind)
{
	switch (kind) {
	case FACET_GRADE:
		return l->grade;
	case FACET_VARIANT:
		return l->variant;
	case FACET_CATEGORY:
		return l->category;
	case FACET__MAX:
		break;
	}
	abort();
}

/* Counts of each value of a column over the whole shop, by value (byte order, as the
 * columns' utf8mb4_bin collation sorts); empty variants and categories are left out. */
static void count_facet(struct shop *s, enum facet_kind kind, const char **scratch)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const char *v = facet_value(&s->items[i], kind);
		if (*v || kind == FACET_GRADE)
			scratch[n++] = v;
	}
	qsort(scratch, n, sizeof(*scratch), by_text);
	struct facet *f = arena_alloc(&s->arena, sizeof(*f) * (n + 1));
	s->bytes += sizeof(*f) * (n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(f[k - 1].value, scratch[i]) == 0)
			f[k - 1].count++;
		else
			f[k++] = (struct facet){scratch[i], 1};
	}
	s->facets[kind] = f;
	s->n_facets[kind] = k;
}

static enum kaeru_err shop_load(struct db *db, int64_t merchant_id, uint64_t version,
                                struct shop **out)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_published, DB_ARGS(DBI(merchant_id)), &rows);
	if (e != KAERU_OK)
		return e;
	struct shop *s = xcalloc(1, sizeof(*s));
	s->merchant_id = merchant_id;
	s->version = version;
	atomic_init(&s->refs, 1);
	s->n = rows.nrows;
	s->bytes = sizeof(*s) + (sizeof(*s->items) + sizeof(*s->by_price)) * (s->n + 1);
	s->items = arena_zalloc(&s->arena, sizeof(*s->items) * (s->n + 1));
	s->by_price = arena_alloc(&s->arena, sizeof(*s->by_price) * (s->n + 1));
	for (size_t i = 0; i < s->n; i++) {
		s->items[i] = (struct listing){
		    .id = db_int(&rows, i, 0),
		    .merchant_id = merchant_id,
		    .status = LISTING_PUBLISHED,
		    .title = keep(s, db_str(&rows, i, 1)),
		    .variant = keep(s, db_str(&rows, i, 2)),
		    .product_id = keep(s, db_str(&rows, i, 3)),
		    .category = keep(s, db_str(&rows, i, 4)),
		    .grade = keep(s, db_str(&rows, i, 5)),
		    .condition_note = keep(s, db_str(&rows, i, 6)),
		    .currency = keep(s, db_str(&rows, i, 7)),
		    .original_price = db_int(&rows, i, 8),
		    .price = db_int(&rows, i, 9),
		    .published_at = keep(s, db_str(&rows, i, 10)),
		};
		s->by_price[i] = (uint32_t)i;
	}
	qsort_r(s->by_price, s->n, sizeof(*s->by_price), by_price, s->items);
	const char **scratch = arena_alloc(db->arena, sizeof(*scratch) * (s->n + 1));
	for (int k = 0; k < FACET__MAX; k++)
		count_facet(s, (enum facet_kind)k, scratch);
	*out = s;
	return KAERU_OK;
}

void store_shop_release(struct shop *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		arena_free(&s->arena);
		free(s);
	}
}

/* ---- the cache ---- */

static struct {
	pthread_mutex_t lock;
	struct shop *shops[CACHE_SHOPS];
	size_t bytes;
	uint64_t clock;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The slot of merchant_id, or -1. Under the lock. */
static int slot_of(int64_t merchant_id)
{
	for (int i = 0; i < CACHE_SHOPS; i++)
		if (cache.shops[i] && cache.shops[i]->merchant_id == merchant_id)
			return i;
	return -1;
}

static void drop(int i)
{
	cache.bytes -= cache.shops[i]->bytes;
	store_shop_release(cache.shops[i]);
	cache.shops[i] = NULL;
}

/* Keeps s (taking a reference) in place of an older snapshot of its shop, making room by
 * dropping the least recently used shops. Under the lock. */
static void keep_shop(struct shop *s)
{
	int i = slot_of(s->merchant_id);
	if (i >= 0) {
		if (cache.shops[i]->version >= s->version)
			return; /* another request kept this version, or a newer one */
		drop(i);
	}
	if (s->bytes > CACHE_BYTES)
		return;
	for (;;) {
		int free_slot = -1, oldest = -1;
		for (int k = 0; k < CACHE_SHOPS; k++) {
			if (!cache.shops[k])
				free_slot = free_slot < 0 ? k : free_slot;
			else if (oldest < 0 ||
			         cache.shops[k]->last_used < cache.shops[oldest]->last_used)
				oldest = k;
		}
		if (free_slot >= 0 && cache.bytes + s->bytes <= CACHE_BYTES) {
			atomic_fetch_add(&s->refs, 1);
			s->last_used = ++cache.clock;
			cache.shops[free_slot] = s;
			cache.bytes += s->bytes;
			return;
		}
		drop(oldest);
	}
}

enum kaeru_err store_shop_get(struct db *db, int64_t merchant_id, uint64_t version,
                              struct shop **out)
{
	pthread_mutex_lock(&cache.lock);
	int i = slot_of(merchant_id);
	if (i >= 0 && cache.shops[i]->version == version) {
		struct shop *s = cache.shops[i];
		atomic_fetch_add(&s->refs, 1);
		s->last_used = ++cache.clock;
		pthread_mutex_unlock(&cache.lock);
		*out = s;
		return KAERU_OK;
	}
	pthread_mutex_unlock(&cache.lock);
	/* Loaded outside the lock: the rows are read after the version was, so they are at least
	 * as new as it; a change made meanwhile bumped the version and is loaded next time. */
	struct shop *s;
	enum kaeru_err e = shop_load(db, merchant_id, version, &s);
	if (e != KAERU_OK)
		return e;
	pthread_mutex_lock(&cache.lock);
	keep_shop(s);
	pthread_mutex_unlock(&cache.lock);
	*out = s;
	return KAERU_OK;
}

/* ---- reading a snapshot ---- */

/* Whether needle occurs in hay, ASCII letters in any case (other bytes, Japanese included,
 * exactly). */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static bool matches(const struct listing *l, const struct shop_query *q)
{
	return (!q->grade || strcmp(l->grade, q->grade) == 0) &&
	       (!q->variant || strcmp(l->variant, q->variant) == 0) &&
	       (!q->category || strcmp(l->category, q->category) == 0) &&
	       (!q->q || contains(l->title, q->q));
}

size_t shop_find(const struct shop *s, const struct shop_query *q, const struct listing **page,
                 int64_t *total)
{
	size_t got = 0;
	int64_t seen = 0, end = q->limit > 0 ? q->offset + q->limit : INT64_MAX;
	for (size_t k = 0; k < s->n; k++) {
		size_t i = q->sort == SHOP_NEWEST  ? k
		           : q->sort == SHOP_PRICE ? s->by_price[k]
		                                   : s->by_price[s->n - 1 - k];
		const struct listing *l = &s->items[i];
		if (!matches(l, q))
			continue;
		if (seen >= q->offset && seen < end)
			page[got++] = l;
		seen++;
	}
	*total = seen;
	return got;
}

size_t shop_size(const struct shop *s)
{
	return s->n;
}

const struct facet *shop_facets(const struct shop *s, enum facet_kind kind, size_t *n)
{
	*n = s->n_facets[kind];
	return s->facets[kind];
}
