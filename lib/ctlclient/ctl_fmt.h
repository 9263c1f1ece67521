/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Readable output of control replies: key/value trees for nested objects
 * (stats, info), aligned columns for arrays of objects (connections,
 * neighbours, jobs), a job summary with its latency percentiles, and the
 * body of dpfetchctl's watch screen.  Pure C and jansson; no DPDK.
 *
 * Every function copes with members that are missing or of another type
 * than expected (printed as "-" or as compact JSON): the reply comes from
 * another program, maybe of another version.
 */

#ifndef DPF_CTL_FMT_H
#define DPF_CTL_FMT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* The result of method, in the form that suits it (generic otherwise). */
void
ctl_fmt_result(FILE *f, const char *method, const json_t *result);

/*
 * Objects as "name  value" lines, nested objects as indented sections,
 * arrays of objects as tables, arrays of objects that all have an "lcore"
 * member (stats per_lcore) as one section per lcore.
 */
void
ctl_fmt_tree(FILE *f, const json_t *obj, int indent);

/*
 * An array of objects as aligned columns with a header line.  cols: the
 * members to show, NULL-terminated, or NULL for every member in the order
 * first seen.  Numbers are right-aligned, everything else left-aligned.
 */
void
ctl_fmt_table(FILE *f, const json_t *rows, const char *const *cols,
	      int indent);

/* conn.list like "ss -ti": a line per connection, then its TCP state. */
void
ctl_fmt_conns(FILE *f, const json_t *result);

/* fetch.list: one line per job. */
void
ctl_fmt_jobs(FILE *f, const json_t *result);

/* fetch.status / fetch.wait: state, counts, errors, rates, latency. */
void
ctl_fmt_job(FILE *f, const json_t *status);

/* fetch.search: the range and the SLO, a line per step (rate, achieved,
 * p50 and p99 of total, errors, the step's job, ok or FAILED and why),
 * and the answer. */
void
ctl_fmt_search(FILE *f, const json_t *result);

/* One step of it on a line (dpfetch --search's progress). */
void
ctl_fmt_search_step(FILE *f, const json_t *step);

/*
 * The watch screen without the escape codes: a line about the appliance
 * (app.info), the watched job's summary and its last seconds of series,
 * and the list of jobs.  Any argument may be NULL.
 */
void
ctl_fmt_watch(FILE *f, const json_t *info, const json_t *status,
	      const json_t *jobs);

/* One value as text: strings bare, numbers, true/false, "-" for null or
 * absent, anything else as compact JSON (truncated to len). */
void
ctl_fmt_scalar(char *buf, size_t len, const json_t *v);

/* A real as text shows it: 3 significant digits, whole from 1000 on. */
void
ctl_fmt_real(char *buf, size_t len, double d);

/*
 * The width text may take (dpfetchctl: ctl_term_width()); tables wider
 * than that print one row after another as "key  value" lines.  0 (the
 * default): any width.
 */
void
ctl_fmt_set_width(int columns);

#endif /* DPF_CTL_FMT_H */
