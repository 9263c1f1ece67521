/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition format 0.0.4 (see prom.h).
 *
 * The families come out in the order of the JSON (sections, then their
 * counters, as stats.get lists them), each as "# HELP", "# TYPE" and
 * its samples together, as the format requires.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* open_memstream */
#endif
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

#define NAME_MAX_LEN	128

/* What each stats.get section counts, for the HELP lines. */
static const struct {
	const char *section;
	const char *what;
} section_help[] = {
	{ "port", "packet path (software counters of the port)" },
	{ "eth", "Ethernet input" },
	{ "arp", "ARP and the neighbour table" },
	{ "ip", "IPv4" },
	{ "icmp", "ICMP" },
	{ "tcp", "TCP (Linux TCP MIB names where one exists)" },
	{ "http", "HTTP client of the load jobs" },
	{ "httpd", "built-in HTTP server" },
	{ "echo", "TCP echo server" },
	{ "impair", "fault injection" },
	{ "mempool", "mbuf pool" },
	{ "ctl", "control server and metrics endpoint" },
	{ "ipv6", "IPv6" },
	{ "nd", "IPv6 Neighbor Discovery and its neighbour table" },
	{ "icmp6", "ICMPv6" },
};

/* Values that go up and down; everything else in the sections counts. */
static const char *const gauges[] = {
	"tcp.CurrEstab", "tcp.HalfOpen", "tcp.HalfOpenPeak", "arp.entries",
	"nd.entries",
	"mempool.in_use", "mempool.port_held", "mempool.total",
	"ctl.clients", "ctl.pending", "ctl.tcp_clients", "ctl.metrics_clients",
	NULL
};

/* Whole-appliance values, never split by lcore. */
static const char *const global_sections[] = { "ctl", "mempool", NULL };
static const char *const global_keys[] = { "arp.entries", NULL };

/* A few values whose name alone says too little. */
static const struct {
	const char *key;
	const char *help;
} key_help[] = {
	{ "tcp.CurrEstab", "TCP connections established now" },
	{ "tcp.HalfOpen", "TCP connections in SYN_RECEIVED now" },
	{ "tcp.HalfOpenPeak", "most TCP connections in SYN_RECEIVED at once" },
	{ "arp.entries", "entries in the neighbour table now" },
	{ "mempool.in_use", "mbufs in use now" },
	{ "mempool.port_held", "mbufs held by the port's queues at start" },
	{ "mempool.total", "mbufs in the pool" },
	{ "ctl.clients", "control clients connected now" },
	{ "ctl.metrics_clients", "metrics clients connected now" },
	{ "ctl.metrics_refused",
	  "metrics connections refused: too many clients (503)" },
	{ "ctl.metrics_evicted",
	  "metrics clients closed to make room for a new one" },
	{ "ctl.metrics_timeouts",
	  "metrics clients closed: no whole exchange within the timeout" },
	{ "ctl.metrics_oversize",
	  "metrics requests refused: head over the size limit (431)" },
	{ "ctl.metrics_scrapes", "metrics pages served (GET /metrics)" },
	{ "ctl.metrics_not_found", "metrics requests for another path (404)" },
	{ "ctl.metrics_bad_method",
	  "metrics requests with another method than GET (405)" },
	{ "ctl.metrics_bad_requests",
	  "metrics requests that are not HTTP/1.x (400)" },
};

/* The per-lcore "cpu" object of stats.get. */
static const struct {
	const char *key;
	const char *type;
	const char *help;
} cpu_metrics[] = {
	{ "busy_cycles", "counter",
	  "TSC cycles in poll-loop iterations that moved packets" },
	{ "idle_cycles", "counter",
	  "TSC cycles in poll-loop iterations that did not" },
	{ "loops", "counter", "poll-loop iterations" },
	{ "connections", "gauge", "TCP connections held (any state)" },
	{ "established", "gauge", "TCP connections established" },
	{ "jobs", "gauge", "job shares running on the lcore" },
	{ "tsc_hz", "gauge", "TSC frequency" },
};

/* Job values read at a path of a fetch.list entry. */
static const struct {
	const char *name;
	const char *path;
	const char *type;
	const char *help;
} job_metrics[] = {
	{ "elapsed_seconds", "elapsed_s", "gauge",
	  "from the job's start to its end (or now)" },
	{ "rps", "rates.rps", "gauge",
	  "responses per second, averaged over elapsed_s" },
	{ "cps", "rates.cps", "gauge",
	  "connections opened per second, averaged over elapsed_s" },
	{ "gbps", "rates.gbps", "gauge",
	  "received Gbit/s, averaged over elapsed_s" },
	{ "connections_open", "connections_open", "gauge",
	  "connections the job holds open now" },
	{ "connections_opened_total", "connections_opened", "counter",
	  "connection attempts" },
	{ "connections_established_total", "connections_established",
	  "counter", "handshakes completed" },
	{ "requests_sent_total", "requests_sent", "counter",
	  "requests written to TCP" },
	{ "requests_failed_total", "requests_failed", "counter",
	  "requests that will never get an answer because of an error" },
	{ "requests_cancelled_total", "requests_cancelled", "counter",
	  "requests in flight when the job ended" },
	{ "bytes_rx_total", "bytes_rx", "counter",
	  "response bytes with headers" },
	{ "body_bytes_total", "body_bytes", "counter", "response body bytes" },
	{ "bytes_tx_total", "bytes_tx", "counter",
	  "request bytes handed to TCP" },
};

static const char *const job_states[] = {
	"created", "running", "done", "stopped", "failed", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

void
prom_snake(const char *name, char *buf, size_t size)
{
	size_t o = 0, i;
	char c;

	if (size == 0)
		return;
	for (i = 0; name[i] != '\0' && o + 2 < size; i++) {
		c = name[i];
		if (isupper((unsigned char)c)) {
			/* a word starts: aB, 9B, or the B of ABc */
			if (i > 0 && (islower((unsigned char)name[i - 1]) ||
				      isdigit((unsigned char)name[i - 1]) ||
				      (isupper((unsigned char)name[i - 1]) &&
				       islower((unsigned char)name[i + 1]))) &&
			    o > 0 && buf[o - 1] != '_')
				buf[o++] = '_';
			c = (char)tolower((unsigned char)c);
		} else if (!isalnum((unsigned char)c)) {
			c = '_';
		}
		buf[o++] = c;
	}
	buf[o] = '\0';
}

double
prom_quantile_of_key(const char *key)
{
	const char *d;
	double v;
	size_t n;

	if (key[0] != 'p' || key[1] == '\0')
		return -1;
	for (d = key + 1; *d != '\0'; d++)
		if (!isdigit((unsigned char)*d))
			return -1;
	d = key + 1;
	n = strlen(d);
	/* hist_pct_key: the percentile without its dot, so the first two
	 * digits are the whole part ("p999" is 99.9), one digit alone is
	 * itself ("p5" is 5) and "p100" is 100. */
	if (n == 1 || strcmp(d, "100") == 0) {
		v = atof(d);
	} else {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "%.2s.%s", d, d + 2);
		v = atof(tmp);
	}
	return v / 100.0;
}

/* A value as the format writes it; 0 when it is not a number. */
static int
number_of(const json_t *v, double *d, long long *ll, int *is_int)
{
	if (json_is_integer(v)) {
		*ll = json_integer_value(v);
		*is_int = 1;
		return 0;
	}
	if (json_is_real(v)) {
		*d = json_real_value(v);
		*is_int = 0;
		return 0;
	}
	if (json_is_boolean(v)) {
		*ll = json_is_true(v);
		*is_int = 1;
		return 0;
	}
	return -1;
}

static void
put_double(FILE *f, double d)
{
	if (isnan(d))
		fputs("NaN", f);
	else if (isinf(d))
		fputs(d > 0 ? "+Inf" : "-Inf", f);
	else {
		char buf[32];

		/* the shortest of 15 and 17 digits that reads back exact */
		snprintf(buf, sizeof(buf), "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, sizeof(buf), "%.17g", d);
		fputs(buf, f);
	}
}

static void
put_value(FILE *f, const json_t *v)
{
	long long ll = 0;
	double d = 0;
	int is_int = 0;

	if (number_of(v, &d, &ll, &is_int) != 0)
		fputs("NaN", f);
	else if (is_int)
		fprintf(f, "%lld", ll);
	else
		put_double(f, d);
}

/* A label value: backslash, double quote and newline escaped. */
static void
put_label_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* HELP text: backslash and newline escaped. */
static void
put_family(FILE *f, const char *name, const char *type, const char *help)
{
	const char *s;

	fprintf(f, "# HELP %s ", name);
	for (s = help; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* The label value of a JSON scalar (job ids are integers). */
static void
scalar_text(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, size, "?");
}

static const char *
section_what(const char *section)
{
	size_t i;

	for (i = 0; i < sizeof(section_help) / sizeof(section_help[0]); i++)
		if (strcmp(section_help[i].section, section) == 0)
			return section_help[i].what;
	return "counters";
}

static const char *
key_what(const char *dotted)
{
	size_t i;

	for (i = 0; i < sizeof(key_help) / sizeof(key_help[0]); i++)
		if (strcmp(key_help[i].key, dotted) == 0)
			return key_help[i].help;
	return NULL;
}

/* One counter of a stats.get section: a family, per lcore if it can. */
static void
stats_family(FILE *f, const json_t *stats, const char *section,
	     const char *key, const json_t *total)
{
	const json_t *lcores = json_object_get(stats, "lcores");
	char dotted[NAME_MAX_LEN], snake[NAME_MAX_LEN], name[NAME_MAX_LEN * 2];
	char help[NAME_MAX_LEN * 3], lc[32];
	const char *what, *type;
	const json_t *l, *v;
	size_t i;
	int per_lcore;

	snprintf(dotted, sizeof(dotted), "%s.%s", section, key);
	prom_snake(key, snake, sizeof(snake));
	type = in_list(gauges, dotted) ? "gauge" : "counter";
	/* promtool reads "_us" as microseconds: rx_not_for_us is rx_not_ours */
	{
		char *us = strstr(snake, "_for_us");

		if (us != NULL && us[7] == '\0')
			snprintf(us, sizeof(snake) - (size_t)(us - snake),
				 "_ours");
	}
	/* a gauge may not end in _total (mempool.total): it is a size */
	if (strcmp(type, "gauge") == 0 && strcmp(snake, "total") == 0)
		snprintf(snake, sizeof(snake), "size");
	snprintf(name, sizeof(name), "dpfetch_%s_%s%s", section, snake,
		 strcmp(type, "counter") == 0 ? "_total" : "");
	what = key_what(dotted);
	if (what != NULL)
		snprintf(help, sizeof(help), "%s (stats.get %s)", what,
			 dotted);
	else
		snprintf(help, sizeof(help), "%s: %s (stats.get %s)",
			 section_what(section), key, dotted);
	put_family(f, name, type, help);
	per_lcore = json_is_array(lcores) && json_array_size(lcores) > 0 &&
		    !in_list(global_sections, section) &&
		    !in_list(global_keys, dotted);
	if (per_lcore) {
		/* no lcore has it (another version's reply): the total */
		per_lcore = 0;
		json_array_foreach(lcores, i, l)
			if (json_object_get(json_object_get(l, section),
					    key) != NULL)
				per_lcore = 1;
	}
	if (per_lcore) {
		json_array_foreach(lcores, i, l) {
			v = json_object_get(json_object_get(l, section), key);
			if (v == NULL)
				continue;
			scalar_text(json_object_get(l, "lcore"), lc,
				    sizeof(lc));
			fprintf(f, "%s{lcore=\"", name);
			put_label_value(f, lc);
			fputs("\"} ", f);
			put_value(f, v);
			fputc('\n', f);
		}
		return;
	}
	fprintf(f, "%s ", name);
	put_value(f, total);
	fputc('\n', f);
}

static void
stats_text(FILE *f, const json_t *stats)
{
	const json_t *sec, *v, *lcores, *l;
	const char *section, *key;
	char lc[32], name[NAME_MAX_LEN];
	size_t i, j;

	json_object_foreach((json_t *)stats, section, sec) {
		if (!json_is_object(sec))
			continue;
		json_object_foreach((json_t *)sec, key, v)
			if (json_is_number(v) || json_is_boolean(v))
				stats_family(f, stats, section, key, v);
	}
	lcores = json_object_get(stats, "lcores");
	if (!json_is_array(lcores))
		return;
	for (j = 0; j < sizeof(cpu_metrics) / sizeof(cpu_metrics[0]); j++) {
		int any = 0;

		snprintf(name, sizeof(name), "dpfetch_lcore_%s%s",
			 cpu_metrics[j].key,
			 strcmp(cpu_metrics[j].type, "counter") == 0 ?
			 "_total" : "");
		json_array_foreach(lcores, i, l) {
			v = json_object_get(json_object_get(l, "cpu"),
					    cpu_metrics[j].key);
			if (!json_is_number(v))
				continue;
			if (!any)
				put_family(f, name, cpu_metrics[j].type,
					   cpu_metrics[j].help);
			any = 1;
			scalar_text(json_object_get(l, "lcore"), lc,
				    sizeof(lc));
			fprintf(f, "%s{lcore=\"", name);
			put_label_value(f, lc);
			fputs("\"} ", f);
			put_value(f, v);
			fputc('\n', f);
		}
	}
}

/* obj's member at a dotted path ("rates.rps"), or NULL. */
static const json_t *
at_path(const json_t *obj, const char *path)
{
	char part[64];
	const char *dot;
	size_t n;

	while (obj != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		obj = json_object_get(obj, part);
		path = dot + 1;
	}
	return obj != NULL ? json_object_get(obj, path) : NULL;
}

static void
job_sample_q(FILE *f, const char *name, const char *suffix, const char *job,
	     const char *lname, const char *lvalue, const char *qname,
	     const char *qvalue)
{
	fprintf(f, "dpfetch_job_%s%s{job_id=\"", name, suffix);
	put_label_value(f, job);
	fputc('"', f);
	if (lname != NULL) {
		fprintf(f, ",%s=\"", lname);
		put_label_value(f, lvalue);
		fputc('"', f);
	}
	if (qvalue != NULL)
		fprintf(f, ",%s=\"%s\"", qname, qvalue);
	fputs("} ", f);
}

static void
job_sample(FILE *f, const char *name, const char *suffix, const char *job,
	   const char *lname, const char *lvalue, const char *qvalue)
{
	job_sample_q(f, name, suffix, job, lname, lvalue, "quantile", qvalue);
}

/* buckets_us (fetch.list with buckets): one histogram family, in seconds;
 * +Inf, _sum and _count from latency_us. */
static void
histogram_text(FILE *f, const json_t *list)
{
	const json_t *j, *b, *pair, *h, *count, *mean;
	char id[32], le[40];
	const char *k;
	size_t i, n;
	int any = 0;

	json_array_foreach(list, i, j) {
		scalar_text(json_object_get(j, "job"), id, sizeof(id));
		json_object_foreach(json_object_get(j, "buckets_us"), k, b) {
			h = json_object_get(json_object_get(j, "latency_us"),
					    k);
			count = json_object_get(h, "count");
			mean = json_object_get(h, "mean");
			if (!json_is_array(b) || !json_is_integer(count))
				continue;
			if (!any)
				put_family(f,
					   "dpfetch_job_latency_seconds",
					   "histogram",
					   "latency by kind, cumulative counts at fixed bounds (within 1/128 of each bound)");
			any = 1;
			json_array_foreach(b, n, pair) {
				if (!json_is_number(json_array_get(pair, 0)))
					continue;
				snprintf(le, sizeof(le), "%.15g",
					 json_number_value(json_array_get(pair,
									  0)) /
					 1e6);
				job_sample_q(f, "latency_seconds",
					     "_bucket", id, "kind", k, "le",
					     le);
				put_value(f, json_array_get(pair, 1));
				fputc('\n', f);
			}
			job_sample_q(f, "latency_seconds", "_bucket",
				     id, "kind", k, "le", "+Inf");
			put_value(f, count);
			fputc('\n', f);
			job_sample(f, "latency_seconds", "_sum", id,
				   "kind", k, NULL);
			put_double(f, json_is_number(mean) ?
				   json_number_value(mean) *
				   (double)json_integer_value(count) / 1e6 :
				   0.0);
			fputc('\n', f);
			job_sample(f, "latency_seconds", "_count", id,
				   "kind", k, NULL);
			put_value(f, count);
			fputc('\n', f);
		}
	}
}

/* Latency in seconds from microseconds. */
static double
us_to_s(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) / 1e6 : NAN;
}

/* One counter family from a member of every job that maps a label
 * value to a count ("responses": class -> n): dpfetch_job_MEMBER_total. */
static void
job_counts_by(FILE *f, const json_t *list, const char *member,
	      const char *label, const char *help)
{
	const json_t *j, *v;
	const char *k;
	char id[32], family[64];
	size_t i;
	int any = 0;

	snprintf(family, sizeof(family), "dpfetch_job_%s_total", member);
	json_array_foreach(list, i, j) {
		scalar_text(json_object_get(j, "job"), id, sizeof(id));
		json_object_foreach(json_object_get(j, member), k, v) {
			if (!json_is_number(v))
				continue;
			if (!any)
				put_family(f, family, "counter", help);
			any = 1;
			job_sample(f, member, "_total", id, label, k, NULL);
			put_value(f, v);
			fputc('\n', f);
		}
	}
}

static void
jobs_text(FILE *f, const json_t *jobs)
{
	const json_t *list = json_object_get(jobs, "jobs");
	const json_t *j, *v, *kinds, *h, *sub;
	const char *k, *hk;
	char id[32], qs[32];
	size_t i, m, s;
	int any;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return;
	put_family(f, "dpfetch_job_state", "gauge",
		   "1 for the job's state, 0 for the others");
	json_array_foreach(list, i, j) {
		const char *st = json_string_value(json_object_get(j,
								   "state"));

		scalar_text(json_object_get(j, "job"), id, sizeof(id));
		for (s = 0; job_states[s] != NULL; s++) {
			job_sample(f, "state", "", id, "state", job_states[s],
				   NULL);
			fprintf(f, "%d\n",
				st != NULL && strcmp(st, job_states[s]) == 0);
		}
	}
	for (m = 0; m < sizeof(job_metrics) / sizeof(job_metrics[0]); m++) {
		char name[NAME_MAX_LEN];

		snprintf(name, sizeof(name), "dpfetch_job_%s",
			 job_metrics[m].name);
		any = 0;
		json_array_foreach(list, i, j) {
			v = at_path(j, job_metrics[m].path);
			if (!json_is_number(v))
				continue;
			if (!any)
				put_family(f, name, job_metrics[m].type,
					   job_metrics[m].help);
			any = 1;
			scalar_text(json_object_get(j, "job"), id, sizeof(id));
			job_sample(f, job_metrics[m].name, "", id, NULL, NULL,
				   NULL);
			put_value(f, v);
			fputc('\n', f);
		}
	}
	/* responses by class and errors by kind: one family each */
	job_counts_by(f, list, "responses", "class",
		      "complete responses by status class");
	job_counts_by(f, list, "errors", "kind", "errors by kind");
	/* latency_us: one summary family, kind= connect, ttfb, total, ... */
	any = 0;
	json_array_foreach(list, i, j) {
		scalar_text(json_object_get(j, "job"), id, sizeof(id));
		kinds = json_object_get(j, "latency_us");
		json_object_foreach((json_t *)kinds, k, h) {
			const json_t *count = json_object_get(h, "count");
			const json_t *mean = json_object_get(h, "mean");

			if (!json_is_object(h) || !json_is_integer(count))
				continue;
			if (!any)
				put_family(f, "dpfetch_job_latency_quantiles_seconds",
					   "summary",
					   "latency by kind (connect, ttfb, total, service_ttfb, service), quantiles within 1/128; quantile 0 is the min, 1 the max");
			any = 1;
			if (json_is_number(json_object_get(h, "min"))) {
				job_sample(f, "latency_quantiles_seconds", "", id,
					   "kind", k, "0");
				put_double(f, us_to_s(json_object_get(h,
								      "min")));
				fputc('\n', f);
			}
			json_object_foreach((json_t *)h, hk, sub) {
				double q = prom_quantile_of_key(hk);

				if (q < 0 || !json_is_number(sub))
					continue;
				snprintf(qs, sizeof(qs), "%g", q);
				job_sample(f, "latency_quantiles_seconds", "", id,
					   "kind", k, qs);
				put_double(f, us_to_s(sub));
				fputc('\n', f);
			}
			if (json_is_number(json_object_get(h, "max"))) {
				job_sample(f, "latency_quantiles_seconds", "", id,
					   "kind", k, "1");
				put_double(f, us_to_s(json_object_get(h,
								      "max")));
				fputc('\n', f);
			}
			job_sample(f, "latency_quantiles_seconds", "_sum", id, "kind", k,
				   NULL);
			put_double(f, json_is_number(mean) ?
				   json_number_value(mean) *
				   (double)json_integer_value(count) / 1e6 :
				   0.0);
			fputc('\n', f);
			job_sample(f, "latency_quantiles_seconds", "_count", id, "kind",
				   k, NULL);
			put_value(f, count);
			fputc('\n', f);
		}
	}
	histogram_text(f, list);
}

char *
prom_text(const json_t *stats, const json_t *jobs, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	f = open_memstream(&buf, &n);
	if (f == NULL)
		return NULL;
	if (json_is_object(stats))
		stats_text(f, stats);
	if (json_is_object(jobs))
		jobs_text(f, jobs);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}
