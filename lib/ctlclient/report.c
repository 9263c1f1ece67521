/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML report of a load job (see report.h).
 *
 * report_html -> check_result (nothing is written for a malformed result)
 *   -> put_head -> put_header (id, state, params) -> put_figures
 *   -> put_charts (series over time, the distribution) -> put_latency
 *   -> put_thresholds
 *
 * A chart is a struct chart of up to CHART_LINES lines of (x, y) points,
 * drawn by chart_put() as inline SVG with its axes, ticks and a legend.
 * Percentile charts put p at x = log10(100 / (100 - p)) as HdrHistogram's
 * plotter does: 0, 90, 99, 99.9 ... one decade of 1/(1-p) apart.
 */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define CHART_LINES	6
#define CHART_W		540
#define CHART_H		270
#define PAD_L		64	/* room for the y tick labels */
#define PAD_R		30	/* room for the last x tick label */
#define PAD_T		12
#define PAD_B		42	/* x tick labels and the x axis title */
#define PCT_DECADES_MAX	9	/* 99.9999999 %: past any histogram */
#define TICKS_MAX	40	/* per axis, whatever the numbers */

enum unit {
	U_COUNT,	/* plain numbers: k, M, G */
	U_US,		/* microseconds: µs, ms, s */
	U_GBPS,		/* Gbit/s, drawn as bit/s: k, M, G */
};

struct line {
	const char *name;
	double *x;
	double *y;
	size_t n;
};

struct chart {
	const char *id;		/* DOM id of the figure */
	const char *title;
	const char *xtitle;
	const char *ytitle;
	enum unit yunit;
	int pct_x;		/* x is a percentile on the log axis */
	int dots;		/* mark every point */
	const char *note;	/* a line under the chart, or NULL */
	struct line lines[CHART_LINES];
	int n_lines;
};

/* The latencies in the order a reader expects them; others follow. */
static const char *const lat_order[] = {
	"connect", "ttfb", "total", "service", "service_ttfb", NULL
};

static const char *const series_num_keys[] = {
	"rps", "requests", "cps", "gbps", "open", "p50_us", "p99_us", NULL
};

static int
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Text into HTML: element content and attribute values alike. */
static void
esc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/* ---- numbers for people ---- */

/* Three significant digits or so, no trailing zeros. */
static void
fmt_num(char *b, size_t n, double v)
{
	double a = fabs(v);
	char *p;

	if (!isfinite(v)) {
		snprintf(b, n, "-");
		return;
	}
	if (a >= 1e6 || (a > 0 && a < 1e-3)) {
		snprintf(b, n, "%.3g", v);	/* no wall of digits */
		return;
	}
	snprintf(b, n, "%.*f", a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3,
		 v);
	if (strchr(b, '.') == NULL)
		return;
	p = b + strlen(b) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	if (strcmp(b, "-0") == 0)
		snprintf(b, n, "0");
}

static void
fmt_scaled(char *b, size_t n, double v, double div, const char *suffix)
{
	char num[48];

	fmt_num(num, sizeof(num), v / div);
	snprintf(b, n, "%s%s", num, suffix);
}

static void
fmt_si(char *b, size_t n, double v)
{
	double a = fabs(v);

	if (a >= 1e9)
		fmt_scaled(b, n, v, 1e9, "G");
	else if (a >= 1e6)
		fmt_scaled(b, n, v, 1e6, "M");
	else if (a >= 1e3)
		fmt_scaled(b, n, v, 1e3, "k");
	else
		fmt_num(b, n, v);
}

static void
fmt_us(char *b, size_t n, double us)
{
	double a = fabs(us);

	if (a >= 1e6)
		fmt_scaled(b, n, us, 1e6, " s");
	else if (a >= 1e3)
		fmt_scaled(b, n, us, 1e3, " ms");
	else if (a == 0)
		snprintf(b, n, "0");
	else
		fmt_scaled(b, n, us, 1, " \xc2\xb5s");
}

static void
fmt_bytes(char *b, size_t n, double v)
{
	if (v >= 1024.0 * 1024 * 1024)
		fmt_scaled(b, n, v, 1024.0 * 1024 * 1024, " GiB");
	else if (v >= 1024.0 * 1024)
		fmt_scaled(b, n, v, 1024.0 * 1024, " MiB");
	else if (v >= 1024)
		fmt_scaled(b, n, v, 1024, " KiB");
	else
		fmt_scaled(b, n, v, 1, " B");
}

static void
fmt_unit(char *b, size_t n, double v, enum unit u)
{
	if (u == U_US)
		fmt_us(b, n, v);
	else if (u == U_GBPS)
		fmt_si(b, n, v * 1e9);
	else
		fmt_si(b, n, v);
}

/* "p999" -> 99.9, "p50" -> 50, "p99.9" or "p99_9" -> 99.9; -1: not one */
static double
pct_of_key(const char *key)
{
	char buf[32], *end;
	size_t i, len;
	double v;

	if (key[0] != 'p' || key[1] == '\0')
		return -1;
	len = strlen(key + 1);
	if (len >= sizeof(buf))
		return -1;
	for (i = 0; i < len; i++) {
		char c = key[1 + i];

		if (c == '_')
			c = '.';
		if (c != '.' && (c < '0' || c > '9'))
			return -1;
		buf[i] = c;
	}
	buf[len] = '\0';
	if (strchr(buf, '.') == NULL && len > 2 && buf[0] == '9' &&
	    buf[1] == '9') {
		/* p999 is 99.9, p9999 99.99: digits after a "0." */
		memmove(buf + 2, buf, len + 1);
		buf[0] = '0';
		buf[1] = '.';
		v = strtod(buf, &end) * 100;
	} else {
		v = strtod(buf, &end);
	}
	return *end == '\0' && v >= 0 && v <= 100 ? v : -1;
}

/* The percentile axis: 0 -> 0, 90 -> 1, 99 -> 2 ...; 100 -> +inf. */
static double
pct_x(double p)
{
	if (p >= 100)
		return INFINITY;
	if (p <= 0)
		return 0;
	return log10(100.0 / (100.0 - p));
}

static void
pct_label(char *b, size_t n, int k)
{
	char nines[PCT_DECADES_MAX + 1];
	int i;

	if (k <= 0) {
		snprintf(b, n, "0%%");
		return;
	}
	if (k == 1) {
		snprintf(b, n, "90%%");
		return;
	}
	for (i = 0; i < k - 2 && i < PCT_DECADES_MAX; i++)
		nines[i] = '9';
	nines[i] = '\0';
	snprintf(b, n, "99%s%s%%", k > 2 ? "." : "", nines);
}

/* ---- checking the result ---- */

static int
is_num_or_null(const json_t *v)
{
	return v == NULL || json_is_number(v) || json_is_null(v);
}

static int
check_object_member(const json_t *r, const char *key, char *err,
		    size_t errlen)
{
	const json_t *v = json_object_get(r, key);

	if (v != NULL && !json_is_object(v))
		return set_err(err, errlen, "\"%s\" is not an object", key);
	return 0;
}

static int
check_series(const json_t *series, char *err, size_t errlen)
{
	const json_t *row, *v;
	size_t i, k;

	if (series == NULL)
		return 0;
	if (!json_is_array(series))
		return set_err(err, errlen, "\"series\" is not an array");
	json_array_foreach(series, i, row) {
		if (!json_is_object(row))
			return set_err(err, errlen,
				       "series[%zu] is not an object", i);
		if (!json_is_number(json_object_get(row, "t")))
			return set_err(err, errlen,
				       "series[%zu] has no number \"t\"", i);
		for (k = 0; series_num_keys[k] != NULL; k++)
			if (!is_num_or_null(json_object_get(row,
							series_num_keys[k])))
				return set_err(err, errlen,
					"series[%zu].%s is not a number", i,
					series_num_keys[k]);
		v = json_object_get(row, "errors");
		if (!is_num_or_null(v) && !json_is_object(v))
			return set_err(err, errlen,
				"series[%zu].errors is neither a number nor an object",
				i);
	}
	return 0;
}

static int
check_distribution(const json_t *d, char *err, size_t errlen)
{
	const json_t *rows, *row, *p;
	const char *key;
	size_t i;

	if (d == NULL || json_is_null(d))
		return 0;
	if (!json_is_object(d))
		return set_err(err, errlen, "\"distribution\" is not an object");
	json_object_foreach((json_t *)d, key, rows) {
		if (!json_is_array(rows))
			return set_err(err, errlen,
				       "distribution.%.64s is not an array",
				       key);
		json_array_foreach(rows, i, row) {
			p = json_object_get(row, "percentile");
			if (!json_is_object(row) ||
			    !json_is_number(json_object_get(row, "value_us")) ||
			    !json_is_number(p) ||
			    json_number_value(p) < 0 ||
			    json_number_value(p) > 100)
				return set_err(err, errlen,
					"distribution.%.64s[%zu] is not a {\"value_us\", \"percentile\" (0..100)} row",
					key, i);
		}
	}
	return 0;
}

/* A member of a latency summary that the page shows. */
static int
is_hist_key(const char *k)
{
	return strcmp(k, "count") == 0 || strcmp(k, "min") == 0 ||
		strcmp(k, "mean") == 0 || strcmp(k, "max") == 0 ||
		pct_of_key(k) >= 0;
}

/* Does a member of latency_us look like a latency summary? */
static int
is_hist(const json_t *h)
{
	const json_t *v;
	const char *k;

	json_object_foreach((json_t *)h, k, v)
		if (is_hist_key(k) && json_is_number(v))
			return 1;
	return 0;
}

static int
check_latency(const json_t *lat, char *err, size_t errlen)
{
	const json_t *h, *v;
	const char *key, *k2;

	if (lat == NULL)
		return 0;
	if (!json_is_object(lat))
		return set_err(err, errlen, "\"latency_us\" is not an object");
	json_object_foreach((json_t *)lat, key, h) {
		if (!json_is_object(h))
			return set_err(err, errlen,
				       "latency_us.%.64s is not an object",
				       key);
		/* only what the page reads: room for new members */
		json_object_foreach((json_t *)h, k2, v)
			if (is_hist_key(k2) && !is_num_or_null(v))
				return set_err(err, errlen,
					"latency_us.%.64s.%.64s is not a number",
					key, k2);
	}
	return 0;
}

static int
check_thresholds(const json_t *t, char *err, size_t errlen)
{
	const json_t *row;
	size_t i;

	if (t == NULL)
		return 0;
	if (!json_is_array(t))
		return set_err(err, errlen, "\"thresholds\" is not an array");
	json_array_foreach(t, i, row)
		if (!json_is_object(row) ||
		    !json_is_string(json_object_get(row, "expr")) ||
		    !json_is_boolean(json_object_get(row, "ok")))
			return set_err(err, errlen,
				"thresholds[%zu] is not an {\"expr\", \"value\", \"ok\"} object",
				i);
	return 0;
}

static int
check_result(const json_t *r, char *err, size_t errlen)
{
	static const char *const objects[] = {
		"params", "responses", "errors", "rates", NULL
	};
	size_t i;

	if (!json_is_object(r))
		return set_err(err, errlen, "the result is not a JSON object");
	if (!json_is_string(json_object_get(r, "state")))
		return set_err(err, errlen,
			       "not a job's result: it has no \"state\" (give the JSON a load job or 'dpfetchctl --json status' prints)");
	for (i = 0; objects[i] != NULL; i++)
		if (check_object_member(r, objects[i], err, errlen) != 0)
			return -1;
	if (check_series(json_object_get(r, "series"), err, errlen) != 0 ||
	    check_distribution(json_object_get(r, "distribution"), err,
			       errlen) != 0 ||
	    check_latency(json_object_get(r, "latency_us"), err, errlen) != 0 ||
	    check_thresholds(json_object_get(r, "thresholds"), err,
			     errlen) != 0)
		return -1;
	return 0;
}

/* ---- charts ---- */

static void
chart_free(struct chart *c)
{
	int i;

	for (i = 0; i < c->n_lines; i++) {
		free(c->lines[i].x);
		free(c->lines[i].y);
	}
	c->n_lines = 0;
}

/* A new empty line of room points; NULL when full or out of memory. */
static struct line *
chart_line(struct chart *c, const char *name, size_t room)
{
	struct line *l;

	if (c->n_lines >= CHART_LINES)
		return NULL;
	l = &c->lines[c->n_lines];
	l->x = calloc(room > 0 ? room : 1, sizeof(double));
	l->y = calloc(room > 0 ? room : 1, sizeof(double));
	if (l->x == NULL || l->y == NULL) {
		free(l->x);
		free(l->y);
		return NULL;
	}
	l->name = name;
	l->n = 0;
	c->n_lines++;
	return l;
}

/* A number of a series row: the member itself, or the sum of an
 * object's numbers (errors by kind).  0: absent. */
static int
row_value(const json_t *row, const char *key, double *v)
{
	const json_t *m = json_object_get(row, key), *e;
	const char *k;

	if (json_is_number(m)) {
		*v = json_number_value(m);
		return 1;
	}
	if (!json_is_object(m))
		return 0;
	*v = 0;
	json_object_foreach((json_t *)m, k, e)
		if (json_is_number(e))
			*v += json_number_value(e);
	return 1;
}

/* One member of every series row as a line; no line when no row has it. */
static void
series_line(struct chart *c, const json_t *series, const char *key,
	    const char *name)
{
	size_t i, n = json_array_size(series);
	const json_t *row;
	struct line *l;
	double v;

	for (i = 0; i < n; i++)
		if (row_value(json_array_get(series, i), key, &v))
			break;
	if (i == n)
		return;
	l = chart_line(c, name, n);
	if (l == NULL)
		return;
	json_array_foreach(series, i, row) {
		if (!row_value(row, key, &v))
			continue;
		l->x[l->n] = json_number_value(json_object_get(row, "t"));
		l->y[l->n] = v;
		l->n++;
	}
}

static double
nice_step(double range, int want)
{
	double raw = range / want, mag, r;

	if (!(raw > 0))
		return 1;
	mag = pow(10, floor(log10(raw)));
	r = raw / mag;
	return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

struct frame {
	double x0, x1, y1;	/* data ranges; y starts at 0 */
	double xstep, ystep;
	int has_max;		/* a point at p100: the right edge is "max" */
};

static double
px_x(const struct frame *fr, double x)
{
	if (x > fr->x1)
		x = fr->x1;	/* p100, or past the last decade */
	return PAD_L + (x - fr->x0) / (fr->x1 - fr->x0) *
		(CHART_W - PAD_L - PAD_R);
}

static double
px_y(const struct frame *fr, double y)
{
	if (y < 0)
		y = 0;	/* a count below zero is nonsense: on the axis */
	return CHART_H - PAD_B - y / fr->y1 * (CHART_H - PAD_T - PAD_B);
}

/* The ranges and steps of the axes; 0 when there is nothing to draw. */
static size_t
chart_frame(const struct chart *c, struct frame *fr)
{
	double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
	size_t points = 0, j;
	int i, has_inf = 0;

	for (i = 0; i < c->n_lines; i++) {
		const struct line *l = &c->lines[i];

		for (j = 0; j < l->n; j++) {
			if (!isfinite(l->y[j]) || isnan(l->x[j]))
				continue;
			points++;
			if (l->y[j] > ymax)
				ymax = l->y[j];
			if (isinf(l->x[j])) {
				has_inf = 1;
				continue;
			}
			if (l->x[j] < xmin)
				xmin = l->x[j];
			if (l->x[j] > xmax)
				xmax = l->x[j];
		}
	}
	if (points == 0)
		return 0;
	fr->has_max = c->pct_x && has_inf;
	if (c->pct_x) {
		fr->x0 = 0;
		/* room on the right for the maximum (p100) */
		fr->x1 = isfinite(xmax) ? floor(xmax) + 1 : 1;
		if (!has_inf && isfinite(xmax) && xmax == floor(xmax) &&
		    xmax > 0)
			fr->x1 = xmax;
		if (fr->x1 > PCT_DECADES_MAX)
			fr->x1 = PCT_DECADES_MAX;
		fr->xstep = 1;
	} else {
		fr->x0 = xmin > 0 ? 0 : xmin;
		fr->x1 = xmax > fr->x0 ? xmax : fr->x0 + 1;
		fr->xstep = nice_step(fr->x1 - fr->x0, 6);
		fr->x1 = ceil(fr->x1 / fr->xstep) * fr->xstep;
	}
	if (!(ymax > 0))
		ymax = 1;
	fr->ystep = nice_step(ymax, 5);
	fr->y1 = ceil(ymax / fr->ystep) * fr->ystep;
	if (fr->y1 < ymax * 1.0001)
		fr->y1 += fr->ystep;
	/* numbers near DBL_MAX: nothing sensible to draw */
	if (!isfinite(fr->y1) || !isfinite(fr->x1 - fr->x0) ||
	    !(fr->x1 > fr->x0))
		return 0;
	return points;
}

static void
chart_axes(FILE *f, const struct chart *c, const struct frame *fr)
{
	double v, x, y, bottom = CHART_H - PAD_B;
	char label[64];
	int k;

	fputs("<g class=\"grid\">", f);
	for (k = 0; k < TICKS_MAX && (v = k * fr->ystep) <= fr->y1 * 1.0001;
	     k++)
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
			PAD_L, px_y(fr, v), CHART_W - PAD_R, px_y(fr, v));
	fputs("</g>\n<g class=\"axis y\">", f);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.0f\"/>",
		PAD_L, PAD_T, PAD_L, bottom);
	for (k = 0; k < TICKS_MAX && (v = k * fr->ystep) <= fr->y1 * 1.0001;
	     k++) {
		y = px_y(fr, v);
		fmt_unit(label, sizeof(label), v, c->yunit);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
			PAD_L - 4, y, PAD_L, y, PAD_L - 6, y + 4);
		esc(f, label);
		fputs("</text>", f);
	}
	/* past six decades the percentile labels need a smaller font */
	fprintf(f, "</g>\n<g class=\"axis x%s\">",
		c->pct_x && fr->x1 > 6 ? " dense" : "");
	fprintf(f, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\"/>",
		PAD_L, bottom, CHART_W - PAD_R, bottom);
	for (k = 0; k < TICKS_MAX &&
	     (v = fr->x0 + k * fr->xstep) <= fr->x1 + fr->xstep * 1e-6; k++) {
		x = px_x(fr, v);
		if (fr->has_max && v >= fr->x1 - 1e-9)
			snprintf(label, sizeof(label), "max");
		else if (c->pct_x)
			pct_label(label, sizeof(label), (int)lround(v));
		else
			fmt_si(label, sizeof(label), v);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>"
			"<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">",
			x, bottom, x, bottom + 4, x, bottom + 16);
		esc(f, label);
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
	fprintf(f, "<text class=\"title x\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"middle\">", (PAD_L + CHART_W - PAD_R) / 2,
		CHART_H - 6);
	esc(f, c->xtitle);
	fprintf(f, "</text><text class=\"title y\" x=\"12\" y=\"%d\" "
		"text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">",
		(PAD_T + CHART_H - PAD_B) / 2, (PAD_T + CHART_H - PAD_B) / 2);
	esc(f, c->ytitle);
	fputs("</text>\n", f);
}

static void
chart_put(FILE *f, const struct chart *c)
{
	struct frame fr;
	size_t j;
	int i;

	fprintf(f, "<figure class=\"chart\" id=\"%s\">\n<figcaption>", c->id);
	esc(f, c->title);
	fputs("</figcaption>\n", f);
	if (chart_frame(c, &fr) == 0) {
		fputs("<p class=\"nodata\">no data</p>\n</figure>\n", f);
		return;
	}
	fprintf(f, "<svg class=\"plot\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" role=\"img\" aria-label=\"", CHART_W, CHART_H,
		CHART_W, CHART_H);
	esc(f, c->title);
	fputs("\">\n", f);
	chart_axes(f, c, &fr);
	for (i = 0; i < c->n_lines; i++) {
		const struct line *l = &c->lines[i];
		int first = 1;

		fprintf(f, "<path class=\"line s%d\" d=\"", i);
		for (j = 0; j < l->n; j++) {
			if (!isfinite(l->y[j]) || isnan(l->x[j]))
				continue;
			fprintf(f, "%s%.1f %.1f", first ? "M" : " L",
				px_x(&fr, l->x[j]), px_y(&fr, l->y[j]));
			first = 0;
		}
		fputs("\"/>\n", f);
		if (!c->dots && l->n > 2)
			continue;
		for (j = 0; j < l->n; j++)
			if (isfinite(l->y[j]) && !isnan(l->x[j]))
				fprintf(f, "<circle class=\"dot s%d\" cx=\"%.1f\" "
					"cy=\"%.1f\" r=\"3\"/>", i,
					px_x(&fr, l->x[j]),
					px_y(&fr, l->y[j]));
		fputc('\n', f);
	}
	fputs("</svg>\n<div class=\"legend\">", f);
	for (i = 0; i < c->n_lines; i++) {
		fprintf(f, "<span class=\"key s%d\"></span>", i);
		esc(f, c->lines[i].name);
	}
	fputs("</div>\n", f);
	if (c->note != NULL) {
		fputs("<p class=\"note\">", f);
		esc(f, c->note);
		fputs("</p>\n", f);
	}
	fputs("</figure>\n", f);
}

static void
time_chart(FILE *f, const json_t *series, const char *id, const char *title,
	   const char *ytitle, enum unit u, const char *const *keys)
{
	struct chart c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.title = title;
	c.xtitle = "time (s)";
	c.ytitle = ytitle;
	c.yunit = u;
	/* keys: member, name, member, name, ..., NULL */
	for (; keys[0] != NULL; keys += 2)
		series_line(&c, series, keys[0], keys[1]);
	chart_put(f, &c);
	chart_free(&c);
}

/* The latencies of obj (latency_us or distribution) in reading order. */
static size_t
lat_keys(const json_t *obj, const char **out, size_t max)
{
	const char *key;
	const json_t *v;
	size_t n = 0, i;

	for (i = 0; lat_order[i] != NULL && n < max; i++)
		if (json_object_get(obj, lat_order[i]) != NULL)
			out[n++] = lat_order[i];
	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; lat_order[i] != NULL; i++)
			if (strcmp(key, lat_order[i]) == 0)
				break;
		if (lat_order[i] == NULL && n < max)
			out[n++] = key;
	}
	return n;
}

static void
distribution_chart(FILE *f, const json_t *r)
{
	const json_t *dist = json_object_get(r, "distribution");
	const json_t *lat = json_object_get(r, "latency_us");
	const char *keys[CHART_LINES];
	struct chart c;
	size_t n, i, j;

	memset(&c, 0, sizeof(c));
	c.id = "chart-distribution";
	c.title = "Latency by percentile";
	c.xtitle = "percentile";
	c.ytitle = "latency";
	c.yunit = U_US;
	c.pct_x = 1;
	if (json_object_size(dist) > 0) {
		n = lat_keys(dist, keys, CHART_LINES);
		for (i = 0; i < n; i++) {
			const json_t *rows = json_object_get(dist, keys[i]);
			const json_t *row;
			struct line *l;

			if (json_array_size(rows) == 0)
				continue;
			l = chart_line(&c, keys[i], json_array_size(rows));
			if (l == NULL)
				break;
			json_array_foreach(rows, j, row) {
				l->x[l->n] = pct_x(json_number_value(
					json_object_get(row, "percentile")));
				l->y[l->n] = json_number_value(
					json_object_get(row, "value_us"));
				l->n++;
			}
		}
	} else {
		/* An older result: only the summary points. */
		c.dots = 1;
		c.note = "Summary points only: this result carries no full distribution.";
		n = lat_keys(lat, keys, CHART_LINES);
		for (i = 0; i < n; i++) {
			const json_t *h = json_object_get(lat, keys[i]), *v;
			const char *k;
			struct line *l;

			if (!is_hist(h) ||
			    (json_integer_value(json_object_get(h, "count")) == 0
			     && json_object_get(h, "count") != NULL))
				continue;
			l = chart_line(&c, keys[i], json_object_size(h));
			if (l == NULL)
				break;
			json_object_foreach((json_t *)h, k, v) {
				double p = strcmp(k, "max") == 0 ? 100 :
					pct_of_key(k);

				if (p < 0 || !json_is_number(v))
					continue;
				l->x[l->n] = pct_x(p);
				l->y[l->n] = json_number_value(v);
				l->n++;
			}
			/* in order of x, for the path */
			for (j = 1; j < l->n; j++) {
				double x = l->x[j], y = l->y[j];
				size_t m = j;

				for (; m > 0 && l->x[m - 1] > x; m--) {
					l->x[m] = l->x[m - 1];
					l->y[m] = l->y[m - 1];
				}
				l->x[m] = x;
				l->y[m] = y;
			}
		}
	}
	chart_put(f, &c);
	chart_free(&c);
}

static void
put_charts(FILE *f, const json_t *r)
{
	static const char *const rate_keys[] = {
		"requests", "requests sent/s", "rps", "responses/s", NULL
	};
	static const char *const conn_keys[] = {
		"cps", "connections opened/s", NULL
	};
	static const char *const open_keys[] = {
		"open", "open connections", NULL
	};
	static const char *const err_keys[] = { "errors", "errors/s", NULL };
	static const char *const lat_keys_t[] = {
		"p50_us", "p50", "p99_us", "p99", NULL
	};
	static const char *const gbps_keys[] = { "gbps", "received", NULL };
	const json_t *series = json_object_get(r, "series");

	fputs("<section id=\"over-time\">\n<h2>Over time</h2>\n", f);
	if (json_array_size(series) == 0)
		fputs("<p class=\"nodata\">no data: this result has no per-second series</p>\n",
		      f);
	fputs("<div class=\"charts\">\n", f);
	time_chart(f, series, "chart-rate", "Requests per second",
		   "per second", U_COUNT, rate_keys);
	time_chart(f, series, "chart-conns", "Connections per second",
		   "per second", U_COUNT, conn_keys);
	time_chart(f, series, "chart-errors", "Errors per second",
		   "per second", U_COUNT, err_keys);
	time_chart(f, series, "chart-latency", "Latency p50 / p99 per second",
		   "latency", U_US, lat_keys_t);
	time_chart(f, series, "chart-open", "Open connections",
		   "connections", U_COUNT, open_keys);
	time_chart(f, series, "chart-throughput", "Throughput",
		   "bit/s", U_GBPS, gbps_keys);
	fputs("</div>\n</section>\n", f);
}

/* ---- tables and text ---- */

/* Any JSON value as text: strings as they are, numbers readable. */
static void
put_value(FILE *f, const json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		esc(f, json_string_value(v));
	} else if (json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		fprintf(f, "%.6g", json_real_value(v));
	} else if (v == NULL) {
		fputs("-", f);
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (s != NULL)
			esc(f, s);
		free(s);
	}
}

/* A parameter: a list of strings (URLs, headers) one a line, an object
 * of strings as "key: value" lines, anything else as put_value() has it. */
static void
put_param(FILE *f, const json_t *v)
{
	const json_t *e;
	const char *k;
	size_t i;

	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			break;
	if (json_is_array(v) && i == json_array_size(v)) {
		json_array_foreach(v, i, e) {
			if (i > 0)
				fputs("<br>", f);
			esc(f, json_string_value(e));
		}
		return;
	}
	if (json_is_object(v) && json_object_size(v) > 0) {
		i = 0;
		json_object_foreach((json_t *)v, k, e)
			if (!json_is_string(e))
				break;
		if (k == NULL) {
			json_object_foreach((json_t *)v, k, e) {
				if (i++ > 0)
					fputs("<br>", f);
				esc(f, k);
				fputs(": ", f);
				esc(f, json_string_value(e));
			}
			return;
		}
	}
	put_value(f, v);
}

static double
num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void
put_head(FILE *f, const json_t *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      /* a report that tried to load anything would be a bug */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>dpfetch report: job ", f);
	put_value(f, json_object_get(r, "job"));
	fputs(" (", f);
	put_value(f, json_object_get(r, "state"));
	fputs(")</title>\n<style>\n"
"body{font:14px/1.4 system-ui,sans-serif;margin:20px auto;max-width:1140px;padding:0 12px;color:#222;background:#fafafa}\n"
"h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid #ddd}\n"
"table{border-collapse:collapse;margin:6px 0;background:#fff}\n"
"th,td{border:1px solid #d4d4d4;padding:3px 9px;text-align:right;vertical-align:top}\n"
"th{background:#f0f0f0}th.k,td.k{text-align:left}\n"
"td.v{text-align:left;font-family:ui-monospace,monospace;word-break:break-all;max-width:760px}\n"
".figures{display:flex;flex-wrap:wrap;gap:10px}\n"
".fig{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:104px}\n"
".fig .v{font-size:21px;font-weight:600}.fig .k{color:#666;font-size:12px}\n"
".charts{display:flex;flex-wrap:wrap;gap:14px}\n"
"figure.chart{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;width:540px;max-width:100%}\n"
"figcaption{font-weight:600;margin-bottom:4px}\n"
"svg.plot{display:block;max-width:100%;height:auto}svg text{font-size:11px;fill:#333}\n"
".axis line{stroke:#555}.grid line{stroke:#e6e6e6}svg .dense text{font-size:8.5px}\n"
".line{fill:none;stroke-width:1.7}\n"
".s0{stroke:#1f77b4;fill:#1f77b4}.s1{stroke:#ff7f0e;fill:#ff7f0e}.s2{stroke:#2ca02c;fill:#2ca02c}\n"
".s3{stroke:#d62728;fill:#d62728}.s4{stroke:#9467bd;fill:#9467bd}.s5{stroke:#8c564b;fill:#8c564b}\n"
"path.line{fill:none}\n"
".key{display:inline-block;width:16px;height:3px;margin:0 5px 3px 12px;vertical-align:middle}\n"
".key.s0{background:#1f77b4}.key.s1{background:#ff7f0e}.key.s2{background:#2ca02c}\n"
".key.s3{background:#d62728}.key.s4{background:#9467bd}.key.s5{background:#8c564b}\n"
".legend{font-size:12px}.note,.nodata{color:#777;font-style:italic;font-size:12px}\n"
".pass{color:#137333;font-weight:600}.fail{color:#c5221f;font-weight:600}\n"
"</style>\n</head>\n<body>\n", f);
}

static void
put_header(FILE *f, const json_t *r)
{
	const json_t *params = json_object_get(r, "params"), *v;
	char buf[64];
	const char *key;

	fputs("<header>\n<h1>dpfetch report: job ", f);
	put_value(f, json_object_get(r, "job"));
	fputs("</h1>\n<table id=\"summary\">\n<tr><th class=\"k\">state</th>"
	      "<td class=\"k\">", f);
	put_value(f, json_object_get(r, "state"));
	fputs("</td></tr>\n<tr><th class=\"k\">elapsed</th><td class=\"k\">",
	      f);
	if (json_is_number(json_object_get(r, "elapsed_s"))) {
		fmt_us(buf, sizeof(buf), num(r, "elapsed_s") * 1e6);
		esc(f, buf);
	} else {
		fputs("-", f);
	}
	fputs("</td></tr>\n", f);
	if (json_object_get(r, "urls") != NULL) {
		fputs("<tr><th class=\"k\">URLs</th><td class=\"v\">", f);
		put_param(f, json_object_get(r, "urls"));
		fputs("</td></tr>\n", f);
	}
	if (json_object_get(r, "first_error") != NULL) {
		fputs("<tr><th class=\"k\">first error</th><td class=\"v\">",
		      f);
		put_value(f, json_object_get(r, "first_error"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</header>\n<section id=\"parameters\">\n"
	      "<h2>Parameters</h2>\n", f);
	if (json_object_size(params) == 0) {
		fputs("<p class=\"nodata\">no parameters in this result</p>\n",
		      f);
	} else {
		fputs("<table id=\"params\">\n<tr><th class=\"k\">parameter</th>"
		      "<th class=\"k\">value</th></tr>\n", f);
		json_object_foreach((json_t *)params, key, v) {
			fputs("<tr><td class=\"k\">", f);
			esc(f, key);
			fputs("</td><td class=\"v\">", f);
			put_param(f, v);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

static void
put_fig(FILE *f, const char *value, const char *what)
{
	fputs("<div class=\"fig\"><div class=\"v\">", f);
	esc(f, value);
	fputs("</div><div class=\"k\">", f);
	esc(f, what);
	fputs("</div></div>\n", f);
}

static double
sum_numbers(const json_t *o)
{
	const char *key;
	const json_t *v;
	double s = 0;

	json_object_foreach((json_t *)o, key, v)
		if (json_is_number(v))
			s += json_number_value(v);
	return s;
}

static void
put_count_rows(FILE *f, const json_t *o, int skip_zero)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		if (!json_is_number(v) ||
		    (skip_zero && json_number_value(v) == 0))
			continue;
		fputs("<tr><td class=\"k\">", f);
		esc(f, key);
		fputs("</td><td>", f);
		put_value(f, v);
		fputs("</td></tr>\n", f);
	}
}

static void
put_figures(FILE *f, const json_t *r)
{
	const json_t *resp = json_object_get(r, "responses");
	const json_t *errs = json_object_get(r, "errors");
	const json_t *rates = json_object_get(r, "rates");
	char buf[64];
	double nerr = sum_numbers(errs);

	fputs("<section id=\"headline\">\n<h2>Results</h2>\n"
	      "<div class=\"figures\" id=\"figures\">\n", f);
	fmt_si(buf, sizeof(buf), num(r, "requests_sent"));
	put_fig(f, buf, "requests");
	fmt_si(buf, sizeof(buf), sum_numbers(resp));
	put_fig(f, buf, "responses");
	fmt_si(buf, sizeof(buf), num(resp, "2xx"));
	put_fig(f, buf, "2xx");
	fmt_si(buf, sizeof(buf), nerr);
	put_fig(f, buf, "errors");
	fmt_si(buf, sizeof(buf), num(r, "requests_failed"));
	put_fig(f, buf, "requests failed");
	fmt_si(buf, sizeof(buf), num(rates, "rps"));
	put_fig(f, buf, "responses/s");
	fmt_si(buf, sizeof(buf), num(rates, "cps"));
	put_fig(f, buf, "connections/s");
	fmt_num(buf, sizeof(buf), num(rates, "gbps"));
	put_fig(f, buf, "Gbit/s");
	fmt_bytes(buf, sizeof(buf), num(r, "bytes_rx"));
	put_fig(f, buf, "received");
	fmt_bytes(buf, sizeof(buf), num(r, "bytes_tx"));
	put_fig(f, buf, "sent");
	fmt_si(buf, sizeof(buf), num(r, "connections_opened"));
	put_fig(f, buf, "connections opened");
	fputs("</div>\n<table id=\"responses\">\n<tr><th class=\"k\">"
	      "responses</th><th>count</th></tr>\n", f);
	put_count_rows(f, resp, 0);
	put_count_rows(f, json_object_get(resp, "by_code"), 1);
	fputs("</table>\n<table id=\"errors\">\n<tr><th class=\"k\">errors"
	      "</th><th>count</th></tr>\n", f);
	if (nerr == 0)
		fputs("<tr><td class=\"k\">none</td><td>0</td></tr>\n", f);
	else
		put_count_rows(f, errs, 1);
	fputs("</table>\n</section>\n", f);
}

/* The p* columns of the latency table, sorted by percentile. */
static size_t
pct_columns(const json_t *lat, const char **cols, double *pcts, size_t max)
{
	const json_t *h, *v;
	const char *key, *k;
	size_t n = 0, i;

	json_object_foreach((json_t *)lat, key, h) {
		json_object_foreach((json_t *)h, k, v) {
			double p = pct_of_key(k);

			if (p < 0)
				continue;
			for (i = 0; i < n; i++)
				if (strcmp(cols[i], k) == 0)
					break;
			if (i < n || n >= max)
				continue;
			/* insert in order */
			for (i = n; i > 0 && pcts[i - 1] > p; i--) {
				cols[i] = cols[i - 1];
				pcts[i] = pcts[i - 1];
			}
			cols[i] = k;
			pcts[i] = p;
			n++;
		}
	}
	return n;
}

static void
put_us_cell(FILE *f, const json_t *v)
{
	char buf[64];

	fputs("<td>", f);
	if (json_is_number(v)) {
		fmt_us(buf, sizeof(buf), json_number_value(v));
		esc(f, buf);
	} else {
		fputs("-", f);
	}
	fputs("</td>", f);
}

static void
put_latency(FILE *f, const json_t *r)
{
	const json_t *lat = json_object_get(r, "latency_us");
	const char *keys[32], *cols[32];
	double pcts[32];
	char buf[64];
	size_t n, m, i, j;

	fputs("<section id=\"latencies\">\n<h2>Latency: connect, TTFB, total"
	      "</h2>\n", f);
	if (json_object_size(lat) == 0) {
		fputs("<p class=\"nodata\">no data: this result has no latencies</p>\n",
		      f);
	} else {
		m = pct_columns(lat, cols, pcts, 32);
		fputs("<table id=\"latency\">\n<tr><th class=\"k\">latency</th>"
		      "<th>count</th><th>min</th><th>mean</th>", f);
		for (j = 0; j < m; j++) {
			snprintf(buf, sizeof(buf), "%.12g", pcts[j]);
			fputs("<th>p", f);
			esc(f, buf);
			fputs("</th>", f);
		}
		fputs("<th>max</th></tr>\n", f);
		n = lat_keys(lat, keys, 32);
		for (i = 0; i < n; i++) {
			const json_t *h = json_object_get(lat, keys[i]);

			if (!is_hist(h))
				continue;
			fputs("<tr><td class=\"k\">", f);
			esc(f, keys[i]);
			fputs("</td><td>", f);
			put_value(f, json_object_get(h, "count"));
			fputs("</td>", f);
			put_us_cell(f, json_object_get(h, "min"));
			put_us_cell(f, json_object_get(h, "mean"));
			for (j = 0; j < m; j++)
				put_us_cell(f, json_object_get(h, cols[j]));
			put_us_cell(f, json_object_get(h, "max"));
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("<div class=\"charts\">\n", f);
	distribution_chart(f, r);
	fputs("</div>\n</section>\n", f);
}

/* A request mix: a row per entry and the job's totals they add up to. */
static void
put_mix(FILE *f, const json_t *r)
{
	const json_t *mix = json_object_get(r, "mix"), *e;
	const json_t *tot = json_object_get(json_object_get(r, "latency_us"),
					    "total");
	size_t i;

	if (json_array_size(mix) == 0)
		return;
	fputs("<section id=\"mix-section\">\n<h2>Request mix</h2>\n"
	      "<table id=\"mix\">\n<tr><th class=\"k\">entry</th>"
	      "<th class=\"k\">request</th><th>weight</th><th>requests</th>"
	      "<th>responses</th><th>errors</th><th>body bytes</th>"
	      "<th>p50</th><th>p99</th></tr>\n", f);
	json_array_foreach(mix, i, e) {
		const json_t *lat = json_object_get(e, "latency_us");

		fputs("<tr><td class=\"k\">", f);
		put_value(f, json_object_get(e, "name"));
		fputs("</td><td class=\"k\">", f);
		put_value(f, json_object_get(e, "method"));
		fputs(" ", f);
		put_value(f, json_object_get(e, "url"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(e, "weight"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(e, "requests"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(json_object_get(e, "responses"),
					     "total"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(e, "errors"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(e, "body_bytes"));
		fputs("</td>", f);
		put_us_cell(f, json_object_get(lat, "p50"));
		put_us_cell(f, json_object_get(lat, "p99"));
		fputs("</tr>\n", f);
	}
	fprintf(f, "<tr><td class=\"k\">total</td><td class=\"k\"></td>"
		"<td></td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>",
		num(r, "requests_sent"),
		sum_numbers(json_object_get(r, "responses")),
		sum_numbers(json_object_get(r, "errors")),
		num(r, "body_bytes"));
	put_us_cell(f, json_object_get(tot, "p50"));
	put_us_cell(f, json_object_get(tot, "p99"));
	fputs("</tr>\n</table>\n</section>\n", f);
}

static void
put_thresholds(FILE *f, const json_t *r)
{
	const json_t *t = json_object_get(r, "thresholds"), *row;
	size_t i, failed = 0;

	if (t == NULL)
		return;
	json_array_foreach(t, i, row)
		if (!json_is_true(json_object_get(row, "ok")))
			failed++;
	fputs("<section id=\"thresholds-section\">\n<h2>Thresholds</h2>\n",
	      f);
	if (json_array_size(t) == 0) {
		fputs("<p class=\"nodata\">no thresholds</p>\n</section>\n", f);
		return;
	}
	fprintf(f, "<p class=\"%s\">%zu of %zu passed</p>\n",
		failed > 0 ? "fail" : "pass", json_array_size(t) - failed,
		json_array_size(t));
	fputs("<table id=\"thresholds\">\n<tr><th class=\"k\">threshold</th>"
	      "<th>value</th><th class=\"k\">result</th></tr>\n", f);
	json_array_foreach(t, i, row) {
		int ok = json_is_true(json_object_get(row, "ok"));

		fputs("<tr><td class=\"k\">", f);
		put_value(f, json_object_get(row, "expr"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(row, "value"));
		fprintf(f, "</td><td class=\"k %s\">%s</td></tr>\n",
			ok ? "pass" : "fail", ok ? "pass" : "FAIL");
	}
	fputs("</table>\n</section>\n", f);
}

int
report_html(FILE *out, const json_t *result, char *err, size_t errlen)
{
	if (check_result(result, err, errlen) != 0)
		return -1;
	put_head(out, result);
	put_header(out, result);
	put_figures(out, result);
	put_thresholds(out, result);
	put_charts(out, result);
	put_latency(out, result);
	put_mix(out, result);
	fputs("<footer><p class=\"note\">Drawn by dpfetch from the job's "
	      "result; self-contained: no script, no external resource."
	      "</p></footer>\n</body>\n</html>\n", out);
	if (ferror(out))
		return set_err(err, errlen, "write error: %s", strerror(errno));
	return 0;
}

json_t *
report_parse(const char *text, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc, *res;

	doc = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		set_err(err, errlen, "not JSON: line %d column %d: %s",
			je.line, je.column, je.text);
		return NULL;
	}
	/* A JSON-RPC reply: its result, or its error. */
	if (json_is_object(doc) && json_object_get(doc, "state") == NULL) {
		const json_t *e = json_object_get(doc, "error");

		res = json_object_get(doc, "result");
		if (json_is_object(res)) {
			json_incref(res);
			json_decref(doc);
			return res;
		}
		if (e != NULL) {
			const char *msg = json_string_value(
				json_object_get(e, "message"));

			set_err(err, errlen, "an error reply, not a result: %s",
				msg != NULL ? msg : "(no message)");
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}

int
report_write_file(const char *path, const json_t *result, char *err,
		  size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem, *f;
	int rc;

	mem = open_memstream(&buf, &len);
	if (mem == NULL)
		return set_err(err, errlen, "out of memory");
	rc = report_html(mem, result, err, errlen);
	if (fclose(mem) != 0 && rc == 0)
		rc = set_err(err, errlen, "out of memory");
	if (rc != 0) {
		free(buf);
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		f = stdout;
	} else {
		f = fopen(path, "w");
		if (f == NULL) {
			set_err(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			return -1;
		}
	}
	if (fwrite(buf, 1, len, f) != len)
		rc = -1;
	if (f == stdout ? fflush(f) != 0 : fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		set_err(err, errlen, "writing %s: %s",
			f == stdout ? "stdout" : path, strerror(errno));
	free(buf);
	return rc;
}
