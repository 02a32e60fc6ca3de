/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every committed generation of a pool's metadata, kept as a dump (JSON
 * that `pfsadm restore` reads) in /etc/pfs/archive/POOL-UUID/ (or
 * $PFS_ARCHIVE_DIR; empty: no archive), as LVM keeps /etc/lvm/archive.
 * The newest PFS_ARCHIVE_KEEP generations of each pool are kept.
 */
#ifndef PFS_ARCHIVE_H
#define PFS_ARCHIVE_H

#include "pool.h"

#define PFS_ARCHIVE_DIR		"/etc/pfs/archive"
#define PFS_ARCHIVE_KEEP	50

/*
 * Archive the pool's current table. A failure is reported as a warning on
 * stderr and returned, but the commit it follows stands.
 */
int pfs_archive_save(const struct pfs_pool_handle *pool);

#endif /* PFS_ARCHIVE_H */
