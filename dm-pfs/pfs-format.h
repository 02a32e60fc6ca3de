/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-pfs on-disk format, shared by the kernel target and pfsadm.
 *
 * A pool is one block device:
 *
 *   sector 0                     superblock (written by format, upgrade and
 *                                calibrate)
 *   PFS_TABLE_OFFSET(0)          allocation table, copy 0
 *   PFS_TABLE_OFFSET(1)          allocation table, copy 1
 *   PFS_BACKUP_SB_SECTOR         backup superblock (version 2)
 *   sb.lease_start               sanlock's lease area, shared pools only
 *                                (version 7): lockspace, pool lease, one
 *                                lease per table slot, PFS_LEASE_SECTORS each
 *   sb.data_start ... end        data area: one contiguous extent per image
 *
 * Each table copy is a 4 KiB header followed by max_images entries. An
 * update rewrites the copy with the lower generation, with generation + 1,
 * and flushes it; readers take the valid copy with the highest generation.
 * The header also holds the free-space records: which free space may still
 * hold a former image's data, and which is reserved by a running command.
 * All fields are little-endian. See docs/format.md.
 */
#ifndef PFS_FORMAT_H
#define PFS_FORMAT_H

#include "pfs-types.h"

#define PFS_FORMAT_VERSION	7
#define PFS_FORMAT_VERSION_MIN	1	/* oldest version still read and mapped */
#define PFS_SB_MAGIC		"DMPFS-SB"
#define PFS_TABLE_MAGIC		"DMPFS-TB"
#define PFS_MAGIC_LEN		8

#define PFS_SECTOR_SHIFT	9
#define PFS_BLOCK_SIZE		4096
#define PFS_BLOCK_SECTORS	(PFS_BLOCK_SIZE >> PFS_SECTOR_SHIFT)

#define PFS_NAME_LEN		128	/* 127 characters and a NUL */
#define PFS_UUID_LEN		16
#define PFS_MAX_IMAGES		1024
#define PFS_DEFAULT_ALIGN_SECTORS	2048	/* 1 MiB */
#define PFS_DEFAULT_WEIGHT	100
#define PFS_MAX_WEIGHT		10000
#define PFS_MAX_RATE		1099511627776ULL	/* 2^40: iops_max, bps_max */

/* Entry flags. */
#define PFS_IMAGE_IN_USE	0x00000001U
/*
 * Version 4: the image is being moved to copy_dest. Regions below
 * copy_done are on the destination (and, until the move ends, also on
 * the source, which stays current above copy_done): whatever was
 * committed, a restart copies again from copy_done.
 */
#define PFS_IMAGE_MOVING	0x00000002U
/*
 * Version 5. With MOVING: the move is being undone (move --abort).
 * Regions below copy_done are on copy_dest and are copied back, from the
 * top down; the extent at start holds the rest.
 */
#define PFS_IMAGE_MOVING_BACK	0x00000004U
/*
 * Version 5: the image is being copied into the clone whose extent starts
 * at copy_dest. Its own extent stays the image's; regions below copy_done
 * are on the clone too, and writes to them go to both.
 */
#define PFS_IMAGE_CLONING	0x00000008U
/* Version 5: a clone still being copied (from the CLONING entry naming it). */
#define PFS_IMAGE_CLONE		0x00000010U
/*
 * Version 6: the image is being moved to the pool copy_pool, into the
 * extent at copy_dest there. Its own extent stays current (writes below
 * copy_done go to both) until the other pool's entry is switched.
 */
#define PFS_IMAGE_TO_POOL	0x00000020U
/*
 * Version 6: an image being moved here from the pool copy_pool (whose
 * entry for it is PFS_IMAGE_TO_POOL); no device maps it until then.
 */
#define PFS_IMAGE_INCOMING	0x00000040U
/* Either side of a move between pools. */
#define PFS_IMAGE_POOL_MOVE	(PFS_IMAGE_TO_POOL | PFS_IMAGE_INCOMING)
#define PFS_IMAGE_FLAGS		(PFS_IMAGE_IN_USE | PFS_IMAGE_MOVING | PFS_IMAGE_MOVING_BACK | \
				 PFS_IMAGE_CLONING | PFS_IMAGE_CLONE | PFS_IMAGE_TO_POOL | \
				 PFS_IMAGE_INCOMING)
/* An entry with a copy under way: copy_dest, copy_done and copy_region set. */
#define PFS_IMAGE_COPYING	(PFS_IMAGE_MOVING | PFS_IMAGE_CLONING | PFS_IMAGE_TO_POOL)

/* A copy goes in regions of a power of two sectors, in these bounds. */
#define PFS_COPY_REGION_MIN	8		/* 4 KiB */
#define PFS_COPY_REGION_MAX	2097152U	/* 1 GiB */

/* Free-space record flags: exactly one is set in a used record. */
#define PFS_FREE_DIRTY		0x00000001U	/* free sectors in it may hold old data */
#define PFS_FREE_BUSY		0x00000002U	/* free space a running command holds */
#define PFS_MAX_FREE_RECORDS	168

/*
 * Pool flags (version 7). SHARED: hosts of a cluster use the pool at once,
 * under sanlock leases kept in the lease area; else the pool belongs to the
 * host whose ID is in owner_id (zero: none recorded).
 */
#define PFS_POOL_SHARED		0x00000001U
#define PFS_POOL_FLAGS		PFS_POOL_SHARED

/*
 * The lease area of a shared pool: sanlock's 1 MiB unit (2000 hosts with
 * 512-byte sectors, 250 with 4 KiB ones), for the lockspace, the pool's
 * lease and one lease per table slot, in that order.
 */
#define PFS_LEASE_SECTORS	2048
#define PFS_LEASE_LOCKSPACE	0
#define PFS_LEASE_POOL		1
#define PFS_LEASE_SLOT(i)	(2 + (i))
#define PFS_LEASE_AREA_SECTORS	(PFS_LEASE_SLOT(PFS_MAX_IMAGES) * PFS_LEASE_SECTORS)

/* Bounds of a calibrated cost (ns), pfs_sb_validate() enforces them. */
#define PFS_COST_MAX_NS		1000000000U
#define PFS_COST_MAX_MIB_NS	4000000000U

/*
 * The pool device's costs, as pfsadm calibrate measured them (version 3):
 * device time in ns per operation and per MiB moved. calibrate_time 0
 * (and everything else zero): never calibrated, the default model holds.
 */
struct pfs_cost_record {
	__le32 read_op_ns;		/* 1..PFS_COST_MAX_NS */
	__le32 write_op_ns;
	__le32 read_mib_ns;		/* 1..PFS_COST_MAX_MIB_NS */
	__le32 write_mib_ns;
	__le32 seq_op_pct;		/* a sequential op's per-op part, 1..100 */
	__le32 flush_ns;		/* 1..PFS_COST_MAX_NS */
	__le32 discard_ns;
	__le32 reserved;
	__le64 calibrate_time;		/* seconds since the epoch */
} __packed;

struct pfs_superblock {
	__u8 magic[PFS_MAGIC_LEN];
	__le32 version;
	__le32 csum;			/* crc32c of this struct, csum = 0 */
	__u8 pool_uuid[PFS_UUID_LEN];
	__le64 device_sectors;		/* pool size at format time */
	__le64 align_sectors;		/* alignment of every extent */
	__le64 data_start;		/* first sector of the data area */
	__le64 table_offset[2];		/* first sector of each table copy */
	__le32 table_sectors;		/* size of one copy, header included */
	__le32 max_images;		/* entries in one copy */
	__le64 format_time;		/* seconds since the epoch */
	struct pfs_cost_record cost;	/* version 3; zero before */
	/* Version 7; zero before. */
	__le32 pool_flags;		/* PFS_POOL_* */
	__le32 reserved1;
	__le64 lease_start;		/* SHARED: first sector of the lease area */
	__u8 owner_id[PFS_UUID_LEN];	/* not SHARED: the owning host's ID */
	__u8 reserved[352];
} __packed;

struct pfs_free_record {
	__le64 start;			/* first sector on the pool device */
	__le64 length;			/* sectors */
	__le32 flags;			/* PFS_FREE_*; unused record: all zero */
	__le32 host_id;			/* busy, shared pool: its host (v7) */
} __packed;

struct pfs_table_header {
	__u8 magic[PFS_MAGIC_LEN];
	__le64 generation;
	__le32 csum;			/* crc32c of the whole copy, csum = 0 */
	__le32 max_images;
	__u8 pool_uuid[PFS_UUID_LEN];	/* ties the copy to its superblock */
	__le32 nr_free_records;		/* used records, first in free[] (v2) */
	__le32 reserved0;
	struct pfs_free_record free[PFS_MAX_FREE_RECORDS];
	__u8 reserved[16];
} __packed;

struct pfs_image_entry {
	char name[PFS_NAME_LEN];	/* NUL-padded; unused entry: all zero */
	__u8 uuid[PFS_UUID_LEN];
	__le64 start;			/* first sector on the pool device */
	__le64 length;			/* sectors */
	__le64 ctime;			/* seconds since the epoch */
	__le64 iops_max;		/* 0: no cap */
	__le64 bps_max;			/* bytes per second, 0: no cap */
	__le32 flags;			/* PFS_IMAGE_* */
	__le32 weight;			/* arbiter share, 1..PFS_MAX_WEIGHT */
	/* Version 4, with PFS_IMAGE_COPYING; zero otherwise. */
	__le64 copy_dest;		/* where the extent is going */
	__le64 copy_done;		/* sectors known to be on copy_dest */
	__le32 copy_region;		/* the copy's unit, sectors */
	/* Version 6, with TO_POOL or INCOMING: the other pool's UUID. */
	__u8 copy_pool[PFS_UUID_LEN];
	__u8 reserved[28];
} __packed;

#define PFS_TABLE_BYTES(max) \
	(sizeof(struct pfs_table_header) + (max) * sizeof(struct pfs_image_entry))
#define PFS_TABLE_SECTORS	(PFS_TABLE_BYTES(PFS_MAX_IMAGES) >> PFS_SECTOR_SHIFT)
#define PFS_TABLE_OFFSET(copy)	(PFS_BLOCK_SECTORS + (copy) * PFS_TABLE_SECTORS)
#define PFS_BACKUP_SB_SECTOR	PFS_TABLE_OFFSET(2)
/* Version 1 ends here; version 2 adds the backup superblock's block. */
#define PFS_METADATA_SECTORS_V1	PFS_TABLE_OFFSET(2)
#define PFS_METADATA_SECTORS	(PFS_BACKUP_SB_SECTOR + PFS_BLOCK_SECTORS)

/* Keep the layout fixed: these sizes are part of the format. */
static_assert(sizeof(struct pfs_superblock) == 512, "superblock size");
static_assert(sizeof(struct pfs_table_header) == PFS_BLOCK_SIZE, "header size");
static_assert(sizeof(struct pfs_image_entry) == 256, "entry size");
static_assert(sizeof(struct pfs_free_record) == 24, "free record size");
static_assert(sizeof(struct pfs_cost_record) == 40, "cost record size");

#endif /* PFS_FORMAT_H */
