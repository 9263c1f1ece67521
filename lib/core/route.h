/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our addresses, interfaces and routes (pure C, no DPDK).  Each --ip is
 * an address with its prefix; addresses with the same 802.1Q tag form
 * one interface (its own neighbour table).  Each prefix is an on-link
 * route, each gateway a default route; the next hop is the longest
 * prefix match (ties: the route given first), as the kernel's.
 */
#ifndef DPF_ROUTE_H
#define DPF_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#define ROUTE_ADDRS_MAX 8	/* --ip given this often at most */
#define ROUTE_IFACES_MAX ROUTE_ADDRS_MAX
#define ROUTE_MAX (2 * ROUTE_ADDRS_MAX)

/* One --ip A.B.C.D/N[,vlan=ID][,gateway=G]. */
struct route_addr {
	uint32_t ip;		/* host order */
	uint8_t prefix_len;
	uint8_t iface;		/* set by route_build */
	uint16_t vlan;		/* 0: --vlan's (the default tag) */
	uint32_t gateway;	/* 0: none (--gateway may give it) */
};

struct route {
	uint32_t prefix;	/* host order, masked */
	uint8_t len;
	uint8_t iface;
	uint32_t gateway;	/* 0: on-link */
	uint32_t src;		/* the address a connection starts from */
};

/* Sorted by length, longest first; equal lengths in the order added. */
struct route_table {
	uint32_t n;
	struct route r[ROUTE_MAX];
};

static inline uint32_t
route_mask(uint8_t len)
{
	return len == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - len));
}

/* 0, or -1 when the table is full. */
int
route_add(struct route_table *t, uint32_t prefix, uint8_t len,
	  uint32_t gateway, uint32_t src, uint8_t iface);

/* The longest match for dst, or NULL: no route. */
const struct route *
route_lookup(const struct route_table *t, uint32_t dst);

/*
 * Check the addresses (duplicates, equal prefixes, gateways) and build
 * the interfaces and routes: a[i].iface is set, vlans[] gets each
 * interface's tag (0 untagged) in the order first met, and *n_ifaces
 * their number.  gateway (--gateway, 0 none) is the gateway of the first
 * address whose prefix holds it and has none of its own.  0, or -1 with
 * a message naming the option.
 */
int
route_build(struct route_addr *a, unsigned int n, uint16_t default_vlan,
	    uint32_t gateway, struct route_table *t, uint16_t *vlans,
	    unsigned int *n_ifaces, char *err, size_t errlen);

#endif /* DPF_ROUTE_H */
