/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture: the filter on hand-made frames, the capture.* methods'
 * parameter checks, and a capture of a few frames through capture_burst
 * into a pcapng file (EAL in --no-huge mode, no port).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "capture.h"
#include "rpc_methods.h"
#include "rpc.h"

static struct app app;
static struct dpf_config cfg;

/* Ethernet + IPv4 + TCP, addresses and ports in host order. */
static size_t
tcp_frame(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp)
{
	memset(f, 0, 54);
	f[12] = 0x08;
	f[14] = 0x45;
	f[23] = 6;
	f[26] = src >> 24; f[27] = src >> 16; f[28] = src >> 8; f[29] = src;
	f[30] = dst >> 24; f[31] = dst >> 16; f[32] = dst >> 8; f[33] = dst;
	f[34] = sp >> 8; f[35] = sp; f[36] = dp >> 8; f[37] = dp;
	return 54;
}

#define A 0xc6120002u	/* 198.18.0.2 */
#define B 0xc6120001u	/* 198.18.0.1 */
#define C 0x0a000001u	/* 10.0.0.1 */

static void
test_filter(void **state)
{
	uint8_t f[64];
	size_t n;

	(void)state;
	n = tcp_frame(f, A, B, 40000, 80);
	assert_int_equal(capture_filter_match(f, n, 0, 0), 1);
	assert_int_equal(capture_filter_match(f, n, htonl(B), 0), 1);
	assert_int_equal(capture_filter_match(f, n, htonl(A), 0), 1);
	assert_int_equal(capture_filter_match(f, n, htonl(C), 0), 0);
	assert_int_equal(capture_filter_match(f, n, 0, htons(80)), 1);
	assert_int_equal(capture_filter_match(f, n, 0, htons(40000)), 1);
	assert_int_equal(capture_filter_match(f, n, 0, htons(81)), 0);
	assert_int_equal(capture_filter_match(f, n, htonl(B), htons(81)), 0);
	/* Too short for the ports. */
	assert_int_equal(capture_filter_match(f, 36, 0, htons(80)), 0);
	/* A later fragment has no ports. */
	f[20] = 0x00; f[21] = 0x10;
	assert_int_equal(capture_filter_match(f, n, 0, htons(80)), 0);
	/* ICMP passes a host filter, not a port filter. */
	n = tcp_frame(f, A, B, 0, 0);
	f[23] = 1;
	assert_int_equal(capture_filter_match(f, n, htonl(B), 0), 1);
	assert_int_equal(capture_filter_match(f, n, 0, htons(80)), 0);
	/* ARP: on either address, and whatever the port filter. */
	memset(f, 0, sizeof(f));
	f[12] = 0x08; f[13] = 0x06;
	f[28] = 198; f[29] = 18; f[30] = 0; f[31] = 2;	/* sender */
	f[38] = 198; f[39] = 18; f[40] = 0; f[41] = 1;	/* target */
	assert_int_equal(capture_filter_match(f, 42, htonl(B), 0), 1);
	assert_int_equal(capture_filter_match(f, 42, htonl(A), htons(80)), 1);
	assert_int_equal(capture_filter_match(f, 42, htonl(C), 0), 0);
	assert_int_equal(capture_filter_match(f, 42, 0, htons(80)), 1);
	/* IPv6 only without a filter. */
	f[12] = 0x86; f[13] = 0xdd;
	assert_int_equal(capture_filter_match(f, 42, 0, 0), 1);
	assert_int_equal(capture_filter_match(f, 42, 0, htons(80)), 0);
}

static const struct rpc_method *
method(const char *name)
{
	size_t i;

	for (i = 0; i < rpc_methods_count; i++)
		if (strcmp(rpc_methods[i].name, name) == 0)
			return &rpc_methods[i];
	fail_msg("no method %s", name);
	return NULL;
}

/* Call a method with params given as JSON; returns its status. */
static int
call(const char *name, const char *params, json_t **res,
     struct rpc_error *err)
{
	struct rpc_ctx ctx = { .app = &app, .method = name };
	json_t *p = params != NULL ? json_loads(params, 0, NULL) : NULL;
	int rc;

	memset(err, 0, sizeof(*err));
	*res = NULL;
	rc = method(name)->handler(&ctx, p, res, err);
	json_decref(p);
	return rc;
}

#define EXPECT_RPC_ERR(params, want_code, msg) do { \
	json_t *r_; \
	struct rpc_error e_; \
	assert_int_equal(call("capture.start", params, &r_, &e_), RPC_ERROR); \
	assert_int_equal(e_.code, want_code); \
	assert_string_equal(e_.message, msg); \
} while (0)

static void
test_rpc_params(void **state)
{
	struct rpc_error e;
	json_t *r;

	(void)state;
	EXPECT_RPC_ERR("{}", RPC_INVALID_PARAMS,
		       "missing required parameter 'file'");
	EXPECT_RPC_ERR("{\"file\": \"/tmp/x\", \"cnt\": 1}", RPC_INVALID_PARAMS,
		       "unknown parameter 'cnt'");
	EXPECT_RPC_ERR("{\"file\": \"/tmp/x\", \"duration_s\": 0}",
		       RPC_INVALID_PARAMS,
		       "params.duration_s: expected a positive number, got 0");
	EXPECT_RPC_ERR("{\"file\": \"/tmp/x\", \"filter\": {\"hots\": 1}}",
		       RPC_INVALID_PARAMS,
		       "params.filter: unknown parameter 'hots'");
	EXPECT_RPC_ERR("{\"file\": \"/tmp/x\", \"filter\": {\"host\": \"1.2.3\"}}",
		       RPC_INVALID_PARAMS,
		       "params.filter.host: expected an IPv4 address A.B.C.D, got \"1.2.3\"");
	EXPECT_RPC_ERR("{\"file\": \"/nonexistent-dir/x.pcapng\"}",
		       CAPTURE_ERR_FILE,
		       "cannot open /nonexistent-dir/x.pcapng: No such file or directory");
	assert_int_equal(call("capture.stop", NULL, &r, &e), RPC_ERROR);
	assert_int_equal(e.code, CAPTURE_ERR_NONE);
	assert_int_equal(call("capture.status", NULL, &r, &e), RPC_OK);
	assert_true(json_is_false(json_object_get(r, "active")));
	json_decref(r);
}

static void
test_capture_file(void **state)
{
	char path[] = "/tmp/test_capture_XXXXXX";
	struct rte_mempool *mp;
	struct rte_mbuf *m[4];
	struct worker w;
	struct rpc_error e;
	json_t *r, *st;
	uint8_t head[4];
	FILE *f;
	int fd, i;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	mp = rte_pktmbuf_pool_create("ut_cap", 63, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	for (i = 0; i < 4; i++) {
		m[i] = rte_pktmbuf_alloc(mp);
		assert_non_null(m[i]);
		tcp_frame((uint8_t *)rte_pktmbuf_append(m[i], 54), A, B,
			  40000, i == 3 ? 22 : 80);
	}
	assert_int_equal(call("capture.start", "{\"file\": \"x\", \"count\": 0}",
			      &r, &e), RPC_ERROR);
	/* file, count 2, port 80 */
	{
		char params[128];

		snprintf(params, sizeof(params),
			 "{\"file\": \"%s\", \"count\": 2, \"filter\": {\"port\": 80}}",
			 path);
		assert_int_equal(call("capture.start", params, &r, &e), RPC_OK);
		assert_true(json_is_true(json_object_get(r, "active")));
		json_decref(r);
		assert_int_equal(call("capture.start", params, &r, &e),
				 RPC_ERROR);
		assert_int_equal(e.code, CAPTURE_ERR_BUSY);
		assert_non_null(strstr(e.message, "is already running"));
	}
	memset(&w, 0, sizeof(w));
	w.app = &app;
	capture_rx(&w, m, 4);		/* 3 to port 80, 1 to port 22 */
	/* The writer ends the capture on its own at the count. */
	for (i = 0; i < 1000; i++) {
		int active;

		st = capture_status(&app);
		active = json_is_true(json_object_get(st, "active"));
		json_decref(st);
		if (!active)
			break;
		usleep(2000);
	}
	assert_true(i < 1000);
	assert_int_equal(call("capture.stop", NULL, &r, &e), RPC_OK);
	assert_string_equal(json_string_value(json_object_get(r, "file")),
			    path);
	assert_int_equal(json_integer_value(json_object_get(r, "captured")), 3);
	assert_int_equal(json_integer_value(json_object_get(r, "written")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "filtered")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "dropped")), 0);
	assert_string_equal(json_string_value(json_object_get(r, "ended")),
			    "count");
	json_decref(r);
	/* Inactive now: the hook copies nothing. */
	capture_rx(&w, m, 4);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 4, f), 4);
	fclose(f);
	/* Section Header Block type 0x0A0D0D0A. */
	assert_memory_equal(head, "\x0a\x0d\x0d\x0a", 4);
	unlink(path);
	rte_pktmbuf_free_bulk(m, 4);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
	rte_mempool_free(mp);
}

static int
group_setup(void **state)
{
	char *argv[] = {
		"test_capture", "--no-huge", "--no-pci", "-m", "128",
		"--file-prefix", "ut_capture", "--log-level", "error",
		"--no-shconf", "--no-telemetry", "-l", "0",
	};

	(void)state;
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])), argv) < 0)
		return -1;
	cfg.mtu = 1500;
	app.cfg = &cfg;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	capture_fini(&app);
	rte_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_rpc_params),
		cmocka_unit_test(test_capture_file),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
