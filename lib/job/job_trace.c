/* SPDX-License-Identifier: BSD-3-Clause */
/* The trace of a one-shot fetch (see job_trace.h). */
#include <stdarg.h>
#include <string.h>

#include "job_trace.h"

static void
trace_put(struct job_trace *t, const char *s, size_t n)
{
	uint32_t len = t->len;	/* ours: the only writer */

	if (n > JOB_TRACE_LEN - len)
		return;	/* full: the rest is lost, never overwritten */
	memcpy(t->buf + len, s, n);
	__atomic_store_n(&t->len, len + (uint32_t)n, __ATOMIC_RELEASE);
}

void
job_trace_printf(struct job_trace *t, const char *fmt, ...)
{
	char line[JOB_TRACE_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	trace_put(t, line, (size_t)n);
}

/* One line of a head without its CR LF, after prefix; 1 when it was
 * the empty line that ends the head. */
static int
head_line(struct job_trace *t, const char *prefix, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0)
		return 1;
	job_trace_printf(t, "%s%.*s", prefix, (int)n, s);
	return 0;
}

void
job_trace_head(struct job_trace *t, const char *prefix, const char *head,
	       size_t len)
{
	const char *p = head, *end = head + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (head_line(t, prefix, p, (size_t)(nl - p)))
			return;
		p = nl + 1;
	}
}

void
job_trace_rx(void *trace, const uint8_t *data, uint32_t len)
{
	struct job_trace *t = trace;
	uint32_t i;

	for (i = 0; i < len && !t->rx_in_body; i++) {
		char c = (char)data[i];

		if (c != '\n') {
			if (t->line_len < sizeof(t->line))
				t->line[t->line_len++] = c;
			continue;
		}
		if (head_line(t, "< ", t->line, t->line_len))
			t->rx_in_body = 1;
		t->line_len = 0;
	}
}

void
job_trace_rx_reset(struct job_trace *t)
{
	t->rx_in_body = 0;
	t->line_len = 0;
}

size_t
job_trace_drain(struct job_trace *t, FILE *f)
{
	uint32_t len = __atomic_load_n(&t->len, __ATOMIC_ACQUIRE);
	size_t n = len - t->read;

	if (n == 0)
		return 0;
	fwrite(t->buf + t->read, 1, n, f);
	fflush(f);
	t->read = len;
	return n;
}
