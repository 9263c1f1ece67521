/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capacity search parameters and the bisection plan (search_params.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "search_params.h"

#define OFF(m)	offsetof(struct search_params, m)

const struct search_param search_param_table[] = {
	{ "dial", SEARCH_PARAM_DIAL, OFF(dial), 0, 0, 0, NULL,
	  "rate_rps|rate_cps", "the rate searched (default rate_rps)" },
	{ "min", SEARCH_PARAM_NUM, OFF(min), 0, 1e10, -1, NULL, "R",
	  "the lowest rate tried (default max/100)" },
	{ "max", SEARCH_PARAM_NUM, OFF(max), 0, 1e10, -1, NULL, "R",
	  "the highest rate tried, the first step (required)" },
	{ "slo", SEARCH_PARAM_SLO, OFF(slo), 0, 0, 0, "slo", "EXPR",
	  "what a step must meet, a threshold such as 'total.p99<10ms' "
	  "(repeatable; default total.p99<10ms and errors==0)" },
	{ "step_s", SEARCH_PARAM_NUM, OFF(step_s), 0.1, 3600, 3,
	  "search-step", "SEC", "measured seconds per step" },
	{ "warmup_s", SEARCH_PARAM_NUM, OFF(warmup_s), 0, 3600, 1,
	  "search-warmup", "SEC", "seconds before each step's measure" },
	{ "pause_s", SEARCH_PARAM_NUM, OFF(pause_s), 0, 60, 0.5,
	  "search-pause", "SEC",
	  "pause between steps, once a step's connections are closed" },
	{ "precision", SEARCH_PARAM_NUM, OFF(precision), 0.01, 1, 0.05,
	  "search-precision", "F",
	  "stop when the highest passing and lowest failing rates are "
	  "within F of each other" },
	{ "max_steps", SEARCH_PARAM_UINT, OFF(max_steps), 2, 100, 12,
	  "search-max-steps", "N", "steps at most" },
};

const size_t search_param_count =
	sizeof(search_param_table) / sizeof(search_param_table[0]);

static const char *const default_slo[] = { "total.p99<10ms", "errors==0" };

const char *
search_dial_name(enum search_dial d)
{
	return d == SEARCH_DIAL_CPS ? "rate_cps" : "rate_rps";
}

static int
dial_parse(const char *s, enum search_dial *d)
{
	if (s != NULL && strcmp(s, "rate_rps") == 0)
		*d = SEARCH_DIAL_RPS;
	else if (s != NULL && strcmp(s, "rate_cps") == 0)
		*d = SEARCH_DIAL_CPS;
	else
		return -1;
	return 0;
}

/* The dial's own upper bound, from the job parameter table. */
static double
dial_limit(enum search_dial d)
{
	const struct job_param *e = job_param_find(search_dial_name(d));

	return e != NULL ? e->max : 1e9;
}

static int
parse_slo(struct search_params *sp, const json_t *a, char *err,
	  size_t errlen)
{
	char msg[256];
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) > SEARCH_MAX_SLO)
		return errbuf_set(err, errlen,
			    "search.slo: expected an array of at most %d expressions such as \"total.p99<10ms\"",
			    SEARCH_MAX_SLO);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return errbuf_set(err, errlen,
				    "search.slo[%zu]: expected a string such as \"total.p99<10ms\"",
				    i);
		if (threshold_parse(json_string_value(v), &sp->slo[sp->n_slo],
				    msg, sizeof(msg)) != 0)
			return errbuf_set(err, errlen, "search.slo: %s", msg);
		sp->n_slo++;
	}
	return 0;
}

static int
parse_one(struct search_params *sp, const struct search_param *e,
	  const json_t *v, char *err, size_t errlen)
{
	double d;

	switch (e->type) {
	case SEARCH_PARAM_DIAL:
		if (dial_parse(json_string_value(v), &sp->dial) != 0)
			return errbuf_set(err, errlen,
				    "search.dial: expected \"rate_rps\" or \"rate_cps\"");
		return 0;
	case SEARCH_PARAM_SLO:
		return parse_slo(sp, v, err, errlen);
	case SEARCH_PARAM_UINT:
		if (!json_is_integer(v))
			return errbuf_set(err, errlen, "search.%s: expected an integer",
				    e->name);
		d = (double)json_integer_value(v);
		if (d < e->min || d > e->max)
			return errbuf_set(err, errlen, "search.%s: %g is outside %g..%g",
				    e->name, d, e->min, e->max);
		*(uint32_t *)((char *)sp + e->offset) = (uint32_t)d;
		return 0;
	default:
		if (!json_is_number(v))
			return errbuf_set(err, errlen, "search.%s: expected a number",
				    e->name);
		d = json_number_value(v);
		/* Rates are above 0; the rest may be their minimum. */
		if (!isfinite(d) || d < e->min || d > e->max ||
		    (e->min == 0 && d == 0 && e->def < 0))
			return errbuf_set(err, errlen,
				    "search.%s: %g is outside %s%g..%g", e->name,
				    d, e->def < 0 ? "(" : "", e->min, e->max);
		*(double *)((char *)sp + e->offset) = d;
		return 0;
	}
}

int
search_params_from_json(struct search_params *sp, const json_t *o,
			char *err, size_t errlen)
{
	const struct search_param *e;
	const char *key;
	double planned;
	json_t *v;
	size_t i;

	memset(sp, 0, sizeof(*sp));
	for (i = 0; i < search_param_count; i++) {
		e = &search_param_table[i];
		if (e->type == SEARCH_PARAM_NUM)
			*(double *)((char *)sp + e->offset) = e->def;
		else if (e->type == SEARCH_PARAM_UINT)
			*(uint32_t *)((char *)sp + e->offset) =
				(uint32_t)e->def;
	}
	if (!json_is_object(o))
		return errbuf_set(err, errlen,
			    "search: expected an object such as {\"dial\": \"rate_rps\", \"max\": 10000}");
	json_object_foreach((json_t *)o, key, v) {
		for (i = 0; i < search_param_count; i++)
			if (strcmp(key, search_param_table[i].name) == 0)
				break;
		if (i == search_param_count)
			return errbuf_set(err, errlen,
				    "search: unknown parameter '%s' (dial, min, max, slo, step_s, warmup_s, pause_s, precision, max_steps)",
				    key);
		if (parse_one(sp, &search_param_table[i], v, err, errlen) != 0)
			return -1;
	}
	if (json_object_get(o, "max") == NULL)
		return errbuf_set(err, errlen,
			    "search.max is required: the highest rate to try");
	if (sp->max > dial_limit(sp->dial))
		return errbuf_set(err, errlen, "search.max: %g is over %s's %g",
			    sp->max, search_dial_name(sp->dial),
			    dial_limit(sp->dial));
	if (json_object_get(o, "min") == NULL)
		sp->min = sp->max / 100;
	if (!(sp->min < sp->max))
		return errbuf_set(err, errlen,
			    "search.min: %g is not below max %g", sp->min,
			    sp->max);
	if (json_object_get(o, "slo") == NULL) {
		for (i = 0; i < sizeof(default_slo) / sizeof(default_slo[0]);
		     i++)
			if (threshold_parse(default_slo[i],
					    &sp->slo[sp->n_slo++], err,
					    errlen) != 0)
				return -1;
	}
	planned = sp->max_steps * (sp->warmup_s + sp->step_s + sp->pause_s);
	if (planned > SEARCH_MAX_S)
		return errbuf_set(err, errlen,
			    "search: max_steps x (warmup_s + step_s + pause_s) is %g s, over %d s",
			    planned, SEARCH_MAX_S);
	return 0;
}

json_t *
search_params_to_json(const struct search_params *sp)
{
	json_t *slo = json_array();
	unsigned int i;

	for (i = 0; slo != NULL && i < sp->n_slo; i++)
		json_array_append_new(slo, json_string(sp->slo[i].expr));
	return json_pack("{s:s, s:f, s:f, s:o, s:f, s:f, s:f, s:f, s:I}",
			 "dial", search_dial_name(sp->dial),
			 "min", sp->min, "max", sp->max, "slo", slo,
			 "step_s", sp->step_s, "warmup_s", sp->warmup_s,
			 "pause_s", sp->pause_s, "precision", sp->precision,
			 "max_steps", (json_int_t)sp->max_steps);
}

int
search_check_job(const struct search_params *sp, const json_t *job,
		 char *err, size_t errlen)
{
	static const char *const set_by_search[] = {
		"requests", "duration_s",
	};
	const char *dial = search_dial_name(sp->dial);
	const json_t *rpc;
	size_t i;

	for (i = 0; i < sizeof(set_by_search) / sizeof(set_by_search[0]);
	     i++)
		if (json_object_get(job, set_by_search[i]) != NULL)
			return errbuf_set(err, errlen,
				    "%s: a search's steps run for warmup_s + step_s each; leave it out",
				    set_by_search[i]);
	if (json_object_get(job, "thresholds") != NULL)
		return errbuf_set(err, errlen,
			    "thresholds: a search judges its steps by search.slo; put them there");
	if (json_object_get(job, dial) != NULL)
		return errbuf_set(err, errlen,
			    "%s: the search sets it (its dial) at every step; leave it out",
			    dial);
	rpc = json_object_get(job, "requests_per_connection");
	if (sp->dial == SEARCH_DIAL_CPS &&
	    !(json_is_integer(rpc) && json_integer_value(rpc) >= 1))
		return errbuf_set(err, errlen,
			    "search.dial rate_cps: give requests_per_connection (e.g. 1): connections must close for new ones to open");
	return 0;
}

int
search_spec_parse(const char *spec, json_t *o, char *err, size_t errlen)
{
	char buf[128], *num[2], *end;
	enum search_dial d;
	double v[2];
	int n = 0, i;
	char *colon;

	if (strlen(spec) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", spec);
	colon = strchr(buf, ':');
	if (colon == NULL)
		goto bad;
	*colon = '\0';
	if (dial_parse(buf, &d) != 0)
		goto bad;
	num[n++] = colon + 1;
	colon = strchr(colon + 1, ':');
	if (colon != NULL) {
		*colon = '\0';
		num[n++] = colon + 1;
	}
	for (i = 0; i < n; i++) {
		errno = 0;
		v[i] = strtod(num[i], &end);
		if (end == num[i] || *end != '\0' || errno != 0 ||
		    !isfinite(v[i]))
			goto bad;
	}
	json_object_set_new(o, "dial", json_string(search_dial_name(d)));
	if (n == 2)
		json_object_set_new(o, "min", json_real(v[0]));
	json_object_set_new(o, "max", json_real(v[n - 1]));
	return 0;
bad:
	return errbuf_set(err, errlen,
		    "--search '%s': expected DIAL:MIN:MAX or DIAL:MAX, DIAL rate_rps or rate_cps (e.g. rate_rps:500:8000)",
		    spec);
}

void
search_param_print(FILE *f, const char *head, const struct search_param *e)
{
	/* job_param_print's layout; only the range and default matter. */
	struct job_param jp = {
		.name = e->name,
		.type = e->type == SEARCH_PARAM_UINT ? JOB_PARAM_UINT :
			e->type == SEARCH_PARAM_NUM ? JOB_PARAM_NUM :
			JOB_PARAM_THRESHOLDS,
		.umin = (uint64_t)e->min,
		.umax = (uint64_t)e->max,
		.min = e->min,
		.max = e->max,
		.def = e->def,
		.help = e->help,
	};

	job_param_print(f, head, &jp);
}

void
search_params_usage(FILE *f)
{
	char head[64];
	size_t i;

	fprintf(f,
"  --search DIAL:[MIN:]MAX  find the highest rate of DIAL (rate_rps or\n"
"                        rate_cps) in MIN..MAX (MIN default MAX/100) that\n"
"                        meets the SLO: steps of --search-warmup then\n"
"                        --search-step seconds, first at MAX, then MIN,\n"
"                        then bisection; prints the steps and the answer\n"
"                        (exit 0 with an answer, 1 without)\n");
	for (i = 0; i < search_param_count; i++) {
		const struct search_param *e = &search_param_table[i];

		if (e->opt == NULL)
			continue;
		snprintf(head, sizeof(head), "  --%s %s", e->opt, e->arg);
		search_param_print(f, head, e);
	}
}

const char *
search_end_name(enum search_end e)
{
	switch (e) {
	case SEARCH_END_NONE: return "running";
	case SEARCH_END_MAX_PASSED: return "max_passed";
	case SEARCH_END_MIN_FAILED: return "min_failed";
	case SEARCH_END_CONVERGED: return "converged";
	case SEARCH_END_MAX_STEPS: return "max_steps";
	case SEARCH_END_TIMEOUT: return "timeout";
	case SEARCH_END_STOPPED: return "stopped";
	case SEARCH_END_ERROR: return "error";
	default: return "?";
	}
}

double
search_round(double v)
{
	double scale;

	if (!(v > 0) || !isfinite(v))
		return v;
	scale = pow(10, floor(log10(v)) - 2);
	return round(v / scale) * scale;
}

void
search_plan_init(struct search_plan *pl, const struct search_params *sp)
{
	memset(pl, 0, sizeof(*pl));
	pl->min = sp->min;
	pl->max = sp->max;
	pl->precision = sp->precision;
	pl->max_steps = sp->max_steps;
}

double
search_plan_next(struct search_plan *pl)
{
	double mid;

	if (pl->end != SEARCH_END_NONE)
		return 0;
	if (pl->steps == 0)
		return pl->max;
	if (pl->lo == 0 && pl->steps == 1) {
		if (pl->hi == 0) {
			/* Unreachable: the first step decides. */
			pl->end = SEARCH_END_MAX_PASSED;
			return 0;
		}
		return pl->min;
	}
	if (pl->hi / pl->lo - 1 < pl->precision) {
		pl->end = SEARCH_END_CONVERGED;
		return 0;
	}
	if (pl->steps >= pl->max_steps) {
		pl->end = SEARCH_END_MAX_STEPS;
		return 0;
	}
	mid = search_round(sqrt(pl->lo * pl->hi));
	/* Rounding ran out of room between them: as close as it gets. */
	if (mid <= pl->lo || mid >= pl->hi) {
		pl->end = SEARCH_END_CONVERGED;
		return 0;
	}
	return mid;
}

void
search_plan_record(struct search_plan *pl, double rate, int ok)
{
	pl->steps++;
	if (ok) {
		if (rate > pl->lo)
			pl->lo = rate;
	} else if (pl->hi == 0 || rate < pl->hi) {
		pl->hi = rate;
	}
	if (pl->steps == 1 && ok)
		pl->end = SEARCH_END_MAX_PASSED;
	else if (pl->steps == 2 && pl->lo == 0)
		pl->end = SEARCH_END_MIN_FAILED;
}

void
search_plan_abort(struct search_plan *pl, enum search_end why)
{
	if (pl->end == SEARCH_END_NONE)
		pl->end = why;
}
