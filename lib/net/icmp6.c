/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "cksum.h"
#include "eth.h"
#include "icmp6.h"
#include "ipv6_addr.h"
#include "nd.h"
#include "nd_msg.h"
#include "worker.h"

/* The request turned into its reply in place and sent back to the MAC
 * it came from (no resolution needed, as for ICMP). */
static void
icmp6_echo_reply(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
		 uint32_t l4_off, uint32_t l4_len, const uint8_t *src,
		 uint8_t iface)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6;
	struct rte_ether_addr mac;
	uint8_t peer[16], self[16];
	uint8_t *ic;

	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3_off);
	/* The extension headers stay behind: the message moves up. */
	if (l4_off != l3_off + IPV6_HDR_LEN) {
		memmove(ip6 + 1, rte_pktmbuf_mtod_offset(m, uint8_t *, l4_off),
			l4_len);
		l4_off = l3_off + IPV6_HDR_LEN;
	}
	rte_ether_addr_copy(&eh->src_addr, &mac);
	memcpy(peer, ip6->src_addr, 16);
	/* src may point into the header being rewritten. */
	memcpy(self, src, 16);
	ipv6_hdr_fill(ip6, self, peer, IPPROTO_ICMPV6,
		      IPV6_DEFAULT_HOP_LIMIT, (uint16_t)l4_len);
	ic = rte_pktmbuf_mtod_offset(m, uint8_t *, l4_off);
	ic[0] = ICMP6_ECHO_REPLY;
	ic[2] = 0;
	ic[3] = 0;
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (l4_off + l4_len));
	m->ol_flags = 0;
	*(uint16_t *)(ic + 2) = cksum_ipv6_l4(m, ip6, l4_off, l4_len,
					      IPPROTO_ICMPV6);
	w->stats.icmp6.tx_echo_replies++;
	/* Back on the interface it came in on, with that tag. */
	eth_output_if(w, iface, m, &mac, RTE_ETHER_TYPE_IPV6);
}

void
icmp6_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	    uint32_t l4_off, uint32_t l4_len)
{
	const struct rte_ipv6_hdr *ip6;
	const uint8_t *ic, *src;
	uint8_t iface;

	if (l4_len < 4 || rte_pktmbuf_data_len(m) < l4_off + l4_len) {
		w->stats.icmp6.rx_too_short++;
		goto drop;
	}
	ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l3_off);
	if (cksum_ipv6_l4_verify(m, ip6, l4_off, l4_len,
				 IPPROTO_ICMPV6) != 0) {
		w->stats.icmp6.rx_bad_csum++;
		goto drop;
	}
	ic = rte_pktmbuf_mtod_offset(m, const uint8_t *, l4_off);
	switch (ic[0]) {
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
		nd_input(w, m, l3_off, l4_off, l4_len);
		return;
	case ND_ROUTER_SOLICIT:
	case ND_ROUTER_ADVERT:
	case ND_REDIRECT:
		/* Addresses and routes are configured, not learnt. */
		w->stats.nd.rx_router_msgs++;
		goto drop;
	case ICMP6_ECHO_REQUEST:
		/* Answered from the address asked (a group's request: from
		 * the first of the interface it came in on), once out of
		 * DAD. */
		iface = w->app->n_ifaces > 1 ? w->rx_iface : 0;
		src = ip6->dst_addr[0] == 0xff ?
			ipv6_addr_on_iface(w->app, iface) : ip6->dst_addr;
		if (ic[1] != 0 || l4_len < 8 || src == NULL ||
		    !ipv6_is_local(w->app, src))
			break;
		w->stats.icmp6.rx_echo_requests++;
		icmp6_echo_reply(w, m, l3_off, l4_off, l4_len, src, iface);
		return;
	default:
		break;
	}
	w->stats.icmp6.rx_other++;
drop:
	rte_pktmbuf_free(m);
}
