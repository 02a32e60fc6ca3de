/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of the pool superblock and allocation table. The same code
 * runs in the kernel (at table load) and in pfsadm, and is what the fuzzer
 * exercises. Functions return 0 or -EINVAL and set *why to a short reason.
 * pfs_table_choose() validates both copies once, returns the index of the
 * valid one with the highest generation (or -EINVAL), and leaves each
 * copy's reason (NULL when valid) in why[].
 */
#ifndef PFS_TABLE_H
#define PFS_TABLE_H

#include "pfs-format.h"

u32 pfs_sb_csum(const struct pfs_superblock *sb);
u32 pfs_table_csum(const struct pfs_table_header *copy);
int pfs_crc32c_selftest(void);

/*
 * Letters, digits and ._+- ; not starting with '.' or '-': also a dm
 * name's tail and a /dev/pfs/ link. Inline for pfs-udev-name, which links
 * nothing else.
 */
static inline bool pfs_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= PFS_NAME_LEN || name[0] == '.' || name[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '+' || c == '-'))
			return false;
	}
	return true;
}

int pfs_sb_validate(const struct pfs_superblock *sb, u64 dev_sectors,
		    const char **why);
int pfs_table_validate(const struct pfs_superblock *sb,
		       const struct pfs_table_header *copy, const char **why);
int pfs_table_choose(const struct pfs_superblock *sb,
		     const struct pfs_table_header *copy0,
		     const struct pfs_table_header *copy1, const char *why[2]);

static inline struct pfs_image_entry *
pfs_table_entries(const struct pfs_table_header *copy)
{
	return (struct pfs_image_entry *)(copy + 1);
}

/*
 * The extents an in-use entry holds: its own, and while it moves
 * (PFS_IMAGE_MOVING) the destination too; a clone's destination is the
 * clone entry's own. Returns how many (1 or 2).
 */
unsigned int pfs_entry_extents(const struct pfs_image_entry *e, u64 start[2], u64 len[2]);

const struct pfs_image_entry *
pfs_table_lookup(const struct pfs_table_header *copy, const char *name);

#endif /* PFS_TABLE_H */
