/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics endpoint (see metrics.h).
 *
 * listener readable -> accept: past max_clients evict the stalest or 503
 * client readable   -> read the head (up to max_request) -> answer
 * client writable   -> flush the answer -> close
 * tick              -> close the clients past their deadline
 *
 * Clients are kept in accept order, which is also deadline order.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* accept4, memmem */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "metrics.h"
#include "prom.h"

#define ACCEPT_BURST	32

struct mclient {
	struct ctl_watch w;	/* first: the loop's event pointer */
	struct metrics_server *ms;
	TAILQ_ENTRY(mclient) next;
	int fd;
	int dead;		/* closed; freed at the next tick */
	uint64_t accept_ms;
	size_t in_len;
	char *out;		/* the answer; unsent from out_off */
	size_t out_len, out_off;
	char in[];		/* max_request bytes */
};

TAILQ_HEAD(mclient_list, mclient);

struct metrics_server {
	struct ctl_watch w;	/* the listener */
	struct ctl_server *srv;
	struct ctl_stats *st;
	const struct rpc_dispatch *d;
	int fd;
	int port;
	unsigned int max_clients, timeout_ms, max_request;
	unsigned int n_clients;
	struct mclient_list clients;
	/* closed, freed only after the event burst that may still name them */
	struct mclient_list dead;
};

static void
count(struct metrics_server *ms, uint64_t *counter, int64_t delta)
{
	(void)ms;
	__atomic_fetch_add(counter, (uint64_t)delta, __ATOMIC_RELAXED);
}

static void
mclient_close(struct mclient *c)
{
	struct metrics_server *ms = c->ms;

	if (c->dead)
		return;
	c->dead = 1;
	ctl_server_unwatch(ms->srv, c->fd);
	close(c->fd);
	c->fd = -1;
	TAILQ_REMOVE(&ms->clients, c, next);
	TAILQ_INSERT_TAIL(&ms->dead, c, next);
	ms->n_clients--;
	count(ms, &ms->st->metrics_clients, -1);
}

static void
mclients_reap(struct metrics_server *ms)
{
	struct mclient *c;

	while ((c = TAILQ_FIRST(&ms->dead)) != NULL) {
		TAILQ_REMOVE(&ms->dead, c, next);
		free(c->out);
		free(c);
	}
}

static int
never_wait(void *arg)
{
	(void)arg;
	return 1;
}

char *
metrics_render(const struct rpc_dispatch *d, size_t *len)
{
	json_t *params = json_pack("{s:b}", "per_lcore", 1);
	json_t *jparams = json_pack("{s:b}", "buckets", 1);
	json_t *stats = NULL, *jobs = NULL;
	struct rpc_error err;
	char *text = NULL;

	if (params != NULL &&
	    rpc_call_sync(d, "stats.get", params, &stats, &err, never_wait,
			  NULL) == RPC_OK &&
	    rpc_call_sync(d, "fetch.list", jparams, &jobs, &err, never_wait,
			  NULL) == RPC_OK)
		text = prom_text(stats, jobs, len);
	json_decref(params);
	json_decref(jparams);
	json_decref(stats);
	json_decref(jobs);
	return text;
}

/* Send what is left; close when all went or the peer is gone. */
static void
mclient_flush(struct mclient *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			break;
		}
		c->out_off += (size_t)n;
	}
	mclient_close(c);
}

/* Queue an answer (head, then body unless HEAD) and start sending it. */
static void
mclient_answer(struct mclient *c, const char *status, const char *extra,
	       const char *type, const char *body, size_t body_len,
	       int with_body)
{
	char head[512];
	int hl;

	hl = snprintf(head, sizeof(head),
		      "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		      "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		      status, type, body_len, extra);
	if (hl < 0 || (size_t)hl >= sizeof(head)) {
		mclient_close(c);
		return;
	}
	c->out_len = (size_t)hl + (with_body ? body_len : 0);
	c->out = malloc(c->out_len);
	if (c->out == NULL) {
		mclient_close(c);
		return;
	}
	memcpy(c->out, head, (size_t)hl);
	if (with_body)
		memcpy(c->out + hl, body, body_len);
	c->out_off = 0;
	/* nothing more to read: only writability matters now */
	shutdown(c->fd, SHUT_RD);
	if (ctl_server_watch(c->ms->srv, c->fd, EPOLLOUT, &c->w, 1) < 0) {
		mclient_close(c);
		return;
	}
	mclient_flush(c);
}

static void
mclient_error(struct mclient *c, const char *status, const char *extra,
	      uint64_t *counter)
{
	char body[96];
	int n = snprintf(body, sizeof(body), "%s\n", status);

	count(c->ms, counter, 1);
	mclient_answer(c, status, extra, "text/plain; charset=utf-8", body,
		       (size_t)n, 1);
}

/* The head is complete: "METHOD TARGET HTTP/1.x" decides. */
static void
mclient_request(struct mclient *c)
{
	struct metrics_server *ms = c->ms;
	char *sp1, *sp2, *eol, *page;
	size_t target_len, page_len = 0;
	int head;

	eol = memchr(c->in, '\n', c->in_len);
	sp1 = memchr(c->in, ' ', (size_t)(eol - c->in));
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) :
		NULL;
	if (sp1 == NULL || sp2 == NULL || sp1 == c->in || sp2 == sp1 + 1 ||
	    (size_t)(eol - sp2 - 1) < 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		mclient_error(c, "400 Bad Request", "",
			      &ms->st->metrics_bad_requests);
		return;
	}
	head = (size_t)(sp1 - c->in) == 4 && memcmp(c->in, "HEAD", 4) == 0;
	if (!head && !((size_t)(sp1 - c->in) == 3 &&
		       memcmp(c->in, "GET", 3) == 0)) {
		mclient_error(c, "405 Method Not Allowed",
			      "Allow: GET, HEAD\r\n",
			      &ms->st->metrics_bad_method);
		return;
	}
	target_len = (size_t)(sp2 - sp1 - 1);
	{
		char *q = memchr(sp1 + 1, '?', target_len);

		if (q != NULL)
			target_len = (size_t)(q - sp1 - 1);
	}
	if (target_len != 8 || memcmp(sp1 + 1, "/metrics", 8) != 0) {
		mclient_error(c, "404 Not Found", "",
			      &ms->st->metrics_not_found);
		return;
	}
	page = metrics_render(ms->d, &page_len);
	if (page == NULL) {
		mclient_answer(c, "500 Internal Server Error", "",
			       "text/plain; charset=utf-8", "", 0, 1);
		return;
	}
	count(ms, &ms->st->metrics_scrapes, 1);
	mclient_answer(c, "200 OK", "", PROM_CONTENT_TYPE, page, page_len,
		       !head);
	free(page);
}

static void
mclient_read(struct mclient *c)
{
	struct metrics_server *ms = c->ms;
	ssize_t n;
	size_t from;

	for (;;) {
		if (c->in_len >= ms->max_request) {
			mclient_error(c, "431 Request Header Fields Too Large",
				      "", &ms->st->metrics_oversize);
			return;
		}
		n = recv(c->fd, c->in + c->in_len, ms->max_request - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			mclient_close(c);
			return;
		}
		if (n == 0) {
			mclient_close(c);	/* gone before asking */
			return;
		}
		/* the blank line may straddle two reads */
		from = c->in_len > 3 ? c->in_len - 3 : 0;
		c->in_len += (size_t)n;
		if (memmem(c->in + from, c->in_len - from, "\n\r\n", 3) !=
		    NULL ||
		    memmem(c->in + from, c->in_len - from, "\n\n", 2) !=
		    NULL) {
			mclient_request(c);
			return;
		}
	}
}

static void
mclient_event(struct ctl_watch *w, uint32_t events)
{
	struct mclient *c = (struct mclient *)w;

	if (c->dead)
		return;
	if (events & (EPOLLERR | EPOLLHUP)) {
		mclient_close(c);
		return;
	}
	if (c->out != NULL) {
		if (events & EPOLLOUT)
			mclient_flush(c);
		return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP))
		mclient_read(c);
}

/* Refuse fd with a 503; best effort, it is closed anyway. */
static void
refuse(int fd)
{
	static const char msg[] =
		"HTTP/1.1 503 Service Unavailable\r\n"
		"Content-Length: 0\r\nRetry-After: 1\r\n"
		"Connection: close\r\n\r\n";
	ssize_t n = send(fd, msg, sizeof(msg) - 1,
			 MSG_NOSIGNAL | MSG_DONTWAIT);

	(void)n;
	close(fd);
}

static void
listener_event(struct ctl_watch *w, uint32_t events)
{
	struct metrics_server *ms = (struct metrics_server *)w;
	struct mclient *c;
	uint64_t now;
	int i, fd;

	(void)events;
	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(ms->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		now = ctl_now_ms();
		if (ms->n_clients >= ms->max_clients) {
			c = TAILQ_FIRST(&ms->clients);
			/* only one still asking: an answer being sent is
			 * about to go anyway */
			if (c != NULL && c->out == NULL &&
			    c->accept_ms + METRICS_EVICT_AGE_MS <= now) {
				count(ms, &ms->st->metrics_evicted, 1);
				mclient_close(c);
			} else {
				count(ms, &ms->st->metrics_refused, 1);
				refuse(fd);
				continue;
			}
		}
		c = calloc(1, sizeof(*c) + ms->max_request);
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->ms = ms;
		c->fd = fd;
		c->accept_ms = now;
		c->w.fn = mclient_event;
		if (ctl_server_watch(ms->srv, fd, EPOLLIN | EPOLLRDHUP, &c->w,
				     0) < 0) {
			close(fd);
			free(c);
			continue;
		}
		TAILQ_INSERT_TAIL(&ms->clients, c, next);
		ms->n_clients++;
		count(ms, &ms->st->metrics_clients, 1);
		count(ms, &ms->st->metrics_accepted, 1);
	}
}

static int
metrics_tick(void *arg, uint64_t now)
{
	struct metrics_server *ms = arg;
	struct mclient *c;

	mclients_reap(ms);
	while ((c = TAILQ_FIRST(&ms->clients)) != NULL &&
	       c->accept_ms + ms->timeout_ms <= now) {
		count(ms, &ms->st->metrics_timeouts, 1);
		mclient_close(c);
	}
	if (c == NULL)
		return -1;
	return (int)(c->accept_ms + ms->timeout_ms - now);
}

struct metrics_server *
metrics_server_create(struct ctl_server *srv, const struct metrics_config *cfg,
		      const struct rpc_dispatch *d)
{
	struct metrics_server *ms;

	ms = calloc(1, sizeof(*ms));
	if (ms == NULL)
		return NULL;
	ms->srv = srv;
	ms->st = ctl_server_counters(srv);
	ms->d = d;
	ms->max_clients = cfg->max_clients != 0 ? cfg->max_clients :
			  METRICS_DEFAULT_MAX_CLIENTS;
	ms->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms :
			 METRICS_DEFAULT_TIMEOUT_MS;
	ms->max_request = cfg->max_request != 0 ? cfg->max_request :
			  METRICS_DEFAULT_MAX_REQUEST;
	TAILQ_INIT(&ms->clients);
	TAILQ_INIT(&ms->dead);
	ms->port = -1;
	ms->fd = ctl_tcp_listen_socket(cfg->listen, "metrics address",
				       &ms->port);
	if (ms->fd < 0) {
		free(ms);
		return NULL;
	}
	ms->w.fn = listener_event;
	if (ctl_server_watch(srv, ms->fd, EPOLLIN, &ms->w, 0) < 0) {
		close(ms->fd);
		free(ms);
		return NULL;
	}
	ctl_server_set_tick(srv, metrics_tick, ms);
	return ms;
}

int
metrics_server_port(const struct metrics_server *m)
{
	return m->port;
}

void
metrics_server_destroy(struct metrics_server *m)
{
	struct mclient *c;

	if (m == NULL)
		return;
	while ((c = TAILQ_FIRST(&m->clients)) != NULL)
		mclient_close(c);
	mclients_reap(m);
	ctl_server_set_tick(m->srv, NULL, NULL);
	ctl_server_unwatch(m->srv, m->fd);
	close(m->fd);
	free(m);
}
