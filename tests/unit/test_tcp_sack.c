/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the sender's SACK scoreboard (tcp_sack.c): merging,
 * validation of reported blocks, pruning, holes, IsLost and pipe
 * (RFC 2018, RFC 6675), checked by hand and against a byte bitmap.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_sack.h"
#include "tcp_seq.h"

/* ---- reference model: one flag per byte of a small window ---- */

#define REF_WIN	4096	/* bytes of sequence space modelled */

struct ref {
	uint32_t base;		/* sequence number of offset 0 */
	uint8_t bit[REF_WIN];	/* 1 = SACKed */
};

static uint64_t rng_state;

static uint32_t
rng(void)
{
	/* xorshift64*: deterministic across platforms. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* Uniform in [lo, hi]. */
static int
rng_range(int lo, int hi)
{
	return lo + (int)(rng() % (uint32_t)(hi - lo + 1));
}

static int
ref_runs(const struct ref *r, int *first_start, int *last_start,
	 int *last_end)
{
	int i, n = 0;

	*first_start = *last_start = *last_end = -1;
	for (i = 0; i < REF_WIN; i++) {
		if (r->bit[i] && (i == 0 || !r->bit[i - 1])) {
			n++;
			if (*first_start < 0)
				*first_start = i;
			*last_start = i;
		}
		if (r->bit[i] && (i == REF_WIN - 1 || !r->bit[i + 1]))
			*last_end = i + 1;
	}
	return n;
}

static uint32_t
ref_bytes(const struct ref *r)
{
	uint32_t n = 0;
	int i;

	for (i = 0; i < REF_WIN; i++)
		n += r->bit[i];
	return n;
}

/* Offset one past the highest SACKed byte, or una. */
static int
ref_high(const struct ref *r, int una)
{
	int i;

	for (i = REF_WIN - 1; i >= 0; i--)
		if (r->bit[i])
			return i + 1;
	return una;
}

/*
 * Apply one reported block [s, e) (offsets) the way the board is specified
 * to: ignored unless una < s < e <= max; merged; if that makes more than
 * TCP_SACK_BOARD ranges, the highest range is forgotten.  Returns what
 * tcp_sack_update() must count for it: 1 for new information, i.e. the
 * block was stored and is not wholly inside one existing range (the
 * model's runs are maximal, so that is "it covered an unSACKed byte"),
 * including when the board was full and an older, higher range was
 * evicted for it; 0 when it was wholly covered, or was itself the highest
 * and dropped because the board was full.  *evicted says which range, if
 * any, was forgotten: 0 none, 1 an older one, 2 the block itself.
 */
static int
ref_apply(struct ref *r, int una, int max, int s, int e, int *evicted)
{
	int fs, ls, le, i, news = 0;

	*evicted = 0;
	if (!(s < e) || s <= una || e > max)
		return 0;
	for (i = s; i < e; i++) {
		if (!r->bit[i])
			news = 1;
		r->bit[i] = 1;
	}
	if (ref_runs(r, &fs, &ls, &le) > TCP_SACK_BOARD) {
		/* Only a block touching no range adds a run: it is new. */
		int dropped_new = ls == s && le == e;

		for (i = ls; i < le; i++)
			r->bit[i] = 0;
		*evicted = dropped_new ? 2 : 1;
		return dropped_new ? 0 : 1;
	}
	return news;
}

/*
 * RFC 6675 SetPipe() on the byte model: for each unSACKed octet in
 * [una, max), one if !IsLost (fewer than DupThresh SACKed runs and at most
 * (DupThresh - 1) * mss SACKed octets above it) and one more if it lies
 * below max(hrx, una).  Walks down from max so that what is above is a
 * running count.  Counts into st[] the unSACKed octets by kind: [0] lost,
 * [1] not lost yet below the highest SACKed octet, [2] not lost and
 * retransmitted, [3] lost and retransmitted.
 */
static uint32_t
ref_pipe(const struct ref *r, int una, int max, int hrx, uint32_t mss,
	 unsigned long *st)
{
	const int rxt = hrx < una ? una : hrx;
	uint32_t pipe = 0, bytes_above = 0, runs_above = 0;
	int k;

	for (k = max - 1; k >= una; k--) {
		int lost;

		if (r->bit[k]) {
			bytes_above++;
			/* A run is counted at its lowest octet. */
			if (k == 0 || !r->bit[k - 1])
				runs_above++;
			continue;
		}
		lost = runs_above >= TCP_DUPTHRESH ||
			bytes_above > (uint32_t)(TCP_DUPTHRESH - 1) * mss;
		if (!lost)
			pipe++;
		if (k < rxt)
			pipe++;
		if (lost)
			st[k < rxt ? 3 : 0]++;
		else if (k < rxt)
			st[2]++;
		else if (runs_above > 0)
			st[1]++;
	}
	return pipe;
}

static void
ref_prune(struct ref *r, int una)
{
	memset(r->bit, 0, (size_t)una);
}

/* Board and model agree, and the board's invariants hold. */
static void
check_board(const struct tcp_sack_board *b, const struct ref *r, int una,
	    int max, const char *what, unsigned int seed, unsigned int op)
{
	uint8_t got[REF_WIN];
	uint32_t sum = 0;
	unsigned int i;
	int k;

	memset(got, 0, sizeof(got));
	if (b->n > TCP_SACK_BOARD)
		fail_msg("%s seed %u op %u: n %u > %u", what, seed, op, b->n,
			 TCP_SACK_BOARD);
	for (i = 0; i < b->n; i++) {
		int so = (int)(int32_t)(b->start[i] - r->base);
		int eo = (int)(int32_t)(b->end[i] - r->base);

		if (!SEQ_LT(b->start[i], b->end[i]))
			fail_msg("%s seed %u op %u: range %u empty or reversed",
				 what, seed, op, i);
		if (i > 0 && !SEQ_LT(b->end[i - 1], b->start[i]))
			fail_msg("%s seed %u op %u: ranges %u and %u overlap, "
				 "touch or are unsorted", what, seed, op,
				 i - 1, i);
		if (so < una || eo > max)
			fail_msg("%s seed %u op %u: range [%d, %d) outside "
				 "[%d, %d]", what, seed, op, so, eo, una, max);
		for (k = so; k < eo; k++)
			got[k] = 1;
		sum += SEQ_DIFF(b->end[i], b->start[i]);
	}
	if (sum != b->sacked)
		fail_msg("%s seed %u op %u: sacked %u, ranges sum to %u", what,
			 seed, op, b->sacked, sum);
	for (k = 0; k < REF_WIN; k++)
		if (got[k] != r->bit[k])
			fail_msg("%s seed %u op %u: byte at offset %d: board "
				 "%u, model %u", what, seed, op, k, got[k],
				 r->bit[k]);
}

/* Small helpers for the hand-written cases. */
static unsigned int
add1(struct tcp_sack_board *b, uint32_t una, uint32_t max, uint32_t s,
     uint32_t e)
{
	return tcp_sack_update(b, una, max, &s, &e, 1);
}

static void
expect_ranges(const struct tcp_sack_board *b, const uint32_t *ranges,
	      unsigned int n)
{
	uint32_t sum = 0;
	unsigned int i;

	assert_int_equal(b->n, n);
	for (i = 0; i < n; i++) {
		if (b->start[i] != ranges[2 * i] ||
		    b->end[i] != ranges[2 * i + 1])
			fail_msg("range %u: got [0x%08x, 0x%08x), want "
				 "[0x%08x, 0x%08x)", i, b->start[i], b->end[i],
				 ranges[2 * i], ranges[2 * i + 1]);
		sum += ranges[2 * i + 1] - ranges[2 * i];
	}
	assert_int_equal(b->sacked, sum);
}

/* ---- tests ---- */

static void
test_sack_clear(void **state)
{
	struct tcp_sack_board b;
	uint32_t s, l;

	(void)state;
	memset(&b, 0xa5, sizeof(b));
	tcp_sack_clear(&b);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.sacked, 0);
	assert_int_equal(tcp_sack_high(&b, 1000), 1000);
	assert_int_equal(tcp_sack_next_hole(&b, 1000, 1000, &s, &l), 0);
	assert_false(tcp_sack_first_lost(&b, 1000));
	assert_int_equal(tcp_sack_pipe(&b, 1000, 11000, 1000, 1000), 10000);

	/* Clearing a populated board empties it. */
	assert_int_equal(add1(&b, 1000, 11000, 2000, 3000), 1);
	assert_int_equal(b.n, 1);
	tcp_sack_clear(&b);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.sacked, 0);
	assert_int_equal(tcp_sack_high(&b, 1000), 1000);
}

/* Each way a new block can meet existing ranges, by hand. */
static void
test_sack_merge_basic(void **state)
{
	struct tcp_sack_board b;
	const uint32_t una = 0, max = 100000;

	(void)state;
	tcp_sack_clear(&b);
	assert_int_equal(add1(&b, una, max, 1000, 2000), 1);
	assert_int_equal(add1(&b, una, max, 5000, 6000), 1);
	{
		static const uint32_t r[] = { 1000, 2000, 5000, 6000 };

		expect_ranges(&b, r, 2);
	}
	assert_int_equal(tcp_sack_high(&b, una), 6000);

	/* Adjacent on the right and on the left: merged. */
	assert_int_equal(add1(&b, una, max, 2000, 2500), 1);
	assert_int_equal(add1(&b, una, max, 4500, 5000), 1);
	{
		static const uint32_t r[] = { 1000, 2500, 4500, 6000 };

		expect_ranges(&b, r, 2);
	}
	/* Contained, equal, and sharing one edge: nothing new. */
	assert_int_equal(add1(&b, una, max, 1200, 1300), 0);
	assert_int_equal(add1(&b, una, max, 1000, 2500), 0);
	assert_int_equal(add1(&b, una, max, 1000, 1001), 0);
	assert_int_equal(add1(&b, una, max, 5999, 6000), 0);
	{
		static const uint32_t r[] = { 1000, 2500, 4500, 6000 };

		expect_ranges(&b, r, 2);
	}
	/* Overlapping on each side. */
	assert_int_equal(add1(&b, una, max, 800, 1100), 1);
	assert_int_equal(add1(&b, una, max, 5900, 6300), 1);
	{
		static const uint32_t r[] = { 800, 2500, 4500, 6300 };

		expect_ranges(&b, r, 2);
	}
	/* Containing a range. */
	assert_int_equal(add1(&b, una, max, 4000, 7000), 1);
	{
		static const uint32_t r[] = { 800, 2500, 4000, 7000 };

		expect_ranges(&b, r, 2);
	}
	/* A new range between, then one block bridging all three. */
	assert_int_equal(add1(&b, una, max, 3000, 3500), 1);
	assert_int_equal(b.n, 3);
	assert_int_equal(add1(&b, una, max, 2500, 4000), 1);
	{
		static const uint32_t r[] = { 800, 7000 };

		expect_ranges(&b, r, 1);
	}
	/* Several blocks in one call: counts those that added bytes. */
	{
		const uint32_t s[] = { 9000, 100, 7000, 200, 9500 };
		const uint32_t e[] = { 10000, 150, 7100, 800, 9600 };

		/* [9000,10000) new, [100,150) new, [7000,7100) new (adjacent),
		 * [200,800) new (bridges to 800), [9500,9600) contained. */
		assert_int_equal(tcp_sack_update(&b, una, max, s, e, 5), 4);
	}
	{
		static const uint32_t r[] = { 100, 150, 200, 7100,
					      9000, 10000 };

		expect_ranges(&b, r, 3);
	}
	assert_int_equal(tcp_sack_high(&b, una), 10000);
}

/* Permutations of small block sets: the board ends up the same whatever
 * the order, one block per call or all in one call. */
static unsigned int perm_sets_run;

static void
run_permutation(const uint32_t *s, const uint32_t *e, const int *perm,
		int n, uint32_t base, const uint32_t *want, unsigned int nwant)
{
	struct tcp_sack_board b1, b2;
	uint32_t ps[8], pe[8], cover[8];
	uint32_t want_b[16];
	unsigned int added = 0, expect_added = 0, got;
	int i, k, j;
	struct ref r;

	memset(&r, 0, sizeof(r));
	tcp_sack_clear(&b1);
	tcp_sack_clear(&b2);
	for (i = 0; i < n; i++) {
		ps[i] = base + s[perm[i]];
		pe[i] = base + e[perm[i]];
		added += add1(&b1, base, base + 2000, ps[i], pe[i]);
		/* Expected count: the block covered an unseen byte, i.e. it
		 * was not wholly inside one range (the board never fills
		 * here). */
		cover[i] = 0;
		for (k = (int)s[perm[i]]; k < (int)e[perm[i]]; k++) {
			if (!r.bit[k])
				cover[i] = 1;
			r.bit[k] = 1;
		}
		expect_added += cover[i];
	}
	got = tcp_sack_update(&b2, base, base + 2000, ps, pe, (unsigned int)n);
	for (j = 0; j < (int)nwant; j++) {
		want_b[2 * j] = base + want[2 * j];
		want_b[2 * j + 1] = base + want[2 * j + 1];
	}
	expect_ranges(&b1, want_b, nwant);
	expect_ranges(&b2, want_b, nwant);
	assert_int_equal(added, expect_added);
	assert_int_equal(got, expect_added);
	perm_sets_run++;
}

static void
permute(const uint32_t *s, const uint32_t *e, int *perm, int k, int n,
	uint32_t base, const uint32_t *want, unsigned int nwant)
{
	int i, t;

	if (k == n) {
		run_permutation(s, e, perm, n, base, want, nwant);
		return;
	}
	for (i = k; i < n; i++) {
		t = perm[k];
		perm[k] = perm[i];
		perm[i] = t;
		permute(s, e, perm, k + 1, n, base, want, nwant);
		t = perm[k];
		perm[k] = perm[i];
		perm[i] = t;
	}
}

static void
test_sack_merge_orders(void **state)
{
	/* Adjacent, overlapping and contained pieces of [100, 500). */
	static const uint32_t s1[] = { 100, 200, 150, 120, 400, 300 };
	static const uint32_t e1[] = { 200, 300, 250, 130, 500, 400 };
	static const uint32_t w1[] = { 100, 500 };
	/* Two results, one block covering several others. */
	static const uint32_t s2[] = { 10, 30, 20, 5, 50, 55 };
	static const uint32_t e2[] = { 20, 40, 30, 45, 60, 56 };
	static const uint32_t w2[] = { 5, 45, 50, 60 };
	/* Duplicates, shared edges, one-byte extensions. */
	static const uint32_t s3[] = { 100, 100, 100, 150, 199, 99 };
	static const uint32_t e3[] = { 200, 200, 150, 200, 201, 100 };
	static const uint32_t w3[] = { 99, 201 };
	/* Stay apart: gaps of one byte. */
	static const uint32_t s4[] = { 10, 21, 32, 43, 54 };
	static const uint32_t e4[] = { 20, 31, 42, 53, 64 };
	static const uint32_t w4[] = { 10, 20, 21, 31, 32, 42, 43, 53, 54, 64 };
	static const uint32_t bases[] = { 0, 0xfffffe00u, 0x7fffff00u,
					  0x12345678u };
	int perm[8];
	unsigned int bi;
	int i;

	(void)state;
	perm_sets_run = 0;
	for (bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
		for (i = 0; i < 8; i++)
			perm[i] = i;
		permute(s1, e1, perm, 0, 6, bases[bi], w1, 1);
		permute(s2, e2, perm, 0, 6, bases[bi], w2, 2);
		permute(s3, e3, perm, 0, 6, bases[bi], w3, 1);
		permute(s4, e4, perm, 0, 5, bases[bi], w4, 5);
	}
	assert_int_equal(perm_sets_run, 4 * (720 * 3 + 120));
}

/* Blocks not wholly inside (snd_una, snd_max], empty or reversed ones,
 * and D-SACK blocks below snd_una change nothing. */
static void
test_sack_ignored(void **state)
{
	static const uint32_t bases[] = { 0, 0xfffff000u, 0x80000000u };
	unsigned int bi;

	(void)state;
	for (bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
		const uint32_t una = bases[bi] + 1000, max = bases[bi] + 9000;
		struct tcp_sack_board b;
		uint32_t want[2];

		tcp_sack_clear(&b);
		assert_int_equal(add1(&b, una, max, una + 2000, una + 3000), 1);
		want[0] = una + 2000;
		want[1] = una + 3000;

		/* Starting at snd_una (already acknowledged byte range). */
		assert_int_equal(add1(&b, una, max, una, una + 500), 0);
		/* Straddling snd_una. */
		assert_int_equal(add1(&b, una, max, una - 10, una + 500), 0);
		/* Wholly below snd_una: a D-SACK (RFC 2883) or stale. */
		assert_int_equal(add1(&b, una, max, una - 1000, una - 500), 0);
		assert_int_equal(add1(&b, una, max, una - 500, una), 0);
		/* Past snd_max, straddling or wholly. */
		assert_int_equal(add1(&b, una, max, max - 100, max + 1), 0);
		assert_int_equal(add1(&b, una, max, max, max + 100), 0);
		assert_int_equal(add1(&b, una, max, max + 100, max + 200), 0);
		/* Empty and reversed. */
		assert_int_equal(add1(&b, una, max, una + 100, una + 100), 0);
		assert_int_equal(add1(&b, una, max, una + 500, una + 100), 0);
		/* Reversed across the whole window. */
		assert_int_equal(add1(&b, una, max, max, una + 1), 0);
		/* Garbage half the circle away. */
		assert_int_equal(add1(&b, una, max, una + 0x80000000u,
				      una + 0x80000100u), 0);
		/* Ends far apart, each on the "right" side by sequence
		 * comparison (s > una, e <= max, s < e) yet the block lies
		 * outside the window (found by fuzz_tcp_sack). */
		{
			struct tcp_sack_board e;

			tcp_sack_clear(&e);
			assert_int_equal(add1(&e, una, max, una + 0x79dec301u,
					      una + 0xc300c301u), 0);
			assert_int_equal(add1(&e, una, max, una + 0x7fffff00u,
					      max - 0x7fffff00u), 0);
			assert_int_equal(e.n, 0);
			assert_int_equal(e.sacked, 0);
		}
		expect_ranges(&b, want, 1);

		/* The edges themselves are accepted: una + 1 and snd_max. */
		assert_int_equal(add1(&b, una, max, una + 1, una + 2), 1);
		assert_int_equal(add1(&b, una, max, max - 1, max), 1);
		assert_int_equal(b.n, 3);
		assert_int_equal(tcp_sack_high(&b, una), max);

		/* A D-SACK first block followed by ordinary ones (RFC 2883
		 * 4): only the ordinary ones count. */
		{
			const uint32_t s[] = { una - 1000, una + 5000 };
			const uint32_t e[] = { una - 500, una + 5500 };

			assert_int_equal(tcp_sack_update(&b, una, max, s, e, 2),
					 1);
			assert_int_equal(b.n, 4);
		}
		/* A D-SACK reporting a duplicate above snd_una, inside a
		 * SACKed range: no new information. */
		{
			const uint32_t s[] = { una + 2100, una + 2000 };
			const uint32_t e[] = { una + 2200, una + 3000 };

			assert_int_equal(tcp_sack_update(&b, una, max, s, e, 2),
					 0);
			assert_int_equal(b.n, 4);
		}
		/* n = 0 is a no-op. */
		assert_int_equal(tcp_sack_update(&b, una, max, NULL, NULL, 0),
				 0);
		assert_int_equal(b.n, 4);
		assert_int_equal(b.sacked, 1 + 1000 + 1 + 500);
	}
}

/* Sequence numbers wrapping through 0. */
static void
test_sack_wrap(void **state)
{
	struct tcp_sack_board b;
	const uint32_t una = 0xfffff000u, max = 0x00001000u;
	uint32_t s, l;

	(void)state;
	tcp_sack_clear(&b);
	/* Straddles 0, then one adjacent after 0, one before the wrap. */
	assert_int_equal(add1(&b, una, max, 0xfffff800u, 0x00000400u), 1);
	assert_int_equal(add1(&b, una, max, 0x00000400u, 0x00000800u), 1);
	assert_int_equal(add1(&b, una, max, 0xfffff400u, 0xfffff500u), 1);
	{
		static const uint32_t r[] = { 0xfffff400u, 0xfffff500u,
					      0xfffff800u, 0x00000800u };

		expect_ranges(&b, r, 2);
	}
	assert_int_equal(b.sacked, 0x100 + 0x1000);
	assert_int_equal(tcp_sack_high(&b, una), 0x800);
	/* Past snd_max (after the wrap) is still ignored. */
	assert_int_equal(add1(&b, una, max, 0x00000f00u, 0x00001001u), 0);
	/* Below snd_una (before the wrap). */
	assert_int_equal(add1(&b, una, max, 0xffffe000u, 0xffffe100u), 0);

	/* Holes: [una, 0xfffff400) and [0xfffff500, 0xfffff800). */
	assert_int_equal(tcp_sack_next_hole(&b, una, una, &s, &l), 1);
	assert_int_equal(s, una);
	assert_int_equal(l, 0x400);
	assert_int_equal(tcp_sack_next_hole(&b, una, s + l, &s, &l), 1);
	assert_int_equal(s, 0xfffff500u);
	assert_int_equal(l, 0x300);
	assert_int_equal(tcp_sack_next_hole(&b, una, s + l, &s, &l), 0);
	assert_int_equal(tcp_sack_next_hole(&b, una, 0x10, &s, &l), 0);

	/*
	 * Pipe: 0x2000 outstanding, 0x1100 SACKed.  Holes: H1 [una,
	 * 0xfffff400) = 0x400 with 2 ranges and 0x1100 = 4352 bytes above;
	 * H2 [0xfffff500, 0xfffff800) = 0x300 with 1 range and 0x1000 =
	 * 4096 bytes above; H3 [0x800, 0x1000) = 0x800, nothing above.
	 * MSS 1000 (IsLost above 2000 bytes): H1 and H2 lost, pipe = H3.
	 */
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, 1000), 0x800);
	/* H1 retransmitted: + 0x400. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, 0xfffff500u, 1000),
			 0xc00);
	/* MSS 2048 (above 4096 bytes): H2 has exactly 4096 above, not
	 * lost: 0x300 + 0x800; with H1 resent, + 0x400. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, 2048), 0xb00);
	assert_int_equal(tcp_sack_pipe(&b, una, max, 0xfffff500u, 2048),
			 0xf00);
	/* MSS 2176 (above 4352 = 0x1100 bytes): nothing lost, 0x2000 -
	 * 0x1100 = 0xf00; H1 resent and not lost counts twice: + 0x400. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, 2176), 0xf00);
	assert_int_equal(tcp_sack_pipe(&b, una, max, 0xfffff500u, 2176),
			 0x1300);

	/* The cumulative ACK moves past 0 into the range: trimmed. */
	tcp_sack_prune(&b, 0x00000100u);
	{
		static const uint32_t r[] = { 0x00000100u, 0x00000800u };

		expect_ranges(&b, r, 1);
	}
	assert_int_equal(tcp_sack_high(&b, 0x100), 0x800);
}

static void
test_sack_prune(void **state)
{
	struct tcp_sack_board b;
	const uint32_t una = 0, max = 10000;

	(void)state;
	tcp_sack_clear(&b);
	add1(&b, una, max, 100, 200);
	add1(&b, una, max, 300, 400);
	add1(&b, una, max, 500, 600);
	/* Below every range, and exactly at the first start. */
	tcp_sack_prune(&b, 50);
	tcp_sack_prune(&b, 100);
	{
		static const uint32_t r[] = { 100, 200, 300, 400, 500, 600 };

		expect_ranges(&b, r, 3);
	}
	/* Into the first range: trimmed. */
	tcp_sack_prune(&b, 150);
	{
		static const uint32_t r[] = { 150, 200, 300, 400, 500, 600 };

		expect_ranges(&b, r, 3);
	}
	/* Exactly at its end: removed. */
	tcp_sack_prune(&b, 200);
	{
		static const uint32_t r[] = { 300, 400, 500, 600 };

		expect_ranges(&b, r, 2);
	}
	/* Past one range into the next. */
	tcp_sack_prune(&b, 550);
	{
		static const uint32_t r[] = { 550, 600 };

		expect_ranges(&b, r, 1);
	}
	assert_int_equal(tcp_sack_high(&b, 550), 600);
	/* Past everything. */
	tcp_sack_prune(&b, 700);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.sacked, 0);
	assert_int_equal(tcp_sack_high(&b, 700), 700);
	/* Pruning an empty board. */
	tcp_sack_prune(&b, 800);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.sacked, 0);

	/* Across the wrap, removing several at once. */
	tcp_sack_clear(&b);
	add1(&b, 0xffffff00u, 0x1000, 0xffffff10u, 0xffffff20u);
	add1(&b, 0xffffff00u, 0x1000, 0xfffffff0u, 0x10u);
	add1(&b, 0xffffff00u, 0x1000, 0x20u, 0x30u);
	add1(&b, 0xffffff00u, 0x1000, 0x40u, 0x50u);
	tcp_sack_prune(&b, 0x25u);
	{
		static const uint32_t r[] = { 0x25u, 0x30u, 0x40u, 0x50u };

		expect_ranges(&b, r, 2);
	}
}

/* Iterating next_hole from snd_una visits exactly the holes below the
 * highest SACKed byte. */
static void
test_sack_next_hole(void **state)
{
	struct tcp_sack_board b;
	const uint32_t una = 1000, max = 20000;
	static const uint32_t holes[] = { 1000, 2000, 3000, 3500,
					  6000, 6001, 7000, 9000 };
	uint32_t s, l, from;
	unsigned int i;

	(void)state;
	tcp_sack_clear(&b);
	add1(&b, una, max, 2000, 3000);
	add1(&b, una, max, 3500, 6000);
	add1(&b, una, max, 6001, 7000);
	add1(&b, una, max, 9000, 12000);
	from = una;
	for (i = 0; tcp_sack_next_hole(&b, una, from, &s, &l); i++) {
		assert_true(i < 4);
		assert_int_equal(s, holes[2 * i]);
		assert_int_equal(s + l, holes[2 * i + 1]);
		from = s + l;
	}
	assert_int_equal(i, 4);

	/* From inside a hole: the rest of it. */
	assert_int_equal(tcp_sack_next_hole(&b, una, 1500, &s, &l), 1);
	assert_int_equal(s, 1500);
	assert_int_equal(l, 500);
	/* From inside a SACKed range: the hole after it. */
	assert_int_equal(tcp_sack_next_hole(&b, una, 4000, &s, &l), 1);
	assert_int_equal(s, 6000);
	assert_int_equal(l, 1);
	/* From the last byte of a hole. */
	assert_int_equal(tcp_sack_next_hole(&b, una, 8999, &s, &l), 1);
	assert_int_equal(s, 8999);
	assert_int_equal(l, 1);
	/* From below snd_una: starts at snd_una. */
	assert_int_equal(tcp_sack_next_hole(&b, una, 10, &s, &l), 1);
	assert_int_equal(s, una);
	assert_int_equal(l, 1000);
	/* At or above the highest SACKed byte: nothing (not lost yet). */
	assert_int_equal(tcp_sack_next_hole(&b, una, 11999, &s, &l), 0);
	assert_int_equal(tcp_sack_next_hole(&b, una, 12000, &s, &l), 0);
	assert_int_equal(tcp_sack_next_hole(&b, una, 15000, &s, &l), 0);

	/* No hole at snd_una once the ACK reaches the first range. */
	tcp_sack_prune(&b, 2000);
	assert_int_equal(tcp_sack_next_hole(&b, 2000, 2000, &s, &l), 1);
	assert_int_equal(s, 3000);
	assert_int_equal(l, 500);
}

/* RFC 6675 IsLost(SND.UNA): DupThresh (3) discontiguous SACKed ranges
 * above, or more than (DupThresh - 1) * SMSS = 2 * SMSS bytes SACKed. */
static void
test_sack_first_lost(void **state)
{
	struct tcp_sack_board b;
	const uint32_t una = 0, max = 100000, mss = 1000;

	(void)state;
	/* Two segments in one range: not lost. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 1000, 3000);
	assert_false(tcp_sack_first_lost(&b, mss));
	/* One byte more: more than 2 * SMSS. */
	add1(&b, una, max, 3000, 3001);
	assert_true(tcp_sack_first_lost(&b, mss));

	/* Three segments in one range. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 1000, 4000);
	assert_true(tcp_sack_first_lost(&b, mss));

	/* Two segments in two ranges: not lost. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 1000, 2000);
	add1(&b, una, max, 3000, 4000);
	assert_int_equal(b.n, 2);
	assert_false(tcp_sack_first_lost(&b, mss));

	/* Three ranges, however small. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 1000, 1001);
	add1(&b, una, max, 2000, 2001);
	assert_false(tcp_sack_first_lost(&b, mss));
	add1(&b, una, max, 3000, 3001);
	assert_int_equal(b.sacked, 3);
	assert_true(tcp_sack_first_lost(&b, mss));
	/* Merging two of them back into two ranges: not lost again. */
	add1(&b, una, max, 1001, 2000);
	assert_int_equal(b.n, 2);
	assert_false(tcp_sack_first_lost(&b, mss));

	/* The byte threshold scales with the MSS. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 1000, 3921);	/* 2921 = 2 * 1460 + 1 */
	assert_true(tcp_sack_first_lost(&b, 1460));
	assert_false(tcp_sack_first_lost(&b, 1461));

	/* After the cumulative ACK prunes the evidence away. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 1000, 2000);
	add1(&b, una, max, 3000, 4000);
	add1(&b, una, max, 5000, 6000);
	assert_true(tcp_sack_first_lost(&b, mss));
	tcp_sack_prune(&b, 2500);
	assert_false(tcp_sack_first_lost(&b, mss));
}

/*
 * RFC 6675 section 4, SetPipe(), for each octet in [SND.UNA, SND.MAX) not
 * SACKed: +1 if !IsLost(octet), +1 if the octet has been retransmitted.
 * With MSS 1000 the examples keep more than 2 * SMSS SACKed above every
 * hole below the highest SACK, so that each such hole is lost by IsLost
 * (test_sack_pipe_not_lost has the other cases); the board's high_rxt is
 * one past the last retransmitted octet.
 */
static void
test_sack_pipe(void **state)
{
	static const uint32_t bases[] = { 0, 0xfffff000u, 0x7ffffc00u };
	unsigned int bi;

	(void)state;
	for (bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
		const uint32_t o = bases[bi];
		const uint32_t una = o + 1000, max = o + 11000, mss = 1000;
		struct tcp_sack_board b;

		/* No SACK: everything outstanding is in the pipe. */
		tcp_sack_clear(&b);
		assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 10000);
		/* Nothing outstanding. */
		assert_int_equal(tcp_sack_pipe(&b, una, una, una, mss), 0);

		/*
		 * Ten segments [1000, 11000); SACKed [2000, 3000) and
		 * [4000, 8000).  Holes [1000, 2000) (5000 bytes SACKed
		 * above: lost) and [3000, 4000) (4000 above: lost);
		 * [8000, 11000) has nothing SACKed above: not lost.
		 */
		tcp_sack_clear(&b);
		add1(&b, una, max, o + 2000, o + 3000);
		add1(&b, una, max, o + 4000, o + 8000);
		assert_true(tcp_sack_first_lost(&b, 1000));
		/* Nothing retransmitted: only [8000, 11000). */
		assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 3000);
		/* high_rxt below snd_una counts as snd_una. */
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 500, mss),
				 3000);
		/* First hole retransmitted: + 1000. */
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 2000, mss),
				 4000);
		/* high_rxt inside a SACKed range changes nothing more. */
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 2500, mss),
				 4000);
		/* Half of the second hole too. */
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 3500, mss),
				 4500);
		/* Both holes. */
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 4000, mss),
				 5000);
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 8000, mss),
				 5000);
		/* Everything, as after an RTO: the holes once, the rest
		 * twice: 2000 + 2 * 3000. */
		assert_int_equal(tcp_sack_pipe(&b, una, max, max, mss), 8000);
		/*
		 * A larger MSS raises the byte threshold.  MSS 2000 (lost
		 * above 4000): [1000, 2000) with 5000 above still lost,
		 * [3000, 4000) with 4000 above not: 1000 + 3000.  MSS 2500
		 * (above 5000): neither, all 5000 unSACKed octets.
		 */
		assert_int_equal(tcp_sack_pipe(&b, una, max, una, 2000), 4000);
		assert_int_equal(tcp_sack_pipe(&b, una, max, una, 2500), 5000);
		/* ...and a retransmitted octet that is not lost counts
		 * twice: first hole resent, MSS 2500: 5000 + 1000. */
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 2000, 2500),
				 6000);

		/* The ACK for the first hole arrives: snd_una = 2000, so
		 * the first range is pruned away. */
		tcp_sack_prune(&b, o + 2000);
		tcp_sack_prune(&b, o + 3000);
		assert_int_equal(b.n, 1);
		/* [3000, 4000) lost (4000 SACKed above), [8000, 11000)
		 * in flight. */
		assert_int_equal(tcp_sack_pipe(&b, o + 3000, max, o + 3000,
					       mss), 3000);
		assert_int_equal(tcp_sack_pipe(&b, o + 3000, max, o + 4000,
					       mss), 4000);

		/* Everything above the hole SACKed: pipe empties. */
		tcp_sack_clear(&b);
		add1(&b, una, max, o + 2000, max);
		assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 0);
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 1500, mss),
				 500);
		assert_int_equal(tcp_sack_pipe(&b, una, max, o + 2000, mss),
				 1000);
	}
}

/*
 * RFC 6675 IsLost inside SetPipe(): an unSACKed octet is lost only when
 * DupThresh (3) discontiguous SACKed ranges or more than (DupThresh - 1) *
 * SMSS SACKed octets lie above it.  A hole with less SACKed above it is
 * still assumed in flight and belongs in pipe, and once retransmitted it
 * counts twice.  snd_una 1000, snd_max 11000 (10000 outstanding), MSS 1000
 * unless stated.
 */
static void
test_sack_pipe_not_lost(void **state)
{
	const uint32_t una = 1000, max = 11000, mss = 1000;
	struct tcp_sack_board b;

	(void)state;
	/* SACKed [2000, 3000) only: 1 range and 1000 octets above
	 * [1000, 2000), not lost (RFC 6675 would not even enter recovery:
	 * IsLost(1000) is false).  pipe = 10000 - 1000 SACKed = 9000. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 2000, 3000);
	assert_false(tcp_sack_first_lost(&b, mss));
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 9000);
	/* The first segment retransmitted: + 1000; half of it: + 500. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, 2000, mss), 10000);
	assert_int_equal(tcp_sack_pipe(&b, una, max, 1500, mss), 9500);
	/* high_rxt inside the SACKed range: SACKed octets never count. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, 2500, mss), 10000);
	assert_int_equal(tcp_sack_pipe(&b, una, max, 3000, mss), 10000);
	/* ...and above it: [3000, 3500) resent too, + 500. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, 3500, mss), 10500);

	/* SACKed [2000, 5000) and [6000, 7000).  [1000, 2000): 2 ranges,
	 * 4000 octets above (> 2000): lost.  [5000, 6000): 1 range, 1000
	 * octets: not lost.  [7000, 11000): nothing above.
	 * pipe = 1000 + 4000 = 5000. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 2000, 5000);
	add1(&b, una, max, 6000, 7000);
	assert_true(tcp_sack_first_lost(&b, mss));
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 5000);
	/* The lost hole resent: + 1000.  Also [5000, 5500): + 500. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, 2000, mss), 6000);
	assert_int_equal(tcp_sack_pipe(&b, una, max, 5500, mss), 6500);

	/* The byte rule's edge: exactly 2 * SMSS above is not lost.
	 * SACKed [2000, 4000): pipe = 10000 - 2000 = 8000. */
	tcp_sack_clear(&b);
	add1(&b, una, max, 2000, 4000);
	assert_false(tcp_sack_first_lost(&b, mss));
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 8000);
	/* One octet more, [2000, 4001): 2001 above, lost.  pipe = [4001,
	 * 11000) = 6999. */
	add1(&b, una, max, 4000, 4001);
	assert_int_equal(b.n, 1);
	assert_true(tcp_sack_first_lost(&b, mss));
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 6999);
	/* The threshold scales with the MSS: lost above 2 * mss octets.
	 * MSS 1001 (2002) and 1460 (2920): not lost, 1000 + 6999 = 7999;
	 * MSS 1000 (2000) and 1 (2): lost, 6999. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, 1001), 7999);
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, 1460), 7999);
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, 1), 6999);
	assert_false(tcp_sack_first_lost(&b, 1001));
	assert_true(tcp_sack_first_lost(&b, 1));

	/*
	 * The range rule: three 1-octet ranges [2000, 2001), [3000, 3001),
	 * [4000, 4001), 3 octets SACKed.
	 *   [1000, 2000): 3 ranges above, lost whatever the bytes;
	 *   [2001, 3000): 2 ranges, 2 octets: not lost, 999;
	 *   [3001, 4000): 1 range: not lost, 999;
	 *   [4001, 11000): 6999.
	 * pipe = 999 + 999 + 6999 = 8997 (= 10000 - 3 - 1000).
	 */
	tcp_sack_clear(&b);
	add1(&b, una, max, 2000, 2001);
	add1(&b, una, max, 3000, 3001);
	add1(&b, una, max, 4000, 4001);
	assert_true(tcp_sack_first_lost(&b, mss));
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 8997);
	/* Resent up to 2500: [1000, 2000) lost, + 1000; [2001, 2500) not
	 * lost, + 499: 8997 + 1499 = 10496. */
	assert_int_equal(tcp_sack_pipe(&b, una, max, 2500, mss), 10496);
	/* A fourth range [5000, 5001): [2001, 3000) now has 3 ranges above
	 * and is lost too.  pipe = [3001, 4000) 999 + [4001, 5000) 999 +
	 * [5001, 11000) 5999 = 7997. */
	add1(&b, una, max, 5000, 5001);
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 7997);
	/* Filling [2001, 3000) merges two ranges: back to 3 ranges with
	 * [1000, 2000) lost (3 ranges above) and [3001, 4000) not (2
	 * ranges, 2 octets).  pipe = 999 + 999 + 5999 = 7997. */
	assert_int_equal(add1(&b, una, max, 2001, 3000), 1);
	assert_int_equal(b.n, 3);
	assert_int_equal(tcp_sack_pipe(&b, una, max, una, mss), 7997);
}

/* Fill the board with TCP_SACK_BOARD one-hundred-byte ranges at
 * 1000 * i, i = 1..8. */
static void
fill_board(struct tcp_sack_board *b, uint32_t una, uint32_t max)
{
	uint32_t i;

	tcp_sack_clear(b);
	for (i = 1; i <= TCP_SACK_BOARD; i++)
		assert_int_equal(add1(b, una, max, 1000 * i, 1000 * i + 100),
				 1);
	assert_int_equal(b->n, TCP_SACK_BOARD);
	assert_int_equal(b->sacked, 100 * TCP_SACK_BOARD);
}

static void
test_sack_full_board(void **state)
{
	const uint32_t una = 0, max = 100000;
	const uint32_t top = 1000 * TCP_SACK_BOARD;
	struct tcp_sack_board b;
	uint32_t s, l;

	(void)state;
	/* A new range above the highest is the one forgotten. */
	fill_board(&b, una, max);
	assert_int_equal(add1(&b, una, max, 20000, 21000), 0);
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(tcp_sack_high(&b, una), top + 100);
	assert_int_equal(b.end[TCP_SACK_BOARD - 1], top + 100);

	/* One that merges with a range still fits. */
	assert_int_equal(add1(&b, una, max, 1100, 1200), 1);
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(b.end[0], 1200);
	/* Also extending the highest range upwards. */
	assert_int_equal(add1(&b, una, max, top + 100, top + 300), 1);
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(tcp_sack_high(&b, una), top + 300);

	/* One bridging two ranges frees a slot... */
	assert_int_equal(add1(&b, una, max, 2100, 3000), 1);
	assert_int_equal(b.n, TCP_SACK_BOARD - 1);
	/* ...which a new highest range then takes. */
	assert_int_equal(add1(&b, una, max, 20000, 21000), 1);
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(tcp_sack_high(&b, una), 21000);

	/* A new range in a gap, larger than the highest: the highest is
	 * dropped, the board stays full and sorted. */
	fill_board(&b, una, max);
	assert_int_equal(add1(&b, una, max, 1500, 1800), 1);
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(b.start[1], 1500);
	assert_int_equal(b.end[1], 1800);
	assert_int_equal(tcp_sack_high(&b, una), top - 1000 + 100);
	assert_int_equal(b.sacked, 100 * (TCP_SACK_BOARD - 1) + 300);
	/* The forgotten range is a hole no more: it is above the highest
	 * SACKed byte, so it is not offered for retransmission. */
	assert_int_equal(tcp_sack_next_hole(&b, una, top - 1000 + 100, &s,
					    &l), 0);
	/* The peer repeating the dropped range: a new range above the
	 * highest while full, forgotten again. */
	assert_int_equal(add1(&b, una, max, top, top + 100), 0);
	assert_int_equal(tcp_sack_high(&b, una), top - 1000 + 100);
	/* Once the ACK frees room, it is remembered. */
	tcp_sack_prune(&b, 1100);
	assert_int_equal(b.n, TCP_SACK_BOARD - 1);
	assert_int_equal(add1(&b, 1100, max, top, top + 100), 1);
	assert_int_equal(tcp_sack_high(&b, 1100), top + 100);

	/* Below every range: the highest is dropped. */
	fill_board(&b, una, max);
	assert_int_equal(add1(&b, una, max, 10, 500), 1);
	assert_int_equal(b.start[0], 10);
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(tcp_sack_high(&b, una), top - 1000 + 100);

	/* Full, several blocks at once, each judged in turn. */
	fill_board(&b, una, max);
	{
		const uint32_t bs[] = { 1100, 30000, 2050, 1500 };
		const uint32_t be[] = { 1150, 31000, 2060, 1900 };

		/* merge-extend (1); above all while full (0); contained
		 * (0); in a gap, stored by evicting the highest (1). */
		assert_int_equal(tcp_sack_update(&b, una, max, bs, be, 4), 2);
	}
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(tcp_sack_high(&b, una), top - 1000 + 100);
}

/*
 * With the board full, a block that lands in a gap is stored (the highest
 * range is evicted to make room) and is new information, whatever its
 * size against the evicted range: the header promises "Returns how many
 * blocks were new information", and tcp_in.c counts the ACK as a
 * duplicate (RFC 6675 2) only when tcp_sack_update() returns > 0.
 *
 * Ranges [1000 * i, 1000 * i + 100) for i = 1..8 (full board, snd_una 0,
 * snd_max 100000), then the block [1500, 1510): 1, although sacked goes
 * from 800 to 710.
 */
static void
test_sack_full_board_return(void **state)
{
	const uint32_t top = 1000 * TCP_SACK_BOARD;
	struct tcp_sack_board b;

	(void)state;
	fill_board(&b, 0, 100000);
	assert_int_equal(add1(&b, 0, 100000, 1500, 1510), 1);
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(b.start[1], 1500);
	assert_int_equal(b.end[1], 1510);
	assert_int_equal(b.sacked, 100 * (TCP_SACK_BOARD - 1) + 10);
	assert_int_equal(tcp_sack_high(&b, 0), top - 1000 + 100);

	/* Exactly as large as the evicted range: also 1. */
	fill_board(&b, 0, 100000);
	assert_int_equal(add1(&b, 0, 100000, 1500, 1600), 1);
	assert_int_equal(b.sacked, 100 * TCP_SACK_BOARD);
	assert_int_equal(tcp_sack_high(&b, 0), top - 1000 + 100);

	/* In the gap just below the highest range: that one goes. */
	fill_board(&b, 0, 100000);
	assert_int_equal(add1(&b, 0, 100000, top - 500, top - 499), 1);
	assert_int_equal(b.start[TCP_SACK_BOARD - 1], top - 500);
	assert_int_equal(tcp_sack_high(&b, 0), top - 499);

	/* Several in one call, each evicting the then highest: 3. */
	fill_board(&b, 0, 100000);
	{
		const uint32_t bs[] = { 1500, 2500, 3500 };
		const uint32_t be[] = { 1501, 2501, 3501 };

		assert_int_equal(tcp_sack_update(&b, 0, 100000, bs, be, 3),
				 3);
	}
	assert_int_equal(b.n, TCP_SACK_BOARD);
	assert_int_equal(tcp_sack_high(&b, 0), top - 3000 + 100);

	/* Wholly covered while full: 0, nothing evicted. */
	fill_board(&b, 0, 100000);
	assert_int_equal(add1(&b, 0, 100000, 3010, 3090), 0);
	assert_int_equal(tcp_sack_high(&b, 0), top + 100);
	assert_int_equal(b.sacked, 100 * TCP_SACK_BOARD);
	/* Above the highest while full: the block itself is dropped, 0. */
	assert_int_equal(add1(&b, 0, 100000, top + 500, top + 600), 0);
	assert_int_equal(tcp_sack_high(&b, 0), top + 100);
	assert_int_equal(b.sacked, 100 * TCP_SACK_BOARD);
}

/* Random sequences against the byte model. */
static void
test_sack_random(void **state)
{
	static const uint32_t fixed_bases[] = { 0, 0xfffff000u, 0xfffffc00u,
						0x7ffff800u };
	static const uint32_t mss_fixed[] = { 1, 100, 1000 };
	unsigned int seed, op, evictions = 0, dropped = 0, full = 0;
	unsigned int holes_seen = 0, m;
	unsigned long kinds[4] = { 0, 0, 0, 0 };

	(void)state;
	for (seed = 1; seed <= 600; seed++) {
		struct tcp_sack_board b;
		struct ref r;
		int una = 0, max = 2500 + (int)(seed % 7) * 200;
		int mss = 100 + (int)(seed % 5) * 150;

		rng_state = 0x9e3779b97f4a7c15ull * seed;
		memset(&r, 0, sizeof(r));
		r.base = seed % 5 < 4 ? fixed_bases[seed % 4] + rng() % 2048 :
			rng();
		tcp_sack_clear(&b);
		for (op = 0; op < 300; op++) {
			const uint32_t sun = r.base + (uint32_t)una;
			const uint32_t smax = r.base + (uint32_t)max;
			int what = rng_range(0, 99);

			if (what < 60) {
				/* 1 to 4 blocks, some bogus. */
				uint32_t bs[4], be[4];
				int nb = rng_range(1, 4), i, want = 0;
				unsigned int got;

				for (i = 0; i < nb; i++) {
					int so = rng_range(una - 200,
							   max + 100);
					int len = rng_range(-20, 400);
					int ev;

					if (rng_range(0, 9) == 0)
						len = rng_range(1, 8);
					bs[i] = r.base + (uint32_t)so;
					be[i] = r.base + (uint32_t)(so + len);
					want += ref_apply(&r, una, max, so,
							  so + len, &ev);
					evictions += ev == 1;
					dropped += ev == 2;
				}
				got = tcp_sack_update(&b, sun, smax, bs, be,
						      (unsigned int)nb);
				if (got != (unsigned int)want)
					fail_msg("seed %u op %u: update "
						 "returned %u, want %d", seed,
						 op, got, want);
			} else if (what < 72) {
				una += rng_range(0, 120);
				if (una > max)
					una = max;
				ref_prune(&r, una);
				tcp_sack_prune(&b, r.base + (uint32_t)una);
			} else if (what < 80) {
				max += rng_range(0, 300);
				if (max > REF_WIN)
					max = REF_WIN;
			} else {
				/* Queries. */
				int fs, ls, le, runs, high;
				int from = rng_range(una - 100, max + 100);
				int hrx = rng_range(una - 50, max);
				uint32_t hs, hl;
				int pos, k, found;

				runs = ref_runs(&r, &fs, &ls, &le);
				high = ref_high(&r, una);
				if (runs == TCP_SACK_BOARD)
					full++;
				if (tcp_sack_high(&b, sun) !=
				    r.base + (uint32_t)high)
					fail_msg("seed %u op %u: high", seed,
						 op);
				for (m = 0; m <= 3; m++) {
					uint32_t mm = m < 3 ? mss_fixed[m] :
						(uint32_t)mss;

					if (tcp_sack_first_lost(&b, mm) !=
					    (runs >= 3 ||
					     ref_bytes(&r) > 2u * mm))
						fail_msg("seed %u op %u: "
							 "first_lost mss %u",
							 seed, op, mm);
				}
				/* next_hole from a random point. */
				pos = from < una ? una : from;
				while (pos < high && r.bit[pos])
					pos++;
				found = tcp_sack_next_hole(&b, sun,
					r.base + (uint32_t)from, &hs, &hl);
				if (found != (pos < high))
					fail_msg("seed %u op %u: next_hole "
						 "from %d found %d", seed, op,
						 from, found);
				if (found) {
					k = pos;
					while (!r.bit[k])
						k++;
					if (hs != r.base + (uint32_t)pos ||
					    hl != (uint32_t)(k - pos))
						fail_msg("seed %u op %u: hole "
							 "from %d", seed, op,
							 from);
					holes_seen++;
				}
				/* Iteration from snd_una covers exactly the
				 * unSACKed bytes below high. */
				{
					uint32_t f = sun, cover = 0;
					unsigned int it = 0;

					while (tcp_sack_next_hole(&b, sun, f,
								  &hs, &hl)) {
						int ho = (int)(hs - r.base);

						if (hl == 0 || it++ > 20)
							fail_msg("seed %u op "
								 "%u: loop",
								 seed, op);
						for (k = ho; k < ho + (int)hl;
						     k++)
							if (r.bit[k] ||
							    k >= high)
								fail_msg("seed"
								 " %u op %u: "
								 "hole byte %d",
								 seed, op, k);
						cover += hl;
						f = hs + hl;
					}
					if (cover != (uint32_t)(high - una) -
					    ref_bytes(&r))
						fail_msg("seed %u op %u: holes"
							 " cover %u", seed,
							 op, cover);
				}
				/* Pipe by RFC 6675 SetPipe(), for MSS 1,
				 * 100, 1000 and this seed's. */
				for (m = 0; m <= 3; m++) {
					uint32_t mm = m < 3 ? mss_fixed[m] :
						(uint32_t)mss;
					uint32_t want = ref_pipe(&r, una, max,
						hrx, mm, kinds);
					uint32_t got = tcp_sack_pipe(&b, sun,
						smax, r.base + (uint32_t)hrx,
						mm);

					if (got != want)
						fail_msg("seed %u op %u: pipe "
							 "%u, want %u (mss "
							 "%u, una %d, max %d,"
							 " high_rxt %d)",
							 seed, op, got, want,
							 mm, una, max, hrx);
				}
			}
			check_board(&b, &r, una, max, "random", seed, op);
		}
	}
	/* The interesting paths were taken. */
	assert_true(evictions > 100);
	assert_true(dropped > 100);
	assert_true(full > 100);
	assert_true(holes_seen > 1000);
	/* Every kind of octet SetPipe() distinguishes was seen often. */
	for (m = 0; m < 4; m++)
		if (kinds[m] < 10000)
			fail_msg("octets of kind %u: %lu", m, kinds[m]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sack_clear),
		cmocka_unit_test(test_sack_merge_basic),
		cmocka_unit_test(test_sack_merge_orders),
		cmocka_unit_test(test_sack_ignored),
		cmocka_unit_test(test_sack_wrap),
		cmocka_unit_test(test_sack_prune),
		cmocka_unit_test(test_sack_next_hole),
		cmocka_unit_test(test_sack_first_lost),
		cmocka_unit_test(test_sack_pipe),
		cmocka_unit_test(test_sack_pipe_not_lost),
		cmocka_unit_test(test_sack_full_board),
		cmocka_unit_test(test_sack_full_board_return),
		cmocka_unit_test(test_sack_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
