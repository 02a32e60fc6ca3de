// SPDX-License-Identifier: GPL-2.0
/*
 * The record of which shared-pool images run here (held.c): added, found,
 * dropped; pruned of images no longer in the table; durable names (one
 * file per image under the pool's UUID); nothing at all for a host-local
 * pool.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "held.h"

static unsigned int files_in(const char *dir)
{
	unsigned int n = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		n += d->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* Make every record in @dir @seconds older. */
static void age_records(const char *dir, int seconds)
{
	time_t then = time(NULL) - seconds;
	struct timespec times[2] = { { .tv_sec = then }, { .tv_sec = then } };
	char path[512];
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		utimensat(AT_FDCWD, path, times, 0);
	}
	if (dp)
		closedir(dp);
}

int main(void)
{
	struct pfs_format_opts fo = { .align_sectors = 8, .now = 1, .shared = true };
	struct pfs_image_entry *a, *b;
	struct pfs_pool_handle pool = { .fd = -1, .lock_fd = -1, .lease_sock = -1 };
	struct pfs_error err = { 0 };
	char root[] = "/tmp/pfs-held-XXXXXX", dir[256], cmd[300];
	unsigned int i;

	if (!mkdtemp(root))
		return 1;
	setenv("PFS_HELD_DIR", root, 1);
	pool.sb = calloc(1, PFS_BLOCK_SIZE);
	pool.table = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	if (!pool.sb || !pool.table ||
	    pfs_sb_init(pool.sb, &fo, PFS_METADATA_SECTORS + PFS_LEASE_AREA_SECTORS + (1 << 20), &err))
		return 1;
	for (i = 0; i < PFS_UUID_LEN; i++)
		pool.sb->pool_uuid[i] = (uint8_t)(0xa0 + i);
	snprintf(dir, sizeof(dir), "%s/a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", root);
	a = add_image(&pool, "vm1", 1 << 16, 1 << 12);
	memset(a->uuid, 1, PFS_UUID_LEN);
	b = add_image(&pool, "vm2", 1 << 17, 1 << 12);
	memset(b->uuid, 2, PFS_UUID_LEN);

	CHECK(!pfs_held_has(&pool, a));
	CHECK(!pfs_held_add(&pool, a, &err));
	CHECK(!pfs_held_add(&pool, a, &err));	/* twice: one record */
	CHECK(!pfs_held_add(&pool, b, &err));
	CHECK(pfs_held_has(&pool, a) && pfs_held_has(&pool, b));
	CHECK(files_in(dir) == 2);
	CHECK(!pfs_held_drop(&pool, b, &err));
	CHECK(!pfs_held_drop(&pool, b, &err));	/* not there: no error */
	CHECK(!pfs_held_has(&pool, b) && pfs_held_has(&pool, a));

	/*
	 * Removed from the table (or moved away): pruned once a minute old
	 * (younger, another command may have just made it); present: kept.
	 */
	CHECK(!pfs_held_add(&pool, b, &err));
	b->flags = 0;
	CHECK(pfs_held_prune(&pool) == 0 && pfs_held_has(&pool, b));
	age_records(dir, 120);
	CHECK(pfs_held_prune(&pool) == 1);
	CHECK(files_in(dir) == 1 && pfs_held_has(&pool, a));
	CHECK(pfs_held_prune(&pool) == 0);

	/* A record that cannot be written says where and why. */
	setenv("PFS_HELD_DIR", "/proc/no-such-dir", 1);
	CHECK(pfs_held_add(&pool, a, &err) == -1 && strstr(err.msg, "/proc/no-such-dir") &&
	      strstr(err.msg, "vm1"));
	setenv("PFS_HELD_DIR", root, 1);

	/* A host-local pool keeps no record. */
	pool.sb->pool_flags = 0;
	CHECK(!pfs_held_add(&pool, b, &err) && !pfs_held_has(&pool, b));
	CHECK(!pfs_held_drop(&pool, a, &err) && !pfs_held_has(&pool, a));
	CHECK(files_in(dir) == 1);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(!system(cmd));
	free(pool.sb);
	free(pool.table);
	CHECK_DONE();
}
