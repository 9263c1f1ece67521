/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP (RFC 792): echo reply. */

#ifndef DPF_ICMP_H
#define DPF_ICMP_H

#include <stdint.h>

struct worker;
struct rte_mbuf;

void
icmp_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t l4_off, uint32_t l4_len);

#endif /* DPF_ICMP_H */
