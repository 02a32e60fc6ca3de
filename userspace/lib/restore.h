/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rewrite a pool's metadata from a dump (pfsadm dump, or the archive): the
 * table is built and validated in memory, then written in format's ordered
 * writes under the pool's lock, at a generation above any copy of that pool
 * still on the device. A device holding another tool's data (libblkid) or
 * another pool is refused unless @force. Image data is not touched; all
 * free space is recorded dirty.
 */
#ifndef PFS_RESTORE_H
#define PFS_RESTORE_H

#include <stdbool.h>

#include "error.h"

int pfs_restore(const char *dev, const char *file, bool force, unsigned int *images,
		struct pfs_error *err);

#endif /* PFS_RESTORE_H */
