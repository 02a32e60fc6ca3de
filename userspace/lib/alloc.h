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

/* Images and reservations split the data area into at most this many gaps. */
#define PFS_MAX_GAPS	(PFS_MAX_IMAGES + PFS_MAX_FREE_RECORDS + 1)

/*
 * Free gaps between images and busy reservations (freespace.h), in sector
 * order, into @gaps (room for PFS_MAX_GAPS). Returns how many.
 */
unsigned int pfs_free_extents(const struct pfs_pool_handle *pool, struct pfs_extent *gaps);
/* Best fit: the smallest aligned gap that holds @len. Returns 0 or -1. */
int pfs_alloc_best_fit(const struct pfs_pool_handle *pool, uint64_t len, uint64_t *start);
/* Sectors in the largest free extent. */
uint64_t pfs_largest_free(const struct pfs_pool_handle *pool);
/* Free sectors right after the image at @start (for growing in place). */
uint64_t pfs_free_after(const struct pfs_pool_handle *pool, uint64_t start, uint64_t len);
/*
 * Record every free gap dirty (freespace.h), as @pool->sb draws the data
 * area: after a restore or an upgrade nobody knows what free space holds.
 * Returns 0, or -1 if the table runs out of records.
 */
int pfs_free_gaps_dirty(struct pfs_pool_handle *pool);
/* Free sectors that may still hold old data. */
uint64_t pfs_free_dirty_total(const struct pfs_pool_handle *pool);
/* 1 - largest gap / total free, in percent; 0 when free space is one gap. */
unsigned int pfs_fragmentation(const struct pfs_extent *gaps, unsigned int n);

#endif /* PFS_ALLOC_H */
