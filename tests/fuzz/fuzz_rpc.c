/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the JSON-RPC dispatcher (rpc.h): the input is cut
 * into lines at "\n" and each line goes through rpc_process_line() with a
 * small method table, deferred calls included (polled a few times, then
 * completed or cancelled).  Every reply must be one line of JSON with
 * "jsonrpc": "2.0"; anything else, a crash, a sanitizer report or a leak
 * is a finding.
 *
 * The first byte's low bit chooses whether a token is required.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	(void)result;
	err->data = params != NULL ? json_incref(params) : NULL;
	return rpc_error_set(err, -32010, "failed as asked");
}

static int
m_params(struct rpc_ctx *ctx, json_t *params, json_t **result,
	 struct rpc_error *err)
{
	static const char *const allowed[] = {
		"s", "i", "n", "b", "o", "a", NULL
	};
	const char *s = "";
	int64_t i = 0;
	double n = 0;
	int b = 0;
	json_t *o = NULL, *a = NULL;

	(void)ctx;
	if (rpc_params_check(params, allowed, err) < 0 ||
	    rpc_param_string(params, "s", RPC_OPTIONAL, 0, &s, err) < 0 ||
	    rpc_param_int(params, "i", RPC_OPTIONAL, -5, INT64_MAX, &i,
			  err) < 0 ||
	    rpc_param_number(params, "n", RPC_OPTIONAL, -1e9, 1e9, &n,
			     err) < 0 ||
	    rpc_param_bool(params, "b", RPC_OPTIONAL, &b, err) < 0 ||
	    rpc_param_object(params, "o", RPC_OPTIONAL, &o, err) < 0 ||
	    rpc_param_array(params, "a", RPC_REQUIRED, &a, err) < 0)
		return RPC_ERROR;
	*result = json_pack("{s:s, s:I, s:f, s:b}", "s", s, "i",
			    (json_int_t)i, "n", n, "b", b);
	return RPC_OK;
}

static int
defer_poll(struct rpc_ctx *ctx, void *state, json_t **result,
	   struct rpc_error *err)
{
	int64_t *left = state;

	(void)ctx;
	if (--*left > 0)
		return RPC_PENDING;
	if (*left < -1)
		return rpc_error_set(err, -32011, "deferred failure");
	*result = json_integer(*left);
	return RPC_OK;
}

static int
m_defer(struct rpc_ctx *ctx, json_t *params, json_t **result,
	struct rpc_error *err)
{
	int64_t polls = 1, *state;

	(void)result;
	if (rpc_param_int(params, "polls", RPC_OPTIONAL, -3, 10, &polls,
			  err) < 0)
		return RPC_ERROR;
	state = malloc(sizeof(*state));
	if (state == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "no memory");
	*state = polls;
	rpc_defer(ctx, defer_poll, state, free);
	/* polls 0: defer, then answer at once after all. */
	if (polls == 0) {
		*result = json_true();
		return RPC_OK;
	}
	return RPC_PENDING;
}

static const struct rpc_method methods[] = {
	{ "echo", m_echo, "returns its params" },
	{ "fail", m_fail, "fails" },
	{ "params", m_params, "parameter helpers" },
	{ "defer", m_defer, "answers after params.polls polls" },
};

static const struct rpc_dispatch dispatch = {
	methods, sizeof(methods) / sizeof(methods[0]), NULL
};

static void
check_reply(char *out)
{
	json_t *v, *one;
	size_t n, i;

	if (out == NULL)
		return;
	n = strlen(out);
	if (n < 2 || out[n - 1] != '\n' || memchr(out, '\n', n - 1) != NULL)
		abort();
	v = json_loadb(out, n - 1, JSON_REJECT_DUPLICATES, NULL);
	if (v == NULL)
		abort();
	for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
		one = json_is_array(v) ? json_array_get(v, i) : v;
		if (!json_is_string(json_object_get(one, "jsonrpc")) ||
		    json_object_get(one, "id") == NULL)
			abort();
	}
	json_decref(v);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *auth = size > 0 && (data[0] & 1) ? "tok" : NULL;
	const char *p = (const char *)data, *end = p + size, *nl;
	struct rpc_line *pending;
	char *out;
	int i, rc;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		rc = rpc_process_line(&dispatch, p, (size_t)(nl - p), auth,
				      NULL, &out, &pending);
		if (rc == RPC_PENDING) {
			if (out != NULL || pending == NULL)
				abort();
			/* Some complete, the rest are cancelled. */
			for (i = 0; i < 3 && rc == RPC_PENDING; i++)
				rc = rpc_line_poll(pending, &out);
			if (rc == RPC_PENDING)
				rpc_line_free(pending);
		}
		check_reply(out);
		p = nl + 1;
	}
	return 0;
}
