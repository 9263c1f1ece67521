/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus metrics endpoint (--metrics ADDR:PORT): GET /metrics
 * over a kernel TCP socket, served by the control thread's loop (ctl.c's
 * ctl_server_watch / ctl_server_set_tick), never by a worker.  The page
 * is prom_text() (lib/core/prom.h) of stats.get with per_lcore and
 * fetch.list with buckets, called in-process through the method table, so it says
 * what `dpfetchctl stats --format prometheus` says.
 *
 * Bounded: at most max_clients connections (a newcomer past it closes
 * the stalest client older than METRICS_EVICT_AGE_MS, else is answered
 * 503), a request head of at most max_request bytes (431), and
 * timeout_ms from accept to the last byte of the reply.  One request per
 * connection (Connection: close).  Other paths get 404, other methods
 * than GET and HEAD 405, anything else 400.  Every refusal is counted in
 * stats.get's ctl section (metrics_*).
 */

#ifndef DPF_METRICS_H
#define DPF_METRICS_H

#include "ctl.h"
#include "rpc.h"

#define METRICS_DEFAULT_MAX_CLIENTS	16
#define METRICS_DEFAULT_TIMEOUT_MS	5000
#define METRICS_DEFAULT_MAX_REQUEST	8192
/* A client this young is never closed to make room: an honest client
 * sends its request within a round trip of connecting, and a slow one
 * holding a slot is older.  (A flood of new connections can still keep
 * every slot young; it is refused with 503, counted.) */
#define METRICS_EVICT_AGE_MS		50

struct metrics_config {
	const char *listen;		/* "ADDR:PORT" */
	unsigned int max_clients;	/* 0: the default */
	unsigned int timeout_ms;	/* 0: the default */
	unsigned int max_request;	/* 0: the default */
};

struct metrics_server;

/*
 * Listen and join srv's loop; call before ctl_start_thread().  d: the
 * methods the page is built from (stats.get, fetch.list).  NULL on
 * error, ctl_last_error() says why.
 */
struct metrics_server *
metrics_server_create(struct ctl_server *srv, const struct metrics_config *cfg,
		      const struct rpc_dispatch *d);

/* The port listened on (useful with port 0). */
int
metrics_server_port(const struct metrics_server *m);

/* Close everything; only once srv's loop no longer runs.  NULL ignored. */
void
metrics_server_destroy(struct metrics_server *m);

/* The page: prom_text of stats.get {per_lcore} and fetch.list {buckets}
 * through d;
 * malloc'ed, or NULL. */
char *
metrics_render(const struct rpc_dispatch *d, size_t *len);

#endif /* DPF_METRICS_H */
