/* Throttles of guesses: a client's failed attempts are counted in a fixed window of time, and an
 * attempt is let through only while the failures already counted and the attempts still being
 * decided cannot together go over the limit. Pure: no I/O, no clock (times are passed in, in
 * seconds of any one clock). */
#ifndef KAERU_CORE_THROTTLE_H
#define KAERU_CORE_THROTTLE_H

#include <stdint.h>

enum throttle_verdict {
	THROTTLE_GO,     /* decide this attempt now */
	THROTTLE_WAIT,   /* others being decided could still reach the limit: wait for them */
	THROTTLE_REFUSE, /* the limit is reached: 429 until the window ends */
};

/* The failures of a window that started at started, as of now: none once window_s has passed. */
int64_t throttle_failures_now(int64_t started, int64_t failures, int64_t now, int64_t window_s);

/* What a new attempt may do, given the failures of the window and the attempts being decided
 * (each of which may still fail): every attempt let through could fail, so at most limit
 * failures are ever evaluated in a window, however many arrive at once. */
enum throttle_verdict throttle_decide(int64_t failures, int64_t deciding, int64_t limit);

/* Seconds until a window that started at started ends, at least 1 (Retry-After). */
int64_t throttle_retry_after(int64_t started, int64_t now, int64_t window_s);

#endif
