/* SPDX-License-Identifier: BSD-3-Clause */
/* Request templates and the weighted pick (lib/core/mix.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mix.h"

static struct mix_tmpl t;

static const char *
render(const char *src, uint64_t counter, uint64_t seed)
{
	static char buf[1024];
	struct mix_vars v = { .counter = counter, .seed = seed,
			      .body_len = 42 };
	char err[256];
	int64_t n;

	assert_int_equal(mix_tmpl_compile(&t, src, strlen(src), 0, err,
					  sizeof(err)), 0);
	n = mix_tmpl_render(&t, &v, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	assert_true((uint64_t)n <= t.max_len);
	buf[n] = '\0';
	mix_tmpl_free(&t);
	return buf;
}

static void
test_literal_and_counter(void **state)
{
	(void)state;
	assert_string_equal(render("/plain", 7, 1), "/plain");
	assert_string_equal(render("", 7, 1), "");
	assert_string_equal(render("/item/${counter}?x=${counter}", 123, 1),
			    "/item/123?x=123");
	assert_string_equal(render("${counter}", 0, 1), "0");
	assert_string_equal(render("len ${body_len}", 0, 1), "len 42");
	assert_string_equal(render("cost $$5 and $x", 0, 1), "cost $5 and $x");
	assert_string_equal(render("$$${counter}$$", 9, 1), "$9$");
}

static void
test_rand(void **state)
{
	int seen[11] = { 0 };
	uint64_t c;

	(void)state;
	for (c = 0; c < 2000; c++) {
		int v = atoi(render("${rand:1-10}", c, 99));

		assert_true(v >= 1 && v <= 10);
		seen[v]++;
	}
	for (c = 1; c <= 10; c++)
		assert_true(seen[c] > 100);
	assert_string_equal(render("${rand:5-5}", 3, 1), "5");
	/* the same request renders the same (a resumed send) */
	{
		char first[64];

		snprintf(first, sizeof(first), "%s",
			 render("${rand:0-1000000}", 17, 5));
		assert_string_equal(render("${rand:0-1000000}", 17, 5), first);
		assert_string_not_equal(render("${rand:0-1000000}", 18, 5),
					first);
	}
}

static void
test_choice(void **state)
{
	int a = 0, b = 0, cc = 0;
	uint64_t c;

	(void)state;
	for (c = 0; c < 3000; c++) {
		const char *s = render("x-${choice:alpha|b|cee}-y", c, 1);

		if (strcmp(s, "x-alpha-y") == 0)
			a++;
		else if (strcmp(s, "x-b-y") == 0)
			b++;
		else if (strcmp(s, "x-cee-y") == 0)
			cc++;
		else
			fail_msg("unexpected %s", s);
	}
	assert_true(a > 800 && b > 800 && cc > 800);
	assert_string_equal(render("${choice:only}", 4, 1), "only");
	/* an empty option is allowed: "a", "" or "b" */
	assert_true(strlen(render("${choice:a||b}", 0, 1)) <= 1);
}

static void
test_errors(void **state)
{
	char err[256];
	char many[512];
	int i, n = 0;

	(void)state;
	assert_int_equal(mix_tmpl_check("${nope}", 7, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown variable ${nope}"));
	assert_int_equal(mix_tmpl_check("a${counter", 10, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "without '}'"));
	assert_int_equal(mix_tmpl_check("${rand:9-1}", 11, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "LO <= HI"));
	assert_int_equal(mix_tmpl_check("${rand:x}", 9, err, sizeof(err)), -1);
	assert_int_equal(mix_tmpl_check("${rand:-1-3}", 12, err, sizeof(err)),
			 -1);
	for (i = 0; i < MIX_MAX_VARS + 1; i++)
		n += snprintf(many + n, sizeof(many) - n, "a${counter}");
	assert_int_equal(mix_tmpl_check(many, (size_t)n, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "more than 32 variables"));
	n = 0;
	for (i = 0; i < MIX_MAX_VARS; i++)
		n += snprintf(many + n, sizeof(many) - n, "a${counter}");
	n += snprintf(many + n, sizeof(many) - n, "tail");
	assert_int_equal(mix_tmpl_check(many, (size_t)n, err, sizeof(err)),
			 0);
}

static void
test_request(void **state)
{
	struct mix_request r;
	char buf[2 * 1024], err[256];
	const char *body = "{\"id\": ${counter}, \"k\": \"${choice:aa|bb}\"}";
	uint32_t n;

	(void)state;
	assert_int_equal(mix_request_compile(&r,
		"POST /p/${counter} HTTP/1.1\r\nContent-Length: ${body_len}\r\n\r\n",
		"POST /p/${counter} HTTP/1.1\r\nContent-Length: ${body_len}\r\nConnection: close\r\n\r\n",
		body, strlen(body), err, sizeof(err)), 0);
	n = mix_request_render(&r, 0, 77, 3, buf, sizeof(buf));
	assert_true(n > 0 && n <= r.max_len);
	buf[n] = '\0';
	assert_true(strcmp(buf, "POST /p/77 HTTP/1.1\r\nContent-Length: 21\r\n\r\n{\"id\": 77, \"k\": \"aa\"}") == 0 ||
		    strcmp(buf, "POST /p/77 HTTP/1.1\r\nContent-Length: 21\r\n\r\n{\"id\": 77, \"k\": \"bb\"}") == 0);
	n = mix_request_render(&r, 1, 77, 3, buf, sizeof(buf));
	buf[n] = '\0';
	assert_non_null(strstr(buf, "Connection: close\r\n\r\n{\"id\": 77"));
	/* too small a buffer: 0, nothing overrun */
	assert_int_equal(mix_request_render(&r, 0, 77, 3, buf, 40), 0);
	mix_request_free(&r);
}

static void
test_pick(void **state)
{
	static const uint32_t w[] = { 1, 3, 6 };
	struct mix_pick p;
	uint64_t cnt[3] = { 0 }, seed = 12345;
	unsigned int i;

	(void)state;
	assert_int_equal(mix_pick_init(&p, w, 3), 0);
	for (i = 0; i < 100000; i++) {
		seed = mix_hash(seed);
		cnt[mix_pick(&p, seed)]++;
	}
	/* 10%, 30%, 60% within 1% absolute (the stddev is ~0.15%) */
	assert_true(cnt[0] > 9000 && cnt[0] < 11000);
	assert_true(cnt[1] > 29000 && cnt[1] < 31000);
	assert_true(cnt[2] > 59000 && cnt[2] < 61000);
	assert_int_equal(cnt[0] + cnt[1] + cnt[2], 100000);
	/* edges: exact boundaries of the cumulative table */
	assert_int_equal(mix_pick(&p, 0), 0);
	assert_int_equal(mix_pick(&p, 1), 1);
	assert_int_equal(mix_pick(&p, 3), 1);
	assert_int_equal(mix_pick(&p, 4), 2);
	assert_int_equal(mix_pick(&p, 9), 2);
	assert_int_equal(mix_pick(&p, 10), 0);
	/* bad weights */
	{
		static const uint32_t z[] = { 1, 0 };

		assert_int_equal(mix_pick_init(&p, z, 2), -1);
		assert_int_equal(mix_pick_init(&p, w, 0), -1);
	}
	assert_int_equal(mix_pick_init(&p, w, 1), 0);
	assert_int_equal(mix_pick(&p, 0xffffffffffffffffull), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_counter),
		cmocka_unit_test(test_rand),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
