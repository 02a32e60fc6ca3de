// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "wipe.h"

int pfs_wipe_signatures(const char *path, unsigned int *wiped, struct pfs_error *err)
{
	int fd = open(path, O_RDWR | O_EXCL | O_CLOEXEC);
	blkid_probe pr;
	int r = 0;

	*wiped = 0;
	if (fd < 0)
		return pfs_fail(err, errno == EBUSY ? PFS_EXIT_BUSY : pfs_errno_exit(errno),
				"cannot open %s to wipe it: %s", path, strerror(errno));
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0)) {
		r = pfs_fail(err, PFS_EXIT_NOMEM, "cannot probe %s", path);
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
	/* Each probe finds the next signature; wiping it moves past it. */
	while (blkid_do_probe(pr) == 0) {
		if (blkid_do_wipe(pr, 0)) {
			r = pfs_fail(err, PFS_EXIT_DEVICE, "cannot wipe a signature on %s: %s",
				     path, strerror(errno ? errno : EIO));
			goto out;
		}
		(*wiped)++;
	}
	if (fsync(fd))
		r = pfs_fail(err, PFS_EXIT_DEVICE, "cannot flush %s: %s", path, strerror(errno));
out:
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	return r;
}
