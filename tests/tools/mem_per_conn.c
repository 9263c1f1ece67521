/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Measures what a TCP connection costs in memory: the sizes of the
 * blocks, the whole stack's heap per connection (tcp_stack_init: the
 * hot blocks, the table, the cold pools), the mempool element sizes
 * with their headers (what the blocks cost before obj_pool), and the
 * connection table's cost per entry, the latter from the malloc heap's
 * statistics before and after creating it (rte_hash allocates its whole
 * capacity up front).  Prints JSON.  Run by hand:
 *
 *   build/tests/tools/mem_per_conn [N]      (N entries, default 1000000)
 *
 * The numbers are quoted in docs/design.md, "Memory per connection".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "config.h"
#include "http_server.h"
#include "tcp_priv.h"
#include "worker.h"

static uint64_t
heap_bytes(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(0, &st) != 0)
		return 0;
	return st.heap_allocsz_bytes;
}

/* Heap bytes a mempool of n objects of size bytes takes, per object. */
static double
pool_cost(const char *name, uint32_t n, uint32_t size, unsigned int flags)
{
	uint64_t before = heap_bytes();
	struct rte_mempool *mp;
	double per;

	mp = rte_mempool_create(name, n, size, 0, 0, NULL, NULL, NULL, NULL,
				0, flags);
	if (mp == NULL) {
		fprintf(stderr, "mempool %s: %s\n", name,
			rte_strerror(rte_errno));
		exit(1);
	}
	per = (double)(heap_bytes() - before) / n;
	rte_mempool_free(mp);
	return per;
}

static double
hash_cost(uint32_t n, uint32_t *added)
{
	struct rte_hash_parameters hp = {
		.name = "mem_tbl",
		.entries = n,
		.key_len = sizeof(struct tcp_key),
		.hash_func = rte_jhash,
		.socket_id = 0,
	};
	uint64_t before = heap_bytes(), after;
	struct rte_hash *h;
	uint32_t i;

	h = rte_hash_create(&hp);
	if (h == NULL) {
		fprintf(stderr, "hash: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	after = heap_bytes();
	/* Filling it allocates nothing more; count what fits. */
	*added = 0;
	for (i = 0; i < n; i++) {
		struct tcp_key k;

		memset(&k, 0, sizeof(k));
		k.remote_ip = 0x0a000000 + i / 28000;
		k.remote_port = (uint16_t)(1024 + i % 28000);
		k.local_ip = 0xc6120002;
		k.local_port = 80;
		if (rte_hash_add_key_data(h, &k,
					  (void *)(uintptr_t)(i + 1)) < 0)
			break;
		(*added)++;
	}
	if (heap_bytes() != after)
		fprintf(stderr, "hash grew while filling\n");
	rte_hash_free(h);
	return (double)(after - before) / n;
}

/* Heap per connection that tcp_stack_init takes for n connections with
 * congestion control cc: the hot blocks, the table, the cold pools (what
 * conn_memory counts on a server). */
static double
stack_cost(uint32_t n, const char *cc)
{
	static struct dpf_config cfg;
	struct worker *w = calloc(1, sizeof(*w));
	uint64_t before, after;

	config_init(&cfg);
	snprintf(cfg.tcp.cc, sizeof(cfg.tcp.cc), "%s", cc);
	if (w == NULL)
		return -1;
	w->cfg = &cfg;
	w->tcp = calloc(1, tcp_stack_size());
	if (w->tcp == NULL)
		return -1;
	before = heap_bytes();
	if (tcp_stack_init(w, n) != 0) {
		fprintf(stderr, "tcp_stack_init(%u) failed\n", n);
		return -1;
	}
	after = heap_bytes();
	tcp_stack_fini(w);
	free(w->tcp);
	free(w);
	return (double)(after - before) / n;
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {
		argv[0], "--no-huge", "--no-pci", "-m", "2048",
		"--file-prefix", "mem_per_conn", "--log-level", "error",
		"--no-shconf", "--no-telemetry", "-l", "0",
	};
	const unsigned int sp = RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET;
	/* What tcp_conn.c and http_server.c use. */
	const unsigned int nca = sp | RTE_MEMPOOL_F_NO_CACHE_ALIGN |
		RTE_MEMPOOL_F_NO_SPREAD | RTE_MEMPOOL_F_NO_IOVA_CONTIG;
	struct rte_mempool_objsz sz;
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1000000;
	uint32_t added;
	size_t idle, busy;
	double h, h16k;

	if (rte_eal_init((int)RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	http_server_state_sizes(&idle, &busy);
	h = hash_cost(n, &added);
	h16k = hash_cost(16384, &(uint32_t){ 0 });
	printf("{\n");
	printf("  \"sizeof_tcp_conn\": %zu,\n", sizeof(struct tcp_conn));
	printf("  \"sizeof_tcp_reass\": %zu,\n", sizeof(struct tcp_reass));
	printf("  \"sizeof_tcp_cubic\": %zu,\n", sizeof(struct tcp_cubic));
	printf("  \"stack_heap_per_conn_newreno\": %.1f,\n",
	       stack_cost(n, "newreno"));
	printf("  \"stack_heap_per_conn_cubic\": %.1f,\n",
	       stack_cost(n, "cubic"));
	printf("  \"sizeof_timer\": %zu,\n", sizeof(struct timer));
	printf("  \"sizeof_tcp_sack_board\": %zu,\n",
	       sizeof(struct tcp_sack_board));
	printf("  \"conn_obj_size_cache_aligned\": %u,\n",
	       rte_mempool_calc_obj_size(sizeof(struct tcp_conn), 0, &sz));
	printf("  \"conn_obj_size_no_cache_align\": %u,\n",
	       rte_mempool_calc_obj_size(sizeof(struct tcp_conn),
					 RTE_MEMPOOL_F_NO_CACHE_ALIGN, &sz));
	printf("  \"conn_obj_size_no_cache_align_no_spread\": %u,\n",
	       rte_mempool_calc_obj_size(sizeof(struct tcp_conn), nca, &sz));
	printf("  \"conn_obj_header\": %u,\n", sz.header_size);
	printf("  \"conn_obj_trailer\": %u,\n", sz.trailer_size);
	printf("  \"conn_pool_heap_per_obj\": %.1f,\n",
	       pool_cost("m_conn", n, sizeof(struct tcp_conn), nca));
	/* Before the diet: 536-byte blocks (SACK board, timer arguments
	 * and a worker pointer inside), cache-aligned and spread. */
	printf("  \"before_conn_obj_size\": %u,\n",
	       rte_mempool_calc_obj_size(536, sp, &sz));
	printf("  \"before_conn_pool_heap_per_obj\": %.1f,\n",
	       pool_cost("m_conn0", n, 536, sp));
	printf("  \"sack_pool_heap_per_obj\": %.1f,\n",
	       pool_cost("m_sack", n / 4, sizeof(struct tcp_sack_board), nca));
	printf("  \"httpd_idle_state\": %zu,\n", idle);
	printf("  \"httpd_busy_block\": %zu,\n", busy);
	printf("  \"hash_entries\": %" PRIu32 ",\n", n);
	printf("  \"hash_keys_added\": %" PRIu32 ",\n", added);
	printf("  \"hash_heap_per_entry\": %.1f,\n", h);
	printf("  \"hash_heap_per_entry_16384\": %.1f\n", h16k);
	printf("}\n");
	rte_eal_cleanup();
	return 0;
}
