/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the HTML report of a job's result (lib/ctlclient/report.c):
 * the elements a reader and the browser test look for, escaping, the
 * pages of results without series or distribution, malformed input. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

#define EVIL_URL "http://198.18.0.1/<script>alert(1)</script>?a=1&b=\"x\""

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (j == NULL)
		fail_msg("bad JSON in the test: %s: %s", jerr.text, text);
	return j;
}

/* A load job's result as dpfetch prints it, with the members being
 * added (distribution, per-second errors and percentiles, thresholds). */
static json_t *
full_result(void)
{
	json_t *r, *series, *dist, *rows;
	const char *const lat[] = { "connect", "ttfb", "total" };
	int i, k;

	r = parse(
"{\"job\": 3, \"state\": \"done\", \"urls\": [\"" "http://198.18.0.1/"
"<script>alert(1)</script>?a=1&b=\\\"x\\\"\"],"
" \"requests_sent\": 400000, \"requests_failed\": 0,"
" \"responses\": {\"1xx\": 0, \"2xx\": 399990, \"3xx\": 0, \"4xx\": 10,"
"  \"5xx\": 0, \"by_code\": {\"200\": 399990, \"404\": 10}},"
" \"errors\": {\"connect_timeout\": 0, \"reset\": 5},"
" \"bytes_rx\": 123456789, \"bytes_tx\": 3000000,"
" \"connections_opened\": 2000, \"elapsed_s\": 20.01,"
" \"rates\": {\"rps\": 19990.0, \"cps\": 99.9, \"gbps\": 0.049},"
" \"latency_us\": {"
"  \"total\": {\"count\": 400000, \"min\": 110, \"mean\": 380.2,"
"   \"p50\": 320, \"p90\": 750, \"p99\": 2700, \"p999\": 9500,"
"   \"max\": 31000},"
"  \"connect\": {\"count\": 2000, \"min\": 40, \"mean\": 61.5,"
"   \"p50\": 55, \"p90\": 80, \"p99\": 150, \"p999\": 400, \"max\": 900},"
"  \"ttfb\": {\"count\": 400000, \"min\": 100, \"mean\": 350.2,"
"   \"p50\": 300, \"p90\": 700, \"p99\": 2500, \"p999\": 9000,"
"   \"max\": 30000}},"
" \"params\": {\"urls\": [\"http://198.18.0.1/<script>x</script>\"],"
"  \"connections\": 100, \"rate_rps\": 20000,"
"  \"headers\": {\"X-A\": \"<b>&'\"}},"
" \"thresholds\": [{\"expr\": \"total.p99<5ms\", \"value\": 2700,"
"   \"ok\": true}, {\"expr\": \"errors==0\", \"value\": 5, \"ok\": false}]}");
	series = json_array();
	for (i = 0; i < 10; i++)
		json_array_append_new(series, json_pack(
			"{s:i, s:i, s:i, s:i, s:f, s:i, s:i, s:i, s:i}",
			"t", i + 1, "rps", 20000 + i, "requests", 20010 + i,
			"cps", 100, "gbps", 1.25, "open", 100,
			"errors", i == 7 ? 5 : 0, "p50_us", 300 + i,
			"p99_us", 2500 + i));
	json_object_set_new(r, "series", series);
	dist = json_object();
	for (k = 0; k < 3; k++) {
		rows = json_array();
		for (i = 0; i < 40; i++) {
			double p = 100.0 * (1 - 1.0 / (1 << (i / 3)));

			json_array_append_new(rows, json_pack(
				"{s:i, s:f, s:i}", "value_us", (k + 1) * (50 + i * i),
				"percentile", p, "count", i));
		}
		json_array_append_new(rows, json_pack("{s:i, s:f, s:i}",
			"value_us", (k + 1) * 5000, "percentile", 100.0,
			"count", 1));
		json_object_set_new(dist, lat[k], rows);
	}
	json_object_set_new(r, "distribution", dist);
	return r;
}

static char *
render(const json_t *r)
{
	char err[256] = "", *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (report_html(f, r, err, sizeof(err)) != 0)
		fail_msg("report_html failed: %s", err);
	fclose(f);
	return buf;
}

/* The figure with this id, as a string of its own (free it). */
static char *
figure(const char *html, const char *id)
{
	char want[128];
	const char *start, *end;

	snprintf(want, sizeof(want), "<figure class=\"chart\" id=\"%s\">", id);
	start = strstr(html, want);
	if (start == NULL)
		fail_msg("no figure %s", id);
	end = strstr(start, "</figure>");
	assert_non_null(end);
	return strndup(start, (size_t)(end - start));
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* Every element we open is closed. */
static void
check_balanced(const char *html)
{
	static const char *const tags[][2] = {
		{ "<svg", "</svg>" }, { "<figure", "</figure>" },
		{ "<table", "</table>" }, { "<tr>", "</tr>" },
		{ "<section", "</section>" }, { "<path", "\"/>" },
	};
	size_t i;

	assert_int_equal(count(html, "<!DOCTYPE html>"), 1);
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(html, "</html>\n"));
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (count(html, tags[i][0]) > count(html, tags[i][1]))
			fail_msg("%s not closed", tags[i][0]);
}

/* A request mix: a section with a row per entry (name, method and URL,
 * its figures, escaped) and the job's totals. */
static void
test_mix(void **state)
{
	json_t *r = full_result();
	char *html;

	(void)state;
	json_object_set_new(r, "mix", json_pack(
		"[{s:s, s:s, s:s, s:i, s:i, s:{s:i}, s:i, s:i, s:{s:i, s:i}},"
		" {s:s, s:s, s:s, s:i, s:i, s:{s:i}, s:i, s:i, s:{s:i, s:i}}]",
		"name", "get<1>", "method", "GET", "url", "http://h/a", "weight", 3,
		"requests", 30, "responses", "total", 29, "errors", 1,
		"body_bytes", 100, "latency_us", "p50", 80, "p99", 120,
		"name", "post", "method", "POST", "url", "http://h/b", "weight", 1,
		"requests", 10, "responses", "total", 10, "errors", 0,
		"body_bytes", 0, "latency_us", "p50", 90, "p99", 130));
	html = render(r);
	check_balanced(html);
	assert_non_null(strstr(html, "<table id=\"mix\">"));
	assert_non_null(strstr(html, "<td class=\"k\">get&lt;1&gt;</td>"
				     "<td class=\"k\">GET http://h/a</td>"
				     "<td>3</td><td>30</td><td>29</td><td>1</td>"
				     "<td>100</td>"));
	assert_non_null(strstr(html, "<td class=\"k\">total</td>"));
	free(html);
	json_decref(r);
	/* None without a mix. */
	r = full_result();
	html = render(r);
	assert_null(strstr(html, "id=\"mix\""));
	free(html);
	json_decref(r);
}

static void
test_full(void **state)
{
	json_t *r = full_result();
	char *html = render(r), *fig;
	const char *lat;
	static const char *const charts[] = {
		"chart-rate", "chart-conns", "chart-errors", "chart-latency",
		"chart-open", "chart-throughput", "chart-distribution",
	};
	size_t i;

	(void)state;
	check_balanced(html);
	/* every chart drawn, with axes and a line */
	for (i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		fig = figure(html, charts[i]);
		assert_non_null(strstr(fig, "<svg class=\"plot\""));
		assert_non_null(strstr(fig, "<g class=\"axis x\">"));
		assert_non_null(strstr(fig, "<g class=\"axis y\">"));
		assert_non_null(strstr(fig, "<path class=\"line s0\" d=\"M"));
		assert_null(strstr(fig, "no data"));
		free(fig);
	}
	fig = figure(html, "chart-rate");
	assert_non_null(strstr(fig, "requests sent/s"));
	assert_non_null(strstr(fig, "responses/s"));
	assert_non_null(strstr(fig, ">20k<"));	/* a y tick in k */
	free(fig);
	fig = figure(html, "chart-latency");
	assert_non_null(strstr(fig, "class=\"line s1\""));	/* p99 */
	assert_non_null(strstr(fig, " ms<"));
	free(fig);
	/* HdrHistogram's axis: 0, 90, 99, 99.9 ..., the maximum at the end */
	fig = figure(html, "chart-distribution");
	assert_non_null(strstr(fig, ">0%<"));
	assert_non_null(strstr(fig, ">90%<"));
	assert_non_null(strstr(fig, ">99%<"));
	assert_non_null(strstr(fig, ">99.9%<"));
	assert_non_null(strstr(fig, ">max<"));
	assert_non_null(strstr(fig, "</span>connect"));
	assert_non_null(strstr(fig, "</span>ttfb"));
	assert_non_null(strstr(fig, "</span>total"));
	assert_null(strstr(fig, "Summary points"));
	free(fig);
	/* header, parameters, figures */
	assert_non_null(strstr(html, "<h1>dpfetch report: job 3</h1>"));
	assert_non_null(strstr(html, "<table id=\"summary\">"));
	assert_non_null(strstr(html, "<table id=\"params\">"));
	assert_non_null(strstr(html, "<td class=\"k\">rate_rps</td>"
				     "<td class=\"v\">20000</td>"));
	assert_non_null(strstr(html, "<div class=\"figures\" id=\"figures\">"));
	assert_non_null(strstr(html, ">400k</div><div class=\"k\">requests<"));
	assert_non_null(strstr(html, "<td class=\"k\">reset</td><td>5</td>"));
	assert_null(strstr(html, "connect_timeout"));	/* zero: left out */
	/* the latency table: connect, TTFB, total in that order, p columns
	 * sorted, readable units */
	lat = strstr(html, "<table id=\"latency\">");
	assert_non_null(lat);
	assert_true(strstr(lat, ">connect<") < strstr(lat, ">ttfb<"));
	assert_true(strstr(lat, ">ttfb<") < strstr(lat, ">total<"));
	assert_non_null(strstr(lat, "<th>p50</th><th>p90</th><th>p99</th>"
				    "<th>p99.9</th><th>max</th>"));
	assert_non_null(strstr(lat, "<td>61.5 \xc2\xb5s</td>"));
	assert_non_null(strstr(lat, "<td>9.5 ms</td>"));
	/* thresholds */
	assert_non_null(strstr(html, "<table id=\"thresholds\">"));
	assert_non_null(strstr(html, "1 of 2 passed"));
	assert_non_null(strstr(html, "total.p99&lt;5ms"));
	assert_non_null(strstr(html, "<td class=\"k fail\">FAIL</td>"));
	/* user text escaped everywhere: no markup of theirs, no script */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, "http://198.18.0.1/&lt;script&gt;"
		"alert(1)&lt;/script&gt;?a=1&amp;b=&quot;x&quot;"));
	assert_non_null(strstr(html, "&lt;b&gt;&amp;&#39;"));
	/* self-contained: the only URLs are the user's, nothing loads */
	assert_int_equal(count(html, "http://"), 2);
	assert_int_equal(count(html, "http://198.18.0.1/&lt;script&gt;"), 2);
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href="));
	assert_null(strstr(html, "url("));
	assert_non_null(strstr(html, "default-src 'none'"));
	free(html);
	json_decref(r);
}

/* An older result: no series, no distribution, no thresholds. */
static void
test_no_series_no_distribution(void **state)
{
	json_t *r = full_result();
	char *html, *fig;

	(void)state;
	json_object_del(r, "series");
	json_object_del(r, "distribution");
	json_object_del(r, "thresholds");
	html = render(r);
	check_balanced(html);
	fig = figure(html, "chart-rate");
	assert_non_null(strstr(fig, "<p class=\"nodata\">no data</p>"));
	assert_null(strstr(fig, "<svg"));
	free(fig);
	assert_non_null(strstr(html, "no per-second series"));
	/* the distribution from the summary points, marked as such */
	fig = figure(html, "chart-distribution");
	assert_non_null(strstr(fig, "<svg class=\"plot\""));
	assert_non_null(strstr(fig, "<circle class=\"dot s2\""));
	assert_non_null(strstr(fig, "Summary points only"));
	assert_non_null(strstr(fig, ">99.9%<"));
	assert_non_null(strstr(fig, ">max<"));
	free(fig);
	assert_null(strstr(html, "id=\"thresholds\""));
	free(html);

	/* an empty series and a series without the new members */
	json_object_set_new(r, "series", json_array());
	html = render(r);
	fig = figure(html, "chart-conns");
	assert_non_null(strstr(fig, "no data"));
	free(fig);
	free(html);
	json_object_set_new(r, "series", parse(
		"[{\"t\": 1, \"rps\": 5, \"requests\": 5, \"cps\": 1,"
		"  \"gbps\": 0.0, \"open\": 1}]"));
	html = render(r);
	fig = figure(html, "chart-rate");
	/* one point: drawn as a dot */
	assert_non_null(strstr(fig, "<circle class=\"dot s0\""));
	free(fig);
	fig = figure(html, "chart-errors");
	assert_non_null(strstr(fig, "no data"));
	free(fig);
	fig = figure(html, "chart-latency");
	assert_non_null(strstr(fig, "no data"));
	free(fig);
	free(html);
	json_decref(r);
}

/* The least a result can be: a state. */
static void
test_minimal(void **state)
{
	json_t *r = parse("{\"state\": \"running\"}");
	char *html = render(r), *fig;

	(void)state;
	check_balanced(html);
	assert_non_null(strstr(html, "no parameters"));
	assert_null(strstr(html, "<table id=\"params\">"));
	assert_non_null(strstr(html, "no data: this result has no latencies"));
	fig = figure(html, "chart-distribution");
	assert_non_null(strstr(fig, "no data"));
	free(fig);
	assert_non_null(strstr(html, "<td class=\"k\">none</td><td>0</td>"));
	free(html);
	json_decref(r);
}

/* Per-second errors by kind add up; a zero-length distribution is no
 * line; a constant zero series still has a y axis. */
static void
test_odd_values(void **state)
{
	json_t *r = parse(
		"{\"state\": \"done\", \"series\": ["
		" {\"t\": 1, \"rps\": 0, \"errors\": {\"reset\": 2, \"refused\": 1}},"
		" {\"t\": 2, \"rps\": 0, \"errors\": {\"reset\": 0}},"
		" {\"t\": 3, \"rps\": 0, \"errors\": null}],"
		" \"distribution\": {\"total\": [], \"connect\": ["
		"  {\"value_us\": 10, \"percentile\": 0, \"count\": 1},"
		"  {\"value_us\": 10, \"percentile\": 100, \"count\": 1}]}}");
	char *html = render(r), *fig;

	(void)state;
	fig = figure(html, "chart-errors");
	assert_non_null(strstr(fig, "<svg"));
	assert_non_null(strstr(fig, ">3<"));	/* 2 + 1 at t=1 */
	free(fig);
	fig = figure(html, "chart-rate");
	assert_non_null(strstr(fig, "<svg"));
	assert_non_null(strstr(fig, ">1<"));	/* the y axis of all zeros */
	free(fig);
	fig = figure(html, "chart-distribution");
	assert_non_null(strstr(fig, "</span>connect"));
	assert_null(strstr(fig, "</span>total"));
	free(fig);
	free(html);
	json_decref(r);

	/* members the page does not know are left alone */
	r = parse("{\"state\": \"done\", \"latency_us\": {"
		  " \"total\": {\"count\": 2, \"p50\": 10, \"max\": 20,"
		  "  \"note\": \"x\", \"by_url\": {\"a\": 1}},"
		  " \"churn\": {\"total\": {\"count\": 1}}},"
		  " \"series\": [{\"t\": 1, \"future\": [1]}]}");
	html = render(r);
	assert_non_null(strstr(html, "<td class=\"k\">total</td><td>2</td>"));
	assert_null(strstr(html, ">churn<"));
	free(html);
	json_decref(r);
}

/* Numbers at the edges of a double, negative times, percentiles past the
 * last decade: a page without nan or inf, nothing drawn outside. */
static void
test_extremes(void **state)
{
	json_t *r = parse(
		"{\"state\": \"done\", \"series\": ["
		" {\"t\": -5, \"rps\": 1.7e308, \"cps\": -3, \"gbps\": 1e-300},"
		" {\"t\": 1e15, \"rps\": 1e308, \"cps\": 2, \"gbps\": 0}],"
		" \"latency_us\": {\"total\": {\"count\": 3, \"p50\": 1e300,"
		"  \"p99999999999\": 5, \"max\": 1.5e308}},"
		" \"distribution\": {\"total\": ["
		"  {\"value_us\": 0, \"percentile\": 99.99999999999, \"count\": 1},"
		"  {\"value_us\": 7, \"percentile\": 100, \"count\": 1}]}}");
	char *html = render(r), *fig;

	(void)state;
	check_balanced(html);
	assert_null(strstr(html, "nan"));
	assert_null(strstr(html, "inf"));
	fig = figure(html, "chart-rate");
	assert_non_null(strstr(fig, "no data"));
	free(fig);
	fig = figure(html, "chart-conns");
	assert_non_null(strstr(fig, "<svg"));
	free(fig);
	fig = figure(html, "chart-distribution");
	assert_non_null(strstr(fig, ">99.999999%<"));
	assert_non_null(strstr(fig, ">max<"));
	free(fig);
	free(html);
	json_decref(r);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *json;
		const char *err;
	} cases[] = {
		{ "[1, 2]", "not a JSON object" },
		{ "{\"job\": 1}", "no \"state\"" },
		{ "{\"state\": 5}", "no \"state\"" },
		{ "{\"state\": \"done\", \"series\": {}}", "\"series\" is not an array" },
		{ "{\"state\": \"done\", \"series\": [1]}", "series[0] is not an object" },
		{ "{\"state\": \"done\", \"series\": [{\"rps\": 1}]}", "series[0] has no number \"t\"" },
		{ "{\"state\": \"done\", \"series\": [{\"t\": 1}, {\"t\": 2, \"rps\": \"9\"}]}", "series[1].rps is not a number" },
		{ "{\"state\": \"done\", \"series\": [{\"t\": 1, \"errors\": []}]}", "series[0].errors" },
		{ "{\"state\": \"done\", \"distribution\": []}", "\"distribution\" is not an object" },
		{ "{\"state\": \"done\", \"distribution\": {\"total\": 1}}", "distribution.total is not an array" },
		{ "{\"state\": \"done\", \"distribution\": {\"total\": [{\"value_us\": 1, \"percentile\": 101}]}}", "distribution.total[0]" },
		{ "{\"state\": \"done\", \"distribution\": {\"total\": [{\"percentile\": 50}]}}", "distribution.total[0]" },
		{ "{\"state\": \"done\", \"latency_us\": {\"total\": 5}}", "latency_us.total is not an object" },
		{ "{\"state\": \"done\", \"latency_us\": {\"total\": {\"p50\": \"x\"}}}", "latency_us.total.p50" },
		{ "{\"state\": \"done\", \"thresholds\": {}}", "\"thresholds\" is not an array" },
		{ "{\"state\": \"done\", \"thresholds\": [{\"expr\": \"x\"}]}", "thresholds[0]" },
		{ "{\"state\": \"done\", \"params\": [1]}", "\"params\" is not an object" },
		{ "{\"state\": \"done\", \"rates\": 3}", "\"rates\" is not an object" },
	};
	char err[256], *buf;
	size_t i, len;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t je;
		json_t *r = json_loads(cases[i].json, JSON_DECODE_ANY, &je);

		assert_non_null(r);
		buf = NULL;
		len = 0;
		err[0] = '\0';
		f = open_memstream(&buf, &len);
		assert_non_null(f);
		if (report_html(f, r, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", cases[i].json);
		fclose(f);
		/* nothing half-written */
		assert_int_equal(len, 0);
		if (strstr(err, cases[i].err) == NULL)
			fail_msg("%s: error '%s', want '%s'", cases[i].json,
				 err, cases[i].err);
		free(buf);
		json_decref(r);
	}
}

static void
test_parse(void **state)
{
	char err[256];
	json_t *r;

	(void)state;
	r = report_parse("{\"state\": \"done\", \"job\": 2}", err,
			 sizeof(err));
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "job")), 2);
	json_decref(r);
	/* a JSON-RPC reply: its result */
	r = report_parse("{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": "
			 "{\"state\": \"running\", \"job\": 7}}", err,
			 sizeof(err));
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "job")), 7);
	json_decref(r);
	assert_null(report_parse("{\"jsonrpc\": \"2.0\", \"id\": 1, \"error\": "
				 "{\"code\": -32000, \"message\": \"no job 9\"}}",
				 err, sizeof(err)));
	assert_non_null(strstr(err, "no job 9"));
	assert_null(report_parse("{\"state\": ", err, sizeof(err)));
	assert_non_null(strstr(err, "not JSON: line 1"));
	assert_null(report_parse("", err, sizeof(err)));
	assert_non_null(strstr(err, "not JSON"));
}

static void
test_write_file(void **state)
{
	char dir[] = "/tmp/test_report.XXXXXX", path[128], err[256];
	json_t *r = full_result(), *bad = parse("{\"job\": 1}");
	char buf[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.html", dir);
	assert_int_equal(report_write_file(path, r, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "<!DOCTYPE html>\n");
	fclose(f);
	assert_int_equal(unlink(path), 0);
	/* a malformed result leaves no file */
	assert_int_equal(report_write_file(path, bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "state"));
	assert_int_not_equal(access(path, F_OK), 0);
	/* a file that cannot be written: named in the message */
	snprintf(path, sizeof(path), "%s/no/such/dir.html", dir);
	assert_int_equal(report_write_file(path, r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(rmdir(dir), 0);
	json_decref(bad);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_no_series_no_distribution),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mix),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_write_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
