/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The job runner: a job's shares on their workers; see job_runner.h for
 * the call chain.  Everything here runs on the share's own worker.  It
 * decides which connections to open and when requests go (the schedule:
 * job_pace.c), and counts what the HTTP client
 * (lib/http/http_client.c) reports into the share's counters.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "arp.h"
#include "config.h"
#include "http_client.h"
#include "ipv4.h"
#include "ipv6_addr.h"
#include "job.h"
#include "job_pace.h"
#include "job_runner.h"
#include "worker.h"
#include "url.h"

/* How long the end of a job waits for connections to close: a base,
 * and time for each connection's FIN exchange. */
#define DRAIN_US		(2 * 1000 * 1000)
#define DRAIN_PER_CONN_US	10
#define DRAIN_BURST		256
/* Response parsers (8 KiB each) one lcore may hold at once. */
#define PARSERS_MAX		65536u
/* Source addresses announced by ARP when a job starts. */
#define ANNOUNCE_MAX		1024
/* New connections per share per loop iteration when not paced. */
#define OPEN_BURST		64
/* After running out of ports or blocks, wait this long before trying. */
#define LOCAL_RETRY_US		10000

_Static_assert(JOB_PIPELINE_MAX <= HTTP_CLIENT_PIPELINE_MAX,
	       "the HTTP client cannot pipeline that deep");

enum share_phase {
	SHARE_RESOLVING,	/* ARP for the next hops */
	SHARE_RUNNING,
	SHARE_DRAINING,		/* closing its connections */
	SHARE_DONE,
};

/* In hc.owner_flags. */
#define JC_IN_CONNECT_Q		0x01	/* on connect_fifo */
#define JC_IN_RESPONSE_Q	0x02	/* on response_fifo */
#define JC_IN_READY		0x04	/* on ready, or churn_ready */
/* A short connection of the churn dial: not one of the held ones (not
 * in conn_target, never on ready), its own profile and counters. */
#define JC_CHURN		0x08
/* The connection's destination (job->dest_of): the high bits. */
#define JC_DEST_SHIFT		4
_Static_assert(JOB_MAX_DESTS <= 256 >> JC_DEST_SHIFT,
	       "JOB_MAX_DESTS does not fit owner_flags");
/* hc.state of a block back in the pool (owner_flags has no bit left):
 * the drain walks the pool, and a free block has only its first word
 * overwritten, so this tells it from a connection. */
#define JC_FREED		0xff
/* Pool slots the drain looks at per poll, at most. */
#define DRAIN_SCAN		(64 * DRAIN_BURST)

/* A link of a job_conn_list: pool indices + 1 of the neighbours (0:
 * none), half a TAILQ_ENTRY: every held connection has two. */
struct jc_link {
	uint32_t next;
	uint32_t prev;
};

/* One connection of a share. */
struct job_conn {
	struct http_client_conn hc;
	struct jc_link q;		/* connect_fifo or response_fifo */
	struct jc_link rq;		/* ready */
	/* hc.owner_word: when the connect or response clock started (the
	 * SYN went, or the response last moved), now_us's low 32 bits; a
	 * timeout (at most an hour) is shorter than their wrap (71 min). */
};
/* What an idle client connection costs besides TCP (docs/design.md). */
_Static_assert(sizeof(struct job_conn) <= 40, "struct job_conn grew");

/* The connect or response clock of jc: microseconds since it started. */
static uint32_t
jc_clock_us(const struct worker *w, const struct job_conn *jc)
{
	return (uint32_t)w->now_us - jc->hc.owner_word;
}

static void
jc_clock_start(const struct worker *w, struct job_conn *jc)
{
	jc->hc.owner_word = (uint32_t)w->now_us;
}

static unsigned int
jc_dest(const struct job_conn *jc)
{
	return jc->hc.owner_flags >> JC_DEST_SHIFT;
}

static struct job_conn *
jl_at(const struct job_share *s, uint32_t i)
{
	return i == 0 ? NULL :
		(struct job_conn *)(void *)s->w->runner->conn_pool.base +
		(i - 1);
}

static uint32_t
jl_index(const struct job_share *s, const struct job_conn *jc)
{
	return (uint32_t)(jc - (const struct job_conn *)(const void *)
			  s->w->runner->conn_pool.base) + 1;
}

static struct jc_link *
jl_link(struct job_conn *jc, size_t off)
{
	return (struct jc_link *)(void *)((char *)jc + off);
}

static void
jl_insert_tail(struct job_share *s, struct job_conn_list *l,
	       struct job_conn *jc, size_t off)
{
	uint32_t me = jl_index(s, jc);
	struct jc_link *lk = jl_link(jc, off);

	lk->next = 0;
	lk->prev = l->last;
	if (l->last != 0)
		jl_link(jl_at(s, l->last), off)->next = me;
	else
		l->first = me;
	l->last = me;
}

static void
jl_remove(struct job_share *s, struct job_conn_list *l, struct job_conn *jc,
	  size_t off)
{
	struct jc_link *lk = jl_link(jc, off);

	if (lk->prev != 0)
		jl_link(jl_at(s, lk->prev), off)->next = lk->next;
	else
		l->first = lk->next;
	if (lk->next != 0)
		jl_link(jl_at(s, lk->next), off)->prev = lk->prev;
	else
		l->last = lk->prev;
}

#define JL_FIRST(s, l)	jl_at((s), (l)->first)
#define JL_INSERT_TAIL(s, l, jc, f) \
	jl_insert_tail((s), (l), (jc), offsetof(struct job_conn, f))
#define JL_REMOVE(s, l, jc, f) \
	jl_remove((s), (l), (jc), offsetof(struct job_conn, f))

static const struct http_client_ops jr_http_ops;

static struct job_conn *
jc_of(struct http_client_conn *hc)
{
	return container_of(hc, struct job_conn, hc);
}

static int
jc_churn(const struct job_conn *jc)
{
	return (jc->hc.owner_flags & JC_CHURN) != 0;
}

static struct job_share *
share_of(const struct http_client_conn *hc)
{
	if (hc->owner_flags & JC_CHURN)
		return container_of(http_client_prof(hc), struct job_share,
				    churn_prof);
	return container_of(http_client_prof(hc), struct job_share, prof);
}

/* --- the runner's memory ------------------------------------------- */

int
job_runner_init(struct worker *w)
{
	w->runner = rte_zmalloc_socket("job_runner", sizeof(*w->runner),
				       RTE_CACHE_LINE_SIZE,
				       (int)rte_socket_id());
	if (w->runner == NULL)
		return -ENOMEM;
	TAILQ_INIT(&w->runner->shares);
	return 0;
}

/* The connection pool and the parsers, at the first share. */
static int
runner_pools_ready(struct worker *w)
{
	struct job_runner *r = w->runner;
	uint64_t used;

	if (r->conn_pool.base != NULL)
		return 0;
	/* Response parsers: only as many as requests outstanding at once,
	 * and never more than PARSERS_MAX (then requests wait). */
	lazy_pool_init(&r->busy_pool, sizeof(struct http_client_busy),
		       RTE_MIN(w->cfg->max_conns, PARSERS_MAX),
		       worker_heap_alloc, worker_heap_free,
		       (void *)(uintptr_t)rte_lcore_to_socket_id(w->lcore_id));
	used = worker_heap_used(w);
	if (obj_pool_init(&r->conn_pool, "job_conn", w->cfg->max_conns,
			  sizeof(struct job_conn),
			  (int)rte_lcore_to_socket_id(w->lcore_id)) != 0)
		return -1;
	w->conn_mem_bytes += worker_heap_used(w) - used;
	return 0;
}

void
job_runner_fini(struct worker *w)
{
	struct job_runner *r = w->runner;

	if (r == NULL || r->conn_pool.base == NULL)
		return;
	lazy_pool_fini(&r->busy_pool);
	obj_pool_fini(&r->conn_pool);
}

void
job_runner_usage(const struct worker *w, unsigned int *shares,
		 uint64_t *parsers, uint64_t *parser_bytes)
{
	const struct job_runner *r = w->runner;
	const struct job_share *s;

	*shares = 0;
	TAILQ_FOREACH(s, &r->shares, link)
		(*shares)++;
	*parsers = r->busy_pool.n_blocks;
	*parser_bytes = (uint64_t)r->busy_pool.n_blocks * r->busy_pool.size;
}

/* --- bookkeeping --------------------------------------------------- */

static void
share_note(struct job_share *s, const char *fmt, ...)
{
	va_list ap;

	if (s->error[0] != '\0')
		return;	/* the first error is the one that explains */
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

static void
q_remove(struct job_share *s, struct job_conn *jc)
{
	if (jc->hc.owner_flags & JC_IN_CONNECT_Q)
		JL_REMOVE(s, &s->connect_fifo, jc, q);
	else if (jc->hc.owner_flags & JC_IN_RESPONSE_Q)
		JL_REMOVE(s, &s->response_fifo, jc, q);
	jc->hc.owner_flags &= ~(JC_IN_CONNECT_Q | JC_IN_RESPONSE_Q);
}

/* Churn connections wait on their own list: rate_rps never uses them. */
static struct job_conn_list *
ready_list(struct job_share *s, const struct job_conn *jc)
{
	return jc_churn(jc) ? &s->churn_ready : &s->ready[jc_dest(jc)];
}

static void
ready_remove(struct job_share *s, struct job_conn *jc)
{
	if (jc->hc.owner_flags & JC_IN_READY) {
		JL_REMOVE(s, ready_list(s, jc), jc, rq);
		jc->hc.owner_flags &= ~JC_IN_READY;
	}
}

static void
ready_add(struct job_share *s, struct job_conn *jc)
{
	if (!(jc->hc.owner_flags & JC_IN_READY)) {
		JL_INSERT_TAIL(s, ready_list(s, jc), jc, rq);
		jc->hc.owner_flags |= JC_IN_READY;
	}
}

/* (Re)start the response clock: to the tail, deadline from now. */
static void
response_clock(struct worker *w, struct job_share *s, struct job_conn *jc)
{
	q_remove(s, jc);
	jc_clock_start(w, jc);
	JL_INSERT_TAIL(s, &s->response_fifo, jc, q);
	jc->hc.owner_flags |= JC_IN_RESPONSE_Q;
}

/* Forget jc: the TCP side is gone or no longer points at it. */
static void
conn_free(struct worker *w, struct job_share *s, struct job_conn *jc)
{
	q_remove(s, jc);
	ready_remove(s, jc);
	if (jc->hc.state == HTTP_CLIENT_CONNECTING)
		s->n_connecting--;
	if (jc_churn(jc))
		s->n_churn--;
	http_client_forget(w, &jc->hc);
	if (s->job->dests != NULL && !jc_churn(jc))
		s->dest_conns[jc_dest(jc)]--;
	s->n_open--;
	s->cnt.conns_closed++;
	jc->hc.state = JC_FREED;
	obj_pool_put(&w->runner->conn_pool, jc);
}

/* The requests jc still owes count as failed (or cancelled); those
 * sent, in their mix entries' too. */
static void
conn_settle(struct job_share *s, struct job_conn *jc, int cancelled)
{
	uint64_t n;
	unsigned int i;

	for (i = 0; s->mix_cnt != NULL && i < jc->hc.inflight; i++) {
		struct job_mix_counters *mc =
			&s->mix_cnt[http_client_url_at(&jc->hc, i)];

		if (cancelled)
			mc->cancelled++;
		else
			mc->failed++;
	}
	n = http_client_settle(&jc->hc);

	if (cancelled)
		s->cnt.requests_cancelled += n;
	else
		s->cnt.requests_failed += n;
	/* Churn requests are not the quota's. */
	if (!jc_churn(jc))
		s->req_finished += n;
}

/* n errors of kind, on jc or (NULL) on none: counted, and in a mix
 * entry's (job_mix_counters says which). */
static void
share_error(struct job_share *s, const struct job_conn *jc,
	    enum job_error kind, uint64_t n)
{
	s->cnt.errors[kind] += n;
	if (s->mix_cnt == NULL)
		return;
	if (jc != NULL && jc->hc.inflight > 0) {
		s->mix_cnt[http_client_url_at(&jc->hc, 0)].errors += n;
		return;
	}
	/* Picked again: errors before any request spread by weight. */
	s->mix_cnt[s->next_url].errors += n;
	s->next_url = mix_pick(&s->job->mix_pick, rte_rand());
}

/* An error of kind on jc: counted, and in the churn's own too. */
static void
conn_error(struct job_share *s, const struct job_conn *jc,
	   enum job_error kind)
{
	share_error(s, jc, kind, 1);
	if (jc_churn(jc))
		s->churn.errors++;
}

/* An error on jc outside the HTTP client's callbacks: count it, settle
 * its requests, cut the TCP side off, free it. */
static void
conn_fail(struct worker *w, struct job_share *s, struct job_conn *jc,
	  enum job_error kind)
{
	conn_error(s, jc, kind);
	conn_settle(s, jc, 0);
	http_client_abort(w, &jc->hc, 0);
	conn_free(w, s, jc);
}

static const struct url *
share_url(const struct job_share *s, unsigned int i)
{
	return &s->job->p.urls[i];
}

/* Where jc goes: the first URL of its destination. */
static const struct url *
jc_url(const struct job_share *s, const struct job_conn *jc)
{
	const struct job *job = s->job;

	return job->dests == NULL ? share_url(s, 0) :
		share_url(s, job->dests[jc_dest(jc)].url[0]);
}

/*
 * The URL of jc's next request, or -1 when jc must leave it to a
 * connection of its destination.  It is the share's next (a mix's pick
 * by weight, or the URLs in turn) when that is for jc's destination.
 * Else the request waits for one of its own connections; only a churn
 * connection, or any when its destination has no connection at all
 * (fewer connections than destinations), takes one of its own
 * destination's URLs instead (by their weights, or in turn).
 */
static int
jc_next_url(struct job_share *s, const struct job_conn *jc)
{
	const struct job *job = s->job;
	const struct job_dest *jd;
	unsigned int want;

	if (likely(job->dests == NULL))
		return (int)s->next_url;
	want = job->dest_of[s->next_url];
	if (want == jc_dest(jc))
		return (int)s->next_url;
	if (!jc_churn(jc) && s->dest_conns[want] > 0)
		return -1;
	jd = &job->dests[jc_dest(jc)];
	if (s->mix_cnt != NULL)
		return jd->url[mix_pick(&jd->pick, rte_rand())];
	return jd->url[s->dest_turn[jc_dest(jc)] % jd->n];
}

/* The first ready held connection for the share's next request: one of
 * its destination's, or of any when that one has no connection. */
static struct job_conn *
share_ready_first(struct job_share *s)
{
	const struct job *job = s->job;
	struct job_conn *jc;
	unsigned int d;

	if (likely(job->dests == NULL))
		return JL_FIRST(s, &s->ready[0]);
	d = job->dest_of[s->next_url];
	jc = JL_FIRST(s, &s->ready[d]);
	if (jc != NULL || s->dest_conns[d] > 0)
		return jc;
	for (d = 0; d < job->n_dests; d++)
		if ((jc = JL_FIRST(s, &s->ready[d])) != NULL)
			return jc;
	return NULL;
}

static int
share_accepting(const struct job_share *s)
{
	return s->phase == SHARE_RUNNING;
}

/* --- the quota ------------------------------------------------------ */

/* Take one request from the quota; 0 if it is used up. */
static int
quota_take(struct job_share *s)
{
	if (s->req_quota != 0 && s->req_reserved >= s->req_quota)
		return 0;
	s->req_reserved++;
	return 1;
}

/* --- requests ------------------------------------------------------- */

/*
 * Send the next request on jc (the job's URLs in turn).  0 on success;
 * 1 when not now (packet buffers or parsers are short: jc is untouched
 * and stays ready).  A churn connection's requests go as soon as they
 * can, outside the rate_rps schedule.
 */
/* --- the trace of a one-shot fetch (-v; job_trace.h) ---------------- */

static void
trace_request(struct job_share *s, const struct job_conn *jc, uint16_t url)
{
	const struct http_client_busy *b = http_client_busy_of(&jc->hc);
	const struct http_client_profile *pr = http_client_prof(&jc->hc);

	job_trace_rx_reset(s->job->trace);
	if (b != NULL && b->tx_close)
		job_trace_head(s->job->trace, "> ", pr->head_close[url],
			       pr->head_close_len[url]);
	else
		job_trace_head(s->job->trace, "> ", pr->head[url],
			       pr->head_len[url]);
}

static void
trace_next_hops(struct worker *w, const struct job_share *s)
{
	uint8_t m[6];
	char ip[16];
	uint32_t i;

	for (i = 0; i < s->n_next_hops; i++) {
		if (arp_resolve(w, s->next_hops[i], m) <= 0)
			continue;
		ipv4_format(s->next_hops[i], ip, sizeof(ip));
		job_trace_printf(s->job->trace,
			"* ARP %s is at %02x:%02x:%02x:%02x:%02x:%02x%s", ip,
			m[0], m[1], m[2], m[3], m[4], m[5],
			s->next_hops[i] == s->job->p.urls[0].ipv4 ? "" :
			" (the gateway)");
	}
}

static int
conn_send(struct worker *w, struct job_share *s, struct job_conn *jc,
	  uint64_t unpaced_intended)
{
	int first = jc->hc.inflight == 0, churn = jc_churn(jc);
	/* A mix: an entry by weight (kept for the next try when not now). */
	int next = jc_next_url(s, jc);
	uint16_t url = (uint16_t)next;
	int rc;

	if (next < 0)
		return 1;
	rc = http_client_send(w, &jc->hc, url,
		churn || !job_pace_rps_paced(&s->pace) ? unpaced_intended :
		job_pace_request_intended(&s->pace, w->now_us));

	if (rc == HTTP_CLIENT_NO_PARSER)
		s->parser_waits++;
	if (rc != 0)
		return 1;
	if (churn)
		s->churn.requests_sent++;
	else
		job_pace_request_take(&s->pace);
	if (s->mix_cnt != NULL)
		s->mix_cnt[url].requests++;
	if (url != s->next_url)	/* its destination's own */
		s->dest_turn[jc_dest(jc)]++;
	else if (s->mix_cnt != NULL)
		s->next_url = mix_pick(&s->job->mix_pick, rte_rand());
	else
		s->next_url = (s->next_url + 1) % s->job->p.n_urls;
	if (unlikely(s->job->trace != NULL))
		trace_request(s, jc, url);
	if (first)
		response_clock(w, s, jc);
	s->cnt.requests_sent++;
	return 0;
}

/* The quota is used up: idle connections have no future, unless the job
 * runs for a time (they are held open until it ends). */
static void
conn_quota_done(struct worker *w, struct job_share *s, struct job_conn *jc)
{
	ready_remove(s, jc);
	if (jc->hc.inflight == 0 && s->job->p.duration_s == 0)
		http_client_close(w, &jc->hc);
}

/* Send requests on connections that may, as pacing and quota allow;
 * the connections that can no longer send are closed. */
static void
share_send_ready(struct worker *w, struct job_share *s)
{
	struct job_conn *jc;
	int took;

	while ((jc = share_ready_first(s)) != NULL) {
		if (!http_client_can_send(&jc->hc)) {
			ready_remove(s, jc);
			continue;
		}
		if (!job_pace_request_due(&s->pace))
			return;
		took = 0;
		if (!(jc->hc.flags & HTTP_CLIENT_OWED)) {
			took = quota_take(s);
			if (!took) {
				conn_quota_done(w, s, jc);
				continue;
			}
		}
		if (conn_send(w, s, jc, w->now_us) != 0) {
			/* Short of buffers: it waits at the head. */
			if (took)
				s->req_reserved--;
			return;
		}
		if (!http_client_can_send(&jc->hc))
			ready_remove(s, jc);
	}
}

/* Churn connections send their requests one after another, at once;
 * what packet buffers or parsers held back waits at the head. */
static void
share_churn_send(struct worker *w, struct job_share *s)
{
	struct job_conn *jc;

	while ((jc = JL_FIRST(s, &s->churn_ready)) != NULL) {
		if (http_client_can_send(&jc->hc) &&
		    conn_send(w, s, jc, w->now_us) != 0)
			return;
		if (!http_client_can_send(&jc->hc))
			ready_remove(s, jc);
	}
}

/* --- the HTTP client's callbacks ----------------------------------- */

/* How late on its schedule something meant for intended goes now. */
static uint32_t
lag_of(uint64_t intended, uint64_t now_us)
{
	return intended >= now_us ? 0 : now_us - intended > UINT32_MAX ?
		UINT32_MAX : (uint32_t)(now_us - intended);
}

static void
jr_connected(struct worker *w, struct http_client_conn *hc,
	     uint32_t open_lag_us)
{
	struct job_conn *jc = jc_of(hc);
	struct job_share *s = share_of(hc);
	uint64_t connect_us = jc_clock_us(w, jc);
	uint64_t syn_us = w->now_us - connect_us;

	q_remove(s, jc);
	s->n_connecting--;
	s->cnt.conns_established++;
	hist_record(&s->lat_connect, connect_us);
	if (unlikely(s->job->trace != NULL)) {
		const struct url *u = jc_url(s, jc);

		job_trace_printf(s->job->trace,
			"* Connected to %s port %u (handshake %llu us)",
			u->host, u->port, (unsigned long long)connect_us);
	}
	if (jc_churn(jc)) {
		s->churn.conns_established++;
		hist_record(&s->lat_churn_connect, connect_us);
	}
	if (!share_accepting(s)) {
		conn_settle(s, jc, 1);
		http_client_close(w, hc);
		return;
	}
	ready_add(s, jc);
	/* Send at once if pacing allows; else the poll loop will.  Unless
	 * rate_rps schedules requests, the first one was meant for when
	 * the connection was meant to open (rate_cps, churn_cps). */
	if ((jc_churn(jc) || job_pace_request_due(&s->pace)) &&
	    conn_send(w, s, jc, syn_us - open_lag_us) == 0) {
		if (!http_client_can_send(hc))
			ready_remove(s, jc);
	}
}

static void
jr_writable(struct worker *w, struct http_client_conn *hc)
{
	RTE_SET_USED(w);
	ready_add(share_of(hc), jc_of(hc));
}

static void
jr_progress(struct worker *w, struct http_client_conn *hc)
{
	response_clock(w, share_of(hc), jc_of(hc));
}

static void
jr_response(struct worker *w, struct http_client_conn *hc,
	    const struct http_client_response *r)
{
	struct job_share *s = share_of(hc);
	struct job_conn *jc = jc_of(hc);

	s->cnt.responses++;
	s->cnt.body_bytes += r->body_bytes;
	if (unlikely(s->job->trace != NULL && s->job->trace->level > 1))
		job_trace_printf(s->job->trace,
			"* HTTP %d: %llu bytes of body in %llu us", r->status,
			(unsigned long long)r->body_bytes,
			(unsigned long long)(w->now_us - r->sent_us));
	if (r->status >= 0 && r->status < JOB_STATUS_CODES)
		s->cnt.status[r->status]++;
	if (s->mix_cnt != NULL) {
		struct job_mix_counters *mc = &s->mix_cnt[r->url];

		mc->responses++;
		mc->body_bytes += r->body_bytes;
		mc->status_class[r->status >= 100 && r->status < 600 ?
				 r->status / 100 : 0]++;
		hist_record(&s->mix_lat[r->url], w->now_us - r->intended_us);
	}
	/* From the intended time (open loop: a backlog's wait counts), and
	 * from when it actually went: the same when it went on time, then
	 * recorded once (job.h). */
	if (likely(r->intended_us == r->sent_us)) {
		hist_record(&s->lat_ttfb, r->first_byte_us - r->intended_us);
		hist_record(&s->lat_total, w->now_us - r->intended_us);
	} else {
		hist_record(&s->late_ttfb, r->first_byte_us - r->intended_us);
		hist_record(&s->late_total, w->now_us - r->intended_us);
		hist_record(&s->late_service_ttfb,
			    r->first_byte_us - r->sent_us);
		hist_record(&s->late_service, w->now_us - r->sent_us);
	}
	hist_record(&s->sec_total[s->n_samples % JOB_SEC_RING],
		    w->now_us - r->intended_us);
	if (jc_churn(jc)) {
		s->churn.responses++;
		hist_record(&s->lat_churn_total, w->now_us - r->intended_us);
	} else {
		s->req_finished++;
	}
	if (hc->inflight > 0)
		response_clock(w, s, jc);
	else
		q_remove(s, jc);
}

/* Nothing outstanding on hc: keep it for more, or close it. */
static void
jr_idle(struct worker *w, struct http_client_conn *hc, int reuse)
{
	struct job_share *s = share_of(hc);
	struct job_conn *jc = jc_of(hc);

	if (!reuse || !share_accepting(s)) {
		ready_remove(s, jc);
		http_client_close(w, hc);
		return;
	}
	ready_add(s, jc);
}

static enum job_error
job_error_of(enum http_client_error e)
{
	switch (e) {
	case HTTP_CLIENT_ERR_UNSOLICITED:
	case HTTP_CLIENT_ERR_PARSE:
		return JOB_ERR_PARSE;
	case HTTP_CLIENT_ERR_WRITE:
		return JOB_ERR_WRITE;
	case HTTP_CLIENT_ERR_REFUSED:
		return JOB_ERR_REFUSED;
	case HTTP_CLIENT_ERR_RESET:
		return JOB_ERR_RESET;
	case HTTP_CLIENT_ERR_TIMEOUT:
		return JOB_ERR_TCP_TIMEOUT;
	default:
		return JOB_ERR_CLOSED_EARLY;
	}
}

static void
jr_error(struct worker *w, struct http_client_conn *hc,
	 enum http_client_error e, uint32_t arg)
{
	struct job_share *s = share_of(hc);

	RTE_SET_USED(w);
	/* The first error is the one that explains. */
	if (s->error[0] == '\0')
		http_client_strerror(hc, e, arg, s->error, sizeof(s->error));
	if (unlikely(s->job->trace != NULL) && s->error[0] != '\0')
		job_trace_printf(s->job->trace, "* %s", s->error);
	conn_error(s, jc_of(hc), job_error_of(e));
	conn_settle(s, jc_of(hc), 0);
}

static void
jr_ending(struct worker *w, struct http_client_conn *hc)
{
	struct job_share *s = share_of(hc);
	struct job_conn *jc = jc_of(hc);

	RTE_SET_USED(w);
	ready_remove(s, jc);
	q_remove(s, jc);
}

static void
jr_release(struct worker *w, struct http_client_conn *hc)
{
	if (unlikely(share_of(hc)->job->trace != NULL))
		job_trace_printf(share_of(hc)->job->trace, "* closed");
	conn_free(w, share_of(hc), jc_of(hc));
}

static const struct http_client_ops jr_http_ops = {
	.connected = jr_connected,
	.writable = jr_writable,
	.progress = jr_progress,
	.response = jr_response,
	.idle = jr_idle,
	.error = jr_error,
	.ending = jr_ending,
	.release = jr_release,
};

/* --- the share's poll ---------------------------------------------- */

static void
share_finish(struct worker *w, struct job_share *s)
{
	s->phase = SHARE_DONE;
	s->end_us = w->now_us;
	TAILQ_REMOVE(&w->runner->shares, s, link);
	job_share_done(s);
}

/* The share cannot start: why, and its requests failed. */
static void
share_give_up(struct worker *w, struct job_share *s, enum job_error kind)
{
	share_error(s, NULL, kind, 1);
	if (s->req_quota != 0) {
		s->cnt.requests_failed += s->req_quota;
		s->req_finished = s->req_quota;
	}
	share_finish(w, s);
}

/* Peers learn our source addresses before the first SYN-ACK has to wait
 * for an ARP answer (a few addresses per share). */
static void
share_announce(struct worker *w, struct job_share *s)
{
	const struct job_params *p = &s->job->p;
	uint64_t n, k;

	if (p->src_lo == 0)
		return;
	n = (uint64_t)p->src_hi - p->src_lo + 1;
	for (k = s->index; k < n && k < ANNOUNCE_MAX; k += s->job->n_shares)
		arp_announce(w, p->src_lo + (uint32_t)k);
}

/* ARP for the next hops: 1 when all are known, 0 while pending, -1 when
 * one failed (noted). */
static int
share_arp(struct worker *w, struct job_share *s)
{
	uint8_t mac[6];
	uint32_t i;
	int pending = 0;

	for (i = 0; i < s->n_next_hops; i++) {
		int rc = arp_resolve(w, s->next_hops[i], mac);
		char ip[16];

		if (rc > 0)
			continue;
		if (rc == 0) {
			pending = 1;
			continue;
		}
		ipv4_format(s->next_hops[i], ip, sizeof(ip));
		share_note(s, "ARP: no reply from %s after %u requests (next hop %s)",
			   ip, w->cfg->arp.retries,
			   s->next_hops[i] == s->job->p.urls[0].ipv4 ?
			   "is the server" : "is the gateway");
		return -1;
	}
	return pending ? 0 : 1;
}

/* Whether any of the share's URLs is IPv6. */
static int
share_has_ipv6(const struct job_share *s)
{
	unsigned int i;

	for (i = 0; i < s->job->p.n_urls; i++)
		if (s->job->p.urls[i].is_ipv6)
			return 1;
	return 0;
}

/* ARP for every next hop before the first SYN. */
static void
share_resolve(struct worker *w, struct job_share *s)
{
	int rc;

	if (w->app->link_down) {
		/* Started before the link came up (a memif peer not yet
		 * connected, a cable): ARP now would fail for nothing.
		 * Wait, within the connect timeout. */
		if (w->now_us - s->start_us <
		    (uint64_t)s->job->p.connect_timeout_ms * 1000)
			return;
		share_note(s, "the port's link stayed down for %u ms",
			   s->job->p.connect_timeout_ms);
		share_give_up(w, s, JOB_ERR_LINK_DOWN);
		return;
	}
	/* IPv6 URLs: --ip6 is no source to send from while duplicate
	 * address detection runs (RFC 4862 5.4); a conflict stops
	 * dpfetch (nd.c).  Wait, within the connect timeout. */
	if (w->app->ip6_tentative && share_has_ipv6(s)) {
		if (w->now_us - s->start_us <
		    (uint64_t)s->job->p.connect_timeout_ms * 1000)
			return;
		share_note(s, "--ip6 still tentative (duplicate address detection) after %u ms",
			   s->job->p.connect_timeout_ms);
		share_give_up(w, s, JOB_ERR_LINK_DOWN);
		return;
	}
	rc = share_arp(w, s);
	if (rc < 0)
		share_give_up(w, s, JOB_ERR_ARP);
	if (rc <= 0)
		return;
	if (unlikely(s->job->trace != NULL))
		trace_next_hops(w, s);
	s->phase = SHARE_RUNNING;
	job_pace_start(&s->pace, w->now_us);
	share_announce(w, s);
}

static uint32_t
share_src_ip(struct job_share *s)
{
	const struct job_params *p = &s->job->p;
	uint32_t ip;

	if (p->src_lo == 0)
		return 0;
	ip = p->src_lo + s->next_src;
	s->next_src = (s->next_src + 1) % (p->src_hi - p->src_lo + 1);
	return ip;
}

/* The next IPv6 source of src_ips6 into buf (the range's low 32 bits
 * count up), or NULL for --ip6. */
static const uint8_t *
share_src_ip6(struct job_share *s, uint8_t *buf)
{
	const struct job_params *p = &s->job->p;
	uint32_t low;

	if (p->src6_n == 0)
		return NULL;
	memcpy(buf, p->src6_lo, 16);
	memcpy(&low, buf + 12, 4);
	low = rte_cpu_to_be_32(rte_be_to_cpu_32(low) + s->next_src6);
	memcpy(buf + 12, &low, 4);
	s->next_src6 = (s->next_src6 + 1) % p->src6_n;
	return buf;
}

/* The destination of a new connection: for a held one, the one with
 * the fewest held connections for its weight, so that they spread over
 * the destinations as the weights do (each one has some as soon as
 * there are as many connections as destinations); for a churn one, a
 * pick by weight (not counted: held requests never wait for one). */
static unsigned int
share_open_dest(struct job_share *s, int churn)
{
	const struct job *job = s->job;
	unsigned int d, best = 0;

	if (likely(job->dests == NULL))
		return 0;
	if (churn)	/* by weight, at random */
		return job->dest_of[s->mix_cnt != NULL ?
				    mix_pick(&job->mix_pick, rte_rand()) :
				    rte_rand() % job->p.n_urls];
	/* Least (conns + 1) / weight, compared without division. */
	for (d = 1; d < job->n_dests; d++)
		if ((uint64_t)(s->dest_conns[d] + 1) * job->dests[best].weight <
		    (uint64_t)(s->dest_conns[best] + 1) * job->dests[d].weight)
			best = d;
	s->dest_conns[best]++;
	return best;
}

/* Open one connection: a held one (its request taken from the quota),
 * or a churn one (churn, its opening taken from the churn dial).  0, or
 * -1 when opening must pause (noted). */
static int
share_open_one(struct worker *w, struct job_share *s, int churn)
{
	const struct url *u;
	struct job_conn *jc;
	uint64_t intended;
	uint8_t src6[16];
	unsigned int dest;

	jc = obj_pool_get(&w->runner->conn_pool);
	if (jc == NULL) {
		/* Other jobs hold the blocks: try again shortly. */
		if (churn)
			s->churn.errors++;
		else
			s->req_reserved--;
		share_error(s, NULL, JOB_ERR_LOCAL, 1);
		share_note(s, "no free connection block (max %u per lcore)",
			   w->cfg->max_conns);
		s->open_after_us = w->now_us + LOCAL_RETRY_US;
		return -1;
	}
	memset(jc, 0, sizeof(*jc));
	jc_clock_start(w, jc);
	JL_INSERT_TAIL(s, &s->connect_fifo, jc, q);
	jc->hc.owner_flags = JC_IN_CONNECT_Q;
	s->n_open++;
	s->n_connecting++;
	s->cnt.conns_opened++;
	if (churn) {
		jc->hc.owner_flags |= JC_CHURN;
		s->n_churn++;
		s->churn.conns_opened++;
		intended = job_pace_churn_take(&s->pace, w->now_us);
	} else {
		intended = job_pace_conn_take(&s->pace, w->now_us);
	}
	dest = share_open_dest(s, churn);
	jc->hc.owner_flags |= (uint8_t)(dest << JC_DEST_SHIFT);
	u = jc_url(s, jc);
	if (unlikely(s->job->trace != NULL))
		job_trace_printf(s->job->trace, "* Trying %s:%u ...", u->host,
				 u->port);
	if ((u->is_ipv6 ?
	     http_client_connect6(w, &jc->hc, churn ? &s->churn_prof :
				  &s->prof, share_src_ip6(s, src6), u->ipv6,
				  u->port, lag_of(intended, w->now_us)) :
	     http_client_connect(w, &jc->hc, churn ? &s->churn_prof :
				 &s->prof, share_src_ip(s), u->ipv4, u->port,
				 lag_of(intended, w->now_us))) != 0) {
		share_note(s, "cannot open a connection (no free port or connection block)");
		conn_fail(w, s, jc, JOB_ERR_LOCAL);
		s->open_after_us = w->now_us + LOCAL_RETRY_US;
		return -1;
	}
	return 0;
}

static void
share_open(struct worker *w, struct job_share *s)
{
	uint32_t goal = job_pace_conn_goal(s->conn_target,
					   s->job->p.ramp_s, s->start_us,
					   w->now_us);
	unsigned int burst = 0;

	if (w->now_us < s->open_after_us || w->mbufs_low || w->tx_held_back)
		return;
	/* Churn connections are not the held ones. */
	while (s->n_open - s->n_churn < goal && burst < OPEN_BURST) {
		if (!job_pace_conn_due(&s->pace) || !quota_take(s))
			return;
		burst++;
		if (share_open_one(w, s, 0) != 0)
			return;
	}
}

/* The churn dial's short connections, as they fall due (open loop: what
 * cannot open now waits in the dial's backlog). */
static void
share_churn(struct worker *w, struct job_share *s)
{
	unsigned int burst = 0;

	if (w->now_us < s->open_after_us || w->mbufs_low || w->tx_held_back)
		return;
	while (job_pace_churn_due(&s->pace) && burst++ < OPEN_BURST)
		if (share_open_one(w, s, 1) != 0)
			return;
}

/* Requests (or connection openings) the schedule gave up past
 * max_backlog: errors, never silent. */
static void
share_count_overflow(struct worker *w, struct job_share *s)
{
	uint64_t n = job_pace_overflow(&s->pace);
	uint64_t churn = job_pace_churn_overflow(&s->pace);

	(void)w;
	if (churn != 0) {
		share_note(s, "the churn backlog passed max_backlog (%llu): "
			   "connections cannot open at churn_cps",
			   (unsigned long long)s->pace.churn.max_backlog);
		s->churn.errors += churn;
		share_error(s, NULL, JOB_ERR_BACKLOG_OVERFLOW, churn);
	}
	if (n == 0)
		return;
	if (s->cnt.errors[JOB_ERR_BACKLOG_OVERFLOW] == 0)
		share_note(s, "the backlog passed max_backlog (%llu): the "
			   "connections cannot carry the rate",
			   (unsigned long long)s->pace.rps.max_backlog);
	share_error(s, NULL, JOB_ERR_BACKLOG_OVERFLOW, n);
}

static void
share_expire(struct worker *w, struct job_share *s)
{
	struct job_conn *jc;

	while ((jc = JL_FIRST(s, &s->connect_fifo)) != NULL &&
	       jc_clock_us(w, jc) >=
	       (uint64_t)s->job->p.connect_timeout_ms * 1000) {
		const struct url *u = jc_url(s, jc);

		share_note(s, "connection to %s:%u timed out after %u ms (no answer to SYN)",
			   u->host, u->port, s->job->p.connect_timeout_ms);
		conn_fail(w, s, jc, JOB_ERR_CONNECT_TIMEOUT);
	}
	while ((jc = JL_FIRST(s, &s->response_fifo)) != NULL &&
	       jc_clock_us(w, jc) >=
	       (uint64_t)s->job->p.response_timeout_ms * 1000) {
		const struct url *u = share_url(s, http_client_url(&jc->hc));

		share_note(s, "no response from %s:%u for %u ms",
			   u->host, u->port, s->job->p.response_timeout_ms);
		conn_fail(w, s, jc, JOB_ERR_RESPONSE_TIMEOUT);
	}
}

static void
share_sample(struct worker *w, struct job_share *s)
{
	struct job_sample *x;
	unsigned int i;

	if (w->now_us < s->next_sample_us)
		return;
	x = &s->series[s->n_samples % JOB_SERIES_MAX];
	x->requests = s->cnt.requests_sent;
	x->responses = s->cnt.responses;
	x->conns_opened = s->cnt.conns_opened;
	x->bytes_rx = s->cnt.bytes_rx;
	x->bytes_tx = s->cnt.bytes_tx;
	x->errors = 0;
	for (i = 0; i < JOB_ERR_MAX; i++)
		x->errors += s->cnt.errors[i];
	x->open = s->n_open;
	__atomic_store_n(&s->n_samples, s->n_samples + 1, __ATOMIC_RELEASE);
	/* Published first: a merger reading the slot being cleared sees
	 * it reused (job.c, second_intact). */
	hist_init(&s->sec_total[s->n_samples % JOB_SEC_RING]);
	s->next_sample_us += 1000000;
	job_merge_seconds(s->job);
}

/* What the connections were doing, for a deadline's message. */
static const char *
share_doing(const struct job_share *s)
{
	if (s->n_open == 0)
		return "waiting";
	if (s->n_connecting > 0)
		return "connecting";
	return JL_FIRST(s, &s->response_fifo) != NULL ?
		"waiting for the response" : "closing";
}

/* Why the share stops now, if it does. */
static int
share_should_end(struct worker *w, struct job_share *s)
{
	const struct job_params *p = &s->job->p;

	if (__atomic_load_n(&s->job->stop, __ATOMIC_ACQUIRE))
		return 1;
	if (p->duration_s > 0 &&
	    w->now_us - s->start_us >= (uint64_t)(p->duration_s * 1e6))
		return 1;
	if (p->deadline_s > 0 &&
	    w->now_us - s->start_us >= (uint64_t)(p->deadline_s * 1e6)) {
		share_note(s, "timed out after %.1f s while %s (%llu bytes received)",
			   p->deadline_s, share_doing(s),
			   (unsigned long long)s->cnt.bytes_rx);
		share_error(s, NULL, JOB_ERR_TIMEOUT, 1);
		return 2;
	}
	if (p->duration_s == 0 && s->req_quota != 0 &&
	    s->req_finished >= s->req_quota)
		return 1;
	return 0;
}

/* Stop work: from now on no request or connection is started. */
static void
share_begin_drain(struct worker *w, struct job_share *s, int failed)
{
	struct job_conn *jc;
	unsigned int d;

	s->phase = SHARE_DRAINING;
	s->drain_failed = failed;
	s->drain_next = 1;
	s->drain_until_us = w->now_us + DRAIN_US +
		(uint64_t)s->n_open * DRAIN_PER_CONN_US;
	if (s->req_quota != 0 && s->req_reserved < s->req_quota &&
	    failed) {
		/* A deadline ended it: what never went out failed too. */
		s->cnt.requests_failed += s->req_quota - s->req_reserved;
	}
	for (d = 0; d < JOB_MAX_DESTS; d++)
		while ((jc = JL_FIRST(s, &s->ready[d])) != NULL)
			ready_remove(s, jc);
	while ((jc = JL_FIRST(s, &s->churn_ready)) != NULL)
		ready_remove(s, jc);
}

/* At the end: an idle connection closes in order, an unanswered one is
 * cut off (RST). */
static void
share_close_one(struct worker *w, struct job_share *s, struct job_conn *jc)
{
	const struct http_client_conn *hc = &jc->hc;

	if (hc->state == HTTP_CLIENT_CLOSING)
		return;
	if (hc->state == HTTP_CLIENT_CONNECTING || hc->inflight > 0 ||
	    (hc->flags & HTTP_CLIENT_WRITING)) {
		conn_settle(s, jc, !s->drain_failed);
		http_client_abort(w, &jc->hc, 0);
		conn_free(w, s, jc);
		return;
	}
	conn_settle(s, jc, 1);
	q_remove(s, jc);
	http_client_close(w, &jc->hc);
}

/* The share's connection at pool index + 1 i, or NULL (free, or
 * another share's). */
static struct job_conn *
share_conn_at(const struct job_share *s, uint32_t i)
{
	struct job_conn *jc = jl_at(s, i);

	if (jc->hc.state == JC_FREED || share_of(&jc->hc) != s)
		return NULL;
	return jc;
}

/*
 * Close the share's connections, DRAIN_BURST per poll so that a million
 * FINs do not overrun the TX ring at once.  The worker's pool is walked
 * in index order (drain_next), DRAIN_SCAN slots per poll at most:
 * blocks handed out meanwhile are not the share's (it opens no more).
 */
static void
share_close_some(struct worker *w, struct job_share *s)
{
	uint32_t end = w->runner->conn_pool.next_unused;
	unsigned int n = 0, scanned = 0;
	struct job_conn *jc;

	if (w->tx_held_back)
		return;
	while (s->drain_next <= end && n < DRAIN_BURST &&
	       scanned++ < DRAIN_SCAN) {
		jc = share_conn_at(s, s->drain_next++);
		if (jc != NULL) {
			n++;
			share_close_one(w, s, jc);
		}
	}
}

static void
share_drain(struct worker *w, struct job_share *s)
{
	uint32_t i, end = w->runner->conn_pool.next_unused;
	struct job_conn *jc;

	share_close_some(w, s);
	if (s->n_open > 0 && w->now_us < s->drain_until_us)
		return;
	/* Peers that do not finish the close are not waited for. */
	for (i = 1; i <= end && s->n_open > 0; i++) {
		jc = share_conn_at(s, i);
		if (jc != NULL) {
			http_client_abort(w, &jc->hc, 0);
			conn_free(w, s, jc);
		}
	}
	share_finish(w, s);
}

/* A one-shot's deadline that passes while ARP still runs. */
static int
share_resolve_expired(struct worker *w, struct job_share *s)
{
	double d = s->job->p.deadline_s;

	if (d <= 0 || w->now_us - s->start_us < (uint64_t)(d * 1e6))
		return 0;
	share_note(s, "timed out after %.1f s while resolving the next hop (0 bytes received)",
		   d);
	share_error(s, NULL, JOB_ERR_TIMEOUT, 1);
	s->cnt.requests_failed += s->req_quota;
	share_finish(w, s);
	return 1;
}

static void
share_run(struct worker *w, struct job_share *s)
{
	int end;

	share_sample(w, s);
	end = share_should_end(w, s);
	if (end != 0) {
		share_begin_drain(w, s, end == 2);
		share_drain(w, s);
		return;
	}
	job_pace_refill(&s->pace, w->now_us);
	share_count_overflow(w, s);
	share_expire(w, s);
	share_send_ready(w, s);
	share_churn_send(w, s);
	share_open(w, s);
	share_churn(w, s);
}

static void
share_poll(struct worker *w, struct job_share *s)
{
	if (s->start_us == 0) {
		/* The clock starts at the first poll, not when the share
		 * was handed over (maybe before the port was up). */
		s->start_us = w->now_us;
		s->next_sample_us = w->now_us + 1000000;
	}
	switch (s->phase) {
	case SHARE_RESOLVING:
		if (share_resolve_expired(w, s))
			return;
		share_resolve(w, s);
		if (s->phase == SHARE_RUNNING)
			share_run(w, s);
		return;
	case SHARE_RUNNING:
		share_run(w, s);
		return;
	case SHARE_DRAINING:
		share_sample(w, s);
		share_drain(w, s);
		return;
	default:
		return;
	}
}

void
job_runner_poll(struct worker *w)
{
	struct job_share *s, *next;

	/* The TX ring is full: make no new packets until it drains. */
	w->tx_held_back = w->tx_n >= TX_BATCH;
	/* w->mbufs_low: worker_mem_check keeps it current. */

	for (s = TAILQ_FIRST(&w->runner->shares); s != NULL; s = next) {
		next = TAILQ_NEXT(s, link);
		share_poll(w, s);
	}
}

/* A mix's request seq of share arg: the counter counts over the job
 * (the shares interleave), the random values follow from it. */
static uint32_t
share_render(const void *arg, uint16_t url, int close, uint64_t seq,
	     char *buf, uint32_t cap)
{
	const struct job_share *s = arg;
	const struct job *job = s->job;

	return mix_request_render(&job->mix_req[url], close,
				  seq * job->n_shares + s->index,
				  job->mix_seed, buf, cap);
}

/* The HTTP client's view of the share: the job's request heads and
 * body, its limits, and where to report. */
static void
share_profile(struct worker *w, struct job_share *s)
{
	const struct job *job = s->job;
	struct http_client_profile *pr = &s->prof;

	pr->ops = &jr_http_ops;
	pr->busy_pool = &w->runner->busy_pool;
	pr->urls = job->p.urls;
	pr->head = job->req_head;
	pr->head_len = job->req_head_len;
	pr->head_sum = job->req_head_sum;
	pr->head_close = job->req_head_close;
	pr->head_close_len = job->req_head_close_len;
	pr->head_close_sum = job->req_head_close_sum;
	pr->body = job->p.body;
	pr->body_len = job->p.body_len;
	pr->pipeline = job->p.pipeline;
	pr->requests_per_connection = job->p.requests_per_connection;
	pr->out = job->p.out;
	pr->head_request = job->head_request;
	pr->bytes_rx = &s->cnt.bytes_rx;
	pr->bytes_tx = &s->cnt.bytes_tx;
	memset(&s->resp_memo, 0, sizeof(s->resp_memo));
	pr->resp_memo = &s->resp_memo;
	if (job->p.n_mix > 0) {
		pr->render = share_render;
		pr->render_arg = s;
		pr->render_buf = s->mix_buf;
		pr->render_cap = 2 * MIX_REQUEST_MAX;
		pr->render_seq = &s->mix_seq;
		pr->head_of = job->mix_head;
	}
	if (job->trace != NULL) {
		pr->trace_rx = job_trace_rx;
		pr->trace_arg = job->trace;
	}
	/* Churn connections: the same requests, churn_requests of them
	 * one after another, the last with Connection: close. */
	s->churn_prof = *pr;
	s->churn_prof.pipeline = 1;
	s->churn_prof.requests_per_connection = job->p.churn_requests;
}

/* The next hops of the share's URLs, each once: 0, or -1 (noted) when
 * one has no route. */
static int
share_next_hops(struct worker *w, struct job_share *s)
{
	const struct job_params *p = &s->job->p;
	unsigned int i, k;

	for (i = 0; i < p->n_urls; i++) {
		uint32_t hop;

		/* IPv6: Neighbor Discovery runs in ipv6_output, which
		 * holds the first SYNs until the neighbour answers; only
		 * the route is checked here. */
		if (p->urls[i].is_ipv6) {
			uint8_t nh6[16];

			if (ipv6_next_hop(w->app, p->urls[i].ipv6, nh6) == 0)
				continue;
			share_note(s, "no route to %s: it is outside every --ip6 prefix and there is no --gateway6",
				   p->urls[i].host);
			share_error(s, NULL, JOB_ERR_NO_ROUTE, 1);
			s->cnt.requests_failed += s->req_quota;
			return -1;
		}
		hop = ipv4_next_hop(w, p->urls[i].ipv4);
		if (hop == 0) {
			share_note(s, "no route to %s: it is outside the --ip prefix and there is no --gateway",
				   p->urls[i].host);
			share_error(s, NULL, JOB_ERR_NO_ROUTE, 1);
			s->cnt.requests_failed += s->req_quota;
			return -1;
		}
		for (k = 0; k < s->n_next_hops; k++)
			if (s->next_hops[k] == hop)
				break;
		if (k == s->n_next_hops)
			s->next_hops[s->n_next_hops++] = hop;
	}
	return 0;
}

void
job_runner_start(struct worker *w, struct job_share *s)
{
	memset(s->ready, 0, sizeof(s->ready));
	memset(&s->churn_ready, 0, sizeof(s->churn_ready));
	memset(&s->connect_fifo, 0, sizeof(s->connect_fifo));
	memset(&s->response_fifo, 0, sizeof(s->response_fifo));
	s->phase = SHARE_RESOLVING;
	/* The pending pick from the start: even an error before the first
	 * request has an entry to count to. */
	if (s->job->p.n_mix > 0)
		s->next_url = mix_pick(&s->job->mix_pick, rte_rand());
	if (runner_pools_ready(w) != 0) {
		share_note(s, "no memory for connection state");
		share_error(s, NULL, JOB_ERR_LOCAL, 1);
		job_share_done(s);
		return;
	}
	share_profile(w, s);
	if (share_next_hops(w, s) != 0) {
		job_share_done(s);
		return;
	}
	TAILQ_INSERT_TAIL(&w->runner->shares, s, link);
}
