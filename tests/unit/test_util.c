/* util/: time parsing and formatting, time zones, arenas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/mem.h"
#include "util/timefmt.h"
#include "util/tz.h"

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
	    /* Any year parses; the API's range is the validators' (fcgi/validate.c). */
	    {"1969-12-31T23:59:59Z", true, -1},
	    {"1970-01-01T00:30:00+01:00", true, -1800},
	    {"2038-01-19T03:14:08Z", true, 2147483648LL},
	    {"2100-01-01T00:00:00Z", true, 4102444800LL},
	    {"9999-12-31T23:59:59Z", true, 253402300799LL},
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

static void test_dates(void **state)
{
	(void)state;
	char buf[DATE_LEN];
	date_format(0, buf);
	assert_string_equal(buf, "1970-01-01");
	date_format(-1, buf);
	assert_string_equal(buf, "1969-12-31");
	date_format(days_from_civil(2028, 2, 29), buf);
	assert_string_equal(buf, "2028-02-29");
	date_format(days_from_civil(2099, 12, 31), buf);
	assert_string_equal(buf, "2099-12-31");
	assert_int_equal(TIME_API_MIN, days_from_civil(2000, 1, 1) * 86400);
	assert_int_equal(TIME_API_MAX, days_from_civil(2100, 1, 1) * 86400);
}

static void test_tz_valid(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
	    {"UTC", true},
	    {"Asia/Tokyo", true},
	    {"America/New_York", true},
	    {"Europe/London", true},
	    {"US/Eastern", true}, /* an alias of America/New_York */
	    {"asia/tokyo", false},
	    {"Mars/Olympus_Mons", false},
	    {"GMT+09:00", false}, /* ICU's custom ids are no zone of the database */
	    {"Etc/Unknown", false},
	    {"", false},
	    {"Asia/Tokyo ", false},
	    {"Asia/Tōkyō", false},
	    {"America/New_York/America/New_York/America/New_York/America/New_York", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (tz_valid(cases[i].name) != cases[i].ok)
			fail_msg("tz_valid(\"%s\") != %d", cases[i].name, cases[i].ok);
}

/* Local days of instants: offsets, both DST changes, past 2038, and unknown zones as UTC. */
static void test_tz_local_day(void **state)
{
	(void)state;
	static const struct {
		const char *zone, *at, *day;
	} cases[] = {
	    {"Asia/Tokyo", "2026-11-21T14:59:59Z", "2026-11-21"},
	    {"Asia/Tokyo", "2026-11-21T15:00:00Z", "2026-11-22"},
	    {"Asia/Tokyo", "2026-12-31T15:00:00Z", "2027-01-01"},
	    {"America/New_York", "2026-11-22T04:59:59Z", "2026-11-21"}, /* EST, UTC-5 */
	    {"America/New_York", "2026-11-22T05:00:00Z", "2026-11-22"},
	    {"America/New_York", "2026-07-01T03:59:59Z", "2026-06-30"}, /* EDT, UTC-4 */
	    {"America/New_York", "2026-07-01T04:00:00Z", "2026-07-01"},
	    {"America/New_York", "2027-03-14T06:59:59Z", "2027-03-14"}, /* 01:59:59 EST */
	    {"America/New_York", "2027-03-14T07:00:00Z", "2027-03-14"}, /* 03:00 EDT */
	    {"America/New_York", "2026-11-01T05:30:00Z", "2026-11-01"}, /* 01:30 EDT */
	    {"America/New_York", "2026-11-01T06:30:00Z", "2026-11-01"}, /* 01:30 EST again */
	    {"America/New_York", "2026-11-02T04:59:59Z", "2026-11-01"}, /* a 25-hour day */
	    {"America/New_York", "2040-01-01T04:59:59Z", "2039-12-31"},
	    {"Asia/Tokyo", "2099-12-31T15:00:00Z", "2100-01-01"},
	    {"UTC", "2028-02-29T23:59:59Z", "2028-02-29"},
	    {"Nowhere/Atlantis", "2026-11-21T23:00:00Z", "2026-11-21"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t;
		char day[DATE_LEN];
		assert_true(rfc3339_parse(cases[i].at, &t));
		date_format(tz_local_day(cases[i].zone, t), day);
		if (strcmp(day, cases[i].day) != 0)
			fail_msg("%s in %s: %s, want %s", cases[i].at, cases[i].zone, day,
			         cases[i].day);
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
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc3339),  cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_tz_valid), cmocka_unit_test(test_tz_local_day),
	    cmocka_unit_test(test_arena),    cmocka_unit_test(test_arena_gives_back)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
