/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "obj_pool.h"

int
obj_pool_init(struct obj_pool *p, const char *name, uint32_t n,
	      uint32_t size, int socket)
{
	memset(p, 0, sizeof(*p));
	/* Objects hold the free list's link, aligned as a pointer. */
	size = RTE_ALIGN_CEIL(RTE_MAX(size, (uint32_t)sizeof(void *)),
			      (uint32_t)sizeof(void *));
	p->size = size;
	if (n == 0)
		return 0;
	p->base = rte_malloc_socket(name, (size_t)n * size,
				    RTE_CACHE_LINE_SIZE, socket);
	if (p->base == NULL)
		return -ENOMEM;
	p->n = n;
	return 0;
}

void
obj_pool_fini(struct obj_pool *p)
{
	rte_free(p->base);
	memset(p, 0, sizeof(*p));
}
