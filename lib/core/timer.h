/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hashed timing wheel, one per lcore (Varghese and Lauck).
 *
 * Arming, cancelling and re-arming are O(1): a timer is an intrusive list
 * node in the slot of its expiry tick.  Timers further away than one turn
 * of the wheel sit in their slot until their tick comes round; the sweep
 * skips them, so the cost stays O(1) amortized per tick.  The wheel is
 * driven from the poll loop with the loop's cached time: no system calls.
 *
 * Timers due beyond the next turn wait in a second wheel of turns
 * instead (TIMER_WHEEL_SLOTS turns, 70 minutes; later ones come round
 * again), and move into the first wheel a few per tick during the turn
 * before theirs.  So the sweep skips each timer at most once: with
 * millions of connections each holding an idle timer a minute away, a
 * single wheel would visit every one of them once per turn (4 million
 * cache misses a second at 4 million connections).
 *
 * A timer is 24 bytes because there is one per connection: it keeps no
 * argument and no callback of its own.  The wheel has one callback for
 * all its timers (TCP's, set by tcp_stack_init); the owner finds its
 * object from the timer (container_of) and the lcore from the context
 * given to timer_wheel_run; "armed" is whether the timer is linked into
 * a slot.
 */

#ifndef DPF_TIMER_H
#define DPF_TIMER_H

#include <stdint.h>
#include <stddef.h>
#include <sys/queue.h>

#define TIMER_WHEEL_SLOTS	4096	/* power of two */
#define TIMER_TICK_US		250
#define TIMER_TURN_SHIFT	12	/* log2(TIMER_WHEEL_SLOTS) */
/* Timers moved from the wheel of turns per tick, at least (what is left
 * at the end of the turn moves at once). */
#define TIMER_CASCADE_BATCH	256

struct timer;
/* ctx is what timer_wheel_run was given (the worker, for TCP). */
typedef void (timer_fn)(struct timer *t, void *ctx);

struct timer {
	LIST_ENTRY(timer) link;	/* link.le_prev == NULL: not armed */
	uint64_t expire_tick;
};

/* One per connection: keep it small. */
_Static_assert(sizeof(struct timer) <= 24, "struct timer grew");

LIST_HEAD(timer_list, timer);

struct timer_wheel {
	uint64_t now_tick;	/* last tick swept */
	uint64_t n_armed;
	/* What every timer of this wheel runs when due (NULL: nothing). */
	timer_fn *fn;
	/* Timers due in this turn or the next, by tick. */
	struct timer_list slots[TIMER_WHEEL_SLOTS];
	/* Timers due in later turns, by turn. */
	struct timer_list turns[TIMER_WHEEL_SLOTS];
	/* The next turn's, taken out of turns[] at the start of this one
	 * and moving into slots[] during it. */
	struct timer_list cascade;
};

_Static_assert(TIMER_WHEEL_SLOTS == 1u << TIMER_TURN_SHIFT,
	       "TIMER_TURN_SHIFT is log2(TIMER_WHEEL_SLOTS)");

void
timer_wheel_init(struct timer_wheel *w, uint64_t now_us);

/* The callback of every timer of w, from now on. */
static inline void
timer_wheel_set_fn(struct timer_wheel *w, timer_fn *fn)
{
	w->fn = fn;
}

static inline void
timer_init(struct timer *t)
{
	t->link.le_next = NULL;
	t->link.le_prev = NULL;
	t->expire_tick = 0;
}

static inline int
timer_is_armed(const struct timer *t)
{
	return t->link.le_prev != NULL;
}

/* (Re)arm t to fire at now_us + delay_us (never earlier than next tick). */
void
timer_arm(struct timer_wheel *w, struct timer *t, uint64_t now_us,
	  uint64_t delay_us);

/* The tick timer_arm(w, t, now_us, delay_us) would fire at (before the
 * next-tick floor). */
static inline uint64_t
timer_tick_of(uint64_t now_us, uint64_t delay_us)
{
	return (now_us + delay_us + TIMER_TICK_US - 1) / TIMER_TICK_US;
}

/* (Re)arm t to fire at tick (never earlier than the next one). */
void
timer_arm_tick(struct timer_wheel *w, struct timer *t, uint64_t tick);

static inline void
timer_cancel(struct timer_wheel *w, struct timer *t)
{
	if (timer_is_armed(t)) {
		LIST_REMOVE(t, link);
		t->link.le_prev = NULL;
		w->n_armed--;
	}
}

/* Fire every timer due at now_us, calling w->fn(t, ctx).  A callback may
 * re-arm or cancel any timer, including itself. */
void
timer_wheel_run(struct timer_wheel *w, uint64_t now_us, void *ctx);

#endif /* DPF_TIMER_H */
