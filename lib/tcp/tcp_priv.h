/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP's insides: the connection block, the per-lcore TCP state, the
 * flags and the functions the files of lib/tcp call each other by.
 * Only the sources of lib/tcp and the tests include this (check_layers.py fails
 * anything else); the layers above use tcp.h, which this includes.
 *
 * The code is split the way lwIP splits it:
 *   tcp_in.c     segment arrival: checks, lookup, the RFC 9293 state
 *                machine, ACK processing, data delivery, reassembly
 *   tcp_out.c    building and sending segments: data, SYN, FIN, ACK, RST
 *   tcp_timer.c  retransmission (RFC 6298), delayed ACK, persist,
 *                TIME_WAIT
 *   tcp_conn.c   the connection table, allocation, ISNs, ports, the
 *                application calls (connect, send, close, abort)
 *   tcp_reass.c  the out-of-order queue and the SACK blocks it yields
 *   tcp_sack.c   the sender's SACK scoreboard (RFC 6675)
 *   tcp_cc.c     congestion control: NewReno and CUBIC behind one ops
 *   tcp_seq.h    wrap-safe sequence comparisons
 *
 * Everything here is per lcore and lock-free: a connection belongs to
 * the lcore whose table holds it, and every function takes that lcore's
 * struct worker explicitly.
 */

#ifndef DPF_TCP_PRIV_H
#define DPF_TCP_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "obj_pool.h"
#include "tcp.h"
#include "tcp_cc.h"
#include "tcp_sack.h"
#include "tcp_syncookie.h"
#include "timer.h"

struct worker;
struct rte_hash;
struct rte_mempool;

/* Connection flags. */
#define TF_ACK_NOW	0x0001	/* send an ACK at the end of this burst */
#define TF_DELACK	0x0002	/* an ACK is owed; delack timer runs */
#define TF_FIN_QUEUED	0x0004	/* the application closed: send FIN */
#define TF_FIN_SENT	0x0008
#define TF_WSCALE	0x0010	/* window scaling agreed */
#define TF_TSTAMP	0x0020	/* timestamps agreed */
#define TF_SACK		0x0040	/* SACK agreed */
#define TF_OUTPUT_LIST	0x0080	/* on the worker's output list */
#define TF_APP_CLOSED	0x0100	/* closed callback was called */
#define TF_RTT_TIMING	0x0200	/* timing rtt_seq (no timestamps) */
#define TF_RECOVERY	0x0400	/* in fast recovery until snd_una >= recover */
#define TF_PASSIVE	0x0800	/* opened by a listener */
#define TF_RCV_HOLD_SND	0x1000	/* receive window shrinks with snd.len */
#define TF_ABORT	0x2000	/* abort at the next output pass */
#define TF_TLP_PENDING	0x4000	/* TCP_TT_RTX is a tail loss probe timer */
#define TF_TLP_DONE	0x8000	/* probe sent; next expiry is the RTO */

/* mem_flags: refused send space while the pool was low; woken (the
 * sent callback, a window update) when memory returns. */
#define TCP_MF_SND_STARVED	0x01
#define TCP_MF_IN_TABLE		0x02	/* in the table: a live block */
#define TCP_MF_CC_NOMEM		0x04	/* cc state refused (counted once) */

/* Packets of a burst looked up together (tcp_lookup_burst); the rest
 * of a longer burst are looked up one by one. */
#define TCP_LOOKUP_BURST_MAX	64

/*
 * IPv6 connections.  The hot block keeps IPv4's 32-bit remote_ip and
 * local_ip; an IPv6 connection's two addresses live in a cold block
 * (struct tcp_addr6, 32 B) from the worker's addr6_pool, so the block
 * does not grow and an IPv4 connection pays nothing.  For it:
 *   remote_ip  a keyed 32-bit fold of both addresses (tcp_addr6_fold),
 *              what the table hashes;
 *   local_ip   the cold block's pool index + 1, below 2^24.
 * A local IPv4 address is never in 0.0.0.0/8 (RFC 1122 3.2.1.3: "this
 * network"), so local_ip < 2^24 tells the family without a flag, and an
 * IPv4 lookup can never match an IPv6 block: its key's local_ip is a
 * real address.  The IPv6 key is (fold, 0, ports); its lookup compares
 * the fold, then the full addresses in the cold block, so folds that
 * collide are told apart.  The fold is keyed (the table's seed), so an
 * attacker cannot aim tuples at one fold.
 */
struct tcp_addr6 {
	uint8_t remote[16];	/* network byte order */
	uint8_t local[16];
};

#define TCP_ADDR6_MAX	((1u << 24) - 1)	/* local_ip's room */

/* The connection's timers: kinds of its one wheel timer. */
enum tcp_timer_kind {
	TCP_TT_RTX,	/* SYN/data retransmission, TLP, persist */
	TCP_TT_DELACK,	/* delayed ACK */
	TCP_TT_IDLE,	/* keepalive and the application's deadline, the
			 * FIN_WAIT_2 bound, then TIME_WAIT */
	TCP_TT_N
};

/* Per-segment metadata kept in the mbuf private area (like skb->cb). */
struct tcp_seg_cb {
	uint32_t seq;		/* sequence number of the first byte */
	uint32_t off;		/* offset of that byte in the mbuf chain */
	uint32_t len;		/* payload bytes that count */
	uint32_t pad;
	struct rte_mbuf *next;	/* next segment in a queue */
};

static inline struct tcp_seg_cb *
tcp_seg_cb(struct rte_mbuf *m)
{
	return (struct tcp_seg_cb *)rte_mbuf_to_priv(m);
}

/*
 * What an mbuf (chain) really costs the pool, whatever its payload:
 * one pool element per segment (Linux's skb->truesize).  A 1-byte
 * segment costs as much as a full one; budgets count this, not bytes.
 */
static inline uint32_t
tcp_seg_truesize(const struct rte_mbuf *m)
{
	return m->pool != NULL ? m->pool->elt_size :
		(uint32_t)sizeof(*m) + m->buf_len;
}

static inline uint32_t
tcp_mbuf_truesize(const struct rte_mbuf *m)
{
	uint32_t t = 0;

	for (; m != NULL; m = m->next)
		t += tcp_seg_truesize(m);
	return t;
}

/* Out-of-order queue: segments sorted by sequence, never overlapping. */
struct tcp_reass {
	struct rte_mbuf *head;
	/* The last segment: arrivals past it (a sender filling the window
	 * beyond a hole) are appended without walking the queue. */
	struct rte_mbuf *tail;
	uint32_t nsegs;
	uint32_t bytes;
	uint32_t last_seq;	/* most recent arrival, for the first SACK */
	/* What the queued mbufs really cost the pool (tcp_mbuf_truesize),
	 * not their payload: the budget counts this. */
	uint32_t truesize;
	/* Recent arrivals, newest first: RFC 2018 4 wants the blocks
	 * reported in the order they were last touched. */
	uint32_t recent[4];
	uint8_t n_recent;
};

/* Send buffer: bytes from snd_una onwards, in a list of mbufs, or
 * (sndbuf_is_ref) the application's own bytes (tcp_send_ref). */
struct tcp_sndbuf {
	struct rte_mbuf *head;	/* linked through m->next */
	struct rte_mbuf *tail;
	union {
		/* Where the last segment was taken from: the next one
		 * starts there, not at head, so sending a large buffer is
		 * linear, not quadratic.  Each mbuf of the buffer carries
		 * the position of its first byte in the stream
		 * (SNDBUF_POS), so the cursor costs the connection one
		 * pointer. */
		struct rte_mbuf *cur;
		/* Without mbufs: the len bytes from snd_una on are at ref,
		 * the application's (head_off stays 0). */
		const uint8_t *ref;
	};
	uint32_t head_off;	/* bytes of head already acknowledged */
	uint32_t len;		/* bytes held */
	uint32_t truesize;	/* what its mbufs cost (tcp_mbuf_truesize) */
	/* Loss recovery's marks, needed only while data is outstanding
	 * (tcp_high_rxt, tcp_rxt_mark): */
	uint32_t high_rxt;	/* retransmitted up to here */
	uint32_t rxt_mark;	/* snd_max when high_rxt was reset */
	/* The tcp_ref_sum of the len bytes at ref, given with them, or 0
	 * (unknown, and again once an ACK has taken some of them). */
	uint32_t ref_sum;
};

/* Whether sb holds the application's bytes by reference (no mbufs):
 * with mbufs the union holds the cursor, and without either it is
 * NULL. */
static inline int
sndbuf_is_ref(const struct tcp_sndbuf *sb)
{
	return sb->head == NULL && sb->ref != NULL;
}

/* Send buffer mbufs never go to the wire themselves (clones of them
 * do), so their RX hash field is free to hold the position, modulo
 * 2^32, of their first byte among all bytes ever queued. */
#define SNDBUF_POS(m)	((m)->hash.usr)

struct tcp_conn {
	/* The application's: first, where tcp.h's inline accessors read
	 * them (asserted below). */
	void *app;			/* the application's own state */
	uint8_t app_flags;		/* the application's own bits */

	uint8_t state;			/* enum tcp_state */
	/* Window shifts, at most TCP_MAX_WSCALE (14): a nibble each. */
	uint8_t snd_wscale:4;		/* peer's shift, applied to its wnd */
	uint8_t rcv_wscale:4;		/* our shift */
	uint8_t mem_flags;		/* TCP_MF_* */

	/* Lookup key: host byte order, remote first. */
	uint32_t remote_ip;
	uint32_t local_ip;
	uint16_t remote_port;
	uint16_t local_port;

	uint8_t rtx_shift;		/* backoff exponent */
	uint8_t ka_probes;		/* keepalive probes unanswered */
	uint16_t flags;
	uint16_t mss;			/* payload bytes per segment we send */
	/* now_ms / 1000 + 1, low 16 bits (never 0), of the first persist
	 * probe while the peer's window stays closed, else 0: bounds
	 * persist (tcp.persist_max_s), in what was a hole. */
	uint16_t persist_s;

	/* Send sequence space (RFC 9293 3.3.1); for ISS and IRS see the
	 * end. */
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;		/* highest sent, for retransmission */
	uint32_t snd_wnd;		/* peer's window, scaled */
	uint32_t snd_wl1;
	uint32_t snd_wl2;

	/* Receive sequence space. */
	uint32_t rcv_nxt;
	uint32_t rcv_adv;		/* right edge we advertised */
	uint32_t last_ack_sent;
	uint16_t segs_unacked;		/* full segments since our last ACK */
	uint8_t dupacks;		/* saturates at 255 */
	/* The application's callbacks: their slot in w->tcp->ops_tab
	 * (tcp_ops_of), one byte where a pointer took eight. */
	uint8_t ops_id;

	/* Timestamps (RFC 7323). */
	uint32_t ts_recent;
	/* Added to w->ts_now in every TSval we send (and taken off every
	 * TSecr): a keyed hash of the tuple, so TSval tells nothing of our
	 * clock (Linux's tsoffset). */
	uint32_t ts_off;
	/* When ts_recent was set: now_ms >> 16 (65.5-s units), low 16
	 * bits.  PAWS's only use of it is its 24-day idle rule (RFC 7323
	 * 5.5), which needs no finer; it wraps in 49.7 days, as 32 bits
	 * of milliseconds did (TCP_TS_RECENT_T). */
	uint16_t ts_recent_t;
	/* The largest window the peer offered (RFC 5961 5.2's
	 * MAX.SND.WND), in its units: windows above are scaled by
	 * 2^snd_wscale, so 16 bits hold it exactly (tcp_max_sndwnd). */
	uint16_t max_sndwnd_u;

	/* RTT estimator (RFC 6298), microseconds.  RTO is not kept: it is
	 * a function of these two and the configuration (tcp_rto_us). */
	uint32_t srtt_us;		/* 0 = no sample yet */
	uint32_t rttvar_us;
	uint32_t rtt_seq;		/* Karn timing without timestamps */
	/* now_us, low 32 bits (never 0) when the timed segment went out,
	 * or 0; RTTs are far shorter than the 71 minutes it wraps in. */
	uint32_t rtt_start_us;

	/* Congestion control and loss recovery (RFC 5681, 6582, 6675). */
	/* The next block in the table's bucket chain: its pool index + 1,
	 * or 0 at the end. */
	uint32_t hnext;

	/* The lcore's algorithm (w->tcp->cc_ops) keeps its state here. */
	struct tcp_cc cc;
	uint32_t retrans_count;		/* retransmissions of this connection */
	/* The SACK scoreboard, from the worker's sack_pool only while the
	 * peer reports something above SND.UNA: its pool index + 1, 0 =
	 * none, which reads as empty (tcp_sack_of). */
	uint32_t sack_i;
	uint32_t recover;		/* snd_max when recovery began */
	/* high_rxt and rxt_mark are in the send buffer (tcp_high_rxt). */
	uint32_t last_rx_ms;		/* now_ms, low 32 bits: keepalive */
	/* One wheel timer for three kinds (tcp_timer.c): it fires at the
	 * earliest of tt_at, each kind's tick (low 32 bits; 0 = off). */
	uint32_t tt_at[TCP_TT_N];
	/* The out-of-order queue, from the worker's ooo_pool only while it
	 * holds something: its pool index + 1, 0 = none, which reads as
	 * empty (tcp_ooo_of). */
	uint32_t ooo_i;
	struct timer timer;

	/* The send buffer, from the worker's snd_pool only while it holds
	 * data: its pool index + 1, 0 = none, which reads as empty
	 * (tcp_snd_of). */
	uint32_t snd_i;

	/* No ISS nor IRS: they are needed only around the handshake, where
	 * ISS is snd_una (our SYN is unacknowledged until the state leaves
	 * SYN_SENT and SYN_RECEIVED) and IRS is rcv_nxt - 1 in
	 * SYN_RECEIVED (a segment without ACK is dropped there, so nothing
	 * advances rcv_nxt before the connection is established). */

	/* The worker's output list: the next block's pool index + 1. */
	uint32_t output_next;
};

_Static_assert(offsetof(struct tcp_conn, app) == TCP_CONN_APP_OFF &&
	       offsetof(struct tcp_conn, app_flags) ==
	       TCP_CONN_APP_FLAGS_OFF,
	       "tcp.h's inline accessors read app and app_flags there");

/*
 * A million idle connections per lcore is the goal: every byte here is
 * a megabyte there.  This is the hot block, what every connection has;
 * state needed only while it is used is in cold blocks from per-lcore
 * pools (preallocated, counted in conn_memory): the SACK scoreboard
 * (while the peer reports SACKed data), the out-of-order queue (while
 * data waits past a hole), CUBIC's state (past slow start or a loss),
 * the send buffer (while data is queued or unacknowledged).
 * Its three timers are one wheel timer (no argument, no back-pointer,
 * no callback: see timer.h).  Do not let the block grow back unnoticed.
 */
_Static_assert(sizeof(struct tcp_conn) <= 192,
	       "struct tcp_conn, the hot block, grew past 192 bytes");

/* RFC 5961 5.2's MAX.SND.WND, scaled. */
static inline uint32_t
tcp_max_sndwnd(const struct tcp_conn *c)
{
	return (uint32_t)c->max_sndwnd_u << c->snd_wscale;
}

/* Take a window the peer offered (scaled) into max_sndwnd_u. */
static inline void
tcp_max_sndwnd_update(struct tcp_conn *c, uint32_t snd_wnd)
{
	uint32_t u = snd_wnd >> c->snd_wscale;

	if (u > UINT16_MAX)
		u = UINT16_MAX;
	if (u > c->max_sndwnd_u)
		c->max_sndwnd_u = (uint16_t)u;
}

/* ts_recent_t's clock: now_ms in 65.5-s units, low 16 bits. */
#define TCP_TS_RECENT_T(now_ms)	((uint16_t)((now_ms) >> 16))
/* PAWS: ts_recent older than 24 days is invalid (RFC 7323 5.5). */
#define TCP_PAWS_IDLE_MS	(24ull * 24 * 3600 * 1000)

/* Whether c is an IPv6 connection (see struct tcp_addr6). */
static inline int
tcp_conn_is_v6(const struct tcp_conn *c)
{
	return c->local_ip <= TCP_ADDR6_MAX;
}

#define TCP_MAX_LISTENERS	8
/* Distinct tcp_app_ops per lcore, slot 0 (none) included. */
#define TCP_MAX_OPS		32

/* A passive open point: connections it accepts get its ops and arg. */
struct tcp_listener {
	uint16_t port;		/* 0 = free slot */
	const struct tcp_app_ops *ops;
	void *app;
};

/* TCP's share of the per-lcore context. */
/* Slice sums remembered per lcore (a power of two). */
#define TCP_SUM_MEMO	8

struct tcp_stack {
	/* tcp_lookup_burst's answer for the packet being processed, or
	 * NULL; only a hint: a packet earlier in the burst may have freed
	 * the connection, or opened one, so tcp_input checks it.  First:
	 * tcp.h's inline tcp_rx_hint_set writes it there. */
	const struct tcp_rx_hint *rx_hint;
	/* The table: per bucket, the pool index + 1 of the first block of
	 * its chain (tcp_conn.hnext links the rest), or 0. */
	uint32_t *buckets;
	uint32_t bucket_mask;
	struct obj_pool conn_pool;	/* struct tcp_conn */
	struct obj_pool sack_pool;	/* struct tcp_sack_board */
	struct obj_pool ooo_pool;	/* struct tcp_reass */
	struct obj_pool cc_pool;	/* cc_ops->ext_size: CUBIC's state */
	struct obj_pool snd_pool;	/* struct tcp_sndbuf */
	struct obj_pool addr6_pool;	/* struct tcp_addr6: IPv6 conns */
	/* Connections were refused a send buffer (SndNoMem) since the
	 * last wake-up; one went back since (tcp_output_flush wakes them
	 * once a sixteenth of the pool is free, not block by block: the
	 * wake-up walks the table). */
	uint8_t snd_refused;
	uint8_t snd_wake;
	/* Memory the application declared constant (tcp_const_region):
	 * the sums of slices of it sent by reference are remembered, so
	 * that a body sent again and again is not summed again. */
	const uint8_t *const_base;
	size_t const_len;
	struct tcp_sum_memo {
		const uint8_t *p;	/* NULL: empty */
		uint32_t len;
		uint32_t sum;		/* folded, as cksum_fold gives */
	} sum_memo[TCP_SUM_MEMO];
	/* Connections with output owed: pool index + 1 of the first,
	 * linked through tcp_conn.output_next, or 0. */
	uint32_t output_list;
	/* Bit (hash % 64) of every connection added since the burst's
	 * lookup: a tuple found absent may have been added meanwhile. */
	uint64_t burst_adds;
	/* Connections whose new data waits for the TX backlog to drain
	 * (TF_OUTPUT_LIST stays set: they are owed output). */
	uint32_t output_deferred;
	uint32_t n_conns;
	uint32_t n_estab;
	struct syncookie_key isn_secret;	/* RFC 6528 F's key, getrandom() */
	/* SYN cookies (tcp_syncookie.h): the MAC key, getrandom(). */
	struct syncookie_key cookie_key;
	/* Timestamp offsets: the same key on every lcore and, where the
	 * kernel's boot id can be read, in every run of this boot, so a
	 * tuple's TSval keeps rising from one run to the next (see
	 * worker.h, ts_now). */
	struct syncookie_key ts_key;
	/* The table's hash key: a per-run random initial value of jhash,
	 * as Linux keys its established hash. */
	uint32_t hash_seed;
	uint32_t n_half_open;		/* SYN_RECEIVED connections */
	uint32_t syn_backlog;		/* tcp.syn_backlog, or its default */
	uint64_t cookie_sent_ms;	/* now_ms + 1 at the last cookie, or 0 */
	/* now_ms + 1 when a SYN last found half the backlog in use or got
	 * a cookie, or 0: SYN-ACK retries are cut for a minute after. */
	uint64_t syn_pressure_ms;
	/* Per-second budgets: RSTs for segments without a connection, and
	 * challenge ACKs (RFC 5961 7). */
	struct tcp_ratelimit {
		uint64_t sec;
		uint32_t left;
	} rst_rl, chack_rl;
	uint32_t next_port[256];	/* per low byte of the source IP */
	const struct tcp_cc_ops *cc_ops;	/* for new connections */
	struct tcp_listener listeners[TCP_MAX_LISTENERS];
	/* The applications' callbacks connections point at (ops_id); slot
	 * 0 stays NULL: none. */
	const struct tcp_app_ops *ops_tab[TCP_MAX_OPS];
	/* Connections that entered TIME_WAIT, oldest first.  At tw_max
	 * entries the oldest still in TIME_WAIT is freed early (counted
	 * as TimeWaitRecycled), as it is when the table is full.  Entries
	 * may be stale: check the state.  Pool indices + 1: half what
	 * pointers took. */
	uint32_t *tw_fifo;
	uint32_t tw_mask;
	uint32_t tw_head;
	uint32_t tw_tail;
	uint32_t tw_max;		/* TIME_WAITs kept: max_conns / 4 */
	/* Connections refused send space (TCP_MF_SND_STARVED), oldest
	 * first, for tcp_mem_wake: scanning the table for them took a
	 * server holding 4M connections seconds per wake.  Entries may be
	 * stale (check the flag); past the size the table scan still
	 * finds the rest. */
	struct tcp_conn **starved_fifo;
	uint32_t starved_mask;
	uint32_t starved_head;
	uint32_t starved_tail;
};

_Static_assert(offsetof(struct tcp_stack, rx_hint) == 0,
	       "tcp.h's inline tcp_rx_hint_set writes rx_hint there");

/* 16 bytes, not 12: rte_hash compares 16-byte keys with two vector
 * loads instead of memcmp.  The padding is always zero. */
struct tcp_key {
	uint32_t remote_ip;
	uint32_t local_ip;
	uint16_t remote_port;
	uint16_t local_port;
	uint32_t zero;
};

/* An empty scoreboard: what a connection without one reads. */
extern const struct tcp_sack_board tcp_sack_empty;

/* The connection's scoreboard, or NULL. */
static inline struct tcp_sack_board *
tcp_sack_ptr(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return obj_pool_at(&ts->sack_pool, c->sack_i);
}

static inline const struct tcp_sack_board *
tcp_sack_of(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return c->sack_i != 0 ? tcp_sack_ptr(ts, c) : &tcp_sack_empty;
}

/* Index + 1 of c in the pool (0 means none in links). */
static inline uint32_t
tcp_conn_index(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return (uint32_t)(c - (const struct tcp_conn *)ts->conn_pool.base) +
		1;
}

static inline struct tcp_conn *
tcp_conn_at(const struct tcp_stack *ts, uint32_t i)
{
	return (struct tcp_conn *)ts->conn_pool.base + (i - 1);
}

/* The same, 0 giving NULL: the output lists' links. */
static inline struct tcp_conn *
tcp_conn_or_null(const struct tcp_stack *ts, uint32_t i)
{
	return i == 0 ? NULL : tcp_conn_at(ts, i);
}

/* The application's callbacks (tcp_conn.ops_id: 0 = none). */
static inline const struct tcp_app_ops *
tcp_ops_of(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return ts->ops_tab[c->ops_id];
}

/* An empty send buffer: what a connection without one reads. */
extern const struct tcp_sndbuf tcp_sndbuf_empty;

/* The connection's send buffer, or NULL. */
static inline struct tcp_sndbuf *
tcp_snd_ptr(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return obj_pool_at(&ts->snd_pool, c->snd_i);
}

static inline const struct tcp_sndbuf *
tcp_snd_of(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return c->snd_i != 0 ? tcp_snd_ptr(ts, c) : &tcp_sndbuf_empty;
}

/* Where retransmission has got to (RFC 6675 HighRxt).  Without a send
 * buffer nothing is outstanding but perhaps a SYN or FIN, and it is
 * SND.UNA: the buffer keeps it (set to SND.UNA when taken), an idle
 * connection does not. */
static inline uint32_t
tcp_high_rxt(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	const struct tcp_sndbuf *sb = tcp_snd_ptr(ts, c);

	return sb != NULL ? sb->high_rxt : c->snd_una;
}

static inline void
tcp_set_high_rxt(const struct tcp_stack *ts, struct tcp_conn *c,
		 uint32_t seq)
{
	struct tcp_sndbuf *sb = tcp_snd_ptr(ts, c);

	if (sb != NULL)
		sb->high_rxt = seq;
}

/* SND.MAX when high_rxt was last reset (read only while it is past
 * SND.UNA, so with a send buffer). */
static inline uint32_t
tcp_rxt_mark(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	const struct tcp_sndbuf *sb = tcp_snd_ptr(ts, c);

	return sb != NULL ? sb->rxt_mark : c->snd_max;
}

static inline void
tcp_set_rxt_mark(const struct tcp_stack *ts, struct tcp_conn *c,
		 uint32_t seq)
{
	struct tcp_sndbuf *sb = tcp_snd_ptr(ts, c);

	if (sb != NULL)
		sb->rxt_mark = seq;
}

/* An empty out-of-order queue: what a connection without one reads. */
extern const struct tcp_reass tcp_reass_empty;

/* The connection's out-of-order queue, or NULL. */
static inline struct tcp_reass *
tcp_ooo_ptr(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return obj_pool_at(&ts->ooo_pool, c->ooo_i);
}

static inline const struct tcp_reass *
tcp_ooo_of(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return c->ooo_i != 0 ? tcp_ooo_ptr(ts, c) : &tcp_reass_empty;
}

/* An IPv6 connection's addresses (c must be one). */
static inline struct tcp_addr6 *
tcp_addr6_of(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return obj_pool_at(&ts->addr6_pool, c->local_ip);
}

/* Its addresses or NULL for IPv4: what the segment builders take. */
static inline const struct tcp_addr6 *
tcp_conn_a6(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return tcp_conn_is_v6(c) ? tcp_addr6_of(ts, c) : NULL;
}

/* tcp_conn.c */
/* The keyed 32-bit fold of an IPv6 pair that stands for it in the key
 * (remote_ip); seed is the table's. */
uint32_t
tcp_addr6_fold(const struct tcp_addr6 *a6, uint32_t seed);
/* The IPv6 tuple's connection, or NULL. */
struct tcp_conn *
tcp_lookup6(struct worker *w, const struct tcp_addr6 *a6,
	    uint16_t remote_port, uint16_t local_port);
struct tcp_conn *
tcp_lookup(struct worker *w, uint32_t remote_ip, uint16_t remote_port,
	   uint32_t local_ip, uint16_t local_port);
/* The same, given the tuple's hash as tcp_lookup_burst computed it. */
struct tcp_conn *
tcp_lookup_with_sig(struct worker *w, uint32_t remote_ip,
		    uint16_t remote_port, uint32_t local_ip,
		    uint16_t local_port, uint32_t sig);
/* Passive open from a SYN for a listening port (tcp_in.c calls it). */
struct tcp_conn *
tcp_accept_syn(struct worker *w, const struct tcp_listener *l,
	       uint32_t remote_ip, uint16_t remote_port, uint32_t local_ip,
	       uint16_t local_port);
/* The same for an IPv6 tuple. */
struct tcp_conn *
tcp_accept_syn6(struct worker *w, const struct tcp_listener *l,
		const struct tcp_addr6 *a6, uint16_t remote_port,
		uint16_t local_port);
void
tcp_set_state(struct worker *w, struct tcp_conn *c, enum tcp_state s);
/* Report the end to the application (once) with err. */
void
tcp_notify_closed(struct worker *w, struct tcp_conn *c, int err);
/* The connection's scoreboard, taken from the pool (empty) if it has
 * none; NULL (counted) when the pool is exhausted. */
struct tcp_sack_board *
tcp_sack_get(struct worker *w, struct tcp_conn *c);
/* Give the scoreboard back: it is empty or no longer valid. */
void
tcp_sack_put(struct worker *w, struct tcp_conn *c);
/* The connection's out-of-order queue, taken from the pool (empty) if
 * it has none; NULL (counted as OfoNoMem) when the pool is exhausted. */
struct tcp_reass *
tcp_ooo_get(struct worker *w, struct tcp_conn *c);
/* Give the queue back, freeing what it still holds. */
void
tcp_ooo_put(struct worker *w, struct tcp_conn *c);
/* The connection's send buffer, taken from the pool (empty) if it has
 * none; NULL when the pool is exhausted. */
struct tcp_sndbuf *
tcp_snd_get(struct worker *w, struct tcp_conn *c);
/* Give the send buffer back, freeing what it still holds. */
void
tcp_snd_put(struct worker *w, struct tcp_conn *c);
/* Attach the congestion control's own state (cc.cubic) from the pool;
 * none to be had: counted (CcNoMem, once per connection), the
 * algorithm then goes on without. */
void
tcp_cc_attach(struct worker *w, struct tcp_conn *c);
void
tcp_cc_detach(struct worker *w, struct tcp_conn *c);
/* Before an event the algorithm may need its own state for: attach it
 * if the algorithm has some and c has none yet. */
void
tcp_cc_ready(struct worker *w, struct tcp_conn *c);
/* Free the block and everything it holds. */
void
tcp_conn_free(struct worker *w, struct tcp_conn *c);
/* Ask for tcp_output at the end of the current burst. */
void
tcp_output_schedule(struct worker *w, struct tcp_conn *c);
const char *
tcp_state_name(enum tcp_state s);

/* Note c entering TIME_WAIT, oldest first, so that a full table can
 * recycle the oldest instead of refusing a connection. */
void
tcp_time_wait_remember(struct worker *w, struct tcp_conn *c);

/* Our window scale for a receive buffer of rcvbuf bytes. */
uint8_t
tcp_choose_wscale(uint32_t rcvbuf);
/* Whether one more RST for a segment without a connection, or one more
 * challenge ACK, fits this second's budget; counted when not. */
int
tcp_rst_allowed(struct worker *w);
int
tcp_challenge_ack_allowed(struct worker *w);

/* tcp_out.c */
void
tcp_output(struct worker *w, struct tcp_conn *c);
/* Run tcp_output for every connection that asked for it. */
void
tcp_output_flush(struct worker *w);
void
tcp_send_ack(struct worker *w, struct tcp_conn *c);
int
tcp_send_syn(struct worker *w, struct tcp_conn *c);
/* Send len bytes from seq again, whatever the windows say (fast
 * retransmit, partial ACKs); a FIN goes with it where it belongs. */
void
tcp_retransmit(struct worker *w, struct tcp_conn *c, uint32_t seq,
	       uint32_t len);
/* Retransmit the first unacknowledged segment (fast retransmit, NewReno
 * partial ACKs, lost retransmissions) and restart the hole scan after it. */
void
tcp_retransmit_head(struct worker *w, struct tcp_conn *c);
/* A keepalive probe: SND.UNA - 1 with no data (RFC 1122 4.2.3.6). */
void
tcp_send_keepalive(struct worker *w, struct tcp_conn *c);
/* A RST answering a segment that has no connection (RFC 9293 3.10.7.1).
 * a6: the IPv6 addresses (then local_ip and remote_ip are unused), or
 * NULL for IPv4. */
void
tcp_send_reset(struct worker *w, uint32_t local_ip, uint32_t remote_ip,
	       const struct tcp_addr6 *a6, uint16_t local_port,
	       uint16_t remote_port, uint32_t seq, uint32_t ack, int with_ack);
/* A RST for connection c, either family. */
void
tcp_send_reset_conn(struct worker *w, const struct tcp_conn *c,
		    uint32_t seq, uint32_t ack, int with_ack);
/* A SYN-ACK carrying a SYN cookie: no connection behind it.  wscale:
 * our shift, or -1 for no option; ts: with TSval/TSecr. */
void
tcp_send_synack_cookie(struct worker *w, uint32_t local_ip,
		       uint32_t remote_ip, const struct tcp_addr6 *a6,
		       uint16_t local_port,
		       uint16_t remote_port, uint32_t iss, uint32_t rcv_nxt,
		       int wscale, int sack, int ts, uint32_t tsval,
		       uint32_t tsecr);
/* The window we would advertise now, unscaled. */
uint32_t
tcp_rcv_window(struct worker *w, const struct tcp_conn *c);

/* tcp_timer.c */
static inline int
tcp_tt_armed(const struct tcp_conn *c, enum tcp_timer_kind k)
{
	return c->tt_at[k] != 0;
}
/* (Re)arm kind k to fire delay_us from now. */
void
tcp_tt_arm(struct worker *w, struct tcp_conn *c, enum tcp_timer_kind k,
	   uint64_t delay_us);
/* Stop kind k (the wheel timer, if it was k's, fires early and finds
 * nothing due, unless no kind is left: then it is cancelled). */
void
tcp_tt_cancel(struct worker *w, struct tcp_conn *c, enum tcp_timer_kind k);
void
tcp_timers_init(struct tcp_conn *c);
/* The lcore's wheel callback (tcp_stack_init sets it): ctx is the
 * worker. */
void
tcp_timer_expired(struct timer *t, void *ctx);
void
tcp_timers_cancel(struct worker *w, struct tcp_conn *c);
void
tcp_rtx_arm(struct worker *w, struct tcp_conn *c);
void
tcp_rtt_sample(struct worker *w, struct tcp_conn *c, uint32_t rtt_us);
/* The RTO before backoff (RFC 6298 2): tcp.rto_initial_ms until the
 * first sample, then SRTT + max(G, 4 RTTVAR) within tcp.rto_min_ms and
 * tcp.rto_max_ms. */
uint32_t
tcp_rto_us(const struct worker *w, const struct tcp_conn *c);
void
tcp_delack_arm(struct worker *w, struct tcp_conn *c);
void
tcp_enter_time_wait(struct worker *w, struct tcp_conn *c);
/* (Re)start the keepalive clock after activity, if keepalive is on. */
void
tcp_keepalive_arm(struct worker *w, struct tcp_conn *c);
/* Entered FIN_WAIT_2: bound it by tcp.fin_wait2_s. */
void
tcp_fin_wait2_arm(struct worker *w, struct tcp_conn *c);

/* tcp_reass.c */
void
tcp_reass_init(struct tcp_reass *q);
/*
 * Queue segment m (cb seq/off/len set) out of order.  Overlaps with
 * queued data are trimmed so the queue never holds a byte twice.
 * Returns 0 if queued, 1 if it added nothing (m was freed), -1 if the
 * queue is full (m was freed).
 */
int
tcp_reass_insert(struct tcp_reass *q, struct rte_mbuf *m,
		 uint32_t max_segs);
/* Dequeue the first segment if it starts at or before rcv_nxt, with its
 * cb trimmed to start at rcv_nxt; segments wholly before are freed. */
struct rte_mbuf *
tcp_reass_pop(struct tcp_reass *q, uint32_t rcv_nxt);
/*
 * Limits and means for tcp_reass_insert_ctl, and what it did (the
 * counters are added to, never reset).
 */
struct tcp_reass_ctl {
	struct rte_mempool *pool;	/* compact buffers; NULL: no copies */
	uint32_t max_segs;		/* segments queued at most */
	uint32_t max_bytes;		/* true size queued at most */
	uint64_t collapsed;		/* segments copied into compact ones */
	uint64_t pruned;		/* segments dropped by pruning */
};
/*
 * tcp_reass_insert, with true-size accounting: a segment small for its
 * buffer is copied into a compact mbuf (or onto the end of the compact
 * one before it), and a queue over max_bytes is first collapsed, then
 * pruned from the highest sequence down (Linux tcp_collapse and
 * tcp_prune_ofo_queue).  Returns 0 if the data was queued, 1 if it
 * added nothing, -1 if it was refused or pruned at once.
 */
int
tcp_reass_insert_ctl(struct tcp_reass *q, struct rte_mbuf *m,
		     struct tcp_reass_ctl *ctl);
/* Copy runs of contiguous segments into as few full mbufs from pool as
 * they fit in, where that frees mbufs.  Returns the mbufs freed. */
uint32_t
tcp_reass_collapse(struct tcp_reass *q, struct rte_mempool *pool);
/* Drop segments from the highest sequence down until the queue's true
 * size is at most goal.  Returns the segments dropped; *cut (if not
 * NULL) is the sequence of the lowest byte dropped. */
uint32_t
tcp_reass_prune(struct tcp_reass *q, uint32_t goal, uint32_t *cut);
/* Up to max [start, end) blocks, the most recent arrival's first. */
unsigned int
tcp_reass_sack_blocks(const struct tcp_reass *q, uint32_t *starts,
		      uint32_t *ends, unsigned int max);
void
tcp_reass_flush(struct tcp_reass *q);

#endif /* DPF_TCP_PRIV_H */
