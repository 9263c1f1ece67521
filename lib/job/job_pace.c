/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A job share's schedule; see job_pace.h.
 */
#include <string.h>

#include "job_pace.h"

/* Token buckets hold at most this much time's worth: smooth pacing
 * that still catches up after the loop was held up briefly. */
#define PACE_BURST_US		10000

void
job_pace_init(struct job_pace *p, double cps, double rps)
{
	memset(p, 0, sizeof(*p));
	p->cps = cps;
	p->rps = rps;
}

void
job_pace_start(struct job_pace *p, uint64_t now_us)
{
	p->last_us = now_us;
}

/* Add dt microseconds of tokens at rate per second, up to the cap. */
static void
bucket_fill(double *tokens, double rate, double dt)
{
	double cap = 1 + rate * PACE_BURST_US / 1e6;

	*tokens += dt * rate / 1e6;
	if (*tokens > cap)
		*tokens = cap;
}

void
job_pace_refill(struct job_pace *p, uint64_t now_us)
{
	double dt = (double)(now_us - p->last_us);

	p->last_us = now_us;
	if (p->cps > 0)
		bucket_fill(&p->cps_tokens, p->cps, dt);
	if (p->rps > 0)
		bucket_fill(&p->rps_tokens, p->rps, dt);
}

uint32_t
job_pace_conn_goal(uint32_t target, double ramp_s, uint64_t start_us,
		   uint64_t now_us)
{
	double f;

	if (ramp_s <= 0)
		return target;
	f = (double)(now_us - start_us) / (ramp_s * 1e6);
	if (f >= 1)
		return target;
	return (uint32_t)(target * f) + 1;
}
