/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request mixes: request templates with per-request variables, and the
 * weighted pick of an entry.
 *
 * A template is text with variables in it:
 *
 *   ${counter}        the request's number (unique within the job)
 *   ${rand:LO-HI}     a random integer in LO..HI (inclusive)
 *   ${choice:a|b|c}   one of the options, at random
 *   ${body_len}       the rendered body's length (Content-Length)
 *   $$                a literal '$'
 *
 * It is compiled once (job start) into literal pieces and variable
 * slots; rendering is a walk over the pieces into a caller's buffer, no
 * allocation.  The random values are a hash of (seed, counter, slot):
 * a request renders the same every time, so a request only partly
 * handed to TCP is rendered again to send its rest.
 *
 * No DPDK: unit-tested without EAL.
 */

#ifndef DPF_MIX_H
#define DPF_MIX_H

#include <stddef.h>
#include <stdint.h>

#define MIX_MAX_ENTRIES		64
#define MIX_MAX_VARS		32	/* variables per template */
#define MIX_MAX_PIECES		(2 * MIX_MAX_VARS + 1)
#define MIX_MAX_CHOICES		64
#define MIX_REQUEST_MAX		8192	/* a rendered request, head + body */
#define MIX_WEIGHT_MAX		1000000

enum mix_piece_kind {
	MIX_LIT,
	MIX_COUNTER,
	MIX_RAND,
	MIX_CHOICE,
	MIX_BODY_LEN,
};

struct mix_piece {
	uint8_t kind;		/* enum mix_piece_kind */
	uint8_t n_choices;
	uint16_t slot;		/* the variable's number in its template */
	uint32_t off, len;	/* LIT: text; CHOICE: "a|b|c" in text */
	uint64_t lo, hi;	/* RAND */
};

struct mix_tmpl {
	char *text;		/* owned copy of the source */
	unsigned int n_pieces;
	unsigned int n_vars;
	uint32_t max_len;	/* the longest rendering */
	struct mix_piece pieces[MIX_MAX_PIECES];
};

/* What a request's variables come from. */
struct mix_vars {
	uint64_t counter;
	uint64_t seed;
	uint64_t body_len;
};

/* Check src (len bytes) as a template: 0, or -1 with err saying what is
 * wrong (no name prefix: the caller adds the field's). */
int
mix_tmpl_check(const char *src, size_t len, char *err, size_t errlen);

/* Compile src into t: 0, or -1 with err.  base numbers t's variables
 * after those of another template of the same request. */
int
mix_tmpl_compile(struct mix_tmpl *t, const char *src, size_t len,
		 unsigned int base, char *err, size_t errlen);

void
mix_tmpl_free(struct mix_tmpl *t);

/* Render t into buf (cap bytes): the length, or -1 when it does not
 * fit. */
int64_t
mix_tmpl_render(const struct mix_tmpl *t, const struct mix_vars *v,
		char *buf, size_t cap);

/* One entry's request: head (with and without Connection: close) and
 * body templates. */
struct mix_request {
	struct mix_tmpl head;
	struct mix_tmpl head_close;
	struct mix_tmpl body;
	uint32_t max_len;	/* longest head + body */
};

/* 0, or -1 with err. */
int
mix_request_compile(struct mix_request *r, const char *head,
		    const char *head_close, const char *body,
		    size_t body_len, char *err, size_t errlen);

void
mix_request_free(struct mix_request *r);

/* Head then body into buf (cap >= 2 * r->max_len: the body is rendered
 * first into the upper half): the length, or 0 when it does not fit. */
uint32_t
mix_request_render(const struct mix_request *r, int close, uint64_t counter,
		   uint64_t seed, char *buf, size_t cap);

/* The weighted pick: cumulative weights. */
struct mix_pick {
	unsigned int n;
	uint64_t total;
	uint64_t cum[MIX_MAX_ENTRIES];
};

/* n weights, each 1..MIX_WEIGHT_MAX: 0, or -1. */
int
mix_pick_init(struct mix_pick *p, const uint32_t *weights, unsigned int n);

/* The entry r (a uniform 64-bit random number) picks. */
static inline unsigned int
mix_pick(const struct mix_pick *p, uint64_t r)
{
	uint64_t x = r % p->total;
	unsigned int lo = 0, hi = p->n - 1;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (x < p->cum[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* splitmix64's mixer: the variables' randomness. */
uint64_t
mix_hash(uint64_t x);

#endif /* DPF_MIX_H */
