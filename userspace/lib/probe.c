// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "pfs-format.h"

static int pfs_has_pool_magic(const char *path)
{
	char buf[PFS_MAGIC_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int found;

	if (fd < 0)
		return 0;
	found = pread(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf) &&
		!memcmp(buf, PFS_SB_MAGIC, PFS_MAGIC_LEN);
	close(fd);
	return found;
}

int pfs_probe_signature(const char *path, char *what, unsigned int len,
			struct pfs_error *err)
{
	const char *type = NULL, *usage = NULL;
	blkid_probe pr;
	int r;

	if (pfs_has_pool_magic(path)) {
		snprintf(what, len, "dm-pfs pool");
		return 1;
	}
	pr = blkid_new_probe_from_filename(path);
	if (!pr)
		return pfs_fail(err, pfs_errno_exit(errno), "cannot probe %s: %s", path,
				strerror(errno ? errno : EIO));
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	r = blkid_do_safeprobe(pr);
	if (r == 0) {
		if (!blkid_probe_lookup_value(pr, "TYPE", &type, NULL)) {
			blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
			snprintf(what, len, "%s%s%s", type, usage ? " " : "",
				 usage ? usage : "");
		} else if (!blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL)) {
			snprintf(what, len, "%s partition table", type);
		} else {
			snprintf(what, len, "unidentified signature");
		}
		r = 1;
	} else if (r == -2) {
		snprintf(what, len, "several conflicting signatures");
		r = 1;
	} else if (r == 1) {
		r = 0;
	} else {
		r = pfs_fail(err, PFS_EXIT_DEVICE, "cannot probe %s for signatures", path);
	}
	blkid_free_probe(pr);
	return r;
}

/* Our own image devices may hold a guest's nested pool: never scan them. */
static int pfs_is_pfs_image(const char *name)
{
	char path[512], uuid[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/block/%s/dm/uuid", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(uuid, sizeof(uuid), f))
		uuid[0] = '\0';
	fclose(f);
	return !strncmp(uuid, "PFS-", 4);
}

/* The "pool = DEVICE" line of the config file, if any. */
static int pfs_conf_pool(char *path, unsigned int len)
{
	const char *conf = getenv("PFS_CONF");
	char line[4200], key[16], value[4097];
	int found = 0;
	FILE *f;

	f = fopen(conf ? conf : "/etc/pfs.conf", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %15[a-z_] = %4096s", key, value) == 2 &&
		    !strcmp(key, "pool")) {
			snprintf(path, len, "%s", value);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int pfs_scan_pools(char (*paths)[PFS_PATH_LEN], unsigned int max, unsigned int *n,
		   struct pfs_error *err)
{
	struct dirent *d;
	DIR *dir;

	*n = 0;
	dir = opendir("/sys/class/block");
	if (!dir)
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot list block devices: %s",
				strerror(errno));
	while ((d = readdir(dir))) {
		char dev[PFS_PATH_LEN];

		if (d->d_name[0] == '.' || !strncmp(d->d_name, "sr", 2) ||
		    !strncmp(d->d_name, "fd", 2) || pfs_is_pfs_image(d->d_name))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", d->d_name);
		if (!pfs_has_pool_magic(dev))
			continue;
		if (*n < max)
			memcpy(paths[*n], dev, sizeof(dev));
		(*n)++;
	}
	closedir(dir);
	return 0;
}

bool pfs_pool_requested(const char *requested)
{
	const char *env = getenv("PFS_POOL");
	char path[PFS_PATH_LEN];

	return (requested && *requested) || (env && *env) ||
		pfs_conf_pool(path, sizeof(path));
}

int pfs_find_pool(const char *requested, char *path, unsigned int len,
		  struct pfs_error *err)
{
	char found[8][PFS_PATH_LEN], list[8 * (PFS_PATH_LEN + 2)] = "";
	unsigned int n, i;

	if (!requested)
		requested = getenv("PFS_POOL");
	if (requested && *requested) {
		snprintf(path, len, "%s", requested);
		return 0;
	}
	if (pfs_conf_pool(path, len))
		return 0;
	if (pfs_scan_pools(found, 8, &n, err))
		return -1;
	if (n == 0)
		return pfs_fail(err, PFS_EXIT_DEVICE,
				"no dm-pfs pool found; run pfsadm format DEVICE or give --pool");
	if (n > 1) {
		for (i = 0; i < n && i < 8; i++) {
			size_t used = strlen(list);

			snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", found[i]);
		}
		return pfs_fail(err, PFS_EXIT_ARGS,
				"%u pools found (%s); choose one with --pool, PFS_POOL or /etc/pfs.conf",
				n, list);
	}
	snprintf(path, len, "%s", found[0]);
	return 0;
}
