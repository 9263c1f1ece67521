/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schedule of a job share: when its connections may open and its
 * requests may go.  Today two token buckets (rate_cps, rate_rps) that
 * hold at most PACE_BURST_US worth of tokens, so the rate is smooth and
 * catches up after the loop was held up briefly, and the ramp that
 * spreads the connections' opening over ramp_s.  The runner asks only
 * these functions, so that a different schedule changes this file.
 *
 * Call chain (job_runner.c):
 *
 *   share_run
 *     job_pace_refill              tokens for the time since last time
 *     share_send_ready / jr_connected
 *       job_pace_request_due -> conn_send -> job_pace_request_sent
 *     share_open
 *       job_pace_conn_goal         the ramp
 *       job_pace_conn_due -> share_open_one -> job_pace_conn_opened
 *
 * Pure C: no DPDK.
 */

#ifndef DPF_JOB_PACE_H
#define DPF_JOB_PACE_H

#include <stdint.h>

struct job_pace {
	double cps, rps;		/* per second; 0 = unpaced */
	double cps_tokens, rps_tokens;
	uint64_t last_us;		/* of the last refill */
};

/* A share's pace: cps and rps are its part of the job's rates. */
void
job_pace_init(struct job_pace *p, double cps, double rps);

/* The clock starts (the share's first running poll). */
void
job_pace_start(struct job_pace *p, uint64_t now_us);

/* Add the tokens of the time since the last refill. */
void
job_pace_refill(struct job_pace *p, uint64_t now_us);

/* Whether a request may go now; that one went. */
static inline int
job_pace_request_due(const struct job_pace *p)
{
	return p->rps == 0 || p->rps_tokens >= 1;
}

static inline void
job_pace_request_sent(struct job_pace *p)
{
	if (p->rps > 0)
		p->rps_tokens -= 1;
}

/* Whether a connection may open now; that one opened. */
static inline int
job_pace_conn_due(const struct job_pace *p)
{
	return p->cps == 0 || p->cps_tokens >= 1;
}

static inline void
job_pace_conn_opened(struct job_pace *p)
{
	if (p->cps > 0)
		p->cps_tokens -= 1;
}

/* How many of target connections the ramp (ramp_s, 0 = none) allows at
 * now_us for a share that started at start_us. */
uint32_t
job_pace_conn_goal(uint32_t target, double ramp_s, uint64_t start_us,
		   uint64_t now_us);

#endif /* DPF_JOB_PACE_H */
