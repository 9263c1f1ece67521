/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for what a connection holds, on real TCP connection blocks
 * that never reach the wire (EAL in --no-huge mode):
 *  - the built-in HTTP server (http_server.c): requests go in through
 *    the listener's recv callback, responses are read back from the send
 *    buffer.  Pipelining, HEAD, and the parser block held only while a
 *    request is in progress or a response is owed;
 *  - the SACK scoreboard taken from and given back to its pool.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "eal_harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config.h"
#include "http_server.h"
#include "tcp_priv.h"
#include "worker.h"

#define PORT	80
/* More distinct responses than the server has slots for. */
#define HTTPD_TEST_SIZES	80

static struct app app;
static struct dpf_config cfg;
static struct worker *w;
static uint16_t next_rport = 1000;

static int
group_setup(void **state)
{
	(void)state;
	if (ut_eal_init("test_conn_mem", "ut_httpd", "256") != 0)
		return -1;
	config_init(&cfg);
	cfg.ip = 0xc6120002;
	cfg.max_conns = 64;
	/* CUBIC: its state is a cold block (test_cc_state_pool). */
	snprintf(cfg.tcp.cc, sizeof(cfg.tcp.cc), "cubic");
	app.cfg = &cfg;
	app.pool = rte_pktmbuf_pool_create("ut_httpd", 8191, 0,
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
	return http_server_start(w, PORT) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	tcp_stack_fini(w);
	http_server_fini(w);
	free(w->tcp);
	free(w);
	rte_mempool_free(app.pool);
	rte_eal_cleanup();
	return 0;
}

/* An established connection to the server, as after the handshake. */
static struct tcp_conn *
conn_open(void)
{
	const struct tcp_listener *l = tcp_find_listener(w, PORT);
	struct tcp_conn *c;

	assert_non_null(l);
	c = tcp_accept_syn(w, l, 0xc6120001, next_rport++, cfg.ip, PORT);
	assert_non_null(c);
	tcp_set_state(w, c, TCP_ESTABLISHED);
	tcp_ops_of(w->tcp, c)->connected(w, c);
	/* Idle: the server holds nothing for it. */
	assert_null(c->app);
	return c;
}

static void
conn_done(struct tcp_conn *c)
{
	tcp_notify_closed(w, c, 0);
	/* The closed callback gave everything back. */
	assert_null(c->app);
	tcp_conn_free(w, c);
}

static void
feed(struct tcp_conn *c, const char *s)
{
	tcp_ops_of(w->tcp, c)->recv(w, c, (const uint8_t *)s,
				    (uint32_t)strlen(s));
}

/* Take what the server queued for sending (NUL-terminated, malloc'd),
 * and empty the send buffer as if the peer had acknowledged it. */
static char *
drain(struct tcp_conn *c, size_t *lenp)
{
	const struct tcp_sndbuf *sb = tcp_snd_of(w->tcp, c);
	char *out = malloc(sb->len + 1);
	struct rte_mbuf *m;
	size_t n = 0;

	assert_non_null(out);
	/* A whole response by reference (tcp_send_ref). */
	if (sndbuf_is_ref(sb)) {
		memcpy(out, sb->ref, sb->len);
		n = sb->len;
	}
	for (m = sb->head; m != NULL; m = m->next) {
		memcpy(out + n, rte_pktmbuf_mtod(m, char *), m->data_len);
		n += m->data_len;
	}
	assert_int_equal(n, sb->len);
	out[n] = '\0';
	tcp_snd_put(w, c);
	if (lenp != NULL)
		*lenp = n;
	return out;
}

static unsigned int
count(const char *hay, const char *needle)
{
	unsigned int k = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		k++;
	return k;
}

/* Three requests in one segment, one with a body, the last a HEAD with
 * Connection: close; all answered in order, nothing held afterwards. */
static void
test_pipelined_and_head(void **state)
{
	struct tcp_conn *c = conn_open();
	uint64_t req0 = w->stats.httpd.requests;
	const char *p;
	char *out;
	int i;

	(void)state;
	feed(c, "GET /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\n"
	     "POST /bytes/5 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
	     "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(w->stats.httpd.requests - req0, 3);
	out = drain(c, NULL);
	assert_int_equal(count(out, "HTTP/1.1 200 OK\r\n"), 3);
	/* The first body is the pattern, right after its head. */
	p = strstr(out, "Content-Length: 10\r\n");
	assert_non_null(p);
	p = strstr(p, "\r\n\r\n") + 4;
	for (i = 0; i < 10; i++)
		assert_int_equal((uint8_t)p[i], http_server_pattern_byte(i));
	assert_memory_equal(p + 10, "HTTP/1.1 200 OK", 15);
	/* HEAD: the length of the page, and no body after the head. */
	p = strstr(out, "Connection: close\r\n\r\n");
	assert_non_null(p);
	assert_string_equal(p, "Connection: close\r\n\r\n");
	assert_true(c->flags & TF_FIN_QUEUED);
	assert_null(c->app);
	free(out);
	conn_done(c);
}

/* The bytes of a /bytes/n response: its head says n, its body is the
 * pattern; the length of the whole, or 0. */
static size_t
check_bytes_response(const char *out, size_t len, uint64_t n)
{
	char want[64];
	const char *p;
	uint64_t i;

	snprintf(want, sizeof(want), "Content-Length: %llu\r\n",
		 (unsigned long long)n);
	if (strncmp(out, "HTTP/1.1 200 OK\r\n", 17) != 0 ||
	    strstr(out, want) == NULL)
		return 0;
	p = strstr(out, "\r\n\r\n") + 4;
	if ((size_t)(p - out) + n != len)
		return 0;
	for (i = 0; i < n; i++)
		if ((uint8_t)p[i] != http_server_pattern_byte((size_t)i))
			return 0;
	return len;
}

/* Whole responses (head and body, up to TCP_SEND_REF_MAX) go by
 * reference from the server's slots: no mbuf in the send buffer, the
 * same slot for the same response on every connection, kept without a
 * copy past the close (the slots are in the constant region).  Longer
 * ones, and new ones once every slot is taken, are copied; every
 * response has the right bytes either way. */
static void
test_whole_responses_by_reference(void **state)
{
	struct tcp_conn *c = conn_open(), *c2 = conn_open();
	uint64_t refs0 = w->stats.tcp.SendRefs;
	uint64_t copies0 = w->stats.tcp.SendRefCopies;
	const uint8_t *slot;
	unsigned int in_use, by_ref = 0, copied = 0;
	char req[64];
	uint64_t n;
	size_t len;
	char *out;

	(void)state;
	in_use = rte_mempool_in_use_count(app.pool);
	feed(c, "GET /bytes/64 HTTP/1.1\r\n\r\n");
	assert_true(sndbuf_is_ref(tcp_snd_ptr(w->tcp, c)));
	assert_int_equal(rte_mempool_in_use_count(app.pool), in_use);
	slot = tcp_snd_ptr(w->tcp, c)->ref;
	feed(c2, "GET /bytes/64 HTTP/1.1\r\n\r\n");
	assert_ptr_equal(tcp_snd_ptr(w->tcp, c2)->ref, slot);
	assert_int_equal(w->stats.tcp.SendRefs - refs0, 2);
	out = drain(c, &len);
	assert_int_equal(check_bytes_response(out, len, 64), len);
	free(out);
	out = drain(c2, &len);
	assert_int_equal(check_bytes_response(out, len, 64), len);
	free(out);

	/* Closed behind a response by reference: kept as it is. */
	feed(c2, "GET /bytes/64 HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_true(c2->flags & TF_FIN_QUEUED);
	assert_true(sndbuf_is_ref(tcp_snd_ptr(w->tcp, c2)));
	assert_int_equal(w->stats.tcp.SendRefCopies, copies0);
	out = drain(c2, &len);
	assert_non_null(strstr(out, "Connection: close\r\n"));
	free(out);

	/* Too long for a slot: copied. */
	feed(c, "GET /bytes/2000 HTTP/1.1\r\n\r\n");
	assert_false(sndbuf_is_ref(tcp_snd_ptr(w->tcp, c)));
	out = drain(c, &len);
	assert_int_equal(check_bytes_response(out, len, 2000), len);
	free(out);

	/* New sizes until the slots run out, then copies. */
	for (n = 100; n < 100 + HTTPD_TEST_SIZES; n++) {
		snprintf(req, sizeof(req), "GET /bytes/%llu HTTP/1.1\r\n\r\n",
			 (unsigned long long)n);
		feed(c, req);
		if (sndbuf_is_ref(tcp_snd_ptr(w->tcp, c))) {
			assert_int_equal(copied, 0);
			by_ref++;
		} else {
			copied++;
		}
		out = drain(c, &len);
		assert_int_equal(check_bytes_response(out, len, n), len);
		free(out);
	}
	assert_true(by_ref > 0 && by_ref < 64);
	assert_true(copied > 0);
	/* Every slot taken, the rest counted. */
	assert_int_equal(w->stats.httpd.whole_slots, 64);
	assert_int_equal(w->stats.httpd.whole_full, copied);
	/* A response seen before still has its slot. */
	feed(c, "GET /bytes/64 HTTP/1.1\r\n\r\n");
	assert_ptr_equal(tcp_snd_ptr(w->tcp, c)->ref, slot);
	free(drain(c, NULL));
	conn_done(c2);
	conn_done(c);
}

/* A request split across segments holds the parser in between; keep-alive
 * requests one after another release it each time. */
static void
test_split_and_keepalive(void **state)
{
	struct tcp_conn *c = conn_open();
	char *out;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		feed(c, "GET /bytes/3 HTTP/1.1\r\nHo");
		assert_non_null(c->app);
		assert_int_equal(tcp_snd_of(w->tcp, c)->len, 0);
		feed(c, "st: x\r\n");
		assert_non_null(c->app);
		feed(c, "\r\n");
		assert_null(c->app);
		out = drain(c, NULL);
		assert_int_equal(count(out, "HTTP/1.1 200 OK\r\n"), 1);
		assert_non_null(strstr(out, "Content-Length: 3\r\n"));
		free(out);
	}
	/* A whole request plus the start of the next: held. */
	feed(c, "GET / HTTP/1.1\r\n\r\nGET / HT");
	assert_non_null(c->app);
	free(drain(c, NULL));
	feed(c, "TP/1.1\r\n\r\n");
	assert_null(c->app);
	out = drain(c, NULL);
	assert_int_equal(count(out, "HTTP/1.1 200 OK\r\n"), 1);
	free(out);
	assert_false(c->flags & TF_FIN_QUEUED);
	/* The peer's FIN while idle closes at once. */
	tcp_ops_of(w->tcp, c)->peer_closed(w, c);
	assert_true(c->flags & TF_FIN_QUEUED);
	conn_done(c);
}

/* A response larger than the send buffer keeps the block until it has
 * all gone out, resumed by the sent callback. */
static void
test_large_response_holds_block(void **state)
{
	struct tcp_conn *c = conn_open();
	const uint64_t n = 3 * (uint64_t)cfg.tcp.sndbuf + 123;
	uint64_t got = 0;
	size_t len;
	char *out, *p;
	int rounds = 0;

	(void)state;
	feed(c, "GET /bytes/3145851 HTTP/1.1\r\n\r\n");
	assert_int_equal(n, 3145851);
	out = drain(c, &len);
	p = strstr(out, "\r\n\r\n");
	assert_non_null(p);
	got = len - (size_t)(p + 4 - out);
	free(out);
	while (c->app != NULL) {
		assert_true(++rounds < 100);
		tcp_ops_of(w->tcp, c)->sent(w, c);
		out = drain(c, &len);
		got += len;
		free(out);
	}
	assert_int_equal(got, n);
	assert_true(rounds >= 2);
	conn_done(c);
}

/* More than HTTPD_MAX_PIPELINE requests at once: the first 32 are
 * answered, then the connection is closed.  (The last head was written
 * before the overflow was seen, so it does not say Connection: close.) */
static void
test_pipeline_overflow(void **state)
{
	struct tcp_conn *c = conn_open();
	uint64_t over0 = w->stats.httpd.pipeline_overflows;
	char req[64 * 40];
	char *out;
	int i;

	(void)state;
	req[0] = '\0';
	for (i = 0; i < HTTPD_MAX_PIPELINE + 3; i++)
		strcat(req, "GET /bytes/1 HTTP/1.1\r\n\r\n");
	feed(c, req);
	assert_int_equal(w->stats.httpd.pipeline_overflows - over0, 1);
	out = drain(c, NULL);
	assert_int_equal(count(out, "HTTP/1.1 200 OK\r\n"), HTTPD_MAX_PIPELINE);
	assert_true(c->flags & TF_FIN_QUEUED);
	assert_null(c->app);
	free(out);
	/* Nothing more is parsed. */
	feed(c, "GET / HTTP/1.1\r\n\r\n");
	assert_int_equal(tcp_snd_of(w->tcp, c)->len, 0);
	assert_null(c->app);
	conn_done(c);
}

/* A malformed request: its error status, then close; nothing held. */
static void
test_parse_error(void **state)
{
	struct tcp_conn *c = conn_open();
	char *out;

	(void)state;
	feed(c, "GET / HTTP/2.0\r\n\r\n");
	out = drain(c, NULL);
	assert_memory_equal(out, "HTTP/1.1 505 ", 13);
	free(out);
	assert_true(c->flags & TF_FIN_QUEUED);
	assert_null(c->app);
	conn_done(c);
}

/* Many idle connections hold no parser; closing one mid-request gives
 * its parser back. */
static void
test_many_idle(void **state)
{
	struct tcp_conn *c[40];
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(c); i++) {
		c[i] = conn_open();
		feed(c[i], "GET /bytes/1 HTTP/1.1\r\n\r\n");
		free(drain(c[i], NULL));
		assert_null(c[i]->app);
	}
	feed(c[7], "GET /");
	assert_non_null(c[7]->app);
	for (i = 0; i < RTE_DIM(c); i++)
		conn_done(c[i]);
}

/* A connection reset or timed out in SYN_RECEIVED is reported closed
 * without ever having been connected: nothing to give back. */
static void
test_closed_before_connected(void **state)
{
	const struct tcp_listener *l = tcp_find_listener(w, PORT);
	uint64_t resets0 = w->stats.httpd.resets;
	struct tcp_conn *c;

	(void)state;
	c = tcp_accept_syn(w, l, 0xc6120001, next_rport++, cfg.ip, PORT);
	assert_non_null(c);
	tcp_notify_closed(w, c, ECONNREFUSED);
	assert_int_equal(w->stats.httpd.resets - resets0, 1);
	tcp_conn_free(w, c);
}

/* Boards come from the pool on demand and go back; an empty pool means
 * no board, counted, and a NULL board reads as empty. */
static void
test_sack_board_pool(void **state)
{
	struct tcp_conn *c = conn_open();
	unsigned int n = obj_pool_avail(&w->tcp->sack_pool);
	uint64_t nomem0 = w->stats.tcp.SackNoMem;
	void **held = calloc(n, sizeof(*held));
	struct tcp_sack_board *b;
	unsigned int i;

	(void)state;
	/* max_conns/16, at least 1024, but never more than max_conns. */
	assert_int_equal(n, cfg.max_conns);
	assert_null(tcp_sack_ptr(w->tcp, c));
	assert_int_equal(tcp_sack_of(w->tcp, c)->n, 0);
	assert_int_equal(tcp_sack_of(w->tcp, c)->sacked, 0);
	b = tcp_sack_get(w, c);
	assert_non_null(b);
	assert_ptr_equal(tcp_sack_ptr(w->tcp, c), b);
	assert_int_equal(b->n, 0);
	assert_ptr_equal(tcp_sack_get(w, c), b);
	assert_int_equal(obj_pool_avail(&w->tcp->sack_pool), n - 1);
	tcp_sack_put(w, c);
	assert_null(tcp_sack_ptr(w->tcp, c));
	tcp_sack_put(w, c);	/* twice is harmless */
	assert_int_equal(obj_pool_avail(&w->tcp->sack_pool), n);
	/* Exhausted. */
	assert_non_null(held);
	for (i = 0; i < n; i++)
		assert_non_null(held[i] = obj_pool_get(&w->tcp->sack_pool));
	assert_null(tcp_sack_get(w, c));
	assert_null(tcp_sack_ptr(w->tcp, c));
	assert_int_equal(w->stats.tcp.SackNoMem - nomem0, 1);
	obj_pool_put(&w->tcp->sack_pool, held[0]);
	assert_non_null(tcp_sack_get(w, c));
	/* Freeing the connection gives its board back. */
	conn_done(c);
	assert_int_equal(obj_pool_avail(&w->tcp->sack_pool), 1);
	for (i = 1; i < n; i++)
		obj_pool_put(&w->tcp->sack_pool, held[i]);
	free(held);
	assert_int_equal(obj_pool_avail(&w->tcp->sack_pool), n);
}

/* CUBIC's state comes from the pool only past slow start or at a loss,
 * and goes back with the connection; an exhausted pool is counted once
 * per connection and the algorithm goes on without it (NewReno's
 * growth, CUBIC's beta). */
static void
test_cc_state_pool(void **state)
{
	struct obj_pool *pool = &w->tcp->cc_pool;
	struct tcp_conn *c = conn_open();
	uint32_t n = obj_pool_avail(pool), i;
	uint64_t nomem0 = w->stats.tcp.CcNoMem;
	void **held = calloc(n, sizeof(*held));

	(void)state;
	assert_non_null(held);
	assert_int_equal(n, cfg.max_conns);
	assert_ptr_equal(w->tcp->cc_ops, &tcp_cc_cubic);
	/* Established and in slow start: none taken. */
	assert_null(c->cc.cubic);
	tcp_cc_ready(w, c);
	assert_non_null(c->cc.cubic);
	assert_int_equal(obj_pool_avail(pool), n - 1);
	tcp_cc_detach(w, c);
	assert_null(c->cc.cubic);
	assert_int_equal(obj_pool_avail(pool), n);

	for (i = 0; i < n; i++)
		assert_non_null(held[i] = obj_pool_get(pool));
	tcp_cc_ready(w, c);
	tcp_cc_ready(w, c);
	assert_null(c->cc.cubic);
	assert_int_equal(w->stats.tcp.CcNoMem - nomem0, 1);
	c->cc.cwnd = 20 * c->cc.mss;
	w->tcp->cc_ops->on_loss(&c->cc, 20 * c->cc.mss, w->now_us);
	assert_int_equal(c->cc.cwnd,
			 (uint32_t)((double)(20 * c->cc.mss) * CUBIC_BETA));
	/* One back: the next event takes it; freeing gives it back. */
	obj_pool_put(pool, held[0]);
	tcp_cc_ready(w, c);
	assert_non_null(c->cc.cubic);
	assert_int_equal(obj_pool_avail(pool), 0);
	conn_done(c);
	assert_int_equal(obj_pool_avail(pool), 1);
	for (i = 1; i < n; i++)
		obj_pool_put(pool, held[i]);
	free(held);
	assert_int_equal(obj_pool_avail(pool), n);
}

/*
 * Send buffers are charged at their true size: tiny writes share the
 * tail mbuf, tiny mbufs queued by reference cost a pool element each;
 * under pool pressure a connection holding much gets no more, one
 * holding little still does; when the pool is low nobody does; the
 * connections refused are woken when memory returns.
 */
static void
test_send_true_size_and_pressure(void **state)
{
	struct tcp_conn *a = conn_open(), *b = conn_open();
	uint32_t elt = app.pool->elt_size, i, space;
	uint64_t refused = w->stats.tcp.SndLowMemRefused;
	uint64_t wakeups = w->stats.tcp.SndLowMemWakeups;
	uint64_t scans = w->stats.tcp.SndLowMemScans;
	unsigned int before = rte_mempool_in_use_count(app.pool);
	struct tcp_conn **fifo;

	(void)state;
	assert_int_equal(tcp_send_space(w, a), cfg.tcp.sndbuf);
	/* 1000 one-byte writes: one mbuf. */
	for (i = 0; i < 1000; i++)
		assert_int_equal(tcp_send(w, a, "x", 1), 1);
	assert_int_equal(tcp_snd_of(w->tcp, a)->len, 1000);
	assert_int_equal(tcp_snd_of(w->tcp, a)->truesize, elt);
	assert_int_equal(rte_mempool_in_use_count(app.pool), before + 1);
	/* 400 one-byte mbufs by reference: 400 elements, and the space
	 * left says so (half the true size, as Linux doubles sndbuf). */
	for (i = 0; i < 400; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(app.pool);

		assert_non_null(m);
		*rte_pktmbuf_mtod(m, char *) = 'y';
		m->data_len = 1;
		m->pkt_len = 1;
		assert_int_equal(tcp_send_mbuf(w, a, m), 1);
	}
	assert_int_equal(tcp_snd_of(w->tcp, a)->len, 1400);
	assert_int_equal(tcp_snd_of(w->tcp, a)->truesize, 401 * elt);
	assert_int_equal(tcp_send_space(w, a),
			 cfg.tcp.sndbuf - 401 * elt / 2);
	/* Pressure: a holds more than snd_pressure_bytes, b nothing. */
	w->mbufs_pressure = 1;
	assert_int_equal(tcp_send_space(w, a), 0);
	assert_int_equal(tcp_send(w, a, "z", 1), 0);
	assert_true(a->mem_flags & TCP_MF_SND_STARVED);
	space = tcp_send_space(w, b);
	assert_int_equal(space, cfg.tcp.snd_pressure_bytes);
	assert_false(b->mem_flags & TCP_MF_SND_STARVED);
	/* Low: nobody grows. */
	w->mbufs_low = 1;
	assert_int_equal(tcp_send_space(w, b), 0);
	assert_true(b->mem_flags & TCP_MF_SND_STARVED);
	assert_int_equal(w->snd_starved, 2);
	assert_int_equal(w->stats.tcp.SndLowMemRefused, refused + 2);
	/* Memory returns: both are woken, once. */
	w->mbufs_low = 0;
	w->mbufs_pressure = 0;
	tcp_mem_wake(w);
	assert_int_equal(w->snd_starved, 0);
	assert_false(a->mem_flags & TCP_MF_SND_STARVED);
	assert_false(b->mem_flags & TCP_MF_SND_STARVED);
	assert_int_equal(w->stats.tcp.SndLowMemWakeups, wakeups + 2);
	/* Found from the FIFO of starved connections, not the table. */
	assert_int_equal(w->stats.tcp.SndLowMemScans, scans);
	assert_int_equal(w->tcp->starved_head, w->tcp->starved_tail);
	/* Starved past the FIFO (none here): one scan of the table finds
	 * them. */
	fifo = w->tcp->starved_fifo;
	w->tcp->starved_fifo = NULL;
	w->mbufs_low = 1;
	assert_int_equal(tcp_send_space(w, a), 0);
	assert_int_equal(tcp_send_space(w, b), 0);
	assert_int_equal(w->snd_starved, 2);
	w->mbufs_low = 0;
	tcp_mem_wake(w);
	w->tcp->starved_fifo = fifo;
	assert_int_equal(w->snd_starved, 0);
	assert_int_equal(w->stats.tcp.SndLowMemWakeups, wakeups + 4);
	assert_int_equal(w->stats.tcp.SndLowMemScans, scans + 1);
	/* Low again during a wake: the rest stay marked, for the next. */
	w->mbufs_low = 1;
	assert_int_equal(tcp_send_space(w, a), 0);
	assert_int_equal(tcp_send_space(w, b), 0);
	tcp_mem_wake(w);
	assert_int_equal(w->snd_starved, 2);
	w->mbufs_low = 0;
	tcp_mem_wake(w);
	assert_int_equal(w->snd_starved, 0);
	assert_int_equal(w->stats.tcp.SndLowMemWakeups, wakeups + 6);
	assert_int_equal(w->stats.tcp.SndLowMemScans, scans + 1);
	assert_int_equal(tcp_send(w, a, "z", 1), 1);
	/* A starved connection that goes away is no longer counted. */
	w->mbufs_low = 1;
	assert_int_equal(tcp_send_space(w, b), 0);
	assert_int_equal(w->snd_starved, 1);
	w->mbufs_low = 0;
	free(drain(a, NULL));
	conn_done(a);
	conn_done(b);
	assert_int_equal(w->snd_starved, 0);
	assert_int_equal(rte_mempool_in_use_count(app.pool), before);
}

/*
 * The send buffer is a cold block: an idle connection holds none, a
 * write takes one, the last byte acknowledged (drained) gives it back.
 * With the pool exhausted a writer is refused (SndNoMem, marked
 * starved) and woken once a block goes back, then queues.
 */
static void
test_snd_pool(void **state)
{
	struct obj_pool *pool = &w->tcp->snd_pool;
	struct tcp_conn *a = conn_open(), *b = conn_open();
	uint64_t nomem = w->stats.tcp.SndNoMem;
	uint64_t wakeups = w->stats.tcp.SndLowMemWakeups;
	unsigned int before = rte_mempool_in_use_count(app.pool);
	uint32_t avail = obj_pool_avail(pool), n = 0;
	void **taken = calloc(avail, sizeof(*taken));

	(void)state;
	assert_non_null(taken);
	assert_int_equal(a->snd_i, 0);
	assert_int_equal(b->snd_i, 0);
	assert_int_equal(tcp_send(w, b, "y", 1), 1);
	assert_int_not_equal(b->snd_i, 0);
	assert_int_equal(obj_pool_avail(pool), avail - 1);
	/* Exhaust the pool: a gets no buffer, is refused and marked. */
	while ((taken[n] = obj_pool_get(pool)) != NULL)
		n++;
	assert_int_equal(n, avail - 1);
	assert_int_equal(tcp_send_space(w, a), 0);
	assert_int_equal(tcp_send(w, a, "x", 1), 0);
	assert_int_equal(a->snd_i, 0);
	assert_true(a->mem_flags & TCP_MF_SND_STARVED);
	assert_int_equal(w->snd_starved, 1);
	assert_int_equal(w->stats.tcp.SndNoMem, nomem + 1);
	/* b's data acknowledged: its block goes back, the flush is told
	 * to wake a (tcp_output_flush calls tcp_mem_wake). */
	assert_int_equal(w->tcp->snd_refused, 1);
	free(drain(b, NULL));
	assert_int_equal(b->snd_i, 0);
	assert_int_equal(w->tcp->snd_wake, 1);
	w->tcp->snd_wake = 0;
	w->tcp->snd_refused = 0;
	tcp_mem_wake(w);
	assert_int_equal(w->snd_starved, 0);
	assert_int_equal(w->stats.tcp.SndLowMemWakeups, wakeups + 1);
	assert_int_equal(tcp_send(w, a, "x", 1), 1);
	assert_int_not_equal(a->snd_i, 0);
	free(drain(a, NULL));
	while (n > 0)
		obj_pool_put(pool, taken[--n]);
	free(taken);
	assert_int_equal(obj_pool_avail(pool), avail);
	conn_done(a);
	conn_done(b);
	assert_int_equal(rte_mempool_in_use_count(app.pool), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined_and_head),
		cmocka_unit_test(test_split_and_keepalive),
		cmocka_unit_test(test_whole_responses_by_reference),
		cmocka_unit_test(test_large_response_holds_block),
		cmocka_unit_test(test_pipeline_overflow),
		cmocka_unit_test(test_parse_error),
		cmocka_unit_test(test_many_idle),
		cmocka_unit_test(test_closed_before_connected),
		cmocka_unit_test(test_sack_board_pool),
		cmocka_unit_test(test_cc_state_pool),
		cmocka_unit_test(test_send_true_size_and_pressure),
		cmocka_unit_test(test_snd_pool),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
