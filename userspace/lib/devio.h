/* SPDX-License-Identifier: GPL-2.0 */
/* Device I/O for metadata: opening, sizing, whole reads and writes. */
#ifndef PFS_DEVIO_H
#define PFS_DEVIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Size of a block device or regular file in 512-byte sectors. */
int pfs_device_sectors(int fd, uint64_t *sectors);
/* A zeroed buffer aligned for O_DIRECT: metadata is read and written uncached. */
void *pfs_alloc_io(size_t len);
/* Read or write all @len bytes at @off, through short transfers and EINTR. */
int pfs_pread_all(int fd, void *buf, size_t len, uint64_t off);
int pfs_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
/* open(2) with O_DIRECT; EBUSY (mounted, mapped) is PFS_EXIT_BUSY. */
int pfs_open_device(const char *path, bool writable, int extra, struct pfs_error *err);

/*
 * mkdir -p, the last component private (0700): /run/lock itself may not
 * exist yet early at boot, nor /etc/pfs on a new host.
 */
int pfs_mkdir_p(const char *dir);

#endif /* PFS_DEVIO_H */
