/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for a job share's schedule (job_pace.h): the token buckets
 * of rate_cps and rate_rps, their cap, and the ramp. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "job_pace.h"

/* Take every request the bucket allows now; how many. */
static unsigned int
drain_requests(struct job_pace *p)
{
	unsigned int n = 0;

	while (job_pace_request_due(p)) {
		job_pace_request_sent(p);
		n++;
	}
	return n;
}

static void
test_unpaced_always_due(void **state)
{
	struct job_pace p;
	int i;

	(void)state;
	job_pace_init(&p, 0, 0);
	job_pace_start(&p, 1000);
	for (i = 0; i < 1000; i++) {
		assert_true(job_pace_request_due(&p));
		job_pace_request_sent(&p);
		assert_true(job_pace_conn_due(&p));
		job_pace_conn_opened(&p);
	}
	job_pace_refill(&p, 5000);
	assert_true(job_pace_request_due(&p));
}

static void
test_rate_over_a_second(void **state)
{
	struct job_pace p;
	unsigned int sent = 0;
	uint64_t t;

	(void)state;
	job_pace_init(&p, 0, 1000);
	job_pace_start(&p, 0);
	assert_false(job_pace_request_due(&p));	/* nothing owed yet */
	/* Polled every 100 us for a second: 1000 requests, not one more. */
	for (t = 100; t <= 1000000; t += 100) {
		job_pace_refill(&p, t);
		sent += drain_requests(&p);
	}
	assert_in_range(sent, 999, 1000);
	/* Connections are not paced by rate_rps. */
	assert_true(job_pace_conn_due(&p));
}

static void
test_bucket_caps_a_stall(void **state)
{
	struct job_pace p;

	(void)state;
	job_pace_init(&p, 10000, 0);
	job_pace_start(&p, 0);
	/* A 1 s stall buys at most 10 ms of tokens plus one: 101. */
	job_pace_refill(&p, 1000000);
	assert_int_equal((int)p.cps_tokens, 101);
	while (job_pace_conn_due(&p))
		job_pace_conn_opened(&p);
	assert_true(p.cps_tokens < 1);
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
		cmocka_unit_test(test_unpaced_always_due),
		cmocka_unit_test(test_rate_over_a_second),
		cmocka_unit_test(test_bucket_caps_a_stall),
		cmocka_unit_test(test_ramp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
