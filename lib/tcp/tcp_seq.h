/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wrap-safe TCP sequence number arithmetic (RFC 9293 section 3.4).
 *
 * Sequence numbers live on a 2^32 circle; "a < b" means b is ahead of a
 * by less than 2^31.  The casts make the subtraction wrap and then read
 * it as signed, the same trick as FreeBSD's tcp_seq.h.
 */

#ifndef DPF_TCP_SEQ_H
#define DPF_TCP_SEQ_H

#include <stdint.h>

#define SEQ_LT(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

#define SEQ_MIN(a, b)	(SEQ_LT(a, b) ? (a) : (b))
#define SEQ_MAX(a, b)	(SEQ_GT(a, b) ? (a) : (b))

/* lo <= x < hi on the circle; an empty range holds nothing. */
#define SEQ_IN_RANGE(x, lo, hi) (SEQ_GEQ(x, lo) && SEQ_LT(x, hi))

/* Bytes from a to b, for b at or ahead of a. */
#define SEQ_DIFF(b, a)	((uint32_t)((uint32_t)(b) - (uint32_t)(a)))

#endif /* DPF_TCP_SEQ_H */
