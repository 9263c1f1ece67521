/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "neigh_sync.h"

static void
neigh_sync_take_counts(struct neigh_table *t, struct neigh_counts *cnt)
{
	cnt->evicted += t->cnt.evicted;
	cnt->learn_limited += t->cnt.learn_limited;
	cnt->table_full += t->cnt.table_full;
	memset(&t->cnt, 0, sizeof(t->cnt));
}

int
neigh_sync_lookup_fast(rte_seqlock_t *lock, struct neigh_table *t,
		       const uint8_t *addr, uint8_t *mac)
{
	const struct neigh_entry *e;
	uint32_t sn;
	int found;

	do {
		sn = rte_seqlock_read_begin(lock);
		e = neigh_lookup_addr(t, addr);
		found = e != NULL && e->state == NEIGH_REACHABLE;
		if (found)
			memcpy(mac, e->mac, 6);
	} while (rte_seqlock_read_retry(lock, sn));
	return found;
}

int
neigh_sync_output(rte_seqlock_t *lock, struct neigh_table *t,
		  const uint8_t *addr, uint64_t now_ms, void *pkt,
		  uint8_t *mac, void *ctx, struct neigh_counts *cnt)
{
	int rc;

	if (neigh_sync_lookup_fast(lock, t, addr, mac))
		return 1;
	rte_seqlock_write_lock(lock);
	if (pkt != NULL)
		rc = neigh_output_addr(t, addr, now_ms, pkt, mac, ctx);
	else
		rc = neigh_resolve_addr(t, addr, now_ms, mac, ctx);
	neigh_sync_take_counts(t, cnt);
	rte_seqlock_write_unlock(lock);
	return rc;
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
