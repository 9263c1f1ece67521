/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet: demultiplexing on receive, framing on send. */

#ifndef DPF_ETH_H
#define DPF_ETH_H

#include <stdint.h>

struct worker;
struct rte_mbuf;
struct rte_ether_addr;

void
eth_input(struct worker *w, struct rte_mbuf *m);

/* Fill in the Ethernet header of a frame whose first 14 bytes are
 * reserved for it, and queue it for transmission. */
void
eth_output(struct worker *w, struct rte_mbuf *m,
	   const struct rte_ether_addr *dst, uint16_t ether_type);

#endif /* DPF_ETH_H */
