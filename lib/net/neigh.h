/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour cache (ARP and IPv6 Neighbor Discovery): address -> MAC,
 * with the states of RFC 1122 section 2.3.2.1 (RFC 4861 7.3.2 for IPv6)
 * reduced to what a host needs.  Keys are 16 bytes, network order: an
 * IPv6 address, or an IPv4 one as ::ffff:a.b.c.d (RFC 4291 2.5.5.2);
 * the uint32_t functions below are the IPv4 spelling of the _addr ones.
 *
 *   INCOMPLETE: a request is out; packets for it wait here (a few).
 *   REACHABLE:  answered (or confirmed by TCP) within reachable_ms.
 *   STALE:      older than that, or learnt unasked; still used.  Its
 *               first use starts DELAY; probes == 0 until then, and
 *               probes > 0 is RFC 4861's PROBE: unicast requests to
 *               the old MAC every retry_ms, up to retries.
 *   DELAY:      used while STALE; used as it is for
 *               NEIGH_DELAY_FIRST_PROBE_MS, in which TCP's
 *               confirmation makes it REACHABLE without a probe, then
 *               probed (STALE with probes) if none came.
 *   FAILED:     no answer after the retries; kept briefly so that callers
 *               see the failure, then freed.
 *
 * Pure C with no DPDK dependency: packets are opaque pointers, and the
 * caller's ops send requests, transmit or free the held packets; every
 * call that may invoke them passes ctx (the calling lcore's context)
 * through to them.  Times
 * are milliseconds from any monotonic origin.  Open addressing with
 * linear probing and backward-shift deletion keeps lookups to one or two
 * cache lines and needs no tombstones.
 */

#ifndef DPF_NEIGH_H
#define DPF_NEIGH_H

#include <stdint.h>
#include <string.h>

#define NEIGH_ADDR_LEN	16
#define NEIGH_MAX_HELD	8
#define NEIGH_FAILED_KEEP_MS	1000
#define NEIGH_STALE_GC_MS	(5 * 60 * 1000)
/* RFC 4861 10: DELAY_FIRST_PROBE_TIME (Linux: delay_first_probe_time). */
#define NEIGH_DELAY_FIRST_PROBE_MS	5000

enum neigh_state {
	NEIGH_FREE = 0,
	NEIGH_INCOMPLETE,
	NEIGH_REACHABLE,
	NEIGH_STALE,
	NEIGH_FAILED,
	NEIGH_DELAY,
};

struct neigh_entry {
	uint8_t addr[NEIGH_ADDR_LEN];	/* network order (see above) */
	uint8_t mac[6];
	uint8_t state;			/* enum neigh_state */
	uint8_t probes;			/* requests sent for this resolution */
	uint8_t is_static;		/* set by hand: never aged or relearnt */
	/* Made by unsolicited ARP and not looked up by us since: a flood
	 * of such entries may replace each other, not ours. */
	uint8_t learnt;
	uint64_t changed_ms;		/* when state last changed */
	uint64_t next_probe_ms;		/* INCOMPLETE: when to ask again */
	uint64_t used_ms;		/* last lookup that used it */
	uint32_t n_held;
	void *held[NEIGH_MAX_HELD];
};

struct neigh_ops {
	/* addr: NEIGH_ADDR_LEN bytes, as in the entry. */
	void (*send_request)(void *ctx, const uint8_t *addr,
			     const uint8_t *mac_hint);
	void (*send_held)(void *ctx, void *pkt, const uint8_t *mac);
	void (*drop_held)(void *ctx, void *pkt);
	void (*failed)(void *ctx, const uint8_t *addr);
};

/* IPv4 address (host order) <-> key (::ffff:a.b.c.d). */
static inline void
neigh_addr_from_ipv4(uint8_t *addr, uint32_t ip)
{
	/* Two 8-byte stores, so that the 8-byte loads of the compares
	 * that follow are forwarded from them (byte stores are not). */
	const uint8_t hi[8] = { 0, 0, 0xff, 0xff, (uint8_t)(ip >> 24),
				(uint8_t)(ip >> 16), (uint8_t)(ip >> 8),
				(uint8_t)ip };
	const uint64_t zero = 0;
	uint64_t v;

	memcpy(&v, hi, sizeof(v));
	memcpy(addr, &zero, sizeof(zero));
	memcpy(addr + 8, &v, sizeof(v));
}

static inline uint32_t
neigh_addr_to_ipv4(const uint8_t *addr)
{
	return (uint32_t)addr[12] << 24 | (uint32_t)addr[13] << 16 |
		(uint32_t)addr[14] << 8 | addr[15];
}

/* Whether a key is an IPv4 one (::ffff:0:0/96). */
static inline int
neigh_addr_is_ipv4(const uint8_t *addr)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					 0xff, 0xff };

	return memcmp(addr, pfx, sizeof(pfx)) == 0;
}

/* What the table did since the caller last took these (and zeroed
 * them): the caller turns them into its counters. */
struct neigh_counts {
	uint64_t evicted;		/* entries dropped to make room */
	uint64_t learn_limited;		/* unsolicited entries not created */
	uint64_t table_full;		/* no entry could be made */
};

struct neigh_table {
	struct neigh_entry *entries;
	uint32_t size;			/* power of two */
	uint32_t count;
	uint32_t retries;
	uint32_t retry_ms;
	uint32_t reachable_ms;
	const struct neigh_ops *ops;
	/* Never evicted (the gateway: every off-link packet needs it). */
	int has_protect;
	uint8_t protect[NEIGH_ADDR_LEN];
	/* Entries created by unsolicited ARP, per second (token bucket,
	 * in thousandths of an entry, one second of burst); 0 = no limit. */
	uint32_t learn_rate;
	uint64_t learn_credit;
	uint64_t learn_last_ms;
	struct neigh_counts cnt;
};

/* entries: caller-provided array of size (a power of two) slots. */
int
neigh_init(struct neigh_table *t, struct neigh_entry *entries, uint32_t size,
	   uint32_t retries, uint32_t retry_ms, uint32_t reachable_ms,
	   const struct neigh_ops *ops);

/*
 * Bounds against a hostile LAN: learn_rate entries a second may be
 * created from unsolicited ARP (0 = no limit), and protect_ip (the
 * gateway; 0 = none) is never evicted.
 *
 * When the table is full a new entry takes the place of the oldest one
 * that can go: FAILED first, then STALE (least recently used), then
 * REACHABLE, then INCOMPLETE (one that holds packets last: they are
 * dropped, through ops->drop_held).  An unsolicited entry may only take
 * a FAILED or STALE one's place.  Static entries and protect_ip stay.
 */
void
neigh_set_limits(struct neigh_table *t, uint32_t learn_rate,
		 uint32_t protect_ip);
/* The same with a key; protect NULL = none. */
void
neigh_set_limits_addr(struct neigh_table *t, uint32_t learn_rate,
		      const uint8_t *protect);

struct neigh_entry *
neigh_lookup_addr(struct neigh_table *t, const uint8_t *addr);
struct neigh_entry *
neigh_lookup(struct neigh_table *t, uint32_t ip);

/*
 * Learn ip -> mac (an ARP reply, or a request aimed at us).  create: add
 * an entry if none exists (RFC 826 only merges, except when we are the
 * target).  Held packets are sent.  Returns the entry or NULL (no entry
 * and !create, or the table is full).
 */
struct neigh_entry *
neigh_update_addr(struct neigh_table *t, const uint8_t *addr,
		  const uint8_t *mac, uint64_t now_ms, int create, void *ctx);
struct neigh_entry *
neigh_update(struct neigh_table *t, uint32_t ip, const uint8_t *mac,
	     uint64_t now_ms, int create, void *ctx);

/*
 * What IPv6 Neighbor Discovery teaches (RFC 4861 7.2.3 and 7.2.5), where
 * ARP's merge above makes everything REACHABLE: how is
 * NEIGH_ND_CREATE (a solicitation's source address: add an entry if
 * none), NEIGH_ND_SOLICITED and NEIGH_ND_OVERRIDE (an advertisement's S
 * and O flags; a solicitation's address always overrides).
 *   - a new, INCOMPLETE or FAILED entry takes mac: REACHABLE when
 *     solicited, else STALE; held packets are sent;
 *   - another mac without override: the entry keeps its own, and a
 *     REACHABLE one becomes STALE;
 *   - otherwise mac is taken; solicited makes it REACHABLE, a changed
 *     mac without it STALE, and the same mac leaves the state as it was;
 *   - mac NULL (an advertisement without the target's link-layer
 *     address): solicited makes a REACHABLE, STALE or DELAY entry
 *     REACHABLE; nothing else changes.
 * Returns the entry or NULL (none and not created, or the table full).
 */
#define NEIGH_ND_CREATE		0x1
#define NEIGH_ND_SOLICITED	0x2
#define NEIGH_ND_OVERRIDE	0x4

struct neigh_entry *
neigh_learn_nd(struct neigh_table *t, const uint8_t *addr,
	       const uint8_t *mac, uint64_t now_ms, unsigned int how,
	       void *ctx);

/*
 * Find the MAC for ip, starting a resolution if needed.  Returns 1 with
 * mac filled (REACHABLE, DELAY or STALE; a STALE one starts DELAY, or
 * is re-probed when its probe is due), 0 when a
 * resolution is under way, -1 when it failed recently or the table is
 * full.
 */
int
neigh_resolve_addr(struct neigh_table *t, const uint8_t *addr,
		   uint64_t now_ms, uint8_t *mac, void *ctx);
int
neigh_resolve(struct neigh_table *t, uint32_t ip, uint64_t now_ms,
	      uint8_t *mac, void *ctx);

/*
 * Resolve, and if under way keep pkt until the answer.  Returns 1 (mac
 * filled, caller sends), 0 (held), -1 (caller must drop pkt).
 */
int
neigh_output_addr(struct neigh_table *t, const uint8_t *addr,
		  uint64_t now_ms, void *pkt, uint8_t *mac, void *ctx);
int
neigh_output(struct neigh_table *t, uint32_t ip, uint64_t now_ms,
	     void *pkt, uint8_t *mac, void *ctx);

/*
 * Reachability confirmed by an upper layer (RFC 4861 7.3.1; Linux's
 * neigh_confirm): TCP saw an acknowledgement of new data, so our frames
 * reach the neighbour.  A REACHABLE or STALE entry becomes REACHABLE
 * anew and pending probes stop, so a busy peer needs no probes (which a
 * loaded link may lose); so does a DELAY one.  Returns 1 when an entry
 * was confirmed, 0 when
 * there is none to confirm (absent, static, INCOMPLETE or FAILED).
 */
int
neigh_confirm_addr(struct neigh_table *t, const uint8_t *addr,
		   uint64_t now_ms);

/*
 * Whether a confirmation for key (a 32-bit digest of the destination) is
 * due, with the caller's small direct-mapped memory of recent ones
 * (keys[], ms[], n slots, a power of two): at most one per key and
 * interval, so the table's lock is taken rarely.  Records it when due.
 */
static inline int
neigh_confirm_due(uint32_t *keys, uint32_t *ms, unsigned int n,
		  uint32_t key, uint64_t now_ms, uint32_t interval_ms)
{
	unsigned int i = (key * 0x9e3779b1u) >> 24 & (n - 1);
	uint32_t now = (uint32_t)now_ms;

	if (keys[i] == key && now - ms[i] < interval_ms)
		return 0;
	keys[i] = key;
	ms[i] = now;
	return 1;
}

/* Retries, aging and garbage collection; call every few milliseconds. */
void
neigh_timer(struct neigh_table *t, uint64_t now_ms, void *ctx);

/*
 * A static entry (like "ip neigh add ... nud permanent"): REACHABLE for
 * good, not aged, not changed by ARP traffic; held packets are sent.
 * Returns the entry, or NULL when the table is full.
 */
struct neigh_entry *
neigh_add_static_addr(struct neigh_table *t, const uint8_t *addr,
		      const uint8_t *mac, uint64_t now_ms, void *ctx);
struct neigh_entry *
neigh_add_static(struct neigh_table *t, uint32_t ip, const uint8_t *mac,
		 uint64_t now_ms, void *ctx);

/* Remove an entry (dropping what it holds). */
int
neigh_delete_addr(struct neigh_table *t, const uint8_t *addr, void *ctx);
int
neigh_delete(struct neigh_table *t, uint32_t ip, void *ctx);

const char *
neigh_state_name(enum neigh_state s);

#endif /* DPF_NEIGH_H */
