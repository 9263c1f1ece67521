/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "neigh.h"

static uint32_t
neigh_hash(const uint8_t *addr)
{
	uint32_t v[4], ip;

	/* The words mixed unevenly (an IPv4 key differs only in the last),
	 * then MurmurHash3's finalizer: every input bit reaches the low
	 * bits that index the table. */
	memcpy(v, addr, sizeof(v));
	ip = v[3] ^ (v[2] * 0x9e3779b1u) ^ (v[1] * 0x7feb352du) ^
		(v[0] * 0x846ca68bu);
	ip ^= ip >> 16;
	ip *= 0x85ebca6bu;
	ip ^= ip >> 13;
	ip *= 0xc2b2ae35u;
	ip ^= ip >> 16;
	return ip;
}

int
neigh_init(struct neigh_table *t, struct neigh_entry *entries, uint32_t size,
	   uint32_t retries, uint32_t retry_ms, uint32_t reachable_ms,
	   const struct neigh_ops *ops)
{
	if (size < 2 || (size & (size - 1)) != 0)
		return -1;
	memset(entries, 0, sizeof(*entries) * size);
	t->entries = entries;
	t->size = size;
	t->count = 0;
	t->retries = retries;
	t->retry_ms = retry_ms;
	t->reachable_ms = reachable_ms;
	t->ops = ops;
	t->has_protect = 0;
	memset(t->protect, 0, sizeof(t->protect));
	t->learn_rate = 0;
	t->learn_credit = 0;
	t->learn_last_ms = 0;
	memset(&t->cnt, 0, sizeof(t->cnt));
	return 0;
}

void
neigh_set_limits_addr(struct neigh_table *t, uint32_t learn_rate,
		      const uint8_t *protect)
{
	t->learn_rate = learn_rate;
	t->learn_credit = (uint64_t)learn_rate * 1000;
	t->learn_last_ms = 0;
	t->has_protect = protect != NULL;
	if (protect != NULL)
		memcpy(t->protect, protect, NEIGH_ADDR_LEN);
}

void
neigh_set_limits(struct neigh_table *t, uint32_t learn_rate,
		 uint32_t protect_ip)
{
	uint8_t a[NEIGH_ADDR_LEN];

	neigh_addr_from_ipv4(a, protect_ip);
	neigh_set_limits_addr(t, learn_rate, protect_ip != 0 ? a : NULL);
}

/* May an unsolicited entry be created now?  Token bucket. */
static int
neigh_learn_allowed(struct neigh_table *t, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)t->learn_rate * 1000;

	if (t->learn_rate == 0)
		return 1;
	if (now_ms > t->learn_last_ms) {
		t->learn_credit += (now_ms - t->learn_last_ms) * t->learn_rate;
		if (t->learn_credit > cap)
			t->learn_credit = cap;
		t->learn_last_ms = now_ms;
	}
	if (t->learn_credit < 1000) {
		t->cnt.learn_limited++;
		return 0;
	}
	t->learn_credit -= 1000;
	return 1;
}

struct neigh_entry *
neigh_lookup_addr(struct neigh_table *t, const uint8_t *addr)
{
	uint32_t mask = t->size - 1;
	uint32_t i = neigh_hash(addr) & mask;
	uint32_t n;

	for (n = 0; n < t->size; n++, i = (i + 1) & mask) {
		struct neigh_entry *e = &t->entries[i];

		if (e->state == NEIGH_FREE)
			return NULL;
		if (memcmp(e->addr, addr, NEIGH_ADDR_LEN) == 0)
			return e;
	}
	return NULL;
}

struct neigh_entry *
neigh_lookup(struct neigh_table *t, uint32_t ip)
{
	uint8_t a[NEIGH_ADDR_LEN];

	neigh_addr_from_ipv4(a, ip);
	return neigh_lookup_addr(t, a);
}

static void
neigh_remove_slot(struct neigh_table *t, uint32_t i, void *ctx);

/* Eviction order: lower goes first; -1: never. */
static int
neigh_evict_rank(const struct neigh_table *t, const struct neigh_entry *e,
		 uint64_t *age)
{
	if (e->is_static || (t->has_protect &&
	    memcmp(e->addr, t->protect, NEIGH_ADDR_LEN) == 0))
		return -1;
	switch (e->state) {
	case NEIGH_FAILED:
		*age = e->changed_ms;
		return 0;
	case NEIGH_STALE:
		*age = e->used_ms;
		return 1;
	case NEIGH_REACHABLE:
	case NEIGH_DELAY:
		*age = e->used_ms > e->changed_ms ? e->used_ms : e->changed_ms;
		return e->learnt ? 1 : 2;
	case NEIGH_INCOMPLETE:
		*age = e->changed_ms;
		return e->n_held == 0 ? 3 : 4;
	default:
		return -1;
	}
}

/* Make room: remove the entry that matters least, up to max_rank.
 * Returns 0, or -1 when nothing may go.  O(size), only when full. */
static int
neigh_evict(struct neigh_table *t, int max_rank, void *ctx)
{
	uint32_t i, victim = UINT32_MAX;
	uint64_t best_age = 0;
	int best_rank = max_rank + 1;

	for (i = 0; i < t->size; i++) {
		uint64_t age = 0;
		int r = neigh_evict_rank(t, &t->entries[i], &age);

		if (r < 0 || r > best_rank || r > max_rank)
			continue;
		if (r < best_rank || age < best_age) {
			victim = i;
			best_rank = r;
			best_age = age;
		}
	}
	if (victim == UINT32_MAX)
		return -1;
	t->cnt.evicted++;
	/* Held packets (rank 4) go through ops->drop_held, counted. */
	neigh_remove_slot(t, victim, ctx);
	return 0;
}

#define NEIGH_RANK_ANY		4
/* FAILED, STALE, or REACHABLE but only ever learnt unasked. */
#define NEIGH_RANK_UNSOLICITED	1

static struct neigh_entry *
neigh_insert(struct neigh_table *t, const uint8_t *addr, uint64_t now_ms,
	     int max_rank, void *ctx)
{
	uint32_t mask = t->size - 1;
	uint32_t i = neigh_hash(addr) & mask;
	struct neigh_entry *e;

	/* Keep a free slot so that probes always terminate. */
	if (t->count + 1 >= t->size && neigh_evict(t, max_rank, ctx) != 0) {
		t->cnt.table_full++;
		return NULL;
	}
	while (t->entries[i].state != NEIGH_FREE)
		i = (i + 1) & mask;
	e = &t->entries[i];
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, addr, NEIGH_ADDR_LEN);
	e->state = NEIGH_INCOMPLETE;
	e->changed_ms = now_ms;
	e->used_ms = now_ms;
	t->count++;
	return e;
}

static void
neigh_drop_all_held(struct neigh_table *t, struct neigh_entry *e, void *ctx)
{
	uint32_t i;

	for (i = 0; i < e->n_held; i++)
		if (t->ops != NULL && t->ops->drop_held != NULL)
			t->ops->drop_held(ctx, e->held[i]);
	e->n_held = 0;
}

/* Backward-shift deletion: move later members of the cluster up. */
static void
neigh_remove_slot(struct neigh_table *t, uint32_t i, void *ctx)
{
	uint32_t mask = t->size - 1;
	uint32_t j = i;

	neigh_drop_all_held(t, &t->entries[i], ctx);
	for (;;) {
		uint32_t home;

		j = (j + 1) & mask;
		if (t->entries[j].state == NEIGH_FREE)
			break;
		home = neigh_hash(t->entries[j].addr) & mask;
		/* Move j into the hole at i unless its home lies in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->entries[i] = t->entries[j];
			i = j;
		}
	}
	memset(&t->entries[i], 0, sizeof(t->entries[i]));
	t->count--;
}

int
neigh_delete_addr(struct neigh_table *t, const uint8_t *addr, void *ctx)
{
	struct neigh_entry *e = neigh_lookup_addr(t, addr);

	if (e == NULL)
		return -1;
	neigh_remove_slot(t, (uint32_t)(e - t->entries), ctx);
	return 0;
}

int
neigh_delete(struct neigh_table *t, uint32_t ip, void *ctx)
{
	uint8_t a[NEIGH_ADDR_LEN];

	neigh_addr_from_ipv4(a, ip);
	return neigh_delete_addr(t, a, ctx);
}

static void
neigh_set_state(struct neigh_entry *e, enum neigh_state state,
		uint64_t now_ms)
{
	e->state = state;
	e->changed_ms = now_ms;
	e->probes = 0;
}

/* e's address is mac, in state: what waited for it goes. */
static void
neigh_answered(struct neigh_table *t, struct neigh_entry *e,
	       const uint8_t *mac, enum neigh_state state, uint64_t now_ms,
	       void *ctx)
{
	uint32_t i;

	memcpy(e->mac, mac, 6);
	neigh_set_state(e, state, now_ms);
	for (i = 0; i < e->n_held; i++)
		if (t->ops != NULL && t->ops->send_held != NULL)
			t->ops->send_held(ctx, e->held[i], e->mac);
	e->n_held = 0;
}

/* create: 1 from ARP (rate-limited), 2 by hand (not limited). */
static struct neigh_entry *
neigh_learn(struct neigh_table *t, const uint8_t *addr, const uint8_t *mac,
	    uint64_t now_ms, int create, void *ctx)
{
	struct neigh_entry *e = neigh_lookup_addr(t, addr);

	if (e == NULL) {
		if (!create)
			return NULL;
		if (create == 1 && !neigh_learn_allowed(t, now_ms))
			return NULL;
		e = neigh_insert(t, addr, now_ms, create == 1 ?
				 NEIGH_RANK_UNSOLICITED : NEIGH_RANK_ANY, ctx);
		if (e == NULL)
			return NULL;
		e->learnt = create == 1;
	}
	if (e->is_static)
		return e;	/* what the operator said stands */
	neigh_answered(t, e, mac, NEIGH_REACHABLE, now_ms, ctx);
	return e;
}

struct neigh_entry *
neigh_update_addr(struct neigh_table *t, const uint8_t *addr,
		  const uint8_t *mac, uint64_t now_ms, int create, void *ctx)
{
	return neigh_learn(t, addr, mac, now_ms, create ? 1 : 0, ctx);
}

struct neigh_entry *
neigh_update(struct neigh_table *t, uint32_t ip, const uint8_t *mac,
	     uint64_t now_ms, int create, void *ctx)
{
	uint8_t a[NEIGH_ADDR_LEN];

	neigh_addr_from_ipv4(a, ip);
	return neigh_learn(t, a, mac, now_ms, create ? 1 : 0, ctx);
}

struct neigh_entry *
neigh_learn_nd(struct neigh_table *t, const uint8_t *addr,
	       const uint8_t *mac, uint64_t now_ms, unsigned int how,
	       void *ctx)
{
	struct neigh_entry *e = neigh_lookup_addr(t, addr);
	int solicited = (how & NEIGH_ND_SOLICITED) != 0;
	int moved;

	if (e == NULL) {
		if (!(how & NEIGH_ND_CREATE) || !neigh_learn_allowed(t, now_ms))
			return NULL;
		e = neigh_insert(t, addr, now_ms, NEIGH_RANK_UNSOLICITED, ctx);
		if (e == NULL)
			return NULL;
		e->learnt = 1;
	}
	if (e->is_static)
		return e;
	if (mac == NULL) {
		/* An advertisement without the target's address: only its
		 * flags speak, about the address we hold; with none held
		 * there is nothing to take (RFC 4861 7.2.5).  A unicast
		 * probe's answer may leave it out (7.2.4). */
		if (e->state == NEIGH_INCOMPLETE || e->state == NEIGH_FAILED)
			return e;
		if (solicited)
			neigh_set_state(e, NEIGH_REACHABLE, now_ms);
		return e;
	}
	if (e->state == NEIGH_INCOMPLETE || e->state == NEIGH_FAILED) {
		/* The first answer: STALE unless it answers our question. */
		neigh_answered(t, e, mac, solicited ? NEIGH_REACHABLE :
			       NEIGH_STALE, now_ms, ctx);
		return e;
	}
	moved = memcmp(e->mac, mac, 6) != 0;
	if (moved && !(how & NEIGH_ND_OVERRIDE)) {
		/* Another address without the override flag: keep ours, but
		 * no longer trust it (RFC 4861 7.2.5). */
		if (e->state == NEIGH_REACHABLE)
			neigh_set_state(e, NEIGH_STALE, now_ms);
		return e;
	}
	if (moved)
		memcpy(e->mac, mac, 6);
	if (solicited)
		neigh_set_state(e, NEIGH_REACHABLE, now_ms);
	else if (moved)
		neigh_set_state(e, NEIGH_STALE, now_ms);
	return e;
}

struct neigh_entry *
neigh_add_static_addr(struct neigh_table *t, const uint8_t *addr,
		      const uint8_t *mac, uint64_t now_ms, void *ctx)
{
	struct neigh_entry *e = neigh_lookup_addr(t, addr);

	if (e != NULL)
		e->is_static = 0;
	e = neigh_learn(t, addr, mac, now_ms, 2, ctx);
	if (e != NULL)
		e->is_static = 1;
	return e;
}

struct neigh_entry *
neigh_add_static(struct neigh_table *t, uint32_t ip, const uint8_t *mac,
		 uint64_t now_ms, void *ctx)
{
	uint8_t a[NEIGH_ADDR_LEN];

	neigh_addr_from_ipv4(a, ip);
	return neigh_add_static_addr(t, a, mac, now_ms, ctx);
}

static void
neigh_probe(struct neigh_table *t, struct neigh_entry *e, uint64_t now_ms,
	    const uint8_t *mac_hint, void *ctx)
{
	e->probes++;
	e->next_probe_ms = now_ms + t->retry_ms;
	if (t->ops != NULL && t->ops->send_request != NULL)
		t->ops->send_request(ctx, e->addr, mac_hint);
}

int
neigh_resolve_addr(struct neigh_table *t, const uint8_t *addr,
		   uint64_t now_ms, uint8_t *mac, void *ctx)
{
	struct neigh_entry *e = neigh_lookup_addr(t, addr);

	if (e == NULL) {
		e = neigh_insert(t, addr, now_ms, NEIGH_RANK_ANY, ctx);
		if (e == NULL)
			return -1;
		neigh_probe(t, e, now_ms, NULL, ctx);
		return 0;
	}
	e->used_ms = now_ms;
	e->learnt = 0;
	switch (e->state) {
	case NEIGH_STALE:
		/* Keep using the old answer while we confirm it: first give
		 * TCP the time to (DELAY), then ask (unicast). */
		if (e->probes == 0) {
			e->state = NEIGH_DELAY;
			e->changed_ms = now_ms;
			e->next_probe_ms = now_ms + NEIGH_DELAY_FIRST_PROBE_MS;
		} else if (now_ms >= e->next_probe_ms) {
			if (e->probes >= t->retries) {
				e->state = NEIGH_FAILED;
				e->changed_ms = now_ms;
				return -1;
			}
			neigh_probe(t, e, now_ms, e->mac, ctx);
		}
		/* fall through */
	case NEIGH_DELAY:
	case NEIGH_REACHABLE:
		memcpy(mac, e->mac, 6);
		return 1;
	case NEIGH_INCOMPLETE:
		return 0;
	default:
		return -1;
	}
}

int
neigh_resolve(struct neigh_table *t, uint32_t ip, uint64_t now_ms,
	      uint8_t *mac, void *ctx)
{
	uint8_t a[NEIGH_ADDR_LEN];

	neigh_addr_from_ipv4(a, ip);
	return neigh_resolve_addr(t, a, now_ms, mac, ctx);
}

int
neigh_output_addr(struct neigh_table *t, const uint8_t *addr,
		  uint64_t now_ms, void *pkt, uint8_t *mac, void *ctx)
{
	int rc = neigh_resolve_addr(t, addr, now_ms, mac, ctx);
	struct neigh_entry *e;

	if (rc != 0)
		return rc;
	e = neigh_lookup_addr(t, addr);
	if (e == NULL || e->n_held == NEIGH_MAX_HELD)
		return -1;
	e->held[e->n_held++] = pkt;
	return 0;
}

int
neigh_output(struct neigh_table *t, uint32_t ip, uint64_t now_ms,
	     void *pkt, uint8_t *mac, void *ctx)
{
	uint8_t a[NEIGH_ADDR_LEN];

	neigh_addr_from_ipv4(a, ip);
	return neigh_output_addr(t, a, now_ms, pkt, mac, ctx);
}

int
neigh_confirm_addr(struct neigh_table *t, const uint8_t *addr,
		   uint64_t now_ms)
{
	struct neigh_entry *e = neigh_lookup_addr(t, addr);

	if (e == NULL || e->is_static ||
	    (e->state != NEIGH_REACHABLE && e->state != NEIGH_STALE &&
	     e->state != NEIGH_DELAY))
		return 0;
	neigh_set_state(e, NEIGH_REACHABLE, now_ms);
	e->used_ms = now_ms;
	return 1;
}

void
neigh_timer(struct neigh_table *t, uint64_t now_ms, void *ctx)
{
	uint32_t i = 0;

	while (i < t->size) {
		struct neigh_entry *e = &t->entries[i];
		int removed = 0;

		if (e->is_static) {
			i++;
			continue;
		}
		switch (e->state) {
		case NEIGH_INCOMPLETE:
			if (now_ms < e->next_probe_ms)
				break;
			if (e->probes < t->retries) {
				neigh_probe(t, e, now_ms, NULL, ctx);
				break;
			}
			e->state = NEIGH_FAILED;
			e->changed_ms = now_ms;
			neigh_drop_all_held(t, e, ctx);
			if (t->ops != NULL && t->ops->failed != NULL)
				t->ops->failed(ctx, e->addr);
			break;
		case NEIGH_REACHABLE:
			if (now_ms - e->changed_ms >= t->reachable_ms)
				neigh_set_state(e, NEIGH_STALE, now_ms);
			break;
		case NEIGH_DELAY:
			/* No confirmation in time: ask. */
			if (now_ms >= e->next_probe_ms) {
				neigh_set_state(e, NEIGH_STALE, now_ms);
				neigh_probe(t, e, now_ms, e->mac, ctx);
			}
			break;
		case NEIGH_STALE:
			if (e->probes > 0 && now_ms >= e->next_probe_ms &&
			    e->probes >= t->retries) {
				e->state = NEIGH_FAILED;
				e->changed_ms = now_ms;
				if (t->ops != NULL && t->ops->failed != NULL)
					t->ops->failed(ctx, e->addr);
			} else if (now_ms - e->used_ms >= NEIGH_STALE_GC_MS) {
				neigh_remove_slot(t, i, ctx);
				removed = 1;
			}
			break;
		case NEIGH_FAILED:
			if (now_ms - e->changed_ms >= NEIGH_FAILED_KEEP_MS) {
				neigh_remove_slot(t, i, ctx);
				removed = 1;
			}
			break;
		default:
			break;
		}
		/* A removal shifts a later entry into slot i: look again. */
		if (!removed)
			i++;
	}
}

const char *
neigh_state_name(enum neigh_state s)
{
	switch (s) {
	case NEIGH_INCOMPLETE: return "incomplete";
	case NEIGH_REACHABLE: return "reachable";
	case NEIGH_STALE: return "stale";
	case NEIGH_DELAY: return "delay";
	case NEIGH_FAILED: return "failed";
	default: return "free";
	}
}
