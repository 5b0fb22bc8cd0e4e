/* The public shop's catalogue: a merchant's published listings held in memory, one immutable
 * snapshot per version of the shop (see store_shop_changed), with each listing's JSON and the
 * facets rendered once, so browsing a shop reads one row and copies text; a new version is
 * built from the one before and what changed since, in time that grows with the change. */
#ifndef KAERU_FCGI_SHOP_H
#define KAERU_FCGI_SHOP_H

#include "db/store.h"

#include <stddef.h>
#include <stdint.h>

struct shop;

enum shop_sort { SHOP_NEWEST, SHOP_PRICE, SHOP_PRICE_DESC, SHOP_SORT__MAX };
extern const char *const shop_sort_names[SHOP_SORT__MAX];

struct shop_query {
	const char *grade, *variant, *category; /* NULL for any; else exactly */
	const char *q;                          /* NULL, or in the title (ASCII in any case) */
	enum shop_sort sort;
	int64_t offset, limit; /* limit 0: every match (the feed) */
};

/* The shop of merchant_id as of version (or newer), from memory or loaded once however many
 * requests want it at the same time. Safe from any thread; give it back with shop_release. */
enum kaeru_err shop_get(struct db *db, int64_t merchant_id, uint64_t version, struct shop **out);
void shop_release(struct shop *s);

/* How many listings were sold from the shop (a sale changes the version). */
int64_t shop_sold(const struct shop *s);
/* How many listings the shop has. */
size_t shop_size(const struct shop *s);
/* The listings matching q, in q's order: the indexes of those in [offset, offset + limit) go to
 * page (room for limit, or for shop_size() when limit is 0); returns how many, and *total how
 * many match in all. A page of one facet value, or of none, costs its own size; a query that
 * must look at each item (a title search, two facets) does so once, its matches kept for the
 * pages after. */
size_t shop_find(struct shop *s, const struct shop_query *q, size_t *page, int64_t *total);
const struct listing *shop_item(const struct shop *s, size_t i);
/* Listing i as the API shows it (render_shop_listing), as JSON text. */
const char *shop_item_json(const struct shop *s, size_t i, size_t *len);
/* {"grades":[…],"variants":[…],"categories":[…]}: {value, count} of the published listings by
 * value; empty variants and categories left out. */
const char *shop_facets_json(const struct shop *s, size_t *len);

/* What building snapshots cost this process since it started: how many were read whole and
 * how many built from the one before (a delta), the microseconds each kind took in all, and the
 * last one's. */
struct shop_counters {
	unsigned long long full, full_us, delta, delta_us, last_us;
};
void shop_counters(struct shop_counters *c);

#endif
