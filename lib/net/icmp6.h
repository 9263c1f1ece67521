/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMPv6 (RFC 4443): echo answered in place, Neighbor Discovery handed
 * to nd.c, the rest counted and dropped. */

#ifndef DPF_ICMP6_H
#define DPF_ICMP6_H

#include <stdint.h>

struct worker;
struct rte_mbuf;

#define ICMP6_ECHO_REQUEST	128
#define ICMP6_ECHO_REPLY	129

/* m starts at the Ethernet header, IPv6 at l3_off, ICMPv6 at l4_off
 * (after any extension headers).  Consumes m. */
void
icmp6_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	    uint32_t l4_off, uint32_t l4_len);

#endif /* DPF_ICMP6_H */
