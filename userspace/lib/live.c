// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "live.h"

/* "KEY=UUID" in a pfs status line, into @out. */
static bool pfs_live_uuid(const char *status, const char *key, uint8_t *out)
{
	char text[37];
	const char *p = strstr(status, key);

	if (!p || sscanf(p + strlen(key), "%36s", text) != 1)
		return false;
	return uuid_parse(text, out) == 0;
}

/* "KEY=N" in a pfs status line, or 0 if absent. */
static uint64_t pfs_live_u64(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	unsigned long long v;

	return p && sscanf(p + strlen(key), "%llu", &v) == 1 ? v : 0;
}

/* The third word of a pfs table line ("MAJ:MIN NAME START [MAJ:MIN]"). */
static bool pfs_live_start(const char *params, uint64_t *start)
{
	unsigned long long v;

	if (sscanf(params, "%*s %*s %llu", &v) != 1)
		return false;
	*start = v;
	return true;
}

static struct dm_task *pfs_live_task(int type, const char *name)
{
	struct dm_task *dmt = dm_task_create(type);

	if (dmt && (!dm_task_set_name(dmt, name) || !dm_task_run(dmt))) {
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

/* The pfs target of device @name, if it has exactly one; false if none. */
static bool pfs_live_probe(const char *name, struct pfs_live_map *m)
{
	struct dm_task *st = pfs_live_task(DM_DEVICE_STATUS, name), *tb = NULL;
	char *type = NULL, *params = NULL;
	uint64_t start, length;
	struct dm_info info;
	bool ok = false;

	/* A device that went away since the list is not live. */
	if (!st || !dm_task_get_info(st, &info) || !info.exists)
		goto out;
	if (dm_get_next_target(st, NULL, &start, &length, &type, &params) ||
	    !type || strcmp(type, "pfs") || !params)
		goto out;	/* not one pfs target: not ours */
	memset(m, 0, sizeof(*m));
	snprintf(m->dm_name, sizeof(m->dm_name), "%s", name);
	m->sectors = length;
	if (!pfs_live_uuid(params, "pool_uuid=", m->pool_uuid) ||
	    !pfs_live_uuid(params, "image_uuid=", m->image_uuid))
		goto out;
	m->copy_dest = pfs_live_u64(params, " copy_dest=");
	m->copy_done = pfs_live_u64(params, " copy_done=");
	m->copy_failed = pfs_live_u64(params, " copy_failed=") != 0;
	if (strstr(params, " copy_kind=back"))
		m->copy_kind = PFS_LIVE_COPY_BACK;
	else if (strstr(params, " copy_kind=clone"))
		m->copy_kind = PFS_LIVE_COPY_CLONE;
	else if (strstr(params, " copy_kind=pool") &&
		 pfs_live_uuid(params, " copy_pool=", m->copy_pool))
		m->copy_kind = PFS_LIVE_COPY_POOL;
	else if (m->copy_dest)
		m->copy_kind = PFS_LIVE_COPY_MOVE;
	tb = pfs_live_task(DM_DEVICE_TABLE, name);
	if (!tb)
		goto out;
	dm_get_next_target(tb, NULL, &start, &length, &type, &params);
	ok = params && pfs_live_start(params, &m->start);
out:
	if (tb)
		dm_task_destroy(tb);
	if (st)
		dm_task_destroy(st);
	return ok;
}

int pfs_live_read(const uint8_t *pool_uuid, struct pfs_live_maps *maps,
		  struct pfs_error *err)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_LIST);
	struct pfs_live_map m, *grown;
	struct dm_names *names;
	unsigned int next;

	maps->map = NULL;
	maps->n = 0;
	if (!dmt)
		return pfs_fail(err, PFS_EXIT_NOMEM, "cannot create a device-mapper task");
	if (!dm_task_run(dmt) || !(names = dm_task_get_names(dmt))) {
		/* Its errno, before destroy may change errno. */
		int e = dm_task_get_errno(dmt) ? dm_task_get_errno(dmt) : errno;

		dm_task_destroy(dmt);
		return pfs_fail(err, e == EACCES || e == EPERM ? PFS_EXIT_PERM : PFS_EXIT_DEVICE,
				"cannot list device-mapper devices (is dm-mod loaded? are you root?)");
	}
	for (next = names->dev ? 1 : 0; next; names = (void *)((char *)names + next)) {
		next = names->next;
		if (!pfs_live_probe(names->name, &m))
			continue;
		if (m.copy_kind == PFS_LIVE_COPY_POOL &&
		    !memcmp(m.copy_pool, pool_uuid, PFS_UUID_LEN)) {
			/* Moving here: it maps the extent it copies into. */
			memcpy(m.pool_uuid, pool_uuid, PFS_UUID_LEN);
			m.start = m.copy_dest;
			m.copy_dest = 0;
			m.copy_done = 0;
			m.copy_kind = PFS_LIVE_COPY_NONE;
			m.incoming = true;
		}
		if (memcmp(m.pool_uuid, pool_uuid, PFS_UUID_LEN))
			continue;
		grown = realloc(maps->map, (maps->n + 1) * sizeof(*grown));
		if (!grown) {
			dm_task_destroy(dmt);
			pfs_live_free(maps);
			return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
		}
		maps->map = grown;
		maps->map[maps->n++] = m;
	}
	dm_task_destroy(dmt);
	return 0;
}

void pfs_live_free(struct pfs_live_maps *maps)
{
	free(maps->map);
	maps->map = NULL;
	maps->n = 0;
}
