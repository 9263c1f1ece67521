/* SPDX-License-Identifier: BSD-3-Clause */
#include "timer.h"

void
timer_wheel_init(struct timer_wheel *w, uint64_t now_us)
{
	unsigned int i;

	w->now_tick = now_us / TIMER_TICK_US;
	w->n_armed = 0;
	for (i = 0; i < TIMER_WHEEL_SLOTS; i++)
		LIST_INIT(&w->slots[i]);
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
	LIST_INSERT_HEAD(&w->slots[tick & (TIMER_WHEEL_SLOTS - 1)], t, link);
	w->n_armed++;
}

void
timer_wheel_run(struct timer_wheel *w, uint64_t now_us, void *ctx)
{
	uint64_t target = now_us / TIMER_TICK_US;

	/* After a long stall sweep one turn at most: that visits every slot. */
	if (target - w->now_tick > TIMER_WHEEL_SLOTS)
		w->now_tick = target - TIMER_WHEEL_SLOTS;
	while (w->now_tick < target) {
		struct timer_list *slot;
		struct timer_list due;
		struct timer *t, *next;

		w->now_tick++;
		if (w->n_armed == 0) {
			w->now_tick = target;
			break;
		}
		slot = &w->slots[w->now_tick & (TIMER_WHEEL_SLOTS - 1)];
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
			t->fn(t, ctx);
		}
	}
}
