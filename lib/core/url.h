/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http:// URL parsing (RFC 3986 subset that an HTTP client needs).
 * No DPDK dependency; unit-tested on its own.
 */

#ifndef DPF_URL_H
#define DPF_URL_H

#include <stddef.h>
#include <stdint.h>

#define URL_MAX_HOST	256
#define URL_MAX_PATH	4096

struct url {
	/* As written, without the port; an IPv6 literal keeps its
	 * brackets ("[2001:2::1]"), as the Host header and every
	 * host:port printed want it (RFC 3986 3.2.2, RFC 9110 7.2). */
	char host[URL_MAX_HOST];
	uint32_t ipv4;			/* host order; 0 if host is a name */
	int is_ipv6;			/* host is an IPv6 literal: */
	uint8_t ipv6[16];		/* network byte order */
	uint16_t port;			/* 80 when absent */
	int port_given;			/* port was explicit in the URL */
	char path[URL_MAX_PATH];	/* path + query, "/" when empty */
};

/*
 * Parse "http://host[:port][/path][?query]".  Fragments are dropped.
 * Returns 0, or -1 with a message in err (errlen bytes) saying what is
 * wrong: not http, empty host, bad port, too long, bad characters.
 * IPv6 literals go in brackets ("http://[2001:2::1]:8080/"); zone
 * identifiers ("[fe80::1%eth0]") are refused, as are userinfo (user@),
 * an empty port ("host:") and a host of digits and dots that is not a
 * valid dotted quad.
 */
int
url_parse(const char *s, struct url *u, char *err, size_t errlen);

/*
 * Parse a dotted-quad IPv4 address strictly (four decimal parts 0..255,
 * no leading "+", spaces or zeros, since inet_aton() reads "010" as
 * octal).  Returns 0 and the address in host order, or -1 (addr is then
 * left alone).
 */
int
ipv4_parse(const char *s, uint32_t *addr);

/* The dotted quad of addr (host order) into buf (16 bytes suffice). */
void
ipv4_format(uint32_t addr, char *buf, size_t len);

#endif /* DPF_URL_H */
