/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection on RX and TX: drop, duplicate, reorder (hold back for
 * a delay) and corrupt (flip one bit past the Ethernet header), each with
 * its own probability, from a seeded PRNG so a failing run can be
 * repeated.  Per lcore; applied to whole bursts.
 */

#ifndef DPF_IMPAIR_H
#define DPF_IMPAIR_H

#include <stdint.h>

#include "config.h"

struct rte_mbuf;
struct rte_mempool;
struct stats;

#define IMPAIR_HOLD_MAX	256

struct impair_held {
	struct rte_mbuf *m;
	uint64_t release_us;
};

struct impair_dir {
	struct impair_dir_conf conf;
	uint32_t p_drop, p_dup, p_reorder, p_corrupt; /* scaled to 2^32 */
	uint32_t n_held;
	struct impair_held held[IMPAIR_HOLD_MAX];
};

struct impair {
	uint64_t rng;
	int enabled;
	struct impair_dir rx;
	struct impair_dir tx;
};

void
impair_init(struct impair *im, const struct impair_conf *conf,
	    unsigned int lcore_id);

/* xorshift64*: fast, good enough for fault injection, repeatable. */
static inline uint64_t
impair_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 2685821657736338717ull;
}

/*
 * Apply one direction to pkts[0..n).  Survivors (and duplicates, and
 * held packets now due) are written to out[], at most max_out; returns
 * how many.  rx selects the direction and its counters.
 */
uint16_t
impair_burst(struct impair *im, int rx, struct rte_mbuf **pkts, uint16_t n,
	     struct rte_mbuf **out, uint16_t max_out, uint64_t now_us,
	     struct stats *st);

/* Free what is held back (at shutdown). */
void
impair_flush(struct impair *im);

#endif /* DPF_IMPAIR_H */
