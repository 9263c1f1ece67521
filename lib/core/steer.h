/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow steering: which worker lcore owns a TCP tuple, and getting each
 * packet to it.
 *
 * Workers share nothing on the data path, so every packet of a
 * connection must be processed by the lcore whose table holds it.  Two
 * ways get it there:
 *
 *   STEER_RSS   the port hashes with a key and redirection table we
 *               programmed.  rte_softrss() computes the same Toeplitz
 *               hash, so a client picks each source port such that the
 *               server's replies land in its own queue (as mTCP, WARP17
 *               and Seastar do); passive connections simply belong to
 *               the queue their SYN arrived on.
 *   STEER_SOFT  the port cannot be told how to hash (net_af_packet's
 *               kernel fanout, memif, virtio, single-queue NICs).  The
 *               owner is derived from the tuple in software: the local
 *               port for connections we opened (each worker allocates
 *               source ports in its own residue class), a hash of the
 *               remote end for connections to our listeners.  A worker
 *               that receives a packet it does not own hands it to the
 *               owner over that owner's multi-producer rte_ring.
 *
 * With a single worker neither is needed (STEER_SINGLE).  ARP and ICMP
 * are handled wherever they arrive.
 */

#ifndef DPF_STEER_H
#define DPF_STEER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ring.h>
#include <rte_thash.h>

#define STEER_MAX_WORKERS	RTE_MAX_LCORE
#define STEER_RETA_MAX		512
#define STEER_RING_SIZE		4096
#define STEER_KEY_LEN		40

enum steer_mode {
	STEER_SINGLE = 0,
	STEER_RSS,
	STEER_SOFT,
};

struct steer {
	enum steer_mode mode;
	uint16_t n_workers;
	uint16_t reta_size;		/* power of two (STEER_RSS) */
	uint16_t reta[STEER_RETA_MAX];	/* entry -> queue == worker index */
	uint8_t rss_key[STEER_KEY_LEN];
	/* Ports our listeners use, one bit each (STEER_SOFT). */
	uint64_t listen_bits[65536 / 64];
	struct rte_ring *rings[STEER_MAX_WORKERS];	/* handoff, per owner */
};

/* The well-known symmetric key (0x6d5a repeated): a tuple and its
 * reverse hash alike, which keeps RSS and softrss in step whichever
 * direction a NIC hashes. */
extern const uint8_t steer_default_key[STEER_KEY_LEN];

/*
 * Set up for n_workers; rss: the port was programmed with rss_key and a
 * round-robin table of reta_size entries over the workers' queues.
 * Creates the handoff rings in STEER_SOFT mode.  0 or -errno.
 */
int
steer_init(struct steer *s, uint16_t n_workers, int rss, uint16_t reta_size,
	   const uint8_t *rss_key);

void
steer_fini(struct steer *s);

static inline uint32_t
steer_rss_hash(const struct steer *s, uint32_t src_ip, uint32_t dst_ip,
	       uint16_t sport, uint16_t dport)
{
	struct rte_ipv4_tuple t;

	t.src_addr = src_ip;
	t.dst_addr = dst_ip;
	t.sport = sport;
	t.dport = dport;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, s->rss_key);
}

static inline int
steer_is_listen_port(const struct steer *s, uint16_t port)
{
	return (s->listen_bits[port >> 6] >> (port & 63)) & 1;
}

/* A hash of the remote end that spreads passive connections. */
static inline uint16_t
steer_remote_owner(const struct steer *s, uint32_t ip, uint16_t port)
{
	uint32_t h = (ip ^ ((uint32_t)port << 16) ^ port) * 0x9e3779b1u;

	return (uint16_t)((h >> 16) % s->n_workers);
}

/*
 * The worker that owns the connection of a packet received from
 * src_ip:sport for our dst_ip:dport (all host order).
 */
static inline uint16_t
steer_owner(const struct steer *s, uint32_t src_ip, uint32_t dst_ip,
	    uint16_t sport, uint16_t dport)
{
	switch (s->mode) {
	case STEER_RSS:
		return s->reta[steer_rss_hash(s, src_ip, dst_ip, sport, dport) &
			       (s->reta_size - 1)];
	case STEER_SOFT:
		if (steer_is_listen_port(s, dport))
			return steer_remote_owner(s, src_ip, sport);
		return dport % s->n_workers;
	default:
		return 0;
	}
}

/* Whether worker may open local_ip:lport -> remote_ip:rport: the replies
 * must come back to it, and listener ports are never ephemeral ports. */
static inline int
steer_local_port_ok(const struct steer *s, uint16_t worker, uint32_t local_ip,
		    uint32_t remote_ip, uint16_t lport, uint16_t rport)
{
	if (steer_is_listen_port(s, lport))
		return 0;
	return steer_owner(s, remote_ip, local_ip, rport, lport) == worker;
}

/*
 * IPv6 (addresses in network byte order).  RSS: the Toeplitz hash over
 * the IPv6 tuple (RTE_THASH_V6_L4_LEN, what a NIC hashes for TCP over
 * IPv6 with the same key), so the client's source-port choice works as
 * for IPv4.  Software: the local port for our connections as for IPv4,
 * and for a listener's connections a hash of the remote address's 128
 * bits and port.
 */
static inline uint32_t
steer_rss_hash6(const struct steer *s, const uint8_t *src, const uint8_t *dst,
		uint16_t sport, uint16_t dport)
{
	uint32_t t[RTE_THASH_V6_L4_LEN];
	unsigned int i;

	/* rte_softrss reads host-order words (rte_thash_load_v6_addrs). */
	for (i = 0; i < 4; i++) {
		uint32_t a, b;

		memcpy(&a, src + 4 * i, 4);
		memcpy(&b, dst + 4 * i, 4);
		t[i] = rte_be_to_cpu_32(a);
		t[4 + i] = rte_be_to_cpu_32(b);
	}
	t[8] = (uint32_t)sport << 16 | dport;
	return rte_softrss(t, RTE_THASH_V6_L4_LEN, s->rss_key);
}

static inline uint16_t
steer_remote_owner6(const struct steer *s, const uint8_t *ip, uint16_t port)
{
	uint32_t x = 0, v;
	unsigned int i;

	/* A multiply carries only upwards: fold the high half down after
	 * each, so that every bit reaches the bits the owner is taken from. */
	for (i = 0; i < 16; i += 4) {
		memcpy(&v, ip + i, 4);
		x = (x ^ v) * 0x9e3779b1u;
		x ^= x >> 15;
	}
	return steer_remote_owner(s, x, port);
}

static inline uint16_t
steer_owner6(const struct steer *s, const uint8_t *src, const uint8_t *dst,
	     uint16_t sport, uint16_t dport)
{
	switch (s->mode) {
	case STEER_RSS:
		return s->reta[steer_rss_hash6(s, src, dst, sport, dport) &
			       (s->reta_size - 1)];
	case STEER_SOFT:
		if (steer_is_listen_port(s, dport))
			return steer_remote_owner6(s, src, sport);
		return dport % s->n_workers;
	default:
		return 0;
	}
}

static inline int
steer_local_port_ok6(const struct steer *s, uint16_t worker,
		     const uint8_t *local_ip, const uint8_t *remote_ip,
		     uint16_t lport, uint16_t rport)
{
	if (steer_is_listen_port(s, lport))
		return 0;
	return steer_owner6(s, remote_ip, local_ip, rport, lport) == worker;
}

/* Mark or clear a listening port (done before or between workers' use;
 * a stale read only sends one SYN to the wrong worker, which hands it
 * over). */
void
steer_set_listen_port(struct steer *s, uint16_t port, int on);

/*
 * For a burst just received by worker self: return how many packets stay
 * (compacted at the front of pkts); the others went to their owners'
 * rings (*handed_off) or were dropped because a ring was full (*drops).
 * STEER_RSS keeps every packet, but counts in *rss_mismatch the SYNs
 * and SYN-ACKs that reached self although the key and table name
 * another worker: the port hashes differently than we predict, and the
 * client connections among them cannot complete.
 */
uint16_t
steer_rx_burst(struct steer *s, uint16_t self, struct rte_mbuf **pkts,
	       uint16_t n, uint64_t *handed_off, uint64_t *drops,
	       uint64_t *rss_mismatch);

/* The key as lower-case hex, 2 * STEER_KEY_LEN digits and a NUL in buf
 * (len at least 2 * STEER_KEY_LEN + 1, else buf gets ""). */
void
steer_key_format(const uint8_t *key, char *buf, size_t len);

/* 2 * STEER_KEY_LEN hex digits (any case, nothing else) into key;
 * 0, or -1 with key untouched. */
int
steer_key_parse(const char *hex, uint8_t *key);

#endif /* DPF_STEER_H */
