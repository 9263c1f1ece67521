/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 message framing shared by the request and response parsers;
 * see http_msg.h.
 *
 * Header lines are copied into m->line because a callback must see a
 * field whole even when it straddles two TCP segments.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "http_msg.h"

/* m->state; the field-line states come first so that zero starts a section. */
enum {
	M_FIELD_START = 0,	/* start of a field line, or the empty line */
	M_FIELD_NAME,
	M_FIELD_VALUE,
	M_FIELD_LF,
	M_FIELDS_END_LF,
	M_CHUNK_SIZE_START,
	M_CHUNK_SIZE,
	M_CHUNK_WS,		/* BWS after the size; length in line_len */
	M_CHUNK_EXT,		/* length in line_len */
	M_CHUNK_SIZE_LF,
	M_CHUNK_DATA_CR,	/* the data has been handed out */
	M_CHUNK_DATA_LF,
};

/* Body phases (m->body); chunk framing and trailers use m->state too. */
enum {
	B_LENGTH = 0,		/* m->remaining bytes of Content-Length */
	B_CLOSE,		/* everything until the connection closes */
	B_CHUNK,		/* size line or CRLF, in http_msg_chunk() */
	B_CHUNK_DATA,		/* m->remaining bytes of chunk data */
	B_TRAILERS,		/* trailer section, in http_msg_fields() */
	B_DONE,
};

const uint8_t http_msg_tchar[256] = {
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

int
http_msg_ci_equal(const char *s, size_t len, const char *lit)
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

int
http_msg_list_next(const char *v, size_t len, size_t *pos, size_t *start,
		   size_t *elen)
{
	size_t s = *pos, e;

	if (s > len)
		return 0;
	e = s;
	while (e < len && v[e] != ',')
		e++;
	*pos = e + 1;
	while (s < e && http_msg_is_ows((uint8_t)v[s]))
		s++;
	while (e > s && http_msg_is_ows((uint8_t)v[e - 1]))
		e--;
	*start = s;
	*elen = e - s;
	return 1;
}

void
http_msg_reset(struct http_msg *m)
{
	/* line[] is scratch space; clearing 8 KB per message is waste. */
	memset(m, 0, offsetof(struct http_msg, line));
	m->state = M_FIELD_START;
	m->error = HTTP_MSG_ERR_NONE;
	m->te = HTTP_MSG_TE_NONE;
}

void
http_msg_start_fields(struct http_msg *m)
{
	m->line_len = 0;
	m->nheaders = 0;
	m->state = M_FIELD_START;
}

int
http_msg_start_body(struct http_msg *m, enum http_msg_framing framing,
		    uint64_t length)
{
	switch (framing) {
	case HTTP_MSG_CHUNKED:
		m->state = M_CHUNK_SIZE_START;
		m->body = B_CHUNK;
		return 1;
	case HTTP_MSG_CLOSE:
		m->body = B_CLOSE;
		return 1;
	case HTTP_MSG_LENGTH:
	default:
		m->remaining = length;
		m->body = length != 0 ? B_LENGTH : B_DONE;
		return length != 0;
	}
}

static enum http_msg_status
fail(struct http_msg *m, enum http_msg_error err, size_t i, size_t *pos)
{
	m->error = err;
	*pos = i;
	return HTTP_MSG_ERROR;
}

/* Add a run of n bytes to the field line being collected, or -1 when
 * it does not fit (the line is left as it was). */
static int
line_append(struct http_msg *m, const uint8_t *src, size_t n)
{
	if (n > HTTP_MAX_HEADER_LINE - m->line_len)
		return -1;
	memcpy(m->line + m->line_len, src, n);
	m->line_len += n;
	return 0;
}

/* The field line in m->line ended with the LF; cr: a CR preceded it. */
static void
split_field(struct http_msg *m, int cr, struct http_msg_field *f)
{
	size_t vs = m->name_len + 1, ve = m->line_len;

	while (vs < ve && http_msg_is_ows((uint8_t)m->line[vs]))
		vs++;
	while (ve > vs && http_msg_is_ows((uint8_t)m->line[ve - 1]))
		ve--;
	f->name = m->line;
	f->name_len = m->name_len;
	f->value = m->line + vs;
	f->value_len = ve - vs;
	f->lf_dist = m->line_len + (size_t)cr;
	m->line_len = 0;
	m->nheaders++;
}

/*
 * The common case: a whole, well-formed field line at data[i..] in this
 * buffer.  It is handed out where it lies, without the byte-by-byte walk
 * and the copy into m->line.  Returns the index of its LF, or 0 to let
 * the state machine take it (a line cut by the end of the buffer, or
 * anything it must report as an error).
 */
static size_t
field_in_place(struct http_msg *m, const uint8_t *data, size_t len, size_t i,
	       struct http_msg_field *f)
{
	const uint8_t *p = data + i;
	size_t avail = len - i, name_len, end, vs, ve;
	int cr;

	for (name_len = 0; name_len < avail && http_msg_tchar[p[name_len]];
	     name_len++)
		;
	if (name_len == 0 || name_len >= avail || p[name_len] != ':' ||
	    name_len >= HTTP_MAX_HEADER_LINE)
		return 0;
	/* the value runs to the first byte that cannot be in it, which
	 * must be the line end, at most HTTP_MAX_HEADER_LINE in */
	vs = name_len + 1;
	if (avail > HTTP_MAX_HEADER_LINE + 1)
		avail = HTTP_MAX_HEADER_LINE + 1;
	end = vs + http_msg_field_run(p + vs, avail - vs);
	if (end == avail)
		return 0;
	cr = p[end] == '\r';
	if (cr && (end + 1 >= len - i || p[end + 1] != '\n'))
		return 0;
	if (!cr && p[end] != '\n')
		return 0;
	ve = end;
	while (vs < ve && http_msg_is_ows(p[vs]))
		vs++;
	while (ve > vs && http_msg_is_ows(p[ve - 1]))
		ve--;
	f->name = (const char *)p;
	f->name_len = name_len;
	f->value = (const char *)p + vs;
	f->value_len = ve - vs;
	f->lf_dist = end + (size_t)cr;
	m->nheaders++;
	return i + end + (size_t)cr;
}

enum http_msg_status
http_msg_fields(struct http_msg *m, const uint8_t *data, size_t len,
		size_t *pos, struct http_msg_field *f)
{
	size_t i = *pos, n;
	int cr;
	uint8_t c;

	while (i < len) {
		c = data[i];

		switch (m->state) {
		case M_FIELD_START:
			if (http_msg_tchar[c] &&
			    m->nheaders < HTTP_MAX_HEADERS) {
				n = field_in_place(m, data, len, i, f);
				if (n > 0) {
					*pos = n;
					return HTTP_MSG_FIELD;
				}
			}
			if (c == '\r') {
				m->state = M_FIELDS_END_LF;
				break;
			}
			if (c == '\n')
				goto end;
			/* also catches obs-fold (SP/HT) and an empty name */
			if (!http_msg_tchar[c])
				return fail(m, HTTP_MSG_ERR_HEADER, i, pos);
			if (m->nheaders >= HTTP_MAX_HEADERS)
				return fail(m, HTTP_MSG_ERR_TOO_MANY_HEADERS,
					    i, pos);
			m->line[0] = (char)c;
			m->line_len = 1;
			m->state = M_FIELD_NAME;
			break;

		case M_FIELD_NAME:
			/* copy the whole run of name bytes at once */
			for (n = 0; i + n < len &&
			     http_msg_tchar[data[i + n]]; n++)
				;
			if (n > 0) {
				if (line_append(m, data + i, n) != 0)
					return fail(m,
						    HTTP_MSG_ERR_HEADER_TOO_LONG,
						    i + HTTP_MAX_HEADER_LINE -
						    m->line_len, pos);
				i += n;
				continue;
			}
			if (m->line_len == HTTP_MAX_HEADER_LINE)
				return fail(m, HTTP_MSG_ERR_HEADER_TOO_LONG,
					    i, pos);
			/* whitespace before the colon is a smuggling vector */
			if (c != ':')
				return fail(m, HTTP_MSG_ERR_HEADER, i, pos);
			m->name_len = m->line_len;
			m->line[m->line_len++] = ':';
			m->state = M_FIELD_VALUE;
			break;

		case M_FIELD_VALUE:
			/* copy the whole run of value bytes at once */
			for (n = 0; i + n < len &&
			     http_msg_is_field_char(data[i + n]); n++)
				;
			if (n > 0) {
				if (line_append(m, data + i, n) != 0)
					return fail(m,
						    HTTP_MSG_ERR_HEADER_TOO_LONG,
						    i + HTTP_MAX_HEADER_LINE -
						    m->line_len, pos);
				i += n;
				continue;
			}
			if (c == '\r') {
				m->state = M_FIELD_LF;
				break;
			}
			if (c != '\n')
				return fail(m, HTTP_MSG_ERR_HEADER, i, pos);
			cr = 0;
			goto field;

		case M_FIELD_LF:
			if (c != '\n')
				return fail(m, HTTP_MSG_ERR_HEADER, i, pos);
			cr = 1;
			goto field;

		case M_FIELDS_END_LF:
			if (c != '\n')
				return fail(m, HTTP_MSG_ERR_HEADER, i, pos);
			goto end;

		default:
			/* the caller never feeds a section in a chunk state */
			return fail(m, HTTP_MSG_ERR_HEADER, i, pos);
		}
		i++;
	}
	*pos = i;
	return HTTP_MSG_AGAIN;

field:
	split_field(m, cr, f);
	m->state = M_FIELD_START;
	*pos = i;
	return HTTP_MSG_FIELD;
end:
	m->state = M_FIELD_START;
	*pos = i;
	return HTTP_MSG_END;
}

/*
 * "42" or "42, 42": RFC 9110 lets a recipient accept a list whose members
 * are all the same.  On error *bad is the index of the offending byte.
 */
static int
parse_content_length(struct http_msg *m, const char *v, size_t len,
		     uint64_t *content_length, size_t *bad)
{
	size_t pos = 0, s, n, k;

	while (http_msg_list_next(v, len, &pos, &s, &n)) {
		uint64_t cl = 0;

		if (n == 0) {
			*bad = s;
			return -1;
		}
		for (k = 0; k < n; k++) {
			uint8_t c = (uint8_t)v[s + k];
			unsigned int d;

			if (!http_msg_is_digit(c)) {
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
		/* two lengths are a smuggling attempt, or a bug */
		if (m->have_content_length && cl != *content_length) {
			*bad = s;
			return -1;
		}
		m->have_content_length = 1;
		*content_length = cl;
	}
	return 0;
}

/*
 * Only whether chunked ends the list matters; the verdict is the
 * parser's, at the end of the headers, because several Transfer-Encoding
 * lines concatenate.
 */
static void
parse_transfer_encoding(struct http_msg *m, const char *v, size_t len)
{
	size_t pos = 0, s, n, k;

	while (http_msg_list_next(v, len, &pos, &s, &n)) {
		if (n == 0)
			continue;
		/* a coding may have parameters: "gzip;q=1" */
		for (k = 0; k < n; k++)
			if (v[s + k] == ';' || http_msg_is_ows((uint8_t)v[s + k]))
				break;
		if (m->te == HTTP_MSG_TE_CHUNKED || m->te == HTTP_MSG_TE_BAD)
			m->te = HTTP_MSG_TE_BAD;
		else if (http_msg_ci_equal(v + s, k, "chunked"))
			m->te = HTTP_MSG_TE_CHUNKED;
		else
			m->te = HTTP_MSG_TE_OTHER;
	}
}

static void
parse_connection(struct http_msg *m, const char *v, size_t len)
{
	size_t pos = 0, s, n;

	while (http_msg_list_next(v, len, &pos, &s, &n)) {
		if (http_msg_ci_equal(v + s, n, "close"))
			m->conn_close = 1;
		else if (http_msg_ci_equal(v + s, n, "keep-alive"))
			m->conn_keep_alive = 1;
	}
}

/*
 * Whether the field name s (n tchar bytes) is lit, a lower-case name of
 * n >= 4 bytes, ASCII case-insensitively: words at a time.  Or-ing 0x20
 * folds only the letters among tchar bytes (the one other byte it would
 * fold onto '-', CR, is not a tchar), and every byte of lit has 0x20 set.
 */
static inline int
name_is(const char *s, size_t n, const char *lit)
{
	uint64_t a, b;
	uint32_t x, y;
	size_t k;

	if (n < 8) {
		memcpy(&x, s, 4);
		memcpy(&y, lit, 4);
		if ((x | 0x20202020u) != y)
			return 0;
		memcpy(&x, s + n - 4, 4);
		memcpy(&y, lit + n - 4, 4);
		return (x | 0x20202020u) == y;
	}
	for (k = 0; k + 8 <= n; k += 8) {
		memcpy(&a, s + k, 8);
		memcpy(&b, lit + k, 8);
		if ((a | 0x2020202020202020ull) != b)
			return 0;
	}
	if (k == n)
		return 1;
	memcpy(&a, s + n - 8, 8);
	memcpy(&b, lit + n - 8, 8);
	return (a | 0x2020202020202020ull) == b;
}

#define NAME_IS(f, lit) \
	((f)->name_len == sizeof(lit) - 1 && \
	 name_is((f)->name, sizeof(lit) - 1, lit))

/* A plain "1234" (at most 19 digits: no overflow) into *v, or -1. */
static inline int
plain_length(const char *v, size_t len, uint64_t *out)
{
	uint64_t cl = 0;
	size_t k;

	if (len == 0 || len > 19)
		return -1;
	for (k = 0; k < len; k++) {
		if (!http_msg_is_digit((uint8_t)v[k]))
			return -1;
		cl = cl * 10 + (uint64_t)(v[k] - '0');
	}
	*out = cl;
	return 0;
}

int
http_msg_framing_field(struct http_msg *m, const struct http_msg_field *f,
		       uint64_t *content_length, size_t *bad)
{
	uint64_t cl;

	/* Most fields are none of these: the length rules them out. */
	if (NAME_IS(f, "content-length")) {
		/* the common single length, without the list machinery */
		if (plain_length(f->value, f->value_len, &cl) == 0 &&
		    (!m->have_content_length || cl == *content_length)) {
			m->have_content_length = 1;
			*content_length = cl;
			return 0;
		}
		if (parse_content_length(m, f->value, f->value_len,
					 content_length, bad) != 0) {
			*bad += (size_t)(f->value - f->name);
			return -1;
		}
	} else if (NAME_IS(f, "transfer-encoding")) {
		parse_transfer_encoding(m, f->value, f->value_len);
	} else if (NAME_IS(f, "connection")) {
		parse_connection(m, f->value, f->value_len);
	}
	return 0;
}

int
http_msg_is_expect(const struct http_msg_field *f)
{
	return NAME_IS(f, "expect");
}

enum http_msg_status
http_msg_fields_fast(struct http_msg *m, const uint8_t *data, size_t len,
		     size_t *pos, struct http_msg_field *f,
		     uint64_t *content_length, int flags)
{
	size_t i = *pos, lf, bad;
	uint64_t cl;
	int have;
	uint8_t c;

	if (m->state != M_FIELD_START)
		return HTTP_MSG_AGAIN;
	while (i < len) {
		c = data[i];
		if (c == '\n' || (c == '\r' && i + 1 < len &&
				  data[i + 1] == '\n')) {
			*pos = i + (c == '\r');
			return HTTP_MSG_END;
		}
		if (!http_msg_tchar[c] || m->nheaders >= HTTP_MAX_HEADERS)
			break;
		lf = field_in_place(m, data, len, i, f);
		if (lf == 0)
			break;
		if ((flags & HTTP_MSG_FAST_EXPECT) && http_msg_is_expect(f)) {
			*pos = lf;
			return HTTP_MSG_FIELD;
		}
		/* A bad length is the state machine's to report, with its
		 * offsets: leave the line to it as it found it. */
		cl = *content_length;
		have = m->have_content_length;
		if (http_msg_framing_field(m, f, content_length, &bad) != 0) {
			*content_length = cl;
			m->have_content_length = have;
			m->nheaders--;
			break;
		}
		i = lf + 1;
	}
	*pos = i;
	return HTTP_MSG_AGAIN;
}

int
http_msg_keep_alive(const struct http_msg *m, int version_minor)
{
	int keep_alive;

	if (version_minor >= 1)
		keep_alive = !m->conn_close;
	else
		keep_alive = m->conn_keep_alive && !m->conn_close;
	if (m->te != HTTP_MSG_TE_NONE &&
	    (version_minor == 0 || m->have_content_length))
		keep_alive = 0;
	return keep_alive;
}

/*
 * The framing of a chunked body: chunk-size lines with extensions, and
 * the CRLF after each chunk's data.  *pos as for http_msg_fields(); on
 * HTTP_MSG_END a chunk-size line ended at the LF, and m->body says what
 * follows: m->remaining bytes of data, or (the last chunk) the trailers.
 */
static enum http_msg_status
http_msg_chunk(struct http_msg *m, const uint8_t *data, size_t len,
	       size_t *pos)
{
	size_t i = *pos;
	uint8_t c;
	int d;

	while (i < len) {
		c = data[i];

		switch (m->state) {
		case M_CHUNK_SIZE_START:
			d = hex_val(c);
			if (d < 0)
				goto bad_size;
			m->remaining = (uint64_t)d;
			m->state = M_CHUNK_SIZE;
			break;

		case M_CHUNK_SIZE:
			d = hex_val(c);
			if (d >= 0) {
				if (m->remaining > (UINT64_MAX >> 4))
					goto bad_size;
				m->remaining = (m->remaining << 4) | (uint64_t)d;
				break;
			}
			m->line_len = 1;	/* bytes after the digits */
			if (c == '\r')
				m->state = M_CHUNK_SIZE_LF;
			else if (c == '\n')
				goto size_done;
			else if (c == ';')
				m->state = M_CHUNK_EXT;
			else if (http_msg_is_ows(c))
				m->state = M_CHUNK_WS;
			else
				goto bad_size;
			break;

		case M_CHUNK_WS:
			if (c == '\r') {
				m->state = M_CHUNK_SIZE_LF;
				break;
			}
			if (c == '\n')
				goto size_done;
			if ((!http_msg_is_ows(c) && c != ';') ||
			    ++m->line_len > HTTP_MAX_CHUNK_EXT)
				goto bad_size;
			if (c == ';')
				m->state = M_CHUNK_EXT;
			break;

		case M_CHUNK_EXT:
			/* extensions are ignored, only their length limited */
			if (c == '\r')
				m->state = M_CHUNK_SIZE_LF;
			else if (c == '\n')
				goto size_done;
			else if (!http_msg_is_field_char(c) ||
				 ++m->line_len > HTTP_MAX_CHUNK_EXT)
				goto bad_size;
			break;

		case M_CHUNK_SIZE_LF:
			if (c != '\n')
				goto bad_size;
			goto size_done;

		case M_CHUNK_DATA_CR:
			if (c == '\r')
				m->state = M_CHUNK_DATA_LF;
			else if (c == '\n')
				m->state = M_CHUNK_SIZE_START;
			else
				return fail(m, HTTP_MSG_ERR_CHUNK_DATA, i, pos);
			break;

		case M_CHUNK_DATA_LF:
			if (c != '\n')
				return fail(m, HTTP_MSG_ERR_CHUNK_DATA, i, pos);
			m->state = M_CHUNK_SIZE_START;
			break;

		default:
			/* the caller never feeds a body in a field state */
			goto bad_size;
		}
		i++;
	}
	*pos = i;
	return HTTP_MSG_AGAIN;

size_done:
	*pos = i;
	m->line_len = 0;
	if (m->remaining != 0) {
		/* the next byte we see is the one after the data */
		m->state = M_CHUNK_DATA_CR;
		m->body = B_CHUNK_DATA;
		return HTTP_MSG_END;
	}
	/* the last chunk: a trailer section follows */
	http_msg_start_fields(m);
	m->body = B_TRAILERS;
	return HTTP_MSG_END;

bad_size:
	return fail(m, HTTP_MSG_ERR_CHUNK_SIZE, i, pos);
}

/*
 * Hand out data[*pos..len) up to m->remaining bytes (all of it when the
 * body ends at close), in one slice.  Returns 0, or -1 when the callback
 * refused it (*pos left at its start).
 */
static int
body_slice(struct http_msg *m, const uint8_t *data, size_t len, size_t *pos,
	   const struct http_msg_sink *sink)
{
	size_t n = len - *pos;

	if (m->body != B_CLOSE && n > m->remaining)
		n = (size_t)m->remaining;
	*sink->bytes += n;
	if (sink->body != NULL && sink->body(sink->arg, data + *pos, n) != 0) {
		m->error = HTTP_MSG_ERR_NONE;
		return -1;
	}
	*pos += n;
	if (m->body == B_CLOSE)
		return 0;
	m->remaining -= n;
	if (m->remaining == 0)
		m->body = m->body == B_CHUNK_DATA ? B_CHUNK : B_DONE;
	return 0;
}

int
http_msg_body(struct http_msg *m, const uint8_t *data, size_t len,
	      size_t *pos, const struct http_msg_sink *sink)
{
	struct http_msg_field f;
	enum http_msg_status r;

	while (*pos < len) {
		switch (m->body) {
		case B_LENGTH:
		case B_CHUNK_DATA:
		case B_CLOSE:
			/* the largest slice we can: no per-byte work */
			if (body_slice(m, data, len, pos, sink) != 0)
				return -1;
			if (m->body == B_DONE)
				return 1;
			continue;

		case B_CHUNK:
			r = http_msg_chunk(m, data, len, pos);
			break;

		case B_TRAILERS:
			/* checked for syntax and limits, then dropped */
			r = http_msg_fields(m, data, len, pos, &f);
			if (r == HTTP_MSG_END)
				m->body = B_DONE;
			break;

		default:
			/* the caller never feeds a message that has ended */
			m->error = HTTP_MSG_ERR_CHUNK_DATA;
			return -1;
		}
		if (r == HTTP_MSG_ERROR)
			return -1;
		if (r == HTTP_MSG_AGAIN)
			continue;
		/* an event: step over the LF that ended its line */
		(*pos)++;
		if (m->body == B_DONE)
			return 1;
	}
	return 0;
}

int
http_msg_body_at_eof(const struct http_msg *m)
{
	return m->body == B_CLOSE;
}

size_t
http_head_memo_take(struct http_head_memo *hm, struct http_msg *m,
		    const uint8_t *data, size_t len, int *done)
{
	if (hm->len == 0 || len < hm->len ||
	    memcmp(data, hm->head, hm->len) != 0)
		return 0;
	memcpy(m, hm->msg, sizeof(hm->msg));
	*done = hm->done;
	hm->hits++;
	return hm->len;
}

int
http_head_memo_store(struct http_head_memo *hm, const struct http_msg *m,
		     const uint8_t *data, size_t len, int done)
{
	if (len > sizeof(hm->head))
		return -1;
	memcpy(hm->head, data, len);
	hm->len = (uint32_t)len;
	hm->done = done;
	memcpy(hm->msg, m, sizeof(hm->msg));
	hm->records++;
	return 0;
}
