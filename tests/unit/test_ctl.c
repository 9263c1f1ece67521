/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the control server (ctl.h): the real server in a plain
 * pthread on a UNIX socket in a temporary directory (and on loopback TCP),
 * talked to by real clients.  No EAL.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "ctl.h"
#include "ctl_token.h"

#define WAIT_MS		10000	/* longest wait for any reply */
#define TOKEN	"0123456789abcdef"	/* CTL_TOKEN_MIN characters */

/* Deferred states freed, from the server thread. */
static int n_freed;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Test methods */

static int
m_echo(struct rpc_ctx *ctx, json_t *params, json_t **result,
       struct rpc_error *err)
{
	(void)ctx;
	(void)err;
	*result = params != NULL ? json_incref(params) : NULL;
	return RPC_OK;
}

static int
m_fail(struct rpc_ctx *ctx, json_t *params, json_t **result,
       struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)result;
	return rpc_error_set(err, -32010, "this method always fails");
}

struct sleep_state {
	uint64_t deadline;
	int64_t ms;
};

static void
sleep_free(void *state)
{
	__atomic_fetch_add(&n_freed, 1, __ATOMIC_RELAXED);
	free(state);
}

static int
sleep_poll(struct rpc_ctx *ctx, void *state, json_t **result,
	   struct rpc_error *err)
{
	struct sleep_state *s = state;

	(void)ctx;
	(void)err;
	if (now_ms() < s->deadline)
		return RPC_PENDING;
	*result = json_pack("{s:I}", "slept", (json_int_t)s->ms);
	return RPC_OK;
}

/* Answers after params.ms milliseconds. */
static int
m_sleep(struct rpc_ctx *ctx, json_t *params, json_t **result,
	struct rpc_error *err)
{
	static const char *const allowed[] = { "ms", NULL };
	struct sleep_state *s;
	int64_t ms;

	(void)result;
	if (rpc_params_check(params, allowed, err) < 0 ||
	    rpc_param_int(params, "ms", RPC_REQUIRED, 0, 600000, &ms,
			  err) < 0)
		return RPC_ERROR;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	s->ms = ms;
	s->deadline = now_ms() + (uint64_t)ms;
	rpc_defer(ctx, sleep_poll, s, sleep_free);
	return RPC_PENDING;
}

static const struct rpc_method methods[] = {
	{ "echo", m_echo, "returns its params" },
	{ "fail", m_fail, "fails" },
	{ "sleep", m_sleep, "answers after params.ms milliseconds" },
};

/* A server on its own thread */

struct running {
	struct ctl_server *srv;
	pthread_t thread;
	int rc;
};

static void *
run_thread(void *arg)
{
	struct running *r = arg;

	r->rc = ctl_server_run(r->srv);
	return NULL;
}

static struct running *
server_start(const struct ctl_config *cfg)
{
	struct running *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->srv = ctl_server_create(cfg, methods,
				   sizeof(methods) / sizeof(methods[0]), NULL);
	if (r->srv == NULL)
		fail_msg("ctl_server_create: %s", ctl_last_error());
	assert_int_equal(pthread_create(&r->thread, NULL, run_thread, r), 0);
	return r;
}

static void
server_stop(struct running *r)
{
	ctl_server_stop(r->srv);
	assert_int_equal(pthread_join(r->thread, NULL), 0);
	assert_int_equal(r->rc, 0);
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

/* Wait until a counter reaches a value (the server thread is async). */
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

/* Per-test fixture: a temporary directory and a server in it. */
struct fixture {
	char dir[64];
	char sub[96];
	char path[128];
	struct running *r;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ctl_config cfg = { 0 };

	strcpy(f->dir, "/tmp/dpf-ctl-test.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	/* The parent directory does not exist yet: the server makes it. */
	snprintf(f->sub, sizeof(f->sub), "%s/run", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/ctl.sock", f->sub);
	cfg.unix_path = f->path;
	f->r = server_start(&cfg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	if (f->r != NULL)
		server_stop(f->r);
	/* The socket file goes with the server. */
	assert_int_equal(lstat(f->path, &st), -1);
	rmdir(f->sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Clients */

struct client {
	int fd;
	char *buf;
	size_t len, cap;
};

static void
client_init(struct client *c, int fd)
{
	c->fd = fd;
	c->buf = NULL;
	c->len = 0;
	c->cap = 0;
}

static int
connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	return fd;
}

static int
connect_tcp(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_msg("connect 127.0.0.1:%d: %s", port, strerror(errno));
	return fd;
}

static void
send_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail_msg("send: %s", strerror(errno));
		s += n;
		len -= (size_t)n;
	}
}

static void
send_str(struct client *c, const char *s)
{
	send_all(c->fd, s, strlen(s));
}

/*
 * The next line (newline stripped, malloc'ed), or NULL at EOF.  Fails
 * the test after WAIT_MS without one.
 */
static char *
read_line(struct client *c)
{
	uint64_t t0 = now_ms();
	char *nl, *line;
	size_t n;

	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t got;

		nl = c->len > 0 ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl != NULL)
			break;
		if (now_ms() - t0 > WAIT_MS)
			fail_msg("no reply within %d ms", WAIT_MS);
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (c->cap - c->len < 65536) {
			c->cap = c->cap != 0 ? c->cap * 2 : 65536;
			c->buf = realloc(c->buf, c->cap);
			assert_non_null(c->buf);
		}
		got = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return NULL;
		c->len += (size_t)got;
	}
	n = (size_t)(nl - c->buf);
	line = malloc(n + 1);
	assert_non_null(line);
	memcpy(line, c->buf, n);
	line[n] = '\0';
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return line;
}

static json_t *
read_reply(struct client *c)
{
	char *line = read_line(c);
	json_error_t jerr;
	json_t *v;

	if (line == NULL)
		fail_msg("connection closed, a reply was expected");
	v = json_loads(line, JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		fail_msg("reply is not JSON: %.200s", line);
	free(line);
	return v;
}

static void
client_close(struct client *c)
{
	close(c->fd);
	free(c->buf);
	c->buf = NULL;
}

/* The reply is an error with this code and message. */
static void
expect_error(struct client *c, int code, const char *message)
{
	json_t *r = read_reply(c), *e;

	e = json_object_get(r, "error");
	if (e == NULL)
		fail_msg("expected error %d, got %s", code,
			 json_dumps(r, JSON_COMPACT));
	assert_int_equal(json_integer_value(json_object_get(e, "code")), code);
	assert_string_equal(json_string_value(json_object_get(e, "message")),
			    message);
	json_decref(r);
}

/* An echo round trip works: the connection is still usable. */
static void
expect_echo(struct client *c, int id)
{
	char line[128];
	json_t *r;

	snprintf(line, sizeof(line),
		 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[%d],\"id\":%d}\n",
		 id, id);
	send_str(c, line);
	r = read_reply(c);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), id);
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(r, "result"), 0)), id);
	json_decref(r);
}

/* Tests */

static void
test_basic(void **state)
{
	struct fixture *f = *state;
	struct client c;
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(ctl_server_tcp_port(f->r->srv), -1);

	client_init(&c, connect_unix(f->path));
	expect_echo(&c, 1);
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"id\":2}\n");
	expect_error(&c, -32010, "this method always fails");
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"fetch.strat\",\"id\":3}\n");
	expect_error(&c, RPC_METHOD_NOT_FOUND, "unknown method 'fetch.strat'");
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":{\"mss\":1},\"id\":4}\n");
	expect_error(&c, RPC_INVALID_PARAMS, "unknown parameter 'mss'");
	/* A notification, then a request: only the request is answered. */
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}\n");
	expect_echo(&c, 5);
	client_close(&c);
	WAIT_FOR(f->r, clients, 0);
}

static void
test_garbage(void **state)
{
	struct fixture *f = *state;
	struct client c;
	json_t *r;

	client_init(&c, connect_unix(f->path));
	send_str(&c, "garbage\n");
	r = read_reply(&c);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "error"), "code")), RPC_PARSE_ERROR);
	assert_true(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	send_all(c.fd, "\x00\xff{[\n", 5);
	r = read_reply(&c);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "error"), "code")), RPC_PARSE_ERROR);
	json_decref(r);
	send_str(&c, "[]\n");
	expect_error(&c, RPC_INVALID_REQUEST,
		     "empty batch: expected at least one request");
	/* Blank lines and CRLF are fine. */
	send_str(&c, "\n\r\n");
	expect_echo(&c, 7);
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1],\"id\":8}\r\n");
	json_decref(read_reply(&c));
	client_close(&c);
}

static void
test_half_line_then_disconnect(void **state)
{
	struct fixture *f = *state;
	struct client a, b;

	client_init(&a, connect_unix(f->path));
	send_str(&a, "{\"jsonrpc\":\"2.0\",\"meth");
	client_init(&b, connect_unix(f->path));
	WAIT_FOR(f->r, clients, 2);
	client_close(&a);
	WAIT_FOR(f->r, clients, 1);
	expect_echo(&b, 1);

	/* A half close gets its last line answered, newline or not. */
	send_str(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[2],\"id\":2}");
	shutdown(b.fd, SHUT_WR);
	json_decref(read_reply(&b));
	assert_null(read_line(&b));	/* then the server closes */
	client_close(&b);
	WAIT_FOR(f->r, clients, 0);
}

static void
test_long_line(void **state)
{
	struct fixture *f = *state;
	size_t n = 2 * 1024 * 1024;
	char *big = malloc(n + 1);
	struct client c;

	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\n';
	client_init(&c, connect_unix(f->path));
	expect_echo(&c, 1);
	send_all(c.fd, big, n + 1);
	expect_error(&c, RPC_PARSE_ERROR, "line exceeds 1048576 bytes");
	expect_echo(&c, 2);

	/* Again with the rest of the line and the next request in one go. */
	send_all(c.fd, big, n / 2 + 100);
	send_all(c.fd, big, n / 2);
	send_str(&c, "\n{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[3],\"id\":3}\n");
	expect_error(&c, RPC_PARSE_ERROR, "line exceeds 1048576 bytes");
	json_decref(read_reply(&c));
	expect_echo(&c, 4);
	client_close(&c);
	free(big);
}

static void
test_burst(void **state)
{
	struct fixture *f = *state;
	const int n = 10000;
	size_t cap = (size_t)n * 96, len = 0;
	char *buf = malloc(cap);
	struct client c;
	json_t *r;
	int i;

	assert_non_null(buf);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len,
			"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[%d],\"id\":%d}\n",
			i * 3, i);
	client_init(&c, connect_unix(f->path));
	send_all(c.fd, buf, len);
	for (i = 0; i < n; i++) {
		r = read_reply(&c);
		assert_int_equal(json_integer_value(json_object_get(r, "id")), i);
		assert_int_equal(json_integer_value(json_array_get(
			json_object_get(r, "result"), 0)), i * 3);
		json_decref(r);
	}
	client_close(&c);
	free(buf);
}

struct churn_arg {
	const char *path;
	int rounds;
	int id;
};

static void *
churn_thread(void *arg)
{
	struct churn_arg *a = arg;
	char line[128];
	int i;

	for (i = 0; i < a->rounds; i++) {
		struct client c;
		json_t *r;

		client_init(&c, connect_unix(a->path));
		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":%d}\n",
			 a->id * 1000 + i);
		send_str(&c, line);
		r = read_reply(&c);
		assert_int_equal(json_integer_value(json_object_get(r, "id")),
				 a->id * 1000 + i);
		json_decref(r);
		client_close(&c);
	}
	return NULL;
}

static void
test_many_clients(void **state)
{
	struct fixture *f = *state;
	enum { N_OPEN = 300, N_THREADS = 8, ROUNDS = 25 };
	static struct client cs[N_OPEN];
	struct churn_arg args[N_THREADS];
	pthread_t th[N_THREADS];
	int i;

	/* 300 at once, all served. */
	for (i = 0; i < N_OPEN; i++)
		client_init(&cs[i], connect_unix(f->path));
	for (i = 0; i < N_OPEN; i++)
		send_str(&cs[i], "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1],\"id\":1}\n");
	for (i = N_OPEN - 1; i >= 0; i--)
		json_decref(read_reply(&cs[i]));
	WAIT_FOR(f->r, clients, N_OPEN);
	for (i = 0; i < N_OPEN; i++)
		client_close(&cs[i]);
	WAIT_FOR(f->r, clients, 0);

	/* 200 more coming and going concurrently. */
	for (i = 0; i < N_THREADS; i++) {
		args[i].path = f->path;
		args[i].rounds = ROUNDS;
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, churn_thread,
						&args[i]), 0);
	}
	for (i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);
	WAIT_FOR(f->r, clients, 0);
	assert_int_equal(stats_of(f->r).accepted,
			 N_OPEN + N_THREADS * ROUNDS);
}

static void
test_pending_blocks_only_its_client(void **state)
{
	struct fixture *f = *state;
	struct client a, b;
	uint64_t t0;
	json_t *r;

	client_init(&a, connect_unix(f->path));
	client_init(&b, connect_unix(f->path));
	t0 = now_ms();
	/* A sleep and an echo in one write: replies in that order. */
	send_str(&a, "{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":{\"ms\":300},\"id\":1}\n"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[2],\"id\":2}\n");
	WAIT_FOR(f->r, pending, 1);
	/* Meanwhile b is served at once. */
	expect_echo(&b, 9);
	assert_true(now_ms() - t0 < 300);
	r = read_reply(&a);
	assert_true(now_ms() - t0 >= 300);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "result"), "slept")), 300);
	json_decref(r);
	r = read_reply(&a);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	json_decref(r);

	/* A batch waits for its slowest member. */
	send_str(&a, "[{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":{\"ms\":50},\"id\":1},"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":2},"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":{\"ms\":20},\"id\":3}]\n");
	r = read_reply(&a);
	assert_int_equal(json_array_size(r), 3);
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(r, 2), "id")), 3);
	json_decref(r);
	client_close(&a);
	client_close(&b);
}

static void
test_disconnect_while_pending(void **state)
{
	struct fixture *f = *state;
	int freed = __atomic_load_n(&n_freed, __ATOMIC_RELAXED);
	struct client a;
	uint64_t t0 = now_ms();

	client_init(&a, connect_unix(f->path));
	send_str(&a, "{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":{\"ms\":60000},\"id\":1}\n"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":2}\n");
	WAIT_FOR(f->r, pending, 1);
	client_close(&a);
	WAIT_FOR(f->r, pending, 0);
	WAIT_FOR(f->r, clients, 0);
	/* Cancelled, not completed: long before the 60 s. */
	assert_int_equal(__atomic_load_n(&n_freed, __ATOMIC_RELAXED),
			 freed + 1);
	assert_true(now_ms() - t0 < WAIT_MS);

	/* And one still pending at server shutdown: destroy frees it. */
	client_init(&a, connect_unix(f->path));
	send_str(&a, "{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":{\"ms\":60000},\"id\":1}\n");
	WAIT_FOR(f->r, pending, 1);
	server_stop(f->r);
	f->r = NULL;
	assert_int_equal(__atomic_load_n(&n_freed, __ATOMIC_RELAXED),
			 freed + 2);
	assert_null(read_line(&a));
	client_close(&a);
}

static void
test_socket_file(void **state)
{
	struct fixture *f = *state;
	struct ctl_config cfg = { .unix_path = f->path };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[256], other[160];
	struct running *r;
	int fd;

	/* A live one is not taken over. */
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	snprintf(msg, sizeof(msg), "another dpfetch is listening on %s",
		 f->path);
	assert_string_equal(ctl_last_error(), msg);
	/* Still served. */
	{
		struct client c;

		client_init(&c, connect_unix(f->path));
		expect_echo(&c, 1);
		client_close(&c);
	}

	/* A stale one (bound, nobody listening) is replaced. */
	snprintf(other, sizeof(other), "%s/stale.sock", f->sub);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, other);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	cfg.unix_path = other;
	r = server_start(&cfg);
	{
		struct client c;

		client_init(&c, connect_unix(other));
		expect_echo(&c, 2);
		client_close(&c);
	}
	server_stop(r);
	assert_int_equal(access(other, F_OK), -1);

	/* A file that is no socket is left alone. */
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	snprintf(msg, sizeof(msg), "%s exists and is not a socket", other);
	assert_string_equal(ctl_last_error(), msg);
	assert_int_equal(unlink(other), 0);

	/* Bad configurations. */
	cfg.unix_path = NULL;
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	cfg.tcp_listen = "127.0.0.1:0";
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	assert_non_null(strstr(ctl_last_error(), "needs a token"));
	cfg.tcp_token = TOKEN;
	cfg.tcp_listen = "localhost:0";
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	cfg.tcp_listen = "127.0.0.1";
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	assert_non_null(strstr(ctl_last_error(), "expected ADDR:PORT"));
}


/* A TCP client from a given loopback source address. */
static int
connect_tcp_from(int port, const char *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sockaddr_in me = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, src, &me.sin_addr), 1);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
		fail_msg("bind %s: %s", src, strerror(errno));
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_msg("connect 127.0.0.1:%d: %s", port, strerror(errno));
	return fd;
}

/* The next reply is an error with this code whose message contains s. */
static void
expect_error_has(struct client *c, int code, const char *s)
{
	json_t *r = read_reply(c), *e;

	e = json_object_get(r, "error");
	if (e == NULL)
		fail_msg("expected error %d, got %s", code,
			 json_dumps(r, JSON_COMPACT));
	assert_int_equal(json_integer_value(json_object_get(e, "code")), code);
	if (strstr(json_string_value(json_object_get(e, "message")), s) ==
	    NULL)
		fail_msg("message '%s' lacks '%s'",
			 json_string_value(json_object_get(e, "message")), s);
	json_decref(r);
}

/* The server closed the connection (after what was read). */
static void
expect_eof(struct client *c)
{
	char *line = read_line(c);

	if (line != NULL)
		fail_msg("expected the connection closed, got %.200s", line);
}

static void
authenticate(struct client *c)
{
	json_t *r;

	send_str(c, "{\"jsonrpc\":\"2.0\",\"method\":\"ctl.auth\",\"auth\":\""
		 TOKEN "\",\"id\":\"a\"}\n");
	r = read_reply(c);
	assert_true(json_is_true(json_object_get(json_object_get(r, "result"),
						 "authenticated")));
	json_decref(r);
}

static void
test_tcp(void **state)
{
	struct fixture *f = *state;
	struct ctl_config cfg = {
		.tcp_listen = "127.0.0.1:0",
		.tcp_token = TOKEN,
		.backoff_base_ms = 1,
		.backoff_max_ms = 1,
	};
	struct running *r;
	struct client c, u;
	int port;

	r = server_start(&cfg);
	port = ctl_server_tcp_port(r->srv);
	assert_true(port > 0);
	/* No token: one error, then the connection is closed. */
	client_init(&c, connect_tcp(port));
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}\n");
	expect_error(&c, RPC_UNAUTHORIZED,
		     "missing member 'auth' (a token is required on this listener)");
	expect_eof(&c);
	client_close(&c);
	usleep(5000);	/* past the back-off */
	/* A token in the first request authenticates the connection, and
	 * the request runs (dpfetchctl sends it in every request). */
	client_init(&c, connect_tcp(port));
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"" TOKEN
		 "\",\"params\":[3],\"id\":3}\n");
	{
		json_t *rep = read_reply(&c);

		assert_int_equal(json_integer_value(json_array_get(
			json_object_get(rep, "result"), 0)), 3);
		json_decref(rep);
	}
	/* Then no token is needed any more. */
	expect_echo(&c, 4);
	client_close(&c);
	/* ctl.auth only authenticates. */
	client_init(&c, connect_tcp(port));
	authenticate(&c);
	expect_echo(&c, 5);
	client_close(&c);
	WAIT_FOR(r, auth_ok, 2);
	WAIT_FOR(r, auth_failures, 1);
	server_stop(r);

	/* Both listeners: the UNIX one needs no token. */
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/both.sock", f->sub);
		cfg.unix_path = path;
		r = server_start(&cfg);
		client_init(&u, connect_unix(path));
		expect_echo(&u, 4);
		client_init(&c, connect_tcp(ctl_server_tcp_port(r->srv)));
		send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":5}\n");
		expect_error(&c, RPC_UNAUTHORIZED,
			     "missing member 'auth' (a token is required on this listener)");
		client_close(&c);
		client_close(&u);
		server_stop(r);
	}
}

/* A wrong token closes the connection and delays the next attempt from
 * that address, doubling; other addresses and the UNIX socket are not
 * delayed; the right token later clears the address. */
static void
test_wrong_token_backoff(void **state)
{
	struct fixture *f = *state;
	struct ctl_config cfg = {
		.tcp_listen = "127.0.0.1:0",
		.tcp_token = TOKEN,
		.backoff_base_ms = 500,
		.backoff_max_ms = 5000,
	};
	char path[160];
	struct running *r;
	struct client c, u, o;
	uint64_t t0;
	int port;

	snprintf(path, sizeof(path), "%s/bo.sock", f->sub);
	cfg.unix_path = path;
	r = server_start(&cfg);
	port = ctl_server_tcp_port(r->srv);
	client_init(&c, connect_tcp(port));
	t0 = now_ms();
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"0123456789abcdeX\",\"id\":1}\n{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":2}\n");
	expect_error(&c, RPC_UNAUTHORIZED, "auth: wrong token");
	expect_eof(&c);		/* the second line never ran */
	client_close(&c);
	assert_int_equal(stats_of(r).auth_failures, 1);
	/* Delayed: refused at once with a clear message. */
	client_init(&c, connect_tcp(port));
	expect_error_has(&c, CTL_ERR_DELAYED,
			 "too many failed authentications from 127.0.0.1: retry in ");
	expect_eof(&c);
	client_close(&c);
	WAIT_FOR(r, delayed, 1);
	/* Another address and the UNIX socket are served meanwhile. */
	client_init(&o, connect_tcp_from(port, "127.0.0.2"));
	authenticate(&o);
	expect_echo(&o, 7);
	client_init(&u, connect_unix(path));
	expect_echo(&u, 8);
	/* ... while 127.0.0.1 is still delayed (unless this machine is so
	 * slow that the delay has passed already). */
	if (now_ms() - t0 < 450) {
		client_init(&c, connect_tcp(port));
		expect_error_has(&c, CTL_ERR_DELAYED, "retry in");
		client_close(&c);
	}
	/* After the delay: a second wrong token doubles it. */
	while (now_ms() - t0 < 520)
		usleep(10 * 1000);
	client_init(&c, connect_tcp(port));
	t0 = now_ms();
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"ctl.auth\",\"auth\":\"nope\",\"id\":1}\n");
	expect_error(&c, RPC_UNAUTHORIZED, "auth: wrong token");
	expect_eof(&c);
	client_close(&c);
	usleep(550 * 1000);	/* past 500, not past 1000 */
	client_init(&c, connect_tcp(port));
	if (now_ms() - t0 < 980)
		expect_error_has(&c, CTL_ERR_DELAYED, "retry in");
	client_close(&c);
	while (now_ms() - t0 < 1020)	/* past 1000 */
		usleep(10 * 1000);
	client_init(&c, connect_tcp(port));
	authenticate(&c);
	expect_echo(&c, 9);
	client_close(&c);
	/* The right token cleared the address: the next guess is tested. */
	client_init(&c, connect_tcp(port));
	send_str(&c, "{\"auth\":\"x\"}\n");
	expect_error(&c, RPC_UNAUTHORIZED, "auth: wrong token");
	client_close(&c);
	assert_int_equal(stats_of(r).auth_failures, 3);
	assert_true(stats_of(r).delayed >= 1);
	client_close(&o);
	client_close(&u);
	server_stop(r);
}

/* Before the token, a line may have 1 KiB; after it, the normal limit. */
static void
test_preauth_line_limit(void **state)
{
	struct ctl_config cfg = {
		.tcp_listen = "127.0.0.1:0",
		.tcp_token = TOKEN,
		.backoff_base_ms = 1,
		.backoff_max_ms = 1,
	};
	struct running *r;
	struct client c;
	char *big;
	size_t n = 64 * 1024;
	int port;

	(void)state;
	big = malloc(n + 128);
	assert_non_null(big);
	r = server_start(&cfg);
	port = ctl_server_tcp_port(r->srv);
	/* A partial line past the limit: answered and closed at once. */
	client_init(&c, connect_tcp(port));
	memset(big, ' ', 2000);
	send_all(c.fd, big, 2000);
	expect_error(&c, RPC_UNAUTHORIZED,
		     "a line before authentication may have at most 1024 bytes");
	expect_eof(&c);
	client_close(&c);
	WAIT_FOR(r, preauth_oversize, 1);
	usleep(5000);
	/* A whole line over the limit, even carrying the right token. */
	client_init(&c, connect_tcp(port));
	snprintf(big, n, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\""
		 TOKEN "\",\"params\":[\"%01100d\"],\"id\":1}\n", 0);
	send_str(&c, big);
	expect_error(&c, RPC_UNAUTHORIZED,
		     "a line before authentication may have at most 1024 bytes");
	client_close(&c);
	WAIT_FOR(r, preauth_oversize, 2);
	usleep(5000);
	/* Authenticated, a 64 KiB line is fine. */
	client_init(&c, connect_tcp(port));
	authenticate(&c);
	memset(big, 0, n + 128);
	strcpy(big, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"");
	memset(big + strlen(big), 'z', n - 100);
	strcat(big, "\"],\"id\":2}\n");
	send_str(&c, big);
	{
		json_t *rep = read_reply(&c);

		assert_int_equal(strlen(json_string_value(json_array_get(
			json_object_get(rep, "result"), 0))), n - 100);
		json_decref(rep);
	}
	client_close(&c);
	assert_int_equal(stats_of(r).auth_failures, 0);
	server_stop(r);
	free(big);
}

/* A TCP client without its token is closed after auth_timeout_ms; one
 * that authenticated stays. */
static void
test_auth_timeout(void **state)
{
	struct ctl_config cfg = {
		.tcp_listen = "127.0.0.1:0",
		.tcp_token = TOKEN,
		.auth_timeout_ms = 300,
	};
	struct running *r;
	struct client idle, ok, partial;
	uint64_t t0;
	int port;

	(void)state;
	r = server_start(&cfg);
	port = ctl_server_tcp_port(r->srv);
	t0 = now_ms();
	client_init(&idle, connect_tcp(port));
	client_init(&partial, connect_tcp(port));
	send_str(&partial, "{\"jsonrpc\":\"2.0\",");	/* never ends */
	client_init(&ok, connect_tcp(port));
	authenticate(&ok);
	expect_error(&idle, RPC_UNAUTHORIZED, "no authentication within 300 ms");
	expect_eof(&idle);
	assert_true(now_ms() - t0 >= 280);
	expect_error(&partial, RPC_UNAUTHORIZED,
		     "no authentication within 300 ms");
	WAIT_FOR(r, auth_timeouts, 2);
	usleep(400 * 1000);
	expect_echo(&ok, 1);
	assert_int_equal(stats_of(r).auth_timeouts, 2);
	assert_int_equal(stats_of(r).tcp_clients, 1);
	/* Timeouts are not failed guesses: no back-off. */
	assert_int_equal(stats_of(r).auth_failures, 0);
	client_close(&idle);
	client_close(&partial);
	client_init(&idle, connect_tcp(port));
	authenticate(&idle);
	client_close(&idle);
	client_close(&ok);
	server_stop(r);
}

/* TCP clients have their own cap: they do not take the UNIX slots. */
static void
test_tcp_cap_spares_unix(void **state)
{
	struct fixture *f = *state;
	struct ctl_config cfg = {
		.tcp_listen = "127.0.0.1:0",
		.tcp_token = TOKEN,
		.max_tcp_clients = 4,
		.max_clients = 2,
	};
	char path[160];
	struct running *r;
	struct client t[5], u[3];
	int port, i;

	snprintf(path, sizeof(path), "%s/cap.sock", f->sub);
	cfg.unix_path = path;
	r = server_start(&cfg);
	port = ctl_server_tcp_port(r->srv);
	for (i = 0; i < 4; i++)
		client_init(&t[i], connect_tcp(port));
	WAIT_FOR(r, tcp_clients, 4);
	client_init(&t[4], connect_tcp(port));
	expect_error(&t[4], CTL_ERR_TOO_MANY_CLIENTS,
		     "too many TCP control clients (4)");
	expect_eof(&t[4]);
	WAIT_FOR(r, tcp_refused, 1);
	/* The UNIX socket keeps its own two slots. */
	client_init(&u[0], connect_unix(path));
	client_init(&u[1], connect_unix(path));
	expect_echo(&u[0], 1);
	expect_echo(&u[1], 2);
	client_init(&u[2], connect_unix(path));
	expect_error(&u[2], CTL_ERR_TOO_MANY_CLIENTS, "too many clients (2)");
	WAIT_FOR(r, refused, 1);
	/* The TCP clients held are served once they authenticate. */
	authenticate(&t[0]);
	expect_echo(&t[0], 3);
	for (i = 0; i < 5; i++)
		client_close(&t[i]);
	for (i = 0; i < 3; i++)
		client_close(&u[i]);
	WAIT_FOR(r, clients, 0);
	assert_int_equal(stats_of(r).tcp_clients, 0);
	server_stop(r);
}

/* The token: 16 characters at least, and from a file others cannot read. */
static void
test_token_rules(void **state)
{
	struct fixture *f = *state;
	struct ctl_config cfg = {
		.tcp_listen = "127.0.0.1:0",
		.tcp_token = "fifteen-chars-x",
	};
	char file[160], tok[CTL_TOKEN_MAX + 1], err[512];
	FILE *fp;

	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	assert_string_equal(ctl_last_error(),
		"control channel on TCP 127.0.0.1:0: the control token has 15 characters: use at least 16 (e.g. from: head -c 24 /dev/urandom | base64)");
	cfg.tcp_token = "sixteen chars ok";	/* a space */
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	assert_non_null(strstr(ctl_last_error(), "without white space"));

	snprintf(file, sizeof(file), "%s/token", f->dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs(TOKEN "\r\nsecond line ignored\n", fp);
	fclose(fp);
	assert_int_equal(chmod(file, 0644), 0);
	assert_int_equal(ctl_token_read_file(file, tok, sizeof(tok), err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "is readable or writable by others (mode 0644): chmod o-rw"));
	assert_int_equal(chmod(file, 0640), 0);
	assert_int_equal(ctl_token_read_file(file, tok, sizeof(tok), err,
					     sizeof(err)), 0);
	assert_string_equal(tok, TOKEN);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs("short\n", fp);
	fclose(fp);
	assert_int_equal(ctl_token_read_file(file, tok, sizeof(tok), err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "has 5 characters: use at least 16"));
	fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(ctl_token_read_file(file, tok, sizeof(tok), err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "the first line is empty"));
	unlink(file);
	assert_int_equal(ctl_token_read_file(file, tok, sizeof(tok), err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(ctl_token_read_file(f->dir, tok, sizeof(tok), err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	/* Constant-time compare: right answers. */
	assert_int_equal(ctl_token_equal(TOKEN, strlen(TOKEN), TOKEN), 1);
	assert_int_equal(ctl_token_equal(TOKEN "x", 17, TOKEN), 0);
	assert_int_equal(ctl_token_equal("0123456789abcde", 15, TOKEN), 0);
	assert_int_equal(ctl_token_equal("", 0, TOKEN), 0);
}

static void
test_slow_reader_dropped(void **state)
{
	struct fixture *f = *state;
	struct ctl_config cfg = { .max_output = 256 * 1024 };
	char path[160];
	struct running *r;
	struct client slow, other;
	size_t cap = 1000 * 1000, len = 0, got = 0;
	char *line = malloc(cap), *buf;
	int i;
	ssize_t n;

	assert_non_null(line);
	snprintf(path, sizeof(path), "%s/drop.sock", f->sub);
	cfg.unix_path = path;
	r = server_start(&cfg);

	/* One line whose reply (~900 KB) is far past the 256 KiB cap. */
	len += (size_t)snprintf(line + len, cap - len, "[");
	for (i = 0; i < 60; i++) {
		len += (size_t)snprintf(line + len, cap - len,
			"%s{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"",
			i > 0 ? "," : "");
		memset(line + len, 'y', 15000);
		len += 15000;
		len += (size_t)snprintf(line + len, cap - len, "\"],\"id\":%d}",
					i);
	}
	len += (size_t)snprintf(line + len, cap - len, "]\n");
	client_init(&slow, connect_unix(path));
	send_all(slow.fd, line, len);
	WAIT_FOR(r, dropped, 1);
	/* Others are unaffected. */
	client_init(&other, connect_unix(path));
	expect_echo(&other, 1);
	/* The slow one got a prefix of the reply, then EOF: no whole line. */
	buf = malloc(cap);
	assert_non_null(buf);
	while ((n = recv(slow.fd, buf, cap, 0)) > 0) {
		assert_null(memchr(buf, '\n', (size_t)n));
		got += (size_t)n;
	}
	assert_int_equal(n, 0);
	assert_true(got < 900000);
	client_close(&slow);
	client_close(&other);
	server_stop(r);
	free(buf);
	free(line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_line_then_disconnect,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_pending_blocks_only_its_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnect_while_pending,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_token_backoff,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_preauth_line_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_cap_spares_unix,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_rules, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
