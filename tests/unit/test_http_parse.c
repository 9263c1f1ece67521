/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the HTTP/1.1 response parser.
 *
 * Every case is fed whole, byte by byte, and in FEED_RANDOM_SPLITS random
 * splits, and every way must give exactly the same result: the parser's
 * promise is that TCP segmentation cannot change what it sees.  The
 * driver behaves like a client on a keep-alive connection: after DONE it
 * re-initialises the parser and goes on with the bytes left over.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "feed_harness.h"

struct expect {
	enum http_parse_status st;
	enum http_parse_error err;
	int status_code;
	int version_minor;
	enum http_body_kind kind;
	int keep_alive;
	uint64_t content_length;
	const char *headers;	/* "name: value\n"...; NULL: not checked */
	const void *body;	/* NULL: empty (unless skip_body) */
	size_t body_len;
	int skip_body;
	size_t consumed;	/* input bytes belonging to this response */
	uint64_t error_offset;	/* checked when st is HTTP_PARSE_ERROR */
	int body_calls_whole;	/* when fed whole; 0: not checked */
};

/* What only the response parser reports (struct feed_result's priv). */
struct resp_result {
	int status_code;
	int version_minor;
	int keep_alive;
	enum http_body_kind kind;
	uint64_t content_length;
};

static int
on_headers_done(void *arg, const struct http_resp_parser *p)
{
	/* interim responses must never reach the caller */
	assert_true(p->status_code >= 200 || p->status_code == 101);
	return feed_on_headers_done(arg);
}

static const struct http_resp_callbacks callbacks = {
	.header = feed_on_header,
	.headers_done = on_headers_done,
	.body = feed_on_body,
};

/* The same without a header callback: the one-pass path. */
static const struct http_resp_callbacks callbacks_no_header = {
	.header = NULL,
	.headers_done = on_headers_done,
	.body = feed_on_body,
};

/* Body only, with a memo (feed_ctx.memo): the load generator's parser. */
static const struct http_resp_callbacks callbacks_body_only = {
	.body = feed_on_body,
};

/* Carried from run to run and case to case (feed_check_case, (e)). */
static struct http_resp_memo feed_memo;

static int header_only_calls;

static int
count_header(void *arg, const char *name, size_t name_len,
	     const char *value, size_t value_len)
{
	(void)arg;
	(void)name;
	(void)name_len;
	(void)value;
	(void)value_len;
	header_only_calls++;
	return 0;
}

static const struct http_resp_callbacks header_only_callbacks = {
	.header = count_header,
};

static void *
resp_create(struct feed_ctx *ctx)
{
	(void)ctx;
	return malloc(sizeof(struct http_resp_parser));
}

static void
resp_begin(void *p, struct feed_ctx *ctx, const struct feed_case *fc, int n)
{
	(void)n;
	if (ctx->memo) {
		http_resp_parser_init(p, &callbacks_body_only, ctx, fc->head);
		http_resp_parser_set_memo(p, &feed_memo);
		return;
	}
	http_resp_parser_init(p, ctx->no_header_cb ? &callbacks_no_header :
			      &callbacks, ctx, fc->head);
}

static enum http_parse_status
resp_parse(void *p, const uint8_t *data, size_t len, size_t *used)
{
	return http_resp_parse(p, data, len, used);
}

static enum http_parse_status
resp_eof(void *p)
{
	return http_resp_parse_eof(p);
}

static void
resp_record(struct feed_result *r, const void *parser,
	    enum http_parse_status st)
{
	const struct http_resp_parser *p = parser;
	struct resp_result *x = r->priv;

	(void)st;
	r->err = p->error;
	r->error_offset = p->error_offset;
	r->body_bytes = p->body_bytes;
	x->status_code = p->status_code;
	x->version_minor = p->version_minor;
	x->keep_alive = p->keep_alive;
	x->kind = p->body_kind;
	x->content_length = p->content_length;
}

/* After DONE or ERROR the parser must stay put. */
static void
resp_check_sticky(void *parser, enum http_parse_status st)
{
	struct http_resp_parser *p = parser;
	enum http_parse_error err = p->error;
	uint64_t off = p->error_offset;
	size_t used = 99;

	assert_int_equal(http_resp_parse(p, (const uint8_t *)"HTTP", 4, &used),
			 st);
	assert_int_equal(used, 0);
	assert_int_equal(http_resp_parse(p, (const uint8_t *)"x", 1, NULL), st);
	assert_int_equal(http_resp_parse_eof(p), st);
	assert_int_equal(http_resp_parse_is_done(p), st == HTTP_PARSE_DONE);
	assert_int_equal(p->error, err);
	assert_int_equal(p->error_offset, off);
}

static void
resp_check_expect(const struct feed_case *fc, const struct feed_result *r,
		  const void *exp, int whole)
{
	const struct expect *e = exp;
	const struct resp_result *x = r->priv;
	const struct feed_expect fe = FEED_EXPECT_OF(e);

	feed_check_expect(fc, r, &fe, whole);
	if (e->st != HTTP_PARSE_ERROR) {
		assert_int_equal(x->status_code, e->status_code);
		assert_int_equal(x->version_minor, e->version_minor);
		assert_int_equal(x->kind, e->kind);
		assert_int_equal(x->keep_alive, e->keep_alive);
		assert_int_equal(x->content_length, e->content_length);
		assert_int_equal(r->headers_done_calls, 1);
	}
}

static void
resp_check_same(const struct feed_result *a, const struct feed_result *b)
{
	const struct resp_result *x = a->priv, *y = b->priv;

	assert_int_equal(x->status_code, y->status_code);
	assert_int_equal(x->version_minor, y->version_minor);
	assert_int_equal(x->keep_alive, y->keep_alive);
	assert_int_equal(x->kind, y->kind);
	assert_int_equal(x->content_length, y->content_length);
}

static const struct feed_ops resp_ops = {
	.priv_size = sizeof(struct resp_result),
	.memo = 1,
	.create = resp_create,
	.begin = resp_begin,
	.parse = resp_parse,
	.eof = resp_eof,
	.record = resp_record,
	.check_sticky = resp_check_sticky,
	.check_expect = resp_check_expect,
	.check_same = resp_check_same,
};

static void
check_case(const struct feed_case *tc, const struct expect *exp, int nexp)
{
	feed_check_case(&resp_ops, tc, exp, sizeof(*exp), nexp);
}

/*
 * A single malformed response that fails at error_offset, after the
 * parser took consumed bytes: a header value found bad is judged at the
 * end of its line, but error_offset still points into the value.
 */
static void
check_error_consumed(const char *input, enum http_parse_error err,
		     size_t error_offset, size_t consumed)
{
	struct feed_case tc = { .input = input };
	struct expect e = {
		.st = HTTP_PARSE_ERROR,
		.err = err,
		.skip_body = 1,
		.consumed = consumed,
		.error_offset = error_offset,
	};

	check_case(&tc, &e, 1);
}

/* A single malformed response that fails at (and stops at) error_offset. */
static void
check_error(const char *input, int eof, enum http_parse_error err,
	    size_t error_offset)
{
	struct feed_case tc = { .input = input, .eof = eof };
	struct expect e = {
		.st = HTTP_PARSE_ERROR,
		.err = err,
		.skip_body = 1,
		.consumed = error_offset,
		.error_offset = error_offset,
	};

	check_case(&tc, &e, 1);
}

/* A single response with a Content-Length body, fed with nothing after. */
static void
check_length_ok(const char *input, int minor, int keep_alive,
		const char *body)
{
	struct feed_case tc = { .input = input };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = minor,
		.kind = HTTP_BODY_LENGTH,
		.keep_alive = keep_alive,
		.content_length = strlen(body),
		.body = body,
		.body_len = strlen(body),
		.consumed = strlen(input),
	};

	check_case(&tc, &e, 1);
}

/* ---------------------------------------------------------------- */

static void
test_content_length(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 13\r\n"
		"X-Empty:\r\n"
		"X-Spaces: \t a  b \t \r\n"
		"\r\n"
		"Hello, world!";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_LENGTH,
		.keep_alive = 1,
		.content_length = 13,
		.headers = "Content-Type: text/plain\n"
			   "Content-Length: 13\n"
			   "X-Empty: \n"
			   "X-Spaces: a  b\n",
		.body = "Hello, world!",
		.body_len = 13,
		.consumed = sizeof(in) - 1,
		.body_calls_whole = 1,	/* one slice, not one per byte */
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_bare_lf_and_case(void **state)
{
	static const char in[] =
		"HTTP/1.1 201\n"
		"content-LENGTH:5\n"
		"\n"
		"abcde";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 201,
		.version_minor = 1,
		.kind = HTTP_BODY_LENGTH,
		.keep_alive = 1,
		.content_length = 5,
		.headers = "content-LENGTH: 5\n",
		.body = "abcde",
		.body_len = 5,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
	/* empty reason, obs-text in reason, and a repeated equal length */
	check_length_ok("HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok", 1, 1,
			"ok");
	check_length_ok("HTTP/1.1 200 \xc3\xa9t\xc3\xa9\r\n"
			"Content-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok",
			1, 1, "ok");
}

static void
test_zero_length(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_LENGTH,
		.keep_alive = 1,
		.content_length = 0,
		.headers = "Content-Length: 0\n",
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_chunked_ext_trailers(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\n"
		"Transfer-Encoding: Chunked\r\n"
		"Trailer: X-Checksum\r\n"
		"\r\n"
		"5;name=value\r\n"
		"Hello\r\n"
		"7 ; foo=\"b;a r\"; x\r\n"
		", world\r\n"
		"1\n"
		"!\n"
		"000\r\n"
		"X-Checksum: abc\r\n"
		"X-Other:  1 \r\n"
		"\r\n";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_CHUNKED,
		.keep_alive = 1,
		/* trailers are not delivered */
		.headers = "Transfer-Encoding: Chunked\n"
			   "Trailer: X-Checksum\n",
		.body = "Hello, world!",
		.body_len = 13,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_chunked_no_trailers(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\n"
		"Transfer-Encoding: gzip, chunked\r\n"
		"\r\n"
		"3\r\nabc\r\n0\r\n\r\n";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_CHUNKED,
		.keep_alive = 1,
		.body = "abc",
		.body_len = 3,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_chunked_overrides_length(void **state)
{
	/* RFC 9112: TE wins, but such framing is not trusted for reuse */
	static const char in[] =
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 100\r\n"
		"Transfer-Encoding: gzip\r\n"
		"Transfer-Encoding: chunked\r\n"
		"\r\n"
		"3\r\nabc\r\n0\r\n\r\n";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_CHUNKED,
		.keep_alive = 0,
		.content_length = 100,
		.body = "abc",
		.body_len = 3,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static void
test_chunked_large(void **state)
{
	static char in[1 << 20];
	static uint8_t body[1 << 20];
	size_t len, blen;
	struct feed_case tc;
	struct expect e;

	(void)state;
	/* data full of CR, LF and digits that must not be parsed */
	len = feed_chunked_large(in, sizeof(in), CHUNKED_HEAD, "0\r\n;9aF\n\r",
				 body, &blen);

	tc = (struct feed_case){ .input = in, .len = len };
	e = (struct expect){
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_CHUNKED,
		.keep_alive = 1,
		.body = body,
		.body_len = blen,
		.consumed = len,
		/* one slice per chunk */
		.body_calls_whole = FEED_LARGE_CHUNKS,
	};
	check_case(&tc, &e, 1);
}

static void
test_chunked_max_size(void **state)
{
	/* the largest size that fits is fine; the body is just unfinished */
	static const char in[] =
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"FFFFFFFFFFFFFFFF\r\nabc";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_AGAIN,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_CHUNKED,
		.keep_alive = 1,
		.body = "abc",
		.body_len = 3,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_close_delimited(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"body until close\r\n\r\nHTTP/1.1 200 OK\r\n";
	struct feed_case tc = { .input = in, .eof = 1 };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_CLOSE,
		.keep_alive = 0,	/* whatever Connection says */
		.body = in + feed_off_of(in, "body"),
		.body_len = sizeof(in) - 1 - feed_off_of(in, "body"),
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);

	/* without the close it is simply not finished */
	tc.eof = 0;
	e.st = HTTP_PARSE_AGAIN;
	check_case(&tc, &e, 1);

	/* an empty close-delimited body */
	tc = (struct feed_case){ .input = "HTTP/1.1 200 OK\r\n\r\n", .eof = 1 };
	e = (struct expect){
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_CLOSE,
		.consumed = strlen(tc.input),
	};
	check_case(&tc, &e, 1);
}

static void
test_no_body_status(void **state)
{
	static const char in204[] =
		"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n";
	static const char in304[] =
		"HTTP/1.1 304 Not Modified\r\n"
		"Transfer-Encoding: chunked\r\n"
		"ETag: \"x\"\r\n"
		"\r\n";
	struct feed_case tc = { .input = in204 };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 204,
		.version_minor = 1,
		.kind = HTTP_BODY_NONE,
		.keep_alive = 1,
		.content_length = 10,
		.consumed = sizeof(in204) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);

	tc.input = in304;
	e.status_code = 304;
	e.content_length = 0;
	e.headers = "Transfer-Encoding: chunked\nETag: \"x\"\n";
	e.consumed = sizeof(in304) - 1;
	check_case(&tc, &e, 1);

	/* a 304 with an unusable coding is still fine: there is no body */
	check_case(&(struct feed_case){
		.input = "HTTP/1.1 304 Not Modified\r\n"
			 "Transfer-Encoding: gzip\r\n\r\n" },
		&(struct expect){
		.st = HTTP_PARSE_DONE,
		.status_code = 304,
		.version_minor = 1,
		.kind = HTTP_BODY_NONE,
		.keep_alive = 1,
		.consumed = strlen("HTTP/1.1 304 Not Modified\r\n"
				   "Transfer-Encoding: gzip\r\n\r\n"),
		}, 1);
}

static void
test_head(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
	static const char in_chunked[] =
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	struct feed_case tc = { .input = in, .head = 1 };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_NONE,
		.keep_alive = 1,
		.content_length = 1000,
		.headers = "Content-Length: 1000\n",
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);

	tc.input = in_chunked;
	e.content_length = 0;
	e.headers = "Transfer-Encoding: chunked\n";
	e.consumed = sizeof(in_chunked) - 1;
	check_case(&tc, &e, 1);
}

static void
test_continue(void **state)
{
	static const char in[] =
		"HTTP/1.1 100 Continue\r\n"
		"X-Interim: 1\r\n"
		"Content-Length: 999\r\n"
		"Connection: close\r\n"
		"\r\n"
		"HTTP/1.1 103 Early Hints\n"
		"Link: </a.css>; rel=preload\n"
		"\n"
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 2\r\n"
		"\r\n"
		"hi";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_LENGTH,
		.keep_alive = 1,
		.content_length = 2,
		.headers = "Content-Length: 2\n",
		.body = "hi",
		.body_len = 2,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_switching_protocols(void **state)
{
	/* 101 is final: the bytes after it are not HTTP any more */
	static const char in[] =
		"HTTP/1.1 101 Switching Protocols\r\n"
		"Upgrade: websocket\r\n"
		"\r\n"
		"\x81\x05hello";
	struct feed_case tc = { .input = in, .single = 1 };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.status_code = 101,
		.version_minor = 1,
		.kind = HTTP_BODY_NONE,
		.keep_alive = 0,
		.headers = "Upgrade: websocket\n",
		.consumed = feed_off_of(in, "\x81"),
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_http10(void **state)
{
	(void)state;
	check_length_ok("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
			0, 0, "abc");
	check_length_ok("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
			"Content-Length: 3\r\n\r\nabc", 0, 1, "abc");
	check_length_ok("HTTP/1.0 200 OK\r\n"
			"Connection: keep-alive, close\r\n"
			"Content-Length: 3\r\n\r\nabc", 0, 0, "abc");

	/* keep-alive cannot save a close-delimited body */
	check_case(&(struct feed_case){
		.input = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nxy",
		.eof = 1 },
		&(struct expect){
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 0,
		.kind = HTTP_BODY_CLOSE,
		.keep_alive = 0,
		.body = "xy",
		.body_len = 2,
		.consumed = strlen("HTTP/1.0 200 OK\r\n"
				   "Connection: keep-alive\r\n\r\nxy"),
		}, 1);

	/* chunked from an HTTP/1.0 server: decoded, but not reused */
	check_case(&(struct feed_case){
		.input = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n" },
		&(struct expect){
		.st = HTTP_PARSE_DONE,
		.status_code = 200,
		.version_minor = 0,
		.kind = HTTP_BODY_CHUNKED,
		.keep_alive = 0,
		.body = "x",
		.body_len = 1,
		.consumed = strlen("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n"
				   "1\r\nx\r\n0\r\n\r\n"),
		}, 1);
}

static void
test_connection_close(void **state)
{
	(void)state;
	check_length_ok("HTTP/1.1 200 OK\r\nConnection: close\r\n"
			"Content-Length: 1\r\n\r\nz", 1, 0, "z");
	check_length_ok("HTTP/1.1 200 OK\r\nConnection: foo ,  CLOSE ,bar\r\n"
			"Content-Length: 1\r\n\r\nz", 1, 0, "z");
	check_length_ok("HTTP/1.1 200 OK\r\nconnection: Upgrade\r\n"
			"CONNECTION: Close\r\nContent-Length: 1\r\n\r\nz",
			1, 0, "z");
	/* not the token "close" */
	check_length_ok("HTTP/1.1 200 OK\r\nConnection: closed, xclose\r\n"
			"X-Connection: close\r\nContent-Length: 1\r\n\r\nz",
			1, 1, "z");
	check_length_ok("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"
			"Content-Length: 1\r\n\r\nz", 1, 1, "z");
}

static void
test_pipelined(void **state)
{
	static const char first[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst";
	static const char second[] =
		"HTTP/1.1 404 Not Found\r\n"
		"Transfer-Encoding: chunked\r\n"
		"Connection: close\r\n"
		"\r\n"
		"6\r\nsecond\r\n0\r\n\r\n";
	static const char third[] =
		"HTTP/1.1 204 No Content\r\n\r\n";
	char in[sizeof(first) + sizeof(second) + sizeof(third)];
	struct feed_case tc = { .input = in };
	struct expect e[3] = {
		{
			.st = HTTP_PARSE_DONE,
			.status_code = 200,
			.version_minor = 1,
			.kind = HTTP_BODY_LENGTH,
			.keep_alive = 1,
			.content_length = 5,
			.headers = "Content-Length: 5\n",
			.body = "first",
			.body_len = 5,
			.consumed = sizeof(first) - 1,
		},
		{
			.st = HTTP_PARSE_DONE,
			.status_code = 404,
			.version_minor = 1,
			.kind = HTTP_BODY_CHUNKED,
			.keep_alive = 0,
			.headers = "Transfer-Encoding: chunked\n"
				   "Connection: close\n",
			.body = "second",
			.body_len = 6,
			.consumed = sizeof(second) - 1,
		},
		{
			.st = HTTP_PARSE_DONE,
			.status_code = 204,
			.version_minor = 1,
			.kind = HTTP_BODY_NONE,
			.keep_alive = 1,
			.headers = "",
			.consumed = sizeof(third) - 1,
		},
	};
	struct http_resp_parser p;
	size_t used;

	(void)state;
	snprintf(in, sizeof(in), "%s%s%s", first, second, third);
	check_case(&tc, e, 3);

	/* one call: DONE stops exactly at the boundary */
	http_resp_parser_init(&p, NULL, NULL, 0);
	assert_int_equal(http_resp_parse(&p, (const uint8_t *)in, strlen(in),
					 &used), HTTP_PARSE_DONE);
	assert_int_equal(used, sizeof(first) - 1);
	assert_int_equal(p.body_bytes, 5);
	http_resp_parser_init(&p, NULL, NULL, 0);
	assert_int_equal(http_resp_parse(&p, (const uint8_t *)in + used,
					 strlen(in) - used, &used),
			 HTTP_PARSE_DONE);
	assert_int_equal(used, sizeof(second) - 1);
	assert_int_equal(p.status_code, 404);
	assert_int_equal(p.body_bytes, 6);
}

/* A 200 with a chunked body that took consumed bytes. */
static struct expect
chunked_200(const char *body, size_t consumed)
{
	return (struct expect){
		.st = HTTP_PARSE_DONE, .status_code = 200, .version_minor = 1,
		.kind = HTTP_BODY_CHUNKED, .keep_alive = 1,
		.headers = "Transfer-Encoding: chunked\n",
		.body = body, .body_len = body != NULL ? strlen(body) : 0,
		.consumed = consumed,
	};
}

/*
 * The body machine's ends, then the next response: an empty chunked
 * body after a 100 Continue, a chunked body whose trailers carry framing
 * fields (checked for syntax only: they change nothing), and a
 * close-delimited body that looks like chunk framing.
 */
static void
test_chunked_then_pipelined(void **state)
{
	static const char *const part[3] = {
		"HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"2;x=\"a;b\"\r\nhi\r\n0;last\r\n"
		"Content-Length: zz\r\n"
		"Transfer-Encoding: gzip\r\n"
		"Connection: close\r\n"
		"\r\n",
		"HTTP/1.1 200 OK\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	};
	char in[512];
	struct feed_case tc = { .input = in, .eof = 1 };
	struct expect e[3];

	(void)state;
	e[0] = chunked_200(NULL, strlen(part[0]));
	e[1] = chunked_200("hi", strlen(part[1]));
	e[2] = e[1];
	e[2].kind = HTTP_BODY_CLOSE;
	e[2].keep_alive = 0;
	e[2].headers = "";
	e[2].body = part[2] + feed_off_of(part[2], "5\r\n");
	e[2].body_len = 15;
	e[2].consumed = strlen(part[2]);
	snprintf(in, sizeof(in), "%s%s%s", part[0], part[1], part[2]);
	check_case(&tc, e, 3);
}

/* The chunk-size line's limit counts BWS and extensions alike. */
static void
test_chunk_line_limit(void **state)
{
	static const char head[] =
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	char in[HTTP_MAX_CHUNK_EXT + 128];
	struct expect e;

	(void)state;
	snprintf(in, sizeof(in), "%s0%*s;%0*d\r\n\r\n", head, 10, "",
		 HTTP_MAX_CHUNK_EXT - 10, 0);
	check_error(in, 0, HTTP_ERR_CHUNK_SIZE,
		    sizeof(head) - 1 + 1 + HTTP_MAX_CHUNK_EXT);
	snprintf(in, sizeof(in), "%s0%*s;%0*d\r\n\r\n", head, 10, "",
		 HTTP_MAX_CHUNK_EXT - 11, 0);
	e = chunked_200(NULL, strlen(in));
	e.headers = NULL;
	check_case(&(struct feed_case){ .input = in }, &e, 1);
}

/* ---------------------------------------------------------------- */
/* errors */

static void
test_bad_status_line(void **state)
{
	static const char *const bad[] = {
		"HTXP/1.1 200 OK\r\n\r\n",
		"http/1.1 200 OK\r\n\r\n",
		" HTTP/1.1 200 OK\r\n\r\n",
		"\r\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.x 200 OK\r\n\r\n",
		"HTTP/1,1 200 OK\r\n\r\n",
		"HTTP/1.10 200 OK\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 099 OK\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 200 O\x01K\r\n\r\n",
		"HTTP/1.1 200 O\x7fK\r\n\r\n",
		"HTTP/1.1 200 OK\rX\n\r\n",
		"HTTP/1.1 200\rX\n\r\n",
		"HTTP/1.1 200\t OK\r\n\r\n",
		"SSH-2.0-OpenSSH_9.2\r\n",
	};
	/* where each goes wrong */
	static const size_t at[] = {
		2, 0, 0, 0, 7, 6, 8, 9, 11, 12, 9, 10, 14, 14, 16, 13, 12, 0,
	};
	char reason[HTTP_MAX_REASON_LEN + 64];
	size_t k;

	(void)state;
	assert_int_equal(sizeof(bad) / sizeof(bad[0]),
			 sizeof(at) / sizeof(at[0]));
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error(bad[k], 0, HTTP_ERR_STATUS_LINE, at[k]);

	/* the longest reason is fine, one more byte is not */
	snprintf(reason, sizeof(reason), "HTTP/1.1 200 %0*d\r\n"
		 "Content-Length: 2\r\n\r\nok", HTTP_MAX_REASON_LEN, 0);
	check_length_ok(reason, 1, 1, "ok");
	snprintf(reason, sizeof(reason), "HTTP/1.1 200 %0*d\r\n\r\n",
		 HTTP_MAX_REASON_LEN + 1, 0);
	check_error(reason, 0, HTTP_ERR_STATUS_LINE,
		    13 + HTTP_MAX_REASON_LEN);
}

/* A control byte anywhere in a long value is refused, wherever it falls
 * against the 16-byte blocks the in-place path checks at once; HTAB and
 * obs-text are values' own. */
static void
test_control_bytes_in_long_values(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nX-Long: ";
	/* (not NUL: the harness takes C strings) */
	static const uint8_t bad[] = { 0x01, 0x0b, 0x1f, 0x7f };
	static const uint8_t good[] = { '\t', ' ', 0x80, 0xff, '~' };
	char in[256];
	size_t pos, k, vlen = 41;

	(void)state;
	for (pos = 0; pos < vlen; pos++) {
		for (k = 0; k < sizeof(bad); k++) {
			snprintf(in, sizeof(in), "%s%0*d\r\n\r\n", head,
				 (int)vlen, 0);
			in[sizeof(head) - 1 + pos] = (char)bad[k];
			check_error(in, 0, HTTP_ERR_HEADER,
				    sizeof(head) - 1 + pos);
		}
		for (k = 0; k < sizeof(good); k++) {
			/* a value may not end in OWS only as far as the
			 * trim goes: keep the last byte a digit */
			if (pos == 0 || pos == vlen - 1)
				continue;
			snprintf(in, sizeof(in), "%s%0*d\r\n"
				 "Content-Length: 2\r\n\r\nok", head,
				 (int)vlen, 0);
			in[sizeof(head) - 1 + pos] = (char)good[k];
			check_length_ok(in, 1, 1, "ok");
		}
	}
}

static void
test_bad_version(void **state)
{
	(void)state;
	check_error("HTTP/2.0 200 OK\r\n\r\n", 0, HTTP_ERR_VERSION, 5);
	check_error("HTTP/2 200 OK\r\n\r\n", 0, HTTP_ERR_VERSION, 5);
	check_error("HTTP/0.9 200 OK\r\n\r\n", 0, HTTP_ERR_VERSION, 5);
	check_error("HTTP/3.0 200 OK\r\n\r\n", 0, HTTP_ERR_VERSION, 5);
}

static void
test_space_before_colon(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello";
	static const char tab[] =
		"HTTP/1.1 200 OK\r\nContent-Length\t: 5\r\n\r\nhello";

	(void)state;
	check_error(in, 0, HTTP_ERR_HEADER, feed_off_of(in, " :"));
	check_error(tab, 0, HTTP_ERR_HEADER, feed_off_of(tab, "\t:"));
}

static void
test_bad_header_line(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad(Name): x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-Ctl: a\001b\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-Nul: a\0b\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-Cr: a\rb\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-A: 1\r\n\rX",
	};
	static const size_t at[] = { 17, 25, 20, 25, 25, 25, 26 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct feed_case tc = { .input = bad[k],
				    .len = k == 4 ? 31 : 0 };
		struct expect e = {
			.st = HTTP_PARSE_ERROR,
			.err = HTTP_ERR_HEADER,
			.consumed = at[k],
			.error_offset = at[k],
		};

		check_case(&tc, &e, 1);
	}
}

static void
test_obs_fold(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\n"
		"X-A: 1\r\n"
		"  continued\r\n"
		"Content-Length: 0\r\n"
		"\r\n";
	static const char first[] =
		"HTTP/1.1 200 OK\r\n"
		"\tX-A: 1\r\n"
		"\r\n";

	(void)state;
	check_error(in, 0, HTTP_ERR_HEADER, feed_off_of(in, "  continued"));
	check_error(first, 0, HTTP_ERR_HEADER, feed_off_of(first, "\t"));
}

static void
test_header_too_long(void **state)
{
	size_t head = strlen("HTTP/1.1 200 OK\r\n");
	size_t cap = HTTP_MAX_HEADER_LINE + 256;
	char *in = malloc(cap);
	char *expect_hdr = malloc(cap);
	size_t vlen = HTTP_MAX_HEADER_LINE - strlen("X-Long:");
	int n;

	(void)state;
	assert_non_null(in);
	assert_non_null(expect_hdr);

	/* exactly HTTP_MAX_HEADER_LINE bytes of name, colon and value */
	n = snprintf(in, cap, "HTTP/1.1 200 OK\r\nX-Long:%0*d\r\n"
		     "Content-Length: 0\r\n\r\n", (int)vlen, 7);
	assert_true(n > 0 && (size_t)n < cap);
	snprintf(expect_hdr, cap, "X-Long: %0*d\nContent-Length: 0\n",
		 (int)vlen, 7);
	check_case(&(struct feed_case){ .input = in },
		   &(struct expect){
			.st = HTTP_PARSE_DONE,
			.status_code = 200,
			.version_minor = 1,
			.kind = HTTP_BODY_LENGTH,
			.keep_alive = 1,
			.headers = expect_hdr,
			.consumed = (size_t)n,
		   }, 1);

	/* one byte more */
	snprintf(in, cap, "HTTP/1.1 200 OK\r\nX-Long:%0*d\r\n\r\n",
		 (int)vlen + 1, 7);
	check_error(in, 0, HTTP_ERR_HEADER_TOO_LONG,
		    head + HTTP_MAX_HEADER_LINE);

	/* a name that never ends */
	snprintf(in, cap, "HTTP/1.1 200 OK\r\n%0*d: x\r\n\r\n",
		 HTTP_MAX_HEADER_LINE + 10, 0);
	check_error(in, 0, HTTP_ERR_HEADER_TOO_LONG,
		    head + HTTP_MAX_HEADER_LINE);

	/* trailers have the same limit */
	snprintf(in, cap, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		 "\r\n0\r\nX:%0*d\r\n\r\n", HTTP_MAX_HEADER_LINE, 0);
	check_error(in, 0, HTTP_ERR_HEADER_TOO_LONG,
		    feed_off_of(in, "X:") + HTTP_MAX_HEADER_LINE);
	free(in);
	free(expect_hdr);
}

static void
test_too_many_headers(void **state)
{
	size_t cap = 64 * (HTTP_MAX_HEADERS + 8), len;
	char *in = malloc(cap);
	size_t last_line = 0;
	int i;

	(void)state;
	assert_non_null(in);
	/* exactly the limit */
	len = (size_t)snprintf(in, cap, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS - 1; i++)
		len += (size_t)snprintf(in + len, cap - len, "X-H%d: %d\r\n",
					i, i);
	len += (size_t)snprintf(in + len, cap - len,
				"Content-Length: 0\r\n\r\n");
	check_case(&(struct feed_case){ .input = in },
		   &(struct expect){
			.st = HTTP_PARSE_DONE,
			.status_code = 200,
			.version_minor = 1,
			.kind = HTTP_BODY_LENGTH,
			.keep_alive = 1,
			.consumed = len,
		   }, 1);

	/* one more */
	len = (size_t)snprintf(in, cap, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS + 1; i++) {
		last_line = len;
		len += (size_t)snprintf(in + len, cap - len, "X-H%d: %d\r\n",
					i, i);
	}
	snprintf(in + len, cap - len, "\r\n");
	check_error(in, 0, HTTP_ERR_TOO_MANY_HEADERS, last_line);
	free(in);
}

static void
test_content_length_errors(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		"Content-Length: 6\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 5a\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n"
		"\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n"
		"\r\nhello",
	};
	static const size_t at[] = {
		52, 36, 33, 33, 34, 34, 34, 35, 32, 52, 52,
	};
	size_t k;

	(void)state;
	/* each is the last header: judged at the LF ending its line */
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error_consumed(bad[k], HTTP_ERR_CONTENT_LENGTH, at[k],
				     feed_off_of(bad[k], "\r\n\r\n") + 1);
}

static void
test_content_length_max(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n"
		"\r\nabc";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_AGAIN,
		.status_code = 200,
		.version_minor = 1,
		.kind = HTTP_BODY_LENGTH,
		.keep_alive = 1,
		.content_length = UINT64_MAX,
		.body = "abc",
		.body_len = 3,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_bad_chunk_size(void **state)
{
	static const char *const bad[] = {
		CHUNKED_HEAD "zz\r\n",
		CHUNKED_HEAD "\r\n",
		CHUNKED_HEAD " 5\r\nhello\r\n0\r\n\r\n",
		CHUNKED_HEAD "5 x\r\nhello\r\n0\r\n\r\n",
		CHUNKED_HEAD "-5\r\n",
		CHUNKED_HEAD "0x5\r\n",
		CHUNKED_HEAD "5;a\x01\r\n",
		CHUNKED_HEAD "5\rX",
		CHUNKED_HEAD "5\r\nhello\r\nxyz\r\n",
		/* 17 significant digits overflow 64 bits */
		CHUNKED_HEAD "10000000000000000\r\n",
		CHUNKED_HEAD "00000FFFFFFFFFFFFFFFFF\r\n",
	};
	static const size_t at[] = { 0, 0, 0, 2, 0, 1, 3, 2, 10, 16, 21 };
	size_t head = strlen(CHUNKED_HEAD), k;
	char ext[HTTP_MAX_CHUNK_EXT + 128];

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error(bad[k], 0, HTTP_ERR_CHUNK_SIZE, head + at[k]);

	/* the longest extension is fine, one byte more is not */
	snprintf(ext, sizeof(ext), CHUNKED_HEAD "1;%0*d\r\nx\r\n0\r\n\r\n",
		 HTTP_MAX_CHUNK_EXT - 1, 0);
	check_case(&(struct feed_case){ .input = ext },
		   &(struct expect){
			.st = HTTP_PARSE_DONE,
			.status_code = 200,
			.version_minor = 1,
			.kind = HTTP_BODY_CHUNKED,
			.keep_alive = 1,
			.body = "x",
			.body_len = 1,
			.consumed = strlen(ext),
		   }, 1);
	snprintf(ext, sizeof(ext), CHUNKED_HEAD "1;%0*d\r\nx\r\n0\r\n\r\n",
		 HTTP_MAX_CHUNK_EXT, 0);
	check_error(ext, 0, HTTP_ERR_CHUNK_SIZE,
		    head + 1 + HTTP_MAX_CHUNK_EXT);
}

static void
test_bad_chunk_data(void **state)
{
	static const char *const bad[] = {
		CHUNKED_HEAD "5\r\nhelloX\r\n0\r\n\r\n",
		CHUNKED_HEAD "5\r\nhello\rX\n0\r\n\r\n",
		CHUNKED_HEAD "3\r\nhello\r\n0\r\n\r\n",
	};
	static const size_t at[] = { 8, 9, 6 };
	size_t head = strlen(CHUNKED_HEAD), k;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error(bad[k], 0, HTTP_ERR_CHUNK_DATA, head + at[k]);
}

static void
test_transfer_encoding_errors(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		 "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nxyz"),
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedx\r\n\r\n",
		"HTTP/1.1 200 OK\n\tTransfer-Encoding: chunked\n\n",
	};
	size_t k;

	(void)state;
	/* the verdict comes with the empty line ending the headers */
	for (k = 0; k + 1 < sizeof(bad) / sizeof(bad[0]); k++)
		check_error(bad[k], 0, HTTP_ERR_TRANSFER_ENCODING,
			    feed_off_of(bad[k], "\r\n\r\n") + 3);
	/* a folded TE is a header error, not silently chunked */
	check_error(bad[k], 0, HTTP_ERR_HEADER, 16);
}

static void
test_truncated(void **state)
{
	static const char *const cut[] = {
		"",
		"HTTP/1.1 200",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",
		"HTTP/1.1 200 OK\r\nContent-Len",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		CHUNKED_HEAD,
		CHUNKED_HEAD "5\r\nHel",
		CHUNKED_HEAD "5\r\nHello",
		CHUNKED_HEAD "5\r\nHello\r\n",
		CHUNKED_HEAD "5\r\nHello\r\n0\r\n",
		CHUNKED_HEAD "5\r\nHello\r\n0\r\nX-T: 1\r\n",
		"HTTP/1.1 100 Continue\r\n\r\n",
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cut) / sizeof(cut[0]); k++) {
		size_t len = strlen(cut[k]);
		struct feed_case tc = { .input = cut[k], .eof = 1 };
		struct expect e = {
			.st = HTTP_PARSE_ERROR,
			.err = HTTP_ERR_TRUNCATED,
			.skip_body = 1,
			.consumed = len,
			.error_offset = len,
		};

		if (len == 0) {
			/* no bytes at all: ask the parser directly */
			struct http_resp_parser p;

			http_resp_parser_init(&p, NULL, NULL, 0);
			assert_int_equal(http_resp_parse_eof(&p),
					 HTTP_PARSE_ERROR);
			assert_int_equal(p.error, HTTP_ERR_TRUNCATED);
			assert_int_equal(p.error_offset, 0);
			continue;
		}
		check_case(&tc, &e, 1);
	}
}

static void
test_callback_abort(void **state)
{
	static const char in[] =
		"HTTP/1.1 200 OK\r\nX-A: 1\r\nX-Abort: now\r\nX-B: 2\r\n"
		"Content-Length: 5\r\n\r\nhello";
	struct feed_case tc = { .input = in, .abort_at = ABORT_HEADER };
	struct expect e = {
		.st = HTTP_PARSE_ERROR,
		.err = HTTP_ERR_NONE,
		.headers = "X-A: 1\nX-Abort: now\n",
		.consumed = feed_off_of(in, "\nX-B"),
		.error_offset = feed_off_of(in, "\nX-B"),
	};

	(void)state;
	check_case(&tc, &e, 1);

	tc.abort_at = ABORT_HEADERS_DONE;
	e.headers = "X-A: 1\nX-Abort: now\nX-B: 2\nContent-Length: 5\n";
	e.consumed = feed_off_of(in, "\n\r\nhello") + 2;
	e.error_offset = e.consumed;
	check_case(&tc, &e, 1);

	/* where the body slice ends depends on the split: compare less */
	tc.abort_at = ABORT_BODY;
	tc.loose = 1;
	e.consumed = feed_off_of(in, "hello");
	e.error_offset = e.consumed;
	check_case(&tc, &e, 1);
}

static void
test_strerror(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < HTTP_ERR_MAX; i++) {
		const char *s = http_parse_strerror((enum http_parse_error)i);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(s, http_parse_strerror(
				(enum http_parse_error)j));
	}
	assert_non_null(http_parse_strerror(HTTP_ERR_MAX));
	assert_non_null(http_parse_strerror((enum http_parse_error)-1));
	assert_non_null(http_parse_strerror((enum http_parse_error)1000));
}

static void
test_null_callbacks(void **state)
{
	static const char in[] = CHUNKED_HEAD "3\r\nabc\r\n0\r\n\r\n";
	struct http_resp_callbacks none = { 0 };
	struct http_resp_parser p;

	(void)state;
	http_resp_parser_init(&p, &none, NULL, 0);
	assert_int_equal(http_resp_parse(&p, (const uint8_t *)in,
					 sizeof(in) - 1, NULL),
			 HTTP_PARSE_DONE);
	assert_int_equal(p.body_bytes, 3);
	assert_true(http_resp_parse_is_done(&p));
}

/* Parse in[0..len) in the given pieces with memo mo; returns the status. */
static enum http_parse_status
memo_parse(struct http_resp_memo *mo, const char *in, size_t cut, int head,
	   int with_header_cb, struct http_resp_parser *p)
{
	size_t len = strlen(in), used = 0;
	enum http_parse_status st;

	http_resp_parser_init(p, with_header_cb ? &header_only_callbacks :
			      NULL, NULL, head);
	http_resp_parser_set_memo(p, mo);
	if (cut == 0 || cut >= len)
		return http_resp_parse(p, (const uint8_t *)in, len, &used);
	st = http_resp_parse(p, (const uint8_t *)in, cut, &used);
	assert_int_equal(st, HTTP_PARSE_AGAIN);
	return http_resp_parse(p, (const uint8_t *)in + cut, len - cut, &used);
}

/* The memo: a head seen before is taken, not parsed, and only when it is
 * byte for byte the same, whole in one buffer, for the same kind of
 * request, in a parser without header callbacks. */
static void
test_memo_hits(void **state)
{
	static const char a[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		"Server: x\r\n\r\nhello";
	static const char b[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n"
		"Server: x\r\n\r\nhello!";
	static const char nobody[] = "HTTP/1.1 204 No Content\r\n"
		"Server: x\r\n\r\n";
	struct http_resp_memo mo;
	struct http_resp_parser *p = malloc(sizeof(*p));

	(void)state;
	assert_non_null(p);
	memset(&mo, 0, sizeof(mo));
	/* first seen: parsed and stored */
	assert_int_equal(memo_parse(&mo, a, 0, 0, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.records, 1);
	assert_int_equal(mo.base.hits, 0);
	/* again: taken, with the same outcome */
	assert_int_equal(memo_parse(&mo, a, 0, 0, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 1);
	assert_int_equal(p->status_code, 200);
	assert_int_equal(p->content_length, 5);
	assert_int_equal(p->body_bytes, 5);
	assert_int_equal(p->keep_alive, 1);
	assert_int_equal(p->body_kind, HTTP_BODY_LENGTH);
	/* cut in the body: the head was whole, so still taken */
	assert_int_equal(memo_parse(&mo, a, sizeof(a) - 3, 0, 0, p),
			 HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 2);
	assert_int_equal(p->body_bytes, 5);
	/* one byte different: parsed, and it is the memo's now */
	assert_int_equal(memo_parse(&mo, b, 0, 0, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 2);
	assert_int_equal(mo.base.records, 2);
	assert_int_equal(p->body_bytes, 6);
	/* a head cut in two: parsed, not stored */
	assert_int_equal(memo_parse(&mo, a, 20, 0, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.records, 2);
	assert_int_equal(p->body_bytes, 5);
	/* the memo's head after a HEAD request: no body there */
	assert_int_equal(memo_parse(&mo, b, 0, 1, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 2);
	assert_int_equal(p->body_bytes, 0);
	assert_int_equal(memo_parse(&mo, b, 0, 1, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 3);
	assert_int_equal(p->body_bytes, 0);
	assert_int_equal(p->body_kind, HTTP_BODY_NONE);
	/* a head with no body ends the response when taken */
	assert_int_equal(memo_parse(&mo, nobody, 0, 0, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(memo_parse(&mo, nobody, 0, 0, 0, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 4);
	assert_int_equal(p->status_code, 204);
	assert_true(http_resp_parse_is_done(p));
	/* a header callback must see every header: no memo then */
	assert_int_equal(memo_parse(&mo, nobody, 0, 0, 1, p), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 4);
	assert_int_equal(header_only_calls, 1);
	free(p);
}

/* Runs after every feed_check_case above: their memo runs did take
 * heads from the memo (a second whole run of each case), so the
 * equivalence they checked covered taken heads, not just parsed ones. */
static void
test_memo_used_by_feed_cases(void **state)
{
	(void)state;
	feed_check_memo_used(&feed_memo.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_bare_lf_and_case),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_chunked_ext_trailers),
		cmocka_unit_test(test_chunked_no_trailers),
		cmocka_unit_test(test_chunked_overrides_length),
		cmocka_unit_test(test_chunked_large),
		cmocka_unit_test(test_chunked_max_size),
		cmocka_unit_test(test_close_delimited),
		cmocka_unit_test(test_no_body_status),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_continue),
		cmocka_unit_test(test_switching_protocols),
		cmocka_unit_test(test_http10),
		cmocka_unit_test(test_connection_close),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_chunked_then_pipelined),
		cmocka_unit_test(test_chunk_line_limit),
		cmocka_unit_test(test_bad_status_line),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_space_before_colon),
		cmocka_unit_test(test_bad_header_line),
		cmocka_unit_test(test_obs_fold),
		cmocka_unit_test(test_header_too_long),
		cmocka_unit_test(test_too_many_headers),
		cmocka_unit_test(test_content_length_errors),
		cmocka_unit_test(test_content_length_max),
		cmocka_unit_test(test_bad_chunk_size),
		cmocka_unit_test(test_bad_chunk_data),
		cmocka_unit_test(test_transfer_encoding_errors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_callback_abort),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_control_bytes_in_long_values),
		cmocka_unit_test(test_null_callbacks),
		cmocka_unit_test(test_memo_hits),
		cmocka_unit_test(test_memo_used_by_feed_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
