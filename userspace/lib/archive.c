// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "archive.h"
#include "devio.h"
#include "metadata-json.h"

static int pfs_archive_cmp(const void *a, const void *b)
{
	unsigned long long x = strtoull(*(char *const *)a, NULL, 10);
	unsigned long long y = strtoull(*(char *const *)b, NULL, 10);

	return (x < y) - (x > y);	/* newest first */
}

/* Keep the newest PFS_ARCHIVE_KEEP generation files in @dir. */
static void pfs_archive_prune(const char *dir)
{
	char *names[4096], path[768];
	struct dirent *d;
	size_t n = 0, i;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp)) && n < sizeof(names) / sizeof(names[0]))
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9' && strstr(d->d_name, ".json"))
			names[n++] = strdup(d->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), pfs_archive_cmp);
	for (i = 0; i < n; i++) {
		if (i >= PFS_ARCHIVE_KEEP && names[i]) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
		free(names[i]);
	}
}

int pfs_archive_save(const struct pfs_pool_handle *pool)
{
	const char *root = getenv("PFS_ARCHIVE_DIR") ? getenv("PFS_ARCHIVE_DIR") : PFS_ARCHIVE_DIR;
	char dir[512], path[640], tmp[660], uuid[37];
	struct json_object *o;
	int r = -1, fd;

	if (!*root)
		return 0;
	uuid_unparse_lower(pool->sb->pool_uuid, uuid);
	snprintf(dir, sizeof(dir), "%s/%s", root, uuid);
	snprintf(path, sizeof(path), "%s/%llu.json", dir,
		 (unsigned long long)pfs_pool_generation(pool));
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	if (pfs_mkdir_p(dir))
		goto out;
	o = pfs_json_metadata(pool);
	/* Whole or not at all: a reader never finds half a dump. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
		size_t len = strlen(text);

		if (write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
		    !fsync(fd) && !rename(tmp, path))
			r = 0;
		close(fd);
	}
	json_object_put(o);
	if (r)
		unlink(tmp);
	else
		pfs_archive_prune(dir);
out:
	if (r)
		fprintf(stderr, "pfsadm: warning: cannot archive generation %llu in %s: %s\n",
			(unsigned long long)pfs_pool_generation(pool), dir, strerror(errno));
	return r;
}
