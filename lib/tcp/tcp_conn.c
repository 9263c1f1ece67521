/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table and the calls applications make.
 *
 * Each lcore has its own table keyed by the 4-tuple and its own pool
 * of connection blocks, so nothing here takes a lock.  The table is
 * intrusive (as Linux's established hash): an array of bucket heads and
 * a chain link in each block, 32-bit indices into the pool, and the
 * block's own tuple as the key: a few bytes per connection where
 * rte_hash took 45 (its key store, buckets and free-slot ring).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_jhash.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "ipv4_addr.h"
#include "ipv6_addr.h"
#include "tcp_priv.h"
#include "tcp_seq.h"
#include "worker.h"

#define EPHEMERAL_LO	32768	/* Linux's default range */
#define EPHEMERAL_HI	60999
/* Starved connections remembered for tcp_mem_wake, at most (1 MiB). */
#define STARVED_FIFO_MAX	65536u

static const char *const state_names[TCP_NSTATES] = {
	[TCP_CLOSED] = "CLOSED",
	[TCP_LISTEN] = "LISTEN",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECEIVED] = "SYN_RECEIVED",
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCP_FIN_WAIT_2] = "FIN_WAIT_2",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_CLOSING] = "CLOSING",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_TIME_WAIT] = "TIME_WAIT",
};

const struct tcp_sack_board tcp_sack_empty;
const struct tcp_reass tcp_reass_empty;
const struct tcp_sndbuf tcp_sndbuf_empty;

const char *
tcp_state_name(enum tcp_state s)
{
	return s < TCP_NSTATES ? state_names[s] : "?";
}

static void
tcp_key_of(struct tcp_key *k, uint32_t remote_ip, uint16_t remote_port,
	   uint32_t local_ip, uint16_t local_port)
{
	/* Two whole words, the layout of struct tcp_key on a little-endian
	 * machine: the hash then reads back what was stored as it was
	 * stored, not four narrower stores a wide load cannot be
	 * forwarded from (a stall on every connect and lookup). */
	uint64_t w[2] = {
		(uint64_t)remote_ip | (uint64_t)local_ip << 32,
		(uint64_t)remote_port | (uint64_t)local_port << 16,
	};

	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN ||
			 offsetof(struct tcp_key, local_ip) != 4 ||
			 offsetof(struct tcp_key, remote_port) != 8 ||
			 offsetof(struct tcp_key, local_port) != 10 ||
			 offsetof(struct tcp_key, zero) != 12);
	memcpy(k, w, sizeof(w));
}

/*
 * The table's hash, computed inline by every caller (rte_hash would call
 * its hash function through a pointer, for every key) and passed to the
 * *_with_hash calls.  Keyed with a per-run random seed, as Linux keys its
 * established hash (inet_ehashfn: jhash_3words and a boot secret): with
 * a known hash an attacker who picks source ports and addresses can
 * aim every connection at one bucket chain.  CRC32-C with a random
 * initial value would not do: CRC is affine, crc(seed, x) ^ crc(seed, y)
 * = crc(0, x) ^ crc(0, y), so keys that collide under one seed collide
 * under every seed.  jhash's add-rotate-xor rounds are not linear, and
 * cost a few nanoseconds more than the two CRC instructions.
 */
static __rte_always_inline uint32_t
tcp_key_hash(const struct tcp_key *k, uint32_t seed)
{
	uint64_t a, b;

	RTE_BUILD_BUG_ON(sizeof(*k) != 2 * sizeof(uint64_t));
	memcpy(&a, k, sizeof(a));
	memcpy(&b, (const uint8_t *)k + sizeof(a), sizeof(b));
	return rte_jhash_3words((uint32_t)a, (uint32_t)(a >> 32),
				(uint32_t)b, seed);
}

static inline uint32_t *
tcp_bucket(const struct tcp_stack *ts, uint32_t sig)
{
	return &ts->buckets[sig & ts->bucket_mask];
}

/* Whether c is k's connection: the tuple is the block's key. */
static inline int
tcp_conn_is(const struct tcp_conn *c, const struct tcp_key *k)
{
	uint64_t a, b;

	memcpy(&a, &c->remote_ip, sizeof(a));
	memcpy(&b, k, sizeof(b));
	return a == b && c->remote_port == k->remote_port &&
		c->local_port == k->local_port;
}

/* The key c was filed under: an IPv6 block's local_ip is its address
 * block's index, which the key does not hold (tcp_priv.h). */
static void
tcp_conn_key(const struct tcp_conn *c, struct tcp_key *k)
{
	tcp_key_of(k, c->remote_ip, c->remote_port,
		   tcp_conn_is_v6(c) ? 0 : c->local_ip, c->local_port);
}

uint32_t
tcp_addr6_fold(const struct tcp_addr6 *a6, uint32_t seed)
{
	return rte_jhash(a6, sizeof(*a6), seed);
}

/* The IPv6 chain walk: the fold and ports first (a 32-bit compare per
 * block as for IPv4), the full addresses only where those match. */
static struct tcp_conn *
tcp_table_find6(const struct tcp_stack *ts, const struct tcp_addr6 *a6,
		const struct tcp_key *k, uint32_t sig)
{
	uint32_t i = *tcp_bucket(ts, sig);

	while (i != 0) {
		struct tcp_conn *c = tcp_conn_at(ts, i);

		if (c->remote_ip == k->remote_ip && tcp_conn_is_v6(c) &&
		    c->remote_port == k->remote_port &&
		    c->local_port == k->local_port &&
		    memcmp(tcp_addr6_of(ts, c), a6, sizeof(*a6)) == 0)
			return c;
		i = c->hnext;
	}
	return NULL;
}

struct tcp_conn *
tcp_lookup6(struct worker *w, const struct tcp_addr6 *a6,
	    uint16_t remote_port, uint16_t local_port)
{
	struct tcp_stack *ts = w->tcp;
	struct tcp_key k;

	tcp_key_of(&k, tcp_addr6_fold(a6, ts->hash_seed), remote_port, 0,
		   local_port);
	return tcp_table_find6(ts, a6, &k, tcp_key_hash(&k, ts->hash_seed));
}

static inline struct tcp_conn *
tcp_table_find(const struct tcp_stack *ts, const struct tcp_key *k,
	       uint32_t sig)
{
	uint32_t i = *tcp_bucket(ts, sig);

	while (i != 0) {
		struct tcp_conn *c = tcp_conn_at(ts, i);

		if (tcp_conn_is(c, k))
			return c;
		i = c->hnext;
	}
	return NULL;
}

static void
tcp_table_add(struct tcp_stack *ts, struct tcp_conn *c, uint32_t sig)
{
	uint32_t *b = tcp_bucket(ts, sig);

	c->hnext = *b;
	*b = tcp_conn_index(ts, c);
	c->mem_flags |= TCP_MF_IN_TABLE;
}

static void
tcp_table_del(struct tcp_stack *ts, struct tcp_conn *c, uint32_t sig)
{
	uint32_t *pi = tcp_bucket(ts, sig);
	uint32_t me = tcp_conn_index(ts, c);

	while (*pi != 0 && *pi != me)
		pi = &tcp_conn_at(ts, *pi)->hnext;
	if (*pi == me)
		*pi = c->hnext;
	c->mem_flags &= ~TCP_MF_IN_TABLE;
}

/* n random bytes for a secret: 0, or -errno (and why on stderr): a
 * secret we could not make must not silently become a predictable one. */
static int
tcp_secret(void *buf, size_t n, const char *what)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int err = r < 0 ? errno : EIO;

			fprintf(stderr, "dpfetch: getrandom() for the %s: "
				"%s\n", what, strerror(err));
			return -err;
		}
		got += (size_t)r;
	}
	return 0;
}

/*
 * The timestamp offset key: from the kernel's boot id, so that it is the
 * same on every lcore and in every run until the next boot, and a
 * tuple's TSval (monotonic clock + offset) keeps rising between runs;
 * the boot id is random and unknown on the wire.  Without it, a random
 * key (the clock then jumps between runs for a tuple, as across boots).
 */
static int
tcp_ts_key(struct syncookie_key *key)
{
	static const struct syncookie_key label = {
		{ 0x6470666574636820ull, 0x74736f6666736574ull }
	};
	char id[64];
	uint64_t m[3] = { 0, 0, 0 };
	unsigned int i, nd = 0;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (f != NULL) {
		if (fgets(id, sizeof(id), f) == NULL)
			id[0] = '\0';
		fclose(f);
		for (i = 0; id[i] != '\0' && nd < 32; i++) {
			int c = id[i], v;

			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else
				continue;
			m[nd / 16] = m[nd / 16] << 4 | (uint64_t)v;
			nd++;
		}
	}
	if (nd < 32)
		return tcp_secret(key, sizeof(*key), "timestamp key");
	m[2] = 1;
	key->k[0] = syncookie_siphash(&label, m, 3);
	m[2] = 2;
	key->k[1] = syncookie_siphash(&label, m, 3);
	return 0;
}

/* Blocks of a cold pool: as configured, or a sixteenth of max_conns
 * (at least 1024, at most max_conns). */
static uint32_t
tcp_cold_pool_size(uint32_t conf, uint32_t max_conns, uint32_t div)
{
	uint32_t n = max_conns / div;

	if (conf != 0)
		return conf;
	if (n < 1024)
		n = 1024;
	return n < max_conns ? n : max_conns;
}

int
tcp_stack_init(struct worker *w, uint32_t max_conns)
{
	struct tcp_stack *ts = w->tcp;
	int socket = (int)rte_socket_id();
	uint32_t n_buckets, n_snd;
	int rc;

	memset(ts, 0, sizeof(*ts));
	/* RFC 6528: a secret keyed into the ISN; the cookie and table
	 * keys; all per lcore and per run. */
	rc = tcp_secret(&ts->isn_secret, sizeof(ts->isn_secret),
		"ISN secret");
	if (rc == 0)
		rc = tcp_secret(&ts->cookie_key, sizeof(ts->cookie_key),
				"SYN cookie key");
	if (rc == 0)
		rc = tcp_secret(&ts->hash_seed, sizeof(ts->hash_seed),
				"connection table key");
	if (rc == 0)
		rc = tcp_ts_key(&ts->ts_key);
	if (rc != 0)
		return rc;
	/* TCP's are the wheel's only timers. */
	timer_wheel_set_fn(&w->wheel, tcp_timer_expired);
	ts->syn_backlog = w->cfg->tcp.syn_backlog;
	if (ts->syn_backlog == 0) {
		ts->syn_backlog = RTE_MAX(128u, max_conns / 16);
		if (ts->syn_backlog > 4096)
			ts->syn_backlog = 4096;
	}
	/* Chains of two blocks on average with the table full: a bucket
	 * head costs 2 to 4 bytes a connection. */
	n_buckets = rte_align32pow2(RTE_MAX(max_conns / 2, 64u));
	ts->bucket_mask = n_buckets - 1;
	ts->buckets = rte_zmalloc_socket("tcp_buckets",
		(size_t)n_buckets * sizeof(ts->buckets[0]), RTE_CACHE_LINE_SIZE,
		socket);
	if (ts->buckets == NULL)
		return -ENOMEM;
	RTE_BUILD_BUG_ON(sizeof(struct tcp_conn) % sizeof(void *) != 0);
	if (obj_pool_init(&ts->conn_pool, "tcp_conn", max_conns,
			  sizeof(struct tcp_conn), socket) != 0)
		goto nomem;
	/* Only connections in loss recovery hold a scoreboard, and only
	 * those receiving past a hole an out-of-order queue. */
	if (obj_pool_init(&ts->sack_pool, "tcp_sack",
			  tcp_cold_pool_size(w->cfg->tcp.sack_conns, max_conns,
					     16),
			  sizeof(struct tcp_sack_board), socket) != 0 ||
	    obj_pool_init(&ts->ooo_pool, "tcp_ooo",
			  tcp_cold_pool_size(w->cfg->tcp.ooo_conns, max_conns,
					     16),
			  sizeof(struct tcp_reass), socket) != 0)
		goto nomem;
	/* Only connections with data queued or unacknowledged hold a send
	 * buffer: an idle one has none.  A small table gets one for every
	 * connection (16384 x 40 B is little); a large one an eighth. */
	n_snd = RTE_MIN(max_conns, 16384u);
	if (w->cfg->tcp.snd_conns != 0)
		n_snd = w->cfg->tcp.snd_conns;
	else if (max_conns / 8 > n_snd)
		n_snd = max_conns / 8;
	if (obj_pool_init(&ts->snd_pool, "tcp_snd", n_snd,
			  sizeof(struct tcp_sndbuf), socket) != 0)
		goto nomem;
	/* IPv6 addresses: none without --ip6 (an IPv4 run pays nothing),
	 * else one per connection unless tcp.ip6_conns says fewer. */
	if (obj_pool_init(&ts->addr6_pool, "tcp_addr6",
			  RTE_MIN(w->cfg->has_ip6 ? (w->cfg->tcp.ip6_conns != 0 ?
				  w->cfg->tcp.ip6_conns : max_conns) : 0,
				  TCP_ADDR6_MAX),
			  sizeof(struct tcp_addr6), socket) != 0)
		goto nomem;
	/* The congestion control's own state, for connections past slow
	 * start or after a loss (none for NewReno). */
	ts->cc_ops = tcp_cc_find(w->cfg->tcp.cc);
	if (ts->cc_ops == NULL)
		ts->cc_ops = &tcp_cc_newreno;
	if (ts->cc_ops->ext_size != 0 &&
	    obj_pool_init(&ts->cc_pool, "tcp_cc",
			  tcp_cold_pool_size(w->cfg->tcp.cc_conns, max_conns,
					     16),
			  ts->cc_ops->ext_size, socket) != 0)
		goto nomem;
	/* Not fatal: without it a full table refuses, as before. */
	ts->tw_max = RTE_MAX(1024u, max_conns / 4);
	ts->tw_mask = rte_align32pow2(ts->tw_max) - 1;
	ts->tw_fifo = rte_zmalloc_socket("tcp_tw_fifo",
		(size_t)(ts->tw_mask + 1) * sizeof(ts->tw_fifo[0]), 0,
		(int)rte_socket_id());
	/* Not fatal either: without it tcp_mem_wake scans the table. */
	ts->starved_mask = RTE_MAX(256u, max_conns / 64);
	ts->starved_mask = rte_align32pow2(RTE_MIN(STARVED_FIFO_MAX,
						   ts->starved_mask)) - 1;
	ts->starved_fifo = rte_zmalloc_socket("tcp_starved_fifo",
		(size_t)(ts->starved_mask + 1) * sizeof(ts->starved_fifo[0]),
		0, (int)rte_socket_id());
	return 0;
nomem:
	obj_pool_fini(&ts->addr6_pool);
	obj_pool_fini(&ts->snd_pool);
	obj_pool_fini(&ts->ooo_pool);
	obj_pool_fini(&ts->snd_pool);
	obj_pool_fini(&ts->sack_pool);
	obj_pool_fini(&ts->conn_pool);
	rte_free(ts->buckets);
	ts->buckets = NULL;
	return -ENOMEM;
}

void
tcp_reset_all(struct worker *w)
{
	struct tcp_conn *c;
	uint32_t iter = 0;

	while ((c = tcp_conn_next(w, &iter)) != NULL) {
		if (c->state == TCP_SYN_SENT || c->state == TCP_TIME_WAIT ||
		    c->state == TCP_CLOSED || c->state == TCP_LISTEN)
			continue;
		tcp_send_reset_conn(w, c, c->snd_nxt, c->rcv_nxt, 1);
		if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
			w->stats.tcp.EstabResets++;
		/* Sent once: tcp_stack_fini frees it without a word. */
		tcp_set_state(w, c, TCP_CLOSED);
	}
}

void
tcp_stack_fini(struct worker *w)
{
	struct tcp_stack *ts = w->tcp;
	struct tcp_conn *c;
	uint32_t iter = 0;

	while ((c = tcp_conn_next(w, &iter)) != NULL) {
		tcp_timers_cancel(w, c);
		tcp_snd_put(w, c);
		tcp_ooo_put(w, c);
		tcp_sack_put(w, c);
		tcp_cc_detach(w, c);
	}
	obj_pool_fini(&ts->cc_pool);
	obj_pool_fini(&ts->conn_pool);
	obj_pool_fini(&ts->sack_pool);
	obj_pool_fini(&ts->ooo_pool);
	obj_pool_fini(&ts->snd_pool);
	obj_pool_fini(&ts->addr6_pool);
	rte_free(ts->buckets);
	rte_free(ts->tw_fifo);
	rte_free(ts->starved_fifo);
	memset(ts, 0, sizeof(*ts));
}

/* A per-second budget, drawn at random around rate each second: a fixed
 * shared count is a side channel (CVE-2016-5696: an off-path attacker
 * counted challenge ACKs to learn a connection's sequence numbers). */
static int
tcp_ratelimit_take(struct tcp_ratelimit *rl, uint64_t now_ms, uint32_t rate)
{
	uint64_t sec = now_ms / 1000 + 1;	/* never the initial 0 */

	if (rate == 0)
		return 1;
	if (sec != rl->sec) {
		rl->sec = sec;
		rl->left = rate - rate / 4 +
			(uint32_t)rte_rand_max(rate / 2 + 1);
	}
	if (rl->left == 0)
		return 0;
	rl->left--;
	return 1;
}

int
tcp_rst_allowed(struct worker *w)
{
	if (tcp_ratelimit_take(&w->tcp->rst_rl, w->now_ms,
			       w->cfg->tcp.rst_rate))
		return 1;
	w->stats.tcp.RstsRateLimited++;
	return 0;
}

int
tcp_challenge_ack_allowed(struct worker *w)
{
	if (tcp_ratelimit_take(&w->tcp->chack_rl, w->now_ms,
			       w->cfg->tcp.challenge_ack_rate))
		return 1;
	w->stats.tcp.ChallengeAcksLimited++;
	return 0;
}

void
tcp_lookup_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
		 struct tcp_rx_hint *hints)
{
	struct tcp_stack *ts = w->tcp;
	struct tcp_key keys[TCP_LOOKUP_BURST_MAX];
	uint16_t at[TCP_LOOKUP_BURST_MAX];
	uint16_t i;
	int nk = 0;

	ts->burst_adds = 0;
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh;
		const struct rte_ipv4_hdr *ip;
		const struct rte_tcp_hdr *th;
		uint32_t hlen;

		hints[i].conn = NULL;
		hints[i].looked_up = 0;
		if (nk == TCP_LOOKUP_BURST_MAX ||
		    m->data_len < sizeof(*eh) + sizeof(*ip) + sizeof(*th))
			continue;
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
			continue;
		ip = (const struct rte_ipv4_hdr *)(eh + 1);
		hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
		if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) ||
		    ip->next_proto_id != IPPROTO_TCP ||
		    m->data_len < sizeof(*eh) + hlen + sizeof(*th))
			continue;
		th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + hlen);
		tcp_key_of(&keys[nk], rte_be_to_cpu_32(ip->src_addr),
			   rte_be_to_cpu_16(th->src_port),
			   rte_be_to_cpu_32(ip->dst_addr),
			   rte_be_to_cpu_16(th->dst_port));
		hints[i].sig = tcp_key_hash(&keys[nk], ts->hash_seed);
		hints[i].looked_up = 1;
		rte_prefetch0(tcp_bucket(ts, hints[i].sig));
		at[nk++] = i;
	}
	/* Three passes, each overlapping the cache misses of the burst:
	 * the bucket heads (prefetched above), the first block of each
	 * chain, then the blocks found and what they point at. */
	for (i = 0; i < nk; i++) {
		uint32_t b = *tcp_bucket(ts, hints[at[i]].sig);

		if (b != 0)
			rte_prefetch0(tcp_conn_at(ts, b));
	}
	for (i = 0; i < nk; i++) {
		struct tcp_rx_hint *h = &hints[at[i]];
		struct tcp_conn *c = tcp_table_find(ts, &keys[i], h->sig);

		h->conn = c;
		if (c == NULL)
			continue;
		/* The block is three whole lines (192 B from a line-aligned
		 * pool); the first came with the chain above. */
		rte_prefetch0(RTE_PTR_ADD(c, RTE_CACHE_LINE_SIZE));
		rte_prefetch0(RTE_PTR_ADD(c, 2 * RTE_CACHE_LINE_SIZE));
		if (c->snd_i != 0)
			rte_prefetch0(tcp_snd_ptr(ts, c));
	}
	/* And the oldest mbuf of each send buffer (both of its lines:
	 * data_len, next and pool), which the ACK in the packet is most
	 * likely to free: with a thousand connections it is long out of
	 * cache, and reading it in tcp_in_ack was the client's largest
	 * single stall in keep-alive. */
	for (i = 0; i < nk; i++) {
		const struct tcp_conn *c = hints[at[i]].conn;
		const struct rte_mbuf *m;

		if (c == NULL || c->snd_i == 0)
			continue;
		m = tcp_snd_ptr(ts, c)->head;
		if (m != NULL) {
			rte_prefetch0(m);
			rte_prefetch0(RTE_PTR_ADD(m, RTE_CACHE_LINE_SIZE));
			/* And its first data line: freed by the ACK, it is
			 * the mempool cache's next mbuf (LIFO), which the
			 * answer (tcp_send) writes its bytes into. */
			if (RTE_MBUF_DIRECT(m))
				rte_prefetch0_write(rte_pktmbuf_mtod(m, void *));
		}
	}
}

static struct tcp_conn *
tcp_lookup_key(struct worker *w, const struct tcp_key *k, uint32_t sig)
{
	return tcp_table_find(w->tcp, k, sig);
}

struct tcp_conn *
tcp_lookup(struct worker *w, uint32_t remote_ip, uint16_t remote_port,
	   uint32_t local_ip, uint16_t local_port)
{
	struct tcp_key k;

	tcp_key_of(&k, remote_ip, remote_port, local_ip, local_port);
	return tcp_lookup_key(w, &k, tcp_key_hash(&k, w->tcp->hash_seed));
}

struct tcp_conn *
tcp_lookup_with_sig(struct worker *w, uint32_t remote_ip,
		    uint16_t remote_port, uint32_t local_ip,
		    uint16_t local_port, uint32_t sig)
{
	struct tcp_key k;

	tcp_key_of(&k, remote_ip, remote_port, local_ip, local_port);
	return tcp_lookup_key(w, &k, sig);
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond clock and
 * F a keyed PRF, so ISNs are unpredictable across connections yet
 * increase for one tuple (which keeps TIME_WAIT reuse safe). */
static uint32_t
tcp_isn(struct worker *w, const struct tcp_key *k)
{
	uint64_t m[2] = {
		((uint64_t)k->remote_ip << 32) | k->local_ip,
		((uint64_t)k->remote_port << 16) | k->local_port,
	};

	return (uint32_t)syncookie_siphash(&w->tcp->isn_secret, m, 2) +
		(uint32_t)(w->now_us / 4);
}

/*
 * A free ephemeral port for local_ip -> remote whose replies steer to
 * this worker.  Under software steering the owner is the port modulo
 * the workers, so only our residue class is walked; under RSS each
 * candidate is checked against the hash.  One cursor per low byte of
 * the source address keeps source ranges from sharing one sequence.
 */
static uint16_t
tcp_pick_port(struct worker *w, uint32_t local_ip, uint32_t remote_ip,
	      const struct tcp_addr6 *a6, uint16_t remote_port)
{
	const struct steer *st = &w->app->steer;
	uint32_t range = EPHEMERAL_HI - EPHEMERAL_LO + 1;
	uint32_t step = st->mode == STEER_SOFT ? st->n_workers : 1;
	uint32_t *cursor = &w->tcp->next_port[a6 != NULL ? a6->local[15] :
					      local_ip & 0xff];
	uint32_t i;

	if (*cursor < EPHEMERAL_LO || *cursor > EPHEMERAL_HI)
		*cursor = EPHEMERAL_LO +
			(uint32_t)(rte_rand() % range);
	if (step > 1)	/* into our residue class */
		*cursor += (w->index + step - *cursor % step) % step;
	for (i = 0; i < range; i += step) {
		uint32_t p = *cursor;

		*cursor += step;
		if (*cursor > EPHEMERAL_HI)
			*cursor = EPHEMERAL_LO + (w->index + step -
				EPHEMERAL_LO % step) % step;
		if (p > EPHEMERAL_HI)
			continue;
		if (a6 != NULL ?
		    !steer_local_port_ok6(st, w->index, a6->local, a6->remote,
					  (uint16_t)p, remote_port) :
		    !steer_local_port_ok(st, w->index, local_ip, remote_ip,
					 (uint16_t)p, remote_port))
			continue;
		if ((a6 != NULL ? tcp_lookup6(w, a6, remote_port, (uint16_t)p) :
		     tcp_lookup(w, remote_ip, remote_port, local_ip,
				(uint16_t)p)) == NULL)
			return (uint16_t)p;
	}
	return 0;
}

/* Our window scale: the smallest shift that lets rcvbuf be advertised. */
uint8_t
tcp_choose_wscale(uint32_t rcvbuf)
{
	uint8_t s = 0;

	while (s < 14 && (rcvbuf >> s) > 65535)
		s++;
	return s;
}

static int
tcp_time_wait_recycle(struct worker *w, const struct tcp_conn *keep);

void
tcp_time_wait_remember(struct worker *w, struct tcp_conn *c)
{
	struct tcp_stack *ts = w->tcp;

	if (ts->tw_fifo == NULL)
		return;
	/* A quarter of the table in TIME_WAIT is plenty (Linux caps it
	 * too, tcp_max_tw_buckets).  Letting a server that closes first
	 * fill the rest with them would also leave every new connection to
	 * cuckoo displacement in a nearly full hash: at 400,000 new
	 * connections a second that was a sixth of the server's time. */
	if (ts->tw_tail - ts->tw_head >= ts->tw_max &&
	    !tcp_time_wait_recycle(w, c))
		ts->tw_head++;
	ts->tw_fifo[ts->tw_tail++ & ts->tw_mask] =
		tcp_conn_index(ts, c);
}

/*
 * The blocks recycled next are cold (they entered TIME_WAIT thousands of
 * connections ago), and freeing one reads it and its table bucket: at a
 * high connection rate that was the server's largest stall.
 * Fetch the block after next, and the bucket of the next, whose block
 * the previous call fetched, so one recycle overlaps the next two.
 */
static void
tcp_time_wait_prefetch(struct tcp_stack *ts)
{
	const struct tcp_conn *c;
	struct tcp_key k;

	if (ts->tw_tail - ts->tw_head > 2) {
		c = obj_pool_at(&ts->conn_pool,
				ts->tw_fifo[(ts->tw_head + 2) & ts->tw_mask]);
		rte_prefetch0(c);
		/* The block is three whole lines (192 B from a line-aligned
		 * pool); the first came with the chain above. */
		rte_prefetch0(RTE_PTR_ADD(c, RTE_CACHE_LINE_SIZE));
		rte_prefetch0(RTE_PTR_ADD(c, 2 * RTE_CACHE_LINE_SIZE));
	}
	if (ts->tw_tail - ts->tw_head > 1) {
		c = obj_pool_at(&ts->conn_pool,
				ts->tw_fifo[(ts->tw_head + 1) & ts->tw_mask]);
		if (c->state != TCP_TIME_WAIT)
			return;
		tcp_key_of(&k, c->remote_ip, c->remote_port, c->local_ip,
			   c->local_port);
		rte_prefetch0(tcp_bucket(ts, tcp_key_hash(&k, ts->hash_seed)));
	}
}

/*
 * Free the oldest connection in TIME_WAIT to make room (Linux does the
 * same past tcp_max_tw_buckets): a server that closes first keeps a
 * TIME_WAIT per connection, and at a high connection rate those, not the
 * live connections, would fill the table.  1 if one was freed.
 */
static int
tcp_time_wait_recycle(struct worker *w, const struct tcp_conn *keep)
{
	struct tcp_stack *ts = w->tcp;

	tcp_time_wait_prefetch(ts);
	while (ts->tw_head != ts->tw_tail) {
		struct tcp_conn *c = tcp_conn_at(ts,
			ts->tw_fifo[ts->tw_head++ & ts->tw_mask]);

		/* Gone already, or reused; and never the connection just
		 * entering TIME_WAIT (a stale entry may name its block):
		 * its caller still holds it. */
		if (c->state != TCP_TIME_WAIT || c == keep)
			continue;
		w->stats.tcp.TimeWaitRecycled++;
		tcp_conn_free(w, c);
		return 1;
	}
	return 0;
}

uint32_t
tcp_conn_ref(const struct worker *w, const struct tcp_conn *c)
{
	return tcp_conn_index(w->tcp, c);
}

struct tcp_conn *
tcp_conn_by_ref(const struct worker *w, uint32_t ref)
{
	return tcp_conn_at(w->tcp, ref);
}

/* ops' slot in the lcore's table, taken if new; -1 when it is full. */
static int
tcp_ops_id(struct tcp_stack *ts, const struct tcp_app_ops *ops)
{
	unsigned int i;

	if (ops == NULL)
		return 0;
	for (i = 1; i < TCP_MAX_OPS; i++) {
		if (ts->ops_tab[i] == ops)
			return (int)i;
		if (ts->ops_tab[i] == NULL) {
			ts->ops_tab[i] = ops;
			return (int)i;
		}
	}
	return -1;
}

/* A fresh block in the table for the tuple, timers and queues ready. */
static struct tcp_conn *
tcp_conn_new(struct worker *w, uint32_t remote_ip, uint16_t remote_port,
	     uint32_t local_ip, uint16_t local_port,
	     const struct tcp_addr6 *a6, const struct tcp_app_ops *ops,
	     void *app)
{
	struct tcp_addr6 *blk = NULL;
	struct syncookie_tuple t;
	struct tcp_conn *c;
	struct tcp_key k;
	uint32_t sig;

	int ops_id = tcp_ops_id(w->tcp, ops);

	if (ops_id < 0)
		return NULL;
	if (a6 != NULL) {
		/* IPv6: the key is (fold, 0); local_ip names the block. */
		blk = obj_pool_get(&w->tcp->addr6_pool);
		if (blk == NULL) {
			w->stats.tcp.Ip6NoMem++;
			return NULL;
		}
		*blk = *a6;
		remote_ip = tcp_addr6_fold(a6, w->tcp->hash_seed);
		local_ip = 0;
	}
	c = obj_pool_get(&w->tcp->conn_pool);
	if (c == NULL && tcp_time_wait_recycle(w, NULL))
		c = obj_pool_get(&w->tcp->conn_pool);
	if (c == NULL) {
		if (blk != NULL)
			obj_pool_put(&w->tcp->addr6_pool, blk);
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->remote_ip = remote_ip;
	c->remote_port = remote_port;
	c->local_ip = blk != NULL ?
		obj_pool_index(&w->tcp->addr6_pool, blk) : local_ip;
	c->local_port = local_port;
	t.remote_ip = remote_ip;
	t.local_ip = local_ip;
	t.remote_port = remote_port;
	t.local_port = local_port;
	tcp_key_of(&k, remote_ip, remote_port, local_ip, local_port);
	sig = tcp_key_hash(&k, w->tcp->hash_seed);
	tcp_table_add(w->tcp, c, sig);
	w->tcp->n_conns++;
	w->tcp->burst_adds |= UINT64_C(1) << (sig % 64);
	c->ops_id = (uint8_t)ops_id;
	c->app = app;
	tcp_timers_init(c);

	c->snd_una = tcp_isn(w, &k);	/* ISS */
	c->ts_off = syncookie_ts_offset(&w->tcp->ts_key, &t);
	c->snd_nxt = c->snd_una;
	c->snd_max = c->snd_una;
	tcp_set_high_rxt(w->tcp, c, c->snd_una);
	/* Until the peer says otherwise (RFC 9293 3.7.1). */
	c->mss = 536;
	c->rcv_wscale = w->cfg->tcp.wscale ?
		tcp_choose_wscale(w->cfg->tcp.rcvbuf) : 0;
	w->tcp->cc_ops->init(&c->cc, c->mss, w->cfg->tcp.iw);
	c->last_rx_ms = (uint32_t)w->now_ms;
	return c;
}

static struct tcp_conn *
tcp_connect_start(struct worker *w, struct tcp_conn *c);
static struct tcp_conn *
tcp_accept_new(struct worker *w, struct tcp_conn *c);

struct tcp_conn *
tcp_connect(struct worker *w, uint32_t local_ip, uint32_t remote_ip,
	    uint16_t remote_port, const struct tcp_app_ops *ops, void *app)
{
	struct tcp_conn *c;
	uint16_t lport;

	if (local_ip == 0)
		local_ip = ipv4_src_for(w->app, remote_ip);
	/* No --ip (an IPv6-only run): an IPv4 block cannot have local_ip
	 * in 0/8 (tcp_priv.h). */
	if (local_ip <= TCP_ADDR6_MAX)
		return NULL;
	lport = tcp_pick_port(w, local_ip, remote_ip, NULL, remote_port);
	if (lport == 0) {
		w->stats.tcp.NoPort++;
		return NULL;
	}
	c = tcp_conn_new(w, remote_ip, remote_port, local_ip, lport, NULL,
			 ops, app);
	return tcp_connect_start(w, c);
}

struct tcp_conn *
tcp_connect6(struct worker *w, const uint8_t *local_ip6,
	     const uint8_t *remote_ip6, uint16_t remote_port,
	     const struct tcp_app_ops *ops, void *app)
{
	struct tcp_addr6 a6;
	struct tcp_conn *c;
	uint16_t lport;

	if (!w->cfg->has_ip6)
		return NULL;
	memcpy(a6.remote, remote_ip6, sizeof(a6.remote));
	/* Several --ip6: from the address on the route's prefix. */
	memcpy(a6.local, local_ip6 != NULL ? local_ip6 :
	       ipv6_src_for(w->app, remote_ip6), sizeof(a6.local));
	lport = tcp_pick_port(w, 0, 0, &a6, remote_port);
	if (lport == 0) {
		w->stats.tcp.NoPort++;
		return NULL;
	}
	c = tcp_conn_new(w, 0, remote_port, 0, lport, &a6, ops, app);
	return tcp_connect_start(w, c);
}

/* The SYN of a connection tcp_conn_new just made (or NULL). */
static struct tcp_conn *
tcp_connect_start(struct worker *w, struct tcp_conn *c)
{
	if (c == NULL)
		return NULL;
	tcp_set_state(w, c, TCP_SYN_SENT);
	w->stats.tcp.ActiveOpens++;
	if (tcp_send_syn(w, c) != 0) {
		tcp_conn_free(w, c);
		return NULL;
	}
	tcp_rtx_arm(w, c);
	return c;
}

int
tcp_listen(struct worker *w, uint16_t port, const struct tcp_app_ops *ops,
	   void *app)
{
	unsigned int i;

	if (port == 0 || tcp_find_listener(w, port) != NULL)
		return -EADDRINUSE;
	for (i = 0; i < TCP_MAX_LISTENERS; i++) {
		struct tcp_listener *l = &w->tcp->listeners[i];

		if (l->port == 0) {
			l->port = port;
			l->ops = ops;
			l->app = app;
			return 0;
		}
	}
	return -ENOSPC;
}

int
tcp_unlisten(struct worker *w, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < TCP_MAX_LISTENERS; i++) {
		struct tcp_listener *l = &w->tcp->listeners[i];

		if (port != 0 && l->port == port) {
			memset(l, 0, sizeof(*l));
			return 0;
		}
	}
	return -ENOENT;
}

const struct tcp_listener *
tcp_find_listener(struct worker *w, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < TCP_MAX_LISTENERS; i++)
		if (w->tcp->listeners[i].port == port)
			return &w->tcp->listeners[i];
	return NULL;
}

struct tcp_conn *
tcp_accept_syn(struct worker *w, const struct tcp_listener *l,
	       uint32_t remote_ip, uint16_t remote_port, uint32_t local_ip,
	       uint16_t local_port)
{
	return tcp_accept_new(w, tcp_conn_new(w, remote_ip, remote_port,
					      local_ip, local_port, NULL,
					      l->ops, l->app));
}

struct tcp_conn *
tcp_accept_syn6(struct worker *w, const struct tcp_listener *l,
		const struct tcp_addr6 *a6, uint16_t remote_port,
		uint16_t local_port)
{
	return tcp_accept_new(w, tcp_conn_new(w, 0, remote_port, 0,
					      local_port, a6, l->ops, l->app));
}

/* A connection tcp_conn_new made for a listener (or NULL). */
static struct tcp_conn *
tcp_accept_new(struct worker *w, struct tcp_conn *c)
{
	if (c == NULL)
		return NULL;
	c->flags |= TF_PASSIVE;
	tcp_set_state(w, c, TCP_SYN_RECEIVED);
	return c;
}

void
tcp_set_state(struct worker *w, struct tcp_conn *c, enum tcp_state s)
{
	int was = c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT;
	int is = s == TCP_ESTABLISHED || s == TCP_CLOSE_WAIT;

	/* CurrEstab counts ESTABLISHED and CLOSE_WAIT, as Linux's MIB. */
	if (!was && is)
		w->tcp->n_estab++;
	else if (was && !is)
		w->tcp->n_estab--;
	/* Half-open: what tcp.syn_backlog bounds. */
	if (s == TCP_SYN_RECEIVED && c->state != TCP_SYN_RECEIVED) {
		/* A counter that only rises: the lcore's peak (summed
		 * over lcores in the totals). */
		if (++w->tcp->n_half_open > w->stats.tcp.HalfOpenPeak)
			w->stats.tcp.HalfOpenPeak = w->tcp->n_half_open;
	} else if (s != TCP_SYN_RECEIVED && c->state == TCP_SYN_RECEIVED) {
		w->tcp->n_half_open--;
	}
	c->state = s;
}

void
tcp_notify_closed(struct worker *w, struct tcp_conn *c, int err)
{
	const struct tcp_app_ops *ops = tcp_ops_of(w->tcp, c);

	if (c->flags & TF_APP_CLOSED)
		return;
	c->flags |= TF_APP_CLOSED;
	if (ops != NULL && ops->closed != NULL)
		ops->closed(w, c, err);
}

struct tcp_sack_board *
tcp_sack_get(struct worker *w, struct tcp_conn *c)
{
	void *obj;

	if (c->sack_i != 0)
		return tcp_sack_ptr(w->tcp, c);
	obj = obj_pool_get(&w->tcp->sack_pool);
	if (obj == NULL) {
		/* Recovery goes on as if these blocks were not there:
		 * duplicate ACKs and the RTO still work. */
		w->stats.tcp.SackNoMem++;
		return NULL;
	}
	c->sack_i = obj_pool_index(&w->tcp->sack_pool, obj);
	tcp_sack_clear(obj);
	return obj;
}

void
tcp_sack_put(struct worker *w, struct tcp_conn *c)
{
	if (c->sack_i == 0)
		return;
	obj_pool_put(&w->tcp->sack_pool, tcp_sack_ptr(w->tcp, c));
	c->sack_i = 0;
}

struct tcp_reass *
tcp_ooo_get(struct worker *w, struct tcp_conn *c)
{
	struct tcp_reass *q;

	if (c->ooo_i != 0)
		return tcp_ooo_ptr(w->tcp, c);
	q = obj_pool_get(&w->tcp->ooo_pool);
	if (q == NULL) {
		/* The segment is dropped: it comes again, in order. */
		w->stats.tcp.OfoNoMem++;
		return NULL;
	}
	c->ooo_i = obj_pool_index(&w->tcp->ooo_pool, q);
	tcp_reass_init(q);
	return q;
}

void
tcp_ooo_put(struct worker *w, struct tcp_conn *c)
{
	struct tcp_reass *q = tcp_ooo_ptr(w->tcp, c);

	if (q == NULL)
		return;
	tcp_reass_flush(q);
	obj_pool_put(&w->tcp->ooo_pool, q);
	c->ooo_i = 0;
}

struct tcp_sndbuf *
tcp_snd_get(struct worker *w, struct tcp_conn *c)
{
	struct tcp_sndbuf *sb = tcp_snd_ptr(w->tcp, c);

	if (sb != NULL)
		return sb;
	sb = obj_pool_get(&w->tcp->snd_pool);
	if (sb != NULL) {
		memset(sb, 0, sizeof(*sb));
		sb->high_rxt = c->snd_una;
		sb->rxt_mark = c->snd_max;
		c->snd_i = obj_pool_index(&w->tcp->snd_pool, sb);
	}
	return sb;
}

void
tcp_snd_put(struct worker *w, struct tcp_conn *c)
{
	struct tcp_sndbuf *sb = tcp_snd_ptr(w->tcp, c);

	if (sb == NULL)
		return;
	rte_pktmbuf_free(sb->head);
	obj_pool_put(&w->tcp->snd_pool, sb);
	c->snd_i = 0;
	/* Somebody was refused one: tcp_output_flush wakes them, outside
	 * the ACK processing that got here. */
	if (w->tcp->snd_refused && w->snd_starved > 0)
		w->tcp->snd_wake = 1;
}

void
tcp_cc_attach(struct worker *w, struct tcp_conn *c)
{
	struct tcp_cubic *x = obj_pool_get(&w->tcp->cc_pool);

	if (x == NULL) {
		if (!(c->mem_flags & TCP_MF_CC_NOMEM)) {
			c->mem_flags |= TCP_MF_CC_NOMEM;
			w->stats.tcp.CcNoMem++;
		}
		return;
	}
	memset(x, 0, w->tcp->cc_ops->ext_size);
	c->cc.cubic = x;
}

void
tcp_cc_ready(struct worker *w, struct tcp_conn *c)
{
	if (w->tcp->cc_ops->ext_size != 0 && c->cc.cubic == NULL)
		tcp_cc_attach(w, c);
}

void
tcp_cc_detach(struct worker *w, struct tcp_conn *c)
{
	if (c->cc.cubic == NULL)
		return;
	obj_pool_put(&w->tcp->cc_pool, c->cc.cubic);
	c->cc.cubic = NULL;
}

void
tcp_conn_free(struct worker *w, struct tcp_conn *c)
{
	struct tcp_key k;

	tcp_timers_cancel(w, c);
	tcp_set_state(w, c, TCP_CLOSED);
	tcp_conn_key(c, &k);
	tcp_table_del(w->tcp, c, tcp_key_hash(&k, w->tcp->hash_seed));
	if (tcp_conn_is_v6(c))
		obj_pool_put(&w->tcp->addr6_pool, tcp_addr6_of(w->tcp, c));
	w->tcp->n_conns--;
	tcp_snd_put(w, c);
	if (c->mem_flags & TCP_MF_SND_STARVED) {
		c->mem_flags &= ~TCP_MF_SND_STARVED;
		w->snd_starved--;
	}
	tcp_ooo_put(w, c);
	tcp_sack_put(w, c);
	tcp_cc_detach(w, c);
	/* Unlink from the output list so the flush never sees it. */
	if (c->flags & TF_OUTPUT_LIST) {
		struct tcp_stack *ts = w->tcp;
		uint32_t me = tcp_conn_index(ts, c);
		uint32_t *pi = &ts->output_list;

		while (*pi != 0 && *pi != me)
			pi = &tcp_conn_at(ts, *pi)->output_next;
		if (*pi == 0) {
			pi = &ts->output_deferred;
			while (*pi != 0 && *pi != me)
				pi = &tcp_conn_at(ts, *pi)->output_next;
		}
		if (*pi == me)
			*pi = c->output_next;
	}
	obj_pool_put(&w->tcp->conn_pool, c);
}

void
tcp_output_schedule(struct worker *w, struct tcp_conn *c)
{
	if (c->flags & TF_OUTPUT_LIST)
		return;
	c->flags |= TF_OUTPUT_LIST;
	c->output_next = w->tcp->output_list;
	w->tcp->output_list = tcp_conn_index(w->tcp, c);
}

uint32_t
tcp_send_space(struct worker *w, const struct tcp_conn *c)
{
	uint32_t limit = w->cfg->tcp.sndbuf;
	const struct tcp_sndbuf *sb = tcp_snd_of(w->tcp, c);
	uint32_t used = RTE_MAX(sb->len, sb->truesize / 2);
	int refused = w->mbufs_low;

	/* No send buffer to be had: refused like a low pool, woken when
	 * one goes back (tcp_snd_put). */
	if (!refused && c->snd_i == 0 &&
	    obj_pool_avail(&w->tcp->snd_pool) == 0) {
		refused = 1;
		w->tcp->snd_refused = 1;
		if (!(c->mem_flags & TCP_MF_SND_STARVED))
			w->stats.tcp.SndNoMem++;
	}

	/* Under pressure a connection may hold only a little: those that
	 * hold much (a peer that reads nothing) stop growing, the others
	 * are still served. */
	if (!refused && w->mbufs_pressure &&
	    limit > w->cfg->tcp.snd_pressure_bytes) {
		limit = w->cfg->tcp.snd_pressure_bytes;
		refused = used >= limit;
	}
	if (refused) {
		/* Only the mark changes: the caller is owed a wake-up. */
		struct tcp_conn *mc = (struct tcp_conn *)(uintptr_t)c;

		if (!(mc->mem_flags & TCP_MF_SND_STARVED)) {
			struct tcp_stack *ts = w->tcp;

			mc->mem_flags |= TCP_MF_SND_STARVED;
			w->snd_starved++;
			w->stats.tcp.SndLowMemRefused++;
			if (ts->starved_fifo != NULL &&
			    ts->starved_tail - ts->starved_head <=
			    ts->starved_mask)
				ts->starved_fifo[ts->starved_tail++ &
						 ts->starved_mask] = mc;
		}
		return 0;
	}
	return used < limit ? limit - used : 0;
}

/* Wake one connection refused send space.  0, or -1 when the mbuf
 * pool is low again or the send buffers are all taken (the rest wait
 * for the next wake). */
static int
tcp_mem_wake_one(struct worker *w, struct tcp_conn *c)
{
	const struct tcp_app_ops *ops = tcp_ops_of(w->tcp, c);

	c->mem_flags &= ~TCP_MF_SND_STARVED;
	w->snd_starved--;
	w->stats.tcp.SndLowMemWakeups++;
	/* A window held by the send buffer opens again. */
	tcp_output_schedule(w, c);
	if (ops != NULL && ops->sent != NULL &&
	    !(c->flags & TF_APP_CLOSED) && !(c->flags & TF_ABORT))
		ops->sent(w, c);
	if (w->mbufs_low)
		return -1;
	if (obj_pool_avail(&w->tcp->snd_pool) == 0) {
		/* The next send buffer given back wakes the rest. */
		w->tcp->snd_refused = 1;
		return -1;
	}
	return 0;
}

/* The starved connections the FIFO had no room for: one pass over the
 * connection blocks. */
static void
tcp_mem_wake_scan(struct worker *w)
{
	struct tcp_conn *batch[256];
	struct tcp_conn *c;
	uint32_t iter, n, i;

	w->stats.tcp.SndLowMemScans++;
	iter = 0;
	do {
		/* Collect first, call after: a callback may close its own
		 * connection, whose block the walk (by pool index) then
		 * skips. */
		n = 0;
		while (n < RTE_DIM(batch) &&
		       (c = tcp_conn_next(w, &iter)) != NULL)
			if (c->mem_flags & TCP_MF_SND_STARVED)
				batch[n++] = c;
		for (i = 0; i < n; i++)
			if (tcp_mem_wake_one(w, batch[i]) != 0)
				return;
	} while (n == RTE_DIM(batch) && w->snd_starved > 0);
}

void
tcp_mem_wake(struct worker *w)
{
	struct tcp_stack *ts = w->tcp;
	uint32_t end = ts->starved_tail;

	/* Oldest first; stale entries (closed, or woken already) have
	 * lost the mark.  Only those queued before this wake: one refused
	 * again goes to the back and waits for the next. */
	while (ts->starved_head != end) {
		struct tcp_conn *c = ts->starved_fifo[ts->starved_head &
						      ts->starved_mask];

		if (!(c->mem_flags & TCP_MF_SND_STARVED)) {
			ts->starved_head++;
			continue;
		}
		if (w->mbufs_low)
			return;
		ts->starved_head++;
		if (tcp_mem_wake_one(w, c) != 0)
			return;
	}
	if (w->snd_starved > 0 && !w->mbufs_low)
		tcp_mem_wake_scan(w);
}

static int
tcp_can_queue(const struct tcp_conn *c)
{
	if (c->flags & TF_FIN_QUEUED)
		return 0;
	return c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT ||
		c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED;
}

/* Chain m behind the send buffer's tail, numbering its first byte. */
static void
sndbuf_append(struct tcp_sndbuf *sb, struct rte_mbuf *m)
{
	struct rte_mbuf *t = sb->tail;

	m->next = NULL;
	if (t == NULL) {
		sb->head = m;
		SNDBUF_POS(m) = 0;
	} else {
		t->next = m;
		SNDBUF_POS(m) = SNDBUF_POS(t) + t->data_len;
	}
	sb->tail = m;
	sb->truesize += tcp_seg_truesize(m);
}

/*
 * The application's bytes (tcp_send_ref) copied into an mbuf of the
 * send buffer's own, before anything is queued behind them or the
 * application lets go of them (tcp_close).  0, or -1 without an mbuf
 * (the buffer is left as it was).
 */
static int
sndbuf_unref(struct worker *w, struct tcp_sndbuf *sb)
{
	struct rte_mbuf *m;

	if (!sndbuf_is_ref(sb))
		return 0;
	m = rte_pktmbuf_alloc(w->app->pool);
	if (m == NULL) {
		w->stats.tcp.DropNoMbuf++;
		return -1;
	}
	/* tcp_send_ref took no more than an mbuf holds. */
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), sb->ref, sb->len);
	m->data_len = (uint16_t)sb->len;
	m->pkt_len = sb->len;
	sb->ref = NULL;
	sb->ref_sum = 0;
	sb->head_off = 0;
	sndbuf_append(sb, m);
	w->stats.tcp.SendRefCopies++;
	return 0;
}

uint32_t
tcp_send_mbuf(struct worker *w, struct tcp_conn *c, struct rte_mbuf *m)
{
	uint32_t len = m->data_len;

	struct tcp_sndbuf *sb;

	if (!tcp_can_queue(c) || (sb = tcp_snd_get(w, c)) == NULL ||
	    sndbuf_unref(w, sb) != 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	sndbuf_append(sb, m);
	sb->len += len;
	if (len > 0)
		tcp_output_schedule(w, c);
	return len;
}

/* Copy into the tail mbuf while it has room, then chain fresh ones; up
 * to the send buffer limit, so a fast writer meets back-pressure. */
uint32_t
tcp_send(struct worker *w, struct tcp_conn *c, const void *data,
	 uint32_t len)
{
	const uint8_t *p = data;
	struct tcp_sndbuf *sb;
	uint32_t done = 0;

	if (!tcp_can_queue(c))
		return 0;
	len = RTE_MIN(len, tcp_send_space(w, c));
	if (len == 0 || (sb = tcp_snd_get(w, c)) == NULL ||
	    sndbuf_unref(w, sb) != 0)
		return 0;
	while (done < len) {
		struct rte_mbuf *t = sb->tail;
		uint32_t room, n;

		/* A tail queued by reference (tcp_send_mbuf) is somebody
		 * else's memory: never write into it. */
		if (t == NULL || !RTE_MBUF_DIRECT(t) ||
		    rte_pktmbuf_tailroom(t) == 0) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(w->app->pool);

			if (m == NULL) {
				w->stats.tcp.DropNoMbuf++;
				break;
			}
			sndbuf_append(sb, m);
			t = m;
		}
		room = rte_pktmbuf_tailroom(t);
		n = RTE_MIN(room, len - done);
		memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len),
		       p + done, n);
		t->data_len += n;
		done += n;
	}
	sb->len += done;
	if (done > 0)
		tcp_output_schedule(w, c);
	else if (sb->head == NULL)
		tcp_snd_put(w, c);
	return done;
}

/* Whether sb's bytes by reference lie in the constant region, which
 * lives as long as the stack. */
static int
sndbuf_ref_is_const(const struct tcp_stack *ts, const struct tcp_sndbuf *sb)
{
	return sndbuf_is_ref(sb) && ts->const_base != NULL &&
		sb->ref >= ts->const_base &&
		(size_t)(sb->ref - ts->const_base) + sb->len <= ts->const_len;
}

/* Headers a frame holds besides its payload, at most: Ethernet, a VLAN
 * tag, IPv6, TCP with 40 bytes of options (118). */
#define TCP_REF_HDR_ROOM	128

/*
 * By reference into an empty send buffer, else a copy.  The send buffer
 * block is still taken (it holds the reference, the length and the
 * recovery marks); what is saved is the mbuf and the copy into it, and
 * with them the lines of an mbuf that a thousand connections' worth of
 * traffic has pushed out of the cache by the time the answer frees it.
 */
uint32_t
tcp_send_ref(struct worker *w, struct tcp_conn *c, const void *data,
	     uint32_t len)
{
	return tcp_send_ref_summed(w, c, data, len, 0);
}

uint32_t
tcp_send_ref_summed(struct worker *w, struct tcp_conn *c, const void *data,
		    uint32_t len, uint32_t sum)
{
	const struct tcp_sndbuf *cur = tcp_snd_of(w->tcp, c);
	struct tcp_sndbuf *sb;

	/* Its segments are copied into their frames' own mbufs, so the
	 * whole must fit one behind the headers (and then, at close, one
	 * mbuf too). */
	if (len == 0 || len > TCP_SEND_REF_MAX || cur->len != 0 ||
	    cur->head != NULL || !tcp_can_queue(c) ||
	    len + TCP_REF_HDR_ROOM >
	    (uint32_t)rte_pktmbuf_data_room_size(w->app->pool) -
	    RTE_PKTMBUF_HEADROOM || tcp_send_space(w, c) < len)
		return tcp_send(w, c, data, len);
	sb = tcp_snd_get(w, c);
	if (sb == NULL)
		return 0;
	sb->ref = data;
	sb->len = len;
	sb->ref_sum = sum;
	w->stats.tcp.SendRefs++;
	tcp_output_schedule(w, c);
	return len;
}

void
tcp_close(struct worker *w, struct tcp_conn *c)
{
	/* The application's bytes cannot outlive its close (those of the
	 * constant region do).  Without an mbuf to copy them into, the
	 * connection is reset, as after any failure the application hears
	 * of (closed, ECONNABORTED). */
	if (c->snd_i != 0 && c->state != TCP_SYN_SENT &&
	    !sndbuf_ref_is_const(w->tcp, tcp_snd_ptr(w->tcp, c)) &&
	    sndbuf_unref(w, tcp_snd_ptr(w->tcp, c)) != 0) {
		tcp_abort_later(w, c);
		return;
	}
	switch (c->state) {
	case TCP_SYN_SENT:
		tcp_conn_free(w, c);
		return;
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		if (!(c->flags & TF_FIN_QUEUED)) {
			c->flags |= TF_FIN_QUEUED;
			tcp_output_schedule(w, c);
		}
		return;
	default:
		return;
	}
}

void
tcp_abort_later(struct worker *w, struct tcp_conn *c)
{
	c->flags |= TF_ABORT;
	tcp_output_schedule(w, c);
}

void
tcp_abort(struct worker *w, struct tcp_conn *c)
{
	if (c->state != TCP_SYN_SENT && c->state != TCP_TIME_WAIT &&
	    c->state != TCP_CLOSED)
		tcp_send_reset_conn(w, c, c->snd_nxt, c->rcv_nxt, 1);
	if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
		w->stats.tcp.EstabResets++;
	c->flags |= TF_APP_CLOSED;
	tcp_conn_free(w, c);
}

/* --- the accessors of tcp.h ---------------------------------------- */

uint16_t
tcp_mbuf_priv_size(void)
{
	return RTE_ALIGN(sizeof(struct tcp_seg_cb), RTE_MBUF_PRIV_ALIGN);
}

size_t
tcp_stack_size(void)
{
	return sizeof(struct tcp_stack);
}

void
tcp_stack_info(const struct worker *w, struct tcp_stack_info *si)
{
	const struct tcp_stack *ts = w->tcp;

	si->n_conns = ts->n_conns;
	si->n_estab = ts->n_estab;
	si->n_half_open = ts->n_half_open;
}

void
tcp_rcv_hold_snd(struct tcp_conn *c)
{
	c->flags |= TF_RCV_HOLD_SND;
}

uint64_t
tcp_conn_idle_us(const struct worker *w, const struct tcp_conn *c)
{
	/* last_rx_ms keeps the low 32 bits: the difference wraps right. */
	return (uint64_t)(uint32_t)((uint32_t)w->now_ms - c->last_rx_ms) *
		1000;
}

int
tcp_conn_fin_queued(const struct tcp_conn *c)
{
	return (c->flags & TF_FIN_QUEUED) != 0;
}

/* TF_* bits that tcp_conn_info reports, and their TCP_INFO_* names. */
static const struct {
	uint16_t tf;
	uint32_t info;
} tcp_info_flags[] = {
	{ TF_PASSIVE, TCP_INFO_PASSIVE },
	{ TF_WSCALE, TCP_INFO_WSCALE },
	{ TF_TSTAMP, TCP_INFO_TSTAMP },
	{ TF_SACK, TCP_INFO_SACK },
	{ TF_FIN_QUEUED, TCP_INFO_FIN_QUEUED },
	{ TF_FIN_SENT, TCP_INFO_FIN_SENT },
	{ TF_RECOVERY, TCP_INFO_RECOVERY },
	{ TF_RCV_HOLD_SND, TCP_INFO_RCV_HOLD_SND },
};

void
tcp_conn_info(struct worker *w, const struct tcp_conn *c,
	      struct tcp_conn_info *ci)
{
	unsigned int i;

	memset(ci, 0, sizeof(*ci));
	ci->state = (enum tcp_state)c->state;
	ci->state_name = tcp_state_name(ci->state);
	if (tcp_conn_is_v6(c)) {
		const struct tcp_addr6 *a6 = tcp_addr6_of(w->tcp, c);

		ci->v6 = 1;
		memcpy(ci->local_ip6, a6->local, sizeof(ci->local_ip6));
		memcpy(ci->remote_ip6, a6->remote, sizeof(ci->remote_ip6));
	} else {
		ci->local_ip = c->local_ip;
		ci->remote_ip = c->remote_ip;
	}
	ci->local_port = c->local_port;
	ci->remote_port = c->remote_port;
	ci->mss = c->mss;
	ci->snd_wscale = c->snd_wscale;
	ci->rcv_wscale = c->rcv_wscale;
	for (i = 0; i < RTE_DIM(tcp_info_flags); i++)
		if (c->flags & tcp_info_flags[i].tf)
			ci->flags |= tcp_info_flags[i].info;
	ci->snd_una = c->snd_una;
	ci->snd_nxt = c->snd_nxt;
	ci->snd_max = c->snd_max;
	ci->snd_wnd = c->snd_wnd;
	ci->rcv_nxt = c->rcv_nxt;
	ci->rcv_wnd = tcp_rcv_window(w, c);
	ci->cwnd = c->cc.cwnd;
	ci->ssthresh = c->cc.ssthresh;
	ci->srtt_us = c->srtt_us;
	ci->rttvar_us = c->rttvar_us;
	ci->rto_us = tcp_rto_us(w, c);
	ci->retrans = c->retrans_count;
	ci->unacked = c->snd_max - c->snd_una;
	ci->snd_queued = tcp_snd_of(w->tcp, c)->len;
	ci->ooo_bytes = tcp_ooo_of(w->tcp, c)->bytes;
	ci->idle_us = tcp_conn_idle_us(w, c);
}

struct tcp_conn *
tcp_conn_next(struct worker *w, uint32_t *iter)
{
	const struct obj_pool *p = &w->tcp->conn_pool;

	/* Every block ever taken, in address order: those in the table are
	 * the connections (a block on the free list is not). */
	while (*iter < p->next_unused) {
		struct tcp_conn *c = (struct tcp_conn *)p->base + (*iter)++;

		if (c->mem_flags & TCP_MF_IN_TABLE)
			return c;
	}
	return NULL;
}
