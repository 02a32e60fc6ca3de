// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "pfs-format.h"
#include "zero.h"

#define PFS_ZERO_CHUNK	(1ULL << 21)	/* 1 GiB in sectors, between progress lines */

/*
 * On a block device, a punched hole is blkdev_issue_zeroout() with
 * BLKDEV_ZERO_NOFALLBACK: zeroes the device promises, or EOPNOTSUPP,
 * never a slow fallback. On a file, a hole reads as zeroes.
 */
int pfs_zero_offload(int fd, uint64_t start, uint64_t len)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 (off_t)(start << PFS_SECTOR_SHIFT), (off_t)(len << PFS_SECTOR_SHIFT));
}

int pfs_discard_range(int fd, uint64_t start, uint64_t len)
{
	uint64_t range[2] = { start << PFS_SECTOR_SHIFT, len << PFS_SECTOR_SHIFT };

	return ioctl(fd, BLKDISCARD, range);
}

static int pfs_zero_write(int fd, uint64_t start, uint64_t len)
{
	uint64_t range[2] = { start << PFS_SECTOR_SHIFT, len << PFS_SECTOR_SHIFT };
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKZEROOUT, range);
	return fallocate(fd, FALLOC_FL_ZERO_RANGE, (off_t)range[0], (off_t)range[1]);
}

int pfs_zero_range(int fd, uint64_t start, uint64_t len, bool progress,
		   struct pfs_error *err)
{
	bool offload = true;
	uint64_t done = 0;

	while (done < len) {
		uint64_t n = len - done < PFS_ZERO_CHUNK ? len - done : PFS_ZERO_CHUNK;

		if (offload && pfs_zero_offload(fd, start + done, n)) {
			if (errno != EOPNOTSUPP && errno != EINVAL && errno != ENODEV)
				return pfs_fail(err, PFS_EXIT_DEVICE,
						"cannot zero sectors %llu+%llu: %s",
						(unsigned long long)(start + done),
						(unsigned long long)n, strerror(errno));
			offload = false;
		}
		if (!offload && pfs_zero_write(fd, start + done, n))
			return pfs_fail(err, PFS_EXIT_DEVICE, "cannot zero sectors %llu+%llu: %s",
					(unsigned long long)(start + done),
					(unsigned long long)n, strerror(errno));
		done += n;
		if (progress)
			fprintf(stderr, "\rzeroing: %3llu%%",
				(unsigned long long)(done * 100 / len));
	}
	if (progress)
		fputc('\n', stderr);
	return 0;
}
