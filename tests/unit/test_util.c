/* util/: time parsing and formatting, arenas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/mem.h"
#include "util/timefmt.h"

static void test_rfc3339(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		int64_t want;
	} cases[] = {
	    {"1970-01-01T00:00:00Z", true, 0},
	    {"2026-11-03T09:00:00Z", true, 1793696400},
	    {"2026-11-03T18:00:00+09:00", true, 1793696400},
	    {"2026-11-03T04:00:00-05:00", true, 1793696400},
	    {"2026-11-03T09:00:00.123Z", true, 1793696400},
	    {"2024-02-29T00:00:00Z", true, 1709164800},
	    {"2026-11-03t09:00:00z", true, 1793696400},
	    {"2023-02-29T00:00:00Z", false, 0},
	    {"2026-13-01T00:00:00Z", false, 0},
	    {"2026-11-31T00:00:00Z", false, 0},
	    {"2026-11-03 09:00:00Z", false, 0},
	    {"2026-11-03T09:00:00", false, 0},
	    {"2026-11-03T25:00:00Z", false, 0},
	    {"2026-11-03T09:00:00+0900", false, 0},
	    {"2026-11-03T09:00:00Zjunk", false, 0},
	    {"2026-11-03", false, 0},
	    {"", false, 0},
	    {"1969-12-31T23:59:59Z", false, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = -1;
		bool ok = rfc3339_parse(cases[i].in, &t);
		if (ok != cases[i].ok || (ok && t != cases[i].want))
			fail_msg("%s: ok=%d t=%lld", cases[i].in, ok, (long long)t);
	}
	char buf[RFC3339_LEN];
	rfc3339_format(1793696400, buf);
	assert_string_equal(buf, "2026-11-03T09:00:00Z");
	rfc3339_format(951782400, buf);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	for (int64_t t = 0; t < 4000000000LL; t += 86399 * 37) {
		int64_t back;
		rfc3339_format(t, buf);
		assert_true(rfc3339_parse(buf, &back));
		assert_int_equal(back, t);
	}
}

static void test_arena(void **state)
{
	(void)state;
	struct arena a = {0};
	char *s = arena_strdup(&a, "返品");
	assert_string_equal(s, "返品");
	void *big = arena_alloc(&a, 100000); /* larger than a block */
	memset(big, 1, 100000);
	for (int i = 0; i < 10000; i++) {
		char *p = arena_printf(&a, "%d", i);
		assert_int_equal(((uintptr_t)p) % 16, 0);
	}
	arena_reset(&a);
	char *again = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(again, "abc");
	assert_null(arena_strdup(&a, NULL));
	arena_free(&a);
}

/* After one large request the arena is back to its usual size: large blocks and extra
 * standard ones are given back at reset, a usual request's few blocks are kept. */
static void test_arena_gives_back(void **state)
{
	(void)state;
	struct arena a = {0};
	for (int i = 0; i < 4; i++)
		memset(arena_alloc(&a, 1000), 0, 1000);
	arena_reset(&a);
	size_t usual = arena_held(&a);
	assert_true(usual > 0);
	for (int i = 0; i < 200000; i++) /* ~3 MiB in small pieces */
		memset(arena_alloc(&a, 16), 0, 16);
	memset(arena_alloc(&a, 8 << 20), 0, 8 << 20); /* and one 8 MiB piece */
	assert_true(arena_held(&a) > (size_t)10 << 20);
	arena_reset(&a);
	assert_true(arena_held(&a) <= (size_t)256 << 10);
	for (int i = 0; i < 4; i++) /* the kept blocks serve the next usual request */
		memset(arena_alloc(&a, 1000), 0, 1000);
	assert_true(arena_held(&a) <= (size_t)256 << 10);
	arena_free(&a);
	assert_int_equal(arena_held(&a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_rfc3339),
	                                   cmocka_unit_test(test_arena),
	                                   cmocka_unit_test(test_arena_gives_back)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
