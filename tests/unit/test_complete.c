/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for tab completion from the command table (complete.c) and
 * the table accessors it uses (ctl_cmd.c). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "complete.h"
#include "ctl_cmd.h"

static const char *const extra[] = { "help", "quit", "exit", "sleep",
				     "echo", NULL };

/* A line, where its last word starts, and every candidate, in order
 * (space-separated; "" for none). */
struct case_ {
	const char *line;
	size_t start;
	const char *want;
};

static const struct case_ cases[] = {
	{ "sto", 0, "stop" },
	{ "inf", 0, "info" },
	{ "sta", 0, "stats status" },
	{ "q", 0, "quit" },
	{ "capture-s", 0, "capture-status capture-stop" },
	{ "  sto", 2, "stop" },
	{ "stats sc", 6, "scope=" },
	{ "stats scope=po", 6, "scope=port" },
	{ "stats scope=", 6, "scope=arp scope=ctl scope=echo scope=eth "
	  "scope=http scope=httpd scope=icmp scope=icmp6 scope=impair "
	  "scope=ip scope=ipv6 scope=lcore scope=mempool scope=nd "
	  "scope=port scope=tcp" },
	{ "stats po", 6, "port" },
	{ "stats p", 6, "per_lcore= port" },
	/* the bare scope given: neither scope= nor scopes again */
	{ "stats tcp ", 10, "per_lcore=" },
	{ "stats scope=tcp p", 16, "per_lcore=" },
	{ "stats per_lcore=o", 6, "per_lcore=off per_lcore=on" },
	{ "stats per_lcore=t", 6, "per_lcore=true" },
	{ "listen kind=", 7, "kind=echo kind=http" },
	{ "listen port=80 ", 15, "kind=" },
	/* url= may come again; connections= may not */
	{ "fetch url=http://x connections=2 ur", 33, "url=" },
	{ "fetch url=http://x connections=2 conn", 33,
	  "connect_timeout_ms=" },
	{ "fetch arrival=p", 6, "arrival=poisson" },
	{ "fetch method=P", 6, "method=PATCH method=POST method=PUT" },
	{ "search di", 7, "dial=" },
	{ "search dial=", 7, "dial=rate_cps dial=rate_rps" },
	{ "wait tim", 5, "timeout= timeout_s=" },
	{ "help st", 5, "stats status stop" },
	{ "help q", 5, "quit" },
	{ "call fetch.st", 5, "fetch.start fetch.status fetch.stop" },
	{ "call fetch.start {", 17, "" },
	{ "info ", 5, "" },
	{ "nosuch ", 7, "" },
	{ "stats 'sc", 6, "" },
	{ "echo 'a b", 8, "" },
	{ "stats # sc", 8, "" },
};

static char *
joined(const struct completion *c)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < c->n; i++)
		len += strlen(c->words[i]) + 1;
	s = calloc(1, len);
	assert_non_null(s);
	for (i = 0; i < c->n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, c->words[i]);
	}
	return s;
}

static void
test_cases(void **state)
{
	struct completion c;
	size_t i;
	char *got;
	int n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = completion_line(&c, cases[i].line, extra);
		got = joined(&c);
		if (strcmp(got, cases[i].want) != 0 ||
		    c.start != cases[i].start || n != (int)c.n)
			fail_msg("'%s': got '%s' at %zu, want '%s' at %zu",
				 cases[i].line, got, c.start, cases[i].want,
				 cases[i].start);
		free(got);
		completion_free(&c);
	}
}

/* An empty line offers every command of the table and the extras. */
static void
test_every_command(void **state)
{
	struct completion c;
	const char *name;
	size_t i, j;
	int n;

	(void)state;
	n = completion_line(&c, "", extra);
	assert_true(n > 20);
	for (i = 0; (name = ctl_cmd_name_at(i)) != NULL; i++) {
		for (j = 0; j < c.n; j++)
			if (strcmp(c.words[j], name) == 0)
				break;
		if (j == c.n)
			fail_msg("%s not offered", name);
		assert_non_null(ctl_cmd_summary(name));
	}
	assert_int_equal(c.n, i + 5);	/* no duplicate, "help" included */
	completion_free(&c);
	assert_int_equal(completion_line(&c, "", NULL), (int)i);
	completion_free(&c);
}

static void
test_common_len(void **state)
{
	struct completion c;

	(void)state;
	completion_line(&c, "sta", extra);
	assert_int_equal(completion_common_len(&c), 4);	/* "stat" */
	completion_free(&c);
	completion_line(&c, "stats sc", extra);
	assert_int_equal(completion_common_len(&c), 6);	/* "scope=" */
	completion_free(&c);
	completion_line(&c, "zz", extra);
	assert_int_equal(c.n, 0);
	assert_int_equal(completion_common_len(&c), 0);
	completion_free(&c);
}

static void
test_key_at(void **state)
{
	struct ctl_cmd_key_info k;
	size_t i;

	(void)state;
	assert_int_equal(ctl_cmd_key_at("info", 0, &k), -1);
	assert_int_equal(ctl_cmd_key_at("nosuch", 0, &k), -1);
	assert_int_equal(ctl_cmd_key_at("call", 0, &k), -1);
	assert_int_equal(ctl_cmd_key_at("arp-add", 0, &k), 0);
	assert_string_equal(k.name, "ip");
	assert_true(k.required && !k.repeatable && k.values == NULL);
	assert_int_equal(ctl_cmd_key_at("arp-add", 2, &k), -1);
	assert_string_equal(ctl_cmd_bare_key("stats"), "scope");
	assert_null(ctl_cmd_bare_key("info"));
	assert_null(ctl_cmd_summary("nosuch"));
	for (i = 0; ctl_cmd_key_at("fetch", i, &k) == 0; i++)
		if (strcmp(k.name, "header") == 0)
			assert_true(k.repeatable);
	assert_true(i > 10);
}

/* fetch mix=PATH<TAB>: the file names of PATH's directory. */
static void
test_mix_files(void **state)
{
	char dir[] = "/tmp/dpf-complete-XXXXXX", path[128], line[192];
	struct completion c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mix-a.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/mixes", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/other", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);

	snprintf(line, sizeof(line), "fetch mix=%s/mi", dir);
	assert_int_equal(completion_line(&c, line, extra), 2);
	assert_int_equal(c.start, 6);
	snprintf(path, sizeof(path), "mix=%s/mix-a.json", dir);
	assert_string_equal(c.words[0], path);
	snprintf(path, sizeof(path), "mix=%s/mixes/", dir);
	assert_string_equal(c.words[1], path);
	completion_free(&c);
	/* Another key's value is not a file name. */
	snprintf(line, sizeof(line), "fetch body=%s/mi", dir);
	assert_int_equal(completion_line(&c, line, extra), 0);
	completion_free(&c);

	snprintf(path, sizeof(path), "%s/mix-a.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/other", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/mixes", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_every_command),
		cmocka_unit_test(test_common_len),
		cmocka_unit_test(test_key_at),
		cmocka_unit_test(test_mix_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
