/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the sender's SACK scoreboard (tcp_sack.h).
 *
 * The input is a sequence space starting point (often just below 2^32,
 * so that the window wraps) and then operations: send more (snd_max
 * grows), SACK blocks relative to snd_una (inside, outside and straddling
 * the window, reversed, empty), raw 32-bit blocks, and cumulative ACKs
 * (snd_una advances, then prune).  Next to the board runs a reference
 * model: one bit per byte of the window.  After every operation:
 *  - the board is sorted, disjoint and not touching, each range within
 *    [snd_una, snd_max], at most TCP_SACK_BOARD ranges, and sacked is
 *    the sum of their lengths;
 *  - the board never claims a byte the model does not hold; while no
 *    update could have overflowed the board, it holds exactly the
 *    model's bytes and tcp_sack_update's count is the number of blocks
 *    that added bytes (after an overflow the model follows the board:
 *    forgetting is allowed, "the peer repeats it");
 *  - tcp_sack_high, tcp_sack_next_hole, tcp_sack_first_lost and
 *    tcp_sack_pipe agree with their per-octet definitions (RFC 6675).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_sack.h"
#include "tcp_seq.h"

#define WIN	1024	/* most bytes in flight in the model */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct model {
	uint32_t una, max;	/* max - una <= WIN */
	uint8_t sacked[WIN];	/* byte una + i */
};

struct in {
	const uint8_t *d;
	size_t n, i;
};

static int
more(const struct in *in)
{
	return in->i < in->n;
}

static uint32_t
get(struct in *in, int bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | (in->i < in->n ? in->d[in->i++] : 0);
	return v;
}

static uint32_t
span(const struct model *m)
{
	return m->max - m->una;
}

static int
in_board(const struct tcp_sack_board *b, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (SEQ_LEQ(b->start[i], seq) && SEQ_LT(seq, b->end[i]))
			return 1;
	return 0;
}

/* The board's structure, and that it claims only what the model holds. */
static void
check_board(const struct tcp_sack_board *b, const struct model *m)
{
	uint32_t i, k, sum = 0;

	CHECK(b->n <= TCP_SACK_BOARD);
	for (i = 0; i < b->n; i++) {
		uint32_t s = b->start[i] - m->una, e = b->end[i] - m->una;

		/* as offsets from snd_una: 0 <= s < e <= span */
		CHECK(s < e && e <= span(m));
		if (i > 0)
			CHECK(b->end[i - 1] - m->una < s);
		for (k = s; k < e; k++)
			CHECK(m->sacked[k]);
		sum += e - s;
	}
	CHECK(b->sacked == sum);
}

/* With check_board: the board holds exactly the model's bytes. */
static void
check_exact(const struct tcp_sack_board *b, const struct model *m)
{
	uint32_t k, on = 0;

	for (k = 0; k < WIN; k++)
		on += m->sacked[k];
	CHECK(on == b->sacked);
}

/* The definitions the queries must match, octet by octet. */
static void
check_queries(const struct tcp_sack_board *b, const struct model *m,
	      uint32_t from_off, uint32_t rxt_off, uint32_t mss)
{
	uint32_t sp = span(m), high = 0, k, i, pipe = 0, start, len;
	uint32_t ranges_above, bytes_above;
	int got;

	for (k = 0; k < sp; k++)
		if (in_board(b, m->una + k))
			high = k + 1;
	CHECK(tcp_sack_high(b, m->una) - m->una == high);

	/* next hole at or after from, below the highest SACKed byte */
	for (k = from_off; k < high && in_board(b, m->una + k); k++)
		;
	got = tcp_sack_next_hole(b, m->una, m->una + from_off, &start, &len);
	if (k >= high) {
		CHECK(!got);
	} else {
		CHECK(got && start == m->una + k);
		for (i = k; i < high && !in_board(b, m->una + i); i++)
			;
		CHECK(len == i - k);
	}

	/* pipe: unSACKed octets not lost, plus those retransmitted */
	for (k = 0; k < sp; k++) {
		if (in_board(b, m->una + k))
			continue;
		ranges_above = 0;
		bytes_above = 0;
		for (i = 0; i < b->n; i++) {
			if (SEQ_GT(b->start[i], m->una + k)) {
				ranges_above++;
				bytes_above += b->end[i] - b->start[i];
			}
		}
		if (k == 0)
			CHECK(tcp_sack_first_lost(b, mss) ==
			      (ranges_above >= TCP_DUPTHRESH ||
			       bytes_above > (TCP_DUPTHRESH - 1) * mss));
		if (!(ranges_above >= TCP_DUPTHRESH ||
		      bytes_above > (TCP_DUPTHRESH - 1) * mss))
			pipe++;
		if (k < rxt_off)
			pipe++;
	}
	CHECK(tcp_sack_pipe(b, m->una, m->max, m->una + rxt_off, mss) == pipe);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct in in = { .d = data, .n = size, .i = 0 };
	struct tcp_sack_board b;
	uint32_t first = get(&in, 2);
	uint32_t mss = 1 + get(&in, 1) * 2;

	memset(&m, 0, sizeof(m));
	/* Mostly near the wrap, sometimes anywhere. */
	m.una = first & 0x8000 ? (uint32_t)(0 - (first & 0x7fff)) :
		first * 0x10001u;
	m.max = m.una;
	memset(&b, 0x77, sizeof(b));
	tcp_sack_clear(&b);
	while (more(&in)) {
		uint32_t op = get(&in, 1);
		uint32_t starts[TCP_SACK_BOARD], ends[TCP_SACK_BOARD];
		unsigned int n, k, added, want = 0, pre_n = b.n;
		uint32_t d;

		switch (op % 4) {
		case 0:	/* send: snd_max grows */
			d = get(&in, 2) % (WIN + 1);
			if (d > WIN - span(&m))
				d = WIN - span(&m);
			m.max += d;
			break;
		case 1:	/* cumulative ACK, then prune */
			d = get(&in, 2) % (span(&m) + 1);
			memmove(m.sacked, m.sacked + d, WIN - d);
			memset(m.sacked + WIN - d, 0, d);
			m.una += d;
			tcp_sack_prune(&b, m.una);
			break;
		case 2:	/* blocks relative to snd_una, a few out of range */
		case 3:	/* raw 32-bit blocks, or around snd_una / snd_max */
			n = 1 + (op >> 2) % TCP_SACK_BOARD;
			for (k = 0; k < n; k++) {
				if (op % 4 == 2) {
					int32_t so = (int32_t)get(&in, 2) % (WIN + 64) - 32;
					int32_t eo = so + (int32_t)(get(&in, 2) % (WIN + 64)) - 32;

					starts[k] = m.una + (uint32_t)so;
					ends[k] = m.una + (uint32_t)eo;
				} else {
					starts[k] = get(&in, 4);
					ends[k] = get(&in, 4);
					if (op & 0x80) {
						starts[k] += m.una;
						ends[k] += m.max;
					}
				}
			}
			/* What the model takes, as plain offsets from
			 * snd_una, and which blocks add bytes. */
			for (k = 0; k < n; k++) {
				uint32_t s = starts[k], e = ends[k], j;
				int fresh = 0;

				/* wholly inside (snd_una, snd_max] */
				if (s - m.una == 0 || s - m.una >= e - m.una ||
				    e - m.una > span(&m))
					continue;
				for (j = s - m.una; j < e - m.una; j++) {
					fresh |= !m.sacked[j];
					m.sacked[j] = 1;
				}
				want += fresh;
			}
			added = tcp_sack_update(&b, m.una, m.max, starts, ends,
						n);
			if (pre_n + n > TCP_SACK_BOARD) {
				/* It may have forgotten ranges (never made
				 * any up): the model forgets them too. */
				check_board(&b, &m);
				for (k = 0; k < span(&m); k++)
					m.sacked[k] = in_board(&b, m.una + k);
			} else {
				CHECK(added == want);
			}
			break;
		}
		check_board(&b, &m);
		check_exact(&b, &m);
		check_queries(&b, &m, get(&in, 2) % (span(&m) + 2),
			      get(&in, 2) % (span(&m) + 2), mss);
	}
	return 0;
}
