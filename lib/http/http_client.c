/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 client connection; the call chain is in http_client.h.
 *
 *   http_client_send -> hcl_write -> tcp_send
 *   tcp_input ... -> hcl_recv -> hcl_parse_one -> http_resp_parse
 *                      -> hcl_response_done -> ops->response
 *                      -> hcl_after_response -> ops->idle
 *                 -> hcl_peer_closed -> http_resp_parse_eof
 *                 -> hcl_closed -> ops->error, ops->release
 *
 * Everything runs on the connection's worker.  The owner's state is
 * reached only through prof->ops (and the two byte counters).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_client.h"
#include "lazy_pool.h"
#include "tcp.h"
#include "worker.h"

static const struct tcp_app_ops hcl_tcp_ops;
static const struct http_resp_callbacks hcl_body_cb;

/* Slot 0 within the block's first line, behind the pool's link, on a
 * line-aligned allocation (worker_heap_alloc). */
_Static_assert(offsetof(struct http_client_busy, slot) +
	       sizeof(struct http_client_slot) <=
	       RTE_CACHE_LINE_SIZE - LAZY_POOL_LINK,
	       "slot 0 leaves the first line");

/* --- the TCP side (the only places that touch c->app) ---------------- */

static struct http_client_conn *
hcl_of(const struct tcp_conn *c)
{
	return tcp_conn_app(c);
}

/* hc's TCP block, or NULL. */
static struct tcp_conn *
hcl_tc(const struct worker *w, const struct http_client_conn *hc)
{
	return hc->tc != 0 ? tcp_conn_by_ref(w, hc->tc) : NULL;
}

/* Lend b to hc (which then finds its profile in b). */
static void
hcl_set_busy(struct http_client_conn *hc, struct http_client_busy *b)
{
	b->prof = http_client_prof(hc);
	hc->pb = (uintptr_t)b | HCL_PB_BUSY;
}

/* Take hc's busy block back: the caller gives it to the pool. */
static void
hcl_clear_busy(struct http_client_conn *hc)
{
	hc->pb = (uintptr_t)http_client_prof(hc);
}

/* TCP no longer points at hc, nor hc at TCP. */
static void
hcl_detach(struct worker *w, struct http_client_conn *hc)
{
	struct tcp_conn *tc = hcl_tc(w, hc);

	if (tc != NULL)
		tcp_conn_set_app(tc, NULL);
	hc->tc = 0;
}

/* What both families' connect set before the SYN. */
static void
hcl_begin(struct http_client_conn *hc, const struct http_client_profile *prof,
	  uint32_t open_lag_us)
{
	hc->pb = (uintptr_t)prof;
	hc->tc = 0;
	hc->open_lag_us = open_lag_us;
	hc->inflight = 0;
	hc->state = HTTP_CLIENT_CONNECTING;
	hc->flags = HTTP_CLIENT_OWED;
}

/* hc's TCP side is tc (NULL: the connect failed): 0 or -1. */
static int
hcl_attach(struct worker *w, struct http_client_conn *hc,
	   struct tcp_conn *tc)
{
	if (tc == NULL)
		return -1;
	hc->tc = tcp_conn_ref(w, tc);
	return 0;
}

int
http_client_connect(struct worker *w, struct http_client_conn *hc,
		    const struct http_client_profile *prof, uint32_t src_ip,
		    uint32_t ip, uint16_t port, uint32_t open_lag_us)
{
	hcl_begin(hc, prof, open_lag_us);
	return hcl_attach(w, hc, tcp_connect(w, src_ip, ip, port,
					     &hcl_tcp_ops, hc));
}

int
http_client_connect6(struct worker *w, struct http_client_conn *hc,
		     const struct http_client_profile *prof,
		     const uint8_t *src6, const uint8_t *ip6, uint16_t port,
		     uint32_t open_lag_us)
{
	hcl_begin(hc, prof, open_lag_us);
	return hcl_attach(w, hc, tcp_connect6(w, src6, ip6, port,
					      &hcl_tcp_ops, hc));
}

void
http_client_close(struct worker *w, struct http_client_conn *hc)
{
	hc->state = HTTP_CLIENT_CLOSING;
	tcp_close(w, hcl_tc(w, hc));
}

void
http_client_abort(struct worker *w, struct http_client_conn *hc, int later)
{
	struct tcp_conn *tc = hcl_tc(w, hc);

	hcl_detach(w, hc);
	if (tc == NULL)
		return;
	if (later)
		tcp_abort_later(w, tc);
	else
		tcp_abort(w, tc);
}

void
http_client_forget(struct worker *w, struct http_client_conn *hc)
{
	struct http_client_busy *b = http_client_busy_of(hc);

	if (b != NULL) {
		hcl_clear_busy(hc);
		lazy_pool_put(http_client_prof(hc)->busy_pool, b);
	}
	hcl_detach(w, hc);
}

uint32_t
http_client_settle(struct http_client_conn *hc)
{
	uint32_t n = hc->inflight +
		((hc->flags & HTTP_CLIENT_OWED) ? 1 : 0);

	hc->inflight = 0;
	hc->flags &= ~HTTP_CLIENT_OWED;
	return n;
}

uint16_t
http_client_url(const struct http_client_conn *hc)
{
	const struct http_client_busy *b = http_client_busy_of(hc);

	return b != NULL ? b->tx_url : 0;
}

uint16_t
http_client_url_at(const struct http_client_conn *hc, unsigned int i)
{
	const struct http_client_busy *b = http_client_busy_of(hc);

	return b != NULL && i < hc->inflight ?
		b->slot[(b->oldest + i) % HTTP_CLIENT_PIPELINE_MAX].url : 0;
}

/* --- requests -------------------------------------------------------- */

/* Hand the request being written to TCP, as far as it takes it. */
static void
hcl_write(struct worker *w, struct http_client_conn *hc)
{
	const struct http_client_profile *pr = http_client_prof(hc);
	struct http_client_busy *b = http_client_busy_of(hc);
	const char *head;
	uint64_t head_len, body_len = pr->body_len, total;

	if (pr->render != NULL) {
		/* Head and body together, the same bytes each time. */
		head = pr->render_buf;
		head_len = pr->render(pr->render_arg, b->tx_url, b->tx_close,
				      b->tx_seq, pr->render_buf,
				      pr->render_cap);
		body_len = 0;
	} else {
		head = b->tx_close ? pr->head_close[b->tx_url] :
			pr->head[b->tx_url];
		head_len = b->tx_close ? pr->head_close_len[b->tx_url] :
			pr->head_len[b->tx_url];
	}
	total = head_len + body_len;

	while (b->tx_off < total) {
		const uint8_t *p;
		uint32_t want, n;

		if (b->tx_off < head_len) {
			p = (const uint8_t *)head + b->tx_off;
			want = (uint32_t)(head_len - b->tx_off);
		} else {
			uint64_t left = total - b->tx_off;

			p = pr->body + (b->tx_off - head_len);
			want = left > (1u << 20) ? (1u << 20) : (uint32_t)left;
		}
		/* A whole head of the profile's, which lives as long as
		 * its connections, by reference; a rendered one (rewritten
		 * for every request) and bodies are copied, and so are
		 * pipelined requests (the next one, queued behind, would
		 * copy this one anyway). */
		if (b->tx_off == 0 && want == total && pr->render == NULL &&
		    pr->pipeline <= 1)
			n = tcp_send_ref_summed(w, hcl_tc(w, hc), p, want,
						b->tx_close ?
						pr->head_close_sum[b->tx_url] :
						pr->head_sum[b->tx_url]);
		else
			n = tcp_send(w, hcl_tc(w, hc), p, want);
		b->tx_off += n;
		*pr->bytes_tx += n;
		if (n < want)
			break;	/* send buffer full: hcl_sent resumes */
	}
	if (b->tx_off == total)
		hc->flags &= ~HTTP_CLIENT_WRITING;
	else
		hc->flags |= HTTP_CLIENT_WRITING;
}

int
http_client_can_send(const struct http_client_conn *hc)
{
	const struct http_client_profile *pr = http_client_prof(hc);

	return hc->state == HTTP_CLIENT_OPEN &&
		!(hc->flags & (HTTP_CLIENT_WRITING | HTTP_CLIENT_LAST)) &&
		hc->inflight < pr->pipeline &&
		(pr->requests_per_connection == 0 ||
		 hc->sent < pr->requests_per_connection);
}

/* For the oldest outstanding request (its slot's url is set). */
static void
hcl_parser_reset(struct http_client_busy *b,
		 const struct http_client_profile *pr)
{
	http_resp_parser_init(&b->parser, pr->out != NULL ? &hcl_body_cb :
			      NULL, pr->out, pr->head_of != NULL ?
			      pr->head_of[b->slot[b->oldest].url] :
			      pr->head_request);
	http_resp_parser_set_memo(&b->parser, pr->resp_memo);
	b->first_byte_us = 0;
}

int
http_client_send(struct worker *w, struct http_client_conn *hc,
		 uint16_t url, uint64_t intended_us)
{
	const struct http_client_profile *pr = http_client_prof(hc);
	struct http_client_busy *b = http_client_busy_of(hc);
	struct http_client_slot *slot;

	/* Keep the packet buffers RX needs: a load generator that takes
	 * them all cannot even receive the ACKs that would free them. */
	if (w->mbufs_low || w->tx_held_back)
		return HTTP_CLIENT_NOT_NOW;
	if (b == NULL) {
		b = lazy_pool_get(pr->busy_pool);
		if (b == NULL)
			return HTTP_CLIENT_NO_PARSER;
		hcl_set_busy(hc, b);
		b->oldest = 0;
		b->slot[0].url = (uint8_t)url;
		hcl_parser_reset(b, pr);
	}
	hc->flags &= ~HTTP_CLIENT_OWED;
	slot = &b->slot[(b->oldest + hc->inflight) % HTTP_CLIENT_PIPELINE_MAX];
	slot->url = (uint8_t)url;
	if (pr->render != NULL)
		b->tx_seq = (*pr->render_seq)++;
	slot->sent_us = w->now_us;
	slot->lag_us = intended_us >= w->now_us ? 0 :
		w->now_us - intended_us > UINT32_MAX ? UINT32_MAX :
		(uint32_t)(w->now_us - intended_us);
	b->tx_off = 0;
	b->tx_url = url;
	hc->sent++;
	/* The last request this connection will make says so. */
	b->tx_close = pr->requests_per_connection != 0 &&
		hc->sent == pr->requests_per_connection;
	if (b->tx_close)
		hc->flags |= HTTP_CLIENT_LAST;
	hc->inflight++;
	w->stats.http.requests++;
	hcl_write(w, hc);
	return 0;
}

/* --- responses ------------------------------------------------------- */

static int
hcl_on_body(void *arg, const uint8_t *data, size_t len)
{
	FILE *out = arg;

	return fwrite(data, 1, len, out) == len ? 0 : -1;
}

static const struct http_resp_callbacks hcl_body_cb = {
	.body = hcl_on_body,
};

static void
hcl_count(struct worker *w, int code, uint64_t body_bytes)
{
	w->stats.http.responses++;
	w->stats.http.body_bytes += body_bytes;
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
}

/* The oldest outstanding request has its response: tell the owner, and
 * give the parser back once nothing is outstanding. */
static void
hcl_response_done(struct worker *w, struct http_client_conn *hc)
{
	const struct http_client_profile *pr = http_client_prof(hc);
	struct http_client_busy *b = http_client_busy_of(hc);
	struct http_client_response r;

	r.status = b->parser.status_code;
	r.body_bytes = b->parser.body_bytes;
	r.sent_us = b->slot[b->oldest].sent_us;
	r.intended_us = r.sent_us - b->slot[b->oldest].lag_us;
	r.first_byte_us = b->first_byte_us ? b->first_byte_us : w->now_us;
	r.url = b->slot[b->oldest].url;
	hcl_count(w, r.status, r.body_bytes);
	hc->inflight--;
	b->oldest = (uint16_t)((b->oldest + 1) % HTTP_CLIENT_PIPELINE_MAX);
	/* A block given back gets its parser ready when it is taken again
	 * (http_client_send): once per request, not twice. */
	if (hc->inflight == 0 && !(hc->flags & HTTP_CLIENT_WRITING)) {
		hcl_clear_busy(hc);
		lazy_pool_put(pr->busy_pool, b);
	} else {
		hcl_parser_reset(b, pr);
	}
	pr->ops->response(w, hc, &r);
}

/* After a response: may the connection carry another?  The owner says
 * whether it wants one. */
static void
hcl_after_response(struct worker *w, struct http_client_conn *hc,
		   int keep_alive)
{
	int reuse;

	if (hc->inflight > 0 || (hc->flags & HTTP_CLIENT_WRITING))
		return;
	reuse = keep_alive && !(hc->flags & HTTP_CLIENT_LAST) &&
		http_client_can_send(hc);
	http_client_prof(hc)->ops->idle(w, hc, reuse);
}

/* An error on hc from a TCP callback: the owner counts it, TCP lets go
 * later, the owner frees hc. */
static void
hcl_fail(struct worker *w, struct http_client_conn *hc,
	 enum http_client_error e, uint32_t arg)
{
	const struct http_client_ops *ops = http_client_prof(hc)->ops;

	ops->error(w, hc, e, arg);
	http_client_abort(w, hc, 1);
	ops->release(w, hc);
}

static void
hcl_parse_failed(struct worker *w, struct http_client_conn *hc)
{
	w->stats.http.parse_errors++;
	/* No parse error: the body callback failed (errno says why). */
	hcl_fail(w, hc, http_client_busy_of(hc)->parser.error == HTTP_ERR_NONE ?
		 HTTP_CLIENT_ERR_WRITE : HTTP_CLIENT_ERR_PARSE, 0);
}

/* Parse data for the oldest outstanding request; *used: bytes taken.
 * 1 when the rest of data may hold the next response, 0 when hc is
 * done with this segment (more needed, failed, closing). */
static int
hcl_parse_one(struct worker *w, struct http_client_conn *hc,
	      const uint8_t *data, uint32_t len, size_t *used)
{
	struct http_client_busy *b = http_client_busy_of(hc);
	enum http_parse_status st;
	int keep;

	if (hc->inflight == 0 || b == NULL) {
		/* Bytes nobody asked for. */
		w->stats.http.parse_errors++;
		hcl_fail(w, hc, HTTP_CLIENT_ERR_UNSOLICITED, len);
		return 0;
	}
	if (b->first_byte_us == 0)
		b->first_byte_us = w->now_us;
	st = http_resp_parse(&b->parser, data, len, used);
	if (st == HTTP_PARSE_ERROR) {
		hcl_parse_failed(w, hc);
		return 0;
	}
	if (st == HTTP_PARSE_AGAIN) {
		http_client_prof(hc)->ops->progress(w, hc);
		return 0;
	}
	keep = b->parser.keep_alive;
	hcl_response_done(w, hc);
	hcl_after_response(w, hc, keep);
	/* Closing: the rest would be for no request. */
	return hc->state != HTTP_CLIENT_CLOSING;
}

/* --- TCP callbacks --------------------------------------------------- */

static void
hcl_connected(struct worker *w, struct tcp_conn *c)
{
	struct http_client_conn *hc = hcl_of(c);
	uint32_t lag;

	if (hc == NULL)
		return;
	lag = hc->open_lag_us;
	hc->sent = 0;
	hc->state = HTTP_CLIENT_OPEN;
	http_client_prof(hc)->ops->connected(w, hc, lag);
}

static void
hcl_sent(struct worker *w, struct tcp_conn *c)
{
	struct http_client_conn *hc = hcl_of(c);

	if (hc == NULL || !(hc->flags & HTTP_CLIENT_WRITING))
		return;
	hcl_write(w, hc);
	if (!(hc->flags & HTTP_CLIENT_WRITING) && http_client_can_send(hc))
		http_client_prof(hc)->ops->writable(w, hc);
}

static void
hcl_recv(struct worker *w, struct tcp_conn *c, const uint8_t *data,
	 uint32_t len)
{
	struct http_client_conn *hc = hcl_of(c);
	const struct http_client_profile *pr;

	if (hc == NULL)
		return;
	pr = http_client_prof(hc);
	*pr->bytes_rx += len;
	if (unlikely(pr->trace_rx != NULL))
		pr->trace_rx(pr->trace_arg, data, len);
	/* After our last response we closed our side; what the server
	 * still sends (RFC 9293 lets it) is acknowledged by TCP and
	 * ignored here. */
	if (hc->state == HTTP_CLIENT_CLOSING && hc->inflight == 0)
		return;
	while (len > 0) {
		size_t used = 0;

		if (!hcl_parse_one(w, hc, data, len, &used))
			return;
		data += used;
		len -= (uint32_t)used;
	}
}

static void
hcl_peer_closed(struct worker *w, struct tcp_conn *c)
{
	struct http_client_conn *hc = hcl_of(c);
	const struct http_client_ops *ops;

	if (hc == NULL) {
		tcp_close(w, c);
		return;
	}
	ops = http_client_prof(hc)->ops;
	if (hc->inflight > 0 && http_client_busy_of(hc) != NULL) {
		if (http_resp_parse_eof(&http_client_busy_of(hc)->parser) ==
		    HTTP_PARSE_DONE) {
			/* A body delimited by the close. */
			hcl_response_done(w, hc);
		} else {
			w->stats.http.parse_errors++;
			ops->error(w, hc, HTTP_CLIENT_ERR_EOF, 0);
		}
	}
	/* Whatever is left outstanding can never be answered now. */
	if (hc->inflight > 0)
		ops->error(w, hc, HTTP_CLIENT_ERR_ABANDONED, 0);
	ops->ending(w, hc);
	http_client_close(w, hc);
}

static enum http_client_error
hcl_close_error(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return HTTP_CLIENT_ERR_REFUSED;
	case ECONNRESET:
		return HTTP_CLIENT_ERR_RESET;
	case ETIMEDOUT:
		return HTTP_CLIENT_ERR_TIMEOUT;
	default:
		return HTTP_CLIENT_ERR_CLOSED;
	}
}

static void
hcl_closed(struct worker *w, struct tcp_conn *c, int err)
{
	struct http_client_conn *hc = hcl_of(c);
	const struct http_client_ops *ops;

	if (hc == NULL)
		return;
	ops = http_client_prof(hc)->ops;
	hcl_detach(w, hc);
	/* Orderly, or nothing was owed: not an error.  A reset always
	 * is: servers close idle connections with FIN. */
	if (err != 0 && (err == ECONNRESET || hc->inflight > 0 ||
			 (hc->flags & HTTP_CLIENT_OWED) ||
			 hc->state == HTTP_CLIENT_CONNECTING))
		ops->error(w, hc, hcl_close_error(err), 0);
	ops->release(w, hc);
}

static const struct tcp_app_ops hcl_tcp_ops = {
	.connected = hcl_connected,
	.sent = hcl_sent,
	.recv = hcl_recv,
	.peer_closed = hcl_peer_closed,
	.closed = hcl_closed,
};

/* --- in words -------------------------------------------------------- */

static void
hcl_eof_text(const struct http_client_conn *hc, const struct url *u,
	     char *buf, size_t len)
{
	const struct http_resp_parser *p = &http_client_busy_of(hc)->parser;

	if (p->status_code == 0)
		snprintf(buf, len, "the server closed the connection without a response (%s:%u)",
			 u->host, u->port);
	else if (p->body_kind == HTTP_BODY_LENGTH)
		snprintf(buf, len, "the server closed the connection after %llu of %llu body bytes",
			 (unsigned long long)p->body_bytes,
			 (unsigned long long)p->content_length);
	else
		snprintf(buf, len, "the server closed the connection before the response was complete (%s)",
			 http_parse_strerror(p->error));
}

static void
hcl_close_text(const struct http_client_conn *hc, enum http_client_error e,
	       const struct url *u, char *buf, size_t len)
{
	char addr[URL_MAX_HOST + 8];

	snprintf(addr, sizeof(addr), "%s:%u", u->host, u->port);
	if (e == HTTP_CLIENT_ERR_REFUSED)
		snprintf(buf, len, "connection refused by %s (RST)", addr);
	else if (e == HTTP_CLIENT_ERR_RESET)
		snprintf(buf, len, "connection reset by %s (RST) after %llu bytes",
			 addr, (unsigned long long)*http_client_prof(hc)->bytes_rx);
	else if (e == HTTP_CLIENT_ERR_TIMEOUT)
		snprintf(buf, len, hc->state == HTTP_CLIENT_CONNECTING ?
			 "connection to %s timed out (no answer to SYN)" :
			 "connection to %s timed out (retransmissions unanswered)",
			 addr);
	else
		snprintf(buf, len, "connection to %s closed before the response",
			 addr);
}

void
http_client_strerror(const struct http_client_conn *hc,
		     enum http_client_error e, uint32_t arg, char *buf,
		     size_t len)
{
	const struct url *u = &http_client_prof(hc)->urls[http_client_url(hc)];
	const struct http_resp_parser *p;

	switch (e) {
	case HTTP_CLIENT_ERR_UNSOLICITED:
		snprintf(buf, len, "the server sent %u bytes with no request outstanding",
			 arg);
		return;
	case HTTP_CLIENT_ERR_PARSE:
		p = &http_client_busy_of(hc)->parser;
		snprintf(buf, len, "bad HTTP response at byte %llu: %s",
			 (unsigned long long)p->error_offset,
			 http_parse_strerror(p->error));
		return;
	case HTTP_CLIENT_ERR_WRITE:
		snprintf(buf, len, "cannot write the body: %s",
			 strerror(errno));
		return;
	case HTTP_CLIENT_ERR_EOF:
		hcl_eof_text(hc, u, buf, len);
		return;
	case HTTP_CLIENT_ERR_ABANDONED:
		return;	/* the error before it explains */
	default:
		hcl_close_text(hc, e, u, buf, len);
		return;
	}
}

/* --- request heads --------------------------------------------------- */

static int
has_header(char *const *headers, unsigned int n_headers, const char *name)
{
	size_t n = strlen(name);
	unsigned int i;

	for (i = 0; i < n_headers; i++)
		if (strncasecmp(headers[i], name, n) == 0 &&
		    headers[i][n] == ':')
			return 1;
	return 0;
}

char *
http_client_request_head(const char *method, const struct url *u,
			 char *const *headers, unsigned int n_headers,
			 int has_body, uint64_t body_len, int close,
			 uint32_t *len)
{
	size_t cap = 512 + strlen(u->path) + strlen(u->host);
	unsigned int i;
	size_t n = 0;
	char *h;
	int rc;

	for (i = 0; i < n_headers; i++)
		cap += strlen(headers[i]) + 2;
	h = malloc(cap);
	if (h == NULL)
		return NULL;
#define APPEND(...) do { \
		rc = snprintf(h + n, cap - n, __VA_ARGS__); \
		if (rc < 0 || (size_t)rc >= cap - n) \
			goto full; \
		n += (size_t)rc; \
	} while (0)
	APPEND("%s %s HTTP/1.1\r\n", method, u->path);
	if (!has_header(headers, n_headers, "Host")) {
		if (u->port_given)
			APPEND("Host: %s:%u\r\n", u->host, u->port);
		else
			APPEND("Host: %s\r\n", u->host);
	}
	if (!has_header(headers, n_headers, "User-Agent"))
		APPEND("User-Agent: dpfetch/%s\r\n", DPF_VERSION);
	if (!has_header(headers, n_headers, "Accept"))
		APPEND("Accept: */*\r\n");
	/* A body is framed by its length; so is an empty POST or PUT. */
	if (!has_header(headers, n_headers, "Content-Length") &&
	    (has_body || strcmp(method, "POST") == 0 ||
	     strcmp(method, "PUT") == 0))
		APPEND("Content-Length: %llu\r\n",
		       (unsigned long long)body_len);
	for (i = 0; i < n_headers; i++)
		APPEND("%s\r\n", headers[i]);
	/* RFC 9112 9.6: say so when this is the connection's last request,
	 * so that the server closes first and keeps the TIME_WAIT. */
	if (close && !has_header(headers, n_headers, "Connection"))
		APPEND("Connection: close\r\n");
	APPEND("\r\n");
#undef APPEND
	if (n > HTTP_REQUEST_MAX) {
		free(h);
		return NULL;
	}
	*len = (uint32_t)n;
	return h;
full:
	free(h);
	return NULL;
}
