/* Throttles of guesses: see throttle.h. */
#include "core/throttle.h"

int64_t throttle_failures_now(int64_t started, int64_t failures, int64_t now, int64_t window_s)
{
	return now - started < window_s ? failures : 0;
}

enum throttle_verdict throttle_decide(int64_t failures, int64_t deciding, int64_t limit)
{
	if (failures >= limit)
		return THROTTLE_REFUSE;
	return failures + deciding < limit ? THROTTLE_GO : THROTTLE_WAIT;
}

int64_t throttle_retry_after(int64_t started, int64_t now, int64_t window_s)
{
	int64_t left = started + window_s - now;
	return left > 0 ? left : 1;
}
