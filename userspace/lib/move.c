// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "crashpoint.h"
#include "dm.h"
#include "freespace.h"
#include "image.h"
#include "image-lease.h"
#include "live.h"
#include "move.h"
#include "pool-move.h"
#include "txn.h"

/*
 * How often the copy's progress is read, and committed. A commit reads and
 * writes both table copies (about 1 MiB): on a device that hands out its
 * rate in ticks (null_blk at 50 MiB/s: 1 MiB per 20 ms) one commit spends
 * a tick, and a light VM's read that follows waits for the next one. Once
 * a second keeps that under 1 % of a light VM's reads, as dm-thin and
 * dm-clone commit their metadata once a second.
 */
#define PFS_MOVE_POLL_MS	200
#define PFS_MOVE_COMMIT_MS	1000

/*
 * The copy's region: 128 KiB, more for a huge image (at most 2^20
 * regions). The image's writes to a region wait while it is copied.
 */
uint32_t pfs_move_region(uint64_t len)
{
	uint32_t region = 256;

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
			     "%s: the copy failed (I/O error; see dmesg); running the same command again retries",
			     e->name);
	else
		*out = *m;
	pfs_live_free(&maps);
	return r;
}

/* Has @e's own device moved it where the table says, and not been reloaded? */
static bool pfs_move_switched(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	struct pfs_error ignored = { 0 };
	const struct pfs_live_map *m;
	struct pfs_live_maps maps;
	bool r;

	if (pfs_live_read(pool->sb->pool_uuid, &maps, &ignored))
		return false;
	m = pfs_image_own_map(&maps, e);
	r = m && pfs_live_moved_to(m, le64_to_cpu(e->start));
	pfs_live_free(&maps);
	return r;
}

/* Is @e's own device copying already, as the table says (a copy resumed)? */
static bool pfs_move_copying(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	struct pfs_error ignored = { 0 };
	struct pfs_live_map m;

	uint32_t flags = le32_to_cpu(e->flags);
	int kind = flags & PFS_IMAGE_CLONING ? PFS_LIVE_COPY_CLONE :
		   flags & PFS_IMAGE_TO_POOL ? PFS_LIVE_COPY_POOL :
		   flags & PFS_IMAGE_MOVING_BACK ? PFS_LIVE_COPY_BACK : PFS_LIVE_COPY_MOVE;

	return !pfs_move_live(pool, e, &m, &ignored) &&
	       m.copy_dest == le64_to_cpu(e->copy_dest) && (int)m.copy_kind == kind &&
	       (kind != PFS_LIVE_COPY_POOL || !memcmp(m.copy_pool, e->copy_pool, PFS_UUID_LEN));
}

/*
 * Until the next commit is due, or the target's copy of @e (unlocked: the
 * table is not read meanwhile) has reached its end, whichever is first. A
 * status that cannot be read ends the wait: the caller reads it again.
 */
static void pfs_move_wait(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			  uint64_t end)
{
	struct timespec ts = { 0, PFS_MOVE_POLL_MS * 1000000L };
	struct pfs_error ignored = { 0 };
	struct pfs_live_map m;
	unsigned int i;

	for (i = 0; i < PFS_MOVE_COMMIT_MS / PFS_MOVE_POLL_MS; i++) {
		nanosleep(&ts, NULL);
		if (pfs_move_live(pool, e, &m, &ignored) || m.copy_done == end)
			return;
	}
}

/*
 * Another command changed @e (found again by @name, or gone) while this
 * one followed its copy of @kind from @start: say what became of it.
 */
static int pfs_copy_lost(const struct pfs_image_entry *e, const char *name, uint32_t kind,
			 uint64_t start, struct pfs_error *err)
{
	uint32_t now = e ? le32_to_cpu(e->flags) & PFS_COPY_KIND_FLAGS : 0;

	/* Going back (pfsadm move --abort), or back already. */
	if (e && kind == PFS_IMAGE_MOVING &&
	    (now & PFS_IMAGE_MOVING_BACK || (!now && le64_to_cpu(e->start) == start)))
		return pfs_fail(err, PFS_EXIT_BUSY, "the move of %s was aborted", name);
	if (e && !now)
		return pfs_fail(err, PFS_EXIT_BUSY, "another command finished the copy of %s", name);
	return pfs_fail(err, PFS_EXIT_BUSY, "%s changed while it was copied", name);
}

/*
 * Follow the copy to its end, committing its progress as it goes; the
 * lock is let go between commits. On return the lock is held, and the
 * table says the copy is complete: all of the image on the destination,
 * or (a move undone) none of it.
 */
int pfs_copy_follow(struct pfs_pool_handle *pool, const struct pfs_pool_handle *dest,
		    const char *name, const char *what, bool progress, struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(pool, name);
	uint32_t kind = le32_to_cpu(e->flags) & PFS_COPY_KIND_FLAGS;
	bool back = kind & PFS_IMAGE_MOVING_BACK;
	char dm_name[PFS_NAME_LEN + 8], msg[64];
	struct pfs_live_map m = { 0 };
	struct pfs_txn_hold h;
	uint64_t len = le64_to_cpu(e->length), region = le32_to_cpu(e->copy_region), done;
	uint64_t start = le64_to_cpu(e->start);

	pfs_image_dm_name(e, dm_name, sizeof(dm_name));
	for (;;) {
		if (pfs_move_live(pool, e, &m, err))
			return -1;
		/* The target's boundary, in whole regions or all of the image. */
		if (m.copy_done != len)
			m.copy_done -= m.copy_done % region;
		done = le64_to_cpu(e->copy_done);
		if (back ? m.copy_done < done : m.copy_done > done) {
			/* What the target copied is durable before the table says so. */
			if (fdatasync(pool->fd) || (dest && fdatasync(dest->fd)))
				return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot flush: %s",
						dest ? dest->path : pool->path, strerror(errno));
			e->copy_done = cpu_to_le64(m.copy_done);
			if (pfs_pool_commit(pool, err))
				return -1;
			pfs_crash_point("copy-progress");
			snprintf(msg, sizeof(msg), "copy_committed %llu",
				 (unsigned long long)m.copy_done);
			if (pfs_dm_message(dm_name, msg, err))
				return -1;
		}
		done = le64_to_cpu(e->copy_done);
		if (progress)
			fprintf(stderr, "\r%s %s: %3u%%", what, name,
				(unsigned int)((back ? len - done : done) * 100 / len));
		if (back ? !done : done == len)
			break;
		if (pfs_txn_hold(pool, 0, 0, false, &h, err))
			return -1;
		pfs_move_wait(pool, e, back ? 0 : len);
		if (pfs_txn_unhold(pool, &h, err))
			return -1;
		e = pfs_pool_find(pool, name);
		if (!e || (le32_to_cpu(e->flags) & PFS_COPY_KIND_FLAGS) != kind)
			return pfs_copy_lost(e, name, kind, start, err);
	}
	if (progress)
		fputc('\n', stderr);
	return 0;
}

void pfs_copy_clear(struct pfs_image_entry *e)
{
	e->flags = cpu_to_le32(le32_to_cpu(e->flags) & ~PFS_COPY_KIND_FLAGS);
	e->copy_dest = 0;
	e->copy_done = 0;
	e->copy_region = 0;
	memset(e->copy_pool, 0, sizeof(e->copy_pool));
}

/*
 * One commit ends @e's copy: the image on its destination (@to_dest, a
 * move) or on its own extent (a move undone, a clone abandoned); the
 * extent it leaves is free and dirty.
 */
static int pfs_copy_end_commit(struct pfs_pool_handle *pool, struct pfs_image_entry *e,
			       bool to_dest, struct pfs_error *err)
{
	uint64_t left = le64_to_cpu(to_dest ? e->start : e->copy_dest), len = le64_to_cpu(e->length);
	struct pfs_image_entry saved = *e;

	if (to_dest)
		e->start = e->copy_dest;
	pfs_copy_clear(e);
	if (pfs_free_mark_dirty(pool->table, left, len)) {
		*e = saved;
		return pfs_fail(err, PFS_EXIT_NOSPACE, "no free-space record left for sectors %llu+%llu",
				(unsigned long long)left, (unsigned long long)len);
	}
	if (pfs_pool_commit(pool, err)) {
		*e = saved;
		return -1;
	}
	return 0;
}

int pfs_copy_device(struct pfs_pool_handle *pool, const char *name, int own,
			   struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(pool, name);

	if (own)
		return pfs_move_copying(pool, e) ? 0 : pfs_image_reload(pool, e, err);
	return pfs_image_activate_for_copy(pool, e, err);
}

int pfs_copy_other(const struct pfs_image_entry *e, uint32_t kind, struct pfs_error *err)
{
	uint32_t flags = le32_to_cpu(e->flags);

	if ((flags & PFS_IMAGE_TO_POOL) && kind != PFS_IMAGE_TO_POOL)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is moving to another pool; pfsadm move %s --to-pool DEVICE finishes it, --abort undoes it",
				e->name, e->name);

	if ((flags & PFS_COPY_KIND_FLAGS) == (PFS_IMAGE_MOVING | PFS_IMAGE_MOVING_BACK) &&
	    kind != (PFS_IMAGE_MOVING | PFS_IMAGE_MOVING_BACK))
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s's move is being undone; pfsadm move --abort %s finishes that",
				e->name, e->name);
	if ((flags & PFS_IMAGE_MOVING) && !(kind & PFS_IMAGE_MOVING))
		return pfs_fail(err, PFS_EXIT_BUSY, "%s is moving; pfsadm move %s finishes it",
				e->name, e->name);
	if ((flags & PFS_IMAGE_CLONING) && kind != PFS_IMAGE_CLONING)
		return pfs_fail(err, PFS_EXIT_BUSY, "%s is being cloned; pfsadm clone finishes it",
				e->name);
	if (flags & PFS_IMAGE_CLONE)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is a clone still being copied; pfsadm clone finishes it", e->name);
	if (flags & PFS_IMAGE_INCOMING)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is being moved here from another pool; pfsadm move finishes it there",
				e->name);
	return 0;
}

/*
 * A move (@forward) or its undoing: follow the copy to its end, end it in
 * one commit, and bring the device (made for the copy unless @own) in
 * line with the table.
 */
static int pfs_move_finish(struct pfs_pool_handle *pool, const char *name, int own,
			   bool forward, bool progress, struct pfs_error *err)
{
	struct pfs_image_entry *e;

	if (pfs_copy_device(pool, name, own, err) ||
	    pfs_copy_follow(pool, NULL, name, forward ? "moving" : "moving back", progress, err))
		return -1;
	e = pfs_pool_find(pool, name);
	if (pfs_copy_end_commit(pool, e, forward, err))
		return -1;
	pfs_crash_point(forward ? "move-switched" : "abort-done");
	if (pfs_image_reload(pool, e, err))
		return -1;
	return pfs_image_copy_ended(pool, e, !own, err);
}

int pfs_image_move(struct pfs_pool_handle *pool, const char *name, uint64_t dest,
		   bool progress, uint64_t *to, struct pfs_error *err)
{
	struct pfs_image_entry *e;
	bool changed;
	int own = pfs_image_claim(pool, name, &e, err);

	if (own < 0 || pfs_copy_other(e, PFS_IMAGE_MOVING, err))
		return -1;
	if (le32_to_cpu(e->flags) & PFS_IMAGE_MOVING) {
		/* A move under way (this one cut short, or another's): finish it. */
		if (dest && dest != le64_to_cpu(e->copy_dest))
			return pfs_fail(err, PFS_EXIT_BUSY, "%s is already moving to sector %llu",
					name, (unsigned long long)le64_to_cpu(e->copy_dest));
	} else if (own && pfs_move_switched(pool, e)) {
		/* A move that was switched but not reloaded: that was all. */
		*to = le64_to_cpu(e->start);
		return pfs_txn_refresh(pool, name, &changed, err);
	} else if (pfs_move_begin(pool, e, dest, err)) {
		return -1;
	}
	if (pfs_move_finish(pool, name, own, true, progress, err))
		return -1;
	*to = le64_to_cpu(pfs_pool_find(pool, name)->start);
	return 0;
}

int pfs_image_move_abort(struct pfs_pool_handle *pool, const char *name, bool progress,
			 bool force, bool *aborted, struct pfs_error *err)
{
	const uint32_t back = PFS_IMAGE_MOVING | PFS_IMAGE_MOVING_BACK;
	struct pfs_image_entry *e;
	bool changed;
	int own = pfs_image_claim(pool, name, &e, err);

	*aborted = false;
	if (own < 0)
		return -1;
	if (le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL) {
		*aborted = true;
		return pfs_pool_move_abort(pool, name, own, force, err);
	}
	if (pfs_copy_other(e, back, err))
		return -1;
	/* Not moving; a device still copying (an abort cut short) stops now. */
	if (!(le32_to_cpu(e->flags) & PFS_IMAGE_MOVING))
		return own ? pfs_txn_refresh(pool, name, &changed, err) : 0;
	if (!(le32_to_cpu(e->flags) & PFS_IMAGE_MOVING_BACK)) {
		/* The destination below copy_done goes back; the source holds the rest. */
		e->flags = cpu_to_le32(le32_to_cpu(e->flags) | PFS_IMAGE_MOVING_BACK);
		if (pfs_pool_commit(pool, err))
			return -1;
		pfs_crash_point("abort-begun");
		/* The device copies forward: it must take the new table now. */
		if (own && pfs_image_reload(pool, pfs_pool_find(pool, name), err))
			return -1;
	}
	if (pfs_move_finish(pool, name, own, false, progress, err))
		return -1;
	*aborted = true;
	return 0;
}

/* The clone @src copies into, by where it starts; NULL if none. */
static struct pfs_image_entry *pfs_clone_of(struct pfs_pool_handle *pool,
					    const struct pfs_image_entry *src)
{
	struct pfs_image_entry *e = pfs_table_entries(pool->table);
	unsigned int i;

	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if ((le32_to_cpu(e[i].flags) & PFS_IMAGE_CLONE) && e[i].start == src->copy_dest)
			return &e[i];
	return NULL;
}

/* Record the clone in the table: @dst, being made, and @src copying into it. */
static int pfs_clone_begin(struct pfs_pool_handle *pool, struct pfs_image_entry *src,
			   const char *dst, struct pfs_error *err)
{
	uint64_t len = le64_to_cpu(src->length), dest;
	struct pfs_image_entry *c, saved = *src;
	char b[32];

	if (!pfs_image_name_ok(dst, err))
		return -1;
	if (pfs_pool_find(pool, dst))
		return pfs_fail(err, PFS_EXIT_BUSY, "image %s already exists", dst);
	c = pfs_pool_free_slot(pool);
	if (!c)
		return pfs_fail(err, PFS_EXIT_NOSPACE, "pool holds %d images already",
				PFS_MAX_IMAGES);
	if (pfs_alloc_best_fit(pool, len, &dest))
		return pfs_fail(err, PFS_EXIT_NOSPACE,
				"no free extent of %s for a clone of %s (see pfsadm list --free)",
				pfs_format_sectors(len, b, sizeof(b)), src->name);
	if (pfs_image_check_unmapped(pool, NULL, dest, len, err))
		return -1;
	/* Every sector of it is written by the copy: dirty space needs no zeroing. */
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", dst);
	uuid_generate(c->uuid);
	c->start = cpu_to_le64(dest);
	c->length = src->length;
	c->ctime = cpu_to_le64((uint64_t)time(NULL));
	c->weight = src->weight;
	c->iops_max = src->iops_max;
	c->bps_max = src->bps_max;
	c->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_CLONE);
	src->flags = cpu_to_le32(le32_to_cpu(src->flags) | PFS_IMAGE_CLONING);
	src->copy_dest = cpu_to_le64(dest);
	src->copy_done = 0;
	src->copy_region = cpu_to_le32(pfs_move_region(len));
	if (pfs_image_lease_init(pool, c, err) || pfs_pool_commit(pool, err)) {
		memset(c, 0, sizeof(*c));
		*src = saved;
		return -1;
	}
	pfs_crash_point("clone-begun");
	return 0;
}

int pfs_image_clone(struct pfs_pool_handle *pool, const char *src, const char *dst,
		    bool progress, struct pfs_error *err)
{
	struct pfs_image_entry *e, *c;
	int own = pfs_image_claim(pool, src, &e, err);

	if (own < 0 || pfs_copy_other(e, PFS_IMAGE_CLONING, err))
		return -1;
	if (le32_to_cpu(e->flags) & PFS_IMAGE_CLONING) {
		/* A clone under way (this one cut short): finish it, if it is @dst. */
		c = pfs_clone_of(pool, e);
		if (!c || strcmp(c->name, dst))
			return pfs_fail(err, PFS_EXIT_BUSY, "%s is being cloned into %s already",
					src, c ? c->name : "another image");
	} else if (pfs_clone_begin(pool, e, dst, err)) {
		return -1;
	}
	if (pfs_copy_device(pool, src, own, err) ||
	    pfs_copy_follow(pool, NULL, src, "cloning", progress, err))
		return -1;
	/*
	 * One commit makes the clone an image of its own. The source's device
	 * still writes into it until reloaded; the kernel refuses to map it
	 * meanwhile (the source's live map covers it).
	 */
	e = pfs_pool_find(pool, src);
	c = pfs_clone_of(pool, e);
	pfs_copy_clear(e);
	c->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
	if (pfs_pool_commit(pool, err))
		return -1;
	pfs_crash_point("clone-done");
	if (pfs_image_reload(pool, e, err) || pfs_image_copy_ended(pool, e, !own, err))
		return -1;
	c = pfs_pool_find(pool, dst);
	if (pfs_image_activate(pool, c, err))
		return -1;
	pfs_image_remember(pool, c);
	return 0;
}

int pfs_clone_abandon(struct pfs_pool_handle *pool, struct pfs_image_entry *c,
		      struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_table_entries(pool->table), *src = NULL, saved;
	char name[PFS_NAME_LEN];
	unsigned int i;

	for (i = 0; i < PFS_MAX_IMAGES && !src; i++)
		if ((le32_to_cpu(e[i].flags) & PFS_IMAGE_CLONING) && e[i].copy_dest == c->start)
			src = &e[i];
	if (!src)
		return pfs_fail(err, PFS_EXIT_INTERNAL, "%s is a clone of no image", c->name);
	snprintf(name, sizeof(name), "%s", src->name);
	saved = *c;
	memset(c, 0, sizeof(*c));
	if (pfs_copy_end_commit(pool, src, false, err)) {
		*c = saved;
		return -1;
	}
	/* The source's device stops writing into the freed space now. */
	src = pfs_pool_find(pool, name);
	if (!pfs_image_maps_here(pool, src))
		return 0;
	return pfs_image_reload(pool, src, err) || pfs_image_copy_ended(pool, src, false, err);
}
