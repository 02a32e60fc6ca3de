/* SPDX-License-Identifier: GPL-2.0 */
/* Contiguous extent allocation in a pool's data area. */
#ifndef PFS_ALLOC_H
#define PFS_ALLOC_H

#include <stdint.h>

#include "pool.h"

struct pfs_extent {
	uint64_t start;
	uint64_t len;
};

/*
 * Free gaps between images, in sector order, into @gaps (room for
 * PFS_MAX_IMAGES + 1). Returns how many.
 */
unsigned int pfs_free_extents(const struct pfs_pool *pool, struct pfs_extent *gaps);
/* Best fit: the smallest aligned gap that holds @len. Returns 0 or -1. */
int pfs_alloc_best_fit(const struct pfs_pool *pool, uint64_t len, uint64_t *start);
/* Sectors in the largest free extent. */
uint64_t pfs_largest_free(const struct pfs_pool *pool);
/* Free sectors right after the image at @start (for growing in place). */
uint64_t pfs_free_after(const struct pfs_pool *pool, uint64_t start, uint64_t len);
/* 1 - largest gap / total free, in percent; 0 when free space is one gap. */
unsigned int pfs_fragmentation(const struct pfs_extent *gaps, unsigned int n);

#endif /* PFS_ALLOC_H */
