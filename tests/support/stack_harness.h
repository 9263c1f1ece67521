/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A real struct worker for tests that drive the packet path: EAL in
 * --no-huge --no-shconf mode, a real mbuf pool, a net_ring port whose TX
 * queue loops into its RX queue (the TX seam: what the stack sends is
 * read back from the port), a static neighbour for the peer, and a clock
 * under the test's control.  lwIP's test/unit/tcp/tcp_helper.c plays the
 * same part for lwIP.
 *
 * Used by tests/unit/test_tcp_input.c (cases) and
 * tests/fuzz/fuzz_packet_input.c (libFuzzer).  One harness per process:
 * EAL is initialised once.
 *
 *   sh_eal_init(name)        EAL, with a --file-prefix unique to the
 *                            process; its runtime directory goes at exit
 *   sh_config_init(h)        defaults: 198.18.0.2/24, the peer
 *                            198.18.0.1; the caller may change h->cfg
 *   sh_start(h, mbufs)       pool, port, worker, neighbour, the servers
 *                            of cfg.listen_port and cfg.echo_port; the
 *                            baseline of the leak check
 *   sh_tcp_frame(h, f, seg)  a TCP/IPv4 frame from the peer (options,
 *                            payload, checksums right)
 *   sh_frame_mbuf()          a frame into an mbuf chain, cut where asked
 *   sh_deliver(h, pkts, n)   a burst into the worker (tcp_lookup_burst,
 *                            worker_rx_one), then sh_drain
 *   sh_drain(h)              flush TCP output and TX; every frame sent
 *                            is parsed (checked: checksums, lengths) and
 *                            handed to h->on_tx, then freed
 *   sh_advance(h, ms)        move the clock, running the timers at least
 *                            every h->step_us as the poll loop would
 *   sh_reset(h)              reset every connection, forget learnt
 *                            neighbours, run out every timer
 *   sh_check_clean(h)        NULL, or what was left (connections,
 *                            timers, TX backlog, mbufs over baseline)
 *   sh_fini(h)               tear everything down, EAL included
 */
#ifndef DPF_STACK_HARNESS_H
#define DPF_STACK_HARNESS_H

#include <limits.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "app.h"
#include "arp.h"
#include "config.h"
#include "job.h"
#include "tcp_opt.h"

#define SH_OUR_IP	0xc6120002	/* 198.18.0.2/24 */
#define SH_PEER_IP	0xc6120001	/* 198.18.0.1: static neighbour */
#define SH_MAX_FRAME	4096
#define SH_TX_FLAT	16384		/* largest frame the seam reads */

extern const uint8_t sh_peer_mac[6];

struct stack_harness;

/* One frame the stack sent, as the peer sees it. */
struct sh_tx {
	const struct rte_mbuf *m;
	/* An IPv4 TCP segment: the fields below are filled in. */
	int tcp;
	/* Not NULL: the segment is malformed (checksum, lengths). */
	const char *err;
	uint8_t dst_mac[6];
	uint32_t src_ip, dst_ip;	/* host order, as all below */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;			/* as on the wire, unscaled */
	int opts_ok;			/* the options parsed */
	struct tcp_opts opts;
	uint32_t olen;			/* option bytes */
	uint32_t len;			/* payload bytes */
	const uint8_t *payload;		/* valid during the callback */
};

typedef void sh_tx_fn(struct stack_harness *h, const struct sh_tx *tx,
		      void *arg);

struct stack_harness {
	struct app app;
	struct dpf_config cfg;
	struct arp_table arp;
	struct job_registry jobs;
	struct worker *w;
	uint64_t now_us;		/* the clock the worker sees */
	/* sh_advance runs the timers at least this often (default 1 s). */
	uint64_t step_us;
	/* Called for every frame sh_drain reads from the seam. */
	sh_tx_fn *on_tx;
	void *on_tx_arg;
	unsigned int pool_baseline;	/* mbufs in use when idle */
	uint64_t armed_baseline;	/* timers armed when idle */
	char err[256];
	uint8_t flat[SH_TX_FLAT];
};

/* A frame being built. */
struct sh_frame {
	uint8_t b[SH_MAX_FRAME];
	uint32_t len;
	uint32_t l4;		/* where the headers end (0: unknown) */
};

/* A TCP segment from the peer to us (host order). */
struct sh_seg {
	uint32_t src_ip;	/* 0: SH_PEER_IP */
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win;
	const uint8_t *opt;	/* a multiple of 4 bytes */
	uint32_t olen;
	const void *pay;
	uint32_t plen;
};

/* EAL for a test program called name: 0, or -1 (why on stderr). */
int
sh_eal_init(const char *name);

void
sh_config_init(struct stack_harness *h);

/* 0, or -1 with h->err saying why. */
int
sh_start(struct stack_harness *h, unsigned int pool_mbufs);

void
sh_fini(struct stack_harness *h);

/* Write the worker's clock from h->now_us. */
void
sh_set_clock(struct stack_harness *h);

void
sh_advance(struct stack_harness *h, uint64_t ms);

/* Frames from the peer's MAC to the port's. */
void
sh_eth_hdr(const struct stack_harness *h, struct sh_frame *f, uint16_t type);

/* An IPv4 header from src to us for proto, l4len bytes to follow. */
struct rte_ipv4_hdr *
sh_ip_hdr(const struct stack_harness *h, struct sh_frame *f, uint32_t src,
	  uint8_t proto, uint32_t l4len);

/* Payloads that would not fit SH_MAX_FRAME are cut short. */
void
sh_tcp_frame(const struct stack_harness *h, struct sh_frame *f,
	     const struct sh_seg *s);

/*
 * f copied into a chain of mbufs: pieces end at cuts[0..ncuts) (rising
 * offsets; an empty piece after the first is skipped, a long one takes as
 * many mbufs as it needs), ol_flags set (the RX checksum flags; 0 is
 * "unknown": TCP checks in software).  NULL when the pool is empty.
 */
struct rte_mbuf *
sh_frame_mbuf(struct stack_harness *h, const struct sh_frame *f,
	      const uint32_t *cuts, unsigned int ncuts, uint64_t ol_flags);

/* pkts[0..n) through worker_rx_one as one received burst, then drain. */
void
sh_deliver(struct stack_harness *h, struct rte_mbuf **pkts, unsigned int n);

/* The segment, in one mbuf, delivered alone; -1 if out of mbufs. */
int
sh_send_seg(struct stack_harness *h, const struct sh_seg *s);

void
sh_drain(struct stack_harness *h);

void
sh_reset(struct stack_harness *h);

const char *
sh_check_clean(struct stack_harness *h);

#endif /* DPF_STACK_HARNESS_H */
