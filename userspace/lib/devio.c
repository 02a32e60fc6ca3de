// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devio.h"
#include "pfs-format.h"

int pfs_device_sectors(int fd, uint64_t *sectors)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(fd, &st))
		return -1;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes))
			return -1;
	} else if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else {
		errno = ENOTBLK;
		return -1;
	}
	*sectors = bytes >> PFS_SECTOR_SHIFT;
	return 0;
}

void *pfs_alloc_io(size_t len)
{
	void *p;

	if (posix_memalign(&p, PFS_BLOCK_SIZE, len))
		return NULL;
	memset(p, 0, len);
	return p;
}

int pfs_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int pfs_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf = (const char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int pfs_open_device(const char *path, bool writable, int extra,
			   struct pfs_error *err)
{
	int fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC | extra);

	if (fd < 0 && errno == EBUSY)
		return pfs_fail(err, PFS_EXIT_BUSY, "%s is in use (mounted, mapped or held)",
				path);
	if (fd < 0)
		return pfs_fail(err, pfs_errno_exit(errno), "cannot open %s: %s",
				path, strerror(errno));
	return fd;
}

int pfs_mkdir_p(const char *dir)
{
	char path[512];
	char *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}
