/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pfs-lockd does when its leases are going: sanlock signals it when a
 * shared pool's lockspace fails (this host lost the LUN, or cannot renew
 * its delta lease in time), and an admin may stop it. Either way the image
 * leases it holds are about to be freed, and another host may take those
 * images: their devices here are suspended first, so that nothing this
 * host still has queued or a VM still writes reaches the LUN.
 */
#ifndef PFS_FENCE_H
#define PFS_FENCE_H

#include "error.h"

/*
 * Suspend the device of every image whose lease sanlock's inquiry @state
 * lists ("lockspace:name:path:offset:lver ..."). Returns how many were
 * suspended, or -1 if one could not be (the others still are).
 */
int pfs_fence_images(const char *state, struct pfs_error *err);

#endif /* PFS_FENCE_H */
