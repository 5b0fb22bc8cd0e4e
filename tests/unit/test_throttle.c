/* kaeru-fcgi's guard of guesses per client address (fcgi/throttle.c), with real threads: many
 * attempts of one address at once are decided at most `limit - failures` at a time and every one
 * is let through in the end; once the failures reach the limit, every attempt still waiting is
 * refused with the window's Retry-After at once, not after the longest wait (which answers 1);
 * and another address is never held up by a busy one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fcgi/throttle.h"

#define WINDOW_S 900
#define LIMIT    10
#define THREADS  40

struct run {
	struct guard *g;
	const char *addr;
	atomic_int deciding, most, went, refused, refused_late;
	bool fail;                /* each attempt let through is a failed guess */
	pthread_barrier_t *start; /* all threads ask at once */
};

static void *attempt(void *arg)
{
	struct run *r = arg;
	pthread_barrier_wait(r->start);
	int64_t retry_after = 0;
	if (guard_enter(r->g, r->addr, &retry_after) != THROTTLE_GO) {
		atomic_fetch_add(&r->refused, 1);
		if (retry_after <= 1) /* refused by the longest wait, not by the count */
			atomic_fetch_add(&r->refused_late, 1);
		return NULL;
	}
	int now = atomic_fetch_add(&r->deciding, 1) + 1;
	for (int most = atomic_load(&r->most); now > most;)
		if (atomic_compare_exchange_weak(&r->most, &most, now))
			break;
	/* the lookup's statement: long enough for the others to pile up behind it */
	struct timespec pause = {0, 2 * 1000 * 1000};
	nanosleep(&pause, NULL);
	int64_t merged = 0;
	if (guard_merge(r->g, r->addr, 0, 0, &merged) != THROTTLE_GO) {
		atomic_fetch_sub(&r->deciding, 1);
		atomic_fetch_add(&r->refused, 1);
		return NULL;
	}
	atomic_fetch_sub(&r->deciding, 1);
	atomic_fetch_add(&r->went, 1);
	guard_leave(r->g, r->addr, r->fail, 0);
	return NULL;
}

static void run_all(struct run *r)
{
	pthread_t t[THREADS];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, THREADS);
	r->start = &start;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, attempt, r), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
}

/* Failures counted before the attempts: one leave each, as a failed lookup does. */
static void fail_times(struct guard *g, const char *addr, int n)
{
	for (int i = 0; i < n; i++) {
		int64_t retry_after;
		assert_int_equal(guard_enter(g, addr, &retry_after), THROTTLE_GO);
		guard_leave(g, addr, true, 0);
	}
}

static void test_one_address_all_let_through(void **state)
{
	(void)state;
	static struct guard g = GUARD_INIT(WINDOW_S, LIMIT);
	struct run r = {.g = &g, .addr = "192.0.2.1"};
	run_all(&r);
	assert_int_equal(atomic_load(&r.went), THREADS);
	assert_int_equal(atomic_load(&r.refused), 0);
	assert_true(atomic_load(&r.most) <= LIMIT);
}

static void test_after_nine_failures_one_at_a_time(void **state)
{
	(void)state;
	static struct guard g = GUARD_INIT(WINDOW_S, LIMIT);
	fail_times(&g, "192.0.2.2", LIMIT - 1);
	struct run r = {.g = &g, .addr = "192.0.2.2"};
	run_all(&r);
	assert_int_equal(atomic_load(&r.went), THREADS);
	assert_int_equal(atomic_load(&r.most), 1);
}

static void test_failures_refuse_the_waiting_at_once(void **state)
{
	(void)state;
	static struct guard g = GUARD_INIT(WINDOW_S, LIMIT);
	fail_times(&g, "192.0.2.3", LIMIT - 2);
	struct run r = {.g = &g, .addr = "192.0.2.3", .fail = true};
	run_all(&r);
	/* two places: two guesses decided, both failed, and the limit is reached */
	assert_int_equal(atomic_load(&r.went), 2);
	assert_int_equal(atomic_load(&r.refused), THREADS - 2);
	assert_int_equal(atomic_load(&r.refused_late), 0);
}

static void test_other_address_not_held_up(void **state)
{
	(void)state;
	static struct guard g = GUARD_INIT(WINDOW_S, LIMIT);
	fail_times(&g, "192.0.2.4", LIMIT - 1);
	/* the busy address's one place taken: its next attempts would wait */
	int64_t retry_after;
	assert_int_equal(guard_enter(&g, "192.0.2.4", &retry_after), THROTTLE_GO);
	for (int i = 0; i < 3 * LIMIT; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		assert_int_equal(guard_enter(&g, addr, &retry_after), THROTTLE_GO);
		guard_leave(&g, addr, false, 0);
	}
	guard_leave(&g, "192.0.2.4", false, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_address_all_let_through),
	    cmocka_unit_test(test_after_nine_failures_one_at_a_time),
	    cmocka_unit_test(test_failures_refuse_the_waiting_at_once),
	    cmocka_unit_test(test_other_address_not_held_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
