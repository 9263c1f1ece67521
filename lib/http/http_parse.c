/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable HTTP/1.1 response parser; see http_parse.h.
 *
 * Every piece of state lives in struct http_resp_parser, and every state
 * consumes input one byte at a time (or, in the body and header-value
 * states, one run of bytes), so a response may be cut anywhere.  The
 * header and trailer sections and the chunk framing are the same as in
 * requests and run in http_msg.c; the status line, 1xx handling and the
 * choice of body framing are ours.  The body is never copied.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_msg.h"
#include "http_parse.h"

enum {
	S_ST_NAME = 0,		/* "HTTP/", matched with count as index */
	S_ST_MAJOR,
	S_ST_DOT,
	S_ST_MINOR,
	S_ST_SP,
	S_ST_CODE,		/* three digits, counted in count */
	S_ST_AFTER_CODE,
	S_ST_REASON,		/* length counted in count */
	S_ST_LF,
	S_FIELDS,		/* header section, in http_msg_fields() */
	S_BODY_LENGTH,
	S_BODY_CLOSE,
	S_CHUNK,		/* chunk framing, in http_msg_chunk() */
	S_CHUNK_DATA,
	S_TRAILERS,		/* trailer section, in http_msg_fields() */
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

/* Our public code for each error the shared framing code finds. */
static const enum http_parse_error msg_err[HTTP_MSG_ERR_MAX] = {
	[HTTP_MSG_ERR_NONE] = HTTP_ERR_NONE,
	[HTTP_MSG_ERR_HEADER] = HTTP_ERR_HEADER,
	[HTTP_MSG_ERR_HEADER_TOO_LONG] = HTTP_ERR_HEADER_TOO_LONG,
	[HTTP_MSG_ERR_TOO_MANY_HEADERS] = HTTP_ERR_TOO_MANY_HEADERS,
	[HTTP_MSG_ERR_CHUNK_SIZE] = HTTP_ERR_CHUNK_SIZE,
	[HTTP_MSG_ERR_CHUNK_DATA] = HTTP_ERR_CHUNK_DATA,
};

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

	/* Trailers and interim heads are checked for syntax only. */
	if (p->state == S_TRAILERS || is_interim(p->status_code))
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
 * The empty line ending a header or trailer section, at stream offset
 * off.  Returns 1 when the response is complete, 0 to go on, -1 on error.
 */
static int
end_of_fields(struct http_resp_parser *p, uint64_t off)
{
	const struct http_resp_callbacks *cb = p->cb;
	int status = p->status_code;
	int te = p->msg.te;
	enum http_body_kind kind;
	int keep_alive;

	if (p->state == S_TRAILERS)
		return 1;

	if (is_interim(status)) {
		reset_response(p);
		p->state = S_ST_NAME;
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

	switch (kind) {
	case HTTP_BODY_LENGTH:
		if (p->content_length == 0)
			return 1;
		p->msg.remaining = p->content_length;
		p->state = S_BODY_LENGTH;
		return 0;
	case HTTP_BODY_CHUNKED:
		http_msg_start_chunked(&p->msg);
		p->state = S_CHUNK;
		return 0;
	case HTTP_BODY_CLOSE:
		p->state = S_BODY_CLOSE;
		return 0;
	case HTTP_BODY_NONE:
	default:
		return 1;
	}
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
	const uint8_t *d = data + i, *lf;
	size_t scan = len - i, end, ce, k;

	if (scan > HTTP_MAX_REASON_LEN + 16)
		scan = HTTP_MAX_REASON_LEN + 16;
	lf = memchr(d, '\n', scan);
	if (lf == NULL)
		return 0;
	end = (size_t)(lf - d);
	ce = end > 12 && d[end - 1] == '\r' ? end - 1 : end;
	if (ce < 12 || memcmp(d, "HTTP/1.", 7) != 0 ||
	    !http_msg_is_digit(d[7]) || d[8] != ' ' ||
	    !http_msg_is_digit(d[9]) || d[9] == '0' ||
	    !http_msg_is_digit(d[10]) || !http_msg_is_digit(d[11]))
		return 0;
	if (ce > 12) {
		/* " reason", or "HTTP/1.1 200\r\n" with none */
		if (d[12] != ' ' || ce - 13 > HTTP_MAX_REASON_LEN)
			return 0;
		for (k = 13; k < ce; k++)
			if (!http_msg_is_field_char(d[k]))
				return 0;
	}
	p->version_minor = d[7] - '0';
	p->status_code = (d[9] - '0') * 100 + (d[10] - '0') * 10 +
		(d[11] - '0');
	status_line_done(p);
	return i + end;
}

static int
deliver(struct http_resp_parser *p, const uint8_t *data, size_t n,
	uint64_t off)
{
	const struct http_resp_callbacks *cb = p->cb;

	p->body_bytes += n;
	if (cb != NULL && cb->body != NULL && cb->body(p->cb_arg, data, n))
		return set_error(p, HTTP_ERR_NONE, off);
	return 0;
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
	p->state = S_ST_NAME;
}

enum http_parse_status
http_resp_parse(struct http_resp_parser *p, const uint8_t *data, size_t len,
		size_t *consumed)
{
	enum http_parse_error err = HTTP_ERR_NONE;
	struct http_msg_field f;
	size_t i = 0, n, unused;
	int r;
	uint8_t c;

	if (consumed == NULL)
		consumed = &unused;
	*consumed = 0;
	if (p->state == S_ERROR)
		return HTTP_PARSE_ERROR;
	if (p->state == S_DONE)
		return HTTP_PARSE_DONE;

	while (i < len) {
		c = data[i];

		switch (p->state) {
		case S_ST_NAME:
			if (p->count == 0) {
				n = status_line_in_place(p, data, len, i);
				if (n > 0) {
					i = n;
					break;
				}
			}
			if (c != (uint8_t)"HTTP/"[p->count])
				goto bad_status;
			if (++p->count == 5) {
				p->count = 0;
				p->state = S_ST_MAJOR;
			}
			break;

		case S_ST_MAJOR:
			if (c == '1') {
				p->state = S_ST_DOT;
				break;
			}
			if (http_msg_is_digit(c)) {
				err = HTTP_ERR_VERSION;
				goto error;
			}
			goto bad_status;

		case S_ST_DOT:
			if (c != '.')
				goto bad_status;
			p->state = S_ST_MINOR;
			break;

		case S_ST_MINOR:
			if (!http_msg_is_digit(c))
				goto bad_status;
			p->version_minor = c - '0';
			p->state = S_ST_SP;
			break;

		case S_ST_SP:
			if (c != ' ')
				goto bad_status;
			p->status_code = 0;
			p->count = 0;
			p->state = S_ST_CODE;
			break;

		case S_ST_CODE:
			if (!http_msg_is_digit(c) || (p->count == 0 && c == '0'))
				goto bad_status;
			p->status_code = p->status_code * 10 + (c - '0');
			if (++p->count == 3)
				p->state = S_ST_AFTER_CODE;
			break;

		case S_ST_AFTER_CODE:
			/* "HTTP/1.1 200\r\n" lacks the SP; accept it anyway */
			if (c == ' ') {
				p->count = 0;
				p->state = S_ST_REASON;
			} else if (c == '\r') {
				p->state = S_ST_LF;
			} else if (c == '\n') {
				status_line_done(p);
			} else {
				goto bad_status;
			}
			break;

		case S_ST_REASON:
			if (c == '\r')
				p->state = S_ST_LF;
			else if (c == '\n')
				status_line_done(p);
			else if (!http_msg_is_field_char(c) ||
				 ++p->count > HTTP_MAX_REASON_LEN)
				goto bad_status;
			break;

		case S_ST_LF:
			if (c != '\n')
				goto bad_status;
			status_line_done(p);
			break;

		case S_FIELDS:
		case S_TRAILERS:
			/* on an event, i ends up at the LF that ended the line */
			r = http_msg_fields(&p->msg, data + i, len - i, &n, &f);
			i += n;
			if (r == HTTP_MSG_AGAIN)
				continue;
			if (r == HTTP_MSG_ERROR)
				goto msg_error;
			if (r == HTTP_MSG_FIELD) {
				if (finish_field(p, &f, p->offset + i) != 0)
					goto failed;
				break;
			}
			r = end_of_fields(p, p->offset + i);
			if (r < 0)
				goto failed;
			i++;
			if (r > 0)
				goto done;
			continue;

		case S_BODY_LENGTH:
		case S_CHUNK_DATA:
			/* the largest slice we can: no per-byte work */
			n = len - i;
			if (n > p->msg.remaining)
				n = (size_t)p->msg.remaining;
			if (deliver(p, data + i, n, p->offset + i) != 0)
				goto failed;
			i += n;
			p->msg.remaining -= n;
			if (p->msg.remaining == 0) {
				if (p->state == S_BODY_LENGTH)
					goto done;
				p->state = S_CHUNK;
			}
			continue;

		case S_BODY_CLOSE:
			if (deliver(p, data + i, len - i, p->offset + i) != 0)
				goto failed;
			i = len;
			continue;

		case S_CHUNK:
			r = http_msg_chunk(&p->msg, data + i, len - i, &n);
			i += n;
			if (r == HTTP_MSG_AGAIN)
				continue;
			if (r == HTTP_MSG_ERROR)
				goto msg_error;
			p->state = r == HTTP_MSG_DATA ? S_CHUNK_DATA : S_TRAILERS;
			break;

		default:
			/* S_DONE and S_ERROR never get here */
			goto bad_status;
		}
		i++;
	}

	p->offset += i;
	*consumed = i;
	return HTTP_PARSE_AGAIN;

done:
	p->state = S_DONE;
	p->offset += i;
	*consumed = i;
	return HTTP_PARSE_DONE;

bad_status:
	err = HTTP_ERR_STATUS_LINE;
	goto error;
msg_error:
	err = msg_err[p->msg.error];
error:
	set_error(p, err, p->offset + i);
failed:
	*consumed = i;
	return HTTP_PARSE_ERROR;
}

enum http_parse_status
http_resp_parse_eof(struct http_resp_parser *p)
{
	switch (p->state) {
	case S_DONE:
		return HTTP_PARSE_DONE;
	case S_ERROR:
		return HTTP_PARSE_ERROR;
	case S_BODY_CLOSE:
		p->state = S_DONE;
		return HTTP_PARSE_DONE;
	default:
		set_error(p, HTTP_ERR_TRUNCATED, p->offset);
		return HTTP_PARSE_ERROR;
	}
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
