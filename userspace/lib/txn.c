// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "crashpoint.h"
#include "move.h"
#include "dm.h"
#include "freespace.h"
#include "image.h"
#include "image-lease.h"
#include "live.h"
#include "lock.h"
#include "pool-move.h"
#include "size.h"
#include "txn.h"
#include "zero.h"

static bool pfs_txn_show_progress;

void pfs_txn_progress(bool on)
{
	pfs_txn_show_progress = on;
}

static struct pfs_image_entry *pfs_txn_find(struct pfs_pool_handle *pool, const char *name,
					    struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(pool, name);

	if (!e)
		pfs_fail(err, PFS_EXIT_DEVICE, "no image named %s", name);
	return e;
}

/* The image, unless it is moving (its size and extents are the move's). */
static struct pfs_image_entry *pfs_txn_find_still(struct pfs_pool_handle *pool,
						  const char *name, struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_txn_find(pool, name, err);

	if (e && (le32_to_cpu(e->flags) & PFS_IMAGE_MOVING)) {
		pfs_fail(err, PFS_EXIT_BUSY, "%s is moving; pfsadm move %s finishes the move first",
			 name, name);
		return NULL;
	}
	if (e && (le32_to_cpu(e->flags) & (PFS_IMAGE_CLONING | PFS_IMAGE_CLONE))) {
		pfs_fail(err, PFS_EXIT_BUSY,
			 "%s is being cloned or is a clone being made; pfsadm clone finishes it first",
			 name);
		return NULL;
	}
	if (e && (le32_to_cpu(e->flags) & PFS_IMAGE_POOL_MOVE)) {
		pfs_fail(err, PFS_EXIT_BUSY,
			 "%s is moving between pools; pfsadm move %s --to-pool finishes it, --abort undoes it",
			 name, name);
		return NULL;
	}
	return e;
}

/*
 * Persist the table the caller has just put back after a failed step. The
 * caller's error stays the one reported; this one is only printed.
 */
static int pfs_txn_rollback(struct pfs_pool_handle *pool, const char *what)
{
	struct pfs_error rollback = { 0 };

	if (!pfs_pool_commit(pool, &rollback))
		return 0;
	fprintf(stderr, "pfsadm %s: rollback failed: %s\n", what, rollback.msg);
	return -1;
}

int pfs_txn_hold(struct pfs_pool_handle *pool, uint64_t start, uint64_t len, bool dirty,
		 struct pfs_txn_hold *h, struct pfs_error *err)
{
	h->zeroing = -1;
	h->start = start;
	h->len = len;
	if (len) {
		h->zeroing = pfs_lock_zeroing(pool->sb->pool_uuid, err);
		if (h->zeroing < 0)
			return -1;
		if ((dirty && pfs_free_mark_dirty(pool->table, start, len)) ||
		    pfs_free_reserve(pool->table, start, len, pool->host_id)) {
			close(h->zeroing);
			return pfs_fail(err, PFS_EXIT_NOSPACE,
					"no free-space record left to reserve sectors %llu+%llu",
					(unsigned long long)start, (unsigned long long)len);
		}
		if (pfs_pool_commit(pool, err)) {
			close(h->zeroing);
			return -1;
		}
	}
	pfs_pool_unlock(pool);
	return 0;
}

int pfs_txn_unhold(struct pfs_pool_handle *pool, struct pfs_txn_hold *h, struct pfs_error *err)
{
	int r = 0;

	if (pfs_pool_relock(pool, err))
		r = -1;
	else if (h->len && !pfs_free_release(pool->table, h->start, h->len))
		r = pfs_fail(err, PFS_EXIT_BUSY,
			     "the reservation of sectors %llu+%llu is gone from the table",
			     (unsigned long long)h->start, (unsigned long long)h->len);
	if (h->zeroing >= 0)
		close(h->zeroing);
	return r;
}

/*
 * Make [start, start + len), free space in pool->table, clean. If any of
 * it is dirty: hold it (reserved and committed, with whatever else the
 * caller changed, the lock let go), zero the dirty parts, then unhold it
 * and mark it clean. On return the lock is held and pool->table is the
 * current table, changed but not committed; entry pointers from before
 * are stale. A crash anywhere leaves the space dirty; its reservation
 * lapses with this process (lock.h).
 */
static int pfs_txn_zero_free(struct pfs_pool_handle *pool, uint64_t start, uint64_t len,
			     struct pfs_error *err)
{
	struct pfs_extent parts[PFS_MAX_FREE_RECORDS];
	unsigned int n = pfs_free_dirty_parts(pool->table, start, len, parts), i;
	struct pfs_error unhold_err = { 0 };
	struct pfs_txn_hold hold;
	int r = 0;

	if (!n)
		return 0;
	if (pfs_txn_hold(pool, start, len, false, &hold, err))
		return -1;
	pfs_crash_point("zeroing-reserved");
	for (i = 0; i < n && !r; i++)
		r = pfs_zero_range(pool->fd, parts[i].start, parts[i].len,
				   pfs_txn_show_progress, err);
	pfs_crash_point("zeroing-done");
	if (pfs_txn_unhold(pool, &hold, r ? &unhold_err : err))
		return -1;
	if (r) {
		/* Still dirty; the reservation must not outlive us. */
		pfs_txn_rollback(pool, "zeroing");
		return -1;
	}
	pfs_free_mark_clean(pool->table, start, len);
	return 0;
}

static void pfs_txn_store_qos(const struct pfs_qos *q, struct pfs_image_entry *e)
{
	if (q->has_weight)
		e->weight = cpu_to_le32((uint32_t)q->weight);
	if (q->has_iops)
		e->iops_max = cpu_to_le64(q->iops);
	if (q->has_bps)
		e->bps_max = cpu_to_le64(q->bps);
}

/* What create can refuse before any write, given the current table. */
static int pfs_txn_create_check(struct pfs_pool_handle *pool, const char *name,
				struct pfs_error *err)
{
	if (pfs_pool_find(pool, name))
		return pfs_fail(err, PFS_EXIT_BUSY, "image %s already exists", name);
	if (!pfs_pool_free_slot(pool))
		return pfs_fail(err, PFS_EXIT_NOSPACE, "pool holds %d images already",
				PFS_MAX_IMAGES);
	return 0;
}

int pfs_txn_create(struct pfs_pool_handle *pool, const char *name, uint64_t sectors,
		   const struct pfs_qos *qos, struct pfs_error *err)
{
	struct pfs_image_entry *e, probe = { 0 };
	char params[PFS_IMAGE_PARAMS_LEN], b1[32], b2[32];
	uint64_t start;

	if (!pfs_image_name_ok(name, err) || pfs_txn_create_check(pool, name, err))
		return -1;
	if (pfs_alloc_best_fit(pool, sectors, &start))
		return pfs_fail(err, PFS_EXIT_NOSPACE,
				"no free extent of %s: the largest free extent is %s (see pfsadm list --free)",
				pfs_format_sectors(sectors, b1, sizeof(b1)),
				pfs_format_size(pfs_largest_free(pool) << PFS_SECTOR_SHIFT, b2,
						sizeof(b2)));
	snprintf(probe.name, sizeof(probe.name), "%s", name);
	probe.start = cpu_to_le64(start);
	probe.length = cpu_to_le64(sectors);
	if (pfs_image_active(&probe, NULL))
		return pfs_fail(err, PFS_EXIT_BUSY, "/dev/mapper/" PFS_DM_PREFIX "%s already exists",
				name);
	/* Fail before any write if the device cannot be made at all, or if
	 * a device left behind still maps the space. */
	if (pfs_image_params(pool, &probe, params, sizeof(params), err) ||
	    pfs_image_check_unmapped(pool, NULL, start, sectors, err))
		return -1;
	/* A new tenant never sees a former one's data. */
	if (pfs_txn_zero_free(pool, start, sectors, err) ||
	    pfs_txn_create_check(pool, name, err))
		return -1;

	e = pfs_pool_free_slot(pool);
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	uuid_generate(e->uuid);
	e->start = cpu_to_le64(start);
	e->length = cpu_to_le64(sectors);
	e->ctime = cpu_to_le64((uint64_t)time(NULL));
	e->weight = cpu_to_le32(PFS_DEFAULT_WEIGHT);
	pfs_txn_store_qos(qos, e);
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
	if (pfs_image_lease_init(pool, e, err) || pfs_pool_commit(pool, err)) {
		memset(e, 0, sizeof(*e));
		return -1;
	}
	if (pfs_image_activate(pool, e, err)) {
		memset(e, 0, sizeof(*e));	/* the space stays clean */
		pfs_txn_rollback(pool, "create");
		return -1;
	}
	pfs_image_remember(pool, e);
	return 0;
}

int pfs_txn_remove(struct pfs_pool_handle *pool, const char *name, bool wipe,
		   struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(pool, name);
	uint64_t start, len;

	/* A clone still being made: removing it abandons the clone. */
	if (e && (le32_to_cpu(e->flags) & PFS_IMAGE_CLONE))
		return pfs_clone_abandon(pool, e, err);
	/* So does an extent held for a move from another pool. */
	if (e && (le32_to_cpu(e->flags) & PFS_IMAGE_INCOMING))
		return pfs_incoming_abandon(pool, name, err);
	e = pfs_txn_find_still(pool, name, err);
	if (!e)
		return -1;
	start = le64_to_cpu(e->start);
	len = le64_to_cpu(e->length);
	/*
	 * Its own device only: pfs-NAME may be another pool's image. In a
	 * shared pool, no other host may have it active either.
	 */
	if ((pfs_image_maps_here(pool, e) && pfs_image_deactivate(pool, e, err)) ||
	    pfs_image_check_unmapped(pool, e, start, len, err) ||
	    pfs_image_lease_unheld(pool, e, err))
		return -1;
	/*
	 * One commit frees the extent as dirty space (and, to wipe it now,
	 * reserves it): whatever happens next, nobody reads its data.
	 */
	memset(e, 0, sizeof(*e));
	if (pfs_free_mark_dirty(pool->table, start, len))
		return pfs_fail(err, PFS_EXIT_NOSPACE, "no free-space record left for %s's extent",
				name);
	if (!wipe)
		return pfs_pool_commit(pool, err);
	if (pfs_txn_zero_free(pool, start, len, err))
		return -1;
	return pfs_pool_commit(pool, err);
}

/*
 * After a failed reload, what is live? The metadata must never claim less
 * than the device maps.
 */
static uint64_t pfs_txn_live_sectors(const struct pfs_image_entry *e, uint64_t fallback)
{
	char name[PFS_NAME_LEN + 8];
	struct pfs_error ignored = { 0 };
	uint64_t live;

	pfs_image_dm_name(e, name, sizeof(name));
	return pfs_dm_live_sectors(name, &live, &ignored) ? fallback : live;
}

/* The image, found again after the lock was let go: is it unchanged? */
static struct pfs_image_entry *pfs_txn_refind(struct pfs_pool_handle *pool,
					      const struct pfs_image_entry *was,
					      struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(pool, was->name);

	if (!e || memcmp(e->uuid, was->uuid, PFS_UUID_LEN) || e->start != was->start ||
	    e->length != was->length) {
		pfs_fail(err, PFS_EXIT_BUSY, "%s was changed by another command meanwhile",
			 was->name);
		return NULL;
	}
	return e;
}

static int pfs_txn_grow_room(struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			     uint64_t len, struct pfs_error *err)
{
	uint64_t start = le64_to_cpu(e->start), old = le64_to_cpu(e->length);
	uint64_t room = pfs_free_after(pool, start, old);
	const struct pfs_image_entry *all = pfs_table_entries(pool->table);
	const char *next = "the end of the pool";
	char b1[32], b2[32];
	int i;

	if (len - old <= room)
		return 0;
	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if ((le32_to_cpu(all[i].flags) & PFS_IMAGE_IN_USE) &&
		    le64_to_cpu(all[i].start) == start + old + room)
			next = all[i].name;
	if (start + old + room < pfs_data_end(pool->sb) &&
	    !strcmp(next, "the end of the pool"))
		next = "space another command is zeroing";
	return pfs_fail(err, PFS_EXIT_NOSPACE,
			"cannot grow %s in place to %s: only %s free after it, then %s",
			e->name, pfs_format_sectors(len, b1, sizeof(b1)),
			pfs_format_size(room << 9, b2, sizeof(b2)), next);
}

/*
 * Grow: zero the new space first, then commit, so a crash leaves the
 * bigger extent reserved; then reload the live device. If the reload
 * fails and the device still maps the old size, the table goes back.
 */
static int pfs_txn_grow(struct pfs_pool_handle *pool, struct pfs_image_entry *e, uint64_t len,
			struct pfs_error *err)
{
	struct pfs_image_entry was = *e;
	uint64_t old = le64_to_cpu(e->length), live;
	sigset_t sigs;
	int r = -1;

	if (pfs_txn_zero_free(pool, le64_to_cpu(e->start) + old, len - old, err))
		return -1;
	e = pfs_txn_refind(pool, &was, err);
	if (!e) {
		pfs_txn_rollback(pool, "resize");	/* commit the clean space */
		return -1;
	}
	e->length = cpu_to_le64(len);
	pfs_signals_block(&sigs);
	if (pfs_pool_commit(pool, err))
		goto out;
	pfs_crash_point("grow-committed");
	r = 0;
	if (!pfs_image_maps_here(pool, e) || !pfs_image_reload(pool, e, err))
		goto out;
	live = pfs_txn_live_sectors(e, len);
	if (live == len) {
		memset(err, 0, sizeof(*err));	/* the new table went live after all */
		goto out;
	}
	r = -1;
	if (live == old) {
		e->length = cpu_to_le64(old);
		pfs_txn_rollback(pool, "resize");
	}
out:
	pfs_signals_restore(&sigs);
	return r;
}

/*
 * Shrink: the live device first, so the table never calls free what a
 * device still maps; then one commit of the new length with the tail
 * marked dirty; then the tail is zeroed without the lock. A crash before
 * the commit leaves the image at its old size in the table and its device
 * smaller; after it, the tail dirty: both safe.
 */
static int pfs_txn_shrink(struct pfs_pool_handle *pool, struct pfs_image_entry *e, uint64_t len,
			  struct pfs_error *err)
{
	uint64_t old = le64_to_cpu(e->length), start = le64_to_cpu(e->start);
	sigset_t sigs;
	int r = -1;

	e->length = cpu_to_le64(len);
	pfs_signals_block(&sigs);
	if (pfs_image_maps_here(pool, e) && pfs_image_reload(pool, e, err)) {
		if (pfs_txn_live_sectors(e, old) != len)
			goto out;	/* still the old size: nothing changed */
		memset(err, 0, sizeof(*err));	/* the new table went live after all */
	}
	pfs_crash_point("shrink-reloaded");
	if (pfs_free_mark_dirty(pool->table, start + len, old - len)) {
		pfs_fail(err, PFS_EXIT_NOSPACE, "no free-space record left for the freed tail");
		goto out;
	}
	pfs_signals_restore(&sigs);
	if (pfs_txn_zero_free(pool, start + len, old - len, err))
		return -1;
	return pfs_pool_commit(pool, err);
out:
	pfs_signals_restore(&sigs);
	return r;
}

int pfs_txn_resize(struct pfs_pool_handle *pool, const char *name, uint64_t len,
		   bool *changed, struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_txn_find_still(pool, name, err);
	uint64_t old;

	*changed = false;
	if (!e)
		return -1;
	/* Another host's device would not follow the new length. */
	if (pfs_image_lease_local(pool, e, err))
		return -1;
	old = le64_to_cpu(e->length);
	if (len == old) {
		/* An interrupted grow leaves the device smaller than the table. */
		if (!pfs_image_maps_here(pool, e) || pfs_txn_live_sectors(e, len) == len)
			return 0;
		*changed = true;
		return pfs_image_reload(pool, e, err);
	}
	*changed = true;
	if (len > old && pfs_txn_grow_room(pool, e, len, err))
		return -1;
	if (pfs_image_check_unmapped(pool, e, le64_to_cpu(e->start), len > old ? len : old, err))
		return -1;
	return len > old ? pfs_txn_grow(pool, e, len, err) : pfs_txn_shrink(pool, e, len, err);
}

/* Put @name into @e's name field, NUL-padded as the table keeps names. */
static void pfs_txn_set_name(struct pfs_image_entry *e, const char *name)
{
	memset(e->name, 0, sizeof(e->name));
	snprintf(e->name, sizeof(e->name), "%s", name);
}

int pfs_txn_rename(struct pfs_pool_handle *pool, const char *name, const char *new_name,
		   struct pfs_error *err)
{
	struct pfs_image_entry *e, probe = { 0 };
	char from[PFS_NAME_LEN + 8], to[PFS_NAME_LEN + 8];
	int own = pfs_image_claim(pool, name, &e, err);

	if (own < 0 || !pfs_image_name_ok(new_name, err))
		return -1;
	/* The other pool knows it by its name. */
	if (le32_to_cpu(e->flags) & PFS_IMAGE_POOL_MOVE)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is moving between pools; rename it after the move", name);
	if (!strcmp(name, new_name))
		return pfs_fail(err, PFS_EXIT_ARGS, "%s is already named %s", name, new_name);
	if (pfs_pool_find(pool, new_name))
		return pfs_fail(err, PFS_EXIT_BUSY, "image %s already exists", new_name);
	pfs_txn_set_name(&probe, new_name);
	if (pfs_image_active(&probe, NULL))
		return pfs_fail(err, PFS_EXIT_BUSY,
				"/dev/mapper/" PFS_DM_PREFIX "%s already exists", new_name);
	pfs_image_dm_name(e, from, sizeof(from));
	pfs_txn_set_name(e, new_name);
	pfs_image_dm_name(e, to, sizeof(to));
	if (pfs_pool_commit(pool, err)) {
		pfs_txn_set_name(e, name);
		return -1;
	}
	pfs_crash_point("rename-committed");
	if (!own)
		return 0;
	pfs_live_forget();
	if (pfs_dm_rename(from, to, err)) {
		pfs_txn_set_name(e, name);
		pfs_txn_rollback(pool, "rename");
		return -1;
	}
	pfs_crash_point("rename-device");
	return pfs_image_reload(pool, e, err);
}

/*
 * Is @m pfsadm's own device for @e (by dm UUID), but not named pfs-NAME?
 * The dm UUID's pool part is the pool it was activated from: an image
 * moved to another pool since keeps it, so only the image part counts.
 */
static bool pfs_txn_renamed_device(const struct pfs_pool_handle *pool,
				   const struct pfs_image_entry *e, const struct pfs_live_map *m)
{
	char own[PFS_NAME_LEN + 8], uuid[128];
	struct pfs_error ignored = { 0 };
	struct pfs_dm_info info;
	const char *mine, *theirs;

	pfs_image_dm_name(e, own, sizeof(own));
	pfs_image_dm_uuid(pool, e, uuid, sizeof(uuid));
	if (!strcmp(m->dm_name, own) || memcmp(m->image_uuid, e->uuid, PFS_UUID_LEN) ||
	    pfs_dm_info(m->dm_name, &info, &ignored))
		return false;
	mine = strrchr(uuid, '-');
	theirs = strrchr(info.uuid, '-');
	return !strncmp(info.uuid, PFS_DM_UUID_PREFIX, strlen(PFS_DM_UUID_PREFIX)) && theirs &&
	       !strcmp(theirs, mine);
}

/*
 * pfsadm's own device for @e under another name (a rename cut short):
 * give it the table's name. 1 if renamed, 0 if there was none, -1 on error.
 */
static int pfs_txn_refresh_name(struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
				const struct pfs_live_maps *maps, struct pfs_error *err)
{
	char own[PFS_NAME_LEN + 8];
	unsigned int i;

	pfs_image_dm_name(e, own, sizeof(own));
	for (i = 0; i < maps->n; i++) {
		const struct pfs_live_map *m = &maps->map[i];

		/* A map made by hand under another name is not pfsadm's to rename. */
		if (!pfs_txn_renamed_device(pool, e, m))
			continue;
		if (pfs_image_active(e, NULL))
			return pfs_fail(err, PFS_EXIT_BUSY,
					"/dev/mapper/%s (the image's device under its old name) and /dev/mapper/%s both exist",
					m->dm_name, own);
		pfs_live_forget();
		return pfs_dm_rename(m->dm_name, own, err) ? -1 : 1;
	}
	return 0;
}

/* Does the live table of @e's device name another image (the old name)? */
static bool pfs_txn_table_names_other(const struct pfs_image_entry *e)
{
	char dm_name[PFS_NAME_LEN + 8], params[PFS_IMAGE_PARAMS_LEN], live_name[PFS_NAME_LEN];
	struct pfs_error ignored = { 0 };
	uint64_t sectors;

	pfs_image_dm_name(e, dm_name, sizeof(dm_name));
	if (pfs_dm_live_table(dm_name, &sectors, params, sizeof(params), &ignored) ||
	    sscanf(params, "%*s %127s", live_name) != 1)
		return false;
	return strcmp(live_name, e->name) != 0;
}

int pfs_txn_refresh(struct pfs_pool_handle *pool, const char *name, bool *changed,
		    struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_txn_find(pool, name, err);
	const struct pfs_live_map *m;
	struct pfs_live_maps maps;
	int r = 0;

	*changed = false;
	if (!e || pfs_live_read(pool->sb->pool_uuid, &maps, err))
		return -1;
	r = pfs_txn_refresh_name(pool, e, &maps, err);
	if (r) {
		pfs_live_free(&maps);
		if (r < 0 || pfs_live_read(pool->sb->pool_uuid, &maps, err))
			return -1;
		*changed = true;
		r = 0;
	}
	m = pfs_image_own_map(&maps, e);
	if (!m)
		r = pfs_fail(err, PFS_EXIT_DEVICE, "%s is not active here", name);
	else if (pfs_live_moved_to(m, le64_to_cpu(e->start)))
		*changed = true;	/* a finished move: its table line still names the source */
	else if (pfs_live_copy_ended(m, le64_to_cpu(e->start), le32_to_cpu(e->flags)))
		*changed = true;	/* an undone move or a clone, ended: it still copies */
	else if (m->start != le64_to_cpu(e->start))
		r = pfs_fail(err, PFS_EXIT_BUSY,
			     "/dev/mapper/%s maps sector %llu, the table says %llu: reloading would swap the VM's disk; deactivate and activate it",
			     m->dm_name, (unsigned long long)m->start,
			     (unsigned long long)le64_to_cpu(e->start));
	else if (m->sectors != le64_to_cpu(e->length) &&
		 !pfs_image_check_unmapped(pool, e, m->start,
					   le64_to_cpu(e->length) > m->sectors ?
					   le64_to_cpu(e->length) : m->sectors, err))
		*changed = true;
	else if (m->sectors != le64_to_cpu(e->length))
		r = -1;
	else if (pfs_txn_table_names_other(e))
		*changed = true;
	pfs_live_free(&maps);
	if (!r && *changed)
		r = pfs_image_reload(pool, e, err);
	/* No copy left: a device a run cut short made for one goes now. */
	if (!r && !(le32_to_cpu(e->flags) & PFS_COPY_KIND_FLAGS))
		r = pfs_image_copy_ended(pool, e, false, err);
	return r;
}

int pfs_live_compare(const struct pfs_pool_handle *pool, struct pfs_live_diff *out, unsigned int max,
		     unsigned int *count, struct pfs_error *err)
{
	const struct pfs_image_entry *all = pfs_table_entries(pool->table), *e;
	struct pfs_live_maps maps;
	unsigned int i, j;

	*count = 0;
	if (pfs_live_read(pool->sb->pool_uuid, &maps, err))
		return -1;
	for (i = 0; i < maps.n && *count < max; i++) {
		const struct pfs_live_map *m = &maps.map[i];
		char *what = out[*count].what;

		e = NULL;
		for (j = 0; j < PFS_MAX_IMAGES && !e; j++)
			if ((le32_to_cpu(all[j].flags) & PFS_IMAGE_IN_USE) &&
			    !memcmp(all[j].uuid, m->image_uuid, PFS_UUID_LEN))
				e = &all[j];
		if (!e)
			snprintf(what, sizeof(out->what),
				 "/dev/mapper/%s maps sectors %llu+%llu of an image the table does not hold",
				 m->dm_name, (unsigned long long)m->start,
				 (unsigned long long)m->sectors);
		else if (pfs_live_moved_to(m, le64_to_cpu(e->start)))
			snprintf(what, sizeof(out->what),
				 "/dev/mapper/%s has moved %s to sector %llu and still names the source (pfsadm refresh %s)",
				 m->dm_name, e->name, (unsigned long long)m->copy_dest, e->name);
		else if (pfs_live_copy_ended(m, le64_to_cpu(e->start), le32_to_cpu(e->flags)))
			snprintf(what, sizeof(out->what),
				 "/dev/mapper/%s still copies %s to sector %llu, the table says the copy has ended (pfsadm refresh %s)",
				 m->dm_name, e->name, (unsigned long long)m->copy_dest, e->name);
		else if (m->start != le64_to_cpu(e->start))
			snprintf(what, sizeof(out->what),
				 "/dev/mapper/%s maps %s at sector %llu, the table says %llu",
				 m->dm_name, e->name, (unsigned long long)m->start,
				 (unsigned long long)le64_to_cpu(e->start));
		else if (m->sectors != le64_to_cpu(e->length))
			snprintf(what, sizeof(out->what),
				 "/dev/mapper/%s maps %llu sectors of %s, the table says %llu (pfsadm refresh %s)",
				 m->dm_name, (unsigned long long)m->sectors, e->name,
				 (unsigned long long)le64_to_cpu(e->length), e->name);
		else if (pfs_txn_renamed_device(pool, e, m))
			snprintf(what, sizeof(out->what),
				 "/dev/mapper/%s is %s's device under another name (pfsadm refresh %s)",
				 m->dm_name, e->name, e->name);
		else
			continue;
		(*count)++;
	}
	pfs_live_free(&maps);
	return 0;
}

static int pfs_txn_apply_qos(const struct pfs_image_entry *e, struct pfs_error *err)
{
	char name[PFS_NAME_LEN + 8], msg[64];

	pfs_image_dm_name(e, name, sizeof(name));
	snprintf(msg, sizeof(msg), "weight %u", le32_to_cpu(e->weight));
	if (pfs_dm_message(name, msg, err))
		return -1;
	snprintf(msg, sizeof(msg), "iops_max %llu", (unsigned long long)le64_to_cpu(e->iops_max));
	if (pfs_dm_message(name, msg, err))
		return -1;
	snprintf(msg, sizeof(msg), "bps_max %llu", (unsigned long long)le64_to_cpu(e->bps_max));
	return pfs_dm_message(name, msg, err);
}

int pfs_txn_set_qos(struct pfs_pool_handle *pool, const char *name, const struct pfs_qos *qos,
		    struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_txn_find(pool, name, err), old;
	struct pfs_error reapply = { 0 };

	if (!e)
		return -1;
	old = *e;
	pfs_txn_store_qos(qos, e);
	if (pfs_pool_commit(pool, err))
		return -1;
	if (!pfs_image_maps_here(pool, e) || !pfs_txn_apply_qos(e, err))
		return 0;
	*e = old;
	if (!pfs_txn_rollback(pool, "set") && pfs_txn_apply_qos(e, &reapply))
		fprintf(stderr, "pfsadm set: rollback failed: %s\n", reapply.msg);
	return -1;
}

int pfs_txn_clean_offload(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	struct pfs_extent gaps[PFS_MAX_GAPS], parts[PFS_MAX_FREE_RECORDS];
	unsigned int ng = pfs_free_extents(pool, gaps), g, n, i;
	bool dirty = false;

	for (g = 0; g < ng; g++) {
		n = pfs_free_dirty_parts(pool->table, gaps[g].start, gaps[g].len, parts);
		for (i = 0; i < n; i++) {
			dirty = true;
			if (!pfs_zero_offload(pool->fd, parts[i].start, parts[i].len))
				continue;
			if (errno == EOPNOTSUPP || errno == EINVAL || errno == ENODEV)
				return 0;
			return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot zero free space: %s",
					pool->path, strerror(errno));
		}
	}
	if (!dirty)
		return 1;
	for (g = 0; g < ng; g++)
		pfs_free_mark_clean(pool->table, gaps[g].start, gaps[g].len);
	return pfs_pool_commit(pool, err) ? -1 : 1;
}

int pfs_image_claim(struct pfs_pool_handle *pool, const char *name,
		    struct pfs_image_entry **e, struct pfs_error *err)
{
	int own;

	*e = pfs_pool_find(pool, name);
	if (!*e)
		return pfs_fail(err, PFS_EXIT_DEVICE, "no image named %s", name);
	own = pfs_image_own_device(pool, *e, err);
	if (own < 0 || pfs_image_check_unmapped(pool, *e, le64_to_cpu((*e)->start),
						 le64_to_cpu((*e)->length), err) ||
	    pfs_image_lease_local(pool, *e, err))
		return -1;
	return own;
}
