/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A real worker on a looped-back net_ring port for tests of the packet
 * path (stack_harness.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "arp.h"
#include "config.h"
#include "echo_server.h"
#include "http_server.h"
#include "job.h"
#include "neigh.h"
#include "port.h"
#include "stack_harness.h"
#include "steer.h"
#include "tcp_priv.h"
#include "tcp_opt.h"
#include "worker.h"
#include "worker_loop.h"

#define SH_MAX_CONNS	32

const uint8_t sh_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static char runtime_dir[PATH_MAX];

/* --- EAL ------------------------------------------------------------- */

static void
remove_runtime_dir(void)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	if (runtime_dir[0] == '\0')
		return;
	d = opendir(runtime_dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", runtime_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(runtime_dir);
}

int
sh_eal_init(const char *name)
{
	char prefix[64];
	/* --no-shconf: nothing on disk but the runtime directory (removed
	 * at exit); --in-memory would say the same but EAL refuses it with
	 * --no-huge (which implies --legacy-mem). */
	char *eal[] = {
		(char *)(uintptr_t)name, "--no-huge", "--no-pci", "-m", "256",
		"--file-prefix", prefix, "--log-level", "error",
		"--no-shconf", "--no-telemetry", "-l", "0",
		"--vdev", "net_ring0",
	};

	/* Unique per process: test programs and fuzzers run side by
	 * side. */
	snprintf(prefix, sizeof(prefix), "%s-%d", name, (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "%s: rte_eal_init: %s\n", name,
			rte_strerror(rte_errno));
		return -1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	atexit(remove_runtime_dir);
	return 0;
}

/* --- set-up and teardown --------------------------------------------- */

void
sh_config_init(struct stack_harness *h)
{
	memset(h, 0, sizeof(*h));
	config_init(&h->cfg);
	h->cfg.ip = SH_OUR_IP;
	h->cfg.prefix_len = 24;
	h->cfg.max_conns = SH_MAX_CONNS;
	h->step_us = 1000000;
}

static int
sh_fail(struct stack_harness *h, const char *what)
{
	snprintf(h->err, sizeof(h->err), "%s", what);
	return -1;
}

int
sh_start(struct stack_harness *h, unsigned int pool_mbufs)
{
	struct app *app = &h->app;
	const struct dpf_config *cfg = &h->cfg;
	char err[256];
	uint16_t pid;

	app->cfg = cfg;
	app->n_workers = 1;
	app_time_init(app);
	app->ts_base_ms = 1000;
	app->pool = rte_pktmbuf_pool_create("sh_mbufs", pool_mbufs, 0,
		RTE_ALIGN(sizeof(struct tcp_seg_cb), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (app->pool == NULL)
		return sh_fail(h, "no mbuf pool");
	if (port_pick(0, 0, &pid, err, sizeof(err)) != 0 ||
	    port_init(&app->port, pid, 1, cfg->mtu, app->pool,
		      steer_default_key, 0, err, sizeof(err)) != 0)
		return sh_fail(h, err);
	if (steer_init(&app->steer, 1, app->port.rss, app->port.reta_size,
		       steer_default_key) != 0)
		return sh_fail(h, "steer_init failed");
	app->arp = &h->arp;
	app->jobs = &h->jobs;
	neigh_init(&h->arp.neigh, h->arp.entries, NEIGH_TABLE_SIZE,
		   cfg->arp.retries, cfg->arp.retry_ms,
		   cfg->arp.reachable_s * 1000, &arp_neigh_ops);
	rte_seqlock_init(&h->arp.lock);
	job_registry_init(app->jobs);
	h->w = rte_zmalloc("sh_worker", sizeof(*h->w), RTE_CACHE_LINE_SIZE);
	if (h->w == NULL || worker_init(h->w, app, rte_lcore_id(), 0) != 0)
		return sh_fail(h, "worker_init failed");
	app->workers[0] = h->w;
	/* A whole second: deadlines the tests compute come out in whole
	 * milliseconds. */
	h->now_us = (h->w->now_us / 1000000 + 1) * 1000000;
	sh_set_clock(h);
	neigh_add_static(&h->arp.neigh, SH_PEER_IP, sh_peer_mac,
			 h->w->now_ms, h->w);
	if ((cfg->listen_port != 0 &&
	     http_server_start(h->w, cfg->listen_port) != 0) ||
	    (cfg->echo_port != 0 &&
	     echo_server_start(h->w, cfg->echo_port) != 0))
		return sh_fail(h, "services failed");
	sh_drain(h);
	h->pool_baseline = rte_mempool_in_use_count(app->pool);
	h->armed_baseline = h->w->wheel.n_armed;
	return 0;
}

void
sh_fini(struct stack_harness *h)
{
	if (h->w != NULL) {
		worker_fini(h->w);
		rte_free(h->w->tcp);
		rte_free(h->w);
		h->w = NULL;
	}
	port_fini(&h->app.port);
	rte_mempool_free(h->app.pool);
	h->app.pool = NULL;
	rte_eal_cleanup();
	remove_runtime_dir();
	runtime_dir[0] = '\0';
}

/* --- the clock ------------------------------------------------------- */

void
sh_set_clock(struct stack_harness *h)
{
	struct worker *w = h->w;

	w->now_us = h->now_us;
	w->now_ms = h->now_us / 1000;
	w->now_tsc = h->app.start_tsc + h->now_us *
		(h->app.tsc_hz / 1000000);
	w->ts_now = (uint32_t)(h->app.ts_base_ms + w->now_ms);
}

/* As the poll loop: it runs the timers every iteration. */
void
sh_advance(struct stack_harness *h, uint64_t ms)
{
	struct worker *w = h->w;
	uint64_t end = h->now_us + ms * 1000;

	do {
		h->now_us = h->now_us + h->step_us < end ?
			h->now_us + h->step_us : end;
		sh_set_clock(h);
		timer_wheel_run(&w->wheel, w->now_us, w);
		arp_timer(w);
		tcp_output_flush(w);
		worker_tx_flush(w);
	} while (h->now_us < end);
}

/* --- the TX seam ----------------------------------------------------- */

/* What the stack sent, as the peer sees it: parsed and checked. */
static void
sh_parse(struct stack_harness *h, const struct rte_mbuf *m, struct sh_tx *t)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	const uint8_t *p;
	uint32_t hl, doff, tl;

	memset(t, 0, sizeof(*t));
	t->m = m;
	if (m->data_len < sizeof(*eh) + sizeof(*ip) + sizeof(*th))
		return;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return;
	memcpy(t->dst_mac, eh->dst_addr.addr_bytes, sizeof(t->dst_mac));
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_TCP ||
	    m->data_len < sizeof(*eh) + hl + sizeof(*th))
		return;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + hl);
	doff = (uint32_t)(th->data_off >> 4) * 4;
	t->tcp = 1;
	/* What we send is well-formed: checksums (in software on this
	 * port), lengths.  The TCP checksum is checked on a flat copy:
	 * DPDK 22.11's rte_raw_cksum_mbuf gets chains with an odd-length
	 * segment wrong (it swaps an unfolded sum). */
	tl = rte_be_to_cpu_16(ip->total_length);
	if (rte_ipv4_cksum(ip) != 0 || sizeof(*eh) + tl > m->pkt_len ||
	    tl > sizeof(h->flat) - sizeof(*eh) || doff < sizeof(*th) ||
	    hl + doff > tl) {
		t->err = "the stack sent a malformed TCP segment";
		return;
	}
	p = rte_pktmbuf_read(m, 0, sizeof(*eh) + tl, h->flat);
	if (p == NULL ||
	    rte_ipv4_udptcp_cksum_verify(
		(const struct rte_ipv4_hdr *)(p + sizeof(*eh)),
		p + sizeof(*eh) + hl) != 0) {
		t->err = "the stack sent a TCP segment with a bad checksum";
		return;
	}
	ip = (const struct rte_ipv4_hdr *)(p + sizeof(*eh));
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + hl);
	t->src_ip = rte_be_to_cpu_32(ip->src_addr);
	t->dst_ip = rte_be_to_cpu_32(ip->dst_addr);
	t->sport = rte_be_to_cpu_16(th->src_port);
	t->dport = rte_be_to_cpu_16(th->dst_port);
	t->seq = rte_be_to_cpu_32(th->sent_seq);
	t->ack = rte_be_to_cpu_32(th->recv_ack);
	t->flags = th->tcp_flags;
	t->win = rte_be_to_cpu_16(th->rx_win);
	t->olen = doff - sizeof(*th);
	t->opts_ok = tcp_opt_parse((const uint8_t *)(th + 1), t->olen,
				   !!(t->flags & RTE_TCP_SYN_FLAG),
				   &t->opts) == 0;
	t->len = tl - hl - doff;
	t->payload = (const uint8_t *)th + doff;
}

/* Read and free everything the stack sent. */
void
sh_drain(struct stack_harness *h)
{
	struct rte_mbuf *pkts[32];
	struct sh_tx t;
	uint16_t n, i;

	tcp_output_flush(h->w);
	worker_tx_flush(h->w);
	do {
		n = rte_eth_rx_burst(h->app.port.id, 0, pkts, RTE_DIM(pkts));
		for (i = 0; i < n; i++) {
			if (h->on_tx != NULL) {
				sh_parse(h, pkts[i], &t);
				h->on_tx(h, &t, h->on_tx_arg);
			}
			rte_pktmbuf_free(pkts[i]);
		}
	} while (n > 0);
}

/* --- building and injecting frames ----------------------------------- */

void
sh_eth_hdr(const struct stack_harness *h, struct sh_frame *f, uint16_t type)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->b;

	rte_ether_addr_copy(&h->app.port.mac, &eh->dst_addr);
	memcpy(&eh->src_addr, sh_peer_mac, 6);
	eh->ether_type = rte_cpu_to_be_16(type);
	f->len = sizeof(*eh);
	f->l4 = 0;
}

struct rte_ipv4_hdr *
sh_ip_hdr(const struct stack_harness *h, struct sh_frame *f, uint32_t src,
	  uint8_t proto, uint32_t l4len)
{
	struct rte_ipv4_hdr *ip;

	sh_eth_hdr(h, f, RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(f->b + f->len);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(h->cfg.ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	f->len += sizeof(*ip);
	return ip;
}

void
sh_tcp_frame(const struct stack_harness *h, struct sh_frame *f,
	     const struct sh_seg *s)
{
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t plen = s->plen;

	if (14 + 20 + 20 + s->olen + plen > SH_MAX_FRAME)
		plen = SH_MAX_FRAME - (14 + 20 + 20 + s->olen);
	ip = sh_ip_hdr(h, f, s->src_ip != 0 ? s->src_ip : SH_PEER_IP,
		       IPPROTO_TCP, sizeof(*th) + s->olen + plen);
	th = (struct rte_tcp_hdr *)(f->b + f->len);
	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(s->sport);
	th->dst_port = rte_cpu_to_be_16(s->dport);
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)(((sizeof(*th) + s->olen) / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = rte_cpu_to_be_16(s->win);
	if (s->olen > 0)
		memcpy(th + 1, s->opt, s->olen);
	f->len += sizeof(*th) + s->olen;
	f->l4 = f->len;
	if (plen > 0)
		memcpy(f->b + f->len, s->pay, plen);
	f->len += plen;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

struct rte_mbuf *
sh_frame_mbuf(struct stack_harness *h, const struct sh_frame *f,
	      const uint32_t *cuts, unsigned int ncuts, uint64_t ol_flags)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0;
	unsigned int k;

	if (f->len == 0)
		return NULL;
	for (k = 0; k <= ncuts; k++) {
		uint32_t end = k < ncuts ? cuts[k] : f->len;

		/* no empty mbufs after the first; a long piece takes as
		 * many as its length needs */
		if (k > 0 && off == end)
			continue;
		do {
			uint32_t n = end - off;

			m = rte_pktmbuf_alloc(h->app.pool);
			if (m == NULL) {
				rte_pktmbuf_free(head);
				return NULL;
			}
			if (n > rte_pktmbuf_tailroom(m))
				n = rte_pktmbuf_tailroom(m);
			memcpy(rte_pktmbuf_append(m, (uint16_t)n), f->b + off,
			       n);
			off += n;
			if (head == NULL) {
				head = m;
			} else if (rte_pktmbuf_chain(head, m) != 0) {
				rte_pktmbuf_free(m);
				rte_pktmbuf_free(head);
				return NULL;
			}
		} while (off < end);
	}
	head->ol_flags = ol_flags;
	head->port = h->app.port.id;
	return head;
}

void
sh_deliver(struct stack_harness *h, struct rte_mbuf **pkts, unsigned int n)
{
	struct tcp_rx_hint hints[RX_BURST];
	struct worker *w = h->w;
	unsigned int i;

	if (n > RTE_DIM(hints)) {
		sh_deliver(h, pkts, RTE_DIM(hints));
		sh_deliver(h, pkts + RTE_DIM(hints), n - RTE_DIM(hints));
		return;
	}
	if (n > 1) {
		/* As the poll loop: one lookup for the burst. */
		tcp_lookup_burst(w, pkts, (uint16_t)n, hints);
		for (i = 0; i < n; i++) {
			w->tcp->rx_hint = &hints[i];
			worker_rx_one(w, pkts[i]);
		}
		w->tcp->rx_hint = NULL;
	} else if (n == 1) {
		worker_rx_one(w, pkts[0]);
	}
	sh_drain(h);
}

int
sh_send_seg(struct stack_harness *h, const struct sh_seg *s)
{
	struct sh_frame f;
	struct rte_mbuf *m;

	sh_tcp_frame(h, &f, s);
	m = sh_frame_mbuf(h, &f, NULL, 0, 0);
	if (m == NULL)
		return -1;
	sh_deliver(h, &m, 1);
	return 0;
}

/* --- the end: nothing may be left ------------------------------------ */

/* Reset every connection: RSTs go out (tcp_reset_all), then each is
 * reported closed to its application and freed. */
static void
sh_reset_all(struct stack_harness *h)
{
	struct worker *w = h->w;
	struct tcp_conn *conns[64], *c;
	uint32_t iter, n, k;

	tcp_reset_all(w);
	/* Not while iterating: freeing deletes from the table. */
	do {
		iter = 0;
		n = 0;
		while (n < RTE_DIM(conns) &&
		       (c = tcp_conn_next(w, &iter)) != NULL)
			conns[n++] = c;
		for (k = 0; k < n; k++) {
			tcp_notify_closed(w, conns[k], ECONNRESET);
			tcp_abort(w, conns[k]);
		}
	} while (n == RTE_DIM(conns));
	sh_drain(h);
}

/* Forget what ARP learnt (and what waits for an answer). */
static void
sh_forget_neighbours(struct stack_harness *h)
{
	uint32_t ips[NEIGH_TABLE_SIZE], n = 0, k;

	for (k = 0; k < h->arp.neigh.size; k++)
		if (h->arp.entries[k].state != NEIGH_FREE &&
		    !h->arp.entries[k].is_static)
			ips[n++] = neigh_addr_to_ipv4(h->arp.entries[k].addr);
	rte_seqlock_write_lock(&h->arp.lock);
	for (k = 0; k < n; k++)
		neigh_delete(&h->arp.neigh, ips[k], h->w);
	rte_seqlock_write_unlock(&h->arp.lock);
}

void
sh_reset(struct stack_harness *h)
{
	sh_reset_all(h);
	sh_forget_neighbours(h);
	/* Past every deadline a closed connection could have left. */
	sh_advance(h, 2000);
	sh_drain(h);
}

const char *
sh_check_clean(struct stack_harness *h)
{
	struct worker *w = h->w;
	unsigned int in_use;

	if (w->tcp->n_conns != 0 || w->tcp->n_estab != 0)
		return "connections left after reset";
	if (obj_pool_in_use(&w->tcp->conn_pool) != 0)
		return "connection blocks not given back";
	if (obj_pool_in_use(&w->tcp->sack_pool) != 0)
		return "SACK boards not given back";
	if (obj_pool_in_use(&w->tcp->ooo_pool) != 0)
		return "out-of-order queues not given back";
	if (w->wheel.n_armed != h->armed_baseline)
		return "timers left armed after every connection went";
	if (w->tx_n != 0)
		return "frames left in the TX backlog";
	in_use = rte_mempool_in_use_count(h->app.pool);
	if (in_use != h->pool_baseline) {
		snprintf(h->err, sizeof(h->err),
			 "mbuf leak: %u in use, baseline %u", in_use,
			 h->pool_baseline);
		return h->err;
	}
	return NULL;
}
