/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "cksum.h"
#include "eth.h"
#include "ipv6.h"
#include "nd.h"
#include "nd_msg.h"
#include "worker.h"

/* Ours, a solicited-node group (ff02::1:ffXX:XXXX), or all-nodes
 * (ff02::1).  Any solicited-node group: a job's src_ips range owns
 * addresses of many groups, and Neighbor Discovery checks the target
 * (a solicitation for another's address is counted there). */
static int
ipv6_dst_accept(const struct app *app, const uint8_t *dst)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	static const uint8_t sn_prefix[13] = { 0xff, 0x02, [11] = 0x01,
					       [12] = 0xff };

	if (dst[0] != 0xff)
		return ipv6_is_own(app, dst);
	if (memcmp(dst, all_nodes, 16) == 0)
		return 1;
	return app->cfg->has_ip6 && memcmp(dst, sn_prefix, 13) == 0;
}

/* Hop-by-hop options or destination options: every option must be one
 * we may skip (RFC 8200 4.2: the two high bits of its type 00). */
static int
ipv6_options_ok(const uint8_t *p, uint32_t len)
{
	uint32_t off = 2;

	while (off < len) {
		uint8_t type = p[off];

		if (type == 0) {	/* Pad1 */
			off++;
			continue;
		}
		if (len - off < 2 || p[off + 1] > len - off - 2)
			return 0;
		if ((type & 0xc0) != 0)
			return 0;
		off += 2 + (uint32_t)p[off + 1];
	}
	return 1;
}

int
ipv6_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t *l4_off, uint32_t *l4_len)
{
	const struct rte_ipv6_hdr *ip6;
	uint32_t plen, end, off, n;
	uint8_t nh;

	w->stats.ipv6.rx_packets++;
	/* Headers must sit in the first segment; every PMD does that. */
	if (rte_pktmbuf_data_len(m) < l3_off + IPV6_HDR_LEN) {
		w->stats.ipv6.rx_too_short++;
		goto drop;
	}
	ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l3_off);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6) {
		w->stats.ipv6.rx_bad_version++;
		goto drop;
	}
	/* 0 is a jumbogram's (RFC 2675): never on our links.  The frame
	 * may be longer (Ethernet pads short frames). */
	plen = rte_be_to_cpu_16(ip6->payload_len);
	end = l3_off + IPV6_HDR_LEN + plen;
	if (plen == 0 || end > rte_pktmbuf_pkt_len(m)) {
		w->stats.ipv6.rx_bad_len++;
		goto drop;
	}
	if (ip6->src_addr[0] == 0xff) {
		w->stats.ipv6.rx_bad_src++;
		goto drop;
	}
	if (!ipv6_dst_accept(w->app, ip6->dst_addr)) {
		w->stats.ipv6.rx_not_for_us++;
		goto drop;
	}
	nh = ip6->proto;
	off = l3_off + IPV6_HDR_LEN;
	for (n = 0;; n++) {
		const uint8_t *eh;
		uint32_t elen;

		if (nh == IPPROTO_TCP || nh == IPPROTO_ICMPV6)
			break;
		if (nh == IPPROTO_FRAGMENT) {
			/* No reassembly, as for IPv4. */
			w->stats.ipv6.rx_fragments++;
			goto drop;
		}
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS) {
			w->stats.ipv6.rx_unknown_proto++;
			goto drop;
		}
		/* Hop-by-hop only right after the fixed header; the walk
		 * is bounded; each header inside the payload and the first
		 * segment. */
		if ((nh == IPPROTO_HOPOPTS && n != 0) ||
		    n == IPV6_MAX_EXT_HDRS || off + 8 > end ||
		    off + 8 > rte_pktmbuf_data_len(m)) {
			w->stats.ipv6.rx_bad_ext++;
			goto drop;
		}
		eh = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
		elen = ((uint32_t)eh[1] + 1) * 8;
		if (off + elen > end || off + elen > rte_pktmbuf_data_len(m) ||
		    (nh == IPPROTO_ROUTING && eh[3] != 0) ||
		    (nh != IPPROTO_ROUTING && !ipv6_options_ok(eh, elen))) {
			/* A routing header with segments left asks us to
			 * forward: a host does not (RFC 8200 4.4). */
			w->stats.ipv6.rx_bad_ext++;
			goto drop;
		}
		w->stats.ipv6.rx_ext_headers++;
		nh = eh[0];
		off += elen;
	}
	w->stats.ipv6.rx_delivered++;
	*l4_off = off;
	*l4_len = end - off;
	return nh;
drop:
	rte_pktmbuf_free(m);
	return 0;
}

void
ipv6_output(struct worker *w, struct rte_mbuf *m, const uint8_t *src,
	    const uint8_t *dst, uint8_t proto)
{
	const struct port *port = &w->app->port;
	struct rte_ipv6_hdr *ip6;
	struct rte_ether_addr mac;
	const uint8_t *rsrc;
	uint8_t nh[16], iface;
	uint32_t plen;
	int rc;

	if (rte_pktmbuf_pkt_len(m) < IPV6_L4_OFF ||
	    rte_pktmbuf_pkt_len(m) - IPV6_HDR_OFF - IPV6_HDR_LEN > 0xffff) {
		w->stats.ipv6.tx_no_room++;
		rte_pktmbuf_free(m);
		return;
	}
	plen = rte_pktmbuf_pkt_len(m) - IPV6_L4_OFF;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, IPV6_HDR_OFF);
	ipv6_hdr_fill(ip6, src, dst, proto, IPV6_DEFAULT_HOP_LIMIT,
		      (uint16_t)plen);
	m->l2_len = IPV6_HDR_OFF;
	m->l3_len = IPV6_HDR_LEN;
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip6 + 1);

		th->cksum = 0;
		if (port->tx_tcp_cksum) {
			/* As ipv4_output: TSO implies the checksum offload
			 * and leaves the length out of the pseudo-header. */
			m->ol_flags |= RTE_MBUF_F_TX_IPV6;
			if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
				m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
			th->cksum = rte_ipv6_phdr_cksum(ip6, m->ol_flags);
		} else {
			th->cksum = cksum_ipv6_l4(m, ip6, IPV6_L4_OFF, plen,
						  IPPROTO_TCP);
		}
	} else if (proto == IPPROTO_ICMPV6) {
		uint16_t *ck = rte_pktmbuf_mtod_offset(m, uint16_t *,
						       IPV6_L4_OFF + 2);

		*ck = 0;
		*ck = cksum_ipv6_l4(m, ip6, IPV6_L4_OFF, plen, IPPROTO_ICMPV6);
	}

	if (dst[0] == 0xff) {
		/* Multicast: no resolution (RFC 2464 7). */
		w->stats.ipv6.tx_packets++;
		nd_mcast_mac(mac.addr_bytes, dst);
		eth_output_if(w, ipv6_iface_of(w->app, src), m, &mac,
			      RTE_ETHER_TYPE_IPV6);
		return;
	}
	/* The longest prefix over every --ip6: next hop and interface. */
	if (ipv6_route(w->app, dst, nh, &iface, &rsrc) != 0) {
		w->stats.ipv6.tx_no_route++;
		rte_pktmbuf_free(m);
		return;
	}
	w->stats.ipv6.tx_packets++;
	rc = nd_output_if(w, iface, nh, m, mac.addr_bytes);
	if (rc > 0) {
		eth_output_if(w, iface, m, &mac, RTE_ETHER_TYPE_IPV6);
	} else if (rc == 0) {
		w->stats.nd.held_packets++;
	} else {
		w->stats.nd.held_drops++;
		rte_pktmbuf_free(m);
	}
}
