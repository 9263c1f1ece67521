/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the TCP option parser (tcp_opt.h).
 *
 * Byte 0 chooses SYN or not; the rest are the option bytes, parsed in
 * place (libFuzzer's buffer is exactly that long, so ASan sees any read
 * past it).  The result must match a reference parser written here from
 * RFC 9293 3.2 / RFC 7323 / RFC 2018 and keep the parser's promises:
 * wscale <= 14, at most TCP_MAX_SACK_BLOCKS blocks, the SYN-only options
 * only on a SYN.
 *
 * Then a round trip: the writers (tcp_opt_put_syn, _ts, _sack), given
 * values taken from the input, must write a multiple of 4 bytes within
 * the 40 bytes of option space, and the parser must read back what they
 * wrote.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_opt.h"

#define TCP_OPT_SPACE	40

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static uint32_t
rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
}

/* The reference: the same contract, written independently. */
static int
ref_parse(const uint8_t *p, size_t len, int syn, struct tcp_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		size_t olen, k, nb;

		if (p[i] == TCPOPT_EOL)
			return 0;
		if (p[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return -1;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return -1;
		switch (p[i]) {
		case TCPOPT_MSS:
			if (olen != 4)
				return -1;
			if (syn) {
				o->has_mss = 1;
				o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			}
			break;
		case TCPOPT_WSCALE:
			if (olen != 3)
				return -1;
			if (syn) {
				o->has_wscale = 1;
				o->wscale = p[i + 2] < TCP_MAX_WSCALE ?
					p[i + 2] : TCP_MAX_WSCALE;
			}
			break;
		case TCPOPT_SACK_PERM:
			if (olen != 2)
				return -1;
			o->sack_perm = (uint8_t)(o->sack_perm | !!syn);
			break;
		case TCPOPT_TIMESTAMP:
			if (olen != 10)
				return -1;
			o->has_ts = 1;
			o->ts_val = rd32(p + i + 2);
			o->ts_ecr = rd32(p + i + 6);
			break;
		case TCPOPT_SACK:
			if (olen < 10 || (olen - 2) % 8 != 0)
				return -1;
			nb = (olen - 2) / 8;
			/* several SACK options add up to the first four */
			for (k = 0; k < nb && o->n_sack < TCP_MAX_SACK_BLOCKS;
			     k++) {
				o->sack_start[o->n_sack] =
					rd32(p + i + 2 + 8 * k);
				o->sack_end[o->n_sack] =
					rd32(p + i + 6 + 8 * k);
				o->n_sack++;
			}
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

static void
check_same(const struct tcp_opts *a, const struct tcp_opts *b)
{
	unsigned int k;

	CHECK(a->has_mss == b->has_mss && a->mss == b->mss);
	CHECK(a->has_wscale == b->has_wscale && a->wscale == b->wscale);
	CHECK(a->sack_perm == b->sack_perm);
	CHECK(a->has_ts == b->has_ts);
	if (a->has_ts)
		CHECK(a->ts_val == b->ts_val && a->ts_ecr == b->ts_ecr);
	CHECK(a->n_sack == b->n_sack);
	for (k = 0; k < a->n_sack; k++)
		CHECK(a->sack_start[k] == b->sack_start[k] &&
		      a->sack_end[k] == b->sack_end[k]);
}

/* Values for the writers, read from the input cyclically. */
struct src {
	const uint8_t *d;
	size_t n, i;
};

static uint32_t
take32(struct src *s)
{
	uint32_t v = 0;
	int k;

	for (k = 0; k < 4; k++)
		v = v << 8 | (s->n > 0 ? s->d[s->i++ % s->n] : 0);
	return v;
}

static void
round_trip(const uint8_t *data, size_t size)
{
	struct src s = { .d = data, .n = size, .i = 0 };
	uint8_t buf[TCP_OPT_SPACE + 16];
	uint32_t starts[TCP_MAX_SACK_BLOCKS], ends[TCP_MAX_SACK_BLOCKS];
	struct tcp_opts o;
	uint32_t v = take32(&s), n, k, nb, ts_val, ts_ecr;
	uint16_t mss = (uint16_t)take32(&s);
	uint8_t shift = (uint8_t)take32(&s);
	int sack = v & 1, ts = (v >> 1) & 1, ws = (v >> 2) & 1;

	/* The SYN (and SYN-ACK) layout. */
	ts_val = take32(&s);
	ts_ecr = take32(&s);
	memset(buf, 0xa5, sizeof(buf));
	n = tcp_opt_put_syn(buf, mss, sack, ts, ts_val, ts_ecr, ws, shift);
	CHECK(n % 4 == 0 && n <= TCP_OPT_SPACE);
	CHECK(buf[n] == 0xa5);
	CHECK(tcp_opt_parse(buf, n, 1, &o) == 0);
	CHECK(o.has_mss && o.mss == mss);
	CHECK(o.sack_perm == sack && o.has_ts == ts && o.n_sack == 0);
	if (ts)
		CHECK(o.ts_val == ts_val && o.ts_ecr == ts_ecr);
	CHECK(o.has_wscale == ws);
	if (ws)
		CHECK(o.wscale == (shift < TCP_MAX_WSCALE ? shift :
				   TCP_MAX_WSCALE));
	/* The same bytes on a non-SYN carry only the timestamps. */
	CHECK(tcp_opt_parse(buf, n, 0, &o) == 0);
	CHECK(!o.has_mss && !o.has_wscale && !o.sack_perm &&
	      o.has_ts == ts);

	/* A data segment or ACK: timestamps, then as many SACK blocks as
	 * fit in what is left (3 with timestamps, 4 without). */
	ts = (v >> 3) & 1;
	nb = 1 + (v >> 4) % (ts ? 3 : 4);
	for (k = 0; k < nb; k++) {
		starts[k] = take32(&s);
		ends[k] = take32(&s);
	}
	memset(buf, 0xa5, sizeof(buf));
	n = ts ? tcp_opt_put_ts(buf, ts_val, ts_ecr) : 0;
	n += tcp_opt_put_sack(buf + n, starts, ends, nb);
	CHECK(n % 4 == 0 && n <= TCP_OPT_SPACE);
	CHECK(buf[n] == 0xa5);
	CHECK(tcp_opt_parse(buf, n, 0, &o) == 0);
	CHECK(o.has_ts == ts && o.n_sack == nb);
	if (ts)
		CHECK(o.ts_val == ts_val && o.ts_ecr == ts_ecr);
	for (k = 0; k < nb; k++)
		CHECK(o.sack_start[k] == starts[k] && o.sack_end[k] == ends[k]);
	CHECK(tcp_opt_put_sack(buf, starts, ends, 0) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_opts o, ref;
	int syn, rc;

	if (size < 1)
		return 0;
	syn = data[0] & 1;
	memset(&o, 0x5a, sizeof(o));
	rc = tcp_opt_parse(data + 1, (uint32_t)(size - 1), syn, &o);
	CHECK(rc == 0 || rc == -1);
	CHECK(ref_parse(data + 1, size - 1, syn, &ref) == rc);
	if (rc == 0) {
		check_same(&o, &ref);
		CHECK(o.wscale <= TCP_MAX_WSCALE);
		CHECK(o.n_sack <= TCP_MAX_SACK_BLOCKS);
		if (!syn)
			CHECK(!o.has_mss && !o.has_wscale && !o.sack_perm);
		if (!o.has_mss)
			CHECK(o.mss == 0);
		if (!o.has_wscale)
			CHECK(o.wscale == 0);
	}
	round_trip(data, size);
	return 0;
}
