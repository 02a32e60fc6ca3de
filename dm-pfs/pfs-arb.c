// SPDX-License-Identifier: GPL-2.0
/*
 * The arbiter's decisions (see pfs-arb.h): pure code, shared by the kernel
 * target and the userspace simulator.
 */
#include "pfs-arb.h"
#include "pfs-format.h"

/*
 * Until the pool has calibrated its device: a middling SATA/NVMe SSD
 * (50k random 4k reads/s, 500 MB/s). Only the ratios between figures
 * shape the shares; the budget adapts to whatever their scale is.
 */
const struct pfs_cost_model pfs_arb_default_model = {
	.read_op_ns = 20000,
	.write_op_ns = 25000,
	.read_mib_ns = 2000000,
	.write_mib_ns = 2500000,
	.seq_op_pct = 25,
	.flush_ns = 1000000,
	.discard_ns = 100000,
};

/*
 * The model a pool's superblock gives: what pfsadm calibrate measured
 * (version 3), else the default. Returns whether it was calibrated. The
 * superblock was validated (pfs_sb_validate), so every figure is in range.
 */
bool pfs_arb_model_from_sb(const struct pfs_superblock *sb, struct pfs_cost_model *m)
{
	const struct pfs_cost_record *c = &sb->cost;

	if (le32_to_cpu(sb->version) < 3 || !c->calibrate_time) {
		*m = pfs_arb_default_model;
		return false;
	}
	m->read_op_ns = le32_to_cpu(c->read_op_ns);
	m->write_op_ns = le32_to_cpu(c->write_op_ns);
	m->read_mib_ns = le32_to_cpu(c->read_mib_ns);
	m->write_mib_ns = le32_to_cpu(c->write_mib_ns);
	m->seq_op_pct = le32_to_cpu(c->seq_op_pct);
	m->flush_ns = le32_to_cpu(c->flush_ns);
	m->discard_ns = le32_to_cpu(c->discard_ns);
	return true;
}

void pfs_arb_init(struct pfs_arb *arb, u64 now)
{
	memset(arb, 0, sizeof(*arb));
	arb->model = pfs_arb_default_model;
	arb->budget_ns = PFS_ARB_START_BUDGET_NS;
	arb->win_start_ns = now;
}

void pfs_arb_set_model(struct pfs_arb *arb, const struct pfs_cost_model *m)
{
	if (!memcmp(&arb->model, m, sizeof(*m)))
		return;
	arb->model = *m;
	/* A pace is in the old model's device time: learn it again. */
	arb->pace_rate = 0;
	arb->pace_probe = 0;
	arb->pace_climbing = false;
	arb->pace_next_ns = 0;
	arb->pace_start_spans = 0;
	memset(&arb->span, 0, sizeof(arb->span));
}

void pfs_arb_image_init(struct pfs_arb_image *ai, u32 weight)
{
	memset(ai, 0, sizeof(*ai));
	ai->weight = weight ? weight : 1;
	ai->may_solo = true;
}

u32 pfs_arb_class(enum pfs_arb_op op, u32 bytes)
{
	u32 size = bytes <= 16384 ? 0 : bytes <= 131072 ? 1 : 2;

	switch (op) {
	case PFS_ARB_READ:
		return size;
	case PFS_ARB_WRITE:
		return 3 + size;
	case PFS_ARB_FLUSH:
		return 6;
	default:
		return 7;
	}
}

u32 pfs_arb_cost(const struct pfs_arb *arb, struct pfs_arb_image *ai,
		 enum pfs_arb_op op, u64 sector, u32 bytes)
{
	const struct pfs_cost_model *m = &arb->model;
	u64 op_ns, mib_ns, cost;

	switch (op) {
	case PFS_ARB_FLUSH:
		return m->flush_ns;
	case PFS_ARB_DISCARD:
		return m->discard_ns;
	case PFS_ARB_READ:
		op_ns = m->read_op_ns;
		mib_ns = m->read_mib_ns;
		break;
	default:
		op_ns = m->write_op_ns;
		mib_ns = m->write_mib_ns;
		break;
	}
	if (sector == ai->next_sector)
		op_ns = div_u64(op_ns * m->seq_op_pct, 100);
	ai->next_sector = sector + (bytes >> 9);
	cost = op_ns + (((u64)bytes * mib_ns) >> 20);
	return cost > U32_MAX ? U32_MAX : (u32)cost;
}

static void pfs_arb_unlink(struct pfs_arb *arb, struct pfs_arb_image *ai)
{
	struct pfs_arb_image **p;

	for (p = &arb->waiting; *p; p = &(*p)->next_waiting) {
		if (*p == ai) {
			*p = ai->next_waiting;
			break;
		}
	}
	ai->next_waiting = NULL;
	ai->waiting = false;
}

/*
 * Do images share the device? Two busy at once, or were within
 * PFS_ARB_SHARED_NS: a light image's gap between two ops must not open
 * the device to a lone neighbour's full queue just before its next op.
 */
static bool pfs_arb_shared(struct pfs_arb *arb, u64 now)
{
	if (arb->nr_active > 1) {
		arb->shared_until_ns = now + PFS_ARB_SHARED_NS;
		arb->win_shared = true;
		return true;
	}
	return (s64)(arb->shared_until_ns - now) > 0;
}

/*
 * While probing, one op at a time: what completes then shows the device's
 * unloaded latency, which a device kept busy would never show.
 */
static u64 pfs_arb_budget(const struct pfs_arb *arb)
{
	if (arb->probing)
		return 1;
	return arb->budget_ns > arb->floor_ns ? arb->budget_ns : arb->floor_ns;
}

/* Device time still owed to an ended solo's ops. */
static u64 pfs_arb_backlog(const struct pfs_arb *arb, u64 now)
{
	return (s64)(arb->backlog_until_ns - now) > 0 ? arb->backlog_until_ns - now : 0;
}

/*
 * Is the device time in flight, an ended solo's backlog with it, at the
 * budget? One op always goes when nothing is in flight, as before.
 */
static bool pfs_arb_full(const struct pfs_arb *arb, u64 now)
{
	/* With nothing seen in flight no completion would wake a waiter: go. */
	return arb->in_flight_ns &&
	       arb->in_flight_ns + pfs_arb_backlog(arb, now) >= pfs_arb_budget(arb);
}

/* The time the pace gives an op of @cost. */
static u64 pfs_arb_pace_step(const struct pfs_arb *arb, u32 cost)
{
	return div64_u64((u64)cost << PFS_ARB_RATE_SHIFT, arb->pace_rate);
}

/*
 * How far ahead of the pace may @ai's op of @cost go? A small op, one of
 * under a quarter of PFS_ARB_PACE_BURST_NS at the pace, by that burst:
 * small ops go a few at a time, not one per wakeup of the pool's timer,
 * and the rate holds all the same (a large op ahead would spend a rate
 * limited device's tick). A light op, one
 * short op from an image with nothing else in flight or queued (a QD1
 * reader, a light VM), runs ahead of the pace by the longest step an op
 * took lately and PFS_ARB_PACE_SLACK_NS more: it is never queued behind
 * the heavy's last large op. Its time is still charged, so the heavy
 * wait longer after it and the rate holds.
 */
static u64 pfs_arb_pace_slack(const struct pfs_arb *arb, const struct pfs_arb_image *ai,
			      u32 cost)
{
	u64 step = arb->pace_step_ns > arb->pace_step_last_ns ?
		   arb->pace_step_ns : arb->pace_step_last_ns;
	u64 own = pfs_arb_pace_step(arb, cost);

	if (!ai->in_flight && !ai->queued && own <= PFS_ARB_PACE_SLACK_NS)
		return step + PFS_ARB_PACE_SLACK_NS;
	return own <= PFS_ARB_PACE_BURST_NS / 4 ? PFS_ARB_PACE_BURST_NS : 0;
}

/* Must @ai's op of @cost wait for the pacer? */
static bool pfs_arb_paced(const struct pfs_arb *arb, const struct pfs_arb_image *ai,
			  u32 cost, u64 now)
{
	return arb->pace_rate &&
	       (s64)(arb->pace_next_ns - pfs_arb_pace_slack(arb, ai, cost) - now) > 0;
}

/* An op of @cost went: the next one may go when the device has paid for it. */
static void pfs_arb_pace_charge(struct pfs_arb *arb, u32 cost, u64 now)
{
	u64 step;

	if (!arb->pace_rate)
		return;
	step = pfs_arb_pace_step(arb, cost);
	if (step > arb->pace_step_ns)
		arb->pace_step_ns = step;
	if ((s64)(now - arb->pace_next_ns) > 0)
		arb->pace_next_ns = now;
	arb->pace_next_ns += step;
}

/* Is another waiting image behind in virtual time? It goes first. */
static bool pfs_arb_someone_owed(const struct pfs_arb *arb,
				 const struct pfs_arb_image *ai)
{
	const struct pfs_arb_image *w;

	for (w = arb->waiting; w; w = w->next_waiting)
		if (w != ai && w->vtime < ai->vtime)
			return true;
	return false;
}

/*
 * The solo image's ops take their turn again. It was active, unseen, until
 * its last solo op: the pool counts as shared from then. Its @in_flight
 * ops are a backlog the device serves for their cost.
 */
void pfs_arb_end_solo(struct pfs_arb *arb, u32 in_flight, u64 now)
{
	struct pfs_arb_image *solo = arb->solo;
	u64 until, backlog;

	if (!solo)
		return;
	WRITE_ONCE(arb->solo, NULL);
	until = READ_ONCE(solo->solo_last_ns) + PFS_ARB_SHARED_NS;
	if ((s64)(until - now) > 0) {
		if ((s64)(until - arb->shared_until_ns) > 0)
			arb->shared_until_ns = until;
		arb->win_shared = true;
	}
	backlog = (u64)in_flight * solo->solo_cost;
	if (backlog > PFS_ARB_MAX_BUDGET_NS)
		backlog = PFS_ARB_MAX_BUDGET_NS;
	/* A backlog still being served is not forgotten. */
	if ((s64)(now + backlog - arb->backlog_until_ns) > 0)
		arb->backlog_until_ns = now + backlog;
}

/* @ai asks to go: back from idle, it gets no credit for the time it was away. */
static void pfs_arb_enter(struct pfs_arb *arb, struct pfs_arb_image *ai, u64 now)
{
	if (arb->solo && arb->solo != ai)
		pfs_arb_end_solo(arb, 0, now);
	if (!ai->in_flight && !ai->waiting) {
		if (ai->vtime < arb->vnow)
			ai->vtime = arb->vnow;
		arb->nr_active++;
	}
}

/* Refused: on the pool's waiting list, once. */
static void pfs_arb_wait(struct pfs_arb *arb, struct pfs_arb_image *ai)
{
	if (!ai->waiting) {
		ai->waiting = true;
		ai->next_waiting = arb->waiting;
		arb->waiting = ai;
		ai->waits++;
	}
}

bool pfs_arb_turn(struct pfs_arb *arb, struct pfs_arb_image *ai, u64 now)
{
	pfs_arb_enter(arb, ai, now);
	if (pfs_arb_shared(arb, now) &&
	    (pfs_arb_full(arb, now) || pfs_arb_someone_owed(arb, ai) ||
	     pfs_arb_paced(arb, ai, U32_MAX, now))) {
		ai->wait_cost = U32_MAX;
		pfs_arb_wait(arb, ai);
		return false;
	}
	if (ai->waiting)
		pfs_arb_unlink(arb, ai);
	if (!ai->in_flight)
		arb->nr_active--;
	return true;
}

bool pfs_arb_copy_may_add(struct pfs_arb *arb, u32 cost, u64 now)
{
	if (arb->waiting)
		return false;
	if (!pfs_arb_shared(arb, now))
		return true;
	if (arb->pace_rate && (s64)(arb->pace_next_ns - now) > 0)
		return false;
	if (arb->in_flight_ns + pfs_arb_backlog(arb, now) + cost <= pfs_arb_budget(arb))
		return true;
	/* Held back by the budget: a calm window grows it, as for an image. */
	arb->win_bound = true;
	return false;
}

/*
 * A device that hands out its rate in ticks (a token bucket, a cloud
 * disk's throttle) holds whatever comes after a tick's budget until the
 * next tick: a copy that spends the tick makes an image's op that follows
 * wait for it, however light the image. Held below the device's rate in
 * short bursts, the copy leaves every tick room for the images' ops.
 */
u64 pfs_arb_copy_pace(struct pfs_arb *arb, const struct pfs_arb_image *ai, u64 now)
{
	if (!pfs_arb_shared(arb, now) || (s64)(ai->copy_pace_ns - now) <= 0)
		return now;
	return ai->copy_pace_ns;
}

/* A copy's unit of @cost went: the pace's next time, counted while shared. */
static void pfs_arb_copy_pace_charge(struct pfs_arb *arb, struct pfs_arb_image *ai,
				     u32 cost, u64 now)
{
	u64 floor = now - PFS_ARB_COPY_BURST_NS;

	if (!pfs_arb_shared(arb, now)) {
		ai->copy_pace_ns = floor;
		return;
	}
	/* No credit beyond one burst for the time it did not use. */
	if ((s64)(ai->copy_pace_ns - floor) < 0)
		ai->copy_pace_ns = floor;
	ai->copy_pace_ns += div_u64((u64)cost * 100, PFS_ARB_COPY_PACE_PCT);
}

/*
 * May @ai send an op of @cost now? If so it is charged; if not, @ai waits
 * on the pool's list until pfs_arb_next_to_wake() names it. @force (a
 * suspending image draining its queue) admits and charges regardless.
 */
bool pfs_arb_admit(struct pfs_arb *arb, struct pfs_arb_image *ai, u32 cost,
		   bool force, u64 now, u64 *ahead_ns)
{
	pfs_arb_enter(arb, ai, now);
	if (!force && pfs_arb_shared(arb, now)) {
		if (pfs_arb_full(arb, now)) {
			arb->win_bound = true;
			goto wait;
		}
		if (pfs_arb_someone_owed(arb, ai))
			goto wait;
		if (pfs_arb_paced(arb, ai, cost, now)) {
			arb->win_paced = true;
			goto wait;
		}
	}
	if (ai->waiting)
		pfs_arb_unlink(arb, ai);
	*ahead_ns = arb->in_flight_ns + pfs_arb_backlog(arb, now);
	if (arb->vnow < ai->vtime)
		arb->vnow = ai->vtime;
	ai->vtime += div_u64((u64)cost * PFS_DEFAULT_WEIGHT, ai->weight);
	ai->in_flight++;
	ai->charged_ns += cost;
	arb->in_flight_ns += cost;
	pfs_arb_pace_charge(arb, cost, now);
	if (ai->copy)
		pfs_arb_copy_pace_charge(arb, ai, cost, now);
	/* Alone, with no one waiting: its next ops need not ask. */
	if (!force && ai->may_solo && !ai->copy && arb->nr_active == 1 && !arb->waiting &&
	    !pfs_arb_shared(arb, now) && arb->solo != ai) {
		ai->solo_last_ns = now;
		ai->solo_cost = cost;
		WRITE_ONCE(arb->solo, ai);
		arb->solos++;
	}
	return true;

wait:
	ai->wait_cost = cost;
	pfs_arb_wait(arb, ai);
	return false;
}

/* The waiting image with the lowest virtual time, or NULL. */
static struct pfs_arb_image *pfs_arb_lowest_waiting(const struct pfs_arb *arb)
{
	struct pfs_arb_image *w, *best = NULL;

	for (w = arb->waiting; w; w = w->next_waiting)
		if (!best || w->vtime < best->vtime)
			best = w;
	return best;
}

/* The waiting image the device has room for, lowest virtual time first. */
struct pfs_arb_image *pfs_arb_next_to_wake(struct pfs_arb *arb, u64 now)
{
	struct pfs_arb_image *best;
	bool shared = pfs_arb_shared(arb, now);

	if (shared && pfs_arb_full(arb, now))
		return NULL;
	best = pfs_arb_lowest_waiting(arb);
	if (best && shared && pfs_arb_paced(arb, best, best->wait_cost, now))
		return NULL;
	return best;
}

bool pfs_arb_paced_until(struct pfs_arb *arb, u64 now, u64 *until)
{
	struct pfs_arb_image *best;

	if (!arb->pace_rate || !arb->waiting || !pfs_arb_shared(arb, now) ||
	    pfs_arb_full(arb, now))
		return false;
	best = pfs_arb_lowest_waiting(arb);
	if (!pfs_arb_paced(arb, best, best->wait_cost, now))
		return false;
	*until = arb->pace_next_ns - pfs_arb_pace_slack(arb, best, best->wait_cost);
	return true;
}

/* An image leaves the pool (its queue is empty and nothing is in flight). */
void pfs_arb_forget(struct pfs_arb *arb, struct pfs_arb_image *ai)
{
	if (arb->solo == ai)
		WRITE_ONCE(arb->solo, NULL);
	if (!ai->waiting)
		return;
	pfs_arb_unlink(arb, ai);
	if (!ai->in_flight)
		arb->nr_active--;
}

/*
 * The device time the device keeps in flight when it delivers, with no
 * queue, what it delivered this window: the rate of cost completed per ns
 * times the mean unloaded latency of what completed. The floor is the
 * highest of these lately, falling by 1/16 a window unless renewed, so a
 * device that stopped delivering as much gives its depth back.
 */
static void pfs_arb_update_floor(struct pfs_arb *arb, u64 elapsed)
{
	u64 rate, need = 0;

	if (elapsed && arb->win_completions) {
		/* In 1/256 of a ns per ns: no overflow below 2^56 ns delivered. */
		rate = div64_u64(arb->win_delivered_ns << 8, elapsed);
		need = (rate * div_u64(arb->win_base_sum, arb->win_completions)) >> 8;
	}
	if (need > PFS_ARB_MAX_BUDGET_NS)
		need = PFS_ARB_MAX_BUDGET_NS;
	if (need >= arb->floor_ns)
		arb->floor_ns = need;
	else
		arb->floor_ns -= arb->floor_ns / 16;
}

/*
 * Pace under @rate, a rate the device delivered. A new pace starts from
 * now: what a slower or an old one left owing is not kept.
 */
static void pfs_arb_set_pace(struct pfs_arb *arb, u64 rate, u64 now)
{
	if (!arb->pace_rate)
		arb->pace_since_ns = now;
	arb->pace_rate = div_u64(rate * PFS_ARB_PACE_PCT, 100) ?: 1;
	arb->pace_next_ns = now;
}

/*
 * Every PFS_ARB_PACE_PROBE_NS, counted in time, not in windows (a slow pace
 * makes long windows), the pace probes for a span at PFS_ARB_PACE_PROBE_PCT
 * of the rate it was set from: a device that got faster delivers more and
 * the pace follows it up; one that did not queues for one span, a tenth
 * over its rate, not the whole burst an unpaced span would send. While the
 * pace climbs, the next span probes.
 */
static void pfs_arb_pace_expire(struct pfs_arb *arb, u64 now)
{
	if (!arb->pace_rate || arb->pace_probe ||
	    (!arb->pace_climbing && now - arb->pace_since_ns < PFS_ARB_PACE_PROBE_NS))
		return;
	arb->pace_probe = arb->pace_rate;
	arb->pace_rate = div_u64(arb->pace_rate * PFS_ARB_PACE_PROBE_PCT, PFS_ARB_PACE_PCT) ?: 1;
	arb->pace_since_ns = now;
	memset(&arb->span, 0, sizeof(arb->span));
}

/*
 * The pacer, once a span of PFS_ARB_PACE_SPAN windows (one window may hold
 * a device's burst or tick, or not). A device whose best latency is under
 * 1/PFS_ARB_PACE_FAR of the cost of what it completed, the device time
 * that takes at its rate, takes a burst far faster than it serves it: one
 * op in flight at a time already runs ahead of it, and no depth limit
 * holds it. One under 1/PFS_ARB_PACE_FAST may be such a device, or may
 * not: a disk in the host's page cache shows that too (its calibrated cost
 * is the host's copy, beside the guest's), yet a budget holds it calm, and
 * a pace there only idles it (docs/performance.md, section 6c). It is
 * taken for one only if it queues all the same (its mean latency ratio
 * over the span past PFS_ARB_CONGESTED) with the budget at its floor in
 * most of the span's windows. Either sign, in PFS_ARB_PACE_START_SPANS
 * spans in a row where the arbiter held ops back in every window (so the
 * device delivered all it could), sets the pace under the rate seen. A
 * device that queues all span long at the pace while the pacer holds ops
 * back, delivering less, is slower than the pace: the pace follows it
 * down, by at most half a span (a stall is not a rate).
 */
static void pfs_arb_update_pace(struct pfs_arb *arb, u64 elapsed, bool congested, u64 now)
{
	struct pfs_arb_span *sp = &arb->span;
	bool far, fast, bound, half_congested, slower, unheld, held, calm;
	u64 rate, best = 0, class_best = 0, timed_cost = 0, best_sum = 0;
	u32 c;

	if (arb->win_paced)
		arb->paced_windows++;
	sp->delivered_ns += arb->win_delivered_ns;
	sp->elapsed_ns += elapsed;
	sp->congested += congested;
	sp->bound += arb->win_shared && arb->win_bound;
	sp->paced += arb->win_paced;
	sp->ratio_sum += arb->win_ratio_sum;
	sp->completions += arb->win_completions;
	sp->at_floor += arb->win_shared && arb->budget_ns <= arb->floor_ns;
	for (c = 0; c < PFS_ARB_CLASSES; c++) {
		sp->class_cost[c] += arb->win_class_cost[c];
		sp->class_best[c] += arb->win_class_best[c];
		sp->class_timed[c] += arb->win_class_timed[c];
	}
	if (++sp->windows < PFS_ARB_PACE_SPAN)
		return;
	for (c = 0; c < PFS_ARB_CLASSES; c++) {
		u64 b;

		timed_cost += sp->class_cost[c];
		best_sum += sp->class_best[c];
		if (sp->class_timed[c] < PFS_ARB_CLASS_TIMED || !sp->class_cost[c])
			continue;
		b = div64_u64(sp->class_best[c] * 1000, sp->class_cost[c]) ?: 1;
		if (!class_best || b < class_best)
			class_best = b;
	}
	arb->span_class_best_permille = class_best > U32_MAX ? U32_MAX : class_best;
	arb->pace_step_last_ns = arb->pace_step_ns;
	arb->pace_step_ns = 0;
	rate = div64_u64(sp->delivered_ns << PFS_ARB_RATE_SHIFT, sp->elapsed_ns ?: 1);
	/* Best latency over cost, in 1/1000: under 1000 / N is under 1/N exactly. */
	if (timed_cost) {
		best = div64_u64(best_sum * 1000, timed_cost);
		arb->span_best_permille = best > U32_MAX ? U32_MAX : best;
	}
	far = timed_cost && best < 1000 / PFS_ARB_PACE_FAR;
	fast = timed_cost && best < 1000 / PFS_ARB_PACE_FAST;
	bound = sp->bound == sp->windows;
	half_congested = 2 * sp->congested > sp->windows;
	slower = sp->congested == sp->windows && sp->paced == sp->windows;
	held = 2 * sp->paced > sp->windows;
	calm = !sp->congested;
	/* Queued all the same, with the budget as low as it goes. */
	unheld = sp->ratio_sum > (u64)PFS_ARB_CONGESTED * sp->completions &&
		 2 * sp->at_floor > sp->windows;
	memset(sp, 0, sizeof(*sp));
	if (arb->pace_probe) {
		/* Queued half the probe long: back to the pace it probed from. */
		if (half_congested || rate < arb->pace_probe) {
			arb->pace_rate = arb->pace_probe;
			arb->pace_climbing = false;
		} else {
			pfs_arb_set_pace(arb, rate, now);
			/*
			 * Held ops back, no window queued, and the pace rose
			 * (not a demand just under the probe): try higher.
			 */
			arb->pace_climbing = held && calm &&
				arb->pace_rate > arb->pace_probe + arb->pace_probe / 32;
		}
		arb->pace_probe = 0;
	} else if (arb->pace_rate) {
		/* Not climbing: a climbing pace's next span is always a probe. */
		if (slower && rate < arb->pace_rate - arb->pace_rate / 32)
			pfs_arb_set_pace(arb, rate > arb->pace_rate / 2 ? rate : arb->pace_rate / 2,
					 now);
	} else if (!bound || !fast || (!far && !unheld)) {
		arb->pace_start_spans = 0;
	} else if (++arb->pace_start_spans >= PFS_ARB_PACE_START_SPANS) {
		/*
		 * With demand to spare, what the device delivered is no
		 * measure of it; and the budget may have let it idle.
		 */
		arb->pace_start_spans = 0;
		pfs_arb_set_pace(arb, rate, now);
		arb->pace_climbing = true;
	}
}

/*
 * Close a window: move the budget on the device-wide latency ratio, never
 * below the floor. While shared, every PFS_ARB_PROBE_EVERY windows, or
 * sooner while a class has too few samples of its unloaded latency, one
 * window probes.
 */
static void pfs_arb_close_window(struct pfs_arb *arb, u64 now)
{
	u64 elapsed = now - arb->win_start_ns, mean = 0;
	bool unknown = false;
	u32 c, ops = 0;

	arb->win_start_ns = now;
	pfs_arb_pace_expire(arb, now);
	if (arb->win_completions)
		mean = div_u64(arb->win_ratio_sum, arb->win_completions);
	/* A window spanning idle time is no sample of a shared device. */
	if (elapsed <= PFS_ARB_IDLE_NS && !arb->probing) {
		pfs_arb_update_floor(arb, elapsed);
		pfs_arb_update_pace(arb, elapsed, mean > PFS_ARB_CONGESTED, now);
	}
	if (elapsed <= PFS_ARB_IDLE_NS && arb->win_shared && !arb->probing &&
	    arb->win_completions) {
		if (mean > PFS_ARB_CONGESTED) {
			arb->budget_ns -= arb->budget_ns / 4;
			if (arb->budget_ns < arb->floor_ns)
				arb->budget_ns = arb->floor_ns;
			if (arb->budget_ns < PFS_ARB_MIN_BUDGET_NS)
				arb->budget_ns = PFS_ARB_MIN_BUDGET_NS;
			arb->congested_windows++;
			if (arb->win_completions >= PFS_ARB_CLASS_TIMED)
				arb->congested_busy_windows++;
		} else if (arb->win_bound) {
			if (arb->budget_ns < arb->floor_ns)
				arb->budget_ns = arb->floor_ns;
			arb->budget_ns += arb->budget_ns / 8;
			if (arb->budget_ns > PFS_ARB_MAX_BUDGET_NS)
				arb->budget_ns = PFS_ARB_MAX_BUDGET_NS;
		}
	}
	for (c = 0; c < PFS_ARB_CLASSES; c++) {
		ops += arb->win_class_ops[c];
		/* A best that is no longer seen fades: the device may be slower now. */
		if (arb->best_ns[c] && arb->best_ns[c] < PFS_ARB_MAX_BUDGET_NS)
			arb->best_ns[c] += arb->best_ns[c] / 256 + 1;
	}
	for (c = 0; c < PFS_ARB_CLASSES; c++) {
		if (arb->win_class_ops[c] && !arb->base_ns[c])
			unknown = true;
		if (arb->win_class_ops[c] && arb->win_class_ops[c] >= ops / 4 &&
		    arb->base_samples[c] < PFS_ARB_BASE_SAMPLES)
			unknown = true;
		arb->win_class_ops[c] = 0;
	}
	arb->probing = false;
	if (arb->win_shared && ++arb->windows_since_probe >=
	    (unknown ? PFS_ARB_PROBE_SOON : PFS_ARB_PROBE_EVERY)) {
		arb->probing = true;
		arb->windows_since_probe = 0;
		arb->probes++;
	}
	arb->win_ratio_sum = 0;
	arb->win_completions = 0;
	arb->win_delivered_ns = 0;
	arb->win_base_sum = 0;
	memset(arb->win_class_cost, 0, sizeof(arb->win_class_cost));
	memset(arb->win_class_best, 0, sizeof(arb->win_class_best));
	memset(arb->win_class_timed, 0, sizeof(arb->win_class_timed));
	arb->win_shared = pfs_arb_shared(arb, now);
	arb->win_bound = false;
	arb->win_paced = false;
}

/*
 * An op completed @latency_ns after its dispatch, with @ahead_ns of device
 * time in flight ahead of it then (pfs_arb_admit() said how much). A
 * latency of 0 (a copy's region: many ops, no one latency) counts as
 * delivered device time only.
 */
void pfs_arb_complete(struct pfs_arb *arb, struct pfs_arb_image *ai,
		      u32 cost, u32 class, u64 latency_ns, u64 ahead_ns, u64 now)
{
	u64 base = arb->base_ns[class], ratio;

	ai->in_flight--;
	arb->in_flight_ns -= cost < arb->in_flight_ns ? cost : arb->in_flight_ns;
	if (!ai->in_flight && !ai->waiting)
		arb->nr_active--;
	/* No latency (a copy's region, many ops): delivered, not a signal. */
	if (latency_ns)
		arb->win_class_ops[class]++;
	arb->win_delivered_ns += cost;
	/*
	 * An op sent to an empty device shows the unloaded latency: its
	 * class's base is their running mean (1/8 per op). A mean, not a
	 * minimum: a noisy device's best op is no measure of its usual one.
	 */
	if (!ahead_ns && latency_ns) {
		if (arb->base_samples[class] < PFS_ARB_BASE_SAMPLES)
			arb->base_samples[class]++;
		if (!base)
			arb->base_ns[class] = latency_ns;
		else if (latency_ns > base)
			arb->base_ns[class] += (latency_ns - base) >> 3;
		else
			arb->base_ns[class] -= (base - latency_ns) >> 3;
	}
	if (latency_ns) {
		if (!arb->best_ns[class] || latency_ns < arb->best_ns[class])
			arb->best_ns[class] = latency_ns;
		arb->win_class_cost[class] += cost;
		arb->win_class_best[class] += arb->best_ns[class];
		arb->win_class_timed[class]++;
	}
	if (base && latency_ns) {
		ratio = div64_u64(latency_ns * PFS_ARB_RATIO_ONE, base);
		/* One stalled op must not outweigh a window of others. */
		if (ratio > 64 * PFS_ARB_RATIO_ONE)
			ratio = 64 * PFS_ARB_RATIO_ONE;
		arb->win_ratio_sum += ratio;
		arb->win_base_sum += base;
		arb->win_completions++;
	}
	if (now - arb->win_start_ns >= PFS_ARB_WINDOW_NS)
		pfs_arb_close_window(arb, now);
}
