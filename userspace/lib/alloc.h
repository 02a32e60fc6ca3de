/* SPDX-License-Identifier: GPL-2.0 */
/* Contiguous extent allocation in a pool's data area. */
#ifndef PFS_ALLOC_H
#define PFS_ALLOC_H

#include <stdint.h>

#include "pool.h"
#include "size.h"

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

/* A pool's space, as pfsadm pools reports it. */
struct pfs_pool_usage {
	uint64_t data_sectors;		/* the data area, aligned */
	uint64_t used_sectors;		/* held by images */
	uint64_t free_sectors;		/* in free extents */
	uint64_t largest_free;		/* sectors in the largest one */
	uint64_t dirty_sectors;		/* free, to be zeroed before reuse */
	unsigned int images, max_images, free_extents, fragmentation;
};

void pfs_pool_usage(const struct pfs_pool_handle *pool, struct pfs_pool_usage *u);

/*
 * The size in sectors, rounded up to the pool's alignment, that @spec asks
 * for: of a new image (@e NULL) or of @e. N%FREE takes that share of the
 * largest free extent, +N%FREE of the free space right after @e, both
 * rounded down to whole alignment units. Returns 0, or -1 with @err set
 * (PFS_EXIT_ARGS: a kind the command does not take, or nothing left;
 * PFS_EXIT_DEVICE: no free space to take a share of).
 */
int pfs_size_resolve(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		     const struct pfs_size_spec *spec, uint64_t *sectors, struct pfs_error *err);

#endif /* PFS_ALLOC_H */
