#include "core/policy.h"

#include <string.h>

const char *const ineligible_names[INELIGIBLE__MAX] = {
    [INELIGIBLE_NONE] = NULL,
    [INELIGIBLE_FINAL_SALE] = "final_sale",
    [INELIGIBLE_ALREADY_RETURNED] = "already_returned",
    [INELIGIBLE_NOT_DELIVERED] = "not_delivered",
    [INELIGIBLE_WINDOW_CLOSED] = "window_closed",
};

static const struct {
	const char *code;
	int exponent;
} currencies[] = {
    {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"CLP", 0}, {"ISK", 0}, {"USD", 2}, {"EUR", 2},
    {"GBP", 2}, {"CAD", 2}, {"AUD", 2}, {"CHF", 2}, {"CNY", 2}, {"TWD", 2}, {"HKD", 2},
    {"SGD", 2}, {"NZD", 2}, {"BHD", 3}, {"KWD", 3}, {"JOD", 3}, {"OMR", 3}, {"TND", 3},
};

bool currency_known(const char *currency)
{
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(currencies[i].code, currency) == 0)
			return true;
	return false;
}

int currency_exponent(const char *currency)
{
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(currencies[i].code, currency) == 0)
			return currencies[i].exponent;
	return 2;
}

void policy_default(struct policy *p, const char *currency)
{
	static const int resale[GRADE__MAX] = {
	    [GRADE_NEW] = 90,  [GRADE_LIKE_NEW] = 75, [GRADE_GOOD] = 60,
	    [GRADE_FAIR] = 40, [GRADE_DAMAGED] = 0,
	};
	p->window_days = 30;
	p->restocking_fee_percent = 0;
	p->store_credit_bonus_percent = 10;
	p->label_validity_days = 30;
	memcpy(p->resale_percent, resale, sizeof(resale));
	/* JPY 10, USD 1.00: ten of the smallest coin-ish unit for zero-decimal currencies,
	 * one whole unit otherwise. */
	int e = currency_exponent(currency);
	p->price_step = e == 0 ? 10 : e == 2 ? 100 : 1000;
	p->reasons_offered = REASONS_ALL;
	p->fee_reasons = reasons_customers();
	p->price_floor_percent = 30;
	p->review = (struct review_rules){.amount_over = -1};
}

unsigned reasons_customers(void)
{
	unsigned set = 0;
	for (int r = 0; r < REASON__MAX; r++)
		if (reason_is_customers((enum reason)r))
			set |= REASON_BIT(r);
	return set;
}

int resale_low_percent(const struct policy *p)
{
	return p->price_floor_percent > RESALE_LOW_PERCENT ? p->price_floor_percent
	                                                   : RESALE_LOW_PERCENT;
}

bool resale_price_low(const struct policy *p, int64_t original, int64_t price)
{
	return (__int128)price * 100 < (__int128)original * resale_low_percent(p);
}

int64_t returnable_until(int64_t delivered_day, const struct policy *p)
{
	return delivered_day + p->window_days;
}

enum ineligible line_eligibility(const struct line_state *l, const struct policy *p, int64_t today,
                                 int64_t *returnable)
{
	*returnable = 0;
	if (l->final_sale)
		return INELIGIBLE_FINAL_SALE;
	if (l->returned >= l->quantity)
		return INELIGIBLE_ALREADY_RETURNED;
	if (!l->delivered)
		return INELIGIBLE_NOT_DELIVERED;
	if (today > returnable_until(l->delivered_day, p))
		return INELIGIBLE_WINDOW_CLOSED;
	*returnable = l->quantity - l->returned;
	return INELIGIBLE_NONE;
}

int64_t money_percent(int64_t amount, int percent)
{
	/* Callers keep amount ≤ MONEY_PERCENT_AMOUNT_MAX (resolve_item checks; unit prices are
	 * ≤ 10^12) and policies hold percentages ≤ 100. */
	return amount * percent / 100;
}

int64_t money_round_down(int64_t amount, int64_t step)
{
	if (step <= 0)
		return amount;
	return amount - amount % step;
}

int64_t resale_price(const struct policy *p, enum grade g, int64_t original)
{
	if ((int)g < 0 || g >= GRADE__MAX || original <= 0)
		return 0;
	int64_t raw = money_percent(original, p->resale_percent[g]);
	int64_t rounded = money_round_down(raw, p->price_step);
	return rounded > 0 ? rounded : raw;
}
