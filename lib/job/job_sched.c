/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The open-loop schedule (job_sched.h): the rate as segments of constant
 * shape, their integral L, and its inverse for each request.
 */
#include <math.h>
#include <string.h>

#include "job_sched.h"

/* splitmix64: a small, good generator for the Poisson draws. */
static uint64_t
next_u64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The u step to the next request: 1, or an Exp(1) draw. */
static double
gap(const struct sched *s, struct sched_cursor *c)
{
	double unit;

	if (!s->poisson)
		return 1.0;
	/* (0, 1), so the draw is finite and above 0. */
	unit = ((double)(next_u64(&c->rng) >> 11) + 0.5) * 0x1.0p-53;
	return -log(unit);
}

/* L over [a, t) of segment g, t inside it. */
static double
seg_integral(const struct sched *s, const struct sched_seg *g, double t)
{
	if (g->ramped)
		return g->rate * (t * t - g->t0 * g->t0) / (2 * s->ramp_us);
	return g->rate * (t - g->t0);
}

static double
base_rate(const struct sched_step *steps, unsigned int n_steps,
	  double rate, double t_us)
{
	unsigned int i;

	for (i = 0; i < n_steps; i++)
		if (steps[i].at_s * 1e6 <= t_us)
			rate = steps[i].rate;
	return rate;
}

static void
add_break(double *b, unsigned int *n, double t)
{
	unsigned int i, j;

	for (i = 0; i < *n; i++)
		if (b[i] == t)
			return;
	for (i = 0; i < *n && b[i] < t; i++)
		;
	for (j = *n; j > i; j--)
		b[j] = b[j - 1];
	b[i] = t;
	(*n)++;
}

void
sched_init(struct sched *s, uint64_t start_us, double rate, double ramp_s,
	   int poisson, const struct sched_step *steps, unsigned int n_steps,
	   uint64_t seed)
{
	double b[SCHED_MAX_SEGS];
	double l = 0;
	unsigned int nb = 0, i;

	memset(s, 0, sizeof(*s));
	if (n_steps > SCHED_MAX_STEPS)
		n_steps = SCHED_MAX_STEPS;
	s->start_us = start_us;
	s->ramp_us = ramp_s > 0 ? ramp_s * 1e6 : 0;
	s->poisson = poisson;
	add_break(b, &nb, 0);
	if (s->ramp_us > 0)
		add_break(b, &nb, s->ramp_us);
	for (i = 0; i < n_steps; i++)
		if (steps[i].at_s > 0)
			add_break(b, &nb, steps[i].at_s * 1e6);
	for (i = 0; i < nb; i++) {
		struct sched_seg *g = &s->segs[i];

		g->t0 = b[i];
		g->t1 = i + 1 < nb ? b[i + 1] : INFINITY;
		g->rate = base_rate(steps, n_steps, rate, g->t0) / 1e6;
		g->ramped = g->t0 < s->ramp_us;
		g->l0 = l;
		if (i + 1 < nb)
			l += seg_integral(s, g, g->t1);
	}
	s->n_segs = nb;
	s->due.rng = seed;
	s->send.rng = seed;
	/* The first request one gap after the start: u above 0, so it
	 * falls where L rises, never inside a pause. */
	s->due.u = gap(s, &s->due);
	s->send.u = gap(s, &s->send);
}

/* L(t), t in us since the start. */
static double
integral_at(const struct sched *s, double t)
{
	unsigned int i = 0;

	while (i + 1 < s->n_segs && s->segs[i + 1].t0 <= t)
		i++;
	return s->segs[i].l0 + seg_integral(s, &s->segs[i], t);
}

/* The first t with L(t) = c->u (> 0): c's request's time since the
 * start, or INFINITY when the rate never gets there. */
static double
time_of(const struct sched *s, struct sched_cursor *c)
{
	const struct sched_seg *g;

	/* On past the segments that end at or below u, and past paused
	 * ones (L flat): the request falls where the rate is back. */
	while (c->seg + 1 < s->n_segs &&
	       (s->segs[c->seg + 1].l0 < c->u || s->segs[c->seg].rate <= 0))
		c->seg++;
	g = &s->segs[c->seg];
	if (g->rate <= 0)
		return INFINITY;
	if (g->ramped)
		return sqrt(g->t0 * g->t0 +
			    2 * s->ramp_us * (c->u - g->l0) / g->rate);
	return g->t0 + (c->u - g->l0) / g->rate;
}

uint64_t
sched_backlog(struct sched *s, uint64_t now_us)
{
	double t, l;

	if (now_us < s->start_us)
		return s->due.n - s->send.n;
	t = (double)(now_us - s->start_us);
	l = integral_at(s, t);
	if (!s->poisson) {
		if (s->due.u <= l) {
			double k = floor(l - s->due.u) + 1;

			s->due.u += k;
			s->due.n += (uint64_t)k;
		}
	} else {
		while (s->due.u <= l) {
			s->due.u += gap(s, &s->due);
			s->due.n++;
		}
	}
	return s->due.n - s->send.n;
}

uint64_t
sched_take(struct sched *s)
{
	double t = time_of(s, &s->send);

	s->send.u += gap(s, &s->send);
	s->send.n++;
	if (!isfinite(t))
		return UINT64_MAX;
	/* Down: a request taken as soon as it is due must not be meant
	 * for a moment after now. */
	return s->start_us + (uint64_t)floor(t);
}

uint64_t
sched_peek(const struct sched *s)
{
	struct sched_cursor c = s->send;
	double t = time_of(s, &c);

	return isfinite(t) ? s->start_us + (uint64_t)floor(t) : UINT64_MAX;
}

uint64_t
sched_next_due(const struct sched *s)
{
	struct sched_cursor c = s->due;
	double t = time_of(s, &c);

	return isfinite(t) ? s->start_us + (uint64_t)ceil(t) : UINT64_MAX;
}

double
sched_rate_at(const struct sched *s, uint64_t now_us)
{
	double t = now_us > s->start_us ? (double)(now_us - s->start_us) : 0;
	unsigned int i = 0;

	while (i + 1 < s->n_segs && s->segs[i + 1].t0 <= t)
		i++;
	if (s->segs[i].ramped)
		return s->segs[i].rate * 1e6 * t / s->ramp_us;
	return s->segs[i].rate * 1e6;
}
