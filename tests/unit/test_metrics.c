/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the metrics endpoint (metrics.h): the control server's
 * loop in a plain pthread with only the metrics listener on loopback,
 * answering from canned stats.get and fetch.list methods, talked to by
 * real sockets.  No EAL.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "metrics.h"
#include "prom.h"

#define WAIT_MS		10000

static const char stats_text[] =
	"{\"tcp\": {\"ActiveOpens\": 7, \"CurrEstab\": 1},"
	" \"lcores\": [{\"lcore\": 1, \"tcp\": {\"ActiveOpens\": 7,"
	" \"CurrEstab\": 1}}]}";
static const char jobs_text[] =
	"{\"jobs\": [{\"job\": 1, \"state\": \"done\","
	" \"rates\": {\"rps\": 5}}]}";

static int per_lcore_asked;

static int
m_stats(struct rpc_ctx *ctx, json_t *params, json_t **result,
	struct rpc_error *err)
{
	(void)ctx;
	(void)err;
	per_lcore_asked = json_is_true(json_object_get(params, "per_lcore"));
	*result = json_loads(stats_text, 0, NULL);
	return RPC_OK;
}

static int
m_jobs(struct rpc_ctx *ctx, json_t *params, json_t **result,
       struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	*result = json_loads(jobs_text, 0, NULL);
	return RPC_OK;
}

static const struct rpc_method methods[] = {
	{ "stats.get", m_stats, "canned" },
	{ "fetch.list", m_jobs, "canned" },
};

static const struct rpc_dispatch dispatch = {
	methods, sizeof(methods) / sizeof(methods[0]), NULL
};

struct running {
	struct ctl_server *srv;
	struct metrics_server *ms;
	pthread_t thread;
	int port;
};

static void *
run_thread(void *arg)
{
	struct running *r = arg;

	ctl_server_run(r->srv);
	return NULL;
}

static struct running *
start(unsigned int max_clients, unsigned int timeout_ms,
      unsigned int max_request)
{
	struct running *r = calloc(1, sizeof(*r));
	struct ctl_config cc = { 0 };
	struct metrics_config mc = { 0 };

	assert_non_null(r);
	cc.no_listener_ok = 1;
	r->srv = ctl_server_create(&cc, methods, 2, NULL);
	if (r->srv == NULL)
		fail_msg("ctl_server_create: %s", ctl_last_error());
	mc.listen = "127.0.0.1:0";
	mc.max_clients = max_clients;
	mc.timeout_ms = timeout_ms;
	mc.max_request = max_request;
	r->ms = metrics_server_create(r->srv, &mc, &dispatch);
	if (r->ms == NULL)
		fail_msg("metrics_server_create: %s", ctl_last_error());
	r->port = metrics_server_port(r->ms);
	assert_true(r->port > 0);
	assert_int_equal(pthread_create(&r->thread, NULL, run_thread, r), 0);
	return r;
}

static void
stop(struct running *r)
{
	ctl_server_stop(r->srv);
	assert_int_equal(pthread_join(r->thread, NULL), 0);
	metrics_server_destroy(r->ms);
	ctl_server_destroy(r->srv);
	free(r);
}

static struct ctl_stats
stats_of(struct running *r)
{
	struct ctl_stats st;

	ctl_server_stats(r->srv, &st);
	return st;
}

static int
dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Everything until the server closes (or WAIT_MS); NUL-terminated. */
static char *
read_all(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t k;

	assert_non_null(buf);
	for (;;) {
		if (poll(&p, 1, WAIT_MS) <= 0)
			fail_msg("no answer within %d ms", WAIT_MS);
		if (n + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		k = recv(fd, buf + n, cap - n - 1, 0);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static char *
ask(struct running *r, const char *request)
{
	int fd = dial(r->port);
	char *got;

	assert_int_equal(send(fd, request, strlen(request), 0),
			 (ssize_t)strlen(request));
	got = read_all(fd, NULL);
	close(fd);
	return got;
}

static void
expect_status(struct running *r, const char *request, const char *status)
{
	char *got = ask(r, request);

	if (strncmp(got, status, strlen(status)) != 0)
		fail_msg("%s -> %s", request, got);
	free(got);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#define WAIT_FOR(r, field, value) do { \
	uint64_t t0_ = now_ms(); \
	while (stats_of(r).field != (uint64_t)(value)) { \
		if (now_ms() - t0_ > WAIT_MS) \
			fail_msg("%s stayed %llu, expected %llu", #field, \
				 (unsigned long long)stats_of(r).field, \
				 (unsigned long long)(value)); \
		usleep(1000); \
	} \
} while (0)

static void
test_page(void **state)
{
	struct running *r = start(0, 0, 0);
	json_t *s = json_loads(stats_text, 0, NULL);
	json_t *j = json_loads(jobs_text, 0, NULL);
	char *want = prom_text(s, j, NULL), *got, *body;

	(void)state;
	/* the whole request split over two writes */
	{
		int fd = dial(r->port);

		assert_int_equal(send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r",
				      31, 0), 31);
		usleep(20000);
		assert_int_equal(send(fd, "\n\r\n", 3, 0), 3);
		got = read_all(fd, NULL);
		close(fd);
	}
	assert_true(strncmp(got, "HTTP/1.1 200 OK\r\n", 17) == 0);
	assert_non_null(strstr(got, "Content-Type: " PROM_CONTENT_TYPE
			       "\r\n"));
	body = strstr(got, "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body + 4, want);
	assert_true(per_lcore_asked);
	free(got);
	/* a bare LF request works too; HEAD has no body */
	expect_status(r, "GET /metrics?x=1 HTTP/1.0\n\n", "HTTP/1.1 200 OK");
	got = ask(r, "HEAD /metrics HTTP/1.1\r\n\r\n");
	body = strstr(got, "\r\n\r\n");
	assert_true(body != NULL && body[4] == '\0');
	free(got);
	WAIT_FOR(r, metrics_scrapes, 3);
	WAIT_FOR(r, metrics_clients, 0);
	free(want);
	json_decref(s);
	json_decref(j);
	stop(r);
}

static void
test_refusals(void **state)
{
	struct running *r = start(0, 300, 512);
	char big[512];	/* max_request exactly: nothing left unread */
	int fd;
	uint64_t t0;

	(void)state;
	expect_status(r, "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404");
	expect_status(r, "GET /metricsx HTTP/1.1\r\n\r\n", "HTTP/1.1 404");
	expect_status(r, "POST /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 405");
	expect_status(r, "GET /metrics\r\n\r\n", "HTTP/1.1 400");
	expect_status(r, "GET /metrics FTP/1.0\r\n\r\n", "HTTP/1.1 400");
	expect_status(r, " / HTTP/1.1\r\n\r\n", "HTTP/1.1 400");
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	fd = dial(r->port);
	(void)!send(fd, big, sizeof(big), MSG_NOSIGNAL);
	{
		char *got = read_all(fd, NULL);

		assert_true(strncmp(got, "HTTP/1.1 431", 12) == 0);
		free(got);
	}
	close(fd);
	/* silent: closed at the timeout, without an answer */
	fd = dial(r->port);
	t0 = now_ms();
	{
		char *got = read_all(fd, NULL);

		assert_string_equal(got, "");
		free(got);
	}
	assert_true(now_ms() - t0 >= 250);
	close(fd);
	WAIT_FOR(r, metrics_not_found, 2);
	WAIT_FOR(r, metrics_bad_method, 1);
	WAIT_FOR(r, metrics_bad_requests, 3);
	WAIT_FOR(r, metrics_oversize, 1);
	WAIT_FOR(r, metrics_timeouts, 1);
	WAIT_FOR(r, metrics_scrapes, 0);
	WAIT_FOR(r, metrics_clients, 0);
	stop(r);
}

static void
test_slow_clients(void **state)
{
	struct running *r = start(2, 5000, 0);
	int slow[2], young[2], i;
	char *got;

	(void)state;
	/* two slow clients fill the port ... */
	for (i = 0; i < 2; i++) {
		slow[i] = dial(r->port);
		(void)!send(slow[i], "GE", 2, 0);
	}
	WAIT_FOR(r, metrics_clients, 2);
	usleep((METRICS_EVICT_AGE_MS + 50) * 1000);
	/* ... an honest scrape makes room by closing the stalest */
	expect_status(r, "GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK");
	WAIT_FOR(r, metrics_evicted, 1);
	got = read_all(slow[0], NULL);	/* closed, no answer */
	assert_string_equal(got, "");
	free(got);
	/* two young clients: a newcomer is refused, 503 */
	close(slow[0]);
	close(slow[1]);
	WAIT_FOR(r, metrics_clients, 0);
	for (i = 0; i < 2; i++)
		young[i] = dial(r->port);
	WAIT_FOR(r, metrics_clients, 2);
	expect_status(r, "GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 503");
	WAIT_FOR(r, metrics_refused, 1);
	for (i = 0; i < 2; i++)
		close(young[i]);
	WAIT_FOR(r, metrics_clients, 0);
	WAIT_FOR(r, metrics_accepted, 5);
	stop(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_slow_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
