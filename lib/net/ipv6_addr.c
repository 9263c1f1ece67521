/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "ipv6_addr.h"
#include "ipv6_ranges.h"
#include "worker.h"

int
ipv6_is_own(const struct app *app, const uint8_t *ip)
{
	/* Jobs' IPv6 src_ips ranges too (ipv6_ranges.c, v6tcp). */
	uint16_t i;

	if (app->cfg->has_ip6 && memcmp(ip, app->cfg->ip6, 16) == 0)
		return 1;
	for (i = 1; i < app->n_addrs6; i++)
		if (memcmp(ip, app->addrs6[i].ip, 16) == 0)
			return 1;
	return ipv6_in_local_range(app, ip);
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

int
ipv6_next_hop(const struct app *app, const uint8_t *dst, uint8_t *nh)
{
	const uint8_t *src;
	uint8_t iface;

	return ipv6_route(app, dst, nh, &iface, &src);
}

int
ipv6_route(const struct app *app, const uint8_t *dst, uint8_t *nh,
	   uint8_t *iface, const uint8_t **src)
{
	static const uint8_t zero[16];
	const struct dpf_config *cfg = app->cfg;
	const struct route6 *r;

	*iface = 0;
	*src = cfg->ip6;
	if (likely(app->n_addrs6 > 0)) {
		r = route6_lookup(&app->routes6, dst);
		if (r == NULL)
			return -1;
		*iface = r->iface;
		*src = r->src;
		memcpy(nh, r->has_gateway ? r->gateway : dst, 16);
		return 0;
	}
	/* No routes built (a unit test's bare config): --ip6 alone. */
	if (!cfg->has_ip6)
		return -1;
	/* fe80::/10 is on every link. */
	if ((dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) ||
	    route6_prefix_match(dst, cfg->ip6, cfg->ip6_prefix)) {
		memcpy(nh, dst, 16);
		return 0;
	}
	if (memcmp(cfg->gateway6, zero, 16) == 0)
		return -1;
	memcpy(nh, cfg->gateway6, 16);
	return 0;
}

uint8_t
ipv6_iface_of(const struct app *app, const uint8_t *ip)
{
	const struct route6 *r;

	if (likely(app->n_ifaces <= 1) || app->n_addrs6 == 0)
		return 0;
	r = route6_lookup(&app->routes6, ip);
	return r == NULL ? 0 : r->iface;
}

const uint8_t *
ipv6_src_for(const struct app *app, const uint8_t *dst)
{
	const struct route6 *r;

	if (likely(app->n_addrs6 <= 1))
		return app->cfg->ip6;
	r = route6_lookup(&app->routes6, dst);
	return r == NULL ? app->cfg->ip6 : r->src;
}

const uint8_t *
ipv6_addr_on_iface(const struct app *app, uint8_t iface)
{
	uint16_t i;

	if (app->n_addrs6 == 0)
		return app->cfg->has_ip6 && iface == 0 ? app->cfg->ip6 : NULL;
	for (i = 0; i < app->n_addrs6; i++)
		if (app->addrs6[i].iface == iface)
			return app->addrs6[i].ip;
	return NULL;
}

int
ipv6_ifaces_init(struct app *app, char *err, size_t errlen)
{
	const struct dpf_config *cfg = app->cfg;
	uint16_t vlans[ROUTE_IFACES_MAX];
	unsigned int n_ifaces, i;

	app->n_addrs6 = (uint16_t)cfg->n_addrs6;
	if (cfg->n_addrs6 == 0)
		return 0;
	/* IPv4's interfaces first; without --ip the first --ip6's tag is
	 * interface 0. */
	n_ifaces = cfg->n_addrs > 0 ? app->n_ifaces : 0;
	for (i = 0; i < n_ifaces; i++)
		vlans[i] = app->ifaces[i].vlan;
	memcpy(app->addrs6, cfg->addrs6,
	       cfg->n_addrs6 * sizeof(cfg->addrs6[0]));
	if (route6_build(app->addrs6, cfg->n_addrs6, cfg->vlan, cfg->gateway6,
			 &app->routes6, vlans, &n_ifaces, err, errlen) != 0)
		return -1;
	for (i = 0; i < n_ifaces; i++)
		app->ifaces[i].vlan = vlans[i];
	app->n_ifaces = (uint16_t)n_ifaces;
	return 0;
}
