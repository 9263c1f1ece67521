/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: deciding what to send and building segments.
 *
 * Call chain:
 *   tcp_output_flush()     end of every RX burst and loop iteration
 *     tcp_output()         SACK holes in recovery (RFC 6675), new data
 *                          within cwnd and snd_wnd, FIN, or an ACK
 *       tcp_emit()         one segment: header, options, payload copy
 *         ipv4_output()    IPv4 header, checksums, next hop, Ethernet
 *   tcp_send_syn()         from tcp_connect(), listeners, SYN retransmit
 *   tcp_retransmit()       fast retransmit and partial ACKs
 *   tcp_send_reset()       segments without a connection, aborts
 *
 * Output is deferred: input processing and applications only mark a
 * connection (tcp_output_schedule), so a burst of arriving segments
 * produces one ACK rather than one per segment, and the ACK carries the
 * latest window and SACK state.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
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

#define TCP_HDR_LEN	20
#define TCP_COPY_MAX	512	/* payloads up to this are copied, not cloned */

/* The MSS we offer: what fits our MTU (RFC 9293 3.7.1) under the
 * family's header (IPv6's is 40 bytes, IPv4's 20). */
static uint16_t
tcp_mss_offer(const struct worker *w, const struct tcp_addr6 *a6)
{
	return (uint16_t)(w->app->port.mtu - (a6 != NULL ? 60 : 40));
}

/* Where the TCP header of a frame we build starts. */
static inline uint32_t
tcp_l4_off(const struct tcp_addr6 *a6)
{
	return a6 != NULL ? IPV6_L4_OFF : IPV4_L4_OFF;
}

/* Hand a built frame to the family's output (which sums the TCP
 * checksum, in software or on the port). */
static void
tcp_ip_output(struct worker *w, struct rte_mbuf *m, uint32_t local_ip,
	      uint32_t remote_ip, const struct tcp_addr6 *a6)
{
	if (a6 != NULL)
		ipv6_output(w, m, a6->local, a6->remote, IPPROTO_TCP);
	else
		ipv4_output(w, m, local_ip, remote_ip, IPPROTO_TCP);
}

uint32_t
tcp_rcv_window(struct worker *w, const struct tcp_conn *c)
{
	uint32_t space = w->cfg->tcp.rcvbuf;
	uint32_t max = (uint32_t)65535 << c->rcv_wscale;

	/* The out-of-order queue costs what its buffers cost: half its
	 * true size (Linux's rcvbuf doubling) when that is more than its
	 * payload, so tiny segments close the window. */
	if (c->ooo_i != 0) {
		const struct tcp_reass *q = tcp_ooo_ptr(w->tcp, c);
		uint32_t held = RTE_MAX(q->bytes, q->truesize / 2);

		space = space > held ? space - held : 0;
	}

	if (space > max)
		space = max;
	/* An application that turns received bytes into sent ones (echo)
	 * can only take what its send buffer can hold. */
	if (c->flags & TF_RCV_HOLD_SND) {
		uint32_t room = tcp_send_space(w, c);

		if (space > room)
			space = room;
	}
	/* Never move the right edge back (RFC 9293 3.8.6.2.2). */
	if (SEQ_LT(c->rcv_nxt + space, c->rcv_adv))
		space = SEQ_DIFF(c->rcv_adv, c->rcv_nxt);
	return space;
}

/*
 * The mbuf of the send buffer holding the byte off bytes past snd_una,
 * and that byte's offset in it.  Segments are taken in order, so the
 * walk starts where the previous one ended; only a retransmission from
 * further back starts again at the head.
 */
static struct rte_mbuf *
sndbuf_seek(struct tcp_sndbuf *sb, uint32_t off, uint32_t *moff)
{
	struct rte_mbuf *m = sb->head;
	uint32_t pos;

	if (m == NULL)
		return NULL;
	pos = SNDBUF_POS(m) + sb->head_off + off;
	if (sb->cur != NULL && (int32_t)(pos - SNDBUF_POS(sb->cur)) >= 0)
		m = sb->cur;
	while (m != NULL && pos - SNDBUF_POS(m) >= m->data_len)
		m = m->next;
	if (m == NULL)
		return NULL;
	sb->cur = m;
	*moff = pos - SNDBUF_POS(m);
	return m;
}

/*
 * Of len bytes from off past snd_una, how many lie in the first
 * max_pieces mbufs of the send buffer: a large (TSO) segment chains one
 * reference per piece, and a port takes only so many per frame.
 */
static uint32_t
sndbuf_span(struct tcp_sndbuf *sb, uint32_t off, uint32_t len,
	    unsigned int max_pieces)
{
	struct rte_mbuf *m = sndbuf_seek(sb, off, &off);
	uint32_t got = 0;

	if (sndbuf_is_ref(sb))
		return RTE_MIN(len, sb->len - off);
	while (m != NULL && got < len && max_pieces-- > 0) {
		got += (uint32_t)m->data_len - off;
		off = 0;
		m = m->next;
	}
	return RTE_MIN(got, len);
}

/* Copy len bytes starting off bytes past snd_una out of the send buffer. */
static void
sndbuf_copy(struct tcp_sndbuf *sb, uint32_t off, uint8_t *dst, uint32_t len)
{
	struct rte_mbuf *m = sndbuf_seek(sb, off, &off);

	if (sndbuf_is_ref(sb)) {
		memcpy(dst, sb->ref + off, len);
		return;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off),
		       n);
		dst += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

void
tcp_const_region(struct worker *w, const void *base, size_t len)
{
	struct tcp_stack *ts = w->tcp;

	memset(ts->sum_memo, 0, sizeof(ts->sum_memo));
	ts->const_base = base;
	ts->const_len = len;
}

/* The folded sum of n bytes at p: remembered when p lies in the constant
 * region (tcp_const_region), else summed from p, which the copy has just
 * read.  Not from the copy: its lines are a fresh mbuf's, and loads from
 * them wait for the stores' cache misses. */
static uint16_t
tcp_slice_sum(struct tcp_stack *ts, const uint8_t *p, uint32_t n)
{
	struct tcp_sum_memo *e;
	uint16_t sum;

	if (ts->const_base == NULL || p < ts->const_base ||
	    (size_t)(p - ts->const_base) + n > ts->const_len)
		return cksum_fold(cksum_add(p, n, 0));
	e = &ts->sum_memo[(((uintptr_t)p >> 1) ^ n) & (TCP_SUM_MEMO - 1)];
	if (e->p == p && e->len == n)
		return (uint16_t)e->sum;
	sum = cksum_fold(cksum_add(p, n, 0));
	e->p = p;
	e->len = n;
	e->sum = sum;
	return sum;
}

/* The sum, folded, and a bit above it that says it is known. */
#define TCP_REF_SUM_KNOWN	0x10000u

uint32_t
tcp_ref_sum(const void *data, uint32_t len)
{
	return TCP_REF_SUM_KNOWN | cksum_fold(cksum_add(data, len, 0));
}

/*
 * sndbuf_copy that also gives the running sum of the bytes copied, as
 * if summed in place from an even offset: a piece that starts at an odd
 * byte of the whole has its sum byte-swapped (as cksum_mbuf does).
 */
static uint64_t
sndbuf_copy_sum(struct tcp_stack *ts, struct tcp_sndbuf *sb, uint32_t off,
		uint8_t *dst, uint32_t len)
{
	struct rte_mbuf *m = sndbuf_seek(sb, off, &off);
	uint64_t sum = 0;
	uint32_t done = 0;

	if (sndbuf_is_ref(sb)) {
		memcpy(dst, sb->ref + off, len);
		/* The whole, which the application summed once for all. */
		if (sb->ref_sum != 0 && off == 0 && len == sb->len)
			return (uint16_t)sb->ref_sum;
		return tcp_slice_sum(ts, sb->ref + off, len);
	}
	while (m != NULL && done < len) {
		uint32_t n = RTE_MIN(len - done, (uint32_t)m->data_len - off);
		const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *,
							   off);

		memcpy(dst + done, p, n);
		sum += cksum_at(tcp_slice_sum(ts, p, n), done);
		done += n;
		off = 0;
		m = m->next;
	}
	return sum;
}

/*
 * Chain len bytes of the send buffer (from off past snd_una) behind the
 * headers in m as indirect mbufs: the payload is sent by reference and
 * the send buffer keeps it for retransmission.  Returns -1 when out of
 * mbufs (m is left as it was).
 */
static int
sndbuf_attach(struct worker *w, struct tcp_sndbuf *sb, uint32_t off,
	      struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *sm, *last = m, *first = NULL;
	uint32_t added = 0;
	uint16_t segs = 0;

	sm = sndbuf_seek(sb, off, &off);
	while (sm != NULL && added < len) {
		uint32_t n = RTE_MIN(len - added, (uint32_t)sm->data_len - off);
		struct rte_mbuf *cl = rte_pktmbuf_alloc(w->app->pool);

		if (cl == NULL) {
			rte_pktmbuf_free(first);
			last->next = NULL;
			return -1;
		}
		rte_pktmbuf_attach(cl, sm);
		cl->data_off += off;
		cl->data_len = n;
		cl->pkt_len = n;
		if (first == NULL)
			first = cl;
		last->next = cl;
		last = cl;
		added += n;
		segs++;
		off = 0;
		sm = sm->next;
	}
	m->nb_segs += segs;
	m->pkt_len += added;
	w->stats.tcp.SendClones += segs;
	return 0;
}

/* Options for a non-SYN segment: timestamps and SACK blocks. */
static uint32_t
tcp_write_options(struct worker *w, struct tcp_conn *c, uint8_t *opt,
		  int with_sack)
{
	uint32_t n = 0;

	if (c->flags & TF_TSTAMP)
		n += tcp_opt_put_ts(opt + n, w->ts_now + c->ts_off,
				    c->ts_recent);
	if (with_sack && (c->flags & TF_SACK) &&
	    tcp_ooo_of(w->tcp, c)->nsegs > 0) {
		uint32_t starts[4], ends[4];
		unsigned int nb, max = (c->flags & TF_TSTAMP) ? 3 : 4;

		nb = tcp_reass_sack_blocks(tcp_ooo_ptr(w->tcp, c), starts,
					   ends, max);
		n += tcp_opt_put_sack(opt + n, starts, ends, nb);
		w->stats.tcp.SackBlocksSent += nb;
	}
	return n;
}

/*
 * The running sum (cksum.h) of the header tcp_emit wrote, its checksum
 * zero, from the values it wrote instead of from memory: summing it
 * back 8 bytes at a time, over bytes just written by narrower stores,
 * cannot take them from the store buffer and waits for the stores to
 * complete (18 % of ipv4_output_sum's samples on a server taking new
 * connections).  16-bit words as they lie in memory: a big-endian field
 * as held after rte_cpu_to_be_*, the offset and flag bytes as one word.
 * Options other than the timestamp alone (a SYN's, SACK blocks) are
 * summed from memory.
 */
static uint64_t
tcp_hdr_sum(const struct rte_tcp_hdr *th, uint32_t seq_be, uint32_t ack_be,
	    uint16_t win_be, const uint8_t *opt, uint32_t optlen,
	    int ts_only, uint32_t ts_val, uint32_t ts_ecr)
{
	static const uint8_t ts_kind[4] = {
		TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10
	};
	uint64_t sum = (uint64_t)th->src_port + th->dst_port + seq_be +
		ack_be + (uint16_t)(th->data_off | th->tcp_flags << 8) +
		win_be;
	uint32_t kind;

	if (ts_only) {
		memcpy(&kind, ts_kind, sizeof(kind));
		sum += (uint64_t)kind + rte_cpu_to_be_32(ts_val) +
			rte_cpu_to_be_32(ts_ecr);
	} else if (optlen > 0) {
		sum += cksum_add(opt, optlen, 0);
	}
	return sum;
}

/*
 * Build and send one segment of the connection: seq, flags, and len
 * payload bytes taken from the send buffer at seq.  Returns 0 or -1.
 */
static int
tcp_emit(struct worker *w, struct tcp_conn *c, uint32_t seq, uint8_t flags,
	 uint32_t len)
{
	const struct tcp_addr6 *a6 = tcp_conn_a6(w->tcp, c);
	uint32_t l4_off = tcp_l4_off(a6);
	struct rte_mbuf *m = worker_alloc(w);
	struct rte_tcp_hdr *th;
	uint8_t *opt;
	uint32_t optlen, win, presum_len = 0, seq_be, ack_be;
	uint16_t win_be;
	uint64_t presum = 0;
	int ts_only = 0;

	if (m == NULL) {
		w->stats.tcp.DropNoMbuf++;
		return -1;
	}
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, l4_off);
	opt = (uint8_t *)(th + 1);
	if (flags & RTE_TCP_SYN_FLAG) {
		/* A SYN-ACK answers only what the SYN offered (RFC 7323
		 * 3.2, RFC 2018 2). */
		int synack = !!(flags & RTE_TCP_ACK_FLAG);

		optlen = tcp_opt_put_syn(opt, tcp_mss_offer(w, a6),
					 synack ? !!(c->flags & TF_SACK) :
					 (int)w->cfg->tcp.sack,
					 synack ? !!(c->flags & TF_TSTAMP) :
					 (int)w->cfg->tcp.timestamps,
					 w->ts_now + c->ts_off, c->ts_recent,
					 synack ? !!(c->flags & TF_WSCALE) :
					 (int)w->cfg->tcp.wscale, c->rcv_wscale);
	} else {
		optlen = tcp_write_options(w, c, opt, len == 0);
		/* the timestamp option alone: its sum is known */
		ts_only = optlen == TCPOLEN_TS_ALIGNED &&
			(c->flags & TF_TSTAMP);
	}
	optlen = (optlen + 3) & ~3u;

	th->src_port = rte_cpu_to_be_16(c->local_port);
	th->dst_port = rte_cpu_to_be_16(c->remote_port);
	seq_be = rte_cpu_to_be_32(seq);
	ack_be = (flags & RTE_TCP_ACK_FLAG) ? rte_cpu_to_be_32(c->rcv_nxt) : 0;
	th->sent_seq = seq_be;
	th->recv_ack = ack_be;
	th->data_off = (uint8_t)(((TCP_HDR_LEN + optlen) / 4) << 4);
	th->tcp_flags = flags;
	win = tcp_rcv_window(w, c);
	if (flags & RTE_TCP_SYN_FLAG) {
		/* The window in a SYN is never scaled (RFC 7323 2.2). */
		win_be = rte_cpu_to_be_16((uint16_t)RTE_MIN(win, 65535u));
		/* Before the peer's SYN, rcv_nxt means nothing yet. */
		if (flags & RTE_TCP_ACK_FLAG)
			c->rcv_adv = c->rcv_nxt + RTE_MIN(win, 65535u);
	} else {
		uint32_t scaled = win >> c->rcv_wscale;
		uint32_t edge = c->rcv_nxt + (scaled << c->rcv_wscale);

		win_be = rte_cpu_to_be_16((uint16_t)scaled);
		/* Scaling rounds down, so the edge on the wire may fall a
		 * little short of one announced before; the peer may still
		 * use the old one, so remember the furthest. */
		if (SEQ_GT(edge, c->rcv_adv))
			c->rcv_adv = edge;
	}
	th->rx_win = win_be;
	th->cksum = 0;
	th->tcp_urp = 0;
	m->l4_len = TCP_HDR_LEN + optlen;
	m->data_len = m->pkt_len = l4_off + TCP_HDR_LEN + optlen;
	/* Small payloads are copied: a clone costs an mbuf, a reference
	 * count on each side and a second segment for the port to walk,
	 * more than copying a few hundred bytes.  So are payloads that fit
	 * the frame's own mbuf on a port that sums them in software
	 * anyway (memif, af_packet, af_xdp): the bytes are read for the
	 * checksum and copied again by the port, and a copy in cache costs
	 * less than a reference per send buffer mbuf the segment spans. */
	/* A send buffer by reference has no mbuf to clone: its segments
	 * are copied, and fit (tcp_send_ref leaves room for them). */
	if (len > TCP_COPY_MAX && w->app->port.tx_multi_seg &&
	    !sndbuf_is_ref(tcp_snd_ptr(w->tcp, c)) &&
	    (w->app->port.tx_tcp_cksum ||
	     len > rte_pktmbuf_tailroom(m))) {
		if (sndbuf_attach(w, tcp_snd_ptr(w->tcp, c),
				  SEQ_DIFF(seq, c->snd_una), m, len) != 0) {
			rte_pktmbuf_free(m);
			w->stats.tcp.DropNoMbuf++;
			return -1;
		}
	} else if (len > 0 && a6 == NULL && !w->app->port.tx_tcp_cksum) {
		/* Summed as it is copied, from memory that may have been
		 * summed before: IPv4 sums only the headers then. */
		presum = sndbuf_copy_sum(w->tcp, tcp_snd_ptr(w->tcp, c),
					 SEQ_DIFF(seq, c->snd_una),
					 opt + optlen, len);
		presum_len = len;
		m->data_len += len;
		m->pkt_len += len;
	} else if (len > 0) {
		sndbuf_copy(tcp_snd_ptr(w->tcp, c), SEQ_DIFF(seq, c->snd_una),
			    opt + optlen, len);
		m->data_len += len;
		m->pkt_len += len;
	}

	if (len > c->mss) {
		/* A TSO segment (tcp_output cuts these only where the port
		 * segments): the port replicates the headers for each
		 * tso_segsz bytes and keeps PSH and FIN for the last. */
		m->tso_segsz = c->mss;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		w->stats.tcp.TsoSends++;
		w->stats.tcp.OutSegs += (len + c->mss - 1) / c->mss - 1;
	}
	if (flags & RTE_TCP_ACK_FLAG) {
		c->last_ack_sent = c->rcv_nxt;
		c->flags &= ~(TF_ACK_NOW | TF_DELACK);
		c->segs_unacked = 0;
		tcp_tt_cancel(w, c, TCP_TT_DELACK);
	}
	w->stats.tcp.OutSegs++;
	w->stats.tcp.DataBytesOut += len;
	if (flags & RTE_TCP_RST_FLAG)
		w->stats.tcp.OutRsts++;
	/* Summed in software over IPv4, the payload copied (and summed)
	 * or none: the header's sum joins the payload's, and IPv4 reads
	 * none of the segment back. */
	if (a6 == NULL && !w->app->port.tx_tcp_cksum &&
	    (presum_len > 0 || len == 0))
		ipv4_output_tcp_presum(w, m, c->local_ip, c->remote_ip,
				       TCP_HDR_LEN + optlen + presum_len,
				       presum + tcp_hdr_sum(th, seq_be, ack_be,
							    win_be, opt,
							    optlen, ts_only,
							    w->ts_now +
							    c->ts_off,
							    c->ts_recent));
	else
		tcp_ip_output(w, m, c->local_ip, c->remote_ip, a6);
	return 0;
}

int
tcp_send_syn(struct worker *w, struct tcp_conn *c)
{
	uint8_t flags = RTE_TCP_SYN_FLAG;

	if (c->state == TCP_SYN_RECEIVED)
		flags |= RTE_TCP_ACK_FLAG;
	/* Until the SYN is acknowledged snd_una is ISS. */
	if (tcp_emit(w, c, c->snd_una, flags, 0) != 0)
		return -1;
	/* Time the handshake unless this is a retransmission (Karn). */
	if (c->rtx_shift == 0) {
		c->rtt_seq = c->snd_una;
		c->rtt_start_us = (uint32_t)w->now_us | 1;
	} else {
		c->rtt_start_us = 0;
	}
	if (SEQ_LEQ(c->snd_nxt, c->snd_una)) {
		c->snd_nxt = c->snd_una + 1;
		c->snd_max = c->snd_nxt;
	}
	return 0;
}

void
tcp_send_ack(struct worker *w, struct tcp_conn *c)
{
	if (tcp_emit(w, c, c->snd_nxt, RTE_TCP_ACK_FLAG, 0) == 0)
		w->stats.tcp.PureAcksSent++;
}

void
tcp_retransmit(struct worker *w, struct tcp_conn *c, uint32_t seq,
	       uint32_t len)
{
	uint32_t fin_seq = c->snd_una + tcp_snd_of(w->tcp, c)->len;
	uint8_t flags = RTE_TCP_ACK_FLAG;

	if (SEQ_LT(seq, c->snd_una) || SEQ_GT(seq + len, fin_seq))
		return;
	if (seq + len == fin_seq && (c->flags & TF_FIN_SENT))
		flags |= RTE_TCP_FIN_FLAG;
	if (len == 0 && !(flags & RTE_TCP_FIN_FLAG))
		return;
	if (len > 0 && seq + len == fin_seq)
		flags |= RTE_TCP_PSH_FLAG;
	if (tcp_emit(w, c, seq, flags, len) == 0) {
		w->stats.tcp.RetransSegs++;
		c->rtt_start_us = 0;	/* Karn */
	}
}

void
tcp_retransmit_head(struct worker *w, struct tcp_conn *c)
{
	uint32_t len = RTE_MIN((uint32_t)c->mss, tcp_snd_of(w->tcp, c)->len);

	tcp_retransmit(w, c, c->snd_una, len);
	c->retrans_count++;
	/* Holes are scanned again from just after it; SACKs of data sent
	 * from now on will tell whether this one got lost too. */
	tcp_set_high_rxt(w->tcp, c, c->snd_una + len);
	tcp_set_rxt_mark(w->tcp, c, c->snd_max);
}

void
tcp_send_keepalive(struct worker *w, struct tcp_conn *c)
{
	w->stats.tcp.KeepaliveProbes++;
	tcp_emit(w, c, c->snd_una - 1, RTE_TCP_ACK_FLAG, 0);
}

/* Park c until the TX backlog drains (see tcp_output_flush); unless it
 * is on the output list already (tcp_output called outside a flush). */
static void
tcp_output_defer(struct worker *w, struct tcp_conn *c)
{
	w->stats.tcp.TxBacklogDefers++;
	if (c->flags & TF_OUTPUT_LIST)
		return;
	c->flags |= TF_OUTPUT_LIST;
	c->output_next = w->tcp->output_deferred;
	w->tcp->output_deferred = tcp_conn_index(w->tcp, c);
}

/* Retransmit SACK holes while the pipe has room (RFC 6675 5 (C)). */
static int
tcp_output_sack_recovery(struct worker *w, struct tcp_conn *c)
{
	const struct tcp_sack_board *sb = tcp_sack_of(w->tcp, c);
	uint32_t start, len;
	int sent = 0;

	while (tcp_sack_pipe(sb, c->snd_una, c->snd_max,
			     tcp_high_rxt(w->tcp, c), c->mss) + c->mss <=
	       c->cc.cwnd &&
	       tcp_sack_next_hole(sb, c->snd_una, tcp_high_rxt(w->tcp, c),
				  &start, &len)) {
		len = RTE_MIN(len, (uint32_t)c->mss);
		len = RTE_MIN(len, tcp_snd_of(w->tcp, c)->len -
			      SEQ_DIFF(start, c->snd_una));
		if (len == 0 || tcp_emit(w, c, start, RTE_TCP_ACK_FLAG,
					 len) != 0)
			break;
		tcp_set_high_rxt(w->tcp, c, start + len);
		c->rtt_start_us = 0;
		w->stats.tcp.RetransSegs++;
		w->stats.tcp.SackRetrans++;
		sent = 1;
	}
	return sent;
}

/* Receiver SWS avoidance (RFC 9293 3.8.6.2.2): announce a window that
 * grew by at least two segments or half the buffer. */
static int
tcp_window_update_due(struct worker *w, const struct tcp_conn *c)
{
	uint32_t now = tcp_rcv_window(w, c);
	uint32_t adv = SEQ_GT(c->rcv_adv, c->rcv_nxt) ?
		SEQ_DIFF(c->rcv_adv, c->rcv_nxt) : 0;

	return now > adv && (now - adv >= 2u * c->mss ||
			     now - adv >= w->cfg->tcp.rcvbuf / 2);
}

void
tcp_output(struct worker *w, struct tcp_conn *c)
{
	uint32_t fin_seq, off, flight, room, wnd_end, seg_max;
	int sack_recovery, sent = 0;

	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		break;
	case TCP_SYN_RECEIVED:
	case TCP_FIN_WAIT_2:
	case TCP_TIME_WAIT:
		if (c->flags & TF_ACK_NOW)
			tcp_send_ack(w, c);
		return;
	default:
		return;
	}

	sack_recovery = (c->flags & (TF_RECOVERY | TF_SACK)) ==
		(TF_RECOVERY | TF_SACK);
	if (sack_recovery)
		sent = tcp_output_sack_recovery(w, c);

	/* New data within what cwnd and the peer's window leave. */
	fin_seq = c->snd_una + tcp_snd_of(w->tcp, c)->len;
	flight = sack_recovery ?
		tcp_sack_pipe(tcp_sack_of(w->tcp, c), c->snd_una, c->snd_max,
			      tcp_high_rxt(w->tcp, c), c->mss) :
		SEQ_DIFF(c->snd_nxt, c->snd_una);
	room = c->cc.cwnd > flight ? c->cc.cwnd - flight : 0;
	/* Limited transmit (RFC 3042): a segment beyond cwnd for each of
	 * the first two duplicate ACKs. */
	if (!(c->flags & TF_RECOVERY) && c->dupacks > 0 && c->dupacks <= 2)
		room += (uint32_t)c->dupacks * c->mss;
	wnd_end = c->snd_una + c->snd_wnd;
	off = SEQ_DIFF(c->snd_nxt, c->snd_una);
	seg_max = c->mss;
	/* Both families: tso_max_payload leaves room for the largest
	 * headers under IPv4's total length and IPv6's payload length. */
	if (w->app->port.tx_tso)
		seg_max = w->app->port.tso_max_payload / c->mss * c->mss;
	while (off < tcp_snd_of(w->tcp, c)->len) {
		uint32_t len = RTE_MIN(seg_max, tcp_snd_of(w->tcp, c)->len - off);
		uint32_t wroom = SEQ_GT(wnd_end, c->snd_nxt) ?
			SEQ_DIFF(wnd_end, c->snd_nxt) : 0;
		uint8_t flags = RTE_TCP_ACK_FLAG;

		if (room < wroom)
			wroom = room;
		len = RTE_MIN(len, wroom);
		if (len == 0)
			break;
		if (len > c->mss) {
			/* One TSO segment, as long as the port can chain
			 * it, and whole MSS-sized segments unless it ends
			 * the data: the port must not cut a runt in the
			 * middle either. */
			len = sndbuf_span(tcp_snd_ptr(w->tcp, c), off, len,
					  w->app->port.tx_max_segs - 1u);
			if (len > c->mss && off + len < tcp_snd_of(w->tcp, c)->len)
				len -= len % c->mss;
			if (len < c->mss)
				len = RTE_MIN((uint32_t)c->mss, wroom);
		}
		/* Sender SWS avoidance (RFC 9293 3.8.6.2.1): no runt in
		 * the middle of the data while ACKs are still to come. */
		if (len < c->mss && off + len < tcp_snd_of(w->tcp, c)->len && flight > 0)
			break;
		if (off + len == tcp_snd_of(w->tcp, c)->len) {
			flags |= RTE_TCP_PSH_FLAG;
			if (c->flags & TF_FIN_QUEUED)
				flags |= RTE_TCP_FIN_FLAG;
		}
		if (w->tx_n >= TX_DATA_LIMIT) {
			tcp_output_defer(w, c);
			break;
		}
		if (SEQ_LT(c->snd_nxt, c->snd_max))
			w->stats.tcp.RetransSegs++;
		if (tcp_emit(w, c, c->snd_nxt, flags, len) != 0)
			break;
		if (c->rtt_start_us == 0 && !(c->flags & TF_TSTAMP) &&
		    !SEQ_LT(c->snd_nxt, c->snd_max)) {
			/* Karn: time only first transmissions. */
			c->rtt_seq = c->snd_nxt;
			c->rtt_start_us = (uint32_t)w->now_us | 1;
		}
		c->snd_nxt += len;
		if (flags & RTE_TCP_FIN_FLAG)
			c->snd_nxt++;
		c->snd_max = SEQ_MAX(c->snd_max, c->snd_nxt);
		off += len;
		room -= len;
		flight += len;
		sent = 1;
	}
	/* A FIN on its own: all data is out and nothing stops it. */
	if ((c->flags & TF_FIN_QUEUED) && c->snd_nxt == fin_seq) {
		if (SEQ_LT(c->snd_nxt, c->snd_max))
			w->stats.tcp.RetransSegs++;
		if (tcp_emit(w, c, c->snd_nxt,
			     RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, 0) == 0) {
			c->snd_nxt++;
			c->snd_max = SEQ_MAX(c->snd_max, c->snd_nxt);
			sent = 1;
		}
	}
	if ((c->flags & TF_FIN_QUEUED) && SEQ_GT(c->snd_nxt, fin_seq) &&
	    !(c->flags & TF_FIN_SENT)) {
		c->flags |= TF_FIN_SENT;
		if (c->state == TCP_ESTABLISHED)
			tcp_set_state(w, c, TCP_FIN_WAIT_1);
		else if (c->state == TCP_CLOSE_WAIT)
			tcp_set_state(w, c, TCP_LAST_ACK);
	}
	if (!sent && ((c->flags & TF_ACK_NOW) ||
		      tcp_window_update_due(w, c)))
		tcp_send_ack(w, c);
	/* Something unacknowledged, or data blocked by a zero window: the
	 * retransmission timer doubles as the persist timer. */
	if (!tcp_tt_armed(c, TCP_TT_RTX) &&
	    (SEQ_LT(c->snd_una, c->snd_max) ||
	     (tcp_snd_of(w->tcp, c)->len > SEQ_DIFF(c->snd_nxt, c->snd_una))))
		tcp_rtx_arm(w, c);
}

void
tcp_output_flush(struct worker *w)
{
	struct tcp_conn *c;

	/* A send buffer went back while others were refused one: they
	 * may queue again (their sent callback runs). */
	if (w->tcp->snd_wake && obj_pool_avail(&w->tcp->snd_pool) >=
	    w->tcp->snd_pool.n / 16 + 1) {
		w->tcp->snd_wake = 0;
		w->tcp->snd_refused = 0;
		if (w->snd_starved > 0 && !w->mbufs_low)
			tcp_mem_wake(w);
	}
	/* Deferred data goes first once the port has taken the backlog
	 * down again. */
	if (w->tcp->output_deferred != 0 && w->tx_n < TX_DATA_LIMIT) {
		struct tcp_conn *last = tcp_conn_at(w->tcp,
						    w->tcp->output_deferred);

		while (last->output_next != 0)
			last = tcp_conn_at(w->tcp, last->output_next);
		last->output_next = w->tcp->output_list;
		w->tcp->output_list = w->tcp->output_deferred;
		w->tcp->output_deferred = 0;
	}
	while ((c = tcp_conn_or_null(w->tcp, w->tcp->output_list)) != NULL) {
		w->tcp->output_list = c->output_next;
		c->flags &= ~TF_OUTPUT_LIST;
		if (c->flags & TF_ABORT) {
			tcp_notify_closed(w, c, ECONNABORTED);
			tcp_abort(w, c);
			continue;
		}
		tcp_output(w, c);
	}
}

void
tcp_send_synack_cookie(struct worker *w, uint32_t local_ip,
		       uint32_t remote_ip, const struct tcp_addr6 *a6,
		       uint16_t local_port,
		       uint16_t remote_port, uint32_t iss, uint32_t rcv_nxt,
		       int wscale, int sack, int ts, uint32_t tsval,
		       uint32_t tsecr)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint32_t optlen;

	/* Nothing keeps it but the frame: one waits per unresolved
	 * neighbour, the others are dropped (the peer's SYN comes again). */
	if (a6 == NULL ? !arp_reply_ok(w, remote_ip) :
	    !nd_reply_ok(w, a6->remote)) {
		w->stats.tcp.SynAckNoNeigh++;
		return;
	}
	m = worker_alloc(w);
	if (m == NULL) {
		w->stats.tcp.DropNoMbuf++;
		return;
	}
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, tcp_l4_off(a6));
	optlen = tcp_opt_put_syn((uint8_t *)(th + 1), tcp_mss_offer(w, a6),
				 sack,
				 ts, tsval, tsecr, wscale >= 0,
				 wscale >= 0 ? (uint8_t)wscale : 0);
	optlen = (optlen + 3) & ~3u;
	th->src_port = rte_cpu_to_be_16(local_port);
	th->dst_port = rte_cpu_to_be_16(remote_port);
	th->sent_seq = rte_cpu_to_be_32(iss);
	th->recv_ack = rte_cpu_to_be_32(rcv_nxt);
	th->data_off = (uint8_t)(((TCP_HDR_LEN + optlen) / 4) << 4);
	th->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	/* What a connection would offer in its SYN-ACK (never scaled);
	 * the cookie's ACK rebuilds rcv_adv from the same. */
	th->rx_win = rte_cpu_to_be_16((uint16_t)RTE_MIN(w->cfg->tcp.rcvbuf,
							65535u));
	th->cksum = 0;
	th->tcp_urp = 0;
	m->l4_len = TCP_HDR_LEN + optlen;
	m->data_len = m->pkt_len = tcp_l4_off(a6) + TCP_HDR_LEN + optlen;
	w->stats.tcp.OutSegs++;
	tcp_ip_output(w, m, local_ip, remote_ip, a6);
}

void
tcp_send_reset(struct worker *w, uint32_t local_ip, uint32_t remote_ip,
	       const struct tcp_addr6 *a6, uint16_t local_port,
	       uint16_t remote_port, uint32_t seq, uint32_t ack, int with_ack)
{
	struct rte_mbuf *m = worker_alloc(w);
	struct rte_tcp_hdr *th;

	if (m == NULL)
		return;
	th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, tcp_l4_off(a6));
	th->src_port = rte_cpu_to_be_16(local_port);
	th->dst_port = rte_cpu_to_be_16(remote_port);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = with_ack ? rte_cpu_to_be_32(ack) : 0;
	th->data_off = (TCP_HDR_LEN / 4) << 4;
	th->tcp_flags = RTE_TCP_RST_FLAG | (with_ack ? RTE_TCP_ACK_FLAG : 0);
	th->rx_win = 0;
	th->cksum = 0;
	th->tcp_urp = 0;
	m->data_len = m->pkt_len = tcp_l4_off(a6) + TCP_HDR_LEN;
	m->l4_len = TCP_HDR_LEN;
	w->stats.tcp.OutSegs++;
	w->stats.tcp.OutRsts++;
	tcp_ip_output(w, m, local_ip, remote_ip, a6);
}

void
tcp_send_reset_conn(struct worker *w, const struct tcp_conn *c,
		    uint32_t seq, uint32_t ack, int with_ack)
{
	tcp_send_reset(w, c->local_ip, c->remote_ip, tcp_conn_a6(w->tcp, c),
		       c->local_port, c->remote_port, seq, ack, with_ack);
}
