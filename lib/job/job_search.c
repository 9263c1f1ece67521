/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capacity search: the steps as jobs, their readings and verdicts
 * (job_search.h).
 *
 * job_search_tick -> step_start (NEXT) -> warm-up reading (WARMUP)
 *   -> end reading, step_judge, job_stop (MEASURE) -> wait until the job
 *   is over, search_plan_next (DRAIN) -> pause (NEXT) ...
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_search.h"
#include "worker.h"

/* A step's job runs this much past its measure, so that it is still
 * running when the search reads it (the search stops it then). */
#define STEP_SLACK_S	2.0

enum search_phase {
	PHASE_NEXT,		/* pausing before the step at s->rate */
	PHASE_WARMUP,
	PHASE_MEASURE,
	PHASE_DRAIN,		/* the step's job is closing */
	PHASE_DONE,
};

struct job_search {
	struct app *app;
	struct job_params tmpl;		/* the steps' but dial, duration */
	struct search_params sp;
	struct search_plan plan;
	enum search_phase phase;
	uint64_t start_us;		/* the first tick */
	uint64_t end_us;
	uint64_t until_us;		/* the phase's end */
	double rate;			/* the step's */
	uint32_t job;			/* the step's job id, 0: none */
	struct job_reading *warm;	/* at the end of the warm-up */
	struct job_reading *last;	/* at the end of the measure */
	json_t *steps;
	char error[JOB_ERR_LEN];
};

struct job_search *
job_search_create(struct app *app, struct job_params *p,
		  const struct search_params *sp, char *err, size_t errlen)
{
	struct job_search *s;
	struct job_params trial;
	struct job *job;

	if (job_threshold_kinds_check(sp->slo, sp->n_slo, err, errlen) != 0)
		return NULL;
	if (job_params_copy(&trial, p) != 0) {
		job_err(err, errlen, "out of memory");
		return NULL;
	}
	job_registry_lock(app->jobs);
	job = job_create(app, 0, &trial, err, errlen);
	job_registry_unlock(app->jobs);
	job_params_free(&trial);
	if (job == NULL)
		return NULL;
	job_free(job);
	s = calloc(1, sizeof(*s));
	if (s != NULL) {
		s->warm = malloc(sizeof(*s->warm));
		s->last = malloc(sizeof(*s->last));
		s->steps = json_array();
	}
	if (s == NULL || s->warm == NULL || s->last == NULL ||
	    s->steps == NULL) {
		if (s != NULL) {
			free(s->warm);
			free(s->last);
			json_decref(s->steps);
			free(s);
		}
		job_err(err, errlen, "out of memory");
		return NULL;
	}
	s->app = app;
	s->tmpl = *p;
	memset(p, 0, sizeof(*p));	/* ours now */
	s->sp = *sp;
	search_plan_init(&s->plan, sp);
	s->phase = PHASE_NEXT;
	s->rate = search_plan_next(&s->plan);
	return s;
}

static void
finish(struct job_search *s, uint64_t now_us)
{
	s->phase = PHASE_DONE;
	s->end_us = now_us;
}

static void
fail(struct job_search *s, uint64_t now_us, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The search cannot go on: it ends with what it found so far. */
static void
fail(struct job_search *s, uint64_t now_us, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	search_plan_abort(&s->plan, SEARCH_END_ERROR);
	finish(s, now_us);
}

/* A fresh job at s->rate for warmup_s + step_s, registered and started;
 * 0, or -1 with the search failed. */
static int
step_start(struct job_search *s, uint64_t now_us)
{
	struct job_registry *r = s->app->jobs;
	char msg[JOB_ERR_LEN];
	struct job_params p;
	struct job *job;

	if (job_params_copy(&p, &s->tmpl) != 0) {
		fail(s, now_us, "out of memory");
		return -1;
	}
	if (s->sp.dial == SEARCH_DIAL_CPS)
		p.rate_cps = s->rate;
	else
		p.rate_rps = s->rate;
	p.requests = 0;
	p.duration_s = s->sp.warmup_s + s->sp.step_s + STEP_SLACK_S;
	job_registry_lock(r);
	job = job_create(s->app, 0, &p, msg, sizeof(msg));
	if (job == NULL) {
		job_registry_unlock(r);
		job_params_free(&p);
		fail(s, now_us, "step at %g: %s", s->rate, msg);
		return -1;
	}
	if (job_registry_add(r, job) != 0) {
		job_registry_unlock(r);
		job_free(job);
		fail(s, now_us, "step at %g: %d jobs are running",
		     s->rate, JOB_REGISTRY_MAX);
		return -1;
	}
	s->job = job->id = job_registry_next_id(r);
	job_start(job);
	job_registry_unlock(r);
	s->phase = PHASE_WARMUP;
	s->until_us = now_us + (uint64_t)(s->sp.warmup_s * 1e6);
	return 0;
}

/* The step's verdict on the measured part (s->last - s->warm), added to
 * the steps and to the plan.  note: why the job ended early, or NULL. */
static void
step_judge(struct job_search *s, const char *note)
{
	struct job_reading *d = s->last;
	const struct hist *total;
	unsigned int failed = 0;
	double done, achieved;
	json_t *slo, *step;
	int ok;

	job_reading_subtract(d, s->warm);
	total = &d->lat[JOB_LAT_TOTAL];
	done = s->sp.dial == SEARCH_DIAL_CPS ?
		(double)d->c.conns_established : (double)d->c.responses;
	achieved = d->elapsed_s > 0 ? done / d->elapsed_s : 0;
	slo = job_thresholds_json(s->sp.slo, s->sp.n_slo, &d->c, d->lat,
				  d->elapsed_s, &failed);
	ok = failed == 0 && note == NULL &&
		achieved >= SEARCH_ACHIEVED_MIN * s->rate;
	step = json_pack("{s:I, s:f, s:f, s:b, s:o, s:I, s:I, s:I, s:I, s:f, "
			 "s:I}",
			 "step", (json_int_t)json_array_size(s->steps) + 1,
			 "rate", s->rate, "achieved", achieved, "ok", ok,
			 "slo", slo,
			 "p50_us", (json_int_t)hist_percentile(total, 50),
			 "p99_us", (json_int_t)hist_percentile(total, 99),
			 "errors", (json_int_t)job_errors_total(&d->c),
			 "responses", (json_int_t)d->c.responses,
			 "measured_s", d->elapsed_s,
			 "job", (json_int_t)s->job);
	if (step != NULL && note != NULL)
		json_object_set_new(step, "note", json_string(note));
	json_array_append_new(s->steps, step);
	search_plan_record(&s->plan, s->rate, ok);
}

/* The step's job under the lock, or NULL (the search failed). */
static struct job *
step_job(struct job_search *s, uint64_t now_us)
{
	struct job *job = job_registry_find(s->app->jobs, s->job);

	if (job == NULL) {
		job_registry_unlock(s->app->jobs);
		fail(s, now_us, "job %u of the step at %g is gone", s->job,
		     s->rate);
	}
	return job;
}

/* End of the warm-up or of the measure: read the job, and at the end
 * of the measure judge the step and stop the job. */
static void
step_read(struct job_search *s, uint64_t now_us)
{
	struct job_registry *r = s->app->jobs;
	char note[JOB_ERR_LEN + 64];
	int finished, stopped;
	struct job *job;

	job_registry_lock(r);
	job = step_job(s, now_us);
	if (job == NULL)
		return;
	finished = job_finished(job);
	if (!finished && now_us < s->until_us) {
		job_registry_unlock(r);
		return;
	}
	/* Ended before we stopped it: by fetch.stop, or it failed. */
	stopped = finished && job->stop;
	snprintf(note, sizeof(note), "the job ended %s the %s%s%s",
		 stopped ? "(stopped) during" : "early, in",
		 s->phase == PHASE_WARMUP ? "warm-up" : "measure",
		 job_first_error(job)[0] != '\0' ? ": " : "",
		 job_first_error(job));
	if (s->phase == PHASE_WARMUP && !finished) {
		job_read(job, now_us, s->warm);
		job_registry_unlock(r);
		s->phase = PHASE_MEASURE;
		s->until_us = now_us + (uint64_t)(s->sp.step_s * 1e6);
		return;
	}
	job_read(job, now_us, s->last);
	if (s->phase == PHASE_WARMUP)
		*s->warm = *s->last;	/* nothing was measured */
	job_stop(job);
	job_registry_unlock(r);
	if (stopped) {
		/* Somebody else ended the step: the search with it. */
		search_plan_abort(&s->plan, SEARCH_END_STOPPED);
		finish(s, now_us);
		return;
	}
	step_judge(s, finished ? note : NULL);
	s->phase = PHASE_DRAIN;
}

int
job_search_tick(struct job_search *s, uint64_t now_us)
{
	struct job *job;
	int over;

	if (s->start_us == 0)
		s->start_us = now_us;
	if (s->phase != PHASE_DONE && s->app->quit)
		job_search_stop(s, SEARCH_END_STOPPED, now_us);
	switch (s->phase) {
	case PHASE_NEXT:
		if (s->rate == 0) {
			finish(s, now_us);
			break;
		}
		if (now_us >= s->until_us)
			step_start(s, now_us);
		break;
	case PHASE_WARMUP:
	case PHASE_MEASURE:
		step_read(s, now_us);
		break;
	case PHASE_DRAIN:
		/* Gone: evicted, which only a finished job is. */
		job_registry_lock(s->app->jobs);
		job = job_registry_find(s->app->jobs, s->job);
		over = job == NULL || job_finished(job);
		job_registry_unlock(s->app->jobs);
		if (!over)
			break;
		/* Decide now: a search that is over need not pause. */
		s->rate = search_plan_next(&s->plan);
		s->phase = PHASE_NEXT;
		s->until_us = now_us + (uint64_t)(s->sp.pause_s * 1e6);
		if (s->rate == 0)
			finish(s, now_us);
		break;
	default:
		break;
	}
	return s->phase == PHASE_DONE;
}

/* Stop the step's job if it may still run. */
static void
stop_step_job(struct job_search *s)
{
	struct job *job;

	if (s->job == 0 || (s->phase != PHASE_WARMUP &&
			    s->phase != PHASE_MEASURE))
		return;
	job_registry_lock(s->app->jobs);
	job = job_registry_find(s->app->jobs, s->job);
	if (job != NULL)
		job_stop(job);
	job_registry_unlock(s->app->jobs);
}

void
job_search_stop(struct job_search *s, enum search_end why, uint64_t now_us)
{
	if (s->phase == PHASE_DONE)
		return;
	stop_step_job(s);
	search_plan_abort(&s->plan, why);
	finish(s, now_us);
}

json_t *
job_search_result(const struct job_search *s, uint64_t now_us)
{
	json_t *slo = json_array(), *o;
	double answer = search_plan_answer(&s->plan);
	uint64_t end = s->phase == PHASE_DONE ? s->end_us : now_us;
	unsigned int i;

	for (i = 0; slo != NULL && i < s->sp.n_slo; i++)
		json_array_append_new(slo, json_string(s->sp.slo[i].expr));
	o = json_pack("{s:s, s:f, s:f, s:o, s:o, s:s, s:O, s:f}",
		      "dial", search_dial_name(s->sp.dial),
		      "min", s->sp.min, "max", s->sp.max, "slo", slo,
		      "answer", answer > 0 ? json_real(answer) : json_null(),
		      "end", search_end_name(s->plan.end),
		      "steps", s->steps,
		      "elapsed_s", s->start_us == 0 || end < s->start_us ? 0.0 :
		      (double)(end - s->start_us) / 1e6);
	if (o != NULL && s->error[0] != '\0')
		json_object_set_new(o, "error", json_string(s->error));
	return o;
}

const json_t *
job_search_steps(const struct job_search *s)
{
	return s->steps;
}

double
job_search_answer(const struct job_search *s)
{
	return search_plan_answer(&s->plan);
}

void
job_search_free(struct job_search *s)
{
	if (s == NULL)
		return;
	stop_step_job(s);
	job_params_free(&s->tmpl);
	free(s->warm);
	free(s->last);
	json_decref(s->steps);
	free(s);
}
