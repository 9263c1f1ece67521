/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for a job share's pace (job_pace.h): unpaced is closed
 * loop; rate_rps and rate_cps follow the open-loop schedule; a stall
 * leaves a backlog that keeps its intended times; past max_backlog the
 * oldest are given up and counted; the ramp of the held connections. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "job_pace.h"

static void
pace(struct job_pace *p, double cps, double rps, uint64_t max_backlog)
{
	struct job_pace_params pp = {
		.cps = cps, .rps = rps, .max_backlog = max_backlog,
	};

	job_pace_init(p, &pp);
	job_pace_start(p, 0);
}

/* Take every request due now; how many. */
static unsigned int
drain_requests(struct job_pace *p, uint64_t now)
{
	unsigned int n = 0;

	while (job_pace_request_due(p)) {
		assert_true(job_pace_request_intended(p, now) <= now);
		job_pace_request_take(p);
		n++;
	}
	return n;
}

static void
test_unpaced_is_closed_loop(void **state)
{
	struct job_pace p;
	int i;

	(void)state;
	pace(&p, 0, 0, 0);
	for (i = 0; i < 1000; i++) {
		assert_true(job_pace_request_due(&p));
		assert_int_equal(job_pace_request_intended(&p, 777), 777);
		job_pace_request_take(&p);
		assert_true(job_pace_conn_due(&p));
		job_pace_conn_take(&p);
	}
	job_pace_refill(&p, 5000);
	assert_true(job_pace_request_due(&p));
	assert_int_equal(job_pace_backlog(&p), 0);
	assert_int_equal(job_pace_overflow(&p), 0);
}

static void
test_rate_over_a_second(void **state)
{
	struct job_pace p;
	unsigned int sent = 0;
	uint64_t t;

	(void)state;
	pace(&p, 0, 1000, 0);
	assert_false(job_pace_request_due(&p));	/* nothing owed yet */
	/* Polled every 100 us for a second: 1000 requests, each taken at
	 * its time (intended = now, to the poll's 100 us). */
	for (t = 100; t <= 1000000; t += 100) {
		job_pace_refill(&p, t);
		if (job_pace_request_due(&p))
			assert_true(t - job_pace_request_intended(&p, t) < 100);
		sent += drain_requests(&p, t);
	}
	assert_int_equal(sent, 1000);
	/* Connections are not paced by rate_rps. */
	assert_true(job_pace_conn_due(&p));
}

/* Nothing could be sent for half a second (no connection free): the
 * 500 requests wait, and each keeps the time it was meant for. */
static void
test_stall_keeps_intended_times(void **state)
{
	struct job_pace p;
	uint64_t i;

	(void)state;
	pace(&p, 0, 1000, 0);
	job_pace_refill(&p, 500000);
	assert_int_equal(job_pace_backlog(&p), 500);
	for (i = 1; i <= 500; i++) {
		assert_true(job_pace_request_due(&p));
		assert_int_equal(job_pace_request_intended(&p, 500000),
				 i * 1000);
		job_pace_request_take(&p);
	}
	assert_false(job_pace_request_due(&p));
	assert_int_equal(job_pace_overflow(&p), 0);
}

/* A backlog past max_backlog: the oldest are given up, counted once. */
static void
test_backlog_overflow(void **state)
{
	struct job_pace p;

	(void)state;
	pace(&p, 0, 1000, 100);
	job_pace_refill(&p, 500000);
	assert_int_equal(job_pace_backlog(&p), 100);
	assert_int_equal(job_pace_overflow(&p), 400);
	assert_int_equal(job_pace_overflow(&p), 0);
	/* The ones kept are the newest: 401 .. 500 ms. */
	assert_int_equal(job_pace_request_intended(&p, 500000), 401000);
	/* Default: a second's worth. */
	pace(&p, 0, 1000, 0);
	job_pace_refill(&p, 3000000);
	assert_int_equal(job_pace_backlog(&p), 1000);
	assert_int_equal(job_pace_overflow(&p), 2000);
}

static void
test_connections_paced(void **state)
{
	struct job_pace p;
	unsigned int n = 0;

	(void)state;
	pace(&p, 10000, 0, 0);
	job_pace_refill(&p, 10000);
	while (job_pace_conn_due(&p)) {
		job_pace_conn_take(&p);
		n++;
	}
	assert_int_equal(n, 100);
	assert_true(job_pace_request_due(&p));	/* rps unpaced */
}

static void
test_ramp(void **state)
{
	(void)state;
	/* No ramp: all at once. */
	assert_int_equal(job_pace_conn_goal(100, 0, 0, 0), 100);
	/* A 2 s ramp from t = 1 s: one at the start, half at the middle,
	 * all at the end and after. */
	assert_int_equal(job_pace_conn_goal(100, 2, 1000000, 1000000), 1);
	assert_int_equal(job_pace_conn_goal(100, 2, 1000000, 2000000), 51);
	assert_int_equal(job_pace_conn_goal(100, 2, 1000000, 3000000), 100);
	assert_int_equal(job_pace_conn_goal(100, 2, 1000000, 9000000), 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unpaced_is_closed_loop),
		cmocka_unit_test(test_rate_over_a_second),
		cmocka_unit_test(test_stall_keeps_intended_times),
		cmocka_unit_test(test_backlog_overflow),
		cmocka_unit_test(test_connections_paced),
		cmocka_unit_test(test_ramp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
