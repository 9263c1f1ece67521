/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the HTTP/1.1 request parser.
 *
 * Every case is fed whole, byte by byte, and in FEED_RANDOM_SPLITS random
 * splits, and every way must give exactly the same result: TCP
 * segmentation must not change what the server sees.  The driver behaves
 * like a server on a keep-alive connection: one parser for the whole
 * stream, and after DONE it calls http_req_parser_reset() and goes on
 * with the bytes left over, so error offsets count from the start of the
 * connection.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_req_parse.h"
#include "feed_harness.h"

struct expect {
	enum http_parse_status st;
	enum http_req_error err;
	const char *method;	/* NULL: "GET" (unless an error) */
	const char *target;	/* NULL: "/" (unless an error) */
	int version_minor;
	int chunked;
	int keep_alive;
	int expect_continue;
	uint64_t content_length;
	const char *headers;	/* "name: value\n"...; NULL: not checked */
	const void *body;	/* NULL: empty (unless skip_body) */
	size_t body_len;
	int skip_body;
	int no_head;		/* AGAIN before the end of the head */
	size_t consumed;	/* input bytes belonging to this request */
	uint64_t error_offset;	/* checked when st is HTTP_PARSE_ERROR */
	int body_calls_whole;	/* when fed whole; 0: not checked */
};

/* What only the request parser reports (struct feed_result's priv). */
struct req_result {
	char method[HTTP_REQ_MAX_METHOD + 1];
	char *target;		/* as seen by headers_done */
	int version_minor;
	int chunked;
	int keep_alive;
	int expect_continue;
	uint64_t content_length;
};

static int
on_headers_done(void *arg, const struct http_req_parser *p)
{
	struct feed_ctx *ctx = arg;
	struct req_result *x = ctx->r->priv;

	assert_true(strlen(p->method) > 0);
	assert_true(strlen(p->method) <= HTTP_REQ_MAX_METHOD);
	assert_true(strlen(p->target) > 0);
	assert_true(strlen(p->target) <= HTTP_REQ_MAX_TARGET);
	assert_true(p->version_minor == 0 || p->version_minor == 1);
	assert_true(p->chunked == 0 || p->chunked == 1);
	assert_true(!p->chunked || p->content_length == 0);
	assert_int_equal(p->body_bytes, 0);
	assert_int_equal(p->error, HTTP_REQ_ERR_NONE);
	memcpy(x->method, p->method, sizeof(x->method));
	x->target = strdup(p->target);
	assert_non_null(x->target);
	return feed_on_headers_done(ctx);
}

static const struct http_req_callbacks callbacks = {
	.header = feed_on_header,
	.headers_done = on_headers_done,
	.body = feed_on_body,
};

/* The same without a header callback: the one-pass path. */
static const struct http_req_callbacks callbacks_no_header = {
	.header = NULL,
	.headers_done = on_headers_done,
	.body = feed_on_body,
};

/* Body only, with a memo (feed_ctx.memo): the server's parser. */
static const struct http_req_callbacks callbacks_body_only = {
	.body = feed_on_body,
};

/* Carried from run to run and case to case (feed_check_case, (e)). */
static struct http_req_memo feed_memo;

static void *
req_create(struct feed_ctx *ctx)
{
	struct http_req_parser *p = malloc(sizeof(*p));

	assert_non_null(p);
	/* garbage in the parser must not matter: init sets what counts */
	memset(p, 0xa5, sizeof(*p));
	if (ctx->memo) {
		http_req_parser_init(p, &callbacks_body_only, ctx);
		http_req_parser_set_memo(p, &feed_memo);
		return p;
	}
	http_req_parser_init(p, ctx->no_header_cb ? &callbacks_no_header :
			     &callbacks, ctx);
	return p;
}

static void
req_begin(void *p, struct feed_ctx *ctx, const struct feed_case *fc, int n)
{
	(void)ctx;
	(void)fc;
	if (n > 1)
		http_req_parser_reset(p);
}

static enum http_parse_status
req_parse(void *p, const uint8_t *data, size_t len, size_t *used)
{
	return http_req_parse(p, data, len, used);
}

static void
req_record(struct feed_result *r, const void *parser,
	   enum http_parse_status st)
{
	const struct http_req_parser *p = parser;
	struct req_result *x = r->priv;

	r->err = p->error;
	r->error_offset = p->error_offset;
	r->body_bytes = p->body_bytes;
	x->version_minor = p->version_minor;
	x->chunked = p->chunked;
	x->keep_alive = p->keep_alive;
	x->expect_continue = p->expect_continue;
	x->content_length = p->content_length;
	/* the server reads method and target once the request is DONE
	 * (without a headers_done callback, with a memo, only then) */
	if (st == HTTP_PARSE_DONE && r->headers_done_calls == 0) {
		memcpy(x->method, p->method, sizeof(x->method));
		x->target = strdup(p->target);
		assert_non_null(x->target);
	} else if (st == HTTP_PARSE_DONE) {
		assert_int_equal(r->headers_done_calls, 1);
		assert_string_equal(p->method, x->method);
		assert_string_equal(p->target, x->target);
	}
}

/* After DONE or ERROR the parser must stay put until reset. */
static void
req_check_sticky(void *parser, enum http_parse_status st)
{
	struct http_req_parser *p = parser;
	enum http_req_error err = p->error;
	uint64_t off = p->error_offset;
	size_t used = 99;

	assert_int_equal(http_req_parse(p, (const uint8_t *)"GET / ", 6,
					&used), st);
	assert_int_equal(used, 0);
	assert_int_equal(http_req_parse(p, (const uint8_t *)"x", 1, NULL), st);
	assert_int_equal(p->error, err);
	assert_int_equal(p->error_offset, off);
}

static void
req_free_priv(void *priv)
{
	struct req_result *x = priv;

	free(x->target);
}

static void
req_check_expect(const struct feed_case *fc, const struct feed_result *r,
		 const void *exp, int whole)
{
	const struct expect *e = exp;
	const struct req_result *x = r->priv;
	const struct feed_expect fe = FEED_EXPECT_OF(e);

	feed_check_expect(fc, r, &fe, whole);
	if (e->st == HTTP_PARSE_ERROR)
		return;
	if (e->no_head) {
		assert_int_equal(r->headers_done_calls, 0);
		return;
	}
	assert_int_equal(r->headers_done_calls, 1);
	assert_string_equal(x->method, e->method ? e->method : "GET");
	assert_string_equal(x->target, e->target ? e->target : "/");
	assert_int_equal(x->version_minor, e->version_minor);
	assert_int_equal(x->chunked, e->chunked);
	assert_int_equal(x->keep_alive, e->keep_alive);
	assert_int_equal(x->expect_continue, e->expect_continue);
	assert_int_equal(x->content_length, e->content_length);
}

static void
req_check_same(const struct feed_result *a, const struct feed_result *b)
{
	const struct req_result *x = a->priv, *y = b->priv;

	if (a->headers_done_calls == 0)
		return;
	/* a run with a memo has no headers_done: method and target are
	 * there once the request is DONE */
	if (b->headers_done_calls > 0 || b->st == HTTP_PARSE_DONE) {
		assert_string_equal(x->method, y->method);
		assert_string_equal(x->target, y->target);
	}
	assert_int_equal(x->version_minor, y->version_minor);
	assert_int_equal(x->chunked, y->chunked);
	assert_int_equal(x->keep_alive, y->keep_alive);
	assert_int_equal(x->expect_continue, y->expect_continue);
	assert_int_equal(x->content_length, y->content_length);
}

static const struct feed_ops req_ops = {
	.memo = 1,
	.priv_size = sizeof(struct req_result),
	.create = req_create,
	.begin = req_begin,
	.parse = req_parse,
	.eof = NULL,		/* no verdict from the close */
	.record = req_record,
	.check_sticky = req_check_sticky,
	.free_priv = req_free_priv,
	.check_expect = req_check_expect,
	.check_same = req_check_same,
};

static void
check_case(const struct feed_case *tc, const struct expect *exp, int nexp)
{
	feed_check_case(&req_ops, tc, exp, sizeof(*exp), nexp);
}

/*
 * A single malformed request that fails at error_offset, after the parser
 * took consumed bytes: a header value found bad is judged at the end of
 * its line, but error_offset still points into the value.
 */
static void
check_error_consumed(const char *input, enum http_req_error err,
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

/* A single malformed request that fails at (and stops at) error_offset. */
static void
check_error(const char *input, enum http_req_error err, size_t error_offset)
{
	check_error_consumed(input, err, error_offset, error_offset);
}

/* A single body-less request: method, target, version, keep-alive. */
static void
check_head_ok(const char *input, const char *method, const char *target,
	      int minor, int keep_alive, int expect_continue)
{
	struct feed_case tc = { .input = input };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.method = method,
		.target = target,
		.version_minor = minor,
		.keep_alive = keep_alive,
		.expect_continue = expect_continue,
		.consumed = strlen(input),
	};

	check_case(&tc, &e, 1);
}

/* A single POST with a body (chunked or by length), with nothing after. */
static void
check_post_ok(const char *input, int minor, int keep_alive, int chunked,
	      const char *body)
{
	struct feed_case tc = { .input = input };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.method = "POST",
		.version_minor = minor,
		.chunked = chunked,
		.keep_alive = keep_alive,
		/* a chunked request reports no length */
		.content_length = chunked ? 0 : strlen(body),
		.body = body,
		.body_len = strlen(body),
		.consumed = strlen(input),
	};

	check_case(&tc, &e, 1);
}

/* A single request with a Content-Length body, fed with nothing after. */
static void
check_length_ok(const char *input, int minor, int keep_alive,
		const char *body)
{
	check_post_ok(input, minor, keep_alive, 0, body);
}

/* A single chunked request, fed with nothing after. */
static void
check_chunked_ok(const char *input, int minor, int keep_alive,
		 const char *body)
{
	check_post_ok(input, minor, keep_alive, 1, body);
}

/* check_head_ok() over a table */
struct head_ok {
	const char *input;
	const char *method;
	const char *target;
	int minor;
	int keep_alive;
	int expect_continue;
};

static void
check_heads_ok(const struct head_ok *t, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		check_head_ok(t[k].input, t[k].method, t[k].target,
			      t[k].minor, t[k].keep_alive,
			      t[k].expect_continue);
}

/* check_length_ok() over a table */
struct length_ok {
	const char *input;
	int minor;
	int keep_alive;
	const char *body;
};

static void
check_lengths_ok(const struct length_ok *t, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		check_length_ok(t[k].input, t[k].minor, t[k].keep_alive,
				t[k].body);
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- */

static void
test_get(void **state)
{
	static const char in[] =
		"GET /index.html?q=1&r=%20 HTTP/1.1\r\n"
		"Host: example.com\r\n"
		"User-Agent: dpfetch-test\r\n"
		"Accept: */*\r\n"
		"X-Empty:\r\n"
		"X-Spaces: \t a  b \t \r\n"
		"\r\n";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.target = "/index.html?q=1&r=%20",
		.version_minor = 1,
		.keep_alive = 1,
		.headers = "Host: example.com\n"
			   "User-Agent: dpfetch-test\n"
			   "Accept: */*\n"
			   "X-Empty: \n"
			   "X-Spaces: a  b\n",
		.consumed = sizeof(in) - 1,
	};
	/* bare LF everywhere, no headers at all, any token is a method */
	static const struct head_ok more[] = {
		{ "HEAD / HTTP/1.1\n\n", "HEAD", "/", 1, 1, 0 },
		{ "M-SEARCH * HTTP/1.1\r\nHost: x\r\n\r\n", "M-SEARCH", "*",
		  1, 1, 0 },
		{ "get /a HTTP/1.1\r\n\r\n", "get", "/a", 1, 1, 0 },
		{ "!#$%&'*+-.^_`|~z /x HTTP/1.1\r\n\r\n", "!#$%&'*+-.^_`|~z",
		  "/x", 1, 1, 0 },
	};

	(void)state;
	check_case(&tc, &e, 1);
	check_heads_ok(more, NELEM(more));
}

static void
test_post_length(void **state)
{
	static const char in[] =
		"POST /upload HTTP/1.1\r\n"
		"Host: example.com\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 13\r\n"
		"\r\n"
		"Hello, world!";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.method = "POST",
		.target = "/upload",
		.version_minor = 1,
		.keep_alive = 1,
		.content_length = 13,
		.headers = "Host: example.com\n"
			   "Content-Type: text/plain\n"
			   "Content-Length: 13\n",
		.body = "Hello, world!",
		.body_len = 13,
		.consumed = sizeof(in) - 1,
		.body_calls_whole = 1,	/* one slice, not one per byte */
	};

	/* bare LF, case, a repeated equal length, an explicit zero */
	static const struct length_ok more[] = {
		{ "POST / HTTP/1.1\ncontent-LENGTH:5\n\nabcde", 1, 1, "abcde" },
		{ "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n"
		  "Content-Length: 2\r\n\r\nok", 1, 1, "ok" },
		{ "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 1, 1, "" },
		{ "POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n1234567", 1, 1,
		  "1234567" },
	};

	(void)state;
	check_case(&tc, &e, 1);
	check_lengths_ok(more, NELEM(more));
}

static void
test_content_length_max(void **state)
{
	static const char in[] =
		"POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n"
		"\r\nabc";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_AGAIN,
		.method = "POST",
		.version_minor = 1,
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
test_chunked_ext_trailers(void **state)
{
	static const char in[] =
		"POST /submit HTTP/1.1\r\n"
		"Host: h\r\n"
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
		.method = "POST",
		.target = "/submit",
		.version_minor = 1,
		.chunked = 1,
		.keep_alive = 1,
		/* trailers are not delivered */
		.headers = "Host: h\n"
			   "Transfer-Encoding: Chunked\n"
			   "Trailer: X-Checksum\n",
		.body = "Hello, world!",
		.body_len = 13,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_chunked_variants(void **state)
{
	static const char gz[] =
		"POST / HTTP/1.1\r\n"
		"Transfer-Encoding: gzip, chunked\r\n"
		"\r\n"
		"3\r\nabc\r\n0\r\n\r\n";
	/* RFC 9112 6.1: TE wins, but the connection is not reused */
	static const char both[] =
		"POST / HTTP/1.1\r\n"
		"Content-Length: 100\r\n"
		"Transfer-Encoding: gzip\r\n"
		"Transfer-Encoding: chunked\r\n"
		"\r\n"
		"3\r\nabc\r\n0\r\n\r\n";
	static const char empty[] =
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";

	(void)state;
	check_chunked_ok(gz, 1, 1, "abc");
	/* the Content-Length is ignored, so not reported */
	check_chunked_ok(both, 1, 0, "abc");
	check_chunked_ok(empty, 1, 1, "");
}

#define CHUNKED_HEAD "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"

static void
test_chunked_large(void **state)
{
	static char in[1 << 20];
	static uint8_t body[1 << 20];
	size_t len, blen;
	struct feed_case tc;
	struct expect e;

	(void)state;
	/* data full of CR, LF and request lines not to be parsed */
	len = feed_chunked_large(in, sizeof(in), CHUNKED_HEAD,
				 "GET / HTTP/1.1\r\n\r\n0;", body, &blen);

	tc = (struct feed_case){ .input = in, .len = len };
	e = (struct expect){
		.st = HTTP_PARSE_DONE,
		.method = "POST",
		.version_minor = 1,
		.chunked = 1,
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
	static const char in[] = CHUNKED_HEAD "FFFFFFFFFFFFFFFF\r\nabc";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_AGAIN,
		.method = "POST",
		.version_minor = 1,
		.chunked = 1,
		.keep_alive = 1,
		.body = "abc",
		.body_len = 3,
		.consumed = sizeof(in) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);
}

static void
test_http10(void **state)
{
	static const struct head_ok heads[] = {
		{ "GET / HTTP/1.0\r\n\r\n", "GET", "/", 0, 0, 0 },
		{ "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
		  "GET", "/", 0, 1, 0 },
		{ "GET / HTTP/1.0\r\nConnection: foo, keep-alive\r\n\r\n",
		  "GET", "/", 0, 1, 0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
		  "GET", "/", 0, 0, 0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alived\r\n\r\n",
		  "GET", "/", 0, 0, 0 },
		/* an HTTP/1.0 client cannot expect 100 (RFC 9110 10.1.1) */
		{ "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
		  "GET", "/", 0, 0, 0 },
	};
	static const struct length_ok lengths[] = {
		{ "POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
		  "Content-Length: 3\r\n\r\nabc", 0, 1, "abc" },
		{ "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", 0, 0,
		  "abc" },
	};

	(void)state;
	check_heads_ok(heads, NELEM(heads));
	check_lengths_ok(lengths, NELEM(lengths));

	/* chunked from an HTTP/1.0 client: decoded, but not reused */
	check_chunked_ok("POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
			 0, 0, "x");
}

static void
test_higher_minor(void **state)
{
	/* decision: HTTP/1.x with x > 1 is served as 1.1 (RFC 9110 2.5) */
	static const struct head_ok heads[] = {
		{ "GET / HTTP/1.2\r\n\r\n", "GET", "/", 1, 1, 0 },
		{ "GET / HTTP/1.9\r\nConnection: close\r\n\r\n", "GET", "/",
		  1, 0, 0 },
	};

	(void)state;
	check_heads_ok(heads, NELEM(heads));
}

static void
test_connection_close(void **state)
{
	static const struct head_ok heads[] = {
		{ "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
		  "GET", "/", 1, 0, 0 },
		{ "GET / HTTP/1.1\r\nConnection: foo ,  CLOSE ,bar\r\n\r\n",
		  "GET", "/", 1, 0, 0 },
		{ "GET / HTTP/1.1\r\nconnection: Upgrade\r\n"
		  "CONNECTION: Close\r\n\r\n", "GET", "/", 1, 0, 0 },
		/* not the token "close" */
		{ "GET / HTTP/1.1\r\nConnection: closed, xclose\r\n"
		  "X-Connection: close\r\n\r\n", "GET", "/", 1, 1, 0 },
		{ "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
		  "GET", "/", 1, 1, 0 },
	};

	(void)state;
	check_heads_ok(heads, NELEM(heads));
	check_length_ok("POST / HTTP/1.1\r\nConnection: close\r\n"
			"Content-Length: 1\r\n\r\nz", 1, 0, "z");
}

static void
test_expect_continue(void **state)
{
	static const char in[] =
		"PUT /big HTTP/1.1\r\n"
		"Expect: 100-Continue\r\n"
		"Content-Length: 4\r\n"
		"\r\n"
		"data";
	struct feed_case tc = { .input = in };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.method = "PUT",
		.target = "/big",
		.version_minor = 1,
		.keep_alive = 1,
		.expect_continue = 1,
		.content_length = 4,
		.headers = "Expect: 100-Continue\nContent-Length: 4\n",
		.body = "data",
		.body_len = 4,
		.consumed = sizeof(in) - 1,
	};
	static const struct head_ok heads[] = {
		{ "GET / HTTP/1.1\r\nexpect:100-continue \r\n\r\n",
		  "GET", "/", 1, 1, 1 },
		{ "GET / HTTP/1.1\r\nExpect: foo, 100-CONTINUE\r\n\r\n",
		  "GET", "/", 1, 1, 1 },
		{ "GET / HTTP/1.1\r\nExpect: 100-continued\r\n"
		  "X-Expect: 100-continue\r\n\r\n", "GET", "/", 1, 1, 0 },
		{ "GET / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n",
		  "GET", "/", 1, 1, 0 },
	};

	(void)state;
	check_case(&tc, &e, 1);
	check_heads_ok(heads, NELEM(heads));
}

static void
test_target_forms(void **state)
{
	static const struct head_ok heads[] = {
		{ "GET http://example.com:8080/a/b?c=d#e HTTP/1.1\r\n"
		  "Host: example.com:8080\r\n\r\n", "GET",
		  "http://example.com:8080/a/b?c=d#e", 1, 1, 0 },
		{ "OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS", "*", 1, 1, 0 },
		{ "CONNECT example.com:443 HTTP/1.1\r\n\r\n", "CONNECT",
		  "example.com:443", 1, 1, 0 },
		{ "GET /~!$&'()*+,;=:@[]{}|\\^`\"<> HTTP/1.1\r\n\r\n",
		  "GET", "/~!$&'()*+,;=:@[]{}|\\^`\"<>", 1, 1, 0 },
	};
	char *in, *target;
	int n;

	(void)state;
	check_heads_ok(heads, NELEM(heads));

	/* the longest target and the longest method are fine */
	in = malloc(HTTP_REQ_MAX_TARGET + 64);
	target = malloc(HTTP_REQ_MAX_TARGET + 1);
	assert_non_null(in);
	assert_non_null(target);
	memset(target, 'x', HTTP_REQ_MAX_TARGET);
	target[0] = '/';
	target[HTTP_REQ_MAX_TARGET] = '\0';
	n = snprintf(in, HTTP_REQ_MAX_TARGET + 64,
		     "ABCDEFGHIJKLMNOP %s HTTP/1.1\r\n\r\n", target);
	assert_true(n > 0);
	check_head_ok(in, "ABCDEFGHIJKLMNOP", target, 1, 1, 0);
	free(in);
	free(target);
}

static void
test_leading_empty_lines(void **state)
{
	static const char in[] = "\r\n\n\r\nGET / HTTP/1.1\r\n\r\n";
	char buf[256];
	int k, n;

	(void)state;
	check_head_ok(in, "GET", "/", 1, 1, 0);

	/* up to 8 are skipped */
	n = 0;
	for (k = 0; k < 8; k++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n");
	snprintf(buf + n, sizeof(buf) - (size_t)n, "GET / HTTP/1.1\r\n\r\n");
	check_head_ok(buf, "GET", "/", 1, 1, 0);

	/* the ninth is refused where it starts */
	snprintf(buf + n, sizeof(buf) - (size_t)n,
		 "\nGET / HTTP/1.1\r\n\r\n");
	check_error(buf, HTTP_REQ_ERR_REQUEST_LINE, (size_t)n);

	/* a lone CR is not an empty line */
	check_error("\r\r\nGET / HTTP/1.1\r\n\r\n", HTTP_REQ_ERR_REQUEST_LINE,
		    1);

	/* nothing but empty lines: just waiting */
	check_case(&(struct feed_case){ .input = "\r\n\r\n" },
		   &(struct expect){ .st = HTTP_PARSE_AGAIN, .no_head = 1,
				     .consumed = 4 }, 1);
}

static void
test_pipelined(void **state)
{
	static const char first[] =
		"GET /one HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char second[] =
		"POST /two HTTP/1.1\r\n"
		"Content-Length: 11\r\n"
		"\r\n"
		"GET /x HTTP";	/* a body that looks like a request */
	static const char third[] =
		"\r\nGET /three HTTP/1.1\r\nConnection: close\r\n\r\n";
	char in[sizeof(first) + sizeof(second) + sizeof(third)];
	struct feed_case tc = { .input = in };
	struct expect e[3] = {
		{
			.st = HTTP_PARSE_DONE,
			.target = "/one",
			.version_minor = 1,
			.keep_alive = 1,
			.headers = "Host: a\n",
			.consumed = sizeof(first) - 1,
		},
		{
			.st = HTTP_PARSE_DONE,
			.method = "POST",
			.target = "/two",
			.version_minor = 1,
			.keep_alive = 1,
			.content_length = 11,
			.headers = "Content-Length: 11\n",
			.body = "GET /x HTTP",
			.body_len = 11,
			.consumed = sizeof(second) - 1,
		},
		{
			/* the CRLF a client may send after a body: skipped */
			.st = HTTP_PARSE_DONE,
			.target = "/three",
			.version_minor = 1,
			.keep_alive = 0,
			.headers = "Connection: close\n",
			.consumed = sizeof(third) - 1,
		},
	};
	struct http_req_parser p;
	size_t used, total, at;

	(void)state;
	snprintf(in, sizeof(in), "%s%s%s", first, second, third);
	total = strlen(in);
	check_case(&tc, e, 3);

	/* by hand: each call stops exactly at the request boundary */
	http_req_parser_init(&p, NULL, NULL);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)in, total,
					&used), HTTP_PARSE_DONE);
	assert_int_equal(used, sizeof(first) - 1);
	assert_string_equal(p.target, "/one");
	at = used;
	http_req_parser_reset(&p);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)in + at,
					total - at, &used), HTTP_PARSE_DONE);
	assert_int_equal(used, sizeof(second) - 1);
	assert_string_equal(p.method, "POST");
	assert_int_equal(p.body_bytes, 11);
	at += used;
	http_req_parser_reset(&p);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)in + at,
					total - at, &used), HTTP_PARSE_DONE);
	assert_int_equal(used, sizeof(third) - 1);
	assert_string_equal(p.target, "/three");
	assert_int_equal(p.keep_alive, 0);
	assert_int_equal(at + used, total);
}

/*
 * The body machine's ends, then the next request on the connection: an
 * empty chunked body, and a chunked body whose trailers carry framing
 * fields (checked for syntax only: they change nothing).
 */
static void
test_chunked_then_pipelined(void **state)
{
	static const char *const part[4] = {
		"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		"0\r\n\r\n",
		"GET /b HTTP/1.1\r\n\r\n",
		"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		"2;x=\"a;b\"\r\nhi\r\n0;last\r\n"
		"Content-Length: zz\r\n"
		"Transfer-Encoding: gzip\r\n"
		"Connection: close\r\n"
		"\r\n",
		"GET /d HTTP/1.1\r\n\r\n",
	};
	char in[512];
	struct feed_case tc = { .input = in };
	struct expect e[4] = { {
		.st = HTTP_PARSE_DONE, .method = "POST", .target = "/a",
		.version_minor = 1, .chunked = 1, .keep_alive = 1,
		.consumed = strlen(part[0]),
	} };

	(void)state;
	/* the GETs: no body, no framing */
	e[1] = e[0];
	e[1].method = NULL;
	e[1].target = "/b";
	e[1].chunked = 0;
	e[1].headers = "";
	e[1].consumed = strlen(part[1]);
	e[3] = e[1];
	e[3].target = "/d";
	e[3].consumed = strlen(part[3]);
	e[2] = e[0];
	e[2].target = "/c";
	e[2].headers = "Transfer-Encoding: chunked\n";
	e[2].body = "hi";
	e[2].body_len = 2;
	e[2].consumed = strlen(part[2]);
	snprintf(in, sizeof(in), "%s%s%s%s", part[0], part[1], part[2],
		 part[3]);
	check_case(&tc, e, 4);
}

/* Trailers have their own count: a full header section, then as many. */
static void
test_trailer_limits(void **state)
{
	size_t cap = 64 + 24 * (2 * HTTP_MAX_HEADERS + 1), n, k, at = 0;
	char *in = malloc(cap);

	(void)state;
	assert_non_null(in);
	for (n = HTTP_MAX_HEADERS; n <= HTTP_MAX_HEADERS + 1; n++) {
		int len = snprintf(in, cap, "POST / HTTP/1.1\r\n");

		for (k = 0; k + 1 < HTTP_MAX_HEADERS; k++)
			len += snprintf(in + len, cap - len, "H%zu: v\r\n", k);
		len += snprintf(in + len, cap - len,
				"Transfer-Encoding: chunked\r\n\r\n0\r\n");
		for (k = 0; k < n; k++) {
			at = (size_t)len;
			len += snprintf(in + len, cap - len, "T%zu: v\r\n", k);
		}
		snprintf(in + len, cap - len, "\r\n");
		if (n == HTTP_MAX_HEADERS)
			check_chunked_ok(in, 1, 1, "");
		else
			check_error(in, HTTP_REQ_ERR_TOO_MANY_HEADERS, at);
	}
	free(in);
}

/*
 * The chunk-size line's limit counts every byte after the digits: BWS,
 * the ';' and the extensions alike.
 */
static void
test_chunk_line_limit(void **state)
{
	size_t head = strlen(CHUNKED_HEAD);
	char in[HTTP_MAX_CHUNK_EXT + 128];

	(void)state;
	snprintf(in, sizeof(in), CHUNKED_HEAD "1%*s\r\nx\r\n0\r\n\r\n",
		 HTTP_MAX_CHUNK_EXT, "");
	check_chunked_ok(in, 1, 1, "x");
	snprintf(in, sizeof(in), CHUNKED_HEAD "1%*s\r\nx\r\n0\r\n\r\n",
		 HTTP_MAX_CHUNK_EXT + 1, "");
	check_error(in, HTTP_REQ_ERR_CHUNK_SIZE, head + 1 + HTTP_MAX_CHUNK_EXT);
	/* BWS, then an extension: the same count */
	snprintf(in, sizeof(in), CHUNKED_HEAD "01%*s;%0*d\r\nx\r\n0\r\n\r\n",
		 10, "", HTTP_MAX_CHUNK_EXT - 11, 0);
	check_chunked_ok(in, 1, 1, "x");
	snprintf(in, sizeof(in), CHUNKED_HEAD "01%*s;%0*d\r\nx\r\n0\r\n\r\n",
		 10, "", HTTP_MAX_CHUNK_EXT - 10, 0);
	check_error(in, HTTP_REQ_ERR_CHUNK_SIZE, head + 2 + HTTP_MAX_CHUNK_EXT);
	/* in the last chunk's line too */
	snprintf(in, sizeof(in), CHUNKED_HEAD "0;%0*d\r\n\r\n",
		 HTTP_MAX_CHUNK_EXT, 0);
	check_error(in, HTTP_REQ_ERR_CHUNK_SIZE, head + 1 + HTTP_MAX_CHUNK_EXT);
}

static void
test_pipelined_error_offset(void **state)
{
	/* error offsets count from the start of the connection */
	static const char in[] =
		"GET / HTTP/1.1\r\n\r\n"
		"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
		"GET / HTTP/2.0\r\n\r\n";
	size_t third = feed_off_of(in, "ok") + 2;
	struct feed_case tc = { .input = in };
	struct expect e[3] = {
		{
			.st = HTTP_PARSE_DONE,
			.version_minor = 1,
			.keep_alive = 1,
			.consumed = feed_off_of(in, "POST"),
		},
		{
			.st = HTTP_PARSE_DONE,
			.method = "POST",
			.version_minor = 1,
			.keep_alive = 1,
			.content_length = 2,
			.body = "ok",
			.body_len = 2,
			.consumed = third - feed_off_of(in, "POST"),
		},
		{
			.st = HTTP_PARSE_ERROR,
			.err = HTTP_REQ_ERR_VERSION,
			.skip_body = 1,
			.consumed = 11,
			.error_offset = third + 11,
		},
	};

	(void)state;
	check_case(&tc, e, 3);
}

/* ---------------------------------------------------------------- */
/* errors */

static void
test_bad_method(void **state)
{
	static const char *const bad[] = {
		"G(T / HTTP/1.1\r\n\r\n",
		"GE\"T / HTTP/1.1\r\n\r\n",
		"GET\t/ HTTP/1.1\r\n\r\n",
		"GET/ HTTP/1.1\r\n\r\n",	/* no space before target */
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",	/* TLS */
		"G\xc3\x89T / HTTP/1.1\r\n\r\n",
		"GET:/ HTTP/1.1\r\n\r\n",
		"\x7f / HTTP/1.1\r\n\r\n",
	};
	static const size_t at[] = { 1, 2, 3, 3, 0, 1, 3, 0 };
	char buf[64];
	size_t k;

	(void)state;
	assert_int_equal(sizeof(bad) / sizeof(bad[0]),
			 sizeof(at) / sizeof(at[0]));
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error(bad[k], HTTP_REQ_ERR_METHOD, at[k]);

	/* a NUL is not a token character either */
	check_case(&(struct feed_case){ .input = "GE\0T / HTTP/1.1\r\n\r\n",
				    .len = 19 },
		   &(struct expect){ .st = HTTP_PARSE_ERROR,
				     .err = HTTP_REQ_ERR_METHOD,
				     .skip_body = 1, .consumed = 2,
				     .error_offset = 2 }, 1);

	/* one byte longer than HTTP_REQ_MAX_METHOD */
	snprintf(buf, sizeof(buf), "%0*d / HTTP/1.1\r\n\r\n",
		 HTTP_REQ_MAX_METHOD + 1, 0);
	check_error(buf, HTTP_REQ_ERR_METHOD, HTTP_REQ_MAX_METHOD);
	snprintf(buf, sizeof(buf), "%0*d", HTTP_REQ_MAX_METHOD + 20, 0);
	check_error(buf, HTTP_REQ_ERR_METHOD, HTTP_REQ_MAX_METHOD);
}

static void
test_bad_request_line(void **state)
{
	static const char *const bad[] = {
		" GET / HTTP/1.1\r\n\r\n",
		"GET\r\n\r\n",
		"GET\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET /a\001b HTTP/1.1\r\n\r\n",
		"GET /\xc3\xa9 HTTP/1.1\r\n\r\n",
		"GET /\x7f HTTP/1.1\r\n\r\n",
		"GET /\r\n\r\n",		/* HTTP/0.9 */
		"GET / \r\n\r\n",
		"GET /\tHTTP/1.1\r\n\r\n",
		"GET /  HTTP/1.1\r\n\r\n",
		"GET / http/1.1\r\n\r\n",
		"GET / HTTPS/1.1\r\n\r\n",
		"GET / HTTP/1.x\r\n\r\n",
		"GET / HTTP/1,1\r\n\r\n",
		"GET / HTTP/1.10\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n",
		"GET / HTTP/1.1\rX\n\r\n",
		"GET / HTTP/1\r\n\r\n",
		"GET / HTTP/x.1\r\n\r\n",
		"GET / HTTP/11.1\r\n\r\n",
		"GET / HTTP/1.1 extra\r\n\r\n",
		"hello world\r\n\r\n",
		"\r\r\n",
	};
	static const size_t at[] = {
		0, 3, 3, 4, 6, 5, 5, 5, 6, 5, 6, 6, 10, 13, 12, 14, 14, 15,
		12, 11, 12, 14, 11, 1,
	};
	size_t k;

	(void)state;
	assert_int_equal(sizeof(bad) / sizeof(bad[0]),
			 sizeof(at) / sizeof(at[0]));
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error(bad[k], HTTP_REQ_ERR_REQUEST_LINE, at[k]);
}

static void
test_target_too_long(void **state)
{
	size_t cap = HTTP_REQ_MAX_TARGET + 256;
	char *in = malloc(cap);

	(void)state;
	assert_non_null(in);
	snprintf(in, cap, "GET /%0*d HTTP/1.1\r\n\r\n", HTTP_REQ_MAX_TARGET,
		 0);
	check_error(in, HTTP_REQ_ERR_TARGET_TOO_LONG,
		    4 + HTTP_REQ_MAX_TARGET);
	/* the limit is hit mid-run, whatever follows */
	snprintf(in, cap, "GET http://x/%0*d", HTTP_REQ_MAX_TARGET + 100, 0);
	check_error(in, HTTP_REQ_ERR_TARGET_TOO_LONG,
		    4 + HTTP_REQ_MAX_TARGET);
	free(in);
}

static void
test_bad_version(void **state)
{
	(void)state;
	check_error("GET / HTTP/2.0\r\n\r\n", HTTP_REQ_ERR_VERSION, 11);
	check_error("GET / HTTP/2\r\n\r\n", HTTP_REQ_ERR_VERSION, 11);
	check_error("GET / HTTP/0.9\r\n\r\n", HTTP_REQ_ERR_VERSION, 11);
	check_error("GET / HTTP/3.0\r\n\r\n", HTTP_REQ_ERR_VERSION, 11);
	check_error("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP_REQ_ERR_VERSION,
		    11);
}

static void
test_space_before_colon(void **state)
{
	static const char in[] =
		"POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello";
	static const char tab[] =
		"POST / HTTP/1.1\r\nContent-Length\t: 5\r\n\r\nhello";

	(void)state;
	check_error(in, HTTP_REQ_ERR_HEADER, feed_off_of(in, " :"));
	check_error(tab, HTTP_REQ_ERR_HEADER, feed_off_of(tab, "\t:"));
}

static void
test_bad_header_line(void **state)
{
	/* "GET / HTTP/1.1\r\n" is 16 bytes */
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n: empty name\r\n\r\n",
		"GET / HTTP/1.1\r\nNo-Colon\r\n\r\n",
		"GET / HTTP/1.1\r\nBad(Name): x\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Ctl: a\001b\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Nul: a\0b\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Cr: a\rb\r\n\r\n",
		"GET / HTTP/1.1\r\nX-A: 1\r\n\rX",
	};
	static const size_t at[] = { 16, 24, 19, 24, 24, 24, 25 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct feed_case tc = { .input = bad[k],
				    .len = k == 4 ? 30 : 0 };
		struct expect e = {
			.st = HTTP_PARSE_ERROR,
			.err = HTTP_REQ_ERR_HEADER,
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
		"GET / HTTP/1.1\r\n"
		"X-A: 1\r\n"
		"  continued\r\n"
		"\r\n";
	static const char first[] =
		"GET / HTTP/1.1\r\n"
		"\tHost: x\r\n"
		"\r\n";
	/* a folded Transfer-Encoding must not be silently honoured */
	static const char te[] =
		"POST / HTTP/1.1\nContent-Length: 3\n\tTransfer-Encoding: "
		"chunked\n\nabc";

	(void)state;
	check_error(in, HTTP_REQ_ERR_HEADER, feed_off_of(in, "  continued"));
	check_error(first, HTTP_REQ_ERR_HEADER, feed_off_of(first, "\t"));
	check_error(te, HTTP_REQ_ERR_HEADER, feed_off_of(te, "\t"));
}

static void
test_header_too_long(void **state)
{
	size_t head = strlen("GET / HTTP/1.1\r\n");
	size_t cap = HTTP_MAX_HEADER_LINE + 256;
	char *in = malloc(cap);
	char *expect_hdr = malloc(cap);
	size_t vlen = HTTP_MAX_HEADER_LINE - strlen("X-Long:");
	int n;

	(void)state;
	assert_non_null(in);
	assert_non_null(expect_hdr);

	/* exactly HTTP_MAX_HEADER_LINE bytes of name, colon and value */
	n = snprintf(in, cap, "GET / HTTP/1.1\r\nX-Long:%0*d\r\n"
		     "Host: h\r\n\r\n", (int)vlen, 7);
	assert_true(n > 0 && (size_t)n < cap);
	snprintf(expect_hdr, cap, "X-Long: %0*d\nHost: h\n", (int)vlen, 7);
	check_case(&(struct feed_case){ .input = in },
		   &(struct expect){
			.st = HTTP_PARSE_DONE,
			.version_minor = 1,
			.keep_alive = 1,
			.headers = expect_hdr,
			.consumed = (size_t)n,
		   }, 1);

	/* one byte more */
	snprintf(in, cap, "GET / HTTP/1.1\r\nX-Long:%0*d\r\n\r\n",
		 (int)vlen + 1, 7);
	check_error(in, HTTP_REQ_ERR_HEADER_TOO_LONG,
		    head + HTTP_MAX_HEADER_LINE);

	/* a name that never ends */
	snprintf(in, cap, "GET / HTTP/1.1\r\n%0*d: x\r\n\r\n",
		 HTTP_MAX_HEADER_LINE + 10, 0);
	check_error(in, HTTP_REQ_ERR_HEADER_TOO_LONG,
		    head + HTTP_MAX_HEADER_LINE);

	/* trailers have the same limit */
	snprintf(in, cap, CHUNKED_HEAD "0\r\nX:%0*d\r\n\r\n",
		 HTTP_MAX_HEADER_LINE, 0);
	check_error(in, HTTP_REQ_ERR_HEADER_TOO_LONG,
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
	len = (size_t)snprintf(in, cap, "GET / HTTP/1.1\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		len += (size_t)snprintf(in + len, cap - len, "X-H%d: %d\r\n",
					i, i);
	len += (size_t)snprintf(in + len, cap - len, "\r\n");
	check_case(&(struct feed_case){ .input = in },
		   &(struct expect){
			.st = HTTP_PARSE_DONE,
			.version_minor = 1,
			.keep_alive = 1,
			.consumed = len,
		   }, 1);

	/* one more */
	len = (size_t)snprintf(in, cap, "GET / HTTP/1.1\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS + 1; i++) {
		last_line = len;
		len += (size_t)snprintf(in + len, cap - len, "X-H%d: %d\r\n",
					i, i);
	}
	snprintf(in + len, cap - len, "\r\n");
	check_error(in, HTTP_REQ_ERR_TOO_MANY_HEADERS, last_line);

	/* the trailer section has its own count, with the same limit */
	len = (size_t)snprintf(in, cap, CHUNKED_HEAD "0\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS + 1; i++) {
		last_line = len;
		len += (size_t)snprintf(in + len, cap - len, "T%d: %d\r\n",
					i, i);
	}
	snprintf(in + len, cap - len, "\r\n");
	check_error(in, HTTP_REQ_ERR_TOO_MANY_HEADERS, last_line);
	free(in);
}

static void
test_content_length_errors(void **state)
{
	/* "POST / HTTP/1.1\r\n" is 17 bytes */
	static const char *const bad[] = {
		"POST / HTTP/1.1\r\nContent-Length: 5\r\n"
		"Content-Length: 6\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: 5a\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: 5 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length:\r\n\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n"
		"\r\nhello",
		"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n"
		"\r\nhello",
	};
	static const size_t at[] = {
		52, 36, 33, 33, 34, 34, 34, 35, 32, 52, 52,
	};
	size_t k;

	(void)state;
	/* each is the last header: judged at the LF ending its line */
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error_consumed(bad[k], HTTP_REQ_ERR_CONTENT_LENGTH, at[k],
				     feed_off_of(bad[k], "\r\n\r\n") + 1);
}

static void
test_transfer_encoding_errors(void **state)
{
	static const char *const bad[] = {
		"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxyz",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		 "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nxyz"),
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunkedx\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
		"POST / HTTP/1.0\r\nTransfer-Encoding: gzip\r\n"
		"Content-Length: 3\r\n\r\nxyz",
	};
	size_t k;

	(void)state;
	/* the verdict comes with the empty line ending the headers */
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		check_error(bad[k], HTTP_REQ_ERR_TRANSFER_ENCODING,
			    feed_off_of(bad[k], "\r\n\r\n") + 3);
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
		check_error(bad[k], HTTP_REQ_ERR_CHUNK_SIZE, head + at[k]);

	/* the longest extension is fine, one byte more is not */
	snprintf(ext, sizeof(ext), CHUNKED_HEAD "1;%0*d\r\nx\r\n0\r\n\r\n",
		 HTTP_MAX_CHUNK_EXT - 1, 0);
	check_chunked_ok(ext, 1, 1, "x");
	snprintf(ext, sizeof(ext), CHUNKED_HEAD "1;%0*d\r\nx\r\n0\r\n\r\n",
		 HTTP_MAX_CHUNK_EXT, 0);
	check_error(ext, HTTP_REQ_ERR_CHUNK_SIZE,
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
		check_error(bad[k], HTTP_REQ_ERR_CHUNK_DATA, head + at[k]);
}

static void
test_callback_abort(void **state)
{
	static const char in[] =
		"POST / HTTP/1.1\r\nX-A: 1\r\nX-Abort: now\r\nX-B: 2\r\n"
		"Content-Length: 5\r\n\r\nhello";
	struct feed_case tc = { .input = in, .abort_at = ABORT_HEADER };
	struct expect e = {
		.st = HTTP_PARSE_ERROR,
		.err = HTTP_REQ_ERR_NONE,
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
test_error_status(void **state)
{
	static const struct {
		enum http_req_error err;
		int status;
	} map[] = {
		{ HTTP_REQ_ERR_REQUEST_LINE, 400 },
		{ HTTP_REQ_ERR_METHOD, 400 },
		{ HTTP_REQ_ERR_TARGET_TOO_LONG, 414 },
		{ HTTP_REQ_ERR_VERSION, 505 },
		{ HTTP_REQ_ERR_HEADER, 400 },
		{ HTTP_REQ_ERR_HEADER_TOO_LONG, 431 },
		{ HTTP_REQ_ERR_TOO_MANY_HEADERS, 431 },
		{ HTTP_REQ_ERR_CONTENT_LENGTH, 400 },
		{ HTTP_REQ_ERR_TRANSFER_ENCODING, 501 },
		{ HTTP_REQ_ERR_CHUNK_SIZE, 400 },
		{ HTTP_REQ_ERR_CHUNK_DATA, 400 },
	};
	size_t k;

	(void)state;
	/* every error code is in the table */
	assert_int_equal(sizeof(map) / sizeof(map[0]), HTTP_REQ_ERR_MAX - 1);
	for (k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		assert_int_equal(http_req_error_status(map[k].err),
				 map[k].status);
	/* no code, or one we do not know: still an answer */
	assert_int_equal(http_req_error_status(HTTP_REQ_ERR_NONE), 400);
	assert_int_equal(http_req_error_status(HTTP_REQ_ERR_MAX), 400);
	assert_int_equal(http_req_error_status((enum http_req_error)-1), 400);
}

static void
test_strerror(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < HTTP_REQ_ERR_MAX; i++) {
		const char *s = http_req_strerror((enum http_req_error)i);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(s, http_req_strerror(
				(enum http_req_error)j));
	}
	assert_non_null(http_req_strerror(HTTP_REQ_ERR_MAX));
	assert_non_null(http_req_strerror((enum http_req_error)-1));
	assert_non_null(http_req_strerror((enum http_req_error)1000));
}

static void
test_null_callbacks(void **state)
{
	static const char in[] = CHUNKED_HEAD "3\r\nabc\r\n0\r\n\r\n";
	struct http_req_callbacks none = { 0 };
	struct http_req_parser p;

	(void)state;
	http_req_parser_init(&p, &none, NULL);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)in,
					sizeof(in) - 1, NULL),
			 HTTP_PARSE_DONE);
	assert_int_equal(p.body_bytes, 3);
	assert_int_equal(p.chunked, 1);
	http_req_parser_init(&p, NULL, NULL);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)in,
					sizeof(in) - 1, NULL),
			 HTTP_PARSE_DONE);
	assert_string_equal(p.method, "POST");
}

static void
test_reset_clears(void **state)
{
	static const char first[] =
		"POST /a HTTP/1.0\r\nConnection: keep-alive\r\n"
		"Expect: 100-continue\r\nContent-Length: 1\r\n\r\nx";
	static const char second[] = "GET /b HTTP/1.1\r\n\r\n";
	struct http_req_parser p;
	size_t used;

	(void)state;
	/* nothing of one request may leak into the next */
	http_req_parser_init(&p, NULL, NULL);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)first,
					sizeof(first) - 1, &used),
			 HTTP_PARSE_DONE);
	assert_int_equal(p.keep_alive, 1);
	assert_int_equal(p.content_length, 1);
	http_req_parser_reset(&p);
	assert_string_equal(p.method, "");
	assert_string_equal(p.target, "");
	assert_int_equal(http_req_parse(&p, (const uint8_t *)second,
					sizeof(second) - 1, &used),
			 HTTP_PARSE_DONE);
	assert_int_equal(used, sizeof(second) - 1);
	assert_string_equal(p.target, "/b");
	assert_int_equal(p.version_minor, 1);
	assert_int_equal(p.keep_alive, 1);
	assert_int_equal(p.expect_continue, 0);
	assert_int_equal(p.content_length, 0);
	assert_int_equal(p.body_bytes, 0);
	assert_int_equal(p.chunked, 0);

	/* nor may a connection's empty-line allowance build up */
	http_req_parser_reset(&p);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)"\r\n\r\n\r\n\r\n"
					"\r\n\r\n\r\n", 14, &used),
			 HTTP_PARSE_AGAIN);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)second,
					sizeof(second) - 1, &used),
			 HTTP_PARSE_DONE);
	http_req_parser_reset(&p);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)"\r\n\r\n\r\n\r\n"
					"\r\n\r\n\r\n\r\n", 16, &used),
			 HTTP_PARSE_AGAIN);
	assert_int_equal(http_req_parse(&p, (const uint8_t *)"\r\n", 2,
					&used), HTTP_PARSE_ERROR);
	assert_int_equal(p.error, HTTP_REQ_ERR_REQUEST_LINE);
	assert_int_equal(p.error_offset, sizeof(first) - 1 +
			 2 * (sizeof(second) - 1) + 14 + 16);
}

/* One parse of in: whole (the one-pass path without callbacks) or byte
 * by byte (the state machine); what it gave. */
static void
parse_one_way(const char *in, size_t len, int bytewise, int *st, int *err,
	      uint64_t *err_off, uint64_t *cl)
{
	struct http_req_parser p;
	size_t k, used = 0;
	enum http_parse_status r = HTTP_PARSE_AGAIN;

	http_req_parser_init(&p, NULL, NULL);
	if (!bytewise)
		r = http_req_parse(&p, (const uint8_t *)in, len, &used);
	for (k = 0; bytewise && k < len && r == HTTP_PARSE_AGAIN; k++)
		r = http_req_parse(&p, (const uint8_t *)in + k, 1, &used);
	*st = r;
	*err = p.error;
	*err_off = p.error_offset;
	*cl = p.content_length;
}

/*
 * Every byte value at every place of a long field name and of a long
 * value, across both 16-byte blocks of the one-pass path's SIMD scans:
 * whole and byte by byte must agree.
 */
static void
test_every_byte_in_name_and_value(void **state)
{
	static const char name[] = "Abcdefghijklmnopqrstu";
	static const char value[] = "vwxyzabcdefghijklmnopqr";
	static const char tail[] = "\r\nContent-Length: 0\r\n\r\n";
	char in[256];
	int c, at, part;

	(void)state;
	for (part = 0; part < 2; part++) {
		for (at = 0; at < 21; at++) {
			for (c = 0; c < 256; c++) {
				char n[32], v[32];
				int st1, st2, e1, e2;
				uint64_t o1, o2, l1, l2;
				int len;

				memcpy(n, name, sizeof(name));
				memcpy(v, value, sizeof(value));
				if (part == 0)
					n[at] = (char)c;
				else
					v[at] = (char)c;
				/* by hand: c may be a NUL */
				len = 0;
				memcpy(in, "GET / HTTP/1.1\r\n", 16);
				len += 16;
				memcpy(in + len, n, 21);
				len += 21;
				memcpy(in + len, ": ", 2);
				len += 2;
				memcpy(in + len, v, 23);
				len += 23;
				memcpy(in + len, tail, sizeof(tail) - 1);
				len += (int)sizeof(tail) - 1;
				parse_one_way(in, (size_t)len, 0, &st1, &e1,
					      &o1, &l1);
				parse_one_way(in, (size_t)len, 1, &st2, &e2,
					      &o2, &l2);
				assert_int_equal(st1, st2);
				assert_int_equal(e1, e2);
				assert_int_equal(o1, o2);
				assert_int_equal(l1, l2);
				/* and the one the table says (a LF first is
				 * the empty line: the request ends there) */
				assert_int_equal(st1 == HTTP_PARSE_DONE,
						 part == 0 ?
						 http_msg_tchar[c] || (at > 0 ?
						 c == ':' : c == '\n') :
						 c == '\t' || (c >= 0x20 &&
								c != 0x7f));
			}
		}
	}
}

/* The memo: a request head seen before is taken, not parsed, only when
 * it is byte for byte the same and whole in one buffer; reset keeps the
 * memo for the connection's next request. */
static void
test_memo_hits(void **state)
{
	static const char a[] = "GET /bytes/64 HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char b[] = "POST /x HTTP/1.1\r\nHost: h\r\n"
		"Content-Length: 3\r\n\r\nabc";
	static const char ab[] = "GET /bytes/64 HTTP/1.1\r\nHost: h\r\n\r\n"
		"GET /bytes/64 HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_req_memo mo;
	struct http_req_parser *p = malloc(sizeof(*p));
	size_t used;

	(void)state;
	assert_non_null(p);
	memset(&mo, 0, sizeof(mo));
	http_req_parser_init(p, NULL, NULL);
	http_req_parser_set_memo(p, &mo);
	assert_int_equal(http_req_parse(p, (const uint8_t *)a, strlen(a),
					&used), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.records, 1);
	assert_int_equal(mo.base.hits, 0);
	/* the next request on the connection: taken */
	http_req_parser_reset(p);
	assert_int_equal(http_req_parse(p, (const uint8_t *)a, strlen(a),
					&used), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 1);
	assert_int_equal(used, strlen(a));
	assert_string_equal(p->method, "GET");
	assert_string_equal(p->target, "/bytes/64");
	assert_int_equal(p->keep_alive, 1);
	assert_int_equal(p->offset, 2 * strlen(a));
	/* two pipelined in one buffer: the second starts where the first
	 * ended, and is taken too */
	http_req_parser_reset(p);
	assert_int_equal(http_req_parse(p, (const uint8_t *)ab, strlen(ab),
					&used), HTTP_PARSE_DONE);
	assert_int_equal(used, strlen(a));
	http_req_parser_reset(p);
	assert_int_equal(http_req_parse(p, (const uint8_t *)ab + used,
					strlen(ab) - used, &used),
			 HTTP_PARSE_DONE);
	assert_int_equal(mo.base.hits, 3);
	/* another head, with a body: parsed, stored, then taken with its
	 * body read after it */
	http_req_parser_reset(p);
	assert_int_equal(http_req_parse(p, (const uint8_t *)b, strlen(b),
					&used), HTTP_PARSE_DONE);
	assert_int_equal(mo.base.records, 2);
	http_req_parser_reset(p);
	assert_int_equal(http_req_parse(p, (const uint8_t *)b, strlen(b) - 2,
					&used), HTTP_PARSE_AGAIN);
	assert_int_equal(mo.base.hits, 4);
	assert_int_equal(http_req_parse(p, (const uint8_t *)b + strlen(b) - 2,
					2, &used), HTTP_PARSE_DONE);
	assert_string_equal(p->method, "POST");
	assert_int_equal(p->body_bytes, 3);
	/* a head cut in two is parsed, not stored */
	http_req_parser_reset(p);
	assert_int_equal(http_req_parse(p, (const uint8_t *)a, 10, &used),
			 HTTP_PARSE_AGAIN);
	assert_int_equal(http_req_parse(p, (const uint8_t *)a + 10,
					strlen(a) - 10, &used),
			 HTTP_PARSE_DONE);
	assert_int_equal(mo.base.records, 2);
	assert_string_equal(p->target, "/bytes/64");
	free(p);
}

/* Runs after the feed cases: their memo runs took heads from it. */
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
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_post_length),
		cmocka_unit_test(test_content_length_max),
		cmocka_unit_test(test_chunked_ext_trailers),
		cmocka_unit_test(test_chunked_variants),
		cmocka_unit_test(test_chunked_large),
		cmocka_unit_test(test_chunked_max_size),
		cmocka_unit_test(test_http10),
		cmocka_unit_test(test_higher_minor),
		cmocka_unit_test(test_connection_close),
		cmocka_unit_test(test_expect_continue),
		cmocka_unit_test(test_target_forms),
		cmocka_unit_test(test_leading_empty_lines),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_pipelined_error_offset),
		cmocka_unit_test(test_chunked_then_pipelined),
		cmocka_unit_test(test_trailer_limits),
		cmocka_unit_test(test_chunk_line_limit),
		cmocka_unit_test(test_bad_method),
		cmocka_unit_test(test_bad_request_line),
		cmocka_unit_test(test_target_too_long),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_space_before_colon),
		cmocka_unit_test(test_bad_header_line),
		cmocka_unit_test(test_obs_fold),
		cmocka_unit_test(test_header_too_long),
		cmocka_unit_test(test_too_many_headers),
		cmocka_unit_test(test_content_length_errors),
		cmocka_unit_test(test_transfer_encoding_errors),
		cmocka_unit_test(test_bad_chunk_size),
		cmocka_unit_test(test_bad_chunk_data),
		cmocka_unit_test(test_callback_abort),
		cmocka_unit_test(test_error_status),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_null_callbacks),
		cmocka_unit_test(test_reset_clears),
		cmocka_unit_test(test_every_byte_in_name_and_value),
		cmocka_unit_test(test_memo_hits),
		cmocka_unit_test(test_memo_used_by_feed_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
