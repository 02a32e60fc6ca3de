// SPDX-License-Identifier: GPL-2.0
/*
 * Moving an image to another pool while its VM runs (pfsadm move NAME
 * --to-pool DEVICE). Four commits, in this order:
 *
 *   1. destination: an entry for the image, INCOMING (no device maps it);
 *   2. source: the image TO_POOL, copy_dest its extent there. The target
 *      copies; writes below the boundary go to both pools, so the source
 *      stays current, and the source's table keeps the progress (each
 *      commit after both devices are flushed);
 *   3. destination: the entry becomes the image (INCOMING cleared); the
 *      device is reloaded onto it;
 *   4. source: the entry goes, its extent free and dirty.
 *
 * Which pool holds the image is decided by the destination's entry alone:
 * a cut before 3 leaves it in its own pool (the move resumes, or --abort
 * drops it); after 3, in the destination, and running the move again ends
 * it (4). Both pools are locked for 1, 2 and 3, taken in the order of their
 * UUIDs so that two commands never wait on each other; only the source is
 * locked while the target copies. Whoever drops the destination's extent
 * (remove, abort) holds both locks and checks the other side first.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "crashpoint.h"
#include "freespace.h"
#include "held.h"
#include "image.h"
#include "image-lease.h"
#include "move.h"
#include "pool-move.h"
#include "probe.h"
#include "size.h"
#include "txn.h"

enum pfs_peer_state {
	PFS_PEER_INCOMING,	/* holds the image's extent, incoming from its pool */
	PFS_PEER_SWITCHED,	/* holds the image itself: the move switched */
	PFS_PEER_GONE,		/* holds nothing of that name */
	PFS_PEER_OTHER,		/* holds something else of that name */
};

/* What @peer holds of @e, an entry of @pool (moving to @peer, or about to). */
static enum pfs_peer_state pfs_peer_state(const struct pfs_pool_handle *pool,
					  struct pfs_pool_handle *peer,
					  const struct pfs_image_entry *e,
					  struct pfs_image_entry **d)
{
	bool moving = le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL;
	uint32_t flags;

	*d = pfs_pool_find(peer, e->name);
	if (!*d)
		return PFS_PEER_GONE;
	flags = le32_to_cpu((*d)->flags);
	if (memcmp((*d)->uuid, e->uuid, PFS_UUID_LEN) || (*d)->length != e->length)
		return PFS_PEER_OTHER;
	/* Before @e's own commit (a cut after the peer's), any extent will do. */
	if (flags == (PFS_IMAGE_IN_USE | PFS_IMAGE_INCOMING) &&
	    !memcmp((*d)->copy_pool, pool->sb->pool_uuid, PFS_UUID_LEN) &&
	    (!moving || (*d)->start == e->copy_dest))
		return PFS_PEER_INCOMING;
	if (flags == PFS_IMAGE_IN_USE && moving && (*d)->start == e->copy_dest)
		return PFS_PEER_SWITCHED;
	return PFS_PEER_OTHER;
}

/* Is @e of @source moving to @pool, into the extent @pool holds for it? */
static bool pfs_moving_here(const struct pfs_pool_handle *source, struct pfs_pool_handle *pool,
			    const struct pfs_image_entry *e)
{
	struct pfs_image_entry *d;

	return (le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL) &&
	       !memcmp(e->copy_pool, pool->sb->pool_uuid, PFS_UUID_LEN) &&
	       pfs_peer_state(source, pool, e, &d) == PFS_PEER_INCOMING;
}

/* The other pool of @e (copy_pool): its path, or 1 if no scan sees it. */
static int pfs_pool_move_find(const struct pfs_image_entry *e, char *path, unsigned int len,
			      struct pfs_error *err)
{
	char uuid[40], spec[48];
	struct pfs_error why = { 0 };

	uuid_unparse_lower(e->copy_pool, uuid);
	snprintf(spec, sizeof(spec), "UUID=%s", uuid);
	if (!pfs_resolve_pool(spec, path, len, &why))
		return 0;
	if (why.code == PFS_EXIT_DEVICE)
		return 1;
	return pfs_fail(err, why.code, "%s: %s", e->name, why.msg);
}

int pfs_pool_move_peer(const struct pfs_image_entry *e, unsigned int flags,
		       struct pfs_pool_handle **peer, struct pfs_error *err)
{
	char uuid[40], path[PFS_PATH_LEN];
	int r = pfs_pool_move_find(e, path, sizeof(path), err);

	uuid_unparse_lower(e->copy_pool, uuid);
	if (r > 0)
		return pfs_fail(err, PFS_EXIT_DEVICE,
				"%s moves between this pool and pool %s, which is not present", e->name,
				uuid);
	return r ? r : pfs_pool_open(path, flags, peer, err);
}

/*
 * Lock @second (opened writable, unlocked since) while @held is locked: in
 * UUID order, letting go of @held first if @second comes first. Entry
 * pointers into @held's table are stale after (it is read anew).
 */
static int pfs_pool_lock_second(struct pfs_pool_handle *held, struct pfs_pool_handle *second,
				struct pfs_error *err)
{
	bool before = memcmp(second->sb->pool_uuid, held->sb->pool_uuid, PFS_UUID_LEN) < 0;
	int r;

	if (before)
		pfs_pool_unlock(held);
	r = pfs_pool_relock(second, err);
	if (before && pfs_pool_relock(held, err))
		r = -1;
	return r;
}

/* @path, opened and locked alongside @held, as pfs_pool_lock_second() does. */
static int pfs_pool_open_second(struct pfs_pool_handle *held, const char *path,
				struct pfs_pool_handle **second, struct pfs_error *err)
{
	struct pfs_pool_handle *probe;
	bool before;
	int r;

	/* Its UUID first: the same pool by another path would wait on itself. */
	if (pfs_pool_open(path, PFS_OPEN_READ, &probe, err))
		return -1;
	r = memcmp(probe->sb->pool_uuid, held->sb->pool_uuid, PFS_UUID_LEN);
	pfs_pool_close(probe);
	if (!r)
		return pfs_fail(err, PFS_EXIT_ARGS, "%s is this pool", path);
	before = r < 0;
	if (before)
		pfs_pool_unlock(held);
	r = pfs_pool_open(path, PFS_OPEN_WRITE, second, err);
	if (before && pfs_pool_relock(held, err)) {
		if (!r)
			pfs_pool_close(*second);
		r = -1;
	}
	if (r)
		*second = NULL;
	return r;
}

int pfs_pool_move_target(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 char *buf, unsigned int len, struct pfs_error *err)
{
	struct pfs_pool_handle *peer;
	struct pfs_image_entry *d;
	enum pfs_peer_state state;
	struct stat st;
	int r = 0;

	if (pfs_pool_move_peer(e, PFS_OPEN_READ, &peer, err))
		return -1;
	state = pfs_peer_state(pool, peer, e, &d);
	if (state == PFS_PEER_SWITCHED)
		r = pfs_fail(err, PFS_EXIT_BUSY,
			     "%s has moved to pool %s; pfsadm move %s --to-pool %s finishes that",
			     e->name, peer->path, e->name, peer->path);
	else if (state != PFS_PEER_INCOMING)
		r = pfs_fail(err, PFS_EXIT_BUSY,
			     "pool %s holds no extent for %s any more; pfsadm move --abort %s",
			     peer->path, e->name, e->name);
	else if (fstat(peer->fd, &st) || !S_ISBLK(st.st_mode))
		r = pfs_fail(err, PFS_EXIT_DEVICE, "%s is not a block device", peer->path);
	else
		snprintf(buf, len, " %u:%u", major(st.st_rdev), minor(st.st_rdev));
	pfs_pool_close(peer);
	return r;
}

/* Commit 1 (unless a cut left it) and 2: the extent in @dst, then the move. */
static int pfs_pool_move_begin(struct pfs_pool_handle *src, struct pfs_pool_handle *dst,
			       struct pfs_image_entry *e, struct pfs_error *err)
{
	uint64_t len = le64_to_cpu(e->length), dest;
	struct pfs_image_entry *d, saved = *e;
	enum pfs_peer_state state = pfs_peer_state(src, dst, e, &d);
	char b[32];

	if (state == PFS_PEER_OTHER && (le32_to_cpu(d->flags) & PFS_IMAGE_TO_POOL) &&
	    !memcmp(d->uuid, e->uuid, PFS_UUID_LEN))
		return pfs_fail(err, PFS_EXIT_BUSY,
				"pool %s still holds %s from its move here; pfsadm --pool %s move %s --to-pool %s ends that",
				dst->path, e->name, dst->path, e->name, src->path);
	if (state == PFS_PEER_OTHER)
		return pfs_fail(err, PFS_EXIT_BUSY, "pool %s has an image named %s already",
				dst->path, e->name);
	if (state == PFS_PEER_GONE) {
		d = pfs_pool_free_slot(dst);
		if (!d)
			return pfs_fail(err, PFS_EXIT_NOSPACE, "pool %s holds %d images already",
					dst->path, PFS_MAX_IMAGES);
		if (pfs_alloc_best_fit(dst, len, &dest))
			return pfs_fail(err, PFS_EXIT_NOSPACE,
					"no free extent of %s in pool %s (see pfsadm list --free)",
					pfs_format_sectors(len, b, sizeof(b)), dst->path);
		if (pfs_image_check_unmapped(dst, NULL, dest, len, err))
			return -1;
		/* Every sector of it is written by the copy: dirty space needs no zeroing. */
		memset(d, 0, sizeof(*d));
		memcpy(d->name, e->name, sizeof(d->name));
		memcpy(d->uuid, e->uuid, PFS_UUID_LEN);
		d->start = cpu_to_le64(dest);
		d->length = e->length;
		d->ctime = e->ctime;
		d->weight = e->weight;
		d->iops_max = e->iops_max;
		d->bps_max = e->bps_max;
		d->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_INCOMING);
		memcpy(d->copy_pool, src->sb->pool_uuid, PFS_UUID_LEN);
		if (pfs_image_lease_init(dst, d, err) || pfs_pool_commit(dst, err)) {
			memset(d, 0, sizeof(*d));
			return -1;
		}
		pfs_crash_point("pool-move-reserved");
	}
	e->flags = cpu_to_le32(le32_to_cpu(e->flags) | PFS_IMAGE_TO_POOL);
	e->copy_dest = d->start;
	e->copy_done = 0;
	e->copy_region = cpu_to_le32(pfs_move_region(len));
	memcpy(e->copy_pool, dst->sb->pool_uuid, PFS_UUID_LEN);
	if (pfs_pool_commit(src, err)) {
		*e = saved;
		return -1;
	}
	pfs_crash_point("pool-move-begun");
	return 0;
}

/*
 * A device of this host maps the image (@d, @dst's entry for it): in a
 * shared destination it takes the image's lease there before the image
 * can be @dst's, so that no host activates it there meanwhile.
 */
static int pfs_pool_move_lease(struct pfs_pool_handle *src, struct pfs_pool_handle *dst,
			       const char *name, struct pfs_error *err)
{
	const struct pfs_image_entry *e = pfs_pool_find(src, name), *d = pfs_pool_find(dst, name);

	if (!e || !d || !pfs_image_maps_here(src, e))
		return 0;
	if (pfs_image_lease(dst, d, false, err) < 0)
		return -1;
	/* Recorded there before it is there: a cut between leaves no gap. */
	if (pfs_held_has(src, e))
		pfs_image_record(dst, d);
	return 0;
}

/*
 * Commit 4, after 3: the device (if any still maps @src) onto @dst, then
 * the source's entry goes, and with it the image's lease and record of
 * this host there. @made: this run made the device for the copy; it goes
 * then, as one an earlier run made.
 */
static int pfs_pool_move_end(struct pfs_pool_handle *src, struct pfs_pool_handle *dst,
			     const char *name, bool made, struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(src, name), *d = pfs_pool_find(dst, name);
	uint64_t start = le64_to_cpu(e->start), len = le64_to_cpu(e->length);
	struct pfs_image_entry saved = *e;
	bool held = pfs_held_has(src, e) || pfs_held_has(dst, d);

	if (pfs_image_maps_here(src, e)) {
		if (pfs_pool_move_lease(src, dst, name, err) || pfs_image_reload(dst, d, err))
			return -1;
		pfs_crash_point("pool-move-reloaded");
	}
	/* Ran here: the next boot brings it back from its new pool. */
	if (held)
		pfs_image_record(dst, d);
	memset(e, 0, sizeof(*e));
	if (pfs_free_mark_dirty(src->table, start, len)) {
		*e = saved;
		return pfs_fail(err, PFS_EXIT_NOSPACE, "no free-space record left for sectors %llu+%llu",
				(unsigned long long)start, (unsigned long long)len);
	}
	if (pfs_pool_commit(src, err)) {
		*e = saved;
		return -1;
	}
	pfs_crash_point("pool-move-done");
	if (pfs_image_unlease_gone(src, e, &saved, err) || pfs_held_drop(src, &saved, err))
		return -1;
	return pfs_image_copy_ended(dst, d, made, err);
}

/* Commit 3: the destination's entry becomes the image, with its QoS as now. */
static int pfs_pool_move_switch(struct pfs_pool_handle *src, struct pfs_pool_handle *dst,
				const char *name, struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(src, name), *d, saved;

	if (!e || !(le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL) ||
	    pfs_peer_state(src, dst, e, &d) != PFS_PEER_INCOMING)
		return pfs_fail(err, PFS_EXIT_BUSY, "%s changed while it was copied to pool %s",
				name, dst->path);
	saved = *d;
	d->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
	memset(d->copy_pool, 0, sizeof(d->copy_pool));
	d->weight = e->weight;
	d->iops_max = e->iops_max;
	d->bps_max = e->bps_max;
	if (pfs_pool_commit(dst, err)) {
		*d = saved;
		return -1;
	}
	pfs_crash_point("pool-move-switched");
	return 0;
}

static int pfs_pool_move_run(struct pfs_pool_handle *src, struct pfs_pool_handle *dst,
			     const char *name, bool progress, struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(src, name), *d;
	bool moving;
	int own;

	if (!e)
		return pfs_fail(err, PFS_EXIT_DEVICE, "no image named %s", name);
	moving = le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL;
	if (moving && memcmp(e->copy_pool, dst->sb->pool_uuid, PFS_UUID_LEN))
		return pfs_fail(err, PFS_EXIT_BUSY, "%s is moving to another pool than %s",
				name, dst->path);
	/* Switched by a run cut short: only the end is left. */
	if (moving && pfs_peer_state(src, dst, e, &d) == PFS_PEER_SWITCHED)
		return pfs_pool_move_end(src, dst, name, false, err);
	own = pfs_image_claim(src, name, &e, err);
	if (own < 0)
		return -1;
	if (!moving) {
		if (pfs_copy_other(e, PFS_IMAGE_TO_POOL, err) ||
		    pfs_pool_move_begin(src, dst, e, err))
			return -1;
	} else if (pfs_peer_state(src, dst, e, &d) != PFS_PEER_INCOMING) {
		return pfs_fail(err, PFS_EXIT_BUSY,
				"pool %s holds no extent for %s any more; pfsadm move --abort %s",
				dst->path, name, name);
	}
	/*
	 * The destination stays locked until the device copies into it (so no
	 * remove there can slip in between), then goes on without this move.
	 */
	if (pfs_copy_device(src, name, own, err))
		return -1;
	pfs_pool_unlock(dst);
	if (pfs_copy_follow(src, dst, name, "moving", progress, err) ||
	    pfs_pool_lock_second(src, dst, err) || pfs_pool_move_lease(src, dst, name, err))
		return -1;
	if (pfs_pool_move_switch(src, dst, name, err)) {
		struct pfs_error undo = { 0 };

		/* Still the source's: the lease taken there for it goes again. */
		d = pfs_pool_find(dst, name);
		if (d && !pfs_held_drop(dst, d, &undo))
			pfs_image_unlease(dst, d, &undo);
		return -1;
	}
	return pfs_pool_move_end(src, dst, name, !own, err);
}

int pfs_image_move_to_pool(struct pfs_pool_handle *src, const char *dst_path, const char *name,
			   bool progress, uint64_t *to, struct pfs_error *err)
{
	struct pfs_pool_handle *dst;
	int r;

	if (!pfs_pool_find(src, name))
		return pfs_fail(err, PFS_EXIT_DEVICE, "no image named %s", name);
	if (pfs_pool_open_second(src, dst_path, &dst, err)) {
		/* Its own pool, by any path. */
		if (err->code == PFS_EXIT_ARGS)
			snprintf(err->msg, sizeof(err->msg), "%s is in pool %s already", name,
				 dst_path);
		return -1;
	}
	r = pfs_pool_move_run(src, dst, name, progress, err);
	if (!r)
		*to = le64_to_cpu(pfs_pool_find(dst, name)->start);
	pfs_pool_close(dst);
	return r;
}

/* Drop @d, the extent @pool holds for an image incoming: free and dirty. */
static int pfs_incoming_drop(struct pfs_pool_handle *pool, struct pfs_image_entry *d,
			     struct pfs_error *err)
{
	uint64_t start = le64_to_cpu(d->start), len = le64_to_cpu(d->length);
	struct pfs_image_entry saved = *d;

	memset(d, 0, sizeof(*d));
	if (pfs_free_mark_dirty(pool->table, start, len)) {
		*d = saved;
		return pfs_fail(err, PFS_EXIT_NOSPACE,
				"pool %s: no free-space record left for sectors %llu+%llu",
				pool->path, (unsigned long long)start, (unsigned long long)len);
	}
	if (pfs_pool_commit(pool, err)) {
		*d = saved;
		return -1;
	}
	return 0;
}

int pfs_pool_move_abort(struct pfs_pool_handle *pool, const char *name, int own, bool force,
			struct pfs_error *err)
{
	struct pfs_image_entry *e = pfs_pool_find(pool, name), *d = NULL, saved;
	enum pfs_peer_state state = PFS_PEER_GONE;
	struct pfs_pool_handle *peer = NULL;
	char path[PFS_PATH_LEN], uuid[40];
	int r = pfs_pool_move_find(e, path, sizeof(path), err);

	uuid_unparse_lower(e->copy_pool, uuid);
	if (r < 0)
		return -1;
	/* Absent, that pool cannot say whether it took the image already. */
	if (r > 0 && !force)
		return pfs_fail(err, PFS_EXIT_DEVICE,
				"pool %s, which %s moves to, is not present: attach it, or pfsadm move --abort --force %s drops the move (both pools hold %s then if that pool took it)",
				uuid, name, name, name);
	if (!r) {
		if (pfs_pool_open_second(pool, path, &peer, err))
			return -1;
		e = pfs_pool_find(pool, name);
		if (!e || !(le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL)) {
			r = pfs_fail(err, PFS_EXIT_BUSY, "%s changed while its pools were locked",
				     name);
			goto out;
		}
		state = pfs_peer_state(pool, peer, e, &d);
	}
	r = -1;
	if (state == PFS_PEER_SWITCHED) {
		pfs_fail(err, PFS_EXIT_BUSY,
			 "%s has moved to pool %s already; pfsadm move %s --to-pool %s finishes that",
			 name, peer->path, name, peer->path);
		goto out;
	}
	saved = *e;
	pfs_copy_clear(e);
	if (pfs_pool_commit(pool, err)) {
		*e = saved;
		goto out;
	}
	pfs_crash_point("pool-abort-cleared");
	/* The device stops writing to the other pool before its extent goes. */
	e = pfs_pool_find(pool, name);
	if (own && pfs_image_reload(pool, e, err))
		goto out;
	r = state == PFS_PEER_INCOMING ? pfs_incoming_drop(peer, d, err) : 0;
	if (!r && own)
		r = pfs_image_copy_ended(pool, e, false, err);
out:
	if (peer)
		pfs_pool_close(peer);
	return r;
}

int pfs_incoming_abandon(struct pfs_pool_handle *pool, const char *name, struct pfs_error *err)
{
	struct pfs_image_entry *d = pfs_pool_find(pool, name), *e;
	struct pfs_pool_handle *source = NULL;
	struct pfs_error why = { 0 };
	char path[PFS_PATH_LEN];
	int r = pfs_pool_move_find(d, path, sizeof(path), err);

	if (r < 0 || (!r && pfs_pool_open_second(pool, path, &source, err)))
		return -1;
	d = pfs_pool_find(pool, name);
	r = -1;
	if (!d || !(le32_to_cpu(d->flags) & PFS_IMAGE_INCOMING)) {
		pfs_fail(err, PFS_EXIT_BUSY, "%s changed while its pools were locked", name);
		goto out;
	}
	/* Its source still moves it here: that move is to be dropped there. */
	e = source ? pfs_pool_find(source, name) : NULL;
	if (e && pfs_moving_here(source, pool, e)) {
		pfs_fail(err, PFS_EXIT_BUSY,
			 "%s is being moved here from pool %s; pfsadm --pool %s move --abort %s drops that",
			 name, source->path, source->path, name);
		goto out;
	}
	d = pfs_pool_find(pool, name);
	/* A device still copying into it (by hand, or a table not reloaded). */
	if (pfs_image_check_unmapped(pool, NULL, le64_to_cpu(d->start), le64_to_cpu(d->length),
				     &why)) {
		pfs_fail(err, PFS_EXIT_BUSY, "%s is being moved here (%s)", name, why.msg);
		goto out;
	}
	r = pfs_incoming_drop(pool, d, err);
out:
	if (source)
		pfs_pool_close(source);
	return r;
}

int pfs_pool_move_check(struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			char *buf, unsigned int len)
{
	bool out = le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL;
	struct pfs_pool_handle *peer;
	struct pfs_error why = { 0 };
	struct pfs_image_entry *d, *s;
	enum pfs_peer_state state;
	char uuid[40];
	int problem = 1;

	uuid_unparse_lower(e->copy_pool, uuid);
	if (pfs_pool_move_peer(e, PFS_OPEN_READ, &peer, &why)) {
		snprintf(buf, len, "%s", why.msg);
		return 1;
	}
	if (out) {
		state = pfs_peer_state(pool, peer, e, &d);
		if (state == PFS_PEER_INCOMING) {
			snprintf(buf, len, "%s is moving to pool %s (%s), %llu of %llu sectors committed",
				 e->name, peer->path, uuid,
				 (unsigned long long)le64_to_cpu(e->copy_done),
				 (unsigned long long)le64_to_cpu(e->length));
			problem = 0;
		} else if (state == PFS_PEER_SWITCHED) {
			snprintf(buf, len, "%s has moved to pool %s: pfsadm move %s --to-pool %s finishes that",
				 e->name, peer->path, e->name, peer->path);
		} else {
			snprintf(buf, len, "%s moves to pool %s, which holds no extent for it: pfsadm move --abort %s",
				 e->name, peer->path, e->name);
		}
	} else {
		s = pfs_pool_find(peer, e->name);
		if (s && pfs_moving_here(peer, pool, s)) {
			snprintf(buf, len, "%s is incoming from pool %s (%s)", e->name, peer->path,
				 uuid);
			problem = 0;
		} else {
			snprintf(buf, len, "%s is an extent held for a move from pool %s that is not under way: moving it again resumes, pfsadm remove %s frees it",
				 e->name, peer->path, e->name);
		}
	}
	pfs_pool_close(peer);
	return problem;
}
