/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threshold expressions: what parses into what, what is refused with
 * which words, and the comparisons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "threshold.h"

static struct threshold
parse_ok(const char *s)
{
	struct threshold t;
	char err[256];

	if (threshold_parse(s, &t, err, sizeof(err)) != 0)
		fail_msg("'%s': %s", s, err);
	assert_string_equal(t.expr, s);
	return t;
}

static void
test_latencies(void **state)
{
	static const struct {
		const char *expr;
		const char *name;
		enum threshold_stat stat;
		double pct;
		enum threshold_op op;
		double limit;
	} cases[] = {
		{ "total.p99<5ms", "total", THRESHOLD_PCT, 99,
		  THRESHOLD_LT, 5000 },
		{ "ttfb.p90<1ms", "ttfb", THRESHOLD_PCT, 90, THRESHOLD_LT,
		  1000 },
		{ " total.p99.9 <= 2.5 s ", "total", THRESHOLD_PCT, 99.9,
		  THRESHOLD_LE, 2.5e6 },
		{ "total.p999<300", "total", THRESHOLD_PCT, 99.9,
		  THRESHOLD_LT, 300 },
		{ "connect.p9999<1s", "connect", THRESHOLD_PCT, 99.99,
		  THRESHOLD_LT, 1e6 },
		{ "service.p100<=20us", "service", THRESHOLD_PCT, 100,
		  THRESHOLD_LE, 20 },
		{ "service_ttfb.max!=0", "service_ttfb", THRESHOLD_MAX, 0,
		  THRESHOLD_NE, 0 },
		{ "total.mean>=1.5ms", "total", THRESHOLD_MEAN, 0,
		  THRESHOLD_GE, 1500 },
		{ "total.min>0", "total", THRESHOLD_MIN, 0, THRESHOLD_GT, 0 },
		{ "total.count>=1k", "total", THRESHOLD_COUNT, 0,
		  THRESHOLD_GE, 1000 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct threshold t = parse_ok(cases[i].expr);

		assert_true(t.latency);
		assert_string_equal(t.name, cases[i].name);
		assert_int_equal(t.stat, cases[i].stat);
		if (t.stat == THRESHOLD_PCT)
			assert_true(t.pct > cases[i].pct - 1e-9 &&
				    t.pct < cases[i].pct + 1e-9);
		assert_int_equal(t.op, cases[i].op);
		assert_true(t.limit == cases[i].limit);
	}
}

static void
test_counters(void **state)
{
	struct threshold t;

	(void)state;
	t = parse_ok("errors==0");
	assert_false(t.latency);
	assert_string_equal(t.name, "errors");
	assert_string_equal(t.kind, "");
	assert_int_equal(t.op, THRESHOLD_EQ);
	assert_true(t.limit == 0);
	t = parse_ok("errors.connect_timeout<10");
	assert_string_equal(t.kind, "connect_timeout");
	t = parse_ok("rps>=20000");
	assert_int_equal(t.op, THRESHOLD_GE);
	assert_true(t.limit == 20000);
	t = parse_ok("cps > 1.5M");
	assert_true(t.limit == 1.5e6);
	t = parse_ok("gbps>=9.5");
	assert_true(t.limit == 9.5);
	t = parse_ok("5xx==0");
	assert_string_equal(t.name, "5xx");
	t = parse_ok("requests>=2G");
	assert_true(t.limit == 2e9);
	parse_ok("requests_failed<=3");
	parse_ok("responses>0");
	parse_ok("connections>=100");
}

static void
expect_error(const char *s, const char *want)
{
	struct threshold t;
	char err[512];

	if (threshold_parse(s, &t, err, sizeof(err)) == 0)
		fail_msg("'%s' accepted", s);
	if (strstr(err, want) == NULL)
		fail_msg("'%s': error '%s' lacks '%s'", s, err, want);
}

static void
test_errors(void **state)
{
	char longer[200];

	(void)state;
	expect_error("total.p99", "expected a comparison");
	expect_error("<5ms", "no metric");
	expect_error("latency.p99<5ms", "unknown metric 'latency'");
	expect_error("total<5ms", "total needs .pN");
	expect_error("total.p0<5ms", "total needs .pN");
	expect_error("total.p101.5<5ms", "total needs .pN");
	expect_error("total.median<5ms", "total needs .pN");
	expect_error("total.p99=<5ms", "expected <, <=");
	expect_error("total.p99<", "expected a number");
	expect_error("total.p99<fast", "expected a number");
	expect_error("total.p99<5 parsecs", "unit 'parsecs' does not fit");
	expect_error("total.p99<5k", "unit 'k' does not fit total");
	expect_error("rps>5ms", "unit 'ms' does not fit rps");
	expect_error("total.count>5ms", "unit 'ms' does not fit");
	expect_error("rps.p99<5", "only errors takes a .KIND");
	expect_error("errors.<5", "only errors takes a .KIND");
	expect_error("errors.Reset<5", "bad error kind");
	expect_error("rps>=1e999", "expected a number");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	expect_error(longer, "at most 95 characters");
	expect_error(NULL, "expected an expression");
}

static void
test_holds(void **state)
{
	static const struct {
		const char *expr;
		double value;
		int holds;
	} cases[] = {
		{ "total.p99<5ms", 4999, 1 },
		{ "total.p99<5ms", 5000, 0 },
		{ "total.p99<=5ms", 5000, 1 },
		{ "total.p99<=5ms", 5001, 0 },
		{ "rps>20000", 20000, 0 },
		{ "rps>=20000", 20000, 1 },
		{ "rps>=20000", 19999.9, 0 },
		{ "errors==0", 0, 1 },
		{ "errors==0", 1, 0 },
		{ "errors!=0", 1, 1 },
		{ "errors!=0", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct threshold t = parse_ok(cases[i].expr);

		if (threshold_holds(&t, cases[i].value) != cases[i].holds)
			fail_msg("%s with %g: want %d", cases[i].expr,
				 cases[i].value, cases[i].holds);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latencies),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
