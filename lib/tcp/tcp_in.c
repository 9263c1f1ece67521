/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: from a received IPv4 datagram to the application.
 *
 * Call chain:
 *   ipv4_input()
 *     tcp_input()                  header, checksum, options, lookup
 *       tcp_in_listen()            SYN for a listener: SYN_RECEIVED
 *       tcp_in_no_conn()           RST for strays (RFC 9293 3.10.7.1)
 *       tcp_in_syn_sent()          our SYN is out (3.10.7.3)
 *       tcp_in_predicted()         ESTABLISHED, the expected segment:
 *                                  header prediction, or on to
 *       tcp_in_synchronized()      every later state (3.10.7.4):
 *         PAWS (RFC 7323 5), acceptability test, RST and SYN checks
 *         (RFC 5961), tcp_in_ack() (SACK scoreboard, recovery,
 *         congestion control), tcp_in_data(), tcp_in_fin()
 *           tcp_in_data()          in order -> app recv, reassembly
 *                                  queue drained; out of order -> queue
 *   ACKs are not sent from here: the connection is marked and
 *   tcp_output_flush() sends one ACK per burst (see tcp_out.c).
 *
 * A function that may free the connection returns non-zero when it did;
 * callers stop touching the connection then.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "arp.h"
#include "cksum.h"
#include "ipv4.h"
#include "ipv6.h"
#include "nd.h"
#include "tcp_priv.h"
#include "tcp_opt.h"
#include "tcp_seq.h"
#include "worker.h"

/* What tcp_input extracts from a segment once. */
struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t wnd;		/* unscaled, as on the wire */
	uint32_t data_off;	/* payload offset in the mbuf */
	uint32_t len;		/* payload bytes (no SYN/FIN) */
	uint8_t flags;
	struct tcp_opts opts;
	/* IPv6: the segment's addresses (remote = its source), and the
	 * tuple's src_ip is their fold, dst_ip 0; NULL: IPv4. */
	const struct tcp_addr6 *a6;
};

#define TH_FIN	RTE_TCP_FIN_FLAG
#define TH_SYN	RTE_TCP_SYN_FLAG
#define TH_RST	RTE_TCP_RST_FLAG
#define TH_ACK	RTE_TCP_ACK_FLAG
#define TH_URG	RTE_TCP_URG_FLAG

static void
tcp_ack_now(struct worker *w, struct tcp_conn *c)
{
	c->flags |= TF_ACK_NOW;
	tcp_output_schedule(w, c);
}

static void
tcp_notify_connected(struct worker *w, struct tcp_conn *c)
{
	const struct tcp_app_ops *ops = tcp_ops_of(w->tcp, c);

	if (ops != NULL && ops->connected != NULL)
		ops->connected(w, c);
}

/* New data acknowledged: the application may queue more. */
static void
tcp_notify_sent(struct worker *w, struct tcp_conn *c)
{
	const struct tcp_app_ops *ops = tcp_ops_of(w->tcp, c);

	if (ops != NULL && ops->sent != NULL && !(c->flags & TF_APP_CLOSED))
		ops->sent(w, c);
}

static void
tcp_in_no_conn(struct worker *w, const struct tcp_seg *s, uint32_t src_ip,
	       uint32_t dst_ip, uint16_t sport, uint16_t dport)
{
	uint32_t seg_len = s->len + !!(s->flags & TH_SYN) +
		!!(s->flags & TH_FIN);

	w->stats.tcp.NoConnection++;
	if ((s->flags & TH_RST) || !tcp_rst_allowed(w))
		return;
	if (s->flags & TH_ACK)
		tcp_send_reset(w, dst_ip, src_ip, s->a6, dport, sport, s->ack,
			       0, 0);
	else
		tcp_send_reset(w, dst_ip, src_ip, s->a6, dport, sport, 0,
			       s->seq + seg_len, 1);
}

/* Hand len in-order bytes at off of the mbuf chain to the application. */
static void
tcp_deliver(struct worker *w, struct tcp_conn *c, struct rte_mbuf *m,
	    uint32_t off, uint32_t len)
{
	w->stats.tcp.DataBytesIn += len;
	c->rcv_nxt += len;
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		const struct tcp_app_ops *ops = tcp_ops_of(w->tcp, c);
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		if (ops != NULL && ops->recv != NULL &&
		    !(c->flags & TF_APP_CLOSED))
			ops->recv(w, c, rte_pktmbuf_mtod_offset(m,
					const uint8_t *, off), n);
		len -= n;
		off = 0;
		m = m->next;
	}
}

/* Agreed options from the peer's SYN (or SYN-ACK). */
static void
tcp_apply_syn_options(struct worker *w, struct tcp_conn *c,
		      const struct tcp_opts *o)
{
	/* IPv6's header is 20 bytes longer than IPv4's. */
	uint16_t our_mss = (uint16_t)(w->app->port.mtu -
				      (tcp_conn_is_v6(c) ? 60 : 40));
	uint16_t peer_mss = o->has_mss ? o->mss : 536;

	/* Tiny MSS values are a resource attack; 64 is the floor. */
	if (peer_mss < 64)
		peer_mss = 64;
	c->mss = RTE_MIN(peer_mss, our_mss);
	if (o->has_wscale && w->cfg->tcp.wscale) {
		c->flags |= TF_WSCALE;
		c->snd_wscale = o->wscale;
	} else {
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (o->has_ts && w->cfg->tcp.timestamps) {
		c->flags |= TF_TSTAMP;
		c->ts_recent = o->ts_val;
		c->ts_recent_t = TCP_TS_RECENT_T(w->now_ms);
	}
	if (o->sack_perm && w->cfg->tcp.sack)
		c->flags |= TF_SACK;
	/* Timestamps take 12 option bytes in every segment. */
	if (c->flags & TF_TSTAMP)
		c->mss -= 12;
}

static void
tcp_rtt_from_ack(struct worker *w, struct tcp_conn *c,
		 const struct tcp_seg *s)
{
	if ((c->flags & TF_TSTAMP) && s->opts.has_ts && s->opts.ts_ecr != 0) {
		uint32_t ms = w->ts_now + c->ts_off - s->opts.ts_ecr;

		/* A TSecr from the future is forged or garbled: ignore. */
		if (ms < 60 * 1000)
			tcp_rtt_sample(w, c, ms * 1000);
	} else if (c->rtt_start_us != 0 && SEQ_GT(s->ack, c->rtt_seq)) {
		tcp_rtt_sample(w, c, (uint32_t)w->now_us - c->rtt_start_us);
		c->rtt_start_us = 0;
	}
}

/* Sending starts from the window the handshake agreed on. */
static void
tcp_start_sending(struct worker *w, struct tcp_conn *c, int syn_rexmitted)
{
	/* RFC 6928 initial window, or one segment if the SYN (or SYN-ACK)
	 * had to be retransmitted (RFC 5681 3.1). */
	w->tcp->cc_ops->init(&c->cc, c->mss,
			syn_rexmitted ? 1 : w->cfg->tcp.iw);
	tcp_max_sndwnd_update(c, c->snd_wnd);
	tcp_set_high_rxt(w->tcp, c, c->snd_una);
	c->recover = c->snd_una;
}

/* A minute counter for SYN cookies (tcp_syncookie.h). */
static uint32_t
tcp_cookie_count(const struct worker *w)
{
	return (uint32_t)(w->now_ms / 60000);
}

/*
 * Answer a SYN with a cookie (RFC 4987 3.6) and keep nothing: what the
 * connection needs comes back in the ACK.  Without timestamps there is
 * nowhere to keep window scaling and SACK, so neither is offered (as
 * Linux does).
 */
static void
tcp_in_syn_cookie(struct worker *w, const struct tcp_seg *s, uint32_t src_ip,
		  uint32_t dst_ip, uint16_t sport, uint16_t dport)
{
	const struct tcp_conf *tc = &w->cfg->tcp;
	const struct syncookie_tuple t = { src_ip, dst_ip, sport, dport };
	int ts = s->opts.has_ts && tc->timestamps;
	int ws = ts && s->opts.has_wscale && tc->wscale ? s->opts.wscale : -1;
	int sack = ts && s->opts.sack_perm && tc->sack;
	uint32_t bits = syncookie_ts_bits(ts, ws, sack);
	unsigned int mss_idx = syncookie_mss_index(s->opts.has_mss ?
						   s->opts.mss : 536);
	uint32_t iss, tsval = 0;

	w->tcp->cookie_sent_ms = w->now_ms + 1;
	w->tcp->syn_pressure_ms = w->now_ms + 1;
	w->stats.tcp.SyncookiesSent++;
	iss = syncookie_make(&w->tcp->cookie_key, &t, s->seq,
			     tcp_cookie_count(w), mss_idx, bits);
	if (ts)
		tsval = syncookie_tsval(w->ts_now +
					syncookie_ts_offset(&w->tcp->ts_key, &t),
					bits);
	tcp_send_synack_cookie(w, dst_ip, src_ip, s->a6, dport, sport, iss,
			       s->seq + 1, ws >= 0 ?
			       tcp_choose_wscale(tc->rcvbuf) : -1,
			       sack, ts, tsval, s->opts.ts_val);
}

/*
 * The ACK of a cookie SYN-ACK, for a listener with no connection for the
 * tuple: the connection in SYN_RECEIVED, rebuilt from the cookie (MSS
 * class, and from TSecr window scale and SACK), ready for
 * tcp_in_synchronized to take the ACK; or NULL (a RST went, unless
 * rate-limited: Linux also answers a bad cookie as a stray ACK).
 */
static struct tcp_conn *
tcp_in_cookie_ack(struct worker *w, const struct tcp_listener *l,
		  struct tcp_seg *s, uint32_t src_ip, uint32_t dst_ip,
		  uint16_t sport, uint16_t dport)
{
	const struct syncookie_tuple t = { src_ip, dst_ip, sport, dport };
	struct syncookie_opts co;
	struct tcp_opts o;
	struct tcp_conn *c;

	if (syncookie_check(&w->tcp->cookie_key, &t, s->seq - 1, s->ack - 1,
			    tcp_cookie_count(w),
			    s->opts.has_ts ? s->opts.ts_ecr : 0, &co) != 0) {
		w->stats.tcp.SyncookiesFailed++;
		if (tcp_rst_allowed(w))
			tcp_send_reset(w, dst_ip, src_ip, s->a6, dport, sport,
				       s->ack, 0, 0);
		return NULL;
	}
	w->stats.tcp.SyncookiesRecv++;
	c = s->a6 != NULL ? tcp_accept_syn6(w, l, s->a6, sport, dport) :
		tcp_accept_syn(w, l, src_ip, sport, dst_ip, dport);
	if (c == NULL) {
		w->stats.tcp.ListenDrops++;
		return NULL;
	}
	c->snd_una = s->ack - 1;	/* ISS */
	c->snd_nxt = s->ack;
	c->snd_max = c->snd_nxt;
	tcp_set_high_rxt(w->tcp, c, c->snd_una);
	c->rcv_nxt = s->seq;
	c->rcv_adv = c->rcv_nxt + RTE_MIN(w->cfg->tcp.rcvbuf, 65535u);
	c->snd_wnd = s->wnd;
	c->snd_wl1 = s->seq - 1;	/* IRS */
	c->snd_wl2 = c->snd_una;
	memset(&o, 0, sizeof(o));
	o.has_mss = 1;
	o.mss = co.mss;
	o.has_wscale = co.wscale_ok;
	o.wscale = co.wscale;
	o.sack_perm = co.sack_ok;
	o.has_ts = co.ts_ok;
	o.ts_val = s->opts.ts_val;
	tcp_apply_syn_options(w, c, &o);
	/* TSecr's low bits were the cookie's, not our clock: no RTT
	 * sample from this ACK. */
	s->opts.ts_ecr = 0;
	c->rtt_start_us = 0;
	return c;
}

/* A SYN for a listening port (RFC 9293 3.10.7.2): a new connection in
 * SYN_RECEIVED answering with SYN-ACK, or a SYN cookie past
 * tcp.syn_backlog half-open connections (always with syncookies=2).
 * No payload is taken from a SYN. */
static void
tcp_in_listen(struct worker *w, const struct tcp_listener *l,
	      const struct tcp_seg *s, uint32_t src_ip, uint32_t dst_ip,
	      uint16_t sport, uint16_t dport)
{
	uint32_t cookies = w->cfg->tcp.syncookies;
	struct tcp_conn *c;

	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		if (tcp_rst_allowed(w))
			tcp_send_reset(w, dst_ip, src_ip, s->a6, dport, sport,
				       s->ack, 0, 0);
		return;
	}
	if (!(s->flags & TH_SYN))
		return;
	if (w->tcp->n_half_open >= w->tcp->syn_backlog / 2)
		w->tcp->syn_pressure_ms = w->now_ms + 1;
	if (cookies == 2 ||
	    (cookies == 1 && w->tcp->n_half_open >= w->tcp->syn_backlog)) {
		tcp_in_syn_cookie(w, s, src_ip, dst_ip, sport, dport);
		return;
	}
	if (w->tcp->n_half_open >= w->tcp->syn_backlog) {
		w->stats.tcp.HalfOpenDrops++;
		return;
	}
	c = s->a6 != NULL ? tcp_accept_syn6(w, l, s->a6, sport, dport) :
		tcp_accept_syn(w, l, src_ip, sport, dst_ip, dport);
	if (c == NULL) {
		/* Out of connection blocks: a cookie needs none; without
		 * cookies, like a full backlog, stay silent and let the
		 * peer retry. */
		if (cookies != 0) {
			tcp_in_syn_cookie(w, s, src_ip, dst_ip, sport, dport);
			return;
		}
		w->stats.tcp.ListenDrops++;
		return;
	}
	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->snd_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = c->snd_una;	/* ISS */
	tcp_apply_syn_options(w, c, &s->opts);
	if (tcp_send_syn(w, c) != 0) {
		tcp_conn_free(w, c);
		return;
	}
	tcp_rtx_arm(w, c);
}

/*
 * Sources no SYN can honestly come from (RFC 1122 3.2.1.3, RFC 1812
 * 5.3.7): this network (0/8), loopback, multicast, class E and the
 * limited broadcast, our subnet's broadcast, and our own addresses.
 * Answering them would send SYN-ACKs (and ARP) to places that are not
 * a host, or to ourselves.
 */
static int
tcp_source_bad(const struct worker *w, uint32_t ip)
{
	const struct dpf_config *cfg = w->cfg;
	uint32_t net = ip >> 24;

	if (net == 0 || net == 127 || net >= 224)
		return 1;
	if (cfg->prefix_len > 0 && cfg->prefix_len <= 30) {
		uint32_t mask = 0xffffffffu << (32 - cfg->prefix_len);

		if ((ip & mask) == (cfg->ip & mask) && (ip | mask) == ~0u)
			return 1;
	}
	return ipv4_is_local(w->app, ip);
}

/* The same for IPv6 (RFC 4291 2.5.2, 2.5.3, 2.7): the unspecified
 * address, loopback, multicast, and our own. */
static int
tcp_source6_bad(const struct worker *w, const uint8_t *ip)
{
	static const uint8_t zero[15];

	if (ip[0] == 0xff)
		return 1;
	if (memcmp(ip, zero, sizeof(zero)) == 0 && ip[15] <= 1)
		return 1;
	return ipv6_is_local(w->app, ip);
}

static int
tcp_in_syn_sent(struct worker *w, struct tcp_conn *c, struct tcp_seg *s)
{
	int ack_ok = 0;

	if (s->flags & TH_ACK) {
		/* snd_una is still ISS here. */
		if (SEQ_LEQ(s->ack, c->snd_una) ||
		    SEQ_GT(s->ack, c->snd_max)) {
			if (!(s->flags & TH_RST) && tcp_rst_allowed(w))
				tcp_send_reset_conn(w, c, s->ack, 0, 0);
			return 0;
		}
		ack_ok = 1;
	}
	if (s->flags & TH_RST) {
		if (ack_ok) {
			w->stats.tcp.AttemptFails++;
			w->stats.tcp.InRsts++;
			tcp_notify_closed(w, c, ECONNREFUSED);
			tcp_conn_free(w, c);
			return 1;
		}
		return 0;
	}
	if (!(s->flags & TH_SYN))
		return 0;

	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	tcp_apply_syn_options(w, c, &s->opts);
	if (!ack_ok) {
		/* Simultaneous open (RFC 9293 3.5, figure 8). */
		tcp_set_state(w, c, TCP_SYN_RECEIVED);
		c->snd_wnd = s->wnd;
		tcp_send_syn(w, c);
		return 0;
	}
	c->snd_una = s->ack;
	c->snd_wnd = s->wnd;	/* never scaled in a SYN */
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	tcp_tt_cancel(w, c, TCP_TT_RTX);
	tcp_rtt_from_ack(w, c, s);
	tcp_start_sending(w, c, c->rtx_shift != 0);
	c->rtx_shift = 0;
	tcp_set_state(w, c, TCP_ESTABLISHED);
	tcp_keepalive_arm(w, c);
	tcp_ack_now(w, c);
	tcp_notify_connected(w, c);
	return 0;
}

/* Remove acknowledged bytes from the front of the send buffer. */
static void
sndbuf_drop(struct tcp_sndbuf *sb, uint32_t n)
{
	if (sndbuf_is_ref(sb)) {
		sb->len -= n;
		sb->ref = sb->len > 0 ? sb->ref + n : NULL;
		sb->ref_sum = 0;	/* it was the whole's */
		return;
	}
	sb->len -= n;
	n += sb->head_off;
	while (sb->head != NULL && n >= sb->head->data_len &&
	       (n > 0 || sb->head->data_len == 0)) {
		struct rte_mbuf *m = sb->head;

		n -= m->data_len;
		if (m == sb->cur)
			sb->cur = NULL;
		sb->head = m->next;
		sb->truesize -= tcp_seg_truesize(m);
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
	if (sb->head == NULL) {
		sb->tail = NULL;
		sb->cur = NULL;
		n = 0;
	} else if (sb->head->next != NULL) {
		/* A large send buffer is long out of cache by the time it
		 * is acknowledged: fetch the next head while the next ACK
		 * is on its way. */
		rte_prefetch0(sb->head->next);
	}
	sb->head_off = n;
}

/* RFC 9293 3.10.7.4, fifth check, and RFC 5681/6298 on a new ACK.
 * Returns 1 if the connection was freed. */
static uint32_t
tcp_flight(const struct tcp_conn *c)
{
	return SEQ_DIFF(c->snd_max, c->snd_una);
}

/*
 * Whether the first unacknowledged segment is lost: DupThresh duplicate
 * ACKs, or SACK evidence (RFC 6675 IsLost).  With fewer than four
 * segments outstanding and nothing new to send, the threshold drops to
 * one less than the outstanding segments (Early Retransmit, RFC 5827),
 * since a short flight can never produce three duplicates.
 */
static int
tcp_loss_detected(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	const struct tcp_sack_board *sb = tcp_sack_of(ts, c);
	uint32_t out_segs = (tcp_flight(c) + c->mss - 1) / c->mss;
	uint32_t thresh = TCP_DUPTHRESH;

	if (out_segs < 4 &&
	    SEQ_DIFF(c->snd_max, c->snd_una) >= tcp_snd_of(ts, c)->len)
		thresh = out_segs > 1 ? out_segs - 1 : 1;
	if (c->dupacks >= thresh)
		return 1;
	if (!(c->flags & TF_SACK))
		return 0;
	if (thresh < TCP_DUPTHRESH)
		return sb->n >= thresh ||
			sb->sacked >= (thresh - 1) * c->mss + 1;
	return tcp_sack_first_lost(sb, c->mss);
}

/* Loss detected (three duplicate ACKs, or SACK says the first segment is
 * lost): fast retransmit and enter recovery (RFC 5681 3.2, RFC 6675 5,
 * RFC 6582 3.2). */
static void
tcp_enter_recovery(struct worker *w, struct tcp_conn *c)
{
	w->stats.tcp.FastRetrans++;
	c->flags |= TF_RECOVERY;
	c->recover = c->snd_max;
	tcp_cc_ready(w, c);
	w->tcp->cc_ops->on_loss(&c->cc, tcp_flight(c), w->now_us);
	/* The first segment goes at once whatever cwnd says. */
	tcp_retransmit_head(w, c);
	tcp_rtx_arm(w, c);
}


/* New data acknowledged: our frames reach the peer, so its neighbour
 * entry needs no probe (RFC 4861 7.3.1's forward progress). */
static inline void
tcp_neigh_confirm(struct worker *w, const struct tcp_conn *c)
{
	if (tcp_conn_is_v6(c))
		nd_confirm(w, tcp_addr6_of(w->tcp, c)->remote);
	else
		arp_confirm(w, c->remote_ip);
}

/*
 * An ACK of new data (s->ack past snd_una, not past snd_max): what it
 * covers leaves the send buffer, an RTT sample, the congestion window or
 * the end of recovery, the timer, and the application may send more.
 * Both receive paths come here (tcp_in_ack, tcp_in_predicted).  Returns
 * 1 if it acknowledged our FIN.
 */
static __rte_always_inline int
tcp_in_ack_new(struct worker *w, struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t acked = SEQ_DIFF(s->ack, c->snd_una);
	uint32_t data = RTE_MIN(acked, tcp_snd_of(w->tcp, c)->len);
	uint32_t fin_seq = c->snd_una + tcp_snd_of(w->tcp, c)->len;
	int fin_acked = (c->flags & TF_FIN_SENT) && SEQ_GT(s->ack, fin_seq);

	if (c->snd_i != 0) {
		struct tcp_sndbuf *sb = tcp_snd_ptr(w->tcp, c);

		sndbuf_drop(sb, data);
		/* All acknowledged: an idle connection holds none. */
		if (sb->len == 0)
			tcp_snd_put(w, c);
	}
	c->snd_una = s->ack;
	tcp_neigh_confirm(w, c);
	if (tcp_sack_ptr(w->tcp, c) != NULL) {
		tcp_sack_prune(tcp_sack_ptr(w->tcp, c), c->snd_una);
		if (tcp_sack_ptr(w->tcp, c)->n == 0)
			tcp_sack_put(w, c);
	}
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	if (SEQ_LT(tcp_high_rxt(w->tcp, c), c->snd_una))
		tcp_set_high_rxt(w->tcp, c, c->snd_una);
	tcp_rtt_from_ack(w, c, s);
	/* A probe byte taken into a window that stays closed: keep
	 * backing off the persist timer. */
	if (s->wnd != 0)
		c->rtx_shift = 0;
	c->dupacks = 0;
	c->flags &= ~TF_TLP_DONE;
	if (c->flags & TF_RECOVERY) {
		if (SEQ_GEQ(c->snd_una, c->recover)) {
			/* Full ACK: recovery is over; continue from ssthresh
			 * (RFC 5681 3.2 step 6).  Deflating to the flight,
			 * RFC 6582's other choice, leaves one segment out
			 * after a quiet recovery and invites a timeout. */
			c->flags &= ~TF_RECOVERY;
			c->cc.cwnd = RTE_MAX(c->cc.ssthresh, 2u * c->mss);
		} else if (!(c->flags & TF_SACK)) {
			/* Partial ACK without SACK: the next hole starts
			 * here (RFC 6582 3.2 step 4). */
			w->stats.tcp.RecoveryPartialAcks++;
			tcp_retransmit_head(w, c);
		}
	} else if (data > 0) {
		/* Data only: the SYN's and FIN's sequence numbers are no
		 * delivered bytes, so the ACK of our SYN leaves the initial
		 * window as it is (RFC 5681 3.1: cwnd grows with data
		 * acknowledged).  Past slow start the algorithm may need
		 * its own state. */
		if ((uint64_t)c->cc.cwnd + data > c->cc.ssthresh)
			tcp_cc_ready(w, c);
		w->tcp->cc_ops->on_ack(&c->cc, data, w->now_us, c->srtt_us);
	}
	if (c->snd_una == c->snd_max)
		tcp_tt_cancel(w, c, TCP_TT_RTX);
	else
		tcp_rtx_arm(w, c);
	if (tcp_snd_of(w->tcp, c)->len > 0 || (c->flags & TF_FIN_QUEUED))
		tcp_output_schedule(w, c);
	/* A window limited by the send buffer may open now. */
	if ((c->flags & TF_RCV_HOLD_SND) && data > 0)
		tcp_output_schedule(w, c);
	if (data > 0)
		tcp_notify_sent(w, c);
	return fin_acked;
}

/* The send window from an acceptable ACK (RFC 9293 3.10.7.4, the
 * SND.WL1/WL2 rule), and out of persist when it opens. */
static __rte_always_inline void
tcp_in_wnd_update(struct worker *w, struct tcp_conn *c,
		  const struct tcp_seg *s)
{
	if (SEQ_LT(c->snd_wl1, s->seq) ||
	    (c->snd_wl1 == s->seq && SEQ_LEQ(c->snd_wl2, s->ack))) {
		uint32_t old = c->snd_wnd;

		c->snd_wnd = s->wnd << c->snd_wscale;
		tcp_max_sndwnd_update(c, c->snd_wnd);
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		if (c->snd_wnd > old && tcp_snd_of(w->tcp, c)->len > 0)
			tcp_output_schedule(w, c);
		if (old == 0 && c->snd_wnd > 0 &&
		    SEQ_DIFF(c->snd_max, c->snd_una) <= 1) {
			/* Out of persist: a probe byte the peer did not take
			 * goes again at the head of the first real segment. */
			c->snd_nxt = c->snd_una;
			c->rtx_shift = 0;
			c->persist_s = 0;
			tcp_tt_cancel(w, c, TCP_TT_RTX);
		}
	}
}

/* RFC 9293 3.10.7.4, fifth check, and RFC 5681/6298/6582/6675 on what an
 * ACK says.  Returns 1 if the connection was freed, -1 if the segment is
 * to be dropped. */
static int
tcp_in_ack(struct worker *w, struct tcp_conn *c, const struct tcp_seg *s)
{
	unsigned int new_sack = 0;
	/* Whether a duplicate ACK counts without new SACK information:
	 * without SACK, or when the blocks it had found no scoreboard. */
	int plain_dup = !(c->flags & TF_SACK);
	int fin_acked = 0;

	if (SEQ_GT(s->ack, c->snd_max)) {
		/* Acknowledges what we never sent. */
		tcp_ack_now(w, c);
		return -1;
	}
	/* RFC 5961 5.2: an ACK older than the largest window we could have
	 * sent is a blind injection: challenge it, drop the segment. */
	if (SEQ_LT(s->ack, c->snd_una - RTE_MAX(tcp_max_sndwnd(c), 65535u))) {
		if (tcp_challenge_ack_allowed(w)) {
			w->stats.tcp.ChallengeAcks++;
			tcp_ack_now(w, c);
		}
		return -1;
	}
	if ((c->flags & TF_SACK) && s->opts.n_sack > 0) {
		struct tcp_sack_board *b = tcp_sack_get(w, c);

		if (b != NULL) {
			new_sack = tcp_sack_update(b, s->ack, c->snd_max,
						   s->opts.sack_start,
						   s->opts.sack_end,
						   s->opts.n_sack);
			/* Nothing valid (D-SACK, stale): hold no board. */
			if (b->n == 0)
				tcp_sack_put(w, c);
		} else {
			plain_dup = 1;
		}
		w->stats.tcp.SackBlocksReceived += s->opts.n_sack;
		if (new_sack > 0)
			tcp_output_schedule(w, c);
	}
	if (SEQ_GT(s->ack, c->snd_una)) {
		fin_acked = tcp_in_ack_new(w, c, s);
	} else if (s->ack == c->snd_una && SEQ_LT(c->snd_una, c->snd_max) &&
		   s->wnd != 0 && c->snd_wnd != 0 &&
		   (new_sack > 0 ||
		    (plain_dup && s->len == 0 &&
		     !(s->flags & (TH_FIN | TH_SYN)) &&
		     (s->wnd << c->snd_wscale) == c->snd_wnd))) {
		/* Duplicate ACK (RFC 5681 2), or one that SACKs new data,
		 * which RFC 6675 2 counts alike: that also catches ACKs
		 * riding on the peer's own data.  Answers to zero-window
		 * probes are not: nothing was lost there.  With SACK only
		 * new SACK information counts (RFC 6675 2's DupAck): a
		 * SACK receiver that lost nothing repeats its ACK because
		 * a segment came twice, and with one or two segments out
		 * Early Retransmit would take that one repeat for a loss,
		 * send again, draw another repeat, and so on for ever. */
		if (c->dupacks < UINT8_MAX)
			c->dupacks++;
		/* Limited transmit (RFC 3042): new data may go on the first
		 * two, to keep the ACK clock running. */
		if (c->dupacks <= 2 && !(c->flags & TF_RECOVERY))
			tcp_output_schedule(w, c);
	}
	if (!(c->flags & TF_RECOVERY) && SEQ_LT(c->snd_una, c->snd_max) &&
	    tcp_loss_detected(w->tcp, c))
		tcp_enter_recovery(w, c);
	else if ((c->flags & (TF_RECOVERY | TF_SACK)) ==
		 (TF_RECOVERY | TF_SACK) &&
		 SEQ_GT(tcp_high_rxt(w->tcp, c), c->snd_una) &&
		 SEQ_GT(tcp_sack_high(tcp_sack_of(w->tcp, c), c->snd_una),
			tcp_rxt_mark(w->tcp, c))) {
		/* Data sent after our retransmissions arrived while a
		 * retransmitted hole is still open: that retransmission
		 * was lost too.  Start over from the first hole rather
		 * than wait for the RTO. */
		w->stats.tcp.LostRetransmits++;
		tcp_set_high_rxt(w->tcp, c, c->snd_una);
		tcp_set_rxt_mark(w->tcp, c, c->snd_max);
		tcp_output_schedule(w, c);
	}

	tcp_in_wnd_update(w, c, s);

	if (!fin_acked)
		return 0;
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		tcp_set_state(w, c, TCP_FIN_WAIT_2);
		tcp_fin_wait2_arm(w, c);
		return 0;
	case TCP_CLOSING:
		tcp_enter_time_wait(w, c);
		return w->cfg->tcp.time_wait_ms == 0;
	case TCP_LAST_ACK:
		tcp_notify_closed(w, c, 0);
		tcp_conn_free(w, c);
		return 1;
	default:
		return 0;
	}
}

static void
tcp_notify_peer_closed(struct worker *w, struct tcp_conn *c)
{
	const struct tcp_app_ops *ops = tcp_ops_of(w->tcp, c);

	if (ops != NULL && ops->peer_closed != NULL &&
	    !(c->flags & TF_APP_CLOSED))
		ops->peer_closed(w, c);
}

/* The peer's FIN at rcv_nxt.  Returns 1 if the connection was freed. */
static int
tcp_in_fin(struct worker *w, struct tcp_conn *c)
{
	c->rcv_nxt++;
	switch (c->state) {
	case TCP_ESTABLISHED:
		tcp_set_state(w, c, TCP_CLOSE_WAIT);
		tcp_ack_now(w, c);
		tcp_notify_peer_closed(w, c);
		return 0;
	case TCP_FIN_WAIT_1:
		/* Our FIN is not acknowledged yet: simultaneous close. */
		tcp_set_state(w, c, TCP_CLOSING);
		tcp_ack_now(w, c);
		tcp_notify_peer_closed(w, c);
		return 0;
	case TCP_FIN_WAIT_2:
		tcp_notify_peer_closed(w, c);
		/* The last ACK goes now: TIME_WAIT may free at once. */
		tcp_send_ack(w, c);
		tcp_enter_time_wait(w, c);
		return w->cfg->tcp.time_wait_ms == 0;
	default:
		return 0;
	}
}

/* The true size one connection's out-of-order queue may hold. */
static uint32_t
tcp_ooo_budget(const struct worker *w)
{
	uint32_t b = w->cfg->tcp.ooo_max_bytes;

	return b != 0 ? b : 2 * w->cfg->tcp.rcvbuf;
}

/* In-order data taken: RFC 5681 4.2's ACK, at once when it filled a
 * hole, else at least for every second full segment (or for segments
 * the port merged), else within delack_ms. */
static __rte_always_inline void
tcp_in_owe_ack(struct worker *w, struct tcp_conn *c, int filled_hole,
	       int merged)
{
	if (filled_hole) {
		tcp_ack_now(w, c);
	} else if (++c->segs_unacked >= 2 || merged) {
		w->stats.tcp.QuickAcks++;
		tcp_ack_now(w, c);
	} else {
		c->flags |= TF_DELACK;
		tcp_delack_arm(w, c);
	}
}

/* Segment text (RFC 9293 3.10.7.4, seventh check).  Takes m.  wnd: the
 * receive window the acceptability test used.  Returns 1 if the
 * connection was freed. */
static int
tcp_in_data(struct worker *w, struct tcp_conn *c, struct tcp_seg *s,
	    struct rte_mbuf *m, uint32_t wnd)
{
	uint32_t seq = s->seq, off = s->data_off, len = s->len;
	int fin = !!(s->flags & TH_FIN);

	/* The ACK may have freed send buffer, which an echo's window
	 * depends on; nothing else it does moves the window. */
	if (c->flags & TF_RCV_HOLD_SND)
		wnd = RTE_MAX(tcp_rcv_window(w, c),
			      SEQ_DIFF(c->rcv_adv, c->rcv_nxt));

	/* Cut what we already have off the front. */
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t dup = SEQ_DIFF(c->rcv_nxt, seq);

		if (dup >= len) {
			if (len > 0)
				w->stats.tcp.DupSegs++;
			/* A retransmitted FIN sits right at rcv_nxt. */
			if (fin && seq + len != c->rcv_nxt)
				fin = 0;
			if (len > 0 || !fin)
				tcp_ack_now(w, c);
			seq = c->rcv_nxt;
			off += len;
			len = 0;
		} else {
			w->stats.tcp.PartialDupSegs++;
			seq += dup;
			off += dup;
			len -= dup;
		}
	}
	/* And what lies beyond the window off the back. */
	if (SEQ_GT(seq + len, c->rcv_nxt + wnd)) {
		w->stats.tcp.BeyondWindowTrimmed++;
		len = SEQ_DIFF(c->rcv_nxt + wnd, seq);
		fin = 0;
		tcp_ack_now(w, c);
	}

	/* An application that sends what it receives (echo) takes only
	 * what its send buffer can: the window promised more before the
	 * pool ran short.  The rest is not ACKed; it comes again. */
	if (len > 0 && seq == c->rcv_nxt && (c->flags & TF_RCV_HOLD_SND)) {
		uint32_t room = tcp_send_space(w, c);

		if (len > room) {
			w->stats.tcp.RcvDropNoSndSpace++;
			len = room;
			fin = 0;
			tcp_ack_now(w, c);
		}
	}
	if (len > 0 && seq == c->rcv_nxt) {
		int had_ooo = tcp_ooo_of(w->tcp, c)->nsegs > 0;
		/* Several segments the port merged (LRO): ACKed as what
		 * they were, at least two full segments. */
		int merged = len > c->mss &&
			(m->ol_flags & RTE_MBUF_F_RX_LRO) != 0;
		struct rte_mbuf *q;

		tcp_deliver(w, c, m, off, len);
		rte_pktmbuf_free(m);
		m = NULL;
		while (c->ooo_i != 0 &&
		       (q = tcp_reass_pop(tcp_ooo_ptr(w->tcp, c),
					  c->rcv_nxt)) != NULL) {
			struct tcp_seg_cb *cb = tcp_seg_cb(q);

			/* Echo again: what its send buffer cannot take now
			 * is dropped, unACKed (it was SACKed: the sender's
			 * timeout sends it again, RFC 2018 8). */
			if ((c->flags & TF_RCV_HOLD_SND) &&
			    cb->len > tcp_send_space(w, c)) {
				uint32_t room = tcp_send_space(w, c);

				if (room > 0)
					tcp_deliver(w, c, q, cb->off, room);
				w->stats.tcp.RcvDropNoSndSpace++;
				rte_pktmbuf_free(q);
				break;
			}
			w->stats.tcp.OfoMerged++;
			tcp_deliver(w, c, q, cb->off, cb->len);
			rte_pktmbuf_free(q);
		}
		/* Hole filled: the queue's block goes back to the pool. */
		if (c->ooo_i != 0 && tcp_ooo_of(w->tcp, c)->nsegs == 0)
			tcp_ooo_put(w, c);
		tcp_in_owe_ack(w, c, had_ooo, merged);
	} else if (len > 0) {
		/* Out of order: keep it, and say so at once (RFC 5681 4.2)
		 * with SACK blocks describing what we hold. */
		struct tcp_seg_cb *cb = tcp_seg_cb(m);
		struct tcp_reass_ctl ctl = {
			.pool = w->app->pool,
			.max_segs = w->cfg->tcp.max_ooo_segs,
			.max_bytes = tcp_ooo_budget(w),
		};
		int rc;

		cb->seq = seq;
		cb->off = off;
		cb->len = len;
		cb->next = NULL;
		if (w->mbufs_pressure) {
			/* The pool is short: out-of-order data (it comes
			 * again) must not take what RX, ACKs and send
			 * buffers need.  Give back most of what this
			 * connection holds, highest sequence first. */
			w->stats.tcp.OfoDropLowMem++;
			if (c->ooo_i != 0)
				w->stats.tcp.OfoPruned += tcp_reass_prune(
					tcp_ooo_ptr(w->tcp, c),
					ctl.max_bytes / 8, NULL);
			rte_pktmbuf_free(m);
		} else if (tcp_ooo_get(w, c) == NULL) {
			/* No queue to keep it in (counted): like a full
			 * queue, the data comes again. */
			w->stats.tcp.OfoDropped++;
			rte_pktmbuf_free(m);
		} else {
			rc = tcp_reass_insert_ctl(tcp_ooo_ptr(w->tcp, c), m,
						  &ctl);
			w->stats.tcp.OfoCollapsed += ctl.collapsed;
			w->stats.tcp.OfoPruned += ctl.pruned;
			if (rc == 0)
				w->stats.tcp.OfoQueued++;
			else if (rc < 0)
				w->stats.tcp.OfoDropped++;
			else
				w->stats.tcp.DupSegs++;
		}
		if (c->ooo_i != 0 && tcp_ooo_of(w->tcp, c)->nsegs == 0)
			tcp_ooo_put(w, c);
		m = NULL;
		w->stats.tcp.DupAcksSent++;
		tcp_ack_now(w, c);
		fin = 0;	/* a FIN past a hole comes again */
	}
	worker_free(w, m);

	if (fin && seq + len == c->rcv_nxt)
		return tcp_in_fin(w, c);
	return 0;
}

static int
tcp_in_synchronized(struct worker *w, struct tcp_conn *c, struct tcp_seg *s,
		    struct rte_mbuf *m)
{
	uint32_t seg_len = s->len + !!(s->flags & TH_SYN) +
		!!(s->flags & TH_FIN);
	uint32_t wnd = RTE_MAX(tcp_rcv_window(w, c),
			       SEQ_DIFF(c->rcv_adv, c->rcv_nxt));
	int ok, rc;

	/* A repeated SYN: the peer did not get our SYN-ACK, send it again
	 * (a SYN-ACK here is a simultaneous open and is ACKed below). */
	if (c->state == TCP_SYN_RECEIVED &&
	    (s->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    s->seq == c->rcv_nxt - 1) {	/* IRS, in SYN_RECEIVED */
		tcp_send_syn(w, c);
		goto drop;
	}

	/* TIME_WAIT (RFC 9293 3.10.7.4): the only thing that can arrive is
	 * the peer's FIN again (our last ACK was lost): ACK it and restart
	 * the wait. */
	if (c->state == TCP_TIME_WAIT && (s->flags & TH_FIN) &&
	    !(s->flags & (TH_RST | TH_SYN))) {
		tcp_ack_now(w, c);
		tcp_tt_arm(w, c, TCP_TT_IDLE,
			   (uint64_t)w->cfg->tcp.time_wait_ms * 1000);
		goto drop;
	}

	/* PAWS (RFC 7323 5.3): an old timestamp is an old duplicate. */
	if ((c->flags & TF_TSTAMP) && s->opts.has_ts && !(s->flags & TH_RST) &&
	    SEQ_LT(s->opts.ts_val, c->ts_recent) &&
	    (uint16_t)(TCP_TS_RECENT_T(w->now_ms) - c->ts_recent_t) <
	    TCP_TS_RECENT_T(TCP_PAWS_IDLE_MS)) {
		w->stats.tcp.PawsDrops++;
		tcp_ack_now(w, c);
		goto drop;
	}

	/* Acceptability (RFC 9293 3.10.7.4, first check). */
	if (seg_len == 0)
		ok = wnd == 0 ? s->seq == c->rcv_nxt :
			SEQ_IN_RANGE(s->seq, c->rcv_nxt, c->rcv_nxt + wnd);
	else
		ok = wnd != 0 &&
			(SEQ_IN_RANGE(s->seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
			 SEQ_IN_RANGE(s->seq + seg_len - 1, c->rcv_nxt,
				      c->rcv_nxt + wnd));
	/* Data before rcv_nxt (a retransmission we already have) is still
	 * ACKed below so the sender learns where we are. */
	if (!ok && !(s->flags & TH_RST) && seg_len > 0 &&
	    SEQ_LEQ(s->seq + seg_len, c->rcv_nxt)) {
		w->stats.tcp.DupSegs++;
		tcp_ack_now(w, c);
		goto drop;
	}
	if (!ok) {
		w->stats.tcp.OutOfWindow++;
		if (s->flags & TH_RST)
			goto drop;
		/* "If the RCV.WND is zero, no segments will be acceptable,
		 * but special allowance should be made to accept valid
		 * ACKs" (RFC 9293 3.10.7.4): data at RCV.NXT that we have
		 * no room for still tells us what of ours arrived.  Only
		 * there: an ACK from anywhere else could be blind. */
		if (wnd == 0 && s->seq == c->rcv_nxt &&
		    (s->flags & (TH_ACK | TH_SYN)) == TH_ACK &&
		    c->state != TCP_SYN_RECEIVED &&
		    tcp_in_ack(w, c, s) > 0) {
			rte_pktmbuf_free(m);
			return 1;
		}
		tcp_ack_now(w, c);
		goto drop;
	}

	c->last_rx_ms = (uint32_t)w->now_ms;
	c->ka_probes = 0;

	/* Timestamp to echo (RFC 7323 4.3): from the segment that covers
	 * the last ACK we sent. */
	if ((c->flags & TF_TSTAMP) && s->opts.has_ts &&
	    SEQ_LEQ(s->seq, c->last_ack_sent)) {
		c->ts_recent = s->opts.ts_val;
		c->ts_recent_t = TCP_TS_RECENT_T(w->now_ms);
	}

	if (s->flags & TH_RST) {
		w->stats.tcp.InRsts++;
		/* RFC 5961 3.2: only an exact match resets. */
		if (s->seq != c->rcv_nxt) {
			if (tcp_challenge_ack_allowed(w)) {
				w->stats.tcp.ChallengeAcks++;
				tcp_ack_now(w, c);
			}
			goto drop;
		}
		if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
			w->stats.tcp.EstabResets++;
		if (c->state == TCP_SYN_RECEIVED)
			w->stats.tcp.AttemptFails++;
		rte_pktmbuf_free(m);
		tcp_notify_closed(w, c, c->state == TCP_SYN_RECEIVED ?
				  ECONNREFUSED : ECONNRESET);
		tcp_conn_free(w, c);
		return 1;
	}

	if (s->flags & TH_SYN) {
		/* RFC 5961 4.2: a SYN in a synchronized state is answered
		 * with a challenge ACK, never with a reset of ours. */
		if (tcp_challenge_ack_allowed(w)) {
			w->stats.tcp.ChallengeAcks++;
			tcp_ack_now(w, c);
		}
		goto drop;
	}
	if (!(s->flags & TH_ACK))
		goto drop;

	if (c->state == TCP_SYN_RECEIVED) {
		if (SEQ_LEQ(s->ack, c->snd_una) ||
		    SEQ_GT(s->ack, c->snd_max)) {
			if (tcp_rst_allowed(w))
				tcp_send_reset_conn(w, c, s->ack, 0, 0);
			goto drop;
		}
		c->snd_wl1 = s->seq - 1;	/* let the update below run */
		tcp_tt_cancel(w, c, TCP_TT_RTX);
		tcp_start_sending(w, c, c->rtx_shift != 0);
		c->rtx_shift = 0;
		tcp_set_state(w, c, TCP_ESTABLISHED);
		if (c->flags & TF_PASSIVE)
			w->stats.tcp.PassiveOpens++;
		tcp_keepalive_arm(w, c);
		tcp_notify_connected(w, c);
	}

	rc = tcp_in_ack(w, c, s);
	if (rc > 0) {
		worker_free(w, m);
		return 1;
	}
	if (rc < 0)
		goto drop;

	/* URG is ignored: urgent data is delivered in line as plain data
	 * (RFC 6093 recommends exactly that). */
	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
		return tcp_in_data(w, c, s, m, wnd);
	case TCP_TIME_WAIT:
		goto drop;
	default:
		/* CLOSE_WAIT, CLOSING, LAST_ACK: the peer has finished; a
		 * repeated FIN only needs our ACK again. */
		if (s->flags & TH_FIN)
			tcp_ack_now(w, c);
		goto drop;
	}
drop:
	worker_free(w, m);
	return 0;
}

/*
 * Header prediction (Van Jacobson's; FreeBSD's tcp_input and Linux's
 * tcp_rcv_established have it): in ESTABLISHED nearly every segment is
 * the next one expected, with at most an ACK of data we sent and the
 * window unchanged.  For such a segment every check of
 * tcp_in_synchronized passes and most of what it does comes to nothing
 * (no trimming, no SACK, no duplicate ACK, no recovery, no reassembly),
 * so this does only the rest, through the same helpers.  Anything else
 * takes the general path: a flag other than ACK and PSH, data out of
 * order or past what we advertised, SACK blocks, a new window, an old
 * or missing timestamp, a repeated ACK without data, duplicate ACKs
 * counted, recovery, out-of-order data or a scoreboard held, an echo
 * (its window moves with its send buffer).  Returns 1 when it took the
 * segment (and m).
 */
static __rte_always_inline int
tcp_in_predicted(struct worker *w, struct tcp_conn *c,
		 const struct tcp_seg *s, struct rte_mbuf *m)
{
	if (c->state != TCP_ESTABLISHED ||
	    (s->flags & (TH_SYN | TH_FIN | TH_RST | TH_URG | TH_ACK)) !=
	    TH_ACK ||
	    s->seq != c->rcv_nxt || s->opts.n_sack != 0 ||
	    (c->flags & (TF_RECOVERY | TF_RCV_HOLD_SND)) != 0 ||
	    c->dupacks != 0 || c->ooo_i != 0 || c->sack_i != 0 ||
	    (s->wnd << c->snd_wscale) != c->snd_wnd ||
	    SEQ_LT(s->ack, c->snd_una) || SEQ_GT(s->ack, c->snd_max) ||
	    SEQ_GT(s->seq + s->len, c->rcv_adv) ||
	    (s->len == 0 && s->ack == c->snd_una))
		return 0;
	if ((c->flags & TF_TSTAMP) &&
	    (!s->opts.has_ts || SEQ_LT(s->opts.ts_val, c->ts_recent)))
		return 0;

	w->stats.tcp.PredictedSegs++;
	c->last_rx_ms = (uint32_t)w->now_ms;
	c->ka_probes = 0;
	if ((c->flags & TF_TSTAMP) && SEQ_LEQ(s->seq, c->last_ack_sent)) {
		c->ts_recent = s->opts.ts_val;
		c->ts_recent_t = TCP_TS_RECENT_T(w->now_ms);
	}
	/* Our FIN is not out in ESTABLISHED: nothing for fin_acked. */
	if (s->ack != c->snd_una)
		tcp_in_ack_new(w, c, s);
	tcp_in_wnd_update(w, c, s);
	/* The application, told of the ACK, may have closed. */
	if (s->len > 0 && (c->state == TCP_ESTABLISHED ||
			   c->state == TCP_FIN_WAIT_1)) {
		tcp_deliver(w, c, m, s->data_off, s->len);
		tcp_in_owe_ack(w, c, 0, s->len > c->mss &&
			       (m->ol_flags & RTE_MBUF_F_RX_LRO) != 0);
	}
	worker_free(w, m);
	return 1;
}

void
tcp_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	  uint32_t l4_off, uint32_t l4_len)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	const struct tcp_rx_hint *hint;
	struct tcp_addr6 a6;
	struct tcp_conn *c;
	struct tcp_seg s;
	uint32_t doff, src_ip, dst_ip;
	int v6;
	uint16_t sport, dport;
	uint64_t csum_flags;

	w->stats.tcp.InSegs++;
	if (l4_len < sizeof(*th) ||
	    rte_pktmbuf_data_len(m) < l4_off + sizeof(*th)) {
		w->stats.tcp.BadHeader++;
		w->stats.tcp.InErrs++;
		goto drop;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);
	/* The family by the version nibble: both headers start with it. */
	v6 = (ip->version_ihl >> 4) == 6;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, l4_off);
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (doff < sizeof(*th) || doff > l4_len ||
	    rte_pktmbuf_data_len(m) < l4_off + doff) {
		w->stats.tcp.BadHeader++;
		w->stats.tcp.InErrs++;
		goto drop;
	}
	/* GOOD: the port checked it.  NONE: the field is not filled in
	 * (a virtio peer offloaded it, an LRO merge) but the data was
	 * checked.  Anything else is checked here. */
	csum_flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (csum_flags == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
	    (csum_flags != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	     csum_flags != RTE_MBUF_F_RX_L4_CKSUM_NONE &&
	     (v6 ? cksum_ipv6_l4_verify(m, (const struct rte_ipv6_hdr *)
					(const void *)ip, l4_off, l4_len,
					IPPROTO_TCP) != 0 :
	      cksum_ipv4_l4_verify(m, ip, l4_off) != 0))) {
		w->stats.tcp.InCsumErrors++;
		w->stats.tcp.InErrs++;
		goto drop;
	}

	s.seq = rte_be_to_cpu_32(th->sent_seq);
	s.ack = rte_be_to_cpu_32(th->recv_ack);
	s.wnd = rte_be_to_cpu_16(th->rx_win);
	s.flags = th->tcp_flags;
	s.data_off = l4_off + doff;
	s.len = l4_len - doff;
	if (m->ol_flags & RTE_MBUF_F_RX_LRO)
		w->stats.tcp.LroSegsIn++;
	if (tcp_opt_parse((const uint8_t *)(th + 1), doff - sizeof(*th),
			  !!(s.flags & TH_SYN), &s.opts) != 0 ||
	    ((s.flags & TH_SYN) && (s.flags & (TH_FIN | TH_RST)))) {
		/* Malformed options; SYN+FIN and SYN+RST are never valid. */
		w->stats.tcp.BadHeader++;
		w->stats.tcp.InErrs++;
		goto drop;
	}

	sport = rte_be_to_cpu_16(th->src_port);
	dport = rte_be_to_cpu_16(th->dst_port);
	s.a6 = NULL;
	if (v6) {
		/* IPv6: the tuple in the table's terms (tcp_priv.h). */
		const uint8_t *ip6 = (const uint8_t *)ip;

		memcpy(a6.remote, ip6 + 8, sizeof(a6.remote));
		memcpy(a6.local, ip6 + 24, sizeof(a6.local));
		s.a6 = &a6;
		c = tcp_lookup6(w, &a6, sport, dport);
		w->tcp->rx_hint = NULL;
		src_ip = tcp_addr6_fold(&a6, w->tcp->hash_seed);
		dst_ip = 0;
		goto found;
	}
	src_ip = rte_be_to_cpu_32(ip->src_addr);
	dst_ip = rte_be_to_cpu_32(ip->dst_addr);
	/* The burst's hint, if it still holds: the tuple's live
	 * connection, or no connection when none that might be this
	 * tuple's was added since.  Anything else (freed, reused, opened
	 * meanwhile) is looked up. */
	hint = w->tcp->rx_hint;
	w->tcp->rx_hint = NULL;
	if (hint == NULL || !hint->looked_up) {
		c = tcp_lookup(w, src_ip, sport, dst_ip, dport);
	} else {
		c = hint->conn;
		if (c == NULL ? (w->tcp->burst_adds >> (hint->sig % 64)) & 1 :
		    c->state == TCP_CLOSED || c->remote_ip != src_ip ||
		    c->remote_port != sport || c->local_ip != dst_ip ||
		    c->local_port != dport)
			c = tcp_lookup_with_sig(w, src_ip, sport, dst_ip,
						dport, hint->sig);
	}
found:
	if (c != NULL && c->state == TCP_TIME_WAIT && (s.flags & TH_SYN) &&
	    !(s.flags & TH_ACK) && tcp_find_listener(w, dport) != NULL &&
	    (SEQ_GT(s.seq, c->rcv_nxt) ||
	     ((c->flags & TF_TSTAMP) && s.opts.has_ts &&
	      SEQ_GT(s.opts.ts_val, c->ts_recent)))) {
		/* A new incarnation of a tuple in TIME_WAIT (RFC 1122
		 * 4.2.2.13, RFC 6191): its sequence numbers or timestamps
		 * are beyond the old ones, so the old one can go. */
		w->stats.tcp.TimeWaitReused++;
		tcp_conn_free(w, c);
		c = NULL;
	}
	if (c == NULL) {
		const struct tcp_listener *l;

		if (v6 ? tcp_source6_bad(w, a6.remote) :
		    tcp_source_bad(w, src_ip)) {
			if ((s.flags & (TH_SYN | TH_ACK)) == TH_SYN)
				w->stats.tcp.SynFromBadSource++;
			else
				w->stats.tcp.NoConnection++;
			goto drop;
		}
		l = tcp_find_listener(w, dport);
		/* The ACK of a SYN cookie we may have sent (the last two
		 * counter values: Linux checks as long). */
		if (l != NULL &&
		    (s.flags & (TH_SYN | TH_RST | TH_ACK)) == TH_ACK &&
		    (w->cfg->tcp.syncookies == 2 ||
		     (w->tcp->cookie_sent_ms != 0 &&
		      w->now_ms + 1 - w->tcp->cookie_sent_ms <
		      SYNCOOKIE_MAX_AGE * 60000ull))) {
			c = tcp_in_cookie_ack(w, l, &s, src_ip, dst_ip, sport,
					      dport);
			if (c == NULL)
				goto drop;
			tcp_in_synchronized(w, c, &s, m);
			return;
		}
		if (l != NULL)
			tcp_in_listen(w, l, &s, src_ip, dst_ip, sport, dport);
		else
			tcp_in_no_conn(w, &s, src_ip, dst_ip, sport, dport);
		goto drop;
	}

	switch (c->state) {
	case TCP_SYN_SENT:
		tcp_in_syn_sent(w, c, &s);
		goto drop;
	case TCP_CLOSED:
	case TCP_LISTEN:
		goto drop;
	default:
		if (!tcp_in_predicted(w, c, &s, m))
			tcp_in_synchronized(w, c, &s, m);
		return;
	}
drop:
	worker_free(w, m);
}
