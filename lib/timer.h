/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hashed timing wheel, one per lcore (Varghese and Lauck).
 *
 * Arming, cancelling and re-arming are O(1): a timer is an intrusive list
 * node in the slot of its expiry tick.  Timers further away than one turn
 * of the wheel sit in their slot until their tick comes round; the sweep
 * skips them, so the cost stays O(1) amortized per tick.  The wheel is
 * driven from the poll loop with the loop's cached time: no system calls.
 */

#ifndef DPF_TIMER_H
#define DPF_TIMER_H

#include <stdint.h>
#include <stddef.h>
#include <sys/queue.h>

#define TIMER_WHEEL_SLOTS	4096	/* power of two */
#define TIMER_TICK_US		250

struct timer;
typedef void (timer_fn)(struct timer *t, void *arg);

struct timer {
	LIST_ENTRY(timer) link;
	uint64_t expire_tick;
	timer_fn *fn;
	void *arg;
	uint8_t armed;
};

LIST_HEAD(timer_list, timer);

struct timer_wheel {
	uint64_t now_tick;	/* last tick swept */
	uint64_t n_armed;
	struct timer_list slots[TIMER_WHEEL_SLOTS];
};

void
timer_wheel_init(struct timer_wheel *w, uint64_t now_us);

static inline void
timer_init(struct timer *t, timer_fn *fn, void *arg)
{
	t->armed = 0;
	t->fn = fn;
	t->arg = arg;
}

/* (Re)arm t to fire at now_us + delay_us (never earlier than next tick). */
void
timer_arm(struct timer_wheel *w, struct timer *t, uint64_t now_us,
	  uint64_t delay_us);

static inline void
timer_cancel(struct timer_wheel *w, struct timer *t)
{
	if (t->armed) {
		LIST_REMOVE(t, link);
		t->armed = 0;
		w->n_armed--;
	}
}

static inline int
timer_is_armed(const struct timer *t)
{
	return t->armed;
}

/* Fire every timer due at now_us.  A callback may re-arm or cancel any
 * timer, including itself. */
void
timer_wheel_run(struct timer_wheel *w, uint64_t now_us);

#endif /* DPF_TIMER_H */
