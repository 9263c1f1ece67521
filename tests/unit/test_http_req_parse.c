/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the HTTP/1.1 request parser.
 *
 * Every case is fed whole, byte by byte, and in RANDOM_SPLITS random
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

#define RANDOM_SPLITS	200
#define MAX_REQ		4

enum abort_at {
	ABORT_NONE,
	ABORT_HEADER,		/* on a header named X-Abort */
	ABORT_HEADERS_DONE,
	ABORT_BODY,		/* on the first body slice */
};

struct tcase {
	const char *input;
	size_t len;		/* 0: strlen(input) */
	enum abort_at abort_at;
	int loose;		/* split-dependent body/offsets: compare less */
};

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

struct result {
	enum http_parse_status st;
	enum http_req_error err;
	uint64_t error_offset;
	char method[HTTP_REQ_MAX_METHOD + 1];
	char *target;		/* as seen by headers_done */
	int version_minor;
	int chunked;
	int keep_alive;
	int expect_continue;
	uint64_t content_length;
	uint64_t body_bytes;
	size_t consumed;
	int headers_done_calls;
	int body_calls;
	char *headers;
	size_t headers_len;
	size_t headers_cap;
	uint8_t *body;
	size_t body_len;
	size_t body_cap;
};

struct run {
	int nreq;
	struct result r[MAX_REQ];
};

struct cb_ctx {
	struct result *r;
	enum abort_at abort_at;
};

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* Appends and keeps a NUL after the data; grows geometrically. */
static void
append(void **buf, size_t *len, size_t *cap, const void *data, size_t n)
{
	uint8_t *b = *buf;

	if (*len + n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 64;

		while (ncap < *len + n + 1)
			ncap *= 2;
		b = realloc(b, ncap);
		assert_non_null(b);
		*cap = ncap;
		*buf = b;
	}
	memcpy(b + *len, data, n);
	*len += n;
	b[*len] = 0;
}

static int
on_header(void *arg, const char *name, size_t name_len, const char *value,
	  size_t value_len)
{
	struct cb_ctx *ctx = arg;
	struct result *r = ctx->r;

	/* a trimmed value never starts or ends with OWS */
	if (value_len > 0) {
		assert_true(value[0] != ' ' && value[0] != '\t');
		assert_true(value[value_len - 1] != ' ' &&
			    value[value_len - 1] != '\t');
	}
	/* trailers are never delivered */
	assert_int_equal(r->headers_done_calls, 0);
	append((void **)&r->headers, &r->headers_len, &r->headers_cap, name,
	       name_len);
	append((void **)&r->headers, &r->headers_len, &r->headers_cap, ": ",
	       2);
	append((void **)&r->headers, &r->headers_len, &r->headers_cap, value,
	       value_len);
	append((void **)&r->headers, &r->headers_len, &r->headers_cap, "\n",
	       1);
	if (ctx->abort_at == ABORT_HEADER && name_len == 7 &&
	    memcmp(name, "X-Abort", 7) == 0)
		return -1;
	return 0;
}

static int
on_headers_done(void *arg, const struct http_req_parser *p)
{
	struct cb_ctx *ctx = arg;
	struct result *r = ctx->r;

	assert_true(strlen(p->method) > 0);
	assert_true(strlen(p->method) <= HTTP_REQ_MAX_METHOD);
	assert_true(strlen(p->target) > 0);
	assert_true(strlen(p->target) <= HTTP_REQ_MAX_TARGET);
	assert_true(p->version_minor == 0 || p->version_minor == 1);
	assert_true(p->chunked == 0 || p->chunked == 1);
	assert_true(!p->chunked || p->content_length == 0);
	assert_int_equal(p->body_bytes, 0);
	assert_int_equal(p->error, HTTP_REQ_ERR_NONE);
	memcpy(r->method, p->method, sizeof(r->method));
	r->target = strdup(p->target);
	assert_non_null(r->target);
	r->headers_done_calls++;
	return ctx->abort_at == ABORT_HEADERS_DONE ? -1 : 0;
}

static int
on_body(void *arg, const uint8_t *data, size_t len)
{
	struct cb_ctx *ctx = arg;
	struct result *r = ctx->r;

	assert_true(len > 0);
	assert_int_equal(r->headers_done_calls, 1);
	r->body_calls++;
	append((void **)&r->body, &r->body_len, &r->body_cap, data, len);
	return ctx->abort_at == ABORT_BODY ? -1 : 0;
}

static const struct http_req_callbacks callbacks = {
	.header = on_header,
	.headers_done = on_headers_done,
	.body = on_body,
};

static void
record(struct result *r, const struct http_req_parser *p,
       enum http_parse_status st)
{
	r->st = st;
	r->err = p->error;
	r->error_offset = p->error_offset;
	r->version_minor = p->version_minor;
	r->chunked = p->chunked;
	r->keep_alive = p->keep_alive;
	r->expect_continue = p->expect_continue;
	r->content_length = p->content_length;
	r->body_bytes = p->body_bytes;
	/* the server reads method and target once the request is DONE */
	if (st == HTTP_PARSE_DONE) {
		assert_int_equal(r->headers_done_calls, 1);
		assert_string_equal(p->method, r->method);
		assert_string_equal(p->target, r->target);
	}
}

/* After DONE or ERROR the parser must stay put until reset. */
static void
check_sticky(struct http_req_parser *p, enum http_parse_status st)
{
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

/* Feeds tc->input cut into npieces pieces of the given sizes. */
static void
run_pieces(const struct tcase *tc, const size_t *pieces, size_t npieces,
	   int zero_feeds, struct run *out)
{
	const uint8_t *in = (const uint8_t *)tc->input;
	struct http_req_parser *p = malloc(sizeof(*p));
	struct cb_ctx ctx = { .abort_at = tc->abort_at };
	enum http_parse_status st;
	struct result *r = NULL;
	size_t k, off = 0, pos, used;
	int active = 0;

	assert_non_null(p);
	/* garbage in the parser must not matter: init sets what counts */
	memset(p, 0xa5, sizeof(*p));
	http_req_parser_init(p, &callbacks, &ctx);
	memset(out, 0, sizeof(*out));
	for (k = 0; k < npieces; k++) {
		size_t plen = pieces[k];

		if (zero_feeds && active && (rng() & 7) == 0) {
			st = http_req_parse(p, in + off, 0, &used);
			assert_int_equal(st, HTTP_PARSE_AGAIN);
			assert_int_equal(used, 0);
		}
		pos = 0;
		while (pos < plen) {
			if (!active) {
				assert_true(out->nreq < MAX_REQ);
				r = &out->r[out->nreq++];
				ctx.r = r;
				if (out->nreq > 1)
					http_req_parser_reset(p);
				active = 1;
			}
			used = SIZE_MAX;
			st = http_req_parse(p, in + off + pos, plen - pos,
					    &used);
			assert_true(used <= plen - pos);
			if (st == HTTP_PARSE_AGAIN)
				assert_int_equal(used, plen - pos);
			pos += used;
			r->consumed += used;
			if (st == HTTP_PARSE_AGAIN)
				continue;
			record(r, p, st);
			check_sticky(p, st);
			active = 0;
			if (st == HTTP_PARSE_ERROR)
				goto out;
		}
		off += plen;
	}
	if (active)
		record(r, p, HTTP_PARSE_AGAIN);
out:
	free(p);
}

static void
free_run(struct run *run)
{
	int i;

	for (i = 0; i < run->nreq; i++) {
		free(run->r[i].target);
		free(run->r[i].headers);
		free(run->r[i].body);
	}
}

static void
check_expect(const struct tcase *tc, const struct run *run,
	     const struct expect *exp, int nexp, int whole)
{
	int i;

	assert_int_equal(run->nreq, nexp);
	for (i = 0; i < nexp; i++) {
		const struct result *r = &run->r[i];
		const struct expect *e = &exp[i];

		assert_int_equal(r->st, e->st);
		assert_int_equal(r->err, e->err);
		if (e->st == HTTP_PARSE_ERROR) {
			assert_int_equal(r->error_offset, e->error_offset);
		} else if (e->no_head) {
			assert_int_equal(r->headers_done_calls, 0);
		} else {
			assert_int_equal(r->headers_done_calls, 1);
			assert_string_equal(r->method,
					    e->method ? e->method : "GET");
			assert_string_equal(r->target,
					    e->target ? e->target : "/");
			assert_int_equal(r->version_minor, e->version_minor);
			assert_int_equal(r->chunked, e->chunked);
			assert_int_equal(r->keep_alive, e->keep_alive);
			assert_int_equal(r->expect_continue,
					 e->expect_continue);
			assert_int_equal(r->content_length, e->content_length);
		}
		if (e->headers != NULL)
			assert_string_equal(r->headers_len ? r->headers : "",
					    e->headers);
		if (!tc->loose) {
			assert_int_equal(r->consumed, e->consumed);
			assert_int_equal(r->body_bytes, r->body_len);
		}
		if (!tc->loose && !e->skip_body) {
			assert_int_equal(r->body_len, e->body_len);
			if (e->body_len > 0)
				assert_memory_equal(r->body, e->body,
						    e->body_len);
		}
		if (whole && e->body_calls_whole != 0)
			assert_int_equal(r->body_calls, e->body_calls_whole);
	}
}

/* Whatever the split, everything observable must match the whole run. */
static void
check_same(const struct tcase *tc, const struct run *a, const struct run *b)
{
	int i;

	assert_int_equal(a->nreq, b->nreq);
	for (i = 0; i < a->nreq; i++) {
		const struct result *x = &a->r[i], *y = &b->r[i];

		assert_int_equal(x->st, y->st);
		assert_int_equal(x->err, y->err);
		assert_int_equal(x->headers_done_calls, y->headers_done_calls);
		if (x->headers_done_calls > 0) {
			assert_string_equal(x->method, y->method);
			assert_string_equal(x->target, y->target);
			assert_int_equal(x->version_minor, y->version_minor);
			assert_int_equal(x->chunked, y->chunked);
			assert_int_equal(x->keep_alive, y->keep_alive);
			assert_int_equal(x->expect_continue,
					 y->expect_continue);
			assert_int_equal(x->content_length, y->content_length);
		}
		assert_int_equal(x->headers_len, y->headers_len);
		if (x->headers_len > 0)
			assert_memory_equal(x->headers, y->headers,
					    x->headers_len);
		if (tc->loose)
			continue;
		assert_int_equal(x->error_offset, y->error_offset);
		assert_int_equal(x->consumed, y->consumed);
		assert_int_equal(x->body_bytes, y->body_bytes);
		assert_int_equal(x->body_len, y->body_len);
		if (x->body_len > 0)
			assert_memory_equal(x->body, y->body, x->body_len);
	}
}

static void
check_case(const struct tcase *tc_in, const struct expect *exp, int nexp)
{
	struct tcase tc = *tc_in;
	struct run whole, split;
	size_t *pieces, n, k, left;
	int iter;

	if (tc.len == 0)
		tc.len = strlen(tc.input);
	pieces = malloc((tc.len + 1) * sizeof(*pieces));
	assert_non_null(pieces);

	/* (a) whole */
	pieces[0] = tc.len;
	run_pieces(&tc, pieces, tc.len > 0 ? 1 : 0, 0, &whole);
	check_expect(&tc, &whole, exp, nexp, 1);

	/* (b) byte by byte */
	for (k = 0; k < tc.len; k++)
		pieces[k] = 1;
	run_pieces(&tc, pieces, tc.len, 0, &split);
	check_expect(&tc, &split, exp, nexp, 0);
	check_same(&tc, &whole, &split);
	free_run(&split);

	/* (c) random splits, with sizes from 1 byte to the whole input */
	for (iter = 0; iter < RANDOM_SPLITS; iter++) {
		rng_state = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)tc.len << 20) ^
			    (uint64_t)iter;
		rng();
		n = 0;
		left = tc.len;
		while (left > 0) {
			uint64_t scale = 1ULL << (rng() % 14);
			size_t sz = 1 + (size_t)(rng() % scale);

			if (sz > left)
				sz = left;
			pieces[n++] = sz;
			left -= sz;
		}
		run_pieces(&tc, pieces, n, 1, &split);
		check_expect(&tc, &split, exp, nexp, 0);
		check_same(&tc, &whole, &split);
		free_run(&split);
	}
	free_run(&whole);
	free(pieces);
}

static size_t
off_of(const char *s, const char *needle)
{
	const char *f = strstr(s, needle);

	assert_non_null(f);
	return (size_t)(f - s);
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
	struct tcase tc = { .input = input };
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
	struct tcase tc = { .input = input };
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

/* A single request with a Content-Length body, fed with nothing after. */
static void
check_length_ok(const char *input, int minor, int keep_alive,
		const char *body)
{
	struct tcase tc = { .input = input };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.method = "POST",
		.version_minor = minor,
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
	struct tcase tc = { .input = in };
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

	(void)state;
	check_case(&tc, &e, 1);

	/* bare LF everywhere, no headers at all, any token is a method */
	check_head_ok("HEAD / HTTP/1.1\n\n", "HEAD", "/", 1, 1, 0);
	check_head_ok("M-SEARCH * HTTP/1.1\r\nHost: x\r\n\r\n", "M-SEARCH", "*",
		      1, 1, 0);
	check_head_ok("get /a HTTP/1.1\r\n\r\n", "get", "/a", 1, 1, 0);
	check_head_ok("!#$%&'*+-.^_`|~z /x HTTP/1.1\r\n\r\n",
		      "!#$%&'*+-.^_`|~z", "/x", 1, 1, 0);
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
	struct tcase tc = { .input = in };
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

	(void)state;
	check_case(&tc, &e, 1);

	/* bare LF, case, a repeated equal length, an explicit zero */
	check_length_ok("POST / HTTP/1.1\ncontent-LENGTH:5\n\nabcde", 1, 1,
			"abcde");
	check_length_ok("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n"
			"Content-Length: 2\r\n\r\nok", 1, 1, "ok");
	check_length_ok("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 1, 1,
			"");
	check_length_ok("POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n"
			"1234567", 1, 1, "1234567");
}

static void
test_content_length_max(void **state)
{
	static const char in[] =
		"POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n"
		"\r\nabc";
	struct tcase tc = { .input = in };
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
	struct tcase tc = { .input = in };
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
	struct tcase tc = { .input = gz };
	struct expect e = {
		.st = HTTP_PARSE_DONE,
		.method = "POST",
		.version_minor = 1,
		.chunked = 1,
		.keep_alive = 1,
		.body = "abc",
		.body_len = 3,
		.consumed = sizeof(gz) - 1,
	};

	(void)state;
	check_case(&tc, &e, 1);

	tc.input = both;
	e.keep_alive = 0;
	e.content_length = 0;	/* ignored, so not reported */
	e.consumed = sizeof(both) - 1;
	check_case(&tc, &e, 1);

	tc.input = empty;
	e.keep_alive = 1;
	e.body = NULL;
	e.body_len = 0;
	e.consumed = sizeof(empty) - 1;
	check_case(&tc, &e, 1);
}

#define CHUNKED_HEAD "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"

/* Appends a string at buf + len; returns the new length. */
static size_t
put(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + len, s, n);
	return len + n;
}

static void
test_chunked_large(void **state)
{
	/* sizes with many hex digits, upper and lower case, leading zeros */
	static const char *const sizes[] = {
		"10000", "1FFFF", "1ffff", "00000000000000000000003", "a",
		"0000000000000001",
	};
	static char in[1 << 20];
	static uint8_t body[1 << 20];
	size_t cap = sizeof(in), len = 0, blen = 0, k, j, csz;
	struct tcase tc;
	struct expect e;

	(void)state;
	len = put(in, len, CHUNKED_HEAD);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		csz = strtoul(sizes[k], NULL, 16);
		len = put(in, len, sizes[k]);
		len = put(in, len, "\r\n");
		/* data full of CR, LF and request lines not to be parsed */
		for (j = 0; j < csz; j++) {
			uint8_t b = "GET / HTTP/1.1\r\n\r\n0;"[(j * 7 + k) % 20];

			in[len++] = (char)b;
			body[blen++] = b;
		}
		len = put(in, len, "\r\n");
	}
	len = put(in, len, "0\r\n\r\n");
	assert_true(len < cap);

	tc = (struct tcase){ .input = in, .len = len };
	e = (struct expect){
		.st = HTTP_PARSE_DONE,
		.method = "POST",
		.version_minor = 1,
		.chunked = 1,
		.keep_alive = 1,
		.body = body,
		.body_len = blen,
		.consumed = len,
		.body_calls_whole = 6,	/* one slice per chunk */
	};
	check_case(&tc, &e, 1);
}

static void
test_chunked_max_size(void **state)
{
	/* the largest size that fits is fine; the body is just unfinished */
	static const char in[] = CHUNKED_HEAD "FFFFFFFFFFFFFFFF\r\nabc";
	struct tcase tc = { .input = in };
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
	(void)state;
	check_head_ok("GET / HTTP/1.0\r\n\r\n", "GET", "/", 0, 0, 0);
	check_head_ok("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
		      "GET", "/", 0, 1, 0);
	check_head_ok("GET / HTTP/1.0\r\nConnection: foo, keep-alive\r\n\r\n",
		      "GET", "/", 0, 1, 0);
	check_head_ok("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n"
		      "\r\n", "GET", "/", 0, 0, 0);
	check_head_ok("GET / HTTP/1.0\r\nConnection: keep-alived\r\n\r\n",
		      "GET", "/", 0, 0, 0);
	/* an HTTP/1.0 client cannot expect 100 (RFC 9110 10.1.1) */
	check_head_ok("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
		      "GET", "/", 0, 0, 0);
	check_length_ok("POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
			"Content-Length: 3\r\n\r\nabc", 0, 1, "abc");
	check_length_ok("POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
			0, 0, "abc");

	/* chunked from an HTTP/1.0 client: decoded, but not reused */
	check_case(&(struct tcase){
		.input = "POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n" },
		&(struct expect){
		.st = HTTP_PARSE_DONE,
		.method = "POST",
		.version_minor = 0,
		.chunked = 1,
		.keep_alive = 0,
		.body = "x",
		.body_len = 1,
		.consumed = strlen("POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n"
				   "1\r\nx\r\n0\r\n\r\n"),
		}, 1);
}

static void
test_higher_minor(void **state)
{
	(void)state;
	/* decision: HTTP/1.x with x > 1 is served as 1.1 (RFC 9110 2.5) */
	check_head_ok("GET / HTTP/1.2\r\n\r\n", "GET", "/", 1, 1, 0);
	check_head_ok("GET / HTTP/1.9\r\nConnection: close\r\n\r\n", "GET",
		      "/", 1, 0, 0);
}

static void
test_connection_close(void **state)
{
	(void)state;
	check_head_ok("GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
		      "GET", "/", 1, 0, 0);
	check_head_ok("GET / HTTP/1.1\r\nConnection: foo ,  CLOSE ,bar\r\n\r\n",
		      "GET", "/", 1, 0, 0);
	check_head_ok("GET / HTTP/1.1\r\nconnection: Upgrade\r\n"
		      "CONNECTION: Close\r\n\r\n", "GET", "/", 1, 0, 0);
	/* not the token "close" */
	check_head_ok("GET / HTTP/1.1\r\nConnection: closed, xclose\r\n"
		      "X-Connection: close\r\n\r\n", "GET", "/", 1, 1, 0);
	check_head_ok("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
		      "GET", "/", 1, 1, 0);
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
	struct tcase tc = { .input = in };
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

	(void)state;
	check_case(&tc, &e, 1);

	check_head_ok("GET / HTTP/1.1\r\nexpect:100-continue \r\n\r\n",
		      "GET", "/", 1, 1, 1);
	check_head_ok("GET / HTTP/1.1\r\nExpect: foo, 100-CONTINUE\r\n\r\n",
		      "GET", "/", 1, 1, 1);
	check_head_ok("GET / HTTP/1.1\r\nExpect: 100-continued\r\n"
		      "X-Expect: 100-continue\r\n\r\n", "GET", "/", 1, 1, 0);
	check_head_ok("GET / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n",
		      "GET", "/", 1, 1, 0);
}

static void
test_target_forms(void **state)
{
	char *in, *target;
	int n;

	(void)state;
	check_head_ok("GET http://example.com:8080/a/b?c=d#e HTTP/1.1\r\n"
		      "Host: example.com:8080\r\n\r\n", "GET",
		      "http://example.com:8080/a/b?c=d#e", 1, 1, 0);
	check_head_ok("OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS", "*", 1, 1, 0);
	check_head_ok("CONNECT example.com:443 HTTP/1.1\r\n\r\n", "CONNECT",
		      "example.com:443", 1, 1, 0);
	check_head_ok("GET /~!$&'()*+,;=:@[]{}|\\^`\"<> HTTP/1.1\r\n\r\n",
		      "GET", "/~!$&'()*+,;=:@[]{}|\\^`\"<>", 1, 1, 0);

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
	check_case(&(struct tcase){ .input = "\r\n\r\n" },
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
	struct tcase tc = { .input = in };
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

static void
test_pipelined_error_offset(void **state)
{
	/* error offsets count from the start of the connection */
	static const char in[] =
		"GET / HTTP/1.1\r\n\r\n"
		"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
		"GET / HTTP/2.0\r\n\r\n";
	size_t third = off_of(in, "ok") + 2;
	struct tcase tc = { .input = in };
	struct expect e[3] = {
		{
			.st = HTTP_PARSE_DONE,
			.version_minor = 1,
			.keep_alive = 1,
			.consumed = off_of(in, "POST"),
		},
		{
			.st = HTTP_PARSE_DONE,
			.method = "POST",
			.version_minor = 1,
			.keep_alive = 1,
			.content_length = 2,
			.body = "ok",
			.body_len = 2,
			.consumed = third - off_of(in, "POST"),
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
	check_case(&(struct tcase){ .input = "GE\0T / HTTP/1.1\r\n\r\n",
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
	check_error(in, HTTP_REQ_ERR_HEADER, off_of(in, " :"));
	check_error(tab, HTTP_REQ_ERR_HEADER, off_of(tab, "\t:"));
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
		struct tcase tc = { .input = bad[k],
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
	check_error(in, HTTP_REQ_ERR_HEADER, off_of(in, "  continued"));
	check_error(first, HTTP_REQ_ERR_HEADER, off_of(first, "\t"));
	check_error(te, HTTP_REQ_ERR_HEADER, off_of(te, "\t"));
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
	check_case(&(struct tcase){ .input = in },
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
		    off_of(in, "X:") + HTTP_MAX_HEADER_LINE);
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
	check_case(&(struct tcase){ .input = in },
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
				     off_of(bad[k], "\r\n\r\n") + 1);
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
			    off_of(bad[k], "\r\n\r\n") + 3);
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
	check_case(&(struct tcase){ .input = ext },
		   &(struct expect){
			.st = HTTP_PARSE_DONE,
			.method = "POST",
			.version_minor = 1,
			.chunked = 1,
			.keep_alive = 1,
			.body = "x",
			.body_len = 1,
			.consumed = strlen(ext),
		   }, 1);
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
	struct tcase tc = { .input = in, .abort_at = ABORT_HEADER };
	struct expect e = {
		.st = HTTP_PARSE_ERROR,
		.err = HTTP_REQ_ERR_NONE,
		.headers = "X-A: 1\nX-Abort: now\n",
		.consumed = off_of(in, "\nX-B"),
		.error_offset = off_of(in, "\nX-B"),
	};

	(void)state;
	check_case(&tc, &e, 1);

	tc.abort_at = ABORT_HEADERS_DONE;
	e.headers = "X-A: 1\nX-Abort: now\nX-B: 2\nContent-Length: 5\n";
	e.consumed = off_of(in, "\n\r\nhello") + 2;
	e.error_offset = e.consumed;
	check_case(&tc, &e, 1);

	/* where the body slice ends depends on the split: compare less */
	tc.abort_at = ABORT_BODY;
	tc.loose = 1;
	e.consumed = off_of(in, "hello");
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
