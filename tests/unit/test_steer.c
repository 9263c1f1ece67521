/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for flow steering (steer.h): the owner of a tuple under RSS
 * and under software steering, and the client's source-port choice, which
 * must make the server's replies come back to the worker that opened the
 * connection.  No EAL: rte_softrss is plain arithmetic, and the handoff
 * rings are only made by steer_init in software mode (not called here).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "steer.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	 ((uint32_t)(c) << 8) | (uint32_t)(d))

static void
rss_steer(struct steer *s, uint16_t n_workers, uint16_t reta_size)
{
	assert_int_equal(steer_init(s, n_workers, 1, reta_size, NULL), 0);
	assert_int_equal(s->mode, STEER_RSS);
}

/* The key 0x6d5a... is symmetric: both directions of a flow hash alike,
 * which is what lets a client predict the hash of the server's reply. */
static void
test_symmetric_key(void **state)
{
	struct steer s;
	uint32_t i;

	(void)state;
	rss_steer(&s, 4, 128);
	for (i = 0; i < 10000; i++) {
		uint32_t a = IP(198, 18, 0, 1) + i * 7919;
		uint32_t b = IP(198, 18, 1, 2) + i * 104729;
		uint16_t pa = (uint16_t)(1024 + i * 13), pb = (uint16_t)(80 + i);

		assert_int_equal(steer_rss_hash(&s, a, b, pa, pb),
				 steer_rss_hash(&s, b, a, pb, pa));
	}
}

/* A port that steer_local_port_ok accepts for worker k brings the reply
 * (remote -> local) to k's queue; every worker finds ports, in about
 * equal shares. */
static void
test_rss_port_choice(void **state)
{
	const uint32_t local = IP(198, 18, 0, 2), remote = IP(198, 18, 0, 1);
	unsigned int count[4] = { 0 };
	struct steer s;
	uint32_t p;
	uint16_t k;

	(void)state;
	rss_steer(&s, 4, 512);
	for (p = 32768; p < 61000; p++) {
		unsigned int owners = 0;

		for (k = 0; k < 4; k++) {
			if (!steer_local_port_ok(&s, k, local, remote,
						 (uint16_t)p, 80))
				continue;
			owners++;
			count[k]++;
			assert_int_equal(steer_owner(&s, remote, local, 80,
						     (uint16_t)p), k);
		}
		/* Exactly one worker may use each port. */
		assert_int_equal(owners, 1);
	}
	for (k = 0; k < 4; k++)
		assert_in_range(count[k], 28232 / 4 * 8 / 10,
				28232 / 4 * 12 / 10);
}

/* Software steering: client connections by source port modulo the
 * workers, connections to our listeners by a hash of the remote end. */
static void
test_soft_owner(void **state)
{
	const uint32_t local = IP(198, 18, 0, 2), remote = IP(198, 18, 0, 1);
	unsigned int spread[3] = { 0 };
	struct steer s;
	uint32_t i;
	uint16_t k;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.mode = STEER_SOFT;
	s.n_workers = 3;
	for (i = 40000; i < 40300; i++) {
		k = steer_owner(&s, remote, local, 80, (uint16_t)i);
		assert_int_equal(k, i % 3);
		assert_true(steer_local_port_ok(&s, k, local, remote,
						(uint16_t)i, 80));
		assert_false(steer_local_port_ok(&s, (k + 1) % 3, local,
						 remote, (uint16_t)i, 80));
	}
	/* A listener: the owner follows the remote end, not our port. */
	steer_set_listen_port(&s, 8080, 1);
	assert_true(steer_is_listen_port(&s, 8080));
	for (i = 0; i < 3000; i++) {
		uint32_t rip = IP(198, 18, 0, 10) + i % 50;
		uint16_t rport = (uint16_t)(32768 + i);

		k = steer_owner(&s, rip, local, rport, 8080);
		assert_int_equal(k, steer_remote_owner(&s, rip, rport));
		assert_int_equal(k, steer_owner(&s, rip, local, rport, 8080));
		spread[k]++;
	}
	for (k = 0; k < 3; k++)
		assert_in_range(spread[k], 800, 1200);
	/* A listening port is never a source port. */
	assert_false(steer_local_port_ok(&s, 8080 % 3, local, remote, 8080,
					 80));
	steer_set_listen_port(&s, 8080, 0);
	assert_false(steer_is_listen_port(&s, 8080));
	assert_int_equal(steer_owner(&s, remote, local, 80, 8080), 8080 % 3);
}

static void
test_single_and_bad_args(void **state)
{
	struct steer s;

	(void)state;
	assert_int_equal(steer_init(&s, 1, 1, 128, NULL), 0);
	assert_int_equal(s.mode, STEER_SINGLE);
	assert_int_equal(steer_owner(&s, 1, 2, 3, 4), 0);
	assert_true(steer_local_port_ok(&s, 0, 2, 1, 4, 3));
	assert_int_not_equal(steer_init(&s, 0, 0, 0, NULL), 0);
	/* The redirection table must be a power of two we can hold. */
	assert_int_not_equal(steer_init(&s, 2, 1, 100, NULL), 0);
	assert_int_not_equal(steer_init(&s, 2, 1, 1024, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symmetric_key),
		cmocka_unit_test(test_rss_port_choice),
		cmocka_unit_test(test_soft_owner),
		cmocka_unit_test(test_single_and_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
