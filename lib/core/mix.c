/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request templates and the weighted pick (see mix.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "mix.h"

#define MIX_NUM_MAX	20	/* digits of a uint64_t */

uint64_t
mix_hash(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int
tmpl_err(char *err, size_t errlen, const char *fmt, const char *a, size_t n)
{
	char what[64];

	snprintf(what, sizeof(what), "%.*s", (int)(n > 40 ? 40 : n), a);
	errbuf_set(err, errlen, fmt, what);
	return -1;
}

/* "LO-HI" into lo, hi. */
static int
parse_range(const char *s, size_t n, uint64_t *lo, uint64_t *hi)
{
	char buf[48], tail;
	unsigned long long a, b;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '-' || strchr(buf, ' ') != NULL ||
	    sscanf(buf, "%llu-%llu%c", &a, &b, &tail) != 2 || a > b)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

/* The variable in s (n bytes, between "${" and "}") into pc. */
static int
parse_var(struct mix_piece *pc, const char *s, size_t n, uint32_t off,
	  char *err, size_t errlen)
{
	if (n == 7 && memcmp(s, "counter", 7) == 0) {
		pc->kind = MIX_COUNTER;
		return 0;
	}
	if (n == 8 && memcmp(s, "body_len", 8) == 0) {
		pc->kind = MIX_BODY_LEN;
		return 0;
	}
	if (n > 5 && memcmp(s, "rand:", 5) == 0) {
		pc->kind = MIX_RAND;
		if (parse_range(s + 5, n - 5, &pc->lo, &pc->hi) != 0)
			return tmpl_err(err, errlen,
					"${%s}: expected ${rand:LO-HI} with LO <= HI",
					s, n);
		return 0;
	}
	if (n > 7 && memcmp(s, "choice:", 7) == 0) {
		size_t i, k = 1;

		pc->kind = MIX_CHOICE;
		pc->off = off + 7;
		pc->len = (uint32_t)(n - 7);
		for (i = 7; i < n; i++)
			k += s[i] == '|';
		if (k > MIX_MAX_CHOICES)
			return tmpl_err(err, errlen,
					"${%s}: more than 64 choices", s, n);
		pc->n_choices = (uint8_t)k;
		return 0;
	}
	return tmpl_err(err, errlen,
			"unknown variable ${%s} (counter, rand:LO-HI, choice:a|b, body_len)",
			s, n);
}

static uint32_t
choice_max(const char *s, uint32_t n)
{
	uint32_t best = 0, cur = 0, i;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '|') {
			if (cur > best)
				best = cur;
			cur = 0;
		} else {
			cur++;
		}
	}
	return best;
}

int
mix_tmpl_compile(struct mix_tmpl *t, const char *src, size_t len,
		 unsigned int base, char *err, size_t errlen)
{
	size_t i = 0, lit = 0;
	uint64_t max = 0;

	memset(t, 0, sizeof(*t));
	t->text = malloc(len + 1);
	if (t->text == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	memcpy(t->text, src, len);
	t->text[len] = '\0';
	src = t->text;
#define PIECE_ROOM() do { \
		if (t->n_pieces + 2 > MIX_MAX_PIECES) { \
			errbuf_set(err, errlen, "more than %d variables", \
				   MIX_MAX_VARS); \
			goto fail; \
		} \
	} while (0)
	/* Literal text [lit, end) as a piece (a "$$" ends one early). */
#define FLUSH(end) do { \
		if ((end) > lit) { \
			struct mix_piece *l = &t->pieces[t->n_pieces++]; \
			l->kind = MIX_LIT; \
			l->off = (uint32_t)lit; \
			l->len = (uint32_t)((end) - lit); \
			max += l->len; \
		} \
	} while (0)
	while (i < len) {
		const char *close;
		struct mix_piece *pc;

		if (src[i] != '$') {
			i++;
			continue;
		}
		if (i + 1 < len && src[i + 1] == '$') {
			PIECE_ROOM();
			FLUSH(i + 1);	/* keeps one '$' */
			i += 2;
			lit = i;
			continue;
		}
		if (i + 1 >= len || src[i + 1] != '{') {
			i++;
			continue;	/* a lone '$' is itself */
		}
		close = memchr(src + i + 2, '}', len - i - 2);
		if (close == NULL) {
			errbuf_set(err, errlen, "'${' at byte %zu without '}'",
				   i);
			goto fail;
		}
		PIECE_ROOM();
		FLUSH(i);
		if (t->n_vars == MIX_MAX_VARS) {
			errbuf_set(err, errlen, "more than %d variables",
				   MIX_MAX_VARS);
			goto fail;
		}
		pc = &t->pieces[t->n_pieces++];
		pc->slot = (uint16_t)(base + t->n_vars++);
		if (parse_var(pc, src + i + 2, (size_t)(close - src) - i - 2,
			      (uint32_t)(i + 2), err, errlen) != 0)
			goto fail;
		max += pc->kind == MIX_CHOICE ?
			choice_max(src + pc->off, pc->len) : MIX_NUM_MAX;
		i = (size_t)(close - src) + 1;
		lit = i;
	}
	if (t->n_pieces + 1 > MIX_MAX_PIECES) {
		errbuf_set(err, errlen, "more than %d variables", MIX_MAX_VARS);
		goto fail;
	}
	FLUSH(len);
#undef FLUSH
#undef PIECE_ROOM
	t->max_len = max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;
	return 0;
fail:
	mix_tmpl_free(t);
	return -1;
}

int
mix_tmpl_check(const char *src, size_t len, char *err, size_t errlen)
{
	struct mix_tmpl *t = malloc(sizeof(*t));
	int rc;

	if (t == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	rc = mix_tmpl_compile(t, src, len, 0, err, errlen);
	if (rc == 0)
		mix_tmpl_free(t);
	free(t);
	return rc;
}

void
mix_tmpl_free(struct mix_tmpl *t)
{
	free(t->text);
	t->text = NULL;
	t->n_pieces = 0;
}

static size_t
put_u64(char *buf, uint64_t v)
{
	char tmp[MIX_NUM_MAX];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

int64_t
mix_tmpl_render(const struct mix_tmpl *t, const struct mix_vars *v,
		char *buf, size_t cap)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < t->n_pieces; i++) {
		const struct mix_piece *pc = &t->pieces[i];
		uint64_t r = 0;
		const char *c;
		uint32_t k, left;
		size_t len;

		if (pc->kind == MIX_RAND || pc->kind == MIX_CHOICE)
			r = mix_hash(v->seed ^ mix_hash(v->counter * 64 +
							pc->slot));
		switch (pc->kind) {
		case MIX_LIT:
			if (cap - n < pc->len)
				return -1;
			memcpy(buf + n, t->text + pc->off, pc->len);
			n += pc->len;
			continue;
		case MIX_CHOICE:
			/* The k-th of "a|b|c". */
			c = t->text + pc->off;
			left = pc->len;
			for (k = (uint32_t)(r % pc->n_choices); k > 0; k--) {
				const char *bar = memchr(c, '|', left);

				left -= (uint32_t)(bar + 1 - c);
				c = bar + 1;
			}
			len = strcspn(c, "|}");
			if (len > left)
				len = left;
			if (cap - n < len)
				return -1;
			memcpy(buf + n, c, len);
			n += len;
			continue;
		default:
			break;
		}
		if (cap - n < MIX_NUM_MAX)
			return -1;
		if (pc->kind == MIX_COUNTER)
			n += put_u64(buf + n, v->counter);
		else if (pc->kind == MIX_BODY_LEN)
			n += put_u64(buf + n, v->body_len);
		else	/* RAND; hi - lo + 1 wraps to 0 on the full range */
			n += put_u64(buf + n, pc->hi - pc->lo + 1 == 0 ? r :
				     pc->lo + r % (pc->hi - pc->lo + 1));
	}
	return (int64_t)n;
}

int
mix_request_compile(struct mix_request *r, const char *head,
		    const char *head_close, const char *body,
		    size_t body_len, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (mix_tmpl_compile(&r->body, body != NULL ? body : "",
			     body != NULL ? body_len : 0, 0, err,
			     errlen) != 0)
		return -1;
	/* The heads' variables after the body's: distinct draws. */
	if (mix_tmpl_compile(&r->head, head, strlen(head), r->body.n_vars,
			     err, errlen) != 0 ||
	    mix_tmpl_compile(&r->head_close, head_close, strlen(head_close),
			     r->body.n_vars, err, errlen) != 0) {
		mix_request_free(r);
		return -1;
	}
	r->max_len = r->body.max_len +
		(r->head.max_len > r->head_close.max_len ? r->head.max_len :
		 r->head_close.max_len);
	return 0;
}

void
mix_request_free(struct mix_request *r)
{
	mix_tmpl_free(&r->head);
	mix_tmpl_free(&r->head_close);
	mix_tmpl_free(&r->body);
}

uint32_t
mix_request_render(const struct mix_request *r, int close, uint64_t counter,
		   uint64_t seed, char *buf, size_t cap)
{
	struct mix_vars v = { .counter = counter, .seed = seed };
	size_t half = cap / 2;
	int64_t bl, hl;

	bl = mix_tmpl_render(&r->body, &v, buf + half, cap - half);
	if (bl < 0)
		return 0;
	v.body_len = (uint64_t)bl;
	hl = mix_tmpl_render(close ? &r->head_close : &r->head, &v, buf, half);
	if (hl < 0)
		return 0;
	memmove(buf + hl, buf + half, (size_t)bl);
	return (uint32_t)(hl + bl);
}

int
mix_pick_init(struct mix_pick *p, const uint32_t *weights, unsigned int n)
{
	unsigned int i;

	if (n == 0 || n > MIX_MAX_ENTRIES)
		return -1;
	p->n = n;
	p->total = 0;
	for (i = 0; i < n; i++) {
		if (weights[i] == 0 || weights[i] > MIX_WEIGHT_MAX)
			return -1;
		p->total += weights[i];
		p->cum[i] = p->total;
	}
	return 0;
}
