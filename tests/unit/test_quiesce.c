/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the workers' quiescent states and the munmap() guard
 * (quiesce.h), with plain threads standing in for worker lcores.  The
 * munmap() these tests call is dpfetch's own: the test executable links
 * quiesce.o, as dpfetch does.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "quiesce.h"

#define PAGE 4096

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
mapped(void *p)
{
	unsigned char vec;

	return mincore(p, PAGE, &vec) == 0;
}

static void *
new_mapping(void)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	memset(p, 7, PAGE);
	return p;
}

/* --- a worker held in the middle of an iteration --- */

struct held_worker {
	struct quiesce_slot *slot;
	int in_iteration;	/* set by the worker */
	int release;		/* set by the test: finish the iteration */
	int stop;
};

static void *
held_worker_main(void *arg)
{
	struct held_worker *h = arg;

	quiesce_enter(h->slot);
	quiesce_tick(h->slot);
	__atomic_store_n(&h->in_iteration, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
		sched_yield();
	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		quiesce_tick(h->slot);
		sched_yield();
	}
	quiesce_leave(h->slot);
	return NULL;
}

struct unmapper {
	void *addr;
	int rc;
	int done;
};

static void *
unmapper_main(void *arg)
{
	struct unmapper *u = arg;

	u->rc = munmap(u->addr, PAGE);
	__atomic_store_n(&u->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* munmap() from another thread waits for the worker's next iteration,
 * and unmaps after it. */
static void
test_munmap_waits_for_the_iteration(void **state)
{
	struct held_worker h = { .slot = quiesce_slot(0) };
	struct unmapper u = { .addr = new_mapping() };
	pthread_t wt, ut;
	uint64_t waits = quiesce_waits();

	(void)state;
	assert_int_equal(pthread_create(&wt, NULL, held_worker_main, &h), 0);
	while (!__atomic_load_n(&h.in_iteration, __ATOMIC_ACQUIRE))
		sched_yield();
	assert_int_equal(pthread_create(&ut, NULL, unmapper_main, &u), 0);
	sleep_ms(100);
	assert_false(__atomic_load_n(&u.done, __ATOMIC_ACQUIRE));
	assert_true(mapped(u.addr));

	__atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(ut, NULL), 0);
	assert_int_equal(u.rc, 0);
	assert_false(mapped(u.addr));
	assert_int_equal(quiesce_waits(), waits + 1);

	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(wt, NULL), 0);
}

/* With no worker in its loop (never entered, or left), munmap() does not
 * wait. */
static void
test_no_wait_outside_the_loop(void **state)
{
	struct held_worker h = { .slot = quiesce_slot(1) };
	pthread_t wt;
	uint64_t waits = quiesce_waits();
	void *p = new_mapping();

	(void)state;
	assert_int_equal(munmap(p, PAGE), 0);
	assert_false(mapped(p));

	h.release = 1;
	h.stop = 1;
	assert_int_equal(pthread_create(&wt, NULL, held_worker_main, &h), 0);
	assert_int_equal(pthread_join(wt, NULL), 0);
	assert_int_equal(h.slot->seq & 1, 0);
	p = new_mapping();
	assert_int_equal(munmap(p, PAGE), 0);
	assert_int_equal(quiesce_waits(), waits);
}

/* A worker's own munmap() never waits (for itself, or for another worker
 * that might be waiting for it). */
static void *
self_unmapper_main(void *arg)
{
	struct unmapper *u = arg;
	struct quiesce_slot *s = quiesce_slot(2);

	quiesce_enter(s);
	quiesce_tick(s);
	u->rc = munmap(u->addr, PAGE);
	quiesce_leave(s);
	u->done = 1;
	return NULL;
}

static void
test_worker_does_not_wait_for_itself(void **state)
{
	struct unmapper u = { .addr = new_mapping() };
	pthread_t t;
	uint64_t waits = quiesce_waits();

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, self_unmapper_main, &u), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(u.done);
	assert_int_equal(u.rc, 0);
	assert_int_equal(quiesce_waits(), waits);
}

/* munmap()'s own errors still reach the caller. */
static void
test_munmap_errors_pass_through(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(munmap((void *)1, PAGE), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_slots_are_bounded(void **state)
{
	(void)state;
	assert_non_null(quiesce_slot(QUIESCE_MAX_SLOTS - 1));
	assert_null(quiesce_slot(QUIESCE_MAX_SLOTS));
}

/* --- the PMD's pattern: test a flag, then read the shared memory --- */

struct pmd_like {
	unsigned char *volatile region;
	int connected;
	int stop;
	uint64_t reads;
};

static void *
polling_worker_main(void *arg)
{
	struct pmd_like *p = arg;
	struct quiesce_slot *s = quiesce_slot(3);
	volatile unsigned int sum = 0;
	unsigned int i;

	quiesce_enter(s);
	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		quiesce_tick(s);
		if (!__atomic_load_n(&p->connected, __ATOMIC_ACQUIRE))
			continue;
		/* a burst: many reads after one test of the flag */
		for (i = 0; i < PAGE; i += 64)
			sum += p->region[i];
		p->reads++;
	}
	quiesce_leave(s);
	return NULL;
}

/* A control thread that clears the flag and unmaps at once, as DPDK
 * 22.11's memif does on disconnect, never pulls the memory from under a
 * worker mid-read (it would fault). */
static void
test_unmap_after_flag_never_faults(void **state)
{
	struct pmd_like p = { 0 };
	pthread_t t;
	unsigned int round;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, polling_worker_main, &p), 0);
	for (round = 0; round < 2000; round++) {
		unsigned char *r = new_mapping();

		p.region = r;
		__atomic_store_n(&p.connected, 1, __ATOMIC_RELEASE);
		/* let the worker get going */
		while (round % 16 == 0 && p.reads == 0)
			sched_yield();
		__atomic_store_n(&p.connected, 0, __ATOMIC_RELAXED);
		assert_int_equal(munmap(r, PAGE), 0);
	}
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(p.reads > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_munmap_waits_for_the_iteration),
		cmocka_unit_test(test_no_wait_outside_the_loop),
		cmocka_unit_test(test_worker_does_not_wait_for_itself),
		cmocka_unit_test(test_munmap_errors_pass_through),
		cmocka_unit_test(test_slots_are_bounded),
		cmocka_unit_test(test_unmap_after_flag_never_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
