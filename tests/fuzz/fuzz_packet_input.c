/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the packet input path: frames go into a real
 * struct worker (worker_init, a real mbuf pool, a net_ring port) through
 * worker_rx_one -> eth_input -> ipv4_input / arp_input -> tcp_input, up
 * to the built-in HTTP server (port 80) and the echo server (port 7).
 * Our address is 198.18.0.2/24; the peer, 198.18.0.1, is a static
 * neighbour so that replies go out.  The worker, the port, the clock,
 * building and injecting frames and the leak check are the shared test
 * harness's (tests/support/stack_harness.h).
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

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "stack_harness.h"
#include "tcp_priv.h"
#include "tcp_opt.h"
#include "worker.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PEER_IP		SH_PEER_IP
#define STRANGER_IP	0xc6120009	/* on the link, not resolved */
#define FAR_IP		0x0a000001	/* off the link, no gateway */
#define HTTP_PORT	80
#define ECHO_PORT	7
#define N_SLOTS		4
#define MAX_FRAMES	256		/* injected per input */
#define POOL_MBUFS	8191

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

static struct stack_harness h;
static struct worker *w;
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

/* What the stack sent, as the peer sees it (the harness parsed it). */
static void
seen(struct stack_harness *hh, const struct sh_tx *t, void *arg)
{
	struct slot *s;
	uint32_t end;

	(void)hh;
	(void)arg;
	if (!t->tcp)
		return;
	if (t->err != NULL)
		die(t->err);
	s = slot_of(t->dst_ip, t->dport, t->sport);
	if (s == NULL)
		return;
	end = t->seq + t->len + !!(t->flags & RTE_TCP_SYN_FLAG) +
		!!(t->flags & RTE_TCP_FIN_FLAG);
	if ((t->flags & RTE_TCP_SYN_FLAG) ||
	    (int32_t)(end - s->stack_max) > 0)
		s->stack_max = end;
	if (t->flags & RTE_TCP_ACK_FLAG)
		s->stack_ack = t->ack;
	if (t->opts_ok && t->opts.has_ts)
		s->ts_recent = t->opts.ts_val;
}

/* --- building and injecting frames --------------------------------------- */

/* A TCP segment from slot s; opt/olen: options (a multiple of 4). */
static void
tcp_frame(struct sh_frame *f, const struct slot *s, uint8_t flags,
	  uint32_t seq, uint32_t ack, uint16_t win, const uint8_t *opt,
	  uint32_t olen, const uint8_t *pay, uint32_t plen)
{
	const struct sh_seg seg = {
		.src_ip = s->ip, .sport = s->sport, .dport = s->dport,
		.flags = flags, .seq = seq, .ack = ack, .win = win,
		.opt = opt, .olen = olen, .pay = pay, .plen = plen,
	};

	sh_tcp_frame(&h, f, &seg);
}

static struct rte_mbuf *burst[32];
static unsigned int burst_n, burst_left, frames;

/* Copy f into a chain of mbufs as mode says and hand it to the worker. */
static void
inject(struct sh_frame *f, struct in *in)
{
	static const uint64_t ip_flags[4] = {
		RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	static const uint64_t l4_flags[4] = {
		RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_L4_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_NONE,
	};
	uint32_t mode = get(in, 1), nseg = 1 + mode % 3, cut[3], k;
	uint64_t ol_flags;
	struct rte_mbuf *head;

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
	ol_flags = ip_flags[(mode >> 2) & 3] | l4_flags[(mode >> 4) & 3];
	if (mode & 0x40)
		ol_flags |= RTE_MBUF_F_RX_LRO;
	head = sh_frame_mbuf(&h, f, cut + 1, nseg - 1, ol_flags);
	if (head == NULL)
		return;
	if (burst_left > 0) {
		burst[burst_n++] = head;
		if (--burst_left == 0 || burst_n == RTE_DIM(burst)) {
			sh_deliver(&h, burst, burst_n);
			burst_n = 0;
			burst_left = 0;
		}
		return;
	}
	sh_deliver(&h, &head, 1);
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
	struct sh_frame f;
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
	struct sh_frame f;
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
	struct sh_frame f;
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
	struct sh_frame f;

	if (!fix_tcp) {
		sh_eth_hdr(&h, &f, types[(a >> 2) & 3]);
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
	ip = sh_ip_hdr(&h, &f, s->used ? s->ip : PEER_IP, IPPROTO_TCP, len);
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
	static const uint32_t ips[4] = { PEER_IP, STRANGER_IP, SH_OUR_IP,
					 FAR_IP };
	uint32_t a = get(in, 1);
	struct rte_arp_hdr *ah;
	struct sh_frame f;

	sh_eth_hdr(&h, &f, RTE_ETHER_TYPE_ARP);
	ah = (struct rte_arp_hdr *)(f.b + f.len);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = 6;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(a & 1 ? RTE_ARP_OP_REPLY :
					  RTE_ARP_OP_REQUEST);
	memcpy(&ah->arp_data.arp_sha, sh_peer_mac, 6);
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
	struct sh_frame f;

	ip = sh_ip_hdr(&h, &f, PEER_IP, IPPROTO_ICMP, len);
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

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("DPF_FUZZ_VERBOSE") != NULL;
	if (sh_eal_init("fuzz_packet_input") != 0)
		die("rte_eal_init failed");
	sh_config_init(&h);
	h.cfg.listen_port = HTTP_PORT;
	h.cfg.echo_port = ECHO_PORT;
	/* Limits within the fuzzer's reach: a small send buffer and
	 * out-of-order queue, keepalive on. */
	h.cfg.tcp.sndbuf = 256 * 1024;
	h.cfg.tcp.max_ooo_segs = 16;
	h.cfg.tcp.keepalive_s = 30;
	h.on_tx = seen;
	if (sh_start(&h, POOL_MBUFS) != 0)
		die(h.err);
	w = h.w;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { .d = data, .n = size, .i = 0 };
	const char *err;

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

			sh_advance(&h, 1 + ((uint64_t)(b & 0x3f) <<
					    ((b >> 6) * 3)));
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
		sh_deliver(&h, burst, burst_n);
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
	sh_reset(&h);
	err = sh_check_clean(&h);
	if (err != NULL)
		die(err);
	return 0;
}
