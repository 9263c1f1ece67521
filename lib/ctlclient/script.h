/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The script runner shared by dpfetchctl (-f SCRIPT, and its single
 * commands) and the appliance (dpfetch --script FILE, in-process).
 *
 * A script is one command per line, as for dpfetchctl (see ctl_cmd.h), plus:
 *
 *   # comment           blank lines and lines starting with # are skipped
 *   sleep N             pause N seconds (fractions allowed)
 *   echo TEXT           print TEXT (on the error stream with json set)
 *   wait [JOB] [timeout=S]
 *                       wait for a job (default: the last one started) to
 *                       end, calling fetch.wait again as long as it runs;
 *                       fails if the job ends "failed", or is still running
 *                       after timeout= seconds when one is given; with
 *                       SCRIPT_THRESHOLDS when it ended but failed one of
 *                       its thresholds
 *   $job                (anywhere in a line) the id of the last job that
 *                       fetch started
 *
 * search (fetch.search) fails when no step passed its SLO or a step could
 * not run (its result has no answer, or an error).
 *
 * status, stop and wait without a job act on the last job started by this
 * runner, or else on the newest running job of fetch.list (or the newest
 * job if none runs).
 *
 * The whole script is checked before anything runs, so a typo on line 9
 * does not surface after a 60 s fetch on line 8.  Each result is printed
 * through ctl_fmt (or as one line of compact JSON with json set).  The run
 * stops at the first command that fails (error reply, failed wait) with
 * "file:line: ..." on the error stream, unless keep_going is set.
 *
 * The runner reaches the appliance only through the call callback, which is
 * how dpfetchctl goes over its socket and dpfetch dispatches in-process.
 * Not thread-safe: one runner per thread.
 */

#ifndef DPF_SCRIPT_H
#define DPF_SCRIPT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Return values of a script_call_t. */
#define SCRIPT_CALL_OK		0
#define SCRIPT_CALL_ERROR	(-1)	/* error reply: err has its text */
#define SCRIPT_CALL_TRANSPORT	(-2)	/* no reply: err says why */

/*
 * Call method with params (borrowed, may be NULL: no params).  On
 * SCRIPT_CALL_OK *result is a new reference (the runner releases it);
 * otherwise err holds a message such as "no such job (code -32602)".
 */
typedef int (*script_call_t)(void *ctx, const char *method, json_t *params,
			     json_t **result, char *err, size_t errlen);

/* Outcome of a run; also dpfetchctl's exit status. */
#define SCRIPT_OK	0	/* every command succeeded */
#define SCRIPT_FAILED	1	/* error reply, failed job, interrupted */
#define SCRIPT_ERROR	2	/* unreadable, bad syntax, transport */
#define SCRIPT_THRESHOLDS 3	/* a waited-for job failed a threshold */

#define SCRIPT_JOB_MAX	64

struct script_runner {
	/* set by script_runner_init(), then adjustable by the caller */
	script_call_t call;
	void *ctx;
	FILE *out;		/* results (stdout) */
	FILE *err;		/* messages (stderr) */
	int json;		/* results as compact JSON, one per line */
	int format;		/* enum ctl_format (ctl_out.h); json set and
				 * format text: jsonl */
	int keep_going;		/* run on after a failed command */
	int show_commands;	/* "> command" before each result (scripts) */
	double wait_step_s;	/* timeout_s of each fetch.wait call (60) */
	/* Pause; returns 0, or -1 to abandon the script (e.g. on SIGTERM).
	 * NULL: nanosleep. */
	int (*sleep_fn)(void *ctx, double seconds);

	/* state */
	char last_job[SCRIPT_JOB_MAX];	/* "" until fetch starts a job */
	unsigned int failures;		/* commands that failed so far */
};

void
script_runner_init(struct script_runner *r, script_call_t call, void *ctx);

/* Run the script in path.  Returns SCRIPT_OK, SCRIPT_FAILED,
 * SCRIPT_ERROR, or SCRIPT_THRESHOLDS when the only failures were
 * thresholds. */
int
script_run_file(struct script_runner *r, const char *path);

/* Run a script held in memory; name is used in messages ("name:line"). */
int
script_run_text(struct script_runner *r, const char *name, const char *text);

/*
 * Run one command given as words (dpfetchctl COMMAND key=value ...), with
 * the script built-ins (sleep, echo, wait looping) available.
 */
int
script_run_argv(struct script_runner *r, int argc, char *const argv[]);

/*
 * The job that status, stop, wait and watch act on when none is named, from
 * a fetch.list result (jobs listed oldest first): the newest running job,
 * else the newest job.  Returns a borrowed reference, or NULL.
 */
json_t *
script_pick_job(const json_t *list);

/*
 * Check a script without running it: every line must be a known command
 * with valid keys.  Returns 0, or -1 with "name:line: ..." in err.
 */
int
script_check_text(const char *name, const char *text, char *err,
		  size_t errlen);

/*
 * Check every line of a script without running it (dpfetchctl -f SCRIPT
 * --check): each bad line is reported on err as "name:line: ...".
 * Returns the number of bad lines (0: the script is fine), or -1 when out
 * of memory.
 */
int
script_check_all(const char *name, const char *text, FILE *err);

/*
 * Run one line as a script line (dpfetchctl's shell): $job, comments, the
 * built-ins, the result printed; messages begin with "name: ".  Returns
 * as script_run_argv().
 */
int
script_run_line(struct script_runner *r, const char *name, const char *line);

#endif /* DPF_SCRIPT_H */
