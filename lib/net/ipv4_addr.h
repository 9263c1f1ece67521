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

#endif /* DPF_IPV4_ADDR_H */
