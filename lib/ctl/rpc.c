/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC 2.0 framing and dispatch (see rpc.h).
 *
 * rpc_process_line -> parse -> (batch) -> request_run for each request
 *   -> validate members -> check auth -> look the method up -> handler
 *   -> call_finish: reply object, or the entry waits on its continuation
 * rpc_line_poll -> poll each waiting entry -> call_finish -> line_output
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"

/* One request of a line (a single request is a batch of one). */
struct rpc_entry {
	json_t *id;		/* reference; NULL: no reply wanted */
	int notification;	/* no "id": run it, send nothing */
	json_t *reply;		/* the finished reply object, or NULL */
	int waiting;		/* a deferred call not answered yet */
	struct rpc_ctx ctx;
};

struct rpc_line {
	const struct rpc_dispatch *d;
	int batch;		/* reply with an array */
	size_t n;
	size_t n_waiting;
	struct rpc_entry e[];
};

/* Members a request may have. */
static const char *const request_members[] = {
	"jsonrpc", "method", "params", "id", "auth", NULL
};

/* Length of the longest prefix of s that is well-formed UTF-8. */
static size_t
utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* past U+10FFFF */
		} else {
			return i;
		}
		if (i + n >= len)	/* cut short */
			return i;
		for (k = 1; k <= n; k++) {
			unsigned char b = s[i + k];

			if (b < lo || b > hi)
				return i;
			lo = 0x80;
			hi = 0xbf;
		}
		i += n + 1;
	}
	return len;
}

static int
error_vset(struct rpc_error *err, int code, const char *fmt, va_list ap)
{
	int n;

	err->code = code;
	n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	if (n < 0)
		err->message[0] = '\0';
	/* Names quoted from the input may be cut mid-character. */
	err->message[utf8_valid_prefix((const unsigned char *)err->message,
				       strlen(err->message))] = '\0';
	return RPC_ERROR;
}

int
rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	return RPC_ERROR;
}

/* "a string", "-3", "null"...: what a value was, for messages. */
static void
describe(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		snprintf(buf, len, "an object");
		break;
	case JSON_ARRAY:
		snprintf(buf, len, "an array");
		break;
	case JSON_STRING:
		snprintf(buf, len, "a string");
		break;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, len, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "false");
		break;
	default:
		snprintf(buf, len, "null");
		break;
	}
}

void
rpc_defer(struct rpc_ctx *ctx, rpc_poll_t poll, void *state,
	  rpc_free_t free_state)
{
	/* A second rpc_defer() in one call replaces the first: free it. */
	if (ctx->poll != NULL && ctx->free_state != NULL &&
	    ctx->state != state)
		ctx->free_state(ctx->state);
	ctx->poll = poll;
	ctx->state = state;
	ctx->free_state = free_state;
}

static void
ctx_release(struct rpc_ctx *ctx)
{
	if (ctx->poll != NULL && ctx->free_state != NULL)
		ctx->free_state(ctx->state);
	ctx->poll = NULL;
	ctx->state = NULL;
	ctx->free_state = NULL;
}

/* {"jsonrpc":"2.0","error":{...},"id":id}; steals err->data. */
static json_t *
error_reply(json_t *id, struct rpc_error *err)
{
	json_t *e, *msg;

	msg = json_string(err->message);
	if (msg == NULL)	/* not UTF-8 after all: say so, not nothing */
		msg = json_string("(error message is not valid UTF-8)");
	e = json_pack("{s:i, s:o}", "code", err->code, "message", msg);
	if (e != NULL && err->data != NULL)
		json_object_set(e, "data", err->data);
	json_decref(err->data);
	err->data = NULL;
	if (e == NULL)
		return NULL;
	return json_pack("{s:s, s:o, s:O}", "jsonrpc", "2.0", "error", e,
			 "id", id != NULL ? id : json_null());
}

static json_t *
result_reply(json_t *id, json_t *result)
{
	return json_pack("{s:s, s:o, s:O}", "jsonrpc", "2.0",
			 "result", result != NULL ? result : json_null(),
			 "id", id != NULL ? id : json_null());
}

/* An error for an entry that always gets a reply (bad request). */
static void
entry_fail(struct rpc_entry *en, struct rpc_error *err)
{
	en->reply = error_reply(en->id, err);
}

/*
 * The outcome of a handler or poll call.  rc == RPC_PENDING with a
 * continuation leaves the entry waiting; anything else ends the call.
 */
static void
call_finish(struct rpc_entry *en, int rc, json_t *result,
	    struct rpc_error *err)
{
	if (rc == RPC_PENDING && en->ctx.poll != NULL) {
		json_decref(result);
		json_decref(err->data);
		err->data = NULL;
		en->waiting = 1;
		return;
	}
	en->waiting = 0;
	ctx_release(&en->ctx);
	if (rc == RPC_OK) {
		json_decref(err->data);
		err->data = NULL;
		if (!en->notification)
			en->reply = result_reply(en->id, result);
		else
			json_decref(result);
		return;
	}
	json_decref(result);
	if (rc == RPC_PENDING) {
		rpc_error_set(err, RPC_INTERNAL_ERROR,
			      "method '%s' deferred its reply without a continuation",
			      en->ctx.method);
	} else if (rc != RPC_ERROR) {
		rpc_error_set(err, RPC_INTERNAL_ERROR,
			      "method '%s' returned %d", en->ctx.method, rc);
	} else if (err->code == 0) {
		if (err->message[0] == '\0')
			rpc_error_set(err, RPC_INTERNAL_ERROR,
				      "method '%s' failed without saying why",
				      en->ctx.method);
		else
			err->code = RPC_INTERNAL_ERROR;
	}
	if (!en->notification) {
		en->reply = error_reply(en->id, err);
	} else {
		json_decref(err->data);
		err->data = NULL;
	}
}

/* Constant time in the length of the secret, so guessing learns nothing. */
static int
token_equal(const char *given, const char *secret)
{
	size_t gl = strlen(given), sl = strlen(secret), i;
	unsigned char diff = gl != sl;

	for (i = 0; i < sl; i++)
		diff |= (unsigned char)secret[i] ^
			(unsigned char)(i < gl ? given[i] : 0);
	return diff == 0;
}

/* Built-in rpc.methods: the table's names and help lines. */
static json_t *
methods_list(const struct rpc_dispatch *d)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < d->n_methods; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}",
			"name", d->methods[i].name,
			"help", d->methods[i].help != NULL ?
				d->methods[i].help : ""));
	return a;
}

static const struct rpc_method *
method_find(const struct rpc_dispatch *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_methods; i++)
		if (strcmp(d->methods[i].name, name) == 0)
			return &d->methods[i];
	return NULL;
}

static void
request_run(const struct rpc_dispatch *d, struct rpc_entry *en, json_t *req,
	    const char *auth, void *client)
{
	struct rpc_error err = { 0 };
	const struct rpc_method *m;
	json_t *v, *params, *result = NULL;
	const char *key, *name;
	char got[64];
	int rc;

	if (!json_is_object(req)) {
		describe(req, got, sizeof(got));
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "request: expected an object, got %s", got);
		entry_fail(en, &err);
		return;
	}
	v = json_object_get(req, "id");
	if (v != NULL && !json_is_string(v) && !json_is_number(v) &&
	    !json_is_null(v)) {
		describe(v, got, sizeof(got));
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "id: expected a string, a number or null, got %s",
			      got);
		entry_fail(en, &err);
		return;
	}
	if (v != NULL)
		en->id = json_incref(v);
	else
		en->notification = 1;

	/* Bad requests are answered even without an id (JSON-RPC 2.0, 5). */
	v = json_object_get(req, "jsonrpc");
	if (v == NULL) {
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "missing member 'jsonrpc'");
		entry_fail(en, &err);
		return;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "jsonrpc: expected \"2.0\"");
		entry_fail(en, &err);
		return;
	}
	v = json_object_get(req, "method");
	if (v == NULL) {
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "missing member 'method'");
		entry_fail(en, &err);
		return;
	}
	if (!json_is_string(v)) {
		describe(v, got, sizeof(got));
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "method: expected a string, got %s", got);
		entry_fail(en, &err);
		return;
	}
	name = json_string_value(v);
	params = json_object_get(req, "params");
	if (params != NULL && !json_is_object(params) &&
	    !json_is_array(params)) {
		describe(params, got, sizeof(got));
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "params: expected an object or an array, got %s",
			      got);
		entry_fail(en, &err);
		return;
	}
	json_object_foreach(req, key, v) {
		const char *const *p;

		for (p = request_members; *p != NULL; p++)
			if (strcmp(*p, key) == 0)
				break;
		if (*p == NULL) {
			rpc_error_set(&err, RPC_INVALID_REQUEST,
				      "unknown member '%.64s'", key);
			entry_fail(en, &err);
			return;
		}
	}
	if (auth != NULL) {
		v = json_object_get(req, "auth");
		if (v == NULL)
			rpc_error_set(&err, RPC_UNAUTHORIZED,
				      "missing member 'auth' (a token is required on this listener)");
		else if (!json_is_string(v) ||
			 !token_equal(json_string_value(v), auth))
			rpc_error_set(&err, RPC_UNAUTHORIZED,
				      "auth: wrong token");
		if (err.code != 0) {
			/* An unauthenticated notification runs nothing. */
			if (!en->notification)
				entry_fail(en, &err);
			return;
		}
	}

	m = method_find(d, name);
	if (m == NULL) {
		if (strcmp(name, "rpc.methods") == 0) {
			if (!en->notification)
				en->reply = result_reply(en->id,
							 methods_list(d));
			return;
		}
		rpc_error_set(&err, RPC_METHOD_NOT_FOUND,
			      "unknown method '%.100s'", name);
		if (!en->notification)
			entry_fail(en, &err);
		return;
	}
	en->ctx.app = d->app;
	en->ctx.client = client;
	en->ctx.method = m->name;	/* the table's, outlives the request */
	rc = m->handler(&en->ctx, params, &result, &err);
	call_finish(en, rc, result, &err);
}

static void
line_destroy(struct rpc_line *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		ctx_release(&l->e[i].ctx);
		json_decref(l->e[i].id);
		json_decref(l->e[i].reply);
	}
	free(l);
}

/* JSON text plus "\n", malloc'ed. */
static char *
dump_line(json_t *v)
{
	char *s, *t;
	size_t n;

	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	t = realloc(s, n + 2);
	if (t == NULL) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

/* The reply line of a complete line; frees the line. */
static int
line_output(struct rpc_line *l, char **out)
{
	json_t *a;
	size_t i;
	int rc = RPC_OK;

	*out = NULL;
	if (!l->batch) {
		if (l->e[0].reply != NULL) {
			*out = dump_line(l->e[0].reply);
			if (*out == NULL)
				rc = RPC_ERROR;
		}
		line_destroy(l);
		return rc;
	}
	a = json_array();
	if (a == NULL) {
		line_destroy(l);
		return RPC_ERROR;
	}
	for (i = 0; i < l->n; i++)
		if (l->e[i].reply != NULL)
			json_array_append(a, l->e[i].reply);
	/* A batch of notifications only: nothing at all (5.2). */
	if (json_array_size(a) > 0) {
		*out = dump_line(a);
		if (*out == NULL)
			rc = RPC_ERROR;
	}
	json_decref(a);
	line_destroy(l);
	return rc;
}

char *
rpc_error_line(int code, const char *message)
{
	struct rpc_error err = { 0 };
	json_t *r;
	char *s;

	rpc_error_set(&err, code, "%s", message);
	r = error_reply(NULL, &err);
	if (r == NULL)
		return NULL;
	s = dump_line(r);
	json_decref(r);
	return s;
}

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int
rpc_process_line(const struct rpc_dispatch *d, const char *line, size_t len,
		 const char *auth, void *client, char **out,
		 struct rpc_line **pending)
{
	json_error_t jerr;
	json_t *root;
	struct rpc_line *l;
	size_t n, i;
	int batch;

	*out = NULL;
	*pending = NULL;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > RPC_MAX_LINE) {
		*out = rpc_error_line(RPC_PARSE_ERROR, RPC_LINE_TOO_LONG_MSG);
		return *out != NULL ? RPC_OK : RPC_ERROR;
	}
	if (is_blank(line, len))
		return RPC_OK;
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			  &jerr);
	if (root == NULL) {
		struct rpc_error err = { 0 };
		json_t *r;

		rpc_error_set(&err, RPC_PARSE_ERROR,
			      "invalid JSON at byte %d: %s", jerr.position,
			      jerr.text);
		r = error_reply(NULL, &err);
		if (r == NULL)
			return RPC_ERROR;
		*out = dump_line(r);
		json_decref(r);
		return *out != NULL ? RPC_OK : RPC_ERROR;
	}
	batch = json_is_array(root);
	n = batch ? json_array_size(root) : 1;
	if (batch && n == 0) {
		json_decref(root);
		*out = rpc_error_line(RPC_INVALID_REQUEST,
				      "empty batch: expected at least one request");
		return *out != NULL ? RPC_OK : RPC_ERROR;
	}
	if (!batch && !json_is_object(root)) {
		struct rpc_error err = { 0 };
		char got[64];
		json_t *r;

		describe(root, got, sizeof(got));
		json_decref(root);
		rpc_error_set(&err, RPC_INVALID_REQUEST,
			      "request: expected an object or an array, got %s",
			      got);
		r = error_reply(NULL, &err);
		if (r == NULL)
			return RPC_ERROR;
		*out = dump_line(r);
		json_decref(r);
		return *out != NULL ? RPC_OK : RPC_ERROR;
	}
	l = calloc(1, sizeof(*l) + n * sizeof(l->e[0]));
	if (l == NULL) {
		json_decref(root);
		return RPC_ERROR;
	}
	l->d = d;
	l->batch = batch;
	l->n = n;
	for (i = 0; i < n; i++) {
		request_run(d, &l->e[i], batch ? json_array_get(root, i) : root,
			    auth, client);
		if (l->e[i].waiting)
			l->n_waiting++;
	}
	json_decref(root);
	if (l->n_waiting > 0) {
		*pending = l;
		return RPC_PENDING;
	}
	return line_output(l, out);
}

int
rpc_line_poll(struct rpc_line *l, char **out)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < l->n; i++) {
		struct rpc_entry *en = &l->e[i];
		struct rpc_error err = { 0 };
		json_t *result = NULL;
		int rc;

		if (!en->waiting)
			continue;
		rc = en->ctx.poll(&en->ctx, en->ctx.state, &result, &err);
		call_finish(en, rc, result, &err);
		if (!en->waiting)
			l->n_waiting--;
	}
	if (l->n_waiting > 0)
		return RPC_PENDING;
	return line_output(l, out);
}

void
rpc_line_free(struct rpc_line *l)
{
	if (l != NULL)
		line_destroy(l);
}

/* Parameter helpers. */

/* The member, NULL if absent; -1 if params is not an object. */
static int
param_get(const json_t *params, const char *name, enum rpc_need need,
	  json_t **v, struct rpc_error *err)
{
	char got[64];

	*v = NULL;
	if (params != NULL && !json_is_object(params)) {
		describe(params, got, sizeof(got));
		rpc_error_set(err, RPC_INVALID_PARAMS,
			      "params: expected an object, got %s", got);
		return -1;
	}
	if (params != NULL)
		*v = json_object_get(params, name);
	if (*v == NULL) {
		if (need == RPC_REQUIRED) {
			rpc_error_set(err, RPC_INVALID_PARAMS,
				      "missing required parameter '%s'", name);
			return -1;
		}
		return 1;
	}
	return 0;
}

static int
param_type_error(const json_t *v, const char *name, const char *expected,
		 struct rpc_error *err)
{
	char got[64];

	describe(v, got, sizeof(got));
	rpc_error_set(err, RPC_INVALID_PARAMS, "params.%s: expected %s, got %s",
		      name, expected, got);
	return -1;
}

int
rpc_params_check(const json_t *params, const char *const *allowed,
		 struct rpc_error *err)
{
	const char *key;
	json_t *v;
	char got[64];

	if (params == NULL)
		return 0;
	if (!json_is_object(params)) {
		describe(params, got, sizeof(got));
		rpc_error_set(err, RPC_INVALID_PARAMS,
			      "params: expected an object, got %s", got);
		return -1;
	}
	json_object_foreach((json_t *)(uintptr_t)params, key, v) {
		const char *const *p;

		for (p = allowed; p != NULL && *p != NULL; p++)
			if (strcmp(*p, key) == 0)
				break;
		if (p == NULL || *p == NULL) {
			rpc_error_set(err, RPC_INVALID_PARAMS,
				      "unknown parameter '%.64s'", key);
			return -1;
		}
	}
	return 0;
}

static void
int_expectation(int64_t min, int64_t max, char *buf, size_t len)
{
	if (min == 1 && max == INT64_MAX)
		snprintf(buf, len, "a positive integer");
	else if (min == 0 && max == INT64_MAX)
		snprintf(buf, len, "a non-negative integer");
	else if (min == INT64_MIN && max == INT64_MAX)
		snprintf(buf, len, "an integer");
	else if (max == INT64_MAX)
		snprintf(buf, len, "an integer >= %lld", (long long)min);
	else if (min == INT64_MIN)
		snprintf(buf, len, "an integer <= %lld", (long long)max);
	else
		snprintf(buf, len, "an integer between %lld and %lld",
			 (long long)min, (long long)max);
}

int
rpc_param_int(const json_t *params, const char *name, enum rpc_need need,
	      int64_t min, int64_t max, int64_t *out, struct rpc_error *err)
{
	char expected[96];
	json_t *v;
	int64_t x;
	int rc;

	rc = param_get(params, name, need, &v, err);
	if (rc != 0)
		return rc;
	int_expectation(min, max, expected, sizeof(expected));
	if (json_is_integer(v)) {
		x = json_integer_value(v);
	} else if (json_is_real(v)) {
		double r = json_real_value(v);

		/* 2^53: every integer below is exact in a double. */
		if (r != floor(r) || fabs(r) > 9007199254740992.0)
			return param_type_error(v, name, expected, err);
		x = (int64_t)r;
	} else {
		return param_type_error(v, name, expected, err);
	}
	if (x < min || x > max)
		return param_type_error(v, name, expected, err);
	*out = x;
	return 0;
}

int
rpc_param_number(const json_t *params, const char *name, enum rpc_need need,
		 double min, double max, double *out, struct rpc_error *err)
{
	char expected[96];
	json_t *v;
	double x;
	int rc;

	rc = param_get(params, name, need, &v, err);
	if (rc != 0)
		return rc;
	if (min == -HUGE_VAL && max == HUGE_VAL)
		snprintf(expected, sizeof(expected), "a number");
	else if (max == HUGE_VAL)
		snprintf(expected, sizeof(expected), "a number >= %g", min);
	else if (min == -HUGE_VAL)
		snprintf(expected, sizeof(expected), "a number <= %g", max);
	else
		snprintf(expected, sizeof(expected),
			 "a number between %g and %g", min, max);
	if (!json_is_number(v))
		return param_type_error(v, name, expected, err);
	x = json_number_value(v);
	if (!(x >= min && x <= max))
		return param_type_error(v, name, expected, err);
	*out = x;
	return 0;
}

int
rpc_param_string(const json_t *params, const char *name, enum rpc_need need,
		 int allow_empty, const char **out, struct rpc_error *err)
{
	const char *expected = allow_empty ? "a string" : "a non-empty string";
	json_t *v;
	int rc;

	rc = param_get(params, name, need, &v, err);
	if (rc != 0)
		return rc;
	if (!json_is_string(v))
		return param_type_error(v, name, expected, err);
	if (!allow_empty && json_string_length(v) == 0) {
		rpc_error_set(err, RPC_INVALID_PARAMS,
			      "params.%s: expected %s, got \"\"", name,
			      expected);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
rpc_param_bool(const json_t *params, const char *name, enum rpc_need need,
	       int *out, struct rpc_error *err)
{
	json_t *v;
	int rc;

	rc = param_get(params, name, need, &v, err);
	if (rc != 0)
		return rc;
	if (!json_is_boolean(v))
		return param_type_error(v, name, "true or false", err);
	*out = json_is_true(v);
	return 0;
}

int
rpc_param_object(const json_t *params, const char *name, enum rpc_need need,
		 json_t **out, struct rpc_error *err)
{
	json_t *v;
	int rc;

	rc = param_get(params, name, need, &v, err);
	if (rc != 0)
		return rc;
	if (!json_is_object(v))
		return param_type_error(v, name, "an object", err);
	*out = v;
	return 0;
}

int
rpc_param_array(const json_t *params, const char *name, enum rpc_need need,
		json_t **out, struct rpc_error *err)
{
	json_t *v;
	int rc;

	rc = param_get(params, name, need, &v, err);
	if (rc != 0)
		return rc;
	if (!json_is_array(v))
		return param_type_error(v, name, "an array", err);
	*out = v;
	return 0;
}

int
rpc_call_sync(const struct rpc_dispatch *d, const char *method,
	      json_t *params, json_t **result, struct rpc_error *err,
	      int (*wait)(void *arg), void *wait_arg)
{
	const struct rpc_method *m = method_find(d, method);
	struct rpc_ctx ctx;
	int rc;

	*result = NULL;
	memset(err, 0, sizeof(*err));
	if (m == NULL)
		return rpc_error_set(err, RPC_METHOD_NOT_FOUND,
				     "unknown method '%s'", method);
	memset(&ctx, 0, sizeof(ctx));
	ctx.app = d->app;
	ctx.method = method;
	rc = m->handler(&ctx, params, result, err);
	if (rc != RPC_PENDING || ctx.poll == NULL) {
		if (ctx.free_state != NULL)
			ctx.free_state(ctx.state);
		if (rc == RPC_PENDING)
			return rpc_error_set(err, RPC_INTERNAL_ERROR,
					     "%s deferred without a poll", method);
		return rc;
	}
	for (;;) {
		rc = ctx.poll(&ctx, ctx.state, result, err);
		if (rc != RPC_PENDING)
			break;
		if (wait(wait_arg) != 0) {
			rc = rpc_error_set(err, RPC_INTERNAL_ERROR,
					   "interrupted");
			break;
		}
	}
	if (ctx.free_state != NULL)
		ctx.free_state(ctx.state);
	return rc;
}
