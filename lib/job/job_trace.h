/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The curl -v-like trace of a one-shot fetch (dpfetch -v): "* ARP ...",
 * "* Connected ...", "> " request head lines, "< " response head lines,
 * "* closed".  The worker that runs the fetch appends text to a buffer
 * (no system call, no allocation: one connection, and only when asked
 * for); the control thread prints what is new.  One writer, one reader:
 * the length is published with release and read with acquire.
 * DPDK-free.
 */

#ifndef DPF_JOB_TRACE_H
#define DPF_JOB_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JOB_TRACE_LEN	(64 * 1024)
#define JOB_TRACE_LINE	512

struct job_trace {
	uint32_t len;		/* written; published with release */
	uint32_t read;		/* the reader's position */
	int level;		/* 1: -v, 2: -vv (also body sizes) */
	/* The response being read: its head is traced line by line. */
	int rx_in_body;
	uint32_t line_len;
	char line[JOB_TRACE_LINE];
	char buf[JOB_TRACE_LEN];
};

/* A line of text (a '\n' is added); dropped when the buffer is full. */
void
job_trace_printf(struct job_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The lines of an HTTP head (up to its empty line), each after
 * prefix ("> "). */
void
job_trace_head(struct job_trace *t, const char *prefix, const char *head,
	       size_t len);

/* Bytes of response as they come: the head's lines after "< ", until
 * the empty line that ends it; then the body is not shown. */
void
job_trace_rx(void *trace, const uint8_t *data, uint32_t len);

/* A new response starts (its head will be traced). */
void
job_trace_rx_reset(struct job_trace *t);

/* The reader: what is new to f; the bytes written. */
size_t
job_trace_drain(struct job_trace *t, FILE *f);

#endif /* DPF_JOB_TRACE_H */
