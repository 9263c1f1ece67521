/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the script runner's own logic: comments, sleep, echo,
 * $job, wait looping, stopping at the first error, keep-going.  The
 * transport is an in-process callback with a tiny job lifecycle, which is
 * all the runner may see of an appliance.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "script.h"
#include "url.h"

/* conf/, where the example scripts are (argv[1]). */
static const char *conf_dir;

struct fake {
	int next_job;
	int running_polls;	/* fetch.wait answers "running" this often */
	int polls_left;
	const char *final_state;
	const char *fail_method;	/* answered with an error reply */
	const char *cut_method;		/* answered: transport error */
	const char *list;	/* fetch.list's result */
	const char *thresholds;	/* fetch.wait's, as JSON, or NULL */
	const char *search;	/* fetch.search's result, or NULL */
	char log[4096];		/* "method params" per call */
	double slept;
	int sleeps;
	int interrupt_sleep;
};

static int
fake_call(void *ctx, const char *method, json_t *params, json_t **result,
	  char *err, size_t errlen)
{
	struct fake *f = ctx;
	char *p = params != NULL ? json_dumps(params, JSON_COMPACT |
					      JSON_ENCODE_ANY) : NULL;
	size_t n = strlen(f->log);
	json_t *job = json_object_get(params, "job");

	snprintf(f->log + n, sizeof(f->log) - n, "%s%s%s\n", method,
		 p != NULL ? " " : "", p != NULL ? p : "");
	free(p);
	*result = NULL;
	if (f->fail_method != NULL && strcmp(method, f->fail_method) == 0) {
		snprintf(err, errlen, "boom (code -32000)");
		return SCRIPT_CALL_ERROR;
	}
	if (f->cut_method != NULL && strcmp(method, f->cut_method) == 0) {
		snprintf(err, errlen, "connection closed by dpfetch");
		return SCRIPT_CALL_TRANSPORT;
	}
	if (strcmp(method, "fetch.start") == 0 &&
	    !json_is_string(json_object_get(params, "url"))) {
		snprintf(err, errlen, "boom (code -32000)");
		return SCRIPT_CALL_ERROR;
	}
	if (strcmp(method, "fetch.start") == 0) {
		f->polls_left = f->running_polls;
		*result = json_pack("{s:i}", "job", f->next_job++);
	} else if (strcmp(method, "fetch.wait") == 0) {
		*result = json_pack("{s:O, s:s}", "job", job, "state",
				    f->polls_left-- > 0 ? "running" :
				    f->final_state);
		if (f->thresholds != NULL)
			json_object_set_new(*result, "thresholds",
					    json_loads(f->thresholds, 0, NULL));
	} else if (strcmp(method, "fetch.status") == 0) {
		*result = json_pack("{s:O, s:s}", "job", job, "state",
				    "running");
	} else if (strcmp(method, "fetch.search") == 0) {
		*result = json_loads(f->search != NULL ? f->search :
				     "{\"dial\": \"rate_rps\", \"answer\": 1000, "
				     "\"end\": \"converged\", \"steps\": []}", 0,
				     NULL);
	} else if (strcmp(method, "fetch.list") == 0) {
		*result = json_loads(f->list != NULL ? f->list :
				     "{\"jobs\": []}", 0, NULL);
	} else {
		*result = json_object();
	}
	return SCRIPT_CALL_OK;
}

static int
fake_sleep(void *ctx, double s)
{
	struct fake *f = ctx;

	f->slept += s;
	f->sleeps++;
	return f->interrupt_sleep ? -1 : 0;
}

/* A runner on a fake, writing into memory streams. */
struct rig {
	struct fake fake;
	struct script_runner r;
	char *out, *err;
	size_t out_len, err_len;
	FILE *outf, *errf;
};

static void
rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	g->fake.next_job = 1;
	g->fake.final_state = "done";
	script_runner_init(&g->r, fake_call, &g->fake);
	g->r.sleep_fn = fake_sleep;
	g->outf = open_memstream(&g->out, &g->out_len);
	g->errf = open_memstream(&g->err, &g->err_len);
	assert_non_null(g->outf);
	assert_non_null(g->errf);
	g->r.out = g->outf;
	g->r.err = g->errf;
}

/* Flush the streams so that out and err can be read. */
static void
rig_flush(struct rig *g)
{
	fflush(g->outf);
	fflush(g->errf);
}

static void
rig_fini(struct rig *g)
{
	fclose(g->outf);
	fclose(g->errf);
	free(g->out);
	free(g->err);
}

static void
check_log(struct rig *g, const char *want)
{
	if (strcmp(g->fake.log, want) != 0)
		fail_msg("calls:\n--- got\n%s--- want\n%s---", g->fake.log,
			 want);
}

static void
check_contains(const char *what, const char *text, const char *word)
{
	if (strstr(text, word) == NULL)
		fail_msg("%s lacks \"%s\":\n%s", what, word, text);
}

static void
test_basic_script(void **state)
{
	struct rig g;
	int rc;

	(void)state;
	rig_init(&g);
	rc = script_run_text(&g.r, "t.script",
		"# a comment\n"
		"\n"
		"   # an indented comment\n"
		"fetch url=http://198.18.0.1/ connections=2 duration=1\r\n"
		"echo started job $job, ${job} again, $jobs untouched\n"
		"sleep 0.25\n"
		"status $job\n"
		"stats tcp   # trailing comment\n"
		"call x.y {\"a\": [1, 2]}\n");
	rig_flush(&g);
	assert_int_equal(rc, SCRIPT_OK);
	check_log(&g,
		"fetch.start {\"url\":\"http://198.18.0.1/\",\"connections\":2,"
		"\"duration_s\":1}\n"
		"fetch.status {\"job\":1}\n"
		"stats.get {\"scope\":\"tcp\"}\n"
		"x.y {\"a\":[1,2]}\n");
	assert_int_equal(g.fake.sleeps, 1);
	assert_true(g.fake.slept == 0.25);
	check_contains("output", g.out,
		       "started job 1, 1 again, $jobs untouched\n");
	check_contains("output", g.out, "job 1 started\n");
	/* the command precedes its result when asked */
	assert_string_equal(g.err, "");
	assert_string_equal(g.r.last_job, "1");
	rig_fini(&g);
}

static void
test_show_commands_and_json(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	g.r.show_commands = 1;
	assert_int_equal(script_run_text(&g.r, "s", "fetch url=http://10.0.0.1/\n"
					 "reset\n"), SCRIPT_OK);
	rig_flush(&g);
	assert_string_equal(g.out, "> fetch url=http://10.0.0.1/\njob 1 started\n"
			    "> reset\nok\n");
	rig_fini(&g);

	rig_init(&g);
	g.r.show_commands = 1;
	g.r.json = 1;
	assert_int_equal(script_run_text(&g.r, "s", "fetch url=http://10.0.0.1/\n"
					 "echo aside\nreset\n"), SCRIPT_OK);
	rig_flush(&g);
	/* nothing but JSON on the output; echo goes to the error stream */
	assert_string_equal(g.out, "{\"job\":1}\n{}\n");
	assert_string_equal(g.err, "aside\n");
	rig_fini(&g);
}

static void
test_wait_loops(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.running_polls = 3;
	assert_int_equal(script_run_text(&g.r, "w",
		"fetch url=http://198.18.0.1/\nwait\n"), SCRIPT_OK);
	rig_flush(&g);
	check_log(&g,
		"fetch.start {\"url\":\"http://198.18.0.1/\"}\n"
		"fetch.wait {\"job\":1,\"timeout_s\":60}\n"
		"fetch.wait {\"job\":1,\"timeout_s\":60}\n"
		"fetch.wait {\"job\":1,\"timeout_s\":60}\n"
		"fetch.wait {\"job\":1,\"timeout_s\":60}\n");
	/* the fake answers at once: a pause between polls, none after */
	assert_int_equal(g.fake.sleeps, 3);
	check_contains("output", g.out, "job 1: done\n");
	rig_fini(&g);
}

static void
test_wait_failed_job(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.final_state = "failed";
	assert_int_equal(script_run_text(&g.r, "f.script",
		"fetch url=http://198.18.0.1/\n"
		"# the job fails\n"
		"wait $job\n"
		"stats\n"), SCRIPT_FAILED);
	rig_flush(&g);
	assert_string_equal(g.err, "f.script:3: job 1 failed\n");
	/* stopped there */
	check_log(&g,
		"fetch.start {\"url\":\"http://198.18.0.1/\"}\n"
		"fetch.wait {\"job\":1,\"timeout_s\":60}\n");
	rig_fini(&g);

	/* "stopped" is an end a script may ask for: not a failure */
	rig_init(&g);
	g.fake.final_state = "stopped";
	assert_int_equal(script_run_text(&g.r, "s",
		"fetch url=http://10.0.0.1/\nstop\nwait\n"), SCRIPT_OK);
	rig_fini(&g);
}

/* A job that ends with a failed threshold: SCRIPT_THRESHOLDS (exit 3)
 * with the expression named; the script stops there unless keep_going,
 * and a real failure after it outranks it. */
static void
test_wait_thresholds(void **state)
{
	static const char *const th =
		"[{\"expr\": \"total.p99<5ms\", \"value\": 7100, \"ok\": false},"
		" {\"expr\": \"errors==0\", \"value\": 0, \"ok\": true}]";
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.thresholds = th;
	assert_int_equal(script_run_text(&g.r, "t",
		"fetch url=http://198.18.0.1/ threshold=total.p99<5ms\n"
		"wait distribution=true\nstats\n"), SCRIPT_THRESHOLDS);
	rig_flush(&g);
	assert_string_equal(g.err, "t:2: job 1: threshold total.p99<5ms "
			    "failed (value 7100)\n");
	check_log(&g,
		"fetch.start {\"url\":\"http://198.18.0.1/\","
		"\"thresholds\":[\"total.p99<5ms\"]}\n"
		"fetch.wait {\"job\":1,\"timeout_s\":60,"
		"\"distribution\":true}\n");
	rig_fini(&g);

	rig_init(&g);
	g.fake.thresholds = th;
	g.r.keep_going = 1;
	assert_int_equal(script_run_text(&g.r, "t",
		"fetch url=http://10.0.0.1/\nwait\nstats\n"), SCRIPT_THRESHOLDS);
	rig_flush(&g);
	check_contains("stats ran", g.fake.log, "stats");
	rig_fini(&g);

	rig_init(&g);
	g.fake.thresholds = th;
	g.r.keep_going = 1;
	g.fake.fail_method = "stats.get";
	assert_int_equal(script_run_text(&g.r, "t",
		"fetch url=http://10.0.0.1/\nwait\nstats\n"), SCRIPT_FAILED);
	rig_fini(&g);

	/* All held: success. */
	rig_init(&g);
	g.fake.thresholds = "[{\"expr\": \"errors==0\", \"value\": 0, "
		"\"ok\": true}]";
	assert_int_equal(script_run_text(&g.r, "t", "fetch url=http://10.0.0.1/\n"
					 "wait\n"), SCRIPT_OK);
	rig_fini(&g);
}

static void
test_wait_timeout(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.running_polls = 1000;
	g.r.wait_step_s = 5;
	assert_int_equal(script_run_text(&g.r, "t",
		"fetch url=http://10.0.0.1/\nwait timeout=0\n"), SCRIPT_FAILED);
	rig_flush(&g);
	check_log(&g, "fetch.start {\"url\":\"http://10.0.0.1/\"}\n"
		  "fetch.wait {\"job\":1,\"timeout_s\":0}\n");
	assert_string_equal(g.err, "t:2: job 1 still running after 0 s\n");
	rig_fini(&g);
}

static void
test_stop_at_first_error(void **state)
{
	static const char text[] =
		"reset\n"
		"stats tcp\n"
		"arp\n"
		"stats http\n"
		"jobs\n";
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.fail_method = "stats.get";
	assert_int_equal(script_run_text(&g.r, "e.script", text),
			 SCRIPT_FAILED);
	rig_flush(&g);
	check_log(&g, "stats.reset {}\nstats.get {\"scope\":\"tcp\"}\n");
	assert_string_equal(g.err, "e.script:2: stats.get: boom "
			    "(code -32000)\n");
	assert_int_equal(g.r.failures, 1);
	rig_fini(&g);

	rig_init(&g);
	g.fake.fail_method = "stats.get";
	g.r.keep_going = 1;
	assert_int_equal(script_run_text(&g.r, "e.script", text),
			 SCRIPT_FAILED);
	rig_flush(&g);
	check_log(&g, "stats.reset {}\nstats.get {\"scope\":\"tcp\"}\n"
		  "arp.list {}\nstats.get {\"scope\":\"http\"}\n"
		  "fetch.list {}\n");
	assert_string_equal(g.err,
		"e.script:2: stats.get: boom (code -32000)\n"
		"e.script:4: stats.get: boom (code -32000)\n");
	assert_int_equal(g.r.failures, 2);
	rig_fini(&g);
}

static void
test_transport_ends_run(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.cut_method = "arp.list";
	g.r.keep_going = 1;	/* no use without a connection */
	assert_int_equal(script_run_text(&g.r, "c", "reset\narp\nreset\n"),
			 SCRIPT_ERROR);
	rig_flush(&g);
	check_log(&g, "stats.reset {}\narp.list {}\n");
	assert_string_equal(g.err, "c:2: arp.list: connection closed by "
			    "dpfetch\n");
	rig_fini(&g);
}

static void
test_syntax_checked_first(void **state)
{
	struct rig g;
	char err[256];

	(void)state;
	rig_init(&g);
	assert_int_equal(script_run_text(&g.r, "x.script",
		"reset\n"
		"sleep 1\n"
		"fetch url=http://10.0.0.1/ conections=3\n"), SCRIPT_ERROR);
	rig_flush(&g);
	check_log(&g, "");	/* nothing ran */
	assert_int_equal(g.fake.sleeps, 0);
	check_contains("errors", g.err,
		       "x.script:3: fetch: unknown key 'conections'");
	rig_fini(&g);

	assert_int_equal(script_check_text("y", "info\nsleep soon\n", err,
					   sizeof(err)), -1);
	assert_string_equal(err, "y:2: sleep: expected one number of "
			    "seconds");
	assert_int_equal(script_check_text("y", "echo 'unterminated\n", err,
					   sizeof(err)), -1);
	assert_string_equal(err, "y:1: unterminated ' quote");
	assert_int_equal(script_check_text("y", "frob\n", err, sizeof(err)),
			 -1);
	check_contains("error", err, "y:1: unknown command 'frob'");
	assert_int_equal(script_check_text("y", "# ok\nwait $job\n"
					   "sleep 0.5\necho hi\n", err,
					   sizeof(err)), 0);
}

/* --check: every bad line reported, nothing called. */
static void
test_check_all(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(script_check_all("c.script",
		"# fine\n"
		"info\n"
		"stats scope=nosuch\n"
		"fetch url=http://198.18.0.1/ conections=3\n"
		"sleep soon\n"
		"wait $job timeout=5\n"
		"frob\n", f), 4);
	fclose(f);
	check_contains("errors", buf, "c.script:3: stats: scope=nosuch: "
		       "expected one of:");
	check_contains("errors", buf, "c.script:4: fetch: unknown key "
		       "'conections'");
	check_contains("errors", buf, "c.script:5: sleep:");
	check_contains("errors", buf, "c.script:7: unknown command 'frob'");
	assert_null(strstr(buf, "c.script:2:"));
	assert_null(strstr(buf, "c.script:6:"));
	free(buf);
	assert_int_equal(script_check_all("ok", "info\nsleep 1\n", stderr),
			 0);
}

/* The shell's lines: the runner's state ($job) lasts from one to the
 * next, and a bad line is reported without a line number. */
static void
test_run_line(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	assert_int_equal(script_run_line(&g.r, "dpfetchctl",
					 "fetch url=http://198.18.0.1/"), SCRIPT_OK);
	assert_int_equal(script_run_line(&g.r, "dpfetchctl",
					 "status $job # comment"), SCRIPT_OK);
	assert_int_equal(script_run_line(&g.r, "dpfetchctl", "frob"),
			 SCRIPT_ERROR);
	assert_int_equal(script_run_line(&g.r, "dpfetchctl", "   "),
			 SCRIPT_OK);
	rig_flush(&g);
	check_log(&g, "fetch.start {\"url\":\"http://198.18.0.1/\"}\n"
		  "fetch.status {\"job\":1}\n");
	check_contains("errors", g.err, "dpfetchctl: unknown command 'frob'");
	rig_fini(&g);
}

/* A fetch that failed leaves no $job behind: not even an older one. */
static void
test_failed_fetch_forgets_job(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	g.r.keep_going = 1;
	assert_int_equal(script_run_text(&g.r, "k",
		"fetch url=http://10.0.0.1/\n"
		"call fetch.start {\"url\": 1}\n"
		"stop $job\n"), SCRIPT_FAILED);
	rig_flush(&g);
	check_log(&g, "fetch.start {\"url\":\"http://10.0.0.1/\"}\n"
		  "fetch.start {\"url\":1}\n");
	assert_string_equal(g.err, "k:2: fetch.start: boom (code -32000)\n"
			    "k:3: $job: no job started yet\n");
	rig_fini(&g);
}

static void
test_job_before_fetch(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	assert_int_equal(script_run_text(&g.r, "j", "status $job\n"),
			 SCRIPT_FAILED);
	rig_flush(&g);
	assert_string_equal(g.err, "j:1: $job: no job started yet\n");
	check_log(&g, "");
	rig_fini(&g);
}

/* Without a job of its own, the runner asks which one runs. */
static void
test_job_from_list(void **state)
{
	char *status[] = { "status" };
	char *wait[] = { "wait", "timeout=30" };
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.list = "{\"jobs\": [{\"job\": 4, \"state\": \"done\"}, "
		"{\"job\": 5, \"state\": \"running\"}, "
		"{\"job\": 6, \"state\": \"failed\"}]}";
	assert_int_equal(script_run_argv(&g.r, 1, status), SCRIPT_OK);
	check_log(&g, "fetch.list\nfetch.status {\"job\":5}\n");
	rig_fini(&g);

	rig_init(&g);
	g.fake.list = "{\"jobs\": [{\"job\": 4, \"state\": \"done\"}, "
		"{\"job\": 6, \"state\": \"failed\"}]}";
	g.fake.final_state = "failed";
	assert_int_equal(script_run_argv(&g.r, 2, wait), SCRIPT_FAILED);
	rig_flush(&g);
	check_log(&g, "fetch.list\nfetch.wait {\"job\":6,\"timeout_s\":30}\n");
	assert_string_equal(g.err, "dpfetchctl: job 6 failed\n");
	rig_fini(&g);

	rig_init(&g);
	assert_int_equal(script_run_argv(&g.r, 1, status), SCRIPT_FAILED);
	rig_flush(&g);
	check_contains("errors", g.err, "no job");
	rig_fini(&g);
}

static void
check_pick(const char *list, const char *want)
{
	json_t *l = json_loads(list, 0, NULL);
	json_t *job;
	char *got;

	assert_non_null(l);
	job = script_pick_job(l);
	if (want == NULL) {
		assert_null(job);
	} else {
		assert_non_null(job);
		got = json_dumps(job, JSON_ENCODE_ANY);
		assert_string_equal(got, want);
		free(got);
	}
	json_decref(l);
}

static void
test_pick_job(void **state)
{
	(void)state;
	check_pick("{}", NULL);
	check_pick("{\"jobs\": []}", NULL);
	check_pick("{\"jobs\": [{\"state\": \"running\"}]}", NULL);
	check_pick("{\"jobs\": [{\"job\": 1, \"state\": \"done\"}, "
		   "{\"job\": 2, \"state\": \"stopped\"}]}", "2");
	check_pick("{\"jobs\": [{\"job\": 1, \"state\": \"running\"}, "
		   "{\"job\": 2, \"state\": \"done\"}]}", "1");
	check_pick("{\"jobs\": [{\"job\": \"a\", \"state\": \"running\"}, "
		   "{\"job\": \"b\", \"state\": \"running\"}, "
		   "{\"job\": \"c\"}]}", "\"b\"");
}

static void
test_interrupted_sleep(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	g.fake.interrupt_sleep = 1;
	g.r.keep_going = 1;	/* an interruption still ends the run */
	assert_int_equal(script_run_text(&g.r, "i", "sleep 5\nreset\n"),
			 SCRIPT_FAILED);
	rig_flush(&g);
	check_log(&g, "");
	assert_string_equal(g.err, "i:1: interrupted\n");
	rig_fini(&g);
}

static void
test_run_file(void **state)
{
	char path[] = "/tmp/test_script_XXXXXX";
	struct rig g;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("info\nlisten port=8080\n", f);
	fclose(f);
	rig_init(&g);
	assert_int_equal(script_run_file(&g.r, path), SCRIPT_OK);
	check_log(&g, "app.info {}\n"
		  "server.start {\"port\":8080,\"kind\":\"http\"}\n");
	rig_fini(&g);
	unlink(path);

	rig_init(&g);
	assert_int_equal(script_run_file(&g.r, path), SCRIPT_ERROR);
	rig_flush(&g);
	check_contains("errors", g.err, "No such file");
	rig_fini(&g);
}

static char *
read_all(const char *path)
{
	char *text = NULL;
	size_t len = 0, n;
	char buf[4096];
	FILE *f, *mem;

	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	fclose(f);
	fclose(mem);
	return text;
}

/* Every dotted quad in text lies in 198.18.0.0/15, the benchmark range. */
static void
check_addresses(const char *path, const char *text)
{
	const char *p = text;
	char quad[32];
	uint32_t a;
	size_t n;

	while (*p != '\0') {
		n = strspn(p, "0123456789.");
		if (n == 0) {
			p++;
			continue;
		}
		if (n < sizeof(quad)) {
			memcpy(quad, p, n);
			quad[n] = '\0';
			if (ipv4_parse(quad, &a) == 0 &&
			    (a & 0xfffe0000u) != 0xc6120000u)
				fail_msg("%s: %s is outside 198.18.0.0/15",
					 path, quad);
		}
		p += n;
	}
}

/* A search fails without an answer, or when a step could not run. */
static void
test_search(void **state)
{
	struct rig g;

	(void)state;
	rig_init(&g);
	assert_int_equal(script_run_text(&g.r, "t",
		"search url=http://198.18.0.1/ max=8000 slo=errors==0\n"),
		SCRIPT_OK);
	rig_flush(&g);
	check_log(&g, "fetch.search {\"url\":\"http://198.18.0.1/\","
		  "\"search\":{\"max\":8000,\"slo\":[\"errors==0\"]},"
		  "\"timeout_s\":3600}\n");
	check_contains("output", g.out, "answer: 1000 rate_rps (converged");
	assert_string_equal(g.err, "");
	rig_fini(&g);

	rig_init(&g);
	g.fake.search = "{\"answer\": null, \"end\": \"min_failed\", "
		"\"steps\": []}";
	assert_int_equal(script_run_text(&g.r, "t",
		"search url=http://198.18.0.1/ max=8000\nstats\n"),
		SCRIPT_FAILED);
	rig_flush(&g);
	assert_string_equal(g.err, "t:1: search: no step passed its SLO\n");
	check_contains("output", g.out, "answer: none");
	rig_fini(&g);

	rig_init(&g);
	g.fake.search = "{\"answer\": 500, \"end\": \"error\", "
		"\"steps\": [], \"error\": \"step at 700: 256 jobs are "
		"running\"}";
	assert_int_equal(script_run_text(&g.r, "t",
		"call fetch.search {\"url\": \"http://10.0.0.1/\"}\n"),
		SCRIPT_FAILED);
	rig_flush(&g);
	assert_string_equal(g.err,
		"t:1: search: step at 700: 256 jobs are running\n");
	rig_fini(&g);
}

/* The example scripts in conf/ parse, stay in the testbed's range, and run
 * (against the fake) with every job waited for, or searched with. */
static void
test_conf_scripts(void **state)
{
	static const char *const names[] = {
		"connection-rate.script", "keepalive-rps.script",
		"bulk-throughput.script", "latency-probe.script",
		"throughput-sizes.script", "concurrent-connections.script",
		"search-rps.script", "search-cps.script",
	};
	char path[512], err[512];
	struct rig g;
	size_t i;
	char *text;

	(void)state;
	if (conf_dir == NULL)
		fail_msg("give the conf directory as the first argument");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", conf_dir, names[i]);
		text = read_all(path);
		if (script_check_text(path, text, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		check_addresses(path, text);
		rig_init(&g);
		if (script_run_text(&g.r, path, text) != SCRIPT_OK) {
			rig_flush(&g);
			fail_msg("%s: %s", path, g.err);
		}
		if (strncmp(names[i], "search-", 7) == 0) {
			check_contains(path, g.fake.log, "fetch.search");
		} else {
			check_contains(path, g.fake.log, "fetch.start");
			check_contains(path, g.fake.log, "fetch.wait");
		}
		rig_fini(&g);
		free(text);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_script),
		cmocka_unit_test(test_show_commands_and_json),
		cmocka_unit_test(test_wait_loops),
		cmocka_unit_test(test_wait_failed_job),
		cmocka_unit_test(test_wait_thresholds),
		cmocka_unit_test(test_wait_timeout),
		cmocka_unit_test(test_stop_at_first_error),
		cmocka_unit_test(test_transport_ends_run),
		cmocka_unit_test(test_syntax_checked_first),
		cmocka_unit_test(test_check_all),
		cmocka_unit_test(test_run_line),
		cmocka_unit_test(test_job_before_fetch),
		cmocka_unit_test(test_failed_fetch_forgets_job),
		cmocka_unit_test(test_job_from_list),
		cmocka_unit_test(test_pick_job),
		cmocka_unit_test(test_interrupted_sleep),
		cmocka_unit_test(test_run_file),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_conf_scripts),
	};

	if (argc > 1)
		conf_dir = argv[1];

	return cmocka_run_group_tests(tests, NULL, NULL);
}
