/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable HTTP/1.1 response parser; see http_parse.h.
 *
 * Every piece of state lives in struct http_resp_parser, and every state
 * consumes input one byte at a time (or, in the body and header-value
 * states, one run of bytes), so a response may be cut anywhere.  The
 * header section and the whole body (Content-Length, chunked with its
 * trailers, close-delimited) are the same as in requests and run in
 * http_msg.c; the status line, 1xx handling and the choice of body
 * framing are ours.  The body is never copied.
 *
 * http_resp_parse() runs one phase at a time: the status line
 * (parse_status_line), the header section (parse_fields), the body
 * (parse_body).
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_msg.h"
#include "http_parse.h"

enum {
	S_ST_VERSION = 0,	/* "HTTP/1.x", count is the position */
	S_ST_SP,
	S_ST_CODE,		/* three digits, counted in count */
	S_ST_AFTER_CODE,
	S_ST_REASON,		/* length counted in count */
	S_ST_LF,
	S_FIELDS,		/* header section, in http_msg_fields() */
	S_BODY,			/* any framing, in http_msg_body() */
	S_DONE,
	S_ERROR,
};

static const char *const err_str[HTTP_ERR_MAX] = {
	[HTTP_ERR_NONE] = "no error",
	[HTTP_ERR_STATUS_LINE] = "malformed status line",
	[HTTP_ERR_VERSION] = "unsupported HTTP version (not HTTP/1.x)",
	[HTTP_ERR_HEADER] = "malformed header line",
	[HTTP_ERR_HEADER_TOO_LONG] = "header line too long",
	[HTTP_ERR_TOO_MANY_HEADERS] = "too many header lines",
	[HTTP_ERR_CONTENT_LENGTH] = "bad or conflicting Content-Length",
	[HTTP_ERR_TRANSFER_ENCODING] =
		"unsupported Transfer-Encoding (chunked is not final)",
	[HTTP_ERR_CHUNK_SIZE] = "bad chunk size line",
	[HTTP_ERR_CHUNK_DATA] = "missing CRLF after chunk data",
	[HTTP_ERR_TRUNCATED] = "connection closed before end of response",
};

/* The shared framing code's errors are ours from HTTP_ERR_HEADER on. */
_Static_assert(HTTP_ERR_CHUNK_DATA - HTTP_ERR_HEADER ==
	       HTTP_MSG_ERR_CHUNK_DATA - HTTP_MSG_ERR_HEADER,
	       "http_msg_error and http_parse_error out of step");
#define MSG_ERR(e) \
	((enum http_parse_error)HTTP_MSG_ERR_AS(e, HTTP_ERR_NONE, \
						HTTP_ERR_HEADER))

static int
set_error(struct http_resp_parser *p, enum http_parse_error err,
	  uint64_t off)
{
	p->error = err;
	p->error_offset = off;
	p->state = S_ERROR;
	return -1;
}

/* 1xx other than 101 announce that the real response is still to come. */
static inline int
is_interim(int status)
{
	return status >= 100 && status < 200 && status != 101;
}

/* Forget everything a previous (interim) response head told us. */
static void
reset_response(struct http_resp_parser *p)
{
	p->status_code = 0;
	p->version_minor = 0;
	p->content_length = 0;
	p->count = 0;
	http_msg_reset(&p->msg);
}

/* A header (or trailer) line is complete; lf_off: stream offset of its LF. */
static int
finish_field(struct http_resp_parser *p, const struct http_msg_field *f,
	     uint64_t lf_off)
{
	const struct http_resp_callbacks *cb = p->cb;
	size_t bad;

	/* Interim heads are checked for syntax only. */
	if (is_interim(p->status_code))
		return 0;

	if (http_msg_framing_field(&p->msg, f, &p->content_length,
				   &bad) != 0)
		return set_error(p, HTTP_ERR_CONTENT_LENGTH,
				 lf_off - f->lf_dist + bad);

	if (cb != NULL && cb->header != NULL &&
	    cb->header(p->cb_arg, f->name, f->name_len, f->value,
		       f->value_len) != 0)
		return set_error(p, HTTP_ERR_NONE, lf_off);
	return 0;
}

/*
 * The empty line ending the header section, at stream offset off.
 * Returns 1 when the response is complete, 0 to go on, -1 on error.
 */
static int
end_of_fields(struct http_resp_parser *p, uint64_t off)
{
	const struct http_resp_callbacks *cb = p->cb;
	int status = p->status_code;
	int te = p->msg.te;
	enum http_body_kind kind;
	int keep_alive;

	if (is_interim(status)) {
		reset_response(p);
		p->state = S_ST_VERSION;
		return 0;
	}

	if (status < 200 || status == 204 || status == 304 ||
	    p->head_request)
		kind = HTTP_BODY_NONE;
	else if (te == HTTP_MSG_TE_CHUNKED)
		kind = HTTP_BODY_CHUNKED;	/* Content-Length is ignored */
	else if (te != HTTP_MSG_TE_NONE)
		return set_error(p, HTTP_ERR_TRANSFER_ENCODING, off);
	else if (p->msg.have_content_length)
		kind = HTTP_BODY_LENGTH;
	else
		kind = HTTP_BODY_CLOSE;

	keep_alive = http_msg_keep_alive(&p->msg, p->version_minor);
	if (kind == HTTP_BODY_CLOSE || status == 101)
		keep_alive = 0;

	p->body_kind = kind;
	p->keep_alive = keep_alive;
	p->body_bytes = 0;

	if (cb != NULL && cb->headers_done != NULL &&
	    cb->headers_done(p->cb_arg, p) != 0)
		return set_error(p, HTTP_ERR_NONE, off);

	if (kind == HTTP_BODY_NONE ||
	    !http_msg_start_body(&p->msg, kind == HTTP_BODY_CHUNKED ?
				 HTTP_MSG_CHUNKED : kind == HTTP_BODY_CLOSE ?
				 HTTP_MSG_CLOSE : HTTP_MSG_LENGTH,
				 p->content_length))
		return 1;
	p->state = S_BODY;
	return 0;
}

static void
status_line_done(struct http_resp_parser *p)
{
	p->count = 0;
	http_msg_start_fields(&p->msg);
	p->state = S_FIELDS;
}

/*
 * The common case: "HTTP/1.x NNN reason" and its line end whole in this
 * buffer, checked in one go.  Returns the index of the LF, or 0 to leave
 * the line to the state machine (cut by the end of the buffer, or
 * anything it must report as an error).
 */
static size_t
status_line_in_place(struct http_resp_parser *p, const uint8_t *data,
		     size_t len, size_t i)
{
	const uint8_t *d = data + i;
	size_t avail = len - i, end = 12, cap;

	if (avail < 13 || memcmp(d, "HTTP/1.", 7) != 0 ||
	    !http_msg_is_digit(d[7]) || d[8] != ' ' ||
	    !http_msg_is_digit(d[9]) || d[9] == '0' ||
	    !http_msg_is_digit(d[10]) || !http_msg_is_digit(d[11]))
		return 0;
	if (d[12] == ' ') {
		/* " reason" up to its line end, found as it is checked;
		 * "HTTP/1.1 200\r\n" has none */
		cap = 13 + HTTP_MAX_REASON_LEN + 1;
		if (cap > avail)
			cap = avail;
		end = 13 + http_msg_field_run(d + 13, cap - 13);
		if (end == cap || end - 13 > HTTP_MAX_REASON_LEN)
			return 0;
	}
	if (d[end] == '\r' && end + 1 < avail)
		end++;
	else if (d[end] != '\n')
		return 0;
	if (d[end] != '\n')
		return 0;
	p->version_minor = d[7] - '0';
	p->status_code = (d[9] - '0') * 100 + (d[10] - '0') * 10 +
		(d[11] - '0');
	status_line_done(p);
	return i + end;
}

void
http_resp_parser_init(struct http_resp_parser *p,
		      const struct http_resp_callbacks *cb, void *cb_arg,
		      int head_request)
{
	/* line[] is scratch space; clearing 8 KB per response is waste. */
	memset(p, 0, offsetof(struct http_resp_parser, msg));
	http_msg_reset(&p->msg);
	p->body_kind = HTTP_BODY_NONE;
	p->error = HTTP_ERR_NONE;
	p->cb = cb;
	p->cb_arg = cb_arg;
	p->head_request = head_request != 0;
	p->state = S_ST_VERSION;
}

/* A byte after the status code: the reason and the line end. */
static enum http_parse_error
status_line_end_byte(struct http_resp_parser *p, uint8_t c)
{
	switch (p->state) {
	case S_ST_AFTER_CODE:
		/* "HTTP/1.1 200\r\n" lacks the SP; accept it anyway */
		if (c == ' ') {
			p->count = 0;
			p->state = S_ST_REASON;
			return HTTP_ERR_NONE;
		}
		break;
	case S_ST_REASON:
		if (c != '\r' && c != '\n')
			return http_msg_is_field_char(c) &&
				++p->count <= HTTP_MAX_REASON_LEN ?
				HTTP_ERR_NONE : HTTP_ERR_STATUS_LINE;
		break;
	case S_ST_LF:
		if (c != '\n')
			return HTTP_ERR_STATUS_LINE;
		break;
	default:
		/* S_DONE and S_ERROR never get here */
		return HTTP_ERR_STATUS_LINE;
	}
	if (c == '\r' && p->state != S_ST_LF) {
		p->state = S_ST_LF;
		return HTTP_ERR_NONE;
	}
	if (c != '\n')
		return HTTP_ERR_STATUS_LINE;
	status_line_done(p);
	return HTTP_ERR_NONE;
}

/* One byte of a status line cut by the end of a buffer. */
static enum http_parse_error
status_line_byte(struct http_resp_parser *p, uint8_t c)
{
	enum http_msg_version v;

	switch (p->state) {
	case S_ST_VERSION:
		v = http_msg_version_byte(&p->count, c, &p->version_minor);
		if (v == HTTP_MSG_VER_DONE)
			p->state = S_ST_SP;
		if (v == HTTP_MSG_VER_BAD)
			return HTTP_ERR_STATUS_LINE;
		return v == HTTP_MSG_VER_OTHER ? HTTP_ERR_VERSION :
			HTTP_ERR_NONE;
	case S_ST_SP:
		if (c != ' ')
			return HTTP_ERR_STATUS_LINE;
		p->status_code = 0;
		p->count = 0;
		p->state = S_ST_CODE;
		return HTTP_ERR_NONE;
	case S_ST_CODE:
		if (!http_msg_is_digit(c) || (p->count == 0 && c == '0'))
			return HTTP_ERR_STATUS_LINE;
		p->status_code = p->status_code * 10 + (c - '0');
		if (++p->count == 3)
			p->state = S_ST_AFTER_CODE;
		return HTTP_ERR_NONE;
	default:
		return status_line_end_byte(p, c);
	}
}

/* The header section up to its next event. */
static int
parse_fields(struct http_resp_parser *p, const uint8_t *data, size_t len,
	     size_t *pos)
{
	struct http_msg_field f;
	int r = HTTP_MSG_AGAIN;

	/* Without a header callback, a final response's fields act on the
	 * framing only: all of them in one pass where they lie whole. */
	if ((p->cb == NULL || p->cb->header == NULL) &&
	    !is_interim(p->status_code))
		r = http_msg_fields_fast(&p->msg, data, len, pos, &f,
					 &p->content_length, 0);
	/* on an event, *pos ends up at the LF that ended the line */
	if (r == HTTP_MSG_AGAIN)
		r = http_msg_fields(&p->msg, data, len, pos, &f);

	switch (r) {
	case HTTP_MSG_AGAIN:
		return 0;
	case HTTP_MSG_FIELD:
		r = finish_field(p, &f, p->offset + *pos);
		break;
	case HTTP_MSG_END:
		r = end_of_fields(p, p->offset + *pos);
		break;
	default:
		return set_error(p, MSG_ERR(p->msg.error), p->offset + *pos);
	}
	if (r >= 0)
		(*pos)++;
	return r;
}

/* The status line so far, then the rest of its bytes in this buffer. */
static int
parse_status_line(struct http_resp_parser *p, const uint8_t *data,
		  size_t len, size_t *pos)
{
	enum http_parse_error err;
	size_t i = *pos, lf;

	if (p->state == S_ST_VERSION && p->count == 0) {
		lf = status_line_in_place(p, data, len, i);
		if (lf > 0) {
			*pos = lf + 1;
			return 0;
		}
	}
	for (; i < len && p->state < S_FIELDS; i++) {
		err = status_line_byte(p, data[i]);
		if (err != HTTP_ERR_NONE) {
			*pos = i;
			return set_error(p, err, p->offset + i);
		}
	}
	*pos = i;
	return 0;
}

void
http_resp_parser_set_memo(struct http_resp_parser *p,
			  struct http_resp_memo *memo)
{
	p->memo = memo;
}

/* Whether p may use its memo now: at the very start of a response, with
 * no callback that must see the head. */
static int
memo_usable(const struct http_resp_parser *p)
{
	return p->memo != NULL && p->offset == 0 &&
		p->state == S_ST_VERSION && p->count == 0 &&
		(p->cb == NULL ||
		 (p->cb->header == NULL && p->cb->headers_done == NULL));
}

/* The head in data[0..len) is the memo's: take the state its parse
 * left.  Returns its length, or 0 when it is another head. */
static size_t
memo_take(struct http_resp_parser *p, const uint8_t *data, size_t len,
	  int *done)
{
	struct http_resp_memo *mo = p->memo;
	size_t n;

	if (mo->head_request != p->head_request)
		return 0;
	n = http_head_memo_take(&mo->base, &p->msg, data, len, done);
	if (n == 0)
		return 0;
	p->status_code = mo->status_code;
	p->version_minor = mo->version_minor;
	p->keep_alive = mo->keep_alive;
	p->body_kind = mo->body_kind;
	p->content_length = mo->content_length;
	p->body_bytes = 0;
	p->state = S_BODY;
	return n;
}

/* A head of len bytes, all in data, was parsed from the start of the
 * response; done: it ended the response (no body). */
static void
memo_record(struct http_resp_parser *p, const uint8_t *data, size_t len,
	    int done)
{
	struct http_resp_memo *mo = p->memo;

	if (http_head_memo_store(&mo->base, &p->msg, data, len, done) != 0)
		return;
	mo->head_request = p->head_request;
	mo->status_code = p->status_code;
	mo->version_minor = p->version_minor;
	mo->keep_alive = p->keep_alive;
	mo->body_kind = p->body_kind;
	mo->content_length = p->content_length;
}

/*
 * Each phase returns 0 to go on, 1 at the end of the response, -1 on
 * error: the values of HTTP_PARSE_AGAIN, _DONE and _ERROR.  The body,
 * any framing, runs in http_msg_body(), which hands the slices to our
 * body callback itself.
 */
enum http_parse_status
http_resp_parse(struct http_resp_parser *p, const uint8_t *data, size_t len,
		size_t *consumed)
{
	const struct http_msg_sink sink = {
		p->cb != NULL ? p->cb->body : NULL, p->cb_arg, &p->body_bytes
	};
	int r = p->state == S_DONE ? 1 : p->state == S_ERROR ? -1 : 0;
	int record = 0;
	size_t i = 0;

	if (memo_usable(p)) {
		i = memo_take(p, data, len, &r);
		record = i == 0;
	}
	while (r == 0 && i < len) {
		if (p->state == S_FIELDS) {
			r = parse_fields(p, data, len, &i);
			/* the head ended in this buffer, which held all of
			 * it: remember it (and the state it left) */
			if (record && (r > 0 || (r == 0 &&
						 p->state == S_BODY))) {
				memo_record(p, data, i, r > 0);
				record = 0;
			}
		} else if (p->state != S_BODY)
			r = parse_status_line(p, data, len, &i);
		else if ((r = http_msg_body(&p->msg, data, len, &i, &sink)) < 0)
			set_error(p, MSG_ERR(p->msg.error), p->offset + i);
	}
	if (consumed != NULL)
		*consumed = i;
	if (r > 0)
		p->state = S_DONE;
	/* after an error the offset is where the fault was */
	if (r >= 0)
		p->offset += i;
	return (enum http_parse_status)r;
}

enum http_parse_status
http_resp_parse_eof(struct http_resp_parser *p)
{
	switch (p->state) {
	case S_DONE:
		return HTTP_PARSE_DONE;
	case S_ERROR:
		return HTTP_PARSE_ERROR;
	case S_BODY:
		if (!http_msg_body_at_eof(&p->msg))
			break;
		p->state = S_DONE;
		return HTTP_PARSE_DONE;
	default:
		break;
	}
	set_error(p, HTTP_ERR_TRUNCATED, p->offset);
	return HTTP_PARSE_ERROR;
}

int
http_resp_parse_is_done(const struct http_resp_parser *p)
{
	return p->state == S_DONE;
}

const char *
http_parse_strerror(enum http_parse_error err)
{
	if ((unsigned int)err >= HTTP_ERR_MAX || err_str[err] == NULL)
		return "unknown HTTP parse error";
	return err_str[err];
}
