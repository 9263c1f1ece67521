/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 3.6), the way Linux makes them, and the keyed
 * hashes TCP derives its per-connection secrets from.  No DPDK
 * dependency: unit-tested and fuzzed on its own.
 *
 * A listener under a SYN flood answers with a SYN-ACK whose ISN encodes
 * what it would have stored, and keeps nothing:
 *
 *   ISN = H1(tuple) + (count << 26 | mss_idx << 24 | H2 & 0xffffff)
 *
 * count is a minute counter (6 bits), mss_idx one of four MSS classes,
 * H1 and H2 SipHash-2-4 under a secret key; H2 covers the 4-tuple, the
 * peer's ISN, count, mss_idx and the option bits.  H1 hides the counter
 * (it would tell the host's uptime).  When the peer offered timestamps,
 * the low 6 bits of our TSval carry its window scale (4 bits, 15 = none)
 * and SACK-permitted (1 bit) and a "timestamps on" bit, as Linux's
 * cookie_init_timestamp does; the peer echoes them in TSecr.  Unlike
 * Linux, those bits are also in H2, so a forged TSecr is refused.
 * Without timestamps there is nowhere to keep them: no window scaling,
 * no SACK (as Linux).
 */

#ifndef DPF_TCP_SYNCOOKIE_H
#define DPF_TCP_SYNCOOKIE_H

#include <stdint.h>

#define SYNCOOKIE_TS_BITS	6	/* low bits of TSval used */
#define SYNCOOKIE_TS_MASK	((1u << SYNCOOKIE_TS_BITS) - 1)
#define SYNCOOKIE_WSCALE_NONE	0xf	/* in the 4 wscale bits */
#define SYNCOOKIE_TS_SACK	0x10
#define SYNCOOKIE_TS_ON		0x20	/* never 0: TSval bits present */
#define SYNCOOKIE_COUNT_MASK	0x3f
/* A cookie is good for the counter value it was made in and the one
 * after (Linux's MAX_SYNCOOKIE_AGE): one to two minutes. */
#define SYNCOOKIE_MAX_AGE	2
#define SYNCOOKIE_N_MSS		4

/* The MSS classes (Linux's msstab for IPv4). */
extern const uint16_t syncookie_mss_tab[SYNCOOKIE_N_MSS];

struct syncookie_key {
	uint64_t k[2];
};

/* The connection a cookie ACK rebuilds. */
struct syncookie_opts {
	uint16_t mss;		/* the class the peer's MSS fell in */
	uint8_t wscale_ok;
	uint8_t wscale;		/* the peer's shift */
	uint8_t sack_ok;
	uint8_t ts_ok;
};

/* The 4-tuple in the order of struct tcp_key: the peer first. */
struct syncookie_tuple {
	uint32_t remote_ip;
	uint32_t local_ip;
	uint16_t remote_port;
	uint16_t local_port;
};

/* SipHash-2-4 of n 64-bit words (message length 8n bytes). */
uint64_t
syncookie_siphash(const struct syncookie_key *key, const uint64_t *m,
		  unsigned int n);

/* The MSS class for a peer's MSS (the largest class not above it). */
unsigned int
syncookie_mss_index(uint16_t mss);

/*
 * The option bits for TSval: wscale (or -1 for none) and SACK; 0 when
 * the peer did not offer timestamps (nothing carries them then).
 */
uint32_t
syncookie_ts_bits(int ts_ok, int wscale, int sack_ok);

/*
 * Our TSval for the SYN-ACK: tsval (our clock plus the tuple's offset)
 * with its low bits replaced by ts_bits, never above tsval.
 */
uint32_t
syncookie_tsval(uint32_t tsval, uint32_t ts_bits);

/* The ISN for a SYN from t with ISN peer_isn, at counter count. */
uint32_t
syncookie_make(const struct syncookie_key *key,
	       const struct syncookie_tuple *t, uint32_t peer_isn,
	       uint32_t count, unsigned int mss_idx, uint32_t ts_bits);

/*
 * Check the ACK of a cookie SYN-ACK: cookie is its ACK number less one,
 * peer_isn its sequence number less one, tsecr_bits the low bits of its
 * TSecr (0 when it carries no timestamp).  Fills o and returns 0 when
 * the cookie is ours, for this tuple, made in count or the counter
 * value before; -1 otherwise.
 */
int
syncookie_check(const struct syncookie_key *key,
		const struct syncookie_tuple *t, uint32_t peer_isn,
		uint32_t cookie, uint32_t count, uint32_t tsecr_bits,
		struct syncookie_opts *o);

/*
 * The timestamp offset of a tuple (Linux's tsoffset): added to the
 * clock in every TSval, so TSval says nothing of our uptime and differs
 * from tuple to tuple, yet rises for one tuple.
 */
uint32_t
syncookie_ts_offset(const struct syncookie_key *key,
		    const struct syncookie_tuple *t);

#endif /* DPF_TCP_SYNCOOKIE_H */
