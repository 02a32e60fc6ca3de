/* SPDX-License-Identifier: GPL-2.0 */
/* Errors carried up to pfsadm: an exit code (cryptsetup's) and one line. */
#ifndef PFS_ERROR_H
#define PFS_ERROR_H

enum pfs_exit {
	PFS_EXIT_OK = 0,
	PFS_EXIT_ARGS = 1,	/* wrong parameters */
	PFS_EXIT_PERM = 2,	/* no permission */
	PFS_EXIT_NOMEM = 3,	/* out of memory */
	PFS_EXIT_DEVICE = 4,	/* wrong or unusable device */
	PFS_EXIT_BUSY = 5,	/* exists or busy */
	PFS_EXIT_NOSPACE = 6,	/* no free extent, image slot or record large enough */
	PFS_EXIT_INTERNAL = 7,	/* pfsadm's own bug, caught before it wrote */
};

struct pfs_error {
	enum pfs_exit code;
	char msg[512];
};

/* Record the first error (later ones are consequences) and return -1. */
int pfs_fail(struct pfs_error *err, enum pfs_exit code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Exit code for an errno from open()/ioctl() on a device. */
enum pfs_exit pfs_errno_exit(int errnum);

#endif /* PFS_ERROR_H */
