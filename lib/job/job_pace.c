/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A job share's pace; see job_pace.h.
 */
#include <math.h>
#include <string.h>

#include "job_pace.h"

/* Copy n steps (at most SCHED_MAX_STEPS) into dst: how many, and the
 * highest rate among them and rate. */
static unsigned int
steps_copy(struct sched_step *dst, const struct sched_step *src,
	   unsigned int n, double rate, double *top)
{
	unsigned int i;

	if (n > SCHED_MAX_STEPS)
		n = SCHED_MAX_STEPS;
	if (n > 0)
		memcpy(dst, src, n * sizeof(dst[0]));
	*top = rate;
	for (i = 0; i < n; i++)
		*top = fmax(*top, dst[i].rate);
	return n;
}

/* A second's worth at the highest rate by default, at least 1. */
static uint64_t
max_backlog_of(const struct job_pace_params *pp, double top)
{
	return pp->max_backlog ? pp->max_backlog :
		(uint64_t)fmax(1, ceil(top));
}

void
job_pace_init(struct job_pace *p, const struct job_pace_params *pp)
{
	double top;

	memset(p, 0, sizeof(*p));
	p->p = *pp;
	p->p.n_rps_steps = steps_copy(p->steps, pp->rps_steps,
				      pp->n_rps_steps, pp->rps, &top);
	p->p.rps_steps = p->steps;
	/* Steps pace requests even from a first rate of 0. */
	p->rps.paced = pp->rps > 0 || p->p.n_rps_steps > 0;
	p->rps.max_backlog = max_backlog_of(pp, top);
	p->cps.paced = pp->cps > 0;
	p->cps.max_backlog = max_backlog_of(pp, pp->cps);
	p->p.n_churn_steps = steps_copy(p->churn_steps, pp->churn_steps,
					pp->n_churn_steps, pp->churn_cps,
					&top);
	p->p.churn_steps = p->churn_steps;
	p->churn.paced = pp->churn_cps > 0 || p->p.n_churn_steps > 0;
	p->churn.max_backlog = max_backlog_of(pp, top);
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
	/* Churn ramps and steps like the requests. */
	if (p->churn.paced)
		sched_init(&p->churn.sched, now_us, pp->churn_cps, pp->ramp_s,
			   pp->poisson, pp->churn_steps, pp->n_churn_steps,
			   pp->seed ^ UINT64_C(0x9e3779b97f4a7c15));
}

static void
dial_refill(struct job_pace_dial *d, uint64_t now_us, uint64_t *overflow)
{
	if (!d->paced)
		return;
	d->ready = sched_backlog(&d->sched, now_us);
	while (d->ready > d->max_backlog) {
		sched_take(&d->sched);
		d->ready--;
		(*overflow)++;
	}
}

void
job_pace_refill(struct job_pace *p, uint64_t now_us)
{
	dial_refill(&p->rps, now_us, &p->overflow);
	dial_refill(&p->cps, now_us, &p->overflow);
	dial_refill(&p->churn, now_us, &p->churn_overflow);
}

/* Take the oldest due one: the time it was meant for (now when
 * unpaced, never after now). */
static uint64_t
dial_take(struct job_pace_dial *d, uint64_t now_us)
{
	uint64_t t;

	if (!d->paced || d->ready == 0)
		return now_us;
	d->ready--;
	t = sched_take(&d->sched);
	return t < now_us ? t : now_us;
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
	dial_take(&p->rps, 0);
}

uint64_t
job_pace_conn_take(struct job_pace *p, uint64_t now_us)
{
	return dial_take(&p->cps, now_us);
}

uint64_t
job_pace_churn_take(struct job_pace *p, uint64_t now_us)
{
	return dial_take(&p->churn, now_us);
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
