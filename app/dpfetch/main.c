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
print_stats(FILE *f, struct worker *w)
{
	struct stats total;
	struct stats_gauges g;
	json_t *root;

	memset(&total, 0, sizeof(total));
	stats_add(&total, &w->stats);
	memset(&g, 0, sizeof(g));
	g.tcp_curr_estab = w->tcp.n_estab;
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

/* The listeners the options ask for; 0, or -1 with a message. */
static int
start_services(struct worker *w, const struct dpf_config *cfg)
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
	int rc;

	for (i = 0; i < RTE_DIM(services); i++) {
		if (services[i].port == 0)
			continue;
		rc = services[i].start(w, services[i].port);
		if (rc != 0) {
			fprintf(stderr, "dpfetch: %s %u: %s\n", services[i].opt,
				services[i].port, strerror(-rc));
			return -1;
		}
	}
	return 0;
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
	static struct worker worker;
	static struct http_fetch fetch;
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
	if (rte_lcore_count() > 1)
		fprintf(stderr,
			"dpfetch: note: one worker runs on the main lcore; the other %u lcores stay idle\n",
			rte_lcore_count() - 1);

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
	if (port_init(&app.port, port_id, 1, cfg.mtu, app.pool, err,
		      sizeof(err)) != 0) {
		fprintf(stderr, "dpfetch: %s\n", err);
		goto pool;
	}
	/* What the driver keeps in its RX rings: the baseline for the leak
	 * check (mempool.in_use must come back to it). */
	app.mbufs_port_held = rte_mempool_in_use_count(app.pool);
	neigh_init(&app.neigh, app.neigh_entries, NEIGH_TABLE_SIZE,
		   cfg.arp.retries, cfg.arp.retry_ms,
		   cfg.arp.reachable_s * 1000, &arp_neigh_ops);
	rc = worker_init(&worker, &app, rte_lcore_id(), 0);
	if (rc != 0) {
		fprintf(stderr, "dpfetch: worker set-up failed: %s\n",
			rte_strerror(-rc));
		goto port;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	arp_send_gratuitous(&worker);
	if (start_services(&worker, &cfg) != 0) {
		exit_code = EXIT_USAGE;
		goto worker;
	}
	if (cfg.fetch_url != NULL)
		http_fetch_start(&worker, &fetch, cfg.timeout_s);
	worker_loop(&worker);
	if (cfg.fetch_url == NULL) {
		/* A service run ends by signal: that is success. */
		exit_code = 0;
		goto worker;
	}
	if (!fetch.response_done && !fetch.failed) {
		fetch.failed = 1;
		fetch.end_us = worker.now_us;
		snprintf(fetch.error, sizeof(fetch.error), "interrupted");
	}
	http_fetch_report(&fetch, worker.now_us);
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
	worker_fini(&worker);
	if (cfg.print_stats)
		print_stats(stderr, &worker);
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
