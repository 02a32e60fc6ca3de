/* SPDX-License-Identifier: GPL-2.0 */
/* What is on a device already, and where the pools are. */
#ifndef PFS_PROBE_H
#define PFS_PROBE_H

#include <stdbool.h>

#include "error.h"

#define PFS_PATH_LEN 300

/*
 * Look for a filesystem, RAID, LVM, LUKS or partition table signature with
 * libblkid, and for an existing dm-pfs pool. Returns 1 and names it in
 * @what, 0 if the device looks empty, -1 on error.
 */
int pfs_probe_signature(const char *path, char *what, unsigned int len,
			struct pfs_error *err);

/*
 * A pool's device from how it is named: a device path, or UUID=<pool UUID>
 * (stable across reboots and paths), found among the pools a scan sees.
 */
int pfs_resolve_pool(const char *name, char *path, unsigned int len, struct pfs_error *err);
/*
 * Find the pool to use: @requested if given, else $PFS_POOL, else the
 * "pool = DEVICE" (or "pool = UUID=...") line of /etc/pfs.conf ($PFS_CONF),
 * else the only block device that carries a dm-pfs superblock.
 */
int pfs_find_pool(const char *requested, char *path, unsigned int len,
		  struct pfs_error *err);

/* Every block device with a dm-pfs superblock: up to @max paths, *n in all. */
int pfs_scan_pools(char (*paths)[PFS_PATH_LEN], unsigned int max, unsigned int *n,
		   struct pfs_error *err);
/*
 * A pool named for this command (@requested: --pool, or PFS_POOL), not
 * the default /etc/pfs.conf gives: what narrows --all.
 */
bool pfs_pool_named(const char *requested);
/* Did --pool, PFS_POOL or /etc/pfs.conf choose a pool? */
bool pfs_pool_requested(const char *requested);

#endif /* PFS_PROBE_H */
