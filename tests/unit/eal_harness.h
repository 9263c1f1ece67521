/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL for the unit tests that need real mbufs or the stack's pools:
 * --no-huge, one lcore, no shared config or telemetry. */
#ifndef DPF_UT_EAL_HARNESS_H
#define DPF_UT_EAL_HARNESS_H

/* prog as argv[0], prefix as --file-prefix, mem_mb as -m.  0, or -1
 * with the reason on stderr. */
int
ut_eal_init(const char *prog, const char *prefix, const char *mem_mb);

#endif /* DPF_UT_EAL_HARNESS_H */
