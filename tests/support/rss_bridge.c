/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rss_bridge: a wire between two ports that delivers like an RSS NIC.
 *
 * No PMD here offers programmable RSS, so dpfetch's STEER_RSS path
 * (source ports chosen so that replies hash to the owner's queue) has
 * no NIC to run on.  This program plays one: it sits between two
 * multi-queue ports (typically two net_memif servers, each peer a
 * dpfetch with --port-rss external) and forwards every frame received
 * on one port to the other, on the queue that port's RSS would pick:
 * the Toeplitz hash of the IPv4 TCP 4-tuple with that side's key,
 * indexed into that side's redirection table.  Anything else (ARP,
 * ICMP, fragments) goes to queue 0, as a NIC hashing only
 * NONFRAG_IPV4_TCP does.
 *
 * Each side's key and table come from the dpfetch behind it: the
 * bridge asks its control socket (port.list: rss_key, reta) until it
 * answers; frames for a side not known yet are dropped and counted.
 * --keyN HEX overrides side N's key (a deliberately wrong key shows
 * that the checks of the test bite).  Once both sides are known it
 * prints one JSON line {"ready": ...}; on SIGINT or SIGTERM it prints
 * its counters (frames per queue, SYNs per queue, drops) as one JSON
 * line and exits.
 *
 *   rss_bridge EAL-OPTIONS -- --ctl0 PATH --ctl1 PATH [--queues N]
 *              [--key0 HEX] [--key1 HEX]
 *
 * A test helper (tests/integration/cases_rss.py), not installed.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "quiesce.h"
#include "steer.h"
#include "toeplitz.h"

#define BRIDGE_MAX_QUEUES	16
#define BRIDGE_BURST		32
#define BRIDGE_MBUFS		16383
#define BRIDGE_DESC		1024
#define BRIDGE_TX_TRIES		64
#define BRIDGE_REPLY_MAX	(1 << 20)

struct side {
	uint16_t port;
	const char *ctl;
	int known;		/* key and table read from its dpfetch */
	int key_forced;		/* --keyN */
	uint8_t key[STEER_KEY_LEN];
	uint16_t reta[STEER_RETA_MAX];
	uint16_t reta_size;
	/* Frames sent to this side. */
	uint64_t tx_queue[BRIDGE_MAX_QUEUES];
	uint64_t syn_queue[BRIDGE_MAX_QUEUES];
	uint64_t other;		/* not IPv4 TCP: queue 0 */
	uint64_t unknown_drops;	/* before the side was known */
	uint64_t tx_drops;	/* its queue stayed full */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One request, one reply line from a dpfetch control socket; NULL if it
 * is not there (yet). */
static json_t *
ctl_call(const char *path, const char *method)
{
	struct sockaddr_un a;
	struct timeval tv = { .tv_sec = 5 };
	char req[128];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	json_t *reply = NULL;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto out;
	snprintf(req, sizeof(req),
		 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"}\n", method);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		goto out;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= BRIDGE_REPLY_MAX)
				goto out;
			cap = cap == 0 ? 4096 : cap * 2;
			nb = realloc(buf, cap);
			if (nb == NULL)
				goto out;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			goto out;
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	reply = json_loadb(buf, (size_t)((char *)memchr(buf, '\n', len) - buf),
			   0, NULL);
out:
	free(buf);
	close(fd);
	return reply;
}

/* Learn a side's key and table from its dpfetch's port.list: 0 once
 * known, -1 to try again later (not up yet), exits on a bad answer. */
static int
side_learn(struct side *sd, uint16_t nb_queues)
{
	json_t *reply, *port, *reta, *v;
	const char *key;
	size_t i;

	reply = ctl_call(sd->ctl, "port.list");
	if (reply == NULL)
		return -1;
	port = json_array_get(json_object_get(json_object_get(reply, "result"),
					      "ports"), 0);
	key = json_string_value(json_object_get(port, "rss_key"));
	reta = json_object_get(port, "reta");
	if (key == NULL || !json_is_array(reta) || json_array_size(reta) == 0 ||
	    json_array_size(reta) > STEER_RETA_MAX ||
	    (json_array_size(reta) & (json_array_size(reta) - 1)) != 0) {
		fprintf(stderr,
			"rss_bridge: %s does not steer by RSS (start it with --port-rss external and 2 or more lcores): %s\n",
			sd->ctl, json_dumps(reply, JSON_COMPACT));
		exit(2);
	}
	if (!sd->key_forced && steer_key_parse(key, sd->key) != 0) {
		fprintf(stderr, "rss_bridge: %s: bad rss_key '%s'\n", sd->ctl,
			key);
		exit(2);
	}
	json_array_foreach(reta, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) >= nb_queues) {
			fprintf(stderr,
				"rss_bridge: %s: reta[%zu] is not one of our %u queues\n",
				sd->ctl, i, nb_queues);
			exit(2);
		}
		sd->reta[i] = (uint16_t)json_integer_value(v);
	}
	sd->reta_size = (uint16_t)json_array_size(reta);
	sd->known = 1;
	json_decref(reply);
	return 0;
}

enum frame_kind { FRAME_OTHER, FRAME_TCP, FRAME_SYN };

/* The queue the side's NIC would deliver m to, and what m is. */
static uint16_t
side_queue(const struct side *sd, const struct rte_mbuf *m,
	   enum frame_kind *kind)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	uint8_t in[TOEPLITZ_V4_TCP_LEN];
	uint32_t hlen;

	*kind = FRAME_OTHER;
	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ip))
		return 0;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return 0;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip->next_proto_id != IPPROTO_TCP || hlen < sizeof(*ip) ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
					RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
	    rte_pktmbuf_data_len(m) < sizeof(*eh) + hlen + sizeof(*th))
		return 0;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + hlen);
	memcpy(in, &ip->src_addr, 4);
	memcpy(in + 4, &ip->dst_addr, 4);
	memcpy(in + 8, &th->src_port, 2);
	memcpy(in + 10, &th->dst_port, 2);
	*kind = (th->tcp_flags & RTE_TCP_SYN_FLAG) ? FRAME_SYN : FRAME_TCP;
	return sd->reta[toeplitz_hash(sd->key, STEER_KEY_LEN, in, sizeof(in)) &
			(sd->reta_size - 1u)];
}

static void
side_send(struct side *sd, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0;
	int tries;

	/* The peer drains its rings in its own time: wait for it a little
	 * (a NIC would drop too, but later). */
	for (tries = 0; sent < n && tries < BRIDGE_TX_TRIES; tries++)
		sent += rte_eth_tx_burst(sd->port, q, pkts + sent, n - sent);
	sd->tx_queue[q] += sent;
	if (sent < n) {
		sd->tx_drops += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/* Everything one queue of port from received, to side to. */
static unsigned int
forward(uint16_t from, uint16_t q, struct side *to, uint16_t nb_queues)
{
	struct rte_mbuf *pkts[BRIDGE_BURST];
	struct rte_mbuf *out[BRIDGE_MAX_QUEUES][BRIDGE_BURST];
	uint16_t n_out[BRIDGE_MAX_QUEUES];
	enum frame_kind kind;
	uint16_t n, i, dq;

	n = rte_eth_rx_burst(from, q, pkts, BRIDGE_BURST);
	if (n == 0)
		return 0;
	if (!to->known) {
		to->unknown_drops += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return n;
	}
	memset(n_out, 0, sizeof(n_out));
	for (i = 0; i < n; i++) {
		dq = side_queue(to, pkts[i], &kind);
		if (dq >= nb_queues)
			dq = 0;
		if (kind == FRAME_SYN)
			to->syn_queue[dq]++;
		else if (kind == FRAME_OTHER)
			to->other++;
		out[dq][n_out[dq]++] = pkts[i];
	}
	for (dq = 0; dq < nb_queues; dq++)
		if (n_out[dq] > 0)
			side_send(to, dq, out[dq], n_out[dq]);
	return n;
}

static int
port_setup(uint16_t port, uint16_t nb_queues, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	uint16_t q;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, nb_queues, nb_queues, &conf) != 0)
		return -1;
	for (q = 0; q < nb_queues; q++)
		if (rte_eth_rx_queue_setup(port, q, BRIDGE_DESC,
					   (unsigned int)rte_socket_id(), NULL,
					   pool) != 0 ||
		    rte_eth_tx_queue_setup(port, q, BRIDGE_DESC,
					   (unsigned int)rte_socket_id(),
					   NULL) != 0)
			return -1;
	return rte_eth_dev_start(port);
}

static json_t *
u64_array(const uint64_t *v, uint16_t n)
{
	json_t *a = json_array();
	uint16_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static void
print_counters(const struct side *sides, uint16_t nb_queues)
{
	json_t *o = json_object(), *arr = json_array();
	char key[2 * STEER_KEY_LEN + 1];
	char *text;
	int i;

	for (i = 0; i < 2; i++) {
		const struct side *sd = &sides[i];

		steer_key_format(sd->key, key, sizeof(key));
		json_array_append_new(arr, json_pack(
			"{s:s, s:b, s:s, s:i, s:o, s:o, s:I, s:I, s:I}",
			"ctl", sd->ctl, "known", sd->known, "key", key,
			"reta_size", sd->reta_size,
			"tx_queue", u64_array(sd->tx_queue, nb_queues),
			"syn_queue", u64_array(sd->syn_queue, nb_queues),
			"other", (json_int_t)sd->other,
			"unknown_drops", (json_int_t)sd->unknown_drops,
			"tx_drops", (json_int_t)sd->tx_drops));
	}
	json_object_set_new(o, "sides", arr);
	text = json_dumps(o, JSON_COMPACT);
	printf("%s\n", text);
	fflush(stdout);
	free(text);
	json_decref(o);
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: rss_bridge EAL-OPTIONS -- --ctl0 PATH --ctl1 PATH [--queues N] [--key0 HEX] [--key1 HEX]\n"
		"  (EAL gives two ports: port 0 is side 0, port 1 side 1)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctl0", required_argument, NULL, 'a' },
		{ "ctl1", required_argument, NULL, 'b' },
		{ "key0", required_argument, NULL, 'x' },
		{ "key1", required_argument, NULL, 'y' },
		{ "queues", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct side sides[2];
	struct rte_mempool *pool;
	struct quiesce_slot *qs;
	uint16_t nb_queues = 2, q;
	uint64_t next_poll = 0;
	int rc, opt, i, ready = 0;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "rss_bridge: EAL: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	argc -= rc;
	argv += rc;
	memset(sides, 0, sizeof(sides));
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
		case 'b':
			sides[opt - 'a'].ctl = optarg;
			break;
		case 'x':
		case 'y':
			if (steer_key_parse(optarg, sides[opt - 'x'].key) != 0)
				usage();
			sides[opt - 'x'].key_forced = 1;
			break;
		case 'q':
			nb_queues = (uint16_t)atoi(optarg);
			if (nb_queues < 1 || nb_queues > BRIDGE_MAX_QUEUES)
				usage();
			break;
		default:
			usage();
		}
	}
	if (sides[0].ctl == NULL || sides[1].ctl == NULL ||
	    rte_eth_dev_count_avail() != 2)
		usage();
	pool = rte_pktmbuf_pool_create("bridge", BRIDGE_MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "rss_bridge: no mbufs: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	for (i = 0; i < 2; i++) {
		sides[i].port = (uint16_t)i;
		if (port_setup((uint16_t)i, nb_queues, pool) != 0) {
			fprintf(stderr, "rss_bridge: port %d set-up failed\n",
				i);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* memif unmaps a departed peer's rings from its interrupt thread:
	 * dpfetch's munmap() guard waits for this loop (quiesce.h). */
	qs = quiesce_slot(0);
	quiesce_enter(qs);
	while (!stop) {
		quiesce_tick(qs);
		for (i = 0; i < 2; i++)
			for (q = 0; q < nb_queues; q++)
				forward((uint16_t)i, q, &sides[1 - i],
					nb_queues);
		if (ready || rte_get_timer_cycles() < next_poll)
			continue;
		next_poll = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
		for (i = 0; i < 2; i++)
			if (!sides[i].known)
				side_learn(&sides[i], nb_queues);
		if (sides[0].known && sides[1].known) {
			char k0[2 * STEER_KEY_LEN + 1], k1[2 * STEER_KEY_LEN + 1];

			steer_key_format(sides[0].key, k0, sizeof(k0));
			steer_key_format(sides[1].key, k1, sizeof(k1));
			printf("{\"ready\":true,\"keys\":[\"%s\",\"%s\"],\"reta_sizes\":[%u,%u]}\n",
			       k0, k1, sides[0].reta_size, sides[1].reta_size);
			fflush(stdout);
			ready = 1;
		}
	}
	quiesce_leave(qs);
	print_counters(sides, nb_queues);
	for (i = 0; i < 2; i++) {
		rte_eth_dev_stop((uint16_t)i);
		rte_eth_dev_close((uint16_t)i);
	}
	rte_eal_cleanup();
	return 0;
}
