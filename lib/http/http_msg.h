/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 message framing shared by the response parser (http_parse.c)
 * and the request parser (http_req_parse.c); internal to those two.
 *
 * What is the same for requests and responses lives here: the header (and
 * trailer) field-line machine with its limits, the chunked transfer-coding
 * framing, the Content-Length / Transfer-Encoding / Connection fields and
 * the keep-alive verdict they give.  The start line, what a field section
 * ending means for the body, and the callbacks stay with each parser.
 *
 * The machines here consume input a byte at a time but return to the
 * caller only at events (a field line complete, a section or chunk-size
 * line ended, an error), never per byte.  Chunk data is not touched: the
 * caller hands m->remaining bytes over as slices of its input, as it does
 * a Content-Length body.
 *
 * No DPDK dependency.
 */

#ifndef DPF_HTTP_MSG_H
#define DPF_HTTP_MSG_H

#include <stddef.h>
#include <stdint.h>

/* Limits that keep a hostile peer from making us buffer without bound. */
#define HTTP_MAX_HEADER_LINE	8192	/* one header line, name + value */
#define HTTP_MAX_HEADERS	128
#define HTTP_MAX_CHUNK_EXT	1024	/* chunk-size line after the digits */

/* What http_msg_fields() and http_msg_chunk() stopped at. */
enum http_msg_status {
	HTTP_MSG_AGAIN,		/* all input consumed, need more */
	HTTP_MSG_FIELD,		/* a field line is complete, see the field */
	HTTP_MSG_END,		/* the empty line ending the section */
	HTTP_MSG_DATA,		/* chunk-size line done: m->remaining follow */
	HTTP_MSG_LAST,		/* last-chunk line done: trailers follow */
	HTTP_MSG_ERROR,		/* malformed: m->error says why */
};

/* Errors found here; each parser maps them to its public codes. */
enum http_msg_error {
	HTTP_MSG_ERR_NONE = 0,
	HTTP_MSG_ERR_HEADER,		/* malformed field line */
	HTTP_MSG_ERR_HEADER_TOO_LONG,
	HTTP_MSG_ERR_TOO_MANY_HEADERS,
	HTTP_MSG_ERR_CHUNK_SIZE,	/* bad or overflowing chunk size */
	HTTP_MSG_ERR_CHUNK_DATA,	/* missing CRLF after chunk data */
	HTTP_MSG_ERR_MAX
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

/* A chunked body starts with the next byte. */
void
http_msg_start_chunked(struct http_msg *m);

/*
 * Feed bytes of a header or trailer section.  *used says how far it got:
 * on HTTP_MSG_AGAIN all of len; on HTTP_MSG_ERROR the index of the bad
 * byte; on HTTP_MSG_FIELD and HTTP_MSG_END the index of the LF ending the
 * line, which the caller steps over once it has acted on the event (so a
 * failure of its own points at the LF).  On HTTP_MSG_FIELD *f is filled.
 */
enum http_msg_status
http_msg_fields(struct http_msg *m, const uint8_t *data, size_t len,
		size_t *used, struct http_msg_field *f);

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

/*
 * Whether the connection may persist by the version, the Connection
 * field and the framing: Transfer-Encoding in HTTP/1.0 or together with
 * Content-Length leaves the message boundary in doubt (RFC 9112 6.1, 6.3).
 */
int
http_msg_keep_alive(const struct http_msg *m, int version_minor);

/*
 * Feed the framing of a chunked body: chunk-size lines with extensions,
 * and the CRLF after each chunk's data.  *used as for http_msg_fields();
 * on HTTP_MSG_DATA the caller steps over the LF and then hands over
 * m->remaining bytes of data before calling again; on HTTP_MSG_LAST a
 * trailer section follows (already started).
 */
enum http_msg_status
http_msg_chunk(struct http_msg *m, const uint8_t *data, size_t len,
	       size_t *used);

#endif /* DPF_HTTP_MSG_H */
