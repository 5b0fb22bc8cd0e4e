/* The upkeep kaeru-admin maintenance and kaeru-worker share (admin/maintenance.h). */
#include "admin/maintenance.h"
#include "db/events.h"
#include "db/idempotency.h"
#include "db/migrate.h"
#include "db/store.h"
#include "util/keys.h"

#include <time.h>

#define EXPIRE_BATCH 50
#define REMIND_BATCH 500
#define PRUNE_BATCH  1000 /* answers kept under Idempotency-Keys, forgotten per statement */
#define LEASE_S      300  /* a run that died keeps others off this long */

struct expiry {
	size_t expired;
	bool more;
};

/* One batch of expired labels: core plans each expiry (their returns become expired and give
 * back their reservations), db runs the plans. Rows another run holds are skipped, so runs on
 * several machines share. */
static enum kaeru_err expire_tx(struct db *db, void *arg)
{
	struct expiry *ex = arg;
	char rmas[EXPIRE_BATCH][RMA_LEN + 1];
	size_t n = 0;
	ex->expired = 0;
	enum kaeru_err e = store_expired_labels(db, EXPIRE_BATCH, rmas, &n);
	ex->more = n == EXPIRE_BATCH;
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n && e == KAERU_OK; i++) {
		struct ret ret;
		if ((e = store_return_row(db, rmas[i], &ret, NULL)) != KAERU_OK ||
		    (e = store_return_items(db, &ret)) != KAERU_OK)
			break;
		struct life_item items[RETURN_ITEMS_MAX];
		struct life_return life;
		struct plan plan;
		if ((e = store_return_life(&ret, items, RETURN_ITEMS_MAX, &life)) != KAERU_OK)
			break;
		if (plan_expire(&life, now, &plan) != KAERU_OK || !plan_runs(&plan))
			continue; /* scanned, canceled or renewed meanwhile: not this one's to
			             expire */
		if ((e = store_plan_run(db, &ret, &plan, NULL, now)) == KAERU_OK)
			ex->expired++;
	}
	return e;
}

/* The steps, while this host holds the "maintenance" lease. */
static enum kaeru_err run_steps(struct db *db, struct arena *arena, struct maintenance_counts *out,
                                const char **what)
{
	struct expiry ex;
	enum kaeru_err e;
	*what = "expiry";
	do {
		arena_reset(arena);
		if ((e = db_tx_run(db, expire_tx, &ex)) != KAERU_OK)
			return e;
		out->expired += ex.expired;
	} while (ex.more);
	*what = "reminders";
	uint64_t queued;
	do {
		if ((e = store_email_reminders(db, MAIL_EXPIRING_WITHIN_S, REMIND_BATCH,
		                               &queued)) != KAERU_OK)
			return e;
		out->reminders += queued;
	} while (queued == REMIND_BATCH);
	*what = "pruning";
	if ((e = store_sessions_prune(db, SESSION_IDLE_S, SESSION_MAX_S, &out->sessions)) !=
	    KAERU_OK)
		return e;
	if ((e = store_failures_prune(db, &out->failures)) != KAERU_OK)
		return e;
	uint64_t forgotten;
	do {
		if ((e = store_idempotent_prune(db, PRUNE_BATCH, &forgotten)) != KAERU_OK)
			return e;
		out->idempotency_keys += forgotten;
	} while (forgotten == PRUNE_BATCH);
	return KAERU_OK;
}

/* One host at a time runs the steps: the others, finding the lease held, skip this round. The
 * lease is a certified row (db_lease_take): SKIP LOCKED alone only keeps apart runs on one
 * Galera node. */
enum kaeru_err maintenance_run(struct db *db, struct arena *arena, struct maintenance_counts *out,
                               const char **what)
{
	*out = (struct maintenance_counts){0};
	*what = "claim";
	char holder[DB_LEASE_HOLDER_LEN];
	db_lease_holder(holder);
	bool taken = false;
	enum kaeru_err e = db_lease_take(db, "maintenance", holder, LEASE_S, &taken);
	if (e != KAERU_OK || !taken) {
		out->skipped = e == KAERU_OK;
		return e;
	}
	e = run_steps(db, arena, out, what);
	enum kaeru_err dropped = db_lease_drop(db, "maintenance", holder);
	return e != KAERU_OK ? e : dropped;
}
