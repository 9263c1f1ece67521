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

#include "ctl.h"

#define WAIT_MS		10000	/* longest wait for any reply */

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
	cfg.tcp_token = "t";
	cfg.tcp_listen = "localhost:0";
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	cfg.tcp_listen = "127.0.0.1";
	assert_null(ctl_server_create(&cfg, methods, 1, NULL));
	assert_non_null(strstr(ctl_last_error(), "expected ADDR:PORT"));
}

static void
test_tcp(void **state)
{
	struct fixture *f = *state;
	struct ctl_config cfg = {
		.tcp_listen = "127.0.0.1:0",
		.tcp_token = "s3cret",
	};
	struct running *r;
	struct client c, u;
	int port;

	r = server_start(&cfg);
	port = ctl_server_tcp_port(r->srv);
	assert_true(port > 0);
	client_init(&c, connect_tcp(port));
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}\n");
	expect_error(&c, RPC_UNAUTHORIZED,
		     "missing member 'auth' (a token is required on this listener)");
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"guess\",\"id\":2}\n");
	expect_error(&c, RPC_UNAUTHORIZED, "auth: wrong token");
	send_str(&c, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"s3cret\",\"params\":[3],\"id\":3}\n");
	{
		json_t *rep = read_reply(&c);

		assert_int_equal(json_integer_value(json_array_get(
			json_object_get(rep, "result"), 0)), 3);
		json_decref(rep);
	}
	client_close(&c);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
