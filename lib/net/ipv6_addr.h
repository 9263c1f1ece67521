/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our IPv6 address and routing, and the fixed header: what IPv6, ND and
 * ICMPv6 all ask, apart from ipv6.c so that ND (which ipv6_output
 * calls) does not include IPv6's send path.
 */
#ifndef DPF_IPV6_ADDR_H
#define DPF_IPV6_ADDR_H

#include <netinet/in.h>
#include <stdint.h>

struct app;
struct rte_ipv6_hdr;

#define IPV6_HDR_LEN	40
#define IPV6_HDR_OFF	14	/* frames we build: Ethernet, then IPv6 */
#define IPV6_L4_OFF	(14 + IPV6_HDR_LEN)
#define IPV6_DEFAULT_HOP_LIMIT 64
/* Extension headers walked on receive before giving up (counted). */
#define IPV6_MAX_EXT_HDRS 8

/* Fill the fixed header (no extension headers) at ip6. */
void
ipv6_hdr_fill(struct rte_ipv6_hdr *ip6, const uint8_t *src,
	      const uint8_t *dst, uint8_t proto, uint8_t hop_limit,
	      uint16_t payload_len);

/* Whether ip (16 bytes, network order) is one of ours: --ip6 once
 * duplicate address detection has passed. */
int
ipv6_is_local(const struct app *app, const uint8_t *ip);

/* Whether ip is --ip6, tentative (under DAD) or not. */
int
ipv6_is_own(const struct app *app, const uint8_t *ip);

/* The neighbour to resolve for dst: dst itself on-link (our prefix, or
 * link-local), else --gateway6.  0 with nh filled, -1: no route. */
int
ipv6_next_hop(const struct app *app, const uint8_t *dst, uint8_t *nh);

/* The same by the longest prefix over every --ip6 (route6.h), with the
 * interface to send on and the source address (*src points into the
 * routes or the config).  0, or -1: no route. */
int
ipv6_route(const struct app *app, const uint8_t *dst, uint8_t *nh,
	   uint8_t *iface, const uint8_t **src);

/* The interface an on-link address (a neighbour, or one of ours) is on:
 * 0 unless there are several. */
uint8_t
ipv6_iface_of(const struct app *app, const uint8_t *ip);

/* The source address for dst: the --ip6 of the longest prefix route to
 * it (the first --ip6 with one address or without a route). */
const uint8_t *
ipv6_src_for(const struct app *app, const uint8_t *dst);

/* The first --ip6 on interface iface, or NULL. */
const uint8_t *
ipv6_addr_on_iface(const struct app *app, uint8_t iface);

/* Set app->addrs6 and routes6 and add the interfaces of tags only
 * --ip6 names (after ipv4_ifaces_init): 0, or -1 with err
 * (config_validate has checked them already). */
int
ipv6_ifaces_init(struct app *app, char *err, size_t errlen);

#endif /* DPF_IPV6_ADDR_H */
