/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pass/fail thresholds on a job's result, as k6 has them for CI:
 * "total.p99<5ms", "errors==0", "rps>=20000", "ttfb.p90<1ms".
 *
 *   expr    := metric op number [unit]
 *   metric  := latency "." stat | counter
 *   latency := connect | ttfb | total | service | service_ttfb
 *   stat    := pN (p99, p99.9; p999 is 99.9 as in latency_us) | min |
 *              max | mean | count
 *   counter := errors | errors.KIND | rps | cps | gbps | requests |
 *              requests_failed | responses | 2xx | 3xx | 4xx | 5xx |
 *              connections
 *   op      := < | <= | > | >= | == | !=
 *   unit    := us | ms | s (latencies; none: microseconds)
 *            | k | M | G (counters: thousands, millions, billions)
 *
 * Spaces are allowed between the parts.  Parsing checks the syntax and
 * the names, except the error kinds, which the job layer checks when
 * it creates the job.  No DPDK: the command line and the control
 * client parse thresholds too.
 */

#ifndef DPF_THRESHOLD_H
#define DPF_THRESHOLD_H

#include <stddef.h>

#define THRESHOLD_EXPR_MAX	96
#define THRESHOLD_NAME_MAX	24

enum threshold_op {
	THRESHOLD_LT,
	THRESHOLD_LE,
	THRESHOLD_GT,
	THRESHOLD_GE,
	THRESHOLD_EQ,
	THRESHOLD_NE,
};

enum threshold_stat {
	THRESHOLD_PCT,		/* the percentile in pct */
	THRESHOLD_MIN,
	THRESHOLD_MAX,
	THRESHOLD_MEAN,
	THRESHOLD_COUNT,
};

struct threshold {
	char expr[THRESHOLD_EXPR_MAX];	/* as given */
	/* A latency's name ("total"), or the counter's ("errors"); for
	 * errors.KIND, "errors" and kind. */
	char name[THRESHOLD_NAME_MAX];
	char kind[THRESHOLD_NAME_MAX];
	int latency;			/* name is a latency histogram */
	enum threshold_stat stat;	/* latency only */
	double pct;			/* THRESHOLD_PCT: 0 < pct <= 100 */
	enum threshold_op op;
	double limit;			/* microseconds for latencies */
};

/* Parse s into t.  0, or -1 with err saying what is wrong. */
int
threshold_parse(const char *s, struct threshold *t, char *err,
		size_t errlen);

/* Whether value meets t's condition. */
int
threshold_holds(const struct threshold *t, double value);

#endif /* DPF_THRESHOLD_H */
