/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Defragmenting a pool: the moves (move.h) that gather its free space into
 * one extent at the end of the data area, or into as few as it can.
 *
 * The plan walks the pool from its first data sector and packs each image
 * against the one before it. An image that does not fit the gap in front
 * of it is first moved out of the way, to the top of a free extent above
 * it, once; the walk then packs it down again when it reaches it. An
 * image that cannot go aside either stays, and the gap in front of it is
 * filled with the highest images that fit. Space a running command holds
 * stays where it is. Each image moves at most twice in a walk; a
 * walk that made room above an image it had to leave is followed by
 * another, up to PFS_DEFRAG_MAX_WALKS.
 */
#ifndef PFS_DEFRAG_H
#define PFS_DEFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

struct pfs_defrag_step {
	char name[PFS_NAME_LEN];
	uint64_t from, to, len;		/* sectors */
};

#define PFS_DEFRAG_MAX_WALKS	3
#define PFS_DEFRAG_MAX_STEPS	(2 * PFS_DEFRAG_MAX_WALKS * PFS_MAX_IMAGES)

struct pfs_defrag_plan {
	unsigned int nr_steps;
	struct pfs_defrag_step steps[PFS_DEFRAG_MAX_STEPS];
	unsigned int extents_before, extents_after;	/* free extents */
	uint64_t largest_before, largest_after;		/* sectors */
	uint64_t moved;					/* sectors copied in all */
};

/*
 * Plan @pool's defragmentation from its working table, changing nothing.
 * Returns 0, or -1 with @err set: an image is moving (finish that first).
 */
int pfs_defrag_plan(const struct pfs_pool_handle *pool, struct pfs_defrag_plan *plan,
		    struct pfs_error *err);

/*
 * Carry out @plan, one live move after another (pfs_image_move); @report,
 * if set, is told before each. A cut leaves every image whole, at its old
 * or new place, or in the middle of a move that running defrag (or move)
 * again finishes. Returns 0, or -1 with @err set: the pool changed under
 * the plan (run it again), or a move failed.
 */
int pfs_defrag_run(struct pfs_pool_handle *pool, const struct pfs_defrag_plan *plan,
		   bool progress, void (*report)(const struct pfs_defrag_step *step),
		   struct pfs_error *err);

#endif /* PFS_DEFRAG_H */
