/* SPDX-License-Identifier: GPL-2.0 */
/* Erasing what other tools would recognise on a device, as wipefs does. */
#ifndef PFS_WIPE_H
#define PFS_WIPE_H

#include "error.h"

/*
 * Erase every filesystem, RAID, LVM, LUKS and partition-table signature
 * libblkid finds on @path, wherever it lies (RAID metadata and the backup
 * GPT sit at the end of the device), and flush. Opens @path exclusively.
 * *@wiped counts the signatures erased.
 */
int pfs_wipe_signatures(const char *path, unsigned int *wiped, struct pfs_error *err);

#endif /* PFS_WIPE_H */
