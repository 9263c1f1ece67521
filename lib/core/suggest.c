/* SPDX-License-Identifier: BSD-3-Clause */
/* Typo suggestions by edit distance (see suggest.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "suggest.h"

#define SUGGEST_MAX_LEN	63

static unsigned int
min3(unsigned int a, unsigned int b, unsigned int c)
{
	unsigned int m = a < b ? a : b;

	return m < c ? m : c;
}

unsigned int
suggest_distance(const char *a, const char *b)
{
	/* Three rows of the dynamic programme: enough for the swap. */
	unsigned int rows[3][SUGGEST_MAX_LEN + 1];
	unsigned int *pp = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t la = strnlen(a, SUGGEST_MAX_LEN);
	size_t lb = strnlen(b, SUGGEST_MAX_LEN);
	size_t i, j;

	for (j = 0; j <= lb; j++)
		prev[j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (unsigned int)i;
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] == b[j - 1] ? 0 : 1;

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1,
				      prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < cur[j])
				cur[j] = pp[j - 2] + 1;
		}
		t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

static unsigned int
allowed_edits(size_t len)
{
	return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

const char *
suggest_pick_field(const char *typed, const void *base, size_t stride,
		   size_t offset, size_t n)
{
	const char *best = NULL, *prefix_of = NULL;
	unsigned int best_d = UINT32_MAX;
	size_t tlen = strlen(typed), i, n_prefix = 0;

	if (tlen == 0)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *name;
		unsigned int d;

		memcpy(&name, (const char *)base + i * stride + offset,
		       sizeof(name));
		if (name == NULL) {
			if (n == SIZE_MAX)
				break;
			continue;
		}
		if (strncmp(name, typed, tlen) == 0) {
			n_prefix++;
			prefix_of = name;
		}
		d = suggest_distance(typed, name);
		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	if (best_d == 0)
		return NULL;	/* not a typo */
	if (best != NULL && best_d <= allowed_edits(strlen(best)) && best_d < tlen)
		return best;
	return n_prefix == 1 ? prefix_of : NULL;
}

const char *
suggest_pick(const char *typed, const char *const *names, size_t n)
{
	return suggest_pick_field(typed, names, sizeof(*names), 0, n);
}

const char *
suggest_hint(char *buf, size_t len, const char *prefix, const char *pick)
{
	if (pick == NULL)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, " (did you mean '%s%s'?)", prefix, pick);
	return buf;
}
