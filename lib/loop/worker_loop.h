/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The top of lib/: a worker's life (init, the poll loop, fini) and the
 * receive dispatch that hands each packet up the layers.
 */
#ifndef DPF_WORKER_LOOP_H
#define DPF_WORKER_LOOP_H

#include <stdint.h>

struct app;
struct worker;
struct rte_mbuf;

int
worker_init(struct worker *w, struct app *app, unsigned int lcore_id,
	    uint16_t index);

void
worker_fini(struct worker *w);

/* Run the poll loop until app->quit. */
void
worker_loop(struct worker *w);

/* The packet path from the wire: Ethernet, then ARP or IPv4, then TCP
 * or ICMP. */
void
worker_rx_one(struct worker *w, struct rte_mbuf *m);

#endif /* DPF_WORKER_LOOP_H */
