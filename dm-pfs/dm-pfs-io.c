// SPDX-License-Identifier: GPL-2.0
/*
 * Each image's own I/O path. The pool's solo image (alone lately, no cap,
 * no copy, nothing queued; pfs-arb.h) sends its bios straight on with no
 * lock: per-CPU counters only, as dm-linear plus statistics. Otherwise a
 * bio goes straight to the pool's device when the image's queue is empty
 * and the arbiter admits it (in the submitter's context), or waits in the
 * image's queue for the image's worker thread ("pfs-NAME") to send it when
 * the arbiter allows.
 * Flushes, discards and write-zeroes take the same path and are charged
 * like the rest: on real devices they are what interferes most. Queued in
 * order, a flush still covers every write that completed before it.
 */
#include <linux/blkdev.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "dm-pfs.h"

#define PFS_CAP_BURST_NS	(10 * NSEC_PER_MSEC)

void pfs_io_kick(struct pfs_image *img)
{
	atomic_set(&img->kick, 1);
	wake_up_process(img->worker);
}

static void pfs_io_account_start(struct pfs_image *img, struct bio *bio, u64 now)
{
	struct pfs_bio *pb = dm_per_bio_data(bio, sizeof(struct pfs_bio));

	pb->start_ns = now;
	pb->counted = true;
	this_cpu_inc(img->in_flight->bios);
}

/*
 * May this bio take the path with no lock? These checks race with a cap
 * being set, the queue filling or the solo ending: a bio then goes as it
 * would have a moment before.
 */
static bool pfs_io_solo(struct pfs_image *img)
{
	return pfs_arb_is_solo(&img->pool->arb, &img->arb) && !img->copy &&
	       !READ_ONCE(img->nr_queued) && !READ_ONCE(img->iops_max) &&
	       !READ_ONCE(img->bps_max);
}

/*
 * The solo image's last activity, to a jiffy: the clock is read once a
 * jiffy, not for every bio (@now: the bio's time if it was timed, or 0).
 */
static void pfs_io_solo_went(struct pfs_image *img, u64 now)
{
	unsigned long tick = jiffies;

	if (READ_ONCE(img->arb.solo_last_tick) == tick)
		return;
	WRITE_ONCE(img->arb.solo_last_tick, tick);
	pfs_arb_solo_went(&img->arb, now ? now : pfs_now_ns());
}

/* Send what the arbiter admits; returns how long to sleep (0: until kicked). */
static u64 pfs_io_dispatch(struct pfs_image *img)
{
	struct bio_list batch = BIO_EMPTY_LIST;
	struct blk_plug plug;
	unsigned long flags;
	u64 wait_ns = 0, now;
	struct bio *bio;

	spin_lock_irqsave(&img->lock, flags);
	now = pfs_now_ns();
	while ((bio = bio_list_peek(&img->queue))) {
		if (!pfs_arbiter_admit(img, bio, now, &wait_ns))
			break;
		bio_list_pop(&img->queue);
		/* In flight before it stops being queued: never seen idle. */
		pfs_io_account_start(img, bio, now);
		img->nr_queued--;
		img->queued_bytes -= pfs_bio_queued_bytes(bio);
		bio_list_add(&batch, bio);
	}
	if (!bio)
		wait_ns = 0;
	spin_unlock_irqrestore(&img->lock, flags);
	if (!bio_list_empty(&batch) && wq_has_sleeper(&img->space_wait))
		wake_up(&img->space_wait);

	blk_start_plug(&plug);
	while ((bio = bio_list_pop(&batch)))
		dm_submit_bio_remap(bio, NULL);
	blk_finish_plug(&plug);
	pfs_arbiter_dispatched(img);
	return wait_ns;
}

static int pfs_io_worker(void *data)
{
	struct pfs_image *img = data;
	u64 wait_ns = 0;

	while (!kthread_should_stop()) {
		if (kthread_should_park()) {
			kthread_parkme();
			continue;
		}
		/* TASK_IDLE: an idle image is not a hung task. */
		set_current_state(TASK_IDLE);
		if (!atomic_xchg(&img->kick, 0) && !kthread_should_stop() &&
		    !kthread_should_park()) {
			if (wait_ns) {
				ktime_t timeout = ns_to_ktime(wait_ns);

				schedule_hrtimeout(&timeout, HRTIMER_MODE_REL);
			} else {
				schedule();
			}
		}
		__set_current_state(TASK_RUNNING);
		wait_ns = pfs_io_dispatch(img);
		if (READ_ONCE(img->draining))
			wake_up(&img->idle_wait);
	}
	return 0;
}

int pfs_io_start(struct pfs_image *img)
{
	u64 now = pfs_now_ns();

	spin_lock_init(&img->lock);
	bio_list_init(&img->queue);
	init_waitqueue_head(&img->idle_wait);
	init_waitqueue_head(&img->space_wait);
	pfs_bucket_init(&img->iops_cap, img->iops_max, PFS_CAP_BURST_NS, now);
	pfs_bucket_init(&img->bps_cap, img->bps_max, PFS_CAP_BURST_NS, now);
	pfs_arb_image_init(&img->arb, img->weight);
	img->stats = alloc_percpu(struct pfs_stats);
	img->in_flight = alloc_percpu(struct pfs_in_flight);
	if (!img->stats || !img->in_flight) {
		free_percpu(img->in_flight);
		free_percpu(img->stats);
		return -ENOMEM;
	}
	img->worker = kthread_create(pfs_io_worker, img, "pfs-%s", img->name);
	if (IS_ERR(img->worker)) {
		free_percpu(img->in_flight);
		free_percpu(img->stats);
		return PTR_ERR(img->worker);
	}
	/* Parked until resume: a loaded table does no I/O before it. */
	kthread_park(img->worker);
	img->parked = true;
	return 0;
}

void pfs_io_stop(struct pfs_image *img)
{
	kthread_stop(img->worker);
	free_percpu(img->in_flight);
	free_percpu(img->stats);
}

/*
 * Bios in flight, all or those of the solo path. Exact once nothing is
 * sent or completing; a snapshot otherwise, which a bio counted on one CPU
 * and uncounted on another during the sum can make negative: 0 then.
 */
long pfs_io_in_flight(struct pfs_image *img, bool solo)
{
	const struct pfs_in_flight *f;
	unsigned int cpu;
	long sum = 0;

	for_each_possible_cpu(cpu) {
		f = per_cpu_ptr(img->in_flight, cpu);
		sum += solo ? READ_ONCE(f->solo) : READ_ONCE(f->bios);
	}
	return max(sum, 0L);
}

/* Sum the per-CPU counters. A 64-bit load never tears on the CPUs we build for. */
void pfs_io_stats(struct pfs_image *img, struct pfs_stats *sum)
{
	const u64 *cpu_field;
	u64 *sum_field = (u64 *)sum;
	unsigned int i, cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		cpu_field = (const u64 *)per_cpu_ptr(img->stats, cpu);
		for (i = 0; i < sizeof(*sum) / sizeof(u64); i++)
			sum_field[i] += READ_ONCE(cpu_field[i]);
	}
}

/* An increment racing with this may survive it, as with any reset. */
void pfs_io_reset_stats(struct pfs_image *img)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(img->stats, cpu), 0, sizeof(struct pfs_stats));
}

/*
 * Has the queue room for @bytes more? Always when empty, and always while
 * draining: a suspend must not wait for a submitter that waits for it.
 */
static bool pfs_io_queue_has_room(struct pfs_image *img, u32 bytes)
{
	return !img->nr_queued || img->draining ||
	       (img->nr_queued < PFS_QUEUE_MAX_BIOS &&
		bytes <= PFS_QUEUE_MAX_BYTES - img->queued_bytes);
}

static bool pfs_io_queue_room_now(struct pfs_image *img, u32 bytes)
{
	bool room;

	spin_lock_irq(&img->lock);
	room = pfs_io_queue_has_room(img, bytes);
	spin_unlock_irq(&img->lock);
	return room;
}

int pfs_io_map(struct pfs_image *img, struct bio *bio)
{
	struct pfs_bio *pb = dm_per_bio_data(bio, sizeof(struct pfs_bio));
	u32 qbytes = pfs_bio_queued_bytes(bio);
	sector_t base = img->start, off;
	u64 now, wait_ns;
	bool kick;

	pb->counted = false;
	pb->solo = false;
	pb->copy_count = 0;
	bio_set_dev(bio, img->pool_dev->bdev);
	/* The copy writes the other pool too: its flush goes there. */
	if (img->dest_dev && dm_bio_get_target_bio_nr(bio) == 1)
		bio_set_dev(bio, img->dest_dev->bdev);
	if (bio_sectors(bio) || op_is_zone_mgmt(bio_op(bio))) {
		off = dm_target_offset(img->ti, bio->bi_iter.bi_sector);
		if (img->copy && pfs_copy_route(img, bio, off, &base) == PFS_COPY_HELD)
			return DM_MAPIO_SUBMITTED;
		bio->bi_iter.bi_sector = base + off;
	}
	if (!pfs_bio_arbitrated(bio))
		return DM_MAPIO_REMAPPED;
	if (pfs_io_solo(img)) {
		pb->arrive_ns = 0;
		if (!(this_cpu_inc_return(img->in_flight->solo_mapped) %
		      PFS_SOLO_TIME_EVERY))
			pb->arrive_ns = pfs_now_ns();
		pb->bytes = pfs_bio_data_bytes(bio);
		pb->solo = true;
		pfs_io_solo_went(img, pb->arrive_ns);
		this_cpu_inc(img->in_flight->bios);
		this_cpu_inc(img->in_flight->solo);
		return DM_MAPIO_REMAPPED;
	}

	/* map runs in the submitter's process context: it may sleep. */
	spin_lock_irq(&img->lock);
	while (!pfs_io_queue_has_room(img, qbytes)) {
		spin_unlock_irq(&img->lock);
		if (bio->bi_opf & REQ_NOWAIT) {
			bio_wouldblock_error(bio);
			return DM_MAPIO_SUBMITTED;
		}
		this_cpu_inc(img->stats->queue_full);
		/* TASK_IDLE: a guest held back by its own cap is not hung. */
		wait_event_idle(img->space_wait, pfs_io_queue_room_now(img, qbytes));
		spin_lock_irq(&img->lock);
	}
	/* Sampled under the lock, so bucket time never runs backwards. */
	now = pfs_now_ns();
	pb->arrive_ns = now;
	pb->bytes = pfs_bio_data_bytes(bio);
	pb->op = pfs_bio_arb_op(bio);
	/* In map order, under img->lock: what is sequential is seen so. */
	pb->cost = pfs_arb_cost(&img->pool->arb, &img->arb, pb->op,
				bio->bi_iter.bi_sector, pb->bytes);
	if (bio_list_empty(&img->queue) &&
	    pfs_arbiter_admit(img, bio, now, &wait_ns)) {
		pfs_io_account_start(img, bio, now);
		spin_unlock_irq(&img->lock);
		return DM_MAPIO_REMAPPED;
	}
	/*
	 * Its submitter no longer waits on it, and the worker may: the device
	 * below must not fail it with BLK_STS_AGAIN where no one can retry.
	 */
	bio->bi_opf &= ~REQ_NOWAIT;
	/*
	 * Wake the worker only for a queue that was empty: behind a head
	 * that waits, this bio cannot go first, and whatever lets the head go
	 * (its cap's timer, the arbiter naming the image) wakes the worker.
	 */
	kick = !img->nr_queued;
	bio_list_add(&img->queue, bio);
	img->nr_queued++;
	img->queued_bytes += qbytes;
	spin_unlock_irq(&img->lock);
	this_cpu_inc(img->stats->throttled);
	if (kick)
		pfs_io_kick(img);
	return DM_MAPIO_SUBMITTED;
}

/* @now: 0 for a solo bio that was not timed (PFS_SOLO_TIME_EVERY). */
static void pfs_io_account_end(struct pfs_image *img, struct bio *bio,
			       struct pfs_bio *pb, u64 now)
{
	unsigned int bucket = 0;
	u64 us;

	switch (bio_op(bio)) {
	case REQ_OP_READ:
		this_cpu_inc(img->stats->reads);
		this_cpu_add(img->stats->read_sectors, pb->bytes >> SECTOR_SHIFT);
		break;
	case REQ_OP_WRITE:
		/* The bio's iterator is spent by now: what it carried is pb's. */
		if (!pb->bytes) {
			this_cpu_inc(img->stats->flushes);
			break;
		}
		this_cpu_inc(img->stats->writes);
		this_cpu_add(img->stats->write_sectors, pb->bytes >> SECTOR_SHIFT);
		break;
	default:
		this_cpu_inc(img->stats->discards);
		break;
	}
	if (!now)
		return;
	us = div_u64(now - pb->arrive_ns, NSEC_PER_USEC);
	while (bucket < PFS_LAT_BUCKETS - 1 && us >= (16ULL << (2 * bucket)))
		bucket++;
	this_cpu_add(img->stats->latency[bucket],
		     pb->solo ? PFS_SOLO_TIME_EVERY : 1);
}

void pfs_io_end(struct pfs_image *img, struct bio *bio)
{
	struct pfs_bio *pb = dm_per_bio_data(bio, sizeof(struct pfs_bio));
	u64 now;

	/* Before anything else: a write refused in map was counted too. */
	pfs_copy_end(img, pb);
	if (!pb->counted && !pb->solo)
		return;
	/* Every bio the arbiter saw was timed; a solo bio maybe not. */
	now = pb->arrive_ns ? pfs_now_ns() : 0;
	pfs_io_account_end(img, bio, pb, now);
	/* Names the image whose head may go now, this one included. */
	if (pb->counted)
		pfs_arbiter_complete(img, pb, now);
	else
		this_cpu_dec(img->in_flight->solo);
	this_cpu_dec(img->in_flight->bios);
	if (READ_ONCE(img->draining))
		wake_up(&img->idle_wait);
}

static bool pfs_io_idle(struct pfs_image *img)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&img->lock, flags);
	idle = !img->nr_queued && !pfs_io_in_flight(img, false);
	spin_unlock_irqrestore(&img->lock, flags);
	return idle;
}

/* presuspend: send everything queued, whatever the limits. */
void pfs_io_drain(struct pfs_image *img)
{
	unsigned long flags;

	spin_lock_irqsave(&img->lock, flags);
	img->draining = true;
	spin_unlock_irqrestore(&img->lock, flags);
	pfs_io_kick(img);
}

/* postsuspend: nothing queued or in flight remains; park the worker. */
void pfs_io_park(struct pfs_image *img)
{
	wait_event(img->idle_wait, pfs_io_idle(img));
	if (!img->parked) {
		kthread_park(img->worker);
		img->parked = true;
	}
}

void pfs_io_resume(struct pfs_image *img)
{
	unsigned long flags;

	spin_lock_irqsave(&img->lock, flags);
	img->draining = false;
	spin_unlock_irqrestore(&img->lock, flags);
	if (img->parked) {
		kthread_unpark(img->worker);
		img->parked = false;
	}
	pfs_io_kick(img);
}

/* Change iops_max (@bytes false) or bps_max (@bytes true); 0 means none. */
void pfs_io_set_cap(struct pfs_image *img, bool bytes, u64 value)
{
	unsigned long flags;
	u64 now;

	spin_lock_irqsave(&img->lock, flags);
	now = pfs_now_ns();
	if (bytes) {
		WRITE_ONCE(img->bps_max, value);
		pfs_bucket_set_rate(&img->bps_cap, value, now);
	} else {
		WRITE_ONCE(img->iops_max, value);
		pfs_bucket_set_rate(&img->iops_cap, value, now);
	}
	spin_unlock_irqrestore(&img->lock, flags);
	pfs_io_kick(img);
}
