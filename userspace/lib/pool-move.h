/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving an image to another pool while its VM runs: the target copies
 * into an extent the other pool holds for it, both pools' tables are
 * committed in an order a cut cannot break (pool-move.c), and the image
 * keeps its name, UUID and device.
 */
#ifndef PFS_POOL_MOVE_H
#define PFS_POOL_MOVE_H

#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

/*
 * Move @name from @src to the pool at @dst_path (best fit there), or
 * finish a move to it under way. *@to: its sector in that pool.
 */
int pfs_image_move_to_pool(struct pfs_pool_handle *src, const char *dst_path, const char *name,
			   bool progress, uint64_t *to, struct pfs_error *err);

/*
 * Drop @name's move to another pool (move --abort), @own: its device is
 * active here. The image never left its extent: one commit ends the move,
 * the device is reloaded, and the other pool's extent is freed (dirty).
 * Refused once that pool has taken the image, and (unless @force) while
 * that pool is not present to say whether it has.
 */
int pfs_pool_move_abort(struct pfs_pool_handle *pool, const char *name, int own, bool force,
			struct pfs_error *err);

/*
 * Remove @name, an extent @pool holds for an image incoming from another
 * pool: refused while that pool moves it here (its --abort drops that).
 */
int pfs_incoming_abandon(struct pfs_pool_handle *pool, const char *name, struct pfs_error *err);

/*
 * The state of @e's move between @pool and another pool, in one line in
 * @buf (for check): 0 if it is a move under way, 1 if it needs a command
 * (named in @buf) or the other pool is not present.
 */
int pfs_pool_move_check(struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			char *buf, unsigned int len);

/* Open the other pool of @e (moving to it, or incoming from it). */
int pfs_pool_move_peer(const struct pfs_image_entry *e, unsigned int flags,
		       struct pfs_pool_handle **peer, struct pfs_error *err);

/*
 * The table line's last word for @e of @pool, moving to another pool:
 * " MAJ:MIN" of that pool, if it holds the image's incoming extent.
 */
int pfs_pool_move_target(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 char *buf, unsigned int len, struct pfs_error *err);

#endif /* PFS_POOL_MOVE_H */
