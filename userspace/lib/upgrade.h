/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bring a pool of an older on-disk format to the current one, in place.
 * Version 1 -> 2: every free extent is recorded dirty (version 1 never
 * recorded which free space held old data), then the superblock and its
 * new backup are written. A crash before the superblock leaves a version 1
 * pool that version 1 code reads as before; running upgrade again finishes.
 */
#ifndef PFS_UPGRADE_H
#define PFS_UPGRADE_H

#include "pool.h"

/* Returns 1 if upgraded, 0 if already current, -1 (refused by name) on error. */
int pfs_pool_upgrade(struct pfs_pool_handle *pool, struct pfs_error *err);

#endif /* PFS_UPGRADE_H */
