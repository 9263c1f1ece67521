/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The open-loop schedule of a paced job: when each request (or
 * connection) is meant to go, independent of when the previous ones
 * were answered, so that a stalled server cannot slow the generator
 * down and hide its own stall (coordinated omission; wrk2's fix).
 *
 * The rate is a function of time since the start: the job's rate, or
 * that of the last `steps` entry whose at_s has passed, times the ramp
 * (0 at the start, rising linearly to 1 at ramp_s).  Its integral
 * L(t) counts the requests due by t; request k is due when L reaches
 * u_k, with u_k = k (uniform arrivals: evenly spaced) or u_k the sum of
 * k Exp(1) draws (Poisson arrivals: a Poisson process of that rate, by
 * time rescaling).
 *
 * Two cursors walk the same sequence: "due" runs ahead to now, "send"
 * follows as requests go out; the requests between them are the
 * backlog, waiting for a free connection, and each keeps its intended
 * time, the one latency is measured from.  The Poisson draws come from
 * one seeded generator per cursor, so the send cursor replays exactly
 * the due cursor's times without storing them.  No DPDK, no allocation:
 * unit-tested without EAL.
 */

#ifndef DPF_JOB_SCHED_H
#define DPF_JOB_SCHED_H

#include <stdint.h>

#define SCHED_MAX_STEPS		16
/* Segments of constant shape: the ramp, each step, the end. */
#define SCHED_MAX_SEGS		(SCHED_MAX_STEPS + 3)

struct sched_step {
	double at_s;		/* from the start */
	double rate;		/* per second from then on; 0 pauses */
};

/* Where [t0, t1) starts in L and how the rate runs through it. */
struct sched_seg {
	double t0, t1;		/* us since start; t1 = INFINITY last */
	double l0;		/* L(t0) */
	double rate;		/* per us, before the ramp */
	int ramped;		/* inside the ramp: rate * t / ramp_us */
};

struct sched_cursor {
	double u;		/* L at the next request */
	uint64_t rng;		/* Poisson draws */
	uint64_t n;		/* requests passed */
	unsigned int seg;	/* where u was found last */
};

struct sched {
	uint64_t start_us;
	double ramp_us;
	int poisson;
	unsigned int n_segs;
	struct sched_seg segs[SCHED_MAX_SEGS];
	struct sched_cursor due, send;
};

/*
 * rate per second (>= 0; 0 waits for a step), ramp_s >= 0, poisson 0/1, steps in rising
 * at_s order (n_steps <= SCHED_MAX_STEPS), seed for the Poisson draws
 * (any value; 0 is fine).
 */
void
sched_init(struct sched *s, uint64_t start_us, double rate, double ramp_s,
	   int poisson, const struct sched_step *steps, unsigned int n_steps,
	   uint64_t seed);

/* Requests due by now that have not been taken (advances "due"). */
uint64_t
sched_backlog(struct sched *s, uint64_t now_us);

/* Take the oldest due request (the backlog must not be empty): its
 * intended time, in us like start_us. */
uint64_t
sched_take(struct sched *s);

/* The intended time sched_take would return, without taking it. */
uint64_t
sched_peek(const struct sched *s);

/* When the next request falls due (for a caller that sleeps), or
 * UINT64_MAX when the rate stays 0. */
uint64_t
sched_next_due(const struct sched *s);

/* Requests per second the schedule asks for at now_us. */
double
sched_rate_at(const struct sched *s, uint64_t now_us);

#endif /* DPF_JOB_SCHED_H */
