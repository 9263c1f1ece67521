/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture to pcapng: the workers' side (capture_burst: filter,
 * rte_pcapng_copy into the capture pool, enqueue) and the control side
 * (capture_start / capture_stop / capture_status / capture_fini and the
 * writer thread).  See capture.h for the life of a capture.
 *
 *   worker_rx -> capture_rx -> capture_burst -> ring
 *   worker_tx_burst -> capture_tx -> capture_burst -> ring
 *   dpf-capture thread: ring -> rte_pcapng_write_packets -> file
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pcapng.h>
#include <rte_pdump.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "capture.h"
#include "url.h"

#define CAPTURE_MBUFS		4095	/* 2^n - 1: the pool's best size */
#define CAPTURE_RING		4096
#define CAPTURE_CACHE		64
#define CAPTURE_CHUNK		32	/* copies enqueued together */
#define CAPTURE_WRITE_BURST	128
#define CAPTURE_IDLE_US		1000	/* writer's sleep on an empty ring */

#define ETH_P_IPV4	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_VLAN	0x8100
#define IP_PROTO_TCP	6

/* Per worker, written only by that worker: no atomics on the hot path. */
struct capture_lcore {
	uint64_t captured;	/* copies put on the ring */
	uint64_t dropped;	/* pool or ring full */
	uint64_t filtered;	/* did not match the filter */
} __rte_cache_aligned;

struct capture {
	/* Read by the workers while app->capture_active. */
	uint32_t host_be;
	uint16_t port_be;
	struct rte_mempool *mp;
	struct rte_ring *ring;
	struct capture_lcore lc[STEER_MAX_WORKERS];

	/* Control side, under capture_lock. */
	struct app *app;
	int started;		/* started and not yet collected by a stop */
	pthread_t writer;
	rte_pcapng_t *png;
	char file[PATH_MAX];
	uint64_t count;
	double duration_s;
	uint32_t host;
	uint16_t port;
	uint64_t start_tsc;
	uint64_t deadline_tsc;	/* 0: none */
	uint64_t start_ns;	/* wall clock, for the statistics block */
	unsigned int seq;	/* unique pool and ring names */

	/* Written by the writer thread, read by status (atomics). */
	int stop_req;
	int done;
	uint64_t written;
	uint64_t end_tsc;
	const char *ended;	/* "count", "duration", "stopped", "error" */
	char error[128];	/* the write error, when ended == "error" */
};

/* Guards app->capture's creation and every control-side call. */
static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
static int pdump_ready;

static uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int
capture_filter_match(const uint8_t *frame, uint32_t len, uint32_t host_be,
		     uint16_t port_be)
{
	uint32_t off = RTE_ETHER_HDR_LEN, ihl;
	const uint8_t *ip;
	uint16_t type;

	if (host_be == 0 && port_be == 0)
		return 1;
	if (len < RTE_ETHER_HDR_LEN)
		return 0;
	type = rte_be_to_cpu_16(rd16(frame + 12));
	if (type == ETH_P_VLAN && len >= RTE_ETHER_HDR_LEN + 4) {
		type = rte_be_to_cpu_16(rd16(frame + 16));
		off += 4;
	}
	if (type == ETH_P_ARP) {
		/* Resolution of the peer belongs to the exchange. */
		if (host_be == 0)
			return 1;
		if (len < off + 28)
			return 0;
		return rd32(frame + off + 14) == host_be ||
			rd32(frame + off + 24) == host_be;
	}
	if (type != ETH_P_IPV4 || len < off + 20)
		return 0;
	ip = frame + off;
	if (host_be != 0 && rd32(ip + 12) != host_be &&
	    rd32(ip + 16) != host_be)
		return 0;
	if (port_be == 0)
		return 1;
	/* Only the first fragment carries the TCP ports. */
	if (ip[9] != IP_PROTO_TCP ||
	    (rte_be_to_cpu_16(rd16(ip + 6)) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return 0;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || len < off + ihl + 4)
		return 0;
	return rd16(ip + ihl) == port_be || rd16(ip + ihl + 2) == port_be;
}

/*
 * rte_pcapng_copy() of 22.11 turns the TSC into wall-clock time with a
 * base it keeps in a static, unlocked, set at its first call and moved on
 * by whole seconds: a TSC read just before that first call, or one a
 * worker read before another moved the base, comes out centuries off.
 * So the block gets our own conversion, from the capture's start.
 */
static uint64_t
capture_tsc_to_ns(const struct capture *c, uint64_t tsc)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t d = tsc > c->start_tsc ? tsc - c->start_tsc : 0;

	/* Split to stay clear of overflowing d * 10^9. */
	return c->start_ns + (d / hz) * 1000000000ull +
		(d % hz) * 1000000000ull / hz;
}

/* Timestamp (high, low) at bytes 12 and 16 of the Enhanced Packet Block
 * that rte_pcapng_copy() puts at the start of the copy. */
static void
capture_stamp(struct rte_mbuf *mc, uint64_t ns)
{
	uint8_t *epb = rte_pktmbuf_mtod(mc, uint8_t *);
	uint32_t hi = (uint32_t)(ns >> 32), lo = (uint32_t)ns;

	memcpy(epb + 12, &hi, sizeof(hi));
	memcpy(epb + 16, &lo, sizeof(lo));
}

static void
capture_enqueue(struct capture *c, struct capture_lcore *lc,
		struct rte_mbuf **copies, unsigned int k)
{
	unsigned int done;

	done = rte_ring_mp_enqueue_burst(c->ring, (void **)copies, k, NULL);
	lc->captured += done;
	if (done < k) {
		lc->dropped += k - done;
		rte_pktmbuf_free_bulk(copies + done, k - done);
	}
}

void
capture_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
	      enum capture_dir dir)
{
	struct rte_mbuf *copies[CAPTURE_CHUNK];
	struct capture *c;
	struct capture_lcore *lc;
	struct rte_mbuf *m, *mc;
	unsigned int k = 0;
	uint64_t tsc, ns;
	uint16_t i;

	/* Acquire: the pool, ring and filter were set before the flag. */
	if (n == 0 || !__atomic_load_n(&w->app->capture_active,
				       __ATOMIC_ACQUIRE))
		return;
	c = w->app->capture;
	lc = &c->lc[w->index];
	tsc = rte_rdtsc();
	ns = capture_tsc_to_ns(c, tsc);
	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (!capture_filter_match(rte_pktmbuf_mtod(m, const uint8_t *),
					  rte_pktmbuf_data_len(m), c->host_be,
					  c->port_be)) {
			lc->filtered++;
			continue;
		}
		/* A tag the port inserts (RTE_MBUF_F_TX_VLAN) or stripped
		 * (RTE_MBUF_F_RX_VLAN_STRIPPED) is put back into the copy
		 * by rte_pcapng_copy: the file shows the frame as on the
		 * wire (cases_vlan.py, vlan_capture_offload_shows_tags). */
		mc = rte_pcapng_copy(w->port_id, w->queue_id, m, c->mp,
				     UINT32_MAX, tsc,
				     dir == CAPTURE_DIR_IN ?
				     RTE_PCAPNG_DIRECTION_IN :
				     RTE_PCAPNG_DIRECTION_OUT);
		if (mc == NULL) {
			lc->dropped++;
			continue;
		}
		capture_stamp(mc, ns);
		copies[k++] = mc;
		if (k == CAPTURE_CHUNK) {
			capture_enqueue(c, lc, copies, k);
			k = 0;
		}
	}
	if (k > 0)
		capture_enqueue(c, lc, copies, k);
}

/* ---- control side -------------------------------------------------------- */

static void
capture_sum(const struct capture *c, struct capture_lcore *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < RTE_DIM(c->lc); i++) {
		t->captured += __atomic_load_n(&c->lc[i].captured,
					       __ATOMIC_RELAXED);
		t->dropped += __atomic_load_n(&c->lc[i].dropped,
					      __ATOMIC_RELAXED);
		t->filtered += __atomic_load_n(&c->lc[i].filtered,
					       __ATOMIC_RELAXED);
	}
}

static void
capture_noop(struct worker *w, void *arg)
{
	(void)w;
	(void)arg;
}

/* Once every worker has run a command, none is inside capture_burst
 * any more (the hooks run inside a loop iteration, commands at its end),
 * and none will enter it: the flag is already clear. */
static void
capture_quiesce(struct app *app)
{
	uint16_t i;

	for (i = 0; i < app->n_workers; i++)
		if (app->workers[i] != NULL)
			worker_call(app, i, capture_noop, NULL);
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Write copies to the file, up to the count; the rest is freed. */
static int
capture_write(struct capture *c, struct rte_mbuf **pkts, unsigned int n)
{
	uint64_t written = __atomic_load_n(&c->written, __ATOMIC_RELAXED);
	unsigned int k = n;

	if (c->count != 0 && written + k > c->count)
		k = (unsigned int)(c->count - written);
	if (k < n)
		rte_pktmbuf_free_bulk(pkts + k, n - k);
	if (k == 0 || c->ended != NULL) {
		/* After a write error nothing more goes to the file. */
		rte_pktmbuf_free_bulk(pkts, k);
		return 0;
	}
	/* Despite its documentation, rte_pcapng_write_packets() of 22.11
	 * leaves the mbufs to us. */
	if (rte_pcapng_write_packets(c->png, pkts, (uint16_t)k) < 0) {
		snprintf(c->error, sizeof(c->error), "writing %.60s: %s",
			 c->file, strerror(errno));
		rte_pktmbuf_free_bulk(pkts, k);
		return -1;
	}
	rte_pktmbuf_free_bulk(pkts, k);
	__atomic_store_n(&c->written, written + k, __ATOMIC_RELAXED);
	return 0;
}

static void *
capture_writer(void *arg)
{
	struct capture *c = arg;
	struct rte_mbuf *pkts[CAPTURE_WRITE_BURST];
	struct capture_lcore t;
	const char *ended = NULL;
	unsigned int n;

	while (ended == NULL) {
		n = rte_ring_sc_dequeue_burst(c->ring, (void **)pkts,
					      RTE_DIM(pkts), NULL);
		if (n > 0 && capture_write(c, pkts, n) != 0)
			ended = "error";
		else if (c->count != 0 &&
			 __atomic_load_n(&c->written, __ATOMIC_RELAXED) >=
			 c->count)
			ended = "count";
		else if (__atomic_load_n(&c->stop_req, __ATOMIC_ACQUIRE))
			ended = "stopped";
		else if (c->deadline_tsc != 0 && rte_rdtsc() >= c->deadline_tsc)
			ended = "duration";
		else if (n == 0)
			rte_delay_us_sleep(CAPTURE_IDLE_US);
	}
	__atomic_store_n(&c->app->capture_active, 0, __ATOMIC_RELEASE);
	capture_quiesce(c->app);
	if (strcmp(ended, "error") == 0)
		c->ended = ended;
	/* What the workers queued before they stopped (up to the count). */
	while ((n = rte_ring_sc_dequeue_burst(c->ring, (void **)pkts,
					      RTE_DIM(pkts), NULL)) > 0)
		if (capture_write(c, pkts, n) != 0 && c->ended == NULL)
			c->ended = "error";
	capture_sum(c, &t);
	if (c->ended == NULL)
		rte_pcapng_write_stats(c->png, c->app->port.id, NULL,
				       c->start_ns, wall_ns(),
				       t.captured + t.dropped, t.dropped);
	/* Closes the file descriptor too. */
	rte_pcapng_close(c->png);
	c->png = NULL;
	c->end_tsc = rte_rdtsc();
	if (c->ended == NULL)
		c->ended = ended;
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Join the writer and free the pool and ring; under capture_lock. */
static void
capture_collect(struct capture *c)
{
	__atomic_store_n(&c->stop_req, 1, __ATOMIC_RELEASE);
	pthread_join(c->writer, NULL);
	rte_ring_free(c->ring);
	c->ring = NULL;
	rte_mempool_free(c->mp);
	c->mp = NULL;
	c->started = 0;
}

int
capture_name_check(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name), i;

	if (len == 0) {
		snprintf(err, errlen, "params.file: empty file name");
		return -1;
	}
	if (len > CAPTURE_NAME_MAX) {
		snprintf(err, errlen,
			 "params.file: a file name of at most %d bytes, got %zu",
			 CAPTURE_NAME_MAX, len);
		return -1;
	}
	if (strchr(name, '/') != NULL) {
		snprintf(err, errlen,
			 "params.file: '%.64s' is a path: give a plain file name, it is created in the capture directory",
			 name);
		return -1;
	}
	if (name[0] == '.' || strstr(name, "..") != NULL) {
		snprintf(err, errlen,
			 "params.file: '%.64s': a file name may not start with '.' nor contain '..'",
			 name);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~') {
			snprintf(err, errlen,
				 "params.file: character %zu of the file name is not printable ASCII (or is a space)",
				 i + 1);
			return -1;
		}
	return 0;
}

/* mkdir -p of path's parents (0755), then of path itself (0750). */
static int
make_dirs(const char *path, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "capture directory path too long");
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s",
				 buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create capture directory %s: %s",
			 buf, strerror(errno));
		return -1;
	}
	return 0;
}

int
capture_dir_open(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (dir == NULL || dir[0] == '\0') {
		snprintf(err, errlen, "no capture directory");
		return -1;
	}
	if (lstat(dir, &st) < 0 && errno == ENOENT &&
	    make_dirs(dir, err, errlen) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || (errno == ENOTDIR &&
		    lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)))
			snprintf(err, errlen,
				 "capture directory %s is a symbolic link: refused",
				 dir);
		else
			snprintf(err, errlen, "capture directory %s: %s", dir,
				 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "capture directory %s: %s", dir,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen,
			 "capture directory %s is writable by others (mode %04o): refused",
			 dir, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, errlen,
			 "capture directory %s belongs to another user (uid %u): refused",
			 dir, (unsigned int)st.st_uid);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The capture file: p->file as given (--capture), or a new p->file in
 * p->dir (capture.start).  path (PATH_MAX) is the full path.  A
 * descriptor, or a negative errno with err filled.
 */
static int
capture_file_open(const struct capture_params *p, const char *path,
		  char *err, size_t errlen)
{
	struct stat st;
	int dfd, fd, e;

	if (p->dir == NULL) {
		fd = open(p->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0640);
		if (fd < 0) {
			e = errno;
			snprintf(err, errlen, "cannot open %s: %s", p->file,
				 strerror(e));
			return -e;
		}
		return fd;
	}
	if (capture_name_check(p->file, err, errlen) != 0)
		return -EINVAL;
	dfd = capture_dir_open(p->dir, err, errlen);
	if (dfd < 0)
		return -ENOTDIR;
	/* Never an existing file, never through a symbolic link. */
	fd = openat(dfd, p->file,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	e = errno;
	if (fd < 0 && e == EEXIST &&
	    fstatat(dfd, p->file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		snprintf(err, errlen,
			 "%s exists and is a symbolic link: not followed; choose another name",
			 path);
	else if (fd < 0 && e == EEXIST)
		snprintf(err, errlen,
			 "%s exists: captures never overwrite a file; choose another name or remove it",
			 path);
	else if (fd < 0)
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(e));
	close(dfd);
	if (fd < 0)
		return -e;
	/* 0640 whatever the umask; a failure leaves a stricter mode. */
	(void)!fchmod(fd, 0640);
	return fd;
}

static int
capture_setup(struct app *app, struct capture *c,
	      const struct capture_params *p, const char *path, char *err,
	      size_t errlen)
{
	char name[RTE_MEMPOOL_NAMESIZE], appname[64], comment[96], h[16];
	struct utsname un;
	uint32_t frame;
	int fd;

	fd = capture_file_open(p, path, err, errlen);
	if (fd < 0)
		return fd;
	c->seq++;
	/* The largest frame the port carries, with a VLAN tag. */
	frame = (uint32_t)app->cfg->mtu + RTE_ETHER_HDR_LEN + 4 +
		RTE_ETHER_CRC_LEN;
	snprintf(name, sizeof(name), "dpf_cap_mp%u", c->seq);
	c->mp = rte_pktmbuf_pool_create(name, CAPTURE_MBUFS, CAPTURE_CACHE, 0,
		(uint16_t)rte_pcapng_mbuf_size(frame), (int)rte_socket_id());
	snprintf(name, sizeof(name), "dpf_cap_r%u", c->seq);
	if (c->mp != NULL)
		c->ring = rte_ring_create(name, CAPTURE_RING,
					  (int)rte_socket_id(), RING_F_SC_DEQ);
	if (c->mp == NULL || c->ring == NULL) {
		snprintf(err, errlen,
			 "capture: no memory for %u packet copies: %s",
			 CAPTURE_MBUFS, rte_strerror(rte_errno));
		goto fail;
	}
	snprintf(appname, sizeof(appname), "dpfetch %s (%s)", DPF_VERSION,
		 rte_version());
	/* The filter, so that a partial exchange in the file explains
	 * itself. */
	comment[0] = '\0';
	h[0] = '\0';
	if (p->host != 0)
		ipv4_format(p->host, h, sizeof(h));
	if (p->host != 0 && p->port != 0)
		snprintf(comment, sizeof(comment), "filter: host %s port %u",
			 h, p->port);
	else if (p->host != 0)
		snprintf(comment, sizeof(comment), "filter: host %s", h);
	else if (p->port != 0)
		snprintf(comment, sizeof(comment), "filter: port %u", p->port);
	c->png = rte_pcapng_fdopen(fd, uname(&un) == 0 ? un.sysname : NULL,
				   NULL, appname,
				   comment[0] != '\0' ? comment : NULL);
	if (c->png == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 rte_strerror(rte_errno));
		goto fail;
	}
	return 0;
fail:
	close(fd);
	rte_ring_free(c->ring);
	c->ring = NULL;
	rte_mempool_free(c->mp);
	c->mp = NULL;
	return -ENOMEM;
}

int
capture_start(struct app *app, const struct capture_params *p, char *err,
	      size_t errlen)
{
	char path[PATH_MAX];
	struct capture *c;
	int rc;

	if (p->file == NULL || p->file[0] == '\0') {
		snprintf(err, errlen, "capture: no file given");
		return -EINVAL;
	}
	if (p->dir != NULL) {
		if (capture_name_check(p->file, err, errlen) != 0)
			return -EINVAL;
		rc = snprintf(path, sizeof(path), "%s%s%s", p->dir,
			      p->dir[strlen(p->dir) - 1] == '/' ? "" : "/",
			      p->file);
	} else {
		rc = snprintf(path, sizeof(path), "%s", p->file);
	}
	if (rc < 0 || (size_t)rc >= sizeof(c->file)) {
		snprintf(err, errlen, "capture: file name too long");
		return -EINVAL;
	}
	pthread_mutex_lock(&capture_lock);
	c = app->capture;
	if (c == NULL) {
		c = rte_zmalloc("capture", sizeof(*c), RTE_CACHE_LINE_SIZE);
		if (c == NULL) {
			pthread_mutex_unlock(&capture_lock);
			snprintf(err, errlen, "capture: out of memory");
			return -ENOMEM;
		}
		c->app = app;
		app->capture = c;
	}
	if (c->started &&
	    !__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		snprintf(err, errlen, "a capture to %s is already running",
			 c->file);
		pthread_mutex_unlock(&capture_lock);
		return -EBUSY;
	}
	/* One that ended on its count or duration makes room. */
	if (c->started)
		capture_collect(c);
	rc = capture_setup(app, c, p, path, err, errlen);
	if (rc != 0) {
		pthread_mutex_unlock(&capture_lock);
		return rc;
	}
	memset(c->lc, 0, sizeof(c->lc));
	snprintf(c->file, sizeof(c->file), "%s", path);
	c->count = p->count;
	c->duration_s = p->duration_s;
	c->host = p->host;
	c->port = p->port;
	c->host_be = rte_cpu_to_be_32(p->host);
	c->port_be = rte_cpu_to_be_16(p->port);
	c->stop_req = 0;
	c->done = 0;
	c->written = 0;
	c->ended = NULL;
	c->error[0] = '\0';
	c->start_ns = wall_ns();
	c->start_tsc = rte_rdtsc();
	c->end_tsc = 0;
	c->deadline_tsc = p->duration_s > 0 ? c->start_tsc +
		(uint64_t)(p->duration_s * (double)rte_get_tsc_hz()) : 0;
	__atomic_store_n(&app->capture_burst, capture_burst,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&app->capture_active, 1, __ATOMIC_RELEASE);
	rc = rte_ctrl_thread_create(&c->writer, "dpf-capture", NULL,
				    capture_writer, c);
	if (rc != 0) {
		__atomic_store_n(&app->capture_active, 0, __ATOMIC_RELEASE);
		capture_quiesce(app);
		rte_pcapng_close(c->png);
		c->png = NULL;
		rte_ring_free(c->ring);
		c->ring = NULL;
		rte_mempool_free(c->mp);
		c->mp = NULL;
		snprintf(err, errlen, "capture: cannot start its thread: %s",
			 strerror(rc));
		pthread_mutex_unlock(&capture_lock);
		return -ENOMEM;
	}
	c->started = 1;
	pthread_mutex_unlock(&capture_lock);
	return 0;
}

static void
capture_counts_json(struct capture *c, json_t *o)
{
	struct capture_lcore t;

	capture_sum(c, &t);
	json_object_set_new(o, "captured", json_integer((json_int_t)t.captured));
	json_object_set_new(o, "written", json_integer((json_int_t)
		__atomic_load_n(&c->written, __ATOMIC_RELAXED)));
	json_object_set_new(o, "dropped", json_integer((json_int_t)t.dropped));
	json_object_set_new(o, "filtered", json_integer((json_int_t)t.filtered));
}

int
capture_stop(struct app *app, json_t **result)
{
	struct capture *c;
	json_t *r;

	pthread_mutex_lock(&capture_lock);
	c = app->capture;
	if (c == NULL || !c->started) {
		pthread_mutex_unlock(&capture_lock);
		return -1;
	}
	capture_collect(c);
	r = json_object();
	json_object_set_new(r, "file", json_string(c->file));
	capture_counts_json(c, r);
	json_object_set_new(r, "ended", json_string(c->ended));
	if (c->error[0] != '\0')
		json_object_set_new(r, "error", json_string(c->error));
	pthread_mutex_unlock(&capture_lock);
	*result = r;
	return 0;
}

json_t *
capture_status(struct app *app)
{
	struct capture *c;
	json_t *r = json_object(), *f;
	uint64_t end;
	char h[16];
	int done;

	pthread_mutex_lock(&capture_lock);
	c = app->capture;
	if (c == NULL || !c->started) {
		json_object_set_new(r, "active", json_false());
		pthread_mutex_unlock(&capture_lock);
		return r;
	}
	done = __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
	json_object_set_new(r, "active", json_boolean(!done));
	json_object_set_new(r, "file", json_string(c->file));
	capture_counts_json(c, r);
	end = done ? c->end_tsc : rte_rdtsc();
	json_object_set_new(r, "elapsed_s", json_real(
		(double)(end - c->start_tsc) / (double)rte_get_tsc_hz()));
	if (c->count != 0)
		json_object_set_new(r, "count",
				    json_integer((json_int_t)c->count));
	if (c->duration_s > 0)
		json_object_set_new(r, "duration_s", json_real(c->duration_s));
	if (c->host != 0 || c->port != 0) {
		f = json_object();
		if (c->host != 0) {
			ipv4_format(c->host, h, sizeof(h));
			json_object_set_new(f, "host", json_string(h));
		}
		if (c->port != 0)
			json_object_set_new(f, "port", json_integer(c->port));
		json_object_set_new(r, "filter", f);
	}
	if (done) {
		json_object_set_new(r, "ended", json_string(c->ended));
		if (c->error[0] != '\0')
			json_object_set_new(r, "error", json_string(c->error));
	}
	pthread_mutex_unlock(&capture_lock);
	return r;
}

void
capture_fini(struct app *app)
{
	pthread_mutex_lock(&capture_lock);
	if (app->capture != NULL) {
		if (app->capture->started)
			capture_collect(app->capture);
		rte_free(app->capture);
		app->capture = NULL;
	}
	if (pdump_ready) {
		rte_pdump_uninit();
		pdump_ready = 0;
	}
	pthread_mutex_unlock(&capture_lock);
}

int
capture_pdump_init(int verbose)
{
	/* Without hugepages rte_pdump_init() succeeds, but no secondary
	 * process can map our memory: say so rather than let dumpcap fail
	 * obscurely. */
	if (!rte_eal_has_hugepages()) {
		/* A note, not a warning: shown with -v only. */
		if (verbose)
			fprintf(stderr,
				"dpfetch: note: no hugepages, so dpdk-dumpcap cannot attach (use --capture FILE or capture.start)\n");
		return -1;
	}
	if (rte_pdump_init() != 0) {
		fprintf(stderr,
			"dpfetch: note: dpdk-dumpcap cannot attach: rte_pdump_init: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	pdump_ready = 1;
	return 0;
}

/* ---- control channel ------------------------------------------------------ */

int
rpc_capture_start(struct rpc_ctx *ctx, json_t *params, json_t **result,
		  struct rpc_error *err)
{
	static const char *const allowed[] = {
		"file", "count", "duration_s", "filter", NULL
	};
	static const char *const filter_allowed[] = { "host", "port", NULL };
	struct app *app = ctx->app;
	struct capture_params p;
	char msg[RPC_ERR_MSG_MAX];
	const char *host = NULL;
	json_t *filter = NULL;
	int64_t count = 0, port = 0;
	double duration = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	if (rpc_params_check(params, allowed, err) != 0 ||
	    rpc_param_string(params, "file", RPC_REQUIRED, 0, &p.file,
			     err) < 0 ||
	    rpc_param_int(params, "count", RPC_OPTIONAL, 1, INT64_MAX, &count,
			  err) < 0 ||
	    rpc_param_number(params, "duration_s", RPC_OPTIONAL, 0, 1e9,
			     &duration, err) < 0 ||
	    rpc_param_object(params, "filter", RPC_OPTIONAL, &filter,
			     err) < 0)
		return RPC_ERROR;
	if (json_object_get(params, "duration_s") != NULL && !(duration > 0))
		return rpc_error_set(err, RPC_INVALID_PARAMS,
			"params.duration_s: expected a positive number, got %g",
			duration);
	if (filter != NULL) {
		if (rpc_params_check(filter, filter_allowed, err) != 0) {
			snprintf(msg, sizeof(msg), "params.filter: %.200s",
				 err->message);
			return rpc_error_set(err, RPC_INVALID_PARAMS, "%s",
					     msg);
		}
		if (rpc_param_string(filter, "host", RPC_OPTIONAL, 0, &host,
				     err) < 0 ||
		    rpc_param_int(filter, "port", RPC_OPTIONAL, 1, 65535,
				  &port, err) < 0) {
			snprintf(msg, sizeof(msg), "%s", err->message);
			/* The helpers name "params.port"; say where it is. */
			if (strncmp(msg, "params.", 7) == 0)
				return rpc_error_set(err, RPC_INVALID_PARAMS,
					"params.filter.%s", msg + 7);
			return RPC_ERROR;
		}
		if (host != NULL && ipv4_parse(host, &p.host) != 0)
			return rpc_error_set(err, RPC_INVALID_PARAMS,
				"params.filter.host: expected an IPv4 address A.B.C.D, got \"%.64s\"",
				host);
	}
	p.count = (uint64_t)count;
	p.duration_s = duration;
	p.port = (uint16_t)port;
	/* A control client (maybe remote, the process maybe root) writes
	 * only new plain files in the capture directory. */
	p.dir = app->cfg != NULL && app->cfg->capture_dir != NULL ?
		app->cfg->capture_dir : CAPTURE_DEFAULT_DIR;
	rc = capture_start(app, &p, msg, sizeof(msg));
	if (rc != 0)
		return rpc_error_set(err, rc == -EBUSY ? CAPTURE_ERR_BUSY :
				     rc == -EINVAL ? RPC_INVALID_PARAMS :
				     rc == -ENOMEM ? CAPTURE_ERR_SETUP :
				     rc == -EEXIST ? CAPTURE_ERR_EXISTS :
				     rc == -ENOTDIR ? CAPTURE_ERR_DIR :
				     CAPTURE_ERR_FILE, "%s", msg);
	*result = capture_status(app);
	return RPC_OK;
}

int
rpc_capture_stop(struct rpc_ctx *ctx, json_t *params, json_t **result,
		 struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };

	if (rpc_params_check(params, allowed, err) != 0)
		return RPC_ERROR;
	if (capture_stop(ctx->app, result) != 0)
		return rpc_error_set(err, CAPTURE_ERR_NONE,
				     "no capture is running");
	return RPC_OK;
}

int
rpc_capture_status(struct rpc_ctx *ctx, json_t *params, json_t **result,
		   struct rpc_error *err)
{
	static const char *const allowed[] = { NULL };

	if (rpc_params_check(params, allowed, err) != 0)
		return RPC_ERROR;
	*result = capture_status(ctx->app);
	return RPC_OK;
}
