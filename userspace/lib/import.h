/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Images in from and out to files of any format qemu-img knows (raw,
 * qcow2, vmdk, vdi, vhdx ...). The copy runs without the pool's lock:
 * other commands go on meanwhile.
 */
#ifndef PFS_IMPORT_H
#define PFS_IMPORT_H

#include <stdbool.h>

#include "pool.h"
#include "txn.h"

/*
 * Create image @name as large as @file's disk (rounded up to the pool's
 * alignment), active, and copy @file (read as @format, NULL: probed) into
 * it. A file with a backing file or an external data file is refused. If
 * the copy fails, the image is removed (and its space zeroed).
 */
int pfs_image_import(struct pfs_pool_handle *pool, const char *name, const char *file,
		     const char *format, const struct pfs_qos *qos, bool progress,
		     struct pfs_error *err);
/*
 * Copy image @name into a new @file as @format. An inactive image is
 * activated for the copy and deactivated after it. Without @force, an
 * open image (a running VM: the copy would not be consistent) and an
 * existing @file are refused.
 */
int pfs_image_export(struct pfs_pool_handle *pool, const char *name, const char *file,
		     const char *format, bool force, bool progress, struct pfs_error *err);

#endif /* PFS_IMPORT_H */
