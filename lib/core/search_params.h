/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A capacity search: what fetch.search's "search" object (and dpfetch's
 * --search options) ask for, and the bisection that picks each step's
 * rate.
 *
 * The search finds the highest rate of one dial (rate_rps or rate_cps)
 * at which a job still meets its SLO: a list of threshold expressions
 * (threshold.h) that must hold over a step's measured seconds, and an
 * achieved rate of at least SEARCH_ACHIEVED_MIN of the step's target.
 * The job layer runs the steps (job_search.h); this part is pure and
 * without DPDK, for the command line, the control client and the unit
 * tests.
 *
 * The plan: the first step at max (passing there ends the search), the
 * second at min (failing there ends it without an answer), then
 * bisection between the highest rate that passed (lo) and the lowest
 * that failed (hi) at their geometric mean, rounded to three significant
 * digits, until hi / lo - 1 < precision, the rounded mean is lo or hi
 * again, or max_steps steps have run.  The geometric mean halves the
 * ratio hi / lo in log terms, which is what a relative precision asks
 * for: from 500..8000 to 5 % in 6 bisection steps.  Three digits keep
 * the rates readable and at most 1 % apart, hence precision >= 0.01.
 */

#ifndef DPF_SEARCH_PARAMS_H
#define DPF_SEARCH_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "job_params.h"
#include "threshold.h"

#define SEARCH_MAX_SLO		JOB_MAX_THRESHOLDS
/* A search's planned time, max_steps x (warmup + step + pause), at most
 * this (fetch.wait's bound too). */
#define SEARCH_MAX_S		3600
/* A step passes only if the job achieved this share of its rate: a
 * generator that cannot send what it is asked must not pass. */
#define SEARCH_ACHIEVED_MIN	0.98

enum search_dial {
	SEARCH_DIAL_RPS,	/* rate_rps: responses per second */
	SEARCH_DIAL_CPS,	/* rate_cps: connections established per s */
};

struct search_params {
	enum search_dial dial;
	double min, max;		/* the rates tried lie in [min, max] */
	unsigned int n_slo;
	struct threshold slo[SEARCH_MAX_SLO];
	double step_s;			/* measured seconds per step */
	double warmup_s;		/* before the measure, not counted */
	double pause_s;			/* between steps, once drained */
	double precision;		/* stop when hi / lo - 1 < this */
	uint32_t max_steps;
};

enum search_param_type {
	SEARCH_PARAM_DIAL,	/* "rate_rps" or "rate_cps" */
	SEARCH_PARAM_NUM,	/* a number in min..max */
	SEARCH_PARAM_UINT,	/* an integer in min..max */
	SEARCH_PARAM_SLO,	/* an array of threshold expressions */
};

/* One member of the "search" object (its name is also dpfetchctl's
 * key), with its dpfetch option where it has one of its own. */
struct search_param {
	const char *name;
	enum search_param_type type;
	size_t offset;		/* in struct search_params */
	double min, max;	/* NUM, UINT */
	double def;		/* NUM, UINT: the value when absent */
	const char *opt;	/* dpfetch --OPT, or NULL */
	const char *arg;	/* the value's name in help */
	const char *help;
};

extern const struct search_param search_param_table[];
extern const size_t search_param_count;

const char *
search_dial_name(enum search_dial d);

/*
 * Parse fetch.search's "search" object into sp: unknown members are
 * errors, max is required, the rest have defaults (min max/100, slo
 * ["total.p99<10ms", "errors==0"], step_s 3, warmup_s 1, pause_s 0.5,
 * precision 0.05, max_steps 12).  0, or -1 with err.
 */
int
search_params_from_json(struct search_params *sp, const json_t *o,
			char *err, size_t errlen);

/* The parameters back as a "search" object (defaults filled in). */
json_t *
search_params_to_json(const struct search_params *sp);

/*
 * The job parameters (fetch.start's object) a search may run: the
 * steps set the dial and the duration and are judged by the slo, so
 * requests, duration_s, thresholds and the dial itself are refused;
 * rate_cps needs requests_per_connection (connections must close to be
 * opened again).  0, or -1 with err.
 */
int
search_check_job(const struct search_params *sp, const json_t *job,
		 char *err, size_t errlen);

/*
 * dpfetch's --search SPEC, "DIAL:MIN:MAX" or "DIAL:MAX" (DIAL rate_rps
 * or rate_cps), into the members dial, min and max of the object o.
 * 0, or -1 with err.
 */
int
search_spec_parse(const char *spec, json_t *o, char *err, size_t errlen);

/* head, then the entry's help with its range and default (the layout of
 * job_param_print). */
void
search_param_print(FILE *f, const char *head, const struct search_param *e);

/* dpfetch --help's lines for --search and the options of the table. */
void
search_params_usage(FILE *f);

/* Why a search ended. */
enum search_end {
	SEARCH_END_NONE,	/* still going */
	SEARCH_END_MAX_PASSED,	/* the first step, at max, passed */
	SEARCH_END_MIN_FAILED,	/* the step at min failed: no answer */
	SEARCH_END_CONVERGED,	/* hi / lo - 1 < precision */
	SEARCH_END_MAX_STEPS,	/* max_steps ran first */
	SEARCH_END_TIMEOUT,	/* its caller's time ran out */
	SEARCH_END_STOPPED,	/* a step's job was stopped, or shutdown */
	SEARCH_END_ERROR,	/* a step could not run */
};

const char *
search_end_name(enum search_end e);

/* The bisection's state: pure, no clock. */
struct search_plan {
	double min, max, precision;
	uint32_t max_steps;
	uint32_t steps;		/* recorded so far */
	double lo;		/* highest rate that passed; 0: none yet */
	double hi;		/* lowest rate that failed; 0: none yet */
	enum search_end end;
};

void
search_plan_init(struct search_plan *pl, const struct search_params *sp);

/* The next rate to try, or 0 when the search is over (pl->end says
 * why). */
double
search_plan_next(struct search_plan *pl);

/* The outcome of the step at rate (the one search_plan_next gave). */
void
search_plan_record(struct search_plan *pl, double rate, int ok);

/* End it early (timeout, stopped, error). */
void
search_plan_abort(struct search_plan *pl, enum search_end why);

/* The highest rate that passed, or 0 when none did. */
static inline double
search_plan_answer(const struct search_plan *pl)
{
	return pl->lo;
}

/* v rounded to three significant digits (2828.4 -> 2830). */
double
search_round(double v);

#endif /* DPF_SEARCH_PARAMS_H */
