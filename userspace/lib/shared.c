// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "probe.h"
#include "shared.h"

int pfs_shared_can_format(struct pfs_conf *conf, struct pfs_error *err)
{
	if (pfs_conf_load(conf, err))
		return -1;
	if (!conf->host_id)
		return pfs_fail(err, PFS_EXIT_ARGS,
				"a shared pool needs this host's host_id: set one in %s", conf->path);
	return pfs_lease_daemon_ok(err);
}

/* Open @dev read-only, as a shared pool. */
static int pfs_shared_open(const char *dev, struct pfs_pool_handle **pool, struct pfs_conf *conf,
			   struct pfs_error *err)
{
	if (pfs_conf_load(conf, err) || pfs_pool_open(dev, PFS_OPEN_READ, pool, err))
		return -1;
	if (!pfs_pool_is_shared((*pool)->sb)) {
		pfs_fail(err, PFS_EXIT_ARGS, "%s is not a shared pool (format --shared)", dev);
		pfs_pool_close(*pool);
		return -1;
	}
	return 0;
}

static int pfs_shared_lockspace(const char *dev, bool join, bool *already, struct pfs_error *err)
{
	struct pfs_pool_handle *pool;
	struct pfs_conf *conf = malloc(sizeof(*conf));
	int r = -1;

	if (!conf)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	if (!pfs_shared_open(dev, &pool, conf, err)) {
		struct pfs_lease_where w = { .path = pool->path, .fd = pool->fd, .sb = pool->sb };

		r = join ? pfs_lease_join(&w, conf, err) : pfs_lease_leave(&w, err);
		pfs_pool_close(pool);
	}
	free(conf);
	if (r >= 0)
		*already = r > 0;
	return r < 0 ? -1 : 0;
}

int pfs_shared_lock_start(const char *dev, bool *already, struct pfs_error *err)
{
	return pfs_shared_lockspace(dev, true, already, err);
}

int pfs_shared_lock_stop(const char *dev, bool *already, struct pfs_error *err)
{
	return pfs_shared_lockspace(dev, false, already, err);
}

int pfs_shared_pools(char (*paths)[PFS_PATH_LEN], unsigned int max, unsigned int *n,
		     struct pfs_error *err)
{
	char found[64][PFS_PATH_LEN];
	struct pfs_pool_handle *pool;
	unsigned int i, count;

	*n = 0;
	if (pfs_scan_pools(found, 64, &count, err))
		return -1;
	for (i = 0; i < count && i < 64; i++) {
		struct pfs_error ignored = { 0 };

		/* One this host cannot read is no pool to join. */
		if (pfs_pool_open(found[i], PFS_OPEN_READ, &pool, &ignored))
			continue;
		if (pfs_pool_is_shared(pool->sb) && *n < max)
			memcpy(paths[(*n)++], found[i], PFS_PATH_LEN);
		pfs_pool_close(pool);
	}
	return 0;
}
