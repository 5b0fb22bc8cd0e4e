/* Runs core's plans (core/lifecycle.h) in the caller's transaction: the status change guarded
 * by the plan's from-status, each item's changes, stock moves, ledger rows, shipments, listing
 * drafts, and the events with their details. Decides nothing. */
#include "db/events.h"
#include "db/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each status change is its plan's first write, and binds the status and the revision the
 * plan was made from, and bumps the revision: a plan made from a stale read matches no row and
 * runs nothing (KAERU_ERETRY: take the row, read again, plan again: store_return_again). Every
 * write to a return bumps its revision (store.h, struct ret), so a matching row proves that
 * nothing the plan was made from — the status, received_at, totals, the items, the money rules
 * the return keeps (only ever written with the return) — changed since it was read, with no
 * lock taken before. On Galera the guard only sees what this node has applied; but two nodes'
 * changes of one return both write this row, so certification fails one at COMMIT (1213), and
 * it runs again after its node applied the other's write. */
#define MOVE_SET   "r.status = ?, r.updated_at = CURRENT_TIMESTAMP, r.revision = r.revision + 1"
#define MOVE_WHERE " WHERE r.id = ? AND r.status = ? AND r.revision = ?"
static const char sql_move[] = "UPDATE returns r SET " MOVE_SET MOVE_WHERE;
static const char sql_receive[] =
    "UPDATE returns r SET " MOVE_SET
    ", r.received_at = TIMESTAMPADD(SECOND, ?, '1970-01-01')" MOVE_WHERE;
#define RESOLVE_SET                                                                                \
	MOVE_SET ", r.resolved_at = CURRENT_TIMESTAMP, r.refund_total = ?,"                        \
	         " r.restocking_fee_total = ?, r.store_credit_total = ?, r.bonus_total = ?,"       \
	         " r.missing_units = ?"
static const char sql_resolve[] = "UPDATE returns r SET " RESOLVE_SET MOVE_WHERE;
/* An inspection's item is written by its plan's first write, the one statement: the row of
 * returns and the item's joined, the item bound to its pending state (inspected once), so a
 * write that finds either changed writes neither. */
#define WITH_ITEM                                                                                  \
	" JOIN return_items ri ON ri.return_id = r.id AND ri.id = ? AND ri.status = 'pending'"
#define INSPECT_SET                                                                                \
	", ri.status = 'inspected', ri.received_quantity = ?, ri.grade = ?, ri.disposition = ?,"   \
	" ri.note = ?, ri.inspected_at = CURRENT_TIMESTAMP, ri.inspected_by = ?"
static const char sql_move_inspect[] =
    "UPDATE returns r" WITH_ITEM " SET " MOVE_SET INSPECT_SET MOVE_WHERE;
static const char sql_resolve_inspect[] =
    "UPDATE returns r" WITH_ITEM " SET " RESOLVE_SET INSPECT_SET MOVE_WHERE;
/* store_return_guard's write (the status kept) with the item's. */
static const char sql_guard_inspect[] =
    "UPDATE returns r" WITH_ITEM " SET r.updated_at = CURRENT_TIMESTAMP,"
    " r.revision = r.revision + 1" INSPECT_SET " WHERE r.id = ? AND r.revision = ?";

static const char *name_or_null(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : NULL;
}

enum kaeru_err store_return_life(const struct ret *r, struct life_item *items, size_t cap,
                                 struct life_return *out)
{
	if (r->n_items > cap)
		return KAERU_EINTERNAL; /* returns are made with at most RETURN_ITEMS_MAX items */
	for (size_t i = 0; i < r->n_items; i++) {
		const struct return_item *it = &r->items[i];
		items[i] = (struct life_item){
		    .quantity = it->quantity,
		    .unit_price = it->unit_price,
		    .reason = it->reason,
		    .resolution = it->resolution,
		    .reserved = it->reserved_quantity,
		    .inspected = it->status && strcmp(it->status, "inspected") == 0,
		    .inspection = {.received = it->received_quantity,
		                   .grade = NAME_INDEX(grade_names, it->grade),
		                   .disposition = NAME_INDEX(disposition_names, it->disposition),
		                   .note = it->note},
		};
	}
	*out = (struct life_return){r->status, r->expires_at, r->n_items, items};
	return KAERU_OK;
}

/* An UPDATE of `rows` rows that binds their expected prior state: fewer means the state moved
 * meanwhile, and the transaction is run again from its reads (KAERU_ERETRY). */
static enum kaeru_err exec_guarded(struct db *db, const char *sql, const struct db_val *params,
                                   size_t n, uint64_t rows)
{
	uint64_t affected = 0;
	enum kaeru_err e = db_exec(db, sql, params, n, &affected, NULL);
	if (e == KAERU_OK && affected != rows)
		return db_moved(db, "a return or item changed since it was read");
	return e;
}

/* The item a plan inspects (core's plan_inspect inspects one), written with its first write. */
static struct return_item *inspected_item(struct ret *r, const struct plan *p)
{
	for (size_t i = 0; i < p->n_items && i < r->n_items; i++)
		if (p->items[i].inspect)
			return &r->items[i];
	return NULL;
}

/* The plan's first write: the status change, or for a plan that keeps the status (an item
 * inspected, not the last) the revision guard (store_return_guard's), with the inspected item's
 * row when `it`. Each binds r's revision and bumps it, and sets updated_at, so the plan's events
 * need not touch the row. */
static enum kaeru_err run_status(struct db *db, struct ret *r, const struct plan *p, int64_t now,
                                 const struct return_item *it, const struct life_inspection *in,
                                 int64_t user_id)
{
	struct db_val v[24];
	size_t n = 0;
	const char *sql;
	if (it)
		v[n++] = DBI(it->id);
	if (p->to == p->from) {
		if (!it)
			return store_return_guard(db, r);
		sql = sql_guard_inspect;
	} else {
		v[n++] = DBS(return_status_names[p->to]);
		if (p->resolves) {
			const struct resolve_totals *t = &p->totals;
			v[n++] = DBI(t->refund), v[n++] = DBI(t->fee),
			v[n++] = DBI(t->store_credit);
			v[n++] = DBI(t->bonus), v[n++] = DBI(t->missing);
			sql = it ? sql_resolve_inspect : sql_resolve;
		} else if (p->to == RETURN_RECEIVED && !it) {
			v[n++] = DBI(now);
			sql = sql_receive;
		} else {
			sql = it ? sql_move_inspect : sql_move;
		}
	}
	if (it) {
		v[n++] = DBI(in->received);
		v[n++] = DBS(name_or_null(grade_names, GRADE__MAX, in->grade));
		v[n++] = DBS(name_or_null(disposition_names, DISPOSITION__MAX, in->disposition));
		v[n++] = DBS(in->note);
		v[n++] = user_id ? DBI(user_id) : DBN;
	}
	v[n++] = DBI(r->id);
	if (p->to != p->from)
		v[n++] = DBS(return_status_names[p->from]);
	v[n++] = DBI(r->revision);
	enum kaeru_err e = exec_guarded(db, sql, v, n, it ? 2 : 1);
	if (e == KAERU_OK) {
		db->memo.touched_return = r->id;
		r->revision++;
	}
	return e;
}

/* Takes a new item's exchange units into reserve. When stock cannot cover them, the item's
 * reserved_quantity becomes 0 and the run goes on (every such item is named): ECONFLICT. */
static enum kaeru_err run_reserve(struct db *db, const struct ret *r, struct return_item *it,
                                  const struct item_plan *ip)
{
	enum kaeru_err e =
	    store_reserve(db, r->merchant_id, it->product_id, it->exchange_sku, ip->reserve);
	if (e == KAERU_ECONFLICT)
		it->reserved_quantity = 0;
	return e;
}

static enum kaeru_err run_item(struct db *db, const struct ret *r, struct return_item *it,
                               const struct item_plan *ip)
{
	enum kaeru_err e = KAERU_OK;
	if (ip->inspect) { /* written by the plan's first write (run_status) */
		const struct life_inspection *in = &ip->inspection;
		/* The item as it now is, for what follows and for the answer. */
		it->status = "inspected";
		it->has_received = true;
		it->received_quantity = in->received;
		it->grade = name_or_null(grade_names, GRADE__MAX, in->grade);
		it->disposition =
		    name_or_null(disposition_names, DISPOSITION__MAX, in->disposition);
		it->note = in->note;
	}
	if (ip->list_units > 0)
		e = store_listings_draft(db, r, it, ip->list_units, ip->list_price);
	if (e == KAERU_OK && ip->ship > 0)
		e = store_shipment_add(db, r, it, ip->ship);
	if (e == KAERU_OK && ip->commit > 0)
		e = store_inventory_commit(db, r->merchant_id, it->exchange_sku, ip->commit);
	if (e == KAERU_OK && ip->release > 0)
		e = store_release(db, r->merchant_id, it->exchange_sku, ip->release);
	if (e == KAERU_OK && ip->unreserve) {
		e = store_item_unreserve(db, it->id);
		it->reserved_quantity = 0;
	}
	if (e == KAERU_OK && ip->restock > 0)
		e = store_restock(db, r->merchant_id, it, ip->restock);
	return e;
}

/* The event's detail as stored (JSON text in the arena), or NULL for none. */
static const char *event_detail(struct db *db, const struct ret *r, const struct plan *p,
                                const struct plan_event *ev)
{
	json_t *j = NULL;
	switch (ev->type) {
	case EVENT_CREATED:
		j = json_pack("{s:I}", "items", (json_int_t)r->n_items);
		break;
	case EVENT_RECEIVED:
		j = json_pack("{s:s, s:s}", "warehouse", r->warehouse_code, "warehouse_name",
		              r->warehouse_name);
		break;
	case EVENT_INSPECTED: {
		const struct return_item *it = &r->items[ev->item];
		j = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s?, s:s?}", "item_id",
		              (json_int_t)it->id, "sku", it->sku, "name", it->name, "quantity",
		              (json_int_t)it->quantity, "received_quantity",
		              (json_int_t)it->received_quantity, "grade", it->grade, "disposition",
		              it->disposition);
		break;
	}
	case EVENT_RESOLVED: {
		json_t *exchanges = json_array();
		for (size_t i = 0; i < r->n_items; i++)
			if (p->items[i].ship > 0)
				json_array_append_new(
				    exchanges, json_pack("{s:s, s:s, s:I}", "sku",
				                         r->items[i].exchange_sku, "variant",
				                         r->items[i].exchange_variant
				                             ? r->items[i].exchange_variant
				                             : "",
				                         "quantity", (json_int_t)p->items[i].ship));
		const struct resolve_totals *t = &p->totals;
		j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:I}", "currency", r->currency,
		              "refund", (json_int_t)t->refund, "restocking_fee", (json_int_t)t->fee,
		              "store_credit", (json_int_t)t->store_credit, "store_credit_bonus",
		              (json_int_t)t->bonus, "exchanges", exchanges, "missing",
		              (json_int_t)t->missing);
		break;
	}
	case EVENT_NEEDS_REVIEW: { /* the review rules that held it */
		json_t *rules = json_array();
		for (int k = 0; k < REVIEW__MAX; k++)
			if (p->held & (1u << k))
				json_array_append_new(rules, json_string(review_rule_names[k]));
		j = json_pack("{s:o}", "rules", rules);
		break;
	}
	case EVENT_DECIDED: {
		const struct life_decision *d = &p->decision;
		j = json_pack("{s:s, s:I, s:I, s:I, s:s?}", "currency", r->currency, "owed",
		              (json_int_t)p->owed, "paid",
		              (json_int_t)(p->totals.refund + p->totals.store_credit), "withheld",
		              (json_int_t)p->totals.withheld, "note", d->note);
		json_object_set_new(j, d->percent >= 0 ? "refund_percent" : "amount",
		                    json_integer(d->percent >= 0 ? d->percent : d->amount));
		break;
	}
	case EVENT_CANCELED:
	case EVENT_EXPIRED:
	case EVENT_REFUND_PAID: /* the shop's acknowledgements, never in a plan */
	case EVENT_EXCHANGE_SHIPPED:
	case EVENT__MAX:
		return NULL;
	}
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		return NULL; /* no detail rather than no event */
	const char *text = arena_strdup(db->arena, s);
	free(s);
	return text;
}

/* The replacement shipments a resolving plan wrote, as store_return_timeline would read them
 * back (in item order, the variant as stock names it): the answer needs no read. */
static void shipments_of(struct db *db, struct ret *r, const struct plan *p)
{
	r->shipments = arena_zalloc(db->arena, sizeof(*r->shipments) * (r->n_items + 1));
	r->n_shipments = 0;
	r->totals.replacements = 0;
	for (size_t i = 0; i < r->n_items && i < p->n_items; i++)
		if (p->items[i].ship > 0) {
			r->shipments[r->n_shipments++] = (struct shipment_line){
			    r->items[i].exchange_sku,
			    r->items[i].exchange_variant ? r->items[i].exchange_variant : "",
			    p->items[i].ship};
			r->totals.replacements += p->items[i].ship;
		}
}

/* r's timeline as read (n_events_read of r->events; none for a new return) followed by the rows
 * the plan wrote, staff rows naming by's e-mail: the whole timeline, read again by nothing. */
static void timeline_append(struct db *db, struct ret *r, const struct outbox *box,
                            const struct plan_by *by)
{
	size_t read = r->timeline_known ? r->n_events_read : 0;
	struct return_event *all =
	    arena_zalloc(db->arena, sizeof(*all) * (read + box->n_written + 1));
	for (size_t i = 0; i < read; i++)
		all[i] = r->events[i];
	for (size_t i = 0; i < box->n_written; i++) {
		all[read + i] = box->written[i];
		if (box->written_by_user && box->written_by_user[i])
			all[read + i].staff = by ? by->email : NULL;
	}
	r->events = all;
	r->n_events = read + box->n_written;
	r->n_events_read = read;
	r->timeline_known = true;
}

enum kaeru_err store_plan_run(struct db *db, struct ret *r, const struct plan *p,
                              const struct plan_by *by, int64_t now)
{
	if (!plan_runs(p))
		return KAERU_OK;
	enum kaeru_err e = KAERU_OK;
	/* The plan's events and timeline rows are written together at its end. */
	struct outbox box;
	store_outbox_open(db, &box, r->merchant_id, r->id);
	store_analytics_zone_known(db, r);
	if (p->kind != PLAN_CREATE) { /* a new return's row is the transaction's own */
		const struct return_item *it = inspected_item(r, p);
		e = run_status(db, r, p, now, it, it ? &p->items[it - r->items].inspection : NULL,
		               by ? by->user_id : 0);
	}
	if (e == KAERU_OK && p->kind != PLAN_CREATE && return_status_counts(p->from) &&
	    !return_status_counts(p->to))
		e = store_lines_give_back(db, r);
	bool short_of_stock = false;
	for (size_t i = 0; e == KAERU_OK && i < p->n_items && i < r->n_items; i++) {
		if (p->items[i].reserve > 0 &&
		    (e = run_reserve(db, r, &r->items[i], &p->items[i])) == KAERU_ECONFLICT) {
			short_of_stock = true;
			e = KAERU_OK;
		}
		if (e == KAERU_OK)
			e = run_item(db, r, &r->items[i], &p->items[i]);
	}
	if (e == KAERU_OK && short_of_stock)
		e = KAERU_ECONFLICT;
	if (e == KAERU_OK)
		e = store_ledger_add_plan(db, r, p);
	if (e != KAERU_OK)
		return store_outbox_close(db, &box, e);
	for (size_t i = 0; e == KAERU_OK && i < p->n_events; i++) {
		const struct plan_event *ev = &p->events[i];
		const char *actor = ev->actor == ACTOR_CUSTOMER ? "customer"
		                    : ev->actor == ACTOR_KAERU  ? "kaeru"
		                    : by && by->actor           ? by->actor
		                                                : "staff";
		e = store_event_add_of(db, r, p->to, ev->type, actor,
		                       ev->actor == ACTOR_STAFF && by ? by->user_id : 0,
		                       event_detail(db, r, p, ev));
	}
	if (e == KAERU_OK) /* the analytics' daily counts, written with the timeline */
		e = store_analytics_plan(db, r, p, now);
	if ((e = store_outbox_close(db, &box, e)) != KAERU_OK)
		return e;
	r->status = p->to;
	if (p->resolves) {
		r->has_totals = true;
		r->totals = p->totals;
		shipments_of(db, r, p);
	}
	if (r->timeline_known || p->kind == PLAN_CREATE) /* the timeline as it now is */
		timeline_append(db, r, &box, by);
	return KAERU_OK;
}
