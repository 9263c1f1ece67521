/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the settings: command line, JSON file, key=value pairs. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "job_params.h"
#include "search_params.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	 ((uint32_t)(c) << 8) | (uint32_t)(d))

/* The arguments every successful run needs. */
#define BASE	"--ip", "10.0.0.5/24", "--fetch", "http://10.0.0.1/"

/* config_from_args over "dpfetch" followed by the arguments given. */
#define RUN(cfg, err, ...) \
	run_args(cfg, err, (char *[]){ "dpfetch", __VA_ARGS__, NULL })

static enum config_result
run_args(struct dpf_config *cfg, char *err, char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	config_init(cfg);
	strcpy(err, "(untouched)");
	return config_from_args(cfg, argc, argv, err, CONFIG_ERR_LEN);
}

static void
assert_contains_(const char *s, const char *sub, const char *file, int line)
{
	if (strstr(s, sub) == NULL)
		fail_msg("%s:%d: \"%s\" does not mention \"%s\"", file, line, s,
			 sub);
}

#define assert_contains(s, sub) assert_contains_(s, sub, __FILE__, __LINE__)

/* Expect CONFIG_OK; the caller inspects cfg and calls config_free. */
#define EXPECT_OK(cfg, err, ...) do { \
	if (RUN(cfg, err, __VA_ARGS__) != CONFIG_OK) \
		fail_msg("%s:%d: unexpected error: %s", __FILE__, __LINE__, \
			 err); \
} while (0)

/* Expect CONFIG_ERROR with a message mentioning sub. */
#define EXPECT_ERR(sub, ...) do { \
	struct dpf_config c_; \
	char e_[CONFIG_ERR_LEN]; \
	if (RUN(&c_, e_, __VA_ARGS__) != CONFIG_ERROR) \
		fail_msg("%s:%d: accepted (wanted an error about %s)", \
			 __FILE__, __LINE__, sub); \
	assert_contains_(e_, sub, __FILE__, __LINE__); \
	config_free(&c_); \
} while (0)

/* A temporary file with the given contents; the caller unlinks it. */
static char *
write_tmp(const char *text)
{
	char *path = strdup("/tmp/ut_config_XXXXXX");
	int fd;
	size_t n = strlen(text);

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
	return path;
}

static void
drop_tmp(char *path)
{
	unlink(path);
	free(path);
}

/* Load text as a config file over the defaults. */
static int
load_text(struct dpf_config *cfg, const char *text, char *err)
{
	char *path = write_tmp(text);
	int rc;

	config_init(cfg);
	strcpy(err, "(untouched)");
	rc = config_load_file(cfg, path, err, CONFIG_ERR_LEN);
	drop_tmp(path);
	return rc;
}

/* The file must be refused with a message mentioning sub. */
static void
expect_file_err_(const char *text, const char *sub, const char *file,
		 int line)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	if (load_text(&c, text, err) != -1)
		fail_msg("%s:%d: file accepted: %s", file, line, text);
	assert_contains_(err, sub, file, line);
	config_free(&c);
}

#define expect_file_err(text, sub) \
	expect_file_err_(text, sub, __FILE__, __LINE__)

static void
test_defaults(void **state)
{
	struct dpf_config c;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	config_init(&c);
	assert_int_equal(c.ip, 0);
	assert_int_equal(c.prefix_len, 0);
	assert_int_equal(c.gateway, 0);
	assert_int_equal(c.mtu, 1500);
	assert_int_equal(c.port_id, 0);
	assert_int_equal(c.port_given, 0);
	assert_int_equal(c.mbufs, 16383);
	assert_int_equal(c.max_conns, 16384);
	assert_null(c.fetch_url);
	assert_null(c.output);
	assert_int_equal(c.n_headers, 0);
	assert_true(c.timeout_s == 60.0);
	assert_int_equal(c.print_stats, 0);
	assert_int_equal(c.arp.retries, 3);
	assert_int_equal(c.arp.retry_ms, 1000);
	assert_int_equal(c.arp.reachable_s, 30);
	assert_int_equal(c.tcp.rcvbuf, 1u << 20);
	assert_int_equal(c.tcp.rto_initial_ms, 1000);
	assert_int_equal(c.tcp.rto_min_ms, 200);
	assert_int_equal(c.tcp.rto_max_ms, 60000);
	assert_int_equal(c.tcp.delack_ms, 40);
	assert_int_equal(c.tcp.time_wait_ms, 1000);
	assert_int_equal(c.tcp.syn_retries, 5);
	assert_int_equal(c.tcp.data_retries, 12);
	assert_int_equal(c.tcp.max_ooo_segs, 4096);
	/* Cold pools: 0 = max_conns / 16 (tcp_conn.c). */
	assert_int_equal(c.tcp.sack_conns, 0);
	assert_int_equal(c.tcp.ooo_conns, 0);
	assert_int_equal(c.tcp.cc_conns, 0);
	assert_int_equal(c.tcp.snd_conns, 0);	/* max_conns / 8 */
	assert_int_equal(c.tcp.wscale, 1);
	assert_int_equal(c.tcp.timestamps, 1);
	assert_int_equal(c.tcp.sack, 1);
	assert_int_equal(c.tcp.tso, 1);
	assert_int_equal(c.tcp.lro, 1);
	assert_int_equal(c.impair.seed, 1);
	assert_true(c.impair.rx.drop == 0 && c.impair.rx.dup == 0 &&
		    c.impair.rx.reorder == 0 && c.impair.rx.corrupt == 0 &&
		    c.impair.rx.reorder_delay_us == 0);
	assert_true(c.impair.tx.drop == 0 && c.impair.tx.dup == 0 &&
		    c.impair.tx.reorder == 0 && c.impair.tx.corrupt == 0 &&
		    c.impair.tx.reorder_delay_us == 0);
	/* config_free on a fresh config, twice, is fine. */
	config_free(&c);
	config_free(&c);
}

static void
test_minimal(void **state)
{
	struct dpf_config c, d;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_OK(&c, err, BASE);
	assert_int_equal(c.ip, IP(10, 0, 0, 5));
	assert_int_equal(c.prefix_len, 24);
	assert_string_equal(c.fetch_url, "http://10.0.0.1/");
	/* Everything else keeps its default. */
	config_init(&d);
	assert_int_equal(c.mtu, d.mtu);
	assert_int_equal(c.mbufs, d.mbufs);
	assert_memory_equal(&c.tcp, &d.tcp, sizeof(d.tcp));
	assert_memory_equal(&c.arp, &d.arp, sizeof(d.arp));
	assert_memory_equal(&c.impair, &d.impair, sizeof(d.impair));
	assert_null(c.output);
	assert_int_equal(c.port_given, 0);
	config_free(&c);
	config_free(&d);

	/* "--opt=value" works as well. */
	EXPECT_OK(&c, err, "--ip=10.0.0.5/24", "--fetch=http://10.0.0.1/",
		  "--mtu=1400");
	assert_int_equal(c.mtu, 1400);
	config_free(&c);
}

static void
test_ip(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	/* No /N: refused, with an example (it used to mean /32, and every
	 * destination was then off-link). */
	EXPECT_ERR("lacks the prefix length", "--ip", "192.168.7.9",
		   "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("e.g. --ip 192.168.7.9/24", "--ip", "192.168.7.9",
		   "--fetch", "http://10.0.0.1/");
	EXPECT_OK(&c, err, "--ip", "192.168.7.9/32", "--fetch",
		  "http://10.0.0.1/");
	assert_int_equal(c.ip, IP(192, 168, 7, 9));
	assert_int_equal(c.prefix_len, 32);
	config_free(&c);
	EXPECT_OK(&c, err, "--ip", "10.0.0.1/1", "--fetch", "http://10.0.0.1/");
	assert_int_equal(c.prefix_len, 1);
	config_free(&c);
	EXPECT_OK(&c, err, "--ip", "10.0.0.1/32", "--fetch", "http://10.0.0.1/");
	assert_int_equal(c.prefix_len, 32);
	config_free(&c);
	/* Several --ip are several addresses; the first is cfg->ip. */
	EXPECT_OK(&c, err, "--ip", "10.0.0.1/8", "--ip", "10.0.0.2/16",
		  "--fetch", "http://10.0.0.1/");
	assert_int_equal(c.ip, IP(10, 0, 0, 1));
	assert_int_equal(c.prefix_len, 8);
	assert_int_equal(c.n_addrs, 2);
	config_free(&c);

	EXPECT_ERR("--ip", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("required", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "0.0.0.0/8", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "10.0.0.1/0", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "10.0.0.1/33", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "10.0.0.1/", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "10.0.0.1/24x", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "10.0.0.1/-8", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "10.0.0/24", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "10.0.0.256/24", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "010.0.0.1/24", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "host/24", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip", "", "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ip", "--ip",
		   "10.0.0.1/24                                                "
		   "                                                       ",
		   "--fetch", "http://10.0.0.1/");
	/* The bad value is quoted. */
	EXPECT_ERR("10.0.0.256", "--ip", "10.0.0.256/24", "--fetch",
		   "http://10.0.0.1/");
}

static void
test_ip6(void **state)
{
	static const uint8_t want[16] = { 0x20, 0x01, 0, 2, [15] = 2 };
	static const uint8_t gw[16] = { 0xfe, 0x80, [15] = 1 };
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	/* Instead of --ip: IPv4 is then off (cfg->ip 0). */
	EXPECT_OK(&c, err, "--ip6", "2001:2::2/64", "--echo", "7");
	assert_true(c.has_ip6);
	assert_memory_equal(c.ip6, want, 16);
	assert_int_equal(c.ip6_prefix, 64);
	assert_int_equal(c.ip, 0);
	assert_int_equal(c.nd.dad_transmits, 1);
	assert_int_equal(c.nd.dad_retrans_ms, 1000);
	config_free(&c);
	/* Beside it, with a link-local gateway and DAD tunables. */
	EXPECT_OK(&c, err, BASE, "--ip6", "2001:2::2/128", "--gateway6",
		  "fe80::1", "--nd", "dad_transmits=0,dad_retrans_ms=50");
	assert_int_equal(c.ip, IP(10, 0, 0, 5));
	assert_memory_equal(c.gateway6, gw, 16);
	assert_int_equal(c.ip6_prefix, 128);
	assert_int_equal(c.nd.dad_transmits, 0);
	assert_int_equal(c.nd.dad_retrans_ms, 50);
	config_free(&c);

	EXPECT_ERR("--ip6", "--ip6", "2001:2::2", "--echo", "7");
	EXPECT_ERR("e.g. --ip6 2001:2::2/64", "--ip6", "2001:2::2", "--echo",
		   "7");
	EXPECT_ERR("--ip6", "--ip6", "2001:2::2/0", "--echo", "7");
	EXPECT_ERR("--ip6", "--ip6", "2001:2::2/129", "--echo", "7");
	EXPECT_ERR("--ip6", "--ip6", "2001:2::zz/64", "--echo", "7");
	EXPECT_ERR("--ip6", "--ip6", "10.0.0.1/24", "--echo", "7");
	EXPECT_ERR("not a unicast", "--ip6", "ff02::1/64", "--echo", "7");
	EXPECT_ERR("not a unicast", "--ip6", "::/64", "--echo", "7");
	EXPECT_ERR("not a unicast", "--ip6", "::1/64", "--echo", "7");
	EXPECT_ERR("--gateway6", BASE, "--ip6", "2001:2::2/64", "--gateway6",
		   "10.0.0.1");
	EXPECT_ERR("--gateway6", BASE, "--ip6", "2001:2::2/64", "--gateway6",
		   "ff02::2");
	EXPECT_ERR("--gateway6 needs --ip6", BASE, "--gateway6", "fe80::1");
	EXPECT_ERR("own address", BASE, "--ip6", "2001:2::2/64",
		   "--gateway6", "2001:2::2");
	EXPECT_ERR("dad_transmits", BASE, "--nd", "dad_transmits=11");
	EXPECT_ERR("--nd", BASE, "--nd", "nope=1");
	/* Neither address. */
	EXPECT_ERR("--ip6", "--echo", "7");

	/* The config file's keys; errors name the key. */
	{
		static const char text[] =
			"{\"ip6\": \"2001:2::2/64\", \"gateway6\": \"2001:2::1\","
			" \"nd\": {\"dad_transmits\": 3}}";

		config_init(&c);
		assert_int_equal(config_load_string(&c, text, strlen(text),
						    "inline", err, sizeof(err)),
				 0);
		assert_true(c.has_ip6);
		assert_int_equal(c.gateway6[15], 1);
		assert_int_equal(c.nd.dad_transmits, 3);
		config_free(&c);
		config_init(&c);
		assert_int_equal(config_load_string(&c, "{\"ip6\": \"x/64\"}",
						    15, "inline", err,
						    sizeof(err)), -1);
		assert_contains(err, "\"ip6\"");
		config_free(&c);
	}
}

static void
test_gateway(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_OK(&c, err, BASE, "--gateway", "10.0.0.1");
	assert_int_equal(c.gateway, IP(10, 0, 0, 1));
	config_free(&c);
	EXPECT_OK(&c, err, "--ip", "10.1.2.3/8", "--gateway", "10.255.0.1",
		  "--fetch", "http://10.0.0.1/");
	assert_int_equal(c.gateway, IP(10, 255, 0, 1));
	config_free(&c);
	/* Order does not matter: checked once everything is in. */
	EXPECT_OK(&c, err, "--gateway", "172.16.0.1", "--ip", "172.16.9.9/16",
		  "--fetch", "http://10.0.0.1/");
	config_free(&c);

	EXPECT_ERR("--gateway", BASE, "--gateway", "10.0.1.1");
	EXPECT_ERR("prefix", BASE, "--gateway", "192.168.0.1");
	EXPECT_ERR("--gateway", "--ip", "10.0.0.5/32", "--gateway", "10.0.0.1",
		   "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("own address", BASE, "--gateway", "10.0.0.5");
	EXPECT_ERR("--gateway", BASE, "--gateway", "10.0.0");
	EXPECT_ERR("--gateway", BASE, "--gateway", "10.0.0.1/24");
	EXPECT_ERR("--gateway", BASE, "--gateway", "gw");
}

static void
test_numbers(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_OK(&c, err, BASE, "--mtu", "576");
	assert_int_equal(c.mtu, 576);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--mtu", "9000");
	assert_int_equal(c.mtu, 9000);
	config_free(&c);
	EXPECT_ERR("--mtu", BASE, "--mtu", "575");
	EXPECT_ERR("--mtu", BASE, "--mtu", "9001");
	EXPECT_ERR("--mtu", BASE, "--mtu", "0");
	EXPECT_ERR("--mtu", BASE, "--mtu", "-1500");
	EXPECT_ERR("--mtu", BASE, "--mtu", "1500x");
	EXPECT_ERR("--mtu", BASE, "--mtu", "");
	EXPECT_ERR("--mtu", BASE, "--mtu", "jumbo");
	EXPECT_ERR("--mtu", BASE, "--mtu", "99999999999999999999999");
	EXPECT_ERR("576", BASE, "--mtu", "100");	/* says the range */

	EXPECT_OK(&c, err, BASE, "--port", "0");
	assert_int_equal(c.port_id, 0);
	assert_int_equal(c.port_given, 1);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--port", "1023");
	assert_int_equal(c.port_id, 1023);
	config_free(&c);
	EXPECT_ERR("--port", BASE, "--port", "1024");
	EXPECT_ERR("--port", BASE, "--port", "-1");

	EXPECT_OK(&c, err, BASE, "--mbufs", "1024");
	assert_int_equal(c.mbufs, 1024);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--mbufs", "16777216");
	assert_int_equal(c.mbufs, 16u << 20);
	config_free(&c);
	EXPECT_ERR("--mbufs", BASE, "--mbufs", "1023");
	EXPECT_ERR("--mbufs", BASE, "--mbufs", "16777217");

	EXPECT_OK(&c, err, BASE, "--max-conns", "16");
	assert_int_equal(c.max_conns, 16);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--max-conns", "16777216");
	assert_int_equal(c.max_conns, 16u << 20);
	config_free(&c);
	EXPECT_ERR("--max-conns: '15' must be a whole number from 16 to "
		   "16777216", BASE, "--max-conns", "15");
	EXPECT_ERR("--max-conns", BASE, "--max-conns", "16777217");
	EXPECT_ERR("--max-conns", BASE, "--max-conns", "-5");
	EXPECT_ERR("--max-conns", BASE, "--max-conns", "1k");
	EXPECT_ERR("--max-conns", BASE, "--max-conns", "");
}

static void
test_timeout(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_OK(&c, err, BASE, "--timeout", "0.25");
	assert_true(c.timeout_s == 0.25);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--timeout", "86400");
	assert_true(c.timeout_s == 86400.0);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--timeout", "5");
	assert_true(c.timeout_s == 5.0);
	config_free(&c);
	EXPECT_ERR("--timeout", BASE, "--timeout", "0");
	EXPECT_ERR("--timeout", BASE, "--timeout", "-1");
	EXPECT_ERR("--timeout", BASE, "--timeout", "86400.5");
	EXPECT_ERR("--timeout", BASE, "--timeout", "abc");
	EXPECT_ERR("--timeout", BASE, "--timeout", "5s");
	EXPECT_ERR("--timeout", BASE, "--timeout", "");
	EXPECT_ERR("--timeout", BASE, "--timeout", "nan");
	EXPECT_ERR("--timeout", BASE, "--timeout", "inf");
	EXPECT_ERR("--timeout", BASE, "--timeout", "1e999");
}

static void
test_fetch_output_stats(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	/* Nothing to fetch: a daemon driven over the control channel. */
	EXPECT_OK(&c, err, "--ip", "10.0.0.5/24");
	assert_null(c.fetch_url);
	assert_null(json_object_get(c.job, "urls"));
	config_free(&c);
	EXPECT_ERR("--script", "--ip", "10.0.0.5/24", "--script", "x",
		   "--fetch", "http://10.0.0.1/");
	EXPECT_ERR("--ctl-tcp needs", "--ip", "10.0.0.5/24", "--ctl-tcp",
		   "127.0.0.1:7070");
	EXPECT_ERR("--ctl-tcp", "--ip", "10.0.0.5/24", "--ctl-tcp", "7070",
		   "--ctl-token", "abcdefghijklmnop");
	EXPECT_ERR("--ctl-token", "--ip", "10.0.0.5/24", "--ctl-tcp",
		   "127.0.0.1:7070", "--ctl-token", "short");
	EXPECT_OK(&c, err, "--ip", "10.0.0.5/24", "--ctl", "/tmp/x.sock",
		  "--ctl-tcp", "127.0.0.1:7070", "--ctl-token", "abcdefghijklmnop",
		  "--keep-going");
	assert_string_equal(c.ctl_path, "/tmp/x.sock");
	assert_string_equal(c.ctl_tcp, "127.0.0.1:7070");
	assert_int_equal(c.keep_going, 1);
	config_free(&c);
	/* The token from a file others cannot read; the control limits. */
	{
		char *tf = write_tmp("0123456789abcdefXYZ\nignored\n");

		assert_int_equal(chmod(tf, 0600), 0);
		EXPECT_OK(&c, err, "--ip", "10.0.0.5/24", "--ctl-tcp",
			  "127.0.0.1:7070", "--ctl-token-file", tf,
			  "--ctl-max-tcp-clients", "8", "--ctl-auth-timeout",
			  "3", "--capture-dir", "/tmp/caps");
		assert_string_equal(c.ctl_token, "0123456789abcdefXYZ");
		assert_int_equal(c.ctl_max_tcp_clients, 8);
		assert_int_equal(c.ctl_auth_timeout_s, 3);
		assert_string_equal(c.capture_dir, "/tmp/caps");
		config_free(&c);
		assert_int_equal(chmod(tf, 0644), 0);
		EXPECT_ERR("readable or writable by others (mode 0644)", "--ip",
			   "10.0.0.5/24", "--ctl-tcp", "127.0.0.1:7070",
			   "--ctl-token-file", tf);
		drop_tmp(tf);
		EXPECT_ERR("--ctl-max-tcp-clients", "--ip", "10.0.0.5/24",
			   "--ctl-max-tcp-clients", "0");
	}
	/* --report: a load job's HTML report; not for a one-shot fetch. */
	EXPECT_OK(&c, err, BASE, "--connections", "4", "--report", "/tmp/r.html");
	assert_string_equal(c.report_file, "/tmp/r.html");
	config_free(&c);
	EXPECT_ERR("--report needs a load job", BASE, "--report", "/tmp/r.html");
	/* Load options become fetch.start parameters. */
	EXPECT_OK(&c, err, BASE, "--connections", "64", "--duration", "2.5",
		  "--lcores", "0-2,5", "--src-ips", "10.0.0.100-10.0.0.120");
	assert_int_equal(c.load_mode, 1);
	assert_int_equal(json_integer_value(json_object_get(c.job,
		"connections")), 64);
	assert_true(json_real_value(json_object_get(c.job, "duration_s")) ==
		    2.5);
	assert_int_equal(json_array_size(json_object_get(c.job, "lcores")), 4);
	assert_string_equal(json_string_value(json_object_get(c.job,
		"src_ips")), "10.0.0.100-10.0.0.120");
	config_free(&c);
	EXPECT_ERR("--connections", BASE, "--connections", "-3");
	EXPECT_ERR("--duration", BASE, "--duration", "soon");
	EXPECT_ERR("--lcores", BASE, "--lcores", "3-1");
	EXPECT_OK(&c, err, BASE, "--fetch", "http://10.0.0.2/", "-o", "a.out",
		  "--output", "b.out", "--stats");
	/* Several --fetch make a job over all of them. */
	assert_string_equal(c.fetch_url, "http://10.0.0.1/");
	assert_int_equal(json_array_size(json_object_get(c.job, "urls")), 2);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(c.job, "urls"), 1)), "http://10.0.0.2/");
	assert_int_equal(c.load_mode, 1);
	assert_string_equal(c.output, "b.out");
	assert_int_equal(c.print_stats, 1);
	config_free(&c);
	assert_null(c.fetch_url);
	assert_null(c.output);
	EXPECT_OK(&c, err, BASE, "-ofile");
	assert_string_equal(c.output, "file");
	config_free(&c);
}

static void
test_header(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	char *argv[2 * CONFIG_MAX_HEADERS + 8];
	char names[CONFIG_MAX_HEADERS + 1][32];
	int argc, i;

	(void)state;
	EXPECT_OK(&c, err, BASE, "--header", "X-One: 1", "--header",
		  "Accept:text/plain", "--header", "X-Empty:", "--header",
		  "X-Tab:\tv\tw", "--header", "X~!#$%&'*+-.^_`|: ok");
	assert_int_equal(c.n_headers, 5);
	assert_string_equal(c.headers[0], "X-One: 1");
	assert_string_equal(c.headers[1], "Accept:text/plain");
	assert_string_equal(c.headers[2], "X-Empty:");
	assert_string_equal(c.headers[3], "X-Tab:\tv\tw");
	config_free(&c);
	assert_int_equal(c.n_headers, 0);

	EXPECT_ERR("--header", BASE, "--header", "NoColon");
	EXPECT_ERR("NoColon", BASE, "--header", "NoColon");
	EXPECT_ERR("--header", BASE, "--header", ": value");
	EXPECT_ERR("--header", BASE, "--header", "");
	EXPECT_ERR("bad character", BASE, "--header", "X A: b");
	EXPECT_ERR("bad character", BASE, "--header", "X-A : b");
	EXPECT_ERR("bad character", BASE, "--header", "X(A): b");
	EXPECT_ERR("bad character", BASE, "--header", "X/A: b");
	EXPECT_ERR("bad character", BASE, "--header", "X\"A: b");
	EXPECT_ERR("bad character", BASE, "--header", "X\tA: b");
	EXPECT_ERR("bad character", BASE, "--header", "X\x01" "A: b");
	EXPECT_ERR("bad character", BASE, "--header", "X\x7f" "A: b");
	EXPECT_ERR("bad character", BASE, "--header", "X\xc3\xa9: b");
	EXPECT_ERR("control character", BASE, "--header", "X-A: b\r\nX-B: c");
	EXPECT_ERR("control character", BASE, "--header", "X-A: b\n");
	EXPECT_ERR("control character", BASE, "--header", "X-A: \x01");
	EXPECT_ERR("control character", BASE, "--header", "X-A: \x7f");
	EXPECT_ERR("control character", BASE, "--header", "X-A: \x1b[0m");

	/* CONFIG_MAX_HEADERS fit, one more does not. */
	argc = 0;
	argv[argc++] = "dpfetch";
	argv[argc++] = "--ip";
	argv[argc++] = "10.0.0.5/24";
	argv[argc++] = "--fetch";
	argv[argc++] = "http://10.0.0.1/";
	for (i = 0; i < CONFIG_MAX_HEADERS; i++) {
		snprintf(names[i], sizeof(names[i]), "X-H%d: %d", i, i);
		argv[argc++] = "--header";
		argv[argc++] = names[i];
	}
	argv[argc] = NULL;
	assert_int_equal(run_args(&c, err, argv), CONFIG_OK);
	assert_int_equal(c.n_headers, CONFIG_MAX_HEADERS);
	assert_string_equal(c.headers[CONFIG_MAX_HEADERS - 1],
			    names[CONFIG_MAX_HEADERS - 1]);
	config_free(&c);
	snprintf(names[i], sizeof(names[i]), "X-H%d: %d", i, i);
	argv[argc++] = "--header";
	argv[argc++] = names[i];
	argv[argc] = NULL;
	assert_int_equal(run_args(&c, err, argv), CONFIG_ERROR);
	assert_contains(err, "--header");
	assert_int_equal(c.n_headers, CONFIG_MAX_HEADERS);
	config_free(&c);
}

/*
 * BUG (lib/core/config.c, parse_header()): the value check
 * "(*p < ' ' && *p != '\t') || *p == 0x7f" reads a plain (signed on x86)
 * char, so every byte >= 0x80 compares below ' ' and a UTF-8 / obs-text
 * value ("X-Name: café") is refused as a "control character", while RFC
 * 9110 5.5 allows obs-text (%x80-FF) in field values, and on an
 * unsigned-char platform (arm64) the same value is accepted.
 */
static void
test_header_obs_text(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_OK(&c, err, BASE, "--header", "X-Name: caf\xc3\xa9");
	assert_int_equal(c.n_headers, 1);
	config_free(&c);
}

static void
test_pairs(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_OK(&c, err, BASE, "--tcp",
		  "rcvbuf=8192,rto_initial_ms=500,rto_min_ms=10,"
		  "rto_max_ms=9000,delack_ms=1,time_wait_ms=0,syn_retries=0,"
		  "data_retries=30,max_ooo_segs=65536,wscale=off,"
		  "timestamps=false,sack=0,tso=0,lro=off");
	assert_int_equal(c.tcp.rcvbuf, 8192);
	assert_int_equal(c.tcp.rto_initial_ms, 500);
	assert_int_equal(c.tcp.rto_min_ms, 10);
	assert_int_equal(c.tcp.rto_max_ms, 9000);
	assert_int_equal(c.tcp.delack_ms, 1);
	assert_int_equal(c.tcp.time_wait_ms, 0);
	assert_int_equal(c.tcp.syn_retries, 0);
	assert_int_equal(c.tcp.data_retries, 30);
	assert_int_equal(c.tcp.max_ooo_segs, 65536);
	assert_int_equal(c.tcp.wscale, 0);
	assert_int_equal(c.tcp.timestamps, 0);
	assert_int_equal(c.tcp.sack, 0);
	assert_int_equal(c.tcp.tso, 0);
	assert_int_equal(c.tcp.lro, 0);
	config_free(&c);

	/* The cold pools' sizes. */
	EXPECT_OK(&c, err, BASE, "--tcp",
		  "sack_conns=100,ooo_conns=2000,cc_conns=30000");
	assert_int_equal(c.tcp.sack_conns, 100);
	assert_int_equal(c.tcp.ooo_conns, 2000);
	assert_int_equal(c.tcp.cc_conns, 30000);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--tcp", "snd_conns=5000");
	assert_int_equal(c.tcp.snd_conns, 5000);
	config_free(&c);
	EXPECT_ERR("snd_conns", BASE, "--tcp", "snd_conns=100000000");
	EXPECT_ERR("ooo_conns", BASE, "--tcp", "ooo_conns=-1");
	EXPECT_ERR("cc_conns", BASE, "--tcp", "cc_conns=100000000");
	EXPECT_OK(&c, err, BASE, "--tcp", "ip6_conns=300");
	assert_int_equal(c.tcp.ip6_conns, 300);
	config_free(&c);
	EXPECT_ERR("ip6_conns", BASE, "--tcp", "ip6_conns=16777216");

	/* Every bool form; a later --tcp overrides an earlier one. */
	EXPECT_OK(&c, err, BASE, "--tcp", "wscale=0,timestamps=off,sack=false",
		  "--tcp", "wscale=1,timestamps=on,sack=true");
	assert_int_equal(c.tcp.wscale, 1);
	assert_int_equal(c.tcp.timestamps, 1);
	assert_int_equal(c.tcp.sack, 1);
	config_free(&c);
	/* Numbers in other notations strtod knows. */
	EXPECT_OK(&c, err, BASE, "--tcp", "rcvbuf=0x10000,delack_ms=2e2");
	assert_int_equal(c.tcp.rcvbuf, 0x10000);
	assert_int_equal(c.tcp.delack_ms, 200);
	config_free(&c);

	EXPECT_OK(&c, err, BASE, "--arp", "retries=100,retry_ms=10,"
		  "reachable_s=86400");
	assert_int_equal(c.arp.retries, 100);
	assert_int_equal(c.arp.retry_ms, 10);
	assert_int_equal(c.arp.reachable_s, 86400);
	config_free(&c);

	EXPECT_OK(&c, err, BASE, "--impair",
		  "seed=18446744073709551615,rx.drop=0.5,rx.dup=1,rx.reorder=0,"
		  "rx.reorder_delay_us=10000000,rx.corrupt=0.001,tx.drop=0.25,"
		  "tx.dup=0.125,tx.reorder=1e-3,tx.reorder_delay_us=7,"
		  "tx.corrupt=1.0");
	assert_true(c.impair.seed == UINT64_MAX);
	assert_true(c.impair.rx.drop == 0.5);
	assert_true(c.impair.rx.dup == 1.0);
	assert_true(c.impair.rx.reorder == 0.0);
	assert_int_equal(c.impair.rx.reorder_delay_us, 10000000);
	assert_true(c.impair.rx.corrupt == 0.001);
	assert_true(c.impair.tx.drop == 0.25);
	assert_true(c.impair.tx.dup == 0.125);
	assert_true(c.impair.tx.reorder == 1e-3);
	assert_int_equal(c.impair.tx.reorder_delay_us, 7);
	assert_true(c.impair.tx.corrupt == 1.0);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--impair", "seed=0x10");
	assert_int_equal(c.impair.seed, 16);
	config_free(&c);

	/* Errors name the setting. */
	EXPECT_ERR("unknown setting 'bogus'", BASE, "--tcp", "bogus=1");
	EXPECT_ERR("--tcp", BASE, "--tcp", "bogus=1");
	EXPECT_ERR("unknown setting 'rcvbuf'", BASE, "--arp", "rcvbuf=8192");
	EXPECT_ERR("unknown setting 'drop'", BASE, "--impair", "drop=0.5");
	EXPECT_ERR("unknown setting 'rx.bogus'", BASE, "--impair",
		   "rx.bogus=1");
	EXPECT_ERR("not key=value", BASE, "--tcp", "rcvbuf");
	EXPECT_ERR("not key=value", BASE, "--tcp", "sack=1,rcvbuf");
	EXPECT_ERR("unknown setting ''", BASE, "--tcp", "=5");
	EXPECT_ERR("tcp.rcvbuf", BASE, "--tcp", "rcvbuf=abc");
	EXPECT_ERR("tcp.rcvbuf", BASE, "--tcp", "rcvbuf=");
	EXPECT_ERR("tcp.rcvbuf", BASE, "--tcp", "rcvbuf=8192x");
	EXPECT_ERR("tcp.rcvbuf", BASE, "--tcp", "rcvbuf=4095");
	EXPECT_ERR("tcp.rcvbuf", BASE, "--tcp", "rcvbuf=67108865");
	EXPECT_ERR("tcp.delack_ms", BASE, "--tcp", "delack_ms=1.5");
	EXPECT_ERR("tcp.delack_ms", BASE, "--tcp", "delack_ms=0");
	EXPECT_ERR("tcp.sack", BASE, "--tcp", "sack=yes");
	EXPECT_ERR("tcp.sack", BASE, "--tcp", "sack=2");
	EXPECT_ERR("tcp.sack", BASE, "--tcp", "sack=");
	EXPECT_ERR("tcp.wscale", BASE, "--tcp", "wscale=ON");
	EXPECT_ERR("arp.retries", BASE, "--arp", "retries=0");
	EXPECT_ERR("arp.retry_ms", BASE, "--arp", "retry_ms=60001");
	EXPECT_ERR("probability", BASE, "--impair", "rx.drop=1.5");
	EXPECT_ERR("impair.rx.drop", BASE, "--impair", "rx.drop=1.5");
	EXPECT_ERR("impair.tx.dup", BASE, "--impair", "tx.dup=-0.1");
	EXPECT_ERR("impair.tx.dup", BASE, "--impair", "tx.dup=nan");
	EXPECT_ERR("impair.tx.dup", BASE, "--impair", "tx.dup=half");
	EXPECT_ERR("impair.rx.reorder_delay_us", BASE, "--impair",
		   "rx.reorder_delay_us=10000001");
	EXPECT_ERR("impair.seed", BASE, "--impair", "seed=-1");
	EXPECT_ERR("impair.seed", BASE, "--impair",
		   "seed=18446744073709551616");
	EXPECT_ERR("impair.seed", BASE, "--impair", "seed=1x");
	/* Cross-field check. */
	EXPECT_ERR("rto_min_ms", BASE, "--tcp", "rto_min_ms=5000,"
		   "rto_max_ms=4000");
}

/* config_set_pairs on its own. */
static void
test_set_pairs_direct(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	config_init(&c);
	assert_int_equal(config_set_pairs(&c, "tcp", "rcvbuf=4096", err,
					  sizeof(err)), 0);
	assert_int_equal(c.tcp.rcvbuf, 4096);
	assert_int_equal(config_set_pairs(&c, "arp", "retries=7,retry_ms=20",
					  err, sizeof(err)), 0);
	assert_int_equal(c.arp.retries, 7);
	assert_int_equal(c.arp.retry_ms, 20);
	/* The first bad pair stops it; earlier ones are applied. */
	assert_int_equal(config_set_pairs(&c, "arp", "retries=9,bad=1,"
					  "retry_ms=30", err, sizeof(err)), -1);
	assert_contains(err, "bad");
	assert_int_equal(c.arp.retries, 9);
	assert_int_equal(c.arp.retry_ms, 20);
	assert_int_equal(config_set_pairs(&c, "nosuch", "x=1", err,
					  sizeof(err)), -1);
	assert_contains(err, "nosuch");
	/* A short error buffer is truncated, not overrun. */
	assert_int_equal(config_set_pairs(&c, "tcp", "rcvbuf=1", err, 8), -1);
	assert_int_equal(strlen(err), 7);
	config_free(&c);
}

static void
test_bad_options(void **state)
{
	(void)state;
	EXPECT_ERR("--bogus", BASE, "--bogus");
	EXPECT_ERR("--bogus=3", BASE, "--bogus=3");
	EXPECT_ERR("unknown option", BASE, "--bogus");
	EXPECT_ERR("-x", BASE, "-x");
	EXPECT_ERR("unexpected argument 'stray'", BASE, "stray");
	EXPECT_ERR("unexpected argument 'stray'", "stray", BASE);
	/* Options missing their value. */
	EXPECT_ERR("--fetch", "--ip", "10.0.0.5/24", "--fetch");
	EXPECT_ERR("needs a value", "--ip", "10.0.0.5/24", "--fetch");
	EXPECT_ERR("--ip", "--fetch", "http://10.0.0.1/", "--ip");
	EXPECT_ERR("-o", BASE, "-o");
	EXPECT_ERR("--output", BASE, "--output");
	EXPECT_ERR("--tcp", BASE, "--tcp");
	EXPECT_ERR("--config", BASE, "--config");
	/* Unknown options are refused even before the rest is checked. */
	EXPECT_ERR("--nope", "--nope");
}

/*
 * BUG (lib/core/config.c, config_from_args(), the '?' branch): a no_argument
 * long option given a value, e.g. "--stats=3" (or "--help=x"), makes
 * getopt_long return '?' with optopt set to the option's val
 * (OPT_STATS = 264, or 'h'), so the
 * message becomes "unknown option '-\b'" (264 printed with %c) or
 * "unknown option '-h'" instead of naming "--stats" / saying it takes no
 * value.
 */
static void
test_option_takes_no_value(void **state)
{
	(void)state;
	EXPECT_ERR("--stats", BASE, "--stats=3");
	EXPECT_ERR("--help", BASE, "--help=x");
}

static void
test_help(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	assert_int_equal(RUN(&c, err, "--help"), CONFIG_HELP);
	config_free(&c);
	assert_int_equal(RUN(&c, err, "-h"), CONFIG_HELP);
	config_free(&c);
	/* Help wins over a missing --ip and over later errors. */
	assert_int_equal(RUN(&c, err, BASE, "--help", "--mtu", "1"),
			 CONFIG_HELP);
	config_free(&c);
	assert_int_equal(RUN(&c, err, "--mtu", "1", "-h"), CONFIG_HELP);
	config_free(&c);
}

/*
 * Every job parameter with a command-line option (job_params.h's table,
 * walked so that a new one is covered): the option is taken, lands in
 * cfg->job under the parameter's JSON name and parses as fetch.start;
 * --help lists it with its range and default.
 */
static void
test_job_options(void **state)
{
	struct dpf_config c;
	struct job_params p;
	char err[CONFIG_ERR_LEN], opt[64], val[64], want[128];
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->opt == NULL)
			continue;
		snprintf(opt, sizeof(opt), "--%s", e->opt);
		switch (e->type) {
		case JOB_PARAM_UINT:
			snprintf(val, sizeof(val), "%llu",
				 (unsigned long long)e->umax);
			break;
		case JOB_PARAM_NUM:
			snprintf(val, sizeof(val), "%.17g", e->max);
			break;
		case JOB_PARAM_LCORES:
			snprintf(val, sizeof(val), "0-3");
			break;
		case JOB_PARAM_PERCENTILES:
			snprintf(val, sizeof(val), "50,99.9,99.99");
			break;
		case JOB_PARAM_THRESHOLDS:
			snprintf(val, sizeof(val), "total.p99 < 5ms");
			break;
		case JOB_PARAM_ARRIVAL:
			snprintf(val, sizeof(val), "poisson");
			break;
		case JOB_PARAM_STEPS:
			snprintf(val, sizeof(val), "2:100,4.5:0");
			break;
		case JOB_PARAM_MIX:
			continue;	/* a file, without --fetch: test_mix */
		default:
			snprintf(val, sizeof(val), "10.0.0.10-10.0.0.20");
			break;
		}
		EXPECT_OK(&c, err, BASE, opt, val);
		assert_int_equal(c.load_mode, 1);
		if (json_object_get(c.job, e->name) == NULL)
			fail_msg("%s %s: no \"%s\" in the job", opt, val,
				 e->name);
		if (job_params_from_json(&p, c.job, err, sizeof(err)) != 0)
			fail_msg("%s %s: %s", opt, val, err);
		job_params_free(&p);
		config_free(&c);
	}

	f = open_memstream(&text, &len);
	assert_non_null(f);
	config_usage(f, "dpfetch");
	fclose(f);
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->opt == NULL)
			continue;
		snprintf(want, sizeof(want), "\n  --%s %s", e->opt, e->arg);
		assert_contains(text, want);
		if (job_param_has_default(e)) {
			snprintf(want, sizeof(want), "(default %g)", e->def);
			assert_contains(strstr(text, "Load jobs"), want);
		}
	}
	free(text);
}

/*
 * --search and the options of the search's table (walked, so that a
 * new one is covered): they land in cfg->search, make the run a load
 * job, and parse as fetch.search's "search"; --help lists them; what a
 * search cannot run is refused before anything starts.
 */
static void
test_search_options(void **state)
{
	struct dpf_config c;
	struct search_params sp;
	char err[CONFIG_ERR_LEN], opt[64], val[64], want[128];
	char *text = NULL, *path;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	EXPECT_OK(&c, err, BASE, "--search", "rate_rps:500:8000");
	assert_int_equal(c.load_mode, 1);
	assert_int_equal(search_params_from_json(&sp, c.search, err,
						 sizeof(err)), 0);
	assert_true(sp.min == 500 && sp.max == 8000 && sp.n_slo == 2);
	config_free(&c);
	for (i = 0; i < search_param_count; i++) {
		const struct search_param *e = &search_param_table[i];

		if (e->opt == NULL)
			continue;
		snprintf(opt, sizeof(opt), "--%s", e->opt);
		if (e->type == SEARCH_PARAM_SLO)
			snprintf(val, sizeof(val), "total.p99 < 5ms");
		else
			snprintf(val, sizeof(val), "%g", e->min);
		EXPECT_OK(&c, err, BASE, "--search", "rate_rps:10", opt, val);
		if (json_object_get(c.search, e->name) == NULL)
			fail_msg("%s %s: no \"%s\" in the search", opt, val,
				 e->name);
		if (search_params_from_json(&sp, c.search, err,
					    sizeof(err)) != 0)
			fail_msg("%s %s: %s", opt, val, err);
		config_free(&c);
	}
	/* --slo adds up. */
	EXPECT_OK(&c, err, BASE, "--search", "rate_cps:1:100", "--slo",
		  "errors==0", "--slo", "connect.p99<1ms",
		  "--requests-per-connection", "1");
	assert_int_equal(search_params_from_json(&sp, c.search, err,
						 sizeof(err)), 0);
	assert_int_equal(sp.dial, SEARCH_DIAL_CPS);
	assert_int_equal(sp.n_slo, 2);
	config_free(&c);

	EXPECT_ERR("go with --search", BASE, "--slo", "errors==0");
	EXPECT_ERR("--search needs --fetch", "--ip", "10.0.0.5/24",
		   "--search", "rate_rps:10");
	EXPECT_ERR("expected DIAL:MIN:MAX", BASE, "--search", "rps:10");
	EXPECT_ERR("requests: a search", BASE, "--search", "rate_rps:10",
		   "--requests", "5");
	EXPECT_ERR("search.slo", BASE, "--search", "rate_rps:10",
		   "--threshold", "errors==0");
	EXPECT_ERR("rate_rps: the search sets it", BASE, "--search",
		   "rate_rps:10", "--rate-rps", "5");
	EXPECT_ERR("requests_per_connection", BASE, "--search", "rate_cps:10");
	EXPECT_ERR("search.slo: threshold 'p99'", BASE, "--search",
		   "rate_rps:10", "--slo", "p99");
	EXPECT_ERR("--search-step: 'x' is not a number", BASE, "--search",
		   "rate_rps:10", "--search-step", "x");
	EXPECT_ERR("search.max_steps: 0 is outside", BASE, "--search",
		   "rate_rps:10", "--search-max-steps", "0");
	EXPECT_ERR("search.min: 20 is not below max 10", BASE, "--search",
		   "rate_rps:20:10");

	/* The config file's "search", overridden by the command line. */
	path = write_tmp("{\"search\": {\"max\": 100, \"step_s\": 2}}");
	EXPECT_OK(&c, err, "--config", path, BASE, "--search-step", "5");
	assert_int_equal(search_params_from_json(&sp, c.search, err,
						 sizeof(err)), 0);
	assert_true(sp.max == 100 && sp.step_s == 5);
	config_free(&c);
	unlink(path);
	free(path);
	path = write_tmp("{\"search\": 5}");
	EXPECT_ERR("\"search\": must be an object", "--config", path, BASE);
	unlink(path);
	free(path);

	f = open_memstream(&text, &len);
	assert_non_null(f);
	config_usage(f, "dpfetch");
	fclose(f);
	assert_contains(text, "\n  --search DIAL:[MIN:]MAX");
	for (i = 0; i < search_param_count; i++) {
		const struct search_param *e = &search_param_table[i];

		if (e->opt == NULL)
			continue;
		snprintf(want, sizeof(want), "\n  --%s %s", e->opt, e->arg);
		assert_contains(text, want);
	}
	free(text);
}

/* Several calls in one process: getopt's state is reset each time. */
static void
test_repeated_calls(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		EXPECT_OK(&c, err, BASE, "--mtu", "1400");
		assert_int_equal(c.mtu, 1400);
		config_free(&c);
		EXPECT_ERR("--bogus", BASE, "--bogus");
		EXPECT_ERR("--mtu", BASE, "--mtu", "1");
		EXPECT_ERR("-x", "-x", BASE);
		/* Fewer arguments than the previous call. */
		EXPECT_OK(&c, err, "--ip=10.0.0.5/24", "--fetch=http://10.0.0.1/");
		assert_int_equal(c.mtu, 1500);
		config_free(&c);
		assert_int_equal(RUN(&c, err, "-h"), CONFIG_HELP);
		config_free(&c);
		EXPECT_ERR("-o", BASE, "-o");
		EXPECT_OK(&c, err, "-o", "f", BASE, "--stats");
		assert_string_equal(c.output, "f");
		assert_int_equal(c.print_stats, 1);
		config_free(&c);
	}
}

/*
 * BUG (lib/core/config.c, config_from_args()): it resets getopt with
 * "optind = 1", which does not reset glibc's internal __nextchar.  If a
 * call stops in the middle of a cluster of short options (an error or
 * help inside "-xh"), the next call, with a different argv, resumes at
 * the stale pointer into the old argv: after {"dpfetch", "-xh"} fails
 * with "unknown option '-x'", a valid {"dpfetch", "--ip", "10.0.0.5/24",
 * "--fetch", "http://10.0.0.1/"} returns CONFIG_HELP instead of
 * CONFIG_OK.  glibc documents "optind = 0" as the full reinitialisation.
 * (Skipped: running it would also leave getopt's state poisoned for the
 * tests that follow.)
 */
static void
test_repeated_calls_short_cluster(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_ERR("-x", "-xh");
	EXPECT_OK(&c, err, BASE);
	config_free(&c);
}

static const char full_json[] =
	"{\n"
	"  \"ip\": \"10.1.2.3/16\",\n"
	"  \"gateway\": \"10.1.0.1\",\n"
	"  \"mtu\": 9000,\n"
	"  \"port\": 3,\n"
	"  \"mbufs\": 4096,\n"
	"  \"max_conns\": 1000000,\n"
	"  \"fetch\": \"http://10.1.0.9/x\",\n"
	"  \"output\": \"/tmp/out.bin\",\n"
	"  \"headers\": [\"X-A: 1\", \"X-B: 2\"],\n"
	"  \"timeout\": 2.5,\n"
	"  \"stats\": true,\n"
	"  \"tcp\": {\n"
	"    \"rcvbuf\": 65536, \"rto_initial_ms\": 300, \"rto_min_ms\": 50,\n"
	"    \"rto_max_ms\": 30000, \"delack_ms\": 10, \"time_wait_ms\": 100,\n"
	"    \"syn_retries\": 2, \"data_retries\": 4, \"max_ooo_segs\": 64,\n"
	"    \"wscale\": false, \"timestamps\": false, \"sack\": false\n"
	"  },\n"
	"  \"arp\": { \"retries\": 9, \"retry_ms\": 250,\n"
	"           \"reachable_s\": 60 },\n"
	"  \"impair\": {\n"
	"    \"seed\": 99,\n"
	"    \"rx\": { \"drop\": 0.1, \"dup\": 0.2, \"reorder\": 0.3,\n"
	"            \"reorder_delay_us\": 400, \"corrupt\": 0.5 },\n"
	"    \"tx\": { \"drop\": 0.6, \"dup\": 0.7, \"reorder\": 0.8,\n"
	"            \"reorder_delay_us\": 900, \"corrupt\": 1 }\n"
	"  }\n"
	"}\n";

static void
check_full(const struct dpf_config *c)
{
	assert_int_equal(c->ip, IP(10, 1, 2, 3));
	assert_int_equal(c->prefix_len, 16);
	assert_int_equal(c->gateway, IP(10, 1, 0, 1));
	assert_int_equal(c->mtu, 9000);
	assert_int_equal(c->port_id, 3);
	assert_int_equal(c->port_given, 1);
	assert_int_equal(c->mbufs, 4096);
	assert_int_equal(c->max_conns, 1000000);
	assert_string_equal(c->fetch_url, "http://10.1.0.9/x");
	assert_string_equal(c->output, "/tmp/out.bin");
	assert_int_equal(c->n_headers, 2);
	assert_string_equal(c->headers[0], "X-A: 1");
	assert_string_equal(c->headers[1], "X-B: 2");
	assert_true(c->timeout_s == 2.5);
	assert_int_equal(c->print_stats, 1);
	assert_int_equal(c->tcp.rcvbuf, 65536);
	assert_int_equal(c->tcp.rto_initial_ms, 300);
	assert_int_equal(c->tcp.rto_min_ms, 50);
	assert_int_equal(c->tcp.rto_max_ms, 30000);
	assert_int_equal(c->tcp.delack_ms, 10);
	assert_int_equal(c->tcp.time_wait_ms, 100);
	assert_int_equal(c->tcp.syn_retries, 2);
	assert_int_equal(c->tcp.data_retries, 4);
	assert_int_equal(c->tcp.max_ooo_segs, 64);
	assert_int_equal(c->tcp.wscale, 0);
	assert_int_equal(c->tcp.timestamps, 0);
	assert_int_equal(c->tcp.sack, 0);
	assert_int_equal(c->arp.retries, 9);
	assert_int_equal(c->arp.retry_ms, 250);
	assert_int_equal(c->arp.reachable_s, 60);
	assert_int_equal(c->impair.seed, 99);
	assert_true(c->impair.rx.drop == 0.1);
	assert_true(c->impair.rx.dup == 0.2);
	assert_true(c->impair.rx.reorder == 0.3);
	assert_int_equal(c->impair.rx.reorder_delay_us, 400);
	assert_true(c->impair.rx.corrupt == 0.5);
	assert_true(c->impair.tx.drop == 0.6);
	assert_true(c->impair.tx.dup == 0.7);
	assert_true(c->impair.tx.reorder == 0.8);
	assert_int_equal(c->impair.tx.reorder_delay_us, 900);
	assert_true(c->impair.tx.corrupt == 1.0);
}

static void
test_file_all_keys(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	char *path;

	(void)state;
	assert_int_equal(load_text(&c, full_json, err), 0);
	check_full(&c);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
	config_free(&c);

	/* Through the command line: nothing else needed. */
	path = write_tmp(full_json);
	EXPECT_OK(&c, err, "--config", path);
	check_full(&c);
	config_free(&c);
	drop_tmp(path);

	/* Strings and reals for the top-level numbers work too. */
	assert_int_equal(load_text(&c, "{\"mtu\": \"1400\", \"timeout\": 30,"
				   " \"port\": 2.0, \"stats\": false}", err),
			 0);
	assert_int_equal(c.mtu, 1400);
	assert_true(c.timeout_s == 30.0);
	assert_int_equal(c.port_id, 2);
	assert_int_equal(c.print_stats, 0);
	config_free(&c);
	/* An empty object changes nothing. */
	assert_int_equal(load_text(&c, "{}", err), 0);
	assert_int_equal(c.mtu, 1500);
	config_free(&c);
	/* Empty sections too. */
	assert_int_equal(load_text(&c, "{\"tcp\": {}, \"arp\": {}, "
				   "\"impair\": {\"rx\": {}, \"tx\": {}}, "
				   "\"headers\": []}", err), 0);
	config_free(&c);
}

static void
test_file_errors(void **state)
{
	(void)state;
	/* Wrong types. */
	expect_file_err("{\"mtu\": true}", "mtu");
	expect_file_err("{\"mtu\": -5}", "mtu");
	expect_file_err("{\"mtu\": null}", "mtu");
	expect_file_err("{\"mtu\": [1500]}", "mtu");
	expect_file_err("{\"mtu\": 100}", "\"mtu\"");
	expect_file_err("{\"timeout\": 0}", "\"timeout\"");
	expect_file_err("{\"ip\": \"300.0.0.1/8\"}", "\"ip\"");
	expect_file_err("{\"ip\": {}}", "ip");
	expect_file_err("{\"gateway\": \"x\"}", "\"gateway\"");
	expect_file_err("{\"headers\": \"X-A: 1\"}", "headers");
	expect_file_err("{\"headers\": [\"X-A: 1\", 2]}", "headers");
	expect_file_err("{\"headers\": [\"bad header\"]}", "header");
	expect_file_err("{\"stats\": 1}", "stats");
	expect_file_err("{\"stats\": \"true\"}", "stats");
	expect_file_err("{\"tcp\": 5}", "tcp");
	expect_file_err("{\"tcp\": [1]}", "tcp");
	expect_file_err("{\"tcp\": {\"sack\": 1}}", "tcp.sack");
	expect_file_err("{\"max_conns\": 8}", "\"max_conns\": '8' must be");
	expect_file_err("{\"max_conns\": \"many\"}", "\"max_conns\"");
	expect_file_err("{\"tcp\": {\"rcvbuf\": \"8192\"}}", "tcp.rcvbuf");
	expect_file_err("{\"tcp\": {\"rcvbuf\": true}}", "tcp.rcvbuf");
	expect_file_err("{\"tcp\": {\"rcvbuf\": 4096.5}}", "tcp.rcvbuf");
	expect_file_err("{\"tcp\": {\"rcvbuf\": 1}}", "tcp.rcvbuf");
	expect_file_err("{\"tcp\": {\"rcvbuf\": -4096}}", "tcp.rcvbuf");
	expect_file_err("{\"tcp\": {\"rcvbuf\": 1e300}}", "tcp.rcvbuf");
	expect_file_err("{\"arp\": {\"retries\": 0}}", "arp.retries");
	expect_file_err("{\"impair\": {\"rx\": {\"drop\": 2}}}",
			"impair.rx.drop");
	expect_file_err("{\"impair\": {\"tx\": {\"dup\": -1}}}",
			"impair.tx.dup");
	expect_file_err("{\"impair\": {\"rx\": {\"drop\": \"0.5\"}}}",
			"impair.rx.drop");
	expect_file_err("{\"impair\": {\"rx\": 5}}", "impair.rx");
	expect_file_err("{\"impair\": {\"seed\": -1}}", "impair.seed");
	expect_file_err("{\"impair\": {\"seed\": 1.5}}", "impair.seed");
	/* Unknown keys. */
	expect_file_err("{\"bogus\": 1}", "bogus");
	expect_file_err("{\"bogus\": \"x\"}", "bogus");
	expect_file_err("{\"bogus\": {}}", "bogus");
	expect_file_err("{\"config\": \"/etc/x.json\"}", "config");
	expect_file_err("{\"tcp\": {\"bogus\": 1}}", "tcp.bogus");
	expect_file_err("{\"arp\": {\"rcvbuf\": 8192}}", "arp.rcvbuf");
	expect_file_err("{\"tcp\": {\"rx\": {\"drop\": 0}}}", "tcp.rx");
	expect_file_err("{\"impair\": {\"zz\": {}}}", "impair.zz");
	expect_file_err("{\"impair\": {\"drop\": 0.5}}", "impair.drop");
	expect_file_err("{\"impair\": {\"rx\": {\"bogus\": 0}}}",
			"impair.rx.bogus");
	expect_file_err("{\"impair\": {\"rx\": {\"rx\": {}}}}", "impair.rx.rx");
	/* Duplicates are refused, saying where. */
	expect_file_err("{\n\"mtu\": 1500,\n\"mtu\": 1400\n}", "duplicate");
	expect_file_err("{\n\"mtu\": 1500,\n\"mtu\": 1400\n}", ":3:");
	expect_file_err("{\"tcp\": {\"sack\": true, \"sack\": false}}",
			"duplicate");
	/* Invalid JSON: the message has the line. */
	expect_file_err("{\n  \"mtu\": 1500,\n  \"port\" 1\n}", ":3:");
	expect_file_err("{\n\n\n\n  \"mtu\": 15OO\n}", ":5:");
	expect_file_err("{\"mtu\": 1500,}", ":1:");
	expect_file_err("", ":1:");
	expect_file_err("not json", ":1:");
	/* The top level must be an object. */
	expect_file_err("[1, 2]", "object");
	expect_file_err("42", ":1:");	/* jansson refuses it itself */
	expect_file_err("\"string\"", ":1:");
}

/* Messages say which file. */
static void
test_file_error_names_file(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	char *path;

	(void)state;
	path = write_tmp("{\"mtu\": 1}");
	config_init(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -1);
	assert_contains(err, path);
	assert_contains(err, "\"mtu\": '1' must be");
	config_free(&c);
	drop_tmp(path);

	path = write_tmp("{\n\"mtu\" 1}");
	config_init(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -1);
	assert_contains(err, path);
	assert_contains(err, ":2:");
	config_free(&c);
	drop_tmp(path);

	config_init(&c);
	assert_int_equal(config_load_file(&c, "/nonexistent/ut.json", err,
					  sizeof(err)), -1);
	assert_contains(err, "/nonexistent/ut.json");
	config_free(&c);
	EXPECT_ERR("/nonexistent/ut.json", BASE, "--config",
		   "/nonexistent/ut.json");

	/* An error in the file stops the command line too. */
	path = write_tmp("{\"tcp\": {\"bogus\": 1}}");
	EXPECT_ERR("tcp.bogus", BASE, "--config", path);
	drop_tmp(path);
}

static void
test_file_then_cmdline(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	char *path, *path2;

	(void)state;
	path = write_tmp("{\"mtu\": 9000, \"fetch\": \"http://10.0.0.3/\", "
			 "\"headers\": [\"X-File: 1\"], \"output\": \"f.out\", "
			 "\"tcp\": {\"sack\": false, \"rcvbuf\": 8192}, "
			 "\"arp\": {\"retries\": 50}, "
			 "\"impair\": {\"rx\": {\"drop\": 0.5}}}");
	/* The command line wins whatever the order on it. */
	EXPECT_OK(&c, err, "--mtu", "1400", "--ip", "10.0.0.5/24", "--fetch",
		  "http://10.0.0.4/", "--header", "X-Cmd: 2", "--config", path,
		  "--tcp", "sack=on", "--impair", "rx.drop=0.25");
	assert_int_equal(c.mtu, 1400);
	assert_string_equal(c.fetch_url, "http://10.0.0.4/");
	assert_int_equal(json_array_size(json_object_get(c.job, "urls")), 1);
	assert_int_equal(c.load_mode, 0);
	/* Headers add up: the file's first. */
	assert_int_equal(c.n_headers, 2);
	assert_string_equal(c.headers[0], "X-File: 1");
	assert_string_equal(c.headers[1], "X-Cmd: 2");
	assert_string_equal(c.output, "f.out");
	assert_int_equal(c.tcp.sack, 1);
	assert_int_equal(c.tcp.rcvbuf, 8192);	/* not overridden */
	assert_int_equal(c.arp.retries, 50);
	assert_true(c.impair.rx.drop == 0.25);
	config_free(&c);

	/* The file fills in what the command line lacks. */
	EXPECT_OK(&c, err, "--config", path, "--ip", "10.0.0.5/24");
	assert_string_equal(c.fetch_url, "http://10.0.0.3/");
	assert_int_equal(c.mtu, 9000);
	config_free(&c);

	/* Two files: the later one wins where both say something. */
	path2 = write_tmp("{\"mtu\": 1280, \"ip\": \"10.9.9.9/8\"}");
	EXPECT_OK(&c, err, "--config", path, "--config", path2);
	assert_int_equal(c.mtu, 1280);
	assert_int_equal(c.ip, IP(10, 9, 9, 9));
	assert_int_equal(c.tcp.rcvbuf, 8192);
	config_free(&c);
	drop_tmp(path2);
	drop_tmp(path);
}

/*
 * BUG (lib/core/config.c, json_section()): numbers in the JSON sections go
 * through json_number_value(), a double, so a 64-bit "impair.seed" above
 * 2^53 loses its low bits: {"impair": {"seed": 9007199254740993}} stores
 * 9007199254740992 (the command line's --impair seed= keeps it exactly).
 * Related UB on the same path (field_store()): the
 * "(double)(uint64_t)v" whole-number test casts before the range check,
 * so negative or huge values ("rcvbuf=-1", 1e300) are converted to
 * uint64_t out of range (undefined; -fsanitize=float-cast-overflow
 * reports it; on x86 the result happens to be rejected).
 */
static void
test_file_seed_precision(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	assert_int_equal(load_text(&c, "{\"impair\": {\"seed\": "
				   "9007199254740993}}", err), 0);
	assert_true(c.impair.seed == 9007199254740993ull);
	config_free(&c);
}

/*
 * BUG (lib/core/config.c, config_load_file()): a JSON number for a string
 * setting is turned into its decimal text and accepted, so
 * {"output": 5} writes the body to a file named "5" and {"fetch": 5}
 * sets the URL "5", where a type error ("must be a string") is wanted.
 */
static void
test_file_number_for_string(void **state)
{
	(void)state;
	expect_file_err("{\"output\": 5}", "output");
	expect_file_err("{\"fetch\": 5}", "fetch");
}

/* config_load_string reads exactly len bytes, like a file; errors name
 * the text as given. */
static void
test_load_string(void **state)
{
	static const char text[] = "{\"mtu\": 9000, \"listen\": 80}garbage";
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	config_init(&c);
	assert_int_equal(config_load_string(&c, text, strlen(text) - 7,
					    "inline", err, sizeof(err)), 0);
	assert_int_equal(c.mtu, 9000);
	assert_int_equal(c.listen_port, 80);
	config_free(&c);

	config_init(&c);
	assert_int_equal(config_load_string(&c, text, strlen(text), "inline",
					    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "inline:1:"));
	config_free(&c);

	config_init(&c);
	assert_int_equal(config_load_string(&c, "{\"mtu\": \"x\"}", 13,
					    "inline", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "inline"));
	config_free(&c);
}

/* The limits against hostile peers (issue 12): defaults, command line,
 * JSON, bounds. */
static void
test_hostile_timeouts(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	config_init(&c);
	assert_int_equal(c.tcp.persist_max_s, 120);
	assert_int_equal(c.tcp.fin_wait2_s, 60);
	assert_int_equal(c.arp.learn_rate, 100);
	assert_int_equal(c.http.header_timeout_s, 30);
	assert_int_equal(c.http.idle_timeout_s, 60);
	config_free(&c);

	EXPECT_OK(&c, err, BASE, "--tcp", "persist_max_s=3,fin_wait2_s=2",
		  "--arp", "learn_rate=5", "--http",
		  "header_timeout_s=2,idle_timeout_s=0");
	assert_int_equal(c.tcp.persist_max_s, 3);
	assert_int_equal(c.tcp.fin_wait2_s, 2);
	assert_int_equal(c.arp.learn_rate, 5);
	assert_int_equal(c.http.header_timeout_s, 2);
	assert_int_equal(c.http.idle_timeout_s, 0);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--tcp", "persist_max_s=0,fin_wait2_s=86400");
	assert_int_equal(c.tcp.persist_max_s, 0);
	assert_int_equal(c.tcp.fin_wait2_s, 86400);
	config_free(&c);
	EXPECT_ERR("tcp.persist_max_s", BASE, "--tcp", "persist_max_s=36001");
	EXPECT_ERR("tcp.fin_wait2_s", BASE, "--tcp", "fin_wait2_s=-1");
	EXPECT_ERR("arp.learn_rate", BASE, "--arp", "learn_rate=1000001");
	EXPECT_ERR("http.header_timeout_s", BASE, "--http",
		   "header_timeout_s=86401");
	EXPECT_ERR("http.idle_timeout_s", BASE, "--http", "idle_timeout_s=x");
	EXPECT_ERR("unknown setting 'rcvbuf'", BASE, "--http", "rcvbuf=8192");

	assert_int_equal(load_text(&c, "{\"http\": {\"header_timeout_s\": 7, "
				   "\"idle_timeout_s\": 9}, \"tcp\": "
				   "{\"fin_wait2_s\": 4, \"persist_max_s\": 5}, "
				   "\"arp\": {\"learn_rate\": 0}}", err), 0);
	assert_int_equal(c.http.header_timeout_s, 7);
	assert_int_equal(c.http.idle_timeout_s, 9);
	assert_int_equal(c.tcp.fin_wait2_s, 4);
	assert_int_equal(c.tcp.persist_max_s, 5);
	assert_int_equal(c.arp.learn_rate, 0);
	config_free(&c);
	expect_file_err("{\"http\": {\"bogus\": 1}}", "http.bogus");
	expect_file_err("{\"http\": 5}", "http");
	expect_file_err("{\"http\": {\"idle_timeout_s\": -1}}",
			"http.idle_timeout_s");
}

/* Issue 16: the file takes the load options, as JSON numbers or text,
 * and says which key is wrong and why. */
static void
test_file_load_options(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	char *path;

	(void)state;
	assert_int_equal(load_text(&c, "{\"fetch\": \"http://10.0.0.1/\", "
		"\"connections\": 4, \"duration\": 2.5, \"rate_rps\": 1000, "
		"\"rate-cps\": \"50\", \"lcores\": \"0-1\", "
		"\"threshold\": [\"errors==0\"], \"requests_per_connection\": 10}",
		err), 0);
	assert_int_equal(json_integer_value(json_object_get(c.job,
		"connections")), 4);
	assert_true(json_number_value(json_object_get(c.job,
		"duration_s")) == 2.5);
	assert_true(json_number_value(json_object_get(c.job,
		"rate_rps")) == 1000);
	assert_true(json_number_value(json_object_get(c.job,
		"rate_cps")) == 50);
	assert_int_equal(json_array_size(json_object_get(c.job, "lcores")),
			 2);
	assert_int_equal(json_array_size(json_object_get(c.job,
		"thresholds")), 1);
	assert_int_equal(json_integer_value(json_object_get(c.job,
		"requests_per_connection")), 10);
	assert_true(config_is_load_job(&c));
	config_free(&c);
	/* the JSON names of fetch.start too */
	assert_int_equal(load_text(&c, "{\"duration_s\": 3, "
		"\"fetch\": [\"http://10.0.0.1/a\", \"http://10.0.0.1/b\"]}",
		err), 0);
	assert_int_equal(json_array_size(json_object_get(c.job, "urls")), 2);
	config_free(&c);

	expect_file_err("{\"connections\": -3}",
			"\"connections\": -3 is outside 1..16777216");
	expect_file_err("{\"connections\": \"four\"}",
			"\"connections\": 'four' is not a whole number");
	expect_file_err("{\"connections\": 2.5}",
			"\"connections\": expected an integer");
	expect_file_err("{\"duration\": 0}", "\"duration\": 0 is outside");
	expect_file_err("{\"rate_rps\": -1}", "\"rate_rps\": -1 is outside");
	expect_file_err("{\"lcores\": \"a\"}", "\"lcores\": 'a' is not a list");
	expect_file_err("{\"threshold\": [\"p99<<1\"]}", "\"threshold\"");
	expect_file_err("{\"fetch\": \"ftp://x/\"}", "\"fetch\":");
	expect_file_err("{\"fetch\": \"http://example.com/\"}", "no DNS");
	expect_file_err("{\"fetch\": [1]}", "\"fetch\": must be a URL");
	/* unknown keys: a suggestion */
	expect_file_err("{\"conections\": 4}",
			"\"conections\": unknown key (did you mean 'connections'?)");
	expect_file_err("{\"gatway\": \"10.0.0.1\"}",
			"did you mean 'gateway'?");
	/* options with '-' take '_' too; flags are booleans */
	assert_int_equal(load_text(&c, "{\"capture_count\": 5, "
		"\"ctl-max-tcp-clients\": 3, \"keep_going\": true, "
		"\"verbose\": 2}", err), 0);
	assert_int_equal(c.capture_count, 5);
	assert_int_equal(c.ctl_max_tcp_clients, 3);
	assert_int_equal(c.keep_going, 1);
	assert_int_equal(c.verbose, 2);
	config_free(&c);
	expect_file_err("{\"keep-going\": 1}", "\"keep-going\": must be true");

	/* a missing file and a syntax error, file:line:column */
	config_init(&c);
	assert_int_equal(config_load_file(&c, "/nonexistent/dpfetch.json",
					  err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open /nonexistent/dpfetch.json: "
			    "No such file or directory");
	config_free(&c);
	path = write_tmp("{\n  \"mtu\": 1500,\n  \"port\" 1\n}");
	config_init(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -1);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_true(strncmp(err + strlen(path), ":3:10: ", 7) == 0);
	config_free(&c);
	drop_tmp(path);

	/* the command line wins over the file's load options */
	path = write_tmp("{\"connections\": 4, \"fetch\": \"http://10.0.0.1/\"}");
	EXPECT_OK(&c, err, "--ip", "10.0.0.5/24", "--config", path,
		  "--connections", "8");
	assert_int_equal(json_integer_value(json_object_get(c.job,
		"connections")), 8);
	config_free(&c);
	drop_tmp(path);
}

/* Issue 16: messages name the option typed, not fetch.start's member,
 * and unknown options get a suggestion. */
static void
test_option_names(void **state)
{
	(void)state;
	EXPECT_ERR("--duration: 0 is outside", BASE, "--duration", "0");
	EXPECT_ERR("--connections: 0 is outside", BASE, "--connections", "0");
	EXPECT_ERR("--rate-rps: -5 is outside", BASE, "--rate-rps", "-5");
	EXPECT_ERR("--requests-per-connection:", BASE,
		   "--requests-per-connection", "x");
	EXPECT_ERR("--percentiles[0]:", BASE, "--percentiles", "0");
	EXPECT_ERR("--threshold:", BASE, "--threshold", "bogus<<");
	EXPECT_ERR("--fetch: 'example.com' is a name", "--ip", "10.0.0.5/24",
		   "--fetch", "http://example.com/");
	EXPECT_ERR("--fetch:", "--ip", "10.0.0.5/24", "--fetch", "ftp://x/");
	EXPECT_ERR("unknown option '--conections' (did you mean "
		   "'--connections'?)", BASE, "--conections", "4");
	EXPECT_ERR("(did you mean '--fetch'?)", BASE, "--fecth", "x");
	EXPECT_ERR("(did you mean '--duration'?)", BASE, "--duraton=3");
	EXPECT_ERR("unknown option '--zzzzzzzz'", BASE, "--zzzzzzzz");
}

/* --port-rss / "port_rss": auto (the default) or external. */
static void
test_port_rss(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];

	(void)state;
	EXPECT_OK(&c, err, BASE);
	assert_int_equal(c.port_rss_external, 0);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--port-rss", "external");
	assert_int_equal(c.port_rss_external, 1);
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--port-rss", "external", "--port-rss",
		  "auto");
	assert_int_equal(c.port_rss_external, 0);
	config_free(&c);
	EXPECT_ERR("--port-rss: 'on' is not auto or external", BASE,
		   "--port-rss", "on");
	EXPECT_ERR("--port-rss", BASE, "--port-rss", "");
	EXPECT_ERR("--port-rss", BASE, "--port-rss", "External");
	assert_int_equal(load_text(&c, "{\"port_rss\": \"external\"}", err),
			 0);
	assert_int_equal(c.port_rss_external, 1);
	config_free(&c);
	expect_file_err("{\"port_rss\": true}", "port_rss");
	expect_file_err("{\"port_rss\": \"rss\"}", "not auto or external");
}

/* --metrics and its bounds, --format; from the file too. */
static void
test_metrics_format(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN], *path;

	(void)state;
	EXPECT_OK(&c, err, BASE);
	assert_null(c.metrics);
	assert_null(c.format);
	assert_int_equal(c.metrics_max_clients, 0);	/* the default */
	config_free(&c);
	EXPECT_OK(&c, err, BASE, "--metrics", "127.0.0.1:9464",
		  "--metrics-max-clients", "4", "--metrics-timeout-ms", "800",
		  "--metrics-max-request", "1024", "--format", "csv");
	assert_string_equal(c.metrics, "127.0.0.1:9464");
	assert_int_equal(c.metrics_max_clients, 4);
	assert_int_equal(c.metrics_timeout_ms, 800);
	assert_int_equal(c.metrics_max_request, 1024);
	assert_string_equal(c.format, "csv");
	config_free(&c);
	EXPECT_ERR("--metrics: '9464' is not ADDR:PORT", BASE, "--metrics",
		   "9464");
	EXPECT_ERR("--metrics-max-clients", BASE, "--metrics-max-clients",
		   "0");
	EXPECT_ERR("--metrics-max-request", BASE, "--metrics-max-request",
		   "10");
	EXPECT_ERR("--format: 'xml' is not one of", BASE, "--format", "xml");
	path = write_tmp("{\"metrics\": \"[::1]:9000\","
			 " \"metrics-max-clients\": 2, \"format\": \"jsonl\"}");
	EXPECT_OK(&c, err, "--config", path, BASE);
	assert_string_equal(c.metrics, "[::1]:9000");
	assert_int_equal(c.metrics_max_clients, 2);
	assert_string_equal(c.format, "jsonl");
	config_free(&c);
	unlink(path);
	free(path);
}

/* --mix FILE: the file's array is the job's mix, a load job without
 * --fetch; a missing or malformed file is named. */
static void
test_mix_option(void **state)
{
	struct dpf_config c;
	struct job_params p;
	char err[CONFIG_ERR_LEN];
	char *path = write_tmp("[{\"url\": \"http://10.0.0.1/a\", \"weight\": 2},"
			       " {\"url\": \"http://10.0.0.1/b\", \"body\": \"x\"}]");
	char *bad = write_tmp("[{\"url\": ");

	(void)state;
	EXPECT_OK(&c, err, "--ip", "10.0.0.5/24", "--mix", path,
		  "--duration", "1");
	assert_int_equal(c.load_mode, 1);
	assert_int_equal(json_array_size(json_object_get(c.job, "mix")), 2);
	if (job_params_from_json(&p, c.job, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(p.n_mix, 2);
	assert_string_equal(p.mix[1].method, "POST");
	job_params_free(&p);
	config_free(&c);
	EXPECT_ERR("--mix: /nonexistent/mix.json", "--ip", "10.0.0.5/24",
		   "--mix", "/nonexistent/mix.json");
	EXPECT_ERR("--mix", "--ip", "10.0.0.5/24", "--mix", bad);
	/* the job refuses the pair when it is made */
	EXPECT_OK(&c, err, "--ip", "10.0.0.5/24", "--mix", path, "--fetch",
		  "http://10.0.0.1/");
	assert_int_equal(job_params_from_json(&p, c.job, err, sizeof(err)),
			 -1);
	assert_contains(err, "mix: give urls in the mix's entries");
	job_params_free(&p);
	config_free(&c);
	unlink(path);
	unlink(bad);
	free(path);
	free(bad);
}

/* Several --ip6, with options, from the command line and the file. */
static void
test_ip6_several(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	uint8_t want[16];
	char *path;

	(void)state;
	EXPECT_OK(&c, err, "--ip", "198.18.0.2/24", "--ip6", "2001:2::2/64",
		  "--ip6", "2001:2:0:8::2/64,vlan=8,gateway6=2001:2:0:8::1",
		  "--ip6", "2001:2:0:1::2/64", "--gateway6", "2001:2:0:1::1",
		  "--echo", "7");
	assert_int_equal(c.n_addrs6, 3);
	assert_true(c.has_ip6);
	inet_pton(AF_INET6, "2001:2::2", want);
	assert_memory_equal(c.ip6, want, 16);
	assert_int_equal(c.ip6_prefix, 64);
	assert_int_equal(c.addrs6[1].vlan, 8);
	inet_pton(AF_INET6, "2001:2:0:8::1", want);
	assert_memory_equal(c.addrs6[1].gateway, want, 16);
	assert_int_equal(c.addrs6[2].vlan, 0);
	config_free(&c);
	EXPECT_ERR("--ip6 2001:2::3/64: vlan='4095' must be an 802.1Q ID from 1 to 4094",
		   BASE, "--ip6", "2001:2::3/64,vlan=4095");
	EXPECT_ERR("--ip6 2001:2::3/64: gateway6='x' is not a unicast IPv6 address",
		   BASE, "--ip6", "2001:2::3/64,gateway6=x");
	EXPECT_ERR("--ip6 2001:2::3/64: unknown option 'gateway=198.18.0.1'",
		   BASE, "--ip6", "2001:2::3/64,gateway=198.18.0.1");
	EXPECT_ERR("--ip6: 2001:2::3 is given twice", BASE, "--ip6",
		   "2001:2::3/64", "--ip6", "2001:2::3/64,vlan=5");
	EXPECT_ERR("--ip6 2001:2::4/64: its prefix is already 2001:2::3's",
		   BASE, "--ip6", "2001:2::3/64", "--ip6", "2001:2::4/64");
	EXPECT_ERR("gateway6=2001:2:0:9::1 must be another address inside its prefix",
		   BASE, "--ip6", "2001:2::3/64", "--ip6",
		   "2001:2:0:1::3/64,gateway6=2001:2:0:9::1");
	EXPECT_ERR("--gateway6 is not inside the prefix of any --ip6", BASE,
		   "--ip6", "2001:2::3/64", "--ip6", "2001:2:0:1::3/64",
		   "--gateway6", "2001:2:0:9::1");
	EXPECT_ERR("--gateway6 is not inside the --ip6 prefix", BASE,
		   "--ip6", "2001:2::3/64", "--gateway6", "2001:2:0:9::1");
	EXPECT_ERR("--ip6: more than 8 addresses", BASE,
		   "--ip6", "2001:2:0:1::1/64", "--ip6", "2001:2:0:2::1/64",
		   "--ip6", "2001:2:0:3::1/64", "--ip6", "2001:2:0:4::1/64",
		   "--ip6", "2001:2:0:5::1/64", "--ip6", "2001:2:0:6::1/64",
		   "--ip6", "2001:2:0:7::1/64", "--ip6", "2001:2:0:8::1/64",
		   "--ip6", "2001:2:0:9::1/64");
	/* 8 tags in all: one more than --ip leaves room for */
	EXPECT_ERR("more than 8 interfaces", "--ip", "198.18.0.2/24",
		   "--ip6", "2001:2:0:1::1/64,vlan=1",
		   "--ip6", "2001:2:0:2::1/64,vlan=2",
		   "--ip6", "2001:2:0:3::1/64,vlan=3",
		   "--ip6", "2001:2:0:4::1/64,vlan=4",
		   "--ip6", "2001:2:0:5::1/64,vlan=5",
		   "--ip6", "2001:2:0:6::1/64,vlan=6",
		   "--ip6", "2001:2:0:7::1/64,vlan=7",
		   "--ip6", "2001:2:0:8::1/64,vlan=8", "--echo", "7");
	/* the file's list; the command line's --ip6 replace it */
	path = write_tmp("{\"ip6\": [\"2001:2::2/64\", \"2001:2:0:9::2/64,vlan=9\"]}");
	EXPECT_OK(&c, err, "--config", path, "--echo", "7");
	assert_int_equal(c.n_addrs6, 2);
	assert_int_equal(c.addrs6[1].vlan, 9);
	config_free(&c);
	EXPECT_OK(&c, err, "--config", path, "--ip6", "2001:2:0:5::2/64",
		  "--echo", "7");
	assert_int_equal(c.n_addrs6, 1);
	inet_pton(AF_INET6, "2001:2:0:5::2", want);
	assert_memory_equal(c.ip6, want, 16);
	config_free(&c);
	unlink(path);
	free(path);
	path = write_tmp("{\"ip6\": [\"2001:2::2/64\", 5]}");
	EXPECT_ERR("\"ip6\": must be a string or an array of strings",
		   "--config", path, "--echo", "7");
	unlink(path);
	free(path);
}

/* Several --ip, with options, from the command line and the file. */
static void
test_ip_several(void **state)
{
	struct dpf_config c;
	char err[CONFIG_ERR_LEN];
	char *path;

	(void)state;
	EXPECT_OK(&c, err, "--ip", "10.0.0.5/24", "--ip",
		  "198.18.5.2/24,vlan=5,gateway=198.18.5.1", "--ip",
		  "198.18.0.2/16", "--fetch", "http://10.0.0.1/");
	assert_int_equal(c.n_addrs, 3);
	assert_int_equal(c.ip, IP(10, 0, 0, 5));
	assert_int_equal(c.prefix_len, 24);
	assert_int_equal(c.addrs[1].ip, IP(198, 18, 5, 2));
	assert_int_equal(c.addrs[1].vlan, 5);
	assert_int_equal(c.addrs[1].gateway, IP(198, 18, 5, 1));
	assert_int_equal(c.addrs[2].prefix_len, 16);
	assert_int_equal(c.addrs[2].vlan, 0);
	config_free(&c);
	EXPECT_ERR("--ip 198.18.5.2/24: vlan='4095' must be an 802.1Q ID from 1 to 4094",
		   BASE, "--ip", "198.18.5.2/24,vlan=4095");
	EXPECT_ERR("vlan='0' must be", BASE, "--ip", "198.18.5.2/24,vlan=0");
	EXPECT_ERR("vlan='x' must be", BASE, "--ip", "198.18.5.2/24,vlan=x");
	EXPECT_ERR("--ip 198.18.5.2/24: gateway='1.2.3' is not an IPv4 address",
		   BASE, "--ip", "198.18.5.2/24,gateway=1.2.3");
	EXPECT_ERR("--ip 198.18.5.2/24: unknown option 'mtu=9000'", BASE,
		   "--ip", "198.18.5.2/24,mtu=9000");
	EXPECT_ERR("--ip: '198.18.5.2' lacks the prefix length", BASE,
		   "--ip", "198.18.5.2,vlan=5");
	EXPECT_ERR("--ip: 10.0.0.5 is given twice", BASE, "--ip",
		   "10.0.0.5/16");
	EXPECT_ERR("--ip 10.0.0.6/24: its prefix 10.0.0.0/24 is already 10.0.0.5's",
		   BASE, "--ip", "10.0.0.6/24,vlan=3");
	EXPECT_ERR("gateway=198.18.6.1 must be another address inside its prefix",
		   BASE, "--ip", "198.18.5.2/24,gateway=198.18.6.1");
	EXPECT_ERR("--gateway is not inside the prefix of any --ip", BASE,
		   "--ip", "198.18.5.2/24", "--gateway", "198.18.6.1");
	EXPECT_ERR("--ip: more than 8 addresses", BASE, "--ip", "10.0.1.1/24",
		   "--ip", "10.0.2.1/24", "--ip", "10.0.3.1/24", "--ip",
		   "10.0.4.1/24", "--ip", "10.0.5.1/24", "--ip", "10.0.6.1/24",
		   "--ip", "10.0.7.1/24", "--ip", "10.0.8.1/24");
	/* the file's list; the command line's --ip replace it */
	path = write_tmp("{\"ip\": [\"10.0.0.5/24\", \"10.0.9.5/24,vlan=9\"]}");
	EXPECT_OK(&c, err, "--config", path, "--fetch", "http://10.0.0.1/");
	assert_int_equal(c.n_addrs, 2);
	assert_int_equal(c.addrs[1].vlan, 9);
	config_free(&c);
	EXPECT_OK(&c, err, "--config", path, "--ip", "10.1.0.5/24",
		  "--fetch", "http://10.1.0.1/");
	assert_int_equal(c.n_addrs, 1);
	assert_int_equal(c.ip, IP(10, 1, 0, 5));
	config_free(&c);
	unlink(path);
	free(path);
	path = write_tmp("{\"ip\": [\"10.0.0.5/24\", \"10.0.9.5/24,vlan=9999\"]}");
	EXPECT_ERR("\"ip\": --ip 10.0.9.5/24: vlan='9999'", "--config", path,
		   "--fetch", "http://10.0.0.1/");
	unlink(path);
	free(path);
	path = write_tmp("{\"ip\": [\"10.0.0.5/24\", 5]}");
	EXPECT_ERR("\"ip\": must be a string or an array of strings",
		   "--config", path, "--fetch", "http://10.0.0.1/");
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_timeouts),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_gateway),
		cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_ip_several),
		cmocka_unit_test(test_ip6_several),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_port_rss),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_fetch_output_stats),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_header_obs_text),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_set_pairs_direct),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_option_takes_no_value),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_job_options),
		cmocka_unit_test(test_mix_option),
		cmocka_unit_test(test_repeated_calls),
		cmocka_unit_test(test_repeated_calls_short_cluster),
		cmocka_unit_test(test_file_all_keys),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_error_names_file),
		cmocka_unit_test(test_file_then_cmdline),
		cmocka_unit_test(test_file_seed_precision),
		cmocka_unit_test(test_file_number_for_string),
		cmocka_unit_test(test_load_string),
		cmocka_unit_test(test_file_load_options),
		cmocka_unit_test(test_option_names),
		cmocka_unit_test(test_search_options),
		cmocka_unit_test(test_metrics_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
