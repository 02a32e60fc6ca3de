/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-pfs: one contiguous, preallocated extent of a pool per VM image, each
 * with its own bio queue and worker thread, sharing the pool's device
 * through an arbiter.
 *
 *   dm-pfs-target.c    table line, status, messages, suspend and resume
 *   dm-pfs-metadata.c  reading the pool's table at load
 *   dm-pfs-pool.c      the pools' registry of live maps, by pool UUID
 *   dm-pfs-io.c        map, per-image queue and worker, completion, stats
 *   dm-pfs-copy.c      moving or cloning an image while it runs: routing, copying
 *   dm-pfs-arbiter.c   who may dispatch now: caps, then the pool's arbiter
 *   pfs-arb.c          the arbiter's decisions: costs, shares, device budget
 */
#ifndef DM_PFS_H
#define DM_PFS_H

#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/device-mapper.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "pfs-arb.h"
#include "pfs-format.h"

#define DM_MSG_PREFIX "pfs"

/*
 * An image's queue holds at most this many bios, or bytes of data: a
 * submitter past either waits in map (back-pressure) until the worker has
 * sent some, so a throttled guest cannot pin its memory without limit.
 * A bio larger than the byte bound still goes, alone.
 */
#define PFS_QUEUE_MAX_BIOS	1024
#define PFS_QUEUE_MAX_BYTES	(32U << 20)

/* Completion-latency histogram: bucket i holds latencies < 16 << 2i us. */
#define PFS_LAT_BUCKETS	8

/* A rate limit: @rate units per second, with a small burst. */
struct pfs_bucket {
	u64 rate;		/* 0: unlimited */
	s64 tokens;		/* may go negative: a large bio borrows */
	u64 last_ns;
	u64 burst_ns;		/* how much idle time may be saved up */
};

/*
 * Per CPU, so that neither map nor completion writes a shared cacheline
 * for them; summed when read (pfs_io_stats). Only status reads them.
 */
struct pfs_stats {
	u64 reads;
	u64 writes;
	u64 read_sectors;
	u64 write_sectors;
	u64 flushes;		/* empty flushes */
	u64 discards;		/* discard, secure erase, write-zeroes */
	u64 throttled;		/* bios that had to wait in the queue */
	u64 queue_full;		/* submitters that waited for queue space */
	u64 latency[PFS_LAT_BUCKETS];
};

/* Bios of an image sent and not completed, on one CPU's count. */
struct pfs_in_flight {
	long bios;		/* every one */
	long solo;		/* those the solo path sent */
	unsigned long solo_mapped;	/* solo bios mapped here, ever */
};

/*
 * The solo path times one bio in this many for the latency histogram, where
 * it counts for this many: two clock reads a bio were a third of what the
 * path adds to dm-linear's. Bios the arbiter sees are all timed.
 */
#define PFS_SOLO_TIME_EVERY	16

/* A pool with active images, however many paths reach it. */
struct pfs_pool {
	struct list_head node;		/* on pfs_pools */
	refcount_t ref;
	u8 uuid[PFS_UUID_LEN];		/* the registry's key */

	spinlock_t lock;		/* images, incoming and the arbiter's state */
	struct list_head images;
	/* Images of other pools moving here: their extents here are live. */
	struct list_head incoming;
	struct pfs_arb arb;
	/* Wakes a waiter the pacer holds: no completion may come to. */
	struct hrtimer pace_timer;
};

struct pfs_copy;

/*
 * One mapped image: a dm target instance. Its fields are grouped by who
 * writes them, so that the map path, which only reads the first group,
 * never shares a cacheline with what completions and the worker write:
 * set at construction (and QoS by messages); the queue and caps
 * (img->lock); the arbiter's (pool->lock, at every arbitrated
 * completion); the registry's.
 */
struct pfs_image {
	/* Set by the constructor; read on every bio. */
	struct dm_target *ti;
	struct pfs_pool *pool;
	struct dm_dev *pool_dev;
	sector_t start;			/* extent start on the pool device */
	sector_t len;
	/* Per CPU: the solo path takes no lock. */
	struct pfs_in_flight __percpu *in_flight;
	struct pfs_stats __percpu *stats;
	/* While it moves or is cloned (dm-pfs-copy.c); NULL otherwise. */
	struct pfs_copy *copy;
	/* While it moves to another pool: that pool's device and extent. */
	struct dm_dev *dest_dev;
	sector_t dest_start;
	struct task_struct *worker;
	/* QoS, from the table entry; messages change it, seldom. */
	u32 weight;
	u64 iops_max;
	u64 bps_max;
	u8 uuid[PFS_UUID_LEN];
	char name[PFS_NAME_LEN];

	/* The image's own I/O path: the queue and the caps. */
	spinlock_t lock ____cacheline_aligned_in_smp;	/* queue, buckets, draining */
	struct bio_list queue;
	unsigned int nr_queued;
	unsigned int queued_bytes;
	bool draining;			/* suspending: dispatch everything */
	bool parked;			/* worker parked: suspended or not yet resumed */
	struct pfs_bucket iops_cap;
	struct pfs_bucket bps_cap;
	atomic_t kick;
	wait_queue_head_t space_wait;	/* submitters waiting for queue space */
	wait_queue_head_t idle_wait;	/* postsuspend waits for an empty path */

	/* The arbiter's view of it, under pool->lock. */
	struct pfs_arb_image arb ____cacheline_aligned_in_smp;

	/* The registry's (dm-pfs-pool.c), under pfs_pools_lock. */
	struct mapped_device *md;	/* a reload of the same md may coexist */
	struct list_head pool_node;	/* on pool->images */
	u8 dest_uuid[PFS_UUID_LEN];
	struct pfs_pool *dest_pool;	/* its registry, where dest_node is */
	struct list_head dest_node;	/* on dest_pool->incoming */
	/*
	 * A move's or a clone's destination in its own pool, or 0: set with
	 * the copy and kept for the target's life, so the registry never
	 * reads a copy that a destructor frees.
	 */
	sector_t copy_dest;
};

/* Per-bio data. */
struct pfs_bio {
	u64 arrive_ns;		/* map: for the user-visible latency histogram */
	u64 start_ns;		/* dispatch: for the arbiter's device latency */
	u64 ahead_ns;		/* device time in flight ahead of it at dispatch */
	u32 bytes;		/* data moved (pfs_bio_data_bytes) */
	u32 cost;		/* the arbiter's charge, device ns (pfs_arb_cost) */
	u8 op;			/* enum pfs_arb_op */
	bool counted;		/* in flight on the image's account */
	bool solo;		/* sent by the solo path: the arbiter never saw it */
	u32 copy_first;		/* a copying image's write: its first region, */
	u32 copy_count;		/* and how many it is counted on (0: none) */
};

/*
 * What the arbiter sees of a bio. Every read, write, flush, discard and
 * write-zeroes is arbitrated (zone management, which a pool never needs,
 * passes through). Caps: one op each; bytes are the data read or written,
 * write-zeroes included (the device may write them), discards and flushes
 * none. Shares charge the device time the cost model gives (pfs-arb.h).
 */
static inline bool pfs_bio_arbitrated(struct bio *bio)
{
	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
	case REQ_OP_DISCARD:
	case REQ_OP_SECURE_ERASE:
	case REQ_OP_WRITE_ZEROES:
		return true;
	default:
		return false;
	}
}

static inline u32 pfs_bio_data_bytes(struct bio *bio)
{
	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
	case REQ_OP_WRITE_ZEROES:
		return bio->bi_iter.bi_size;
	default:
		return 0;
	}
}

/* The memory a queued bio holds: its data pages (write-zeroes has none). */
static inline u32 pfs_bio_queued_bytes(struct bio *bio)
{
	return bio_has_data(bio) ? bio->bi_iter.bi_size : 0;
}

static inline enum pfs_arb_op pfs_bio_arb_op(struct bio *bio)
{
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		return PFS_ARB_READ;
	case REQ_OP_WRITE:
		return bio_sectors(bio) ? PFS_ARB_WRITE : PFS_ARB_FLUSH;
	case REQ_OP_WRITE_ZEROES:
		return PFS_ARB_WRITE_ZEROES;
	default:
		return PFS_ARB_DISCARD;
	}
}

/*
 * The I/O path's clock: sched_clock, a TSC read. ktime_get_ns() would read
 * the clocksource, which is an HPET register when the TSC is unstable
 * (under emulation, say), and that costs microseconds per bio. Small drift
 * between CPUs is harmless: buckets ignore time that runs backwards.
 */
static inline u64 pfs_now_ns(void)
{
	return local_clock();
}

int pfs_metadata_read_image(struct dm_dev *pool_dev, const char *name,
			    struct pfs_superblock *sb,
			    struct pfs_image_entry *entry, char **error);

int pfs_pool_attach(struct pfs_image *img, const struct pfs_superblock *sb,
		    char **error);
int pfs_pool_reload_model(struct pfs_image *img);
void pfs_pool_detach(struct pfs_image *img);

int pfs_io_start(struct pfs_image *img);
void pfs_io_stop(struct pfs_image *img);
int pfs_io_map(struct pfs_image *img, struct bio *bio);
void pfs_io_end(struct pfs_image *img, struct bio *bio);
void pfs_io_drain(struct pfs_image *img);
void pfs_io_park(struct pfs_image *img);
void pfs_io_resume(struct pfs_image *img);
void pfs_io_set_cap(struct pfs_image *img, bool bytes, u64 value);
void pfs_io_kick(struct pfs_image *img);
void pfs_io_stats(struct pfs_image *img, struct pfs_stats *sum);
long pfs_io_in_flight(struct pfs_image *img, bool solo);
void pfs_io_reset_stats(struct pfs_image *img);

enum pfs_copy_kind {
	PFS_COPY_MOVE,		/* the image to its new extent */
	PFS_COPY_BACK,		/* a move undone: back to where it was */
	PFS_COPY_CLONE,		/* the image into its clone's extent */
	PFS_COPY_POOL,		/* the image to another pool (img->dest_dev) */
};

enum pfs_copy_route {
	PFS_COPY_MAPPED,	/* *base says where it goes */
	PFS_COPY_HELD,		/* waits for a region's copy; mapped again after */
};

int pfs_copy_create(struct pfs_image *img, const struct pfs_image_entry *e, char **error);
int pfs_copy_dest_pool(struct pfs_image *img, const u8 *pool_uuid,
		       const struct pfs_image_entry *e, const char *path, char **error);
void pfs_copy_destroy(struct pfs_image *img);
enum pfs_copy_route pfs_copy_route(struct pfs_image *img, struct bio *bio, sector_t off,
				   sector_t *base);
void pfs_copy_end(struct pfs_image *img, struct pfs_bio *pb);
void pfs_copy_pause(struct pfs_image *img);
void pfs_copy_quiesce(struct pfs_image *img);
void pfs_copy_resume(struct pfs_image *img);
void pfs_copy_status(struct pfs_image *img, char *result, unsigned int maxlen,
		     unsigned int *szp);
int pfs_copy_commit(struct pfs_image *img, u64 sectors);
void pfs_copy_wake(struct pfs_arb_image *ai);
/* The extents the image maps: its own, and its destination while it moves. */
unsigned int pfs_copy_extents(struct pfs_image *img, sector_t start[2], sector_t len[2]);

bool pfs_arbiter_admit(struct pfs_image *img, struct bio *bio, u64 now,
		       u64 *wait_ns);
void pfs_arbiter_dispatched(struct pfs_image *img);
void pfs_arbiter_complete(struct pfs_image *img, struct pfs_bio *pb, u64 now);
void pfs_arbiter_set_weight(struct pfs_image *img, u32 weight);
void pfs_arbiter_leave(struct pfs_image *img);
bool pfs_arbiter_copy_turn(struct pfs_pool *pool, struct pfs_arb_image *ai);
void pfs_arbiter_copy_charge(struct pfs_pool *pool, struct pfs_arb_image *ai, u32 cost);
void pfs_arbiter_copy_complete(struct pfs_pool *pool, struct pfs_arb_image *ai, u32 cost);
u64 pfs_arbiter_copy_pace(struct pfs_pool *pool, struct pfs_arb_image *ai, u64 now);
void pfs_arbiter_copy_forget(struct pfs_pool *pool, struct pfs_arb_image *ai);
enum hrtimer_restart pfs_arbiter_pace_timer(struct hrtimer *timer);
void pfs_bucket_init(struct pfs_bucket *b, u64 rate, u64 burst_ns, u64 now);
void pfs_bucket_set_rate(struct pfs_bucket *b, u64 rate, u64 now);

#endif /* DM_PFS_H */
