/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers, on the lcore's timing wheel:
 *   rtx_timer     SYN and data retransmission (RFC 6298), and the persist
 *                 timer when the peer's window is zero (RFC 9293 3.8.6.1)
 *   delack_timer  delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2)
 *   tw_timer      TIME_WAIT
 */
#include <errno.h>

#include "tcp.h"
#include "tcp_seq.h"
#include "worker.h"

#define RTO_CLOCK_G_US	1000	/* clock granularity G, RFC 6298 (2.3) */

static uint64_t
tcp_rto_backed_off(const struct worker *w, const struct tcp_conn *c)
{
	uint64_t rto = (uint64_t)c->rto_us << c->rtx_shift;
	uint64_t max = (uint64_t)w->cfg->tcp.rto_max_ms * 1000;

	return rto > max ? max : rto;
}

void
tcp_rtx_arm(struct worker *w, struct tcp_conn *c)
{
	timer_arm(&w->wheel, &c->rtx_timer, w->now_us,
		  tcp_rto_backed_off(w, c));
}

void
tcp_rtt_sample(struct worker *w, struct tcp_conn *c, uint32_t rtt_us)
{
	uint64_t rto, lo, hi;

	if (rtt_us == 0)
		rtt_us = 1;
	if (c->srtt_us == 0) {
		/* RFC 6298 (2.2) */
		c->srtt_us = rtt_us;
		c->rttvar_us = rtt_us / 2;
	} else {
		/* RFC 6298 (2.3), alpha = 1/8, beta = 1/4 */
		uint32_t delta = c->srtt_us > rtt_us ? c->srtt_us - rtt_us :
			rtt_us - c->srtt_us;

		c->rttvar_us = c->rttvar_us - c->rttvar_us / 4 + delta / 4;
		c->srtt_us = c->srtt_us - c->srtt_us / 8 + rtt_us / 8;
	}
	rto = (uint64_t)c->srtt_us +
		RTE_MAX((uint64_t)RTO_CLOCK_G_US, 4 * (uint64_t)c->rttvar_us);
	lo = (uint64_t)w->cfg->tcp.rto_min_ms * 1000;
	hi = (uint64_t)w->cfg->tcp.rto_max_ms * 1000;
	if (rto < lo)
		rto = lo;
	c->rto_us = (uint32_t)(rto > hi ? hi : rto);
}

static void
tcp_timeout_fail(struct worker *w, struct tcp_conn *c)
{
	if (c->state == TCP_SYN_SENT) {
		w->stats.tcp.AttemptFails++;
		tcp_notify_closed(w, c, ETIMEDOUT);
		tcp_conn_free(w, c);
		return;
	}
	tcp_notify_closed(w, c, ETIMEDOUT);
	tcp_abort(w, c);
}

static void
tcp_rtx_expired(struct timer *t, void *arg)
{
	struct tcp_conn *c = arg;
	struct worker *w = c->w;
	uint32_t flight;

	(void)t;
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		if (c->rtx_shift >= w->cfg->tcp.syn_retries) {
			tcp_timeout_fail(w, c);
			return;
		}
		c->rtx_shift++;
		w->stats.tcp.SynRetrans++;
		w->stats.tcp.RetransSegs++;
		c->retrans_count++;
		tcp_send_syn(w, c);
		tcp_rtx_arm(w, c);
		return;
	}

	if (SEQ_LT(c->snd_una, c->snd_max)) {
		/* Retransmission timeout (RFC 6298 5.4-5.6, RFC 5681 3.1). */
		if (c->rtx_shift >= w->cfg->tcp.data_retries) {
			tcp_timeout_fail(w, c);
			return;
		}
		w->stats.tcp.RtoTimeouts++;
		c->retrans_count++;
		flight = SEQ_DIFF(c->snd_max, c->snd_una);
		c->ssthresh = RTE_MAX(flight / 2, 2u * c->mss);
		c->cwnd = c->mss;
		c->rtx_shift++;
		c->rtt_start_us = 0;	/* Karn: no sample across a retransmit */
		c->snd_nxt = c->snd_una;
		c->dupacks = 0;
		tcp_output(w, c);
		tcp_rtx_arm(w, c);
		return;
	}

	if (c->snd.len > 0 && c->snd_wnd == 0) {
		/* Persist: probe the closed window with one byte. */
		uint32_t saved = c->snd_wnd;

		w->stats.tcp.WindowProbes++;
		c->snd_wnd = 1;
		tcp_output(w, c);
		c->snd_wnd = saved;
		if (c->rtx_shift < 16)
			c->rtx_shift++;
		tcp_rtx_arm(w, c);
	}
}

static void
tcp_delack_expired(struct timer *t, void *arg)
{
	struct tcp_conn *c = arg;

	(void)t;
	if (c->flags & TF_DELACK) {
		c->w->stats.tcp.DelayedAcks++;
		tcp_send_ack(c->w, c);
	}
}

static void
tcp_tw_expired(struct timer *t, void *arg)
{
	struct tcp_conn *c = arg;

	(void)t;
	tcp_conn_free(c->w, c);
}

void
tcp_timers_init(struct tcp_conn *c)
{
	timer_init(&c->rtx_timer, tcp_rtx_expired, c);
	timer_init(&c->delack_timer, tcp_delack_expired, c);
	timer_init(&c->tw_timer, tcp_tw_expired, c);
}

void
tcp_timers_cancel(struct worker *w, struct tcp_conn *c)
{
	timer_cancel(&w->wheel, &c->rtx_timer);
	timer_cancel(&w->wheel, &c->delack_timer);
	timer_cancel(&w->wheel, &c->tw_timer);
}

void
tcp_delack_arm(struct worker *w, struct tcp_conn *c)
{
	if (!timer_is_armed(&c->delack_timer))
		timer_arm(&w->wheel, &c->delack_timer, w->now_us,
			  (uint64_t)w->cfg->tcp.delack_ms * 1000);
}

void
tcp_enter_time_wait(struct worker *w, struct tcp_conn *c)
{
	tcp_set_state(w, c, TCP_TIME_WAIT);
	w->stats.tcp.TimeWaitEntered++;
	timer_cancel(&w->wheel, &c->rtx_timer);
	timer_cancel(&w->wheel, &c->delack_timer);
	tcp_notify_closed(w, c, 0);
	/* Send-side data is all acknowledged; the queue can go now. */
	tcp_reass_flush(&c->ooo);
	if (w->cfg->tcp.time_wait_ms == 0) {
		tcp_conn_free(w, c);
		return;
	}
	timer_arm(&w->wheel, &c->tw_timer, w->now_us,
		  (uint64_t)w->cfg->tcp.time_wait_ms * 1000);
}
