/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the TCP option parser and writers (tcp_opt.h). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tcp_opt.h"

/* Parse a copy in a buffer of exactly len bytes (ASan sees overreads). */
static int
parse_exact(const uint8_t *p, uint32_t len, int syn, struct tcp_opts *o)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, p, len);
	/* Garbage in, to catch fields the parser forgets to clear. */
	memset(o, 0xa5, sizeof(*o));
	rc = tcp_opt_parse(copy, len, syn, o);
	free(copy);
	return rc;
}

/* Everything but the SACK blocks, which hold n_sack entries only. */
static void
expect_empty(const struct tcp_opts *o)
{
	struct tcp_opts z;

	memset(&z, 0, sizeof(z));
	assert_memory_equal(o, &z, offsetof(struct tcp_opts, sack_start));
}

static void
test_put_syn_roundtrip(void **state)
{
	static const uint16_t mss[] = { 0, 536, 1460, 8960, 0xffff };
	static const uint8_t shifts[] = { 0, 1, 7, 14 };
	int sack, ts, ws;
	size_t m, s;

	(void)state;
	for (sack = 0; sack <= 1; sack++)
	for (ts = 0; ts <= 1; ts++)
	for (ws = 0; ws <= 1; ws++)
	for (m = 0; m < sizeof(mss) / sizeof(mss[0]); m++)
	for (s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s++) {
		uint8_t buf[64];
		struct tcp_opts o;
		uint32_t len, expect = 4;
		uint32_t tsv = 0x01020304u + (uint32_t)m;
		uint32_t tse = 0xfffefdfcu - (uint32_t)s;

		memset(buf, 0xee, sizeof(buf));
		len = tcp_opt_put_syn(buf, mss[m], sack, ts, tsv, tse, ws,
				      shifts[s]);
		if (sack && ts)
			expect += 12;
		else if (sack || ts)
			expect += sack ? 4 : 12;
		if (ws)
			expect += 4;
		assert_int_equal(len, expect);
		assert_int_equal(len % 4, 0);
		assert_true(len <= 40);
		/* Nothing written past len. */
		assert_int_equal(buf[len], 0xee);

		assert_int_equal(parse_exact(buf, len, 1, &o), 0);
		assert_int_equal(o.has_mss, 1);
		assert_int_equal(o.mss, mss[m]);
		assert_int_equal(o.sack_perm, sack);
		assert_int_equal(o.has_ts, ts);
		if (ts) {
			assert_int_equal(o.ts_val, tsv);
			assert_int_equal(o.ts_ecr, tse);
		} else {
			assert_int_equal(o.ts_val, 0);
			assert_int_equal(o.ts_ecr, 0);
		}
		assert_int_equal(o.has_wscale, ws);
		assert_int_equal(o.wscale, ws ? shifts[s] : 0);
		assert_int_equal(o.n_sack, 0);

		/* The same bytes on a non-SYN: only the timestamps count. */
		assert_int_equal(parse_exact(buf, len, 0, &o), 0);
		assert_int_equal(o.has_mss, 0);
		assert_int_equal(o.mss, 0);
		assert_int_equal(o.sack_perm, 0);
		assert_int_equal(o.has_wscale, 0);
		assert_int_equal(o.wscale, 0);
		assert_int_equal(o.has_ts, ts);
	}
}

static void
test_put_syn_layout(void **state)
{
	static const uint8_t all[] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2,				/* SACK permitted */
		8, 10, 0, 0, 0, 1, 0, 0, 0, 2,	/* TS 1, 2 */
		1, 3, 3, 7,			/* NOP, wscale 7 */
	};
	uint8_t buf[64];
	uint32_t len;

	(void)state;
	len = tcp_opt_put_syn(buf, 1460, 1, 1, 1, 2, 1, 7);
	assert_int_equal(len, sizeof(all));
	assert_memory_equal(buf, all, sizeof(all));
}

static void
test_put_ts(void **state)
{
	static const uint32_t vals[][2] = {
		{ 0, 0 }, { 1, 2 }, { 0xffffffffu, 0x80000000u },
		{ 0x12345678u, 0x9abcdef0u },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint8_t buf[16];
		struct tcp_opts o;
		uint32_t len;

		memset(buf, 0xee, sizeof(buf));
		len = tcp_opt_put_ts(buf, vals[i][0], vals[i][1]);
		assert_int_equal(len, 12);
		assert_int_equal(buf[12], 0xee);
		assert_int_equal(buf[0], TCPOPT_NOP);
		assert_int_equal(buf[1], TCPOPT_NOP);
		assert_int_equal(buf[2], TCPOPT_TIMESTAMP);
		assert_int_equal(buf[3], 10);
		assert_int_equal(parse_exact(buf, len, 0, &o), 0);
		assert_int_equal(o.has_ts, 1);
		assert_int_equal(o.ts_val, vals[i][0]);
		assert_int_equal(o.ts_ecr, vals[i][1]);
		assert_int_equal(o.n_sack, 0);
	}
}

static void
test_put_sack(void **state)
{
	uint32_t starts[TCP_MAX_SACK_BLOCKS], ends[TCP_MAX_SACK_BLOCKS];
	unsigned int n, i;

	(void)state;
	for (i = 0; i < TCP_MAX_SACK_BLOCKS; i++) {
		starts[i] = 0xfffff000u + i * 0x1000u;	/* wraps */
		ends[i] = starts[i] + 0x800u;
	}
	for (n = 0; n <= TCP_MAX_SACK_BLOCKS; n++) {
		uint8_t buf[64];
		struct tcp_opts o;
		uint32_t len;

		memset(buf, 0xee, sizeof(buf));
		len = tcp_opt_put_sack(buf, starts, ends, n);
		if (n == 0) {
			assert_int_equal(len, 0);
			assert_int_equal(buf[0], 0xee);
			continue;
		}
		assert_int_equal(len, 4 + 8 * n);
		assert_int_equal(len % 4, 0);
		assert_int_equal(buf[len], 0xee);
		assert_int_equal(buf[2], TCPOPT_SACK);
		assert_int_equal(buf[3], 2 + 8 * n);
		assert_int_equal(parse_exact(buf, len, 0, &o), 0);
		assert_int_equal(o.n_sack, n);
		for (i = 0; i < n; i++) {
			assert_int_equal(o.sack_start[i], starts[i]);
			assert_int_equal(o.sack_end[i], ends[i]);
		}
		/* With timestamps in front, as a data segment carries them
		 * (three blocks fit in 40 bytes then). */
		if (n <= 3) {
			uint32_t l2 = tcp_opt_put_ts(buf, 7, 8);

			l2 += tcp_opt_put_sack(buf + l2, starts, ends, n);
			assert_true(l2 <= 40);
			assert_int_equal(parse_exact(buf, l2, 0, &o), 0);
			assert_int_equal(o.has_ts, 1);
			assert_int_equal(o.ts_val, 7);
			assert_int_equal(o.ts_ecr, 8);
			assert_int_equal(o.n_sack, n);
			assert_int_equal(o.sack_end[n - 1], ends[n - 1]);
		}
	}
}

static void
test_parse_empty_and_padding(void **state)
{
	static const uint8_t nops[] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	static const uint8_t eol[] = { 0 };
	/* EOL stops parsing: what follows (even garbage) is ignored. */
	static const uint8_t eol_then_junk[] = { 1, 0, 2, 1, 0xff, 0xff };
	static const uint8_t mss_eol_mss[] = {
		2, 4, 0x01, 0x00, 0, 0, 2, 4, 0x02, 0x00,
	};
	struct tcp_opts o;

	(void)state;
	assert_int_equal(parse_exact(NULL, 0, 1, &o), 0);
	expect_empty(&o);
	assert_int_equal(parse_exact(nops, sizeof(nops), 1, &o), 0);
	expect_empty(&o);
	assert_int_equal(parse_exact(eol, sizeof(eol), 1, &o), 0);
	expect_empty(&o);
	assert_int_equal(parse_exact(eol_then_junk, sizeof(eol_then_junk), 1,
				     &o), 0);
	expect_empty(&o);
	assert_int_equal(parse_exact(mss_eol_mss, sizeof(mss_eol_mss), 1,
				     &o), 0);
	assert_int_equal(o.has_mss, 1);
	assert_int_equal(o.mss, 0x100);
}

static void
test_parse_unknown_skipped(void **state)
{
	static const uint8_t opts[] = {
		30, 6, 0xde, 0xad, 0xbe, 0xef,	/* MPTCP-ish: skipped */
		1,
		254, 2,				/* experimental, empty */
		2, 4, 0x05, 0x78,		/* MSS 1400 */
		34, 3, 0x00,			/* TFO-ish */
		4, 2,
		253, 4, 0x02, 0x04,		/* looks like MSS inside */
		3, 3, 9,
	};
	struct tcp_opts o;

	(void)state;
	assert_int_equal(parse_exact(opts, sizeof(opts), 1, &o), 0);
	assert_int_equal(o.has_mss, 1);
	assert_int_equal(o.mss, 1400);
	assert_int_equal(o.sack_perm, 1);
	assert_int_equal(o.has_wscale, 1);
	assert_int_equal(o.wscale, 9);
	assert_int_equal(o.has_ts, 0);
}

static void
test_parse_wscale_clamp(void **state)
{
	unsigned int v;

	(void)state;
	for (v = 0; v <= 255; v++) {
		uint8_t opts[4] = { 1, 3, 3, (uint8_t)v };
		struct tcp_opts o;

		assert_int_equal(parse_exact(opts, 4, 1, &o), 0);
		assert_int_equal(o.has_wscale, 1);
		assert_int_equal(o.wscale, v > 14 ? 14 : v);
	}
}

static void
test_parse_syn_only(void **state)
{
	static const uint8_t opts[] = {
		2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 5,
		5, 10, 0, 0, 0, 1, 0, 0, 0, 2,	/* SACK counts always */
	};
	struct tcp_opts o;

	(void)state;
	assert_int_equal(parse_exact(opts, sizeof(opts), 0, &o), 0);
	assert_int_equal(o.has_mss, 0);
	assert_int_equal(o.mss, 0);
	assert_int_equal(o.sack_perm, 0);
	assert_int_equal(o.has_wscale, 0);
	assert_int_equal(o.wscale, 0);
	assert_int_equal(o.n_sack, 1);
	assert_int_equal(o.sack_start[0], 1);
	assert_int_equal(o.sack_end[0], 2);
	assert_int_equal(parse_exact(opts, sizeof(opts), 1, &o), 0);
	assert_int_equal(o.has_mss, 1);
	assert_int_equal(o.mss, 1460);
	assert_int_equal(o.sack_perm, 1);
	assert_int_equal(o.wscale, 5);
}

/* More than four SACK blocks (one long option, or two options; the
 * parser is given more than 40 bytes): the first four are kept. */
static void
test_parse_sack_many(void **state)
{
	uint32_t s[5] = { 10, 30, 50, 70, 90 }, e[5] = { 20, 40, 60, 80, 100 };
	uint8_t opts[48];
	struct tcp_opts o;
	uint32_t n, i;

	(void)state;
	/* One option with five blocks (length 42). */
	n = tcp_opt_put_sack(opts, s, e, 5);
	assert_int_equal(n, 44);
	assert_int_equal(opts[3], 42);
	assert_int_equal(parse_exact(opts, n, 0, &o), 0);
	assert_int_equal(o.n_sack, TCP_MAX_SACK_BLOCKS);
	for (i = 0; i < TCP_MAX_SACK_BLOCKS; i++) {
		assert_int_equal(o.sack_start[i], s[i]);
		assert_int_equal(o.sack_end[i], e[i]);
	}
	/* Three blocks, then two more in a second option. */
	n = tcp_opt_put_sack(opts, s, e, 3);
	n += tcp_opt_put_sack(opts + n, s + 3, e + 3, 2);
	assert_int_equal(n, 48);
	assert_int_equal(parse_exact(opts, n, 0, &o), 0);
	assert_int_equal(o.n_sack, TCP_MAX_SACK_BLOCKS);
	for (i = 0; i < TCP_MAX_SACK_BLOCKS; i++) {
		assert_int_equal(o.sack_start[i], s[i]);
		assert_int_equal(o.sack_end[i], e[i]);
	}
	/* Two options of two blocks, no padding: all four. */
	n = 0;
	opts[n++] = 5;
	opts[n++] = 18;
	for (i = 0; i < 16; i++)
		opts[n++] = (uint8_t)i;
	opts[n++] = 5;
	opts[n++] = 18;
	for (i = 0; i < 16; i++)
		opts[n++] = (uint8_t)(0xf0 + i);
	assert_int_equal(n, 36);
	assert_int_equal(parse_exact(opts, n, 0, &o), 0);
	assert_int_equal(o.n_sack, 4);
	assert_int_equal(o.sack_start[0], 0x00010203u);
	assert_int_equal(o.sack_end[1], 0x0c0d0e0fu);
	assert_int_equal(o.sack_start[2], 0xf0f1f2f3u);
	assert_int_equal(o.sack_end[3], 0xfcfdfeffu);
}

struct bad_case {
	const char *what;
	uint8_t bytes[16];
	uint32_t len;
};

static void
test_parse_malformed(void **state)
{
	static const struct bad_case bad[] = {
		{ "length 0", { 30, 0, 1, 1 }, 4 },
		{ "length 1", { 30, 1, 1, 1 }, 4 },
		{ "MSS length 0", { 2, 0, 1, 1 }, 4 },
		{ "past the end", { 30, 5, 1, 1 }, 4 },
		{ "past the end by one", { 1, 30, 4, 1 }, 4 },
		{ "MSS truncated", { 2, 4, 5 }, 3 },
		{ "MSS length 3", { 2, 3, 5, 1 }, 4 },
		{ "MSS length 5", { 2, 5, 5, 1, 1 }, 5 },
		{ "wscale length 2", { 3, 2, 1, 1 }, 4 },
		{ "wscale length 4", { 3, 4, 1, 1 }, 4 },
		{ "sack_perm length 3", { 4, 3, 0, 1 }, 4 },
		{ "TS length 8", { 8, 8, 0, 0, 0, 1, 0, 0 }, 8 },
		{ "TS length 11", { 8, 11, 0, 0, 0, 1, 0, 0, 0, 1, 0 }, 11 },
		{ "TS truncated", { 8, 10, 0, 0, 0, 1, 0, 0 }, 8 },
		{ "SACK length 2", { 5, 2, 1, 1 }, 4 },
		{ "SACK length 9", { 5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0 }, 11 },
		{ "SACK length 11", { 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0 }, 11 },
		{ "SACK length 6", { 5, 6, 0, 0, 0, 1 }, 6 },
		{ "kind as last byte", { 1, 1, 1, 2 }, 4 },
		{ "unknown kind as last byte", { 1, 1, 1, 200 }, 4 },
		{ "single kind byte", { 8 }, 1 },
		{ "good then bad", { 4, 2, 30, 0 }, 4 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tcp_opts o;

		if (parse_exact(bad[i].bytes, bad[i].len, 1, &o) != -1)
			fail_msg("%s: accepted", bad[i].what);
		if (parse_exact(bad[i].bytes, bad[i].len, 0, &o) != -1)
			fail_msg("%s: accepted without SYN", bad[i].what);
	}
}

/* A length that would fit the option's own kind is not enough: the
 * whole option must lie within len, not within the buffer. */
static void
test_parse_len_limits(void **state)
{
	static const uint8_t ts[] = { 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	struct tcp_opts o;
	uint32_t l;

	(void)state;
	for (l = 1; l < sizeof(ts); l++)
		assert_int_equal(parse_exact(ts, l, 0, &o), -1);
	assert_int_equal(parse_exact(ts, sizeof(ts), 0, &o), 0);
	assert_int_equal(o.ts_val, 1);
	assert_int_equal(o.ts_ecr, 2);
}

/* Random bytes of random length: never out of bounds (ASan), and the
 * result is internally consistent. */
/* NOP, NOP, timestamp (the layout read whole) and the same option laid
 * out otherwise (read by the general loop) give the same result; a
 * 12-byte block that only starts like it is not taken for it. */
static void
test_parse_ts_layouts(void **state)
{
	static const uint8_t aligned[12] = { 1, 1, 8, 10, 0x89, 0xab, 0xcd,
					     0xef, 0x01, 0x23, 0x45, 0x67 };
	static const uint8_t trailing[12] = { 8, 10, 0x89, 0xab, 0xcd, 0xef,
					      0x01, 0x23, 0x45, 0x67, 1, 0 };
	static const uint8_t padded[16] = { 1, 1, 1, 1, 1, 1, 8, 10, 0x89,
					    0xab, 0xcd, 0xef, 0x01, 0x23,
					    0x45, 0x67 };
	static const uint8_t bad_len[12] = { 1, 1, 8, 11, 0, 0, 0, 0, 0, 0,
					     0, 0 };
	static const uint8_t short_ts[12] = { 1, 1, 8, 10, 0, 0, 0, 0, 0, 0,
					      1, 1 };
	struct tcp_opts a, b;
	int syn;

	(void)state;
	for (syn = 0; syn <= 1; syn++) {
		assert_int_equal(parse_exact(aligned, sizeof(aligned), syn, &a),
				 0);
		assert_int_equal(a.has_ts, 1);
		assert_int_equal(a.ts_val, 0x89abcdefu);
		assert_int_equal(a.ts_ecr, 0x01234567u);
		assert_int_equal(a.n_sack, 0);
		assert_int_equal(a.has_mss | a.has_wscale | a.sack_perm, 0);
		assert_int_equal(parse_exact(trailing, sizeof(trailing), syn,
					     &b), 0);
		assert_memory_equal(&a, &b,
				    offsetof(struct tcp_opts, sack_start));
		assert_int_equal(parse_exact(padded, sizeof(padded), syn, &b),
				 0);
		assert_memory_equal(&a, &b,
				    offsetof(struct tcp_opts, sack_start));
		/* 8, 11 runs past the 12 bytes: malformed. */
		assert_int_equal(parse_exact(bad_len, sizeof(bad_len), syn,
					     &b), -1);
		/* The timestamp's value bytes end in NOPs: still one
		 * timestamp option, read whole. */
		assert_int_equal(parse_exact(short_ts, sizeof(short_ts), syn,
					     &b), 0);
		assert_int_equal(b.has_ts, 1);
		assert_int_equal(b.ts_ecr, 0x00000101u);
	}
	/* The aligned head in a longer block (SACK behind it): the loop. */
	{
		static const uint8_t with_sack[24] = {
			1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6,
			1, 1, 5, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0 };

		assert_int_equal(parse_exact(with_sack, sizeof(with_sack), 0,
					     &b), 0);
		assert_int_equal(b.has_ts, 1);
		assert_int_equal(b.ts_val, 5);
		assert_int_equal(b.n_sack, 1);
		assert_int_equal(b.sack_start[0], 0x1000);
		assert_int_equal(b.sack_end[0], 0x2000);
	}
}

static void
test_fuzz(void **state)
{
	static const uint8_t kinds[] = { 0, 1, 2, 3, 4, 5, 8, 30, 255 };
	unsigned int iter;

	(void)state;
	srandom(4242);
	for (iter = 0; iter < 300000; iter++) {
		uint8_t buf[40];
		uint32_t len = (uint32_t)random() % 41;
		struct tcp_opts o;
		uint32_t i;
		int rc;

		for (i = 0; i < len; i++) {
			switch (random() % 4) {
			case 0:	/* a plausible kind */
				buf[i] = kinds[random() % sizeof(kinds)];
				break;
			case 1:	/* a plausible length */
				buf[i] = (uint8_t)(random() % 12);
				break;
			default:
				buf[i] = (uint8_t)random();
				break;
			}
		}
		rc = parse_exact(buf, len, (int)(iter & 1), &o);
		assert_true(rc == 0 || rc == -1);
		assert_true(o.n_sack <= TCP_MAX_SACK_BLOCKS);
		assert_true(o.wscale <= TCP_MAX_WSCALE);
		assert_true(o.has_mss <= 1 && o.has_wscale <= 1 &&
			    o.sack_perm <= 1 && o.has_ts <= 1);
		if ((iter & 1) == 0) {
			assert_int_equal(o.has_mss, 0);
			assert_int_equal(o.has_wscale, 0);
			assert_int_equal(o.sack_perm, 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_syn_roundtrip),
		cmocka_unit_test(test_put_syn_layout),
		cmocka_unit_test(test_put_ts),
		cmocka_unit_test(test_put_sack),
		cmocka_unit_test(test_parse_empty_and_padding),
		cmocka_unit_test(test_parse_unknown_skipped),
		cmocka_unit_test(test_parse_wscale_clamp),
		cmocka_unit_test(test_parse_syn_only),
		cmocka_unit_test(test_parse_sack_many),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_len_limits),
		cmocka_unit_test(test_parse_ts_layouts),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
