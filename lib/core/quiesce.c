/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker quiescent states and the munmap() guard (see quiesce.h).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "quiesce.h"

/* Slots are never freed, so a waiter may read one at any time. */
static struct quiesce_slot slots[QUIESCE_MAX_SLOTS];
/* Slots handed out so far: waiters scan only these. */
static unsigned int n_slots;
static uint64_t n_waits;
/* Set in a worker thread while it is in its loop. */
static __thread struct quiesce_slot *self;

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

typedef int (munmap_fn)(void *addr, size_t len);
static munmap_fn *real_munmap;

struct quiesce_slot *
quiesce_slot(unsigned int i)
{
	unsigned int n;

	if (i >= QUIESCE_MAX_SLOTS)
		return NULL;
	n = __atomic_load_n(&n_slots, __ATOMIC_RELAXED);
	while (n <= i &&
	       !__atomic_compare_exchange_n(&n_slots, &n, i + 1, 0,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
	return &slots[i];
}

void
quiesce_enter(struct quiesce_slot *s)
{
	uint64_t v = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	self = s;
	if ((v & 1) == 0)
		__atomic_store_n(&s->seq, v + 1, __ATOMIC_SEQ_CST);
}

void
quiesce_leave(struct quiesce_slot *s)
{
	uint64_t v = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	if (v & 1)
		__atomic_store_n(&s->seq, v + 1, __ATOMIC_RELEASE);
	self = NULL;
}

void
quiesce_wait(void)
{
	uint64_t seen[QUIESCE_MAX_SLOTS];
	unsigned int i, n, spins;
	int waited = 0;

	if (self != NULL)
		return;
	n = __atomic_load_n(&n_slots, __ATOMIC_ACQUIRE);
	/* Order the caller's earlier stores (the PMD's flag) before our
	 * reads of the slots: the other half of quiesce_tick(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++)
		seen[i] = __atomic_load_n(&slots[i].seq, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++) {
		if ((seen[i] & 1) == 0)
			continue;
		spins = 0;
		while (__atomic_load_n(&slots[i].seq, __ATOMIC_ACQUIRE) ==
		       seen[i]) {
			waited = 1;
			/* An iteration takes microseconds; past that the
			 * worker was preempted, perhaps by us. */
			if (++spins > 1000)
				sched_yield();
			else
				cpu_relax();
		}
	}
	if (waited)
		__atomic_fetch_add(&n_waits, 1, __ATOMIC_RELAXED);
}

uint64_t
quiesce_waits(void)
{
	return __atomic_load_n(&n_waits, __ATOMIC_RELAXED);
}

static void __attribute__((constructor))
quiesce_resolve_munmap(void)
{
	real_munmap = (munmap_fn *)dlsym(RTLD_NEXT, "munmap");
}

/*
 * Interposes libc's munmap() for the shared libraries the executable
 * loads (PMDs among them): memory a worker may still be reading is
 * unmapped only once the workers have moved on.
 */
int
munmap(void *addr, size_t len)
{
	quiesce_wait();
	if (real_munmap != NULL)
		return real_munmap(addr, len);
	/* before our constructor ran */
	return (int)syscall(SYS_munmap, addr, len);
}
