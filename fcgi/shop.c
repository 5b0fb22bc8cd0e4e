/* The public shop's catalogue in memory (see shop.h). Whatever changes what a shop shows (a
 * listing published or sold) bumps shop_versions in the same transaction; a request reads the
 * version with the merchant and uses the snapshot of that version, loading it once when it is
 * new. A snapshot is immutable and reference-counted: a request keeps the one it got even when
 * a newer one replaces it in the cache. */
#include "fcgi/shop.h"
#include "db/media.h"
#include "fcgi/render.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
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

/* c, an ASCII capital in lower case; any other byte (UTF-8 included) as it is. */
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

static int by_price(const void *a, const void *b, void *items)
{
	const struct listing *x = &((const struct listing *)items)[*(const uint32_t *)a];
	const struct listing *y = &((const struct listing *)items)[*(const uint32_t *)b];
	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
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
	const uint32_t *rank; /* NULL: by index (newest first); else each item's place by price */
};

static int by_facet(const void *a, const void *b, void *arg)
{
	const struct facet_order *o = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(facet_value(&o->items[x], o->kind), facet_value(&o->items[y], o->kind));
	if (c)
		return c;
	if (o->rank)
		x = o->rank[x], y = o->rank[y];
	return x < y ? -1 : x > y;
}

/* The items of each value of kind, in both orders (s->newest_of, s->price_of, s->postings). */
static void index_facet(struct shop *s, enum facet_kind kind, const uint32_t *rank)
{
	size_t n = s->n;
	uint32_t *newest = arena_alloc(&s->arena, sizeof(*newest) * (n + 1));
	uint32_t *price = arena_alloc(&s->arena, sizeof(*price) * (n + 1));
	for (size_t i = 0; i < n; i++)
		newest[i] = price[i] = (uint32_t)i;
	struct facet_order o = {s->items, kind, NULL};
	qsort_r(newest, n, sizeof(*newest), by_facet, &o);
	o.rank = rank;
	qsort_r(price, n, sizeof(*price), by_facet, &o);
	size_t runs = 0;
	for (size_t i = 0; i < n; i++)
		runs += i == 0 || strcmp(facet_value(&s->items[newest[i]], kind),
		                         facet_value(&s->items[newest[i - 1]], kind)) != 0;
	struct posting *p = arena_alloc(&s->arena, sizeof(*p) * (runs + 1));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = facet_value(&s->items[newest[i]], kind);
		if (k == 0 || strcmp(v, p[k - 1].value) != 0)
			p[k++] = (struct posting){v, (uint32_t)i, 0};
		p[k - 1].count++;
	}
	s->newest_of[kind] = newest;
	s->price_of[kind] = price;
	s->postings[kind] = p;
	s->n_postings[kind] = runs;
	s->bytes += (2 * sizeof(*newest) + sizeof(*p)) * (n + 1);
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

static enum kaeru_err shop_load(struct db *db, int64_t merchant_id, uint64_t version,
                                struct shop **out)
{
	struct listing *rows;
	size_t n;
	enum kaeru_err e = store_shop_published(db, merchant_id, &rows, &n);
	if (e != KAERU_OK)
		return e;
	int64_t sold = 0;
	if ((e = store_shop_sold(db, merchant_id, &sold)) != KAERU_OK)
		return e;
	struct shop *s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->memo_lock, NULL);
	s->sold = sold;
	s->merchant_id = merchant_id;
	s->version = version;
	atomic_init(&s->refs, 1);
	s->n = n;
	s->bytes = sizeof(*s) + (sizeof(*s->items) + sizeof(*s->folded) + sizeof(*s->by_price) +
	                         sizeof(*s->json) + sizeof(*s->json_len)) *
	                            (n + 1);
	s->items = arena_zalloc(&s->arena, sizeof(*s->items) * (n + 1));
	s->folded = arena_alloc(&s->arena, sizeof(*s->folded) * (n + 1));
	s->by_price = arena_alloc(&s->arena, sizeof(*s->by_price) * (n + 1));
	s->json = arena_alloc(&s->arena, sizeof(*s->json) * (n + 1));
	s->json_len = arena_alloc(&s->arena, sizeof(*s->json_len) * (n + 1));
	for (size_t i = 0; i < n; i++) {
		const struct listing *r = &rows[i];
		struct listing *l = &s->items[i];
		*l = (struct listing){
		    .id = r->id,
		    .merchant_id = merchant_id,
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
		s->folded[i] = fold(s, l->title);
		s->json[i] = keep_json(s, render_shop_listing(l), &s->json_len[i]);
		s->by_price[i] = (uint32_t)i;
	}
	qsort_r(s->by_price, n, sizeof(*s->by_price), by_price, s->items);
	uint32_t *rank = arena_alloc(db->arena, sizeof(*rank) * (n + 1));
	for (size_t k = 0; k < n; k++)
		rank[s->by_price[k]] = (uint32_t)k;
	json_t *facets = json_object();
	for (int k = 0; k < FACET__MAX; k++) {
		index_facet(s, (enum facet_kind)k, rank);
		json_object_set_new(facets, facet_names[k], facet(s, (enum facet_kind)k));
	}
	s->facets_json = keep_json(s, facets, &s->facets_len);
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
	int mine = loading(0, 0); /* a free entry; with none, load without telling others */
	if (mine >= 0)
		cache.loads[mine] = (struct load){merchant_id, version};
	pthread_mutex_unlock(&cache.lock);
	/* Loaded outside the lock: the rows are read after the version was, so they are at least
	 * as new as it; a change made meanwhile bumped the version and is loaded next time. */
	enum kaeru_err e = shop_load(db, merchant_id, version, &s);
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
