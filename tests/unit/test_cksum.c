/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the Internet checksum (cksum.h): every length and
 * alignment against DPDK's rte_raw_cksum, mbuf chains cut at odd places
 * against DPDK's checksum of the same packet in one flat buffer, and the
 * verify side on good and damaged segments.  (Not against 22.11's
 * rte_ipv4_udptcp_cksum_mbuf: it byte-swaps a segment's unfolded sum
 * truncated to 16 bits, which is wrong for a segment at an odd offset.)
 * The mbufs are built by hand: no EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "cksum.h"

#define BUF_MAX 9000

static uint8_t data[BUF_MAX + 16];

static void
fill_random(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	srand(seed);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

static void
test_raw_every_length_and_alignment(void **state)
{
	size_t len, align;

	(void)state;
	fill_random(data, sizeof(data), 1);
	for (align = 0; align < 8; align++)
		for (len = 0; len <= 1600; len++)
			assert_int_equal(cksum_fold(cksum_add(data + align,
							      len, 0)),
					 rte_raw_cksum(data + align, len));
	for (len = 8990; len <= BUF_MAX; len++)
		assert_int_equal(cksum_fold(cksum_add(data, len, 0)),
				 rte_raw_cksum(data, len));
}

static void
test_raw_all_ones_carries(void **state)
{
	/* 0xff everywhere makes every add carry: the fold must be exact. */
	(void)state;
	memset(data, 0xff, sizeof(data));
	assert_int_equal(cksum_fold(cksum_add(data, BUF_MAX, 0)),
			 rte_raw_cksum(data, BUF_MAX));
	assert_int_equal(cksum_fold(cksum_add(data, 1, 0)),
			 rte_raw_cksum(data, 1));
	assert_int_equal(cksum_fold(cksum_add(data, 0, 0)), 0);
}

/* What cksum_fold must give: the sum modulo 0xffff in one's complement,
 * where a nonzero multiple reads 0xffff (RFC 1071's -0) and only an
 * empty sum 0. */
static uint16_t
fold_ref(uint64_t sum)
{
	uint64_t r = sum % 0xffff;

	return (uint16_t)(r == 0 && sum != 0 ? 0xffff : r);
}

static void
test_fold_every_carry(void **state)
{
	static const uint64_t edge[] = {
		0, 1, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0xffff0000,
		0xffffffff, 0x100000000, 0x1fffffffe, 0xffff0000ffff0000,
		0xfffffffeffffffff, 0xffffffff00000000, UINT64_MAX,
		UINT64_MAX - 1, 0x8000000080000000, 0x00010000ffff0001,
	};
	uint64_t v = 0x9e3779b97f4a7c15;
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(edge); i++)
		assert_int_equal(cksum_fold(edge[i]), fold_ref(edge[i]));
	/* Random values, and runs of halves that carry into each other. */
	for (i = 0; i < 200000; i++) {
		v ^= v << 13;
		v ^= v >> 7;
		v ^= v << 17;
		assert_int_equal(cksum_fold(v), fold_ref(v));
		assert_int_equal(cksum_fold(v >> (i % 48)),
				 fold_ref(v >> (i % 48)));
		assert_int_equal(cksum_fold(v | 0xffff0000ffff),
				 fold_ref(v | 0xffff0000ffff));
	}
}

/* The scalar loop carries a running sum in: with one given, and with
 * every word all ones (each 8-byte add carries), it must still agree
 * with the sum taken 16 bits at a time. */
static void
test_short_carries_sum_in(void **state)
{
	static const uint64_t in[] = {
		0, 7, 0xffff, 0xffffffff, 0x1fffffffe,
	};
	size_t len, align, i, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		if (k == 0)
			fill_random(data, sizeof(data), 9);
		else
			memset(data, 0xff, sizeof(data));
		for (i = 0; i < RTE_DIM(in); i++)
			for (align = 0; align < 8; align++)
				for (len = 0; len <= 600; len++) {
					uint64_t ref = in[i];
					size_t j;

					uint16_t h;

					for (j = 0; j + 1 < len; j += 2) {
						memcpy(&h, data + align + j, 2);
						ref += h;
					}
					if (len & 1) {
						h = 0;
						memcpy(&h, data + align + len - 1,
						       1);
						ref += h;
					}
					assert_int_equal(
						cksum_fold(cksum_add_short(
							data + align, len,
							in[i])),
						fold_ref(ref));
				}
	}
}

#if defined(__x86_64__)
/* The vector loops (cksum.c), each whatever the CPU would pick: every
 * length and alignment, and past the stretch after which their lane
 * accumulators are emptied, all ones (every add carries) and random. */
static uint8_t big[600 * 1024 + 64];

static void
check_vec(uint64_t (*fn)(const void *, size_t, uint64_t))
{
	size_t len, align;

	fill_random(data, sizeof(data), 3);
	for (align = 0; align < 8; align++)
		for (len = 0; len <= 1600; len++)
			assert_int_equal(cksum_fold(fn(data + align, len, 0)),
					 rte_raw_cksum(data + align, len));
	/* Against the scalar loop: rte_raw_cksum's 32-bit sum overflows
	 * this far.  All ones and all zeros are the two ends of the loops'
	 * signed lanes (cksum.c). */
	memset(big, 0xff, sizeof(big));
	for (align = 0; align < 2; align++)
		assert_int_equal(cksum_fold(fn(big + align,
					       sizeof(big) - 64, 0)),
				 cksum_fold(cksum_add_short(big + align,
							    sizeof(big) - 64,
							    0)));
	memset(big, 0, sizeof(big));
	assert_int_equal(fn(big + 1, sizeof(big) - 64, 5), 5);
	fill_random(big, sizeof(big), 4);
	assert_int_equal(cksum_fold(fn(big + 1, sizeof(big) - 3, 7)),
			 cksum_fold(cksum_add_short(big + 1, sizeof(big) - 3,
						    7)));
}

static void
test_raw_vector_loops(void **state)
{
	(void)state;
	check_vec(cksum_add_sse2);
	if (__builtin_cpu_supports("avx2"))
		check_vec(cksum_add_avx2);
	else
		print_message("no AVX2 here: only the SSE2 loop tested\n");
}
#endif

/* A segment of an mbuf chain over part of a flat buffer. */
static void
seg_init(struct rte_mbuf *m, uint8_t *base, uint16_t off, uint16_t len)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = base;
	m->buf_len = (uint16_t)(off + len);
	m->data_off = off;
	m->data_len = len;
	m->nb_segs = 1;
}

#define SEGS 8

/*
 * An IPv4 + TCP packet of total bytes in `pkt`, spread over a chain whose
 * segment lengths come from `cuts` (the last takes the rest).
 */
static struct rte_mbuf *
make_chain(struct rte_mbuf *segs, uint8_t *pkt, uint32_t total,
	   const uint16_t *cuts, unsigned int ncuts)
{
	uint32_t at = 0;
	unsigned int i;

	for (i = 0; i <= ncuts && at < total; i++) {
		uint32_t n = i < ncuts ? RTE_MIN(cuts[i], total - at) :
			total - at;

		seg_init(&segs[i], pkt, (uint16_t)at, (uint16_t)n);
		if (i > 0)
			segs[i - 1].next = &segs[i];
		at += n;
	}
	segs[0].nb_segs = (uint16_t)i;
	segs[0].pkt_len = total;
	return &segs[0];
}

static struct rte_ipv4_hdr *
make_packet(uint8_t *pkt, uint32_t payload, unsigned int seed)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	fill_random(pkt, sizeof(*ip) + sizeof(*th) + payload, seed);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) +
						       sizeof(*th) + payload));
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0xc6120002);
	ip->dst_addr = rte_cpu_to_be_32(0xc6120001);
	th->cksum = 0;
	return ip;
}

static void
test_chains_match_dpdk(void **state)
{
	static const uint16_t cut_sets[][4] = {
		{ 54, 0, 0, 0 },	/* headers, then the payload */
		{ 41, 1, 1, 0 },	/* odd cuts in the header */
		{ 54, 1001, 3, 0 },	/* odd payload pieces */
		{ 55, 700, 777, 2 },
		{ 1, 2, 3, 4 },
	};
	static const uint32_t payloads[] = { 0, 1, 2, 3, 511, 1460, 1461,
					     4000, 8960 };
	struct rte_mbuf segs[SEGS];
	uint8_t *pkt = data;
	unsigned int i, j;

	(void)state;
	for (i = 0; i < RTE_DIM(payloads); i++) {
		for (j = 0; j < RTE_DIM(cut_sets); j++) {
			struct rte_ipv4_hdr *ip = make_packet(pkt,
				payloads[i], i * 31 + j);
			struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)
				(ip + 1);
			uint32_t total = (uint32_t)sizeof(*ip) +
				(uint32_t)sizeof(*th) + payloads[i];
			struct rte_mbuf *m = make_chain(segs, pkt, total,
				cut_sets[j], 4);
			uint16_t ours, theirs;

			ours = cksum_ipv4_l4(m, ip, sizeof(*ip));
			theirs = rte_ipv4_udptcp_cksum(ip, th);
			assert_int_equal(ours, theirs);
			/* Stored, it verifies; damaged, it does not. */
			th->cksum = ours;
			assert_int_equal(cksum_ipv4_l4_verify(m, ip,
							      sizeof(*ip)), 0);
			assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, th),
					 0);
			pkt[total - 1] ^= 0x10;
			assert_int_equal(cksum_ipv4_l4_verify(m, ip,
							      sizeof(*ip)), -1);
		}
	}
}

/* IPv6 (RFC 8200 8.1): over chains, as DPDK's rte_ipv6_udptcp_cksum
 * over the flat packet; the pseudo-header's length and protocol are the
 * caller's (past extension headers). */
static void
test_ipv6_chains_match_dpdk(void **state)
{
	static const uint16_t cuts[4] = { 41, 700, 777, 2 };
	static const uint32_t payloads[] = { 0, 1, 3, 1460, 1461, 8000 };
	struct rte_mbuf segs[SEGS];
	uint8_t *pkt = data;
	unsigned int i, k;

	(void)state;
	for (i = 0; i < RTE_DIM(payloads); i++) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)pkt;
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip6 + 1);
		uint32_t l4 = (uint32_t)sizeof(*th) + payloads[i];
		uint32_t total = (uint32_t)sizeof(*ip6) + l4;
		struct rte_mbuf *m;
		uint16_t ours;

		for (k = 0; k < total; k++)
			pkt[k] = (uint8_t)(k * 7 + i);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)l4);
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		th->cksum = 0;
		m = make_chain(segs, pkt, total, cuts, 4);
		ours = cksum_ipv6_l4(m, ip6, sizeof(*ip6), l4, IPPROTO_TCP);
		assert_int_equal(ours, rte_ipv6_udptcp_cksum(ip6, th));
		th->cksum = ours;
		assert_int_equal(cksum_ipv6_l4_verify(m, ip6, sizeof(*ip6), l4,
						      IPPROTO_TCP), 0);
		assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip6, th), 0);
		/* Another protocol in the pseudo-header (ICMPv6: 58). */
		assert_int_equal(cksum_ipv6_l4_verify(m, ip6, sizeof(*ip6), l4,
						      58), -1);
		pkt[total - 1] ^= 0x10;
		assert_int_equal(cksum_ipv6_l4_verify(m, ip6, sizeof(*ip6), l4,
						      IPPROTO_TCP), -1);
	}
}

/* The header checksum from field values equals DPDK's over the header
 * built from the same values. */
static void
test_ipv4_hdr_from_fields(void **state)
{
	struct rte_ipv4_hdr ip;
	unsigned int i;

	(void)state;
	srand(4242);
	for (i = 0; i < 200000; i++) {
		uint16_t len = (uint16_t)rand(), id = (uint16_t)rand();
		uint16_t frag = (uint16_t)rand();
		uint8_t tos = (uint8_t)rand(), ttl = (uint8_t)rand();
		uint8_t proto = (uint8_t)rand();
		uint32_t src = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		uint32_t dst = (uint32_t)rand() << 1 ^ (uint32_t)rand();

		/* the extremes: all-zero and all-ones fields */
		if (i < 2) {
			len = id = frag = i ? 0xffff : 0;
			tos = ttl = proto = i ? 0xff : 0;
			src = dst = i ? 0xffffffff : 0;
		}
		memset(&ip, 0, sizeof(ip));
		ip.version_ihl = RTE_IPV4_VHL_DEF;
		ip.type_of_service = tos;
		ip.total_length = rte_cpu_to_be_16(len);
		ip.packet_id = rte_cpu_to_be_16(id);
		ip.fragment_offset = rte_cpu_to_be_16(frag);
		ip.time_to_live = ttl;
		ip.next_proto_id = proto;
		ip.src_addr = rte_cpu_to_be_32(src);
		ip.dst_addr = rte_cpu_to_be_32(dst);
		assert_int_equal(cksum_ipv4_hdr_fields(
				(uint16_t)(RTE_IPV4_VHL_DEF << 8 | tos), len,
				id, frag, (uint16_t)(ttl << 8 | proto), src,
				dst),
			rte_ipv4_cksum(&ip));
	}
}

/* The pseudo-header summed from its fields, and the header check on
 * receive, against DPDK's rte_ipv4_phdr_cksum and rte_ipv4_cksum over
 * random headers (with options too) and the extremes. */
static void
test_ipv4_phdr_and_verify(void **state)
{
	uint8_t buf[60];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	unsigned int i, k;

	(void)state;
	srand(777);
	for (i = 0; i < 200000; i++) {
		unsigned int ihl = 5 + (i % 11);
		uint16_t l4_len;

		for (k = 0; k < sizeof(buf); k++)
			buf[k] = (uint8_t)(i < 2 ? (i ? 0xff : 0) : rand());
		ip->version_ihl = (uint8_t)(0x40 | ihl);
		l4_len = (uint16_t)rte_be_to_cpu_16(ip->total_length);
		if (l4_len < ihl * 4)
			ip->total_length = rte_cpu_to_be_16(
				(uint16_t)(ihl * 4 + l4_len % 1500));
		l4_len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) -
				    ihl * 4);
		assert_int_equal(cksum_fold(cksum_ipv4_phdr_sum(
				ip->src_addr, ip->dst_addr,
				ip->next_proto_id, l4_len)),
			rte_ipv4_phdr_cksum(ip, 0));
		assert_int_equal(cksum_ipv4_hdr_verify(ip) == 0,
				 rte_ipv4_cksum(ip) == 0);
		/* Stored right, it verifies. */
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		assert_int_equal(cksum_ipv4_hdr_verify(ip), 0);
		buf[i % (ihl * 4)] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(cksum_ipv4_hdr_verify(ip), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_every_length_and_alignment),
		cmocka_unit_test(test_raw_all_ones_carries),
		cmocka_unit_test(test_fold_every_carry),
		cmocka_unit_test(test_short_carries_sum_in),
#if defined(__x86_64__)
		cmocka_unit_test(test_raw_vector_loops),
#endif
		cmocka_unit_test(test_chains_match_dpdk),
		cmocka_unit_test(test_ipv4_hdr_from_fields),
		cmocka_unit_test(test_ipv4_phdr_and_verify),
		cmocka_unit_test(test_ipv6_chains_match_dpdk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
