/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "arp.h"
#include "cksum.h"
#include "eth.h"
#include "ipv4.h"
#include "ipv4_addr.h"
#include "neigh.h"
#include "worker.h"

int
ipv4_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t *l4_off, uint32_t *l4_len)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen, tot_len, frame_len = rte_pktmbuf_pkt_len(m);
	uint64_t csum_flags;

	w->stats.ip.rx_packets++;
	/* Headers must sit in the first segment; every PMD does that. */
	if (rte_pktmbuf_data_len(m) < l3_off + sizeof(*ip)) {
		w->stats.ip.rx_too_short++;
		goto drop;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);
	if ((ip->version_ihl >> 4) != 4) {
		w->stats.ip.rx_bad_version++;
		goto drop;
	}
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (hlen < sizeof(*ip) || l3_off + hlen > rte_pktmbuf_data_len(m)) {
		w->stats.ip.rx_bad_hlen++;
		goto drop;
	}
	tot_len = rte_be_to_cpu_16(ip->total_length);
	/* Shorter than its header, or longer than the frame (the frame may
	 * be longer: Ethernet pads short frames). */
	if (tot_len < hlen || l3_off + tot_len > frame_len) {
		w->stats.ip.rx_bad_len++;
		goto drop;
	}
	csum_flags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (csum_flags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    (csum_flags != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	     cksum_ipv4_hdr_verify(ip) != 0)) {
		w->stats.ip.rx_bad_csum++;
		goto drop;
	}
	if (!ipv4_is_local(w->app, rte_be_to_cpu_32(ip->dst_addr))) {
		w->stats.ip.rx_not_for_us++;
		goto drop;
	}
	/* No reassembly: a test appliance never needs fragments, and
	 * reassembly buffers are an easy target. */
	if ((ip->fragment_offset &
	     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			      RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
		w->stats.ip.rx_fragments++;
		goto drop;
	}
	if (hlen > sizeof(*ip))
		w->stats.ip.rx_options++;

	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
	case IPPROTO_ICMP:
		w->stats.ip.rx_delivered++;
		*l4_off = l3_off + hlen;
		*l4_len = tot_len - hlen;
		return ip->next_proto_id;
	default:
		w->stats.ip.rx_unknown_proto++;
		goto drop;
	}
drop:
	rte_pktmbuf_free(m);
	return 0;
}

static void
ipv4_output_sum(struct worker *w, struct rte_mbuf *m, uint32_t src_ip,
		uint32_t dst_ip, uint8_t proto, uint32_t tail_len,
		uint64_t tail_sum);

void
ipv4_output(struct worker *w, struct rte_mbuf *m, uint32_t src_ip,
	    uint32_t dst_ip, uint8_t proto)
{
	ipv4_output_sum(w, m, src_ip, dst_ip, proto, 0, 0);
}

void
ipv4_output_tcp_presum(struct worker *w, struct rte_mbuf *m, uint32_t src_ip,
		       uint32_t dst_ip, uint32_t tail_len, uint64_t tail_sum)
{
	ipv4_output_sum(w, m, src_ip, dst_ip, IPPROTO_TCP, tail_len,
			tail_sum);
}

static void
ipv4_output_sum(struct worker *w, struct rte_mbuf *m, uint32_t src_ip,
		uint32_t dst_ip, uint8_t proto, uint32_t tail_len,
		uint64_t tail_sum)
{
	const struct port *port = &w->app->port;
	struct rte_ipv4_hdr *ip;
	struct rte_ether_addr mac;
	uint16_t total_length = (uint16_t)(m->pkt_len - IPV4_HDR_OFF);
	uint32_t next_hop;
	uint8_t iface;
	int rc;

	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, IPV4_HDR_OFF);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(total_length);
	/* With DF set the ID serves nothing (RFC 6864); keep it zero. */
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = IPV4_DEFAULT_TTL;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);

	m->l2_len = IPV4_HDR_OFF;
	m->l3_len = sizeof(*ip);
	if (port->tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = cksum_ipv4_hdr_fields(
			RTE_IPV4_VHL_DEF << 8, total_length, 0,
			RTE_IPV4_HDR_DF_FLAG,
			(uint16_t)(IPV4_DEFAULT_TTL << 8 | proto), src_ip,
			dst_ip);

	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

		th->cksum = 0;
		if (port->tx_tcp_cksum) {
			/* TSO implies the checksum offload, and its pseudo
			 * header leaves the length out (the port puts in
			 * each segment's). */
			m->ol_flags |= RTE_MBUF_F_TX_IPV4;
			if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
				m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
			th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
		} else {
			/* The payload may be chained by reference (see
			 * tcp_out.c); cksum.h, not rte_ip.h, for speed and
			 * for odd-length pieces. */
			uint32_t l4_len = (uint32_t)total_length -
				sizeof(*ip);
			uint16_t c = (uint16_t)~cksum_fold(
				cksum_ipv4_phdr_sum(ip->src_addr,
						    ip->dst_addr, proto,
						    l4_len) +
				cksum_mbuf(m, IPV4_L4_OFF,
					   l4_len - tail_len) + tail_sum);

			th->cksum = c == 0 ? 0xffff : c;
		}
	}

	next_hop = ipv4_route(w, dst_ip, &iface);
	if (next_hop == 0) {
		w->stats.ip.tx_no_route++;
		rte_pktmbuf_free(m);
		return;
	}
	w->stats.ip.tx_packets++;
	rc = arp_output_if(w, iface, next_hop, m, mac.addr_bytes);
	if (rc > 0) {
		eth_output_if(w, iface, m, &mac, RTE_ETHER_TYPE_IPV4);
	} else if (rc == 0) {
		w->stats.arp.held_packets++;
	} else {
		w->stats.arp.held_drops++;
		rte_pktmbuf_free(m);
	}
}
