/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "errbuf.h"

int
errbuf_vset(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (errlen > 0)
		vsnprintf(err, errlen, fmt, ap);
	return -1;
}

int
errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
errbuf_relabel(char *err, size_t errlen, const char *name, const char *label)
{
	char tmp[1024];
	size_t n = strlen(name);
	const char *rest = err;

	if (errlen == 0)
		return;
	/* "name: why", "name[2]: why", "name.x: why" */
	if (strncmp(err, name, n) == 0 &&
	    (err[n] == ':' || err[n] == '[' || err[n] == '.'))
		rest = err + n;
	else
		snprintf(tmp, sizeof(tmp), ": %s", err);
	if (rest != err)
		snprintf(tmp, sizeof(tmp), "%s", rest);
	snprintf(err, errlen, "%s%s", label, tmp);
}
