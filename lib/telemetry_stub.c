/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Temporary stand-ins for app_stats_json() and app_jobs_json(), which the
 * control methods (rpc_methods.c) provide.  Not built: link it by hand to
 * try telemetry.c before those exist, e.g.
 *
 *   cc ... app/dpfetch/main.c lib/telemetry_stub.c ...
 *
 * Delete once rpc_methods.c defines the two functions.
 */
#include <string.h>

#include <jansson.h>
#include <rte_mempool.h>

#include "stats.h"
#include "telemetry.h"
#include "worker.h"

json_t *
app_stats_json(struct app *app)
{
	struct stats total;
	struct stats_gauges g;
	uint16_t i;

	memset(&total, 0, sizeof(total));
	memset(&g, 0, sizeof(g));
	for (i = 0; i < app->n_workers; i++) {
		if (app->workers[i] == NULL)
			continue;
		stats_add(&total, &app->workers[i]->stats);
		g.tcp_curr_estab += app->workers[i]->tcp.n_estab;
	}
	if (app->pool != NULL) {
		g.mbufs_total = app->pool->size;
		g.mbufs_in_use = rte_mempool_in_use_count(app->pool);
	}
	g.mbufs_port_held = app->mbufs_port_held;
	g.neigh_entries = app->neigh.count;
	return stats_to_json(&total, &g);
}

json_t *
app_jobs_json(struct app *app)
{
	(void)app;
	return json_pack("{s:[]}", "jobs");
}
