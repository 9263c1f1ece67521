/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the wrap-safe sequence number macros (tcp_seq.h). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "tcp_seq.h"

/* All four comparisons agree with "b is ahead of a by d" for d != 0. */
static void
check_order(uint32_t a, uint32_t b)
{
	/* a < b on the circle */
	if (!SEQ_LT(a, b) || !SEQ_LEQ(a, b) || SEQ_GT(a, b) || SEQ_GEQ(a, b))
		fail_msg("expected 0x%08x < 0x%08x", a, b);
	if (SEQ_LT(b, a) || SEQ_LEQ(b, a) || !SEQ_GT(b, a) || !SEQ_GEQ(b, a))
		fail_msg("expected 0x%08x > 0x%08x", b, a);
}

static void
test_equal(void **state)
{
	static const uint32_t v[] = {
		0, 1, 0x7ffffffe, 0x7fffffff, 0x80000000, 0x80000001,
		0xfffffffe, 0xffffffff,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_false(SEQ_LT(v[i], v[i]));
		assert_true(SEQ_LEQ(v[i], v[i]));
		assert_false(SEQ_GT(v[i], v[i]));
		assert_true(SEQ_GEQ(v[i], v[i]));
		assert_int_equal(SEQ_DIFF(v[i], v[i]), 0);
		assert_int_equal(SEQ_MIN(v[i], v[i]), v[i]);
		assert_int_equal(SEQ_MAX(v[i], v[i]), v[i]);
	}
}

static void
test_wrap(void **state)
{
	(void)state;
	/* Plain order far from the wrap. */
	check_order(1, 2);
	check_order(1000, 0x10000);
	/* Across the wrap: 0xffffffff comes just before 0. */
	check_order(0xffffffff, 0);
	check_order(0xffffffff, 1);
	check_order(0xfffffff0, 0x10);
	check_order(0x80000001, 0);	/* 0 is 2^31 - 1 ahead */
	/* Around 0x7fffffff / 0x80000000. */
	check_order(0x7fffffff, 0x80000000);
	check_order(0x7ffffff0, 0x80000010);
	check_order(0, 0x7fffffff);	/* the largest forward distance */
	check_order(1, 0x80000000);
	check_order(0x80000000, 0xffffffff);
	/* b more than 2^31 ahead of a reads as behind. */
	check_order(0x80000001, 0);
	check_order(0xffffffff, 0x7ffffffe);

	assert_int_equal(SEQ_MIN(0xffffffffu, 5u), 0xffffffffu);
	assert_int_equal(SEQ_MAX(0xffffffffu, 5u), 5);
	assert_int_equal(SEQ_MIN(0x7fffffffu, 0x80000000u), 0x7fffffff);
	assert_int_equal(SEQ_MAX(0x7fffffffu, 0x80000000u), 0x80000000u);
}

static void
test_half_circle(void **state)
{
	(void)state;
	/*
	 * Exactly 2^31 apart is ambiguous; the macros read the difference
	 * as INT32_MIN, so each value is "less" than the other.  Pin the
	 * behaviour down so that a change is noticed.
	 */
	assert_true(SEQ_LT(0, 0x80000000u));
	assert_true(SEQ_LT(0x80000000u, 0));
	assert_true(SEQ_LT(0x7fffffffu, 0xffffffffu));
	assert_true(SEQ_LT(0xffffffffu, 0x7fffffffu));
}

static void
test_diff(void **state)
{
	(void)state;
	assert_int_equal(SEQ_DIFF(0, 0xffffffffu), 1);
	assert_int_equal(SEQ_DIFF(0x10, 0xfffffff0u), 0x20);
	assert_int_equal(SEQ_DIFF(0x80000000u, 0x7fffffffu), 1);
	assert_int_equal(SEQ_DIFF(0x7fffffffu, 0), 0x7fffffff);
	assert_int_equal(SEQ_DIFF(100, 50), 50);
	/* Type is uint32_t whatever the operands are. */
	assert_int_equal(sizeof(SEQ_DIFF((uint64_t)1, 0)), sizeof(uint32_t));
	assert_int_equal(SEQ_DIFF((uint64_t)0x100000005ull, 3), 2);
}

static void
test_in_range(void **state)
{
	(void)state;
	/* Ordinary [10, 20). */
	assert_false(SEQ_IN_RANGE(9, 10, 20));
	assert_true(SEQ_IN_RANGE(10, 10, 20));
	assert_true(SEQ_IN_RANGE(19, 10, 20));
	assert_false(SEQ_IN_RANGE(20, 10, 20));
	/* Empty ranges hold nothing. */
	assert_false(SEQ_IN_RANGE(10, 10, 10));
	assert_false(SEQ_IN_RANGE(0, 0, 0));
	assert_false(SEQ_IN_RANGE(0xffffffffu, 0xffffffffu, 0xffffffffu));
	/* Spanning the wrap: [0xfffffff0, 0x10). */
	assert_false(SEQ_IN_RANGE(0xffffffefu, 0xfffffff0u, 0x10));
	assert_true(SEQ_IN_RANGE(0xfffffff0u, 0xfffffff0u, 0x10));
	assert_true(SEQ_IN_RANGE(0xffffffffu, 0xfffffff0u, 0x10));
	assert_true(SEQ_IN_RANGE(0, 0xfffffff0u, 0x10));
	assert_true(SEQ_IN_RANGE(0xf, 0xfffffff0u, 0x10));
	assert_false(SEQ_IN_RANGE(0x10, 0xfffffff0u, 0x10));
	assert_false(SEQ_IN_RANGE(0x7fffffff, 0xfffffff0u, 0x10));
	/* Spanning 0x7fffffff/0x80000000. */
	assert_true(SEQ_IN_RANGE(0x7fffffffu, 0x7ffffff0u, 0x80000010u));
	assert_true(SEQ_IN_RANGE(0x80000000u, 0x7ffffff0u, 0x80000010u));
	assert_false(SEQ_IN_RANGE(0x80000010u, 0x7ffffff0u, 0x80000010u));
	assert_false(SEQ_IN_RANGE(0, 0x7ffffff0u, 0x80000010u));
	/* Range [hi, lo) reversed holds nothing. */
	assert_false(SEQ_IN_RANGE(15, 20, 10));
}

/* Against a 64-bit reference, many random points near and far. */
static void
test_random(void **state)
{
	unsigned int i;

	(void)state;
	srandom(12345);
	for (i = 0; i < 200000; i++) {
		uint32_t a = ((uint32_t)random() << 1) ^ (uint32_t)random();
		/* distance in [1, 2^31 - 1] */
		uint32_t d = 1 + (uint32_t)random() % 0x7fffffffu;
		uint32_t b;

		if (i & 1)
			d = 1 + d % 4096;	/* close ones too */
		b = a + d;
		check_order(a, b);
		assert_int_equal(SEQ_DIFF(b, a), d);
		assert_true(SEQ_IN_RANGE(a, a, b));
		assert_false(SEQ_IN_RANGE(b, a, b));
		assert_true(SEQ_IN_RANGE(b - 1, a, b));
		assert_false(SEQ_IN_RANGE(a - 1, a, b));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_half_circle),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_in_range),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
