/* The upkeep kaeru-admin maintenance and kaeru-worker share (admin/maintenance.h). */
#include "admin/maintenance.h"
#include "db/store.h"
#include "fcgi/session.h"

#define EXPIRE_BATCH 50

struct expiry {
	size_t expired;
	bool more;
};

/* One batch of expired labels: their returns become expired and give back their
 * reservations. Rows another run holds are skipped, so runs on several machines share. */
static enum kaeru_err expire_tx(struct db *db, void *arg)
{
	struct expiry *ex = arg;
	char rmas[EXPIRE_BATCH][RMA_LEN + 1];
	size_t n = 0;
	ex->expired = 0;
	enum kaeru_err e = store_expired_labels(db, EXPIRE_BATCH, rmas, &n);
	ex->more = n == EXPIRE_BATCH;
	for (size_t i = 0; i < n && e == KAERU_OK; i++) {
		struct ret ret;
		if ((e = store_return_get(db, rmas[i], &ret)) != KAERU_OK)
			break;
		if (ret.status != RETURN_LABEL_ISSUED)
			continue;
		if ((e = store_return_release(db, &ret)) == KAERU_OK &&
		    (e = store_return_set_status(db, ret.id, RETURN_EXPIRED)) == KAERU_OK &&
		    (e = store_event_add(db, ret.id, EVENT_EXPIRED, "kaeru", NULL)) == KAERU_OK)
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
	*what = "pruning";
	if ((e = store_sessions_prune(db, SESSION_IDLE_S, SESSION_MAX_S, &out->sessions)) !=
	    KAERU_OK)
		return e;
	return store_failures_prune(db, &out->failures);
}
