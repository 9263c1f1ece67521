/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP options: parsing what arrives (defensively: lengths come from the
 * wire) and writing what we send.  No DPDK dependency; unit-tested.
 */

#ifndef DPF_TCP_OPT_H
#define DPF_TCP_OPT_H

#include <stdint.h>

#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2
#define TCPOPT_WSCALE		3
#define TCPOPT_SACK_PERM	4
#define TCPOPT_SACK		5
#define TCPOPT_TIMESTAMP	8

#define TCP_MAX_WSCALE		14	/* RFC 7323 2.3 */
#define TCP_MAX_SACK_BLOCKS	4

struct tcp_opts {
	uint8_t has_mss, has_wscale, sack_perm, has_ts;
	uint8_t wscale;
	uint8_t n_sack;
	uint16_t mss;
	uint32_t ts_val, ts_ecr;
	uint32_t sack_start[TCP_MAX_SACK_BLOCKS];
	uint32_t sack_end[TCP_MAX_SACK_BLOCKS];
};

/*
 * Parse len bytes of options.  Returns 0, or -1 when an option's length
 * is malformed or runs past the header (the segment is then dropped).
 * Unknown options are skipped by their length.  syn: MSS, window scale
 * and SACK-permitted count only on SYN segments.  Of sack_start and
 * sack_end only the first n_sack entries are set.
 */
int
tcp_opt_parse(const uint8_t *p, uint32_t len, int syn, struct tcp_opts *o);

/* Writers return the bytes written, always a multiple of 4. */
uint32_t
tcp_opt_put_syn(uint8_t *p, uint16_t mss, int sack, int ts, uint32_t ts_val,
		uint32_t ts_ecr, int wscale, uint8_t shift);
/* What tcp_opt_put_ts writes: NOP, NOP, then the 10-byte option. */
#define TCPOLEN_TS_ALIGNED	12
/* Its first four bytes, read as a big-endian word. */
#define TCPOPT_TS_ALIGNED_HEAD	((uint32_t)TCPOPT_NOP << 24 | \
				 (uint32_t)TCPOPT_NOP << 16 | \
				 (uint32_t)TCPOPT_TIMESTAMP << 8 | 10)
uint32_t
tcp_opt_put_ts(uint8_t *p, uint32_t ts_val, uint32_t ts_ecr);
uint32_t
tcp_opt_put_sack(uint8_t *p, const uint32_t *starts, const uint32_t *ends,
		 unsigned int n);

#endif /* DPF_TCP_OPT_H */
