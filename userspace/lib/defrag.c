// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "defrag.h"
#include "move.h"

static uint64_t pfs_defrag_align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

/* Free extents and the largest of them, of the working table. */
static unsigned int pfs_defrag_gaps(const struct pfs_pool_handle *pool, uint64_t *largest)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;

	*largest = 0;
	for (i = 0; i < n; i++)
		if (gaps[i].len > *largest)
			*largest = gaps[i].len;
	return n;
}

/*
 * The lowest thing at or above @pos: image *@img (its index), or space a
 * running command holds (*@img -1). Returns its first sector and sets
 * *@end past it; UINT64_MAX if there is nothing.
 */
static uint64_t pfs_defrag_next(const struct pfs_pool_handle *pool, uint64_t pos, int *img,
				uint64_t *end)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	const struct pfs_table_header *t = pool->table;
	uint64_t best = UINT64_MAX, s;
	unsigned int i;

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		s = le64_to_cpu(e[i].start);
		if (s >= pos && s < best) {
			best = s;
			*img = (int)i;
			*end = s + le64_to_cpu(e[i].length);
		}
	}
	for (i = 0; i < le32_to_cpu(t->nr_free_records) && i < PFS_MAX_FREE_RECORDS; i++) {
		if (le32_to_cpu(t->free[i].flags) != PFS_FREE_BUSY)
			continue;
		s = le64_to_cpu(t->free[i].start);
		if (s >= pos && s < best) {
			best = s;
			*img = -1;
			*end = s + le64_to_cpu(t->free[i].length);
		}
	}
	return best;
}

/* The highest free extent above @above that holds @len: where its top @len starts. */
static bool pfs_defrag_spare(const struct pfs_pool_handle *pool, uint64_t above, uint64_t len,
			     uint64_t *dest)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps);

	while (n--) {
		if (gaps[n].start < above)
			return false;
		if (gaps[n].len >= len) {
			*dest = gaps[n].start + gaps[n].len - len;
			return true;
		}
	}
	return false;
}

/* The highest image above @above no longer than @room, or NULL. */
static struct pfs_image_entry *pfs_defrag_filler(struct pfs_pool_handle *sim, uint64_t above,
						 uint64_t room)
{
	struct pfs_image_entry *e = pfs_table_entries(sim->table), *best = NULL;
	unsigned int i;

	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if ((le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE) &&
		    le64_to_cpu(e[i].start) >= above && le64_to_cpu(e[i].length) <= room &&
		    (!best || le64_to_cpu(e[i].start) > le64_to_cpu(best->start)))
			best = &e[i];
	return best;
}

/*
 * Add the move of @e to @to, and remember the shortest plan so far that
 * leaves the fewest free extents (and of those, the largest): the walk may
 * end in a worse place than it passed through.
 */
static void pfs_defrag_add(struct pfs_pool_handle *sim, struct pfs_defrag_plan *plan,
			   struct pfs_image_entry *e, uint64_t to, unsigned int *best)
{
	struct pfs_defrag_step *s = &plan->steps[plan->nr_steps++];
	unsigned int extents;
	uint64_t largest;

	snprintf(s->name, sizeof(s->name), "%s", e->name);
	s->from = le64_to_cpu(e->start);
	s->to = to;
	s->len = le64_to_cpu(e->length);
	e->start = cpu_to_le64(to);
	extents = pfs_defrag_gaps(sim, &largest);
	if (extents < plan->extents_after ||
	    (extents == plan->extents_after && largest > plan->largest_after)) {
		plan->largest_after = largest;
		plan->extents_after = extents;
		*best = plan->nr_steps;
	}
}

/*
 * One walk up the pool from its first data sector. Returns how many moves
 * it added, or -1 if the plan is full.
 */
static int pfs_defrag_walk(struct pfs_pool_handle *sim, struct pfs_defrag_plan *plan,
			   unsigned int *best)
{
	uint64_t align = le64_to_cpu(sim->sb->align_sectors);
	uint64_t pos = le64_to_cpu(sim->sb->data_start), start, end = 0, len, dest;
	bool evicted[PFS_MAX_IMAGES] = { false };
	unsigned int before = plan->nr_steps;
	struct pfs_image_entry *x;
	int img = -1;

	while ((start = pfs_defrag_next(sim, pos, &img, &end)) != UINT64_MAX) {
		if (img < 0 || start == pos) {
			pos = pfs_defrag_align_up(end, align);
			continue;
		}
		if (plan->nr_steps == PFS_DEFRAG_MAX_STEPS)
			return -1;
		x = &pfs_table_entries(sim->table)[img];
		len = le64_to_cpu(x->length);
		if (len <= start - pos) {
			/* It fits the gap in front of it: pack it down. */
			pfs_defrag_add(sim, plan, x, pos, best);
			pos += pfs_defrag_align_up(len, align);
		} else if (!evicted[img] && pfs_defrag_spare(sim, end, len, &dest)) {
			/* Out of the way first; the walk comes back for it. */
			pfs_defrag_add(sim, plan, x, dest, best);
			evicted[img] = true;
		} else if ((x = pfs_defrag_filler(sim, end, start - pos))) {
			/* It stays: fill the gap in front of it from the top. */
			len = le64_to_cpu(x->length);
			pfs_defrag_add(sim, plan, x, pos, best);
			pos += pfs_defrag_align_up(len, align);
		} else {
			pos = pfs_defrag_align_up(end, align);
		}
	}
	return (int)(plan->nr_steps - before);
}

int pfs_defrag_plan(const struct pfs_pool_handle *pool, struct pfs_defrag_plan *plan,
		    struct pfs_error *err)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	struct pfs_pool_handle sim = *pool;
	unsigned int i, walks, steps, best = 0;

	memset(plan, 0, sizeof(*plan));
	/* An image in a copy of any kind: that is to be finished first. */
	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if (pfs_copy_other(&e[i], 0, err))
			return -1;
	/* The plan moves images about in a table of its own. */
	sim.table = malloc(PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	if (!sim.table)
		return pfs_fail(err, PFS_EXIT_INTERNAL, "out of memory");
	memcpy(sim.table, pool->table, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	plan->extents_before = pfs_defrag_gaps(&sim, &plan->largest_before);
	plan->extents_after = plan->extents_before;
	plan->largest_after = plan->largest_before;
	/*
	 * A walk that packed the low images may have made room above for one
	 * it had to leave: walk again while that gains something.
	 */
	for (walks = 0; walks < PFS_DEFRAG_MAX_WALKS; walks++) {
		steps = best;
		if (pfs_defrag_walk(&sim, plan, &best) <= 0 || best == steps)
			break;
	}
	/* Keep the best prefix of the plan. */
	plan->nr_steps = best;
	for (i = 0; i < best; i++)
		plan->moved += plan->steps[i].len;
	free(sim.table);
	return 0;
}

int pfs_defrag_run(struct pfs_pool_handle *pool, const struct pfs_defrag_plan *plan,
		   bool progress, void (*report)(const struct pfs_defrag_step *step),
		   struct pfs_error *err)
{
	const struct pfs_defrag_step *s;
	struct pfs_image_entry *e;
	unsigned int i;
	uint64_t to;

	for (i = 0; i < plan->nr_steps; i++) {
		s = &plan->steps[i];
		e = pfs_pool_find(pool, s->name);
		if (!e || le64_to_cpu(e->start) != s->from || le64_to_cpu(e->length) != s->len)
			return pfs_fail(err, PFS_EXIT_BUSY,
					"%s changed while the pool was defragmented; run defrag again",
					s->name);
		if (report)
			report(s);
		if (pfs_image_move(pool, s->name, s->to, progress, &to, err))
			return -1;
	}
	return 0;
}
