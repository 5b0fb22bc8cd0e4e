/* What a return is worth once its items are inspected: refunds less restocking fees, store
 * credit plus its bonus, replacement units for exchanges — all from what actually arrived.
 * Pure functions over integer minor units. */
#ifndef KAERU_CORE_RESOLVE_H
#define KAERU_CORE_RESOLVE_H

#include "core/domain.h"
#include "core/policy.h"

#include <stdbool.h>
#include <stdint.h>

/* One inspected item as resolution needs it. */
struct resolve_item {
	int64_t unit_price; /* minor units */
	int64_t quantity;   /* units the customer announced */
	int64_t received;   /* units that arrived, 0..quantity */
	enum reason reason;
	enum resolution resolution;
};

/* What one item settles to. For refunds amount = gross - fee; for store credit
 * amount = gross + bonus; exchanges carry no money but `replacements` units. */
struct resolve_money {
	int64_t gross;        /* unit_price × received */
	int64_t fee;          /* restocking fee withheld from a refund */
	int64_t bonus;        /* store-credit bonus */
	int64_t amount;       /* owed to the customer */
	int64_t replacements; /* exchange units to ship */
	int64_t released;     /* exchange units reserved but not needed (missing items) */
	int64_t withheld; /* kept back by the merchant's review decision (amount is net of it) */
};

/* The return's totals. */
struct resolve_totals {
	int64_t refund, fee, store_credit, bonus;
	int64_t replacements, missing;
	int64_t withheld; /* kept back by a review decision */
};

/* Settles one item under a policy. KAERU_EINVALID when received is outside 0..quantity or
 * the price is negative or the product would overflow. */
enum kaeru_err resolve_item(const struct policy *p, const struct resolve_item *in,
                            struct resolve_money *out);

/* True when a refund for reason r withholds a restocking fee under policy p. */
bool resolve_fee_applies(const struct policy *p, enum reason r);

/* What store credit for `units` units at unit_price pays once they arrive (bonus included), as
 * resolve_item will settle it; -1 when the amount is beyond what money arithmetic holds. */
int64_t resolve_store_credit(const struct policy *p, int64_t unit_price, int64_t units);

/* Adds one item's settlement to the totals. */
void resolve_add(struct resolve_totals *t, const struct resolve_item *in,
                 const struct resolve_money *m);

/* "refund", "store_credit", "mixed" or "none": how the money of a resolved return is paid. */
const char *resolve_method(const struct resolve_totals *t);

#endif
