/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capacity search (fetch.search, dpfetch --search): the highest rate of
 * a dial at which a job still meets its SLO, found by short warmed-up
 * steps chosen by the bisection plan of search_params.h.
 *
 * Each step is a fresh job (the search's job parameters with the dial
 * set to the step's rate and a duration of warmup_s + step_s), added to
 * the job registry like any other, so fetch.status and fetch.list show
 * it.  The search reads the job at the end of the warm-up and at the end
 * of the measure and judges the difference (job_reading_subtract): the
 * SLO expressions over the measured seconds, and the achieved rate
 * (responses/s for rate_rps, connections established/s for rate_cps)
 * against SEARCH_ACHIEVED_MIN of the target.  Then it stops the job,
 * waits until its connections are closed, pauses pause_s, and goes on.
 *
 * A search has no thread: job_search_tick() advances it and is called
 * every few milliseconds by whoever drives it (the control thread's poll
 * of a deferred fetch.search, dpfetch's runner for --search).  It reaches
 * jobs only by id under the registry's lock, so a step's job may be
 * stopped (fetch.stop ends the search) or evicted without harm.
 */

#ifndef DPF_JOB_SEARCH_H
#define DPF_JOB_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "job.h"
#include "search_params.h"

struct app;
struct job_search;

/*
 * A search for app with the job parameters p (taken over on success;
 * the caller frees them on failure) and the search's sp.  A trial job
 * is made (and freed, never started) so that what job_create refuses is
 * refused now.  NULL with err on failure.
 */
struct job_search *
job_search_create(struct app *app, struct job_params *p,
		  const struct search_params *sp, char *err, size_t errlen);

/* Advance it; 1 once it is over, else 0. */
int
job_search_tick(struct job_search *s, uint64_t now_us);

/* End it now with why (SEARCH_END_TIMEOUT, SEARCH_END_STOPPED): the
 * running step's job is stopped and the step left out. */
void
job_search_stop(struct job_search *s, enum search_end why, uint64_t now_us);

/*
 * The result: {dial, min, max, slo, answer (the highest rate that
 * passed, or null), end (search_end_name), steps: [{step, rate,
 * achieved, ok, slo: [{expr, value, ok}], p50_us, p99_us, errors,
 * responses, measured_s, job, note?}], elapsed_s, error?}.
 */
json_t *
job_search_result(const struct job_search *s, uint64_t now_us);

/* The steps so far (borrowed; see job_search_result). */
const json_t *
job_search_steps(const struct job_search *s);

/* The highest rate that passed so far, or 0. */
double
job_search_answer(const struct job_search *s);

/* Free it; a step's job still running is stopped (the registry keeps
 * and frees the jobs). */
void
job_search_free(struct job_search *s);

#endif /* DPF_JOB_SEARCH_H */
