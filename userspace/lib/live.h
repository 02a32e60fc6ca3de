/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live pfs maps, as the kernel reports them: every device-mapper device
 * with a pfs target, whatever its name and whatever path to the pool its
 * table names, matched to pools and images by the UUIDs in its status.
 */
#ifndef PFS_LIVE_H
#define PFS_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "pfs-format.h"

struct pfs_live_map {
	char dm_name[128];
	uint8_t pool_uuid[PFS_UUID_LEN];
	uint8_t image_uuid[PFS_UUID_LEN];
	uint64_t start;		/* first pool sector mapped */
	uint64_t sectors;	/* how many */
	/*
	 * While the image moves or is cloned: where to, and the boundary
	 * below which the destination holds it (else 0).
	 */
	uint64_t copy_dest;
	uint64_t copy_done;
	bool copy_failed;
	enum { PFS_LIVE_COPY_NONE, PFS_LIVE_COPY_MOVE, PFS_LIVE_COPY_BACK,
	       PFS_LIVE_COPY_CLONE, PFS_LIVE_COPY_POOL } copy_kind;
	/* PFS_LIVE_COPY_POOL: the pool copy_dest is in. */
	uint8_t copy_pool[PFS_UUID_LEN];
	/* Another pool's image, moving here: start is the extent it copies into. */
	bool incoming;
};

struct pfs_live_maps {
	struct pfs_live_map *map;
	unsigned int n;
};

/* Has @m copied all of itself to @start (a move that is done)? */
static inline bool pfs_live_moved_to(const struct pfs_live_map *m, uint64_t start)
{
	return m->copy_kind == PFS_LIVE_COPY_MOVE && m->copy_dest == start &&
	       m->copy_done == m->sectors && !m->copy_failed;
}

/*
 * Has @m's copy ended in the table, though the device still copies (an
 * undone move or a clone, finished but not reloaded)?
 */
static inline bool pfs_live_copy_ended(const struct pfs_live_map *m, uint64_t start,
				       uint32_t flags)
{
	return m->copy_dest && m->start == start && !(flags & PFS_IMAGE_COPYING);
}

/*
 * Every live map of the pool @pool_uuid. A device moving an image here
 * from another pool counts as a map of the extent it copies into.
 */
int pfs_live_read(const uint8_t *pool_uuid, struct pfs_live_maps *maps,
		  struct pfs_error *err);
void pfs_live_free(struct pfs_live_maps *maps);

#endif /* PFS_LIVE_H */
