/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel server: JSON-RPC 2.0, one JSON text per line (see
 * rpc.h and docs/control.md), on a UNIX stream socket and optionally on a
 * TCP listener that requires a token ("auth") in every request.
 *
 * One thread runs ctl_server_run(), an epoll loop over the listeners and
 * the clients.  Each client has an input buffer (lines up to RPC_MAX_LINE
 * bytes; a longer one is discarded up to its newline and answered with
 * -32700), an output buffer written without blocking (a client whose
 * unsent output passes max_output is dropped), and at most one line in
 * flight: while a deferred call of a client is pending, that client's
 * further lines wait (its replies stay in order) and every other client
 * is served.  Pending calls are polled every CTL_POLL_MS and cancelled
 * (their state freed) when their client goes away.
 *
 * Handlers and poll functions run on the server's thread; ctx->app is
 * the app_ctx given to ctl_server_create(), ctx->client the calling
 * client (opaque).
 */

#ifndef DPF_CTL_H
#define DPF_CTL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

#define CTL_POLL_MS			10
#define CTL_DEFAULT_MAX_CLIENTS		1024
#define CTL_DEFAULT_MAX_OUTPUT		(4u * 1024 * 1024)

/* Error sent (then the connection closed) past max_clients. */
#define CTL_ERR_TOO_MANY_CLIENTS	(-32000)

struct ctl_config {
	/*
	 * UNIX socket path, or NULL for none.  Its parent directory is
	 * created if missing; the socket is made mode 0660.  A stale socket
	 * file is replaced; a live one is an error.
	 */
	const char *unix_path;
	/*
	 * "ADDR:PORT" ("127.0.0.1:7070", "[::1]:7070", port 0 for any), or
	 * NULL: nothing listens on TCP.
	 */
	const char *tcp_listen;
	/* Token every TCP request must carry as "auth"; required with TCP. */
	const char *tcp_token;
	unsigned int max_clients;	/* 0: CTL_DEFAULT_MAX_CLIENTS */
	size_t max_output;		/* 0: CTL_DEFAULT_MAX_OUTPUT */
};

/* Counters, readable from any thread. */
struct ctl_stats {
	uint64_t clients;		/* connected now */
	uint64_t accepted;		/* ever */
	uint64_t refused;		/* past max_clients */
	uint64_t dropped;		/* output past max_output */
	uint64_t lines;			/* lines processed */
	uint64_t pending;		/* lines waiting on deferred calls */
};

struct ctl_server;

/*
 * Open the listeners.  methods (n of them) must outlive the server.
 * Returns NULL on error; ctl_last_error() then says why ("another
 * dpfetch is listening on /run/dpfetch/ctl.sock").
 */
struct ctl_server *
ctl_server_create(const struct ctl_config *cfg,
		  const struct rpc_method *methods, size_t n, void *app_ctx);

/* Why the last ctl_server_create() or ctl_start_thread() of this thread failed. */
const char *
ctl_last_error(void);

/*
 * Serve until ctl_server_stop().  Returns 0 then, -1 if epoll fails.
 * Runs in any thread (a plain pthread in the unit tests).
 */
int
ctl_server_run(struct ctl_server *srv);

/* Ask ctl_server_run() to return.  Thread-safe, async-signal-safe. */
void
ctl_server_stop(struct ctl_server *srv);

/*
 * Close every client (cancelling their pending calls) and the listeners,
 * remove the UNIX socket file, free.  Only once ctl_server_run() returned
 * (or never ran).  NULL is ignored.
 */
void
ctl_server_destroy(struct ctl_server *srv);

/* The TCP port listened on (useful with port 0), or -1 without TCP. */
int
ctl_server_tcp_port(const struct ctl_server *srv);

void
ctl_server_stats(const struct ctl_server *srv, struct ctl_stats *st);

/*
 * Run ctl_server_run() in a DPDK control thread ("dpf-ctl") after EAL
 * init.  Returns 0 or a negative errno (ctl_last_error() says more).
 */
int
ctl_start_thread(struct ctl_server *srv, pthread_t *thread);

/* ctl_server_stop() and join the thread.  Then ctl_server_destroy(). */
int
ctl_stop_thread(struct ctl_server *srv, pthread_t thread);

#endif /* DPF_CTL_H */
