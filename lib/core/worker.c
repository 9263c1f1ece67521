/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lcore context's primitives, which every layer calls: the clock,
 * the TX queue and its flush, mbuf allocation, the command mailbox
 * (worker_call), the per-lcore heap and state pools.  The poll loop that
 * drives them is lib/loop/worker_loop.c.
 */
#include <string.h>

#include <stdio.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "worker.h"

/* TSC ticks to microseconds since start: one multiply by a 32.32
 * fixed-point factor (set up in app_time_init), no division, as this
 * runs on every loop. */
static uint64_t
tsc_to_us(const struct app *app, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)(tsc - app->start_tsc) *
			   app->us_per_tsc_q32) >> 32);
}

void
app_time_init(struct app *app)
{
	app->tsc_hz = rte_get_tsc_hz();
	app->start_tsc = rte_rdtsc();
	app->us_per_tsc_q32 = (uint64_t)(((unsigned __int128)1000000 << 32) /
					  app->tsc_hz);
}

uint64_t
app_now_us(const struct app *app)
{
	return tsc_to_us(app, rte_rdtsc());
}

void
worker_update_time(struct worker *w)
{
	w->now_tsc = rte_rdtsc();
	w->now_us = tsc_to_us(w->app, w->now_tsc);
	w->now_ms = w->now_us / 1000;
	w->ts_now = (uint32_t)(w->app->ts_base_ms + w->now_ms);
}

uint64_t
worker_heap_used(const struct worker *w)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats((int)rte_lcore_to_socket_id(
			w->lcore_id), &st) != 0)
		return 0;
	return st.heap_allocsz_bytes;
}

void *
worker_heap_alloc(void *arg, size_t size)
{
	return rte_malloc_socket("conn_work", size, RTE_CACHE_LINE_SIZE,
				 (int)(uintptr_t)arg);
}

void
worker_heap_free(void *arg, void *p)
{
	(void)arg;
	rte_free(p);
}

struct rte_mbuf *
worker_alloc(struct worker *w)
{
	struct rte_mbuf *m;

	if (w->stash_n > 0) {
		/* As rte_pktmbuf_alloc leaves one: worker_free took it the
		 * way the pool would (one reference, one segment). */
		m = w->stash[--w->stash_n];
		rte_pktmbuf_reset(m);
		return m;
	}
	m = rte_pktmbuf_alloc(w->app->pool);
	if (m == NULL)
		w->stats.eth.tx_no_mbuf++;
	return m;
}

void
worker_stash_flush(struct worker *w)
{
	if (w->stash_n == 0)
		return;
	rte_mempool_put_bulk(w->app->pool, (void **)w->stash, w->stash_n);
	w->stash_n = 0;
}

/*
 * Hand pkts[0..n) to the port; the first `captured` of them were copied
 * to a running capture already.  Returns how many the port took.
 */
static uint16_t
worker_tx_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
		uint16_t captured)
{
	uint16_t sent = 0;
	uint16_t i;
	int tries = 0;

	/* What we hand to the wire, after TX impairment. */
	capture_tx(w, pkts + captured, n - captured);
	/* A busy TX ring frees up quickly; give it a few tries, then keep
	 * the rest for the next loop.  On the way out (the last RSTs)
	 * there is no later: wait for room, within a small budget for the
	 * whole exit. */
	while (sent < n) {
		sent += rte_eth_tx_burst(w->port_id, w->queue_id, pkts + sent,
					 n - sent);
		if (sent == n || ++tries < 8)
			continue;
		if (w->exit_budget_us == 0)
			break;
		w->exit_budget_us--;
		rte_delay_us_block(1);
	}
	w->stats.port.tx_bursts++;
	for (i = 0; i < sent; i++) {
		w->stats.port.tx_packets++;
		w->stats.port.tx_bytes += pkts[i]->pkt_len;
	}
	return sent;
}

void
worker_tx_flush(struct worker *w)
{
	struct rte_mbuf *out[TX_BACKLOG + IMPAIR_HOLD_MAX];
	uint16_t n = w->tx_n, sent;

	/* What is sent now was allocated; the rest goes back. */
	worker_stash_flush(w);
	if (n == 0 && !w->impair.enabled)
		return;
	if (w->impair.enabled) {
		/* Impairment reorders and holds packets itself: what the
		 * port cannot take now is lost, as on a congested link. */
		w->tx_n = 0;
		w->tx_captured = 0;
		n = impair_burst(&w->impair, 0, w->tx_pkts, n, out,
				 RTE_DIM(out), w->now_us, &w->stats);
		if (n == 0)
			return;
		sent = worker_tx_burst(w, out, n, 0);
		if (sent < n) {
			w->stats.port.tx_full_drops += n - sent;
			rte_pktmbuf_free_bulk(out + sent, n - sent);
		}
		return;
	}
	sent = worker_tx_burst(w, w->tx_pkts, n, w->tx_captured);
	if (sent == n) {
		w->tx_n = 0;
		w->tx_captured = 0;
		w->tx_stalled_since_us = 0;
		return;
	}
	if (sent > 0) {
		w->tx_stalled_since_us = 0;
	} else if (w->tx_stalled_since_us == 0) {
		w->tx_stalled_since_us = w->now_us;
	} else if (w->now_us - w->tx_stalled_since_us >= TX_STALL_US) {
		/* Holding on would stop jobs for good (they wait for the
		 * backlog) and hide the dead link from TCP's timers. */
		w->stats.port.tx_stall_drops += n;
		rte_pktmbuf_free_bulk(w->tx_pkts, n);
		w->tx_n = 0;
		w->tx_captured = 0;
		w->tx_stalled_since_us = 0;
		return;
	}
	/* The rest waits for room in the TX ring: the loop comes back
	 * within microseconds, and jobs hold back meanwhile. */
	if (sent > 0)
		memmove(w->tx_pkts, w->tx_pkts + sent,
			(size_t)(n - sent) * sizeof(w->tx_pkts[0]));
	w->tx_n = n - sent;
	w->tx_captured = w->tx_n;
}

void
worker_tx(struct worker *w, struct rte_mbuf *m)
{
	/* A port that segments for us may want its own look at offloaded
	 * frames first (and may refuse one it cannot send). */
	if (unlikely(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) &&
	    rte_eth_tx_prepare(w->port_id, w->queue_id, &m, 1) != 1) {
		w->stats.port.tx_prepare_drops++;
		rte_pktmbuf_free(m);
		return;
	}
	if (w->tx_n >= TX_BATCH)
		worker_tx_flush(w);
	if (w->tx_n == TX_BACKLOG) {
		/* The port has not taken anything for a while: drop (TCP
		 * retransmits) rather than hold more. */
		w->stats.port.tx_full_drops++;
		rte_pktmbuf_free(m);
		return;
	}
	w->tx_pkts[w->tx_n++] = m;
	w->tx_queued++;
}

int
worker_call(struct app *app, uint16_t index,
	    void (*fn)(struct worker *w, void *arg), void *arg)
{
	struct worker *w = app->workers[index];
	struct worker_cmd cmd = { .fn = fn, .arg = arg, .done = 0 };

	if (!app->running) {
		fn(w, arg);
		return 0;
	}
	while (rte_ring_mp_enqueue(w->cmd_ring, &cmd) != 0) {
		if (!app->running)
			return -1;
		rte_pause();
	}
	/* Workers drain their rings on the way out; running drops to 0
	 * only once every loop has ended, so nobody touches cmd after. */
	while (!__atomic_load_n(&cmd.done, __ATOMIC_ACQUIRE)) {
		if (!app->running)
			return __atomic_load_n(&cmd.done, __ATOMIC_ACQUIRE) ?
				0 : -1;
		rte_delay_us_sleep(20);
	}
	return 0;
}

void
capture_hook_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
		   enum capture_dir dir)
{
	capture_burst_fn *fn = __atomic_load_n(&w->app->capture_burst,
					       __ATOMIC_ACQUIRE);

	if (fn != NULL)
		fn(w, pkts, n, dir);
}
