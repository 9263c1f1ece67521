/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The open-loop schedule: uniform spacing, a backlog that keeps every
 * intended time when nothing is taken (the coordinated-omission case),
 * the ramp's quadratic start, staircase steps with a pause, and Poisson
 * arrivals whose count and spacing behave like a Poisson process and
 * whose send cursor replays the due cursor exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "job_sched.h"

#define T0	UINT64_C(5000000)	/* any start */

static void
test_uniform(void **state)
{
	struct sched s;
	uint64_t i;

	(void)state;
	sched_init(&s, T0, 1000, 0, 0, NULL, 0, 0);
	assert_int_equal(sched_backlog(&s, T0 - 10), 0);
	assert_int_equal(sched_backlog(&s, T0), 0);
	assert_int_equal(sched_backlog(&s, T0 + 999), 0);
	assert_int_equal(sched_next_due(&s), T0 + 1000);
	assert_int_equal(sched_backlog(&s, T0 + 1000), 1);
	assert_int_equal(sched_take(&s), T0 + 1000);
	assert_int_equal(sched_backlog(&s, T0 + 1000), 0);
	/* Taken on time, one by one, for a second. */
	for (i = 2; i <= 1000; i++) {
		assert_int_equal(sched_backlog(&s, T0 + i * 1000), 1);
		assert_int_equal(sched_take(&s), T0 + i * 1000);
	}
	assert_true(fabs(sched_rate_at(&s, T0 + 5000) - 1000) < 1e-9);
}

/* Nothing taken for a second (the server stalled every connection):
 * the backlog holds the second's requests, each with its own time. */
static void
test_backlog_keeps_intended_times(void **state)
{
	struct sched s;
	uint64_t i;

	(void)state;
	sched_init(&s, T0, 400, 0, 0, NULL, 0, 0);
	assert_int_equal(sched_backlog(&s, T0 + 1000000), 400);
	for (i = 1; i <= 400; i++)
		assert_int_equal(sched_take(&s), T0 + i * 2500);
	assert_int_equal(sched_backlog(&s, T0 + 1000000), 0);
	assert_int_equal(sched_backlog(&s, T0 + 1002500), 1);
}

static uint64_t
due_by(struct sched *s, uint64_t t_us)
{
	uint64_t n = sched_backlog(s, T0 + t_us);

	while (sched_backlog(s, T0 + t_us) > 0)
		sched_take(s);
	return n;
}

/* ramp_s 2 at 1000/s: L(t) = 1000 t^2 / 4 up to 2 s, then 1000 t - 1000. */
static void
test_ramp(void **state)
{
	struct sched s;
	uint64_t a, b, c;

	(void)state;
	sched_init(&s, T0, 1000, 2, 0, NULL, 0, 0);
	a = due_by(&s, 1000000);
	b = due_by(&s, 2000000);
	c = due_by(&s, 3000000);
	assert_int_equal(a, 250);
	assert_int_equal(b, 750);
	assert_int_equal(c, 1000);
	assert_true(fabs(sched_rate_at(&s, T0 + 500000) - 250) < 1e-6);
	assert_true(fabs(sched_rate_at(&s, T0 + 2500000) - 1000) < 1e-6);
	/* The first request at sqrt(2 * ramp / rate) = sqrt(4 ms^2). */
	sched_init(&s, T0, 1000, 2, 0, NULL, 0, 0);
	assert_int_equal(sched_next_due(&s), T0 + 63246);
}

/* 100/s, then 300/s from 1 s, a pause from 2 s, 100/s again from 3 s. */
static void
test_steps(void **state)
{
	static const struct sched_step steps[] = {
		{ 1, 300 }, { 2, 0 }, { 3, 100 },
	};
	struct sched s;
	uint64_t t;

	(void)state;
	sched_init(&s, T0, 100, 0, 0, steps, 3, 0);
	assert_int_equal(due_by(&s, 1000000), 100);
	assert_int_equal(due_by(&s, 2000000), 300);
	assert_int_equal(due_by(&s, 3000000), 0);
	/* Paused: the next one is due a tenth of a second past 3 s...
	 * the schedule resumes where L left off. */
	t = sched_next_due(&s);
	assert_true(t > T0 + 3000000 && t <= T0 + 3010000);
	assert_int_equal(due_by(&s, 4000000), 100);
	assert_true(fabs(sched_rate_at(&s, T0 + 2500000)) < 1e-9);
	assert_true(fabs(sched_rate_at(&s, T0 + 1500000) - 300) < 1e-9);
}

/* A rate that starts paused and a trailing pause: nothing is ever due
 * inside a pause. */
static void
test_pauses_at_the_ends(void **state)
{
	static const struct sched_step steps[] = {
		{ 0, 0 }, { 1, 1000 }, { 2, 0 },
	};
	struct sched s;

	(void)state;
	sched_init(&s, T0, 50, 0, 0, steps, 3, 0);
	assert_int_equal(due_by(&s, 999999), 0);
	assert_int_equal(sched_next_due(&s), T0 + 1001000);
	assert_int_equal(due_by(&s, 2000000), 1000);
	assert_int_equal(due_by(&s, 100000000), 0);
	assert_int_equal(sched_next_due(&s), UINT64_MAX);
}

static void
test_poisson(void **state)
{
	struct sched s, again;
	double sum = 0, sum2 = 0, mean, var;
	uint64_t n, i, prev = T0, t, u;

	(void)state;
	sched_init(&s, T0, 10000, 0, 1, NULL, 0, 42);
	sched_init(&again, T0, 10000, 0, 1, NULL, 0, 42);
	n = sched_backlog(&s, T0 + 10000000);
	/* 100,000 expected, sd 316: within 4 sd. */
	assert_true(n > 100000 - 1265 && n < 100000 + 1265);
	for (i = 0; i < n; i++) {
		t = sched_take(&s);
		assert_true(t >= prev && t <= T0 + 10000000);
		sum += (double)(t - prev);
		sum2 += (double)(t - prev) * (double)(t - prev);
		prev = t;
		/* The same seed, taken one at a time as they fall due
		 * (times are rounded down to the microsecond): the same
		 * times. */
		assert_true(sched_backlog(&again, t + 1) >= 1);
		u = sched_take(&again);
		assert_int_equal(u, t);
	}
	/* Exponential gaps: mean 100 us, sd about the mean. */
	mean = sum / (double)n;
	var = sum2 / (double)n - mean * mean;
	assert_true(mean > 97 && mean < 103);
	assert_true(sqrt(var) / mean > 0.95 && sqrt(var) / mean < 1.05);
	/* Another seed, other times. */
	sched_init(&again, T0, 10000, 0, 1, NULL, 0, 43);
	sched_init(&s, T0, 10000, 0, 1, NULL, 0, 42);
	sched_backlog(&s, T0 + 1000000);
	sched_backlog(&again, T0 + 1000000);
	assert_true(sched_take(&s) != sched_take(&again) ||
		    sched_take(&s) != sched_take(&again));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_backlog_keeps_intended_times),
		cmocka_unit_test(test_ramp),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_pauses_at_the_ends),
		cmocka_unit_test(test_poisson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
