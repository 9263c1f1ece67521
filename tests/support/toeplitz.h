/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Toeplitz hash as a NIC computes it (Microsoft's RSS
 * specification): over the bytes as they are on the wire, most
 * significant bit first, XOR-ing in the 32-bit window of the key that
 * starts at each set bit.  Written from the specification on purpose,
 * not with rte_softrss(): the RSS bridge (rss_bridge.c) plays the NIC
 * with it, so that dpfetch's own prediction (steer_rss_hash, host-order
 * words through rte_softrss) is checked against an independent
 * reading.  test_steer checks both against Microsoft's verification
 * vectors.
 */

#ifndef DPF_TOEPLITZ_H
#define DPF_TOEPLITZ_H

#include <stddef.h>
#include <stdint.h>

/* key_len must be at least len + 4. */
static inline uint32_t
toeplitz_hash(const uint8_t *key, size_t key_len, const uint8_t *data,
	      size_t len)
{
	uint32_t h = 0;
	uint32_t win = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 |
		(uint32_t)key[2] << 8 | key[3];
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--) {
			if ((data[i] >> b) & 1)
				h ^= win;
			win <<= 1;
			if (i + 4 < key_len && ((key[i + 4] >> b) & 1))
				win |= 1;
		}
	}
	return h;
}

/* The IPv4 TCP input, in wire order: source and destination address,
 * source and destination port. */
#define TOEPLITZ_V4_TCP_LEN	12

#endif /* DPF_TOEPLITZ_H */
