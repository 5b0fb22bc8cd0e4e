/* A merchant's return policy and the rules that read it: eligibility of an order line,
 * money arithmetic in integer minor units. Pure functions. */
#ifndef KAERU_CORE_POLICY_H
#define KAERU_CORE_POLICY_H

#include "core/domain.h"

#include <stdbool.h>
#include <stdint.h>

/* The review rules: an inspected return is held (needs_review) instead of resolving when any
 * rule it trips is on. */
struct review_rules {
	bool damaged;        /* any item graded damaged */
	bool short_receipt;  /* fewer units arrived than announced */
	bool defective_new;  /* an item returned as defective graded new */
	int64_t amount_over; /* money owed (refund + credit) above this; < 0: off */
};

struct policy {
	int window_days;                /* days from delivery a return may start [30] */
	int restocking_fee_percent;     /* on customer's-own reasons [0] */
	int store_credit_bonus_percent; /* [10] */
	int label_validity_days;        /* an unscanned label expires after this [30] */
	int resale_percent[GRADE__MAX]; /* resale price as % of original, by grade */
	int64_t price_step;             /* resale prices round down to this, minor units */
	unsigned reasons_offered;       /* bit r: reason r is offered to customers [all] */
	unsigned fee_reasons;           /* bit r: refunds for reason r withhold the fee [own] */
	int price_floor_percent;        /* resale prices below this % of original need a confirm */
	struct review_rules review;     /* which inspected returns wait for a person [none] */
};

/* Bits of enum reason in a reason set. */
#define REASON_BIT(r) (1u << (unsigned)(r))
#define REASONS_ALL   ((1u << REASON__MAX) - 1u)
/* The customer's own reasons (reason_is_customers): the default fee_reasons. */
unsigned reasons_customers(void);

/* The defaults of BRIEF.md for a currency ("JPY", "USD", ...). */
void policy_default(struct policy *p, const char *currency);

enum ineligible {
	INELIGIBLE_NONE,
	INELIGIBLE_FINAL_SALE,
	INELIGIBLE_ALREADY_RETURNED,
	INELIGIBLE_NOT_DELIVERED,
	INELIGIBLE_WINDOW_CLOSED,
	INELIGIBLE__MAX
};
extern const char *const ineligible_names[INELIGIBLE__MAX]; /* [NONE] is NULL */

struct line_state {
	int64_t quantity; /* ordered */
	int64_t returned; /* units in returns that count (see return_status_counts) */
	bool final_sale;
	bool delivered;
	int64_t delivered_day; /* the merchant's local day of delivery, days since 1970-01-01 */
};

/* The last local day a line delivered on local day delivered_day may be returned: the window
 * counts the merchant's calendar days, so delivered on day D with a window of N days, it may
 * be returned through day D + N inclusive, whatever the hour of delivery or the length of the
 * days between (daylight saving time). */
int64_t returnable_until(int64_t delivered_day, const struct policy *p);

/* Decides whether a line can be returned on the merchant's local day today (days since
 * 1970-01-01). Sets *returnable to the units that may still be returned (0 when ineligible).
 * The first failing rule in the enum's order wins. */
enum ineligible line_eligibility(const struct line_state *l, const struct policy *p, int64_t today,
                                 int64_t *returnable);

/* True for the ISO 4217 currencies kaeru knows the minor unit of. */
bool currency_known(const char *currency);
/* Decimal places of a currency's minor unit (JPY 0, USD 2, ...); 2 when unknown. */
int currency_exponent(const char *currency);

/* The largest percentage money_percent takes, and so the largest amount it can take at any
 * percentage without overflowing: callers check amounts against MONEY_PERCENT_AMOUNT_MAX. */
#define MONEY_PERCENT_MAX        1000
#define MONEY_PERCENT_AMOUNT_MAX (INT64_MAX / MONEY_PERCENT_MAX)

/* amount × percent / 100, rounded down (in the merchant's favour for fees, the customer's
 * never below the amount for bonuses). 0 ≤ amount ≤ MONEY_PERCENT_AMOUNT_MAX,
 * 0 ≤ percent ≤ MONEY_PERCENT_MAX. */
int64_t money_percent(int64_t amount, int percent);

/* Rounds amount down to a multiple of step (step ≤ 0 leaves it unchanged). */
int64_t money_round_down(int64_t amount, int64_t step);

/* The suggested resale price of an item first sold at original: the policy's percentage for
 * the grade, rounded down to the price step — or, when that rounds to nothing, the percentage
 * alone. 0 for grades that are not resold (damaged). */
int64_t resale_price(const struct policy *p, enum grade g, int64_t original);

/* Below this share of the original price a resale price is a mistake until the merchant says
 * otherwise, whatever the merchant's own floor. */
#define RESALE_LOW_PERCENT 30

/* The percentage of the original price below which a listing's price needs the merchant's
 * confirmation: RESALE_LOW_PERCENT or the merchant's floor, whichever is higher. */
int resale_low_percent(const struct policy *p);

/* True when price (minor units, ≥ 0) for an item first sold at original (≥ 0) is below
 * resale_low_percent of it. Exact for every int64 pair. */
bool resale_price_low(const struct policy *p, int64_t original, int64_t price);

#endif
