/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel's TCP token: its rules and reading it from a file
 * (--ctl-token-file, dpfetchctl --auth-file), so that it is not on a
 * command line that ps shows.  Pure C: used by dpfetch and dpfetchctl.
 */

#ifndef DPF_CTL_TOKEN_H
#define DPF_CTL_TOKEN_H

#include <stddef.h>

#define CTL_TOKEN_MIN		16	/* characters */
#define CTL_TOKEN_MAX		256

/*
 * Is token acceptable (CTL_TOKEN_MIN..CTL_TOKEN_MAX printable ASCII
 * characters, no white space)?  0, or -1 with err saying why.
 */
int
ctl_token_check(const char *token, char *err, size_t errlen);

/*
 * Read the token from the first line of path (a trailing "\r\n" or
 * white space is dropped) into buf.  The file must be a regular file
 * that others cannot read or write (mode & 0006 == 0): anything else is
 * refused, since a token everybody can read protects nothing.  0, or -1
 * with err naming the problem.  The token is checked with
 * ctl_token_check().
 */
int
ctl_token_read_file(const char *path, char *buf, size_t size, char *err,
		    size_t errlen);

/*
 * 1 when given equals secret.  The time depends only on the secret's
 * length, so a guess learns nothing from how long the answer takes.
 */
int
ctl_token_equal(const char *given, size_t given_len, const char *secret);

#endif /* DPF_CTL_TOKEN_H */
