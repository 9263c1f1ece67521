/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input on a real worker (tests/support/stack_harness.h): segments
 * the test builds go in through worker_rx_one (Ethernet, IPv4, TCP) and
 * what TCP sends is caught at the lcore's TX seam, a net_ring port that
 * loops TX into RX.  lwIP's test/unit/tcp/tcp_helper.c is the model.
 *
 * Every case plays the peer (198.18.0.1, a static neighbour) against a
 * listener of the test's own (port 5001, small callbacks that record
 * what the application is told) or a connection it opens with
 * tcp_connect, and asserts each segment sent (flags, seq, ack, window,
 * options), the whole of w->stats.tcp (every counter: one that moves and
 * is not expected fails the case), and at the end, after every
 * connection was reset and every timer ran out, that no connection,
 * timer or mbuf is left.
 *
 * The clock only moves when a case says so (sh_advance, 1 ms steps).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "stack_harness.h"
#include "tcp_priv.h"
#include "tcp_opt.h"
#include "worker.h"

#define LPORT		5001	/* the test's listener */
#define CLOSED_PORT	9	/* nobody listens */
#define POOL_MBUFS	2047
#define MAX_SENT	64
#define RCVBUF		(1u << 20)	/* config default */
#define OUR_WSCALE	5	/* tcp_choose_wscale(RCVBUF) */
#define OUR_MSS		1460	/* MTU 1500 */
#define OUR_WIN		(RCVBUF >> OUR_WSCALE)	/* scaled, on the wire */

#define F_SYN	RTE_TCP_SYN_FLAG
#define F_ACK	RTE_TCP_ACK_FLAG
#define F_FIN	RTE_TCP_FIN_FLAG
#define F_RST	RTE_TCP_RST_FLAG
#define F_PSH	RTE_TCP_PSH_FLAG

static struct stack_harness h;
static struct worker *w;

/* --- what the stack sent --------------------------------------------- */

struct sent {
	struct sh_tx t;
	uint8_t pay[2048];
};

static struct sent sent[MAX_SENT];
static unsigned int n_sent, n_other, n_bad, n_lost;
/* The mbuf of the last segment sent (only to compare with others). */
static const struct rte_mbuf *last_tx_mbuf;

static void
on_tx(struct stack_harness *hh, const struct sh_tx *t, void *arg)
{
	struct sent *s;

	(void)hh;
	(void)arg;
	if (!t->tcp) {
		n_other++;
		return;
	}
	if (t->err != NULL) {
		fprintf(stderr, "%s\n", t->err);
		n_bad++;
		return;
	}
	if (n_sent == MAX_SENT) {
		n_lost++;
		return;
	}
	last_tx_mbuf = t->m;
	s = &sent[n_sent++];
	s->t = *t;
	s->t.m = NULL;
	memcpy(s->pay, t->payload, RTE_MIN(t->len, (uint32_t)sizeof(s->pay)));
	s->t.payload = s->pay;
}

/* --- the application --------------------------------------------------- */

static struct {
	unsigned int connected, peer_closed, closed, sent_cb;
	int err;
	struct tcp_conn *c;
	uint8_t data[8192];
	uint32_t len;
} rec;

static void
app_connected(struct worker *ww, struct tcp_conn *c)
{
	(void)ww;
	rec.connected++;
	rec.c = c;
}

static void
app_recv(struct worker *ww, struct tcp_conn *c, const uint8_t *data,
	 uint32_t len)
{
	(void)ww;
	(void)c;
	if (rec.len + len <= sizeof(rec.data))
		memcpy(rec.data + rec.len, data, len);
	rec.len += len;
}

static void
app_sent(struct worker *ww, struct tcp_conn *c)
{
	(void)ww;
	(void)c;
	rec.sent_cb++;
}

static void
app_peer_closed(struct worker *ww, struct tcp_conn *c)
{
	(void)ww;
	(void)c;
	rec.peer_closed++;
}

static void
app_closed(struct worker *ww, struct tcp_conn *c, int err)
{
	(void)ww;
	(void)c;
	rec.closed++;
	rec.err = err;
	rec.c = NULL;
}

static const struct tcp_app_ops app_ops = {
	.connected = app_connected,
	.recv = app_recv,
	.sent = app_sent,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
};

/* --- the counters ------------------------------------------------------ */

/* What w->stats.tcp must read: a case sets the counters it expects to
 * move, everything else must stay 0. */
static __typeof__(((struct stats *)0)->tcp) want;

/* The clock moves ms on (timers run), and what TCP sent is read. */
static void
tick(uint64_t ms)
{
	sh_advance(&h, ms);
	sh_drain(&h);
}

static void
check_stats_at(int line)
{
	unsigned int bad = 0;

#define CHECK_TCP(f)							\
	if (w->stats.tcp.f != want.f) {					\
		fprintf(stderr, "line %d: tcp.%s is %lu, want %lu\n",	\
			line, #f,					\
			(unsigned long)w->stats.tcp.f,			\
			(unsigned long)want.f);				\
		bad++;							\
	}
	STATS_TCP(CHECK_TCP)
#undef CHECK_TCP
	assert_int_equal(bad, 0);
}

/* Which check failed, by its line. */
#define check_stats() check_stats_at(__LINE__)

/* --- the peer ---------------------------------------------------------- */

struct peer {
	uint16_t port;		/* the peer's */
	uint16_t lport;		/* ours */
	uint32_t nxt;		/* the peer's next sequence number */
	uint32_t iss;		/* the stack's initial sequence number */
	uint16_t win;		/* what the peer advertises (unscaled) */
	int ts, sack;		/* offered */
	int ws;			/* offered shift, or -1 */
	uint16_t mss;
	uint32_t ts_val;	/* the peer's clock */
	uint32_t ts_ecr;	/* the stack's last TSval, echoed */
	struct tcp_conn *c;
};

static uint16_t next_port = 40000;

static void
peer_init(struct peer *p)
{
	memset(p, 0, sizeof(*p));
	p->port = next_port++;
	p->lport = LPORT;
	p->nxt = 0x10000000;
	p->win = 1000;
	p->ts = 1;
	p->sack = 1;
	p->ws = 7;
	p->mss = 1400;
	p->ts_val = 5000;
}

/* A segment from the peer; options: timestamps if agreed, plus SACK
 * blocks (n pairs in sack[]). */
static void
peer_seg_sack(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack,
	      const void *pay, uint32_t plen, const uint32_t *sack,
	      unsigned int n)
{
	uint8_t opt[40];
	uint32_t olen = 0, starts[3], ends[3];
	unsigned int k;
	struct sh_seg s = {
		.sport = p->port, .dport = p->lport, .flags = flags,
		.seq = seq, .ack = ack, .win = p->win, .opt = opt,
		.pay = pay, .plen = plen,
	};

	if (p->ts)
		olen = tcp_opt_put_ts(opt, p->ts_val, p->ts_ecr);
	for (k = 0; k < n && k < 3; k++) {
		starts[k] = sack[2 * k];
		ends[k] = sack[2 * k + 1];
	}
	if (k > 0)
		olen += tcp_opt_put_sack(opt + olen, starts, ends, k);
	s.olen = olen;
	assert_int_equal(sh_send_seg(&h, &s), 0);
}

static void
peer_seg(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack,
	 const void *pay, uint32_t plen)
{
	peer_seg_sack(p, flags, seq, ack, pay, plen, NULL, 0);
}

/* The options of a SYN or SYN-ACK as p offers them. */
static uint32_t
peer_syn_opts(const struct peer *p, uint8_t *o)
{
	return tcp_opt_put_syn(o, p->mss, p->sack, p->ts, p->ts_val,
			       p->ts_ecr, p->ws >= 0,
			       p->ws >= 0 ? (uint8_t)p->ws : 0);
}

/* --- expectations ------------------------------------------------------ */

/* What was sent, on stderr: the story of a failing case. */
static void
dump_sent(void)
{
	unsigned int k;

	for (k = 0; k < n_sent; k++)
		fprintf(stderr, "  sent: flags 0x%02x seq %u ack %u win %u "
			"len %u\n", sent[k].t.flags, sent[k].t.seq,
			sent[k].t.ack, sent[k].t.win, sent[k].t.len);
}

/* Failures are reported at the caller's line. */
#define take(p)		take_at(p, __FILE__, __LINE__)
#define expect_none()	expect_none_at(__FILE__, __LINE__)

static void
expect_sent_at(unsigned int n, const char *file, int line)
{
	_assert_int_equal(n_bad, 0, file, line);
	_assert_int_equal(n_other, 0, file, line);
	_assert_int_equal(n_lost, 0, file, line);
	if (n_sent != n)
		dump_sent();
	_assert_int_equal(n_sent, n, file, line);
}

/* Exactly one segment was sent since the last look: it, and forget. */
static const struct sh_tx *
take_at(struct peer *p, const char *file, int line)
{
	static struct sent one;

	expect_sent_at(1, file, line);
	n_sent = 0;
	one = sent[0];
	one.t.payload = one.pay;
	if (p != NULL && one.t.opts_ok && one.t.opts.has_ts)
		p->ts_ecr = one.t.opts.ts_val;
	return &one.t;
}

static void
expect_none_at(const char *file, int line)
{
	expect_sent_at(0, file, line);
}

/* The segment's addresses, flags, numbers and window. */
static void
expect_seg(const struct sh_tx *t, const struct peer *p, uint8_t flags,
	   uint32_t seq, uint32_t ack, uint16_t win, uint32_t len)
{
	assert_int_equal(t->src_ip, SH_OUR_IP);
	assert_int_equal(t->dst_ip, SH_PEER_IP);
	assert_int_equal(t->sport, p->lport);
	assert_int_equal(t->dport, p->port);
	assert_int_equal(t->flags, flags);
	assert_int_equal(t->seq, seq);
	assert_int_equal(t->ack, ack);
	assert_int_equal(t->win, win);
	assert_int_equal(t->len, len);
	assert_true(t->opts_ok);
}

/* Timestamps on a connection's segment: our clock plus the connection's
 * offset, and the peer's TSval it should echo. */
static void
expect_ts(const struct sh_tx *t, const struct tcp_conn *c, uint32_t ecr)
{
	assert_true(t->opts.has_ts);
	assert_int_equal(t->opts.ts_val, w->ts_now + c->ts_off);
	assert_int_equal(t->opts.ts_ecr, ecr);
}

/* A non-SYN segment: timestamps only (no SACK blocks). */
static void
expect_plain_opts(const struct sh_tx *t, const struct tcp_conn *c,
		  uint32_t ecr)
{
	expect_ts(t, c, ecr);
	assert_int_equal(t->olen, 12);
	assert_int_equal(t->opts.n_sack, 0);
}

static struct tcp_conn *
conn_of(const struct peer *p)
{
	return tcp_lookup(w, SH_PEER_IP, p->port, SH_OUR_IP, p->lport);
}

/* --- set-up ------------------------------------------------------------ */

static int
group_setup(void **state)
{
	(void)state;
	if (sh_eal_init("test_tcp_input") != 0)
		return -1;
	sh_config_init(&h);
	h.step_us = 1000;	/* timers run every millisecond */
	h.on_tx = on_tx;
	if (sh_start(&h, POOL_MBUFS) != 0) {
		fprintf(stderr, "sh_start: %s\n", h.err);
		return -1;
	}
	w = h.w;
	return tcp_listen(w, LPORT, &app_ops, NULL) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	sh_reset(&h);
	tcp_unlisten(w, LPORT);
	sh_fini(&h);
	return 0;
}

/* Each case starts from nothing: no connection (one a failed case left
 * is reset), counters at 0, a fresh second for the rate limits. */
static int
setup(void **state)
{
	(void)state;
	sh_reset(&h);
	h.cfg.tcp.rst_rate = 1000;
	h.cfg.tcp.challenge_ack_rate = 1000;
	memset(&w->stats, 0, sizeof(w->stats));
	memset(&want, 0, sizeof(want));
	memset(&rec, 0, sizeof(rec));
	n_sent = n_other = n_bad = n_lost = 0;
	return 0;
}

/* The end of every case: reset what is left, run out the timers, and
 * nothing may remain (connections, timers, mbufs). */
static void
finish(void)
{
	const char *err;

	sh_reset(&h);
	err = sh_check_clean(&h);
	if (err != NULL)
		fail_msg("%s", err);
	assert_int_equal(n_bad, 0);
}

/* --- opening ----------------------------------------------------------- */

/* SYN from the peer, the SYN-ACK checked; the connection in
 * SYN_RECEIVED. */
static struct tcp_conn *
passive_syn(struct peer *p)
{
	uint8_t opt[40];
	const struct sh_tx *t;
	struct tcp_conn *c;
	struct sh_seg s = {
		.sport = p->port, .dport = p->lport, .flags = F_SYN,
		.seq = p->nxt, .win = p->win, .opt = opt,
	};

	s.olen = peer_syn_opts(p, opt);
	assert_int_equal(sh_send_seg(&h, &s), 0);
	p->nxt++;
	want.InSegs++;
	want.OutSegs++;
	want.HalfOpenPeak = 1;
	c = conn_of(p);
	assert_non_null(c);
	assert_int_equal(c->state, TCP_SYN_RECEIVED);
	p->iss = c->snd_una;	/* ISS, until the SYN is acknowledged */
	t = take(p);
	/* The SYN-ACK's window is never scaled: what fits 16 bits. */
	expect_seg(t, p, F_SYN | F_ACK, p->iss, p->nxt, 65535, 0);
	/* Our MSS, and only what the SYN offered. */
	assert_true(t->opts.has_mss);
	assert_int_equal(t->opts.mss, OUR_MSS);
	assert_int_equal(t->opts.has_wscale, p->ws >= 0);
	if (p->ws >= 0)
		assert_int_equal(t->opts.wscale, OUR_WSCALE);
	assert_int_equal(t->opts.sack_perm, p->sack);
	assert_int_equal(t->opts.has_ts, p->ts);
	if (p->ts)
		expect_ts(t, c, p->ts_val);
	return c;
}

/* The handshake's last ACK: ESTABLISHED, the application told. */
static struct tcp_conn *
passive_ack(struct peer *p)
{
	struct tcp_conn *c;

	peer_seg(p, F_ACK, p->nxt, p->iss + 1, NULL, 0);
	want.InSegs++;
	want.PassiveOpens++;
	expect_none();
	c = conn_of(p);
	assert_non_null(c);
	assert_int_equal(c->state, TCP_ESTABLISHED);
	assert_int_equal(rec.connected, 1);
	assert_ptr_equal(rec.c, c);
	p->c = c;
	return c;
}

static struct tcp_conn *
open_passive(struct peer *p)
{
	passive_syn(p);
	return passive_ack(p);
}

/* The first data on c, len bytes: sent, taken and checked, and counted
 * in want. */
static const struct sh_tx *
send_first(struct peer *p, struct tcp_conn *c, const void *data,
	   uint32_t len)
{
	const struct sh_tx *t;

	assert_int_equal(tcp_send(w, c, data, len), len);
	sh_drain(&h);
	t = take(p);
	expect_seg(t, p, F_ACK | F_PSH, p->iss + 1, p->nxt, OUR_WIN, len);
	want.OutSegs += 1;
	want.DataBytesOut += len;
	return t;
}

/* --- the cases --------------------------------------------------------- */

/* SYN -> SYN-ACK answering the options offered; SYN_RECEIVED ->
 * ESTABLISHED on the ACK, with what was agreed. */
static void
test_passive_open(void **state)
{
	struct tcp_conn *c;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = passive_syn(&p);
	assert_int_equal(w->tcp->n_half_open, 1);
	assert_int_equal(rec.connected, 0);
	check_stats();

	c = passive_ack(&p);
	assert_int_equal(w->tcp->n_half_open, 0);
	assert_int_equal(w->tcp->n_estab, 1);
	assert_int_equal(c->flags & (TF_WSCALE | TF_TSTAMP | TF_SACK),
			 TF_WSCALE | TF_TSTAMP | TF_SACK);
	assert_int_equal(c->snd_wscale, 7);
	assert_int_equal(c->rcv_wscale, OUR_WSCALE);
	/* The peer's MSS less the timestamps' 12 bytes. */
	assert_int_equal(c->mss, 1400 - 12);
	/* The ACK's window is scaled by the peer's shift. */
	assert_int_equal(c->snd_wnd, 1000u << 7);
	assert_int_equal(c->snd_una, p.iss + 1);
	assert_int_equal(c->rcv_nxt, p.nxt);
	/* The initial window, tcp.iw 10 segments (RFC 6928): the ACK
	 * of our SYN delivered no data, so slow start adds nothing. */
	assert_int_equal(c->cc.cwnd, 10 * c->mss);
	check_stats();
	finish();
}

/* A SYN offering nothing: none of it in the SYN-ACK, MSS 536. */
static void
test_passive_open_bare(void **state)
{
	struct tcp_conn *c;
	struct peer p;
	uint8_t opt[4];
	const struct sh_tx *t;
	struct sh_seg s;

	(void)state;
	peer_init(&p);
	p.ts = 0;
	p.sack = 0;
	p.ws = -1;
	memset(&s, 0, sizeof(s));
	s.sport = p.port;
	s.dport = p.lport;
	s.flags = F_SYN;
	s.seq = p.nxt;
	s.win = 8192;
	s.opt = opt;
	assert_int_equal(sh_send_seg(&h, &s), 0);
	p.nxt++;
	c = conn_of(&p);
	assert_non_null(c);
	p.iss = c->snd_una;	/* ISS, until the SYN is acknowledged */
	t = take(&p);
	expect_seg(t, &p, F_SYN | F_ACK, p.iss, p.nxt, 65535, 0);
	/* Only our MSS. */
	assert_int_equal(t->olen, 4);
	assert_int_equal(t->opts.mss, OUR_MSS);
	assert_false(t->opts.has_wscale || t->opts.sack_perm ||
		     t->opts.has_ts);
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, NULL, 0);
	expect_none();
	assert_int_equal(c->state, TCP_ESTABLISHED);
	assert_int_equal(c->mss, 536);
	assert_int_equal(c->rcv_wscale, 0);
	assert_int_equal(c->snd_wnd, p.win);
	assert_int_equal(c->flags & (TF_WSCALE | TF_TSTAMP | TF_SACK), 0);
	want.InSegs = 2;
	want.OutSegs = 1;
	want.HalfOpenPeak = 1;
	want.PassiveOpens = 1;
	check_stats();
	finish();
}

/* No ACK for the SYN-ACK: sent again after the initial RTO (1 s), then
 * after 2 s; a repeated SYN gets it at once.  Established after a
 * retransmitted SYN-ACK, sending starts from one segment (RFC 5681 3.1). */
static void
test_synack_retransmit(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	uint8_t opt[40];
	struct sh_seg s;
	struct peer p;
	int k;

	(void)state;
	peer_init(&p);
	c = passive_syn(&p);
	for (k = 1; k <= 2; k++) {
		uint64_t wait = 1000u << (k - 1);

		sh_advance(&h, wait - 1);
		sh_drain(&h);
		expect_none();
		sh_advance(&h, 1);
		sh_drain(&h);
		t = take(&p);
		expect_seg(t, &p, F_SYN | F_ACK, p.iss, p.nxt, 65535, 0);
		expect_ts(t, c, p.ts_val);
		assert_int_equal(c->rtx_shift, k);
		want.OutSegs += 1;
		want.SynRetrans = (uint64_t)k;
		want.RetransSegs = (uint64_t)k;
		check_stats();
	}

	/* The peer's SYN again: our SYN-ACK again, now. */
	memset(&s, 0, sizeof(s));
	s.sport = p.port;
	s.dport = p.lport;
	s.flags = F_SYN;
	s.seq = p.nxt - 1;
	s.win = p.win;
	s.opt = opt;
	s.olen = peer_syn_opts(&p, opt);
	assert_int_equal(sh_send_seg(&h, &s), 0);
	t = take(&p);
	expect_seg(t, &p, F_SYN | F_ACK, p.iss, p.nxt, 65535, 0);
	assert_int_equal(c->state, TCP_SYN_RECEIVED);
	want.InSegs += 1;
	want.OutSegs += 1;
	check_stats();

	passive_ack(&p);
	assert_int_equal(c->rtx_shift, 0);
	/* One segment after a retransmitted SYN-ACK (RFC 6298 5.7;
	 * without the retransmission it would be iw, 10 segments). */
	assert_int_equal(c->cc.cwnd, c->mss);
	check_stats();
	finish();
}

/* Our close first: FIN (FIN_WAIT_1), its ACK (FIN_WAIT_2), the peer's
 * FIN ACKed (TIME_WAIT, the application told); a repeated FIN is ACKed
 * and restarts the wait; time_wait_ms after it the block is freed. */
static void
test_active_close_time_wait(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	tcp_close(w, c);
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_FIN | F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(c->state, TCP_FIN_WAIT_1);
	want.OutSegs += 1;
	check_stats();

	peer_seg(&p, F_ACK, p.nxt, p.iss + 2, NULL, 0);
	expect_none();
	assert_int_equal(c->state, TCP_FIN_WAIT_2);
	assert_int_equal(rec.closed, 0);
	want.InSegs += 1;
	check_stats();

	peer_seg(&p, F_FIN | F_ACK, p.nxt, p.iss + 2, NULL, 0);
	p.nxt++;
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 2, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_ptr_equal(conn_of(&p), c);
	assert_int_equal(c->state, TCP_TIME_WAIT);
	assert_int_equal(rec.peer_closed, 1);
	assert_int_equal(rec.closed, 1);
	assert_int_equal(rec.err, 0);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.PureAcksSent = 1;
	want.TimeWaitEntered = 1;
	check_stats();

	/* Our last ACK was lost: the FIN again, 500 ms later. */
	sh_advance(&h, 500);
	peer_seg(&p, F_FIN | F_ACK, p.nxt - 1, p.iss + 2, NULL, 0);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 2, p.nxt, OUR_WIN, 0);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.PureAcksSent += 1;
	check_stats();
	/* time_wait_ms (1000) from that FIN, not from the first. */
	sh_advance(&h, 999);
	assert_ptr_equal(conn_of(&p), c);
	sh_advance(&h, 1);
	assert_null(conn_of(&p));
	assert_int_equal(w->tcp->n_conns, 0);
	sh_drain(&h);
	expect_none();
	check_stats();
	finish();
}

/* tcp_connect: SYN with our options; SYN-ACK -> ACK, ESTABLISHED, the
 * handshake's RTT from the echoed timestamp. */
static void
test_active_open(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	uint8_t opt[40];
	struct sh_seg s;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = tcp_connect(w, 0, SH_PEER_IP, 8080, &app_ops, NULL);
	assert_non_null(c);
	p.lport = c->local_port;
	p.port = 8080;
	p.iss = c->snd_una;	/* ISS, until the SYN is acknowledged */
	sh_drain(&h);
	t = take(&p);
	assert_int_equal(c->state, TCP_SYN_SENT);
	/* No ACK flag, no ack number; the window unscaled. */
	expect_seg(t, &p, F_SYN, p.iss, 0, 65535, 0);
	assert_true(t->opts.has_mss);
	assert_int_equal(t->opts.mss, OUR_MSS);
	assert_true(t->opts.has_wscale);
	assert_int_equal(t->opts.wscale, OUR_WSCALE);
	assert_true(t->opts.sack_perm);
	expect_ts(t, c, 0);
	want.ActiveOpens = 1;
	want.OutSegs = 1;
	check_stats();

	/* The answer 10 ms later. */
	sh_advance(&h, 10);
	expect_none();
	p.ts_val = 777;
	memset(&s, 0, sizeof(s));
	s.sport = p.port;
	s.dport = p.lport;
	s.flags = F_SYN | F_ACK;
	s.seq = p.nxt;
	s.ack = p.iss + 1;
	s.win = 29200;
	s.opt = opt;
	s.olen = peer_syn_opts(&p, opt);
	assert_int_equal(sh_send_seg(&h, &s), 0);
	p.nxt++;
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, 777);
	assert_int_equal(c->state, TCP_ESTABLISHED);
	assert_int_equal(rec.connected, 1);
	assert_ptr_equal(rec.c, c);
	/* A SYN-ACK's window is never scaled. */
	assert_int_equal(c->snd_wnd, 29200);
	assert_int_equal(c->snd_wscale, 7);
	assert_int_equal(c->mss, 1400 - 12);
	/* RFC 6298 2.2: SRTT = R, RTTVAR = R/2; RTO at its 200 ms floor. */
	assert_int_equal(c->srtt_us, 10000);
	assert_int_equal(c->rttvar_us, 5000);
	assert_int_equal(tcp_rto_us(w, c), 200000);
	want.InSegs = 1;
	want.OutSegs = 2;
	want.PureAcksSent = 1;
	check_stats();
	finish();
}

/* In-order data reaches the application and is ACKed as tcp_in_data
 * says: one segment waits for the delayed ACK (delack_ms), the second
 * is ACKed at once, and a burst gets one ACK. */
static void
test_data_in_order(void **state)
{
	uint8_t pay[500];
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct rte_mbuf *m[2];
	struct sh_frame f;
	uint8_t opt[12];
	struct peer p;
	unsigned int k;

	(void)state;
	for (k = 0; k < sizeof(pay); k++)
		pay[k] = (uint8_t)(k * 7 + 1);
	peer_init(&p);
	c = open_passive(&p);

	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 1, pay, 100);
	p.nxt += 100;
	expect_none();
	assert_int_equal(rec.len, 100);
	assert_memory_equal(rec.data, pay, 100);
	assert_true(c->flags & TF_DELACK);
	/* delack_ms is 40. */
	tick(39);
	expect_none();
	tick(1);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.DataBytesIn = 100;
	want.DelayedAcks = 1;
	want.PureAcksSent = 1;
	want.PredictedSegs += 1;
	check_stats();

	/* Two segments one by one: the second is ACKed at once. */
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, pay + 100, 100);
	p.nxt += 100;
	expect_none();
	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 1, pay + 200, 100);
	p.nxt += 100;
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	want.InSegs += 2;
	want.OutSegs += 1;
	want.DataBytesIn += 200;
	want.QuickAcks = 1;
	want.PureAcksSent += 1;
	want.PredictedSegs += 2;
	check_stats();
	/* The delayed ACK is off: nothing more comes. */
	tick(100);
	expect_none();

	/* Two segments in one burst: one ACK for both. */
	for (k = 0; k < 2; k++) {
		struct sh_seg s = {
			.sport = p.port, .dport = p.lport,
			.flags = F_ACK | F_PSH, .seq = p.nxt,
			.ack = p.iss + 1, .win = p.win, .opt = opt,
			.olen = tcp_opt_put_ts(opt, p.ts_val, p.ts_ecr),
			.pay = pay + 300 + 100 * k, .plen = 100,
		};

		sh_tcp_frame(&h, &f, &s);
		m[k] = sh_frame_mbuf(&h, &f, NULL, 0, 0);
		assert_non_null(m[k]);
		p.nxt += 100;
	}
	sh_deliver(&h, m, 2);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(rec.len, 500);
	assert_memory_equal(rec.data, pay, 500);
	want.InSegs += 2;
	want.OutSegs += 1;
	want.DataBytesIn += 200;
	want.QuickAcks += 1;
	want.PureAcksSent += 1;
	want.PredictedSegs += 2;
	check_stats();
	finish();
}

/*
 * The mbufs of received segments that TCP is done with go to the
 * worker's stash (worker_free), and the frames sent in the same
 * iteration are built in them (worker_alloc): a burst of two data
 * segments is ACKed in the second one's mbuf, and nothing stays in the
 * stash after the flush.  A segment someone else still holds a
 * reference to is neither stashed nor reused.
 */
static void
test_rx_mbuf_reused(void **state)
{
	static const uint8_t pay[400] = "some bytes";
	unsigned int in_use, k, round;
	struct rte_mbuf *m[2];
	const struct sh_tx *t;
	struct sh_frame f;
	uint8_t opt[12];
	struct peer p;

	(void)state;
	peer_init(&p);
	open_passive(&p);
	in_use = rte_mempool_in_use_count(h.app.pool);
	for (round = 0; round < 2; round++) {
		for (k = 0; k < 2; k++) {
			struct sh_seg s = {
				.sport = p.port, .dport = p.lport,
				.flags = F_ACK | F_PSH, .seq = p.nxt,
				.ack = p.iss + 1, .win = p.win, .opt = opt,
				.olen = tcp_opt_put_ts(opt, p.ts_val,
						       p.ts_ecr),
				.pay = pay + 200 * round + 100 * k,
				.plen = 100,
			};

			sh_tcp_frame(&h, &f, &s);
			m[k] = sh_frame_mbuf(&h, &f, NULL, 0, 0);
			assert_non_null(m[k]);
			p.nxt += 100;
		}
		/* The second round: the test keeps the second segment. */
		if (round == 1)
			rte_mbuf_refcnt_update(m[1], 1);
		sh_deliver(&h, m, 2);
		t = take(&p);
		expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
		assert_int_equal(w->stash_n, 0);
		if (round == 0) {
			assert_ptr_equal(last_tx_mbuf, m[1]);
		} else {
			/* Ours still, untouched; the first one's mbuf
			 * carried the ACK. */
			assert_ptr_equal(last_tx_mbuf, m[0]);
			assert_int_equal(rte_mbuf_refcnt_read(m[1]), 1);
			assert_memory_equal(rte_pktmbuf_mtod_offset(m[1],
				uint8_t *, m[1]->pkt_len - 100), pay + 300, 100);
			rte_pktmbuf_free(m[1]);
		}
		assert_int_equal(rte_mempool_in_use_count(h.app.pool),
				 in_use);
	}
	assert_int_equal(rec.len, 400);
	assert_memory_equal(rec.data, pay, 400);
	want.InSegs += 4;
	want.OutSegs += 2;
	want.DataBytesIn = 400;
	want.QuickAcks = 2;
	want.PureAcksSent = 2;
	want.PredictedSegs += 4;
	check_stats();
	finish();
}

/* A segment past a hole: queued, a duplicate ACK at once with a SACK
 * block for it (the TSecr not taken from it: RFC 7323 4.3); the hole
 * filled: everything delivered in order, one cumulative ACK. */
static void
test_out_of_order_sack(void **state)
{
	uint8_t pay[200];
	struct tcp_conn *c;
	const struct sh_tx *t;
	uint32_t old_ts;
	struct peer p;
	unsigned int k;

	(void)state;
	for (k = 0; k < sizeof(pay); k++)
		pay[k] = (uint8_t)(k ^ 0x5a);
	peer_init(&p);
	c = open_passive(&p);
	old_ts = p.ts_val;

	p.ts_val++;
	peer_seg(&p, F_ACK, p.nxt + 100, p.iss + 1, pay + 100, 100);
	t = take(&p);
	/* The queue's cost comes off the window: half its true size. */
	assert_int_equal(tcp_ooo_of(w->tcp, c)->nsegs, 1);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt,
		   (RCVBUF - RTE_MAX(tcp_ooo_of(w->tcp, c)->bytes,
				     tcp_ooo_of(w->tcp, c)->truesize / 2)) >>
		   OUR_WSCALE, 0);
	expect_ts(t, c, old_ts);
	assert_int_equal(t->opts.n_sack, 1);
	assert_int_equal(t->opts.sack_start[0], p.nxt + 100);
	assert_int_equal(t->opts.sack_end[0], p.nxt + 200);
	assert_int_equal(rec.len, 0);
	assert_int_equal(tcp_ooo_of(w->tcp, c)->nsegs, 1);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.OfoQueued = 1;
	want.DupAcksSent = 1;
	want.SackBlocksSent = 1;
	want.PureAcksSent = 1;
	check_stats();

	p.ts_val++;
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, pay, 100);
	p.nxt += 200;
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(rec.len, 200);
	assert_memory_equal(rec.data, pay, 200);
	assert_int_equal(tcp_ooo_of(w->tcp, c)->nsegs, 0);
	/* Nothing out of order any more: the queue's block went back. */
	assert_null(tcp_ooo_ptr(w->tcp, c));
	assert_int_equal(obj_pool_in_use(&w->tcp->ooo_pool), 0);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.OfoMerged = 1;
	want.DataBytesIn = 200;
	want.PureAcksSent += 1;
	check_stats();
	finish();
}

/* No out-of-order queue to be had (the pool is exhausted): the segment
 * past the hole is dropped and counted, the duplicate ACK still goes
 * (without a SACK block: nothing is held), and the data, sent again in
 * order, is delivered; nothing leaks. */
static void
test_out_of_order_no_queue(void **state)
{
	struct obj_pool *pool = &w->tcp->ooo_pool;
	uint32_t n = obj_pool_avail(pool), k;
	void **held = calloc(n, sizeof(*held));
	uint8_t pay[200];
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	assert_non_null(held);
	for (k = 0; k < sizeof(pay); k++)
		pay[k] = (uint8_t)(k ^ 0x3c);
	peer_init(&p);
	c = open_passive(&p);
	for (k = 0; k < n; k++)
		assert_non_null(held[k] = obj_pool_get(pool));
	assert_null(obj_pool_get(pool));

	p.ts_val++;
	peer_seg(&p, F_ACK, p.nxt + 100, p.iss + 1, pay + 100, 100);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	assert_int_equal(t->opts.n_sack, 0);
	assert_null(tcp_ooo_ptr(w->tcp, c));
	assert_int_equal(rec.len, 0);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.OfoNoMem = 1;
	want.OfoDropped = 1;
	want.DupAcksSent = 1;
	want.PureAcksSent = 1;
	check_stats();

	/* In order now, the hole and what was dropped: the second
	 * segment is ACKed at once. */
	p.ts_val++;
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, pay, 100);
	peer_seg(&p, F_ACK, p.nxt + 100, p.iss + 1, pay + 100, 100);
	p.nxt += 200;
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	assert_int_equal(rec.len, 200);
	assert_memory_equal(rec.data, pay, 200);
	want.InSegs += 2;
	want.OutSegs += 1;
	want.DataBytesIn = 200;
	want.QuickAcks = 1;
	want.PureAcksSent += 1;
	want.PredictedSegs += 2;
	check_stats();
	for (k = 0; k < n; k++)
		obj_pool_put(pool, held[k]);
	free(held);
	finish();
}

/* RST at exactly RCV.NXT: the connection is gone, the application told
 * ECONNRESET, nothing sent. */
static void
test_rst_exact(void **state)
{
	struct peer p;

	(void)state;
	peer_init(&p);
	open_passive(&p);
	peer_seg(&p, F_RST, p.nxt, 0, NULL, 0);
	expect_none();
	assert_null(conn_of(&p));
	assert_int_equal(rec.closed, 1);
	assert_int_equal(rec.err, ECONNRESET);
	assert_int_equal(w->tcp->n_conns, 0);
	want.InSegs += 1;
	want.InRsts = 1;
	want.EstabResets = 1;
	check_stats();
	finish();
}

/* RST in the window but not at RCV.NXT: a challenge ACK (RFC 5961 3.2),
 * the connection stays. */
static void
test_rst_in_window(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	peer_seg(&p, F_RST, p.nxt + 1000, 0, NULL, 0);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_ptr_equal(conn_of(&p), c);
	assert_int_equal(c->state, TCP_ESTABLISHED);
	assert_int_equal(rec.closed, 0);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.InRsts = 1;
	want.ChallengeAcks = 1;
	want.PureAcksSent = 1;
	check_stats();
	/* Outside the window: dropped without a word. */
	peer_seg(&p, F_RST, p.nxt + 4 * RCVBUF, 0, NULL, 0);
	expect_none();
	want.InSegs += 1;
	want.OutOfWindow = 1;
	check_stats();
	assert_int_equal(c->state, TCP_ESTABLISHED);
	finish();
}

/* A SYN on an established connection: a challenge ACK (RFC 5961 4.2),
 * never a reset; the connection stays. */
static void
test_syn_established(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct sh_seg s;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	memset(&s, 0, sizeof(s));
	s.sport = p.port;
	s.dport = p.lport;
	s.flags = F_SYN;
	s.seq = p.nxt + 10;
	s.win = 1000;
	assert_int_equal(sh_send_seg(&h, &s), 0);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(c->state, TCP_ESTABLISHED);
	assert_int_equal(rec.closed, 0);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.ChallengeAcks = 1;
	want.PureAcksSent = 1;
	check_stats();
	finish();
}

/* An ACK for data never sent: answered with an ACK, the segment (and
 * its data) dropped (RFC 9293 3.10.7.4). */
static void
test_ack_unsent(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 1 + 1000, "junk!", 5);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(rec.len, 0);
	assert_int_equal(c->rcv_nxt, p.nxt);
	assert_int_equal(c->snd_una, p.iss + 1);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.PureAcksSent = 1;
	check_stats();
	finish();
}

/* Data beyond the window: ACKed (where we are) and dropped; data wholly
 * before RCV.NXT: a duplicate, ACKed and dropped. */
static void
test_out_of_window(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	peer_seg(&p, F_ACK, p.nxt + 2 * RCVBUF, p.iss + 1, "far", 3);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(rec.len, 0);
	assert_int_equal(tcp_ooo_of(w->tcp, c)->nsegs, 0);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.OutOfWindow = 1;
	want.PureAcksSent = 1;
	check_stats();

	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, "abc", 3);
	p.nxt += 3;
	expect_none();		/* delayed ACK */
	peer_seg(&p, F_ACK, p.nxt - 3, p.iss + 1, "abc", 3);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(rec.len, 3);
	want.InSegs += 2;
	want.OutSegs += 1;
	want.DataBytesIn = 3;
	want.DupSegs = 1;
	want.PureAcksSent += 1;
	want.PredictedSegs += 1;
	check_stats();
	finish();
}

/* PAWS (RFC 7323 5): a segment whose TSval is older than TS.Recent is
 * dropped and ACKed, its data not taken. */
static void
test_paws(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	uint32_t recent;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	recent = p.ts_val;
	assert_int_equal(c->ts_recent, recent);
	p.ts_val = recent - 1;
	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 1, "old", 3);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, recent);
	assert_int_equal(rec.len, 0);
	assert_int_equal(c->ts_recent, recent);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.PawsDrops = 1;
	want.PureAcksSent = 1;
	check_stats();

	/* The same data with a current timestamp is taken. */
	p.ts_val = recent + 1;
	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 1, "new", 3);
	p.nxt += 3;
	expect_none();
	assert_int_equal(rec.len, 3);
	assert_memory_equal(rec.data, "new", 3);
	assert_int_equal(c->ts_recent, recent + 1);
	want.InSegs += 1;
	want.DataBytesIn = 3;
	want.PredictedSegs += 1;
	check_stats();
	finish();
}

/* PAWS's 24-day rule (RFC 7323 5.5): a TS.Recent set that long ago no
 * longer rejects an older TSval.  Its age is 16 bits of 65.5-s units
 * (ts_recent_t): checked on both sides of the bound, across the wrap of
 * those 16 bits (the clock here is near 0). */
static void
test_paws_idle(void **state)
{
	uint16_t now_t, idle_t = TCP_TS_RECENT_T(TCP_PAWS_IDLE_MS);
	struct tcp_conn *c;
	const struct sh_tx *t;
	uint32_t recent;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	recent = p.ts_val;
	now_t = TCP_TS_RECENT_T(w->now_ms);
	assert_int_equal(c->ts_recent_t, now_t);
	assert_true(now_t < idle_t);	/* the age wraps below */

	/* Set a unit less than 24 days ago: still valid, the old TSval
	 * is dropped. */
	c->ts_recent_t = (uint16_t)(now_t - idle_t + 1);
	p.ts_val = recent - 1;
	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 1, "old", 3);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	assert_int_equal(rec.len, 0);
	assert_int_equal(c->ts_recent, recent);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.PawsDrops = 1;
	want.PureAcksSent = 1;
	check_stats();

	/* 24 days ago: TS.Recent is invalid, the segment taken, and its
	 * TSval is TS.Recent from now on. */
	c->ts_recent_t = (uint16_t)(now_t - idle_t);
	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 1, "new", 3);
	p.nxt += 3;
	expect_none();
	assert_int_equal(rec.len, 3);
	assert_memory_equal(rec.data, "new", 3);
	assert_int_equal(c->ts_recent, recent - 1);
	assert_int_equal(c->ts_recent_t, now_t);
	want.InSegs += 1;
	want.DataBytesIn = 3;
	check_stats();
	finish();
}

/* The peer's FIN: ACKed, CLOSE_WAIT, the application told; its close
 * sends our FIN (LAST_ACK); the ACK of it ends the connection. */
static void
test_fin_close(void **state)
{
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	peer_seg(&p, F_FIN | F_ACK, p.nxt, p.iss + 1, NULL, 0);
	p.nxt++;
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(c->state, TCP_CLOSE_WAIT);
	assert_int_equal(rec.peer_closed, 1);
	assert_int_equal(rec.closed, 0);
	assert_int_equal(w->tcp->n_estab, 1);	/* as Linux's CurrEstab */
	want.InSegs += 1;
	want.OutSegs += 1;
	want.PureAcksSent = 1;
	check_stats();

	tcp_close(w, c);
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_FIN | F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(c->state, TCP_LAST_ACK);
	want.OutSegs += 1;
	check_stats();

	peer_seg(&p, F_ACK, p.nxt, p.iss + 2, NULL, 0);
	expect_none();
	assert_null(conn_of(&p));
	assert_int_equal(rec.closed, 1);
	assert_int_equal(rec.err, 0);
	assert_int_equal(w->tcp->n_estab, 0);
	want.InSegs += 1;
	check_stats();
	finish();
}

/* Data never ACKed: sent again after the RTO (200 ms, the floor), with
 * the same sequence number, then after twice that; the ACK stops it. */
static void
test_rto_backoff(void **state)
{
	static const char data[100] = "retransmit me";
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;
	int k;

	(void)state;
	peer_init(&p);
	p.sack = 0;	/* no tail loss probe before the RTO */
	c = open_passive(&p);
	assert_int_equal(tcp_rto_us(w, c), 200000);
	t = send_first(&p, c, data, sizeof(data));
	expect_plain_opts(t, c, p.ts_val);
	assert_memory_equal(t->payload, data, sizeof(data));
	check_stats();

	for (k = 1; k <= 2; k++) {
		uint64_t wait = 200u << (k - 1);

		sh_advance(&h, wait - 1);
		sh_drain(&h);
		expect_none();
		sh_advance(&h, 1);
		sh_drain(&h);
		t = take(&p);
		expect_seg(t, &p, F_ACK | F_PSH, p.iss + 1, p.nxt, OUR_WIN,
			   sizeof(data));
		/* TSval from now: the retransmission's own time. */
		expect_plain_opts(t, c, p.ts_val);
		assert_memory_equal(t->payload, data, sizeof(data));
		assert_int_equal(c->rtx_shift, k);
		/* RFC 5681 (5): the loss window. */
		assert_int_equal(c->cc.cwnd, c->mss);
		want.OutSegs += 1;
		want.DataBytesOut += sizeof(data);
		want.RtoTimeouts = (uint64_t)k;
		want.RetransSegs = (uint64_t)k;
		check_stats();
	}

	peer_seg(&p, F_ACK, p.nxt, p.iss + 1 + sizeof(data), NULL, 0);
	expect_none();
	assert_int_equal(c->snd_una, p.iss + 1 + sizeof(data));
	assert_int_equal(rec.sent_cb, 1);
	tick(2000);
	expect_none();
	want.InSegs += 1;
	want.PredictedSegs += 1;
	check_stats();
	finish();
}

/* Stopping the last timer kind leaves the wheel timer linked where it
 * was (tcp_tt_cancel): it fires once with nothing due, sends nothing and
 * is unlinked.  Armed again later, it is not moved: it fires at the old
 * tick, finds the new deadline ahead and moves there, so the
 * retransmission comes at the new RTO, not at the old one. */
static void
test_timer_left_linked(void **state)
{
	static const char one[10] = "first", two[20] = "second";
	uint64_t armed;
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	p.sack = 0;	/* the plain RTO, 200 ms */
	c = open_passive(&p);
	armed = w->wheel.n_armed;
	assert_int_equal(tcp_send(w, c, one, sizeof(one)), sizeof(one));
	sh_drain(&h);
	take(&p);
	assert_true(timer_is_armed(&c->timer));
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1 + sizeof(one), NULL, 0);
	expect_none();
	/* Nothing is due, yet the wheel timer stays at the RTO's tick. */
	assert_int_equal(c->tt_at[TCP_TT_RTX], 0);
	assert_int_equal(c->tt_at[TCP_TT_DELACK], 0);
	assert_true(timer_is_armed(&c->timer));
	assert_int_equal(w->wheel.n_armed, armed);
	want.OutSegs += 1;
	want.DataBytesOut = sizeof(one);
	want.InSegs += 1;
	want.PredictedSegs += 1;
	check_stats();

	/* Data again at 100 ms: its RTO is at 300 ms, the timer stays at
	 * 200. */
	tick(99);
	assert_int_equal(tcp_send(w, c, two, sizeof(two)), sizeof(two));
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, p.iss + 1 + sizeof(one), p.nxt,
		   OUR_WIN, sizeof(two));
	want.OutSegs += 1;
	want.DataBytesOut += sizeof(two);
	/* 200 ms: the early fire sends nothing and moves on. */
	tick(101);
	expect_none();
	assert_true(timer_is_armed(&c->timer));
	check_stats();
	/* Just before 300 ms nothing; at 300 ms the retransmission. */
	tick(98);
	expect_none();
	tick(2);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, p.iss + 1 + sizeof(one), p.nxt,
		   OUR_WIN, sizeof(two));
	assert_memory_equal(t->payload, two, sizeof(two));
	want.OutSegs += 1;
	want.DataBytesOut += sizeof(two);
	want.RtoTimeouts = 1;
	want.RetransSegs = 1;
	check_stats();

	/* Acknowledged: the timer, linked at the backed-off RTO, fires
	 * with nothing due and is unlinked. */
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1 + sizeof(one) + sizeof(two),
		 NULL, 0);
	expect_none();
	want.InSegs += 1;
	assert_true(timer_is_armed(&c->timer));
	tick(2000);
	expect_none();
	assert_false(timer_is_armed(&c->timer));
	assert_int_equal(w->wheel.n_armed, armed - 1);
	want.PredictedSegs += 1;
	check_stats();
	finish();
}

/*
 * tcp_send_ref: the application's bytes by reference, no mbuf held.  A
 * partial ACK moves the reference on, and the RTO sends the rest from
 * it; bytes queued behind it, and the application's close, copy what is
 * left into an mbuf first (SendRefCopies), after which the application's
 * memory may change.  Too long, or behind queued data, it is a copy.
 */
static void
test_send_by_reference(void **state)
{
	static uint8_t msg[100], junk[100];
	static uint8_t big[TCP_SEND_REF_MAX + 1];
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;
	unsigned int in_use;
	uint32_t una, i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	memset(junk, 0xee, sizeof(junk));
	peer_init(&p);
	p.sack = 0;	/* the plain RTO, 200 ms */
	c = open_passive(&p);
	una = p.iss + 1;
	in_use = rte_mempool_in_use_count(h.app.pool);

	assert_int_equal(tcp_send_ref(w, c, msg, sizeof(msg)), sizeof(msg));
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una, p.nxt, OUR_WIN, sizeof(msg));
	assert_memory_equal(t->payload, msg, sizeof(msg));
	/* Held without an mbuf. */
	assert_true(sndbuf_is_ref(tcp_snd_ptr(w->tcp, c)));
	assert_int_equal(rte_mempool_in_use_count(h.app.pool), in_use);
	want.SendRefs = 1;
	want.OutSegs += 1;
	want.DataBytesOut = sizeof(msg);
	check_stats();

	/* 40 bytes acknowledged; the RTO sends the other 60 from msg. */
	peer_seg(&p, F_ACK, p.nxt, una + 40, NULL, 0);
	expect_none();
	want.InSegs += 1;
	tick(200);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una + 40, p.nxt, OUR_WIN, 60);
	assert_memory_equal(t->payload, msg + 40, 60);
	want.OutSegs += 1;
	want.DataBytesOut += 60;
	want.RtoTimeouts = 1;
	want.RetransSegs = 1;
	want.PredictedSegs += 1;
	check_stats();

	/* Three bytes behind it: the 60 are copied first, then msg may
	 * change; the retransmission still carries its old bytes. */
	assert_int_equal(tcp_send(w, c, "xyz", 3), 3);
	assert_false(sndbuf_is_ref(tcp_snd_ptr(w->tcp, c)));
	want.SendRefCopies = 1;
	memcpy(msg, junk, sizeof(msg));
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una + 100, p.nxt, OUR_WIN, 3);
	assert_memory_equal(t->payload, "xyz", 3);
	want.OutSegs += 1;
	want.DataBytesOut += 3;
	check_stats();
	tick(400);	/* the backed-off RTO: from the first unacknowledged */
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una + 40, p.nxt, OUR_WIN, 63);
	for (i = 40; i < 100; i++)
		assert_int_equal(t->payload[i - 40], (uint8_t)(i * 7 + 1));
	assert_memory_equal(t->payload + 60, "xyz", 3);
	want.OutSegs += 1;
	want.DataBytesOut += 63;
	want.RtoTimeouts = 2;
	want.RetransSegs = 2;
	check_stats();
	una += 103;
	peer_seg(&p, F_ACK, p.nxt, una, NULL, 0);
	expect_none();
	want.InSegs += 1;
	assert_int_equal(c->snd_i, 0);
	want.PredictedSegs += 1;
	check_stats();

	/* Over TCP_SEND_REF_MAX, or behind queued data: copied. */
	assert_int_equal(tcp_send_ref(w, c, big, sizeof(big)), sizeof(big));
	assert_false(sndbuf_is_ref(tcp_snd_ptr(w->tcp, c)));
	assert_int_equal(tcp_send_ref(w, c, msg, 10), 10);
	assert_false(sndbuf_is_ref(tcp_snd_ptr(w->tcp, c)));
	/* After the RTOs the window is one segment: one, its ACK, the
	 * rest. */
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_ACK, una, p.nxt, OUR_WIN, c->mss);
	una += c->mss;
	peer_seg(&p, F_ACK, p.nxt, una, NULL, 0);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una, p.nxt, OUR_WIN,
		   sizeof(big) + 10 - c->mss);
	una += sizeof(big) + 10 - c->mss;
	peer_seg(&p, F_ACK, p.nxt, una, NULL, 0);
	expect_none();
	want.OutSegs += 2;
	want.DataBytesOut += sizeof(big) + 10;
	want.InSegs += 2;
	want.PredictedSegs += 2;
	check_stats();

	/* Closed with its bytes unacknowledged: copied, FIN behind them,
	 * and the application's memory is free to change. */
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 5 + 3);
	assert_int_equal(tcp_send_ref(w, c, msg, 50), 50);
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una, p.nxt, OUR_WIN, 50);
	tcp_close(w, c);
	memcpy(msg, junk, sizeof(msg));
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_FIN | F_ACK, una + 50, p.nxt, OUR_WIN, 0);
	want.SendRefs += 1;
	want.SendRefCopies += 1;
	want.OutSegs += 2;
	want.DataBytesOut += 50;
	check_stats();
	tick(200);
	t = take(&p);
	assert_int_equal(t->seq, una);
	assert_true(t->len >= 50);
	for (i = 0; i < 50; i++)
		assert_int_equal(t->payload[i], (uint8_t)(i * 5 + 3));
	want.OutSegs += 1;
	want.DataBytesOut += 50;
	want.RtoTimeouts += 1;
	want.RetransSegs += 1;
	check_stats();
	finish();
}

/*
 * tcp_send_ref_summed: bytes by reference with the application's sum of
 * them (tcp_ref_sum), which a segment carrying them whole takes instead
 * of summing them.  The harness checks every segment's checksum: a sum
 * of other bytes shows that it is the one used, and once an ACK has
 * taken part of the bytes the rest is summed afresh.
 */
static void
test_send_ref_summed(void **state)
{
	static uint8_t msg[101], other[101];
	const struct sh_tx *t;
	struct tcp_conn *c;
	struct peer p;
	uint32_t una, i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++) {
		msg[i] = (uint8_t)(i * 13 + 5);
		other[i] = (uint8_t)(i * 3 + 1);
	}
	peer_init(&p);
	p.sack = 0;	/* the plain RTO, 200 ms */
	c = open_passive(&p);
	una = p.iss + 1;

	/* Whole, with its sum: a good segment. */
	assert_int_equal(tcp_send_ref_summed(w, c, msg, sizeof(msg),
					     tcp_ref_sum(msg, sizeof(msg))),
			 sizeof(msg));
	assert_int_equal(tcp_snd_ptr(w->tcp, c)->ref_sum,
			 tcp_ref_sum(msg, sizeof(msg)));
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una, p.nxt, OUR_WIN, sizeof(msg));
	assert_memory_equal(t->payload, msg, sizeof(msg));
	una += sizeof(msg);
	peer_seg(&p, F_ACK, p.nxt, una, NULL, 0);
	expect_none();
	want.SendRefs = 1;
	want.OutSegs += 1;
	want.DataBytesOut = sizeof(msg);
	want.InSegs += 1;
	want.PredictedSegs += 1;
	check_stats();

	/* The sum given is trusted, not checked: one of other bytes makes
	 * a segment the harness finds bad. */
	assert_int_equal(tcp_send_ref_summed(w, c, msg, sizeof(msg),
					     tcp_ref_sum(other, sizeof(other))),
			 sizeof(msg));
	sh_drain(&h);
	assert_int_equal(n_bad, 1);
	n_bad = 0;
	/* Lost, then: 40 bytes acknowledged, and the RTO resends the
	 * other 61, summed now (the sum given was the whole's). */
	peer_seg(&p, F_ACK, p.nxt, una + 40, NULL, 0);
	expect_none();
	assert_int_equal(tcp_snd_ptr(w->tcp, c)->ref_sum, 0);
	tick(200);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, una + 40, p.nxt, OUR_WIN, 61);
	assert_memory_equal(t->payload, msg + 40, 61);
	una += sizeof(msg);
	peer_seg(&p, F_ACK, p.nxt, una, NULL, 0);
	expect_none();
	assert_int_equal(c->snd_i, 0);
	want.SendRefs += 1;
	want.OutSegs += 2;
	want.DataBytesOut += sizeof(msg) + 61;
	want.InSegs += 2;
	want.PredictedSegs += 2;
	want.RtoTimeouts = 1;
	want.RetransSegs = 1;
	check_stats();
	finish();
}

/*
 * Segments go to the next hop's MAC as the neighbour table has it now:
 * the answer remembered from the segment before (arp_sync_output) is
 * not used once the table has been written, here by the neighbour
 * taking a new MAC.
 */
static void
test_next_hop_mac_change(void **state)
{
	static const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x22 };
	const struct sh_tx *t;
	struct tcp_conn *c;
	struct peer p;
	uint32_t una;
	int k;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	una = p.iss + 1;
	for (k = 0; k < 4; k++) {
		/* Two segments to each MAC: the second from the answer
		 * remembered. */
		if (k == 2) {
			rte_seqlock_write_lock(&h.arp.lock);
			assert_non_null(neigh_add_static(&h.arp.neigh,
							 SH_PEER_IP, mac2,
							 w->now_ms, w));
			rte_seqlock_write_unlock(&h.arp.lock);
		}
		assert_int_equal(tcp_send(w, c, "abcd", 4), 4);
		sh_drain(&h);
		t = take(&p);
		expect_seg(t, &p, F_ACK | F_PSH, una, p.nxt, OUR_WIN, 4);
		assert_memory_equal(t->dst_mac, k < 2 ? sh_peer_mac : mac2, 6);
		una += 4;
		peer_seg(&p, F_ACK, p.nxt, una, NULL, 0);
		expect_none();
	}
	rte_seqlock_write_lock(&h.arp.lock);
	assert_non_null(neigh_add_static(&h.arp.neigh, SH_PEER_IP,
					 sh_peer_mac, w->now_ms, w));
	rte_seqlock_write_unlock(&h.arp.lock);
	want.OutSegs += 4;
	want.DataBytesOut = 16;
	want.InSegs += 4;
	want.PredictedSegs += 4;
	check_stats();
	finish();
}

/* Closed with bytes by reference unacknowledged and no mbuf to copy them
 * into: the connection is reset (closed, ECONNABORTED), never left
 * pointing at memory the application has let go of. */
static void
test_send_ref_close_no_mbuf(void **state)
{
	static const uint8_t msg[40] = "by reference";
	static struct rte_mbuf *hog[POOL_MBUFS + 1];
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;
	unsigned int n = 0, i;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	assert_int_equal(tcp_send_ref(w, c, msg, sizeof(msg)), sizeof(msg));
	sh_drain(&h);
	take(&p);
	want.SendRefs = 1;
	want.OutSegs += 1;
	want.DataBytesOut = sizeof(msg);
	while (n < RTE_DIM(hog) &&
	       (hog[n] = rte_pktmbuf_alloc(h.app.pool)) != NULL)
		n++;
	tcp_close(w, c);
	want.DropNoMbuf = 1;
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(hog[i]);
	sh_drain(&h);
	t = take(&p);
	expect_seg(t, &p, F_RST | F_ACK, p.iss + 1 + sizeof(msg), p.nxt,
		   0, 0);
	assert_null(conn_of(&p));
	assert_int_equal(rec.closed, 1);
	assert_int_equal(rec.err, ECONNABORTED);
	want.OutSegs += 1;
	want.OutRsts = 1;
	want.EstabResets = 1;
	check_stats();
	finish();
}

/* A payload copied into its frame is summed as it is copied, and the
 * sums of slices of a constant region (tcp_const_region) are remembered:
 * a body by reference behind a head of odd length (so the slice sits at
 * an odd byte of the payload), sent three times, the second and third
 * from the memo.  The harness checks every segment's checksum. */
static void
const_region_free_cb(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

static void
test_const_region_sums(void **state)
{
	static uint8_t region[4096];
	static struct rte_mbuf_ext_shared_info shinfo;
	static const char head[3] = "abc";
	const uint32_t off = 101, blen = 600;
	uint8_t want_pay[sizeof(head) + 600];
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;
	uint32_t i, una;
	int k;

	(void)state;
	for (i = 0; i < sizeof(region); i++)
		region[i] = (uint8_t)(i * 131 + 7);
	memcpy(want_pay, head, sizeof(head));
	memcpy(want_pay + sizeof(head), region + off, blen);
	shinfo.free_cb = const_region_free_cb;
	rte_mbuf_ext_refcnt_set(&shinfo, 1);
	peer_init(&p);
	c = open_passive(&p);
	tcp_const_region(w, region, sizeof(region));
	una = p.iss + 1;
	for (k = 0; k < 3; k++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(w->app->pool);

		assert_non_null(m);
		rte_mbuf_ext_refcnt_update(&shinfo, 1);
		rte_pktmbuf_attach_extbuf(m, region, rte_mem_virt2iova(region),
					  sizeof(region), &shinfo);
		m->data_off = (uint16_t)off;
		m->data_len = (uint16_t)blen;
		m->pkt_len = blen;
		assert_int_equal(tcp_send(w, c, head, sizeof(head)),
				 sizeof(head));
		assert_int_equal(tcp_send_mbuf(w, c, m), blen);
		sh_drain(&h);
		t = take(&p);
		expect_seg(t, &p, F_ACK | F_PSH, una, p.nxt, OUR_WIN,
			   sizeof(want_pay));
		assert_memory_equal(t->payload, want_pay, sizeof(want_pay));
		una += sizeof(want_pay);
		peer_seg(&p, F_ACK, p.nxt, una, NULL, 0);
		expect_none();
		want.OutSegs += 1;
		want.DataBytesOut += sizeof(want_pay);
		want.InSegs += 1;
		want.PredictedSegs += 1;
		check_stats();
	}
	/* The slice is remembered. */
	for (i = 0; i < TCP_SUM_MEMO; i++)
		if (w->tcp->sum_memo[i].p == region + off &&
		    w->tcp->sum_memo[i].len == blen)
			break;
	assert_true(i < TCP_SUM_MEMO);
	tcp_const_region(w, NULL, 0);
	finish();
	assert_int_equal(rte_mbuf_ext_refcnt_read(&shinfo), 1);
}

/* With SACK, the tail of a flight is probed (RFC 8985 tail loss probe)
 * before the RTO: at 2 SRTT plus 50 ms for a lone segment (here SRTT is
 * the handshake's 1 us, so the wheel's 250 us tick rounds it to 51 ms),
 * the last segment again; the full RTO (200 ms) follows it. */
static void
test_tail_loss_probe(void **state)
{
	static const char data[100] = "probe me";
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	assert_int_equal(c->srtt_us, 1);
	t = send_first(&p, c, data, sizeof(data));
	check_stats();

	tick(50);
	expect_none();
	tick(1);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, p.iss + 1, p.nxt, OUR_WIN,
		   sizeof(data));
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(c->rtx_shift, 0);
	want.OutSegs += 1;
	want.DataBytesOut += sizeof(data);
	want.TailLossProbes = 1;
	want.RetransSegs = 1;
	check_stats();

	tick(199);
	expect_none();
	tick(1);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, p.iss + 1, p.nxt, OUR_WIN,
		   sizeof(data));
	assert_int_equal(c->rtx_shift, 1);
	want.OutSegs += 1;
	want.DataBytesOut += sizeof(data);
	want.RtoTimeouts = 1;
	want.RetransSegs += 1;
	check_stats();
	finish();
}

/* Header prediction (tcp_in_predicted): in ESTABLISHED the next segment
 * expected, ACKing at most new data, with the window unchanged and a
 * timestamp, goes the short way; a new window, a missing timestamp, URG
 * and a repeated ACK go the general way.  Either way the outcome is the
 * same. */
static void
test_header_prediction(void **state)
{
	static const char data[100] = "response";
	const struct sh_tx *t;
	struct tcp_conn *c;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	t = send_first(&p, c, data, sizeof(data));

	/* An ACK of part of it: predicted. */
	peer_seg(&p, F_ACK, p.nxt, p.iss + 41, NULL, 0);
	assert_int_equal(c->snd_una, p.iss + 41);
	want.InSegs += 1;
	want.PredictedSegs += 1;
	check_stats();

	/* More of it with a new window: general, and the window taken. */
	p.win = 2000;
	peer_seg(&p, F_ACK, p.nxt, p.iss + 71, NULL, 0);
	assert_int_equal(c->snd_una, p.iss + 71);
	assert_int_equal(c->snd_wnd, 2000u << 7);
	want.InSegs += 1;
	check_stats();

	/* The rest without the timestamp agreed on: general, accepted. */
	p.ts = 0;
	peer_seg(&p, F_ACK, p.nxt, p.iss + 101, NULL, 0);
	p.ts = 1;
	assert_int_equal(c->snd_una, p.iss + 101);
	assert_int_equal(tcp_snd_of(w->tcp, c)->len, 0);
	want.InSegs += 1;
	check_stats();

	/* Data with URG: general, delivered in line; the ACK waits. */
	peer_seg(&p, F_ACK | RTE_TCP_URG_FLAG, p.nxt, p.iss + 101, "abc", 3);
	p.nxt += 3;
	expect_none();
	assert_true(c->flags & TF_DELACK);
	want.InSegs += 1;
	want.DataBytesIn += 3;
	check_stats();

	/* Data: predicted, and the second segment is ACKed at once. */
	peer_seg(&p, F_ACK | F_PSH, p.nxt, p.iss + 101, "defg", 4);
	p.nxt += 4;
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 101, p.nxt, OUR_WIN, 0);
	assert_int_equal(rec.len, 7);
	assert_memory_equal(rec.data, "abcdefg", 7);
	want.InSegs += 1;
	want.DataBytesIn += 4;
	want.PredictedSegs += 1;
	want.QuickAcks += 1;
	want.OutSegs += 1;
	want.PureAcksSent += 1;
	check_stats();

	/* The same ACK again, nothing in flight: general, and ignored. */
	peer_seg(&p, F_ACK, p.nxt, p.iss + 101, NULL, 0);
	expect_none();
	assert_int_equal(c->dupacks, 0);
	want.InSegs += 1;
	check_stats();
	finish();
}

/* One segment out and one duplicate ACK: without SACK that is Early
 * Retransmit's threshold (RFC 5827), the segment goes again at once;
 * with SACK agreed an ACK without SACK blocks is no DupAck (RFC 6675 2)
 * but a repeat for a segment that came twice, and nothing goes. */
static void
dupack_case(int sack)
{
	static const char data[100] = "once";
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	peer_init(&p);
	p.sack = sack;
	c = open_passive(&p);
	t = send_first(&p, c, data, sizeof(data));
	check_stats();

	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, NULL, 0);
	sh_drain(&h);
	want.InSegs++;
	if (sack) {
		expect_none();
		assert_int_equal(c->dupacks, 0);
	} else {
		t = take(&p);
		expect_seg(t, &p, F_ACK | F_PSH, p.iss + 1, p.nxt, OUR_WIN,
			   sizeof(data));
		want.OutSegs += 1;
		want.DataBytesOut += sizeof(data);
		want.RetransSegs++;
		want.FastRetrans++;
	}
	check_stats();
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1 + sizeof(data), NULL, 0);
	sh_drain(&h);
	want.InSegs++;
	/* Recovery (without SACK) takes the general path. */
	if (sack)
		want.PredictedSegs++;
	expect_none();
	assert_int_equal(tcp_snd_of(w->tcp, c)->len, 0);
	check_stats();
}

static void
test_dupack_early_retransmit(void **state)
{
	(void)state;
	dupack_case(0);
	finish();
}

static void
test_dupack_sack(void **state)
{
	(void)state;
	dupack_case(1);
	finish();
}

/* The peer's window closes with data waiting: a one-byte probe when the
 * persist timer fires, the same byte again after twice the time; the
 * window opens: the data goes. */
static void
test_zero_window_probe(void **state)
{
	static const char data[100] = "wait for the window";
	struct tcp_conn *c;
	const struct sh_tx *t;
	struct peer p;

	(void)state;
	peer_init(&p);
	c = open_passive(&p);
	p.win = 0;
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, NULL, 0);
	expect_none();
	assert_int_equal(c->snd_wnd, 0);
	assert_int_equal(tcp_send(w, c, data, sizeof(data)), sizeof(data));
	sh_drain(&h);
	/* No data; but the output pass finds the window we advertise
	 * (only 64 KiB in the SYN-ACK) due an update (RFC 9293 3.8.6.2.2):
	 * a pure ACK. */
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 0);
	expect_plain_opts(t, c, p.ts_val);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.PureAcksSent = 1;
	check_stats();

	tick(199);
	expect_none();
	tick(1);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 1);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(t->payload[0], (uint8_t)data[0]);
	want.OutSegs += 1;
	want.DataBytesOut = 1;
	want.WindowProbes = 1;
	check_stats();

	tick(399);
	expect_none();
	tick(1);
	t = take(&p);
	expect_seg(t, &p, F_ACK, p.iss + 1, p.nxt, OUR_WIN, 1);
	expect_plain_opts(t, c, p.ts_val);
	assert_int_equal(t->payload[0], (uint8_t)data[0]);
	want.OutSegs += 1;
	want.DataBytesOut += 1;
	want.WindowProbes = 2;
	want.RetransSegs = 1;
	check_stats();

	/* The window opens (without taking the probe byte). */
	p.win = 1000;
	peer_seg(&p, F_ACK, p.nxt, p.iss + 1, NULL, 0);
	t = take(&p);
	expect_seg(t, &p, F_ACK | F_PSH, p.iss + 1, p.nxt, OUR_WIN,
		   sizeof(data));
	expect_plain_opts(t, c, p.ts_val);
	assert_memory_equal(t->payload, data, sizeof(data));
	assert_int_equal(c->snd_wnd, 1000u << 7);
	want.InSegs += 1;
	want.OutSegs += 1;
	want.DataBytesOut += sizeof(data);
	want.RetransSegs += 1;
	check_stats();
	finish();
}

/* Segments for a port nobody listens on: RST (RFC 9293 3.10.7.1) within
 * tcp.rst_rate a second; a RST is never answered. */
static void
test_closed_port(void **state)
{
	const struct sh_tx *t;
	struct peer p;
	unsigned int k, rsts;

	(void)state;
	peer_init(&p);
	p.lport = CLOSED_PORT;
	p.ts = 0;
	/* SYN: RST|ACK acknowledging it, seq 0. */
	peer_seg(&p, F_SYN, p.nxt, 0, NULL, 0);
	t = take(&p);
	expect_seg(t, &p, F_RST | F_ACK, 0, p.nxt + 1, 0, 0);
	assert_int_equal(t->olen, 0);
	/* ACK: RST at the sequence number it acknowledged. */
	peer_seg(&p, F_ACK, p.nxt, 12345, "x", 1);
	t = take(&p);
	expect_seg(t, &p, F_RST, 12345, 0, 0, 0);
	assert_int_equal(t->olen, 0);
	/* RST: nothing. */
	peer_seg(&p, F_RST, p.nxt, 0, NULL, 0);
	expect_none();
	want.InSegs = 3;
	want.NoConnection = 3;
	want.OutSegs = 2;
	want.OutRsts = 2;
	check_stats();

	/* The budget: rst_rate 4 is 3 to 5 in a second. */
	sh_advance(&h, 1000);
	h.cfg.tcp.rst_rate = 4;
	rsts = 0;
	for (k = 0; k < 10; k++) {
		peer_seg(&p, F_SYN, p.nxt + k, 0, NULL, 0);
		rsts += n_sent;
		n_sent = 0;
	}
	assert_in_range(rsts, 3, 5);
	want.InSegs += 10;
	want.NoConnection += 10;
	want.OutSegs += rsts;
	want.OutRsts += rsts;
	want.RstsRateLimited = 10 - rsts;
	check_stats();
	/* The next second has a budget again. */
	sh_advance(&h, 1000);
	peer_seg(&p, F_SYN, p.nxt, 0, NULL, 0);
	take(&p);
	want.InSegs += 1;
	want.NoConnection += 1;
	want.OutSegs += 1;
	want.OutRsts += 1;
	check_stats();
	finish();
}

/* A bad TCP checksum (checked in software, or flagged bad by the port):
 * counted and dropped, nothing sent, the data not taken. */
static void
test_bad_checksum(void **state)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	struct sh_frame f;
	uint8_t opt[12];
	struct peer p;
	struct sh_seg s;

	(void)state;
	peer_init(&p);
	open_passive(&p);
	memset(&s, 0, sizeof(s));
	s.sport = p.port;
	s.dport = p.lport;
	s.flags = F_ACK | F_PSH;
	s.seq = p.nxt;
	s.ack = p.iss + 1;
	s.win = p.win;
	s.opt = opt;
	s.olen = tcp_opt_put_ts(opt, p.ts_val, p.ts_ecr);
	s.pay = "data";
	s.plen = 4;

	sh_tcp_frame(&h, &f, &s);
	th = (struct rte_tcp_hdr *)(f.b + RTE_ETHER_HDR_LEN +
				    sizeof(struct rte_ipv4_hdr));
	th->cksum ^= 0x0101;
	m = sh_frame_mbuf(&h, &f, NULL, 0, 0);
	assert_non_null(m);
	sh_deliver(&h, &m, 1);
	expect_none();
	want.InSegs += 1;
	want.InCsumErrors = 1;
	want.InErrs = 1;
	check_stats();

	/* Right, but the port says bad. */
	sh_tcp_frame(&h, &f, &s);
	m = sh_frame_mbuf(&h, &f, NULL, 0, RTE_MBUF_F_RX_L4_CKSUM_BAD);
	assert_non_null(m);
	sh_deliver(&h, &m, 1);
	expect_none();
	assert_int_equal(rec.len, 0);
	want.InSegs += 1;
	want.InCsumErrors += 1;
	want.InErrs += 1;
	check_stats();

	/* And right: taken. */
	sh_tcp_frame(&h, &f, &s);
	m = sh_frame_mbuf(&h, &f, NULL, 0, 0);
	assert_non_null(m);
	sh_deliver(&h, &m, 1);
	expect_none();
	assert_int_equal(rec.len, 4);
	want.InSegs += 1;
	want.DataBytesIn = 4;
	want.PredictedSegs += 1;
	check_stats();
	finish();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_passive_open, setup),
		cmocka_unit_test_setup(test_passive_open_bare, setup),
		cmocka_unit_test_setup(test_synack_retransmit, setup),
		cmocka_unit_test_setup(test_active_open, setup),
		cmocka_unit_test_setup(test_data_in_order, setup),
		cmocka_unit_test_setup(test_rx_mbuf_reused, setup),
		cmocka_unit_test_setup(test_header_prediction, setup),
		cmocka_unit_test_setup(test_out_of_order_sack, setup),
		cmocka_unit_test_setup(test_out_of_order_no_queue, setup),
		cmocka_unit_test_setup(test_rst_exact, setup),
		cmocka_unit_test_setup(test_rst_in_window, setup),
		cmocka_unit_test_setup(test_syn_established, setup),
		cmocka_unit_test_setup(test_ack_unsent, setup),
		cmocka_unit_test_setup(test_out_of_window, setup),
		cmocka_unit_test_setup(test_paws, setup),
		cmocka_unit_test_setup(test_paws_idle, setup),
		cmocka_unit_test_setup(test_fin_close, setup),
		cmocka_unit_test_setup(test_active_close_time_wait, setup),
		cmocka_unit_test_setup(test_rto_backoff, setup),
		cmocka_unit_test_setup(test_timer_left_linked, setup),
		cmocka_unit_test_setup(test_send_by_reference, setup),
		cmocka_unit_test_setup(test_send_ref_summed, setup),
		cmocka_unit_test_setup(test_next_hop_mac_change, setup),
		cmocka_unit_test_setup(test_send_ref_close_no_mbuf, setup),
		cmocka_unit_test_setup(test_const_region_sums, setup),
		cmocka_unit_test_setup(test_tail_loss_probe, setup),
		cmocka_unit_test_setup(test_dupack_early_retransmit, setup),
		cmocka_unit_test_setup(test_dupack_sack, setup),
		cmocka_unit_test_setup(test_zero_window_probe, setup),
		cmocka_unit_test_setup(test_closed_port, setup),
		cmocka_unit_test_setup(test_bad_checksum, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
