/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "eth.h"
#include "icmp.h"
#include "worker.h"

void
icmp_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t l4_off, uint32_t l4_len)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	struct rte_ether_addr tmp_mac;
	uint32_t tmp_ip;

	if (l4_len < sizeof(*ic) || rte_pktmbuf_data_len(m) < l4_off + l4_len) {
		w->stats.icmp.rx_too_short++;
		goto drop;
	}
	ic = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, l4_off);
	if (rte_raw_cksum(ic, l4_len) != 0xffff) {
		w->stats.icmp.rx_bad_csum++;
		goto drop;
	}
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || ic->icmp_code != 0) {
		w->stats.icmp.rx_other++;
		goto drop;
	}
	w->stats.icmp.rx_echo_requests++;

	/* Answer in place: the reply is the request with ends swapped, sent
	 * back to the MAC it came from (no ARP needed). */
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);
	rte_ether_addr_copy(&eh->src_addr, &tmp_mac);
	tmp_ip = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp_ip;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, l4_len);
	/* Drop any Ethernet padding past the IP datagram. */
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (l4_off + l4_len));
	m->ol_flags = 0;
	w->stats.icmp.tx_echo_replies++;
	/* Through eth_output, which tags it under --vlan; out of the
	 * interface it came in on (rx_iface is 0 with one). */
	eth_output_if(w, w->rx_iface, m, &tmp_mac, RTE_ETHER_TYPE_IPV4);
	return;
drop:
	rte_pktmbuf_free(m);
}
