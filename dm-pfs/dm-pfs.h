/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-pfs: one contiguous, preallocated extent of a pool per VM image.
 */
#ifndef DM_PFS_H
#define DM_PFS_H

#include <linux/device-mapper.h>
#include <linux/list.h>

#include "pfs-format.h"

#define DM_MSG_PREFIX "pfs"

/* One mapped image: the table line's pool device and the image's extent. */
struct pfs_image {
	struct dm_dev *pool_dev;
	struct mapped_device *md;	/* dm device that owns this target */
	struct list_head active_node;	/* on pfs_active_images */
	sector_t start;			/* extent start on the pool device */
	sector_t len;
	/* QoS from the table entry, changed live by messages. */
	u32 weight;
	u64 iops_max;
	u64 bps_max;
	u8 pool_uuid[PFS_UUID_LEN];
	u8 uuid[PFS_UUID_LEN];
	char name[PFS_NAME_LEN];
};

int pfs_metadata_read_image(struct dm_dev *pool_dev, const char *name,
			    struct pfs_superblock *sb,
			    struct pfs_image_entry *entry, char **error);

#endif /* DM_PFS_H */
