/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report of a load job: one self-contained HTML5 page (inline CSS and
 * inline SVG, no script, no external resource) drawn from the job's status
 * object, as dpfetch prints it at the end of a load job and as fetch.status
 * and fetch.wait return it.
 *
 * The page shows the job's id, state, elapsed time and parameters; the
 * headline figures; requests/s, connections/s, errors, throughput and
 * p50/p99 over time (from "series"); the percentile distribution on
 * HdrHistogram's log axis (from "distribution", else the summary points of
 * "latency_us"); the latency table; and the thresholds.  Every text taken
 * from the result is HTML-escaped.  Pure C and jansson; no DPDK.
 */

#ifndef DPF_REPORT_H
#define DPF_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/*
 * Parse the text of a result file: the status object itself, or a
 * JSON-RPC reply whose "result" is one.  Returns a new reference, or NULL
 * with a message in err.  The object is not checked beyond that: see
 * report_html().
 */
json_t *
report_parse(const char *text, char *err, size_t errlen);

/*
 * Write the report of result (a job's status object) to out.  Returns 0,
 * or -1 with a message in err when result is malformed (then nothing has
 * been written) or writing out failed.
 */
int
report_html(FILE *out, const json_t *result, char *err, size_t errlen);

/*
 * Render the report and write it to path ("-": stdout) in one go, so that
 * a malformed result leaves no file behind.  Returns 0, or -1 with a
 * message in err (naming path where the file is the problem).
 */
int
report_write_file(const char *path, const json_t *result, char *err,
		  size_t errlen);

#endif /* DPF_REPORT_H */
