// SPDX-License-Identifier: GPL-2.0
/*
 * Reading pool metadata at table load. The kernel never writes metadata:
 * pfsadm does. Both table copies are read with dm-io and the valid one with
 * the highest generation is used, through the code pfsadm shares.
 */
#include <linux/vmalloc.h>

#include "dm-pfs.h"
#include "dm-pfs-compat.h"
#include "pfs-table.h"

static int pfs_read_sectors(struct dm_io_client *client, struct block_device *bdev,
			    sector_t sector, void *buf, sector_t count)
{
	struct dm_io_region where = {
		.bdev = bdev,
		.sector = sector,
		.count = count,
	};
	struct dm_io_request req = {
		.bi_opf = REQ_OP_READ | REQ_SYNC,
		.mem.type = DM_IO_VMA,
		.mem.ptr.vma = buf,
		.client = client,
	};
	unsigned long error_bits;

	return pfs_dm_io(&req, 1, &where, &error_bits);
}

/* Find @name in @pool_dev's current table; copy out superblock and entry. */
int pfs_metadata_read_image(struct dm_dev *pool_dev, const char *name,
			    struct pfs_superblock *sb,
			    struct pfs_image_entry *entry, char **error)
{
	struct block_device *bdev = pool_dev->bdev;
	const struct pfs_image_entry *found;
	const char *why = NULL, *copy_why[2];
	struct pfs_table_header *copy[2];
	struct dm_io_client *client;
	void *buf;
	int chosen, r;

	client = dm_io_client_create();
	if (IS_ERR(client)) {
		*error = "Cannot create dm-io client";
		return PTR_ERR(client);
	}
	/* Superblock and both copies; the backup superblock is pfsadm's. */
	buf = vmalloc(PFS_BACKUP_SB_SECTOR << SECTOR_SHIFT);
	if (!buf) {
		why = "Cannot allocate metadata buffer";
		r = -ENOMEM;
		goto out_client;
	}
	copy[0] = buf + PFS_BLOCK_SIZE;
	copy[1] = (void *)copy[0] + (PFS_TABLE_SECTORS << SECTOR_SHIFT);

	r = pfs_read_sectors(client, bdev, 0, buf, PFS_BACKUP_SB_SECTOR);
	if (r) {
		why = "Cannot read pool metadata";
		goto out_buf;
	}
	memcpy(sb, buf, sizeof(*sb));
	r = pfs_sb_validate(sb, bdev_nr_sectors(bdev), &why);
	if (r)
		goto out_buf;

	chosen = pfs_table_choose(sb, copy[0], copy[1], copy_why);
	if (chosen < 0) {
		/* ti->error is one fixed string: the admin needs the reasons too. */
		DMERR("%pg: table copy 0: %s; table copy 1: %s", bdev, copy_why[0],
		      copy_why[1]);
		why = "Pool has no valid allocation table";
		r = -EINVAL;
		goto out_buf;
	}
	found = pfs_table_lookup(copy[chosen], name);
	if (!found) {
		why = "Unknown image";
		r = -ENOENT;
		goto out_buf;
	}
	memcpy(entry, found, sizeof(*entry));
out_buf:
	vfree(buf);
out_client:
	dm_io_client_destroy(client);
	/* ti->error is not const, but only ever points at string literals. */
	*error = (char *)why;
	return r;
}
