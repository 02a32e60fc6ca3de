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

/* The flags that say which copy an entry is in. */
#define PFS_COPY_KIND_FLAGS	(PFS_IMAGE_MOVING | PFS_IMAGE_MOVING_BACK | PFS_IMAGE_CLONING | \
				 PFS_IMAGE_TO_POOL)

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
 * A move to another pool is dropped instead (pool-move.h), @force: even
 * though that pool is not present to say whether it took the image.
 */
int pfs_image_move_abort(struct pfs_pool_handle *pool, const char *name, bool progress,
			 bool force, bool *aborted, struct pfs_error *err);

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

/* The copy's steps, shared by moves within a pool and to another one. */

/* The copy's region for an image of @len sectors. */
uint32_t pfs_move_region(uint64_t len);
/*
 * Make the target copy @name: reload its device (@own) unless it copies
 * already as the table says, or activate it for the copy.
 */
int pfs_copy_device(struct pfs_pool_handle *pool, const char *name, int own,
		    struct pfs_error *err);
/*
 * Follow @name's copy to its end, committing its progress (the lock let go
 * between commits, held on return), with "@what NAME: NN%" if @progress.
 * What was copied is flushed first, on @dest too (another pool) if given.
 */
int pfs_copy_follow(struct pfs_pool_handle *pool, const struct pfs_pool_handle *dest,
		    const char *name, const char *what, bool progress, struct pfs_error *err);
/* @e's copy is over: its copy flags and fields go back to zero. */
void pfs_copy_clear(struct pfs_image_entry *e);
/*
 * Is @e in a copy other than @kind (its PFS_IMAGE_* flags; 0: in any copy)?
 * Then say which, and what finishes it, and refuse.
 */
int pfs_copy_other(const struct pfs_image_entry *e, uint32_t kind, struct pfs_error *err);

#endif /* PFS_MOVE_H */
