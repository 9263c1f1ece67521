/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 message framing shared by the response parser (http_parse.c)
 * and the request parser (http_req_parse.c); internal to those two.
 *
 * What is the same for requests and responses lives here: the header
 * field-line machine with its limits, the Content-Length /
 * Transfer-Encoding / Connection fields and the keep-alive verdict they
 * give, and the body machine: a Content-Length countdown, the chunked
 * coding (chunk-size lines with extensions, chunk data, the CRLF after
 * it, the last chunk and the trailer section) and a body delimited by the
 * connection closing.  The start line, which framing a message has, and
 * the callbacks stay with each parser.
 *
 * The machines here consume input a byte at a time but return to the
 * caller only at events (a field line complete, a section ended, a slice
 * of body, an error), never per byte.  Body bytes are not touched: they
 * are handed out as (index, length) slices of the caller's input.
 *
 * No DPDK dependency.
 */

#ifndef DPF_HTTP_MSG_H
#define DPF_HTTP_MSG_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Limits that keep a hostile peer from making us buffer without bound. */
#define HTTP_MAX_HEADER_LINE	8192	/* one header line, name + value */
#define HTTP_MAX_HEADERS	128
#define HTTP_MAX_CHUNK_EXT	1024	/* chunk-size line after the digits */

/* What http_msg_fields() stopped at. */
enum http_msg_status {
	HTTP_MSG_AGAIN,		/* all input consumed, need more */
	HTTP_MSG_FIELD,		/* a field line is complete, see the field */
	HTTP_MSG_END,		/* the empty line ending the section */
	HTTP_MSG_ERROR,		/* malformed: m->error says why */
};

/*
 * Errors found here.  From HEADER on, in the order of both parsers'
 * public codes (HTTP_ERR_HEADER.., HTTP_REQ_ERR_HEADER..), so that each
 * maps them by adding one offset.
 */
enum http_msg_error {
	HTTP_MSG_ERR_NONE = 0,
	HTTP_MSG_ERR_HEADER,		/* malformed field line */
	HTTP_MSG_ERR_HEADER_TOO_LONG,
	HTTP_MSG_ERR_TOO_MANY_HEADERS,
	HTTP_MSG_ERR_CONTENT_LENGTH,	/* found by the parsers */
	HTTP_MSG_ERR_TRANSFER_ENCODING,	/* found by the parsers */
	HTTP_MSG_ERR_CHUNK_SIZE,	/* bad or overflowing chunk size */
	HTTP_MSG_ERR_CHUNK_DATA,	/* missing CRLF after chunk data */
	HTTP_MSG_ERR_MAX
};

/* e as a parser's code: none for NONE, header + k for HEADER + k. */
#define HTTP_MSG_ERR_AS(e, none, header) \
	((e) == HTTP_MSG_ERR_NONE ? (none) : \
	 (e) - HTTP_MSG_ERR_HEADER + (header))

/* How the body of a message is delimited. */
enum http_msg_framing {
	HTTP_MSG_LENGTH,	/* Content-Length (0 when absent) */
	HTTP_MSG_CHUNKED,	/* Transfer-Encoding: chunked */
	HTTP_MSG_CLOSE,		/* the connection closing (responses) */
};

/* te: what the Transfer-Encoding list ends with so far. */
enum http_msg_te {
	HTTP_MSG_TE_NONE = 0,
	HTTP_MSG_TE_CHUNKED,	/* chunked is the final coding */
	HTTP_MSG_TE_OTHER,	/* something else is (chunked may follow) */
	HTTP_MSG_TE_BAD,	/* something followed chunked: never valid */
};

/*
 * Framing state of one message.  Kept last in a parser so that the
 * parser can clear everything before line[] in one memset.
 */
struct http_msg {
	int state;			/* field-line or chunk sub-state */
	int body;			/* body phase, see http_msg_body() */
	enum http_msg_error error;
	uint64_t remaining;		/* chunk-data bytes left (or body) */
	unsigned int nheaders;		/* field lines in this section */
	int have_content_length;
	int te;				/* enum http_msg_te */
	int conn_close;
	int conn_keep_alive;
	size_t line_len;		/* bytes buffered in line[] */
	size_t name_len;		/* field name length within line[] */
	char line[HTTP_MAX_HEADER_LINE];
};

/* The bytes of struct http_msg before its line buffer: all of its
 * state once no field line is being collected. */
#define HTTP_MSG_STATE_SIZE	offsetof(struct http_msg, line)

/*
 * What the response and request parsers' memos of a head share
 * (struct http_resp_memo, struct http_req_memo): the head's bytes, and
 * the framing state its parse left.
 */
#define HTTP_HEAD_MEMO_MAX	512
struct http_head_memo {
	uint32_t len;			/* head bytes; 0: none yet */
	int done;			/* the head ended the message */
	uint64_t hits;			/* heads compared, not parsed */
	uint64_t records;		/* heads stored */
	unsigned char msg[HTTP_MSG_STATE_SIZE];	/* framing state */
	uint8_t head[HTTP_HEAD_MEMO_MAX];
};

/* If data[0..len) starts with the memo's head: its framing state into
 * m, *done, and the head's length (a hit); else 0. */
size_t
http_head_memo_take(struct http_head_memo *hm, struct http_msg *m,
		    const uint8_t *data, size_t len, int *done);
/* Store the head data[0..len) and m's framing state; -1 when the head
 * is too long to keep. */
int
http_head_memo_store(struct http_head_memo *hm, const struct http_msg *m,
		     const uint8_t *data, size_t len, int done);

/* A complete field line, pointing into m->line or, when the line lay
 * whole in the input, into the input itself: valid until the next call. */
struct http_msg_field {
	const char *name;
	size_t name_len;
	const char *value;		/* trimmed of OWS */
	size_t value_len;
	size_t lf_dist;			/* from the line's first byte to its LF */
};

/* RFC 9110 tchar: the characters of a token (methods, field names). */
extern const uint8_t http_msg_tchar[256];

static inline int
http_msg_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static inline int
http_msg_is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* VCHAR: what a request-target is made of. */
static inline int
http_msg_is_vchar(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

/* HTAB, SP, VCHAR and obs-text: what a field value or reason may hold. */
static inline int
http_msg_is_field_char(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/*
 * Index of the first byte of p[0..n) that may not be in a field value
 * or a reason phrase (a control other than HTAB, or DEL), or n.  Sixteen at a time where
 * SSE2 is there (every x86-64): one pass finds the end of a field line
 * (its CR or LF) and checks the value on the way.
 */
static inline size_t
http_msg_field_run(const uint8_t *p, size_t n)
{
	size_t k = 0;

#if defined(__SSE2__)
	const __m128i bias = _mm_set1_epi8((char)0x80);
	const __m128i below_sp = _mm_set1_epi8((char)(0x20 ^ 0x80));
	const __m128i del = _mm_set1_epi8(0x7f);
	const __m128i tab = _mm_set1_epi8('\t');

	for (; n - k >= 16; k += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)
					    (p + k));
		/* unsigned v < 0x20, as a signed compare of v ^ 0x80 */
		__m128i bad = _mm_cmplt_epi8(_mm_xor_si128(v, bias), below_sp);
		unsigned int mask;

		bad = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab), bad);
		bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, del));
		mask = (unsigned int)_mm_movemask_epi8(bad);
		if (mask != 0)
			return k + (size_t)__builtin_ctz(mask);
	}
#endif
	for (; k < n; k++)
		if (!http_msg_is_field_char(p[k]))
			break;
	return k;
}

/* What http_msg_version_byte() made of a byte. */
enum http_msg_version {
	HTTP_MSG_VER_MORE,	/* fine so far */
	HTTP_MSG_VER_DONE,	/* "HTTP/1.x" complete, *minor set */
	HTTP_MSG_VER_BAD,	/* not an HTTP-version */
	HTTP_MSG_VER_OTHER,	/* a major version other than 1 */
};

/*
 * One byte of "HTTP/1.x" in a start line cut by the end of a buffer;
 * *count is the position in it (0 at the first byte).  Case-sensitive
 * (RFC 9112 2.3).
 */
static inline enum http_msg_version
http_msg_version_byte(size_t *count, uint8_t c, int *minor)
{
	size_t k = (*count)++;

	if (k < 7) {
		if (c == (uint8_t)"HTTP/1."[k])
			return HTTP_MSG_VER_MORE;
		return k == 5 && http_msg_is_digit(c) ? HTTP_MSG_VER_OTHER :
			HTTP_MSG_VER_BAD;
	}
	if (!http_msg_is_digit(c))
		return HTTP_MSG_VER_BAD;
	*minor = c - '0';
	return HTTP_MSG_VER_DONE;
}

/* ASCII case-insensitive match of s[0..len) against a lower-case literal. */
int
http_msg_ci_equal(const char *s, size_t len, const char *lit);

/*
 * Next element of a comma-separated list, trimmed of OWS; an element may
 * be empty.  Returns 0 when the list is exhausted.
 */
int
http_msg_list_next(const char *v, size_t len, size_t *pos, size_t *start,
		   size_t *elen);

/* Forget the framing of a message (line[] is left as scratch). */
void
http_msg_reset(struct http_msg *m);

/* A field section (headers) starts with the next byte. */
void
http_msg_start_fields(struct http_msg *m);

/*
 * A body framed as said starts with the next byte; length: the
 * Content-Length for HTTP_MSG_LENGTH.  Returns 0 when there is no body
 * at all (a length of 0): the message has ended.
 */
int
http_msg_start_body(struct http_msg *m, enum http_msg_framing framing,
		    uint64_t length);

/*
 * Feed the bytes data[*pos..len) of a header or trailer section.  *pos
 * says how far it got: on HTTP_MSG_AGAIN len; on HTTP_MSG_ERROR the
 * index of the bad byte; on HTTP_MSG_FIELD and HTTP_MSG_END the index of
 * the LF ending the line, which the caller steps over once it has acted
 * on the event (so a failure of its own points at the LF).  On
 * HTTP_MSG_FIELD *f is filled.
 */
enum http_msg_status
http_msg_fields(struct http_msg *m, const uint8_t *data, size_t len,
		size_t *pos, struct http_msg_field *f);

/*
 * Apply a header field to the framing: Content-Length (into
 * *content_length, which the parsers publish), Transfer-Encoding and
 * Connection; other names are ignored.  Returns -1 on a bad or
 * conflicting Content-Length, *bad then being the index in the line of
 * the offending byte; 0 otherwise.
 */
int
http_msg_framing_field(struct http_msg *m, const struct http_msg_field *f,
		       uint64_t *content_length, size_t *bad);

/* Whether f is an Expect field. */
int
http_msg_is_expect(const struct http_msg_field *f);

/* http_msg_fields_fast() flags. */
#define HTTP_MSG_FAST_EXPECT	0x01	/* hand Expect fields to the caller */

/*
 * A field section whole in data[*pos..len), read in one pass: each
 * complete, well-formed field line where it lies, its framing applied at
 * once (http_msg_framing_field into *content_length), up to the empty
 * line.  For a parser without a header callback: fields are not handed
 * out, except Expect with HTTP_MSG_FAST_EXPECT (HTTP_MSG_FIELD, framing
 * not applied, *pos at its LF).  HTTP_MSG_END: *pos at the LF of the
 * empty line.  HTTP_MSG_AGAIN: *pos at the start of the first line it
 * left to http_msg_fields() (cut by the end of the input, malformed,
 * a bad length, over a limit: whatever the state machine must see or
 * report), or at len; lines before it are done.  Never an error: the
 * state machine gives the same result whichever path took a line.
 */
enum http_msg_status
http_msg_fields_fast(struct http_msg *m, const uint8_t *data, size_t len,
		     size_t *pos, struct http_msg_field *f,
		     uint64_t *content_length, int flags);

/*
 * Whether the connection may persist by the version, the Connection
 * field and the framing: Transfer-Encoding in HTTP/1.0 or together with
 * Content-Length leaves the message boundary in doubt (RFC 9112 6.1, 6.3).
 */
int
http_msg_keep_alive(const struct http_msg *m, int version_minor);

/* Where the body goes: both parsers' body callback, and a byte count. */
struct http_msg_sink {
	int (*body)(void *arg, const uint8_t *data, size_t len);
	void *arg;
	uint64_t *bytes;	/* decoded body bytes handed out */
};

/*
 * Feed the bytes data[*pos..len) of the body.  The decoded body goes to
 * sink->body (when not NULL) as slices of data, chunk framing removed,
 * never copied.  Returns 0 when all was consumed (*pos = len), 1 when
 * the message ended (*pos after its last byte), -1 with *pos at the bad
 * byte on malformed framing (m->error says why) or at the start of the
 * slice the callback refused (m->error HTTP_MSG_ERR_NONE).  Trailer
 * fields are checked for syntax and limits, then dropped.
 */
int
http_msg_body(struct http_msg *m, const uint8_t *data, size_t len,
	      size_t *pos, const struct http_msg_sink *sink);

/* Whether the connection closing now ends the body. */
int
http_msg_body_at_eof(const struct http_msg *m);

#endif /* DPF_HTTP_MSG_H */
