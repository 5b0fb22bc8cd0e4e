/* kaeru-fcgi's own count of guesses per client address (order lookups): a fixed table in the
 * process, shared by its worker threads, so that an attempt is let through only while the
 * failures counted and the attempts being decided cannot go over the limit (core/throttle.h),
 * without a write to the database for every attempt. Only failures are also written to the
 * database (store_lookup_failed), and each attempt reads that count with its lookup and brings
 * it in (guard_merge): the limit also holds over several hosts and restarts, and an address
 * pushed out of the table loses nothing that counts.
 *
 * The table is fixed: GUARD_BUCKETS × GUARD_WAYS addresses, each bucket taken by a keyed hash of
 * the address; a full bucket gives up an address with nothing being decided, one whose window has
 * ended first, then the oldest window. One mutex guards it: each call holds it for a few
 * comparisons, and waits without holding it on the condition variable of its address's way (or,
 * when every way of its bucket is busy, of its bucket). A place given back wakes one attempt of
 * that address, not every attempt waiting in the process: a single busy address (a shop's
 * office, a benchmark) no longer wakes all its waiters to find one place. */
#ifndef KAERU_FCGI_THROTTLE_H
#define KAERU_FCGI_THROTTLE_H

#include "core/throttle.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define GUARD_BUCKETS 512
#define GUARD_WAYS    8
#define GUARD_KEY_LEN 16
/* The longest an attempt waits for others from its address to be decided before it is refused. */
#define GUARD_WAIT_MAX_S 5

struct guard_entry {
	unsigned char key[GUARD_KEY_LEN]; /* keyed hash of the address */
	bool used;
	int32_t failures, deciding;
	int64_t started; /* the window's start, seconds of CLOCK_MONOTONIC */
};

/* Who waits where. A way's waiters are all of the address it holds: a way is given to another
 * address only once nothing of its own is being decided, and the place given back that makes it
 * so wakes them all. Apart from the entries, which are reset when a way is given away. */
struct guard_waits {
	pthread_cond_t way[GUARD_WAYS]; /* attempts waiting for a place of the way's address */
	pthread_cond_t room;            /* attempts waiting for a way of the bucket to come free */
	int32_t waiting[GUARD_WAYS], homeless;
};

struct guard {
	pthread_mutex_t mutex;
	int window_s, limit;
	bool keyed, waits_ready;
	unsigned char hash_key[32];
	struct guard_entry entries[GUARD_BUCKETS][GUARD_WAYS];
	struct guard_waits waits[GUARD_BUCKETS];
};
#define GUARD_INIT(window, max_failures)                                                           \
	{                                                                                          \
		.mutex = PTHREAD_MUTEX_INITIALIZER, .window_s = (window), .limit = (max_failures)  \
	}

/* Lets an attempt from addr be decided (THROTTLE_GO: it holds a place until guard_leave), waiting
 * while others from addr are decided, or refuses it (THROTTLE_REFUSE, *retry_after set). */
enum throttle_verdict guard_enter(struct guard *g, const char *addr, int64_t *retry_after);
/* Brings in what the database counts for addr (failures of a window db_age_s seconds old) while
 * holding a place; THROTTLE_GO when the attempt may still be decided, else THROTTLE_REFUSE with
 * *retry_after set and the place given up. */
enum throttle_verdict guard_merge(struct guard *g, const char *addr, int64_t db_failures,
                                  int64_t db_age_s, int64_t *retry_after);
/* The attempt holding a place was decided: failed (a guess, counted; db_failures is the
 * database's count after it, 0 when unknown) or not (given back). */
void guard_leave(struct guard *g, const char *addr, bool failed, int64_t db_failures);

#endif
