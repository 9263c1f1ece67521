/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 (RFC 791, RFC 1122): checks on receive, routing and framing on
 * send, checksums in hardware where the port offers them. */

#ifndef DPF_IPV4_H
#define DPF_IPV4_H

#include <stdint.h>

struct worker;
struct rte_mbuf;

#define IPV4_HDR_OFF	14	/* frames we build: Ethernet, then IPv4 */
#define IPV4_L4_OFF	(IPV4_HDR_OFF + 20)
#define IPV4_DEFAULT_TTL 64

/* m starts at the Ethernet header; l3_off is where IPv4 begins. */
void
ipv4_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off);

/*
 * Send a frame built as [Ethernet 14][IPv4 20][L4 ...] with pkt_len set:
 * fills the IPv4 header, the TCP checksum for IPPROTO_TCP (hardware or
 * software), picks the next hop and resolves it (the frame waits in the
 * neighbour table while ARP runs).  Takes ownership of m.
 */
void
ipv4_output(struct worker *w, struct rte_mbuf *m, uint32_t src_ip,
	    uint32_t dst_ip, uint8_t proto);

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

#endif /* DPF_IPV4_H */
