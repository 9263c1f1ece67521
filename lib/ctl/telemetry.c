/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dpfetch/stats and /dpfetch/jobs for DPDK telemetry: the JSON of the
 * control methods, turned into rte_tel_data (see telemetry.h).
 *
 *   telemetry thread -> tel_stats / tel_jobs -> app_*_json -> dpf_tel_from_json
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "telemetry.h"

/* Names telemetry accepts (RTE_TEL_MAX_STRING_LEN, NUL included). */
#define TEL_NAME_MAX	RTE_TEL_MAX_STRING_LEN

/* Telemetry callbacks get no argument: the app they report on. */
static struct app *tel_app;

/* prefix "/" key, with what telemetry rejects in names made '_'. */
static void
tel_name(char *out, const char *prefix, const char *key)
{
	size_t n = 0;
	const char *p;
	char ch;

	if (prefix != NULL && prefix[0] != '\0') {
		n = strnlen(prefix, TEL_NAME_MAX - 1);
		memcpy(out, prefix, n);
		if (n < TEL_NAME_MAX - 1)
			out[n++] = '/';
	}
	for (p = key; *p != '\0' && n < TEL_NAME_MAX - 1; p++) {
		ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '/'))
			ch = '_';
		out[n++] = ch;
	}
	if (n == 0)
		out[n++] = '_';
	out[n] = '\0';
}

static int
tel_add_scalar(struct rte_tel_data *d, const char *name, const json_t *v)
{
	char buf[64];
	json_int_t i;

	switch (json_typeof(v)) {
	case JSON_INTEGER:
		i = json_integer_value(v);
		if (i >= 0)
			return rte_tel_data_add_dict_u64(d, name, (uint64_t)i);
		if (i >= INT32_MIN)
			return rte_tel_data_add_dict_int(d, name, (int)i);
		snprintf(buf, sizeof(buf), "%lld", (long long)i);
		return rte_tel_data_add_dict_string(d, name, buf);
	case JSON_REAL:
		/* 22.11 has no floating-point values. */
		snprintf(buf, sizeof(buf), "%.10g", json_real_value(v));
		return rte_tel_data_add_dict_string(d, name, buf);
	case JSON_TRUE:
		return rte_tel_data_add_dict_u64(d, name, 1);
	case JSON_FALSE:
		return rte_tel_data_add_dict_u64(d, name, 0);
	case JSON_STRING:
		return rte_tel_data_add_dict_string(d, name,
						    json_string_value(v));
	default:
		return rte_tel_data_add_dict_string(d, name, "null");
	}
}

/* Everything under v into the dict d, as "prefix/a/b" names. */
static void
tel_flatten(struct rte_tel_data *d, const char *prefix, const json_t *v)
{
	char name[TEL_NAME_MAX], idx[24];
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)(uintptr_t)v, key, m) {
			tel_name(name, prefix, key);
			tel_flatten(d, name, m);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			snprintf(idx, sizeof(idx), "%zu", i);
			tel_name(name, prefix, idx);
			tel_flatten(d, name, m);
		}
	} else {
		/* Past the entry limit the rest is left out. */
		tel_add_scalar(d, prefix, v);
	}
}

/* The telemetry array type for a JSON array of one scalar kind, or -1. */
static int
tel_array_type(const json_t *a)
{
	int strings = 0, negative = 0, ints = 0;
	json_int_t iv;
	json_t *m;
	size_t i;

	if (json_array_size(a) == 0 ||
	    json_array_size(a) > RTE_TEL_MAX_ARRAY_ENTRIES)
		return -1;
	json_array_foreach(a, i, m) {
		if (json_is_string(m)) {
			strings++;
			continue;
		}
		if (!json_is_integer(m))
			return -1;
		ints++;
		iv = json_integer_value(m);
		if (iv < 0)
			negative++;
		if (iv < INT32_MIN || (negative && iv > INT32_MAX))
			return -1;
	}
	if (strings > 0)
		return ints == 0 ? RTE_TEL_STRING_VAL : -1;
	if (negative == 0)
		return RTE_TEL_U64_VAL;
	/* Mixed signs: an int array, if every value fits. */
	json_array_foreach(a, i, m)
		if (json_integer_value(m) > INT32_MAX)
			return -1;
	return RTE_TEL_INT_VAL;
}

static struct rte_tel_data *
tel_array(const json_t *a, enum rte_tel_value_type t)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	json_t *m;
	size_t i;

	if (c == NULL)
		return NULL;
	rte_tel_data_start_array(c, t);
	json_array_foreach(a, i, m) {
		if (t == RTE_TEL_STRING_VAL)
			rte_tel_data_add_array_string(c, json_string_value(m));
		else if (t == RTE_TEL_INT_VAL)
			rte_tel_data_add_array_int(c,
				(int)json_integer_value(m));
		else
			rte_tel_data_add_array_u64(c,
				(uint64_t)json_integer_value(m));
	}
	return c;
}

int
dpf_tel_from_json(struct rte_tel_data *d, const json_t *obj)
{
	struct rte_tel_data *c;
	char name[TEL_NAME_MAX];
	const char *key;
	json_t *v;
	int t;

	if (!json_is_object(obj))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
		tel_name(name, NULL, key);
		if (!json_is_object(v) && !json_is_array(v)) {
			tel_add_scalar(d, name, v);
			continue;
		}
		t = json_is_array(v) ? tel_array_type(v) : -1;
		if (t >= 0) {
			c = tel_array(v, (enum rte_tel_value_type)t);
		} else {
			c = rte_tel_data_alloc();
			if (c != NULL) {
				rte_tel_data_start_dict(c);
				tel_flatten(c, "", v);
			}
		}
		if (c == NULL)
			return -ENOMEM;
		/* keep = 0: telemetry frees the container with d. */
		if (rte_tel_data_add_dict_container(d, name, c, 0) != 0) {
			rte_tel_data_free(c);
			/* A full dict, or a container it refuses: flat. */
			tel_flatten(d, name, v);
		}
	}
	return 0;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *j;
	int rc;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	j = app_stats_json(tel_app);
	if (j == NULL)
		return -ENOMEM;
	rc = dpf_tel_from_json(d, j);
	json_decref(j);
	return rc;
}

/* {"jobs": [job, ...]} -> {"<id>": job, ...}: one container per job. */
static int
tel_jobs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *j, *jobs, *byid, *job, *id;
	char key[32];
	size_t i;
	int rc;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	j = app_jobs_json(tel_app);
	if (j == NULL)
		return -ENOMEM;
	jobs = json_object_get(j, "jobs");
	byid = json_object();
	json_array_foreach(jobs, i, job) {
		id = json_object_get(job, "job");
		if (json_is_integer(id))
			snprintf(key, sizeof(key), "%lld",
				 (long long)json_integer_value(id));
		else if (json_is_string(id))
			snprintf(key, sizeof(key), "%s", json_string_value(id));
		else
			snprintf(key, sizeof(key), "%zu", i);
		json_object_set(byid, key, job);
	}
	rc = dpf_tel_from_json(d, byid);
	json_decref(byid);
	json_decref(j);
	return rc;
}

int
dpf_telemetry_init(struct app *app)
{
	int rc;

	tel_app = app;
	rc = rte_telemetry_register_cmd("/dpfetch/stats", tel_stats,
		"dpfetch's counters, summed over lcores. No parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/dpfetch/jobs", tel_jobs,
			"dpfetch's jobs and their progress, by job id. No parameters");
	return rc;
}
