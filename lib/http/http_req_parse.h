/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable HTTP/1.1 request parser, for the built-in server.
 *
 * The same design as the response parser (http_parse.h): a byte-driven
 * state machine in the style of nginx's ngx_http_parse_request_line,
 * all state in struct http_req_parser, so requests may arrive split at
 * any byte; body bytes are handed over as slices of the input.  Several
 * pipelined requests in one buffer are parsed one after another: DONE
 * says how many bytes the current request took, and the caller
 * re-initialises (http_req_parser_reset) and goes on with the rest.
 *
 * No DPDK dependency; unit-tested on its own.
 */

#ifndef DPF_HTTP_REQ_PARSE_H
#define DPF_HTTP_REQ_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"		/* enum http_parse_status, limits */

#define HTTP_REQ_MAX_METHOD	16
#define HTTP_REQ_MAX_TARGET	4096

enum http_req_error {
	HTTP_REQ_ERR_NONE = 0,
	HTTP_REQ_ERR_REQUEST_LINE,	/* malformed request line: 400 */
	HTTP_REQ_ERR_METHOD,		/* not a token, or too long: 400 */
	HTTP_REQ_ERR_TARGET_TOO_LONG,	/* 414 */
	HTTP_REQ_ERR_VERSION,		/* not HTTP/1.x: 505 */
	HTTP_REQ_ERR_HEADER,		/* malformed header line: 400 */
	HTTP_REQ_ERR_HEADER_TOO_LONG,	/* 431 */
	HTTP_REQ_ERR_TOO_MANY_HEADERS,	/* 431 */
	HTTP_REQ_ERR_CONTENT_LENGTH,	/* bad or conflicting: 400 */
	HTTP_REQ_ERR_TRANSFER_ENCODING,	/* not chunked last: 501 */
	HTTP_REQ_ERR_CHUNK_SIZE,	/* 400 */
	HTTP_REQ_ERR_CHUNK_DATA,	/* 400 */
	HTTP_REQ_ERR_MAX
};

struct http_req_parser;

/* Callbacks, any may be NULL; non-zero return aborts (error stays NONE). */
struct http_req_callbacks {
	int (*header)(void *arg, const char *name, size_t name_len,
		      const char *value, size_t value_len);
	/* Request line and headers complete; method, target, version,
	 * framing and keep_alive are known. */
	int (*headers_done)(void *arg, const struct http_req_parser *p);
	int (*body)(void *arg, const uint8_t *data, size_t len);
};

/*
 * The last request head a parser read whole from one buffer, and what
 * it left in the parser: a server under load reads the same head again
 * and again, and a parser given this memo (http_req_parser_set_memo)
 * compares instead of parsing (see struct http_resp_memo: the same
 * bytes, the same outcome).  Only parsers without header or
 * headers_done callbacks use it.  Owned by the caller, one per lcore.
 */
struct http_req_memo {
	struct http_head_memo base;	/* the bytes, framing, counts */
	int version_minor;
	int chunked;
	int keep_alive;
	int expect_continue;
	uint64_t content_length;
	char method[HTTP_REQ_MAX_METHOD + 1];
	char target[HTTP_HEAD_MEMO_MAX];	/* shorter than the head */
};

struct http_req_parser {
	/* Public, valid once headers_done was called. */
	char method[HTTP_REQ_MAX_METHOD + 1];	/* NUL-terminated */
	char target[HTTP_REQ_MAX_TARGET + 1];	/* as sent, NUL-terminated */
	int version_minor;			/* HTTP/1.<minor> */
	int chunked;				/* Transfer-Encoding: chunked */
	uint64_t content_length;		/* when !chunked; 0 if absent */
	uint64_t body_bytes;			/* decoded body delivered */
	int keep_alive;				/* by version and Connection */
	int expect_continue;			/* Expect: 100-continue */
	enum http_req_error error;
	uint64_t error_offset;			/* stream offset of the fault */

	/* Private state; do not touch. */
	const struct http_req_callbacks *cb;
	void *cb_arg;
	int state;
	uint64_t offset;
	size_t count;		/* length of the method or target so far */
	unsigned int empty_lines;	/* skipped before the request line */
	struct http_req_memo *memo;	/* or NULL; kept by reset */
	struct http_msg msg;	/* framing; last, line[] not cleared */
};

void
http_req_parser_init(struct http_req_parser *p,
		     const struct http_req_callbacks *cb, void *cb_arg);

/* After http_req_parser_init: use memo (or none: NULL) for the heads of
 * the requests to come (http_req_parser_reset keeps it).  Ignored when
 * the callbacks include header or headers_done. */
void
http_req_parser_set_memo(struct http_req_parser *p,
			 struct http_req_memo *memo);

/* Ready for the next request on the same connection (keeps cb, the memo
 * and the stream offset for error reports). */
void
http_req_parser_reset(struct http_req_parser *p);

/*
 * Feed len bytes.  HTTP_PARSE_AGAIN: all consumed, need more.
 * HTTP_PARSE_DONE: the request (with its body) ended; *consumed bytes of
 * this call belonged to it.  HTTP_PARSE_ERROR: malformed, error says why
 * (and http_req_error_status gives the status code to answer with).
 * Empty lines before a request line are skipped (RFC 9112 2.2).
 */
enum http_parse_status
http_req_parse(struct http_req_parser *p, const uint8_t *data, size_t len,
	       size_t *consumed);

/* The status code a server answers an error with (400, 414, 431, 501,
 * 505). */
int
http_req_error_status(enum http_req_error err);

const char *
http_req_strerror(enum http_req_error err);

#endif /* DPF_HTTP_REQ_PARSE_H */
