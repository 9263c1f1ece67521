/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "tcp_opt.h"

/* One load or store and a byte swap: gcc did not merge the byte-wise
 * forms (a dozen instructions per word). */
static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, sizeof(v));
}

int
tcp_opt_parse(const uint8_t *p, uint32_t len, int syn, struct tcp_opts *o)
{
	uint32_t i = 0;

	/* The scalars only: SACK blocks are read up to n_sack. */
	memset(o, 0, offsetof(struct tcp_opts, sack_start));
	/* Past the handshake a connection with timestamps sends NOP, NOP,
	 * timestamp on every segment without SACK blocks (RFC 7323
	 * appendix A's layout, Linux's and ours): taken whole, as the loop
	 * below would take it. */
	if (len == TCPOLEN_TS_ALIGNED && get32(p) == TCPOPT_TS_ALIGNED_HEAD) {
		o->has_ts = 1;
		o->ts_val = get32(p + 4);
		o->ts_ecr = get32(p + 8);
		return 0;
	}
	while (i < len) {
		uint8_t kind = p[i];
		uint8_t olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen != 4)
				return -1;
			if (syn) {
				o->has_mss = 1;
				o->mss = (uint16_t)((p[i + 2] << 8) | p[i + 3]);
			}
			break;
		case TCPOPT_WSCALE:
			if (olen != 3)
				return -1;
			if (syn) {
				o->has_wscale = 1;
				/* RFC 7323 2.3: larger shifts mean 14. */
				o->wscale = p[i + 2] > TCP_MAX_WSCALE ?
					TCP_MAX_WSCALE : p[i + 2];
			}
			break;
		case TCPOPT_SACK_PERM:
			if (olen != 2)
				return -1;
			if (syn)
				o->sack_perm = 1;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen != 10)
				return -1;
			o->has_ts = 1;
			o->ts_val = get32(p + i + 2);
			o->ts_ecr = get32(p + i + 6);
			break;
		case TCPOPT_SACK: {
			uint32_t n, b;

			if ((olen - 2) % 8 != 0 || olen == 2)
				return -1;
			n = (uint32_t)(olen - 2) / 8;
			for (b = 0; b < n && o->n_sack < TCP_MAX_SACK_BLOCKS;
			     b++) {
				o->sack_start[o->n_sack] =
					get32(p + i + 2 + 8 * b);
				o->sack_end[o->n_sack] =
					get32(p + i + 6 + 8 * b);
				o->n_sack++;
			}
			break;
		}
		default:
			break;	/* unknown: skipped by its length */
		}
		i += olen;
	}
	return 0;
}

uint32_t
tcp_opt_put_syn(uint8_t *p, uint16_t mss, int sack, int ts, uint32_t ts_val,
		uint32_t ts_ecr, int wscale, uint8_t shift)
{
	uint32_t n = 0;

	/* The layout Linux uses, which middleboxes know best. */
	p[n++] = TCPOPT_MSS;
	p[n++] = 4;
	p[n++] = (uint8_t)(mss >> 8);
	p[n++] = (uint8_t)mss;
	if (sack && ts) {
		p[n++] = TCPOPT_SACK_PERM;
		p[n++] = 2;
	} else if (sack) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK_PERM;
		p[n++] = 2;
	}
	if (ts) {
		if (!sack) {
			p[n++] = TCPOPT_NOP;
			p[n++] = TCPOPT_NOP;
		}
		p[n++] = TCPOPT_TIMESTAMP;
		p[n++] = 10;
		put32(p + n, ts_val);
		put32(p + n + 4, ts_ecr);
		n += 8;
	}
	if (wscale) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_WSCALE;
		p[n++] = 3;
		p[n++] = shift;
	}
	return n;
}

uint32_t
tcp_opt_put_ts(uint8_t *p, uint32_t ts_val, uint32_t ts_ecr)
{
	put32(p, TCPOPT_TS_ALIGNED_HEAD);
	put32(p + 4, ts_val);
	put32(p + 8, ts_ecr);
	return 12;
}

uint32_t
tcp_opt_put_sack(uint8_t *p, const uint32_t *starts, const uint32_t *ends,
		 unsigned int n)
{
	unsigned int i;

	if (n == 0)
		return 0;
	p[0] = TCPOPT_NOP;
	p[1] = TCPOPT_NOP;
	p[2] = TCPOPT_SACK;
	p[3] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++) {
		put32(p + 4 + 8 * i, starts[i]);
		put32(p + 8 + 8 * i, ends[i]);
	}
	return 4 + 8 * n;
}
