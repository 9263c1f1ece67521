/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "ctl_token.h"
#include "cc_name.h"
#include "job_params.h"
#include "search_params.h"
#include "suggest.h"
#include "errbuf.h"
#include "url.h"

enum field_type {
	FIELD_U32,
	FIELD_U64,
	FIELD_BOOL,
	FIELD_PROB,	/* double in [0, 1] */
	FIELD_CC,	/* congestion control name, char[16] */
};

/* A numeric tunable, reachable as JSON "section": {"name": v} and as
 * --section name=v on the command line. */
struct config_field {
	const char *section;
	const char *name;
	enum field_type type;
	size_t offset;
	uint64_t min;
	uint64_t max;
};

#define F_U32(sec, name, member, lo, hi) \
	{ sec, name, FIELD_U32, offsetof(struct dpf_config, member), lo, hi }
#define F_BOOL(sec, name, member) \
	{ sec, name, FIELD_BOOL, offsetof(struct dpf_config, member), 0, 1 }
#define F_PROB(sec, name, member) \
	{ sec, name, FIELD_PROB, offsetof(struct dpf_config, member), 0, 1 }

static const struct config_field config_fields[] = {
	F_U32("tcp", "rcvbuf", tcp.rcvbuf, 4096, 64u << 20),
	F_U32("tcp", "rto_initial_ms", tcp.rto_initial_ms, 10, 60000),
	F_U32("tcp", "rto_min_ms", tcp.rto_min_ms, 1, 60000),
	F_U32("tcp", "rto_max_ms", tcp.rto_max_ms, 10, 600000),
	F_U32("tcp", "delack_ms", tcp.delack_ms, 1, 500),
	F_U32("tcp", "time_wait_ms", tcp.time_wait_ms, 0, 240000),
	F_U32("tcp", "syn_retries", tcp.syn_retries, 0, 20),
	F_U32("tcp", "data_retries", tcp.data_retries, 1, 30),
	F_U32("tcp", "max_ooo_segs", tcp.max_ooo_segs, 1, 65536),
	F_U32("tcp", "ooo_max_bytes", tcp.ooo_max_bytes, 0, 256u << 20),
	F_U32("tcp", "sack_conns", tcp.sack_conns, 0, 1u << 26),
	F_U32("tcp", "ooo_conns", tcp.ooo_conns, 0, 1u << 26),
	F_U32("tcp", "cc_conns", tcp.cc_conns, 0, 1u << 26),
	F_U32("tcp", "snd_conns", tcp.snd_conns, 0, 1u << 26),
	F_U32("tcp", "ip6_conns", tcp.ip6_conns, 0, (1u << 24) - 1),
	F_U32("tcp", "mem_pressure_pct", tcp.mem_pressure_pct, 0, 90),
	F_U32("tcp", "snd_pressure_bytes", tcp.snd_pressure_bytes, 4096,
	      64u << 20),
	F_BOOL("tcp", "wscale", tcp.wscale),
	F_BOOL("tcp", "timestamps", tcp.timestamps),
	F_BOOL("tcp", "sack", tcp.sack),
	F_BOOL("tcp", "tso", tcp.tso),
	F_BOOL("tcp", "lro", tcp.lro),
	F_U32("tcp", "sndbuf", tcp.sndbuf, 4096, 64u << 20),
	F_U32("tcp", "iw", tcp.iw, 1, 64),
	F_U32("tcp", "keepalive_s", tcp.keepalive_s, 0, 86400),
	F_U32("tcp", "keepalive_intvl_s", tcp.keepalive_intvl_s, 1, 3600),
	F_U32("tcp", "keepalive_probes", tcp.keepalive_probes, 1, 100),
	F_U32("tcp", "persist_max_s", tcp.persist_max_s, 0, 36000),
	F_U32("tcp", "fin_wait2_s", tcp.fin_wait2_s, 0, 86400),
	{ "tcp", "cc", FIELD_CC, offsetof(struct dpf_config, tcp.cc), 0, 0 },
	F_U32("tcp", "syncookies", tcp.syncookies, 0, 2),
	F_U32("tcp", "syn_backlog", tcp.syn_backlog, 0, 1u << 24),
	F_U32("tcp", "synack_retries", tcp.synack_retries, 0, 20),
	F_U32("tcp", "rst_rate", tcp.rst_rate, 0, 100000000),
	F_U32("tcp", "challenge_ack_rate", tcp.challenge_ack_rate, 0,
	      100000000),
	F_U32("arp", "retries", arp.retries, 1, 100),
	F_U32("arp", "retry_ms", arp.retry_ms, 10, 60000),
	F_U32("arp", "reachable_s", arp.reachable_s, 1, 86400),
	F_U32("arp", "learn_rate", arp.learn_rate, 0, 1000000),
	F_U32("nd", "dad_transmits", nd.dad_transmits, 0, 10),
	F_U32("nd", "dad_retrans_ms", nd.dad_retrans_ms, 10, 60000),
	F_U32("http", "header_timeout_s", http.header_timeout_s, 0, 86400),
	F_U32("http", "idle_timeout_s", http.idle_timeout_s, 0, 86400),
	{ "impair", "seed", FIELD_U64, offsetof(struct dpf_config, impair.seed),
	  0, UINT64_MAX },
	F_PROB("impair", "rx.drop", impair.rx.drop),
	F_PROB("impair", "rx.dup", impair.rx.dup),
	F_PROB("impair", "rx.reorder", impair.rx.reorder),
	F_U32("impair", "rx.reorder_delay_us", impair.rx.reorder_delay_us,
	      0, 10000000),
	F_PROB("impair", "rx.corrupt", impair.rx.corrupt),
	F_PROB("impair", "tx.drop", impair.tx.drop),
	F_PROB("impair", "tx.dup", impair.tx.dup),
	F_PROB("impair", "tx.reorder", impair.tx.reorder),
	F_U32("impair", "tx.reorder_delay_us", impair.tx.reorder_delay_us,
	      0, 10000000),
	F_PROB("impair", "tx.corrupt", impair.tx.corrupt),
};

static int
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
config_init(struct dpf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mtu = 1500;
	cfg->mbufs = 16383;
	cfg->max_conns = 16384;
	cfg->timeout_s = 60;
	cfg->arp.retries = 3;
	cfg->arp.retry_ms = 1000;
	cfg->arp.reachable_s = 30;
	cfg->arp.learn_rate = 100;
	cfg->nd.dad_transmits = 1;	/* RFC 4862 5.1 DupAddrDetectTransmits */
	cfg->nd.dad_retrans_ms = 1000;	/* RFC 4861 10 RETRANS_TIMER */
	cfg->http.header_timeout_s = 30;
	cfg->http.idle_timeout_s = 60;
	cfg->tcp.rcvbuf = 1u << 20;
	cfg->tcp.rto_initial_ms = 1000;	/* RFC 6298 (2.1) */
	cfg->tcp.rto_min_ms = 200;	/* Linux's; RFC 6298 allows lower */
	cfg->tcp.rto_max_ms = 60000;	/* RFC 6298 (2.5) */
	cfg->tcp.delack_ms = 40;
	/* Far below 2*MSL: a test box reuses ports quickly, and timestamps
	 * make early reuse safe (RFC 6191). */
	cfg->tcp.time_wait_ms = 1000;
	cfg->tcp.syn_retries = 5;
	cfg->tcp.data_retries = 12;
	cfg->tcp.max_ooo_segs = 4096;
	cfg->tcp.ooo_max_bytes = 0;	/* twice rcvbuf, as Linux counts */
	cfg->tcp.mem_pressure_pct = 25;
	cfg->tcp.snd_pressure_bytes = 64u << 10;
	cfg->tcp.wscale = 1;
	cfg->tcp.timestamps = 1;
	cfg->tcp.sack = 1;
	cfg->tcp.tso = 1;
	cfg->tcp.lro = 1;
	cfg->tcp.sndbuf = 1u << 20;
	cfg->tcp.iw = 10;		/* RFC 6928 */
	cfg->tcp.keepalive_s = 0;
	cfg->tcp.keepalive_intvl_s = 10;
	cfg->tcp.keepalive_probes = 9;
	cfg->tcp.persist_max_s = 120;
	cfg->tcp.fin_wait2_s = 60;
	snprintf(cfg->tcp.cc, sizeof(cfg->tcp.cc), "newreno");
	cfg->tcp.syncookies = 1;	/* as Linux: when under pressure */
	cfg->tcp.synack_retries = 5;
	cfg->tcp.rst_rate = 1000;
	cfg->tcp.challenge_ack_rate = 1000;	/* Linux's old default */
	cfg->impair.seed = 1;
	cfg->job = json_object();
	cfg->search = json_object();
}

void
config_free(struct dpf_config *cfg)
{
	unsigned int i;

	free(cfg->fetch_url);
	free(cfg->output);
	free(cfg->method);
	free(cfg->data);
	free(cfg->capture_file);
	free(cfg->report_file);
	for (i = 0; i < cfg->n_headers; i++)
		free(cfg->headers[i]);
	cfg->fetch_url = NULL;
	cfg->output = NULL;
	cfg->method = NULL;
	cfg->data = NULL;
	cfg->capture_file = NULL;
	cfg->report_file = NULL;
	cfg->n_headers = 0;
	json_decref(cfg->job);
	cfg->job = NULL;
	json_decref(cfg->search);
	cfg->search = NULL;
	free(cfg->ctl_path);
	free(cfg->ctl_tcp);
	free(cfg->ctl_token);
	free(cfg->ctl_token_file);
	free(cfg->capture_dir);
	cfg->ctl_token_file = cfg->capture_dir = NULL;
	free(cfg->script);
	free(cfg->metrics);
	free(cfg->format);
	cfg->metrics = cfg->format = NULL;
	cfg->ctl_path = cfg->ctl_tcp = cfg->ctl_token = cfg->script = NULL;
}

/* "0,1,3" or "0-3" -> [0, 1, 3] */
static json_t *
parse_lcore_list(const char *s)
{
	json_t *a = json_array();
	const char *p = s;

	while (*p != '\0') {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi;

		if (end == p || lo > 255)
			goto bad;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			if (end == p + 1 || hi > 255 || hi < lo)
				goto bad;
			p = end;
		}
		for (; lo <= hi; lo++)
			json_array_append_new(a, json_integer((json_int_t)lo));
		if (*p == ',')
			p++;
		else if (*p != '\0')
			goto bad;
	}
	if (json_array_size(a) > 0)
		return a;
bad:
	json_decref(a);
	return NULL;
}

/* "50,90,99.9" -> [50, 90, 99.9]; NULL when malformed. */
static json_t *
parse_number_list(const char *s)
{
	json_t *a = json_array();
	char *end;
	double d;

	while (a != NULL) {
		errno = 0;
		d = strtod(s, &end);
		if (end == s || errno != 0 || (*end != ',' && *end != '\0'))
			break;
		json_array_append_new(a, json_real(d));
		if (*end == '\0')
			return a;
		s = end + 1;
	}
	json_decref(a);
	return NULL;
}

/* A job parameter typed as text (an option's argument, or a string in
 * the config file) as the JSON fetch.start takes; NULL with err naming
 * label.  A threshold stays one string (the caller gathers them). */
static json_t *
job_text_value(const struct job_param *e, const char *val,
	       const char *label, char *err, size_t errlen)
{
	json_t *v = NULL;
	char *end;

	switch (e->type) {
	case JOB_PARAM_UINT: {
		unsigned long long u;

		errno = 0;
		u = strtoull(val, &end, 10);
		if (val[0] == '-' || end == val || *end != '\0' || errno != 0) {
			set_err(err, errlen, "%s: '%s' is not a whole number",
				label, val);
			return NULL;
		}
		v = json_integer((json_int_t)u);
		break;
	}
	case JOB_PARAM_NUM: {
		double d;

		errno = 0;
		d = strtod(val, &end);
		if (end == val || *end != '\0' || errno != 0) {
			set_err(err, errlen, "%s: '%s' is not a number", label,
				val);
			return NULL;
		}
		v = json_real(d);
		break;
	}
	case JOB_PARAM_LCORES:
		v = parse_lcore_list(val);
		if (v == NULL) {
			set_err(err, errlen,
				"%s: '%s' is not a list like 0,1 or 0-3", label,
				val);
			return NULL;
		}
		break;
	case JOB_PARAM_PERCENTILES:
		v = parse_number_list(val);
		if (v == NULL) {
			set_err(err, errlen,
				"%s: '%s' is not a list like 50,90,99.9", label,
				val);
			return NULL;
		}
		break;
	case JOB_PARAM_STEPS:
		v = job_steps_from_text(val);
		if (v == NULL) {
			set_err(err, errlen,
				"%s: '%s' is not a list like 10:5000,20:8000 (seconds:requests per second)",
				label, val);
			return NULL;
		}
		break;
	case JOB_PARAM_MIX: {
		/* A file holding the JSON array ("@FILE" too). */
		json_error_t jerr;

		v = json_load_file(val[0] == '@' ? val + 1 : val,
				   JSON_REJECT_DUPLICATES, &jerr);
		if (v == NULL) {
			set_err(err, errlen, "%s: %s: %s (line %d)", label,
				val, jerr.text, jerr.line);
			return NULL;
		}
		break;
	}
	default:
		v = json_string(val);
		break;
	}
	if (v == NULL)
		set_err(err, errlen, "%s: out of memory", label);
	return v;
}

/* Check v (the reference is taken) alone, as the job will, and keep it
 * in cfg->job; label names it in messages.  A threshold given as one
 * string adds to the list (--threshold is repeatable). */
static int
store_job_value(struct dpf_config *cfg, const struct job_param *e,
		json_t *v, const char *label, char *err, size_t errlen)
{
	int add = e->type == JOB_PARAM_THRESHOLDS && json_is_string(v);
	json_t *chk = v, *a;
	int rc;

	if (add) {
		chk = json_array();
		json_array_append(chk, v);
	}
	rc = job_param_check(e, chk, label, err, errlen);
	if (chk != v)
		json_decref(chk);
	if (rc != 0) {
		json_decref(v);
		return -1;
	}
	if (!add)
		return json_object_set_new(cfg->job, e->name, v) == 0 ? 0 :
			set_err(err, errlen, "%s: out of memory", label);
	a = json_object_get(cfg->job, e->name);
	if (a == NULL) {
		a = json_array();
		json_object_set_new(cfg->job, e->name, a);
	}
	if (json_array_append_new(a, v) != 0)
		return set_err(err, errlen, "%s: out of memory", label);
	return 0;
}

static int
apply_job_option(struct dpf_config *cfg, int i, const char *val, char *err,
		 size_t errlen)
{
	const struct job_param *e = &job_param_table[i];
	char label[64];
	json_t *v;

	snprintf(label, sizeof(label), "--%s", e->opt);
	v = job_text_value(e, val, label, err, errlen);
	if (v == NULL)
		return -1;
	return store_job_value(cfg, e, v, label, err, errlen);
}

/* --slo and --search-*: members of cfg->search (checked later, with
 * the rest of the search). */
static int
apply_search_option(struct dpf_config *cfg, int i, const char *val,
		    char *err, size_t errlen)
{
	const struct search_param *e = &search_param_table[i];
	json_t *v, *a;
	char *end;
	double d;

	if (e->type == SEARCH_PARAM_SLO) {
		/* Repeatable: each one adds to the list. */
		a = json_object_get(cfg->search, e->name);
		if (a == NULL) {
			a = json_array();
			json_object_set_new(cfg->search, e->name, a);
		}
		if (json_array_append_new(a, json_string(val)) != 0)
			return set_err(err, errlen, "--%s: out of memory",
				       e->opt);
		return 0;
	}
	errno = 0;
	d = strtod(val, &end);
	if (end == val || *end != '\0' || errno != 0)
		return set_err(err, errlen, "--%s: '%s' is not a number",
			       e->opt, val);
	v = e->type == SEARCH_PARAM_UINT && d == (double)(json_int_t)d ?
		json_integer((json_int_t)d) : json_real(d);
	json_object_set_new(cfg->search, e->name, v);
	return 0;
}

static const struct config_field *
field_find(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(config_fields) / sizeof(config_fields[0]); i++)
		if (strcmp(config_fields[i].section, section) == 0 &&
		    strcmp(config_fields[i].name, name) == 0)
			return &config_fields[i];
	return NULL;
}

/* Store a value already parsed as a double (JSON numbers, strings). */
static int
field_store(struct dpf_config *cfg, const struct config_field *f,
	    double v, char *err, size_t errlen)
{
	void *p = (char *)cfg + f->offset;

	if (f->type == FIELD_PROB) {
		if (!(v >= 0.0 && v <= 1.0))
			return set_err(err, errlen,
				"%s.%s must be a probability between 0 and 1",
				f->section, f->name);
		*(double *)p = v;
		return 0;
	}
	/* Range first: converting an out-of-range double is undefined. */
	if (!(v >= (double)f->min && v <= (double)f->max) ||
	    v != (double)(uint64_t)v)
		return set_err(err, errlen,
			"%s.%s must be a whole number from %llu to %llu",
			f->section, f->name, (unsigned long long)f->min,
			(unsigned long long)f->max);
	if (f->type == FIELD_U64)
		*(uint64_t *)p = (uint64_t)v;
	else
		*(uint32_t *)p = (uint32_t)v;
	return 0;
}

static int
field_set_string(struct dpf_config *cfg, const struct config_field *f,
		 const char *s, char *err, size_t errlen)
{
	char *end;

	if (f->type == FIELD_CC) {
		if (!cc_name_known(s))
			return set_err(err, errlen,
				"%s.%s: '%s' is not newreno or cubic",
				f->section, f->name, s);
		snprintf((char *)cfg + f->offset, sizeof(cfg->tcp.cc), "%s", s);
		return 0;
	}
	if (f->type == FIELD_BOOL) {
		if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 ||
		    strcmp(s, "on") == 0)
			*(uint32_t *)((char *)cfg + f->offset) = 1;
		else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 ||
			 strcmp(s, "off") == 0)
			*(uint32_t *)((char *)cfg + f->offset) = 0;
		else
			return set_err(err, errlen,
				"%s.%s must be on/off, true/false or 1/0",
				f->section, f->name);
		return 0;
	}
	if (f->type == FIELD_U64) {
		unsigned long long u;

		errno = 0;
		u = strtoull(s, &end, 0);
		if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
			return set_err(err, errlen,
				"%s.%s: '%s' is not a whole number",
				f->section, f->name, s);
		*(uint64_t *)((char *)cfg + f->offset) = u;
		return 0;
	}
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0')
		return set_err(err, errlen, "%s.%s: '%s' is not a number",
			       f->section, f->name, s);
	return field_store(cfg, f, v, err, errlen);
}

int
config_set_pairs(struct dpf_config *cfg, const char *section,
		 const char *pairs, char *err, size_t errlen)
{
	char *copy = strdup(pairs);
	char *save = NULL;
	char *tok;
	int rc = 0;

	if (copy == NULL)
		return set_err(err, errlen, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const struct config_field *f;

		if (eq == NULL) {
			rc = set_err(err, errlen,
				"--%s: '%s' is not key=value", section, tok);
			break;
		}
		*eq = '\0';
		f = field_find(section, tok);
		if (f == NULL) {
			rc = set_err(err, errlen, "--%s: unknown setting '%s'",
				     section, tok);
			break;
		}
		rc = field_set_string(cfg, f, eq + 1, err, errlen);
	}
	free(copy);
	return rc;
}

static int
parse_ip_prefix(const char *s, uint32_t *ip, uint8_t *plen,
		char *err, size_t errlen)
{
	char buf[64];
	char *slash;
	long n;

	if (strlen(s) >= sizeof(buf))
		return set_err(err, errlen, "--ip: '%s' is too long", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	/* A bare address used to mean /32: every destination was then
	 * off-link and the fetch failed with "no route". */
	if (slash == NULL)
		return set_err(err, errlen,
			"--ip: '%s' lacks the prefix length: give the address with its network's, e.g. --ip %s/24",
			s, s);
	{
		char *end;

		*slash = '\0';
		errno = 0;
		n = strtol(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' ||
		    n < 1 || n > 32)
			return set_err(err, errlen,
				"--ip: prefix length in '%s' must be 1..32", s);
	}
	if (ipv4_parse(buf, ip) != 0)
		return set_err(err, errlen,
			"--ip: '%s' is not an IPv4 address (A.B.C.D/N)", s);
	*plen = (uint8_t)n;
	return 0;
}

/* --ip6 ADDR/N: a unicast IPv6 address with its prefix length. */
static int
parse_ip6_prefix(const char *s, uint8_t *ip6, uint8_t *plen,
		 char *err, size_t errlen)
{
	char buf[64];
	char *slash, *end;
	long n;

	if (strlen(s) >= sizeof(buf))
		return set_err(err, errlen, "--ip6: '%s' is too long", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return set_err(err, errlen,
			"--ip6: '%s' lacks the prefix length: give the address with its network's, e.g. --ip6 %s/64",
			s, s);
	*slash = '\0';
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (errno != 0 || end == slash + 1 || *end != '\0' || n < 1 ||
	    n > 128)
		return set_err(err, errlen,
			"--ip6: prefix length in '%s' must be 1..128", s);
	if (inet_pton(AF_INET6, buf, ip6) != 1)
		return set_err(err, errlen,
			"--ip6: '%s' is not an IPv6 address (ADDR/N)", s);
	/* Multicast (ff00::/8), unspecified, loopback: not an interface's. */
	if (ip6[0] == 0xff ||
	    memcmp(ip6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0)
		return set_err(err, errlen,
			"--ip6: '%s' is not a unicast address", s);
	*plen = (uint8_t)n;
	return 0;
}

static int
parse_ulong(const char *opt, const char *s, unsigned long lo,
	    unsigned long hi, unsigned long *out, char *err, size_t errlen);

/* An address's ",vlan=ID" (option opt, address addr as given). */
static int
parse_addr_vlan(const char *opt, const char *addr, const char *v,
		uint16_t *vlan, char *err, size_t errlen)
{
	unsigned long u;

	if (parse_ulong(opt, v, 1, 4094, &u, err, errlen) != 0)
		return set_err(err, errlen,
			"--%s %s: vlan='%s' must be an 802.1Q ID from 1 to 4094",
			opt, addr, v);
	*vlan = (uint16_t)u;
	return 0;
}

/*
 * One more --ip: A.B.C.D/N, then ",vlan=ID" and ",gateway=G" for this
 * address alone.  The first is also cfg->ip (what one address needs).
 */
static int
parse_ip_addr(struct dpf_config *cfg, const char *val, char *err,
	      size_t errlen)
{
	struct route_addr a = { 0 };
	char buf[128], *opt, *save = NULL;

	if (strlen(val) >= sizeof(buf))
		return set_err(err, errlen, "--ip: '%s' is too long", val);
	strcpy(buf, val);
	opt = strchr(buf, ',');
	if (opt != NULL)
		*opt++ = '\0';
	if (parse_ip_prefix(buf, &a.ip, &a.prefix_len, err, errlen) != 0)
		return -1;
	for (opt = opt == NULL ? NULL : strtok_r(opt, ",", &save);
	     opt != NULL; opt = strtok_r(NULL, ",", &save)) {
		if (strncmp(opt, "vlan=", 5) == 0) {
			if (parse_addr_vlan("ip", buf, opt + 5, &a.vlan, err,
					    errlen) != 0)
				return -1;
		} else if (strncmp(opt, "gateway=", 8) == 0) {
			if (ipv4_parse(opt + 8, &a.gateway) != 0 ||
			    a.gateway == 0)
				return set_err(err, errlen,
					"--ip %s: gateway='%s' is not an IPv4 address",
					buf, opt + 8);
		} else {
			return set_err(err, errlen,
				"--ip %s: unknown option '%s' (vlan=ID or gateway=A.B.C.D)",
				buf, opt);
		}
	}
	if (cfg->n_addrs == ROUTE_ADDRS_MAX)
		return set_err(err, errlen, "--ip: more than %d addresses",
			       ROUTE_ADDRS_MAX);
	cfg->addrs[cfg->n_addrs++] = a;
	cfg->ip = cfg->addrs[0].ip;
	cfg->prefix_len = cfg->addrs[0].prefix_len;
	return 0;
}

/*
 * One more --ip6: ADDR/N, then ",vlan=ID" and ",gateway6=G" for this
 * address alone.  The first is also cfg->ip6 (what one address needs).
 */
static int
parse_ip6_addr(struct dpf_config *cfg, const char *val, char *err,
	       size_t errlen)
{
	struct route6_addr a;
	char buf[160], *opt, *save = NULL;

	memset(&a, 0, sizeof(a));
	if (strlen(val) >= sizeof(buf))
		return set_err(err, errlen, "--ip6: '%s' is too long", val);
	strcpy(buf, val);
	opt = strchr(buf, ',');
	if (opt != NULL)
		*opt++ = '\0';
	if (parse_ip6_prefix(buf, a.ip, &a.prefix_len, err, errlen) != 0)
		return -1;
	for (opt = opt == NULL ? NULL : strtok_r(opt, ",", &save);
	     opt != NULL; opt = strtok_r(NULL, ",", &save)) {
		if (strncmp(opt, "vlan=", 5) == 0) {
			if (parse_addr_vlan("ip6", buf, opt + 5, &a.vlan, err,
					    errlen) != 0)
				return -1;
		} else if (strncmp(opt, "gateway6=", 9) == 0) {
			if (inet_pton(AF_INET6, opt + 9, a.gateway) != 1 ||
			    a.gateway[0] == 0xff || route6_is_zero(a.gateway))
				return set_err(err, errlen,
					"--ip6 %s: gateway6='%s' is not a unicast IPv6 address",
					buf, opt + 9);
		} else {
			return set_err(err, errlen,
				"--ip6 %s: unknown option '%s' (vlan=ID or gateway6=ADDR)",
				buf, opt);
		}
	}
	if (cfg->n_addrs6 == ROUTE_ADDRS_MAX)
		return set_err(err, errlen, "--ip6: more than %d addresses",
			       ROUTE_ADDRS_MAX);
	cfg->addrs6[cfg->n_addrs6++] = a;
	memcpy(cfg->ip6, cfg->addrs6[0].ip, 16);
	cfg->ip6_prefix = cfg->addrs6[0].prefix_len;
	cfg->has_ip6 = 1;
	return 0;
}

static int
parse_header(struct dpf_config *cfg, const char *h, char *err, size_t errlen)
{
	const char *colon = strchr(h, ':');
	const char *p;

	if (colon == NULL || colon == h)
		return set_err(err, errlen,
			"--header: '%s' is not 'Name: value'", h);
	for (p = h; p < colon; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("()<>@,;:\\\"/[]?={}", *p) != NULL)
			return set_err(err, errlen,
				"--header: bad character in name of '%s'", h);
	/* Bytes from 0x80 up are allowed in values (obs-text, RFC 9110). */
	for (p = colon + 1; *p != '\0'; p++)
		if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f)
			return set_err(err, errlen,
				"--header: control character in '%s'", h);
	if (cfg->n_headers == CONFIG_MAX_HEADERS)
		return set_err(err, errlen, "--header: more than %d headers",
			       CONFIG_MAX_HEADERS);
	cfg->headers[cfg->n_headers] = strdup(h);
	if (cfg->headers[cfg->n_headers] == NULL)
		return set_err(err, errlen, "out of memory");
	cfg->n_headers++;
	return 0;
}

static int
parse_ulong(const char *opt, const char *s, unsigned long lo,
	    unsigned long hi, unsigned long *out, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    v < lo || v > hi)
		return set_err(err, errlen,
			"--%s: '%s' must be a whole number from %lu to %lu",
			opt, s, lo, hi);
	*out = v;
	return 0;
}

static int
parse_timeout(const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0 && v <= 86400))
		return set_err(err, errlen,
			"--timeout: '%s' must be seconds, more than 0 and at most 86400",
			s);
	*out = v;
	return 0;
}

static int
replace_string(char **dst, const char *s, char *err, size_t errlen)
{
	char *c = strdup(s);

	if (c == NULL)
		return set_err(err, errlen, "out of memory");
	free(*dst);
	*dst = c;
	return 0;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Top-level settings that are whole numbers in a range. */
struct numeric_setting {
	const char *key;
	unsigned long lo, hi;
	size_t offset, size;
};

#define NUM_SETTING(k, lo, hi, member) { k, lo, hi, \
	offsetof(struct dpf_config, member), \
	sizeof(((struct dpf_config *)0)->member) }

static const struct numeric_setting numeric_settings[] = {
	NUM_SETTING("mtu", 576, 9000, mtu),
	NUM_SETTING("vlan", 1, 4094, vlan),
	NUM_SETTING("port", 0, 1023, port_id),
	NUM_SETTING("mbufs", 1024, 16u << 20, mbufs),
	NUM_SETTING("max_conns", 16, 16u << 20, max_conns),
	NUM_SETTING("echo", 1, 65535, echo_port),
	NUM_SETTING("listen", 1, 65535, listen_port),
	NUM_SETTING("capture-count", 1, UINT32_MAX, capture_count),
	NUM_SETTING("ctl-max-tcp-clients", 1, 65536, ctl_max_tcp_clients),
	NUM_SETTING("ctl-auth-timeout", 1, 3600, ctl_auth_timeout_s),
	NUM_SETTING("metrics-max-clients", 1, 1024, metrics_max_clients),
	NUM_SETTING("metrics-timeout-ms", 10, 600000, metrics_timeout_ms),
	NUM_SETTING("metrics-max-request", 256, 65536, metrics_max_request),
};

/* Apply one top-level setting given as a string, from either source. */
static int
apply_setting(struct dpf_config *cfg, const char *key, const char *val,
	      char *err, size_t errlen)
{
	unsigned long u = 0;
	size_t i;
	int rc_;

	if (strcmp(key, "ip") == 0)
		return parse_ip_addr(cfg, val, err, errlen);
	if (strcmp(key, "gateway") == 0) {
		if (ipv4_parse(val, &cfg->gateway) != 0)
			return set_err(err, errlen,
				"--gateway: '%s' is not an IPv4 address", val);
		return 0;
	}
	if (strcmp(key, "ip6") == 0)
		return parse_ip6_addr(cfg, val, err, errlen);
	if (strcmp(key, "gateway6") == 0) {
		if (inet_pton(AF_INET6, val, cfg->gateway6) != 1 ||
		    cfg->gateway6[0] == 0xff)
			return set_err(err, errlen,
				"--gateway6: '%s' is not a unicast IPv6 address",
				val);
		return 0;
	}
	for (i = 0; i < ARRAY_LEN(numeric_settings); i++) {
		const struct numeric_setting *ns = &numeric_settings[i];

		char opt[32];
		char *p;

		if (strcmp(key, ns->key) != 0)
			continue;
		/* Errors name the command-line spelling (max_conns is
		 * --max-conns). */
		snprintf(opt, sizeof(opt), "%s", key);
		for (p = opt; *p != '\0'; p++)
			if (*p == '_')
				*p = '-';
		if (parse_ulong(opt, val, ns->lo, ns->hi, &u, err,
				errlen) != 0)
			return -1;
		if (ns->size == sizeof(uint16_t))
			*(uint16_t *)((char *)cfg + ns->offset) = (uint16_t)u;
		else
			*(uint32_t *)((char *)cfg + ns->offset) = (uint32_t)u;
		if (strcmp(key, "port") == 0)
			cfg->port_given = 1;
		return 0;
	}
	if (strcmp(key, "port_rss") == 0) {
		if (strcmp(val, "auto") != 0 && strcmp(val, "external") != 0)
			return set_err(err, errlen,
				"--port-rss: '%s' is not auto or external", val);
		cfg->port_rss_external = strcmp(val, "external") == 0;
		return 0;
	}
	if (strcmp(key, "fetch") == 0) {
		json_t *urls = json_object_get(cfg->job, "urls");
		json_t *uv = json_string(val);

		/* Checked now, so that the message names --fetch. */
		if (uv == NULL || job_param_check(job_param_find("url"), uv,
						  "--fetch", err, errlen) != 0) {
			json_decref(uv);
			return uv == NULL ? set_err(err, errlen,
				"--fetch: not UTF-8 text") : -1;
		}
		if (urls == NULL) {
			urls = json_array();
			json_object_set_new(cfg->job, "urls", urls);
		}
		json_array_append_new(urls, uv);
		if (cfg->fetch_url != NULL)
			return 0;	/* the first one names the one-shot */
		return replace_string(&cfg->fetch_url, val, err, errlen);
	}
	if (strcmp(key, "output") == 0)
		return replace_string(&cfg->output, val, err, errlen);
	if (strcmp(key, "method") == 0) {
		const char *p;

		/* A token (RFC 9110 9.1), upper case by convention. */
		for (p = val; *p != '\0'; p++)
			if (!((*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_'))
				break;
		if (*p != '\0' || p == val || p - val > 32)
			return set_err(err, errlen,
				"--method: '%s' is not a method name like GET or POST",
				val);
		return replace_string(&cfg->method, val, err, errlen);
	}
	if (strcmp(key, "data") == 0)
		return replace_string(&cfg->data, val, err, errlen);
	if (strcmp(key, "ctl") == 0 || strcmp(key, "ctl.path") == 0)
		return replace_string(&cfg->ctl_path, val, err, errlen);
	if (strcmp(key, "ctl-tcp") == 0 || strcmp(key, "ctl.tcp") == 0) {
		const char *colon = strrchr(val, ':');

		if (colon == NULL || colon == val || colon[1] == '\0')
			return set_err(err, errlen,
				"--ctl-tcp: '%s' is not ADDR:PORT (e.g. 127.0.0.1:7070)",
				val);
		return replace_string(&cfg->ctl_tcp, val, err, errlen);
	}
	if (strcmp(key, "ctl-token") == 0 || strcmp(key, "ctl.token") == 0) {
		char why[200];

		if (ctl_token_check(val, why, sizeof(why)) != 0)
			return set_err(err, errlen, "--ctl-token: %s", why);
		return replace_string(&cfg->ctl_token, val, err, errlen);
	}
	if (strcmp(key, "ctl-token-file") == 0 ||
	    strcmp(key, "ctl.token_file") == 0) {
		char tok[CTL_TOKEN_MAX + 1];

		/* Read now: a bad file is a usage error at start. */
		if (ctl_token_read_file(val, tok, sizeof(tok), err,
					errlen) != 0)
			return -1;
		rc_ = replace_string(&cfg->ctl_token, tok, err, errlen);
		memset(tok, 0, sizeof(tok));
		if (rc_ != 0)
			return rc_;
		return replace_string(&cfg->ctl_token_file, val, err, errlen);
	}
	if (strcmp(key, "capture-dir") == 0)
		return replace_string(&cfg->capture_dir, val, err, errlen);
	if (strcmp(key, "metrics") == 0) {
		const char *colon = strrchr(val, ':');

		if (colon == NULL || colon == val || colon[1] == '\0')
			return set_err(err, errlen,
				"--metrics: '%s' is not ADDR:PORT (e.g. 127.0.0.1:9464)",
				val);
		return replace_string(&cfg->metrics, val, err, errlen);
	}
	if (strcmp(key, "format") == 0) {
		if (strcmp(val, "text") != 0 && strcmp(val, "json") != 0 &&
		    strcmp(val, "jsonl") != 0 && strcmp(val, "csv") != 0)
			return set_err(err, errlen,
				"--format: '%s' is not one of text, json, jsonl, csv",
				val);
		return replace_string(&cfg->format, val, err, errlen);
	}
	if (strcmp(key, "script") == 0)
		return replace_string(&cfg->script, val, err, errlen);
	if (strcmp(key, "capture") == 0)
		return replace_string(&cfg->capture_file, val, err, errlen);
	if (strcmp(key, "report") == 0)
		return replace_string(&cfg->report_file, val, err, errlen);
	if (strcmp(key, "header") == 0)
		return parse_header(cfg, val, err, errlen);
	if (strcmp(key, "timeout") == 0)
		return parse_timeout(val, &cfg->timeout_s, err, errlen);
	return set_err(err, errlen, "unknown setting '%s'", key);
}

/* Top-level settings that may be JSON numbers; the rest must be strings
 * (a number where a path or URL belongs is a mistake, not a name). */
static int
config_key_is_numeric(const char *key)
{
	size_t i;

	if (strcmp(key, "timeout") == 0)
		return 1;
	for (i = 0; i < ARRAY_LEN(numeric_settings); i++)
		if (strcmp(key, numeric_settings[i].key) == 0)
			return 1;
	return 0;
}

static int
json_section(struct dpf_config *cfg, const char *section, json_t *obj,
	     const char *prefix, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return set_err(err, errlen, "\"%s\" must be an object",
			       prefix[0] ? prefix : section);
	json_object_foreach(obj, key, v) {
		char name[128];
		const struct config_field *f;

		snprintf(name, sizeof(name), "%s%s", prefix, key);
		/* impair.rx and impair.tx are nested objects. */
		if (json_is_object(v) && strcmp(section, "impair") == 0 &&
		    prefix[0] == '\0') {
			char sub[64];

			snprintf(sub, sizeof(sub), "%s.", key);
			if (strcmp(key, "rx") != 0 && strcmp(key, "tx") != 0)
				return set_err(err, errlen,
					"\"impair.%s\": unknown key",
					key);
			if (json_section(cfg, section, v, sub, err, errlen))
				return -1;
			continue;
		}
		f = field_find(section, name);
		if (f == NULL)
			return set_err(err, errlen,
				"\"%s.%s\": unknown key", section,
				name);
		if (f->type == FIELD_CC) {
			if (!json_is_string(v))
				return set_err(err, errlen,
					"\"%s.%s\": must be a string",
					section, name);
			if (field_set_string(cfg, f, json_string_value(v), err,
					     errlen))
				return -1;
			continue;
		}
		if (f->type == FIELD_BOOL) {
			if (!json_is_boolean(v))
				return set_err(err, errlen,
					"\"%s.%s\": must be true or false",
					section, name);
			*(uint32_t *)((char *)cfg + f->offset) =
				json_is_true(v) ? 1 : 0;
			continue;
		}
		if (!json_is_number(v))
			return set_err(err, errlen,
				"\"%s.%s\": must be a number", section,
				name);
		if (f->type == FIELD_U64 && json_is_integer(v)) {
			/* Beyond 2^53 a double would round the value. */
			if (json_integer_value(v) < 0)
				return set_err(err, errlen,
					"\"%s.%s\": must not be negative",
					section, name);
			*(uint64_t *)((char *)cfg + f->offset) =
				(uint64_t)json_integer_value(v);
			continue;
		}
		if (field_store(cfg, f, json_number_value(v), err, errlen))
			return -1;
	}
	return 0;
}

static int
config_load_json(struct dpf_config *cfg, json_t *root, const char *path,
		 char *err, size_t errlen);
static const struct option *
file_option(const char *key);
static const char *
file_key_suggest(const char *key);
static int
file_setting(struct dpf_config *cfg, const struct option *o,
	     const char *key, json_t *v, char *err, size_t errlen);
static int
file_flag(struct dpf_config *cfg, const struct option *o, const char *key,
	  json_t *v, char *err, size_t errlen);

/* The load option a config file key names: its option (--rate-rps),
 * the same with '_' (rate_rps), or its fetch.start name (duration_s). */
static const struct job_param *
file_job_param(const char *key)
{
	size_t i, k;

	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];
		const char *o = e->opt;

		if (o == NULL)
			continue;
		if (strcmp(key, e->name) == 0)
			return e;
		for (k = 0; o[k] != '\0' && (key[k] == o[k] ||
				(o[k] == '-' && key[k] == '_')); k++)
			;
		if (o[k] == '\0' && key[k] == '\0')
			return e;
	}
	return NULL;
}

/* A load option's value from the file: JSON as fetch.start takes it,
 * or text as on the command line ("connections": "4", "lcores":
 * "0-3"). */
static int
file_job_value(struct dpf_config *cfg, const struct job_param *e,
	       const char *key, json_t *v, char *err, size_t errlen)
{
	char label[96];
	json_t *val;

	snprintf(label, sizeof(label), "\"%s\"", key);
	if (json_is_string(v))
		val = job_text_value(e, json_string_value(v), label, err,
				     errlen);
	else
		val = json_incref(v);
	if (val == NULL)
		return -1;
	/* The file's list replaces, the command line's adds up. */
	if (e->type == JOB_PARAM_THRESHOLDS && json_is_array(val))
		json_object_del(cfg->job, e->name);
	return store_job_value(cfg, e, val, label, err, errlen);
}

int
config_load_file(struct dpf_config *cfg, const char *path,
		 char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return set_err(err, errlen, "cannot open %s: %s", path,
			       strerror(errno));
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (root == NULL)
		return set_err(err, errlen, "%s:%d:%d: %s", path, jerr.line,
			       jerr.column, jerr.text);
	return config_load_json(cfg, root, path, err, errlen);
}

int
config_load_string(struct dpf_config *cfg, const char *text, size_t len,
		   const char *name, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return set_err(err, errlen, "%s:%d:%d: %s", name, jerr.line,
			       jerr.column, jerr.text);
	return config_load_json(cfg, root, name, err, errlen);
}

/* The loaders' common part: takes root's reference; path names it in
 * messages. */
/* "ip" or "ip6" of a config file as a list: each element as that option
 * given once more (["198.18.0.2/24", "198.18.5.2/24,vlan=5"]). */
static int
apply_address_list(struct dpf_config *cfg, const char *key, json_t *v,
		   char *err, size_t errlen)
{
	char opt[8];
	size_t i;
	json_t *a;

	snprintf(opt, sizeof(opt), "--%s", key);
	json_array_foreach(v, i, a) {
		char quoted[8];
		int rc;

		if (!json_is_string(a))
			return set_err(err, errlen,
				"\"%s\": must be a string or an array of strings",
				key);
		rc = apply_setting(cfg, key, json_string_value(a), err, errlen);
		if (rc != 0) {
			snprintf(quoted, sizeof(quoted), "\"%s\"", key);
			errbuf_relabel(err, errlen, opt, quoted);
			return rc;
		}
	}
	return 0;
}

static int
config_load_json(struct dpf_config *cfg, json_t *root, const char *path,
		 char *err, size_t errlen)
{
	const struct job_param *je;
	const struct option *o;
	const char *key;
	json_t *v;
	int rc = 0;

	if (!json_is_object(root)) {
		json_decref(root);
		return set_err(err, errlen,
			       "%s: the top level must be an object", path);
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "tcp") == 0 || strcmp(key, "arp") == 0 ||
		    strcmp(key, "nd") == 0 ||
		    strcmp(key, "impair") == 0 || strcmp(key, "http") == 0) {
			rc = json_section(cfg, key, v, "", err, errlen);
		} else if (strcmp(key, "ctl") == 0) {
			const char *k;
			json_t *cv;

			if (!json_is_object(v)) {
				rc = set_err(err, errlen,
					"\"ctl\": must be an object {path, tcp, token}");
				break;
			}
			json_object_foreach(v, k, cv) {
				char name[32];

				if (strcmp(k, "path") != 0 &&
				    strcmp(k, "tcp") != 0 &&
				    strcmp(k, "token") != 0 &&
				    strcmp(k, "token_file") != 0) {
					rc = set_err(err, errlen,
						"\"ctl.%s\": unknown key",
						k);
					break;
				}
				if (!json_is_string(cv)) {
					rc = set_err(err, errlen,
						"\"ctl.%s\": must be a string",
						k);
					break;
				}
				snprintf(name, sizeof(name), "ctl.%s", k);
				rc = apply_setting(cfg, name,
						   json_string_value(cv), err,
						   errlen);
				if (rc != 0)
					break;
			}
		} else if (strcmp(key, "job") == 0) {
			/* fetch.start's parameters, checked when the job is
			 * made (unknown names are errors there). */
			if (!json_is_object(v)) {
				rc = set_err(err, errlen,
					"\"job\": must be an object of fetch.start parameters");
				break;
			}
			json_object_update(cfg->job, v);
		} else if (strcmp(key, "search") == 0) {
			/* --search's object, checked with the command
			 * line's (config_validate). */
			if (!json_is_object(v)) {
				rc = set_err(err, errlen,
					"\"search\": must be an object such as {\"dial\": \"rate_rps\", \"max\": 10000}");
				break;
			}
			json_object_update(cfg->search, v);
		} else if (strcmp(key, "headers") == 0) {
			size_t i;
			json_t *h;

			if (!json_is_array(v)) {
				rc = set_err(err, errlen,
					"\"headers\": must be an array of strings");
				break;
			}
			json_array_foreach(v, i, h) {
				if (!json_is_string(h)) {
					rc = set_err(err, errlen,
						"\"headers\": must be an array of strings");
					break;
				}
				rc = parse_header(cfg, json_string_value(h),
						  err, errlen);
				if (rc != 0)
					break;
			}
		} else if ((strcmp(key, "ip") == 0 ||
			    strcmp(key, "ip6") == 0) && json_is_array(v)) {
			rc = apply_address_list(cfg, key, v, err, errlen);
		} else if (strcmp(key, "stats") == 0) {
			if (!json_is_boolean(v))
				rc = set_err(err, errlen,
					"\"stats\": must be true or false");
			else
				cfg->print_stats = json_is_true(v);
		} else if ((je = file_job_param(key)) != NULL) {
			rc = file_job_value(cfg, je, key, v, err, errlen);
		} else if ((o = file_option(key)) == NULL) {
			char hint[96];

			rc = set_err(err, errlen, "\"%s\": unknown key%s", key,
				     suggest_hint(hint, sizeof(hint), "",
						  file_key_suggest(key)));
		} else if (o->has_arg == no_argument) {
			rc = file_flag(cfg, o, key, v, err, errlen);
		} else if (strcmp(o->name, "fetch") == 0 && json_is_array(v)) {
			size_t i;
			json_t *u;

			json_array_foreach(v, i, u) {
				if (!json_is_string(u)) {
					rc = set_err(err, errlen,
						"\"%s\": must be a URL or an array of URLs",
						key);
					break;
				}
				rc = apply_setting(cfg, "fetch",
						   json_string_value(u), err,
						   errlen);
				if (rc != 0)
					break;
			}
		} else {
			rc = file_setting(cfg, o, key, v, err, errlen);
		}
		if (rc != 0)
			break;
	}
	json_decref(root);
	if (rc != 0) {
		char tmp[CONFIG_ERR_LEN];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	return rc;
}

void
config_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [EAL options] -- --ip A.B.C.D/N --fetch URL [options]\n"
"       %s [EAL options] -- --ip A.B.C.D/N --listen PORT|--echo PORT\n"
"\n"
"  --ip A.B.C.D/N        the appliance's own address and prefix (required)\n"
"  --ip A.B.C.D/N,vlan=ID,gateway=G\n"
"                        --ip again: one more address (up to 8), each prefix\n"
"                        an on-link route (the longest matching wins); vlan=\n"
"                        puts it on its own tagged interface (own neighbour\n"
"                        table), gateway= adds a default route through it\n"
"  --gateway A.B.C.D     next hop for destinations outside the prefix\n"
"  --ip6 ADDR/N          the appliance's IPv6 address and prefix (beside or\n"
"                        instead of --ip; checked by duplicate address\n"
"                        detection at start)\n"
"  --ip6 ADDR/N,vlan=ID,gateway6=G\n"
"                        --ip6 again: one more IPv6 address (up to 8), each\n"
"                        prefix an on-link route (the longest matching\n"
"                        wins); vlan= puts it on the interface of that tag\n"
"                        (with the --ip of that tag; a new one if none),\n"
"                        gateway6= adds a default route through it\n"
"  --gateway6 ADDR       IPv6 next hop outside the --ip6 prefixes (on-link:\n"
"                        inside an --ip6 prefix, or link-local fe80::); it\n"
"                        goes with the first --ip6 whose prefix holds it\n"
"  --mtu N               interface MTU, 576..9000 (default 1500)\n"
"  --vlan ID             tag all frames with 802.1Q VLAN ID, 1..4094, and\n"
"                        accept only frames with that tag (default: untagged)\n"
"  --port N              DPDK port id (default: the first port)\n"
"  --port-rss MODE       auto (default): program RSS where the port can,\n"
"                        else hand packets between lcores in software;\n"
"                        external: do not program it, something in front\n"
"                        of the port spreads flows over its queues by our\n"
"                        key and table (port.list shows them)\n"
"  --mbufs N             mbufs in the packet pool (default 16383)\n"
"  --max-conns N         TCP connections per worker lcore, 16..16777216\n"
"                        (default 16384)\n"
"  --fetch URL           fetch http://host[:port]/path and exit\n"
"  -o, --output FILE     write the body to FILE (default: stdout)\n"
"  --header 'K: V'       extra request header (repeatable)\n"
"  --method M            request method (default GET, or POST with --data)\n"
"  --data BODY|@FILE     request body, literally or read from FILE\n"
"  --timeout SEC         give up after SEC seconds (default 60)\n"
"\n"
"Load jobs (any of these, or several --fetch URLs, make the fetch a job that\n"
"discards bodies and prints its results as JSON on stdout, or to -o FILE):\n"
"  --report FILE         also write the job's report to FILE: one self-\n"
"                        contained HTML page with charts (docs/dpfetchctl.md)\n",
		prog, prog);
	job_params_usage(f);
	fprintf(f,
"\n"
"Capacity search (with --fetch URL and the load options, which may not\n"
"include --requests, --duration, --threshold or the searched rate):\n");
	search_params_usage(f);
	fprintf(f,
"\n"
"  --listen PORT         serve HTTP/1.1 on PORT: GET /bytes/N, /, else 404\n"
"  --echo PORT           serve TCP echo (RFC 862) on PORT\n"
"                        (with --listen or --echo and no --fetch, run until\n"
"                        SIGINT or SIGTERM)\n"
"  --stats               print all counters as JSON on stderr at exit\n"
"  --ctl PATH            JSON-RPC control socket (default, when neither\n"
"                        --fetch nor --script is given: /run/dpfetch/\n"
"                        <EAL file prefix>.sock); runs until app.shutdown\n"
"  --ctl-tcp ADDR:PORT   also accept control requests over TCP ...\n"
"  --ctl-token TOKEN     ... authenticated by this token (at least 16\n"
"                        characters) in the first request (\"auth\")\n"
"  --ctl-token-file FILE read the token from FILE's first line instead\n"
"                        (not in ps; FILE must not be readable by others)\n"
"  --ctl-max-tcp-clients N  TCP control clients at once (default 64; the\n"
"                        UNIX socket keeps its own 1024)\n"
"  --ctl-auth-timeout SEC  close a TCP client without its token after SEC\n"
"                        seconds (default 10)\n"
"  --metrics ADDR:PORT   serve Prometheus metrics (text format 0.0.4) on\n"
"                        GET /metrics over kernel TCP, from the control\n"
"                        thread (docs/control.md)\n"
"  --metrics-max-clients N  metrics connections at once (default 16)\n"
"  --metrics-timeout-ms MS  close a metrics client that has not sent its\n"
"                        request and read the reply in MS (default 5000)\n"
"  --metrics-max-request B  request head size limit (default 8192)\n"
"  --format F            a load job's result: json (default), jsonl, csv\n"
"                        (a row per second and a total row) or text\n"
"  --capture-dir DIR     capture.start writes only here, plain file names\n"
"                        (default /var/lib/dpfetch/captures, made 0750)\n"
"  --script FILE         run a dpfetchctl script at start-up, then exit\n"
"                        (status 0 when every command succeeded)\n"
"  --keep-going          run the script on after a failed command\n"
"  --capture FILE        write the port's packets to FILE (pcapng) for the\n"
"                        whole run (any path: the operator's own choice;\n"
"                        truncated if it exists)\n"
"  --capture-count N     stop the capture after N packets\n"
"  --config FILE         JSON config (see conf/dpfetch.json): every option\n"
"                        as a key (\"connections\": 4, \"rate_rps\": 1000,\n"
"                        \"fetch\": URL or [URLs]; '-' or '_'), sections\n"
"                        tcp, arp, http, impair, ctl; the command line\n"
"                        overrides it\n"
"  -v, --verbose         EAL's and dpfetch's notices; a one-shot fetch\n"
"                        traces ARP, the handshake and the heads on stderr\n"
"                        (-vv: also body sizes)\n"
"  --version             print dpfetch's version and exit\n"
"  --tcp K=V[,K=V]       TCP tunables: rcvbuf, rto_initial_ms, rto_min_ms,\n"
"                        rto_max_ms, delack_ms, time_wait_ms, syn_retries,\n"
"                        data_retries, max_ooo_segs, wscale, timestamps, sack,\n"
"                        sndbuf, iw, keepalive_s, keepalive_intvl_s,\n"
"                        keepalive_probes, cc (newreno or cubic), tso, lro\n"
"                        (segmentation offloads, used where the port has\n"
"                        them), ooo_max_bytes (true size of the out-of-\n"
"                        order queue, 0 = 2 x rcvbuf), mem_pressure_pct\n"
"                        (below this share of free mbufs, default 25,\n"
"                        out-of-order data is dropped and send buffers\n"
"                        are clamped to snd_pressure_bytes, default 65536),\n"
"                        syncookies (0 off, 1 past syn_backlog,\n"
"                        2 always), syn_backlog (half-open connections per\n"
"                        lcore; 0 = max_conns/16 within 128..4096),\n"
"                        synack_retries (1 once half the backlog is used),\n"
"                        rst_rate, challenge_ack_rate (per second per lcore;\n"
"                        0 = no limit), persist_max_s (a zero window held\n"
"                        this long is reset; 120), fin_wait2_s (FIN_WAIT_2\n"
"                        ends after this; 60); 0 = no bound;\n"
"                        sack_conns, ooo_conns, cc_conns (connections per\n"
"                        lcore that may hold a SACK scoreboard, an out-of-\n"
"                        order queue, CUBIC's state at once: preallocated;\n"
"                        0 = max_conns/16, at least 1024); snd_conns\n"
"                        (that may hold queued or unacknowledged data at\n"
"                        once; 0 = max_conns/8, at least max_conns up\n"
"                        to 16384); ip6_conns (IPv6 connections per\n"
"                        lcore at once, 32 B each; 0 = max_conns with\n"
"                        --ip6, none without)\n"
"  --arp K=V[,K=V]       ARP tunables: retries, retry_ms, reachable_s,\n"
"                        learn_rate (entries created from unsolicited ARP\n"
"                        per second; 100); the IPv6 neighbour table\n"
"                        (Neighbor Discovery) takes them too\n"
"  --nd K=V[,K=V]        Neighbor Discovery: dad_transmits (duplicate\n"
"                        address detection probes for --ip6 at start, 0 =\n"
"                        none; 1), dad_retrans_ms (between them and after\n"
"                        the last; 1000).  If another node has the address\n"
"                        dpfetch exits with status 2\n"
"  --http K=V[,K=V]      built-in servers: header_timeout_s (a request\n"
"                        still incomplete after this is reset; 30),\n"
"                        idle_timeout_s (an idle connection is closed\n"
"                        after this; also --echo; 60); 0 = no bound\n"
"  --impair K=V[,K=V]    fault injection: seed, {rx,tx}.{drop,dup,reorder,\n"
"                        corrupt} (probabilities), {rx,tx}.reorder_delay_us\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 complete 2xx response, 1 HTTP or network failure,\n"
"2 bad usage or config (--search: 0 a rate passed, 1 none did).\n");
}

enum {
	OPT_IP = 256, OPT_GATEWAY, OPT_MTU, OPT_PORT, OPT_MBUFS, OPT_FETCH,
	OPT_HEADER, OPT_TIMEOUT, OPT_STATS, OPT_CONFIG, OPT_TCP, OPT_ARP,
	OPT_IMPAIR, OPT_ECHO, OPT_METHOD, OPT_DATA, OPT_LISTEN,
	OPT_MAX_CONNS, OPT_CTL, OPT_CTL_TCP, OPT_CTL_TOKEN, OPT_SCRIPT,
	OPT_KEEP_GOING,
	OPT_CAPTURE, OPT_CAPTURE_COUNT,
	OPT_CTL_TOKEN_FILE, OPT_CTL_MAX_TCP, OPT_CTL_AUTH_TIMEOUT,
	OPT_CAPTURE_DIR,
	OPT_HTTP,
	OPT_REPORT,
	OPT_SEARCH,
	OPT_VERSION,
	OPT_PORT_RSS,
	OPT_METRICS, OPT_METRICS_MAX_CLIENTS, OPT_METRICS_TIMEOUT,
	OPT_METRICS_MAX_REQUEST, OPT_FORMAT,
	OPT_VLAN,
	OPT_IP6, OPT_GATEWAY6, OPT_ND,
	OPT_JOB_FIRST = 512,	/* + index in job_param_table */
	OPT_SEARCH_FIRST = 768,	/* + index in search_param_table */
};

static const struct option base_opts[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "ip6", required_argument, NULL, OPT_IP6 },
	{ "gateway6", required_argument, NULL, OPT_GATEWAY6 },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "fetch", required_argument, NULL, OPT_FETCH },
	{ "output", required_argument, NULL, 'o' },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "arp", required_argument, NULL, OPT_ARP },
	{ "nd", required_argument, NULL, OPT_ND },
	{ "http", required_argument, NULL, OPT_HTTP },
	{ "impair", required_argument, NULL, OPT_IMPAIR },
	{ "echo", required_argument, NULL, OPT_ECHO },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "ctl", required_argument, NULL, OPT_CTL },
	{ "ctl-tcp", required_argument, NULL, OPT_CTL_TCP },
	{ "ctl-token", required_argument, NULL, OPT_CTL_TOKEN },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "capture-count", required_argument, NULL, OPT_CAPTURE_COUNT },
	{ "ctl-token-file", required_argument, NULL, OPT_CTL_TOKEN_FILE },
	{ "ctl-max-tcp-clients", required_argument, NULL, OPT_CTL_MAX_TCP },
	{ "ctl-auth-timeout", required_argument, NULL, OPT_CTL_AUTH_TIMEOUT },
	{ "capture-dir", required_argument, NULL, OPT_CAPTURE_DIR },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "search", required_argument, NULL, OPT_SEARCH },
	{ "port-rss", required_argument, NULL, OPT_PORT_RSS },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "metrics-max-clients", required_argument, NULL, OPT_METRICS_MAX_CLIENTS },
	{ "metrics-timeout-ms", required_argument, NULL, OPT_METRICS_TIMEOUT },
	{ "metrics-max-request", required_argument, NULL, OPT_METRICS_MAX_REQUEST },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "verbose", no_argument, NULL, 'v' },
};

#define NB_BASE_OPTS	(sizeof(base_opts) / sizeof(base_opts[0]))
#define MAX_JOB_OPTS	64	/* and the search's */

/* base_opts, then an option for every job parameter that has one, with
 * the value OPT_JOB_FIRST + its index in job_param_table. */
static struct option long_opts[NB_BASE_OPTS + MAX_JOB_OPTS + 1];

static void
build_long_opts(void)
{
	size_t i, n = NB_BASE_OPTS;

	memcpy(long_opts, base_opts, sizeof(base_opts));
	for (i = 0; i < job_param_count && n < NB_BASE_OPTS + MAX_JOB_OPTS;
	     i++) {
		if (job_param_table[i].opt == NULL)
			continue;
		long_opts[n].name = job_param_table[i].opt;
		long_opts[n].has_arg = required_argument;
		long_opts[n].flag = NULL;
		long_opts[n].val = OPT_JOB_FIRST + (int)i;
		n++;
	}
	for (i = 0; i < search_param_count && n < NB_BASE_OPTS + MAX_JOB_OPTS;
	     i++) {
		if (search_param_table[i].opt == NULL)
			continue;
		long_opts[n].name = search_param_table[i].opt;
		long_opts[n].has_arg = required_argument;
		long_opts[n].flag = NULL;
		long_opts[n].val = OPT_SEARCH_FIRST + (int)i;
		n++;
	}
	memset(&long_opts[n], 0, sizeof(long_opts[n]));
}

static int
is_long_option(const char *name, size_t len)
{
	const struct option *o;

	for (o = long_opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return 1;
	return 0;
}

static const char *const opt_key[] = {
	[OPT_IP - OPT_IP] = "ip",
	[OPT_GATEWAY - OPT_IP] = "gateway",
	[OPT_MTU - OPT_IP] = "mtu",
	[OPT_PORT - OPT_IP] = "port",
	[OPT_MBUFS - OPT_IP] = "mbufs",
	[OPT_FETCH - OPT_IP] = "fetch",
	[OPT_HEADER - OPT_IP] = "header",
	[OPT_TIMEOUT - OPT_IP] = "timeout",
	[OPT_ECHO - OPT_IP] = "echo",
	[OPT_METHOD - OPT_IP] = "method",
	[OPT_DATA - OPT_IP] = "data",
	[OPT_LISTEN - OPT_IP] = "listen",
	[OPT_CTL - OPT_IP] = "ctl",
	[OPT_CTL_TCP - OPT_IP] = "ctl-tcp",
	[OPT_CTL_TOKEN - OPT_IP] = "ctl-token",
	[OPT_SCRIPT - OPT_IP] = "script",
	[OPT_MAX_CONNS - OPT_IP] = "max_conns",
	[OPT_CAPTURE - OPT_IP] = "capture",
	[OPT_CAPTURE_COUNT - OPT_IP] = "capture-count",
	[OPT_CTL_TOKEN_FILE - OPT_IP] = "ctl-token-file",
	[OPT_CTL_MAX_TCP - OPT_IP] = "ctl-max-tcp-clients",
	[OPT_CTL_AUTH_TIMEOUT - OPT_IP] = "ctl-auth-timeout",
	[OPT_CAPTURE_DIR - OPT_IP] = "capture-dir",
	[OPT_REPORT - OPT_IP] = "report",
	[OPT_PORT_RSS - OPT_IP] = "port_rss",
	[OPT_METRICS - OPT_IP] = "metrics",
	[OPT_METRICS_MAX_CLIENTS - OPT_IP] = "metrics-max-clients",
	[OPT_METRICS_TIMEOUT - OPT_IP] = "metrics-timeout-ms",
	[OPT_METRICS_MAX_REQUEST - OPT_IP] = "metrics-max-request",
	[OPT_FORMAT - OPT_IP] = "format",
	[OPT_VLAN - OPT_IP] = "vlan",
	[OPT_IP6 - OPT_IP] = "ip6",
	[OPT_GATEWAY6 - OPT_IP] = "gateway6",
};

/* The option a config file key stands for: its name, with '_' for
 * '-' where the option has one (max_conns, capture_count); NULL when
 * none. */
static const struct option *
file_option(const char *key)
{
	const struct option *o;
	size_t k;

	build_long_opts();
	for (o = long_opts; o->name != NULL; o++) {
		if (o->val >= OPT_JOB_FIRST || o->val == OPT_CONFIG ||
		    o->val == 'h' || o->val == OPT_VERSION)
			continue;
		for (k = 0; o->name[k] != '\0' && (key[k] == o->name[k] ||
			(o->name[k] == '-' && key[k] == '_')); k++)
			;
		if (o->name[k] == '\0' && key[k] == '\0')
			return o;
	}
	return NULL;
}

/* The closest key a config file may have, for "did you mean". */
static const char *
file_key_suggest(const char *key)
{
	static const char *const sections[] = {
		"tcp", "arp", "nd", "http", "impair", "ctl", "job", "search",
		"headers",
	};
	const char *names[NB_BASE_OPTS + MAX_JOB_OPTS + 8];
	const struct option *o;
	size_t n = 0, i;

	build_long_opts();
	for (o = long_opts; o->name != NULL; o++)
		if (o->val != OPT_CONFIG && o->val != 'h' &&
		    o->val != OPT_VERSION && o->val < OPT_SEARCH_FIRST)
			names[n++] = o->name;
	for (i = 0; i < ARRAY_LEN(sections); i++)
		names[n++] = sections[i];
	return suggest_pick(key, names, n);
}

/* A setting of the file that takes a value, as the option would. */
static int
file_setting(struct dpf_config *cfg, const struct option *o,
	     const char *key, json_t *v, char *err, size_t errlen)
{
	const char *skey = o->val == 'o' ? "output" :
		o->val >= OPT_IP && o->val - OPT_IP < (int)ARRAY_LEN(opt_key) ?
		opt_key[o->val - OPT_IP] : NULL;
	char num[64], opt[64], label[96];
	int rc;

	snprintf(label, sizeof(label), "\"%s\"", key);
	if (skey == NULL)
		return set_err(err, errlen,
			"%s: give it on the command line (--%s)", label,
			o->name);
	if (json_is_string(v)) {
		/* Numbers may come quoted; they are checked alike. */
		rc = apply_setting(cfg, skey, json_string_value(v), err,
				   errlen);
	} else if (json_is_number(v) && !config_key_is_numeric(skey)) {
		return set_err(err, errlen, "%s: must be a string", label);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		rc = apply_setting(cfg, skey, num, err, errlen);
	} else if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		rc = apply_setting(cfg, skey, num, err, errlen);
	} else {
		return set_err(err, errlen, "%s: has the wrong type", label);
	}
	if (rc != 0) {
		snprintf(opt, sizeof(opt), "--%s", o->name);
		errbuf_relabel(err, errlen, opt, label);
	}
	return rc;
}

/* An option without a value: true or false in the file ("verbose" may
 * be a level, 0..2). */
static int
file_flag(struct dpf_config *cfg, const struct option *o, const char *key,
	  json_t *v, char *err, size_t errlen)
{
	if (o->val == 'v' && json_is_integer(v) &&
	    json_integer_value(v) >= 0 && json_integer_value(v) <= 2) {
		cfg->verbose = (int)json_integer_value(v);
		return 0;
	}
	if (!json_is_boolean(v))
		return set_err(err, errlen, "\"%s\": must be true or false",
			       key);
	switch (o->val) {
	case OPT_STATS:
		cfg->print_stats = json_is_true(v);
		return 0;
	case OPT_KEEP_GOING:
		cfg->keep_going = json_is_true(v);
		return 0;
	case 'v':
		cfg->verbose = json_is_true(v);
		return 0;
	default:
		return set_err(err, errlen, "\"%s\": unknown key", key);
	}
}

int
config_is_option(const char *name)
{
	build_long_opts();
	return is_long_option(name, strlen(name));
}

/* "unknown option '--conections' (did you mean '--connections'?)" */
static void
unknown_option(const char *arg, char *err, size_t errlen)
{
	char name[64], hint[96];
	const struct option *o;
	const char *names[NB_BASE_OPTS + MAX_JOB_OPTS + 1];
	size_t n = 0;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="),
		 arg + 2);
	for (o = long_opts; o->name != NULL; o++)
		names[n++] = o->name;
	set_err(err, errlen, "unknown option '%s'%s", arg,
		strncmp(arg, "--", 2) != 0 ? "" :
		suggest_hint(hint, sizeof(hint), "--",
			     suggest_pick(name, names, n)));
}

enum config_result
config_from_args(struct dpf_config *cfg, int argc, char **argv,
		 char *err, size_t errlen)
{
	int opt;
	int pass;
	int file_urls = 0;
	int cli_ip = 0;
	int cli_ip6 = 0;

	build_long_opts();
	/* Pass 0 loads --config; pass 1 applies the rest over it. */
	for (pass = 0; pass < 2; pass++) {
		/* 0, not 1: also resets getopt's position inside a group
		 * of short options left over from an earlier call. */
		optind = 0;
		opterr = 0;
		while ((opt = getopt_long(argc, argv, ":o:hv", long_opts,
					  NULL)) != -1) {
			int rc = 0;

			if (opt == '?') {
				const char *arg = argv[optind - 1];

				/* A long option given a value it does not take
				 * ("--stats=3") also lands here. */
				if (strncmp(arg, "--", 2) == 0 &&
				    strchr(arg, '=') != NULL &&
				    is_long_option(arg + 2,
					(size_t)(strchr(arg, '=') - arg - 2)))
					set_err(err, errlen,
						"option '%.*s' takes no value",
						(int)(strchr(arg, '=') - arg),
						arg);
				else if (optopt > 0 && optopt < 128)
					set_err(err, errlen,
						"unknown option '-%c'", optopt);
				else
					unknown_option(arg, err, errlen);
				return CONFIG_ERROR;
			}
			if (opt == ':') {
				set_err(err, errlen, "option '%s' needs a value",
					argv[optind - 1]);
				return CONFIG_ERROR;
			}
			if (opt == 'h') {
				config_usage(stdout, "dpfetch");
				return CONFIG_HELP;
			}
			if (opt == OPT_VERSION) {
				printf("dpfetch %s\n", DPF_VERSION);
				return CONFIG_HELP;
			}
			if (pass == 0) {
				if (opt == OPT_CONFIG &&
				    config_load_file(cfg, optarg, err,
						     errlen) != 0)
					return CONFIG_ERROR;
				file_urls = json_object_get(cfg->job,
							    "urls") != NULL;
				continue;
			}
			if (opt == OPT_IP && !cli_ip) {
				/* The command line's addresses replace the
				 * file's; several --ip add up. */
				cfg->n_addrs = 0;
				cli_ip = 1;
			}
			if (opt == OPT_IP6 && !cli_ip6) {
				/* The same for --ip6. */
				cfg->n_addrs6 = 0;
				cli_ip6 = 1;
			}
			if (opt == OPT_FETCH && file_urls) {
				/* The command line's URLs replace the
				 * file's; several --fetch add up. */
				json_object_del(cfg->job, "urls");
				free(cfg->fetch_url);
				cfg->fetch_url = NULL;
				file_urls = 0;
			}
			switch (opt) {
			case OPT_CONFIG:
				break;
			case 'o':
				rc = replace_string(&cfg->output, optarg, err,
						    errlen);
				break;
			case OPT_STATS:
				cfg->print_stats = 1;
				break;
			case OPT_KEEP_GOING:
				cfg->keep_going = 1;
				break;
			case 'v':
				cfg->verbose++;
				break;
			case OPT_TCP:
				rc = config_set_pairs(cfg, "tcp", optarg, err,
						      errlen);
				break;
			case OPT_ARP:
				rc = config_set_pairs(cfg, "arp", optarg, err,
						      errlen);
				break;
			case OPT_ND:
				rc = config_set_pairs(cfg, "nd", optarg, err,
						      errlen);
				break;
			case OPT_IMPAIR:
				rc = config_set_pairs(cfg, "impair", optarg,
						      err, errlen);
				break;
			case OPT_HTTP:
				rc = config_set_pairs(cfg, "http", optarg, err,
						      errlen);
				break;
			case OPT_SEARCH:
				rc = search_spec_parse(optarg, cfg->search, err,
						       errlen);
				break;
			default:
				if (opt >= OPT_SEARCH_FIRST)
					rc = apply_search_option(cfg,
						opt - OPT_SEARCH_FIRST, optarg,
						err, errlen);
				else if (opt >= OPT_JOB_FIRST)
					rc = apply_job_option(cfg,
						opt - OPT_JOB_FIRST, optarg,
						err, errlen);
				else
					rc = apply_setting(cfg,
						opt_key[opt - OPT_IP], optarg,
						err, errlen);
				break;
			}
			if (rc != 0)
				return CONFIG_ERROR;
		}
		if (optind < argc) {
			set_err(err, errlen, "unexpected argument '%s'",
				argv[optind]);
			return CONFIG_ERROR;
		}
	}
	if (config_validate(cfg, err, errlen) != 0)
		return CONFIG_ERROR;
	cfg->load_mode = config_is_load_job(cfg);
	return CONFIG_OK;
}

int
config_is_load_job(const struct dpf_config *cfg)
{
	json_t *urls = json_object_get(cfg->job, "urls");
	const char *key;
	json_t *v;

	if (json_array_size(urls) > 1 || json_object_size(cfg->search) > 0)
		return 1;
	json_object_foreach(cfg->job, key, v)
		if (strcmp(key, "url") != 0 && strcmp(key, "urls") != 0)
			return 1;
	return 0;
}

/* The search options, with the job they search with. */
static int
config_validate_search(const struct dpf_config *cfg, char *err,
		       size_t errlen)
{
	struct search_params sp;

	if (json_object_size(cfg->search) == 0)
		return 0;
	if (json_object_get(cfg->search, "max") == NULL)
		return set_err(err, errlen,
			       "--slo and --search-* go with --search DIAL:MIN:MAX");
	if (json_object_get(cfg->job, "url") == NULL &&
	    json_object_get(cfg->job, "urls") == NULL)
		return set_err(err, errlen,
			       "--search needs --fetch URL: the URL its steps load");
	if (search_params_from_json(&sp, cfg->search, err, errlen) != 0 ||
	    search_check_job(&sp, cfg->job, err, errlen) != 0)
		return -1;
	return 0;
}

int
config_validate(const struct dpf_config *cfg, char *err, size_t errlen)
{
	uint32_t mask;

	if (cfg->ip == 0 && !cfg->has_ip6)
		return set_err(err, errlen,
			       "--ip A.B.C.D/N (or --ip6 ADDR/N) is required (the appliance's own address)");
	if (cfg->gateway6[0] != 0 || memcmp(cfg->gateway6, cfg->gateway6 + 1,
					    15) != 0) {
		if (!cfg->has_ip6)
			return set_err(err, errlen,
				       "--gateway6 needs --ip6 ADDR/N");
		if (memcmp(cfg->gateway6, cfg->ip6, 16) == 0)
			return set_err(err, errlen,
				       "--gateway6 is the appliance's own address");
	}
	if (cfg->n_addrs6 > 0) {
		/* Duplicates, equal prefixes, gateways on-link, tags
		 * (route6.c), after IPv4's interfaces as at start. */
		struct route6_addr a6[ROUTE_ADDRS_MAX];
		struct route_addr a[ROUTE_ADDRS_MAX];
		struct route6_table rt6;
		struct route_table rt;
		uint16_t vlans[ROUTE_IFACES_MAX];
		unsigned int n_ifaces = 0;

		if (cfg->n_addrs > 0) {
			memcpy(a, cfg->addrs, cfg->n_addrs * sizeof(a[0]));
			if (route_build(a, cfg->n_addrs, cfg->vlan,
					cfg->gateway, &rt, vlans, &n_ifaces,
					err, errlen) != 0)
				return -1;
		}
		memcpy(a6, cfg->addrs6, cfg->n_addrs6 * sizeof(a6[0]));
		if (route6_build(a6, cfg->n_addrs6, cfg->vlan, cfg->gateway6,
				 &rt6, vlans, &n_ifaces, err, errlen) != 0)
			return -1;
	}
	mask = cfg->prefix_len == 0 ? 0 :
		(uint32_t)(0xffffffffu << (32 - cfg->prefix_len));
	if (cfg->n_addrs <= 1 && cfg->gateway != 0 &&
	    (cfg->gateway & mask) != (cfg->ip & mask))
		return set_err(err, errlen,
			       "--gateway is not inside the --ip prefix");
	if (cfg->gateway != 0 && cfg->gateway == cfg->ip)
		return set_err(err, errlen,
			       "--gateway is the appliance's own address");
	if (cfg->n_addrs > 0) {
		/* Duplicates, equal prefixes, gateways (route.c). */
		struct route_addr a[ROUTE_ADDRS_MAX];
		struct route_table rt;
		uint16_t vlans[ROUTE_IFACES_MAX];
		unsigned int n_ifaces;

		memcpy(a, cfg->addrs, cfg->n_addrs * sizeof(a[0]));
		if (route_build(a, cfg->n_addrs, cfg->vlan, cfg->gateway,
				&rt, vlans, &n_ifaces, err, errlen) != 0)
			return -1;
	}
	if (cfg->script != NULL &&
	    (json_object_get(cfg->job, "url") != NULL ||
	     json_object_get(cfg->job, "urls") != NULL))
		return set_err(err, errlen,
			       "--script and --fetch do not go together: start the fetch from the script");
	if (cfg->ctl_tcp != NULL && cfg->ctl_token == NULL)
		return set_err(err, errlen,
			       "--ctl-tcp needs --ctl-token or --ctl-token-file: remote clients authenticate with it");
	if (cfg->echo_port != 0 && cfg->echo_port == cfg->listen_port)
		return set_err(err, errlen,
			       "--echo and --listen want the same port %u",
			       cfg->echo_port);
	if (cfg->report_file != NULL && !config_is_load_job(cfg))
		return set_err(err, errlen,
			       "--report needs a load job (e.g. --connections N or several --fetch URLs)");
	if (cfg->capture_count != 0 && cfg->capture_file == NULL)
		return set_err(err, errlen,
			       "--capture-count needs --capture FILE");
	if (cfg->tcp.rto_min_ms > cfg->tcp.rto_max_ms)
		return set_err(err, errlen,
			       "tcp.rto_min_ms is above tcp.rto_max_ms");
	return config_validate_search(cfg, err, errlen);
}
