// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "devio.h"
#include "hex.h"
#include "lease.h"
#include "owner.h"

int pfs_machine_id(uint8_t id[PFS_UUID_LEN])
{
	const char *path = getenv("PFS_MACHINE_ID_FILE");
	char text[64];
	FILE *f = fopen(path && *path ? path : "/etc/machine-id", "re");
	int ok;

	if (!f)
		return 0;
	ok = fgets(text, sizeof(text), f) && strspn(text, "0123456789abcdef") == 32;
	fclose(f);
	return ok && !pfs_hex_decode(text, PFS_UUID_LEN, id);
}

static bool pfs_owner_none(const struct pfs_superblock *sb)
{
	static const uint8_t zero[PFS_UUID_LEN];

	return le32_to_cpu(sb->version) < 7 || (le32_to_cpu(sb->pool_flags) & PFS_POOL_SHARED) ||
	       !memcmp(sb->owner_id, zero, PFS_UUID_LEN);
}

void pfs_owner_stamp(struct pfs_superblock *sb)
{
	memset(sb->owner_id, 0, PFS_UUID_LEN);
	if (!(le32_to_cpu(sb->pool_flags) & PFS_POOL_SHARED))
		pfs_machine_id(sb->owner_id);
}

bool pfs_owner_is_here(const struct pfs_superblock *sb)
{
	uint8_t id[PFS_UUID_LEN];

	return pfs_owner_none(sb) ||
	       (pfs_machine_id(id) && !memcmp(id, sb->owner_id, PFS_UUID_LEN));
}

int pfs_owner_check(const struct pfs_pool_handle *pool, struct pfs_error *err)
{
	uint8_t id[PFS_UUID_LEN];
	char owner[33], here[33] = "none";

	if (pfs_owner_is_here(pool->sb))
		return 0;
	pfs_hex_encode(pool->sb->owner_id, PFS_UUID_LEN, owner);
	if (pfs_machine_id(id))
		pfs_hex_encode(id, PFS_UUID_LEN, here);
	return pfs_fail(err, PFS_EXIT_BUSY,
			"%s belongs to host %s (this host's machine-id is %s); 'pfsadm take-over' makes it this host's",
			pool->path, owner, here);
}

int pfs_owner_take_over(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	struct pfs_superblock *sb;
	uint8_t id[PFS_UUID_LEN];
	int r;

	if (pfs_pool_is_shared(pool->sb))
		return pfs_fail(err, PFS_EXIT_ARGS,
				"%s is a shared pool: its leases, not an owner, say who runs what",
				pool->path);
	if (!pfs_machine_id(id))
		return pfs_fail(err, PFS_EXIT_DEVICE,
				"this host has no machine-id (/etc/machine-id) to record");
	if (!memcmp(pool->sb->owner_id, id, PFS_UUID_LEN))
		return 0;
	sb = pfs_alloc_io(PFS_BLOCK_SIZE);
	if (!sb)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	memcpy(sb, pool->sb, PFS_BLOCK_SIZE);
	memcpy(sb->owner_id, id, PFS_UUID_LEN);
	sb->csum = cpu_to_le32(pfs_sb_csum(sb));
	r = pfs_pool_write_sb(pool, sb, err) ? -1 : 1;
	free(sb);
	return r;
}
