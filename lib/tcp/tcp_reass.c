/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-order queue.  Segments that arrive ahead of rcv_nxt wait
 * here, sorted by sequence number, never overlapping: a new segment is
 * trimmed against its neighbours, and queued segments it covers entirely
 * are freed.  Trimming only moves the cb's (off, len) window.
 *
 * Memory is counted at its true size (tcp_mbuf_truesize): a 1-byte
 * segment holds a whole pool element.  tcp_reass_insert_ctl copies small
 * segments onto the end of the contiguous segment before them when that
 * one's buffer has room (its own, unshared), collapses contiguous runs
 * into full buffers when the queue is over its budget, and then prunes
 * from the highest sequence down, as Linux does (tcp_collapse,
 * tcp_prune_ofo_queue).  Pruned data is simply no longer held: the SACK
 * blocks are computed from what the queue holds, so they stay truthful
 * (RFC 2018 8 allows the receiver to renege).
 */
#include <string.h>

#include <rte_mbuf.h>

#include "tcp_priv.h"
#include "tcp_seq.h"

void
tcp_reass_init(struct tcp_reass *q)
{
	q->head = NULL;
	q->tail = NULL;
	q->nsegs = 0;
	q->bytes = 0;
	q->last_seq = 0;
	q->truesize = 0;
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

/* Link m in; *prevp is the segment before it (NULL: m is the head). */
static int
reass_link(struct tcp_reass *q, struct rte_mbuf *m, uint32_t max_segs,
	   struct rte_mbuf **prevp)
{
	struct tcp_seg_cb *cb = tcp_seg_cb(m);
	struct rte_mbuf **pp = &q->head;
	struct rte_mbuf *prev = NULL;
	uint32_t end;

	if (cb->len == 0) {
		rte_pktmbuf_free(m);
		return 1;
	}
	/* Find the first queued segment that starts after us: none if we
	 * start at or after the last one. */
	if (q->tail != NULL && SEQ_LEQ(tcp_seg_cb(q->tail)->seq, cb->seq)) {
		prev = q->tail;
		pp = &tcp_seg_cb(prev)->next;
	}
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
			q->truesize -= tcp_mbuf_truesize(n);
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
		/* Followers it covered may be gone: so may the tail. */
		if (*pp == NULL)
			q->tail = prev;
		rte_pktmbuf_free(m);
		return -1;
	}
	cb->next = *pp;
	*pp = m;
	if (cb->next == NULL)
		q->tail = m;
	q->nsegs++;
	q->bytes += cb->len;
	q->truesize += tcp_mbuf_truesize(m);
	q->last_seq = cb->seq;
	/* Newest first; the oldest falls off. */
	memmove(&q->recent[1], &q->recent[0],
		(RTE_DIM(q->recent) - 1) * sizeof(q->recent[0]));
	q->recent[0] = cb->seq;
	if (q->n_recent < RTE_DIM(q->recent))
		q->n_recent++;
	*prevp = prev;
	return 0;
}

int
tcp_reass_insert(struct tcp_reass *q, struct rte_mbuf *m, uint32_t max_segs)
{
	struct rte_mbuf *prev;

	return reass_link(q, m, max_segs, &prev);
}

/*
 * Room to append after m's queued bytes: only in a buffer that is ours
 * alone (direct, one segment, not shared), whose data ends where the
 * queued bytes end.  Ethernet padding past them is cut off first.
 */
static uint32_t
reass_room(struct rte_mbuf *m)
{
	struct tcp_seg_cb *cb = tcp_seg_cb(m);

	if (!RTE_MBUF_DIRECT(m) || m->nb_segs != 1 || m->next != NULL ||
	    rte_mbuf_refcnt_read(m) != 1 || cb->off + cb->len > m->data_len)
		return 0;
	m->data_len = (uint16_t)(cb->off + cb->len);
	m->pkt_len = m->data_len;
	return rte_pktmbuf_tailroom(m);
}

/* Copy len bytes of chain src from offset off to dst. */
static void
reass_copy_out(const struct rte_mbuf *src, uint32_t off, uint8_t *dst,
	       uint32_t len)
{
	while (len > 0 && src != NULL) {
		uint32_t n;

		if (off >= src->data_len) {
			off -= src->data_len;
			src = src->next;
			continue;
		}
		n = RTE_MIN(len, (uint32_t)src->data_len - off);

		memcpy(dst, rte_pktmbuf_mtod_offset(src, const uint8_t *,
						    off), n);
		dst += n;
		len -= n;
		off = 0;
		src = src->next;
	}
}

/* Append the queued bytes of n (the segment right after m, contiguous,
 * fitting in reass_room(m)) to m, unlink and free n. */
static void
reass_absorb(struct tcp_reass *q, struct rte_mbuf *m, struct rte_mbuf *n)
{
	struct tcp_seg_cb *cb = tcp_seg_cb(m), *ncb = tcp_seg_cb(n);

	reass_copy_out(n, ncb->off,
		       rte_pktmbuf_mtod_offset(m, uint8_t *, m->data_len),
		       ncb->len);
	m->data_len = (uint16_t)(m->data_len + ncb->len);
	m->pkt_len = m->data_len;
	cb->len += ncb->len;
	cb->next = ncb->next;
	if (q->tail == n)
		q->tail = m;
	q->nsegs--;
	q->truesize -= tcp_mbuf_truesize(n);
	rte_pktmbuf_free(n);
}

/* A copy of m's queued bytes in a fresh mbuf from pool, or NULL. */
static struct rte_mbuf *
reass_compact_copy(struct rte_mbuf *m, struct rte_mempool *pool)
{
	struct tcp_seg_cb *cb = tcp_seg_cb(m), *ncb;
	struct rte_mbuf *n = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (n == NULL)
		return NULL;
	if (rte_pktmbuf_tailroom(n) < cb->len ||
	    rte_pktmbuf_priv_size(pool) < sizeof(*ncb)) {
		rte_pktmbuf_free(n);
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(n, (uint16_t)cb->len);
	reass_copy_out(m, cb->off, p, cb->len);
	ncb = tcp_seg_cb(n);
	ncb->seq = cb->seq;
	ncb->off = 0;
	ncb->len = cb->len;
	ncb->pad = 0;
	ncb->next = cb->next;
	return n;
}

/* Whether m's payload is small for what it costs: copying it out is
 * worth it (a quarter of the buffer, as Linux's collapse threshold). */
static int
reass_small(struct rte_mbuf *m)
{
	return tcp_seg_cb(m)->len * 4 < tcp_mbuf_truesize(m);
}

uint32_t
tcp_reass_collapse(struct tcp_reass *q, struct rte_mempool *pool)
{
	struct rte_mbuf **pp = &q->head;
	uint32_t freed = 0;

	while (*pp != NULL) {
		struct rte_mbuf *first = *pp, *m, *n, *out = NULL;
		struct rte_mbuf **op;
		uint32_t k = 1, bytes = tcp_seg_cb(first)->len, end, room, need;

		/* The run of contiguous segments starting here. */
		end = tcp_seg_cb(first)->seq + bytes;
		for (m = tcp_seg_cb(first)->next; m != NULL &&
		     tcp_seg_cb(m)->seq == end; m = tcp_seg_cb(m)->next) {
			k++;
			bytes += tcp_seg_cb(m)->len;
			end += tcp_seg_cb(m)->len;
		}
		room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
		need = (bytes + room - 1) / room;
		if (k < 2 || need >= k) {
			/* Nothing to win: on to the next run. */
			while (k-- > 0)
				pp = &tcp_seg_cb(*pp)->next;
			continue;
		}
		/* Copy the run into need full mbufs, then swap them in. */
		op = &out;
		m = first;
		{
			uint32_t moff = tcp_seg_cb(m)->off;
			uint32_t mleft = tcp_seg_cb(m)->len;
			uint32_t seq = tcp_seg_cb(first)->seq;
			uint32_t left = bytes, i;

			for (i = 0; i < need; i++) {
				struct tcp_seg_cb *ncb;
				uint32_t fill = RTE_MIN(room, left), done = 0;

				n = rte_pktmbuf_alloc(pool);
				if (n == NULL)
					break;
				rte_pktmbuf_append(n, (uint16_t)fill);
				ncb = tcp_seg_cb(n);
				ncb->seq = seq;
				ncb->off = 0;
				ncb->len = fill;
				ncb->pad = 0;
				ncb->next = NULL;
				*op = n;
				op = &ncb->next;
				while (done < fill) {
					uint32_t c;

					if (mleft == 0) {
						m = tcp_seg_cb(m)->next;
						moff = tcp_seg_cb(m)->off;
						mleft = tcp_seg_cb(m)->len;
					}
					c = RTE_MIN(fill - done, mleft);
					reass_copy_out(m, moff,
						rte_pktmbuf_mtod_offset(n,
							uint8_t *, done), c);
					done += c;
					moff += c;
					mleft -= c;
				}
				seq += fill;
				left -= fill;
			}
			if (i < need) {
				/* Out of mbufs: keep the run as it is. */
				while (out != NULL) {
					n = tcp_seg_cb(out)->next;
					rte_pktmbuf_free(out);
					out = n;
				}
				return freed;
			}
		}
		/* Free the old run, link the new one in its place. */
		q->nsegs -= k - need;
		freed += k - need;
		m = first;
		while (k-- > 0) {
			n = tcp_seg_cb(m)->next;
			q->truesize -= tcp_mbuf_truesize(m);
			rte_pktmbuf_free(m);
			m = n;
		}
		*op = m;
		*pp = out;
		for (n = out; n != m; n = tcp_seg_cb(n)->next) {
			q->truesize += tcp_mbuf_truesize(n);
			pp = &tcp_seg_cb(n)->next;
			if (m == NULL && tcp_seg_cb(n)->next == NULL)
				q->tail = n;
		}
	}
	return freed;
}

uint32_t
tcp_reass_prune(struct tcp_reass *q, uint32_t goal, uint32_t *cut)
{
	struct rte_mbuf **pp = &q->head, *m, *last = NULL;
	uint32_t keep = 0, dropped = 0;

	if (q->truesize <= goal)
		return 0;
	/* Keep the lowest sequences (they complete soonest), up to goal. */
	while (*pp != NULL) {
		uint32_t t = tcp_mbuf_truesize(*pp);

		if (keep + t > goal)
			break;
		keep += t;
		last = *pp;
		pp = &tcp_seg_cb(*pp)->next;
	}
	m = *pp;
	*pp = NULL;
	q->tail = last;
	if (cut != NULL && m != NULL)
		*cut = tcp_seg_cb(m)->seq;
	while (m != NULL) {
		struct rte_mbuf *next = tcp_seg_cb(m)->next;

		q->nsegs--;
		q->bytes -= tcp_seg_cb(m)->len;
		q->truesize -= tcp_mbuf_truesize(m);
		rte_pktmbuf_free(m);
		dropped++;
		m = next;
	}
	return dropped;
}

int
tcp_reass_insert_ctl(struct tcp_reass *q, struct rte_mbuf *m,
		     struct tcp_reass_ctl *ctl)
{
	struct rte_mbuf *prev, *at, **pp;
	uint32_t seq, cut;
	int rc;

	/* A full queue may make room by collapsing. */
	if (q->nsegs >= ctl->max_segs && ctl->pool != NULL &&
	    ctl->max_segs > 0)
		ctl->collapsed += tcp_reass_collapse(q, ctl->pool);
	rc = reass_link(q, m, ctl->max_segs, &prev);
	if (rc != 0)
		return rc;
	seq = tcp_seg_cb(m)->seq;	/* the new data, trimmed */
	pp = prev != NULL ? &tcp_seg_cb(prev)->next : &q->head;
	at = m;
	if (reass_small(m)) {
		struct tcp_seg_cb *cb = tcp_seg_cb(m);

		if (prev != NULL && tcp_seg_cb(prev)->seq +
		    tcp_seg_cb(prev)->len == cb->seq &&
		    reass_room(prev) >= cb->len) {
			/* Onto the end of the one before. */
			reass_absorb(q, prev, m);
			ctl->collapsed++;
			at = prev;
		} else if (reass_room(m) == 0 && ctl->pool != NULL) {
			/* Not a buffer we may write into: a compact copy
			 * that later neighbours can join. */
			struct rte_mbuf *n = reass_compact_copy(m, ctl->pool);

			if (n != NULL) {
				*pp = n;
				if (q->tail == m)
					q->tail = n;
				q->truesize += tcp_mbuf_truesize(n);
				q->truesize -= tcp_mbuf_truesize(m);
				rte_pktmbuf_free(m);
				ctl->collapsed++;
				at = n;
			}
		}
	}
	/* Small followers that now touch it join it while they fit. */
	for (;;) {
		struct rte_mbuf *n = tcp_seg_cb(at)->next;
		struct tcp_seg_cb *acb = tcp_seg_cb(at);

		if (n == NULL || acb->seq + acb->len != tcp_seg_cb(n)->seq ||
		    !reass_small(n) || reass_room(at) < tcp_seg_cb(n)->len)
			break;
		reass_absorb(q, at, n);
		ctl->collapsed++;
	}
	if (q->truesize <= ctl->max_bytes)
		return 0;
	/* Over budget: collapse, then prune to 7/8 of it so that the next
	 * few arrivals do not walk the queue again. */
	if (ctl->pool != NULL)
		ctl->collapsed += tcp_reass_collapse(q, ctl->pool);
	if (q->truesize <= ctl->max_bytes)
		return 0;
	cut = seq;
	rc = (int)tcp_reass_prune(q, ctl->max_bytes - ctl->max_bytes / 8,
				  &cut);
	ctl->pruned += (uint32_t)rc;
	return rc > 0 && SEQ_LEQ(cut, seq) ? -1 : 0;
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
		if (q->head == NULL)
			q->tail = NULL;
		q->nsegs--;
		q->bytes -= cb->len;
		q->truesize -= tcp_mbuf_truesize(m);
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
