/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "Did you mean ...?": the closest of a list of names to what the user
 * typed, by edit distance (Damerau-Levenshtein, adjacent swaps counting
 * one), for options, commands and keys.  Pure C, no DPDK.
 */

#ifndef DPF_SUGGEST_H
#define DPF_SUGGEST_H

#include <stddef.h>

/* Edits (insert, delete, substitute, swap two neighbours) from a to b;
 * names longer than 63 characters are compared on their first 63. */
unsigned int
suggest_distance(const char *a, const char *b);

/*
 * The closest of names[0..n) to typed (NULL entries are skipped), if it
 * is close enough to be a typo: at most 1 edit for names up to 4
 * characters, 2 up to 8, else 3; or typed is a prefix of exactly one
 * name.  NULL when none is.
 */
const char *
suggest_pick(const char *typed, const char *const *names, size_t n);

/*
 * The same over an array of structs: names at base + i * stride +
 * offset hold a const char * each, n of them (NULL-terminated tables:
 * n = SIZE_MAX stops at the first NULL name).
 */
const char *
suggest_pick_field(const char *typed, const void *base, size_t stride,
		   size_t offset, size_t n);

/* " (did you mean 'NAME'?)" into buf with the quoting prefix (e.g.
 * "--"), or "" when there is nothing to suggest; returns buf. */
const char *
suggest_hint(char *buf, size_t len, const char *prefix, const char *pick);

#endif /* DPF_SUGGEST_H */
