// SPDX-License-Identifier: GPL-2.0
/*
 * Whether an image's next bio may go to the pool's device now. It waits,
 * in its own queue, for:
 *
 *  - its caps (iops_max, bps_max): token buckets, always enforced;
 *  - the pool's arbiter (pfs-arb.c): its share of the device, and the
 *    pool's budget of device time in flight while images share it.
 *
 * The arbiter's state is the pool's, under pool->lock. An image the
 * arbiter refused sleeps until a completion, or an admission that leaves
 * room, or the pool's pace timer names it as the next to go
 * (pfs_arbiter_kick_next).
 */
#include <linux/math64.h>

#include "dm-pfs.h"

/* Tokens a full bucket holds: burst_ns worth, at least one. */
static s64 pfs_bucket_burst(const struct pfs_bucket *b)
{
	return max_t(s64, mul_u64_u64_div_u64(b->rate, b->burst_ns, NSEC_PER_SEC), 1);
}

void pfs_bucket_init(struct pfs_bucket *b, u64 rate, u64 burst_ns, u64 now)
{
	/* Beyond PFS_MAX_RATE a cap cannot bind: treat it as none. */
	b->rate = rate > PFS_MAX_RATE ? 0 : rate;
	b->burst_ns = burst_ns;
	b->last_ns = now;
	b->tokens = b->rate ? pfs_bucket_burst(b) : 0;
}

static void pfs_bucket_refill(struct pfs_bucket *b, u64 now);

/*
 * A new rate keeps the bucket's debt: whatever was borrowed at the old
 * rate is paid at the new one, so a rate change never forgives a large
 * bio. Credit earned at the old rate counts, up to the new burst; time
 * spent unlimited pays at the new rate, as if it had been in force.
 */
void pfs_bucket_set_rate(struct pfs_bucket *b, u64 rate, u64 now)
{
	rate = rate > PFS_MAX_RATE ? 0 : rate;
	if (rate == b->rate)
		return;
	if (b->rate)
		pfs_bucket_refill(b, now);
	b->rate = rate;
	if (!rate)
		return;
	b->tokens = min(b->tokens, pfs_bucket_burst(b));
	pfs_bucket_refill(b, now);
}

static void pfs_bucket_refill(struct pfs_bucket *b, u64 now)
{
	s64 burst = pfs_bucket_burst(b);
	u64 elapsed, needed, added;

	if ((s64)(now - b->last_ns) <= 0)
		return;
	/* Credit no more time than it takes to fill up to the burst. */
	needed = mul_u64_u64_div_u64(burst - b->tokens, NSEC_PER_SEC, b->rate) + 1;
	elapsed = min(now - b->last_ns, needed);
	added = mul_u64_u64_div_u64(elapsed, b->rate, NSEC_PER_SEC);
	if (added >= (u64)(burst - b->tokens)) {
		b->tokens = burst;
		b->last_ns = now;
	} else if (added) {
		/* Advance only by the time paid for, so slow rates still accrue. */
		b->tokens += added;
		b->last_ns += mul_u64_u64_div_u64(added, NSEC_PER_SEC, b->rate);
	}
}

/* May the bucket give now? If not, how long until it may. */
static bool pfs_bucket_ready(struct pfs_bucket *b, u64 now, u64 *wait_ns)
{
	if (!b->rate)
		return true;
	pfs_bucket_refill(b, now);
	if (b->tokens > 0)
		return true;
	*wait_ns = max_t(u64, *wait_ns,
			 mul_u64_u64_div_u64(1 - b->tokens, NSEC_PER_SEC, b->rate));
	return false;
}

static void pfs_bucket_charge(struct pfs_bucket *b, u64 amount)
{
	if (b->rate)
		b->tokens -= amount;
}

/*
 * A waiter the pacer holds may have no completion coming to wake it (a
 * device that takes a burst at once has nothing in flight): the pool's
 * timer wakes it when the pace lets it go.
 */
static void pfs_arbiter_arm_pacer(struct pfs_pool *pool, u64 now)
{
	u64 until;

	lockdep_assert_held(&pool->lock);
	if (pfs_arb_paced_until(&pool->arb, now, &until))
		hrtimer_start(&pool->pace_timer, ns_to_ktime(until - now), HRTIMER_MODE_REL);
}

/*
 * Kick the waiting image the arbiter says goes next, if any, unless it is
 * @self. Under pool->lock: once pfs_arbiter_leave() has run, no one finds
 * the image. The clock is read here, once: a caller's may be old (read
 * before it sent its bios), and the pacer's timer must be armed for the
 * very moment the pacer refused, or the waiter it holds is never woken.
 */
static void pfs_arbiter_kick_next(struct pfs_pool *pool, struct pfs_image *self)
{
	struct pfs_arb_image *next;
	u64 now = pfs_now_ns();

	lockdep_assert_held(&pool->lock);
	next = pfs_arb_next_to_wake(&pool->arb, now);
	if (!next) {
		pfs_arbiter_arm_pacer(pool, now);
		return;
	}
	if (self && next == &self->arb)
		return;
	if (next->copy)
		pfs_copy_wake(next);
	else
		pfs_io_kick(container_of(next, struct pfs_image, arb));
}

/*
 * @ai, not the solo image, asks the arbiter: end the solo, saying how many
 * of the solo image's bios are on the device unseen (those of the solo
 * path: the arbiter sees the rest). Under pool->lock,
 * which pfs_arbiter_leave() takes to clear the solo: the image is alive.
 * A copy is never solo, so the solo is an image's.
 */
static void pfs_arbiter_end_solo(struct pfs_pool *pool, struct pfs_arb_image *ai, u64 now)
{
	struct pfs_arb_image *solo = pool->arb.solo;

	lockdep_assert_held(&pool->lock);
	if (solo && solo != ai)
		pfs_arb_end_solo(&pool->arb,
				 pfs_io_in_flight(container_of(solo, struct pfs_image, arb), true),
				 now);
}

/*
 * Called with img->lock held. *wait_ns == 0 means: until kicked (a
 * completion, or the arbiter naming this image).
 */
bool pfs_arbiter_admit(struct pfs_image *img, struct bio *bio, u64 now,
		       u64 *wait_ns)
{
	struct pfs_bio *pb = dm_per_bio_data(bio, sizeof(struct pfs_bio));
	struct pfs_pool *pool = img->pool;
	bool ready;

	*wait_ns = 0;
	if (!img->draining) {
		ready = pfs_bucket_ready(&img->iops_cap, now, wait_ns);
		ready &= pfs_bucket_ready(&img->bps_cap, now, wait_ns);
		if (!ready)
			return false;
	}
	spin_lock(&pool->lock);
	/* What pfs_io_solo() would refuse never goes solo. */
	img->arb.may_solo = !img->copy && !img->iops_max && !img->bps_max;
	/* The bios behind this one: the head of the queue, or none in map. */
	img->arb.queued = img->nr_queued - (bio_list_peek(&img->queue) == bio);
	pfs_arbiter_end_solo(pool, &img->arb, now);
	ready = pfs_arb_admit(&pool->arb, &img->arb, pb->cost, img->draining, now,
			      &pb->ahead_ns);
	if (!ready)
		pfs_arbiter_arm_pacer(pool, now);
	spin_unlock(&pool->lock);
	if (!ready)
		return false;
	pfs_bucket_charge(&img->iops_cap, 1);
	pfs_bucket_charge(&img->bps_cap, pfs_bio_data_bytes(bio));
	return true;
}

/*
 * The image's worker went as far as it could: let the next one go. Its
 * worker runs this very check; it need not wake itself.
 */
void pfs_arbiter_dispatched(struct pfs_image *img)
{
	struct pfs_pool *pool = img->pool;

	spin_lock_irq(&pool->lock);
	pfs_arbiter_kick_next(pool, img);
	spin_unlock_irq(&pool->lock);
}

/*
 * Completion: account it to the arbiter and let the next waiter go, this
 * image's own worker included, in one critical section. Completion
 * context may have interrupts off: irqsave.
 */
void pfs_arbiter_complete(struct pfs_image *img, struct pfs_bio *pb, u64 now)
{
	struct pfs_pool *pool = img->pool;
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	pfs_arb_complete(&pool->arb, &img->arb, pb->cost,
			 pfs_arb_class(pb->op, pb->bytes), now - pb->start_ns,
			 pb->ahead_ns, now);
	pfs_arbiter_kick_next(pool, NULL);
	spin_unlock_irqrestore(&pool->lock, flags);
}

void pfs_arbiter_set_weight(struct pfs_image *img, u32 weight)
{
	struct pfs_pool *pool = img->pool;

	spin_lock_irq(&pool->lock);
	WRITE_ONCE(img->weight, weight);
	img->arb.weight = weight;
	spin_unlock_irq(&pool->lock);
}

/*
 * A copy (dm-pfs-copy.c) as the arbiter's tenant: may it start a region
 * now? If not, it waits on the pool's list and pfs_copy_wake() calls it
 * back. Nothing is charged: the region's units are, as they go.
 */
bool pfs_arbiter_copy_turn(struct pfs_pool *pool, struct pfs_arb_image *ai)
{
	u64 now = pfs_now_ns();
	bool ready;

	spin_lock_irq(&pool->lock);
	pfs_arbiter_end_solo(pool, ai, now);
	ready = pfs_arb_turn(&pool->arb, ai, now);
	if (ready)
		pfs_arbiter_kick_next(pool, NULL);
	else
		pfs_arbiter_arm_pacer(pool, now);
	spin_unlock_irq(&pool->lock);
	return ready;
}

/* A unit of a region the copy has started: charged, never refused. */
void pfs_arbiter_copy_charge(struct pfs_pool *pool, struct pfs_arb_image *ai, u32 cost)
{
	u64 ahead;

	spin_lock_irq(&pool->lock);
	pfs_arb_admit(&pool->arb, ai, cost, true, pfs_now_ns(), &ahead);
	spin_unlock_irq(&pool->lock);
}

/* When the copy's pace in @pool lets its next unit go (now or before: at once). */
u64 pfs_arbiter_copy_pace(struct pfs_pool *pool, struct pfs_arb_image *ai, u64 now)
{
	u64 at;

	spin_lock_irq(&pool->lock);
	at = pfs_arb_copy_pace(&pool->arb, ai, now);
	spin_unlock_irq(&pool->lock);
	return at;
}

/* The region is copied: its cost is delivered; wake whoever is next. */
void pfs_arbiter_copy_complete(struct pfs_pool *pool, struct pfs_arb_image *ai, u32 cost)
{
	u64 now = pfs_now_ns();
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	pfs_arb_complete(&pool->arb, ai, cost, pfs_arb_class(PFS_ARB_WRITE, U32_MAX), 0, 0, now);
	pfs_arbiter_kick_next(pool, NULL);
	spin_unlock_irqrestore(&pool->lock, flags);
}

/*
 * A paused or stopped copy (or a leaving image) waits for nothing: off
 * the pool's list. If it was waiting, the arbiter may have named it to go
 * next: the one it names now goes instead, or that wakeup is lost.
 */
void pfs_arbiter_copy_forget(struct pfs_pool *pool, struct pfs_arb_image *ai)
{
	bool waited;

	spin_lock_irq(&pool->lock);
	waited = ai->waiting;
	pfs_arb_forget(&pool->arb, ai);
	if (waited)
		pfs_arbiter_kick_next(pool, NULL);
	spin_unlock_irq(&pool->lock);
}

/* The pace lets the next waiter go. */
enum hrtimer_restart pfs_arbiter_pace_timer(struct hrtimer *timer)
{
	struct pfs_pool *pool = container_of(timer, struct pfs_pool, pace_timer);
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	pfs_arbiter_kick_next(pool, NULL);
	spin_unlock_irqrestore(&pool->lock, flags);
	return HRTIMER_NORESTART;
}

/* The image leaves the pool: nothing of it is queued or in flight. */
void pfs_arbiter_leave(struct pfs_image *img)
{
	pfs_arbiter_copy_forget(img->pool, &img->arb);
}
