/* The plans of a return's life: see lifecycle.h. */
#include "core/lifecycle.h"

#include <string.h>

const char *const refusal_names[REFUSAL__MAX] = {
    [REFUSAL_NONE] = NULL,
    [REFUSAL_STATUS] = "status",
    [REFUSAL_NOT_DUE] = "not_due",
    [REFUSAL_NO_ITEM] = "no_item",
    [REFUSAL_INSPECTED] = "inspected",
    [REFUSAL_RECEIVED_OVER] = "received_over",
    [REFUSAL_NEEDS_GRADE] = "needs_grade",
    [REFUSAL_NEEDS_DISPOSAL] = "needs_disposition",
    [REFUSAL_NOT_RESALABLE] = "not_resalable",
    [REFUSAL_MONEY] = "money",
    [REFUSAL_NO_LINE] = "no_line",
    [REFUSAL_LINE_TWICE] = "line_twice",
    [REFUSAL_INELIGIBLE] = "ineligible",
    [REFUSAL_QUANTITY] = "quantity",
    [REFUSAL_SAME_VARIANT] = "same_variant",
    [REFUSAL_NO_ITEMS] = "no_items",
    [REFUSAL_ITEMS] = "items",
    [REFUSAL_REASON] = "reason",
    [REFUSAL_DECISION] = "decision",
};

const char *const review_rule_names[REVIEW__MAX] = {
    [REVIEW_DAMAGED] = "damaged",
    [REVIEW_SHORT_RECEIPT] = "short_receipt",
    [REVIEW_DEFECTIVE_NEW] = "defective_new",
    [REVIEW_AMOUNT_OVER] = "amount_over",
};

enum refund_ack refund_ack_decide(enum return_status status, int64_t owed, int64_t paid,
                                  const int64_t *seen_amount, int64_t amount)
{
	if (status != RETURN_RESOLVED)
		return REFUND_ACK_NOT_RESOLVED;
	if (seen_amount)
		return *seen_amount == amount ? REFUND_ACK_REPEAT : REFUND_ACK_OTHER_AMOUNT;
	return amount > owed - paid ? REFUND_ACK_OVER_DUE : REFUND_ACK_NEW;
}

bool plan_runs(const struct plan *p)
{
	return !p->repeat && p->refusal == REFUSAL_NONE;
}

bool grade_resalable(const struct policy *p, enum grade g)
{
	return (int)g >= 0 && g < GRADE__MAX && g != GRADE_DAMAGED && p->resale_percent[g] > 0;
}

/* An empty plan of kind k for a return of status s with n items; false (and the plan refused)
 * when a plan cannot hold that many. */
static bool plan_start(struct plan *p, enum plan_kind k, enum return_status s, size_t n)
{
	*p = (struct plan){0};
	p->kind = k;
	p->from = p->to = s;
	if (n > RETURN_ITEMS_MAX) {
		p->refusal = REFUSAL_NO_ITEMS;
		return false;
	}
	p->n_items = n;
	return true;
}

static enum kaeru_err refuse(struct plan *p, enum refusal why, enum kaeru_err e)
{
	p->refusal = why;
	return e;
}

/* Moves the plan to status `to`, checked against the one transition table. */
static enum kaeru_err plan_move(struct plan *p, enum return_status to)
{
	if (!return_status_can(p->from, to))
		return refuse(p, REFUSAL_STATUS, KAERU_ECONFLICT);
	p->to = to;
	return KAERU_OK;
}

static void plan_event(struct plan *p, enum event_type type, enum actor actor, size_t item)
{
	p->events[p->n_events++] = (struct plan_event){type, actor, item};
}

/* Cancel and expire: every reservation goes back to stock, the status moves to `to`. */
static enum kaeru_err plan_withdraw(const struct life_return *r, struct plan *p,
                                    enum return_status to, enum event_type ev, enum actor by)
{
	enum kaeru_err e = plan_move(p, to);
	if (e != KAERU_OK)
		return e;
	for (size_t i = 0; i < r->n_items; i++) {
		if (r->items[i].reserved <= 0)
			continue;
		p->items[i].release = r->items[i].reserved;
		p->items[i].unreserve = true;
	}
	plan_event(p, ev, by, 0);
	return KAERU_OK;
}

enum kaeru_err plan_cancel(const struct life_return *r, struct plan *p)
{
	if (!plan_start(p, PLAN_CANCEL, r->status, r->n_items))
		return KAERU_EINVALID;
	if (r->status == RETURN_CANCELED) {
		p->repeat = true; /* a second cancel changes nothing */
		return KAERU_OK;
	}
	return plan_withdraw(r, p, RETURN_CANCELED, EVENT_CANCELED, ACTOR_CUSTOMER);
}

enum kaeru_err plan_expire(const struct life_return *r, int64_t now, struct plan *p)
{
	if (!plan_start(p, PLAN_EXPIRE, r->status, r->n_items))
		return KAERU_EINVALID;
	if (r->status == RETURN_EXPIRED) {
		p->repeat = true;
		return KAERU_OK;
	}
	if (r->status == RETURN_LABEL_ISSUED && now < r->expires_at)
		return refuse(p, REFUSAL_NOT_DUE, KAERU_ECONFLICT);
	return plan_withdraw(r, p, RETURN_EXPIRED, EVENT_EXPIRED, ACTOR_KAERU);
}

enum kaeru_err plan_receive(const struct life_return *r, struct plan *p)
{
	if (!plan_start(p, PLAN_RECEIVE, r->status, r->n_items))
		return KAERU_EINVALID;
	if (r->status == RETURN_RECEIVED || r->status == RETURN_RESOLVED) {
		p->repeat = true; /* a later scan of a parcel already here */
		return KAERU_OK;
	}
	enum kaeru_err e = plan_move(p, RETURN_RECEIVED);
	if (e == KAERU_OK)
		plan_event(p, EVENT_RECEIVED, ACTOR_STAFF, 0);
	return e;
}

static bool same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool same_inspection(const struct life_inspection *a, const struct life_inspection *b)
{
	return a->received == b->received && a->grade == b->grade &&
	       a->disposition == b->disposition && same_text(a->note, b->note);
}

/* The input's own rules, whatever the return's state. */
static enum refusal inspection_refusal(const struct policy *pol, const struct life_item *it,
                                       const struct life_inspection *in)
{
	if (in->received < 0 || in->received > it->quantity)
		return REFUSAL_RECEIVED_OVER;
	if (in->received == 0)
		return REFUSAL_NONE;
	if (in->grade < 0 || in->grade >= GRADE__MAX)
		return REFUSAL_NEEDS_GRADE;
	if (in->disposition < 0 || in->disposition >= DISPOSITION__MAX)
		return REFUSAL_NEEDS_DISPOSAL;
	if (in->disposition == DISPOSITION_RESALE && !grade_resalable(pol, (enum grade)in->grade))
		return REFUSAL_NOT_RESALABLE;
	return REFUSAL_NONE;
}

/* What item i of r settles to (`now` overrides item `changed`'s inspection). */
static enum kaeru_err settle_item(const struct life_return *r, const struct policy *pol, size_t i,
                                  size_t changed, const struct life_inspection *now,
                                  struct resolve_item *ri, struct resolve_money *m)
{
	const struct life_item *it = &r->items[i];
	const struct life_inspection *in = i == changed ? now : &it->inspection;
	*ri = (struct resolve_item){it->unit_price, it->quantity, in->received, it->reason,
	                            it->resolution};
	return resolve_item(pol, ri, m);
}

/* Applies the merchant's decision to the items' money (settled as automatic resolution would):
 * the amounts shrink, the difference is withheld. */
static enum kaeru_err decide_money(const struct life_return *r, const struct life_decision *d,
                                   struct plan *p)
{
	int64_t owed = 0;
	for (size_t i = 0; i < r->n_items; i++)
		if (r->items[i].resolution != RESOLUTION_EXCHANGE)
			owed += p->items[i].money.amount;
	p->owed = owed;
	bool by_percent = d->percent >= 0;
	if (by_percent ? d->percent > 100 : d->amount < 0 || d->amount > owed)
		return refuse(p, REFUSAL_DECISION, KAERU_EINVALID);
	int64_t left = d->amount;
	for (size_t i = 0; i < r->n_items; i++) {
		struct resolve_money *m = &p->items[i].money;
		if (r->items[i].resolution == RESOLUTION_EXCHANGE)
			continue;
		int64_t pays = by_percent ? money_percent(m->amount, d->percent)
		                          : (left < m->amount ? left : m->amount);
		left -= by_percent ? 0 : pays;
		m->withheld = m->amount - pays;
		m->amount = pays;
	}
	p->decided = true;
	p->decision = *d;
	return KAERU_OK;
}

/* Settles every item of r (all inspected; `now` overrides item `changed`): ledger rows,
 * shipments, stock, totals, the resolved event; with the merchant's decision d when not NULL. */
static enum kaeru_err plan_resolve(const struct life_return *r, const struct policy *pol,
                                   size_t changed, const struct life_inspection *now,
                                   const struct life_decision *d, struct plan *p)
{
	enum kaeru_err e = plan_move(p, RETURN_RESOLVED);
	if (e != KAERU_OK)
		return e;
	p->resolves = true;
	struct resolve_item ri;
	for (size_t i = 0; i < r->n_items; i++)
		if (settle_item(r, pol, i, changed, now, &ri, &p->items[i].money) != KAERU_OK)
			return refuse(p, REFUSAL_MONEY, KAERU_EINVALID);
	if (d && (e = decide_money(r, d, p)) != KAERU_OK)
		return e;
	for (size_t i = 0; i < r->n_items; i++) {
		const struct life_item *it = &r->items[i];
		const struct life_inspection *in = i == changed ? now : &it->inspection;
		struct item_plan *ip = &p->items[i];
		ri = (struct resolve_item){it->unit_price, it->quantity, in->received, it->reason,
		                           it->resolution};
		resolve_add(&p->totals, &ri, &ip->money);
		ip->ledger = it->resolution != RESOLUTION_EXCHANGE && ip->money.gross > 0;
		if (it->resolution == RESOLUTION_EXCHANGE) {
			ip->ship = ip->money.replacements;
			ip->commit = ip->money.replacements < it->reserved ? ip->money.replacements
			                                                   : it->reserved;
			ip->release = it->reserved - ip->commit;
			ip->unreserve = it->reserved > 0;
		}
		if (in->received > 0 && in->disposition == DISPOSITION_RESTOCK)
			ip->restock = in->received;
	}
	plan_event(p, EVENT_RESOLVED, d ? ACTOR_STAFF : ACTOR_KAERU, 0);
	return KAERU_OK;
}

unsigned review_held(const struct life_return *r, const struct policy *pol, size_t item,
                     const struct life_inspection *in)
{
	const struct review_rules *rules = &pol->review;
	unsigned held = 0;
	int64_t owed = 0;
	for (size_t i = 0; i < r->n_items; i++) {
		const struct life_item *it = &r->items[i];
		const struct life_inspection *x = i == item ? in : &it->inspection;
		if (rules->damaged && x->received > 0 && x->grade == GRADE_DAMAGED)
			held |= 1u << REVIEW_DAMAGED;
		if (rules->short_receipt && x->received < it->quantity)
			held |= 1u << REVIEW_SHORT_RECEIPT;
		if (rules->defective_new && x->received > 0 && it->reason == REASON_DEFECTIVE &&
		    x->grade == GRADE_NEW)
			held |= 1u << REVIEW_DEFECTIVE_NEW;
		struct resolve_item ri;
		struct resolve_money m;
		if (rules->amount_over >= 0 && it->resolution != RESOLUTION_EXCHANGE &&
		    settle_item(r, pol, i, item, in, &ri, &m) == KAERU_OK)
			owed += m.amount;
	}
	if (rules->amount_over >= 0 && owed > rules->amount_over)
		held |= 1u << REVIEW_AMOUNT_OVER;
	return held;
}

enum kaeru_err plan_inspect(const struct life_return *r, const struct policy *pol, size_t item,
                            const struct life_inspection *in, struct plan *p)
{
	if (!plan_start(p, PLAN_INSPECT, r->status, r->n_items))
		return KAERU_EINVALID;
	if (item >= r->n_items)
		return refuse(p, REFUSAL_NO_ITEM, KAERU_ENOTFOUND);
	const struct life_item *it = &r->items[item];
	struct life_inspection clean = *in;
	if (clean.received == 0) /* nothing arrived: nothing to grade or send anywhere */
		clean.grade = clean.disposition = -1;
	if ((p->items[item].refusal = inspection_refusal(pol, it, &clean)) != REFUSAL_NONE)
		return refuse(p, p->items[item].refusal, KAERU_EINVALID);
	if (it->inspected) {
		if (same_inspection(&it->inspection, &clean)) {
			p->repeat = true;
			return KAERU_OK;
		}
		return refuse(p, REFUSAL_INSPECTED, KAERU_ECONFLICT);
	}
	if (r->status != RETURN_RECEIVED)
		return refuse(p, REFUSAL_STATUS, KAERU_ECONFLICT);
	struct item_plan *ip = &p->items[item];
	ip->inspect = true;
	ip->inspection = clean;
	if (clean.received > 0 && clean.disposition == DISPOSITION_RESALE) {
		ip->list_units = clean.received;
		ip->list_price = resale_price(pol, (enum grade)clean.grade, it->unit_price);
	}
	plan_event(p, EVENT_INSPECTED, ACTOR_STAFF, item);
	for (size_t i = 0; i < r->n_items; i++)
		if (i != item && !r->items[i].inspected)
			return KAERU_OK; /* more to come */
	if ((p->held = review_held(r, pol, item, &clean)) != 0) {
		enum kaeru_err e = plan_move(p, RETURN_NEEDS_REVIEW);
		if (e == KAERU_OK)
			plan_event(p, EVENT_NEEDS_REVIEW, ACTOR_KAERU, 0);
		return e;
	}
	return plan_resolve(r, pol, item, &clean, NULL, p);
}

enum kaeru_err plan_decide(const struct life_return *r, const struct policy *pol,
                           const struct life_decision *d, struct plan *p)
{
	if (!plan_start(p, PLAN_DECIDE, r->status, r->n_items))
		return KAERU_EINVALID;
	if (r->status != RETURN_NEEDS_REVIEW)
		return refuse(p, REFUSAL_STATUS, KAERU_ECONFLICT);
	for (size_t i = 0; i < r->n_items; i++)
		if (!r->items[i].inspected)
			return refuse(p, REFUSAL_STATUS, KAERU_ECONFLICT);
	plan_event(p, EVENT_DECIDED, ACTOR_STAFF, 0);
	return plan_resolve(r, pol, r->n_items, NULL, d, p);
}

enum kaeru_err plan_create(const struct policy *pol, const struct life_line *lines, size_t n_lines,
                           const struct life_request *req, size_t n_req, int64_t now, int64_t today,
                           struct plan *p)
{
	if (!plan_start(p, PLAN_CREATE, RETURN__MAX, n_req) || n_req == 0)
		return refuse(p, REFUSAL_NO_ITEMS, KAERU_EINVALID);
	bool refused = false;
	for (size_t i = 0; i < n_req; i++) {
		const struct life_request *in = &req[i];
		struct item_plan *ip = &p->items[i];
		const struct life_line *l = NULL;
		for (size_t k = 0; k < n_lines && !l; k++)
			if (strcmp(lines[k].line_id, in->line_id) == 0) {
				l = &lines[k];
				ip->line = k;
			}
		for (size_t j = 0; j < i && l; j++)
			if (strcmp(req[j].line_id, in->line_id) == 0)
				ip->refusal = REFUSAL_LINE_TWICE;
		if (!l)
			ip->refusal = REFUSAL_NO_LINE;
		if (ip->refusal == REFUSAL_NONE) {
			ip->ineligible = line_eligibility(&l->state, pol, today, &ip->returnable);
			if (ip->ineligible != INELIGIBLE_NONE)
				ip->refusal = REFUSAL_INELIGIBLE;
			else if (in->quantity < 1 || in->quantity > ip->returnable)
				ip->refusal = REFUSAL_QUANTITY;
			else if ((int)in->reason < 0 || in->reason >= REASON__MAX ||
			         !(pol->reasons_offered & REASON_BIT(in->reason)))
				ip->refusal = REFUSAL_REASON;
			else if (in->resolution == RESOLUTION_EXCHANGE &&
			         (!in->exchange_sku || strcmp(in->exchange_sku, l->sku) == 0))
				ip->refusal = REFUSAL_SAME_VARIANT;
		}
		if (ip->refusal != REFUSAL_NONE) {
			refused = true;
			continue;
		}
		if (in->resolution == RESOLUTION_EXCHANGE)
			ip->reserve = in->quantity;
	}
	if (refused)
		return refuse(p, REFUSAL_ITEMS, KAERU_EINVALID);
	enum kaeru_err e = plan_move(p, RETURN_LABEL_ISSUED); /* a return is born with its label */
	if (e != KAERU_OK)
		return e;
	p->expires_at = now + (int64_t)pol->label_validity_days * 86400;
	plan_event(p, EVENT_CREATED, ACTOR_CUSTOMER, 0);
	return KAERU_OK;
}
