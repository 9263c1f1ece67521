/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fetch jobs: what a load test asks for, how it is split over the worker
 * lcores, and what it measured.
 *
 * A job is created on the control side (the command line, the control
 * channel) from its parameters, then started: each chosen worker gets a
 * share (its part of the connections, the requests and the rates) which
 * it runs alone, without locks, from its poll loop (job_runner.c).  A
 * share keeps monotonic counters, three latency histograms and a
 * per-second series that readers sum across shares without stopping
 * anybody; readings taken while a job runs are approximate by at most
 * the updates in flight, and exact once it has ended.
 *
 * The one-shot --fetch is a job of one request whose body goes to a file.
 */

#ifndef DPF_JOB_H
#define DPF_JOB_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <jansson.h>

#include "hist.h"
#include "http_client.h"
#include "job_params.h"
#include "job_pace.h"
#include "job_trace.h"
#include "mix.h"
#include "url.h"

struct app;
struct worker;
struct job_conn;

#define JOB_SERIES_MAX		3600	/* seconds kept per share */
/* Seconds of per-second latency a share keeps until they are merged
 * into the job's series (job_share_tick); merging lags a second. */
#define JOB_SEC_RING		8
#define JOB_ERR_LEN		512
#define JOB_STATUS_CODES	1000

/* How a request or a connection went wrong; names in job_error_name(). */
enum job_error {
	JOB_ERR_CONNECT_TIMEOUT,	/* no SYN-ACK in connect_timeout_ms */
	JOB_ERR_REFUSED,		/* RST answering our SYN */
	JOB_ERR_RESET,			/* RST on an open connection */
	JOB_ERR_RESPONSE_TIMEOUT,	/* response_timeout_ms without a byte */
	JOB_ERR_PARSE,			/* malformed response */
	JOB_ERR_CLOSED_EARLY,		/* FIN before the response ended */
	JOB_ERR_TCP_TIMEOUT,		/* retransmissions went unanswered */
	JOB_ERR_ARP,			/* the next hop did not answer ARP */
	JOB_ERR_LOCAL,			/* no port, connection block or mbuf */
	JOB_ERR_WRITE,			/* the body could not be written */
	JOB_ERR_TIMEOUT,		/* the job's own deadline (one-shot) */
	JOB_ERR_NO_ROUTE,		/* off-prefix and no gateway */
	JOB_ERR_LINK_DOWN,		/* no link within connect_timeout_ms */
	JOB_ERR_BACKLOG_OVERFLOW,	/* paced requests past max_backlog */
	JOB_ERR_MAX
};

enum job_state {
	JOB_CREATED,
	JOB_RUNNING,
	JOB_DONE,
	JOB_STOPPED,
	JOB_FAILED,
};

/* One second of a share's life (cumulative counters at its end). */
struct job_sample {
	uint64_t requests;
	uint64_t responses;
	uint64_t conns_opened;
	uint64_t bytes_rx;
	uint64_t bytes_tx;
	uint64_t errors;		/* of every kind */
	uint32_t open;			/* connections open at that moment */
};

/* Counters a share keeps; readers sum them over shares. */
struct job_counters {
	uint64_t requests_sent;
	uint64_t requests_failed;
	uint64_t requests_cancelled;	/* outstanding when the job ended */
	uint64_t responses;
	uint64_t status[JOB_STATUS_CODES];
	uint64_t errors[JOB_ERR_MAX];
	uint64_t bytes_rx;		/* response bytes, headers included */
	uint64_t body_bytes;
	uint64_t bytes_tx;		/* request bytes handed to TCP */
	uint64_t conns_opened;
	uint64_t conns_established;
	uint64_t conns_closed;
};

/* The churn's part of the counters (short connections on top of the
 * held ones); job_counters counts them too. */
struct job_churn_counters {
	uint64_t conns_opened;
	uint64_t conns_established;
	uint64_t requests_sent;
	uint64_t responses;
	uint64_t errors;		/* of every kind */
};

/* A request mix entry's part of a share's counters: they add up to
 * the share's (requests_sent, responses, errors, and the total
 * latency).  An entry's requests end as responses, failed or cancelled
 * (the requests of the quota never sent had no entry yet: they are in
 * the job's requests_failed/cancelled only).  An error counts to the
 * entry of the oldest request its connection had outstanding, else to
 * the share's pending pick (the entry its next request takes). */
struct job_mix_counters {
	uint64_t requests;
	uint64_t responses;
	uint64_t status_class[6];	/* [1..5]: 1xx..5xx; [0]: others */
	uint64_t body_bytes;
	uint64_t errors;		/* of every kind */
	uint64_t failed;		/* sent, the connection failed */
	uint64_t cancelled;		/* sent, outstanding at the end */
};

/* The destinations (address and port) a job's URLs reach: a connection
 * goes to one, and carries only requests for URLs of its own. */
#define JOB_MAX_DESTS		16

/* A destination's URLs (job->dests, when there are several), and for a
 * mix the weighted pick among them. */
struct job_dest {
	unsigned int n;
	uint8_t url[JOB_MAX_URLS];
	uint64_t weight;		/* its URLs' (1 each without a mix) */
	struct mix_pick pick;
};

/* A list of a share's connections: pool indices + 1 of its first and
 * last (0: empty), linked through the connections (job_runner.c). */
struct job_conn_list {
	uint32_t first;
	uint32_t last;
};

/* A worker's part of a job: touched by that worker only, read by all. */
struct job_share {
	struct job *job;
	struct worker *w;
	TAILQ_ENTRY(job_share) link;	/* the worker's running shares */
	uint16_t index;			/* among the job's shares */

	/* Quotas. */
	uint32_t conn_target;
	uint64_t req_quota;		/* 0 = unlimited */
	struct job_pace pace;		/* rates and their schedule */

	int phase;			/* enum share_phase (job_runner.c) */
	uint64_t start_us;
	uint64_t end_us;
	uint64_t drain_until_us;
	uint64_t open_after_us;		/* back-off after local shortage */
	uint64_t parser_waits;		/* sends deferred: no parser free */
	/* The next job_conn pool index + 1 the drain visits (it walks the
	 * worker's pool, not a list: a held connection has no link for
	 * that). */
	uint32_t drain_next;
	int drain_failed;		/* a deadline ended it */
	uint32_t n_next_hops;
	uint32_t next_hops[JOB_MAX_URLS];
	uint32_t next_src;
	uint32_t next_src6;	/* the same in src6 (IPv6 src_ips) */
	uint32_t next_url;
	/* Several destinations: each one's URLs in turn (without a mix),
	 * and its connections now. */
	uint8_t dest_turn[JOB_MAX_DESTS];
	uint32_t dest_conns[JOB_MAX_DESTS];

	/* Connections. */
	uint32_t n_open;		/* job_conns in existence */
	uint32_t n_churn;		/* of them churn connections */
	uint32_t n_connecting;
	uint64_t req_reserved;		/* requests taken from the quota */
	uint64_t req_finished;		/* answered, failed or cancelled */
	/* idle, may send: per destination (one list with one) */
	struct job_conn_list ready[JOB_MAX_DESTS];
	struct job_conn_list churn_ready;	/* churn ones, may send */
	struct job_conn_list connect_fifo;	/* by connect deadline */
	struct job_conn_list response_fifo;	/* by response deadline */
	/* What its connections' requests look like (the HTTP client's
	 * view of the job), and how they report back. */
	struct http_client_profile prof;
	struct http_client_profile churn_prof;	/* churn_requests each */
	/* The share's last response head (both profiles' parsers use it;
	 * lib/http/http_parse.h) */
	struct http_resp_memo resp_memo;

	struct job_counters cnt;
	struct hist lat_connect;
	/* Time to first byte and full response time from when a request
	 * was meant to go (open loop: a backlog's wait counts), and from
	 * when it went (service).  A request that went when it was meant
	 * to (no pacing backlog, not a connection's first) has the same
	 * service times: it is recorded once, in lat_ttfb and lat_total,
	 * which job.c merges into both; the others have all four in
	 * late_*.  Two records of five per response saved on the client's
	 * data path. */
	struct hist lat_ttfb;
	struct hist lat_total;
	struct hist late_ttfb;
	struct hist late_total;
	struct hist late_service;
	struct hist late_service_ttfb;
	struct job_churn_counters churn;
	struct hist lat_churn_connect;
	struct hist lat_churn_total;
	uint32_t n_samples;		/* published with release */
	uint64_t next_sample_us;
	struct job_sample series[JOB_SERIES_MAX];
	/* total latency of second k in sec_total[k % JOB_SEC_RING], k the
	 * second being recorded (n_samples) */
	struct hist sec_total[JOB_SEC_RING];
	/* A request mix (job->p.n_mix entries, else NULL): counters and
	 * total latency per entry, the requests rendered so far, and the
	 * buffer they are rendered into (2 * MIX_REQUEST_MAX). */
	struct job_mix_counters *mix_cnt;
	struct hist *mix_lat;
	uint64_t mix_seq;
	char *mix_buf;

	char error[JOB_ERR_LEN];	/* the first error, in words */
	volatile int done;		/* the worker let go of it */
};

struct job {
	uint32_t id;
	struct app *app;
	struct job_params p;
	/* Request heads per URL: plain, and with "Connection: close" for
	 * the last request a connection makes. */
	char *req_head[JOB_MAX_URLS];
	uint32_t req_head_len[JOB_MAX_URLS];
	uint32_t req_head_sum[JOB_MAX_URLS];	/* tcp_ref_sum */
	char *req_head_close[JOB_MAX_URLS];
	uint32_t req_head_close_len[JOB_MAX_URLS];
	uint32_t req_head_close_sum[JOB_MAX_URLS];
	int head_request;
	struct job_trace *trace;	/* -v on a one-shot fetch, or NULL */
	/* A request mix: each entry's compiled request, HEAD or not, the
	 * weighted pick and the variables' seed. */
	struct mix_request *mix_req;	/* p.n_mix, or NULL */
	uint8_t mix_head[JOB_MAX_URLS];
	struct mix_pick mix_pick;
	uint64_t mix_seed;
	/* Each URL's destination; with more than one, the URLs of each
	 * (n_dests of them), else NULL. */
	uint8_t dest_of[JOB_MAX_URLS];
	unsigned int n_dests;
	struct job_dest *dests;

	uint64_t start_us;		/* worker clock */
	/* Each second's total-latency p50 and p99 over every share
	 * (JOB_SEC_UNKNOWN when a share's second was overwritten before
	 * it could be merged); seconds below sec_merged are final. */
	uint32_t sec_merged;		/* published with release */
	int sec_lock;			/* one merger at a time */
	int sec_pending;		/* a merger found the lock taken */
	uint32_t sec_p50[JOB_SERIES_MAX];
	uint32_t sec_p99[JOB_SERIES_MAX];
	volatile int stop;		/* asked to stop */
	int started;
	uint16_t n_shares;
	struct job_share *shares[];
};

struct dpf_config;

/*
 * The job the command line and config file describe: cfg->job plus the
 * one-shot options (--method, --header, --data, --timeout).  A one-shot
 * fetch (!cfg->load_mode) is one request on one connection whose body
 * goes to out.  0, or -1 with err.
 */
int
job_params_from_config(struct job_params *p, const struct dpf_config *cfg,
		       FILE *out, char *err, size_t errlen);

/*
 * A job for the workers p asks for (taking over p's allocations).
 * Returns NULL with err on failure.
 */
struct job *
job_create(struct app *app, uint32_t id, struct job_params *p, char *err,
	   size_t errlen);

/* Hand each share to its worker (through worker_call). */
int
job_start(struct job *job);

/* Ask the workers to stop it; they close its connections. */
void
job_stop(struct job *job);

/* Whether every share has finished. */
int
job_finished(const struct job *job);

enum job_state
job_state(const struct job *job);

const char *
job_state_name(enum job_state s);

const char *
job_error_name(enum job_error e);

/* What job_status_json adds to the summary. */
#define JOB_STATUS_SERIES	1	/* the per-second series */
#define JOB_STATUS_DISTRIBUTION	2	/* the percentile distributions */
#define JOB_STATUS_BUCKETS	4	/* cumulative counts at JOB_BUCKETS_US */

/* The "le" bounds of buckets_us (microseconds), for Prometheus
 * histograms: 50 us .. 10 s, 1-2.5-5 steps; 0-terminated. */
extern const uint64_t job_buckets_us[];

/* fetch.status's object; what is a mask of JOB_STATUS_*. */
json_t *
job_status_json(const struct job *job, uint64_t now_us, int what);

/* Thresholds the job's result fails, evaluated now (0 when it has
 * none). */
unsigned int
job_thresholds_failed(const struct job *job, uint64_t now_us);

#define JOB_SEC_UNKNOWN		UINT32_MAX

/*
 * Worker side, after a share published a second (or ended): merge the
 * shares' per-second histograms of every second all running shares
 * have completed into the job's sec_p50/sec_p99.  Whichever share gets
 * there first does it; the others return at once.
 */
void
job_merge_seconds(struct job *job);

/* The share is over: published, then its seconds merged. */
void
job_share_done(struct job_share *s);

/* The latency histograms a share keeps, by their names in latency_us. */
enum job_lat {
	JOB_LAT_CONNECT,
	JOB_LAT_TTFB,
	JOB_LAT_TOTAL,
	JOB_LAT_SERVICE,	/* from the actual send (open loop) */
	JOB_LAT_SERVICE_TTFB,
	JOB_LAT_MAX
};

/* A job's counters and merged histograms at one moment, or the
 * difference of two such readings (what happened in between).  About
 * 27 KiB: keep it off the stack. */
struct job_reading {
	struct job_counters c;
	struct hist lat[JOB_LAT_MAX];
	double elapsed_s;		/* the job's time so far */
};

/* Read job now (approximate while it runs, see above). */
void
job_read(const struct job *job, uint64_t now_us, struct job_reading *r);

/* r -= before, an earlier reading of the same job: counters, buckets,
 * counts and sums exact (hist_subtract), elapsed the time between. */
void
job_reading_subtract(struct job_reading *r,
		     const struct job_reading *before);

/*
 * Evaluate n thresholds on a result given as counters, merged latency
 * histograms (h[JOB_LAT_MAX]) and its elapsed seconds (for the rates):
 * [{expr, value, ok}], with *failed the number that failed.  fetch.status
 * runs it on a whole job, a search on a step's measured part.
 */
json_t *
job_thresholds_json(const struct threshold *t, unsigned int n,
		    const struct job_counters *c, const struct hist *h,
		    double elapsed_s, unsigned int *failed);

/* Thresholds on errors.KIND must name a kind of job_error_name(): 0, or
 * -1 with err. */
int
job_threshold_kinds_check(const struct threshold *t, unsigned int n,
			  char *err, size_t errlen);

/* Errors of every kind. */
double
job_errors_total(const struct job_counters *c);

/* Sums over the shares (for the one-shot report and tests). */
void
job_totals(const struct job *job, struct job_counters *c);

/* The first error any share recorded, or "" */
const char *
job_first_error(const struct job *job);

/* Free a finished job. */
void
job_free(struct job *job);

/*
 * The jobs the control side knows, by id.  Every control-side access
 * (the control channel, scripts, telemetry) goes through it under its
 * lock; when it is full the oldest finished job makes room.
 */
#define JOB_REGISTRY_MAX	256

struct job_registry {
	pthread_mutex_t lock;
	uint32_t next_id;
	unsigned int n;
	struct job *jobs[JOB_REGISTRY_MAX];	/* oldest first */
};

void
job_registry_init(struct job_registry *r);

/* Free every job (the workers must have stopped). */
void
job_registry_fini(struct job_registry *r);

void
job_registry_lock(struct job_registry *r);
void
job_registry_unlock(struct job_registry *r);

/* The next id (lock held). */
uint32_t
job_registry_next_id(struct job_registry *r);

/* Keep job (lock held); -1 when every slot holds a running job. */
int
job_registry_add(struct job_registry *r, struct job *job);

/* The job with id, or NULL (lock held). */
struct job *
job_registry_find(struct job_registry *r, uint32_t id);

/* The share runner (job_runner.c): start running share s on worker w
 * (on w's lcore, or before it runs).  Declared here so that job.c, which
 * calls it, does not include job_runner.h (no cycle between the two). */
void
job_runner_start(struct worker *w, struct job_share *s);

#endif /* DPF_JOB_H */
