/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP: the interface the layers above it use.  Applications (the HTTP
 * client and server, the echo server, the control methods) open, feed
 * and close connections and read their state through these calls; the
 * poll loop creates the per-lcore stack and hands it received packets.
 * struct tcp_conn and struct tcp_stack are opaque here (but for the
 * application's two fields that lead the block, see the accessors): their
 * definitions and everything else TCP uses inside lib/tcp (flags, the
 * segment queues, the prototypes of tcp_in/out/conn/timer/reass) are in
 * tcp_priv.h, which only lib/tcp and the tests include
 * (tests/tools/check_layers.py enforces it).
 *
 * Everything here is per lcore and lock-free: a connection belongs to
 * the lcore whose table holds it, and every function takes that lcore's
 * struct worker explicitly.
 */

#ifndef DPF_TCP_H
#define DPF_TCP_H

#include <stddef.h>
#include <stdint.h>

struct worker;
struct rte_mbuf;
struct tcp_conn;
struct tcp_stack;
struct tcp_listener;

enum tcp_state {
	TCP_CLOSED = 0,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
	TCP_NSTATES
};

/* "ESTABLISHED", "TIME_WAIT"...; "?" past TCP_NSTATES. */
const char *
tcp_state_name(enum tcp_state s);

/*
 * What TCP tells the application.  Callbacks run on the owning lcore in
 * the middle of packet processing: they may call tcp_send / tcp_close /
 * tcp_abort but must not block.
 */
struct tcp_app_ops {
	void (*connected)(struct worker *w, struct tcp_conn *c);
	/* In-order bytes; data points into an mbuf, valid for the call. */
	void (*recv)(struct worker *w, struct tcp_conn *c,
		     const uint8_t *data, uint32_t len);
	/* Acknowledged data left the send buffer: there is room again. */
	void (*sent)(struct worker *w, struct tcp_conn *c);
	/* The peer sent FIN: no more data will arrive. */
	void (*peer_closed)(struct worker *w, struct tcp_conn *c);
	/*
	 * The connection is over for the application: err is 0 after an
	 * orderly close of both directions, else ECONNREFUSED (RST to our
	 * SYN), ECONNRESET, ETIMEDOUT, EHOSTUNREACH (no ARP answer).
	 * After this call the application must forget c.
	 */
	void (*closed)(struct worker *w, struct tcp_conn *c, int err);
	/*
	 * Optional: the idle timer fired while the connection is ESTABLISHED
	 * or CLOSE_WAIT (armed by tcp_app_timer_arm).  Return 0 when the
	 * application's deadline has passed (TCP then resets the
	 * connection; closed gets ETIMEDOUT), else the microseconds left
	 * to its next deadline, or UINT64_MAX for none (the application
	 * may also have called tcp_close).
	 */
	uint64_t (*timeout)(struct worker *w, struct tcp_conn *c);
};

/* --- the per-lcore stack (the poll loop) ------------------------------ */

/* The private area TCP needs in every mbuf of the packet pool (its
 * per-segment metadata), aligned for rte_pktmbuf_pool_create. */
uint16_t
tcp_mbuf_priv_size(void);
/* Bytes the loop allocates for w->tcp before tcp_stack_init. */
size_t
tcp_stack_size(void);
int
tcp_stack_init(struct worker *w, uint32_t max_conns);
/* Frees what tcp_stack_init took and zeroes w->tcp (which stays). */
void
tcp_stack_fini(struct worker *w);
/* Going away: RST to every peer we are synchronized with, so that none
 * waits on a connection that no longer exists (as a kernel does for a
 * process that dies). */
void
tcp_reset_all(struct worker *w);

/* Gauges of one lcore's stack. */
struct tcp_stack_info {
	uint32_t n_conns;	/* connections in the table, any state */
	uint32_t n_estab;	/* ESTABLISHED and CLOSE_WAIT */
	uint32_t n_half_open;	/* SYN_RECEIVED */
};

void
tcp_stack_info(const struct worker *w, struct tcp_stack_info *si);

/* --- receiving (the poll loop's dispatch) ----------------------------- */

/* What tcp_lookup_burst found for one received packet. */
struct tcp_rx_hint {
	struct tcp_conn *conn;	/* the tuple's connection, or NULL */
	uint32_t sig;		/* the tuple's hash */
	int looked_up;		/* 0: not read (not TCP/IPv4, malformed) */
};

/*
 * Look up the connections of a received burst at once (rte_hash's bulk
 * lookup, which overlaps the table's cache misses) and prefetch their
 * blocks and send buffer heads, before the packets are processed one by
 * one.  hints[i] says what was found for pkts[i]: its connection, or
 * none (so that a SYN is not looked up twice), with the tuple's hash;
 * looked_up is 0 for a packet the pre-pass could not read (not TCP over
 * IPv4, malformed: tcp_input then looks it up itself).
 */
void
tcp_lookup_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
		 struct tcp_rx_hint *hints);
/*
 * The hint for the packet about to be dispatched (NULL: none), given
 * the lcore's stack (w->tcp).  Only a hint: a packet earlier in the
 * burst may have freed the connection, or opened one, so tcp_input
 * checks it; tcp_input takes it (once).  Inline, as it runs for every
 * packet: the hint is the stack's first member (tcp_priv.h asserts it).
 */
static inline void
tcp_rx_hint_set(struct tcp_stack *ts, const struct tcp_rx_hint *h)
{
	*(const struct tcp_rx_hint **)(void *)ts = h;
}
/* tcp_input takes IPv6 too (worker_loop.c dispatches it here). */
#define TCP_HAS_IPV6 1

/* A TCP segment over IPv4 or IPv6 (the version nibble at l3_off), its
 * headers checked up to l4_off. */
void
tcp_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	  uint32_t l4_off, uint32_t l4_len);
/* Send what the connections of this burst owe (ACKs, data, FINs). */
void
tcp_output_flush(struct worker *w);
/* Memory is back: wake the connections tcp_send_space refused. */
void
tcp_mem_wake(struct worker *w);

/* --- opening and closing (applications) ------------------------------- */

/* Active open from local_ip (0: --ip) to remote_ip:remote_port, on a
 * source port whose replies reach this worker.  Returns the connection
 * (state SYN_SENT) or NULL. */
struct tcp_conn *
tcp_connect(struct worker *w, uint32_t local_ip, uint32_t remote_ip,
	    uint16_t remote_port, const struct tcp_app_ops *ops, void *app);
/* The same over IPv6 (addresses in network byte order; local_ip6
 * NULL: --ip6).  NULL without --ip6. */
struct tcp_conn *
tcp_connect6(struct worker *w, const uint8_t *local_ip6,
	     const uint8_t *remote_ip6, uint16_t remote_port,
	     const struct tcp_app_ops *ops, void *app);
/* Accept connections on port; ops->connected is called for each once
 * established, with the connection's app = app (the application may
 * replace it: tcp_conn_set_app). */
int
tcp_listen(struct worker *w, uint16_t port, const struct tcp_app_ops *ops,
	   void *app);
/* Stop accepting on port (its connections carry on); 0 or -ENOENT. */
int
tcp_unlisten(struct worker *w, uint16_t port);
/* The listener on port, or NULL. */
const struct tcp_listener *
tcp_find_listener(struct worker *w, uint16_t port);
/* Orderly close of our direction (FIN after queued data). */
void
tcp_close(struct worker *w, struct tcp_conn *c);
/* Abort from inside a callback: done at the end of the burst, when
 * nothing up the call stack uses c any more. */
void
tcp_abort_later(struct worker *w, struct tcp_conn *c);
/* Send RST and drop the connection; the closed callback is not called. */
void
tcp_abort(struct worker *w, struct tcp_conn *c);

/* --- sending and receiving (applications) ----------------------------- */

/*
 * Free space in the send buffer: tcp.sndbuf less what it holds, counted
 * as the larger of its payload and half its true size (Linux doubles
 * sndbuf for the overhead), so that many small mbufs cannot pin the
 * pool.  0 while the pool is below its reserve (w->mbufs_low): the
 * connection is then woken (sent callback, window update) by
 * tcp_mem_wake when memory returns.
 */
uint32_t
tcp_send_space(struct worker *w, const struct tcp_conn *c);
/*
 * Queue the data of m (one segment, m->data_len bytes, typically
 * attached to an external buffer shared by many connections) by
 * reference: nothing is copied.  TCP owns m from here.  The caller keeps
 * within tcp_send_space().  Returns the bytes queued: m->data_len, or 0
 * when the connection can no longer send (m is freed then).
 */
uint32_t
tcp_send_mbuf(struct worker *w, struct tcp_conn *c, struct rte_mbuf *m);
/* [base, base + len) never changes while the stack lives (a pattern
 * that tcp_send_mbuf references): the checksums of its slices may be
 * remembered.  One region per lcore; a later call replaces it. */
void
tcp_const_region(struct worker *w, const void *base, size_t len);
/* Queue bytes; returns how many were taken (copied into mbufs). */
uint32_t
tcp_send(struct worker *w, struct tcp_conn *c, const void *data,
	 uint32_t len);
/*
 * Queue len bytes by reference, without copying or an mbuf: for a
 * small message the application keeps anyway (the load client's request
 * heads, the same for every connection; the server's whole responses).
 * The bytes must stay as they are until they are acknowledged or the
 * application closes the connection: tcp_close, and anything queued
 * behind them, copy what is still unacknowledged into the send buffer's
 * own mbuf first (SendRefCopies).  Bytes in the constant region
 * (tcp_const_region) outlive every connection and are not copied at
 * close.  Taken by reference (SendRefs) only into an empty send buffer,
 * up to TCP_SEND_REF_MAX bytes and what a frame's mbuf holds besides its
 * headers; otherwise it is tcp_send.  Returns how many bytes were taken.
 */
#define TCP_SEND_REF_MAX	1536
uint32_t
tcp_send_ref(struct worker *w, struct tcp_conn *c, const void *data,
	     uint32_t len);
/*
 * The checksum of len bytes at data, for tcp_send_ref_summed: an
 * application that sends the same bytes by reference again and again
 * (the load client's request heads) sums them once, and each segment
 * that carries them whole then sums only its headers.  Never 0.
 */
uint32_t
tcp_ref_sum(const void *data, uint32_t len);
/* tcp_send_ref, with sum = tcp_ref_sum(data, len) of these very bytes. */
uint32_t
tcp_send_ref_summed(struct worker *w, struct tcp_conn *c, const void *data,
		    uint32_t len, uint32_t sum);
/*
 * For an application that turns received bytes into sent ones (echo):
 * from now on the receive window advertises no more than the send
 * buffer's free space, so a fast writer is slowed, never dropped.
 */
void
tcp_rcv_hold_snd(struct tcp_conn *c);
/* Have ops->timeout called within delay_us: the idle timer, shared with
 * keepalive, is moved earlier if it would fire later (never later). */
void
tcp_app_timer_arm(struct worker *w, struct tcp_conn *c, uint64_t delay_us);

/* --- accessors -------------------------------------------------------- */

/*
 * The application's two fields lead every connection block: its pointer
 * at TCP_CONN_APP_OFF, its flag byte at TCP_CONN_APP_FLAGS_OFF
 * (tcp_priv.h asserts both).  Their accessors, called several times per
 * request, are inline then, while the rest of the block stays private.
 */
#define TCP_CONN_APP_OFF	0
#define TCP_CONN_APP_FLAGS_OFF	sizeof(void *)

/* The application's own state (tcp_connect's or tcp_listen's app). */
static inline void *
tcp_conn_app(const struct tcp_conn *c)
{
	return *(void *const *)(const void *)((const char *)c +
					      TCP_CONN_APP_OFF);
}

static inline void
tcp_conn_set_app(struct tcp_conn *c, void *app)
{
	*(void **)(void *)((char *)c + TCP_CONN_APP_OFF) = app;
}

/* Eight bits the application may keep in the connection block, for its
 * whole life (0 at the start): what a server needs per connection while
 * it holds no state of its own. */
static inline uint8_t
tcp_conn_app_flags(const struct tcp_conn *c)
{
	return *((const uint8_t *)c + TCP_CONN_APP_FLAGS_OFF);
}

static inline void
tcp_conn_set_app_flags(struct tcp_conn *c, uint8_t flags)
{
	*((uint8_t *)c + TCP_CONN_APP_FLAGS_OFF) = flags;
}
/* A 32-bit handle for c (never 0) that the application may keep in
 * place of a pointer, and the connection it names (while c lives). */
uint32_t
tcp_conn_ref(const struct worker *w, const struct tcp_conn *c);
struct tcp_conn *
tcp_conn_by_ref(const struct worker *w, uint32_t ref);

/* Microseconds since the last segment (data or ACK) arrived, in
 * milliseconds' steps. */
uint64_t
tcp_conn_idle_us(const struct worker *w, const struct tcp_conn *c);
/* Whether our direction is closed (tcp_close was called: FIN queued). */
int
tcp_conn_fin_queued(const struct tcp_conn *c);

/* tcp_conn_info's flags. */
#define TCP_INFO_PASSIVE	0x01	/* opened by a listener */
#define TCP_INFO_WSCALE		0x02	/* window scaling agreed */
#define TCP_INFO_TSTAMP		0x04	/* timestamps agreed */
#define TCP_INFO_SACK		0x08	/* SACK agreed */
#define TCP_INFO_FIN_QUEUED	0x10	/* our direction closed */
#define TCP_INFO_FIN_SENT	0x20
#define TCP_INFO_RECOVERY	0x40	/* in fast recovery */
#define TCP_INFO_RCV_HOLD_SND	0x80	/* tcp_rcv_hold_snd */

/* A snapshot of one connection, for reports (conn.list). */
struct tcp_conn_info {
	enum tcp_state state;
	const char *state_name;
	/* The 4-tuple, host byte order; for IPv6 (v6) the addresses are
	 * local_ip6 and remote_ip6 (network byte order) and these 0. */
	uint32_t local_ip;
	uint32_t remote_ip;
	uint8_t v6;
	uint8_t local_ip6[16];
	uint8_t remote_ip6[16];
	uint16_t local_port;
	uint16_t remote_port;
	uint16_t mss;		/* payload bytes per segment we send */
	uint8_t snd_wscale;	/* the peer's shift */
	uint8_t rcv_wscale;	/* ours */
	uint32_t flags;		/* TCP_INFO_* */
	/* Send sequence space (ISS and IRS are not kept past the
	 * handshake). */
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;
	uint32_t snd_wnd;	/* the peer's window, scaled */
	/* Receive sequence space. */
	uint32_t rcv_nxt;
	uint32_t rcv_wnd;	/* what we would advertise now, unscaled */
	/* Congestion control and RTT (microseconds; srtt 0: no sample). */
	uint32_t cwnd;
	uint32_t ssthresh;
	uint32_t srtt_us;
	uint32_t rttvar_us;
	uint32_t rto_us;
	uint32_t retrans;	/* retransmissions of this connection */
	/* Queued bytes. */
	uint32_t unacked;	/* sent, not acknowledged: snd_max - snd_una */
	uint32_t snd_queued;	/* held by the send buffer */
	uint32_t ooo_bytes;	/* held out of order */
	uint64_t idle_us;	/* since the last segment arrived */
};

void
tcp_conn_info(struct worker *w, const struct tcp_conn *c,
	      struct tcp_conn_info *ci);
/*
 * Walk this lcore's connections: the next one after *iter (start with
 * *iter = 0), or NULL at the end.  Only on the owning lcore, with no
 * connection opened or freed during the walk.
 */
struct tcp_conn *
tcp_conn_next(struct worker *w, uint32_t *iter);

#endif /* DPF_TCP_H */
