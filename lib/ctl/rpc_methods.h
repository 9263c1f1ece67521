/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance's control methods: one handler per JSON-RPC method,
 * found through one table (rpc_methods[]), each documented with an
 * example in docs/control.md.
 *
 * Handlers run on a control thread, never on a worker.  They read
 * counters without locks (monotonic 64-bit values, read whole), change
 * per-lcore state only through worker_call() (the function runs on the
 * worker's own lcore), and reach jobs through the app's job registry.
 */

#ifndef DPF_RPC_METHODS_H
#define DPF_RPC_METHODS_H

#include <stddef.h>

#include <jansson.h>

#include "rpc.h"

struct app;

extern const struct rpc_method rpc_methods[];
extern const size_t rpc_methods_count;

/* Counter totals over all workers: section -> name -> value, plus the
 * gauges (also for telemetry). */
json_t *
app_stats_json(struct app *app);

/* {"jobs": [status without series, oldest first]} */
json_t *
app_jobs_json(struct app *app);

#endif /* DPF_RPC_METHODS_H */
