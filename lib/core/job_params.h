/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fetch job's parameters, described once.
 *
 * job_param_table lists every parameter with its JSON name (fetch.start),
 * type, range, default, place in struct job_params, dpfetch command-line
 * option, dpfetchctl key and help text.  The JSON parser, the status
 * echo, dpfetch's options and --help, and dpfetchctl's fetch command all
 * work from it, so a new parameter is one struct member and one entry.
 *
 * No DPDK: the command line (config.c) and the control client
 * (ctl_cmd.c) use it too, and it is unit-tested without EAL.
 */

#ifndef DPF_JOB_PARAMS_H
#define DPF_JOB_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "threshold.h"
#include "url.h"

#define JOB_MAX_URLS		64
#define JOB_MAX_HEADERS		64
#define JOB_MAX_SRC_IPS		65536
#define JOB_PIPELINE_MAX	64
#define JOB_MAX_PERCENTILES	16
#define JOB_MAX_THRESHOLDS	16
#define JOB_MAX_STEPS		16
#define JOB_MAX_MIX		64	/* = MIX_MAX_ENTRIES */
#define JOB_MIX_MAX_HEADERS	16
#define JOB_MIX_NAME_MAX	64

/* One entry of a request mix: its own request, picked by weight. */
struct job_mix_entry {
	char name[JOB_MIX_NAME_MAX];	/* default: the URL as given */
	char method[32];
	unsigned int n_headers;
	char *headers[JOB_MIX_MAX_HEADERS];	/* "Name: value" */
	uint8_t *body;			/* NULL: none */
	uint64_t body_len;
	uint32_t weight;
};

/* A staircase step: from at_s on, rate_rps and churn_cps (0 pauses);
 * NAN where the step leaves that dial as it was. */
struct job_step {
	double at_s;
	double rate_rps;
	double churn_cps;
};

/* What a job asks for (fetch.start's params, or the command line). */
struct job_params {
	unsigned int n_urls;
	struct url urls[JOB_MAX_URLS];	/* with a mix: entry i's URL */
	unsigned int n_mix;		/* 0: no mix */
	struct job_mix_entry *mix;	/* n_mix of them (malloc'ed) */
	char method[32];
	unsigned int n_headers;
	char *headers[JOB_MAX_HEADERS];	/* "Name: value" */
	uint8_t *body;
	uint64_t body_len;
	uint32_t connections;
	uint64_t requests;		/* 0 = no limit (then duration) */
	double duration_s;		/* 0 = until the requests are done */
	uint32_t requests_per_connection;	/* 0 = unlimited */
	uint32_t pipeline;
	double rate_cps;		/* 0 = as fast as possible */
	double rate_rps;
	/* Short connections opened per second on top of the held ones,
	 * each making churn_requests requests. */
	double churn_cps;
	uint32_t churn_requests;
	uint32_t connect_timeout_ms;
	uint32_t response_timeout_ms;
	double ramp_s;
	uint32_t src_lo, src_hi;	/* 0 = --ip */
	/* Or IPv6 sources (src_ips with ':'): src6_n addresses from
	 * src6_lo up, counting in its low 32 bits; 0 = --ip6.  The other
	 * family's connections use --ip or --ip6. */
	uint8_t src6_lo[16];
	uint32_t src6_n;
	uint64_t lcore_mask[4];		/* worker indexes; 0 = all */
	/* The percentiles latency_us reports (default 50, 90, 99, 99.9). */
	unsigned int n_percentiles;
	double percentiles[JOB_MAX_PERCENTILES];
	unsigned int n_thresholds;
	struct threshold thresholds[JOB_MAX_THRESHOLDS];
	int arrival_poisson;		/* else uniform */
	uint64_t max_backlog;		/* 0 = a second of requests */
	unsigned int n_steps;
	struct job_step steps[JOB_MAX_STEPS];
	/* Not parameters: set by the one-shot fetch. */
	FILE *out;			/* body sink, or NULL to discard */
	double deadline_s;		/* whole job, 0 = none */
	int trace;			/* -v: 1, -vv: 2 (job_trace.h) */
};

enum job_param_type {
	JOB_PARAM_URL,		/* one URL (a string) */
	JOB_PARAM_URLS,		/* a non-empty array of URLs */
	JOB_PARAM_METHOD,	/* a method name */
	JOB_PARAM_HEADERS,	/* an object of name: value */
	JOB_PARAM_BODY,		/* a string */
	JOB_PARAM_UINT,		/* an integer in umin..umax */
	JOB_PARAM_NUM,		/* a number in min..max */
	JOB_PARAM_IPS,		/* "A.B.C.D", "A.B.C.D-E.F.G.H" or "A.B.C.D/N" */
	JOB_PARAM_LCORES,	/* a non-empty array of lcore ids */
	JOB_PARAM_PERCENTILES,	/* a non-empty array of numbers in (0, 100] */
	JOB_PARAM_THRESHOLDS,	/* an array of expressions (threshold.h) */
	JOB_PARAM_ARRIVAL,	/* "uniform" or "poisson" */
	JOB_PARAM_STEPS,	/* [{"at_s", "rate_rps", "churn_cps"}, ...] */
	JOB_PARAM_MIX,		/* [{url, method, headers, body, weight}, ...] */
};

struct job_param {
	const char *name;	/* fetch.start's member, and the status echo */
	enum job_param_type type;
	size_t offset;		/* of the member in struct job_params */
	size_t size;		/* of the member (UINT: 4 or 8 bytes) */
	uint64_t umin, umax;	/* UINT range */
	double min, max;	/* NUM range */
	double def;		/* UINT, NUM: the value when absent */
	const char *opt;	/* dpfetch --OPT, or NULL */
	const char *key;	/* dpfetchctl fetch KEY=, or NULL */
	const char *arg;	/* the value's name in help: N, SEC, URL */
	const char *help;	/* one line; "(default D)" is added when the
				 * default is in the range */
};

extern const struct job_param job_param_table[];
extern const size_t job_param_count;

/* A job's error text into err (errlen bytes); returns -1. */
int
job_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The entry named name (JSON member), or NULL. */
const struct job_param *
job_param_find(const char *name);

/* Whether a UINT or NUM parameter's default is a value it may be given
 * (else absence means "unset", e.g. requests or duration_s). */
int
job_param_has_default(const struct job_param *e);

/*
 * Parse fetch.start's params object into p (cleared first).  Unknown
 * members are errors.  Returns 0, or -1 with err naming the parameter.
 * p must be freed with job_params_free() either way.
 */
int
job_params_from_json(struct job_params *p, json_t *params, char *err,
		     size_t errlen);

/*
 * One parameter's value v checked alone, as job_params_from_json would
 * (type, range, URL syntax, ...), so that the command line and the
 * config file can say at once which option or key is wrong: 0, or -1
 * with err naming label (e.g. "--duration") instead of e->name.
 */
int
job_param_check(const struct job_param *e, json_t *v, const char *label,
		char *err, size_t errlen);

/*
 * A message that starts with a parameter's name ("src_ips: outside
 * ...") names its dpfetch option instead ("--src-ips: outside ..."):
 * for the errors the command line's job meets after its options were
 * checked one by one (job_create's).  Others are left as they are.
 */
void
job_params_err_to_opt(char *err, size_t errlen);

/*
 * The parameters as fetch.start's params object: what the parser gives
 * back p (every URL in "urls"; unset ones left out).  brief leaves out
 * the body (the status echo).  NULL when out of memory.
 */
json_t *
job_params_to_json(const struct job_params *p, int brief);

void
job_params_free(struct job_params *p);

/* "AT:RPS,AT:RPS" (the command line's and dpfetchctl's steps) as the
 * JSON array fetch.start takes; NULL when malformed. */
json_t *
job_steps_from_text(const char *text);

/* dst = a copy of src with allocations of its own (free it with
 * job_params_free); 0, or -1 when out of memory (dst then holds
 * nothing to free). */
int
job_params_copy(struct job_params *dst, const struct job_params *src);

/* The entry's help with its range and default, in words, into buf. */
void
job_param_describe(const struct job_param *e, char *buf, size_t len);

/* head (e.g. "  --pipeline N"), then the description from column 24,
 * wrapped; the layout of dpfetch --help and dpfetchctl help fetch. */
void
job_param_print(FILE *f, const char *head, const struct job_param *e);

/*
 * dpfetch --help's lines for the options of the table (those with an
 * opt), in the layout of config_usage().
 */
void
job_params_usage(FILE *f);

#endif /* DPF_JOB_PARAMS_H */
