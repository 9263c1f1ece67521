/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 (RFC 8200): checks on receive, routing and framing on send, the
 * TCP checksum in hardware where the port offers it. */

#ifndef DPF_IPV6_H
#define DPF_IPV6_H

#include <stdint.h>

#include "ipv6_addr.h"

struct worker;
struct rte_mbuf;

/*
 * Check an IPv6 packet from the wire (m starts at the Ethernet header,
 * IPv6 at l3_off): version, payload length, a unicast source, the
 * destination ours or our solicited-node / all-nodes multicast group;
 * hop-by-hop, routing (segments left 0) and destination options headers
 * skipped, fragments and anything else counted and dropped.  Returns
 * its next header (IPPROTO_TCP or IPPROTO_ICMPV6) with *l4_off and
 * *l4_len set, or 0 when dropped (counted, freed).
 */
int
ipv6_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t *l4_off, uint32_t *l4_len);

/*
 * Send a frame built as [Ethernet 14][IPv6 40][L4 ...] with pkt_len set:
 * fills the IPv6 header (hop limit 64), the L4 checksum for IPPROTO_TCP
 * (hardware where the port offers it, else software) and IPPROTO_ICMPV6
 * (software), picks the next hop (on-link by prefix or link-local, else
 * --gateway6) and resolves it by Neighbor Discovery (the frame waits in
 * the neighbour table meanwhile).  Takes ownership of m.
 */
void
ipv6_output(struct worker *w, struct rte_mbuf *m, const uint8_t *src,
	    const uint8_t *dst, uint8_t proto);

#endif /* DPF_IPV6_H */
