/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The poll loop: RX burst -> Ethernet/ARP/IPv4/TCP -> deferred TCP output
 * -> timers -> application -> one TX burst.  No system calls and no heap
 * allocation per packet; time is read once per iteration.  The top of
 * lib/: the receive dispatch and the loop tie the layers together; the
 * primitives they share are lib/core/worker.c.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "arp.h"
#include "eth.h"
#include "http_server.h"
#include "icmp.h"
#include "icmp6.h"
#include "ipv4.h"
#include "ipv6.h"
#include "nd.h"
#include "job_runner.h"
#include "tcp.h"
#include "worker.h"
#include "worker_loop.h"

#define NEIGH_TIMER_MS	10
/* The longest RX stays unread while TX is backed up. */
#define RX_PAUSE_MAX_US		100
/* How long the goodbye RSTs may wait for room in the TX ring. */
#define WORKER_EXIT_BUDGET_US	200000
#define WORKER_EXIT_LINGER_US	30000

int
worker_init(struct worker *w, struct app *app, unsigned int lcore_id,
	    uint16_t index)
{
	char name[RTE_RING_NAMESIZE];
	uint64_t used;
	int rc;

	memset(w, 0, sizeof(*w));
	w->app = app;
	w->cfg = app->cfg;
	w->lcore_id = lcore_id;
	w->index = index;
	w->port_id = app->port.id;
	w->queue_id = index;
	w->quiesce = quiesce_slot(index);
	if (w->quiesce == NULL)
		return -E2BIG;
	snprintf(name, sizeof(name), "wcmd_%u", index);
	w->cmd_ring = rte_ring_create(name, WORKER_CMD_RING,
				      (int)rte_socket_id(), RING_F_SC_DEQ);
	if (w->cmd_ring == NULL)
		return -rte_errno;
	/* Before the measure: conn_mem_bytes is what max_conns costs. */
	w->tcp = rte_zmalloc_socket("tcp_stack", tcp_stack_size(),
				    RTE_CACHE_LINE_SIZE, (int)rte_socket_id());
	if (w->tcp == NULL)
		return -ENOMEM;
	rc = job_runner_init(w);
	if (rc != 0)
		return rc;
	used = worker_heap_used(w);
	worker_update_time(w);
	timer_wheel_init(&w->wheel, w->now_us);
	impair_init(&w->impair, &app->cfg->impair, lcore_id);
	rc = tcp_stack_init(w, w->cfg->max_conns);
	w->conn_mem_bytes = worker_heap_used(w) - used;
	return rc;
}

void
worker_fini(struct worker *w)
{
	worker_tx_flush(w);
	if (w->tx_n > 0) {
		w->stats.port.tx_full_drops += w->tx_n;
		rte_pktmbuf_free_bulk(w->tx_pkts, w->tx_n);
		w->tx_n = 0;
	}
	impair_flush(&w->impair);
	tcp_stack_fini(w);
	http_server_fini(w);
	job_runner_fini(w);
	worker_stash_flush(w);
	rte_ring_free(w->cmd_ring);
	w->cmd_ring = NULL;
	/* w->tcp stays (zeroed by tcp_stack_fini), as does w->runner:
	 * the exit statistics read them after this; they go with the EAL
	 * heap, as w does. */
}

/*
 * The receive path: each layer checks its header and says what comes
 * next, and the dispatch happens here, at the top, so that no layer
 * calls the one above it (net does not call tcp).
 */
void
worker_rx_one(struct worker *w, struct rte_mbuf *m)
{
	uint32_t l4_off, l4_len;

	switch (eth_input(w, m)) {
	case RTE_ETHER_TYPE_IPV4:
		switch (ipv4_input(w, m, RTE_ETHER_HDR_LEN, &l4_off,
				   &l4_len)) {
		case IPPROTO_TCP:
			tcp_input(w, m, RTE_ETHER_HDR_LEN, l4_off, l4_len);
			break;
		case IPPROTO_ICMP:
			icmp_input(w, m, RTE_ETHER_HDR_LEN, l4_off, l4_len);
			break;
		}
		break;
	case RTE_ETHER_TYPE_IPV6:
		switch (ipv6_input(w, m, RTE_ETHER_HDR_LEN, &l4_off,
				   &l4_len)) {
		case IPPROTO_TCP:
#ifdef TCP_HAS_IPV6
			tcp_input(w, m, RTE_ETHER_HDR_LEN, l4_off, l4_len);
#else
			/* tcp_input reads an IPv4 header at l3_off until
			 * it learns IPv6 (tcp.h defines TCP_HAS_IPV6). */
			w->stats.ipv6.rx_tcp_unsupported++;
			rte_pktmbuf_free(m);
#endif
			break;
		case IPPROTO_ICMPV6:
			icmp6_input(w, m, RTE_ETHER_HDR_LEN, l4_off, l4_len);
			break;
		}
		break;
	case RTE_ETHER_TYPE_ARP:
		arp_input(w, m);
		break;
	}
}

/* Packets other workers received for our connections. */
static unsigned int
worker_rx_handoff(struct worker *w)
{
	struct rte_ring *r = w->app->steer.rings[w->index];
	struct rte_mbuf *pkts[RX_BURST];
	unsigned int n, i;

	if (r == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst(r, (void **)pkts, RX_BURST, NULL);
	if (n == 0)
		return 0;
	w->stats.port.rx_handoff_in += n;
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		worker_rx_one(w, pkts[i]);
	}
	tcp_output_flush(w);
	return n;
}

static void
worker_commands(struct worker *w)
{
	struct worker_cmd *cmd;

	while (rte_ring_sc_dequeue(w->cmd_ring, (void **)&cmd) == 0) {
		cmd->fn(w, cmd->arg);
		__atomic_store_n(&cmd->done, 1, __ATOMIC_RELEASE);
	}
}

static uint16_t
worker_rx(struct worker *w)
{
	struct rte_mbuf *pkts[RX_BURST];
	struct rte_mbuf *out[RX_BURST + IMPAIR_HOLD_MAX];
	struct tcp_rx_hint hints[RX_BURST + IMPAIR_HOLD_MAX];
	struct rte_mbuf **p = pkts;
	uint16_t n, i;

	n = rte_eth_rx_burst(w->port_id, w->queue_id, pkts, RX_BURST);
	/* What the wire delivered, before RX impairment. */
	capture_rx(w, pkts, n);
	if (w->impair.enabled) {
		n = impair_burst(&w->impair, 1, pkts, n, out, RTE_DIM(out),
				 w->now_us, &w->stats);
		p = out;
	}
	if (n == 0)
		return 0;
	w->stats.port.rx_bursts++;
	for (i = 0; i < n; i++) {
		w->stats.port.rx_packets++;
		w->stats.port.rx_bytes += p[i]->pkt_len;
	}
	/* Packets of other workers' connections go to their owners. */
	n = steer_rx_burst(&w->app->steer, w->index, p, n,
			   &w->stats.port.rx_handoff_out,
			   &w->stats.port.rx_handoff_drops,
			   &w->stats.port.rx_rss_mismatch);
	tcp_lookup_burst(w, p, n, hints);
	for (i = 0; i < n; i++) {
		tcp_rx_hint_set(w->tcp, &hints[i]);
		worker_rx_one(w, p[i]);
	}
	tcp_rx_hint_set(w->tcp, NULL);
	/* ACKs and data owed by this burst go out together. */
	tcp_output_flush(w);
	return n;
}

/*
 * After the last resets, keep reading (and dropping) for a moment so
 * that the peer, seeing them, falls quiet before our port closes.  A
 * net_memif peer still busy receiving when we disconnect can fault:
 * DPDK 22.11's memif receive path races the unmapping of the shared
 * memory on disconnect, and the window is widest mid-copy.
 */
static void
worker_exit_linger(struct worker *w)
{
	struct rte_mbuf *pkts[RX_BURST];
	uint64_t until;
	uint16_t n;

	worker_update_time(w);
	until = w->now_us + WORKER_EXIT_LINGER_US;
	while (w->now_us < until) {
		quiesce_tick(w->quiesce);
		n = rte_eth_rx_burst(w->port_id, w->queue_id, pkts, RX_BURST);
		if (n > 0)
			rte_pktmbuf_free_bulk(pkts, n);
		worker_update_time(w);
	}
}

/*
 * Free mbufs against the watermarks: below app->mbufs_pressure_min the
 * pool is under pressure (out-of-order data dropped, send buffers
 * clamped), below app->mbufs_reserve it is low (no new send space, jobs
 * hold back).  Summing the pool's per-lcore caches is not free: every
 * 250 us.  Each state ends only with a quarter of its mark to spare, so
 * that it does not flap; the connections refused are woken then.
 */
static void
worker_mem_check(struct worker *w)
{
	const struct app *app = w->app;
	int wake = 0;
	uint64_t avail;

	if (w->now_us - w->mbufs_checked_us < 250)
		return;
	w->mbufs_checked_us = w->now_us;
	avail = rte_mempool_avail_count(app->pool);
	if (!w->mbufs_pressure && avail < app->mbufs_pressure_min) {
		w->mbufs_pressure = 1;
		w->stats.tcp.MemPressureEvents++;
	} else if (w->mbufs_pressure && avail >= app->mbufs_pressure_min +
		   app->mbufs_pressure_min / 4) {
		w->mbufs_pressure = 0;
		wake = 1;
	}
	if (!w->mbufs_low && avail < app->mbufs_reserve) {
		w->mbufs_low = 1;
		w->stats.tcp.MemLowEvents++;
	} else if (w->mbufs_low &&
		   avail >= app->mbufs_reserve + app->mbufs_reserve / 4) {
		w->mbufs_low = 0;
		wake = 1;
	}
	if (wake && w->snd_starved > 0)
		tcp_mem_wake(w);
}

/*
 * After an iteration that found nothing to do, a few PAUSEs before the
 * next poll: each poll of an empty ring reads the line its peer (a memif
 * on the other core, a NIC) is writing, and steals it; and a hyperthread
 * sibling gets the core's resources meanwhile.  Under half a
 * microsecond of reaction time; measured in docs/benchmarks.md (sixth
 * round): a small gain in one build, no loss where a side waits on its
 * peer.
 */
static inline void
worker_idle_pause(void)
{
	unsigned int i;

	for (i = 0; i < WORKER_IDLE_PAUSES; i++)
		rte_pause();
}

void
worker_loop(struct worker *w)
{
	uint64_t last_tsc, queued;
	int work;

	quiesce_enter(w->quiesce);
	worker_update_time(w);
	last_tsc = w->now_tsc;
	while (!w->app->quit) {
		quiesce_tick(w->quiesce);
		worker_update_time(w);
		/* The previous iteration, from its start to ours. */
		if (w->did_work)
			w->busy_tsc += w->now_tsc - last_tsc;
		else
			w->idle_tsc += w->now_tsc - last_tsc;
		last_tsc = w->now_tsc;
		w->loops++;
		queued = w->tx_queued;
		/* While the TX ring is backed up, leave packets in the RX
		 * ring: every one would make more output, and a full RX
		 * ring is what tells a memif or NIC peer to slow down.  But
		 * only briefly: two dpfetch that both wait for the other to
		 * read would wait for ever. */
		work = 0;
		if (w->tx_n >= TX_BACKLOG / 2 && w->rx_paused_since_us == 0)
			w->rx_paused_since_us = w->now_us;
		if (w->tx_n < TX_BACKLOG / 2 ||
		    w->now_us - w->rx_paused_since_us >= RX_PAUSE_MAX_US) {
			w->rx_paused_since_us = 0;
			work = worker_rx(w) > 0;
			work |= worker_rx_handoff(w) > 0;
		} else {
			worker_tx_flush(w);
		}
		timer_wheel_run(&w->wheel, w->now_us, w);
		worker_mem_check(w);
		if (w->index == 0 &&
		    w->now_ms - w->last_neigh_ms >= NEIGH_TIMER_MS) {
			w->last_neigh_ms = w->now_ms;
			arp_timer(w);
			nd_timer(w);
		}
		if (job_runner_active(w))
			job_runner_poll(w);
		/* Busy: packets came in, or anything (timers, jobs) made
		 * packets to send; a paced job waiting for its next slot is
		 * idle time. */
		work |= w->tx_queued != queued;
		w->did_work = work;
		tcp_output_flush(w);
		worker_tx_flush(w);
		worker_commands(w);
		if (!work)
			worker_idle_pause();
	}
	/* Nobody may wait forever on a command we never ran. */
	worker_commands(w);
	worker_update_time(w);
	w->exit_budget_us = WORKER_EXIT_BUDGET_US;
	tcp_reset_all(w);
	worker_tx_flush(w);
	w->exit_budget_us = 0;
	worker_exit_linger(w);
	quiesce_leave(w->quiesce);
}
