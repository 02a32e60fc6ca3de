// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
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

/* The "pool = DEVICE" line of the config file: 1, 0 if none, -1 on error. */
static int pfs_conf_pool(char *path, unsigned int len, struct pfs_error *err)
{
	struct pfs_conf *conf = malloc(sizeof(*conf));
	int found;

	if (!conf)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	if (pfs_conf_load(conf, err)) {
		free(conf);
		return -1;
	}
	found = !!conf->pool[0];
	if (found)
		snprintf(path, len, "%s", conf->pool);
	free(conf);
	return found;
}

/* One line of a sysfs attribute of block device @name, or "". */
static void pfs_sysfs_read(const char *name, const char *attr, char *buf, size_t len)
{
	char path[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/block/%s/%s", name, attr);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Our own image devices may hold a guest's nested pool: never scan them. */
static bool pfs_is_pfs_image(const char *name)
{
	char uuid[8];

	pfs_sysfs_read(name, "dm/uuid", uuid, sizeof(uuid));
	return !strncmp(uuid, "PFS-", 4);
}

/* A path of a multipath map: the map, not its paths, is the pool. */
static bool pfs_is_multipath_path(const char *name)
{
	char holders[300], uuid[16];
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(holders, sizeof(holders), "/sys/class/block/%s/holders", name);
	dir = opendir(holders);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		pfs_sysfs_read(d->d_name, "dm/uuid", uuid, sizeof(uuid));
		found = !strncmp(uuid, "mpath-", 6);
	}
	closedir(dir);
	return found;
}

/*
 * The first 4 KiB of @dev, read uncached and given up on after @ms: a
 * suspended device, or a multipath map with no path left that queues I/O,
 * would block a plain read (and the boot) forever. The read runs in a
 * child; one that never returns is left behind, not waited for.
 */
static bool pfs_read_head(const char *dev, uint8_t *buf, int ms)
{
	struct pollfd pfd;
	int fds[2], fd;
	bool ok = false;
	void *io;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return false;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		fd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0 && !posix_memalign(&io, PFS_BLOCK_SIZE, PFS_BLOCK_SIZE) &&
		    pread(fd, io, PFS_BLOCK_SIZE, 0) == PFS_BLOCK_SIZE &&
		    write(fds[1], io, PFS_BLOCK_SIZE) == PFS_BLOCK_SIZE)
			_exit(0);
		_exit(1);
	}
	close(fds[1]);
	if (pid > 0) {
		pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
		ok = poll(&pfd, 1, ms) == 1 &&
			read(fds[0], buf, PFS_BLOCK_SIZE) == PFS_BLOCK_SIZE;
		if (!ok)
			kill(pid, SIGKILL);
		waitpid(pid, NULL, ok ? 0 : WNOHANG);
	}
	close(fds[0]);
	return ok;
}

int pfs_scan_pools(char (*paths)[PFS_PATH_LEN], unsigned int max, unsigned int *n,
		   struct pfs_error *err)
{
	uint8_t seen[64][PFS_UUID_LEN], head[PFS_BLOCK_SIZE];
	const struct pfs_superblock *sb = (const void *)head;
	unsigned int nseen = 0, i, j, k, count;
	struct dirent **names;
	char state[8];
	bool dup;

	*n = 0;
	/* dm devices last: of two paths to one pool, the plain device wins. */
	count = (unsigned int)scandir("/sys/class/block", &names, NULL, alphasort);
	if ((int)count < 0)
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot list block devices: %s",
				strerror(errno));
	for (k = 0; k < 2; k++) {
		for (i = 0; i < count; i++) {
			const char *name = names[i]->d_name;
			char dev[PFS_PATH_LEN];

			if (name[0] == '.' || !strncmp(name, "sr", 2) || !strncmp(name, "fd", 2) ||
			    (k == 0) == !strncmp(name, "dm-", 3) || pfs_is_pfs_image(name) ||
			    pfs_is_multipath_path(name))
				continue;
			pfs_sysfs_read(name, "dm/suspended", state, sizeof(state));
			if (!strcmp(state, "1"))
				continue;	/* its I/O would wait for a resume */
			snprintf(dev, sizeof(dev), "/dev/%s", name);
			if (!pfs_read_head(dev, head, 2000) ||
			    memcmp(sb->magic, PFS_SB_MAGIC, PFS_MAGIC_LEN))
				continue;
			/* Two paths to one pool (an alias, a second loop device). */
			dup = false;
			for (j = 0; j < nseen && !dup; j++)
				dup = !memcmp(seen[j], sb->pool_uuid, PFS_UUID_LEN);
			if (dup)
				continue;
			if (nseen < 64)
				memcpy(seen[nseen++], sb->pool_uuid, PFS_UUID_LEN);
			if (*n < max)
				memcpy(paths[*n], dev, sizeof(dev));
			(*n)++;
		}
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return 0;
}

bool pfs_pool_named(const char *requested)
{
	const char *env = getenv("PFS_POOL");

	return (requested && *requested) || (env && *env);
}

bool pfs_pool_requested(const char *requested)
{
	const char *env = getenv("PFS_POOL");
	struct pfs_error ignored = { 0 };
	char path[PFS_PATH_LEN];

	/* A config file in error names no pool; the command says why. */
	return (requested && *requested) || (env && *env) ||
		pfs_conf_pool(path, sizeof(path), &ignored) > 0;
}

int pfs_resolve_pool(const char *name, char *path, unsigned int len, struct pfs_error *err)
{
	static char found[64][PFS_PATH_LEN];
	uint8_t want[PFS_UUID_LEN], head[PFS_BLOCK_SIZE];
	const struct pfs_superblock *sb = (const void *)head;
	unsigned int n, i;

	if (strncasecmp(name, "UUID=", 5)) {
		snprintf(path, len, "%s", name);
		return 0;
	}
	if (uuid_parse(name + 5, want))
		return pfs_fail(err, PFS_EXIT_ARGS, "invalid pool UUID '%s'", name + 5);
	if (pfs_scan_pools(found, 64, &n, err))
		return -1;
	for (i = 0; i < n && i < 64; i++) {
		if (pfs_read_head(found[i], head, 2000) &&
		    !memcmp(sb->pool_uuid, want, PFS_UUID_LEN)) {
			snprintf(path, len, "%s", found[i]);
			return 0;
		}
	}
	return pfs_fail(err, PFS_EXIT_DEVICE, "no pool with UUID %s found", name + 5);
}

int pfs_find_pool(const char *requested, char *path, unsigned int len,
		  struct pfs_error *err)
{
	char found[8][PFS_PATH_LEN], list[8 * (PFS_PATH_LEN + 2)] = "";
	char conf[4097];
	unsigned int n, i;
	int r;

	if (!requested)
		requested = getenv("PFS_POOL");
	if (requested && *requested)
		return pfs_resolve_pool(requested, path, len, err);
	r = pfs_conf_pool(conf, sizeof(conf), err);
	if (r < 0)
		return -1;
	if (r)
		return pfs_resolve_pool(conf, path, len, err);
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
