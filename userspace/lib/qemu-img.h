/* SPDX-License-Identifier: GPL-2.0 */
/* qemu-img, run as a child: what an image file holds, and copies to and from it. */
#ifndef PFS_QEMU_IMG_H
#define PFS_QEMU_IMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct pfs_qemu_img_info {
	char format[32];	/* as qemu-img names it: raw, qcow2, vmdk ... */
	uint64_t virtual_bytes;	/* the disk's size as a guest sees it */
	bool has_backing;	/* a backing file or an external data file */
};

/* Ask qemu-img about @file, read as @format (NULL: let qemu-img probe). */
int pfs_qemu_img_info(const char *file, const char *format, struct pfs_qemu_img_info *info,
		      struct pfs_error *err);
/*
 * qemu-img convert @src (read as @src_format) into @dst (as @dst_format),
 * bypassing the host's page cache on the pfs side. @dst_exists: write into
 * it as it is (a pfs device), else create it. @progress: qemu-img's own
 * percentage on stdout.
 */
int pfs_qemu_img_convert(const char *src, const char *src_format, const char *dst,
			 const char *dst_format, bool dst_exists, bool progress,
			 struct pfs_error *err);

#endif /* PFS_QEMU_IMG_H */
