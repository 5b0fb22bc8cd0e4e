/* The pure steps of building a shop's snapshot from the one before it (fcgi/shop.c): merging
 * two runs sorted in one order, and grouping items by a value while keeping an order within
 * each group. Work in proportion to what they are given; no allocation. */
#ifndef KAERU_FCGI_SHOP_MERGE_H
#define KAERU_FCGI_SHOP_MERGE_H

#include <stddef.h>
#include <stdint.h>

/* An order on entries: < 0 when x goes before y, 0 when tied, > 0 after. */
typedef int (*shop_order_fn)(uint32_t x, uint32_t y, const void *arg);

/* Merges a (na entries) and b (nb), each sorted by order, into out (na + nb entries), sorted by
 * order; of tied entries, a's go first. */
void shop_merge(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, shop_order_fn order,
                const void *arg, uint32_t *out);

/* Groups the n entries of in (NULL: 0 .. n-1) by their value, value_of[entry] (each below
 * n_values; values in their own order), keeping in's order within each value: out gets the n
 * entries, value 0's first, and start[v], count[v] (n_values each) the place of value v's run
 * in out, a run of 0 for a value none has. In O(n + n_values). */
void shop_group(const uint32_t *in, size_t n, const uint32_t *value_of, size_t n_values,
                uint32_t *start, uint32_t *count, uint32_t *out);

#endif
