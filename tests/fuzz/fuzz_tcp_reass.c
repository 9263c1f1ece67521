/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the out-of-order queue (tcp_reass.c) on real
 * mbufs (EAL without hugepages, as test_tcp_reass does).  The input is a
 * program of operations on one queue: inserts (plain, or through
 * tcp_reass_insert_ctl with a pool, a segment cap and a true-size
 * budget; junk in front, Ethernet padding behind, shared buffers, mbuf
 * chains), pops at a moving rcv_nxt, collapses, prunes and SACK block
 * requests.  After every operation the queue must be sorted, never hold
 * a byte twice, hold only the stream's bytes, keep its counts (segments,
 * bytes, true size) right and within the budget, and its SACK blocks
 * must name only bytes it holds.  At the end every mbuf is back in the
 * pool.  Anything else aborts.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcp_priv.h"
#include "tcp_seq.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *pool;

#define CHECK(x) do { \
	if (!(x)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			__LINE__, #x); \
		abort(); \
	} \
} while (0)

static uint8_t
stream_byte(uint32_t seq)
{
	return (uint8_t)(seq * 131 + 7);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {
		"fuzz_tcp_reass", "--no-huge", "--no-pci", "-m", "128",
		"--file-prefix", "fuzz_reass", "--log-level", "error",
		"--no-shconf", "--no-telemetry", "-l", "0",
	};

	(void)argc;
	(void)argv;
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		abort();
	}
	pool = rte_pktmbuf_pool_create("fuzz", 8191, 0,
		RTE_ALIGN(sizeof(struct tcp_seg_cb), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		abort();
	}
	return 0;
}

/* The input, read a byte at a time; zeros once it is used up. */
struct input {
	const uint8_t *p;
	size_t n;
};

static uint32_t
take(struct input *in, unsigned int bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0) {
		v <<= 8;
		if (in->n > 0) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

/* A segment of the stream [seq, seq + len): off junk bytes in front,
 * pad bytes behind, in one mbuf or a chain of two; NULL if the pool is
 * out (the caller stops). */
static struct rte_mbuf *
mkseg(uint32_t seq, uint32_t len, uint32_t off, uint32_t pad, int chain)
{
	uint32_t total = off + len + pad, first = total, i;
	struct rte_mbuf *m, *m2 = NULL;
	struct tcp_seg_cb *cb;
	uint8_t *p;

	if (chain && total > 1)
		first = total / 2;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	if (first > rte_pktmbuf_tailroom(m) ||
	    total - first > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)first);
	if (first < total) {
		m2 = rte_pktmbuf_alloc(pool);
		if (m2 == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		rte_pktmbuf_append(m2, (uint16_t)(total - first));
	}
	for (i = 0; i < total; i++) {
		uint8_t b = i >= off && i < off + len ?
			stream_byte(seq + i - off) : (uint8_t)(0xa5 ^ i);

		if (i < first)
			p[i] = b;
		else
			rte_pktmbuf_mtod(m2, uint8_t *)[i - first] = b;
	}
	if (m2 != NULL)
		CHECK(rte_pktmbuf_chain(m, m2) == 0);
	cb = tcp_seg_cb(m);
	cb->seq = seq;
	cb->off = off;
	cb->len = len;
	cb->next = NULL;
	return m;
}

/* Byte off of chain m. */
static uint8_t
byte_at(const struct rte_mbuf *m, uint32_t off)
{
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	CHECK(m != NULL);
	return rte_pktmbuf_mtod_offset(m, const uint8_t *, off)[0];
}

static void
check(const struct tcp_reass *q, uint32_t rcv_nxt, uint32_t max_bytes)
{
	uint32_t n = 0, bytes = 0, truesize = 0, prev_end = 0, i, k, nb;
	uint32_t s[4], e[4];
	struct rte_mbuf *m;

	for (m = q->head; m != NULL; m = tcp_seg_cb(m)->next) {
		struct tcp_seg_cb *cb = tcp_seg_cb(m);

		CHECK(cb->len > 0);
		CHECK(cb->off + cb->len <= rte_pktmbuf_pkt_len(m));
		/* Sorted, and no byte twice. */
		if (n > 0)
			CHECK(SEQ_GEQ(cb->seq, prev_end));
		/* Nothing already delivered is kept waiting. */
		CHECK(SEQ_GT(cb->seq + cb->len, rcv_nxt));
		for (i = 0; i < cb->len; i++)
			CHECK(byte_at(m, cb->off + i) ==
			      stream_byte(cb->seq + i));
		prev_end = cb->seq + cb->len;
		bytes += cb->len;
		truesize += tcp_mbuf_truesize(m);
		n++;
	}
	CHECK(n == q->nsegs);
	CHECK(bytes == q->bytes);
	CHECK(truesize == q->truesize);
	for (m = q->head; m != NULL && tcp_seg_cb(m)->next != NULL;
	     m = tcp_seg_cb(m)->next)
		;
	CHECK(m == q->tail);
	if (n > 1)
		CHECK(truesize <= max_bytes);
	/* The SACK blocks are truthful: every byte in them is held. */
	nb = tcp_reass_sack_blocks(q, s, e, 4);
	CHECK(nb <= 4);
	for (k = 0; k < nb; k++) {
		uint32_t at = s[k];

		CHECK(SEQ_LT(s[k], e[k]));
		/* A run of contiguous segments from s to e exactly. */
		for (m = q->head; m != NULL && tcp_seg_cb(m)->seq != at;
		     m = tcp_seg_cb(m)->next)
			;
		CHECK(m != NULL);
		while (m != NULL && tcp_seg_cb(m)->seq == at &&
		       at != e[k]) {
			at += tcp_seg_cb(m)->len;
			m = tcp_seg_cb(m)->next;
		}
		CHECK(at == e[k]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	unsigned int base_in_use = rte_mempool_in_use_count(pool);
	uint32_t rcv_nxt = take(&in, 4);
	struct tcp_reass_ctl ctl = {
		.pool = pool,
		.max_segs = 1 + take(&in, 1) * 4,
		.max_bytes = (1 + take(&in, 1)) * pool->elt_size / 2,
	};
	struct tcp_reass q;
	unsigned int ops = 0;

	tcp_reass_init(&q);
	while (in.n > 0 && ops++ < 500) {
		uint32_t op = take(&in, 1);
		struct rte_mbuf *m;

		switch (op % 8) {
		case 0: case 1: case 2: case 3: {
			/* Insert [rcv_nxt + 1 + d, + len). */
			uint32_t d = take(&in, 2);
			uint32_t len = 1 + take(&in, 2) % (op & 0x80 ? 1500 : 16);
			uint32_t off = (op & 0x10) ? take(&in, 1) % 80 : 0;
			uint32_t pad = (op & 0x20) ? take(&in, 1) % 46 : 0;
			struct rte_mbuf *cl = NULL;
			int rc;

			m = mkseg(rcv_nxt + 1 + d, len, off, pad,
				  (op & 0x40) != 0);
			if (m == NULL)
				goto out;
			if (op % 4 == 3) {
				/* Shared: a clone goes in, the original
				 * must come out unchanged. */
				cl = rte_pktmbuf_clone(m, pool);
				if (cl == NULL) {
					rte_pktmbuf_free(m);
					goto out;
				}
				*tcp_seg_cb(cl) = *tcp_seg_cb(m);
				rc = tcp_reass_insert_ctl(&q, cl, &ctl);
				CHECK(rte_pktmbuf_pkt_len(m) ==
				      off + len + pad);
				rte_pktmbuf_free(m);
			} else if (op % 4 == 2) {
				/* No budget here: prune to it as tcp_in's
				 * callers of the plain insert would. */
				rc = tcp_reass_insert(&q, m, ctl.max_segs);
				tcp_reass_prune(&q, ctl.max_bytes, NULL);
			} else {
				rc = tcp_reass_insert_ctl(&q, m, &ctl);
			}
			CHECK(rc >= -1 && rc <= 1);
			break;
		}
		case 4: {
			/* Advance rcv_nxt and pop what is there. */
			rcv_nxt += take(&in, 2) % 3000;
			while ((m = tcp_reass_pop(&q, rcv_nxt)) != NULL) {
				struct tcp_seg_cb *cb = tcp_seg_cb(m);

				CHECK(cb->seq == rcv_nxt && cb->len > 0);
				CHECK(cb->next == NULL);
				rcv_nxt += cb->len;
				rte_pktmbuf_free(m);
			}
			break;
		}
		case 5:
			tcp_reass_collapse(&q, pool);
			break;
		case 6: {
			uint32_t cut = 0, before = q.nsegs;
			uint32_t goal = take(&in, 1) * pool->elt_size / 4;
			uint32_t n = tcp_reass_prune(&q, goal, &cut);

			CHECK(q.truesize <= goal || q.nsegs == 0);
			CHECK(before - n == q.nsegs);
			/* Nothing at or above the cut is left. */
			if (n > 0)
				for (m = q.head; m != NULL;
				     m = tcp_seg_cb(m)->next)
					CHECK(SEQ_LT(tcp_seg_cb(m)->seq, cut));
			break;
		}
		default:
			/* A new budget. */
			ctl.max_bytes = (1 + take(&in, 1)) * pool->elt_size / 2;
			ctl.max_segs = 1 + take(&in, 1) * 4;
			if (q.truesize > ctl.max_bytes)
				tcp_reass_prune(&q, ctl.max_bytes, NULL);
			break;
		}
		check(&q, rcv_nxt, ctl.max_bytes);
	}
out:
	tcp_reass_flush(&q);
	CHECK(q.nsegs == 0 && q.bytes == 0 && q.truesize == 0);
	CHECK(rte_mempool_in_use_count(pool) == base_in_use);
	return 0;
}
