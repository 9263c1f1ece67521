/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 client over the stack's TCP: one fetch of one URL.
 *
 * A fetch runs as the worker's application: its poll hook resolves the
 * next hop, opens the connection and enforces the deadline; TCP's
 * callbacks send the request and feed the resumable response parser,
 * which streams the body to the output file without copies in between.
 */

#ifndef DPF_HTTP_CLIENT_H
#define DPF_HTTP_CLIENT_H

#include <stdint.h>
#include <stdio.h>

#include "http_parse.h"
#include "url.h"

struct worker;
struct tcp_conn;
struct dpf_config;

#define HTTP_REQUEST_MAX	16384

enum http_fetch_phase {
	FETCH_RESOLVING,	/* waiting for ARP on the next hop */
	FETCH_CONNECTING,	/* SYN sent */
	FETCH_WAITING,		/* request sent, reading the response */
	FETCH_CLOSING,		/* response done, closing the connection */
	FETCH_DONE,
};

struct http_fetch {
	struct url url;
	uint32_t next_hop;
	FILE *out;
	char request[HTTP_REQUEST_MAX];	/* method, headers, blank line */
	uint32_t request_len;
	uint8_t *body;			/* request body (--data), or NULL */
	uint64_t body_len;
	uint64_t body_sent;		/* handed to TCP so far */
	int head_request;

	enum http_fetch_phase phase;
	struct tcp_conn *conn;
	struct http_resp_parser parser;
	int response_done;
	int failed;
	int reported;			/* summary printed */
	char error[512];

	uint64_t start_us;
	uint64_t connected_us;
	uint64_t first_byte_us;
	uint64_t end_us;
	uint64_t deadline_us;
	uint64_t linger_until_us;
	uint64_t bytes_rx;		/* response bytes, headers included */
};

/*
 * Prepare a fetch of url from the config's headers.  Returns 0, or -1
 * with a message (a usage error: exit status 2).
 */
int
http_fetch_init(struct http_fetch *f, const struct dpf_config *cfg,
		const char *url, FILE *out, char *err, size_t errlen);

/* Release what init allocated (the request body). */
void
http_fetch_free(struct http_fetch *f);

/* Start it on worker w (sets the worker's application hook). */
void
http_fetch_start(struct worker *w, struct http_fetch *f, double timeout_s);

/* Flush the body and print the one-line summary (or the error) on
 * stderr, once; the fetch does it itself when it ends. */
void
http_fetch_report(struct http_fetch *f, uint64_t now_us);

/* 0 for a complete 2xx response, 1 otherwise (error says why). */
int
http_fetch_exit_code(const struct http_fetch *f);

#endif /* DPF_HTTP_CLIENT_H */
