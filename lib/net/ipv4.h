/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 (RFC 791, RFC 1122): checks on receive, routing and framing on
 * send, checksums in hardware where the port offers them. */

#ifndef DPF_IPV4_H
#define DPF_IPV4_H

#include <stdint.h>

#include "ipv4_addr.h"

struct worker;
struct rte_mbuf;

#define IPV4_HDR_OFF	14	/* frames we build: Ethernet, then IPv4 */
#define IPV4_L4_OFF	(IPV4_HDR_OFF + 20)
#define IPV4_DEFAULT_TTL 64

/* m starts at the Ethernet header; l3_off is where IPv4 begins. */
/*
 * Check an IPv4 packet from the wire (header, length, checksum, for us,
 * no fragment).  Returns its protocol (IPPROTO_TCP or IPPROTO_ICMP) with
 * *l4_off and *l4_len set, for the receive path (lib/loop) to hand to
 * tcp_input or icmp_input; or 0 when it was dropped (counted, freed).
 */
int
ipv4_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t *l4_off, uint32_t *l4_len);

/*
 * Send a frame built as [Ethernet 14][IPv4 20][L4 ...] with pkt_len set:
 * fills the IPv4 header, the TCP checksum for IPPROTO_TCP (hardware or
 * software), picks the next hop and resolves it (the frame waits in the
 * neighbour table while ARP runs).  Takes ownership of m.
 */
void
ipv4_output(struct worker *w, struct rte_mbuf *m, uint32_t src_ip,
	    uint32_t dst_ip, uint8_t proto);

/*
 * ipv4_output for a TCP segment whose last tail_len bytes (starting at
 * an even offset of the segment) the caller has already summed: tail_sum
 * is their running sum (cksum_add's, byte order of memory).  A software
 * checksum then reads only the rest.
 */
void
ipv4_output_tcp_presum(struct worker *w, struct rte_mbuf *m, uint32_t src_ip,
		       uint32_t dst_ip, uint32_t tail_len, uint64_t tail_sum);

#endif /* DPF_IPV4_H */
