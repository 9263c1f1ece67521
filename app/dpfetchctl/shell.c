/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpfetchctl shell (see shell.h).
 *
 * shell_main -> next_line (el_gets, or getline off a terminal)
 *   -> quit | exit | help | script_run_line -> shell_call -> ctl_client_call
 * TAB -> complete_cb -> completion_line (lib/ctlclient/complete.c)
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <histedit.h>

#include "complete.h"
#include "ctl_cmd.h"
#include "script.h"
#include "shell.h"

#ifndef DPF_VERSION
#define DPF_VERSION "unknown"
#endif

#define PROMPT		"dpfetch> "
#define HISTORY_FILE	".dpfetch_history"
#define LIST_COLUMNS	80

/* The shell's own commands, beside the table's; sleep and echo are the
 * script runner's. */
static const char *const builtins[] = {
	"help", "quit", "exit", "sleep", "echo", NULL
};

static const char *const builtin_help[] = {
	"help [COMMAND]", "every command, or one command's keys",
	"quit", "leave the shell (also exit, or Ctrl-D)",
	"exit", "leave the shell",
	"sleep SECONDS", "pause",
	"echo TEXT", "print TEXT",
	NULL
};

struct shell {
	struct ctl_client *client;
	int connected;
	shell_connect_t connect;
	void *arg;
	EditLine *el;
	History *hist;
	char history_path[512];	/* "" without a home */
};

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The runner's call: connect again after a lost connection, and drop one
 * that failed (a reply may still be on its way there). */
static int
shell_call(void *ctx, const char *method, json_t *params, json_t **result,
	   char *err, size_t errlen)
{
	struct shell *s = ctx;
	int rc;

	*result = NULL;
	if (interrupted) {
		snprintf(err, errlen, "interrupted");
		return SCRIPT_CALL_ERROR;
	}
	if (!s->connected) {
		if (s->connect(s->arg, s->client) != 0) {
			snprintf(err, errlen, "not connected");
			return SCRIPT_CALL_TRANSPORT;
		}
		s->connected = 1;
	}
	rc = ctl_client_call(s->client, method, params, result, err, errlen);
	if (rc == SCRIPT_CALL_TRANSPORT) {
		ctl_client_close(s->client);
		s->connected = 0;
	}
	return rc;
}

/* sleep, and the pauses of wait: Ctrl-C ends them. */
static int
shell_sleep(void *ctx, double seconds)
{
	struct timespec ts;

	(void)ctx;
	if (seconds <= 0)
		return interrupted ? -1 : 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		if (errno != EINTR || interrupted)
			return -1;
	return interrupted ? -1 : 0;
}

/* help [COMMAND]; -1 for an unknown command. */
static int
help(FILE *f, const char *name)
{
	size_t i;

	if (name == NULL) {
		fprintf(f, "commands (TAB completes commands, keys and "
			"values):\n");
		ctl_cmd_usage(f);
		for (i = 0; builtin_help[i] != NULL; i += 2)
			fprintf(f, "  %s\n      %s\n", builtin_help[i],
				builtin_help[i + 1]);
		fprintf(f, "$job stands for the last job fetch started.\n");
		return 0;
	}
	if (ctl_cmd_help(f, name) == 0)
		return 0;
	for (i = 0; builtin_help[i] != NULL; i += 2) {
		size_t n = strcspn(builtin_help[i], " ");

		if (strlen(name) == n &&
		    strncmp(builtin_help[i], name, n) == 0) {
			fprintf(f, "  %s\n      %s\n", builtin_help[i],
				builtin_help[i + 1]);
			return 0;
		}
	}
	fprintf(stderr, "help: no command '%s' (help lists them)\n", name);
	return -1;
}

static char *
prompt(EditLine *el)
{
	(void)el;
	return (char *)PROMPT;
}

/* Candidates in columns, below the line being edited. */
static void
list_words(FILE *f, const struct completion *c)
{
	size_t i, w = 0, per_line, col = 0;

	for (i = 0; i < c->n; i++)
		if (strlen(c->words[i]) > w)
			w = strlen(c->words[i]);
	w += 2;
	per_line = w < LIST_COLUMNS ? LIST_COLUMNS / w : 1;
	fputc('\n', f);
	for (i = 0; i < c->n; i++) {
		fprintf(f, "%-*s", (int)w, c->words[i]);
		if (++col == per_line || i + 1 == c->n) {
			fputc('\n', f);
			col = 0;
		}
	}
	fflush(f);
}

/*
 * TAB: insert what every candidate shares; a single one is completed
 * (with a blank after it unless it ends in '=', a key waiting for its
 * value); when nothing more can be inserted, list the candidates.
 */
static unsigned char
complete_cb(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	size_t typed, common;
	struct completion c;
	unsigned char rc = CC_REFRESH;
	char *line, *add;

	(void)ch;
	line = strndup(li->buffer, li->cursor - li->buffer);
	if (line == NULL)
		return CC_ERROR;
	if (completion_line(&c, line, builtins) <= 0) {
		free(line);
		completion_free(&c);
		return CC_REFRESH_BEEP;
	}
	typed = strlen(line) - c.start;
	common = completion_common_len(&c);
	if (common > typed) {
		add = strndup(c.words[0] + typed, common - typed);
		if (add != NULL)
			el_insertstr(el, add);
		free(add);
	}
	if (c.n == 1) {
		/* not after KEY= nor a directory (mix=DIR/): more follows */
		if (common > 0 && c.words[0][common - 1] != '=' &&
		    c.words[0][common - 1] != '/')
			el_insertstr(el, " ");
	} else if (common <= typed) {
		list_words(stdout, &c);
		rc = CC_REDISPLAY;
	}
	completion_free(&c);
	free(line);
	return rc;
}

static void
history_open(struct shell *s)
{
	const char *home = getenv("HOME");
	HistEvent ev;

	s->hist = history_init();
	if (s->hist == NULL)
		return;
	history(s->hist, &ev, H_SETSIZE, SHELL_HISTORY_MAX);
	history(s->hist, &ev, H_SETUNIQUE, 1);
	if (home != NULL && home[0] != '\0' &&
	    (size_t)snprintf(s->history_path, sizeof(s->history_path),
			     "%s/%s", home, HISTORY_FILE) <
	    sizeof(s->history_path))
		history(s->hist, &ev, H_LOAD, s->history_path);
	else
		s->history_path[0] = '\0';
}

/* Saved after each line: a killed shell keeps its history.  The file is
 * the user's own (0600): commands may carry tokens or addresses. */
static void
history_add(struct shell *s, const char *line)
{
	size_t len = strlen(line);
	HistEvent ev;
	char *entry;
	int fd;

	if (s->hist == NULL)
		return;
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	entry = strndup(line, len);
	if (entry == NULL)
		return;
	history(s->hist, &ev, H_ENTER, entry);
	free(entry);
	if (s->history_path[0] == '\0')
		return;
	fd = open(s->history_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	history(s->hist, &ev, H_SAVE, s->history_path);
}

static int
editor_open(struct shell *s)
{
	s->el = el_init("dpfetchctl", stdin, stdout, stderr);
	if (s->el == NULL)
		return -1;
	el_set(s->el, EL_PROMPT, prompt);
	el_set(s->el, EL_EDITOR, "emacs");
	el_set(s->el, EL_SIGNAL, 1);
	history_open(s);
	if (s->hist != NULL)
		el_set(s->el, EL_HIST, history, s->hist);
	/* the wide call: el_set() copies the name and help and never frees
	 * them (a leak in libedit); el_wset() keeps these static ones */
	el_wset(s->el, EL_ADDFN, L"dpf-complete",
		L"complete a command, key or value", complete_cb);
	el_set(s->el, EL_BIND, "^I", "dpf-complete", NULL);
	el_source(s->el, NULL);	/* ~/.editrc */
	return 0;
}

/* The next line without its newline (malloc'd), or NULL at the end. */
static char *
next_line(struct shell *s)
{
	const char *l;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int count;

	if (s->el == NULL) {
		n = getline(&line, &cap, stdin);
		if (n < 0) {
			free(line);
			return NULL;
		}
		line[strcspn(line, "\r\n")] = '\0';
		return line;
	}
	for (;;) {
		interrupted = 0;
		l = el_gets(s->el, &count);
		if (l != NULL && count > 0) {
			line = strdup(l);
			if (line != NULL)
				line[strcspn(line, "\r\n")] = '\0';
			return line;
		}
		/* Ctrl-C at the prompt drops the line, as in a shell */
		if (interrupted) {
			el_reset(s->el);
			fputc('\n', stdout);
			continue;
		}
		fputc('\n', stdout);	/* Ctrl-D: the prompt's line ends */
		return NULL;
	}
}

/* Is the line "WORD" or "WORD ..." for word? */
static int
first_word(char **argv, int argc, const char *word)
{
	return argc > 0 && strcmp(argv[0], word) == 0;
}

int
shell_main(struct ctl_client *c, shell_connect_t connect, void *arg,
	   int json)
{
	struct shell s = { c, 1, connect, arg, NULL, NULL, "" };
	struct script_runner r;
	struct sigaction sa;
	char **argv, err[256], *line;
	int argc, rc, failed = 0, interactive;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;	/* no SA_RESTART: Ctrl-C ends a read */
	sigaction(SIGINT, &sa, NULL);
	if (isatty(STDIN_FILENO) && editor_open(&s) != 0)
		fprintf(stderr, "dpfetchctl: no line editing here\n");
	if (s.el != NULL)
		printf("dpfetchctl %s on %s; help lists the commands, TAB "
		       "completes, quit or Ctrl-D leaves\n", DPF_VERSION,
		       c->peer);
	script_runner_init(&r, shell_call, &s);
	r.json = json;
	r.sleep_fn = shell_sleep;
	while ((line = next_line(&s)) != NULL) {
		argc = ctl_cmd_split(line, &argv, err, sizeof(err));
		if (argc > 0 && s.el != NULL)
			history_add(&s, line);
		if (argc < 0) {
			fprintf(stderr, "dpfetchctl: %s\n", err);
			failed = 1;
		} else if (first_word(argv, argc, "quit") ||
			   first_word(argv, argc, "exit")) {
			ctl_cmd_free_argv(argv);
			free(line);
			break;
		} else if (first_word(argv, argc, "help")) {
			if (help(stdout, argc > 1 ? argv[1] : NULL) != 0)
				failed = 1;
		} else if (argc > 0) {
			interrupted = 0;
			rc = script_run_line(&r, "dpfetchctl", line);
			if (rc != SCRIPT_OK)
				failed = 1;
		}
		if (argc >= 0)
			ctl_cmd_free_argv(argv);
		free(line);
		fflush(stdout);
	}
	interactive = s.el != NULL;
	if (s.el != NULL)
		el_end(s.el);
	if (s.hist != NULL)
		history_end(s.hist);
	if (s.connected)
		ctl_client_close(c);
	return !interactive && failed ? 1 : 0;
}
