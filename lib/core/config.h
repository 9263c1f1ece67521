/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpfetch settings: one struct, filled from defaults, then a JSON file
 * (--config), then the command line, each value checked with a clear
 * error.  Tunables that are plain numbers are described once in a table
 * (config.c) that serves the JSON sections and the "key=value,..." form
 * of the command line alike.
 */

#ifndef DPF_CONFIG_H
#define DPF_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "route.h"
#include "route6.h"

#define CONFIG_MAX_HEADERS	64
#define CONFIG_ERR_LEN		512

struct impair_dir_conf {
	double drop;		/* probability a packet is dropped */
	double dup;		/* probability it is duplicated */
	double reorder;		/* probability it is held back ... */
	uint32_t reorder_delay_us; /* ... for this long */
	double corrupt;		/* probability one bit is flipped */
};

struct impair_conf {
	uint64_t seed;
	struct impair_dir_conf rx;
	struct impair_dir_conf tx;
};

struct tcp_conf {
	uint32_t rcvbuf;	/* receive window we may advertise, bytes */
	uint32_t rto_initial_ms;
	uint32_t rto_min_ms;
	uint32_t rto_max_ms;
	uint32_t delack_ms;
	uint32_t time_wait_ms;
	uint32_t syn_retries;
	uint32_t data_retries;
	uint32_t max_ooo_segs;	/* bound on mbufs one connection holds */
	/* True size (pool elements, not payload) the out-of-order queue
	 * may hold; 0 = twice rcvbuf. */
	uint32_t ooo_max_bytes;
	/* Below this share of the pool (percent) free, at least twice the
	 * send reserve: out-of-order data is dropped, send buffers are
	 * clamped to snd_pressure_bytes. */
	uint32_t mem_pressure_pct;
	uint32_t snd_pressure_bytes;
	uint32_t wscale;	/* offer window scaling */
	uint32_t timestamps;	/* offer timestamps */
	uint32_t sack;		/* offer SACK */
	uint32_t tso;		/* TCP segmentation offload, where offered */
	uint32_t lro;		/* large receive offload, where offered */
	uint32_t sndbuf;	/* send buffer limit per connection, bytes */
	uint32_t iw;		/* initial window, segments (RFC 6928) */
	uint32_t keepalive_s;	/* idle time before probing; 0 = off */
	uint32_t keepalive_intvl_s;
	uint32_t keepalive_probes;
	uint32_t persist_max_s;	/* zero window this long: reset; 0 = never */
	uint32_t fin_wait2_s;	/* FIN_WAIT_2 this long: reset; 0 = never */
	char cc[16];		/* congestion control: newreno, cubic */
	uint32_t syncookies;	/* 0 off, 1 past syn_backlog, 2 always */
	uint32_t syn_backlog;	/* half-open cap per lcore; 0 = auto */
	uint32_t synack_retries;
	uint32_t rst_rate;	/* RSTs to strays per s per lcore; 0 = no cap */
	uint32_t challenge_ack_rate;	/* per s per lcore; 0 = no cap */
	/* Cold blocks per lcore, preallocated and counted in conn_memory:
	 * connections that may hold a SACK scoreboard, an out-of-order
	 * queue, CUBIC's state at once; 0 = max_conns / 16 (1024 at
	 * least). */
	uint32_t sack_conns;
	uint32_t ooo_conns;
	uint32_t cc_conns;
	/* Connections that may hold a send buffer (queued or unacked
	 * data) at once; 0 = max_conns / 8, at least max_conns up to
	 * 16384. */
	uint32_t snd_conns;
	/* IPv6 connections at once (their addresses, 32 B each); 0 =
	 * max_conns with --ip6, none without. */
	uint32_t ip6_conns;
};

struct arp_conf {
	uint32_t retries;	/* requests before a resolution fails */
	uint32_t retry_ms;
	uint32_t reachable_s;	/* an answer is trusted this long */
	uint32_t learn_rate;	/* entries from unsolicited ARP, per second */
};

/* IPv6 Neighbor Discovery (--nd); its table takes --arp's tunables. */
struct nd_conf {
	uint32_t dad_transmits;	/* DAD probes for --ip6 at start; 0 = none */
	uint32_t dad_retrans_ms;	/* between them, and after the last */
};

/* The built-in servers (--listen, --echo). */
struct http_conf {
	uint32_t header_timeout_s;	/* request incomplete this long: reset */
	uint32_t idle_timeout_s;	/* idle keep-alive this long: close */
};

struct dpf_config {
	/* Interface. */
	uint32_t ip;		/* host order */
	uint8_t prefix_len;
	uint32_t gateway;	/* host order, 0 = none */
	/* --ip6 ADDR/N and --gateway6 (network order); --ip is optional
	 * when has_ip6 (cfg->ip is then 0: ARP stays silent). */
	uint8_t ip6[16];
	uint8_t ip6_prefix;
	uint8_t gateway6[16];	/* all zero = none */
	int has_ip6;
	uint16_t mtu;
	uint16_t vlan;		/* --vlan 802.1Q ID, 0 = untagged */
	/* Every --ip in order (the first is ip/prefix_len above), with
	 * its own vlan= and gateway= if given (route.h). */
	struct route_addr addrs[ROUTE_ADDRS_MAX];
	unsigned int n_addrs;
	/* Every --ip6 in order (the first is ip6/ip6_prefix above), with
	 * its own vlan= and gateway6= if given (route6.h). */
	struct route6_addr addrs6[ROUTE_ADDRS_MAX];
	unsigned int n_addrs6;
	uint16_t port_id;
	int port_given;
	/* --port-rss external: the port is not programmed, the fabric in
	 * front of it spreads flows by our RSS key and table. */
	int port_rss_external;
	uint32_t mbufs;		/* mbufs in the pool */
	uint32_t max_conns;	/* TCP connections per worker lcore */

	/* Services. */
	uint16_t echo_port;	/* RFC 862 echo; 0 = off */
	uint16_t listen_port;	/* built-in HTTP server; 0 = off */

	/* One-shot fetch. */
	char *fetch_url;
	char *output;		/* NULL = stdout */
	char *method;		/* NULL = GET, or POST with data */
	char *data;		/* request body, or "@FILE" */
	char *headers[CONFIG_MAX_HEADERS];
	unsigned int n_headers;
	double timeout_s;
	int print_stats;
	/* -v: dpfetch's notices and EAL's; -vv: also the trace of a
	 * one-shot fetch (docs/testing.md).  0: warnings and errors only. */
	int verbose;

	/* Packet capture for the whole run (--capture). */
	char *capture_file;	/* NULL = none */
	uint32_t capture_count;	/* packets; 0 = no limit */

	/* HTML report of a load job (--report); NULL = none. */
	char *report_file;

	/*
	 * A load job: fetch.start's parameters, from the "job" object of
	 * the config file and the load options (--connections, ...); the
	 * --fetch URLs go in "urls".  Any load option, or several URLs,
	 * turn the one-shot fetch into a job that reports its results.
	 */
	json_t *job;
	int load_mode;
	/* --search and its options: fetch.search's "search" object; the
	 * job above is then its steps' parameters. */
	json_t *search;

	/* Control channel and scripts. */
	char *ctl_path;		/* UNIX socket; NULL = default or none */
	char *ctl_tcp;		/* "ADDR:PORT", or NULL: no TCP listener */
	char *ctl_token;	/* TCP clients authenticate with it */
	char *ctl_token_file;	/* ... or read from this file */
	unsigned int ctl_max_tcp_clients;	/* 0: the default (64) */
	unsigned int ctl_auth_timeout_s;	/* 0: the default (10) */
	char *capture_dir;	/* capture.start's files; NULL: default */
	/* --metrics: Prometheus text on GET /metrics (lib/ctl/metrics.h). */
	char *metrics;		/* "ADDR:PORT", or NULL: not served */
	unsigned int metrics_max_clients;	/* 0: the default (16) */
	unsigned int metrics_timeout_ms;	/* 0: the default (5000) */
	unsigned int metrics_max_request;	/* 0: the default (8192) */
	/* --format: how a command-line job prints its result: "text",
	 * "json", "jsonl" or "csv"; NULL: json (as before). */
	char *format;
	char *script;		/* run at start-up, then exit */
	int keep_going;		/* the script runs on after a failure */

	struct arp_conf arp;
	struct nd_conf nd;
	struct tcp_conf tcp;
	struct impair_conf impair;
	struct http_conf http;
};

/* Outcome of config_from_args(). */
enum config_result {
	CONFIG_OK = 0,
	CONFIG_HELP = 1,	/* usage was printed; exit 0 */
	CONFIG_ERROR = -1,	/* err says why; exit 2 */
};

void
config_init(struct dpf_config *cfg);

void
config_free(struct dpf_config *cfg);

/*
 * dpfetch's own arguments (those after "--"); argv[0] is the program
 * name.  Loads --config first so the command line overrides the file.
 */
enum config_result
config_from_args(struct dpf_config *cfg, int argc, char **argv,
		 char *err, size_t errlen);

/* Load a JSON config file over what cfg holds. */
int
config_load_file(struct dpf_config *cfg, const char *path,
		 char *err, size_t errlen);

/* The same from len bytes of JSON text; name stands for the file in
 * messages. */
int
config_load_string(struct dpf_config *cfg, const char *text, size_t len,
		   const char *name, char *err, size_t errlen);

/* Apply "key=value,key=value" to one section ("tcp", "impair", "arp",
 * "nd"). */
int
config_set_pairs(struct dpf_config *cfg, const char *section,
		 const char *pairs, char *err, size_t errlen);

/* Whether the job asks for more than the one-shot fetch. */
int
config_is_load_job(const struct dpf_config *cfg);

/* Cross-field checks once everything is loaded. */
int
config_validate(const struct dpf_config *cfg, char *err, size_t errlen);

void
config_usage(FILE *f, const char *prog);

/* Whether name (without "--") is one of dpfetch's own options. */
int
config_is_option(const char *name);

#endif /* DPF_CONFIG_H */
