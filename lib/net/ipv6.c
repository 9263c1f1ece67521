/* SPDX-License-Identifier: BSD-3-Clause */
/* TEMPORARY stand-in for v6net's lib/net/ipv6.c (see ipv6.h). */
#include <string.h>

#include <rte_mbuf.h>

#include "app.h"
#include "config.h"
#include "ipv6.h"
#include "ipv6_ranges.h"

int
ipv6_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t *l4_off, uint32_t *l4_len)
{
	(void)w;
	(void)l3_off;
	(void)l4_off;
	(void)l4_len;
	rte_pktmbuf_free(m);
	return 0;
}

void
ipv6_output(struct worker *w, struct rte_mbuf *m, const uint8_t *src,
	    const uint8_t *dst, uint8_t proto)
{
	(void)w;
	(void)src;
	(void)dst;
	(void)proto;
	rte_pktmbuf_free(m);
}

int
ipv6_is_local(const struct app *app, const uint8_t *ip)
{
	return (app->cfg->has_ip6 && memcmp(ip, app->cfg->ip6, 16) == 0) ||
		ipv6_in_local_range(app, ip);
}
