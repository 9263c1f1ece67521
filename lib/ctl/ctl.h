/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel server: JSON-RPC 2.0, one JSON text per line (see
 * rpc.h and docs/control.md), on a UNIX stream socket and optionally on a
 * TCP listener whose clients authenticate once per connection.
 *
 * TCP clients: the first request of a connection must carry the token as
 * its "auth" member (the method "ctl.auth" only authenticates; any other
 * method runs once the token is right).  Before that, a line may be at
 * most CTL_PREAUTH_MAX_LINE bytes and must come within auth_timeout_ms.
 * A wrong or missing token, a longer line or the timeout close the
 * connection (after one error reply).  A wrong token also puts its
 * source address into back-off: connections from it are refused for
 * backoff_base_ms, doubling with each further failure up to
 * backoff_max_ms (a small table of CTL_BACKOFF_SLOTS addresses, the
 * stalest evicted).  TCP clients have their own cap (max_tcp_clients), so
 * they never take the UNIX socket's slots (max_clients).
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
#define CTL_DEFAULT_MAX_TCP_CLIENTS	64
#define CTL_DEFAULT_AUTH_TIMEOUT_MS	10000
#define CTL_DEFAULT_BACKOFF_BASE_MS	250
#define CTL_DEFAULT_BACKOFF_MAX_MS	30000
#define CTL_PREAUTH_MAX_LINE		1024	/* bytes, before the token */
#define CTL_BACKOFF_SLOTS		64	/* source addresses remembered */

/* Error sent (then the connection closed) past max_clients. */
#define CTL_ERR_TOO_MANY_CLIENTS	(-32000)
/* Error sent (then closed) to a TCP connection from an address in
 * back-off after failed authentications. */
#define CTL_ERR_DELAYED			(-32002)

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
	/*
	 * Token the first request of a TCP connection must carry as "auth";
	 * required with TCP, CTL_TOKEN_MIN characters at least.
	 */
	const char *tcp_token;
	unsigned int max_clients;	/* UNIX; 0: CTL_DEFAULT_MAX_CLIENTS */
	size_t max_output;		/* 0: CTL_DEFAULT_MAX_OUTPUT */
	unsigned int max_tcp_clients;	/* 0: CTL_DEFAULT_MAX_TCP_CLIENTS */
	unsigned int auth_timeout_ms;	/* 0: CTL_DEFAULT_AUTH_TIMEOUT_MS */
	unsigned int backoff_base_ms;	/* 0: CTL_DEFAULT_BACKOFF_BASE_MS */
	unsigned int backoff_max_ms;	/* 0: CTL_DEFAULT_BACKOFF_MAX_MS */
	/* Neither unix_path nor tcp_listen is fine: the loop then serves
	 * only what is added with ctl_server_watch() (--metrics alone). */
	int no_listener_ok;
};

/* Counters, readable from any thread. */
struct ctl_stats {
	uint64_t clients;		/* connected now (UNIX and TCP) */
	uint64_t accepted;		/* ever */
	uint64_t refused;		/* UNIX, past max_clients */
	uint64_t dropped;		/* output past max_output */
	uint64_t lines;			/* lines processed */
	uint64_t pending;		/* lines waiting on deferred calls */
	uint64_t tcp_clients;		/* TCP, connected now */
	uint64_t tcp_refused;		/* TCP, past max_tcp_clients */
	uint64_t auth_ok;		/* TCP connections authenticated */
	uint64_t auth_failures;		/* wrong or missing token: closed */
	uint64_t auth_timeouts;		/* no token within auth_timeout_ms */
	uint64_t preauth_oversize;	/* line over CTL_PREAUTH_MAX_LINE */
	uint64_t delayed;		/* refused: the address is in back-off */
	uint64_t backoff_evicted;	/* back-off entries pushed out */
	/* The metrics endpoint (metrics.h), on the same thread. */
	uint64_t metrics_clients;	/* connected now */
	uint64_t metrics_accepted;	/* ever */
	uint64_t metrics_scrapes;	/* 200 answers */
	uint64_t metrics_refused;	/* past max_clients: 503 */
	uint64_t metrics_evicted;	/* stalest closed for a newcomer */
	uint64_t metrics_timeouts;	/* no whole exchange in time */
	uint64_t metrics_oversize;	/* request head too long: 431 */
	uint64_t metrics_not_found;	/* another path: 404 */
	uint64_t metrics_bad_method;	/* not GET: 405 */
	uint64_t metrics_bad_requests;	/* not HTTP/1.x: 400 */
};

/* The counters as a JSON object (the "ctl" section of stats.get). */
json_t *
ctl_stats_json(const struct ctl_stats *st);

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
 * Other services on the control thread's loop (the metrics endpoint):
 * a file descriptor whose events call fn on the server's thread.  The
 * struct must stay put while watched; kind is the server's.
 */
struct ctl_watch {
	int kind;		/* set by ctl_server_watch() */
	void (*fn)(struct ctl_watch *w, uint32_t events);
};

/* Add fd (or change its events, when watched already).  0 or -1. */
int
ctl_server_watch(struct ctl_server *srv, int fd, uint32_t events,
		 struct ctl_watch *w, int modify);

/* Stop watching fd (before closing it). */
void
ctl_server_unwatch(struct ctl_server *srv, int fd);

/*
 * tick(arg, now_ms) runs on the server's thread after every wake-up and
 * returns in how many ms it wants to run again (-1: not before an
 * event).  One tick per server; NULL removes it.
 */
void
ctl_server_set_tick(struct ctl_server *srv,
		    int (*tick)(void *arg, uint64_t now_ms), void *arg);

/* The counters, for a service on the server's thread to count into
 * (atomically: readers are on other threads). */
struct ctl_stats *
ctl_server_counters(struct ctl_server *srv);

/*
 * A non-blocking TCP socket listening on spec ("ADDR:PORT", "[::1]:P");
 * *port_out (if not NULL) gets the port.  Returns the fd, or -1 with
 * ctl_last_error() naming what ("metrics address '...': ...").
 */
int
ctl_tcp_listen_socket(const char *spec, const char *what, int *port_out);

/* The clock ticks are given in: CLOCK_MONOTONIC in ms. */
uint64_t
ctl_now_ms(void);

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
