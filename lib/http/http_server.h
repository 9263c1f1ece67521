/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in HTTP/1.1 server (--listen PORT).
 *
 *   GET /bytes/N   exactly N bytes of a fixed pattern (byte i of the body
 *                  is (i * 131 + 7) mod 256), streamed through the send
 *                  buffer as it makes room, so N may be far larger than
 *                  memory
 *   GET /          a small HTML page
 *   anything else  404
 *
 * HEAD works for all of them.  Keep-alive and pipelining (up to
 * HTTPD_MAX_PIPELINE requests answered in order); request bodies are
 * read and discarded; a malformed request gets its 4xx/5xx status and
 * the connection is closed after it.  It is the peer for stack-only
 * tests (two dpfetch over net_memif) and for benchmarks.
 */

#ifndef DPF_HTTP_SERVER_H
#define DPF_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct worker;

#define HTTPD_MAX_PIPELINE	32

/* Listen on port on this worker; returns 0 or a negative errno. */
int
http_server_start(struct worker *w, uint16_t port);

/* Release the server's memory (connections must be gone). */
void
http_server_fini(struct worker *w);

/* Bytes an idle connection holds for its whole life, and the block it
 * borrows while a request is in progress (for the memory report). */
void
http_server_state_sizes(size_t *idle, size_t *busy);

/* The pattern byte at body offset i (what /bytes/N sends). */
static inline uint8_t
http_server_pattern_byte(uint64_t i)
{
	return (uint8_t)(i * 131 + 7);
}

#endif /* DPF_HTTP_SERVER_H */
