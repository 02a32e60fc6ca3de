/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metadata lock of a pool, keyed by its UUID (a file under
 * /run/lock/pfs, or $PFS_LOCK_DIR), so every path to one pool (a disk and
 * its multipath map, two loop devices on one file) takes the same lock.
 * Writers take it; readers need none, since a table copy is either valid
 * or fails its checksum. A writer that has to wait says who holds the lock
 * and gives up after the configured wait.
 */
#ifndef PFS_LOCK_H
#define PFS_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "pfs-format.h"

/* How long a writer waits (seconds, default 60), and who it is. */
void pfs_lock_set_wait(unsigned int seconds);
unsigned int pfs_lock_get_wait(void);
/* Monotonic seconds, for the deadline of a wait (a lock's, a lease's). */
double pfs_lock_now(void);
void pfs_lock_set_owner(const char *owner);
/* Take the exclusive lock of pool @uuid; returns a descriptor, or -1. */
int pfs_lock_pool(const uint8_t *uuid, struct pfs_error *err);
void pfs_unlock_pool(int lock_fd);

/*
 * A command zeroing space it reserved in the table (freespace.h) holds this
 * shared lock from before the reservation is committed until after it is
 * released. A writer under the pool's lock that can take it exclusively
 * knows every reservation in the table belongs to a command that has gone
 * (killed, crashed, power cut).
 */
int pfs_lock_zeroing(const uint8_t *uuid, struct pfs_error *err);
bool pfs_zeroing_running(const uint8_t *uuid);

#endif /* PFS_LOCK_H */
