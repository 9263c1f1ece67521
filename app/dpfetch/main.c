/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpfetch: a DPDK poll-mode TCP/HTTP appliance.
 *
 *   dpfetch [EAL options] -- --ip A.B.C.D/N --fetch URL [options]
 *
 * main() only wires the pieces in lib/ together: options, EAL, the port,
 * the per-lcore worker, the fetch, and the report at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "arp.h"
#include "config.h"
#include "echo_server.h"
#include "http_client.h"
#include "http_server.h"
#include "stats.h"
#include "worker.h"

#define EXIT_FETCH_FAILED	1
#define EXIT_USAGE		2
#define MBUF_CACHE		256

static struct app app;

static void
on_signal(int sig)
{
	(void)sig;
	app.quit = 1;
}

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
	/* "dpfetch --help" without "--" asks for our usage, not EAL's. */
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0))
		return 2;
	return 1;
}

static void
print_stats(FILE *f)
{
	struct stats total;
	struct stats_gauges g;
	json_t *root;
	uint16_t i;

	memset(&total, 0, sizeof(total));
	memset(&g, 0, sizeof(g));
	for (i = 0; i < app.n_workers; i++) {
		stats_add(&total, &app.workers[i]->stats);
		g.tcp_curr_estab += app.workers[i]->tcp.n_estab;
	}
	g.mbufs_total = app.pool->size;
	g.mbufs_in_use = rte_mempool_in_use_count(app.pool);
	g.mbufs_port_held = app.mbufs_port_held;
	g.neigh_entries = app.neigh.count;
	root = stats_to_json(&total, &g);
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

	app.running = 1;
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(worker_main, app.workers[i++], lcore);
	worker_loop(app.workers[0]);
	rte_eal_mp_wait_lcore();
	app.running = 0;
}

static size_t
mbuf_data_room(uint16_t mtu)
{
	size_t need = (size_t)mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN +
		RTE_PKTMBUF_HEADROOM;

	return need < RTE_MBUF_DEFAULT_BUF_SIZE ? RTE_MBUF_DEFAULT_BUF_SIZE :
		need;
}

int
main(int argc, char **argv)
{
	static struct http_fetch fetch;
	struct worker *w0;
	char runtime_dir[PATH_MAX];
	struct dpf_config cfg;
	char err[CONFIG_ERR_LEN];
	char **app_argv;
	int eal_argc, app_argc, rc, exit_code = EXIT_USAGE;
	FILE *out = stdout;
	uint16_t port_id;

	app_argc = split_args(argc, argv, &eal_argc, &app_argv);
	config_init(&cfg);
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
	if (cfg.fetch_url != NULL &&
	    http_fetch_init(&fetch, &cfg, cfg.fetch_url, NULL, err,
			    sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto done;
	}
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
	fetch.out = out;

	rc = rte_eal_init(eal_argc, argv);
	if (rc < 0) {
		fprintf(stderr, "dpfetch: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		goto done;
	}
	if (port_pick(cfg.port_given, cfg.port_id, &port_id, err,
		      sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto eal;
	}
	app.n_workers = (uint16_t)rte_lcore_count();
	exit_code = EXIT_FETCH_FAILED;
	app.cfg = &cfg;
	app.tsc_hz = rte_get_tsc_hz();
	app.start_tsc = rte_rdtsc();
	app.pool = rte_pktmbuf_pool_create("mbufs", cfg.mbufs, MBUF_CACHE,
		RTE_ALIGN(sizeof(struct tcp_seg_cb), RTE_MBUF_PRIV_ALIGN),
		(uint16_t)mbuf_data_room(cfg.mtu), (int)rte_socket_id());
	if (app.pool == NULL) {
		fprintf(stderr,
			"dpfetch: cannot allocate %u mbufs: %s (give EAL more memory with -m, or fewer --mbufs)\n",
			cfg.mbufs, rte_strerror(rte_errno));
		goto eal;
	}
	if (port_init(&app.port, port_id, app.n_workers, cfg.mtu, app.pool,
		      steer_default_key, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto pool;
	}
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
	neigh_init(&app.neigh, app.neigh_entries, NEIGH_TABLE_SIZE,
		   cfg.arp.retries, cfg.arp.retry_ms,
		   cfg.arp.reachable_s * 1000, &arp_neigh_ops);
	rte_seqlock_init(&app.neigh_lock);
	if (workers_create(err, sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto worker;
	}
	w0 = app.workers[0];
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	arp_send_gratuitous(w0);
	if (start_services(&cfg) != 0) {
		exit_code = EXIT_USAGE;
		goto worker;
	}
	if (cfg.fetch_url != NULL)
		http_fetch_start(w0, &fetch, cfg.timeout_s);
	workers_run();
	if (cfg.fetch_url == NULL) {
		/* A service run ends by signal: that is success. */
		exit_code = 0;
		goto worker;
	}
	if (!fetch.response_done && !fetch.failed) {
		fetch.failed = 1;
		fetch.end_us = w0->now_us;
		snprintf(fetch.error, sizeof(fetch.error), "interrupted");
	}
	http_fetch_report(&fetch, w0->now_us);
	exit_code = http_fetch_exit_code(&fetch);
	if (out != stdout) {
		if (fclose(out) != 0) {
			fprintf(stderr, "dpfetch: writing the body: %s\n",
				strerror(errno));
			exit_code = EXIT_FETCH_FAILED;
		}
		out = stdout;
	}
worker:
	workers_fini();
	if (cfg.print_stats && app.workers[0] != NULL)
		print_stats(stderr);
	workers_free();
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
	if (out != stdout)
		fclose(out);
	http_fetch_free(&fetch);
	config_free(&cfg);
	return exit_code;
}
