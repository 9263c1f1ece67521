/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the differential parser targets compare: an FNV-1a hash over
 * everything a parser reported for one way of feeding a stream, and how
 * many messages it saw.
 */
#ifndef DPF_FUZZ_TRANSCRIPT_H
#define DPF_FUZZ_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Messages followed per stream; the input bounds it anyway. */
#define MAX_MSGS	64

struct transcript {
	uint64_t h;
	int msgs;
	int stopped;		/* error, or MAX_MSGS */
	/* How the parser runs: headers not in the hash (quiet), or no
	 * header callback at all (fast: the one-pass path). */
	int quiet;
	int fast;
};

static inline void
transcript_init(struct transcript *t)
{
	memset(t, 0, sizeof(*t));
	t->h = UINT64_C(0xcbf29ce484222325);
}

static inline void
mix(struct transcript *t, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		t->h ^= b[i];
		t->h *= UINT64_C(0x100000001b3);
	}
}

static inline void
mix_u64(struct transcript *t, uint64_t v)
{
	mix(t, &v, sizeof(v));
}

/* A header callback for either parser. */
static inline int
on_header(void *arg, const char *name, size_t name_len, const char *value,
	  size_t value_len)
{
	struct transcript *t = arg;

	if (t->quiet)
		return 0;
	mix_u64(t, 'H');
	mix_u64(t, name_len);
	mix(t, name, name_len);
	mix_u64(t, value_len);
	mix(t, value, value_len);
	return 0;
}

/* Body slices differ by split; their concatenation must not. */
static inline int
on_body(void *arg, const uint8_t *d, size_t len)
{
	mix(arg, d, len);
	return 0;
}

#endif /* DPF_FUZZ_TRANSCRIPT_H */
