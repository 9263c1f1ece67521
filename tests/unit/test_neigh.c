/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the ARP neighbour cache (neigh.h). */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "neigh.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	 ((uint32_t)(c) << 8) | (uint32_t)(d))

#define MAX_EVENTS	256

/* What the ops were asked to do, in order. */
struct fake {
	uint64_t now_ms;	/* set by the test before each call */
	unsigned int n_req;
	struct {
		uint32_t ip;
		uint8_t addr[NEIGH_ADDR_LEN];
		int has_hint;
		uint8_t hint[6];
		uint64_t at_ms;
	} req[MAX_EVENTS];
	unsigned int n_sent;
	struct {
		void *pkt;
		uint8_t mac[6];
	} sent[MAX_EVENTS];
	unsigned int n_dropped;
	void *dropped[MAX_EVENTS];
	unsigned int n_failed;
	uint32_t failed[MAX_EVENTS];
	unsigned int bad_ctx;
};

static struct fake *the_fake;

static struct fake *
fake_of(void *ctx)
{
	if (ctx != the_fake)
		the_fake->bad_ctx++;
	return the_fake;
}

static void
fake_send_request(void *ctx, const uint8_t *addr, const uint8_t *mac_hint)
{
	struct fake *f = fake_of(ctx);
	uint32_t ip = neigh_addr_to_ipv4(addr);

	assert_true(f->n_req < MAX_EVENTS);
	f->req[f->n_req].ip = ip;
	memcpy(f->req[f->n_req].addr, addr, NEIGH_ADDR_LEN);
	f->req[f->n_req].has_hint = mac_hint != NULL;
	if (mac_hint != NULL)
		memcpy(f->req[f->n_req].hint, mac_hint, 6);
	f->req[f->n_req].at_ms = f->now_ms;
	f->n_req++;
}

static void
fake_send_held(void *ctx, void *pkt, const uint8_t *mac)
{
	struct fake *f = fake_of(ctx);

	assert_true(f->n_sent < MAX_EVENTS);
	f->sent[f->n_sent].pkt = pkt;
	memcpy(f->sent[f->n_sent].mac, mac, 6);
	f->n_sent++;
}

static void
fake_drop_held(void *ctx, void *pkt)
{
	struct fake *f = fake_of(ctx);

	assert_true(f->n_dropped < MAX_EVENTS);
	f->dropped[f->n_dropped++] = pkt;
}

static void
fake_failed(void *ctx, const uint8_t *addr)
{
	struct fake *f = fake_of(ctx);
	uint32_t ip = neigh_addr_to_ipv4(addr);

	assert_true(f->n_failed < MAX_EVENTS);
	f->failed[f->n_failed++] = ip;
}

static const struct neigh_ops fake_ops = {
	.send_request = fake_send_request,
	.send_held = fake_send_held,
	.drop_held = fake_drop_held,
	.failed = fake_failed,
};

/* A table and its fake, allocated per test. */
struct fixture {
	struct neigh_table t;
	struct neigh_entry entries[64];
	struct fake f;
};

static int
setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return -1;
	the_fake = &x->f;
	/* 3 tries 100 ms apart, answers trusted 1 s. */
	if (neigh_init(&x->t, x->entries, 16, 3, 100, 1000, &fake_ops) != 0)
		return -1;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *x = *state;

	assert_int_equal(x->f.bad_ctx, 0);
	the_fake = NULL;
	free(x);
	return 0;
}

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xaa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xbb };

static void
test_init(void **state)
{
	struct fixture *x = *state;
	static const uint32_t bad[] = { 0, 1, 3, 6, 12, 17 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(neigh_init(&x->t, x->entries, bad[i], 3, 100,
					    1000, &fake_ops), -1);
	assert_int_equal(neigh_init(&x->t, x->entries, 2, 3, 100, 1000,
				    &fake_ops), 0);
	assert_int_equal(x->t.size, 2);
	assert_int_equal(neigh_init(&x->t, x->entries, 64, 3, 100, 1000,
				    &fake_ops), 0);
	assert_int_equal(x->t.count, 0);
	for (i = 0; i < 64; i++)
		assert_int_equal(x->entries[i].state, NEIGH_FREE);
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 1)));
	assert_int_equal(neigh_delete(&x->t, IP(10, 0, 0, 1), &x->f), -1);

	assert_string_equal(neigh_state_name(NEIGH_FREE), "free");
	assert_string_equal(neigh_state_name(NEIGH_INCOMPLETE), "incomplete");
	assert_string_equal(neigh_state_name(NEIGH_REACHABLE), "reachable");
	assert_string_equal(neigh_state_name(NEIGH_STALE), "stale");
	assert_string_equal(neigh_state_name(NEIGH_DELAY), "delay");
	assert_string_equal(neigh_state_name(NEIGH_FAILED), "failed");
}

/* No ops at all (NULL) must not crash anything. */
static void
test_null_ops(void **state)
{
	struct fixture *x = *state;
	uint8_t mac[6];
	int pkt;

	assert_int_equal(neigh_init(&x->t, x->entries, 8, 2, 10, 100, NULL),
			 0);
	assert_int_equal(neigh_output(&x->t, IP(10, 0, 0, 1), 0, &pkt, mac,
				      NULL), 0);
	neigh_timer(&x->t, 10, NULL);
	neigh_timer(&x->t, 20, NULL);
	assert_int_equal(neigh_lookup(&x->t, IP(10, 0, 0, 1))->state,
			 NEIGH_FAILED);
	assert_int_equal(neigh_output(&x->t, IP(10, 0, 0, 2), 20, &pkt, mac,
				      NULL), 0);
	assert_non_null(neigh_update(&x->t, IP(10, 0, 0, 2), mac_a, 21, 0,
				     NULL));
	assert_int_equal(neigh_delete(&x->t, IP(10, 0, 0, 1), NULL), 0);
}

/* Static entries: not aged, not relearnt from ARP, deleted by hand. */
static void
test_static_entry(void **state)
{
	struct fixture *x = *state;
	struct neigh_entry *e;
	uint8_t mac[6];
	int pkt;

	/* A packet waiting for the address is sent when it is set. */
	assert_int_equal(neigh_output(&x->t, IP(10, 0, 0, 9), 0, &pkt, mac,
				      &x->f), 0);
	e = neigh_add_static(&x->t, IP(10, 0, 0, 9), mac_a, 1, &x->f);
	assert_non_null(e);
	assert_int_equal(e->is_static, 1);
	assert_int_equal(x->f.n_sent, 1);
	assert_ptr_equal(x->f.sent[0].pkt, &pkt);
	assert_memory_equal(x->f.sent[0].mac, mac_a, 6);
	/* ARP says otherwise: ignored. */
	assert_ptr_equal(neigh_update(&x->t, IP(10, 0, 0, 9), mac_b, 2, 0,
				      &x->f), e);
	assert_memory_equal(e->mac, mac_a, 6);
	/* Long past reachable_ms and the stale GC: still there, usable. */
	neigh_timer(&x->t, 100000000, &x->f);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 0, 9), 100000001,
				       mac, &x->f), 1);
	assert_memory_equal(mac, mac_a, 6);
	assert_int_equal(x->f.n_req, 1);	/* only the first request */
	/* Replacing it is allowed; deleting removes it. */
	assert_non_null(neigh_add_static(&x->t, IP(10, 0, 0, 9), mac_b,
					 100000002, &x->f));
	assert_memory_equal(neigh_lookup(&x->t, IP(10, 0, 0, 9))->mac, mac_b,
			    6);
	assert_int_equal(neigh_delete(&x->t, IP(10, 0, 0, 9), &x->f), 0);
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 9)));
}

static void
test_update_create(void **state)
{
	struct fixture *x = *state;
	struct neigh_entry *e;
	uint8_t mac[6];

	/* create = 0 does not add (RFC 826 merge only). */
	assert_null(neigh_update(&x->t, IP(10, 0, 0, 1), mac_a, 5, 0,
				 &x->f));
	assert_int_equal(x->t.count, 0);
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 1)));

	e = neigh_update(&x->t, IP(10, 0, 0, 1), mac_a, 5, 1, &x->f);
	assert_non_null(e);
	assert_ptr_equal(neigh_lookup(&x->t, IP(10, 0, 0, 1)), e);
	assert_int_equal(neigh_addr_to_ipv4(e->addr), IP(10, 0, 0, 1));
	assert_true(neigh_addr_is_ipv4(e->addr));
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_memory_equal(e->mac, mac_a, 6);
	assert_int_equal(x->t.count, 1);

	/* Known now: create = 0 merges a new MAC. */
	assert_ptr_equal(neigh_update(&x->t, IP(10, 0, 0, 1), mac_b, 6, 0,
				      &x->f), e);
	assert_memory_equal(e->mac, mac_b, 6);
	assert_int_equal(x->t.count, 1);

	memset(mac, 0, sizeof(mac));
	assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 0, 1), 7, mac,
				       &x->f), 1);
	assert_memory_equal(mac, mac_b, 6);
	assert_int_equal(x->f.n_req, 0);
	assert_int_equal(x->f.n_sent, 0);
}

static void
test_resolve_hold_release(void **state)
{
	struct fixture *x = *state;
	uint32_t ip = IP(192, 168, 1, 20);
	int pkts[NEIGH_MAX_HELD + 2];
	struct neigh_entry *e;
	uint8_t mac[6];
	unsigned int i;

	x->f.now_ms = 1000;
	assert_int_equal(neigh_resolve(&x->t, ip, 1000, mac, &x->f), 0);
	assert_int_equal(x->f.n_req, 1);
	assert_int_equal(x->f.req[0].ip, ip);
	assert_false(x->f.req[0].has_hint);	/* broadcast */
	e = neigh_lookup(&x->t, ip);
	assert_non_null(e);
	assert_int_equal(e->state, NEIGH_INCOMPLETE);
	/* A second resolve while under way asks nothing more. */
	assert_int_equal(neigh_resolve(&x->t, ip, 1001, mac, &x->f), 0);
	assert_int_equal(x->f.n_req, 1);

	/* Hold up to NEIGH_MAX_HELD packets. */
	for (i = 0; i < NEIGH_MAX_HELD; i++)
		assert_int_equal(neigh_output(&x->t, ip, 1002, &pkts[i], mac,
					      &x->f), 0);
	assert_int_equal(e->n_held, NEIGH_MAX_HELD);
	/* One more: the caller must drop it; nothing is called for it. */
	assert_int_equal(neigh_output(&x->t, ip, 1003, &pkts[NEIGH_MAX_HELD],
				      mac, &x->f), -1);
	assert_int_equal(e->n_held, NEIGH_MAX_HELD);
	assert_int_equal(x->f.n_dropped, 0);
	assert_int_equal(x->f.n_req, 1);

	/* The answer releases them all, in order, with the MAC. */
	assert_ptr_equal(neigh_update(&x->t, ip, mac_a, 1010, 0, &x->f), e);
	assert_int_equal(x->f.n_sent, NEIGH_MAX_HELD);
	for (i = 0; i < NEIGH_MAX_HELD; i++) {
		assert_ptr_equal(x->f.sent[i].pkt, &pkts[i]);
		assert_memory_equal(x->f.sent[i].mac, mac_a, 6);
	}
	assert_int_equal(e->n_held, 0);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(e->probes, 0);

	/* Now output returns the MAC straight away. */
	memset(mac, 0, sizeof(mac));
	assert_int_equal(neigh_output(&x->t, ip, 1011, &pkts[0], mac, &x->f),
			 1);
	assert_memory_equal(mac, mac_a, 6);
	assert_int_equal(e->n_held, 0);
	/* A second answer sends nothing again. */
	neigh_update(&x->t, ip, mac_a, 1012, 0, &x->f);
	assert_int_equal(x->f.n_sent, NEIGH_MAX_HELD);
	assert_int_equal(x->f.n_dropped, 0);
	assert_int_equal(x->f.n_failed, 0);

	/* neigh_output on an unknown address starts the resolution. */
	assert_int_equal(neigh_output(&x->t, ip + 1, 1013, &pkts[1], mac,
				      &x->f), 0);
	assert_int_equal(x->f.n_req, 2);
	assert_int_equal(neigh_lookup(&x->t, ip + 1)->n_held, 1);
	/* Deleting drops what it holds. */
	assert_int_equal(neigh_delete(&x->t, ip + 1, &x->f), 0);
	assert_int_equal(x->f.n_dropped, 1);
	assert_ptr_equal(x->f.dropped[0], &pkts[1]);
	assert_null(neigh_lookup(&x->t, ip + 1));
	assert_int_equal(x->t.count, 1);
}

/* retries requests retry_ms apart, then failed + drop_held, FAILED for
 * NEIGH_FAILED_KEEP_MS, then freed. */
static void
test_retries_fail(void **state)
{
	struct fixture *x = *state;
	uint32_t ip = IP(10, 1, 2, 3);
	int pkts[3];
	struct neigh_entry *e;
	uint64_t t0 = 50000, now, fail_at = 0;
	uint8_t mac[6];
	unsigned int i;

	x->f.now_ms = t0;
	for (i = 0; i < 3; i++)
		assert_int_equal(neigh_output(&x->t, ip, t0, &pkts[i], mac,
					      &x->f), 0);
	/* Drive the timer every millisecond. */
	for (now = t0; now <= t0 + 1000; now++) {
		x->f.now_ms = now;
		neigh_timer(&x->t, now, &x->f);
		if (x->f.n_failed > 0 && fail_at == 0)
			fail_at = now;
	}
	assert_int_equal(x->f.n_req, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(x->f.req[i].ip, ip);
		assert_false(x->f.req[i].has_hint);
		assert_int_equal(x->f.req[i].at_ms, t0 + 100 * i);
	}
	/* The last request gets its retry_ms too. */
	assert_int_equal(fail_at, t0 + 300);
	assert_int_equal(x->f.n_failed, 1);
	assert_int_equal(x->f.failed[0], ip);
	assert_int_equal(x->f.n_dropped, 3);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(x->f.dropped[i], &pkts[i]);
	assert_int_equal(x->f.n_sent, 0);

	e = neigh_lookup(&x->t, ip);
	assert_non_null(e);
	assert_int_equal(e->state, NEIGH_FAILED);
	assert_int_equal(e->n_held, 0);
	/* While FAILED: callers see the failure and nothing is asked. */
	assert_int_equal(neigh_resolve(&x->t, ip, t0 + 1001, mac, &x->f), -1);
	assert_int_equal(neigh_output(&x->t, ip, t0 + 1001, &pkts[0], mac,
				      &x->f), -1);
	assert_int_equal(x->f.n_req, 3);
	assert_int_equal(x->f.n_dropped, 3);
	/* Freed NEIGH_FAILED_KEEP_MS after failing. */
	neigh_timer(&x->t, fail_at + NEIGH_FAILED_KEEP_MS - 1, &x->f);
	assert_non_null(neigh_lookup(&x->t, ip));
	neigh_timer(&x->t, fail_at + NEIGH_FAILED_KEEP_MS, &x->f);
	assert_null(neigh_lookup(&x->t, ip));
	assert_int_equal(x->t.count, 0);
	assert_int_equal(x->f.n_failed, 1);

	/* Then a new resolution may start. */
	now = fail_at + NEIGH_FAILED_KEEP_MS + 1;
	x->f.now_ms = now;
	assert_int_equal(neigh_resolve(&x->t, ip, now, mac, &x->f), 0);
	assert_int_equal(x->f.n_req, 4);

	/* An answer while FAILED revives the entry. */
	for (now++; x->f.n_failed < 2; now += 10) {
		x->f.now_ms = now;
		neigh_timer(&x->t, now, &x->f);
	}
	assert_int_equal(neigh_lookup(&x->t, ip)->state, NEIGH_FAILED);
	e = neigh_update(&x->t, ip, mac_b, now, 0, &x->f);
	assert_non_null(e);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(neigh_resolve(&x->t, ip, now, mac, &x->f), 1);
	assert_memory_equal(mac, mac_b, 6);
}

/* A coarse timer (called less often than retry_ms) still spaces the
 * requests by at least retry_ms and sends exactly retries of them. */
static void
test_retries_coarse_timer(void **state)
{
	struct fixture *x = *state;
	uint32_t ip = IP(10, 9, 9, 9);
	uint64_t now;
	uint8_t mac[6];
	unsigned int i;

	x->t.retries = 5;
	x->f.now_ms = 0;
	assert_int_equal(neigh_resolve(&x->t, ip, 0, mac, &x->f), 0);
	for (now = 0; now < 5000; now += 37) {
		x->f.now_ms = now;
		neigh_timer(&x->t, now, &x->f);
	}
	assert_int_equal(x->f.n_req, 5);
	for (i = 1; i < 5; i++)
		assert_true(x->f.req[i].at_ms - x->f.req[i - 1].at_ms >= 100);
	assert_int_equal(x->f.n_failed, 1);
	assert_null(neigh_lookup(&x->t, ip));
}

/* REACHABLE turns STALE after reachable_ms; a STALE entry is still used,
 * its first use starts DELAY, and without a confirmation in
 * NEIGH_DELAY_FIRST_PROBE_MS it is probed by unicast to the old MAC
 * (RFC 4861 7.3.3). */
static void
test_stale_reprobe(void **state)
{
	struct fixture *x = *state;
	uint32_t ip = IP(10, 0, 0, 77);
	struct neigh_entry *e;
	uint8_t mac[6];
	uint64_t t0;
	unsigned int i;

	e = neigh_update(&x->t, ip, mac_a, 10000, 1, &x->f);
	assert_non_null(e);
	neigh_timer(&x->t, 10999, &x->f);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	neigh_timer(&x->t, 11000, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(x->f.n_req, 0);

	/* Use: the MAC comes back, and DELAY starts; no probe yet. */
	x->f.now_ms = 11500;
	memset(mac, 0, sizeof(mac));
	assert_int_equal(neigh_resolve(&x->t, ip, 11500, mac, &x->f), 1);
	assert_memory_equal(mac, mac_a, 6);
	assert_int_equal(e->state, NEIGH_DELAY);
	assert_int_equal(x->f.n_req, 0);
	/* More uses send nothing; output does not hold. */
	assert_int_equal(neigh_output(&x->t, ip, 11550, (void *)1, mac,
				      &x->f), 1);
	assert_memory_equal(mac, mac_a, 6);
	assert_int_equal(e->n_held, 0);
	neigh_timer(&x->t, 11500 + NEIGH_DELAY_FIRST_PROBE_MS - 1, &x->f);
	assert_int_equal(e->state, NEIGH_DELAY);
	assert_int_equal(x->f.n_req, 0);
	/* No confirmation came: the timer asks, unicast. */
	t0 = 11500 + NEIGH_DELAY_FIRST_PROBE_MS;
	x->f.now_ms = t0;
	neigh_timer(&x->t, t0, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(e->probes, 1);
	assert_int_equal(x->f.n_req, 1);
	assert_int_equal(x->f.req[0].ip, ip);
	assert_true(x->f.req[0].has_hint);
	assert_memory_equal(x->f.req[0].hint, mac_a, 6);

	/* The answer: REACHABLE again, no more probes. */
	assert_ptr_equal(neigh_update(&x->t, ip, mac_a, t0 + 60, 0, &x->f),
			 e);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(e->probes, 0);
	assert_int_equal(neigh_resolve(&x->t, ip, t0 + 100, mac, &x->f), 1);
	assert_int_equal(x->f.n_req, 1);

	/* STALE again, used, and this time nobody answers: the timer's
	 * probe after DELAY, then each use after retry_ms probes again
	 * (unicast), up to retries, then FAILED. */
	neigh_timer(&x->t, t0 + 1060, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(neigh_resolve(&x->t, ip, t0 + 1100, mac, &x->f), 1);
	assert_int_equal(e->state, NEIGH_DELAY);
	t0 += 1100 + NEIGH_DELAY_FIRST_PROBE_MS;
	x->f.now_ms = t0;
	neigh_timer(&x->t, t0, &x->f);
	assert_int_equal(x->f.n_req, 2);
	for (i = 1; i < 3; i++) {
		uint64_t now = t0 + 100 * i;

		x->f.now_ms = now;
		assert_int_equal(neigh_resolve(&x->t, ip, now, mac, &x->f), 1);
		assert_memory_equal(mac, mac_a, 6);
		assert_int_equal(x->f.n_req, 2 + i);
		assert_true(x->f.req[1 + i].has_hint);
		assert_memory_equal(x->f.req[1 + i].hint, mac_a, 6);
		neigh_timer(&x->t, now + 99, &x->f);
		assert_int_equal(e->state, NEIGH_STALE);
	}
	assert_int_equal(neigh_resolve(&x->t, ip, t0 + 300, mac, &x->f), -1);
	assert_int_equal(e->state, NEIGH_FAILED);
	assert_int_equal(x->f.n_req, 4);
	neigh_timer(&x->t, t0 + 300 + NEIGH_FAILED_KEEP_MS, &x->f);
	assert_null(neigh_lookup(&x->t, ip));
}

/* The timer, too, fails a STALE entry whose probes went unanswered. */
static void
test_stale_fail_by_timer(void **state)
{
	struct fixture *x = *state;
	uint32_t ip = IP(10, 0, 0, 78);
	struct neigh_entry *e;
	uint64_t now = 1000;
	uint8_t mac[6];

	e = neigh_update(&x->t, ip, mac_a, 0, 1, &x->f);
	neigh_timer(&x->t, now, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(neigh_resolve(&x->t, ip, now, mac, &x->f), 1);
	now += NEIGH_DELAY_FIRST_PROBE_MS;
	neigh_timer(&x->t, now, &x->f);
	assert_int_equal(x->f.n_req, 1);
	while (x->f.n_req < 3) {
		now += 100;
		assert_int_equal(neigh_resolve(&x->t, ip, now, mac, &x->f), 1);
	}
	neigh_timer(&x->t, now + 99, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	neigh_timer(&x->t, now + 100, &x->f);
	assert_int_equal(e->state, NEIGH_FAILED);
	assert_int_equal(neigh_resolve(&x->t, ip, now + 101, mac, &x->f), -1);
}

/* Confirmation by TCP progress keeps an entry REACHABLE without probes,
 * stops the probes of a STALE one, and leaves other states alone. */
static void
test_confirm(void **state)
{
	struct fixture *x = *state;
	uint32_t ip = IP(10, 0, 0, 79), other = IP(10, 0, 0, 80);
	uint8_t a[NEIGH_ADDR_LEN], b[NEIGH_ADDR_LEN];
	struct neigh_entry *e, *s;
	uint64_t now;
	uint8_t mac[6];

	neigh_addr_from_ipv4(a, ip);
	neigh_addr_from_ipv4(b, other);
	e = neigh_update(&x->t, ip, mac_a, 0, 1, &x->f);
	assert_non_null(e);
	/* Confirmed every 500 ms, it never ages: 10 s, no request. */
	for (now = 500; now <= 10000; now += 500) {
		assert_int_equal(neigh_confirm_addr(&x->t, a, now), 1);
		neigh_timer(&x->t, now + 499, &x->f);
		assert_int_equal(e->state, NEIGH_REACHABLE);
		x->f.now_ms = now + 499;
		assert_int_equal(neigh_resolve(&x->t, ip, now + 499, mac,
					       &x->f), 1);
	}
	assert_int_equal(x->f.n_req, 0);
	/* Without confirmation it goes STALE as before; used, DELAY. */
	neigh_timer(&x->t, 11000, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	x->f.now_ms = 11000;
	assert_int_equal(neigh_resolve(&x->t, ip, 11000, mac, &x->f), 1);
	assert_int_equal(e->state, NEIGH_DELAY);
	/* A confirmation in DELAY: REACHABLE, and no probe ever. */
	assert_int_equal(neigh_confirm_addr(&x->t, a, 12000), 1);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	neigh_timer(&x->t, 11000 + NEIGH_DELAY_FIRST_PROBE_MS, &x->f);
	assert_int_equal(x->f.n_req, 0);
	/* STALE and used again, unconfirmed: probed after DELAY. */
	neigh_timer(&x->t, 20000, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(neigh_resolve(&x->t, ip, 20000, mac, &x->f), 1);
	x->f.now_ms = 20000 + NEIGH_DELAY_FIRST_PROBE_MS;
	neigh_timer(&x->t, 20000 + NEIGH_DELAY_FIRST_PROBE_MS, &x->f);
	assert_int_equal(x->f.n_req, 1);
	assert_int_equal(e->probes, 1);
	/* A confirmation during the probing ends it: no more probes, and
	 * no FAILED after the retries' time. */
	now = 20050 + NEIGH_DELAY_FIRST_PROBE_MS;
	assert_int_equal(neigh_confirm_addr(&x->t, a, now), 1);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(e->probes, 0);
	for (now += 50; now < 25900; now += 100) {
		x->f.now_ms = now;
		assert_int_equal(neigh_resolve(&x->t, ip, now, mac, &x->f), 1);
		neigh_timer(&x->t, now, &x->f);
	}
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(x->f.n_req, 1);

	/* Nothing to confirm: absent, INCOMPLETE, FAILED, static. */
	assert_int_equal(neigh_confirm_addr(&x->t, b, 26000), 0);
	x->f.now_ms = 26000;
	assert_int_equal(neigh_resolve(&x->t, other, 26000, mac, &x->f), 0);
	s = neigh_lookup(&x->t, other);
	assert_int_equal(s->state, NEIGH_INCOMPLETE);
	assert_int_equal(neigh_confirm_addr(&x->t, b, 26001), 0);
	assert_int_equal(s->state, NEIGH_INCOMPLETE);
	for (now = 26100; s->state == NEIGH_INCOMPLETE; now += 100)
		neigh_timer(&x->t, now, &x->f);
	assert_int_equal(s->state, NEIGH_FAILED);
	assert_int_equal(neigh_confirm_addr(&x->t, b, now), 0);
	assert_int_equal(s->state, NEIGH_FAILED);
	s = neigh_add_static(&x->t, IP(10, 0, 0, 81), mac_b, now, &x->f);
	assert_non_null(s);
	neigh_addr_from_ipv4(b, IP(10, 0, 0, 81));
	assert_int_equal(neigh_confirm_addr(&x->t, b, now), 0);
}

/* The per-lcore memory of confirmations: once per key and interval. */
static void
test_confirm_due(void **state)
{
	uint32_t keys[8] = { 0 }, ms[8] = { 0 };
	uint32_t k;

	(void)state;
	assert_true(neigh_confirm_due(keys, ms, 8, 7, 1000, 250));
	assert_false(neigh_confirm_due(keys, ms, 8, 7, 1000, 250));
	assert_false(neigh_confirm_due(keys, ms, 8, 7, 1249, 250));
	assert_true(neigh_confirm_due(keys, ms, 8, 7, 1250, 250));
	/* Another key in the same slot takes it over: both stay correct
	 * (a confirmation too many, never one too few). */
	for (k = 8; ; k++) {
		uint32_t k2[8] = { 0 }, m2[8] = { 0 };

		neigh_confirm_due(k2, m2, 8, 7, 0, 250);
		if (neigh_confirm_due(k2, m2, 8, k, 0, 250) &&
		    !neigh_confirm_due(k2, m2, 8, 7, 0, 250))
			continue;
		break;
	}
	assert_true(neigh_confirm_due(keys, ms, 8, k, 1300, 250));
	assert_true(neigh_confirm_due(keys, ms, 8, 7, 1301, 250));
	/* Wrap of the 32-bit millisecond clock. */
	assert_true(neigh_confirm_due(keys, ms, 8, 9, 0xfffffff0ull, 250));
	assert_false(neigh_confirm_due(keys, ms, 8, 9, 0x100000010ull, 250));
	assert_true(neigh_confirm_due(keys, ms, 8, 9, 0x100000100ull, 250));
}

/* STALE entries nobody uses are freed after NEIGH_STALE_GC_MS. */
static void
test_stale_gc(void **state)
{
	struct fixture *x = *state;
	uint32_t a = IP(10, 0, 0, 1), b = IP(10, 0, 0, 2);
	uint64_t t_use;
	uint8_t mac[6];

	neigh_update(&x->t, a, mac_a, 0, 1, &x->f);
	neigh_update(&x->t, b, mac_b, 0, 1, &x->f);
	neigh_timer(&x->t, 1000, &x->f);
	assert_int_equal(neigh_lookup(&x->t, a)->state, NEIGH_STALE);
	assert_int_equal(neigh_lookup(&x->t, b)->state, NEIGH_STALE);
	/* b is used (and answers its probe) at t_use. */
	t_use = 60000;
	assert_int_equal(neigh_resolve(&x->t, b, t_use, mac, &x->f), 1);
	neigh_update(&x->t, b, mac_b, t_use + 1, 0, &x->f);
	neigh_timer(&x->t, t_use + 1001, &x->f);
	assert_int_equal(neigh_lookup(&x->t, b)->state, NEIGH_STALE);

	neigh_timer(&x->t, NEIGH_STALE_GC_MS - 1, &x->f);
	assert_non_null(neigh_lookup(&x->t, a));
	neigh_timer(&x->t, NEIGH_STALE_GC_MS, &x->f);
	assert_null(neigh_lookup(&x->t, a));
	assert_non_null(neigh_lookup(&x->t, b));
	assert_int_equal(x->t.count, 1);
	neigh_timer(&x->t, t_use + NEIGH_STALE_GC_MS - 1, &x->f);
	assert_non_null(neigh_lookup(&x->t, b));
	neigh_timer(&x->t, t_use + NEIGH_STALE_GC_MS, &x->f);
	assert_null(neigh_lookup(&x->t, b));
	assert_int_equal(x->t.count, 0);
	/* GC is silent. */
	assert_int_equal(x->f.n_failed, 0);
	assert_int_equal(x->f.n_dropped, 0);
}

/* A table of size n holds n - 1 entries (one slot stays free). */
static void
test_table_full(void **state)
{
	struct fixture *x = *state;
	uint8_t mac[6];
	uint32_t i;
	int pkt;

	assert_int_equal(neigh_init(&x->t, x->entries, 8, 3, 100, 1000,
				    &fake_ops), 0);
	/* Entries we asked for (resolved, then answered). */
	for (i = 0; i < 7; i++) {
		assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 0, 1 + i), i,
					       mac, &x->f), 0);
		assert_non_null(neigh_update(&x->t, IP(10, 0, 0, 1 + i), mac_a,
					     i, 0, &x->f));
	}
	assert_int_equal(x->t.count, 7);
	/* Unsolicited ARP may not push out REACHABLE entries of ours. */
	assert_null(neigh_update(&x->t, IP(10, 0, 1, 1), mac_a, 10, 1, &x->f));
	assert_int_equal(x->t.cnt.table_full, 1);
	assert_int_equal(x->t.cnt.evicted, 0);
	assert_int_equal(x->t.count, 7);
	/* Lookups of absent keys still terminate. */
	assert_null(neigh_lookup(&x->t, IP(10, 0, 1, 1)));
	for (i = 0; i < 7; i++)
		assert_non_null(neigh_lookup(&x->t, IP(10, 0, 0, 1 + i)));
	/* Existing entries can still be updated. */
	assert_non_null(neigh_update(&x->t, IP(10, 0, 0, 3), mac_b, 11, 0,
				     &x->f));
	/* Our own resolution takes the oldest REACHABLE entry's place
	 * (10.0.0.1, learnt at 0; 10.0.0.3 was refreshed). */
	assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 1, 1), 12, mac, &x->f),
			 0);
	assert_int_equal(x->t.cnt.evicted, 1);
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 1)));
	assert_non_null(neigh_lookup(&x->t, IP(10, 0, 0, 3)));
	assert_int_equal(neigh_output(&x->t, IP(10, 0, 1, 2), 13, &pkt, mac,
				      &x->f), 0);
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 2)));
	assert_int_equal(x->t.count, 7);
	assert_int_equal(x->f.n_dropped, 0);

	/* Entries a flood made (never looked up by us) replace each other,
	 * oldest first, and never ours. */
	assert_int_equal(neigh_init(&x->t, x->entries, 8, 3, 100, 1000,
				    &fake_ops), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 0, 1 + i), 0,
					       mac, &x->f), 0);
		assert_non_null(neigh_update(&x->t, IP(10, 0, 0, 1 + i), mac_a,
					     0, 0, &x->f));
	}
	for (i = 0; i < 20; i++)
		assert_non_null(neigh_update(&x->t, IP(10, 0, 9, 1 + i), mac_b,
					     10 + i, 1, &x->f));
	assert_int_equal(x->t.count, 7);
	assert_int_equal(x->t.cnt.evicted, 16);
	for (i = 0; i < 3; i++)
		assert_non_null(neigh_lookup(&x->t, IP(10, 0, 0, 1 + i)));
	for (i = 16; i < 20; i++)
		assert_non_null(neigh_lookup(&x->t, IP(10, 0, 9, 1 + i)));
	/* Looked up by us: no longer the flood's to replace. */
	assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 9, 17), 40, mac,
				       &x->f), 1);
	for (i = 0; i < 3; i++)
		assert_non_null(neigh_update(&x->t, IP(10, 0, 8, 1 + i), mac_b,
					     50 + i, 1, &x->f));
	assert_non_null(neigh_lookup(&x->t, IP(10, 0, 9, 17)));
	assert_null(neigh_lookup(&x->t, IP(10, 0, 9, 18)));

	/* The smallest table holds one. */
	assert_int_equal(neigh_init(&x->t, x->entries, 2, 3, 100, 1000,
				    &fake_ops), 0);
	assert_non_null(neigh_add_static(&x->t, 5, mac_a, 0, &x->f));
	assert_null(neigh_update(&x->t, 6, mac_a, 0, 1, &x->f));
	assert_null(neigh_lookup(&x->t, 6));
}

/* Full table: STALE before REACHABLE, least recently used first; the
 * gateway and static entries never; INCOMPLETE with packets last. */
static void
test_evict_order(void **state)
{
	struct fixture *x = *state;
	const uint32_t gw = IP(10, 0, 0, 1), st = IP(10, 0, 0, 2);
	uint8_t mac[6];
	uint32_t i;
	int pkt[8];

	assert_int_equal(neigh_init(&x->t, x->entries, 8, 3, 100, 1000,
				    &fake_ops), 0);
	neigh_set_limits(&x->t, 0, gw);
	/* The gateway and a static entry are the oldest of all. */
	assert_non_null(neigh_update(&x->t, gw, mac_a, 0, 1, &x->f));
	assert_non_null(neigh_add_static(&x->t, st, mac_a, 0, &x->f));
	for (i = 0; i < 5; i++)
		assert_non_null(neigh_update(&x->t, IP(10, 0, 0, 10 + i),
					     mac_b, 100 + i, 1, &x->f));
	assert_int_equal(x->t.count, 7);
	/* Everything ages to STALE (reachable 1 s); 10.0.0.12 is used. */
	neigh_timer(&x->t, 2000, &x->f);
	assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 0, 12), 2500, mac,
				       &x->f), 1);
	/* Unsolicited entries now take STALE places, least used first. */
	assert_non_null(neigh_update(&x->t, IP(10, 0, 1, 1), mac_b, 3000, 1,
				     &x->f));
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 10)));
	assert_non_null(neigh_update(&x->t, IP(10, 0, 1, 2), mac_b, 3001, 1,
				     &x->f));
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 11)));
	assert_non_null(neigh_update(&x->t, IP(10, 0, 1, 3), mac_b, 3002, 1,
				     &x->f));
	assert_null(neigh_lookup(&x->t, IP(10, 0, 0, 13)));
	assert_non_null(neigh_lookup(&x->t, IP(10, 0, 0, 12)));
	assert_int_equal(x->t.cnt.evicted, 3);
	/* Fill the rest with resolutions that hold packets. */
	for (i = 0; i < 8; i++) {
		int rc = neigh_output(&x->t, IP(10, 0, 2, 1 + i), 4000 + i,
				      &pkt[i], mac, &x->f);

		assert_int_equal(rc, 0);
	}
	/* Whatever went, the gateway and the static entry stayed. */
	assert_non_null(neigh_lookup(&x->t, gw));
	assert_non_null(neigh_lookup(&x->t, st));
	assert_int_equal(neigh_lookup(&x->t, st)->is_static, 1);
	assert_int_equal(x->t.count, 7);
	/* The last five are INCOMPLETE with a packet each; the first
	 * three, pushed out, had theirs dropped through the ops. */
	assert_int_equal(x->f.n_dropped, 3);
	assert_ptr_equal(x->f.dropped[0], &pkt[0]);
	for (i = 3; i < 8; i++)
		assert_non_null(neigh_lookup(&x->t, IP(10, 0, 2, 1 + i)));
	/* Unsolicited ARP cannot push those out. */
	assert_null(neigh_update(&x->t, IP(10, 0, 3, 1), mac_b, 5000, 1,
				 &x->f));
	assert_int_equal(x->t.cnt.table_full, 1);
	/* With only protected entries left, nothing goes. */
	assert_int_equal(neigh_init(&x->t, x->entries, 2, 3, 100, 1000,
				    &fake_ops), 0);
	neigh_set_limits(&x->t, 0, gw);
	assert_non_null(neigh_update(&x->t, gw, mac_a, 0, 1, &x->f));
	assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 9, 9), 10, mac,
				       &x->f), -1);
	assert_non_null(neigh_lookup(&x->t, gw));
}

/* Entries from unsolicited ARP: learn_rate a second, one second of
 * burst; updates of known entries and our own resolutions are free. */
static void
test_learn_rate(void **state)
{
	struct fixture *x = *state;
	uint8_t mac[6];
	uint32_t i, made = 0;

	assert_int_equal(neigh_init(&x->t, x->entries, 64, 3, 100, 1000,
				    &fake_ops), 0);
	neigh_set_limits(&x->t, 10, 0);
	for (i = 0; i < 30; i++)
		if (neigh_update(&x->t, IP(10, 0, 0, 1 + i), mac_a, 0, 1,
				 &x->f) != NULL)
			made++;
	assert_int_equal(made, 10);
	assert_int_equal(x->t.cnt.learn_limited, 20);
	/* Known entries still update. */
	assert_non_null(neigh_update(&x->t, IP(10, 0, 0, 1), mac_b, 0, 1,
				     &x->f));
	/* Our own resolutions are not limited. */
	assert_int_equal(neigh_resolve(&x->t, IP(10, 0, 1, 1), 0, mac, &x->f),
			 0);
	/* 500 ms later: five more. */
	made = 0;
	for (i = 0; i < 30; i++)
		if (neigh_update(&x->t, IP(10, 0, 4, 1 + i), mac_a, 500, 1,
				 &x->f) != NULL)
			made++;
	assert_int_equal(made, 5);
	/* A static entry is never limited. */
	assert_non_null(neigh_add_static(&x->t, IP(10, 0, 5, 1), mac_a, 500,
					 &x->f));
	/* No limit at 0. */
	neigh_set_limits(&x->t, 0, 0);
	made = 0;
	for (i = 0; i < 20; i++)
		if (neigh_update(&x->t, IP(10, 0, 6, 1 + i), mac_a, 500, 1,
				 &x->f) != NULL)
			made++;
	assert_int_equal(made, 20);
}

/* Reference model for the random tests. */
struct ref {
	uint32_t ip[64];
	unsigned int n;
};

static int
ref_find(const struct ref *r, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->ip[i] == ip)
			return (int)i;
	return -1;
}

static void
ref_del(struct ref *r, unsigned int i)
{
	r->ip[i] = r->ip[--r->n];
}

/* Keys whose low bits repeat collide: the slot depends on ip & mask. */
static uint32_t
colliding_key(uint32_t size)
{
	static const uint32_t homes[] = { 0, 1, 2 };
	uint32_t home = homes[random() % 3];

	/* Mostly three home slots, sometimes anywhere, never 0. */
	if (random() % 8 == 0)
		home = (uint32_t)random() % size;
	return (IP(10, 0, 0, 0) + ((uint32_t)random() % 6 + 1) * size) +
		home;
}

static void
check_table(struct neigh_table *t, const struct ref *r, const char *when,
	    unsigned int seed, unsigned int step)
{
	uint32_t i, used = 0;

	assert_int_equal(t->count, r->n);
	for (i = 0; i < r->n; i++) {
		struct neigh_entry *e = neigh_lookup(t, r->ip[i]);

		if (e == NULL || neigh_addr_to_ipv4(e->addr) != r->ip[i])
			fail_msg("seed %u step %u (%s): 0x%08x lost", seed,
				 step, when, r->ip[i]);
	}
	for (i = 0; i < t->size; i++) {
		const struct neigh_entry *e = &t->entries[i];

		if (e->state == NEIGH_FREE) {
			assert_int_equal(neigh_addr_to_ipv4(e->addr), 0);
			continue;
		}
		used++;
		if (ref_find(r, neigh_addr_to_ipv4(e->addr)) < 0)
			fail_msg("seed %u step %u (%s): 0x%08x not deleted",
				 seed, step, when, neigh_addr_to_ipv4(e->addr));
	}
	assert_int_equal(used, r->n);
}

/* Random inserts and deletes of colliding keys against a reference. */
static void
test_random_delete(void **state)
{
	struct fixture *x = *state;
	static const uint32_t sizes[] = { 8, 16 };
	unsigned int seed;
	size_t s;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (seed = 1; seed <= 200; seed++) {
			struct ref r = { .n = 0 };
			unsigned int step;

			srandom(seed);
			assert_int_equal(neigh_init(&x->t, x->entries,
						    sizes[s], 3, 100, 1000,
						    &fake_ops), 0);
			for (step = 0; step < 400; step++) {
				uint32_t ip = colliding_key(sizes[s]);
				int k = ref_find(&r, ip);

				if (random() % 2 == 0) {
					/* Static: a full table refuses it
					 * rather than evict one. */
					struct neigh_entry *e =
						neigh_add_static(&x->t, ip,
								 mac_a, step,
								 &x->f);

					if (k >= 0 || r.n + 1 < sizes[s]) {
						assert_non_null(e);
						if (k < 0)
							r.ip[r.n++] = ip;
					} else {
						assert_null(e);
					}
				} else if (r.n > 0 && random() % 4 != 0) {
					/* Delete a present key. */
					k = (int)((uint32_t)random() % r.n);
					assert_int_equal(neigh_delete(&x->t,
						r.ip[k], &x->f), 0);
					ref_del(&r, (unsigned int)k);
				} else {
					assert_int_equal(neigh_delete(&x->t,
						ip, &x->f), k >= 0 ? 0 : -1);
					if (k >= 0)
						ref_del(&r, (unsigned int)k);
				}
				check_table(&x->t, &r, "op", seed, step);
			}
			/* Empty it in a random order. */
			while (r.n > 0) {
				unsigned int k = (uint32_t)random() % r.n;

				assert_int_equal(neigh_delete(&x->t, r.ip[k],
							      &x->f), 0);
				ref_del(&r, k);
				check_table(&x->t, &r, "drain", seed, 0);
			}
		}
	}
}

/*
 * neigh_timer removes several entries in one sweep (FAILED ones past
 * their keep time), with clusters wrapping round the end of the table:
 * the survivors stay findable and every doomed entry goes.
 */
static void
test_random_timer_removal(void **state)
{
	struct fixture *x = *state;
	static const uint32_t sizes[] = { 8, 16 };
	unsigned int seed;
	size_t s;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (seed = 1; seed <= 500; seed++) {
			struct ref r = { .n = 0 };
			uint32_t i;

			srandom(seed * 7919);
			assert_int_equal(neigh_init(&x->t, x->entries,
						    sizes[s], 3, 100, 1000000,
						    &fake_ops), 0);
			while (r.n + 1 < sizes[s]) {
				uint32_t ip = colliding_key(sizes[s]);
				/* Homes near the end make wrapping clusters. */
				if (random() % 2)
					ip = (ip & ~(sizes[s] - 1)) |
						(sizes[s] - 1 -
						 (uint32_t)random() % 2);
				if (ref_find(&r, ip) >= 0)
					continue;
				assert_non_null(neigh_update(&x->t, ip, mac_a,
							     0, 1, &x->f));
				r.ip[r.n++] = ip;
			}
			/* Doom a random subset. */
			for (i = 0; i < sizes[s]; i++) {
				struct neigh_entry *e = &x->t.entries[i];

				if (e->state != NEIGH_FREE &&
				    random() % 2 == 0) {
					e->state = NEIGH_FAILED;
					e->changed_ms = 0;
				}
			}
			for (i = 0; i < r.n;) {
				if (neigh_lookup(&x->t, r.ip[i])->state ==
				    NEIGH_FAILED)
					ref_del(&r, i);
				else
					i++;
			}
			neigh_timer(&x->t, NEIGH_FAILED_KEEP_MS, &x->f);
			check_table(&x->t, &r, "timer", seed, 0);
		}
	}
}

/* 16-byte keys (IPv6, issue 17): keys that differ anywhere are apart,
 * an IPv4 key is its ::ffff:0:0/96 form, the ops see the whole key, the
 * protected key and deletion work as for IPv4; many colliding IPv6 keys
 * against a reference. */
static void
v6key(uint8_t *a, uint32_t hi, uint32_t lo)
{
	memset(a, 0, NEIGH_ADDR_LEN);
	a[0] = 0x20;
	a[1] = 0x01;
	a[3] = 0x02;
	a[4] = (uint8_t)(hi >> 8);
	a[5] = (uint8_t)hi;
	a[12] = (uint8_t)(lo >> 24);
	a[13] = (uint8_t)(lo >> 16);
	a[14] = (uint8_t)(lo >> 8);
	a[15] = (uint8_t)lo;
}

static void
test_ipv6_keys(void **state)
{
	struct fixture *x = *state;
	uint8_t a[16], b[16], m4[16], got[6];
	struct neigh_entry *e;
	int pkt;

	v6key(a, 1, 7);
	v6key(b, 2, 7);		/* differs only in byte 5 */
	neigh_addr_from_ipv4(m4, 7);
	assert_true(neigh_addr_is_ipv4(m4));
	assert_false(neigh_addr_is_ipv4(a));
	assert_int_equal(neigh_addr_to_ipv4(m4), 7);

	e = neigh_update_addr(&x->t, a, mac_a, 5, 1, &x->f);
	assert_non_null(e);
	assert_memory_equal(e->addr, a, 16);
	assert_null(neigh_lookup_addr(&x->t, b));
	assert_null(neigh_lookup(&x->t, 7));
	assert_non_null(neigh_update_addr(&x->t, b, mac_b, 5, 1, &x->f));
	assert_non_null(neigh_update(&x->t, 7, mac_b, 5, 1, &x->f));
	assert_ptr_equal(neigh_lookup_addr(&x->t, m4), neigh_lookup(&x->t, 7));
	assert_int_equal(x->t.count, 3);
	assert_memory_equal(neigh_lookup_addr(&x->t, a)->mac, mac_a, 6);
	assert_memory_equal(neigh_lookup_addr(&x->t, b)->mac, mac_b, 6);

	/* A resolution asks with the whole key; its packet waits. */
	v6key(a, 3, 9);
	x->f.now_ms = 10;
	assert_int_equal(neigh_output_addr(&x->t, a, 10, &pkt, got, &x->f),
			 0);
	assert_int_equal(x->f.n_req, 1);
	assert_memory_equal(x->f.req[0].addr, a, 16);
	assert_non_null(neigh_update_addr(&x->t, a, mac_a, 11, 0, &x->f));
	assert_int_equal(x->f.n_sent, 1);
	assert_ptr_equal(x->f.sent[0].pkt, &pkt);
	assert_int_equal(neigh_resolve_addr(&x->t, a, 12, got, &x->f), 1);
	assert_memory_equal(got, mac_a, 6);

	/* Static, delete. */
	assert_non_null(neigh_add_static_addr(&x->t, b, mac_a, 13, &x->f));
	assert_true(neigh_lookup_addr(&x->t, b)->is_static);
	assert_int_equal(neigh_delete_addr(&x->t, b, &x->f), 0);
	assert_int_equal(neigh_delete_addr(&x->t, b, &x->f), -1);
	assert_null(neigh_lookup_addr(&x->t, b));
}

/* RFC 4861 7.2.3 and 7.2.5: what a solicitation and an advertisement
 * make of an entry. */
static void
test_nd_states(void **state)
{
	struct fixture *x = *state;
	const unsigned int ns = NEIGH_ND_CREATE | NEIGH_ND_OVERRIDE;
	uint8_t a[16], b[16], got[6];
	struct neigh_entry *e;
	int pkt;

	v6key(a, 1, 1);
	v6key(b, 1, 2);
	/* An advertisement creates nothing. */
	assert_null(neigh_learn_nd(&x->t, a, mac_a, 1,
				   NEIGH_ND_SOLICITED | NEIGH_ND_OVERRIDE,
				   &x->f));
	assert_null(neigh_lookup_addr(&x->t, a));
	/* A solicitation's source: new, so STALE; used at once, DELAY,
	 * and probed unicast to what it said when nothing confirms it. */
	e = neigh_learn_nd(&x->t, a, mac_a, 2, ns, &x->f);
	assert_non_null(e);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_memory_equal(e->mac, mac_a, 6);
	x->f.now_ms = 3;
	assert_int_equal(neigh_resolve_addr(&x->t, a, 3, got, &x->f), 1);
	assert_memory_equal(got, mac_a, 6);
	assert_int_equal(e->state, NEIGH_DELAY);
	assert_int_equal(x->f.n_req, 0);
	neigh_timer(&x->t, 3 + NEIGH_DELAY_FIRST_PROBE_MS, &x->f);
	assert_int_equal(x->f.n_req, 1);
	assert_true(x->f.req[0].has_hint);
	assert_memory_equal(x->f.req[0].hint, mac_a, 6);
	/* Its solicited answer: REACHABLE, probing over. */
	e = neigh_learn_nd(&x->t, a, mac_a, 4, NEIGH_ND_SOLICITED, &x->f);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(e->probes, 0);
	/* The same solicitation again changes nothing. */
	e = neigh_learn_nd(&x->t, a, mac_a, 5, ns, &x->f);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(e->changed_ms, 4);
	/* Another address without override: ours stays, trusted less. */
	e = neigh_learn_nd(&x->t, a, mac_b, 6, NEIGH_ND_SOLICITED, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_memory_equal(e->mac, mac_a, 6);
	/* With it (unsolicited): taken, STALE. */
	e = neigh_learn_nd(&x->t, a, mac_b, 7, NEIGH_ND_OVERRIDE, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_memory_equal(e->mac, mac_b, 6);
	/* The same address, unsolicited: the state stands. */
	e = neigh_learn_nd(&x->t, a, mac_b, 8, NEIGH_ND_OVERRIDE, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(e->changed_ms, 7);
	/* A solicitation that moves the address: taken, STALE (MUST). */
	assert_non_null(neigh_learn_nd(&x->t, a, mac_a, 9,
				       NEIGH_ND_SOLICITED | NEIGH_ND_OVERRIDE,
				       &x->f));
	assert_int_equal(e->state, NEIGH_REACHABLE);
	e = neigh_learn_nd(&x->t, a, mac_b, 10, ns, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_memory_equal(e->mac, mac_b, 6);

	/* A resolution under way: an unsolicited answer sends what waits
	 * and leaves it STALE; a solicited one would make it REACHABLE. */
	x->f.now_ms = 20;
	assert_int_equal(neigh_output_addr(&x->t, b, 20, &pkt, got, &x->f),
			 0);
	e = neigh_learn_nd(&x->t, b, mac_a, 21, NEIGH_ND_OVERRIDE, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(x->f.n_sent, 1);
	assert_ptr_equal(x->f.sent[0].pkt, &pkt);
	assert_memory_equal(x->f.sent[0].mac, mac_a, 6);
	assert_int_equal(e->n_held, 0);
	assert_int_equal(neigh_delete_addr(&x->t, b, &x->f), 0);
	assert_int_equal(neigh_output_addr(&x->t, b, 30, &pkt, got, &x->f),
			 0);
	e = neigh_learn_nd(&x->t, b, mac_b, 31, NEIGH_ND_SOLICITED, &x->f);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_memory_equal(e->mac, mac_b, 6);
	assert_int_equal(x->f.n_sent, 2);

	/* Without the target's address (a unicast probe's answer may leave
	 * it out, RFC 4861 7.2.4): a solicited one confirms what we hold,
	 * even while probing; an unsolicited one changes nothing; for a
	 * resolution under way there is nothing to take. */
	e = neigh_learn_nd(&x->t, b, mac_a, 32, NEIGH_ND_OVERRIDE, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	x->f.now_ms = 33;
	assert_int_equal(neigh_resolve_addr(&x->t, b, 33, got, &x->f), 1);
	assert_int_equal(e->state, NEIGH_DELAY);
	neigh_timer(&x->t, 33 + NEIGH_DELAY_FIRST_PROBE_MS, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(e->probes, 1);
	e = neigh_learn_nd(&x->t, b, NULL, 34 + NEIGH_DELAY_FIRST_PROBE_MS,
			   NEIGH_ND_OVERRIDE, &x->f);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(e->probes, 1);
	e = neigh_learn_nd(&x->t, b, NULL, 35 + NEIGH_DELAY_FIRST_PROBE_MS,
			   NEIGH_ND_SOLICITED, &x->f);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(e->probes, 0);
	assert_memory_equal(e->mac, mac_a, 6);
	assert_int_equal(neigh_delete_addr(&x->t, b, &x->f), 0);
	assert_int_equal(neigh_output_addr(&x->t, b, 36, &pkt, got, &x->f),
			 0);
	e = neigh_learn_nd(&x->t, b, NULL, 37,
			   NEIGH_ND_SOLICITED | NEIGH_ND_OVERRIDE, &x->f);
	assert_int_equal(e->state, NEIGH_INCOMPLETE);
	assert_int_equal(e->n_held, 1);

	/* A static entry is the operator's. */
	assert_non_null(neigh_add_static_addr(&x->t, a, mac_a, 40, &x->f));
	e = neigh_learn_nd(&x->t, a, mac_b, 41, ns, &x->f);
	assert_memory_equal(e->mac, mac_a, 6);
	assert_int_equal(e->state, NEIGH_REACHABLE);
}

static void
test_ipv6_protect_and_fill(void **state)
{
	struct fixture *x = *state;
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t gw[16], k[16];
	uint32_t i;

	v6key(gw, 0xfe80, 1);
	neigh_set_limits_addr(&x->t, 0, gw);
	assert_non_null(neigh_update_addr(&x->t, gw, mac, 1, 1, &x->f));
	/* Far more keys than slots: the table stays full and consistent,
	 * the protected key stays. */
	for (i = 0; i < 200; i++) {
		v6key(k, i, i * 16);
		neigh_update_addr(&x->t, k, mac, 2 + i, 1, &x->f);
		assert_true(x->t.count < x->t.size);
	}
	assert_non_null(neigh_lookup_addr(&x->t, gw));
	for (i = 0; i < x->t.size; i++) {
		const struct neigh_entry *e = &x->t.entries[i];

		if (e->state != NEIGH_FREE)
			assert_ptr_equal(neigh_lookup_addr(&x->t, e->addr),
					 e);
	}
	/* Deleting all but the gateway empties the table to it. */
	for (i = 0; i < x->t.size; i++) {
		const struct neigh_entry *e = &x->t.entries[i];

		if (e->state != NEIGH_FREE && memcmp(e->addr, gw, 16) != 0) {
			memcpy(k, e->addr, 16);
			assert_int_equal(neigh_delete_addr(&x->t, k, &x->f),
					 0);
			i = (uint32_t)-1;	/* shifted: look again */
		}
	}
	assert_int_equal(x->t.count, 1);
	assert_non_null(neigh_lookup_addr(&x->t, gw));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nd_states, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_protect_and_fill,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_ops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_update_create, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resolve_hold_release,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_fail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retries_coarse_timer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_reprobe, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_fail_by_timer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirm, setup,
						teardown),
		cmocka_unit_test(test_confirm_due),
		cmocka_unit_test_setup_teardown(test_stale_gc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_static_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_evict_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_learn_rate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_delete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_timer_removal,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
