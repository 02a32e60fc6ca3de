// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "crashpoint.h"
#include "dm.h"
#include "freespace.h"
#include "image.h"
#include "live.h"
#include "move.h"
#include "txn.h"

/* How often the copy's progress is read and committed. */
#define PFS_MOVE_POLL_MS	200

/* The copy's unit: 1 MiB, more for a huge image (at most 2^20 regions). */
static uint32_t pfs_move_region(uint64_t len)
{
	uint32_t region = 2048;

	while ((uint64_t)region << 20 < len && region < PFS_COPY_REGION_MAX)
		region <<= 1;
	return region;
}

/* Is [dest, dest + len) free, aligned and inside one free extent? */
static int pfs_move_check_dest(const struct pfs_pool_handle *pool, uint64_t dest, uint64_t len,
			       struct pfs_error *err)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;

	if (dest % le64_to_cpu(pool->sb->align_sectors))
		return pfs_fail(err, PFS_EXIT_ARGS, "sector %llu is not aligned to the pool's %llu sectors",
				(unsigned long long)dest,
				(unsigned long long)le64_to_cpu(pool->sb->align_sectors));
	for (i = 0; i < n; i++)
		if (dest >= gaps[i].start && dest - gaps[i].start <= gaps[i].len &&
		    len <= gaps[i].len - (dest - gaps[i].start))
			return 0;
	return pfs_fail(err, PFS_EXIT_NOSPACE,
			"sectors %llu+%llu are not free (see pfsadm list --free)",
			(unsigned long long)dest, (unsigned long long)len);
}

/* Record the move in the table: the destination is the image's too now. */
static int pfs_move_begin(struct pfs_pool_handle *pool, struct pfs_image_entry *e, uint64_t dest,
			  struct pfs_error *err)
{
	uint64_t len = le64_to_cpu(e->length);

	if (!dest && pfs_alloc_best_fit(pool, len, &dest))
		return pfs_fail(err, PFS_EXIT_NOSPACE,
				"no free extent holds %s (%llu sectors; see pfsadm list --free)",
				e->name, (unsigned long long)len);
	if (pfs_move_check_dest(pool, dest, len, err) ||
	    pfs_image_check_unmapped(pool, NULL, dest, len, err))
		return -1;
	e->flags = cpu_to_le32(le32_to_cpu(e->flags) | PFS_IMAGE_MOVING);
	e->copy_dest = cpu_to_le64(dest);
	e->copy_done = 0;
	e->copy_region = cpu_to_le32(pfs_move_region(len));
	if (pfs_pool_commit(pool, err)) {
		e->flags = cpu_to_le32(le32_to_cpu(e->flags) & ~PFS_IMAGE_MOVING);
		e->copy_dest = 0;
		e->copy_region = 0;
		return -1;
	}
	pfs_crash_point("move-begun");
	return 0;
}

/* The live copy of @e's own device, fresh from the kernel. */
static int pfs_move_live(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 struct pfs_live_map *out, struct pfs_error *err)
{
	const struct pfs_live_map *m;
	struct pfs_live_maps maps;
	int r = 0;

	if (pfs_live_read(pool->sb->pool_uuid, &maps, err))
		return -1;
	m = pfs_image_own_map(&maps, e);
	if (!m || !m->copy_dest)
		r = pfs_fail(err, PFS_EXIT_DEVICE, "%s's device is not copying", e->name);
	else if (m->copy_failed)
		r = pfs_fail(err, PFS_EXIT_DEVICE,
			     "%s: the copy failed (I/O error; see dmesg); pfsadm move %s retries",
			     e->name, e->name);
	else
		*out = *m;
	pfs_live_free(&maps);
	return r;
}

/* Is @e's own device copying already (a move resumed)? */
static bool pfs_move_copying(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	struct pfs_error ignored = { 0 };
	struct pfs_live_map m;

	return !pfs_move_live(pool, e, &m, &ignored) &&
	       m.copy_dest == le64_to_cpu(e->copy_dest);
}

static void pfs_move_sleep(void)
{
	struct timespec ts = { 0, PFS_MOVE_POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Follow the copy to its end, committing its progress as it goes; the
 * lock is let go between commits. On return the lock is held, and the
 * table says the whole image is on its destination.
 */
static int pfs_move_follow(struct pfs_pool_handle *pool, const char *name, bool progress,
			   struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(pool, name);
	char dm_name[PFS_NAME_LEN + 8], msg[64];
	struct pfs_live_map m = { 0 };
	struct pfs_txn_hold h;
	uint64_t len = le64_to_cpu(e->length), region = le32_to_cpu(e->copy_region);

	pfs_image_dm_name(e, dm_name, sizeof(dm_name));
	for (;;) {
		if (pfs_move_live(pool, e, &m, err))
			return -1;
		/* What the target has copied, in whole regions or all of it. */
		if (m.copy_done != len)
			m.copy_done -= m.copy_done % region;
		if (m.copy_done > le64_to_cpu(e->copy_done)) {
			e->copy_done = cpu_to_le64(m.copy_done);
			if (pfs_pool_commit(pool, err))
				return -1;
			pfs_crash_point("move-progress");
			snprintf(msg, sizeof(msg), "copy_committed %llu",
				 (unsigned long long)m.copy_done);
			if (pfs_dm_message(dm_name, msg, err))
				return -1;
		}
		if (progress)
			fprintf(stderr, "\rmoving %s: %3u%%", name,
				(unsigned int)(le64_to_cpu(e->copy_done) * 100 / len));
		if (le64_to_cpu(e->copy_done) == len)
			break;
		if (pfs_txn_hold(pool, 0, 0, false, &h, err))
			return -1;
		pfs_move_sleep();
		if (pfs_txn_unhold(pool, &h, err))
			return -1;
		e = pfs_pool_find(pool, name);
		if (!e || !(le32_to_cpu(e->flags) & PFS_IMAGE_MOVING))
			return pfs_fail(err, PFS_EXIT_BUSY, "%s changed while it moved", name);
	}
	if (progress)
		fputc('\n', stderr);
	return 0;
}

/* One commit: the image is on its destination; the source is free, dirty. */
static int pfs_move_switch(struct pfs_pool_handle *pool, struct pfs_image_entry *e,
			   struct pfs_error *err)
{
	uint64_t source = le64_to_cpu(e->start), len = le64_to_cpu(e->length);
	struct pfs_image_entry saved = *e;

	e->start = e->copy_dest;
	e->flags = cpu_to_le32(le32_to_cpu(e->flags) & ~PFS_IMAGE_MOVING);
	e->copy_dest = 0;
	e->copy_done = 0;
	e->copy_region = 0;
	if (pfs_free_mark_dirty(pool->table, source, len)) {
		*e = saved;
		return pfs_fail(err, PFS_EXIT_NOSPACE, "no free-space record left for %s's old extent",
				e->name);
	}
	if (pfs_pool_commit(pool, err)) {
		*e = saved;
		return -1;
	}
	pfs_crash_point("move-switched");
	return 0;
}

int pfs_image_move(struct pfs_pool_handle *pool, const char *name, uint64_t dest,
		   bool progress, uint64_t *to, struct pfs_error *err)
{
	struct pfs_image_entry *e;
	bool changed, activated = false;
	int own = pfs_image_claim(pool, name, &e, err);

	if (own < 0)
		return -1;
	if (le32_to_cpu(e->flags) & PFS_IMAGE_MOVING) {
		/* A move under way (this one cut short, or another's): finish it. */
		if (dest && dest != le64_to_cpu(e->copy_dest))
			return pfs_fail(err, PFS_EXIT_BUSY, "%s is already moving to sector %llu",
					name, (unsigned long long)le64_to_cpu(e->copy_dest));
	} else if (own && !pfs_txn_refresh(pool, name, &changed, err) && changed) {
		/* A move that was switched but not reloaded: that was all. */
		*to = le64_to_cpu(pfs_pool_find(pool, name)->start);
		return 0;
	} else if (err->code != PFS_EXIT_OK || pfs_move_begin(pool, e, dest, err)) {
		return -1;
	}
	/* The target copies: a device that is copying, or one made for it. */
	e = pfs_pool_find(pool, name);
	if (own ? !pfs_move_copying(pool, e) && pfs_image_reload(pool, e, err) :
	    pfs_image_activate(pool, e, err))
		return -1;
	activated = !own;
	if (pfs_move_follow(pool, name, progress, err))
		return -1;
	e = pfs_pool_find(pool, name);
	*to = le64_to_cpu(e->copy_dest);
	if (pfs_move_switch(pool, e, err) || pfs_image_reload(pool, e, err))
		return -1;
	return activated ? pfs_image_deactivate(e, err) : 0;
}
