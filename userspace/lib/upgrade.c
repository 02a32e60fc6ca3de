// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "crashpoint.h"
#include "devio.h"
#include "owner.h"
#include "upgrade.h"

/* Version 2 keeps a backup superblock where version 1 may have data. */
static int pfs_upgrade_room(struct pfs_pool_handle *pool, uint64_t *data_start,
			    struct pfs_error *err)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	uint64_t align = le64_to_cpu(pool->sb->align_sectors);
	unsigned int i;

	*data_start = le64_to_cpu(pool->sb->data_start);
	if (*data_start >= PFS_METADATA_SECTORS)
		return 0;
	*data_start = (PFS_METADATA_SECTORS + align - 1) / align * align;
	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if ((le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE) &&
		    le64_to_cpu(e[i].start) < *data_start)
			return pfs_fail(err, PFS_EXIT_BUSY,
					"image %s lies where format 2 keeps its backup superblock (sectors %u-%llu); remove it first",
					e[i].name, (unsigned int)PFS_BACKUP_SB_SECTOR,
					(unsigned long long)*data_start - 1);
	return 0;
}

int pfs_pool_upgrade(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	struct pfs_pool_handle view = { 0 };
	struct pfs_superblock *sb;
	uint64_t data_start;
	const char *why;
	int r = -1;

	if (le32_to_cpu(pool->sb->version) == PFS_FORMAT_VERSION)
		return 0;
	if (pfs_upgrade_room(pool, &data_start, err))
		return -1;
	sb = pfs_alloc_io(PFS_BLOCK_SIZE);
	if (!sb)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	memcpy(sb, pool->sb, PFS_BLOCK_SIZE);
	sb->version = cpu_to_le32(PFS_FORMAT_VERSION);
	sb->data_start = cpu_to_le64(data_start);
	/* Reserved before version 3: uncalibrated, whatever was left there. */
	if (le32_to_cpu(pool->sb->version) < 3)
		memset(&sb->cost, 0, sizeof(sb->cost));
	/* Before version 7: a host-local pool, this host's from now on. */
	if (le32_to_cpu(pool->sb->version) < 7) {
		sb->pool_flags = 0;
		sb->reserved1 = 0;
		sb->lease_start = 0;
		pfs_owner_stamp(sb);
	}
	sb->csum = cpu_to_le32(pfs_sb_csum(sb));
	if (pfs_sb_validate(sb, pool->dev_sectors, &why)) {
		pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot upgrade: %s", pool->path, why);
		goto out;
	}
	/*
	 * From version 1, the table first, valid under both superblocks: gaps
	 * as version 2 draws them, all dirty (version 1 kept no record). From
	 * version 2 the table stays; version 3 only adds the superblock's
	 * cost model, zero until calibrated, version 4 a move's fields in
	 * each entry, zero without a move, version 5 flags for an undone
	 * move and a clone, version 6 a move to another pool (a flag and
	 * the other pool's UUID in bytes that were reserved, zero), which no
	 * older table holds, and version 7 the superblock's pool flags, lease
	 * area and owner, zero for a host-local pool.
	 */
	view.sb = sb;
	view.table = pool->table;
	if (le32_to_cpu(pool->sb->version) < 2 && pfs_free_gaps_dirty(&view)) {
		pfs_fail(err, PFS_EXIT_NOSPACE, "no free-space record left");
		goto out;
	}
	if (pfs_pool_commit(pool, err))
		goto out;
	pfs_crash_point("upgrade-table");
	if (pfs_pool_write_sb(pool, sb, err))
		goto out;
	r = 1;
out:
	free(sb);
	return r;
}
