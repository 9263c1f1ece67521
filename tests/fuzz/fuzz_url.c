/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the URL parser (url.h).
 *
 * The input, as a C string, goes to url_parse.  It must never crash, and
 * a URL it accepts must keep its bounds (a host of 1..URL_MAX_HOST-1
 * characters, a path starting with '/' and shorter than URL_MAX_PATH, a
 * port in 1..65535) and survive a round trip: written back as
 * http://host[:port]path and parsed again, it gives the same fields.
 * An IPv4 host must read back as the same dotted quad (ipv4_format),
 * and the first four bytes, as an address, round-trip through
 * ipv4_format and ipv4_parse.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if (!(x)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct url u, v;
	static char again[URL_MAX_HOST + URL_MAX_PATH + 32];
	char err[128], q[16];
	uint32_t a = 0, b;
	size_t hl;
	char *s;
	int n;

	if (size >= 4) {
		a = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
			(uint32_t)data[2] << 8 | data[3];
		ipv4_format(a, q, sizeof(q));
		CHECK(ipv4_parse(q, &b) == 0 && b == a);
	}
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = 'x';
	if (url_parse(s, &u, err, sizeof(err)) != 0) {
		/* every refusal says why */
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
		free(s);
		return 0;
	}
	free(s);
	hl = strnlen(u.host, sizeof(u.host));
	CHECK(hl > 0 && hl < URL_MAX_HOST);
	CHECK(strnlen(u.path, sizeof(u.path)) < URL_MAX_PATH);
	CHECK(u.path[0] == '/');
	CHECK(strchr(u.path, '#') == NULL);
	CHECK(u.port >= 1 && (u.port_given || u.port == 80));
	if (u.ipv4 != 0) {
		ipv4_format(u.ipv4, q, sizeof(q));
		CHECK(strcmp(q, u.host) == 0);
	}
	if (u.port_given)
		n = snprintf(again, sizeof(again), "http://%s:%u%s", u.host,
			     u.port, u.path);
	else
		n = snprintf(again, sizeof(again), "http://%s%s", u.host,
			     u.path);
	CHECK(n > 0 && (size_t)n < sizeof(again));
	CHECK(url_parse(again, &v, err, sizeof(err)) == 0);
	CHECK(strcmp(u.host, v.host) == 0 && u.ipv4 == v.ipv4);
	CHECK(u.port == v.port && u.port_given == v.port_given);
	CHECK(strcmp(u.path, v.path) == 0);
	return 0;
}
