/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "arp.h"
#include "nd.h"
#include "capture.h"
#include "config.h"
#include "ctl.h"
#include "echo_server.h"
#include "http_server.h"
#include "impair.h"
#include "ipv4.h"
#include "ipv6_addr.h"
#include "job.h"
#include "job_runner.h"
#include "job_search.h"
#include "rpc_methods.h"
#include "stats.h"
#include "tcp.h"
#include "url.h"
#include "worker.h"

#define CONN_LIST_DEFAULT	100
#define CONN_LIST_MAX		100000
#define WAIT_MAX_S		3600

static struct app *
app_of(struct rpc_ctx *ctx)
{
	return ctx->app;
}

static int
check_params(json_t *params, const char *const *allowed,
	     struct rpc_error *err)
{
	if (params != NULL && !json_is_object(params))
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params: expected an object");
	return rpc_params_check(params, allowed, err) != 0 ? RPC_ERROR : 0;
}

/* --- app ------------------------------------------------------------ */

static json_t *
port_json(const struct app *app)
{
	const struct port *p = &app->port;
	struct rte_eth_stats st;
	struct rte_eth_link link;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *o;

	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(p->id, &st);
	memset(&link, 0, sizeof(link));
	rte_eth_link_get_nowait(p->id, &link);
	o = json_pack("{s:i, s:s, s:s, s:s, s:i, s:i, s:b, s:b, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
		      "id", p->id, "name", p->name, "driver", p->driver,
		      "mac", mac, "mtu", p->mtu, "queues", p->n_queues,
		      "rss", p->rss, "link_up",
		      link.link_status == RTE_ETH_LINK_UP,
		      "speed_mbps", (json_int_t)link.link_speed,
		      "stats",
		      "ipackets", (json_int_t)st.ipackets,
		      "opackets", (json_int_t)st.opackets,
		      "ibytes", (json_int_t)st.ibytes,
		      "obytes", (json_int_t)st.obytes,
		      "imissed", (json_int_t)st.imissed,
		      "ierrors", (json_int_t)st.ierrors,
		      "oerrors", (json_int_t)st.oerrors,
		      "rx_nombuf", (json_int_t)st.rx_nombuf);
	/* What the port does for us (the rest is done in software). */
	json_object_set_new(o, "offloads", json_pack(
		"{s:b, s:b, s:b, s:b, s:b, s:b, s:b}",
		"rx_ip_cksum", p->rx_ip_cksum, "rx_tcp_cksum", p->rx_tcp_cksum,
		"tx_ip_cksum", p->tx_ip_cksum, "tx_tcp_cksum", p->tx_tcp_cksum,
		"tx_multi_seg", p->tx_multi_seg, "tso", p->tx_tso,
		"lro", p->rx_lro));
	/* --vlan: the tag (0 = untagged), and whether the port puts it on
	 * and takes it off. */
	json_object_set_new(o, "vlan", json_integer(p->vlan_id));
	json_object_set_new(json_object_get(o, "offloads"), "vlan_insert",
			    json_boolean(p->tx_vlan_insert));
	json_object_set_new(json_object_get(o, "offloads"), "vlan_strip",
			    json_boolean(p->rx_vlan_strip));
	json_object_set_new(o, "steering",
			    json_string(app->steer.mode == STEER_RSS ? "rss" :
					app->steer.mode == STEER_SOFT ?
					"software" : "single"));
	json_object_set_new(o, "rss_external", json_boolean(p->rss_external));
	/* What a fabric in front of the port (or anyone checking the
	 * NIC) must hash with for packets to reach their owner. */
	if (app->steer.mode == STEER_RSS) {
		char key[2 * STEER_KEY_LEN + 1];
		json_t *reta = json_array();
		uint16_t i;

		steer_key_format(app->steer.rss_key, key, sizeof(key));
		for (i = 0; i < app->steer.reta_size; i++)
			json_array_append_new(reta,
					      json_integer(app->steer.reta[i]));
		json_object_set_new(o, "rss_key", json_string(key));
		json_object_set_new(o, "reta", reta);
	}
	return o;
}

/* --- interfaces and routes (several --ip) ------------------------------ */

static uint16_t
ifaces_n(const struct app *app)
{
	return app->n_ifaces > 1 ? app->n_ifaces : 1;
}

static struct arp_table *
iface_table(const struct app *app, uint16_t i)
{
	return i == 0 ? app->arp : app->ifaces[i].arp;
}

/* Interface iface's IPv6 table (interface 0's is app->nd). */
static struct nd_table *
iface_nd(const struct app *app, uint16_t i)
{
	return i == 0 ? app->nd : app->ifaces[i].nd;
}

/* The --ip6 addresses on interface i, as "ADDR/N". */
static json_t *
iface_addrs6_json(const struct app *app, uint16_t i)
{
	json_t *a = json_array();
	char ip[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
	uint16_t k;

	if (app->n_addrs6 == 0 && app->cfg->has_ip6 && i == 0) {
		inet_ntop(AF_INET6, app->cfg->ip6, ip, sizeof(ip));
		snprintf(buf, sizeof(buf), "%s/%u", ip, app->cfg->ip6_prefix);
		json_array_append_new(a, json_string(buf));
	}
	for (k = 0; k < app->n_addrs6; k++) {
		if (app->addrs6[k].iface != i)
			continue;
		inet_ntop(AF_INET6, app->addrs6[k].ip, ip, sizeof(ip));
		snprintf(buf, sizeof(buf), "%s/%u", ip,
			 app->addrs6[k].prefix_len);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

static json_t *
ifaces_json(const struct app *app)
{
	json_t *a = json_array();
	uint16_t i, k;

	for (i = 0; i < ifaces_n(app); i++) {
		json_t *addrs = json_array(), *o;
		char ip[16], buf[24];

		/* One --ip: on interface 0 (the others are --ip6's). */
		if (app->n_addrs <= 1 && i == 0 && app->cfg->ip != 0) {
			ipv4_format(app->cfg->ip, ip, sizeof(ip));
			snprintf(buf, sizeof(buf), "%s/%u", ip,
				 app->cfg->prefix_len);
			json_array_append_new(addrs, json_string(buf));
		}
		for (k = 0; k < app->n_addrs && app->n_addrs > 1; k++) {
			if (app->addrs[k].iface != i)
				continue;
			ipv4_format(app->addrs[k].ip, ip, sizeof(ip));
			snprintf(buf, sizeof(buf), "%s/%u", ip,
				 app->addrs[k].prefix_len);
			json_array_append_new(addrs, json_string(buf));
		}
		o = json_pack("{s:i, s:i, s:o, s:i}",
			"iface", i,
			"vlan", i == 0 ? app->port.vlan_id : app->ifaces[i].vlan,
			"addresses", addrs,
			"neigh_entries", iface_table(app, i)->neigh.count);
		json_object_set_new(o, "addresses6",
				    iface_addrs6_json(app, i));
		json_object_set_new(o, "nd_entries", json_integer(
			iface_nd(app, i) != NULL ?
			iface_nd(app, i)->neigh.count : 0));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
route_json(uint32_t prefix, uint8_t len, uint32_t gw, uint32_t src,
	   uint8_t iface)
{
	char p[16], g[16], s[16], buf[24];

	ipv4_format(prefix, p, sizeof(p));
	ipv4_format(gw, g, sizeof(g));
	ipv4_format(src, s, sizeof(s));
	snprintf(buf, sizeof(buf), "%s/%u", p, len);
	return json_pack("{s:s, s:o, s:i, s:s, s:s}", "prefix", buf,
			 "gateway", gw != 0 ? json_string(g) : json_null(),
			 "iface", iface, "src", s, "family", "ipv4");
}

static json_t *
route6_json(const struct route6 *r)
{
	char p[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	char buf[INET6_ADDRSTRLEN + 8];

	inet_ntop(AF_INET6, r->prefix, p, sizeof(p));
	inet_ntop(AF_INET6, r->gateway, g, sizeof(g));
	inet_ntop(AF_INET6, r->src, s, sizeof(s));
	snprintf(buf, sizeof(buf), "%s/%u", p, r->len);
	return json_pack("{s:s, s:o, s:i, s:s, s:s}", "prefix", buf,
			 "gateway", r->has_gateway ? json_string(g) :
			 json_null(), "iface", r->iface, "src", s,
			 "family", "ipv6");
}

/* The IPv6 routes appended to a, longest prefix first. */
static void
routes6_into(const struct app *app, json_t *a)
{
	uint32_t i;

	for (i = 0; i < app->routes6.n; i++)
		json_array_append_new(a, route6_json(&app->routes6.r[i]));
}

/* The routing table, longest prefix first (as looked up). */
static json_t *
routes_json(const struct app *app)
{
	const struct dpf_config *cfg = app->cfg;
	json_t *a = json_array();
	uint32_t i;

	if (app->n_addrs > 1) {
		for (i = 0; i < app->routes.n; i++) {
			const struct route *r = &app->routes.r[i];

			json_array_append_new(a, route_json(r->prefix, r->len,
				r->gateway, r->src, r->iface));
		}
		routes6_into(app, a);
		return a;
	}
	if (cfg->ip != 0)
		json_array_append_new(a, route_json(cfg->ip &
			route_mask(cfg->prefix_len), cfg->prefix_len, 0,
			cfg->ip, 0));
	if (cfg->ip != 0 && cfg->gateway != 0)
		json_array_append_new(a, route_json(0, 0, cfg->gateway,
						    cfg->ip, 0));
	routes6_into(app, a);
	return a;
}

static int
m_app_info(struct rpc_ctx *ctx, json_t *params, json_t **result,
	   struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };
	struct app *app = app_of(ctx);
	json_t *lcores = json_array(), *ports = json_array(), *src;
	char ip[16];
	uint16_t i;

	if (check_params(params, allowed, err) != 0) {
		json_decref(lcores);
		json_decref(ports);
		return RPC_ERROR;
	}
	for (i = 0; i < app->n_workers; i++)
		json_array_append_new(lcores,
				      json_integer(app->workers[i]->lcore_id));
	json_array_append_new(ports, port_json(app));
	src = json_array();
	for (i = 0; i < __atomic_load_n(&app->local.n, __ATOMIC_ACQUIRE);
	     i++) {
		char lo[16], hi[16], buf[40];

		ipv4_format(app->local.r[i].lo, lo, sizeof(lo));
		ipv4_format(app->local.r[i].hi, hi, sizeof(hi));
		snprintf(buf, sizeof(buf), "%s-%s", lo, hi);
		json_array_append_new(src, json_string(buf));
	}
	ipv4_format(app->cfg->ip, ip, sizeof(ip));
	*result = json_pack("{s:s, s:s, s:o, s:o, s:f, s:s, s:i, s:o, s:I}",
			    "version", DPF_VERSION,
			    "dpdk_version", rte_version(),
			    "lcores", lcores, "ports", ports,
			    "uptime_s", (double)app_now_us(app) / 1e6,
			    "ip", ip, "prefix_len", app->cfg->prefix_len,
			    "src_ranges", src,
			    "max_conns_per_lcore",
			    (json_int_t)app->cfg->max_conns);
	if (*result != NULL) {
		json_object_set_new(*result, "ifaces", ifaces_json(app));
		json_object_set_new(*result, "routes", routes_json(app));
	}
	if (*result != NULL && app->cfg->has_ip6) {
		char a6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, app->cfg->ip6, a6, sizeof(a6));
		json_object_set_new(*result, "ip6", json_string(a6));
		json_object_set_new(*result, "ip6_prefix_len",
				    json_integer(app->cfg->ip6_prefix));
	}
	return RPC_OK;
}

static int
m_app_shutdown(struct rpc_ctx *ctx, json_t *params, json_t **result,
	       struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };

	if (check_params(params, allowed, err) != 0)
		return RPC_ERROR;
	app_of(ctx)->quit = 1;
	*result = json_pack("{s:b}", "shutting_down", 1);
	return RPC_OK;
}

static int
m_port_list(struct rpc_ctx *ctx, json_t *params, json_t **result,
	    struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };

	if (check_params(params, allowed, err) != 0)
		return RPC_ERROR;
	*result = json_pack("{s:[o]}", "ports", port_json(app_of(ctx)));
	return RPC_OK;
}

/* --- stats ------------------------------------------------------------ */

static void
gauges_of(struct app *app, const struct worker *only,
	  struct stats_gauges *g)
{
	uint16_t i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < app->n_workers; i++)
		if (only == NULL || only == app->workers[i]) {
			struct tcp_stack_info si;

			tcp_stack_info(app->workers[i], &si);
			g->tcp_curr_estab += si.n_estab;
			g->tcp_half_open += si.n_half_open;
		}
	g->mbufs_total = app->pool->size;
	g->mbufs_in_use = rte_mempool_in_use_count(app->pool);
	g->mbufs_port_held = app->mbufs_port_held;
	g->neigh_entries = app->arp->neigh.count;
	g->nd_entries = app->nd != NULL ? app->nd->neigh.count : 0;
	for (i = 1; i < ifaces_n(app); i++) {
		g->neigh_entries += app->ifaces[i].arp->neigh.count;
		if (app->ifaces[i].nd != NULL)
			g->nd_entries += app->ifaces[i].nd->neigh.count;
	}
}

json_t *
app_stats_json(struct app *app)
{
	struct stats total;
	struct stats_gauges g;
	json_t *out;
	uint16_t i;

	memset(&total, 0, sizeof(total));
	for (i = 0; i < app->n_workers; i++)
		stats_add(&total, &app->workers[i]->stats);
	gauges_of(app, NULL, &g);
	out = stats_to_json(&total, &g);
	if (app->ctl != NULL && out != NULL) {
		struct ctl_stats cs;

		ctl_server_stats(app->ctl, &cs);
		json_object_set_new(out, "ctl", ctl_stats_json(&cs));
	}
	/* Several interfaces: a section each ("iface1": {...}). */
	for (i = 0; out != NULL && app->n_ifaces > 1 && i < app->n_ifaces;
	     i++) {
		char name[16];

		snprintf(name, sizeof(name), "iface%u", i);
		json_object_set_new(out, name, json_pack("{s:i, s:I, s:I}",
			"vlan", app->ifaces[i].vlan,
			"neigh_entries",
			(json_int_t)app->ifaces[i].arp->neigh.count,
			"nd_entries", (json_int_t)(iface_nd(app, i) != NULL ?
			iface_nd(app, i)->neigh.count : 0)));
	}
	return out;
}

/* What one lcore does with its time, and what it holds. */
static json_t *
lcore_json(const struct app *app, const struct worker *w)
{
	uint64_t busy = w->busy_tsc, idle = w->idle_tsc;
	double total = (double)(busy + idle);
	uint64_t parsers, parser_bytes;
	struct tcp_stack_info si;
	unsigned int shares;

	tcp_stack_info(w, &si);
	job_runner_usage(w, &shares, &parsers, &parser_bytes);
	return json_pack("{s:i, s:i, s:i, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:i, s:{s:I, s:I, s:f, s:I, s:I}}",
			 "lcore", w->lcore_id, "index", w->index,
			 "queue", w->queue_id,
			 "busy_cycles", (json_int_t)busy,
			 "idle_cycles", (json_int_t)idle,
			 "busy_pct", total > 0 ? 100.0 * (double)busy / total :
			 0.0,
			 "tsc_hz", (json_int_t)app->tsc_hz,
			 "loops", (json_int_t)w->loops,
			 "connections", (json_int_t)si.n_conns,
			 "established", (json_int_t)si.n_estab,
			 "jobs", shares,
			 "conn_memory",
			 "bytes", (json_int_t)w->conn_mem_bytes,
			 "max_conns", (json_int_t)app->cfg->max_conns,
			 "per_connection", (double)w->conn_mem_bytes /
			 app->cfg->max_conns,
			 "client_parsers", (json_int_t)parsers,
			 "client_parser_bytes", (json_int_t)parser_bytes);
}

static const char *const stat_scopes[] = { STATS_SCOPE_NAMES, NULL };

static json_t *
stats_scoped(json_t *all, const char *scope)
{
	json_t *o;

	if (scope == NULL)
		return all;
	o = json_object();
	json_object_set(o, scope, json_object_get(all, scope));
	json_decref(all);
	return o;
}

static int
m_stats_get(struct rpc_ctx *ctx, json_t *params, json_t **result,
	    struct rpc_error *err)
{
	static const char *const allowed[] = { "scope", "per_lcore", NULL };
	struct app *app = app_of(ctx);
	const char *scope = NULL;
	int per_lcore = 0;
	json_t *out;
	uint16_t i;

	if (check_params(params, allowed, err) != 0 ||
	    rpc_param_string(params, "scope", RPC_OPTIONAL, 0, &scope,
			     err) < 0 ||
	    rpc_param_bool(params, "per_lcore", RPC_OPTIONAL, &per_lcore,
			   err) < 0)
		return RPC_ERROR;
	if (scope != NULL) {
		for (i = 0; stat_scopes[i] != NULL; i++)
			if (strcmp(scope, stat_scopes[i]) == 0)
				break;
		if (stat_scopes[i] == NULL) {
			char names[256] = "";
			size_t n = 0;

			for (i = 0; stat_scopes[i] != NULL && n < sizeof(names);
			     i++)
				n += (size_t)snprintf(names + n,
					sizeof(names) - n, "%s%s",
					i > 0 ? ", " : "", stat_scopes[i]);
			return rpc_error_set(err, RPC_INVALID_PARAMS,
				"params.scope: '%.64s' is not one of %s", scope,
				names);
		}
	}
	if (scope != NULL && strcmp(scope, "lcore") == 0) {
		json_t *a = json_array();

		for (i = 0; i < app->n_workers; i++)
			json_array_append_new(a, lcore_json(app,
							    app->workers[i]));
		*result = json_pack("{s:o}", "lcores", a);
		return RPC_OK;
	}
	out = stats_scoped(app_stats_json(app), scope);
	if (per_lcore) {
		json_t *a = json_array();

		for (i = 0; i < app->n_workers; i++) {
			struct worker *w = app->workers[i];
			struct stats_gauges g;
			json_t *o;

			gauges_of(app, w, &g);
			o = stats_scoped(stats_to_json(&w->stats, &g), scope);
			json_object_set_new(o, "lcore",
					    json_integer(w->lcore_id));
			json_object_set_new(o, "cpu", lcore_json(app, w));
			json_array_append_new(a, o);
		}
		json_object_set_new(out, "lcores", a);
	}
	*result = out;
	return RPC_OK;
}

static void
reset_on_worker(struct worker *w, void *arg)
{
	(void)arg;
	memset(&w->stats, 0, sizeof(w->stats));
	w->busy_tsc = 0;
	w->idle_tsc = 0;
	w->loops = 0;
}

static int
m_stats_reset(struct rpc_ctx *ctx, json_t *params, json_t **result,
	      struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };
	struct app *app = app_of(ctx);
	uint16_t i;

	if (check_params(params, allowed, err) != 0)
		return RPC_ERROR;
	for (i = 0; i < app->n_workers; i++)
		worker_call(app, i, reset_on_worker, NULL);
	*result = json_pack("{s:b}", "reset", 1);
	return RPC_OK;
}

/* --- arp and neigh: the neighbour tables of both families ------------ */

/* The table that holds addr (family 4 or 6) and its lock: IPv4 in the
 * table of the interface whose prefix holds it, IPv6 in ND's. */
static struct neigh_table *
neigh_table_of(struct app *app, int family, const uint8_t *addr,
	       rte_seqlock_t **lock)
{
	struct arp_table *t;

	if (family == 6) {
		struct nd_table *n = iface_nd(app, ipv6_iface_of(app, addr));

		*lock = &n->lock;
		return &n->neigh;
	}
	t = arp_table_of(app, neigh_addr_to_ipv4(addr));
	*lock = &t->lock;
	return &t->neigh;
}

/* One table's entries appended to a, each with its interface and tag;
 * with_family: neigh.list's form (arp.list's has no "family"). */
static void
neigh_table_list(struct app *app, json_t *a, int family, uint16_t iface,
		 int with_family)
{
	rte_seqlock_t *lock;
	struct neigh_table *t;
	uint32_t i;

	if (family == 6) {
		if (iface_nd(app, iface) == NULL)
			return;
		lock = &iface_nd(app, iface)->lock;
		t = &iface_nd(app, iface)->neigh;
	} else {
		lock = &iface_table(app, iface)->lock;
		t = &iface_table(app, iface)->neigh;
	}
	rte_seqlock_write_lock(lock);
	for (i = 0; i < t->size; i++) {
		const struct neigh_entry *e = &t->entries[i];
		char ip[INET6_ADDRSTRLEN], mac[24];
		json_t *o;

		if (e->state == NEIGH_FREE)
			continue;
		if (family == 4)
			ipv4_format(neigh_addr_to_ipv4(e->addr), ip, sizeof(ip));
		else
			inet_ntop(AF_INET6, e->addr, ip, sizeof(ip));
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4],
			 e->mac[5]);
		o = json_pack("{s:s, s:s, s:s, s:b, s:i, s:i}",
			"ip", ip,
			"mac", e->state == NEIGH_INCOMPLETE ? "" : mac,
			"state", neigh_state_name(e->state),
			"static", e->is_static,
			"iface", iface,
			"vlan", iface == 0 ? app->port.vlan_id :
			app->ifaces[iface].vlan);
		if (with_family)
			json_object_set_new(o, "family", json_string(
				family == 4 ? "ipv4" : "ipv6"));
		json_array_append_new(a, o);
	}
	rte_seqlock_write_unlock(lock);
}

/* A family's entries appended to a, from every interface. */
static void
neigh_list_into(struct app *app, json_t *a, int family, int with_family)
{
	uint16_t f;

	for (f = 0; f < ifaces_n(app); f++)
		neigh_table_list(app, a, family, f, with_family);
}

static int
m_arp_list(struct rpc_ctx *ctx, json_t *params, json_t **result,
	   struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };
	json_t *a;

	if (check_params(params, allowed, err) != 0)
		return RPC_ERROR;
	a = json_array();
	neigh_list_into(app_of(ctx), a, 4, 0);
	*result = json_pack("{s:o}", "entries", a);
	return RPC_OK;
}

/* params.ip as a table key: 4 or 6 (only `only` when not 0), or -1
 * with err set. */
static int
neigh_param_ip(const char *ip_s, int only, uint8_t *addr,
	       struct rpc_error *err)
{
	static const uint8_t zero[16];
	uint32_t ip;

	if (only != 4 && strchr(ip_s, ':') != NULL) {
		if (inet_pton(AF_INET6, ip_s, addr) != 1 || addr[0] == 0xff ||
		    memcmp(addr, zero, 16) == 0)
			return rpc_error_set(err, RPC_INVALID_PARAMS,
				"params.ip: '%s' is not a unicast IPv6 address",
				ip_s), -1;
		return 6;
	}
	if (ipv4_parse(ip_s, &ip) != 0 || ip == 0)
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     only == 4 ?
				     "params.ip: '%s' is not an IPv4 address" :
				     "params.ip: '%s' is not an IPv4 or IPv6 address",
				     ip_s), -1;
	neigh_addr_from_ipv4(addr, ip);
	return 4;
}

/* arp.add (only 4) and neigh.add (0: either family). */
static int
neigh_add_common(struct rpc_ctx *ctx, json_t *params, json_t **result,
		 struct rpc_error *err, int only)
{
	static const char *const allowed[] = { "ip", "mac", NULL };
	struct app *app = app_of(ctx);
	const char *ip_s, *mac_s;
	struct rte_ether_addr mac;
	uint8_t addr[NEIGH_ADDR_LEN];
	rte_seqlock_t *lock;
	struct neigh_table *t;
	struct neigh_entry *e;
	int family;

	if (check_params(params, allowed, err) != 0 ||
	    rpc_param_string(params, "ip", RPC_REQUIRED, 0, &ip_s, err) < 0 ||
	    rpc_param_string(params, "mac", RPC_REQUIRED, 0, &mac_s, err) < 0)
		return RPC_ERROR;
	family = neigh_param_ip(ip_s, only, addr, err);
	if (family < 0)
		return RPC_ERROR;
	if (rte_ether_unformat_addr(mac_s, &mac) != 0 ||
	    !rte_is_unicast_ether_addr(&mac))
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params.mac: '%s' is not a unicast MAC like 02:00:00:00:00:01",
				     mac_s);
	if (family == 4 ? ipv4_is_local(app, neigh_addr_to_ipv4(addr)) :
	    ipv6_is_own(app, addr))
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params.ip: %s is one of our own addresses",
				     ip_s);
	t = neigh_table_of(app, family, addr, &lock);
	rte_seqlock_write_lock(lock);
	/* No worker context here: packets waiting for this address are
	 * dropped (TCP sends them again), never sent from this thread. */
	e = neigh_add_static_addr(t, addr, mac.addr_bytes,
				  app_now_us(app) / 1000, NULL);
	rte_seqlock_write_unlock(lock);
	if (e == NULL)
		return rpc_error_set(err, -32000,
				     "the neighbour table is full");
	*result = json_pack("{s:s, s:s, s:b}", "ip", ip_s, "mac", mac_s,
			    "static", 1);
	if (only == 0)
		json_object_set_new(*result, "family", json_string(
			family == 4 ? "ipv4" : "ipv6"));
	return RPC_OK;
}

/* arp.del (only 4) and neigh.del (0). */
static int
neigh_del_common(struct rpc_ctx *ctx, json_t *params, json_t **result,
		 struct rpc_error *err, int only)
{
	static const char *const allowed[] = { "ip", NULL };
	struct app *app = app_of(ctx);
	uint8_t addr[NEIGH_ADDR_LEN];
	rte_seqlock_t *lock;
	struct neigh_table *t;
	const char *ip_s;
	int family, rc;

	if (check_params(params, allowed, err) != 0 ||
	    rpc_param_string(params, "ip", RPC_REQUIRED, 0, &ip_s, err) < 0)
		return RPC_ERROR;
	family = neigh_param_ip(ip_s, only, addr, err);
	if (family < 0)
		return RPC_ERROR;
	t = neigh_table_of(app, family, addr, &lock);
	rte_seqlock_write_lock(lock);
	rc = neigh_delete_addr(t, addr, NULL);
	rte_seqlock_write_unlock(lock);
	if (rc != 0)
		return rpc_error_set(err, -32000, "no entry for %s", ip_s);
	*result = json_pack("{s:s, s:b}", "ip", ip_s, "deleted", 1);
	return RPC_OK;
}

static int
m_arp_add(struct rpc_ctx *ctx, json_t *params, json_t **result,
	  struct rpc_error *err)
{
	return neigh_add_common(ctx, params, result, err, 4);
}

static int
m_arp_del(struct rpc_ctx *ctx, json_t *params, json_t **result,
	  struct rpc_error *err)
{
	return neigh_del_common(ctx, params, result, err, 4);
}

static int
m_neigh_list(struct rpc_ctx *ctx, json_t *params, json_t **result,
	     struct rpc_error *err)
{
	static const char *const allowed[] = { "family", NULL };
	struct app *app = app_of(ctx);
	const char *family = NULL;
	char a6[INET6_ADDRSTRLEN];
	json_t *a;

	if (check_params(params, allowed, err) != 0 ||
	    rpc_param_string(params, "family", RPC_OPTIONAL, 0, &family,
			     err) < 0)
		return RPC_ERROR;
	if (family != NULL && strcmp(family, "ipv4") != 0 &&
	    strcmp(family, "ipv6") != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params.family: '%s' is not ipv4 or ipv6",
				     family);
	a = json_array();
	if (family == NULL || strcmp(family, "ipv4") == 0)
		neigh_list_into(app, a, 4, 1);
	if (family == NULL || strcmp(family, "ipv6") == 0)
		neigh_list_into(app, a, 6, 1);
	*result = json_pack("{s:o}", "entries", a);
	if (app->cfg->has_ip6) {
		/* --ip6 and where duplicate address detection is. */
		inet_ntop(AF_INET6, app->cfg->ip6, a6, sizeof(a6));
		json_object_set_new(*result, "ip6", json_string(a6));
		json_object_set_new(*result, "ip6_state", json_string(
			app->ip6_dad_conflict ? "duplicate" :
			app->ip6_tentative ? "tentative" : "preferred"));
	}
	return RPC_OK;
}

static int
m_neigh_add(struct rpc_ctx *ctx, json_t *params, json_t **result,
	    struct rpc_error *err)
{
	return neigh_add_common(ctx, params, result, err, 0);
}

static int
m_neigh_del(struct rpc_ctx *ctx, json_t *params, json_t **result,
	    struct rpc_error *err)
{
	return neigh_del_common(ctx, params, result, err, 0);
}

/* --- conn.list ---------------------------------------------------------- */

struct conn_query {
	int state;		/* -1 any */
	int port;		/* 0 any: local or remote */
	uint32_t host;		/* 0 any: remote */
	uint64_t limit;
	json_t *list;		/* filled on each worker in turn */
	uint64_t total;		/* matching connections */
};

static void
conn_list_on_worker(struct worker *w, void *arg)
{
	struct conn_query *q = arg;
	const struct tcp_conn *c;
	uint32_t iter = 0;

	while ((c = tcp_conn_next(w, &iter)) != NULL) {
		struct tcp_conn_info ci;
		char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
		char ls[INET6_ADDRSTRLEN + 8], rs[INET6_ADDRSTRLEN + 8];

		tcp_conn_info(w, c, &ci);
		if ((q->state >= 0 && (int)ci.state != q->state) ||
		    (q->port != 0 && ci.local_port != q->port &&
		     ci.remote_port != q->port) ||
		    (q->host != 0 && ci.remote_ip != q->host))
			continue;
		q->total++;
		if (json_array_size(q->list) >= q->limit)
			continue;
		if (ci.v6) {
			/* [addr]:port, as in a URL (RFC 3986 3.2.2). */
			inet_ntop(AF_INET6, ci.local_ip6, l, sizeof(l));
			inet_ntop(AF_INET6, ci.remote_ip6, r, sizeof(r));
			snprintf(ls, sizeof(ls), "[%s]:%u", l, ci.local_port);
			snprintf(rs, sizeof(rs), "[%s]:%u", r,
				 ci.remote_port);
		} else {
			ipv4_format(ci.local_ip, l, sizeof(l));
			ipv4_format(ci.remote_ip, r, sizeof(r));
			snprintf(ls, sizeof(ls), "%s:%u", l, ci.local_port);
			snprintf(rs, sizeof(rs), "%s:%u", r,
				 ci.remote_port);
		}
		json_array_append_new(q->list, json_pack(
			"{s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"lcore", w->lcore_id,
			"state", ci.state_name,
			"local", ls, "remote", rs,
			"cwnd", (json_int_t)ci.cwnd,
			"ssthresh", (json_int_t)ci.ssthresh,
			"srtt_us", (json_int_t)ci.srtt_us,
			"rto_us", (json_int_t)ci.rto_us,
			"retrans", (json_int_t)ci.retrans,
			"snd_wnd", (json_int_t)ci.snd_wnd,
			"rcv_wnd", (json_int_t)ci.rcv_wnd,
			"mss", (json_int_t)ci.mss,
			"unacked", (json_int_t)ci.unacked));
	}
}

static int
m_conn_list(struct rpc_ctx *ctx, json_t *params, json_t **result,
	    struct rpc_error *err)
{
	static const char *const allowed[] = {
		"state", "port", "host", "limit", NULL
	};
	struct app *app = app_of(ctx);
	struct conn_query q = { .state = -1, .limit = CONN_LIST_DEFAULT };
	const char *state = NULL, *host = NULL;
	int64_t port = 0, limit = CONN_LIST_DEFAULT;
	uint16_t i;

	if (check_params(params, allowed, err) != 0 ||
	    rpc_param_string(params, "state", RPC_OPTIONAL, 0, &state,
			     err) < 0 ||
	    rpc_param_string(params, "host", RPC_OPTIONAL, 0, &host,
			     err) < 0 ||
	    rpc_param_int(params, "port", RPC_OPTIONAL, 1, 65535, &port,
			  err) < 0 ||
	    rpc_param_int(params, "limit", RPC_OPTIONAL, 1, CONN_LIST_MAX,
			  &limit, err) < 0)
		return RPC_ERROR;
	if (state != NULL) {
		for (i = 0; i < TCP_NSTATES; i++)
			if (strcasecmp(state, tcp_state_name(i)) == 0)
				break;
		if (i == TCP_NSTATES)
			return rpc_error_set(err, RPC_INVALID_PARAMS,
				"params.state: '%s' is not a TCP state such as ESTABLISHED or TIME_WAIT",
				state);
		q.state = i;
	}
	if (host != NULL && ipv4_parse(host, &q.host) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params.host: '%s' is not an IPv4 address",
				     host);
	q.port = (int)port;
	q.limit = (uint64_t)limit;
	q.list = json_array();
	for (i = 0; i < app->n_workers; i++)
		worker_call(app, i, conn_list_on_worker, &q);
	*result = json_pack("{s:o, s:I}", "conns", q.list, "total",
			    (json_int_t)q.total);
	return RPC_OK;
}

/* --- fetch ------------------------------------------------------------ */

static int
m_fetch_start(struct rpc_ctx *ctx, json_t *params, json_t **result,
	      struct rpc_error *err)
{
	struct app *app = app_of(ctx);
	struct job_params p;
	struct job *job;
	char msg[JOB_ERR_LEN];
	uint32_t id;

	if (job_params_from_json(&p, params, msg, sizeof(msg)) != 0) {
		job_params_free(&p);
		return rpc_error_set(err, RPC_INVALID_PARAMS, "%s", msg);
	}
	job_registry_lock(app->jobs);
	job = job_create(app, 0, &p, msg, sizeof(msg));
	if (job == NULL) {
		job_registry_unlock(app->jobs);
		job_params_free(&p);
		return rpc_error_set(err, RPC_INVALID_PARAMS, "%s", msg);
	}
	if (job_registry_add(app->jobs, job) != 0) {
		job_registry_unlock(app->jobs);
		job_free(job);
		return rpc_error_set(err, -32000,
				     "%d jobs are running: stop one first",
				     JOB_REGISTRY_MAX);
	}
	/* Numbered once it exists: refused jobs use up no id. */
	id = job->id = job_registry_next_id(app->jobs);
	job_start(job);
	job_registry_unlock(app->jobs);
	*result = json_pack("{s:I}", "job", (json_int_t)id);
	return RPC_OK;
}

static int
job_param(json_t *params, struct rpc_error *err, uint32_t *id)
{
	int64_t v;

	if (rpc_param_int(params, "job", RPC_REQUIRED, 1, UINT32_MAX, &v,
			  err) < 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static int
no_such_job(struct rpc_error *err, uint32_t id)
{
	return rpc_error_set(err, -32000, "no job %u", id);
}

static int
m_fetch_status(struct rpc_ctx *ctx, json_t *params, json_t **result,
	       struct rpc_error *err)
{
	static const char *const allowed[] = {
		"job", "series", "distribution", NULL
	};
	struct app *app = app_of(ctx);
	struct job *job;
	int series = 1, dist = 0;
	uint32_t id;

	if (check_params(params, allowed, err) != 0 ||
	    job_param(params, err, &id) != 0 ||
	    rpc_param_bool(params, "series", RPC_OPTIONAL, &series, err) < 0 ||
	    rpc_param_bool(params, "distribution", RPC_OPTIONAL, &dist,
			   err) < 0)
		return RPC_ERROR;
	job_registry_lock(app->jobs);
	job = job_registry_find(app->jobs, id);
	if (job != NULL)
		*result = job_status_json(job, app_now_us(app),
			(series ? JOB_STATUS_SERIES : 0) |
			(dist ? JOB_STATUS_DISTRIBUTION : 0));
	job_registry_unlock(app->jobs);
	return job == NULL ? no_such_job(err, id) : RPC_OK;
}

struct wait_state {
	uint32_t id;
	uint64_t until_us;
	int what;		/* job_status_json's JOB_STATUS_* */
};

static int
wait_poll(struct rpc_ctx *ctx, void *state, json_t **result,
	  struct rpc_error *err)
{
	struct wait_state *ws = state;
	struct app *app = app_of(ctx);
	struct job *job;
	int rc = RPC_PENDING;

	job_registry_lock(app->jobs);
	job = job_registry_find(app->jobs, ws->id);
	if (job == NULL) {
		rc = no_such_job(err, ws->id);
	} else if (job_finished(job) || app_now_us(app) >= ws->until_us ||
		   app->quit) {
		*result = job_status_json(job, app_now_us(app), ws->what);
		rc = RPC_OK;
	}
	job_registry_unlock(app->jobs);
	return rc;
}

static int
m_fetch_wait(struct rpc_ctx *ctx, json_t *params, json_t **result,
	     struct rpc_error *err)
{
	static const char *const allowed[] = {
		"job", "timeout_s", "distribution", NULL
	};
	struct app *app = app_of(ctx);
	struct wait_state *ws;
	double timeout = 60;
	int found, dist = 0;
	uint32_t id;

	if (check_params(params, allowed, err) != 0 ||
	    job_param(params, err, &id) != 0 ||
	    rpc_param_number(params, "timeout_s", RPC_OPTIONAL, 0, WAIT_MAX_S,
			     &timeout, err) < 0 ||
	    rpc_param_bool(params, "distribution", RPC_OPTIONAL, &dist,
			   err) < 0)
		return RPC_ERROR;
	job_registry_lock(app->jobs);
	found = job_registry_find(app->jobs, id) != NULL;
	job_registry_unlock(app->jobs);
	if (!found)
		return no_such_job(err, id);
	ws = malloc(sizeof(*ws));
	if (ws == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	ws->id = id;
	ws->until_us = app_now_us(app) + (uint64_t)(timeout * 1e6);
	ws->what = JOB_STATUS_SERIES | (dist ? JOB_STATUS_DISTRIBUTION : 0);
	/* Answer at once if it is over already. */
	if (wait_poll(ctx, ws, result, err) != RPC_PENDING) {
		free(ws);
		return *result != NULL ? RPC_OK : RPC_ERROR;
	}
	rpc_defer(ctx, wait_poll, ws, free);
	return RPC_PENDING;
}

/* A deferred fetch.search: ticked by every poll until it is over. */
struct search_call {
	struct job_search *search;
	uint64_t until_us;	/* timeout_s */
};

static int
search_poll(struct rpc_ctx *ctx, void *state, json_t **result,
	    struct rpc_error *err)
{
	struct search_call *sc = state;
	struct app *app = app_of(ctx);
	uint64_t now = app_now_us(app);

	(void)err;
	if (!job_search_tick(sc->search, now)) {
		if (now < sc->until_us)
			return RPC_PENDING;
		job_search_stop(sc->search, SEARCH_END_TIMEOUT, now);
	}
	*result = job_search_result(sc->search, now);
	return RPC_OK;
}

static void
search_call_free(void *state)
{
	struct search_call *sc = state;

	/* A client gone before the answer: its step's job is stopped. */
	job_search_free(sc->search);
	free(sc);
}

/*
 * fetch.search: fetch.start's parameters, a "search" object
 * (search_params.h) and timeout_s; answers when the search is over.
 */
static int
m_fetch_search(struct rpc_ctx *ctx, json_t *params, json_t **result,
	       struct rpc_error *err)
{
	struct app *app = app_of(ctx);
	struct search_params sp;
	struct search_call *sc;
	struct job_search *s;
	struct job_params p;
	char msg[JOB_ERR_LEN];
	double timeout = WAIT_MAX_S;
	json_t *job;

	(void)result;
	memset(&p, 0, sizeof(p));
	if (params == NULL || !json_is_object(params))
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params: expected fetch.start's object with a \"search\" object");
	if (rpc_param_number(params, "timeout_s", RPC_OPTIONAL, 1, WAIT_MAX_S,
			     &timeout, err) < 0)
		return RPC_ERROR;
	if (search_params_from_json(&sp, json_object_get(params, "search"),
				    msg, sizeof(msg)) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMS, "%s", msg);
	/* The rest is the steps' job. */
	job = json_copy(params);
	if (job == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	json_object_del(job, "search");
	json_object_del(job, "timeout_s");
	if (search_check_job(&sp, job, msg, sizeof(msg)) != 0 ||
	    job_params_from_json(&p, job, msg, sizeof(msg)) != 0) {
		json_decref(job);
		job_params_free(&p);
		return rpc_error_set(err, RPC_INVALID_PARAMS, "%s", msg);
	}
	json_decref(job);
	s = job_search_create(app, &p, &sp, msg, sizeof(msg));
	if (s == NULL) {
		job_params_free(&p);
		return rpc_error_set(err, RPC_INVALID_PARAMS, "%s", msg);
	}
	sc = malloc(sizeof(*sc));
	if (sc == NULL) {
		job_search_free(s);
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	sc->search = s;
	sc->until_us = app_now_us(app) + (uint64_t)(timeout * 1e6);
	rpc_defer(ctx, search_poll, sc, search_call_free);
	return RPC_PENDING;
}

static int
m_fetch_stop(struct rpc_ctx *ctx, json_t *params, json_t **result,
	     struct rpc_error *err)
{
	static const char *const allowed[] = { "job", NULL };
	struct app *app = app_of(ctx);
	struct job *job;
	uint32_t id;

	if (check_params(params, allowed, err) != 0 ||
	    job_param(params, err, &id) != 0)
		return RPC_ERROR;
	job_registry_lock(app->jobs);
	job = job_registry_find(app->jobs, id);
	if (job != NULL) {
		job_stop(job);
		*result = json_pack("{s:I, s:b}", "job", (json_int_t)id,
				    "stopping", !job_finished(job));
	}
	job_registry_unlock(app->jobs);
	return job == NULL ? no_such_job(err, id) : RPC_OK;
}

static json_t *
jobs_json(struct app *app, int what)
{
	json_t *a = json_array();
	unsigned int i;

	job_registry_lock(app->jobs);
	for (i = 0; i < app->jobs->n; i++)
		json_array_append_new(a, job_status_json(app->jobs->jobs[i],
							 app_now_us(app),
							 what));
	job_registry_unlock(app->jobs);
	return json_pack("{s:o}", "jobs", a);
}

json_t *
app_jobs_json(struct app *app)
{
	return jobs_json(app, 0);
}

static int
m_fetch_list(struct rpc_ctx *ctx, json_t *params, json_t **result,
	     struct rpc_error *err)
{
	static const char *const allowed[] = { "buckets", NULL };
	int buckets = 0;

	if (check_params(params, allowed, err) != 0 ||
	    rpc_param_bool(params, "buckets", RPC_OPTIONAL, &buckets,
			   err) < 0)
		return RPC_ERROR;
	/* buckets: the latency histograms' cumulative counts (metrics) */
	*result = jobs_json(app_of(ctx), buckets ? JOB_STATUS_BUCKETS : 0);
	return RPC_OK;
}

/* --- servers ------------------------------------------------------------ */

struct server_op {
	int echo;
	uint16_t port;
	int rc;
};

static void
server_start_on_worker(struct worker *w, void *arg)
{
	struct server_op *op = arg;
	int rc = op->echo ? echo_server_start(w, op->port) :
		http_server_start(w, op->port);

	if (rc != 0 && op->rc == 0)
		op->rc = rc;
}

static void
server_stop_on_worker(struct worker *w, void *arg)
{
	struct server_op *op = arg;
	int rc = tcp_unlisten(w, op->port);

	if (rc != 0 && op->rc == 0)
		op->rc = rc;
}

static int
server_port(json_t *params, struct rpc_error *err, uint16_t *port)
{
	int64_t v;

	if (rpc_param_int(params, "port", RPC_REQUIRED, 1, 65535, &v, err) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int
m_server_start(struct rpc_ctx *ctx, json_t *params, json_t **result,
	       struct rpc_error *err)
{
	static const char *const allowed[] = { "kind", "port", NULL };
	struct app *app = app_of(ctx);
	struct server_op op = { 0 };
	const char *kind = "http";
	uint16_t i;

	if (check_params(params, allowed, err) != 0 ||
	    rpc_param_string(params, "kind", RPC_OPTIONAL, 0, &kind, err) < 0 ||
	    server_port(params, err, &op.port) != 0)
		return RPC_ERROR;
	if (strcmp(kind, "http") != 0 && strcmp(kind, "echo") != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params.kind: '%s' is not http or echo",
				     kind);
	op.echo = strcmp(kind, "echo") == 0;
	for (i = 0; i < app->n_workers; i++)
		worker_call(app, i, server_start_on_worker, &op);
	if (op.rc != 0) {
		struct server_op undo = { .port = op.port };

		/* A port already taken on some worker: take it nowhere. */
		if (op.rc != -EADDRINUSE)
			for (i = 0; i < app->n_workers; i++)
				worker_call(app, i, server_stop_on_worker,
					    &undo);
		return rpc_error_set(err, -32000, "%s server on port %u: %s",
				     kind, op.port,
				     op.rc == -EADDRINUSE ?
				     "the port is already served" :
				     strerror(-op.rc));
	}
	steer_set_listen_port(&app->steer, op.port, 1);
	*result = json_pack("{s:s, s:i}", "kind", kind, "port", op.port);
	return RPC_OK;
}

static int
m_server_stop(struct rpc_ctx *ctx, json_t *params, json_t **result,
	      struct rpc_error *err)
{
	static const char *const allowed[] = { "port", NULL };
	struct app *app = app_of(ctx);
	struct server_op op = { 0 };
	uint16_t i;

	if (check_params(params, allowed, err) != 0 ||
	    server_port(params, err, &op.port) != 0)
		return RPC_ERROR;
	for (i = 0; i < app->n_workers; i++)
		worker_call(app, i, server_stop_on_worker, &op);
	if (op.rc != 0)
		return rpc_error_set(err, -32000, "nothing listens on port %u",
				     op.port);
	steer_set_listen_port(&app->steer, op.port, 0);
	*result = json_pack("{s:i, s:b}", "port", op.port, "stopped", 1);
	return RPC_OK;
}

/* --- impairment ---------------------------------------------------------- */

static json_t *
impair_dir_json(const struct impair_dir_conf *d)
{
	return json_pack("{s:f, s:f, s:f, s:I, s:f}", "drop", d->drop,
			 "dup", d->dup, "reorder", d->reorder,
			 "reorder_delay_us", (json_int_t)d->reorder_delay_us,
			 "corrupt", d->corrupt);
}

static json_t *
impair_json(const struct impair_conf *c)
{
	return json_pack("{s:I, s:o, s:o}", "seed", (json_int_t)c->seed,
			 "rx", impair_dir_json(&c->rx),
			 "tx", impair_dir_json(&c->tx));
}

static void
impair_on_worker(struct worker *w, void *arg)
{
	/* Packets held for reordering go out of the picture with the old
	 * settings. */
	impair_flush(&w->impair);
	impair_init(&w->impair, arg, w->lcore_id);
}

static int
m_impair_get(struct rpc_ctx *ctx, json_t *params, json_t **result,
	     struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };

	if (check_params(params, allowed, err) != 0)
		return RPC_ERROR;
	*result = impair_json(&app_of(ctx)->impair_conf);
	return RPC_OK;
}

/*
 * impair.set takes the keys of --impair: "seed", "rx.drop", "tx.dup", ...
 * (or nested {"rx": {"drop": 0.01}}); what it does not name keeps its
 * value.  {"clear": true} first resets everything to off.
 */
static int
m_impair_set(struct rpc_ctx *ctx, json_t *params, json_t **result,
	     struct rpc_error *err)
{
	struct app *app = app_of(ctx);
	struct dpf_config tmp;
	char pairs[1024], msg[CONFIG_ERR_LEN];
	const char *key;
	json_t *v;
	size_t n = 0;
	uint16_t i;

	if (params == NULL || !json_is_object(params))
		return rpc_error_set(err, RPC_INVALID_PARAMS,
				     "params: expected an object such as {\"rx.drop\": 0.01}");
	memset(&tmp, 0, sizeof(tmp));
	tmp.impair = app->impair_conf;
	if (json_is_true(json_object_get(params, "clear"))) {
		uint64_t seed = tmp.impair.seed;

		memset(&tmp.impair, 0, sizeof(tmp.impair));
		tmp.impair.seed = seed;
	}
	json_object_foreach(params, key, v) {
		const char *sub;
		json_t *sv;
		int w;

		if (strcmp(key, "clear") == 0)
			continue;
		if (json_is_object(v)) {
			json_object_foreach(v, sub, sv) {
				if (!json_is_number(sv))
					return rpc_error_set(err,
						RPC_INVALID_PARAMS,
						"params.%s.%s: expected a number",
						key, sub);
				w = snprintf(pairs + n, sizeof(pairs) - n,
					     "%s%s.%s=%.17g", n ? "," : "",
					     key, sub, json_number_value(sv));
				if (w < 0 || (size_t)w >= sizeof(pairs) - n)
					return rpc_error_set(err,
						RPC_INVALID_PARAMS,
						"params: too many settings");
				n += (size_t)w;
			}
			continue;
		}
		if (!json_is_number(v))
			return rpc_error_set(err, RPC_INVALID_PARAMS,
					     "params.%s: expected a number", key);
		w = json_is_integer(v) ?
			snprintf(pairs + n, sizeof(pairs) - n, "%s%s=%lld",
				 n ? "," : "", key,
				 (long long)json_integer_value(v)) :
			snprintf(pairs + n, sizeof(pairs) - n, "%s%s=%.17g",
				 n ? "," : "", key, json_number_value(v));
		if (w < 0 || (size_t)w >= sizeof(pairs) - n)
			return rpc_error_set(err, RPC_INVALID_PARAMS,
					     "params: too many settings");
		n += (size_t)w;
	}
	if (n > 0 && config_set_pairs(&tmp, "impair", pairs, msg,
				      sizeof(msg)) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMS, "params: %s",
				     msg);
	app->impair_conf = tmp.impair;
	for (i = 0; i < app->n_workers; i++)
		worker_call(app, i, impair_on_worker, &app->impair_conf);
	*result = impair_json(&app->impair_conf);
	return RPC_OK;
}

/*
 * ctl.auth: the TCP listener checks the token of a connection's first
 * request itself (ctl.c) and answers ctl.auth there.  Reaching this
 * handler means the caller is trusted already (the UNIX socket, or a TCP
 * connection that authenticated), so a client may always start with it.
 */
static int
m_ctl_auth(struct rpc_ctx *ctx, json_t *params, json_t **result,
	   struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };

	(void)ctx;
	if (check_params(params, allowed, err) != 0)
		return RPC_ERROR;
	*result = json_pack("{s:b}", "authenticated", 1);
	return RPC_OK;
}

const struct rpc_method rpc_methods[] = {
	{ "ctl.auth", m_ctl_auth,
	  "authenticate a TCP connection: the token as the request's \"auth\"" },
	{ "app.info", m_app_info, "version, DPDK version, lcores, ports, uptime" },
	{ "app.shutdown", m_app_shutdown, "stop the appliance cleanly" },
	{ "port.list", m_port_list, "ports with their driver, link and counters" },
	{ "stats.get", m_stats_get, "counters: {scope?, per_lcore?}" },
	{ "stats.reset", m_stats_reset, "zero every counter" },
	{ "arp.list", m_arp_list, "the neighbour table" },
	{ "arp.add", m_arp_add, "a static neighbour: {ip, mac}" },
	{ "arp.del", m_arp_del, "remove a neighbour: {ip}" },
	{ "neigh.list", m_neigh_list,
	  "the neighbour tables, IPv4 and IPv6: {family?}" },
	{ "neigh.add", m_neigh_add,
	  "a static neighbour, IPv4 or IPv6: {ip, mac}" },
	{ "neigh.del", m_neigh_del,
	  "remove a neighbour, IPv4 or IPv6: {ip}" },
	{ "conn.list", m_conn_list, "TCP connections: {state?, port?, host?, limit?}" },
	{ "fetch.start", m_fetch_start, "start a fetch job; returns {job}" },
	{ "fetch.status", m_fetch_status, "a job's results: {job}" },
	{ "fetch.wait", m_fetch_wait, "wait for a job to end: {job, timeout_s?}" },
	{ "fetch.stop", m_fetch_stop, "stop a job: {job}" },
	{ "fetch.list", m_fetch_list, "every job, without series: {buckets?}" },
	{ "fetch.search", m_fetch_search,
	  "the highest rate meeting an SLO: fetch.start's params, search {dial, min, max, slo, ...}, timeout_s?" },
	{ "server.start", m_server_start, "listen: {kind: http|echo, port}" },
	{ "server.stop", m_server_stop, "stop listening: {port}" },
	{ "impair.set", m_impair_set, "fault injection: {rx.drop, tx.dup, ...}" },
	{ "impair.get", m_impair_get, "the fault injection settings" },
	{ "capture.start", rpc_capture_start,
	  "capture packets to a pcapng file: file, count, duration_s, filter {host, port}" },
	{ "capture.stop", rpc_capture_stop,
	  "stop the capture and close its file; its counters" },
	{ "capture.status", rpc_capture_status,
	  "the running (or last) capture and its counters" },
};

const size_t rpc_methods_count = RTE_DIM(rpc_methods);
