// SPDX-License-Identifier: GPL-2.0
/*
 * Copying an image while its VM runs, one region at a time with dm-kcopyd.
 * A bio never crosses a region (max_io_len). The boundary is a region
 * number: regions below it are on the destination. Three kinds of copy:
 *
 *   move   the source to the destination, the boundary going up;
 *   back   a move undone (move --abort): the destination's regions below
 *          the boundary back to the source, the boundary going down;
 *   clone  the image to its clone, the boundary going up; the image stays
 *          on the source, its clone gets every write below the boundary.
 *   pool   as a clone, into the extent another pool holds for the image
 *          (img->dest_dev); pfsadm then switches the image to that pool.
 *
 *   read   below the boundary, from the destination (clone, pool: the
 *          source); else from the source.
 *   write  into the region being copied: held until its copy ends.
 *          Where a restart from what pfsadm committed would copy again:
 *          both extents, so that the copy's source stays current there.
 *          Below the boundary and the committed point: the destination
 *          only (clone: both). Elsewhere: the source.
 *
 * A region is copied only once no write to it is pending (per-region
 * counts, taken at map and dropped at completion), so no write lands
 * behind the copy. pfsadm commits the boundary to the table and tells the
 * target with the copy_committed message; a crash or power cut resumes
 * from the committed point. Copies run between the VM's own bursts: a
 * region after the image has been quiet, or after a short wait.
 *
 * Each region is also a tenant of the pool's arbiter, charged a read and
 * a write of its size, with the lowest weight there is: when images wait
 * for the device, they go first, and the copy has what they leave. A move
 * to another pool is a tenant of both pools' arbiters: of its own for the
 * reads, of the other for the writes, and it waits its turn in each.
 */
#include <linux/delay.h>
#include <linux/dm-kcopyd.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "dm-pfs.h"

/* About how long one unit of the copy holds the device (ns). */
#define PFS_COPY_UNIT_NS	500000
/* The longest pause between two units when the pool congests. */
#define PFS_COPY_GAP_MAX_NS	(100 * NSEC_PER_MSEC)
/* The copy's share against an image's PFS_DEFAULT_WEIGHT: what is left. */
#define PFS_COPY_WEIGHT		1
/* Units of a region in flight at once; past the first, only into room. */
#define PFS_COPY_UNITS_MAX	4

struct pfs_copy;

/* One unit of a region, from the source to the destination. */
struct pfs_copy_unit {
	struct pfs_copy *c;
	sector_t off;			/* its first sector in the image */
	sector_t len;
	u32 cost;			/* what it was charged */
	u32 dest_cost;			/* and the other pool, for a move there */
	bool used;
};

struct pfs_copy {
	struct pfs_image *img;
	struct dm_kcopyd_client *kc;
	struct block_device *dest_bdev;	/* the pool the destination is on */
	u8 dest_pool[PFS_UUID_LEN];	/* its UUID, for a move to another pool */
	struct bio_set clones;		/* the destination's half of a dual write */
	struct workqueue_struct *wq;
	struct delayed_work step;	/* start the next region's copy */
	struct hrtimer pace_timer;	/* the pace lets the next unit go */
	u64 paced;			/* units that waited for it (status) */
	struct work_struct release;	/* map again what waited for a region */
	wait_queue_head_t wait;		/* region writes drained; copy idle */

	enum pfs_copy_kind kind;
	sector_t dest;			/* first sector of the destination */
	unsigned int shift;		/* log2 of the region, sectors */
	u32 nr_regions;
	atomic_t *writes;		/* pending writes per region */

	spinlock_t lock;		/* everything below */
	u32 next;			/* the boundary: regions below it are on dest */
	u32 committed;			/* the boundary the table holds */
	bool busy;			/* the region at the boundary is being copied */
	unsigned int in_flight;		/* units of it in flight */
	sector_t unit_off;		/* the next unit's first sector in the image */
	struct pfs_copy_unit units[PFS_COPY_UNITS_MAX];
	struct pfs_arb_image arb;	/* the copy as the arbiter's tenant */
	struct pfs_arb_image dest_arb;	/* and the other pool's, for a move there */
	/* Backing off as the pool congests (the copy's worker only). */
	u64 region_start_ns;		/* when the region under way was begun */
	u64 gap_ns;			/* pause before the next unit */
	u64 seen_congested;		/* the pool's congested windows, last seen */
	u64 calm_since_ns;		/* no congestion since */
	bool paused;			/* suspended, or not yet resumed */
	bool failed;			/* a copy failed: the move stops */
	struct bio_list held;		/* writes into region next, while busy */
};

static void pfs_copy_done(int read_err, unsigned long write_err, void *context);

/*
 * The copy's unit within a region: what holds the device for about
 * PFS_COPY_UNIT_NS by the pool's cost model (a read and a write of it), a
 * power of two from 4 KiB to the region. An image's I/O waits behind at
 * most one unit. Under pool->lock.
 */
static unsigned int pfs_copy_unit_shift(struct pfs_copy *c)
{
	const struct pfs_cost_model *m = &c->img->pool->arb.model;
	u64 mib_ns = (u64)m->read_mib_ns + m->write_mib_ns;
	u64 bytes = div64_u64((u64)PFS_COPY_UNIT_NS << 20, max_t(u64, mib_ns, 1));
	unsigned int shift = ilog2(PFS_BLOCK_SECTORS);

	while (shift < c->shift && (2ULL << (shift + SECTOR_SHIFT)) <= bytes)
		shift++;
	return shift;
}

/* The pool a move to another pool writes into, or NULL. */
static struct pfs_pool *pfs_copy_other_pool(struct pfs_copy *c)
{
	return c->kind == PFS_COPY_POOL ? c->img->dest_pool : NULL;
}

/*
 * What the unit @u (at u->off) costs the device, or the two pools' for a
 * move to another pool, and how long it is (u->len); *@room: whether the
 * pool (each pool) has room for it beside the copy's units in flight
 * (with none in flight, @beside false, it goes: the pools are not asked).
 */
static void pfs_copy_cost(struct pfs_copy *c, struct pfs_copy_unit *u, sector_t region_end,
			  bool beside, bool *room)
{
	struct pfs_pool *pool = c->img->pool, *other = pfs_copy_other_pool(c);
	u64 now = pfs_now_ns();

	spin_lock(&pool->lock);
	u->len = min_t(sector_t, (sector_t)1 << pfs_copy_unit_shift(c), region_end - u->off);
	u->cost = pfs_arb_cost(&pool->arb, &c->arb, PFS_ARB_READ, c->img->start + u->off,
			       u->len << SECTOR_SHIFT);
	if (!other)
		u->cost += pfs_arb_cost(&pool->arb, &c->arb, PFS_ARB_WRITE, c->dest + u->off,
					u->len << SECTOR_SHIFT);
	*room = !beside || pfs_arb_copy_may_add(&pool->arb, u->cost, now);
	spin_unlock(&pool->lock);
	u->dest_cost = 0;
	if (!other)
		return;
	spin_lock(&other->lock);
	u->dest_cost = pfs_arb_cost(&other->arb, &c->dest_arb, PFS_ARB_WRITE, c->dest + u->off,
				    u->len << SECTOR_SHIFT);
	*room &= !beside || pfs_arb_copy_may_add(&other->arb, u->dest_cost, now);
	spin_unlock(&other->lock);
}

/* Windows either pool the copy uses found congested, by enough ops to tell. */
static u64 pfs_copy_congested(struct pfs_copy *c)
{
	struct pfs_pool *other = pfs_copy_other_pool(c);

	return READ_ONCE(c->img->pool->arb.congested_busy_windows) +
	       (other ? READ_ONCE(other->arb.congested_busy_windows) : 0);
}

/* A unit sent: charged to each pool it costs. */
static void pfs_copy_charge(struct pfs_copy *c, struct pfs_copy_unit *u)
{
	struct pfs_pool *other = pfs_copy_other_pool(c);

	pfs_arbiter_copy_charge(c->img->pool, &c->arb, u->cost);
	if (other)
		pfs_arbiter_copy_charge(other, &c->dest_arb, u->dest_cost);
}

/* A unit back: its cost delivered in each pool. */
static void pfs_copy_delivered(struct pfs_copy *c, struct pfs_copy_unit *u)
{
	struct pfs_pool *other = pfs_copy_other_pool(c);

	pfs_arbiter_copy_complete(c->img->pool, &c->arb, u->cost);
	if (other)
		pfs_arbiter_copy_complete(other, &c->dest_arb, u->dest_cost);
}

/* The copy waits for nothing: off its pools' lists. */
static void pfs_copy_forget(struct pfs_copy *c)
{
	struct pfs_pool *other = pfs_copy_other_pool(c);

	pfs_arbiter_copy_forget(c->img->pool, &c->arb);
	if (other)
		pfs_arbiter_copy_forget(other, &c->dest_arb);
}

/*
 * May the copy start a region now, in each pool it uses? Refused, it
 * waits on the list of the pool that refused it, and on no other (a place
 * kept there would hold that pool's images back for this one's load):
 * pfs_copy_wake() comes back.
 */
static bool pfs_copy_turn(struct pfs_copy *c)
{
	struct pfs_pool *other = pfs_copy_other_pool(c);

	if (!pfs_arbiter_copy_turn(c->img->pool, &c->arb)) {
		if (other)
			pfs_arbiter_copy_forget(other, &c->dest_arb);
		return false;
	}
	/* Granted, it is off its own pool's list. */
	return !other || pfs_arbiter_copy_turn(other, &c->dest_arb);
}

/*
 * Must the next unit wait for the copy's pace, in either pool it uses?
 * Then the pace's timer brings the step back when it may go.
 */
static bool pfs_copy_paced(struct pfs_copy *c)
{
	struct pfs_pool *other = pfs_copy_other_pool(c);
	u64 now = pfs_now_ns(), at;

	at = pfs_arbiter_copy_pace(c->img->pool, &c->arb, now);
	if (other)
		at = max(at, pfs_arbiter_copy_pace(other, &c->dest_arb, now));
	if ((s64)(at - now) <= 0)
		return false;
	WRITE_ONCE(c->paced, c->paced + 1);
	/* A turn refused before stays no one's: the timer brings the step back. */
	pfs_copy_forget(c);
	hrtimer_start(&c->pace_timer, ns_to_ktime(at - now), HRTIMER_MODE_REL);
	return true;
}

static enum hrtimer_restart pfs_copy_pace_timer(struct hrtimer *timer)
{
	struct pfs_copy *c = container_of(timer, struct pfs_copy, pace_timer);

	queue_delayed_work(c->wq, &c->step, 0);
	return HRTIMER_NORESTART;
}

/* The arbiter has room for the copy's next unit (under pool->lock). */
void pfs_copy_wake(struct pfs_arb_image *ai)
{
	struct pfs_copy *c = ai->copy_dest ? container_of(ai, struct pfs_copy, dest_arb) :
					     container_of(ai, struct pfs_copy, arb);

	queue_delayed_work(c->wq, &c->step, 0);
}

/* Has the copy reached its end? Under c->lock. */
static bool pfs_copy_finished(struct pfs_copy *c)
{
	return c->kind == PFS_COPY_BACK ? !c->next : c->next >= c->nr_regions;
}

/* The region the copy works on next: at the boundary, or below it going back. */
static u32 pfs_copy_region(struct pfs_copy *c)
{
	return c->kind == PFS_COPY_BACK ? c->next - 1 : c->next;
}

/*
 * A background flow, as LEDBAT is: each window the pool's arbiter finds
 * congested (its images' latency past 1.5 times the device's unloaded
 * latency) doubles the pause between regions, at least to the time the
 * region under way has taken, so that a congested device gives the copy
 * at most half of it at once; each calm window takes a sixteenth off it.
 * So the copy has what the images leave of the device, not what they need
 * of it.
 */
static void pfs_copy_pace(struct pfs_copy *c, u64 now)
{
	u64 congested = pfs_copy_congested(c);

	if (congested != c->seen_congested) {
		c->seen_congested = congested;
		c->gap_ns = min_t(u64, max(2 * c->gap_ns, now - c->region_start_ns),
				  PFS_COPY_GAP_MAX_NS);
		c->calm_since_ns = now;
	} else if (c->gap_ns && now - c->calm_since_ns >= PFS_ARB_WINDOW_NS) {
		c->gap_ns -= c->gap_ns / 16;
		c->calm_since_ns = now;
	}
}

/*
 * Send the next unit of the region at the boundary. Only before a region
 * does the copy back off and wait its turn in the arbiter; then it waits
 * for the writes to the region to drain (charged nothing meanwhile, so
 * those writes are never stuck behind it) and holds new ones until the
 * region is copied, its units charged as they go and never refused. One
 * unit is in flight, up to PFS_COPY_UNITS_MAX while the pool has room for
 * them (no image waits, the budget not spent). A pause gives the region
 * up once its units are back: it is copied again from its start.
 */
static void pfs_copy_step(struct work_struct *work)
{
	struct pfs_copy *c = container_of(to_delayed_work(work), struct pfs_copy, step);
	struct pfs_image *img = c->img;
	struct dm_io_region src, dst;
	sector_t region_off, region_end;
	struct pfs_copy_unit *u = NULL;
	bool first, room;
	unsigned int i;
	u64 gap_us;
	u32 k;

	spin_lock_irq(&c->lock);
	if (c->in_flight >= PFS_COPY_UNITS_MAX || c->failed || pfs_copy_finished(c)) {
		spin_unlock_irq(&c->lock);
		return;
	}
	if (c->paused) {
		/* Its units' completions come back here. */
		if (c->in_flight) {
			spin_unlock_irq(&c->lock);
			return;
		}
		first = c->busy;
		c->busy = false;
		spin_unlock_irq(&c->lock);
		/* A turn refused after the pause began left it waiting. */
		if (img->pool)
			pfs_copy_forget(c);
		if (first) {
			queue_work(c->wq, &c->release);
			wake_up(&c->wait);
		}
		return;
	}
	first = !c->busy;
	spin_unlock_irq(&c->lock);
	if (pfs_copy_paced(c))
		return;
	if (first) {
		gap_us = div_u64(c->gap_ns, NSEC_PER_USEC);
		if (gap_us) {
			/* Off the pools' lists while it sleeps: no kick is lost on them. */
			pfs_copy_forget(c);
			usleep_range(gap_us, gap_us + 100);
		}
		if (!pfs_copy_turn(c))
			return;
	}
	spin_lock_irq(&c->lock);
	if (c->paused) {
		spin_unlock_irq(&c->lock);
		queue_delayed_work(c->wq, &c->step, 0);
		return;
	}
	k = pfs_copy_region(c);
	region_off = (sector_t)k << c->shift;
	region_end = min_t(sector_t, region_off + ((sector_t)1 << c->shift), img->len);
	if (first)
		c->unit_off = region_off;
	for (i = 0; i < PFS_COPY_UNITS_MAX && !u; i++)
		if (!c->units[i].used)
			u = &c->units[i];
	/* All sent (the last one back ends the region), or no room beside them. */
	if (!u || c->unit_off >= region_end) {
		spin_unlock_irq(&c->lock);
		return;
	}
	u->off = c->unit_off;
	pfs_copy_cost(c, u, region_end, c->in_flight, &room);
	if (c->in_flight && !room) {
		/* The next unit back comes here again. */
		spin_unlock_irq(&c->lock);
		return;
	}
	u->c = c;
	u->used = true;
	c->unit_off += u->len;
	c->busy = true;		/* from now on, writes into k wait */
	c->in_flight++;
	spin_unlock_irq(&c->lock);

	if (first)
		wait_event(c->wait, !atomic_read(&c->writes[k]));
	pfs_copy_charge(c, u);
	if (first)
		c->region_start_ns = pfs_now_ns();
	src.bdev = img->pool_dev->bdev;
	src.sector = img->start + u->off;
	src.count = u->len;
	dst = src;
	dst.bdev = c->dest_bdev;
	dst.sector = c->dest + u->off;
	if (c->kind == PFS_COPY_BACK)
		swap(src, dst);
	dm_kcopyd_copy(c->kc, &src, 1, &dst, 0, pfs_copy_done, u);
	/* Another unit beside it, if there is room. */
	queue_delayed_work(c->wq, &c->step, 0);
}

static void pfs_copy_done(int read_err, unsigned long write_err, void *context)
{
	struct pfs_copy_unit *u = context;
	struct pfs_copy *c = u->c;
	sector_t region_end;
	unsigned long flags;
	bool region_done;
	u32 k;

	pfs_copy_delivered(c, u);
	pfs_copy_pace(c, pfs_now_ns());
	spin_lock_irqsave(&c->lock, flags);
	u->used = false;
	c->in_flight--;
	k = pfs_copy_region(c);
	region_end = min_t(sector_t, ((sector_t)k + 1) << c->shift, c->img->len);
	if (read_err || write_err)
		c->failed = true;
	region_done = !c->in_flight && (c->failed || c->unit_off >= region_end);
	if (region_done && !c->failed && c->kind == PFS_COPY_BACK)
		c->next--;
	else if (region_done && !c->failed)
		c->next++;
	if (region_done)
		c->busy = false;
	spin_unlock_irqrestore(&c->lock, flags);
	if (read_err || write_err)
		DMERR("%s: copy between sectors %llu and %llu failed; the copy stops",
		      c->img->name, (unsigned long long)c->img->start,
		      (unsigned long long)c->dest);
	if (region_done) {
		queue_work(c->wq, &c->release);
		wake_up(&c->wait);
	}
	/* The next unit, or the pause's giving up of this region. */
	queue_delayed_work(c->wq, &c->step, 0);
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

/*
 * The pool @path that @e moves to: its table must hold the image, incoming
 * from this pool (@pool_uuid), where and as long as @e says. Then it is
 * img->dest_dev, the extent there at img->dest_start.
 */
int pfs_copy_dest_pool(struct pfs_image *img, const u8 *pool_uuid,
		       const struct pfs_image_entry *e, const char *path, char **error)
{
	struct dm_target *ti = img->ti;
	struct pfs_image_entry in;
	struct pfs_superblock sb;
	int r;

	r = dm_get_device(ti, path, dm_table_get_mode(ti->table), &img->dest_dev);
	if (r) {
		*error = "Destination pool device lookup failed";
		return r;
	}
	r = -EINVAL;
	if (img->dest_dev->bdev == img->pool_dev->bdev)
		*error = "Destination pool is the image's own pool";
	else if (pfs_metadata_read_image(img->dest_dev, e->name, &sb, &in, error))
		r = -EINVAL;
	else if (memcmp(sb.pool_uuid, e->copy_pool, PFS_UUID_LEN))
		*error = "Destination device is not the pool the image moves to";
	else if (le32_to_cpu(in.flags) != (PFS_IMAGE_IN_USE | PFS_IMAGE_INCOMING) ||
		 memcmp(in.uuid, e->uuid, PFS_UUID_LEN) ||
		 memcmp(in.copy_pool, pool_uuid, PFS_UUID_LEN) ||
		 in.start != e->copy_dest || in.length != e->length)
		*error = "Destination pool does not hold the image's incoming extent";
	else
		r = 0;
	if (r) {
		dm_put_device(ti, img->dest_dev);
		img->dest_dev = NULL;
		return r;
	}
	img->dest_start = le64_to_cpu(e->copy_dest);
	memcpy(img->dest_uuid, sb.pool_uuid, PFS_UUID_LEN);
	return 0;
}

int pfs_copy_create(struct pfs_image *img, const struct pfs_image_entry *e, char **error)
{
	u32 region = le32_to_cpu(e->copy_region);
	u64 len = le64_to_cpu(e->length), done = le64_to_cpu(e->copy_done);
	struct pfs_copy *c;
	int r = -ENOMEM;

	if (img->len != len) {
		*error = "A copying image is mapped whole";
		return -EINVAL;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto fail;
	c->img = img;
	c->dest_bdev = img->pool_dev->bdev;
	if (le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL) {
		c->kind = PFS_COPY_POOL;
		c->dest_bdev = img->dest_dev->bdev;
		memcpy(c->dest_pool, e->copy_pool, PFS_UUID_LEN);
	} else if (le32_to_cpu(e->flags) & PFS_IMAGE_CLONING) {
		c->kind = PFS_COPY_CLONE;
	} else if (le32_to_cpu(e->flags) & PFS_IMAGE_MOVING_BACK) {
		c->kind = PFS_COPY_BACK;
	} else {
		c->kind = PFS_COPY_MOVE;
	}
	c->dest = le64_to_cpu(e->copy_dest);
	c->shift = ilog2(region);
	c->nr_regions = DIV_ROUND_UP_ULL(len, region);
	c->next = done == len ? c->nr_regions : done >> c->shift;
	c->committed = c->next;
	c->paused = true;
	pfs_arb_image_init(&c->arb, PFS_COPY_WEIGHT);
	c->arb.copy = true;
	pfs_arb_image_init(&c->dest_arb, PFS_COPY_WEIGHT);
	c->dest_arb.copy = true;
	c->dest_arb.copy_dest = true;
	spin_lock_init(&c->lock);
	bio_list_init(&c->held);
	init_waitqueue_head(&c->wait);
	INIT_DELAYED_WORK(&c->step, pfs_copy_step);
	hrtimer_init(&c->pace_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	c->pace_timer.function = pfs_copy_pace_timer;
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
	if (c->kind != PFS_COPY_POOL)
		img->copy_dest = c->dest;
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
	flush_delayed_work(&c->step);
	/* A paused step arms no timer: one armed before is the last. */
	hrtimer_cancel(&c->pace_timer);
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
	/* Before the pool is joined (a failed constructor) there is no list. */
	if (img->pool)
		pfs_copy_forget(c);
	/* A region waiting for the arbiter is given up by the step. */
	queue_delayed_work(c->wq, &c->step, 0);
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
	/* Congestion from before is no news to this copy. */
	c->seen_congested = pfs_copy_congested(c);
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
	struct bio *clone = bio_alloc_clone(c->dest_bdev, bio, GFP_NOIO, &c->clones);

	clone->bi_opf &= ~REQ_NOWAIT;
	clone->bi_iter.bi_sector = c->dest + off;
	clone->bi_end_io = pfs_copy_clone_end;
	clone->bi_private = bio;
	/* @bio completes once both halves have. */
	bio_inc_remaining(bio);
	submit_bio_noacct(clone);
}

/* Does the image stay on its source, with writes below the boundary mirrored? */
static bool pfs_copy_mirrors(const struct pfs_copy *c)
{
	return c->kind == PFS_COPY_CLONE || c->kind == PFS_COPY_POOL;
}

static bool pfs_copy_is_write(struct bio *bio)
{
	return op_is_write(bio_op(bio)) && bio_sectors(bio);
}

/*
 * Route a bio of the image (@off: its first sector in the image) while it
 * copies: *@base becomes the extent it goes to (the source is the
 * default), and a write that must reach both extents goes to the
 * destination too. Reads and writes never cross a region (max_io_len); a
 * discard or write-zeroes may, so a write is counted on every region it
 * covers, held if any of them is being copied, and written to both
 * extents unless all of it lies on one side.
 */
enum pfs_copy_route pfs_copy_route(struct pfs_image *img, struct bio *bio, sector_t off,
				   sector_t *base)
{
	struct pfs_bio *pb = dm_per_bio_data(bio, sizeof(struct pfs_bio));
	struct pfs_copy *c = img->copy;
	u32 first = off >> c->shift, last, k, lo, hi;
	bool both = false;

	spin_lock_irq(&c->lock);
	if (!pfs_copy_is_write(bio)) {
		if (first < c->next && !pfs_copy_mirrors(c))
			*base = c->dest;
		spin_unlock_irq(&c->lock);
		return PFS_COPY_MAPPED;
	}
	last = (off + bio_sectors(bio) - 1) >> c->shift;
	k = pfs_copy_region(c);
	if (c->busy && first <= k && k <= last) {
		bio->bi_opf &= ~REQ_NOWAIT;
		bio_list_add(&c->held, bio);
		spin_unlock_irq(&c->lock);
		return PFS_COPY_HELD;
	}
	for (k = first; k <= last; k++)
		atomic_inc(&c->writes[k]);
	pb->copy_first = first;
	pb->copy_count = last - first + 1;
	/* Between the committed point and the boundary, a restart copies again. */
	lo = min(c->committed, c->next);
	hi = max(c->committed, c->next);
	if (pfs_copy_mirrors(c))
		both = first < c->next;
	else if (last < lo)
		*base = c->dest;
	else
		both = first < hi;
	spin_unlock_irq(&c->lock);
	if (both)
		pfs_copy_write_both(c, bio, off);
	return PFS_COPY_MAPPED;
}

void pfs_copy_end(struct pfs_image *img, struct pfs_bio *pb)
{
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
	static const char *const kind_names[] = {
		[PFS_COPY_MOVE] = "move", [PFS_COPY_BACK] = "back",
		[PFS_COPY_CLONE] = "clone", [PFS_COPY_POOL] = "pool",
	};
	struct pfs_copy *c = img->copy;
	u64 done, committed, charged, dest_charged;
	struct pfs_pool *other;
	unsigned int sz = *szp;
	bool failed;

	if (!c)
		return;
	spin_lock_irq(&c->lock);
	done = min_t(u64, (u64)c->next << c->shift, img->len);
	committed = min_t(u64, (u64)c->committed << c->shift, img->len);
	failed = c->failed;
	spin_unlock_irq(&c->lock);
	spin_lock_irq(&img->pool->lock);
	charged = c->arb.charged_ns;
	spin_unlock_irq(&img->pool->lock);
	DMEMIT(" copy_dest=%llu copy_done=%llu copy_committed=%llu copy_failed=%u copy_kind=%s",
	       (unsigned long long)c->dest, done, committed, failed, kind_names[c->kind]);
	/* Device time charged to the copy in its pool, and in the other. */
	DMEMIT(" copy_charged_ns=%llu copy_paced=%llu", charged, READ_ONCE(c->paced));
	other = pfs_copy_other_pool(c);
	if (other) {
		spin_lock_irq(&other->lock);
		dest_charged = c->dest_arb.charged_ns;
		spin_unlock_irq(&other->lock);
		DMEMIT(" copy_pool=%pUb copy_dest_charged_ns=%llu", c->dest_pool, dest_charged);
	}
	*szp = sz;
}

/*
 * "copy_committed <sectors>": the table holds the boundary there. It can
 * only follow the copy: up to the boundary, or down to it going back.
 */
int pfs_copy_commit(struct pfs_image *img, u64 sectors)
{
	struct pfs_copy *c = img->copy;
	u32 regions;
	int r = 0;

	if (!c)
		return -EINVAL;
	if (sectors > img->len || (sectors != img->len && sectors & (((u64)1 << c->shift) - 1)))
		return -EINVAL;
	regions = sectors == img->len ? c->nr_regions : sectors >> c->shift;
	spin_lock_irq(&c->lock);
	if (c->kind == PFS_COPY_BACK ? regions < c->next : regions > c->next)
		r = -EINVAL;
	else if (c->kind == PFS_COPY_BACK)
		c->committed = min(c->committed, regions);
	else
		c->committed = max(c->committed, regions);
	spin_unlock_irq(&c->lock);
	return r;
}

unsigned int pfs_copy_extents(struct pfs_image *img, sector_t start[2], sector_t len[2])
{
	start[0] = img->start;
	len[0] = img->len;
	/* The other pool's extent is that pool's entry's, not this pool's. */
	if (!img->copy_dest)
		return 1;
	start[1] = img->copy_dest;
	len[1] = img->len;
	return 2;
}
