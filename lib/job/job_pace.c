/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A job share's pace; see job_pace.h.
 */
#include <math.h>
#include <string.h>

#include "job_pace.h"

void
job_pace_init(struct job_pace *p, const struct job_pace_params *pp)
{
	unsigned int n = pp->n_rps_steps, i;
	double top = pp->rps;

	memset(p, 0, sizeof(*p));
	p->p = *pp;
	if (n > SCHED_MAX_STEPS)
		n = SCHED_MAX_STEPS;
	if (n > 0)
		memcpy(p->steps, pp->rps_steps, n * sizeof(p->steps[0]));
	p->p.rps_steps = p->steps;
	p->p.n_rps_steps = n;
	/* Steps pace requests even from a first rate of 0. */
	p->rps.paced = pp->rps > 0 || n > 0;
	p->cps.paced = pp->cps > 0;
	/* A second's worth at the highest rate by default, at least 1. */
	for (i = 0; i < n; i++)
		top = fmax(top, p->steps[i].rate);
	p->rps.max_backlog = pp->max_backlog ? pp->max_backlog :
		(uint64_t)fmax(1, ceil(top));
	p->cps.max_backlog = pp->max_backlog ? pp->max_backlog :
		(uint64_t)fmax(1, ceil(pp->cps));
}

void
job_pace_start(struct job_pace *p, uint64_t now_us)
{
	const struct job_pace_params *pp = &p->p;

	if (p->rps.paced)
		sched_init(&p->rps.sched, now_us, pp->rps, pp->ramp_s,
			   pp->poisson, pp->rps_steps, pp->n_rps_steps,
			   pp->seed);
	/* Connections ramp through job_pace_conn_goal, not here. */
	if (p->cps.paced)
		sched_init(&p->cps.sched, now_us, pp->cps, 0, pp->poisson,
			   NULL, 0, pp->seed ^ UINT64_C(0x5bd1e995));
}

static void
dial_refill(struct job_pace *p, struct job_pace_dial *d, uint64_t now_us)
{
	if (!d->paced)
		return;
	d->ready = sched_backlog(&d->sched, now_us);
	while (d->ready > d->max_backlog) {
		sched_take(&d->sched);
		d->ready--;
		p->overflow++;
	}
}

void
job_pace_refill(struct job_pace *p, uint64_t now_us)
{
	dial_refill(p, &p->rps, now_us);
	dial_refill(p, &p->cps, now_us);
}

static void
dial_take(struct job_pace_dial *d)
{
	if (!d->paced || d->ready == 0)
		return;
	d->ready--;
	sched_take(&d->sched);
}

uint64_t
job_pace_request_intended(const struct job_pace *p, uint64_t now_us)
{
	uint64_t t;

	if (!p->rps.paced || p->rps.ready == 0)
		return now_us;
	t = sched_peek(&p->rps.sched);
	return t < now_us ? t : now_us;
}

void
job_pace_request_take(struct job_pace *p)
{
	dial_take(&p->rps);
}

void
job_pace_conn_take(struct job_pace *p)
{
	dial_take(&p->cps);
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
