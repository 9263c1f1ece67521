/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test support shared by the HTTP parser unit tests: feeds a case whole,
 * byte by byte, and in FEED_RANDOM_SPLITS seeded random splits, records
 * what the parser reported for each message, and checks that every way
 * of feeding gives the same result.
 *
 * The harness knows nothing of a particular parser: a struct feed_ops
 * supplies creating, (re)starting, feeding and recording, and the
 * parser-specific checks.  Whatever is specific to one parser lives in
 * the per-message priv block (ops->priv_size bytes, zeroed).
 */

#ifndef FEED_HARNESS_H
#define FEED_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"		/* enum http_parse_status */

#define FEED_RANDOM_SPLITS	200
#define FEED_FAST_SPLITS	50	/* of them again without a header callback */
#define FEED_MAX_MSG		4

enum abort_at {
	ABORT_NONE,
	ABORT_HEADER,		/* on a header named X-Abort */
	ABORT_HEADERS_DONE,
	ABORT_BODY,		/* on the first body slice */
};

struct feed_case {
	const char *input;
	size_t len;		/* 0: strlen(input) */
	int head;		/* response parser: the request was HEAD */
	int eof;		/* the peer closes after the input */
	enum abort_at abort_at;
	int single;		/* stop after the first message */
	int loose;		/* split-dependent body/offsets: check less */
};

/* What every parser reports for one message. */
struct feed_result {
	enum http_parse_status st;
	int err;
	uint64_t error_offset;
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
	void *priv;		/* ops->priv_size bytes, parser-specific */
};

struct feed_run {
	int nmsg;
	struct feed_result r[FEED_MAX_MSG];
};

/* The callback argument the parser is given. */
struct feed_ctx {
	struct feed_result *r;
	enum abort_at abort_at;
	/* begin() gives the parser no header callback: the parsers then
	 * take whole field sections in one pass (http_msg_fields_fast) */
	int no_header_cb;
	/* begin() gives the parser no callback but body, and a memo of
	 * the last head (feed_ops.memo) */
	int memo;
};

/* The parser-independent part of an expectation. */
struct feed_expect {
	enum http_parse_status st;
	int err;
	const char *headers;	/* "name: value\n"...; NULL: not checked */
	const void *body;	/* NULL: empty (unless skip_body) */
	size_t body_len;
	int skip_body;
	size_t consumed;	/* input bytes belonging to this message */
	uint64_t error_offset;	/* checked when st is HTTP_PARSE_ERROR */
	int body_calls_whole;	/* when fed whole; 0: not checked */
};

/* A struct feed_expect from a test file's expectation with these fields. */
#define FEED_EXPECT_OF(e) {					\
		.st = (e)->st,					\
		.err = (e)->err,				\
		.headers = (e)->headers,			\
		.body = (e)->body,				\
		.body_len = (e)->body_len,			\
		.skip_body = (e)->skip_body,			\
		.consumed = (e)->consumed,			\
		.error_offset = (e)->error_offset,		\
		.body_calls_whole = (e)->body_calls_whole,	\
	}

struct feed_ops {
	size_t priv_size;
	/* begin() can give the parser a memo of the last head
	 * (feed_ctx.memo): feed_check_case then runs that way too */
	int memo;
	/* a parser ready for the first message (may be reused after) */
	void *(*create)(struct feed_ctx *ctx);
	/* before message number n (1 for the first) */
	void (*begin)(void *p, struct feed_ctx *ctx,
		      const struct feed_case *fc, int n);
	enum http_parse_status (*parse)(void *p, const uint8_t *data,
					size_t len, size_t *used);
	/* NULL: the parser has no end of input (fc->eof must be 0) */
	enum http_parse_status (*eof)(void *p);
	/* err, error_offset, body_bytes and the priv fields; st is set */
	void (*record)(struct feed_result *r, const void *p,
		       enum http_parse_status st);
	/* after DONE or ERROR the parser must stay put */
	void (*check_sticky)(void *p, enum http_parse_status st);
	/* frees what the priv block points to (NULL: nothing) */
	void (*free_priv)(void *priv);
	/* exp points to one expectation of the test file's own type */
	void (*check_expect)(const struct feed_case *fc,
			     const struct feed_result *r, const void *exp,
			     int whole);
	/* the parser-specific fields of two runs of the same message */
	void (*check_same)(const struct feed_result *x,
			   const struct feed_result *y);
};

/* Callbacks common to both parsers: they take a struct feed_ctx. */
int feed_on_header(void *arg, const char *name, size_t name_len,
		   const char *value, size_t value_len);
int feed_on_headers_done(struct feed_ctx *ctx);
int feed_on_body(void *arg, const uint8_t *data, size_t len);

/* The checks on the parser-independent part of one message. */
void feed_check_expect(const struct feed_case *fc,
		       const struct feed_result *r,
		       const struct feed_expect *e, int whole);

/*
 * Feeds fc whole, byte by byte and in random splits; every run must give
 * nexp messages matching exp (an array of exp_size-byte elements) and
 * everything observable must match the whole run.  Then again whole and
 * in random splits without a header callback (unless the case aborts in
 * it), which takes the parsers' one-pass path: everything but the
 * headers must match the whole run.  With ops->memo, whole twice and in
 * random splits again with a memo of the last head (unless the case
 * aborts in a header callback): the second whole run takes the memo's
 * state, and everything but the headers must match.
 */
void feed_check_case(const struct feed_ops *ops, const struct feed_case *fc,
		     const void *exp, size_t exp_size, int nexp);

/* After the feed cases of a parser with ops->memo, given the memo they
 * shared: heads were stored and taken, so the equivalence they checked
 * covered taken heads, not only parsed ones. */
void feed_check_memo_used(const struct http_head_memo *hm);

/*
 * Writes head and then a chunked body of FEED_LARGE_CHUNKS chunks whose
 * sizes have many hex digits, upper and lower case and leading zeros;
 * the chunk data cycles through fill (which should hold bytes the parser
 * must not act on).  The decoded body goes to body, its length to
 * *body_len.  Returns the length of the input written to in.
 */
#define FEED_LARGE_CHUNKS	6
size_t feed_chunked_large(char *in, size_t cap, const char *head,
			  const char *fill, uint8_t *body, size_t *body_len);

/* Offset of needle in s, which must contain it. */
size_t feed_off_of(const char *s, const char *needle);

#endif /* FEED_HARNESS_H */
