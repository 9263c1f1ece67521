/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output formats of results (dpfetchctl --format, dpfetch --format):
 *
 *   text        readable (ctl_fmt.c), numbers rounded
 *   json        one pretty-printed object per result
 *   jsonl       one compact object per line (what --json always printed)
 *   csv         a header row, then rows; a job (fetch.status/wait, a
 *               command-line job's result) is one row per second of its
 *               series and a "total" row; an array of objects (jobs,
 *               connections, ports) one row each; any other object
 *               "key,value" rows with dotted keys
 *   prometheus  the text exposition format (stats only; lib/core/prom.h)
 *
 * Also the terminal questions the text form asks: its width and whether
 * escape codes may be written.  Pure C and jansson; no DPDK.
 */

#ifndef DPF_CTL_OUT_H
#define DPF_CTL_OUT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum ctl_format {
	CTL_FORMAT_TEXT,
	CTL_FORMAT_JSON,
	CTL_FORMAT_JSONL,
	CTL_FORMAT_CSV,
	CTL_FORMAT_PROMETHEUS,
};

/* "csv" -> CTL_FORMAT_CSV; -1 for an unknown name. */
int
ctl_format_parse(const char *name);

/* The result of method in format (not CTL_FORMAT_PROMETHEUS). */
void
ctl_out_result(FILE *f, enum ctl_format format, const char *method,
	       const json_t *result);

/* One CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180;
 * quotes doubled). */
void
ctl_csv_field(FILE *f, const char *s);

/* The CSV header of a job's rows (ctl_csv_job_rows). */
void
ctl_csv_job_header(FILE *f);

/* A job status as CSV rows: one per series second ("second"), then
 * its totals ("total") unless totals is 0. */
void
ctl_csv_job_rows(FILE *f, const json_t *status, int totals);

/* The whole CSV of a result. */
void
ctl_csv_result(FILE *f, const char *method, const json_t *result);

/*
 * The width text output may use: $COLUMNS if set and sane, else the
 * terminal's (when fd is one), else 80.
 */
int
ctl_term_width(int fd);

/* May escape codes (colour, clearing the screen) go to fd?  Not when it
 * is not a terminal, nor when $NO_COLOR is set (to anything), nor with
 * TERM=dumb. */
int
ctl_term_escapes(int fd);

#endif /* DPF_CTL_OUT_H */
