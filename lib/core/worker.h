/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore context and the poll loop.
 *
 * Every worker lcore owns one struct worker: its RX/TX queues, its TCP
 * table and timers, its TX batch, its fault-injection state and its
 * counters.  It is passed explicitly to every function on the data path;
 * nothing on that path reaches for a global.  What is shared between
 * workers (configuration, the port description, the neighbour table)
 * hangs off struct app (app.h) and is read-mostly.
 *
 * This is the bottom layer (lib/core): the context and the primitives
 * every layer calls (clock, TX queue, allocation, worker_call).  The
 * layers above hang their per-lcore state off it by pointer (tcp,
 * httpd, runner) so that core needs none of their headers; the poll loop is
 * lib/loop/worker_loop.h.
 */

#ifndef DPF_WORKER_H
#define DPF_WORKER_H

#include <stdint.h>
#include <sys/queue.h>

#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_branch_prediction.h>

#include "app.h"
#include "config.h"
#include "impair.h"
#include "lazy_pool.h"
#include "quiesce.h"
#include "port.h"
#include "stats.h"
#include "steer.h"
#include "timer.h"

#define RX_BURST	32	/* packets read, looked up and processed together */
#define WORKER_IDLE_PAUSES	8	/* PAUSEs after an idle iteration */
#define TX_BATCH	64	/* flush at this many */
#define TX_BACKLOG	1024	/* held while the TX ring is full */
/* A port that takes nothing for this long is down (a memif whose peer
 * is gone, a NIC without link): its backlog is dropped so that TCP's
 * timers, not the backlog, decide what happens next. */
#define TX_STALL_US	20000
/* Past this many frames waiting, TCP sends no new data (ACKs and
 * retransmissions still go): a sender that outruns its port would
 * otherwise fill the backlog and lose what comes next. */
#define TX_DATA_LIMIT	(TX_BACKLOG - 2 * TX_BATCH)
#define WORKER_CMD_RING	256
/* Received mbufs kept for frames sent in the same iteration. */
#define WORKER_MBUF_STASH	RX_BURST
/* Remembered neighbour confirmations per lcore (a power of two). */
#define WORKER_NEIGH_CONFIRM_SLOTS 256

struct worker;
struct http_server;
struct tcp_stack;
struct job_runner;

/* A neighbour answer remembered per worker: a packet to the same next hop
 * as the one before takes it without the table's hash and compare.  Good
 * while the table's seqlock has not moved since (no write of any kind), so
 * it answers exactly what the lock-free lookup would. */
struct worker_neigh_cache {
	const void *table;	/* NULL: empty */
	uint32_t sn;		/* the seqlock's count when it was read */
	uint8_t addr[16];
	uint8_t mac[6];
	/* ARP's: addr as an IPv4 address, so that a packet to the same
	 * next hop skips building the table's key (arp_sync_output). */
	uint32_t ip4;
};

struct worker {
	struct app *app;
	const struct dpf_config *cfg;
	unsigned int lcore_id;
	uint16_t index;		/* 0..n_workers-1, also the queue id */
	uint16_t port_id;
	uint16_t queue_id;
	/* Commands from the control side (struct worker_cmd *). */
	struct rte_ring *cmd_ring;

	/* Time, read once per loop iteration. */
	uint64_t now_tsc;
	uint64_t now_us;
	uint64_t now_ms;
	/* TCP timestamp clock (RFC 7323), ms: the system's monotonic clock,
	 * so that it keeps rising from one dpfetch run to the next and a
	 * peer's TIME_WAIT accepts our new SYN on an old 4-tuple. */
	uint32_t ts_now;
	uint64_t last_neigh_ms;
	/* Several interfaces (app->n_ifaces > 1): the one of the frame
	 * being received (eth_input), and the one whose neighbour table a
	 * neigh_* call works on (its callbacks send there). */
	uint8_t rx_iface;
	uint8_t neigh_iface;
	/* The last answer of ARP's and of ND's table (neigh_sync_output). */
	struct worker_neigh_cache arp_nc;
	struct worker_neigh_cache nd_nc;

	/* Where the lcore's time goes: loop iterations that moved packets
	 * or ran jobs count as busy, the others as idle (headroom). */
	uint64_t busy_tsc;
	uint64_t idle_tsc;
	uint64_t loops;
	int did_work;
	/* Bumped per iteration: munmap() in a control thread waits for it
	 * (a PMD may unmap what the last burst read; quiesce.h). */
	struct quiesce_slot *quiesce;
	uint64_t exit_budget_us;	/* TX waits left while exiting */
	/* Fewer free mbufs than app->mbufs_reserve: jobs hold back, send
	 * buffers take nothing new (tcp_send_space is 0). */
	int mbufs_low;
	/* Fewer than app->mbufs_pressure_min: out-of-order data is
	 * dropped, send buffers are clamped to tcp.snd_pressure_bytes. */
	int mbufs_pressure;
	/* Connections refused send space while low (TCP_MF_SND_STARVED):
	 * woken when memory returns. */
	uint32_t snd_starved;
	int tx_held_back;		/* TX backlog: jobs make no new packets */
	uint64_t rx_paused_since_us;	/* RX left unread since, or 0 */
	uint64_t tx_stalled_since_us;	/* the port took nothing since, or 0 */
	uint64_t mbufs_checked_us;
	/* Heap taken for connection state sized by max_conns (tables,
	 * pools), measured from the allocator when it was created. */
	uint64_t conn_mem_bytes;

	struct timer_wheel wheel;
	/* TCP's per-lcore state (tcp_priv.h), allocated by worker_init on
	 * the lcore's socket: one load, in L1 with the rest of w. */
	struct tcp_stack *tcp;
	struct impair impair;
	struct http_server *httpd;	/* --listen, or NULL */
	/* Fetch jobs: the shares this worker runs and their connections
	 * (lib/job/job_runner.h), allocated by worker_init. */
	struct job_runner *runner;

	/* Received mbufs done with (worker_free), which worker_alloc takes
	 * before the pool's: a request in and its answer out cost one
	 * mbuf and no trip through the mempool each way.  Given back to
	 * the pool with every TX flush (at least once per iteration). */
	uint16_t stash_n;
	struct rte_mbuf *stash[WORKER_MBUF_STASH];

	uint16_t tx_n;
	uint64_t tx_queued;		/* packets ever queued: "did work" */
	uint16_t tx_captured;		/* of tx_pkts, copied to a capture */
	struct rte_mbuf *tx_pkts[TX_BACKLOG];

	struct stats stats;

	/* Destinations whose neighbour TCP progress confirmed lately
	 * (neigh_confirm_due): keys are digests, times ms.  Last: touched
	 * once per acknowledgement of new data, away from the hot fields. */
	uint32_t neigh_confirm_key[WORKER_NEIGH_CONFIRM_SLOTS];
	uint32_t neigh_confirm_ms[WORKER_NEIGH_CONFIRM_SLOTS];
};

/* A function to run on a worker's own lcore (see worker_call). */
struct worker_cmd {
	void (*fn)(struct worker *w, void *arg);
	void *arg;
	volatile int done;
};

/*
 * Run fn(w, arg) on worker index's lcore and wait until it has run: the
 * way the control side changes per-lcore state without locks.  Before
 * the workers run (app->running == 0) it is called directly.  0, or -1
 * when the workers stopped before taking it.
 */
int
worker_call(struct app *app, uint16_t index,
	    void (*fn)(struct worker *w, void *arg), void *arg);

/* Bytes in use on the worker's NUMA heap (to measure what a structure
 * really costs, allocator overhead included). */
uint64_t
worker_heap_used(const struct worker *w);

/* Microseconds on the workers' clock, from any thread. */
/* The clock of app_now_us and the workers' now_us: starts now. */
void
app_time_init(struct app *app);

uint64_t
app_now_us(const struct app *app);

/* Refresh the cached clock (the loop does it once per iteration). */
void
worker_update_time(struct worker *w);

/* lazy_pool's allocator on a NUMA socket (arg: the socket id): memory
 * for per-connection work areas, taken only as concurrency grows. */
void *
worker_heap_alloc(void *arg, size_t size);
void
worker_heap_free(void *arg, void *p);

/* Queue a finished frame for transmission (goes through TX impairment). */
void
worker_tx(struct worker *w, struct rte_mbuf *m);

/* Send what is queued: one tx_burst. */
void
worker_tx_flush(struct worker *w);

/* Capture's packet-path hooks (capture_hook.h): what the wire delivered,
 * before RX impairment; what goes to the wire, after TX impairment. */
static inline void
capture_rx(struct worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	if (unlikely(__atomic_load_n(&w->app->capture_active,
				     __ATOMIC_RELAXED)))
		capture_hook_burst(w, pkts, n, CAPTURE_DIR_IN);
}

static inline void
capture_tx(struct worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	if (unlikely(__atomic_load_n(&w->app->capture_active,
				     __ATOMIC_RELAXED)))
		capture_hook_burst(w, pkts, n, CAPTURE_DIR_OUT);
}

/* Allocate an mbuf for an outgoing frame; counts failures. */
struct rte_mbuf *
worker_alloc(struct worker *w);

/* Give back the worker's stash of mbufs (worker_free) to the pool. */
void
worker_stash_flush(struct worker *w);

/*
 * rte_pktmbuf_free for the data path's received frames: a last
 * reference to one plain mbuf of the port's pool goes to the stash,
 * while it has room, for worker_alloc.
 */
static inline void
worker_free(struct worker *w, struct rte_mbuf *m)
{
	if (m == NULL)
		return;
	if (m->next != NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	/* Detached and reset as the pool wants them, or NULL while
	 * others still hold it. */
	m = rte_pktmbuf_prefree_seg(m);
	if (m == NULL)
		return;
	if (likely(m->pool == w->app->pool &&
		   w->stash_n < WORKER_MBUF_STASH))
		w->stash[w->stash_n++] = m;
	else
		rte_mempool_put(m->pool, m);
}


#endif /* DPF_WORKER_H */
