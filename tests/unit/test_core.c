/* The rules of core/: tables of cases, each a thing a customer or merchant would notice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/domain.h"
#include "core/policy.h"
#include "core/rma.h"
#include "core/timing.h"
#include "core/team.h"
#include "core/search.h"
#include "core/throttle.h"
#include "util/timefmt.h"
#include "util/tz.h"

#define TODAY 20779 /* 2026-11-22, a local day number */

static void test_eligibility(void **state)
{
	(void)state;
	struct policy p;
	policy_default(&p, "JPY");
	static const struct {
		const char *what;
		struct line_state line;
		enum ineligible want;
		int64_t returnable;
	} cases[] = {
	    {"fresh delivery", {2, 0, false, true, TODAY - 2}, INELIGIBLE_NONE, 2},
	    {"one of two already returned", {2, 1, false, true, TODAY - 2}, INELIGIBLE_NONE, 1},
	    {"all returned", {2, 2, false, true, TODAY - 2}, INELIGIBLE_ALREADY_RETURNED, 0},
	    {"final sale", {1, 0, true, true, TODAY - 2}, INELIGIBLE_FINAL_SALE, 0},
	    {"final sale wins over returned", {1, 1, true, true, TODAY}, INELIGIBLE_FINAL_SALE, 0},
	    {"not delivered", {1, 0, false, false, 0}, INELIGIBLE_NOT_DELIVERED, 0},
	    {"delivered today", {1, 0, false, true, TODAY}, INELIGIBLE_NONE, 1},
	    {"last day of the window (D + 30)",
	     {1, 0, false, true, TODAY - 30},
	     INELIGIBLE_NONE,
	     1},
	    {"the day after the window",
	     {1, 0, false, true, TODAY - 31},
	     INELIGIBLE_WINDOW_CLOSED,
	     0},
	    {"45 days ago", {3, 0, false, true, TODAY - 45}, INELIGIBLE_WINDOW_CLOSED, 0},
	    {"delivered in the future (clock skew)",
	     {1, 0, false, true, TODAY + 1},
	     INELIGIBLE_NONE,
	     1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t returnable = -1;
		enum ineligible got = line_eligibility(&cases[i].line, &p, TODAY, &returnable);
		if (got != cases[i].want || returnable != cases[i].returnable)
			fail_msg("%s: got %d/%lld, want %d/%lld", cases[i].what, got,
			         (long long)returnable, cases[i].want,
			         (long long)cases[i].returnable);
	}
	assert_int_equal(returnable_until(TODAY - 30, &p), TODAY);
	/* A shorter window in the merchant's policy is honoured. */
	p.window_days = 7;
	struct line_state l = {1, 0, false, true, TODAY - 8};
	int64_t r;
	assert_int_equal(line_eligibility(&l, &p, TODAY, &r), INELIGIBLE_WINDOW_CLOSED);
	l.delivered_day = TODAY - 7;
	assert_int_equal(line_eligibility(&l, &p, TODAY, &r), INELIGIBLE_NONE);
	/* A window of 0 days: the day of delivery only. */
	p.window_days = 0;
	assert_int_equal(line_eligibility(&l, &p, l.delivered_day, &r), INELIGIBLE_NONE);
	assert_int_equal(line_eligibility(&l, &p, l.delivered_day + 1, &r),
	                 INELIGIBLE_WINDOW_CLOSED);
	assert_string_equal(ineligible_names[INELIGIBLE_WINDOW_CLOSED], "window_closed");
	assert_null(ineligible_names[INELIGIBLE_NONE]);
}

/* The window counted in the merchant's calendar days, from instants as the edge sees them:
 * delivered_at and now (UTC) become local day numbers in the merchant's zone (util/tz), and
 * the line is returnable through the local day delivery + window_days, whatever the hour of
 * delivery, daylight saving time, year ends and leap days. */
static void test_window_local_days(void **state)
{
	(void)state;
	static const struct {
		const char *what, *zone;
		const char *delivered_at, *now; /* RFC 3339, UTC */
		int window_days;
		const char *until; /* the last local day */
		bool eligible;
	} cases[] = {
	    /* Tokyo is UTC+9 all year: 23:30Z is the next morning there. */
	    {"Tokyo: delivered 08:30 local on the 1st, last minute of the 31st", "Asia/Tokyo",
	     "2026-11-30T23:30:00Z", "2026-12-31T14:59:59Z", 30, "2026-12-31", true},
	    {"Tokyo: the first second of the day after", "Asia/Tokyo", "2026-11-30T23:30:00Z",
	     "2026-12-31T15:00:00Z", 30, "2026-12-31", false},
	    {"Tokyo: across the year end", "Asia/Tokyo", "2026-12-20T15:00:00Z",
	     "2027-01-20T14:59:59Z", 30, "2027-01-20", true},
	    {"Tokyo: open all its last day (an instant rule said 00:00Z)", "Asia/Tokyo",
	     "2026-11-01T00:00:00Z", "2026-12-01T10:00:00Z", 30, "2026-12-01", true},
	    /* New York: EDT (UTC-4) until 2026-11-01 02:00, EST (UTC-5) until 2027-03-14 02:00. */
	    {"New York: spring forward day is 23 hours; open in its last second",
	     "America/New_York", "2027-03-07T04:30:00Z", "2027-03-15T03:59:59Z", 8, "2027-03-14",
	     true},
	    {"New York: and closed at its local midnight (an instant rule said 04:30Z)",
	     "America/New_York", "2027-03-07T04:30:00Z", "2027-03-15T04:00:00Z", 8, "2027-03-14",
	     false},
	    {"New York: fall back day is 25 hours; open in its last hour", "America/New_York",
	     "2026-10-25T04:30:00Z", "2026-11-02T04:59:59Z", 7, "2026-11-01", true},
	    {"New York: and closed after it", "America/New_York", "2026-10-25T04:30:00Z",
	     "2026-11-02T05:00:00Z", 7, "2026-11-01", false},
	    {"New York: delivered 23:30 local on Dec 31, across the year end", "America/New_York",
	     "2027-01-01T04:30:00Z", "2027-01-31T04:59:59Z", 30, "2027-01-30", true},
	    {"New York: the day after", "America/New_York", "2027-01-01T04:30:00Z",
	     "2027-01-31T05:00:00Z", 30, "2027-01-30", false},
	    {"UTC: leap day counted once", "UTC", "2028-02-28T12:00:00Z", "2028-03-01T23:59:59Z", 2,
	     "2028-03-01", true},
	    {"UTC: leap year, 366 days", "UTC", "2028-01-01T00:00:00Z", "2028-12-31T23:59:59Z", 365,
	     "2028-12-31", true},
	    {"Tokyo: delivered on the leap day", "Asia/Tokyo", "2028-02-28T15:00:00Z",
	     "2028-03-30T14:59:59Z", 30, "2028-03-30", true},
	    {"Tokyo: past 2038", "Asia/Tokyo", "2038-01-19T03:14:08Z", "2038-02-18T14:59:59Z", 30,
	     "2038-02-18", true},
	    {"New York: past 2038, in DST", "America/New_York", "2040-07-01T03:00:00Z",
	     "2040-07-31T03:59:59Z", 30, "2040-07-30", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy p;
		policy_default(&p, "USD");
		p.window_days = cases[i].window_days;
		int64_t t[2], day[2];
		assert_true(rfc3339_parse(cases[i].delivered_at, &t[0]));
		assert_true(rfc3339_parse(cases[i].now, &t[1]));
		tz_local_days(cases[i].zone, 2, t, day);
		struct line_state l = {1, 0, false, true, day[0]};
		int64_t returnable;
		bool eligible = line_eligibility(&l, &p, day[1], &returnable) == INELIGIBLE_NONE;
		char until[DATE_LEN];
		date_format(returnable_until(day[0], &p), until);
		if (eligible != cases[i].eligible || strcmp(until, cases[i].until) != 0)
			fail_msg("%s: eligible %d until %s, want %d %s", cases[i].what, eligible,
			         until, cases[i].eligible, cases[i].until);
	}
}

static void test_transitions(void **state)
{
	(void)state;
	static const struct {
		enum return_status from, to;
		bool allowed;
	} cases[] = {
	    {RETURN_LABEL_ISSUED, RETURN_RECEIVED, true},
	    {RETURN_LABEL_ISSUED, RETURN_CANCELED, true},
	    {RETURN_LABEL_ISSUED, RETURN_EXPIRED, true},
	    {RETURN_LABEL_ISSUED, RETURN_RESOLVED, false},
	    {RETURN_RECEIVED, RETURN_RESOLVED, true},
	    {RETURN_RECEIVED, RETURN_CANCELED, false},
	    {RETURN_RECEIVED, RETURN_LABEL_ISSUED, false},
	    {RETURN_RESOLVED, RETURN_CANCELED, false},
	    {RETURN_CANCELED, RETURN_LABEL_ISSUED, false},
	    {RETURN_CANCELED, RETURN_CANCELED, false},
	    {RETURN_EXPIRED, RETURN_RECEIVED, false},
	    /* review holds: inspected, held, then decided */
	    {RETURN_RECEIVED, RETURN_NEEDS_REVIEW, true},
	    {RETURN_NEEDS_REVIEW, RETURN_RESOLVED, true},
	    {RETURN_NEEDS_REVIEW, RETURN_CANCELED, false},
	    {RETURN_NEEDS_REVIEW, RETURN_RECEIVED, false},
	    {RETURN_LABEL_ISSUED, RETURN_NEEDS_REVIEW, false},
	    {RETURN_RESOLVED, RETURN_NEEDS_REVIEW, false},
	    {RETURN__MAX, RETURN_LABEL_ISSUED, true}, /* a new return is born with its label */
	    {RETURN__MAX, RETURN_RECEIVED, false},
	    {RETURN__MAX, RETURN_RESOLVED, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (return_status_can(cases[i].from, cases[i].to) != cases[i].allowed)
			fail_msg("%s -> %s should be %s",
			         cases[i].from == RETURN__MAX ? "(new)"
			                                      : return_status_names[cases[i].from],
			         return_status_names[cases[i].to],
			         cases[i].allowed ? "allowed" : "refused");
	assert_true(return_status_counts(RETURN_RESOLVED));
	assert_false(return_status_counts(RETURN_CANCELED));
	assert_false(return_status_counts(RETURN_EXPIRED));
	assert_true(return_status_open(RETURN_LABEL_ISSUED));
	assert_false(return_status_open(RETURN_RESOLVED));
	/* The label: printed before the scan, kept after it, void once the parcel must not travel.
	 */
	static const enum label_state labels[RETURN__MAX] = {
	    [RETURN_LABEL_ISSUED] = LABEL_USABLE, [RETURN_RECEIVED] = LABEL_USED,
	    [RETURN_RESOLVED] = LABEL_USED,       [RETURN_CANCELED] = LABEL_VOID,
	    [RETURN_EXPIRED] = LABEL_VOID,        [RETURN_NEEDS_REVIEW] = LABEL_USED,
	};
	assert_true(return_status_open(RETURN_NEEDS_REVIEW)); /* exchange units stay reserved */
	assert_true(return_status_counts(RETURN_NEEDS_REVIEW));
	for (int s = 0; s < RETURN__MAX; s++)
		if (return_label_state((enum return_status)s) != labels[s])
			fail_msg("label of a %s return should be %s", return_status_names[s],
			         label_state_names[labels[s]]);
}

static void test_names(void **state)
{
	(void)state;
	/* The API's words, exactly as API.md spells them. */
	static const char *reasons[] = {"too_small",    "too_large",    "not_as_described",
	                                "damaged",      "defective",    "wrong_item",
	                                "changed_mind", "arrived_late", "other"};
	for (size_t i = 0; i < REASON__MAX; i++)
		assert_int_equal(NAME_INDEX(reason_names, reasons[i]), (int)i);
	assert_int_equal(NAME_INDEX(reason_names, "TOO_SMALL"), -1);
	assert_int_equal(NAME_INDEX(reason_names, ""), -1);
	assert_int_equal(NAME_INDEX(reason_names, NULL), -1);
	assert_int_equal(NAME_INDEX(resolution_names, "store_credit"), RESOLUTION_STORE_CREDIT);
	assert_int_equal(NAME_INDEX(grade_names, "like_new"), GRADE_LIKE_NEW);
	assert_int_equal(NAME_INDEX(disposition_names, "return_to_customer"),
	                 DISPOSITION_RETURN_TO_CUSTOMER);
	assert_true(reason_is_customers(REASON_TOO_SMALL));
	assert_true(reason_is_customers(REASON_CHANGED_MIND));
	assert_false(reason_is_customers(REASON_DEFECTIVE));
	assert_false(reason_is_customers(REASON_WRONG_ITEM));
}

static void test_money(void **state)
{
	(void)state;
	static const struct {
		int64_t amount;
		int percent;
		int64_t want;
	} pct[] = {
	    {4900, 10, 490}, {4900, 0, 0}, {1999, 10, 199},
	    {1999, 15, 299}, {1, 99, 0},   {1000000000000LL, 1000, 10000000000000LL},
	};
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
		assert_int_equal(money_percent(pct[i].amount, pct[i].percent), pct[i].want);
	assert_int_equal(money_round_down(3675, 10), 3670);
	assert_int_equal(money_round_down(1499, 100), 1400);
	assert_int_equal(money_round_down(1499, 0), 1499);
	assert_int_equal(currency_exponent("JPY"), 0);
	assert_int_equal(currency_exponent("USD"), 2);
	struct policy jp, us;
	policy_default(&jp, "JPY");
	policy_default(&us, "USD");
	assert_int_equal(jp.price_step, 10);
	assert_int_equal(us.price_step, 100);
	assert_int_equal(jp.window_days, 30);
	assert_int_equal(jp.store_credit_bonus_percent, 10);
	assert_int_equal(jp.resale_percent[GRADE_LIKE_NEW], 75);
}

/* Suggested resale prices: the grade's percentage of the original, rounded down to the
 * merchant's price step (JPY 10, USD $1.00). */
static void test_resale_price(void **state)
{
	(void)state;
	static const struct {
		const char *what, *currency;
		enum grade grade;
		int64_t original, want;
	} cases[] = {
	    {"JPY new 90%", "JPY", GRADE_NEW, 4900, 4410},
	    {"JPY like new 75% (3675 → 3670)", "JPY", GRADE_LIKE_NEW, 4900, 3670},
	    {"JPY good 60%", "JPY", GRADE_GOOD, 4900, 2940},
	    {"JPY fair 40%", "JPY", GRADE_FAIR, 4900, 1960},
	    {"JPY odd price rounds down to ¥10", "JPY", GRADE_LIKE_NEW, 12345, 9250},
	    {"JPY damaged is not resold", "JPY", GRADE_DAMAGED, 4900, 0},
	    {"USD like new: $97.49 → $97.00", "USD", GRADE_LIKE_NEW, 12999, 9700},
	    {"USD fair: $51.99 → $51.00", "USD", GRADE_FAIR, 12999, 5100},
	    {"USD new: $116.99 → $116.00", "USD", GRADE_NEW, 12999, 11600},
	    {"USD cheap item below one step keeps its cents", "USD", GRADE_FAIR, 199, 79},
	    {"JPY tiny price below the step", "JPY", GRADE_FAIR, 20, 8},
	    {"free item stays free", "JPY", GRADE_NEW, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy p;
		policy_default(&p, cases[i].currency);
		int64_t got = resale_price(&p, cases[i].grade, cases[i].original);
		if (got != cases[i].want)
			fail_msg("%s: got %lld, want %lld", cases[i].what, (long long)got,
			         (long long)cases[i].want);
	}
	/* A merchant's own percentages and step. */
	struct policy p;
	policy_default(&p, "JPY");
	p.resale_percent[GRADE_GOOD] = 50;
	p.price_step = 100;
	assert_int_equal(resale_price(&p, GRADE_GOOD, 4900), 2400);
}

static void test_rma(void **state)
{
	(void)state;
	uint8_t zero[RMA_RANDOM_BYTES] = {0}, ones[RMA_RANDOM_BYTES];
	memset(ones, 0xff, sizeof(ones));
	char a[RMA_LEN + 1], b[RMA_LEN + 1], n[RMA_LEN + 1];
	rma_from_random(zero, a);
	rma_from_random(ones, b);
	assert_int_equal(strlen(a), RMA_LEN);
	assert_string_not_equal(a, b);
	for (const char *codes[] = {a, b}, **c = codes; c < codes + 2; c++) {
		assert_int_equal((*c)[5], '-');
		for (const char *p = *c; *p; p++)
			assert_null(strchr("01OIo", *p)); /* nothing to misread */
	}
	/* What staff or scanners type becomes the canonical code. */
	static const struct {
		const char *in, *want;
	} ok[] = {
	    {"7KQ2M-XH4RP", "7KQ2M-XH4RP"},       {"7kq2m-xh4rp", "7KQ2M-XH4RP"},
	    {"7KQ2MXH4RP", "7KQ2M-XH4RP"},        {"  7KQ2M-XH4RP\r\n", "7KQ2M-XH4RP"},
	    {"KAERU:7KQ2M-XH4RP", "7KQ2M-XH4RP"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_true(rma_normalize(ok[i].in, n));
		assert_string_equal(n, ok[i].want);
	}
	static const char *bad[] = {"",
	                            "7KQ2M-XH4R",
	                            "7KQ2M-XH4RPP",
	                            "7KQ2M-XH0RP",
	                            "7KQ2M-XH4R1",
	                            "7KQ2M--XH4RP",
	                            "7KQ2M/XH4RP",
	                            "../../etc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rma_normalize(bad[i], n))
			fail_msg("\"%s\" taken as an RMA code", bad[i]);
	/* Every generated code reads back as itself. */
	uint8_t rnd[RMA_RANDOM_BYTES];
	for (int i = 0; i < 1000; i++) {
		for (int k = 0; k < RMA_RANDOM_BYTES; k++)
			rnd[k] = (uint8_t)(i * 31 + k * 7);
		rma_from_random(rnd, a);
		assert_true(rma_normalize(a, n));
		assert_string_equal(a, n);
	}
}

/* A listing's price needs the merchant's confirmation below 30 % of the original, or below the
 * merchant's own floor when that is higher; exact at the edge and for any int64. */
static void test_resale_price_low(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		int floor;
		int64_t original, price;
		bool low;
	} cases[] = {
	    {"¥1 for ¥4,900: a typo", 30, 4900, 1, true},
	    {"exactly 30 %", 30, 10000, 3000, false},
	    {"one yen under 30 %", 30, 10000, 2999, true},
	    {"29.99 % of an odd price", 30, 4901, 1470, true},
	    {"30.0 % of an odd price, rounded up", 30, 4901, 1471, false},
	    {"a floor under 30 % does not lower the guard", 10, 10000, 2000, true},
	    {"a floor of 50 %", 50, 10000, 4999, true},
	    {"at the floor of 50 %", 50, 10000, 5000, false},
	    {"a free original", 30, 0, 0, false},
	    {"huge prices do not overflow", 30, INT64_MAX, INT64_MAX / 4, true},
	    {"huge prices at full price", 30, INT64_MAX, INT64_MAX, false},
	};
	struct policy p;
	policy_default(&p, "JPY");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.price_floor_percent = cases[i].floor;
		if (resale_price_low(&p, cases[i].original, cases[i].price) != cases[i].low)
			fail_msg("%s: want %s", cases[i].what, cases[i].low ? "low" : "not low");
	}
	p.price_floor_percent = 10;
	assert_int_equal(resale_low_percent(&p), RESALE_LOW_PERCENT);
	p.price_floor_percent = 45;
	assert_int_equal(resale_low_percent(&p), 45);
}

/* How long returns took, as the console reports it: the bucket a span falls in reads as "at most
 * N hours" — exact for whole hours of the first day, then the next log-spaced edge. */
static void test_span_buckets(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		int64_t seconds, hours;
	} cases[] = {
	    {"scanned at once", 0, 1},
	    {"a clock a second behind", -1, 1},
	    {"exactly an hour", 3600, 1},
	    {"a second over an hour", 3601, 2},
	    {"ten hours", 10 * 3600, 10},
	    {"a whole day", 24 * 3600, 24},
	    {"a day and a minute", 24 * 3600 + 60, 30},
	    {"40 hours", 40 * 3600, 48},
	    {"a week", 7 * 86400, 168},
	    {"a week and a day", 8 * 86400, 216},
	    {"90 days", 90 * 86400, 2160},
	    {"a year: the last bucket, reported as 90 days", 365 * 86400, 2160},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int b = span_bucket(cases[i].seconds);
		if (b < 0 || b >= SPAN_BUCKETS || span_bucket_hours(b) != cases[i].hours)
			fail_msg("%s: bucket %d reads %lld hours, want %lld", cases[i].what, b,
			         b >= 0 && b < SPAN_BUCKETS ? (long long)span_bucket_hours(b)
			                                    : -1LL,
			         (long long)cases[i].hours);
	}
	assert_int_equal(span_bucket(91 * 86400), SPAN_BUCKETS - 1);
	assert_int_equal(span_bucket(90 * 86400), SPAN_BUCKETS - 2);
	for (int b = 1; b < SPAN_BUCKETS - 1; b++) /* edges rise */
		assert_true(span_bucket_hours(b) > span_bucket_hours(b - 1));
}

/* The median and 90th percentile of counted spans: the smallest bucket with at least p % of the
 * spans at or below it, as the exact percentile of the same spans would be. */
static void test_span_percentiles(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		int64_t hours[10];
		size_t n;
		int64_t median, p90; /* hours; -1 for none */
	} cases[] = {
	    {"nothing counted", {0}, 0, -1, -1},
	    {"one return", {5}, 1, 5, 5},
	    {"10, 20 and 40 hours", {10, 20, 40}, 3, 20, 48},
	    {"1, 2 and 3 hours", {1, 2, 3}, 3, 2, 3},
	    {"two: the median is the lower", {2, 9}, 2, 2, 9},
	    {"ten: the 90th is the ninth", {1, 2, 3, 4, 5, 6, 7, 8, 9, 100}, 10, 5, 9},
	    {"ten: one late return is past the 90th", {1, 1, 1, 1, 1, 1, 1, 1, 1, 2000}, 10, 1, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t counts[SPAN_BUCKETS] = {0};
		for (size_t k = 0; k < cases[i].n; k++)
			counts[span_bucket(cases[i].hours[k] * 3600)]++;
		int med = span_percentile(counts, 50), p90 = span_percentile(counts, 90);
		int64_t got_med = med < 0 ? -1 : span_bucket_hours(med);
		int64_t got_p90 = p90 < 0 ? -1 : span_bucket_hours(p90);
		if (got_med != cases[i].median || got_p90 != cases[i].p90)
			fail_msg("%s: median %lld p90 %lld, want %lld and %lld", cases[i].what,
			         (long long)got_med, (long long)got_p90, (long long)cases[i].median,
			         (long long)cases[i].p90);
	}
}

/* Who may do what: the whole table, so a right given to a role by mistake fails here. */
static void test_rights(void **state)
{
	(void)state;
	static const struct {
		enum role role;
		bool signed_in, warehouse, console, settings;
	} cases[] = {
	    {ROLE_WAREHOUSE, true, true, false, false},
	    {ROLE_ADMIN, true, true, false, false},
	    {ROLE_MERCHANT, true, false, true, true},
	    {ROLE_MERCHANT_STAFF, true, false, true, false},
	};
	assert_int_equal(sizeof(cases) / sizeof(cases[0]), ROLE__MAX);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const bool want[RIGHT__MAX] = {
		    [RIGHT_SIGNED_IN] = cases[i].signed_in,
		    [RIGHT_WAREHOUSE] = cases[i].warehouse,
		    [RIGHT_CONSOLE] = cases[i].console,
		    [RIGHT_SETTINGS] = cases[i].settings,
		};
		for (int r = 0; r < RIGHT__MAX; r++)
			if (role_may(cases[i].role, (enum right)r) != want[r])
				fail_msg("%s, right %d: want %d", role_names[cases[i].role], r,
				         want[r]);
	}
	assert_false(role_may(ROLE__MAX, RIGHT_SIGNED_IN));
	assert_false(role_may(ROLE_MERCHANT, RIGHT__MAX));
	assert_int_equal(NAME_INDEX(role_names, "merchant_staff"), ROLE_MERCHANT_STAFF);
	assert_true(role_is_merchants(ROLE_MERCHANT_STAFF));
	assert_false(role_is_merchants(ROLE_ADMIN));
}

/* Inviting and removing: who joins, when the team is full, self and the last owner. */
static void test_team(void **state)
{
	(void)state;
	assert_int_equal(team_invite_check(ROLE_MERCHANT_STAFF, 1), TEAM_OK);
	assert_int_equal(team_invite_check(ROLE_MERCHANT, TEAM_MAX - 1), TEAM_OK);
	assert_int_equal(team_invite_check(ROLE_MERCHANT, TEAM_MAX), TEAM_FULL);
	assert_int_equal(team_invite_check(ROLE_WAREHOUSE, 1), TEAM_NOT_A_TEAM_ROLE);
	assert_int_equal(team_invite_check(ROLE_ADMIN, 1), TEAM_NOT_A_TEAM_ROLE);
	static const struct {
		const char *what;
		int64_t actor, target;
		enum role role;
		int64_t other_owners;
		enum team_refusal want;
	} cases[] = {
	    {"an owner removes a staff member", 1, 2, ROLE_MERCHANT_STAFF, 1, TEAM_OK},
	    {"an owner removes another owner", 1, 2, ROLE_MERCHANT, 1, TEAM_OK},
	    {"an owner removes themself", 1, 1, ROLE_MERCHANT, 1, TEAM_SELF},
	    {"the last owner (the remover was removed meanwhile)", 1, 2, ROLE_MERCHANT, 0,
	     TEAM_LAST_OWNER},
	    {"staff while no other owner is left", 1, 2, ROLE_MERCHANT_STAFF, 0, TEAM_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum team_refusal got = team_remove_check(cases[i].actor, cases[i].target,
		                                          cases[i].role, cases[i].other_owners);
		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, got, cases[i].want);
	}
}

/* The terms of a return whose fields are texts[0..n), sorted (search_terms_finish). */
static void return_terms(const char *const *texts, size_t n, struct search_terms *t,
                         search_term *buf, size_t cap)
{
	search_terms_init(t, buf, cap);
	for (size_t i = 0; i < n; i++)
		search_terms_add(t, texts[i]);
	search_terms_finish(t);
}

/* Whether the console's search finds a return with this text by query q: the query reads as
 * terms and the return has every one of them. */
static bool search_finds(const char *stored, const char *q)
{
	search_term buf[512], qbuf[SEARCH_QUERY_TERMS];
	struct search_terms t, qt;
	return_terms(&stored, 1, &t, buf, 512);
	search_terms_init(&qt, qbuf, SEARCH_QUERY_TERMS);
	if (search_query_read(q, &qt) != SEARCH_TERMS)
		fail_msg("%s: not read as terms", q);
	for (size_t i = 0; i < qt.n; i++) {
		bool has = false;
		for (size_t j = 0; j < t.n && !has; j++)
			has = strcmp(qt.terms[i], t.terms[j]) == 0;
		if (!has)
			return false;
	}
	return true;
}

/* What a merchant types finds the return it means, in the spellings people and keyboards
 * use, and nothing that only looks alike. */
static void test_search_finds(void **state)
{
	(void)state;
	static const struct {
		const char *what, *stored, *q;
		bool finds;
	} cases[] = {
	    {"part of an RMA", "7KQ2M-XH4RP", "KQ2M", true},
	    {"part of an RMA across its hyphen", "7KQ2M-XH4RP", "2M-XH4", true},
	    {"part of an RMA in lower case", "7KQ2M-XH4RP", "xh4rp", true},
	    {"an RMA without its hyphen", "7KQ2M-XH4RP", "7kq2mxh4rp", true},
	    {"an RMA as the label's QR text", "7KQ2M-XH4RP", "KAERU:7KQ2M-XH4RP", true},
	    {"part of an RMA typed full-width", "7KQ2M-XH4RP", "ＫＱ２Ｍ", true},
	    {"another RMA", "7KQ2M-XH4RP", "KQ3M", false},
	    {"part of an order number", "1234-abc123", "1234", true},
	    {"an order number with #", "1001", "#1001", true},
	    {"a two-digit order number", "42", "42", true},
	    {"part of a SKU", "TEE-BLK-M", "blk-m", true},
	    {"two words of a SKU", "TEE-BLK-M", "tee blk", true},
	    {"a product name's katakana", "ワンピース", "ピース", true},
	    {"two characters of a product name", "ワンピース", "ンピ", true},
	    {"a product name in half-width katakana", "ワンピース", "ﾜﾝﾋﾟｰｽ", true},
	    {"a product name in hiragana", "ワンピース", "わんぴーす", true},
	    {"another product", "ワンピース", "スカート", false},
	    {"katakana of a mixed product name", "オーガニックTシャツ", "Tシャツ", true},
	    {"half-width voiced kana", "オーガニックTシャツ", "ｵｰｶﾞﾆｯｸ", true},
	    {"a product name with a set count", "ソックス 3足組（セール）", "セール", true},
	    {"a product name with a middle dot", "ワン・ピース", "ワンピース", true},
	    {"a kanji family name", "山田 太郎", "山田", true},
	    {"a kanji full name without the space", "山田 太郎", "山田太郎", true},
	    {"a kanji full name with an ideographic space", "山田 太郎", "山田　太郎", true},
	    {"another given name", "山田 太郎", "山田 花子", false},
	    {"a kana name by its katakana", "やまだ はなこ", "ハナコ", true},
	    {"a kana name by its hiragana", "ヤマダ ハナコ", "はなこ", true},
	    {"a one-character name", "李", "李", true},
	    {"a Latin name in capitals", "Jane Doe", "DOE", true},
	    {"a Latin-1 name in capitals", "Café Crème", "CAFÉ", true},
	    {"two letters are no part of a word", "Jane Doe", "ja", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (search_finds(cases[i].stored, cases[i].q) != cases[i].finds)
			fail_msg("%s: %s in %s should %s", cases[i].what, cases[i].q,
			         cases[i].stored, cases[i].finds ? "be found" : "not be found");
}

/* How a query reads: blank (no search), an e-mail (compared whole), terms, or a 422. */
static void test_search_query(void **state)
{
	(void)state;
	char long_ascii[SEARCH_QUERY_CHARS + 2], long_kana[3 * SEARCH_QUERY_CHARS + 1];
	memset(long_ascii, 'a', sizeof(long_ascii) - 1);
	long_ascii[sizeof(long_ascii) - 1] = '\0'; /* 255 characters */
	for (size_t i = 0; i < SEARCH_QUERY_CHARS; i++)
		memcpy(long_kana + 3 * i, "あ", 3); /* 254 characters, 762 bytes */
	long_kana[3 * SEARCH_QUERY_CHARS] = '\0';
	static const struct {
		const char *what, *q;
		enum search_query want;
		size_t terms;
	} fixed[] = {
	    {"nothing", "", SEARCH_BLANK, 0},
	    {"blanks and an ideographic space", "  \t　", SEARCH_BLANK, 0},
	    {"punctuation only", "--- !?", SEARCH_NOTHING, 0},
	    {"full-width punctuation only", "！？「」", SEARCH_NOTHING, 0},
	    {"an e-mail address", "taro@example.jp", SEARCH_EMAIL, 0},
	    {"an e-mail address with blanks and capitals", " Taro@Example.JP ", SEARCH_EMAIL, 0},
	    {"two @ are no address", "a@b@c", SEARCH_TERMS, 1},
	    {"an @ with a word after a blank", "taro@example.jp 1001", SEARCH_TERMS, 8},
	    {"a whole RMA", "7kq2m-xh4rp", SEARCH_TERMS, 8},
	    {"a kanji name", "山田太郎", SEARCH_TERMS, 3},
	    {"repeats count once", "ワンワンワン", SEARCH_TERMS, 2},
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		search_term buf[SEARCH_QUERY_TERMS];
		struct search_terms t;
		search_terms_init(&t, buf, SEARCH_QUERY_TERMS);
		enum search_query got = search_query_read(fixed[i].q, &t);
		if (got != fixed[i].want || (got == SEARCH_TERMS && t.n != fixed[i].terms))
			fail_msg("%s: got %d with %zu terms, want %d with %zu", fixed[i].what, got,
			         t.n, fixed[i].want, fixed[i].terms);
	}
	search_term buf[SEARCH_QUERY_TERMS];
	struct search_terms t;
	search_terms_init(&t, buf, SEARCH_QUERY_TERMS);
	assert_int_equal(search_query_read(long_ascii, &t), SEARCH_TOO_LONG);
	assert_int_equal(search_query_read(long_kana, &t), SEARCH_TERMS);
	/* A long product name checks 8 of its bigrams, its first and last among them. */
	assert_int_equal(search_query_read("オーガニックコットンワンピース", &t), SEARCH_TERMS);
	assert_int_equal(t.n, SEARCH_QUERY_TERMS);
	assert_true(t.truncated);
	assert_string_equal(t.terms[0], "オー");
	assert_string_equal(t.terms[SEARCH_QUERY_TERMS - 1], "ース");
}

/* A query of one word may be a whole order number or RMA: looked up by its key first. */
static void test_search_key(void **state)
{
	(void)state;
	char key[SEARCH_KEY_SIZE], rma[SEARCH_KEY_SIZE];
	assert_true(search_query_key("  SK-0001234\t", key, rma));
	assert_string_equal(key, "SK-0001234");
	assert_string_equal(rma, "");
	assert_true(search_query_key("7kq2m-xh4rp", key, rma));
	assert_string_equal(key, "7kq2m-xh4rp");
	assert_string_equal(rma, "7KQ2M-XH4RP");
	assert_true(search_query_key("KAERU:7KQ2MXH4RP", key, rma));
	assert_string_equal(rma, "7KQ2M-XH4RP");
	assert_false(search_query_key("山田 太郎", key, rma));
	assert_false(search_query_key("山田\xe3\x80\x80太郎", key, rma)); /* an ideographic space */
	assert_false(search_query_key("山田太郎", key, rma)); /* a name: no digit, no RMA */
	assert_false(search_query_key("linen", key, rma));
	assert_true(search_query_key("#A-7", key, rma));
	assert_false(search_query_key("   ", key, rma));
	char long_word[SEARCH_KEY_SIZE + 1];
	memset(long_word, '7', SEARCH_KEY_SIZE);
	long_word[SEARCH_KEY_SIZE] = '\0';
	assert_false(search_query_key(long_word, key, rma)); /* longer than any order number */
	long_word[SEARCH_KEY_SIZE - 1] = '\0';
	assert_true(search_query_key(long_word, key, rma));
}

/* A return's terms: each once, sorted, bounded by the caller's array. */
static void test_search_terms(void **state)
{
	(void)state;
	search_term buf[64];
	struct search_terms t;
	const char *fields[] = {
	    "7KQ2M-XH4RP",         "1001",      "山田 太郎",          "TEE-BLK-M",
	    "オーガニックTシャツ", "TEE-BLK-M", "オーガニックTシャツ"};
	return_terms(fields, 7, &t, buf, 64);
	assert_false(t.truncated);
	for (size_t i = 1; i < t.n; i++)
		assert_true(strcmp(t.terms[i - 1], t.terms[i]) < 0); /* sorted, no repeats */
	/* 8 of the RMA, 2 of the order, 山田 田太 太郎 of the name, 5 of the SKU, 8 of the
	 * product (5 + "t" + 2) */
	assert_int_equal(t.n, 8 + 2 + 3 + 5 + 8);
	search_term small[4];
	return_terms(fields, 1, &t, small, 4);
	assert_true(t.truncated);
	assert_int_equal(t.n, 4);
	/* Invalid UTF-8 reads as blanks, never past the text. */
	return_terms((const char *[]){"ab\xff\xfe"
	                              "cd\xe3\x81"},
	             1, &t, buf, 64);
	assert_int_equal(t.n, 2); /* "ab", "cd" */
}

/* Guesses: at most the limit of failures is ever evaluated in a window, however many attempts
 * are decided at once; a window's end forgets its failures. */
static void test_throttle(void **state)
{
	(void)state;
	static const struct {
		int64_t failures, deciding;
		enum throttle_verdict want;
	} cases[] = {
	    {0, 0, THROTTLE_GO},   {9, 0, THROTTLE_GO},      {5, 4, THROTTLE_GO},
	    {0, 9, THROTTLE_GO},   {9, 1, THROTTLE_WAIT},    {0, 10, THROTTLE_WAIT},
	    {5, 5, THROTTLE_WAIT}, {10, 0, THROTTLE_REFUSE}, {12, 3, THROTTLE_REFUSE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(throttle_decide(cases[i].failures, cases[i].deciding, 10),
		                 cases[i].want);
	/* Whatever the order of arrival, attempts let through never exceed the limit. */
	int64_t failures = 3, deciding = 0;
	while (throttle_decide(failures, deciding, 10) == THROTTLE_GO)
		deciding++;
	assert_int_equal(failures + deciding, 10);
	assert_int_equal(throttle_failures_now(1000, 7, 1599, 600), 7);
	assert_int_equal(throttle_failures_now(1000, 7, 1600, 600), 0);
	assert_int_equal(throttle_retry_after(1000, 1000, 600), 600);
	assert_int_equal(throttle_retry_after(1000, 1599, 600), 1);
	assert_int_equal(throttle_retry_after(1000, 2000, 600), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eligibility),  cmocka_unit_test(test_window_local_days),
	    cmocka_unit_test(test_transitions),  cmocka_unit_test(test_names),
	    cmocka_unit_test(test_money),        cmocka_unit_test(test_rma),
	    cmocka_unit_test(test_resale_price), cmocka_unit_test(test_resale_price_low),
	    cmocka_unit_test(test_span_buckets), cmocka_unit_test(test_span_percentiles),
	    cmocka_unit_test(test_rights),       cmocka_unit_test(test_team),
	    cmocka_unit_test(test_search_finds), cmocka_unit_test(test_search_query),
	    cmocka_unit_test(test_search_key),   cmocka_unit_test(test_search_terms),
	    cmocka_unit_test(test_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
