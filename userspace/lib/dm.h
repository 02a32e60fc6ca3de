/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm devices through libdevmapper, synchronised with udev by cookie as
 * cryptsetup does, so /dev/mapper nodes exist when a call returns.
 */
#ifndef PFS_DM_H
#define PFS_DM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct pfs_dm_info {
	bool exists;
	bool suspended;
	int open_count;
	uint32_t major, minor;
	char uuid[130];		/* its dm UUID, "" if none */
};

int pfs_dm_create(const char *name, const char *uuid, uint64_t sectors,
		  const char *params, struct pfs_error *err);
/*
 * Load a new table, suspend and resume: a live resize. On failure the new
 * table is cleared and the device resumed; the caller compares the live
 * length (pfs_dm_live_sectors) with what it expects before rolling back.
 */
int pfs_dm_reload(const char *name, uint64_t sectors, const char *params,
		  struct pfs_error *err);
/* Hold a device's I/O (a lost lease), and let it go again. */
int pfs_dm_suspend(const char *name, struct pfs_error *err);
int pfs_dm_resume(const char *name, struct pfs_error *err);
int pfs_dm_live_sectors(const char *name, uint64_t *sectors, struct pfs_error *err);
/* The live table's length and its target's parameters (into @params). */
int pfs_dm_live_table(const char *name, uint64_t *sectors, char *params, size_t len,
		      struct pfs_error *err);
/* Rename a device (its dm UUID stays); udev moves its links. */
int pfs_dm_rename(const char *name, const char *new_name, struct pfs_error *err);
/* Hold off the signals a user sends (^C, kill) across a critical step. */
void pfs_signals_block(sigset_t *old);
void pfs_signals_restore(const sigset_t *old);
/* Refuses (PFS_EXIT_BUSY) while the device is open. */
int pfs_dm_remove(const char *name, struct pfs_error *err);
int pfs_dm_info(const char *name, struct pfs_dm_info *info, struct pfs_error *err);
int pfs_dm_message(const char *name, const char *message, struct pfs_error *err);
/* Release libdevmapper's state; call once before exit. */
void pfs_dm_exit(void);

#endif /* PFS_DM_H */
