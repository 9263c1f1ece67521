/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 client side of fetch jobs; see http_client.h for the call
 * chain.  Everything here runs on the share's own worker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "arp.h"
#include "config.h"
#include "http_client.h"
#include "http_parse.h"
#include "ipv4.h"
#include "job.h"
#include "tcp.h"
#include "worker.h"
#include "url.h"

/* How long the end of a job waits for connections to close: a base,
 * and time for each connection's FIN exchange. */
#define DRAIN_US		(2 * 1000 * 1000)
#define DRAIN_PER_CONN_US	10
#define DRAIN_BURST		256
/* Response parsers (8 KiB each) one lcore may hold at once. */
#define HC_PARSERS_MAX		65536u
/* Source addresses announced by ARP when a job starts. */
#define ANNOUNCE_MAX		1024
/* New connections per share per loop iteration when not paced. */
#define OPEN_BURST		64
/* After running out of ports or blocks, wait this long before trying. */
#define LOCAL_RETRY_US		10000
/* Token buckets hold at most this much time's worth: smooth pacing
 * that still catches up after the loop was held up briefly. */
#define PACE_BURST_US		10000

enum share_phase {
	SHARE_RESOLVING,	/* ARP for the next hops */
	SHARE_RUNNING,
	SHARE_DRAINING,		/* closing its connections */
	SHARE_DONE,
};

enum hc_state {
	HC_CONNECTING,
	HC_OPEN,
	HC_CLOSING,		/* we closed; waiting for TCP to finish */
};

#define HC_IN_Q		0x01	/* on connect_fifo or response_fifo */
#define HC_IN_READY	0x02
#define HC_WRITING	0x04	/* a request is partly handed to TCP */
#define HC_RESERVED	0x08	/* holds a request taken from the quota */
#define HC_LAST		0x10	/* sent its last request */

/* While requests are outstanding. */
struct hc_busy {
	struct http_resp_parser parser;
	uint64_t sent_us[JOB_PIPELINE_MAX];	/* of outstanding requests */
	uint64_t first_byte_us;		/* of the response being read */
	uint64_t tx_off;		/* of the request being written */
	uint16_t oldest;		/* index of sent_us of the first */
	uint16_t tx_url;
	uint8_t tx_close;		/* head with Connection: close */
};

struct hc_conn {
	struct job_share *share;
	struct tcp_conn *tc;
	struct hc_busy *busy;
	TAILQ_ENTRY(hc_conn) all;
	TAILQ_ENTRY(hc_conn) q;		/* connect_fifo or response_fifo */
	TAILQ_ENTRY(hc_conn) rq;	/* ready */
	/* Connect or response deadline; while connecting it also tells
	 * when the SYN went (deadline - connect_timeout_ms). */
	uint64_t deadline_us;
	uint32_t sent;			/* requests written */
	uint16_t inflight;
	uint8_t state;
	uint8_t flags;
};

static const struct tcp_app_ops hc_tcp_ops;
static const struct http_resp_callbacks hc_body_cb;

/* --- memory ------------------------------------------------------- */

static int
hc_pool_ready(struct worker *w)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	uint64_t used;

	if (w->hc_pool != NULL)
		return 0;
	/* Response parsers: only as many as requests outstanding at once,
	 * and never more than HC_PARSERS_MAX (then requests wait). */
	lazy_pool_init(&w->hc_busy_pool, sizeof(struct hc_busy),
		       RTE_MIN(w->cfg->max_conns, HC_PARSERS_MAX),
		       worker_heap_alloc, worker_heap_free,
		       (void *)(uintptr_t)rte_lcore_to_socket_id(w->lcore_id));
	used = worker_heap_used(w);
	snprintf(name, sizeof(name), "hc_conn_%u", w->lcore_id);
	w->hc_pool = worker_state_pool(w, name, w->cfg->max_conns,
				       sizeof(struct hc_conn));
	if (w->hc_pool == NULL)
		return -1;
	w->conn_mem_bytes += worker_heap_used(w) - used;
	return 0;
}

static struct hc_busy *
busy_get(struct worker *w)
{
	return lazy_pool_get(&w->hc_busy_pool);
}

static void
busy_put(struct worker *w, struct hc_busy *b)
{
	lazy_pool_put(&w->hc_busy_pool, b);
}

void
hc_worker_fini(struct worker *w)
{
	if (w->hc_pool == NULL)
		return;
	lazy_pool_fini(&w->hc_busy_pool);
	rte_mempool_free(w->hc_pool);
	w->hc_pool = NULL;
}

/* --- bookkeeping --------------------------------------------------- */

static void
share_note(struct job_share *s, const char *fmt, ...)
{
	va_list ap;

	if (s->error[0] != '\0')
		return;	/* the first error is the one that explains */
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

static void
q_remove(struct job_share *s, struct hc_conn *h)
{
	if (!(h->flags & HC_IN_Q))
		return;
	if (h->state == HC_CONNECTING)
		TAILQ_REMOVE(&s->connect_fifo, h, q);
	else
		TAILQ_REMOVE(&s->response_fifo, h, q);
	h->flags &= ~HC_IN_Q;
}

static void
ready_remove(struct job_share *s, struct hc_conn *h)
{
	if (h->flags & HC_IN_READY) {
		TAILQ_REMOVE(&s->ready, h, rq);
		h->flags &= ~HC_IN_READY;
	}
}

static void
ready_add(struct job_share *s, struct hc_conn *h)
{
	if (!(h->flags & HC_IN_READY)) {
		TAILQ_INSERT_TAIL(&s->ready, h, rq);
		h->flags |= HC_IN_READY;
	}
}

/* (Re)start the response clock: to the tail, deadline from now. */
static void
response_clock(struct worker *w, struct job_share *s, struct hc_conn *h)
{
	q_remove(s, h);
	h->deadline_us = w->now_us +
		(uint64_t)s->job->p.response_timeout_ms * 1000;
	TAILQ_INSERT_TAIL(&s->response_fifo, h, q);
	h->flags |= HC_IN_Q;
}

/* Forget h: the TCP side is gone or no longer points at it. */
static void
hc_free(struct worker *w, struct hc_conn *h)
{
	struct job_share *s = h->share;

	q_remove(s, h);
	ready_remove(s, h);
	TAILQ_REMOVE(&s->all, h, all);
	if (h->state == HC_CONNECTING)
		s->n_connecting--;
	if (h->busy != NULL)
		busy_put(w, h->busy);
	s->n_open--;
	s->cnt.conns_closed++;
	if (h->tc != NULL)
		tcp_conn_set_app(h->tc, NULL);
	rte_mempool_put(w->hc_pool, h);
}

/* The requests h still owes count as failed (or cancelled). */
static void
hc_settle(struct job_share *s, struct hc_conn *h, int cancelled)
{
	uint64_t n = h->inflight + ((h->flags & HC_RESERVED) ? 1 : 0);

	if (cancelled)
		s->cnt.requests_cancelled += n;
	else
		s->cnt.requests_failed += n;
	s->req_finished += n;
	h->inflight = 0;
	h->flags &= ~HC_RESERVED;
}

/* An error on h: count it, settle its requests, and drop the TCP side
 * (from a callback only later, when TCP no longer uses it). */
static void
hc_fail(struct worker *w, struct hc_conn *h, enum job_error kind,
	int in_callback)
{
	struct job_share *s = h->share;
	struct tcp_conn *tc = h->tc;

	s->cnt.errors[kind]++;
	hc_settle(s, h, 0);
	h->tc = NULL;
	if (tc != NULL) {
		tcp_conn_set_app(tc, NULL);
		if (in_callback)
			tcp_abort_later(w, tc);
		else
			tcp_abort(w, tc);
	}
	hc_free(w, h);
}

static const struct url *
hc_url(const struct job_share *s, unsigned int i)
{
	return &s->job->p.urls[i];
}

/* --- requests ------------------------------------------------------- */

static int
share_accepting(const struct job_share *s)
{
	return s->phase == SHARE_RUNNING;
}

/* Take one request from the quota; 0 if it is used up. */
static int
quota_take(struct job_share *s)
{
	if (s->req_quota != 0 && s->req_reserved >= s->req_quota)
		return 0;
	s->req_reserved++;
	return 1;
}

/* Hand the request being written to TCP, as far as it takes it. */
static void
hc_write(struct worker *w, struct hc_conn *h)
{
	struct job_share *s = h->share;
	const struct job *job = s->job;
	struct hc_busy *b = h->busy;
	const char *head = b->tx_close ? job->req_head_close[b->tx_url] :
		job->req_head[b->tx_url];
	uint64_t head_len = b->tx_close ? job->req_head_close_len[b->tx_url] :
		job->req_head_len[b->tx_url];
	uint64_t total = head_len + job->p.body_len;

	while (b->tx_off < total) {
		const uint8_t *p;
		uint32_t want, n;

		if (b->tx_off < head_len) {
			p = (const uint8_t *)head + b->tx_off;
			want = (uint32_t)(head_len - b->tx_off);
		} else {
			uint64_t left = total - b->tx_off;

			p = job->p.body + (b->tx_off - head_len);
			want = left > (1u << 20) ? (1u << 20) : (uint32_t)left;
		}
		n = tcp_send(w, h->tc, p, want);
		b->tx_off += n;
		s->cnt.bytes_tx += n;
		if (n < want)
			break;	/* send buffer full: hc_sent resumes */
	}
	if (b->tx_off == total)
		h->flags &= ~HC_WRITING;
	else
		h->flags |= HC_WRITING;
}

/* Whether h could send another request now (quota aside). */
static int
hc_can_send(const struct job_share *s, const struct hc_conn *h)
{
	const struct job_params *p = &s->job->p;

	return h->state == HC_OPEN && !(h->flags & (HC_WRITING | HC_LAST)) &&
		h->inflight < p->pipeline &&
		(p->requests_per_connection == 0 ||
		 h->sent < p->requests_per_connection);
}

/*
 * Send one request on h.  0 on success; 1 when not now (packet buffers
 * or parsers are short: h is untouched and stays ready); -1 when h
 * failed (freed).
 */
static int
hc_send(struct worker *w, struct hc_conn *h)
{
	struct job_share *s = h->share;
	const struct job_params *p = &s->job->p;
	struct hc_busy *b = h->busy;
	uint16_t slot;

	/* Keep the packet buffers RX needs: a load generator that takes
	 * them all cannot even receive the ACKs that would free them. */
	if (w->mbufs_low || w->tx_held_back)
		return 1;
	if (b == NULL) {
		b = busy_get(w);
		if (b == NULL) {
			s->parser_waits++;
			return 1;
		}
		h->busy = b;
		http_resp_parser_init(&b->parser,
				      p->out != NULL ? &hc_body_cb : NULL,
				      p->out, s->job->head_request);
		b->first_byte_us = 0;
		b->oldest = 0;
	}
	if (h->flags & HC_RESERVED)
		h->flags &= ~HC_RESERVED;
	slot = (uint16_t)((b->oldest + h->inflight) % JOB_PIPELINE_MAX);
	b->sent_us[slot] = w->now_us;
	b->tx_off = 0;
	b->tx_url = (uint16_t)s->next_url;
	s->next_url = (s->next_url + 1) % p->n_urls;
	h->sent++;
	/* The last request this connection will make says so. */
	b->tx_close = p->requests_per_connection != 0 &&
		h->sent == p->requests_per_connection;
	if (b->tx_close)
		h->flags |= HC_LAST;
	if (h->inflight == 0)
		response_clock(w, s, h);
	h->inflight++;
	s->cnt.requests_sent++;
	w->stats.http.requests++;
	hc_write(w, h);
	return 0;
}

static void
share_tokens(struct worker *w, struct job_share *s)
{
	double dt = (double)(w->now_us - s->last_token_us);

	s->last_token_us = w->now_us;
	if (s->cps > 0) {
		s->cps_tokens += dt * s->cps / 1e6;
		if (s->cps_tokens > 1 + s->cps * PACE_BURST_US / 1e6)
			s->cps_tokens = 1 + s->cps * PACE_BURST_US / 1e6;
	}
	if (s->rps > 0) {
		s->rps_tokens += dt * s->rps / 1e6;
		if (s->rps_tokens > 1 + s->rps * PACE_BURST_US / 1e6)
			s->rps_tokens = 1 + s->rps * PACE_BURST_US / 1e6;
	}
}

/* Send requests on connections that may, as pacing and quota allow;
 * the connections that can no longer send are closed. */
static void
share_send_ready(struct worker *w, struct job_share *s)
{
	struct hc_conn *h;
	int took, rc;

	while ((h = TAILQ_FIRST(&s->ready)) != NULL) {
		if (!hc_can_send(s, h)) {
			ready_remove(s, h);
			continue;
		}
		if (s->rps > 0 && s->rps_tokens < 1)
			return;
		took = 0;
		if (!(h->flags & HC_RESERVED)) {
			took = quota_take(s);
			if (!took) {
				/* Quota used up: idle connections have no
				 * future, unless the job runs for a time
				 * (they are held open until it ends). */
				ready_remove(s, h);
				if (h->inflight == 0 &&
				    s->job->p.duration_s == 0) {
					h->state = HC_CLOSING;
					tcp_close(w, h->tc);
				}
				continue;
			}
		}
		rc = hc_send(w, h);
		if (rc > 0) {
			/* Short of buffers: it waits at the head. */
			if (took)
				s->req_reserved--;
			return;
		}
		if (rc < 0)
			continue;
		if (s->rps > 0)
			s->rps_tokens -= 1;
		if (!hc_can_send(s, h))
			ready_remove(s, h);
	}
}

/* --- TCP callbacks ------------------------------------------------- */

static void
hc_connected(struct worker *w, struct tcp_conn *c)
{
	struct hc_conn *h = tcp_conn_app(c);
	struct job_share *s;

	if (h == NULL)
		return;
	s = h->share;
	q_remove(s, h);
	h->state = HC_OPEN;
	s->n_connecting--;
	s->cnt.conns_established++;
	hist_record(&s->lat_connect, w->now_us - (h->deadline_us -
		(uint64_t)s->job->p.connect_timeout_ms * 1000));
	if (!share_accepting(s)) {
		hc_settle(s, h, 1);
		h->state = HC_CLOSING;
		tcp_close(w, c);
		return;
	}
	ready_add(s, h);
	/* Send at once if pacing allows; else the poll loop will. */
	if (s->rps == 0 || s->rps_tokens >= 1) {
		int rc = hc_send(w, h);

		if (rc == 0 && s->rps > 0)
			s->rps_tokens -= 1;
		if (rc == 0 && !hc_can_send(s, h))
			ready_remove(s, h);
	}
}

static void
hc_sent(struct worker *w, struct tcp_conn *c)
{
	struct hc_conn *h = tcp_conn_app(c);

	if (h != NULL && (h->flags & HC_WRITING)) {
		hc_write(w, h);
		if (!(h->flags & HC_WRITING) && hc_can_send(h->share, h))
			ready_add(h->share, h);
	}
}

static int
hc_on_body(void *arg, const uint8_t *data, size_t len)
{
	FILE *out = arg;

	return fwrite(data, 1, len, out) == len ? 0 : -1;
}

static const struct http_resp_callbacks hc_body_cb = {
	.body = hc_on_body,
};

static void
hc_response_done(struct worker *w, struct hc_conn *h)
{
	struct job_share *s = h->share;
	struct hc_busy *b = h->busy;
	int code = b->parser.status_code;
	uint64_t sent = b->sent_us[b->oldest];

	s->cnt.responses++;
	s->cnt.body_bytes += b->parser.body_bytes;
	if (code >= 0 && code < JOB_STATUS_CODES)
		s->cnt.status[code]++;
	w->stats.http.responses++;
	w->stats.http.body_bytes += b->parser.body_bytes;
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
	hist_record(&s->lat_ttfb, (b->first_byte_us ? b->first_byte_us :
				   w->now_us) - sent);
	hist_record(&s->lat_total, w->now_us - sent);
	hist_record(&s->sec_total[s->n_samples % JOB_SEC_RING],
		    w->now_us - sent);
	h->inflight--;
	s->req_finished++;
	b->oldest = (uint16_t)((b->oldest + 1) % JOB_PIPELINE_MAX);
	b->first_byte_us = 0;
	http_resp_parser_init(&b->parser,
			      s->job->p.out != NULL ? &hc_body_cb : NULL,
			      s->job->p.out, s->job->head_request);
	if (h->inflight > 0) {
		response_clock(w, s, h);
		return;
	}
	q_remove(s, h);
	if (!(h->flags & HC_WRITING)) {
		h->busy = NULL;
		busy_put(w, b);
	}
}

/* After a response: keep the connection for more, or close it. */
static void
hc_after_response(struct worker *w, struct hc_conn *h, int keep_alive)
{
	struct job_share *s = h->share;

	if (h->inflight > 0 || (h->flags & HC_WRITING))
		return;
	if (!keep_alive || (h->flags & HC_LAST) || !share_accepting(s) ||
	    !hc_can_send(s, h)) {
		ready_remove(s, h);
		h->state = HC_CLOSING;
		tcp_close(w, h->tc);
		return;
	}
	ready_add(s, h);
}

static void
hc_parse_failed(struct worker *w, struct hc_conn *h)
{
	struct job_share *s = h->share;
	struct hc_busy *b = h->busy;

	w->stats.http.parse_errors++;
	if (b->parser.error == HTTP_ERR_NONE) {
		share_note(s, "cannot write the body: %s", strerror(errno));
		hc_fail(w, h, JOB_ERR_WRITE, 1);
		return;
	}
	share_note(s, "bad HTTP response at byte %llu: %s",
		   (unsigned long long)b->parser.error_offset,
		   http_parse_strerror(b->parser.error));
	hc_fail(w, h, JOB_ERR_PARSE, 1);
}

static void
hc_recv(struct worker *w, struct tcp_conn *c, const uint8_t *data,
	uint32_t len)
{
	struct hc_conn *h = tcp_conn_app(c);
	struct job_share *s;

	if (h == NULL)
		return;
	s = h->share;
	s->cnt.bytes_rx += len;
	/* After our last response we closed our side; what the server
	 * still sends (RFC 9293 lets it) is acknowledged by TCP and
	 * ignored here. */
	if (h->state == HC_CLOSING && h->inflight == 0)
		return;
	while (len > 0) {
		struct hc_busy *b = h->busy;
		enum http_parse_status st;
		size_t used = 0;
		int keep;

		if (h->inflight == 0 || b == NULL) {
			/* Bytes nobody asked for. */
			w->stats.http.parse_errors++;
			share_note(s, "the server sent %u bytes with no request outstanding",
				   len);
			hc_fail(w, h, JOB_ERR_PARSE, 1);
			return;
		}
		if (b->first_byte_us == 0)
			b->first_byte_us = w->now_us;
		st = http_resp_parse(&b->parser, data, len, &used);
		if (st == HTTP_PARSE_ERROR) {
			hc_parse_failed(w, h);
			return;
		}
		if (st == HTTP_PARSE_AGAIN) {
			response_clock(w, s, h);
			return;
		}
		keep = b->parser.keep_alive;
		hc_response_done(w, h);
		data += used;
		len -= (uint32_t)used;
		hc_after_response(w, h, keep);
		if (h->state == HC_CLOSING)
			return;	/* the rest would be for no request */
	}
}

static void
hc_peer_closed(struct worker *w, struct tcp_conn *c)
{
	struct hc_conn *h = tcp_conn_app(c);
	struct job_share *s;
	struct hc_busy *b;

	if (h == NULL) {
		tcp_close(w, c);
		return;
	}
	s = h->share;
	b = h->busy;
	if (h->inflight > 0 && b != NULL) {
		if (http_resp_parse_eof(&b->parser) == HTTP_PARSE_DONE) {
			/* A body delimited by the close. */
			hc_response_done(w, h);
		} else {
			const struct url *u = hc_url(s, b->tx_url);

			w->stats.http.parse_errors++;
			if (b->parser.status_code == 0)
				share_note(s, "the server closed the connection without a response (%s:%u)",
					   u->host, u->port);
			else if (b->parser.body_kind == HTTP_BODY_LENGTH)
				share_note(s, "the server closed the connection after %llu of %llu body bytes",
					   (unsigned long long)b->parser.body_bytes,
					   (unsigned long long)b->parser.content_length);
			else
				share_note(s, "the server closed the connection before the response was complete (%s)",
					   http_parse_strerror(b->parser.error));
			s->cnt.errors[JOB_ERR_CLOSED_EARLY]++;
			hc_settle(s, h, 0);
		}
	}
	/* Whatever is left outstanding can never be answered now. */
	if (h->inflight > 0) {
		s->cnt.errors[JOB_ERR_CLOSED_EARLY]++;
		hc_settle(s, h, 0);
	}
	ready_remove(s, h);
	q_remove(s, h);
	h->state = HC_CLOSING;
	tcp_close(w, c);
}

static void
hc_closed(struct worker *w, struct tcp_conn *c, int err)
{
	struct hc_conn *h = tcp_conn_app(c);
	struct job_share *s;
	const struct url *u;
	char addr[URL_MAX_HOST + 8];

	if (h == NULL)
		return;
	s = h->share;
	h->tc = NULL;
	tcp_conn_set_app(c, NULL);
	if (err == 0 || (err != ECONNRESET && h->inflight == 0 &&
			 !(h->flags & HC_RESERVED) &&
			 h->state != HC_CONNECTING)) {
		/* Orderly, or nothing was owed: not an error.  A reset
		 * always is: servers close idle connections with FIN. */
		hc_free(w, h);
		return;
	}
	u = h->busy != NULL ? hc_url(s, h->busy->tx_url) : hc_url(s, 0);
	snprintf(addr, sizeof(addr), "%s:%u", u->host, u->port);
	switch (err) {
	case ECONNREFUSED:
		share_note(s, "connection refused by %s (RST)", addr);
		s->cnt.errors[JOB_ERR_REFUSED]++;
		break;
	case ECONNRESET:
		share_note(s, "connection reset by %s (RST) after %llu bytes",
			   addr, (unsigned long long)s->cnt.bytes_rx);
		s->cnt.errors[JOB_ERR_RESET]++;
		break;
	case ETIMEDOUT:
		share_note(s, h->state == HC_CONNECTING ?
			   "connection to %s timed out (no answer to SYN)" :
			   "connection to %s timed out (retransmissions unanswered)",
			   addr);
		s->cnt.errors[JOB_ERR_TCP_TIMEOUT]++;
		break;
	default:
		share_note(s, "connection to %s closed before the response",
			   addr);
		s->cnt.errors[JOB_ERR_CLOSED_EARLY]++;
		break;
	}
	hc_settle(s, h, 0);
	hc_free(w, h);
}

static const struct tcp_app_ops hc_tcp_ops = {
	.connected = hc_connected,
	.sent = hc_sent,
	.recv = hc_recv,
	.peer_closed = hc_peer_closed,
	.closed = hc_closed,
};

/* --- the share's poll ---------------------------------------------- */

static void
share_finish(struct worker *w, struct job_share *s)
{
	s->phase = SHARE_DONE;
	s->end_us = w->now_us;
	TAILQ_REMOVE(&w->shares, s, link);
	job_share_done(s);
}

/* ARP for every next hop before the first SYN. */
static void
share_resolve(struct worker *w, struct job_share *s)
{
	uint8_t mac[6];
	uint32_t i;
	int pending = 0;

	if (w->app->link_down) {
		/* Started before the link came up (a memif peer not yet
		 * connected, a cable): ARP now would fail for nothing.
		 * Wait, within the connect timeout. */
		if (w->now_us - s->start_us <
		    (uint64_t)s->job->p.connect_timeout_ms * 1000)
			return;
		share_note(s, "the port's link stayed down for %u ms",
			   s->job->p.connect_timeout_ms);
		s->cnt.errors[JOB_ERR_LINK_DOWN]++;
		if (s->req_quota != 0) {
			s->cnt.requests_failed += s->req_quota;
			s->req_finished = s->req_quota;
		}
		share_finish(w, s);
		return;
	}
	for (i = 0; i < s->n_next_hops; i++) {
		int rc = arp_resolve(w, s->next_hops[i], mac);
		char ip[16];

		if (rc > 0)
			continue;
		if (rc == 0) {
			pending = 1;
			continue;
		}
		ipv4_format(s->next_hops[i], ip, sizeof(ip));
		share_note(s, "ARP: no reply from %s after %u requests (next hop %s)",
			   ip, w->cfg->arp.retries,
			   s->next_hops[i] == s->job->p.urls[0].ipv4 ?
			   "is the server" : "is the gateway");
		s->cnt.errors[JOB_ERR_ARP]++;
		if (s->req_quota != 0) {
			s->cnt.requests_failed += s->req_quota;
			s->req_finished = s->req_quota;
		}
		share_finish(w, s);
		return;
	}
	if (pending)
		return;
	s->phase = SHARE_RUNNING;
	s->last_token_us = w->now_us;
	/* Peers learn our source addresses before the first SYN-ACK has
	 * to wait for an ARP answer (a few addresses per share). */
	if (s->job->p.src_lo != 0) {
		uint64_t n = (uint64_t)s->job->p.src_hi - s->job->p.src_lo + 1;
		uint64_t k;

		for (k = s->index; k < n && k < ANNOUNCE_MAX;
		     k += s->job->n_shares)
			arp_announce(w, s->job->p.src_lo + (uint32_t)k);
	}
}

static uint32_t
share_src_ip(struct job_share *s)
{
	const struct job_params *p = &s->job->p;
	uint32_t ip;

	if (p->src_lo == 0)
		return 0;
	ip = p->src_lo + s->next_src;
	s->next_src = (s->next_src + 1) % (p->src_hi - p->src_lo + 1);
	return ip;
}

/* How many connections the ramp allows by now. */
static uint32_t
share_conn_goal(const struct worker *w, const struct job_share *s)
{
	double ramp = s->job->p.ramp_s;
	double f;

	if (ramp <= 0)
		return s->conn_target;
	f = (double)(w->now_us - s->start_us) / (ramp * 1e6);
	if (f >= 1)
		return s->conn_target;
	return (uint32_t)(s->conn_target * f) + 1;
}

static void
share_open(struct worker *w, struct job_share *s)
{
	uint32_t goal = share_conn_goal(w, s);
	unsigned int burst = 0;

	if (w->now_us < s->open_after_us || w->mbufs_low || w->tx_held_back)
		return;
	while (s->n_open < goal && burst < OPEN_BURST) {
		const struct url *u;
		struct hc_conn *h;
		void *obj;

		if (s->cps > 0 && s->cps_tokens < 1)
			return;
		if (!quota_take(s))
			return;
		if (rte_mempool_get(w->hc_pool, &obj) != 0) {
			/* Other jobs hold the blocks: try again shortly. */
			s->req_reserved--;
			s->cnt.errors[JOB_ERR_LOCAL]++;
			share_note(s, "no free connection block (max %u per lcore)",
				   w->cfg->max_conns);
			s->open_after_us = w->now_us + LOCAL_RETRY_US;
			return;
		}
		h = obj;
		memset(h, 0, sizeof(*h));
		h->share = s;
		h->state = HC_CONNECTING;
		h->flags = HC_RESERVED;
		h->deadline_us = w->now_us +
			(uint64_t)s->job->p.connect_timeout_ms * 1000;
		TAILQ_INSERT_TAIL(&s->all, h, all);
		TAILQ_INSERT_TAIL(&s->connect_fifo, h, q);
		h->flags |= HC_IN_Q;
		s->n_open++;
		s->n_connecting++;
		s->cnt.conns_opened++;
		if (s->cps > 0)
			s->cps_tokens -= 1;
		burst++;
		u = hc_url(s, s->next_url);
		h->tc = tcp_connect(w, share_src_ip(s), u->ipv4, u->port,
				    &hc_tcp_ops, h);
		if (h->tc == NULL) {
			share_note(s, "cannot open a connection (no free port or connection block)");
			hc_fail(w, h, JOB_ERR_LOCAL, 0);
			s->open_after_us = w->now_us + LOCAL_RETRY_US;
			return;
		}
	}
}

static void
share_expire(struct worker *w, struct job_share *s)
{
	struct hc_conn *h;

	while ((h = TAILQ_FIRST(&s->connect_fifo)) != NULL &&
	       h->deadline_us <= w->now_us) {
		const struct url *u = hc_url(s, 0);

		share_note(s, "connection to %s:%u timed out after %u ms (no answer to SYN)",
			   u->host, u->port, s->job->p.connect_timeout_ms);
		hc_fail(w, h, JOB_ERR_CONNECT_TIMEOUT, 0);
	}
	while ((h = TAILQ_FIRST(&s->response_fifo)) != NULL &&
	       h->deadline_us <= w->now_us) {
		const struct url *u = hc_url(s, h->busy->tx_url);

		share_note(s, "no response from %s:%u for %u ms",
			   u->host, u->port, s->job->p.response_timeout_ms);
		hc_fail(w, h, JOB_ERR_RESPONSE_TIMEOUT, 0);
	}
}

static void
share_sample(struct worker *w, struct job_share *s)
{
	struct job_sample *x;
	unsigned int i;

	if (w->now_us < s->next_sample_us)
		return;
	x = &s->series[s->n_samples % JOB_SERIES_MAX];
	x->requests = s->cnt.requests_sent;
	x->responses = s->cnt.responses;
	x->conns_opened = s->cnt.conns_opened;
	x->bytes_rx = s->cnt.bytes_rx;
	x->bytes_tx = s->cnt.bytes_tx;
	x->errors = 0;
	for (i = 0; i < JOB_ERR_MAX; i++)
		x->errors += s->cnt.errors[i];
	x->open = s->n_open;
	__atomic_store_n(&s->n_samples, s->n_samples + 1, __ATOMIC_RELEASE);
	/* Published first: a merger reading the slot being cleared sees
	 * it reused (job.c, second_intact). */
	hist_init(&s->sec_total[s->n_samples % JOB_SEC_RING]);
	s->next_sample_us += 1000000;
	job_merge_seconds(s->job);
}

/* Why the share stops now, if it does. */
static int
share_should_end(struct worker *w, struct job_share *s)
{
	const struct job_params *p = &s->job->p;

	if (__atomic_load_n(&s->job->stop, __ATOMIC_ACQUIRE))
		return 1;
	if (p->duration_s > 0 &&
	    w->now_us - s->start_us >= (uint64_t)(p->duration_s * 1e6))
		return 1;
	if (p->deadline_s > 0 &&
	    w->now_us - s->start_us >= (uint64_t)(p->deadline_s * 1e6)) {
		struct hc_conn *h = TAILQ_FIRST(&s->all);

		share_note(s, "timed out after %.1f s while %s (%llu bytes received)",
			   p->deadline_s,
			   h == NULL ? "waiting" :
			   h->state == HC_CONNECTING ? "connecting" :
			   h->inflight > 0 ? "waiting for the response" :
			   "closing",
			   (unsigned long long)s->cnt.bytes_rx);
		s->cnt.errors[JOB_ERR_TIMEOUT]++;
		return 2;
	}
	if (p->duration_s == 0 && s->req_quota != 0 &&
	    s->req_finished >= s->req_quota)
		return 1;
	return 0;
}

/* Stop work: from now on no request or connection is started. */
static void
share_begin_drain(struct worker *w, struct job_share *s, int failed)
{
	struct hc_conn *h;

	s->phase = SHARE_DRAINING;
	s->drain_failed = failed;
	s->drain_left = s->n_open;
	s->drain_until_us = w->now_us + DRAIN_US +
		(uint64_t)s->n_open * DRAIN_PER_CONN_US;
	if (s->req_quota != 0 && s->req_reserved < s->req_quota &&
	    failed) {
		/* A deadline ended it: what never went out failed too. */
		s->cnt.requests_failed += s->req_quota - s->req_reserved;
	}
	while ((h = TAILQ_FIRST(&s->ready)) != NULL)
		ready_remove(s, h);
}

/*
 * Close the share's connections, DRAIN_BURST per poll so that a million
 * FINs do not overrun the TX ring at once: idle ones close in order,
 * unanswered ones are cut off (RST).  Visited connections move to the
 * tail of the list; drain_left counts those not visited yet.
 */
static void
share_close_some(struct worker *w, struct job_share *s)
{
	unsigned int n = 0;
	struct hc_conn *h;

	if (w->tx_held_back)
		return;
	while (s->drain_left > 0 && n++ < DRAIN_BURST &&
	       (h = TAILQ_FIRST(&s->all)) != NULL) {
		s->drain_left--;
		if (h->state == HC_CLOSING) {
			TAILQ_REMOVE(&s->all, h, all);
			TAILQ_INSERT_TAIL(&s->all, h, all);
			continue;
		}
		if (h->state == HC_CONNECTING || h->inflight > 0 ||
		    (h->flags & HC_WRITING)) {
			struct tcp_conn *tc = h->tc;

			hc_settle(s, h, !s->drain_failed);
			h->tc = NULL;
			if (tc != NULL) {
				tcp_conn_set_app(tc, NULL);
				tcp_abort(w, tc);
			}
			hc_free(w, h);
			continue;
		}
		hc_settle(s, h, 1);
		q_remove(s, h);
		h->state = HC_CLOSING;
		TAILQ_REMOVE(&s->all, h, all);
		TAILQ_INSERT_TAIL(&s->all, h, all);
		tcp_close(w, h->tc);
	}
}

static void
share_drain(struct worker *w, struct job_share *s)
{
	struct hc_conn *h;

	share_close_some(w, s);
	if (s->n_open > 0 && w->now_us < s->drain_until_us)
		return;
	/* Peers that do not finish the close are not waited for. */
	while ((h = TAILQ_FIRST(&s->all)) != NULL) {
		struct tcp_conn *tc = h->tc;

		h->tc = NULL;
		if (tc != NULL) {
			tcp_conn_set_app(tc, NULL);
			tcp_abort(w, tc);
		}
		hc_free(w, h);
	}
	share_finish(w, s);
}

static void
share_poll(struct worker *w, struct job_share *s)
{
	int end;

	if (s->start_us == 0) {
		/* The clock starts at the first poll, not when the share
		 * was handed over (maybe before the port was up). */
		s->start_us = w->now_us;
		s->next_sample_us = w->now_us + 1000000;
	}
	switch (s->phase) {
	case SHARE_RESOLVING:
		if (s->job->p.deadline_s > 0 && w->now_us - s->start_us >=
		    (uint64_t)(s->job->p.deadline_s * 1e6)) {
			share_note(s, "timed out after %.1f s while resolving the next hop (0 bytes received)",
				   s->job->p.deadline_s);
			s->cnt.errors[JOB_ERR_TIMEOUT]++;
			s->cnt.requests_failed += s->req_quota;
			share_finish(w, s);
			return;
		}
		share_resolve(w, s);
		if (s->phase != SHARE_RUNNING)
			return;
		/* fall through */
	case SHARE_RUNNING:
		share_sample(w, s);
		end = share_should_end(w, s);
		if (end != 0) {
			share_begin_drain(w, s, end == 2);
			share_drain(w, s);
			return;
		}
		share_tokens(w, s);
		share_expire(w, s);
		share_send_ready(w, s);
		share_open(w, s);
		return;
	case SHARE_DRAINING:
		share_sample(w, s);
		share_drain(w, s);
		return;
	default:
		return;
	}
}

void
hc_poll(struct worker *w)
{
	struct job_share *s, *next;

	/* The TX ring is full: make no new packets until it drains. */
	w->tx_held_back = w->tx_n >= TX_BATCH;
	/* w->mbufs_low: worker_mem_check keeps it current. */

	for (s = TAILQ_FIRST(&w->shares); s != NULL; s = next) {
		next = TAILQ_NEXT(s, link);
		share_poll(w, s);
	}
}

void
hc_share_start(struct worker *w, struct job_share *s)
{
	const struct job_params *p = &s->job->p;
	unsigned int i, k;

	TAILQ_INIT(&s->all);
	TAILQ_INIT(&s->ready);
	TAILQ_INIT(&s->connect_fifo);
	TAILQ_INIT(&s->response_fifo);
	s->phase = SHARE_RESOLVING;
	if (hc_pool_ready(w) != 0) {
		share_note(s, "no memory for connection state");
		s->cnt.errors[JOB_ERR_LOCAL]++;
		job_share_done(s);
		return;
	}
	for (i = 0; i < p->n_urls; i++) {
		uint32_t hop = ipv4_next_hop(w, p->urls[i].ipv4);

		if (hop == 0) {
			share_note(s, "no route to %s: it is outside the --ip prefix and there is no --gateway",
				   p->urls[i].host);
			s->cnt.errors[JOB_ERR_NO_ROUTE]++;
			s->cnt.requests_failed += s->req_quota;
			job_share_done(s);
			return;
		}

		for (k = 0; k < s->n_next_hops; k++)
			if (s->next_hops[k] == hop)
				break;
		if (k == s->n_next_hops)
			s->next_hops[s->n_next_hops++] = hop;
	}
	TAILQ_INSERT_TAIL(&w->shares, s, link);
}
