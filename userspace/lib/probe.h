/* SPDX-License-Identifier: GPL-2.0 */
/* What is on a device already, and where the pools are. */
#ifndef PFS_PROBE_H
#define PFS_PROBE_H

#include "error.h"

/*
 * Look for a filesystem, RAID, LVM, LUKS or partition table signature with
 * libblkid, and for an existing dm-pfs pool. Returns 1 and names it in
 * @what, 0 if the device looks empty, -1 on error.
 */
int pfs_probe_signature(const char *path, char *what, unsigned int len,
			struct pfs_error *err);

/*
 * Find the pool to use: @requested if given, else $PFS_POOL, else the
 * "pool = DEVICE" line of /etc/pfs.conf ($PFS_CONF), else the only block
 * device that carries a dm-pfs superblock.
 */
int pfs_find_pool(const char *requested, char *path, unsigned int len,
		  struct pfs_error *err);

#endif /* PFS_PROBE_H */
