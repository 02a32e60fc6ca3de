// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devio.h"
#include "dm.h"
#include "held.h"
#include "hex.h"
#include "image.h"
#include "image-lease.h"
#include "owner.h"
#include "live.h"
#include "pool-move.h"

/*
 * The pool's live maps, read once and kept until this process changes a
 * device: `list` asks about every image, and each read walks every dm
 * device.
 */
static struct pfs_live_maps pfs_live_cache;
static uint8_t pfs_live_cache_pool[PFS_UUID_LEN];
static bool pfs_live_cached;

void pfs_live_forget(void)
{
	pfs_live_free(&pfs_live_cache);
	pfs_live_cached = false;
}

static const struct pfs_live_maps *pfs_live_of(const struct pfs_pool_handle *pool,
					       struct pfs_error *err)
{
	if (pfs_live_cached && !memcmp(pfs_live_cache_pool, pool->sb->pool_uuid, PFS_UUID_LEN))
		return &pfs_live_cache;
	pfs_live_forget();
	if (pfs_live_read(pool->sb->pool_uuid, &pfs_live_cache, err))
		return NULL;
	memcpy(pfs_live_cache_pool, pool->sb->pool_uuid, PFS_UUID_LEN);
	pfs_live_cached = true;
	return &pfs_live_cache;
}

bool pfs_image_name_ok(const char *name, struct pfs_error *err)
{
	size_t len = strlen(name);

	if (len > PFS_MAX_NAME_CHARS) {
		pfs_fail(err, PFS_EXIT_ARGS, "image name is %zu characters; the limit is %d",
			 len, PFS_MAX_NAME_CHARS);
		return false;
	}
	if (!pfs_name_valid(name, len)) {
		pfs_fail(err, PFS_EXIT_ARGS,
			 "invalid image name '%s': use letters, digits and . _ + -, not starting with . or -",
			 name);
		return false;
	}
	return true;
}

void pfs_image_dm_name(const struct pfs_image_entry *e, char *buf, unsigned int len)
{
	snprintf(buf, len, PFS_DM_PREFIX "%.*s", PFS_NAME_LEN - 1, e->name);
}

void pfs_image_dm_uuid(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		       char *buf, unsigned int len)
{
	char p[2 * PFS_UUID_LEN + 1], i[2 * PFS_UUID_LEN + 1];

	pfs_hex_encode(pool->sb->pool_uuid, PFS_UUID_LEN, p);
	pfs_hex_encode(e->uuid, PFS_UUID_LEN, i);
	snprintf(buf, len, PFS_DM_UUID_PREFIX "%s-%s", p, i);
}

int pfs_image_params(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		     char *buf, unsigned int len, struct pfs_error *err)
{
	struct stat st;

	if (fstat(pool->fd, &st))
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot stat %s", pool->path);
	if (!S_ISBLK(st.st_mode))
		return pfs_fail(err, PFS_EXIT_DEVICE,
				"%s is not a block device; attach it with losetup first",
				pool->path);
	snprintf(buf, len, "%u:%u %.*s %llu", major(st.st_rdev), minor(st.st_rdev),
		 PFS_NAME_LEN - 1, e->name, (unsigned long long)le64_to_cpu(e->start));
	/* Moving to another pool: the target writes there too. */
	if (le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL)
		return pfs_pool_move_target(pool, e, buf + strlen(buf), len - strlen(buf), err);
	return 0;
}

/* Is pfs-NAME there? Its info in @info if so; errors count as absent. */
static bool pfs_image_dm_info(const struct pfs_image_entry *e, struct pfs_dm_info *info)
{
	struct pfs_error ignored = { 0 };
	char name[PFS_NAME_LEN + 8];

	pfs_image_dm_name(e, name, sizeof(name));
	return !pfs_dm_info(name, info, &ignored) && info->exists;
}

bool pfs_image_active(const struct pfs_image_entry *e, int *open_count)
{
	struct pfs_dm_info info;

	if (!pfs_image_dm_info(e, &info))
		return false;
	if (open_count)
		*open_count = info.open_count;
	return true;
}

#define PFS_COPY_MADE_DIR	"/run/pfs/copy-made"

static void pfs_copy_made_path(const struct pfs_image_entry *e, char *path, size_t len)
{
	char uuid[2 * PFS_UUID_LEN + 1];

	pfs_hex_encode(e->uuid, PFS_UUID_LEN, uuid);
	snprintf(path, len, PFS_COPY_MADE_DIR "/%s", uuid);
}

static void pfs_copy_made_drop(const struct pfs_image_entry *e)
{
	char path[128];

	pfs_copy_made_path(e, path, sizeof(path));
	unlink(path);
}

static bool pfs_image_for_copy(const struct pfs_image_entry *e)
{
	char path[128];

	pfs_copy_made_path(e, path, sizeof(path));
	return !access(path, F_OK);
}

int pfs_image_activate_for_copy(const struct pfs_pool_handle *pool,
				const struct pfs_image_entry *e, struct pfs_error *err)
{
	char path[128];
	int fd = -1;

	/* Marked first: a cut right after the device is made leaves both. */
	pfs_copy_made_path(e, path, sizeof(path));
	if (pfs_mkdir_p(PFS_COPY_MADE_DIR) ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
		fprintf(stderr,
			"pfsadm: warning: cannot write %s (%s): cut short, this copy leaves %s active\n",
			path, strerror(errno), e->name);
	else
		close(fd);
	if (!pfs_image_activate(pool, e, err))
		return 0;
	unlink(path);
	return -1;
}

int pfs_image_copy_ended(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 bool made, struct pfs_error *err)
{
	int open_count = 0;

	if (!made && !pfs_image_for_copy(e))
		return 0;
	/* Opened since (a VM started on it): the user's now. */
	if (pfs_image_active(e, &open_count) && open_count) {
		pfs_copy_made_drop(e);
		fprintf(stderr, "pfsadm: %s was activated for its copy and is open now: left active\n",
			e->name);
		return 0;
	}
	return pfs_image_deactivate(pool, e, err);
}

void pfs_image_record(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	struct pfs_error why = { 0 };

	if (pfs_held_add(pool, e, &why))
		fprintf(stderr, "pfsadm: warning: %s\n", why.msg);
}

void pfs_image_remember(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	pfs_copy_made_drop(e);
	pfs_image_record(pool, e);
}

int pfs_image_activate(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		       struct pfs_error *err)
{
	return pfs_image_activate_mode(pool, e, false, err);
}

int pfs_image_activate_mode(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			    bool shared, struct pfs_error *err)
{
	char name[PFS_NAME_LEN + 8], uuid[128], params[PFS_IMAGE_PARAMS_LEN];
	struct pfs_error undo = { 0 };

	/* Another host's pool: its images are that host's to run. */
	if (pfs_owner_check(pool, err))
		return -1;
	if (le32_to_cpu(e->flags) & PFS_IMAGE_CLONE)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is a clone still being copied; pfsadm clone finishes it first",
				e->name);
	if (le32_to_cpu(e->flags) & PFS_IMAGE_INCOMING)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is being moved here from another pool; pfsadm move finishes it there first",
				e->name);
	pfs_image_dm_name(e, name, sizeof(name));
	pfs_image_dm_uuid(pool, e, uuid, sizeof(uuid));
	if (pfs_image_params(pool, e, params, sizeof(params), err))
		return -1;
	/* A shared pool's image: its lease first, or another host may map it too. */
	if (pfs_image_lease(pool, e, shared, err) < 0)
		return -1;
	pfs_live_forget();
	if (!pfs_dm_create(name, uuid, le64_to_cpu(e->length), params, err))
		return 0;
	pfs_image_unlease(pool, e, &undo);
	return -1;
}

int pfs_image_reclaim(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		      bool shared, struct pfs_error *err)
{
	char name[PFS_NAME_LEN + 8];
	struct pfs_dm_info info;
	int r = pfs_image_lease(pool, e, shared, err);

	if (r < 0)
		return r;
	/* Running here: the next boot brings it back, whoever activated it. */
	pfs_image_remember(pool, e);
	if (!r)
		return 0;
	/* Taken anew: pfs-lockd lost it, and suspended the device then. */
	pfs_image_dm_name(e, name, sizeof(name));
	if (pfs_image_dm_info(e, &info) && info.suspended)
		return pfs_dm_resume(name, err);
	return 0;
}

int pfs_image_deactivate(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 struct pfs_error *err)
{
	char name[PFS_NAME_LEN + 8];

	pfs_image_dm_name(e, name, sizeof(name));
	pfs_live_forget();
	if (pfs_dm_remove(name, err))
		return -1;
	pfs_copy_made_drop(e);
	return pfs_held_drop(pool, e, err) || pfs_image_unlease(pool, e, err) ? -1 : 0;
}

int pfs_image_reload(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		     struct pfs_error *err)
{
	char name[PFS_NAME_LEN + 8], params[PFS_IMAGE_PARAMS_LEN];

	pfs_image_dm_name(e, name, sizeof(name));
	if (pfs_image_params(pool, e, params, sizeof(params), err))
		return -1;
	pfs_live_forget();
	return pfs_dm_reload(name, le64_to_cpu(e->length), params, err);
}

int pfs_image_check_unmapped(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			     uint64_t start, uint64_t len, struct pfs_error *err)
{
	const struct pfs_live_map *m = NULL;
	struct pfs_live_maps maps;
	char own[PFS_NAME_LEN + 8] = "";
	unsigned int i;
	int r = 0;

	/* A fresh read: this check guards a change. */
	if (pfs_live_read(pool->sb->pool_uuid, &maps, err))
		return -1;
	if (e)
		pfs_image_dm_name(e, own, sizeof(own));
	for (i = 0; i < maps.n && !m; i++) {
		const struct pfs_live_map *x = &maps.map[i];

		if (!strcmp(x->dm_name, own))
			continue;
		if ((e && !memcmp(x->image_uuid, e->uuid, PFS_UUID_LEN)) ||
		    (x->start < start + len && start < x->start + x->sectors) ||
		    (x->copy_dest && x->copy_kind != PFS_LIVE_COPY_POOL &&
		     x->copy_dest < start + len &&
		     start < x->copy_dest + x->sectors))
			m = x;
	}
	if (m)
		r = pfs_fail(err, PFS_EXIT_BUSY,
			     "sectors %llu+%llu are mapped by /dev/mapper/%s; remove that device first",
			     (unsigned long long)m->start, (unsigned long long)m->sectors,
			     m->dm_name);
	pfs_live_free(&maps);
	return r;
}

const struct pfs_live_map *pfs_image_own_map(const struct pfs_live_maps *maps,
					     const struct pfs_image_entry *e)
{
	char own[PFS_NAME_LEN + 8];
	unsigned int i;

	pfs_image_dm_name(e, own, sizeof(own));
	for (i = 0; i < maps->n; i++)
		if (!strcmp(maps->map[i].dm_name, own) && !maps->map[i].incoming &&
		    !memcmp(maps->map[i].image_uuid, e->uuid, PFS_UUID_LEN))
			return &maps->map[i];
	return NULL;
}

int pfs_image_own_device(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 struct pfs_error *err)
{
	const struct pfs_live_maps *maps;

	if (!pfs_image_active(e, NULL))
		return 0;
	maps = pfs_live_of(pool, err);
	if (!maps)
		return -1;
	if (pfs_image_own_map(maps, e))
		return 1;
	return pfs_fail(err, PFS_EXIT_BUSY,
			"/dev/mapper/" PFS_DM_PREFIX "%s maps another image (another pool's %s?); rename one of them",
			e->name, e->name);
}

bool pfs_image_maps_here(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	struct pfs_error ignored = { 0 };

	return pfs_image_own_device(pool, e, &ignored) > 0;
}

enum pfs_image_state pfs_image_state(const struct pfs_pool_handle *pool,
				     const struct pfs_image_entry *e, int *open_count)
{
	struct pfs_dm_info info;

	*open_count = 0;
	if (!pfs_image_dm_info(e, &info))
		return PFS_IMAGE_INACTIVE;
	if (!pfs_image_maps_here(pool, e))
		return PFS_IMAGE_FOREIGN;
	*open_count = info.open_count;
	if (info.suspended)
		return PFS_IMAGE_SUSPENDED;
	return info.open_count ? PFS_IMAGE_OPEN : PFS_IMAGE_ACTIVE;
}

const char *pfs_image_state_name(enum pfs_image_state state)
{
	static const char *const names[] = {
		[PFS_IMAGE_INACTIVE] = "inactive",
		[PFS_IMAGE_ACTIVE] = "active",
		[PFS_IMAGE_OPEN] = "open",
		[PFS_IMAGE_SUSPENDED] = "suspended",
		[PFS_IMAGE_FOREIGN] = "foreign",
	};

	return names[state];
}

uint64_t pfs_image_copy_done(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	struct pfs_error ignored = { 0 };
	const struct pfs_live_maps *maps;
	const struct pfs_live_map *m;

	uint64_t done = le64_to_cpu(e->copy_done);
	bool back = le32_to_cpu(e->flags) & PFS_IMAGE_MOVING_BACK;

	if (!(le32_to_cpu(e->flags) & PFS_IMAGE_COPYING))
		return 0;
	maps = pfs_live_of(pool, &ignored);
	m = maps ? pfs_image_own_map(maps, e) : NULL;
	/* The device may be ahead of the table: up, or down going back. */
	if (m && m->copy_dest == le64_to_cpu(e->copy_dest) &&
	    (back ? m->copy_done < done : m->copy_done > done))
		done = m->copy_done;
	/* Going back, what is done is what is no longer on the destination. */
	return back ? le64_to_cpu(e->length) - done : done;
}
