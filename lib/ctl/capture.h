/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture to a pcapng file (capture.start / capture.stop, and
 * --capture FILE on the command line).
 *
 * The workers call capture_rx() (core: capture_hook.h, worker.h) right
 * after rte_eth_rx_burst() (what the
 * wire delivered, before RX impairment) and capture_tx() right before
 * rte_eth_tx_burst() (what goes to the wire, after TX impairment).  While
 * no capture runs, each hook is one relaxed load of app->capture_active
 * and a branch predicted not taken.
 *
 * While a capture runs, the hooks filter each packet (IPv4 host, TCP
 * port), copy it with rte_pcapng_copy() into an mbuf of the capture's own
 * pool and put it on a multi-producer ring; a full ring or pool is
 * counted as a drop, never waited for.  A writer in its own control
 * thread ("dpf-capture", never on a worker lcore) empties the ring into
 * the file with rte_pcapng_write_packets(), and ends the capture when the
 * packet count is written, the duration has passed or capture_stop() is
 * called: it clears the flag, waits until every worker has left its hook
 * (worker_call), writes what is left (up to the count), an interface
 * statistics block, and closes the file.
 *
 * Only one capture at a time.  capture_start(), capture_stop(),
 * capture_status() and capture_fini() may be called from any control
 * thread (they take a lock), never from a worker lcore.
 */

#ifndef DPF_CAPTURE_H
#define DPF_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_mbuf.h>

#include "capture_hook.h"
#include "rpc.h"
#include "worker.h"

/* Where capture.start writes (--capture-dir). */
#define CAPTURE_DEFAULT_DIR	"/var/lib/dpfetch/captures"
#define CAPTURE_NAME_MAX	128	/* bytes of a file name in the dir */

struct capture_params {
	/*
	 * dir NULL (--capture FILE, the operator's own path): file is
	 * created or truncated.  dir set (capture.start): file is a plain
	 * name (capture_name_check()) created in dir, never an existing one.
	 */
	const char *file;
	const char *dir;
	uint64_t count;		/* packets to write; 0: no limit */
	double duration_s;	/* seconds; 0: no limit */
	uint32_t host;		/* IPv4 src or dst, host order; 0: any */
	uint16_t port;		/* TCP src or dst port; 0: any */
};


/* Error codes of the capture methods (outside JSON-RPC's reserved range). */
#define CAPTURE_ERR_BUSY	1101	/* a capture is already running */
#define CAPTURE_ERR_FILE	1102	/* the file cannot be created */
#define CAPTURE_ERR_NONE	1103	/* capture.stop without a capture */
#define CAPTURE_ERR_SETUP	1104	/* no memory for the pool or ring */
#define CAPTURE_ERR_EXISTS	1105	/* the name exists in the capture dir */
#define CAPTURE_ERR_DIR		1106	/* the capture dir is unusable */

/*
 * Is name a plain file name for the capture dir: 1..CAPTURE_NAME_MAX
 * printable ASCII characters other than space and '/', not starting with
 * '.', no ".."?  0, or -1 with err naming the problem.
 */
int
capture_name_check(const char *name, char *err, size_t errlen);

/*
 * Open the capture directory (O_DIRECTORY | O_NOFOLLOW), creating it
 * with mode 0750 (its missing parents 0755) when missing.  Refused: a
 * symbolic link, not a directory, writable by others, owned by another
 * user than us or root.  A descriptor, or -1 with err filled.
 */
int
capture_dir_open(const char *dir, char *err, size_t errlen);

/*
 * Start capturing on app's port.  0, or a negative errno with err filled:
 * -EBUSY a capture already runs ("a capture to /tmp/a.pcapng is already
 * running"), -EINVAL bad parameters (a name that is not plain), -EEXIST
 * the name exists in the capture dir, -ENOTDIR the capture dir is
 * unusable, the open(2) error when the file
 * cannot be created ("cannot open /x/y.pcapng: No such file or
 * directory"), -ENOMEM no memory for the pool, ring or thread.
 */
int
capture_start(struct app *app, const struct capture_params *p, char *err,
	      size_t errlen);

/*
 * Stop the capture (or collect one that ended by itself on its count or
 * duration) and close its file.  0 with *result {"file", "captured",
 * "written", "dropped", "filtered"} (a new reference), or -1 when no
 * capture was started since the last stop.
 */
int
capture_stop(struct app *app, json_t **result);

/*
 * {"active": false} when no capture was started, else {"active", "file",
 * "captured", "written", "dropped", "filtered", "elapsed_s", "count",
 * "duration_s", "filter"}.  Always a new reference.
 */
json_t *
capture_status(struct app *app);

/* At exit: stop a running capture, close its file, free everything. */
void
capture_fini(struct app *app);

/*
 * rte_pdump_init(), so that dpdk-dumpcap can attach as a secondary
 * process.  Without hugepages (--no-huge) there is no multi-process
 * support: one note on stderr and we carry on.  0, or -1 after the note.
 */
int
capture_pdump_init(int verbose);

/*
 * The filter on a frame (Ethernet first): 1 to capture, 0 to skip.
 * host_be, port_be in network order, 0 for any.  Exposed for the tests.
 */
int
capture_filter_match(const uint8_t *frame, uint32_t len, uint32_t host_be,
		     uint16_t port_be);

/* The slow path of the hooks (capture_hook.h): filter, copy, enqueue;
 * capture_start puts it in app->capture_burst. */
void
capture_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
	      enum capture_dir dir);

/* The control channel's methods: capture.start, capture.stop,
 * capture.status.  ctx->app is the struct app. */
/* The control methods capture.start, capture.stop and capture.status
 * (listed in rpc_methods.c's table). */
int
rpc_capture_start(struct rpc_ctx *ctx, json_t *params, json_t **result,
		  struct rpc_error *err);
int
rpc_capture_stop(struct rpc_ctx *ctx, json_t *params, json_t **result,
		 struct rpc_error *err);
int
rpc_capture_status(struct rpc_ctx *ctx, json_t *params, json_t **result,
		   struct rpc_error *err);

#endif /* DPF_CAPTURE_H */
