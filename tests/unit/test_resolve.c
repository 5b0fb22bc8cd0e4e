/* Resolution arithmetic: what a customer is paid, credited or sent once the warehouse has
 * counted what arrived. Each row is a return a customer or merchant would check by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/policy.h"
#include "core/resolve.h"

#define REF RESOLUTION_REFUND
#define CRE RESOLUTION_STORE_CREDIT
#define EXC RESOLUTION_EXCHANGE

static void test_items(void **state)
{
	(void)state;
	static const struct {
		const char *what, *currency;
		int fee_percent, bonus_percent;
		struct resolve_item in;
		struct resolve_money want;
	} cases[] = {
	    /* JPY: no minor unit; ¥4,900 T-shirts. */
	    {"JPY refund, no fee by default",
	     "JPY",
	     0,
	     10,
	     {4900, 2, 2, REASON_TOO_SMALL, REF},
	     {9800, 0, 0, 9800, 0, 0, 0}},
	    {"JPY refund, 10% fee on too_small",
	     "JPY",
	     10,
	     10,
	     {4900, 2, 2, REASON_TOO_SMALL, REF},
	     {9800, 980, 0, 8820, 0, 0, 0}},
	    {"JPY refund, fee on too_large",
	     "JPY",
	     10,
	     10,
	     {4900, 1, 1, REASON_TOO_LARGE, REF},
	     {4900, 490, 0, 4410, 0, 0, 0}},
	    {"JPY refund, fee on changed_mind",
	     "JPY",
	     15,
	     10,
	     {3300, 1, 1, REASON_CHANGED_MIND, REF},
	     {3300, 495, 0, 2805, 0, 0, 0}},
	    {"JPY refund, no fee when the item is defective",
	     "JPY",
	     10,
	     10,
	     {4900, 1, 1, REASON_DEFECTIVE, REF},
	     {4900, 0, 0, 4900, 0, 0, 0}},
	    {"JPY refund, no fee when not as described",
	     "JPY",
	     10,
	     10,
	     {4900, 1, 1, REASON_NOT_AS_DESCRIBED, REF},
	     {4900, 0, 0, 4900, 0, 0, 0}},
	    {"JPY fee rounds down (in the customer's favour)",
	     "JPY",
	     15,
	     10,
	     {999, 1, 1, REASON_TOO_SMALL, REF},
	     {999, 149, 0, 850, 0, 0, 0}},
	    {"JPY store credit with 10% bonus",
	     "JPY",
	     10,
	     10,
	     {3300, 1, 1, REASON_CHANGED_MIND, CRE},
	     {3300, 0, 330, 3630, 0, 0, 0}},
	    {"JPY store credit bonus rounds down",
	     "JPY",
	     0,
	     10,
	     {1999, 1, 1, REASON_OTHER, CRE},
	     {1999, 0, 199, 2198, 0, 0, 0}},
	    {"JPY partial receipt: one of two arrived",
	     "JPY",
	     10,
	     10,
	     {4900, 2, 1, REASON_TOO_SMALL, REF},
	     {4900, 490, 0, 4410, 0, 0, 0}},
	    {"JPY missing item: nothing arrived, nothing paid",
	     "JPY",
	     10,
	     10,
	     {4900, 1, 0, REASON_TOO_SMALL, REF},
	     {0, 0, 0, 0, 0, 0, 0}},
	    {"JPY missing store-credit item",
	     "JPY",
	     0,
	     10,
	     {3300, 2, 0, REASON_OTHER, CRE},
	     {0, 0, 0, 0, 0, 0, 0}},
	    /* USD: cents. */
	    {"USD refund, 15% fee, cents round down",
	     "USD",
	     15,
	     10,
	     {12999, 1, 1, REASON_TOO_SMALL, REF},
	     {12999, 1949, 0, 11050, 0, 0, 0}},
	    {"USD refund of 2 of 3 belts, no fee on wrong_item",
	     "USD",
	     15,
	     10,
	     {1999, 3, 2, REASON_WRONG_ITEM, REF},
	     {3998, 0, 0, 3998, 0, 0, 0}},
	    {"USD store credit, 10% bonus",
	     "USD",
	     0,
	     10,
	     {12999, 1, 1, REASON_CHANGED_MIND, CRE},
	     {12999, 0, 1299, 14298, 0, 0, 0}},
	    {"USD store credit, no restocking fee even for changed_mind",
	     "USD",
	     20,
	     5,
	     {1999, 3, 3, REASON_CHANGED_MIND, CRE},
	     {5997, 0, 299, 6296, 0, 0, 0}},
	    /* Exchanges: no money, units. */
	    {"exchange: the unit arrived and one ships",
	     "JPY",
	     10,
	     10,
	     {4900, 1, 1, REASON_TOO_SMALL, EXC},
	     {4900, 0, 0, 0, 1, 0, 0}},
	    {"exchange: one of two arrived, one reserved unit goes back",
	     "USD",
	     10,
	     10,
	     {12999, 2, 1, REASON_TOO_LARGE, EXC},
	     {12999, 0, 0, 0, 1, 1, 0}},
	    {"exchange: nothing arrived, nothing ships",
	     "JPY",
	     10,
	     10,
	     {4900, 1, 0, REASON_TOO_SMALL, EXC},
	     {0, 0, 0, 0, 0, 1, 0}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy p;
		policy_default(&p, cases[i].currency);
		p.restocking_fee_percent = cases[i].fee_percent;
		p.store_credit_bonus_percent = cases[i].bonus_percent;
		struct resolve_money got;
		if (resolve_item(&p, &cases[i].in, &got) != KAERU_OK)
			fail_msg("%s: refused", cases[i].what);
		const struct resolve_money *w = &cases[i].want;
		if (memcmp(&got, w, sizeof(got)) != 0)
			fail_msg(
			    "%s: got gross %lld fee %lld bonus %lld amount %lld ship %lld release "
			    "%lld",
			    cases[i].what, (long long)got.gross, (long long)got.fee,
			    (long long)got.bonus, (long long)got.amount,
			    (long long)got.replacements, (long long)got.released);
	}
}

static void test_refused(void **state)
{
	(void)state;
	struct policy p;
	policy_default(&p, "JPY");
	struct resolve_money m;
	static const struct resolve_item bad[] = {
	    {4900, 1, 2, REASON_OTHER, REF},             /* more arrived than announced */
	    {4900, 1, -1, REASON_OTHER, REF},            /* negative count */
	    {-1, 1, 1, REASON_OTHER, REF},               /* negative price */
	    {INT64_MAX / 2, 3, 3, REASON_OTHER, CRE},    /* overflow */
	    {4900, 1, 1, REASON_OTHER, RESOLUTION__MAX}, /* no such resolution */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(resolve_item(&p, &bad[i], &m), KAERU_EINVALID);
}

/* Huge prices under the largest percentages a policy may hold (1000): refused, never
 * multiplied past int64 (UBSan ends the test when they are). The largest gross that fits is
 * settled exactly. */
static void test_huge_prices(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		int fee_percent, bonus_percent;
		struct resolve_item in;
		enum kaeru_err want;
	} cases[] = {
	    {"credit of INT64_MAX/20 at 100 %",
	     0,
	     100,
	     {INT64_MAX / 20, 1, 1, REASON_OTHER, CRE},
	     KAERU_EINVALID},
	    {"credit of INT64_MAX/20 at 10 %",
	     0,
	     10,
	     {INT64_MAX / 20, 1, 1, REASON_OTHER, CRE},
	     KAERU_EINVALID},
	    {"fee of INT64_MAX/101 at 1000 %",
	     1000,
	     0,
	     {INT64_MAX / 101, 1, 1, REASON_CHANGED_MIND, REF},
	     KAERU_EINVALID},
	    {"credit of 2 units just past INT64_MAX/1000 at 1000 %",
	     0,
	     1000,
	     {INT64_MAX / 1000 / 2 + 1, 2, 2, REASON_OTHER, CRE},
	     KAERU_EINVALID},
	    {"credit of INT64_MAX/1000 at 1000 %",
	     0,
	     1000,
	     {INT64_MAX / 1000, 1, 1, REASON_OTHER, CRE},
	     KAERU_OK},
	    {"fee of INT64_MAX/1000 at 1000 %",
	     1000,
	     0,
	     {INT64_MAX / 1000, 1, 1, REASON_CHANGED_MIND, REF},
	     KAERU_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy p;
		policy_default(&p, "JPY");
		p.restocking_fee_percent = cases[i].fee_percent;
		p.store_credit_bonus_percent = cases[i].bonus_percent;
		struct resolve_money m;
		enum kaeru_err e = resolve_item(&p, &cases[i].in, &m);
		if (e != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, e, cases[i].want);
	}
}

/* What the portal is told before the return is made: which reasons keep the fee, and what
 * store credit pays — the same rounding as settlement, on the whole amount. */
static void test_quotes(void **state)
{
	(void)state;
	struct policy p;
	policy_default(&p, "USD");
	assert_false(resolve_fee_applies(&p, REASON_TOO_SMALL)); /* no fee by default */
	p.restocking_fee_percent = 10;
	static const struct {
		enum reason r;
		bool fee;
	} reasons[] = {
	    {REASON_TOO_SMALL, true},
	    {REASON_TOO_LARGE, true},
	    {REASON_CHANGED_MIND, true},
	    {REASON_DEFECTIVE, false},
	    {REASON_DAMAGED, false},
	    {REASON_WRONG_ITEM, false},
	    {REASON_NOT_AS_DESCRIBED, false},
	    {REASON_ARRIVED_LATE, false},
	    {REASON_OTHER, false},
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (resolve_fee_applies(&p, reasons[i].r) != reasons[i].fee)
			fail_msg("%s: fee %d", reason_names[reasons[i].r], !reasons[i].fee);
	static const struct {
		int64_t unit_price, units, want;
	} credit[] = {
	    {1999, 1, 2198}, {1999, 2, 4397},        {1999, 3, 6596}, {12999, 1, 14298},
	    {0, 1, 0},       {INT64_MAX / 2, 3, -1}, /* beyond money arithmetic */
	};
	for (size_t i = 0; i < sizeof(credit) / sizeof(credit[0]); i++)
		assert_int_equal(resolve_store_credit(&p, credit[i].unit_price, credit[i].units),
		                 credit[i].want);
}

/* A whole return: a refunded T-shirt with a fee, a credited cap, a short exchange. */
static void test_totals(void **state)
{
	(void)state;
	struct policy p;
	policy_default(&p, "JPY");
	p.restocking_fee_percent = 10;
	static const struct resolve_item items[] = {
	    {4900, 2, 2, REASON_TOO_SMALL, REF},
	    {3300, 1, 1, REASON_CHANGED_MIND, CRE},
	    {4900, 2, 1, REASON_TOO_LARGE, EXC},
	    {1500, 1, 0, REASON_DEFECTIVE, REF},
	};
	struct resolve_totals t = {0};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct resolve_money m;
		assert_int_equal(resolve_item(&p, &items[i], &m), KAERU_OK);
		resolve_add(&t, &items[i], &m);
	}
	assert_int_equal(t.refund, 8820);
	assert_int_equal(t.fee, 980);
	assert_int_equal(t.store_credit, 3630);
	assert_int_equal(t.bonus, 330);
	assert_int_equal(t.replacements, 1);
	assert_int_equal(t.missing, 2);
	assert_string_equal(resolve_method(&t), "mixed");

	struct resolve_totals only_refund = {.refund = 100};
	struct resolve_totals only_credit = {.store_credit = 100};
	struct resolve_totals none = {.replacements = 1};
	assert_string_equal(resolve_method(&only_refund), "refund");
	assert_string_equal(resolve_method(&only_credit), "store_credit");
	assert_string_equal(resolve_method(&none), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_items),       cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_huge_prices), cmocka_unit_test(test_quotes),
	    cmocka_unit_test(test_totals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
