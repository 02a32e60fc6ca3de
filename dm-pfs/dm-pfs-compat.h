/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels dm-pfs builds for (Debian 12's 6.1 and
 * 6.12). Every version check lives here and nowhere else.
 */
#ifndef DM_PFS_COMPAT_H
#define DM_PFS_COMPAT_H

#include <linux/version.h>
#include <linux/dm-io.h>
#include <linux/ioprio.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "dm-pfs needs Linux 6.1 or later"
#endif

/* dm_io() gained an ioprio argument in 6.9, backported to 6.1.83. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0) || \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 83) && \
	 LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0))
#define pfs_dm_io(req, n, where, err) dm_io(req, n, where, err, IOPRIO_DEFAULT)
#else
#define pfs_dm_io(req, n, where, err) dm_io(req, n, where, err)
#endif

#endif /* DM_PFS_COMPAT_H */
