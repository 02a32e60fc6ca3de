/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfsadm's settings on this host, from /etc/pfs.conf (or $PFS_CONF):
 * "key = value" lines, '#' comments; an unknown key is an error.
 *
 *   pool = DEVICE | UUID=...  the pool commands use when none is named
 *   host_id = 1..2000         this host's sanlock host ID, unique in the
 *                             cluster (required to use a shared pool)
 *   lease_io_timeout = 1..300 sanlock's I/O timeout for the pools' lockspaces,
 *                             seconds (default 10, sanlock's own); every
 *                             host of a pool must use the same
 */
#ifndef PFS_CONF_H
#define PFS_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PFS_CONF_PATH		"/etc/pfs.conf"
#define PFS_MAX_HOST_ID		2000
#define PFS_LEASE_IO_TIMEOUT	10

struct pfs_conf {
	char pool[4097];		/* "": not set */
	unsigned int host_id;		/* 0: not set */
	unsigned int lease_io_timeout;	/* seconds */
	char path[256];			/* where it was read from */
};

/* Parse @len bytes of @text (from @path, for messages) into @conf. */
int pfs_conf_parse(const char *text, size_t len, const char *path, struct pfs_conf *conf,
		   struct pfs_error *err);
/* Read the file (a missing one: the defaults, no host_id). */
int pfs_conf_load(struct pfs_conf *conf, struct pfs_error *err);

#endif /* PFS_CONF_H */
