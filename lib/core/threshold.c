/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threshold expressions (see threshold.h): a hand-written scanner, since
 * the grammar is four tokens long.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "threshold.h"

static const char *const latencies[] = {
	"connect", "ttfb", "total", "service", "service_ttfb", NULL
};

static const char *const counters[] = {
	"errors", "rps", "cps", "gbps", "requests", "requests_failed",
	"responses", "2xx", "3xx", "4xx", "5xx", "connections", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "p99", "p99.9", "p999" (99.9, as latency_us spells it). */
static int
parse_pct(const char *s, double *pct)
{
	char *end;
	double v;

	if (s[0] != 'p' || !isdigit((unsigned char)s[1]))
		return -1;
	errno = 0;
	v = strtod(s + 1, &end);
	if (*end != '\0' || errno != 0)
		return -1;
	/* Without a dot, digits past the second are decimals. */
	if (strchr(s, '.') == NULL)
		while (v > 100)
			v /= 10;
	if (!(v > 0 && v <= 100))
		return -1;
	*pct = v;
	return 0;
}

static int
parse_stat(struct threshold *t, const char *stat)
{
	static const struct {
		const char *name;
		enum threshold_stat stat;
	} named[] = {
		{ "min", THRESHOLD_MIN }, { "max", THRESHOLD_MAX },
		{ "mean", THRESHOLD_MEAN }, { "count", THRESHOLD_COUNT },
	};
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(stat, named[i].name) == 0) {
			t->stat = named[i].stat;
			return 0;
		}
	t->stat = THRESHOLD_PCT;
	return parse_pct(stat, &t->pct);
}

/* The metric, up to the operator: fills name, kind, latency, stat. */
static int
parse_metric(struct threshold *t, const char *m, size_t len, char *err,
	     size_t errlen)
{
	char buf[THRESHOLD_EXPR_MAX];
	char *dot;

	while (len > 0 && (m[len - 1] == ' ' || m[len - 1] == '\t'))
		len--;
	if (len == 0)
		return errbuf_set(err, errlen, "threshold '%s': no metric before "
			    "the comparison", t->expr);
	snprintf(buf, sizeof(buf), "%.*s", (int)len, m);
	dot = strchr(buf, '.');
	if (dot != NULL)
		*dot++ = '\0';
	if (strlen(buf) >= sizeof(t->name) ||
	    (dot != NULL && strlen(dot) >= sizeof(t->kind)))
		return errbuf_set(err, errlen, "threshold '%s': unknown metric",
			    t->expr);
	snprintf(t->name, sizeof(t->name), "%s", buf);
	if (in_list(latencies, buf)) {
		t->latency = 1;
		if (dot == NULL || parse_stat(t, dot) != 0)
			return errbuf_set(err, errlen, "threshold '%s': %s needs "
				    ".pN (0 < N <= 100), .min, .max, .mean or "
				    ".count", t->expr, buf);
		return 0;
	}
	if (!in_list(counters, buf))
		return errbuf_set(err, errlen, "threshold '%s': unknown metric "
			    "'%s' (latencies: connect, ttfb, total, service, "
			    "service_ttfb; counters: errors, rps, cps, gbps, "
			    "requests, requests_failed, responses, 2xx..5xx, "
			    "connections)", t->expr, buf);
	if (dot != NULL) {
		size_t i;

		if (strcmp(buf, "errors") != 0 || dot[0] == '\0')
			return errbuf_set(err, errlen, "threshold '%s': only errors "
				    "takes a .KIND", t->expr);
		for (i = 0; dot[i] != '\0'; i++)
			if (!islower((unsigned char)dot[i]) && dot[i] != '_')
				return errbuf_set(err, errlen, "threshold '%s': "
					    "bad error kind", t->expr);
		snprintf(t->kind, sizeof(t->kind), "%s", dot);
	}
	return 0;
}

static int
parse_op(const char **s, enum threshold_op *op)
{
	static const struct {
		const char *text;
		enum threshold_op op;
	} ops[] = {	/* two-character ones first */
		{ "<=", THRESHOLD_LE }, { ">=", THRESHOLD_GE },
		{ "==", THRESHOLD_EQ }, { "!=", THRESHOLD_NE },
		{ "<", THRESHOLD_LT }, { ">", THRESHOLD_GT },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(*s, ops[i].text, strlen(ops[i].text)) == 0) {
			*op = ops[i].op;
			*s += strlen(ops[i].text);
			return 0;
		}
	return -1;
}

/* The number and its unit, into t->limit. */
static int
parse_limit(struct threshold *t, const char *s, char *err, size_t errlen)
{
	static const struct {
		const char *unit;
		double scale;
		int latency;
	} units[] = {
		{ "", 1, -1 }, { "us", 1, 1 }, { "ms", 1e3, 1 },
		{ "s", 1e6, 1 }, { "k", 1e3, 0 }, { "M", 1e6, 0 },
		{ "G", 1e9, 0 },
	};
	char unit[8];
	char *end;
	double v;
	size_t i, n;

	s = skip_space(s);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v) ||
	    isalpha((unsigned char)s[0]))
		return errbuf_set(err, errlen, "threshold '%s': expected a number "
			    "after the comparison", t->expr);
	end = (char *)skip_space(end);
	n = strlen(end);
	while (n > 0 && (end[n - 1] == ' ' || end[n - 1] == '\t'))
		n--;
	if (n >= sizeof(unit))
		return errbuf_set(err, errlen, "threshold '%s': unknown unit",
			    t->expr);
	snprintf(unit, sizeof(unit), "%.*s", (int)n, end);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].unit) != 0)
			continue;
		if (units[i].latency >= 0 &&
		    units[i].latency != (t->latency &&
					 t->stat != THRESHOLD_COUNT))
			break;
		t->limit = v * units[i].scale;
		return 0;
	}
	return errbuf_set(err, errlen, "threshold '%s': unit '%s' does not fit "
		    "%s (latencies take us, ms or s; counts and rates k, M "
		    "or G)", t->expr, unit, t->name);
}

int
threshold_parse(const char *s, struct threshold *t, char *err,
		size_t errlen)
{
	const char *op;

	memset(t, 0, sizeof(*t));
	if (s == NULL || strlen(s) >= sizeof(t->expr))
		return errbuf_set(err, errlen, "threshold: expected an expression "
			    "of at most %d characters such as total.p99<5ms",
			    THRESHOLD_EXPR_MAX - 1);
	snprintf(t->expr, sizeof(t->expr), "%s", s);
	s = skip_space(s);
	op = strpbrk(s, "<>=!");
	if (op == NULL)
		return errbuf_set(err, errlen, "threshold '%s': expected a "
			    "comparison (<, <=, >, >=, ==, !=) such as "
			    "total.p99<5ms", t->expr);
	if (parse_metric(t, s, (size_t)(op - s), err, errlen) != 0)
		return -1;
	if (parse_op(&op, &t->op) != 0)
		return errbuf_set(err, errlen, "threshold '%s': expected <, <=, >, "
			    ">=, == or !=", t->expr);
	return parse_limit(t, op, err, errlen);
}

int
threshold_holds(const struct threshold *t, double v)
{
	switch (t->op) {
	case THRESHOLD_LT: return v < t->limit;
	case THRESHOLD_LE: return v <= t->limit;
	case THRESHOLD_GT: return v > t->limit;
	case THRESHOLD_GE: return v >= t->limit;
	case THRESHOLD_EQ: return v == t->limit;
	case THRESHOLD_NE: return v != t->limit;
	}
	return 0;
}
