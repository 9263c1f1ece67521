/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the job parameter table (job_params.h): every entry is
 * walked, so a parameter added to the table is covered without a new
 * test.  JSON -> struct -> JSON round trips, range bounds and their
 * messages, dpfetchctl's keys and help.  (dpfetch's options and --help:
 * test_config.c.)
 */

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_cmd.h"
#include "job_params.h"

#define URL	"http://198.18.0.1:80/a"

/* A valid value of e's type; hi picks the top of a range. */
static json_t *
sample(const struct job_param *e, int hi)
{
	switch (e->type) {
	case JOB_PARAM_URL:
		return json_string(URL);
	case JOB_PARAM_URLS:
		return json_pack("[s, s]", URL, "http://198.18.0.2:8080/b?c");
	case JOB_PARAM_METHOD:
		return json_string(hi ? "PUT" : "GET");
	case JOB_PARAM_HEADERS:
		return json_pack("{s:s, s:s}", "X-A", "b", "Accept", "*/*");
	case JOB_PARAM_BODY:
		return json_string("hello");
	case JOB_PARAM_UINT:
		return json_integer((json_int_t)(hi ? e->umax : e->umin));
	case JOB_PARAM_NUM:
		return json_real(hi ? e->max : e->min);
	case JOB_PARAM_IPS:
		return json_string(hi ? "198.18.0.10-198.18.0.20" :
				   "198.18.0.10");
	case JOB_PARAM_LCORES:
		return json_pack("[i, i]", 0, hi ? 255 : 3);
	case JOB_PARAM_PERCENTILES:
		return json_pack("[f, f]", hi ? 99.99 : 0.5, 100.0);
	case JOB_PARAM_THRESHOLDS:
		return json_pack("[s, s]", "total.p99<5ms", hi ?
				 "errors.reset==0" : "rps>=20k");
	case JOB_PARAM_ARRIVAL:
		return json_string(hi ? "poisson" : "uniform");
	case JOB_PARAM_STEPS:
		/* The old form; high: churn_cps with it and alone. */
		if (hi)
			return json_pack("[{s:f, s:f}, {s:f, s:f, s:f}, "
					 "{s:f, s:f}]", "at_s", 1.5,
					 "rate_rps", 100.0, "at_s", 3.0,
					 "rate_rps", 0.0, "churn_cps", 50.0,
					 "at_s", 4.0, "churn_cps", 0.0);
		return json_pack("[{s:f, s:f}, {s:f, s:f}]", "at_s", 1.5,
				 "rate_rps", 100.0, "at_s", 3.0, "rate_rps",
				 250.0);
	case JOB_PARAM_MIX:
		return json_pack("[{s:s, s:s, s:i, s:s}]", "name", "a", "url",
				 URL, "weight", hi ? 1000000 : 1, "method",
				 "GET");
	}
	return NULL;
}

/* The same value as dpfetchctl's key=value text. */
static const char *
sample_text(const struct job_param *e, char *buf, size_t len)
{
	switch (e->type) {
	case JOB_PARAM_URL:
		return URL;
	case JOB_PARAM_HEADERS:
		return "X-A: b";
	case JOB_PARAM_UINT:
		snprintf(buf, len, "%llu", (unsigned long long)e->umax);
		return buf;
	case JOB_PARAM_NUM:
		snprintf(buf, len, "%.17g", e->max);
		return buf;
	case JOB_PARAM_IPS:
		return "198.18.0.10-198.18.0.20";
	case JOB_PARAM_LCORES:
		return "0,3";
	case JOB_PARAM_PERCENTILES:
		return "50,99.9";
	case JOB_PARAM_THRESHOLDS:
		return "ttfb.p90 < 1ms";
	case JOB_PARAM_ARRIVAL:
		return "poisson";
	case JOB_PARAM_STEPS:
		return "1.5:100,3:0:50";
	default:
		return "PUT";
	}
}

/* Every parameter but url (urls stands for it). */
static json_t *
all_params(int hi)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < job_param_count; i++)
		/* a mix goes without url, urls, method, headers, body
		 * (test_mix) */
		if (job_param_table[i].type != JOB_PARAM_URL &&
		    job_param_table[i].type != JOB_PARAM_MIX)
			json_object_set_new(o, job_param_table[i].name,
					    sample(&job_param_table[i], hi));
	return o;
}

static void
assert_json_equal(json_t *a, json_t *b)
{
	if (!json_equal(a, b)) {
		char *ta = json_dumps(a, JSON_SORT_KEYS);
		char *tb = json_dumps(b, JSON_SORT_KEYS);

		fail_msg("%s\n  !=\n%s", ta, tb);
	}
}

static void
test_table(void **state)
{
	size_t i, j;

	(void)state;
	assert_true(job_param_count > 0);
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		assert_non_null(e->name);
		assert_non_null(e->help);
		assert_non_null(e->arg);
		assert_ptr_equal(job_param_find(e->name), e);
		if (e->type == JOB_PARAM_UINT) {
			assert_true(e->size == 4 || e->size == 8);
			assert_true(e->umin <= e->umax);
			assert_true(e->size == 8 || e->umax <= UINT32_MAX);
		}
		if (e->type == JOB_PARAM_NUM) {
			assert_int_equal(e->size, sizeof(double));
			assert_true(e->min <= e->max);
		}
		/* Names, options and keys are each unique. */
		for (j = 0; j < i; j++) {
			const struct job_param *f = &job_param_table[j];

			assert_string_not_equal(e->name, f->name);
			if (e->opt != NULL && f->opt != NULL)
				assert_string_not_equal(e->opt, f->opt);
			if (e->key != NULL && f->key != NULL)
				assert_string_not_equal(e->key, f->key);
		}
	}
	assert_null(job_param_find("nope"));
}

/* JSON -> struct -> JSON gives back what went in, at both ends of every
 * range, and a second trip changes nothing. */
static void
test_round_trip(void **state)
{
	struct job_params p;
	char err[256];
	int hi;

	(void)state;
	for (hi = 0; hi < 2; hi++) {
		json_t *in = all_params(hi), *out, *again;

		if (job_params_from_json(&p, in, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		out = job_params_to_json(&p, 0);
		job_params_free(&p);
		assert_json_equal(out, in);
		assert_int_equal(job_params_from_json(&p, out, err,
						      sizeof(err)), 0);
		again = job_params_to_json(&p, 0);
		job_params_free(&p);
		assert_json_equal(again, in);
		json_decref(in);
		json_decref(out);
		json_decref(again);
	}
}

/* Each parameter alone: it comes back as given, and the defaults of the
 * others are echoed (those that have one) or left out. */
static void
test_each_alone(void **state)
{
	struct job_params p;
	char err[256];
	size_t i, j;

	(void)state;
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];
		json_t *in, *out, *v;

		if (e->type == JOB_PARAM_MIX)
			continue;	/* test_mix */
		in = json_object();
		v = sample(e, 1);
		json_object_set(in, e->name, v);
		if (e->type != JOB_PARAM_URL && e->type != JOB_PARAM_URLS)
			json_object_set_new(in, "url", json_string(URL));
		/* requests alone would be filled in from connections */
		if (job_params_from_json(&p, in, err, sizeof(err)) != 0)
			fail_msg("%s: %s", e->name, err);
		out = job_params_to_json(&p, 0);
		if (e->type == JOB_PARAM_URL) {
			json_t *one = json_pack("[s]", URL);

			assert_json_equal(json_object_get(out, "urls"), one);
			json_decref(one);
		} else {
			assert_json_equal(json_object_get(out, e->name), v);
		}
		for (j = 0; j < job_param_count; j++) {
			const struct job_param *f = &job_param_table[j];
			json_t *d = json_object_get(out, f->name);

			if (f == e || (f->type != JOB_PARAM_UINT &&
				       f->type != JOB_PARAM_NUM))
				continue;
			if (strcmp(f->name, "requests") == 0)
				continue;
			if (!job_param_has_default(f)) {
				assert_null(d);
				continue;
			}
			assert_non_null(d);
			assert_true(json_number_value(d) == f->def);
		}
		job_params_free(&p);
		json_decref(v);
		json_decref(in);
		json_decref(out);
	}
}

/* Refused with "NAME: V is outside LO..HI", as fetch.start always said. */
static void
expect_outside(const struct job_param *e, json_t *v, const char *want)
{
	struct job_params p;
	json_t *in = json_pack("{s:s}", "url", URL);
	char err[256];

	json_object_set_new(in, e->name, v);
	if (job_params_from_json(&p, in, err, sizeof(err)) == 0)
		fail_msg("%s: %s accepted", e->name, want);
	assert_string_equal(err, want);
	job_params_free(&p);
	json_decref(in);
}

static void
test_ranges(void **state)
{
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->type == JOB_PARAM_UINT) {
			if (e->umin > 0) {
				snprintf(want, sizeof(want),
					 "%s: %llu is outside %llu..%llu",
					 e->name,
					 (unsigned long long)e->umin - 1,
					 (unsigned long long)e->umin,
					 (unsigned long long)e->umax);
				expect_outside(e, json_integer(
					(json_int_t)e->umin - 1), want);
			}
			if (e->umax < INT64_MAX) {
				snprintf(want, sizeof(want),
					 "%s: %llu is outside %llu..%llu",
					 e->name,
					 (unsigned long long)e->umax + 1,
					 (unsigned long long)e->umin,
					 (unsigned long long)e->umax);
				expect_outside(e, json_integer(
					(json_int_t)e->umax + 1), want);
			}
			snprintf(want, sizeof(want),
				 "%s: -1 is outside %llu..%llu", e->name,
				 (unsigned long long)e->umin,
				 (unsigned long long)e->umax);
			expect_outside(e, json_integer(-1), want);
			snprintf(want, sizeof(want), "%s: expected an integer",
				 e->name);
			expect_outside(e, json_real(1.5), want);
		}
		if (e->type == JOB_PARAM_NUM) {
			double lo = e->min - (e->min > 0 ? e->min / 2 : 1);
			double hi = e->max * 2;

			snprintf(want, sizeof(want), "%s: %g is outside %g..%g",
				 e->name, lo, e->min, e->max);
			expect_outside(e, json_real(lo), want);
			snprintf(want, sizeof(want), "%s: %g is outside %g..%g",
				 e->name, hi, e->min, e->max);
			expect_outside(e, json_real(hi), want);
			snprintf(want, sizeof(want), "%s: expected a number",
				 e->name);
			expect_outside(e, json_string("1"), want);
		}
	}
	/* The exact texts users (and the integration tests) see. */
	expect_outside(job_param_find("duration_s"), json_integer(0),
		       "duration_s: 0 is outside 0.001..3.1536e+07");
	expect_outside(job_param_find("connections"), json_integer(0),
		       "connections: 0 is outside 1..16777216");
	expect_outside(job_param_find("pipeline"), json_integer(100),
		       "pipeline: 100 is outside 1..64");
}

static void
test_other_errors(void **state)
{
	static const struct {
		const char *json;
		const char *err;
	} cases[] = {
		{ "{}", "url or urls is required" },
		{ "[]", "params: expected an object" },
		{ "{\"url\": \"" URL "\", \"nope\": 1}",
		  "unknown parameter 'nope'" },
		{ "{\"url\": \"" URL "\", \"urls\": [\"" URL "\"]}",
		  "give url or urls, not both" },
		{ "{\"urls\": []}",
		  "urls: expected a non-empty array of strings" },
		{ "{\"url\": \"http://example.com/\"}",
		  "url: 'example.com' is a name; dpfetch has no DNS" },
		{ "{\"url\": \"" URL "\", \"method\": \"G T\"}",
		  "method: 'G T' is not a valid method name" },
		{ "{\"url\": \"" URL "\", \"headers\": {\"A\": \"b\\r\\n\"}}",
		  "headers.A: CR or LF in the value" },
		{ "{\"url\": \"" URL "\", \"src_ips\": \"198.18.0.0/8\"}",
		  "src_ips: expected" },
		{ "{\"url\": \"" URL "\", \"src_ips\": \"198.18.0.0-198.19.0.0\"}",
		  "src_ips: more than 65536 addresses" },
		{ "{\"url\": \"" URL "\", \"src_ips\": \"2001:2::1/100\"}",
		  "src_ips: expected \"A\", \"A-B\"" },
		{ "{\"url\": \"" URL "\", \"src_ips\": \"2001:2::1-2001:3::1\"}",
		  "src_ips: expected \"A\", \"A-B\"" },
		{ "{\"url\": \"" URL "\", \"src_ips\": \"2001:2::-2001:2::1:0\"}",
		  "src_ips: expected \"A\", \"A-B\"" },
		{ "{\"url\": \"" URL "\", \"src_ips\": \"2001:2::9-2001:2::1\"}",
		  "src_ips: expected \"A\", \"A-B\"" },
		{ "{\"url\": \"" URL "\", \"src_ips\": \"2001:2::zz\"}",
		  "src_ips: expected \"A\", \"A-B\"" },
		{ "{\"url\": \"http://[2001:2::1\"}",
		  "url: missing ']'" },
		{ "{\"urls\": [\"" URL "\", \"http://[fe80::1%25x]/\"]}",
		  "urls[1]: IPv6 zone identifiers" },
		{ "{\"url\": \"" URL "\", \"lcores\": [256]}",
		  "lcores[0]: 256 is not an lcore id" },
		{ "{\"url\": \"" URL "\", \"steps\": [{\"at_s\": 1}]}",
		  "steps[0]: expected at_s and rate_rps, churn_cps or both" },
		{ "{\"url\": \"" URL "\", \"steps\": [{\"at_s\": 1, "
		  "\"churn_cps\": 1, \"x\": 2}]}",
		  "steps[0]: expected at_s and rate_rps, churn_cps or both" },
		{ "{\"url\": \"" URL "\", \"steps\": [{\"at_s\": 1, "
		  "\"churn_cps\": \"5\"}]}",
		  "steps[0]: at_s above 0, rate_rps 0..1e10, churn_cps 0..1e9" },
		{ "{\"url\": \"" URL "\", \"steps\": [{\"at_s\": 1, "
		  "\"churn_cps\": 2e9}]}",
		  "steps[0]: at_s above 0, rate_rps 0..1e10, churn_cps 0..1e9" },
	};
	struct job_params p;
	char err[512];
	size_t i;

	(void)state;
	assert_int_equal(job_params_from_json(&p, NULL, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "url or urls is required");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *in = json_loads(cases[i].json, 0, NULL);

		assert_non_null(in);
		if (job_params_from_json(&p, in, err, sizeof(err)) == 0)
			fail_msg("%s accepted", cases[i].json);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("%s: \"%s\", wanted \"%s\"", cases[i].json,
				 err, cases[i].err);
		job_params_free(&p);
		json_decref(in);
	}
}

/* IPv6: [v6] URLs beside IPv4 ones, and IPv6 src_ips ranges (one, a
 * range in the low bits, a /N), echoed back as a range. */
static void
test_ipv6(void **state)
{
	static const struct {
		const char *ips, *echo;
		uint32_t n;
	} ok[] = {
		{ "2001:2::10", "2001:2::10", 1 },
		{ "2001:2::10-2001:2::1:f", "2001:2::10-2001:2::1:f", 65536 },
		{ "2001:2::1:2:3/112", "2001:2::1:2:0-2001:2::1:2:ffff", 65536 },
		{ "2001:2::7/128", "2001:2::7", 1 },
	};
	struct job_params p;
	char err[512], text[256];
	json_t *in, *back;
	size_t i;

	(void)state;
	in = json_loads("{\"urls\": [\"http://198.18.0.1/a\", "
			"\"http://[2001:2::1]:8080/b\"]}", 0, NULL);
	assert_non_null(in);
	if (job_params_from_json(&p, in, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(p.n_urls, 2);
	assert_false(p.urls[0].is_ipv6);
	assert_true(p.urls[1].is_ipv6);
	assert_string_equal(p.urls[1].host, "[2001:2::1]");
	assert_int_equal(p.urls[1].port, 8080);
	assert_int_equal(p.src6_n, 0);
	job_params_free(&p);
	json_decref(in);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"url\": \"http://[2001:2::1]/\", \"src_ips\": \"%s\"}",
			 ok[i].ips);
		in = json_loads(text, 0, NULL);
		assert_non_null(in);
		if (job_params_from_json(&p, in, err, sizeof(err)) != 0)
			fail_msg("%s: %s", ok[i].ips, err);
		assert_int_equal(p.src6_n, ok[i].n);
		assert_int_equal(p.src_lo, 0);
		back = job_params_to_json(&p, 0);
		assert_non_null(back);
		assert_string_equal(json_string_value(json_object_get(back,
				    "src_ips")), ok[i].echo);
		json_decref(back);
		job_params_free(&p);
		json_decref(in);
	}
}

/* Defaults, and what a body or its absence does to the method and the
 * request count; the status echo leaves the body out. */
static void
test_defaults(void **state)
{
	json_t *in = json_pack("{s:s, s:s}", "url", URL, "body", "x");
	struct job_params p;
	char err[256];
	json_t *out;

	(void)state;
	assert_int_equal(job_params_from_json(&p, in, err, sizeof(err)), 0);
	assert_string_equal(p.method, "POST");
	assert_int_equal(p.connections, 1);
	assert_int_equal(p.requests, 1);
	assert_int_equal(p.pipeline, 1);
	assert_int_equal(p.connect_timeout_ms, 5000);
	assert_int_equal(p.response_timeout_ms, 10000);
	out = job_params_to_json(&p, 1);
	assert_null(json_object_get(out, "body"));
	assert_string_equal(json_string_value(json_object_get(out, "method")),
			    "POST");
	json_decref(out);
	out = job_params_to_json(&p, 0);
	assert_string_equal(json_string_value(json_object_get(out, "body")),
			    "x");
	json_decref(out);
	job_params_free(&p);
	json_decref(in);
}

/* churn_cps and churn_requests; steps carry churn_cps or leave it (NAN:
 * that dial stays as it was); AT:RPS:CPS on the command line. */
static void
test_churn(void **state)
{
	json_t *in = json_loads("{\"url\": \"" URL "\", \"connections\": 5, "
		"\"churn_cps\": 200, \"churn_requests\": 3, \"steps\": "
		"[{\"at_s\": 1, \"rate_rps\": 10}, {\"at_s\": 2, "
		"\"churn_cps\": 400}]}", 0, NULL), *steps;
	struct job_params p;
	char err[256];

	(void)state;
	assert_non_null(in);
	if (job_params_from_json(&p, in, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(p.churn_cps == 200);
	assert_int_equal(p.churn_requests, 3);
	assert_int_equal(p.n_steps, 2);
	assert_true(p.steps[0].rate_rps == 10 && isnan(p.steps[0].churn_cps));
	assert_true(isnan(p.steps[1].rate_rps) && p.steps[1].churn_cps == 400);
	job_params_free(&p);
	json_decref(in);
	/* The default: one request each. */
	in = json_pack("{s:s}", "url", URL);
	assert_int_equal(job_params_from_json(&p, in, err, sizeof(err)), 0);
	assert_int_equal(p.churn_requests, 1);
	assert_true(p.churn_cps == 0);
	job_params_free(&p);
	json_decref(in);
	steps = job_steps_from_text("1:100,2.5:0:30,4:5");
	assert_non_null(steps);
	in = json_loads("[{\"at_s\": 1.0, \"rate_rps\": 100.0}, "
			"{\"at_s\": 2.5, \"rate_rps\": 0.0, "
			"\"churn_cps\": 30.0}, {\"at_s\": 4.0, "
			"\"rate_rps\": 5.0}]", 0, NULL);
	assert_json_equal(steps, in);
	json_decref(in);
	json_decref(steps);
	assert_null(job_steps_from_text("1:100:"));
	assert_null(job_steps_from_text("1:100:5:6"));
	assert_null(job_steps_from_text("1"));
}

#define MIX_FILE	"/tmp/dpf-test-job-params-mix.json"

/* dpfetchctl's fetch takes every entry's key (and a number's JSON name)
 * and what it builds is a valid fetch.start. */
static void
test_ctl_keys(void **state)
{
	struct ctl_request req;
	struct job_params p;
	char err[512], arg[256], buf[64];
	size_t i;
	int alias;

	(void)state;
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->key == NULL)
			continue;
		for (alias = 0; alias < 2; alias++) {
			const char *key = alias ? e->name : e->key;
			char *argv[] = { "fetch", "url=" URL, arg, NULL };
			int argc = 3;

			if (alias && (strcmp(e->key, e->name) == 0 ||
				      (e->type != JOB_PARAM_UINT &&
				       e->type != JOB_PARAM_NUM)))
				continue;
			snprintf(arg, sizeof(arg), "%s=%s", key,
				 sample_text(e, buf, sizeof(buf)));
			if (e->type == JOB_PARAM_URL)
				argc = 2;
			if (e->type == JOB_PARAM_MIX) {
				/* A file dpfetchctl reads, instead of url. */
				FILE *f = fopen(MIX_FILE, "w");

				assert_non_null(f);
				fputs("[{\"url\": \"" URL "\"}]", f);
				fclose(f);
				snprintf(arg, sizeof(arg), "%s=%s", key,
					 MIX_FILE);
				argv[1] = arg;
				argc = 2;
			}
			if (ctl_cmd_build(argc, argv, &req, err,
					  sizeof(err)) != 0)
				fail_msg("%s: %s", arg, err);
			assert_string_equal(req.method, "fetch.start");
			assert_non_null(json_object_get(req.params, e->name));
			if (job_params_from_json(&p, req.params, err,
						 sizeof(err)) != 0)
				fail_msg("%s: %s", arg, err);
			job_params_free(&p);
			ctl_request_clear(&req);
		}
	}
	unlink(MIX_FILE);
}

/* dpfetchctl help fetch names every key, with its range and default. */
static void
test_ctl_help(void **state)
{
	char *text = NULL, want[256];
	size_t len = 0, i;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(ctl_cmd_help(f, "fetch"), 0);
	assert_int_equal(ctl_cmd_help(f, "no-such-command"), -1);
	fclose(f);
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->key == NULL)
			continue;
		const char *line;

		snprintf(want, sizeof(want), "\n  %s=%s", e->key, e->arg);
		line = strstr(text, want);
		if (line == NULL)
			fail_msg("help fetch lacks \"%s\":\n%s", want + 1, text);
		/* the default in the key's own lines, before the next key */
		if (job_param_has_default(e)) {
			const char *next = strstr(line + 1, "\n  ");

			snprintf(want, sizeof(want), "(default %g)", e->def);
			while (next != NULL && next[3] == ' ')
				next = strstr(next + 1, "\n  ");
			assert_true(strstr(line, want) != NULL &&
				    (next == NULL || strstr(line, want) < next));
		}
	}
	free(text);
	/* and the usage line of every command lists them too */
	f = open_memstream(&text, &len);
	ctl_cmd_usage(f);
	fclose(f);
	for (i = 0; i < job_param_count; i++) {
		if (job_param_table[i].key == NULL)
			continue;
		snprintf(want, sizeof(want), "%s=", job_param_table[i].key);
		assert_non_null(strstr(text, want));
	}
	free(text);
}

/* Issue 16: one parameter checked alone names the option typed; the
 * control channel's messages keep the member's name. */
static void
test_param_check_labels(void **state)
{
	char err[256];
	json_t *v;

	(void)state;
	v = json_real(0);
	assert_int_equal(job_param_check(job_param_find("duration_s"), v,
					 "--duration", err, sizeof(err)), -1);
	assert_string_equal(err, "--duration: 0 is outside 0.001..3.1536e+07");
	assert_int_equal(job_param_check(job_param_find("duration_s"), v,
					 NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "duration_s: 0 is outside 0.001..3.1536e+07");
	json_decref(v);
	v = json_integer(4);
	assert_int_equal(job_param_check(job_param_find("connections"), v,
					 "\"connections\"", err, sizeof(err)), 0);
	json_decref(v);
	v = json_pack("[f, f]", 50.0, 0.0);
	assert_int_equal(job_param_check(job_param_find("percentiles"), v,
					 "--percentiles", err, sizeof(err)), -1);
	assert_true(strncmp(err, "--percentiles[1]: ", 18) == 0);
	json_decref(v);
	v = json_string("http://example.com/");
	assert_int_equal(job_param_check(job_param_find("url"), v, "--fetch",
					 err, sizeof(err)), -1);
	assert_true(strncmp(err, "--fetch: 'example.com' is a name", 32) == 0);
	json_decref(v);

	snprintf(err, sizeof(err), "src_ips: outside the --ip prefix /24");
	job_params_err_to_opt(err, sizeof(err));
	assert_string_equal(err, "--src-ips: outside the --ip prefix /24");
	snprintf(err, sizeof(err), "lcores: 7 is not one of dpfetch's lcores");
	job_params_err_to_opt(err, sizeof(err));
	assert_string_equal(err, "--lcores: 7 is not one of dpfetch's lcores");
	snprintf(err, sizeof(err), "out of memory");
	job_params_err_to_opt(err, sizeof(err));
	assert_string_equal(err, "out of memory");
}

/* A request mix: entries parsed with their defaults, echoed back, and
 * bad ones refused naming the entry and the field. */
static void
test_mix(void **state)
{
	static const struct {
		const char *json;
		const char *err;
	} bad[] = {
		{ "{\"mix\": []}", "mix: expected an array of 1 to 64" },
		{ "{\"mix\": {}}", "mix: expected an array" },
		{ "{\"mix\": [1]}", "mix[0]: expected an object" },
		{ "{\"mix\": [{}]}", "mix[0].url: required" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\"}, {\"url\": \"http://198.18.0.1/\", \"weight\": 0}]}",
		  "mix[1].weight: expected an integer 1..1000000" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\", \"weight\": \"2\"}]}",
		  "mix[0].weight: expected an integer" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\", \"wieght\": 2}]}",
		  "mix[0]: unknown field 'wieght'" },
		{ "{\"mix\": [{\"url\": \"http://example.com/\"}]}",
		  "mix[0].url: 'example.com' is a name" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/${nope}\"}]}",
		  "mix[0].url: unknown variable ${nope}" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\", \"headers\": {\"X\": \"${rand:5-1}\"}}]}",
		  "mix[0].headers.X: ${rand:5-1}: expected ${rand:LO-HI}" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\", \"headers\": {\"X\": \"a\\nb\"}}]}",
		  "mix[0].headers.X: CR or LF" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\", \"body\": \"${counter\"}]}",
		  "mix[0].body: '${' at byte 0 without '}'" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\", \"method\": \"G T\"}]}",
		  "mix[0].method: 'G T' is not a valid method name" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\", \"name\": \"\"}]}",
		  "mix[0].name: expected a string" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\"}], \"url\": \"http://198.18.0.1/\"}",
		  "mix: give url in the mix's entries" },
		{ "{\"mix\": [{\"url\": \"http://198.18.0.1/\"}], \"body\": \"x\"}",
		  "mix: give body in the mix's entries" },
	};
	struct job_params p, q;
	json_t *in, *out, *a;
	json_error_t jerr;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = json_loads(bad[i].json, 0, &jerr);
		assert_non_null(in);
		assert_int_equal(job_params_from_json(&p, in, err,
						      sizeof(err)), -1);
		if (strstr(err, bad[i].err) == NULL)
			fail_msg("%s: got '%s', want '%s'", bad[i].json, err,
				 bad[i].err);
		job_params_free(&p);
		json_decref(in);
	}
	/* 65 entries */
	a = json_array();
	for (i = 0; i < 65; i++)
		json_array_append_new(a, json_pack("{s:s}", "url",
						   "http://198.18.0.1/"));
	in = json_pack("{s:o}", "mix", a);
	assert_int_equal(job_params_from_json(&p, in, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 to 64"));
	job_params_free(&p);
	json_decref(in);

	in = json_loads("{\"mix\": ["
		"{\"url\": \"http://198.18.0.1/a/${counter}\", \"weight\": 3},"
		"{\"name\": \"post\", \"url\": \"http://198.18.0.2:8080/b\","
		" \"body\": \"id=${rand:1-9}\", \"headers\": {\"X-K\": \"${choice:a|b}\"}},"
		"{\"url\": \"http://198.18.0.1/c\", \"method\": \"HEAD\","
		" \"headers\": {\"Host\": \"example.com\"}}],"
		" \"connections\": 4}", 0, &jerr);
	assert_non_null(in);
	if (job_params_from_json(&p, in, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(p.n_mix, 3);
	assert_int_equal(p.n_urls, 3);
	assert_string_equal(p.urls[1].path, "/b");
	assert_int_equal(p.urls[1].port, 8080);
	assert_string_equal(p.mix[0].name, "http://198.18.0.1/a/${counter}");
	assert_string_equal(p.mix[0].method, "GET");
	assert_int_equal(p.mix[0].weight, 3);
	assert_string_equal(p.mix[1].name, "post");
	assert_string_equal(p.mix[1].method, "POST");
	assert_int_equal(p.mix[1].weight, 1);
	assert_int_equal(p.mix[1].body_len, 14);
	assert_string_equal(p.mix[1].headers[0], "X-K: ${choice:a|b}");
	assert_string_equal(p.mix[2].method, "HEAD");
	/* echo, copy, echo again: the same */
	out = job_params_to_json(&p, 0);
	assert_null(json_object_get(out, "urls"));
	assert_null(json_object_get(out, "method"));
	assert_int_equal(json_array_size(json_object_get(out, "mix")), 3);
	assert_int_equal(job_params_copy(&q, &p), 0);
	job_params_free(&p);
	assert_int_equal(job_params_from_json(&p, out, err, sizeof(err)), 0);
	{
		json_t *o2 = job_params_to_json(&p, 0);
		json_t *o3 = job_params_to_json(&q, 0);

		assert_json_equal(o2, out);
		assert_json_equal(o3, out);
		json_decref(o2);
		json_decref(o3);
	}
	job_params_free(&p);
	job_params_free(&q);
	json_decref(out);
	json_decref(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_each_alone),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_other_errors),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ctl_keys),
		cmocka_unit_test(test_ctl_help),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_param_check_labels),
		cmocka_unit_test(test_mix),
		cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
