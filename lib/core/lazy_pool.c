/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "lazy_pool.h"

/* In front of every object; 16 bytes keep the object 16-byte aligned. */
struct lazy_block {
	struct lazy_block *all_next;	/* every block */
	struct lazy_block *free_next;	/* on the free list */
};

_Static_assert(sizeof(struct lazy_block) == LAZY_POOL_LINK,
	       "object alignment");

void
lazy_pool_init(struct lazy_pool *p, size_t size, uint32_t cap,
	       lazy_alloc_fn *alloc, lazy_free_fn *free_fn, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
	p->cap = cap;
	p->alloc = alloc;
	p->free = free_fn;
	p->arg = arg;
}

void *
lazy_pool_get(struct lazy_pool *p)
{
	struct lazy_block *b = p->free_list;

	if (b != NULL) {
		p->free_list = b->free_next;
		p->n_free--;
		return b + 1;
	}
	if (p->n_blocks >= p->cap)
		goto fail;
	b = p->alloc(p->arg, sizeof(*b) + p->size);
	if (b == NULL)
		goto fail;
	b->all_next = p->all;
	p->all = b;
	p->n_blocks++;
	return b + 1;
fail:
	p->n_fail++;
	return NULL;
}

void
lazy_pool_put(struct lazy_pool *p, void *obj)
{
	struct lazy_block *b = (struct lazy_block *)obj - 1;

	b->free_next = p->free_list;
	p->free_list = b;
	p->n_free++;
}

void
lazy_pool_fini(struct lazy_pool *p)
{
	struct lazy_block *b, *next;

	for (b = p->all; b != NULL; b = next) {
		next = b->all_next;
		p->free(p->arg, b);
	}
	p->all = NULL;
	p->free_list = NULL;
	p->n_blocks = 0;
	p->n_free = 0;
}
