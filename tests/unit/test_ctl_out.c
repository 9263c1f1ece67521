/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the output formats (ctl_out.c) and the text form's
 * layout rules (ctl_fmt.c): rounding, CSV quoting, job rows, vertical
 * tables, the terminal width and NO_COLOR.
 */

#define _GNU_SOURCE	/* posix_openpt, ptsname */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_fmt.h"
#include "ctl_out.h"

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (j == NULL)
		fail_msg("bad JSON in the test: %s: %s", jerr.text, text);
	return j;
}

static void
check_text(const char *what, char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n--- got\n%s--- want\n%s---", what, got, want);
	free(got);
}

static char *
result(enum ctl_format fmt, const char *method, const char *reply)
{
	json_t *j = parse(reply);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ctl_out_result(f, fmt, method, j);
	fclose(f);
	json_decref(j);
	return buf;
}

static void
test_format_names(void **state)
{
	(void)state;
	assert_int_equal(ctl_format_parse("text"), CTL_FORMAT_TEXT);
	assert_int_equal(ctl_format_parse("json"), CTL_FORMAT_JSON);
	assert_int_equal(ctl_format_parse("jsonl"), CTL_FORMAT_JSONL);
	assert_int_equal(ctl_format_parse("csv"), CTL_FORMAT_CSV);
	assert_int_equal(ctl_format_parse("prometheus"),
			 CTL_FORMAT_PROMETHEUS);
	assert_int_equal(ctl_format_parse("xml"), -1);
	assert_int_equal(ctl_format_parse(""), -1);
}

static void
test_rounding(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0, "0" }, { 0.5, "0.5" }, { 1.23456, "1.23" },
		{ 12.3456, "12.3" }, { 123.456, "123" }, { 999.4, "999" },
		{ 1234.56, "1235" }, { 4629047.28, "4629047" },
		{ 0.0012345, "0.00123" }, { 0.00001234, "1.23e-05" },
		{ -2.5, "-2.5" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctl_fmt_real(buf, sizeof(buf), cases[i].v);
		assert_string_equal(buf, cases[i].text);
	}
}

static void
test_csv_quoting(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	ctl_csv_field(f, "plain");
	fputc('|', f);
	ctl_csv_field(f, "a,b");
	fputc('|', f);
	ctl_csv_field(f, "say \"hi\"");
	fputc('|', f);
	ctl_csv_field(f, "two\nlines");
	fputc('|', f);
	ctl_csv_field(f, "");
	fclose(f);
	check_text("fields", buf,
		   "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|");
}

static void
test_csv_results(void **state)
{
	(void)state;
	/* a job: a row per second, then the totals */
	check_text("job", result(CTL_FORMAT_CSV, "fetch.status",
		"{\"job\": 2, \"state\": \"done\", \"requests_sent\": 30,"
		" \"errors\": {\"reset\": 1, \"refused\": 2},"
		" \"connections_open\": 0, \"elapsed_s\": 2.0,"
		" \"rates\": {\"rps\": 14.5, \"cps\": 1, \"gbps\": 0.001},"
		" \"latency_us\": {\"total\": {\"p50\": 80, \"p99\": 120}},"
		" \"series\": [{\"t\": 1, \"rps\": 14, \"requests\": 15,"
		" \"cps\": 1, \"gbps\": 0.0005, \"open\": 2, \"p50_us\": 81,"
		" \"p99_us\": 119}, {\"t\": 2, \"rps\": 15, \"requests\": 15,"
		" \"cps\": 1, \"gbps\": 0.0005, \"open\": 0}]}"),
		"job,row,t,rps,requests,cps,gbps,errors,open,p50_us,p99_us\n"
		"2,second,1,14,15,1,0.0005,,2,81,119\n"
		"2,second,2,15,15,1,0.0005,,0,,\n"
		"2,total,2,14.5,30,1,0.001,3,0,80,120\n");
	/* a mix: a row per entry after the totals, in the same columns */
	check_text("mix", result(CTL_FORMAT_CSV, "fetch.status",
		"{\"job\": 3, \"state\": \"done\", \"requests_sent\": 30,"
		" \"errors\": {\"reset\": 1}, \"connections_open\": 0,"
		" \"elapsed_s\": 2.0, \"rates\": {\"rps\": 14.5},"
		" \"latency_us\": {\"total\": {\"p50\": 80, \"p99\": 120}},"
		" \"mix\": [{\"name\": \"a,b\", \"requests\": 20,"
		" \"responses\": {\"total\": 19}, \"errors\": 1,"
		" \"latency_us\": {\"p50\": 70, \"p99\": 110}},"
		" {\"name\": \"c\", \"requests\": 10,"
		" \"responses\": {\"total\": 10}, \"errors\": 0,"
		" \"latency_us\": {\"p50\": 90, \"p99\": 130}}]}"),
		"job,row,t,rps,requests,cps,gbps,errors,open,p50_us,p99_us\n"
		"3,total,2,14.5,30,,,1,0,80,120\n"
		"3,\"mix:a,b\",2,9.5,20,,,1,,70,110\n"
		"3,mix:c,2,5,10,,,0,,90,130\n");
	/* rows of objects: one each, nested members dotted */
	check_text("jobs", result(CTL_FORMAT_CSV, "fetch.list",
		"{\"jobs\": [{\"job\": 1, \"state\": \"done\","
		" \"rates\": {\"rps\": 2.5}, \"urls\": [\"http://a/,b\"]},"
		" {\"job\": 2, \"state\": \"running\"}]}"),
		"job,state,rates.rps,urls\n"
		"1,done,2.5,\"[\"\"http://a/,b\"\"]\"\n"
		"2,running,,\n");
	/* any other object: key,value */
	check_text("stats", result(CTL_FORMAT_CSV, "stats.get",
		"{\"tcp\": {\"InSegs\": 5}, \"mempool\": {\"in_use\": 0},"
		" \"lcores\": [{\"lcore\": 1}]}"),
		"key,value\ntcp.InSegs,5\nmempool.in_use,0\nlcores.0.lcore,1\n");
}

static void
test_json_forms(void **state)
{
	(void)state;
	check_text("jsonl", result(CTL_FORMAT_JSONL, "app.info",
				   "{\"a\": 1, \"b\": [0.1, true]}"),
		   "{\"a\":1,\"b\":[0.1,true]}\n");
	check_text("json", result(CTL_FORMAT_JSON, "app.info",
				  "{\"a\": 1, \"b\": {\"c\": null}}"),
		   "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": null\n  }\n}\n");
}

static void
test_vertical_tables(void **state)
{
	json_t *rows = parse("[{\"name\": \"net_memif0\", \"driver\": "
			     "\"net_memif\", \"mtu\": 1500}]");
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	/* fits: a grid */
	ctl_fmt_set_width(80);
	f = open_memstream(&buf, &len);
	ctl_fmt_table(f, rows, NULL, 0);
	fclose(f);
	check_text("grid", buf,
		   "name        driver      mtu\n"
		   "net_memif0  net_memif  1500\n");
	/* too wide: key value rows */
	ctl_fmt_set_width(20);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ctl_fmt_table(f, rows, NULL, 0);
	fclose(f);
	check_text("vertical", buf,
		   "name    net_memif0\n"
		   "driver  net_memif\n"
		   "mtu     1500\n");
	json_decref(rows);
	/* the job list too (its own grid): 13 columns into 40 */
	ctl_fmt_set_width(40);
	rows = parse("{\"jobs\": [{\"job\": 1, \"state\": \"done\","
		     " \"elapsed_s\": 2.0}]}");
	buf = NULL;
	f = open_memstream(&buf, &len);
	ctl_fmt_jobs(f, rows);
	fclose(f);
	if (strstr(buf, "job        1\n") == NULL ||
	    strstr(buf, "state      done\n") == NULL ||
	    strstr(buf, "elapsed_s  2.0\n") == NULL)
		fail_msg("jobs at 40 columns:\n%s", buf);
	free(buf);
	json_decref(rows);
	/* a job's latency table past the width: a block per row */
	ctl_fmt_set_width(30);
	rows = parse("{\"job\": 1, \"state\": \"done\", \"latency_us\":"
		     " {\"total\": {\"count\": 9, \"min\": 1, \"mean\": 2.5,"
		     " \"p50\": 2, \"p99\": 8, \"max\": 9}}}");
	buf = NULL;
	f = open_memstream(&buf, &len);
	ctl_fmt_job(f, rows);
	fclose(f);
	if (strstr(buf, "latency (us)\n  total\n    count   9\n"
			"    min     1\n    mean    2.5\n    p50     2\n"
			"    p99     8\n    max     9\n") == NULL)
		fail_msg("latency at 30 columns:\n%s", buf);
	free(buf);
	json_decref(rows);
	/* nested values never go inline as JSON, whatever the width */
	ctl_fmt_set_width(0);
	rows = parse("[{\"id\": 0, \"stats\": {\"ipackets\": 1}},"
		     " {\"id\": 1, \"stats\": {\"ipackets\": 2}}]");
	buf = NULL;
	f = open_memstream(&buf, &len);
	ctl_fmt_table(f, rows, NULL, 2);
	fclose(f);
	check_text("nested", buf,
		   "  id  0\n"
		   "  stats\n"
		   "    ipackets  1\n"
		   "\n"
		   "  id  1\n"
		   "  stats\n"
		   "    ipackets  2\n");
	json_decref(rows);
}

static void
test_term(void **state)
{
	int m, s;

	(void)state;
	setenv("COLUMNS", "132", 1);
	assert_int_equal(ctl_term_width(-1), 132);
	setenv("COLUMNS", "junk", 1);
	assert_int_equal(ctl_term_width(-1), 80);
	unsetenv("COLUMNS");
	assert_int_equal(ctl_term_width(-1), 80);	/* not a terminal */
	/* not a terminal: no escape codes */
	unsetenv("NO_COLOR");
	setenv("TERM", "xterm", 1);
	assert_false(ctl_term_escapes(-1));
	/* a terminal: escape codes unless NO_COLOR or TERM=dumb */
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
		if (m >= 0)
			close(m);
		skip();
	}
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	assert_true(ctl_term_escapes(s));
	setenv("NO_COLOR", "1", 1);
	assert_false(ctl_term_escapes(s));
	setenv("NO_COLOR", "", 1);	/* empty: as if unset */
	assert_true(ctl_term_escapes(s));
	unsetenv("NO_COLOR");
	setenv("TERM", "dumb", 1);
	assert_false(ctl_term_escapes(s));
	close(s);
	close(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_results),
		cmocka_unit_test(test_json_forms),
		cmocka_unit_test(test_vertical_tables),
		cmocka_unit_test(test_term),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
