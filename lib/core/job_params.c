/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The job parameter table, and the parser, the JSON echo and the help
 * text that work from it (see job_params.h).
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "hist.h"
#include "job_params.h"
#include "mix.h"

#define OFF(m)	offsetof(struct job_params, m)
#define SZ(m)	sizeof(((struct job_params *)0)->m)

#define STRING(n, t, m, o, k, a, h) \
	{ n, t, OFF(m), SZ(m), 0, 0, 0, 0, 0, o, k, a, h }
#define UINT(n, m, lo, hi, d, o, k, a, h) \
	{ n, JOB_PARAM_UINT, OFF(m), SZ(m), lo, hi, 0, 0, d, o, k, a, h }
#define NUM(n, m, lo, hi, d, o, k, a, h) \
	{ n, JOB_PARAM_NUM, OFF(m), SZ(m), 0, 0, lo, hi, d, o, k, a, h }

/*
 * In the order they are checked (the first error is the one reported):
 * url before urls before the rest; body after method (it makes the
 * method POST when none is given).
 */
const struct job_param job_param_table[] = {
	STRING("mix", JOB_PARAM_MIX, mix, "mix", "mix", "FILE",
	       "a request mix instead of url/urls: a JSON array of {url, "
	       "method, headers, body, weight, name}, picked by weight, "
	       "with ${counter}, ${rand:LO-HI}, ${choice:a|b} in the path, "
	       "headers and body (--mix takes a file)"),
	STRING("url", JOB_PARAM_URL, urls, NULL, "url", "URL",
	       "the URL to fetch (repeat url= for several)"),
	STRING("urls", JOB_PARAM_URLS, urls, NULL, NULL, "[URL, ...]",
	       "several URLs, fetched in turn"),
	STRING("method", JOB_PARAM_METHOD, method, NULL, "method", "M",
	       "request method (default GET, or POST with a body)"),
	STRING("headers", JOB_PARAM_HEADERS, headers, NULL, "header",
	       "'Name: value'", "extra request header (repeatable)"),
	STRING("body", JOB_PARAM_BODY, body, NULL, "body", "TEXT",
	       "request body"),
	UINT("connections", connections, 1, 16777216, 1, "connections",
	     "connections", "N", "concurrent connections"),
	UINT("requests", requests, 1, UINT64_MAX >> 1, 0, "requests",
	     "requests", "N", "requests in all (default: one per connection)"),
	NUM("duration_s", duration_s, 0.001, 86400 * 365, 0, "duration",
	    "duration", "SEC", "run for SEC seconds (with requests: at most N)"),
	UINT("requests_per_connection", requests_per_connection, 0,
	     UINT32_MAX, 0, "requests-per-connection", "rpc", "N",
	     "then a new connection; 0 = keep-alive without limit"),
	UINT("pipeline", pipeline, 1, JOB_PIPELINE_MAX, 1, "pipeline",
	     "pipeline", "N", "requests in flight per connection"),
	NUM("rate_cps", rate_cps, 0, 1e9, 0, "rate-cps", "rate_cps", "R",
	    "new connections per second, spread evenly; 0 = unpaced"),
	NUM("rate_rps", rate_rps, 0, 1e10, 0, "rate-rps", "rate_rps", "R",
	    "requests per second, spread evenly; 0 = unpaced"),
	NUM("churn_cps", churn_cps, 0, 1e9, 0, "churn-cps", "churn_cps", "R",
	    "short connections opened per second besides the held ones, "
	    "each making churn_requests requests (not from requests)"),
	UINT("churn_requests", churn_requests, 1, 1000000, 1,
	     "churn-requests", "churn_requests", "N",
	     "requests per churn connection, the last with Connection: "
	     "close"),
	NUM("ramp_s", ramp_s, 0, 86400, 0, "ramp", "ramp", "SEC",
	    "open the connections, and raise the rates, gradually over SEC "
	    "seconds"),
	STRING("arrival", JOB_PARAM_ARRIVAL, arrival_poisson, "arrival",
	       "arrival", "uniform|poisson",
	       "how paced requests fall due: evenly spaced (default) or as "
	       "a Poisson process"),
	UINT("max_backlog", max_backlog, 0, 1000000000, 0, "max-backlog",
	     "max_backlog", "N",
	     "paced requests waiting for a free connection at most; past "
	     "it they count as backlog_overflow errors; 0 = one second's "
	     "worth"),
	STRING("steps", JOB_PARAM_STEPS, steps, "steps", "steps",
	       "AT:RPS[:CPS],...",
	       "staircase: from AT seconds on, rate_rps RPS and churn_cps "
	       "CPS (0 pauses; before the first step, rate_rps and "
	       "churn_cps); [{\"at_s\", \"rate_rps\", \"churn_cps\"}, ...] "
	       "in JSON, a dial left out stays as it was"),
	UINT("connect_timeout_ms", connect_timeout_ms, 1, 3600000, 5000,
	     "connect-timeout-ms", "connect_timeout_ms", "N",
	     "give up a connection not established in N ms"),
	UINT("response_timeout_ms", response_timeout_ms, 1, 3600000, 10000,
	     "response-timeout-ms", "response_timeout_ms", "N",
	     "give up a request after N ms without a byte of response"),
	STRING("src_ips", JOB_PARAM_IPS, src_lo, "src-ips", "src_ips",
	       "A.B.C.D-E.F.G.H",
	       "client addresses, or A.B.C.D/N (answered by ARP; default "
	       "--ip)"),
	STRING("lcores", JOB_PARAM_LCORES, lcore_mask, "lcores", "lcores",
	       "LIST", "run on these worker lcores only (e.g. 0,1 or 0-3 "
	       "on the command line; default all)"),
	STRING("percentiles", JOB_PARAM_PERCENTILES, percentiles,
	       "percentiles", "percentiles", "P,P,...",
	       "the latency percentiles to report (default 50,90,99,99.9)"),
	STRING("thresholds", JOB_PARAM_THRESHOLDS, thresholds, "threshold",
	       "threshold", "EXPR",
	       "pass/fail condition such as 'total.p99<5ms', 'errors==0' or "
	       "'rps>=20000' (repeatable; a failed one: exit status 3)"),
};

const size_t job_param_count =
	sizeof(job_param_table) / sizeof(job_param_table[0]);

const struct job_param *
job_param_find(const char *name)
{
	size_t i;

	for (i = 0; i < job_param_count; i++)
		if (strcmp(job_param_table[i].name, name) == 0)
			return &job_param_table[i];
	return NULL;
}

int
job_param_has_default(const struct job_param *e)
{
	if (e->type == JOB_PARAM_UINT)
		return e->def >= (double)e->umin && e->def <= (double)e->umax;
	if (e->type == JOB_PARAM_NUM)
		return e->def >= e->min && e->def <= e->max;
	return 0;
}

int
job_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t
get_u(const struct job_params *p, const struct job_param *e)
{
	const char *m = (const char *)p + e->offset;
	uint32_t v32;
	uint64_t v64;

	if (e->size == sizeof(v32)) {
		memcpy(&v32, m, sizeof(v32));
		return v32;
	}
	memcpy(&v64, m, sizeof(v64));
	return v64;
}

static void
set_u(struct job_params *p, const struct job_param *e, uint64_t v)
{
	char *m = (char *)p + e->offset;
	uint32_t v32 = (uint32_t)v;

	if (e->size == sizeof(v32))
		memcpy(m, &v32, sizeof(v32));
	else
		memcpy(m, &v, sizeof(v));
}

static double *
num_ptr(const struct job_params *p, const struct job_param *e)
{
	return (double *)((char *)p + e->offset);
}

/* A non-negative integer within the entry's range. */
static int
parse_uint(struct job_params *p, const struct job_param *e, json_t *j,
	   char *err, size_t errlen)
{
	json_int_t i;

	if (!json_is_integer(j))
		return job_err(err, errlen, "%s: expected an integer", e->name);
	i = json_integer_value(j);
	if (i < 0 || (uint64_t)i < e->umin || (uint64_t)i > e->umax)
		return job_err(err, errlen, "%s: %lld is outside %llu..%llu",
			       e->name, (long long)i,
			       (unsigned long long)e->umin,
			       (unsigned long long)e->umax);
	set_u(p, e, (uint64_t)i);
	return 0;
}

static int
parse_num(struct job_params *p, const struct job_param *e, json_t *j,
	  char *err, size_t errlen)
{
	double d;

	if (!json_is_number(j))
		return job_err(err, errlen, "%s: expected a number", e->name);
	d = json_number_value(j);
	if (!isfinite(d) || d < e->min || d > e->max)
		return job_err(err, errlen, "%s: %g is outside %g..%g", e->name,
			       d, e->min, e->max);
	*num_ptr(p, e) = d;
	return 0;
}

static int
add_url(struct job_params *p, json_t *j, const char *what, char *err,
	size_t errlen)
{
	char uerr[256];
	struct url *u;

	if (!json_is_string(j))
		return job_err(err, errlen, "%s: expected a string", what);
	if (p->n_urls == JOB_MAX_URLS)
		return job_err(err, errlen, "urls: more than %d", JOB_MAX_URLS);
	u = &p->urls[p->n_urls];
	if (url_parse(json_string_value(j), u, uerr, sizeof(uerr)) != 0)
		return job_err(err, errlen, "%s: %s", what, uerr);
	if (u->ipv4 == 0 && !u->is_ipv6)
		return job_err(err, errlen,
			       "%s: '%s' is a name; dpfetch has no DNS: put the IPv4 or [IPv6] address in the URL (and a Host header if the server needs the name)",
			       what, u->host);
	p->n_urls++;
	return 0;
}

static int
parse_urls(struct job_params *p, json_t *j, char *err, size_t errlen)
{
	json_t *u;
	char what[32];
	size_t i;

	if (!json_is_array(j) || json_array_size(j) == 0)
		return job_err(err, errlen,
			       "urls: expected a non-empty array of strings");
	json_array_foreach(j, i, u) {
		snprintf(what, sizeof(what), "urls[%zu]", i);
		if (add_url(p, u, what, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* RFC 9110 5.6.2 token characters, for method and field names.  The HTTP
 * layer's parsers keep the same set as a table (http_msg_tchar); the
 * parameters sit below HTTP, so they test it here. */
static int
is_tchar(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		(c >= 'A' && c <= 'Z') ||
		(c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
parse_method(struct job_params *p, json_t *j, char *err, size_t errlen)
{
	const char *m = json_string_value(j);
	size_t i;

	if (m == NULL || m[0] == '\0' || strlen(m) >= sizeof(p->method))
		return job_err(err, errlen,
			       "method: expected a method name such as GET");
	for (i = 0; m[i] != '\0'; i++)
		if (!is_tchar((uint8_t)m[i]))
			return job_err(err, errlen,
				       "method: '%s' is not a valid method name", m);
	snprintf(p->method, sizeof(p->method), "%s", m);
	return 0;
}

/* An object of name: value into "Name: value" lines (out, *n, at most
 * max); what names it in errors ("headers", "mix[2].headers").  check:
 * the values are templates (mix.h). */
static int
parse_header_obj(json_t *h, char **out, unsigned int *n, unsigned int max,
		 const char *what, int check, char *err, size_t errlen)
{
	char terr[256];
	const char *name;
	json_t *v;
	unsigned int i;

	if (!json_is_object(h))
		return job_err(err, errlen,
			       "%s: expected an object of name: value", what);
	json_object_foreach(h, name, v) {
		const char *val;
		size_t len;

		if (!json_is_string(v))
			return job_err(err, errlen,
				       "%s.%s: expected a string", what, name);
		val = json_string_value(v);
		if (name[0] == '\0')
			return job_err(err, errlen, "%s: empty name", what);
		for (i = 0; name[i] != '\0'; i++)
			if (!is_tchar((uint8_t)name[i]))
				return job_err(err, errlen,
					       "%s: '%s' is not a valid field name",
					       what, name);
		for (i = 0; val[i] != '\0'; i++)
			if (val[i] == '\r' || val[i] == '\n')
				return job_err(err, errlen,
					       "%s.%s: CR or LF in the value",
					       what, name);
		if (check && mix_tmpl_check(val, strlen(val), terr,
					    sizeof(terr)) != 0)
			return job_err(err, errlen, "%s.%s: %s", what, name,
				       terr);
		if (*n == max)
			return job_err(err, errlen, "%s: more than %u", what,
				       max);
		len = strlen(name) + strlen(val) + 3;
		out[*n] = malloc(len);
		if (out[*n] == NULL)
			return job_err(err, errlen, "out of memory");
		snprintf(out[*n], len, "%s: %s", name, val);
		(*n)++;
	}
	return 0;
}

static int
parse_headers(struct job_params *p, json_t *h, char *err, size_t errlen)
{
	return parse_header_obj(h, p->headers, &p->n_headers,
				JOB_MAX_HEADERS, "headers", 0, err, errlen);
}

static int
parse_body(struct job_params *p, json_t *j, json_t *params, char *err,
	   size_t errlen)
{
	if (!json_is_string(j))
		return job_err(err, errlen, "body: expected a string");
	p->body_len = json_string_length(j);
	p->body = malloc(p->body_len + 1);
	if (p->body == NULL)
		return job_err(err, errlen, "out of memory");
	memcpy(p->body, json_string_value(j), p->body_len);
	if (json_object_get(params, "method") == NULL)
		snprintf(p->method, sizeof(p->method), "POST");
	return 0;
}

/* "A.B.C.D", "A.B.C.D-E.F.G.H" or "A.B.C.D/N". */
static int
parse_src_ips(const char *s, uint32_t *lo, uint32_t *hi)
{
	char buf[64];
	char *sep;
	unsigned int n;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	if ((sep = strchr(buf, '-')) != NULL) {
		*sep = '\0';
		if (ipv4_parse(buf, lo) != 0 || ipv4_parse(sep + 1, hi) != 0 ||
		    *hi < *lo)
			return -1;
		return 0;
	}
	if ((sep = strchr(buf, '/')) != NULL) {
		char tail;

		*sep = '\0';
		if (ipv4_parse(buf, lo) != 0 ||
		    sscanf(sep + 1, "%u%c", &n, &tail) != 1 || n < 16 ||
		    n > 32)
			return -1;
		*lo &= n == 32 ? ~0u : ~(0xffffffffu >> n);
		*hi = *lo | (n == 32 ? 0 : 0xffffffffu >> n);
		return 0;
	}
	if (ipv4_parse(buf, lo) != 0)
		return -1;
	*hi = *lo;
	return 0;
}

/* IPv6 "A", "A-B" (the same but for the low 32 bits) or "A/N" (N >=
 * 112): the first and the count.  0 or -1. */
static int
parse_src_ips6(const char *s, uint8_t *lo, uint32_t *n)
{
	char buf[2 * INET6_ADDRSTRLEN + 8];
	uint8_t hi[16];
	uint32_t a, b;
	char *sep;
	unsigned int bits;
	char tail;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	if ((sep = strchr(buf, '-')) != NULL) {
		*sep = '\0';
		if (inet_pton(AF_INET6, buf, lo) != 1 ||
		    inet_pton(AF_INET6, sep + 1, hi) != 1 ||
		    memcmp(lo, hi, 12) != 0)
			return -1;
		memcpy(&a, lo + 12, 4);
		memcpy(&b, hi + 12, 4);
		a = ntohl(a);
		b = ntohl(b);
		if (b < a || (uint64_t)b - a + 1 > JOB_MAX_SRC_IPS)
			return -1;
		*n = b - a + 1;
		return 0;
	}
	if ((sep = strchr(buf, '/')) != NULL) {
		*sep = '\0';
		if (inet_pton(AF_INET6, buf, lo) != 1 ||
		    sscanf(sep + 1, "%u%c", &bits, &tail) != 1 ||
		    bits < 112 || bits > 128)
			return -1;
		memcpy(&a, lo + 12, 4);
		a = ntohl(a) & (bits == 128 ? ~0u : ~(0xffffffffu >>
						      (bits - 96)));
		a = htonl(a);
		memcpy(lo + 12, &a, 4);
		*n = 1u << (128 - bits);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, lo) != 1)
		return -1;
	*n = 1;
	return 0;
}

static int
parse_ips(struct job_params *p, json_t *j, char *err, size_t errlen)
{
	if (json_is_string(j) && strchr(json_string_value(j), ':') != NULL) {
		if (parse_src_ips6(json_string_value(j), p->src6_lo,
				   &p->src6_n) != 0)
			return job_err(err, errlen,
				       "src_ips: expected \"A\", \"A-B\" (differing in the last 32 bits, at most %d) or \"A/N\" (N >= 112) of IPv6 addresses",
				       JOB_MAX_SRC_IPS);
		return 0;
	}
	if (!json_is_string(j) ||
	    parse_src_ips(json_string_value(j), &p->src_lo, &p->src_hi) != 0)
		return job_err(err, errlen,
			       "src_ips: expected \"A.B.C.D\", \"A.B.C.D-E.F.G.H\" or \"A.B.C.D/N\" (N >= 16)");
	if ((uint64_t)p->src_hi - p->src_lo + 1 > JOB_MAX_SRC_IPS)
		return job_err(err, errlen, "src_ips: more than %d addresses",
			       JOB_MAX_SRC_IPS);
	return 0;
}

static int
parse_lcores(struct job_params *p, json_t *a, char *err, size_t errlen)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return job_err(err, errlen,
			       "lcores: expected a non-empty array of lcore ids");
	json_array_foreach(a, i, v) {
		json_int_t id;

		if (!json_is_integer(v))
			return job_err(err, errlen, "lcores[%zu]: expected an integer",
				       i);
		id = json_integer_value(v);
		if (id < 0 || id >= 256)
			return job_err(err, errlen, "lcores[%zu]: %lld is not an lcore id",
				       i, (long long)id);
		p->lcore_mask[id / 64] |= 1ull << (id % 64);
	}
	return 0;
}

static int
parse_percentiles(struct job_params *p, json_t *a, char *err, size_t errlen)
{
	char key[32], other[32];
	unsigned int k;
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > JOB_MAX_PERCENTILES)
		return job_err(err, errlen,
			       "percentiles: expected an array of 1 to %d numbers",
			       JOB_MAX_PERCENTILES);
	json_array_foreach(a, i, v) {
		double d = json_number_value(v);

		if (!json_is_number(v) || !(d > 0 && d <= 100))
			return job_err(err, errlen,
				       "percentiles[%zu]: expected a number above 0 and at most 100",
				       i);
		/* Keys drop the dot: 1.5 and 15 would share "p15". */
		hist_pct_key(d, key, sizeof(key));
		for (k = 0; k < p->n_percentiles; k++) {
			hist_pct_key(p->percentiles[k], other, sizeof(other));
			if (strcmp(key, other) == 0)
				return job_err(err, errlen,
					       "percentiles: %g and %g both report as %s",
					       p->percentiles[k], d, key);
		}
		p->percentiles[p->n_percentiles++] = d;
	}
	return 0;
}

static int
parse_thresholds(struct job_params *p, json_t *a, char *err, size_t errlen)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) > JOB_MAX_THRESHOLDS)
		return job_err(err, errlen,
			       "thresholds: expected an array of at most %d expressions",
			       JOB_MAX_THRESHOLDS);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return job_err(err, errlen,
				       "thresholds[%zu]: expected a string such as \"total.p99<5ms\"",
				       i);
		if (threshold_parse(json_string_value(v),
				    &p->thresholds[p->n_thresholds], err,
				    errlen) != 0)
			return -1;
		p->n_thresholds++;
	}
	return 0;
}

static int
parse_arrival(struct job_params *p, json_t *j, char *err, size_t errlen)
{
	const char *a = json_string_value(j);

	if (a != NULL && strcmp(a, "uniform") == 0)
		p->arrival_poisson = 0;
	else if (a != NULL && strcmp(a, "poisson") == 0)
		p->arrival_poisson = 1;
	else
		return job_err(err, errlen,
			       "arrival: expected \"uniform\" or \"poisson\"");
	return 0;
}

/* A step's rate named key: NAN when absent, -1 when not a number. */
static double
step_rate(json_t *v, const char *key, double max)
{
	json_t *r = json_object_get(v, key);
	double d;

	if (r == NULL)
		return NAN;
	if (!json_is_number(r))
		return -1;
	d = json_number_value(r);
	return d >= 0 && d <= max ? d : -1;
}

static int
parse_steps(struct job_params *p, json_t *a, char *err, size_t errlen)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > JOB_MAX_STEPS)
		return job_err(err, errlen,
			       "steps: expected an array of 1 to %d {\"at_s\", \"rate_rps\", \"churn_cps\"}",
			       JOB_MAX_STEPS);
	json_array_foreach(a, i, v) {
		json_t *at = json_object_get(v, "at_s");
		struct job_step *st = &p->steps[p->n_steps];
		size_t known;

		if (!json_is_object(v) || !json_is_number(at))
			return job_err(err, errlen,
				       "steps[%zu]: expected {\"at_s\": SEC, \"rate_rps\": R, \"churn_cps\": R}",
				       i);
		st->at_s = json_number_value(at);
		st->rate_rps = step_rate(v, "rate_rps", 1e10);
		st->churn_cps = step_rate(v, "churn_cps", 1e9);
		known = 1 + !isnan(st->rate_rps) + !isnan(st->churn_cps);
		if (json_object_size(v) != known || known == 1)
			return job_err(err, errlen,
				       "steps[%zu]: expected at_s and rate_rps, churn_cps or both, nothing else",
				       i);
		if (!(st->at_s > 0 && st->at_s <= 86400 * 365) ||
		    st->rate_rps < 0 || st->churn_cps < 0)
			return job_err(err, errlen,
				       "steps[%zu]: at_s above 0, rate_rps 0..1e10, churn_cps 0..1e9",
				       i);
		if (i > 0 && st->at_s <= p->steps[i - 1].at_s)
			return job_err(err, errlen,
				       "steps[%zu]: at_s must rise", i);
		p->n_steps++;
	}
	return 0;
}

static const char *const mix_fields[] = {
	"url", "method", "headers", "body", "weight", "name",
};

static int
parse_mix_entry(struct job_params *p, size_t i, json_t *o, char *err,
		size_t errlen)
{
	struct job_mix_entry *m = &p->mix[i];
	char what[48], terr[256];
	const char *key;
	json_t *v, *u;
	size_t k;

	if (!json_is_object(o))
		return job_err(err, errlen,
			       "mix[%zu]: expected an object {url, method, headers, body, weight, name}",
			       i);
	json_object_foreach(o, key, v) {
		for (k = 0; k < sizeof(mix_fields) / sizeof(mix_fields[0]);
		     k++)
			if (strcmp(key, mix_fields[k]) == 0)
				break;
		if (k == sizeof(mix_fields) / sizeof(mix_fields[0]))
			return job_err(err, errlen,
				       "mix[%zu]: unknown field '%s' (url, method, headers, body, weight, name)",
				       i, key);
	}
	u = json_object_get(o, "url");
	snprintf(what, sizeof(what), "mix[%zu].url", i);
	if (u == NULL)
		return job_err(err, errlen, "%s: required", what);
	if (add_url(p, u, what, err, errlen) != 0)
		return -1;
	if (mix_tmpl_check(p->urls[i].path, strlen(p->urls[i].path), terr,
			   sizeof(terr)) != 0)
		return job_err(err, errlen, "%s: %s", what, terr);
	v = json_object_get(o, "name");
	if (v != NULL && (!json_is_string(v) ||
			  json_string_length(v) == 0 ||
			  json_string_length(v) >= sizeof(m->name)))
		return job_err(err, errlen,
			       "mix[%zu].name: expected a string of 1 to %zu characters",
			       i, sizeof(m->name) - 1);
	snprintf(m->name, sizeof(m->name), "%s",
		 json_string_value(v != NULL ? v : u));
	v = json_object_get(o, "body");
	if (v != NULL) {
		if (!json_is_string(v))
			return job_err(err, errlen,
				       "mix[%zu].body: expected a string", i);
		if (mix_tmpl_check(json_string_value(v), json_string_length(v),
				   terr, sizeof(terr)) != 0)
			return job_err(err, errlen, "mix[%zu].body: %s", i,
				       terr);
		m->body_len = json_string_length(v);
		m->body = malloc(m->body_len + 1);
		if (m->body == NULL)
			return job_err(err, errlen, "out of memory");
		memcpy(m->body, json_string_value(v), m->body_len);
		m->body[m->body_len] = '\0';
	}
	v = json_object_get(o, "method");
	snprintf(m->method, sizeof(m->method), "%s",
		 m->body != NULL ? "POST" : "GET");
	if (v != NULL) {
		const char *s = json_string_value(v);

		if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof(m->method))
			return job_err(err, errlen,
				       "mix[%zu].method: expected a method name such as GET",
				       i);
		for (k = 0; s[k] != '\0'; k++)
			if (!is_tchar((uint8_t)s[k]))
				return job_err(err, errlen,
					       "mix[%zu].method: '%s' is not a valid method name",
					       i, s);
		snprintf(m->method, sizeof(m->method), "%s", s);
	}
	v = json_object_get(o, "headers");
	snprintf(what, sizeof(what), "mix[%zu].headers", i);
	if (v != NULL && parse_header_obj(v, m->headers, &m->n_headers,
					  JOB_MIX_MAX_HEADERS, what, 1, err,
					  errlen) != 0)
		return -1;
	v = json_object_get(o, "weight");
	m->weight = 1;
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > MIX_WEIGHT_MAX)
			return job_err(err, errlen,
				       "mix[%zu].weight: expected an integer 1..%d",
				       i, MIX_WEIGHT_MAX);
		m->weight = (uint32_t)json_integer_value(v);
	}
	return 0;
}

/* The entries' URLs go into urls[] (entry i's is urls[i]): the runner
 * resolves them and names them in errors as it does url/urls. */
static int
parse_mix(struct job_params *p, json_t *a, json_t *params, char *err,
	  size_t errlen)
{
	static const char *const alone[] = { "url", "urls", "method",
					     "headers", "body" };
	json_t *o;
	size_t i;

	for (i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
		if (json_object_get(params, alone[i]) != NULL)
			return job_err(err, errlen,
				       "mix: give %s in the mix's entries, not beside it",
				       alone[i]);
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > JOB_MAX_MIX)
		return job_err(err, errlen,
			       "mix: expected an array of 1 to %d {url, method, headers, body, weight}",
			       JOB_MAX_MIX);
	p->mix = calloc(json_array_size(a), sizeof(*p->mix));
	if (p->mix == NULL)
		return job_err(err, errlen, "out of memory");
	json_array_foreach(a, i, o) {
		p->n_mix++;
		if (parse_mix_entry(p, i, o, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* One entry; j is its member, or NULL when absent. */
static int
parse_one(struct job_params *p, const struct job_param *e, json_t *j,
	  json_t *params, char *err, size_t errlen)
{
	if (e->type == JOB_PARAM_URL && j != NULL &&
	    json_object_get(params, "urls") != NULL)
		return job_err(err, errlen, "give url or urls, not both");
	if (e->type == JOB_PARAM_URLS) {
		if (j != NULL && parse_urls(p, j, err, errlen) != 0)
			return -1;
		if (p->n_urls == 0)
			return job_err(err, errlen,
				       "url or urls is required");
		return 0;
	}
	if (j == NULL)
		return 0;
	switch (e->type) {
	case JOB_PARAM_URL:
		return add_url(p, j, "url", err, errlen);
	case JOB_PARAM_METHOD:
		return parse_method(p, j, err, errlen);
	case JOB_PARAM_HEADERS:
		return parse_headers(p, j, err, errlen);
	case JOB_PARAM_BODY:
		return parse_body(p, j, params, err, errlen);
	case JOB_PARAM_UINT:
		return parse_uint(p, e, j, err, errlen);
	case JOB_PARAM_NUM:
		return parse_num(p, e, j, err, errlen);
	case JOB_PARAM_IPS:
		return parse_ips(p, j, err, errlen);
	case JOB_PARAM_LCORES:
		return parse_lcores(p, j, err, errlen);
	case JOB_PARAM_PERCENTILES:
		return parse_percentiles(p, j, err, errlen);
	case JOB_PARAM_THRESHOLDS:
		return parse_thresholds(p, j, err, errlen);
	case JOB_PARAM_ARRIVAL:
		return parse_arrival(p, j, err, errlen);
	case JOB_PARAM_STEPS:
		return parse_steps(p, j, err, errlen);
	case JOB_PARAM_MIX:
		return parse_mix(p, j, params, err, errlen);
	default:
		return 0;
	}
}

int
job_params_from_json(struct job_params *p, json_t *params, char *err,
		     size_t errlen)
{
	const struct job_param *e;
	const char *key;
	json_t *v;
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->method, sizeof(p->method), "GET");
	for (i = 0; i < job_param_count; i++) {
		e = &job_param_table[i];
		if (e->type == JOB_PARAM_UINT)
			set_u(p, e, (uint64_t)e->def);
		else if (e->type == JOB_PARAM_NUM)
			*num_ptr(p, e) = e->def;
	}
	if (params == NULL)
		return job_err(err, errlen, "url or urls is required");
	if (!json_is_object(params))
		return job_err(err, errlen, "params: expected an object");
	json_object_foreach(params, key, v)
		if (job_param_find(key) == NULL)
			return job_err(err, errlen, "unknown parameter '%s'", key);
	for (i = 0; i < job_param_count; i++) {
		e = &job_param_table[i];
		if (parse_one(p, e, json_object_get(params, e->name), params,
			      err, errlen) != 0)
			return -1;
	}
	if (p->n_percentiles == 0) {
		static const double def[] = { 50, 90, 99, 99.9 };

		memcpy(p->percentiles, def, sizeof(def));
		p->n_percentiles = sizeof(def) / sizeof(def[0]);
	}
	/* Neither a count nor a time: every connection fetches once. */
	if (p->requests == 0 && p->duration_s == 0)
		p->requests = p->connections;
	return 0;
}

int
job_param_check(const struct job_param *e, json_t *v, const char *label,
		char *err, size_t errlen)
{
	struct job_params *p = calloc(1, sizeof(*p));
	json_t *one = json_object();
	int rc = -1;

	if (p == NULL || one == NULL ||
	    json_object_set(one, e->name, v) != 0) {
		job_err(err, errlen, "out of memory");
	} else {
		rc = parse_one(p, e, v, one, err, errlen);
		if (rc != 0 && label != NULL)
			errbuf_relabel(err, errlen, e->name, label);
	}
	if (p != NULL)
		job_params_free(p);
	free(p);
	json_decref(one);
	return rc;
}

void
job_params_err_to_opt(char *err, size_t errlen)
{
	char label[64];
	size_t i, n;

	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		n = strlen(e->name);
		if (e->opt == NULL || strncmp(err, e->name, n) != 0 ||
		    (err[n] != ':' && err[n] != '['))
			continue;
		snprintf(label, sizeof(label), "--%s", e->opt);
		errbuf_relabel(err, errlen, e->name, label);
		return;
	}
}

static json_t *
urls_json(const struct job_params *p)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; a != NULL && i < p->n_urls; i++) {
		char buf[URL_MAX_HOST + URL_MAX_PATH + 32];

		snprintf(buf, sizeof(buf), "http://%s:%u%s", p->urls[i].host,
			 p->urls[i].port, p->urls[i].path);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

/* "Name: value" back into { "Name": "value" }. */
static json_t *
headers_json(const struct job_params *p)
{
	json_t *o = json_object();
	unsigned int i;

	for (i = 0; o != NULL && i < p->n_headers; i++) {
		const char *h = p->headers[i], *colon = strchr(h, ':');
		char *name;

		if (colon == NULL)
			continue;
		name = strndup(h, (size_t)(colon - h));
		if (name == NULL)
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		json_object_set_new(o, name, json_string(colon));
		free(name);
	}
	return o;
}

static json_t *
lcores_json(const struct job_params *p)
{
	json_t *a = json_array();
	unsigned int id;

	for (id = 0; a != NULL && id < 256; id++)
		if (p->lcore_mask[id / 64] & (1ull << (id % 64)))
			json_array_append_new(a, json_integer(id));
	return a;
}

static json_t *
percentiles_json(const struct job_params *p)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; a != NULL && i < p->n_percentiles; i++)
		json_array_append_new(a, json_real(p->percentiles[i]));
	return a;
}

static json_t *
thresholds_json(const struct job_params *p)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; a != NULL && i < p->n_thresholds; i++)
		json_array_append_new(a, json_string(p->thresholds[i].expr));
	return a;
}

static json_t *
steps_json(const struct job_params *p)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; a != NULL && i < p->n_steps; i++) {
		const struct job_step *st = &p->steps[i];
		json_t *o = json_pack("{s:f}", "at_s", st->at_s);

		if (!isnan(st->rate_rps))
			json_object_set_new(o, "rate_rps",
					    json_real(st->rate_rps));
		if (!isnan(st->churn_cps))
			json_object_set_new(o, "churn_cps",
					    json_real(st->churn_cps));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
ips_json(const struct job_params *p)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	char buf[2 * INET6_ADDRSTRLEN + 2];

	if (p->src6_n != 0) {
		uint8_t last[16];
		uint32_t a;

		inet_ntop(AF_INET6, p->src6_lo, lo, sizeof(lo));
		if (p->src6_n == 1)
			return json_string(lo);
		memcpy(last, p->src6_lo, 16);
		memcpy(&a, last + 12, 4);
		a = htonl(ntohl(a) + p->src6_n - 1);
		memcpy(last + 12, &a, 4);
		inet_ntop(AF_INET6, last, hi, sizeof(hi));
		snprintf(buf, sizeof(buf), "%s-%s", lo, hi);
		return json_string(buf);
	}

	ipv4_format(p->src_lo, lo, sizeof(lo));
	if (p->src_hi == p->src_lo)
		return json_string(lo);
	ipv4_format(p->src_hi, hi, sizeof(hi));
	snprintf(buf, sizeof(buf), "%s-%s", lo, hi);
	return json_string(buf);
}

static json_t *
mix_json(const struct job_params *p, int brief)
{
	json_t *a = json_array();
	unsigned int i, k;

	for (i = 0; a != NULL && i < p->n_mix; i++) {
		const struct job_mix_entry *m = &p->mix[i];
		char url[URL_MAX_HOST + URL_MAX_PATH + 32];
		json_t *o, *h = json_object();

		snprintf(url, sizeof(url), "http://%s:%u%s", p->urls[i].host,
			 p->urls[i].port, p->urls[i].path);
		o = json_pack("{s:s, s:s, s:s, s:i}", "name", m->name, "url",
			      url, "method", m->method, "weight",
			      (json_int_t)m->weight);
		for (k = 0; h != NULL && k < m->n_headers; k++) {
			const char *c = strchr(m->headers[k], ':');
			char *name = strndup(m->headers[k],
					     (size_t)(c - m->headers[k]));

			if (name != NULL)
				json_object_set_new(h, name,
						    json_string(c + 2));
			free(name);
		}
		if (o != NULL && m->n_headers > 0)
			json_object_set(o, "headers", h);
		json_decref(h);
		if (o != NULL && m->body != NULL && !brief)
			json_object_set_new(o, "body",
				json_stringn((const char *)m->body,
					     m->body_len));
		json_array_append_new(a, o);
	}
	return a;
}

/* The entry's value, or NULL when it is unset (or is the url alias). */
static json_t *
one_json(const struct job_params *p, const struct job_param *e, int brief)
{
	uint64_t u;
	double d;

	switch (e->type) {
	case JOB_PARAM_MIX:
		return p->n_mix == 0 ? NULL : mix_json(p, brief);
	case JOB_PARAM_URLS:
		/* A mix's URLs are in its entries. */
		return p->n_mix > 0 ? NULL : urls_json(p);
	case JOB_PARAM_METHOD:
		return p->n_mix > 0 ? NULL : json_string(p->method);
	case JOB_PARAM_HEADERS:
		return p->n_headers > 0 ? headers_json(p) : NULL;
	case JOB_PARAM_BODY:
		/* NULL too when the body is not UTF-8 (--data @FILE). */
		return p->body == NULL || brief ? NULL :
			json_stringn((const char *)p->body, p->body_len);
	case JOB_PARAM_UINT:
		u = get_u(p, e);
		return u < e->umin || u > e->umax ? NULL :
			json_integer((json_int_t)u);
	case JOB_PARAM_NUM:
		d = *num_ptr(p, e);
		return d < e->min || d > e->max ? NULL : json_real(d);
	case JOB_PARAM_IPS:
		return p->src_lo == 0 && p->src6_n == 0 ? NULL :
			ips_json(p);
	case JOB_PARAM_LCORES:
		if ((p->lcore_mask[0] | p->lcore_mask[1] | p->lcore_mask[2] |
		     p->lcore_mask[3]) == 0)
			return NULL;
		return lcores_json(p);
	case JOB_PARAM_PERCENTILES:
		return percentiles_json(p);
	case JOB_PARAM_THRESHOLDS:
		return p->n_thresholds == 0 ? NULL : thresholds_json(p);
	case JOB_PARAM_ARRIVAL:
		return json_string(p->arrival_poisson ? "poisson" : "uniform");
	case JOB_PARAM_STEPS:
		return p->n_steps == 0 ? NULL : steps_json(p);
	default:
		return NULL;
	}
}

json_t *
job_params_to_json(const struct job_params *p, int brief)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; o != NULL && i < job_param_count; i++) {
		json_t *v = one_json(p, &job_param_table[i], brief);

		if (v != NULL)
			json_object_set_new(o, job_param_table[i].name, v);
	}
	return o;
}

json_t *
job_steps_from_text(const char *text)
{
	json_t *a = json_array();
	const char *q = text;
	double at, rps, cps;
	int n, m;

	while (a != NULL) {
		json_t *o;

		if (sscanf(q, "%lf:%lf%n", &at, &rps, &n) != 2)
			break;
		o = json_pack("{s:f, s:f}", "at_s", at, "rate_rps", rps);
		/* AT:RPS:CPS also steps churn_cps. */
		if (q[n] == ':' && sscanf(q + n, ":%lf%n", &cps, &m) == 1) {
			json_object_set_new(o, "churn_cps", json_real(cps));
			n += m;
		}
		json_array_append_new(a, o);
		if (q[n] != ',' && q[n] != '\0')
			break;
		if (q[n] == '\0')
			return a;
		q += n + 1;
	}
	json_decref(a);
	return NULL;
}

static void
mix_free(struct job_params *p)
{
	unsigned int i, k;

	for (i = 0; i < p->n_mix; i++) {
		for (k = 0; k < p->mix[i].n_headers; k++)
			free(p->mix[i].headers[k]);
		free(p->mix[i].body);
	}
	free(p->mix);
	p->mix = NULL;
	p->n_mix = 0;
}

static int
mix_copy(struct job_params *dst, const struct job_params *src)
{
	unsigned int i, k;

	dst->mix = NULL;
	dst->n_mix = 0;
	if (src->n_mix == 0)
		return 0;
	dst->mix = calloc(src->n_mix, sizeof(*dst->mix));
	if (dst->mix == NULL)
		return -1;
	for (i = 0; i < src->n_mix; i++) {
		const struct job_mix_entry *s = &src->mix[i];
		struct job_mix_entry *d = &dst->mix[i];

		*d = *s;
		d->n_headers = 0;
		d->body = NULL;
		dst->n_mix++;
		for (k = 0; k < s->n_headers; k++) {
			d->headers[k] = strdup(s->headers[k]);
			if (d->headers[k] == NULL)
				return -1;
			d->n_headers++;
		}
		if (s->body != NULL) {
			d->body = malloc(s->body_len + 1);
			if (d->body == NULL)
				return -1;
			memcpy(d->body, s->body, s->body_len + 1);
		}
	}
	return 0;
}

void
job_params_free(struct job_params *p)
{
	unsigned int i;

	mix_free(p);
	for (i = 0; i < p->n_headers; i++)
		free(p->headers[i]);
	p->n_headers = 0;
	free(p->body);
	p->body = NULL;
}

int
job_params_copy(struct job_params *dst, const struct job_params *src)
{
	unsigned int i;

	*dst = *src;
	dst->n_headers = 0;
	dst->body = NULL;
	if (mix_copy(dst, src) != 0)
		goto fail;
	for (i = 0; i < src->n_headers; i++) {
		dst->headers[i] = strdup(src->headers[i]);
		if (dst->headers[i] == NULL)
			goto fail;
		dst->n_headers++;
	}
	if (src->body != NULL) {
		/* One more byte, as the parser allocates: never 0. */
		dst->body = malloc(src->body_len + 1);
		if (dst->body == NULL)
			goto fail;
		memcpy(dst->body, src->body, src->body_len);
	}
	return 0;
fail:
	job_params_free(dst);
	return -1;
}

void
job_param_describe(const struct job_param *e, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s", e->help);

	if (n < 0 || (size_t)n >= len)
		return;
	if (e->type == JOB_PARAM_UINT)
		n += snprintf(buf + n, len - n, ", %llu..%llu",
			      (unsigned long long)e->umin,
			      (unsigned long long)e->umax);
	else if (e->type == JOB_PARAM_NUM)
		n += snprintf(buf + n, len - n, ", %g..%g", e->min, e->max);
	if ((size_t)n < len && job_param_has_default(e))
		snprintf(buf + n, len - n, " (default %g)", e->def);
}

void
job_param_print(FILE *f, const char *head, const struct job_param *e)
{
	char text[512];
	const char *w = text;
	int col;

	job_param_describe(e, text, sizeof(text));
	col = fprintf(f, "%s", head);
	if (col > 22) {
		fprintf(f, "\n");
		col = 0;
	}
	/* Words from column 24, wrapped before column 79. */
	while (*w != '\0') {
		size_t n = strcspn(w, " ");

		if (col > 24 && col + 1 + (int)n > 78) {
			fprintf(f, "\n");
			col = 0;
		}
		if (col < 24)
			col += fprintf(f, "%*s", 24 - col, "");
		else
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", (int)n, w);
		w += n;
		while (*w == ' ')
			w++;
	}
	fprintf(f, "\n");
}

void
job_params_usage(FILE *f)
{
	char head[64];
	size_t i;

	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->opt == NULL)
			continue;
		snprintf(head, sizeof(head), "  --%s %s", e->opt, e->arg);
		job_param_print(f, head, e);
	}
}
