/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The poll loop: RX burst -> Ethernet/ARP/IPv4/TCP -> deferred TCP output
 * -> timers -> application -> one TX burst.  No system calls and no heap
 * allocation per packet; time is read once per iteration.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "eth.h"
#include "http_server.h"
#include "worker.h"

#define NEIGH_TIMER_MS	10

void
worker_update_time(struct worker *w)
{
	uint64_t hz = w->app->tsc_hz;
	uint64_t d;

	w->now_tsc = rte_rdtsc();
	d = w->now_tsc - w->app->start_tsc;
	/* Split to avoid overflowing d * 1000000 after long uptimes. */
	w->now_us = (d / hz) * 1000000 + (d % hz) * 1000000 / hz;
	w->now_ms = w->now_us / 1000;
}

int
worker_init(struct worker *w, struct app *app, unsigned int lcore_id,
	    uint16_t queue_id)
{
	memset(w, 0, sizeof(*w));
	w->app = app;
	w->cfg = app->cfg;
	w->lcore_id = lcore_id;
	w->port_id = app->port.id;
	w->queue_id = queue_id;
	worker_update_time(w);
	timer_wheel_init(&w->wheel, w->now_us);
	impair_init(&w->impair, &app->cfg->impair, lcore_id);
	return tcp_stack_init(w, WORKER_MAX_CONNS);
}

void
worker_fini(struct worker *w)
{
	worker_tx_flush(w);
	impair_flush(&w->impair);
	tcp_stack_fini(w);
	http_server_fini(w);
}

struct rte_mbuf *
worker_alloc(struct worker *w)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->app->pool);

	if (m == NULL)
		w->stats.eth.tx_no_mbuf++;
	return m;
}

static void
worker_tx_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0;
	uint16_t i;
	int tries = 0;

	/* A busy TX ring frees up quickly; give it a few tries, then drop
	 * (TCP retransmits) rather than stall the loop. */
	while (sent < n && tries++ < 8)
		sent += rte_eth_tx_burst(w->port_id, w->queue_id, pkts + sent,
					 n - sent);
	w->stats.port.tx_bursts++;
	for (i = 0; i < sent; i++) {
		w->stats.port.tx_packets++;
		w->stats.port.tx_bytes += pkts[i]->pkt_len;
	}
	if (sent < n) {
		w->stats.port.tx_full_drops += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

void
worker_tx_flush(struct worker *w)
{
	struct rte_mbuf *out[TX_BATCH + IMPAIR_HOLD_MAX];
	uint16_t n = w->tx_n;

	w->tx_n = 0;
	if (w->impair.enabled) {
		n = impair_burst(&w->impair, 0, w->tx_pkts, n, out,
				 RTE_DIM(out), w->now_us, &w->stats);
		if (n > 0)
			worker_tx_burst(w, out, n);
		return;
	}
	if (n > 0)
		worker_tx_burst(w, w->tx_pkts, n);
}

void
worker_tx(struct worker *w, struct rte_mbuf *m)
{
	if (w->tx_n == TX_BATCH)
		worker_tx_flush(w);
	w->tx_pkts[w->tx_n++] = m;
}

void
worker_rx_one(struct worker *w, struct rte_mbuf *m)
{
	w->stats.port.rx_packets++;
	w->stats.port.rx_bytes += m->pkt_len;
	eth_input(w, m);
}

static void
worker_rx(struct worker *w)
{
	struct rte_mbuf *pkts[RX_BURST];
	struct rte_mbuf *out[RX_BURST + IMPAIR_HOLD_MAX];
	struct rte_mbuf **p = pkts;
	uint16_t n, i;

	n = rte_eth_rx_burst(w->port_id, w->queue_id, pkts, RX_BURST);
	if (w->impair.enabled) {
		n = impair_burst(&w->impair, 1, pkts, n, out, RTE_DIM(out),
				 w->now_us, &w->stats);
		p = out;
	}
	if (n == 0)
		return;
	w->stats.port.rx_bursts++;
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(p[i + 1], void *));
		worker_rx_one(w, p[i]);
	}
	/* ACKs and data owed by this burst go out together. */
	tcp_output_flush(w);
}

void
worker_loop(struct worker *w)
{
	while (!w->app->quit) {
		worker_update_time(w);
		worker_rx(w);
		timer_wheel_run(&w->wheel, w->now_us);
		if (w->now_ms - w->last_neigh_ms >= NEIGH_TIMER_MS) {
			w->last_neigh_ms = w->now_ms;
			neigh_timer(&w->app->neigh, w->now_ms, w);
		}
		if (w->wapp.poll != NULL)
			w->wapp.poll(w, w->wapp.arg);
		tcp_output_flush(w);
		worker_tx_flush(w);
	}
}
