/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving an image to another extent of its pool while its VM runs. The
 * target copies (dm-pfs-copy.c); pfsadm starts the move in the table,
 * commits the copy's progress as it goes, and at the end switches the
 * image to its new extent in one commit. The old extent is then free and
 * dirty: zeroed before another image gets it.
 *
 * A cut at any point leaves a table that a new activation resumes from:
 * moving, with the copy done up to the last committed point; or moved.
 * Running the same move again finishes it.
 */
#ifndef PFS_MOVE_H
#define PFS_MOVE_H

#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

/*
 * Move @name to sector @dest (0: best fit), or finish a move under way.
 * An inactive image is activated for the copy and deactivated after.
 * @progress: a percentage on stderr. *@to: where it went.
 */
int pfs_image_move(struct pfs_pool_handle *pool, const char *name, uint64_t dest,
		   bool progress, uint64_t *to, struct pfs_error *err);

#endif /* PFS_MOVE_H */
