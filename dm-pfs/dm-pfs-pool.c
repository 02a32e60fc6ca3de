// SPDX-License-Identifier: GPL-2.0
/*
 * Pool objects: one per pool (by UUID) with active images, shared by those
 * images and refcounted by them. It is where the arbiter keeps its state
 * and where a second map of an image, or an overlapping map, is caught.
 */
#include <linux/blkdev.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dm-pfs.h"

/*
 * The registry of live maps: one pool object per pool UUID, whatever path
 * or device number reaches it (a disk and a multipath map over it, two
 * loop devices on one file, a linear alias). Every live pfs target is on
 * its pool's image list with the extent it maps, so a second map of an
 * image, or any map overlapping a live one, is refused however it is named.
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

/* Does a live image of another pool sit on the device @dev? */
static bool pfs_dev_holds_other_pool(dev_t dev, const u8 *uuid)
{
	struct pfs_image *img;
	struct pfs_pool *pool;
	bool found = false;

	list_for_each_entry(pool, &pfs_pools, node) {
		if (!memcmp(pool->uuid, uuid, PFS_UUID_LEN))
			continue;
		spin_lock_irq(&pool->lock);
		list_for_each_entry(img, &pool->images, pool_node)
			if (img->pool_dev->bdev->bd_dev == dev)
				found = true;
		spin_unlock_irq(&pool->lock);
		if (found)
			break;
	}
	return found;
}

static struct pfs_pool *pfs_pool_create(struct block_device *bdev, const u8 *uuid)
{
	struct pfs_pool *pool = kzalloc(sizeof(*pool), GFP_KERNEL);

	if (!pool)
		return NULL;
	refcount_set(&pool->ref, 1);
	memcpy(pool->uuid, uuid, PFS_UUID_LEN);
	pfs_arb_init(&pool->arb, pfs_now_ns());
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->images);
	list_add(&pool->node, &pfs_pools);
	return pool;
}

/* Do any of the extents of @a and @b (a move's destination too) overlap? */
static bool pfs_images_overlap(struct pfs_image *a, struct pfs_image *b)
{
	sector_t as[2], al[2], bs[2], bl[2];
	unsigned int na = pfs_copy_extents(a, as, al), nb = pfs_copy_extents(b, bs, bl);
	unsigned int i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (as[i] < bs[j] + bl[j] && bs[j] < as[i] + al[i])
				return true;
	return false;
}

/*
 * Why @img may not join @pool's live maps, or NULL. A reload of the same
 * dm device (a new table while the old one is still live) may map the
 * same extent; anything else may not: not the same image by another
 * device or twice in one table, and not an overlapping extent.
 */
static const char *pfs_pool_conflict(struct pfs_pool *pool, struct pfs_image *img)
{
	const char *why = NULL;
	struct pfs_image *other;

	spin_lock_irq(&pool->lock);
	list_for_each_entry(other, &pool->images, pool_node) {
		if (other->md == img->md && other->ti->table != img->ti->table)
			continue;
		if (!memcmp(other->uuid, img->uuid, PFS_UUID_LEN)) {
			why = "Image is already active in another device";
			break;
		}
		if (pfs_images_overlap(other, img)) {
			why = "Range overlaps a live map of another image";
			break;
		}
	}
	spin_unlock_irq(&pool->lock);
	return why;
}

/* The latest superblock read sets the pool's cost model. */
static void pfs_pool_set_model(struct pfs_pool *pool, const struct pfs_superblock *sb)
{
	struct pfs_cost_model m;

	pfs_arb_model_from_sb(sb, &m);
	spin_lock_irq(&pool->lock);
	pool->arb.model = m;
	spin_unlock_irq(&pool->lock);
}

int pfs_pool_attach(struct pfs_image *img, const struct pfs_superblock *sb,
		    char **error)
{
	const u8 *pool_uuid = sb->pool_uuid;
	struct block_device *bdev = img->pool_dev->bdev;
	struct pfs_pool *pool;
	const char *why;
	int r = 0;

	mutex_lock(&pfs_pools_lock);
	if (pfs_dev_holds_other_pool(bdev->bd_dev, pool_uuid)) {
		/* Reformatted under live images: never mix two pools. */
		*error = "Pool was reformatted while images are active";
		r = -EBUSY;
		goto out;
	}
	pool = pfs_pool_find(pool_uuid);
	if (pool) {
		why = pfs_pool_conflict(pool, img);
		if (why) {
			/* ti->error only ever points at string literals. */
			*error = (char *)why;
			r = -EBUSY;
			goto out;
		}
		refcount_inc(&pool->ref);
	} else {
		pool = pfs_pool_create(bdev, pool_uuid);
		if (!pool) {
			*error = "Cannot allocate pool";
			r = -ENOMEM;
			goto out;
		}
	}
	img->pool = pool;
	pfs_pool_set_model(pool, sb);
	spin_lock_irq(&pool->lock);
	list_add_tail(&img->pool_node, &pool->images);
	spin_unlock_irq(&pool->lock);
out:
	mutex_unlock(&pfs_pools_lock);
	return r;
}

void pfs_pool_detach(struct pfs_image *img)
{
	struct pfs_pool *pool = img->pool;

	mutex_lock(&pfs_pools_lock);
	spin_lock_irq(&pool->lock);
	list_del(&img->pool_node);
	spin_unlock_irq(&pool->lock);
	if (refcount_dec_and_test(&pool->ref)) {
		list_del(&pool->node);
		kfree(pool);
	}
	mutex_unlock(&pfs_pools_lock);
	img->pool = NULL;
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
