/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "route.h"
#include "url.h"

int
route_add(struct route_table *t, uint32_t prefix, uint8_t len,
	  uint32_t gateway, uint32_t src, uint8_t iface)
{
	uint32_t i;

	if (t->n == ROUTE_MAX)
		return -1;
	/* After every route at least as long: ties keep their order. */
	for (i = 0; i < t->n && t->r[i].len >= len; i++)
		;
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(t->r[0]));
	t->r[i].prefix = prefix & route_mask(len);
	t->r[i].len = len;
	t->r[i].iface = iface;
	t->r[i].gateway = gateway;
	t->r[i].src = src;
	t->n++;
	return 0;
}

const struct route *
route_lookup(const struct route_table *t, uint32_t dst)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		if ((dst & route_mask(t->r[i].len)) == t->r[i].prefix)
			return &t->r[i];
	return NULL;
}

int
route_build(struct route_addr *a, unsigned int n, uint16_t default_vlan,
	    uint32_t gateway, struct route_table *t, uint16_t *vlans,
	    unsigned int *n_ifaces, char *err, size_t errlen)
{
	char s1[16], s2[16], s3[16];
	unsigned int i, k, gw_owner = n;
	int gw_len = -1;

	memset(t, 0, sizeof(*t));
	*n_ifaces = 0;
	for (i = 0; i < n; i++) {
		uint32_t mi = route_mask(a[i].prefix_len);
		uint16_t vlan = a[i].vlan != 0 ? a[i].vlan : default_vlan;

		ipv4_format(a[i].ip, s1, sizeof(s1));
		for (k = 0; k < i; k++) {
			ipv4_format(a[k].ip, s2, sizeof(s2));
			if (a[k].ip == a[i].ip)
				return errbuf_set(err, errlen,
					"--ip: %s is given twice", s1);
			if (a[k].prefix_len == a[i].prefix_len &&
			    (a[k].ip & mi) == (a[i].ip & mi)) {
				ipv4_format(a[i].ip & mi, s3, sizeof(s3));
				return errbuf_set(err, errlen,
					"--ip %s/%u: its prefix %s/%u is already %s's (one address per prefix; a longer or shorter prefix may overlap)",
					s1, a[i].prefix_len, s3,
					a[i].prefix_len, s2);
			}
			if (a[k].gateway == a[i].ip || a[i].gateway == a[k].ip)
				return errbuf_set(err, errlen,
					"--ip %s: a gateway is one of our own addresses",
					s1);
		}
		ipv4_format(a[i].gateway, s2, sizeof(s2));
		if (a[i].gateway != 0 &&
		    ((a[i].gateway & mi) != (a[i].ip & mi) ||
		     a[i].gateway == a[i].ip))
			return errbuf_set(err, errlen,
				"--ip %s/%u: gateway=%s must be another address inside its prefix",
				s1, a[i].prefix_len, s2);
		if (gateway != 0 && gateway == a[i].ip)
			return errbuf_set(err, errlen,
				"--gateway is the appliance's own address");
		/* --gateway goes with the most specific prefix holding it. */
		if (gateway != 0 && a[i].gateway == 0 &&
		    (gateway & mi) == (a[i].ip & mi) &&
		    (int)a[i].prefix_len > gw_len) {
			gw_owner = i;
			gw_len = a[i].prefix_len;
		}
		for (k = 0; k < *n_ifaces && vlans[k] != vlan; k++)
			;
		if (k == *n_ifaces)
			vlans[(*n_ifaces)++] = vlan;
		a[i].iface = (uint8_t)k;
	}
	if (gateway != 0 && gw_owner == n)
		return errbuf_set(err, errlen, n == 1 ?
			"--gateway is not inside the --ip prefix" :
			"--gateway is not inside the prefix of any --ip without its own gateway=");
	for (i = 0; i < n; i++)
		if (route_add(t, a[i].ip, a[i].prefix_len, 0, a[i].ip,
			      a[i].iface) != 0)
			return errbuf_set(err, errlen, "too many routes");
	for (i = 0; i < n; i++) {
		uint32_t gw = i == gw_owner ? gateway : a[i].gateway;
		const struct route *on;

		if (gw == 0)
			continue;
		/* The interface the gateway is resolved on: that of the
		 * most specific prefix holding it (only on-link routes are
		 * in the table yet), as for any next hop. */
		on = route_lookup(t, gw);
		if (route_add(t, 0, 0, gw, a[i].ip,
			      on != NULL ? on->iface : a[i].iface) != 0)
			return errbuf_set(err, errlen, "too many routes");
	}
	return 0;
}
