/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "arp.h"
#include "eth.h"
#include "ipv4_addr.h"
#include "neigh.h"
#include "neigh_sync.h"
#include "worker.h"

/* Interface iface's table (interface 0's is app->arp). */
static inline struct arp_table *
arp_tab(const struct app *app, uint8_t iface)
{
	return iface == 0 ? app->arp : app->ifaces[iface].arp;
}

struct arp_table *
arp_table_of(const struct app *app, uint32_t next_hop)
{
	return arp_tab(app, ipv4_iface_of(app, next_hop));
}

/* What the table counted (neigh_sync hands it back) into this lcore's
 * counters. */
static void
arp_add_counts(struct worker *w, const struct neigh_counts *c)
{
	w->stats.arp.entries_evicted += c->evicted;
	w->stats.arp.learn_limited += c->learn_limited;
	w->stats.arp.table_full += c->table_full;
}

static void
arp_build(struct worker *w, uint8_t iface, uint16_t op,
	  const struct rte_ether_addr *eth_dst, uint32_t sip,
	  const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_mbuf *m = worker_alloc(w);
	struct rte_arp_hdr *ah;

	if (m == NULL)
		return;
	m->data_len = m->pkt_len = sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_arp_hdr);
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
				     sizeof(struct rte_ether_hdr));
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&w->app->port.mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	eth_output_if(w, iface, m, eth_dst, RTE_ETHER_TYPE_ARP);
}

void
arp_send_request(struct worker *w, uint32_t ip, const uint8_t *mac_hint)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	struct rte_ether_addr hint;
	uint32_t sip;
	uint8_t iface;

	/* Without --ip (IPv6 only) ARP stays silent. */
	if (w->cfg->ip == 0)
		return;
	/* Several --ip: ask from the address on the target's prefix, on
	 * its interface. */
	sip = ipv4_src_for(w->app, ip);
	iface = ipv4_iface_of(w->app, ip);
	w->stats.arp.tx_requests++;
	if (mac_hint != NULL) {
		/* Confirming a stale entry: ask the host we believe in. */
		memcpy(hint.addr_bytes, mac_hint, RTE_ETHER_ADDR_LEN);
		arp_build(w, iface, RTE_ARP_OP_REQUEST, &hint, sip, &zero, ip);
	} else {
		arp_build(w, iface, RTE_ARP_OP_REQUEST, &bcast, sip, &zero,
			  ip);
	}
}

void
arp_announce(struct worker *w, uint32_t ip)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;

	/* RFC 5227 announcement: a request with sender = target = us. */
	w->stats.arp.tx_gratuitous++;
	arp_build(w, ipv4_iface_of(w->app, ip), RTE_ARP_OP_REQUEST, &bcast,
		  ip, &zero, ip);
}

void
arp_send_gratuitous(struct worker *w)
{
	uint16_t i;

	arp_announce(w, w->cfg->ip);
	for (i = 1; i < w->app->n_addrs; i++)
		arp_announce(w, w->app->addrs[i].ip);
}

void
arp_input(struct worker *w, struct rte_mbuf *m)
{
	const struct rte_arp_hdr *ah;
	uint32_t sip, tip;
	uint16_t op;
	int for_us;
	/* Several interfaces: the one the frame came in on (eth_input). */
	uint8_t iface = w->app->n_ifaces > 1 ? w->rx_iface : 0;
	struct arp_table *t = arp_tab(w->app, iface);

	if (rte_pktmbuf_data_len(m) < sizeof(*ah)) {
		w->stats.arp.rx_invalid++;
		goto out;
	}
	ah = rte_pktmbuf_mtod(m, const struct rte_arp_hdr *);
	op = rte_be_to_cpu_16(ah->arp_opcode);
	if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != 4 ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
	    rte_is_multicast_ether_addr(&ah->arp_data.arp_sha)) {
		w->stats.arp.rx_invalid++;
		goto out;
	}
	sip = rte_be_to_cpu_32(ah->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(ah->arp_data.arp_tip);
	/* An address is answered only on its own interface. */
	for_us = ipv4_is_local(w->app, tip) &&
		(w->app->n_ifaces <= 1 ||
		 ipv4_iface_of(w->app, tip) == iface);
	if (op == RTE_ARP_OP_REQUEST)
		w->stats.arp.rx_requests++;
	else
		w->stats.arp.rx_replies++;

	/* RFC 826: merge what the sender says about itself; add it only
	 * when we are the target.  Probes (sender 0.0.0.0) teach nothing,
	 * and nobody else may claim our address. */
	if (sip != 0 && !ipv4_is_local(w->app, sip)) {
		struct neigh_counts c = { 0 };
		uint8_t a[NEIGH_ADDR_LEN];

		neigh_addr_from_ipv4(a, sip);
		w->neigh_iface = iface;
		neigh_sync_update(&t->lock, &t->neigh, a,
				  ah->arp_data.arp_sha.addr_bytes, w->now_ms,
				  for_us, w, &c);
		arp_add_counts(w, &c);
	}
	if (!for_us) {
		w->stats.arp.rx_not_for_us++;
		goto out;
	}
	if (op == RTE_ARP_OP_REQUEST) {
		struct rte_ether_addr sha = ah->arp_data.arp_sha;

		w->stats.arp.tx_replies++;
		/* Answer as the address asked for: --ip or a source range. */
		arp_build(w, iface, RTE_ARP_OP_REPLY, &sha, tip, &sha, sip);
	}
out:
	rte_pktmbuf_free(m);
}

/* arp_sync_output's way when the next hop is not the one before. */
static __rte_noinline int
arp_table_output(struct worker *w, struct arp_table *t, uint8_t iface,
		 uint32_t ip, struct rte_mbuf *m, uint8_t *mac)
{
	struct worker_neigh_cache *nc = &w->arp_nc;
	struct neigh_counts c = { 0 };
	uint8_t a[NEIGH_ADDR_LEN];
	int rc;

	neigh_addr_from_ipv4(a, ip);
	/* For the ops, which send on the interface. */
	w->neigh_iface = iface;
	rc = neigh_sync_output(&t->lock, &t->neigh, a, w->now_ms, m, mac, w,
			       &c, nc);
	arp_add_counts(w, &c);
	/* Its IPv4 key, if the cache now holds this address (the locked
	 * way leaves it as it was). */
	if (nc->table == &t->neigh && memcmp(nc->addr, a, sizeof(a)) == 0)
		nc->ip4 = ip;
	return rc;
}

/* Resolve (m NULL) or send m to ip, through interface iface's table. */
static int
arp_sync_output(struct worker *w, uint8_t iface, uint32_t ip,
		struct rte_mbuf *m, uint8_t *mac)
{
	struct arp_table *t = arp_tab(w->app, iface);
	const struct worker_neigh_cache *nc = &w->arp_nc;

	/* Nearly every packet goes to the next hop of the one before: the
	 * answer neigh_sync_output remembered, without its key. */
	if (likely(nc->table == &t->neigh && nc->ip4 == ip &&
		   rte_seqlock_read_begin(&t->lock) == nc->sn)) {
		memcpy(mac, nc->mac, 6);
		return 1;
	}
	return arp_table_output(w, t, iface, ip, m, mac);
}

int
arp_resolve(struct worker *w, uint32_t ip, uint8_t *mac)
{
	return arp_sync_output(w, ipv4_iface_of(w->app, ip), ip, NULL, mac);
}

int
arp_reply_ok(struct worker *w, uint32_t dst)
{
	uint32_t nh = ipv4_next_hop(w, dst);
	struct arp_table *t;
	uint8_t mac[6], a[NEIGH_ADDR_LEN];
	int rc;

	/* Without a route ipv4_output drops it, and counts that; there is
	 * no next hop to resolve. */
	if (nh == 0)
		return 1;
	rc = arp_resolve(w, nh, mac);
	if (rc != 0)
		return rc > 0;
	t = arp_table_of(w->app, nh);
	neigh_addr_from_ipv4(a, nh);
	return neigh_sync_nothing_held(&t->lock, &t->neigh, a);
}

int
arp_output_if(struct worker *w, uint8_t iface, uint32_t ip,
	      struct rte_mbuf *m, uint8_t *mac)
{
	return arp_sync_output(w, iface, ip, m, mac);
}

int
arp_output(struct worker *w, uint32_t ip, struct rte_mbuf *m, uint8_t *mac)
{
	return arp_sync_output(w, ipv4_iface_of(w->app, ip), ip, m, mac);
}

void
arp_confirm(struct worker *w, uint32_t dst)
{
	uint8_t a[NEIGH_ADDR_LEN];
	struct arp_table *t;
	uint32_t next_hop;
	uint8_t iface;

	if (!neigh_confirm_due(w->neigh_confirm_key, w->neigh_confirm_ms,
			       WORKER_NEIGH_CONFIRM_SLOTS, dst, w->now_ms,
			       w->cfg->arp.reachable_s * 250u))
		return;
	next_hop = ipv4_route(w, dst, &iface);
	if (next_hop == 0)
		return;
	t = arp_tab(w->app, iface);
	neigh_addr_from_ipv4(a, next_hop);
	if (neigh_sync_confirm(&t->lock, &t->neigh, a, w->now_ms))
		w->stats.arp.confirmations++;
}

void
arp_timer(struct worker *w)
{
	uint16_t i;

	for (i = 0; i < w->app->n_ifaces || i == 0; i++) {
		struct arp_table *t = arp_tab(w->app, (uint8_t)i);

		rte_seqlock_write_lock(&t->lock);
		w->neigh_iface = (uint8_t)i;
		neigh_timer(&t->neigh, w->now_ms, w);
		rte_seqlock_write_unlock(&t->lock);
	}
}

static void
arp_ops_send_request(void *ctx, const uint8_t *addr, const uint8_t *mac_hint)
{
	arp_send_request(ctx, neigh_addr_to_ipv4(addr), mac_hint);
}

static void
arp_ops_send_held(void *ctx, void *pkt, const uint8_t *mac)
{
	struct rte_ether_addr dst;

	/* A control thread (neigh.add) sends nothing: no TX queue. */
	if (ctx == NULL) {
		rte_pktmbuf_free(pkt);
		return;
	}

	memcpy(dst.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	eth_output_if(ctx, ((struct worker *)ctx)->neigh_iface, pkt, &dst,
		      RTE_ETHER_TYPE_IPV4);
}

static void
arp_ops_drop_held(void *ctx, void *pkt)
{
	struct worker *w = ctx;

	if (w != NULL)
		w->stats.arp.held_drops++;
	rte_pktmbuf_free(pkt);
}

static void
arp_ops_failed(void *ctx, const uint8_t *addr)
{
	struct worker *w = ctx;

	(void)addr;
	w->stats.arp.resolve_failures++;
}

const struct neigh_ops arp_neigh_ops = {
	.send_request = arp_ops_send_request,
	.send_held = arp_ops_send_held,
	.drop_held = arp_ops_drop_held,
	.failed = arp_ops_failed,
};
