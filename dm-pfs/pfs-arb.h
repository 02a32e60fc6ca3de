/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arbiter's decisions, with no locks, clocks or bios: who may send an
 * operation to the pool's device now, what it costs, and how deep the
 * device may be kept while images share it. The kernel calls it under
 * pool->lock (dm-pfs-arbiter.c); the userspace simulator
 * (userspace/tests/test-arbiter.c) calls it from a device model, so the
 * same code is property-tested outside the kernel.
 *
 * Cost: an operation is charged the device time it occupies, in ns, from a
 * per-pool model (per operation plus per byte, reads and writes apart, a
 * sequential operation's per-operation part discounted, flushes and
 * discards their own figures): the one pfsadm calibrate measured and kept
 * in the superblock, or a middling SSD's until then.
 *
 * Shares: each image has a virtual time, advanced by cost / weight at each
 * dispatch (start-time fair queueing). Whenever the pool is short, the
 * waiting image with the lowest virtual time goes next, so equal weights
 * get equal device time, an idle image's share flows to the busy ones, and
 * an image using less than its share is never queued behind one using
 * more. An image that comes back from idle starts at the pool's current
 * virtual time: idleness is not saved up.
 *
 * Depth: while two or more images are active, the device time in flight
 * is kept under a budget. Each window the pool's completion latency is
 * compared, class by class (reads and writes by size, flushes, discards),
 * with the device's own unloaded latency for that class (the mean latency
 * of ops sent to an empty device; a probe window sends one op at a time
 * now and then to measure it, and soon while a class is new); when the
 * mean ratio over all completions passes PFS_ARB_CONGESTED, the budget
 * shrinks by a quarter, and while it is calm but binding it grows by an
 * eighth.
 * It never shrinks below what the device needs in flight to deliver what it
 * has lately delivered: the rate of device time completed per ns, times the
 * unloaded latency of what completed (Little's law at no queueing, as
 * BBR's bandwidth-delay product). A device with eight slots keeps eight ops
 * in flight although a noisy host pushes its latency ratio past 1.5; a
 * device that serves one op at a time keeps one.
 * The signal is the whole device's, never one image's against its own
 * history, so nothing an image does to itself throttles another. An image
 * that has been alone for PFS_ARB_SHARED_NS has no budget and never waits
 * for the arbiter.
 *
 * Pace: a device that takes ops faster than it serves them (a token
 * bucket: null_blk's mbps, a rate-capped disk with a burst allowance)
 * queues a whole burst once its rate is spent, however few ops are in
 * flight: a depth cannot hold it. Such a device shows it by its best
 * latency: under 1/PFS_ARB_PACE_FAR of the device time an op costs at its
 * rate; or under 1/PFS_ARB_PACE_FAST, if it also queues (a mean latency
 * over PFS_ARB_CONGESTED of its unloaded one) while the budget is down to
 * its floor. Seen PFS_ARB_PACE_START_SPANS spans in a row, while shared, the
 * arbiter then paces what it sends, at PFS_ARB_PACE_PCT of the rate it saw
 * the device deliver. A small op may go PFS_ARB_PACE_BURST_NS ahead of the
 * pace; a light op (a short one, from an image with nothing else in flight
 * or queued) by the longest step an op took lately and
 * PFS_ARB_PACE_SLACK_NS more, so the pacer never queues it behind a heavier
 * one's last large op. Every PFS_ARB_PACE_PROBE_NS the pace probes a span a
 * tenth above the rate, so it follows a device that got faster. A new pace,
 * and one whose last probe held ops back and did not queue, probes again
 * the next span: a pace set from a span the device was not kept busy in
 * climbs to the device's rate in seconds, and stops a tenth past it.
 *
 * Solo: such an image, admitted with nothing waiting, becomes the pool's
 * solo image. Its next ops may skip the arbiter altogether (the kernel's
 * path with no lock: nothing charged, nothing timed) until another image
 * asks the arbiter for anything; that ends the solo and counts the pool as
 * shared from the solo image's last op. Its ops in flight then, unseen,
 * are a backlog on the device: counted in the budget, at the cost of the
 * op that made it solo each, for as long as the device needs to serve
 * them (their cost in ns), so the budget does not stack the neighbours'
 * ops on top of them.
 */
#ifndef PFS_ARB_H
#define PFS_ARB_H

#include "pfs-format.h"

#define PFS_ARB_WINDOW_NS	(20ULL * 1000 * 1000)
#define PFS_ARB_IDLE_NS		(250ULL * 1000 * 1000)
#define PFS_ARB_SHARED_NS	(250ULL * 1000 * 1000)
#define PFS_ARB_MIN_BUDGET_NS	(20ULL * 1000)
#define PFS_ARB_MAX_BUDGET_NS	(1000ULL * 1000 * 1000)
#define PFS_ARB_START_BUDGET_NS	(4ULL * 1000 * 1000)
/* Shared windows between probes of the unloaded latency. */
#define PFS_ARB_PROBE_EVERY	500
#define PFS_ARB_PROBE_SOON	5
/*
 * A class's unloaded latency is trusted once this many ops have shown it;
 * until then a class that makes up a quarter of a window's completions
 * has it probed soon (one op caught in a stall is no measure of it).
 */
#define PFS_ARB_BASE_SAMPLES	16
/* Rates (device time delivered per ns) in 1/1024. */
#define PFS_ARB_RATE_SHIFT	10
/* The pace: this % of the rate seen, let go after this long. */
#define PFS_ARB_PACE_PCT	94
/* Every so often the pace probes a span at this % of the rate it was set from. */
#define PFS_ARB_PACE_PROBE_NS	(20ULL * 1000 * 1000 * 1000)
#define PFS_ARB_PACE_PROBE_PCT	110
#define PFS_ARB_PACE_SLACK_NS	(2ULL * 1000 * 1000)
/*
 * A device whose best latency is under 1/PFS_ARB_PACE_FAR of its cost takes
 * bursts as a token bucket does. One under 1/PFS_ARB_PACE_FAST does only if
 * it also queues with the budget at its floor: under emulation null_blk's
 * mbps shows 1/40 to 1/4, a virtual disk in the host's page cache 1/6 to 2
 * (docs/performance.md, section 6c). Either, PFS_ARB_PACE_START_SPANS spans
 * in a row, starts a pace: one odd span does not.
 */
#define PFS_ARB_PACE_FAR	8
#define PFS_ARB_PACE_FAST	2
#define PFS_ARB_PACE_START_SPANS	2
/* How far ahead of the pace a small op may go: a few go per wakeup. */
#define PFS_ARB_PACE_BURST_NS	(1000ULL * 1000)
/*
 * While an image shares the pool, a copy's units go at most at this % of
 * the device's time by the cost model, at most this far ahead of it.
 */
#define PFS_ARB_COPY_PACE_PCT	75
#define PFS_ARB_COPY_BURST_NS	(2000ULL * 1000)
/* Windows the pacer measures a rate over. */
#define PFS_ARB_PACE_SPAN	8
/* Timed ops a class needs in a span for its own best latency over cost. */
#define PFS_ARB_CLASS_TIMED	8
/* Mean latency / unloaded latency, in 1/256: past 1.5 the device queues. */
#define PFS_ARB_RATIO_ONE	256
#define PFS_ARB_CONGESTED	384

enum pfs_arb_op {
	PFS_ARB_READ,
	PFS_ARB_WRITE,
	PFS_ARB_FLUSH,		/* an empty flush; a flush with data is a write */
	PFS_ARB_DISCARD,	/* discard, secure erase */
	PFS_ARB_WRITE_ZEROES,	/* costs as the write it may be */
};

/* Latency classes: reads and writes by size, flushes, discards and zeroes. */
#define PFS_ARB_CLASSES		8

/* Device time per operation, in ns; per MiB moved, in ns. */
struct pfs_cost_model {
	u32 read_op_ns;
	u32 write_op_ns;
	u32 read_mib_ns;
	u32 write_mib_ns;
	u32 seq_op_pct;		/* a sequential op's per-op part, in % */
	u32 flush_ns;
	u32 discard_ns;
};

/* One image's part of the arbiter. */
struct pfs_arb_image {
	struct pfs_arb_image *next_waiting;
	u64 vtime;		/* finish tag of its last dispatch, ns / weight */
	u64 next_sector;	/* where a sequential op would start */
	u32 weight;
	u32 in_flight;
	u32 queued;		/* ops its owner holds behind this one (the caller's) */
	u32 wait_cost;		/* of the op it waits to send */
	bool waiting;		/* refused: on the pool's waiting list */
	bool copy;		/* a copy's (dm-pfs-copy.c), not an image's I/O */
	bool copy_dest;		/* the copy's writes into another pool */
	bool may_solo;		/* its owner has no cap and no copy (kernel: img->lock) */
	/* Solo, when its last op went (pfs_arb_solo_went): written lock-free. */
	u64 solo_last_ns;
	unsigned long solo_last_tick;	/* the caller's coarse clock then */
	u32 solo_cost;		/* of the op that made it solo */
	u64 copy_pace_ns;	/* a copy's: when its pace lets the next unit go */
	/* Totals for status. */
	u64 charged_ns;
	u64 waits;
};

/* The pool's part. */
struct pfs_arb {
	struct pfs_cost_model model;
	struct pfs_arb_image *waiting;	/* singly linked, unordered */
	u64 vnow;		/* start tag of the latest dispatch */
	u64 in_flight_ns;	/* cost dispatched and not completed */
	u64 budget_ns;		/* cost allowed in flight while shared */
	u64 floor_ns;		/* the budget's floor: delivered rate x unloaded latency */
	u32 nr_active;		/* images with ops in flight or waiting */
	u64 shared_until_ns;	/* two were active lately: the budget holds */
	/* Alone lately: its ops may skip the arbiter. Read lock-free. */
	struct pfs_arb_image *solo;
	u64 solos;		/* times an image went solo */
	u64 backlog_until_ns;	/* the device serves an ended solo's ops until then */

	/* The current window. */
	u64 win_start_ns;
	u64 win_ratio_sum;	/* of latency / unloaded latency, in 1/256 */
	u32 win_class_ops[PFS_ARB_CLASSES];	/* completions by class */
	u32 win_completions;
	u64 win_delivered_ns;	/* cost completed */
	u64 win_base_sum;	/* unloaded latency of the ops that completed */
	bool win_shared;	/* two or more images were active */
	bool win_bound;		/* the budget refused an op */

	u64 base_ns[PFS_ARB_CLASSES];	/* mean unloaded latency, 0: unknown */
	u32 base_samples[PFS_ARB_CLASSES];	/* up to PFS_ARB_BASE_SAMPLES */
	bool probing;		/* this window sends one op at a time */
	u32 windows_since_probe;
	u64 congested_windows;
	/*
	 * Of those, the ones with PFS_ARB_CLASS_TIMED timed ops or more: what a
	 * background copy backs off on. A light VM's few ops a window make a
	 * mean that one slow op (a busy CPU) sends past the mark.
	 */
	u64 congested_busy_windows;
	u64 probes;

	/* The pacer: 0, or device time sent per ns while shared, in 1/1024. */
	u64 pace_rate;
	u64 pace_next_ns;	/* when an op ahead in virtual time may go */
	u64 pace_step_ns;	/* the longest step an op took, this span ... */
	u64 pace_step_last_ns;	/* ... and the last */
	u64 pace_since_ns;	/* when the pace was set or last probed */
	u64 pace_probe;		/* probing: the pace it probes from, else 0 */
	bool pace_climbing;	/* probe the next span, not PFS_ARB_PACE_PROBE_NS on */
	/* By class: the cost of the ops timed this window, their class's best latency, ... */
	u64 win_class_cost[PFS_ARB_CLASSES];
	u64 win_class_best[PFS_ARB_CLASSES];
	u32 win_class_timed[PFS_ARB_CLASSES];	/* ... over these ops */
	u64 best_ns[PFS_ARB_CLASSES];	/* lowest latency lately, 0: unknown */
	struct pfs_arb_span {	/* the pacer's measure, over windows */
		u64 delivered_ns;
		u64 elapsed_ns;
		u32 windows;
		u32 congested;	/* of them */
		u32 bound;	/* shared, and the budget held ops back */
		u32 paced;	/* the pacer held ops back */
		u64 ratio_sum;	/* latency / unloaded latency, in 1/256, ... */
		u32 completions;	/* ... over these completions */
		u32 at_floor;	/* shared, and the budget as low as its floor */
		u64 class_cost[PFS_ARB_CLASSES];	/* the windows', summed */
		u64 class_best[PFS_ARB_CLASSES];
		u32 class_timed[PFS_ARB_CLASSES];
	} span;
	u32 pace_start_spans;	/* spans in a row that showed a device to pace */
	u64 paced_windows;	/* for status: windows the pacer refused an op */
	u32 span_best_permille;	/* for status: the last span's best latency / cost */
	/*
	 * For status, not yet a sign: the lowest of that ratio over the
	 * classes with PFS_ARB_CLASS_TIMED ops in the span, 0: none had.
	 */
	u32 span_class_best_permille;
	bool win_paced;		/* the pacer refused an op this window */
};

/* A middling SSD's, until the pool is calibrated. */
extern const struct pfs_cost_model pfs_arb_default_model;

void pfs_arb_init(struct pfs_arb *arb, u64 now);
/* A new cost model (a calibration): the pace, in the old one's units, goes. */
void pfs_arb_set_model(struct pfs_arb *arb, const struct pfs_cost_model *m);
bool pfs_arb_model_from_sb(const struct pfs_superblock *sb, struct pfs_cost_model *m);
void pfs_arb_image_init(struct pfs_arb_image *ai, u32 weight);
u32 pfs_arb_class(enum pfs_arb_op op, u32 bytes);
u32 pfs_arb_cost(const struct pfs_arb *arb, struct pfs_arb_image *ai,
		 enum pfs_arb_op op, u64 sector, u32 bytes);
bool pfs_arb_admit(struct pfs_arb *arb, struct pfs_arb_image *ai, u32 cost,
		   bool force, u64 now, u64 *ahead_ns);
/*
 * A copy with a unit in flight: may it send another of @cost beside it?
 * Only while no image waits and the pool's budget has room for it, so the
 * copy takes what the images leave.
 */
bool pfs_arb_copy_may_add(struct pfs_arb *arb, u32 cost, u64 now);
/*
 * The copy @ai may send its next unit at the returned time (@now or
 * before: at once). While an image shares the pool the copy is held to
 * PFS_ARB_COPY_PACE_PCT of the device's time; alone, it is not held.
 */
u64 pfs_arb_copy_pace(struct pfs_arb *arb, const struct pfs_arb_image *ai, u64 now);
/*
 * Would @ai be admitted now? Charges nothing; refused, @ai waits on the
 * pool's list as pfs_arb_admit() leaves it. (A copy asks before it holds
 * an image's writes, then goes with force.)
 */
bool pfs_arb_turn(struct pfs_arb *arb, struct pfs_arb_image *ai, u64 now);
void pfs_arb_complete(struct pfs_arb *arb, struct pfs_arb_image *ai,
		      u32 cost, u32 class, u64 latency_ns, u64 ahead_ns, u64 now);
struct pfs_arb_image *pfs_arb_next_to_wake(struct pfs_arb *arb, u64 now);
/*
 * Does the image that goes next wait for the pacer, not for a completion?
 * Then until when: the caller wakes it then (no completion may come).
 */
bool pfs_arb_paced_until(struct pfs_arb *arb, u64 now, u64 *until);
void pfs_arb_forget(struct pfs_arb *arb, struct pfs_arb_image *ai);
/*
 * Another image asks the arbiter: end the solo, with @in_flight of the solo
 * image's ops unseen on the device. The caller says how many before it
 * admits; pfs_arb_admit() and pfs_arb_turn() end a solo still on with none.
 * The backlog counts only while ops the arbiter sees are in flight: their
 * completions are what wake a waiter, and a solo op's never does.
 */
void pfs_arb_end_solo(struct pfs_arb *arb, u32 in_flight, u64 now);

/* May @ai's next op skip the arbiter? Lock-free: a stale answer costs one op. */
static inline bool pfs_arb_is_solo(const struct pfs_arb *arb,
				   const struct pfs_arb_image *ai)
{
	return READ_ONCE(arb->solo) == ai;
}

/*
 * A solo op went at @now: remembered to 1/1024 of PFS_ARB_SHARED_NS, so
 * the image's cacheline is written about every 250 us, not every op.
 */
static inline void pfs_arb_solo_went(struct pfs_arb_image *ai, u64 now)
{
	if (now - READ_ONCE(ai->solo_last_ns) > (PFS_ARB_SHARED_NS >> 10))
		WRITE_ONCE(ai->solo_last_ns, now);
}

#endif /* PFS_ARB_H */
