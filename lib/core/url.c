/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http:// URL parsing; see url.h.  Errors are meant for a human typing a
 * URL on the command line, so each says what exactly is wrong.
 */

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "url.h"

static int
url_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
url_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static inline int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline int
is_host_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

/* ASCII case-insensitive match of s[0..len) against a lower-case literal. */
static int
ci_equal(const char *s, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c | 0x20);
		if (lit[i] == '\0' || c != lit[i])
			return 0;
	}
	return lit[len] == '\0';
}

/* Shows a byte in an error message whether or not it is printable. */
static const char *
char_name(char c, char *buf, size_t len)
{
	unsigned char uc = (unsigned char)c;

	if (uc == ' ')
		snprintf(buf, len, "space");
	else if (uc > 0x20 && uc < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", uc);
	return buf;
}

static int
parse_port(const char *s, size_t len, uint16_t *port, char *err,
	   size_t errlen)
{
	uint32_t v = 0;
	size_t i;

	if (len == 0)
		return url_error(err, errlen, "empty port after ':'");
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return url_error(err, errlen,
				"invalid port '%.*s' (digits only)",
				len > 16 ? 16 : (int)len, s);
		/* stop before the value can overflow however long it is */
		if (v <= 65535)
			v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return url_error(err, errlen,
			"port '%.*s' out of range (1..65535)",
			len > 16 ? 16 : (int)len, s);
	*port = (uint16_t)v;
	return 0;
}

/*
 * "[v6]" at auth (before auth_end): the address into u (host keeps the
 * brackets), *colon at the ':' of a port after ']' or NULL.  0 or -1.
 */
static int
url_parse_ipv6(const char *auth, const char *auth_end, struct url *u,
	       const char **colon, char *err, size_t errlen)
{
	const char *close = memchr(auth, ']', (size_t)(auth_end - auth));
	char addr[INET6_ADDRSTRLEN + 1], cbuf[16];
	size_t len;

	if (close == NULL)
		return url_error(err, errlen,
			"missing ']' after the IPv6 address");
	len = (size_t)(close - auth - 1);
	if (len == 0)
		return url_error(err, errlen, "empty IPv6 address in '[]'");
	/* RFC 6874's "%25zone": a link-local scope means nothing to a
	 * port that has one link, and it is not sent in Host. */
	if (memchr(auth + 1, '%', len) != NULL)
		return url_error(err, errlen,
			"IPv6 zone identifiers ('%%...') are not supported in URLs");
	if (len >= sizeof(addr))
		return url_error(err, errlen,
			"invalid IPv6 address '%.*s'", 64, auth + 1);
	memcpy(addr, auth + 1, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET6, addr, u->ipv6) != 1)
		return url_error(err, errlen, "invalid IPv6 address '%s'",
				 addr);
	if (close + 1 < auth_end && close[1] != ':')
		return url_error(err, errlen,
			"unexpected %s after ']' (expected ':port' or '/')",
			char_name(close[1], cbuf, sizeof(cbuf)));
	memcpy(u->host, auth, len + 2);
	u->host[len + 2] = '\0';
	u->is_ipv6 = 1;
	*colon = close + 1 < auth_end ? close + 1 : NULL;
	return 0;
}

int
url_parse(const char *s, struct url *u, char *err, size_t errlen)
{
	const char *scheme_end, *auth, *auth_end, *colon, *host_end;
	const char *path, *path_end, *c;
	size_t n, host_len, path_len, prefix;
	char cbuf[16];
	int all_numeric;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (s == NULL || u == NULL)
		return url_error(err, errlen, "no URL given");
	memset(u, 0, sizeof(*u));

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	scheme_end = s;
	if (is_alpha(*scheme_end)) {
		while (is_alpha(*scheme_end) || is_digit(*scheme_end) ||
		       *scheme_end == '+' || *scheme_end == '-' ||
		       *scheme_end == '.')
			scheme_end++;
	}
	if (scheme_end == s || *scheme_end != ':')
		return url_error(err, errlen,
			"missing scheme: URL must start with http://");
	n = (size_t)(scheme_end - s);
	if (ci_equal(s, n, "https"))
		return url_error(err, errlen,
			"https is not supported (use an http:// URL)");
	if (!ci_equal(s, n, "http"))
		return url_error(err, errlen,
			"unsupported scheme '%.*s' (only http is supported)",
			n > 32 ? 32 : (int)n, s);
	if (strncmp(scheme_end, "://", 3) != 0)
		return url_error(err, errlen, "expected '//' after 'http:'");

	auth = scheme_end + 3;
	auth_end = auth + strcspn(auth, "/?#");
	n = (size_t)(auth_end - auth);

	if (memchr(auth, '@', n) != NULL)
		return url_error(err, errlen,
			"user information (user@host) in URLs is not supported");
	if (*auth == '[') {
		if (url_parse_ipv6(auth, auth_end, u, &colon, err,
				   errlen) != 0)
			return -1;
		goto port;
	}
	colon = memchr(auth, ':', n);
	if (colon != NULL &&
	    memchr(colon + 1, ':', (size_t)(auth_end - colon - 1)) != NULL)
		return url_error(err, errlen,
			"an IPv6 address must be in brackets: http://[%.*s]/",
			n > 64 ? 64 : (int)n, auth);

	host_end = colon != NULL ? colon : auth_end;
	host_len = (size_t)(host_end - auth);
	if (host_len == 0)
		return url_error(err, errlen, "empty host");
	if (host_len >= URL_MAX_HOST)
		return url_error(err, errlen,
			"host too long (%zu characters, at most %d)",
			host_len, URL_MAX_HOST - 1);
	all_numeric = 1;
	for (c = auth; c < host_end; c++) {
		if (!is_host_char(*c))
			return url_error(err, errlen,
				"invalid character %s in host",
				char_name(*c, cbuf, sizeof(cbuf)));
		if (!is_digit(*c) && *c != '.')
			all_numeric = 0;
	}
	memcpy(u->host, auth, host_len);
	u->host[host_len] = '\0';

	/*
	 * Digits and dots only is meant as an address: "10.0.0.256" is a
	 * typo to report, not a name to look up.
	 */
	if (ipv4_parse(u->host, &u->ipv4) != 0) {
		if (all_numeric)
			return url_error(err, errlen,
				"invalid IPv4 address '%s'", u->host);
		u->ipv4 = 0;
	}

port:
	u->port = 80;
	if (colon != NULL) {
		if (parse_port(colon + 1, (size_t)(auth_end - colon - 1),
			       &u->port, err, errlen) != 0)
			return -1;
		u->port_given = 1;
	}

	/* path and query, up to a fragment, which is not sent */
	path = auth_end;
	path_end = path + strcspn(path, "#");
	path_len = (size_t)(path_end - path);
	for (c = path; c < path_end; c++) {
		unsigned char uc = (unsigned char)*c;

		if (uc == ' ')
			return url_error(err, errlen,
				"space in path (percent-encode it as %%20)");
		if (uc < 0x20 || uc >= 0x7f)
			return url_error(err, errlen,
				"invalid %s in path (percent-encode it)",
				char_name(*c, cbuf, sizeof(cbuf)));
	}
	/* "http://host?x=1" asks for "/?x=1" */
	prefix = (path_len == 0 || *path == '?') ? 1 : 0;
	if (prefix + path_len >= URL_MAX_PATH)
		return url_error(err, errlen,
			"path too long (%zu characters, at most %d)",
			prefix + path_len, URL_MAX_PATH - 1);
	if (prefix)
		u->path[0] = '/';
	memcpy(u->path + prefix, path, path_len);
	u->path[prefix + path_len] = '\0';
	return 0;
}

int
ipv4_parse(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	int part;

	if (s == NULL)
		return -1;
	for (part = 0; part < 4; part++) {
		uint32_t v = 0;
		int digits = 0;

		if (part > 0) {
			if (*s != '.')
				return -1;
			s++;
		}
		while (is_digit(*s)) {
			/* a leading zero means octal to inet_aton(): refuse */
			if (digits > 0 && v == 0)
				return -1;
			v = v * 10 + (uint32_t)(*s - '0');
			if (v > 255)
				return -1;
			digits++;
			s++;
		}
		if (digits == 0)
			return -1;
		a = (a << 8) | v;
	}
	if (*s != '\0')
		return -1;
	if (addr != NULL)
		*addr = a;
	return 0;
}

void
ipv4_format(uint32_t addr, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
}
