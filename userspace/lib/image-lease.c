// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "image-lease.h"
#include "lease.h"
#include "lock.h"

/*
 * Where image @e's lease is: 1 with @w and @slot filled in a shared pool,
 * 0 in a host-local one (no lease), -1 on error.
 */
static int pfs_image_where(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			   struct pfs_lease_where *w, unsigned int *slot, struct pfs_error *err)
{
	const struct pfs_image_entry *first = pfs_table_entries(pool->table);

	if (!pfs_pool_is_shared(pool->sb))
		return 0;
	if (e < first || e >= first + PFS_MAX_IMAGES)
		return pfs_fail(err, PFS_EXIT_INTERNAL,
				"internal error: image %s is not in its pool's table", e->name);
	w->path = pool->path;
	w->fd = pool->fd;
	w->sb = pool->sb;
	*slot = (unsigned int)(e - first);
	return 1;
}

int pfs_image_lease(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		    bool shared, struct pfs_error *err)
{
	struct pfs_lease_where w;
	unsigned int slot = 0;
	int r = pfs_image_where(pool, e, &w, &slot, err);

	return r <= 0 ? r : pfs_lease_image_acquire(&w, slot, e, shared, pfs_lock_get_wait(), err);
}

int pfs_image_unlease(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		      struct pfs_error *err)
{
	struct pfs_lease_where w;
	unsigned int slot = 0;
	int r = pfs_image_where(pool, e, &w, &slot, err);

	return r <= 0 ? r : pfs_lease_image_release(&w, slot, e, err);
}

int pfs_image_lease_init(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 struct pfs_error *err)
{
	struct pfs_lease_where w;
	unsigned int slot = 0;
	int r = pfs_image_where(pool, e, &w, &slot, err);

	return r <= 0 ? r : pfs_lease_image_init(&w, slot, e->uuid, err);
}

int pfs_image_lease_unheld(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			   struct pfs_error *err)
{
	struct pfs_lease_where w;
	unsigned int slot = 0;
	int r = pfs_image_where(pool, e, &w, &slot, err);

	if (r <= 0)
		return r;
	if (pool->lease_sock < 0)
		return pfs_fail(err, PFS_EXIT_INTERNAL,
				"internal error: %s's lease checked without the pool's", e->name);
	return pfs_lease_image_hold(&w, slot, e, pool->lease_sock, err);
}

void pfs_image_holders(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		       char *buf, size_t len)
{
	struct pfs_error ignored = { 0 };
	struct pfs_lease_where w;
	unsigned int slot = 0;

	buf[0] = '\0';
	if (pfs_image_where(pool, e, &w, &slot, &ignored) > 0)
		pfs_lease_image_holders(&w, slot, e, buf, len);
}

int pfs_image_lease_local(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			  struct pfs_error *err)
{
	char holders[64];

	if (!pfs_pool_is_shared(pool->sb))
		return 0;
	pfs_image_holders(pool, e, holders, sizeof(holders));
	if (!strcmp(holders, "?"))
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot read the lease of image %s", e->name);
	if (strstr(holders, "shared"))
		return pfs_fail(err, PFS_EXIT_BUSY,
				"image %s is shared by %s (a live migration); finish it first",
				e->name, holders);
	if (holders[0] && !pfs_image_maps_here(pool, e))
		return pfs_fail(err, PFS_EXIT_BUSY, "image %s is active on %s; run this there",
				e->name, holders);
	return 0;
}

int pfs_image_lease_other(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			  uint64_t *other, struct pfs_error *err)
{
	struct pfs_lease_where w;
	unsigned int slot = 0;
	int r = pfs_image_where(pool, e, &w, &slot, err);

	*other = 0;
	return r <= 0 ? r : pfs_lease_image_other(&w, slot, e, other, err);
}

int pfs_image_unlease_gone(const struct pfs_pool_handle *pool, const struct pfs_image_entry *slot,
			   const struct pfs_image_entry *was, struct pfs_error *err)
{
	struct pfs_lease_where w;
	unsigned int index = 0;
	int r = pfs_image_where(pool, slot, &w, &index, err);

	return r <= 0 ? r : pfs_lease_image_release(&w, index, was, err);
}
