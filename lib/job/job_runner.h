/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The job runner: the job shares one worker runs, and their connections.
 *
 * Call chain, per worker:
 *
 *   worker_loop()
 *     job_runner_poll()            every iteration, each running share:
 *       share_resolve()              ARP for the next hops first
 *       job_pace_refill()            the schedule (job_pace.c)
 *       share_expire()               connect and response timeouts, from
 *                                    the heads of two FIFO lists
 *       share_send_ready()           requests on idle connections (rps
 *         conn_send                  pacing, quota)
 *           http_client_send         (lib/http)
 *       share_churn_send()           churn connections' next requests
 *       share_open()                 new connections (ramp, cps pacing)
 *         http_client_connect        (lib/http)
 *       share_churn()                short connections (churn_cps pacing)
 *       share_sample()               the per-second series
 *       share_drain()                at the end: close, cancel, let go
 *   the HTTP client's callbacks (struct http_client_ops):
 *     jr_connected -> conn_send    the first request
 *     jr_writable, jr_idle         back on the ready list, or closed
 *     jr_progress, jr_response     response deadlines, counters,
 *                                  latency histograms
 *     jr_error, jr_ending,         errors into the job's counters,
 *     jr_release                   requests settled, the block freed
 *
 * A connection costs a struct job_conn (the HTTP client's state plus the
 * share's lists) while idle; the HTTP client borrows a parser from the
 * runner's lazy pool only while requests are outstanding.  Timeouts need
 * no timer per connection: every connection of a share has the same
 * timeout, so deadlines in arrival order are already sorted and only the
 * heads of the two lists are ever checked.
 */

#ifndef DPF_JOB_RUNNER_H
#define DPF_JOB_RUNNER_H

#include <stdint.h>
#include <sys/queue.h>

#include "lazy_pool.h"
#include "obj_pool.h"
#include "worker.h"

struct job_share;

TAILQ_HEAD(job_share_list, job_share);

/* A worker's job runner (w->runner), on the lcore's socket. */
struct job_runner {
	struct job_share_list shares;	/* running on this worker */
	struct obj_pool conn_pool;	/* struct job_conn, on first use */
	struct lazy_pool busy_pool;	/* struct http_client_busy */
};

/* job_runner_start (a share onto its worker) is declared in job.h:
 * job_start calls it, and job.c must not include this header. */

/* w->runner; 0 or -ENOMEM. */
int
job_runner_init(struct worker *w);

/* Release the runner's memory (connections must be gone); w->runner
 * stays, emptied, for the exit statistics. */
void
job_runner_fini(struct worker *w);

/* Whether any share runs on w (the loop polls only then). */
static inline int
job_runner_active(const struct worker *w)
{
	return !TAILQ_EMPTY(&w->runner->shares);
}

/* Drive every running share of the worker; called from its loop. */
void
job_runner_poll(struct worker *w);

/* For stats.get scope lcore: shares running, parsers allocated and
 * their bytes. */
void
job_runner_usage(const struct worker *w, unsigned int *shares,
		 uint64_t *parsers, uint64_t *parser_bytes);

#endif /* DPF_JOB_RUNNER_H */
