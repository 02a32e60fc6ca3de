// SPDX-License-Identifier: GPL-2.0
/*
 * Pool objects: one per pool (by UUID) with active images, shared by those
 * images and refcounted by them. It is where the arbiter keeps its state
 * and where a second map of an image, or an overlapping map, is caught.
 */
#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dm-pfs.h"

/*
 * The registry of live maps: one pool object per pool UUID, whatever path
 * or device number reaches it (a disk and a multipath map over it, two
 * loop devices on one file, a linear alias). Every live pfs target is on
 * its pool's image list with the extent it maps, and an image moving to
 * another pool is on that pool's incoming list with its extent there, so
 * a second map of an image, or any map overlapping a live one, is refused
 * however it is named, in either pool.
 */
static LIST_HEAD(pfs_pools);
static DEFINE_MUTEX(pfs_pools_lock);

static struct pfs_pool *pfs_pool_find(const u8 *uuid)
{
	struct pfs_pool *pool;

	list_for_each_entry(pool, &pfs_pools, node)
		if (!memcmp(pool->uuid, uuid, PFS_UUID_LEN))
			return pool;
	return NULL;
}

/*
 * Does a live map of another pool than @uuid sit on the device @dev: an
 * image of it, or an image moving into it?
 */
static bool pfs_dev_holds_other_pool(dev_t dev, const u8 *uuid)
{
	struct pfs_image *img;
	struct pfs_pool *pool;
	bool found = false;

	lockdep_assert_held(&pfs_pools_lock);
	list_for_each_entry(pool, &pfs_pools, node) {
		if (!memcmp(pool->uuid, uuid, PFS_UUID_LEN))
			continue;
		spin_lock_irq(&pool->lock);
		list_for_each_entry(img, &pool->images, pool_node)
			if (img->pool_dev->bdev->bd_dev == dev)
				found = true;
		list_for_each_entry(img, &pool->incoming, dest_node)
			if (img->dest_dev->bdev->bd_dev == dev)
				found = true;
		spin_unlock_irq(&pool->lock);
		if (found)
			break;
	}
	return found;
}

static struct pfs_pool *pfs_pool_create(const u8 *uuid)
{
	struct pfs_pool *pool = kzalloc(sizeof(*pool), GFP_KERNEL);

	if (!pool)
		return NULL;
	refcount_set(&pool->ref, 1);
	memcpy(pool->uuid, uuid, PFS_UUID_LEN);
	pfs_arb_init(&pool->arb, pfs_now_ns());
	hrtimer_init(&pool->pace_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	pool->pace_timer.function = pfs_arbiter_pace_timer;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->images);
	INIT_LIST_HEAD(&pool->incoming);
	list_add(&pool->node, &pfs_pools);
	return pool;
}

/*
 * The extents @img maps in one pool: in its own (@incoming false), its
 * extent and a move's or a clone's destination; in the pool it moves to,
 * its extent there.
 */
static unsigned int pfs_map_extents(struct pfs_image *img, bool incoming,
				    sector_t start[2], sector_t len[2])
{
	if (!incoming)
		return pfs_copy_extents(img, start, len);
	start[0] = img->dest_start;
	len[0] = img->len;
	return 1;
}

/*
 * Why @img (@incoming: its extent in the pool it moves to) may not live
 * beside @other (@other_incoming likewise) in one pool, or NULL. A reload
 * of the same dm device (a new table while the old one is still live) may
 * map the same extent; anything else may not: not the same image by
 * another device or twice in one table, and not an overlapping extent.
 */
static const char *pfs_map_conflict(struct pfs_image *other, bool other_incoming,
				    struct pfs_image *img, bool incoming)
{
	sector_t as[2], al[2], bs[2], bl[2];
	unsigned int na, nb, i, j;

	if (other->md == img->md && other->ti->table != img->ti->table)
		return NULL;
	if (!memcmp(other->uuid, img->uuid, PFS_UUID_LEN))
		return "Image is already active in another device";
	na = pfs_map_extents(other, other_incoming, as, al);
	nb = pfs_map_extents(img, incoming, bs, bl);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (as[i] < bs[j] + bl[j] && bs[j] < as[i] + al[i])
				return "Range overlaps a live map of another image";
	return NULL;
}

/* Why @img may not join @pool's live maps (as incoming there), or NULL. */
static const char *pfs_pool_conflict(struct pfs_pool *pool, struct pfs_image *img,
				     bool incoming)
{
	const char *why = NULL;
	struct pfs_image *other;

	spin_lock_irq(&pool->lock);
	list_for_each_entry(other, &pool->images, pool_node) {
		why = pfs_map_conflict(other, false, img, incoming);
		if (why)
			goto out;
	}
	list_for_each_entry(other, &pool->incoming, dest_node) {
		why = pfs_map_conflict(other, true, img, incoming);
		if (why)
			goto out;
	}
out:
	spin_unlock_irq(&pool->lock);
	return why;
}

/*
 * The registry's object for pool @uuid, with a reference, once @img may
 * join its live maps (@incoming: as an image moving there); an ERR_PTR
 * and *@error if it may not. Under pfs_pools_lock.
 */
static struct pfs_pool *pfs_pool_get(const u8 *uuid, struct pfs_image *img, bool incoming,
				     char **error)
{
	struct pfs_pool *pool = pfs_pool_find(uuid);
	const char *why;

	lockdep_assert_held(&pfs_pools_lock);
	if (!pool) {
		pool = pfs_pool_create(uuid);
		if (!pool) {
			*error = "Cannot allocate pool";
			return ERR_PTR(-ENOMEM);
		}
		return pool;
	}
	why = pfs_pool_conflict(pool, img, incoming);
	if (why) {
		/* ti->error only ever points at string literals. */
		*error = (char *)why;
		return ERR_PTR(-EBUSY);
	}
	refcount_inc(&pool->ref);
	return pool;
}

/* Under pfs_pools_lock. */
static void pfs_pool_put(struct pfs_pool *pool)
{
	lockdep_assert_held(&pfs_pools_lock);
	if (refcount_dec_and_test(&pool->ref)) {
		list_del(&pool->node);
		hrtimer_cancel(&pool->pace_timer);
		kfree(pool);
	}
}

/* The latest superblock read sets the pool's cost model. */
static void pfs_pool_set_model(struct pfs_pool *pool, const struct pfs_superblock *sb)
{
	struct pfs_cost_model m;

	pfs_arb_model_from_sb(sb, &m);
	spin_lock_irq(&pool->lock);
	pfs_arb_set_model(&pool->arb, &m);
	spin_unlock_irq(&pool->lock);
}

int pfs_pool_attach(struct pfs_image *img, const struct pfs_superblock *sb,
		    char **error)
{
	const u8 *pool_uuid = sb->pool_uuid;
	struct block_device *bdev = img->pool_dev->bdev;
	struct pfs_pool *pool, *dest = NULL;
	int r = 0;

	mutex_lock(&pfs_pools_lock);
	if (pfs_dev_holds_other_pool(bdev->bd_dev, pool_uuid)) {
		/* Reformatted under live images: never mix two pools. */
		*error = "Pool was reformatted while images are active";
		r = -EBUSY;
		goto out;
	}
	if (img->dest_dev &&
	    pfs_dev_holds_other_pool(img->dest_dev->bdev->bd_dev, img->dest_uuid)) {
		*error = "Destination pool was reformatted while images are active";
		r = -EBUSY;
		goto out;
	}
	pool = pfs_pool_get(pool_uuid, img, false, error);
	if (IS_ERR(pool)) {
		r = PTR_ERR(pool);
		goto out;
	}
	if (img->dest_dev) {
		dest = pfs_pool_get(img->dest_uuid, img, true, error);
		if (IS_ERR(dest)) {
			r = PTR_ERR(dest);
			pfs_pool_put(pool);
			goto out;
		}
	}
	img->pool = pool;
	pfs_pool_set_model(pool, sb);
	spin_lock_irq(&pool->lock);
	list_add_tail(&img->pool_node, &pool->images);
	spin_unlock_irq(&pool->lock);
	img->dest_pool = dest;
	if (dest) {
		spin_lock_irq(&dest->lock);
		list_add_tail(&img->dest_node, &dest->incoming);
		spin_unlock_irq(&dest->lock);
	}
out:
	mutex_unlock(&pfs_pools_lock);
	return r;
}

void pfs_pool_detach(struct pfs_image *img)
{
	struct pfs_pool *pool = img->pool, *dest = img->dest_pool;

	mutex_lock(&pfs_pools_lock);
	spin_lock_irq(&pool->lock);
	list_del(&img->pool_node);
	spin_unlock_irq(&pool->lock);
	pfs_pool_put(pool);
	if (dest) {
		spin_lock_irq(&dest->lock);
		list_del(&img->dest_node);
		spin_unlock_irq(&dest->lock);
		pfs_pool_put(dest);
	}
	mutex_unlock(&pfs_pools_lock);
	img->pool = NULL;
	img->dest_pool = NULL;
}

/*
 * pfsadm calibrate wrote a new model: read it from the superblock, for
 * the pool this image is in. A superblock of another pool (reformatted
 * under live images) is refused.
 */
int pfs_pool_reload_model(struct pfs_image *img)
{
	struct pfs_image_entry *entry;
	struct pfs_superblock *sb;
	char *why;
	int r = -ENOMEM;

	sb = kmalloc(sizeof(*sb), GFP_KERNEL);
	entry = kmalloc(sizeof(*entry), GFP_KERNEL);
	if (!sb || !entry)
		goto out;
	r = pfs_metadata_read_image(img->pool_dev, img->name, sb, entry, &why);
	if (r) {
		DMWARN("%s: cannot reload the cost model: %s", img->name, why);
		goto out;
	}
	if (memcmp(sb->pool_uuid, img->pool->uuid, PFS_UUID_LEN)) {
		DMWARN("%s: cannot reload the cost model: the pool was reformatted",
		       img->name);
		r = -EINVAL;
		goto out;
	}
	pfs_pool_set_model(img->pool, sb);
out:
	kfree(entry);
	kfree(sb);
	return r;
}
