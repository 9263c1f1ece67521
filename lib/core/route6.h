/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 addresses and routes (pure C, no DPDK), as route.h for IPv4:
 * each --ip6 is an address with its prefix (an on-link route) on the
 * interface of its 802.1Q tag (the same one as IPv4 addresses of that
 * tag; a tag only --ip6 names adds an interface), each gateway6 a
 * default route, fe80::/10 on-link on the first address's interface.
 * The next hop, interface and source are the longest prefix match's
 * (ties: the route given first).
 */
#ifndef DPF_ROUTE6_H
#define DPF_ROUTE6_H

#include <stddef.h>
#include <stdint.h>

#include "route.h"

/* Every prefix, every gateway, and fe80::/10. */
#define ROUTE6_MAX (2 * ROUTE_ADDRS_MAX + 1)

/* One --ip6 ADDR/N[,vlan=ID][,gateway6=G] (network byte order). */
struct route6_addr {
	uint8_t ip[16];
	uint8_t prefix_len;
	uint8_t iface;		/* set by route6_build */
	uint16_t vlan;		/* 0: --vlan's (the default tag) */
	uint8_t gateway[16];	/* all zero: none (--gateway6 may give it) */
};

struct route6 {
	uint8_t prefix[16];	/* masked */
	uint8_t len;
	uint8_t iface;
	uint8_t has_gateway;	/* 0: on-link */
	uint8_t gateway[16];
	uint8_t src[16];	/* the address a connection starts from */
};

/* Sorted by length, longest first; equal lengths in the order added. */
struct route6_table {
	uint32_t n;
	struct route6 r[ROUTE6_MAX];
};

/* Whether a and b agree in their first len bits. */
static inline int
route6_prefix_match(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int i, bytes = len / 8, bits = len % 8;

	for (i = 0; i < bytes; i++)
		if (a[i] != b[i])
			return 0;
	return bits == 0 ||
		((a[bytes] ^ b[bytes]) & (uint8_t)(0xff00 >> bits)) == 0;
}

/* Whether a (16 bytes) is all zero: no address. */
int
route6_is_zero(const uint8_t *a);

/* 0, or -1 when the table is full. gateway NULL: on-link. */
int
route6_add(struct route6_table *t, const uint8_t *prefix, uint8_t len,
	   const uint8_t *gateway, const uint8_t *src, uint8_t iface);

/* The longest match for dst, or NULL: no route. */
const struct route6 *
route6_lookup(const struct route6_table *t, const uint8_t *dst);

/*
 * Check the addresses (duplicates, equal prefixes, gateways on-link)
 * and build the routes: a[i].iface is set.  vlans[0..*n_ifaces) are
 * the interfaces there already (IPv4's); a tag not among them is added
 * (*n_ifaces grows).  gateway (--gateway6, NULL or zero: none) is the
 * gateway of the first address whose prefix holds it and has none of
 * its own (the most specific such).  0, or -1 with a message naming
 * the option.
 */
int
route6_build(struct route6_addr *a, unsigned int n, uint16_t default_vlan,
	     const uint8_t *gateway, struct route6_table *t, uint16_t *vlans,
	     unsigned int *n_ifaces, char *err, size_t errlen);

#endif /* DPF_ROUTE6_H */
