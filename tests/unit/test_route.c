/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the route table and the interfaces of several --ip. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "route.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	 ((uint32_t)(c) << 8) | (uint32_t)(d))

static void
test_longest_prefix(void **state)
{
	struct route_table t;
	const struct route *r;

	(void)state;
	memset(&t, 0, sizeof(t));
	/* Added shortest first: the lookup still takes the longest. */
	assert_int_equal(route_add(&t, 0, 0, IP(198, 18, 0, 1),
				   IP(198, 18, 0, 2), 0), 0);
	assert_int_equal(route_add(&t, IP(198, 18, 0, 2), 16, 0,
				   IP(198, 18, 0, 2), 0), 0);
	assert_int_equal(route_add(&t, IP(198, 18, 1, 2), 24, 0,
				   IP(198, 18, 1, 2), 1), 0);
	/* the prefix is stored masked */
	assert_int_equal(t.r[0].prefix, IP(198, 18, 1, 0));
	r = route_lookup(&t, IP(198, 18, 1, 77));
	assert_non_null(r);
	assert_int_equal(r->len, 24);
	assert_int_equal(r->iface, 1);
	assert_int_equal(r->src, IP(198, 18, 1, 2));
	r = route_lookup(&t, IP(198, 18, 2, 1));
	assert_non_null(r);
	assert_int_equal(r->len, 16);
	assert_int_equal(r->gateway, 0);
	/* the default route */
	r = route_lookup(&t, IP(8, 8, 8, 8));
	assert_non_null(r);
	assert_int_equal(r->len, 0);
	assert_int_equal(r->gateway, IP(198, 18, 0, 1));
}

static void
test_ties_and_no_route(void **state)
{
	struct route_table t;
	const struct route *r;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_null(route_lookup(&t, IP(198, 18, 0, 1)));
	assert_int_equal(route_add(&t, IP(198, 18, 0, 0), 24, 0, 1, 0), 0);
	assert_int_equal(route_add(&t, IP(198, 18, 0, 0), 24, 0, 2, 1), 0);
	assert_int_equal(route_add(&t, 0, 0, IP(198, 18, 0, 1), 3, 0), 0);
	assert_int_equal(route_add(&t, 0, 0, IP(198, 18, 0, 9), 4, 1), 0);
	/* equal length: the route given first */
	r = route_lookup(&t, IP(198, 18, 0, 5));
	assert_int_equal(r->src, 1);
	r = route_lookup(&t, IP(9, 9, 9, 9));
	assert_int_equal(r->gateway, IP(198, 18, 0, 1));
	/* no default route: nothing off-link */
	memset(&t, 0, sizeof(t));
	assert_int_equal(route_add(&t, IP(198, 18, 0, 0), 24, 0, 1, 0), 0);
	assert_null(route_lookup(&t, IP(198, 19, 0, 1)));
	/* a /32 and a full table */
	assert_int_equal(route_add(&t, IP(198, 18, 0, 7), 32, 0, 7, 0), 0);
	assert_int_equal(route_lookup(&t, IP(198, 18, 0, 7))->src, 7);
	while (t.n < ROUTE_MAX)
		assert_int_equal(route_add(&t, 0, 0, 1, 1, 0), 0);
	assert_int_equal(route_add(&t, 0, 0, 1, 1, 0), -1);
}

static void
test_build(void **state)
{
	struct route_addr a[3] = {
		{ .ip = IP(198, 18, 0, 2), .prefix_len = 24 },
		{ .ip = IP(198, 18, 10, 2), .prefix_len = 24, .vlan = 10,
		  .gateway = IP(198, 18, 10, 1) },
		{ .ip = IP(198, 18, 20, 2), .prefix_len = 16, .vlan = 5 },
	};
	uint16_t vlans[ROUTE_IFACES_MAX];
	struct route_table t;
	unsigned int n;
	char err[256];
	const struct route *r;

	(void)state;
	/* --vlan 5: the address without vlan= is on tag 5 too */
	assert_int_equal(route_build(a, 3, 5, IP(198, 18, 0, 1), &t, vlans,
				     &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vlans[0], 5);
	assert_int_equal(vlans[1], 10);
	assert_int_equal(a[0].iface, 0);
	assert_int_equal(a[1].iface, 1);
	assert_int_equal(a[2].iface, 0);
	/* 3 on-link routes, 2 default ones (--gateway's first) */
	assert_int_equal(t.n, 5);
	r = route_lookup(&t, IP(1, 2, 3, 4));
	assert_int_equal(r->gateway, IP(198, 18, 0, 1));
	assert_int_equal(r->src, IP(198, 18, 0, 2));
	/* nested: 198.18.0.0/24 inside 198.18.0.0/16, the /24 wins */
	r = route_lookup(&t, IP(198, 18, 0, 9));
	assert_int_equal(r->src, IP(198, 18, 0, 2));
	r = route_lookup(&t, IP(198, 18, 9, 9));
	assert_int_equal(r->src, IP(198, 18, 20, 2));
	r = route_lookup(&t, IP(198, 18, 10, 1));
	assert_int_equal(r->iface, 1);
	/* no tags at all: one interface */
	a[1].vlan = 0;
	a[2].vlan = 0;
	assert_int_equal(route_build(a, 3, 0, 0, &t, vlans, &n, err,
				     sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(vlans[0], 0);
}

static void
test_build_errors(void **state)
{
	struct route_addr a[2];
	uint16_t vlans[ROUTE_IFACES_MAX];
	struct route_table t;
	unsigned int n;
	char err[256];

	(void)state;
	memset(a, 0, sizeof(a));
	a[0].ip = IP(198, 18, 0, 2);
	a[0].prefix_len = 24;
	a[1] = a[0];
	assert_int_equal(route_build(a, 2, 0, 0, &t, vlans, &n, err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "--ip: 198.18.0.2 is given twice"));
	/* the same prefix twice */
	a[1].ip = IP(198, 18, 0, 3);
	assert_int_equal(route_build(a, 2, 0, 0, &t, vlans, &n, err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "--ip 198.18.0.3/24: its prefix 198.18.0.0/24 is already 198.18.0.2's"));
	/* even on another tag */
	a[1].vlan = 7;
	assert_int_equal(route_build(a, 2, 0, 0, &t, vlans, &n, err,
				     sizeof(err)), -1);
	/* a gateway outside its prefix, or one of ours */
	a[1].ip = IP(198, 18, 1, 2);
	a[1].gateway = IP(198, 18, 0, 1);
	assert_int_equal(route_build(a, 2, 0, 0, &t, vlans, &n, err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "gateway=198.18.0.1 must be another address inside its prefix"));
	a[1].gateway = IP(198, 18, 0, 2);
	assert_int_equal(route_build(a, 2, 0, 0, &t, vlans, &n, err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "a gateway is one of our own addresses"));
	a[1].gateway = 0;
	/* --gateway inside no prefix */
	assert_int_equal(route_build(a, 2, 0, IP(198, 18, 5, 1), &t, vlans,
				     &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--gateway is not inside the prefix of any --ip"));
	assert_int_equal(route_build(a, 2, 0, IP(198, 18, 1, 2), &t, vlans,
				     &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--gateway is the appliance's own address"));
	/* --gateway goes with the prefix holding it */
	assert_int_equal(route_build(a, 2, 0, IP(198, 18, 1, 1), &t, vlans,
				     &n, err, sizeof(err)), 0);
	assert_int_equal(route_lookup(&t, IP(8, 8, 8, 8))->src,
			 IP(198, 18, 1, 2));
	assert_int_equal(route_lookup(&t, IP(8, 8, 8, 8))->iface, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_ties_and_no_route),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
