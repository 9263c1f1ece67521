/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the JSON-RPC 2.0 framing and dispatch (rpc.h): replies
 * and every error code with its message, batches, notifications, the
 * parameter helpers, the token check, and deferred (pending) calls.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"

/* Calls of the "count" method, notifications included. */
static int n_counted;
/* Deferred states freed (completed or cancelled). */
static int n_freed;

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
m_count(struct rpc_ctx *ctx, json_t *params, json_t **result,
	struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	n_counted++;
	*result = json_integer(n_counted);
	return RPC_OK;
}

static int
m_fail(struct rpc_ctx *ctx, json_t *params, json_t **result,
       struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)result;
	err->data = json_pack("{s:i}", "why", 42);
	return rpc_error_set(err, -32010, "job %d failed", 7);
}

/* Fails but forgets the code: the dispatcher makes it -32603. */
static int
m_sloppy(struct rpc_ctx *ctx, json_t *params, json_t **result,
	 struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	*result = json_string("leaked if not released");
	return RPC_ERROR;
}

/* Says pending without a continuation. */
static int
m_liar(struct rpc_ctx *ctx, json_t *params, json_t **result,
       struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)result;
	(void)err;
	return RPC_PENDING;
}

/* The parameter helpers as a method would use them. */
static int
m_params(struct rpc_ctx *ctx, json_t *params, json_t **result,
	 struct rpc_error *err)
{
	static const char *const allowed[] = {
		"url", "connections", "ratio", "verbose", "headers", "list",
		NULL
	};
	const char *url;
	int64_t conns = 1;
	double ratio = 0.5;
	int verbose = 0;
	json_t *headers = NULL, *list = NULL;

	(void)ctx;
	if (rpc_params_check(params, allowed, err) < 0 ||
	    rpc_param_string(params, "url", RPC_REQUIRED, 0, &url, err) < 0 ||
	    rpc_param_int(params, "connections", RPC_OPTIONAL, 1, INT64_MAX,
			  &conns, err) < 0 ||
	    rpc_param_number(params, "ratio", RPC_OPTIONAL, 0, 1, &ratio,
			     err) < 0 ||
	    rpc_param_bool(params, "verbose", RPC_OPTIONAL, &verbose, err) < 0 ||
	    rpc_param_object(params, "headers", RPC_OPTIONAL, &headers,
			     err) < 0 ||
	    rpc_param_array(params, "list", RPC_OPTIONAL, &list, err) < 0)
		return RPC_ERROR;
	*result = json_pack("{s:s, s:I, s:f, s:b, s:b, s:b}", "url", url,
			    "connections", (json_int_t)conns, "ratio", ratio,
			    "verbose", verbose, "headers", headers != NULL,
			    "list", list != NULL);
	return RPC_OK;
}

struct defer_state {
	int polls_left;
	int value;
};

static void
defer_free(void *state)
{
	n_freed++;
	free(state);
}

static int
defer_poll(struct rpc_ctx *ctx, void *state, json_t **result,
	   struct rpc_error *err)
{
	struct defer_state *s = state;

	assert_non_null(ctx->app);
	assert_string_equal(ctx->method, "defer");
	if (--s->polls_left > 0)
		return RPC_PENDING;
	if (s->value < 0)
		return rpc_error_set(err, -32011, "deferred failure");
	*result = json_integer(s->value);
	return RPC_OK;
}

/* Answers after params.polls polls with params.value. */
static int
m_defer(struct rpc_ctx *ctx, json_t *params, json_t **result,
	struct rpc_error *err)
{
	struct defer_state *s;
	int64_t polls, value = 0;

	(void)result;
	if (rpc_param_int(params, "polls", RPC_REQUIRED, 1, 1000, &polls,
			  err) < 0 ||
	    rpc_param_int(params, "value", RPC_OPTIONAL, -1, 1000, &value,
			  err) < 0)
		return RPC_ERROR;
	s = malloc(sizeof(*s));
	assert_non_null(s);
	s->polls_left = (int)polls;
	s->value = (int)value;
	rpc_defer(ctx, defer_poll, s, defer_free);
	return RPC_PENDING;
}

/* Defers, then changes its mind: the state must still be freed. */
static int
m_defer_then_fail(struct rpc_ctx *ctx, json_t *params, json_t **result,
		  struct rpc_error *err)
{
	(void)params;
	(void)result;
	rpc_defer(ctx, defer_poll, calloc(1, sizeof(struct defer_state)),
		  defer_free);
	return rpc_error_set(err, RPC_INVALID_PARAMS, "changed my mind");
}

static const struct rpc_method methods[] = {
	{ "echo", m_echo, "returns its params" },
	{ "count", m_count, "counts its calls" },
	{ "fail", m_fail, "fails with -32010" },
	{ "sloppy", m_sloppy, "fails without a code" },
	{ "liar", m_liar, "pending without a continuation" },
	{ "params", m_params, "exercises the parameter helpers" },
	{ "defer", m_defer, "answers after params.polls polls" },
	{ "defer_then_fail", m_defer_then_fail, "defers, then fails" },
};

static int app_token;
static const struct rpc_dispatch dispatch = {
	.methods = methods,
	.n_methods = sizeof(methods) / sizeof(methods[0]),
	.app = &app_token,
};

/* The reply line as JSON; checks it is exactly one line. */
static json_t *
parse_out(char *out)
{
	json_error_t jerr;
	json_t *v;
	size_t n;

	assert_non_null(out);
	n = strlen(out);
	assert_true(n >= 2);
	assert_int_equal(out[n - 1], '\n');
	assert_null(memchr(out, '\n', n - 1));
	v = json_loadb(out, n - 1, 0, &jerr);
	if (v == NULL)
		fail_msg("reply is not JSON: %s (%s)", out, jerr.text);
	free(out);
	return v;
}

/* Process a line that must complete at once; NULL if no reply. */
static json_t *
call_auth(const char *line, const char *auth)
{
	struct rpc_line *pending;
	char *out;
	int rc;

	rc = rpc_process_line(&dispatch, line, strlen(line), auth, NULL, &out,
			      &pending);
	assert_int_equal(rc, RPC_OK);
	assert_null(pending);
	if (out == NULL)
		return NULL;
	return parse_out(out);
}

static json_t *
call(const char *line)
{
	return call_auth(line, NULL);
}

/* A reply must be an error with this code and message and this id. */
static void
check_error(json_t *r, int code, const char *message, json_t *id)
{
	json_t *e;

	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "jsonrpc")),
			    "2.0");
	assert_null(json_object_get(r, "result"));
	e = json_object_get(r, "error");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "code")), code);
	if (message != NULL)
		assert_string_equal(
			json_string_value(json_object_get(e, "message")),
			message);
	assert_true(json_equal(json_object_get(r, "id"), id));
	assert_int_equal(json_object_size(r), 3);
}

static void
expect_error(const char *line, int code, const char *message)
{
	json_t *r = call(line), *null = json_null();

	check_error(r, code, message, null);
	json_decref(r);
}

static void
test_result_and_ids(void **state)
{
	static const char *const ids[] = {
		"1", "-7", "\"abc\"", "null", "1.5", "\"\"", "12345678901234",
	};
	char line[256];
	size_t i;
	json_t *r, *id;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"a\":[1,2]},\"id\":%s}",
			 ids[i]);
		r = call(line);
		id = json_loads(ids[i], JSON_DECODE_ANY, NULL);
		assert_non_null(r);
		assert_true(json_equal(json_object_get(r, "id"), id));
		assert_int_equal(json_integer_value(json_array_get(
			json_object_get(json_object_get(r, "result"), "a"), 1)),
			2);
		assert_null(json_object_get(r, "error"));
		assert_int_equal(json_object_size(r), 3);
		json_decref(id);
		json_decref(r);
	}
	/* No params: result null, still a member. */
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":3}");
	assert_true(json_is_null(json_object_get(r, "result")));
	json_decref(r);
	/* Positional params pass through. */
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1,\"x\"],\"id\":3}");
	assert_int_equal(json_array_size(json_object_get(r, "result")), 2);
	json_decref(r);
}

static void
test_framing(void **state)
{
	json_t *r;
	char *line;
	size_t n;

	(void)state;
	/* Blank lines are ignored; a CR before the newline too. */
	assert_null(call(""));
	assert_null(call("  \t \r"));
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[],\"id\":1}\r");
	assert_non_null(json_object_get(r, "result"));
	json_decref(r);

	/* Exactly RPC_MAX_LINE bytes is fine, one more is not. */
	n = RPC_MAX_LINE + 1;
	line = malloc(n + 1);
	assert_non_null(line);
	memset(line, ' ', n);
	memcpy(line, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":9}",
	       strlen("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":9}"));
	line[RPC_MAX_LINE] = '\0';
	r = call(line);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 9);
	json_decref(r);
	line[RPC_MAX_LINE] = ' ';
	line[n] = '\0';
	expect_error(line, RPC_PARSE_ERROR, "line exceeds 1048576 bytes");
	free(line);
}

static void
test_parse_errors(void **state)
{
	json_t *r, *e;
	const char *msg;

	(void)state;
	r = call("{\"jsonrpc\":\"2.0\",\"method\":");
	check_error(r, RPC_PARSE_ERROR, NULL, json_null());
	msg = json_string_value(json_object_get(json_object_get(r, "error"),
						"message"));
	assert_non_null(strstr(msg, "invalid JSON at byte "));
	json_decref(r);

	/* Two texts on one line, a duplicate key, a raw NUL. */
	r = call("{} {}");
	check_error(r, RPC_PARSE_ERROR, NULL, json_null());
	json_decref(r);
	r = call("{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}");
	check_error(r, RPC_PARSE_ERROR, NULL, json_null());
	e = json_object_get(r, "error");
	assert_non_null(strstr(json_string_value(json_object_get(e, "message")),
			       "duplicate"));
	json_decref(r);
	{
		static const char nul[] = "{\"a\":\0}";
		struct rpc_line *p;
		char *out;

		assert_int_equal(rpc_process_line(&dispatch, nul,
						  sizeof(nul) - 1, NULL, NULL,
						  &out, &p), RPC_OK);
		r = parse_out(out);
		check_error(r, RPC_PARSE_ERROR, NULL, json_null());
		json_decref(r);
	}
	/* Invalid UTF-8 inside a string. */
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"\xff\",\"id\":1}");
	check_error(r, RPC_PARSE_ERROR, NULL, json_null());
	json_decref(r);
}

static void
test_invalid_requests(void **state)
{
	json_t *r, *id;

	(void)state;
	expect_error("42", RPC_INVALID_REQUEST,
		     "request: expected an object or an array, got 42");
	expect_error("\"x\"", RPC_INVALID_REQUEST,
		     "request: expected an object or an array, got a string");
	expect_error("{\"method\":\"echo\"}", RPC_INVALID_REQUEST,
		     "missing member 'jsonrpc'");
	expect_error("{\"jsonrpc\":\"1.0\",\"method\":\"echo\"}",
		     RPC_INVALID_REQUEST, "jsonrpc: expected \"2.0\"");
	expect_error("{\"jsonrpc\":2,\"method\":\"echo\"}",
		     RPC_INVALID_REQUEST, "jsonrpc: expected \"2.0\"");
	expect_error("{\"jsonrpc\":\"2.0\"}", RPC_INVALID_REQUEST,
		     "missing member 'method'");
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":1,\"params\":\"bar\"}",
		     RPC_INVALID_REQUEST, "method: expected a string, got 1");
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":\"bar\"}",
		     RPC_INVALID_REQUEST,
		     "params: expected an object or an array, got a string");
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":{}}",
		     RPC_INVALID_REQUEST,
		     "id: expected a string, a number or null, got an object");
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":true}",
		     RPC_INVALID_REQUEST,
		     "id: expected a string, a number or null, got true");

	/* A valid id is echoed even when the rest is wrong. */
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":5,\"extra\":1}");
	id = json_integer(5);
	check_error(r, RPC_INVALID_REQUEST, "unknown member 'extra'", id);
	json_decref(id);
	json_decref(r);
}

static void
test_unknown_method(void **state)
{
	json_t *r, *id;
	char line[1200];
	char name[700];
	size_t i;

	(void)state;
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"fetch.strat\",\"id\":\"a\"}");
	id = json_string("a");
	check_error(r, RPC_METHOD_NOT_FOUND, "unknown method 'fetch.strat'",
		    id);
	json_decref(id);
	json_decref(r);

	/* A long name of 2-byte characters is cut on a character. */
	for (i = 0; i + 2 < sizeof(name); i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	name[i] = '\0';
	snprintf(line, sizeof(line),
		 "{\"jsonrpc\":\"2.0\",\"method\":\"x%s\",\"id\":1}", name);
	r = call(line);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "error"), "code")), RPC_METHOD_NOT_FOUND);
	json_decref(r);

	/* The built-in list. */
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.methods\",\"id\":1}");
	assert_int_equal(json_array_size(json_object_get(r, "result")),
			 dispatch.n_methods);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(r, "result"), 2), "help")), "fails with -32010");
	json_decref(r);
}

static void
test_notifications(void **state)
{
	int before = n_counted;

	(void)state;
	assert_null(call("{\"jsonrpc\":\"2.0\",\"method\":\"count\"}"));
	assert_int_equal(n_counted, before + 1);
	/* Errors of a valid notification are not reported... */
	assert_null(call("{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}"));
	assert_null(call("{\"jsonrpc\":\"2.0\",\"method\":\"fail\"}"));
	assert_null(call("{\"jsonrpc\":\"2.0\",\"method\":\"params\",\"params\":{\"x\":1}}"));
	/* ...but a malformed request is, id or not. */
	expect_error("{\"jsonrpc\":\"2.0\",\"method\":7}",
		     RPC_INVALID_REQUEST, "method: expected a string, got 7");
}

static void
test_batches(void **state)
{
	json_t *r, *e;
	int before;

	(void)state;
	expect_error("[]", RPC_INVALID_REQUEST,
		     "empty batch: expected at least one request");

	r = call("[1,2]");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 2);
	check_error(json_array_get(r, 0), RPC_INVALID_REQUEST,
		    "request: expected an object, got 1", json_null());
	check_error(json_array_get(r, 1), RPC_INVALID_REQUEST,
		    "request: expected an object, got 2", json_null());
	json_decref(r);

	/* Mixed, in order; notifications leave no trace. */
	before = n_counted;
	r = call("[{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1],\"id\":\"1\"},"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"count\"},"
		 "{\"foo\":\"boo\"},"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"fetch.strat\",\"id\":\"5\"},"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"count\",\"id\":\"9\"}]");
	assert_int_equal(n_counted, before + 2);
	assert_int_equal(json_array_size(r), 4);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(r, 0), "id")), "1");
	e = json_array_get(r, 1);
	check_error(e, RPC_INVALID_REQUEST, "missing member 'jsonrpc'",
		    json_null());
	e = json_array_get(r, 2);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(e, "error"), "code")), RPC_METHOD_NOT_FOUND);
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(r, 3), "result")), before + 2);
	json_decref(r);

	/* Only notifications: no reply at all. */
	assert_null(call("[{\"jsonrpc\":\"2.0\",\"method\":\"count\"},"
			 "{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}]"));
	/* A batch inside a batch is just an invalid request. */
	r = call("[[]]");
	assert_int_equal(json_array_size(r), 1);
	check_error(json_array_get(r, 0), RPC_INVALID_REQUEST,
		    "request: expected an object, got an array", json_null());
	json_decref(r);
}

static void
expect_params_error(const char *params, const char *message)
{
	char line[512];
	json_t *r, *id = json_integer(1);

	snprintf(line, sizeof(line),
		 "{\"jsonrpc\":\"2.0\",\"method\":\"params\",\"params\":%s,\"id\":1}",
		 params);
	r = call(line);
	check_error(r, RPC_INVALID_PARAMS, message, id);
	json_decref(id);
	json_decref(r);
}

static void
test_param_helpers(void **state)
{
	json_t *r, *res;

	(void)state;
	expect_params_error("{\"url\":\"u\",\"conections\":2}",
			    "unknown parameter 'conections'");
	expect_params_error("{}", "missing required parameter 'url'");
	expect_params_error("[\"u\"]", "params: expected an object, got an array");
	expect_params_error("{\"url\":\"\"}",
			    "params.url: expected a non-empty string, got \"\"");
	expect_params_error("{\"url\":5}",
			    "params.url: expected a non-empty string, got 5");
	expect_params_error("{\"url\":\"u\",\"connections\":-3}",
			    "params.connections: expected a positive integer, got -3");
	expect_params_error("{\"url\":\"u\",\"connections\":0}",
			    "params.connections: expected a positive integer, got 0");
	expect_params_error("{\"url\":\"u\",\"connections\":1.5}",
			    "params.connections: expected a positive integer, got 1.5");
	expect_params_error("{\"url\":\"u\",\"connections\":\"ten\"}",
			    "params.connections: expected a positive integer, got a string");
	expect_params_error("{\"url\":\"u\",\"connections\":null}",
			    "params.connections: expected a positive integer, got null");
	expect_params_error("{\"url\":\"u\",\"ratio\":2}",
			    "params.ratio: expected a number between 0 and 1, got 2");
	expect_params_error("{\"url\":\"u\",\"ratio\":[]}",
			    "params.ratio: expected a number between 0 and 1, got an array");
	expect_params_error("{\"url\":\"u\",\"verbose\":1}",
			    "params.verbose: expected true or false, got 1");
	expect_params_error("{\"url\":\"u\",\"headers\":[]}",
			    "params.headers: expected an object, got an array");
	expect_params_error("{\"url\":\"u\",\"list\":{}}",
			    "params.list: expected an array, got an object");
	expect_params_error("{\"url\":\"u\",\"connections\":false}",
			    "params.connections: expected a positive integer, got false");

	/* Defaults when absent; values when present; 1e3 is an integer. */
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"params\",\"params\":{\"url\":\"u\"},\"id\":1}");
	res = json_object_get(r, "result");
	assert_int_equal(json_integer_value(json_object_get(res, "connections")), 1);
	assert_true(json_real_value(json_object_get(res, "ratio")) == 0.5);
	assert_true(json_is_false(json_object_get(res, "verbose")));
	assert_true(json_is_false(json_object_get(res, "headers")));
	json_decref(r);
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"params\",\"params\":{\"url\":\"u\","
		 "\"connections\":1e3,\"ratio\":1,\"verbose\":true,\"headers\":{},\"list\":[]},\"id\":1}");
	res = json_object_get(r, "result");
	assert_int_equal(json_integer_value(json_object_get(res, "connections")), 1000);
	assert_true(json_real_value(json_object_get(res, "ratio")) == 1.0);
	assert_true(json_is_true(json_object_get(res, "verbose")));
	assert_true(json_is_true(json_object_get(res, "headers")));
	assert_true(json_is_true(json_object_get(res, "list")));
	json_decref(r);
}

static void
test_param_helpers_direct(void **state)
{
	struct rpc_error err = { 0 };
	json_t *p = json_pack("{s:I, s:f}", "big", (json_int_t)INT64_MAX,
			      "real", 1e300);
	int64_t x = 77;
	double d = 0;

	(void)state;
	/* Optional and absent: 1, the default untouched; no params too. */
	assert_int_equal(rpc_param_int(p, "none", RPC_OPTIONAL, 0, 10, &x,
				       &err), 1);
	assert_int_equal(x, 77);
	assert_int_equal(rpc_param_int(NULL, "none", RPC_OPTIONAL, 0, 10, &x,
				       &err), 1);
	assert_int_equal(rpc_params_check(NULL, NULL, &err), 0);
	assert_int_equal(rpc_param_int(p, "big", RPC_REQUIRED, INT64_MIN,
				       INT64_MAX, &x, &err), 0);
	assert_true(x == INT64_MAX);
	assert_int_equal(rpc_param_int(p, "big", RPC_REQUIRED, 0, 100, &x,
				       &err), -1);
	assert_int_equal(err.code, RPC_INVALID_PARAMS);
	assert_string_equal(err.message,
		"params.big: expected an integer between 0 and 100, got 9223372036854775807");
	/* A huge real is no integer (and no undefined conversion). */
	assert_int_equal(rpc_param_int(p, "real", RPC_REQUIRED, INT64_MIN,
				       INT64_MAX, &x, &err), -1);
	assert_string_equal(err.message,
		"params.real: expected an integer, got 1.0000000000000001e+300");
	assert_int_equal(rpc_param_number(p, "real", RPC_REQUIRED, -HUGE_VAL,
					  HUGE_VAL, &d, &err), 0);
	assert_true(d == 1e300);
	assert_int_equal(rpc_param_int(p, "big", RPC_REQUIRED, INT64_MIN, -1,
				       &x, &err), -1);
	assert_string_equal(err.message,
		"params.big: expected an integer <= -1, got 9223372036854775807");
	json_decref(p);
}

static void
test_handler_errors(void **state)
{
	json_t *r, *e, *id = json_integer(4);

	(void)state;
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"id\":4}");
	check_error(r, -32010, "job 7 failed", id);
	e = json_object_get(r, "error");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(e, "data"), "why")), 42);
	json_decref(r);

	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"sloppy\",\"id\":4}");
	check_error(r, RPC_INTERNAL_ERROR,
		    "method 'sloppy' failed without saying why", id);
	json_decref(r);

	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"liar\",\"id\":4}");
	check_error(r, RPC_INTERNAL_ERROR,
		    "method 'liar' deferred its reply without a continuation",
		    id);
	json_decref(r);

	n_freed = 0;
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"defer_then_fail\",\"id\":4}");
	check_error(r, RPC_INVALID_PARAMS, "changed my mind", id);
	assert_int_equal(n_freed, 1);
	json_decref(r);
	json_decref(id);

	/* The standalone error line. */
	r = parse_out(rpc_error_line(RPC_PARSE_ERROR, RPC_LINE_TOO_LONG_MSG));
	check_error(r, RPC_PARSE_ERROR, "line exceeds 1048576 bytes",
		    json_null());
	json_decref(r);
}

static void
test_auth(void **state)
{
	const char *tok = "s3cret";
	json_t *r, *id = json_integer(1);
	int before;

	(void)state;
	r = call_auth("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}", tok);
	check_error(r, RPC_UNAUTHORIZED,
		    "missing member 'auth' (a token is required on this listener)",
		    id);
	json_decref(r);
	r = call_auth("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"s3cre\",\"id\":1}",
		      tok);
	check_error(r, RPC_UNAUTHORIZED, "auth: wrong token", id);
	json_decref(r);
	r = call_auth("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"s3cret!\",\"id\":1}",
		      tok);
	check_error(r, RPC_UNAUTHORIZED, "auth: wrong token", id);
	json_decref(r);
	r = call_auth("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":7,\"id\":1}",
		      tok);
	check_error(r, RPC_UNAUTHORIZED, "auth: wrong token", id);
	json_decref(r);
	/* An unauthenticated notification runs nothing. */
	before = n_counted;
	assert_null(call_auth("{\"jsonrpc\":\"2.0\",\"method\":\"count\"}", tok));
	assert_int_equal(n_counted, before);

	r = call_auth("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"s3cret\",\"params\":[1],\"id\":1}",
		      tok);
	assert_non_null(json_object_get(r, "result"));
	json_decref(r);
	/* Where no token is needed, one given is ignored. */
	r = call("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"auth\":\"x\",\"id\":1}");
	assert_non_null(json_object_get(r, "result"));
	json_decref(r);
	json_decref(id);
}

static void
test_pending_single(void **state)
{
	const char *line =
		"{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"params\":{\"polls\":3,\"value\":11},\"id\":\"w\"}";
	struct rpc_line *p;
	char *out;
	json_t *r;

	(void)state;
	n_freed = 0;
	assert_int_equal(rpc_process_line(&dispatch, line, strlen(line), NULL,
					  NULL, &out, &p), RPC_PENDING);
	assert_null(out);
	assert_non_null(p);
	assert_int_equal(rpc_line_poll(p, &out), RPC_PENDING);
	assert_null(out);
	assert_int_equal(rpc_line_poll(p, &out), RPC_PENDING);
	assert_int_equal(n_freed, 0);
	assert_int_equal(rpc_line_poll(p, &out), RPC_OK);
	assert_int_equal(n_freed, 1);
	r = parse_out(out);
	assert_int_equal(json_integer_value(json_object_get(r, "result")), 11);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "w");
	json_decref(r);

	/* A deferred failure. */
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"params\":{\"polls\":1,\"value\":-1},\"id\":2}";
	assert_int_equal(rpc_process_line(&dispatch, line, strlen(line), NULL,
					  NULL, &out, &p), RPC_PENDING);
	assert_int_equal(rpc_line_poll(p, &out), RPC_OK);
	r = parse_out(out);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "error"), "code")), -32011);
	json_decref(r);
	assert_int_equal(n_freed, 2);

	/* A deferred notification completes silently. */
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"params\":{\"polls\":2}}";
	assert_int_equal(rpc_process_line(&dispatch, line, strlen(line), NULL,
					  NULL, &out, &p), RPC_PENDING);
	assert_int_equal(rpc_line_poll(p, &out), RPC_PENDING);
	assert_int_equal(rpc_line_poll(p, &out), RPC_OK);
	assert_null(out);
	assert_int_equal(n_freed, 3);
}

static void
test_pending_batch_and_cancel(void **state)
{
	const char *line =
		"[{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"params\":{\"polls\":2,\"value\":1},\"id\":1},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[2],\"id\":2},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"params\":{\"polls\":1,\"value\":3},\"id\":3},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"params\":{\"polls\":0},\"id\":4}]";
	struct rpc_line *p;
	char *out;
	json_t *r;
	int i;

	(void)state;
	n_freed = 0;
	assert_int_equal(rpc_process_line(&dispatch, line, strlen(line), NULL,
					  NULL, &out, &p), RPC_PENDING);
	assert_int_equal(rpc_line_poll(p, &out), RPC_PENDING);
	assert_int_equal(n_freed, 1);	/* the one-poll call is done */
	assert_int_equal(rpc_line_poll(p, &out), RPC_OK);
	assert_int_equal(n_freed, 2);
	r = parse_out(out);
	assert_int_equal(json_array_size(r), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(json_integer_value(json_object_get(
			json_array_get(r, i), "id")), i + 1);
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(r, 0), "result")), 1);
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(r, 2), "result")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_array_get(r, 3), "error"), "code")), RPC_INVALID_PARAMS);
	json_decref(r);

	/* Cancelled before the end: every state freed once. */
	n_freed = 0;
	assert_int_equal(rpc_process_line(&dispatch, line, strlen(line), NULL,
					  NULL, &out, &p), RPC_PENDING);
	rpc_line_free(p);
	assert_int_equal(n_freed, 2);
	n_freed = 0;
	assert_int_equal(rpc_process_line(&dispatch, line, strlen(line), NULL,
					  NULL, &out, &p), RPC_PENDING);
	assert_int_equal(rpc_line_poll(p, &out), RPC_PENDING);
	rpc_line_free(p);
	assert_int_equal(n_freed, 2);
	rpc_line_free(NULL);
}

/* The client pointer reaches handlers. */
static int
m_whoami(struct rpc_ctx *ctx, json_t *params, json_t **result,
	 struct rpc_error *err)
{
	(void)params;
	(void)err;
	*result = json_integer((json_int_t)(uintptr_t)ctx->client);
	return RPC_OK;
}

static void
test_ctx(void **state)
{
	static const struct rpc_method m[] = { { "who", m_whoami, NULL } };
	struct rpc_dispatch d = { m, 1, NULL };
	const char *line = "{\"jsonrpc\":\"2.0\",\"method\":\"who\",\"id\":1}";
	struct rpc_line *p;
	char *out;
	json_t *r;

	(void)state;
	assert_int_equal(rpc_process_line(&d, line, strlen(line), NULL,
					  (void *)(uintptr_t)1234, &out, &p),
			 RPC_OK);
	r = parse_out(out);
	assert_int_equal(json_integer_value(json_object_get(r, "result")), 1234);
	json_decref(r);
	/* rpc.methods with a NULL help gives "". */
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.methods\",\"id\":1}";
	assert_int_equal(rpc_process_line(&d, line, strlen(line), NULL, NULL,
					  &out, &p), RPC_OK);
	r = parse_out(out);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(r, "result"), 0), "help")), "");
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_and_ids),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_invalid_requests),
		cmocka_unit_test(test_unknown_method),
		cmocka_unit_test(test_notifications),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_param_helpers),
		cmocka_unit_test(test_param_helpers_direct),
		cmocka_unit_test(test_handler_errors),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_pending_single),
		cmocka_unit_test(test_pending_batch_and_cancel),
		cmocka_unit_test(test_ctx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
