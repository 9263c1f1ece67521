/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "eal_harness.h"

int
ut_eal_init(const char *prog, const char *prefix, const char *mem_mb)
{
	char *argv[] = {
		(char *)prog, "--no-huge", "--no-pci", "-m", (char *)mem_mb,
		"--file-prefix", (char *)prefix, "--log-level", "error",
		"--no-shconf", "--no-telemetry", "-l", "0",
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0]));

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}
