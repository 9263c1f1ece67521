/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the command line -> JSON-RPC request mapping. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_cmd.h"

/* A command line, split as a script line is, and the request expected.
 * params NULL: the request has no params at all. */
struct ok_case {
	const char *line;
	const char *method;
	const char *params;
};

/* A command line that must be refused with a message holding these. */
struct bad_case {
	const char *line;
	const char *words[3];
};

static const struct ok_case ok_cases[] = {
	{ "info", "app.info", "{}" },
	{ "shutdown", "app.shutdown", "{}" },
	{ "ports", "port.list", "{}" },
	{ "stats", "stats.get", "{}" },
	{ "stats tcp", "stats.get", "{\"scope\": \"tcp\"}" },
	{ "stats scope=http per_lcore=yes", "stats.get",
	  "{\"scope\": \"http\", \"per_lcore\": true}" },
	{ "stats per_lcore=0", "stats.get", "{\"per_lcore\": false}" },
	{ "reset", "stats.reset", "{}" },
	{ "arp", "arp.list", "{}" },
	{ "arp-add ip=198.18.0.9 mac=02:00:00:00:00:09", "arp.add",
	  "{\"ip\": \"198.18.0.9\", \"mac\": \"02:00:00:00:00:09\"}" },
	{ "arp-del ip=198.18.0.9", "arp.del", "{\"ip\": \"198.18.0.9\"}" },
	{ "conns state=ESTABLISHED limit=20", "conn.list",
	  "{\"state\": \"ESTABLISHED\", \"limit\": 20}" },
	{ "conns port=80 host=198.18.0.1", "conn.list",
	  "{\"port\": 80, \"host\": \"198.18.0.1\"}" },
	/* aliases, integer stays integer, fraction becomes real */
	{ "fetch url=http://198.18.0.1/ connections=64 duration=10 rpc=100 "
	  "ramp=2.5", "fetch.start",
	  "{\"url\": \"http://198.18.0.1/\", \"connections\": 64, "
	  "\"duration_s\": 10, \"requests_per_connection\": 100, "
	  "\"ramp_s\": 2.5}" },
	{ "fetch url=http://198.18.0.1/a duration_s=0.5 ramp_s=1 "
	  "requests_per_connection=1", "fetch.start",
	  "{\"url\": \"http://198.18.0.1/a\", \"duration_s\": 0.5, "
	  "\"ramp_s\": 1, \"requests_per_connection\": 1}" },
	/* url twice or more: urls */
	{ "fetch url=http://198.18.0.1/a url=http://198.18.0.1/b "
	  "url=http://198.18.0.1/c requests=1000", "fetch.start",
	  "{\"urls\": [\"http://198.18.0.1/a\", \"http://198.18.0.1/b\", "
	  "\"http://198.18.0.1/c\"], \"requests\": 1000}" },
	/* header repeated, quoted, blanks trimmed, ':' in the value kept */
	{ "fetch url=http://198.18.0.1/ header='Host: example.test' "
	  "\"header=X-Trace :  a:b \" method=POST body='{\"k\": 1}'",
	  "fetch.start",
	  "{\"url\": \"http://198.18.0.1/\", \"headers\": {\"Host\": "
	  "\"example.test\", \"X-Trace\": \"a:b\"}, \"method\": \"POST\", "
	  "\"body\": \"{\\\"k\\\": 1}\"}" },
	{ "fetch url=http://198.18.0.1/ pipeline=4 rate_cps=1000 "
	  "rate_rps=2e4 connect_timeout_ms=500 response_timeout_ms=3000",
	  "fetch.start",
	  "{\"url\": \"http://198.18.0.1/\", \"pipeline\": 4, "
	  "\"rate_cps\": 1000, \"rate_rps\": 20000.0, "
	  "\"connect_timeout_ms\": 500, \"response_timeout_ms\": 3000}" },
	{ "fetch url=http://198.18.0.1/ src_ips=198.18.0.10-198.18.0.20 "
	  "lcores=0,1", "fetch.start",
	  "{\"url\": \"http://198.18.0.1/\", \"src_ips\": "
	  "\"198.18.0.10-198.18.0.20\", \"lcores\": [0, 1]}" },
	{ "fetch url=http://198.18.0.1/ src_ips=198.18.0.64/26 lcores=3",
	  "fetch.start",
	  "{\"url\": \"http://198.18.0.1/\", \"src_ips\": "
	  "\"198.18.0.64/26\", \"lcores\": [3]}" },
	{ "status", "fetch.status", "{}" },
	{ "status 7", "fetch.status", "{\"job\": 7}" },
	{ "status job=abc", "fetch.status", "{\"job\": \"abc\"}" },
	{ "wait 7 timeout=30", "fetch.wait",
	  "{\"job\": 7, \"timeout_s\": 30}" },
	{ "stop 7", "fetch.stop", "{\"job\": 7}" },
	{ "jobs", "fetch.list", "{}" },
	/* kind defaults to http */
	{ "listen port=8080", "server.start",
	  "{\"port\": 8080, \"kind\": \"http\"}" },
	{ "listen port=7 kind=echo", "server.start",
	  "{\"port\": 7, \"kind\": \"echo\"}" },
	{ "unlisten port=7", "server.stop", "{\"port\": 7}" },
	{ "impair rx.drop=0.01 tx.drop=0 rx.dup=0.001 tx.reorder=0.02 "
	  "rx.corrupt=0 seed=7 clear=yes", "impair.set",
	  "{\"rx.drop\": 0.01, \"tx.drop\": 0, \"rx.dup\": 0.001, "
	  "\"tx.reorder\": 0.02, \"rx.corrupt\": 0, \"seed\": 7, "
	  "\"clear\": true}" },
	{ "impair", "impair.get", "{}" },
	/* host and port of capture go into filter */
	{ "capture file=/tmp/x.pcapng count=100 duration=5 host=198.18.0.1 "
	  "port=80", "capture.start",
	  "{\"file\": \"/tmp/x.pcapng\", \"count\": 100, \"duration_s\": 5, "
	  "\"filter\": {\"host\": \"198.18.0.1\", \"port\": 80}}" },
	{ "capture-stop", "capture.stop", "{}" },
	/* the search's own keys go into "search"; timeout defaults to the
	 * server's bound, so that the client waits that long */
	{ "search url=http://198.18.0.1/limited/index.html connections=64 "
	  "max=8000 min=500 slo='total.p99<50ms' slo=errors==0 step_s=2 "
	  "warmup_s=0.5 max_steps=10", "fetch.search",
	  "{\"url\": \"http://198.18.0.1/limited/index.html\", "
	  "\"connections\": 64, \"search\": {\"max\": 8000, \"min\": 500, "
	  "\"slo\": [\"total.p99<50ms\", \"errors==0\"], \"step_s\": 2, "
	  "\"warmup_s\": 0.5, \"max_steps\": 10}, \"timeout_s\": 3600}" },
	{ "search url=http://198.18.0.1/ dial=rate_cps max=2e4 rpc=1 "
	  "rate_rps=100 timeout=60", "fetch.search",
	  "{\"url\": \"http://198.18.0.1/\", \"search\": {\"dial\": "
	  "\"rate_cps\", \"max\": 20000.0}, \"requests_per_connection\": 1, "
	  "\"rate_rps\": 100, \"timeout_s\": 60}" },
	{ "call app.info", "app.info", NULL },
	{ "call stats.get {\"scope\": \"tcp\", \"per_lcore\": true}",
	  "stats.get", "{\"scope\": \"tcp\", \"per_lcore\": true}" },
	{ "call x.y [1, 2]", "x.y", "[1, 2]" },
};

static const struct bad_case bad_cases[] = {
	/* one range per job: a list is refused here, not by the server */
	{ "fetch url=http://198.18.0.1/ src_ips=198.18.0.10,198.18.0.11",
	  { "src_ips", "A.B.C.D-E.F.G.H", NULL } },
	{ "frobnicate", { "unknown command 'frobnicate'", "fetch",
			  "capture-stop" } },
	{ "fetch url=http://198.18.0.1/ conections=3",
	  { "unknown key 'conections'", "connections", "rpc" } },
	{ "fetch connections=3", { "missing url=", NULL, NULL } },
	{ "fetch url=http://198.18.0.1/ connections=lots",
	  { "connections=lots", "integer", NULL } },
	{ "fetch url=http://198.18.0.1/ connections=3 connections=4",
	  { "connections given twice", NULL, NULL } },
	{ "fetch url=http://198.18.0.1/ duration=soon", { "number", NULL,
							   NULL } },
	{ "fetch url=http://198.18.0.1/ header=NoColon",
	  { "Name: value", NULL, NULL } },
	{ "fetch url=http://198.18.0.1/ header=:v", { "empty header name",
						       NULL, NULL } },
	{ "fetch url=http://198.18.0.1/ header='A: 1' header='A: 2'",
	  { "header A given twice", NULL, NULL } },
	{ "fetch url=http://198.18.0.1/ lcores=0,,1", { "lcores", "integers",
							NULL } },
	{ "fetch url=", { "url", "empty", NULL } },
	{ "stats bogus", { "expected one of", "mempool", NULL } },
	{ "stats per_lcore=maybe", { "true or false", NULL, NULL } },
	{ "info now", { "'now' is not key=value", NULL, NULL } },
	{ "info x=1", { "unknown key 'x'", "(none)", NULL } },
	{ "listen", { "missing port=", NULL, NULL } },
	{ "listen port=80 kind=ftp", { "kind=ftp", "http echo", NULL } },
	{ "arp-add ip=198.18.0.9", { "missing mac=", NULL, NULL } },
	{ "capture count=3", { "missing file=", NULL, NULL } },
	{ "impair loss=0.1", { "unknown key 'loss'", "rx.drop", NULL } },
	{ "search url=http://198.18.0.1/", { "missing max=", NULL, NULL } },
	{ "search max=10", { "missing url=", NULL, NULL } },
	{ "search url=http://198.18.0.1/ max=10 dial=rps",
	  { "dial=rps", "rate_rps rate_cps", NULL } },
	/* what the steps set, or the slo replaces, is no key of search */
	{ "search url=http://198.18.0.1/ max=10 duration=5",
	  { "unknown key 'duration'", "slo", NULL } },
	{ "search url=http://198.18.0.1/ max=10 requests=5",
	  { "unknown key 'requests'", NULL, NULL } },
	{ "search url=http://198.18.0.1/ max=10 threshold=errors==0",
	  { "unknown key 'threshold'", NULL, NULL } },
	/* issue 16: suggestions, and url= checked here */
	{ "fetch url=http://198.18.0.1/ conections=3",
	  { "unknown key 'conections' (did you mean 'connections'?)", NULL,
	    NULL } },
	{ "stauts", { "unknown command 'stauts' (did you mean 'stat", NULL,
		      NULL } },
	{ "fecth url=http://198.18.0.1/", { "(did you mean 'fetch'?)", NULL,
					   NULL } },
	{ "fetch url=ftp://198.18.0.1/", { "fetch: url: ", "scheme", NULL } },
	{ "fetch url=http://example.com/", { "fetch: url: ", "no DNS",
					     NULL } },
	{ "fetch url=http://198.18.0.1/ url=198.18.0.1", { "fetch: url: ",
							    NULL, NULL } },
	{ "call", { "usage", NULL, NULL } },
	{ "call x.y {oops", { "not JSON", NULL, NULL } },
	{ "call x.y 42", { "object or array", NULL, NULL } },
};

static void
build_line(const char *line, struct ctl_request *req, int *rc, char *err,
	   size_t errlen)
{
	char **argv = NULL;
	int argc;

	argc = ctl_cmd_split(line, &argv, err, errlen);
	if (argc < 0)
		fail_msg("split \"%s\": %s", line, err);
	*rc = ctl_cmd_build(argc, argv, req, err, errlen);
	ctl_cmd_free_argv(argv);
}

static void
test_ok(void **state)
{
	struct ctl_request req;
	json_error_t jerr;
	char err[512];
	json_t *want;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];

		build_line(c->line, &req, &rc, err, sizeof(err));
		if (rc != 0)
			fail_msg("\"%s\": %s", c->line, err);
		if (strcmp(req.method, c->method) != 0)
			fail_msg("\"%s\": method %s, want %s", c->line,
				 req.method, c->method);
		if (c->params == NULL) {
			if (req.params != NULL)
				fail_msg("\"%s\": unexpected params", c->line);
			continue;
		}
		want = json_loads(c->params, 0, &jerr);
		if (want == NULL)
			fail_msg("case %zu: bad expected JSON: %s", i,
				 jerr.text);
		if (!json_equal(want, req.params)) {
			char *got = json_dumps(req.params, JSON_COMPACT |
					       JSON_ENCODE_ANY);

			fail_msg("\"%s\":\n got  %s\n want %s", c->line,
				 got ? got : "NULL", c->params);
		}
		json_decref(want);
		ctl_request_clear(&req);
	}
}

static void
test_bad(void **state)
{
	struct ctl_request req;
	char err[1024];
	size_t i, w;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		err[0] = '\0';
		build_line(c->line, &req, &rc, err, sizeof(err));
		if (rc != -1)
			fail_msg("\"%s\" accepted", c->line);
		assert_null(req.params);
		for (w = 0; w < 3 && c->words[w] != NULL; w++)
			if (strstr(err, c->words[w]) == NULL)
				fail_msg("\"%s\": \"%s\" lacks \"%s\"", c->line,
					 err, c->words[w]);
	}
}

static void
test_no_command(void **state)
{
	struct ctl_request req;
	char err[512];

	(void)state;
	assert_int_equal(ctl_cmd_build(0, NULL, &req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no command"));
	assert_non_null(strstr(err, "fetch"));
}

/* Words as a shell would give them, without expansions. */
static void
check_split(const char *line, int n, const char *const *want)
{
	char **argv = NULL, err[128];
	int argc, i;

	argc = ctl_cmd_split(line, &argv, err, sizeof(err));
	if (argc != n)
		fail_msg("split \"%s\": %d words, want %d", line, argc, n);
	for (i = 0; i < n; i++)
		if (strcmp(argv[i], want[i]) != 0)
			fail_msg("split \"%s\": word %d \"%s\", want \"%s\"",
				 line, i, argv[i], want[i]);
	assert_null(argv[n]);
	ctl_cmd_free_argv(argv);
}

static void
test_split(void **state)
{
	static const char *const w1[] = { "a", "b=c d", "e" };
	static const char *const w2[] = { "x=\"q\"\\", "", "y z" };
	static const char *const w3[] = { "url=http://h/#frag" };
	static const char *const w4[] = { "a b" };
	static const char *const w5[] = { "call", "m.n", "{\"a\": 'b c' }" };
	char **argv = NULL, err[128];

	(void)state;
	check_split("  a   b='c d'\te  ", 3, w1);
	check_split("x=\"\\\"q\\\"\\\\\" '' y\\ z", 3, w2);
	check_split("url=http://h/#frag # a comment", 1, w3);
	check_split("a\\ b", 1, w4);
	check_split("# only a comment", 0, NULL);
	check_split("", 0, NULL);
	check_split("call m.n  {\"a\": 'b c' }  ", 3, w5);
	assert_int_equal(ctl_cmd_split("echo 'open", &argv, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "unterminated"));
	assert_int_equal(ctl_cmd_split("echo \"open", &argv, err,
				       sizeof(err)), -1);
}

static void
test_lookup(void **state)
{
	(void)state;
	assert_true(ctl_cmd_exists("fetch"));
	assert_true(ctl_cmd_exists("call"));
	assert_false(ctl_cmd_exists("sleep"));
	assert_string_equal(ctl_cmd_method("conns"), "conn.list");
	assert_string_equal(ctl_cmd_method("search"), "fetch.search");
	assert_null(ctl_cmd_method("call"));
	assert_null(ctl_cmd_method("nope"));
}

/* fetch mix=FILE: the file's array is sent as "mix" (no url needed);
 * a file that is not JSON names the file, line and column; a bad entry
 * names the entry; neither sends anything. */
static void
test_mix_file(void **state)
{
	static const struct {
		const char *text;
		const char *words[3];
	} files[] = {
		{ "[{\"url\": \"http://198.18.0.1/a\", \"weight\": 3},\n"
		  " {\"url\": \"http://198.18.0.1/b\", \"method\": \"POST\","
		  " \"body\": \"x\"}]", { NULL, NULL, NULL } },
		{ "[{\"url\": \"http://198.18.0.1/a\"},\n {\"url\" 5}]",
		  { "mix=", "line 2, column ", NULL } },
		{ "[{\"url\": \"http://198.18.0.1/a\", \"wieght\": 1}]",
		  { "mix=", "mix[0]: unknown field 'wieght'", NULL } },
		{ "[]", { "mix=", "mix: expected an array", NULL } },
	};
	char path[] = "/tmp/dpf-mix-XXXXXX", line[256], err[1024];
	struct ctl_request req;
	size_t i, w;
	int fd, rc;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(files[i].text, f);
		fclose(f);
		snprintf(line, sizeof(line), "fetch mix=%s requests=10", path);
		err[0] = '\0';
		build_line(line, &req, &rc, err, sizeof(err));
		if (files[i].words[0] == NULL) {
			json_t *m;

			if (rc != 0)
				fail_msg("file %zu: %s", i, err);
			m = json_object_get(req.params, "mix");
			assert_int_equal(json_array_size(m), 2);
			assert_null(json_object_get(req.params, "url"));
			assert_string_equal(json_string_value(json_object_get(
				json_array_get(m, 1), "method")), "POST");
			ctl_request_clear(&req);
			continue;
		}
		if (rc != -1)
			fail_msg("file %zu accepted", i);
		assert_null(req.params);
		assert_non_null(strstr(err, path));
		for (w = 0; w < 3 && files[i].words[w] != NULL; w++)
			if (strstr(err, files[i].words[w]) == NULL)
				fail_msg("file %zu: \"%s\" lacks \"%s\"", i,
					 err, files[i].words[w]);
	}
	unlink(path);
	/* A file that is not there. */
	snprintf(line, sizeof(line), "fetch mix=%s", path);
	build_line(line, &req, &rc, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, path));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_no_command),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_mix_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
