/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_mbuf.h>

#include "impair.h"
#include "stats.h"

static uint32_t
prob_scale(double p)
{
	if (p <= 0)
		return 0;
	if (p >= 1)
		return UINT32_MAX;
	return (uint32_t)(p * 4294967296.0);
}

static void
impair_dir_init(struct impair_dir *d, const struct impair_dir_conf *c)
{
	memset(d, 0, sizeof(*d));
	d->conf = *c;
	d->p_drop = prob_scale(c->drop);
	d->p_dup = prob_scale(c->dup);
	d->p_reorder = prob_scale(c->reorder);
	d->p_corrupt = prob_scale(c->corrupt);
}

static int
impair_dir_active(const struct impair_dir *d)
{
	return d->p_drop || d->p_dup || d->p_reorder || d->p_corrupt;
}

void
impair_init(struct impair *im, const struct impair_conf *conf,
	    unsigned int lcore_id)
{
	impair_dir_init(&im->rx, &conf->rx);
	impair_dir_init(&im->tx, &conf->tx);
	/* Each lcore gets its own repeatable stream; never a zero state. */
	im->rng = (conf->seed + 1) * 0x9e3779b97f4a7c15ull + lcore_id;
	if (im->rng == 0)
		im->rng = 1;
	im->enabled = impair_dir_active(&im->rx) || impair_dir_active(&im->tx);
}

static int
chance(struct impair *im, uint32_t p)
{
	return p != 0 && (uint32_t)(impair_rand(&im->rng) >> 32) < p;
}

static void
corrupt_one_bit(struct impair *im, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	uint64_t r;
	uint8_t *p;

	/* Past the Ethernet header, so the IP or TCP checksum catches it. */
	if (len <= 14)
		return;
	r = impair_rand(&im->rng);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[14 + (r % (len - 14))] ^= (uint8_t)(1u << ((r >> 32) & 7));
}

uint16_t
impair_burst(struct impair *im, int rx, struct rte_mbuf **pkts, uint16_t n,
	     struct rte_mbuf **out, uint16_t max_out, uint64_t now_us,
	     struct stats *st)
{
	struct impair_dir *d = rx ? &im->rx : &im->tx;
	uint64_t *c_drop = rx ? &st->impair.rx_dropped : &st->impair.tx_dropped;
	uint64_t *c_dup = rx ? &st->impair.rx_duplicated :
		&st->impair.tx_duplicated;
	uint64_t *c_reorder = rx ? &st->impair.rx_reordered :
		&st->impair.tx_reordered;
	uint64_t *c_corrupt = rx ? &st->impair.rx_corrupted :
		&st->impair.tx_corrupted;
	uint16_t n_out = 0;
	uint32_t i, keep;

	/* Held packets whose delay ran out go first: they were overtaken. */
	keep = 0;
	for (i = 0; i < d->n_held; i++) {
		if (d->held[i].release_us <= now_us && n_out < max_out)
			out[n_out++] = d->held[i].m;
		else
			d->held[keep++] = d->held[i];
	}
	d->n_held = keep;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (chance(im, d->p_drop)) {
			rte_pktmbuf_free(m);
			(*c_drop)++;
			continue;
		}
		if (chance(im, d->p_corrupt)) {
			corrupt_one_bit(im, m);
			(*c_corrupt)++;
		}
		if (chance(im, d->p_dup) && n_out < max_out) {
			struct rte_mbuf *copy = rte_pktmbuf_copy(m, m->pool, 0,
							UINT32_MAX);

			if (copy != NULL) {
				out[n_out++] = copy;
				(*c_dup)++;
			}
		}
		if (chance(im, d->p_reorder) && d->n_held < IMPAIR_HOLD_MAX) {
			d->held[d->n_held].m = m;
			d->held[d->n_held].release_us = now_us +
				d->conf.reorder_delay_us;
			d->n_held++;
			(*c_reorder)++;
			continue;
		}
		if (n_out < max_out) {
			out[n_out++] = m;
		} else {
			rte_pktmbuf_free(m);
			(*c_drop)++;
		}
	}
	return n_out;
}

void
impair_flush(struct impair *im)
{
	uint32_t i;

	for (i = 0; i < im->rx.n_held; i++)
		rte_pktmbuf_free(im->rx.held[i].m);
	for (i = 0; i < im->tx.n_held; i++)
		rte_pktmbuf_free(im->tx.held[i].m);
	im->rx.n_held = 0;
	im->tx.n_held = 0;
}
