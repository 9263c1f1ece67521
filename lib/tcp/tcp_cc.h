/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control behind one ops table, so that the algorithm is a
 * per-connection choice (tcp.cc in the config): NewReno (RFC 5681 with
 * RFC 6582's recovery, used with SACK-based loss recovery per RFC 6675)
 * and CUBIC (RFC 9438).
 *
 * The algorithms see only struct tcp_cc, not the connection: TCP decides
 * when an ACK, a loss or a timeout happened and what is in flight; the
 * algorithm decides cwnd and ssthresh.  No DPDK dependency; unit-tested.
 */

#ifndef DPF_TCP_CC_H
#define DPF_TCP_CC_H

#include <stdint.h>

/* CUBIC's own state (RFC 9438 4), in segments and microseconds: a
 * cold block, needed only past slow start (see tcp_cc.cubic). */
struct tcp_cubic {
	double w_max;		/* window before the last reduction */
	double k;		/* time to reach w_max again, seconds */
	double w_est;		/* Reno-friendly estimate (4.3) */
	double cwnd_prior;	/* cwnd before the last reduction */
	double ca_bytes;	/* growth owed, in bytes, with fractions */
	double cwnd_epoch;	/* cwnd at the start of the epoch */
	uint64_t epoch_us;	/* start of the congestion avoidance epoch */
};

struct tcp_cc {
	uint32_t cwnd;		/* bytes */
	uint32_t ssthresh;	/* bytes */
	uint32_t mss;
	uint32_t bytes_acked;	/* congestion avoidance byte counter */
	/*
	 * An algorithm with its own state (ops->ext_size != 0: CUBIC) finds
	 * it here.  TCP attaches it (zeroed) before the first loss, timeout
	 * or ACK past slow start, which is before the algorithm first
	 * reads or writes it, and init keeps the pointer (zeroing the
	 * block).  NULL then (none to be had): CUBIC grows and backs off
	 * as NewReno does, with its beta.
	 */
	struct tcp_cubic *cubic;
};

struct tcp_cc_ops {
	const char *name;
	/* Bytes of cc->cubic the algorithm uses past slow start; 0: none. */
	uint32_t ext_size;
	void (*init)(struct tcp_cc *cc, uint32_t mss, uint32_t iw_segs);
	/* New data acknowledged outside recovery. */
	void (*on_ack)(struct tcp_cc *cc, uint32_t acked, uint64_t now_us,
		       uint32_t srtt_us);
	/* Loss detected by duplicate ACKs or SACK: entering recovery. */
	void (*on_loss)(struct tcp_cc *cc, uint32_t flight, uint64_t now_us);
	/* Retransmission timeout. */
	void (*on_rto)(struct tcp_cc *cc, uint32_t flight, uint64_t now_us);
};

extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/* By name ("newreno", "cubic"); NULL if unknown. */
const struct tcp_cc_ops *
tcp_cc_find(const char *name);

/* CUBIC's window at t seconds into the epoch, in segments (eq. 1). */
double
tcp_cubic_window(const struct tcp_cc *cc, double t);

#define CUBIC_C		0.4
#define CUBIC_BETA	0.7

#endif /* DPF_TCP_CC_H */
