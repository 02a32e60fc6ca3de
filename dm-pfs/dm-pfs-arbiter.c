// SPDX-License-Identifier: GPL-2.0
/*
 * The arbiter decides whether an image's next bio may go to the pool's
 * device now. An image waits, in its own queue, for one of:
 *
 *  - its caps (iops_max, bps_max): token buckets, always enforced;
 *  - its in-flight budget: the device's queue depth shared by weight among
 *    the images active in the last window (none when it is alone);
 *  - a saturation limit: a rate cap on heavy images (more than one bio
 *    outstanding and more than their weighted share of the bytes), set
 *    once a light image's completion latency has climbed well above its
 *    own recent best. The device was then out of bandwidth, and capping
 *    in-flight counts would not have helped. The pool remembers its total
 *    throughput at that moment (sat_rate); heavy images then share 3/4 of
 *    it, less what the light images use, by weight. On a new complaint a
 *    heavy image drops to half its measured rate at once, then climbs back
 *    by 1/8 per window. All limits go as soon as one image is alone on the
 *    pool: the arbiter is work-conserving.
 *
 * Decisions are taken once per window (PFS_WINDOW_NS), by whichever
 * completion closes it, under pool->lock.
 */
#include <linux/math64.h>
#include <linux/sizes.h>

#include "dm-pfs.h"

#define PFS_WINDOW_NS		(20 * NSEC_PER_MSEC)
#define PFS_IDLE_NS		(250 * NSEC_PER_MSEC)
#define PFS_ARB_BURST_NS	(2 * NSEC_PER_MSEC)
#define PFS_MIN_ARB_RATE	SZ_1M		/* bytes/s: never starve */
#define PFS_SUFFER_SLACK_NS	(50 * NSEC_PER_USEC)

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

/* Called with img->lock held. *wait_ns == 0 means: until a completion. */
bool pfs_arbiter_admit(struct pfs_image *img, struct bio *bio, u64 now,
		       u64 *wait_ns)
{
	unsigned int depth = READ_ONCE(img->depth_limit);
	bool ready;

	*wait_ns = 0;
	if (img->draining)
		return true;
	if (depth && atomic_read(&img->in_flight) >= depth)
		return false;
	ready = pfs_bucket_ready(&img->iops_cap, now, wait_ns);
	ready &= pfs_bucket_ready(&img->bps_cap, now, wait_ns);
	ready &= pfs_bucket_ready(&img->arb_limit, now, wait_ns);
	if (!ready)
		return false;
	pfs_bucket_charge(&img->iops_cap, 1);
	pfs_bucket_charge(&img->bps_cap, pfs_bio_data_bytes(bio));
	pfs_bucket_charge(&img->arb_limit, pfs_bio_cost(bio));
	return true;
}

static void pfs_arbiter_set_limit(struct pfs_image *img, u64 rate, u64 now)
{
	unsigned long flags;
	bool rises;

	spin_lock_irqsave(&img->lock, flags);
	rises = !rate || (img->arb_limit.rate && rate > img->arb_limit.rate);
	img->arb_limit.burst_ns = PFS_ARB_BURST_NS;
	pfs_bucket_set_rate(&img->arb_limit, rate, now);
	spin_unlock_irqrestore(&img->lock, flags);
	/* A worker asleep on the old rate's timeout would wait too long. */
	if (rises)
		pfs_io_kick(img);
}

/* Take the window's counters; returns the weight of the active images. */
static u64 pfs_arbiter_harvest(struct pfs_pool *pool, u64 *total_bytes,
			       unsigned int *nr_active)
{
	unsigned int now_outstanding;
	struct pfs_image *img;
	u64 weights = 0;

	list_for_each_entry(img, &pool->images, pool_node) {
		img->win_bytes = atomic64_xchg(&img->window.bytes, 0);
		img->win_completions = atomic64_xchg(&img->window.completions, 0);
		img->win_latency_ns = atomic64_xchg(&img->window.latency_ns, 0);
		img->win_timed = atomic64_xchg(&img->window.timed, 0);
		/*
		 * A bio waiting on the device or in the queue counts too: an
		 * image stalled behind a neighbour submits and completes
		 * nothing, and must not look idle or shallow for it.
		 */
		now_outstanding = atomic_read(&img->in_flight) + READ_ONCE(img->nr_queued);
		img->win_outstanding = max_t(unsigned int, now_outstanding,
					     atomic_xchg(&img->window.max_outstanding, 0));
		/* Anything mapped this window has completed or is outstanding. */
		img->win_active = img->win_completions || now_outstanding;
		if (!img->win_active)
			continue;
		*total_bytes += img->win_bytes;
		weights += READ_ONCE(img->weight);
		(*nr_active)++;
	}
	return weights;
}

/* Does a light image see latency well above its own recent best? */
static bool pfs_arbiter_light_suffers(struct pfs_image *img)
{
	u64 mean;

	if (!img->win_timed || READ_ONCE(img->nr_queued))
		return false;
	mean = div64_u64(img->win_latency_ns, img->win_timed);
	/* The baseline follows improvements at once and drifts up slowly. */
	if (!img->base_latency_ns || mean < img->base_latency_ns)
		img->base_latency_ns = mean;
	else
		img->base_latency_ns += (mean - img->base_latency_ns) >> 6;
	return mean > 2 * img->base_latency_ns + PFS_SUFFER_SLACK_NS;
}

static u64 pfs_rate(u64 bytes, u64 elapsed_ns)
{
	return mul_u64_u64_div_u64(bytes, NSEC_PER_SEC, max_t(u64, elapsed_ns, 1));
}

/* Lift every limit: an image alone on the pool gets the whole device. */
static void pfs_arbiter_release(struct pfs_pool *pool, u64 now)
{
	struct pfs_image *img;

	list_for_each_entry(img, &pool->images, pool_node) {
		WRITE_ONCE(img->depth_limit, 0);
		img->heavy = false;
		if (img->arb_limit.rate)
			pfs_arbiter_set_limit(img, 0, now);
	}
}

static void pfs_arbiter_decide(struct pfs_pool *pool, u64 now)
{
	u64 elapsed = now - pool->window_start_ns, total = 0, weights;
	u64 light_rate = 0, heavy_weights = 0, target, rate, cur, total_rate;
	unsigned int nr_active = 0;
	struct pfs_image *img;
	bool suffering = false;

	pool->window_start_ns = now;
	weights = pfs_arbiter_harvest(pool, &total, &nr_active);
	/*
	 * Windows close on completions. One stretched by a device stall is
	 * exactly when a light image suffers, so it still counts; one that
	 * spans a long idle time says nothing.
	 */
	if (elapsed > PFS_IDLE_NS)
		return;
	if (nr_active <= 1) {
		pfs_arbiter_release(pool, now);
		return;
	}

	/* Classify: heavy images use more than their weighted share. */
	list_for_each_entry(img, &pool->images, pool_node) {
		if (!img->win_active) {
			img->heavy = false;
			WRITE_ONCE(img->depth_limit, 0);
			if (img->arb_limit.rate)
				pfs_arbiter_set_limit(img, 0, now);
			continue;
		}
		WRITE_ONCE(img->depth_limit,
			   max_t(u64, div64_u64((u64)pool->depth * img->weight, weights), 1));
		/*
		 * Heavy: deep demand and more than its share of the bytes. A
		 * limited image stays heavy: its limit, not its need, cut it.
		 * One bio at a time never makes an image heavy.
		 */
		img->heavy = img->win_outstanding > 1 &&
			(img->arb_limit.rate ||
			 img->win_bytes * weights > total * img->weight);
		if (img->heavy) {
			heavy_weights += img->weight;
			continue;
		}
		if (img->arb_limit.rate)
			pfs_arbiter_set_limit(img, 0, now);
		light_rate += pfs_rate(img->win_bytes, elapsed);
		suffering |= pfs_arbiter_light_suffers(img);
	}
	if (!heavy_weights)
		return;

	/*
	 * sat_rate: the pool's total throughput when a light image last
	 * suffered. It creeps up slowly in case that was a blip, but never
	 * past twice what the pool moves now.
	 */
	total_rate = pfs_rate(total, elapsed);
	/* A stretched window underestimates rates: let it lower nothing. */
	if (suffering && (elapsed <= 2 * PFS_WINDOW_NS || !pool->sat_rate))
		pool->sat_rate = min_not_zero(pool->sat_rate, total_rate);
	else if (pool->sat_rate)
		pool->sat_rate = min(pool->sat_rate + (pool->sat_rate >> 10),
				     max(pool->sat_rate, 2 * total_rate));
	if (!pool->sat_rate)
		return;

	list_for_each_entry(img, &pool->images, pool_node) {
		if (!img->win_active || !img->heavy)
			continue;
		/* Heavy images share 3/4 of the saturation rate, less the light ones'. */
		target = pool->sat_rate / 4 * 3;
		target = target > light_rate ? target - light_rate : 0;
		target = max_t(u64, mul_u64_u64_div_u64(target, img->weight, heavy_weights),
			       PFS_MIN_ARB_RATE);
		cur = img->arb_limit.rate;
		if (suffering && elapsed > 2 * PFS_WINDOW_NS && cur)
			rate = min(cur / 2, target);
		else if (suffering)
			rate = min(pfs_rate(img->win_bytes, elapsed) / 2, target);
		else
			rate = cur ? min(cur + cur / 8, target) : target;
		pfs_arbiter_set_limit(img, max_t(u64, rate, PFS_MIN_ARB_RATE), now);
	}
}

/* Completion: account the window; the completion closing it decides. */
void pfs_arbiter_complete(struct pfs_image *img, u32 cost, bool timed,
			  u64 latency_ns, u64 now)
{
	struct pfs_pool *pool = img->pool;
	unsigned long flags;

	atomic64_add(cost, &img->window.bytes);
	atomic64_inc(&img->window.completions);
	/* Only data moves time the device: a flush's wait is no complaint. */
	if (timed) {
		atomic64_inc(&img->window.timed);
		atomic64_add(latency_ns, &img->window.latency_ns);
	}
	if (now - READ_ONCE(pool->window_start_ns) < PFS_WINDOW_NS)
		return;
	if (!spin_trylock_irqsave(&pool->lock, flags))
		return;
	if (now - pool->window_start_ns >= PFS_WINDOW_NS)
		pfs_arbiter_decide(pool, now);
	spin_unlock_irqrestore(&pool->lock, flags);
}
