/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the IPv6 route table and the interfaces of several
 * --ip6 (route6.c). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "route6.h"

static const uint8_t *
A(const char *s)
{
	static uint8_t buf[8][16];
	static unsigned int next;
	uint8_t *b = buf[next++ % 8];

	assert_int_equal(inet_pton(AF_INET6, s, b), 1);
	return b;
}

static void
addr(struct route6_addr *a, const char *ip, uint8_t len, uint16_t vlan,
     const char *gw)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->ip, A(ip), 16);
	a->prefix_len = len;
	a->vlan = vlan;
	if (gw != NULL)
		memcpy(a->gateway, A(gw), 16);
}

static void
test_prefix_match(void **state)
{
	(void)state;
	assert_true(route6_prefix_match(A("2001:2::1"), A("2001:2::ff"), 64));
	assert_false(route6_prefix_match(A("2001:2:0:1::1"), A("2001:2::1"),
					 64));
	/* a length that is not a multiple of 8 */
	assert_true(route6_prefix_match(A("2001:2:0:7::1"), A("2001:2::1"),
					61));
	assert_false(route6_prefix_match(A("2001:2:0:8::1"), A("2001:2::1"),
					 61));
	assert_true(route6_prefix_match(A("2001:2::1"), A("::"), 0));
	assert_true(route6_prefix_match(A("2001:2::1"), A("2001:2::1"), 128));
	assert_false(route6_prefix_match(A("2001:2::1"), A("2001:2::2"), 128));
}

static void
test_longest_prefix(void **state)
{
	struct route6_table t;
	const struct route6 *r;

	(void)state;
	memset(&t, 0, sizeof(t));
	/* Added shortest first: the lookup still takes the longest. */
	assert_int_equal(route6_add(&t, A("::"), 0, A("2001:2::1"),
				    A("2001:2::2"), 0), 0);
	assert_int_equal(route6_add(&t, A("2001:2::2"), 48, NULL,
				    A("2001:2::2"), 0), 0);
	assert_int_equal(route6_add(&t, A("2001:2:0:1::2"), 64, NULL,
				    A("2001:2:0:1::2"), 1), 0);
	/* the prefix is stored masked */
	assert_memory_equal(t.r[0].prefix, A("2001:2:0:1::"), 16);
	r = route6_lookup(&t, A("2001:2:0:1::77"));
	assert_non_null(r);
	assert_int_equal(r->len, 64);
	assert_int_equal(r->iface, 1);
	assert_false(r->has_gateway);
	assert_memory_equal(r->src, A("2001:2:0:1::2"), 16);
	r = route6_lookup(&t, A("2001:2:0:9::1"));
	assert_non_null(r);
	assert_int_equal(r->len, 48);
	r = route6_lookup(&t, A("2001:2:1::1"));
	assert_non_null(r);
	assert_int_equal(r->len, 0);
	assert_true(r->has_gateway);
	assert_memory_equal(r->gateway, A("2001:2::1"), 16);
	memset(&t, 0, sizeof(t));
	assert_null(route6_lookup(&t, A("2001:2::1")));
}

static void
test_table_full(void **state)
{
	struct route6_table t;
	unsigned int i;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (i = 0; i < ROUTE6_MAX; i++)
		assert_int_equal(route6_add(&t, A("2001:2::"), 64, NULL,
					    A("2001:2::2"), 0), 0);
	assert_int_equal(route6_add(&t, A("2001:2::"), 64, NULL,
				    A("2001:2::2"), 0), -1);
}

static void
test_build_ifaces(void **state)
{
	struct route6_addr a[3];
	struct route6_table t;
	const struct route6 *r;
	uint16_t vlans[ROUTE_IFACES_MAX] = { 7 };
	unsigned int n = 1;
	char err[256];

	(void)state;
	/* IPv4 made interface 0 (tag 7); tag 8 only --ip6 names. */
	addr(&a[0], "2001:2::2", 64, 7, NULL);
	addr(&a[1], "2001:2:0:8::2", 64, 8, "2001:2:0:8::1");
	addr(&a[2], "2001:2:0:1::2", 64, 0, NULL);
	assert_int_equal(route6_build(a, 3, 7, A("2001:2::1"), &t, vlans, &n,
				      err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vlans[1], 8);
	assert_int_equal(a[0].iface, 0);
	assert_int_equal(a[1].iface, 1);
	/* no vlan=: the default tag's interface */
	assert_int_equal(a[2].iface, 0);
	/* on-link */
	r = route6_lookup(&t, A("2001:2:0:8::9"));
	assert_non_null(r);
	assert_false(r->has_gateway);
	assert_int_equal(r->iface, 1);
	assert_memory_equal(r->src, A("2001:2:0:8::2"), 16);
	/* link-local: the first address's link */
	r = route6_lookup(&t, A("fe80::1"));
	assert_non_null(r);
	assert_int_equal(r->len, 10);
	assert_int_equal(r->iface, 0);
	assert_memory_equal(r->src, A("2001:2::2"), 16);
	/* Off-link: the first default route (--gateway6 went to the
	 * first prefix holding it, a[0]). */
	r = route6_lookup(&t, A("2001:2:99::1"));
	assert_non_null(r);
	assert_true(r->has_gateway);
	assert_memory_equal(r->gateway, A("2001:2::1"), 16);
	assert_memory_equal(r->src, A("2001:2::2"), 16);
	assert_int_equal(r->iface, 0);
	/* 3 on-link, fe80::/10, 2 default */
	assert_int_equal(t.n, 6);
}

static void
test_build_no_gateway(void **state)
{
	struct route6_addr a[2];
	struct route6_table t;
	uint16_t vlans[ROUTE_IFACES_MAX];
	unsigned int n = 0;
	char err[256];

	(void)state;
	addr(&a[0], "2001:2::2", 64, 0, NULL);
	addr(&a[1], "2001:2:0:1::2", 64, 0, NULL);
	assert_int_equal(route6_build(a, 2, 0, NULL, &t, vlans, &n, err,
				      sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(vlans[0], 0);
	/* off-link without a gateway: no route */
	assert_null(route6_lookup(&t, A("2001:2:1::1")));
	assert_non_null(route6_lookup(&t, A("2001:2:0:1::1")));
}

static void
test_build_errors(void **state)
{
	struct route6_addr a[2];
	struct route6_table t;
	uint16_t vlans[ROUTE_IFACES_MAX];
	unsigned int n;
	char err[256];

	(void)state;
	addr(&a[0], "2001:2::2", 64, 0, NULL);
	addr(&a[1], "2001:2::2", 64, 5, NULL);
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, NULL, &t, vlans, &n, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "--ip6: 2001:2::2 is given twice"));
	/* the same prefix twice */
	addr(&a[1], "2001:2::3", 64, 5, NULL);
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, NULL, &t, vlans, &n, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "already 2001:2::2's"));
	/* a longer prefix may overlap */
	addr(&a[1], "2001:2::3", 112, 5, NULL);
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, NULL, &t, vlans, &n, err,
				      sizeof(err)), 0);
	/* gateway6= off-link */
	addr(&a[1], "2001:2:0:1::2", 64, 0, "2001:2:0:2::1");
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, NULL, &t, vlans, &n, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "gateway6=2001:2:0:2::1 must be"));
	/* gateway6= link-local is fine */
	addr(&a[1], "2001:2:0:1::2", 64, 0, "fe80::1");
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, NULL, &t, vlans, &n, err,
				      sizeof(err)), 0);
	/* a gateway6 that is our own address */
	addr(&a[1], "2001:2:0:1::2", 64, 0, "2001:2::2");
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, NULL, &t, vlans, &n, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "own addresses"));
	/* --gateway6 off-link, and our own */
	addr(&a[1], "2001:2:0:1::2", 64, 0, NULL);
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, A("2001:2:0:3::1"), &t, vlans,
				      &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--gateway6 is not inside"));
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, A("2001:2:0:1::2"), &t, vlans,
				      &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "own address"));
	/* --gateway6 goes to the prefix holding it */
	n = 0;
	assert_int_equal(route6_build(a, 2, 0, A("2001:2:0:1::1"), &t, vlans,
				      &n, err, sizeof(err)), 0);
	assert_memory_equal(route6_lookup(&t, A("2001:2:5::1"))->src,
			    A("2001:2:0:1::2"), 16);
}

static void
test_build_too_many_ifaces(void **state)
{
	struct route6_addr a[ROUTE_ADDRS_MAX];
	struct route6_table t;
	uint16_t vlans[ROUTE_IFACES_MAX] = { 1 };
	unsigned int n = 1, i;
	char err[256], ip[64];

	(void)state;
	/* IPv4 has interface 0; 8 more tags do not fit. */
	for (i = 0; i < ROUTE_ADDRS_MAX; i++) {
		snprintf(ip, sizeof(ip), "2001:2:0:%x::2", i);
		addr(&a[i], ip, 64, (uint16_t)(10 + i), NULL);
	}
	assert_int_equal(route6_build(a, ROUTE_ADDRS_MAX, 1, NULL, &t, vlans,
				      &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 8 interfaces"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_match),
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_build_ifaces),
		cmocka_unit_test(test_build_no_gateway),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_build_too_many_ifaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
