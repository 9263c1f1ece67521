/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for SYN cookies and the keyed tuple hashes
 * (tcp_syncookie.h). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "tcp_syncookie.h"

static const struct syncookie_key key = {
	{ 0x0123456789abcdefull, 0xfedcba9876543210ull }
};
static const struct syncookie_key other_key = {
	{ 0x0123456789abcdefull, 0xfedcba9876543211ull }
};
static const struct syncookie_tuple tup = {
	0xc6120002, 0xc6120001, 40000, 80	/* 198.18.0.2:40000 -> .1:80 */
};

/* What a SYN offered, and the cookie and TSval bits made for it. */
struct issued {
	uint32_t peer_isn, count, bits, cookie;
	unsigned int mss_idx;
};

static struct issued
issue(const struct syncookie_key *k, const struct syncookie_tuple *t,
      uint32_t peer_isn, uint32_t count, uint16_t mss, int ts, int ws,
      int sack)
{
	struct issued i;

	i.peer_isn = peer_isn;
	i.count = count;
	i.mss_idx = syncookie_mss_index(mss);
	i.bits = syncookie_ts_bits(ts, ws, sack);
	i.cookie = syncookie_make(k, t, peer_isn, count, i.mss_idx, i.bits);
	return i;
}

static int
check(const struct syncookie_key *k, const struct syncookie_tuple *t,
      const struct issued *i, uint32_t count, struct syncookie_opts *o)
{
	return syncookie_check(k, t, i->peer_isn, i->cookie, count, i->bits,
			       o);
}

static void
test_mss_classes(void **state)
{
	(void)state;
	assert_int_equal(syncookie_mss_index(0), 0);
	assert_int_equal(syncookie_mss_index(535), 0);
	assert_int_equal(syncookie_mss_index(536), 0);
	assert_int_equal(syncookie_mss_index(1299), 0);
	assert_int_equal(syncookie_mss_index(1300), 1);
	assert_int_equal(syncookie_mss_index(1439), 1);
	assert_int_equal(syncookie_mss_index(1440), 2);
	assert_int_equal(syncookie_mss_index(1459), 2);
	assert_int_equal(syncookie_mss_index(1460), 3);
	assert_int_equal(syncookie_mss_index(9000), 3);
	assert_int_equal(syncookie_mss_index(65535), 3);
}

/* Every MSS class, window scale (and none), SACK on and off, with and
 * without timestamps: what comes back is what went in. */
static void
test_round_trip(void **state)
{
	static const uint16_t mss[] = { 100, 536, 1300, 1440, 1460, 8960 };
	unsigned int m, n = 0;
	int ws, sack, ts;

	(void)state;
	for (m = 0; m < sizeof(mss) / sizeof(mss[0]); m++)
		for (ts = 0; ts <= 1; ts++)
			for (ws = -1; ws <= 14; ws++)
				for (sack = 0; sack <= 1; sack++) {
					struct syncookie_opts o;
					struct issued i = issue(&key, &tup,
						0x12345678u + n * 7919u,
						100 + n, mss[m], ts, ws, sack);

					n++;
					assert_int_equal(check(&key, &tup, &i,
							       i.count, &o), 0);
					assert_int_equal(o.mss,
						syncookie_mss_tab[i.mss_idx]);
					assert_true(o.mss <= mss[m] ||
						    i.mss_idx == 0);
					assert_int_equal(o.ts_ok, ts);
					if (!ts) {
						/* Nowhere to keep them. */
						assert_int_equal(o.wscale_ok, 0);
						assert_int_equal(o.sack_ok, 0);
						continue;
					}
					assert_int_equal(o.sack_ok, sack);
					assert_int_equal(o.wscale_ok, ws >= 0);
					assert_int_equal(o.wscale,
							 ws >= 0 ? ws : 0);
				}
}

/* The cookie is good in its minute and the next, not after; and the
 * counter wraps. */
static void
test_age(void **state)
{
	struct syncookie_opts o;
	struct issued i = issue(&key, &tup, 1, 1000, 1460, 1, 7, 1);
	struct issued w = issue(&key, &tup, 1, 63, 1460, 1, 7, 1);

	(void)state;
	assert_int_equal(check(&key, &tup, &i, 1000, &o), 0);
	assert_int_equal(check(&key, &tup, &i, 1001, &o), 0);
	assert_int_equal(check(&key, &tup, &i, 1002, &o), -1);
	assert_int_equal(check(&key, &tup, &i, 1003, &o), -1);
	assert_int_equal(check(&key, &tup, &i, 1000 + 64, &o), 0);
	/* From the future: refused. */
	assert_int_equal(check(&key, &tup, &i, 999, &o), -1);
	/* Across the 6-bit wrap. */
	assert_int_equal(check(&key, &tup, &w, 64, &o), 0);
	assert_int_equal(check(&key, &tup, &w, 65, &o), -1);
}

static void
test_wrong_key(void **state)
{
	struct syncookie_opts o;
	struct issued i = issue(&key, &tup, 77, 5, 1460, 1, 7, 1);

	(void)state;
	assert_int_equal(check(&other_key, &tup, &i, 5, &o), -1);
}

/* Any field of the 4-tuple changed: refused. */
static void
test_tuple_changed(void **state)
{
	struct syncookie_opts o;
	struct issued i = issue(&key, &tup, 77, 5, 1460, 1, 7, 1);
	struct syncookie_tuple t;

	(void)state;
	t = tup;
	t.remote_ip ^= 1;
	assert_int_equal(check(&key, &t, &i, 5, &o), -1);
	t = tup;
	t.local_ip ^= 0x100;
	assert_int_equal(check(&key, &t, &i, 5, &o), -1);
	t = tup;
	t.remote_port++;
	assert_int_equal(check(&key, &t, &i, 5, &o), -1);
	t = tup;
	t.local_port = 8080;
	assert_int_equal(check(&key, &t, &i, 5, &o), -1);
	/* Remote and local swapped. */
	t.remote_ip = tup.local_ip;
	t.local_ip = tup.remote_ip;
	t.remote_port = tup.local_port;
	t.local_port = tup.remote_port;
	assert_int_equal(check(&key, &t, &i, 5, &o), -1);
}

/* The cookie, the peer's ISN or the TSecr bits altered: refused. */
static void
test_tampered(void **state)
{
	struct syncookie_opts o;
	struct issued i = issue(&key, &tup, 0xdeadbeef, 9, 1300, 1, 3, 0);
	struct issued t;
	unsigned int b;

	(void)state;
	for (b = 0; b < 32; b++) {
		t = i;
		t.cookie ^= 1u << b;
		assert_int_equal(check(&key, &tup, &t, 9, &o), -1);
		t = i;
		t.peer_isn ^= 1u << b;
		assert_int_equal(check(&key, &tup, &t, 9, &o), -1);
	}
	for (b = 0; b < 6; b++) {
		t = i;
		t.bits ^= 1u << b;	/* SACK on, another scale, no TS */
		assert_int_equal(check(&key, &tup, &t, 9, &o), -1);
	}
	/* The ACK dropped its timestamp. */
	t = i;
	t.bits = 0;
	assert_int_equal(check(&key, &tup, &t, 9, &o), -1);
	/* Another MSS class in the cookie's bits 24-25, MAC kept. */
	t = i;
	t.cookie += 1u << 24;
	assert_int_equal(check(&key, &tup, &t, 9, &o), -1);
	/* The untouched one still passes. */
	assert_int_equal(check(&key, &tup, &i, 9, &o), 0);
}

/* Guessing: random cookies for the right tuple and counter pass at
 * about 2^-24 each; of 200,000 none should. */
static void
test_guess(void **state)
{
	struct syncookie_opts o;
	unsigned int n, hits = 0;
	uint32_t x = 12345;

	(void)state;
	for (n = 0; n < 200000; n++) {
		x = x * 1103515245u + 12345u;
		hits += syncookie_check(&key, &tup, 1, x ^ (n << 16), 40,
					SYNCOOKIE_TS_ON | 7, &o) == 0;
	}
	assert_true(hits <= 1);
}

static void
test_tsval(void **state)
{
	uint32_t bits = syncookie_ts_bits(1, 7, 1);
	uint32_t v;

	(void)state;
	assert_int_equal(syncookie_ts_bits(0, 7, 1), 0);
	assert_int_equal(bits & SYNCOOKIE_TS_ON, SYNCOOKIE_TS_ON);
	assert_int_equal(syncookie_ts_bits(1, -1, 0) & 0xf,
			 SYNCOOKIE_WSCALE_NONE);
	/* Carries the bits, never ahead of the clock, at most 63 behind. */
	for (v = 0; v < 300; v++) {
		uint32_t clk = 0xffffff00u + v * 13;	/* wraps */
		uint32_t ts = syncookie_tsval(clk, bits);

		assert_int_equal(ts & SYNCOOKIE_TS_MASK, bits);
		assert_true((int32_t)(clk - ts) >= 0);
		assert_true(clk - ts < 64);
	}
}

/* The timestamp offset: stable for a tuple, different across tuples
 * and keys. */
static void
test_ts_offset(void **state)
{
	struct syncookie_tuple t = tup;
	uint32_t off = syncookie_ts_offset(&key, &tup);
	unsigned int n, same = 0;

	(void)state;
	assert_int_equal(syncookie_ts_offset(&key, &tup), off);
	assert_int_not_equal(syncookie_ts_offset(&other_key, &tup), off);
	for (n = 1; n <= 1000; n++) {
		t.remote_port = (uint16_t)(tup.remote_port + n);
		same += syncookie_ts_offset(&key, &t) == off;
		assert_int_equal(syncookie_ts_offset(&key, &t),
				 syncookie_ts_offset(&key, &t));
	}
	assert_int_equal(same, 0);
	t = tup;
	t.remote_ip++;
	assert_int_not_equal(syncookie_ts_offset(&key, &t), off);
}

/* SipHash-2-4's published test vector: key 00..0f, message 00..07. */
static void
test_siphash_vector(void **state)
{
	const struct syncookie_key k = {
		{ 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull }
	};
	uint64_t m = 0x0706050403020100ull;

	(void)state;
	assert_true(syncookie_siphash(&k, &m, 1) == 0x93f5f5799a932462ull);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mss_classes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_tuple_changed),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_guess),
		cmocka_unit_test(test_tsval),
		cmocka_unit_test(test_ts_offset),
		cmocka_unit_test(test_siphash_vector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
