/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tab completion of a control command line from the command table
 * (ctl_cmd.h): command names, key names ("scope="), known values
 * ("scope=port", a bare "port" for stats), command names after "help"
 * and methods after "call".  Pure: dpfetchctl's shell draws the result.
 */

#ifndef DPF_COMPLETE_H
#define DPF_COMPLETE_H

#include <stddef.h>

struct completion {
	size_t start;	/* offset in the line of the word being completed */
	size_t n;	/* candidates */
	char **words;	/* sorted, unique; a word ending in '=' wants its
			 * value next (no blank after it) */
};

/*
 * The candidates for the last word of line (the text before the cursor):
 * the whole words that may stand in its place, each beginning with what
 * was typed.  extra: more command names (the shell's own: help, quit...),
 * NULL-ended, or NULL.  Returns the number of candidates, or -1 when out
 * of memory; c is to be released with completion_free() either way.
 */
int
completion_line(struct completion *c, const char *line,
		const char *const *extra);

/* The length of the prefix every candidate shares (0 when none). */
size_t
completion_common_len(const struct completion *c);

void
completion_free(struct completion *c);

#endif /* DPF_COMPLETE_H */
