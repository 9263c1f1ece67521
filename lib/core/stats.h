/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters for every layer.
 *
 * Each lcore owns one struct stats and is its only writer, so the data
 * path increments plain integers; readers sum the lcores' copies.  The
 * counter lists are X-macros so that the struct, the totals and the JSON
 * form are generated from one list and cannot drift apart.  TCP counters
 * use the names of Linux's TCP MIB where one exists.
 */

#ifndef DPF_STATS_H
#define DPF_STATS_H

#include <stdint.h>

/* The scopes of stats.get (dpfetchctl stats SCOPE), in the order help
 * lists them: the method and the client's table both use this list. */
#define STATS_SCOPE_NAMES \
	"port", "lcore", "eth", "arp", "ip", "icmp", "tcp", "http", "httpd", \
	"echo", "impair", "mempool", "ctl", "ipv6", "nd", "icmp6"


#define STATS_PORT(X) \
	X(rx_packets) X(rx_bytes) X(tx_packets) X(tx_bytes) \
	X(tx_full_drops) X(tx_stall_drops) X(rx_bursts) X(tx_bursts) \
	X(rx_handoff_out) X(rx_handoff_in) X(rx_handoff_drops) \
	X(tx_prepare_drops) \
	X(rx_rss_mismatch)

#define STATS_ETH(X) \
	X(rx_packets) X(rx_too_short) X(rx_not_for_us) X(rx_vlan) \
	X(rx_unknown_type) X(tx_no_mbuf) \
	X(rx_untagged) X(rx_vlan_mismatch) X(tx_vlan_no_room)

#define STATS_ARP(X) \
	X(rx_requests) X(rx_replies) X(rx_invalid) X(rx_not_for_us) \
	X(tx_requests) X(tx_replies) X(tx_gratuitous) \
	X(resolve_failures) X(held_packets) X(held_drops) X(entries_aged) \
	X(entries_evicted) X(learn_limited) X(table_full) X(confirmations)

#define STATS_IP(X) \
	X(rx_packets) X(rx_too_short) X(rx_bad_version) X(rx_bad_hlen) \
	X(rx_bad_len) X(rx_bad_csum) X(rx_not_for_us) X(rx_fragments) \
	X(rx_options) X(rx_unknown_proto) X(rx_delivered) \
	X(tx_packets) X(tx_no_route)

#define STATS_ICMP(X) \
	X(rx_echo_requests) X(tx_echo_replies) X(rx_bad_csum) \
	X(rx_too_short) X(rx_other)

/* IPv6 input and output (lib/net/ipv6.c): every drop has its reason. */
#define STATS_IPV6(X) \
	X(rx_packets) X(rx_too_short) X(rx_bad_version) X(rx_bad_len) \
	X(rx_bad_src) X(rx_not_for_us) X(rx_fragments) X(rx_ext_headers) \
	X(rx_bad_ext) X(rx_unknown_proto) X(rx_delivered) \
	X(rx_tcp_unsupported) X(tx_packets) X(tx_no_route) X(tx_no_room)

/* Neighbor Discovery (RFC 4861/4862: lib/net/nd.c) and its table. */
#define STATS_ND(X) \
	X(rx_solicits) X(rx_adverts) X(rx_bad_hop_limit) X(rx_bad_code) X(rx_bad_len) \
	X(rx_bad_option) X(rx_bad_target) X(rx_bad_src) X(rx_router_msgs) \
	X(rx_not_for_us) X(tx_solicits) X(tx_adverts) X(tx_unsolicited_adverts) \
	X(resolve_failures) X(held_packets) X(held_drops) \
	X(entries_evicted) X(learn_limited) X(table_full) \
	X(dad_probes) X(dad_conflicts) X(confirmations)

#define STATS_ICMP6(X) \
	X(rx_echo_requests) X(tx_echo_replies) X(rx_bad_csum) \
	X(rx_too_short) X(rx_other)

#define STATS_TCP(X) \
	X(ActiveOpens) X(PassiveOpens) X(AttemptFails) X(EstabResets) \
	X(InSegs) X(OutSegs) X(RetransSegs) X(InErrs) X(OutRsts) \
	X(InCsumErrors) X(InRsts) X(RtoTimeouts) X(SynRetrans) \
	X(DelayedAcks) X(QuickAcks) X(PureAcksSent) X(DupAcksSent) \
	X(OfoQueued) X(OfoDropped) X(OfoMerged) X(DupSegs) \
	X(PartialDupSegs) X(OutOfWindow) X(BeyondWindowTrimmed) \
	X(SackBlocksSent) X(DataBytesIn) X(DataBytesOut) \
	X(BadHeader) X(NoConnection) X(ChallengeAcks) X(PawsDrops) X(NoPort) \
	X(WindowProbes) X(TimeWaitEntered) X(DropNoMbuf) \
	X(FastRetrans) X(SackRetrans) X(SackBlocksReceived) X(ListenDrops) \
	X(TimeWaitReused) X(TimeWaitRecycled) X(KeepaliveProbes) X(KeepaliveTimeouts) \
	X(RecoveryPartialAcks) X(SendClones) X(SendRefs) X(SendRefCopies) X(LostRetransmits) X(TxBacklogDefers) \
	X(TailLossProbes) X(SpuriousRtos) X(SackNoMem) \
	X(TsoSends) X(LroSegsIn) \
	X(PersistTimeouts) X(FinWait2Timeouts) \
	X(OfoCollapsed) X(OfoPruned) X(OfoDropLowMem) X(SndLowMemRefused) \
	X(SndLowMemWakeups) X(SndLowMemScans) X(MemLowEvents) X(MemPressureEvents) \
	X(RcvDropNoSndSpace) \
	X(SyncookiesSent) X(SyncookiesRecv) X(SyncookiesFailed) \
	X(HalfOpenDrops) X(SynFromBadSource) X(RstsRateLimited) \
	X(ChallengeAcksLimited) X(SynAckRetriesCut) X(SynAckNoNeigh) \
	X(HalfOpenPeak) \
	X(OfoNoMem) X(CcNoMem) X(SndNoMem) \
	X(Ip6NoMem) X(PredictedSegs)

#define STATS_HTTP(X) \
	X(requests) X(responses) X(body_bytes) X(parse_errors) \
	X(status_1xx) X(status_2xx) X(status_3xx) X(status_4xx) X(status_5xx)

#define STATS_HTTPD(X) \
	X(connections) X(requests) X(status_2xx) X(status_4xx) \
	X(parse_errors) X(body_bytes) X(pipeline_overflows) X(no_state) \
	X(resets) X(header_timeouts) X(idle_timeouts) \
	X(whole_slots) X(whole_full)

#define STATS_ECHO(X) \
	X(connections) X(bytes) X(errors) X(resets) X(idle_timeouts)

#define STATS_IMPAIR(X) \
	X(rx_dropped) X(rx_duplicated) X(rx_reordered) X(rx_corrupted) \
	X(tx_dropped) X(tx_duplicated) X(tx_reordered) X(tx_corrupted)

#define STATS_FIELD(name) uint64_t name;

struct stats {
	struct { STATS_PORT(STATS_FIELD) } port;
	struct { STATS_ETH(STATS_FIELD) } eth;
	struct { STATS_ARP(STATS_FIELD) } arp;
	struct { STATS_IP(STATS_FIELD) } ip;
	struct { STATS_ICMP(STATS_FIELD) } icmp;
	struct { STATS_TCP(STATS_FIELD) } tcp;
	struct { STATS_HTTP(STATS_FIELD) } http;
	struct { STATS_ECHO(STATS_FIELD) } echo;
	struct { STATS_HTTPD(STATS_FIELD) } httpd;
	struct { STATS_IMPAIR(STATS_FIELD) } impair;
	struct { STATS_IPV6(STATS_FIELD) } ipv6;
	struct { STATS_ND(STATS_FIELD) } nd;
	struct { STATS_ICMP6(STATS_FIELD) } icmp6;
};

/* Gauges are not summed counters; kept apart so totals stay meaningful. */
struct stats_gauges {
	uint64_t tcp_curr_estab;
	uint64_t mbufs_in_use;
	uint64_t mbufs_total;
	uint64_t mbufs_port_held;
	uint64_t neigh_entries;
	uint64_t nd_entries;		/* the IPv6 neighbour table's */
	uint64_t tcp_half_open;		/* SYN_RECEIVED now */
};

/* dst += src, field by field (totals over lcores). */
void
stats_add(struct stats *dst, const struct stats *src);

/* All counters as a JSON object; caller owns the reference (json_t *). */
void *
stats_to_json(const struct stats *s, const struct stats_gauges *g);

#endif /* DPF_STATS_H */
