/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output formats (see ctl_out.h).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ctl_fmt.h"
#include "ctl_out.h"

#define KEY_MAX		256

static const char *const format_names[] = {
	[CTL_FORMAT_TEXT] = "text",
	[CTL_FORMAT_JSON] = "json",
	[CTL_FORMAT_JSONL] = "jsonl",
	[CTL_FORMAT_CSV] = "csv",
	[CTL_FORMAT_PROMETHEUS] = "prometheus",
};

int
ctl_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0)
			return (int)i;
	return -1;
}

void
ctl_csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A value as a CSV field: numbers in full (machines read it), "" for
 * absent or null. */
static void
csv_value(FILE *f, const json_t *v)
{
	char buf[64], *s;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		ctl_csv_field(f, json_string_value(v));
	} else if (json_is_integer(v)) {
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		fputs(buf, f);
	} else if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "true" : "false", f);
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
		ctl_csv_field(f, s != NULL ? s : "");
		free(s);
	}
}

static const char *const job_cols[] = {
	"t", "rps", "requests", "cps", "gbps", "errors", "open", "p50_us",
	"p99_us", NULL
};

void
ctl_csv_job_header(FILE *f)
{
	size_t i;

	fputs("job,row", f);
	for (i = 0; job_cols[i] != NULL; i++)
		fprintf(f, ",%s", job_cols[i]);
	fputc('\n', f);
}

static double
sum_numbers(const json_t *obj)
{
	const char *k;
	json_t *v;
	double s = 0;

	json_object_foreach((json_t *)obj, k, v)
		if (json_is_number(v))
			s += json_number_value(v);
	return s;
}

/* A request mix: a row "mix:NAME" per entry after the total row, in the
 * same columns: t the job's, rps its responses per second, requests,
 * errors, p50_us and p99_us its own; cps, gbps and open empty. */
static void
ctl_csv_mix_rows(FILE *f, const json_t *st)
{
	const json_t *el = json_object_get(st, "elapsed_s"), *e;
	size_t i;

	json_array_foreach(json_object_get(st, "mix"), i, e) {
		const json_t *lat = json_object_get(e, "latency_us");
		const json_t *resp = json_object_get(e, "responses");
		double t = json_number_value(el);
		json_t *rps = json_real(t > 0 ? json_number_value(
			json_object_get(resp, "total")) / t : 0.0);
		char row[96];

		csv_value(f, json_object_get(st, "job"));
		fputc(',', f);
		snprintf(row, sizeof(row), "mix:%s",
			 json_string_value(json_object_get(e, "name")) != NULL ?
			 json_string_value(json_object_get(e, "name")) : "");
		ctl_csv_field(f, row);
		fputc(',', f);
		csv_value(f, el);
		fputc(',', f);
		csv_value(f, rps);
		fputc(',', f);
		csv_value(f, json_object_get(e, "requests"));
		fputs(",,,", f);
		csv_value(f, json_object_get(e, "errors"));
		fputs(",,", f);
		csv_value(f, json_object_get(lat, "p50"));
		fputc(',', f);
		csv_value(f, json_object_get(lat, "p99"));
		fputc('\n', f);
		json_decref(rps);
	}
}

void
ctl_csv_job_rows(FILE *f, const json_t *st, int totals)
{
	const json_t *job = json_object_get(st, "job");
	const json_t *series = json_object_get(st, "series");
	const json_t *rates = json_object_get(st, "rates");
	const json_t *total = json_object_get(json_object_get(st,
							      "latency_us"),
					      "total");
	const json_t *row;
	json_t *errs;
	size_t i, c;

	json_array_foreach(series, i, row) {
		csv_value(f, job);
		fputs(",second", f);
		for (c = 0; job_cols[c] != NULL; c++) {
			fputc(',', f);
			csv_value(f, json_object_get(row, job_cols[c]));
		}
		fputc('\n', f);
	}
	if (!totals)
		return;
	errs = json_real(sum_numbers(json_object_get(st, "errors")));
	{
		/* job_cols' order: t, rps, requests, cps, gbps, errors,
		 * open, p50_us, p99_us */
		const json_t *tv[] = {
			json_object_get(st, "elapsed_s"),
			json_object_get(rates, "rps"),
			json_object_get(st, "requests_sent"),
			json_object_get(rates, "cps"),
			json_object_get(rates, "gbps"),
			errs,
			json_object_get(st, "connections_open"),
			json_object_get(total, "p50"),
			json_object_get(total, "p99"),
		};

		csv_value(f, job);
		fputs(",total", f);
		for (c = 0; c < sizeof(tv) / sizeof(tv[0]); c++) {
			fputc(',', f);
			csv_value(f, tv[c]);
		}
	}
	fputc('\n', f);
	json_decref(errs);
	ctl_csv_mix_rows(f, st);
}

/* Every leaf of v under prefix, as (dotted key, value) pairs into out. */
static void
flatten(json_t *out, const char *prefix, const json_t *v)
{
	char key[KEY_MAX];
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_object(v) && json_object_size(v) > 0) {
		json_object_foreach((json_t *)v, k, m) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 prefix[0] != '\0' ? "." : "", k);
			flatten(out, key, m);
		}
	} else if (json_is_array(v) && json_array_size(v) > 0 &&
		   json_is_object(json_array_get(v, 0))) {
		json_array_foreach(v, i, m) {
			snprintf(key, sizeof(key), "%s%s%zu", prefix,
				 prefix[0] != '\0' ? "." : "", i);
			flatten(out, key, m);
		}
	} else {
		json_object_set(out, prefix[0] != '\0' ? prefix : "value",
				(json_t *)v);
	}
}

/* Rows of objects: the columns every row has, first seen first. */
static void
csv_rows(FILE *f, const json_t *rows)
{
	json_t *flat = json_array(), *cols = json_object(), *o;
	const json_t *r;
	const char *k;
	json_t *v;
	size_t i;
	int first;

	json_array_foreach(rows, i, r) {
		o = json_object();
		flatten(o, "", r);
		json_object_foreach(o, k, v)
			if (json_object_get(cols, k) == NULL)
				json_object_set_new(cols, k, json_true());
		json_array_append_new(flat, o);
	}
	first = 1;
	json_object_foreach(cols, k, v) {
		if (!first)
			fputc(',', f);
		ctl_csv_field(f, k);
		first = 0;
	}
	fputc('\n', f);
	json_array_foreach(flat, i, o) {
		first = 1;
		json_object_foreach(cols, k, v) {
			if (!first)
				fputc(',', f);
			csv_value(f, json_object_get(o, k));
			first = 0;
		}
		fputc('\n', f);
	}
	json_decref(flat);
	json_decref(cols);
}

/* An array of objects, or the one such array a result wraps. */
static const json_t *
rows_of(const json_t *r)
{
	const json_t *only = NULL;
	const char *k;
	json_t *v;

	if (json_is_array(r) && json_array_size(r) > 0 &&
	    json_is_object(json_array_get(r, 0)))
		return r;
	if (!json_is_object(r) || json_object_size(r) != 1)
		return NULL;
	json_object_foreach((json_t *)r, k, v)
		only = v;
	if (json_is_array(only) &&
	    (json_array_size(only) == 0 ||
	     json_is_object(json_array_get(only, 0))))
		return only;
	return NULL;
}

static int
is_job_status(const json_t *r)
{
	return json_is_object(r) && json_object_get(r, "job") != NULL &&
	       json_object_get(r, "state") != NULL &&
	       json_object_get(r, "rates") != NULL;
}

void
ctl_csv_result(FILE *f, const char *method, const json_t *r)
{
	const json_t *rows;
	json_t *flat, *v;
	const char *k;

	(void)method;
	if (is_job_status(r)) {
		ctl_csv_job_header(f);
		ctl_csv_job_rows(f, r, 1);
		return;
	}
	rows = rows_of(r);
	if (rows != NULL) {
		csv_rows(f, rows);
		return;
	}
	flat = json_object();
	flatten(flat, "", r);
	fputs("key,value\n", f);
	json_object_foreach(flat, k, v) {
		ctl_csv_field(f, k);
		fputc(',', f);
		csv_value(f, v);
		fputc('\n', f);
	}
	json_decref(flat);
}

void
ctl_out_result(FILE *f, enum ctl_format format, const char *method,
	       const json_t *r)
{
	switch (format) {
	case CTL_FORMAT_JSON:
		json_dumpf(r, f, JSON_INDENT(2) | JSON_ENCODE_ANY |
			   JSON_REAL_PRECISION(15));
		fputc('\n', f);
		break;
	case CTL_FORMAT_JSONL:
		/* 15 digits: 0.1 stays 0.1, not 0.10000000000000001 */
		json_dumpf(r, f, JSON_COMPACT | JSON_ENCODE_ANY |
			   JSON_REAL_PRECISION(15));
		fputc('\n', f);
		break;
	case CTL_FORMAT_CSV:
		ctl_csv_result(f, method, r);
		break;
	default:
		ctl_fmt_result(f, method, r);
		break;
	}
}

int
ctl_term_width(int fd)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long v;

	if (c != NULL && c[0] != '\0') {
		v = strtol(c, &end, 10);
		if (*end == '\0' && v >= 20 && v <= 1000)
			return (int)v;
	}
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

int
ctl_term_escapes(int fd)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (nc != NULL && nc[0] != '\0')
		return 0;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}
