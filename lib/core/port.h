/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet port setup, after DPDK's l3fwd: configure with the offloads
 * the port actually offers, one RX and one TX queue per worker, start,
 * wait for the link.
 */

#ifndef DPF_PORT_H
#define DPF_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

struct rte_mempool;

struct port {
	uint16_t id;
	uint16_t n_queues;
	uint16_t mtu;
	struct rte_ether_addr mac;
	char driver[64];
	char name[64];
	/* Offloads in use (0 = done in software). */
	uint8_t tx_ip_cksum;
	uint8_t tx_tcp_cksum;
	uint8_t rx_ip_cksum;
	uint8_t rx_tcp_cksum;
	uint8_t tx_multi_seg;
	/* TCP segmentation offload: TCP hands the port segments of up to
	 * tso_max_payload bytes, cut into MSS-sized ones on the way out. */
	uint8_t tx_tso;
	/* Large receive offload: the port may hand us coalesced segments
	 * (RTE_MBUF_F_RX_LRO) longer than an MSS, as chains. */
	uint8_t rx_lro;
	uint32_t tso_max_payload;
	/* Most mbufs in one frame the port takes, header mbuf included. */
	uint16_t tx_max_segs;
	/* RSS we programmed (n_queues > 1 and the port can): our key and a
	 * round-robin redirection table, so software can predict it. */
	uint8_t rss;
	/* rss set by PORT_WANT_RSS_EXTERNAL: nothing was programmed, the
	 * fabric in front of the port hashes with our key and table. */
	uint8_t rss_external;
	uint16_t reta_size;
	/* --vlan: the 802.1Q VLAN ID the port sends and accepts (0 =
	 * untagged), set by the caller after port_init; the port inserts
	 * and strips the tag where it can (PORT_WANT_VLAN), lib/net/eth.c
	 * does it otherwise. */
	uint16_t vlan_id;
	uint8_t tx_vlan_insert;
	uint8_t rx_vlan_strip;
};

/* Pick a port: want_id if given, else the first available one. */
int
port_pick(int given, uint16_t want_id, uint16_t *id, char *err,
	  size_t errlen);

/* What port_init may switch on where the port offers it. */
#define PORT_WANT_TSO	0x1
#define PORT_WANT_LRO	0x2
/* Do not program RSS: the queues are fed by something outside that
 * hashes with our key over a round-robin table of
 * PORT_EXTERNAL_RETA_SIZE entries (a test fabric, a switch). */
#define PORT_WANT_RSS_EXTERNAL	0x4
/* Use the port's VLAN insert/strip offloads where it has them. */
#define PORT_WANT_VLAN	0x8

#define PORT_EXTERNAL_RETA_SIZE	128

/* rss_key: 40 bytes used for RSS when n_queues > 1 and the port hashes
 * IPv4/TCP with a settable key and table.  want: PORT_WANT_*. */
int
port_init(struct port *p, uint16_t id, uint16_t n_queues, uint16_t mtu,
	  struct rte_mempool *pool, const uint8_t *rss_key,
	  unsigned int want_features, char *err, size_t errlen);

void
port_fini(struct port *p);

/* 1 if the port's link is up, 0 if down (rte_eth_link_get_nowait: for
 * some PMDs a system call, so control threads only). */
int
port_link_is_up(const struct port *p);

#endif /* DPF_PORT_H */
