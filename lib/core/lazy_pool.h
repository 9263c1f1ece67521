/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pool of equal-sized blocks that grows on demand: a block is
 * allocated only when one is wanted and none is free, up to a cap, and a
 * returned block waits on a free list for the next taker.  For state
 * that is large but held briefly by few of many objects (the HTTP
 * server's request parser: per request, not per connection), so that
 * memory follows the busy connections rather than the open ones.
 *
 * Single-threaded (one per lcore).  The memory comes from the alloc and
 * free functions given at init (rte_malloc_socket on an lcore, malloc in
 * the unit test), so this file has no DPDK dependency.
 */

#ifndef DPF_LAZY_POOL_H
#define DPF_LAZY_POOL_H

#include <stddef.h>
#include <stdint.h>

/* Returns size bytes aligned to at least 16, or NULL. */
typedef void *(lazy_alloc_fn)(void *arg, size_t size);
typedef void (lazy_free_fn)(void *arg, void *p);

struct lazy_block;

/* Bytes of the pool's own in front of each object: an object on a
 * line-aligned allocation shares its first line with them. */
#define LAZY_POOL_LINK	16

struct lazy_pool {
	size_t size;			/* object bytes */
	uint32_t cap;			/* most blocks ever allocated */
	uint32_t n_blocks;		/* allocated: in use + free */
	uint32_t n_free;
	uint64_t n_fail;		/* gets that found no block */
	struct lazy_block *free_list;
	struct lazy_block *all;		/* every block, for fini */
	lazy_alloc_fn *alloc;
	lazy_free_fn *free;
	void *arg;
};

void
lazy_pool_init(struct lazy_pool *p, size_t size, uint32_t cap,
	       lazy_alloc_fn *alloc, lazy_free_fn *free_fn, void *arg);

/* A block (contents undefined, 16-byte aligned), or NULL when the cap
 * is reached or the allocator fails. */
void *
lazy_pool_get(struct lazy_pool *p);

/* Give back a block from lazy_pool_get; it is kept for reuse. */
void
lazy_pool_put(struct lazy_pool *p, void *obj);

/* Blocks handed out and not yet returned. */
static inline uint32_t
lazy_pool_in_use(const struct lazy_pool *p)
{
	return p->n_blocks - p->n_free;
}

/* Free every block, in use or not: the pool's users must be gone. */
void
lazy_pool_fini(struct lazy_pool *p);

#endif /* DPF_LAZY_POOL_H */
