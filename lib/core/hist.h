/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Latency histogram for fetch jobs (connect time, time to first byte, full
 * response time), in microseconds.
 *
 * Bucket layout (log-linear, HDR-histogram style, HIST_SUB_BITS = 6):
 *
 *   - values 0..127 have a bucket each: they are recorded exactly;
 *   - from there on every power of two [2^e, 2^(e+1)), e >= 7, is cut into
 *     64 equal sub-buckets of width 2^(e-6).
 *
 * The index of v is (s << 6) + (v >> s) with s = max(0, floor(log2 v) - 6):
 * one count-leading-zeros, a shift and an add, no loop and no floating
 * point.  The range tracked is 0 .. HIST_VALUE_MAX = 2^30 - 1 us (about
 * 17.9 minutes, well past the 100 s a fetch may take): 1600 buckets.
 * Larger values are counted in the top bucket; min, max, count and sum
 * stay exact for them.
 *
 * Error bound: a bucket of width w starts at 64 * w or above, so every
 * value in it is within w / 2 of the bucket's midpoint, i.e. within
 * 1/128 (0.78 %) relative.  A percentile is reported as the midpoint of
 * the bucket holding it, clamped to [min, max] (which can only bring it
 * closer, and keeps it inside that bucket), hence:
 *
 *   |reported - exact| <= exact / 128     for exact <= HIST_VALUE_MAX,
 *
 * and exact for values below 128.  Beyond HIST_VALUE_MAX the answer is
 * only known to be between the top bucket's midpoint and the exact max.
 *
 * Percentile definition: the p-th percentile of n samples is the smallest
 * value x with at least p % of the samples <= x, i.e. the k-th smallest
 * sample with k = ceil(p * n / 100) (at least 1).  p <= 0 gives the exact
 * min, p >= 100 the exact max.
 *
 * Concurrency: the struct is fixed size with no pointers.  Each lcore
 * records into its own copy without locks; a reader copies it by value and
 * merges the copies.  A copy taken while the owner records may be torn: it
 * then misses or half-contains the last few samples (count, sum and the
 * buckets may disagree by a few counts), which statistics over thousands
 * of samples shrug off.  Percentiles rank against the bucket total, so a
 * torn copy stays self-consistent.
 *
 * Bucket counters are 32 bits to keep the struct small (6.3 KiB); they
 * saturate rather than wrap, which would take 2^32 samples in one bucket.
 */

#ifndef DPF_HIST_H
#define DPF_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS		6
#define HIST_SUB_BUCKETS	(1u << HIST_SUB_BITS)	/* per power of two */
#define HIST_RANGE_BITS		30
#define HIST_VALUE_MAX		((UINT64_C(1) << HIST_RANGE_BITS) - 1)
#define HIST_BUCKETS \
	((HIST_RANGE_BITS - HIST_SUB_BITS + 1) << HIST_SUB_BITS)

struct hist {
	uint64_t count;		/* samples recorded */
	uint64_t sum;		/* of the raw values, for the mean */
	uint64_t min;		/* exact; UINT64_MAX while empty */
	uint64_t max;		/* exact; 0 while empty */
	uint32_t buckets[HIST_BUCKETS];	/* saturating */
};

struct hist_summary {
	uint64_t count;
	uint64_t min;
	uint64_t p50;
	uint64_t p90;
	uint64_t p99;
	uint64_t p999;
	uint64_t max;
	double mean;
};

/* Bucket holding v; values past HIST_VALUE_MAX land in the top one. */
static inline unsigned int
hist_bucket_of(uint64_t v)
{
	uint64_t c = v < HIST_VALUE_MAX ? v : HIST_VALUE_MAX;
	/* OR-ing in the low bits keeps clz defined for 0 and makes the
	 * shift 0 for everything below 2^(HIST_SUB_BITS + 1). */
	unsigned int shift = (63 - HIST_SUB_BITS) -
		(unsigned int)__builtin_clzll(c | (HIST_SUB_BUCKETS * 2 - 1));

	return (shift << HIST_SUB_BITS) + (unsigned int)(c >> shift);
}

/* Smallest and largest value counted in bucket i (inclusive). */
uint64_t
hist_bucket_low(unsigned int i);

uint64_t
hist_bucket_high(unsigned int i);

void
hist_init(struct hist *h);

/* Data path: O(1), no floating point. */
static inline void
hist_record(struct hist *h, uint64_t v)
{
	uint32_t *b = &h->buckets[hist_bucket_of(v)];

	/* Saturate instead of wrapping: a wrapped bucket would silently
	 * move every percentile. */
	*b += (*b != UINT32_MAX);
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* dst += src: the result is the histogram of both sample sets. */
void
hist_merge(struct hist *dst, const struct hist *src);

/*
 * dst -= src, where src is an earlier copy of the same histogram (its
 * samples a subset of dst's): the result is the histogram of the samples
 * recorded in between.  Buckets, count and sum are exact (a bucket that
 * went backwards, as in a torn copy, counts 0; a saturated one stays
 * saturated); min and max are the bounds of the first and last bucket
 * left, kept within dst's own min and max, hence exact below 128.
 */
void
hist_subtract(struct hist *dst, const struct hist *src);

/*
 * Samples at or below v: the buckets wholly at or below it (a bucket
 * holding v but ending past it is left out, so the answer errs low by
 * at most that bucket, i.e. within v / 128 of v; exact below 128 and at
 * bucket ends).  For cumulative histogram buckets (Prometheus "le").
 */
uint64_t
hist_count_le(const struct hist *h, uint64_t v);

/* p in [0, 100]; 0 when empty.  See the definition and bound above. */
uint64_t
hist_percentile(const struct hist *h, double p);

/* 0 when empty. */
double
hist_mean(const struct hist *h);

static inline uint64_t
hist_count(const struct hist *h)
{
	return h->count;
}

/* 0 when empty. */
static inline uint64_t
hist_min(const struct hist *h)
{
	return h->count == 0 || h->min > h->max ? 0 : h->min;
}

static inline uint64_t
hist_max(const struct hist *h)
{
	return h->count == 0 ? 0 : h->max;
}

void
hist_summarize(const struct hist *h, struct hist_summary *s);

/*
 * The name a percentile goes by in results: "p" and the number without
 * its dot (50 -> "p50", 99.9 -> "p999", 99.99 -> "p9999").
 */
void
hist_pct_key(double pct, char *buf, size_t len);

/* One row of a percentile distribution, as HdrHistogram's .hgrm. */
struct hist_row {
	uint64_t value;		/* hist_percentile(h, percentile) */
	double percentile;	/* the level iterated to, 0..100 */
	uint64_t count;		/* samples <= value's bucket */
};

/*
 * The distribution in rows at HdrHistogram's percentile levels: from 0,
 * ticks_per_half steps to 50, as many again to 75, to 87.5 and so on,
 * halving the distance to 100 each time, and a last row at 100 (the
 * max).  Levels past the last sample's resolution (fewer than one
 * sample above them) jump to 100.  Writes at most max rows into rows and
 * returns how many; 0 when empty.
 */
unsigned int
hist_distribution(const struct hist *h, unsigned int ticks_per_half,
		  struct hist_row *rows, unsigned int max);

#endif /* DPF_HIST_H */
