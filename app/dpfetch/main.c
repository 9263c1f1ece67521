/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpfetch: a DPDK poll-mode TCP/HTTP appliance.
 *
 *   dpfetch [EAL options] -- --ip A.B.C.D/N --fetch URL [options]
 *
 * main() only wires the pieces in lib/ together: options, EAL, the port,
 * a worker per lcore, the job (a one-shot fetch or a load job) with a
 * control thread that watches it, and the report at the end.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <pthread.h>
#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "arp.h"
#include "ipv4_addr.h"
#include "ipv6_addr.h"
#include "capture.h"
#include "config.h"
#include "ctl_fmt.h"
#include "ctl_out.h"
#include "echo_server.h"
#include "ctl.h"
#include "job.h"
#include "job_search.h"
#include "nd.h"
#include "metrics.h"
#include "rpc.h"
#include "report.h"
#include "rpc_methods.h"
#include "script.h"
#include "tcp.h"
#include "telemetry.h"
#include "http_server.h"
#include "stats.h"
#include "suggest.h"
#include "worker.h"
#include "worker_loop.h"

#define EXIT_FETCH_FAILED	1
#define EXIT_USAGE		2
#define EXIT_THRESHOLDS		3	/* a load job failed a threshold */
/* The per-lcore mempool cache, at most.  The largest DPDK allows: a
 * keep-alive burst frees and allocates about a hundred mbufs a turn, and
 * a cache that overflows hands back the mbufs freed last, the ones still
 * in cache.  Measured over memif, 512 against 256: 2 to 3 per cent fewer
 * cycles per request on both sides (docs/benchmarks.md). */
#define MBUF_CACHE_MAX		RTE_MEMPOOL_CACHE_MAX_SIZE

static struct app app;
static struct arp_table arp_table;
static struct nd_table nd_table;
/* Interfaces 1.. when --ip gives several tags (interface 0's is
 * arp_table). */
static struct arp_table arp_tables[ROUTE_IFACES_MAX];
/* Their IPv6 neighbour tables (interface 0's is nd_table). */
static struct nd_table nd_tables[ROUTE_IFACES_MAX];

/*
 * The lcores' caches together may hold 1.5 times their size each, out of
 * reach of the other lcores: a small pool gets a smaller cache, so that
 * they never hold more than three eighths of it.
 */
static unsigned int
mbuf_cache_size(unsigned int mbufs, unsigned int lcores)
{
	unsigned int size = mbufs / (4 * RTE_MAX(lcores, 1u));

	return RTE_MIN(size, (unsigned int)MBUF_CACHE_MAX);
}

/* Whether an interface is tagged (the port then strips and inserts
 * tags where it can). */
static int
app_tagged(void)
{
	uint16_t i;

	for (i = 0; i < app.n_ifaces; i++)
		if (app.ifaces[i].vlan != 0)
			return 1;
	return 0;
}

/* Interface i's neighbour table, as interface 0's; its gateway (the
 * first of its addresses') is resolved whatever the learning limit. */
static void
arp_iface_init(uint16_t i)
{
	const struct arp_conf *c = &app.cfg->arp;
	struct arp_table *t = i == 0 ? &arp_table : &arp_tables[i];
	uint32_t gw = 0;
	uint16_t k;

	for (k = 0; k < app.routes.n && gw == 0; k++)
		if (app.routes.r[k].iface == i)
			gw = app.routes.r[k].gateway;
	neigh_init(&t->neigh, t->entries, NEIGH_TABLE_SIZE, c->retries,
		   c->retry_ms, c->reachable_s * 1000, &arp_neigh_ops);
	neigh_set_limits(&t->neigh, c->learn_rate, gw);
	rte_seqlock_init(&t->lock);
	app.ifaces[i].arp = t;
}

/* Interface i's IPv6 neighbour table, with the same tunables as ARP's
 * (--arp); its gateway6 (the first default route on it) is resolved
 * whatever the learning limit. */
static void
nd_iface_init(uint16_t i)
{
	const struct arp_conf *c = &app.cfg->arp;
	struct nd_table *t = i == 0 ? &nd_table : &nd_tables[i];
	static const uint8_t zero[16];
	const uint8_t *gw = NULL;
	uint32_t k;

	for (k = 0; k < app.routes6.n && gw == NULL; k++)
		if (app.routes6.r[k].iface == i &&
		    app.routes6.r[k].has_gateway)
			gw = app.routes6.r[k].gateway;
	if (app.n_addrs6 == 0 && i == 0 &&
	    memcmp(app.cfg->gateway6, zero, 16) != 0)
		gw = app.cfg->gateway6;
	neigh_init(&t->neigh, t->entries, ND_TABLE_SIZE, c->retries,
		   c->retry_ms, c->reachable_s * 1000, &nd_neigh_ops);
	neigh_set_limits_addr(&t->neigh, c->learn_rate, gw);
	rte_seqlock_init(&t->lock);
	app.ifaces[i].nd = t;
}

/* Packets still waiting for a neighbour when the workers stop (a
 * resolution under way at shutdown): freed, so that every mbuf is back
 * in the pool at exit.  The workers have stopped: no lock needed. */
static void
neigh_tables_drain(void)
{
	uint16_t i;
	uint32_t k;

	for (i = 0; i < app.n_ifaces || i == 0; i++) {
		struct neigh_table *t[2] = {
			i == 0 ? &app.arp->neigh : &app.ifaces[i].arp->neigh,
			i == 0 ? &app.nd->neigh : &app.ifaces[i].nd->neigh };
		unsigned int f;

		/* A deletion may move entries (re-check the slot). */
		for (f = 0; f < 2; f++)
			for (k = 0; k < t[f]->size;)
				if (t[f]->entries[k].state != NEIGH_FREE &&
				    t[f]->entries[k].n_held > 0)
					neigh_delete_addr(t[f],
						t[f]->entries[k].addr, NULL);
				else
					k++;
	}
}

static struct job_registry job_registry;

static void
on_signal(int sig)
{
	(void)sig;
	app.quit = 1;
}

#ifndef __SANITIZE_ADDRESS__
/* A crash says where it happened before the core is written (the
 * sanitizer builds have their own, better report). */
static void
on_fatal(int sig)
{
	fprintf(stderr, "dpfetch: fatal signal %d (%s); stack:\n", sig,
		strsignal(sig));
	rte_dump_stack();
	signal(sig, SIG_DFL);
	raise(sig);
}
#endif

/* Split argv at "--": EAL's part keeps argv[0]; ours gets it too. */
static int
split_args(int argc, char **argv, int *eal_argc, char ***app_argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			*eal_argc = i;
			argv[i] = argv[0];
			*app_argv = &argv[i];
			return argc - i;
		}
	}
	*eal_argc = argc;
	*app_argv = argv;
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0 ||
			  strcmp(argv[1], "--version") == 0))
		*eal_argc = 1;
	/* "dpfetch --help" (or --version) without "--" asks for our
	 * usage, not EAL's. */
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0 ||
			  strcmp(argv[1], "--version") == 0))
		return 2;
	return 1;
}

/*
 * EAL 22.11's options (eal_common_options.c), to name a bad one in one
 * line before rte_eal_init, which would print its whole usage instead.
 * A trailing '=' marks those that take a value as the next word.
 */
static const char *const eal_long_opts[] = {
	"allow=", "base-virtaddr=", "block=", "create-uio-dev",
	"file-prefix=", "force-max-simd-bitwidth=", "help", "huge-dir=",
	"huge-unlink", "huge-worker-stack", "in-memory", "iova-mode=",
	"lcores=", "legacy-mem", "log-level=", "main-lcore=",
	"match-allocations", "mbuf-pool-ops-name=", "no-hpet", "no-huge",
	"no-pci", "no-shconf", "no-telemetry", "proc-type=",
	"single-file-segments", "socket-limit=", "socket-mem=", "syslog=",
	"telemetry", "trace=", "trace-bufsz=", "trace-dir=", "trace-mode=",
	"vdev=", "vfio-intr=", "vfio-vf-token=", "vmware-tsc-map",
};
#define EAL_SHORT_OPTS	"a:b:c:d:hl:m:n:r:s:S:v"

#define EAL_LOG_LEVEL		1	/* the user gave --log-level */
#define EAL_LOG_TELEMETRY	2	/* ... for telemetry's logs */

/* 0 when argv[1..argc) are all EAL options, else -1 with a message;
 * *log_level_given: EAL_LOG_* of the user's --log-level options. */
static int
eal_args_check(int argc, char **argv, int *log_level_given)
{
	const char *names[RTE_DIM(eal_long_opts)];
	char name[64];
	unsigned int i, k;
	int a;

	*log_level_given = 0;
	for (a = 1; a < argc; a++) {
		const char *arg = argv[a], *s;
		size_t len;

		if (arg[0] != '-' || arg[1] == '\0')
			continue;	/* a value, or EAL's business */
		if (arg[1] != '-') {
			s = strchr(EAL_SHORT_OPTS, arg[1]);
			if (s == NULL || arg[1] == ':')
				goto bad;
			if (s[1] == ':' && arg[2] == '\0')
				a++;	/* its value is the next word */
			continue;
		}
		len = strcspn(arg + 2, "=");
		for (i = 0; i < RTE_DIM(eal_long_opts); i++) {
			k = (unsigned int)strcspn(eal_long_opts[i], "=");
			if (k == len && strncmp(eal_long_opts[i], arg + 2,
						len) == 0)
				break;
		}
		if (i == RTE_DIM(eal_long_opts))
			goto bad;
		if (len == 9 && strncmp(arg + 2, "log-level", len) == 0) {
			const char *v = arg[2 + len] == '=' ? arg + 3 + len :
				a + 1 < argc ? argv[a + 1] : "";

			*log_level_given |= EAL_LOG_LEVEL;
			if (strstr(v, "telemetry") != NULL)
				*log_level_given |= EAL_LOG_TELEMETRY;
		}
		if (eal_long_opts[i][k] == '=' && arg[2 + len] != '=')
			a++;
	}
	return 0;
bad:
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(argv[a] + 2, "="),
		 argv[a] + 2);
	for (i = 0; i < RTE_DIM(eal_long_opts); i++)
		names[i] = eal_long_opts[i];
	if (argv[a][1] == '-' && config_is_option(name))
		fprintf(stderr,
			"dpfetch: '%s' is dpfetch's own option: it goes after '--' (dpfetch [EAL options] -- %s ...)\n",
			argv[a], argv[a]);
	else if (argv[a][1] == '-' &&
		 suggest_pick(name, names, RTE_DIM(names)) != NULL)
		fprintf(stderr,
			"dpfetch: unknown EAL option '%s' (did you mean '--%.*s'?)\n",
			argv[a], (int)strcspn(suggest_pick(name, names,
				RTE_DIM(names)), "="),
			suggest_pick(name, names, RTE_DIM(names)));
	else
		fprintf(stderr,
			"dpfetch: unknown EAL option '%s' (EAL options come before '--', dpfetch's after)\n",
			argv[a]);
	return -1;
}

/* The control server's counters at its end, for --stats. */
static struct ctl_stats ctl_final;
static int ctl_final_valid;

static void
print_stats(FILE *f)
{
	/* The totals stats.get returns. */
	json_t *root = app_stats_json(&app);

	if (ctl_final_valid && json_object_get(root, "ctl") == NULL)
		json_object_set_new(root, "ctl", ctl_stats_json(&ctl_final));

	json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
}

/* EAL leaves its runtime files (several MB with --no-huge) behind in
 * /var/run/dpdk/<prefix>; nothing can attach once we are gone. */
static void
remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The listeners the options ask for, on every worker; 0, or -1 with a
 * message. */
static int
start_services(const struct dpf_config *cfg)
{
	const struct {
		const char *opt;
		uint16_t port;
		int (*start)(struct worker *w, uint16_t port);
	} services[] = {
		{ "--echo", cfg->echo_port, echo_server_start },
		{ "--listen", cfg->listen_port, http_server_start },
	};
	unsigned int i;
	uint16_t k;
	int rc;

	for (i = 0; i < RTE_DIM(services); i++) {
		if (services[i].port == 0)
			continue;
		for (k = 0; k < app.n_workers; k++) {
			rc = services[i].start(app.workers[k],
					       services[i].port);
			if (rc != 0) {
				fprintf(stderr, "dpfetch: %s %u: %s\n",
					services[i].opt, services[i].port,
					strerror(-rc));
				return -1;
			}
		}
		steer_set_listen_port(&app.steer, services[i].port, 1);
	}
	return 0;
}

/* --capture FILE: a capture for the whole run, started before the first
 * frame (the gratuitous ARP) goes out.  0, or -1 with a message. */
static int
start_capture(const struct dpf_config *cfg)
{
	struct capture_params p = {
		.file = cfg->capture_file,
		.count = cfg->capture_count,
	};
	char err[256];

	if (capture_start(&app, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: --capture: %s\n", err);
		return -1;
	}
	return 0;
}

static void
stop_capture(const struct dpf_config *cfg)
{
	json_t *r;

	if (cfg->capture_file != NULL && capture_stop(&app, &r) == 0) {
		fprintf(stderr,
			"dpfetch: capture %s: %lld packets written, %lld dropped\n",
			json_string_value(json_object_get(r, "file")),
			json_integer_value(json_object_get(r, "written")),
			json_integer_value(json_object_get(r, "dropped")));
		json_decref(r);
	}
	capture_fini(&app);
}

static int
worker_main(void *arg)
{
	worker_loop(arg);
	return 0;
}

/* One worker per lcore, the main lcore's first (index 0: it also runs
 * the neighbour timers). */
static int
workers_create(char *err, size_t errlen)
{
	unsigned int lcore;
	uint16_t i;
	int rc;

	for (i = 0; i < app.n_workers; i++) {
		lcore = i == 0 ? rte_get_main_lcore() :
			rte_get_next_lcore(app.workers[i - 1]->lcore_id, 1, 0);
		app.workers[i] = rte_zmalloc_socket("worker",
			sizeof(struct worker), RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(lcore));
		if (app.workers[i] == NULL) {
			snprintf(err, errlen, "no memory for worker %u", i);
			return -1;
		}
		rc = worker_init(app.workers[i], &app, lcore, i);
		if (rc != 0) {
			snprintf(err, errlen, "worker %u set-up failed: %s", i,
				 rte_strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Release what the workers hold (the counters stay readable). */
static void
workers_fini(void)
{
	uint16_t i;

	for (i = 0; i < app.n_workers; i++)
		if (app.workers[i] != NULL &&
		    app.workers[i]->cmd_ring != NULL)
			worker_fini(app.workers[i]);
}

static void
workers_free(void)
{
	uint16_t i;

	for (i = 0; i < app.n_workers; i++) {
		rte_free(app.workers[i]);
		app.workers[i] = NULL;
	}
}

/* Every lcore runs a worker loop until app.quit. */
static void
workers_run(void)
{
	unsigned int lcore;
	uint16_t i = 1;

	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(worker_main, app.workers[i++], lcore);
	worker_loop(app.workers[0]);
	rte_eal_mp_wait_lcore();
	app.running = 0;
}

static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static size_t
mbuf_data_room(uint16_t mtu)
{
	size_t need = (size_t)mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN +
		RTE_VLAN_HLEN + RTE_PKTMBUF_HEADROOM;

	return need < RTE_MBUF_DEFAULT_BUF_SIZE ? RTE_MBUF_DEFAULT_BUF_SIZE :
		need;
}

/* The control thread of a command-line job: progress once a second in
 * load mode, and the end of the run once the job and its connections
 * are over. */
struct runner {
	struct job *job;
	struct job_search *search;	/* --search: instead of job */
	int progress;
	pthread_t tid;
	int started;
};

static uint64_t
open_conns(void)
{
	uint64_t n = 0;
	uint16_t i;

	for (i = 0; i < app.n_workers; i++) {
		struct tcp_stack_info si;

		tcp_stack_info(app.workers[i], &si);
		n += si.n_conns;
	}
	return n;
}

static void
print_progress(struct job *job, uint64_t now_us, struct job_counters *last,
	       unsigned int sec)
{
	struct job_counters c;
	uint64_t err = 0, open = 0;
	unsigned int i;

	job_totals(job, &c);
	for (i = 0; i < JOB_ERR_MAX; i++)
		err += c.errors[i];
	for (i = 0; i < job->n_shares; i++)
		open += job->shares[i]->n_open;
	fprintf(stderr,
		"dpfetch: %3us %9llu req/s %8llu conn/s %8.3f Gbit/s %7llu open %llu errors\n",
		sec, (unsigned long long)(c.responses - last->responses),
		(unsigned long long)(c.conns_opened - last->conns_opened),
		(double)(c.bytes_rx - last->bytes_rx) * 8 / 1e9,
		(unsigned long long)open, (unsigned long long)err);
	(void)now_us;
	*last = c;
}

/* --search: tick it until it is over, each step on stderr once
 * judged. */
static void
run_search(struct job_search *s)
{
	size_t shown = 0;
	int over;

	do {
		over = job_search_tick(s, app_now_us(&app));
		for (; shown < json_array_size(job_search_steps(s)); shown++) {
			fprintf(stderr, "dpfetch: ");
			ctl_fmt_search_step(stderr, json_array_get(
				job_search_steps(s), shown));
		}
		if (!over)
			rte_delay_us_sleep(10 * 1000);
	} while (!over);
}

static void *
runner_main(void *arg)
{
	struct runner *r = arg;
	struct job_counters last;
	uint64_t next = app_now_us(&app) + 1000000, linger_end;
	unsigned int sec = 0;

	memset(&last, 0, sizeof(last));
	if (r->search != NULL)
		run_search(r->search);
	while (r->search == NULL && !app.quit && !job_finished(r->job)) {
		rte_delay_us_sleep(10 * 1000);
		if (r->job->trace != NULL)
			job_trace_drain(r->job->trace, stderr);
		if (r->progress && app_now_us(&app) >= next) {
			print_progress(r->job, next, &last, ++sec);
			next += 1000000;
		}
	}
	/* Stay while our connections finish closing (TIME_WAIT answers a
	 * repeated FIN), but no longer than TIME_WAIT lasts. */
	linger_end = app_now_us(&app) +
		((uint64_t)app.cfg->tcp.time_wait_ms + 100) * 1000;
	while (!app.quit && open_conns() > 0 && app_now_us(&app) < linger_end) {
		rte_delay_us_sleep(5 * 1000);
		if (r->job != NULL && r->job->trace != NULL)
			job_trace_drain(r->job->trace, stderr);
	}
	if (r->job != NULL && r->job->trace != NULL)
		job_trace_drain(r->job->trace, stderr);
	app.quit = 1;
	return NULL;
}

/* --- the link ---------------------------------------------------------- */

static pthread_t link_tid;
static int link_started;

/* Publish the port's link state for the workers (a job waits for the
 * link before ARP): asking the PMD may be a system call, so not from a
 * poll loop. */
static void *
link_main(void *arg)
{
	(void)arg;
	while (!app.quit) {
		app.link_down = !port_link_is_up(&app.port);
		rte_delay_us_sleep(10 * 1000);
	}
	return NULL;
}

/* --- the control channel and --script ---------------------------------- */

/* The method table for in-process calls (n_methods set in main: the
 * table's size is not a constant expression here). */
static struct rpc_dispatch dispatch = {
	.methods = rpc_methods,
	.app = &app,
};

static struct ctl_server *ctl;
static pthread_t ctl_tid;
static struct metrics_server *metrics;
/* The methods the metrics page calls in-process. */
static struct rpc_dispatch metrics_dispatch;

/* --metrics: on the control thread's loop, before it starts. */
static int
metrics_open(const struct dpf_config *cfg)
{
	struct metrics_config mc;

	if (cfg->metrics == NULL)
		return 0;
	metrics_dispatch.methods = rpc_methods;
	metrics_dispatch.n_methods = rpc_methods_count;
	metrics_dispatch.app = &app;
	memset(&mc, 0, sizeof(mc));
	mc.listen = cfg->metrics;
	mc.max_clients = cfg->metrics_max_clients;
	mc.timeout_ms = cfg->metrics_timeout_ms;
	mc.max_request = cfg->metrics_max_request;
	metrics = metrics_server_create(ctl, &mc, &metrics_dispatch);
	if (metrics == NULL) {
		fprintf(stderr, "dpfetch: metrics: %s\n", ctl_last_error());
		return -1;
	}
	fprintf(stderr, "dpfetch: metrics on http://%s/metrics\n",
		cfg->metrics);
	return 0;
}

/* The socket: --ctl PATH, or in daemon mode the default path named
 * after the EAL file prefix.  0, or -1 with a message printed. */
static int
ctl_open(const struct dpf_config *cfg, int daemon_mode)
{
	char path[PATH_MAX];
	const char *dir = rte_eal_get_runtime_dir();
	const char *prefix = strrchr(dir, '/');
	struct ctl_config cc;

	if (cfg->ctl_path == NULL && cfg->ctl_tcp == NULL && !daemon_mode &&
	    cfg->metrics == NULL)
		return 0;
	memset(&cc, 0, sizeof(cc));
	cc.unix_path = cfg->ctl_path;
	/* --metrics alone: the control thread serves only that */
	cc.no_listener_ok = cfg->metrics != NULL;
	if (cc.unix_path == NULL && (daemon_mode || cfg->ctl_tcp != NULL)) {
		snprintf(path, sizeof(path), "/run/dpfetch/%s.sock",
			 prefix != NULL ? prefix + 1 : "rte");
		cc.unix_path = path;
	}
	cc.tcp_listen = cfg->ctl_tcp;
	cc.tcp_token = cfg->ctl_token;
	cc.max_tcp_clients = cfg->ctl_max_tcp_clients;
	cc.auth_timeout_ms = cfg->ctl_auth_timeout_s * 1000u;
	ctl = ctl_server_create(&cc, rpc_methods, rpc_methods_count, &app);
	if (ctl == NULL) {
		fprintf(stderr, "dpfetch: control channel: %s\n",
			ctl_last_error());
		return -1;
	}
	if (metrics_open(cfg) != 0) {
		ctl_server_destroy(ctl);
		ctl = NULL;
		return -1;
	}
	if (ctl_start_thread(ctl, &ctl_tid) != 0) {
		fprintf(stderr, "dpfetch: control channel: %s\n",
			ctl_last_error());
		metrics_server_destroy(metrics);
		metrics = NULL;
		ctl_server_destroy(ctl);
		ctl = NULL;
		return -1;
	}
	app.ctl = ctl;
	if (cc.unix_path != NULL || cc.tcp_listen != NULL)
		fprintf(stderr, "dpfetch: control socket %s%s%s\n",
			cc.unix_path != NULL ? cc.unix_path : "-",
			cc.tcp_listen != NULL ? ", TCP " : "",
			cc.tcp_listen != NULL ? cc.tcp_listen : "");
	return 0;
}

static void
ctl_close(void)
{
	if (ctl == NULL)
		return;
	ctl_stop_thread(ctl, ctl_tid);
	/* Kept for --stats, printed after the server is gone. */
	ctl_server_stats(ctl, &ctl_final);
	ctl_final_valid = 1;
	metrics_server_destroy(metrics);
	metrics = NULL;
	app.ctl = NULL;
	ctl_server_destroy(ctl);
	ctl = NULL;
}

struct script_run {
	const char *path;
	int keep_going;
	int result;
	pthread_t tid;
};

static int
script_wait(void *arg)
{
	(void)arg;
	rte_delay_us_sleep(10 * 1000);
	return app.quit ? -1 : 0;
}

static int
script_sleep(void *ctx, double seconds)
{
	uint64_t until = app_now_us(&app) + (uint64_t)(seconds * 1e6);

	(void)ctx;
	while (app_now_us(&app) < until) {
		if (app.quit)
			return -1;
		rte_delay_us_sleep(10 * 1000);
	}
	return 0;
}

/* The script's commands go straight to the method table. */
static int
script_call_local(void *ctx, const char *method, json_t *params,
		  json_t **result, char *err, size_t errlen)
{
	struct rpc_error e;

	(void)ctx;
	if (rpc_call_sync(&dispatch, method, params, result, &e, script_wait,
			  NULL) == RPC_OK)
		return SCRIPT_CALL_OK;
	snprintf(err, errlen, "%s (code %d)", e.message, e.code);
	json_decref(e.data);
	return SCRIPT_CALL_ERROR;
}

static void *
script_main(void *arg)
{
	struct script_run *s = arg;
	struct script_runner r;

	script_runner_init(&r, script_call_local, NULL);
	r.show_commands = 1;
	r.keep_going = s->keep_going;
	r.sleep_fn = script_sleep;
	s->result = script_run_file(&r, s->path);
	app.quit = 1;
	return NULL;
}

/* Read and check a script before anything starts. */
static int
script_precheck(const char *path)
{
	char err[512];
	char *text;
	long size;
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL) {
		fprintf(stderr, "dpfetch: --script %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || size > (1 << 20)) {
		fprintf(stderr, "dpfetch: --script %s: unreadable or over 1 MiB\n",
			path);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)size + 1);
	if (text == NULL ||
	    fread(text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "dpfetch: --script %s: read error\n", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	text[size] = '\0';
	rc = script_check_text(path, text, err, sizeof(err));
	free(text);
	if (rc != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		return -1;
	}
	return 0;
}

/* One-shot: the curl-like summary on stderr; 0 for a 2xx response. */
static int
report_one_shot(struct job *job, FILE *out, int interrupted)
{
	const struct job_share *s = job->shares[0];
	const struct url *u = &job->p.urls[0];
	struct job_counters c;
	double secs, mbit;
	int code = 0, i;

	job_totals(job, &c);
	if (fflush(out) != 0 && c.responses > 0) {
		fprintf(stderr, "dpfetch: error: writing the body: %s\n",
			strerror(errno));
		return EXIT_FETCH_FAILED;
	}
	if (c.responses == 0) {
		fprintf(stderr, "dpfetch: error: %s\n",
			interrupted ? "interrupted" :
			job_first_error(job)[0] != '\0' ? job_first_error(job) :
			"no response");
		return EXIT_FETCH_FAILED;
	}
	for (i = 0; i < JOB_STATUS_CODES; i++)
		if (c.status[i] != 0)
			code = i;
	secs = (double)(s->end_us - s->start_us) / 1e6;
	mbit = secs > 0 ? (double)c.body_bytes * 8 / secs / 1e6 : 0;
	fprintf(stderr,
		"dpfetch: HTTP %d, %llu bytes in %.3f s (%.1f Mbit/s), connect %.3f ms, first byte %.3f ms: http://%s:%u%s\n",
		code, (unsigned long long)c.body_bytes, secs, mbit,
		(double)hist_max(&s->lat_connect) / 1e3,
		(double)RTE_MAX(hist_max(&s->lat_ttfb),
				hist_max(&s->late_ttfb)) / 1e3,
		u->host, u->port,
		u->path);
	if (code < 200 || code > 299) {
		fprintf(stderr, "dpfetch: error: the server answered HTTP %d for %.400s\n",
			code, u->path);
		return EXIT_FETCH_FAILED;
	}
	return 0;
}

static enum ctl_format result_format = CTL_FORMAT_JSON;

/* Load job: the status object on out (and as HTML in report_path, when
 * given), the summary dpfetchctl wait prints on stderr.  0 when every
 * request was answered and nothing failed; with thresholds, they are
 * the verdict on the result (3 when one fails), and 1 means the job
 * could not run its course. */
static int
report_load(struct job *job, FILE *out, const char *report_path,
	    int interrupted)
{
	json_t *st = job_status_json(job, app_now_us(&app),
				     JOB_STATUS_SERIES |
				     JOB_STATUS_DISTRIBUTION);
	char rerr[512];
	int report_failed = 0;
	struct job_counters c;
	unsigned int failed_thresholds;
	uint64_t err = 0;
	unsigned int i;
	int rc;

	job_totals(job, &c);
	for (i = 0; i < JOB_ERR_MAX; i++)
		err += c.errors[i];
	if (interrupted)
		json_object_set_new(st, "state", json_string("stopped"));
	/* --format: json (the default, as it always was), jsonl, csv, text */
	ctl_out_result(out, result_format, "fetch.status", st);
	if (report_path != NULL &&
	    report_write_file(report_path, st, rerr, sizeof(rerr)) != 0) {
		/* rerr names the file */
		fprintf(stderr, "dpfetch: --report: %s\n", rerr);
		report_failed = 1;
	}
	fprintf(stderr,
		"dpfetch: %s: %llu requests, %llu responses, %llu errors, %.3f s, %.0f req/s, %.3f Gbit/s\n",
		json_string_value(json_object_get(st, "state")),
		(unsigned long long)c.requests_sent,
		(unsigned long long)c.responses, (unsigned long long)err,
		json_real_value(json_object_get(st, "elapsed_s")),
		json_real_value(json_object_get(json_object_get(st, "rates"),
						"rps")),
		json_real_value(json_object_get(json_object_get(st, "rates"),
						"gbps")));
	ctl_fmt_job(stderr, st);
	failed_thresholds = job_thresholds_failed(job, app_now_us(&app));
	if (failed_thresholds > 0)
		fprintf(stderr, "dpfetch: %u of %u thresholds failed\n",
			failed_thresholds, job->p.n_thresholds);
	if (interrupted || job_state(job) != JOB_DONE)
		rc = EXIT_FETCH_FAILED;
	else if (job->p.n_thresholds > 0)
		rc = failed_thresholds > 0 ? EXIT_THRESHOLDS : 0;
	else
		rc = err == 0 && c.requests_failed == 0 ? 0 :
			EXIT_FETCH_FAILED;
	json_decref(st);
	if (fflush(out) != 0 || report_failed)
		return EXIT_FETCH_FAILED;
	return rc;
}

/* --search: the result on out, the step table on stderr; 0 when a rate
 * passed and the search ran its course, else 1. */
static int
report_search(struct job_search *s, FILE *out)
{
	json_t *r = job_search_result(s, app_now_us(&app));
	const char *end = json_string_value(json_object_get(r, "end"));
	int rc;

	json_dumpf(r, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	ctl_fmt_search(stderr, r);
	rc = job_search_answer(s) > 0 && json_object_get(r, "error") == NULL &&
		end != NULL && strcmp(end, "stopped") != 0 ? 0 :
		EXIT_FETCH_FAILED;
	json_decref(r);
	if (fflush(out) != 0)
		return EXIT_FETCH_FAILED;
	return rc;
}

static int
eal_has_arg(int argc, char **argv, const char *opt)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], opt) == 0)
			return 1;
	return 0;
}

/*
 * EAL's argv with the log level dpfetch wants: warnings and errors only
 * (no start-up notices: "EAL: Detected ...", "TELEMETRY: No legacy
 * callbacks ...") unless -v, or the user's own --log-level.  A new
 * array (free it) pointing at argv's strings; NULL when out of memory.
 */
static char **
eal_args_quiet(int argc, char **argv, int log_level_given, int verbose,
	       int *new_argc)
{
	static char quiet[] = "--log-level=warning";
	/* Telemetry says "No legacy callbacks ..." at warning level. */
	static char quiet_tmty[] = "--log-level=lib.telemetry:error";
	char **a = calloc((size_t)argc + 3, sizeof(*a));
	int i, n = 0;

	if (a == NULL)
		return NULL;
	for (i = 0; i < argc; i++)
		a[n++] = argv[i];
	/* "--log-level warning" of the user does not hide telemetry's
	 * warning-level notice either. */
	if (!(log_level_given & EAL_LOG_LEVEL) && !verbose)
		a[n++] = quiet;
	if (!(log_level_given & EAL_LOG_TELEMETRY) && !verbose)
		a[n++] = quiet_tmty;
	a[n] = NULL;
	*new_argc = n;
	return a;
}

int
main(int argc, char **argv)
{
	static struct runner runner;
	static struct script_run script;
	struct job_search *search = NULL;
	struct search_params sp;
	struct job_params params;
	struct job *job = NULL;
	char runtime_dir[PATH_MAX];
	struct dpf_config cfg;
	char err[CONFIG_ERR_LEN];
	char **app_argv, **eal_argv = NULL;
	int eal_argc, app_argc, rc, exit_code = EXIT_USAGE, want_job;
	int log_level_given = 0;
	FILE *out = stdout;
	uint16_t port_id, i;

	memset(&params, 0, sizeof(params));
	dispatch.n_methods = rpc_methods_count;
	app_argc = split_args(argc, argv, &eal_argc, &app_argv);
	config_init(&cfg);
	if (eal_args_check(eal_argc, argv, &log_level_given) != 0) {
		fprintf(stderr, "Try 'dpfetch -- --help'.\n");
		goto done;
	}
	switch (config_from_args(&cfg, app_argc, app_argv, err, sizeof(err))) {
	case CONFIG_HELP:
		exit_code = 0;
		goto done;
	case CONFIG_ERROR:
		fprintf(stderr, "dpfetch: %s\n", err);
		fprintf(stderr, "Try 'dpfetch -- --help'.\n");
		goto done;
	default:
		break;
	}
	if (cfg.format != NULL)
		result_format = ctl_format_parse(cfg.format);
	if (cfg.output != NULL) {
		out = fopen(cfg.output, "wb");
		if (out == NULL) {
			fprintf(stderr, "dpfetch: -o %s: %s\n", cfg.output,
				strerror(errno));
			out = stdout;
			goto done;
		}
	}
	/* Large stdio buffer: the body is written from the poll loop. */
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	want_job = json_object_get(cfg.job, "url") != NULL ||
		json_object_get(cfg.job, "urls") != NULL ||
		json_object_get(cfg.job, "mix") != NULL;
	if (cfg.script != NULL && script_precheck(cfg.script) != 0)
		goto done;
	if (want_job &&
	    job_params_from_config(&params, &cfg, out, err, sizeof(err)) != 0) {
		job_params_err_to_opt(err, sizeof(err));
		fprintf(stderr, "dpfetch: %s\n", err);
		goto done;
	}
	/* Checked with the options already (config_validate). */
	if (json_object_size(cfg.search) > 0 &&
	    search_params_from_json(&sp, cfg.search, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto done;
	}

	eal_argv = eal_args_quiet(eal_argc, argv, log_level_given,
				  cfg.verbose, &eal_argc);
	if (eal_argv == NULL) {
		fprintf(stderr, "dpfetch: out of memory\n");
		goto done;
	}
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		int e = rte_errno;

		fprintf(stderr, "dpfetch: EAL initialisation failed: %s\n",
			rte_strerror(e));
		if ((e == EACCES || e == ENOMEM || e == EPERM) &&
		    !eal_has_arg(eal_argc, eal_argv, "--no-huge"))
			fprintf(stderr,
				"dpfetch: no usable hugepages? Run without them: dpfetch --no-huge -m 512 [EAL options] -- ... (or reserve some: scripts/setup.sh)\n");
		goto done;
	}
	/* dpdk-dumpcap support; a note without hugepages (-v). */
	capture_pdump_init(cfg.verbose);
	if (port_pick(cfg.port_given, cfg.port_id, &port_id, err,
		      sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto eal;
	}
	app.n_workers = (uint16_t)rte_lcore_count();
	exit_code = EXIT_FETCH_FAILED;
	app.cfg = &cfg;
	/* Checked by config_validate already: cannot fail here. */
	if (ipv4_ifaces_init(&app, err, sizeof(err)) != 0 ||
	    ipv6_ifaces_init(&app, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto eal;
	}
	app_time_init(&app);
	app.ts_base_ms = monotonic_ms();
	app.pool = rte_pktmbuf_pool_create("mbufs", cfg.mbufs,
		mbuf_cache_size(cfg.mbufs, app.n_workers),
		tcp_mbuf_priv_size(),
		(uint16_t)mbuf_data_room(cfg.mtu), (int)rte_socket_id());
	if (app.pool == NULL) {
		fprintf(stderr,
			"dpfetch: cannot allocate %u mbufs: %s (give EAL more memory with -m, or fewer --mbufs)\n",
			cfg.mbufs, rte_strerror(rte_errno));
		goto eal;
	}
	if (port_init(&app.port, port_id, app.n_workers, cfg.mtu, app.pool,
		      steer_default_key,
		      (cfg.tcp.tso ? PORT_WANT_TSO : 0) |
		      (cfg.tcp.lro ? PORT_WANT_LRO : 0) |
		      (cfg.port_rss_external ? PORT_WANT_RSS_EXTERNAL : 0) |
		      (cfg.vlan != 0 || app_tagged() ? PORT_WANT_VLAN : 0),
		      err, sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto pool;
	}
	app.port.vlan_id = app.ifaces[0].vlan;
	rc = steer_init(&app.steer, app.n_workers, app.port.rss,
			app.port.reta_size, steer_default_key);
	if (rc != 0) {
		fprintf(stderr, "dpfetch: flow steering set-up failed: %s\n",
			rte_strerror(-rc));
		goto port;
	}
	/* What the driver keeps in its RX rings: the baseline for the leak
	 * check (mempool.in_use must come back to it). */
	app.mbufs_port_held = rte_mempool_in_use_count(app.pool);
	/* Jobs stop taking packet buffers below this: RX refills and the
	 * ACKs that free send buffers must always find some. */
	app.mbufs_reserve = RTE_MIN(cfg.mbufs / 8, app.n_workers * 2048u);
	if (app.mbufs_reserve < 512)
		app.mbufs_reserve = 512;
	/* Out-of-order data stops well above that: an attacker's holes can
	 * never eat into what RX, ACKs and send buffers need. */
	app.mbufs_pressure_min = RTE_MAX((uint64_t)cfg.mbufs *
				    cfg.tcp.mem_pressure_pct / 100,
				    2 * app.mbufs_reserve);
	app.arp = &arp_table;
	app.jobs = &job_registry;
	neigh_init(&app.arp->neigh, app.arp->entries, NEIGH_TABLE_SIZE,
		   cfg.arp.retries, cfg.arp.retry_ms,
		   cfg.arp.reachable_s * 1000, &arp_neigh_ops);
	neigh_set_limits(&app.arp->neigh, cfg.arp.learn_rate, cfg.gateway);
	rte_seqlock_init(&app.arp->lock);
	/* IPv6's tables, one per interface. */
	app.nd = &nd_table;
	for (i = 0; i < app.n_ifaces || i == 0; i++)
		nd_iface_init(i);
	nd_dad_init(&app);
	app.ifaces[0].arp = app.arp;
	/* Several addresses: interface 0's gateway may be a gateway=. */
	for (i = app.n_addrs > 1 ? 0 : 1; i < app.n_ifaces; i++)
		arp_iface_init(i);
	job_registry_init(app.jobs);
	app.impair_conf = cfg.impair;
	if (workers_create(err, sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto worker;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* A peer that goes away must not kill the appliance: virtio-user
	 * writes to its vhost-user socket on the way out, after the vhost
	 * side may have closed it. */
	signal(SIGPIPE, SIG_IGN);
#ifndef __SANITIZE_ADDRESS__
	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGFPE, on_fatal);
#endif

	if (cfg.capture_file != NULL && start_capture(&cfg) != 0) {
		exit_code = EXIT_USAGE;
		goto worker;
	}
	/* /dpfetch/stats and /dpfetch/jobs for dpdk-telemetry.py. */
	if (dpf_telemetry_init(&app) != 0 && cfg.verbose)
		fprintf(stderr, "dpfetch: note: telemetry commands not registered\n");
	if (cfg.ip != 0)
		arp_send_gratuitous(app.workers[0]);
	/* With DAD, worker 0 announces --ip6 once it has passed. */
	if (cfg.has_ip6 && !app.ip6_tentative)
		nd_announce(app.workers[0]);
	if (start_services(&cfg) != 0) {
		exit_code = EXIT_USAGE;
		goto worker;
	}
	if (want_job && json_object_size(cfg.search) > 0) {
		/* Its steps are jobs it makes once the workers run. */
		search = job_search_create(&app, &params, &sp, err,
					   sizeof(err));
		if (search == NULL) {
			fprintf(stderr, "dpfetch: %s\n", err);
			exit_code = EXIT_USAGE;
			goto worker;
		}
	} else if (want_job) {
		job_registry_lock(app.jobs);
		job = job_create(&app, job_registry_next_id(app.jobs), &params,
				 err, sizeof(err));
		if (job != NULL)
			job_registry_add(app.jobs, job);
		job_registry_unlock(app.jobs);
		if (job == NULL) {
			job_params_err_to_opt(err, sizeof(err));
			fprintf(stderr, "dpfetch: %s\n", err);
			exit_code = EXIT_USAGE;
			goto worker;
		}
		job_start(job);
	}
	/* From here on, per-lcore changes go through the workers' command
	 * rings (worker_call), which the loops below will serve. */
	app.running = 1;
	app.link_down = !port_link_is_up(&app.port);
	if (rte_ctrl_thread_create(&link_tid, "dpf-link", NULL, link_main,
				   NULL) == 0)
		link_started = 1;
	else
		app.link_down = 0;	/* cannot watch it: do not wait */
	if (cfg.capture_dir != NULL) {
		char derr[256];
		int dfd = capture_dir_open(cfg.capture_dir, derr, sizeof(derr));

		/* Given on purpose: a bad one is a usage error now rather
		 * than at the first capture.start. */
		if (dfd < 0) {
			fprintf(stderr, "dpfetch: --capture-dir: %s\n", derr);
			exit_code = EXIT_USAGE;
			app.running = 0;
			goto worker;
		}
		close(dfd);
	}
	if (ctl_open(&cfg, !want_job && cfg.script == NULL) != 0) {
		exit_code = EXIT_USAGE;
		app.running = 0;
		goto worker;
	}
	if (want_job) {
		runner.job = job;
		runner.search = search;
		runner.progress = cfg.load_mode;
		if (rte_ctrl_thread_create(&runner.tid, "dpf-runner", NULL,
					   runner_main, &runner) != 0) {
			fprintf(stderr, "dpfetch: cannot start a control thread\n");
			app.running = 0;
			goto worker;
		}
		runner.started = 1;
	}
	if (cfg.script != NULL) {
		script.path = cfg.script;
		script.keep_going = cfg.keep_going;
		script.result = SCRIPT_ERROR;
		if (rte_ctrl_thread_create(&script.tid, "dpf-script", NULL,
					   script_main, &script) != 0) {
			fprintf(stderr, "dpfetch: cannot start a control thread\n");
			app.running = 0;
			goto worker;
		}
	}
	workers_run();
	neigh_tables_drain();
	if (runner.started)
		pthread_join(runner.tid, NULL);
	if (cfg.script != NULL)
		pthread_join(script.tid, NULL);
	ctl_close();
	if (app.ip6_dad_conflict) {
		char a[64];
		const uint8_t *mac = app.nd->dad_mac;

		/* Whichever --ip6 another node has. */
		inet_ntop(AF_INET6, app.nd->dad_addr, a, sizeof(a));
		fprintf(stderr,
			"dpfetch: --ip6 %s: duplicate address detection failed: %02x:%02x:%02x:%02x:%02x:%02x on the link has that address; not using it\n",
			a, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		exit_code = EXIT_USAGE;
		goto worker;
	}
	if (cfg.script != NULL) {
		exit_code = script.result;
		goto worker;
	}
	if (search != NULL) {
		exit_code = report_search(search, out);
	} else if (job == NULL) {
		/* A service run ends by signal or app.shutdown: success. */
		exit_code = 0;
		goto worker;
	} else if (cfg.load_mode) {
		exit_code = report_load(job, out, cfg.report_file,
					!job_finished(job));
	} else {
		exit_code = report_one_shot(job, out, !job_finished(job));
	}
	if (out != stdout) {
		if (fclose(out) != 0) {
			fprintf(stderr, "dpfetch: writing %s: %s\n", cfg.output,
				strerror(errno));
			exit_code = EXIT_FETCH_FAILED;
		}
		out = stdout;
	}
worker:
	ctl_close();
	if (link_started) {
		app.quit = 1;
		pthread_join(link_tid, NULL);
		link_started = 0;
	}
	workers_fini();
	/* After the workers' last frames, before the counters. */
	stop_capture(&cfg);
	if (cfg.print_stats && app.workers[0] != NULL)
		print_stats(stderr);
	workers_free();
	job_search_free(search);
	job_registry_fini(app.jobs);
	steer_fini(&app.steer);
port:
	port_fini(&app.port);
pool:
	rte_mempool_free(app.pool);
eal:
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(runtime_dir);
done:
	free(eal_argv);
	if (out != stdout)
		fclose(out);
	job_params_free(&params);
	config_free(&cfg);
	return exit_code;
}
