/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm devices through libdevmapper, synchronised with udev by cookie as
 * cryptsetup does, so /dev/mapper nodes exist when a call returns.
 */
#ifndef PFS_DM_H
#define PFS_DM_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct pfs_dm_info {
	bool exists;
	bool suspended;
	int open_count;
	uint32_t major, minor;
};

int pfs_dm_create(const char *name, const char *uuid, uint64_t sectors,
		  const char *params, struct pfs_error *err);
/* Suspend, load a new table and resume: a live resize. */
int pfs_dm_reload(const char *name, uint64_t sectors, const char *params,
		  struct pfs_error *err);
/* Refuses (PFS_EXIT_BUSY) while the device is open. */
int pfs_dm_remove(const char *name, struct pfs_error *err);
int pfs_dm_info(const char *name, struct pfs_dm_info *info, struct pfs_error *err);
int pfs_dm_message(const char *name, const char *message, struct pfs_error *err);
/* Release libdevmapper's state; call once before exit. */
void pfs_dm_exit(void);

#endif /* PFS_DM_H */
