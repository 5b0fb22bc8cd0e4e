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

/* The key and the condition variables, made by the first call (the mutex is held). The waits
 * measure their deadline on CLOCK_MONOTONIC: a change of the wall clock neither ends nor
 * stretches them. */
static void guard_ready(struct guard *g)
{
	if (!g->keyed) {
		randombytes_buf(g->hash_key, sizeof(g->hash_key));
		g->keyed = true;
	}
	if (g->waits_ready)
		return;
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	for (size_t b = 0; b < GUARD_BUCKETS; b++) {
		for (int i = 0; i < GUARD_WAYS; i++)
			pthread_cond_init(&g->waits[b].way[i], &attr);
		pthread_cond_init(&g->waits[b].room, &attr);
	}
	pthread_condattr_destroy(&attr);
	g->waits_ready = true;
}

/* addr's key and bucket; the hash is keyed with a random key of the process, so that no one can
 * choose addresses that crowd one bucket. The mutex is held. */
static struct guard_entry *bucket_of(struct guard *g, const char *addr,
                                     unsigned char key[GUARD_KEY_LEN])
{
	guard_ready(g);
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

/* The waits of e's bucket, and e's way in it. */
static struct guard_waits *waits_of(struct guard *g, const struct guard_entry *e, int *way)
{
	size_t at = (size_t)(e - &g->entries[0][0]);
	*way = (int)(at % GUARD_WAYS);
	return &g->waits[at / GUARD_WAYS];
}

/* e gave a place back (or counted a failure: every): who waits for it is woken — one attempt
 * of its address for one place, all of them when the failure may refuse them or when nothing of
 * e is decided any more (the way may then go to another address), and then also those waiting
 * for a way of the bucket. The mutex is held. */
static void wake(struct guard *g, const struct guard_entry *e, bool every)
{
	int way;
	struct guard_waits *w = waits_of(g, e, &way);
	if (w->waiting[way] > 0) {
		if (every || e->deciding == 0)
			pthread_cond_broadcast(&w->way[way]);
		else
			pthread_cond_signal(&w->way[way]);
	}
	if (e->deciding == 0 && w->homeless > 0)
		pthread_cond_broadcast(&w->room);
}

/* Waits for addr until it may be decided (a place taken) or is refused. The mutex is held. */
static enum throttle_verdict admit(struct guard *g, const char *addr, int64_t *retry_after)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += GUARD_WAIT_MAX_S;
	/* A wait that ends by its deadline looks once more before refusing: a place it was woken
	 * for at that moment is taken, not lost to the others waiting. */
	bool timed_out = false;
	for (;;) {
		int64_t now = monotonic_s();
		struct guard_entry *e = entry_get(g, addr, now);
		int rc;
		if (e) {
			int64_t failures =
			    throttle_failures_now(e->started, e->failures, now, g->window_s);
			enum throttle_verdict v = throttle_decide(failures, e->deciding, g->limit);
			int way;
			struct guard_waits *w = waits_of(g, e, &way);
			if (v == THROTTLE_GO) {
				e->deciding++;
				/* a window that ended meanwhile may have made room for more */
				if (w->waiting[way] > 0 &&
				    throttle_decide(failures, e->deciding, g->limit) == THROTTLE_GO)
					pthread_cond_signal(&w->way[way]);
				return v;
			}
			if (v == THROTTLE_REFUSE) {
				*retry_after = throttle_retry_after(e->started, now, g->window_s);
				wake(g, e, true); /* the others of the address are refused too */
				return v;
			}
			if (timed_out)
				break;
			w->waiting[way]++;
			rc = pthread_cond_timedwait(&w->way[way], &g->mutex, &deadline);
			w->waiting[way]--;
		} else { /* every way of the bucket is deciding: wait for one to come free */
			if (timed_out)
				break;
			unsigned char key[GUARD_KEY_LEN];
			struct guard_waits *w =
			    &g->waits[(size_t)(bucket_of(g, addr, key) - &g->entries[0][0]) /
			              GUARD_WAYS];
			w->homeless++;
			rc = pthread_cond_timedwait(&w->room, &g->mutex, &deadline);
			w->homeless--;
		}
		timed_out = rc == ETIMEDOUT;
	}
	*retry_after = 1;
	return THROTTLE_REFUSE;
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
		wake(g, e, false);
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
	wake(g, e, failed);
	pthread_mutex_unlock(&g->mutex);
}
