/* The periodic upkeep that `kaeru-admin maintenance` runs by hand or from a timer and
 * kaeru-worker runs on its own schedule: expire unscanned labels, queue the customer's reminder of
 * a label about to expire, prune dead sessions and old failures. Safe to run on many hosts at once.
 */
#ifndef KAERU_ADMIN_MAINTENANCE_H
#define KAERU_ADMIN_MAINTENANCE_H

#include "db/db.h"

#include <stddef.h>
#include <stdint.h>

struct maintenance_counts {
	size_t expired;
	uint64_t reminders, sessions, failures;
};

/* Runs every step, each in transactions of its own, resetting *arena between batches.
 * *what names the step that failed when the result is not KAERU_OK. */
enum kaeru_err maintenance_run(struct db *db, struct arena *arena, struct maintenance_counts *out,
                               const char **what);

#endif
