/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable HTTP/1.1 response parser; see http_parse.h.
 *
 * Every piece of state lives in struct http_resp_parser, and every state
 * consumes input one byte at a time (or, in the body and header-value
 * states, one run of bytes), so a response may be cut anywhere.  Header
 * lines are copied into p->line because a callback must see a header
 * whole even when it straddles two TCP segments; the body never is.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_parse.h"

enum {
	S_ST_NAME = 0,		/* "HTTP/", matched with line_len as index */
	S_ST_MAJOR,
	S_ST_DOT,
	S_ST_MINOR,
	S_ST_SP,
	S_ST_CODE,		/* three digits, counted in line_len */
	S_ST_AFTER_CODE,
	S_ST_REASON,		/* length counted in line_len */
	S_ST_LF,
	S_FIELD_START,		/* start of a header line, or the empty line */
	S_FIELD_NAME,
	S_FIELD_VALUE,
	S_FIELD_LF,
	S_FIELDS_END_LF,
	S_BODY_LENGTH,
	S_BODY_CLOSE,
	S_CHUNK_SIZE_START,
	S_CHUNK_SIZE,
	S_CHUNK_WS,		/* BWS after the size; length in line_len */
	S_CHUNK_EXT,		/* length in line_len */
	S_CHUNK_SIZE_LF,
	S_CHUNK_DATA,
	S_CHUNK_DATA_CR,
	S_CHUNK_DATA_LF,
	S_DONE,
	S_ERROR,
};

/*
 * Or'ed into the field-line states while reading a chunked trailer
 * section, so the header and trailer sections share one set of states.
 */
#define S_TRAILER	0x100

/* have_chunked: what the Transfer-Encoding list ends with so far. */
#define TE_NONE		0
#define TE_CHUNKED	1	/* chunked is the final coding */
#define TE_OTHER	2	/* something else is (chunked may follow) */
#define TE_BAD		3	/* something followed chunked: never valid */

/* RFC 9110 tchar: the characters of a token (header names). */
static const uint8_t tchar[256] = {
	/* 0x00 - 0x1f: controls */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/*   !  "  #  $  %  &  '  (  )  *  +  ,  -  .  / */
	0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
	/* 0  1  2  3  4  5  6  7  8  9  :  ;  <  =  >  ? */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	/* @  A  B  C  D  E  F  G  H  I  J  K  L  M  N  O */
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* P  Q  R  S  T  U  V  W  X  Y  Z  [  \  ]  ^  _ */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
	/* `  a  b  c  d  e  f  g  h  i  j  k  l  m  n  o */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* p  q  r  s  t  u  v  w  x  y  z  {  |  }  ~ DEL */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
	/* 0x80 - 0xff: not in a token */
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

static inline int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static inline int
is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* HTAB, SP, VCHAR and obs-text: what a field value or reason may hold. */
static inline int
is_field_char(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static inline int
hex_val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* ASCII case-insensitive match of s[0..len) against a lower-case literal. */
static int
ci_equal(const char *s, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (lit[i] == '\0' || c != (uint8_t)lit[i])
			return 0;
	}
	return lit[len] == '\0';
}

/*
 * Next element of a comma-separated list, trimmed of OWS; an element may
 * be empty.  Returns 0 when the list is exhausted.
 */
static int
list_next(const char *v, size_t len, size_t *pos, size_t *start,
	  size_t *elen)
{
	size_t s = *pos, e;

	if (s > len)
		return 0;
	e = s;
	while (e < len && v[e] != ',')
		e++;
	*pos = e + 1;
	while (s < e && is_ows((uint8_t)v[s]))
		s++;
	while (e > s && is_ows((uint8_t)v[e - 1]))
		e--;
	*start = s;
	*elen = e - s;
	return 1;
}

static int
set_error(struct http_resp_parser *p, enum http_parse_error err,
	  uint64_t off)
{
	p->error = err;
	p->error_offset = off;
	p->state = S_ERROR;
	return -1;
}

/*
 * "42" or "42, 42": RFC 9110 lets a recipient accept a list whose members
 * are all the same.  On error *bad is the index of the offending byte.
 */
static int
parse_content_length(struct http_resp_parser *p, const char *v, size_t len,
		     size_t *bad)
{
	size_t pos = 0, s, n, k;

	while (list_next(v, len, &pos, &s, &n)) {
		uint64_t cl = 0;

		if (n == 0) {
			*bad = s;
			return -1;
		}
		for (k = 0; k < n; k++) {
			uint8_t c = (uint8_t)v[s + k];
			unsigned int d;

			if (!is_digit(c)) {
				*bad = s + k;
				return -1;
			}
			d = c - '0';
			if (cl > (UINT64_MAX - d) / 10) {
				*bad = s + k;
				return -1;
			}
			cl = cl * 10 + d;
		}
		if (p->have_content_length && cl != p->content_length) {
			*bad = s;
			return -1;
		}
		p->have_content_length = 1;
		p->content_length = cl;
	}
	return 0;
}

/*
 * Only whether chunked ends the list matters; the verdict waits for the
 * end of the headers because several Transfer-Encoding lines concatenate,
 * and a response without a body may carry any coding.
 */
static void
parse_transfer_encoding(struct http_resp_parser *p, const char *v,
			size_t len)
{
	size_t pos = 0, s, n, k;

	while (list_next(v, len, &pos, &s, &n)) {
		if (n == 0)
			continue;
		/* a coding may have parameters: "gzip;q=1" */
		for (k = 0; k < n; k++)
			if (v[s + k] == ';' || is_ows((uint8_t)v[s + k]))
				break;
		if (p->have_chunked == TE_CHUNKED ||
		    p->have_chunked == TE_BAD)
			p->have_chunked = TE_BAD;
		else if (ci_equal(v + s, k, "chunked"))
			p->have_chunked = TE_CHUNKED;
		else
			p->have_chunked = TE_OTHER;
	}
}

static void
parse_connection(struct http_resp_parser *p, const char *v, size_t len)
{
	size_t pos = 0, s, n;

	while (list_next(v, len, &pos, &s, &n)) {
		if (ci_equal(v + s, n, "close"))
			p->conn_close = 1;
		else if (ci_equal(v + s, n, "keep-alive"))
			p->conn_keep_alive = 1;
	}
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
	p->nheaders = 0;
	p->have_content_length = 0;
	p->have_chunked = TE_NONE;
	p->conn_close = 0;
	p->conn_keep_alive = 0;
	p->line_len = 0;
	p->name_len = 0;
}

/*
 * A header (or trailer) line is complete in p->line; lf_off is the stream
 * offset of its LF and cr says whether a CR preceded the LF.
 */
static int
finish_field(struct http_resp_parser *p, uint64_t lf_off, int cr)
{
	const struct http_resp_callbacks *cb = p->cb;
	uint64_t line_off = lf_off - (uint64_t)cr - p->line_len;
	const char *name = p->line, *value;
	size_t name_len = p->name_len;
	size_t vs = name_len + 1, ve = p->line_len, vlen, bad;

	while (vs < ve && is_ows((uint8_t)p->line[vs]))
		vs++;
	while (ve > vs && is_ows((uint8_t)p->line[ve - 1]))
		ve--;
	value = p->line + vs;
	vlen = ve - vs;
	p->line_len = 0;
	p->nheaders++;

	/* Trailers and interim heads are checked for syntax only. */
	if ((p->state & S_TRAILER) || is_interim(p->status_code))
		return 0;

	if (ci_equal(name, name_len, "content-length")) {
		if (parse_content_length(p, value, vlen, &bad) != 0)
			return set_error(p, HTTP_ERR_CONTENT_LENGTH,
					 line_off + vs + bad);
	} else if (ci_equal(name, name_len, "transfer-encoding")) {
		parse_transfer_encoding(p, value, vlen);
	} else if (ci_equal(name, name_len, "connection")) {
		parse_connection(p, value, vlen);
	}

	if (cb != NULL && cb->header != NULL &&
	    cb->header(p->cb_arg, name, name_len, value, vlen) != 0)
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
	enum http_body_kind kind;
	int keep_alive;

	if (p->state & S_TRAILER)
		return 1;

	if (is_interim(status)) {
		reset_response(p);
		p->state = S_ST_NAME;
		return 0;
	}

	if (status < 200 || status == 204 || status == 304 ||
	    p->head_request)
		kind = HTTP_BODY_NONE;
	else if (p->have_chunked == TE_CHUNKED)
		kind = HTTP_BODY_CHUNKED;	/* Content-Length is ignored */
	else if (p->have_chunked != TE_NONE)
		return set_error(p, HTTP_ERR_TRANSFER_ENCODING, off);
	else if (p->have_content_length)
		kind = HTTP_BODY_LENGTH;
	else
		kind = HTTP_BODY_CLOSE;

	if (p->version_minor >= 1)
		keep_alive = !p->conn_close;
	else
		keep_alive = p->conn_keep_alive && !p->conn_close;
	/*
	 * Framing a server got wrong (Transfer-Encoding from an HTTP/1.0
	 * server, or both TE and Content-Length) leaves us unsure where the
	 * next response starts: RFC 9112 6.1 and 6.3 say close after it.
	 */
	if (p->have_chunked != TE_NONE &&
	    (p->version_minor == 0 || p->have_content_length))
		keep_alive = 0;
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
		p->remaining = p->content_length;
		p->state = S_BODY_LENGTH;
		return 0;
	case HTTP_BODY_CHUNKED:
		p->state = S_CHUNK_SIZE_START;
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
	p->line_len = 0;
	p->nheaders = 0;
	p->state = S_FIELD_START;
}

static void
chunk_size_done(struct http_resp_parser *p)
{
	p->line_len = 0;
	if (p->remaining != 0) {
		p->state = S_CHUNK_DATA;
		return;
	}
	/* the last chunk: a trailer section follows */
	p->nheaders = 0;
	p->state = S_FIELD_START | S_TRAILER;
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
	memset(p, 0, offsetof(struct http_resp_parser, line));
	p->body_kind = HTTP_BODY_NONE;
	p->error = HTTP_ERR_NONE;
	p->cb = cb;
	p->cb_arg = cb_arg;
	p->head_request = head_request != 0;
	p->have_chunked = TE_NONE;
	p->state = S_ST_NAME;
}

enum http_parse_status
http_resp_parse(struct http_resp_parser *p, const uint8_t *data, size_t len,
		size_t *consumed)
{
	enum http_parse_error err = HTTP_ERR_NONE;
	size_t i = 0, n, unused;
	int trailer, r, d;
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
		trailer = p->state & S_TRAILER;

		switch (p->state & ~S_TRAILER) {
		case S_ST_NAME:
			if (c != (uint8_t)"HTTP/"[p->line_len])
				goto bad_status;
			if (++p->line_len == 5) {
				p->line_len = 0;
				p->state = S_ST_MAJOR;
			}
			break;

		case S_ST_MAJOR:
			if (c == '1') {
				p->state = S_ST_DOT;
				break;
			}
			if (is_digit(c)) {
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
			if (!is_digit(c))
				goto bad_status;
			p->version_minor = c - '0';
			p->state = S_ST_SP;
			break;

		case S_ST_SP:
			if (c != ' ')
				goto bad_status;
			p->status_code = 0;
			p->line_len = 0;
			p->state = S_ST_CODE;
			break;

		case S_ST_CODE:
			if (!is_digit(c) || (p->line_len == 0 && c == '0'))
				goto bad_status;
			p->status_code = p->status_code * 10 + (c - '0');
			if (++p->line_len == 3)
				p->state = S_ST_AFTER_CODE;
			break;

		case S_ST_AFTER_CODE:
			/* "HTTP/1.1 200\r\n" lacks the SP; accept it anyway */
			if (c == ' ') {
				p->line_len = 0;
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
			else if (!is_field_char(c) ||
				 ++p->line_len > HTTP_MAX_REASON_LEN)
				goto bad_status;
			break;

		case S_ST_LF:
			if (c != '\n')
				goto bad_status;
			status_line_done(p);
			break;

		case S_FIELD_START:
			if (c == '\r') {
				p->state = S_FIELDS_END_LF | trailer;
				break;
			}
			if (c == '\n')
				goto fields_end;
			/* also catches obs-fold (SP/HT) and an empty name */
			if (!tchar[c]) {
				err = HTTP_ERR_HEADER;
				goto error;
			}
			if (p->nheaders >= HTTP_MAX_HEADERS) {
				err = HTTP_ERR_TOO_MANY_HEADERS;
				goto error;
			}
			p->line[0] = (char)c;
			p->line_len = 1;
			p->state = S_FIELD_NAME | trailer;
			break;

		case S_FIELD_NAME:
			if (p->line_len == HTTP_MAX_HEADER_LINE) {
				err = HTTP_ERR_HEADER_TOO_LONG;
				goto error;
			}
			if (tchar[c]) {
				p->line[p->line_len++] = (char)c;
				break;
			}
			/* whitespace before the colon is a smuggling vector */
			if (c != ':') {
				err = HTTP_ERR_HEADER;
				goto error;
			}
			p->name_len = p->line_len;
			p->line[p->line_len++] = ':';
			p->state = S_FIELD_VALUE | trailer;
			break;

		case S_FIELD_VALUE:
			/* copy the whole run of value bytes at once */
			for (n = 0; i + n < len && is_field_char(data[i + n]);
			     n++)
				;
			if (n > 0) {
				size_t room = HTTP_MAX_HEADER_LINE - p->line_len;

				if (n > room) {
					i += room;
					err = HTTP_ERR_HEADER_TOO_LONG;
					goto error;
				}
				memcpy(p->line + p->line_len, data + i, n);
				p->line_len += n;
				i += n;
				continue;
			}
			if (c == '\r') {
				p->state = S_FIELD_LF | trailer;
				break;
			}
			if (c != '\n') {
				err = HTTP_ERR_HEADER;
				goto error;
			}
			if (finish_field(p, p->offset + i, 0) != 0)
				goto failed;
			p->state = S_FIELD_START | trailer;
			break;

		case S_FIELD_LF:
			if (c != '\n') {
				err = HTTP_ERR_HEADER;
				goto error;
			}
			if (finish_field(p, p->offset + i, 1) != 0)
				goto failed;
			p->state = S_FIELD_START | trailer;
			break;

		case S_FIELDS_END_LF:
			if (c != '\n') {
				err = HTTP_ERR_HEADER;
				goto error;
			}
			goto fields_end;

		case S_BODY_LENGTH:
		case S_CHUNK_DATA:
			/* the largest slice we can: no per-byte work */
			n = len - i;
			if (n > p->remaining)
				n = (size_t)p->remaining;
			if (deliver(p, data + i, n, p->offset + i) != 0)
				goto failed;
			i += n;
			p->remaining -= n;
			if (p->remaining == 0) {
				if (p->state == S_BODY_LENGTH)
					goto done;
				p->state = S_CHUNK_DATA_CR;
			}
			continue;

		case S_BODY_CLOSE:
			if (deliver(p, data + i, len - i, p->offset + i) != 0)
				goto failed;
			i = len;
			continue;

		case S_CHUNK_SIZE_START:
			d = hex_val(c);
			if (d < 0)
				goto bad_chunk_size;
			p->remaining = (uint64_t)d;
			p->state = S_CHUNK_SIZE;
			break;

		case S_CHUNK_SIZE:
			d = hex_val(c);
			if (d >= 0) {
				if (p->remaining > (UINT64_MAX >> 4))
					goto bad_chunk_size;
				p->remaining = (p->remaining << 4) | (uint64_t)d;
				break;
			}
			p->line_len = 1;	/* bytes after the digits */
			if (c == '\r')
				p->state = S_CHUNK_SIZE_LF;
			else if (c == '\n')
				chunk_size_done(p);
			else if (c == ';')
				p->state = S_CHUNK_EXT;
			else if (is_ows(c))
				p->state = S_CHUNK_WS;
			else
				goto bad_chunk_size;
			break;

		case S_CHUNK_WS:
			if (c == '\r') {
				p->state = S_CHUNK_SIZE_LF;
				break;
			}
			if (c == '\n') {
				chunk_size_done(p);
				break;
			}
			if ((!is_ows(c) && c != ';') ||
			    ++p->line_len > HTTP_MAX_CHUNK_EXT)
				goto bad_chunk_size;
			if (c == ';')
				p->state = S_CHUNK_EXT;
			break;

		case S_CHUNK_EXT:
			/* extensions are ignored, only their length limited */
			if (c == '\r')
				p->state = S_CHUNK_SIZE_LF;
			else if (c == '\n')
				chunk_size_done(p);
			else if (!is_field_char(c) ||
				 ++p->line_len > HTTP_MAX_CHUNK_EXT)
				goto bad_chunk_size;
			break;

		case S_CHUNK_SIZE_LF:
			if (c != '\n')
				goto bad_chunk_size;
			chunk_size_done(p);
			break;

		case S_CHUNK_DATA_CR:
			if (c == '\r') {
				p->state = S_CHUNK_DATA_LF;
			} else if (c == '\n') {
				p->state = S_CHUNK_SIZE_START;
			} else {
				err = HTTP_ERR_CHUNK_DATA;
				goto error;
			}
			break;

		case S_CHUNK_DATA_LF:
			if (c != '\n') {
				err = HTTP_ERR_CHUNK_DATA;
				goto error;
			}
			p->state = S_CHUNK_SIZE_START;
			break;

		default:
			/* S_DONE and S_ERROR never get here */
			goto bad_status;
		}
		i++;
		continue;

fields_end:
		r = end_of_fields(p, p->offset + i);
		if (r < 0)
			goto failed;
		i++;
		if (r > 0)
			goto done;
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
bad_chunk_size:
	err = HTTP_ERR_CHUNK_SIZE;
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
