/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End-to-end check of the dpfetchctl binary (path in argv[1]): a thread
 * answers JSON-RPC lines on a UNIX socket (and on loopback TCP, with a
 * token), dpfetchctl runs against it, and the test checks exit statuses
 * (0 result, 1 error reply or failed job, 2 usage or no socket), output,
 * and the requests that went over the wire.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define TOKEN	"s3cret-s3cret-s3cret"

static const char *ctl_bin;

struct server {
	char dir[64];
	char path[128];
	int ufd, tfd;		/* listening: UNIX, TCP */
	int tport;
	pthread_t thread;
	volatile int stop;
	pthread_mutex_t lock;
	char last[65536];	/* the last request line received */
};

static struct server srv;

static json_t *
answer(const json_t *req, int over_tcp)
{
	const char *m = json_string_value(json_object_get(req, "method"));
	const json_t *params = json_object_get(req, "params");
	const json_t *auth = json_object_get(req, "auth");
	json_t *id = json_object_get(req, "id");
	json_t *res = NULL;

	if (over_tcp && (!json_is_string(auth) ||
			 strcmp(json_string_value(auth), TOKEN) != 0))
		return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0",
				 "id", id, "error", "code", -32001, "message",
				 "bad token");
	if (m == NULL)
		m = "";
	if (strcmp(m, "app.info") == 0)
		res = json_pack("{s:s, s:s, s:i, s:i, s:i}", "version",
				"0.1.0", "dpdk_version", "DPDK 22.11.11",
				"lcores", 1, "ports", 1, "uptime_s", 5);
	else if (strcmp(m, "fetch.start") == 0)
		res = json_pack("{s:i}", "job", 9);
	else if (strcmp(m, "fetch.wait") == 0 || strcmp(m, "fetch.status") == 0)
		res = json_pack("{s:O, s:s, s:i}", "job",
				json_object_get(params, "job"), "state",
				json_integer_value(json_object_get(params,
						   "job")) == 13 ?
				"failed" : "done", "requests_sent", 10);
	else if (strcmp(m, "fetch.list") == 0)
		res = json_pack("{s:[{s:i, s:s}]}", "jobs", "job", 13, "state",
				"failed");
	else if (strcmp(m, "stats.reset") == 0)
		res = json_object();
	if (res == NULL)
		return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0",
				 "id", id, "error", "code", -32601, "message",
				 "Method not found");
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
			 "result", res);
}

static void
serve_conn(int fd, int over_tcp)
{
	char buf[65536], *nl, *text;
	size_t len = 0;
	json_t *req, *rep;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n <= 0)
			break;
		len += n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			pthread_mutex_lock(&srv.lock);
			snprintf(srv.last, sizeof(srv.last), "%s", buf);
			pthread_mutex_unlock(&srv.lock);
			req = json_loads(buf, 0, NULL);
			rep = req != NULL ? answer(req, over_tcp) :
				json_pack("{s:s, s:n, s:{s:i, s:s}}", "jsonrpc",
					  "2.0", "id", "error", "code", -32700,
					  "message", "Parse error");
			text = json_dumps(rep, JSON_COMPACT);
			/* a notification first: the client must skip it */
			dprintf(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"note\"}\n"
				"%s\n", text);
			free(text);
			json_decref(rep);
			json_decref(req);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
		}
	}
	close(fd);
}

static void *
server_main(void *arg)
{
	fd_set fds;
	int fd, max;

	(void)arg;
	while (!srv.stop) {
		FD_ZERO(&fds);
		FD_SET(srv.ufd, &fds);
		FD_SET(srv.tfd, &fds);
		max = srv.ufd > srv.tfd ? srv.ufd : srv.tfd;
		struct timeval tv = { 0, 100000 };

		if (select(max + 1, &fds, NULL, NULL, &tv) <= 0)
			continue;
		if (FD_ISSET(srv.ufd, &fds) &&
		    (fd = accept(srv.ufd, NULL, NULL)) >= 0)
			serve_conn(fd, 0);
		if (FD_ISSET(srv.tfd, &fds) &&
		    (fd = accept(srv.tfd, NULL, NULL)) >= 0)
			serve_conn(fd, 1);
	}
	return NULL;
}

static int
setup(void **state)
{
	struct sockaddr_un sa;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	(void)state;
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.lock, NULL);
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/dpfetchctl_XXXXXX");
	assert_non_null(mkdtemp(srv.dir));
	snprintf(srv.path, sizeof(srv.path), "%s/t.sock", srv.dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, srv.path);
	srv.ufd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(srv.ufd >= 0);
	assert_int_equal(bind(srv.ufd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(srv.ufd, 8), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.tfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(srv.tfd >= 0);
	assert_int_equal(bind(srv.tfd, (struct sockaddr *)&sin, sizeof(sin)),
			 0);
	assert_int_equal(listen(srv.tfd, 8), 0);
	assert_int_equal(getsockname(srv.tfd, (struct sockaddr *)&sin, &sl),
			 0);
	srv.tport = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&srv.thread, NULL, server_main, NULL),
			 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv.stop = 1;
	pthread_join(srv.thread, NULL);
	close(srv.ufd);
	close(srv.tfd);
	unlink(srv.path);
	rmdir(srv.dir);
	return 0;
}

/* Output of one dpfetchctl run. */
struct run {
	int status;
	char out[8192];
	char err[8192];
};

static void
slurp(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
	close(fd);
}

/* Run dpfetchctl with the words given, NULL-terminated. */
static void
run_ctl(struct run *r, ...)
{
	char *argv[32], tout[] = "/tmp/ctl_out_XXXXXX";
	char terr[] = "/tmp/ctl_err_XXXXXX";
	int fo, fe, argc = 0, st;
	va_list ap;
	pid_t pid;

	argv[argc++] = (char *)ctl_bin;
	va_start(ap, r);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	fo = mkstemp(tout);
	fe = mkstemp(terr);
	assert_true(fo >= 0 && fe >= 0);
	unlink(tout);
	unlink(terr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* never a terminal: no command there would be the shell */
		int fi = open("/dev/null", O_RDONLY);

		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		unsetenv("DPFETCHCTL_AUTH");
		execv(ctl_bin, argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	r->status = WEXITSTATUS(st);
	slurp(fo, r->out, sizeof(r->out));
	slurp(fe, r->err, sizeof(r->err));
}

static void
expect(const struct run *r, int status, const char *in_out,
       const char *in_err)
{
	if (r->status != status ||
	    (in_out != NULL && strstr(r->out, in_out) == NULL) ||
	    (in_err != NULL && strstr(r->err, in_err) == NULL))
		fail_msg("exit %d (want %d)\n--- stdout\n%s--- stderr\n%s---",
			 r->status, status, r->out, r->err);
}

/* Compare the last request the server read with want. */
static void
check_last_request(const char *want)
{
	char *got;

	pthread_mutex_lock(&srv.lock);
	got = strdup(srv.last);
	pthread_mutex_unlock(&srv.lock);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("request:\n got  %s\n want %s", got, want);
	free(got);
}

static void
test_result(void **state)
{
	struct run r;

	(void)state;
	run_ctl(&r, "-s", srv.path, "info", NULL);
	expect(&r, 0, "dpdk_version  DPDK 22.11.11\n", NULL);
	run_ctl(&r, "--ctl", srv.path, "--json", "info", NULL);
	expect(&r, 0, NULL, NULL);
	assert_string_equal(r.out, "{\"version\":\"0.1.0\",\"dpdk_version\":"
			    "\"DPDK 22.11.11\",\"lcores\":1,\"ports\":1,"
			    "\"uptime_s\":5}\n");
	run_ctl(&r, "-s", srv.path, "reset", NULL);
	expect(&r, 0, "ok\n", NULL);
}

static void
test_request_on_the_wire(void **state)
{
	struct run r;

	(void)state;
	run_ctl(&r, "-s", srv.path, "fetch", "url=http://198.18.0.1/",
		"url=http://198.18.0.1/1M.bin", "header=Host: example.test",
		"duration=10", "rpc=100", NULL);
	expect(&r, 0, "job 9 started\n", NULL);
	check_last_request("{\"jsonrpc\":\"2.0\",\"id\":1,"
		"\"method\":\"fetch.start\",\"params\":{\"urls\":"
		"[\"http://198.18.0.1/\",\"http://198.18.0.1/1M.bin\"],"
		"\"headers\":{\"Host\":\"example.test\"},\"duration_s\":10,"
		"\"requests_per_connection\":100}}");
	run_ctl(&r, "-s", srv.path, "call", "app.info", NULL);
	expect(&r, 0, "version", NULL);
	check_last_request("{\"jsonrpc\":\"2.0\",\"id\":1,"
			    "\"method\":\"app.info\"}");
}

static void
test_error_reply(void **state)
{
	struct run r;

	(void)state;
	run_ctl(&r, "-s", srv.path, "call", "no.such", "{\"a\": 1}", NULL);
	expect(&r, 1, NULL, "no.such: Method not found (code -32601)");
	/* wait on a job that ends "failed" */
	run_ctl(&r, "-s", srv.path, "wait", "13", NULL);
	expect(&r, 1, "job 13: failed", "job 13 failed");
	run_ctl(&r, "-s", srv.path, "wait", "12", NULL);
	expect(&r, 0, "job 12: done", NULL);
	/* no job named: the newest one of fetch.list */
	run_ctl(&r, "-s", srv.path, "status", NULL);
	/* only wait fails on a failed job: status just reports it */
	expect(&r, 0, "job 13: failed", NULL);
}

static void
test_no_socket(void **state)
{
	char path[256];
	struct run r;

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.sock", srv.dir);
	run_ctl(&r, "-s", path, "info", NULL);
	expect(&r, 2, NULL, path);
	expect(&r, 2, NULL, "-s/--ctl");
	run_ctl(&r, "--prefix", "nosuchprefix", "info", NULL);
	expect(&r, 2, NULL, "/run/dpfetch/nosuchprefix.sock");
}

static void
test_usage(void **state)
{
	struct run r;

	(void)state;
	/* refused before any connection is tried */
	run_ctl(&r, "-s", "/nonexistent/x.sock", "frob", NULL);
	expect(&r, 2, NULL, "unknown command 'frob'");
	run_ctl(&r, "-s", srv.path, "fetch", "url=http://198.18.0.1/",
		"conections=2", NULL);
	expect(&r, 2, NULL, "valid keys:");
	run_ctl(&r, "--bogus", NULL);
	expect(&r, 2, NULL, "--bogus");
	run_ctl(&r, NULL);
	expect(&r, 2, NULL, "usage:");
	run_ctl(&r, "--help", NULL);
	expect(&r, 0, "capture-stop", NULL);
	/* help needs no connection; help fetch lists the job parameters
	 * (all of them: test_job_params.c walks the table) */
	run_ctl(&r, "-s", "/nonexistent/x.sock", "help", NULL);
	expect(&r, 0, "capture-stop", NULL);
	run_ctl(&r, "-s", "/nonexistent/x.sock", "help", "fetch", NULL);
	expect(&r, 0, "response_timeout_ms=N", NULL);
	run_ctl(&r, "help", "frob", NULL);
	expect(&r, 2, NULL, "usage: help [COMMAND]");
}

static void
test_tcp_token(void **state)
{
	char hp[64];
	struct run r;

	(void)state;
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", srv.tport);
	run_ctl(&r, "-t", hp, "-a", TOKEN, "info", NULL);
	expect(&r, 0, "version", NULL);
	run_ctl(&r, "-t", hp, "-a", "wrong", "info", NULL);
	expect(&r, 1, NULL, "bad token");
	/* --auth-file: the first line, from a file others cannot read. */
	{
		char file[] = "/tmp/ut_dpfetchctl_tok_XXXXXX";
		int fd = mkstemp(file);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, TOKEN "\n", strlen(TOKEN) + 1),
				 (ssize_t)strlen(TOKEN) + 1);
		close(fd);
		assert_int_equal(chmod(file, 0600), 0);
		run_ctl(&r, "-t", hp, "--auth-file", file, "info", NULL);
		expect(&r, 0, "version", NULL);
		assert_int_equal(chmod(file, 0604), 0);
		run_ctl(&r, "-t", hp, "--auth-file", file, "info", NULL);
		expect(&r, 2, NULL, "readable or writable by others");
		unlink(file);
	}
}

static void
test_watch_once(void **state)
{
	struct run r;

	(void)state;
	/* the newest job has ended: one frame, then exit 0 */
	run_ctl(&r, "-s", srv.path, "watch", "--once", NULL);
	/* into a file: no escape codes, the frame starts the output */
	expect(&r, 0, "dpfetch 0.1.0  DPDK 22.11.11", NULL);
	assert_true(strncmp(r.out, "dpfetch 0.1.0", 13) == 0);
	assert_null(strchr(r.out, '\033'));
	expect(&r, 0, "job 13: failed\n", NULL);
	/* a row per second in csv, one object per frame in jsonl */
	run_ctl(&r, "-s", srv.path, "watch", "--once", "--format", "csv",
		NULL);
	expect(&r, 0, "job,row,t,rps,requests,cps,gbps,errors,open,p50_us,p99_us\n",
	       NULL);
	run_ctl(&r, "-s", srv.path, "watch", "--once", "--format=jsonl",
		NULL);
	expect(&r, 0, "{\"job\":13,", NULL);
	run_ctl(&r, "-s", srv.path, "--once", "watch", "12", NULL);
	expect(&r, 0, "job 12: done\n", NULL);
	run_ctl(&r, "-s", srv.path, "watch", "1", "2", NULL);
	expect(&r, 2, NULL, "usage: watch");
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_script_file(void **state)
{
	char path[256];
	struct run r;

	(void)state;
	snprintf(path, sizeof(path), "%s/t.script", srv.dir);
	write_file(path, "# start, then wait for it\n"
		   "fetch url=http://198.18.0.1/ connections=4 requests=10\n"
		   "echo job $job\n"
		   "wait\n");
	run_ctl(&r, "-s", srv.path, "-f", path, NULL);
	expect(&r, 0, "job 9\n", NULL);
	expect(&r, 0, "job 9: done", NULL);

	write_file(path, "reset\nwait 13\nreset\n");
	run_ctl(&r, "-s", srv.path, "-f", path, NULL);
	expect(&r, 1, NULL, "t.script:2: job 13 failed");

	write_file(path, "reset\ncall nope\nreset\n");
	run_ctl(&r, "-s", srv.path, "--keep-going", "-f", path, NULL);
	expect(&r, 1, "> reset\nok\n> call nope\n> reset\nok\n",
	       "t.script:2: nope: Method not found");

	/* checked before connecting: a bad line exits 2 */
	write_file(path, "reset\nsleep x\n");
	run_ctl(&r, "-s", "/nonexistent/x.sock", "-f", path, NULL);
	expect(&r, 2, NULL, "t.script:2: sleep");
	unlink(path);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_request_on_the_wire),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_tcp_token),
		cmocka_unit_test(test_watch_once),
		cmocka_unit_test(test_script_file),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-DPFETCHCTL\n", argv[0]);
		return 2;
	}
	ctl_bin = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
