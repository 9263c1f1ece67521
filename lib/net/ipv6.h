/* SPDX-License-Identifier: BSD-3-Clause */
/* TEMPORARY stand-in for v6net's lib/net/ipv6.h (its promised
 * interface), so that lib/tcp builds before that branch is merged;
 * replaced by theirs at the merge. */

#ifndef DPF_IPV6_H
#define DPF_IPV6_H

#include <stdint.h>

struct worker;
struct rte_mbuf;
struct app;

#define IPV6_HDR_LEN 40
#define IPV6_L4_OFF (14 + IPV6_HDR_LEN)

int
ipv6_input(struct worker *w, struct rte_mbuf *m, uint32_t l3_off,
	   uint32_t *l4_off, uint32_t *l4_len);
void
ipv6_output(struct worker *w, struct rte_mbuf *m, const uint8_t *src,
	    const uint8_t *dst, uint8_t proto);
int
ipv6_is_local(const struct app *app, const uint8_t *ip);

#endif /* DPF_IPV6_H */
