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
	memset(cc, 0, sizeof(*cc));
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
	double d = t - cc->k;

	return CUBIC_C * d * d * d + cc->w_max;
}

static void
cubic_init(struct tcp_cc *cc, uint32_t mss, uint32_t iw_segs)
{
	common_init(cc, mss, iw_segs);
}

static void
cubic_start_epoch(struct tcp_cc *cc, uint64_t now_us)
{
	double cwnd = (double)cc->cwnd / cc->mss;

	cc->epoch_us = now_us;
	cc->cwnd_epoch = cwnd;
	cc->w_est = cwnd;
	if (cc->w_max <= 0 || cwnd >= cc->w_max) {
		/* No reduction to recover from (e.g. after slow start). */
		cc->w_max = cwnd;
		cc->k = 0;
	} else {
		/* Eq. 2, with cwnd_epoch as the starting point (4.2). */
		cc->k = cbrt((cc->w_max - cwnd) / CUBIC_C);
	}
}

static void
cubic_on_ack(struct tcp_cc *cc, uint32_t acked, uint64_t now_us,
	     uint32_t srtt_us)
{
	double cwnd, t, target, alpha;

	if (cc->cwnd < cc->ssthresh) {
		acked = slow_start(cc, acked);
		if (acked == 0)
			return;
	}
	if (cc->epoch_us == 0)
		cubic_start_epoch(cc, now_us);
	cwnd = (double)cc->cwnd / cc->mss;
	t = (double)(now_us - cc->epoch_us) / 1e6;
	/* The window one RTT from now (4.2). */
	target = tcp_cubic_window(cc, t + (double)srtt_us / 1e6);
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;

	/* Reno-friendly region (4.3): grow W_est like AIMD with
	 * alpha = 3 (1 - beta) / (1 + beta), 1 once past w_max. */
	alpha = cc->w_est >= cc->cwnd_prior ? 1.0 :
		3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA);
	cc->w_est += alpha * ((double)acked / cc->mss) / cwnd;
	if (cc->w_est > target)
		target = cc->w_est;

	/* Increase by (target - cwnd) / cwnd segments per segment acked,
	 * keeping the fractions so that slow growth is not rounded away. */
	cc->ca_bytes += (target - cwnd) / cwnd * acked;
	if (cc->ca_bytes >= cc->mss) {
		uint32_t segs = (uint32_t)(cc->ca_bytes / cc->mss);

		cc->cwnd += segs * cc->mss;
		cc->ca_bytes -= (double)segs * cc->mss;
	}
}

/* A congestion event: remember W_max (with fast convergence, 4.7),
 * end the epoch, and decrease multiplicatively by beta (4.6). */
static void
cubic_reduce(struct tcp_cc *cc)
{
	double cwnd = (double)cc->cwnd / cc->mss;
	uint32_t s = (uint32_t)((double)cc->cwnd * CUBIC_BETA);

	/* A flow losing ground yields to newer flows by remembering a
	 * lower maximum. */
	cc->w_max = cwnd < cc->w_max ? cwnd * (1.0 + CUBIC_BETA) / 2.0 : cwnd;
	cc->cwnd_prior = cwnd;
	cc->epoch_us = 0;
	cc->bytes_acked = 0;
	cc->ca_bytes = 0;
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
	cc->w_max = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
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
