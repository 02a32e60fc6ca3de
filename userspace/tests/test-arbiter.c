// SPDX-License-Identifier: GPL-2.0
/*
 * The arbiter's decision code (dm-pfs/pfs-arb.c) against a simulated
 * device, with the same glue the kernel has: each image maps its ops
 * straight to the device when its queue is empty and the arbiter admits
 * them, else queues them for its worker, which is woken by its own
 * completions and by pfs_arb_next_to_wake(). Time is simulated, so the
 * properties below are exact and repeatable:
 *
 *  - a lone image is never slowed (work conservation);
 *  - equal weights get equal device time, weights in proportion;
 *  - an idle neighbour's share flows to the busy one;
 *  - a light or latency-bound victim is not queued behind a heavy
 *    neighbour, on a bandwidth-bound and on a depth-bound device;
 *  - flush storms, QD1 1 MiB writers and mixed-size gaming tenants do not
 *    take anyone's share;
 *  - with 32 tenants the heavy one still gets what the light ones leave;
 *  - on a device that stalls now and then, whatever the depth, the budget
 *    keeps the depth the device delivers at, and weights still hold.
 *
 * Every scenario also runs with no arbiter (dm-linear's behaviour), and
 * the figures of both are printed (-v), so the gain is visible.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pfs-arb.h"

#define MAX_TENANTS	40
#define MAX_QD		64
#define MAX_SAMPLES	400000
#define MS		1000000ULL
#define US		1000ULL
#define WARMUP_NS	(1000 * MS)

static int verbose;

/*
 * The simulated device: SERVERS ops served at once, FIFO beyond that. Its
 * cost model is what calibrating it gives: the device time each op
 * occupies (service time / servers).
 */
struct device {
	const char *name;
	int servers;
	u64 op_ns[4];		/* per op: read, write, flush, discard */
	u64 mib_ns[2];		/* per MiB: read, write */
	struct pfs_cost_model model;
	u32 jitter_pct;		/* each op's time varies by up to this much */
	u64 stall_every_ns;	/* the device stops now and then ... */
	u64 stall_ns;		/* ... for this long, whatever is in flight */
	u64 tick_ns;		/* a rate limit: ops start while the tick's ... */
	u64 tick_bytes;		/* ... bytes last, the rest at the next tick */
};

/* 100 MB/s, one op at a time: bandwidth decides. */
static const struct device dev_bandwidth = {
	"bandwidth-bound", 1, { 40 * US, 40 * US, 2 * MS, 200 * US }, { 10 * MS, 10 * MS },
	{ 40 * US, 40 * US, 10 * MS, 10 * MS, 100, 2 * MS, 200 * US }, 0, 0, 0, 0, 0,
};

/* Eight slots of 400 us each, whatever the size: depth decides. */
static const struct device dev_depth = {
	"depth-bound", 8, { 400 * US, 400 * US, 400 * US, 400 * US }, { 0, 0 },
	{ 50 * US, 50 * US, 0, 0, 100, 50 * US, 50 * US }, 0, 0, 0, 0, 0,
};

/*
 * The same, but every op takes 1/4 to 7/4 of that (an emulated disk, a
 * busy host): a minimum would be no measure of its usual latency.
 */
static const struct device dev_noisy = {
	"noisy depth-bound", 8, { 400 * US, 400 * US, 400 * US, 400 * US }, { 0, 0 },
	{ 50 * US, 50 * US, 0, 0, 100, 50 * US, 50 * US }, 75, 0, 0, 0, 0,
};

/*
 * The depth-bound device, stalling 20 ms in every 60 (a host writing back
 * its page cache, a garbage-collecting SSD): its latency ratio passes 1.5
 * in one window of three whatever the depth, so the ratio alone would
 * shrink the budget to one op and waste seven slots.
 */
static const struct device dev_stalling = {
	"stalling depth-bound", 8, { 400 * US, 400 * US, 400 * US, 400 * US }, { 0, 0 },
	{ 50 * US, 50 * US, 0, 0, 100, 50 * US, 50 * US }, 0, 60 * MS, 20 * MS, 0, 0,
};

/*
 * 50 MiB/s in 20 ms ticks, as null_blk's mbps throttle (the bench's
 * bandwidth device): an op starts at once while the tick's 1 MiB lasts,
 * else at the next tick, 64 at a time, and takes 250 us (the emulated
 * guest's copy, as under TCG). Only the pacer holds it (tick_device()).
 */
static const struct device dev_ticks = {
	"tick-throttled", 64, { 250 * US, 250 * US, 250 * US, 250 * US }, { 0, 0 },
	{ 1 * US, 1 * US, 20 * MS, 20 * MS, 100, 10 * US, 10 * US }, 0, 0, 0, 20 * MS, 1 << 20,
};

/*
 * A disk in the host's page cache (the bench's flushed virtio disk): an op
 * is done in a third of the device time calibrating it measured, the
 * host's copy running beside the guest. Its best latency is under half its
 * cost, but a budget holds it: it must never be paced.
 */
static const struct device dev_cached = {
	"page-cached", 1, { 20 * US, 20 * US, 200 * US, 20 * US }, { 400 * US, 400 * US },
	{ 60 * US, 60 * US, 1200 * US, 1200 * US, 100, 600 * US, 60 * US }, 0, 0, 0, 0, 0,
};

/* What one tenant does: ops of one kind (or a mix), QD deep. */
struct workload {
	const char *name;
	int qd;
	enum pfs_arb_op op;
	u32 bytes;
	bool sequential;
	u64 think_ns;		/* idle time after each completion */
	bool gaming;		/* 4k reads, and every 4th op a 1 MiB FUA write */
	bool fsync_storm;	/* 4k write, flush, 4k write, flush ... */
	bool copy;		/* a live move's copy: units of bytes read and written */
	u32 weight;
	u64 start_ns;		/* first op; shares are counted from the last start */
};

struct op {
	int tenant;
	enum pfs_arb_op op;
	u32 bytes;
	u32 cost;
	u64 arrive;
	u64 dispatch;
	u64 ahead;		/* device time in flight ahead of it */
	bool used;
	bool solo;		/* skipped the arbiter, as the kernel's lock-free path */
};

struct tenant {
	struct workload w;
	struct pfs_arb_image ai;
	int queue[MAX_QD];		/* ops waiting in the image's queue */
	int nq;
	u64 next_sector;
	u64 nops, bytes, busy_ns;	/* completed; device time used */
	u64 *lat;
	int nlat;
	u64 seq;
	int copy_in_flight;		/* a copy's units on the device */
	u64 copy_timer;			/* its pace's wakeup; 0: none */
};

/* Events: a completion, or a tenant's next submission after thinking. */
struct event {
	u64 t;
	int kind;			/* 0: completion of op, 1: submit, 2: pacer, 3: copy's pace */
	int id;
};

struct sim {
	const struct device *dev;
	bool arbiter;
	struct pfs_arb arb;
	struct tenant t[MAX_TENANTS];
	int nt;
	struct op ops[MAX_TENANTS * MAX_QD];
	u64 now;
	/* The device: busy servers, FIFO of dispatched ops waiting for one. */
	int busy;
	int fifo[MAX_TENANTS * MAX_QD];
	int fhead, ftail;
	struct event ev[MAX_TENANTS * MAX_QD * 2 + 16];
	int nev;
	u64 rng;
	u64 measure_from_ns;	/* device time counts from here on */
	u64 tick, tick_left;	/* a tick-throttled device's current tick */
	u64 solo_ops;		/* ops that skipped the arbiter */
	u64 pace_timer;		/* the pacer's wakeup, as the kernel's timer; 0: none */
};

static u64 rnd(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void push_event(struct sim *s, u64 t, int kind, int id)
{
	int i = s->nev++;

	while (i > 0 && s->ev[(i - 1) / 2].t > t) {
		s->ev[i] = s->ev[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->ev[i] = (struct event){ t, kind, id };
}

static struct event pop_event(struct sim *s)
{
	struct event top = s->ev[0], last = s->ev[--s->nev];
	int i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= s->nev)
			break;
		if (c + 1 < s->nev && s->ev[c + 1].t < s->ev[c].t)
			c++;
		if (s->ev[c].t >= last.t)
			break;
		s->ev[i] = s->ev[c];
		i = c;
	}
	s->ev[i] = last;
	return top;
}

static u64 service_ns(const struct device *d, const struct op *o)
{
	u64 t = d->op_ns[o->op == PFS_ARB_WRITE_ZEROES ? PFS_ARB_DISCARD : o->op];

	if (o->op == PFS_ARB_READ || o->op == PFS_ARB_WRITE)
		t += o->bytes * d->mib_ns[o->op == PFS_ARB_WRITE] >> 20;
	return t;
}

/* When an op started at @start needing @svc of service ends, stalls included. */
static u64 stalled_end(const struct device *d, u64 start, u64 svc)
{
	u64 end = start + svc, next;

	if (!d->stall_every_ns)
		return end;
	if (start % d->stall_every_ns < d->stall_ns)
		end += d->stall_ns - start % d->stall_every_ns;
	for (next = (start / d->stall_every_ns + 1) * d->stall_every_ns; next < end;
	     next += d->stall_every_ns)
		end += d->stall_ns;
	return end;
}

/* When a tick-throttled device lets an op of @bytes start, in FIFO order. */
static u64 tick_start(struct sim *s, u32 bytes)
{
	const struct device *d = s->dev;
	u64 tick = s->now / d->tick_ns;

	if (tick > s->tick) {
		s->tick = tick;
		s->tick_left = d->tick_bytes;
	}
	while (bytes > s->tick_left) {
		s->tick++;
		s->tick_left = d->tick_bytes;
	}
	s->tick_left -= bytes;
	return s->tick * d->tick_ns > s->now ? s->tick * d->tick_ns : s->now;
}

static void device_start(struct sim *s, int id)
{
	struct op *o = &s->ops[id];
	u64 svc = service_ns(s->dev, o);

	if (s->dev->tick_ns) {
		/* Its device time is its share of the rate. */
		u64 start = tick_start(s, o->bytes);

		s->busy++;
		if (s->now >= s->measure_from_ns)
			s->t[o->tenant].busy_ns += (u64)o->bytes * s->dev->tick_ns /
						   s->dev->tick_bytes;
		push_event(s, start + svc, 0, id);
		return;
	}

	if (s->dev->jitter_pct)
		svc = svc * (100 - s->dev->jitter_pct + rnd(s) % (2 * s->dev->jitter_pct + 1)) / 100;

	s->busy++;
	if (s->now >= s->measure_from_ns)
		s->t[o->tenant].busy_ns += svc;
	push_event(s, stalled_end(s->dev, s->now, svc), 0, id);
}

static void device_submit(struct sim *s, int id)
{
	s->ops[id].dispatch = s->now;
	if (s->busy < s->dev->servers)
		device_start(s, id);
	else
		s->fifo[s->ftail++ % (MAX_TENANTS * MAX_QD)] = id;
}

/* As the kernel: another tenant ends a solo, saying how many of its ops fly. */
static void end_solo(struct sim *s, struct tenant *t)
{
	u32 n = 0;
	int i;

	if (!s->arb.solo || s->arb.solo == &t->ai)
		return;
	for (i = 0; i < MAX_TENANTS * MAX_QD; i++)
		if (s->ops[i].used && s->ops[i].solo && &s->t[s->ops[i].tenant].ai == s->arb.solo)
			n++;
	pfs_arb_end_solo(&s->arb, n, s->now);
}

static bool admit(struct sim *s, struct tenant *t, struct op *o)
{
	if (!s->arbiter)
		return true;
	end_solo(s, t);
	/* As the kernel: the ops queued behind this one. */
	t->ai.queued = t->nq && t->queue[0] == (int)(o - s->ops) ? t->nq - 1 : t->nq;
	return pfs_arb_admit(&s->arb, &t->ai, o->cost, false, s->now, &o->ahead);
}

/* The image's worker: send what the arbiter admits, in order. */
static void worker(struct sim *s, int ti)
{
	struct tenant *t = &s->t[ti];

	while (t->nq && admit(s, t, &s->ops[t->queue[0]])) {
		int id = t->queue[0];

		memmove(t->queue, t->queue + 1, --t->nq * sizeof(int));
		device_submit(s, id);
	}
}

static void copy_step(struct sim *s, int ti);

/* A free op of tenant @ti's (each has MAX_QD), or NULL. */
static struct op *free_op(struct sim *s, int ti)
{
	int id;

	for (id = ti * MAX_QD; id < (ti + 1) * MAX_QD; id++)
		if (!s->ops[id].used)
			return &s->ops[id];
	return NULL;
}

static void wake_next(struct sim *s)
{
	struct pfs_arb_image *w;
	int guard = 0;
	u64 until;

	/* As the kernel does: kick who the arbiter names, until it names none new. */
	while (s->arbiter && (w = pfs_arb_next_to_wake(&s->arb, s->now)) && guard++ < MAX_TENANTS) {
		int ti = (int)((struct tenant *)((char *)w - offsetof(struct tenant, ai)) - s->t);
		int before = s->t[ti].nq + s->t[ti].copy_in_flight;

		if (s->t[ti].w.copy)
			copy_step(s, ti);
		else
			worker(s, ti);
		if (s->t[ti].nq + s->t[ti].copy_in_flight == before)
			break;
	}
	/* As the kernel: a waiter held by the pacer is woken by a timer. */
	if (s->arbiter && pfs_arb_paced_until(&s->arb, s->now, &until) &&
	    (!s->pace_timer || until < s->pace_timer)) {
		s->pace_timer = until;
		push_event(s, until, 2, 0);
	}
}

/*
 * As dm-pfs-copy.c: a copy sends units of w.bytes (read, then written
 * elsewhere: twice the bytes through the device), up to w.qd at once,
 * while its pace lets them go; the first of a run takes its turn in the
 * arbiter (refused, the arbiter names it later), the others only go into
 * room beside it. Each is charged, never refused, and delivers its cost
 * with no latency.
 */
static void copy_step(struct sim *s, int ti)
{
	struct tenant *t = &s->t[ti];
	u64 at, sector;
	struct op *o;
	u32 cost;

	while (t->copy_in_flight < t->w.qd) {
		sector = t->next_sector;
		cost = pfs_arb_cost(&s->arb, &t->ai, PFS_ARB_READ, sector, t->w.bytes) +
		       pfs_arb_cost(&s->arb, &t->ai, PFS_ARB_WRITE, sector + (1ULL << 30),
				    t->w.bytes);
		if (s->arbiter) {
			at = pfs_arb_copy_pace(&s->arb, &t->ai, s->now);
			if (at > s->now) {
				if (!t->copy_timer || at < t->copy_timer) {
					t->copy_timer = at;
					push_event(s, at, 3, ti);
				}
				return;
			}
			if (!t->copy_in_flight && !pfs_arb_turn(&s->arb, &t->ai, s->now))
				return;
			if (t->copy_in_flight && !pfs_arb_copy_may_add(&s->arb, cost, s->now))
				return;
		}
		o = free_op(s, ti);
		*o = (struct op){ .used = true, .tenant = ti, .op = PFS_ARB_WRITE,
				  .bytes = 2 * t->w.bytes, .cost = cost, .arrive = s->now };
		t->next_sector = sector + t->w.bytes / 512;
		if (s->arbiter)
			pfs_arb_admit(&s->arb, &t->ai, cost, true, s->now, &o->ahead);
		t->copy_in_flight++;
		device_submit(s, (int)(o - s->ops));
	}
}

static void submit(struct sim *s, int ti)
{
	struct tenant *t = &s->t[ti];
	struct op *o = free_op(s, ti);
	u64 sector;
	int id;

	if (!o)
		return;
	id = (int)(o - s->ops);
	o->used = true;
	o->tenant = ti;
	o->op = t->w.op;
	o->bytes = t->w.bytes;
	if (t->w.gaming && t->seq % 4 == 3) {
		o->op = PFS_ARB_WRITE;
		o->bytes = 1 << 20;
	}
	if (t->w.fsync_storm && t->seq % 2) {
		o->op = PFS_ARB_FLUSH;
		o->bytes = 0;
	}
	t->seq++;
	sector = t->w.sequential ? t->next_sector : (rnd(s) % (1 << 20)) * 8;
	t->next_sector = sector + o->bytes / 512;
	o->arrive = s->now;
	/* As the kernel's map: a solo image with an empty queue just goes. */
	o->solo = s->arbiter && !t->nq && pfs_arb_is_solo(&s->arb, &t->ai);
	if (o->solo) {
		pfs_arb_solo_went(&t->ai, s->now);
		s->solo_ops++;
		device_submit(s, id);
		return;
	}
	o->cost = pfs_arb_cost(&s->arb, &t->ai, o->op, sector, o->bytes);
	if (!t->nq && admit(s, t, o)) {
		device_submit(s, id);
		return;
	}
	/*
	 * As the kernel's map: only a queue that was empty wakes the worker
	 * (which then lets whoever the arbiter names go); behind a waiting
	 * head an op wakes no one.
	 */
	t->queue[t->nq++] = id;
	if (t->nq == 1) {
		worker(s, ti);
		wake_next(s);
	}
}

static void complete(struct sim *s, int id)
{
	struct op *o = &s->ops[id];
	struct tenant *t = &s->t[o->tenant];
	u64 lat = s->now - o->arrive;

	s->busy--;
	if (s->fhead != s->ftail)
		device_start(s, s->fifo[s->fhead++ % (MAX_TENANTS * MAX_QD)]);
	t->nops++;
	t->bytes += o->bytes;
	if (t->w.copy) {
		if (s->arbiter)
			pfs_arb_complete(&s->arb, &t->ai, o->cost,
					 pfs_arb_class(PFS_ARB_WRITE, U32_MAX), 0, 0, s->now);
		o->used = false;
		t->copy_in_flight--;
		copy_step(s, o->tenant);
		wake_next(s);
		return;
	}
	/* Latency is judged after the first second: the arbiter learns first. */
	if (t->nlat < MAX_SAMPLES && s->now >= WARMUP_NS)
		t->lat[t->nlat++] = lat;
	if (s->arbiter && !o->solo)
		pfs_arb_complete(&s->arb, &t->ai, o->cost, pfs_arb_class(o->op, o->bytes),
				 s->now - o->dispatch, o->ahead, s->now);
	o->used = false;
	/* As the kernel: a solo op's completion never reaches the arbiter. */
	if (!o->solo) {
		worker(s, o->tenant);
		wake_next(s);
	}
	/* Light tenants think for 1/2 to 3/2 of their mean: no lockstep. */
	if (t->w.think_ns)
		push_event(s, s->now + t->w.think_ns / 2 + rnd(s) % t->w.think_ns, 1, o->tenant);
	else
		submit(s, o->tenant);
}

struct result {
	double tput[MAX_TENANTS];	/* device-time share used, 0..1 */
	double ops[MAX_TENANTS];	/* ops per simulated second */
	double p99_us[MAX_TENANTS];
	double total;			/* device busy fraction */
	u64 budget_ns;
	u64 floor_ns;
	double pace;			/* the pacer's rate at the end, 0: none */
	u64 paced_windows;
	double solo_frac;		/* of all ops, those that skipped the arbiter */
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void run(const struct device *dev, bool arbiter, const struct workload *w, int n,
		u64 duration, struct result *r)
{
	struct sim *s = calloc(1, sizeof(*s));
	/* Shares are of the time the device serves at all. */
	double available = dev->stall_every_ns ?
		1 - (double)dev->stall_ns / dev->stall_every_ns : 1;
	int i, q;

	s->dev = dev;
	s->arbiter = arbiter;
	s->nt = n;
	s->rng = 88172645463325252ULL;
	pfs_arb_init(&s->arb, 0);
	s->arb.model = dev->model;
	for (i = 0; i < n; i++) {
		s->t[i].w = w[i];
		s->t[i].lat = calloc(MAX_SAMPLES, sizeof(u64));
		pfs_arb_image_init(&s->t[i].ai, w[i].weight ? w[i].weight : 100);
		s->t[i].ai.copy = w[i].copy;
		for (q = 0; q < (w[i].copy ? 1 : w[i].qd); q++)
			push_event(s, w[i].start_ns + (u64)q * 1000 + i, 1, i);
		if (w[i].start_ns > s->measure_from_ns)
			s->measure_from_ns = w[i].start_ns;
	}
	while (s->nev) {
		struct event e = pop_event(s);

		if (e.t > duration)
			break;
		s->now = e.t;
		if (e.kind == 0) {
			complete(s, e.id);
		} else if (e.kind == 2) {
			if (e.t == s->pace_timer) {
				s->pace_timer = 0;
				wake_next(s);
			}
		} else if (e.kind == 3) {
			if (e.t == s->t[e.id].copy_timer) {
				s->t[e.id].copy_timer = 0;
				copy_step(s, e.id);
			}
		} else if (s->t[e.id].w.copy) {
			copy_step(s, e.id);
		} else {
			submit(s, e.id);
		}
	}
	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		struct tenant *t = &s->t[i];

		r->tput[i] = (double)t->busy_ns / (duration - s->measure_from_ns) /
			     (dev->tick_ns ? 1 : dev->servers) / available;
		r->ops[i] = t->nops * 1e9 / duration;
		if (t->nlat) {
			qsort(t->lat, t->nlat, sizeof(u64), cmp_u64);
			r->p99_us[i] = t->lat[(t->nlat * 99) / 100] / 1000.0;
		}
		r->total += r->tput[i];
		free(t->lat);
	}
	r->budget_ns = s->arb.budget_ns;
	r->floor_ns = s->arb.floor_ns;
	r->pace = (double)s->arb.pace_rate / (1 << PFS_ARB_RATE_SHIFT);
	r->paced_windows = s->arb.paced_windows;
	for (i = 0, q = 0; i < n; i++)
		q += s->t[i].nops;
	r->solo_frac = q ? (double)s->solo_ops / q : 0;
	free(s);
}

static double jain(const double *x, int n)
{
	double sum = 0, sq = 0;
	int i;

	for (i = 0; i < n; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	return sq ? sum * sum / (n * sq) : 0;
}

#define SECONDS(n)	((u64)(n) * 1000 * MS)

static void report(const char *name, const struct device *dev, const struct result *pfs,
		   const struct result *lin, int n)
{
	int i;

	if (!verbose)
		return;
	printf("%s on %s (budget %.2f ms, floor %.2f ms, pace %.3f, %llu windows paced, %.3f of ops solo)\n",
	       name, dev->name, pfs->budget_ns / 1e6, pfs->floor_ns / 1e6, pfs->pace,
	       (unsigned long long)pfs->paced_windows, pfs->solo_frac);
	for (i = 0; i < n; i++)
		printf("  tenant %d: share %.3f (linear %.3f), p99 %.0f us (linear %.0f us), %.0f ops/s\n",
		       i, pfs->tput[i], lin->tput[i], pfs->p99_us[i], lin->p99_us[i], pfs->ops[i]);
}

static void both(const char *name, const struct device *dev, const struct workload *w, int n,
		 struct result *pfs, struct result *lin)
{
	run(dev, true, w, n, SECONDS(4), pfs);
	run(dev, false, w, n, SECONDS(4), lin);
	report(name, dev, pfs, lin, n);
}

static const struct workload heavy_writer = {
	.name = "seq writer", .qd = 32, .op = PFS_ARB_WRITE, .bytes = 131072, .sequential = true,
};
static const struct workload heavy_reader = {
	.name = "rand reader", .qd = 32, .op = PFS_ARB_READ, .bytes = 4096,
};
static const struct workload victim_qd1 = {
	.name = "victim", .qd = 1, .op = PFS_ARB_READ, .bytes = 4096,
};
static const struct workload light = {
	.name = "light", .qd = 1, .op = PFS_ARB_READ, .bytes = 4096, .think_ns = 50 * MS,
};

static void lone_image_is_not_slowed(const struct device *dev)
{
	struct result pfs, lin;

	both("lone writer", dev, &heavy_writer, 1, &pfs, &lin);
	CHECK(pfs.ops[0] >= 0.98 * lin.ops[0]);
	CHECK(pfs.total >= 0.98);
	/* Alone, it takes the path with no lock for nearly every op. */
	CHECK(pfs.solo_frac >= 0.99);
}

static void equal_weights_share_equally(const struct device *dev)
{
	struct workload w[2] = { heavy_writer, heavy_writer };
	struct result pfs, lin;

	both("two equal writers", dev, w, 2, &pfs, &lin);
	CHECK(jain(pfs.tput, 2) >= 0.9);
	CHECK(pfs.total >= 0.9);
	/* Only a device no budget holds (a token bucket) is paced. */
	CHECK(!pfs.pace && !pfs.paced_windows);

	w[1] = heavy_reader;
	both("writer and reader", dev, w, 2, &pfs, &lin);
	CHECK(jain(pfs.tput, 2) >= 0.9);
	CHECK(pfs.total >= 0.9);
}

static void weights_are_proportional(const struct device *dev)
{
	struct workload w[2] = { heavy_writer, heavy_writer };
	struct result pfs, lin;
	double ratio;

	w[0].weight = 100;
	w[1].weight = 300;
	both("weights 100:300", dev, w, 2, &pfs, &lin);
	ratio = pfs.tput[1] / pfs.tput[0];
	CHECK(ratio > 2.7 && ratio < 3.3);
	CHECK(pfs.total >= 0.9);
}

/*
 * A victim next to a heavy neighbour keeps its latency, but for up to two
 * of the neighbour's ops: a device does not preempt an op it has started,
 * and the budget's probing upward lets a second one in now and then. The
 * neighbour gets what the victim leaves.
 */
static double victim_bar_us(const struct device *dev, double alone_us,
			    const struct workload *neighbour)
{
	struct op big = { .op = neighbour->op, .bytes = neighbour->bytes };

	return 1.5 * alone_us + 2 * service_ns(dev, &big) / 1000.0;
}

/*
 * @late: the victim starts after the neighbour has had the device to
 * itself for a second, long enough to go solo: the victim's first op must
 * end that.
 */
static void victim_is_protected(const struct device *dev, const struct workload *victim,
				const struct workload *neighbour, bool late)
{
	struct workload w[2] = { *victim, *neighbour };
	struct result pfs, lin, alone;

	if (late)
		w[0].start_ns = SECONDS(1);
	run(dev, true, victim, 1, SECONDS(4), &alone);
	both(late ? "QD1 victim after a solo neighbour" : victim->think_ns ? "light victim" :
	     "QD1 victim", dev, w, 2, &pfs, &lin);
	if (verbose)
		printf("  victim alone p99 %.0f us: with neighbour %.2fx (linear %.2fx)\n",
		       alone.p99_us[0], pfs.p99_us[0] / alone.p99_us[0],
		       lin.p99_us[0] / alone.p99_us[0]);
	/*
	 * A stall holds whatever is in flight, and a victim sharing the
	 * device is in flight during more of them than one alone: no
	 * arbiter hides that, it only must not add to it.
	 */
	if (late) {
		/*
		 * The victim's arrival ended the neighbour's solo: from then
		 * on the neighbour's ops were charged (it was alone for a
		 * quarter of the run). Its first ops wait behind the queue the
		 * neighbour built alone, which no arbiter that leaves a lone
		 * image the whole device undoes: no worse than without the
		 * arbiter is the bar here (docs/target.md gives the numbers).
		 */
		CHECK(pfs.solo_frac <= 0.3);
		CHECK(pfs.p99_us[0] <= 1.05 * lin.p99_us[0]);
		if (verbose)
			printf("  bar of a victim there from the start: %.0f us, %s\n",
			       victim_bar_us(dev, alone.p99_us[0], neighbour),
			       pfs.p99_us[0] <= victim_bar_us(dev, alone.p99_us[0], neighbour) ?
			       "met" : "not met");
	} else if (dev->stall_every_ns) {
		CHECK(pfs.p99_us[0] <= 1.05 * lin.p99_us[0]);
	} else {
		CHECK(pfs.p99_us[0] <= victim_bar_us(dev, alone.p99_us[0], neighbour));
	}
	CHECK(pfs.tput[1] >= 0.9 * (1 - pfs.tput[0]));
}

/*
 * An image idle for a while, then busy, gets its share from then on, not
 * the device until it has spent the share it did not use while idle.
 */
static void idleness_is_not_saved(const struct device *dev)
{
	struct workload w[2] = { heavy_writer, heavy_writer };
	struct result pfs, lin;

	struct workload w3[3] = { heavy_writer, heavy_writer, heavy_writer };

	w[1].start_ns = SECONDS(2);
	both("a writer joins after 2 s", dev, w, 2, &pfs, &lin);
	CHECK(pfs.tput[0] >= 0.45);
	CHECK(pfs.tput[1] >= 0.45);
	/*
	 * Alone, the first writer went solo, and a solo image's virtual time
	 * stands still. With a second one busy all along the pool stays
	 * shared: the late writer must still start from the pool's virtual
	 * time, not from where it was.
	 */
	w3[1].start_ns = SECONDS(2);
	both("a writer joins two after 2 s", dev, w3, 3, &pfs, &lin);
	CHECK(pfs.tput[0] >= 0.3);
	CHECK(pfs.tput[1] >= 0.3);
	CHECK(pfs.tput[2] >= 0.3);
}

/* Nothing a tenant does moves an equal-weight neighbour below its share. */
static void no_gaming(const struct device *dev, const struct workload *gamer)
{
	struct workload w[3] = { heavy_writer, heavy_reader, *gamer };
	struct result pfs, lin;

	both(gamer->name, dev, w, 3, &pfs, &lin);
	CHECK(pfs.tput[0] >= 0.9 / 3);
	CHECK(pfs.tput[1] >= 0.9 / 3);
	CHECK(pfs.total >= 0.9);
}

static void many_tenants(const struct device *dev, int n)
{
	struct workload w[MAX_TENANTS];
	struct result pfs, lin, alone;
	double lights = 0;
	int i;

	run(dev, true, &light, 1, SECONDS(4), &alone);
	w[0] = heavy_writer;
	for (i = 1; i < n; i++)
		w[i] = light;
	both("many tenants", dev, w, n, &pfs, &lin);
	for (i = 1; i < n; i++)
		lights += pfs.tput[i];
	CHECK(pfs.tput[0] >= 0.9 * (1 - lights));
	for (i = 1; i < n; i++)
		/* ... and now and then another light tenant's op. */
		CHECK(pfs.p99_us[i] <= victim_bar_us(dev, alone.p99_us[0], &heavy_writer) +
		      4 * alone.p99_us[0]);
}

/* The bench's tenants8: a QD1 victim and seven equal heavy writers. */
static void equal_tenants(const struct device *dev)
{
	struct workload w[8];
	struct result pfs, lin;
	double writers = 0;
	int i;

	w[0] = victim_qd1;
	for (i = 1; i < 8; i++)
		w[i] = heavy_writer;
	both("victim and 7 equal writers", dev, w, 8, &pfs, &lin);
	for (i = 1; i < 8; i++)
		writers += pfs.tput[i];
	CHECK(writers >= 0.9 * (1 - pfs.tput[0]));
	CHECK(jain(pfs.tput + 1, 7) >= 0.9);
}

/* @victim beside a sequential writer on the tick-throttled device. */
static void tick_victim(const struct workload *victim)
{
	struct workload w[2] = { *victim, heavy_writer };
	struct result pfs, lin, alone;

	run(&dev_ticks, true, victim, 1, SECONDS(4), &alone);
	both(victim->think_ns ? "light victim" : "QD1 victim", &dev_ticks, w, 2, &pfs, &lin);
	CHECK(pfs.pace > 0);
	CHECK(pfs.p99_us[0] <= victim_bar_us(&dev_ticks, alone.p99_us[0], &heavy_writer));
	if (verbose)
		printf("  victim alone p99 %.0f us: with neighbour %.2fx (linear %.2fx), neighbour %.2f of what is left (bar 0.9)\n",
		       alone.p99_us[0], pfs.p99_us[0] / alone.p99_us[0],
		       lin.p99_us[0] / alone.p99_us[0], pfs.tput[1] / (1 - pfs.tput[0]));
}

/*
 * The tick-throttled device: a victim's op that arrives once the tick's
 * bytes are spent waits for the next tick, whatever the order of the ops
 * in flight, so only a pace under the device's rate protects it. Asserted:
 * the pacer engages, and a QD1 victim and a light victim keep their
 * latency beside a sequential writer. Reported, short of the bars: the
 * neighbour's share of what the victim leaves (the pace is 94 % of a rate
 * measured low), and a QD1 victim among seven writers, which start-time
 * fair queueing makes wait one op of each writer per round (it asks for
 * more than its eighth).
 */
static void tick_device(void)
{
	struct workload w8[8];
	struct result pfs, lin, alone;
	double writers = 0;
	int i;

	tick_victim(&victim_qd1);
	tick_victim(&light);
	w8[0] = victim_qd1;
	for (i = 1; i < 8; i++)
		w8[i] = heavy_writer;
	run(&dev_ticks, true, &victim_qd1, 1, SECONDS(4), &alone);
	both("victim and 7 equal writers", &dev_ticks, w8, 8, &pfs, &lin);
	for (i = 1; i < 8; i++)
		writers += pfs.tput[i];
	CHECK(jain(pfs.tput + 1, 7) >= 0.9);
	if (verbose)
		printf("  victim %.2fx (linear %.2fx), writers %.2f of what is left, Jain %.2f\n",
		       pfs.p99_us[0] / alone.p99_us[0], lin.p99_us[0] / alone.p99_us[0],
		       writers / (1 - pfs.tput[0]), jain(pfs.tput + 1, 7));
	/* Alone, nothing is paced: a lone writer loses nothing. */
	both("lone writer", &dev_ticks, &heavy_writer, 1, &pfs, &lin);
	CHECK(pfs.ops[0] >= 0.98 * lin.ops[0]);
}

/* A live move's copy: its unit holds the device about 0.5 ms, as the kernel's. */
static struct workload copy_of(const struct device *dev)
{
	struct workload c = { .name = "copy", .qd = 4, .bytes = 4096, .copy = true, .weight = 1 };
	u64 mib_ns = (u64)dev->model.read_mib_ns + dev->model.write_mib_ns;

	while (c.bytes < 128 * 1024 && (u64)2 * c.bytes * mib_ns <= 500000ULL << 20)
		c.bytes *= 2;
	return c;
}

/*
 * A live move's copy beside a light VM (the bench's move scenario). Alone,
 * the copy is not held. Beside the VM, on the tick-throttled device, its
 * pace never spends a tick, so the VM's p99 stays within twice its own,
 * where with no pace it was 63 times (each op arriving after the copy
 * spent a tick waited for the next); and the copy moves at least half of
 * what the VM leaves of what it moves alone. Reported only: on a device
 * that serves one op at a time the VM's op waits for the unit being
 * served; a noisy device's light VM shrinks the budget the copy goes by
 * (0.48); and on the page-cached disk, whose cost model is three times
 * what it serves, the pace of 3/4 of the model is 1/4 of the device (0.25).
 */
static void copy_beside_light(const struct device *dev, bool rate_bar)
{
	struct workload copy = copy_of(dev), w[2] = { light, copy };
	struct result pfs, lin, alone, lone;

	both("lone copy", dev, &copy, 1, &lone, &lin);
	CHECK(lone.tput[0] >= 0.98 * lin.tput[0]);
	run(dev, true, &light, 1, SECONDS(4), &alone);
	both("light VM and a copy", dev, w, 2, &pfs, &lin);
	if (rate_bar)
		CHECK(pfs.tput[1] >= 0.5 * lone.tput[0] * (1 - pfs.tput[0]));
	if (dev->tick_ns)
		CHECK(pfs.p99_us[0] <= 2 * alone.p99_us[0]);
	if (verbose)
		printf("  VM alone p99 %.0f us: beside the copy %.2fx (linear %.2fx); copy %.2f of what it moves alone, of what the VM leaves (%u-byte units)\n",
		       alone.p99_us[0], pfs.p99_us[0] / alone.p99_us[0],
		       lin.p99_us[0] / alone.p99_us[0],
		       pfs.tput[1] / lone.tput[0] / (1 - pfs.tput[0]), copy.bytes);
}

int main(int argc, char **argv)
{
	const struct device *devs[] = {
		&dev_bandwidth, &dev_depth, &dev_noisy, &dev_stalling, &dev_cached,
	};
	struct workload gamer = {
		.name = "gaming tenant", .qd = 1, .op = PFS_ARB_READ, .bytes = 4096, .gaming = true,
	};
	struct workload fsyncs = {
		.name = "fsync storm", .qd = 1, .op = PFS_ARB_WRITE, .bytes = 4096, .sequential = true,
		.fsync_storm = true,
	};
	struct workload big_qd1 = {
		.name = "QD1 1 MiB writer", .qd = 1, .op = PFS_ARB_WRITE, .bytes = 1 << 20,
		.sequential = true,
	};
	unsigned int d;

	verbose = argc > 1 && !strcmp(argv[1], "-v");
	tick_device();
	copy_beside_light(&dev_ticks, true);
	for (d = 0; d < sizeof(devs) / sizeof(devs[0]); d++) {
		lone_image_is_not_slowed(devs[d]);
		equal_weights_share_equally(devs[d]);
		weights_are_proportional(devs[d]);
		idleness_is_not_saved(devs[d]);
		victim_is_protected(devs[d], &victim_qd1, &heavy_writer, false);
		victim_is_protected(devs[d], &victim_qd1, &heavy_writer, true);
		victim_is_protected(devs[d], &light, &heavy_writer, false);
		victim_is_protected(devs[d], &victim_qd1, &heavy_reader, false);
		no_gaming(devs[d], &gamer);
		no_gaming(devs[d], &fsyncs);
		no_gaming(devs[d], &big_qd1);
		many_tenants(devs[d], 8);
		many_tenants(devs[d], 32);
		equal_tenants(devs[d]);
		copy_beside_light(devs[d], devs[d] != &dev_noisy && devs[d] != &dev_cached);
	}
	CHECK_DONE();
}
