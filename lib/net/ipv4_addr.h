/* SPDX-License-Identifier: BSD-3-Clause */
/* Our addresses (cfg->ip and the client source ranges) and routing. */
#ifndef DPF_IPV4_ADDR_H
#define DPF_IPV4_ADDR_H

#include <stdint.h>

struct worker;

struct app;

/* Whether ip (host order) is one of ours: --ip or a source range. */
int
ipv4_is_local(const struct app *app, uint32_t ip);

/* Own lo..hi as well (answer ARP, accept packets); 0, or -1 when the
 * table of ranges is full.  Control side only; workers see it at once. */
int
ipv4_add_local_range(struct app *app, uint32_t lo, uint32_t hi);

/* The next hop for dst: dst itself on-link, else the gateway, else 0. */
/* The address to ARP for to reach dst: dst itself on our prefix, else
 * the gateway (0 when there is none). */
uint32_t
ipv4_next_hop(const struct worker *w, uint32_t dst);

struct dpf_config;

uint32_t
ipv4_next_hop_cfg(const struct dpf_config *cfg, uint32_t dst);

/*
 * Several --ip: the next hop for dst by the longest prefix (0: no
 * route) and the interface it is on (0 with one address).
 */
uint32_t
ipv4_route(const struct worker *w, uint32_t dst, uint8_t *iface);

/* The interface an on-link address (a next hop) is on: 0 unless there
 * are several. */
uint8_t
ipv4_iface_of(const struct app *app, uint32_t ip);

/* The source address for dst: the --ip of the longest prefix route to
 * it (cfg->ip with one address or no route). */
uint32_t
ipv4_src_for(const struct app *app, uint32_t dst);

/* Set app->addrs, ifaces[].vlan and routes from cfg->addrs: 0, or -1
 * with err (config_validate has checked them already). */
int
ipv4_ifaces_init(struct app *app, char *err, size_t errlen);

#endif /* DPF_IPV4_ADDR_H */
