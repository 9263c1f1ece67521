/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "route6.h"

int
route6_is_zero(const uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (a[i] != 0)
			return 0;
	return 1;
}

int
route6_add(struct route6_table *t, const uint8_t *prefix, uint8_t len,
	   const uint8_t *gateway, const uint8_t *src, uint8_t iface)
{
	struct route6 *r;
	uint32_t i, b;

	if (t->n == ROUTE6_MAX)
		return -1;
	/* After every route at least as long: ties keep their order. */
	for (i = 0; i < t->n && t->r[i].len >= len; i++)
		;
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(t->r[0]));
	r = &t->r[i];
	memset(r, 0, sizeof(*r));
	for (b = 0; b < 16; b++) {
		unsigned int keep = len >= 8 * (b + 1) ? 8 :
			len > 8 * b ? len - 8 * b : 0;

		r->prefix[b] = prefix[b] & (uint8_t)(0xff00 >> keep);
	}
	r->len = len;
	r->iface = iface;
	if (gateway != NULL) {
		r->has_gateway = 1;
		memcpy(r->gateway, gateway, 16);
	}
	memcpy(r->src, src, 16);
	t->n++;
	return 0;
}

const struct route6 *
route6_lookup(const struct route6_table *t, const uint8_t *dst)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		if (route6_prefix_match(dst, t->r[i].prefix, t->r[i].len))
			return &t->r[i];
	return NULL;
}

int
route6_build(struct route6_addr *a, unsigned int n, uint16_t default_vlan,
	     const uint8_t *gateway, struct route6_table *t, uint16_t *vlans,
	     unsigned int *n_ifaces, char *err, size_t errlen)
{
	static const uint8_t link_local[16] = { 0xfe, 0x80 };
	char s1[INET6_ADDRSTRLEN], s2[INET6_ADDRSTRLEN];
	unsigned int i, k, gw_owner = n;
	int gw_len = -1;

	memset(t, 0, sizeof(*t));
	if (gateway != NULL && route6_is_zero(gateway))
		gateway = NULL;
	for (i = 0; i < n; i++) {
		uint16_t vlan = a[i].vlan != 0 ? a[i].vlan : default_vlan;
		int has_gw = !route6_is_zero(a[i].gateway);

		inet_ntop(AF_INET6, a[i].ip, s1, sizeof(s1));
		for (k = 0; k < i; k++) {
			inet_ntop(AF_INET6, a[k].ip, s2, sizeof(s2));
			if (memcmp(a[k].ip, a[i].ip, 16) == 0)
				return errbuf_set(err, errlen,
					"--ip6: %s is given twice", s1);
			if (a[k].prefix_len == a[i].prefix_len &&
			    route6_prefix_match(a[k].ip, a[i].ip,
						a[i].prefix_len))
				return errbuf_set(err, errlen,
					"--ip6 %s/%u: its prefix is already %s's (one address per prefix; a longer or shorter prefix may overlap)",
					s1, a[i].prefix_len, s2);
			if (memcmp(a[k].gateway, a[i].ip, 16) == 0 ||
			    memcmp(a[i].gateway, a[k].ip, 16) == 0)
				return errbuf_set(err, errlen,
					"--ip6 %s: a gateway6 is one of our own addresses",
					s1);
		}
		inet_ntop(AF_INET6, a[i].gateway, s2, sizeof(s2));
		if (has_gw &&
		    (!route6_prefix_match(a[i].gateway, a[i].ip,
					  a[i].prefix_len) ||
		     memcmp(a[i].gateway, a[i].ip, 16) == 0) &&
		    !(a[i].gateway[0] == 0xfe &&
		      (a[i].gateway[1] & 0xc0) == 0x80))
			return errbuf_set(err, errlen,
				"--ip6 %s/%u: gateway6=%s must be another address inside its prefix (or link-local)",
				s1, a[i].prefix_len, s2);
		if (gateway != NULL && memcmp(gateway, a[i].ip, 16) == 0)
			return errbuf_set(err, errlen,
				"--gateway6 is the appliance's own address");
		/* --gateway6 goes with the most specific prefix holding it
		 * (a link-local one with the first address without one). */
		if (gateway != NULL && !has_gw &&
		    (route6_prefix_match(gateway, a[i].ip, a[i].prefix_len) ?
		     (int)a[i].prefix_len > gw_len :
		     (gateway[0] == 0xfe && (gateway[1] & 0xc0) == 0x80 &&
		      gw_len < 0))) {
			gw_owner = i;
			gw_len = route6_prefix_match(gateway, a[i].ip,
						     a[i].prefix_len) ?
				a[i].prefix_len : 0;
		}
		for (k = 0; k < *n_ifaces && vlans[k] != vlan; k++)
			;
		if (k == *n_ifaces) {
			if (*n_ifaces == ROUTE_IFACES_MAX)
				return errbuf_set(err, errlen,
					"--ip6 %s: more than %d interfaces (802.1Q tags)",
					s1, ROUTE_IFACES_MAX);
			vlans[(*n_ifaces)++] = vlan;
		}
		a[i].iface = (uint8_t)k;
	}
	if (gateway != NULL && gw_owner == n)
		return errbuf_set(err, errlen, n == 1 ?
			"--gateway6 is not inside the --ip6 prefix (not on-link)" :
			"--gateway6 is not inside the prefix of any --ip6 without its own gateway6= (not on-link)");
	for (i = 0; i < n; i++)
		if (route6_add(t, a[i].ip, a[i].prefix_len, NULL, a[i].ip,
			       a[i].iface) != 0)
			return errbuf_set(err, errlen, "too many routes");
	/* Link-local destinations: on the first address's link. */
	if (n > 0 && route6_add(t, link_local, 10, NULL, a[0].ip,
				a[0].iface) != 0)
		return errbuf_set(err, errlen, "too many routes");
	for (i = 0; i < n; i++) {
		const uint8_t *gw = i == gw_owner ? gateway :
			route6_is_zero(a[i].gateway) ? NULL : a[i].gateway;
		const struct route6 *on;

		if (gw == NULL)
			continue;
		/* Resolved on the interface of the most specific on-link
		 * prefix holding it (link-local: this address's). */
		on = route6_lookup(t, gw);
		if (gw[0] == 0xfe && (gw[1] & 0xc0) == 0x80)
			on = NULL;
		if (route6_add(t, link_local, 0, gw, a[i].ip,
			       on != NULL ? on->iface : a[i].iface) != 0)
			return errbuf_set(err, errlen, "too many routes");
	}
	return 0;
}
