/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable HTTP/1.1 response parser.
 *
 * The parser is a byte-driven state machine in the style of nginx's
 * ngx_http_parse_*: it keeps all of its state in struct http_resp_parser,
 * so a response may be fed in pieces split at any byte (TCP segments arrive
 * as they arrive) and the result is the same as feeding it whole.  It
 * never copies the body: body bytes are reported as (pointer, length)
 * slices of the caller's input through a callback.
 *
 * Interim 1xx responses (100 Continue, 103 Early Hints, ...) are skipped:
 * their header lines are checked for syntax and limits but not delivered,
 * and parsing goes on with the next status line, so the callbacks only
 * ever see the final response.  101 Switching Protocols is final: it has
 * no body, is never keep-alive, and whatever follows it is not HTTP.
 *
 * Trailer fields after the last chunk are checked for syntax and limits
 * (HTTP_MAX_HEADER_LINE, HTTP_MAX_HEADERS) and then ignored; they are not
 * passed to the header callback.
 *
 * When a response carries both Transfer-Encoding and Content-Length, or
 * an HTTP/1.0 response carries Transfer-Encoding, chunked framing wins but
 * keep_alive is forced to 0 (RFC 9112 6.1, 6.3).
 *
 * The parser has no dependency on DPDK and is unit-tested on its own.
 */

#ifndef DPF_HTTP_PARSE_H
#define DPF_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "http_msg.h"		/* the limits; private struct http_msg */

#define HTTP_MAX_REASON_LEN	256

enum http_body_kind {
	HTTP_BODY_NONE,		/* 204, 304, 1xx, or HEAD request */
	HTTP_BODY_LENGTH,	/* Content-Length */
	HTTP_BODY_CHUNKED,	/* Transfer-Encoding: chunked */
	HTTP_BODY_CLOSE,	/* delimited by the server closing */
};

/* Result of http_resp_parse(). */
enum http_parse_status {
	HTTP_PARSE_AGAIN = 0,	/* all input consumed, need more */
	HTTP_PARSE_DONE = 1,	/* response complete; *consumed says where */
	HTTP_PARSE_ERROR = -1,	/* malformed; parser->error says why */
};

enum http_parse_error {
	HTTP_ERR_NONE = 0,
	HTTP_ERR_STATUS_LINE,	/* bad "HTTP/x.y NNN reason" line */
	HTTP_ERR_VERSION,	/* not HTTP/1.x */
	HTTP_ERR_HEADER,	/* malformed header line */
	HTTP_ERR_HEADER_TOO_LONG,
	HTTP_ERR_TOO_MANY_HEADERS,
	HTTP_ERR_CONTENT_LENGTH, /* bad, overflowing or conflicting length */
	HTTP_ERR_TRANSFER_ENCODING, /* an encoding other than chunked last */
	HTTP_ERR_CHUNK_SIZE,	/* bad or overflowing chunk size */
	HTTP_ERR_CHUNK_DATA,	/* missing CRLF after chunk data */
	HTTP_ERR_TRUNCATED,	/* connection closed before the end */
	HTTP_ERR_MAX
};

struct http_resp_parser;

/*
 * Callbacks.  Any may be NULL.  Slices point into the buffer passed to
 * http_resp_parse() and are valid only during the call.  A callback that
 * returns non-zero aborts parsing with HTTP_PARSE_ERROR (error left as
 * HTTP_ERR_NONE, so the caller knows it was its own decision).
 */
struct http_resp_callbacks {
	/* One complete header; name and value are trimmed of OWS. */
	int (*header)(void *arg, const char *name, size_t name_len,
		      const char *value, size_t value_len);
	/* End of headers: status, version and body kind are known. */
	int (*headers_done)(void *arg, const struct http_resp_parser *p);
	/* A slice of the decoded body (chunk framing removed). */
	int (*body)(void *arg, const uint8_t *data, size_t len);
};

/*
 * The last response head a parser read whole from one buffer, and the
 * state it left behind.  A load test reads the same head a million
 * times a second (status, length, server: byte for byte the same); a
 * parser given a memo (http_resp_parser_set_memo) compares the next
 * head with it and, when it is the same, takes the state the parse
 * would give instead of parsing again: the parser is a function of the
 * bytes, so the outcome is the same.  Only parsers without header or
 * headers_done callbacks use it (those must see every header).  Owned
 * by the caller, one per lcore: never shared between threads.
 */
struct http_resp_memo {
	struct http_head_memo base;	/* the bytes, framing, counts */
	int head_request;		/* the parser's, for which it holds */
	int status_code;
	int version_minor;
	int keep_alive;
	enum http_body_kind body_kind;
	uint64_t content_length;
};

struct http_resp_parser {
	/* Public, valid once headers_done was called. */
	int status_code;		/* 100..999 */
	int version_minor;		/* HTTP/1.<minor> */
	enum http_body_kind body_kind;
	uint64_t content_length;	/* HTTP_BODY_LENGTH */
	uint64_t body_bytes;		/* decoded body bytes delivered so far */
	int keep_alive;			/* connection may be reused after it */
	enum http_parse_error error;
	uint64_t error_offset;		/* byte offset in the stream of error */

	/* Private state; do not touch. */
	const struct http_resp_callbacks *cb;
	void *cb_arg;
	int head_request;
	int state;
	uint64_t offset;		/* bytes consumed so far, for errors */
	size_t count;			/* position within the status line */
	struct http_resp_memo *memo;	/* or NULL */
	struct http_msg msg;		/* framing; last, line[] not cleared */
};

/*
 * Prepare for a new response.  head_request: the request was HEAD, so
 * there is no body whatever the headers say.
 */
void
http_resp_parser_init(struct http_resp_parser *p,
		      const struct http_resp_callbacks *cb, void *cb_arg,
		      int head_request);

/* After http_resp_parser_init: use memo (or none: NULL) for this
 * response's head.  Ignored when the callbacks include header or
 * headers_done. */
void
http_resp_parser_set_memo(struct http_resp_parser *p,
			  struct http_resp_memo *memo);

/*
 * Feed len bytes.  Returns HTTP_PARSE_AGAIN when all were consumed and
 * more are needed, HTTP_PARSE_DONE when the response ended (then
 * *consumed is how many of these bytes belonged to it; the rest belong to
 * the next response), HTTP_PARSE_ERROR on malformed input.  consumed may
 * be NULL.
 */
enum http_parse_status
http_resp_parse(struct http_resp_parser *p, const uint8_t *data, size_t len,
		size_t *consumed);

/*
 * The connection reached EOF.  Completes a close-delimited body
 * (HTTP_PARSE_DONE); anything else not yet complete is
 * HTTP_PARSE_ERROR with HTTP_ERR_TRUNCATED.
 */
enum http_parse_status
http_resp_parse_eof(struct http_resp_parser *p);

/* Whether the response has ended (DONE was returned). */
int
http_resp_parse_is_done(const struct http_resp_parser *p);

/* A short English description of an error code. */
const char *
http_parse_strerror(enum http_parse_error err);

#endif /* DPF_HTTP_PARSE_H */
