/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in HTTP server: TCP callbacks -> request parser -> a queue of
 * responses per connection -> tcp_send as the send buffer makes room.
 *
 * Responses are queued as small descriptors (status, body length, kind),
 * not as bytes: a /bytes/N body is produced slice by slice from one
 * static pattern buffer when TCP can take it, so a connection costs the
 * same whatever N is.
 *
 * Memory: an idle connection holds nothing but three bits in its
 * tcp_conn_app_flags.  The parser and the response queue (struct
 * httpd_work, ~21 KiB) are taken from a lazily growing per-worker pool
 * when request bytes arrive, hang off tcp_conn_app, and go back as soon
 * as the connection is idle again (no partial request, no response left
 * to send): a million idle keep-alive connections cost no server memory
 * at all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "http_req_parse.h"
#include "http_server.h"
#include "lazy_pool.h"
#include "tcp.h"
#include "worker.h"

#define HTTPD_HEAD_MAX	256

enum httpd_body {
	HTTPD_BODY_TEXT,	/* a fixed string */
	HTTPD_BODY_PATTERN,	/* /bytes/N */
};

struct httpd_resp {
	uint8_t body_kind;
	uint8_t close;		/* close the connection after it */
	uint16_t head_len;
	uint16_t head_sent;
	const char *text;	/* HTTPD_BODY_TEXT */
	uint64_t body_len;
	uint64_t body_sent;
	/* Head and body together in a slot of the server's (struct
	 * httpd_whole), or NULL. */
	const uint8_t *whole;
	char head[HTTPD_HEAD_MAX];	/* written only without a slot */
};

/* While a request is arriving or responses are owed. */
struct httpd_work {
	uint32_t q_head;
	uint32_t q_len;
	struct httpd_resp q[HTTPD_MAX_PIPELINE];
	uint64_t req_start_us;	/* first byte of the partial request */
	struct http_req_parser parser;
};

/* Per connection, for its whole life, in tcp_conn_app_flags;
 * tcp_conn_app is the connection's struct httpd_work, or NULL while it
 * is idle. */
#define HTTPD_BROKEN	0x01	/* parse error: no more requests */
#define HTTPD_PEER_DONE	0x02	/* the peer sent FIN */
#define HTTPD_MID_REQ	0x04	/* the parser holds part of a request */

/* Set and clear HTTPD_* bits. */
static void
httpd_flags_add(struct tcp_conn *c, uint8_t f)
{
	tcp_conn_set_app_flags(c, tcp_conn_app_flags(c) | f);
}

static void
httpd_flags_del(struct tcp_conn *c, uint8_t f)
{
	tcp_conn_set_app_flags(c, tcp_conn_app_flags(c) & ~f);
}

/*
 * Timeouts cost no memory: an idle connection's deadline is its last
 * received segment (tcp_conn_idle_us) plus http.idle_timeout_s, a partial
 * request's is its first byte (in struct httpd_work, which it holds
 * anyway) plus http.header_timeout_s.  TCP's idle_timer, which keepalive
 * shares, calls httpd_timeout when the earliest may be due; it is moved
 * earlier only when a new deadline comes before the one it has.
 */

/*
 * /bytes/N bodies are not copied into send buffers: each worker keeps
 * one read-only buffer of the pattern, attached to mbufs as an external
 * buffer, HTTPD_BODY_CHUNK bytes per mbuf.  A 1 MiB response is then 32
 * mbufs that all point at the same 33 KB, which stays in cache, instead
 * of 512 mbufs of copied bytes that do not.
 */
#define HTTPD_BODY_CHUNK	32768	/* an mbuf's data_len is 16 bits */
#define HTTPD_PATTERN_PERIOD	256	/* the pattern repeats every 256 */
#define HTTPD_PATTERN_BUF	(HTTPD_BODY_CHUNK + HTTPD_PATTERN_PERIOD)
#define HTTPD_BODY_COPY_MAX	1024	/* smaller bodies are copied */

/* The last head built, and what it was built from: a load repeats one
 * response over and over, and copying it is cheaper than writing it. */
struct httpd_head_cache {
	uint64_t body_len;
	const char *type;
	int status;
	uint8_t close;
	uint16_t len;		/* 0: empty */
	char head[HTTPD_HEAD_MAX];
};

/*
 * Whole responses, head and body, up to TCP_SEND_REF_MAX bytes: each is
 * written once into a slot behind the pattern and then only read, so
 * TCP takes it by reference (tcp_send_ref): no mbuf in the send buffer
 * and no copy into one.  The slots lie in the constant region with the
 * pattern, so TCP also keeps them past a close without copying and
 * remembers their sums (a slot is written before anything refers to
 * it, and never again).  A load repeats a few responses; with the slots
 * taken, other responses are copied as before.
 */
#define HTTPD_WHOLE_SLOTS	64
#define HTTPD_WHOLE_MAX		TCP_SEND_REF_MAX

struct httpd_whole {
	const char *type;
	const char *text;	/* HTTPD_BODY_TEXT's, or NULL */
	uint64_t content_len;	/* as the head says */
	int status;
	uint8_t close;
	uint8_t head_only;
	uint16_t len;		/* head and body */
};

struct http_server {
	struct lazy_pool work_pool;	/* struct httpd_work */
	struct httpd_head_cache last_head;
	struct httpd_whole whole[HTTPD_WHOLE_SLOTS];
	uint32_t n_whole;
	uint32_t last_whole;		/* the last one found */
	/* The last request head and what it parsed to (the next one like
	 * it is compared, not parsed: http_req_parse.h) */
	struct http_req_memo req_memo;
	uint16_t port;
	/* HTTPD_PATTERN_BUF bytes, then the slots (HTTPD_WHOLE_SLOTS x
	 * HTTPD_WHOLE_MAX). */
	uint8_t *pattern;
	rte_iova_t pattern_iova;
	/* Counts the mbufs attached to the pattern, plus the server's own
	 * reference, which keeps it above zero until http_server_fini. */
	struct rte_mbuf_ext_shared_info pattern_shinfo;
};

static const char httpd_index[] =
	"<!DOCTYPE html>\n<html><head><title>dpfetch</title></head>\n"
	"<body><h1>dpfetch</h1><p>Built-in HTTP server. GET /bytes/N returns "
	"N bytes.</p></body></html>\n";
static const char httpd_not_found[] = "not found\n";
static const char httpd_bad[] = "bad request\n";

static const char *
status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* Append s to the head being built at *p, within end. */
static void
head_put(char **p, const char *end, const char *s, size_t n)
{
	if (n > (size_t)(end - *p))
		n = (size_t)(end - *p);
	memcpy(*p, s, n);
	*p += n;
}

#define HEAD_PUT_LIT(p, end, lit) head_put(p, end, lit, sizeof(lit) - 1)

static void
head_put_u64(char **p, const char *end, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	head_put(p, end, digits + sizeof(digits) - n, n);
}

/* The slot holding r whole (its head_len bytes of head at head), filled
 * now if it is new and one is free; NULL when it is too long or none is
 * free. */
static const uint8_t *
httpd_whole_of(struct worker *w, const struct httpd_resp *r,
	       const char *head, int status, int head_only,
	       uint64_t content_len, const char *type)
{
	struct http_server *srv = w->httpd;
	uint64_t total = r->head_len + r->body_len;
	struct httpd_whole *e = &srv->whole[srv->last_whole];
	uint8_t *slot;
	uint32_t i;

	if (total > HTTPD_WHOLE_MAX)
		return NULL;
	for (i = 0; i <= srv->n_whole; i++) {
		if (i > 0)
			e = &srv->whole[i - 1];
		if (e->len == total && e->status == status &&
		    e->content_len == content_len && e->type == type &&
		    e->text == r->text && e->close == r->close &&
		    e->head_only == head_only) {
			srv->last_whole = (uint32_t)(e - srv->whole);
			return srv->pattern + HTTPD_PATTERN_BUF +
				(size_t)srv->last_whole * HTTPD_WHOLE_MAX;
		}
	}
	/* Peers choose the responses: once they have taken every slot,
	 * the rest are copied (counted), nothing grows. */
	if (srv->n_whole == HTTPD_WHOLE_SLOTS) {
		w->stats.httpd.whole_full++;
		return NULL;
	}
	e = &srv->whole[srv->n_whole];
	slot = srv->pattern + HTTPD_PATTERN_BUF +
		(size_t)srv->n_whole * HTTPD_WHOLE_MAX;
	memcpy(slot, head, r->head_len);
	/* A body starts at the pattern's offset 0 (httpd_send_pattern). */
	memcpy(slot + r->head_len,
	       r->body_kind == HTTPD_BODY_TEXT ? (const uint8_t *)r->text :
	       srv->pattern, (size_t)r->body_len);
	e->type = type;
	e->text = r->text;
	e->content_len = content_len;
	e->status = status;
	e->close = r->close;
	e->head_only = (uint8_t)!!head_only;
	e->len = (uint16_t)total;
	srv->last_whole = srv->n_whole++;
	w->stats.httpd.whole_slots = srv->n_whole;
	return slot;
}

/*
 * Queue a response; the head is written now, the body when sent.  The
 * head is assembled from pieces rather than by snprintf, which cost an
 * eighth of the server's time at a million responses a second.
 */
static void
httpd_queue(struct worker *w, struct httpd_work *hc, int status,
	    int head_only, enum httpd_body kind, const char *text,
	    uint64_t body_len, int close, const char *type)
{
	struct httpd_head_cache *hh = &w->httpd->last_head;
	struct httpd_resp *r;
	const char *reason;
	char *p, *end;

	r = &hc->q[(hc->q_head + hc->q_len) % HTTPD_MAX_PIPELINE];
	hc->q_len++;
	memset(r, 0, offsetof(struct httpd_resp, head));
	r->body_kind = kind;
	r->text = text;
	r->body_len = head_only ? 0 : body_len;
	r->close = close;
	/* HEAD's head is GET's, Content-Length included.  A response in
	 * a slot is sent from there, head and all (httpd_pump). */
	if (hh->len != 0 && hh->status == status &&
	    hh->body_len == body_len && hh->close == !!close &&
	    hh->type == type) {
		r->head_len = hh->len;
		r->whole = httpd_whole_of(w, r, hh->head, status, head_only,
					  body_len, type);
		if (r->whole == NULL)
			memcpy(r->head, hh->head, hh->len);
		return;
	}
	reason = status_reason(status);
	p = r->head;
	end = r->head + sizeof(r->head);
	HEAD_PUT_LIT(&p, end, "HTTP/1.1 ");
	head_put_u64(&p, end, (uint64_t)status);
	HEAD_PUT_LIT(&p, end, " ");
	head_put(&p, end, reason, strlen(reason));
	HEAD_PUT_LIT(&p, end, "\r\nServer: dpfetch/" DPF_VERSION
		     "\r\nContent-Type: ");
	head_put(&p, end, type, strlen(type));
	HEAD_PUT_LIT(&p, end, "\r\nContent-Length: ");
	head_put_u64(&p, end, body_len);
	HEAD_PUT_LIT(&p, end, "\r\n");
	if (close)
		HEAD_PUT_LIT(&p, end, "Connection: close\r\n");
	HEAD_PUT_LIT(&p, end, "\r\n");
	r->head_len = (uint16_t)(p - r->head);
	hh->status = status;
	hh->body_len = body_len;
	hh->close = !!close;
	hh->type = type;
	hh->len = r->head_len;
	memcpy(hh->head, r->head, r->head_len);
	r->whole = httpd_whole_of(w, r, r->head, status, head_only,
				  body_len, type);
}

static const struct http_req_callbacks httpd_parser_cb = {
	.header = NULL,
	.headers_done = NULL,
	.body = NULL,	/* request bodies are read and dropped */
};

static void
httpd_pattern_free_cb(void *addr, void *opaque)
{
	/* The server frees the buffer itself (http_server_fini). */
	(void)addr;
	(void)opaque;
}

/* Queue up to left bytes of the pattern, from body offset at, by
 * reference; returns how many the send buffer took. */
static uint32_t
httpd_send_pattern(struct worker *w, struct tcp_conn *c, uint64_t at,
		   uint64_t left)
{
	struct http_server *srv = w->httpd;
	uint32_t room = tcp_send_space(w, c), done = 0;

	/* A small body goes into the mbuf the head is in. */
	if (left <= HTTPD_BODY_COPY_MAX)
		return tcp_send(w, c, srv->pattern + at % HTTPD_PATTERN_PERIOD,
				(uint32_t)left);
	while (done < left && done < room) {
		uint64_t want = left - done;
		uint32_t n = room - done;
		struct rte_mbuf *m;

		if (n > HTTPD_BODY_CHUNK)
			n = HTTPD_BODY_CHUNK;
		if (n > want)
			n = (uint32_t)want;
		m = rte_pktmbuf_alloc(w->app->pool);

		if (m == NULL) {
			w->stats.tcp.DropNoMbuf++;
			break;
		}
		rte_mbuf_ext_refcnt_update(&srv->pattern_shinfo, 1);
		rte_pktmbuf_attach_extbuf(m, srv->pattern, srv->pattern_iova,
					  HTTPD_PATTERN_BUF,
					  &srv->pattern_shinfo);
		m->data_off = (uint16_t)((at + done) % HTTPD_PATTERN_PERIOD);
		m->data_len = (uint16_t)n;
		m->pkt_len = n;
		if (tcp_send_mbuf(w, c, m) == 0)
			break;
		done += n;
	}
	return done;
}

/* Send what the send buffer takes, response after response. */
static void
httpd_pump(struct worker *w, struct tcp_conn *c)
{
	struct httpd_work *hc = tcp_conn_app(c);

	while (hc != NULL && hc->q_len > 0) {
		struct httpd_resp *r = &hc->q[hc->q_head];
		uint32_t n;

		/* Whole and by reference, unless another response follows
		 * at once (queued behind it, this one would be copied). */
		if (r->whole != NULL && r->head_sent == 0 &&
		    r->body_sent == 0 && hc->q_len == 1) {
			uint32_t total = r->head_len + (uint32_t)r->body_len;

			n = tcp_send_ref(w, c, r->whole, total);
			r->head_sent = (uint16_t)RTE_MIN(n, r->head_len);
			r->body_sent = n - r->head_sent;
			w->stats.httpd.body_bytes += r->body_sent;
		}
		if (r->head_sent < r->head_len) {
			/* r->head is written only for a response without a
			 * slot. */
			const char *head = r->whole != NULL ?
				(const char *)r->whole : r->head;

			n = tcp_send(w, c, head + r->head_sent,
				     r->head_len - r->head_sent);
			r->head_sent += (uint16_t)n;
			if (r->head_sent < r->head_len)
				return;
		}
		while (r->body_sent < r->body_len) {
			uint64_t left = r->body_len - r->body_sent;

			if (r->body_kind == HTTPD_BODY_TEXT)
				n = tcp_send(w, c, r->text + r->body_sent,
					     (uint32_t)left);
			else
				n = httpd_send_pattern(w, c, r->body_sent,
						       left);
			r->body_sent += n;
			w->stats.httpd.body_bytes += n;
			if (n < left)
				return;	/* full: the sent callback resumes */
		}
		hc->q_head = (hc->q_head + 1) % HTTPD_MAX_PIPELINE;
		hc->q_len--;
		if (r->close) {
			tcp_close(w, c);
			hc->q_len = 0;
			return;
		}
	}
	if (tcp_conn_app_flags(c) & HTTPD_PEER_DONE)
		tcp_close(w, c);
}

/* Parser and queue for conn, from the pool if it holds none. */
static struct httpd_work *
httpd_work_get(struct worker *w, struct tcp_conn *c)
{
	struct httpd_work *hw = tcp_conn_app(c);

	if (hw != NULL)
		return hw;
	hw = lazy_pool_get(&w->httpd->work_pool);
	if (hw == NULL)
		return NULL;
	hw->q_head = 0;
	hw->q_len = 0;
	http_req_parser_init(&hw->parser, &httpd_parser_cb, NULL);
	http_req_parser_set_memo(&hw->parser, &w->httpd->req_memo);
	tcp_conn_set_app(c, hw);
	return hw;
}

/* Give the parser and queue back once nothing is in progress: a fresh
 * parser is all the next request needs. */
static void
httpd_work_release(struct worker *w, struct tcp_conn *c, int force)
{
	struct httpd_work *hw = tcp_conn_app(c);

	if (hw == NULL)
		return;
	if (!force && (hw->q_len > 0 || (tcp_conn_app_flags(c) & HTTPD_MID_REQ)))
		return;
	lazy_pool_put(&w->httpd->work_pool, hw);
	tcp_conn_set_app(c, NULL);
	httpd_flags_del(c, HTTPD_MID_REQ);
}

/*
 * Whether the NUL-terminated s, in an array of at least sizeof(lit)
 * bytes (the parser's method[] and target[]), is lit: a fixed-size
 * compare, which the compiler inlines, where strcmp is a call.
 */
#define STR_IS(s, lit) (memcmp((s), lit, sizeof(lit)) == 0)

/* Parse "/bytes/N": N decimal, no sign, no overflow; t is the parser's
 * target[]. */
static int
parse_bytes_target(const char *t, uint64_t *n)
{
	const char *p = t + strlen("/bytes/");
	uint64_t v = 0;

	if (memcmp(t, "/bytes/", strlen("/bytes/")) != 0 || *p == '\0')
		return -1;
	for (; *p != '\0' && *p != '?'; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*n = v;
	return 0;
}

static void
httpd_request_done(struct worker *w, struct httpd_work *hc)
{
	const struct http_req_parser *p = &hc->parser;
	int head = STR_IS(p->method, "HEAD");
	int close = !p->keep_alive;
	uint64_t n;

	_Static_assert(sizeof(p->method) >= sizeof("POST") &&
		       sizeof(p->target) >= sizeof("/bytes/"),
		       "STR_IS reads past the parser's arrays");
	w->stats.httpd.requests++;
	if (!STR_IS(p->method, "GET") && !head &&
	    !STR_IS(p->method, "POST")) {
		w->stats.httpd.status_4xx++;
		httpd_queue(w, hc, 404, head, HTTPD_BODY_TEXT, httpd_not_found,
			    strlen(httpd_not_found), close, "text/plain");
	} else if (STR_IS(p->target, "/")) {
		w->stats.httpd.status_2xx++;
		httpd_queue(w, hc, 200, head, HTTPD_BODY_TEXT, httpd_index,
			    strlen(httpd_index), close, "text/html");
	} else if (parse_bytes_target(p->target, &n) == 0) {
		w->stats.httpd.status_2xx++;
		httpd_queue(w, hc, 200, head, HTTPD_BODY_PATTERN, NULL, n, close,
			    "application/octet-stream");
	} else {
		w->stats.httpd.status_4xx++;
		httpd_queue(w, hc, 404, head, HTTPD_BODY_TEXT, httpd_not_found,
			    strlen(httpd_not_found), close, "text/plain");
	}
}

/* Idle (nothing owed, nothing arriving): start the idle clock. */
static void
httpd_idle_arm(struct worker *w, struct tcp_conn *c)
{
	uint32_t idle_s = w->cfg->http.idle_timeout_s;

	if (tcp_conn_app(c) == NULL && idle_s != 0 &&
	    !(tcp_conn_app_flags(c) & (HTTPD_BROKEN | HTTPD_PEER_DONE)))
		tcp_app_timer_arm(w, c, (uint64_t)idle_s * 1000000);
}

static uint64_t
httpd_timeout(struct worker *w, struct tcp_conn *c)
{
	const struct http_conf *hc = &w->cfg->http;
	struct httpd_work *hw = tcp_conn_app(c);
	uint64_t due, since;

	if (tcp_conn_app_flags(c) & (HTTPD_BROKEN | HTTPD_PEER_DONE))
		return UINT64_MAX;	/* closing: TCP's own bounds apply */
	if (hw != NULL && (tcp_conn_app_flags(c) & HTTPD_MID_REQ)) {
		/* A request trickling in (slowloris): the whole of it
		 * must arrive within header_timeout_s of its first byte. */
		if (hc->header_timeout_s == 0)
			return UINT64_MAX;
		due = hw->req_start_us +
			(uint64_t)hc->header_timeout_s * 1000000;
		if (w->now_us < due)
			return due - w->now_us;
		w->stats.httpd.header_timeouts++;
		httpd_flags_add(c, HTTPD_BROKEN);
		return 0;
	}
	if (hw != NULL || hc->idle_timeout_s == 0)
		return UINT64_MAX;	/* responding: persist bounds it */
	since = tcp_conn_idle_us(w, c);
	if (since < (uint64_t)hc->idle_timeout_s * 1000000)
		return (uint64_t)hc->idle_timeout_s * 1000000 - since;
	/* An idle keep-alive connection: close it as servers do, FIN. */
	w->stats.httpd.idle_timeouts++;
	httpd_flags_add(c, HTTPD_BROKEN);
	tcp_close(w, c);
	return UINT64_MAX;
}

static void
httpd_connected(struct worker *w, struct tcp_conn *c)
{
	/* Nothing to allocate until the first request byte. */
	tcp_conn_set_app(c, NULL);
	tcp_conn_set_app_flags(c, 0);
	w->stats.httpd.connections++;
	httpd_idle_arm(w, c);
}

static void
httpd_recv(struct worker *w, struct tcp_conn *c, const uint8_t *data,
	   uint32_t len)
{
	struct httpd_work *hc = NULL;
	int reset = 0;

	if (len > 0 && !(tcp_conn_app_flags(c) & HTTPD_BROKEN)) {
		hc = httpd_work_get(w, c);
		if (hc == NULL) {
			/* No memory for a parser: refuse loudly, not
			 * silently. */
			w->stats.httpd.no_state++;
			httpd_flags_add(c, HTTPD_BROKEN);
			tcp_abort_later(w, c);
			return;
		}
	}
	while (len > 0 && !(tcp_conn_app_flags(c) & HTTPD_BROKEN)) {
		size_t used = 0;
		enum http_parse_status st;

		st = http_req_parse(&hc->parser, data, len, &used);
		if (st == HTTP_PARSE_AGAIN) {
			if (!(tcp_conn_app_flags(c) & HTTPD_MID_REQ)) {
				httpd_flags_add(c, HTTPD_MID_REQ);
				hc->req_start_us = w->now_us;
				if (w->cfg->http.header_timeout_s != 0)
					tcp_app_timer_arm(w, c,
						(uint64_t)w->cfg->http.header_timeout_s *
						1000000);
			}
			break;
		}
		httpd_flags_del(c, HTTPD_MID_REQ);
		if (st == HTTP_PARSE_ERROR) {
			int status = http_req_error_status(hc->parser.error);

			w->stats.httpd.parse_errors++;
			httpd_flags_add(c, HTTPD_BROKEN);
			if (hc->q_len < HTTPD_MAX_PIPELINE)
				httpd_queue(w, hc, status, 0, HTTPD_BODY_TEXT,
					    httpd_bad, strlen(httpd_bad), 1,
					    "text/plain");
			break;
		}
		if (hc->q_len == HTTPD_MAX_PIPELINE) {
			/* More requests in flight than we answer at once:
			 * finish what is queued, then close. */
			w->stats.httpd.pipeline_overflows++;
			httpd_flags_add(c, HTTPD_BROKEN);
			hc->q[(hc->q_head + hc->q_len - 1) %
			      HTTPD_MAX_PIPELINE].close = 1;
			break;
		}
		httpd_request_done(w, hc);
		data += used;
		len -= (uint32_t)used;
		/* The parser is made ready for the next request now only if
		 * its bytes are here; otherwise below, unless the block goes
		 * back to the pool (httpd_work_get readies it): once per
		 * request, not twice. */
		if (len > 0)
			http_req_parser_reset(&hc->parser);
		else
			reset = 1;
	}
	httpd_pump(w, c);
	httpd_work_release(w, c, 0);
	if (reset && tcp_conn_app(c) == hc)
		http_req_parser_reset(&hc->parser);
	httpd_idle_arm(w, c);
}

static void
httpd_sent(struct worker *w, struct tcp_conn *c)
{
	httpd_pump(w, c);
	httpd_work_release(w, c, 0);
	httpd_idle_arm(w, c);
}

static void
httpd_peer_closed(struct worker *w, struct tcp_conn *c)
{
	struct httpd_work *hc = tcp_conn_app(c);

	httpd_flags_add(c, HTTPD_PEER_DONE);
	if (hc == NULL || hc->q_len == 0)
		tcp_close(w, c);
}

static void
httpd_closed(struct worker *w, struct tcp_conn *c, int err)
{
	if (err != 0)
		w->stats.httpd.resets++;
	/* Also for a connection that never got to connected (reset or
	 * timed out in SYN_RECEIVED): its app is the listener's NULL. */
	httpd_work_release(w, c, 1);
}

static const struct tcp_app_ops httpd_ops = {
	.connected = httpd_connected,
	.recv = httpd_recv,
	.sent = httpd_sent,
	.peer_closed = httpd_peer_closed,
	.closed = httpd_closed,
	.timeout = httpd_timeout,
};

void
http_server_state_sizes(size_t *idle, size_t *busy)
{
	*idle = 0;	/* tcp_conn_app_flags, inside struct tcp_conn */
	*busy = sizeof(struct httpd_work);
}

int
http_server_start(struct worker *w, uint16_t port)
{
	struct http_server *srv;
	uint64_t i;
	int rc;

	if (w->httpd != NULL) {
		/* Stopped (server.stop) and started again, maybe elsewhere:
		 * connections still open keep the same state. */
		if (tcp_find_listener(w, w->httpd->port) != NULL)
			return w->httpd->port == port ? -EADDRINUSE : -EBUSY;
		rc = tcp_listen(w, port, &httpd_ops, NULL);
		if (rc == 0)
			w->httpd->port = port;
		return rc;
	}
	srv = rte_zmalloc("httpd", sizeof(*srv), 0);
	if (srv == NULL)
		return -ENOMEM;
	srv->pattern = rte_malloc_socket("httpd_pattern", HTTPD_PATTERN_BUF +
					 HTTPD_WHOLE_SLOTS * HTTPD_WHOLE_MAX,
					 RTE_CACHE_LINE_SIZE,
					 (int)rte_lcore_to_socket_id(w->lcore_id));
	if (srv->pattern == NULL) {
		rte_free(srv);
		return -ENOMEM;
	}
	for (i = 0; i < HTTPD_PATTERN_BUF; i++)
		srv->pattern[i] = http_server_pattern_byte(i);
	srv->pattern_iova = rte_malloc_virt2iova(srv->pattern);
	srv->pattern_shinfo.free_cb = httpd_pattern_free_cb;
	srv->pattern_shinfo.fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(&srv->pattern_shinfo, 1);
	/* Up to one per connection, but only as many as are busy at once
	 * are ever allocated. */
	lazy_pool_init(&srv->work_pool, sizeof(struct httpd_work),
		       w->cfg->max_conns, worker_heap_alloc, worker_heap_free,
		       (void *)(uintptr_t)rte_lcore_to_socket_id(w->lcore_id));
	srv->port = port;
	/* No listener argument: connections start with app NULL (the
	 * server is w->httpd). */
	rc = tcp_listen(w, port, &httpd_ops, NULL);
	if (rc != 0) {
		lazy_pool_fini(&srv->work_pool);
		rte_free(srv->pattern);
		rte_free(srv);
		return rc;
	}
	/* Its slices' checksums may be remembered (TCP sums them), and
	 * TCP may keep referring to the slots after a close. */
	tcp_const_region(w, srv->pattern, HTTPD_PATTERN_BUF +
			 HTTPD_WHOLE_SLOTS * HTTPD_WHOLE_MAX);
	w->httpd = srv;
	return 0;
}

void
http_server_fini(struct worker *w)
{
	struct http_server *srv = w->httpd;

	if (srv == NULL)
		return;
	lazy_pool_fini(&srv->work_pool);
	/* Every connection is gone, so no mbuf points at the pattern: the
	 * count is back to the server's own reference. */
	if (rte_mbuf_ext_refcnt_read(&srv->pattern_shinfo) == 1)
		rte_free(srv->pattern);
	rte_free(srv);
	w->httpd = NULL;
}
