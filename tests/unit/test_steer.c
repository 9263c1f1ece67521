/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for flow steering (steer.h): the owner of a tuple under RSS
 * and under software steering, and the client's source-port choice, which
 * must make the server's replies come back to the worker that opened the
 * connection.  No EAL: rte_softrss is plain arithmetic, and the handoff
 * rings are only made by steer_init in software mode (not called here).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "steer.h"
#include "toeplitz.h"

#define IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	 ((uint32_t)(c) << 8) | (uint32_t)(d))

static void
rss_steer(struct steer *s, uint16_t n_workers, uint16_t reta_size)
{
	assert_int_equal(steer_init(s, n_workers, 1, reta_size, NULL), 0);
	assert_int_equal(s->mode, STEER_RSS);
}

/* The key 0x6d5a... is symmetric: both directions of a flow hash alike,
 * which is what lets a client predict the hash of the server's reply. */
static void
test_symmetric_key(void **state)
{
	struct steer s;
	uint32_t i;

	(void)state;
	rss_steer(&s, 4, 128);
	for (i = 0; i < 10000; i++) {
		uint32_t a = IP(198, 18, 0, 1) + i * 7919;
		uint32_t b = IP(198, 18, 1, 2) + i * 104729;
		uint16_t pa = (uint16_t)(1024 + i * 13), pb = (uint16_t)(80 + i);

		assert_int_equal(steer_rss_hash(&s, a, b, pa, pb),
				 steer_rss_hash(&s, b, a, pb, pa));
	}
}

/* A port that steer_local_port_ok accepts for worker k brings the reply
 * (remote -> local) to k's queue; every worker finds ports, in about
 * equal shares. */
static void
test_rss_port_choice(void **state)
{
	const uint32_t local = IP(198, 18, 0, 2), remote = IP(198, 18, 0, 1);
	unsigned int count[4] = { 0 };
	struct steer s;
	uint32_t p;
	uint16_t k;

	(void)state;
	rss_steer(&s, 4, 512);
	for (p = 32768; p < 61000; p++) {
		unsigned int owners = 0;

		for (k = 0; k < 4; k++) {
			if (!steer_local_port_ok(&s, k, local, remote,
						 (uint16_t)p, 80))
				continue;
			owners++;
			count[k]++;
			assert_int_equal(steer_owner(&s, remote, local, 80,
						     (uint16_t)p), k);
		}
		/* Exactly one worker may use each port. */
		assert_int_equal(owners, 1);
	}
	for (k = 0; k < 4; k++)
		assert_in_range(count[k], 28232 / 4 * 8 / 10,
				28232 / 4 * 12 / 10);
}

/* Software steering: client connections by source port modulo the
 * workers, connections to our listeners by a hash of the remote end. */
static void
test_soft_owner(void **state)
{
	const uint32_t local = IP(198, 18, 0, 2), remote = IP(198, 18, 0, 1);
	unsigned int spread[3] = { 0 };
	struct steer s;
	uint32_t i;
	uint16_t k;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.mode = STEER_SOFT;
	s.n_workers = 3;
	for (i = 40000; i < 40300; i++) {
		k = steer_owner(&s, remote, local, 80, (uint16_t)i);
		assert_int_equal(k, i % 3);
		assert_true(steer_local_port_ok(&s, k, local, remote,
						(uint16_t)i, 80));
		assert_false(steer_local_port_ok(&s, (k + 1) % 3, local,
						 remote, (uint16_t)i, 80));
	}
	/* A listener: the owner follows the remote end, not our port. */
	steer_set_listen_port(&s, 8080, 1);
	assert_true(steer_is_listen_port(&s, 8080));
	for (i = 0; i < 3000; i++) {
		uint32_t rip = IP(198, 18, 0, 10) + i % 50;
		uint16_t rport = (uint16_t)(32768 + i);

		k = steer_owner(&s, rip, local, rport, 8080);
		assert_int_equal(k, steer_remote_owner(&s, rip, rport));
		assert_int_equal(k, steer_owner(&s, rip, local, rport, 8080));
		spread[k]++;
	}
	for (k = 0; k < 3; k++)
		assert_in_range(spread[k], 800, 1200);
	/* A listening port is never a source port. */
	assert_false(steer_local_port_ok(&s, 8080 % 3, local, remote, 8080,
					 80));
	steer_set_listen_port(&s, 8080, 0);
	assert_false(steer_is_listen_port(&s, 8080));
	assert_int_equal(steer_owner(&s, remote, local, 80, 8080), 8080 % 3);
}

static void
test_single_and_bad_args(void **state)
{
	struct steer s;

	(void)state;
	assert_int_equal(steer_init(&s, 1, 1, 128, NULL), 0);
	assert_int_equal(s.mode, STEER_SINGLE);
	assert_int_equal(steer_owner(&s, 1, 2, 3, 4), 0);
	assert_true(steer_local_port_ok(&s, 0, 2, 1, 4, 3));
	assert_int_not_equal(steer_init(&s, 0, 0, 0, NULL), 0);
	/* The redirection table must be a power of two we can hold. */
	assert_int_not_equal(steer_init(&s, 2, 1, 100, NULL), 0);
	assert_int_not_equal(steer_init(&s, 2, 1, 1024, NULL), 0);
}

/* Microsoft's RSS verification suite (IPv4 with TCP ports), as in the
 * 82599 datasheet and DPDK's test_thash.c. */
static const uint8_t ms_key[STEER_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const struct {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t hash;
} ms_vectors[] = {
	{ IP(66, 9, 149, 187), IP(161, 142, 100, 80), 2794, 1766, 0x51ccc178 },
	{ IP(199, 92, 111, 2), IP(65, 69, 140, 83), 14230, 4739, 0xc626b0ea },
	{ IP(24, 19, 198, 95), IP(12, 22, 207, 184), 12898, 38024,
	  0x5c2b394a },
	{ IP(38, 27, 205, 30), IP(209, 142, 163, 6), 48228, 2217, 0xafc7327f },
	{ IP(153, 39, 163, 191), IP(202, 188, 127, 2), 44251, 1303,
	  0x10e828a2 },
};

static void
wire_tuple(uint8_t *in, uint32_t src, uint32_t dst, uint16_t sport,
	   uint16_t dport)
{
	uint32_t a = rte_cpu_to_be_32(src), b = rte_cpu_to_be_32(dst);
	uint16_t c = rte_cpu_to_be_16(sport), d = rte_cpu_to_be_16(dport);

	memcpy(in, &a, 4);
	memcpy(in + 4, &b, 4);
	memcpy(in + 8, &c, 2);
	memcpy(in + 10, &d, 2);
}

/* dpfetch's prediction (rte_softrss over host-order words) and the RSS
 * bridge's NIC (Toeplitz over the wire bytes) agree with the published
 * hashes, and with each other under dpfetch's own key. */
static void
test_toeplitz_vectors(void **state)
{
	uint8_t in[TOEPLITZ_V4_TCP_LEN];
	struct steer s;
	size_t i;

	(void)state;
	rss_steer(&s, 2, 128);
	memcpy(s.rss_key, ms_key, sizeof(ms_key));
	for (i = 0; i < RTE_DIM(ms_vectors); i++) {
		wire_tuple(in, ms_vectors[i].src, ms_vectors[i].dst,
			   ms_vectors[i].sport, ms_vectors[i].dport);
		assert_int_equal(toeplitz_hash(ms_key, sizeof(ms_key), in,
					       sizeof(in)), ms_vectors[i].hash);
		assert_int_equal(steer_rss_hash(&s, ms_vectors[i].src,
						ms_vectors[i].dst,
						ms_vectors[i].sport,
						ms_vectors[i].dport),
				 ms_vectors[i].hash);
	}
	rss_steer(&s, 2, 128);
	for (i = 0; i < 5000; i++) {
		uint32_t a = IP(198, 18, 2, 1) + (uint32_t)i * 7919;
		uint32_t b = IP(198, 18, 2, 2);
		uint16_t pa = 80, pb = (uint16_t)(32768 + i);

		wire_tuple(in, a, b, pa, pb);
		assert_int_equal(toeplitz_hash(steer_default_key,
					       STEER_KEY_LEN, in, sizeof(in)),
				 steer_rss_hash(&s, a, b, pa, pb));
	}
}

/*
 * IPv6: steer_rss_hash6 (rte_softrss over the IPv6 tuple) against
 * Microsoft's IPv6-with-TCP verification vectors and the independent
 * Toeplitz over the wire bytes; ports chosen for worker k bring the
 * reply to k; software steering as for IPv4.
 */
static void
test_ipv6(void **state)
{
	static const struct {
		const char *src, *dst;
		uint16_t sport, dport;
		uint32_t hash;
	} v6[] = {
		{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766,
		  0x40207d3d },
		{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739,
		  0xdde51bbf },
		{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
		  "fe80::200:f8ff:fe21:67cf", 44251, 38024, 0x02d1feef },
	};
	uint8_t in[36], local[16], remote[16];
	unsigned int count[2] = { 0 };
	struct steer s;
	uint16_t c, d, k;
	uint32_t p;
	size_t i;

	(void)state;
	rss_steer(&s, 2, 128);
	memcpy(s.rss_key, ms_key, sizeof(ms_key));
	for (i = 0; i < RTE_DIM(v6); i++) {
		assert_int_equal(inet_pton(AF_INET6, v6[i].src, in), 1);
		assert_int_equal(inet_pton(AF_INET6, v6[i].dst, in + 16), 1);
		c = rte_cpu_to_be_16(v6[i].sport);
		d = rte_cpu_to_be_16(v6[i].dport);
		memcpy(in + 32, &c, 2);
		memcpy(in + 34, &d, 2);
		assert_int_equal(toeplitz_hash(ms_key, sizeof(ms_key), in,
					       sizeof(in)), v6[i].hash);
		assert_int_equal(steer_rss_hash6(&s, in, in + 16,
						 v6[i].sport, v6[i].dport),
				 v6[i].hash);
	}
	/* The default key is symmetric for IPv6 too; each port has one
	 * owner, the one the reply's hash names. */
	rss_steer(&s, 2, 512);
	inet_pton(AF_INET6, "2001:2::2", local);
	inet_pton(AF_INET6, "2001:2::1", remote);
	for (p = 32768; p < 61000; p++) {
		unsigned int owners = 0;

		assert_int_equal(steer_rss_hash6(&s, local, remote,
						 (uint16_t)p, 80),
				 steer_rss_hash6(&s, remote, local, 80,
						 (uint16_t)p));
		for (k = 0; k < 2; k++) {
			if (!steer_local_port_ok6(&s, k, local, remote,
						  (uint16_t)p, 80))
				continue;
			owners++;
			count[k]++;
			assert_int_equal(steer_owner6(&s, remote, local, 80,
						      (uint16_t)p), k);
		}
		assert_int_equal(owners, 1);
	}
	for (k = 0; k < 2; k++)
		assert_in_range(count[k], 28232 / 2 * 8 / 10,
				28232 / 2 * 12 / 10);
	/* Software steering: our ports by residue, listeners by the remote
	 * end (all 128 bits count). */
	memset(&s, 0, sizeof(s));
	s.mode = STEER_SOFT;
	s.n_workers = 2;
	for (p = 40000; p < 40100; p++)
		assert_int_equal(steer_owner6(&s, remote, local, 80,
					      (uint16_t)p), p % 2);
	steer_set_listen_port(&s, 80, 1);
	memset(count, 0, sizeof(count));
	for (p = 0; p < 2000; p++) {
		remote[15] = (uint8_t)p;
		remote[8] = (uint8_t)(p >> 8);
		k = steer_owner6(&s, remote, local, 40000, 80);
		assert_int_equal(k, steer_remote_owner6(&s, remote, 40000));
		count[k]++;
	}
	assert_in_range(count[0], 800, 1200);
}

static void
test_key_format_parse(void **state)
{
	char hex[2 * STEER_KEY_LEN + 1], small[10];
	uint8_t key[STEER_KEY_LEN], orig[STEER_KEY_LEN];

	(void)state;
	steer_key_format(steer_default_key, hex, sizeof(hex));
	assert_string_equal(hex, "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a"
			    "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a");
	steer_key_format(ms_key, hex, sizeof(hex));
	assert_string_equal(hex, "6d5a56da255b0ec24167253d43a38fb0d0ca2bcb"
			    "ae7b30b477cb2da38030f20c6a42b73bbeac01fa");
	assert_int_equal(steer_key_parse(hex, key), 0);
	assert_memory_equal(key, ms_key, sizeof(key));
	/* Upper case too. */
	assert_int_equal(steer_key_parse("6D5A56DA255B0EC24167253D43A38FB0"
					 "D0CA2BCBAE7B30B477CB2DA38030F20C"
					 "6A42B73BBEAC01FA", key), 0);
	assert_memory_equal(key, ms_key, sizeof(key));
	/* Refused, key untouched: short, long, not hex, empty, NULL. */
	memcpy(orig, key, sizeof(key));
	hex[78] = '\0';
	assert_int_equal(steer_key_parse(hex, key), -1);
	assert_int_equal(steer_key_parse("6d5a56da255b0ec24167253d43a38fb0"
					 "d0ca2bcbae7b30b477cb2da38030f20c"
					 "6a42b73bbeac01fa00", key), -1);
	assert_int_equal(steer_key_parse("6d5a56da255b0ec24167253d43a38fb0"
					 "d0ca2bcbae7b30b477cb2da38030f20c"
					 "6a42b73bbeac01fg", key), -1);
	assert_int_equal(steer_key_parse(" d5a56da255b0ec24167253d43a38fb0"
					 "d0ca2bcbae7b30b477cb2da38030f20c"
					 "6a42b73bbeac01fa", key), -1);
	assert_int_equal(steer_key_parse("", key), -1);
	assert_int_equal(steer_key_parse(NULL, key), -1);
	assert_memory_equal(key, orig, sizeof(key));
	/* A buffer too small gets "". */
	strcpy(small, "x");
	steer_key_format(ms_key, small, sizeof(small));
	assert_string_equal(small, "");
}

/* A frame in a hand-made mbuf (no pool: steer_rx_burst only reads it
 * in RSS mode). */
struct frame {
	struct rte_mbuf m;
	uint8_t data[128];
};

static void
tcp_frame(struct frame *f, uint32_t src, uint32_t dst, uint16_t sport,
	  uint16_t dport, uint8_t flags)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->data;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	memset(f, 0, sizeof(*f));
	f->m.buf_addr = f->data;
	f->m.data_off = 0;
	f->m.data_len = sizeof(*eh) + sizeof(*ip) + sizeof(*th);
	f->m.pkt_len = f->m.data_len;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->tcp_flags = flags;
}

/* RSS mode keeps every packet and counts the SYNs and SYN-ACKs that
 * reached a worker other than the one the key and table name. */
static void
test_rss_mismatch(void **state)
{
	struct frame f[4];
	struct rte_mbuf *pkts[4];
	uint64_t out = 0, drops = 0, mism = 0;
	uint32_t a = IP(198, 18, 2, 1), b = IP(198, 18, 2, 2);
	uint16_t owner, other, sport = 0;
	struct steer s;
	int i;

	(void)state;
	rss_steer(&s, 2, 128);
	owner = steer_owner(&s, a, b, 80, 40000);
	other = (uint16_t)(1 - owner);
	tcp_frame(&f[0], a, b, 80, 40000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	tcp_frame(&f[1], a, b, 80, 40000, RTE_TCP_ACK_FLAG);
	tcp_frame(&f[2], a, b, 80, 40000, RTE_TCP_SYN_FLAG);
	/* not TCP */
	tcp_frame(&f[3], a, b, 80, 40000, RTE_TCP_SYN_FLAG);
	((struct rte_ether_hdr *)f[3].data)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	for (i = 0; i < 4; i++)
		pkts[i] = &f[i].m;
	assert_int_equal(steer_rx_burst(&s, owner, pkts, 4, &out, &drops,
					&mism), 4);
	assert_int_equal(mism, 0);
	assert_int_equal(steer_rx_burst(&s, other, pkts, 4, &out, &drops,
					&mism), 4);
	assert_int_equal(mism, 2);	/* the SYN-ACK and the SYN */
	assert_int_equal(out, 0);
	assert_int_equal(drops, 0);
	for (i = 0; i < 4; i++)
		assert_ptr_equal(pkts[i], &f[i].m);
	/* A port steer_local_port_ok gives worker 1 brings its SYN-ACK to
	 * worker 1 without a mismatch. */
	mism = 0;
	for (i = 32768; i < 33000; i++)
		if (steer_local_port_ok(&s, 1, b, a, (uint16_t)i, 80)) {
			sport = (uint16_t)i;
			break;
		}
	assert_int_not_equal(sport, 0);
	tcp_frame(&f[0], a, b, 80, sport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(steer_rx_burst(&s, 1, pkts, 1, &out, &drops, &mism),
			 1);
	assert_int_equal(mism, 0);
	/* Other modes count nothing. */
	assert_int_equal(steer_init(&s, 1, 1, 128, NULL), 0);
	assert_int_equal(steer_rx_burst(&s, 0, pkts, 4, &out, &drops, &mism),
			 4);
	assert_int_equal(mism, 0);
}

/* A frame still carrying its 802.1Q tag (--vlan, no strip offload) is
 * steered by the IPv4/TCP header after the tag. */
static void
test_vlan_tagged_frame(void **state)
{
	struct frame f;
	struct rte_mbuf *pkts[1] = { &f.m };
	uint64_t out = 0, drops = 0, mism = 0;
	uint32_t a = IP(198, 18, 2, 1), b = IP(198, 18, 2, 2);
	struct rte_vlan_hdr *vh;
	uint16_t owner;
	struct steer s;

	(void)state;
	rss_steer(&s, 2, 128);
	owner = steer_owner(&s, a, b, 80, 40000);
	tcp_frame(&f, a, b, 80, 40000, RTE_TCP_SYN_FLAG);
	memmove(f.data + 16, f.data + 12, f.m.data_len - 12);
	((struct rte_ether_hdr *)f.data)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	vh = (struct rte_vlan_hdr *)(f.data + 14);
	vh->vlan_tci = rte_cpu_to_be_16(100);
	f.m.data_len += 4;
	f.m.pkt_len = f.m.data_len;
	assert_int_equal(steer_rx_burst(&s, owner, pkts, 1, &out, &drops,
					&mism), 1);
	assert_int_equal(mism, 0);
	assert_int_equal(steer_rx_burst(&s, (uint16_t)(1 - owner), pkts, 1,
					&out, &drops, &mism), 1);
	assert_int_equal(mism, 1);
	/* Cut inside the IP header: not steered, not read past the end. */
	f.m.data_len = 14 + 4 + 10;
	f.m.pkt_len = f.m.data_len;
	mism = 0;
	assert_int_equal(steer_rx_burst(&s, (uint16_t)(1 - owner), pkts, 1,
					&out, &drops, &mism), 1);
	assert_int_equal(mism, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symmetric_key),
		cmocka_unit_test(test_rss_port_choice),
		cmocka_unit_test(test_soft_owner),
		cmocka_unit_test(test_single_and_bad_args),
		cmocka_unit_test(test_toeplitz_vectors),
		cmocka_unit_test(test_key_format_parse),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_rss_mismatch),
		cmocka_unit_test(test_vlan_tagged_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
