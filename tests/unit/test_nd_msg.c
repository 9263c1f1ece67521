/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbor Discovery messages (lib/net/nd_msg.c): the RFC 4861 7.1.1 and
 * 7.1.2 checks, building, the multicast addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nd_msg.h"

static const uint8_t ours[16] = { 0x20, 0x01, 0, 2, [13] = 0xab,
				   [14] = 0xcd, [15] = 0x02 };
static const uint8_t peer[16] = { 0x20, 0x01, 0, 2, [15] = 0x01 };
static const uint8_t unspec[16];
static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x11 };

static void
test_mcast(void **state)
{
	static const uint8_t sn[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff,
					[13] = 0xab, [14] = 0xcd,
					[15] = 0x02 };
	static const uint8_t sn_mac[6] = { 0x33, 0x33, 0xff, 0xab, 0xcd,
					   0x02 };
	uint8_t g[16], m[6];

	(void)state;
	nd_solicited_node(g, ours);
	assert_memory_equal(g, sn, 16);
	nd_mcast_mac(m, g);
	assert_memory_equal(m, sn_mac, 6);
}

static void
test_build_parse_ns(void **state)
{
	uint8_t p[ND_MSG_LLA_LEN], g[16];
	struct nd_msg msg;

	(void)state;
	assert_int_equal(nd_msg_build_ns(p, ours, mac), ND_MSG_LLA_LEN);
	assert_int_equal(p[0], ND_NEIGHBOR_SOLICIT);
	assert_int_equal(p[1], 0);
	assert_int_equal(p[2] | p[3], 0);	/* checksum: the caller's */
	assert_int_equal(p[24], ND_OPT_SOURCE_LLADDR);
	assert_int_equal(p[25], 1);
	nd_solicited_node(g, ours);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, peer, g, &msg),
			 ND_OK);
	assert_int_equal(msg.type, ND_NEIGHBOR_SOLICIT);
	assert_memory_equal(msg.target, ours, 16);
	assert_true(msg.has_lla);
	assert_memory_equal(msg.lla, mac, 6);

	/* DAD's probe: from ::, no option, to the group. */
	assert_int_equal(nd_msg_build_ns(p, ours, NULL), ND_MSG_LEN);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LEN, 255, unspec, g, &msg),
			 ND_OK);
	assert_false(msg.has_lla);
	/* ... never to a unicast address, never with an option. */
	assert_int_equal(nd_msg_parse(p, ND_MSG_LEN, 255, unspec, ours, &msg),
			 ND_BAD_SRC);
	nd_msg_build_ns(p, ours, mac);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, unspec, g,
				      &msg), ND_BAD_SRC);
}

static void
test_build_parse_na(void **state)
{
	uint8_t p[ND_MSG_LLA_LEN], all[16] = { 0xff, 0x02, [15] = 1 };
	struct nd_msg msg;

	(void)state;
	assert_int_equal(nd_msg_build_na(p, ours, ND_NA_SOLICITED |
					 ND_NA_OVERRIDE, mac), ND_MSG_LLA_LEN);
	assert_int_equal(p[0], ND_NEIGHBOR_ADVERT);
	assert_int_equal(p[4], ND_NA_SOLICITED | ND_NA_OVERRIDE);
	assert_int_equal(p[24], ND_OPT_TARGET_LLADDR);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, ours, peer,
				      &msg), ND_OK);
	assert_int_equal(msg.flags, ND_NA_SOLICITED | ND_NA_OVERRIDE);
	assert_true(msg.has_lla);
	assert_memory_equal(msg.lla, mac, 6);
	/* Solicited to a group: refused (RFC 4861 7.1.2). */
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, ours, all,
				      &msg), ND_BAD_SRC);
	/* Unsolicited to all-nodes: fine. */
	nd_msg_build_na(p, ours, ND_NA_OVERRIDE, mac);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, ours, all,
				      &msg), ND_OK);
	/* A source link-layer option in an NA is another option: skipped,
	 * no address learnt. */
	p[24] = ND_OPT_SOURCE_LLADDR;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, ours, all,
				      &msg), ND_OK);
	assert_false(msg.has_lla);
}

static void
test_refused(void **state)
{
	uint8_t p[64];
	struct nd_msg msg;

	(void)state;
	nd_msg_build_ns(p, ours, mac);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 64, peer, ours, &msg),
			 ND_BAD_HOP_LIMIT);
	assert_int_equal(nd_msg_parse(p, 3, 255, peer, ours, &msg),
			 ND_BAD_LEN);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LEN - 1, 255, peer, ours,
				      &msg), ND_BAD_LEN);
	p[1] = 1;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, peer, ours,
				      &msg), ND_BAD_CODE);
	p[1] = 0;
	/* Options: length 0, past the end, a short or multicast address. */
	p[25] = 0;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, peer, ours,
				      &msg), ND_BAD_OPTION);
	p[25] = 2;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, peer, ours,
				      &msg), ND_BAD_OPTION);
	memset(p + 32, 0, 8);
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN + 8, 255, peer, ours,
				      &msg), ND_BAD_OPTION);
	p[25] = 1;
	p[26] = 0x01;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, peer, ours,
				      &msg), ND_BAD_OPTION);
	p[26] = 0x02;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN + 1, 255, peer, ours,
				      &msg), ND_BAD_OPTION);
	/* An unknown option is skipped. */
	p[32] = 99;
	p[33] = 1;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN + 8, 255, peer, ours,
				      &msg), ND_OK);
	/* A multicast target; a multicast source. */
	p[8] = 0xff;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, peer, ours,
				      &msg), ND_BAD_TARGET);
	p[8] = 0x20;
	{
		uint8_t msrc[16] = { 0xff, 0x02, [15] = 1 };

		assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, msrc,
					      ours, &msg), ND_BAD_SRC);
	}
	/* Not ND at all. */
	p[0] = 128;
	assert_int_equal(nd_msg_parse(p, ND_MSG_LLA_LEN, 255, peer, ours,
				      &msg), ND_NOT_ND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcast),
		cmocka_unit_test(test_build_parse_ns),
		cmocka_unit_test(test_build_parse_na),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
