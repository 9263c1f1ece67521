/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers, on the lcore's timing wheel:
 *   TCP_TT_RTX     SYN and data retransmission (RFC 6298), and the persist
 *                  timer when the peer's window is zero (RFC 9293 3.8.6.1)
 *   TCP_TT_DELACK  delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2)
 *   TCP_TT_IDLE    keepalive (RFC 1122 4.2.3.6) and the application's
 *                  deadlines (ops->timeout) while established, the
 *                  FIN_WAIT_2 bound, then the TIME_WAIT wait
 * The three are kinds of one wheel timer per connection (24 bytes, not
 * 96; the wheel's one callback is tcp_timer_expired): each keeps only
 * its tick, and the wheel timer is set to the earliest.  Stopping a
 * kind leaves the wheel timer where it is, even the last kind; if it
 * fires with nothing due it moves to the next kind due, or stops.
 */
#include <errno.h>

#include <rte_common.h>

#include "tcp_priv.h"
#include "tcp_seq.h"
#include "worker.h"

#define RTO_CLOCK_G_US	1000	/* clock granularity G, RFC 6298 (2.3) */

/* Kinds keep the low 32 bits of their tick: 2^31 ticks of 250 us are six
 * days, and no TCP or application delay is let run half that long (a
 * longer application deadline fires early and is asked again). */
#define TT_MAX_TICKS	(UINT32_C(1) << 30)

/* The tick a kind armed now with delay_us fires at. */
static uint64_t
tcp_tt_tick(const struct worker *w, uint64_t delay_us)
{
	if (delay_us > (uint64_t)TT_MAX_TICKS * TIMER_TICK_US)
		delay_us = (uint64_t)TT_MAX_TICKS * TIMER_TICK_US;
	return timer_tick_of(w->now_us, delay_us);
}

/* A kind's 32-bit tick as a full one, near the current tick. */
static uint64_t
tcp_tt_abs(const struct worker *w, uint32_t at)
{
	uint64_t now = w->now_us / TIMER_TICK_US;

	return now + (uint64_t)(int64_t)(int32_t)(at - (uint32_t)now);
}

/* The wheel timer at the earliest kind armed, or stopped if none is. */
static void
tcp_tt_rearm(struct worker *w, struct tcp_conn *c)
{
	uint64_t first = UINT64_MAX;
	unsigned int k;

	for (k = 0; k < TCP_TT_N; k++)
		if (tcp_tt_armed(c, k) && tcp_tt_abs(w, c->tt_at[k]) < first)
			first = tcp_tt_abs(w, c->tt_at[k]);
	if (first == UINT64_MAX)
		timer_cancel(&w->wheel, &c->timer);
	else if (!timer_is_armed(&c->timer) || c->timer.expire_tick != first)
		timer_arm_tick(&w->wheel, &c->timer, first);
}

void
tcp_tt_arm(struct worker *w, struct tcp_conn *c, enum tcp_timer_kind k,
	   uint64_t delay_us)
{
	uint64_t tick = tcp_tt_tick(w, delay_us);
	uint32_t at = (uint32_t)tick;

	/* 0 means off: one tick early instead, once every 12 days. */
	c->tt_at[k] = at != 0 ? at : 1;
	if (!timer_is_armed(&c->timer) || c->timer.expire_tick > tick)
		timer_arm_tick(&w->wheel, &c->timer, tick);
}

/*
 * The wheel timer stays linked even when no kind is left: it fires once
 * with nothing due and is unlinked then (tcp_timer_expired).  A request
 * and its answer stop and start the retransmission timer each time, and
 * unlinking and relinking would touch two other connections' blocks (the
 * list neighbours) and the slot's head for every one; left in place, a
 * later arm finds it earlier and leaves it there.  Freeing a connection
 * unlinks it at once (tcp_timers_cancel).
 */
void
tcp_tt_cancel(struct worker *w, struct tcp_conn *c, enum tcp_timer_kind k)
{
	RTE_SET_USED(w);
	c->tt_at[k] = 0;
}

uint32_t
tcp_rto_us(const struct worker *w, const struct tcp_conn *c)
{
	uint64_t rto, lo, hi;

	if (c->srtt_us == 0)
		return w->cfg->tcp.rto_initial_ms * 1000;
	rto = (uint64_t)c->srtt_us +
		RTE_MAX((uint64_t)RTO_CLOCK_G_US, 4 * (uint64_t)c->rttvar_us);
	lo = (uint64_t)w->cfg->tcp.rto_min_ms * 1000;
	hi = (uint64_t)w->cfg->tcp.rto_max_ms * 1000;
	if (rto < lo)
		rto = lo;
	return (uint32_t)(rto > hi ? hi : rto);
}

static uint64_t
tcp_rto_backed_off(const struct worker *w, const struct tcp_conn *c)
{
	uint64_t rto = (uint64_t)tcp_rto_us(w, c) << c->rtx_shift;
	uint64_t max = (uint64_t)w->cfg->tcp.rto_max_ms * 1000;

	return rto > max ? max : rto;
}

#define TLP_MIN_US	10000	/* RFC 8985 7.2 */
#define TLP_DELACK_US	50000	/* a typical peer's delayed ACK (Linux:
				 * 40 ms); RFC 8985 suggests 200 ms but
				 * the full RTO still follows */

/*
 * Arm the retransmission timer, or a probe before it.  Outside recovery
 * that is RFC 8985's tail loss probe: when the last segments of a flight
 * are lost no duplicate ACK ever comes, and a probe after two round trips
 * draws the SACK that starts fast recovery instead of waiting for the
 * full RTO.  In recovery the same timer catches a lost retransmission
 * that nothing sent later can reveal (the time-based rule of RACK, in
 * its simplest form): the holes are sent again.
 */
void
tcp_rtx_arm(struct worker *w, struct tcp_conn *c)
{
	uint64_t delay = tcp_rto_backed_off(w, c);

	c->flags &= ~TF_TLP_PENDING;
	if ((c->flags & (TF_SACK | TF_TLP_DONE)) == TF_SACK &&
	    (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) &&
	    c->rtx_shift == 0 && c->srtt_us != 0 &&
	    SEQ_LT(c->snd_una, c->snd_max)) {
		uint64_t pto = 2 * (uint64_t)c->srtt_us;

		if (SEQ_DIFF(c->snd_max, c->snd_una) <= c->mss)
			pto += TLP_DELACK_US;
		if (pto < TLP_MIN_US)
			pto = TLP_MIN_US;
		if (pto < delay) {
			delay = pto;
			c->flags |= TF_TLP_PENDING;
		}
	}
	tcp_tt_arm(w, c, TCP_TT_RTX, delay);
}

/* Send the probe: new data if the peer's window has room, else the last
 * segment again (RFC 8985 7.3). */
static void
tcp_send_tlp(struct worker *w, struct tcp_conn *c)
{
	uint32_t unsent = tcp_snd_of(w->tcp, c)->len - SEQ_DIFF(c->snd_nxt, c->snd_una);
	uint32_t fin_seq = c->snd_una + tcp_snd_of(w->tcp, c)->len;

	c->flags |= TF_TLP_DONE;
	if (c->flags & TF_RECOVERY) {
		/* No ACK for two round trips after our retransmissions:
		 * they were lost; send the holes again. */
		w->stats.tcp.LostRetransmits++;
		tcp_retransmit_head(w, c);
		tcp_output(w, c);
		return;
	}
	w->stats.tcp.TailLossProbes++;
	if (unsent > 0 && SEQ_LT(c->snd_nxt, c->snd_una + c->snd_wnd)) {
		uint32_t saved = c->cc.cwnd;

		/* One segment beyond cwnd. */
		c->cc.cwnd = SEQ_DIFF(c->snd_nxt, c->snd_una) + c->mss;
		tcp_output(w, c);
		c->cc.cwnd = RTE_MAX(saved, (uint32_t)c->mss);
	} else {
		/* The last segment sent, not the last one queued: the
		 * peer's window may not reach that far. */
		uint32_t end = SEQ_MIN(c->snd_max, fin_seq);
		uint32_t len = RTE_MIN((uint32_t)c->mss,
				       SEQ_DIFF(end, c->snd_una));

		tcp_retransmit(w, c, end - len, len);
	}
}

void
tcp_rtt_sample(struct worker *w, struct tcp_conn *c, uint32_t rtt_us)
{
	RTE_SET_USED(w);
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
tcp_rtx_expired(struct worker *w, struct tcp_conn *c)
{
	uint32_t flight;

	if (c->flags & TF_TLP_PENDING) {
		c->flags &= ~TF_TLP_PENDING;
		tcp_send_tlp(w, c);
		tcp_rtx_arm(w, c);
		return;
	}
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		uint32_t max = w->cfg->tcp.syn_retries;
		int passive = c->state == TCP_SYN_RECEIVED &&
			(c->flags & TF_PASSIVE);

		if (passive) {
			max = w->cfg->tcp.synack_retries;
			/* Half the backlog taken now or in the last minute
			 * (a flood, most likely): one retry, so half-open
			 * connections go after 3 s rather than a minute
			 * (Linux cuts them too).  "In the last minute" so
			 * that those opened while the count was low,
			 * between two waves or as the last ones of a wave
			 * time out, go as fast. */
			if ((w->tcp->n_half_open >= w->tcp->syn_backlog / 2 ||
			     (w->tcp->syn_pressure_ms != 0 &&
			      w->now_ms + 1 - w->tcp->syn_pressure_ms <
			      60000)) &&
			    max > 1 && c->rtx_shift >= 1) {
				w->stats.tcp.SynAckRetriesCut++;
				max = 1;
			}
		}
		if (c->rtx_shift >= max) {
			if (passive) {
				/* Nobody may be there (spoofed): free it
				 * without the RST tcp_abort would send. */
				w->stats.tcp.AttemptFails++;
				tcp_notify_closed(w, c, ETIMEDOUT);
				tcp_conn_free(w, c);
				return;
			}
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

	if (c->snd_wnd == 0 && tcp_snd_of(w->tcp, c)->len > 0 &&
	    SEQ_DIFF(c->snd_max, c->snd_una) <= 1) {
		/* Persist (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17): the peer's
		 * window is closed; probe it with one byte (the same byte
		 * again if the last probe is still unacknowledged), backing
		 * off, for as long as the peer keeps answering. */
		/* Seconds, plus one: the clock starts at 0, and 0 means
		 * "not persisting" (then 1 instead, once every 18 hours). */
		uint16_t now_s = (uint16_t)(w->now_ms / 1000 + 1);

		if (c->persist_s == 0) {
			c->persist_s = now_s != 0 ? now_s : 1;
		} else if (w->cfg->tcp.persist_max_s != 0 &&
			   (uint16_t)(now_s - c->persist_s) >=
			   w->cfg->tcp.persist_max_s) {
			/* A peer may keep its window closed, answering
			 * every probe, for ever: what we hold for it
			 * (the connection, the send buffer) must not. */
			w->stats.tcp.PersistTimeouts++;
			tcp_timeout_fail(w, c);
			return;
		}
		w->stats.tcp.WindowProbes++;
		if (SEQ_LT(c->snd_una, c->snd_max)) {
			tcp_retransmit(w, c, c->snd_una, 1);
		} else {
			uint32_t saved = c->snd_wnd;

			c->snd_wnd = 1;
			tcp_output(w, c);
			c->snd_wnd = saved;
		}
		if (c->rtx_shift < 6)
			c->rtx_shift++;
		tcp_rtx_arm(w, c);
		if (w->cfg->tcp.persist_max_s != 0) {
			/* The backed-off probe may come long after the
			 * bound: look again when it is due. */
			uint64_t left = (uint64_t)(w->cfg->tcp.persist_max_s -
				(uint16_t)(now_s - c->persist_s)) * 1000000;

			if (tcp_rto_backed_off(w, c) > left)
				tcp_tt_arm(w, c, TCP_TT_RTX, left);
		}
		return;
	}

	c->persist_s = 0;
	if (SEQ_LT(c->snd_una, c->snd_max)) {
		/* Retransmission timeout (RFC 6298 5.4-5.6, RFC 5681 3.1). */
		if (c->rtx_shift >= w->cfg->tcp.data_retries) {
			tcp_timeout_fail(w, c);
			return;
		}
		w->stats.tcp.RtoTimeouts++;
		c->retrans_count++;
		flight = SEQ_DIFF(c->snd_max, c->snd_una);
		/* Only the first timeout of a series reduces ssthresh
		 * (RFC 5681 (4)); later ones keep backing off. */
		if (c->rtx_shift == 0) {
			tcp_cc_ready(w, c);
			w->tcp->cc_ops->on_rto(&c->cc, flight, w->now_us);
		}
		else
			c->cc.cwnd = c->mss;
		c->rtx_shift++;
		c->rtt_start_us = 0;	/* Karn: no sample across a retransmit */
		c->snd_nxt = c->snd_una;
		c->dupacks = 0;
		/* Go back N: SACK information is void after a timeout
		 * (RFC 2018 8, RFC 6675 5.1). */
		c->flags &= ~TF_RECOVERY;
		tcp_sack_put(w, c);
		tcp_set_high_rxt(w->tcp, c, c->snd_una);
		c->recover = c->snd_max;
		tcp_output(w, c);
		tcp_rtx_arm(w, c);
		return;
	}

}

static void
tcp_delack_expired(struct worker *w, struct tcp_conn *c)
{
	if (c->flags & TF_DELACK) {
		w->stats.tcp.DelayedAcks++;
		tcp_send_ack(w, c);
	}
}

/* Arm kind k to fire within delay_us, unless it already fires sooner. */
static void
tcp_tt_arm_earlier(struct worker *w, struct tcp_conn *c,
		   enum tcp_timer_kind k, uint64_t delay_us)
{
	if (tcp_tt_armed(c, k) &&
	    tcp_tt_abs(w, c->tt_at[k]) <= tcp_tt_tick(w, delay_us))
		return;
	tcp_tt_arm(w, c, k, delay_us);
}

/* Keepalive: 0 when the connection was reset, else the microseconds to
 * the next keepalive event (UINT64_MAX: keepalive is off). */
static uint64_t
tcp_keepalive_check(struct worker *w, struct tcp_conn *c)
{
	const struct tcp_conf *tc = &w->cfg->tcp;
	uint64_t idle_us;

	if (tc->keepalive_s == 0)
		return UINT64_MAX;
	idle_us = tcp_conn_idle_us(w, c);
	if (idle_us < (uint64_t)tc->keepalive_s * 1000000) {
		/* Traffic since we armed: wait for the rest of the idle time. */
		return (uint64_t)tc->keepalive_s * 1000000 - idle_us;
	}
	if (c->ka_probes >= tc->keepalive_probes) {
		w->stats.tcp.KeepaliveTimeouts++;
		tcp_notify_closed(w, c, ETIMEDOUT);
		tcp_abort(w, c);
		return 0;
	}
	c->ka_probes++;
	tcp_send_keepalive(w, c);
	return (uint64_t)tc->keepalive_intvl_s * 1000000;
}

/* TIME_WAIT over, FIN_WAIT_2 over, keepalive or the application's
 * deadline due. */
static void
tcp_idle_expired(struct worker *w, struct tcp_conn *c)
{
	const struct tcp_app_ops *ops;
	uint64_t next = UINT64_MAX, ka;

	if (c->state == TCP_TIME_WAIT) {
		tcp_conn_free(w, c);
		return;
	}
	if (c->state == TCP_FIN_WAIT_2) {
		/* We closed and the peer acknowledged it but never sent its
		 * FIN: the connection would stay for ever (RFC 9293 leaves
		 * the bound to us; Linux's tcp_fin_timeout). */
		w->stats.tcp.FinWait2Timeouts++;
		tcp_notify_closed(w, c, ETIMEDOUT);
		tcp_abort(w, c);
		return;
	}
	if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT)
		return;
	ops = tcp_ops_of(w->tcp, c);
	if (ops != NULL && ops->timeout != NULL &&
	    !(c->flags & TF_APP_CLOSED)) {
		next = ops->timeout(w, c);
		if (next == 0) {
			tcp_notify_closed(w, c, ETIMEDOUT);
			tcp_abort(w, c);
			return;
		}
	}
	ka = tcp_keepalive_check(w, c);
	if (ka == 0)
		return;
	if (ka < next)
		next = ka;
	if (next != UINT64_MAX)
		tcp_tt_arm_earlier(w, c, TCP_TT_IDLE, next);
}

void
tcp_keepalive_arm(struct worker *w, struct tcp_conn *c)
{
	if (w->cfg->tcp.keepalive_s == 0)
		return;
	tcp_tt_arm_earlier(w, c, TCP_TT_IDLE,
			   (uint64_t)w->cfg->tcp.keepalive_s * 1000000);
}

void
tcp_app_timer_arm(struct worker *w, struct tcp_conn *c, uint64_t delay_us)
{
	tcp_tt_arm_earlier(w, c, TCP_TT_IDLE, delay_us);
}

void
tcp_fin_wait2_arm(struct worker *w, struct tcp_conn *c)
{
	if (w->cfg->tcp.fin_wait2_s == 0) {
		tcp_tt_cancel(w, c, TCP_TT_IDLE);
		return;
	}
	tcp_tt_arm(w, c, TCP_TT_IDLE,
		   (uint64_t)w->cfg->tcp.fin_wait2_s * 1000000);
}

/* The wheel's fire: the first kind due runs (after the wheel timer is
 * set for the others: the kind's handler may free c). */
void
tcp_timer_expired(struct timer *t, void *ctx)
{
	struct tcp_conn *c = container_of(t, struct tcp_conn, timer);
	struct worker *w = ctx;
	uint64_t now = w->now_us / TIMER_TICK_US;
	unsigned int k;

	for (k = 0; k < TCP_TT_N; k++)
		if (tcp_tt_armed(c, k) && tcp_tt_abs(w, c->tt_at[k]) <= now)
			break;
	if (k < TCP_TT_N)
		c->tt_at[k] = 0;
	tcp_tt_rearm(w, c);
	switch (k) {
	case TCP_TT_RTX:
		tcp_rtx_expired(w, c);
		break;
	case TCP_TT_DELACK:
		tcp_delack_expired(w, c);
		break;
	case TCP_TT_IDLE:
		tcp_idle_expired(w, c);
		break;
	default:
		break;		/* stopped early: nothing due yet */
	}
}

void
tcp_timers_init(struct tcp_conn *c)
{
	unsigned int k;

	timer_init(&c->timer);
	for (k = 0; k < TCP_TT_N; k++)
		c->tt_at[k] = 0;
}

void
tcp_timers_cancel(struct worker *w, struct tcp_conn *c)
{
	unsigned int k;

	for (k = 0; k < TCP_TT_N; k++)
		c->tt_at[k] = 0;
	timer_cancel(&w->wheel, &c->timer);
}

void
tcp_delack_arm(struct worker *w, struct tcp_conn *c)
{
	if (!tcp_tt_armed(c, TCP_TT_DELACK))
		tcp_tt_arm(w, c, TCP_TT_DELACK,
			   (uint64_t)w->cfg->tcp.delack_ms * 1000);
}

void
tcp_enter_time_wait(struct worker *w, struct tcp_conn *c)
{
	tcp_set_state(w, c, TCP_TIME_WAIT);
	w->stats.tcp.TimeWaitEntered++;
	tcp_timers_cancel(w, c);
	tcp_notify_closed(w, c, 0);
	/* Send-side data is all acknowledged; the queue can go now, and
	 * so can the congestion control's state. */
	tcp_ooo_put(w, c);
	tcp_cc_detach(w, c);
	if (w->cfg->tcp.time_wait_ms == 0) {
		tcp_conn_free(w, c);
		return;
	}
	tcp_tt_arm(w, c, TCP_TT_IDLE, (uint64_t)w->cfg->tcp.time_wait_ms * 1000);
	tcp_time_wait_remember(w, c);
}
