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

#define DAY 86400
#define NOW 1795000000LL

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
	    {"fresh delivery", {2, 0, false, true, NOW - 2 * DAY}, INELIGIBLE_NONE, 2},
	    {"one of two already returned", {2, 1, false, true, NOW - 2 * DAY}, INELIGIBLE_NONE, 1},
	    {"all returned", {2, 2, false, true, NOW - 2 * DAY}, INELIGIBLE_ALREADY_RETURNED, 0},
	    {"final sale", {1, 0, true, true, NOW - 2 * DAY}, INELIGIBLE_FINAL_SALE, 0},
	    {"final sale wins over returned", {1, 1, true, true, NOW}, INELIGIBLE_FINAL_SALE, 0},
	    {"not delivered", {1, 0, false, false, 0}, INELIGIBLE_NOT_DELIVERED, 0},
	    {"last second of the window", {1, 0, false, true, NOW - 30 * DAY}, INELIGIBLE_NONE, 1},
	    {"one second past the window",
	     {1, 0, false, true, NOW - 30 * DAY - 1},
	     INELIGIBLE_WINDOW_CLOSED,
	     0},
	    {"45 days ago", {3, 0, false, true, NOW - 45 * DAY}, INELIGIBLE_WINDOW_CLOSED, 0},
	    {"delivered in the future (clock skew)",
	     {1, 0, false, true, NOW + DAY},
	     INELIGIBLE_NONE,
	     1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t returnable = -1;
		enum ineligible got = line_eligibility(&cases[i].line, &p, NOW, &returnable);
		if (got != cases[i].want || returnable != cases[i].returnable)
			fail_msg("%s: got %d/%lld, want %d/%lld", cases[i].what, got,
			         (long long)returnable, cases[i].want,
			         (long long)cases[i].returnable);
	}
	/* A shorter window in the merchant's policy is honoured. */
	p.window_days = 7;
	struct line_state l = {1, 0, false, true, NOW - 8 * DAY};
	int64_t r;
	assert_int_equal(line_eligibility(&l, &p, NOW, &r), INELIGIBLE_WINDOW_CLOSED);
	assert_string_equal(ineligible_names[INELIGIBLE_WINDOW_CLOSED], "window_closed");
	assert_null(ineligible_names[INELIGIBLE_NONE]);
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
	    [RETURN_EXPIRED] = LABEL_VOID,
	};
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eligibility), cmocka_unit_test(test_transitions),
	    cmocka_unit_test(test_names),       cmocka_unit_test(test_money),
	    cmocka_unit_test(test_rma),         cmocka_unit_test(test_resale_price),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
