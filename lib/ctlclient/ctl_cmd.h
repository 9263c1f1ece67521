/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control commands: "COMMAND [key=value ...]" as typed to dpfetchctl or
 * written in a script, mapped to a JSON-RPC method and its params.
 *
 * One table describes every command: its method, the keys it takes, their
 * JSON member names (friendly aliases such as duration -> duration_s), the
 * JSON type of each value and which keys are required.  Unknown commands and
 * keys are refused with a message that lists what is valid.  Pure C and
 * jansson; no DPDK.
 */

#ifndef DPF_CTL_CMD_H
#define DPF_CTL_CMD_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define CTL_METHOD_MAX	64

struct ctl_request {
	char method[CTL_METHOD_MAX];	/* e.g. "fetch.start" */
	json_t *params;			/* owned; NULL: send no params */
};

/*
 * Build the request for argv[0..argc) = COMMAND [ARG ...].  Each ARG is
 * key=value, or a bare word where the command takes one (stats SCOPE,
 * status/wait/stop JOB).  "call METHOD [JSON]" sends any method; the JSON
 * (argv[2..] joined by spaces) must be an object or an array.
 *
 * Returns 0 with req filled (release with ctl_request_clear()), or -1 with
 * a message in err.  req->params is left NULL on failure.
 */
int
ctl_cmd_build(int argc, char *const argv[], struct ctl_request *req,
	      char *err, size_t errlen);

/* Drop the params of a request built by ctl_cmd_build(). */
void
ctl_request_clear(struct ctl_request *req);

/*
 * Split a line into words like a POSIX shell does, without expansions:
 * blanks separate words, '...' is literal, "..." honours \" \\ and \$,
 * a backslash outside quotes escapes the next character, and # at the start
 * of a word begins a comment.  After "call METHOD" the rest of the line is
 * one word, verbatim, so that JSON params need no quoting.  Returns the
 * word count and a NULL-terminated array in *argv (free with
 * ctl_cmd_free_argv()), or -1 with a message in err (unterminated quote).
 */
int
ctl_cmd_split(const char *line, char ***argv, char *err, size_t errlen);

void
ctl_cmd_free_argv(char **argv);

/* The command closest to a mistyped one (dpfetchctl's own, such as
 * watch and report, included), or NULL: for "did you mean". */
const char *
ctl_cmd_suggest(const char *typed);

/* Is name a command of the table ("call" included)? */
int
ctl_cmd_exists(const char *name);

/* The method a command maps to, or NULL ("call" has none of its own). */
const char *
ctl_cmd_method(const char *name);

/*
 * One command's arguments, help and keys (fetch's with their ranges and
 * defaults, from the job parameter table).  -1 for an unknown command.
 */
int
ctl_cmd_help(FILE *f, const char *name);

/* Every command with its arguments and a line of help. */
void
ctl_cmd_usage(FILE *f);

/*
 * The command table, for completion (complete.h) and the files generated
 * from it (dpfetchctl --complete-table: bash completion, man page).
 */

/* The i-th command ("call" last), or NULL past the end. */
const char *
ctl_cmd_name_at(size_t i);

/* A command's line of help, or NULL for an unknown command. */
const char *
ctl_cmd_summary(const char *name);

/* The key a bare word stands for (stats SCOPE: "scope"), or NULL. */
const char *
ctl_cmd_bare_key(const char *name);

struct ctl_cmd_key_info {
	const char *name;		/* as typed, without '=' */
	const char *const *values;	/* known values, NULL-ended; or NULL */
	int repeatable;			/* may be given more than once */
	int required;
	int file;			/* the value is a file name */
};

/* The i-th key of a command.  Returns 0, or -1 past the last key and for
 * an unknown command or one without keys. */
int
ctl_cmd_key_at(const char *name, size_t i, struct ctl_cmd_key_info *info);

#endif /* DPF_CTL_CMD_H */
