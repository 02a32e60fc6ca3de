/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host-local pool's owner (format version 7), as LVM's system ID: the
 * machine-id of the host that formatted (upgraded, restored or took over)
 * it. Another host may read the pool but not change it or activate its
 * images until it takes the pool over. A pool with no owner recorded (an
 * older format, or formatted on a host with no machine-id) and a shared
 * pool (its leases decide) are anyone's.
 */
#ifndef PFS_OWNER_H
#define PFS_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "pool.h"

/* This host's ID from /etc/machine-id ($PFS_MACHINE_ID_FILE): 1, or 0 if none. */
int pfs_machine_id(uint8_t id[PFS_UUID_LEN]);
/* Record this host as the owner of superblock @sb (none if it has no ID). */
void pfs_owner_stamp(struct pfs_superblock *sb);
/* Whether this host may change the pool and activate its images. */
bool pfs_owner_is_here(const struct pfs_superblock *sb);
/* 0 if it may; else -1 with a one-line error naming both hosts and take-over. */
int pfs_owner_check(const struct pfs_pool_handle *pool, struct pfs_error *err);
/*
 * Make this host the owner of the pool, opened writable with
 * PFS_OPEN_FOREIGN: superblock and backup rewritten, each flushed. 1 if
 * done, 0 if it was this host's already.
 */
int pfs_owner_take_over(struct pfs_pool_handle *pool, struct pfs_error *err);

#endif /* PFS_OWNER_H */
