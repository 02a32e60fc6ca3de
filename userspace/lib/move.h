/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving and cloning an image while its VM runs. The
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

/*
 * Undo @name's move (move --abort): what the destination holds is copied
 * back, from the top down, live; then one commit ends the move and frees
 * the destination as dirty space. A cut resumes where it was (running the
 * same command again finishes it). *@aborted: false if nothing was moving.
 */
int pfs_image_move_abort(struct pfs_pool_handle *pool, const char *name, bool progress,
			 bool *aborted, struct pfs_error *err);

/*
 * Clone @src into a new image @dst, live: one commit makes @dst (a clone
 * being made: no device can map it) on a best-fit extent and marks @src
 * cloning; the target copies while every write @src gets below the copy
 * boundary goes to both; then one commit makes @dst an image of its own,
 * equal to @src at that moment, and it is activated. A cut resumes
 * (running the same command again finishes it); removing @dst abandons it.
 */
int pfs_image_clone(struct pfs_pool_handle *pool, const char *src, const char *dst,
		    bool progress, struct pfs_error *err);

/*
 * Abandon the clone @c still being made: one commit ends its source's copy
 * and frees its extent as dirty space; the source's device is reloaded.
 */
int pfs_clone_abandon(struct pfs_pool_handle *pool, struct pfs_image_entry *c,
		      struct pfs_error *err);

#endif /* PFS_MOVE_H */
