/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable HTTP/1.1 request parser; see http_req_parse.h.
 *
 * The same machine as the response parser (http_parse.c): the header
 * section and the whole body (Content-Length, or chunked with its
 * trailers) are shared with it in http_msg.c; the request line and the
 * request framing rules are ours.
 * Every piece of state lives in struct http_req_parser and every state
 * consumes one byte (or, for the target, header values and body, one run
 * of bytes), so a request may be cut anywhere.  The method and target are
 * copied into the parser because the caller needs them after the head is
 * gone; header lines go through p->msg.line so a callback sees each
 * whole; the body is never copied.
 *
 * Choices the RFCs leave open:
 *  - HTTP/1.<n> with n > 1 is taken as HTTP/1.1 (RFC 9110 2.5: process a
 *    higher minor version as the highest one we implement), so
 *    version_minor is 0 or 1.  Any other major version, HTTP/0.9
 *    included, is HTTP_REQ_ERR_VERSION.  The minor version is one DIGIT;
 *    "HTTP/1.10" is a malformed request line.
 *  - The request-target is any run of visible ASCII; whether its form
 *    suits the method (origin, absolute, authority or "*") is for the
 *    server to judge.
 *  - Transfer-Encoding without chunked last is
 *    HTTP_REQ_ERR_TRANSFER_ENCODING (501, as the API promises, though RFC
 *    9112 6.3 would answer 400); codings before a final chunked are left
 *    to the server (the body is delivered de-chunked but not otherwise
 *    decoded).  With chunked framing content_length is reported as 0,
 *    and when a Content-Length was sent as well, or the request is
 *    HTTP/1.0, the connection is not kept alive (RFC 9112 6.1).
 *  - Expect: 100-continue is ignored in HTTP/1.0 requests (RFC 9110
 *    10.1.1).
 *  - Trailer fields are checked for syntax and limits, then dropped.
 *
 * http_req_parse() runs one phase at a time: the request line
 * (parse_request_line), the header section (parse_fields), the body
 * (parse_body).
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_msg.h"
#include "http_req_parse.h"

/*
 * Empty lines tolerated before a request line.  RFC 9112 2.2 asks us to
 * skip at least one (a client may send CRLF after a POST body); a bound
 * keeps a peer from holding the connection with nothing but CRLFs.
 */
#define MAX_LEADING_EMPTY	8

enum {
	S_START = 0,		/* before the method; empty lines skipped */
	S_START_LF,		/* CR of an empty line seen */
	S_METHOD,		/* length in count */
	S_TARGET,		/* length in count */
	S_VERSION,		/* "HTTP/1.x", count is the position */
	S_RL_END,		/* CR or LF after the version */
	S_RL_LF,
	S_FIELDS,		/* header section, in http_msg_fields() */
	S_BODY,			/* any framing, in http_msg_body() */
	S_DONE,
	S_ERROR,
};

static const char *const err_str[HTTP_REQ_ERR_MAX] = {
	[HTTP_REQ_ERR_NONE] = "no error",
	[HTTP_REQ_ERR_REQUEST_LINE] = "malformed request line",
	[HTTP_REQ_ERR_METHOD] = "bad or too long method",
	[HTTP_REQ_ERR_TARGET_TOO_LONG] = "request target too long",
	[HTTP_REQ_ERR_VERSION] = "unsupported HTTP version (not HTTP/1.x)",
	[HTTP_REQ_ERR_HEADER] = "malformed header line",
	[HTTP_REQ_ERR_HEADER_TOO_LONG] = "header line too long",
	[HTTP_REQ_ERR_TOO_MANY_HEADERS] = "too many header lines",
	[HTTP_REQ_ERR_CONTENT_LENGTH] = "bad or conflicting Content-Length",
	[HTTP_REQ_ERR_TRANSFER_ENCODING] =
		"unsupported Transfer-Encoding (chunked is not final)",
	[HTTP_REQ_ERR_CHUNK_SIZE] = "bad chunk size line",
	[HTTP_REQ_ERR_CHUNK_DATA] = "missing CRLF after chunk data",
};

static const int err_status[HTTP_REQ_ERR_MAX] = {
	[HTTP_REQ_ERR_NONE] = 400,
	[HTTP_REQ_ERR_REQUEST_LINE] = 400,
	[HTTP_REQ_ERR_METHOD] = 400,
	[HTTP_REQ_ERR_TARGET_TOO_LONG] = 414,
	[HTTP_REQ_ERR_VERSION] = 505,
	[HTTP_REQ_ERR_HEADER] = 400,
	[HTTP_REQ_ERR_HEADER_TOO_LONG] = 431,
	[HTTP_REQ_ERR_TOO_MANY_HEADERS] = 431,
	[HTTP_REQ_ERR_CONTENT_LENGTH] = 400,
	[HTTP_REQ_ERR_TRANSFER_ENCODING] = 501,
	[HTTP_REQ_ERR_CHUNK_SIZE] = 400,
	[HTTP_REQ_ERR_CHUNK_DATA] = 400,
};

/* The shared framing code's errors are ours from HTTP_REQ_ERR_HEADER on. */
_Static_assert(HTTP_REQ_ERR_CHUNK_DATA - HTTP_REQ_ERR_HEADER ==
	       HTTP_MSG_ERR_CHUNK_DATA - HTTP_MSG_ERR_HEADER,
	       "http_msg_error and http_req_error out of step");
#define MSG_ERR(e) \
	((enum http_req_error)HTTP_MSG_ERR_AS(e, HTTP_REQ_ERR_NONE, \
					      HTTP_REQ_ERR_HEADER))

static int
set_error(struct http_req_parser *p, enum http_req_error err, uint64_t off)
{
	p->error = err;
	p->error_offset = off;
	p->state = S_ERROR;
	return -1;
}

static void
parse_expect(struct http_req_parser *p, const char *v, size_t len)
{
	size_t pos = 0, s, n;

	while (http_msg_list_next(v, len, &pos, &s, &n))
		if (http_msg_ci_equal(v + s, n, "100-continue"))
			p->expect_continue = 1;
}

/* A header (or trailer) line is complete; lf_off: stream offset of its LF. */
static int
finish_field(struct http_req_parser *p, const struct http_msg_field *f,
	     uint64_t lf_off)
{
	const struct http_req_callbacks *cb = p->cb;
	size_t bad;

	if (http_msg_framing_field(&p->msg, f, &p->content_length,
				   &bad) != 0)
		return set_error(p, HTTP_REQ_ERR_CONTENT_LENGTH,
				 lf_off - f->lf_dist + bad);
	if (http_msg_is_expect(f))
		parse_expect(p, f->value, f->value_len);

	if (cb != NULL && cb->header != NULL &&
	    cb->header(p->cb_arg, f->name, f->name_len, f->value,
		       f->value_len) != 0)
		return set_error(p, HTTP_REQ_ERR_NONE, lf_off);
	return 0;
}

/*
 * The empty line ending the header section, at stream offset off.
 * Returns 1 when the request is complete, 0 to go on, -1 on error.
 */
static int
end_of_fields(struct http_req_parser *p, uint64_t off)
{
	const struct http_req_callbacks *cb = p->cb;
	int te = p->msg.te;

	p->chunked = te == HTTP_MSG_TE_CHUNKED;
	/*
	 * Without chunked last the body length cannot be known (RFC 9112
	 * 6.3): guessing would let a client smuggle a request past us.
	 */
	if (te != HTTP_MSG_TE_NONE && te != HTTP_MSG_TE_CHUNKED)
		return set_error(p, HTTP_REQ_ERR_TRANSFER_ENCODING, off);

	p->keep_alive = http_msg_keep_alive(&p->msg, p->version_minor);
	if (p->chunked)
		p->content_length = 0;
	/* an HTTP/1.0 client may not know 100 (RFC 9110 10.1.1) */
	if (p->version_minor == 0)
		p->expect_continue = 0;
	p->body_bytes = 0;

	if (cb != NULL && cb->headers_done != NULL &&
	    cb->headers_done(p->cb_arg, p) != 0)
		return set_error(p, HTTP_REQ_ERR_NONE, off);

	if (!http_msg_start_body(&p->msg, p->chunked ? HTTP_MSG_CHUNKED :
				 HTTP_MSG_LENGTH, p->content_length))
		return 1;
	p->state = S_BODY;
	return 0;
}

static void
request_line_done(struct http_req_parser *p)
{
	p->count = 0;
	http_msg_start_fields(&p->msg);
	p->state = S_FIELDS;
}

/* Everything but the callbacks and the stream offset. */
static void
clear_request(struct http_req_parser *p)
{
	/* msg.line[] and most of target[] are scratch: 12 KB not worth it */
	p->method[0] = '\0';
	p->target[0] = '\0';
	memset((char *)p + offsetof(struct http_req_parser, version_minor), 0,
	       offsetof(struct http_req_parser, msg) -
	       offsetof(struct http_req_parser, version_minor));
	http_msg_reset(&p->msg);
	p->error = HTTP_REQ_ERR_NONE;
	p->state = S_START;
}

void
http_req_parser_init(struct http_req_parser *p,
		     const struct http_req_callbacks *cb, void *cb_arg)
{
	clear_request(p);
	p->cb = cb;
	p->cb_arg = cb_arg;
}

void
http_req_parser_reset(struct http_req_parser *p)
{
	const struct http_req_callbacks *cb = p->cb;
	void *cb_arg = p->cb_arg;
	struct http_req_memo *memo = p->memo;
	uint64_t offset = p->offset;

	clear_request(p);
	p->cb = cb;
	p->cb_arg = cb_arg;
	p->memo = memo;
	p->offset = offset;
}

void
http_req_parser_set_memo(struct http_req_parser *p,
			 struct http_req_memo *memo)
{
	p->memo = memo;
}

/* Whether p may use its memo now: at the very start of a request (no
 * empty line skipped), with no callback that must see the head. */
static int
memo_usable(const struct http_req_parser *p)
{
	return p->memo != NULL && p->state == S_START && p->count == 0 &&
		p->empty_lines == 0 &&
		(p->cb == NULL ||
		 (p->cb->header == NULL && p->cb->headers_done == NULL));
}

/* The head in data[0..len) is the memo's: take the state its parse
 * left.  Returns its length, or 0 when it is another head. */
static size_t
memo_take(struct http_req_parser *p, const uint8_t *data, size_t len,
	  int *done)
{
	struct http_req_memo *mo = p->memo;
	size_t n = http_head_memo_take(&mo->base, &p->msg, data, len, done);

	if (n == 0)
		return 0;
	memcpy(p->method, mo->method, sizeof(p->method));
	memcpy(p->target, mo->target, strlen(mo->target) + 1);
	p->version_minor = mo->version_minor;
	p->chunked = mo->chunked;
	p->keep_alive = mo->keep_alive;
	p->expect_continue = mo->expect_continue;
	p->content_length = mo->content_length;
	p->body_bytes = 0;
	p->state = S_BODY;
	return n;
}

/* A head of len bytes, all in data, was parsed from the start of the
 * request; done: it ended the request (no body). */
static void
memo_record(struct http_req_parser *p, const uint8_t *data, size_t len,
	    int done)
{
	struct http_req_memo *mo = p->memo;
	size_t tlen = strlen(p->target);

	if (tlen >= sizeof(mo->target) ||
	    http_head_memo_store(&mo->base, &p->msg, data, len, done) != 0)
		return;
	memcpy(mo->method, p->method, sizeof(mo->method));
	memcpy(mo->target, p->target, tlen + 1);
	mo->version_minor = p->version_minor;
	mo->chunked = p->chunked;
	mo->keep_alive = p->keep_alive;
	mo->expect_continue = p->expect_continue;
	mo->content_length = p->content_length;
}

/*
 * The common case: "METHOD target HTTP/1.x" and its line end whole in
 * this buffer, read in runs instead of byte by byte.  Returns the index
 * of the LF, or 0 to leave the line to the state machine (cut by the
 * end of the buffer, or anything it must report as an error).
 */
static size_t
request_line_in_place(struct http_req_parser *p, const uint8_t *data,
		      size_t len, size_t i)
{
	size_t m = i, t, end, cap;

	/* the method, its SP, the target: each run stops at the first
	 * byte that cannot be in it, with no search for the LF first */
	cap = i + HTTP_REQ_MAX_METHOD + 1 < len ? i + HTTP_REQ_MAX_METHOD + 1 :
		len;
	while (m < cap && http_msg_tchar[data[m]])
		m++;
	if (m == i || m == cap || data[m] != ' ')
		return 0;
	t = m + 1;
	cap = t + HTTP_REQ_MAX_TARGET + 1 < len ? t + HTTP_REQ_MAX_TARGET + 1 :
		len;
	while (t < cap && http_msg_is_vchar(data[t]))
		t++;
	if (t == m + 1 || t - (m + 1) > HTTP_REQ_MAX_TARGET)
		return 0;
	/* " HTTP/1.x", then CRLF or a bare LF */
	if (len - t < 10 || memcmp(data + t, " HTTP/1.", 8) != 0 ||
	    !http_msg_is_digit(data[t + 8]))
		return 0;
	end = t + 9;
	if (data[end] == '\r' && end + 1 < len)
		end++;
	if (data[end] != '\n' || (end == t + 10 && data[t + 9] != '\r'))
		return 0;
	memcpy(p->method, data + i, m - i);
	p->method[m - i] = '\0';
	memcpy(p->target, data + m + 1, t - (m + 1));
	p->target[t - (m + 1)] = '\0';
	/* 1.2 and later are served as 1.1 (RFC 9110 2.5) */
	p->version_minor = data[t + 8] == '0' ? 0 : 1;
	p->empty_lines = 0;
	request_line_done(p);
	return end;
}

/*
 * Bytes before and in the method, or -1 (error set) on a byte that
 * starts no request line.
 */
static enum http_req_error
method_byte(struct http_req_parser *p, uint8_t c)
{
	if (p->state == S_START_LF) {
		if (c != '\n')
			return HTTP_REQ_ERR_REQUEST_LINE;
		p->empty_lines++;
		p->state = S_START;
		return HTTP_REQ_ERR_NONE;
	}
	if (p->state == S_START && (c == '\r' || c == '\n')) {
		if (p->empty_lines >= MAX_LEADING_EMPTY)
			return HTTP_REQ_ERR_REQUEST_LINE;
		if (c == '\r')
			p->state = S_START_LF;
		else
			p->empty_lines++;
		return HTTP_REQ_ERR_NONE;
	}
	if (http_msg_tchar[c]) {
		if (p->count == HTTP_REQ_MAX_METHOD)
			return HTTP_REQ_ERR_METHOD;
		p->empty_lines = 0;
		p->method[p->count++] = (char)c;
		p->state = S_METHOD;
		return HTTP_REQ_ERR_NONE;
	}
	/* no method, or a line that ends here with no target at all */
	if (c == ' ' ? p->state == S_START : c == '\r' || c == '\n')
		return HTTP_REQ_ERR_REQUEST_LINE;
	if (c != ' ')
		return HTTP_REQ_ERR_METHOD;
	p->method[p->count] = '\0';
	p->count = 0;
	p->state = S_TARGET;
	return HTTP_REQ_ERR_NONE;
}

/* One byte of "HTTP/1.x" and the line end after the target. */
static enum http_req_error
version_byte(struct http_req_parser *p, uint8_t c)
{
	switch (p->state) {
	case S_VERSION:
		switch (http_msg_version_byte(&p->count, c,
					      &p->version_minor)) {
		case HTTP_MSG_VER_MORE:
			return HTTP_REQ_ERR_NONE;
		case HTTP_MSG_VER_DONE:
			/* 1.2 and later are served as 1.1 (RFC 9110 2.5) */
			p->version_minor = p->version_minor != 0;
			p->state = S_RL_END;
			return HTTP_REQ_ERR_NONE;
		case HTTP_MSG_VER_OTHER:
			return HTTP_REQ_ERR_VERSION;
		default:
			return HTTP_REQ_ERR_REQUEST_LINE;
		}
	case S_RL_END:
	case S_RL_LF:
		if (c == '\n') {
			request_line_done(p);
			return HTTP_REQ_ERR_NONE;
		}
		if (c != '\r' || p->state == S_RL_LF)
			return HTTP_REQ_ERR_REQUEST_LINE;
		p->state = S_RL_LF;
		return HTTP_REQ_ERR_NONE;
	default:
		/* S_DONE and S_ERROR never get here */
		return HTTP_REQ_ERR_REQUEST_LINE;
	}
}

/*
 * The run of target bytes at data[*pos..], or the SP after the target.
 * Copies the whole run at once.
 */
static enum http_req_error
target_bytes(struct http_req_parser *p, const uint8_t *data, size_t len,
	     size_t *pos)
{
	size_t i = *pos, n, room = HTTP_REQ_MAX_TARGET - p->count;

	for (n = 0; i + n < len && http_msg_is_vchar(data[i + n]); n++)
		;
	if (n > room) {
		*pos = i + room;
		return HTTP_REQ_ERR_TARGET_TOO_LONG;
	}
	if (n > 0) {
		memcpy(p->target + p->count, data + i, n);
		p->count += n;
		*pos = i + n;
		return HTTP_REQ_ERR_NONE;
	}
	/* no target, a second SP, a control or non-ASCII */
	if (data[i] != ' ' || p->count == 0)
		return HTTP_REQ_ERR_REQUEST_LINE;
	p->target[p->count] = '\0';
	p->count = 0;
	p->state = S_VERSION;
	*pos = i + 1;
	return HTTP_REQ_ERR_NONE;
}

/* The request line so far, then the rest of its bytes in this buffer. */
static int
parse_request_line(struct http_req_parser *p, const uint8_t *data,
		   size_t len, size_t *pos)
{
	enum http_req_error err = HTTP_REQ_ERR_NONE;
	size_t i = *pos, lf;

	while (i < len && p->state < S_FIELDS && err == HTTP_REQ_ERR_NONE) {
		if (p->state == S_TARGET) {
			err = target_bytes(p, data, len, &i);
			continue;
		}
		if (p->state == S_START && http_msg_tchar[data[i]]) {
			lf = request_line_in_place(p, data, len, i);
			if (lf > 0) {
				i = lf + 1;
				break;
			}
		}
		if (p->state <= S_METHOD)
			err = method_byte(p, data[i]);
		else
			err = version_byte(p, data[i]);
		if (err == HTTP_REQ_ERR_NONE)
			i++;
	}
	*pos = i;
	if (err != HTTP_REQ_ERR_NONE)
		return set_error(p, err, p->offset + i);
	return 0;
}

/* The header section up to its next event. */
static int
parse_fields(struct http_req_parser *p, const uint8_t *data, size_t len,
	     size_t *pos)
{
	struct http_msg_field f;
	int r = HTTP_MSG_AGAIN;

	/* Without a header callback the fields act on the framing (and
	 * Expect) only: all of them in one pass where they lie whole. */
	if (p->cb == NULL || p->cb->header == NULL)
		r = http_msg_fields_fast(&p->msg, data, len, pos, &f,
					 &p->content_length,
					 HTTP_MSG_FAST_EXPECT);
	/* on an event, *pos ends up at the LF that ended the line */
	if (r == HTTP_MSG_AGAIN)
		r = http_msg_fields(&p->msg, data, len, pos, &f);

	if (r == HTTP_MSG_AGAIN)
		return 0;
	if (r == HTTP_MSG_ERROR)
		return set_error(p, MSG_ERR(p->msg.error), p->offset + *pos);
	if (r == HTTP_MSG_FIELD)
		r = finish_field(p, &f, p->offset + *pos);
	else
		r = end_of_fields(p, p->offset + *pos);
	*pos += r >= 0;
	return r;
}

/*
 * Each phase returns 0 to go on, 1 at the end of the request, -1 on
 * error: the values of HTTP_PARSE_AGAIN, _DONE and _ERROR.  The body
 * runs in http_msg_body(), which calls our body callback itself.
 */
enum http_parse_status
http_req_parse(struct http_req_parser *p, const uint8_t *data, size_t len,
	       size_t *consumed)
{
	const struct http_msg_sink sink = {
		.body = p->cb == NULL ? NULL : p->cb->body,
		.arg = p->cb_arg,
		.bytes = &p->body_bytes,
	};
	size_t i = 0;
	int r, record = 0;

	if (p->state == S_DONE || p->state == S_ERROR)
		r = p->state == S_DONE ? 1 : -1;
	else
		r = 0;
	if (r == 0 && memo_usable(p)) {
		i = memo_take(p, data, len, &r);
		record = i == 0;
	}
	for (; r == 0 && i < len; ) {
		switch (p->state) {
		case S_FIELDS:
			r = parse_fields(p, data, len, &i);
			/* the head ended in this buffer, which held all of
			 * it: remember it (and the state it left) */
			if (record && (r > 0 || (r == 0 &&
						 p->state == S_BODY))) {
				memo_record(p, data, i, r > 0);
				record = 0;
			}
			break;
		case S_BODY:
			r = http_msg_body(&p->msg, data, len, &i, &sink);
			if (r < 0)
				set_error(p, MSG_ERR(p->msg.error),
					  p->offset + i);
			break;
		default:
			r = parse_request_line(p, data, len, &i);
			break;
		}
	}
	/*
	 * The stream offset counts up to a fault too, so a caller that
	 * resets anyway still reports true offsets afterwards.
	 */
	p->offset += i;
	if (r == 1)
		p->state = S_DONE;
	if (consumed != NULL)
		*consumed = i;
	return (enum http_parse_status)r;
}

int
http_req_error_status(enum http_req_error err)
{
	/* a code we do not know still deserves an answer: 400 */
	if ((unsigned int)err >= HTTP_REQ_ERR_MAX)
		return 400;
	return err_status[err];
}

const char *
http_req_strerror(enum http_req_error err)
{
	if ((unsigned int)err >= HTTP_REQ_ERR_MAX || err_str[err] == NULL)
		return "unknown HTTP request parse error";
	return err_str[err];
}
