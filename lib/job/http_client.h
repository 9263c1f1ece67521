/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 client: a job share's connections on one worker.
 *
 * Call chain, per worker:
 *
 *   worker_loop()
 *     hc_poll()                    every iteration, each running share:
 *       share_resolve()              ARP for the next hops first
 *       share_open()                 new connections (ramp, cps pacing)
 *       share_send_ready()           requests on idle connections (rps
 *                                    pacing, pipelining, quota)
 *       share_expire()               connect and response timeouts, from
 *                                    the heads of two FIFO lists
 *       share_sample()               the per-second series
 *       share_drain()                at the end: close, cancel, let go
 *   TCP callbacks (tcp_app_ops):
 *     hc_connected -> hc_send        the first request
 *     hc_recv -> http_resp_parse     responses, possibly several per
 *                                    segment (pipelining)
 *     hc_sent                        the rest of a long request body
 *     hc_peer_closed, hc_closed      close-delimited bodies, errors
 *
 * A connection costs a small struct hc_conn while idle; the response
 * parser and the send times of pipelined requests (struct hc_busy) are
 * taken from a per-worker free list only while requests are outstanding.
 * Timeouts need no timer per connection: every connection of a share
 * has the same timeout, so deadlines in arrival order are already
 * sorted and only the heads of the two lists are ever checked.
 */

#ifndef DPF_HTTP_CLIENT_H
#define DPF_HTTP_CLIENT_H

#include <stdint.h>

struct worker;
struct job_share;

/* hc_share_start and HTTP_REQUEST_MAX are in job.h: job_start calls it,
 * and job.c must not include this header (no cycle between the two). */

/* Drive every running share of the worker; called from its loop. */
void
hc_poll(struct worker *w);

/* Release the worker's client memory (connections must be gone). */
void
hc_worker_fini(struct worker *w);

#endif /* DPF_HTTP_CLIENT_H */
