/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the latency histogram (hist.h), chiefly against a
 * reference computed from the raw samples: exact percentiles of the sorted
 * samples must agree with the histogram's within the documented bound.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define N_LCORES	4
#define TOP		(HIST_BUCKETS - 1)

/* Percentile comparisons made, reported at the end. */
static unsigned long n_checks;

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* Uniform in (0, 1]: safe to take the log of. */
static double
rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 1.0) / 9007199254740992.0;
}

static uint64_t
rng_below(uint64_t n)
{
	return rng_next() % n;
}

static double
rng_normal(void)
{
	return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * M_PI * rng_unit());
}

/* A double sample as microseconds, kept in a sane range. */
static uint64_t
to_us(double x)
{
	if (x < 0)
		return 0;
	if (x > 1e15)
		return UINT64_C(1000000000000000);
	return (uint64_t)x;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The definition from hist.h, on the sorted raw samples. */
static uint64_t
ref_percentile(const uint64_t *sorted, size_t n, double p)
{
	double k;

	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	k = ceil(p * (double)n / 100.0);
	if (k < 1)
		k = 1;
	if (k > (double)n)
		k = (double)n;
	return sorted[(size_t)k - 1];
}

static void
check_one(const uint64_t *sorted, size_t n, double p, uint64_t got,
	  const char *what)
{
	uint64_t want = ref_percentile(sorted, n, p);
	uint64_t diff = got > want ? got - want : want - got;

	n_checks++;
	if (p <= 0 || p >= 100) {
		if (got != want)
			fail_msg("%s: p%g = %llu, want exactly %llu", what, p,
				 (unsigned long long)got,
				 (unsigned long long)want);
		return;
	}
	if (got < sorted[0] || got > sorted[n - 1])
		fail_msg("%s: p%g = %llu outside [min %llu, max %llu]", what,
			 p, (unsigned long long)got,
			 (unsigned long long)sorted[0],
			 (unsigned long long)sorted[n - 1]);
	if (want > HIST_VALUE_MAX) {
		/* Past the range only the top bucket is known. */
		if (hist_bucket_of(got) != TOP)
			fail_msg("%s: p%g = %llu, want the top bucket (%llu)",
				 what, p, (unsigned long long)got,
				 (unsigned long long)want);
		return;
	}
	if (hist_bucket_of(got) != hist_bucket_of(want) || diff * 128 > want)
		fail_msg("%s: p%g = %llu, want %llu within 1/128", what, p,
			 (unsigned long long)got, (unsigned long long)want);
	if (want < 2 * HIST_SUB_BUCKETS && got != want)
		fail_msg("%s: p%g = %llu, want exactly %llu", what, p,
			 (unsigned long long)got, (unsigned long long)want);
}

static void
assert_hist_equal(const struct hist *a, const struct hist *b)
{
	unsigned int i;

	assert_int_equal(a->count, b->count);
	assert_int_equal(a->sum, b->sum);
	assert_int_equal(a->min, b->min);
	assert_int_equal(a->max, b->max);
	for (i = 0; i < HIST_BUCKETS; i++)
		if (a->buckets[i] != b->buckets[i])
			fail_msg("bucket %u: %u != %u", i, a->buckets[i],
				 b->buckets[i]);
}

static const double fixed_p[] = {
	0, 1e-9, 0.001, 0.1, 1, 5, 10, 25, 33.333, 50, 66.6667, 75, 90, 95,
	99, 99.5, 99.9, 99.99, 99.999, 99.99999, 100,
};

/*
 * The whole battery for one sample set: count, min, max, sum and mean
 * exact; percentiles within the bound for fixed and random p; monotone in
 * p; the summary agrees; and the per-lcore split merges back to the
 * histogram of all the samples, bucket for bucket.
 */
static void
check_samples(const uint64_t *samples, size_t n, const char *what)
{
	struct hist h, part[N_LCORES], merged;
	struct hist_summary s;
	uint64_t *sorted;
	uint64_t sum = 0, prev;
	int wrapped = 0;
	long double exact_sum = 0;
	size_t i;
	unsigned int j;

	assert_true(n > 0);
	sorted = malloc(n * sizeof(*sorted));
	assert_non_null(sorted);
	memcpy(sorted, samples, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);

	hist_init(&h);
	for (j = 0; j < N_LCORES; j++)
		hist_init(&part[j]);
	for (i = 0; i < n; i++) {
		hist_record(&h, samples[i]);
		hist_record(&part[rng_below(N_LCORES)], samples[i]);
		wrapped |= __builtin_add_overflow(sum, samples[i], &sum);
		exact_sum += samples[i];
	}

	assert_int_equal(hist_count(&h), n);
	assert_int_equal(hist_min(&h), sorted[0]);
	assert_int_equal(hist_max(&h), sorted[n - 1]);
	assert_int_equal(h.sum, sum);
	if (!wrapped) {
		long double mean = exact_sum / n;

		assert_true(fabsl(hist_mean(&h) - mean) <= mean * 1e-12L);
	}

	for (j = 0; j < sizeof(fixed_p) / sizeof(fixed_p[0]); j++)
		check_one(sorted, n, fixed_p[j],
			  hist_percentile(&h, fixed_p[j]), what);
	for (j = 0; j < 200; j++) {
		double p = rng_unit() * 100.0;

		check_one(sorted, n, p, hist_percentile(&h, p), what);
	}
	/* Every rank boundary of small sets, where off-by-one shows. */
	if (n <= 64)
		for (i = 1; i <= n; i++) {
			double p = 100.0 * (double)i / (double)n;

			check_one(sorted, n, p, hist_percentile(&h, p), what);
			check_one(sorted, n, nextafter(p, 0),
				  hist_percentile(&h, nextafter(p, 0)), what);
			check_one(sorted, n, nextafter(p, 101),
				  hist_percentile(&h, nextafter(p, 101)),
				  what);
		}

	prev = 0;
	for (j = 0; j <= 2000; j++) {
		uint64_t v = hist_percentile(&h, j * 0.05);

		if (v < prev)
			fail_msg("%s: p%g = %llu < p%g = %llu", what, j * 0.05,
				 (unsigned long long)v, (j - 1) * 0.05,
				 (unsigned long long)prev);
		prev = v;
	}

	hist_summarize(&h, &s);
	assert_int_equal(s.count, n);
	assert_int_equal(s.min, sorted[0]);
	assert_int_equal(s.max, sorted[n - 1]);
	assert_int_equal(s.p50, hist_percentile(&h, 50));
	assert_int_equal(s.p90, hist_percentile(&h, 90));
	assert_int_equal(s.p99, hist_percentile(&h, 99));
	assert_int_equal(s.p999, hist_percentile(&h, 99.9));
	assert_true(s.mean == hist_mean(&h));
	check_one(sorted, n, 50, s.p50, what);
	check_one(sorted, n, 90, s.p90, what);
	check_one(sorted, n, 99, s.p99, what);
	check_one(sorted, n, 99.9, s.p999, what);

	/* What the reader does: copy each lcore's struct, merge. */
	hist_init(&merged);
	for (j = 0; j < N_LCORES; j++) {
		struct hist snap = part[j];

		hist_merge(&merged, &snap);
	}
	assert_hist_equal(&merged, &h);
	/* Order and target do not matter. */
	for (j = N_LCORES - 1; j > 0; j--)
		hist_merge(&part[0], &part[j]);
	assert_hist_equal(&part[0], &h);

	free(sorted);
}

static uint64_t *
alloc_samples(size_t n)
{
	uint64_t *v = malloc((n ? n : 1) * sizeof(*v));

	assert_non_null(v);
	return v;
}

static const size_t sizes[] = { 1, 2, 3, 7, 10, 100, 1000, 100000 };
#define N_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

static void
test_uniform(void **state)
{
	static const uint64_t ranges[] = { 128, 300, 1000000, 100000000 };
	unsigned int r, k;
	size_t i;

	(void)state;
	for (r = 0; r < 4; r++)
		for (k = 0; k < N_SIZES; k++) {
			uint64_t *v = alloc_samples(sizes[k]);

			for (i = 0; i < sizes[k]; i++)
				v[i] = rng_below(ranges[r]);
			check_samples(v, sizes[k], "uniform");
			free(v);
		}
}

static void
test_exponential(void **state)
{
	static const double means[] = { 20, 500, 50000, 5e6 };
	unsigned int m, k;
	size_t i;

	(void)state;
	for (m = 0; m < 4; m++)
		for (k = 0; k < N_SIZES; k++) {
			uint64_t *v = alloc_samples(sizes[k]);

			for (i = 0; i < sizes[k]; i++)
				v[i] = to_us(-means[m] * log(rng_unit()));
			check_samples(v, sizes[k], "exponential");
			free(v);
		}
}

static void
test_lognormal(void **state)
{
	/* Median 2 ms; sigma 2.5 spreads over 0 .. well past 100 s. */
	static const double sigmas[] = { 0.1, 0.5, 1.0, 2.5 };
	unsigned int sg, k;
	size_t i;

	(void)state;
	for (sg = 0; sg < 4; sg++)
		for (k = 0; k < N_SIZES; k++) {
			uint64_t *v = alloc_samples(sizes[k]);

			for (i = 0; i < sizes[k]; i++)
				v[i] = to_us(exp(log(2000.0) +
						 sigmas[sg] * rng_normal()));
			check_samples(v, sizes[k], "lognormal");
			free(v);
		}
}

static void
test_bimodal(void **state)
{
	/* Fraction of slow samples: cache hits and misses, say. */
	static const double slow[] = { 0.5, 0.1, 0.01, 0.001 };
	unsigned int f, k;
	size_t i;

	(void)state;
	for (f = 0; f < 4; f++)
		for (k = 0; k < N_SIZES; k++) {
			uint64_t *v = alloc_samples(sizes[k]);

			for (i = 0; i < sizes[k]; i++)
				v[i] = rng_unit() <= slow[f] ?
					to_us(80000 + 5000 * rng_normal()) :
					to_us(200 + 20 * rng_normal());
			check_samples(v, sizes[k], "bimodal");
			free(v);
		}
}

static void
test_constant(void **state)
{
	static const uint64_t values[] = {
		0, 1, 127, 128, 129, 255, 256, 12345, 999999, 100000000,
		HIST_VALUE_MAX, HIST_VALUE_MAX + 1,
	};
	unsigned int c, k;
	size_t i;

	(void)state;
	for (c = 0; c < sizeof(values) / sizeof(values[0]); c++)
		for (k = 0; k < N_SIZES; k++) {
			uint64_t *v = alloc_samples(sizes[k]);
			struct hist h;

			hist_init(&h);
			for (i = 0; i < sizes[k]; i++) {
				v[i] = values[c];
				hist_record(&h, v[i]);
			}
			check_samples(v, sizes[k], "constant");
			/* Clamping to [min, max] makes it exact. */
			assert_int_equal(hist_percentile(&h, 50), values[c]);
			assert_int_equal(hist_percentile(&h, 99.9), values[c]);
			assert_true(hist_mean(&h) == (double)values[c]);
			free(v);
		}
}

static void
test_tiny(void **state)
{
	uint64_t one[1] = { 4242 };
	uint64_t two[2] = { 900000, 100 };
	struct hist h;

	(void)state;
	check_samples(one, 1, "one");
	check_samples(two, 2, "two");

	hist_init(&h);
	hist_record(&h, one[0]);
	assert_int_equal(hist_percentile(&h, 0), 4242);
	assert_int_equal(hist_percentile(&h, 37), 4242);
	assert_int_equal(hist_percentile(&h, 100), 4242);
	assert_true(hist_mean(&h) == 4242.0);

	/* Half the samples are <= 100: p50 is 100, anything above is the
	 * other one, reported as its bucket's midpoint (the bucket is 8192
	 * wide there and the midpoint below max, so no clamping). */
	hist_init(&h);
	hist_record(&h, two[0]);
	hist_record(&h, two[1]);
	assert_int_equal(hist_percentile(&h, 50), 100);
	assert_int_equal(hist_percentile(&h, 1), 100);
	assert_int_equal(hist_percentile(&h, 50.001), 897024);
	assert_int_equal(hist_percentile(&h, 99.9), 897024);
	assert_int_equal(hist_bucket_low(hist_bucket_of(900000)), 892928);
	assert_int_equal(hist_bucket_high(hist_bucket_of(900000)), 901119);
	assert_int_equal(hist_percentile(&h, 100), 900000);
	assert_true(hist_mean(&h) == 450050.0);
}

/* Samples on and around bucket edges, where an off-by-one would show. */
static void
test_boundaries(void **state)
{
	size_t n = 20000, i;
	uint64_t *v = alloc_samples(n);
	unsigned int round;

	(void)state;
	for (round = 0; round < 20; round++) {
		unsigned int base = (unsigned int)rng_below(HIST_BUCKETS - 2);

		for (i = 0; i < n; i++) {
			unsigned int b = (unsigned int)rng_below(HIST_BUCKETS);
			uint64_t x;

			/* Later rounds crowd a few neighbouring buckets. */
			if (round >= 10)
				b = base + (unsigned int)rng_below(3);

			switch (rng_below(4)) {
			case 0:
				x = hist_bucket_low(b);
				break;
			case 1:
				x = hist_bucket_high(b);
				break;
			case 2:
				x = hist_bucket_low(b) - (b > 0);
				break;
			default:
				x = hist_bucket_high(b) + (b < TOP);
				break;
			}
			v[i] = x;
		}
		/* Small sets too, where single samples decide. */
		check_samples(v, round % 2 ? n : 1 + round, "boundaries");
	}
	free(v);
}

static void
test_huge(void **state)
{
	size_t n = 50000, i;
	uint64_t *v = alloc_samples(n);
	uint64_t extreme[4] = { UINT64_MAX, 5, UINT64_MAX - 1, 1 };
	struct hist h;

	(void)state;
	/* Spread over 2^0 .. 2^40: a quarter past the tracked range. */
	for (i = 0; i < n; i++)
		v[i] = rng_next() >> (24 + rng_below(40));
	check_samples(v, n, "huge");
	/* All past the range: percentiles pinned to the top bucket. */
	for (i = 0; i < n; i++)
		v[i] = HIST_VALUE_MAX + 1 + rng_below(UINT64_C(1) << 40);
	check_samples(v, n, "all huge");
	/* The sum wraps here, but min, max and the buckets do not care. */
	check_samples(extreme, 4, "extreme");
	hist_init(&h);
	for (i = 0; i < 4; i++)
		hist_record(&h, extreme[i]);
	assert_int_equal(h.buckets[TOP], 2);
	assert_int_equal(hist_max(&h), UINT64_MAX);
	assert_int_equal(hist_percentile(&h, 100), UINT64_MAX);
	assert_int_equal(hist_percentile(&h, 50), 5);
	free(v);
}

/* Below 128 every value has its own bucket: all answers exact. */
static void
test_small_exact(void **state)
{
	size_t n = 5000, i;
	uint64_t *v = alloc_samples(n);
	uint64_t *sorted = alloc_samples(n);
	struct hist h;
	unsigned int j;

	(void)state;
	hist_init(&h);
	for (i = 0; i < n; i++) {
		v[i] = rng_below(2 * HIST_SUB_BUCKETS);
		hist_record(&h, v[i]);
	}
	check_samples(v, n, "small");
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	for (j = 0; j <= 1000; j++)
		assert_int_equal(hist_percentile(&h, j * 0.1),
				 ref_percentile(sorted, n, j * 0.1));
	free(sorted);
	free(v);
}

static void
test_empty(void **state)
{
	struct hist h, e;
	struct hist_summary s;

	(void)state;
	hist_init(&h);
	assert_int_equal(hist_count(&h), 0);
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_max(&h), 0);
	assert_true(hist_mean(&h) == 0.0);
	assert_int_equal(hist_percentile(&h, 0), 0);
	assert_int_equal(hist_percentile(&h, 50), 0);
	assert_int_equal(hist_percentile(&h, 100), 0);
	memset(&s, 0xa5, sizeof(s));
	hist_summarize(&h, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.min, 0);
	assert_int_equal(s.p50, 0);
	assert_int_equal(s.p90, 0);
	assert_int_equal(s.p99, 0);
	assert_int_equal(s.p999, 0);
	assert_int_equal(s.max, 0);
	assert_true(s.mean == 0.0);

	/* Empty into empty stays empty; empty into full changes nothing. */
	hist_init(&e);
	hist_merge(&h, &e);
	assert_hist_equal(&h, &e);
	hist_record(&h, 777);
	hist_record(&h, 3);
	e = h;
	hist_init(&h);
	hist_merge(&e, &h);
	assert_int_equal(hist_count(&e), 2);
	assert_int_equal(hist_min(&e), 3);
	assert_int_equal(hist_max(&e), 777);
	/* Full into empty copies it. */
	hist_merge(&h, &e);
	assert_hist_equal(&h, &e);
}

static void
test_p_ends(void **state)
{
	struct hist h;
	unsigned int i;

	(void)state;
	hist_init(&h);
	/* Odd values whose buckets are wide: min and max still exact. */
	for (i = 0; i < 1000; i++)
		hist_record(&h, 1000003 + 7919 * (uint64_t)i);
	assert_int_equal(hist_percentile(&h, 0), 1000003);
	assert_int_equal(hist_percentile(&h, 100), 1000003 + 7919 * 999);
	/* Out of range and NaN are pinned to the ends. */
	assert_int_equal(hist_percentile(&h, -5), 1000003);
	assert_int_equal(hist_percentile(&h, 250), 1000003 + 7919 * 999);
	assert_int_equal(hist_percentile(&h, NAN), 1000003);
}

/* Percentiles never decrease in p, on a wide random mix. */
static void
test_monotone(void **state)
{
	struct hist h;
	uint64_t prev = 0;
	unsigned int i;

	(void)state;
	hist_init(&h);
	for (i = 0; i < 100000; i++)
		hist_record(&h, rng_next() >> (20 + rng_below(44)));
	for (i = 0; i <= 100000; i++) {
		uint64_t v = hist_percentile(&h, i * 0.001);

		assert_true(v >= prev);
		prev = v;
	}
	assert_int_equal(prev, hist_max(&h));
}

/* The layout hist.h documents: contiguous, exact low range, 1/64 width. */
static void
test_layout(void **state)
{
	unsigned int i;
	uint64_t v;

	(void)state;
	assert_int_equal(HIST_BUCKETS, 1600);
	assert_int_equal(hist_bucket_low(0), 0);
	for (v = 0; v < 2 * HIST_SUB_BUCKETS; v++) {
		assert_int_equal(hist_bucket_of(v), v);
		assert_int_equal(hist_bucket_low((unsigned int)v), v);
		assert_int_equal(hist_bucket_high((unsigned int)v), v);
	}
	for (i = 0; i < HIST_BUCKETS; i++) {
		uint64_t lo = hist_bucket_low(i);
		uint64_t hi = hist_bucket_high(i);
		uint64_t w = hi - lo + 1;

		assert_true(lo <= hi);
		assert_int_equal(hist_bucket_of(lo), i);
		assert_int_equal(hist_bucket_of(hi), i);
		assert_int_equal(hist_bucket_of(lo + (w >> 1)), i);
		/* Power-of-two width, at most 1/64 of the bucket's start. */
		assert_int_equal(w & (w - 1), 0);
		if (i >= 2 * HIST_SUB_BUCKETS)
			assert_true(w * HIST_SUB_BUCKETS <= lo);
		else
			assert_int_equal(w, 1);
		if (i < TOP)
			assert_int_equal(hist_bucket_low(i + 1), hi + 1);
	}
	/* The range covers 100 s; everything larger lands on top. */
	assert_true(hist_bucket_high(TOP) >= UINT64_C(100000000));
	assert_int_equal(hist_bucket_high(TOP), HIST_VALUE_MAX);
	assert_int_equal(hist_bucket_of(HIST_VALUE_MAX + 1), TOP);
	assert_int_equal(hist_bucket_of(UINT64_C(1) << 40), TOP);
	assert_int_equal(hist_bucket_of(UINT64_MAX), TOP);
	/* Every power of two starts a bucket. */
	for (i = 0; i < HIST_RANGE_BITS; i++)
		assert_int_equal(hist_bucket_low(hist_bucket_of(
			UINT64_C(1) << i)), UINT64_C(1) << i);
}

static void
test_size(void **state)
{
	(void)state;
	/* A few KiB: cheap to copy per lcore on every read. */
	assert_true(sizeof(struct hist) <= 8192);
	assert_int_equal(sizeof(struct hist),
			 4 * sizeof(uint64_t) + HIST_BUCKETS * sizeof(uint32_t));
}

/* A counter at its limit saturates, on record and on merge. */
static void
test_saturation(void **state)
{
	struct hist a, b;
	unsigned int i = hist_bucket_of(5000);

	(void)state;
	hist_init(&a);
	a.buckets[i] = UINT32_MAX - 1;
	hist_record(&a, 5000);
	assert_int_equal(a.buckets[i], UINT32_MAX);
	hist_record(&a, 5000);
	assert_int_equal(a.buckets[i], UINT32_MAX);
	assert_int_equal(hist_count(&a), 2);

	hist_init(&b);
	b.buckets[i] = 10;
	b.buckets[0] = UINT32_MAX - 3;
	hist_merge(&b, &a);
	assert_int_equal(b.buckets[i], UINT32_MAX);
	a.buckets[0] = 5;
	hist_merge(&b, &a);
	assert_int_equal(b.buckets[0], UINT32_MAX);
	/* Percentiles still answer, from the buckets. */
	assert_int_equal(hist_percentile(&b, 100), 5000);
	assert_true(hist_percentile(&b, 99.99) <= 5000);
}

/* A torn copy: counters ahead of min or the buckets. */
static void
test_torn(void **state)
{
	struct hist h;
	uint64_t v;

	(void)state;
	hist_init(&h);
	/* count bumped, the bucket and min/max not yet. */
	h.count = 1;
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_percentile(&h, 50), 0);
	assert_int_equal(hist_percentile(&h, 0), 0);
	/* Bucket written, min not: stays within the bucket. */
	h.buckets[hist_bucket_of(3000)] = 1;
	h.max = 3000;
	v = hist_percentile(&h, 50);
	assert_int_equal(hist_bucket_of(v), hist_bucket_of(3000));
	/* Buckets one ahead of count. */
	hist_init(&h);
	hist_record(&h, 100);
	hist_record(&h, 200);
	h.buckets[hist_bucket_of(300)]++;
	v = hist_percentile(&h, 99);
	assert_true(v >= 100 && v <= 200);
}

/* A later reading minus an earlier one: the histogram of what came in
 * between, exactly on buckets, count and sum; min and max bound it. */
static void
test_subtract(void **state)
{
	enum { NA = 20000, NB = 30000 };
	static uint64_t b_samples[NB];
	static const double ps[] = { 1, 10, 50, 90, 99, 99.9 };
	struct hist h, before, only_b;
	unsigned int i;

	(void)state;
	hist_init(&h);
	hist_init(&only_b);
	/* The warm-up: slow samples, and a fast one below every later one. */
	for (i = 0; i < NA; i++)
		hist_record(&h, to_us(exp(9 + rng_normal())));
	hist_record(&h, 3);
	before = h;
	for (i = 0; i < NB; i++) {
		b_samples[i] = to_us(exp(6 + 0.5 * rng_normal())) + 10;
		hist_record(&h, b_samples[i]);
		hist_record(&only_b, b_samples[i]);
	}
	hist_subtract(&h, &before);
	assert_int_equal(h.count, only_b.count);
	assert_int_equal(h.sum, only_b.sum);
	assert_memory_equal(h.buckets, only_b.buckets, sizeof(h.buckets));
	/* min and max: inside the buckets of the true ones. */
	assert_int_equal(hist_bucket_of(h.min), hist_bucket_of(only_b.min));
	assert_int_equal(hist_bucket_of(h.max), hist_bucket_of(only_b.max));
	assert_true(h.min <= only_b.min && h.max >= only_b.max);
	qsort(b_samples, NB, sizeof(b_samples[0]), cmp_u64);
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		check_one(b_samples, NB, ps[i], hist_percentile(&h, ps[i]),
			  "difference");

	/* Below 128 the buckets are the values: exact. */
	hist_init(&h);
	hist_record(&h, 5);
	hist_record(&h, 100);
	before = h;
	hist_record(&h, 7);
	hist_record(&h, 50);
	hist_record(&h, 7);
	hist_subtract(&h, &before);
	assert_int_equal(hist_count(&h), 3);
	assert_int_equal(h.sum, 64);
	assert_int_equal(hist_min(&h), 7);
	assert_int_equal(hist_max(&h), 50);
	assert_int_equal(hist_percentile(&h, 50), 7);

	/* Nothing in between: empty, as hist_init leaves it. */
	before = h;
	hist_subtract(&h, &before);
	assert_int_equal(hist_count(&h), 0);
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_max(&h), 0);
	assert_int_equal(hist_percentile(&h, 99), 0);
	assert_true(h.min == UINT64_MAX && h.max == 0);

	/* Past the range: the top bucket's bound is the exact max. */
	hist_init(&h);
	hist_record(&h, 1000);
	before = h;
	hist_record(&h, HIST_VALUE_MAX * 4);
	hist_subtract(&h, &before);
	assert_int_equal(hist_min(&h), hist_bucket_low(TOP));
	assert_int_equal(hist_max(&h), HIST_VALUE_MAX * 4);

	/* A bucket gone backwards (a torn copy) counts 0; a saturated one
	 * stays saturated. */
	hist_init(&h);
	hist_record(&h, 40);
	before = h;
	before.buckets[hist_bucket_of(40)] = 2;
	h.buckets[hist_bucket_of(5000)] = UINT32_MAX;
	before.buckets[hist_bucket_of(5000)] = 7;
	hist_subtract(&h, &before);
	assert_int_equal(h.buckets[hist_bucket_of(40)], 0);
	assert_int_equal(h.buckets[hist_bucket_of(5000)], UINT32_MAX);
	assert_int_equal(h.count, 0);
}

/* Percentile names: the dot dropped, as latency_us has always said p999. */
static void
test_pct_key(void **state)
{
	static const struct {
		double p;
		const char *key;
	} cases[] = {
		{ 50, "p50" }, { 90, "p90" }, { 99, "p99" }, { 99.9, "p999" },
		{ 99.99, "p9999" }, { 100, "p100" }, { 0.5, "p05" },
		{ 12.5, "p125" },
	};
	char key[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hist_pct_key(cases[i].p, key, sizeof(key));
		assert_string_equal(key, cases[i].key);
	}
	hist_pct_key(99.9, key, 3);
	assert_string_equal(key, "p9");
}

/*
 * The distribution rows: HdrHistogram's levels (0, 10, ... 50, 55, ...
 * 75, 77.5, ...), values as hist_percentile gives them, counts that
 * match a direct count of the samples, everything non-decreasing, and a
 * last row at 100 with the max and the total.
 */
static void
test_distribution(void **state)
{
	static const double levels[] = {
		0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 77.5, 80, 82.5, 85,
		87.5, 88.75,
	};
	struct hist_row rows[256];
	struct hist h;
	uint64_t v, n = 100000;
	unsigned int i, k;

	(void)state;
	hist_init(&h);
	assert_int_equal(hist_distribution(&h, 5, rows, 256), 0);
	for (v = 1; v <= n; v++)
		hist_record(&h, v);
	k = hist_distribution(&h, 5, rows, 256);
	assert_true(k > 60 && k < 256);
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		assert_true(fabs(rows[i].percentile - levels[i]) < 1e-9);
	for (i = 0; i < k; i++) {
		uint64_t below = 0, x;

		if (i + 1 < k)
			assert_int_equal(rows[i].value,
					 hist_percentile(&h, rows[i].percentile));
		/* Samples in the buckets up to the row's value. */
		for (x = 1; x <= n; x++)
			if (hist_bucket_of(x) <= hist_bucket_of(rows[i].value))
				below++;
		assert_int_equal(rows[i].count, below);
		if (i > 0) {
			assert_true(rows[i].percentile > rows[i - 1].percentile);
			assert_true(rows[i].value >= rows[i - 1].value);
			assert_true(rows[i].count >= rows[i - 1].count);
		}
	}
	assert_true(rows[k - 1].percentile == 100.0);
	assert_int_equal(rows[k - 1].value, n);
	assert_int_equal(rows[k - 1].count, n);
	/* The level before the last leaves at least one sample above. */
	assert_true((100.0 - rows[k - 2].percentile) * n / 100.0 >= 1.0);
	/* A short buffer still ends at 100. */
	assert_int_equal(hist_distribution(&h, 5, rows, 4), 4);
	assert_true(rows[3].percentile == 100.0);
	assert_int_equal(rows[3].value, n);
	/* One sample: the 0 row and the 100 row. */
	hist_init(&h);
	hist_record(&h, 42);
	assert_int_equal(hist_distribution(&h, 5, rows, 256), 2);
	assert_int_equal(rows[0].value, 42);
	assert_int_equal(rows[1].value, 42);
	assert_int_equal(rows[1].count, 1);
}

/* hist_count_le: exact below 128 and at bucket ends, low by at most
 * the bucket holding v otherwise; everything from HIST_VALUE_MAX on. */
static void
test_count_le(void **state)
{
	static const uint64_t vals[] = { 0, 5, 100, 127, 128, 250, 251, 999,
					 1000, 5000, 123456, 1ULL << 40 };
	static const uint64_t les[] = { 0, 4, 5, 99, 100, 127, 128, 250, 256,
					1000, 100000, 1ULL << 30 };
	struct hist h;
	size_t i, k;
	uint64_t exact, got;

	(void)state;
	hist_init(&h);
	assert_int_equal(hist_count_le(&h, 1000), 0);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		hist_record(&h, vals[i]);
	for (k = 0; k < sizeof(les) / sizeof(les[0]); k++) {
		uint64_t in_bucket = 0, lo;

		if (les[k] >= HIST_VALUE_MAX) {
			assert_int_equal(hist_count_le(&h, les[k]), h.count);
			continue;
		}
		lo = hist_bucket_low(hist_bucket_of(les[k]));
		exact = 0;
		for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			exact += vals[i] <= les[k];
			in_bucket += vals[i] >= lo && vals[i] <= les[k];
		}
		got = hist_count_le(&h, les[k]);
		assert_true(got <= exact && got + in_bucket >= exact);
		if (les[k] < 128 ||
		    hist_bucket_high(hist_bucket_of(les[k])) == les[k])
			assert_int_equal(got, exact);
	}
	/* 250 shares [250, 251] with 251: left out with it */
	assert_int_equal(hist_count_le(&h, 250), 5);
	assert_int_equal(hist_count_le(&h, 251), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_le),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_p_ends),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_small_exact),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_exponential),
		cmocka_unit_test(test_lognormal),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_monotone),
		cmocka_unit_test(test_pct_key),
		cmocka_unit_test(test_distribution),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_torn),
		cmocka_unit_test(test_subtract),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	printf("%lu percentiles checked against the raw samples\n", n_checks);
	return failed;
}
