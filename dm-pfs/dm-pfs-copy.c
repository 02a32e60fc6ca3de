// SPDX-License-Identifier: GPL-2.0
/*
 * Moving an image while its VM runs. dm-kcopyd copies the extent to its
 * destination one region at a time, in order; regions below the cursor
 * are on the destination. A bio never crosses a region (max_io_len).
 *
 *   read   below the cursor: destination; else the source.
 *   write  below what pfsadm committed: destination only. Between that and
 *          the cursor: both, so the source stays current for whatever a
 *          restart (from the committed point) copies again. Into the
 *          region being copied: held until its copy ends. Above: source.
 *
 * A region is copied only once no write to it is pending (per-region
 * counts, taken at map and dropped at completion), so no write lands on
 * the source behind the copy. pfsadm commits the cursor to the table and
 * tells the target with the copy_committed message; a crash or power cut
 * resumes from the committed point. Copies run between the VM's own
 * bursts: a region after the image has been quiet, or after a short wait.
 */
#include <linux/dm-kcopyd.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "dm-pfs.h"

/* How long the copy yields to an image with I/O in flight, per region. */
#define PFS_COPY_YIELD_JIFFIES	max(1UL, msecs_to_jiffies(2))

struct pfs_copy {
	struct pfs_image *img;
	struct dm_kcopyd_client *kc;
	struct bio_set clones;		/* the destination's half of a dual write */
	struct workqueue_struct *wq;
	struct delayed_work step;	/* start the next region's copy */
	struct work_struct release;	/* map again what waited for a region */
	wait_queue_head_t wait;		/* region writes drained; copy idle */

	sector_t dest;			/* first sector of the destination */
	unsigned int shift;		/* log2 of the region, sectors */
	u32 nr_regions;
	atomic_t *writes;		/* pending writes per region */

	spinlock_t lock;		/* everything below */
	u32 next;			/* regions below it are copied */
	u32 committed;			/* regions below it are committed */
	bool busy;			/* region next is being copied */
	bool paused;			/* suspended, or not yet resumed */
	bool failed;			/* a copy failed: the move stops */
	struct bio_list held;		/* writes into region next, while busy */
};

static bool pfs_copy_image_busy(struct pfs_image *img)
{
	return atomic_read(&img->in_flight) || READ_ONCE(img->nr_queued);
}

static void pfs_copy_done(int read_err, unsigned long write_err, void *context);

/* Copy region next, once no write to it is pending. */
static void pfs_copy_step(struct work_struct *work)
{
	struct pfs_copy *c = container_of(to_delayed_work(work), struct pfs_copy, step);
	struct pfs_image *img = c->img;
	struct dm_io_region from, to;
	sector_t off;
	u32 k;

	spin_lock_irq(&c->lock);
	if (c->busy || c->paused || c->failed || c->next >= c->nr_regions) {
		spin_unlock_irq(&c->lock);
		return;
	}
	k = c->next;
	c->busy = true;		/* from now on, writes into k wait */
	spin_unlock_irq(&c->lock);

	wait_event(c->wait, !atomic_read(&c->writes[k]));
	off = (sector_t)k << c->shift;
	from.bdev = img->pool_dev->bdev;
	from.sector = img->start + off;
	from.count = min_t(sector_t, (sector_t)1 << c->shift, img->len - off);
	to = from;
	to.sector = c->dest + off;
	dm_kcopyd_copy(c->kc, &from, 1, &to, 0, pfs_copy_done, c);
}

static void pfs_copy_done(int read_err, unsigned long write_err, void *context)
{
	struct pfs_copy *c = context;
	unsigned long flags;
	bool more;

	spin_lock_irqsave(&c->lock, flags);
	if (read_err || write_err)
		c->failed = true;
	else
		c->next++;
	c->busy = false;
	more = !c->failed && !c->paused && c->next < c->nr_regions;
	spin_unlock_irqrestore(&c->lock, flags);
	if (read_err || write_err)
		DMERR("%s: copy to sector %llu failed; the move stops", c->img->name,
		      (unsigned long long)c->dest);
	queue_work(c->wq, &c->release);
	wake_up(&c->wait);
	if (more)
		queue_delayed_work(c->wq, &c->step,
				   pfs_copy_image_busy(c->img) ? PFS_COPY_YIELD_JIFFIES : 0);
}

/* Writes that waited for a region: through the path again, now routed. */
static void pfs_copy_release(struct work_struct *work)
{
	struct pfs_copy *c = container_of(work, struct pfs_copy, release);
	struct bio_list list;
	struct bio *bio;

	spin_lock_irq(&c->lock);
	list = c->held;
	bio_list_init(&c->held);
	spin_unlock_irq(&c->lock);
	while ((bio = bio_list_pop(&list)))
		if (pfs_io_map(c->img, bio) == DM_MAPIO_REMAPPED)
			dm_submit_bio_remap(bio, NULL);
}

int pfs_copy_create(struct pfs_image *img, const struct pfs_image_entry *e, char **error)
{
	u32 region = le32_to_cpu(e->copy_region);
	u64 len = le64_to_cpu(e->length), done = le64_to_cpu(e->copy_done);
	struct pfs_copy *c;
	int r = -ENOMEM;

	if (img->len != len) {
		*error = "A moving image is mapped whole";
		return -EINVAL;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto fail;
	c->img = img;
	c->dest = le64_to_cpu(e->copy_dest);
	c->shift = ilog2(region);
	c->nr_regions = DIV_ROUND_UP_ULL(len, region);
	c->next = done == len ? c->nr_regions : done >> c->shift;
	c->committed = c->next;
	c->paused = true;
	spin_lock_init(&c->lock);
	bio_list_init(&c->held);
	init_waitqueue_head(&c->wait);
	INIT_DELAYED_WORK(&c->step, pfs_copy_step);
	INIT_WORK(&c->release, pfs_copy_release);
	c->writes = kvcalloc(c->nr_regions, sizeof(*c->writes), GFP_KERNEL);
	if (!c->writes)
		goto fail_free;
	if (bioset_init(&c->clones, 64, 0, BIOSET_NEED_BVECS))
		goto fail_writes;
	c->wq = alloc_workqueue("pfs-copy-%s", WQ_MEM_RECLAIM | WQ_UNBOUND, 1, img->name);
	if (!c->wq)
		goto fail_bioset;
	c->kc = dm_kcopyd_client_create(NULL);
	if (IS_ERR(c->kc)) {
		r = PTR_ERR(c->kc);
		goto fail_wq;
	}
	img->copy = c;
	return 0;

fail_wq:
	destroy_workqueue(c->wq);
fail_bioset:
	bioset_exit(&c->clones);
fail_writes:
	kvfree(c->writes);
fail_free:
	kfree(c);
fail:
	*error = "Cannot set up the image's copy";
	return r;
}

void pfs_copy_destroy(struct pfs_image *img)
{
	struct pfs_copy *c = img->copy;

	if (!c)
		return;
	pfs_copy_pause(img);
	cancel_delayed_work_sync(&c->step);
	dm_kcopyd_client_destroy(c->kc);
	destroy_workqueue(c->wq);
	bioset_exit(&c->clones);
	kvfree(c->writes);
	kfree(c);
	img->copy = NULL;
}

/* presuspend: finish the region under way, start no other. */
void pfs_copy_pause(struct pfs_image *img)
{
	struct pfs_copy *c = img->copy;

	if (!c)
		return;
	spin_lock_irq(&c->lock);
	c->paused = true;
	spin_unlock_irq(&c->lock);
}

/* postsuspend: the region under way is done, and what it held mapped. */
void pfs_copy_quiesce(struct pfs_image *img)
{
	struct pfs_copy *c = img->copy;

	if (!c)
		return;
	wait_event(c->wait, !READ_ONCE(c->busy));
	flush_workqueue(c->wq);
}

void pfs_copy_resume(struct pfs_image *img)
{
	struct pfs_copy *c = img->copy;

	if (!c)
		return;
	spin_lock_irq(&c->lock);
	c->paused = false;
	spin_unlock_irq(&c->lock);
	queue_delayed_work(c->wq, &c->step, 0);
}

static void pfs_copy_clone_end(struct bio *clone)
{
	struct bio *bio = clone->bi_private;

	if (clone->bi_status && !bio->bi_status)
		bio->bi_status = clone->bi_status;
	bio_put(clone);
	bio_endio(bio);
}

/* The destination's half of a write that must land on both. */
static void pfs_copy_write_both(struct pfs_copy *c, struct bio *bio, sector_t off)
{
	struct bio *clone = bio_alloc_clone(c->img->pool_dev->bdev, bio, GFP_NOIO, &c->clones);

	clone->bi_opf &= ~REQ_NOWAIT;
	clone->bi_iter.bi_sector = c->dest + off;
	clone->bi_end_io = pfs_copy_clone_end;
	clone->bi_private = bio;
	/* @bio completes once both halves have. */
	bio_inc_remaining(bio);
	submit_bio_noacct(clone);
}

static bool pfs_copy_is_write(struct bio *bio)
{
	return op_is_write(bio_op(bio)) && bio_sectors(bio);
}

/*
 * Route a bio of the image (@off: its first sector in the image) while it
 * moves: *@base becomes the extent it goes to (the source is the default),
 * and a write between the committed point and the cursor also goes to the
 * destination. Reads and writes never cross a region (max_io_len); a
 * discard or write-zeroes may, so a write is counted on every region it
 * covers, held if any of them is being copied, and written to both
 * extents unless all of it lies on one side.
 */
enum pfs_copy_route pfs_copy_route(struct pfs_image *img, struct bio *bio, sector_t off,
				   sector_t *base)
{
	struct pfs_bio *pb = dm_per_bio_data(bio, sizeof(struct pfs_bio));
	struct pfs_copy *c = img->copy;
	u32 first = off >> c->shift, last, k;
	bool both = false;

	spin_lock_irq(&c->lock);
	if (!pfs_copy_is_write(bio)) {
		if (first < c->next)
			*base = c->dest;
		spin_unlock_irq(&c->lock);
		return PFS_COPY_MAPPED;
	}
	last = (off + bio_sectors(bio) - 1) >> c->shift;
	if (c->busy && first <= c->next && c->next <= last) {
		bio->bi_opf &= ~REQ_NOWAIT;
		bio_list_add(&c->held, bio);
		spin_unlock_irq(&c->lock);
		return PFS_COPY_HELD;
	}
	for (k = first; k <= last; k++)
		atomic_inc(&c->writes[k]);
	pb->copy_first = first;
	pb->copy_count = last - first + 1;
	if (last < c->committed)
		*base = c->dest;
	else if (first < c->next)
		both = true;
	spin_unlock_irq(&c->lock);
	if (both)
		pfs_copy_write_both(c, bio, off);
	return PFS_COPY_MAPPED;
}

void pfs_copy_end(struct pfs_image *img, struct bio *bio)
{
	struct pfs_bio *pb = dm_per_bio_data(bio, sizeof(struct pfs_bio));
	struct pfs_copy *c = img->copy;
	bool drained = false;
	u32 k;

	if (!c || !pb->copy_count)
		return;
	for (k = pb->copy_first; k < pb->copy_first + pb->copy_count; k++)
		drained |= atomic_dec_and_test(&c->writes[k]);
	pb->copy_count = 0;
	if (drained && READ_ONCE(c->busy))
		wake_up(&c->wait);
}

void pfs_copy_status(struct pfs_image *img, char *result, unsigned int maxlen,
		     unsigned int *szp)
{
	struct pfs_copy *c = img->copy;
	unsigned int sz = *szp;
	u64 done, committed;
	bool failed;

	if (!c)
		return;
	spin_lock_irq(&c->lock);
	done = min_t(u64, (u64)c->next << c->shift, img->len);
	committed = min_t(u64, (u64)c->committed << c->shift, img->len);
	failed = c->failed;
	spin_unlock_irq(&c->lock);
	DMEMIT(" copy_dest=%llu copy_done=%llu copy_committed=%llu copy_failed=%u",
	       (unsigned long long)c->dest, done, committed, failed);
	*szp = sz;
}

/* "copy_committed <sectors>": the table holds the copy up to there. */
int pfs_copy_commit(struct pfs_image *img, u64 sectors)
{
	struct pfs_copy *c = img->copy;
	int r = 0;

	if (!c)
		return -EINVAL;
	spin_lock_irq(&c->lock);
	if (sectors > min_t(u64, (u64)c->next << c->shift, img->len) ||
	    (sectors != img->len && sectors & (((u64)1 << c->shift) - 1)))
		r = -EINVAL;
	else if (sectors == img->len)
		c->committed = c->nr_regions;
	else
		c->committed = max_t(u32, c->committed, sectors >> c->shift);
	spin_unlock_irq(&c->lock);
	return r;
}

unsigned int pfs_copy_extents(struct pfs_image *img, sector_t start[2], sector_t len[2])
{
	start[0] = img->start;
	len[0] = img->len;
	if (!img->copy)
		return 1;
	start[1] = img->copy->dest;
	len[1] = img->len;
	return 2;
}
