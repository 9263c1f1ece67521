/* SPDX-License-Identifier: BSD-3-Clause */
#include <jansson.h>

#include "stats.h"

void
stats_add(struct stats *dst, const struct stats *src)
{
	/* The struct is nothing but uint64_t counters, so add them as an array. */
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;
	size_t i;

	for (i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

#define STATS_JSON_SET(name) \
	json_object_set_new(o, #name, json_integer((json_int_t)sec->name));

void *
stats_to_json(const struct stats *s, const struct stats_gauges *g)
{
	json_t *root = json_object();
	json_t *o;

#define STATS_SECTION(key, list, field) do { \
		const __typeof__(s->field) *sec = &s->field; \
		o = json_object(); \
		list(STATS_JSON_SET) \
		json_object_set_new(root, key, o); \
	} while (0)

	STATS_SECTION("port", STATS_PORT, port);
	STATS_SECTION("eth", STATS_ETH, eth);
	STATS_SECTION("arp", STATS_ARP, arp);
	STATS_SECTION("ip", STATS_IP, ip);
	STATS_SECTION("icmp", STATS_ICMP, icmp);
	STATS_SECTION("tcp", STATS_TCP, tcp);
	STATS_SECTION("http", STATS_HTTP, http);
	STATS_SECTION("echo", STATS_ECHO, echo);
	STATS_SECTION("httpd", STATS_HTTPD, httpd);
	STATS_SECTION("impair", STATS_IMPAIR, impair);
	STATS_SECTION("ipv6", STATS_IPV6, ipv6);
	STATS_SECTION("nd", STATS_ND, nd);
	STATS_SECTION("icmp6", STATS_ICMP6, icmp6);
#undef STATS_SECTION

	if (g != NULL) {
		json_object_set_new(json_object_get(root, "tcp"), "CurrEstab",
				    json_integer((json_int_t)g->tcp_curr_estab));
		json_object_set_new(json_object_get(root, "tcp"), "HalfOpen",
				    json_integer((json_int_t)g->tcp_half_open));
		json_object_set_new(json_object_get(root, "arp"), "entries",
				    json_integer((json_int_t)g->neigh_entries));
		json_object_set_new(json_object_get(root, "nd"), "entries",
				    json_integer((json_int_t)g->nd_entries));
		o = json_object();
		json_object_set_new(o, "in_use",
				    json_integer((json_int_t)g->mbufs_in_use));
		json_object_set_new(o, "port_held",
				    json_integer((json_int_t)g->mbufs_port_held));
		json_object_set_new(o, "total",
				    json_integer((json_int_t)g->mbufs_total));
		json_object_set_new(root, "mempool", o);
	}
	return root;
}
