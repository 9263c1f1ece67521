/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A neighbour table shared by the workers (ARP's, ND's): lookups of
 * answered entries take no lock (the seqlock's read side), anything
 * that changes the table takes its lock.  What the table counted
 * meanwhile is handed back in *cnt for the caller's counters.
 */
#ifndef DPF_NEIGH_SYNC_H
#define DPF_NEIGH_SYNC_H

#include <stdint.h>

#include <rte_seqlock.h>

#include "neigh.h"

struct worker_neigh_cache;

/* neigh_resolve_addr, or with pkt != NULL neigh_output_addr, under the
 * lock after a lock-free try; the same results.  nc (or NULL): the
 * caller's last answer, tried first and kept up to date. */
int
neigh_sync_output(rte_seqlock_t *lock, struct neigh_table *t,
		  const uint8_t *addr, uint64_t now_ms, void *pkt,
		  uint8_t *mac, void *ctx, struct neigh_counts *cnt,
		  struct worker_neigh_cache *nc);

/* Whether addr has an entry with no packet waiting in it (a reply that
 * nothing else keeps may then wait there alone). */
int
neigh_sync_nothing_held(rte_seqlock_t *lock, struct neigh_table *t,
			const uint8_t *addr);

/* neigh_update_addr under the lock. */
void
neigh_sync_update(rte_seqlock_t *lock, struct neigh_table *t,
		  const uint8_t *addr, const uint8_t *mac, uint64_t now_ms,
		  int create, void *ctx, struct neigh_counts *cnt);

/* neigh_learn_nd under the lock. */
void
neigh_sync_learn_nd(rte_seqlock_t *lock, struct neigh_table *t,
		    const uint8_t *addr, const uint8_t *mac, uint64_t now_ms,
		    unsigned int how, void *ctx, struct neigh_counts *cnt);

/* neigh_confirm_addr under the lock. */
int
neigh_sync_confirm(rte_seqlock_t *lock, struct neigh_table *t,
		   const uint8_t *addr, uint64_t now_ms);

#endif /* DPF_NEIGH_SYNC_H */
