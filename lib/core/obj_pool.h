/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pool of fixed-size objects for one lcore, in one allocation made up
 * front: connection blocks and their cold parts.  Unlike rte_mempool it
 * costs nothing per object (no object header, no ring slot: a free
 * object holds the link of the free list in its first bytes), and it
 * has no locks nor caches: only its lcore takes and gives.  Objects
 * never taken are handed out in address order before the free list is
 * used, so creating a pool touches none of its memory.
 */

#ifndef DPF_OBJ_POOL_H
#define DPF_OBJ_POOL_H

#include <stddef.h>
#include <stdint.h>

struct obj_pool {
	uint8_t *base;		/* n objects of size bytes */
	void *free_list;	/* returned objects, linked through word 0 */
	uint32_t size;
	uint32_t n;
	uint32_t next_unused;	/* objects [next_unused, n) never taken */
	uint32_t n_free;	/* on free_list */
};

/* n objects of size bytes (at least a pointer's) on NUMA socket; 0 or
 * -ENOMEM.  n may be 0 (every get fails). */
int
obj_pool_init(struct obj_pool *p, const char *name, uint32_t n,
	      uint32_t size, int socket);
void
obj_pool_fini(struct obj_pool *p);

/* An object (its contents undefined), or NULL when all are taken. */
static inline void *
obj_pool_get(struct obj_pool *p)
{
	void *o = p->free_list;

	if (o != NULL) {
		p->free_list = *(void **)o;
		p->n_free--;
		return o;
	}
	if (p->next_unused < p->n)
		return p->base + (size_t)p->next_unused++ * p->size;
	return NULL;
}

static inline void
obj_pool_put(struct obj_pool *p, void *o)
{
	*(void **)o = p->free_list;
	p->free_list = o;
	p->n_free++;
}

/* o's index + 1: a 32-bit link to it (0 links to nothing). */
static inline uint32_t
obj_pool_index(const struct obj_pool *p, const void *o)
{
	return (uint32_t)(((const uint8_t *)o - p->base) / p->size) + 1;
}

/* The object a link names, NULL for 0. */
static inline void *
obj_pool_at(const struct obj_pool *p, uint32_t i)
{
	return i == 0 ? NULL : p->base + (size_t)(i - 1) * p->size;
}

static inline uint32_t
obj_pool_avail(const struct obj_pool *p)
{
	return p->n - p->next_unused + p->n_free;
}

static inline uint32_t
obj_pool_in_use(const struct obj_pool *p)
{
	return p->n - obj_pool_avail(p);
}

#endif /* DPF_OBJ_POOL_H */
