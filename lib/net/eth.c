/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "eth.h"
#include "worker.h"

uint16_t
eth_input(struct worker *w, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	uint16_t type;

	w->stats.eth.rx_packets++;
	if (rte_pktmbuf_data_len(m) < sizeof(*eh)) {
		w->stats.eth.rx_too_short++;
		goto drop;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	/* af_packet and promiscuous NICs hand us everything on the wire. */
	if (!rte_is_same_ether_addr(&eh->dst_addr, &w->app->port.mac) &&
	    !rte_is_broadcast_ether_addr(&eh->dst_addr)) {
		w->stats.eth.rx_not_for_us++;
		goto drop;
	}
	type = rte_be_to_cpu_16(eh->ether_type);
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		return type;
	case RTE_ETHER_TYPE_ARP:
		rte_pktmbuf_adj(m, sizeof(*eh));
		return type;
	case RTE_ETHER_TYPE_VLAN:
		w->stats.eth.rx_vlan++;
		goto drop;
	default:
		w->stats.eth.rx_unknown_type++;
		goto drop;
	}
drop:
	rte_pktmbuf_free(m);
	return 0;
}

void
eth_output(struct worker *w, struct rte_mbuf *m,
	   const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&w->app->port.mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ether_type);
	worker_tx(w, m);
}
