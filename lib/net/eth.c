/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "eth.h"
#include "worker.h"

/*
 * --vlan on receive: accept only our tag, and leave the frame as an
 * untagged one (IPv4 at offset 14) for the layers above.  The tag is in
 * the mbuf when the port stripped it (offload, or af_packet, whose kernel
 * strips it anyway), else in the frame, taken out here.  0 = ours.
 */
static int
eth_vlan_accept(struct worker *w, struct rte_mbuf *m, uint16_t vid)
{
	struct rte_ether_hdr *eh;
	const struct rte_vlan_hdr *vh;
	uint16_t tci;

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		tci = m->vlan_tci;
	} else {
		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
			w->stats.eth.rx_untagged++;
			return -1;
		}
		if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*vh)) {
			w->stats.eth.rx_too_short++;
			return -1;
		}
		vh = (const struct rte_vlan_hdr *)(eh + 1);
		tci = rte_be_to_cpu_16(vh->vlan_tci);
		if ((tci & 0xfff) == vid) {
			/* The addresses move up over the tag; the inner
			 * EtherType is already in place. */
			memmove((uint8_t *)eh + RTE_VLAN_HLEN, eh,
				2 * RTE_ETHER_ADDR_LEN);
			rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
		}
	}
	if ((tci & 0xfff) != vid) {
		w->stats.eth.rx_vlan_mismatch++;
		return -1;
	}
	return 0;
}

/* 33:33 for all-nodes (ff02::1) or a solicited-node group
 * (ff02::1:ffXX:XXXX, RFC 2464 7): the IPv6 multicast we take.  Every
 * solicited-node group, not only --ip6's: a job's IPv6 src_ips own
 * addresses of many (ipv6_input and ND check what is asked). */
static int
eth_ipv6_mcast_ours(const struct worker *w, const struct rte_ether_addr *d)
{
	const uint8_t *a = d->addr_bytes;

	if (a[0] != 0x33 || a[1] != 0x33 || !w->cfg->has_ip6)
		return 0;
	if (a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 1)
		return 1;
	return a[2] == 0xff;
}

/*
 * Several interfaces: the frame goes to the one of its tag (untagged to
 * an untagged one), stripped as above; w->rx_iface says which.  0, or
 * -1 when no interface owns the tag (counted).
 */
static int
eth_iface_demux(struct worker *w, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh;
	uint16_t vid = 0, i;

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		vid = m->vlan_tci & 0xfff;
	} else if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*vh)) {
			w->stats.eth.rx_too_short++;
			return -1;
		}
		vh = (const struct rte_vlan_hdr *)(eh + 1);
		vid = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		memmove((uint8_t *)eh + RTE_VLAN_HLEN, eh,
			2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
	}
	for (i = 0; i < w->app->n_ifaces; i++)
		if (w->app->ifaces[i].vlan == vid) {
			w->rx_iface = (uint8_t)i;
			return 0;
		}
	if (vid == 0)
		w->stats.eth.rx_untagged++;
	else
		w->stats.eth.rx_vlan_mismatch++;
	return -1;
}

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
	    !rte_is_broadcast_ether_addr(&eh->dst_addr) &&
	    !eth_ipv6_mcast_ours(w, &eh->dst_addr)) {
		w->stats.eth.rx_not_for_us++;
		goto drop;
	}
	if (unlikely(w->app->n_ifaces > 1)) {
		if (eth_iface_demux(w, m) != 0)
			goto drop;
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	} else if (unlikely(w->app->port.vlan_id != 0)) {
		if (eth_vlan_accept(w, m, w->app->port.vlan_id) != 0)
			goto drop;
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	}
	type = rte_be_to_cpu_16(eh->ether_type);
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
	case RTE_ETHER_TYPE_IPV6:
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

/*
 * --vlan on send: the port inserts the tag where it can; else it goes
 * into the frame here, in the headroom in front of it.  0 = ready.
 */
static int
eth_vlan_tag(struct worker *w, struct rte_mbuf *m, uint16_t vid)
{
	uint8_t *p;

	if (w->app->port.tx_vlan_insert) {
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = vid;
		return 0;
	}
	p = (uint8_t *)rte_pktmbuf_prepend(m, RTE_VLAN_HLEN);
	if (p == NULL) {
		w->stats.eth.tx_vlan_no_room++;
		return -1;
	}
	memmove(p, p + RTE_VLAN_HLEN, 2 * RTE_ETHER_ADDR_LEN);
	*(rte_be16_t *)(p + 2 * RTE_ETHER_ADDR_LEN) =
		RTE_BE16(RTE_ETHER_TYPE_VLAN);
	*(rte_be16_t *)(p + 2 * RTE_ETHER_ADDR_LEN + 2) =
		rte_cpu_to_be_16(vid);
	/* Checksum and segmentation offloads find the IP header after the
	 * tag (zero when none is asked for: harmless). */
	m->l2_len += RTE_VLAN_HLEN;
	return 0;
}

static inline void
eth_output_vid(struct worker *w, struct rte_mbuf *m,
	       const struct rte_ether_addr *dst, uint16_t ether_type,
	       uint16_t vid)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&w->app->port.mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ether_type);
	if (unlikely(vid != 0) && eth_vlan_tag(w, m, vid) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	worker_tx(w, m);
}

void
eth_output(struct worker *w, struct rte_mbuf *m,
	   const struct rte_ether_addr *dst, uint16_t ether_type)
{
	eth_output_vid(w, m, dst, ether_type, w->app->port.vlan_id);
}

void
eth_output_if(struct worker *w, uint8_t iface, struct rte_mbuf *m,
	      const struct rte_ether_addr *dst, uint16_t ether_type)
{
	eth_output_vid(w, m, dst, ether_type, iface == 0 ?
		       w->app->port.vlan_id : w->app->ifaces[iface].vlan);
}
