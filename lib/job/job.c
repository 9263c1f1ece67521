/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Jobs on the control side: parameters, the split into shares, and the
 * readings summed over the shares.  The shares themselves run in
 * job_runner.c on their workers.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "config.h"
#include "http_client.h"
#include "http_msg.h"
#include "ipv4.h"
#include "job.h"
#include "url.h"
#include "worker.h"

static const char *const error_names[JOB_ERR_MAX] = {
	[JOB_ERR_CONNECT_TIMEOUT] = "connect_timeout",
	[JOB_ERR_REFUSED] = "refused",
	[JOB_ERR_RESET] = "reset",
	[JOB_ERR_RESPONSE_TIMEOUT] = "response_timeout",
	[JOB_ERR_PARSE] = "parse_error",
	[JOB_ERR_CLOSED_EARLY] = "closed_early",
	[JOB_ERR_TCP_TIMEOUT] = "tcp_timeout",
	[JOB_ERR_ARP] = "arp",
	[JOB_ERR_LOCAL] = "local",
	[JOB_ERR_WRITE] = "write",
	[JOB_ERR_TIMEOUT] = "timeout",
	[JOB_ERR_NO_ROUTE] = "no_route",
	[JOB_ERR_LINK_DOWN] = "link_down",
};

const char *
job_error_name(enum job_error e)
{
	return e < JOB_ERR_MAX ? error_names[e] : "?";
}

const char *
job_state_name(enum job_state s)
{
	switch (s) {
	case JOB_CREATED: return "created";
	case JOB_RUNNING: return "running";
	case JOB_DONE: return "done";
	case JOB_STOPPED: return "stopped";
	case JOB_FAILED: return "failed";
	default: return "?";
	}
}

/* The request body: "@FILE" reads a file, anything else is the body. */
static int
load_body(struct job_params *p, const char *data, char *err, size_t errlen)
{
	FILE *in;
	long size;

	free(p->body);
	p->body = NULL;
	if (data[0] != '@') {
		p->body_len = strlen(data);
		p->body = (uint8_t *)strdup(data);
		return p->body == NULL ?
			job_err(err, errlen, "out of memory") : 0;
	}
	in = fopen(data + 1, "rb");
	if (in == NULL)
		return job_err(err, errlen, "--data %s: %s", data,
			       strerror(errno));
	if (fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < 0 ||
	    fseek(in, 0, SEEK_SET) != 0) {
		fclose(in);
		return job_err(err, errlen, "--data %s: cannot tell its size",
			       data);
	}
	p->body = malloc(size > 0 ? (size_t)size : 1);
	if (p->body == NULL) {
		fclose(in);
		return job_err(err, errlen, "--data %s: out of memory", data);
	}
	p->body_len = (uint64_t)size;
	if (size > 0 && fread(p->body, 1, (size_t)size, in) != (size_t)size) {
		fclose(in);
		return job_err(err, errlen, "--data %s: read error", data);
	}
	fclose(in);
	return 0;
}

int
job_params_from_config(struct job_params *p, const struct dpf_config *cfg,
		       FILE *out, char *err, size_t errlen)
{
	json_t *j = json_deep_copy(cfg->job);
	unsigned int i;
	int rc;

	if (j == NULL)
		return job_err(err, errlen, "out of memory");
	if (cfg->method != NULL)
		json_object_set_new(j, "method", json_string(cfg->method));
	if (!cfg->load_mode) {
		/* One request; the --timeout deadline speaks first. */
		uint64_t ms = (uint64_t)(cfg->timeout_s * 1000) + 1000;

		json_object_set_new(j, "connections", json_integer(1));
		json_object_set_new(j, "requests", json_integer(1));
		json_object_set_new(j, "requests_per_connection",
				    json_integer(1));
		json_object_set_new(j, "connect_timeout_ms",
				    json_integer((json_int_t)ms));
		json_object_set_new(j, "response_timeout_ms",
				    json_integer((json_int_t)ms));
	}
	rc = job_params_from_json(p, j, err, errlen);
	json_decref(j);
	if (rc != 0)
		return -1;
	for (i = 0; i < cfg->n_headers; i++) {
		if (p->n_headers == JOB_MAX_HEADERS)
			return job_err(err, errlen, "more than %d headers",
				       JOB_MAX_HEADERS);
		p->headers[p->n_headers] = strdup(cfg->headers[i]);
		if (p->headers[p->n_headers++] == NULL)
			return job_err(err, errlen, "out of memory");
	}
	if (cfg->data != NULL) {
		if (load_body(p, cfg->data, err, errlen) != 0)
			return -1;
		if (cfg->method == NULL &&
		    json_object_get(cfg->job, "method") == NULL)
			snprintf(p->method, sizeof(p->method), "POST");
	}
	if (!cfg->load_mode) {
		p->out = out;
		p->deadline_s = cfg->timeout_s;
	}
	return 0;
}

/* The head of a request for URL u, with or without "Connection: close". */
static char *
job_head(const struct job_params *p, unsigned int u, int close,
	 uint32_t *len)
{
	return http_client_request_head(p->method, &p->urls[u], p->headers,
					p->n_headers, p->body != NULL,
					p->body_len, close, len);
}

static int
job_wants_lcore(const struct job_params *p, unsigned int lcore)
{
	if ((p->lcore_mask[0] | p->lcore_mask[1] | p->lcore_mask[2] |
	     p->lcore_mask[3]) == 0)
		return 1;
	return lcore < 256 && ((p->lcore_mask[lcore / 64] >> (lcore % 64)) & 1);
}

/* n split over k parts, part i: the first n % k parts get one more. */
static uint64_t
split(uint64_t n, uint16_t k, uint16_t i)
{
	return n / k + (i < n % k ? 1 : 0);
}

struct job *
job_create(struct app *app, uint32_t id, struct job_params *p, char *err,
	   size_t errlen)
{
	const struct dpf_config *cfg = app->cfg;
	uint32_t mask = (uint32_t)(0xffffffffu << (32 - cfg->prefix_len));
	uint16_t idx[STEER_MAX_WORKERS];
	uint16_t n = 0, i;
	struct job *job;
	unsigned int u;

	for (i = 0; i < 4; i++) {
		uint64_t m = p->lcore_mask[i];
		uint16_t k;

		for (k = 0; k < 64; k++) {
			unsigned int l = i * 64u + k;
			uint16_t x;

			if (!((m >> k) & 1))
				continue;
			for (x = 0; x < app->n_workers; x++)
				if (app->workers[x]->lcore_id == l)
					break;
			if (x == app->n_workers) {
				job_err(err, errlen,
					"lcores: %u is not one of dpfetch's lcores (EAL -l)",
					l);
				return NULL;
			}
		}
	}
	for (i = 0; i < app->n_workers; i++)
		if (job_wants_lcore(p, app->workers[i]->lcore_id))
			idx[n++] = i;
	if (n == 0) {
		job_err(err, errlen, "lcores: none of them runs a worker");
		return NULL;
	}
	if (p->src_lo != 0) {
		if ((p->src_lo & mask) != (cfg->ip & mask) ||
		    (p->src_hi & mask) != (cfg->ip & mask)) {
			job_err(err, errlen,
				"src_ips: outside the --ip prefix /%u: the peers could not answer them",
				cfg->prefix_len);
			return NULL;
		}
		if (cfg->gateway >= p->src_lo && cfg->gateway <= p->src_hi) {
			job_err(err, errlen, "src_ips: includes the gateway");
			return NULL;
		}
	}

	job = rte_zmalloc("job", sizeof(*job) + n * sizeof(job->shares[0]),
			  RTE_CACHE_LINE_SIZE);
	if (job == NULL) {
		job_err(err, errlen, "out of memory for the job");
		return NULL;
	}
	job->id = id;
	job->app = app;
	job->p = *p;
	memset(p, 0, sizeof(*p));	/* the job owns the allocations now */
	job->head_request = strcmp(job->p.method, "HEAD") == 0;
	job->n_shares = n;
	for (u = 0; u < job->p.n_urls; u++) {
		job->req_head[u] = job_head(&job->p, u, 0,
					    &job->req_head_len[u]);
		job->req_head_close[u] = job_head(&job->p, u, 1,
						  &job->req_head_close_len[u]);
		if (job->req_head[u] == NULL || job->req_head_close[u] == NULL) {
			job_err(err, errlen,
				"the request head is over %d bytes (too many or too long headers)",
				HTTP_REQUEST_MAX);
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		struct worker *w = app->workers[idx[i]];
		struct job_share *s;

		s = rte_zmalloc_socket("job_share", sizeof(*s),
				       RTE_CACHE_LINE_SIZE,
				       (int)rte_lcore_to_socket_id(w->lcore_id));
		if (s == NULL) {
			job_err(err, errlen, "out of memory for the job");
			goto fail;
		}
		job->shares[i] = s;
		s->job = job;
		s->w = w;
		s->index = i;
		s->conn_target = (uint32_t)split(job->p.connections, n, i);
		s->req_quota = split(job->p.requests, n, i);
		job_pace_init(&s->pace, job->p.rate_cps / n,
			      job->p.rate_rps / n);
		hist_init(&s->lat_connect);
		hist_init(&s->lat_ttfb);
		hist_init(&s->lat_total);
		/* A share with nothing to do is done from the start. */
		if ((job->p.requests != 0 && s->req_quota == 0) ||
		    s->conn_target == 0)
			s->done = 1;
	}
	if (job->p.src_lo != 0 &&
	    ipv4_add_local_range(app, job->p.src_lo, job->p.src_hi) != 0) {
		job_err(err, errlen,
			"src_ips: too many address ranges in use (%d)",
			LOCAL_RANGES_MAX);
		goto fail;
	}
	return job;
fail:
	job_free(job);
	return NULL;
}

static void
share_start_on_worker(struct worker *w, void *arg)
{
	job_runner_start(w, arg);
}

int
job_start(struct job *job)
{
	uint16_t i;

	job->started = 1;
	for (i = 0; i < job->n_shares; i++) {
		struct job_share *s = job->shares[i];

		if (s->done)
			continue;
		if (worker_call(job->app, s->w->index, share_start_on_worker,
				s) != 0)
			return -1;
	}
	return 0;
}

void
job_stop(struct job *job)
{
	__atomic_store_n(&job->stop, 1, __ATOMIC_RELEASE);
}

int
job_finished(const struct job *job)
{
	uint16_t i;

	for (i = 0; i < job->n_shares; i++)
		if (!__atomic_load_n(&job->shares[i]->done, __ATOMIC_ACQUIRE))
			return 0;
	return 1;
}

void
job_totals(const struct job *job, struct job_counters *c)
{
	uint16_t i;
	size_t k;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < job->n_shares; i++) {
		const uint64_t *src = (const uint64_t *)&job->shares[i]->cnt;
		uint64_t *dst = (uint64_t *)c;

		for (k = 0; k < sizeof(*c) / sizeof(uint64_t); k++)
			dst[k] += src[k];
	}
}

enum job_state
job_state(const struct job *job)
{
	struct job_counters c;

	if (!job->started)
		return JOB_CREATED;
	if (!job_finished(job))
		return JOB_RUNNING;
	if (job->stop)
		return JOB_STOPPED;
	job_totals(job, &c);
	/* Nothing answered and something failed: the target was never
	 * reached (no ARP answer, refused, timed out...). */
	if (c.responses == 0 && (c.requests_failed > 0 ||
				 c.errors[JOB_ERR_ARP] > 0 ||
				 c.errors[JOB_ERR_NO_ROUTE] > 0 ||
				 c.errors[JOB_ERR_LINK_DOWN] > 0 ||
				 c.errors[JOB_ERR_LOCAL] > 0))
		return JOB_FAILED;
	return JOB_DONE;
}

const char *
job_first_error(const struct job *job)
{
	uint16_t i;

	for (i = 0; i < job->n_shares; i++)
		if (job->shares[i]->error[0] != '\0')
			return job->shares[i]->error;
	return "";
}

static json_t *
hist_json(const struct hist *h)
{
	struct hist_summary s;

	hist_summarize(h, &s);
	return json_pack("{s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I}",
			 "count", (json_int_t)s.count,
			 "min", (json_int_t)(s.count ? s.min : 0),
			 "mean", s.mean,
			 "p50", (json_int_t)s.p50, "p90", (json_int_t)s.p90,
			 "p99", (json_int_t)s.p99, "p999", (json_int_t)s.p999,
			 "max", (json_int_t)s.max);
}

/* The job's time so far: from its first share's start to the last
 * share's end (or now). */
static double
job_elapsed_s(const struct job *job, uint64_t now_us)
{
	uint64_t start = 0, end = 0;
	int running = 0;
	uint16_t i;

	for (i = 0; i < job->n_shares; i++) {
		const struct job_share *s = job->shares[i];

		if (s->start_us != 0 && (start == 0 || s->start_us < start))
			start = s->start_us;
		if (!s->done)
			running = 1;
		if (s->end_us > end)
			end = s->end_us;
	}
	if (start == 0)
		return 0;
	if (running || end < start)
		end = now_us;
	return (double)(end - start) / 1e6;
}

static json_t *
series_json(const struct job *job)
{
	json_t *a = json_array();
	uint32_t n = UINT32_MAX, k;
	uint16_t i;

	for (i = 0; i < job->n_shares; i++) {
		const struct job_share *s = job->shares[i];
		uint32_t m = __atomic_load_n(&s->n_samples, __ATOMIC_ACQUIRE);

		if (s->start_us == 0)
			continue;
		if (m < n)
			n = m;
	}
	if (n == UINT32_MAX)
		return a;
	/* Second k is the difference of samples k and k-1, summed. */
	for (k = n > JOB_SERIES_MAX ? n - JOB_SERIES_MAX + 1 : 0; k < n; k++) {
		struct job_sample d = { 0 };

		for (i = 0; i < job->n_shares; i++) {
			const struct job_share *s = job->shares[i];
			const struct job_sample *cur, *prev;
			static const struct job_sample zero;

			if (s->start_us == 0)
				continue;
			cur = &s->series[k % JOB_SERIES_MAX];
			prev = k == 0 ? &zero :
				&s->series[(k - 1) % JOB_SERIES_MAX];
			d.requests += cur->requests - prev->requests;
			d.responses += cur->responses - prev->responses;
			d.conns_opened += cur->conns_opened -
				prev->conns_opened;
			d.bytes_rx += cur->bytes_rx - prev->bytes_rx;
			d.open += cur->open;
		}
		json_array_append_new(a, json_pack(
			"{s:I, s:I, s:I, s:I, s:f, s:I}",
			"t", (json_int_t)k + 1,
			"rps", (json_int_t)d.responses,
			"requests", (json_int_t)d.requests,
			"cps", (json_int_t)d.conns_opened,
			"gbps", (double)d.bytes_rx * 8 / 1e9,
			"open", (json_int_t)d.open));
	}
	return a;
}

json_t *
job_status_json(const struct job *job, uint64_t now_us, int with_series)
{
	struct job_counters c;
	struct hist *h;
	json_t *o, *resp, *codes, *errs, *urls, *lat, *params;
	uint64_t cls[6] = { 0 };
	uint32_t open = 0;
	double el;
	unsigned int i;
	uint16_t k;

	job_totals(job, &c);
	el = job_elapsed_s(job, now_us);
	codes = json_object();
	for (i = 100; i < JOB_STATUS_CODES; i++) {
		char key[8];

		if (c.status[i] == 0)
			continue;
		snprintf(key, sizeof(key), "%u", i);
		json_object_set_new(codes, key, json_integer((json_int_t)c.status[i]));
		cls[i / 100] += c.status[i];
	}
	resp = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}",
			 "1xx", (json_int_t)cls[1], "2xx", (json_int_t)cls[2],
			 "3xx", (json_int_t)cls[3], "4xx", (json_int_t)cls[4],
			 "5xx", (json_int_t)cls[5], "by_code", codes);
	errs = json_object();
	for (i = 0; i < JOB_ERR_MAX; i++)
		json_object_set_new(errs, error_names[i],
				    json_integer((json_int_t)c.errors[i]));
	/* The parameters as the job runs them (defaults filled in). */
	params = job_params_to_json(&job->p, 1);
	urls = json_incref(json_object_get(params, "urls"));
	for (k = 0; k < job->n_shares; k++)
		open += job->shares[k]->n_open;

	/* Merge the histograms (6 KiB each) on the heap, not the stack. */
	h = malloc(3 * sizeof(*h));
	lat = json_object();
	if (h != NULL) {
		hist_init(&h[0]);
		hist_init(&h[1]);
		hist_init(&h[2]);
		for (k = 0; k < job->n_shares; k++) {
			hist_merge(&h[0], &job->shares[k]->lat_connect);
			hist_merge(&h[1], &job->shares[k]->lat_ttfb);
			hist_merge(&h[2], &job->shares[k]->lat_total);
		}
		json_object_set_new(lat, "connect", hist_json(&h[0]));
		json_object_set_new(lat, "ttfb", hist_json(&h[1]));
		json_object_set_new(lat, "total", hist_json(&h[2]));
		free(h);
	}
	o = json_pack("{s:I, s:s, s:o, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:I, "
		      "s:I, s:I, s:I, s:f, s:{s:f, s:f, s:f}, s:o}",
		      "job", (json_int_t)job->id,
		      "state", job_state_name(job_state(job)),
		      "urls", urls,
		      "requests_sent", (json_int_t)c.requests_sent,
		      "requests_failed", (json_int_t)c.requests_failed,
		      "requests_cancelled", (json_int_t)c.requests_cancelled,
		      "responses", resp,
		      "errors", errs,
		      "bytes_rx", (json_int_t)c.bytes_rx,
		      "body_bytes", (json_int_t)c.body_bytes,
		      "bytes_tx", (json_int_t)c.bytes_tx,
		      "connections_opened", (json_int_t)c.conns_opened,
		      "connections_established", (json_int_t)c.conns_established,
		      "connections_open", (json_int_t)open,
		      "elapsed_s", el,
		      "rates",
		      "rps", el > 0 ? (double)c.responses / el : 0.0,
		      "cps", el > 0 ? (double)c.conns_opened / el : 0.0,
		      "gbps", el > 0 ? (double)c.bytes_rx * 8 / el / 1e9 : 0.0,
		      "latency_us", lat);
	json_object_set_new(o, "params", params);
	if (job_first_error(job)[0] != '\0')
		json_object_set_new(o, "first_error",
				    json_string(job_first_error(job)));
	if (with_series)
		json_object_set_new(o, "series", series_json(job));
	return o;
}

void
job_free(struct job *job)
{
	unsigned int i;

	if (job == NULL)
		return;
	for (i = 0; i < job->n_shares; i++)
		rte_free(job->shares[i]);
	for (i = 0; i < JOB_MAX_URLS; i++) {
		free(job->req_head[i]);
		free(job->req_head_close[i]);
	}
	job_params_free(&job->p);
	rte_free(job);
}

void
job_registry_init(struct job_registry *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->next_id = 1;
}

void
job_registry_fini(struct job_registry *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		job_free(r->jobs[i]);
	r->n = 0;
	pthread_mutex_destroy(&r->lock);
}

void
job_registry_lock(struct job_registry *r)
{
	pthread_mutex_lock(&r->lock);
}

void
job_registry_unlock(struct job_registry *r)
{
	pthread_mutex_unlock(&r->lock);
}

uint32_t
job_registry_next_id(struct job_registry *r)
{
	return r->next_id++;
}

int
job_registry_add(struct job_registry *r, struct job *job)
{
	unsigned int i;

	if (r->n == JOB_REGISTRY_MAX) {
		/* Workers are done with a finished job's shares. */
		for (i = 0; i < r->n; i++)
			if (job_finished(r->jobs[i]))
				break;
		if (i == r->n)
			return -1;
		job_free(r->jobs[i]);
		memmove(r->jobs[i], r->jobs[i + 1],
			(r->n - i - 1) * sizeof(r->jobs[0]));
		r->n--;
	}
	r->jobs[r->n++] = job;
	return 0;
}

struct job *
job_registry_find(struct job_registry *r, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->jobs[i]->id == id)
			return r->jobs[i];
	return NULL;
}
