/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every worker shares: the configuration, the port, the mbuf pool,
 * the steering, the clock, and the state of the layers above (the
 * neighbour table, the job registry, the capture, the control server)
 * by pointer, so that this header needs none of theirs.
 */
#ifndef DPF_APP_H
#define DPF_APP_H

#include <stdint.h>

#include "capture_hook.h"
#include "impair.h"
#include "port.h"
#include "route.h"
#include "route6.h"
#include "steer.h"

#define LOCAL_RANGES_MAX 16

struct dpf_config;
struct rte_mempool;
struct worker;
struct arp_table;
struct nd_table;
struct job_registry;
struct capture;
struct ctl_server;

/* Addresses we own besides cfg->ip: client source ranges. */
struct local_addrs {
	uint32_t n;			/* published last (release) */
	struct {
		uint32_t lo, hi;	/* host order, inclusive */
	} r[LOCAL_RANGES_MAX];
};

/* IPv6 source ranges of jobs (src_ips), for ipv6_in_local_range: n
 * addresses from lo up, counting in lo's low 32 bits. */
struct local_addrs6 {
	uint32_t n;			/* published last (release) */
	struct {
		uint8_t lo[16];		/* network byte order */
		uint32_t count;
	} r[LOCAL_RANGES_MAX];
};

/* An interface: the addresses of one 802.1Q tag, with its own
 * neighbour table (interface 0's is app->arp). */
struct app_iface {
	uint16_t vlan;			/* 0: untagged */
	struct arp_table *arp;
	/* Its IPv6 neighbour table (interface 0's is app->nd). */
	struct nd_table *nd;
};

/* What every worker shares. */
struct app {
	const struct dpf_config *cfg;
	struct port port;
	struct rte_mempool *pool;
	struct steer steer;
	struct worker *workers[STEER_MAX_WORKERS];	/* by index */
	uint16_t n_workers;
	struct local_addrs local;
	struct local_addrs6 local6;	/* lib/net/ipv6_ranges.c */
	struct job_registry *jobs;	/* control side only (job.h) */
	struct impair_conf impair_conf;	/* as last set (impair.set) */
	/* The neighbour table (arp.h: struct arp_table) is shared. */
	struct arp_table *arp;
	/* IPv6 Neighbor Discovery's table (nd.h: struct nd_table). */
	struct nd_table *nd;
	/* --ip6 is under duplicate address detection (RFC 4862 5.4): only
	 * ND may use it yet. */
	volatile int ip6_tentative;
	/* Another node has --ip6 (an NA for it, or an NS from :: for it
	 * while tentative): DAD failed, the address is not used. */
	volatile int ip6_dad_conflict;
	/* Several --ip (route.h), set before the workers start: with one
	 * (n_addrs <= 1) everything goes by cfg->ip as it always did.
	 * n_ifaces > 1: received frames go to an interface by their tag. */
	uint16_t n_addrs;
	uint16_t n_ifaces;
	struct route_addr addrs[ROUTE_ADDRS_MAX];
	struct app_iface ifaces[ROUTE_IFACES_MAX];
	struct route_table routes;
	/* Several --ip6 (route6.h), set before the workers start, on the
	 * interfaces above (a tag only --ip6 names adds one). */
	uint16_t n_addrs6;
	struct route6_addr addrs6[ROUTE_ADDRS_MAX];
	struct route6_table routes6;
	uint64_t mbufs_port_held;	/* in use by the driver after start */
	uint64_t mbufs_reserve;		/* kept free for RX: jobs wait */
	/* Fewer free: the pool is under pressure (worker.mbufs_pressure). */
	uint64_t mbufs_pressure_min;
	uint64_t tsc_hz;
	uint64_t start_tsc;
	uint64_t us_per_tsc_q32;	/* 2^32 * 10^6 / tsc_hz */
	uint64_t ts_base_ms;		/* CLOCK_MONOTONIC at start_tsc */
	/* Packet capture (capture.h): the workers' hooks read only
	 * capture_active, so no capture costs one branch. */
	int capture_active;
	/* The hooks' slow path (capture_hook.h), set before the flag. */
	capture_burst_fn *capture_burst;
	struct capture *capture;
	/* The port's link is down, as a control thread last saw it
	 * (asking the PMD can be a system call: not from a worker).  Jobs
	 * wait for it before ARP; 0, the zeroed default, is up. */
	volatile int link_down;
	/* The control server while it runs (its counters in stats.get). */
	struct ctl_server *ctl;
	volatile int quit;		/* set by signals or the application */
	volatile int running;		/* workers are in their loops */
};

#endif /* DPF_APP_H */
