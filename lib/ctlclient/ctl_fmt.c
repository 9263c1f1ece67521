/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Formatting of control replies (see ctl_fmt.h).
 *
 * ctl_fmt_result -> ctl_fmt_job | ctl_fmt_jobs | ctl_fmt_conns
 *                 | ctl_fmt_table | ctl_fmt_tree -> ctl_fmt_scalar
 */

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_fmt.h"
#include "search_params.h"

#define CELL_MAX	128
#define SERIES_ROWS	10	/* seconds of series on the watch screen */

/* The width tables must fit in; 0: any (ctl_fmt_set_width). */
static int term_width;

void
ctl_fmt_set_width(int columns)
{
	term_width = columns > 0 ? columns : 0;
}

/* Readable reals: 3 significant digits, whole numbers from 1000 on
 * (counts stay exact: they are integers in JSON and printed in full). */
static void
fmt_real(char *buf, size_t len, double d)
{
	if (fabs(d) >= 1000.0)
		snprintf(buf, len, "%.0f", d);
	else if (d == 0 || fabs(d) >= 0.001)
		snprintf(buf, len, "%.3g", d);
	else
		snprintf(buf, len, "%.2e", d);
}

void
ctl_fmt_real(char *buf, size_t len, double d)
{
	fmt_real(buf, len, d);
}

void
ctl_fmt_scalar(char *buf, size_t len, const json_t *v)
{
	char *s;

	if (len == 0)
		return;
	if (v == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, len, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		break;
	case JSON_REAL:
		fmt_real(buf, len, json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "false");
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(buf, len, "%s", s != NULL ? s : "?");
		free(s);
		break;
	default:	/* null */
		snprintf(buf, len, "-");
		break;
	}
}

/* A member as a number, or NAN when it is absent or not a number. */
static double
num(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *
str(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : dflt;
}

static int
is_table(const json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return 0;
	json_array_foreach(a, i, v)
		if (!json_is_object(v))
			return 0;
	return 1;
}

static int
all_have(const json_t *a, const char *key)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_object_get(v, key) == NULL)
			return 0;
	return 1;
}

void
ctl_fmt_tree(FILE *f, const json_t *obj, int indent)
{
	const char *key;
	char cell[CELL_MAX];
	size_t w = 0, i;
	json_t *v, *item, *rest;

	if (!json_is_object(obj)) {
		ctl_fmt_scalar(cell, sizeof(cell), obj);
		fprintf(f, "%*s%s\n", indent, "", cell);
		return;
	}
	json_object_foreach((json_t *)obj, key, v)
		if (!json_is_object(v) && !is_table(v) && strlen(key) > w)
			w = strlen(key);
	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_object(v)) {
			fprintf(f, "%*s%s\n", indent, "", key);
			ctl_fmt_tree(f, v, indent + 2);
		} else if (is_table(v) && all_have(v, "lcore")) {
			fprintf(f, "%*s%s\n", indent, "", key);
			json_array_foreach(v, i, item) {
				ctl_fmt_scalar(cell, sizeof(cell),
					       json_object_get(item, "lcore"));
				fprintf(f, "%*slcore %s\n", indent + 2, "",
					cell);
				rest = json_deep_copy(item);
				json_object_del(rest, "lcore");
				ctl_fmt_tree(f, rest, indent + 4);
				json_decref(rest);
			}
		} else if (is_table(v)) {
			fprintf(f, "%*s%s\n", indent, "", key);
			ctl_fmt_table(f, v, NULL, indent + 2);
		} else if (json_is_array(v) && !is_table(v)) {
			/* a list of words: "1, 2", not JSON; none: "-" */
			fprintf(f, "%*s%-*s  ", indent, "", (int)w, key);
			json_array_foreach(v, i, item) {
				ctl_fmt_scalar(cell, sizeof(cell), item);
				fprintf(f, "%s%s", i > 0 ? ", " : "", cell);
			}
			fprintf(f, "%s\n", json_array_size(v) == 0 ? "-" : "");
		} else {
			ctl_fmt_scalar(cell, sizeof(cell), v);
			fprintf(f, "%*s%-*s  %s\n", indent, "", (int)w, key,
				cell);
		}
	}
}

/* Member names of the rows, in the order first seen. */
static const char **
table_cols(const json_t *rows, size_t *n)
{
	const char **cols = NULL, **nc;
	const char *key;
	size_t i, j;
	json_t *row, *v;

	*n = 0;
	json_array_foreach(rows, i, row) {
		json_object_foreach(row, key, v) {
			(void)v;
			for (j = 0; j < *n; j++)
				if (strcmp(cols[j], key) == 0)
					break;
			if (j < *n)
				continue;
			nc = realloc(cols, (*n + 1) * sizeof(*cols));
			if (nc == NULL)
				return cols;
			cols = nc;
			cols[(*n)++] = key;
		}
	}
	return cols;
}

static int
grid_too_wide(const size_t *w, size_t ncols, int indent)
{
	size_t c, total = (size_t)indent;

	for (c = 0; c < ncols; c++)
		total += w[c] + (c > 0 ? 2 : 0);
	return term_width > 0 && total > (size_t)term_width;
}

/* Columns from an array of cell strings: width per column, numbers right;
 * past the width, one row after another as "heading  value" lines. */
static void
print_grid(FILE *f, char **cells, const int *right, size_t nrows,
	   size_t ncols, int indent)
{
	size_t r, c, *w = calloc(ncols, sizeof(*w));

	if (w == NULL)
		return;
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			if (strlen(cells[r * ncols + c]) > w[c])
				w[c] = strlen(cells[r * ncols + c]);
	if (grid_too_wide(w, ncols, indent) && nrows > 1) {
		/* one row after another: "heading  value" lines */
		size_t kw = 0;

		for (c = 0; c < ncols; c++)
			if (strlen(cells[c]) > kw)
				kw = strlen(cells[c]);
		for (r = 1; r < nrows; r++) {
			if (r > 1)
				fputc('\n', f);
			for (c = 0; c < ncols; c++)
				fprintf(f, "%*s%-*s  %s\n", indent, "",
					(int)kw, cells[c],
					cells[r * ncols + c]);
		}
		free(w);
		return;
	}
	for (r = 0; r < nrows; r++) {
		fprintf(f, "%*s", indent, "");
		for (c = 0; c < ncols; c++) {
			const char *s = cells[r * ncols + c];

			/* a left-aligned last column gets no trailing blanks */
			if (c + 1 == ncols && !right[c])
				fprintf(f, "%s", s);
			else if (right[c])
				fprintf(f, "%*s", (int)w[c], s);
			else
				fprintf(f, "%-*s", (int)w[c], s);
			fprintf(f, "%s", c + 1 < ncols ? "  " : "\n");
		}
	}
	free(w);
}

/*
 * Rows that hold objects or arrays, or whose columns would pass the
 * width, go one after another as "key: value" blocks (nested values as
 * trees) instead of a grid with inline JSON.
 */
static int
table_is_vertical(const json_t *rows, const char **cols, size_t ncols,
		  int indent)
{
	char buf[CELL_MAX];
	size_t r, c, w, total = (size_t)indent;
	const json_t *v;

	for (c = 0; c < ncols; c++) {
		w = strlen(cols[c]);
		for (r = 0; r < json_array_size(rows); r++) {
			v = json_object_get(json_array_get(rows, r), cols[c]);
			if (json_is_object(v) ||
			    (json_is_array(v) && json_array_size(v) > 0 &&
			     !json_is_string(json_array_get(v, 0)) &&
			     !json_is_number(json_array_get(v, 0))))
				return 1;
			ctl_fmt_scalar(buf, sizeof(buf), v);
			if (strlen(buf) > w)
				w = strlen(buf);
		}
		total += w + (c > 0 ? 2 : 0);
	}
	return term_width > 0 && total > (size_t)term_width;
}

static void
vertical(FILE *f, const json_t *rows, const char **cols, size_t ncols,
	 int indent)
{
	json_t *one;
	size_t r, c;

	for (r = 0; r < json_array_size(rows); r++) {
		if (r > 0)
			fputc('\n', f);
		one = json_object();
		for (c = 0; c < ncols; c++) {
			const json_t *v = json_object_get(
				json_array_get(rows, r), cols[c]);

			if (v != NULL)
				json_object_set(one, cols[c], (json_t *)v);
		}
		ctl_fmt_tree(f, one, indent);
		json_decref(one);
	}
}

void
ctl_fmt_table(FILE *f, const json_t *rows, const char *const *cols_in,
	      int indent)
{
	const char **cols;
	size_t ncols = 0, nrows, r, c;
	char **cells;
	int *right;
	json_t *v;

	if (!json_is_array(rows) || json_array_size(rows) == 0) {
		fprintf(f, "%*s(none)\n", indent, "");
		return;
	}
	if (cols_in != NULL) {
		while (cols_in[ncols] != NULL)
			ncols++;
		cols = malloc(ncols * sizeof(*cols));
		if (cols != NULL)
			memcpy(cols, cols_in, ncols * sizeof(*cols));
	} else {
		cols = table_cols(rows, &ncols);
	}
	if (table_is_vertical(rows, cols, ncols, indent)) {
		vertical(f, rows, cols, ncols, indent);
		free(cols);
		return;
	}
	nrows = json_array_size(rows) + 1;
	cells = calloc(nrows * ncols, sizeof(*cells));
	right = calloc(ncols, sizeof(*right));
	if (cols == NULL || cells == NULL || right == NULL)
		goto out;
	for (c = 0; c < ncols; c++) {
		cells[c] = strdup(cols[c]);
		right[c] = 1;
	}
	for (r = 1; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			char buf[CELL_MAX];

			v = json_object_get(json_array_get(rows, r - 1),
					    cols[c]);
			ctl_fmt_scalar(buf, sizeof(buf), v);
			cells[r * ncols + c] = strdup(buf);
			if (v != NULL && !json_is_number(v))
				right[c] = 0;
		}
	}
	for (r = 0; r < nrows * ncols; r++)
		if (cells[r] == NULL)
			goto out;
	print_grid(f, cells, right, nrows, ncols, indent);
out:
	if (cells != NULL)
		for (r = 0; r < nrows * ncols; r++)
			free(cells[r]);
	free(cells);
	free(right);
	free(cols);
}

/* Milliseconds from a member in microseconds, like ss prints rtt and rto. */
static void
ms(char *buf, size_t len, const json_t *obj, const char *key)
{
	double us = num(obj, key);

	if (isnan(us))
		snprintf(buf, len, "-");
	else if (us >= 100000)
		snprintf(buf, len, "%.0f", us / 1000.0);
	else
		snprintf(buf, len, "%.3g", us / 1000.0);
}

void
ctl_fmt_conns(FILE *f, const json_t *result)
{
	static const char *const hdr[] = {
		"State", "Lcore", "Local Address:Port", "Peer Address:Port"
	};
	const json_t *conns = json_object_get(result, "conns");
	const json_t *total = json_object_get(result, "total");
	size_t n = json_array_size(conns), i, c, w[4] = { 0 };
	char lcore[32], rtt[32], rto[32], cell[CELL_MAX];
	const json_t *conn;

	for (c = 0; c < 4; c++)
		w[c] = strlen(hdr[c]);
	json_array_foreach(conns, i, conn) {
		ctl_fmt_scalar(lcore, sizeof(lcore),
			       json_object_get(conn, "lcore"));
		if (strlen(str(conn, "state", "-")) > w[0])
			w[0] = strlen(str(conn, "state", "-"));
		if (strlen(lcore) > w[1])
			w[1] = strlen(lcore);
		if (strlen(str(conn, "local", "-")) > w[2])
			w[2] = strlen(str(conn, "local", "-"));
	}
	fprintf(f, "%-*s  %*s  %-*s  %s\n", (int)w[0], hdr[0], (int)w[1],
		hdr[1], (int)w[2], hdr[2], hdr[3]);
	json_array_foreach(conns, i, conn) {
		ctl_fmt_scalar(lcore, sizeof(lcore),
			       json_object_get(conn, "lcore"));
		fprintf(f, "%-*s  %*s  %-*s  %s\n", (int)w[0],
			str(conn, "state", "-"), (int)w[1], lcore, (int)w[2],
			str(conn, "local", "-"), str(conn, "remote", "-"));
		ms(rtt, sizeof(rtt), conn, "srtt_us");
		ms(rto, sizeof(rto), conn, "rto_us");
		fprintf(f, "\t rto:%s rtt:%s", rto, rtt);
		for (c = 0; c < 4; c++) {
			static const char *const k[] = {
				"cwnd", "retrans", "snd_wnd", "rcv_wnd"
			};

			ctl_fmt_scalar(cell, sizeof(cell),
				       json_object_get(conn, k[c]));
			fprintf(f, " %s:%s", k[c], cell);
		}
		fprintf(f, "\n");
	}
	if (json_is_integer(total) &&
	    (size_t)json_integer_value(total) != n)
		fprintf(f, "%zu of %" JSON_INTEGER_FORMAT
			" connections shown\n", n, json_integer_value(total));
	else
		fprintf(f, "%zu connection%s\n", n, n == 1 ? "" : "s");
}

/* The sum of an object's numeric members (the error counters). */
static double
sum_members(const json_t *obj)
{
	const char *key;
	double s = 0;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
		if (json_is_number(v))
			s += json_number_value(v);
	return s;
}

static void
cell_num(char *buf, size_t len, double d, const char *fmt)
{
	if (isnan(d))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, d);
}

void
ctl_fmt_jobs(FILE *f, const json_t *result)
{
	static const char *const hdr[] = {
		"job", "state", "elapsed_s", "requests", "2xx", "3xx", "4xx",
		"5xx", "errors", "open", "rps", "cps", "gbps"
	};
	enum { NC = sizeof(hdr) / sizeof(hdr[0]) };
	const json_t *jobs = json_object_get(result, "jobs");
	size_t n = json_array_size(jobs), i, c;
	int right[NC];
	char **cells;
	const json_t *j, *resp, *rates;

	if (n == 0) {
		fprintf(f, "no jobs\n");
		return;
	}
	cells = calloc((n + 1) * NC, sizeof(*cells));
	if (cells == NULL)
		return;
	for (c = 0; c < NC; c++) {
		cells[c] = strdup(hdr[c]);
		right[c] = c != 1;
	}
	json_array_foreach(jobs, i, j) {
		char b[NC][CELL_MAX];

		resp = json_object_get(j, "responses");
		rates = json_object_get(j, "rates");
		ctl_fmt_scalar(b[0], CELL_MAX, json_object_get(j, "job"));
		snprintf(b[1], CELL_MAX, "%s", str(j, "state", "-"));
		cell_num(b[2], CELL_MAX, num(j, "elapsed_s"), "%.1f");
		cell_num(b[3], CELL_MAX, num(j, "requests_sent"), "%.0f");
		cell_num(b[4], CELL_MAX, num(resp, "2xx"), "%.0f");
		cell_num(b[5], CELL_MAX, num(resp, "3xx"), "%.0f");
		cell_num(b[6], CELL_MAX, num(resp, "4xx"), "%.0f");
		cell_num(b[7], CELL_MAX, num(resp, "5xx"), "%.0f");
		cell_num(b[8], CELL_MAX,
			 json_is_object(json_object_get(j, "errors")) ?
			 sum_members(json_object_get(j, "errors")) : NAN,
			 "%.0f");
		cell_num(b[9], CELL_MAX, num(j, "connections_open"), "%.0f");
		cell_num(b[10], CELL_MAX, num(rates, "rps"), "%.1f");
		cell_num(b[11], CELL_MAX, num(rates, "cps"), "%.1f");
		cell_num(b[12], CELL_MAX, num(rates, "gbps"), "%.3f");
		for (c = 0; c < NC; c++)
			cells[(i + 1) * NC + c] = strdup(b[c]);
	}
	for (i = 0; i < (n + 1) * NC; i++)
		if (cells[i] == NULL)
			goto out;
	print_grid(f, cells, right, n + 1, NC, 0);
out:
	for (i = 0; i < (n + 1) * NC; i++)
		free(cells[i]);
	free(cells);
}

/* Bytes in decimal units, then exactly. */
static void
bytes(char *buf, size_t len, double b)
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB" };
	double v = b;
	int u = -1;

	if (isnan(b)) {
		snprintf(buf, len, "-");
		return;
	}
	while (v >= 1000.0 && u < 3) {
		v /= 1000.0;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%.0f B", b);
	else
		snprintf(buf, len, "%.2f %s (%.0f B)", v, unit[u], b);
}

/* "name n   name n ..." of an object's members; only non-zero ones when
 * nonzero is set.  Returns how many were printed. */
static int
inline_counts(FILE *f, const json_t *obj, int nonzero)
{
	const char *key;
	char cell[CELL_MAX];
	int n = 0;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (nonzero && json_is_number(v) && json_number_value(v) == 0)
			continue;
		ctl_fmt_scalar(cell, sizeof(cell), v);
		fprintf(f, "%s%s %s", n ? "   " : "", key, cell);
		n++;
	}
	return n;
}

/* One latency figure as text: whole microseconds, or one decimal. */
static void
latency_cell(char *cell, size_t len, const json_t *row, const char *col)
{
	double d = num(row, col);

	if (isnan(d))
		snprintf(cell, len, "-");
	else if (d == floor(d) && fabs(d) < 1e15)
		snprintf(cell, len, "%.0f", d);
	else
		snprintf(cell, len, "%.1f", d);
}

/* "p999" -> "p99.9" for a heading: the dot goes back after the first
 * two digits (hist_pct_key drops it). */
static void
pct_heading(const char *key, char *buf, size_t len)
{
	size_t digits = strlen(key) - 1;

	if (key[0] == 'p' && isdigit((unsigned char)key[1]) && digits > 2 &&
	    strcmp(key, "p100") != 0)
		snprintf(buf, len, "p%.2s.%s", key + 1, key + 3);
	else
		snprintf(buf, len, "%s", key);
}

#define LAT_COLS_MAX	24

/* The columns: count, min, mean, the p* keys in the order the first
 * row has them (the job's percentiles), max. */
static size_t
latency_cols(const json_t *lat, const char **cols)
{
	const json_t *row = NULL;
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)lat, key, v)
		if (row == NULL && json_is_object(v))
			row = v;
	cols[n++] = "count";
	cols[n++] = "min";
	cols[n++] = "mean";
	json_object_foreach((json_t *)row, key, v)
		if (key[0] == 'p' && isdigit((unsigned char)key[1]) &&
		    n + 1 < LAT_COLS_MAX)
			cols[n++] = key;
	cols[n++] = "max";
	return n;
}

static void
latency_table(FILE *f, const json_t *lat)
{
	static const char *const order[] = {
		"connect", "ttfb", "total", "service", "service_ttfb"
	};
	enum { NO = sizeof(order) / sizeof(order[0]) };
	const char *cols[LAT_COLS_MAX], *keys[16];
	size_t nc = latency_cols(lat, cols), nr = 0, c, r, total;
	char head[LAT_COLS_MAX][32], cell[CELL_MAX];
	size_t w[LAT_COLS_MAX];
	const char *key;
	json_t *row;

	/* the known rows in their natural order, then any others */
	for (c = 0; c < NO; c++)
		if (json_object_get(lat, order[c]) != NULL && nr < 16)
			keys[nr++] = order[c];
	json_object_foreach((json_t *)lat, key, row) {
		for (c = 0; c < NO; c++)
			if (strcmp(key, order[c]) == 0)
				break;
		if (c == NO && nr < 16)
			keys[nr++] = key;
	}
	/* columns as wide as their widest cell: fits 80 columns */
	total = 12;
	for (c = 0; c < nc; c++) {
		if (c == 0)
			snprintf(head[c], sizeof(head[c]), "count");
		else
			pct_heading(cols[c], head[c], sizeof(head[c]));
		w[c] = strlen(head[c]);
		for (r = 0; r < nr; r++) {
			latency_cell(cell, sizeof(cell),
				     json_object_get(lat, keys[r]), cols[c]);
			if (strlen(cell) > w[c])
				w[c] = strlen(cell);
		}
		total += 2 + w[c];
	}
	if (term_width > 0 && total > (size_t)term_width) {
		/* still too wide: a block per row */
		fprintf(f, "latency (us)\n");
		for (r = 0; r < nr; r++) {
			fprintf(f, "  %s\n", keys[r]);
			for (c = 0; c < nc; c++) {
				latency_cell(cell, sizeof(cell),
					     json_object_get(lat, keys[r]),
					     cols[c]);
				fprintf(f, "    %-6s  %s\n", head[c], cell);
			}
		}
		return;
	}
	fprintf(f, "latency (us)");
	for (c = 0; c < nc; c++)
		fprintf(f, "  %*s", (int)w[c], head[c]);
	fprintf(f, "\n");
	for (r = 0; r < nr; r++) {
		fprintf(f, "  %-10s", keys[r]);
		for (c = 0; c < nc; c++) {
			latency_cell(cell, sizeof(cell),
				     json_object_get(lat, keys[r]), cols[c]);
			fprintf(f, "  %*s", (int)w[c], cell);
		}
		fprintf(f, "\n");
	}
}

/* Each threshold on a line: expression, value, ok or FAILED. */
static void
thresholds_table(FILE *f, const json_t *th)
{
	const json_t *t;
	size_t i;

	json_array_foreach((json_t *)th, i, t) {
		char v[CELL_MAX];

		cell_num(v, sizeof(v), num(t, "value"), "%.6g");
		fprintf(f, "%-13s%-28s %12s  %s\n", i == 0 ? "thresholds" : "",
			str(t, "expr", "?"), v,
			json_is_true(json_object_get(t, "ok")) ? "ok" :
			"FAILED");
	}
}

/* A request mix: a row per entry (name, or method and URL when the name
 * is the URL), and the job's totals they add up to. */
static void
mix_table(FILE *f, const json_t *st)
{
	static const char *const hdr[] = {
		"entry", "weight", "requests", "responses", "errors",
		"body_bytes", "p50_us", "p99_us"
	};
	enum { NC = sizeof(hdr) / sizeof(hdr[0]) };
	const json_t *mix = json_object_get(st, "mix");
	const json_t *resp = json_object_get(st, "responses");
	size_t n = json_array_size(mix), i, c;
	double weights = 0;
	int right[NC];
	char **cells;

	cells = calloc((n + 2) * NC, sizeof(*cells));
	if (cells == NULL)
		return;
	for (c = 0; c < NC; c++) {
		cells[c] = strdup(hdr[c]);
		right[c] = c != 0;
	}
	for (i = 0; i <= n; i++) {
		const json_t *row = i < n ? json_array_get(mix, i) : st;
		const json_t *lat = json_object_get(row, "latency_us");
		char b[NC][CELL_MAX];
		const char *name = str(row, "name", "?");

		if (i < n) {
			if (strncmp(name, "http://", 7) == 0)
				snprintf(b[0], CELL_MAX, "%s %s",
					 str(row, "method", "GET"), name);
			else
				snprintf(b[0], CELL_MAX, "%s", name);
			weights += num(row, "weight");
			cell_num(b[1], CELL_MAX, num(row, "weight"), "%.0f");
			cell_num(b[2], CELL_MAX, num(row, "requests"), "%.0f");
			cell_num(b[3], CELL_MAX,
				 num(json_object_get(row, "responses"),
				     "total"), "%.0f");
			cell_num(b[4], CELL_MAX, num(row, "errors"), "%.0f");
		} else {
			/* The job's own figures, for the sums to match. */
			snprintf(b[0], CELL_MAX, "total");
			cell_num(b[1], CELL_MAX, weights, "%.0f");
			cell_num(b[2], CELL_MAX, num(st, "requests_sent"),
				 "%.0f");
			cell_num(b[3], CELL_MAX, json_is_object(resp) ?
				 sum_members(resp) : NAN, "%.0f");
			cell_num(b[4], CELL_MAX, json_is_object(json_object_get(
				 st, "errors")) ? sum_members(json_object_get(
				 st, "errors")) : NAN, "%.0f");
			lat = json_object_get(lat, "total");
		}
		cell_num(b[5], CELL_MAX, num(row, "body_bytes"), "%.0f");
		latency_cell(b[6], CELL_MAX, lat, "p50");
		latency_cell(b[7], CELL_MAX, lat, "p99");
		for (c = 0; c < NC; c++)
			cells[(i + 1) * NC + c] = strdup(b[c]);
	}
	for (i = 0; i < (n + 2) * NC; i++)
		if (cells[i] == NULL)
			goto out;
	fprintf(f, "mix\n");
	print_grid(f, cells, right, n + 2, NC, 2);
out:
	for (i = 0; i < (n + 2) * NC; i++)
		free(cells[i]);
	free(cells);
}

void
ctl_fmt_job(FILE *f, const json_t *st)
{
	const json_t *resp = json_object_get(st, "responses");
	const json_t *errs = json_object_get(st, "errors");
	const json_t *rates = json_object_get(st, "rates");
	const json_t *lat = json_object_get(st, "latency_us");
	const json_t *codes = json_object_get(resp, "by_code");
	char job[CELL_MAX], a[CELL_MAX], b[CELL_MAX];
	double el = num(st, "elapsed_s");

	ctl_fmt_scalar(job, sizeof(job), json_object_get(st, "job"));
	if (isnan(el))
		fprintf(f, "job %s: %s\n", job, str(st, "state", "?"));
	else
		fprintf(f, "job %s: %s, %.2f s\n", job, str(st, "state", "?"),
			el);
	cell_num(a, sizeof(a), num(st, "requests_sent"), "%.0f");
	fprintf(f, "%-13s%s sent\n", "requests", a);
	fprintf(f, "%-13s", "responses");
	if (json_is_object(resp)) {
		static const char *const cls[] = { "2xx", "3xx", "4xx", "5xx" };
		size_t i;

		for (i = 0; i < 4; i++) {
			cell_num(a, sizeof(a), num(resp, cls[i]), "%.0f");
			fprintf(f, "%s%s %s", i ? "   " : "", cls[i], a);
		}
	} else {
		fprintf(f, "-");
	}
	fprintf(f, "\n");
	if (json_object_size(codes) > 0) {
		fprintf(f, "%-13s", "by code");
		inline_counts(f, codes, 0);
		fprintf(f, "\n");
	}
	fprintf(f, "%-13s", "errors");
	if (!json_is_object(errs))
		fprintf(f, "-");
	else if (inline_counts(f, errs, 1) == 0)
		fprintf(f, "none");
	fprintf(f, "\n");
	cell_num(a, sizeof(a), num(st, "connections_opened"), "%.0f");
	cell_num(b, sizeof(b), num(st, "connections_open"), "%.0f");
	fprintf(f, "%-13s%s opened, %s open\n", "connections", a, b);
	bytes(a, sizeof(a), num(st, "bytes_rx"));
	bytes(b, sizeof(b), num(st, "bytes_tx"));
	fprintf(f, "%-13srx %s   tx %s\n", "transfer", a, b);
	if (json_is_object(rates)) {
		char c[CELL_MAX];

		cell_num(a, sizeof(a), num(rates, "rps"), "%.1f");
		cell_num(b, sizeof(b), num(rates, "cps"), "%.1f");
		cell_num(c, sizeof(c), num(rates, "gbps"), "%.3f");
		fprintf(f, "%-13s%s req/s   %s conn/s   %s Gbit/s\n", "rates",
			a, b, c);
	}
	if (json_object_size(lat) > 0)
		latency_table(f, lat);
	if (json_array_size(json_object_get(st, "mix")) > 0)
		mix_table(f, st);
	if (json_array_size(json_object_get(st, "thresholds")) > 0)
		thresholds_table(f, json_object_get(st, "thresholds"));
	if (str(st, "first_error", NULL) != NULL)
		fprintf(f, "%-13s%s\n", "first error",
			str(st, "first_error", ""));
}

/* A step's verdict: ok, or FAILED and why (the SLO expressions that
 * failed, a rate not achieved, the note). */
static void
search_verdict(char *buf, size_t len, const json_t *step)
{
	const json_t *t;
	double rate = num(step, "rate"), got = num(step, "achieved");
	size_t i, n;

	if (json_is_true(json_object_get(step, "ok"))) {
		snprintf(buf, len, "ok");
		return;
	}
	n = (size_t)snprintf(buf, len, "FAILED");
	json_array_foreach(json_object_get(step, "slo"), i, t)
		if (!json_is_true(json_object_get(t, "ok")) && n < len)
			n += (size_t)snprintf(buf + n, len - n, " %s",
					      str(t, "expr", "?"));
	if (rate > 0 && got < SEARCH_ACHIEVED_MIN * rate && n < len)
		n += (size_t)snprintf(buf + n, len - n, " achieved %.0f%%",
				      100 * got / rate);
	if (str(step, "note", NULL) != NULL && n < len)
		snprintf(buf + n, len - n, " (%s)", str(step, "note", ""));
}

void
ctl_fmt_search_step(FILE *f, const json_t *step)
{
	char v[CELL_MAX];

	search_verdict(v, sizeof(v), step);
	fprintf(f, "step %.0f: rate %.6g, achieved %.1f/s, p50 %.3f ms, "
		"p99 %.3f ms, %.0f errors, job %.0f: %s\n", num(step, "step"),
		num(step, "rate"), num(step, "achieved"),
		num(step, "p50_us") / 1e3, num(step, "p99_us") / 1e3,
		num(step, "errors"), num(step, "job"), v);
}

void
ctl_fmt_search(FILE *f, const json_t *r)
{
	static const char *const hdr[] = {
		"step", "rate", "achieved", "p50_ms", "p99_ms", "errors",
		"job", "verdict"
	};
	enum { NC = sizeof(hdr) / sizeof(hdr[0]) };
	const json_t *steps = json_object_get(r, "steps"), *st, *t;
	size_t n = json_array_size(steps), i, c;
	char a[CELL_MAX], b[CELL_MAX];
	int right[NC];
	char **cells;

	cell_num(a, sizeof(a), num(r, "min"), "%.6g");
	cell_num(b, sizeof(b), num(r, "max"), "%.6g");
	fprintf(f, "search %s %s..%s, slo:", str(r, "dial", "?"), a, b);
	json_array_foreach(json_object_get(r, "slo"), i, t)
		fprintf(f, " %s", json_string_value(t) != NULL ?
			json_string_value(t) : "?");
	fprintf(f, "%s\n", json_array_size(json_object_get(r, "slo")) ?
		"" : " (none)");
	cells = n > 0 ? calloc((n + 1) * NC, sizeof(*cells)) : NULL;
	if (cells != NULL) {
		for (c = 0; c < NC; c++) {
			cells[c] = strdup(hdr[c]);
			right[c] = c + 1 != NC;
		}
		json_array_foreach(steps, i, st) {
			char v[NC][CELL_MAX];

			cell_num(v[0], CELL_MAX, num(st, "step"), "%.0f");
			cell_num(v[1], CELL_MAX, num(st, "rate"), "%.6g");
			cell_num(v[2], CELL_MAX, num(st, "achieved"), "%.1f");
			cell_num(v[3], CELL_MAX, num(st, "p50_us") / 1e3,
				 "%.3f");
			cell_num(v[4], CELL_MAX, num(st, "p99_us") / 1e3,
				 "%.3f");
			cell_num(v[5], CELL_MAX, num(st, "errors"), "%.0f");
			cell_num(v[6], CELL_MAX, num(st, "job"), "%.0f");
			search_verdict(v[7], CELL_MAX, st);
			for (c = 0; c < NC; c++)
				cells[(i + 1) * NC + c] = strdup(v[c]);
		}
		for (i = 0; i < (n + 1) * NC; i++)
			if (cells[i] == NULL)
				break;
		if (i == (n + 1) * NC)
			print_grid(f, cells, right, n + 1, NC, 0);
		for (i = 0; i < (n + 1) * NC; i++)
			free(cells[i]);
		free(cells);
	}
	cell_num(b, sizeof(b), num(r, "elapsed_s"), "%.1f");
	if (json_is_number(json_object_get(r, "answer"))) {
		fprintf(f, "answer: %.6g %s", num(r, "answer"),
			str(r, "dial", "?"));
	} else {
		fprintf(f, "answer: none (no step passed)");
	}
	fprintf(f, " (%s after %zu steps, %s s)\n", str(r, "end", "?"), n, b);
	if (str(r, "error", NULL) != NULL)
		fprintf(f, "error: %s\n", str(r, "error", ""));
}

static void
series_tail(FILE *f, const json_t *series)
{
	static const char *const cols[] = {
		"t", "rps", "cps", "gbps", "open", NULL
	};
	size_t n = json_array_size(series), i;
	json_t *tail = json_array();

	if (tail == NULL)
		return;
	for (i = n > SERIES_ROWS ? n - SERIES_ROWS : 0; i < n; i++)
		json_array_append(tail, json_array_get(series, i));
	ctl_fmt_table(f, tail, cols, 0);
	json_decref(tail);
}

void
ctl_fmt_watch(FILE *f, const json_t *info, const json_t *status,
	      const json_t *jobs)
{
	char cell[CELL_MAX];
	const char *dv;
	double up;

	if (json_is_object(info)) {
		up = num(info, "uptime_s");
		dv = str(info, "dpdk_version", "?");
		/* rte_version() already says "DPDK 22.11.x" */
		fprintf(f, "dpfetch %s  %s%s", str(info, "version", "?"),
			strncmp(dv, "DPDK", 4) == 0 ? "" : "DPDK ", dv);
		if (json_is_array(json_object_get(info, "lcores"))) {
			const json_t *l;
			size_t i;

			fprintf(f, "  lcores ");
			json_array_foreach(json_object_get(info, "lcores"), i,
					   l) {
				ctl_fmt_scalar(cell, sizeof(cell), l);
				fprintf(f, "%s%s", i > 0 ? "," : "", cell);
			}
		} else {
			ctl_fmt_scalar(cell, sizeof(cell),
				       json_object_get(info, "lcores"));
			fprintf(f, "  lcores %s", cell);
		}
		{
			const json_t *p;
			size_t i;

			/* a word per port, not its JSON */
			ctl_fmt_scalar(cell, sizeof(cell),
				       json_object_get(info, "ports"));
			fprintf(f, "  ports%s%s",
				json_is_array(json_object_get(info, "ports")) ?
				"" : " ",
				json_is_array(json_object_get(info, "ports")) ?
				"" : cell);
			json_array_foreach(json_object_get(info, "ports"), i,
					   p)
				fprintf(f, "%s%s (%s)", i > 0 ? "," : " ",
					str(p, "name", "?"),
					json_is_true(json_object_get(p,
							"link_up")) ?
					"up" : "down");
		}
		if (!isnan(up))
			fprintf(f, "  up %ld:%02ld:%02ld", (long)up / 3600,
				((long)up / 60) % 60, (long)up % 60);
		fprintf(f, "\n\n");
	}
	if (json_is_object(status)) {
		ctl_fmt_job(f, status);
		if (json_array_size(json_object_get(status, "series")) > 0) {
			fprintf(f, "\n");
			series_tail(f, json_object_get(status, "series"));
		}
	} else {
		fprintf(f, "no job running\n");
	}
	if (json_is_object(jobs)) {
		fprintf(f, "\n");
		ctl_fmt_jobs(f, jobs);
	}
}

static int
is_empty(const json_t *r)
{
	return r == NULL || json_is_null(r) || json_is_true(r) ||
		(json_is_object(r) && json_object_size(r) == 0);
}

void
ctl_fmt_result(FILE *f, const char *method, const json_t *r)
{
	char cell[CELL_MAX];
	const json_t *entries;

	if (strcmp(method, "fetch.start") == 0 &&
	    json_object_get(r, "job") != NULL) {
		ctl_fmt_scalar(cell, sizeof(cell), json_object_get(r, "job"));
		fprintf(f, "job %s started\n", cell);
	} else if (strcmp(method, "fetch.status") == 0 ||
		   strcmp(method, "fetch.wait") == 0) {
		ctl_fmt_job(f, r);
	} else if (strcmp(method, "fetch.search") == 0 &&
		   json_is_array(json_object_get(r, "steps"))) {
		ctl_fmt_search(f, r);
	} else if (strcmp(method, "fetch.list") == 0 &&
		   json_is_array(json_object_get(r, "jobs"))) {
		ctl_fmt_jobs(f, r);
	} else if (strcmp(method, "conn.list") == 0 &&
		   json_is_array(json_object_get(r, "conns"))) {
		ctl_fmt_conns(f, r);
	} else if (strcmp(method, "arp.list") == 0 &&
		   json_is_array(entries = json_object_get(r, "entries"))) {
		static const char *const cols[] = {
			"ip", "mac", "state", "static", NULL
		};

		ctl_fmt_table(f, entries, json_array_size(entries) ? cols :
			      NULL, 0);
	} else if (strcmp(method, "neigh.list") == 0 &&
		   json_is_array(entries = json_object_get(r, "entries"))) {
		static const char *const cols[] = {
			"family", "ip", "mac", "state", "static", NULL
		};

		if (json_is_string(json_object_get(r, "ip6")))
			fprintf(f, "ip6 %s: %s\n",
				json_string_value(json_object_get(r, "ip6")),
				json_string_value(json_object_get(r,
								  "ip6_state")));
		ctl_fmt_table(f, entries, json_array_size(entries) ? cols :
			      NULL, 0);
	} else if (is_empty(r)) {
		fprintf(f, "ok\n");
	} else if (is_table(r)) {
		ctl_fmt_table(f, r, NULL, 0);
	} else {
		ctl_fmt_tree(f, r, 0);
	}
}
