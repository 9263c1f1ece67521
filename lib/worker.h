/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore context and the poll loop.
 *
 * Every worker lcore owns one struct worker: its RX/TX queues, its TCP
 * table and timers, its TX batch, its fault-injection state and its
 * counters.  It is passed explicitly to every function on the data path;
 * nothing on that path reaches for a global.  What is shared between
 * workers (configuration, the port description, the neighbour table)
 * hangs off struct app and is read-mostly.
 */

#ifndef DPF_WORKER_H
#define DPF_WORKER_H

#include <stdint.h>
#include <sys/queue.h>

#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_seqlock.h>

#include "config.h"
#include "impair.h"
#include "job.h"
#include "lazy_pool.h"
#include "neigh.h"
#include "quiesce.h"
#include "port.h"
#include "stats.h"
#include "steer.h"
#include "tcp.h"
#include "timer.h"

#define RX_BURST	32
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
#define NEIGH_TABLE_SIZE 1024
#define LOCAL_RANGES_MAX 16
#define WORKER_CMD_RING	256

struct worker;
struct http_server;
struct capture;
struct ctl_server;

struct job_share;
struct hc_busy;
TAILQ_HEAD(job_share_list, job_share);

/* Addresses we own besides cfg->ip: client source ranges. */
struct local_addrs {
	uint32_t n;			/* published last (release) */
	struct {
		uint32_t lo, hi;	/* host order, inclusive */
	} r[LOCAL_RANGES_MAX];
};

/* What every worker shares. */
struct app {
	const struct dpf_config *cfg;
	struct port port;
	struct rte_mempool *pool;
	struct steer steer;
	struct worker *workers[STEER_MAX_WORKERS];	/* by index */
	uint16_t n_workers;
	struct local_addrs local;
	struct job_registry jobs;	/* control side only */
	struct impair_conf impair_conf;	/* as last set (impair.set) */
	/* The neighbour table is shared: lookups are lock-free under the
	 * seqlock, changes (rare: ARP traffic, timers) take its lock. */
	rte_seqlock_t neigh_lock;
	struct neigh_table neigh;
	struct neigh_entry neigh_entries[NEIGH_TABLE_SIZE];
	uint64_t mbufs_port_held;	/* in use by the driver after start */
	uint64_t mbufs_reserve;		/* kept free for RX: jobs wait */
	/* Fewer free: the pool is under pressure (worker.mbufs_pressure). */
	uint64_t mbufs_pressure_min;
	uint64_t tsc_hz;
	uint64_t start_tsc;
	uint64_t us_per_tsc_q32;	/* 2^32 * 10^6 / tsc_hz */
	uint64_t ts_base_ms;		/* CLOCK_MONOTONIC at start_tsc */
	/* Packet capture (capture.h): the workers' hooks read only
	 * capture_active, so no capture costs one branch. */
	int capture_active;
	struct capture *capture;
	/* The port's link is down, as a control thread last saw it
	 * (asking the PMD can be a system call: not from a worker).  Jobs
	 * wait for it before ARP; 0, the zeroed default, is up. */
	volatile int link_down;
	/* The control server while it runs (its counters in stats.get). */
	struct ctl_server *ctl;
	volatile int quit;		/* set by signals or the application */
	volatile int running;		/* workers are in their loops */
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
	struct tcp_stack tcp;
	struct impair impair;
	struct http_server *httpd;	/* --listen, or NULL */
	/* Fetch jobs: the shares this worker runs, and client state. */
	struct job_share_list shares;
	struct rte_mempool *hc_pool;	/* struct hc_conn */
	struct lazy_pool hc_busy_pool;	/* struct hc_busy */

	uint16_t tx_n;
	uint64_t tx_queued;		/* packets ever queued: "did work" */
	uint16_t tx_captured;		/* of tx_pkts, copied to a capture */
	struct rte_mbuf *tx_pkts[TX_BACKLOG];

	struct stats stats;
};

/* A function to run on a worker's own lcore (see worker_call). */
struct worker_cmd {
	void (*fn)(struct worker *w, void *arg);
	void *arg;
	volatile int done;
};

int
worker_init(struct worker *w, struct app *app, unsigned int lcore_id,
	    uint16_t index);

void
worker_fini(struct worker *w);

/* Run the poll loop until app->quit. */
void
worker_loop(struct worker *w);

/*
 * Run fn(w, arg) on worker index's lcore and wait until it has run: the
 * way the control side changes per-lcore state without locks.  Before
 * the workers run (app->running == 0) it is called directly.  0, or -1
 * when the workers stopped before taking it.
 */
int
worker_call(struct app *app, uint16_t index,
	    void (*fn)(struct worker *w, void *arg), void *arg);

/* A pool of per-connection state for worker w (connection blocks, SACK
 * boards, client state): n objects of size bytes, packed. */
struct rte_mempool *
worker_state_pool(const struct worker *w, const char *name, unsigned int n,
		  unsigned int size);

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

/* Allocate an mbuf for an outgoing frame; counts failures. */
struct rte_mbuf *
worker_alloc(struct worker *w);

/* The packet path from the wire: Ethernet demux and up. */
void
worker_rx_one(struct worker *w, struct rte_mbuf *m);

#endif /* DPF_WORKER_H */
