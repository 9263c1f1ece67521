/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An HTTP/1.1 client connection over the TCP API: it writes requests,
 * parses responses (http_parse), applies the keep-alive and close rules
 * and stamps each request's send, first byte and end.  It decides nothing
 * about load: its owner (lib/job's runner) says when to connect and when
 * to send, and hears back through struct http_client_ops.
 *
 * Call chain:
 *
 *   owner                          lib/http/http_client.c
 *     http_client_connect()          tcp_connect
 *     http_client_send()             a request (pipelined up to a limit)
 *       hcl_write -> tcp_send          as far as the send buffer takes it
 *     http_client_close/_abort()
 *   TCP callbacks (tcp_app_ops):
 *     hcl_connected                  -> ops->connected
 *     hcl_sent -> hcl_write          the rest of a long request
 *                                    -> ops->writable
 *     hcl_recv -> http_resp_parse    responses, several per segment when
 *                                    pipelined; -> ops->progress (partial),
 *                                    ops->response, ops->idle, ops->error
 *     hcl_peer_closed                close-delimited body, or an error;
 *                                    -> ops->ending
 *     hcl_closed                     -> ops->error, ops->release
 *
 * An idle connection costs struct http_client_conn (embedded in the
 * owner's block); the parser and the send times of pipelined requests
 * (struct http_client_busy) come from the owner's lazy pool only while
 * requests are outstanding.
 */

#ifndef DPF_HTTP_CLIENT_H
#define DPF_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "http_parse.h"
#include "url.h"

struct worker;
struct tcp_conn;
struct lazy_pool;
struct http_client_conn;

#define HTTP_REQUEST_MAX	16384	/* request head, bytes */
#define HTTP_CLIENT_PIPELINE_MAX	64

/* Why a connection failed; the owner maps it to its own counters. */
enum http_client_error {
	HTTP_CLIENT_ERR_UNSOLICITED,	/* bytes with no request outstanding */
	HTTP_CLIENT_ERR_PARSE,		/* malformed response */
	HTTP_CLIENT_ERR_WRITE,		/* the body sink failed (errno) */
	HTTP_CLIENT_ERR_EOF,		/* FIN before the response ended */
	HTTP_CLIENT_ERR_ABANDONED,	/* FIN with pipelined requests owed */
	HTTP_CLIENT_ERR_REFUSED,	/* RST answering the SYN */
	HTTP_CLIENT_ERR_RESET,		/* RST on an open connection */
	HTTP_CLIENT_ERR_TIMEOUT,	/* TCP's retransmissions unanswered */
	HTTP_CLIENT_ERR_CLOSED,		/* any other close with requests owed */
};

enum http_client_state {
	HTTP_CLIENT_CONNECTING,
	HTTP_CLIENT_OPEN,
	HTTP_CLIENT_CLOSING,	/* we closed; waiting for TCP to finish */
};

#define HTTP_CLIENT_WRITING	0x01	/* a request is partly handed to TCP */
#define HTTP_CLIENT_OWED	0x02	/* the owner promised it a request */
#define HTTP_CLIENT_LAST	0x04	/* sent its last request */

/* One finished response. */
struct http_client_response {
	int status;
	uint64_t body_bytes;
	uint64_t intended_us;		/* it was meant to go (open loop) */
	uint64_t sent_us;		/* the request went */
	uint64_t first_byte_us;		/* the response's first byte came */
	uint16_t url;			/* the request's URL (mix entry) */
};

struct http_client_ops {
	/* Established: the owner may send.  open_lag_us as given to
	 * http_client_connect. */
	void (*connected)(struct worker *w, struct http_client_conn *hc,
			  uint32_t open_lag_us);
	/* A long request is now all with TCP, and another may follow. */
	void (*writable)(struct worker *w, struct http_client_conn *hc);
	/* Part of a response came (the response clock restarts). */
	void (*progress)(struct worker *w, struct http_client_conn *hc);
	/* A response ended; hc->inflight already counts it out. */
	void (*response)(struct worker *w, struct http_client_conn *hc,
			 const struct http_client_response *r);
	/* Nothing outstanding any more: reuse says whether the keep-alive
	 * rules allow another request; the owner keeps it or closes it. */
	void (*idle)(struct worker *w, struct http_client_conn *hc, int reuse);
	/* Something failed (arg: the byte count of UNSOLICITED); the owner
	 * counts it and settles what hc owed.  hc is still whole. */
	void (*error)(struct worker *w, struct http_client_conn *hc,
		      enum http_client_error e, uint32_t arg);
	/* The peer closed; hc is about to close: off the owner's queues. */
	void (*ending)(struct worker *w, struct http_client_conn *hc);
	/* TCP let go of hc (or hc was aborted): the owner frees it. */
	void (*release)(struct worker *w, struct http_client_conn *hc);
};

/*
 * What the requests of a set of connections look like (one per job
 * share): shared by its connections, read-only while they run.
 */
struct http_client_profile {
	const struct http_client_ops *ops;
	struct lazy_pool *busy_pool;	/* struct http_client_busy */
	const struct url *urls;
	char *const *head;		/* per URL */
	const uint32_t *head_len;
	const uint32_t *head_sum;	/* tcp_ref_sum */
	char *const *head_close;	/* with "Connection: close" */
	const uint32_t *head_close_len;
	const uint32_t *head_close_sum;
	const uint8_t *body;
	uint64_t body_len;
	uint32_t pipeline;		/* requests outstanding at most */
	uint32_t requests_per_connection;	/* 0 = no limit */
	FILE *out;			/* response bodies go here, or NULL */
	int head_request;
	/* The last response head and what parsing it gave, for the next
	 * byte-identical one (http_parse.h), or NULL. */
	struct http_resp_memo *resp_memo;
	uint64_t *bytes_rx;		/* where to count what comes and goes */
	uint64_t *bytes_tx;
	/* A request mix (lib/core/mix.h): when render is set, each
	 * request is rendered (head and body) into render_buf instead of
	 * head/body above: request number seq (from *render_seq) for URL
	 * url; the same arguments render the same bytes, so a request
	 * half taken by TCP is rendered again for its rest.  Returns the
	 * length (0: does not fit; the job checked it cannot happen). */
	uint32_t (*render)(const void *arg, uint16_t url, int close,
			   uint64_t seq, char *buf, uint32_t cap);
	const void *render_arg;
	char *render_buf;
	uint32_t render_cap;
	uint64_t *render_seq;
	const uint8_t *head_of;		/* per URL: a HEAD request, or NULL */
	/* dpfetch -v on a one-shot fetch: every byte received goes here
	 * too (NULL: not traced; the only cost is this test). */
	void (*trace_rx)(void *arg, const uint8_t *data, uint32_t len);
	void *trace_arg;
};

/* One outstanding request. */
struct http_client_slot {
	uint64_t sent_us;		/* when it went */
	/* How long after its intended time it went (a backlog's wait) */
	uint32_t lag_us;
	uint8_t url;			/* its index in the profile's URLs */
};

/* While requests are outstanding. */
struct http_client_busy {
	/* The connection's profile while the block is lent to it (the
	 * connection's own word then points here: http_client_prof). */
	const struct http_client_profile *prof;
	uint64_t first_byte_us;		/* of the response being read */
	uint64_t tx_off;		/* of the request being written */
	uint16_t oldest;		/* slot of the first outstanding */
	uint16_t tx_url;
	uint8_t tx_close;		/* head with Connection: close */
	/* A ring from oldest.  Without pipelining only slot 0 is used (a
	 * block is taken afresh with oldest 0), and it shares the block's
	 * first line with the fields above and the pool's link: one line
	 * per request and response where the arrays of each field took
	 * three, a cache miss each with a thousand connections. */
	struct http_client_slot slot[HTTP_CLIENT_PIPELINE_MAX];
	uint64_t tx_seq;		/* the request's number, for render */
	/* Last: the parser ends in its 8 KB line buffer, which only a
	 * field cut by a segment boundary touches; the fields above then
	 * share the parser's first lines and page, not one 8 KB away (a
	 * cache and TLB miss per response with a thousand connections). */
	struct http_resp_parser parser;
};

/*
 * One connection; the owner embeds it in its own block.  An idle held
 * connection costs these 24 bytes: the profile and the parser block
 * share one word (the block, lent only while requests are outstanding,
 * holds the profile then), and TCP's block is a 32-bit handle.
 */
struct http_client_conn {
	/* The profile, or (bit 0 set) the busy block, which holds it. */
	uintptr_t pb;
	uint32_t tc;			/* tcp_conn_ref, 0 = none */
	union {
		uint32_t sent;		/* OPEN: requests written */
		/* CONNECTING: how long after its scheduled time the SYN
		 * went (the owner's, for its first request's intended
		 * time); sent is 0 again when it is established. */
		uint32_t open_lag_us;
	};
	uint8_t inflight;
	uint8_t state;			/* enum http_client_state */
	uint8_t flags;			/* HTTP_CLIENT_* */
	uint8_t owner_flags;		/* the owner's own bits */
	uint32_t owner_word;		/* the owner's own 32 bits */
};

_Static_assert(sizeof(struct http_client_conn) <= 24,
	       "struct http_client_conn grew");

#define HCL_PB_BUSY	((uintptr_t)1)

/* hc's parser block while requests are outstanding, else NULL. */
static inline struct http_client_busy *
http_client_busy_of(const struct http_client_conn *hc)
{
	return (hc->pb & HCL_PB_BUSY) ?
		(struct http_client_busy *)(hc->pb & ~HCL_PB_BUSY) : NULL;
}

/* hc's profile (http_client_connect's prof). */
static inline const struct http_client_profile *
http_client_prof(const struct http_client_conn *hc)
{
	if (hc->pb & HCL_PB_BUSY)
		return ((const struct http_client_busy *)
			(hc->pb - HCL_PB_BUSY))->prof;
	return (const struct http_client_profile *)hc->pb;
}

/* Open hc to ip:port from src_ip (0: the configured address); hc
 * starts CONNECTING, owing a request.  open_lag_us: how late this
 * opening is on its owner's schedule, handed back to ops->connected.
 * 0, or -1 (no port or block). */
int
http_client_connect(struct worker *w, struct http_client_conn *hc,
		    const struct http_client_profile *prof, uint32_t src_ip,
		    uint32_t ip, uint16_t port, uint32_t open_lag_us);
/* The same to an IPv6 server ip6 from src6 (NULL: --ip6), network byte
 * order. */
int
http_client_connect6(struct worker *w, struct http_client_conn *hc,
		     const struct http_client_profile *prof,
		     const uint8_t *src6, const uint8_t *ip6, uint16_t port,
		     uint32_t open_lag_us);

/* Whether hc may take another request now (pipeline and per-connection
 * limits, nothing half written). */
int
http_client_can_send(const struct http_client_conn *hc);

#define HTTP_CLIENT_NOT_NOW	1	/* packet buffers short */
#define HTTP_CLIENT_NO_PARSER	2	/* no parser block free */

/* Send a request for URL url on hc, meant for intended_us (an open-loop
 * schedule's time; now or 0 when it goes as meant): 0, or
 * HTTP_CLIENT_NOT_NOW / HTTP_CLIENT_NO_PARSER (hc untouched). */
int
http_client_send(struct worker *w, struct http_client_conn *hc,
		 uint16_t url, uint64_t intended_us);

/* Forget what hc owes (outstanding and promised requests): how many. */
uint32_t
http_client_settle(struct http_client_conn *hc);

/* Close in order (FIN): hc is released when TCP is done. */
void
http_client_close(struct worker *w, struct http_client_conn *hc);

/* Cut hc off (RST) and detach it from TCP; later: from a callback.  The
 * owner frees hc itself (release is not called). */
void
http_client_abort(struct worker *w, struct http_client_conn *hc,
		  int later);

/* Let go of hc's parser and of its TCP side: the owner is about to
 * free hc's memory. */
void
http_client_forget(struct worker *w, struct http_client_conn *hc);

/* The URL of the request being read or written (0 when none). */
uint16_t
http_client_url(const struct http_client_conn *hc);

/* The URL of hc's i-th outstanding request (i < hc->inflight, oldest
 * first): where a request a failure settles was going. */
uint16_t
http_client_url_at(const struct http_client_conn *hc, unsigned int i);

/* The error e (arg as given to ops->error) in words, into buf; nothing
 * for ABANDONED (the error before it explains). */
void
http_client_strerror(const struct http_client_conn *hc,
		     enum http_client_error e, uint32_t arg, char *buf,
		     size_t len);

/*
 * The head of a request for u (method, Host, User-Agent, Accept,
 * Content-Length when there is a body or the method needs one, the
 * given header lines, Connection: close when close), malloc'ed.  NULL
 * when it would exceed HTTP_REQUEST_MAX.
 */
char *
http_client_request_head(const char *method, const struct url *u,
			 char *const *headers, unsigned int n_headers,
			 int has_body, uint64_t body_len, int close,
			 uint32_t *len);

#endif /* DPF_HTTP_CLIENT_H */
