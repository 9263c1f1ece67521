/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the hashed timing wheel (timer.h). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "timer.h"

#define tt_of(tp) \
	((struct tt *)((char *)(tp) - offsetof(struct tt, t)))

#define TURN_US	((uint64_t)TIMER_WHEEL_SLOTS * TIMER_TICK_US)

/* Every test timer is one of these: the wheel's timer plus bookkeeping. */
struct tt {
	struct tt_ctx *ctx;
	unsigned int id;
	/* Not first, so that recovering the owner is really tested. */
	struct timer t;
	uint64_t deadline_us;	/* now + delay when armed */
	unsigned int fired;	/* times the callback ran */
	uint64_t fired_at_us;	/* wheel time of the last firing */
	/* What the callback does besides recording. */
	unsigned int rearm_times;	/* re-arm itself this many times */
	uint64_t rearm_delay_us;
	struct tt *cancel_other;	/* cancel this one when fired */
	/* Its own callback: the wheel has one for all (tt_dispatch). */
	timer_fn *fn;
};

struct tt_ctx {
	struct timer_wheel *w;
	uint64_t now_us;	/* time passed to timer_wheel_run */
	unsigned int *order;	/* ids in firing order */
	unsigned int n_order;
	unsigned int max_order;
};

static void
tt_fn(struct timer *t, void *ctx)
{
	struct tt *x = tt_of(t);
	struct tt_ctx *c = ctx;

	/* The wheel hands every callback the context it was run with. */
	assert_ptr_equal(x->ctx, c);
	/* A firing timer is no longer armed. */
	assert_false(timer_is_armed(t));
	x->fired++;
	x->fired_at_us = c->now_us;
	if (c->order != NULL && c->n_order < c->max_order)
		c->order[c->n_order++] = x->id;
	if (x->cancel_other != NULL)
		timer_cancel(c->w, &x->cancel_other->t);
	if (x->rearm_times > 0) {
		x->rearm_times--;
		x->deadline_us = c->now_us + x->rearm_delay_us;
		timer_arm(c->w, t, c->now_us, x->rearm_delay_us);
	}
}

/* The wheel's one callback: each test timer's own. */
static void
tt_dispatch(struct timer *t, void *ctx)
{
	tt_of(t)->fn(t, ctx);
}

static struct timer_wheel *
wheel_new(uint64_t now_us)
{
	struct timer_wheel *w = malloc(sizeof(*w));

	assert_non_null(w);
	timer_wheel_init(w, now_us);
	timer_wheel_set_fn(w, tt_dispatch);
	return w;
}

static void
tt_setup(struct tt *x, struct tt_ctx *c, unsigned int id)
{
	memset(x, 0, sizeof(*x));
	x->ctx = c;
	x->id = id;
	x->fn = tt_fn;
	timer_init(&x->t);
}

static void
tt_arm(struct tt_ctx *c, struct tt *x, uint64_t now_us, uint64_t delay_us)
{
	x->deadline_us = now_us + delay_us;
	timer_arm(c->w, &x->t, now_us, delay_us);
	assert_true(timer_is_armed(&x->t));
}

/* Advance the wheel to now_us. */
static void
run_to(struct tt_ctx *c, uint64_t now_us)
{
	c->now_us = now_us;
	timer_wheel_run(c->w, now_us, c);
}

static void
test_init(void **state)
{
	struct tt_ctx c = { 0 };
	struct tt a;

	(void)state;
	c.w = wheel_new(123456789);
	assert_int_equal(c.w->n_armed, 0);
	assert_int_equal(c.w->now_tick, 123456789 / TIMER_TICK_US);
	tt_setup(&a, &c, 1);
	assert_false(timer_is_armed(&a.t));
	/* Cancelling a timer that was never armed is harmless. */
	timer_cancel(c.w, &a.t);
	assert_int_equal(c.w->n_armed, 0);
	/* Running an empty wheel just moves time on. */
	run_to(&c, 123456789 + 10 * TURN_US);
	assert_int_equal(c.w->now_tick, (123456789 + 10 * TURN_US) /
			 TIMER_TICK_US);
	free(c.w);
}

/* "Armed" is the list linkage: it must follow arm, re-arm, cancel and
 * firing exactly, wherever the timer sits in its slot's list. */
static void
test_armed_state(void **state)
{
	struct tt_ctx c = { 0 };
	struct tt a, b, d;

	(void)state;
	assert_true(sizeof(struct timer) <= 32);
	c.w = wheel_new(0);
	tt_setup(&a, &c, 1);
	tt_setup(&b, &c, 2);
	tt_setup(&d, &c, 3);
	/* Three in one slot: a is last in the list, d first. */
	tt_arm(&c, &a, 0, 10 * TIMER_TICK_US);
	tt_arm(&c, &b, 0, 10 * TIMER_TICK_US);
	tt_arm(&c, &d, 0, 10 * TIMER_TICK_US);
	assert_int_equal(c.w->n_armed, 3);
	/* Re-arming an armed timer moves it; it is counted once. */
	tt_arm(&c, &b, 0, 10 * TIMER_TICK_US);
	assert_int_equal(c.w->n_armed, 3);
	/* Cancel from the middle, the tail and the head of the list. */
	timer_cancel(c.w, &a.t);
	assert_false(timer_is_armed(&a.t));
	assert_true(timer_is_armed(&b.t));
	assert_true(timer_is_armed(&d.t));
	timer_cancel(c.w, &a.t);	/* twice is harmless */
	assert_int_equal(c.w->n_armed, 2);
	timer_cancel(c.w, &b.t);
	assert_false(timer_is_armed(&b.t));
	assert_int_equal(c.w->n_armed, 1);
	run_to(&c, 10 * TIMER_TICK_US);
	assert_int_equal(a.fired + b.fired, 0);
	assert_int_equal(d.fired, 1);
	assert_false(timer_is_armed(&d.t));
	assert_int_equal(c.w->n_armed, 0);
	/* All three work again after being cancelled or fired. */
	tt_arm(&c, &a, c.now_us, TIMER_TICK_US);
	tt_arm(&c, &b, c.now_us, TIMER_TICK_US);
	tt_arm(&c, &d, c.now_us, TIMER_TICK_US);
	run_to(&c, c.now_us + TIMER_TICK_US);
	assert_int_equal(a.fired + b.fired + d.fired, 4);
	assert_int_equal(c.w->n_armed, 0);
	free(c.w);
}

/* Fires at or after the deadline, never before, and within a tick of it
 * when the wheel is driven finely. */
static void
test_deadline(void **state)
{
	static const uint64_t delays[] = {
		0, 1, TIMER_TICK_US - 1, TIMER_TICK_US, TIMER_TICK_US + 1,
		2 * TIMER_TICK_US - 1, 1000, 12345, TURN_US - 1, TURN_US,
		TURN_US + 1, 3 * TURN_US + 777,
	};
	static const uint64_t starts[] = { 0, 1, 249, 250, 1000003 };
	size_t d, s;

	(void)state;
	for (s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		for (d = 0; d < sizeof(delays) / sizeof(delays[0]); d++) {
			struct tt_ctx c = { 0 };
			struct tt a;
			uint64_t now = starts[s];
			uint64_t deadline = starts[s] + delays[d];

			c.w = wheel_new(now);
			tt_setup(&a, &c, 1);
			tt_arm(&c, &a, now, delays[d]);
			assert_int_equal(c.w->n_armed, 1);
			/* Step 1 us at a time around the deadline, coarser
			 * elsewhere. */
			while (a.fired == 0) {
				uint64_t step = 1;

				if (now + 2 * TIMER_TICK_US < deadline)
					step = TIMER_TICK_US / 2;
				now += step;
				run_to(&c, now);
				if (a.fired == 0 && now > deadline +
				    TIMER_TICK_US)
					fail_msg("start %llu delay %llu: not "
						 "fired at %llu",
						 (unsigned long long)starts[s],
						 (unsigned long long)delays[d],
						 (unsigned long long)now);
			}
			assert_int_equal(a.fired, 1);
			if (a.fired_at_us < deadline)
				fail_msg("start %llu delay %llu: fired early "
					 "at %llu",
					 (unsigned long long)starts[s],
					 (unsigned long long)delays[d],
					 (unsigned long long)a.fired_at_us);
			/* Never before the next tick either. */
			assert_true(a.fired_at_us / TIMER_TICK_US >
				    starts[s] / TIMER_TICK_US);
			assert_false(timer_is_armed(&a.t));
			assert_int_equal(c.w->n_armed, 0);
			/* And only once. */
			run_to(&c, now + 3 * TURN_US);
			assert_int_equal(a.fired, 1);
			free(c.w);
		}
	}
}

/*
 * Arming with a "now" older than the wheel's last sweep (the caller's
 * cached time lags) still never fires before now + delay, and the timer
 * is not lost in an already swept slot.
 */
static void
test_arm_in_past(void **state)
{
	struct tt_ctx c = { 0 };
	struct tt a;

	(void)state;
	c.w = wheel_new(0);
	run_to(&c, 100 * TIMER_TICK_US);
	tt_setup(&a, &c, 1);
	/* Due at 10 ticks, which was swept already: next tick. */
	tt_arm(&c, &a, 0, 10 * TIMER_TICK_US);
	run_to(&c, 100 * TIMER_TICK_US + TIMER_TICK_US - 1);
	assert_int_equal(a.fired, 0);
	run_to(&c, 101 * TIMER_TICK_US);
	assert_int_equal(a.fired, 1);
	free(c.w);
}

/* Many random timers driven at random steps: each fires once, never
 * early, in tick order. */
static void
test_random_order(void **state)
{
	enum { N = 5000 };
	unsigned int seed;

	(void)state;
	for (seed = 1; seed <= 8; seed++) {
		struct tt_ctx c = { 0 };
		struct tt *x = calloc(N, sizeof(*x));
		unsigned int *order = calloc(N, sizeof(*order));
		uint64_t *ticks = calloc(N, sizeof(*ticks));
		uint64_t now = 1000000ull * seed + (uint64_t)seed * 37;
		uint64_t prev_tick = 0;
		unsigned int i;

		assert_non_null(x);
		assert_non_null(order);
		assert_non_null(ticks);
		srandom(seed);
		c.w = wheel_new(now);
		c.order = order;
		c.max_order = N;
		for (i = 0; i < N; i++) {
			uint64_t delay;

			switch (random() % 4) {
			case 0:
				delay = (uint64_t)random() % 2000;
				break;
			case 1:
				delay = (uint64_t)random() % TURN_US;
				break;
			default:
				delay = (uint64_t)random() % (5 * TURN_US);
				break;
			}
			tt_setup(&x[i], &c, i);
			tt_arm(&c, &x[i], now, delay);
		}
		assert_int_equal(c.w->n_armed, N);
		while (c.n_order < N) {
			unsigned int before = c.n_order;
			uint64_t expect_armed;

			now += 1 + (uint64_t)random() % (3 * TIMER_TICK_US);
			run_to(&c, now);
			for (i = before; i < c.n_order; i++) {
				struct tt *f = &x[order[i]];

				assert_int_equal(f->fired, 1);
				if (f->fired_at_us < f->deadline_us)
					fail_msg("seed %u timer %u early: "
						 "%llu < %llu", seed, f->id,
						 (unsigned long long)
						 f->fired_at_us,
						 (unsigned long long)
						 f->deadline_us);
				/* Late by less than one tick plus the step. */
				assert_true(f->fired_at_us < f->deadline_us +
					    4 * TIMER_TICK_US);
				/* Expiry ticks never go backwards. */
				assert_true(f->t.expire_tick >= prev_tick);
				prev_tick = f->t.expire_tick;
				ticks[i] = f->t.expire_tick;
			}
			expect_armed = N - c.n_order;
			assert_int_equal(c.w->n_armed, expect_armed);
			assert_true(now < 1000000ull * seed + 6 * TURN_US);
		}
		for (i = 0; i < N; i++)
			assert_int_equal(x[i].fired, 1);
		/* The order is a sort of the expiry ticks. */
		for (i = 1; i < N; i++)
			assert_true(ticks[i - 1] <= ticks[i]);
		free(ticks);
		free(order);
		free(x);
		free(c.w);
	}
}

static void
test_cancel(void **state)
{
	enum { N = 64 };
	struct tt_ctx c = { 0 };
	struct tt x[N];
	unsigned int i;

	(void)state;
	c.w = wheel_new(0);
	for (i = 0; i < N; i++) {
		tt_setup(&x[i], &c, i);
		/* Several per slot, some a turn apart in the same slot. */
		tt_arm(&c, &x[i], 0, (i % 8) * TIMER_TICK_US + TIMER_TICK_US +
		       (i / 32) * TURN_US);
	}
	assert_int_equal(c.w->n_armed, N);
	for (i = 0; i < N; i += 3) {
		timer_cancel(c.w, &x[i].t);
		assert_false(timer_is_armed(&x[i].t));
	}
	/* Cancelling twice changes nothing. */
	timer_cancel(c.w, &x[0].t);
	assert_int_equal(c.w->n_armed, N - (N + 2) / 3);
	run_to(&c, 3 * TURN_US);
	for (i = 0; i < N; i++)
		assert_int_equal(x[i].fired, i % 3 == 0 ? 0 : 1);
	assert_int_equal(c.w->n_armed, 0);

	/* Re-arming an armed timer moves it (counted once). */
	tt_arm(&c, &x[1], 3 * TURN_US, 10 * TIMER_TICK_US);
	tt_arm(&c, &x[1], 3 * TURN_US, 100 * TIMER_TICK_US);
	assert_int_equal(c.w->n_armed, 1);
	run_to(&c, 3 * TURN_US + 99 * TIMER_TICK_US);
	assert_int_equal(x[1].fired, 1);
	run_to(&c, 3 * TURN_US + 100 * TIMER_TICK_US);
	assert_int_equal(x[1].fired, 2);
	assert_int_equal(c.w->n_armed, 0);

	/* Cancel then re-arm. */
	tt_arm(&c, &x[2], c.now_us, 5 * TIMER_TICK_US);
	timer_cancel(c.w, &x[2].t);
	tt_arm(&c, &x[2], c.now_us, 7 * TIMER_TICK_US);
	run_to(&c, c.now_us + 6 * TIMER_TICK_US);
	assert_int_equal(x[2].fired, 1);
	run_to(&c, c.now_us + TIMER_TICK_US);
	assert_int_equal(x[2].fired, 2);
	assert_int_equal(c.w->n_armed, 0);
	free(c.w);
}

/* A callback re-arms itself: short, zero, a full turn (same slot) and
 * more than a turn. */
static void
test_rearm_from_callback(void **state)
{
	static const uint64_t delays[] = {
		0, 1, TIMER_TICK_US, 7 * TIMER_TICK_US, TURN_US - TIMER_TICK_US,
		TURN_US, TURN_US + TIMER_TICK_US, 2 * TURN_US, 5 * TURN_US + 3,
	};
	size_t d;

	(void)state;
	for (d = 0; d < sizeof(delays) / sizeof(delays[0]); d++) {
		struct tt_ctx c = { 0 };
		struct tt a;
		uint64_t now = 5000;
		uint64_t last_deadline;
		unsigned int k;

		c.w = wheel_new(now);
		tt_setup(&a, &c, 1);
		a.rearm_times = 5;
		a.rearm_delay_us = delays[d];
		tt_arm(&c, &a, now, 3 * TIMER_TICK_US);
		for (k = 1; k <= 6; k++) {
			last_deadline = a.deadline_us;
			/* Tick by tick up to the deadline: nothing early. */
			while (now + TIMER_TICK_US < last_deadline) {
				now += TIMER_TICK_US;
				run_to(&c, now);
				assert_int_equal(a.fired, k - 1);
			}
			now = (last_deadline + TIMER_TICK_US - 1) /
				TIMER_TICK_US * TIMER_TICK_US;
			if (now <= c.now_us)
				now = c.now_us + TIMER_TICK_US;
			run_to(&c, now);
			if (a.fired != k)
				fail_msg("delay %llu: firing %u missing",
					 (unsigned long long)delays[d], k);
			assert_true(a.fired_at_us >= last_deadline);
			/* Re-armed from its own callback (5 times). */
			assert_int_equal(timer_is_armed(&a.t), k <= 5);
			assert_int_equal(c.w->n_armed, k <= 5 ? 1 : 0);
		}
		run_to(&c, now + 10 * TURN_US);
		assert_int_equal(a.fired, 6);
		free(c.w);
	}
}

/* Re-arming into the very slot being swept a full turn later must not
 * fire again in the same sweep. */
static void
test_rearm_same_slot(void **state)
{
	struct tt_ctx c = { 0 };
	struct tt a, b;

	(void)state;
	c.w = wheel_new(0);
	tt_setup(&a, &c, 1);
	tt_setup(&b, &c, 2);
	a.rearm_times = 1;
	a.rearm_delay_us = TURN_US;
	/* b shares a's slot a turn later from the start. */
	tt_arm(&c, &a, 0, 10 * TIMER_TICK_US);
	tt_arm(&c, &b, 0, 10 * TIMER_TICK_US + TURN_US);
	run_to(&c, 10 * TIMER_TICK_US);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 0);
	assert_true(timer_is_armed(&a.t));
	assert_int_equal(a.t.expire_tick, b.t.expire_tick);
	assert_int_equal(c.w->n_armed, 2);
	run_to(&c, 10 * TIMER_TICK_US + TURN_US - 1);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 0);
	run_to(&c, 10 * TIMER_TICK_US + TURN_US);
	assert_int_equal(a.fired, 2);
	assert_int_equal(b.fired, 1);
	assert_int_equal(c.w->n_armed, 0);
	free(c.w);
}

/* A due timer's callback cancels another timer due in the same sweep
 * (same slot, and a later slot of the same run). */
static void
test_cancel_due_from_callback(void **state)
{
	struct tt_ctx c = { 0 };
	struct tt a, b, d, e;

	(void)state;
	c.w = wheel_new(0);
	tt_setup(&a, &c, 1);
	tt_setup(&b, &c, 2);
	tt_setup(&d, &c, 3);
	tt_setup(&e, &c, 4);
	/* a and b in the same tick: whichever runs first cancels the other. */
	a.cancel_other = &b;
	b.cancel_other = &a;
	tt_arm(&c, &a, 0, 5 * TIMER_TICK_US);
	tt_arm(&c, &b, 0, 5 * TIMER_TICK_US);
	/* d, earlier, cancels e which is due later in the same run. */
	d.cancel_other = &e;
	tt_arm(&c, &d, 0, 2 * TIMER_TICK_US);
	tt_arm(&c, &e, 0, 8 * TIMER_TICK_US);
	assert_int_equal(c.w->n_armed, 4);
	run_to(&c, 20 * TIMER_TICK_US);
	assert_int_equal(a.fired + b.fired, 1);
	assert_int_equal(d.fired, 1);
	assert_int_equal(e.fired, 0);
	assert_false(timer_is_armed(&a.t));
	assert_false(timer_is_armed(&b.t));
	assert_false(timer_is_armed(&e.t));
	assert_int_equal(c.w->n_armed, 0);
	/* The cancelled ones can be armed again and work. */
	tt_arm(&c, &e, c.now_us, TIMER_TICK_US);
	run_to(&c, c.now_us + TIMER_TICK_US);
	assert_int_equal(e.fired, 1);
	free(c.w);
}

/* A callback re-arming another timer that is also due in this sweep
 * moves it instead of firing it now. */
static void
rearm_other_fn(struct timer *t, void *ctx)
{
	struct tt *x = tt_of(t);
	struct tt_ctx *c = ctx;

	x->fired++;
	if (x->cancel_other != NULL)
		timer_arm(c->w, &x->cancel_other->t, c->now_us, TURN_US);
}

static void
test_rearm_other_due(void **state)
{
	struct tt_ctx c = { 0 };
	struct tt a, b;

	(void)state;
	c.w = wheel_new(0);
	tt_setup(&a, &c, 1);
	tt_setup(&b, &c, 2);
	a.fn = rearm_other_fn;
	b.fn = rearm_other_fn;
	a.cancel_other = &b;
	b.cancel_other = &a;
	tt_arm(&c, &a, 0, 4 * TIMER_TICK_US);
	tt_arm(&c, &b, 0, 4 * TIMER_TICK_US);
	run_to(&c, 4 * TIMER_TICK_US);
	/* The first pushed the second a turn away. */
	assert_int_equal(a.fired + b.fired, 1);
	assert_int_equal(c.w->n_armed, 1);
	run_to(&c, 4 * TIMER_TICK_US + TURN_US - 1);
	assert_int_equal(a.fired + b.fired, 1);
	run_to(&c, 4 * TIMER_TICK_US + TURN_US);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 1);
	/* The second's callback re-armed the first in turn. */
	assert_int_equal(c.w->n_armed, 1);
	free(c.w);
}

/* Time jumps by many turns at once: everything due fires exactly once,
 * the rest stays armed and fires later at its own time. */
static void
test_long_stall(void **state)
{
	enum { N = 3000 };
	static const uint64_t jumps[] = {
		TURN_US - TIMER_TICK_US, TURN_US, TURN_US + TIMER_TICK_US,
		7 * TURN_US + 3, 1000 * TURN_US,
	};
	size_t j;

	(void)state;
	for (j = 0; j < sizeof(jumps) / sizeof(jumps[0]); j++) {
		struct tt_ctx c = { 0 };
		struct tt *x = calloc(N, sizeof(*x));
		uint64_t start = 777 * TIMER_TICK_US + 13;
		uint64_t t1 = start + jumps[j];
		unsigned int i;

		assert_non_null(x);
		srandom((unsigned int)j + 100);
		c.w = wheel_new(start);
		for (i = 0; i < N; i++) {
			uint64_t delay = (uint64_t)random() %
				(jumps[j] + 3 * TURN_US);

			tt_setup(&x[i], &c, i);
			tt_arm(&c, &x[i], start, delay);
		}
		run_to(&c, t1);
		for (i = 0; i < N; i++) {
			uint64_t tick = (x[i].deadline_us + TIMER_TICK_US - 1) /
				TIMER_TICK_US;

			if (tick <= start / TIMER_TICK_US)
				tick = start / TIMER_TICK_US + 1;
			if (tick <= t1 / TIMER_TICK_US) {
				if (x[i].fired != 1)
					fail_msg("jump %zu: timer %u (tick "
						 "%llu) fired %u times", j, i,
						 (unsigned long long)tick,
						 x[i].fired);
			} else {
				assert_int_equal(x[i].fired, 0);
				assert_true(timer_is_armed(&x[i].t));
			}
		}
		/* The rest fire at their time, once. */
		while (c.w->n_armed > 0) {
			run_to(&c, c.now_us + TIMER_TICK_US);
			assert_true(c.now_us < t1 + 4 * TURN_US);
		}
		for (i = 0; i < N; i++) {
			assert_int_equal(x[i].fired, 1);
			assert_true(x[i].fired_at_us >= x[i].deadline_us);
			/* Driven every tick after the stall: late by less
			 * than the rounding up plus one step. */
			if (x[i].fired_at_us > t1)
				assert_true(x[i].fired_at_us <
					    x[i].deadline_us +
					    2 * TIMER_TICK_US);
		}
		free(x);
		free(c.w);
	}
}

/* During a stall, a callback re-arming with its own (current) time
 * lands in the future and fires once in a later run; a periodic timer
 * that re-arms relative to its old deadline catches up in the same run
 * without firing early. */
static void
periodic_fn(struct timer *t, void *ctx)
{
	struct tt *x = tt_of(t);
	struct tt_ctx *c = ctx;

	assert_true(c->now_us >= x->deadline_us);
	x->fired++;
	if (x->rearm_times > 0) {
		x->rearm_times--;
		/* Based on the old deadline, like a periodic tick would. */
		timer_arm(c->w, t, x->deadline_us, x->rearm_delay_us);
		x->deadline_us += x->rearm_delay_us;
	}
}

static void
test_stall_rearm(void **state)
{
	struct tt_ctx c = { 0 };
	struct tt a, p;

	(void)state;
	c.w = wheel_new(0);
	tt_setup(&a, &c, 1);
	a.rearm_times = 1;
	a.rearm_delay_us = 10 * TIMER_TICK_US;
	tt_arm(&c, &a, 0, 5 * TIMER_TICK_US);
	tt_setup(&p, &c, 2);
	p.fn = periodic_fn;
	p.rearm_times = 1000;
	p.rearm_delay_us = 100 * TIMER_TICK_US;
	tt_arm(&c, &p, 0, 100 * TIMER_TICK_US);
	run_to(&c, 3 * TURN_US);
	assert_int_equal(a.fired, 1);
	assert_true(timer_is_armed(&a.t));
	assert_true(a.deadline_us > 3 * TURN_US);
	/* p fired for every period up to now: 3 * 4096 / 100. */
	assert_int_equal(p.fired, 3 * TIMER_WHEEL_SLOTS / 100);
	run_to(&c, 3 * TURN_US + 10 * TIMER_TICK_US);
	assert_int_equal(a.fired, 2);
	assert_int_equal(c.w->n_armed, 1);
	free(c.w);
}

/*
 * The two wheels' invariant: a tick slot holds only timers of its tick
 * due by the end of the next turn (so a sweep skips a timer at most
 * once), a turn slot only timers of its turn due later, the cascade list
 * only the next turn's (or ones a whole wheel of turns away), and every
 * armed timer is in exactly one of them.
 */
static void
check_wheel(const struct timer_wheel *w)
{
	uint64_t cur = w->now_tick >> TIMER_TURN_SHIFT;
	uint64_t n = 0;
	const struct timer *t;
	unsigned int i;

	for (i = 0; i < TIMER_WHEEL_SLOTS; i++) {
		LIST_FOREACH(t, &w->slots[i], link) {
			assert_int_equal(t->expire_tick & (TIMER_WHEEL_SLOTS - 1),
					 i);
			assert_true((t->expire_tick >> TIMER_TURN_SHIFT) <=
				    cur + 1);
			n++;
		}
		LIST_FOREACH(t, &w->turns[i], link) {
			uint64_t turn = t->expire_tick >> TIMER_TURN_SHIFT;

			assert_int_equal(turn & (TIMER_WHEEL_SLOTS - 1), i);
			assert_true(turn >= cur + 2);
			n++;
		}
	}
	LIST_FOREACH(t, &w->cascade, link) {
		uint64_t turn = t->expire_tick >> TIMER_TURN_SHIFT;

		assert_true(turn == cur + 1 ||
			    turn >= cur + 1 + TIMER_WHEEL_SLOTS);
		n++;
	}
	assert_int_equal(n, w->n_armed);
}

/* Timers from a tick to hours away (beyond the wheel of turns), armed,
 * re-armed and cancelled while time moves on in random steps: each
 * fires once, on time, and the invariant holds after every run. */
static void
test_far_timers(void **state)
{
	enum { N = 20000 };
	struct tt_ctx c = { 0 };
	struct tt *x = calloc(N, sizeof(*x));
	uint64_t now = 3 * TURN_US + 5;
	uint64_t end = 0;
	unsigned int i, fired = 0, cancelled = 0;

	(void)state;
	assert_non_null(x);
	srandom(42);
	c.w = wheel_new(now);
	for (i = 0; i < N; i++) {
		uint64_t delay;

		switch (i % 5) {
		case 0:
			delay = (uint64_t)random() % TURN_US;
			break;
		case 1:
			delay = (uint64_t)random() % (3 * TURN_US);
			break;
		case 2:	/* an idle timeout, a minute or so */
			delay = 60000000 + (uint64_t)random() % 1000000;
			break;
		case 3:
			delay = (uint64_t)random() % (200 * TURN_US);
			break;
		default:	/* beyond the wheel of turns */
			delay = (TIMER_WHEEL_SLOTS + 1) * TURN_US +
				(uint64_t)random() % (3 * TURN_US);
			break;
		}
		tt_setup(&x[i], &c, i);
		tt_arm(&c, &x[i], now, delay);
		if (x[i].deadline_us > end)
			end = x[i].deadline_us;
	}
	check_wheel(c.w);
	while (c.w->n_armed > 0) {
		now += 1 + (uint64_t)random() % (TURN_US / 3);
		run_to(&c, now);
		check_wheel(c.w);
		/* Now and then move one not yet fired, or cancel one. */
		i = (unsigned int)random() % N;
		if (timer_is_armed(&x[i].t)) {
			if (random() % 2) {
				timer_cancel(c.w, &x[i].t);
				x[i].fired = 1000;	/* never fires */
				cancelled++;
			} else {
				tt_arm(&c, &x[i], now,
				       (uint64_t)random() % (5 * TURN_US));
			}
		}
		assert_true(now < end + 2 * TURN_US);
	}
	for (i = 0; i < N; i++) {
		if (x[i].fired == 1000)
			continue;
		assert_int_equal(x[i].fired, 1);
		fired++;
		if (x[i].fired_at_us < x[i].deadline_us)
			fail_msg("timer %u early: %llu < %llu", i,
				 (unsigned long long)x[i].fired_at_us,
				 (unsigned long long)x[i].deadline_us);
		assert_true(x[i].fired_at_us < x[i].deadline_us + TURN_US / 3 +
			    2 * TIMER_TICK_US);
	}
	assert_int_equal(fired + cancelled, N);
	free(x);
	free(c.w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_armed_state),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_arm_in_past),
		cmocka_unit_test(test_random_order),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_rearm_from_callback),
		cmocka_unit_test(test_rearm_same_slot),
		cmocka_unit_test(test_cancel_due_from_callback),
		cmocka_unit_test(test_rearm_other_due),
		cmocka_unit_test(test_long_stall),
		cmocka_unit_test(test_stall_rearm),
		cmocka_unit_test(test_far_timers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
