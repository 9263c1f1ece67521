/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command table and the key=value to JSON mapping (see ctl_cmd.h).
 *
 * ctl_cmd_build -> find_cmd -> (per ARG) find_key -> put_value
 *   -> apply_defaults -> check_required
 */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmd.h"
#include "job_params.h"
#include "search_params.h"
#include "stats.h"
#include "suggest.h"

enum val_type {
	V_INT,		/* integer */
	V_NUM,		/* number; sent as an integer when it is one */
	V_BOOL,		/* true/false, yes/no, on/off, 1/0 */
	V_STR,		/* string */
	V_JOB,		/* job id: an integer if it reads as one, else text */
	V_INTS,		/* "0,1,3" -> [0, 1, 3] */
	V_URL,		/* url=, repeated: "url" becomes "urls": [...] */
	V_HEADER,	/* "Name: value", repeatable -> headers object */
	V_IPS,		/* one address, range or prefix, as a string */
	V_NUMS,		/* "50,99.9" -> [50, 99.9] */
	V_STRS,		/* repeatable -> array of strings */
	V_STEPS,	/* "AT:RPS,..." -> [{"at_s", "rate_rps"}, ...] */
	V_JSON_FILE,	/* a file holding JSON, read here: the value */
};

struct ctl_key {
	const char *name;	/* as typed */
	const char *param;	/* JSON member */
	enum val_type type;
	const char *parent;	/* member of this nested object, or NULL */
	const char *const *choices;	/* allowed values, NULL-ended */
	int required;
};

struct ctl_cmd {
	const char *name;
	const char *method;
	const struct ctl_key *keys;	/* NULL-name terminated, or NULL */
	const char *bare;	/* key a bare word stands for, or NULL */
	const char *defaults;	/* "key=value" sent when key is absent */
	const char *args;	/* usage; NULL: fetch_args() */
	const char *help;
};

static const char *const scope_choices[] = { STATS_SCOPE_NAMES, NULL };
static const char *const kind_choices[] = { "http", "echo", NULL };

static const struct ctl_key stats_keys[] = {
	{ "scope", "scope", V_STR, NULL, scope_choices, 0 },
	{ "per_lcore", "per_lcore", V_BOOL, NULL, NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key arp_add_keys[] = {
	{ "ip", "ip", V_STR, NULL, NULL, 1 },
	{ "mac", "mac", V_STR, NULL, NULL, 1 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key arp_del_keys[] = {
	{ "ip", "ip", V_STR, NULL, NULL, 1 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const char *const family_choices[] = { "ipv4", "ipv6", NULL };

static const struct ctl_key neigh_keys[] = {
	{ "family", "family", V_STR, NULL, family_choices, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key conns_keys[] = {
	{ "state", "state", V_STR, NULL, NULL, 0 },
	{ "port", "port", V_INT, NULL, NULL, 0 },
	{ "host", "host", V_STR, NULL, NULL, 0 },
	{ "limit", "limit", V_INT, NULL, NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

/*
 * fetch's keys come from the job parameter table (job_params.h): each
 * parameter's dpfetchctl key, and for a number its JSON name too where
 * that differs (duration and duration_s).  Built once, on first use.
 */
#define FETCH_KEYS_MAX	128

static struct ctl_key fetch_keys[FETCH_KEYS_MAX + 1];
static pthread_once_t fetch_keys_once = PTHREAD_ONCE_INIT;

/* search's: fetch's but those the steps set (requests, duration) or
 * that the slo replaces (threshold), then the members of the "search"
 * object (search_params.h), then timeout. */
static struct ctl_key search_keys[FETCH_KEYS_MAX + 1];
static const char *const dial_choices[] = { "rate_rps", "rate_cps", NULL };

static enum val_type
job_key_type(enum job_param_type t)
{
	switch (t) {
	case JOB_PARAM_URL: return V_URL;
	case JOB_PARAM_HEADERS: return V_HEADER;
	case JOB_PARAM_UINT: return V_INT;
	case JOB_PARAM_NUM: return V_NUM;
	case JOB_PARAM_IPS: return V_IPS;
	case JOB_PARAM_LCORES: return V_INTS;
	case JOB_PARAM_PERCENTILES: return V_NUMS;
	case JOB_PARAM_THRESHOLDS: return V_STRS;
	case JOB_PARAM_STEPS: return V_STEPS;
	case JOB_PARAM_MIX: return V_JSON_FILE;
	default: return V_STR;
	}
}

/* A job parameter a search's steps set, or judge otherwise. */
static int
search_sets(const struct job_param *e)
{
	return strcmp(e->name, "requests") == 0 ||
		strcmp(e->name, "duration_s") == 0 ||
		e->type == JOB_PARAM_THRESHOLDS;
}

static void
search_keys_init(void)
{
	size_t i, n = 0;

	for (i = 0; fetch_keys[i].name != NULL; i++)
		if (!search_sets(job_param_find(fetch_keys[i].param)))
			search_keys[n++] = fetch_keys[i];
	for (i = 0; i < search_param_count && n + 3 <= FETCH_KEYS_MAX; i++) {
		const struct search_param *e = &search_param_table[i];
		struct ctl_key k = {
			.name = e->name,
			.param = e->name,
			.type = e->type == SEARCH_PARAM_UINT ? V_INT :
				e->type == SEARCH_PARAM_NUM ? V_NUM :
				e->type == SEARCH_PARAM_SLO ? V_STRS : V_STR,
			.parent = "search",
			.choices = e->type == SEARCH_PARAM_DIAL ?
				dial_choices : NULL,
			.required = strcmp(e->name, "max") == 0,
		};

		search_keys[n++] = k;
	}
	search_keys[n++] = (struct ctl_key){ "timeout", "timeout_s", V_NUM,
					     NULL, NULL, 0 };
	search_keys[n++] = (struct ctl_key){ "timeout_s", "timeout_s", V_NUM,
					     NULL, NULL, 0 };
}

static void
fetch_keys_init(void)
{
	size_t i, n = 0;

	for (i = 0; i < job_param_count && n + 2 <= FETCH_KEYS_MAX; i++) {
		const struct job_param *e = &job_param_table[i];
		struct ctl_key k = {
			.name = e->key,
			.param = e->name,
			.type = job_key_type(e->type),
			.required = e->type == JOB_PARAM_URL,
		};

		if (e->key == NULL)
			continue;
		fetch_keys[n++] = k;
		if ((e->type == JOB_PARAM_UINT || e->type == JOB_PARAM_NUM) &&
		    strcmp(e->key, e->name) != 0) {
			k.name = e->name;
			fetch_keys[n++] = k;
		}
	}
	search_keys_init();
}

static void
init_tables(void)
{
	pthread_once(&fetch_keys_once, fetch_keys_init);
}

static const struct ctl_key job_keys[] = {
	{ "job", "job", V_JOB, NULL, NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key status_keys[] = {
	{ "job", "job", V_JOB, NULL, NULL, 0 },
	{ "distribution", "distribution", V_BOOL, NULL, NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key wait_keys[] = {
	{ "job", "job", V_JOB, NULL, NULL, 0 },
	{ "timeout", "timeout_s", V_NUM, NULL, NULL, 0 },
	{ "timeout_s", "timeout_s", V_NUM, NULL, NULL, 0 },
	{ "distribution", "distribution", V_BOOL, NULL, NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key listen_keys[] = {
	{ "port", "port", V_INT, NULL, NULL, 1 },
	{ "kind", "kind", V_STR, NULL, kind_choices, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key unlisten_keys[] = {
	{ "port", "port", V_INT, NULL, NULL, 1 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key impair_keys[] = {
	/* The keys of --impair, per direction. */
	{ "rx.drop", "rx.drop", V_NUM, NULL, NULL, 0 },
	{ "rx.dup", "rx.dup", V_NUM, NULL, NULL, 0 },
	{ "rx.reorder", "rx.reorder", V_NUM, NULL, NULL, 0 },
	{ "rx.reorder_delay_us", "rx.reorder_delay_us", V_INT, NULL, NULL, 0 },
	{ "rx.corrupt", "rx.corrupt", V_NUM, NULL, NULL, 0 },
	{ "tx.drop", "tx.drop", V_NUM, NULL, NULL, 0 },
	{ "tx.dup", "tx.dup", V_NUM, NULL, NULL, 0 },
	{ "tx.reorder", "tx.reorder", V_NUM, NULL, NULL, 0 },
	{ "tx.reorder_delay_us", "tx.reorder_delay_us", V_INT, NULL, NULL, 0 },
	{ "tx.corrupt", "tx.corrupt", V_NUM, NULL, NULL, 0 },
	{ "seed", "seed", V_INT, NULL, NULL, 0 },
	{ "clear", "clear", V_BOOL, NULL, NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_key capture_keys[] = {
	{ "file", "file", V_STR, NULL, NULL, 1 },
	{ "count", "count", V_INT, NULL, NULL, 0 },
	{ "duration", "duration_s", V_NUM, NULL, NULL, 0 },
	{ "duration_s", "duration_s", V_NUM, NULL, NULL, 0 },
	{ "host", "host", V_STR, "filter", NULL, 0 },
	{ "port", "port", V_INT, "filter", NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0 }
};

static const struct ctl_cmd cmds[] = {
	{ "info", "app.info", NULL, NULL, NULL, "",
	  "version, DPDK version, lcores, ports, uptime" },
	{ "shutdown", "app.shutdown", NULL, NULL, NULL, "",
	  "stop the appliance" },
	{ "ports", "port.list", NULL, NULL, NULL, "", "the ports" },
	{ "stats", "stats.get", stats_keys, "scope", NULL,
	  "[SCOPE] [per_lcore=BOOL]",
	  "counters; SCOPE: one of " /* + scope_choices: print_cmd() */ },
	{ "reset", "stats.reset", NULL, NULL, NULL, "",
	  "zero the counters" },
	{ "arp", "arp.list", NULL, NULL, NULL, "", "the neighbour table" },
	{ "arp-add", "arp.add", arp_add_keys, NULL, NULL,
	  "ip=A.B.C.D mac=XX:XX:XX:XX:XX:XX", "add a static neighbour" },
	{ "arp-del", "arp.del", arp_del_keys, NULL, NULL, "ip=A.B.C.D",
	  "remove a neighbour" },
	{ "neigh", "neigh.list", neigh_keys, "family", NULL,
	  "[ipv4|ipv6]", "the neighbour tables of both families" },
	{ "neigh-add", "neigh.add", arp_add_keys, NULL, NULL,
	  "ip=ADDR mac=XX:XX:XX:XX:XX:XX",
	  "add a static neighbour (IPv4 or IPv6)" },
	{ "neigh-del", "neigh.del", arp_del_keys, NULL, NULL, "ip=ADDR",
	  "remove a neighbour (IPv4 or IPv6)" },
	{ "conns", "conn.list", conns_keys, NULL, NULL,
	  "[state=S] [port=N] [host=IP] [limit=N]",
	  "TCP connections, like ss -ti" },
	{ "fetch", "fetch.start", fetch_keys, NULL, NULL,
	  NULL,	/* from the job parameter table: fetch_args() */
	  "start a fetch job; prints its id" },
	{ "status", "fetch.status", status_keys, "job", NULL,
	  "[JOB] [distribution=true]",
	  "a job's progress and results (distribution: every percentile)" },
	{ "wait", "fetch.wait", wait_keys, "job", NULL,
	  "[JOB] [timeout=S] [distribution=true]",
	  "wait for a job to end; fails if it failed (exit 3: a threshold)" },
	{ "stop", "fetch.stop", job_keys, "job", NULL, "[JOB]",
	  "stop a job" },
	{ "search", "fetch.search", search_keys, NULL, "timeout=3600",
	  "url=URL max=R [dial=rate_rps|rate_cps] [min=R] [slo=EXPR ...] "
	  "[step_s=SEC] [warmup_s=SEC] [pause_s=SEC] [precision=F] "
	  "[max_steps=N] [timeout=SEC] [fetch's keys but requests, "
	  "duration and threshold]",
	  "the highest rate that meets the SLO, by warmed-up steps and "
	  "bisection; prints each step and the answer (exit 1: none "
	  "passed)" },
	{ "jobs", "fetch.list", NULL, NULL, NULL, "", "every job" },
	{ "listen", "server.start", listen_keys, NULL, "kind=http",
	  "port=N [kind=http|echo]", "start a server" },
	{ "unlisten", "server.stop", unlisten_keys, NULL, NULL, "port=N",
	  "stop a server" },
	{ "impair", "impair.set", impair_keys, NULL, NULL,
	  "[rx.drop=P] [tx.drop=P] [rx.dup=P] [rx.reorder=P] "
	  "[rx.reorder_delay_us=N] [rx.corrupt=P] (and tx.*) [seed=N] "
	  "[clear=yes]",
	  "fault injection; no keys: show the settings" },
	{ "capture", "capture.start", capture_keys, NULL, NULL,
	  "file=NAME [count=N] [duration=S] [host=IP] [port=N]",
	  "capture packets to a new pcapng file NAME in dpfetch's --capture-dir" },
	{ "capture-stop", "capture.stop", NULL, NULL, NULL, "",
	  "stop the capture" },
	{ "capture-status", "capture.status", NULL, NULL, NULL, "",
	  "the running (or last) capture" },
};

#define NB_CMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const struct ctl_cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NB_CMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static const struct ctl_key *
find_key(const struct ctl_cmd *c, const char *name, size_t len)
{
	const struct ctl_key *k;

	if (c->keys == NULL)
		return NULL;
	for (k = c->keys; k->name != NULL; k++)
		if (strlen(k->name) == len && strncmp(k->name, name, len) == 0)
			return k;
	return NULL;
}

/* Append name to the blank-separated list in buf, truncating. */
static void
append_name(char *buf, size_t len, const char *name)
{
	size_t off = strlen(buf);

	if (off + 1 < len)
		snprintf(buf + off, len - off, "%s%s", off ? " " : "", name);
}

static void
cmd_names(char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < NB_CMDS; i++)
		append_name(buf, len, cmds[i].name);
	append_name(buf, len, "call");
}

static void
key_names(const struct ctl_cmd *c, char *buf, size_t len)
{
	const struct ctl_key *k;

	buf[0] = '\0';
	if (c->keys == NULL) {
		snprintf(buf, len, "(none)");
		return;
	}
	for (k = c->keys; k->name != NULL; k++)
		append_name(buf, len, k->name);
}

const char *
ctl_cmd_suggest(const char *typed)
{
	static const char *const extra[] = {
		"call", "help", "watch", "report", "sleep", "echo", "shell",
	};
	const char *pick = suggest_pick_field(typed, cmds, sizeof(cmds[0]),
		offsetof(struct ctl_cmd, name), NB_CMDS);

	if (pick == NULL)
		pick = suggest_pick(typed, extra, sizeof(extra) /
				    sizeof(extra[0]));
	return pick;
}

int
ctl_cmd_exists(const char *name)
{
	return strcmp(name, "call") == 0 || find_cmd(name) != NULL;
}

const char *
ctl_cmd_method(const char *name)
{
	const struct ctl_cmd *c = find_cmd(name);

	return c == NULL ? NULL : c->method;
}

static int
parse_int(const char *s, json_int_t *v)
{
	char *end;
	long long x;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoll(s, &end, 10);	/* not 0: port=010 is ten, not eight */
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

/* An integer stays an integer so that servers reading integers get one. */
static json_t *
number_value(const char *s)
{
	json_int_t i;
	char *end;
	double d;

	if (parse_int(s, &i) == 0)
		return json_integer(i);
	if (*s == '\0' || isspace((unsigned char)*s))
		return NULL;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d))
		return NULL;
	return json_real(d);
}

static json_t *
bool_value(const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return json_true();
		if (strcasecmp(s, no[i]) == 0)
			return json_false();
	}
	return NULL;
}

static json_t *
ints_value(const char *s)
{
	json_t *a = json_array();
	const char *p = s;
	char buf[32];
	json_int_t v;
	size_t n;

	while (a != NULL) {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(buf))
			goto bad;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (parse_int(buf, &v) != 0)
			goto bad;
		json_array_append_new(a, json_integer(v));
		if (p[n] == '\0')
			return a;
		p += n + 1;
	}
bad:
	json_decref(a);
	return NULL;
}

static json_t *
nums_value(const char *s)
{
	json_t *a = json_array(), *v;
	const char *p = s;
	char buf[32];
	size_t n;

	while (a != NULL) {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(buf))
			break;
		memcpy(buf, p, n);
		buf[n] = '\0';
		v = number_value(buf);
		if (v == NULL)
			break;
		json_array_append_new(a, v);
		if (p[n] == '\0')
			return a;
		p += n + 1;
	}
	json_decref(a);
	return NULL;
}

/* A repeatable string key: each one joins the array. */
static int
put_strs(json_t *obj, const struct ctl_key *k, const char *val)
{
	json_t *a = json_object_get(obj, k->param);

	if (a == NULL) {
		a = json_array();
		if (json_object_set_new(obj, k->param, a) != 0)
			return -1;
	}
	return json_array_append_new(a, json_string(val));
}

/* Trim blanks around [*s, *s + *n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isblank((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isblank((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int
put_header(const char *cmd, json_t *obj, const char *val, char *err,
	   size_t errlen)
{
	const char *colon = strchr(val, ':');
	const char *name = val, *v;
	size_t nlen, vlen;
	char *key;
	json_t *h;
	int rc;

	if (colon == NULL) {
		set_err(err, errlen, "%s: header='%s': expected 'Name: value'",
			cmd, val);
		return -1;
	}
	nlen = colon - val;
	trim(&name, &nlen);
	v = colon + 1;
	vlen = strlen(v);
	trim(&v, &vlen);
	if (nlen == 0) {
		set_err(err, errlen, "%s: header='%s': empty header name", cmd,
			val);
		return -1;
	}
	h = json_object_get(obj, "headers");
	if (h == NULL) {
		h = json_object();
		json_object_set_new(obj, "headers", h);
	}
	key = strndup(name, nlen);
	if (key == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if (json_object_get(h, key) != NULL) {
		set_err(err, errlen, "%s: header %s given twice", cmd, key);
		free(key);
		return -1;
	}
	rc = json_object_set_new(h, key, json_stringn(v, vlen));
	free(key);
	return rc;
}

/* url= once gives "url", twice or more "urls": [...]. */
static int
put_url(const char *cmd, json_t *obj, const char *val, char *err,
	size_t errlen)
{
	json_t *one = json_object_get(obj, "url");
	json_t *many = json_object_get(obj, "urls");

	json_t *u;

	if (*val == '\0') {
		set_err(err, errlen, "%s: url: empty value", cmd);
		return -1;
	}
	/* Checked here, not only by the server: a bad URL is a usage
	 * error (exit 2) and needs no connection. */
	u = json_string(val);
	if (u == NULL || job_param_check(job_param_find("url"), u, "url",
					 err, errlen) != 0) {
		char tmp[512];

		if (u == NULL)
			snprintf(err, errlen, "url: not UTF-8 text");
		snprintf(tmp, sizeof(tmp), "%s: %s", cmd, err);
		snprintf(err, errlen, "%s", tmp);
		json_decref(u);
		return -1;
	}
	json_decref(u);
	if (one == NULL && many == NULL)
		return json_object_set_new(obj, "url", json_string(val));
	if (many == NULL) {
		many = json_array();
		json_array_append(many, one);
		json_object_set_new(obj, "urls", many);
		json_object_del(obj, "url");
	}
	return json_array_append_new(many, json_string(val));
}

static const char *const type_names[] = {
	[V_INT] = "an integer",
	[V_NUM] = "a number",
	[V_BOOL] = "true or false",
	[V_STR] = "UTF-8 text",
	[V_JOB] = "a job id",
	[V_INTS] = "integers separated by commas",
	[V_URL] = "a URL",
	[V_HEADER] = "'Name: value'",
	[V_IPS] = "A.B.C.D, A.B.C.D-E.F.G.H or A.B.C.D/N",
	[V_NUMS] = "numbers separated by commas",
	[V_STRS] = "UTF-8 text",
	[V_STEPS] = "AT:RPS pairs separated by commas",
	[V_JSON_FILE] = "a file holding JSON",
};

/*
 * mix=FILE: dpfetchctl reads FILE (the appliance may be on another
 * host) and sends its JSON as the value, checked as the server would,
 * so that a bad file is a usage error naming the file and the place.
 */
static int
put_json_file(const char *cmd, json_t *obj, const struct ctl_key *k,
	      const char *val, char *err, size_t errlen)
{
	const struct job_param *e = job_param_find(k->param);
	char perr[512];
	json_error_t jerr;
	json_t *v;

	if (*val == '\0') {
		set_err(err, errlen, "%s: %s: empty value (a file name)", cmd,
			k->name);
		return -1;
	}
	v = json_load_file(val, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL) {
		if (jerr.line > 0)
			set_err(err, errlen, "%s: %s=%s: line %d, column %d: %s",
				cmd, k->name, val, jerr.line, jerr.column,
				jerr.text);
		else
			set_err(err, errlen, "%s: %s=%s: %s", cmd, k->name, val,
				jerr.text);
		return -1;
	}
	if (e != NULL && job_param_check(e, v, k->name, perr,
					 sizeof(perr)) != 0) {
		set_err(err, errlen, "%s: %s=%s: %s", cmd, k->name, val, perr);
		json_decref(v);
		return -1;
	}
	return json_object_set_new(obj, k->param, v);
}

static int
put_value(const char *cmd, json_t *params, const struct ctl_key *k,
	  const char *val, char *err, size_t errlen)
{
	json_t *obj = params, *v = NULL;
	json_int_t i;
	const char *const *c;

	if (k->parent != NULL) {
		obj = json_object_get(params, k->parent);
		if (obj == NULL) {
			obj = json_object();
			json_object_set_new(params, k->parent, obj);
		}
	}
	if (k->type == V_HEADER)
		return put_header(cmd, obj, val, err, errlen);
	if (k->type == V_URL)
		return put_url(cmd, obj, val, err, errlen);
	if (k->type == V_STRS)
		return put_strs(obj, k, val);
	if (json_object_get(obj, k->param) != NULL) {
		set_err(err, errlen, "%s: %s given twice", cmd, k->name);
		return -1;
	}
	if (k->type == V_JSON_FILE)
		return put_json_file(cmd, obj, k, val, err, errlen);
	switch (k->type) {
	case V_INT:
		if (parse_int(val, &i) == 0)
			v = json_integer(i);
		break;
	case V_NUM:
		v = number_value(val);
		break;
	case V_BOOL:
		v = bool_value(val);
		break;
	case V_JOB:
		if (parse_int(val, &i) == 0)
			v = json_integer(i);
		else if (*val != '\0')
			v = json_string(val);
		break;
	case V_INTS:
		v = ints_value(val);
		break;
	case V_NUMS:
		v = nums_value(val);
		break;
	case V_STEPS:
		v = job_steps_from_text(val);
		break;
	case V_IPS:
		if (*val != '\0' && strchr(val, ',') == NULL)
			v = json_string(val);
		break;
	default:
		if (k->choices == NULL) {
			v = json_string(val);
			break;
		}
		for (c = k->choices; *c != NULL; c++)
			if (strcmp(*c, val) == 0)
				v = json_string(val);
		if (v == NULL) {
			char names[256] = "";

			for (c = k->choices; *c != NULL; c++)
				append_name(names, sizeof(names), *c);
			set_err(err, errlen, "%s: %s=%s: expected one of: %s",
				cmd, k->name, val, names);
			return -1;
		}
		break;
	}
	if (v == NULL) {
		set_err(err, errlen, "%s: %s=%s: expected %s", cmd, k->name,
			val, type_names[k->type]);
		return -1;
	}
	return json_object_set_new(obj, k->param, v);
}

static int
present(json_t *params, const struct ctl_key *k)
{
	json_t *obj = params;

	if (k->parent != NULL)
		obj = json_object_get(params, k->parent);
	if (obj == NULL)
		return 0;
	if (k->type == V_URL)	/* a mix's URLs are in its entries */
		return json_object_get(obj, "url") != NULL ||
			json_object_get(obj, "urls") != NULL ||
			json_object_get(obj, "mix") != NULL;
	return json_object_get(obj, k->param) != NULL;
}

static int
build_call(int argc, char *const argv[], struct ctl_request *req,
	   char *err, size_t errlen)
{
	json_error_t jerr;
	size_t len = 1;
	char *text;
	json_t *p;
	int i;

	if (argc < 2) {
		set_err(err, errlen, "call: usage: call METHOD [JSON-PARAMS]");
		return -1;
	}
	if (strlen(argv[1]) >= sizeof(req->method) || argv[1][0] == '\0') {
		set_err(err, errlen, "call: bad method name '%s'", argv[1]);
		return -1;
	}
	snprintf(req->method, sizeof(req->method), "%s", argv[1]);
	if (argc == 2)
		return 0;
	for (i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	text = calloc(1, len);
	if (text == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (i = 2; i < argc; i++) {
		if (i > 2)
			strcat(text, " ");
		strcat(text, argv[i]);
	}
	p = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	free(text);
	if (p == NULL) {
		set_err(err, errlen, "call %s: params are not JSON: %s "
			"(column %d)", req->method, jerr.text, jerr.column);
		return -1;
	}
	if (!json_is_object(p) && !json_is_array(p)) {
		json_decref(p);
		set_err(err, errlen, "call %s: params must be a JSON object "
			"or array", req->method);
		return -1;
	}
	req->params = p;
	return 0;
}

static int
apply_arg(const struct ctl_cmd *c, json_t *params, const char *arg,
	  char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	const struct ctl_key *k;
	char names[512];

	if (eq == NULL) {
		if (c->bare == NULL) {
			set_err(err, errlen, "%s: '%s' is not key=value",
				c->name, arg);
			return -1;
		}
		k = find_key(c, c->bare, strlen(c->bare));
		return put_value(c->name, params, k, arg, err, errlen);
	}
	k = find_key(c, arg, eq - arg);
	if (k == NULL) {
		char typed[64], hint[96];

		snprintf(typed, sizeof(typed), "%.*s", (int)(eq - arg), arg);
		key_names(c, names, sizeof(names));
		set_err(err, errlen, "%s: unknown key '%s'%s; valid keys: %s",
			c->name, typed, suggest_hint(hint, sizeof(hint), "",
			c->keys == NULL ? NULL : suggest_pick_field(typed,
				c->keys, sizeof(*c->keys),
				offsetof(struct ctl_key, name), SIZE_MAX)),
			names);
		return -1;
	}
	return put_value(c->name, params, k, eq + 1, err, errlen);
}

int
ctl_cmd_build(int argc, char *const argv[], struct ctl_request *req,
	      char *err, size_t errlen)
{
	const struct ctl_cmd *c;
	const struct ctl_key *k;
	char names[512];
	int i;

	init_tables();
	memset(req, 0, sizeof(*req));
	if (argc < 1 || argv[0] == NULL) {
		cmd_names(names, sizeof(names));
		set_err(err, errlen, "no command; commands: %s", names);
		return -1;
	}
	if (strcmp(argv[0], "call") == 0)
		return build_call(argc, argv, req, err, errlen);
	c = find_cmd(argv[0]);
	if (c == NULL) {
		char hint[96];

		cmd_names(names, sizeof(names));
		set_err(err, errlen, "unknown command '%s'%s; commands: %s",
			argv[0], suggest_hint(hint, sizeof(hint), "",
				ctl_cmd_suggest(argv[0])), names);
		return -1;
	}
	snprintf(req->method, sizeof(req->method), "%s", c->method);
	req->params = json_object();
	if (req->params == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (i = 1; i < argc; i++)
		if (apply_arg(c, req->params, argv[i], err, errlen) != 0)
			goto fail;
	if (c->defaults != NULL) {
		const char *eq = strchr(c->defaults, '=');

		k = find_key(c, c->defaults, eq - c->defaults);
		if (!present(req->params, k) &&
		    put_value(c->name, req->params, k, eq + 1, err, errlen))
			goto fail;
	}
	for (k = c->keys; k != NULL && k->name != NULL; k++) {
		if (k->required && !present(req->params, k)) {
			set_err(err, errlen, "%s: missing %s=", c->name,
				k->name);
			goto fail;
		}
	}
	/* A bare "impair" shows the settings rather than setting nothing. */
	if (strcmp(c->name, "impair") == 0 &&
	    json_object_size(req->params) == 0)
		snprintf(req->method, sizeof(req->method), "impair.get");
	return 0;
fail:
	ctl_request_clear(req);
	return -1;
}

void
ctl_request_clear(struct ctl_request *req)
{
	json_decref(req->params);
	req->params = NULL;
}

/* Growable word for the splitter. */
struct word {
	char *s;
	size_t len, cap;
};

static int
word_add(struct word *w, char ch)
{
	char *n;

	if (w->len + 1 >= w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		n = realloc(w->s, w->cap);
		if (n == NULL)
			return -1;
		w->s = n;
	}
	w->s[w->len++] = ch;
	w->s[w->len] = '\0';
	return 0;
}

static int
argv_add(char ***argv, int *argc, struct word *w)
{
	char **n = realloc(*argv, (*argc + 2) * sizeof(**argv));

	if (n == NULL)
		return -1;
	*argv = n;
	n[(*argc)++] = w->s != NULL ? w->s : strdup("");
	n[*argc] = NULL;
	w->s = NULL;
	w->len = w->cap = 0;
	return n[*argc - 1] == NULL ? -1 : 0;
}

int
ctl_cmd_split(const char *line, char ***argv_out, char *err, size_t errlen)
{
	struct word w = { NULL, 0, 0 };
	char **argv = NULL;
	int argc = 0, in_word = 0;
	const char *p = line;
	char q;

	argv = calloc(1, sizeof(*argv));
	if (argv == NULL)
		goto nomem;
	for (;;) {
		if (*p == '\0' || isspace((unsigned char)*p)) {
			if (in_word && argv_add(&argv, &argc, &w) != 0)
				goto nomem;
			in_word = 0;
			if (*p == '\0')
				break;
			p++;
			continue;
		}
		if (!in_word && *p == '#')
			break;
		/* call's JSON params are taken verbatim: no quoting needed */
		if (!in_word && argc == 2 && strcmp(argv[0], "call") == 0) {
			size_t n = strlen(p);

			while (n > 0 && isspace((unsigned char)p[n - 1]))
				n--;
			w.s = strndup(p, n);
			if (w.s == NULL || argv_add(&argv, &argc, &w) != 0)
				goto nomem;
			break;
		}
		in_word = 1;
		if (*p == '\'' || *p == '"') {
			q = *p++;
			while (*p != q) {
				if (*p == '\0') {
					set_err(err, errlen,
						"unterminated %c quote", q);
					goto fail;
				}
				if (q == '"' && *p == '\\' && p[1] != '\0' &&
				    strchr("\"\\$", p[1]) != NULL)
					p++;
				if (word_add(&w, *p++) != 0)
					goto nomem;
			}
			p++;	/* '' stays an empty word: in_word is set */
			continue;
		}
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (word_add(&w, *p++) != 0)
			goto nomem;
	}
	*argv_out = argv;
	return argc;
nomem:
	set_err(err, errlen, "out of memory");
fail:
	free(w.s);
	ctl_cmd_free_argv(argv);
	return -1;
}

void
ctl_cmd_free_argv(char **argv)
{
	char **a;

	if (argv == NULL)
		return;
	for (a = argv; *a != NULL; a++)
		free(*a);
	free(argv);
}

/* fetch's usage line: "url=URL [url=URL ...] [method=M] ..." */
static void
fetch_args(char *buf, size_t len)
{
	char one[128];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->key == NULL || e->type == JOB_PARAM_MIX)
			continue;
		if (e->type == JOB_PARAM_URL)	/* or a mix instead */
			snprintf(one, sizeof(one), "{%s=%s [%s=%s ...] | mix=FILE}",
				 e->key, e->arg, e->key, e->arg);
		else if (e->type == JOB_PARAM_HEADERS ||
			 e->type == JOB_PARAM_THRESHOLDS)
			snprintf(one, sizeof(one), "[%s=%s ...]", e->key,
				 e->arg);
		else
			snprintf(one, sizeof(one), "[%s=%s]", e->key, e->arg);
		append_name(buf, len, one);
	}
}

/* text from column col (where the line already is), words wrapped
 * before column 80 onto lines indented by indent. */
static void
print_wrapped(FILE *f, int col, int indent, const char *text)
{
	const char *w = text;

	if (col < indent)
		col += fprintf(f, "%*s", indent - col, "");
	while (*w != '\0') {
		size_t n = strcspn(w, " ");

		if (w != text && col + 1 + (int)n > 79) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (w != text) {
			col += fprintf(f, " ");
		}
		col += fprintf(f, "%.*s", (int)n, w);
		w += n;
		while (*w == ' ')
			w++;
	}
	fprintf(f, "\n");
}

static void
print_cmd(FILE *f, const struct ctl_cmd *c)
{
	char args[1024], help[512];
	const char *const *sc;

	if (c->args == NULL)
		fetch_args(args, sizeof(args));
	else
		snprintf(args, sizeof(args), "%s", c->args);
	if (args[0] != '\0')
		print_wrapped(f, fprintf(f, "  %-12s", c->name), 15, args);
	else
		fprintf(f, "  %s\n", c->name);
	snprintf(help, sizeof(help), "%s", c->help);
	if (c->keys == stats_keys)
		for (sc = scope_choices; *sc != NULL; sc++)
			append_name(help, sizeof(help), *sc);
	append_name(help, sizeof(help), "(");
	snprintf(help + strlen(help) - 1, sizeof(help) - strlen(help) + 1,
		 "(%s)", c->method);
	print_wrapped(f, 0, 6, help);
}

int
ctl_cmd_help(FILE *f, const char *name)
{
	const struct ctl_cmd *c = find_cmd(name);
	char head[128], names[512];
	size_t i;

	if (c == NULL)
		return -1;
	init_tables();
	print_cmd(f, c);
	if (c->keys == search_keys) {
		fprintf(f, "search keys:\n");
		for (i = 0; i < search_param_count; i++) {
			snprintf(head, sizeof(head), "  %s=%s",
				 search_param_table[i].name,
				 search_param_table[i].arg);
			search_param_print(f, head, &search_param_table[i]);
		}
		fprintf(f, "  timeout=SEC           answer by then with the "
			"steps so far (default and\n"
			"                        most 3600)\n"
			"and fetch's keys (help fetch) but requests, duration "
			"and threshold\n");
		return 0;
	}
	if (c->keys != fetch_keys) {
		key_names(c, names, sizeof(names));
		fprintf(f, "keys: %s\n", names);
		return 0;
	}
	fprintf(f, "keys:\n");
	for (i = 0; i < job_param_count; i++) {
		const struct job_param *e = &job_param_table[i];

		if (e->key == NULL)
			continue;
		if (strcmp(e->key, e->name) != 0 &&
		    (e->type == JOB_PARAM_UINT || e->type == JOB_PARAM_NUM))
			snprintf(head, sizeof(head), "  %s=%s (or %s=)",
				 e->key, e->arg, e->name);
		else
			snprintf(head, sizeof(head), "  %s=%s", e->key,
				 e->arg);
		job_param_print(f, head, e);
	}
	return 0;
}

void
ctl_cmd_usage(FILE *f)
{
	size_t i;

	init_tables();
	for (i = 0; i < NB_CMDS; i++)
		print_cmd(f, &cmds[i]);
	fprintf(f, "  %-12s %s\n", "call", "METHOD [JSON-PARAMS]");
	fprintf(f, "      any method, params given as JSON\n");
}

/* The table for completion and for generated files (ctl_cmd.h). */

static const char *const bool_values[] = {
	"true", "false", "on", "off", NULL
};
static const char *const arrival_values[] = { "uniform", "poisson", NULL };
static const char *const method_values[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", NULL
};

/* The values a key is known to take: its choices, a boolean's words, or
 * those of a job parameter that has a fixed set. */
static const char *const *
key_values(const struct ctl_cmd *c, const struct ctl_key *k)
{
	const struct job_param *e;

	if (k->choices != NULL)
		return k->choices;
	if (k->type == V_BOOL)
		return bool_values;
	if (c->keys != fetch_keys && c->keys != search_keys)
		return NULL;
	e = k->parent == NULL ? job_param_find(k->param) : NULL;
	if (e != NULL && e->type == JOB_PARAM_ARRIVAL)
		return arrival_values;
	if (e != NULL && e->type == JOB_PARAM_METHOD)
		return method_values;
	return NULL;
}

const char *
ctl_cmd_name_at(size_t i)
{
	if (i < NB_CMDS)
		return cmds[i].name;
	return i == NB_CMDS ? "call" : NULL;
}

const char *
ctl_cmd_summary(const char *name)
{
	const struct ctl_cmd *c = find_cmd(name);

	if (c != NULL)
		return c->help;
	return strcmp(name, "call") == 0 ?
		"any method, params given as JSON" : NULL;
}

const char *
ctl_cmd_bare_key(const char *name)
{
	const struct ctl_cmd *c = find_cmd(name);

	return c == NULL ? NULL : c->bare;
}

int
ctl_cmd_key_at(const char *name, size_t i, struct ctl_cmd_key_info *info)
{
	const struct ctl_cmd *c = find_cmd(name);
	const struct ctl_key *k;
	size_t n;

	init_tables();
	if (c == NULL || c->keys == NULL)
		return -1;
	for (n = 0, k = c->keys; k->name != NULL && n < i; k++, n++)
		;
	if (k->name == NULL)
		return -1;
	info->name = k->name;
	info->values = key_values(c, k);
	info->repeatable = k->type == V_URL || k->type == V_HEADER ||
		k->type == V_STRS;
	info->required = k->required;
	info->file = k->type == V_JSON_FILE;
	return 0;
}
