/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The names of the congestion control algorithms, for the configuration
 * to check (config is in core, below TCP).  TCP's tcp_cc_find() maps the
 * same names to the code; test_tcp_cc checks that the two agree.
 */
#ifndef DPF_CC_NAME_H
#define DPF_CC_NAME_H

#include <string.h>

static inline int
cc_name_known(const char *name)
{
	return strcmp(name, "newreno") == 0 || strcmp(name, "reno") == 0 ||
		strcmp(name, "cubic") == 0;
}

#endif /* DPF_CC_NAME_H */
