/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for SYN cookies (tcp_syncookie.h).
 *
 * Input (missing bytes read as zero):
 *   SYN    tuple (12), peer ISN (4), counter (4), MSS (2), flags (1: bit
 *          0 timestamps, bit 1 SACK), window scale (1: 15 = none)
 *   ACK    XOR masks for the tuple (12), the peer ISN (4), the cookie (4)
 *          and the TSecr bits (1), and how many counter steps later it
 *          comes (1)
 * A cookie is made for the SYN, then the ACK (the SYN's values, changed
 * by the masks) is checked under the same key.  The untouched ACK within
 * one counter step must pass and give back what the SYN offered; any
 * other must be refused, except by chance: a 24-bit MAC lets about one
 * guess in 2^24 through, so a forgery aborts only when they come more
 * often than that.  Crashes and sanitizer reports abort too.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_syncookie.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint32_t
take(struct reader *r, unsigned int bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0) {
		v = v << 8 | (r->n > 0 ? *r->p : 0);
		if (r->n > 0) {
			r->p++;
			r->n--;
		}
	}
	return v;
}

static void
take_tuple(struct reader *r, struct syncookie_tuple *t)
{
	t->remote_ip = take(r, 4);
	t->local_ip = take(r, 4);
	t->remote_port = (uint16_t)take(r, 2);
	t->local_port = (uint16_t)take(r, 2);
}

static uint64_t runs, forged;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Fixed, so that a reproducer reproduces. */
	static const struct syncookie_key key = {
		{ 0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull }
	};
	struct reader r = { data, size };
	struct syncookie_tuple syn, mask, ack;
	struct syncookie_opts o;
	uint32_t peer_isn, count, bits, cookie, isn_x, cookie_x, bits_x;
	unsigned int mss_idx, flags, ws, later;
	uint16_t mss;
	int rc, honest;

	take_tuple(&r, &syn);
	peer_isn = take(&r, 4);
	count = take(&r, 4);
	mss = (uint16_t)take(&r, 2);
	flags = take(&r, 1);
	ws = take(&r, 1) & 0xf;
	take_tuple(&r, &mask);
	isn_x = take(&r, 4);
	cookie_x = take(&r, 4);
	bits_x = take(&r, 1);
	later = take(&r, 1);

	mss_idx = syncookie_mss_index(mss);
	bits = syncookie_ts_bits(flags & 1, ws == 15 ? -1 : (int)ws,
				 !!(flags & 2));
	cookie = syncookie_make(&key, &syn, peer_isn, count, mss_idx, bits);
	ack.remote_ip = syn.remote_ip ^ mask.remote_ip;
	ack.local_ip = syn.local_ip ^ mask.local_ip;
	ack.remote_port = syn.remote_port ^ mask.remote_port;
	ack.local_port = syn.local_port ^ mask.local_port;
	rc = syncookie_check(&key, &ack, peer_isn ^ isn_x, cookie ^ cookie_x,
			     count + later, (bits ^ bits_x) & 0xff, &o);
	/* The TSecr bits beyond the 6 we use are not ours to judge. */
	honest = memcmp(&mask, &(struct syncookie_tuple){ 0 },
			sizeof(mask)) == 0 && isn_x == 0 && cookie_x == 0 &&
		((bits ^ bits_x) & SYNCOOKIE_TS_MASK) == bits &&
		(later & SYNCOOKIE_COUNT_MASK) < SYNCOOKIE_MAX_AGE;
	runs++;
	if (honest) {
		if (rc != 0)
			abort();	/* our own cookie refused */
		if (o.mss != syncookie_mss_tab[mss_idx] ||
		    o.ts_ok != (flags & 1) ||
		    o.sack_ok != ((flags & 1) && (flags & 2)) ||
		    o.wscale_ok != ((flags & 1) && ws < 15) ||
		    o.wscale != (o.wscale_ok ? ws : 0))
			abort();	/* options lost on the way */
		return 0;
	}
	if (rc == 0) {
		/* What came back must still be sane ... */
		if (o.wscale > 14 || (o.wscale_ok && !o.ts_ok))
			abort();
		/* ... and forgeries no more frequent than chance. */
		if (++forged > 2 + (runs >> 22))
			abort();
	}
	return 0;
}
