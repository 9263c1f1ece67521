/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the formatting of control replies: exact text. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_fmt.h"

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (j == NULL)
		fail_msg("bad JSON in the test: %s: %s", jerr.text, text);
	return j;
}

/* Both texts in full when they differ: a diff by eye is easier. */
static void
check_text(const char *what, char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n--- got\n%s--- want\n%s---", what, got, want);
	free(got);
}

static void
check_result(const char *method, const char *reply, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	json_t *j = parse(reply);
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ctl_fmt_result(f, method, j);
	fclose(f);
	json_decref(j);
	check_text(method, buf, want);
}

static void
test_stats_tree(void **state)
{
	(void)state;
	check_result("stats.get",
		"{\"tcp\": {\"ActiveOpens\": 12, \"CurrEstab\": 3, "
		"\"RetransSegs\": 0}, \"http\": {\"requests\": 5, "
		"\"rate\": 0.25}, \"mempool\": {\"in_use\": 100, "
		"\"port_held\": 100}}",
		"tcp\n"
		"  ActiveOpens  12\n"
		"  CurrEstab    3\n"
		"  RetransSegs  0\n"
		"http\n"
		"  requests  5\n"
		"  rate      0.25\n"
		"mempool\n"
		"  in_use     100\n"
		"  port_held  100\n");
}

static void
test_stats_per_lcore(void **state)
{
	(void)state;
	check_result("stats.get",
		"{\"tcp\": {\"InSegs\": 12}, \"lcores\": ["
		"{\"lcore\": 0, \"tcp\": {\"InSegs\": 5}}, "
		"{\"lcore\": 1, \"tcp\": {\"InSegs\": 7}}]}",
		"tcp\n"
		"  InSegs  12\n"
		"lcores\n"
		"  lcore 0\n"
		"    tcp\n"
		"      InSegs  5\n"
		"  lcore 1\n"
		"    tcp\n"
		"      InSegs  7\n");
}

static void
test_arp_table(void **state)
{
	(void)state;
	check_result("arp.list",
		"{\"entries\": [{\"ip\": \"198.18.0.1\", "
		"\"mac\": \"02:00:00:00:00:01\", \"state\": \"REACHABLE\", "
		"\"static\": false}, {\"ip\": \"198.18.0.254\", "
		"\"mac\": null, \"state\": \"INCOMPLETE\", \"static\": true}]}",
		"ip            mac                state       static\n"
		"198.18.0.1    02:00:00:00:00:01  REACHABLE   false\n"
		"198.18.0.254  -                  INCOMPLETE  true\n");
	check_result("arp.list", "{\"entries\": []}", "(none)\n");
}

static void
test_conns(void **state)
{
	(void)state;
	check_result("conn.list",
		"{\"conns\": [{\"lcore\": 0, \"state\": \"ESTABLISHED\", "
		"\"local\": \"198.18.0.2:40000\", "
		"\"remote\": \"198.18.0.1:80\", \"cwnd\": 10, "
		"\"srtt_us\": 51, \"rto_us\": 200000, \"retrans\": 0, "
		"\"snd_wnd\": 65535, \"rcv_wnd\": 1048576}, "
		"{\"lcore\": 1, \"state\": \"SYN_SENT\", "
		"\"local\": \"198.18.0.2:40001\", "
		"\"remote\": \"198.18.0.1:80\", \"cwnd\": 1, \"srtt_us\": 0, "
		"\"rto_us\": 1000000, \"retrans\": 1, \"snd_wnd\": 0, "
		"\"rcv_wnd\": 1048576}], \"total\": 5}",
		"State        Lcore  Local Address:Port  Peer Address:Port\n"
		"ESTABLISHED      0  198.18.0.2:40000    198.18.0.1:80\n"
		"\t rto:200 rtt:0.051 cwnd:10 retrans:0 snd_wnd:65535 "
		"rcv_wnd:1048576\n"
		"SYN_SENT         1  198.18.0.2:40001    198.18.0.1:80\n"
		"\t rto:1000 rtt:0 cwnd:1 retrans:1 snd_wnd:0 rcv_wnd:1048576\n"
		"2 of 5 connections shown\n");
	check_result("conn.list", "{\"conns\": [], \"total\": 0}",
		"State  Lcore  Local Address:Port  Peer Address:Port\n"
		"0 connections\n");
}

static const char job_done[] =
	"{\"job\": 3, \"state\": \"done\", \"requests_sent\": 12345, "
	"\"responses\": {\"2xx\": 12300, \"3xx\": 0, \"4xx\": 45, "
	"\"5xx\": 0, \"by_code\": {\"200\": 12300, \"404\": 45}}, "
	"\"errors\": {\"connect_timeout\": 0, \"reset\": 2, \"refused\": 0, "
	"\"parse_error\": 1}, "
	"\"bytes_rx\": 1234567890, \"bytes_tx\": 987654, "
	"\"connections_opened\": 64, \"connections_open\": 0, "
	"\"elapsed_s\": 10.0, "
	"\"rates\": {\"rps\": 1234.5, \"cps\": 6.4, \"gbps\": 0.98765}, "
	"\"latency_us\": {"
	"\"ttfb\": {\"count\": 12345, \"min\": 80, \"mean\": 210.5, "
	"\"p50\": 190, \"p90\": 320, \"p99\": 900, \"p999\": 2100, "
	"\"max\": 5000}, "
	"\"connect\": {\"count\": 64, \"min\": 40, \"mean\": 55.5, "
	"\"p50\": 52, \"p90\": 70, \"p99\": 90, \"p999\": 95, \"max\": 97}, "
	"\"total\": {\"count\": 12345, \"min\": 85, \"mean\": 400, "
	"\"p50\": 350, \"p90\": 700, \"p99\": 1500, \"p999\": 3000, "
	"\"max\": 9000}}, "
	"\"series\": [{\"t\": 1, \"rps\": 1200, \"cps\": 64, \"gbps\": 0.9, "
	"\"open\": 64}]}";

static const char job_done_text[] =
	"job 3: done, 10.00 s\n"
	"requests     12345 sent\n"
	"responses    2xx 12300   3xx 0   4xx 45   5xx 0\n"
	"by code      200 12300   404 45\n"
	"errors       reset 2   parse_error 1\n"
	"connections  64 opened, 0 open\n"
	"transfer     rx 1.23 GB (1234567890 B)   tx 987.65 kB (987654 B)\n"
	"rates        1234.5 req/s   6.4 conn/s   0.988 Gbit/s\n"
	/* columns as wide as their cells: the table fits 80 columns */
	"latency (us)  count  min   mean  p50  p90   p99  p99.9   max\n"
	"  connect        64   40   55.5   52   70    90     95    97\n"
	"  ttfb        12345   80  210.5  190  320   900   2100  5000\n"
	"  total       12345   85    400  350  700  1500   3000  9000\n";

static void
test_job_summary(void **state)
{
	(void)state;
	/* connect, ttfb, total in that order whatever the reply's order */
	check_result("fetch.wait", job_done, job_done_text);
	check_result("fetch.status", job_done, job_done_text);
}

static void
test_job_sparse(void **state)
{
	(void)state;
	/* a reply with almost nothing in it still reads, with "-" */
	check_result("fetch.status",
		"{\"job\": \"j-1\", \"state\": \"failed\", "
		"\"errors\": {\"refused\": 0}}",
		"job j-1: failed\n"
		"requests     - sent\n"
		"responses    -\n"
		"errors       none\n"
		"connections  - opened, - open\n"
		"transfer     rx -   tx -\n");
}

/* A request mix: a row per entry (name, or method and URL when the name
 * is the URL as given), then the job's totals the rows add up to. */
static void
test_job_mix(void **state)
{
	(void)state;
	check_result("fetch.status",
		"{\"job\": 4, \"state\": \"done\", \"requests_sent\": 100,"
		" \"responses\": {\"2xx\": 88, \"4xx\": 10},"
		" \"errors\": {\"reset\": 2}, \"body_bytes\": 5000,"
		" \"latency_us\": {\"total\": {\"count\": 98, \"p50\": 300,"
		" \"p99\": 900}},"
		" \"mix\": [{\"name\": \"get\", \"method\": \"GET\","
		" \"weight\": 9, \"requests\": 90, \"responses\": {\"total\": 88},"
		" \"errors\": 2, \"body_bytes\": 5000,"
		" \"latency_us\": {\"count\": 88, \"p50\": 250, \"p99\": 800}},"
		" {\"name\": \"http://198.18.0.1/x\", \"method\": \"POST\","
		" \"weight\": 1, \"requests\": 10, \"responses\": {\"total\": 10},"
		" \"errors\": 0, \"body_bytes\": 0,"
		" \"latency_us\": {\"count\": 10, \"p50\": 700, \"p99\": 950.5}}]}",
		"job 4: done\n"
		"requests     100 sent\n"
		"responses    2xx 88   3xx -   4xx 10   5xx -\n"
		"errors       reset 2\n"
		"connections  - opened, - open\n"
		"transfer     rx -   tx -\n"
		"latency (us)  count  min  mean  p50  p99  max\n"
		"  total          98    -     -  300  900    -\n"
		"mix\n"
		"  entry                     weight  requests  responses  errors"
		"  body_bytes  p50_us  p99_us\n"
		"  get                            9        90         88       2"
		"        5000     250     800\n"
		"  POST http://198.18.0.1/x       1        10         10       0"
		"           0     700   950.5\n"
		"  total                         10       100         98       2"
		"        5000     300     900\n");
}

/* The job's own percentiles as columns (p99.99 from "p9999"), service
 * rows after total, thresholds and the first error. */
static void
test_job_verdict(void **state)
{
	(void)state;
	check_result("fetch.wait",
		"{\"job\": 4, \"state\": \"done\", \"errors\": {\"reset\": 1}, "
		"\"latency_us\": {"
		"\"total\": {\"count\": 9, \"min\": 1, \"mean\": 2, "
		"\"p50\": 2, \"p9999\": 8, \"max\": 9}, "
		"\"service\": {\"count\": 9, \"min\": 1, \"mean\": 1.5, "
		"\"p50\": 1, \"p9999\": 3, \"max\": 4}}, "
		"\"thresholds\": [{\"expr\": \"total.p99<5ms\", \"value\": 8, "
		"\"ok\": true}, {\"expr\": \"errors==0\", \"value\": 1, "
		"\"ok\": false}], "
		"\"first_error\": \"reset by 198.18.0.1:80\"}",
		"job 4: done\n"
		"requests     - sent\n"
		"responses    -\n"
		"errors       reset 1\n"
		"connections  - opened, - open\n"
		"transfer     rx -   tx -\n"
		"latency (us)  count  min  mean  p50  p99.99  max\n"
		"  total           9    1     2    2       8    9\n"
		"  service         9    1   1.5    1       3    4\n"
		"thresholds   total.p99<5ms                           8  ok\n"
		"             errors==0                               1  FAILED\n"
		"first error  reset by 198.18.0.1:80\n");
}

/* fetch.search: the range, a row per step with why it failed, the
 * answer; and dpfetch --search's progress line. */
static void
test_search(void **state)
{
	static const char reply[] =
		"{\"dial\": \"rate_rps\", \"min\": 500.0, \"max\": 8000.0, "
		"\"slo\": [\"total.p99<50ms\", \"errors==0\"], "
		"\"answer\": 2000.0, \"end\": \"converged\", \"steps\": ["
		"{\"step\": 1, \"rate\": 8000.0, \"achieved\": 2003.5, "
		"\"ok\": false, \"slo\": [{\"expr\": \"total.p99<50ms\", "
		"\"value\": 61024, \"ok\": false}, {\"expr\": \"errors==0\", "
		"\"value\": 0, \"ok\": true}], \"p50_us\": 31872, "
		"\"p99_us\": 61024, \"errors\": 0, \"job\": 1}, "
		"{\"step\": 2, \"rate\": 500.0, \"achieved\": 499.7, "
		"\"ok\": true, \"slo\": [], \"p50_us\": 70, \"p99_us\": 147, "
		"\"errors\": 0, \"job\": 2}, "
		"{\"step\": 3, \"rate\": 2830.0, \"achieved\": 0.0, "
		"\"ok\": false, \"slo\": [], \"p50_us\": 0, \"p99_us\": 0, "
		"\"errors\": 12, \"job\": 3, \"note\": \"the job ended early\"}"
		"], \"elapsed_s\": 27.71}";
	char *buf = NULL;
	size_t len = 0;
	json_t *j;
	FILE *f;

	(void)state;
	check_result("fetch.search", reply,
		"search rate_rps 500..8000, slo: total.p99<50ms errors==0\n"
		"step  rate  achieved  p50_ms  p99_ms  errors  job  verdict\n"
		"   1  8000    2003.5  31.872  61.024       0    1  FAILED total.p99<50ms achieved 25%\n"
		"   2   500     499.7   0.070   0.147       0    2  ok\n"
		"   3  2830       0.0   0.000   0.000      12    3  FAILED achieved 0% (the job ended early)\n"
		"answer: 2000 rate_rps (converged after 3 steps, 27.7 s)\n");
	check_result("fetch.search",
		"{\"dial\": \"rate_cps\", \"min\": 10, \"max\": 20, "
		"\"slo\": [], \"answer\": null, \"end\": \"error\", "
		"\"steps\": [], \"elapsed_s\": 0.5, \"error\": \"no memory\"}",
		"search rate_cps 10..20, slo: (none)\n"
		"answer: none (no step passed) (error after 0 steps, 0.5 s)\n"
		"error: no memory\n");
	j = parse(reply);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	ctl_fmt_search_step(f, json_array_get(json_object_get(j, "steps"), 1));
	fclose(f);
	json_decref(j);
	check_text("step", buf, "step 2: rate 500, achieved 499.7/s, "
		   "p50 0.070 ms, p99 0.147 ms, 0 errors, job 2: ok\n");
}

static void
test_jobs(void **state)
{
	(void)state;
	check_result("fetch.list",
		"{\"jobs\": [{\"job\": 1, \"state\": \"done\", "
		"\"requests_sent\": 100, \"responses\": {\"2xx\": 100, "
		"\"3xx\": 0, \"4xx\": 0, \"5xx\": 0}, \"errors\": "
		"{\"reset\": 0}, \"elapsed_s\": 1.5, \"connections_open\": 0, "
		"\"rates\": {\"rps\": 66.7, \"cps\": 1, \"gbps\": 0.001}}, "
		"{\"job\": 12, \"state\": \"running\", \"requests_sent\": 5, "
		"\"responses\": {\"2xx\": 5, \"3xx\": 0, \"4xx\": 0, "
		"\"5xx\": 0}, \"errors\": {\"reset\": 1, \"refused\": 2}, "
		"\"elapsed_s\": 0.25, \"connections_open\": 4, "
		"\"rates\": {\"rps\": 25, \"cps\": 20, \"gbps\": 0}}]}",
		"job  state    elapsed_s  requests  2xx  3xx  4xx  5xx  errors"
		"  open   rps   cps   gbps\n"
		"  1  done           1.5       100  100    0    0    0       0"
		"     0  66.7   1.0  0.001\n"
		" 12  running        0.2         5    5    0    0    0       3"
		"     4  25.0  20.0  0.000\n");
	check_result("fetch.list", "{\"jobs\": []}", "no jobs\n");
}

static void
test_small_replies(void **state)
{
	(void)state;
	check_result("fetch.start", "{\"job\": 4}", "job 4 started\n");
	check_result("stats.reset", "{}", "ok\n");
	check_result("app.shutdown", "null", "ok\n");
	check_result("server.start", "true", "ok\n");
	check_result("x.count", "42", "42\n");
	check_result("app.info",
		"{\"version\": \"0.1.0\", \"dpdk_version\": \"DPDK 22.11.11\", "
		"\"lcores\": [0, 1], \"ports\": 1, \"uptime_s\": 12.5}",
		"version       0.1.0\n"
		"dpdk_version  DPDK 22.11.11\n"
		"lcores        0, 1\n"
		"ports         1\n"
		"uptime_s      12.5\n");
	/* an array of objects inside an object is a table */
	check_result("port.list",
		"{\"ports\": [{\"id\": 0, \"name\": \"net_memif0\", "
		"\"link\": true, \"speed_mbps\": 10000}]}",
		"ports\n"
		"  id  name        link  speed_mbps\n"
		"   0  net_memif0  true       10000\n");
	/* a bare array of objects too, with the union of their members */
	check_result("port.list",
		"[{\"id\": 0, \"name\": \"a\"}, {\"id\": 1, \"mtu\": 9000}]",
		"id  name   mtu\n"
		" 0  a        -\n"
		" 1  -     9000\n");
}

static void
test_watch(void **state)
{
	json_t *info, *status, *series, *jobs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int t;

	(void)state;
	info = parse("{\"version\": \"0.1.0\", \"dpdk_version\": "
		     "\"DPDK 22.11.11\", \"lcores\": 2, \"ports\": 1, "
		     "\"uptime_s\": 3725}");
	status = parse("{\"job\": 2, \"state\": \"running\", "
		       "\"requests_sent\": 5, \"elapsed_s\": 12, "
		       "\"errors\": {}}");
	/* twelve seconds of series: the screen shows the last ten */
	series = json_array();
	for (t = 1; t <= 12; t++)
		json_array_append_new(series, json_pack("{s:i, s:i, s:i, "
			"s:f, s:i}", "t", t, "rps", 100 * t, "cps", 2,
			"gbps", 0.5, "open", 4));
	json_object_set_new(status, "series", series);
	jobs = parse("{\"jobs\": [{\"job\": 2, \"state\": \"running\"}]}");
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	ctl_fmt_watch(f, info, status, jobs);
	fclose(f);
	check_text("watch", buf,
		"dpfetch 0.1.0  DPDK 22.11.11  lcores 2  ports 1  up 1:02:05\n"
		"\n"
		"job 2: running, 12.00 s\n"
		"requests     5 sent\n"
		"responses    -\n"
		"errors       none\n"
		"connections  - opened, - open\n"
		"transfer     rx -   tx -\n"
		"\n"
		" t   rps  cps  gbps  open\n"
		" 3   300    2   0.5     4\n"
		" 4   400    2   0.5     4\n"
		" 5   500    2   0.5     4\n"
		" 6   600    2   0.5     4\n"
		" 7   700    2   0.5     4\n"
		" 8   800    2   0.5     4\n"
		" 9   900    2   0.5     4\n"
		"10  1000    2   0.5     4\n"
		"11  1100    2   0.5     4\n"
		"12  1200    2   0.5     4\n"
		"\n"
		"job  state    elapsed_s  requests  2xx  3xx  4xx  5xx  errors"
		"  open  rps  cps  gbps\n"
		"  2  running          -         -    -    -    -    -       -"
		"     -    -    -     -\n");

	/* nothing to show but the absence of a job */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	ctl_fmt_watch(f, NULL, NULL, NULL);
	fclose(f);
	check_text("empty watch", buf, "no job running\n");
	json_decref(info);
	json_decref(status);
	json_decref(jobs);
}

static void
test_scalar(void **state)
{
	static const struct {
		const char *json, *text;
	} cases[] = {
		{ "\"abc\"", "abc" }, { "-7", "-7" }, { "0.5", "0.5" },
		{ "1234.56", "1235" }, { "12.3456", "12.3" },
		{ "0.012345", "0.0123" }, { "0.00001234", "1.23e-05" },
		{ "true", "true" },
		{ "false", "false" }, { "null", "-" },
		{ "{\"a\": [1]}", "{\"a\":[1]}" },
	};
	char buf[32];
	size_t i;
	json_t *j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = parse(cases[i].json);
		ctl_fmt_scalar(buf, sizeof(buf), j);
		assert_string_equal(buf, cases[i].text);
		json_decref(j);
	}
	ctl_fmt_scalar(buf, sizeof(buf), NULL);
	assert_string_equal(buf, "-");
	/* truncated, still terminated */
	j = json_string("0123456789");
	ctl_fmt_scalar(buf, 5, j);
	assert_string_equal(buf, "0123");
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_tree),
		cmocka_unit_test(test_stats_per_lcore),
		cmocka_unit_test(test_arp_table),
		cmocka_unit_test(test_conns),
		cmocka_unit_test(test_job_summary),
		cmocka_unit_test(test_job_sparse),
		cmocka_unit_test(test_job_verdict),
		cmocka_unit_test(test_job_mix),
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_small_replies),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_scalar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
