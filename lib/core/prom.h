/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus text exposition format (version 0.0.4) of dpfetch's
 * counters and jobs, built from the JSON the control methods return:
 * stats.get with per_lcore (sections of counters, "lcores") and
 * fetch.list with buckets ({"jobs": [...]}, each with buckets_us).  One function, used by the appliance's
 * metrics endpoint (lib/ctl/metrics.c) and by
 * `dpfetchctl stats --format prometheus`, so that both print the same.
 *
 * Names: dpfetch_<section>_<counter in snake case>, "_total" on counters
 * (dpfetch_tcp_active_opens_total, dpfetch_http_responses_total); the
 * sections' counters carry lcore="N" when stats has "lcores"; the
 * per-lcore cpu figures are dpfetch_lcore_*; jobs are dpfetch_job_* with
 * job_id="ID" (state as a state set, rates, open connections, counts,
 * latency as summaries and, from buckets_us, histograms in seconds).  docs/control.md lists them.
 *
 * Pure C and jansson: no DPDK.
 */

#ifndef DPF_PROM_H
#define DPF_PROM_H

#include <stddef.h>

#include <jansson.h>

#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * The exposition text of stats (stats.get's result, per_lcore or not)
 * and jobs (fetch.list's result; NULL: no job metrics).  Returns a
 * malloc'ed NUL-terminated string (its length in *len when len is not
 * NULL), or NULL when out of memory.
 */
char *
prom_text(const json_t *stats, const json_t *jobs, size_t *len);

/* "ActiveOpens" -> "active_opens", "rx_bytes" stays; into buf. */
void
prom_snake(const char *name, char *buf, size_t size);

/* "p50" -> 0.5, "p999" -> 0.999, "p5" -> 0.05; -1 if not such a key. */
double
prom_quantile_of_key(const char *key);

#endif /* DPF_PROM_H */
