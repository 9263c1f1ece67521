/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for TCP's IPv6 connections on real connection blocks that
 * never reach the wire (EAL in --no-huge mode): the table's lookup of
 * IPv6 tuples, folds that collide told apart by the full compare, the
 * address blocks taken and given back, IPv4 lookups never matching an
 * IPv6 block, and the IPv6 pseudo-header checksum against DPDK's.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "eal_harness.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "cksum.h"
#include "config.h"
#include "tcp_priv.h"
#include "worker.h"

#define PORT	80

static struct app app;
static struct dpf_config cfg;
static struct worker *w;

static void
nop_connected(struct worker *wk, struct tcp_conn *c)
{
	(void)wk;
	(void)c;
}

static const struct tcp_app_ops ops = { .connected = nop_connected };

static int
group_setup(void **state)
{
	(void)state;
	if (ut_eal_init("test_tcp6", "ut_tcp6", "256") != 0)
		return -1;
	config_init(&cfg);
	cfg.ip = 0xc6120002;
	cfg.has_ip6 = 1;
	inet_pton(AF_INET6, "2001:2::2", cfg.ip6);
	cfg.ip6_prefix = 64;
	cfg.max_conns = 64;
	app.cfg = &cfg;
	app.pool = rte_pktmbuf_pool_create("ut_tcp6", 1023, 0,
		RTE_ALIGN(sizeof(struct tcp_seg_cb), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	w = calloc(1, sizeof(*w));
	if (app.pool == NULL || w == NULL)
		return -1;
	w->app = &app;
	w->cfg = &cfg;
	w->lcore_id = rte_lcore_id();
	timer_wheel_init(&w->wheel, 0);
	w->tcp = calloc(1, sizeof(*w->tcp));
	if (w->tcp == NULL || tcp_stack_init(w, cfg.max_conns) != 0)
		return -1;
	return tcp_listen(w, PORT, &ops, NULL);
}

static int
group_teardown(void **state)
{
	(void)state;
	tcp_stack_fini(w);
	free(w->tcp);
	free(w);
	rte_mempool_free(app.pool);
	rte_eal_cleanup();
	return 0;
}

/* remote 2001:2::1:<i>, local --ip6. */
static void
pair_of(struct tcp_addr6 *a6, uint32_t i)
{
	uint32_t be = htonl(i);

	inet_pton(AF_INET6, "2001:2::", a6->remote);
	memcpy(a6->remote + 12, &be, 4);
	memcpy(a6->local, cfg.ip6, 16);
}

static struct tcp_conn *
accept6(const struct tcp_addr6 *a6, uint16_t rport)
{
	const struct tcp_listener *l = tcp_find_listener(w, PORT);
	struct tcp_conn *c;

	assert_non_null(l);
	c = tcp_accept_syn6(w, l, a6, rport, PORT);
	assert_non_null(c);
	assert_true(tcp_conn_is_v6(c));
	assert_memory_equal(tcp_addr6_of(w->tcp, c), a6, sizeof(*a6));
	return c;
}

static void
test_lookup6(void **state)
{
	struct tcp_conn *c[8], *v4;
	struct tcp_addr6 a6, other;
	struct tcp_conn_info ci;
	uint32_t i;

	(void)state;
	for (i = 0; i < 8; i++) {
		pair_of(&a6, i + 1);
		c[i] = accept6(&a6, (uint16_t)(40000 + i % 2));
	}
	/* An IPv4 connection beside them. */
	v4 = tcp_accept_syn(w, tcp_find_listener(w, PORT), 0xc6120001,
			    40000, cfg.ip, PORT);
	assert_non_null(v4);
	assert_false(tcp_conn_is_v6(v4));
	assert_int_equal(obj_pool_in_use(&w->tcp->addr6_pool), 8);
	for (i = 0; i < 8; i++) {
		pair_of(&a6, i + 1);
		assert_ptr_equal(tcp_lookup6(w, &a6, (uint16_t)(40000 + i % 2),
					     PORT), c[i]);
		/* Another port, another local address: none. */
		assert_null(tcp_lookup6(w, &a6, (uint16_t)(40002 + i % 2),
					PORT));
		assert_null(tcp_lookup6(w, &a6, (uint16_t)(40000 + i % 2),
					81));
		other = a6;
		other.local[15] ^= 1;
		assert_null(tcp_lookup6(w, &other,
					(uint16_t)(40000 + i % 2), PORT));
		/* The IPv4 key of its fold is not it. */
		assert_null(tcp_lookup(w, c[i]->remote_ip, c[i]->remote_port,
				       0, PORT));
		tcp_conn_info(w, c[i], &ci);
		assert_true(ci.v6);
		assert_memory_equal(ci.remote_ip6, a6.remote, 16);
		assert_memory_equal(ci.local_ip6, a6.local, 16);
	}
	assert_ptr_equal(tcp_lookup(w, 0xc6120001, 40000, cfg.ip, PORT), v4);
	for (i = 0; i < 8; i++)
		tcp_conn_free(w, c[i]);
	tcp_conn_free(w, v4);
	/* Every address block went back. */
	assert_int_equal(obj_pool_in_use(&w->tcp->addr6_pool), 0);
	pair_of(&a6, 1);
	assert_null(tcp_lookup6(w, &a6, 40000, PORT));
}

/*
 * Two tuples whose folds are equal (found by a birthday search under
 * this run's key: about 2^16 tries): one bucket chain, one remote_ip,
 * and each lookup still finds its own connection.
 */
#define FOLD_TAB_BITS	20

static void
test_fold_collision(void **state)
{
	uint32_t *tab = calloc(1u << FOLD_TAB_BITS, sizeof(uint32_t));
	uint32_t *folds = calloc(1u << FOLD_TAB_BITS, sizeof(uint32_t));
	struct tcp_addr6 a, b;
	struct tcp_conn *ca, *cb;
	uint32_t i, first = 0, second = 0;

	(void)state;
	assert_non_null(tab);
	assert_non_null(folds);
	for (i = 1; i < (1u << FOLD_TAB_BITS) && second == 0; i++) {
		uint32_t f, slot;

		pair_of(&a, i);
		f = tcp_addr6_fold(&a, w->tcp->hash_seed);
		folds[i] = f;
		slot = f & ((1u << FOLD_TAB_BITS) - 1);
		while (tab[slot] != 0) {
			if (folds[tab[slot]] == f) {
				first = tab[slot];
				second = i;
				break;
			}
			slot = (slot + 1) & ((1u << FOLD_TAB_BITS) - 1);
		}
		tab[slot] = i;
	}
	free(tab);
	free(folds);
	if (second == 0)
		fail_msg("no fold collision in 2^%d tuples", FOLD_TAB_BITS);
	pair_of(&a, first);
	pair_of(&b, second);
	assert_memory_not_equal(&a, &b, sizeof(a));
	ca = accept6(&a, 50000);
	cb = accept6(&b, 50000);
	assert_int_equal(ca->remote_ip, cb->remote_ip);
	assert_ptr_equal(tcp_lookup6(w, &a, 50000, PORT), ca);
	assert_ptr_equal(tcp_lookup6(w, &b, 50000, PORT), cb);
	/* Either one gone, the other is still found. */
	tcp_conn_free(w, cb);
	assert_ptr_equal(tcp_lookup6(w, &a, 50000, PORT), ca);
	assert_null(tcp_lookup6(w, &b, 50000, PORT));
	cb = accept6(&b, 50000);
	tcp_conn_free(w, ca);
	assert_null(tcp_lookup6(w, &a, 50000, PORT));
	assert_ptr_equal(tcp_lookup6(w, &b, 50000, PORT), cb);
	tcp_conn_free(w, cb);
	assert_int_equal(obj_pool_in_use(&w->tcp->addr6_pool), 0);
}

/* No address block left: the connection is refused and counted, and
 * nothing leaks. */
static void
test_addr6_pool_full(void **state)
{
	struct tcp_conn *c[64];
	struct tcp_addr6 a6;
	uint32_t n, i, before_conns = w->tcp->n_conns;
	uint64_t nomem = w->stats.tcp.Ip6NoMem;

	(void)state;
	n = w->tcp->addr6_pool.n;
	assert_int_equal(n, cfg.max_conns);
	for (i = 0; i < n; i++) {
		pair_of(&a6, 100 + i);
		c[i] = accept6(&a6, 1234);
	}
	pair_of(&a6, 100 + n);
	assert_null(tcp_accept_syn6(w, tcp_find_listener(w, PORT), &a6,
				    1234, PORT));
	assert_int_equal(w->stats.tcp.Ip6NoMem, nomem + 1);
	for (i = 0; i < n; i++)
		tcp_conn_free(w, c[i]);
	assert_int_equal(w->tcp->n_conns, before_conns);
	assert_int_equal(obj_pool_in_use(&w->tcp->addr6_pool), 0);
}

/* The IPv6 pseudo-header checksum TCP verifies with (lib/net's
 * cksum_ipv6_l4, RFC 8200 8.1) against DPDK's, on one mbuf and on a
 * chain cut at odd offsets. */
static void
test_cksum6(void **state)
{
	uint8_t frame[14 + 40 + 20 + 333];
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(frame + 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint32_t l4_len = sizeof(*th) + 333, i, cut;
	uint16_t want;

	(void)state;
	memset(frame, 0, sizeof(frame));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
	ip->proto = IPPROTO_TCP;
	ip->hop_limits = 64;
	inet_pton(AF_INET6, "2001:2::1", ip->src_addr);
	inet_pton(AF_INET6, "2001:2::ffff:2", ip->dst_addr);
	th->src_port = rte_cpu_to_be_16(80);
	th->dst_port = rte_cpu_to_be_16(40001);
	th->sent_seq = rte_cpu_to_be_32(0x12345678);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	th->rx_win = rte_cpu_to_be_16(65535);
	for (i = 0; i < 333; i++)
		frame[14 + 40 + 20 + i] = (uint8_t)(i * 7 + 3);
	want = rte_ipv6_udptcp_cksum(ip, th);
	for (cut = 0; cut < 3; cut++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool), *m2 = NULL;
		uint32_t at = cut == 0 ? sizeof(frame) : 14 + 40 + 7 + cut * 50;
		uint16_t sum;

		assert_non_null(m);
		memcpy(rte_pktmbuf_append(m, (uint16_t)at), frame, at);
		if (at < sizeof(frame)) {
			m2 = rte_pktmbuf_alloc(app.pool);
			assert_non_null(m2);
			memcpy(rte_pktmbuf_append(m2,
				(uint16_t)(sizeof(frame) - at)),
			       frame + at, sizeof(frame) - at);
			assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
		}
		/* Sending: the field 0, its complement is the checksum. */
		sum = cksum_ipv6_l4(m, ip, 14 + 40, l4_len, IPPROTO_TCP);
		assert_int_equal(sum, want);
		/* Receiving: with the field filled in, all ones. */
		th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, 14 + 40);
		th->cksum = want;
		assert_int_equal(cksum_ipv6_l4_verify(m, ip, 14 + 40, l4_len,
						      IPPROTO_TCP), 0);
		/* One bit flipped in the payload: wrong. */
		*rte_pktmbuf_mtod_offset(rte_pktmbuf_lastseg(m), uint8_t *,
					 rte_pktmbuf_lastseg(m)->data_len - 1) ^=
			0x10;
		assert_int_not_equal(cksum_ipv6_l4_verify(m, ip, 14 + 40,
							  l4_len, IPPROTO_TCP),
				     0);
		rte_pktmbuf_free(m);
		th = (struct rte_tcp_hdr *)(ip + 1);
	}
}

/* Without --ip6 no address block is made: an IPv4 run's memory per
 * connection does not grow; tcp.ip6_conns sets the pool's size. */
static void
test_no_ip6_no_pool(void **state)
{
	struct worker w2;
	struct dpf_config c2 = cfg;

	(void)state;
	memset(&w2, 0, sizeof(w2));
	c2.has_ip6 = 0;
	w2.app = &app;
	w2.cfg = &c2;
	w2.tcp = calloc(1, tcp_stack_size());
	assert_non_null(w2.tcp);
	assert_int_equal(tcp_stack_init(&w2, c2.max_conns), 0);
	assert_int_equal(w2.tcp->addr6_pool.n, 0);
	assert_null(w2.tcp->addr6_pool.base);
	assert_null(tcp_connect6(&w2, NULL, cfg.ip6, 80, &ops, NULL));
	tcp_stack_fini(&w2);
	/* tcp.ip6_conns sizes it when given. */
	c2.has_ip6 = 1;
	c2.tcp.ip6_conns = 5;
	assert_int_equal(tcp_stack_init(&w2, c2.max_conns), 0);
	assert_int_equal(w2.tcp->addr6_pool.n, 5);
	tcp_stack_fini(&w2);
	free(w2.tcp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup6),
		cmocka_unit_test(test_fold_collision),
		cmocka_unit_test(test_addr6_pool_full),
		cmocka_unit_test(test_cksum6),
		cmocka_unit_test(test_no_ip6_no_pool),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
