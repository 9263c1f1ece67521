/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable HTTP/1.1 request parser; see http_req_parse.h.
 *
 * The same machine as the response parser (http_parse.c), kept as a
 * separate module so the client and the server can change independently.
 * Every piece of state lives in struct http_req_parser and every state
 * consumes one byte (or, for the target, header values and body, one run
 * of bytes), so a request may be cut anywhere.  The method and target are
 * copied into the parser because the caller needs them after the head is
 * gone; header lines go through p->line so a callback sees each whole;
 * the body is never copied.
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
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
	S_METHOD,		/* length in line_len */
	S_TARGET,		/* length in line_len */
	S_VER_NAME,		/* "HTTP/", matched with line_len as index */
	S_VER_MAJOR,
	S_VER_DOT,
	S_VER_MINOR,
	S_RL_END,		/* CR or LF after the version */
	S_RL_LF,
	S_FIELD_START,		/* start of a header line, or the empty line */
	S_FIELD_NAME,
	S_FIELD_VALUE,
	S_FIELD_LF,
	S_FIELDS_END_LF,
	S_BODY_LENGTH,
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

/*
 * Until the end of the headers p->chunked holds what the
 * Transfer-Encoding list ends with so far; it becomes 0 or 1 there.
 */
#define TE_NONE		0
#define TE_CHUNKED	1	/* chunked is the final coding */
#define TE_OTHER	2	/* something else is (chunked may follow) */
#define TE_BAD		3	/* something followed chunked: never valid */

/* RFC 9110 tchar: the characters of a token (methods, header names). */
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

/* VCHAR: what a request-target is made of. */
static inline int
is_vchar(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

/* HTAB, SP, VCHAR and obs-text: what a field value may hold. */
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
set_error(struct http_req_parser *p, enum http_req_error err, uint64_t off)
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
parse_content_length(struct http_req_parser *p, const char *v, size_t len,
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
		/* two lengths are a request smuggling attempt, or a bug */
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
 * end of the headers because several Transfer-Encoding lines concatenate.
 */
static void
parse_transfer_encoding(struct http_req_parser *p, const char *v,
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
		if (p->chunked == TE_CHUNKED || p->chunked == TE_BAD)
			p->chunked = TE_BAD;
		else if (ci_equal(v + s, k, "chunked"))
			p->chunked = TE_CHUNKED;
		else
			p->chunked = TE_OTHER;
	}
}

static void
parse_connection(struct http_req_parser *p, const char *v, size_t len)
{
	size_t pos = 0, s, n;

	while (list_next(v, len, &pos, &s, &n)) {
		if (ci_equal(v + s, n, "close"))
			p->conn_close = 1;
		else if (ci_equal(v + s, n, "keep-alive"))
			p->conn_keep_alive = 1;
	}
}

static void
parse_expect(struct http_req_parser *p, const char *v, size_t len)
{
	size_t pos = 0, s, n;

	while (list_next(v, len, &pos, &s, &n))
		if (ci_equal(v + s, n, "100-continue"))
			p->expect_continue = 1;
}

/*
 * A header (or trailer) line is complete in p->line; lf_off is the stream
 * offset of its LF and cr says whether a CR preceded the LF.
 */
static int
finish_field(struct http_req_parser *p, uint64_t lf_off, int cr)
{
	const struct http_req_callbacks *cb = p->cb;
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

	/* Trailers are checked for syntax only. */
	if (p->state & S_TRAILER)
		return 0;

	if (ci_equal(name, name_len, "content-length")) {
		if (parse_content_length(p, value, vlen, &bad) != 0)
			return set_error(p, HTTP_REQ_ERR_CONTENT_LENGTH,
					 line_off + vs + bad);
	} else if (ci_equal(name, name_len, "transfer-encoding")) {
		parse_transfer_encoding(p, value, vlen);
	} else if (ci_equal(name, name_len, "connection")) {
		parse_connection(p, value, vlen);
	} else if (ci_equal(name, name_len, "expect")) {
		parse_expect(p, value, vlen);
	}

	if (cb != NULL && cb->header != NULL &&
	    cb->header(p->cb_arg, name, name_len, value, vlen) != 0)
		return set_error(p, HTTP_REQ_ERR_NONE, lf_off);
	return 0;
}

/*
 * The empty line ending a header or trailer section, at stream offset
 * off.  Returns 1 when the request is complete, 0 to go on, -1 on error.
 */
static int
end_of_fields(struct http_req_parser *p, uint64_t off)
{
	const struct http_req_callbacks *cb = p->cb;
	int te = p->chunked;
	int keep_alive;

	if (p->state & S_TRAILER)
		return 1;

	p->chunked = te == TE_CHUNKED;
	/*
	 * Without chunked last the body length cannot be known (RFC 9112
	 * 6.3): guessing would let a client smuggle a request past us.
	 */
	if (te != TE_NONE && te != TE_CHUNKED)
		return set_error(p, HTTP_REQ_ERR_TRANSFER_ENCODING, off);

	if (p->version_minor >= 1)
		keep_alive = !p->conn_close;
	else
		keep_alive = p->conn_keep_alive && !p->conn_close;
	if (p->chunked) {
		/*
		 * Both framings, or Transfer-Encoding in HTTP/1.0, is
		 * faulty framing: decode by TE, then close (RFC 9112 6.1).
		 */
		if (p->version_minor == 0 || p->have_content_length)
			keep_alive = 0;
		p->content_length = 0;
	}
	/* an HTTP/1.0 client may not know 100 (RFC 9110 10.1.1) */
	if (p->version_minor == 0)
		p->expect_continue = 0;

	p->keep_alive = keep_alive;
	p->body_bytes = 0;

	if (cb != NULL && cb->headers_done != NULL &&
	    cb->headers_done(p->cb_arg, p) != 0)
		return set_error(p, HTTP_REQ_ERR_NONE, off);

	if (p->chunked) {
		p->state = S_CHUNK_SIZE_START;
		return 0;
	}
	if (p->content_length == 0)
		return 1;
	p->remaining = p->content_length;
	p->state = S_BODY_LENGTH;
	return 0;
}

static void
request_line_done(struct http_req_parser *p)
{
	p->line_len = 0;
	p->nheaders = 0;
	p->state = S_FIELD_START;
}

static void
chunk_size_done(struct http_req_parser *p)
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
deliver(struct http_req_parser *p, const uint8_t *data, size_t n,
	uint64_t off)
{
	const struct http_req_callbacks *cb = p->cb;

	p->body_bytes += n;
	if (cb != NULL && cb->body != NULL && cb->body(p->cb_arg, data, n))
		return set_error(p, HTTP_REQ_ERR_NONE, off);
	return 0;
}

/* Everything but the callbacks and the stream offset. */
static void
clear_request(struct http_req_parser *p)
{
	/* line[] and most of target[] are scratch: 12 KB not worth clearing */
	p->method[0] = '\0';
	p->target[0] = '\0';
	memset((char *)p + offsetof(struct http_req_parser, version_minor), 0,
	       offsetof(struct http_req_parser, line) -
	       offsetof(struct http_req_parser, version_minor));
	p->error = HTTP_REQ_ERR_NONE;
	p->chunked = TE_NONE;
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
	uint64_t offset = p->offset;

	clear_request(p);
	p->cb = cb;
	p->cb_arg = cb_arg;
	p->offset = offset;
}

enum http_parse_status
http_req_parse(struct http_req_parser *p, const uint8_t *data, size_t len,
	       size_t *consumed)
{
	enum http_req_error err = HTTP_REQ_ERR_NONE;
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
		case S_START:
			if (c == '\r' || c == '\n') {
				/* remaining counts the empty lines here */
				if (p->remaining >= MAX_LEADING_EMPTY)
					goto bad_request_line;
				if (c == '\r')
					p->state = S_START_LF;
				else
					p->remaining++;
				break;
			}
			if (c == ' ')
				goto bad_request_line;
			if (!tchar[c]) {
				err = HTTP_REQ_ERR_METHOD;
				goto error;
			}
			p->remaining = 0;
			p->method[0] = (char)c;
			p->line_len = 1;
			p->state = S_METHOD;
			break;

		case S_START_LF:
			if (c != '\n')
				goto bad_request_line;
			p->remaining++;
			p->state = S_START;
			break;

		case S_METHOD:
			if (tchar[c]) {
				if (p->line_len == HTTP_REQ_MAX_METHOD) {
					err = HTTP_REQ_ERR_METHOD;
					goto error;
				}
				p->method[p->line_len++] = (char)c;
				break;
			}
			/* a line that ends here has no target at all */
			if (c == '\r' || c == '\n')
				goto bad_request_line;
			if (c != ' ') {
				err = HTTP_REQ_ERR_METHOD;
				goto error;
			}
			p->method[p->line_len] = '\0';
			p->line_len = 0;
			p->state = S_TARGET;
			break;

		case S_TARGET:
			/* copy the whole run of target bytes at once */
			for (n = 0; i + n < len && is_vchar(data[i + n]); n++)
				;
			if (n > 0) {
				size_t room = HTTP_REQ_MAX_TARGET - p->line_len;

				if (n > room) {
					i += room;
					err = HTTP_REQ_ERR_TARGET_TOO_LONG;
					goto error;
				}
				memcpy(p->target + p->line_len, data + i, n);
				p->line_len += n;
				i += n;
				continue;
			}
			/* no target, a second SP, a control or non-ASCII */
			if (c != ' ' || p->line_len == 0)
				goto bad_request_line;
			p->target[p->line_len] = '\0';
			p->line_len = 0;
			p->state = S_VER_NAME;
			break;

		case S_VER_NAME:
			/* case-sensitive (RFC 9112 2.3) */
			if (c != (uint8_t)"HTTP/"[p->line_len])
				goto bad_request_line;
			if (++p->line_len == 5) {
				p->line_len = 0;
				p->state = S_VER_MAJOR;
			}
			break;

		case S_VER_MAJOR:
			if (c == '1') {
				p->state = S_VER_DOT;
				break;
			}
			if (is_digit(c)) {
				err = HTTP_REQ_ERR_VERSION;
				goto error;
			}
			goto bad_request_line;

		case S_VER_DOT:
			if (c != '.')
				goto bad_request_line;
			p->state = S_VER_MINOR;
			break;

		case S_VER_MINOR:
			if (!is_digit(c))
				goto bad_request_line;
			/* 1.2 and later are served as 1.1 (RFC 9110 2.5) */
			p->version_minor = c == '0' ? 0 : 1;
			p->state = S_RL_END;
			break;

		case S_RL_END:
			if (c == '\r')
				p->state = S_RL_LF;
			else if (c == '\n')
				request_line_done(p);
			else
				goto bad_request_line;
			break;

		case S_RL_LF:
			if (c != '\n')
				goto bad_request_line;
			request_line_done(p);
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
				err = HTTP_REQ_ERR_HEADER;
				goto error;
			}
			if (p->nheaders >= HTTP_MAX_HEADERS) {
				err = HTTP_REQ_ERR_TOO_MANY_HEADERS;
				goto error;
			}
			p->line[0] = (char)c;
			p->line_len = 1;
			p->state = S_FIELD_NAME | trailer;
			break;

		case S_FIELD_NAME:
			if (p->line_len == HTTP_MAX_HEADER_LINE) {
				err = HTTP_REQ_ERR_HEADER_TOO_LONG;
				goto error;
			}
			if (tchar[c]) {
				p->line[p->line_len++] = (char)c;
				break;
			}
			/* whitespace before the colon is a smuggling vector */
			if (c != ':') {
				err = HTTP_REQ_ERR_HEADER;
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
					err = HTTP_REQ_ERR_HEADER_TOO_LONG;
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
				err = HTTP_REQ_ERR_HEADER;
				goto error;
			}
			if (finish_field(p, p->offset + i, 0) != 0)
				goto failed;
			p->state = S_FIELD_START | trailer;
			break;

		case S_FIELD_LF:
			if (c != '\n') {
				err = HTTP_REQ_ERR_HEADER;
				goto error;
			}
			if (finish_field(p, p->offset + i, 1) != 0)
				goto failed;
			p->state = S_FIELD_START | trailer;
			break;

		case S_FIELDS_END_LF:
			if (c != '\n') {
				err = HTTP_REQ_ERR_HEADER;
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
				err = HTTP_REQ_ERR_CHUNK_DATA;
				goto error;
			}
			break;

		case S_CHUNK_DATA_LF:
			if (c != '\n') {
				err = HTTP_REQ_ERR_CHUNK_DATA;
				goto error;
			}
			p->state = S_CHUNK_SIZE_START;
			break;

		default:
			/* S_DONE and S_ERROR never get here */
			goto bad_request_line;
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

bad_request_line:
	err = HTTP_REQ_ERR_REQUEST_LINE;
	goto error;
bad_chunk_size:
	err = HTTP_REQ_ERR_CHUNK_SIZE;
error:
	set_error(p, err, p->offset + i);
failed:
	/*
	 * The stream offset keeps counting up to the fault, so a caller that
	 * resets anyway still reports true offsets afterwards.
	 */
	p->offset += i;
	*consumed = i;
	return HTTP_PARSE_ERROR;
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
