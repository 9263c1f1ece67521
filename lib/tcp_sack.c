/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "tcp_sack.h"
#include "tcp_seq.h"

#define MIN_U32(a, b) ((a) < (b) ? (a) : (b))

void
tcp_sack_clear(struct tcp_sack_board *b)
{
	b->n = 0;
	b->sacked = 0;
}

static void
recount(struct tcp_sack_board *b)
{
	uint32_t i;

	b->sacked = 0;
	for (i = 0; i < b->n; i++)
		b->sacked += SEQ_DIFF(b->end[i], b->start[i]);
}

static void
remove_at(struct tcp_sack_board *b, uint32_t i)
{
	memmove(&b->start[i], &b->start[i + 1],
		(b->n - i - 1) * sizeof(b->start[0]));
	memmove(&b->end[i], &b->end[i + 1],
		(b->n - i - 1) * sizeof(b->end[0]));
	b->n--;
}

/* Insert [s, e) keeping the ranges sorted and disjoint; 1 if it added
 * bytes not already covered. */
static int
insert_range(struct tcp_sack_board *b, uint32_t s, uint32_t e)
{
	uint32_t i = 0;

	/* Nothing new if one range already holds all of it. */
	for (i = 0; i < b->n; i++)
		if (SEQ_LEQ(b->start[i], s) && SEQ_LEQ(e, b->end[i]))
			return 0;
	i = 0;

	/* Skip ranges that end before s. */
	while (i < b->n && SEQ_LT(b->end[i], s))
		i++;
	/* Absorb every range that touches [s, e). */
	while (i < b->n && SEQ_LEQ(b->start[i], e)) {
		s = SEQ_MIN(s, b->start[i]);
		e = SEQ_MAX(e, b->end[i]);
		remove_at(b, i);
	}
	if (b->n == TCP_SACK_BOARD) {
		/* Full: forget the highest range; the peer repeats it. */
		if (i == b->n)
			return 0;
		b->n--;
	}
	memmove(&b->start[i + 1], &b->start[i],
		(b->n - i) * sizeof(b->start[0]));
	memmove(&b->end[i + 1], &b->end[i], (b->n - i) * sizeof(b->end[0]));
	b->start[i] = s;
	b->end[i] = e;
	b->n++;
	recount(b);
	return 1;
}

unsigned int
tcp_sack_update(struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_max,
		const uint32_t *starts, const uint32_t *ends, unsigned int n)
{
	unsigned int i, added = 0;

	for (i = 0; i < n; i++) {
		uint32_t s = starts[i], e = ends[i];

		/* As offsets from snd_una: sequence comparisons are not
		 * transitive across 2^31, and a block whose ends are far
		 * apart passed SEQ_LT(s, e), SEQ_GT(s, snd_una) and
		 * SEQ_LEQ(e, snd_max) while lying outside the window. */
		if (s - snd_una == 0 || s - snd_una >= e - snd_una ||
		    e - snd_una > snd_max - snd_una)
			continue;
		added += insert_range(b, s, e);
	}
	return added;
}

void
tcp_sack_prune(struct tcp_sack_board *b, uint32_t snd_una)
{
	while (b->n > 0 && SEQ_LEQ(b->end[0], snd_una))
		remove_at(b, 0);
	if (b->n > 0 && SEQ_LT(b->start[0], snd_una))
		b->start[0] = snd_una;
	recount(b);
}

uint32_t
tcp_sack_high(const struct tcp_sack_board *b, uint32_t snd_una)
{
	return b->n == 0 ? snd_una : b->end[b->n - 1];
}

int
tcp_sack_next_hole(const struct tcp_sack_board *b, uint32_t snd_una,
		   uint32_t from, uint32_t *start, uint32_t *len)
{
	uint32_t pos = SEQ_MAX(from, snd_una);
	uint32_t i;

	for (i = 0; i < b->n; i++) {
		if (SEQ_LT(pos, b->start[i])) {
			*start = pos;
			*len = SEQ_DIFF(b->start[i], pos);
			return 1;
		}
		if (SEQ_LT(pos, b->end[i]))
			pos = b->end[i];
	}
	return 0;
}

int
tcp_sack_first_lost(const struct tcp_sack_board *b, uint32_t mss)
{
	return b->n >= TCP_DUPTHRESH ||
		b->sacked >= (uint32_t)(TCP_DUPTHRESH - 1) * mss + 1;
}

uint32_t
tcp_sack_pipe(const struct tcp_sack_board *b, uint32_t snd_una,
	      uint32_t snd_max, uint32_t high_rxt, uint32_t mss)
{
	uint32_t rxt = SEQ_MAX(high_rxt, snd_una);
	uint32_t pipe = 0, pos = snd_una, above = b->sacked;
	uint32_t i;

	/* Walk the holes between the ranges, lowest first; "above" is
	 * what is SACKed above the current hole. */
	for (i = 0; i <= b->n; i++) {
		uint32_t end = i < b->n ? b->start[i] : snd_max;
		uint32_t ranges_above = b->n - i;
		int lost = ranges_above >= TCP_DUPTHRESH ||
			above > (uint32_t)(TCP_DUPTHRESH - 1) * mss;

		if (SEQ_LT(pos, end)) {
			uint32_t hole = SEQ_DIFF(end, pos);
			uint32_t resent = SEQ_GT(rxt, pos) ?
				MIN_U32(SEQ_DIFF(rxt, pos), hole) : 0;

			if (!lost)
				pipe += hole;
			pipe += resent;
		}
		if (i < b->n) {
			above -= SEQ_DIFF(b->end[i], b->start[i]);
			pos = SEQ_MAX(pos, b->end[i]);
		}
	}
	return pipe;
}
