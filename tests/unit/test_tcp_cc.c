/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for congestion control (tcp_cc.c): NewReno (RFC 5681,
 * RFC 3465 byte counting with L = 2) and CUBIC (RFC 9438), checked
 * against the RFCs' formulas and by simulating ACK clocks over time.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cc_name.h"
#include "tcp_cc.h"

#define MSS	1000u

static void
assert_near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.12g, want %.12g (+-%g)", what, got, want,
			 tol);
}

/* CUBIC's own state, as TCP attaches it from its pool. */
static struct tcp_cubic cc_cubic, sim_cubic;

/* ---- an ACK clock: one MSS acknowledged every srtt / cwnd ---- */

struct sim {
	struct tcp_cc cc;
	const struct tcp_cc_ops *ops;
	double now_us;
	uint32_t srtt_us;
};

static void
sim_ack(struct sim *s)
{
	double n = (double)s->cc.cwnd / s->cc.mss;

	s->now_us += s->srtt_us / n;
	s->ops->on_ack(&s->cc, s->cc.mss, (uint64_t)s->now_us, s->srtt_us);
}

static void
sim_until(struct sim *s, double until_us)
{
	while (s->now_us < until_us)
		sim_ack(s);
}

static double
segs(const struct tcp_cc *cc)
{
	return (double)cc->cwnd / cc->mss;
}

/* Seconds since the CUBIC epoch started. */
static double
epoch_t(const struct sim *s)
{
	return (s->now_us - (double)s->cc.cubic->epoch_us) / 1e6;
}

/* ---- lookup and init ---- */

static void
test_cc_find(void **state)
{
	(void)state;
	assert_ptr_equal(tcp_cc_find("newreno"), &tcp_cc_newreno);
	assert_ptr_equal(tcp_cc_find("reno"), &tcp_cc_newreno);
	assert_ptr_equal(tcp_cc_find("cubic"), &tcp_cc_cubic);
	assert_null(tcp_cc_find("bogus"));
	assert_null(tcp_cc_find(""));
	assert_null(tcp_cc_find("CUBIC"));
	assert_null(tcp_cc_find("cubic "));
	assert_null(tcp_cc_find("newren"));
	assert_string_equal(tcp_cc_newreno.name, "newreno");
	assert_string_equal(tcp_cc_cubic.name, "cubic");
	/* config.c checks names with core's cc_name_known: the same set. */
	{
		static const char *const names[] = { "newreno", "reno",
			"cubic", "bogus", "", "CUBIC", "cubic ", "newren" };
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			assert_int_equal(cc_name_known(names[i]),
					 tcp_cc_find(names[i]) != NULL);
	}
	assert_non_null(tcp_cc_newreno.init);
	assert_non_null(tcp_cc_newreno.on_ack);
	assert_non_null(tcp_cc_newreno.on_loss);
	assert_non_null(tcp_cc_newreno.on_rto);
	assert_non_null(tcp_cc_cubic.init);
	assert_non_null(tcp_cc_cubic.on_ack);
	assert_non_null(tcp_cc_cubic.on_loss);
	assert_non_null(tcp_cc_cubic.on_rto);
}

static void
test_cc_init(void **state)
{
	const struct tcp_cc_ops *algs[] = { &tcp_cc_newreno, &tcp_cc_cubic };
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct tcp_cc cc = { .cubic = &cc_cubic };

		/* Garbage everywhere but the state pointer, which TCP
		 * sets before init and init keeps. */
		memset(&cc, 0x5a, sizeof(cc));
		memset(&cc_cubic, 0x5a, sizeof(cc_cubic));
		cc.cubic = &cc_cubic;
		algs[i]->init(&cc, 1460, 10);
		assert_ptr_equal(cc.cubic, &cc_cubic);
		assert_int_equal(cc.cwnd, 14600);
		assert_int_equal(cc.ssthresh, UINT32_MAX);
		assert_int_equal(cc.mss, 1460);
		assert_int_equal(cc.bytes_acked, 0);
		assert_int_equal(cc.cubic->epoch_us, 0);
		assert_true(cc.cubic->w_max == 0.0);
		algs[i]->init(&cc, 536, 4);
		assert_int_equal(cc.cwnd, 2144);
		assert_int_equal(cc.ssthresh, UINT32_MAX);
		algs[i]->init(&cc, 9000, 1);
		assert_int_equal(cc.cwnd, 9000);
	}
}

/* ---- NewReno ---- */

/* RFC 3465: cwnd += min(N, L * SMSS) per ACK in slow start, L = 2. */
static void
test_reno_slow_start(void **state)
{
	const struct tcp_cc_ops *algs[] = { &tcp_cc_newreno, &tcp_cc_cubic };
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct tcp_cc cc = { .cubic = &cc_cubic };

		algs[i]->init(&cc, MSS, 10);
		algs[i]->on_ack(&cc, 500, 1000000, 10000);
		assert_int_equal(cc.cwnd, 10500);
		algs[i]->on_ack(&cc, 1000, 1001000, 10000);
		assert_int_equal(cc.cwnd, 11500);
		algs[i]->on_ack(&cc, 2000, 1002000, 10000);
		assert_int_equal(cc.cwnd, 13500);
		/* Stretch ACKs count at most two segments. */
		algs[i]->on_ack(&cc, 2001, 1003000, 10000);
		assert_int_equal(cc.cwnd, 15500);
		algs[i]->on_ack(&cc, 50000, 1004000, 10000);
		assert_int_equal(cc.cwnd, 17500);
		assert_int_equal(cc.bytes_acked, 0);
		assert_int_equal(cc.ssthresh, UINT32_MAX);
	}
}

/* Slow start stops exactly at ssthresh; the rest of the ACK goes to
 * congestion avoidance's byte counter. */
static void
test_reno_ss_to_ca(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };
	unsigned int k;

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, 10);
	cc.ssthresh = 15000;
	cc.cwnd = 14000;
	/* inc = 2000, room = 1000: cwnd = 15000, 1000 carried. */
	tcp_cc_newreno.on_ack(&cc, 2000, 0, 10000);
	assert_int_equal(cc.cwnd, 15000);
	assert_int_equal(cc.bytes_acked, 1000);
	/* With the carry, 14 more MSS-sized ACKs make a full cwnd. */
	for (k = 1; k < 14; k++) {
		tcp_cc_newreno.on_ack(&cc, MSS, 0, 10000);
		assert_int_equal(cc.cwnd, 15000);
	}
	tcp_cc_newreno.on_ack(&cc, MSS, 0, 10000);
	assert_int_equal(cc.cwnd, 16000);
	assert_int_equal(cc.bytes_acked, 0);

	/* Exactly reaching ssthresh carries nothing. */
	tcp_cc_newreno.init(&cc, MSS, 10);
	cc.ssthresh = 12000;
	tcp_cc_newreno.on_ack(&cc, 2000, 0, 10000);
	assert_int_equal(cc.cwnd, 12000);
	assert_int_equal(cc.bytes_acked, 0);
	/* Now in congestion avoidance: no more doubling. */
	tcp_cc_newreno.on_ack(&cc, 2000, 0, 10000);
	assert_int_equal(cc.cwnd, 12000);
	assert_int_equal(cc.bytes_acked, 2000);

	/* A small carry: room 300 of an ACK of 1000. */
	tcp_cc_newreno.init(&cc, MSS, 10);
	cc.ssthresh = 10300;
	tcp_cc_newreno.on_ack(&cc, 1000, 0, 10000);
	assert_int_equal(cc.cwnd, 10300);
	assert_int_equal(cc.bytes_acked, 700);
}

/* RFC 5681 3.1: one MSS per cwnd of bytes acknowledged. */
static void
test_reno_congestion_avoidance(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };
	uint32_t rnd, k, acks;

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, 10);
	cc.ssthresh = 20000;
	cc.cwnd = 20000;
	for (rnd = 0; rnd < 60; rnd++) {
		uint32_t c0 = cc.cwnd;

		acks = c0 / MSS;
		for (k = 1; k < acks; k++) {
			tcp_cc_newreno.on_ack(&cc, MSS, 0, 10000);
			if (cc.cwnd != c0)
				fail_msg("round %u: grew after %u of %u ACKs",
					 rnd, k, acks);
		}
		tcp_cc_newreno.on_ack(&cc, MSS, 0, 10000);
		if (cc.cwnd != c0 + MSS)
			fail_msg("round %u: cwnd %u after %u ACKs, want %u",
				 rnd, cc.cwnd, acks, c0 + MSS);
		assert_int_equal(cc.bytes_acked, 0);
	}
	assert_int_equal(cc.cwnd, 80000);

	/* Byte counting with odd-sized ACKs: growth once the sum reaches
	 * cwnd, remainder kept. */
	tcp_cc_newreno.init(&cc, MSS, 10);
	cc.ssthresh = 10000;
	tcp_cc_newreno.on_ack(&cc, 3333, 0, 10000);
	tcp_cc_newreno.on_ack(&cc, 3333, 0, 10000);
	tcp_cc_newreno.on_ack(&cc, 3333, 0, 10000);
	assert_int_equal(cc.cwnd, 10000);
	tcp_cc_newreno.on_ack(&cc, 3333, 0, 10000);
	assert_int_equal(cc.cwnd, 11000);
	assert_int_equal(cc.bytes_acked, 3332);
	/* Never more than one MSS per ACK, even for a huge one. */
	tcp_cc_newreno.on_ack(&cc, 100000, 0, 10000);
	assert_int_equal(cc.cwnd, 12000);
}

/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS); on entering
 * fast recovery cwnd = ssthresh (RFC 6675). */
static void
test_reno_loss(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, 10);
	cc.cwnd = 40000;
	cc.ssthresh = 40000;
	tcp_cc_newreno.on_ack(&cc, 700, 0, 10000);
	assert_int_equal(cc.cwnd, 40000);
	assert_int_equal(cc.bytes_acked, 700);

	/* Half the flight, not of cwnd. */
	tcp_cc_newreno.on_loss(&cc, 30000, 0);
	assert_int_equal(cc.ssthresh, 15000);
	assert_int_equal(cc.cwnd, 15000);
	assert_int_equal(cc.bytes_acked, 0);
	tcp_cc_newreno.on_loss(&cc, 30001, 0);
	assert_int_equal(cc.ssthresh, 15000);
	/* Floor of two segments. */
	tcp_cc_newreno.on_loss(&cc, 3000, 0);
	assert_int_equal(cc.ssthresh, 2000);
	assert_int_equal(cc.cwnd, 2000);
	tcp_cc_newreno.on_loss(&cc, 0, 0);
	assert_int_equal(cc.ssthresh, 2000);
	assert_int_equal(cc.cwnd, 2000);
	tcp_cc_newreno.on_loss(&cc, 4001, 0);
	assert_int_equal(cc.ssthresh, 2000);
	tcp_cc_newreno.on_loss(&cc, 4002, 0);
	assert_int_equal(cc.ssthresh, 2001);

	/* After the loss: congestion avoidance from a clean counter. */
	tcp_cc_newreno.on_loss(&cc, 20000, 0);
	assert_int_equal(cc.cwnd, 10000);
	tcp_cc_newreno.on_ack(&cc, 9999, 0, 10000);
	assert_int_equal(cc.cwnd, 10000);
	tcp_cc_newreno.on_ack(&cc, 1, 0, 10000);
	assert_int_equal(cc.cwnd, 11000);
}

/* RFC 5681 (5): on RTO, cwnd = 1 segment (the loss window), ssthresh as
 * for a loss; slow start back up to ssthresh. */
static void
test_reno_rto(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };
	unsigned int k;

	(void)state;
	tcp_cc_newreno.init(&cc, MSS, 10);
	cc.cwnd = 50000;
	cc.ssthresh = 50000;
	tcp_cc_newreno.on_ack(&cc, 500, 0, 10000);
	tcp_cc_newreno.on_rto(&cc, 40000, 0);
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.ssthresh, 20000);
	assert_int_equal(cc.bytes_acked, 0);
	tcp_cc_newreno.on_rto(&cc, 1000, 0);
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.ssthresh, 2000);

	tcp_cc_newreno.on_rto(&cc, 16000, 0);
	assert_int_equal(cc.ssthresh, 8000);
	/* Slow start: one segment per ACK of one segment. */
	for (k = 0; k < 7; k++)
		tcp_cc_newreno.on_ack(&cc, MSS, 0, 10000);
	assert_int_equal(cc.cwnd, 8000);
	assert_int_equal(cc.bytes_acked, 0);
	tcp_cc_newreno.on_ack(&cc, MSS, 0, 10000);
	assert_int_equal(cc.cwnd, 8000);
	assert_int_equal(cc.bytes_acked, MSS);
}

/* ---- CUBIC ---- */

/* Eq. 1: W_cubic(t) = C (t - K)^3 + W_max. */
static void
test_cubic_window_formula(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };

	(void)state;
	memset(cc.cubic, 0, sizeof(*cc.cubic));
	cc.cubic->k = 2.0;
	cc.cubic->w_max = 50.0;
	assert_near(tcp_cubic_window(&cc, 2.0), 50.0, 1e-12, "W(K)");
	assert_near(tcp_cubic_window(&cc, 3.0), 50.4, 1e-12, "W(K+1)");
	assert_near(tcp_cubic_window(&cc, 1.0), 49.6, 1e-12, "W(K-1)");
	assert_near(tcp_cubic_window(&cc, 0.0), 46.8, 1e-12, "W(0)");
	assert_near(tcp_cubic_window(&cc, 12.0), 450.0, 1e-9, "W(K+10)");
	assert_near(CUBIC_C, 0.4, 0, "C");
	assert_near(CUBIC_BETA, 0.7, 0, "beta");
}

/* RFC 9438 4.6: ssthresh = max(cwnd * beta, 2 segments), cwnd =
 * ssthresh; 4.7: W_max = cwnd before the reduction. */
static void
test_cubic_loss(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 100 * MSS;
	cc.bytes_acked = 123;
	cc.cubic->ca_bytes = 456.75;
	tcp_cc_cubic.on_loss(&cc, 55555, 5000000);
	assert_int_equal(cc.ssthresh, 70000);
	assert_int_equal(cc.cwnd, 70000);
	assert_int_equal(cc.bytes_acked, 0);
	assert_near(cc.cubic->ca_bytes, 0.0, 0, "ca_bytes");
	assert_int_equal(cc.cubic->epoch_us, 0);
	assert_near(cc.cubic->w_max, 100.0, 1e-12, "w_max");
	/* 4.6: cwnd_prior, for the Reno-friendly alpha (4.3). */
	assert_near(cc.cubic->cwnd_prior, 100.0, 1e-12, "cwnd_prior");

	/* Floor of two segments. */
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 2500;
	tcp_cc_cubic.on_loss(&cc, 2500, 5000000);
	assert_int_equal(cc.ssthresh, 2000);
	assert_int_equal(cc.cwnd, 2000);
	assert_near(cc.cubic->w_max, 2.5, 1e-12, "small w_max");
	tcp_cc_cubic.on_loss(&cc, 2000, 5000000);
	assert_int_equal(cc.cwnd, 2000);

	/* Not a segment multiple: truncated to bytes. */
	tcp_cc_cubic.init(&cc, 1448, 10);
	cc.cwnd = 123457;
	tcp_cc_cubic.on_loss(&cc, 123457, 5000000);
	assert_true(cc.cwnd == 86419 || cc.cwnd == 86420);
	assert_int_equal(cc.ssthresh, cc.cwnd);
	assert_near(cc.cubic->w_max, 123457.0 / 1448, 1e-9, "w_max 1448");
}

/* RFC 9438 4.7 fast convergence: a loss below the previous W_max sets
 * W_max = cwnd * (1 + beta) / 2; one at or above it, W_max = cwnd. */
static void
test_cubic_fast_convergence(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 100 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 1000000);
	assert_near(cc.cubic->w_max, 100.0, 1e-12, "first");

	/* Second loss at 80 segments, below W_max = 100. */
	cc.cwnd = 80 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 2000000);
	assert_near(cc.cubic->w_max, 80.0 * 1.7 / 2.0, 1e-9, "fast convergence");
	assert_int_equal(cc.cwnd, 56000);
	assert_int_equal(cc.ssthresh, 56000);

	/* The epoch that follows: K from eq. 2 with cwnd_epoch = 56. */
	tcp_cc_cubic.on_ack(&cc, MSS, 2010000, 10000);
	assert_int_equal(cc.cubic->epoch_us, 2010000);
	assert_near(cc.cubic->cwnd_epoch, 56.0, 1e-12, "cwnd_epoch");
	assert_near(cc.cubic->k, cbrt((68.0 - 56.0) / 0.4), 1e-9, "K");
	assert_near(tcp_cubic_window(&cc, cc.cubic->k), 68.0, 1e-9, "W(K)");
	assert_near(tcp_cubic_window(&cc, 0), 56.0, 1e-9, "W(0)");

	/* A loss above W_max: no fast convergence. */
	cc.cwnd = 90 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 3000000);
	assert_near(cc.cubic->w_max, 90.0, 1e-12, "above");
	/* 90000 * 0.7 is 62999.99... in binary, truncated to bytes. */
	assert_true(cc.cwnd == 63000 || cc.cwnd == 62999);
	/* Exactly at W_max: no fast convergence either. */
	cc.cwnd = 90 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 4000000);
	assert_near(cc.cubic->w_max, 90.0, 1e-12, "equal");
	/* Just below: fast convergence. */
	cc.cwnd = 89 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 5000000);
	assert_near(cc.cubic->w_max, 89.0 * 0.85, 1e-9, "below");
}

/* RFC 9438 eq. 2: K = cbrt((W_max - cwnd_epoch) / C), which is
 * cbrt(W_max (1 - beta) / C) after a plain reduction; W(K) = W_max and
 * W(0) = cwnd_epoch. */
static void
test_cubic_k(void **state)
{
	static const uint32_t mss[] = { 1000, 1448, 536, 9000 };
	static const uint32_t wsegs[] = { 100, 10, 1000, 37 };
	struct tcp_cc cc = { .cubic = &cc_cubic };
	unsigned int i;

	(void)state;
	/* Exact case: 100 segments of 1000. */
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 100 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 1000000);
	/* The epoch starts with the first ACK after the reduction. */
	assert_int_equal(cc.cubic->epoch_us, 0);
	tcp_cc_cubic.on_ack(&cc, MSS, 1010000, 10000);
	assert_int_equal(cc.cubic->epoch_us, 1010000);
	assert_near(cc.cubic->k, cbrt(100.0 * (1 - CUBIC_BETA) / CUBIC_C), 1e-9,
		    "K");
	assert_near(cc.cubic->k, cbrt(75.0), 1e-9, "K = cbrt(75)");
	assert_near(tcp_cubic_window(&cc, cc.cubic->k), cc.cubic->w_max, 1e-9, "W(K)");
	assert_near(tcp_cubic_window(&cc, 0), 70.0, 1e-9, "W(0)");
	assert_near(cc.cubic->w_est, 70.0 + 3 * 0.3 / 1.7 / 70.0, 1e-9, "W_est");

	/* Other sizes: equal within the byte rounding of cwnd. */
	for (i = 0; i < 4; i++) {
		double w0;

		tcp_cc_cubic.init(&cc, mss[i], 10);
		cc.cwnd = wsegs[i] * mss[i] + mss[i] / 3;
		w0 = (double)cc.cwnd / mss[i];
		tcp_cc_cubic.on_loss(&cc, cc.cwnd, 1000000);
		tcp_cc_cubic.on_ack(&cc, mss[i], 1010000, 10000);
		assert_near(cc.cubic->w_max, w0, 1e-12, "w_max");
		assert_near(cc.cubic->k, cbrt(w0 * (1 - CUBIC_BETA) / CUBIC_C),
			    1e-3, "K");
		assert_near(cc.cubic->k, cbrt((cc.cubic->w_max - cc.cubic->cwnd_epoch) / CUBIC_C),
			    1e-9, "K eq. 2");
		assert_near(tcp_cubic_window(&cc, cc.cubic->k), cc.cubic->w_max, 1e-9,
			    "W(K)");
		assert_near(tcp_cubic_window(&cc, 0), cc.cubic->cwnd_epoch, 1e-9,
			    "W(0) = cwnd_epoch");
		assert_near(tcp_cubic_window(&cc, 0), CUBIC_BETA * w0,
			    1.0 / mss[i] + 1e-9, "W(0) = beta W_max");
	}
}

/* Leaving slow start with no loss: W_max = cwnd, K = 0 (the window then
 * grows convexly from there). */
static void
test_cubic_after_slow_start(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };
	unsigned int k;

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.ssthresh = 20000;
	for (k = 0; k < 5; k++)
		tcp_cc_cubic.on_ack(&cc, 2 * MSS, 1000000 + k * 1000, 10000);
	assert_int_equal(cc.cwnd, 20000);
	assert_int_equal(cc.cubic->epoch_us, 0);
	tcp_cc_cubic.on_ack(&cc, MSS, 1100000, 10000);
	assert_int_equal(cc.cubic->epoch_us, 1100000);
	assert_near(cc.cubic->w_max, 20.0, 1e-12, "w_max");
	assert_near(cc.cubic->k, 0.0, 0, "K");
	assert_near(cc.cubic->cwnd_epoch, 20.0, 1e-12, "cwnd_epoch");
	assert_near(tcp_cubic_window(&cc, 1.0), 20.4, 1e-12, "W(1)");
}

/*
 * The concave and convex regions.  W_max = 1000 segments of 1000 bytes,
 * srtt 100 ms: CUBIC grows faster than the Reno estimate here (at t = K,
 * W_est = 700 + 0.53 * K / RTT ~ 748 < 1000), so eq. 1 governs.  One MSS
 * is acknowledged every srtt / cwnd.
 */
static void
test_cubic_concave_convex(void **state)
{
	struct sim s;
	double k, t, w, prev_cwnd, rtt_start, next_sample;
	double at_half = 0, at_k = 0, at_k2 = 0;
	int phase = 0;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.cc.cubic = &sim_cubic;
	s.ops = &tcp_cc_cubic;
	s.srtt_us = 100000;
	s.ops->init(&s.cc, MSS, 10);
	s.cc.cwnd = 1000 * MSS;
	s.cc.ssthresh = s.cc.cwnd;
	s.now_us = 10e6;
	s.ops->on_loss(&s.cc, s.cc.cwnd, (uint64_t)s.now_us);
	assert_int_equal(s.cc.cwnd, 700 * MSS);
	sim_ack(&s);
	k = s.cc.cubic->k;
	assert_near(k, cbrt(750.0), 1e-9, "K");

	prev_cwnd = segs(&s.cc);
	rtt_start = s.now_us;
	next_sample = s.now_us;
	while ((t = epoch_t(&s)) < k + 4.5) {
		sim_ack(&s);
		t = epoch_t(&s);
		w = segs(&s.cc);
		/* Never more than 1.5x in one RTT. */
		if (s.now_us - rtt_start >= s.srtt_us) {
			if (w > 1.5 * prev_cwnd + 1)
				fail_msg("t %.3f: %.1f after %.1f in one RTT",
					 t, w, prev_cwnd);
			prev_cwnd = w;
			rtt_start = s.now_us;
		}
		if (s.now_us < next_sample)
			continue;
		next_sample += 10000;
		/* Tracks eq. 1: at least W(t) less a segment or two of
		 * rounding, at most what it aims for one RTT ahead. */
		if (w < tcp_cubic_window(&s.cc, t) - 2.0 ||
		    w > tcp_cubic_window(&s.cc, t + 0.1) + 1.0)
			fail_msg("t %.3f: cwnd %.1f segments, W(t) %.2f, "
				 "W(t + RTT) %.2f", t, w,
				 tcp_cubic_window(&s.cc, t),
				 tcp_cubic_window(&s.cc, t + 0.1));
		/* Concave region: stays below W_max until K. */
		if (t <= k - 0.1 && w > 1000.0)
			fail_msg("t %.3f < K: cwnd %.1f above W_max", t, w);
		/* The Reno estimate stays below: not Reno-friendly. */
		if (s.cc.cubic->w_est >= tcp_cubic_window(&s.cc, t))
			fail_msg("t %.3f: W_est %.1f took over", t,
				 s.cc.cubic->w_est);
		if (phase == 0 && t >= k / 2) {
			at_half = w;
			phase = 1;
		} else if (phase == 1 && t >= k) {
			at_k = w;
			phase = 2;
		} else if (phase == 2 && t >= k + 2.0) {
			at_k2 = w;
			phase = 3;
		}
	}
	w = segs(&s.cc);
	assert_int_equal(phase, 3);
	/* Concave: most of the way back in the first half of K. */
	assert_true(at_half - 700 > 3 * (at_k - at_half));
	/* At K, back at W_max. */
	assert_near(at_k, 1000.0, 3.0, "cwnd at K");
	/* Convex after K: above W_max and accelerating (W(K + 2) = 1003.2,
	 * W(K + 4.5) = 1036.45). */
	assert_true(at_k2 > 1000.0);
	assert_true(w - at_k2 > 3 * (at_k2 - at_k));
	assert_near(w, tcp_cubic_window(&s.cc, k + 4.5), 2.0,
		    "cwnd at K + 4.5");
	assert_true(w > 1030.0);
}

/* The growth cap: never more than 1.5x per RTT (RFC 9438 4.2), even when
 * eq. 1 asks for much more long after K. */
static void
test_cubic_growth_cap(void **state)
{
	struct sim s;
	unsigned int rtt, k, acks;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.cc.cubic = &sim_cubic;
	s.ops = &tcp_cc_cubic;
	s.srtt_us = 10000;
	s.ops->init(&s.cc, MSS, 10);
	s.ops->on_loss(&s.cc, s.cc.cwnd, 1000000);
	s.now_us = 1000000;
	sim_ack(&s);
	assert_true(s.cc.cubic->k > 0);
	/* 100 s later, W(t) is enormous. */
	s.now_us += 100e6;
	for (rtt = 0; rtt < 12; rtt++) {
		uint32_t c0 = s.cc.cwnd;

		acks = c0 / MSS;
		for (k = 0; k < acks; k++)
			sim_ack(&s);
		if (s.cc.cwnd > c0 + c0 / 2 + MSS ||
		    s.cc.cwnd + 2 * MSS < c0 + c0 / 2)
			fail_msg("RTT %u: cwnd %u after %u, want ~1.5x", rtt,
				 s.cc.cwnd, c0);
	}
	assert_true(s.cc.cwnd > 100 * MSS);
}

/*
 * The Reno-friendly region (RFC 9438 4.3).  A tiny W_max (20 segments)
 * with srtt 10 ms: eq. 1 barely moves (K = cbrt(15) s), so W_est, which
 * grows by alpha = 3 (1 - beta) / (1 + beta) segments per RTT and by 1
 * once it reaches cwnd_prior (20 segments, here also W_max), sets cwnd.
 * cwnd follows W_est from below by at most a segment or two: the growth
 * owed, (W_est - cwnd) / cwnd per segment acknowledged, is added in whole
 * segments.
 */
static void
test_cubic_reno_friendly(void **state)
{
	const double alpha = 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
	struct sim s;
	double t, w, t_wmax = -1, w_at_3, w_at_4;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.cc.cubic = &sim_cubic;
	s.ops = &tcp_cc_cubic;
	s.srtt_us = 10000;
	s.ops->init(&s.cc, MSS, 10);
	s.cc.cwnd = 20 * MSS;
	s.now_us = 1e6;
	s.ops->on_loss(&s.cc, s.cc.cwnd, (uint64_t)s.now_us);
	assert_int_equal(s.cc.cwnd, 14 * MSS);
	sim_ack(&s);
	assert_near(s.cc.cubic->k, cbrt(15.0), 1e-9, "K");
	assert_near(s.cc.cubic->w_est, 14.0 + alpha / 14.0, 1e-9, "W_est 1 ACK");

	/* 10 RTTs: W_est = 14 + 10 alpha; cwnd follows, above eq. 1. */
	sim_until(&s, (double)s.cc.cubic->epoch_us + 0.1e6);
	t = epoch_t(&s);
	assert_near(s.cc.cubic->w_est, 14.0 + alpha * t / 0.01, 0.3, "W_est 10 RTT");
	w = segs(&s.cc);
	assert_true(w <= s.cc.cubic->w_est + 1e-9);
	assert_true(w >= s.cc.cubic->w_est - 2.0);
	assert_true(w > tcp_cubic_window(&s.cc, t + 0.01) + 2.0);

	/* Follow it to 3 s. */
	while ((t = epoch_t(&s)) < 3.0) {
		sim_ack(&s);
		w = segs(&s.cc);
		if (w < s.cc.cubic->w_est - 2.0 || w > s.cc.cubic->w_est + 1e-9)
			fail_msg("t %.3f: cwnd %.2f, W_est %.2f", t, w,
				 s.cc.cubic->w_est);
		if (t_wmax < 0 && s.cc.cubic->w_est >= s.cc.cubic->w_max)
			t_wmax = t;
	}
	/* W_est reached cwnd_prior = W_max = 20 after (20 - 14) / alpha
	 * RTTs. */
	assert_near(t_wmax, 0.01 * 6.0 / alpha, 0.015, "time to W_max");

	/* Past W_max: Reno's one segment per RTT. */
	w_at_3 = segs(&s.cc);
	assert_near(w_at_3, 20.0 + (3.0 - t_wmax) / 0.01, 3.0, "cwnd at 3 s");
	sim_until(&s, (double)s.cc.cubic->epoch_us + 4e6);
	w_at_4 = segs(&s.cc);
	assert_near(w_at_4 - w_at_3, 100.0, 3.0, "growth in 100 RTTs");
	assert_true(w_at_4 > tcp_cubic_window(&s.cc, 4.0) + 100.0);
}

/* RFC 9438 4.8: on RTO, cwnd = 1 segment as Reno, ssthresh with beta. */
static void
test_cubic_rto(void **state)
{
	struct tcp_cc cc = { .cubic = &cc_cubic };
	uint64_t now = 1000000;
	unsigned int k;

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 100 * MSS;
	cc.ssthresh = cc.cwnd;
	tcp_cc_cubic.on_ack(&cc, MSS, now, 10000);	/* an epoch */
	assert_true(cc.cubic->epoch_us != 0);
	cc.cubic->ca_bytes = 321.5;
	tcp_cc_cubic.on_rto(&cc, 30000, now);
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.ssthresh, 70000);
	assert_int_equal(cc.bytes_acked, 0);
	assert_near(cc.cubic->ca_bytes, 0.0, 0, "ca_bytes");
	assert_int_equal(cc.cubic->epoch_us, 0);
	assert_near(cc.cubic->cwnd_prior, 100.0, 1e-12, "cwnd_prior");

	/* Floor of two segments. */
	tcp_cc_cubic.on_rto(&cc, 1000, now);
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.ssthresh, 2 * MSS);

	/* Slow start back to ssthresh, with L = 2. */
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 100 * MSS;
	tcp_cc_cubic.on_rto(&cc, 0, now);
	assert_int_equal(cc.ssthresh, 70000);
	tcp_cc_cubic.on_ack(&cc, MSS, now += 1000, 10000);
	assert_int_equal(cc.cwnd, 2 * MSS);
	tcp_cc_cubic.on_ack(&cc, 5 * MSS, now += 1000, 10000);
	assert_int_equal(cc.cwnd, 4 * MSS);
	for (k = 0; k < 33; k++)
		tcp_cc_cubic.on_ack(&cc, 2 * MSS, now += 1000, 10000);
	assert_int_equal(cc.cwnd, 70000);
	assert_int_equal(cc.cubic->epoch_us, 0);
	/* In congestion avoidance now: an epoch starts. */
	tcp_cc_cubic.on_ack(&cc, MSS, now += 1000, 10000);
	assert_int_equal(cc.cubic->epoch_us, now);
	assert_near(cc.cubic->cwnd_epoch, 70.0, 1e-12, "cwnd_epoch");
}

/*
 * RFC 9438 4.8 (RFC 8312 4.7 before it): during the first congestion
 * avoidance stage after an RTO, "t is the elapsed time since the beginning
 * of the current congestion avoidance stage, K is set to 0, and W_max is
 * set to the congestion window size at the beginning of the current
 * congestion avoidance stage. In addition, for the Reno-friendly region,
 * W_est SHOULD be set to the congestion window size at the beginning of
 * the current congestion avoidance stage."
 *
 * mss 1000, cwnd 100 segments, RTO, slow start back to ssthresh = 70
 * segments, then congestion avoidance: W_max = 70, K = 0, so W_cubic(t) =
 * 0.4 t^3 + 70 (a K from the old W_max, cbrt(75) ~ 4.217 s, would plateau
 * towards 100 instead).  W_est starts at 70 and grows with the small
 * alpha until it reaches cwnd_prior = 100 (4.3).
 */
static void
test_cubic_rto_epoch(void **state)
{
	const double alpha = 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
	struct tcp_cc cc = { .cubic = &cc_cubic };
	struct sim s;
	uint64_t now = 1000000;
	double t, w;

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 100 * MSS;
	tcp_cc_cubic.on_rto(&cc, cc.cwnd, now);
	while (cc.cwnd < cc.ssthresh)
		tcp_cc_cubic.on_ack(&cc, MSS, now += 1000, 10000);
	assert_int_equal(cc.cwnd, 70000);
	tcp_cc_cubic.on_ack(&cc, MSS, now += 1000, 10000);
	assert_int_equal(cc.cubic->epoch_us, now);
	assert_near(cc.cubic->w_max, 70.0, 1e-9, "w_max after RTO");
	assert_near(cc.cubic->k, 0.0, 1e-9, "K after RTO");
	assert_near(cc.cubic->cwnd_epoch, 70.0, 1e-12, "cwnd_epoch");
	assert_near(cc.cubic->cwnd_prior, 100.0, 1e-12, "cwnd_prior");
	assert_near(cc.cubic->w_est, 70.0 + alpha / 70.0, 1e-9, "W_est");

	/* The stage that follows, srtt 100 ms, one MSS per srtt / cwnd. */
	memset(&s, 0, sizeof(s));
	s.cc.cubic = &sim_cubic;
	s.ops = &tcp_cc_cubic;
	s.srtt_us = 100000;
	s.cc = cc;
	s.now_us = (double)now;

	/*
	 * At t = 2 s: W_cubic(2) = 0.4 * 8 + 70 = 73.2, W_est ~ 70 + alpha *
	 * 20 RTTs ~ 80.6 (Reno-friendly, alpha < 1 below cwnd_prior).  With
	 * K = cbrt(75) and W_max = 100 it would be W(2) ~ 95.6 instead.
	 */
	sim_until(&s, (double)s.cc.cubic->epoch_us + 2e6);
	t = epoch_t(&s);
	w = segs(&s.cc);
	assert_near(s.cc.cubic->w_est, 70.0 + alpha * t / 0.1, 0.5, "W_est at 2 s");
	assert_true(s.cc.cubic->w_est > tcp_cubic_window(&s.cc, t + 0.1));
	assert_near(w, s.cc.cubic->w_est, 1.0, "cwnd at 2 s");
	assert_true(w < 85.0);

	/*
	 * At t = 5.5 s: W_cubic(5.5) = 0.4 * 166.375 + 70 = 136.55, well
	 * above W_est (~ 70 + alpha * 55 ~ 99): eq. 1 with K = 0 governs
	 * (the old W_max would give W(5.5) ~ 100.8).
	 */
	sim_until(&s, (double)s.cc.cubic->epoch_us + 5.5e6);
	t = epoch_t(&s);
	w = segs(&s.cc);
	assert_true(s.cc.cubic->w_est < tcp_cubic_window(&s.cc, t) - 20.0);
	if (w < tcp_cubic_window(&s.cc, t) - 1.0 ||
	    w > tcp_cubic_window(&s.cc, t + 0.1) + 1.0)
		fail_msg("t %.3f: cwnd %.2f, W(t) %.2f, W(t + RTT) %.2f", t, w,
			 tcp_cubic_window(&s.cc, t),
			 tcp_cubic_window(&s.cc, t + 0.1));
	assert_true(w > 130.0);
}

/*
 * RFC 9438 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta) until "W_est >=
 * cwnd_prior" (the cwnd when ssthresh was last set), then 1.  After fast
 * convergence W_max = cwnd_prior (1 + beta) / 2 is lower than cwnd_prior,
 * so comparing W_est with W_max would switch too early.
 *
 * mss 1000, loss at 100 segments, loss at 80 segments (W_max 68,
 * cwnd_prior 80, cwnd 56), one ACK to start the epoch, then W_est forced
 * to values around 68 and 80 before one more ACK of one MSS each:
 * W_est += alpha * 1 / cwnd, e.g. 70 + 0.529 / 56 = 70.00945 where
 * comparing with W_max would give 70 + 1 / 56 = 70.01786.
 */
static void
test_cubic_alpha_cwnd_prior(void **state)
{
	const double alpha = 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
	static const struct {
		double w_est, alpha;
	} cases[] = {
		{ 60.0, 3.0 * 0.3 / 1.7 },
		{ 68.0, 3.0 * 0.3 / 1.7 },	/* W_max: still small */
		{ 70.0, 3.0 * 0.3 / 1.7 },
		{ 79.999, 3.0 * 0.3 / 1.7 },
		{ 80.0, 1.0 },			/* cwnd_prior: Reno's 1 */
		{ 95.0, 1.0 },
	};
	struct tcp_cc cc = { .cubic = &cc_cubic };
	uint64_t now = 2001000;
	double cwnd;
	unsigned int i;

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, 10);
	cc.cwnd = 100 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 1000000);
	cc.cwnd = 80 * MSS;
	tcp_cc_cubic.on_loss(&cc, cc.cwnd, 2000000);
	assert_near(cc.cubic->w_max, 68.0, 1e-9, "w_max");
	assert_near(cc.cubic->cwnd_prior, 80.0, 1e-12, "cwnd_prior");
	assert_int_equal(cc.cwnd, 56 * MSS);
	tcp_cc_cubic.on_ack(&cc, MSS, now, 10000);
	/* Started at cwnd_epoch = 56 < cwnd_prior: the small alpha. */
	assert_near(cc.cubic->w_est, 56.0 + alpha / 56.0, 1e-9, "W_est 1 ACK");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cc.cubic->w_est = cases[i].w_est;
		cwnd = segs(&cc);	/* grows as W_est pulls it up */
		tcp_cc_cubic.on_ack(&cc, MSS, now += 1000, 10000);
		if (fabs(cc.cubic->w_est - (cases[i].w_est + cases[i].alpha / cwnd)) >
		    1e-9)
			fail_msg("W_est %.3f, cwnd %.0f: got %.9f, want %.9f",
				 cases[i].w_est, cwnd, cc.cubic->w_est,
				 cases[i].w_est + cases[i].alpha / cwnd);
	}
}

/*
 * The growth owed per ACK, (target - cwnd) / cwnd segments per segment
 * acknowledged (RFC 9438 4.2), is kept with its fractions: an increase of
 * less than a byte per ACK still adds up.  cwnd 1024 segments of 1024
 * bytes, target W_max = 1024.5 (K = 0, t = 0, so eq. 1 gives W_max):
 * 0.5 / 1024 * 1024 = 0.5 bytes per ACK, exact in binary, so the segment
 * is due after exactly 2048 ACKs.  Then cwnd (1025) is above the target
 * and growth stops.
 */
static void
test_cubic_fractional_growth(void **state)
{
	const uint32_t mss = 1024;
	struct tcp_cc cc = { .cubic = &cc_cubic };
	const uint64_t now = 5000000;
	unsigned int k;

	(void)state;
	tcp_cc_cubic.init(&cc, mss, 10);
	cc.cwnd = 1024 * mss;
	cc.ssthresh = cc.cwnd;
	cc.cubic->epoch_us = now;
	cc.cubic->cwnd_epoch = 1024.0;
	cc.cubic->w_max = 1024.5;
	cc.cubic->k = 0;
	cc.cubic->w_est = 0;		/* out of the way */
	cc.cubic->cwnd_prior = 1024.0;
	/* srtt 1 us: W(t + RTT) - W_max = 0.4e-18, far below 1024's ulp. */
	assert_true(tcp_cubic_window(&cc, 1e-6) == 1024.5);
	for (k = 1; k < 2048; k++) {
		tcp_cc_cubic.on_ack(&cc, mss, now, 1);
		if (cc.cwnd != 1024 * mss)
			fail_msg("grew after %u ACKs", k);
	}
	assert_near(cc.cubic->ca_bytes, 2047 * 0.5, 0, "ca_bytes");
	tcp_cc_cubic.on_ack(&cc, mss, now, 1);
	assert_int_equal(cc.cwnd, 1025 * mss);
	assert_near(cc.cubic->ca_bytes, 0.0, 0, "ca_bytes after");
	for (k = 0; k < 4096; k++)
		tcp_cc_cubic.on_ack(&cc, mss, now, 1);
	assert_int_equal(cc.cwnd, 1025 * mss);

	/* The same growth in ACKs of a quarter segment: four times as many,
	 * same total (0.125 bytes each). */
	cc.cwnd = 1024 * mss;
	cc.cubic->ca_bytes = 0;
	for (k = 1; k < 4 * 2048; k++)
		tcp_cc_cubic.on_ack(&cc, mss / 4, now, 1);
	assert_int_equal(cc.cwnd, 1024 * mss);
	tcp_cc_cubic.on_ack(&cc, mss / 4, now, 1);
	assert_int_equal(cc.cwnd, 1025 * mss);
}

/* Without its own state (TCP's pool was exhausted): CUBIC grows as
 * NewReno does past slow start and still backs off by its beta; init
 * leaves the pointer alone. */
static void
test_cubic_without_state(void **state)
{
	struct tcp_cc cc = { .cubic = NULL };
	struct tcp_cc reno = { .cubic = NULL };
	unsigned int i;

	(void)state;
	tcp_cc_cubic.init(&cc, MSS, 10);
	tcp_cc_newreno.init(&reno, MSS, 10);
	assert_null(cc.cubic);
	cc.ssthresh = reno.ssthresh = 12000;
	for (i = 0; i < 40; i++) {
		tcp_cc_cubic.on_ack(&cc, MSS, 1000000 + i * 1000, 10000);
		tcp_cc_newreno.on_ack(&reno, MSS, 1000000 + i * 1000, 10000);
		assert_int_equal(cc.cwnd, reno.cwnd);
		assert_int_equal(cc.bytes_acked, reno.bytes_acked);
	}
	cc.cwnd = 20 * MSS;
	tcp_cc_cubic.on_loss(&cc, 20 * MSS, 2000000);
	assert_int_equal(cc.ssthresh, 14 * MSS);
	assert_int_equal(cc.cwnd, 14 * MSS);
	tcp_cc_cubic.on_rto(&cc, 14 * MSS, 3000000);
	assert_int_equal(cc.cwnd, MSS);
	assert_null(cc.cubic);
	/* With a block, init zeroes it and keeps it. */
	cc.cubic = &cc_cubic;
	cc_cubic.w_max = 5.0;
	tcp_cc_cubic.init(&cc, MSS, 10);
	assert_ptr_equal(cc.cubic, &cc_cubic);
	assert_true(cc_cubic.w_max == 0.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cc_find),
		cmocka_unit_test(test_cc_init),
		cmocka_unit_test(test_reno_slow_start),
		cmocka_unit_test(test_reno_ss_to_ca),
		cmocka_unit_test(test_reno_congestion_avoidance),
		cmocka_unit_test(test_reno_loss),
		cmocka_unit_test(test_reno_rto),
		cmocka_unit_test(test_cubic_window_formula),
		cmocka_unit_test(test_cubic_loss),
		cmocka_unit_test(test_cubic_fast_convergence),
		cmocka_unit_test(test_cubic_k),
		cmocka_unit_test(test_cubic_after_slow_start),
		cmocka_unit_test(test_cubic_concave_convex),
		cmocka_unit_test(test_cubic_growth_cap),
		cmocka_unit_test(test_cubic_reno_friendly),
		cmocka_unit_test(test_cubic_rto),
		cmocka_unit_test(test_cubic_rto_epoch),
		cmocka_unit_test(test_cubic_alpha_cwnd_prior),
		cmocka_unit_test(test_cubic_fractional_growth),
		cmocka_unit_test(test_cubic_without_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
