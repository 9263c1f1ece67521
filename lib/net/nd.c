/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "cksum.h"
#include "eth.h"
#include "ipv6_addr.h"
#include "nd.h"
#include "nd_msg.h"
#include "neigh_sync.h"
#include "worker.h"

static const uint8_t nd_all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t nd_unspecified[16];

/* Interface iface's table (interface 0's is app->nd). */
static inline struct nd_table *
nd_tab(const struct app *app, uint8_t iface)
{
	return iface == 0 ? app->nd : app->ifaces[iface].nd;
}

/* The interface a received frame came in on (eth_input). */
static inline uint8_t
nd_rx_iface(const struct worker *w)
{
	return w->app->n_ifaces > 1 ? w->rx_iface : 0;
}

/* Whether target, one of our addresses, is answered on iface: each
 * only on its own interface (as ARP). */
static inline int
nd_own_here(const struct worker *w, const uint8_t *target, uint8_t iface)
{
	const struct app *app = w->app;
	uint16_t i;

	/* An --ip6 is on its own interface (even inside another's longer
	 * prefix); a src_ips address on its prefix's. */
	for (i = 0; i < app->n_addrs6; i++)
		if (memcmp(target, app->addrs6[i].ip, 16) == 0)
			return app->n_ifaces <= 1 ||
				app->addrs6[i].iface == iface;
	return ipv6_is_own(app, target) &&
		(app->n_ifaces <= 1 || ipv6_iface_of(app, target) == iface);
}

static void
nd_add_counts(struct worker *w, const struct neigh_counts *c)
{
	w->stats.nd.entries_evicted += c->evicted;
	w->stats.nd.learn_limited += c->learn_limited;
	w->stats.nd.table_full += c->table_full;
}

/* Frame msg[0..len) as ICMPv6 in IPv6 (hop limit 255) and send it to
 * eth_dst on interface iface: ND needs no resolution. */
static void
nd_send(struct worker *w, uint8_t iface, const uint8_t *src,
	const uint8_t *dst, const uint8_t *eth_dst, const uint8_t *msg,
	uint32_t len)
{
	struct rte_mbuf *m = worker_alloc(w);
	struct rte_ipv6_hdr *ip6;
	struct rte_ether_addr mac;
	uint16_t *ck;

	if (m == NULL)
		return;
	m->data_len = m->pkt_len = IPV6_L4_OFF + len;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, IPV6_HDR_OFF);
	ipv6_hdr_fill(ip6, src, dst, IPPROTO_ICMPV6, ND_HOP_LIMIT,
		      (uint16_t)len);
	memcpy(ip6 + 1, msg, len);
	ck = rte_pktmbuf_mtod_offset(m, uint16_t *, IPV6_L4_OFF + 2);
	*ck = 0;
	*ck = cksum_ipv6_l4(m, ip6, IPV6_L4_OFF, len, IPPROTO_ICMPV6);
	memcpy(mac.addr_bytes, eth_dst, RTE_ETHER_ADDR_LEN);
	eth_output_if(w, iface, m, &mac, RTE_ETHER_TYPE_IPV6);
}

void
nd_send_ns(struct worker *w, const uint8_t *target, const uint8_t *mac_hint)
{
	uint8_t msg[ND_MSG_LLA_LEN], group[16], mac[6];
	uint32_t len;
	/* The table asking (neigh_iface), from our address on the
	 * target's prefix. */
	uint8_t iface = w->neigh_iface;
	const uint8_t *src;

	if (!w->cfg->has_ip6 || w->app->ip6_tentative)
		return;
	src = ipv6_src_for(w->app, target);
	w->stats.nd.tx_solicits++;
	len = nd_msg_build_ns(msg, target, w->app->port.mac.addr_bytes);
	if (mac_hint != NULL) {
		/* Confirming a stale entry: ask the host we believe in. */
		nd_send(w, iface, src, target, mac_hint, msg, len);
		return;
	}
	nd_solicited_node(group, target);
	nd_mcast_mac(mac, group);
	nd_send(w, iface, src, group, mac, msg, len);
}

/* The addresses DAD and announcements cover: every --ip6 (cfg->ip6
 * alone when no routes were built). */
static uint16_t
nd_n_addrs(const struct app *app)
{
	return app->n_addrs6 > 0 ? app->n_addrs6 : app->cfg->has_ip6;
}

static const uint8_t *
nd_addr(const struct app *app, uint16_t i, uint8_t *iface)
{
	*iface = app->n_addrs6 > 0 ? app->addrs6[i].iface : 0;
	return app->n_addrs6 > 0 ? app->addrs6[i].ip : app->cfg->ip6;
}

void
nd_send_dad_probe(struct worker *w)
{
	uint8_t msg[ND_MSG_LLA_LEN], group[16], mac[6], iface;
	const uint8_t *ip;
	uint32_t len;
	uint16_t i;

	/* Every address at once: they end their DAD together. */
	for (i = 0; i < nd_n_addrs(w->app); i++) {
		ip = nd_addr(w->app, i, &iface);
		w->stats.nd.dad_probes++;
		len = nd_msg_build_ns(msg, ip, NULL);
		nd_solicited_node(group, ip);
		nd_mcast_mac(mac, group);
		nd_send(w, iface, nd_unspecified, group, mac, msg, len);
	}
}

/* An NA for target, one of our addresses (--ip6 or a src_ips one),
 * sent from it to dst (eth_dst) on interface iface. */
static void
nd_send_na(struct worker *w, uint8_t iface, const uint8_t *target,
	   const uint8_t *dst, const uint8_t *eth_dst, uint8_t flags)
{
	uint8_t msg[ND_MSG_LLA_LEN];
	uint32_t len;

	len = nd_msg_build_na(msg, target, flags,
			      w->app->port.mac.addr_bytes);
	nd_send(w, iface, target, dst, eth_dst, msg, len);
}

void
nd_announce(struct worker *w)
{
	uint8_t mac[6], iface;
	const uint8_t *ip;
	uint16_t i;

	if (!w->cfg->has_ip6 || w->app->ip6_tentative)
		return;
	nd_mcast_mac(mac, nd_all_nodes);
	for (i = 0; i < nd_n_addrs(w->app); i++) {
		ip = nd_addr(w->app, i, &iface);
		w->stats.nd.tx_unsolicited_adverts++;
		nd_send_na(w, iface, ip, nd_all_nodes, mac, ND_NA_OVERRIDE);
	}
}

/* Someone else has --ip6 (RFC 4862 5.4.3, 5.4.4): while tentative,
 * DAD fails and dpfetch stops (main says why); later, only counted
 * (RFC 4862 5.4.5 leaves it to the operator). */
static void
nd_conflict(struct worker *w, const uint8_t *target, const uint8_t *mac)
{
	w->stats.nd.dad_conflicts++;
	if (w->app->ip6_tentative && !w->app->ip6_dad_conflict) {
		memcpy(w->app->nd->dad_mac, mac, 6);
		memcpy(w->app->nd->dad_addr, target, 16);
		w->app->ip6_dad_conflict = 1;
		w->app->quit = 1;
	}
}

void
nd_dad_init(struct app *app)
{
	app->nd->dad_sent = 0;
	app->nd->dad_next_ms = 0;
	app->ip6_dad_conflict = 0;
	app->ip6_tentative = app->cfg->has_ip6 &&
		app->cfg->nd.dad_transmits > 0;
}

void
nd_dad_poll(struct worker *w)
{
	struct nd_table *nd = w->app->nd;

	if (!w->app->ip6_tentative || w->app->ip6_dad_conflict)
		return;
	if (w->now_ms < nd->dad_next_ms)
		return;
	nd->dad_next_ms = w->now_ms + w->cfg->nd.dad_retrans_ms;
	if (nd->dad_sent < w->cfg->nd.dad_transmits) {
		nd->dad_sent++;
		nd_send_dad_probe(w);
		return;
	}
	/* Nobody objected: the address is ours (RFC 4862 5.4.5). */
	w->app->ip6_tentative = 0;
	nd_announce(w);
}

static void
nd_input_ns(struct worker *w, const struct rte_ether_hdr *eh,
	    const struct rte_ipv6_hdr *ip6, const struct nd_msg *msg)
{
	uint8_t iface = nd_rx_iface(w);
	struct nd_table *t = nd_tab(w->app, iface);
	const uint8_t *eth_dst;
	uint8_t mac[6];

	w->stats.nd.rx_solicits++;
	if (!nd_own_here(w, msg->target, iface)) {
		w->stats.nd.rx_not_for_us++;
		return;
	}
	if (memcmp(ip6->src_addr, nd_unspecified, 16) == 0) {
		if (w->app->ip6_tentative) {
			/* Another node probes the same address. */
			nd_conflict(w, msg->target, eh->src_addr.addr_bytes);
			return;
		}
		/* Its DAD for our address: tell everybody (RFC 4861
		 * 7.2.4), without the solicited flag. */
		w->stats.nd.tx_adverts++;
		nd_mcast_mac(mac, nd_all_nodes);
		nd_send_na(w, iface, msg->target, nd_all_nodes, mac,
			   ND_NA_OVERRIDE);
		return;
	}
	if (w->app->ip6_tentative || ipv6_is_own(w->app, ip6->src_addr)) {
		/* Resolving a tentative address: silence (RFC 4862
		 * 5.4.3); our own, looped back: nothing to learn. */
		w->stats.nd.rx_not_for_us++;
		return;
	}
	if (msg->has_lla) {
		struct neigh_counts c = { 0 };

		/* A new or changed address is STALE (RFC 4861 7.2.3): the
		 * peer can reach us, not yet known that we reach it. */
		w->neigh_iface = iface;
		neigh_sync_learn_nd(&t->lock, &t->neigh, ip6->src_addr,
				    msg->lla, w->now_ms,
				    NEIGH_ND_CREATE | NEIGH_ND_OVERRIDE, w, &c);
		nd_add_counts(w, &c);
	}
	eth_dst = msg->has_lla ? msg->lla : eh->src_addr.addr_bytes;
	w->stats.nd.tx_adverts++;
	nd_send_na(w, iface, msg->target, ip6->src_addr, eth_dst,
		   ND_NA_SOLICITED | ND_NA_OVERRIDE);
}

static void
nd_input_na(struct worker *w, const struct rte_ether_hdr *eh,
	    const struct nd_msg *msg)
{
	uint8_t iface = nd_rx_iface(w);
	struct nd_table *t = nd_tab(w->app, iface);
	struct neigh_counts c = { 0 };

	w->stats.nd.rx_adverts++;
	if (nd_own_here(w, msg->target, iface)) {
		nd_conflict(w, msg->target, msg->has_lla ? msg->lla :
			    eh->src_addr.addr_bytes);
		return;
	}
	/* Ours on another interface (tag): not this link's business. */
	if (ipv6_is_own(w->app, msg->target)) {
		w->stats.nd.rx_not_for_us++;
		return;
	}
	/* Only merged: an advertisement creates no entry.  Without the
	 * target's address (NULL) only its flags speak (RFC 4861 7.2.5). */
	w->neigh_iface = iface;
	neigh_sync_learn_nd(&t->lock, &t->neigh, msg->target,
			    msg->has_lla ? msg->lla : NULL, w->now_ms,
			    ((msg->flags & ND_NA_SOLICITED) ?
			     NEIGH_ND_SOLICITED : 0) |
			    ((msg->flags & ND_NA_OVERRIDE) ?
			     NEIGH_ND_OVERRIDE : 0), w, &c);
	nd_add_counts(w, &c);
}

void
nd_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	 uint32_t l4_off, uint32_t l4_len)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv6_hdr *ip6;
	struct nd_msg msg;

	if (rte_pktmbuf_data_len(m) < l4_off + l4_len) {
		w->stats.nd.rx_bad_len++;
		goto out;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l3_off);
	switch (nd_msg_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *,
						     l4_off),
			     l4_len, ip6->hop_limits, ip6->src_addr,
			     ip6->dst_addr, &msg)) {
	case ND_OK:
		break;
	case ND_BAD_HOP_LIMIT:
		w->stats.nd.rx_bad_hop_limit++;
		goto out;
	case ND_BAD_CODE:
		w->stats.nd.rx_bad_code++;
		goto out;
	case ND_BAD_LEN:
		w->stats.nd.rx_bad_len++;
		goto out;
	case ND_BAD_OPTION:
		w->stats.nd.rx_bad_option++;
		goto out;
	case ND_BAD_TARGET:
		w->stats.nd.rx_bad_target++;
		goto out;
	case ND_BAD_SRC:
		w->stats.nd.rx_bad_src++;
		goto out;
	default:
		w->stats.nd.rx_router_msgs++;
		goto out;
	}
	if (msg.type == ND_NEIGHBOR_SOLICIT)
		nd_input_ns(w, eh, ip6, &msg);
	else
		nd_input_na(w, eh, &msg);
out:
	rte_pktmbuf_free(m);
}

int
nd_output_if(struct worker *w, uint8_t iface, const uint8_t *ip,
	     struct rte_mbuf *m, uint8_t *mac)
{
	struct nd_table *t = nd_tab(w->app, iface);
	struct neigh_counts c = { 0 };
	int rc;

	/* For the ops, which send on the interface. */
	w->neigh_iface = iface;
	rc = neigh_sync_output(&t->lock, &t->neigh, ip, w->now_ms, m, mac, w,
			       &c, &w->nd_nc);
	nd_add_counts(w, &c);
	return rc;
}

int
nd_resolve(struct worker *w, const uint8_t *ip, uint8_t *mac)
{
	return nd_output_if(w, ipv6_iface_of(w->app, ip), ip, NULL, mac);
}

int
nd_output(struct worker *w, const uint8_t *ip, struct rte_mbuf *m,
	  uint8_t *mac)
{
	return nd_output_if(w, ipv6_iface_of(w->app, ip), ip, m, mac);
}

int
nd_reply_ok(struct worker *w, const uint8_t *dst)
{
	struct nd_table *t;
	const uint8_t *src;
	uint8_t nh[16], mac[6], iface;
	int rc;

	/* Without a route ipv6_output drops it, and counts that. */
	if (ipv6_route(w->app, dst, nh, &iface, &src) != 0)
		return 1;
	rc = nd_output_if(w, iface, nh, NULL, mac);
	if (rc != 0)
		return rc > 0;
	t = nd_tab(w->app, iface);
	return neigh_sync_nothing_held(&t->lock, &t->neigh, nh);
}

void
nd_confirm(struct worker *w, const uint8_t *dst)
{
	uint32_t key = 0, word;
	const uint8_t *src;
	struct nd_table *t;
	uint8_t nh[16];
	uint8_t iface;
	unsigned int i;

	for (i = 0; i < 16; i += 4) {
		memcpy(&word, dst + i, 4);
		key ^= word;
	}
	if (w->app->nd == NULL ||
	    !neigh_confirm_due(w->neigh_confirm_key, w->neigh_confirm_ms,
			       WORKER_NEIGH_CONFIRM_SLOTS, key, w->now_ms,
			       w->cfg->arp.reachable_s * 250u))
		return;
	if (ipv6_route(w->app, dst, nh, &iface, &src) != 0)
		return;
	t = nd_tab(w->app, iface);
	if (t != NULL && neigh_sync_confirm(&t->lock, &t->neigh, nh,
					    w->now_ms))
		w->stats.nd.confirmations++;
}

void
nd_timer(struct worker *w)
{
	uint16_t i;

	if (w->app->nd == NULL)
		return;
	nd_dad_poll(w);
	for (i = 0; i < w->app->n_ifaces || i == 0; i++) {
		struct nd_table *t = nd_tab(w->app, (uint8_t)i);

		if (t == NULL)
			continue;
		rte_seqlock_write_lock(&t->lock);
		w->neigh_iface = (uint8_t)i;
		neigh_timer(&t->neigh, w->now_ms, w);
		rte_seqlock_write_unlock(&t->lock);
	}
}

static void
nd_ops_send_request(void *ctx, const uint8_t *addr, const uint8_t *mac_hint)
{
	nd_send_ns(ctx, addr, mac_hint);
}

static void
nd_ops_send_held(void *ctx, void *pkt, const uint8_t *mac)
{
	struct rte_ether_addr dst;

	/* A control thread (neigh.add) sends nothing: no TX queue. */
	if (ctx == NULL) {
		rte_pktmbuf_free(pkt);
		return;
	}

	memcpy(dst.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	eth_output_if(ctx, ((struct worker *)ctx)->neigh_iface, pkt, &dst,
		      RTE_ETHER_TYPE_IPV6);
}

static void
nd_ops_drop_held(void *ctx, void *pkt)
{
	struct worker *w = ctx;

	if (w != NULL)
		w->stats.nd.held_drops++;
	rte_pktmbuf_free(pkt);
}

static void
nd_ops_failed(void *ctx, const uint8_t *addr)
{
	struct worker *w = ctx;

	(void)addr;
	w->stats.nd.resolve_failures++;
}

const struct neigh_ops nd_neigh_ops = {
	.send_request = nd_ops_send_request,
	.send_held = nd_ops_send_held,
	.drop_held = nd_ops_drop_held,
	.failed = nd_ops_failed,
};
