/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands, so that dpdk-telemetry.py (or any client of
 * /var/run/dpdk/<prefix>/dpdk_telemetry.v2) shows dpfetch's state next to
 * the ethdev and mempool commands EAL registers:
 *
 *   /dpfetch/stats   the counters: section -> counter (app_stats_json)
 *   /dpfetch/jobs    the jobs: job id -> status (app_jobs_json)
 *
 * The handlers run on EAL's telemetry thread.  They only read: the JSON
 * functions read the per-lcore counters without locks by design.
 */

#ifndef DPF_TELEMETRY_H
#define DPF_TELEMETRY_H

#include <jansson.h>

struct app;
struct rte_tel_data;

/*
 * Register the commands (after rte_eal_init).  0, or a negative errno
 * (-EINVAL when telemetry refuses a name, -ENOENT without telemetry).
 * app must outlive EAL: the callbacks have no argument of their own.
 */
int
dpf_telemetry_init(struct app *app);

/* Provided by the control methods (rpc_methods.c); new references. */
json_t *
app_stats_json(struct app *app);	/* totals: sections -> counters */

json_t *
app_jobs_json(struct app *app);		/* {"jobs": [ {status}, ... ]} */

/*
 * A JSON object as a telemetry dict.  22.11's rte_tel_data has u64, int
 * and string values, and containers one level deep; names may hold only
 * letters, digits, '_' and '/'.  So: members that are objects become
 * dict containers, arrays of one scalar type array containers; anything
 * deeper is flattened into its container as "a/b" names; other characters
 * in names become '_'; reals become strings ("12.5"), booleans 1 or 0,
 * null the string "null".  Past telemetry's limits (256 entries per dict,
 * 512 per array) entries are left out.  0, or a negative errno.
 */
int
dpf_tel_from_json(struct rte_tel_data *d, const json_t *obj);

#endif /* DPF_TELEMETRY_H */
