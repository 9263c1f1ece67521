/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826): answering for our address and resolving next hops. */

#ifndef DPF_ARP_H
#define DPF_ARP_H

#include <stdint.h>

#include <rte_seqlock.h>

#include "neigh.h"

struct worker;
struct rte_mbuf;
struct rte_ether_addr;
struct neigh_ops;

extern const struct neigh_ops arp_neigh_ops;

#define NEIGH_TABLE_SIZE 1024

/* The neighbour table, shared by the workers (app->arp): lookups are
 * lock-free under the seqlock, changes (rare: ARP traffic, timers) take
 * its lock. */
struct arp_table {
	rte_seqlock_t lock;
	struct neigh_table neigh;
	struct neigh_entry entries[NEIGH_TABLE_SIZE];
};

/* m starts at the ARP header (Ethernet header stripped). */
void
arp_input(struct worker *w, struct rte_mbuf *m);

/* A request for ip; broadcast unless a unicast hint is given. */
void
arp_send_request(struct worker *w, uint32_t ip, const uint8_t *mac_hint);

/* Announce our address (RFC 5227 ARP announcement). */
void
arp_send_gratuitous(struct worker *w);

/* Announce one of our addresses (a source range's, say). */
void
arp_announce(struct worker *w, uint32_t ip);

/*
 * The neighbour table shared by all workers.  Lookups of answered
 * entries take no lock; anything that changes the table does.
 *
 * arp_resolve: 1 with mac, 0 while a request is out, -1 on failure.
 * arp_output: the same, but a packet for an unresolved address waits in
 * the table (0) or must be dropped by the caller (-1).
 */
int
arp_resolve(struct worker *w, uint32_t ip, uint8_t *mac);
int
arp_output(struct worker *w, uint32_t ip, struct rte_mbuf *m, uint8_t *mac);

/*
 * Whether a reply that nothing else keeps (a cookie SYN-ACK) may go to
 * dst (host order): its next hop is known, or is being resolved with
 * nothing held yet (then the reply waits alone, and an honest peer's
 * first SYN is answered as soon as ARP is).  Otherwise 0: held, each
 * spoofed source of a flood would pin up to NEIGH_MAX_HELD mbufs.
 * Without a route, 1: ipv4_output drops the reply and counts it.
 */
int
arp_reply_ok(struct worker *w, uint32_t dst);

/* The same on one of several interfaces (ipv4_route gave it). */
int
arp_output_if(struct worker *w, uint8_t iface, uint32_t ip,
	      struct rte_mbuf *m, uint8_t *mac);

struct app;

/* The neighbour table of the interface next_hop is on (app->arp with
 * one interface). */
struct arp_table *
arp_table_of(const struct app *app, uint32_t next_hop);

/*
 * TCP saw new data acknowledged by dst (host order): the neighbour that
 * carries traffic to it (dst or the gateway) is reachable.  Cheap enough
 * per acknowledgement: the table is touched once a quarter of
 * reachable_s per destination at most.
 */
void
arp_confirm(struct worker *w, uint32_t dst);

/* Retries and aging (one worker calls it every few milliseconds). */
void
arp_timer(struct worker *w);

#endif /* DPF_ARP_H */
