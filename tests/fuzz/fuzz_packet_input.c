/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the packet input path: frames go into a real
 * struct worker (worker_init, a real mbuf pool, a net_ring port) through
 * worker_rx_one -> eth_input -> ipv4_input / arp_input -> tcp_input, up
 * to the built-in HTTP server (port 80) and the echo server (port 7).
 * Our address is 198.18.0.2/24; the peer, 198.18.0.1, is a static
 * neighbour so that replies go out.
 *
 * What the stack sends is read back from the port (the net_ring vdev
 * loops its TX queue into its RX queue: the TX seam), so the peer played
 * here can answer what it saw.  Each input is a small program:
 *
 *   op byte, then its arguments (missing bytes read as 0):
 *   SYN      open connection slot k to port 80, 7 or another, with
 *            options (MSS, window scale, SACK-permitted, timestamps)
 *   SEG      a segment: flags, seq and ack relative to where the peer
 *            and the stack are, window, SACK blocks, a payload (canned
 *            HTTP requests or input bytes)
 *   PUMP     ACK everything the stack sent, with a wide window, a few
 *            times over: responses flow
 *   CLOCK    advance the clock by 1 ms .. 32 s and run the timers
 *   RAW      a frame of input bytes (IPv4, ARP or other EtherType),
 *            checksums fixed or not
 *   RAWTCP   a TCP header (options, flags, offsets) from input bytes in
 *            a correct IPv4 packet
 *   ARP      an ARP request or reply from the peer or a stranger
 *   ICMP     an echo request
 *   BURST    the next frames go in as one burst (tcp_lookup_burst)
 *
 * Every frame injected also takes a mode byte: split into a chain of 1-3
 * mbufs (after the headers, or anywhere), the RX checksum flags (GOOD,
 * BAD, NONE, UNKNOWN for IP and for L4) and RTE_MBUF_F_RX_LRO.
 *
 * After each input every connection is reset (tcp_reset_all, then the
 * application told and the block freed), learnt neighbours are deleted,
 * the timers are run and the seam drained; then no connection may be
 * left, no timer armed, and the pool's in-use count must be back at its
 * baseline.  Anything else abort()s: a leak the fuzzer reports.
 */

#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_arp.h>
#include <rte_hash.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "arp.h"
#include "config.h"
#include "echo_server.h"
#include "http_server.h"
#include "job.h"
#include "neigh.h"
#include "port.h"
#include "steer.h"
#include "tcp_priv.h"
#include "tcp_opt.h"
#include "worker.h"
#include "worker_loop.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUR_IP		0xc6120002	/* 198.18.0.2 */
#define PEER_IP		0xc6120001	/* 198.18.0.1: static neighbour */
#define STRANGER_IP	0xc6120009	/* on the link, not resolved */
#define FAR_IP		0x0a000001	/* off the link, no gateway */
#define HTTP_PORT	80
#define ECHO_PORT	7
#define N_SLOTS		4
#define MAX_FRAME	4096
#define MAX_FRAMES	256		/* injected per input */
#define MAX_CONNS	32
#define POOL_MBUFS	8191

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* One connection as the peer sees it. */
struct slot {
	int used;
	uint32_t ip;
	uint16_t sport, dport;
	uint32_t peer_nxt;	/* our next sequence number (the peer's) */
	uint32_t stack_max;	/* highest the stack sent, + SYN/FIN */
	uint32_t stack_ack;	/* what the stack acknowledged last */
	uint32_t acked;		/* what the peer acknowledged last */
	int ts;			/* we offered timestamps */
	uint32_t ts_val;	/* ours */
	uint32_t ts_recent;	/* the stack's, to echo */
	int sack;		/* we offered SACK-permitted */
	uint8_t wscale;
};

static struct app app;
static struct arp_table arp_table;
static struct job_registry job_registry;
static struct dpf_config cfg;
static struct worker *w;
static char runtime_dir[PATH_MAX];
static unsigned int pool_baseline;
static uint64_t armed_baseline;
static uint64_t now_us;
static struct slot slots[N_SLOTS];
/* DPF_FUZZ_VERBOSE set: a line per input (what a seed reaches). */
static int verbose;

/* Input reader: bytes past the end read as 0. */
struct in {
	const uint8_t *d;
	size_t n, i;
};

static uint32_t
get(struct in *in, int bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | (in->i < in->n ? in->d[in->i++] : 0);
	return v;
}

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_packet_input: %s\n", what);
	abort();
}

/* --- the clock ----------------------------------------------------------- */

static void
set_clock(void)
{
	w->now_us = now_us;
	w->now_ms = now_us / 1000;
	w->now_tsc = app.start_tsc + now_us * (app.tsc_hz / 1000000);
	w->ts_now = (uint32_t)(app.ts_base_ms + w->now_ms);
}

/* Advance by ms, running the timers at least once a wheel turn, as the
 * poll loop does (it runs them every iteration). */
static void
advance(uint64_t ms)
{
	uint64_t end = now_us + ms * 1000;

	do {
		now_us = now_us + 1000000 < end ? now_us + 1000000 : end;
		set_clock();
		timer_wheel_run(&w->wheel, w->now_us, w);
		arp_timer(w);
		tcp_output_flush(w);
		worker_tx_flush(w);
	} while (now_us < end);
}

/* --- the TX seam --------------------------------------------------------- */

static struct slot *
slot_of(uint32_t ip, uint16_t sport, uint16_t dport)
{
	unsigned int k;

	for (k = 0; k < N_SLOTS; k++)
		if (slots[k].used && slots[k].ip == ip &&
		    slots[k].sport == sport && slots[k].dport == dport)
			return &slots[k];
	return NULL;
}

/* What the stack sent, as the peer sees it. */
static void
seen(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	const uint8_t *opt;
	struct tcp_opts o;
	static uint8_t flat[16384];
	const uint8_t *p;
	struct slot *s;
	uint32_t hl, doff, len, seq, end, tl;

	if (m->data_len < sizeof(*eh) + sizeof(*ip) + sizeof(*th))
		return;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_TCP ||
	    m->data_len < sizeof(*eh) + hl + sizeof(*th))
		return;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + hl);
	doff = (uint32_t)(th->data_off >> 4) * 4;
	/* What we send is well-formed: checksums (in software on this
	 * port), lengths.  The TCP checksum is checked on a flat copy:
	 * DPDK 22.11's rte_raw_cksum_mbuf gets chains with an odd-length
	 * segment wrong (it swaps an unfolded sum). */
	tl = rte_be_to_cpu_16(ip->total_length);
	if (rte_ipv4_cksum(ip) != 0 || sizeof(*eh) + tl > m->pkt_len ||
	    tl > sizeof(flat) - sizeof(*eh) || doff < sizeof(*th) ||
	    hl + doff > tl)
		die("the stack sent a malformed TCP segment");
	p = rte_pktmbuf_read(m, 0, sizeof(*eh) + tl, flat);
	if (p == NULL ||
	    rte_ipv4_udptcp_cksum_verify(
		(const struct rte_ipv4_hdr *)(p + sizeof(*eh)),
		p + sizeof(*eh) + hl) != 0)
		die("the stack sent a TCP segment with a bad checksum");
	s = slot_of(rte_be_to_cpu_32(ip->dst_addr),
		    rte_be_to_cpu_16(th->dst_port),
		    rte_be_to_cpu_16(th->src_port));
	if (s == NULL || m->data_len < sizeof(*eh) + hl + doff)
		return;
	len = rte_be_to_cpu_16(ip->total_length) - hl - doff;
	seq = rte_be_to_cpu_32(th->sent_seq);
	end = seq + len + !!(th->tcp_flags & RTE_TCP_SYN_FLAG) +
		!!(th->tcp_flags & RTE_TCP_FIN_FLAG);
	if ((th->tcp_flags & RTE_TCP_SYN_FLAG) ||
	    (int32_t)(end - s->stack_max) > 0)
		s->stack_max = end;
	if (th->tcp_flags & RTE_TCP_ACK_FLAG)
		s->stack_ack = rte_be_to_cpu_32(th->recv_ack);
	opt = (const uint8_t *)(th + 1);
	if (tcp_opt_parse(opt, doff - sizeof(*th),
			  !!(th->tcp_flags & RTE_TCP_SYN_FLAG), &o) == 0 &&
	    o.has_ts)
		s->ts_recent = o.ts_val;
}

/* Read and free everything the stack sent. */
static void
drain(void)
{
	struct rte_mbuf *pkts[32];
	uint16_t n, i;

	tcp_output_flush(w);
	worker_tx_flush(w);
	do {
		n = rte_eth_rx_burst(app.port.id, 0, pkts, RTE_DIM(pkts));
		for (i = 0; i < n; i++) {
			seen(pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
	} while (n > 0);
}

/* --- building and injecting frames --------------------------------------- */

struct frame {
	uint8_t b[MAX_FRAME];
	uint32_t len;
	uint32_t l4;		/* where the headers end (0: unknown) */
};

static void
eth_hdr(struct frame *f, uint16_t type)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->b;

	rte_ether_addr_copy(&app.port.mac, &eh->dst_addr);
	memcpy(&eh->src_addr, peer_mac, 6);
	eh->ether_type = rte_cpu_to_be_16(type);
	f->len = sizeof(*eh);
}

/* An IPv4 header for proto, l4len bytes to follow; returns it. */
static struct rte_ipv4_hdr *
ip_hdr(struct frame *f, uint32_t src, uint8_t proto, uint32_t l4len)
{
	struct rte_ipv4_hdr *ip;

	eth_hdr(f, RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(f->b + f->len);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(OUR_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	f->len += sizeof(*ip);
	return ip;
}

/* A TCP segment from slot s; opt/olen: options (a multiple of 4). */
static void
tcp_frame(struct frame *f, const struct slot *s, uint8_t flags, uint32_t seq,
	  uint32_t ack, uint16_t win, const uint8_t *opt, uint32_t olen,
	  const uint8_t *pay, uint32_t plen)
{
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (14 + 20 + 20 + olen + plen > MAX_FRAME)
		plen = MAX_FRAME - (14 + 20 + 20 + olen);
	ip = ip_hdr(f, s->ip, IPPROTO_TCP, sizeof(*th) + olen + plen);
	th = (struct rte_tcp_hdr *)(f->b + f->len);
	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(s->sport);
	th->dst_port = rte_cpu_to_be_16(s->dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	memcpy(th + 1, opt, olen);
	f->len += sizeof(*th) + olen;
	f->l4 = f->len;
	if (plen > 0)
		memcpy(f->b + f->len, pay, plen);
	f->len += plen;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

static struct rte_mbuf *burst[32];
static unsigned int burst_n, burst_left, frames;

static void
deliver(struct rte_mbuf **pkts, unsigned int n)
{
	struct tcp_rx_hint hints[RTE_DIM(burst)];
	unsigned int i;

	if (n > 1) {
		tcp_lookup_burst(w, pkts, (uint16_t)n, hints);
		for (i = 0; i < n; i++) {
			w->tcp->rx_hint = &hints[i];
			worker_rx_one(w, pkts[i]);
		}
		w->tcp->rx_hint = NULL;
	} else if (n == 1) {
		worker_rx_one(w, pkts[0]);
	}
	drain();
}

/* Copy f into a chain of mbufs as mode says and hand it to the worker. */
static void
inject(struct frame *f, struct in *in)
{
	static const uint64_t ip_flags[4] = {
		RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	static const uint64_t l4_flags[4] = {
		RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_L4_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_NONE,
	};
	uint32_t mode = get(in, 1), nseg = 1 + mode % 3, cut[3], k, off = 0;
	struct rte_mbuf *head = NULL, *m;

	if (frames++ >= MAX_FRAMES || f->len == 0)
		return;
	/* Cut points: after the headers (the usual chain), or anywhere. */
	cut[0] = 0;
	for (k = 1; k < nseg; k++) {
		uint32_t lo = (mode & 0x80) || f->l4 == 0 ? 0 : f->l4;
		uint32_t r = get(in, 2);

		cut[k] = lo >= f->len ? f->len : lo + r % (f->len - lo + 1);
		if (cut[k] == 0)
			cut[k] = 1;
		if (cut[k] < cut[k - 1])
			cut[k] = cut[k - 1];
	}
	for (k = 0; k < nseg; k++) {
		uint32_t end = k + 1 < nseg ? cut[k + 1] : f->len;

		/* no empty mbufs after the first; a long piece takes as
		 * many as its length needs */
		if (k > 0 && off == end)
			continue;
		do {
			uint32_t n = end - off;

			m = rte_pktmbuf_alloc(app.pool);
			if (m == NULL) {
				rte_pktmbuf_free(head);
				return;
			}
			if (n > rte_pktmbuf_tailroom(m))
				n = rte_pktmbuf_tailroom(m);
			memcpy(rte_pktmbuf_append(m, (uint16_t)n), f->b + off,
			       n);
			off += n;
			if (head == NULL) {
				head = m;
			} else if (rte_pktmbuf_chain(head, m) != 0) {
				rte_pktmbuf_free(m);
				rte_pktmbuf_free(head);
				return;
			}
		} while (off < end);
	}
	head->ol_flags = ip_flags[(mode >> 2) & 3] | l4_flags[(mode >> 4) & 3];
	if (mode & 0x40)
		head->ol_flags |= RTE_MBUF_F_RX_LRO;
	head->port = app.port.id;
	if (burst_left > 0) {
		burst[burst_n++] = head;
		if (--burst_left == 0 || burst_n == RTE_DIM(burst)) {
			deliver(burst, burst_n);
			burst_n = 0;
			burst_left = 0;
		}
		return;
	}
	deliver(&head, 1);
}

/* --- the operations ------------------------------------------------------ */

static const char *const canned[] = {
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /bytes/100000 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /bytes/10 HTTP/1.1\r\n\r\nGET /bytes/20 HTTP/1.1\r\n\r\n",
	"HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n",
	"POST /bytes/5 HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789",
	"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"GET /bytes/3000 HTTP/1.1\r\nHo",
	"GET / HTTP/1.0\r\n\r\n",
	"GET /nothing HTTP/1.1\r\n\r\n",
	"GET / HTTP/2.0\r\n\r\n",
};

static uint32_t
opt_syn(uint8_t *o, struct slot *s, uint32_t bits, uint32_t mss, uint8_t ws)
{
	uint32_t n = 0;

	s->ts = !!(bits & 1);
	s->sack = !!(bits & 2);
	s->wscale = ws;
	if (bits & 4) {
		o[n++] = TCPOPT_MSS;
		o[n++] = 4;
		o[n++] = (uint8_t)(mss >> 8);
		o[n++] = (uint8_t)mss;
	}
	if (s->ts)
		n += tcp_opt_put_ts(o + n, s->ts_val, 0);
	if (s->sack) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_SACK_PERM;
		o[n++] = 2;
	}
	if (bits & 8) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_WSCALE;
		o[n++] = 3;
		o[n++] = ws;
	}
	return n;
}

static void
op_syn(struct in *in)
{
	static const uint16_t ports[4] = { HTTP_PORT, ECHO_PORT, HTTP_PORT,
					   81 };
	uint32_t a = get(in, 1), k = a % N_SLOTS;
	struct slot *s = &slots[k];
	struct frame f;
	uint8_t opt[40];
	uint32_t olen, isn = get(in, 4);

	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->ip = (a & 0x80) ? STRANGER_IP : PEER_IP;
	s->sport = (uint16_t)(40000 + k + (a & 0x40 ? 100 : 0));
	s->dport = ports[(a >> 2) & 3];
	s->ts_val = get(in, 4);
	olen = opt_syn(opt, s, get(in, 1), 64 + get(in, 2) % 1460,
		       (uint8_t)(get(in, 1) % 16));
	tcp_frame(&f, s, RTE_TCP_SYN_FLAG, isn, 0, (uint16_t)get(in, 2) | 1,
		  opt, olen, NULL, 0);
	s->peer_nxt = isn + 1;
	inject(&f, in);
}

/* base, near it (-64..63), or far: ahead (scale > 0) or behind. */
static uint32_t
rel(uint32_t base, uint32_t b, int32_t scale)
{
	if (b == 0)
		return base;
	if (b & 0x80)
		return base + (uint32_t)((int32_t)(b & 0x7f) * scale);
	return base + b - 64;
}

/* Timestamps and SACK blocks as the slot negotiated (or not). */
static uint32_t
opt_seg(uint8_t *o, struct slot *s, struct in *in, uint32_t nsack)
{
	uint32_t starts[3], ends[3], n = 0, k;

	if (s->ts) {
		s->ts_val += get(in, 1);
		n = tcp_opt_put_ts(o, s->ts_val, s->ts_recent);
	}
	/* Blocks above what the peer acknowledged last, as a receiver
	 * with holes reports them. */
	for (k = 0; k < nsack && k < 3; k++) {
		starts[k] = s->acked + get(in, 1) * 256;
		ends[k] = starts[k] + 64 * (1 + get(in, 1));
	}
	if (k > 0)
		n += tcp_opt_put_sack(o + n, starts, ends, k);
	return n;
}

static void
op_seg(struct in *in)
{
	uint32_t a = get(in, 1), fl = get(in, 1), seqb = get(in, 1);
	uint32_t ackb = get(in, 1), pk = get(in, 1), plen;
	struct slot *s = &slots[a % N_SLOTS];
	uint8_t opt[40], pay[2048];
	const uint8_t *p = pay;
	struct frame f;
	uint32_t olen, seq, ack, k;
	uint8_t flags;

	if (!s->used)
		return;
	/* Mostly ACK (with PSH for data); the fuzzer may set any. */
	flags = (uint8_t)(fl & 0x80 ? fl : (RTE_TCP_ACK_FLAG | (fl & 0x0f)));
	if (pk < 2 * RTE_DIM(canned)) {
		p = (const uint8_t *)canned[pk % RTE_DIM(canned)];
		plen = (uint32_t)strlen((const char *)p);
	} else {
		plen = (pk - 2 * RTE_DIM(canned)) * 8;
		for (k = 0; k < plen && k < sizeof(pay); k++)
			pay[k] = (uint8_t)get(in, 1);
		if (plen > sizeof(pay))
			plen = sizeof(pay);
	}
	if (a & 0x40)
		plen = 0;
	seq = rel(s->peer_nxt, seqb, 512);
	ack = rel(s->stack_max, ackb, -256);
	if (flags & RTE_TCP_ACK_FLAG)
		s->acked = ack;
	olen = opt_seg(opt, s, in, (a >> 4) & 3);
	tcp_frame(&f, s, flags, seq, ack, (uint16_t)get(in, 2), opt, olen, p,
		  plen);
	if (seq == s->peer_nxt)
		s->peer_nxt += plen + !!(flags & RTE_TCP_FIN_FLAG);
	inject(&f, in);
}

static void
op_pump(struct in *in)
{
	uint32_t a = get(in, 1), n = 1 + (a >> 2) % 16, k;
	struct slot *s = &slots[a % N_SLOTS];
	struct frame f;
	uint8_t opt[40];
	uint32_t olen;

	if (!s->used)
		return;
	for (k = 0; k < n; k++) {
		olen = opt_seg(opt, s, in, 0);
		tcp_frame(&f, s, RTE_TCP_ACK_FLAG, s->peer_nxt, s->stack_max,
			  0xffff, opt, olen, NULL, 0);
		s->acked = s->stack_max;
		inject(&f, in);
	}
}

static void
op_raw(struct in *in, int fix_tcp)
{
	static const uint16_t types[4] = {
		RTE_ETHER_TYPE_IPV4, RTE_ETHER_TYPE_ARP, RTE_ETHER_TYPE_VLAN,
		0x86dd,
	};
	uint32_t a = get(in, 1), len = get(in, 1) + 1, k;
	struct slot *s = &slots[a % N_SLOTS];
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct frame f;

	if (!fix_tcp) {
		eth_hdr(&f, types[(a >> 2) & 3]);
		if (a & 0x10)	/* not for us */
			f.b[0] = 0x04;
		if (a & 0x20)
			memset(f.b, 0xff, 6);
		for (k = 0; k < len; k++)
			f.b[f.len++] = (uint8_t)get(in, 1);
		f.l4 = 0;
		ip = (struct rte_ipv4_hdr *)(f.b + 14);
		if ((a & 0x40) && len >= sizeof(*ip)) {
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		inject(&f, in);
		return;
	}
	/* A TCP header of input bytes (ports from a slot or not) in a
	 * correct IPv4 packet, checksum right unless asked otherwise. */
	len = 20 + len % 60;
	ip = ip_hdr(&f, s->used ? s->ip : PEER_IP, IPPROTO_TCP, len);
	th = (struct rte_tcp_hdr *)(f.b + f.len);
	for (k = 0; k < len; k++)
		f.b[f.len++] = (uint8_t)get(in, 1);
	if (s->used && (a & 0x10)) {
		th->src_port = rte_cpu_to_be_16(s->sport);
		th->dst_port = rte_cpu_to_be_16(s->dport);
		th->sent_seq = rte_cpu_to_be_32(s->peer_nxt);
		th->recv_ack = rte_cpu_to_be_32(s->stack_max);
	}
	f.l4 = f.len;
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	if (a & 0x20)
		th->cksum ^= 0x0101;
	inject(&f, in);
}

static void
op_arp(struct in *in)
{
	static const uint32_t ips[4] = { PEER_IP, STRANGER_IP, OUR_IP,
					 FAR_IP };
	uint32_t a = get(in, 1);
	struct rte_arp_hdr *ah;
	struct frame f;

	eth_hdr(&f, RTE_ETHER_TYPE_ARP);
	ah = (struct rte_arp_hdr *)(f.b + f.len);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = 6;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(a & 1 ? RTE_ARP_OP_REPLY :
					  RTE_ARP_OP_REQUEST);
	memcpy(&ah->arp_data.arp_sha, peer_mac, 6);
	ah->arp_data.arp_sha.addr_bytes[5] = (uint8_t)get(in, 1);
	ah->arp_data.arp_sip = rte_cpu_to_be_32(ips[(a >> 1) & 3]);
	memset(&ah->arp_data.arp_tha, 0, 6);
	ah->arp_data.arp_tip = rte_cpu_to_be_32(ips[(a >> 3) & 3]);
	f.len += sizeof(*ah);
	f.l4 = f.len;
	inject(&f, in);
}

static void
op_icmp(struct in *in)
{
	uint32_t len = 8 + get(in, 1) * 4, k;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ih;
	struct frame f;

	ip = ip_hdr(&f, PEER_IP, IPPROTO_ICMP, len);
	ih = (struct rte_icmp_hdr *)(f.b + f.len);
	memset(ih, 0, sizeof(*ih));
	ih->icmp_type = (uint8_t)(get(in, 1) & 1 ? 8 : get(in, 1));
	f.len += sizeof(*ih);
	for (k = sizeof(*ih); k < len; k++)
		f.b[f.len++] = (uint8_t)k;
	ih->icmp_cksum = ~rte_raw_cksum(ih, len);
	f.l4 = f.len;
	(void)ip;
	inject(&f, in);
}

/* --- set-up and the end of each input ------------------------------------ */

static void
remove_runtime_dir(void)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d = opendir(runtime_dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", runtime_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(runtime_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64], err[256];
	char *eal[] = {
		"fuzz_packet_input", "--no-huge", "--no-pci", "-m", "256",
		"--file-prefix", prefix, "--log-level", "error", "--no-shconf",
		"--no-telemetry", "-l", "0", "--vdev", "net_ring0",
	};
	uint16_t pid;

	(void)argc;
	(void)argv;
	verbose = getenv("DPF_FUZZ_VERBOSE") != NULL;
	snprintf(prefix, sizeof(prefix), "fuzz-%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		die("rte_eal_init failed");
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	atexit(remove_runtime_dir);
	config_init(&cfg);
	cfg.ip = OUR_IP;
	cfg.prefix_len = 24;
	cfg.max_conns = MAX_CONNS;
	cfg.listen_port = HTTP_PORT;
	cfg.echo_port = ECHO_PORT;
	/* Limits within the fuzzer's reach: a small send buffer and
	 * out-of-order queue, keepalive on. */
	cfg.tcp.sndbuf = 256 * 1024;
	cfg.tcp.max_ooo_segs = 16;
	cfg.tcp.keepalive_s = 30;
	app.cfg = &cfg;
	app.n_workers = 1;
	app_time_init(&app);
	app.ts_base_ms = 1000;
	app.pool = rte_pktmbuf_pool_create("fuzz_mbufs", POOL_MBUFS, 0,
		RTE_ALIGN(sizeof(struct tcp_seg_cb), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (app.pool == NULL)
		die("no mbuf pool");
	if (port_pick(0, 0, &pid, err, sizeof(err)) != 0 ||
	    port_init(&app.port, pid, 1, cfg.mtu, app.pool, steer_default_key,
		      0, err, sizeof(err)) != 0)
		die(err);
	if (steer_init(&app.steer, 1, app.port.rss, app.port.reta_size,
		       steer_default_key) != 0)
		die("steer_init failed");
	app.arp = &arp_table;
	app.jobs = &job_registry;
	neigh_init(&app.arp->neigh, app.arp->entries, NEIGH_TABLE_SIZE,
		   cfg.arp.retries, cfg.arp.retry_ms,
		   cfg.arp.reachable_s * 1000, &arp_neigh_ops);
	rte_seqlock_init(&app.arp->lock);
	job_registry_init(app.jobs);
	w = rte_zmalloc("worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (w == NULL || worker_init(w, &app, rte_lcore_id(), 0) != 0)
		die("worker_init failed");
	app.workers[0] = w;
	now_us = w->now_us + 1000000;
	set_clock();
	neigh_add_static(&app.arp->neigh, PEER_IP, peer_mac, w->now_ms, w);
	if (http_server_start(w, HTTP_PORT) != 0 ||
	    echo_server_start(w, ECHO_PORT) != 0)
		die("services failed");
	drain();
	pool_baseline = rte_mempool_in_use_count(app.pool);
	armed_baseline = w->wheel.n_armed;
	return 0;
}

/* Reset every connection: RSTs go out (tcp_reset_all), then each is
 * reported closed to its application and freed. */
static void
reset_all(void)
{
	struct tcp_conn *conns[64];
	const void *key;
	void *data;
	uint32_t iter, n, k;

	tcp_reset_all(w);
	/* Not while iterating: freeing deletes from the table. */
	do {
		iter = 0;
		n = 0;
		while (n < RTE_DIM(conns) &&
		       rte_hash_iterate(w->tcp->table, &key, &data, &iter) >= 0)
			conns[n++] = data;
		for (k = 0; k < n; k++) {
			tcp_notify_closed(w, conns[k], ECONNRESET);
			tcp_abort(w, conns[k]);
		}
	} while (n == RTE_DIM(conns));
	drain();
}

/* Forget what ARP learnt (and what waits for an answer). */
static void
forget_neighbours(void)
{
	uint32_t ips[NEIGH_TABLE_SIZE], n = 0, k;

	for (k = 0; k < app.arp->neigh.size; k++)
		if (app.arp->entries[k].ip != 0 &&
		    !app.arp->entries[k].is_static)
			ips[n++] = app.arp->entries[k].ip;
	rte_seqlock_write_lock(&app.arp->lock);
	for (k = 0; k < n; k++)
		neigh_delete(&app.arp->neigh, ips[k], w);
	rte_seqlock_write_unlock(&app.arp->lock);
}

static void
check_clean(void)
{
	unsigned int in_use;

	if (w->tcp->n_conns != 0 || w->tcp->n_estab != 0)
		die("connections left after reset");
	if (rte_mempool_in_use_count(w->tcp->conn_pool) != 0)
		die("connection blocks not given back");
	if (rte_mempool_in_use_count(w->tcp->sack_pool) != 0)
		die("SACK boards not given back");
	if (w->wheel.n_armed != armed_baseline)
		die("timers left armed after every connection went");
	if (w->tx_n != 0)
		die("frames left in the TX backlog");
	in_use = rte_mempool_in_use_count(app.pool);
	if (in_use != pool_baseline) {
		fprintf(stderr,
			"fuzz_packet_input: mbuf leak: %u in use, baseline %u\n",
			in_use, pool_baseline);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { .d = data, .n = size, .i = 0 };

	memset(slots, 0, sizeof(slots));
	frames = 0;
	burst_n = 0;
	burst_left = 0;
	while (in.i < in.n && frames < MAX_FRAMES) {
		uint32_t op = get(&in, 1);

		switch (op % 10) {
		case 0:
			op_syn(&in);
			break;
		case 1:
		case 2:
			op_seg(&in);
			break;
		case 3:
			op_pump(&in);
			break;
		case 4: {
			uint32_t b = get(&in, 1);

			advance(1 + ((uint64_t)(b & 0x3f) << ((b >> 6) * 3)));
			break;
		}
		case 5:
			op_raw(&in, 0);
			break;
		case 6:
			op_raw(&in, 1);
			break;
		case 7:
			op_arp(&in);
			break;
		case 8:
			op_icmp(&in);
			break;
		case 9:
			if (burst_left == 0)
				burst_left = 2 + op / 10 % 6;
			break;
		}
	}
	if (burst_n > 0)
		deliver(burst, burst_n);
	burst_n = 0;
	burst_left = 0;

	if (verbose)
		fprintf(stderr,
			"fuzz_packet_input: %u frames in, %lu out, %u open, %lu estab, %lu requests, %lu echoed, %lu resets in, %lu SACK blocks, %lu retransmits\n",
			frames, (unsigned long)w->stats.port.tx_packets,
			w->tcp->n_conns, (unsigned long)w->tcp->n_estab,
			(unsigned long)w->stats.httpd.requests,
			(unsigned long)w->stats.echo.bytes,
			(unsigned long)w->stats.tcp.InRsts,
			(unsigned long)w->stats.tcp.SackBlocksReceived,
			(unsigned long)w->stats.tcp.RetransSegs);
	reset_all();
	forget_neighbours();
	/* Past every deadline a closed connection could have left. */
	advance(2000);
	drain();
	check_clean();
	return 0;
}
