/* The periodic upkeep that `kaeru-admin maintenance` runs by hand or from a timer and
 * kaeru-worker runs on its own schedule: expire unscanned labels, queue the customer's reminder of
 * a label about to expire, prune dead sessions, old failures and answers kept a day under
 * Idempotency-Keys. Safe to run on many hosts at once:
 * one runs it, the others skip (a lease).
 */
#ifndef KAERU_ADMIN_MAINTENANCE_H
#define KAERU_ADMIN_MAINTENANCE_H

#include "db/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct maintenance_counts {
	size_t expired;
	uint64_t reminders, sessions, failures;
	uint64_t idempotency_keys; /* answers kept under Idempotency-Keys, forgotten */
	bool skipped;              /* another host was running it: nothing was done */
};

/* Runs every step, each in transactions of its own, resetting *arena between batches.
 * *what names the step that failed when the result is not KAERU_OK. */
enum kaeru_err maintenance_run(struct db *db, struct arena *arena, struct maintenance_counts *out,
                               const char **what);

#endif
