/* The pure steps of the shop's snapshot built from the one before (fcgi/shop_merge.c): merging
 * two sorted runs gives what sorting them together gives (the older run first among ties), and
 * grouping by value keeps the order within each value, as tables and over random runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/shop_merge.h"

/* Entries are indexes into a table of keys; the order compares their keys. */
static int by_key(uint32_t x, uint32_t y, const void *keys)
{
	const int *k = keys;
	return k[x] < k[y] ? -1 : k[x] > k[y];
}

static void test_merge_table(void **state)
{
	(void)state;
	/* keys of entries 0..9 (a's) and 10..19 (b's) */
	static const int keys[20] = {1, 3, 3, 7, 9, 0, 0, 0, 0, 0, 2, 3, 8, 9, 10, 0, 0, 0, 0, 0};
	static const struct {
		uint32_t a[5];
		size_t na;
		uint32_t b[5];
		size_t nb;
		uint32_t want[10];
	} cases[] = {
	    {{0}, 0, {0}, 0, {0}},                                              /* nothing */
	    {{0, 1, 2}, 3, {0}, 0, {0, 1, 2}},                                  /* b empty */
	    {{0}, 0, {10, 11}, 2, {10, 11}},                                    /* a empty */
	    {{0, 1, 2, 3, 4}, 5, {10, 11, 12}, 3, {0, 10, 1, 2, 11, 3, 12, 4}}, /* ties: a first */
	    {{3, 4}, 2, {10, 11}, 2, {10, 11, 3, 4}},                           /* b all before */
	    {{0, 1}, 2, {12, 13, 14}, 3, {0, 1, 12, 13, 14}},                   /* b all after */
	    {{4}, 1, {13, 14}, 2, {4, 13, 14}}, /* one tie at the end */
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint32_t out[10] = {0};
		shop_merge(cases[c].a, cases[c].na, cases[c].b, cases[c].nb, by_key, keys, out);
		for (size_t k = 0; k < cases[c].na + cases[c].nb; k++)
			if (out[k] != cases[c].want[k])
				fail_msg("case %zu: entry %zu is %u, want %u", c, k, out[k],
				         cases[c].want[k]);
	}
}

static int *sort_keys; /* for qsort: the keys, entries tie-broken by which run they came from */
static int stable_by_key(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = by_key(x, y, sort_keys);
	return c ? c
	         : (x > y) - (x < y); /* a's entries are numbered before b's, each run in order */
}

static void test_merge_is_sort(void **state)
{
	(void)state;
	enum { MAX = 300 };
	static int keys[2 * MAX];
	static uint32_t a[MAX], b[MAX], out[2 * MAX], want[2 * MAX];
	srand(20261204);
	for (int round = 0; round < 500; round++) {
		size_t na = (size_t)rand() % MAX, nb = (size_t)rand() % MAX;
		int range = 1 + rand() % 50; /* small ranges: many ties */
		/* each run sorted: keys made ascending */
		int k = 0;
		for (size_t i = 0; i < na; i++) {
			k += rand() % range < range / 3 ? 0 : 1;
			keys[i] = k, a[i] = (uint32_t)i;
		}
		k = 0;
		for (size_t j = 0; j < nb; j++) {
			k += rand() % range < range / 3 ? 0 : 1;
			keys[MAX + j] = k, b[j] = (uint32_t)(MAX + j);
		}
		shop_merge(a, na, b, nb, by_key, keys, out);
		memcpy(want, a, na * sizeof(*a));
		memcpy(want + na, b, nb * sizeof(*b));
		sort_keys = keys;
		qsort(want, na + nb, sizeof(*want), stable_by_key);
		assert_memory_equal(out, want, (na + nb) * sizeof(*out));
	}
}

static void test_group_table(void **state)
{
	(void)state;
	/* items 0..7 with values; in: an order of them */
	static const uint32_t value_of[8] = {2, 0, 2, 1, 0, 2, 3, 0};
	static const uint32_t order[8] = {7, 6, 5, 4, 3, 2, 1, 0};
	uint32_t start[5], count[5], out[8];
	shop_group(NULL, 8, value_of, 5, start, count, out);
	static const uint32_t want_identity[8] = {1, 4, 7, 3, 0, 2, 5, 6};
	assert_memory_equal(out, want_identity, sizeof(out));
	static const uint32_t want_start[5] = {0, 3, 4, 7, 8}, want_count[5] = {3, 1, 3, 1, 0};
	assert_memory_equal(start, want_start, sizeof(start));
	assert_memory_equal(count, want_count, sizeof(count));
	shop_group(order, 8, value_of, 5, start, count, out);
	static const uint32_t want_ordered[8] = {7, 4, 1, 3, 5, 2, 0, 6};
	assert_memory_equal(out, want_ordered, sizeof(out));
	assert_memory_equal(start, want_start, sizeof(start));
	assert_memory_equal(count, want_count, sizeof(count));
	shop_group(NULL, 0, value_of, 5, start, count, out); /* no items: every run empty */
	for (size_t v = 0; v < 5; v++)
		assert_int_equal(count[v], 0);
}

static void test_group_keeps_order(void **state)
{
	(void)state;
	enum { N = 400, VALUES = 13 };
	static uint32_t value_of[N], in[N], out[N], start[VALUES], count[VALUES];
	srand(42);
	for (int round = 0; round < 200; round++) {
		size_t n = (size_t)rand() % N, n_values = 1 + (size_t)rand() % VALUES;
		for (size_t i = 0; i < n; i++) {
			value_of[i] = (uint32_t)((size_t)rand() % n_values);
			in[i] = (uint32_t)i;
		}
		for (size_t i = n; i > 1; i--) { /* a random order of the items */
			size_t j = (size_t)rand() % i;
			uint32_t t = in[i - 1];
			in[i - 1] = in[j], in[j] = t;
		}
		shop_group(in, n, value_of, n_values, start, count, out);
		/* value by value, in's entries of that value in in's order */
		size_t at = 0;
		for (size_t v = 0; v < n_values; v++) {
			assert_int_equal(start[v], at);
			for (size_t k = 0; k < n; k++)
				if (value_of[in[k]] == v)
					assert_int_equal(out[at++], in[k]);
			assert_int_equal(count[v], at - start[v]);
		}
		assert_int_equal(at, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_table),
	    cmocka_unit_test(test_merge_is_sort),
	    cmocka_unit_test(test_group_table),
	    cmocka_unit_test(test_group_keeps_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
