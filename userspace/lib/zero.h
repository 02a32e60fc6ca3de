/* SPDX-License-Identifier: GPL-2.0 */
/* Zeroing sectors of a pool device, offloaded where the device can. */
#ifndef PFS_ZERO_H
#define PFS_ZERO_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/*
 * Zero [start, start + len) sectors only if the device guarantees zeroes
 * without writing them (write-zeroes with unmap, or a hole in a file).
 * Returns 0, or -1 with errno EOPNOTSUPP if it cannot.
 */
int pfs_zero_offload(int fd, uint64_t start, uint64_t len);
/* Discard [start, start + len) sectors (BLKDISCARD); no promise of zeroes. */
int pfs_discard_range(int fd, uint64_t start, uint64_t len);
/*
 * Zero [start, start + len) sectors: offloaded if the device can, else
 * written (BLKZEROOUT). @progress: a percentage on stderr.
 */
int pfs_zero_range(int fd, uint64_t start, uint64_t len, bool progress,
		   struct pfs_error *err);

#endif /* PFS_ZERO_H */
