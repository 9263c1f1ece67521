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
#include <rte_random.h>

#include "config.h"
#include "http_client.h"
#include "http_msg.h"
#include "ipv4.h"
#include "ipv6_ranges.h"
#include "job.h"
#include "tcp.h"
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
	[JOB_ERR_BACKLOG_OVERFLOW] = "backlog_overflow",
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
		p->trace = cfg->verbose;
	}
	return 0;
}

/* The head template of mix entry u (its own method, headers and Host),
 * with or without "Connection: close": a body's length is a variable. */
static char *
job_mix_head(const struct job_params *p, unsigned int u, int close,
	     uint32_t *len)
{
	const struct job_mix_entry *m = &p->mix[u];
	char *h[JOB_MIX_MAX_HEADERS + 1];
	static char cl[] = "Content-Length: ${body_len}";
	unsigned int n = m->n_headers, i;

	memcpy(h, m->headers, n * sizeof(h[0]));
	for (i = 0; i < n; i++)
		if (strncasecmp(h[i], "Content-Length:", 15) == 0)
			break;
	if (i == n && (m->body != NULL || strcmp(m->method, "POST") == 0 ||
		       strcmp(m->method, "PUT") == 0))
		h[n++] = cl;
	return http_client_request_head(m->method, &p->urls[u], h, n, 0, 0,
					close, len);
}

/* The destinations of the job's URLs (address and port): each URL's,
 * and with more than one, each one's URLs and (a mix) their weighted
 * pick.  0, or -1 with err. */
/* Whether two URLs reach the same address and port (either family). */
static int
url_same_dest(const struct url *a, const struct url *b)
{
	if (a->is_ipv6 != b->is_ipv6 || a->port != b->port)
		return 0;
	return a->is_ipv6 ? memcmp(a->ipv6, b->ipv6, 16) == 0 :
		a->ipv4 == b->ipv4;
}

static int
job_dests_init(struct job *job, char *err, size_t errlen)
{
	const struct job_params *p = &job->p;
	unsigned int rep[JOB_MAX_DESTS], u, d;
	uint32_t w[JOB_MAX_URLS];

	job->n_dests = 0;
	for (u = 0; u < p->n_urls; u++) {
		for (d = 0; d < job->n_dests; d++)
			if (url_same_dest(&p->urls[rep[d]], &p->urls[u]))
				break;
		if (d == job->n_dests) {
			if (d == JOB_MAX_DESTS)
				return job_err(err, errlen,
					       "%s: the URLs reach more than %d destinations (address and port)",
					       p->n_mix > 0 ? "mix" : "urls",
					       JOB_MAX_DESTS);
			rep[job->n_dests++] = u;
		}
		job->dest_of[u] = (uint8_t)d;
	}
	if (job->n_dests < 2)
		return 0;
	job->dests = calloc(job->n_dests, sizeof(*job->dests));
	if (job->dests == NULL)
		return job_err(err, errlen, "out of memory for the URLs");
	for (u = 0; u < p->n_urls; u++) {
		struct job_dest *jd = &job->dests[job->dest_of[u]];

		jd->url[jd->n++] = (uint8_t)u;
		jd->weight += p->n_mix > 0 ? p->mix[u].weight : 1;
	}
	for (d = 0; p->n_mix > 0 && d < job->n_dests; d++) {
		struct job_dest *jd = &job->dests[d];

		for (u = 0; u < jd->n; u++)
			w[u] = p->mix[jd->url[u]].weight;
		if (mix_pick_init(&jd->pick, w, jd->n) != 0)
			return job_err(err, errlen, "mix: bad weights");
	}
	return 0;
}

/* Compile the mix's requests and its weights: 0, or -1 with err naming
 * the entry. */
static int
job_mix_init(struct job *job, char *err, size_t errlen)
{
	const struct job_params *p = &job->p;
	uint32_t w[JOB_MAX_MIX];
	char terr[256];
	unsigned int u;

	job->mix_req = calloc(p->n_mix, sizeof(*job->mix_req));
	if (job->mix_req == NULL)
		return job_err(err, errlen, "out of memory for the mix");
	for (u = 0; u < p->n_mix; u++) {
		const struct job_mix_entry *m = &p->mix[u];
		struct mix_request *r = &job->mix_req[u];

		if (mix_request_compile(r, job->req_head[u],
					job->req_head_close[u],
					(const char *)m->body, m->body_len,
					terr, sizeof(terr)) != 0)
			return job_err(err, errlen, "mix[%u]: %s", u, terr);
		if (r->max_len > MIX_REQUEST_MAX)
			return job_err(err, errlen,
				       "mix[%u]: the request may reach %u bytes, more than %d",
				       u, r->max_len, MIX_REQUEST_MAX);
		job->mix_head[u] = strcmp(m->method, "HEAD") == 0;
		w[u] = m->weight;
	}
	if (mix_pick_init(&job->mix_pick, w, p->n_mix) != 0)
		return job_err(err, errlen, "mix: bad weights");
	job->mix_seed = rte_rand();
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

/* The share's part of the job's rates, steps and backlog. */
static void
share_pace_init(struct job_share *s, const struct job_params *p,
		uint16_t n)
{
	struct sched_step steps[JOB_MAX_STEPS], churn[JOB_MAX_STEPS];
	struct job_pace_params pp = {
		.cps = p->rate_cps / n,
		.rps = p->rate_rps / n,
		.churn_cps = p->churn_cps / n,
		.ramp_s = p->ramp_s,
		.poisson = p->arrival_poisson,
		.rps_steps = steps,
		.churn_steps = churn,
		.max_backlog = p->max_backlog == 0 ? 0 :
			(p->max_backlog + n - 1) / n,
		/* Shares of a Poisson job arrive independently. */
		.seed = rte_rand(),
	};
	unsigned int i;

	/* Each dial steps where a step names it. */
	for (i = 0; i < p->n_steps; i++) {
		const struct job_step *st = &p->steps[i];

		if (!isnan(st->rate_rps))
			steps[pp.n_rps_steps++] = (struct sched_step){
				.at_s = st->at_s, .rate = st->rate_rps / n };
		if (!isnan(st->churn_cps))
			churn[pp.n_churn_steps++] = (struct sched_step){
				.at_s = st->at_s, .rate = st->churn_cps / n };
	}
	job_pace_init(&s->pace, &pp);
}

/* errors.KIND thresholds name one of error_names (the parser knows
 * only the syntax). */
int
job_threshold_kinds_check(const struct threshold *t, unsigned int n,
			  char *err, size_t errlen)
{
	unsigned int i, e;

	for (i = 0; i < n; i++) {
		const char *kind = t[i].kind;

		if (kind[0] == '\0')
			continue;
		for (e = 0; e < JOB_ERR_MAX; e++)
			if (strcmp(kind, error_names[e]) == 0)
				break;
		if (e == JOB_ERR_MAX)
			return job_err(err, errlen,
				       "threshold '%s': no error kind '%s' (see errors in fetch.status)",
				       t[i].expr, kind);
	}
	return 0;
}

/* Whether bits of a and b agree up to prefix (network byte order). */
static int
ip6_same_prefix(const uint8_t *a, const uint8_t *b, unsigned int prefix)
{
	unsigned int i;

	for (i = 0; i < 16 && prefix > 0; i++, prefix -= RTE_MIN(prefix, 8u)) {
		uint8_t mask = (uint8_t)(0xff00 >> RTE_MIN(prefix, 8u));

		if ((a[i] ^ b[i]) & mask)
			return 0;
	}
	return 1;
}

/* IPv6 URLs need --ip6, and IPv6 src_ips must be in its prefix (the
 * peers could not answer them otherwise).  0, or -1 with err. */
static int
job_check_ip6(const struct dpf_config *cfg, const struct job_params *p,
	      char *err, size_t errlen)
{
	uint8_t last[16];
	uint32_t a;
	unsigned int i;

	for (i = 0; i < p->n_urls; i++) {
		if (p->urls[i].is_ipv6 && !cfg->has_ip6) {
			job_err(err, errlen,
				"urls[%u]: %s is an IPv6 address: give dpfetch --ip6",
				i, p->urls[i].host);
			return -1;
		}
		if (!p->urls[i].is_ipv6 && cfg->ip == 0) {
			job_err(err, errlen,
				"urls[%u]: %s is an IPv4 address: give dpfetch --ip",
				i, p->urls[i].host);
			return -1;
		}
	}
	if (p->src6_n == 0)
		return 0;
	if (!cfg->has_ip6) {
		job_err(err, errlen,
			"src_ips: IPv6 addresses need --ip6");
		return -1;
	}
	memcpy(last, p->src6_lo, 16);
	memcpy(&a, last + 12, 4);
	a = rte_cpu_to_be_32(rte_be_to_cpu_32(a) + p->src6_n - 1);
	memcpy(last + 12, &a, 4);
	/* Within one --ip6 prefix, any of them: the peers on it can
	 * resolve the range by Neighbor Discovery. */
	for (i = 0; i < cfg->n_addrs6 || i == 0; i++) {
		const uint8_t *ip = cfg->n_addrs6 > 0 ?
			cfg->addrs6[i].ip : cfg->ip6;
		unsigned int len = cfg->n_addrs6 > 0 ?
			cfg->addrs6[i].prefix_len : cfg->ip6_prefix;

		if (ip6_same_prefix(p->src6_lo, ip, len) &&
		    ip6_same_prefix(last, ip, len))
			return 0;
	}
	if (cfg->n_addrs6 > 1)
		job_err(err, errlen,
			"src_ips: not inside the prefix of any --ip6: the peers could not answer them");
	else
		job_err(err, errlen,
			"src_ips: outside the --ip6 prefix /%u: the peers could not answer them",
			cfg->ip6_prefix);
	return -1;
}

struct job *
job_create(struct app *app, uint32_t id, struct job_params *p, char *err,
	   size_t errlen)
{
	const struct dpf_config *cfg = app->cfg;
	/* No --ip: all ones, so that no IPv4 source range fits. */
	uint32_t mask = cfg->prefix_len == 0 ? 0xffffffffu :
		(uint32_t)(0xffffffffu << (32 - cfg->prefix_len));
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
	if (job_threshold_kinds_check(p->thresholds, p->n_thresholds, err,
				      errlen) != 0)
		return NULL;
	for (i = 0; i < app->n_workers; i++)
		if (job_wants_lcore(p, app->workers[i]->lcore_id))
			idx[n++] = i;
	if (n == 0) {
		job_err(err, errlen, "lcores: none of them runs a worker");
		return NULL;
	}
	if (p->src_lo != 0 && app->n_addrs > 1) {
		/* Several --ip: inside one of their prefixes, and no
		 * gateway of theirs. */
		uint16_t a;

		for (a = 0; a < app->n_addrs; a++) {
			uint32_t am = route_mask(app->addrs[a].prefix_len);

			if ((p->src_lo & am) == (app->addrs[a].ip & am) &&
			    (p->src_hi & am) == (app->addrs[a].ip & am))
				break;
		}
		if (a == app->n_addrs) {
			job_err(err, errlen,
				"src_ips: not inside the prefix of any --ip: the peers could not answer them");
			return NULL;
		}
		for (a = 0; a < app->routes.n; a++)
			if (app->routes.r[a].gateway >= p->src_lo &&
			    app->routes.r[a].gateway <= p->src_hi) {
				job_err(err, errlen,
					"src_ips: includes a gateway");
				return NULL;
			}
	} else if (p->src_lo != 0) {
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

	if (job_check_ip6(cfg, p, err, errlen) != 0)
		return NULL;

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
	/* The trace is for one connection (one writer): a one-shot. */
	if (job->p.trace > 0 && job->p.connections == 1) {
		job->trace = calloc(1, sizeof(*job->trace));
		if (job->trace != NULL)
			job->trace->level = job->p.trace;
	}
	job->n_shares = n;
	for (u = 0; u < job->p.n_urls; u++) {
		char *(*head)(const struct job_params *, unsigned int, int,
			      uint32_t *) =
			job->p.n_mix > 0 ? job_mix_head : job_head;

		job->req_head[u] = head(&job->p, u, 0, &job->req_head_len[u]);
		job->req_head_close[u] = head(&job->p, u, 1,
					      &job->req_head_close_len[u]);
		if (job->req_head[u] == NULL || job->req_head_close[u] == NULL) {
			job_err(err, errlen,
				"the request head is over %d bytes (too many or too long headers)",
				HTTP_REQUEST_MAX);
			goto fail;
		}
		job->req_head_sum[u] = tcp_ref_sum(job->req_head[u],
						   job->req_head_len[u]);
		job->req_head_close_sum[u] =
			tcp_ref_sum(job->req_head_close[u],
				    job->req_head_close_len[u]);
	}
	if (job->p.n_mix > 0 && job_mix_init(job, err, errlen) != 0)
		goto fail;
	if (job_dests_init(job, err, errlen) != 0)
		goto fail;
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
		share_pace_init(s, &job->p, n);
		hist_init(&s->lat_connect);
		hist_init(&s->lat_ttfb);
		hist_init(&s->lat_total);
		hist_init(&s->late_ttfb);
		hist_init(&s->late_total);
		hist_init(&s->late_service);
		hist_init(&s->late_service_ttfb);
		hist_init(&s->lat_churn_connect);
		hist_init(&s->lat_churn_total);
		for (u = 0; u < JOB_SEC_RING; u++)
			hist_init(&s->sec_total[u]);
		if (job->p.n_mix > 0) {
			s->mix_cnt = calloc(job->p.n_mix, sizeof(*s->mix_cnt));
			s->mix_lat = calloc(job->p.n_mix, sizeof(*s->mix_lat));
			s->mix_buf = malloc(2 * MIX_REQUEST_MAX);
			if (s->mix_cnt == NULL || s->mix_lat == NULL ||
			    s->mix_buf == NULL) {
				job_err(err, errlen,
					"out of memory for the mix");
				goto fail;
			}
			for (u = 0; u < job->p.n_mix; u++)
				hist_init(&s->mix_lat[u]);
		}
		/* A share with nothing to do is done from the start. */
		if ((job->p.requests != 0 && s->req_quota == 0) ||
		    (s->conn_target == 0 && !s->pace.churn.paced))
			s->done = 1;
	}
	if (job->p.src6_n != 0 &&
	    ipv6_add_local_range(app, job->p.src6_lo, job->p.src6_n) != 0) {
		job_err(err, errlen,
			"src_ips: too many IPv6 address ranges in use (%d)",
			LOCAL_RANGES_MAX);
		goto fail;
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

static const char *const lat_names[JOB_LAT_MAX] = {
	[JOB_LAT_CONNECT] = "connect",
	[JOB_LAT_TTFB] = "ttfb",
	[JOB_LAT_TOTAL] = "total",
	[JOB_LAT_SERVICE] = "service",
	[JOB_LAT_SERVICE_TTFB] = "service_ttfb",
};

/* Rows of a distribution: enough for HdrHistogram's 5 ticks per half
 * down to one sample in 2^30. */
#define JOB_DIST_ROWS		192

/* Every share's histograms merged into h[JOB_LAT_MAX]. */
static void
merge_hists(const struct job *job, struct hist *h)
{
	unsigned int l;
	uint16_t k;

	for (l = 0; l < JOB_LAT_MAX; l++)
		hist_init(&h[l]);
	for (k = 0; k < job->n_shares; k++) {
		const struct job_share *s = job->shares[k];

		hist_merge(&h[JOB_LAT_CONNECT], &s->lat_connect);
		/* Requests that went on time count in both views alike
		 * (job.h). */
		hist_merge(&h[JOB_LAT_TTFB], &s->lat_ttfb);
		hist_merge(&h[JOB_LAT_TTFB], &s->late_ttfb);
		hist_merge(&h[JOB_LAT_TOTAL], &s->lat_total);
		hist_merge(&h[JOB_LAT_TOTAL], &s->late_total);
		hist_merge(&h[JOB_LAT_SERVICE], &s->lat_total);
		hist_merge(&h[JOB_LAT_SERVICE], &s->late_service);
		hist_merge(&h[JOB_LAT_SERVICE_TTFB], &s->lat_ttfb);
		hist_merge(&h[JOB_LAT_SERVICE_TTFB], &s->late_service_ttfb);
	}
}

/* The same on the heap (6 KiB each); NULL when out of memory. */
static struct hist *
merged_hists(const struct job *job)
{
	struct hist *h = malloc(JOB_LAT_MAX * sizeof(*h));

	if (h != NULL)
		merge_hists(job, h);
	return h;
}

/* count, min, mean, the job's percentiles, max. */
static json_t *
hist_json(const struct hist *h, const struct job_params *p)
{
	json_t *o = json_object();
	char key[32];
	unsigned int i;

	json_object_set_new(o, "count", json_integer((json_int_t)hist_count(h)));
	json_object_set_new(o, "min", json_integer((json_int_t)hist_min(h)));
	json_object_set_new(o, "mean", json_real(hist_mean(h)));
	for (i = 0; i < p->n_percentiles; i++) {
		hist_pct_key(p->percentiles[i], key, sizeof(key));
		json_object_set_new(o, key, json_integer((json_int_t)
			hist_percentile(h, p->percentiles[i])));
	}
	json_object_set_new(o, "max", json_integer((json_int_t)hist_max(h)));
	return o;
}

const uint64_t job_buckets_us[] = {
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 5000000, 10000000, 0
};

/* [[le_us, samples <= le], ...] at job_buckets_us. */
static json_t *
buckets_json(const struct hist *h)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; a != NULL && job_buckets_us[i] != 0; i++)
		json_array_append_new(a, json_pack("[I, I]",
			(json_int_t)job_buckets_us[i],
			(json_int_t)hist_count_le(h, job_buckets_us[i])));
	return a;
}

/* HdrHistogram's .hgrm rows: value, percentile, cumulative count. */
static json_t *
distribution_json(const struct hist *h)
{
	struct hist_row rows[JOB_DIST_ROWS];
	unsigned int n = hist_distribution(h, 5, rows, JOB_DIST_ROWS), i;
	json_t *a = json_array();

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:f, s:I}",
			"value_us", (json_int_t)rows[i].value,
			"percentile", rows[i].percentile,
			"count", (json_int_t)rows[i].count));
	return a;
}

double
job_errors_total(const struct job_counters *c)
{
	double n = 0;
	unsigned int i;

	for (i = 0; i < JOB_ERR_MAX; i++)
		n += (double)c->errors[i];
	return n;
}

static double
latency_value(const struct hist *h, const struct threshold *t)
{
	switch (t->stat) {
	case THRESHOLD_MIN: return (double)hist_min(h);
	case THRESHOLD_MAX: return (double)hist_max(h);
	case THRESHOLD_MEAN: return hist_mean(h);
	case THRESHOLD_COUNT: return (double)hist_count(h);
	default: return (double)hist_percentile(h, t->pct);
	}
}

/* What t's metric measures in this result; NAN when unknown. */
static double
threshold_value(const struct threshold *t, const struct job_counters *c,
		const struct hist *h, double el)
{
	unsigned int i;

	if (t->latency) {
		for (i = 0; i < JOB_LAT_MAX; i++)
			if (strcmp(t->name, lat_names[i]) == 0)
				return latency_value(&h[i], t);
		return NAN;
	}
	if (strcmp(t->name, "errors") == 0) {
		if (t->kind[0] == '\0')
			return job_errors_total(c);
		for (i = 0; i < JOB_ERR_MAX; i++)
			if (strcmp(t->kind, error_names[i]) == 0)
				return (double)c->errors[i];
		return NAN;
	}
	if (strcmp(t->name, "rps") == 0)
		return el > 0 ? (double)c->responses / el : 0;
	if (strcmp(t->name, "cps") == 0)
		return el > 0 ? (double)c->conns_opened / el : 0;
	if (strcmp(t->name, "gbps") == 0)
		return el > 0 ? (double)c->bytes_rx * 8 / el / 1e9 : 0;
	if (strcmp(t->name, "requests") == 0)
		return (double)c->requests_sent;
	if (strcmp(t->name, "requests_failed") == 0)
		return (double)c->requests_failed;
	if (strcmp(t->name, "responses") == 0)
		return (double)c->responses;
	if (strcmp(t->name, "connections") == 0)
		return (double)c->conns_opened;
	if (t->name[1] == 'x' && t->name[2] == 'x') {
		double n = 0;

		for (i = 0; i < 100; i++)
			n += (double)c->status[(t->name[0] - '0') * 100 + i];
		return n;
	}
	return NAN;
}

json_t *
job_thresholds_json(const struct threshold *th, unsigned int n,
		    const struct job_counters *c, const struct hist *h,
		    double el, unsigned int *failed)
{
	json_t *a = json_array();
	unsigned int i;

	*failed = 0;
	for (i = 0; i < n; i++) {
		const struct threshold *t = &th[i];
		double v = threshold_value(t, c, h, el);
		int ok = !isnan(v) && threshold_holds(t, v);

		*failed += !ok;
		json_array_append_new(a, json_pack("{s:s, s:f, s:b}",
			"expr", t->expr, "value", isnan(v) ? 0.0 : v,
			"ok", ok));
	}
	return a;
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

/*
 * Per-second percentiles.  Each share records second k's total latency
 * into its ring slot k % JOB_SEC_RING and clears slot k + 1 when it
 * publishes second k (n_samples = k + 1).  Second j can be merged once
 * every share still running has published it (n_samples > j); it is
 * only safe while no share has reused its slot (n_samples < j + RING),
 * checked before and after reading: a share that lagged that far makes
 * the second JOB_SEC_UNKNOWN rather than wrong.
 */
static int
second_ready(const struct job *job, uint32_t j)
{
	uint16_t i;

	for (i = 0; i < job->n_shares; i++) {
		const struct job_share *s = job->shares[i];
		uint32_t n = __atomic_load_n(&s->n_samples, __ATOMIC_ACQUIRE);

		if (n <= j && !__atomic_load_n(&s->done, __ATOMIC_ACQUIRE))
			return 0;
	}
	return 1;
}

static int
second_intact(const struct job *job, uint32_t j)
{
	uint16_t i;

	for (i = 0; i < job->n_shares; i++)
		if (__atomic_load_n(&job->shares[i]->n_samples,
				    __ATOMIC_ACQUIRE) >= j + JOB_SEC_RING)
			return 0;
	return 1;
}

/* Merge second j; 0 when it cannot be yet. */
static int
merge_second(struct job *job, uint32_t j, struct hist *h)
{
	uint16_t i;

	if (j >= JOB_SERIES_MAX || !second_ready(job, j))
		return 0;
	hist_init(h);
	if (second_intact(job, j)) {
		for (i = 0; i < job->n_shares; i++) {
			const struct job_share *s = job->shares[i];

			if (__atomic_load_n(&s->n_samples,
					    __ATOMIC_ACQUIRE) > j)
				hist_merge(h, &s->sec_total[j % JOB_SEC_RING]);
		}
	}
	if (second_intact(job, j) && hist_count(h) > 0) {
		job->sec_p50[j] = (uint32_t)RTE_MIN(hist_percentile(h, 50),
						    (uint64_t)UINT32_MAX - 1);
		job->sec_p99[j] = (uint32_t)RTE_MIN(hist_percentile(h, 99),
						    (uint64_t)UINT32_MAX - 1);
	} else {
		job->sec_p50[j] = job->sec_p99[j] = JOB_SEC_UNKNOWN;
	}
	return 1;
}

void
job_merge_seconds(struct job *job)
{
	struct hist h;	/* 6 KiB on a worker's stack, once a second */
	uint32_t j;

	__atomic_store_n(&job->sec_pending, 1, __ATOMIC_SEQ_CST);
	/* Whoever holds the lock finds sec_pending set when it lets go and
	 * merges again, so no second is left behind. */
	for (;;) {
		if (__atomic_exchange_n(&job->sec_lock, 1, __ATOMIC_SEQ_CST))
			return;
		__atomic_store_n(&job->sec_pending, 0, __ATOMIC_SEQ_CST);
		j = __atomic_load_n(&job->sec_merged, __ATOMIC_RELAXED);
		while (merge_second(job, j, &h))
			__atomic_store_n(&job->sec_merged, ++j,
					 __ATOMIC_RELEASE);
		__atomic_store_n(&job->sec_lock, 0, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&job->sec_pending, __ATOMIC_SEQ_CST))
			return;
	}
}

void
job_share_done(struct job_share *s)
{
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	job_merge_seconds(s->job);
}

static json_t *
pct_json(uint32_t v)
{
	return v == JOB_SEC_UNKNOWN ? json_null() : json_integer(v);
}

static json_t *
series_json(const struct job *job)
{
	uint32_t merged = __atomic_load_n(&job->sec_merged, __ATOMIC_ACQUIRE);
	json_t *a = json_array(), *e;
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
			d.errors += cur->errors - prev->errors;
			d.open += cur->open;
		}
		e = json_pack("{s:I, s:I, s:I, s:I, s:f, s:I, s:I}",
			      "t", (json_int_t)k + 1,
			      "rps", (json_int_t)d.responses,
			      "requests", (json_int_t)d.requests,
			      "cps", (json_int_t)d.conns_opened,
			      "gbps", (double)d.bytes_rx * 8 / 1e9,
			      "errors", (json_int_t)d.errors,
			      "open", (json_int_t)d.open);
		/* Percentiles of the second, once merged (a second late). */
		if (k < merged && d.responses > 0) {
			json_object_set_new(e, "p50_us",
					    pct_json(job->sec_p50[k]));
			json_object_set_new(e, "p99_us",
					    pct_json(job->sec_p99[k]));
		}
		json_array_append_new(a, e);
	}
	return a;
}

/* The churn apart: its counters and its connect and total latency,
 * summed and merged over the shares. */
static json_t *
churn_json(const struct job *job, double el)
{
	struct job_churn_counters c = { 0 };
	struct hist *h = malloc(2 * sizeof(*h));
	json_t *lat = json_object();
	uint16_t k;

	if (h != NULL) {
		hist_init(&h[0]);
		hist_init(&h[1]);
	}
	for (k = 0; k < job->n_shares; k++) {
		const struct job_share *s = job->shares[k];

		c.conns_opened += s->churn.conns_opened;
		c.conns_established += s->churn.conns_established;
		c.requests_sent += s->churn.requests_sent;
		c.responses += s->churn.responses;
		c.errors += s->churn.errors;
		if (h != NULL) {
			hist_merge(&h[0], &s->lat_churn_connect);
			hist_merge(&h[1], &s->lat_churn_total);
		}
	}
	if (h != NULL) {
		json_object_set_new(lat, "connect", hist_json(&h[0], &job->p));
		json_object_set_new(lat, "total", hist_json(&h[1], &job->p));
		free(h);
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:{s:f, s:f}, s:o}",
			 "connections_opened", (json_int_t)c.conns_opened,
			 "connections_established",
			 (json_int_t)c.conns_established,
			 "requests_sent", (json_int_t)c.requests_sent,
			 "responses", (json_int_t)c.responses,
			 "errors", (json_int_t)c.errors,
			 "rates",
			 "cps", el > 0 ? (double)c.conns_opened / el : 0.0,
			 "rps", el > 0 ? (double)c.responses / el : 0.0,
			 "latency_us", lat);
}

/* Per mix entry, summed over the shares: they add up to the totals. */
static json_t *
mix_result_json(const struct job *job)
{
	json_t *a = json_array();
	struct hist *h = malloc(sizeof(*h));
	unsigned int u, c;
	uint16_t k;

	if (a == NULL || h == NULL) {
		free(h);
		return a;
	}
	for (u = 0; u < job->p.n_mix; u++) {
		const struct job_mix_entry *m = &job->p.mix[u];
		const struct url *url = &job->p.urls[u];
		struct job_mix_counters t = { 0 };
		char text[URL_MAX_HOST + URL_MAX_PATH + 32];

		hist_init(h);
		for (k = 0; k < job->n_shares; k++) {
			const struct job_share *s = job->shares[k];

			t.requests += s->mix_cnt[u].requests;
			t.responses += s->mix_cnt[u].responses;
			t.body_bytes += s->mix_cnt[u].body_bytes;
			t.errors += s->mix_cnt[u].errors;
			t.failed += s->mix_cnt[u].failed;
			t.cancelled += s->mix_cnt[u].cancelled;
			for (c = 0; c < 6; c++)
				t.status_class[c] += s->mix_cnt[u].status_class[c];
			hist_merge(h, &s->mix_lat[u]);
		}
		snprintf(text, sizeof(text), "http://%s:%u%s", url->host,
			 url->port, url->path);
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s, s:i, s:I, s:{s:I, s:I, s:I, s:I, s:I, "
			"s:I, s:I}, s:I, s:I, s:I, s:I, s:I, s:o}",
			"name", m->name, "url", text, "method", m->method,
			"weight", (json_int_t)m->weight,
			"requests", (json_int_t)t.requests,
			"responses",
			"total", (json_int_t)t.responses,
			"1xx", (json_int_t)t.status_class[1],
			"2xx", (json_int_t)t.status_class[2],
			"3xx", (json_int_t)t.status_class[3],
			"4xx", (json_int_t)t.status_class[4],
			"5xx", (json_int_t)t.status_class[5],
			"other", (json_int_t)t.status_class[0],
			/* sent, never answered: failed or cancelled */
			"unanswered", (json_int_t)(t.requests - t.responses),
			"failed", (json_int_t)t.failed,
			"cancelled", (json_int_t)t.cancelled,
			"errors", (json_int_t)t.errors,
			"body_bytes", (json_int_t)t.body_bytes,
			"latency_us", hist_json(h, &job->p)));

	}
	free(h);
	return a;
}

/* The URLs the job fetches (a mix's entries' too). */
static json_t *
job_urls_json(const struct job *job)
{
	json_t *a = json_array();
	unsigned int u;

	for (u = 0; a != NULL && u < job->p.n_urls; u++) {
		char text[URL_MAX_HOST + URL_MAX_PATH + 32];

		snprintf(text, sizeof(text), "http://%s:%u%s",
			 job->p.urls[u].host, job->p.urls[u].port,
			 job->p.urls[u].path);
		json_array_append_new(a, json_string(text));
	}
	return a;
}

json_t *
job_status_json(const struct job *job, uint64_t now_us, int what)
{
	struct job_counters c;
	struct hist *h;
	json_t *o, *resp, *codes, *errs, *urls, *lat, *params;
	uint64_t cls[6] = { 0 };
	uint32_t open = 0;
	double el;
	unsigned int i, l;
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
	urls = job_urls_json(job);
	for (k = 0; k < job->n_shares; k++)
		open += job->shares[k]->n_open;

	h = merged_hists(job);
	lat = json_object();
	if (h != NULL)
		for (l = 0; l < JOB_LAT_MAX; l++)
			json_object_set_new(lat, lat_names[l],
					    hist_json(&h[l], &job->p));
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
	json_object_set_new(o, "churn", churn_json(job, el));
	if (job->p.n_mix > 0)
		json_object_set_new(o, "mix", mix_result_json(job));
	json_object_set_new(o, "params", params);
	if (job_first_error(job)[0] != '\0')
		json_object_set_new(o, "first_error",
				    json_string(job_first_error(job)));
	if (h != NULL && job->p.n_thresholds > 0) {
		unsigned int failed;

		json_object_set_new(o, "thresholds",
				    job_thresholds_json(job->p.thresholds,
							job->p.n_thresholds,
							&c, h, el, &failed));
	}
	if (h != NULL && (what & JOB_STATUS_DISTRIBUTION)) {
		json_t *d = json_object();

		for (l = 0; l < JOB_LAT_MAX; l++)
			json_object_set_new(d, lat_names[l],
					    distribution_json(&h[l]));
		json_object_set_new(o, "distribution", d);
	}
	if (h != NULL && (what & JOB_STATUS_BUCKETS)) {
		json_t *d = json_object();

		for (l = 0; l < JOB_LAT_MAX; l++)
			json_object_set_new(d, lat_names[l],
					    buckets_json(&h[l]));
		json_object_set_new(o, "buckets_us", d);
	}
	free(h);
	if (what & JOB_STATUS_SERIES)
		json_object_set_new(o, "series", series_json(job));
	return o;
}

unsigned int
job_thresholds_failed(const struct job *job, uint64_t now_us)
{
	struct job_counters c;
	unsigned int failed = 0;
	struct hist *h;

	if (job->p.n_thresholds == 0)
		return 0;
	job_totals(job, &c);
	h = merged_hists(job);
	if (h == NULL)
		return job->p.n_thresholds;
	json_decref(job_thresholds_json(job->p.thresholds, job->p.n_thresholds,
					&c, h, job_elapsed_s(job, now_us),
					&failed));
	free(h);
	return failed;
}

void
job_read(const struct job *job, uint64_t now_us, struct job_reading *r)
{
	job_totals(job, &r->c);
	merge_hists(job, r->lat);
	r->elapsed_s = job_elapsed_s(job, now_us);
}

void
job_reading_subtract(struct job_reading *r, const struct job_reading *before)
{
	const uint64_t *b = (const uint64_t *)&before->c;
	uint64_t *a = (uint64_t *)&r->c;
	unsigned int l;
	size_t k;

	/* Monotonic counters, read whole: a later reading is never below. */
	for (k = 0; k < sizeof(r->c) / sizeof(uint64_t); k++)
		a[k] = a[k] >= b[k] ? a[k] - b[k] : 0;
	for (l = 0; l < JOB_LAT_MAX; l++)
		hist_subtract(&r->lat[l], &before->lat[l]);
	r->elapsed_s = r->elapsed_s > before->elapsed_s ?
		r->elapsed_s - before->elapsed_s : 0;
}

void
job_free(struct job *job)
{
	unsigned int i;

	if (job == NULL)
		return;
	for (i = 0; i < job->n_shares; i++) {
		if (job->shares[i] != NULL) {
			free(job->shares[i]->mix_cnt);
			free(job->shares[i]->mix_lat);
			free(job->shares[i]->mix_buf);
		}
		rte_free(job->shares[i]);
	}
	if (job->mix_req != NULL)
		for (i = 0; i < job->p.n_mix; i++)
			mix_request_free(&job->mix_req[i]);
	free(job->mix_req);
	free(job->dests);
	for (i = 0; i < JOB_MAX_URLS; i++) {
		free(job->req_head[i]);
		free(job->req_head_close[i]);
	}
	job_params_free(&job->p);
	free(job->trace);
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
		memmove(&r->jobs[i], &r->jobs[i + 1],
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
