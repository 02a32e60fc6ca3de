/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An image's sanlock lease in a shared pool (lease.h has the calls): one
 * per table slot, held for pfs-lockd while the image is active here. In a
 * host-local pool every function here does nothing and succeeds.
 */
#ifndef PFS_IMAGE_LEASE_H
#define PFS_IMAGE_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

/*
 * A shared pool's image lease, under the pool's lease: init writes it for a
 * table slot just given an image; unheld takes it (until the pool's lease
 * goes) as proof that no host has the image active, or fails naming the
 * host that has.
 */
int pfs_image_lease_init(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 struct pfs_error *err);
int pfs_image_lease_unheld(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			   struct pfs_error *err);
/* Who holds a shared pool's image's lease, in words ("host 2"); "" if none or not shared. */
void pfs_image_holders(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		       char *buf, size_t len);
/*
 * Changing a shared pool's image (resize, move, clone, rename, export): no
 * other host may run it, nor share it with this one. 0, or -1 naming the
 * host. Checked under the pool's lease, not held.
 */
int pfs_image_lease_local(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			  struct pfs_error *err);
/* Take its lease in this mode: 1 if taken now, 0 if held already (or not shared). */
int pfs_image_lease(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		    bool shared, struct pfs_error *err);
/* Give up the lease pfs-lockd holds, if it does. */
int pfs_image_unlease(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		      struct pfs_error *err);

/* Another host holding its lease (host_id in @other, else 0); see lease.h. */
int pfs_image_lease_other(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			  uint64_t *other, struct pfs_error *err);

/*
 * Give up the lease of image @was, whose table slot @slot no longer holds
 * it (moved to another pool, its entry cleared), if pfs-lockd holds it.
 */
int pfs_image_unlease_gone(const struct pfs_pool_handle *pool, const struct pfs_image_entry *slot,
			   const struct pfs_image_entry *was, struct pfs_error *err);

#endif /* PFS_IMAGE_LEASE_H */
