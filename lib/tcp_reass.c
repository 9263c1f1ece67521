/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-order queue.  Segments that arrive ahead of rcv_nxt wait
 * here, sorted by sequence number, never overlapping: a new segment is
 * trimmed against its neighbours, and queued segments it covers entirely
 * are freed.  Trimming only moves the cb's (off, len) window: the mbuf
 * data is never copied or touched.
 */
#include <string.h>

#include <rte_mbuf.h>

#include "tcp.h"
#include "tcp_seq.h"

void
tcp_reass_init(struct tcp_reass *q)
{
	q->head = NULL;
	q->nsegs = 0;
	q->bytes = 0;
	q->last_seq = 0;
	q->n_recent = 0;
}

void
tcp_reass_flush(struct tcp_reass *q)
{
	struct rte_mbuf *m = q->head;

	while (m != NULL) {
		struct rte_mbuf *next = tcp_seg_cb(m)->next;

		rte_pktmbuf_free(m);
		m = next;
	}
	tcp_reass_init(q);
}

static void
seg_trim_front(struct tcp_seg_cb *cb, uint32_t n)
{
	cb->seq += n;
	cb->off += n;
	cb->len -= n;
}

int
tcp_reass_insert(struct tcp_reass *q, struct rte_mbuf *m, uint32_t max_segs)
{
	struct tcp_seg_cb *cb = tcp_seg_cb(m);
	struct rte_mbuf **pp = &q->head;
	struct rte_mbuf *prev = NULL;
	uint32_t end;

	if (cb->len == 0) {
		rte_pktmbuf_free(m);
		return 1;
	}
	/* Find the first queued segment that starts after us. */
	while (*pp != NULL && SEQ_LEQ(tcp_seg_cb(*pp)->seq, cb->seq)) {
		prev = *pp;
		pp = &tcp_seg_cb(*pp)->next;
	}
	/* The one before may cover our front, or all of us. */
	if (prev != NULL) {
		struct tcp_seg_cb *pcb = tcp_seg_cb(prev);
		uint32_t pend = pcb->seq + pcb->len;

		if (SEQ_GEQ(pend, cb->seq + cb->len)) {
			rte_pktmbuf_free(m);
			return 1;
		}
		if (SEQ_GT(pend, cb->seq))
			seg_trim_front(cb, SEQ_DIFF(pend, cb->seq));
	}
	/* Drop followers we cover entirely; trim our tail on a partial. */
	end = cb->seq + cb->len;
	while (*pp != NULL) {
		struct rte_mbuf *n = *pp;
		struct tcp_seg_cb *ncb = tcp_seg_cb(n);

		if (SEQ_LEQ(end, ncb->seq))
			break;
		if (SEQ_GEQ(end, ncb->seq + ncb->len)) {
			*pp = ncb->next;
			q->nsegs--;
			q->bytes -= ncb->len;
			rte_pktmbuf_free(n);
			continue;
		}
		cb->len = SEQ_DIFF(ncb->seq, cb->seq);
		break;
	}
	/* Trimmed at both ends to nothing: it only repeated queued data. */
	if (cb->len == 0) {
		rte_pktmbuf_free(m);
		return 1;
	}
	if (q->nsegs >= max_segs) {
		rte_pktmbuf_free(m);
		return -1;
	}
	cb->next = *pp;
	*pp = m;
	q->nsegs++;
	q->bytes += cb->len;
	q->last_seq = cb->seq;
	/* Newest first; the oldest falls off. */
	memmove(&q->recent[1], &q->recent[0],
		(RTE_DIM(q->recent) - 1) * sizeof(q->recent[0]));
	q->recent[0] = cb->seq;
	if (q->n_recent < RTE_DIM(q->recent))
		q->n_recent++;
	return 0;
}

struct rte_mbuf *
tcp_reass_pop(struct tcp_reass *q, uint32_t rcv_nxt)
{
	while (q->head != NULL) {
		struct rte_mbuf *m = q->head;
		struct tcp_seg_cb *cb = tcp_seg_cb(m);

		if (SEQ_GT(cb->seq, rcv_nxt))
			return NULL;
		q->head = cb->next;
		q->nsegs--;
		q->bytes -= cb->len;
		if (SEQ_LEQ(cb->seq + cb->len, rcv_nxt)) {
			/* Already delivered through another copy. */
			rte_pktmbuf_free(m);
			continue;
		}
		seg_trim_front(cb, SEQ_DIFF(rcv_nxt, cb->seq));
		cb->next = NULL;
		return m;
	}
	return NULL;
}

/* Append [s, e) unless it is listed already; returns the new count. */
static unsigned int
sack_add_block(uint32_t *starts, uint32_t *ends, unsigned int n, uint32_t s,
	       uint32_t e)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (starts[k] == s)
			return n;
	starts[n] = s;
	ends[n] = e;
	return n + 1;
}

unsigned int
tcp_reass_sack_blocks(const struct tcp_reass *q, uint32_t *starts,
		      uint32_t *ends, unsigned int max)
{
	uint32_t bs[64], be[64];
	unsigned int nb = 0, out = 0, i, r;
	const struct rte_mbuf *m;

	/* Coalesce adjacent segments into blocks (the first 64 suffice:
	 * at most four are reported). */
	for (m = q->head; m != NULL; m = tcp_seg_cb((struct rte_mbuf *)m)->next) {
		const struct tcp_seg_cb *cb =
			tcp_seg_cb((struct rte_mbuf *)m);

		if (nb > 0 && be[nb - 1] == cb->seq) {
			be[nb - 1] = cb->seq + cb->len;
			continue;
		}
		if (nb == RTE_DIM(bs))
			break;
		bs[nb] = cb->seq;
		be[nb] = cb->seq + cb->len;
		nb++;
	}
	if (nb == 0 || max == 0)
		return 0;
	/* RFC 2018 4: the block with the most recent arrival first, then
	 * the blocks of the next most recent arrivals (so that each block
	 * is reported several times), then whatever room is left. */
	for (r = 0; r < q->n_recent && out < max; r++)
		for (i = 0; i < nb; i++)
			if (SEQ_GEQ(q->recent[r], bs[i]) &&
			    SEQ_LT(q->recent[r], be[i])) {
				out = sack_add_block(starts, ends, out, bs[i],
						     be[i]);
				break;
			}
	for (i = 0; i < nb && out < max; i++)
		out = sack_add_block(starts, ends, out, bs[i], be[i]);
	return out;
}
