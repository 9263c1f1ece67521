/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for a job share's pace (job_pace.h): unpaced is closed
 * loop; rate_rps and rate_cps follow the open-loop schedule; a stall
 * leaves a backlog that keeps its intended times; past max_backlog the
 * oldest are given up and counted; the ramp of the held connections;
 * the churn dial (short connections on top): its own rate, ramp, steps
 * and backlog, independent of the other two. */

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
		assert_int_equal(job_pace_conn_take(&p, 888), 888);
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
		n++;
		/* Each opening keeps the time it was meant for: 100 us
		 * apart, taken all at 10 ms. */
		assert_int_equal(job_pace_conn_take(&p, 10000), n * 100);
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

static void
churn_pace(struct job_pace *p, double rps, double churn, double ramp_s,
	   const struct sched_step *steps, unsigned int n_steps,
	   uint64_t max_backlog)
{
	struct job_pace_params pp = {
		.rps = rps, .churn_cps = churn, .ramp_s = ramp_s,
		.churn_steps = steps, .n_churn_steps = n_steps,
		.max_backlog = max_backlog,
	};

	job_pace_init(p, &pp);
	job_pace_start(p, 0);
}

/* Take every churn opening due; how many. */
static unsigned int
drain_churn(struct job_pace *p)
{
	unsigned int n = 0;

	while (job_pace_churn_due(p)) {
		job_pace_churn_take(p, UINT64_MAX);
		n++;
	}
	return n;
}

/* Poll from t0 (exclusive) to t1 every step_us: churn openings taken. */
static unsigned int
churn_over(struct job_pace *p, uint64_t t0, uint64_t t1, uint64_t step_us)
{
	unsigned int n = 0;
	uint64_t t;

	for (t = t0 + step_us; t <= t1; t += step_us) {
		job_pace_refill(p, t);
		n += drain_churn(p);
	}
	return n;
}

static void
test_churn_unpaced_opens_none(void **state)
{
	struct job_pace p;

	(void)state;
	churn_pace(&p, 0, 0, 0, NULL, 0, 0);
	job_pace_refill(&p, 5000000);
	/* Unlike the other dials, no rate means no churn at all. */
	assert_false(job_pace_churn_due(&p));
	assert_true(job_pace_conn_due(&p));
	assert_int_equal(job_pace_churn_overflow(&p), 0);
}

static void
test_churn_rate_independent(void **state)
{
	struct job_pace p;
	unsigned int churn = 0, sent = 0;
	uint64_t t;

	(void)state;
	churn_pace(&p, 5000, 300, 0, NULL, 0, 0);
	/* Two seconds: 600 churn openings, 10000 requests, each dial
	 * taken without touching the other. */
	for (t = 100; t <= 2000000; t += 100) {
		job_pace_refill(&p, t);
		churn += drain_churn(&p);
		sent += drain_requests(&p, t);
	}
	assert_int_equal(churn, 600);
	assert_int_equal(sent, 10000);
	/* Held connections keep their own (unpaced) dial. */
	assert_true(job_pace_conn_due(&p));
	assert_int_equal(job_pace_overflow(&p), 0);
	assert_int_equal(job_pace_churn_overflow(&p), 0);
}

static void
test_churn_backlog_overflow(void **state)
{
	struct job_pace p;

	(void)state;
	/* 1000/s with max_backlog 1000 by default: 3 s without an opening
	 * leaves 1000 due and 2000 given up, counted apart from the
	 * requests' overflow. */
	churn_pace(&p, 0, 1000, 0, NULL, 0, 0);
	job_pace_refill(&p, 3000000);
	assert_int_equal(p.churn.ready, 1000);
	assert_int_equal(job_pace_churn_overflow(&p), 2000);
	assert_int_equal(job_pace_churn_overflow(&p), 0);
	assert_int_equal(job_pace_overflow(&p), 0);
	assert_int_equal(drain_churn(&p), 1000);
	/* An explicit max_backlog applies to churn too. */
	churn_pace(&p, 0, 1000, 0, NULL, 0, 10);
	job_pace_refill(&p, 1000000);
	assert_int_equal(p.churn.ready, 10);
	assert_int_equal(job_pace_churn_overflow(&p), 990);
}

static void
test_churn_ramp_and_steps(void **state)
{
	static const struct sched_step steps[] = {
		{ .at_s = 2, .rate = 0 }, { .at_s = 3, .rate = 500 },
	};
	struct job_pace p;
	unsigned int n;

	(void)state;
	/* Ramp 1 s to 1000/s: 500 in the first second, 1000 in the next;
	 * step at 2 s pauses, at 3 s 500/s. */
	churn_pace(&p, 0, 1000, 1, steps, 2, 0);
	n = churn_over(&p, 0, 1000000, 100);
	assert_in_range(n, 499, 501);
	n = churn_over(&p, 1000000, 2000000, 100);
	assert_in_range(n, 999, 1001);
	assert_int_equal(churn_over(&p, 2000000, 3000000, 100), 0);
	n = churn_over(&p, 3000000, 4000000, 100);
	assert_in_range(n, 499, 501);
	/* Steps alone pace churn, even from a first rate of 0. */
	churn_pace(&p, 0, 0, 0, steps + 1, 1, 0);
	assert_int_equal(churn_over(&p, 0, 3000000, 1000), 0);
	n = churn_over(&p, 3000000, 4000000, 1000);
	assert_in_range(n, 499, 501);
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
		cmocka_unit_test(test_churn_unpaced_opens_none),
		cmocka_unit_test(test_churn_rate_independent),
		cmocka_unit_test(test_churn_backlog_overflow),
		cmocka_unit_test(test_churn_ramp_and_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
