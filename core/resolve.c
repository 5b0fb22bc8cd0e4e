#include "core/resolve.h"

enum kaeru_err resolve_item(const struct policy *p, const struct resolve_item *in,
                            struct resolve_money *out)
{
	*out = (struct resolve_money){0};
	if (in->received < 0 || in->received > in->quantity || in->unit_price < 0)
		return KAERU_EINVALID;
	int64_t gross;
	if (__builtin_mul_overflow(in->unit_price, in->received, &gross) ||
	    gross > MONEY_PERCENT_AMOUNT_MAX)
		return KAERU_EINVALID; /* money_percent multiplies it by up to MONEY_PERCENT_MAX */
	out->gross = gross;
	switch (in->resolution) {
	case RESOLUTION_REFUND:
		if (resolve_fee_applies(p, in->reason))
			out->fee = money_percent(gross, p->restocking_fee_percent);
		out->amount = gross - out->fee;
		break;
	case RESOLUTION_STORE_CREDIT:
		out->bonus = money_percent(gross, p->store_credit_bonus_percent);
		out->amount = gross + out->bonus;
		break;
	case RESOLUTION_EXCHANGE:
		out->replacements = in->received;
		out->released = in->quantity - in->received;
		break;
	case RESOLUTION__MAX:
		return KAERU_EINVALID;
	}
	return KAERU_OK;
}

bool resolve_fee_applies(const struct policy *p, enum reason r)
{
	return (p->fee_reasons & REASON_BIT(r)) && p->restocking_fee_percent > 0;
}

int64_t resolve_store_credit(const struct policy *p, int64_t unit_price, int64_t units)
{
	struct resolve_item in = {unit_price, units, units, REASON_OTHER, RESOLUTION_STORE_CREDIT};
	struct resolve_money m;
	return resolve_item(p, &in, &m) == KAERU_OK ? m.amount : -1;
}

void resolve_add(struct resolve_totals *t, const struct resolve_item *in,
                 const struct resolve_money *m)
{
	if (in->resolution == RESOLUTION_REFUND) {
		t->refund += m->amount;
		t->fee += m->fee;
	} else if (in->resolution == RESOLUTION_STORE_CREDIT) {
		t->store_credit += m->amount;
		t->bonus += m->bonus;
	}
	t->withheld += m->withheld;
	t->replacements += m->replacements;
	t->missing += in->quantity - in->received;
}

const char *resolve_method(const struct resolve_totals *t)
{
	if (t->refund > 0 && t->store_credit > 0)
		return "mixed";
	if (t->refund > 0)
		return "refund";
	if (t->store_credit > 0)
		return "store_credit";
	return "none";
}
