// SPDX-License-Identifier: GPL-2.0
/*
 * dm-pfs target: maps one VM image's extent of a pool.
 *
 * Table line: pfs <pool device> <image name> <start sector>
 *
 * The constructor reads the pool's table and refuses a line that does not
 * describe exactly one image's extent, so a table cannot reach another
 * image's space. The remap is one addition.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dm-pfs.h"
#include "pfs-table.h"

/* Images mapped by some dm device, so that one cannot be mapped twice. */
static LIST_HEAD(pfs_active_images);
static DEFINE_MUTEX(pfs_active_lock);

/* A reload of the same dm device may map the image again; another may not. */
static int pfs_claim_image(struct pfs_image *img)
{
	struct pfs_image *other;
	int r = 0;

	mutex_lock(&pfs_active_lock);
	list_for_each_entry(other, &pfs_active_images, active_node) {
		if (!memcmp(other->pool_uuid, img->pool_uuid, PFS_UUID_LEN) &&
		    !memcmp(other->uuid, img->uuid, PFS_UUID_LEN) &&
		    other->md != img->md) {
			r = -EBUSY;
			break;
		}
	}
	if (!r)
		list_add(&img->active_node, &pfs_active_images);
	mutex_unlock(&pfs_active_lock);
	return r;
}

static void pfs_release_image(struct pfs_image *img)
{
	mutex_lock(&pfs_active_lock);
	list_del(&img->active_node);
	mutex_unlock(&pfs_active_lock);
}

static int pfs_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct pfs_image_entry entry;
	struct pfs_superblock sb;
	unsigned long long start;
	struct pfs_image *img;
	char dummy;
	int r;

	if (argc != 3) {
		ti->error = "Invalid argument count: need <pool> <image> <start>";
		return -EINVAL;
	}
	if (sscanf(argv[2], "%llu%c", &start, &dummy) != 1) {
		ti->error = "Invalid start sector";
		return -EINVAL;
	}
	if (strnlen(argv[1], PFS_NAME_LEN) >= PFS_NAME_LEN) {
		ti->error = "Image name too long";
		return -EINVAL;
	}

	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img) {
		ti->error = "Cannot allocate context";
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&img->active_node);
	img->md = dm_table_get_md(ti->table);

	r = dm_get_device(ti, argv[0], dm_table_get_mode(ti->table), &img->pool_dev);
	if (r) {
		ti->error = "Pool device lookup failed";
		goto bad;
	}

	r = pfs_metadata_read_image(img->pool_dev, argv[1], &sb, &entry,
				    &ti->error);
	if (r)
		goto bad_dev;
	if (le64_to_cpu(entry.start) != start ||
	    le64_to_cpu(entry.length) != ti->len) {
		ti->error = "Range is not the image's extent";
		r = -EINVAL;
		goto bad_dev;
	}

	img->start = start;
	img->len = ti->len;
	img->weight = le32_to_cpu(entry.weight);
	img->iops_max = le64_to_cpu(entry.iops_max);
	img->bps_max = le64_to_cpu(entry.bps_max);
	strscpy(img->name, entry.name, sizeof(img->name));
	memcpy(img->uuid, entry.uuid, PFS_UUID_LEN);
	memcpy(img->pool_uuid, sb.pool_uuid, PFS_UUID_LEN);

	r = pfs_claim_image(img);
	if (r) {
		ti->error = "Image is already active in another device";
		goto bad_dev;
	}

	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->private = img;
	return 0;

bad_dev:
	dm_put_device(ti, img->pool_dev);
bad:
	kfree(img);
	return r;
}

static void pfs_dtr(struct dm_target *ti)
{
	struct pfs_image *img = ti->private;

	pfs_release_image(img);
	dm_put_device(ti, img->pool_dev);
	kfree(img);
}

static int pfs_map(struct dm_target *ti, struct bio *bio)
{
	struct pfs_image *img = ti->private;

	bio_set_dev(bio, img->pool_dev->bdev);
	if (bio_sectors(bio) || op_is_zone_mgmt(bio_op(bio)))
		bio->bi_iter.bi_sector = img->start +
			dm_target_offset(ti, bio->bi_iter.bi_sector);
	return DM_MAPIO_REMAPPED;
}

static void pfs_status(struct dm_target *ti, status_type_t type,
		       unsigned int status_flags, char *result,
		       unsigned int maxlen)
{
	struct pfs_image *img = ti->private;
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("weight=%u iops_max=%llu bps_max=%llu",
		       READ_ONCE(img->weight),
		       (unsigned long long)READ_ONCE(img->iops_max),
		       (unsigned long long)READ_ONCE(img->bps_max));
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %s %llu", img->pool_dev->name, img->name,
		       (unsigned long long)img->start);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",pool_device=%s,image=%s,start=%llu;",
		       img->pool_dev->name, img->name,
		       (unsigned long long)img->start);
		break;
	}
}

/* "weight <1..10000>", "iops_max <n>", "bps_max <bytes/s>"; 0 means no cap. */
static int pfs_message(struct dm_target *ti, unsigned int argc, char **argv,
		       char *result, unsigned int maxlen)
{
	struct pfs_image *img = ti->private;
	unsigned long long value;
	char dummy;

	if (argc != 2 || sscanf(argv[1], "%llu%c", &value, &dummy) != 1) {
		DMWARN("%s: message needs <key> <number>", img->name);
		return -EINVAL;
	}
	if (!strcasecmp(argv[0], "weight")) {
		if (value < 1 || value > PFS_MAX_WEIGHT) {
			DMWARN("%s: weight must be 1..%u", img->name, PFS_MAX_WEIGHT);
			return -EINVAL;
		}
		WRITE_ONCE(img->weight, value);
	} else if (!strcasecmp(argv[0], "iops_max")) {
		WRITE_ONCE(img->iops_max, value);
	} else if (!strcasecmp(argv[0], "bps_max")) {
		WRITE_ONCE(img->bps_max, value);
	} else {
		DMWARN("%s: unknown message %s", img->name, argv[0]);
		return -EINVAL;
	}
	return 0;
}

static int pfs_iterate_devices(struct dm_target *ti,
			       iterate_devices_callout_fn fn, void *data)
{
	struct pfs_image *img = ti->private;

	return fn(ti, img->pool_dev, img->start, ti->len, data);
}

static struct target_type pfs_target = {
	.name = "pfs",
	.version = {0, 1, 0},
	.module = THIS_MODULE,
	.ctr = pfs_ctr,
	.dtr = pfs_dtr,
	.map = pfs_map,
	.status = pfs_status,
	.message = pfs_message,
	.iterate_devices = pfs_iterate_devices,
};

static int __init dm_pfs_init(void)
{
	/* pfsadm checksums with ISA-L; refuse to load if we would disagree. */
	if (pfs_crc32c_selftest()) {
		DMERR("crc32c self-test failed");
		return -EINVAL;
	}
	return dm_register_target(&pfs_target);
}

static void __exit dm_pfs_exit(void)
{
	dm_unregister_target(&pfs_target);
}

module_init(dm_pfs_init);
module_exit(dm_pfs_exit);

MODULE_DESCRIPTION(DM_NAME " target mapping VM images onto a partitioned pool");
MODULE_AUTHOR("dm-pfs developers");
MODULE_LICENSE("GPL");
