// SPDX-License-Identifier: GPL-2.0
/*
 * Pool objects: one per backing device with active images, shared by those
 * images and refcounted by them. It is where the arbiter keeps its state
 * and where a second mapping of an image is caught.
 */
#include <linux/blkdev.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dm-pfs.h"

#define PFS_DEFAULT_DEPTH	128

static LIST_HEAD(pfs_pools);
static DEFINE_MUTEX(pfs_pools_lock);

static struct pfs_pool *pfs_pool_find(dev_t dev)
{
	struct pfs_pool *pool;

	list_for_each_entry(pool, &pfs_pools, node)
		if (pool->dev == dev)
			return pool;
	return NULL;
}

static struct pfs_pool *pfs_pool_create(struct block_device *bdev, const u8 *uuid)
{
	struct pfs_pool *pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	unsigned int depth;

	if (!pool)
		return NULL;
	refcount_set(&pool->ref, 1);
	pool->dev = bdev->bd_dev;
	memcpy(pool->uuid, uuid, PFS_UUID_LEN);
	depth = blk_queue_depth(bdev_get_queue(bdev));
	pool->depth = depth ? depth : PFS_DEFAULT_DEPTH;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->images);
	list_add(&pool->node, &pfs_pools);
	return pool;
}

/*
 * Is the image @img maps already mapped elsewhere: by another dm device, or
 * by another target of the same table? (A reload of the same device, in a
 * new table, may map it while the old table is still live.)
 */
static bool pfs_pool_mapped_elsewhere(struct pfs_pool *pool, struct pfs_image *img)
{
	struct pfs_image *other;
	bool found = false;

	spin_lock_irq(&pool->lock);
	list_for_each_entry(other, &pool->images, pool_node) {
		if (!memcmp(other->uuid, img->uuid, PFS_UUID_LEN) &&
		    (other->md != img->md || other->ti->table == img->ti->table)) {
			found = true;
			break;
		}
	}
	spin_unlock_irq(&pool->lock);
	return found;
}

int pfs_pool_attach(struct pfs_image *img, const u8 *pool_uuid, char **error)
{
	struct block_device *bdev = img->pool_dev->bdev;
	struct pfs_pool *pool;
	int r = 0;

	mutex_lock(&pfs_pools_lock);
	pool = pfs_pool_find(bdev->bd_dev);
	if (pool) {
		if (memcmp(pool->uuid, pool_uuid, PFS_UUID_LEN)) {
			/* Reformatted under live images: never mix two pools. */
			*error = "Pool was reformatted while images are active";
			r = -EBUSY;
			goto out;
		}
		if (pfs_pool_mapped_elsewhere(pool, img)) {
			*error = "Image is already active in another device";
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
