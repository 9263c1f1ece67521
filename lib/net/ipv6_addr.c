/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "ipv6_addr.h"
#include "ipv6_ranges.h"
#include "worker.h"

int
ipv6_is_own(const struct app *app, const uint8_t *ip)
{
	/* Jobs' IPv6 src_ips ranges too (ipv6_ranges.c, v6tcp). */
	return (app->cfg->has_ip6 && memcmp(ip, app->cfg->ip6, 16) == 0) ||
		ipv6_in_local_range(app, ip);
}

int
ipv6_is_local(const struct app *app, const uint8_t *ip)
{
	return ipv6_is_own(app, ip) && !app->ip6_tentative;
}

void
ipv6_hdr_fill(struct rte_ipv6_hdr *ip6, const uint8_t *src,
	      const uint8_t *dst, uint8_t proto, uint8_t hop_limit,
	      uint16_t payload_len)
{
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(payload_len);
	ip6->proto = proto;
	ip6->hop_limits = hop_limit;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
}

static int
ipv6_prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff00 >> bits)) == 0;
}

int
ipv6_next_hop(const struct app *app, const uint8_t *dst, uint8_t *nh)
{
	static const uint8_t zero[16];
	const struct dpf_config *cfg = app->cfg;

	if (!cfg->has_ip6)
		return -1;
	/* fe80::/10 is on every link. */
	if ((dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) ||
	    ipv6_prefix_match(dst, cfg->ip6, cfg->ip6_prefix)) {
		memcpy(nh, dst, 16);
		return 0;
	}
	if (memcmp(cfg->gateway6, zero, 16) == 0)
		return -1;
	memcpy(nh, cfg->gateway6, 16);
	return 0;
}
