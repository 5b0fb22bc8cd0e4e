/* The upkeep kaeru-admin maintenance and kaeru-worker share (admin/maintenance.h). */
#include "admin/maintenance.h"
#include "db/events.h"
#include "db/store.h"
#include "util/keys.h"

#include <time.h>

#define EXPIRE_BATCH 50
#define REMIND_BATCH 500

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

enum kaeru_err maintenance_run(struct db *db, struct arena *arena, struct maintenance_counts *out,
                               const char **what)
{
	*out = (struct maintenance_counts){0};
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
	return store_failures_prune(db, &out->failures);
}
