/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quiescent states of the worker loops, and the guard on munmap() built
 * on them.
 *
 * Why: some PMDs unmap memory that their burst functions read, from a
 * control thread, without waiting for the data path.  DPDK 22.11's memif
 * does so when its peer goes away: the interrupt thread clears the
 * "connected" flag and unmaps the shared regions at once, while a worker
 * that tested the flag a moment earlier is still reading the ring (or
 * was preempted between the test and the read).  The worker then faults.
 *
 * How: each worker bumps its slot once per loop iteration; munmap() in a
 * non-worker thread first waits until every worker in its loop has begun
 * a new iteration.  The PMD cleared its flag before calling munmap(), so
 * an iteration that begins after the wait sees the flag cleared and never
 * touches the mapping, and the one that was running has ended.  dpfetch
 * defines munmap() itself, which the dynamic linker binds the PMDs'
 * calls to (the executable comes first in symbol lookup); the real one
 * is the next definition (libc's, or a sanitizer's interceptor).
 *
 * Cost on the data path: one sequentially consistent store per loop
 * iteration into the worker's own cache line.
 *
 * No DPDK dependency: unit-tested with plain threads.
 */

#ifndef DPF_QUIESCE_H
#define DPF_QUIESCE_H

#include <stdint.h>

#define QUIESCE_MAX_SLOTS 128

/* seq is odd while its worker is in its loop and grows by 2 per
 * iteration; even when the worker is outside (not started, or ended). */
struct quiesce_slot {
	uint64_t seq;
} __attribute__((aligned(64)));

/* Slot i (i < QUIESCE_MAX_SLOTS, one per worker), or NULL. */
struct quiesce_slot *
quiesce_slot(unsigned int i);

/* The calling thread is the slot's worker and enters its loop: from now
 * on munmap() in other threads waits for its iterations. */
void
quiesce_enter(struct quiesce_slot *s);

/* The calling worker leaves its loop: nobody waits for it any more. */
void
quiesce_leave(struct quiesce_slot *s);

/* A new loop iteration: whatever the previous one read is no longer in
 * use.  Sequentially consistent, so that the loads of the new iteration
 * (a PMD's "connected" flag) come after a waiter's view of this store. */
static inline void
quiesce_tick(struct quiesce_slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 2, __ATOMIC_SEQ_CST);
}

/* Returns once every worker that was in its loop has begun a new
 * iteration or left.  Immediately in a worker thread (it cannot wait for
 * itself, nor for a worker that waits for it). */
void
quiesce_wait(void);

/* Number of quiesce_wait() calls that had to wait (for tests). */
uint64_t
quiesce_waits(void);

#endif /* DPF_QUIESCE_H */
