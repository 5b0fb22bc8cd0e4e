/* The public shop's catalogue in memory (see shop.h). Whatever changes what a shop shows (a
 * listing published, sold, held, edited, withdrawn; its item's photos) bumps shop_versions and
 * stamps the listing with the new version in the same transaction (store_shop_changed); a
 * request reads the version with the merchant and uses the snapshot of that version, building
 * it once when it is new: from the snapshot before it and the listings stamped since, when
 * that one is kept and little changed, else from every published listing. A snapshot is
 * immutable and reference-counted: a request keeps the one it got even when a newer one
 * replaces it in the cache. */
#include "fcgi/shop.h"
#include "db/media.h"
#include "fcgi/render.h"
#include "fcgi/shop_merge.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Shops kept, and the memory they may take together; a shop larger than that is still served,
 * loaded for each request, just not kept. */
#define CACHE_SHOPS 64
#define CACHE_BYTES (24u << 20)

const char *const shop_sort_names[SHOP_SORT__MAX] = {
    [SHOP_NEWEST] = "newest",
    [SHOP_PRICE] = "price",
    [SHOP_PRICE_DESC] = "-price",
};

enum facet_kind { FACET_GRADE, FACET_VARIANT, FACET_CATEGORY, FACET__MAX };

/* The items of one facet value: [start, start + count) of newest_of and price_of. */
struct posting {
	const char *value;
	uint32_t start, count;
};

/* A query's matches, in its order (see struct shop); key 0: a free entry. */
#define MEMO_MAX     16
#define MEMO_KEY_MAX 2048
struct memo {
	char *key;
	uint32_t *found;
	size_t n;
	uint64_t used;
};

struct shop {
	int64_t merchant_id;
	uint64_t version;
	atomic_int refs;
	uint64_t last_used; /* the cache's clock, under its lock */
	size_t bytes;
	struct arena arena;    /* every string and array below */
	struct listing *items; /* newest first: published_at, then id, descending */
	const char **folded;   /* each item's title with ASCII letters in lower case */
	size_t n;
	uint32_t *by_price; /* indexes into items: price, then id, ascending */
	const char **json;  /* each item as the API shows it */
	size_t *json_len;
	const char *facets_json;
	size_t facets_len;
	int64_t sold; /* listings sold from the shop, as of this version */
	/* Each facet's values in byte order, and the items of each value, newest first and by
	 * price: a page filtered by one value is read off its run, whatever the shop's size. */
	struct posting *postings[FACET__MAX];
	size_t n_postings[FACET__MAX];
	uint32_t *newest_of[FACET__MAX], *price_of[FACET__MAX];
	/* The last queries that needed a scan (a title search, two facets), with their matches:
	 * the pages after the first, and the same page asked again, are read off the list. At most
	 * MEMO_MAX lists of at most n indexes each, outside the cache's count of bytes. */
	pthread_mutex_t memo_lock;
	struct memo memo[MEMO_MAX];
	uint64_t memo_clock;
};

static const char *const facet_names[FACET__MAX] = {"grades", "variants", "categories"};

/* ---- building a snapshot ---- */

static const char *keep_n(struct shop *s, const char *text, size_t n)
{
	s->bytes += n + 1;
	return arena_strndup(&s->arena, text, n);
}

static const char *keep(struct shop *s, const char *text)
{
	return keep_n(s, text, strlen(text));
}

/* j as compact JSON text, kept in the snapshot (j released). */
static const char *keep_json(struct shop *s, json_t *j, size_t *len)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text) { /* a defect in what kaeru built: this entry shows empty, the shop serves on */
		fprintf(stderr, "kaeru-fcgi: cannot render a shop listing's JSON\n");
		*len = 2;
		return keep_n(s, "{}", 2);
	}
	*len = strlen(text);
	const char *kept = keep_n(s, text, *len);
	free(text);
	return kept;
}

/* A copy of n photos in the snapshot's arena. */
static const struct photo *keep_photos(struct shop *s, const struct photo *ps, size_t n)
{
	if (n == 0)
		return NULL;
	struct photo *out = arena_alloc(&s->arena, sizeof(*out) * n);
	for (size_t i = 0; i < n; i++) {
		out[i] = ps[i];
		out[i].hash = keep(s, ps[i].hash);
		out[i].source = keep(s, ps[i].source);
		s->bytes += sizeof(*out);
	}
	return out;
}

/* c, an ASCII capital in lower case; any other byte (UTF-8 included) as it is. */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* text with ASCII letters in lower case, kept in the snapshot. */
static const char *fold(struct shop *s, const char *text)
{
	char *f = (char *)keep(s, text);
	for (char *c = f; *c; c++)
		*c = lower(*c);
	return f;
}

/* An empty snapshot of n items (their arrays made, nothing in them). */
static struct shop *shop_new(int64_t merchant_id, uint64_t version, int64_t sold, size_t n)
{
	struct shop *s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->memo_lock, NULL);
	s->merchant_id = merchant_id;
	s->version = version;
	s->sold = sold;
	atomic_init(&s->refs, 1);
	s->n = n;
	s->bytes = sizeof(*s) + (sizeof(*s->items) + sizeof(*s->folded) + sizeof(*s->by_price) +
	                         sizeof(*s->json) + sizeof(*s->json_len)) *
	                            (n + 1);
	s->items =
	    arena_alloc(&s->arena, sizeof(*s->items) * (n + 1)); /* each item assigned whole */
	s->folded = arena_alloc(&s->arena, sizeof(*s->folded) * (n + 1));
	s->by_price = arena_alloc(&s->arena, sizeof(*s->by_price) * (n + 1));
	s->json = arena_alloc(&s->arena, sizeof(*s->json) * (n + 1));
	s->json_len = arena_alloc(&s->arena, sizeof(*s->json_len) * (n + 1));
	return s;
}

/* Item i of s: the shopper's columns of r, copied into the snapshot. */
static struct listing *keep_listing(struct shop *s, size_t i, const struct listing *r)
{
	struct listing *l = &s->items[i];
	*l = (struct listing){
	    .id = r->id,
	    .merchant_id = s->merchant_id,
	    .status = LISTING_PUBLISHED,
	    .title = keep(s, r->title),
	    .variant = keep(s, r->variant),
	    .product_id = keep(s, r->product_id),
	    .category = keep(s, r->category),
	    .grade = keep(s, r->grade),
	    .condition_note = keep(s, r->condition_note),
	    .currency = keep(s, r->currency),
	    .original_price = r->original_price,
	    .price = r->price,
	    .published_at = keep(s, r->published_at),
	    .held_until = r->held_until ? keep(s, r->held_until) : NULL,
	    .photos = keep_photos(s, r->photos, r->n_photos),
	    .n_photos = r->n_photos,
	};
	return l;
}

/* Item i of s: a row read from the database, its title folded and its JSON rendered. */
static void item_read(struct shop *s, size_t i, const struct listing *r)
{
	const struct listing *l = keep_listing(s, i, r);
	s->folded[i] = fold(s, l->title);
	s->json[i] = keep_json(s, render_shop_listing(l), &s->json_len[i]);
}

/* Item i of s: item oi of the snapshot o before it, copied with its folded title and its JSON
 * as they are — unless its hold ended by now (the database's time, as a full read would judge
 * it), when it is kept without and rendered again. */
static void item_copy(struct shop *s, size_t i, const struct shop *o, size_t oi, const char *now)
{
	struct listing *l = keep_listing(s, i, &o->items[oi]);
	s->folded[i] = keep_n(s, o->folded[oi], strlen(o->folded[oi]));
	if (l->held_until && strcmp(l->held_until, now) <= 0) {
		l->held_until = NULL;
		s->json[i] = keep_json(s, render_shop_listing(l), &s->json_len[i]);
		return;
	}
	s->json_len[i] = o->json_len[oi];
	s->json[i] = keep_n(s, o->json[oi], o->json_len[oi]);
}

/* The shop's orders on listings: newest first (published_at, then id, descending; published_at
 * is RFC 3339 in UTC, whose text sorts as its time), and by price (price, then id, ascending).
 * Both total, as ids are unique: merging two runs gives what sorting them together would. */
static int newest_first(const struct listing *x, const struct listing *y)
{
	int c = strcmp(y->published_at, x->published_at);
	if (c)
		return c;
	return y->id < x->id ? -1 : y->id > x->id;
}

static int cheapest_first(const struct listing *x, const struct listing *y)
{
	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* by price, of indexes into items (arg) */
static int price_order(uint32_t x, uint32_t y, const void *items)
{
	return cheapest_first(&((const struct listing *)items)[x],
	                      &((const struct listing *)items)[y]);
}

static int price_sort(const void *a, const void *b, void *items)
{
	return price_order(*(const uint32_t *)a, *(const uint32_t *)b, items);
}

/* newest first, of indexes into rows */
static int rows_newest_sort(const void *a, const void *b, void *rows)
{
	return newest_first(&((const struct listing *)rows)[*(const uint32_t *)a],
	                    &((const struct listing *)rows)[*(const uint32_t *)b]);
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

struct facet_order {
	const struct listing *items;
	enum facet_kind kind;
};

/* by the value of a facet, of indexes into items */
static int value_sort(const void *a, const void *b, void *arg)
{
	const struct facet_order *o = arg;
	return strcmp(facet_value(&o->items[*(const uint32_t *)a], o->kind),
	              facet_value(&o->items[*(const uint32_t *)b], o->kind));
}

/* The items of each value of kind, in both orders (s->newest_of, s->price_of, s->postings),
 * from each item's value vid[i], numbered in byte order (n_values of them; a value no item has
 * left out). Grouped in O(n): the orders within each value are the shop's own. */
static void index_facet(struct shop *s, struct arena *tmp, enum facet_kind kind,
                        const uint32_t *vid, size_t n_values)
{
	size_t n = s->n;
	uint32_t *newest = arena_alloc(&s->arena, sizeof(*newest) * (n + 1));
	uint32_t *price = arena_alloc(&s->arena, sizeof(*price) * (n + 1));
	uint32_t *start = arena_alloc(tmp, sizeof(*start) * (n_values + 1));
	uint32_t *count = arena_alloc(tmp, sizeof(*count) * (n_values + 1));
	shop_group(s->by_price, n, vid, n_values, start, count, price);
	shop_group(NULL, n, vid, n_values, start, count, newest);
	size_t runs = 0;
	for (size_t v = 0; v < n_values; v++)
		runs += count[v] != 0;
	struct posting *p = arena_alloc(&s->arena, sizeof(*p) * (runs + 1));
	size_t k = 0;
	for (size_t v = 0; v < n_values; v++)
		if (count[v])
			p[k++] = (struct posting){facet_value(&s->items[newest[start[v]]], kind),
			                          start[v], count[v]};
	s->newest_of[kind] = newest;
	s->price_of[kind] = price;
	s->postings[kind] = p;
	s->n_postings[kind] = runs;
	s->bytes += (2 * sizeof(*newest) + sizeof(*p)) * (n + 1);
}

/* Each item's value of kind numbered in byte order (vid), by sorting: how many values. */
static size_t values_sorted(const struct shop *s, struct arena *tmp, enum facet_kind kind,
                            uint32_t *vid)
{
	uint32_t *by_value = arena_alloc(tmp, sizeof(*by_value) * (s->n + 1));
	for (size_t i = 0; i < s->n; i++)
		by_value[i] = (uint32_t)i;
	struct facet_order o = {s->items, kind};
	qsort_r(by_value, s->n, sizeof(*by_value), value_sort, &o);
	size_t n_values = 0;
	for (size_t k = 0; k < s->n; k++) {
		if (k == 0 || value_sort(&by_value[k], &by_value[k - 1], &o) != 0)
			n_values++;
		vid[by_value[k]] = (uint32_t)(n_values - 1);
	}
	return n_values;
}

/* {value, count} of each value of a column over the whole shop, by value (byte order, as the
 * columns' utf8mb4_bin collation sorts); empty variants and categories are left out. */
static json_t *facet(const struct shop *s, enum facet_kind kind)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n_postings[kind]; i++) {
		const struct posting *p = &s->postings[kind][i];
		if (*p->value || kind == FACET_GRADE)
			json_array_append_new(a, json_pack("{s:s, s:I}", "value", p->value, "count",
			                                   (json_int_t)p->count));
	}
	return a;
}

static void keep_facets_json(struct shop *s)
{
	json_t *facets = json_object();
	for (int k = 0; k < FACET__MAX; k++)
		json_object_set_new(facets, facet_names[k], facet(s, (enum facet_kind)k));
	s->facets_json = keep_json(s, facets, &s->facets_len);
}

/* The version a snapshot read in one statement at `read` may be labelled with, for a request
 * that read `asked` before it: the lower. Normally asked (the rows, read after it, are at least
 * as new; a label no newer than the request asked keeps the rule of shop_get). Lower only when
 * the statement ran on a database node behind the one that answered the version (a connection
 * that moved to another Galera node in between): then the snapshot is exactly as new as `read`,
 * and the next request reads what it lacks. */
static uint64_t label(uint64_t asked, uint64_t read)
{
	return read < asked ? read : asked;
}

/* The whole shop, read from the database: every published listing, each rendered. */
static enum kaeru_err shop_read(struct db *db, int64_t merchant_id, uint64_t version,
                                struct shop **out)
{
	struct shop_rows d;
	enum kaeru_err e = store_shop_published(db, merchant_id, &d);
	if (e != KAERU_OK)
		return e;
	struct shop *s = shop_new(merchant_id, label(version, d.version), d.sold, d.n);
	uint32_t *newest = arena_alloc(db->arena, sizeof(*newest) * (d.n + 1));
	for (size_t i = 0; i < d.n; i++)
		newest[i] = (uint32_t)i;
	qsort_r(newest, d.n, sizeof(*newest), rows_newest_sort, d.rows);
	for (size_t i = 0; i < d.n; i++) {
		item_read(s, i, &d.rows[newest[i]]);
		s->by_price[i] = (uint32_t)i;
	}
	qsort_r(s->by_price, s->n, sizeof(*s->by_price), price_sort, s->items);
	uint32_t *vid = arena_alloc(db->arena, sizeof(*vid) * (s->n + 1));
	for (int k = 0; k < FACET__MAX; k++)
		index_facet(s, db->arena, (enum facet_kind)k, vid,
		            values_sorted(s, db->arena, (enum facet_kind)k, vid));
	keep_facets_json(s);
	*out = s;
	return KAERU_OK;
}

/* An entry of the merge of a snapshot's items with the rows read after it: an index of the old
 * snapshot's items, or ADDED | the index of a row. */
#define ADDED (UINT32_C(1) << 31)
struct sources {
	const struct shop *o;
	const struct listing *rows;
};

static const struct listing *source(const struct sources *m, uint32_t x)
{
	return x & ADDED ? &m->rows[x & ~ADDED] : &m->o->items[x];
}

static int newest_order(uint32_t x, uint32_t y, const void *m)
{
	return newest_first(source(m, x), source(m, y));
}

static int newest_sort(const void *a, const void *b, void *m)
{
	return newest_order(*(const uint32_t *)a, *(const uint32_t *)b, m);
}

/* Each item's value of kind numbered in byte order (vid; how many values returned), from the
 * snapshot o before s, whose postings list its values in byte order, and each item's source
 * (src[i]: an item of o, or ADDED): o's values merged with those of the n_added items added
 * (added[], indexes into s), sorted here. O(n + a log a) for a added. */
static size_t values_merged(const struct shop *s, const struct shop *o, struct arena *tmp,
                            enum facet_kind kind, const uint32_t *src, uint32_t *added,
                            size_t n_added, uint32_t *vid)
{
	const struct posting *op = o->postings[kind];
	size_t n_old = o->n_postings[kind];
	uint32_t *old_vid = arena_alloc(tmp, sizeof(*old_vid) * (o->n + 1));
	for (size_t p = 0; p < n_old; p++)
		for (size_t k = 0; k < op[p].count; k++)
			old_vid[o->newest_of[kind][op[p].start + k]] = (uint32_t)p;
	struct facet_order order = {s->items, kind};
	qsort_r(added, n_added, sizeof(*added), value_sort, &order);
	uint32_t *old_to_new = arena_alloc(tmp, sizeof(*old_to_new) * (n_old + 1));
	size_t n_values = 0, p = 0, q = 0;
	const char *last = NULL;
	while (p < n_old || q < n_added) {
		const char *v_old = p < n_old ? op[p].value : NULL;
		const char *v_add = q < n_added ? facet_value(&s->items[added[q]], kind) : NULL;
		bool old_first = !v_add || (v_old && strcmp(v_old, v_add) <= 0);
		const char *v = old_first ? v_old : v_add;
		if (!last || strcmp(last, v) != 0)
			n_values++;
		last = v;
		if (old_first)
			old_to_new[p++] = (uint32_t)(n_values - 1);
		else
			vid[added[q++]] = (uint32_t)(n_values - 1);
	}
	for (size_t i = 0; i < s->n; i++)
		if (!(src[i] & ADDED))
			vid[i] = old_to_new[old_vid[src[i]]];
	return n_values;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* A snapshot is built from the one before while the listings changed since are at most this
 * share of it (plus a few, for small shops); past that the shop is read whole. A delta renders
 * each changed listing and reads it through the stamp index and then its row, where a whole
 * read walks one index in order; with a quarter changed, those and the copying of the rest cost
 * about what reading everything does, and more changed would only cost more. The bound is also
 * the most rows a delta's statement reads (LIMIT). */
#define DELTA_SHARE 4
#define DELTA_MIN   16

/* The shop of o's merchant at version, built from o and the listings stamped after o->version:
 * o's items copied (their texts and JSON, no rendering, no database), those changed taken out,
 * those published now merged in — newest first and by price, both merges of sorted runs —
 * and each facet's postings grouped again in O(n). *out NULL when too much changed (or the
 * database answered as of a version before o's): then the caller reads the whole shop. */
static enum kaeru_err shop_delta(struct db *db, const struct shop *o, uint64_t version,
                                 struct shop **out, size_t *changed)
{
	*out = NULL;
	size_t limit = o->n / DELTA_SHARE + DELTA_MIN;
	struct shop_rows d;
	enum kaeru_err e = store_shop_changes(db, o->merchant_id, o->version, limit, &d);
	if (e != KAERU_OK || d.n > limit || d.version < o->version)
		return e;
	*changed = d.n;
	struct arena *tmp = db->arena;
	int64_t *changed_ids = arena_alloc(tmp, sizeof(*changed_ids) * (d.n + 1));
	uint32_t *rows = arena_alloc(tmp, sizeof(*rows) * (d.n + 1));
	size_t n_rows = 0;
	for (size_t j = 0; j < d.n; j++) {
		changed_ids[j] = d.rows[j].id;
		if (d.rows[j].status == LISTING_PUBLISHED)
			rows[n_rows++] = ADDED | (uint32_t)j;
	}
	qsort(changed_ids, d.n, sizeof(*changed_ids), id_cmp);
	/* o's items in its order, but those changed; each one's place in s (UINT32_MAX: out). */
	uint32_t *kept = arena_alloc(tmp, sizeof(*kept) * (o->n + 1));
	uint32_t *old_to_new = arena_alloc(tmp, sizeof(*old_to_new) * (o->n + 1));
	size_t n_kept = 0;
	for (size_t i = 0; i < o->n; i++) {
		old_to_new[i] = UINT32_MAX;
		if (!bsearch(&o->items[i].id, changed_ids, d.n, sizeof(*changed_ids), id_cmp))
			kept[n_kept++] = (uint32_t)i;
	}
	struct sources m = {o, d.rows};
	qsort_r(rows, n_rows, sizeof(*rows), newest_sort, &m);
	struct shop *s =
	    shop_new(o->merchant_id, label(version, d.version), d.sold, n_kept + n_rows);
	uint32_t *src = arena_alloc(tmp, sizeof(*src) * (s->n + 1));
	shop_merge(kept, n_kept, rows, n_rows, newest_order, &m, src);
	uint32_t *added = arena_alloc(tmp, sizeof(*added) * (n_rows + 1));
	size_t n_added = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (src[i] & ADDED) {
			item_read(s, i, &d.rows[src[i] & ~ADDED]);
			added[n_added++] = (uint32_t)i;
		} else {
			item_copy(s, i, o, src[i], d.now);
			old_to_new[src[i]] = (uint32_t)i;
		}
	}
	/* By price: o's order without the items taken out, merged with the added ones sorted. */
	uint32_t *old_by_price = kept; /* done with kept: as many entries again */
	for (size_t k = 0, at = 0; k < o->n; k++)
		if (old_to_new[o->by_price[k]] != UINT32_MAX)
			old_by_price[at++] = old_to_new[o->by_price[k]];
	qsort_r(added, n_added, sizeof(*added), price_sort, s->items);
	shop_merge(old_by_price, n_kept, added, n_added, price_order, s->items, s->by_price);
	uint32_t *vid = arena_alloc(tmp, sizeof(*vid) * (s->n + 1));
	for (int k = 0; k < FACET__MAX; k++)
		index_facet(s, tmp, (enum facet_kind)k, vid,
		            values_merged(s, o, tmp, (enum facet_kind)k, src, added, n_added, vid));
	keep_facets_json(s);
	*out = s;
	return KAERU_OK;
}

void shop_release(struct shop *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		for (size_t i = 0; i < MEMO_MAX; i++) {
			free(s->memo[i].key);
			free(s->memo[i].found);
		}
		pthread_mutex_destroy(&s->memo_lock);
		arena_free(&s->arena);
		free(s);
	}
}

/* ---- the cache ---- */

/* Shops being loaded, so that concurrent requests for a new version wait for one load instead
 * of each loading the same rows. */
#define LOADS_MAX 16
struct load {
	int64_t merchant_id; /* 0: a free entry */
	uint64_t version;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t loaded; /* a load ended */
	struct shop *shops[CACHE_SHOPS];
	struct load loads[LOADS_MAX];
	size_t bytes;
	uint64_t clock;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER, .loaded = PTHREAD_COND_INITIALIZER};

/* Snapshots built, [0] whole and [1] from the one before, and the microseconds they took. */
static struct {
	atomic_ullong count, us;
} builds[2];
static atomic_ullong last_build_us;

void shop_counters(struct shop_counters *c)
{
	*c = (struct shop_counters){
	    .full = atomic_load(&builds[0].count),
	    .full_us = atomic_load(&builds[0].us),
	    .delta = atomic_load(&builds[1].count),
	    .delta_us = atomic_load(&builds[1].us),
	    .last_us = atomic_load(&last_build_us),
	};
}

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
	shop_release(cache.shops[i]);
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

/* The kept snapshot of merchant_id at version or newer (a newer one shows changes made after
 * the version was read, which is as good), with a reference taken; or NULL. Under the lock. */
static struct shop *kept(int64_t merchant_id, uint64_t version)
{
	int i = slot_of(merchant_id);
	if (i < 0 || cache.shops[i]->version < version)
		return NULL;
	struct shop *s = cache.shops[i];
	atomic_fetch_add(&s->refs, 1);
	s->last_used = ++cache.clock;
	return s;
}

/* The entry of a load of merchant_id at version or newer, or -1. Under the lock. */
static int loading(int64_t merchant_id, uint64_t version)
{
	for (int i = 0; i < LOADS_MAX; i++)
		if (cache.loads[i].merchant_id == merchant_id && cache.loads[i].version >= version)
			return i;
	return -1;
}

/* Builds the shop of merchant_id at version: from the snapshot before it when there is one and
 * little changed since (shop_delta), else whole (shop_read); counted, timed and logged. */
static enum kaeru_err shop_build(struct db *db, int64_t merchant_id, uint64_t version,
                                 const struct shop *before, struct shop **out)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t changed = 0;
	*out = NULL;
	enum kaeru_err e = before ? shop_delta(db, before, version, out, &changed) : KAERU_OK;
	bool delta = *out != NULL;
	if (e == KAERU_OK && !delta)
		e = shop_read(db, merchant_id, version, out);
	if (e != KAERU_OK)
		return e;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	uint64_t us = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000u +
	              (uint64_t)((t1.tv_nsec - t0.tv_nsec) / 1000);
	atomic_fetch_add(&builds[delta].count, 1);
	atomic_fetch_add(&builds[delta].us, us);
	atomic_store(&last_build_us, us);
	struct shop *s = *out;
	if (delta)
		fprintf(stderr,
		        "kaeru-fcgi: shop of merchant %lld at version %llu: delta of %zu changed "
		        "since version %llu, %zu listings, %zu KB, %.1f ms\n",
		        (long long)merchant_id, (unsigned long long)s->version, changed,
		        (unsigned long long)before->version, s->n, s->bytes / 1024,
		        (double)us / 1e3);
	else
		fprintf(
		    stderr,
		    "kaeru-fcgi: shop of merchant %lld at version %llu: full read, %zu listings, "
		    "%zu KB, %.1f ms\n",
		    (long long)merchant_id, (unsigned long long)s->version, s->n, s->bytes / 1024,
		    (double)us / 1e3);
	return KAERU_OK;
}

enum kaeru_err shop_get(struct db *db, int64_t merchant_id, uint64_t version, struct shop **out)
{
	pthread_mutex_lock(&cache.lock);
	struct shop *s;
	while (!(s = kept(merchant_id, version)) && loading(merchant_id, version) >= 0)
		pthread_cond_wait(&cache.loaded, &cache.lock);
	if (s) {
		pthread_mutex_unlock(&cache.lock);
		*out = s;
		return KAERU_OK;
	}
	/* The older snapshot kept, if any, to build from: held by a reference of ours, as the
	 * cache may drop it meanwhile (and requests reading it keep theirs). */
	int i = slot_of(merchant_id);
	struct shop *before = i >= 0 ? cache.shops[i] : NULL;
	if (before)
		atomic_fetch_add(&before->refs, 1);
	int mine = loading(0, 0); /* a free entry; with none, load without telling others */
	if (mine >= 0)
		cache.loads[mine] = (struct load){merchant_id, version};
	pthread_mutex_unlock(&cache.lock);
	/* Built outside the lock. Whole, the rows are read after the version was, so they are at
	 * least as new as it; a change made meanwhile bumped the version and is read next time.
	 * From the snapshot before, of version b: every change that made version b + 1 … version
	 * stamped the listings it changed with its own version, in its own transaction, before it
	 * committed; so the rows stamped after b, read after the version was, hold each listing
	 * changed since b as it is now (or newer), and every other listing is as b's snapshot has
	 * it (that snapshot is at least as new as b). On a Galera cluster the version and the rows
	 * are read on one node, after the request's causality wait (db_sync_next): a change
	 * committed on another node is applied here whole (its version and its stamps) or not at
	 * all, in the cluster's one order of commits, and versions are taken one at a time (two
	 * nodes bumping at once conflict at certification; one runs again). So a change of version
	 * v ≤ version is here and stamped v > b; one committed after the version was read may be
	 * here too, and is read again next time, being stamped after this snapshot's version.
	 * shop_delta labels the snapshot no newer than the version read in the statement that read
	 * the rows, so a connection moved to a node behind this one cannot label it newer than it
	 * is (see label()). */
	enum kaeru_err e = shop_build(db, merchant_id, version, before, &s);
	shop_release(before);
	pthread_mutex_lock(&cache.lock);
	if (e == KAERU_OK)
		keep_shop(s);
	if (mine >= 0) {
		cache.loads[mine].merchant_id = 0;
		pthread_cond_broadcast(&cache.loaded);
	}
	pthread_mutex_unlock(&cache.lock);
	*out = e == KAERU_OK ? s : NULL;
	return e;
}

/* ---- reading a snapshot ---- */

/* Titles hold at most 255 characters (1,020 bytes): a longer search matches nothing. */
#define SEARCH_MAX 1024

static bool matches(const struct listing *l, const char *title_folded, const struct shop_query *q,
                    const char *q_folded)
{
	return (!q->grade || strcmp(l->grade, q->grade) == 0) &&
	       (!q->variant || strcmp(l->variant, q->variant) == 0) &&
	       (!q->category || strcmp(l->category, q->category) == 0) &&
	       (!q_folded || strstr(title_folded, q_folded));
}

/* The items a query walks, in its order: all of them, or one facet value's run. */
struct walk {
	const uint32_t *idx; /* NULL: the items themselves, newest first */
	size_t n;
	bool reverse;
};

static uint32_t walk_at(const struct walk *w, size_t k)
{
	size_t at = w->reverse ? w->n - 1 - k : k;
	return w->idx ? w->idx[at] : (uint32_t)at;
}

/* The run of value among kind's postings, or NULL. */
static const struct posting *posting_of(const struct shop *s, enum facet_kind kind,
                                        const char *value)
{
	size_t lo = 0, hi = s->n_postings[kind];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(value, s->postings[kind][mid].value);
		if (c == 0)
			return &s->postings[kind][mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* What q walks: the shortest run of the facet values it asks for, or every item; *to_check
 * how many of its conditions that leaves to check (0: every item walked matches). */
static struct walk walk_of(const struct shop *s, const struct shop_query *q, int *to_check)
{
	const char *want[FACET__MAX] = {q->grade, q->variant, q->category};
	struct walk w = {NULL, s->n, q->sort == SHOP_PRICE_DESC};
	if (q->sort != SHOP_NEWEST)
		w.idx = s->by_price;
	int conditions = q->q != NULL, best = -1;
	const struct posting *best_p = NULL;
	for (int k = 0; k < FACET__MAX; k++) {
		if (!want[k])
			continue;
		conditions++;
		const struct posting *p = posting_of(s, (enum facet_kind)k, want[k]);
		if (!p) {
			w.n = 0;
			*to_check = 0;
			return w;
		}
		if (!best_p || p->count < best_p->count)
			best_p = p, best = k;
	}
	if (best_p) {
		w.idx = (q->sort == SHOP_NEWEST ? s->newest_of[best] : s->price_of[best]) +
		        best_p->start;
		w.n = best_p->count;
		conditions--;
	}
	*to_check = conditions;
	return w;
}

/* The key of q in the memo, or NULL when too long to keep. */
static char *memo_key(const struct shop_query *q, const char *q_folded)
{
	const char *parts[] = {q->grade, q->variant, q->category, q_folded};
	size_t len = 2;
	for (size_t i = 0; i < 4; i++)
		len += (parts[i] ? strlen(parts[i]) : 0) + 2;
	if (len > MEMO_KEY_MAX)
		return NULL;
	char *key = xmalloc(len + 1), *at = key;
	*at++ = (char)('0' + q->sort);
	for (size_t i = 0; i < 4; i++) {
		*at++ = '\x1f';
		*at++ = parts[i] ? '=' : '-';
		if (parts[i])
			at = stpcpy(at, parts[i]);
	}
	*at = '\0';
	return key;
}

/* Copies [offset, offset + limit) of the n matches (found, or the walk itself) to page. */
static size_t page_of(const struct shop_query *q, const uint32_t *found, const struct walk *w,
                      size_t n, size_t *page)
{
	size_t from = (size_t)q->offset, end = n, got = 0;
	if (from >= n)
		return 0;
	if (q->limit > 0 && (size_t)q->limit < n - from)
		end = from + (size_t)q->limit;
	for (size_t k = from; k < end; k++)
		page[got++] = found ? found[k] : walk_at(w, k);
	return got;
}

size_t shop_find(struct shop *s, const struct shop_query *q, size_t *page, int64_t *total)
{
	char q_folded[SEARCH_MAX + 1];
	if (q->q) {
		size_t len = strlen(q->q);
		if (len > SEARCH_MAX) {
			*total = 0;
			return 0;
		}
		for (size_t i = 0; i <= len; i++)
			q_folded[i] = lower(q->q[i]);
	}
	int to_check;
	struct walk w = walk_of(s, q, &to_check);
	if (to_check == 0) { /* the walk is the answer: read the page off it */
		*total = (int64_t)w.n;
		return page_of(q, NULL, &w, w.n, page);
	}
	char *key = memo_key(q, q->q ? q_folded : NULL);
	if (key) {
		pthread_mutex_lock(&s->memo_lock);
		for (size_t i = 0; i < MEMO_MAX; i++) {
			struct memo *m = &s->memo[i];
			if (m->key && strcmp(m->key, key) == 0) {
				m->used = ++s->memo_clock;
				*total = (int64_t)m->n;
				size_t got = page_of(q, m->found, &w, m->n, page);
				pthread_mutex_unlock(&s->memo_lock);
				free(key);
				return got;
			}
		}
		pthread_mutex_unlock(&s->memo_lock);
	}
	uint32_t *found = xmalloc(sizeof(*found) * (w.n + 1));
	size_t n = 0;
	for (size_t k = 0; k < w.n; k++) {
		uint32_t i = walk_at(&w, k);
		if (matches(&s->items[i], s->folded[i], q, q->q ? q_folded : NULL))
			found[n++] = i;
	}
	*total = (int64_t)n;
	size_t got = page_of(q, found, &w, n, page);
	if (!key) {
		free(found);
		return got;
	}
	pthread_mutex_lock(&s->memo_lock);
	struct memo *slot = &s->memo[0];
	for (size_t i = 1; i < MEMO_MAX && slot->key; i++)
		if (!s->memo[i].key || s->memo[i].used < slot->used)
			slot = &s->memo[i];
	free(slot->key);
	free(slot->found);
	*slot = (struct memo){key, found, n, ++s->memo_clock};
	pthread_mutex_unlock(&s->memo_lock);
	return got;
}

size_t shop_size(const struct shop *s)
{
	return s->n;
}

const struct listing *shop_item(const struct shop *s, size_t i)
{
	return &s->items[i];
}

const char *shop_item_json(const struct shop *s, size_t i, size_t *len)
{
	*len = s->json_len[i];
	return s->json[i];
}

const char *shop_facets_json(const struct shop *s, size_t *len)
{
	*len = s->facets_len;
	return s->facets_json;
}

int64_t shop_sold(const struct shop *s)
{
	return s->sold;
}
