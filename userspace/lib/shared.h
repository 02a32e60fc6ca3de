/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A shared pool's life on one host: format --shared, lock-start and
 * lock-stop, over lease.h's sanlock calls.
 */
#ifndef PFS_SHARED_H
#define PFS_SHARED_H

#include <stdbool.h>

#include "conf.h"
#include "error.h"
#include "pool.h"

/*
 * Before format --shared writes anything: this host has a host_id and the
 * sanlock daemon answers. Fills @conf.
 */
int pfs_shared_can_format(struct pfs_conf *conf, struct pfs_error *err);
/*
 * Join (leave) the lockspace of the shared pool on @dev; *@already says it
 * had (had not) joined already. Joining waits for sanlock: 2 × its I/O
 * timeout for a host ID last left cleanly, longer for one that was not.
 */
int pfs_shared_lock_start(const char *dev, bool *already, struct pfs_error *err);
int pfs_shared_lock_stop(const char *dev, bool *already, struct pfs_error *err);

/* The shared pools found on this host's devices (lock-start --all). */
int pfs_shared_pools(char (*paths)[PFS_PATH_LEN], unsigned int max, unsigned int *n,
		     struct pfs_error *err);

#endif /* PFS_SHARED_H */
