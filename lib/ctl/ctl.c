/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel server (see ctl.h).
 *
 * ctl_server_run -> epoll_wait (CTL_POLL_MS while calls are pending)
 *   stop eventfd        -> return
 *   listener readable   -> listener_accept -> client_new
 *   client readable     -> client_read -> client_work
 *   client writable     -> client_flush -> client_work
 *   every CTL_POLL_MS   -> pending_poll -> rpc_line_poll -> client_work
 *   auth deadline       -> preauth_expire (TCP clients without a token)
 * client_work: lines -> rpc_process_line -> output buffer -> client_flush
 *   (a TCP client's first line goes to client_auth_line first)
 *
 * Only the thread wrapper at the end uses DPDK.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* accept4 */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "ctl.h"
#include "ctl_token.h"

#define READ_CHUNK	65536
#define ACCEPT_BURST	64
#define EVENT_BURST	64
/* A listener out of file descriptors rests this long before retrying. */
#define ACCEPT_PAUSE_MS	100

enum ctl_kind {
	KIND_STOP,
	KIND_LISTENER,
	KIND_CLIENT,
	KIND_WATCH,	/* struct ctl_watch: another service's fd */
};

/* Whatever an epoll event points to starts with its kind. */
struct ctl_listener {
	enum ctl_kind kind;
	int fd;
	int tcp;		/* clients need the token */
	int paused;		/* out of descriptors: not in epoll for now */
};

struct ctl_client {
	enum ctl_kind kind;
	TAILQ_ENTRY(ctl_client) next;
	struct ctl_server *srv;
	int fd;
	int tcp;
	int dead;		/* closed; freed after the event burst */
	int eof;		/* the peer will send no more */
	int discarding;		/* inside a line too long: drop to "\n" */
	uint32_t events;	/* as registered with epoll */
	char *in;		/* unprocessed bytes are [in_off, in_len) */
	size_t in_off, in_len, in_cap;
	char *out;		/* unsent bytes are [out_off, out_len) */
	size_t out_off, out_len, out_cap;
	struct rpc_line *pending;	/* the line in flight, if any */
	int authed;		/* UNIX: always; TCP: once the token came */
	int in_preauth;		/* on srv->preauth */
	TAILQ_ENTRY(ctl_client) pre;
	uint64_t accept_ms;
	uint8_t addr[16];	/* TCP peer, IPv4 as ::ffff:a.b.c.d */
};

TAILQ_HEAD(ctl_client_list, ctl_client);
TAILQ_HEAD(ctl_pre_list, ctl_client);

/* Failed authentications of one source address. */
struct ctl_backoff {
	uint8_t addr[16];
	int used;
	uint32_t failures;	/* in a row */
	uint64_t until_ms;	/* refused until then */
	uint64_t last_ms;	/* last failure */
};

struct ctl_server {
	struct rpc_dispatch dispatch;
	int epfd;
	struct {
		enum ctl_kind kind;
		int fd;
	} stop;
	struct ctl_listener unix_l;
	struct ctl_listener tcp_l;
	char *unix_path;	/* to unlink at destroy */
	dev_t unix_dev;		/* ... if it is still our socket */
	ino_t unix_ino;
	char *token;
	int tcp_port;
	unsigned int max_clients;
	size_t max_output;
	size_t high_water;	/* stop reading a client's lines above */
	unsigned int max_tcp_clients;
	unsigned int auth_timeout_ms;
	unsigned int backoff_base_ms;
	unsigned int backoff_max_ms;
	struct ctl_client_list clients;
	struct ctl_client_list dead;
	/* TCP clients without their token yet, oldest (first due) first. */
	struct ctl_pre_list preauth;
	struct ctl_backoff backoff[CTL_BACKOFF_SLOTS];
	unsigned int n_clients;
	unsigned int n_tcp;	/* of n_clients */
	unsigned int n_pending;
	uint64_t last_poll_ms;
	uint64_t accept_resume_ms;	/* 0: no listener paused */
	struct ctl_stats stats;	/* updated atomically */
	int (*tick)(void *arg, uint64_t now_ms);
	void *tick_arg;
};

static __thread char last_error[512];

static void
set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

const char *
ctl_last_error(void)
{
	return last_error;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
stat_add(uint64_t *counter, int64_t delta)
{
	__atomic_fetch_add(counter, (uint64_t)delta, __ATOMIC_RELAXED);
}

void
ctl_server_stats(const struct ctl_server *srv, struct ctl_stats *st)
{
	st->clients = __atomic_load_n(&srv->stats.clients, __ATOMIC_RELAXED);
	st->accepted = __atomic_load_n(&srv->stats.accepted, __ATOMIC_RELAXED);
	st->refused = __atomic_load_n(&srv->stats.refused, __ATOMIC_RELAXED);
	st->dropped = __atomic_load_n(&srv->stats.dropped, __ATOMIC_RELAXED);
	st->lines = __atomic_load_n(&srv->stats.lines, __ATOMIC_RELAXED);
	st->pending = __atomic_load_n(&srv->stats.pending, __ATOMIC_RELAXED);
#define LOAD_(f) st->f = __atomic_load_n(&srv->stats.f, __ATOMIC_RELAXED)
	LOAD_(tcp_clients);
	LOAD_(tcp_refused);
	LOAD_(auth_ok);
	LOAD_(auth_failures);
	LOAD_(auth_timeouts);
	LOAD_(preauth_oversize);
	LOAD_(delayed);
	LOAD_(backoff_evicted);
	LOAD_(metrics_clients);
	LOAD_(metrics_accepted);
	LOAD_(metrics_scrapes);
	LOAD_(metrics_refused);
	LOAD_(metrics_evicted);
	LOAD_(metrics_timeouts);
	LOAD_(metrics_oversize);
	LOAD_(metrics_not_found);
	LOAD_(metrics_bad_method);
	LOAD_(metrics_bad_requests);
#undef LOAD_
}

json_t *
ctl_stats_json(const struct ctl_stats *st)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"clients", (json_int_t)st->clients,
		"accepted", (json_int_t)st->accepted,
		"refused", (json_int_t)st->refused,
		"dropped", (json_int_t)st->dropped,
		"lines", (json_int_t)st->lines,
		"pending", (json_int_t)st->pending,
		"tcp_clients", (json_int_t)st->tcp_clients,
		"tcp_refused", (json_int_t)st->tcp_refused,
		"auth_ok", (json_int_t)st->auth_ok,
		"auth_failures", (json_int_t)st->auth_failures,
		"auth_timeouts", (json_int_t)st->auth_timeouts,
		"preauth_oversize", (json_int_t)st->preauth_oversize,
		"delayed", (json_int_t)st->delayed,
		"backoff_evicted", (json_int_t)st->backoff_evicted);

#define SET_(f) json_object_set_new(o, #f, json_integer((json_int_t)st->f))
	if (o != NULL) {
		SET_(metrics_clients);
		SET_(metrics_accepted);
		SET_(metrics_scrapes);
		SET_(metrics_refused);
		SET_(metrics_evicted);
		SET_(metrics_timeouts);
		SET_(metrics_oversize);
		SET_(metrics_not_found);
		SET_(metrics_bad_method);
		SET_(metrics_bad_requests);
	}
#undef SET_
	return o;
}

/* Back-off per source address */

static void
addr_key(const struct sockaddr_storage *ss, uint8_t key[16])
{
	memset(key, 0, 16);
	if (ss->ss_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	} else if (ss->ss_family == AF_INET) {
		key[10] = 0xff;
		key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)ss)->sin_addr,
		       4);
	}
}

static void
addr_format(const uint8_t key[16], char *buf, size_t size)
{
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (memcmp(key, v4mapped, 12) == 0)
		inet_ntop(AF_INET, key + 12, buf, (socklen_t)size);
	else
		inet_ntop(AF_INET6, key, buf, (socklen_t)size);
}

static struct ctl_backoff *
backoff_find(struct ctl_server *srv, const uint8_t key[16])
{
	unsigned int i;

	for (i = 0; i < CTL_BACKOFF_SLOTS; i++)
		if (srv->backoff[i].used &&
		    memcmp(srv->backoff[i].addr, key, 16) == 0)
			return &srv->backoff[i];
	return NULL;
}

/* Milliseconds the address must still wait, 0 when it may try. */
static uint64_t
backoff_wait(struct ctl_server *srv, const uint8_t key[16], uint64_t now)
{
	struct ctl_backoff *b = backoff_find(srv, key);

	return b != NULL && b->until_ms > now ? b->until_ms - now : 0;
}

/* A failed attempt from key: wait twice as long as last time. */
static void
backoff_fail(struct ctl_server *srv, const uint8_t key[16], uint64_t now)
{
	struct ctl_backoff *b = backoff_find(srv, key), *old = NULL;
	uint64_t delay;
	unsigned int i;

	if (b == NULL) {
		for (i = 0; i < CTL_BACKOFF_SLOTS; i++) {
			struct ctl_backoff *e = &srv->backoff[i];

			if (!e->used) {
				b = e;
				break;
			}
			if (old == NULL || e->last_ms < old->last_ms)
				old = e;
		}
		if (b == NULL) {
			/* Full: the address that failed longest ago goes. */
			b = old;
			stat_add(&srv->stats.backoff_evicted, 1);
		}
		memset(b, 0, sizeof(*b));
		b->used = 1;
		memcpy(b->addr, key, 16);
	} else if (now > b->until_ms + srv->backoff_max_ms) {
		/* Quiet for a long while: start over. */
		b->failures = 0;
	}
	if (b->failures < 32)
		b->failures++;
	delay = (uint64_t)srv->backoff_base_ms << (b->failures - 1 < 20 ?
						   b->failures - 1 : 20);
	if (delay > srv->backoff_max_ms)
		delay = srv->backoff_max_ms;
	b->until_ms = now + delay;
	b->last_ms = now;
}

static void
backoff_clear(struct ctl_server *srv, const uint8_t key[16])
{
	struct ctl_backoff *b = backoff_find(srv, key);

	if (b != NULL)
		memset(b, 0, sizeof(*b));
}

/* Clients */

static void
client_close(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;

	if (c->dead)
		return;
	c->dead = 1;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (c->pending != NULL) {
		/* Cancelled: the continuation's state is freed here. */
		rpc_line_free(c->pending);
		c->pending = NULL;
		srv->n_pending--;
		stat_add(&srv->stats.pending, -1);
	}
	if (c->in_preauth) {
		TAILQ_REMOVE(&srv->preauth, c, pre);
		c->in_preauth = 0;
	}
	TAILQ_REMOVE(&srv->clients, c, next);
	TAILQ_INSERT_TAIL(&srv->dead, c, next);
	srv->n_clients--;
	stat_add(&srv->stats.clients, -1);
	if (c->tcp) {
		srv->n_tcp--;
		stat_add(&srv->stats.tcp_clients, -1);
	}
}

static void
clients_reap(struct ctl_server *srv)
{
	struct ctl_client *c;

	while ((c = TAILQ_FIRST(&srv->dead)) != NULL) {
		TAILQ_REMOVE(&srv->dead, c, next);
		free(c->in);
		free(c->out);
		free(c);
	}
}

static size_t
out_unsent(const struct ctl_client *c)
{
	return c->out_len - c->out_off;
}

/* Register what the client can make progress on now. */
static void
client_update_events(struct ctl_client *c)
{
	struct epoll_event ev = { 0 };
	uint32_t want = 0;

	if (c->dead)
		return;
	if (!c->eof && c->pending == NULL &&
	    out_unsent(c) < c->srv->high_water &&
	    c->in_len - c->in_off <= RPC_MAX_LINE)
		want |= EPOLLIN | EPOLLRDHUP;
	if (out_unsent(c) > 0)
		want |= EPOLLOUT;
	if (want == c->events)
		return;
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		client_close(c);
		return;
	}
	c->events = want;
}

static int
out_append(struct ctl_client *c, const char *s, size_t len)
{
	if (c->out_off > 0 && c->out_off == c->out_len) {
		c->out_off = 0;
		c->out_len = 0;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap != 0 ? c->out_cap : 4096;
		char *p;

		/* Reclaim the sent prefix before growing. */
		if (c->out_off > 0) {
			memmove(c->out, c->out + c->out_off, out_unsent(c));
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		while (cap < c->out_len + len)
			cap *= 2;
		if (cap != c->out_cap) {
			p = realloc(c->out, cap);
			if (p == NULL)
				return -1;
			c->out = p;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, s, len);
	c->out_len += len;
	return 0;
}

/* Send what the socket takes; drop a client that lets output pile up. */
static void
client_flush(struct ctl_client *c)
{
	while (!c->dead && out_unsent(c) > 0) {
		ssize_t n = send(c->fd, c->out + c->out_off, out_unsent(c),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		client_close(c);	/* EPIPE, ECONNRESET... */
		return;
	}
	if (c->dead)
		return;
	if (out_unsent(c) == 0) {
		c->out_off = 0;
		c->out_len = 0;
		/* Do not keep a big buffer for an idle client. */
		if (c->out_cap > READ_CHUNK) {
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
	} else if (out_unsent(c) > c->srv->max_output) {
		stat_add(&c->srv->stats.dropped, 1);
		client_close(c);
	}
}

static void
client_output(struct ctl_client *c, char *line)
{
	if (line == NULL)
		return;
	if (out_append(c, line, strlen(line)) < 0)
		client_close(c);
	free(line);
}

/* A reply line with this id (NULL: null) and result or error. */
static char *
reply_line(json_t *id, json_t *result, int code, const char *message)
{
	json_t *r;
	char *s, *line;
	size_t n;

	if (result != NULL)
		r = json_pack("{s:s, s:o, s:O}", "jsonrpc", "2.0",
			      "result", result, "id",
			      id != NULL ? id : json_null());
	else
		r = json_pack("{s:s, s:{s:i, s:s}, s:O}", "jsonrpc", "2.0",
			      "error", "code", code, "message", message,
			      "id", id != NULL ? id : json_null());
	if (r == NULL)
		return NULL;
	s = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(r);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	line = malloc(n + 2);
	if (line != NULL) {
		memcpy(line, s, n);
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	free(s);
	return line;
}

/*
 * Send what is queued (one short error line), then close.  Whatever the
 * peer sent and we did not read is drained first: closing a TCP socket
 * with unread input sends a reset, which could destroy the reply.
 */
static void
client_close_after(struct ctl_client *c, char *line)
{
	char buf[4096];
	int i;

	client_output(c, line);
	if (c->dead)
		return;
	client_flush(c);
	if (c->dead)
		return;
	shutdown(c->fd, SHUT_WR);
	for (i = 0; i < 16; i++)
		if (recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
	client_close(c);
}

/* A TCP client proved nothing: count, back off its address, close. */
static void
auth_reject(struct ctl_client *c, json_t *id, const char *message)
{
	struct ctl_server *srv = c->srv;

	stat_add(&srv->stats.auth_failures, 1);
	backoff_fail(srv, c->addr, now_ms());
	client_close_after(c, reply_line(id, NULL, RPC_UNAUTHORIZED,
					 message));
}

static void
preauth_oversize(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;
	char msg[96];

	stat_add(&srv->stats.preauth_oversize, 1);
	backoff_fail(srv, c->addr, now_ms());
	snprintf(msg, sizeof(msg),
		 "a line before authentication may have at most %d bytes",
		 CTL_PREAUTH_MAX_LINE);
	client_close_after(c, reply_line(NULL, NULL, RPC_UNAUTHORIZED, msg));
}

/*
 * The first line of a TCP client: it must be one request carrying the
 * right token as "auth".  Returns 1 when the line is to be processed as
 * a request now that the client is authenticated, 0 when it was handled
 * here (answered, or the client closed).
 */
static int
client_auth_line(struct ctl_client *c, const char *line, size_t len)
{
	struct ctl_server *srv = c->srv;
	json_t *root, *id, *auth, *method;
	json_error_t jerr;
	int run;

	if (len > CTL_PREAUTH_MAX_LINE) {
		preauth_oversize(c);
		return 0;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		auth_reject(c, NULL,
			    "authenticate first: the first request must be a JSON-RPC object carrying the token as 'auth'");
		return 0;
	}
	id = json_object_get(root, "id");
	if (id != NULL && !json_is_string(id) && !json_is_integer(id))
		id = NULL;
	auth = json_object_get(root, "auth");
	if (auth == NULL || !json_is_string(auth)) {
		auth_reject(c, id,
			    "missing member 'auth' (a token is required on this listener)");
		json_decref(root);
		return 0;
	}
	if (!ctl_token_equal(json_string_value(auth),
			     json_string_length(auth), srv->token)) {
		auth_reject(c, id, "auth: wrong token");
		json_decref(root);
		return 0;
	}
	c->authed = 1;
	TAILQ_REMOVE(&srv->preauth, c, pre);
	c->in_preauth = 0;
	backoff_clear(srv, c->addr);
	stat_add(&srv->stats.auth_ok, 1);
	method = json_object_get(root, "method");
	run = !(json_is_string(method) &&
		strcmp(json_string_value(method), "ctl.auth") == 0);
	if (!run && id != NULL)
		client_output(c, reply_line(id,
			json_pack("{s:b}", "authenticated", 1), 0, NULL));
	json_decref(root);
	return run;
}

static void
client_line(struct ctl_client *c, const char *line, size_t len)
{
	struct ctl_server *srv = c->srv;
	struct rpc_line *pending;
	char *out;
	int rc;

	stat_add(&srv->stats.lines, 1);
	if (!c->authed) {
		size_t i;

		/* Blank lines are ignored, as rpc_process_line does. */
		for (i = 0; i < len; i++)
			if (line[i] != ' ' && line[i] != '\t' &&
			    line[i] != '\r')
				break;
		if (i == len || client_auth_line(c, line, len) == 0)
			return;
	}
	/* Authenticated: a later "auth" member is accepted and ignored. */
	rc = rpc_process_line(&srv->dispatch, line, len, NULL, c, &out,
			      &pending);
	if (rc == RPC_PENDING) {
		c->pending = pending;
		srv->n_pending++;
		stat_add(&srv->stats.pending, 1);
		return;
	}
	if (rc == RPC_ERROR) {
		/* Out of memory: the reply is lost, say so if we can. */
		out = rpc_error_line(RPC_INTERNAL_ERROR, "out of memory");
	}
	client_output(c, out);
}

/*
 * Process the complete lines in order until one goes pending or the
 * output backs up, then send, then decide what to wait for.
 */
static void
client_work(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;
	size_t rest;

	while (!c->dead && c->pending == NULL &&
	       out_unsent(c) < srv->high_water) {
		char *start, *nl;

		/* memchr wants a buffer, even for zero bytes. */
		if (c->in == NULL || c->in_len == c->in_off)
			break;
		start = c->in + c->in_off;
		nl = memchr(start, '\n', c->in_len - c->in_off);
		if (nl == NULL)
			break;
		c->in_off += (size_t)(nl - start) + 1;
		client_line(c, start, (size_t)(nl - start));
	}
	if (c->dead)
		return;
	rest = c->in_len - c->in_off;
	if (c->pending == NULL && out_unsent(c) < srv->high_water &&
	    (rest == 0 || memchr(c->in + c->in_off, '\n', rest) == NULL)) {
		if (!c->authed && rest > CTL_PREAUTH_MAX_LINE) {
			preauth_oversize(c);
			return;
		} else if (rest > RPC_MAX_LINE) {
			/* Answer now, then skip the rest of it as it comes. */
			client_output(c, rpc_error_line(RPC_PARSE_ERROR,
						RPC_LINE_TOO_LONG_MSG));
			c->discarding = 1;
			c->in_off = c->in_len;
		} else if (c->eof && rest > 0) {
			/* The last line may lack its newline. */
			c->in_off = c->in_len;
			client_line(c, c->in + c->in_len - rest, rest);
		}
	}
	if (c->dead)
		return;
	if (c->in_off == c->in_len) {
		c->in_off = 0;
		c->in_len = 0;
		if (c->in_cap > READ_CHUNK * 2) {
			free(c->in);
			c->in = NULL;
			c->in_cap = 0;
		}
	}
	client_flush(c);
	if (c->dead)
		return;
	if (c->eof && c->pending == NULL && c->in_len == c->in_off &&
	    out_unsent(c) == 0) {
		client_close(c);
		return;
	}
	client_update_events(c);
}

static void
client_read(struct ctl_client *c)
{
	ssize_t n;
	char *p, *nl;

	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	if (c->in_cap - c->in_len < READ_CHUNK) {
		size_t cap = c->in_cap != 0 ? c->in_cap * 2 : READ_CHUNK;

		while (cap - c->in_len < READ_CHUNK)
			cap *= 2;
		p = realloc(c->in, cap);
		if (p == NULL) {
			client_close(c);
			return;
		}
		c->in = p;
		c->in_cap = cap;
	}
	n = recv(c->fd, c->in + c->in_len, READ_CHUNK, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		client_close(c);
		return;
	}
	if (n == 0) {
		c->eof = 1;
	} else if (c->discarding) {
		p = c->in + c->in_len;
		nl = memchr(p, '\n', (size_t)n);
		if (nl != NULL) {
			c->discarding = 0;
			memmove(c->in, nl + 1, (size_t)(p + n - nl - 1));
			c->in_len = (size_t)(p + n - nl - 1);
		}
	} else {
		c->in_len += (size_t)n;
	}
	client_work(c);
}

static void
client_event(struct ctl_client *c, uint32_t events)
{
	if (c->dead)
		return;
	/*
	 * EPOLLHUP: both directions are gone (a UNIX peer closed, a TCP
	 * reset), so nobody will read a reply: cancel whatever is pending.
	 * A half close (EPOLLRDHUP) still gets its replies.
	 */
	if (events & (EPOLLERR | EPOLLHUP)) {
		client_close(c);
		return;
	}
	if (events & EPOLLOUT)
		client_flush(c);
	if (!c->dead && (events & (EPOLLIN | EPOLLRDHUP)) &&
	    (c->events & EPOLLIN))
		client_read(c);
	else if (!c->dead)
		client_work(c);
}

static void
client_new(struct ctl_server *srv, int fd, int tcp, const uint8_t addr[16])
{
	struct epoll_event ev = { 0 };
	struct ctl_client *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->kind = KIND_CLIENT;
	c->srv = srv;
	c->fd = fd;
	c->tcp = tcp;
	c->authed = !tcp;
	c->accept_ms = now_ms();
	if (addr != NULL)
		memcpy(c->addr, addr, 16);
	c->events = EPOLLIN | EPOLLRDHUP;
	ev.events = c->events;
	ev.data.ptr = c;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&srv->clients, c, next);
	srv->n_clients++;
	stat_add(&srv->stats.clients, 1);
	stat_add(&srv->stats.accepted, 1);
	if (tcp) {
		/* accept_ms only grows: the list stays ordered by deadline. */
		TAILQ_INSERT_TAIL(&srv->preauth, c, pre);
		c->in_preauth = 1;
		srv->n_tcp++;
		stat_add(&srv->stats.tcp_clients, 1);
	}
}

/* Close the TCP clients that did not authenticate in time. */
static void
preauth_expire(struct ctl_server *srv, uint64_t now)
{
	struct ctl_client *c;
	char msg[96];

	while ((c = TAILQ_FIRST(&srv->preauth)) != NULL &&
	       c->accept_ms + srv->auth_timeout_ms <= now) {
		stat_add(&srv->stats.auth_timeouts, 1);
		snprintf(msg, sizeof(msg),
			 "no authentication within %u ms", srv->auth_timeout_ms);
		client_close_after(c, reply_line(NULL, NULL, RPC_UNAUTHORIZED,
						 msg));
		if (!c->dead)
			client_close(c);
	}
}

/* Refuse fd with one error line; best effort, it is closed anyway. */
static void
refuse(int fd, int code, const char *msg)
{
	char *line = rpc_error_line(code, msg);
	ssize_t sent;

	if (line != NULL) {
		sent = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)sent;
	}
	free(line);
	close(fd);
}

static void
listener_set(struct ctl_server *srv, struct ctl_listener *l, int on)
{
	struct epoll_event ev = { 0 };

	ev.events = on ? EPOLLIN : 0;
	ev.data.ptr = l;
	epoll_ctl(srv->epfd, EPOLL_CTL_MOD, l->fd, &ev);
	l->paused = !on;
}

static void
listener_accept(struct ctl_server *srv, struct ctl_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	uint8_t key[16];
	char msg[160], a[INET6_ADDRSTRLEN];
	uint64_t wait;
	int i, fd, one = 1;

	for (i = 0; i < ACCEPT_BURST; i++) {
		sl = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Level-triggered: would spin; rest a while. */
				listener_set(srv, l, 0);
				srv->accept_resume_ms = now_ms() +
							ACCEPT_PAUSE_MS;
			}
			return;	/* EAGAIN, or a connection that died */
		}
		if (l->tcp) {
			addr_key(&ss, key);
			wait = backoff_wait(srv, key, now_ms());
			if (wait > 0) {
				addr_format(key, a, sizeof(a));
				snprintf(msg, sizeof(msg),
					 "too many failed authentications from %s: retry in %llu ms",
					 a, (unsigned long long)wait);
				refuse(fd, CTL_ERR_DELAYED, msg);
				stat_add(&srv->stats.delayed, 1);
				continue;
			}
			if (srv->n_tcp >= srv->max_tcp_clients) {
				snprintf(msg, sizeof(msg),
					 "too many TCP control clients (%u)",
					 srv->max_tcp_clients);
				refuse(fd, CTL_ERR_TOO_MANY_CLIENTS, msg);
				stat_add(&srv->stats.tcp_refused, 1);
				continue;
			}
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof(one));
			client_new(srv, fd, 1, key);
			continue;
		}
		if (srv->n_clients - srv->n_tcp >= srv->max_clients) {
			snprintf(msg, sizeof(msg), "too many clients (%u)",
				 srv->max_clients);
			refuse(fd, CTL_ERR_TOO_MANY_CLIENTS, msg);
			stat_add(&srv->stats.refused, 1);
			continue;
		}
		client_new(srv, fd, 0, NULL);
	}
}

static void
pending_poll(struct ctl_server *srv)
{
	struct ctl_client *c, *nc;
	char *out;
	int rc;

	for (c = TAILQ_FIRST(&srv->clients); c != NULL; c = nc) {
		nc = TAILQ_NEXT(c, next);
		if (c->pending == NULL)
			continue;
		rc = rpc_line_poll(c->pending, &out);
		if (rc == RPC_PENDING)
			continue;
		c->pending = NULL;
		srv->n_pending--;
		stat_add(&srv->stats.pending, -1);
		if (rc == RPC_ERROR)
			out = rpc_error_line(RPC_INTERNAL_ERROR,
					     "out of memory");
		client_output(c, out);
		if (!c->dead)
			client_work(c);
	}
}

int
ctl_server_run(struct ctl_server *srv)
{
	struct epoll_event evs[EVENT_BURST];
	int i, n, timeout;
	uint64_t now;

	srv->last_poll_ms = now_ms();
	for (;;) {
		timeout = -1;
		now = now_ms();
		if (srv->n_pending > 0) {
			uint64_t due = srv->last_poll_ms + CTL_POLL_MS;

			timeout = due > now ? (int)(due - now) : 0;
		}
		if (srv->accept_resume_ms != 0) {
			int t = srv->accept_resume_ms > now ?
				(int)(srv->accept_resume_ms - now) : 0;

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (!TAILQ_EMPTY(&srv->preauth)) {
			uint64_t due = TAILQ_FIRST(&srv->preauth)->accept_ms +
				       srv->auth_timeout_ms;
			int t = due > now ? (int)(due - now) : 0;

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (srv->tick != NULL) {
			int t = srv->tick(srv->tick_arg, now);

			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
		}
		n = epoll_wait(srv->epfd, evs, EVENT_BURST, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < n; i++) {
			enum ctl_kind *kind = evs[i].data.ptr;

			switch (*kind) {
			case KIND_STOP:
				/* Left unread: a second run returns at once. */
				clients_reap(srv);
				return 0;
			case KIND_LISTENER:
				listener_accept(srv,
					(struct ctl_listener *)kind);
				break;
			case KIND_CLIENT:
				client_event((struct ctl_client *)kind,
					     evs[i].events);
				break;
			case KIND_WATCH:
				((struct ctl_watch *)kind)->fn(
					(struct ctl_watch *)kind,
					evs[i].events);
				break;
			}
		}
		/* Freed only now: later events of the burst may name them. */
		clients_reap(srv);
		now = now_ms();
		if (srv->n_pending > 0 &&
		    now >= srv->last_poll_ms + CTL_POLL_MS) {
			srv->last_poll_ms = now;
			pending_poll(srv);
			clients_reap(srv);
		} else if (srv->n_pending == 0) {
			srv->last_poll_ms = now;
		}
		if (!TAILQ_EMPTY(&srv->preauth)) {
			preauth_expire(srv, now);
			clients_reap(srv);
		}
		if (srv->accept_resume_ms != 0 &&
		    now >= srv->accept_resume_ms) {
			srv->accept_resume_ms = 0;
			if (srv->unix_l.paused)
				listener_set(srv, &srv->unix_l, 1);
			if (srv->tcp_l.paused)
				listener_set(srv, &srv->tcp_l, 1);
		}
	}
}

void
ctl_server_stop(struct ctl_server *srv)
{
	uint64_t one = 1;
	ssize_t n;

	/* Fails only when the counter is full: a stop is pending anyway. */
	n = write(srv->stop.fd, &one, sizeof(one));
	(void)n;
}

/* Listeners */

/* mkdir -p of the directory part of path. */
static int
make_parent_dirs(const char *path)
{
	char *dir = strdup(path), *p;
	struct stat st;
	char saved;

	if (dir == NULL)
		return -1;
	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		saved = *p;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			set_error("cannot create directory %s: %s", dir,
				  strerror(errno));
			free(dir);
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		set_error("%s is not a directory", dir);
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

/* Is somebody accepting on this UNIX socket path? */
static int
unix_socket_live(const struct sockaddr_un *sa)
{
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;	/* cannot tell: do not remove it */
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	/* EAGAIN: a full backlog is still somebody listening. */
	rc = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return rc;
}

static int
listen_unix(struct ctl_server *srv, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, tries;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		set_error("socket path too long (max %zu bytes): %s",
			  sizeof(sa.sun_path) - 1, path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (make_parent_dirs(path) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_error("socket: %s", strerror(errno));
		return -1;
	}
	for (tries = 0; ; tries++) {
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if (errno != EADDRINUSE || tries > 0) {
			set_error("cannot bind %s: %s", path, strerror(errno));
			goto fail;
		}
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			set_error("%s exists and is not a socket", path);
			goto fail;
		}
		if (unix_socket_live(&sa)) {
			set_error("another dpfetch is listening on %s", path);
			goto fail;
		}
		/* Left behind by a process that died: replace it. */
		unlink(path);
	}
	if (chmod(path, 0660) < 0 || stat(path, &st) < 0) {
		set_error("cannot set the mode of %s: %s", path,
			  strerror(errno));
		unlink(path);
		goto fail;
	}
	srv->unix_dev = st.st_dev;
	srv->unix_ino = st.st_ino;
	srv->unix_path = strdup(path);
	if (srv->unix_path == NULL || listen(fd, SOMAXCONN) < 0) {
		set_error("cannot listen on %s: %s", path, strerror(errno));
		unlink(path);
		free(srv->unix_path);
		srv->unix_path = NULL;
		goto fail;
	}
	srv->unix_l.fd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

int
ctl_tcp_listen_socket(const char *spec, const char *what, int *port_out)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256];
	const char *colon, *h = spec, *port;
	size_t hl;
	int fd = -1, one = 1, rc;

	colon = strrchr(spec, ':');
	if (colon == NULL || colon[1] == '\0') {
		set_error("%s '%s': expected ADDR:PORT", what,
			  spec);
		return -1;
	}
	port = colon + 1;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		h = spec + 1;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host)) {
		set_error("%s '%s': expected ADDR:PORT", what,
			  spec);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		set_error("%s '%s': %s", what, spec,
			  gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		set_error("socket: %s", strerror(errno));
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		set_error("cannot listen on %s: %s", spec, strerror(errno));
		goto fail;
	}
	if (port_out != NULL && getsockname(fd, (struct sockaddr *)&ss,
					    &sl) == 0)
		*port_out = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	freeaddrinfo(ai);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

static int
listen_tcp(struct ctl_server *srv, const char *spec)
{
	int fd = ctl_tcp_listen_socket(spec, "control TCP address",
				       &srv->tcp_port);

	if (fd < 0)
		return -1;
	srv->tcp_l.fd = fd;
	return 0;
}

static int
epoll_add(int epfd, int fd, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.ptr = ptr;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

struct ctl_server *
ctl_server_create(const struct ctl_config *cfg,
		  const struct rpc_method *methods, size_t n, void *app_ctx)
{
	struct ctl_server *srv;

	last_error[0] = '\0';
	if (cfg->unix_path == NULL && cfg->tcp_listen == NULL &&
	    !cfg->no_listener_ok) {
		set_error("control channel: neither a UNIX path nor a TCP address");
		return NULL;
	}
	if (cfg->tcp_listen != NULL &&
	    (cfg->tcp_token == NULL || cfg->tcp_token[0] == '\0')) {
		set_error("control channel on TCP %s needs a token",
			  cfg->tcp_listen);
		return NULL;
	}
	if (cfg->tcp_listen != NULL) {
		char why[200];

		if (ctl_token_check(cfg->tcp_token, why, sizeof(why)) != 0) {
			set_error("control channel on TCP %s: %s",
				  cfg->tcp_listen, why);
			return NULL;
		}
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		set_error("out of memory");
		return NULL;
	}
	srv->dispatch.methods = methods;
	srv->dispatch.n_methods = n;
	srv->dispatch.app = app_ctx;
	srv->max_clients = cfg->max_clients != 0 ? cfg->max_clients :
			   CTL_DEFAULT_MAX_CLIENTS;
	srv->max_output = cfg->max_output != 0 ? cfg->max_output :
			  CTL_DEFAULT_MAX_OUTPUT;
	srv->high_water = srv->max_output / 2;
	srv->max_tcp_clients = cfg->max_tcp_clients != 0 ?
		cfg->max_tcp_clients : CTL_DEFAULT_MAX_TCP_CLIENTS;
	srv->auth_timeout_ms = cfg->auth_timeout_ms != 0 ?
		cfg->auth_timeout_ms : CTL_DEFAULT_AUTH_TIMEOUT_MS;
	srv->backoff_base_ms = cfg->backoff_base_ms != 0 ?
		cfg->backoff_base_ms : CTL_DEFAULT_BACKOFF_BASE_MS;
	srv->backoff_max_ms = cfg->backoff_max_ms != 0 ?
		cfg->backoff_max_ms : CTL_DEFAULT_BACKOFF_MAX_MS;
	srv->tcp_port = -1;
	srv->stop.kind = KIND_STOP;
	srv->unix_l.kind = KIND_LISTENER;
	srv->unix_l.fd = -1;
	srv->tcp_l.kind = KIND_LISTENER;
	srv->tcp_l.fd = -1;
	srv->tcp_l.tcp = 1;
	TAILQ_INIT(&srv->clients);
	TAILQ_INIT(&srv->dead);
	TAILQ_INIT(&srv->preauth);
	srv->stop.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->stop.fd < 0 || srv->epfd < 0) {
		set_error("eventfd/epoll: %s", strerror(errno));
		goto fail;
	}
	if (epoll_add(srv->epfd, srv->stop.fd, &srv->stop) < 0) {
		set_error("epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	if (cfg->tcp_listen != NULL) {
		srv->token = strdup(cfg->tcp_token);
		if (srv->token == NULL) {
			set_error("out of memory");
			goto fail;
		}
	}
	if (cfg->unix_path != NULL &&
	    (listen_unix(srv, cfg->unix_path) < 0 ||
	     epoll_add(srv->epfd, srv->unix_l.fd, &srv->unix_l) < 0))
		goto fail;
	if (cfg->tcp_listen != NULL &&
	    (listen_tcp(srv, cfg->tcp_listen) < 0 ||
	     epoll_add(srv->epfd, srv->tcp_l.fd, &srv->tcp_l) < 0))
		goto fail;
	return srv;
fail:
	ctl_server_destroy(srv);
	return NULL;
}

void
ctl_server_destroy(struct ctl_server *srv)
{
	struct ctl_client *c;
	struct stat st;

	if (srv == NULL)
		return;
	while ((c = TAILQ_FIRST(&srv->clients)) != NULL)
		client_close(c);
	clients_reap(srv);
	if (srv->unix_l.fd >= 0)
		close(srv->unix_l.fd);
	if (srv->tcp_l.fd >= 0)
		close(srv->tcp_l.fd);
	/* Only our own socket: a successor may have replaced it since. */
	if (srv->unix_path != NULL && lstat(srv->unix_path, &st) == 0 &&
	    st.st_dev == srv->unix_dev && st.st_ino == srv->unix_ino)
		unlink(srv->unix_path);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->stop.fd >= 0)
		close(srv->stop.fd);
	free(srv->unix_path);
	if (srv->token != NULL) {
		memset(srv->token, 0, strlen(srv->token));
		free(srv->token);
	}
	free(srv);
}

int
ctl_server_tcp_port(const struct ctl_server *srv)
{
	return srv->tcp_port;
}

int
ctl_server_watch(struct ctl_server *srv, int fd, uint32_t events,
		 struct ctl_watch *w, int modify)
{
	struct epoll_event ev = { 0 };

	w->kind = KIND_WATCH;
	ev.events = events;
	ev.data.ptr = w;
	return epoll_ctl(srv->epfd, modify ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
			 fd, &ev);
}

void
ctl_server_unwatch(struct ctl_server *srv, int fd)
{
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void
ctl_server_set_tick(struct ctl_server *srv,
		    int (*tick)(void *arg, uint64_t now_ms), void *arg)
{
	srv->tick = tick;
	srv->tick_arg = arg;
}

struct ctl_stats *
ctl_server_counters(struct ctl_server *srv)
{
	return &srv->stats;
}

uint64_t
ctl_now_ms(void)
{
	return now_ms();
}

/* The DPDK control thread. */

static void *
ctl_thread_main(void *arg)
{
	ctl_server_run(arg);
	return NULL;
}

int
ctl_start_thread(struct ctl_server *srv, pthread_t *thread)
{
	int rc;

	rc = rte_ctrl_thread_create(thread, "dpf-ctl", NULL, ctl_thread_main,
				    srv);
	if (rc != 0)
		set_error("cannot start the control thread: %s",
			  strerror(rc < 0 ? -rc : rc));
	return rc;
}

int
ctl_stop_thread(struct ctl_server *srv, pthread_t thread)
{
	ctl_server_stop(srv);
	return pthread_join(thread, NULL);
}
