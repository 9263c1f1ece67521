/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Script runner (see script.h).
 *
 * script_run_file -> script_run_text -> check_lines (dry run of every line)
 *   -> run_line -> substitute_job -> ctl_cmd_split -> run_words
 *     -> sleep | echo | do_wait (fetch.wait loop) | do_call -> ctl_fmt_result
 */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_cmd.h"
#include "ctl_fmt.h"
#include "ctl_out.h"
#include "prom.h"
#include "script.h"

#define ERR_MAX		512
#define DRY_JOB		"1"	/* stands for $job while checking */
/* Internal: failed and the run must end, keep_going or not. */
#define SCRIPT_ABORT	100

/* Where a command comes from, for messages. */
struct where {
	const char *name;
	unsigned int line;	/* 0: not from a script */
};

static void
report(struct script_runner *r, const struct where *w, const char *fmt, ...)
{
	va_list ap;

	if (w->line > 0)
		fprintf(r->err, "%s:%u: ", w->name, w->line);
	else
		fprintf(r->err, "%s: ", w->name);
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fprintf(r->err, "\n");
}

static int
default_sleep(void *ctx, double s)
{
	struct timespec ts;

	(void)ctx;
	if (s <= 0)
		return 0;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
script_runner_init(struct script_runner *r, script_call_t call, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->call = call;
	r->ctx = ctx;
	r->out = stdout;
	r->err = stderr;
	r->wait_step_s = 60;
}

/* Replace $job and ${job} with job.  Returns a malloc'd line, or NULL with
 * *missing set when there is no job to put there. */
static char *
substitute_job(const char *line, const char *job, int *missing)
{
	static const char *const pat[] = { "${job}", "$job" };
	size_t cap = strlen(line) + 1, len = 0, i, pl;
	const char *p = line;
	char *out, *n;

	*missing = 0;
	out = malloc(cap);
	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		for (i = 0; i < 2; i++) {
			pl = strlen(pat[i]);
			if (strncmp(p, pat[i], pl) != 0)
				continue;
			/* $jobs or $job_id are other names: leave them */
			if (i == 1 && (p[pl] == '_' ||
				       (p[pl] >= 'a' && p[pl] <= 'z') ||
				       (p[pl] >= 'A' && p[pl] <= 'Z') ||
				       (p[pl] >= '0' && p[pl] <= '9')))
				continue;
			break;
		}
		if (i == 2) {
			out[len++] = *p++;
			continue;
		}
		if (job[0] == '\0') {
			*missing = 1;
			free(out);
			return NULL;
		}
		cap += strlen(job);
		n = realloc(out, cap);
		if (n == NULL) {
			free(out);
			return NULL;
		}
		out = n;
		memcpy(out + len, job, strlen(job));
		len += strlen(job);
		p += pl;
	}
	out[len] = '\0';
	return out;
}

/* A job id as JSON: an integer when it reads as one. */
static json_t *
job_value(const char *job)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(job, &end, 10);
	if (errno == 0 && *job != '\0' && *end == '\0')
		return json_integer(v);
	return json_string(job);
}

static int
call_failed(struct script_runner *r, const struct where *w,
	    const char *method, int rc, const char *msg)
{
	report(r, w, "%s: %s", method, msg);
	return rc == SCRIPT_CALL_TRANSPORT ? SCRIPT_ERROR : SCRIPT_FAILED;
}

json_t *
script_pick_job(const json_t *list)
{
	json_t *j, *newest = NULL, *running = NULL;
	const char *st;
	size_t i;

	json_array_foreach(json_object_get(list, "jobs"), i, j) {
		if (json_object_get(j, "job") == NULL)
			continue;
		newest = j;
		st = json_string_value(json_object_get(j, "state"));
		if (st != NULL && strcmp(st, "running") == 0)
			running = j;
	}
	return json_object_get(running != NULL ? running : newest, "job");
}

/* status, stop and wait without a job: the last one we started, else the
 * one script_pick_job() finds. */
static int
fill_job(struct script_runner *r, const struct where *w, json_t *params)
{
	json_t *res = NULL, *job;
	char err[ERR_MAX];
	int rc;

	if (json_object_get(params, "job") != NULL)
		return SCRIPT_OK;
	if (r->last_job[0] != '\0')
		return json_object_set_new(params, "job",
					   job_value(r->last_job)) == 0 ?
			SCRIPT_OK : SCRIPT_ERROR;
	err[0] = '\0';
	rc = r->call(r->ctx, "fetch.list", NULL, &res, err, sizeof(err));
	if (rc != SCRIPT_CALL_OK)
		return call_failed(r, w, "fetch.list", rc, err);
	job = script_pick_job(res);
	if (job == NULL) {
		json_decref(res);
		report(r, w, "no job: start one with fetch, or name it");
		return SCRIPT_FAILED;
	}
	json_object_set(params, "job", job);
	json_decref(res);
	return SCRIPT_OK;
}

static void
print_result(struct script_runner *r, const char *method, const json_t *res)
{
	int format = r->format;

	if (format == CTL_FORMAT_TEXT && r->json)
		format = CTL_FORMAT_JSONL;
	ctl_out_result(r->out, format, method, res);
	fflush(r->out);
}

/*
 * stats in the Prometheus format: the page the metrics endpoint serves,
 * from the same two calls (stats.get per_lcore, fetch.list).
 */
static int
print_prometheus(struct script_runner *r, const struct where *w,
		 struct ctl_request *req)
{
	json_t *params = req->params != NULL ? json_deep_copy(req->params) :
		json_object();
	json_t *stats = NULL, *jobs = NULL;
	char err[ERR_MAX], *text;
	int rc;

	if (strcmp(req->method, "stats.get") != 0) {
		json_decref(params);
		report(r, w, "--format prometheus is for stats only");
		return SCRIPT_ERROR;
	}
	json_object_set_new(params, "per_lcore", json_true());
	err[0] = '\0';
	rc = r->call(r->ctx, "stats.get", params, &stats, err, sizeof(err));
	json_decref(params);
	if (rc != SCRIPT_CALL_OK)
		return call_failed(r, w, "stats.get", rc, err);
	params = json_pack("{s:b}", "buckets", 1);
	rc = r->call(r->ctx, "fetch.list", params, &jobs, err, sizeof(err));
	json_decref(params);
	if (rc != SCRIPT_CALL_OK) {
		json_decref(stats);
		return call_failed(r, w, "fetch.list", rc, err);
	}
	text = prom_text(stats, jobs, NULL);
	json_decref(stats);
	json_decref(jobs);
	if (text == NULL) {
		report(r, w, "out of memory");
		return SCRIPT_ERROR;
	}
	fputs(text, r->out);
	fflush(r->out);
	free(text);
	return SCRIPT_OK;
}

/*
 * fetch.wait until the job is no longer running: a server bounds how long
 * one call may block, and a script's wait means "until it ends".
 */
/* A finished job's thresholds: each failed one reported. */
static int
check_thresholds(struct script_runner *r, const struct where *w,
		 const char *id, const json_t *res)
{
	const json_t *t;
	int rc = SCRIPT_OK;
	size_t i;

	json_array_foreach(json_object_get(res, "thresholds"), i, t) {
		if (json_is_true(json_object_get(t, "ok")))
			continue;
		report(r, w, "job %s: threshold %s failed (value %g)", id,
		       json_string_value(json_object_get(t, "expr")),
		       json_number_value(json_object_get(t, "value")));
		rc = SCRIPT_THRESHOLDS;
	}
	return rc;
}

static int
do_wait(struct script_runner *r, const struct where *w, json_t *params)
{
	json_t *tv = json_object_get(params, "timeout_s");
	double total = json_is_number(tv) ? json_number_value(tv) : -1;
	double start = now_s(), t0, step, left;
	char err[ERR_MAX], id[SCRIPT_JOB_MAX];
	const char *state;
	json_t *res, *wp;
	int rc;

	for (;;) {
		step = r->wait_step_s > 0 ? r->wait_step_s : 60;
		if (total >= 0) {
			left = total - (now_s() - start);
			if (left < step)
				step = left > 0 ? left : 0;
		}
		wp = json_pack("{s:O, s:I}", "job",
			       json_object_get(params, "job"), "timeout_s",
			       (json_int_t)ceil(step));
		res = NULL;
		err[0] = '\0';
		t0 = now_s();
		if (wp == NULL) {
			report(r, w, "out of memory");
			return SCRIPT_ERROR;
		}
		if (json_object_get(params, "distribution") != NULL)
			json_object_set(wp, "distribution",
					json_object_get(params, "distribution"));
		rc = r->call(r->ctx, "fetch.wait", wp, &res, err, sizeof(err));
		json_decref(wp);
		if (rc != SCRIPT_CALL_OK)
			return call_failed(r, w, "fetch.wait", rc, err);
		state = json_string_value(json_object_get(res, "state"));
		if (state == NULL || strcmp(state, "running") != 0 ||
		    (total >= 0 && now_s() - start >= total)) {
			print_result(r, "fetch.wait", res);
			ctl_fmt_scalar(id, sizeof(id),
				       json_object_get(params, "job"));
			rc = SCRIPT_OK;
			if (state != NULL && strcmp(state, "failed") == 0) {
				report(r, w, "job %s failed", id);
				rc = SCRIPT_FAILED;
			} else if (state != NULL &&
				   strcmp(state, "running") == 0) {
				report(r, w, "job %s still running after "
				       "%g s", id, total);
				rc = SCRIPT_FAILED;
			} else {
				rc = check_thresholds(r, w, id, res);
			}
			json_decref(res);
			return rc;
		}
		json_decref(res);
		/* A server that answers at once must not be polled flat out. */
		if (now_s() - t0 < 0.5 && r->sleep_fn(r->ctx, 1.0) != 0) {
			report(r, w, "interrupted");
			return SCRIPT_ABORT;
		}
	}
}

static int
do_call(struct script_runner *r, const struct where *w,
	struct ctl_request *req)
{
	char err[ERR_MAX];
	json_t *res = NULL, *job;
	int rc;

	if (r->format == CTL_FORMAT_PROMETHEUS)
		return print_prometheus(r, w, req);
	err[0] = '\0';
	rc = r->call(r->ctx, req->method, req->params, &res, err,
		     sizeof(err));
	if (rc != SCRIPT_CALL_OK) {
		/* so that $job cannot name an older job by mistake */
		if (strcmp(req->method, "fetch.start") == 0)
			r->last_job[0] = '\0';
		return call_failed(r, w, req->method, rc, err);
	}
	if (res == NULL)
		res = json_null();
	if (strcmp(req->method, "fetch.start") == 0) {
		job = json_object_get(res, "job");
		if (job != NULL)
			ctl_fmt_scalar(r->last_job, sizeof(r->last_job), job);
	}
	print_result(r, req->method, res);
	rc = SCRIPT_OK;
	/* A search fails when no step passed, or a step could not run. */
	if (strcmp(req->method, "fetch.search") == 0 &&
	    json_is_object(res) &&
	    json_string_value(json_object_get(res, "error")) != NULL) {
		report(r, w, "search: %s",
		       json_string_value(json_object_get(res, "error")));
		rc = SCRIPT_FAILED;
	} else if (strcmp(req->method, "fetch.search") == 0 &&
		   !json_is_number(json_object_get(res, "answer"))) {
		report(r, w, "search: no step passed its SLO");
		rc = SCRIPT_FAILED;
	}
	json_decref(res);
	return rc;
}

static int
parse_seconds(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && isfinite(*v) &&
		*v >= 0 ? 0 : -1;
}

/* One command as words.  dry: check only, call nothing. */
static int
run_words(struct script_runner *r, const struct where *w, int argc,
	  char *const argv[], const char *text, int dry)
{
	struct ctl_request req;
	char err[ERR_MAX];
	double secs;
	FILE *out;
	int i, rc;

	if (argc == 0)
		return SCRIPT_OK;
	if (strcmp(argv[0], "sleep") == 0) {
		if (argc != 2 || parse_seconds(argv[1], &secs) != 0) {
			report(r, w, "sleep: expected one number of seconds");
			return SCRIPT_ERROR;
		}
		if (dry)
			return SCRIPT_OK;
		if (r->show_commands && !r->json)
			fprintf(r->out, "> %s\n", text);
		fflush(r->out);
		if (r->sleep_fn(r->ctx, secs) != 0) {
			report(r, w, "interrupted");
			return SCRIPT_ABORT;
		}
		return SCRIPT_OK;
	}
	if (strcmp(argv[0], "echo") == 0) {
		if (dry)
			return SCRIPT_OK;
		/* with json, stdout holds nothing but JSON texts */
		out = r->json ? r->err : r->out;
		for (i = 1; i < argc; i++)
			fprintf(out, "%s%s", argv[i], i + 1 < argc ? " " : "");
		fprintf(out, "\n");
		fflush(out);
		return SCRIPT_OK;
	}
	if (ctl_cmd_build(argc, argv, &req, err, sizeof(err)) != 0) {
		report(r, w, "%s", err);
		return SCRIPT_ERROR;
	}
	if (dry) {
		ctl_request_clear(&req);
		return SCRIPT_OK;
	}
	if (r->show_commands && !r->json) {
		fprintf(r->out, "> %s\n", text);
		fflush(r->out);
	}
	rc = SCRIPT_OK;
	if (strcmp(req.method, "fetch.status") == 0 ||
	    strcmp(req.method, "fetch.wait") == 0 ||
	    strcmp(req.method, "fetch.stop") == 0)
		rc = fill_job(r, w, req.params);
	if (rc == SCRIPT_OK) {
		if (strcmp(req.method, "fetch.wait") == 0 &&
		    strcmp(argv[0], "call") != 0)
			rc = do_wait(r, w, req.params);
		else
			rc = do_call(r, w, &req);
	}
	ctl_request_clear(&req);
	return rc;
}

static int
run_line(struct script_runner *r, const struct where *w, const char *line,
	 int dry)
{
	char err[ERR_MAX], **argv = NULL;
	char *text;
	int argc, rc, missing;

	text = substitute_job(line, dry ? DRY_JOB : r->last_job, &missing);
	if (text == NULL) {
		if (missing) {
			report(r, w, "$job: no job started yet");
			return SCRIPT_FAILED;
		}
		report(r, w, "out of memory");
		return SCRIPT_ERROR;
	}
	argc = ctl_cmd_split(text, &argv, err, sizeof(err));
	if (argc < 0) {
		report(r, w, "%s", err);
		free(text);
		return SCRIPT_ERROR;
	}
	rc = run_words(r, w, argc, argv, text, dry);
	ctl_cmd_free_argv(argv);
	free(text);
	return rc;
}

/* Calls line_fn for each line of text with its number; CR before LF is
 * dropped.  Stops at the first non-zero return, which it returns. */
static int
for_lines(const char *text, int (*fn)(void *, unsigned int, char *),
	  void *arg)
{
	const char *p = text, *nl;
	unsigned int no = 0;
	size_t len;
	char *line;
	int rc;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		no++;
		line = strndup(p, len);
		if (line == NULL)
			return SCRIPT_ERROR;
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		rc = fn(arg, no, line);
		free(line);
		if (rc != 0)
			return rc;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

struct run_arg {
	struct script_runner *r;
	const char *name;
	int dry;
	int failed;
	int thresholds_failed;
};

static int
line_cb(void *arg, unsigned int no, char *line)
{
	struct run_arg *a = arg;
	struct where w = { a->name, no };
	int rc;

	rc = run_line(a->r, &w, line, a->dry);
	if (rc == SCRIPT_OK)
		return 0;
	if (rc == SCRIPT_THRESHOLDS) {
		a->r->failures++;
		a->thresholds_failed = 1;
		return a->r->keep_going ? 0 : rc;
	}
	if ((rc == SCRIPT_FAILED || rc == SCRIPT_ABORT) && !a->dry) {
		a->r->failures++;
		a->failed = 1;
		if (rc == SCRIPT_ABORT)
			return SCRIPT_FAILED;
		if (a->r->keep_going)
			return 0;
	}
	return rc;
}

int
script_run_text(struct script_runner *r, const char *name, const char *text)
{
	struct run_arg a = { r, name, 1, 0, 0 };
	int rc;

	if (r->sleep_fn == NULL)
		r->sleep_fn = default_sleep;
	rc = for_lines(text, line_cb, &a);
	if (rc != 0)
		return rc;
	a.dry = 0;
	rc = for_lines(text, line_cb, &a);
	if (rc != 0)
		return rc;
	return a.failed ? SCRIPT_FAILED :
		a.thresholds_failed ? SCRIPT_THRESHOLDS : SCRIPT_OK;
}

int
script_check_text(const char *name, const char *text, char *err,
		  size_t errlen)
{
	struct script_runner r;
	struct run_arg a = { &r, name, 1, 0, 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	script_runner_init(&r, NULL, NULL);
	mem = open_memstream(&buf, &len);
	if (mem == NULL)
		return -1;
	r.err = mem;
	rc = for_lines(text, line_cb, &a);
	fclose(mem);
	if (rc != 0 && err != NULL && errlen > 0) {
		/* one message, without its newline */
		if (len > 0 && buf[len - 1] == '\n')
			buf[len - 1] = '\0';
		snprintf(err, errlen, "%s", buf != NULL ? buf : "");
	}
	free(buf);
	return rc != 0 ? -1 : 0;
}

int
script_run_file(struct script_runner *r, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f, *mem;
	char buf[4096];
	size_t n;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(r->err, "%s: %s\n", path, strerror(errno));
		return SCRIPT_ERROR;
	}
	mem = open_memstream(&text, &len);
	if (mem == NULL) {
		fclose(f);
		return SCRIPT_ERROR;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	rc = ferror(f);
	fclose(f);
	fclose(mem);
	if (rc) {
		fprintf(r->err, "%s: read error\n", path);
		free(text);
		return SCRIPT_ERROR;
	}
	if (memchr(text, '\0', len) != NULL) {
		fprintf(r->err, "%s: not a text file\n", path);
		free(text);
		return SCRIPT_ERROR;
	}
	rc = script_run_text(r, path, text);
	free(text);
	return rc;
}

int
script_run_argv(struct script_runner *r, int argc, char *const argv[])
{
	struct where w = { "dpfetchctl", 0 };
	char *text, *p;
	size_t len = 1;
	int i, rc;

	if (r->sleep_fn == NULL)
		r->sleep_fn = default_sleep;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	text = calloc(1, len);
	if (text == NULL)
		return SCRIPT_ERROR;
	for (i = 0, p = text; i < argc; i++)
		p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
	rc = run_words(r, &w, argc, argv, text, 0);
	free(text);
	if (rc == SCRIPT_ABORT)
		rc = SCRIPT_FAILED;
	if (rc == SCRIPT_FAILED || rc == SCRIPT_THRESHOLDS)
		r->failures++;
	return rc;
}

struct check_arg {
	struct script_runner *r;
	const char *name;
	int bad;
};

static int
check_cb(void *arg, unsigned int no, char *line)
{
	struct check_arg *a = arg;
	struct where w = { a->name, no };

	if (run_line(a->r, &w, line, 1) != SCRIPT_OK)
		a->bad++;
	return 0;	/* on to the next line: report them all */
}

int
script_check_all(const char *name, const char *text, FILE *err)
{
	struct script_runner r;
	struct check_arg a = { &r, name, 0 };

	script_runner_init(&r, NULL, NULL);
	r.err = err;
	if (for_lines(text, check_cb, &a) != 0)
		return -1;
	return a.bad;
}

int
script_run_line(struct script_runner *r, const char *name, const char *line)
{
	struct where w = { name, 0 };
	int rc;

	if (r->sleep_fn == NULL)
		r->sleep_fn = default_sleep;
	rc = run_line(r, &w, line, 0);
	if (rc == SCRIPT_ABORT)
		rc = SCRIPT_FAILED;
	if (rc == SCRIPT_FAILED || rc == SCRIPT_THRESHOLDS)
		r->failures++;
	return rc;
}
