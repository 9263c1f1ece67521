/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC 2.0 framing and dispatch for the control channel.
 *
 * One JSON text per line.  rpc_process_line() turns one input line into
 * zero or one output line (a reply, or a batch of replies, each ending in
 * "\n"), calling the handlers of a method table.  It is pure: no sockets,
 * no DPDK, only jansson, so it is unit-tested and fuzzed on its own; the
 * socket server (ctl.h) feeds it.
 *
 * Deferred replies: a handler may answer later.  It calls rpc_defer() with
 * a poll function, a state and a function that frees the state, and
 * returns RPC_PENDING.  The line is then "in flight": rpc_process_line()
 * hands back a struct rpc_line, and the caller polls it with
 * rpc_line_poll() until that produces the output, or gives up with
 * rpc_line_free(), which cancels (frees the states of) the calls still
 * pending.  The server keeps one line in flight per client, so a client
 * waiting on a deferred call blocks only itself.
 */

#ifndef DPF_RPC_H
#define DPF_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Longest line accepted, newline excluded. */
#define RPC_MAX_LINE		(1024 * 1024)

/* Longest error message (bytes, NUL included); longer ones are cut. */
#define RPC_ERR_MSG_MAX		256

/* Standard JSON-RPC 2.0 error codes, and ours (-32000 .. -32099). */
#define RPC_PARSE_ERROR		(-32700)
#define RPC_INVALID_REQUEST	(-32600)
#define RPC_METHOD_NOT_FOUND	(-32601)
#define RPC_INVALID_PARAMS	(-32602)
#define RPC_INTERNAL_ERROR	(-32603)
#define RPC_UNAUTHORIZED	(-32001)	/* TCP: missing or wrong "auth" */

/* What a handler or a poll function returns. */
enum rpc_status {
	RPC_OK = 0,		/* *result set (NULL means JSON null) */
	RPC_ERROR = -1,		/* err->code and err->message set */
	RPC_PENDING = 1,	/* rpc_defer() called; answer later */
};

struct rpc_error {
	int code;
	char message[RPC_ERR_MSG_MAX];
	json_t *data;		/* optional "data" member; reference taken */
};

struct rpc_ctx;

/*
 * A method handler.  params is the request's "params" (an object or an
 * array) or NULL when absent; it is borrowed.  On RPC_OK, *result (a new
 * reference, or NULL for JSON null) is the result.  On RPC_ERROR, err is
 * filled (rpc_error_set() or a rpc_param_*() helper).  On RPC_PENDING, the
 * handler has called rpc_defer().  Handlers run on the server's thread.
 */
typedef int (*rpc_handler_t)(struct rpc_ctx *ctx, json_t *params,
			     json_t **result, struct rpc_error *err);

/*
 * A deferred call's poll function: same contract as a handler, except
 * that RPC_PENDING simply means "not yet" (no rpc_defer() again).  The
 * state is the one given to rpc_defer().
 */
typedef int (*rpc_poll_t)(struct rpc_ctx *ctx, void *state,
			  json_t **result, struct rpc_error *err);

/* Frees a deferred call's state; called exactly once per rpc_defer(). */
typedef void (*rpc_free_t)(void *state);

struct rpc_method {
	const char *name;	/* "fetch.start" */
	rpc_handler_t handler;
	const char *help;	/* one line, returned by rpc.methods */
};

/* What a handler (or poll function) knows about its call. */
struct rpc_ctx {
	void *app;		/* the app context given to the dispatcher */
	void *client;		/* the caller, opaque (the server's client) */
	const char *method;	/* method name, valid during the call */
	/* Private: set by rpc_defer(). */
	rpc_poll_t poll;
	void *state;
	rpc_free_t free_state;
};

/* A method table and the context its handlers get. */
struct rpc_dispatch {
	const struct rpc_method *methods;
	size_t n_methods;
	void *app;
};

/* A line whose reply waits on deferred calls. */
struct rpc_line;

/*
 * Defer the reply of the current call: poll(ctx, state, ...) will be
 * called each time the line is polled until it returns RPC_OK or
 * RPC_ERROR; free_state(state) (may be NULL) is called after that, or when
 * the line is cancelled.  The handler then returns RPC_PENDING.  If the
 * handler returns anything else after rpc_defer(), the state is freed and
 * its return value stands.
 */
void
rpc_defer(struct rpc_ctx *ctx, rpc_poll_t poll, void *state,
	  rpc_free_t free_state);

/*
 * Process one line, newline excluded (a trailing "\r" is ignored; a line
 * of only white space is ignored).  auth: the token every request must
 * carry in its "auth" member, or NULL when none is required.  client is
 * passed to handlers in ctx->client.
 *
 * Returns RPC_OK with *out a malloc'ed reply line ending in "\n", or NULL
 * when nothing is to be sent (notifications); or RPC_PENDING with
 * *pending set (and *out NULL): poll it with rpc_line_poll().  Returns
 * RPC_ERROR only when memory runs out (nothing to send, nothing pending).
 */
int
rpc_process_line(const struct rpc_dispatch *d, const char *line, size_t len,
		 const char *auth, void *client, char **out,
		 struct rpc_line **pending);

/*
 * Poll the deferred calls of a line once each.  RPC_PENDING: some still
 * wait.  RPC_OK: the line is complete and freed, *out is the reply line
 * (or NULL when nothing is to be sent).  RPC_ERROR: out of memory, the
 * line is freed.
 */
int
rpc_line_poll(struct rpc_line *l, char **out);

/* Cancel a line in flight: frees the states of its pending calls. */
void
rpc_line_free(struct rpc_line *l);

/*
 * A malloc'ed error reply line with id null, for errors found before any
 * JSON is read (a line too long).  NULL if memory runs out.
 */
char *
rpc_error_line(int code, const char *message);

/* The message of the error for a line longer than RPC_MAX_LINE. */
#define RPC_LINE_TOO_LONG_MSG	"line exceeds 1048576 bytes"

/*
 * Fill err (printf-style message, cut at RPC_ERR_MSG_MAX on a UTF-8
 * boundary).  Returns RPC_ERROR, so a handler can "return rpc_error_set()".
 */
int
rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parameter helpers.  They read members of params (an object, or NULL
 * for no params) and fill err with -32602 and a message naming the member
 * ("params.connections: expected a positive integer, got -3").
 *
 * Each rpc_param_<type>() returns 0 when the member was found and stored
 * in *out, 1 when it is absent and optional (*out untouched: set the
 * default first), and -1 on error (err filled).  Objects, arrays and
 * strings are borrowed from params.
 */
enum rpc_need {
	RPC_OPTIONAL = 0,
	RPC_REQUIRED = 1,
};

/*
 * params must be an object (or absent) whose members are all named in
 * allowed (NULL-terminated).  0 or -1 (err filled: "unknown parameter
 * 'conections'").
 */
int
rpc_params_check(const json_t *params, const char *const *allowed,
		 struct rpc_error *err);

/* An integer in [min, max]; an integral JSON real (1e3) counts. */
int
rpc_param_int(const json_t *params, const char *name, enum rpc_need need,
	      int64_t min, int64_t max, int64_t *out, struct rpc_error *err);

/* Any finite number in [min, max]. */
int
rpc_param_number(const json_t *params, const char *name, enum rpc_need need,
		 double min, double max, double *out, struct rpc_error *err);

/* A string; non-empty unless allow_empty. */
int
rpc_param_string(const json_t *params, const char *name, enum rpc_need need,
		 int allow_empty, const char **out, struct rpc_error *err);

/* true or false, stored as 1 or 0. */
int
rpc_param_bool(const json_t *params, const char *name, enum rpc_need need,
	       int *out, struct rpc_error *err);

int
rpc_param_object(const json_t *params, const char *name, enum rpc_need need,
		 json_t **out, struct rpc_error *err);

int
rpc_param_array(const json_t *params, const char *name, enum rpc_need need,
		json_t **out, struct rpc_error *err);

/*
 * Call a method in-process (the appliance's own --script): like a
 * request over the socket, but a deferred reply is waited for here,
 * calling wait() between polls (it returns non-zero to give up, e.g. on
 * a signal; the call then fails with -32603 "interrupted").  Returns
 * RPC_OK with *result (a new reference or NULL) or RPC_ERROR with err.
 */
int
rpc_call_sync(const struct rpc_dispatch *d, const char *method,
	      json_t *params, json_t **result, struct rpc_error *err,
	      int (*wait)(void *arg), void *wait_arg);

#endif /* DPF_RPC_H */
