/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 source ranges of jobs; see ipv6_ranges.h. */
#include <string.h>

#include <rte_byteorder.h>

#include "app.h"
#include "ipv6_ranges.h"

int
ipv6_add_local_range(struct app *app, const uint8_t *lo, uint32_t n)
{
	struct local_addrs6 *l = &app->local6;
	uint32_t k = l->n, i;

	for (i = 0; i < k; i++)
		if (memcmp(l->r[i].lo, lo, 16) == 0 && l->r[i].count == n)
			return 0;
	if (k == LOCAL_RANGES_MAX)
		return -1;
	memcpy(l->r[k].lo, lo, 16);
	l->r[k].count = n;
	__atomic_store_n(&l->n, k + 1, __ATOMIC_RELEASE);
	return 0;
}

int
ipv6_in_local_range(const struct app *app, const uint8_t *ip)
{
	uint32_t n = __atomic_load_n(&app->local6.n, __ATOMIC_ACQUIRE), i;

	for (i = 0; i < n; i++) {
		const uint8_t *lo = app->local6.r[i].lo;
		uint32_t a, b;

		if (memcmp(ip, lo, 12) != 0)
			continue;
		memcpy(&a, ip + 12, 4);
		memcpy(&b, lo + 12, 4);
		if (rte_be_to_cpu_32(a) - rte_be_to_cpu_32(b) <
		    app->local6.r[i].count)
			return 1;
	}
	return 0;
}
