/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpfetchctl's side of the control channel: JSON-RPC 2.0, one JSON text per
 * line, over a UNIX stream socket or TCP (with a token sent as "auth" in
 * every request).  ctl_client_call() is a script_call_t.
 */

#ifndef DPFETCHCTL_CLIENT_H
#define DPFETCHCTL_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#define CTL_SOCK_DIR	"/run/dpfetch"

struct ctl_client {
	int fd;
	char *buf;		/* received bytes not yet consumed */
	size_t len, cap;
	long long next_id;
	const char *auth;	/* token, or NULL */
	char peer[256];		/* the path or host:port, for messages */
};

/* Connect to a UNIX socket.  Returns 0, or -1 with err saying which path
 * failed and why. */
int
ctl_client_unix(struct ctl_client *c, const char *path, char *err,
		size_t errlen);

/* Connect to "host:port" ("[v6]:port" too); auth may be NULL. */
int
ctl_client_tcp(struct ctl_client *c, const char *hostport, const char *auth,
	       char *err, size_t errlen);

/* Send one request and read its reply (script_call_t; ctx is the client).
 * Returns 0 with *result, -1 on an error reply ("message (code N)"), -2
 * when the connection failed, no reply came within 30 s plus the request's
 * own timeout_s, or the reply is not JSON-RPC. */
int
ctl_client_call(void *ctx, const char *method, json_t *params,
		json_t **result, char *err, size_t errlen);

void
ctl_client_close(struct ctl_client *c);

#endif /* DPFETCHCTL_CLIENT_H */
