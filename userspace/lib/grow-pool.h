/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Take in the space a pool's device gained (a LUN or a partition
 * extended). The new space is zeroed first, under the pool's lock, and only
 * then does the superblock (and its backup) record the larger size: a cut
 * at any point leaves the old pool, or the larger one with nothing in its
 * new space that a former user of the device left there.
 */
#ifndef PFS_GROW_POOL_H
#define PFS_GROW_POOL_H

#include <stdbool.h>

#include "pool.h"

/*
 * Grow the pool to its device's size. Returns 1 if it grew (sizes in
 * sectors in *@from and *@to), 0 if the device has not grown, -1 on error.
 */
int pfs_pool_grow(struct pfs_pool_handle *pool, bool progress, uint64_t *from, uint64_t *to,
		  struct pfs_error *err);

#endif /* PFS_GROW_POOL_H */
