/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which images of shared pools this host runs, kept on this host (one file
 * per image, holding its name, under /var/lib/pfs/held/POOL-UUID/), so
 * that its boot activates those again and no other host's. What a user
 * activates (activate, create, a clone's end) is added, not a copy's
 * temporary device; a deactivation drops it; a power cut or a shutdown
 * leaves it. In a host-local pool every function here does nothing and
 * succeeds.
 */
#ifndef PFS_HELD_H
#define PFS_HELD_H

#include <stdbool.h>

#include "pool.h"

/* Record that image @e runs here; durable before it returns. */
int pfs_held_add(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		 struct pfs_error *err);
/* Forget image @e (deactivated here, or another host's now). */
int pfs_held_drop(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		  struct pfs_error *err);
/* Whether image @e ran here when this host last stopped. */
bool pfs_held_has(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e);
/*
 * Forget images no longer in the pool's table (removed, moved away), but
 * not records a minute old or younger (another command may have committed
 * them after @pool's table was read); how many.
 */
int pfs_held_prune(const struct pfs_pool_handle *pool);

#endif /* PFS_HELD_H */
