/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies and keyed tuple hashes (see tcp_syncookie.h).
 */
#include "tcp_syncookie.h"

const uint16_t syncookie_mss_tab[SYNCOOKIE_N_MSS] = {
	536,	/* RFC 9293's default */
	1300,	/* tunnels */
	1440,	/* PPPoE */
	1460,	/* Ethernet */
};

/* What each hash is for, in the last word: one key, separate uses. */
enum {
	DOM_COOKIE_HIDE = 1,	/* H1 */
	DOM_COOKIE_MAC = 2,	/* H2 */
	DOM_TS_OFFSET = 3,
};

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3) do { \
		v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; \
		v0 = SIP_ROTL(v0, 32); \
		v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; \
		v2 = SIP_ROTL(v2, 32); \
	} while (0)

uint64_t
syncookie_siphash(const struct syncookie_key *key, const uint64_t *m,
		  unsigned int n)
{
	uint64_t v0 = key->k[0] ^ 0x736f6d6570736575ull;
	uint64_t v1 = key->k[1] ^ 0x646f72616e646f6dull;
	uint64_t v2 = key->k[0] ^ 0x6c7967656e657261ull;
	uint64_t v3 = key->k[1] ^ 0x7465646279746573ull;
	uint64_t b = (uint64_t)(n * 8) << 56;
	unsigned int i;

	for (i = 0; i < n; i++) {
		v3 ^= m[i];
		SIP_ROUND(v0, v1, v2, v3);
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m[i];
	}
	v3 ^= b;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t
tuple_addrs(const struct syncookie_tuple *t)
{
	return (uint64_t)t->remote_ip | (uint64_t)t->local_ip << 32;
}

static uint64_t
tuple_ports(const struct syncookie_tuple *t)
{
	return (uint64_t)t->remote_port | (uint64_t)t->local_port << 16;
}

unsigned int
syncookie_mss_index(uint16_t mss)
{
	unsigned int i;

	for (i = SYNCOOKIE_N_MSS - 1; i > 0; i--)
		if (mss >= syncookie_mss_tab[i])
			return i;
	return 0;
}

uint32_t
syncookie_ts_bits(int ts_ok, int wscale, int sack_ok)
{
	uint32_t bits;

	if (!ts_ok)
		return 0;
	bits = wscale >= 0 && wscale < SYNCOOKIE_WSCALE_NONE ?
		(uint32_t)wscale : SYNCOOKIE_WSCALE_NONE;
	if (sack_ok)
		bits |= SYNCOOKIE_TS_SACK;
	return bits | SYNCOOKIE_TS_ON;
}

uint32_t
syncookie_tsval(uint32_t tsval, uint32_t ts_bits)
{
	uint32_t ts = (tsval & ~SYNCOOKIE_TS_MASK) | (ts_bits &
						      SYNCOOKIE_TS_MASK);

	/* Never ahead of the clock: the peer's PAWS and our RTT sample
	 * would see time run backwards. */
	if ((int32_t)(ts - tsval) > 0)
		ts -= 1u << SYNCOOKIE_TS_BITS;
	return ts;
}

static uint32_t
cookie_hide(const struct syncookie_key *key, const struct syncookie_tuple *t)
{
	uint64_t m[3] = {
		tuple_addrs(t), tuple_ports(t),
		(uint64_t)DOM_COOKIE_HIDE << 56,
	};

	return (uint32_t)syncookie_siphash(key, m, 3);
}

static uint32_t
cookie_mac(const struct syncookie_key *key, const struct syncookie_tuple *t,
	   uint32_t peer_isn, uint32_t count, unsigned int mss_idx,
	   uint32_t ts_bits)
{
	uint64_t m[3] = {
		tuple_addrs(t),
		tuple_ports(t) | (uint64_t)peer_isn << 32,
		(uint64_t)(count & SYNCOOKIE_COUNT_MASK) |
			(uint64_t)mss_idx << 8 | (uint64_t)ts_bits << 16 |
			(uint64_t)DOM_COOKIE_MAC << 56,
	};

	return (uint32_t)syncookie_siphash(key, m, 3) & 0xffffff;
}

uint32_t
syncookie_make(const struct syncookie_key *key,
	       const struct syncookie_tuple *t, uint32_t peer_isn,
	       uint32_t count, unsigned int mss_idx, uint32_t ts_bits)
{
	uint32_t v;

	mss_idx &= SYNCOOKIE_N_MSS - 1;
	v = (count & SYNCOOKIE_COUNT_MASK) << 26 | mss_idx << 24 |
		cookie_mac(key, t, peer_isn, count, mss_idx, ts_bits);
	return cookie_hide(key, t) + v;
}

int
syncookie_check(const struct syncookie_key *key,
		const struct syncookie_tuple *t, uint32_t peer_isn,
		uint32_t cookie, uint32_t count, uint32_t tsecr_bits,
		struct syncookie_opts *o)
{
	uint32_t v = cookie - cookie_hide(key, t);
	uint32_t made = v >> 26;
	unsigned int mss_idx = (v >> 24) & (SYNCOOKIE_N_MSS - 1);
	uint32_t age = (count - made) & SYNCOOKIE_COUNT_MASK;

	tsecr_bits &= SYNCOOKIE_TS_MASK;
	if (age >= SYNCOOKIE_MAX_AGE)
		return -1;
	/* A timestamp that does not carry our bits is not our echo. */
	if (tsecr_bits != 0 && !(tsecr_bits & SYNCOOKIE_TS_ON))
		return -1;
	if ((v & 0xffffff) != cookie_mac(key, t, peer_isn, made, mss_idx,
					 tsecr_bits))
		return -1;
	o->mss = syncookie_mss_tab[mss_idx];
	o->ts_ok = tsecr_bits != 0;
	o->sack_ok = !!(tsecr_bits & SYNCOOKIE_TS_SACK);
	o->wscale = (uint8_t)(tsecr_bits & SYNCOOKIE_WSCALE_NONE);
	o->wscale_ok = o->ts_ok && o->wscale != SYNCOOKIE_WSCALE_NONE;
	if (!o->wscale_ok)
		o->wscale = 0;
	return 0;
}

uint32_t
syncookie_ts_offset(const struct syncookie_key *key,
		    const struct syncookie_tuple *t)
{
	uint64_t m[3] = {
		tuple_addrs(t), tuple_ports(t),
		(uint64_t)DOM_TS_OFFSET << 56,
	};

	return (uint32_t)syncookie_siphash(key, m, 3);
}
