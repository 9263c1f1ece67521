/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the capacity search's parameters and bisection plan
 * (search_params.h): the rates a search tries against a server of known
 * capacity, where it stops and what it answers; the "search" object's
 * defaults and refusals; the job parameters a search refuses; --search's
 * DIAL:MIN:MAX.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "search_params.h"

#define MAX_SEQ	128

static void
params_of(struct search_params *sp, const char *text)
{
	char err[512];
	json_t *o = json_loads(text, 0, NULL);

	assert_non_null(o);
	if (search_params_from_json(sp, o, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
	json_decref(o);
}

/* The error the object text gets, which must contain want. */
static void
params_refused(const char *text, const char *want)
{
	struct search_params sp;
	char err[512] = "";
	json_t *o = json_loads(text, 0, NULL);

	assert_non_null(o);
	if (search_params_from_json(&sp, o, err, sizeof(err)) == 0)
		fail_msg("%s: accepted", text);
	if (strstr(err, want) == NULL)
		fail_msg("%s: error '%s' lacks '%s'", text, err, want);
	json_decref(o);
}

/*
 * Run the plan against a server that passes every rate up to capacity:
 * the rates tried into seq, their count returned, the answer in *answer.
 */
static unsigned int
run_plan(const struct search_params *sp, double capacity, double *seq,
	 double *answer)
{
	struct search_plan pl;
	unsigned int n = 0;
	double rate;

	search_plan_init(&pl, sp);
	while ((rate = search_plan_next(&pl)) != 0) {
		assert_true(n < MAX_SEQ);
		assert_true(rate >= sp->min && rate <= sp->max);
		seq[n++] = rate;
		search_plan_record(&pl, rate, rate <= capacity);
	}
	assert_int_equal(pl.steps, n);
	/* Once over, it stays over. */
	assert_true(search_plan_next(&pl) == 0);
	*answer = search_plan_answer(&pl);
	return n;
}

static void
check_seq(const double *got, unsigned int n, const double *want,
	  unsigned int wn)
{
	unsigned int i;

	if (n != wn)
		fail_msg("%u rates tried, want %u", n, wn);
	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("rate %u: %g, want %g", i + 1, got[i],
				 want[i]);
}

/* The integration test's case: nginx limited to 2000 requests/s. */
static void
test_plan_sequence(void **state)
{
	static const double want[] = {
		8000, 500, 2000, 4000, 2830, 2380, 2180, 2090,
	};
	struct search_params sp;
	struct search_plan pl;
	double seq[MAX_SEQ], answer;
	unsigned int n;

	(void)state;
	params_of(&sp, "{\"min\": 500, \"max\": 8000}");
	n = run_plan(&sp, 2050, seq, &answer);
	check_seq(seq, n, want, sizeof(want) / sizeof(want[0]));
	assert_true(answer == 2000);
	/* 2090 / 2000 - 1 < 0.05: converged. */
	search_plan_init(&pl, &sp);
	for (n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
		assert_true(search_plan_next(&pl) == want[n]);
		search_plan_record(&pl, want[n], want[n] <= 2050);
	}
	assert_true(search_plan_next(&pl) == 0);
	assert_int_equal(pl.end, SEARCH_END_CONVERGED);
	assert_string_equal(search_end_name(pl.end), "converged");
}

/* Any capacity inside the range: the answer passed, the next rate up
 * failed, and they are within the precision. */
static void
test_plan_bounds(void **state)
{
	static const char *const ranges[] = {
		"{\"min\": 500, \"max\": 8000}",
		"{\"min\": 1, \"max\": 1000000, \"precision\": 0.01, "
		"\"max_steps\": 40}",
		"{\"min\": 0.5, \"max\": 3, \"precision\": 0.1}",
	};
	struct search_params sp;
	double seq[MAX_SEQ], answer, c;
	unsigned int n, r;

	(void)state;
	for (r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		params_of(&sp, ranges[r]);
		for (c = sp.min; c < sp.max; c *= 1.037) {
			n = run_plan(&sp, c, seq, &answer);
			assert_true(n >= 2 && n <= sp.max_steps);
			/* docs/control.md: 500..8000 to 5 % in 8 steps */
			if (r == 0 && n > 8)
				fail_msg("capacity %g: %u steps", c, n);
			if (answer > c ||
			    answer < c / (1 + sp.precision) / 1.01)
				fail_msg("%s: capacity %g, answer %g after %u "
					 "steps", ranges[r], c, answer, n);
		}
	}
}

static void
test_plan_ends(void **state)
{
	struct search_params sp;
	struct search_plan pl;
	double seq[MAX_SEQ], answer;
	unsigned int n;

	(void)state;
	params_of(&sp, "{\"min\": 500, \"max\": 8000}");
	/* Everything passes: one step. */
	n = run_plan(&sp, 1e9, seq, &answer);
	assert_int_equal(n, 1);
	assert_true(seq[0] == 8000 && answer == 8000);
	search_plan_init(&pl, &sp);
	search_plan_record(&pl, search_plan_next(&pl), 1);
	assert_true(search_plan_next(&pl) == 0);
	assert_int_equal(pl.end, SEARCH_END_MAX_PASSED);

	/* Nothing passes: max, then min, and no answer. */
	n = run_plan(&sp, 100, seq, &answer);
	assert_int_equal(n, 2);
	assert_true(seq[0] == 8000 && seq[1] == 500 && answer == 0);

	/* max_steps cuts it short with the best so far. */
	params_of(&sp, "{\"min\": 500, \"max\": 8000, \"max_steps\": 4}");
	n = run_plan(&sp, 2050, seq, &answer);
	assert_int_equal(n, 4);
	assert_true(answer == 2000);
	search_plan_init(&pl, &sp);
	while (search_plan_next(&pl) != 0)
		search_plan_record(&pl, search_plan_next(&pl), 0);
	assert_int_equal(pl.end, SEARCH_END_MIN_FAILED);

	/* An abort (timeout) ends it where it is. */
	search_plan_init(&pl, &sp);
	search_plan_record(&pl, search_plan_next(&pl), 0);
	search_plan_record(&pl, search_plan_next(&pl), 1);
	search_plan_abort(&pl, SEARCH_END_TIMEOUT);
	assert_true(search_plan_next(&pl) == 0);
	assert_int_equal(pl.end, SEARCH_END_TIMEOUT);
	assert_true(search_plan_answer(&pl) == 500);
	/* A later abort does not rename how it ended. */
	search_plan_abort(&pl, SEARCH_END_ERROR);
	assert_int_equal(pl.end, SEARCH_END_TIMEOUT);

	/* Three significant digits: 1% apart at worst. */
	params_of(&sp, "{\"min\": 1000, \"max\": 1020, \"precision\": 0.01}");
	n = run_plan(&sp, 1015, seq, &answer);
	assert_true(n == 3 && seq[2] == 1010 && answer == 1010);
	/* Rounding that runs out of room between lo and hi ends it. */
	params_of(&sp, "{\"min\": 1000, \"max\": 1010, \"precision\": 0.01}");
	search_plan_init(&pl, &sp);
	search_plan_record(&pl, search_plan_next(&pl), 0);
	search_plan_record(&pl, search_plan_next(&pl), 1);
	assert_true(search_plan_next(&pl) == 0);
	assert_int_equal(pl.end, SEARCH_END_CONVERGED);
	assert_true(search_plan_answer(&pl) == 1000);
}

static void
test_round(void **state)
{
	(void)state;
	assert_true(search_round(2828.427) == 2830);
	assert_true(search_round(123456) == 123000);
	assert_true(fabs(search_round(0.012345) - 0.0123) < 1e-12);
	assert_true(search_round(999.6) == 1000);
	assert_true(search_round(7) == 7);
}

static void
test_params(void **state)
{
	struct search_params sp;
	json_t *j;

	(void)state;
	params_of(&sp, "{\"max\": 10000}");
	assert_int_equal(sp.dial, SEARCH_DIAL_RPS);
	assert_true(sp.min == 100 && sp.max == 10000);
	assert_true(sp.step_s == 3 && sp.warmup_s == 1 && sp.pause_s == 0.5);
	assert_true(sp.precision == 0.05);
	assert_int_equal(sp.max_steps, 12);
	assert_int_equal(sp.n_slo, 2);
	assert_string_equal(sp.slo[0].expr, "total.p99<10ms");
	assert_string_equal(sp.slo[1].expr, "errors==0");

	params_of(&sp, "{\"dial\": \"rate_cps\", \"min\": 10, \"max\": 5e4, "
		  "\"slo\": [\"connect.p99 < 2ms\"], \"step_s\": 2, "
		  "\"warmup_s\": 0, \"pause_s\": 0, \"precision\": 0.1, "
		  "\"max_steps\": 20}");
	assert_int_equal(sp.dial, SEARCH_DIAL_CPS);
	assert_int_equal(sp.n_slo, 1);
	assert_true(sp.slo[0].latency && sp.slo[0].limit == 2000);
	assert_true(sp.warmup_s == 0 && sp.max_steps == 20);
	/* An empty SLO: only the achieved rate judges. */
	params_of(&sp, "{\"max\": 100, \"slo\": []}");
	assert_int_equal(sp.n_slo, 0);

	/* Back to JSON, defaults filled in, and parsed again alike. */
	params_of(&sp, "{\"max\": 8000, \"min\": 500}");
	j = search_params_to_json(&sp);
	assert_string_equal(json_string_value(json_object_get(j, "dial")),
			    "rate_rps");
	assert_int_equal(json_array_size(json_object_get(j, "slo")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "max_steps")),
			 12);
	json_decref(j);

	params_refused("{}", "search.max is required");
	params_refused("[1]", "expected an object");
	params_refused("{\"max\": 100, \"step\": 2}",
		       "unknown parameter 'step'");
	params_refused("{\"max\": 0}", "search.max: 0 is outside");
	params_refused("{\"max\": 100, \"min\": 100}",
		       "search.min: 100 is not below max 100");
	params_refused("{\"max\": 100, \"dial\": \"rps\"}",
		       "expected \"rate_rps\" or \"rate_cps\"");
	params_refused("{\"max\": 100, \"slo\": [\"total.p99\"]}",
		       "search.slo: threshold 'total.p99': expected a comparison");
	params_refused("{\"max\": 100, \"slo\": [5]}", "search.slo[0]");
	params_refused("{\"max\": 100, \"slo\": \"errors==0\"}",
		       "expected an array");
	params_refused("{\"max\": 100, \"max_steps\": 1}",
		       "search.max_steps: 1 is outside 2..100");
	params_refused("{\"max\": 100, \"max_steps\": 2.5}",
		       "expected an integer");
	params_refused("{\"max\": 100, \"step_s\": \"3\"}",
		       "expected a number");
	params_refused("{\"max\": 100, \"step_s\": 400}",
		       "is 4818 s, over 3600 s");
	params_refused("{\"max\": 2e9, \"dial\": \"rate_cps\"}",
		       "search.max: 2e+09 is over rate_cps's 1e+09");
}

static void
job_refused(const char *search, const char *job, const char *want)
{
	struct search_params sp;
	char err[512] = "";
	json_t *j = json_loads(job, 0, NULL);

	assert_non_null(j);
	params_of(&sp, search);
	if (search_check_job(&sp, j, err, sizeof(err)) == 0)
		fail_msg("%s with %s: accepted", job, search);
	if (strstr(err, want) == NULL)
		fail_msg("%s: error '%s' lacks '%s'", job, err, want);
	json_decref(j);
}

static void
test_check_job(void **state)
{
	struct search_params sp;
	char err[512];
	json_t *j;

	(void)state;
	params_of(&sp, "{\"max\": 1000}");
	j = json_loads("{\"url\": \"http://198.18.0.1/\", \"connections\": 64, "
		       "\"rate_cps\": 50}", 0, NULL);
	assert_int_equal(search_check_job(&sp, j, err, sizeof(err)), 0);
	json_decref(j);
	params_of(&sp, "{\"max\": 1000, \"dial\": \"rate_cps\"}");
	j = json_loads("{\"url\": \"http://198.18.0.1/\", "
		       "\"requests_per_connection\": 1, \"rate_rps\": 5}", 0,
		       NULL);
	assert_int_equal(search_check_job(&sp, j, err, sizeof(err)), 0);
	json_decref(j);

	job_refused("{\"max\": 10}", "{\"requests\": 5}", "requests: a search");
	job_refused("{\"max\": 10}", "{\"duration_s\": 5}", "duration_s:");
	job_refused("{\"max\": 10}", "{\"thresholds\": [\"errors==0\"]}",
		    "search.slo");
	job_refused("{\"max\": 10}", "{\"rate_rps\": 5}",
		    "rate_rps: the search sets it");
	job_refused("{\"max\": 10, \"dial\": \"rate_cps\"}", "{\"rate_cps\": 5}",
		    "rate_cps: the search sets it");
	job_refused("{\"max\": 10, \"dial\": \"rate_cps\"}", "{}",
		    "give requests_per_connection");
	job_refused("{\"max\": 10, \"dial\": \"rate_cps\"}",
		    "{\"requests_per_connection\": 0}",
		    "give requests_per_connection");
}

static void
spec_ok(const char *spec, const char *want)
{
	char err[256], *got;
	json_t *o = json_object();

	if (search_spec_parse(spec, o, err, sizeof(err)) != 0)
		fail_msg("%s: %s", spec, err);
	got = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (strcmp(got, want) != 0)
		fail_msg("%s: %s, want %s", spec, got, want);
	free(got);
	json_decref(o);
}

static void
test_spec(void **state)
{
	static const char *const bad[] = {
		"rate_rps", "rps:1:2", "rate_rps:", "rate_rps:a:b",
		"rate_rps:1:2:3", "rate_rps:1e999", ":5", "",
	};
	char err[256];
	json_t *o = json_object();
	size_t i;

	(void)state;
	spec_ok("rate_rps:500:8000",
		"{\"dial\":\"rate_rps\",\"max\":8000.0,\"min\":500.0}");
	spec_ok("rate_cps:2.5e4", "{\"dial\":\"rate_cps\",\"max\":25000.0}");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (search_spec_parse(bad[i], o, err, sizeof(err)) == 0)
			fail_msg("'%s' accepted", bad[i]);
		if (strstr(err, "expected DIAL:MIN:MAX") == NULL)
			fail_msg("'%s': %s", bad[i], err);
	}
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_sequence),
		cmocka_unit_test(test_plan_bounds),
		cmocka_unit_test(test_plan_ends),
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_check_job),
		cmocka_unit_test(test_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
