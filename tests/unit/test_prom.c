/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the Prometheus text of stats and jobs (lib/core/prom.c). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (j == NULL)
		fail_msg("bad JSON in the test: %s: %s", jerr.text, text);
	return j;
}

static void
has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p += n;
	}
	fail_msg("no line '%s' in:\n%s", line, text);
}

static size_t
occurrences(const char *text, const char *s)
{
	size_t n = 0;
	const char *p = text;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

static void
test_snake(void **state)
{
	static const char *const cases[][2] = {
		{ "ActiveOpens", "active_opens" },
		{ "InCsumErrors", "in_csum_errors" },
		{ "rx_bytes", "rx_bytes" },
		{ "CurrEstab", "curr_estab" },
		{ "TsoSends", "tso_sends" },
		{ "status_2xx", "status_2xx" },
		{ "HTTPRequests", "http_requests" },
		{ "a-b.c", "a_b_c" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		prom_snake(cases[i][0], buf, sizeof(buf));
		assert_string_equal(buf, cases[i][1]);
	}
	/* truncated, terminated */
	prom_snake("ActiveOpens", buf, 5);
	assert_int_equal(strlen(buf), 3);
}

static void
test_quantile_keys(void **state)
{
	(void)state;
	assert_true(prom_quantile_of_key("p50") == 0.5);
	assert_true(prom_quantile_of_key("p90") == 0.9);
	assert_true(prom_quantile_of_key("p99") == 0.99);
	assert_true(prom_quantile_of_key("p999") > 0.99899 &&
		    prom_quantile_of_key("p999") < 0.99901);
	assert_true(prom_quantile_of_key("p9999") > 0.999899 &&
		    prom_quantile_of_key("p9999") < 0.999901);
	assert_true(prom_quantile_of_key("p5") == 0.05);
	assert_true(prom_quantile_of_key("p100") == 1.0);
	assert_true(prom_quantile_of_key("mean") < 0);
	assert_true(prom_quantile_of_key("p") < 0);
	assert_true(prom_quantile_of_key("p5x") < 0);
}

static const char stats_json[] =
	"{\"tcp\": {\"ActiveOpens\": 7, \"CurrEstab\": 3},"
	" \"http\": {\"responses\": 10},"
	" \"arp\": {\"rx_requests\": 1, \"entries\": 2, \"rx_not_for_us\": 1},"
	" \"mempool\": {\"in_use\": 5, \"total\": 100},"
	" \"ctl\": {\"clients\": 1, \"metrics_refused\": 4},"
	" \"lcores\": ["
	"  {\"lcore\": 1, \"tcp\": {\"ActiveOpens\": 3, \"CurrEstab\": 1},"
	"   \"http\": {\"responses\": 4}, \"arp\": {\"rx_requests\": 1,"
	"   \"entries\": 2}, \"mempool\": {\"in_use\": 5, \"total\": 100},"
	"   \"cpu\": {\"busy_cycles\": 11, \"connections\": 2,"
	"    \"busy_pct\": 1.5}},"
	"  {\"lcore\": 2, \"tcp\": {\"ActiveOpens\": 4, \"CurrEstab\": 2},"
	"   \"http\": {\"responses\": 6}, \"arp\": {\"rx_requests\": 0,"
	"   \"entries\": 2}, \"mempool\": {\"in_use\": 5, \"total\": 100},"
	"   \"cpu\": {\"busy_cycles\": 22, \"connections\": 3}}]}";

static const char jobs_json[] =
	"{\"jobs\": [{\"job\": 3, \"state\": \"running\","
	" \"requests_sent\": 12, \"responses\": {\"2xx\": 10, \"5xx\": 1,"
	" \"by_code\": {\"200\": 10}}, \"errors\": {\"reset\": 2},"
	" \"connections_open\": 4, \"elapsed_s\": 1.5,"
	" \"rates\": {\"rps\": 6.5, \"cps\": 2, \"gbps\": 0.25},"
	" \"latency_us\": {\"total\": {\"count\": 10, \"min\": 100,"
	" \"mean\": 250.0, \"p50\": 200, \"p999\": 900, \"max\": 1000}},"
	" \"buckets_us\": {\"total\": [[50, 0], [250, 6], [1000, 10]]}}]}";

static void
test_text(void **state)
{
	json_t *s = parse(stats_json), *j = parse(jobs_json);
	size_t len = 0;
	char *t = prom_text(s, j, &len);

	(void)state;
	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	/* counters per lcore, _total, one HELP and TYPE per family */
	has_line(t, "# TYPE dpfetch_tcp_active_opens_total counter");
	has_line(t, "dpfetch_tcp_active_opens_total{lcore=\"1\"} 3");
	has_line(t, "dpfetch_tcp_active_opens_total{lcore=\"2\"} 4");
	assert_int_equal(occurrences(t,
		"# HELP dpfetch_tcp_active_opens_total "), 1);
	assert_int_equal(occurrences(t,
		"# TYPE dpfetch_http_responses_total "), 1);
	/* gauges without _total, still per lcore */
	has_line(t, "# TYPE dpfetch_tcp_curr_estab gauge");
	has_line(t, "dpfetch_tcp_curr_estab{lcore=\"2\"} 2");
	/* whole-appliance values are not split by lcore */
	has_line(t, "dpfetch_arp_entries 2");
	/* not "_us": promtool would take it for microseconds */
	has_line(t, "dpfetch_arp_rx_not_ours_total 1");
	has_line(t, "dpfetch_mempool_in_use 5");
	has_line(t, "dpfetch_mempool_size 100");	/* not _total */
	has_line(t, "dpfetch_ctl_metrics_refused_total 4");
	has_line(t, "dpfetch_ctl_clients 1");
	assert_null(strstr(t, "dpfetch_arp_entries{"));
	/* the lcore's cpu object */
	has_line(t, "# TYPE dpfetch_lcore_busy_cycles_total counter");
	has_line(t, "dpfetch_lcore_busy_cycles_total{lcore=\"2\"} 22");
	has_line(t, "dpfetch_lcore_connections{lcore=\"1\"} 2");
	/* jobs */
	has_line(t, "dpfetch_job_state{job_id=\"3\",state=\"running\"} 1");
	has_line(t, "dpfetch_job_state{job_id=\"3\",state=\"done\"} 0");
	has_line(t, "dpfetch_job_rps{job_id=\"3\"} 6.5");
	has_line(t, "dpfetch_job_cps{job_id=\"3\"} 2");
	has_line(t, "dpfetch_job_connections_open{job_id=\"3\"} 4");
	has_line(t, "dpfetch_job_requests_sent_total{job_id=\"3\"} 12");
	has_line(t, "dpfetch_job_responses_total{job_id=\"3\",class=\"2xx\"} 10");
	assert_null(strstr(t, "by_code"));
	has_line(t, "dpfetch_job_errors_total{job_id=\"3\",kind=\"reset\"} 2");
	has_line(t, "# TYPE dpfetch_job_latency_quantiles_seconds summary");
	has_line(t, "dpfetch_job_latency_quantiles_seconds{job_id=\"3\",kind=\"total\",quantile=\"0\"} 0.0001");
	has_line(t, "dpfetch_job_latency_quantiles_seconds{job_id=\"3\",kind=\"total\",quantile=\"0.5\"} 0.0002");
	has_line(t, "dpfetch_job_latency_quantiles_seconds{job_id=\"3\",kind=\"total\",quantile=\"0.999\"} 0.0009");
	has_line(t, "dpfetch_job_latency_quantiles_seconds{job_id=\"3\",kind=\"total\",quantile=\"1\"} 0.001");
	has_line(t, "dpfetch_job_latency_quantiles_seconds_sum{job_id=\"3\",kind=\"total\"} 0.0025");
	has_line(t, "dpfetch_job_latency_quantiles_seconds_count{job_id=\"3\",kind=\"total\"} 10");
	/* buckets_us: a histogram in seconds, +Inf from the count */
	has_line(t, "# TYPE dpfetch_job_latency_seconds histogram");
	has_line(t, "dpfetch_job_latency_seconds_bucket{job_id=\"3\",kind=\"total\",le=\"5e-05\"} 0");
	has_line(t, "dpfetch_job_latency_seconds_bucket{job_id=\"3\",kind=\"total\",le=\"0.00025\"} 6");
	has_line(t, "dpfetch_job_latency_seconds_bucket{job_id=\"3\",kind=\"total\",le=\"0.001\"} 10");
	has_line(t, "dpfetch_job_latency_seconds_bucket{job_id=\"3\",kind=\"total\",le=\"+Inf\"} 10");
	has_line(t, "dpfetch_job_latency_seconds_sum{job_id=\"3\",kind=\"total\"} 0.0025");
	has_line(t, "dpfetch_job_latency_seconds_count{job_id=\"3\",kind=\"total\"} 10");
	/* every sample line is NAME[{...}] VALUE; the text ends in \n */
	assert_int_equal(t[len - 1], '\n');
	free(t);
	json_decref(s);
	json_decref(j);
}

static void
test_totals_and_escaping(void **state)
{
	/* without per_lcore: totals, no label; odd label values escaped */
	json_t *s = parse("{\"tcp\": {\"ActiveOpens\": 7}}");
	json_t *j = parse("{\"jobs\": [{\"job\": \"a\\\"b\\\\c\\nd\","
			  " \"state\": \"done\", \"rates\": {\"rps\": 1e300}}]}");
	char *t = prom_text(s, j, NULL);

	(void)state;
	assert_non_null(t);
	has_line(t, "dpfetch_tcp_active_opens_total 7");
	has_line(t, "dpfetch_job_rps{job_id=\"a\\\"b\\\\c\\nd\"} 1e+300");
	free(t);
	/* nothing at all: an empty page */
	t = prom_text(NULL, NULL, NULL);
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
	json_decref(s);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snake),
		cmocka_unit_test(test_quantile_keys),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_totals_and_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
