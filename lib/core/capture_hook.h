/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture's hooks on the packet path (the control side, files
 * and methods, is lib/ctl/capture.h).  The workers call capture_rx()
 * right after rte_eth_rx_burst() and capture_tx() right before
 * rte_eth_tx_burst().  While no capture runs, each hook is one relaxed
 * load of app->capture_active and a branch predicted not taken; while
 * one runs, app->capture_burst (capture.c's, set before the flag) copies
 * the packets.
 */
#ifndef DPF_CAPTURE_HOOK_H
#define DPF_CAPTURE_HOOK_H

#include <stdint.h>

struct worker;
struct rte_mbuf;

/* Where a packet was seen (the pcapng EPB direction flag). */
enum capture_dir {
	CAPTURE_DIR_IN = 1,
	CAPTURE_DIR_OUT = 2,
};

/* The slow path of the hooks: filter, copy, enqueue. */
typedef void capture_burst_fn(struct worker *w, struct rte_mbuf **pkts,
			      uint16_t n, enum capture_dir dir);

/* Calls app->capture_burst if set (the hooks, capture_rx/capture_tx
 * in worker.h, call it while app->capture_active). */
void
capture_hook_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
		   enum capture_dir dir);

#endif /* DPF_CAPTURE_HOOK_H */
