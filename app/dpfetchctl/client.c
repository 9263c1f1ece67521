/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC client over a stream socket (see client.h).
 *
 * ctl_client_call -> send_all -> read_line -> check_reply
 */

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "script.h"

/* A reply larger than this is taken for a broken peer. */
#define LINE_MAX_BYTES	(64u << 20)
/* How long a reply may take beyond a timeout_s the request itself gives
 * (fetch.wait blocks that long on purpose). */
#define REPLY_SLACK_S	30

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
client_init(struct ctl_client *c, const char *peer)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
}

int
ctl_client_unix(struct ctl_client *c, const char *path, char *err,
		size_t errlen)
{
	struct sockaddr_un sa;

	client_init(c, path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		set_err(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa,
				 sizeof(sa)) != 0) {
		set_err(err, errlen, "cannot connect to %s: %s", path,
			strerror(errno));
		ctl_client_close(c);
		return -1;
	}
	return 0;
}

int
ctl_client_tcp(struct ctl_client *c, const char *hostport, const char *auth,
	       char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256];
	const char *port, *h = hostport;
	size_t hl;
	int rc, saved = 0;

	client_init(c, hostport);
	c->auth = auth;
	port = strrchr(hostport, ':');
	if (port == NULL || port[1] == '\0' || port == hostport) {
		set_err(err, errlen, "%s: expected HOST:PORT", hostport);
		return -1;
	}
	hl = port - hostport;
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		set_err(err, errlen, "%s: host name too long", hostport);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	port++;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		set_err(err, errlen, "%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			       ai->ai_protocol);
		if (c->fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		set_err(err, errlen, "cannot connect to %s: %s", hostport,
			strerror(saved));
		return -1;
	}
	return 0;
}

void
ctl_client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

static int
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* The next line (without its newline) as a malloc'd string, or NULL. */
static char *
read_line(struct ctl_client *c, char *err, size_t errlen)
{
	char *nl, *line, *nb;
	ssize_t r;
	size_t n;

	for (;;) {
		nl = c->len > 0 ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl != NULL) {
			n = nl - c->buf;
			line = strndup(c->buf, n);
			if (line == NULL) {
				set_err(err, errlen, "out of memory");
				return NULL;
			}
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return line;
		}
		if (c->len >= LINE_MAX_BYTES) {
			set_err(err, errlen, "%s: reply longer than %u bytes",
				c->peer, LINE_MAX_BYTES);
			return NULL;
		}
		if (c->cap - c->len < 4096) {
			nb = realloc(c->buf, c->cap ? c->cap * 2 : 65536);
			if (nb == NULL) {
				set_err(err, errlen, "out of memory");
				return NULL;
			}
			c->buf = nb;
			c->cap = c->cap ? c->cap * 2 : 65536;
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r < 0 && errno == EINTR) {
			set_err(err, errlen, "%s: interrupted", c->peer);
			return NULL;
		}
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			set_err(err, errlen, "%s: no reply in time", c->peer);
			return NULL;
		}
		if (r <= 0) {
			set_err(err, errlen, "%s: %s", c->peer, r == 0 ?
				"connection closed by dpfetch" :
				strerror(errno));
			return NULL;
		}
		c->len += r;
	}
}

int
ctl_client_call(void *ctx, const char *method, json_t *params,
		json_t **result, char *err, size_t errlen)
{
	struct ctl_client *c = ctx;
	long long id = c->next_id++;
	json_t *req, *rep, *e, *to;
	struct timeval tv;
	json_error_t jerr;
	char *text, *line;
	int rc, send_errno;

	*result = NULL;
	req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id",
			(json_int_t)id, "method", method);
	if (req == NULL) {
		set_err(err, errlen, "out of memory");
		return SCRIPT_CALL_TRANSPORT;
	}
	if (params != NULL)
		json_object_set(req, "params", params);
	if (c->auth != NULL)
		json_object_set_new(req, "auth", json_string(c->auth));
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (text == NULL) {
		set_err(err, errlen, "out of memory");
		return SCRIPT_CALL_TRANSPORT;
	}
	tv.tv_sec = REPLY_SLACK_S;
	tv.tv_usec = 0;
	to = json_object_get(params, "timeout_s");
	if (json_is_number(to) && json_number_value(to) > 0 &&
	    json_number_value(to) < 86400 * 365)
		tv.tv_sec += (time_t)json_number_value(to);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rc = send_all(c->fd, text, strlen(text));
	if (rc == 0)
		rc = send_all(c->fd, "\n", 1);
	free(text);
	send_errno = rc != 0 ? errno : 0;
	/* Skip anything that is not our reply (notifications).  After a
	 * failed send, still read: a server that refused us (too many
	 * clients, back-off) wrote why before closing. */
	for (;;) {
		line = read_line(c, err, errlen);
		if (line == NULL && send_errno != 0)
			set_err(err, errlen, "%s: %s", c->peer,
				strerror(send_errno));
		if (line == NULL)
			return SCRIPT_CALL_TRANSPORT;
		rep = json_loads(line, 0, &jerr);
		free(line);
		if (rep == NULL) {
			set_err(err, errlen, "%s: reply is not JSON: %s",
				c->peer, jerr.text);
			return SCRIPT_CALL_TRANSPORT;
		}
		if (json_is_integer(json_object_get(rep, "id")) &&
		    json_integer_value(json_object_get(rep, "id")) == id)
			break;
		/* an error about a request the server could not read
		 * carries id null: it is ours too */
		if (json_is_null(json_object_get(rep, "id")) &&
		    json_object_get(rep, "error") != NULL)
			break;
		json_decref(rep);
	}
	e = json_object_get(rep, "error");
	if (e != NULL) {
		const char *msg = json_string_value(json_object_get(e,
							"message"));
		json_t *code = json_object_get(e, "code");

		set_err(err, errlen, "%s (code %" JSON_INTEGER_FORMAT ")",
			msg != NULL ? msg : "error",
			json_is_integer(code) ? json_integer_value(code) : 0);
		json_decref(rep);
		return SCRIPT_CALL_ERROR;
	}
	if (json_object_get(rep, "result") == NULL) {
		set_err(err, errlen, "%s: reply has neither result nor error",
			c->peer);
		json_decref(rep);
		return SCRIPT_CALL_TRANSPORT;
	}
	*result = json_incref(json_object_get(rep, "result"));
	json_decref(rep);
	return SCRIPT_CALL_OK;
}
