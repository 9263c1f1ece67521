/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "nd_msg.h"

static int
nd_is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

enum nd_check
nd_msg_parse(const uint8_t *p, uint32_t len, uint8_t hop_limit,
	     const uint8_t *src, const uint8_t *dst, struct nd_msg *msg)
{
	uint32_t off;
	uint8_t want_opt;

	if (len < 4)
		return ND_BAD_LEN;
	if (p[0] != ND_NEIGHBOR_SOLICIT && p[0] != ND_NEIGHBOR_ADVERT)
		return ND_NOT_ND;
	/* RFC 4861 7.1.1/7.1.2: hop limit 255 (nobody off-link can have
	 * sent it), code 0, 24 bytes or more. */
	if (hop_limit != ND_HOP_LIMIT)
		return ND_BAD_HOP_LIMIT;
	if (p[1] != 0)
		return ND_BAD_CODE;
	if (len < ND_MSG_LEN)
		return ND_BAD_LEN;
	memset(msg, 0, sizeof(*msg));
	msg->type = p[0];
	memcpy(msg->target, p + 8, 16);
	if (msg->target[0] == 0xff)
		return ND_BAD_TARGET;
	want_opt = msg->type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LLADDR :
		ND_OPT_TARGET_LLADDR;
	if (msg->type == ND_NEIGHBOR_ADVERT) {
		msg->flags = p[4] & (ND_NA_ROUTER | ND_NA_SOLICITED |
				     ND_NA_OVERRIDE);
		if ((msg->flags & ND_NA_SOLICITED) && dst[0] == 0xff)
			return ND_BAD_SRC;
	}
	/* Every option has a length above 0 and ends inside the message;
	 * unknown ones are skipped (RFC 4861 4.6). */
	for (off = ND_MSG_LEN; off < len;) {
		uint32_t olen;

		if (len - off < 2 || p[off + 1] == 0)
			return ND_BAD_OPTION;
		olen = (uint32_t)p[off + 1] * 8;
		if (olen > len - off)
			return ND_BAD_OPTION;
		if (p[off] == want_opt) {
			/* Ethernet: 6 bytes, in an 8-byte option, unicast. */
			if (olen != 8 || (p[off + 2] & 1) != 0)
				return ND_BAD_OPTION;
			msg->has_lla = 1;
			memcpy(msg->lla, p + off + 2, 6);
		}
		off += olen;
	}
	if (msg->type == ND_NEIGHBOR_SOLICIT && nd_is_unspecified(src)) {
		/* DAD: to the solicited-node group, with no source
		 * link-layer address (RFC 4861 7.1.1). */
		if (dst[0] != 0xff || msg->has_lla)
			return ND_BAD_SRC;
	}
	if (src[0] == 0xff)
		return ND_BAD_SRC;
	return ND_OK;
}

static uint32_t
nd_msg_build(uint8_t *p, uint8_t type, uint8_t flags, const uint8_t *target,
	     uint8_t opt, const uint8_t *lla)
{
	memset(p, 0, ND_MSG_LEN);
	p[0] = type;
	p[4] = flags;
	memcpy(p + 8, target, 16);
	if (lla == NULL)
		return ND_MSG_LEN;
	p[ND_MSG_LEN] = opt;
	p[ND_MSG_LEN + 1] = 1;
	memcpy(p + ND_MSG_LEN + 2, lla, 6);
	return ND_MSG_LLA_LEN;
}

uint32_t
nd_msg_build_ns(uint8_t *p, const uint8_t *target, const uint8_t *sll)
{
	return nd_msg_build(p, ND_NEIGHBOR_SOLICIT, 0, target,
			    ND_OPT_SOURCE_LLADDR, sll);
}

uint32_t
nd_msg_build_na(uint8_t *p, const uint8_t *target, uint8_t flags,
		const uint8_t *tll)
{
	return nd_msg_build(p, ND_NEIGHBOR_ADVERT, flags, target,
			    ND_OPT_TARGET_LLADDR, tll);
}

void
nd_solicited_node(uint8_t *group, const uint8_t *addr)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0,
					 0, 0x01, 0xff };

	memcpy(group, pfx, sizeof(pfx));
	memcpy(group + 13, addr + 13, 3);
}

void
nd_mcast_mac(uint8_t *mac, const uint8_t *group)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}
