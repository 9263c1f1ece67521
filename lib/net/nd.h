/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 Neighbor Discovery (RFC 4861) for our address: answering
 * solicitations, resolving next hops through the shared neighbour
 * table (neigh.c, as ARP does), duplicate address detection (RFC 4862
 * 5.4).
 */
#ifndef DPF_ND_H
#define DPF_ND_H

#include <stdint.h>

#include <rte_seqlock.h>

#include "neigh.h"

struct app;
struct worker;
struct rte_mbuf;

#define ND_TABLE_SIZE 1024

extern const struct neigh_ops nd_neigh_ops;

/* The IPv6 neighbour table, shared by the workers (app->nd), locked as
 * ARP's is (neigh_sync.h). */
struct nd_table {
	rte_seqlock_t lock;
	struct neigh_table neigh;
	struct neigh_entry entries[ND_TABLE_SIZE];
	/* Duplicate address detection, run by worker 0 (nd_dad_poll)
	 * while app->ip6_tentative. */
	uint32_t dad_sent;
	uint64_t dad_next_ms;
	uint8_t dad_mac[6];	/* who has our address (a conflict) */
	uint8_t dad_addr[16];	/* which of ours (a conflict) */
};

/*
 * Start duplicate address detection for --ip6 (before the workers run):
 * the address is tentative until nd.dad_transmits probes have gone
 * out dad_retrans_ms apart and dad_retrans_ms more passed without a
 * conflict; with 0 probes it is ours at once.
 */
void
nd_dad_init(struct app *app);

/* Worker 0, every few milliseconds: DAD's next step; when it passes,
 * the unsolicited NA.  A conflict sets app->ip6_dad_conflict and
 * app->quit (dpfetch exits with an error). */
void
nd_dad_poll(struct worker *w);

/* An NS or NA (checksum already checked by icmp6_input) at l4_off of
 * m, IPv6 at l3_off.  Consumes m. */
void
nd_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	 uint32_t l4_off, uint32_t l4_len);

/* An NS for target: to its solicited-node group, or unicast to
 * mac_hint (re-probing a STALE entry). */
void
nd_send_ns(struct worker *w, const uint8_t *target, const uint8_t *mac_hint);

/* Duplicate address detection's probe for every --ip6: an NS from ::
 * to its solicited-node group (RFC 4862 5.4.2), on its interface. */
void
nd_send_dad_probe(struct worker *w);

/* An unsolicited NA for every --ip6 to all-nodes (RFC 4861 7.2.6), each
 * on its interface. */
void
nd_announce(struct worker *w);

/*
 * As arp_resolve / arp_output, for an IPv6 next hop (16 bytes):
 * 1 with mac, 0 while an NS is out (nd_output: m waits), -1 on failure
 * (nd_output: the caller drops m).
 */
int
nd_resolve(struct worker *w, const uint8_t *ip, uint8_t *mac);
int
nd_output(struct worker *w, const uint8_t *ip, struct rte_mbuf *m,
	  uint8_t *mac);

/* The same on one of several interfaces (ipv6_route gave it). */
int
nd_output_if(struct worker *w, uint8_t iface, const uint8_t *ip,
	     struct rte_mbuf *m, uint8_t *mac);

/* arp_reply_ok for IPv6 (dst: 16 bytes, network order). */
int
nd_reply_ok(struct worker *w, const uint8_t *dst);

/* Retries and aging (one worker calls it every few milliseconds). */
void
nd_timer(struct worker *w);

/* arp_confirm for IPv6 (dst: 16 bytes, network order). */
void
nd_confirm(struct worker *w, const uint8_t *dst);

#endif /* DPF_ND_H */
