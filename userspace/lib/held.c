// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devio.h"
#include "held.h"
#include "hex.h"
#include "lease.h"

#define PFS_HELD_DIR	"/var/lib/pfs/held"
/*
 * A record younger than this may be a create's or a move's that committed
 * after the table prune compares with was read: left for the next prune.
 */
#define PFS_HELD_PRUNE_AGE	60

/* The pool's directory of records; 0 if the pool is host-local. */
static int pfs_held_dir(const struct pfs_pool_handle *pool, char *dir, size_t len)
{
	const char *root = getenv("PFS_HELD_DIR");
	char uuid[2 * PFS_UUID_LEN + 1];

	if (!pfs_pool_is_shared(pool->sb))
		return 0;
	pfs_hex_encode(pool->sb->pool_uuid, PFS_UUID_LEN, uuid);
	snprintf(dir, len, "%s/%s", root && *root ? root : PFS_HELD_DIR, uuid);
	return 1;
}

static int pfs_held_path(const struct pfs_pool_handle *pool, const uint8_t *image_uuid,
			 char *path, size_t len)
{
	char dir[512], uuid[2 * PFS_UUID_LEN + 1];

	if (!pfs_held_dir(pool, dir, sizeof(dir)))
		return 0;
	pfs_hex_encode(image_uuid, PFS_UUID_LEN, uuid);
	snprintf(path, len, "%s/%s", dir, uuid);
	return 1;
}

/* A power cut must not forget, nor bring back, what the directory says. */
static int pfs_held_sync_dir(const char *path)
{
	char dir[600];
	char *slash;
	int fd, r;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int pfs_held_add(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		 struct pfs_error *err)
{
	char dir[512], path[600];
	int fd = -1;

	if (!pfs_held_path(pool, e->uuid, path, sizeof(path)))
		return 0;
	pfs_held_dir(pool, dir, sizeof(dir));
	if (pfs_mkdir_p(dir) || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    dprintf(fd, "%.*s\n", PFS_NAME_LEN, e->name) < 0 || fsync(fd) ||
	    pfs_held_sync_dir(path)) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return pfs_fail(err, PFS_EXIT_DEVICE,
				"cannot record in %s that %s runs here (for the next boot): %s",
				dir, e->name, strerror(saved));
	}
	close(fd);
	return 0;
}

int pfs_held_drop(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		  struct pfs_error *err)
{
	char path[600];

	if (!pfs_held_path(pool, e->uuid, path, sizeof(path)))
		return 0;
	if (unlink(path) && errno != ENOENT)
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot forget %s in %s: %s", e->name, path,
				strerror(errno));
	if (pfs_held_sync_dir(path) && errno != ENOENT)
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot forget %s in %s: %s", e->name, path,
				strerror(errno));
	return 0;
}

bool pfs_held_has(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	char path[600];

	return pfs_held_path(pool, e->uuid, path, sizeof(path)) && !access(path, F_OK);
}

int pfs_held_prune(const struct pfs_pool_handle *pool)
{
	const struct pfs_image_entry *t = pfs_table_entries(pool->table);
	time_t old = time(NULL) - PFS_HELD_PRUNE_AGE;
	char dir[512], path[1024];
	struct dirent *d;
	struct stat st;
	int i, n = 0;
	DIR *dp;

	if (!pfs_held_dir(pool, dir, sizeof(dir)))
		return 0;
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((d = readdir(dp))) {
		uint8_t uuid[PFS_UUID_LEN];
		bool found = false;

		if (strlen(d->d_name) != 2 * PFS_UUID_LEN ||
		    pfs_hex_decode(d->d_name, PFS_UUID_LEN, uuid))
			continue;
		for (i = 0; i < PFS_MAX_IMAGES && !found; i++)
			found = (le32_to_cpu(t[i].flags) & PFS_IMAGE_IN_USE) &&
				!memcmp(t[i].uuid, uuid, PFS_UUID_LEN);
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (!found && !stat(path, &st) && st.st_mtime < old && !unlink(path))
			n++;
	}
	closedir(dp);
	if (n)
		pfs_held_sync_dir(path);
	return n;
}
