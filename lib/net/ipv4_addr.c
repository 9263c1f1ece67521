/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our addresses and the next hop: what both halves of IPv4 and ARP ask,
 * apart from ipv4.c so that ARP (which ipv4_output calls) does not
 * include IPv4.
 */
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
	return ipv4_next_hop_cfg(w->cfg, dst);
}

int
ipv4_is_local(const struct app *app, uint32_t ip)
{
	uint32_t n, i;

	if (ip == app->cfg->ip && ip != 0)
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
