/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pace of a job share: when its connections may open and its
 * requests may go.  Paced by rate_cps or rate_rps, each follows an
 * open-loop schedule (job_sched.h: uniform or Poisson arrivals, the
 * ramp, staircase steps); what falls due while no connection can take
 * it waits in a backlog, oldest first, keeping its intended time,
 * up to max_backlog: beyond it the oldest are given up and counted.
 * Unpaced, everything is always due and a request is meant for the
 * moment it goes (closed loop).  A third dial, churn, paces the short
 * connections opened on top of the held ones (churn_cps, ramped and
 * stepped like the requests); unpaced it opens none.  The runner asks
 * only these functions.
 *
 * Call chain (job_runner.c):
 *
 *   share_run
 *     job_pace_refill              what fell due since last time;
 *                                  job_pace_overflow: given up
 *     share_send_ready / jr_connected
 *       job_pace_request_due, _intended -> conn_send -> _take
 *     share_open
 *       job_pace_conn_goal         the ramp of the held connections
 *       job_pace_conn_due -> job_pace_conn_take -> share_open_one
 *     share_churn                  short connections on top
 *       job_pace_churn_due -> job_pace_churn_take -> share_open_one
 *
 * Pure C: no DPDK.
 */

#ifndef DPF_JOB_PACE_H
#define DPF_JOB_PACE_H

#include <stdint.h>

#include "job_sched.h"

/* What a share's pace is made of (its part of the job's rates). */
struct job_pace_params {
	double cps, rps;		/* per second; 0 = unpaced */
	double ramp_s;
	int poisson;			/* arrivals; else uniform */
	const struct sched_step *rps_steps;	/* rates already the share's */
	unsigned int n_rps_steps;
	double churn_cps;		/* short connections per second */
	const struct sched_step *churn_steps;	/* the share's too */
	unsigned int n_churn_steps;
	uint64_t max_backlog;		/* requests; 0 = a second's worth */
	uint64_t seed;
};

struct job_pace_dial {
	int paced;
	uint64_t ready;			/* due and not taken */
	uint64_t max_backlog;
	struct sched sched;
};

struct job_pace {
	struct job_pace_params p;
	struct sched_step steps[SCHED_MAX_STEPS];
	struct sched_step churn_steps[SCHED_MAX_STEPS];
	struct job_pace_dial rps, cps, churn;
	uint64_t overflow;		/* given up since the last look */
	uint64_t churn_overflow;	/* the same, of churn openings */
};

void
job_pace_init(struct job_pace *p, const struct job_pace_params *pp);

/* The schedule starts now (the share's first running poll). */
void
job_pace_start(struct job_pace *p, uint64_t now_us);

/* Take in what fell due by now; past max_backlog the oldest are given
 * up and added to the overflow. */
void
job_pace_refill(struct job_pace *p, uint64_t now_us);

/* Requests given up since the last call. */
static inline uint64_t
job_pace_overflow(struct job_pace *p)
{
	uint64_t n = p->overflow;

	p->overflow = 0;
	return n;
}

/* Churn openings given up since the last call. */
static inline uint64_t
job_pace_churn_overflow(struct job_pace *p)
{
	uint64_t n = p->churn_overflow;

	p->churn_overflow = 0;
	return n;
}

static inline int
job_pace_rps_paced(const struct job_pace *p)
{
	return p->rps.paced;
}

static inline int
job_pace_request_due(const struct job_pace *p)
{
	return !p->rps.paced || p->rps.ready > 0;
}

/* The time the oldest due request was meant for (now when unpaced);
 * job_pace_request_take when it went. */
uint64_t
job_pace_request_intended(const struct job_pace *p, uint64_t now_us);

void
job_pace_request_take(struct job_pace *p);

static inline int
job_pace_conn_due(const struct job_pace *p)
{
	return !p->cps.paced || p->cps.ready > 0;
}

/* A connection opens now: the time it was meant to (now when unpaced),
 * which its first request is then meant for. */
uint64_t
job_pace_conn_take(struct job_pace *p, uint64_t now_us);

/* A short (churn) connection is due: never when churn is not paced. */
static inline int
job_pace_churn_due(const struct job_pace *p)
{
	return p->churn.paced && p->churn.ready > 0;
}

/* A churn connection opens now: the time it was meant to. */
uint64_t
job_pace_churn_take(struct job_pace *p, uint64_t now_us);

/* Due and not yet sent (the backlog). */
static inline uint64_t
job_pace_backlog(const struct job_pace *p)
{
	return p->rps.paced ? p->rps.ready : 0;
}

/* How many of target connections the ramp (ramp_s, 0 = none) allows at
 * now_us for a share that started at start_us. */
uint32_t
job_pace_conn_goal(uint32_t target, double ramp_s, uint64_t start_us,
		   uint64_t now_us);

#endif /* DPF_JOB_PACE_H */
