/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 source ranges of jobs (src_ips "2001:2::10-2001:2::20"): the
 * addresses dpfetch uses besides --ip6, which Neighbor Discovery must
 * answer for and TCP must take as local.  The IPv4 ranges are in
 * ipv4_addr.c; these are kept apart from lib/net/ipv6*.c, whose
 * ipv6_is_local asks ipv6_in_local_range.
 */
#ifndef DPF_IPV6_RANGES_H
#define DPF_IPV6_RANGES_H

#include <stdint.h>

struct app;

/* n addresses from lo (network byte order) up, counting in its low 32
 * bits, become local (once: an equal range is not added twice); 0, or
 * -1 when LOCAL_RANGES_MAX ranges are in use.  Control thread. */
int
ipv6_add_local_range(struct app *app, const uint8_t *lo, uint32_t n);

/* Whether ip is in one of the ranges (any thread). */
int
ipv6_in_local_range(const struct app *app, const uint8_t *ip);

#endif /* DPF_IPV6_RANGES_H */
