// clang-format off
/* A return's life, decided here and nowhere else.
 *
 *                    ┌─ cancel (the customer, before the scan) ──────────────► canceled
 *                    │
 *   create ─► label_issued ─ receive (first scan) ─► received ─ inspect ─► resolved
 *                    │                                 (item by item; the last resolves)
 *                    │                                   │                    ▲
 *                    │      a review rule tripped ─────► needs_review ─ decide┘
 *                    └─ expire (kaeru: the label's validity passed unscanned) ► expired
 *
 * create   A customer picks lines of a delivered order: for each, units within what the line may
 *          still return (line_eligibility), a reason, and a refund, store credit or an exchange
 *          for another variant, whose units are reserved now. Each item keeps what was bought
 *          (sku, product, name, variant, category, unit price) as the order said then.
 * cancel   Before the parcel is scanned: the exchange reservations go back to stock. A second
 *          cancel is a repeat (nothing to do); a received return is refused.
 * expire   The same, by kaeru, once the label's validity passed without a scan.
 * receive  The first scan of the parcel. Later scans are repeats; a canceled or expired parcel
 *          is refused (staff set it aside).
 * inspect  One item: the units that arrived (at most those announced) and, when any did, their
 *          grade and disposition — a grade the policy does not resell (damaged) is never sent to
 *          resale. Units sent to resale become listing drafts at the policy's price for the grade
 *          (resale_price). The same inspection again is a repeat; another one is refused.
 * resolve  Part of the plan of the last inspection: every item settles (resolve_item) — a ledger
 *          row for a refund or store credit, the exchange's replacement units shipped from its
 *          reservation and the rest released, restocked units back on the shelf — and the
 *          return's totals are computed here once and stored with the status.
 * hold     Instead of resolve, when the merchant's review rules (policy.review) trip on the
 *          inspected return: any item damaged, fewer units than announced, a defective item
 *          graded new, money owed above an amount. The return waits in needs_review.
 * decide   The merchant resolves a held return: resolve, with the money owed scaled by the
 *          decision (a percentage or an amount); what is kept back is each item's `withheld`.
 *
 * Each change is a pure function of the return as loaded (struct life_return), the merchant's
 * policy and the input. It fills a struct plan: the status change (checked against
 * return_status_can, the one transition table), per item what changes — the item's row, stock
 * moves, a ledger row, a shipment, listing drafts — the totals, and the events. It writes
 * nothing: db/plan.c runs a plan in one transaction whose UPDATEs bind the plan's from-status
 * (and an inspected item's pending state), so a plan made from a stale read changes nothing
 * (KAERU_ERETRY) and the transaction loads and plans again.
 *
 * Example: inspecting the last item of a received return of one T-shirt (¥4,900, too_small,
 * refund, 10 % restocking fee) that arrived like_new for resale gives
 *   from received to resolved; item 0: inspect {1, like_new, resale}, listing drafts 1 at ¥3,670,
 *   ledger refund {gross 4900, fee 490, amount 4410}; totals refund 4410, fee 490;
 *   events inspected (item 0), resolved. */
// clang-format on
#ifndef KAERU_CORE_LIFECYCLE_H
#define KAERU_CORE_LIFECYCLE_H

#include "core/domain.h"
#include "core/policy.h"
#include "core/resolve.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Items one return may hold, and units of one item. */
#define RETURN_ITEMS_MAX    100
#define RETURN_QUANTITY_MAX 10000

/* What an inspection records of one item. grade and disposition are -1 when nothing arrived. */
struct life_inspection {
	int64_t received;
	int grade, disposition;
	const char *note; /* NULL for none */
};

/* One item of a return as the rules see it. */
struct life_item {
	int64_t quantity;   /* units announced */
	int64_t unit_price; /* what one unit cost the customer, minor units */
	enum reason reason;
	enum resolution resolution;
	int64_t reserved; /* exchange units held in stock for it */
	bool inspected;
	struct life_inspection inspection; /* when inspected */
};

/* A return as the rules see it. */
struct life_return {
	enum return_status status;
	int64_t expires_at; /* Unix seconds: an unscanned label expires then */
	size_t n_items;
	const struct life_item *items;
};

/* Why a change is refused. */
enum refusal {
	REFUSAL_NONE,
	REFUSAL_STATUS,         /* the return's status does not allow the change */
	REFUSAL_NOT_DUE,        /* expire: the label is still valid */
	REFUSAL_NO_ITEM,        /* inspect: no such item */
	REFUSAL_INSPECTED,      /* inspect: already inspected with other values */
	REFUSAL_RECEIVED_OVER,  /* inspect: more units than announced */
	REFUSAL_NEEDS_GRADE,    /* inspect: units arrived without a grade */
	REFUSAL_NEEDS_DISPOSAL, /* inspect: units arrived without a disposition */
	REFUSAL_NOT_RESALABLE,  /* inspect: this grade is not resold */
	REFUSAL_MONEY,          /* amounts beyond what the money arithmetic holds */
	REFUSAL_NO_LINE,        /* create: not a line of the order */
	REFUSAL_LINE_TWICE,     /* create: the line appears twice */
	REFUSAL_INELIGIBLE,     /* create: the line cannot be returned (item.ineligible says why) */
	REFUSAL_QUANTITY,       /* create: more units than returnable (item.returnable) */
	REFUSAL_SAME_VARIANT,   /* create: an exchange for the very sku returned */
	REFUSAL_NO_ITEMS,       /* no items (create), or more than RETURN_ITEMS_MAX */
	REFUSAL_ITEMS,          /* create: items are refused (each item's refusal says why) */
	REFUSAL_REASON,         /* create: the merchant does not offer this reason */
	REFUSAL_DECISION,       /* decide: more than is owed, or a percentage beyond 0..100 */
	REFUSAL__MAX
};
extern const char *const refusal_names[REFUSAL__MAX]; /* [NONE] is NULL */

/* Who an event is by: the customer, a staff member (the caller names them), or kaeru. */
enum actor { ACTOR_CUSTOMER, ACTOR_STAFF, ACTOR_KAERU };

struct plan_event {
	enum event_type type;
	enum actor actor;
	size_t item; /* inspected: the item */
};

/* What happens to one item. Stock moves are units of the exchange sku (reserve, release,
 * commit) or of the item's own sku (restock). */
struct item_plan {
	enum refusal refusal; /* create, inspect: why this item is refused */
	enum ineligible ineligible;
	int64_t returnable; /* REFUSAL_QUANTITY: the most that may be returned */
	size_t line;        /* create: index of its order line */
	bool inspect;       /* store `inspection` (the item must still be pending) */
	struct life_inspection inspection;
	bool unreserve;             /* its reservation is settled: reserved becomes 0 */
	int64_t reserve;            /* create: exchange units taken into reserve */
	int64_t release;            /* reserved units given back to stock */
	int64_t commit;             /* reserved units leaving stock for a shipment */
	int64_t restock;            /* returned units back on the shelf */
	bool ledger;                /* a ledger row of `money` (refund or store credit) */
	struct resolve_money money; /* resolve: what the item settles to */
	int64_t ship;               /* replacement units shipped */
	int64_t list_units;         /* listing drafts, one per unit */
	int64_t list_price;         /* their suggested price */
};

enum plan_kind {
	PLAN_CREATE,
	PLAN_CANCEL,
	PLAN_EXPIRE,
	PLAN_RECEIVE,
	PLAN_INSPECT,
	PLAN_DECIDE,
	PLAN__MAX
};

/* The review rules a return tripped (struct plan.held), one bit each. */
enum review_rule {
	REVIEW_DAMAGED,
	REVIEW_SHORT_RECEIPT,
	REVIEW_DEFECTIVE_NEW,
	REVIEW_AMOUNT_OVER,
	REVIEW__MAX
};
extern const char *const review_rule_names[REVIEW__MAX];

/* The merchant's decision on a held return: what of the money owed (refunds and store credit,
 * after fees and bonuses, as automatic resolution would settle it) the customer gets — a
 * percentage of each item's amount (rounded down), or an amount taken from the items in their
 * order. Exchanges ship as they would. */
struct life_decision {
	int percent;      /* 0..100, or -1 when amount is given */
	int64_t amount;   /* 0..owed, or -1 when percent is given */
	const char *note; /* for the customer; NULL for none */
};

struct plan {
	enum plan_kind kind;
	bool repeat;             /* already done: nothing to run, answer as it stands */
	enum refusal refusal;    /* not NONE: refused, nothing to run (items may say more) */
	enum return_status from; /* the status the plan was made from (create: RETURN__MAX) */
	enum return_status to;   /* == from: the status stays */
	int64_t expires_at;      /* create: when the label expires, Unix seconds */
	size_t n_items;
	struct item_plan items[RETURN_ITEMS_MAX];
	bool resolves; /* the return resolves: `totals` are stored with the status */
	struct resolve_totals totals;
	size_t n_events;
	struct plan_event events[2];
	unsigned held; /* inspect: the review rules tripped (bits of enum review_rule); to is
	                  needs_review */
	bool decided;  /* decide: `decision` was applied to the money */
	struct life_decision decision;
	int64_t owed; /* decide: what automatic resolution would owe (REFUSAL_DECISION: the most) */
};

/* True when a plan has something to run. */
bool plan_runs(const struct plan *p);

/* True when units of grade g may be sent to resale under policy p. */
bool grade_resalable(const struct policy *p, enum grade g);

/* The following fill *p and return KAERU_OK for a plan to run or a repeat, KAERU_ECONFLICT
 * when the return's state refuses the change, KAERU_EINVALID when the input does (p->refusal
 * and, for items, p->items[i].refusal say why). */

enum kaeru_err plan_cancel(const struct life_return *r, struct plan *p);
/* At time now (Unix seconds). */
enum kaeru_err plan_expire(const struct life_return *r, int64_t now, struct plan *p);
enum kaeru_err plan_receive(const struct life_return *r, struct plan *p);
/* Inspects item `item` and, when it is the last one pending, resolves the return. */
enum kaeru_err plan_inspect(const struct life_return *r, const struct policy *pol, size_t item,
                            const struct life_inspection *in, struct plan *p);

/* The review rules of pol that inspecting item `item` with `in` (the last pending one) would
 * trip, as bits of enum review_rule; 0 when the return may resolve by itself. */
unsigned review_held(const struct life_return *r, const struct policy *pol, size_t item,
                     const struct life_inspection *in);

/* Resolves a return held for review (needs_review) as the merchant decided: the same ledger,
 * stock, shipment effects as automatic resolution, with the money scaled by the decision
 * (struct life_decision). KAERU_ECONFLICT when the return is not held; KAERU_EINVALID
 * (REFUSAL_DECISION, p->owed the most) when the decision asks for more than is owed. */
enum kaeru_err plan_decide(const struct life_return *r, const struct policy *pol,
                           const struct life_decision *d, struct plan *p);

/* An order line as a new return sees it. */
struct life_line {
	const char *line_id, *sku;
	struct line_state state;
};
/* One requested item of a new return. */
struct life_request {
	const char *line_id;
	int64_t quantity;
	enum reason reason;
	enum resolution resolution;
	const char *exchange_sku; /* exchanges only */
};
/* A new return of the requested items from the order's lines at time now (Unix seconds), on
 * the merchant's local day today (days since 1970-01-01, as the lines' delivered_day). Items
 * refused say why in p->items[i] (all are checked); the plan's items follow the request's
 * order. */
enum kaeru_err plan_create(const struct policy *pol, const struct life_line *lines, size_t n_lines,
                           const struct life_request *req, size_t n_req, int64_t now, int64_t today,
                           struct plan *p);

/* The shop's word that it paid `amount` of a return's refund under a payment reference: a
 * resolved return only; the same reference again is a repeat when its amount is the same and a
 * conflict when not; never more than is still due (owed less paid). seen_amount is the amount
 * already recorded under the reference, or NULL when there is none. */
enum refund_ack {
	REFUND_ACK_NEW,          /* record it */
	REFUND_ACK_REPEAT,       /* recorded already: answer as it stands */
	REFUND_ACK_NOT_RESOLVED, /* the return's status refuses it (409) */
	REFUND_ACK_OTHER_AMOUNT, /* the reference was acknowledged with another amount (409) */
	REFUND_ACK_OVER_DUE,     /* more than is still due (422 naming amount) */
};
enum refund_ack refund_ack_decide(enum return_status status, int64_t owed, int64_t paid,
                                  const int64_t *seen_amount, int64_t amount);

#endif
