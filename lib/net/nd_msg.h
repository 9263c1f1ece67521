/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbor Discovery messages (RFC 4861 4.3, 4.4, 4.6.1): checking a
 * Neighbor Solicitation or Advertisement as RFC 4861 7.1.1 and 7.1.2
 * ask, and building them.  Pure C over byte buffers (no DPDK), so that
 * the unit tests drive it; the ICMPv6 checksum is the caller's (it
 * needs the IPv6 pseudo-header).
 */
#ifndef DPF_ND_MSG_H
#define DPF_ND_MSG_H

#include <stdint.h>

#define ND_HOP_LIMIT		255
#define ND_ROUTER_SOLICIT	133
#define ND_ROUTER_ADVERT	134
#define ND_NEIGHBOR_SOLICIT	135
#define ND_NEIGHBOR_ADVERT	136
#define ND_REDIRECT		137

#define ND_OPT_SOURCE_LLADDR	1
#define ND_OPT_TARGET_LLADDR	2

/* NA flags (the first byte after the checksum). */
#define ND_NA_ROUTER		0x80
#define ND_NA_SOLICITED		0x40
#define ND_NA_OVERRIDE		0x20

/* ICMPv6 header (4) + reserved/flags (4) + target (16). */
#define ND_MSG_LEN		24
/* With one link-layer address option (8 bytes for Ethernet). */
#define ND_MSG_LLA_LEN		(ND_MSG_LEN + 8)

/* Why a message was refused (each has its counter). */
enum nd_check {
	ND_OK = 0,
	ND_BAD_HOP_LIMIT,	/* not 255: it crossed a router */
	ND_BAD_CODE,
	ND_BAD_LEN,		/* shorter than the message */
	ND_BAD_OPTION,		/* an option of length 0 or past the end,
				 * or a link-layer address that is not
				 * Ethernet's or not unicast */
	ND_BAD_TARGET,		/* a multicast target */
	ND_BAD_SRC,		/* NS from :: to a unicast address or with
				 * a source link-layer option; NA solicited
				 * to a multicast address */
	ND_NOT_ND,		/* not an NS or NA */
};

struct nd_msg {
	uint8_t type;		/* ND_NEIGHBOR_SOLICIT or _ADVERT */
	uint8_t flags;		/* NA: ND_NA_* */
	uint8_t target[16];
	int has_lla;		/* source (NS) or target (NA) link-layer */
	uint8_t lla[6];
};

/*
 * Check the ICMPv6 message p[0..len) of an IPv6 packet from src to dst
 * (16 bytes each) that arrived with hop_limit.  ND_OK with *msg filled,
 * or the reason it must be dropped.
 */
enum nd_check
nd_msg_parse(const uint8_t *p, uint32_t len, uint8_t hop_limit,
	     const uint8_t *src, const uint8_t *dst, struct nd_msg *msg);

/*
 * Build an NS for target at p (ND_MSG_LLA_LEN bytes of room): with our
 * source link-layer address sll, or without (NULL: duplicate address
 * detection, from ::).  The checksum field is left 0.  Returns the
 * length.
 */
uint32_t
nd_msg_build_ns(uint8_t *p, const uint8_t *target, const uint8_t *sll);

/* An NA for target with flags and our target link-layer address tll. */
uint32_t
nd_msg_build_na(uint8_t *p, const uint8_t *target, uint8_t flags,
		const uint8_t *tll);

/* ff02::1:ffXX:XXXX, the solicited-node group of addr (RFC 4291
 * 2.7.1). */
void
nd_solicited_node(uint8_t *group, const uint8_t *addr);

/* 33:33 and the group's last four bytes (RFC 2464 7). */
void
nd_mcast_mac(uint8_t *mac, const uint8_t *group);

#endif /* DPF_ND_MSG_H */
