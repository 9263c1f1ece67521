/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <string.h>

#include "tcp_cc.h"

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static void
common_init(struct tcp_cc *cc, uint32_t mss, uint32_t iw_segs)
{
	struct tcp_cubic *ext = cc->cubic;

	memset(cc, 0, sizeof(*cc));
	cc->cubic = ext;
	if (ext != NULL)
		memset(ext, 0, sizeof(*ext));
	cc->mss = mss;
	cc->cwnd = iw_segs * mss;
	cc->ssthresh = UINT32_MAX;
}

/* Slow start with appropriate byte counting (RFC 3465, L = 2*SMSS).
 * Returns the bytes left over once cwnd passes ssthresh. */
static uint32_t
slow_start(struct tcp_cc *cc, uint32_t acked)
{
	uint32_t inc = acked < 2 * cc->mss ? acked : 2 * cc->mss;
	uint32_t room = cc->ssthresh - cc->cwnd;

	if (inc > room) {
		cc->cwnd = cc->ssthresh;
		return inc - room;
	}
	cc->cwnd += inc;
	return 0;
}

static void
newreno_on_ack(struct tcp_cc *cc, uint32_t acked, uint64_t now_us,
	       uint32_t srtt_us)
{
	(void)now_us;
	(void)srtt_us;
	if (cc->cwnd < cc->ssthresh) {
		acked = slow_start(cc, acked);
		if (acked == 0)
			return;
	}
	/* Congestion avoidance: one MSS per cwnd of bytes acknowledged
	 * (RFC 5681 3.1, byte counting). */
	cc->bytes_acked += acked;
	if (cc->bytes_acked >= cc->cwnd) {
		cc->bytes_acked -= cc->cwnd;
		cc->cwnd += cc->mss;
	}
}

static void
newreno_on_loss(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)now_us;
	/* RFC 5681 (4) and RFC 6675: half of what was in flight. */
	cc->ssthresh = max_u32(flight / 2, 2 * cc->mss);
	cc->cwnd = cc->ssthresh;
	cc->bytes_acked = 0;
}

static void
newreno_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)now_us;
	cc->ssthresh = max_u32(flight / 2, 2 * cc->mss);
	cc->cwnd = cc->mss;	/* the loss window, RFC 5681 (5) */
	cc->bytes_acked = 0;
}

static void
newreno_init(struct tcp_cc *cc, uint32_t mss, uint32_t iw_segs)
{
	common_init(cc, mss, iw_segs);
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno",
	.init = newreno_init,
	.on_ack = newreno_on_ack,
	.on_loss = newreno_on_loss,
	.on_rto = newreno_on_rto,
};

/* ---- CUBIC (RFC 9438) ---- */

double
tcp_cubic_window(const struct tcp_cc *cc, double t)
{
	const struct tcp_cubic *x = cc->cubic;
	double d = t - x->k;

	return CUBIC_C * d * d * d + x->w_max;
}

static void
cubic_init(struct tcp_cc *cc, uint32_t mss, uint32_t iw_segs)
{
	common_init(cc, mss, iw_segs);
}

static void
cubic_start_epoch(struct tcp_cc *cc, uint64_t now_us)
{
	struct tcp_cubic *x = cc->cubic;
	double cwnd = (double)cc->cwnd / cc->mss;

	x->epoch_us = now_us;
	x->cwnd_epoch = cwnd;
	x->w_est = cwnd;
	if (x->w_max <= 0 || cwnd >= x->w_max) {
		/* No reduction to recover from (e.g. after slow start). */
		x->w_max = cwnd;
		x->k = 0;
	} else {
		/* Eq. 2, with cwnd_epoch as the starting point (4.2). */
		x->k = cbrt((x->w_max - cwnd) / CUBIC_C);
	}
}

static void
cubic_on_ack(struct tcp_cc *cc, uint32_t acked, uint64_t now_us,
	     uint32_t srtt_us)
{
	struct tcp_cubic *x = cc->cubic;
	double cwnd, t, target, alpha;

	if (x == NULL) {
		/* No state to be had: grow as NewReno. */
		newreno_on_ack(cc, acked, now_us, srtt_us);
		return;
	}
	if (cc->cwnd < cc->ssthresh) {
		acked = slow_start(cc, acked);
		if (acked == 0)
			return;
	}
	if (x->epoch_us == 0)
		cubic_start_epoch(cc, now_us);
	cwnd = (double)cc->cwnd / cc->mss;
	t = (double)(now_us - x->epoch_us) / 1e6;
	/* The window one RTT from now (4.2). */
	target = tcp_cubic_window(cc, t + (double)srtt_us / 1e6);
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;

	/* Reno-friendly region (4.3): grow W_est like AIMD with
	 * alpha = 3 (1 - beta) / (1 + beta), 1 once past w_max. */
	alpha = x->w_est >= x->cwnd_prior ? 1.0 :
		3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA);
	x->w_est += alpha * ((double)acked / cc->mss) / cwnd;
	if (x->w_est > target)
		target = x->w_est;

	/* Increase by (target - cwnd) / cwnd segments per segment acked,
	 * keeping the fractions so that slow growth is not rounded away. */
	x->ca_bytes += (target - cwnd) / cwnd * acked;
	if (x->ca_bytes >= cc->mss) {
		uint32_t segs = (uint32_t)(x->ca_bytes / cc->mss);

		cc->cwnd += segs * cc->mss;
		x->ca_bytes -= (double)segs * cc->mss;
	}
}

/* A congestion event: remember W_max (with fast convergence, 4.7),
 * end the epoch, and decrease multiplicatively by beta (4.6). */
static void
cubic_reduce(struct tcp_cc *cc)
{
	struct tcp_cubic *x = cc->cubic;
	double cwnd = (double)cc->cwnd / cc->mss;
	uint32_t s = (uint32_t)((double)cc->cwnd * CUBIC_BETA);

	if (x != NULL) {
		/* A flow losing ground yields to newer flows by
		 * remembering a lower maximum. */
		x->w_max = cwnd < x->w_max ? cwnd * (1.0 + CUBIC_BETA) / 2.0 :
			cwnd;
		x->cwnd_prior = cwnd;
		x->epoch_us = 0;
		x->ca_bytes = 0;
	}
	cc->bytes_acked = 0;
	cc->ssthresh = max_u32(s, 2 * cc->mss);
}

static void
cubic_on_loss(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)flight;
	(void)now_us;
	cubic_reduce(cc);
	cc->cwnd = cc->ssthresh;
}

static void
cubic_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	(void)flight;
	(void)now_us;
	cubic_reduce(cc);
	cc->cwnd = cc->mss;
	/* After a timeout the next congestion avoidance stage starts
	 * afresh: W_max = cwnd there and K = 0 (RFC 9438 4.8). */
	if (cc->cubic != NULL)
		cc->cubic->w_max = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.ext_size = sizeof(struct tcp_cubic),
	.init = cubic_init,
	.on_ack = cubic_on_ack,
	.on_loss = cubic_on_loss,
	.on_rto = cubic_on_rto,
};

const struct tcp_cc_ops *
tcp_cc_find(const char *name)
{
	if (strcmp(name, "newreno") == 0 || strcmp(name, "reno") == 0)
		return &tcp_cc_newreno;
	if (strcmp(name, "cubic") == 0)
		return &tcp_cc_cubic;
	return NULL;
}
