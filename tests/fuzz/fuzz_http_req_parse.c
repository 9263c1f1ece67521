/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the HTTP request parser (http_req_parse.h), the
 * built-in server's.
 *
 * Input: byte 0 where to split, the rest is the stream.  The stream is
 * parsed twice, whole and in two pieces cut at that byte, like a server
 * on a keep-alive connection (after DONE the next request starts with
 * the bytes left over).  Whole lines take the parser's in-place paths,
 * cut ones its byte-by-byte state machine; both must report the same:
 * method, target, version, framing, headers, body bytes, where each
 * request ended, and the error and its offset.  Then the split run
 * again without a header callback (the one-pass path for whole field
 * sections), against the whole run with the headers left out.  A
 * difference aborts, as do crashes and sanitizer reports.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_transcript.h"
#include "http_req_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_headers_done(void *arg, const struct http_req_parser *p)
{
	struct transcript *t = arg;

	mix_u64(t, 'D');
	mix(t, p->method, strlen(p->method));
	mix_u64(t, 'T');
	mix(t, p->target, strlen(p->target));
	mix_u64(t, (uint64_t)p->version_minor);
	mix_u64(t, (uint64_t)p->chunked);
	mix_u64(t, p->content_length);
	mix_u64(t, (uint64_t)p->keep_alive);
	mix_u64(t, (uint64_t)p->expect_continue);
	return 0;
}

static const struct http_req_callbacks callbacks = {
	.header = on_header,
	.headers_done = on_headers_done,
	.body = on_body,
};

/* No header callback: the one-pass path for whole field sections. */
static const struct http_req_callbacks callbacks_fast = {
	.headers_done = on_headers_done,
	.body = on_body,
};

static void
end_message(struct transcript *t, struct http_req_parser *p,
	    enum http_parse_status st)
{
	mix_u64(t, 'E');
	mix_u64(t, (uint64_t)st);
	mix_u64(t, (uint64_t)p->error);
	mix_u64(t, p->body_bytes);
	if (st == HTTP_PARSE_ERROR) {
		mix_u64(t, p->error_offset);
		t->stopped = 1;
	}
	if (++t->msgs >= MAX_MSGS)
		t->stopped = 1;
}

/* Feed one piece, at stream offset at, starting a new request after
 * each DONE. */
static void
feed(struct transcript *t, struct http_req_parser *p, const uint8_t *d,
     size_t len, uint64_t at)
{
	enum http_parse_status st;
	size_t used;

	while (len > 0 && !t->stopped) {
		used = 0;
		st = http_req_parse(p, d, len, &used);
		if (st == HTTP_PARSE_AGAIN)
			return;
		if (st == HTTP_PARSE_DONE) {
			if (used > len)
				abort();
			at += used;
			mix_u64(t, at);
			end_message(t, p, st);
			http_req_parser_reset(p);
			d += used;
			len -= used;
			continue;
		}
		end_message(t, p, st);
		return;
	}
}

static void
run(struct transcript *t, struct http_req_parser *p, const uint8_t *d,
    size_t len, size_t cut, int quiet, int fast)
{
	transcript_init(t);
	t->quiet = quiet;
	t->fast = fast;
	http_req_parser_init(p, fast ? &callbacks_fast : &callbacks, t);
	feed(t, p, d, cut, 0);
	feed(t, p, d + cut, len - cut, cut);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_req_parser p;	/* 12 KB: not on the stack */
	struct transcript whole, split;
	size_t cut;

	if (size < 1)
		return 0;
	cut = (size_t)data[0] * (size - 1) / 255;
	data += 1;
	size -= 1;
	run(&whole, &p, data, size, size, 0, 0);
	run(&split, &p, data, size, cut, 0, 0);
	if (whole.h != split.h || whole.msgs != split.msgs)
		abort();
	/* split without a header callback against whole, headers left out */
	run(&whole, &p, data, size, size, 1, 0);
	run(&split, &p, data, size, cut, 1, 1);
	if (whole.h != split.h || whole.msgs != split.msgs)
		abort();
	return 0;
}
