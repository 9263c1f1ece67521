/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hist.h"

/* log2 of the width of bucket i: 0 in the exact range. */
static unsigned int
bucket_shift(unsigned int i)
{
	if (i < 2 * HIST_SUB_BUCKETS)
		return 0;
	return (i >> HIST_SUB_BITS) - 1;
}

uint64_t
hist_bucket_low(unsigned int i)
{
	if (i < 2 * HIST_SUB_BUCKETS)
		return i;
	/* Undo (shift << SUB_BITS) + (v >> shift) with v >> shift in
	 * [SUB_BUCKETS, 2 * SUB_BUCKETS). */
	return (uint64_t)((i & (HIST_SUB_BUCKETS - 1)) | HIST_SUB_BUCKETS) <<
		bucket_shift(i);
}

uint64_t
hist_bucket_high(unsigned int i)
{
	return hist_bucket_low(i) + (UINT64_C(1) << bucket_shift(i)) - 1;
}

uint64_t
hist_count_le(const struct hist *h, uint64_t v)
{
	unsigned int i, last;
	uint64_t n = 0;

	if (v >= HIST_VALUE_MAX)
		return h->count;
	last = hist_bucket_of(v);
	for (i = 0; i < last; i++)
		n += h->buckets[i];
	if (hist_bucket_high(last) <= v)
		n += h->buckets[last];
	return n;
}

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	/* So that the first sample sets it without a special case. */
	h->min = UINT64_MAX;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int i;

	for (i = 0; i < HIST_BUCKETS; i++) {
		uint32_t s = dst->buckets[i] + src->buckets[i];

		/* Saturate like hist_record does. */
		dst->buckets[i] = s < src->buckets[i] ? UINT32_MAX : s;
	}
	dst->count += src->count;
	dst->sum += src->sum;
	/* An empty src has min UINT64_MAX and max 0: no effect. */
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

void
hist_subtract(struct hist *dst, const struct hist *src)
{
	uint64_t lo = dst->min, hi = dst->max;
	unsigned int i, first = HIST_BUCKETS, last = 0;

	for (i = 0; i < HIST_BUCKETS; i++) {
		uint32_t d = dst->buckets[i], s = src->buckets[i];

		/* A saturated bucket lost count of what it held. */
		if (d != UINT32_MAX)
			dst->buckets[i] = d >= s ? d - s : 0;
		if (dst->buckets[i] == 0)
			continue;
		if (first == HIST_BUCKETS)
			first = i;
		last = i;
	}
	dst->count = dst->count >= src->count ? dst->count - src->count : 0;
	dst->sum = dst->sum >= src->sum ? dst->sum - src->sum : 0;
	if (first == HIST_BUCKETS) {
		dst->min = UINT64_MAX;
		dst->max = 0;
		return;
	}
	/* The samples left lie in [low(first), high(last)] and, being some
	 * of dst's, in [lo, hi]; the top bucket has no upper bound. */
	dst->min = hist_bucket_low(first) > lo ? hist_bucket_low(first) : lo;
	dst->max = last == HIST_BUCKETS - 1 || hist_bucket_high(last) > hi ?
		hi : hist_bucket_high(last);
	if (dst->min > dst->max)
		dst->min = dst->max;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t lo = hist_min(h);
	uint64_t hi = hist_max(h);
	uint64_t total = 0;
	uint64_t seen = 0;
	uint64_t rank;
	uint64_t v;
	double r;
	unsigned int i;

	if (h->count == 0)
		return 0;
	/* The ends are tracked exactly; !(p > 0) also catches NaN. */
	if (!(p > 0))
		return lo;
	if (p >= 100)
		return hi;
	/* Rank against the buckets themselves rather than h->count: in a
	 * torn copy the two may differ by a few samples. */
	for (i = 0; i < HIST_BUCKETS; i++)
		total += h->buckets[i];
	if (total == 0)
		return 0;
	/* k = ceil(p * n / 100), kept within [1, n]; no libm needed. */
	r = p * (double)total / 100.0;
	if (r >= (double)total)
		rank = total;
	else {
		rank = (uint64_t)r;
		if ((double)rank < r)
			rank++;
		if (rank == 0)
			rank = 1;
	}
	for (i = 0; i < HIST_BUCKETS - 1; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	v = hist_bucket_low(i) + ((UINT64_C(1) << bucket_shift(i)) >> 1);
	/* min and max are samples, so when the midpoint falls outside them
	 * they lie in this bucket too and are nearer the true answer. */
	if (lo <= hi) {
		if (v < lo)
			v = lo;
		if (v > hi)
			v = hi;
	}
	return v;
}

double
hist_mean(const struct hist *h)
{
	if (h->count == 0)
		return 0.0;
	return (double)h->sum / (double)h->count;
}

void
hist_summarize(const struct hist *h, struct hist_summary *s)
{
	s->count = hist_count(h);
	s->min = hist_min(h);
	s->p50 = hist_percentile(h, 50.0);
	s->p90 = hist_percentile(h, 90.0);
	s->p99 = hist_percentile(h, 99.0);
	s->p999 = hist_percentile(h, 99.9);
	s->max = hist_max(h);
	s->mean = hist_mean(h);
}

/* Samples in the buckets up to the one holding v. */
static uint64_t
count_upto(const struct hist *h, uint64_t v)
{
	unsigned int i, last = hist_bucket_of(v);
	uint64_t n = 0;

	for (i = 0; i <= last; i++)
		n += h->buckets[i];
	return n;
}

unsigned int
hist_distribution(const struct hist *h, unsigned int ticks_per_half,
		  struct hist_row *rows, unsigned int max)
{
	double level = 0, total = 0;
	unsigned int i, n = 0;

	for (i = 0; i < HIST_BUCKETS; i++)
		total += h->buckets[i];
	if (h->count == 0 || total == 0 || max == 0 || ticks_per_half == 0)
		return 0;
	while (n + 1 < max) {
		/* Fewer than one sample above this level: the rest is the
		 * max. */
		if ((100.0 - level) * total / 100.0 < 1.0)
			break;
		rows[n].percentile = level;
		rows[n].value = hist_percentile(h, level);
		rows[n].count = count_upto(h, rows[n].value);
		n++;
		/* HdrHistogram's ticks: the step halves each time the
		 * distance to 100 does. */
		level += 100.0 / (ticks_per_half *
				  exp2(floor(log2(100.0 / (100.0 - level))) +
				       1));
	}
	rows[n].percentile = 100.0;
	rows[n].value = hist_max(h);
	rows[n].count = (uint64_t)total;
	return n + 1;
}

void
hist_pct_key(double pct, char *buf, size_t len)
{
	char num[32];
	size_t i, n = 0;

	snprintf(num, sizeof(num), "%g", pct);
	if (len == 0)
		return;
	buf[n++] = 'p';
	for (i = 0; num[i] != '\0' && n + 1 < len; i++)
		if (num[i] != '.')
			buf[n++] = num[i];
	buf[n] = '\0';
}
