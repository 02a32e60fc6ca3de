// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

int pfs_fail(struct pfs_error *err, enum pfs_exit code, const char *fmt, ...)
{
	va_list ap;

	if (err->code != PFS_EXIT_OK)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* One line, whatever a library's message ended with. */
	err->msg[strcspn(err->msg, "\n")] = '\0';
	return -1;
}

enum pfs_exit pfs_errno_exit(int errnum)
{
	switch (errnum) {
	case EACCES:
	case EPERM:
	case EROFS:
		return PFS_EXIT_PERM;
	case EBUSY:
	case EEXIST:
		return PFS_EXIT_BUSY;
	case ENOMEM:
		return PFS_EXIT_NOMEM;
	default:
		return PFS_EXIT_DEVICE;
	}
}
