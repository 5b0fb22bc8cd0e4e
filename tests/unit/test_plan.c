/* The plans of a return's life (core/lifecycle.h): for each change, a table of returns as loaded
 * and inputs, and what the plan must say — the status change, each item's changes, stock, money,
 * listings and events — or why it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/lifecycle.h"

#define DAY   86400
#define NOW   1795000000LL
#define TODAY (NOW / DAY) /* the merchant's local day, days since 1970-01-01 */

#define LI RETURN_LABEL_ISSUED
#define RC RETURN_RECEIVED
#define RS RETURN_RESOLVED
#define CA RETURN_CANCELED
#define EX RETURN_EXPIRED
#define NR RETURN_NEEDS_REVIEW

#define REF RESOLUTION_REFUND
#define CRE RESOLUTION_STORE_CREDIT
#define EXC RESOLUTION_EXCHANGE

/* Items: a ¥4,900 T-shirt ×2 refunded for size, a ¥3,300 cap ×1 on store credit, a T-shirt ×2
 * exchanged with 2 units reserved. */
#define TEE_REFUND                                                                                 \
	{                                                                                          \
		2, 4900, REASON_TOO_SMALL, REF, 0, false,                                          \
		{                                                                                  \
			0, -1, -1, NULL                                                            \
		}                                                                                  \
	}
#define CAP_CREDIT                                                                                 \
	{                                                                                          \
		1, 3300, REASON_DEFECTIVE, CRE, 0, false,                                          \
		{                                                                                  \
			0, -1, -1, NULL                                                            \
		}                                                                                  \
	}
#define TEE_EXCH                                                                                   \
	{                                                                                          \
		2, 4900, REASON_TOO_SMALL, EXC, 2, false,                                          \
		{                                                                                  \
			0, -1, -1, NULL                                                            \
		}                                                                                  \
	}

static const struct life_item pending3[] = {TEE_REFUND, CAP_CREDIT, TEE_EXCH};

static void fee_policy(struct policy *p)
{
	policy_default(p, "JPY");
	p->restocking_fee_percent = 10;
}

static void check_events(const struct plan *p, size_t n, const enum event_type *want,
                         const char *what)
{
	if (p->n_events != n)
		fail_msg("%s: %zu events, want %zu", what, p->n_events, n);
	for (size_t i = 0; i < n; i++)
		if (p->events[i].type != want[i])
			fail_msg("%s: event %zu is %s, want %s", what, i,
			         event_type_names[p->events[i].type], event_type_names[want[i]]);
}

/* Cancel, expire and receive: status in, what comes out. */
static void test_status_changes(void **state)
{
	(void)state;
	enum { CANCEL, EXPIRE, RECEIVE };
	static const struct {
		const char *what;
		int change;
		enum return_status status;
		int64_t expires_at;
		enum kaeru_err want;
		bool repeat;
		enum return_status to;
		enum refusal refusal;
		enum event_type event;
	} cases[] = {
	    {"cancel before the scan", CANCEL, LI, 0, KAERU_OK, false, CA, 0, EVENT_CANCELED},
	    {"cancel twice is a repeat", CANCEL, CA, 0, KAERU_OK, true, CA, 0, 0},
	    {"cancel once received is refused", CANCEL, RC, 0, KAERU_ECONFLICT, false, RC,
	     REFUSAL_STATUS, 0},
	    {"cancel once resolved is refused", CANCEL, RS, 0, KAERU_ECONFLICT, false, RS,
	     REFUSAL_STATUS, 0},
	    {"cancel once expired is refused", CANCEL, EX, 0, KAERU_ECONFLICT, false, EX,
	     REFUSAL_STATUS, 0},
	    {"expire a label past its validity", EXPIRE, LI, NOW - 60, KAERU_OK, false, EX, 0,
	     EVENT_EXPIRED},
	    {"expire at the very second", EXPIRE, LI, NOW, KAERU_OK, false, EX, 0, EVENT_EXPIRED},
	    {"a valid label does not expire", EXPIRE, LI, NOW + 60, KAERU_ECONFLICT, false, LI,
	     REFUSAL_NOT_DUE, 0},
	    {"expire twice is a repeat", EXPIRE, EX, NOW - 60, KAERU_OK, true, EX, 0, 0},
	    {"a received return never expires", EXPIRE, RC, NOW - 60, KAERU_ECONFLICT, false, RC,
	     REFUSAL_STATUS, 0},
	    {"a canceled return never expires", EXPIRE, CA, NOW - 60, KAERU_ECONFLICT, false, CA,
	     REFUSAL_STATUS, 0},
	    {"the first scan receives", RECEIVE, LI, 0, KAERU_OK, false, RC, 0, EVENT_RECEIVED},
	    {"a second scan is a repeat", RECEIVE, RC, 0, KAERU_OK, true, RC, 0, 0},
	    {"a scan after resolution is a repeat", RECEIVE, RS, 0, KAERU_OK, true, RS, 0, 0},
	    {"a canceled parcel is refused", RECEIVE, CA, 0, KAERU_ECONFLICT, false, CA,
	     REFUSAL_STATUS, 0},
	    {"an expired parcel is refused", RECEIVE, EX, 0, KAERU_ECONFLICT, false, EX,
	     REFUSAL_STATUS, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct life_return r = {cases[i].status, cases[i].expires_at, 3, pending3};
		struct plan p;
		enum kaeru_err e = cases[i].change == CANCEL   ? plan_cancel(&r, &p)
		                   : cases[i].change == EXPIRE ? plan_expire(&r, NOW, &p)
		                                               : plan_receive(&r, &p);
		const char *what = cases[i].what;
		if (e != cases[i].want)
			fail_msg("%s: got %d, want %d", what, e, cases[i].want);
		if (p.repeat != cases[i].repeat || p.refusal != cases[i].refusal)
			fail_msg("%s: repeat %d refusal %s", what, p.repeat,
			         refusal_names[p.refusal] ? refusal_names[p.refusal] : "none");
		if (p.from != cases[i].status || p.to != cases[i].to)
			fail_msg("%s: %s -> %s", what, return_status_names[p.from],
			         return_status_names[p.to]);
		assert_int_equal(plan_runs(&p), e == KAERU_OK && !cases[i].repeat);
		if (!plan_runs(&p)) {
			assert_int_equal(p.n_events, 0);
			continue;
		}
		check_events(&p, 1, &cases[i].event, what);
		/* The one transition table allows every change a plan makes. */
		assert_true(return_status_can(p.from, p.to));
		/* Withdrawing gives the exchange's two reserved units back; a scan moves no stock.
		 */
		bool withdraws = cases[i].change != RECEIVE;
		for (size_t k = 0; k < 3; k++) {
			int64_t release = withdraws ? pending3[k].reserved : 0;
			if (p.items[k].release != release || p.items[k].unreserve != (release > 0))
				fail_msg("%s: item %zu releases %lld", what, k,
				         (long long)p.items[k].release);
			assert_false(p.items[k].ledger || p.items[k].commit || p.items[k].restock ||
			             p.items[k].ship || p.items[k].list_units ||
			             p.items[k].inspect);
		}
		assert_false(p.resolves);
	}
}

#define INSP(q, g, d) ((struct life_inspection){q, g, d, NULL})

/* Inspections that refuse, repeat, or record without resolving. */
static void test_inspect(void **state)
{
	(void)state;
	struct policy pol;
	fee_policy(&pol);
	struct life_item inspected_first[3] = {TEE_REFUND, CAP_CREDIT, TEE_EXCH};
	inspected_first[0].inspected = true;
	inspected_first[0].inspection = INSP(2, GRADE_NEW, DISPOSITION_RESTOCK);
	static const struct {
		const char *what;
		enum return_status status;
		bool first_done; /* item 0 already inspected (new, restock, 2) */
		size_t item;
		struct life_inspection in;
		enum kaeru_err want;
		enum refusal refusal;
		bool repeat;
		int64_t list_units, list_price;
	} cases[] = {
	    {"before the scan",
	     LI,
	     false,
	     0,
	     {1, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_ECONFLICT,
	     REFUSAL_STATUS,
	     false,
	     0,
	     0},
	    {"a canceled return",
	     CA,
	     false,
	     0,
	     {1, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_ECONFLICT,
	     REFUSAL_STATUS,
	     false,
	     0,
	     0},
	    {"no such item",
	     RC,
	     false,
	     3,
	     {1, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_ENOTFOUND,
	     REFUSAL_NO_ITEM,
	     false,
	     0,
	     0},
	    {"more arrived than announced",
	     RC,
	     false,
	     0,
	     {3, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_EINVALID,
	     REFUSAL_RECEIVED_OVER,
	     false,
	     0,
	     0},
	    {"a negative count",
	     RC,
	     false,
	     0,
	     {-1, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_EINVALID,
	     REFUSAL_RECEIVED_OVER,
	     false,
	     0,
	     0},
	    {"units without a grade",
	     RC,
	     false,
	     0,
	     {1, -1, DISPOSITION_RESTOCK, NULL},
	     KAERU_EINVALID,
	     REFUSAL_NEEDS_GRADE,
	     false,
	     0,
	     0},
	    {"units without a disposition",
	     RC,
	     false,
	     0,
	     {1, GRADE_GOOD, -1, NULL},
	     KAERU_EINVALID,
	     REFUSAL_NEEDS_DISPOSAL,
	     false,
	     0,
	     0},
	    {"damaged units are never resold",
	     RC,
	     false,
	     0,
	     {1, GRADE_DAMAGED, DISPOSITION_RESALE, NULL},
	     KAERU_EINVALID,
	     REFUSAL_NOT_RESALABLE,
	     false,
	     0,
	     0},
	    {"damaged units may be recycled",
	     RC,
	     false,
	     0,
	     {1, GRADE_DAMAGED, DISPOSITION_RECYCLE, NULL},
	     KAERU_OK,
	     0,
	     false,
	     0,
	     0},
	    {"nothing arrived: no grade needed",
	     RC,
	     false,
	     0,
	     {0, -1, -1, NULL},
	     KAERU_OK,
	     0,
	     false,
	     0,
	     0},
	    {"like new for resale: two drafts at 75 % rounded to ¥10",
	     RC,
	     false,
	     0,
	     {2, GRADE_LIKE_NEW, DISPOSITION_RESALE, NULL},
	     KAERU_OK,
	     0,
	     false,
	     2,
	     3670},
	    {"fair for resale: 40 %",
	     RC,
	     false,
	     0,
	     {1, GRADE_FAIR, DISPOSITION_RESALE, NULL},
	     KAERU_OK,
	     0,
	     false,
	     1,
	     1960},
	    {"the same inspection again is a repeat",
	     RC,
	     true,
	     0,
	     {2, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_OK,
	     0,
	     true,
	     0,
	     0},
	    {"a repeat even once resolved",
	     RS,
	     true,
	     0,
	     {2, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_OK,
	     0,
	     true,
	     0,
	     0},
	    {"another inspection of an inspected item",
	     RC,
	     true,
	     0,
	     {1, GRADE_NEW, DISPOSITION_RESTOCK, NULL},
	     KAERU_ECONFLICT,
	     REFUSAL_INSPECTED,
	     false,
	     0,
	     0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct life_return r = {cases[i].status, 0, 3,
		                        cases[i].first_done ? inspected_first : pending3};
		struct plan p;
		enum kaeru_err e = plan_inspect(&r, &pol, cases[i].item, &cases[i].in, &p);
		const char *what = cases[i].what;
		if (e != cases[i].want || p.refusal != cases[i].refusal ||
		    p.repeat != cases[i].repeat)
			fail_msg("%s: got %d refusal %s repeat %d", what, e,
			         refusal_names[p.refusal] ? refusal_names[p.refusal] : "none",
			         p.repeat);
		if (!plan_runs(&p))
			continue;
		const struct item_plan *ip = &p.items[cases[i].item];
		assert_true(ip->inspect);
		assert_int_equal(ip->inspection.received, cases[i].in.received);
		if (ip->list_units != cases[i].list_units || ip->list_price != cases[i].list_price)
			fail_msg("%s: %lld drafts at %lld", what, (long long)ip->list_units,
			         (long long)ip->list_price);
		/* Other items pending: the return stays received, nothing settles yet. */
		assert_int_equal(p.to, RC);
		assert_false(p.resolves);
		assert_false(ip->ledger || ip->restock || ip->release);
		static const enum event_type inspected[] = {EVENT_INSPECTED};
		check_events(&p, 1, inspected, what);
	}
}

/* The last inspection resolves: money, shipments, stock and totals for every item. */
static void test_resolve(void **state)
{
	(void)state;
	struct policy pol;
	fee_policy(&pol);
	static const struct {
		const char *what;
		struct life_inspection tee, cap, exch; /* the exchange is inspected last */
		/* per item: ledger amount, fee, bonus; restock; exchange ship/commit/release */
		int64_t tee_amount, tee_fee, cap_amount, cap_bonus, tee_restock;
		int64_t ship, commit, release;
		struct resolve_totals totals;
	} cases[] = {
	    {"everything arrived",
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_LIKE_NEW, DISPOSITION_RESALE),
	     8820,
	     980,
	     3630,
	     330,
	     2,
	     2,
	     2,
	     0,
	     {8820, 980, 3630, 330, 2, 0, 0}},
	    {"one T-shirt missing, the cap missing, one exchange unit missing",
	     INSP(1, GRADE_GOOD, DISPOSITION_RESALE),
	     INSP(0, -1, -1),
	     INSP(1, GRADE_FAIR, DISPOSITION_REFURBISH),
	     4410,
	     490,
	     0,
	     0,
	     0,
	     1,
	     1,
	     1,
	     {4410, 490, 0, 0, 1, 3, 0}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct life_item items[3] = {TEE_REFUND, CAP_CREDIT, TEE_EXCH};
		items[0].inspected = items[1].inspected = true;
		items[0].inspection = cases[i].tee;
		items[1].inspection = cases[i].cap;
		struct life_return r = {RC, 0, 3, items};
		struct plan p;
		const char *what = cases[i].what;
		if (plan_inspect(&r, &pol, 2, &cases[i].exch, &p) != KAERU_OK || !plan_runs(&p))
			fail_msg("%s: refused %s", what, refusal_names[p.refusal]);
		assert_int_equal(p.from, RC);
		assert_int_equal(p.to, RS);
		assert_true(p.resolves);
		static const enum event_type both[] = {EVENT_INSPECTED, EVENT_RESOLVED};
		check_events(&p, 2, both, what);
		assert_int_equal(p.events[0].item, 2);
		const struct item_plan *tee = &p.items[0], *cap = &p.items[1], *ex = &p.items[2];
		if (tee->ledger != (cases[i].tee_amount > 0) ||
		    tee->money.amount != cases[i].tee_amount || tee->money.fee != cases[i].tee_fee)
			fail_msg("%s: tee settles to %lld fee %lld", what,
			         (long long)tee->money.amount, (long long)tee->money.fee);
		if (cap->ledger != (cases[i].cap_amount > 0) ||
		    cap->money.amount != cases[i].cap_amount ||
		    cap->money.bonus != cases[i].cap_bonus)
			fail_msg("%s: cap settles to %lld bonus %lld", what,
			         (long long)cap->money.amount, (long long)cap->money.bonus);
		assert_int_equal(tee->restock, cases[i].tee_restock);
		assert_false(ex->ledger);
		if (ex->ship != cases[i].ship || ex->commit != cases[i].commit ||
		    ex->release != cases[i].release || !ex->unreserve)
			fail_msg("%s: exchange ships %lld commits %lld releases %lld", what,
			         (long long)ex->ship, (long long)ex->commit,
			         (long long)ex->release);
		assert_true(ex->inspect);
		assert_false(tee->inspect || cap->inspect); /* inspected before */
		const struct resolve_totals *t = &p.totals, *w = &cases[i].totals;
		if (t->refund != w->refund || t->fee != w->fee ||
		    t->store_credit != w->store_credit || t->bonus != w->bonus ||
		    t->replacements != w->replacements || t->missing != w->missing)
			fail_msg("%s: totals refund %lld fee %lld credit %lld bonus %lld repl %lld "
			         "missing %lld",
			         what, (long long)t->refund, (long long)t->fee,
			         (long long)t->store_credit, (long long)t->bonus,
			         (long long)t->replacements, (long long)t->missing);
	}
	/* Prices past what the money arithmetic holds refuse the whole resolution. */
	struct life_item huge[1] = {{1, INT64_MAX / 10, REASON_TOO_SMALL, REF, 0, false, {0}}};
	struct life_return r = {RC, 0, 1, huge};
	struct plan p;
	assert_int_equal(plan_inspect(&r, &pol, 0, &INSP(1, GRADE_NEW, DISPOSITION_RESTOCK), &p),
	                 KAERU_EINVALID);
	assert_int_equal(p.refusal, REFUSAL_MONEY);
	assert_false(plan_runs(&p));
}

/* A new return from an order: a T-shirt line ×2, a final-sale line, a cap line with one unit
 * already returned, an undelivered-order case, a window closed. */
static void test_create(void **state)
{
	(void)state;
	struct policy pol;
	policy_default(&pol, "JPY");
	const struct life_line lines[] = {
	    {"1", "TEE-BLK-M", {2, 0, false, true, TODAY - 5}},
	    {"2", "SOCK-NVY", {1, 0, true, true, TODAY - 5}},
	    {"3", "CAP-RED", {2, 1, false, true, TODAY - 5}},
	    {"4", "OLD-ONE", {1, 0, false, true, TODAY - 40}},
	};
	static const struct {
		const char *what;
		struct life_request req[2];
		size_t n;
		enum kaeru_err want;
		enum refusal item_refusal[2];
		int64_t reserve[2];
	} cases[] = {
	    {"a refund of both T-shirts",
	     {{"1", 2, REASON_TOO_SMALL, REF, NULL}},
	     1,
	     KAERU_OK,
	     {0},
	     {0}},
	    {"an exchange reserves its units",
	     {{"1", 1, REASON_TOO_SMALL, EXC, "TEE-BLK-L"}, {"3", 1, REASON_DEFECTIVE, CRE, NULL}},
	     2,
	     KAERU_OK,
	     {0, 0},
	     {1, 0}},
	    {"not a line",
	     {{"9", 1, REASON_OTHER, REF, NULL}},
	     1,
	     KAERU_EINVALID,
	     {REFUSAL_NO_LINE},
	     {0}},
	    {"a line twice",
	     {{"1", 1, REASON_OTHER, REF, NULL}, {"1", 1, REASON_OTHER, REF, NULL}},
	     2,
	     KAERU_EINVALID,
	     {0, REFUSAL_LINE_TWICE},
	     {0, 0}},
	    {"final sale",
	     {{"2", 1, REASON_OTHER, REF, NULL}},
	     1,
	     KAERU_EINVALID,
	     {REFUSAL_INELIGIBLE},
	     {0}},
	    {"window closed",
	     {{"4", 1, REASON_OTHER, REF, NULL}},
	     1,
	     KAERU_EINVALID,
	     {REFUSAL_INELIGIBLE},
	     {0}},
	    {"more than remains returnable",
	     {{"3", 2, REASON_OTHER, REF, NULL}},
	     1,
	     KAERU_EINVALID,
	     {REFUSAL_QUANTITY},
	     {0}},
	    {"an exchange for the same sku",
	     {{"1", 1, REASON_TOO_SMALL, EXC, "TEE-BLK-M"}},
	     1,
	     KAERU_EINVALID,
	     {REFUSAL_SAME_VARIANT},
	     {0}},
	    {"no items", {{0}}, 0, KAERU_EINVALID, {0}, {0}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan p;
		const char *what = cases[i].what;
		enum kaeru_err e =
		    plan_create(&pol, lines, 4, cases[i].req, cases[i].n, NOW, TODAY, &p);
		if (e != cases[i].want)
			fail_msg("%s: got %d (%s)", what, e,
			         refusal_names[p.refusal] ? refusal_names[p.refusal] : "none");
		for (size_t k = 0; k < cases[i].n; k++) {
			if (p.items[k].refusal != cases[i].item_refusal[k])
				fail_msg("%s: item %zu refusal %s", what, k,
				         refusal_names[p.items[k].refusal]
				             ? refusal_names[p.items[k].refusal]
				             : "none");
			assert_int_equal(p.items[k].reserve, cases[i].reserve[k]);
		}
		if (e != KAERU_OK) {
			assert_false(plan_runs(&p));
			continue;
		}
		assert_int_equal(p.to, LI);
		assert_int_equal(p.expires_at, NOW + 30 * DAY);
		static const enum event_type created[] = {EVENT_CREATED};
		check_events(&p, 1, created, what);
	}
	/* The quantity refusal says how many units remain. */
	struct plan p;
	const struct life_request two_caps = {"3", 2, REASON_OTHER, REF, NULL};
	plan_create(&pol, lines, 4, &two_caps, 1, NOW, TODAY, &p);
	assert_int_equal(p.items[0].returnable, 1);
	assert_int_equal(p.from, RETURN__MAX);
	/* A plan holds RETURN_ITEMS_MAX items: more are refused, never written past. */
	static struct life_request many[RETURN_ITEMS_MAX + 1];
	for (size_t i = 0; i <= RETURN_ITEMS_MAX; i++)
		many[i] = two_caps;
	assert_int_equal(plan_create(&pol, lines, 4, many, RETURN_ITEMS_MAX + 1, NOW, TODAY, &p),
	                 KAERU_EINVALID);
	assert_int_equal(p.refusal, REFUSAL_NO_ITEMS);
	static struct life_item items[RETURN_ITEMS_MAX + 1];
	struct life_return big = {LI, 0, RETURN_ITEMS_MAX + 1, items};
	assert_int_equal(plan_cancel(&big, &p), KAERU_EINVALID);
	assert_false(plan_runs(&p));
}

/* Review holds: the last inspection of a received return holds it (needs_review) when a rule
 * of the merchant's trips, and resolves it otherwise. The T-shirt ×2 (too_small, refund) and the
 * cap (defective, credit) are inspected before; the exchange last. */
static void test_review_hold(void **state)
{
	(void)state;
	enum {
		D = 1u << REVIEW_DAMAGED,
		S = 1u << REVIEW_SHORT_RECEIPT,
		N = 1u << REVIEW_DEFECTIVE_NEW,
		A = 1u << REVIEW_AMOUNT_OVER
	};
	static const struct {
		const char *what;
		struct review_rules rules;
		struct life_inspection tee, cap, exch;
		unsigned held;
	} cases[] = {
	    {"no rules: damaged resolves by itself",
	     {false, false, false, -1},
	     INSP(2, GRADE_DAMAGED, DISPOSITION_RECYCLE),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     0},
	    {"damaged rule holds a damaged T-shirt",
	     {true, false, false, -1},
	     INSP(2, GRADE_DAMAGED, DISPOSITION_RECYCLE),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     D},
	    {"damaged rule holds when the last item is the damaged one",
	     {true, false, false, -1},
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_DAMAGED, DISPOSITION_RECYCLE),
	     D},
	    {"damaged rule lets good grades through",
	     {true, false, false, -1},
	     INSP(2, GRADE_GOOD, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     0},
	    {"short receipt: one T-shirt missing",
	     {false, true, false, -1},
	     INSP(1, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     S},
	    {"short receipt: everything arrived",
	     {false, true, false, -1},
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     0},
	    {"defective cap graded new",
	     {false, false, true, -1},
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     N},
	    {"new T-shirts (too_small) are no defective_new",
	     {false, false, true, -1},
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     0},
	    /* owed: refund 9800 (no fee in the default policy) + credit 3300 + 330 bonus = 13430 */
	    {"amount over 13429 holds 13430",
	     {false, false, false, 13429},
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     A},
	    {"amount over 13430 lets 13430 through",
	     {false, false, false, 13430},
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     0},
	    {"amount over 0 holds any money",
	     {false, false, false, 0},
	     INSP(1, GRADE_NEW, DISPOSITION_RESTOCK),
	     INSP(0, -1, -1),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     A},
	    {"several rules at once",
	     {true, true, false, 100},
	     INSP(1, GRADE_DAMAGED, DISPOSITION_RECYCLE),
	     INSP(1, GRADE_GOOD, DISPOSITION_RECYCLE),
	     INSP(2, GRADE_NEW, DISPOSITION_RESTOCK),
	     D | S | A},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy pol;
		policy_default(&pol, "JPY");
		pol.review = cases[i].rules;
		struct life_item items[3] = {TEE_REFUND, CAP_CREDIT, TEE_EXCH};
		items[0].inspected = items[1].inspected = true;
		items[0].inspection = cases[i].tee;
		items[1].inspection = cases[i].cap;
		struct life_return r = {RC, 0, 3, items};
		struct plan p;
		const char *what = cases[i].what;
		if (plan_inspect(&r, &pol, 2, &cases[i].exch, &p) != KAERU_OK || !plan_runs(&p))
			fail_msg("%s: refused %s", what, refusal_names[p.refusal]);
		if (p.held != cases[i].held)
			fail_msg("%s: held %#x, want %#x", what, p.held, cases[i].held);
		assert_true(p.items[2].inspect);
		if (cases[i].held) {
			/* Held: the inspection is stored, nothing settles yet. */
			assert_int_equal(p.to, NR);
			assert_false(p.resolves);
			for (size_t k = 0; k < 3; k++)
				assert_false(p.items[k].ledger || p.items[k].ship ||
				             p.items[k].restock || p.items[k].release ||
				             p.items[k].commit || p.items[k].unreserve);
			static const enum event_type held[] = {EVENT_INSPECTED, EVENT_NEEDS_REVIEW};
			check_events(&p, 2, held, what);
		} else {
			assert_int_equal(p.to, RS);
			assert_true(p.resolves);
		}
	}
}

/* The merchant's decision on a held return: the same effects as resolving, the money scaled. A
 * ¥4,900 T-shirt ×2 refunded (10 % fee: 8820 owed) and a ¥3,300 cap on credit (3630 owed), and
 * a USD return of a $19.99 belt ×3 refunded (5997 owed). */
static void test_decide(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		const char *currency;
		int percent;
		int64_t amount;
		enum kaeru_err want;
		int64_t first, second; /* items' amounts */
		int64_t withheld;
	} cases[] = {
	    {"JPY full refund", "JPY", 100, -1, KAERU_OK, 8820, 3630, 0},
	    {"JPY half: each item halved", "JPY", 50, -1, KAERU_OK, 4410, 1815, 6225},
	    {"JPY 33 %: rounded down per item", "JPY", 33, -1, KAERU_OK, 2910, 1197, 8343},
	    {"JPY nothing", "JPY", 0, -1, KAERU_OK, 0, 0, 12450},
	    {"JPY amount 10000: the T-shirts first, the rest on the cap", "JPY", -1, 10000,
	     KAERU_OK, 8820, 1180, 2450},
	    {"JPY amount 5000: all on the T-shirts", "JPY", -1, 5000, KAERU_OK, 5000, 0, 7450},
	    {"JPY amount of everything owed", "JPY", -1, 12450, KAERU_OK, 8820, 3630, 0},
	    {"JPY amount beyond what is owed", "JPY", -1, 12451, KAERU_EINVALID, 0, 0, 0},
	    {"JPY percent beyond 100", "JPY", 101, -1, KAERU_EINVALID, 0, 0, 0},
	    {"USD belts at 50 %: cents round down", "USD", 50, -1, KAERU_OK, 2998, 0, 2999},
	    {"USD belts $12.34", "USD", -1, 1234, KAERU_OK, 1234, 0, 4763},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy pol;
		fee_policy(&pol);
		bool usd = strcmp(cases[i].currency, "USD") == 0;
		struct life_item jpy[3] = {TEE_REFUND, CAP_CREDIT, TEE_EXCH};
		struct life_item belts[1] = {{3, 1999, REASON_WRONG_ITEM, REF, 0, false, {0}}};
		struct life_item *items = usd ? belts : jpy;
		size_t n = usd ? 1 : 3;
		for (size_t k = 0; k < n; k++) {
			items[k].inspected = true;
			items[k].inspection = (struct life_inspection){
			    items[k].quantity, k == 0 ? GRADE_DAMAGED : GRADE_GOOD,
			    DISPOSITION_RECYCLE, NULL};
		}
		struct life_return r = {NR, 0, n, items};
		struct life_decision d = {cases[i].percent, cases[i].amount, "checked"};
		struct plan p;
		const char *what = cases[i].what;
		enum kaeru_err e = plan_decide(&r, &pol, &d, &p);
		if (e != cases[i].want)
			fail_msg("%s: got %d, want %d", what, e, cases[i].want);
		if (e != KAERU_OK) {
			assert_int_equal(p.refusal, REFUSAL_DECISION);
			assert_false(plan_runs(&p));
			continue;
		}
		assert_int_equal(p.from, NR);
		assert_int_equal(p.to, RS);
		assert_true(p.resolves && p.decided);
		static const enum event_type both[] = {EVENT_DECIDED, EVENT_RESOLVED};
		check_events(&p, 2, both, what);
		int64_t second = n > 1 ? p.items[1].money.amount : 0;
		if (p.items[0].money.amount != cases[i].first || second != cases[i].second ||
		    p.totals.withheld != cases[i].withheld)
			fail_msg("%s: pays %lld and %lld, withholds %lld", what,
			         (long long)p.items[0].money.amount, (long long)second,
			         (long long)p.totals.withheld);
		assert_int_equal(p.totals.refund + p.totals.store_credit,
		                 cases[i].first + cases[i].second);
		assert_true(p.items[0].ledger); /* a ledger row even for nothing paid */
		if (!usd) {                     /* the exchange ships as it would */
			assert_int_equal(p.items[2].ship, 2);
			assert_int_equal(p.items[2].commit, 2);
		}
	}
	/* Only a held return can be decided. */
	struct life_item items[1] = {
	    {1, 4900, REASON_TOO_SMALL, REF, 0, true, {1, GRADE_NEW, DISPOSITION_RESTOCK, NULL}}};
	struct life_decision d = {100, -1, NULL};
	for (int s = 0; s < RETURN__MAX; s++) {
		if (s == NR)
			continue;
		struct life_return r = {(enum return_status)s, 0, 1, items};
		struct plan p;
		assert_int_equal(plan_decide(&r, NULL, &d, &p), KAERU_ECONFLICT);
		assert_int_equal(p.refusal, REFUSAL_STATUS);
	}
}

/* Reasons the merchant does not offer are refused on a new return. */
static void test_reasons_offered(void **state)
{
	(void)state;
	struct policy pol;
	policy_default(&pol, "JPY");
	pol.reasons_offered = REASONS_ALL & ~REASON_BIT(REASON_CHANGED_MIND);
	const struct life_line lines[] = {{"1", "TEE-BLK-M", {2, 0, false, true, TODAY - 5}}};
	struct life_request req[] = {{"1", 1, REASON_CHANGED_MIND, REF, NULL}};
	struct plan p;
	assert_int_equal(plan_create(&pol, lines, 1, req, 1, NOW, TODAY, &p), KAERU_EINVALID);
	assert_int_equal(p.items[0].refusal, REFUSAL_REASON);
	req[0].reason = REASON_TOO_SMALL;
	assert_int_equal(plan_create(&pol, lines, 1, req, 1, NOW, TODAY, &p), KAERU_OK);
}

/* The shop's refund acknowledgement: resolved returns only, a reference once, never over what is
 * due. */
static void test_refund_ack(void **state)
{
	(void)state;
	static const int64_t same = 5000, other = 4000;
	static const struct {
		const char *what;
		enum return_status status;
		int64_t owed, paid;
		const int64_t *seen;
		int64_t amount;
		enum refund_ack want;
	} cases[] = {
	    {"a first payment", RETURN_RESOLVED, 9800, 0, NULL, 5000, REFUND_ACK_NEW},
	    {"the rest, exactly", RETURN_RESOLVED, 9800, 5000, NULL, 4800, REFUND_ACK_NEW},
	    {"one more than due", RETURN_RESOLVED, 9800, 5000, NULL, 4801, REFUND_ACK_OVER_DUE},
	    {"anything once all is paid", RETURN_RESOLVED, 9800, 9800, NULL, 1,
	     REFUND_ACK_OVER_DUE},
	    {"the same reference and amount", RETURN_RESOLVED, 9800, 5000, &same, 5000,
	     REFUND_ACK_REPEAT},
	    {"the same reference, another amount", RETURN_RESOLVED, 9800, 5000, &other, 5000,
	     REFUND_ACK_OTHER_AMOUNT},
	    {"a repeat even once all is paid", RETURN_RESOLVED, 5000, 5000, &same, 5000,
	     REFUND_ACK_REPEAT},
	    {"before the return resolves", RETURN_RECEIVED, 0, 0, NULL, 1, REFUND_ACK_NOT_RESOLVED},
	    {"held for review", RETURN_NEEDS_REVIEW, 0, 0, NULL, 1, REFUND_ACK_NOT_RESOLVED},
	    {"canceled", RETURN_CANCELED, 0, 0, NULL, 1, REFUND_ACK_NOT_RESOLVED},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (refund_ack_decide(cases[i].status, cases[i].owed, cases[i].paid, cases[i].seen,
		                      cases[i].amount) != cases[i].want)
			fail_msg("%s", cases[i].what);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refund_ack), cmocka_unit_test(test_status_changes),
	    cmocka_unit_test(test_inspect),    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_create),     cmocka_unit_test(test_review_hold),
	    cmocka_unit_test(test_decide),     cmocka_unit_test(test_reasons_offered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
