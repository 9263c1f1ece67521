/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our addresses and the next hop: what both halves of IPv4 and ARP ask,
 * apart from ipv4.c so that ARP (which ipv4_output calls) does not
 * include IPv4.
 */
#include <string.h>

#include <rte_branch_prediction.h>

#include "config.h"
#include "ipv4_addr.h"
#include "worker.h"

uint32_t
ipv4_next_hop_cfg(const struct dpf_config *cfg, uint32_t dst)
{
	uint32_t mask;

	/* No --ip (an IPv6-only run): no IPv4 route at all. */
	if (cfg->ip == 0)
		return 0;
	mask = (uint32_t)(0xffffffffu << (32 - cfg->prefix_len));
	if ((dst & mask) == (cfg->ip & mask))
		return dst;
	return cfg->gateway;
}

uint32_t
ipv4_next_hop(const struct worker *w, uint32_t dst)
{
	uint8_t iface;

	return ipv4_route(w, dst, &iface);
}

uint32_t
ipv4_route(const struct worker *w, uint32_t dst, uint8_t *iface)
{
	const struct route *r;

	*iface = 0;
	if (likely(w->app->n_addrs <= 1))
		return ipv4_next_hop_cfg(w->cfg, dst);
	r = route_lookup(&w->app->routes, dst);
	if (r == NULL)
		return 0;
	*iface = r->iface;
	return r->gateway != 0 ? r->gateway : dst;
}

uint8_t
ipv4_iface_of(const struct app *app, uint32_t ip)
{
	const struct route *r;

	if (likely(app->n_ifaces <= 1))
		return 0;
	r = route_lookup(&app->routes, ip);
	return r == NULL ? 0 : r->iface;
}

uint32_t
ipv4_src_for(const struct app *app, uint32_t dst)
{
	const struct route *r;

	if (likely(app->n_addrs <= 1))
		return app->cfg->ip;
	r = route_lookup(&app->routes, dst);
	return r == NULL ? app->cfg->ip : r->src;
}

int
ipv4_ifaces_init(struct app *app, char *err, size_t errlen)
{
	const struct dpf_config *cfg = app->cfg;
	uint16_t vlans[ROUTE_IFACES_MAX];
	unsigned int n_ifaces = 1, i;

	app->n_addrs = (uint16_t)cfg->n_addrs;
	app->n_ifaces = 1;
	app->ifaces[0].vlan = cfg->vlan;
	if (cfg->n_addrs == 0)
		return 0;
	memcpy(app->addrs, cfg->addrs, cfg->n_addrs * sizeof(cfg->addrs[0]));
	if (route_build(app->addrs, cfg->n_addrs, cfg->vlan, cfg->gateway,
			&app->routes, vlans, &n_ifaces, err, errlen) != 0)
		return -1;
	for (i = 0; i < n_ifaces; i++)
		app->ifaces[i].vlan = vlans[i];
	app->n_ifaces = (uint16_t)n_ifaces;
	return 0;
}

int
ipv4_is_local(const struct app *app, uint32_t ip)
{
	uint32_t n, i;

	if (ip == app->cfg->ip && ip != 0)
		return 1;
	for (i = 1; i < app->n_addrs; i++)
		if (ip == app->addrs[i].ip)
			return 1;
	n = __atomic_load_n(&app->local.n, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++)
		if (ip >= app->local.r[i].lo && ip <= app->local.r[i].hi)
			return 1;
	return 0;
}

int
ipv4_add_local_range(struct app *app, uint32_t lo, uint32_t hi)
{
	uint32_t n = app->local.n, i;

	for (i = 0; i < n; i++)
		if (app->local.r[i].lo == lo && app->local.r[i].hi == hi)
			return 0;
	if (n == LOCAL_RANGES_MAX)
		return -1;
	app->local.r[n].lo = lo;
	app->local.r[n].hi = hi;
	__atomic_store_n(&app->local.n, n + 1, __ATOMIC_RELEASE);
	return 0;
}
