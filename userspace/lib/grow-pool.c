// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "crashpoint.h"
#include "devio.h"
#include "grow-pool.h"
#include "zero.h"

int pfs_pool_grow(struct pfs_pool_handle *pool, bool progress, uint64_t *from, uint64_t *to,
		  struct pfs_error *err)
{
	struct pfs_superblock *sb;
	uint64_t old_end = pfs_data_end(pool->sb);
	const char *why;
	int r;

	*from = le64_to_cpu(pool->sb->device_sectors);
	*to = pool->dev_sectors;
	if (*to <= *from)
		return 0;
	sb = pfs_alloc_io(PFS_BLOCK_SIZE);
	if (!sb)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	memcpy(sb, pool->sb, PFS_BLOCK_SIZE);
	sb->device_sectors = cpu_to_le64(*to);
	sb->csum = cpu_to_le32(pfs_sb_csum(sb));
	if (pfs_sb_validate(sb, pool->dev_sectors, &why)) {
		r = pfs_fail(err, PFS_EXIT_INTERNAL,
			     "internal error, nothing written: the grown superblock is invalid: %s",
			     why);
		goto out;
	}
	/*
	 * From the old data area's end: the partial unit past it was never
	 * handed out, and nothing says what a former user left in it.
	 */
	r = pfs_zero_range(pool->fd, old_end, pfs_data_end(sb) - old_end, progress, err);
	if (r)
		goto out;
	pfs_crash_point("grow-pool-zeroed");
	r = pfs_pool_write_sb(pool, sb, err) ? -1 : 1;
out:
	free(sb);
	return r;
}
