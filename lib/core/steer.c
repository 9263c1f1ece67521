/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "steer.h"

const uint8_t steer_default_key[STEER_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

int
steer_init(struct steer *s, uint16_t n_workers, int rss, uint16_t reta_size,
	   const uint8_t *rss_key)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t i;

	memset(s, 0, sizeof(*s));
	if (n_workers == 0 || n_workers > STEER_MAX_WORKERS)
		return -EINVAL;
	s->n_workers = n_workers;
	memcpy(s->rss_key, rss_key != NULL ? rss_key : steer_default_key,
	       STEER_KEY_LEN);
	if (n_workers == 1) {
		s->mode = STEER_SINGLE;
		return 0;
	}
	if (rss) {
		if (reta_size == 0 || reta_size > STEER_RETA_MAX ||
		    (reta_size & (reta_size - 1)) != 0)
			return -EINVAL;
		s->mode = STEER_RSS;
		s->reta_size = reta_size;
		for (i = 0; i < reta_size; i++)
			s->reta[i] = i % n_workers;
		return 0;
	}
	s->mode = STEER_SOFT;
	for (i = 0; i < n_workers; i++) {
		snprintf(name, sizeof(name), "steer_%u", i);
		/* Any worker may hand over; only the owner takes. */
		s->rings[i] = rte_ring_create(name, STEER_RING_SIZE,
					      (int)rte_socket_id(),
					      RING_F_SC_DEQ);
		if (s->rings[i] == NULL) {
			int rc = -rte_errno;

			steer_fini(s);
			return rc;
		}
	}
	return 0;
}

void
steer_fini(struct steer *s)
{
	struct rte_mbuf *m;
	uint16_t i;

	for (i = 0; i < STEER_MAX_WORKERS; i++) {
		if (s->rings[i] == NULL)
			continue;
		while (rte_ring_dequeue(s->rings[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(s->rings[i]);
		s->rings[i] = NULL;
	}
}

void
steer_set_listen_port(struct steer *s, uint16_t port, int on)
{
	uint64_t bit = 1ull << (port & 63);

	if (on)
		__atomic_fetch_or(&s->listen_bits[port >> 6], bit,
				  __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&s->listen_bits[port >> 6], ~bit,
				   __ATOMIC_RELEASE);
}

/* The TCP header of a plain IPv4 TCP frame (no fragment), or NULL for
 * anything else (ARP, ICMP, fragments, garbage); *ip set with it. */
/* The TCP header of an IPv4 or IPv6 frame, with its IP header in *ipp
 * (an IPv6 one cast: read its version first), or NULL. */
static const struct rte_tcp_hdr *
steer_frame_tcp(const struct rte_mbuf *m, const struct rte_ipv4_hdr **ipp)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen, l2 = sizeof(*eh);
	rte_be16_t type;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ip))
		return NULL;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	type = eh->ether_type;
	/* --vlan without the port's strip: the tag is still in the frame
	 * (lib/net/eth.c checks it; here it is only skipped). */
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		l2 += sizeof(struct rte_vlan_hdr);
		if (rte_pktmbuf_data_len(m) < l2 + sizeof(*ip))
			return NULL;
		type = ((const struct rte_vlan_hdr *)(eh + 1))->eth_proto;
	}
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		const uint8_t *ip6 = rte_pktmbuf_mtod_offset(m,
			const uint8_t *, l2);

		/* TCP right after the fixed header; extension headers
		 * (rare) are processed wherever they arrive. */
		if (rte_pktmbuf_data_len(m) < l2 + 40 +
		    sizeof(struct rte_tcp_hdr) || (ip6[0] >> 4) != 6 ||
		    ip6[6] != IPPROTO_TCP)
			return NULL;
		*ipp = (const struct rte_ipv4_hdr *)(const void *)ip6;
		return (const struct rte_tcp_hdr *)(ip6 + 40);
	}
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2);
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_TCP || hlen < sizeof(*ip) ||
	    (ip->fragment_offset &
	     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			      RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
	    rte_pktmbuf_data_len(m) < l2 + hlen +
	    sizeof(struct rte_tcp_hdr))
		return NULL;
	*ipp = ip;
	return (const struct rte_tcp_hdr *)((const uint8_t *)ip + hlen);
}

/* ip: the IPv4 or IPv6 header steer_frame_tcp found (the version
 * nibble tells which). */
static uint16_t
steer_tcp_owner(const struct steer *s, const struct rte_ipv4_hdr *ip,
		const struct rte_tcp_hdr *th)
{
	if ((ip->version_ihl >> 4) == 6) {
		const uint8_t *ip6 = (const uint8_t *)ip;

		return steer_owner6(s, ip6 + 8, ip6 + 24,
				    rte_be_to_cpu_16(th->src_port),
				    rte_be_to_cpu_16(th->dst_port));
	}
	return steer_owner(s, rte_be_to_cpu_32(ip->src_addr),
			   rte_be_to_cpu_32(ip->dst_addr),
			   rte_be_to_cpu_16(th->src_port),
			   rte_be_to_cpu_16(th->dst_port));
}

/* The owner of a frame, or self for anything that is not plain IPv4 TCP
 * (handled, or dropped, where it lands). */
static uint16_t
steer_frame_owner(const struct steer *s, uint16_t self,
		  const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = NULL;
	const struct rte_tcp_hdr *th = steer_frame_tcp(m, &ip);

	return th == NULL ? self : steer_tcp_owner(s, ip, th);
}

/* Only connection openings are checked: one hash per connection, not
 * per packet, and a wrong guess shows on the first SYN-ACK. */
static void
steer_rss_check(const struct steer *s, uint16_t self,
		struct rte_mbuf **pkts, uint16_t n, uint64_t *mismatch)
{
	const struct rte_ipv4_hdr *ip = NULL;
	const struct rte_tcp_hdr *th;
	uint16_t i;

	for (i = 0; i < n; i++) {
		th = steer_frame_tcp(pkts[i], &ip);
		if (th != NULL && (th->tcp_flags & RTE_TCP_SYN_FLAG) &&
		    steer_tcp_owner(s, ip, th) != self)
			(*mismatch)++;
	}
}

uint16_t
steer_rx_burst(struct steer *s, uint16_t self, struct rte_mbuf **pkts,
	       uint16_t n, uint64_t *handed_off, uint64_t *drops,
	       uint64_t *rss_mismatch)
{
	uint16_t keep = 0, i;

	if (s->mode == STEER_RSS)
		steer_rss_check(s, self, pkts, n, rss_mismatch);
	if (s->mode != STEER_SOFT)
		return n;
	for (i = 0; i < n; i++) {
		uint16_t owner = steer_frame_owner(s, self, pkts[i]);

		if (owner == self) {
			pkts[keep++] = pkts[i];
			continue;
		}
		/* One at a time: bursts here are mixed, and a ring
		 * enqueue is a single CAS when uncontended. */
		if (rte_ring_mp_enqueue(s->rings[owner], pkts[i]) == 0) {
			(*handed_off)++;
		} else {
			(*drops)++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	return keep;
}

void
steer_key_format(const uint8_t *key, char *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (len < 2 * STEER_KEY_LEN + 1) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	for (i = 0; i < STEER_KEY_LEN; i++) {
		buf[2 * i] = digits[key[i] >> 4];
		buf[2 * i + 1] = digits[key[i] & 0xf];
	}
	buf[2 * STEER_KEY_LEN] = '\0';
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
steer_key_parse(const char *hex, uint8_t *key)
{
	uint8_t k[STEER_KEY_LEN];
	size_t i;

	if (hex == NULL || strlen(hex) != 2 * STEER_KEY_LEN)
		return -1;
	for (i = 0; i < STEER_KEY_LEN; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		k[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(key, k, sizeof(k));
	return 0;
}
