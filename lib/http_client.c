/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>

#include "config.h"
#include "http_client.h"
#include "arp.h"
#include "ipv4.h"
#include "neigh.h"
#include "tcp.h"
#include "worker.h"

/* After the response, how long the orderly close may take before exit. */
#define FETCH_LINGER_US	(1000 * 1000)

static void
fetch_fail(struct worker *w, struct http_fetch *f, const char *fmt, ...)
{
	va_list ap;

	if (f->failed || f->phase == FETCH_DONE)
		return;
	va_start(ap, fmt);
	vsnprintf(f->error, sizeof(f->error), fmt, ap);
	va_end(ap);
	f->failed = 1;
	f->end_us = w->now_us;
	/* The connection is aborted from fetch_poll, never from here: this
	 * may run inside a TCP callback that still uses it. */
	f->phase = FETCH_DONE;
	f->linger_until_us = w->now_us;
}

static int
has_header(const struct dpf_config *cfg, const char *name)
{
	size_t n = strlen(name);
	unsigned int i;

	for (i = 0; i < cfg->n_headers; i++)
		if (strncasecmp(cfg->headers[i], name, n) == 0 &&
		    cfg->headers[i][n] == ':')
			return 1;
	return 0;
}

/* Append to the request head; sets *full instead of overrunning. */
static void
req_append(struct http_fetch *f, int *full, const char *fmt, ...)
{
	size_t room = sizeof(f->request) - f->request_len;
	va_list ap;
	int n;

	if (*full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(f->request + f->request_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		*full = 1;
	else
		f->request_len += (uint32_t)n;
}

/* The request body: "@FILE" reads a file, anything else is the body. */
static int
load_body(struct http_fetch *f, const char *data, char *err, size_t errlen)
{
	FILE *in;
	long size;

	if (data[0] != '@') {
		f->body_len = strlen(data);
		f->body = (uint8_t *)strdup(data);
		if (f->body == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	}
	in = fopen(data + 1, "rb");
	if (in == NULL) {
		snprintf(err, errlen, "--data %s: %s", data, strerror(errno));
		return -1;
	}
	if (fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < 0 ||
	    fseek(in, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "--data %s: cannot tell its size", data);
		fclose(in);
		return -1;
	}
	f->body = malloc(size > 0 ? (size_t)size : 1);
	if (f->body == NULL) {
		snprintf(err, errlen, "--data %s: out of memory", data);
		fclose(in);
		return -1;
	}
	f->body_len = (uint64_t)size;
	if (size > 0 && fread(f->body, 1, (size_t)size, in) != (size_t)size) {
		snprintf(err, errlen, "--data %s: read error", data);
		fclose(in);
		return -1;
	}
	fclose(in);
	return 0;
}

int
http_fetch_init(struct http_fetch *f, const struct dpf_config *cfg,
		const char *url, FILE *out, char *err, size_t errlen)
{
	const char *method;
	char uerr[256];
	unsigned int i;
	int full = 0;

	memset(f, 0, sizeof(*f));
	if (url_parse(url, &f->url, uerr, sizeof(uerr)) != 0) {
		snprintf(err, errlen, "--fetch: %s", uerr);
		return -1;
	}
	if (f->url.ipv4 == 0) {
		snprintf(err, errlen,
			 "--fetch: '%s' is a name; dpfetch has no DNS: put the IPv4 address in the URL (and --header 'Host: %s' if the server needs the name)",
			 f->url.host, f->url.host);
		return -1;
	}
	f->out = out;
	if (cfg->data != NULL && load_body(f, cfg->data, err, errlen) != 0) {
		http_fetch_free(f);
		return -1;
	}
	method = cfg->method != NULL ? cfg->method :
		cfg->data != NULL ? "POST" : "GET";
	f->head_request = strcmp(method, "HEAD") == 0;
	req_append(f, &full, "%s %s HTTP/1.1\r\n", method, f->url.path);
	if (!has_header(cfg, "Host")) {
		if (f->url.port_given)
			req_append(f, &full, "Host: %s:%u\r\n", f->url.host,
				   f->url.port);
		else
			req_append(f, &full, "Host: %s\r\n", f->url.host);
	}
	if (!has_header(cfg, "User-Agent"))
		req_append(f, &full, "User-Agent: dpfetch/%s\r\n",
			   DPF_VERSION);
	if (!has_header(cfg, "Accept"))
		req_append(f, &full, "Accept: */*\r\n");
	/* A body is framed by its length; so is an empty POST or PUT. */
	if (!has_header(cfg, "Content-Length") &&
	    (f->body != NULL || strcmp(method, "POST") == 0 ||
	     strcmp(method, "PUT") == 0))
		req_append(f, &full, "Content-Length: %llu\r\n",
			   (unsigned long long)f->body_len);
	for (i = 0; i < cfg->n_headers; i++)
		req_append(f, &full, "%s\r\n", cfg->headers[i]);
	req_append(f, &full, "\r\n");
	if (full) {
		snprintf(err, errlen,
			 "the request head is over %d bytes (too many or too long --header)",
			 HTTP_REQUEST_MAX - 1);
		http_fetch_free(f);
		return -1;
	}
	return 0;
}

void
http_fetch_free(struct http_fetch *f)
{
	free(f->body);
	f->body = NULL;
}

/* Feed the request body as the send buffer makes room. */
static void
fetch_pump_body(struct worker *w, struct tcp_conn *c, struct http_fetch *f)
{
	while (f->body_sent < f->body_len) {
		uint64_t left = f->body_len - f->body_sent;
		uint32_t chunk = left > (1u << 20) ? (1u << 20) : (uint32_t)left;
		uint32_t n = tcp_send(w, c, f->body + f->body_sent, chunk);

		f->body_sent += n;
		if (n < chunk)
			break;	/* the send buffer is full: on_sent resumes */
	}
}

static int
on_body(void *arg, const uint8_t *data, size_t len)
{
	struct http_fetch *f = arg;

	if (fwrite(data, 1, len, f->out) != len)
		return -1;	/* reported by the caller: write error */
	return 0;
}

static const struct http_resp_callbacks fetch_parser_cb = {
	.body = on_body,
};

static void
fetch_response_done(struct worker *w, struct http_fetch *f)
{
	int code = f->parser.status_code;

	f->response_done = 1;
	f->end_us = w->now_us;
	w->stats.http.responses++;
	w->stats.http.body_bytes += f->parser.body_bytes;
	if (code < 200)
		w->stats.http.status_1xx++;
	else if (code < 300)
		w->stats.http.status_2xx++;
	else if (code < 400)
		w->stats.http.status_3xx++;
	else if (code < 500)
		w->stats.http.status_4xx++;
	else
		w->stats.http.status_5xx++;
	if (code < 200 || code > 299)
		snprintf(f->error, sizeof(f->error),
			 "the server answered HTTP %d for %.400s", code,
			 f->url.path);
	/* Close our side; the worker lingers briefly for the handshake. */
	f->phase = FETCH_CLOSING;
	f->linger_until_us = w->now_us + FETCH_LINGER_US;
	if (f->conn != NULL)
		tcp_close(w, f->conn);
}

static void
fetch_parse_error(struct worker *w, struct http_fetch *f)
{
	w->stats.http.parse_errors++;
	if (f->parser.error == HTTP_ERR_NONE)
		fetch_fail(w, f, "cannot write the body: %s", strerror(errno));
	else
		fetch_fail(w, f, "bad HTTP response at byte %llu: %s",
			   (unsigned long long)f->parser.error_offset,
			   http_parse_strerror(f->parser.error));
}

static void
fetch_connected(struct worker *w, struct tcp_conn *c)
{
	struct http_fetch *f = c->app;

	f->connected_us = w->now_us;
	f->phase = FETCH_WAITING;
	w->stats.http.requests++;
	if (tcp_send(w, c, f->request, f->request_len) != f->request_len) {
		fetch_fail(w, f, "out of packet buffers sending the request");
		return;
	}
	fetch_pump_body(w, c, f);
}

static void
fetch_sent(struct worker *w, struct tcp_conn *c)
{
	struct http_fetch *f = c->app;

	if (f->phase == FETCH_WAITING)
		fetch_pump_body(w, c, f);
}

static void
fetch_recv(struct worker *w, struct tcp_conn *c, const uint8_t *data,
	   uint32_t len)
{
	struct http_fetch *f = c->app;
	enum http_parse_status st;
	size_t used = 0;

	if (f->first_byte_us == 0)
		f->first_byte_us = w->now_us;
	f->bytes_rx += len;
	if (f->response_done)
		return;	/* bytes after the response: ignored */
	st = http_resp_parse(&f->parser, data, len, &used);
	if (st == HTTP_PARSE_ERROR)
		fetch_parse_error(w, f);
	else if (st == HTTP_PARSE_DONE)
		fetch_response_done(w, f);
}

static void
fetch_peer_closed(struct worker *w, struct tcp_conn *c)
{
	struct http_fetch *f = c->app;
	enum http_parse_status st;

	if (f->response_done) {
		tcp_close(w, c);
		return;
	}
	st = http_resp_parse_eof(&f->parser);
	if (st == HTTP_PARSE_DONE) {
		fetch_response_done(w, f);
		return;
	}
	w->stats.http.parse_errors++;
	if (f->parser.status_code == 0)
		fetch_fail(w, f,
			   "the server closed the connection without a response");
	else if (f->parser.body_kind == HTTP_BODY_LENGTH)
		fetch_fail(w, f,
			   "the server closed the connection after %llu of %llu body bytes",
			   (unsigned long long)f->parser.body_bytes,
			   (unsigned long long)f->parser.content_length);
	else
		fetch_fail(w, f,
			   "the server closed the connection before the response was complete (%s)",
			   http_parse_strerror(f->parser.error));
}

static void
fetch_closed(struct worker *w, struct tcp_conn *c, int err)
{
	struct http_fetch *f = c->app;
	char addr[URL_MAX_HOST + 8];

	f->conn = NULL;
	if (f->response_done) {
		/* Closed in order.  If we closed first the connection waits
		 * in TIME_WAIT; stay to answer a repeated FIN from the peer
		 * until that ends (the body and summary are out already). */
		f->phase = FETCH_DONE;
		f->linger_until_us = w->now_us;
		if (c->state == TCP_TIME_WAIT)
			f->linger_until_us += (uint64_t)w->cfg->tcp.time_wait_ms *
				1000;
		return;
	}
	snprintf(addr, sizeof(addr), "%s:%u", f->url.host, f->url.port);
	switch (err) {
	case ECONNREFUSED:
		fetch_fail(w, f, "connection refused by %s (RST)", addr);
		break;
	case ECONNRESET:
		fetch_fail(w, f, "connection reset by %s (RST) after %llu bytes",
			   addr, (unsigned long long)f->bytes_rx);
		break;
	case ETIMEDOUT:
		fetch_fail(w, f, f->phase == FETCH_CONNECTING ?
			   "connection to %s timed out (no answer to SYN)" :
			   "connection to %s timed out (retransmissions unanswered)",
			   addr);
		break;
	default:
		fetch_fail(w, f, "connection to %s closed before the response",
			   addr);
		break;
	}
}

static const struct tcp_app_ops fetch_tcp_ops = {
	.connected = fetch_connected,
	.sent = fetch_sent,
	.recv = fetch_recv,
	.peer_closed = fetch_peer_closed,
	.closed = fetch_closed,
};

static void
ip_to_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
}

static void
fetch_poll(struct worker *w, void *arg)
{
	struct http_fetch *f = arg;
	uint8_t mac[6];
	char ip[16];
	int rc;

	switch (f->phase) {
	case FETCH_RESOLVING:
		rc = arp_resolve(w, f->next_hop, mac);
		if (rc < 0) {
			ip_to_str(f->next_hop, ip, sizeof(ip));
			fetch_fail(w, f,
				   "ARP: no reply from %s after %u requests (next hop %s)",
				   ip, w->cfg->arp.retries,
				   f->next_hop == f->url.ipv4 ? "is the server" :
				   "is the gateway");
			return;
		}
		if (rc == 0)
			break;
		f->phase = FETCH_CONNECTING;
		f->conn = tcp_connect(w, 0, f->url.ipv4, f->url.port,
				      &fetch_tcp_ops, f);
		if (f->conn == NULL)
			fetch_fail(w, f, "cannot open a connection (no free port or connection block)");
		break;
	case FETCH_CLOSING:
		if (w->now_us >= f->linger_until_us) {
			/* The response is complete; a peer that does not
			 * finish the close is not our failure. */
			if (f->conn != NULL) {
				tcp_abort(w, f->conn);
				f->conn = NULL;
			}
			f->phase = FETCH_DONE;
		}
		break;
	case FETCH_DONE:
		break;
	default:
		break;
	}
	if (f->phase != FETCH_DONE && w->now_us >= f->deadline_us) {
		static const char *const what[] = {
			[FETCH_RESOLVING] = "resolving the next hop",
			[FETCH_CONNECTING] = "connecting",
			[FETCH_WAITING] = "waiting for the response",
			[FETCH_CLOSING] = "closing",
			[FETCH_DONE] = "done",
		};

		fetch_fail(w, f, "timed out after %.1f s while %s (%llu bytes received)",
			   (double)(f->deadline_us - f->start_us) / 1e6,
			   what[f->phase], (unsigned long long)f->bytes_rx);
	}
	if (f->phase != FETCH_DONE)
		return;
	if (f->conn != NULL) {
		tcp_abort(w, f->conn);
		f->conn = NULL;
	}
	if (!f->reported)
		http_fetch_report(f, w->now_us);
	/* Done once nothing of ours is left on the wire, or TIME_WAIT is
	 * over. */
	if (w->tcp.n_conns == 0 || w->now_us >= f->linger_until_us)
		w->app->quit = 1;
}

void
http_fetch_start(struct worker *w, struct http_fetch *f, double timeout_s)
{
	char ip[16];

	http_resp_parser_init(&f->parser, &fetch_parser_cb, f,
			      f->head_request);
	f->start_us = w->now_us;
	f->deadline_us = w->now_us + (uint64_t)(timeout_s * 1e6);
	f->phase = FETCH_RESOLVING;
	f->next_hop = ipv4_next_hop(w, f->url.ipv4);
	w->wapp.poll = fetch_poll;
	w->wapp.arg = f;
	if (f->next_hop == 0) {
		ip_to_str(f->url.ipv4, ip, sizeof(ip));
		fetch_fail(w, f, "no route to %s: it is outside the --ip prefix and there is no --gateway",
			   ip);
	}
}

void
http_fetch_report(struct http_fetch *f, uint64_t now_us)
{
	double secs, mbit;

	if (f->reported)
		return;
	f->reported = 1;
	if (f->end_us == 0)
		f->end_us = now_us;
	/* The body is complete: let the reader have it now. */
	if (fflush(f->out) != 0 && !f->failed) {
		f->failed = 1;
		snprintf(f->error, sizeof(f->error),
			 "writing the body: %s", strerror(errno));
	}
	if (f->failed) {
		fprintf(stderr, "dpfetch: error: %s\n", f->error);
		return;
	}
	secs = (double)(f->end_us - f->start_us) / 1e6;
	mbit = secs > 0 ? (double)f->parser.body_bytes * 8 / secs / 1e6 : 0;
	fprintf(stderr,
		"dpfetch: HTTP %d, %llu bytes in %.3f s (%.1f Mbit/s), connect %.3f ms, first byte %.3f ms: http://%s:%u%s\n",
		f->parser.status_code,
		(unsigned long long)f->parser.body_bytes, secs, mbit,
		f->connected_us ? (double)(f->connected_us - f->start_us) / 1e3 :
		0, f->first_byte_us ?
		(double)(f->first_byte_us - f->start_us) / 1e3 : 0,
		f->url.host, f->url.port, f->url.path);
	if (f->error[0] != '\0')
		fprintf(stderr, "dpfetch: error: %s\n", f->error);
}

int
http_fetch_exit_code(const struct http_fetch *f)
{
	if (f->failed || !f->response_done)
		return 1;
	return f->parser.status_code >= 200 && f->parser.status_code <= 299 ?
		0 : 1;
}
