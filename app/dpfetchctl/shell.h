/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpfetchctl shell: an interactive prompt ("dpfetch> ") with line editing,
 * history (~/.dpfetch_history) and tab completion (libedit), running the
 * commands of scripts one line at a time.
 */

#ifndef DPFETCHCTL_SHELL_H
#define DPFETCHCTL_SHELL_H

#include "client.h"

/* Lines kept in the history, in memory and in its file. */
#define SHELL_HISTORY_MAX	1000

/* (Re)connect c to dpfetch; prints why not and returns -1 on failure. */
typedef int (*shell_connect_t)(void *arg, struct ctl_client *c);

/*
 * Read commands from stdin until quit, exit or end of file.  c is
 * connected; after a lost connection the next command connects again
 * through connect.  With stdin a terminal: prompt, editing, history and
 * completion, and the status is 0.  Otherwise lines are read plainly and
 * the status is 1 when a command failed (as dpfetchctl -f --keep-going).
 */
int
shell_main(struct ctl_client *c, shell_connect_t connect, void *arg,
	   int json);

#endif /* DPFETCHCTL_SHELL_H */
