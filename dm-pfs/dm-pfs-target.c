// SPDX-License-Identifier: GPL-2.0
/*
 * dm-pfs target: maps one VM image's extent of a pool.
 *
 * Table line: pfs <pool device> <image name> <start sector> [<pool device>]
 * (the second pool: only while the image moves there, and then required)
 *
 * The constructor reads the pool's table and refuses a line that does not
 * lie inside one image's extent, from its start, or that another live map
 * of the pool already covers, so a table cannot reach another image's
 * space. The remap is one addition; the image's I/O path is in
 * dm-pfs-io.c and the sharing of the device in dm-pfs-arbiter.c.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dm-pfs.h"
#include "pfs-table.h"

static int pfs_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct pfs_image_entry entry;
	struct pfs_superblock sb;
	unsigned long long start;
	struct pfs_image *img;
	char dummy;
	int r;

	if (argc != 3 && argc != 4) {
		ti->error = "Invalid argument count: need <pool> <image> <start> [<pool moved to>]";
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
	img->ti = ti;
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
	/*
	 * The start must be the image's; the length may be shorter, so that a
	 * shrink can map the smaller size before the table records it.
	 */
	if (le64_to_cpu(entry.start) != start ||
	    ti->len > le64_to_cpu(entry.length)) {
		ti->error = "Range is not inside the image's extent";
		r = -EINVAL;
		goto bad_dev;
	}
	/* Its source writes into it until the copy is done. */
	if (le32_to_cpu(entry.flags) & PFS_IMAGE_CLONE) {
		ti->error = "Image is a clone still being copied";
		r = -EBUSY;
		goto bad_dev;
	}
	/* Its own pool's device writes into it until the move switches. */
	if (le32_to_cpu(entry.flags) & PFS_IMAGE_INCOMING) {
		ti->error = "Image is being moved here from another pool";
		r = -EBUSY;
		goto bad_dev;
	}
	if (le32_to_cpu(entry.flags) & PFS_IMAGE_TO_POOL ? argc == 3 : argc == 4) {
		ti->error = argc == 3 ? "Image moves to another pool: name that pool's device" :
					"Image is not moving to another pool";
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

	if (le32_to_cpu(entry.flags) & PFS_IMAGE_COPYING) {
		/* Reads and writes stay inside one region of the copy. */
		r = dm_set_target_max_io_len(ti, le32_to_cpu(entry.copy_region));
		if (!r && argc == 4)
			r = pfs_copy_dest_pool(img, sb.pool_uuid, &entry, argv[3], &ti->error);
		if (!r)
			r = pfs_copy_create(img, &entry, &ti->error);
		if (r)
			goto bad_dev;
	}
	r = pfs_pool_attach(img, &sb, &ti->error);
	if (r)
		goto bad_copy;
	r = pfs_io_start(img);
	if (r) {
		ti->error = "Cannot start the image's worker";
		goto bad_pool;
	}

	/* Moving to another pool: one flush for each pool (dm-pfs-io.c). */
	ti->num_flush_bios = img->dest_dev ? 2 : 1;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct pfs_bio);
	/* Queued bios are sent later with dm_submit_bio_remap(). */
	ti->accounts_remapped_io = true;
	ti->private = img;
	return 0;

bad_pool:
	pfs_pool_detach(img);
bad_copy:
	pfs_copy_destroy(img);
bad_dev:
	if (img->dest_dev)
		dm_put_device(ti, img->dest_dev);
	dm_put_device(ti, img->pool_dev);
bad:
	kfree(img);
	return r;
}

static void pfs_dtr(struct dm_target *ti)
{
	struct pfs_image *img = ti->private;

	/* Its held writes go through the I/O path: stop the copy first. */
	pfs_copy_destroy(img);
	/* Leave first: no completion on the pool may kick a stopped worker. */
	pfs_arbiter_leave(img);
	pfs_pool_detach(img);
	pfs_io_stop(img);
	if (img->dest_dev)
		dm_put_device(ti, img->dest_dev);
	dm_put_device(ti, img->pool_dev);
	kfree(img);
}

static int pfs_map(struct dm_target *ti, struct bio *bio)
{
	return pfs_io_map(ti->private, bio);
}

static int pfs_end_io(struct dm_target *ti, struct bio *bio,
		      blk_status_t *error)
{
	/* Errors from the device pass up unchanged. */
	pfs_io_end(ti->private, bio);
	return DM_ENDIO_DONE;
}

static void pfs_presuspend(struct dm_target *ti)
{
	pfs_copy_pause(ti->private);
	pfs_io_drain(ti->private);
}

static void pfs_presuspend_undo(struct dm_target *ti)
{
	pfs_io_resume(ti->private);
	pfs_copy_resume(ti->private);
}

static void pfs_postsuspend(struct dm_target *ti)
{
	/* The region under way ends, and what it held goes, before parking. */
	pfs_copy_quiesce(ti->private);
	pfs_io_park(ti->private);
}

static void pfs_resume(struct dm_target *ti)
{
	pfs_io_resume(ti->private);
	pfs_copy_resume(ti->private);
}

/*
 * The arbiter's view: device time charged to the image (ns), how often it
 * waited for its share or the pool's budget, and the pool's budget of
 * device time in flight (ns) and its floor, how many windows found the
 * device congested and how many probed its unloaded latency, the pace
 * and how many windows it held a bio back in; whether the
 * image is the pool's solo one (its bios skip the arbiter: not charged)
 * and how often an image of the pool went solo.
 */
static void pfs_status_arbiter(struct pfs_image *img, char *result,
			       unsigned int maxlen, unsigned int *szp)
{
	struct pfs_pool *pool = img->pool;
	u64 charged, waits, budget, floor, congested, probes, solos, pace, paced;
	u32 best_permille, class_best_permille;
	struct pfs_cost_model m;
	unsigned int sz = *szp;
	bool solo;

	spin_lock_irq(&pool->lock);
	solo = pool->arb.solo == &img->arb;
	solos = pool->arb.solos;
	charged = img->arb.charged_ns;
	waits = img->arb.waits;
	budget = pool->arb.budget_ns;
	floor = pool->arb.floor_ns;
	congested = pool->arb.congested_windows;
	probes = pool->arb.probes;
	pace = pool->arb.pace_rate;
	paced = pool->arb.paced_windows;
	best_permille = pool->arb.span_best_permille;
	class_best_permille = pool->arb.span_class_best_permille;
	m = pool->arb.model;
	spin_unlock_irq(&pool->lock);
	DMEMIT(" charged_ns=%llu arb_waits=%llu pool_budget_ns=%llu pool_floor_ns=%llu",
	       charged, waits, budget, floor);
	DMEMIT(" congested=%llu probes=%llu solo=%d pool_solos=%llu", congested, probes,
	       solo, solos);
	/* read_op,write_op,read_mib,write_mib,seq_pct,flush,discard */
	DMEMIT(" cost_model=%u,%u,%u,%u,%u,%u,%u", m.read_op_ns, m.write_op_ns,
	       m.read_mib_ns, m.write_mib_ns, m.seq_op_pct, m.flush_ns, m.discard_ns);
	/* Device time the pacer sends per second, in 1/1000 (0: not pacing). */
	DMEMIT(" pool_pace_permille=%llu pool_paced_windows=%llu",
	       (pace * 1000) >> PFS_ARB_RATE_SHIFT, paced);
	/* The last span's best latency over cost, in 1/1000: one sign of a token bucket. */
	DMEMIT(" pool_best_permille=%u", best_permille);
	/* The same, its lowest over one class of ops (reported, not a sign). */
	DMEMIT(" pool_best_class_permille=%u", class_best_permille);
	*szp = sz;
}

static void pfs_status_info(struct pfs_image *img, char *result,
			    unsigned int maxlen)
{
	struct pfs_stats st;
	unsigned int sz = 0, i;

	pfs_io_stats(img, &st);
	DMEMIT("reads=%llu writes=%llu read_sectors=%llu write_sectors=%llu",
	       st.reads, st.writes, st.read_sectors, st.write_sectors);
	DMEMIT(" flushes=%llu discards=%llu", st.flushes, st.discards);
	DMEMIT(" in_flight=%ld queued=%u queued_bytes=%u throttled=%llu queue_full=%llu",
	       pfs_io_in_flight(img, false), READ_ONCE(img->nr_queued),
	       READ_ONCE(img->queued_bytes), st.throttled, st.queue_full);
	DMEMIT(" weight=%u iops_max=%llu bps_max=%llu",
	       READ_ONCE(img->weight),
	       (unsigned long long)READ_ONCE(img->iops_max),
	       (unsigned long long)READ_ONCE(img->bps_max));
	pfs_status_arbiter(img, result, maxlen, &sz);
	pfs_copy_status(img, result, maxlen, &sz);
	/* Which pool and image this is, whatever the device and path names. */
	DMEMIT(" pool_uuid=%pUb image_uuid=%pUb", img->pool->uuid, img->uuid);
	/* Latency from map to completion, in us: "<limit>:<count>,...". */
	DMEMIT(" lat_us=");
	for (i = 0; i < PFS_LAT_BUCKETS - 1; i++)
		DMEMIT("%llu:%llu,", 16ULL << (2 * i), st.latency[i]);
	DMEMIT("inf:%llu", st.latency[i]);
}

static void pfs_status(struct dm_target *ti, status_type_t type,
		       unsigned int status_flags, char *result,
		       unsigned int maxlen)
{
	struct pfs_image *img = ti->private;
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		pfs_status_info(img, result, maxlen);
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %s %llu", img->pool_dev->name, img->name,
		       (unsigned long long)img->start);
		if (img->dest_dev)
			DMEMIT(" %s", img->dest_dev->name);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",pool_device=%s,image=%s,start=%llu;",
		       img->pool_dev->name, img->name,
		       (unsigned long long)img->start);
		break;
	}
}

/*
 * "weight <1..10000>", "iops_max <n>", "bps_max <bytes/s>" (0: no cap),
 * "reset_stats".
 */
static int pfs_message(struct dm_target *ti, unsigned int argc, char **argv,
		       char *result, unsigned int maxlen)
{
	struct pfs_image *img = ti->private;
	unsigned long long value;
	char dummy;

	if (argc == 1 && !strcasecmp(argv[0], "reset_stats")) {
		pfs_io_reset_stats(img);
		return 0;
	}
	if (argc == 1 && !strcasecmp(argv[0], "reload_cost_model"))
		return pfs_pool_reload_model(img);
	if (argc == 2 && !strcasecmp(argv[0], "copy_committed") &&
	    sscanf(argv[1], "%llu%c", &value, &dummy) == 1) {
		if (pfs_copy_commit(img, value)) {
			DMWARN("%s: copy_committed %llu: not copying, or not where the copy is",
			       img->name, value);
			return -EINVAL;
		}
		return 0;
	}
	if (argc != 2 || sscanf(argv[1], "%llu%c", &value, &dummy) != 1) {
		DMWARN("%s: message needs <key> <number>, reset_stats or reload_cost_model",
		       img->name);
		return -EINVAL;
	}
	if (!strcasecmp(argv[0], "weight")) {
		if (value < 1 || value > PFS_MAX_WEIGHT) {
			DMWARN("%s: weight must be 1..%u", img->name, PFS_MAX_WEIGHT);
			return -EINVAL;
		}
		pfs_arbiter_set_weight(img, value);
	} else if (!strcasecmp(argv[0], "iops_max") || !strcasecmp(argv[0], "bps_max")) {
		if (value > PFS_MAX_RATE) {
			DMWARN("%s: caps go up to %llu", img->name, PFS_MAX_RATE);
			return -EINVAL;
		}
		pfs_io_set_cap(img, !strcasecmp(argv[0], "bps_max"), value);
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
	int r = fn(ti, img->pool_dev, img->start, ti->len, data);

	/* A move to another pool writes there too: its limits count. */
	if (!r && img->dest_dev)
		r = fn(ti, img->dest_dev, img->dest_start, ti->len, data);
	return r;
}

/*
 * As dm-linear: a bio is remapped whole, so integrity metadata and inline
 * encryption contexts pass through; map never sleeps for a REQ_NOWAIT bio
 * (a full queue ends it with BLK_STS_AGAIN instead).
 */
static struct target_type pfs_target = {
	.name = "pfs",
	.version = {0, 2, 0},
	.features = DM_TARGET_PASSES_INTEGRITY | DM_TARGET_NOWAIT |
		    DM_TARGET_PASSES_CRYPTO,
	.module = THIS_MODULE,
	.ctr = pfs_ctr,
	.dtr = pfs_dtr,
	.map = pfs_map,
	.end_io = pfs_end_io,
	.presuspend = pfs_presuspend,
	.presuspend_undo = pfs_presuspend_undo,
	.postsuspend = pfs_postsuspend,
	.resume = pfs_resume,
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
MODULE_AUTHOR("dm-pfs maintainers <maintainers@users.noreply.r-seed-d3e8e24e.example>");
MODULE_LICENSE("GPL");
