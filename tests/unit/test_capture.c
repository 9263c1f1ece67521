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
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "capture.h"
#include "rpc_methods.h"
#include "rpc.h"

static struct app app;
static struct dpf_config cfg;
/* The capture directory of capture.start (cfg.capture_dir): a new
 * subdirectory of a temporary one, so that capture_dir_open makes it. */
static char tmpdir[] = "/tmp/test_capture_XXXXXX";
static char capdir[64];

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
		       RPC_INVALID_PARAMS,
		       "params.file: '/nonexistent-dir/x.pcapng' is a path: give a plain file name, it is created in the capture directory");
	assert_int_equal(call("capture.stop", NULL, &r, &e), RPC_ERROR);
	assert_int_equal(e.code, CAPTURE_ERR_NONE);
	assert_int_equal(call("capture.status", NULL, &r, &e), RPC_OK);
	assert_true(json_is_false(json_object_get(r, "active")));
	json_decref(r);
}

static void
test_capture_file(void **state)
{
	char path[128];
	struct rte_mempool *mp;
	struct rte_mbuf *m[4];
	struct worker w;
	struct rpc_error e;
	json_t *r, *st;
	uint8_t head[4];
	struct stat sb;
	FILE *f;
	int i;

	(void)state;
	snprintf(path, sizeof(path), "%s/ut.pcapng", capdir);
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
			 "{\"file\": \"ut.pcapng\", \"count\": 2, \"filter\": {\"port\": 80}}");
		assert_int_equal(call("capture.start", params, &r, &e), RPC_OK);
		assert_true(json_is_true(json_object_get(r, "active")));
		/* The reply names the full path written. */
		assert_string_equal(json_string_value(json_object_get(r,
				    "file")), path);
		json_decref(r);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0640);
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
	/* The name is taken now: a second capture.start to it fails and
	 * leaves the file as it is. */
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(call("capture.start", "{\"file\": \"ut.pcapng\"}",
			      &r, &e), RPC_ERROR);
	assert_int_equal(e.code, CAPTURE_ERR_EXISTS);
	{
		struct stat sb2;

		assert_int_equal(stat(path, &sb2), 0);
		assert_int_equal(sb2.st_size, sb.st_size);
	}
	unlink(path);
	rte_pktmbuf_free_bulk(m, 4);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
	rte_mempool_free(mp);
}

/* capture.start writes only new plain files in the capture directory. */
static void
test_capture_dir_rules(void **state)
{
	char p[192], q[192], msg[320];
	struct rpc_error e;
	struct stat sb;
	json_t *r;
	int fd;

	(void)state;
	/* Names that are not plain are refused before any file is made. */
	EXPECT_RPC_ERR("{\"file\": \"/etc/passwd\"}", RPC_INVALID_PARAMS,
		       "params.file: '/etc/passwd' is a path: give a plain file name, it is created in the capture directory");
	EXPECT_RPC_ERR("{\"file\": \"../x\"}", RPC_INVALID_PARAMS,
		       "params.file: '../x' is a path: give a plain file name, it is created in the capture directory");
	EXPECT_RPC_ERR("{\"file\": \"..\"}", RPC_INVALID_PARAMS,
		       "params.file: '..': a file name may not start with '.' nor contain '..'");
	EXPECT_RPC_ERR("{\"file\": \".hidden\"}", RPC_INVALID_PARAMS,
		       "params.file: '.hidden': a file name may not start with '.' nor contain '..'");
	EXPECT_RPC_ERR("{\"file\": \"a b\"}", RPC_INVALID_PARAMS,
		       "params.file: character 2 of the file name is not printable ASCII (or is a space)");
	EXPECT_RPC_ERR("{\"file\": \"a\\nb\"}", RPC_INVALID_PARAMS,
		       "params.file: character 2 of the file name is not printable ASCII (or is a space)");
	{
		char big[200 + 40];

		memset(q, 'a', 129);
		q[129] = '\0';
		snprintf(big, sizeof(big), "{\"file\": \"%s\"}", q);
		EXPECT_RPC_ERR(big, RPC_INVALID_PARAMS,
			       "params.file: a file name of at most 128 bytes, got 129");
	}

	/* A symbolic link in the directory is not followed. */
	snprintf(p, sizeof(p), "%s/link.pcapng", capdir);
	snprintf(q, sizeof(q), "%s/target", tmpdir);
	assert_int_equal(symlink(q, p), 0);
	snprintf(msg, sizeof(msg),
		 "%s exists and is a symbolic link: not followed; choose another name",
		 p);
	EXPECT_RPC_ERR("{\"file\": \"link.pcapng\"}", CAPTURE_ERR_EXISTS,
		       msg);
	assert_int_equal(lstat(q, &sb), -1);	/* nothing created there */
	unlink(p);

	/* An existing file is not truncated. */
	snprintf(p, sizeof(p), "%s/old.pcapng", capdir);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	snprintf(msg, sizeof(msg),
		 "%s exists: captures never overwrite a file; choose another name or remove it",
		 p);
	EXPECT_RPC_ERR("{\"file\": \"old.pcapng\"}", CAPTURE_ERR_EXISTS, msg);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, 4);
	unlink(p);

	/* A directory writable by others, or a symbolic link, is refused. */
	assert_int_equal(chmod(capdir, 0777), 0);
	assert_int_equal(call("capture.start", "{\"file\": \"w.pcapng\"}",
			      &r, &e), RPC_ERROR);
	assert_int_equal(e.code, CAPTURE_ERR_DIR);
	assert_non_null(strstr(e.message, "is writable by others"));
	assert_int_equal(chmod(capdir, 0750), 0);
	snprintf(q, sizeof(q), "%s/linkdir", tmpdir);
	assert_int_equal(symlink(capdir, q), 0);
	fd = capture_dir_open(q, msg, sizeof(msg));
	assert_int_equal(fd, -1);
	assert_non_null(strstr(msg, "is a symbolic link: refused"));
	unlink(q);
	/* The directory is made 0750 when missing. */
	snprintf(q, sizeof(q), "%s/new/dir", tmpdir);
	fd = capture_dir_open(q, msg, sizeof(msg));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(q, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0750);
	rmdir(q);
	snprintf(q, sizeof(q), "%s/new", tmpdir);
	rmdir(q);
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
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(capdir, sizeof(capdir), "%s/caps", tmpdir);
	cfg.capture_dir = capdir;
	app.cfg = &cfg;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	capture_fini(&app);
	rte_eal_cleanup();
	rmdir(capdir);
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_rpc_params),
		cmocka_unit_test(test_capture_file),
		cmocka_unit_test(test_capture_dir_rules),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
