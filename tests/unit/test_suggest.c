/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the "did you mean" suggestions (lib/core/suggest.c). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "suggest.h"

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("", ""), 0);
	assert_int_equal(suggest_distance("abc", ""), 3);
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("connections", "connections"), 0);
	/* a swap of neighbours is one edit */
	assert_int_equal(suggest_distance("conenctions", "connections"), 1);
	assert_int_equal(suggest_distance("durtaion", "duration"), 1);
	assert_int_equal(suggest_distance("fecth", "fetch"), 1);
	assert_int_equal(suggest_distance("stat", "stats"), 1);
}

static const char *const opts[] = {
	"ip", "gateway", "mtu", "fetch", "connections", "duration",
	"rate-rps", "rate-cps", "requests", "requests-per-connection",
	"stats", "version", NULL,
};

static void
test_pick(void **state)
{
	(void)state;
	assert_string_equal(suggest_pick("conections", opts, 12),
			    "connections");
	assert_string_equal(suggest_pick("fecth", opts, 12), "fetch");
	assert_string_equal(suggest_pick("rate-rsp", opts, 12), "rate-rps");
	assert_string_equal(suggest_pick("verison", opts, 12), "version");
	/* a unique prefix */
	assert_string_equal(suggest_pick("dur", opts, 12), "duration");
	/* too far from everything, or an exact name */
	assert_null(suggest_pick("xyzzy", opts, 12));
	assert_null(suggest_pick("fetch", opts, 12));
	assert_null(suggest_pick("", opts, 12));
	/* short names allow one edit only */
	assert_string_equal(suggest_pick("mt", opts, 12), "mtu");
	assert_null(suggest_pick("ab", opts, 12));
	/* SIZE_MAX: up to the NULL that ends the table */
	assert_string_equal(suggest_pick("gatway", opts, SIZE_MAX),
			    "gateway");
}

struct named {
	int x;
	const char *name;
};

static void
test_pick_field(void **state)
{
	static const struct named t[] = {
		{ 1, "status" }, { 2, "stats" }, { 3, "stop" }, { 4, NULL },
	};
	char buf[64];

	(void)state;
	assert_string_equal(suggest_pick_field("stpo", t, sizeof(t[0]),
		offsetof(struct named, name), SIZE_MAX), "stop");
	assert_string_equal(suggest_pick_field("statsu", t, sizeof(t[0]),
		offsetof(struct named, name), 3), "status");
	assert_string_equal(suggest_hint(buf, sizeof(buf), "--", "fetch"),
			    " (did you mean '--fetch'?)");
	assert_string_equal(suggest_hint(buf, sizeof(buf), "--", NULL), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_pick_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
