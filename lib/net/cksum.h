/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Internet checksum (RFC 1071) over buffers and mbuf chains, for
 * ports that cannot compute it (memif, af_packet, the ring PMD).
 *
 * DPDK's rte_raw_cksum adds one 16-bit word at a time into a single
 * accumulator: about two bytes per cycle, a quarter of a full-sized
 * segment's budget at line rate.  Here 32-bit words go into four 64-bit
 * accumulators (independent adds, no carry handling until the fold,
 * which is exact because 2^16 = 1 mod 0xffff), several times faster.
 * The result is the same one's complement sum, in the same byte order.
 */
#ifndef DPF_CKSUM_H
#define DPF_CKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#if defined(__x86_64__)
/*
 * Add the 8-byte words at p to sum with the carry of each add taken into
 * the next (adc) and the last one added back in at the end: a sum kept
 * modulo 2^64 - 1, which is the same sum modulo 0xffff (2^16 = 1 mod
 * 0xffff), so cksum_fold gives the same 16 bits.  The closing add of the
 * carry cannot carry again: that would need all ones with a carry
 * pending, which no add that starts without one reaches (Linux's
 * csum_partial rests on the same).  One instruction per 8 bytes where
 * the 32-bit loop below takes five per 16; GCC 12 spills a chain of
 * _addcarry_u64 to the stack, hence the assembly.
 */
#define CKSUM_ADC_32(p, sum) \
	__asm__("addq (%[b]), %[s]\n\t" \
		"adcq 8(%[b]), %[s]\n\t" \
		"adcq 16(%[b]), %[s]\n\t" \
		"adcq 24(%[b]), %[s]\n\t" \
		"adcq $0, %[s]" \
		: [s] "+r" (sum) \
		: [b] "r" (p), "m" (*(const uint8_t (*)[32])(p)) \
		: "cc")
#define CKSUM_ADC_8(p, sum) \
	__asm__("addq (%[b]), %[s]\n\t" \
		"adcq $0, %[s]" \
		: [s] "+r" (sum) \
		: [b] "r" (p), "m" (*(const uint8_t (*)[8])(p)) \
		: "cc")
#endif

/* Add len bytes at buf to the running sum (16-bit words in memory
 * order, as rte_raw_cksum reads them): the scalar loop, for short
 * stretches and the tails of long ones.  On x86-64 the sum comes back
 * below 2^34 (given one below 2^33); the portable loop's grows by at
 * most 2^32 per 4 bytes.  Either way it stays far from 2^64 for any
 * buffer a packet has, so callers may add a few words before they
 * fold. */
static inline uint64_t
cksum_add_short(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	uint32_t v[4];

#if defined(__x86_64__)
	if (len >= 8) {
		while (len >= 32) {
			CKSUM_ADC_32(p, sum);
			p += 32;
			len -= 32;
		}
		while (len >= 8) {
			CKSUM_ADC_8(p, sum);
			p += 8;
			len -= 8;
		}
		/* Back below 2^33: the caller's own adds must not carry
		 * out of 64 bits. */
		sum = (sum & 0xffffffffu) + (sum >> 32);
	}
#else
	uint64_t s1 = 0, s2 = 0, s3 = 0;

	while (len >= 16) {
		memcpy(v, p, sizeof(v));
		sum += v[0];
		s1 += v[1];
		s2 += v[2];
		s3 += v[3];
		p += 16;
		len -= 16;
	}
	sum += s1 + s2 + s3;
#endif
	while (len >= 4) {
		memcpy(v, p, 4);
		sum += v[0];
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len > 0) {
		/* A last odd byte is the first byte of a word padded with
		 * zero, whatever the host's byte order. */
		uint16_t h = 0;

		memcpy(&h, p, 1);
		sum += h;
	}
	return sum;
}

/* The same in vector registers (cksum.c), for len of 64 and more
 * (worth its fixed cost from a few hundred bytes on). */
uint64_t
cksum_add_long(const void *buf, size_t len, uint64_t sum);
#if defined(__x86_64__)
/* What cksum_add_long picks from, by the CPU (the tests run both). */
uint64_t
cksum_add_sse2(const void *buf, size_t len, uint64_t sum);
uint64_t
cksum_add_avx2(const void *buf, size_t len, uint64_t sum);
#endif

/* From here on cksum_add takes the vector loops: below, their set-up
 * and reduction cost what they save (measured on AMD EPYC: even at
 * 256-400 bytes, twice as fast at 1448). */
#define CKSUM_LONG_MIN	512

/* Add len bytes at buf to the running sum (16-bit words in memory
 * order, as rte_raw_cksum reads them). */
static inline uint64_t
cksum_add(const void *buf, size_t len, uint64_t sum)
{
	if (len >= CKSUM_LONG_MIN)
		return cksum_add_long(buf, len, sum);
	return cksum_add_short(buf, len, sum);
}

/* Fold a running sum to 16 bits (not complemented). */
static inline uint16_t
cksum_fold(uint64_t sum)
{
	uint32_t s;

	/* At most 2^33 - 2 after the first add, so the second cannot
	 * carry out of 32 bits. */
	sum = (sum & 0xffffffffu) + (sum >> 32);
	s = (uint32_t)sum + (uint32_t)(sum >> 32);
	/* s plus itself rotated by 16 holds, in its top half, the sum of
	 * both halves with the carry out of the low half added back in. */
	return (uint16_t)((s + ((s << 16) | (s >> 16))) >> 16);
}

/* A piece's folded sum, placed at byte offset at of the whole: a piece
 * that starts at an odd byte has its words straddling the boundary, so
 * its sum is byte-swapped (RFC 1071 2(B)). */
static inline uint16_t
cksum_at(uint16_t part, uint32_t at)
{
	return (at & 1) ? (uint16_t)((part << 8) | (part >> 8)) : part;
}

/*
 * The folded sum of len bytes of an mbuf chain from off.  A segment that
 * starts at an odd byte of the whole has its words straddling the
 * boundary: its own sum is then byte-swapped before it is added.
 */
static inline uint16_t
cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint64_t sum = 0;
	uint32_t done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && done < len) {
		uint32_t n = RTE_MIN(len - done, (uint32_t)m->data_len - off);
		uint16_t part = cksum_fold(cksum_add(
			rte_pktmbuf_mtod_offset(m, const uint8_t *, off),
			n, 0));

		sum += cksum_at(part, done);
		done += n;
		off = 0;
		m = m->next;
	}
	return cksum_fold(sum);
}

/* The running sum of an IPv4 pseudo-header (RFC 9293 3.1) for l4_len
 * bytes of protocol proto, its fields as stored (network order): four
 * adds, where rte_ipv4_phdr_cksum builds the header on the stack and
 * sums it 16 bits at a time. */
static inline uint64_t
cksum_ipv4_phdr_sum(uint32_t src_be, uint32_t dst_be, uint8_t proto,
		    uint32_t l4_len)
{
	return (uint64_t)src_be + dst_be + rte_cpu_to_be_16((uint16_t)proto) +
		rte_cpu_to_be_16((uint16_t)l4_len);
}

/* 0 when the checksum of an IPv4 header (options included) is right:
 * rte_ipv4_cksum(ip) == 0, summed wider. */
static inline int
cksum_ipv4_hdr_verify(const struct rte_ipv4_hdr *ip)
{
	return cksum_fold(cksum_add_short(ip, rte_ipv4_hdr_len(ip), 0)) ==
		0xffff ? 0 : -1;
}

/* The folded sum over the pseudo-header and the segment at l4_off of m
 * (IPv4 header ip): 0xffff when a stored checksum is right. */
static inline uint16_t
cksum_ipv4_l4_sum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		  uint32_t l4_off)
{
	uint32_t l4_len = (uint32_t)rte_be_to_cpu_16(ip->total_length) -
		rte_ipv4_hdr_len(ip);
	uint64_t sum = cksum_ipv4_phdr_sum(ip->src_addr, ip->dst_addr,
					   ip->next_proto_id, l4_len);

	return cksum_fold(sum + cksum_mbuf(m, l4_off, l4_len));
}

/*
 * The header checksum of an option-less IPv4 header, from the values of
 * its fields (host order) rather than from the header in memory: the
 * sender has them in registers, and reading back a header just written
 * is a chain of loads on fresh stores.  vhl_tos is version, IHL and TOS
 * as one 16-bit word, ttl_proto TTL and protocol.  Returns the field as
 * it is stored (network order).
 */
static inline uint16_t
cksum_ipv4_hdr_fields(uint16_t vhl_tos, uint16_t total_length,
		      uint16_t packet_id, uint16_t fragment_offset,
		      uint16_t ttl_proto, uint32_t src, uint32_t dst)
{
	uint64_t sum = (uint64_t)vhl_tos + total_length + packet_id +
		fragment_offset + ttl_proto + (src >> 16) + (src & 0xffff) +
		(dst >> 16) + (dst & 0xffff);

	/* Host-order words: the one's complement sum of byte-swapped
	 * words is the byte-swapped sum (RFC 1071 2.(B)). */
	return rte_cpu_to_be_16((uint16_t)~cksum_fold(sum));
}

/* The TCP or UDP checksum field for the segment at l4_off of m, to be
 * stored as is (its own field zero while it is computed). */
static inline uint16_t
cksum_ipv4_l4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	      uint32_t l4_off)
{
	uint16_t c = (uint16_t)~cksum_ipv4_l4_sum(m, ip, l4_off);

	/* 0 means "no checksum" in UDP; TCP accepts either form. */
	return c == 0 ? 0xffff : c;
}

/* 0 when the TCP or UDP checksum of the segment at l4_off is right. */
static inline int
cksum_ipv4_l4_verify(const struct rte_mbuf *m,
		     const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	return cksum_ipv4_l4_sum(m, ip, l4_off) == 0xffff ? 0 : -1;
}

/*
 * IPv6 (RFC 8200 8.1): the pseudo-header is both addresses, the upper-
 * layer length and its protocol (the last header's, past any extension
 * headers), so they are passed rather than read from the fixed header.
 * The folded sum over it and the l4_len bytes at l4_off of m: 0xffff
 * when a stored checksum is right.
 */
static inline uint16_t
cksum_ipv6_l4_sum(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip6,
		  uint32_t l4_off, uint32_t l4_len, uint8_t proto)
{
	uint64_t sum = cksum_add_short(ip6->src_addr, 16, 0);

	sum = cksum_add_short(ip6->dst_addr, 16, sum);

	/* Two 32-bit words in memory order, as cksum_add reads them. */
	sum += rte_cpu_to_be_32(l4_len);
	sum += rte_cpu_to_be_32((uint32_t)proto);
	return cksum_fold(sum + cksum_mbuf(m, l4_off, l4_len));
}

/* The TCP, UDP or ICMPv6 checksum field for the l4_len bytes at l4_off
 * of m, to be stored as is (its own field zero meanwhile). */
static inline uint16_t
cksum_ipv6_l4(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip6,
	      uint32_t l4_off, uint32_t l4_len, uint8_t proto)
{
	uint16_t c = (uint16_t)~cksum_ipv6_l4_sum(m, ip6, l4_off, l4_len,
						   proto);

	/* UDP over IPv6 may not send 0 (RFC 8200 8.1); the others take
	 * either form. */
	return c == 0 ? 0xffff : c;
}

/* 0 when the checksum of the l4_len bytes at l4_off is right. */
static inline int
cksum_ipv6_l4_verify(const struct rte_mbuf *m,
		     const struct rte_ipv6_hdr *ip6, uint32_t l4_off,
		     uint32_t l4_len, uint8_t proto)
{
	return cksum_ipv6_l4_sum(m, ip6, l4_off, l4_len, proto) == 0xffff ?
		0 : -1;
}

#endif /* DPF_CKSUM_H */
