/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's SACK scoreboard (RFC 2018, RFC 6675): which ranges above
 * SND.UNA the peer reported holding, kept sorted and merged.  From it TCP
 * learns what is lost (the holes below the highest SACKed byte), what to
 * retransmit next, and how much is in the network ("pipe").
 *
 * Pure C on sequence numbers; no DPDK dependency; unit-tested.
 */

#ifndef DPF_TCP_SACK_H
#define DPF_TCP_SACK_H

#include <stdint.h>

#define TCP_SACK_BOARD	8	/* ranges remembered */
#define TCP_DUPTHRESH	3	/* RFC 6675 DupThresh */

struct tcp_sack_board {
	uint32_t start[TCP_SACK_BOARD];
	uint32_t end[TCP_SACK_BOARD];
	uint8_t n;
	uint32_t sacked;	/* bytes covered */
};

void
tcp_sack_clear(struct tcp_sack_board *b);

/*
 * Merge n reported blocks.  Blocks not wholly inside (snd_una, snd_max]
 * are ignored (RFC 2018 allows nothing else; D-SACK blocks below snd_una
 * land here too).  Returns how many blocks were new information.
 */
unsigned int
tcp_sack_update(struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_max,
		const uint32_t *starts, const uint32_t *ends, unsigned int n);

/* Forget what the cumulative ACK now covers. */
void
tcp_sack_prune(struct tcp_sack_board *b, uint32_t snd_una);

/* The highest SACKed sequence number (end of the last range), or
 * snd_una when nothing is SACKed. */
uint32_t
tcp_sack_high(const struct tcp_sack_board *b, uint32_t snd_una);

/*
 * The first hole at or after from, below the highest SACKed byte: the
 * next candidate for retransmission (RFC 6675 NextSeg rule 1).  Returns 1
 * with *start and *len, or 0.
 */
int
tcp_sack_next_hole(const struct tcp_sack_board *b, uint32_t snd_una,
		   uint32_t from, uint32_t *start, uint32_t *len);

/* Whether the byte at snd_una counts as lost: DupThresh segments' worth
 * of SACKed data lies above it (RFC 6675 IsLost). */
int
tcp_sack_first_lost(const struct tcp_sack_board *b, uint32_t mss);

/*
 * RFC 6675 "pipe": the octets in flight.  For every unSACKed octet in
 * [snd_una, snd_max): one if it is not judged lost (IsLost: DupThresh
 * SACKed ranges, or more than (DupThresh - 1) * mss SACKed octets, lie
 * above it), and one more if it was retransmitted (below high_rxt).
 */
uint32_t
tcp_sack_pipe(const struct tcp_sack_board *b, uint32_t snd_una,
	      uint32_t snd_max, uint32_t high_rxt, uint32_t mss);

#endif /* DPF_TCP_SACK_H */
