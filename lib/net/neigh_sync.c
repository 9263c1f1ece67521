/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "neigh_sync.h"
#include "worker.h"

static void
neigh_sync_take_counts(struct neigh_table *t, struct neigh_counts *cnt)
{
	cnt->evicted += t->cnt.evicted;
	cnt->learn_limited += t->cnt.learn_limited;
	cnt->table_full += t->cnt.table_full;
	memset(&t->cnt, 0, sizeof(t->cnt));
}

/* The MAC of a REACHABLE or DELAY entry without the lock (1, else 0:
 * the slow path decides), and the seqlock count it read under. */
static int
neigh_sync_lookup_sn(rte_seqlock_t *lock, struct neigh_table *t,
		     const uint8_t *addr, uint8_t *mac, uint32_t *snp)
{
	const struct neigh_entry *e;
	uint32_t sn;
	int found;

	do {
		sn = rte_seqlock_read_begin(lock);
		e = neigh_lookup_addr(t, addr);
		/* DELAY needs nothing of a use either. */
		found = e != NULL && (e->state == NEIGH_REACHABLE ||
				      e->state == NEIGH_DELAY);
		if (found)
			memcpy(mac, e->mac, 6);
	} while (rte_seqlock_read_retry(lock, sn));
	*snp = sn;
	return found;
}

int
neigh_sync_output(rte_seqlock_t *lock, struct neigh_table *t,
		  const uint8_t *addr, uint64_t now_ms, void *pkt,
		  uint8_t *mac, void *ctx, struct neigh_counts *cnt,
		  struct worker_neigh_cache *nc)
{
	uint32_t sn;
	int rc;

	/* The same next hop as last time, and no write to the table since
	 * (an even count, the same as then): the same answer. */
	if (nc != NULL && nc->table == t &&
	    memcmp(nc->addr, addr, NEIGH_ADDR_LEN) == 0 &&
	    rte_seqlock_read_begin(lock) == nc->sn) {
		memcpy(mac, nc->mac, 6);
		return 1;
	}
	if (neigh_sync_lookup_sn(lock, t, addr, mac, &sn)) {
		if (nc != NULL) {
			nc->table = t;
			nc->sn = sn;
			memcpy(nc->addr, addr, NEIGH_ADDR_LEN);
			memcpy(nc->mac, mac, 6);
		}
		return 1;
	}
	rte_seqlock_write_lock(lock);
	if (pkt != NULL)
		rc = neigh_output_addr(t, addr, now_ms, pkt, mac, ctx);
	else
		rc = neigh_resolve_addr(t, addr, now_ms, mac, ctx);
	neigh_sync_take_counts(t, cnt);
	rte_seqlock_write_unlock(lock);
	return rc;
}

int
neigh_sync_nothing_held(rte_seqlock_t *lock, struct neigh_table *t,
			const uint8_t *addr)
{
	const struct neigh_entry *e;
	int ok;

	rte_seqlock_write_lock(lock);
	e = neigh_lookup_addr(t, addr);
	ok = e != NULL && e->n_held == 0;
	rte_seqlock_write_unlock(lock);
	return ok;
}

void
neigh_sync_update(rte_seqlock_t *lock, struct neigh_table *t,
		  const uint8_t *addr, const uint8_t *mac, uint64_t now_ms,
		  int create, void *ctx, struct neigh_counts *cnt)
{
	rte_seqlock_write_lock(lock);
	neigh_update_addr(t, addr, mac, now_ms, create, ctx);
	neigh_sync_take_counts(t, cnt);
	rte_seqlock_write_unlock(lock);
}

void
neigh_sync_learn_nd(rte_seqlock_t *lock, struct neigh_table *t,
		    const uint8_t *addr, const uint8_t *mac, uint64_t now_ms,
		    unsigned int how, void *ctx, struct neigh_counts *cnt)
{
	rte_seqlock_write_lock(lock);
	neigh_learn_nd(t, addr, mac, now_ms, how, ctx);
	neigh_sync_take_counts(t, cnt);
	rte_seqlock_write_unlock(lock);
}

int
neigh_sync_confirm(rte_seqlock_t *lock, struct neigh_table *t,
		   const uint8_t *addr, uint64_t now_ms)
{
	int rc;

	rte_seqlock_write_lock(lock);
	rc = neigh_confirm_addr(t, addr, now_ms);
	rte_seqlock_write_unlock(lock);
	return rc;
}
