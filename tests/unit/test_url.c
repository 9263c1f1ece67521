/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for http:// URL and dotted-quad parsing. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	 ((uint32_t)(c) << 8) | (uint32_t)(d))

static void
check_ok(const char *s, const char *host, uint32_t ipv4, uint16_t port,
	 int port_given, const char *path)
{
	struct url *u = malloc(sizeof(*u));
	char err[256];

	assert_non_null(u);
	memset(u, 0xa5, sizeof(*u));
	strcpy(err, "untouched");
	if (url_parse(s, u, err, sizeof(err)) != 0)
		fail_msg("url_parse(\"%s\") failed: %s", s, err);
	assert_string_equal(u->host, host);
	assert_int_equal(u->ipv4, ipv4);
	assert_int_equal(u->port, port);
	assert_int_equal(u->port_given, port_given);
	assert_string_equal(u->path, path);
	free(u);
}

/* Fails, and the message mentions the given word. */
static void
check_bad(const char *s, const char *word)
{
	struct url *u = malloc(sizeof(*u));
	char err[256];

	assert_non_null(u);
	err[0] = '\0';
	if (url_parse(s, u, err, sizeof(err)) != -1)
		fail_msg("url_parse(\"%s\") succeeded", s);
	if (strstr(err, word) == NULL)
		fail_msg("url_parse(\"%s\"): \"%s\" lacks \"%s\"", s, err,
			 word);
	free(u);
}

static void
test_valid(void **state)
{
	(void)state;
	check_ok("http://example.com", "example.com", 0, 80, 0, "/");
	check_ok("http://example.com/", "example.com", 0, 80, 0, "/");
	check_ok("http://example.com:8080", "example.com", 0, 8080, 1, "/");
	check_ok("http://example.com:8080/a/b.html", "example.com", 0, 8080, 1,
		 "/a/b.html");
	check_ok("http://example.com/a/b?x=1&y=%20", "example.com", 0, 80, 0,
		 "/a/b?x=1&y=%20");
	check_ok("http://example.com?x=1", "example.com", 0, 80, 0, "/?x=1");
	check_ok("http://example.com:81?x=1", "example.com", 0, 81, 1,
		 "/?x=1");
	check_ok("http://example.com/p#frag", "example.com", 0, 80, 0, "/p");
	check_ok("http://example.com#frag", "example.com", 0, 80, 0, "/");
	check_ok("http://example.com/p?q#f ra\tg", "example.com", 0, 80, 0,
		 "/p?q");
	check_ok("HTTP://Example.COM/X", "Example.COM", 0, 80, 0, "/X");
	check_ok("hTtP://h/", "h", 0, 80, 0, "/");
	check_ok("http://my_host-1.local./", "my_host-1.local.", 0, 80, 0,
		 "/");
	check_ok("http://10.0.0.1", "10.0.0.1", IP(10, 0, 0, 1), 80, 0, "/");
	check_ok("http://192.168.1.254:8000/x", "192.168.1.254",
		 IP(192, 168, 1, 254), 8000, 1, "/x");
	check_ok("http://255.255.255.255/", "255.255.255.255", 0xffffffffu,
		 80, 0, "/");
	check_ok("http://0.0.0.0/", "0.0.0.0", 0, 80, 0, "/");
	/* names that merely contain digits and dots are names */
	check_ok("http://1.2.3.4.nip.io/", "1.2.3.4.nip.io", 0, 80, 0, "/");
	check_ok("http://1a.2.3.4/", "1a.2.3.4", 0, 80, 0, "/");
	check_ok("http://h:1/", "h", 0, 1, 1, "/");
	check_ok("http://h:65535/", "h", 0, 65535, 1, "/");
	check_ok("http://h:00080/", "h", 0, 80, 1, "/");
	check_ok("http://h/~user/a;b,c=d!$'()*+:@x", "h", 0, 80, 0,
		 "/~user/a;b,c=d!$'()*+:@x");
	check_ok("http://h//double", "h", 0, 80, 0, "//double");
}

/* An IPv6 literal: host keeps the brackets, the address is parsed. */
static void
check_ok6(const char *s, const char *host, const char *addr, uint16_t port,
	  const char *path)
{
	struct url *u = malloc(sizeof(*u));
	uint8_t want[16];
	char err[256];

	assert_non_null(u);
	memset(u, 0xa5, sizeof(*u));
	if (url_parse(s, u, err, sizeof(err)) != 0)
		fail_msg("url_parse(\"%s\") failed: %s", s, err);
	assert_int_equal(inet_pton(AF_INET6, addr, want), 1);
	assert_string_equal(u->host, host);
	assert_true(u->is_ipv6);
	assert_memory_equal(u->ipv6, want, 16);
	assert_int_equal(u->ipv4, 0);
	assert_int_equal(u->port, port);
	assert_string_equal(u->path, path);
	free(u);
}

static void
test_ipv6(void **state)
{
	(void)state;
	check_ok6("http://[2001:2::1]/x", "[2001:2::1]", "2001:2::1", 80,
		  "/x");
	check_ok6("http://[2001:2::1]:8080/a?b=1", "[2001:2::1]",
		  "2001:2::1", 8080, "/a?b=1");
	check_ok6("http://[2001:2::1]", "[2001:2::1]", "2001:2::1", 80, "/");
	check_ok6("http://[2001:2::1]?q", "[2001:2::1]", "2001:2::1", 80,
		  "/?q");
	check_ok6("HTTP://[::1]:1/", "[::1]", "::1", 1, "/");
	check_ok6("http://[2001:0002:0:0:0:0:0:0001]/", "[2001:0002:0:0:0:0:0:0001]",
		  "2001:2::1", 80, "/");
	check_ok6("http://[::ffff:198.18.0.1]/", "[::ffff:198.18.0.1]",
		  "::ffff:198.18.0.1", 80, "/");
	/* An IPv4 URL is not one. */
	check_ok("http://198.18.0.1/", "198.18.0.1", IP(198, 18, 0, 1), 80,
		 0, "/");

	check_bad("http://[2001:2::1/", "missing ']'");
	check_bad("http://[2001:2::1", "missing ']'");
	check_bad("http://[]/", "empty IPv6");
	check_bad("http://[fe80::1%25eth0]/", "zone");
	check_bad("http://[fe80::1%eth0]:80/", "zone");
	check_bad("http://[2001:2::g]/", "invalid IPv6");
	check_bad("http://[2001:2:::1]/", "invalid IPv6");
	check_bad("http://[1:2:3:4:5:6:7:8:9]/", "invalid IPv6");
	check_bad("http://[198.18.0.1]/", "invalid IPv6");
	check_bad("http://[v1.x]/", "invalid IPv6");
	check_bad("http://[2001:2::1]x/", "after ']'");
	check_bad("http://[2001:2::1]]/", "after ']'");
	check_bad("http://[2001:2::1]:/", "empty port");
	check_bad("http://[2001:2::1]:99999/", "out of range");
	check_bad("http://[2001:2::1]:8a/", "digits only");
	check_bad("http://2001:2::1/", "brackets");
	check_bad("http://[0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123]/",
		  "invalid IPv6");
}

static void
test_bad_scheme(void **state)
{
	(void)state;
	check_bad("https://example.com/", "https is not supported");
	check_bad("HTTPS://example.com/", "https is not supported");
	check_bad("ftp://example.com/", "ftp");
	check_bad("gopher://example.com/", "only http");
	check_bad("example.com/", "scheme");
	check_bad("://example.com/", "scheme");
	check_bad("", "scheme");
	check_bad(" http://example.com/", "scheme");
	check_bad("1http://example.com/", "scheme");
	check_bad("http:/example.com/", "//");
	check_bad("http:example.com", "//");
	check_bad("httpx://example.com/", "httpx");
}

static void
test_bad_host(void **state)
{
	(void)state;
	check_bad("http://", "empty host");
	check_bad("http:///path", "empty host");
	check_bad("http://:80/", "empty host");
	check_bad("http://?x", "empty host");
	check_bad("http://user@example.com/", "user");
	check_bad("http://user:pw@example.com/", "user");
	check_bad("http://@example.com/", "user");
	check_bad("http://::1/", "brackets");
	check_bad("http://fe80::1/", "brackets");
	check_bad("http://exa mple.com/", "space");
	check_bad("http://exa%41.com/", "'%'");
	check_bad("http://ex\x01.com/", "0x01");
	check_bad("http://ex\xc3\xa9.com/", "0xc3");
	check_bad("http://a\\b/", "'\\'");
	/* digits and dots only, but not a valid address: surely a typo */
	check_bad("http://10.0.0.256/", "IPv4");
	check_bad("http://10.0.0/", "IPv4");
	check_bad("http://10.0.0.1.2/", "IPv4");
	check_bad("http://010.0.0.1/", "IPv4");
	check_bad("http://1234/", "IPv4");
}

static void
test_bad_port(void **state)
{
	(void)state;
	check_bad("http://h:0/", "range");
	check_bad("http://h:00/", "range");
	check_bad("http://h:65536/", "range");
	check_bad("http://h:99999999999999999999999/", "range");
	check_bad("http://h:8o/", "digits");
	check_bad("http://h:http/", "digits");
	check_bad("http://h:+80/", "digits");
	check_bad("http://h:-1/", "digits");
	check_bad("http://h: 80/", "digits");
	check_bad("http://h:/", "empty port");
	check_bad("http://h:", "empty port");
}

static void
test_bad_path(void **state)
{
	(void)state;
	check_bad("http://h/a b", "space");
	check_bad("http://h/a?b c", "space");
	check_bad("http://h/a\tb", "0x09");
	check_bad("http://h/a\nb", "0x0a");
	check_bad("http://h/a\rb", "0x0d");
	check_bad("http://h/a\x7f", "0x7f");
	check_bad("http://h/caf\xc3\xa9", "0xc3");
	check_bad("http://h?a b", "space");
}

static void
test_too_long(void **state)
{
	size_t cap = URL_MAX_PATH + URL_MAX_HOST + 64;
	char *s = malloc(cap);
	char *want = malloc(cap);

	(void)state;
	assert_non_null(s);
	assert_non_null(want);

	/* the longest host that fits, then one more character */
	memset(want, 'h', URL_MAX_HOST - 1);
	want[URL_MAX_HOST - 1] = '\0';
	snprintf(s, cap, "http://%s/", want);
	check_ok(s, want, 0, 80, 0, "/");
	snprintf(s, cap, "http://%sh/", want);
	check_bad(s, "host too long");

	/* the longest path that fits, then one more character */
	want[0] = '/';
	memset(want + 1, 'p', URL_MAX_PATH - 2);
	want[URL_MAX_PATH - 1] = '\0';
	snprintf(s, cap, "http://h%s", want);
	check_ok(s, "h", 0, 80, 0, want);
	snprintf(s, cap, "http://h%sp", want);
	check_bad(s, "path too long");

	/* a query alone gets a "/" in front, which must fit as well */
	want[0] = '?';
	snprintf(s, cap, "http://h%s", want);
	check_bad(s, "path too long");
	want[URL_MAX_PATH - 2] = '\0';
	snprintf(s, cap, "http://h%s", want);
	want[0] = '/';
	memmove(want + 1, s + strlen("http://h"), strlen(s) - 7);
	check_ok(s, "h", 0, 80, 0, want);
	free(s);
	free(want);
}

static void
test_err_buffer(void **state)
{
	struct url u;
	char err[8];

	(void)state;
	/* a short or absent buffer truncates, never overflows */
	memset(err, 'x', sizeof(err));
	assert_int_equal(url_parse("https://h/", &u, err, sizeof(err)), -1);
	assert_int_equal(err[sizeof(err) - 1], '\0');
	assert_int_equal(url_parse("https://h/", &u, NULL, 0), -1);
	assert_int_equal(url_parse("https://h/", &u, err, 0), -1);
	assert_int_equal(url_parse(NULL, &u, err, sizeof(err)), -1);
	assert_int_equal(url_parse("http://h/", NULL, err, sizeof(err)), -1);
	assert_int_equal(url_parse("http://h/", &u, NULL, 0), 0);
}

static void
test_ipv4_parse(void **state)
{
	static const char *const bad[] = {
		"", "1", "1.2", "1.2.3", "1.2.3.4.5", "256.0.0.0", "0.256.0.0",
		"0.0.0.256", "1000.0.0.0", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4x",
		"x1.2.3.4", "+1.2.3.4", "1.+2.3.4", "-1.2.3.4", "1..3.4",
		".1.2.3", "1.2.3.", "1.2.3.4.", "..." , "1.2.3.-4", "01.2.3.4",
		"1.2.3.00", "0x1.2.3.4", "1,2,3,4", "1.2.3.4/24",
		"99999999999.1.1.1", "1.2.3.4\n",
	};
	uint32_t a;
	size_t k;

	(void)state;
	assert_int_equal(ipv4_parse("1.2.3.4", &a), 0);
	assert_int_equal(a, IP(1, 2, 3, 4));
	assert_int_equal(ipv4_parse("0.0.0.0", &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(ipv4_parse("255.255.255.255", &a), 0);
	assert_int_equal(a, 0xffffffffu);
	assert_int_equal(ipv4_parse("10.200.0.99", &a), 0);
	assert_int_equal(a, IP(10, 200, 0, 99));
	assert_int_equal(ipv4_parse("1.2.3.4", NULL), 0);

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		a = 0x12345678;
		if (ipv4_parse(bad[k], &a) != -1)
			fail_msg("ipv4_parse(\"%s\") accepted", bad[k]);
		/* the output is left alone on failure */
		assert_int_equal(a, 0x12345678);
	}
	assert_int_equal(ipv4_parse(NULL, &a), -1);
}

/* Formatting gives back what parsing read, at both ends of the range. */
static void
test_ipv4_format(void **state)
{
	static const char *const addrs[] = {
		"0.0.0.0", "198.18.0.2", "10.255.0.1", "255.255.255.255",
	};
	char buf[16];
	uint32_t a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		assert_int_equal(ipv4_parse(addrs[i], &a), 0);
		ipv4_format(a, buf, sizeof(buf));
		assert_string_equal(buf, addrs[i]);
	}
	ipv4_format(0xc6120002u, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.0.2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_bad_scheme),
		cmocka_unit_test(test_bad_host),
		cmocka_unit_test(test_bad_port),
		cmocka_unit_test(test_bad_path),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_ipv4_parse),
		cmocka_unit_test(test_ipv4_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
