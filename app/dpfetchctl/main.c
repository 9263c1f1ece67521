/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpfetchctl: the command-line client of dpfetch's control channel.
 *
 *   dpfetchctl [-s SOCKET | -t HOST:PORT [-a TOKEN]] [--prefix NAME] [--json]
 *              COMMAND [key=value ...]
 *   dpfetchctl [...] -f SCRIPT [--keep-going | --check]
 *   dpfetchctl [...] [shell]
 *   dpfetchctl [...] watch [JOB] [--once]
 *   dpfetchctl report RESULT.json [-o REPORT.html]
 *
 * Exit status: 0 success, 1 an error reply or a failed job or script,
 * 2 bad usage or no connection to dpfetch, 3 a job that wait waited for
 * failed one of its thresholds.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ctl_cmd.h"
#include "ctl_fmt.h"
#include "ctl_out.h"
#include "ctl_token.h"
#include "report.h"
#include "script.h"
#include "shell.h"
#include "suggest.h"

#ifndef DPF_VERSION
#define DPF_VERSION "unknown"
#endif

#define EXIT_USAGE	2

struct opts {
	const char *sock;
	const char *tcp;
	const char *auth;
	const char *auth_file;
	const char *prefix;
	const char *script;
	int json;
	int format;		/* enum ctl_format; --json: jsonl */
	int keep_going;
	int once;
	int check;		/* -f SCRIPT --check: validate only */
	int complete_table;	/* --complete-table (build-time generators) */
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: dpfetchctl [options] COMMAND [key=value ...] [options]\n"
"       dpfetchctl [options] -f SCRIPT [--keep-going]\n"
"       dpfetchctl [options] watch [JOB] [--once]\n"
"       dpfetchctl [options] [shell]\n"
"       dpfetchctl -f SCRIPT --check\n"
"       dpfetchctl report RESULT.json [-o REPORT.html]\n"
"\n"
"options:\n"
"  -s, --ctl PATH        control socket (default " CTL_SOCK_DIR "/PREFIX.sock)\n"
"  --prefix NAME         dpfetch's EAL --file-prefix (default rte)\n"
"  -t, --tcp HOST:PORT   connect over TCP instead\n"
"  -a, --auth TOKEN      token for TCP (or $DPFETCHCTL_AUTH)\n"
"  --auth-file FILE      read the token from FILE's first line (or\n"
"                        $DPFETCHCTL_AUTH_FILE); FILE must not be\n"
"                        readable by others\n"
"  --json                print replies as JSON, one per line (--format jsonl)\n"
"  --format F            text (default), json (pretty), jsonl, csv, or\n"
"                        prometheus (stats only: the --metrics page)\n"
"  -f, --file SCRIPT     run a script (see docs/dpfetchctl.md)\n"
"  --keep-going          do not stop the script at the first failure\n"
"  --check               with -f: check every line of SCRIPT, run nothing\n"
"                        (\"FILE:LINE: error\" lines; exit 2 on any)\n"
"  --once                watch: end when no job is running\n"
"  -h, --help            this text\n"
"  -V, --version         dpfetchctl's version\n"
"\n"
"commands:\n");
	ctl_cmd_usage(f);
	fprintf(f,
"  help         [COMMAND]\n"
"      a command's keys (help fetch: every job parameter)\n"
"  watch        [JOB] [--once]\n"
"      live view of a job, refreshed every second (Ctrl-C ends it)\n"
"  report       RESULT.json [-o FILE]\n"
"      the HTML report of a job's result (the JSON a load job or\n"
"      'dpfetchctl --json status' prints) to FILE (default or -:\n"
"      stdout); no connection needed\n"
"  shell\n"
"      interactive prompt: line editing, history (~/.dpfetch_history),\n"
"      TAB completion; the default with no command on a terminal\n"
"  sleep        SECONDS\n"
"  echo         TEXT\n"
"\n"
"exit status: 0 success, 1 error reply or failed job, 2 usage or no "
"connection,\n3 a waited-for job failed one of its thresholds\n");
}

static const struct option longopts[] = {
	{ "ctl", required_argument, NULL, 's' },
	{ "socket", required_argument, NULL, 's' },
	{ "tcp", required_argument, NULL, 't' },
	{ "auth", required_argument, NULL, 'a' },
	{ "auth-file", required_argument, NULL, 'A' },
	{ "prefix", required_argument, NULL, 'p' },
	{ "file", required_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "format", required_argument, NULL, 'F' },
	{ "keep-going", no_argument, NULL, 'k' },
	{ "once", no_argument, NULL, 'o' },
	{ "check", no_argument, NULL, 'C' },
	{ "complete-table", no_argument, NULL, 'T' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};
#define SHORT_OPTS	"+s:t:a:f:hV"

/* The long option named by arg ("--json", "--ctl=PATH"), or NULL. */
static const struct option *
long_opt_of(const char *arg)
{
	const struct option *lo;
	size_t n;

	if (strncmp(arg, "--", 2) != 0)
		return NULL;
	n = strcspn(arg + 2, "=");
	for (lo = longopts; lo->name != NULL; lo++)
		if (strlen(lo->name) == n && strncmp(lo->name, arg + 2, n) == 0)
			return lo;
	return NULL;
}

static const char *
long_opt_suggest(const char *arg)
{
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="),
		 arg + 2);
	return suggest_pick_field(name, longopts, sizeof(longopts[0]),
				  offsetof(struct option, name), SIZE_MAX);
}

/*
 * dpfetchctl's options may also follow the command ("stats --json"):
 * move them, with their values, in front of it, so that getopt reads
 * them and the command never sees them as a scope or a key.  A word
 * after the command that looks like a mistyped option is an error.
 * call's JSON and key=value words are left alone.  0, or -1.
 */
static int
hoist_opts(int argc, char **argv)
{
	char **moved = calloc((size_t)argc + 1, sizeof(*moved));
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int i, cmd = 0, nm = 0, nr = 0, rc = 0;

	if (moved == NULL || rest == NULL) {
		free(moved);
		free(rest);
		return 0;
	}
	/* the command: the first word that is not an option or its value */
	for (i = 1; i < argc && cmd == 0; i++) {
		const struct option *lo = long_opt_of(argv[i]);
		const char *so;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (lo != NULL) {
			if (lo->has_arg == required_argument &&
			    strchr(argv[i], '=') == NULL)
				i++;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			so = strchr(SHORT_OPTS, argv[i][1]);
			if (so != NULL && so[1] == ':' && argv[i][2] == '\0')
				i++;
		} else {
			cmd = i;
		}
	}
	if (cmd == 0 || strcmp(argv[cmd], "call") == 0)
		goto out;
	for (i = cmd + 1; i < argc; i++) {
		const struct option *lo = long_opt_of(argv[i]);

		if (lo != NULL) {
			moved[nm++] = argv[i];
			if (lo->has_arg == required_argument &&
			    strchr(argv[i], '=') == NULL && i + 1 < argc)
				moved[nm++] = argv[++i];
		} else if (strncmp(argv[i], "--", 2) == 0 &&
			   strchr(argv[i], '=') == NULL &&
			   long_opt_suggest(argv[i]) != NULL) {
			fprintf(stderr, "dpfetchctl: unknown option '%s' (did "
				"you mean '--%s'?)\n", argv[i],
				long_opt_suggest(argv[i]));
			rc = -1;
			goto out;
		} else {
			rest[nr++] = argv[i];
		}
	}
	/* argv: [0 .. cmd) moved cmd rest */
	memmove(&argv[cmd + nm + 1], rest, (size_t)nr * sizeof(*argv));
	argv[cmd + nm] = argv[cmd];
	memcpy(&argv[cmd], moved, (size_t)nm * sizeof(*argv));
out:
	free(moved);
	free(rest);
	return rc;
}

static int
set_format(struct opts *o, const char *name)
{
	int f = ctl_format_parse(name);

	if (f < 0) {
		fprintf(stderr, "dpfetchctl: --format %s: not one of text, "
			"json, jsonl, csv, prometheus\n", name);
		return -1;
	}
	o->format = f;
	o->json = f != CTL_FORMAT_TEXT;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	if (hoist_opts(argc, argv) != 0)
		return -1;

	memset(o, 0, sizeof(*o));
	o->auth = getenv("DPFETCHCTL_AUTH");
	o->auth_file = getenv("DPFETCHCTL_AUTH_FILE");
	opterr = 0;
	/* '+': options end at COMMAND, so that its words are never taken
	 * for options (a body= or a JSON text may start with '-'). */
	while ((c = getopt_long(argc, argv, SHORT_OPTS, longopts,
				NULL)) != -1) {
		switch (c) {
		case 's': o->sock = optarg; break;
		case 't': o->tcp = optarg; break;
		case 'a': o->auth = optarg; o->auth_file = NULL; break;
		case 'A': o->auth_file = optarg; break;
		case 'p': o->prefix = optarg; break;
		case 'f': o->script = optarg; break;
		case 'j': o->json = 1; o->format = CTL_FORMAT_JSONL; break;
		case 'F':
			if (set_format(o, optarg) != 0)
				return -1;
			break;
		case 'k': o->keep_going = 1; break;
		case 'o': o->once = 1; break;
		case 'C': o->check = 1; break;
		case 'T': o->complete_table = 1; break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("dpfetchctl %s\n", DPF_VERSION);
			exit(0);
		default:
			if (optopt != 0 && optopt < 128)
				fprintf(stderr, "dpfetchctl: bad or incomplete "
					"option -%c\n", optopt);
			else if (long_opt_of(argv[optind - 1]) == NULL &&
				 long_opt_suggest(argv[optind - 1]) != NULL)
				fprintf(stderr, "dpfetchctl: unknown option "
					"'%s' (did you mean '--%s'?)\n",
					argv[optind - 1],
					long_opt_suggest(argv[optind - 1]));
			else
				fprintf(stderr, "dpfetchctl: bad or incomplete "
					"option %s\n", argv[optind - 1]);
			return -1;
		}
	}
	if (o->auth_file != NULL) {
		static char token[CTL_TOKEN_MAX + 1];
		char err[512];

		if (ctl_token_read_file(o->auth_file, token, sizeof(token),
					err, sizeof(err)) != 0) {
			fprintf(stderr, "dpfetchctl: %s\n", err);
			return -1;
		}
		o->auth = token;
	}
	if (o->sock != NULL && o->tcp != NULL) {
		fprintf(stderr, "dpfetchctl: -s and -t exclude each other\n");
		return -1;
	}
	if (o->prefix != NULL && (o->sock != NULL || o->tcp != NULL)) {
		fprintf(stderr, "dpfetchctl: --prefix names the default "
			"socket; not with -s or -t\n");
		return -1;
	}
	if (o->prefix != NULL && (o->prefix[0] == '\0' ||
				  strchr(o->prefix, '/') != NULL)) {
		fprintf(stderr, "dpfetchctl: --prefix %s: not a file prefix\n",
			o->prefix);
		return -1;
	}
	return 0;
}

static int
connect_ctl(const struct opts *o, struct ctl_client *c)
{
	char path[256], err[512];

	if (o->tcp != NULL) {
		if (ctl_client_tcp(c, o->tcp, o->auth, err, sizeof(err)) == 0)
			return 0;
		fprintf(stderr, "dpfetchctl: %s\n(is dpfetch listening on TCP "
			"there? give its address with -t HOST:PORT)\n", err);
		return -1;
	}
	if (o->sock != NULL)
		snprintf(path, sizeof(path), "%s", o->sock);
	else
		snprintf(path, sizeof(path), CTL_SOCK_DIR "/%s.sock",
			 o->prefix != NULL ? o->prefix : "rte");
	if (ctl_client_unix(c, path, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "dpfetchctl: %s\n(is dpfetch running? give its "
		"socket with -s/--ctl PATH, or its EAL file prefix with "
		"--prefix NAME)\n", err);
	return -1;
}

static char *
read_file(const char *path)
{
	char *text = NULL, buf[4096];
	size_t len = 0, n;
	FILE *f, *mem;
	int bad;

	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "dpfetchctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	mem = open_memstream(&text, &len);
	if (mem == NULL) {
		fclose(f);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	bad = ferror(f);
	fclose(f);
	fclose(mem);
	if (bad || memchr(text, '\0', len) != NULL) {
		fprintf(stderr, "dpfetchctl: %s: cannot read it as text\n",
			path);
		free(text);
		return NULL;
	}
	return text;
}

/* report RESULT.json [-o FILE]: needs no connection. */
static int
report(int nargs, char **args)
{
	const char *in = NULL, *out = "-";
	char err[512], *text;
	json_t *result;
	int i, rc;

	for (i = 1; i < nargs; i++) {
		if (strcmp(args[i], "-o") == 0 && i + 1 < nargs)
			out = args[++i];
		else if (strncmp(args[i], "--output=", 9) == 0)
			out = args[i] + 9;
		else if (in == NULL && (args[i][0] != '-' ||
					strcmp(args[i], "-") == 0))
			in = args[i];
		else
			break;
	}
	if (in == NULL || i < nargs) {
		fprintf(stderr, "dpfetchctl: usage: report RESULT.json "
			"[-o FILE]\n");
		return EXIT_USAGE;
	}
	text = read_file(strcmp(in, "-") == 0 ? "/dev/stdin" : in);
	if (text == NULL)
		return 1;
	result = report_parse(text, err, sizeof(err));
	free(text);
	if (result == NULL) {
		fprintf(stderr, "dpfetchctl: report %s: %s\n", in, err);
		return 1;
	}
	rc = report_write_file(out, result, err, sizeof(err));
	json_decref(result);
	if (rc != 0) {
		fprintf(stderr, "dpfetchctl: report %s: %s\n", in, err);
		return 1;
	}
	return 0;
}

/* -f SCRIPT --check: every line checked, each bad one reported. */
static int
check_script(const char *path)
{
	char *text = read_file(path);
	int bad;

	if (text == NULL)
		return EXIT_USAGE;
	bad = script_check_all(path, text, stderr);
	free(text);
	if (bad != 0) {
		if (bad > 0)
			fprintf(stderr, "%s: %d bad line%s\n", path, bad,
				bad == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	printf("%s: ok\n", path);
	return 0;
}

/*
 * --complete-table: the command table as tab-separated lines, for the
 * files generated at build time (bash completion, man page):
 *   cmd NAME METHOD SUMMARY | key CMD NAME REPEATABLE VALUES
 *   | bare CMD KEY
 *   | builtin NAME SUMMARY (dpfetchctl's own commands)
 */
static void
complete_table(FILE *f)
{
	static const char *const own[] = {
		"help", "a command's keys, or every command",
		"watch", "live view of a job",
		"report", "the HTML report of a job's result",
		"shell", "interactive prompt",
		"sleep", "pause (scripts)",
		"echo", "print a line (scripts)",
		NULL
	};
	struct ctl_cmd_key_info k;
	const char *name, *bare;
	size_t i, j, v;

	for (i = 0; (name = ctl_cmd_name_at(i)) != NULL; i++) {
		fprintf(f, "cmd\t%s\t%s\t%s\n", name,
			ctl_cmd_method(name) != NULL ? ctl_cmd_method(name) :
			"-", ctl_cmd_summary(name));
		bare = ctl_cmd_bare_key(name);
		if (bare != NULL)
			fprintf(f, "bare\t%s\t%s\n", name, bare);
		for (j = 0; ctl_cmd_key_at(name, j, &k) == 0; j++) {
			fprintf(f, "key\t%s\t%s\t%d\t", name, k.name,
				k.repeatable);
			for (v = 0; k.values != NULL && k.values[v] != NULL;
			     v++)
				fprintf(f, "%s%s", v ? " " : "", k.values[v]);
			fputc('\n', f);
		}
	}
	for (i = 0; own[i] != NULL; i += 2)
		fprintf(f, "builtin\t%s\t%s\n", own[i], own[i + 1]);
}

static int
shell_connect(void *arg, struct ctl_client *c)
{
	return connect_ctl(arg, c);
}

/* watch --format csv: the series' newest second, once each. */
static void
watch_csv_row(const json_t *status)
{
	static json_int_t last_t;
	const json_t *series = json_object_get(status, "series");
	const json_t *row = json_array_get(series,
					   json_array_size(series) - 1);
	json_t *one;
	json_int_t t = json_integer_value(json_object_get(row, "t"));

	if (row == NULL || t == last_t)
		return;
	last_t = t;
	one = json_pack("{s:O, s:[O]}", "job", json_object_get(status, "job"),
			"series", row);
	ctl_csv_job_rows(stdout, one, 0);
	json_decref(one);
}

static int
watch(struct ctl_client *c, const struct opts *o, const char *job_arg)
{
	json_t *info, *jobs, *status, *params, *job;
	char err[512], *body;
	struct timespec ts = { 1, 0 };
	const char *state;
	size_t len;
	FILE *mem;
	int rc, running, csv_header = 0, frames = 0;

	for (;;) {
		info = jobs = status = NULL;
		/* the appliance line is a nicety: an error reply drops it */
		rc = ctl_client_call(c, "app.info", NULL, &info, err,
				     sizeof(err));
		if (rc == SCRIPT_CALL_ERROR)
			rc = SCRIPT_CALL_OK;
		if (rc == SCRIPT_CALL_OK)
			rc = ctl_client_call(c, "fetch.list", NULL, &jobs, err,
					     sizeof(err));
		if (rc != SCRIPT_CALL_OK)
			goto fail;
		job = NULL;
		if (job_arg != NULL) {
			char *end;
			long long v = strtoll(job_arg, &end, 10);

			job = *end == '\0' ? json_integer(v) :
				json_string(job_arg);
		} else if (script_pick_job(jobs) != NULL) {
			job = json_incref(script_pick_job(jobs));
		}
		running = 0;
		if (job != NULL) {
			params = json_pack("{s:o}", "job", job);
			rc = ctl_client_call(c, "fetch.status", params,
					     &status, err, sizeof(err));
			json_decref(params);
			if (rc != SCRIPT_CALL_OK)
				goto fail;
			state = json_string_value(json_object_get(status,
								  "state"));
			running = state != NULL &&
				strcmp(state, "running") == 0;
		}
		if (o->format == CTL_FORMAT_CSV) {
			/* a row per second: the newest of the series */
			if (!csv_header) {
				ctl_csv_job_header(stdout);
				csv_header = 1;
			}
			if (status != NULL)
				watch_csv_row(status);
		} else if (o->json) {
			ctl_out_result(stdout, o->format == CTL_FORMAT_JSON ?
				       CTL_FORMAT_JSON : CTL_FORMAT_JSONL,
				       "fetch.status",
				       status != NULL ? status : json_null());
		} else {
			/* one write per frame: the screen does not flicker */
			body = NULL;
			mem = open_memstream(&body, &len);
			if (mem == NULL)
				goto fail;
			/* into a file or a pipe: frames one after another */
			if (ctl_term_escapes(1))
				fputs("\033[H\033[2J", mem);
			else if (frames++ > 0)
				fputs("\n", mem);
			ctl_fmt_watch(mem, info, status, jobs);
			fclose(mem);
			fwrite(body, 1, len, stdout);
			free(body);
		}
		fflush(stdout);
		json_decref(info);
		json_decref(jobs);
		json_decref(status);
		if (o->once && !running)
			return 0;
		if (interrupted || nanosleep(&ts, NULL) != 0 || interrupted)
			return 0;
	}
fail:
	json_decref(info);
	json_decref(jobs);
	json_decref(status);
	if (interrupted)
		return 0;
	fprintf(stderr, "dpfetchctl: watch: %s\n", err);
	return rc == SCRIPT_CALL_TRANSPORT ? EXIT_USAGE : 1;
}

int
main(int argc, char **argv)
{
	struct script_runner r;
	struct ctl_request req;
	struct ctl_client c;
	struct sigaction sa;
	char err[512], *text = NULL;
	struct opts o;
	int rc, nargs;
	char **args;

	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "try dpfetchctl --help\n");
		return EXIT_USAGE;
	}
	args = argv + optind;
	nargs = argc - optind;
	/* text tables fit the terminal (80 columns into a file) */
	ctl_fmt_set_width(ctl_term_width(1));
	/* watch takes its --once after the command too */
	if (nargs > 0 && strcmp(args[0], "watch") == 0) {
		int i, j = 1;

		for (i = 1; i < nargs; i++) {
			if (strcmp(args[i], "--once") == 0)
				o.once = 1;
			else
				args[j++] = args[i];
		}
		nargs = j;
		if (nargs > 2) {
			fprintf(stderr, "dpfetchctl: usage: watch [JOB] "
				"[--once]\n");
			return EXIT_USAGE;
		}
	}
	if (o.script != NULL && nargs > 0) {
		fprintf(stderr, "dpfetchctl: -f SCRIPT takes no command\n");
		return EXIT_USAGE;
	}
	if (o.complete_table) {
		complete_table(stdout);
		return 0;
	}
	if (o.check && o.script == NULL) {
		fprintf(stderr, "dpfetchctl: --check checks a script: "
			"-f SCRIPT --check\n");
		return EXIT_USAGE;
	}
	if (o.check)
		return check_script(o.script);
	/* shell; and on a terminal, no command is the shell too */
	if (o.script == NULL &&
	    ((nargs == 1 && strcmp(args[0], "shell") == 0) ||
	     (nargs == 0 && isatty(STDIN_FILENO)))) {
		if (connect_ctl(&o, &c) != 0)
			return EXIT_USAGE;
		return shell_main(&c, shell_connect, &o, o.json);
	}
	if (o.script == NULL && nargs == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* help [COMMAND] needs no connection. */
	if (o.script == NULL && strcmp(args[0], "help") == 0) {
		if (nargs == 1) {
			usage(stdout);
			return 0;
		}
		if (nargs == 2 && strcmp(args[1], "report") == 0) {
			printf("report RESULT.json [-o FILE]\n"
			       "  one self-contained HTML page (charts, tables, "
			       "the job's parameters) from\n  a job's result; "
			       "see docs/dpfetchctl.md\n");
			return 0;
		}
		if (nargs > 2 || ctl_cmd_help(stdout, args[1]) != 0) {
			if (nargs == 2 && ctl_cmd_suggest(args[1]) != NULL)
				fprintf(stderr, "dpfetchctl: help: unknown "
					"command '%s' (did you mean '%s'?)\n",
					args[1], ctl_cmd_suggest(args[1]));
			fprintf(stderr, "dpfetchctl: usage: help [COMMAND]\n");
			return EXIT_USAGE;
		}
		return 0;
	}
	if (o.script == NULL && strcmp(args[0], "report") == 0)
		return report(nargs, args);
	/* Check what we were asked before reaching for the socket. */
	if (o.script != NULL) {
		text = read_file(o.script);
		if (text == NULL)
			return EXIT_USAGE;
		if (script_check_text(o.script, text, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			free(text);
			return EXIT_USAGE;
		}
	} else if (strcmp(args[0], "watch") != 0 &&
		   strcmp(args[0], "sleep") != 0 &&
		   strcmp(args[0], "echo") != 0) {
		if (ctl_cmd_build(nargs, args, &req, err, sizeof(err)) != 0) {
			fprintf(stderr, "dpfetchctl: %s\n", err);
			return EXIT_USAGE;
		}
		ctl_request_clear(&req);
	}
	if (connect_ctl(&o, &c) != 0) {
		free(text);
		return EXIT_USAGE;
	}
	if (o.script == NULL && strcmp(args[0], "watch") == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		rc = watch(&c, &o, nargs > 1 ? args[1] : NULL);
		ctl_client_close(&c);
		return rc;
	}
	script_runner_init(&r, ctl_client_call, &c);
	r.json = o.json;
	r.format = o.format;
	r.keep_going = o.keep_going;
	if (o.script != NULL) {
		r.show_commands = 1;
		rc = script_run_text(&r, o.script, text);
		free(text);
	} else {
		rc = script_run_argv(&r, nargs, args);
	}
	ctl_client_close(&c);
	return rc;
}
