/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the HTTP response parser (http_parse.h).
 *
 * Input: byte 0 holds flags (bit 0: the request was HEAD; bit 1: the
 * connection reaches EOF after the data), byte 1 where to split, the rest
 * is the stream.  The stream is parsed twice, whole and in two pieces cut
 * at that byte, like a client on a keep-alive connection (after DONE a new
 * response starts with the bytes left over).  The parser promises that
 * any split gives the same result, so both runs must report the same
 * messages: status, framing, headers, body bytes, where each ended, and
 * the error and its offset.  Then again split without a header callback
 * (the one-pass path for whole field sections), against the whole run
 * with the headers left out.  A difference aborts, as do crashes and
 * sanitizer reports.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_transcript.h"
#include "http_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_headers_done(void *arg, const struct http_resp_parser *p)
{
	struct transcript *t = arg;

	mix_u64(t, 'D');
	mix_u64(t, (uint64_t)p->status_code);
	mix_u64(t, (uint64_t)p->version_minor);
	mix_u64(t, (uint64_t)p->body_kind);
	mix_u64(t, p->content_length);
	mix_u64(t, (uint64_t)p->keep_alive);
	return 0;
}

static const struct http_resp_callbacks callbacks = {
	.header = on_header,
	.headers_done = on_headers_done,
	.body = on_body,
};

static const struct http_resp_callbacks callbacks_fast = {
	.headers_done = on_headers_done,
	.body = on_body,
};

#define CALLBACKS(t) ((t)->fast ? &callbacks_fast : &callbacks)

static void
end_message(struct transcript *t, struct http_resp_parser *p,
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

/*
 * Feed one piece, at stream offset at, starting new responses after each
 * DONE.
 */
static void
feed(struct transcript *t, struct http_resp_parser *p, int head,
     const uint8_t *d, size_t len, uint64_t at)
{
	enum http_parse_status st;
	size_t used;

	while (len > 0 && !t->stopped) {
		used = 0;
		st = http_resp_parse(p, d, len, &used);
		if (st == HTTP_PARSE_AGAIN)
			return;
		if (st == HTTP_PARSE_DONE) {
			if (used > len)
				abort();
			/* Where in the stream the message ended. */
			at += used;
			mix_u64(t, at);
			end_message(t, p, st);
			http_resp_parser_init(p, CALLBACKS(t), t, head);
			d += used;
			len -= used;
			continue;
		}
		end_message(t, p, st);
		return;
	}
}

static void
run(struct transcript *t, int head, int eof, const uint8_t *d, size_t len,
    size_t cut, int quiet, int fast)
{
	struct http_resp_parser p;

	transcript_init(t);
	t->quiet = quiet;
	t->fast = fast;
	http_resp_parser_init(&p, CALLBACKS(t), t, head);
	feed(t, &p, head, d, cut, 0);
	feed(t, &p, head, d + cut, len - cut, cut);
	if (eof && !t->stopped)
		end_message(t, &p, http_resp_parse_eof(&p));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct transcript whole, split;
	int head, eof;
	size_t cut;

	if (size < 2)
		return 0;
	head = data[0] & 1;
	eof = (data[0] >> 1) & 1;
	cut = (size_t)data[1] * (size - 2) / 255;
	data += 2;
	size -= 2;
	run(&whole, head, eof, data, size, size, 0, 0);
	run(&split, head, eof, data, size, cut, 0, 0);
	if (whole.h != split.h || whole.msgs != split.msgs)
		abort();
	run(&whole, head, eof, data, size, size, 1, 0);
	run(&split, head, eof, data, size, cut, 1, 1);
	if (whole.h != split.h || whole.msgs != split.msgs)
		abort();
	return 0;
}
