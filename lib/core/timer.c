/* SPDX-License-Identifier: BSD-3-Clause */
#include "timer.h"

#define SLOT_MASK	(TIMER_WHEEL_SLOTS - 1)

static inline uint64_t
turn_of(uint64_t tick)
{
	return tick >> TIMER_TURN_SHIFT;
}

void
timer_wheel_init(struct timer_wheel *w, uint64_t now_us)
{
	unsigned int i;

	w->now_tick = now_us / TIMER_TICK_US;
	w->n_armed = 0;
	w->fn = NULL;
	for (i = 0; i < TIMER_WHEEL_SLOTS; i++) {
		LIST_INIT(&w->slots[i]);
		LIST_INIT(&w->turns[i]);
	}
	LIST_INIT(&w->cascade);
}

/* Link t where its expiry belongs: a tick slot if it is due by the end
 * of the next turn, else the slot of its turn. */
static void
timer_place(struct timer_wheel *w, struct timer *t)
{
	struct timer_list *l;

	if (turn_of(t->expire_tick) <= turn_of(w->now_tick) + 1)
		l = &w->slots[t->expire_tick & SLOT_MASK];
	else
		l = &w->turns[turn_of(t->expire_tick) & SLOT_MASK];
	LIST_INSERT_HEAD(l, t, link);
}

/* Move up to max timers (all: UINT64_MAX) from the cascade list to
 * where they belong now. */
static void
timer_cascade(struct timer_wheel *w, uint64_t max)
{
	struct timer *t;

	while (max-- > 0 && (t = LIST_FIRST(&w->cascade)) != NULL) {
		LIST_REMOVE(t, link);
		timer_place(w, t);
	}
}

/* Take a list's timers out into the cascade list (emptied first): a
 * timer a whole wheel of turns away goes back where it came from, so it
 * must not be read back from the same list. */
static void
timer_take(struct timer_wheel *w, struct timer_list *from)
{
	timer_cascade(w, UINT64_MAX);
	w->cascade.lh_first = from->lh_first;
	if (w->cascade.lh_first != NULL)
		w->cascade.lh_first->link.le_prev = &w->cascade.lh_first;
	LIST_INIT(from);
}

void
timer_arm(struct timer_wheel *w, struct timer *t, uint64_t now_us,
	  uint64_t delay_us)
{
	timer_arm_tick(w, t, timer_tick_of(now_us, delay_us));
}

void
timer_arm_tick(struct timer_wheel *w, struct timer *t, uint64_t tick)
{
	timer_cancel(w, t);
	/* Slots up to now_tick were swept already. */
	if (tick <= w->now_tick)
		tick = w->now_tick + 1;
	t->expire_tick = tick;
	timer_place(w, t);
	w->n_armed++;
}

/* A stall skipped turns: what waited in turns[] for them must be in the
 * tick slots now.  Rare (a second or more without running), so simply
 * every list of turns is refiled. */
static void
timer_refile_turns(struct timer_wheel *w)
{
	unsigned int i;

	for (i = 0; i < TIMER_WHEEL_SLOTS; i++) {
		if (LIST_EMPTY(&w->turns[i]))
			continue;
		timer_take(w, &w->turns[i]);
		timer_cascade(w, UINT64_MAX);
	}
	timer_cascade(w, UINT64_MAX);
}

void
timer_wheel_run(struct timer_wheel *w, uint64_t now_us, void *ctx)
{
	uint64_t target = now_us / TIMER_TICK_US;

	/* After a long stall sweep one turn at most: that visits every slot. */
	if (target - w->now_tick > TIMER_WHEEL_SLOTS) {
		w->now_tick = target - TIMER_WHEEL_SLOTS;
		timer_refile_turns(w);
	}
	while (w->now_tick < target) {
		struct timer_list *slot;
		struct timer_list due;
		struct timer *t, *next;

		w->now_tick++;
		if (w->n_armed == 0) {
			w->now_tick = target;
			break;
		}
		/* A new turn: the rest of this turn's timers join the tick
		 * slots, and the next turn's start moving there. */
		if ((w->now_tick & SLOT_MASK) == 0)
			timer_take(w, &w->turns[(turn_of(w->now_tick) + 1) &
						SLOT_MASK]);
		timer_cascade(w, TIMER_CASCADE_BATCH);
		slot = &w->slots[w->now_tick & SLOT_MASK];
		/* Move what is due aside first: callbacks may re-arm into
		 * this very slot or cancel another due timer (which simply
		 * unlinks it from the due list: it stays armed while there). */
		LIST_INIT(&due);
		for (t = LIST_FIRST(slot); t != NULL; t = next) {
			next = LIST_NEXT(t, link);
			if (t->expire_tick > target)
				continue;
			LIST_REMOVE(t, link);
			LIST_INSERT_HEAD(&due, t, link);
		}
		while ((t = LIST_FIRST(&due)) != NULL) {
			LIST_REMOVE(t, link);
			t->link.le_prev = NULL;
			w->n_armed--;
			if (w->fn != NULL)
				w->fn(t, ctx);
		}
	}
}
