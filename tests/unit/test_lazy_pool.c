/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the lazily growing block pool (lazy_pool.h). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lazy_pool.h"

/* A counting allocator that can be told to fail. */
struct tally {
	unsigned int allocs;
	unsigned int frees;
	size_t last_size;
	int fail;
};

static void *
t_alloc(void *arg, size_t size)
{
	struct tally *t = arg;

	if (t->fail)
		return NULL;
	t->allocs++;
	t->last_size = size;
	return malloc(size);
}

static void
t_free(void *arg, void *p)
{
	struct tally *t = arg;

	t->frees++;
	free(p);
}

/* Nothing is allocated up front; blocks come one at a time. */
static void
test_lazy_growth(void **state)
{
	struct tally t = { 0 };
	struct lazy_pool p;
	void *a, *b;

	(void)state;
	lazy_pool_init(&p, 12000, 100, t_alloc, t_free, &t);
	assert_int_equal(t.allocs, 0);
	assert_int_equal(lazy_pool_in_use(&p), 0);
	a = lazy_pool_get(&p);
	assert_non_null(a);
	assert_int_equal(t.allocs, 1);
	assert_true(t.last_size >= 12000);
	assert_int_equal((uintptr_t)a % 16, 0);
	/* The whole object is usable (ASan would object otherwise). */
	memset(a, 0xa5, 12000);
	b = lazy_pool_get(&p);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	memset(b, 0x5a, 12000);
	assert_int_equal(t.allocs, 2);
	assert_int_equal(lazy_pool_in_use(&p), 2);
	lazy_pool_fini(&p);
	assert_int_equal(t.frees, 2);
}

/* A returned block is reused before anything new is allocated. */
static void
test_reuse(void **state)
{
	struct tally t = { 0 };
	struct lazy_pool p;
	void *a, *b, *c;
	unsigned int i;

	(void)state;
	lazy_pool_init(&p, 64, 100, t_alloc, t_free, &t);
	a = lazy_pool_get(&p);
	b = lazy_pool_get(&p);
	lazy_pool_put(&p, a);
	assert_int_equal(lazy_pool_in_use(&p), 1);
	assert_int_equal(p.n_free, 1);
	c = lazy_pool_get(&p);
	assert_ptr_equal(c, a);
	assert_int_equal(t.allocs, 2);
	/* Churn: one request at a time never grows the pool. */
	lazy_pool_put(&p, b);
	for (i = 0; i < 1000; i++) {
		void *x = lazy_pool_get(&p);

		assert_non_null(x);
		memset(x, (int)i, 64);
		lazy_pool_put(&p, x);
	}
	assert_int_equal(t.allocs, 2);
	lazy_pool_put(&p, c);
	assert_int_equal(lazy_pool_in_use(&p), 0);
	assert_int_equal(p.n_free, 2);
	lazy_pool_fini(&p);
	assert_int_equal(t.frees, 2);
}

/* The cap bounds the blocks allocated; freed ones can be had again. */
static void
test_cap(void **state)
{
	enum { CAP = 5 };
	struct tally t = { 0 };
	struct lazy_pool p;
	void *x[CAP];
	unsigned int i;

	(void)state;
	lazy_pool_init(&p, 100, CAP, t_alloc, t_free, &t);
	for (i = 0; i < CAP; i++) {
		x[i] = lazy_pool_get(&p);
		assert_non_null(x[i]);
	}
	assert_null(lazy_pool_get(&p));
	assert_null(lazy_pool_get(&p));
	assert_int_equal(p.n_fail, 2);
	assert_int_equal(t.allocs, CAP);
	lazy_pool_put(&p, x[2]);
	assert_ptr_equal(lazy_pool_get(&p), x[2]);
	assert_null(lazy_pool_get(&p));
	for (i = 0; i < CAP; i++)
		lazy_pool_put(&p, x[i]);
	lazy_pool_fini(&p);
	assert_int_equal(t.frees, CAP);
}

/* An allocator failure is a NULL, counted; the pool works afterwards. */
static void
test_alloc_failure(void **state)
{
	struct tally t = { 0 };
	struct lazy_pool p;
	void *a;

	(void)state;
	lazy_pool_init(&p, 100, 10, t_alloc, t_free, &t);
	t.fail = 1;
	assert_null(lazy_pool_get(&p));
	assert_int_equal(p.n_fail, 1);
	assert_int_equal(p.n_blocks, 0);
	t.fail = 0;
	a = lazy_pool_get(&p);
	assert_non_null(a);
	assert_int_equal(p.n_blocks, 1);
	lazy_pool_put(&p, a);
	lazy_pool_fini(&p);
	assert_int_equal(t.frees, 1);
}

/* fini frees blocks still handed out too (their users are gone). */
static void
test_fini_in_use(void **state)
{
	struct tally t = { 0 };
	struct lazy_pool p;
	unsigned int i;

	(void)state;
	lazy_pool_init(&p, 32, 50, t_alloc, t_free, &t);
	for (i = 0; i < 20; i++)
		assert_non_null(lazy_pool_get(&p));
	lazy_pool_put(&p, lazy_pool_get(&p));
	lazy_pool_fini(&p);
	assert_int_equal(t.allocs, 21);
	assert_int_equal(t.frees, 21);
	assert_int_equal(p.n_blocks, 0);
	assert_int_equal(lazy_pool_in_use(&p), 0);
	/* Empty pool: fini again is harmless. */
	lazy_pool_fini(&p);
	assert_int_equal(t.frees, 21);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_growth),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_fini_in_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
