/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error text into a caller's buffer, the convention of the parsers that
 * report "what is wrong" in words (job parameters, thresholds, search
 * parameters): they return errbuf_set(err, errlen, "...") = -1.
 * No DPDK.
 */

#ifndef DPF_ERRBUF_H
#define DPF_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* fmt into err (errlen bytes, truncated); returns -1. */
int
errbuf_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int
errbuf_vset(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/*
 * The parameter a parser's message names, as the user spelt it: "name:
 * why" (or "name[i]: why") becomes "label: why" (e.g. duration_s ->
 * --duration); any other message gets "label: " in front.
 */
void
errbuf_relabel(char *err, size_t errlen, const char *name,
	       const char *label);

#endif /* DPF_ERRBUF_H */
