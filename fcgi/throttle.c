/* kaeru-fcgi's own count of guesses per client address: see throttle.h. */
#include "fcgi/throttle.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

static int64_t monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* addr's key and bucket; the hash is keyed with a random key of the process, so that no one can
 * choose addresses that crowd one bucket. The mutex is held. */
static struct guard_entry *bucket_of(struct guard *g, const char *addr,
                                     unsigned char key[GUARD_KEY_LEN])
{
	if (!g->keyed) {
		randombytes_buf(g->hash_key, sizeof(g->hash_key));
		g->keyed = true;
	}
	crypto_generichash(key, GUARD_KEY_LEN, (const unsigned char *)addr, strlen(addr),
	                   g->hash_key, sizeof(g->hash_key));
	uint32_t b;
	memcpy(&b, key, sizeof(b));
	return g->entries[b % GUARD_BUCKETS];
}

/* addr's entry, or NULL when it has none. The mutex is held. */
static struct guard_entry *entry_find(struct guard *g, const char *addr)
{
	unsigned char key[GUARD_KEY_LEN];
	struct guard_entry *way = bucket_of(g, addr, key);
	for (int i = 0; i < GUARD_WAYS; i++)
		if (way[i].used && memcmp(way[i].key, key, GUARD_KEY_LEN) == 0)
			return &way[i];
	return NULL;
}

/* addr's entry, made when it has none by giving up another with nothing being decided: an empty
 * one, one whose window has ended, else the oldest window. NULL when every way of its bucket has
 * attempts being decided. The mutex is held. */
static struct guard_entry *entry_get(struct guard *g, const char *addr, int64_t now)
{
	unsigned char key[GUARD_KEY_LEN];
	struct guard_entry *way = bucket_of(g, addr, key), *pick = NULL;
	for (int i = 0; i < GUARD_WAYS; i++)
		if (way[i].used && memcmp(way[i].key, key, GUARD_KEY_LEN) == 0)
			return &way[i];
	for (int i = 0; i < GUARD_WAYS; i++) {
		struct guard_entry *e = &way[i];
		if (e->used && e->deciding > 0)
			continue;
		if (!e->used ||
		    throttle_failures_now(e->started, e->failures, now, g->window_s) == 0) {
			pick = e;
			break;
		}
		if (!pick || e->started < pick->started)
			pick = e;
	}
	if (pick) {
		*pick = (struct guard_entry){.used = true, .started = now};
		memcpy(pick->key, key, GUARD_KEY_LEN);
	}
	return pick;
}

/* Waits for addr until it may be decided (a place taken) or is refused. The mutex is held. */
static enum throttle_verdict admit(struct guard *g, const char *addr, int64_t *retry_after)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += GUARD_WAIT_MAX_S;
	for (;;) {
		int64_t now = monotonic_s();
		struct guard_entry *e = entry_get(g, addr, now);
		if (e) {
			int64_t failures =
			    throttle_failures_now(e->started, e->failures, now, g->window_s);
			enum throttle_verdict v = throttle_decide(failures, e->deciding, g->limit);
			if (v == THROTTLE_GO) {
				e->deciding++;
				return v;
			}
			if (v == THROTTLE_REFUSE) {
				*retry_after = throttle_retry_after(e->started, now, g->window_s);
				return v;
			}
		}
		if (pthread_cond_timedwait(&g->decided, &g->mutex, &deadline) == ETIMEDOUT) {
			*retry_after = 1;
			return THROTTLE_REFUSE;
		}
	}
}

enum throttle_verdict guard_enter(struct guard *g, const char *addr, int64_t *retry_after)
{
	pthread_mutex_lock(&g->mutex);
	enum throttle_verdict v = admit(g, addr, retry_after);
	pthread_mutex_unlock(&g->mutex);
	return v;
}

enum throttle_verdict guard_merge(struct guard *g, const char *addr, int64_t db_failures,
                                  int64_t db_age_s, int64_t *retry_after)
{
	pthread_mutex_lock(&g->mutex);
	int64_t now = monotonic_s();
	struct guard_entry *e = entry_find(g, addr);
	assert(e && e->deciding > 0); /* an entry with a place taken is never given up */
	if (db_failures > throttle_failures_now(e->started, e->failures, now, g->window_s)) {
		e->failures = (int32_t)(db_failures < g->limit ? db_failures : g->limit);
		e->started = now - db_age_s;
	}
	enum throttle_verdict v = THROTTLE_GO;
	/* This attempt is among those being decided: together they may not pass the limit. */
	if (throttle_failures_now(e->started, e->failures, now, g->window_s) + e->deciding >
	    g->limit) {
		e->deciding--;
		pthread_cond_broadcast(&g->decided);
		v = admit(g, addr,
		          retry_after); /* once admitted again: decided with what it read */
	}
	pthread_mutex_unlock(&g->mutex);
	return v;
}

void guard_leave(struct guard *g, const char *addr, bool failed, int64_t db_failures)
{
	pthread_mutex_lock(&g->mutex);
	int64_t now = monotonic_s();
	struct guard_entry *e = entry_find(g, addr);
	assert(e && e->deciding > 0);
	e->deciding--;
	if (failed) {
		int64_t failures = throttle_failures_now(e->started, e->failures, now, g->window_s);
		if (failures == 0)
			e->started = now;
		failures++;
		if (db_failures > failures)
			failures = db_failures;
		e->failures = (int32_t)(failures < g->limit ? failures : g->limit);
	}
	pthread_cond_broadcast(&g->decided);
	pthread_mutex_unlock(&g->mutex);
}
