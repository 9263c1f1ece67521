/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet: demultiplexing on receive, framing on send. */

#ifndef DPF_ETH_H
#define DPF_ETH_H

#include <stdint.h>

struct worker;
struct rte_mbuf;
struct rte_ether_addr;

/*
 * Check a frame from the wire.  Returns its EtherType (host order) for
 * the receive path (lib/loop) to dispatch: RTE_ETHER_TYPE_IPV4 or
 * RTE_ETHER_TYPE_IPV6 (the IP header at offset 14; our IPv6 multicast
 * MACs are accepted) or RTE_ETHER_TYPE_ARP (the Ethernet header
 * already stripped); 0 when it was dropped (counted, freed).
 */
uint16_t
eth_input(struct worker *w, struct rte_mbuf *m);

/* Fill in the Ethernet header of a frame whose first 14 bytes are
 * reserved for it, and queue it for transmission. */
void
eth_output(struct worker *w, struct rte_mbuf *m,
	   const struct rte_ether_addr *dst, uint16_t ether_type);

/* The same from one of several interfaces (its tag; 0: eth_output). */
void
eth_output_if(struct worker *w, uint8_t iface, struct rte_mbuf *m,
	      const struct rte_ether_addr *dst, uint16_t ether_type);

#endif /* DPF_ETH_H */
