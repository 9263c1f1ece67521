/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test support shared by the HTTP parser unit tests: see feed_harness.h.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "feed_harness.h"

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

int
feed_on_header(void *arg, const char *name, size_t name_len,
	       const char *value, size_t value_len)
{
	struct feed_ctx *ctx = arg;
	struct feed_result *r = ctx->r;

	/* a trimmed value never starts or ends with OWS */
	if (value_len > 0) {
		assert_true(value[0] != ' ' && value[0] != '\t');
		assert_true(value[value_len - 1] != ' ' &&
			    value[value_len - 1] != '\t');
	}
	/* nothing after the head: trailers are never delivered */
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

int
feed_on_headers_done(struct feed_ctx *ctx)
{
	ctx->r->headers_done_calls++;
	return ctx->abort_at == ABORT_HEADERS_DONE ? -1 : 0;
}

int
feed_on_body(void *arg, const uint8_t *data, size_t len)
{
	struct feed_ctx *ctx = arg;
	struct feed_result *r = ctx->r;

	assert_true(len > 0);
	/* with a memo the parser has no headers_done callback */
	if (!ctx->memo)
		assert_int_equal(r->headers_done_calls, 1);
	r->body_calls++;
	append((void **)&r->body, &r->body_len, &r->body_cap, data, len);
	return ctx->abort_at == ABORT_BODY ? -1 : 0;
}

static void
record(const struct feed_ops *ops, struct feed_result *r, void *p,
       enum http_parse_status st)
{
	r->st = st;
	ops->record(r, p, st);
}

/* Whether run_pieces() gives the parser no header callback, and
 * whether it gives it a memo of the last head. */
static int no_header_cb;
static int memo_mode;

/* Feeds fc->input cut into npieces pieces of the given sizes. */
static void
run_pieces(const struct feed_ops *ops, const struct feed_case *fc,
	   const size_t *pieces, size_t npieces, int zero_feeds,
	   struct feed_run *out)
{
	const uint8_t *in = (const uint8_t *)fc->input;
	struct feed_ctx ctx = {
		.abort_at = fc->abort_at,
		.no_header_cb = no_header_cb,
		.memo = memo_mode,
	};
	enum http_parse_status st;
	struct feed_result *r = NULL;
	size_t k, off = 0, pos, used;
	int active = 0;
	void *p;

	memset(out, 0, sizeof(*out));
	p = ops->create(&ctx);
	assert_non_null(p);
	for (k = 0; k < npieces; k++) {
		size_t plen = pieces[k];

		if (zero_feeds && active && (rng() & 7) == 0) {
			st = ops->parse(p, in + off, 0, &used);
			assert_int_equal(st, HTTP_PARSE_AGAIN);
			assert_int_equal(used, 0);
		}
		pos = 0;
		while (pos < plen) {
			if (!active) {
				if (fc->single && out->nmsg == 1)
					goto out;
				assert_true(out->nmsg < FEED_MAX_MSG);
				r = &out->r[out->nmsg++];
				r->priv = calloc(1, ops->priv_size);
				assert_non_null(r->priv);
				ctx.r = r;
				ops->begin(p, &ctx, fc, out->nmsg);
				active = 1;
			}
			used = SIZE_MAX;
			st = ops->parse(p, in + off + pos, plen - pos, &used);
			assert_true(used <= plen - pos);
			if (st == HTTP_PARSE_AGAIN)
				assert_int_equal(used, plen - pos);
			pos += used;
			r->consumed += used;
			if (st == HTTP_PARSE_AGAIN)
				continue;
			record(ops, r, p, st);
			ops->check_sticky(p, st);
			active = 0;
			if (st == HTTP_PARSE_ERROR)
				goto out;
		}
		off += plen;
	}
	if (active) {
		st = fc->eof ? ops->eof(p) : HTTP_PARSE_AGAIN;
		record(ops, r, p, st);
		if (st != HTTP_PARSE_AGAIN)
			ops->check_sticky(p, st);
	}
out:
	free(p);
}

static void
free_run(const struct feed_ops *ops, struct feed_run *run)
{
	int i;

	for (i = 0; i < run->nmsg; i++) {
		if (ops->free_priv != NULL)
			ops->free_priv(run->r[i].priv);
		free(run->r[i].priv);
		free(run->r[i].headers);
		free(run->r[i].body);
	}
}

void
feed_check_expect(const struct feed_case *fc, const struct feed_result *r,
		  const struct feed_expect *e, int whole)
{
	assert_int_equal(r->st, e->st);
	assert_int_equal(r->err, e->err);
	if (e->st == HTTP_PARSE_ERROR)
		assert_int_equal(r->error_offset, e->error_offset);
	if (e->headers != NULL)
		assert_string_equal(r->headers_len ? r->headers : "",
				    e->headers);
	if (!fc->loose) {
		assert_int_equal(r->consumed, e->consumed);
		assert_int_equal(r->body_bytes, r->body_len);
	}
	if (!fc->loose && !e->skip_body) {
		assert_int_equal(r->body_len, e->body_len);
		if (e->body_len > 0)
			assert_memory_equal(r->body, e->body, e->body_len);
	}
	if (whole && e->body_calls_whole != 0)
		assert_int_equal(r->body_calls, e->body_calls_whole);
}

static void
check_expect(const struct feed_ops *ops, const struct feed_case *fc,
	     const struct feed_run *run, const void *exp, size_t exp_size,
	     int nexp, int whole)
{
	int i;

	assert_int_equal(run->nmsg, nexp);
	for (i = 0; i < nexp; i++)
		ops->check_expect(fc, &run->r[i],
				  (const uint8_t *)exp + (size_t)i * exp_size,
				  whole);
}

/* Whatever the split, everything observable must match the whole run. */
static void
check_same(const struct feed_ops *ops, const struct feed_case *fc,
	   const struct feed_run *a, const struct feed_run *b)
{
	int i;

	assert_int_equal(a->nmsg, b->nmsg);
	for (i = 0; i < a->nmsg; i++) {
		const struct feed_result *x = &a->r[i], *y = &b->r[i];

		assert_int_equal(x->st, y->st);
		assert_int_equal(x->err, y->err);
		if (!memo_mode)
			assert_int_equal(x->headers_done_calls,
					 y->headers_done_calls);
		ops->check_same(x, y);
		if (no_header_cb)
			assert_int_equal(y->headers_len, 0);
		else
			assert_int_equal(x->headers_len, y->headers_len);
		if (x->headers_len > 0 && !no_header_cb)
			assert_memory_equal(x->headers, y->headers,
					    x->headers_len);
		if (fc->loose)
			continue;
		assert_int_equal(x->error_offset, y->error_offset);
		assert_int_equal(x->consumed, y->consumed);
		assert_int_equal(x->body_bytes, y->body_bytes);
		assert_int_equal(x->body_len, y->body_len);
		if (x->body_len > 0)
			assert_memory_equal(x->body, y->body, x->body_len);
	}
}

/* Cut len bytes into random pieces, from 1 byte to the whole, drawn
 * from seed; returns how many (their sizes in pieces). */
static size_t
random_pieces(size_t *pieces, size_t len, uint64_t seed)
{
	size_t n = 0, left = len;

	rng_state = seed;
	rng();
	while (left > 0) {
		uint64_t scale = 1ULL << (rng() % 14);
		size_t sz = 1 + (size_t)(rng() % scale);

		if (sz > left)
			sz = left;
		pieces[n++] = sz;
		left -= sz;
	}
	return n;
}

void
feed_check_case(const struct feed_ops *ops, const struct feed_case *fc_in,
		const void *exp, size_t exp_size, int nexp)
{
	struct feed_case fc = *fc_in;
	struct feed_run whole, split;
	size_t *pieces, n, k;
	int iter;

	if (fc.len == 0)
		fc.len = strlen(fc.input);
	assert_true(!fc.eof || ops->eof != NULL);
	pieces = malloc((fc.len + 1) * sizeof(*pieces));
	assert_non_null(pieces);

	/* (a) whole */
	pieces[0] = fc.len;
	run_pieces(ops, &fc, pieces, fc.len > 0 ? 1 : 0, 0, &whole);
	check_expect(ops, &fc, &whole, exp, exp_size, nexp, 1);

	/* (b) byte by byte */
	for (k = 0; k < fc.len; k++)
		pieces[k] = 1;
	run_pieces(ops, &fc, pieces, fc.len, 0, &split);
	check_expect(ops, &fc, &split, exp, exp_size, nexp, 0);
	check_same(ops, &fc, &whole, &split);
	free_run(ops, &split);

	/* (c) random splits, with sizes from 1 byte to the whole input;
	 * (d) whole, then random splits again, without a header callback:
	 * the one-pass path for whole field sections, against (a) */
	for (iter = 0; iter < FEED_RANDOM_SPLITS + FEED_FAST_SPLITS + 1;
	     iter++) {
		if (iter == FEED_RANDOM_SPLITS) {
			if (fc.abort_at == ABORT_HEADER)
				break;
			no_header_cb = 1;
			pieces[0] = fc.len;
			run_pieces(ops, &fc, pieces, fc.len > 0 ? 1 : 0, 0,
				   &split);
			check_same(ops, &fc, &whole, &split);
			free_run(ops, &split);
			continue;
		}
		n = random_pieces(pieces, fc.len,
				  0x9e3779b97f4a7c15ULL ^
				  ((uint64_t)fc.len << 20) ^ (uint64_t)iter);
		run_pieces(ops, &fc, pieces, n, 1, &split);
		if (!no_header_cb)
			check_expect(ops, &fc, &split, exp, exp_size, nexp, 0);
		check_same(ops, &fc, &whole, &split);
		free_run(ops, &split);
	}
	/* (e) with a memo: whole (which leaves its last head in the memo,
	 * unless an earlier run did), whole again (which takes it), then
	 * random splits (which take it only where a head lies whole in
	 * one piece); the memo carries over from case to case, so other
	 * heads miss it */
	if (ops->memo && fc.abort_at != ABORT_HEADER &&
	    fc.abort_at != ABORT_HEADERS_DONE) {
		memo_mode = 1;
		no_header_cb = 1;
		for (iter = 0; iter < FEED_FAST_SPLITS + 2; iter++) {
			if (iter < 2) {
				pieces[0] = fc.len;
				run_pieces(ops, &fc, pieces, fc.len > 0 ? 1 : 0,
					   0, &split);
				check_same(ops, &fc, &whole, &split);
				free_run(ops, &split);
				continue;
			}
			n = random_pieces(pieces, fc.len,
					  0x51ed270b27b1f1a5ULL ^
					  ((uint64_t)fc.len << 20) ^
					  (uint64_t)iter);
			run_pieces(ops, &fc, pieces, n, 1, &split);
			check_same(ops, &fc, &whole, &split);
			free_run(ops, &split);
		}
		memo_mode = 0;
	}
	no_header_cb = 0;
	free_run(ops, &whole);
	free(pieces);
}

/* Appends a string at buf + len; returns the new length. */
static size_t
put(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + len, s, n);
	return len + n;
}

size_t
feed_chunked_large(char *in, size_t cap, const char *head, const char *fill,
		   uint8_t *body, size_t *body_len)
{
	/* sizes with many hex digits, upper and lower case, leading zeros */
	static const char *const sizes[FEED_LARGE_CHUNKS] = {
		"10000", "1FFFF", "1ffff", "00000000000000000000003", "a",
		"0000000000000001",
	};
	size_t len = 0, blen = 0, k, j, csz, nfill = strlen(fill);

	len = put(in, len, head);
	for (k = 0; k < FEED_LARGE_CHUNKS; k++) {
		csz = strtoul(sizes[k], NULL, 16);
		len = put(in, len, sizes[k]);
		len = put(in, len, "\r\n");
		for (j = 0; j < csz; j++) {
			uint8_t b = (uint8_t)fill[(j * 7 + k) % nfill];

			in[len++] = (char)b;
			body[blen++] = b;
		}
		len = put(in, len, "\r\n");
	}
	len = put(in, len, "0\r\n\r\n");
	assert_true(len < cap);
	*body_len = blen;
	return len;
}

size_t
feed_off_of(const char *s, const char *needle)
{
	const char *f = strstr(s, needle);

	assert_non_null(f);
	return (size_t)(f - s);
}

void
feed_check_memo_used(const struct http_head_memo *hm)
{
	assert_true(hm->records > 10);
	assert_true(hm->hits > 10);
}
