// SPDX-License-Identifier: GPL-2.0
/*
 * defrag's plan: every move lands on free space as the pool stands at that
 * step, no image moves more than twice, and the free space ends up one
 * extent whenever the pool has room to move its largest image aside.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "check.h"
#include "defrag.h"
#include "fixtures.h"

#define ALIGN 2048
#define UNITS 400

static struct pfs_superblock sb;
static struct pfs_pool_handle pool = { .sb = &sb };

static bool pfs_test_free(uint64_t start, uint64_t len)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(&pool, gaps), i;

	for (i = 0; i < n; i++)
		if (start >= gaps[i].start && start + len <= gaps[i].start + gaps[i].len)
			return true;
	return false;
}

/* Replay @plan on the pool; 0 if every step was a legal move. */
static int pfs_test_replay(const struct pfs_defrag_plan *plan)
{
	unsigned int i, moves[PFS_MAX_IMAGES] = { 0 };

	for (i = 0; i < plan->nr_steps; i++) {
		const struct pfs_defrag_step *s = &plan->steps[i];
		struct pfs_image_entry *e = pfs_pool_find(&pool, s->name);

		if (!e || le64_to_cpu(e->start) != s->from || s->to % ALIGN ||
		    !pfs_test_free(s->to, s->len) || ++moves[e - pfs_table_entries(pool.table)] > 2 * PFS_DEFRAG_MAX_WALKS)
			return -1;
		e->start = cpu_to_le64(s->to);
	}
	return 0;
}

static void pfs_test_reset(void)
{
	memset(pool.table, 0, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
}

int main(void)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	struct pfs_defrag_plan *plan = malloc(sizeof(*plan));
	struct pfs_error err = { 0 };
	unsigned int round, n, feasible = 0, one = 0;
	struct pfs_image_entry *e;
	uint64_t largest;

	pool.table = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	sb.align_sectors = cpu_to_le64(ALIGN);
	sb.data_start = cpu_to_le64(ALIGN);
	sb.device_sectors = cpu_to_le64((UNITS + 1) * ALIGN);

	/*
	 * a [1,11) . b [15,18) . c [20,40) . d [50,60): b fits in front of it,
	 * c goes aside, d packs down; free space is then one extent, and
	 * packing c back down would only copy it again.
	 */
	add_image(&pool, "a", 1 * ALIGN, 10 * ALIGN);
	add_image(&pool, "b", 15 * ALIGN, 3 * ALIGN);
	add_image(&pool, "c", 20 * ALIGN, 20 * ALIGN);
	add_image(&pool, "d", 50 * ALIGN, 10 * ALIGN);
	CHECK(pfs_defrag_plan(&pool, plan, &err) == 0);
	CHECK(plan->extents_before == 4 && plan->extents_after == 1);
	CHECK(plan->nr_steps == 3 && plan->moved == 33 * ALIGN);
	CHECK(!strcmp(plan->steps[0].name, "b") && plan->steps[0].to == 11 * ALIGN);
	CHECK(!strcmp(plan->steps[1].name, "c") && plan->steps[1].to == (UNITS + 1 - 20) * ALIGN);
	CHECK(!strcmp(plan->steps[2].name, "d") && plan->steps[2].to == 14 * ALIGN);
	CHECK(plan->largest_after == (UNITS + 1 - 44) * ALIGN);
	CHECK(pfs_test_replay(plan) == 0);

	/* c cannot fit the gap in front of it: aside to the top is enough. */
	pfs_test_reset();
	add_image(&pool, "a", 1 * ALIGN, 10 * ALIGN);
	add_image(&pool, "c", 12 * ALIGN, 30 * ALIGN);
	CHECK(pfs_defrag_plan(&pool, plan, &err) == 0);
	CHECK(plan->nr_steps == 1 && plan->extents_after == 1);
	CHECK(plan->steps[0].to == (UNITS + 1 - 30) * ALIGN);
	CHECK(pfs_test_replay(plan) == 0);

	/* Already one free extent: nothing to do. */
	CHECK(pfs_defrag_plan(&pool, plan, &err) == 0);
	CHECK(plan->nr_steps == 0 && plan->extents_before == 1 && plan->extents_after == 1);

	/* Space a running command holds stays; so do the gaps it makes. */
	pfs_test_reset();
	add_image(&pool, "a", 5 * ALIGN, 10 * ALIGN);
	pool.table->nr_free_records = cpu_to_le32(1);
	pool.table->free[0].start = cpu_to_le64(20 * ALIGN);
	pool.table->free[0].length = cpu_to_le64(ALIGN);
	pool.table->free[0].flags = cpu_to_le32(PFS_FREE_BUSY);
	CHECK(pfs_defrag_plan(&pool, plan, &err) == 0);
	CHECK(plan->nr_steps == 1 && plan->extents_before == 3 && plan->extents_after == 2);
	CHECK(plan->steps[0].to == (UNITS + 1 - 10) * ALIGN);
	pool.table->nr_free_records = 0;
	memset(pool.table->free, 0, sizeof(pool.table->free));

	/* A moving image: refused, nothing planned. */
	pfs_test_reset();
	e = add_image(&pool, "m", 5 * ALIGN, 10 * ALIGN);
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_MOVING);
	e->copy_dest = cpu_to_le64(100 * ALIGN);
	e->copy_region = cpu_to_le32(2048);
	CHECK(pfs_defrag_plan(&pool, plan, &err) == -1 && err.code == PFS_EXIT_BUSY);
	err.code = PFS_EXIT_OK;
	/* Nor one moving to another pool, or held for one coming from there. */
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_TO_POOL);
	CHECK(pfs_defrag_plan(&pool, plan, &err) == -1 && err.code == PFS_EXIT_BUSY);
	err.code = PFS_EXIT_OK;
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_INCOMING);
	CHECK(pfs_defrag_plan(&pool, plan, &err) == -1 && err.code == PFS_EXIT_BUSY);
	err.code = PFS_EXIT_OK;

	/* Random create/remove histories. */
	srand(1);
	for (round = 0; round < 2000; round++) {
		uint64_t pos = ALIGN, max_len = 0, free_total = 0, len;
		char name[16];
		unsigned int k = 0;

		pfs_test_reset();
		while (pos < UNITS * ALIGN) {
			pos += (uint64_t)(rand() % 4 ? 0 : 1 + rand() % 20) * ALIGN;
			len = (uint64_t)(1 + rand() % (round % 3 ? 8 : 60)) * ALIGN;
			if (pos + len > (UNITS + 1) * ALIGN)
				break;
			snprintf(name, sizeof(name), "i%u", k++);
			add_image(&pool, name, pos, len);
			if (len > max_len)
				max_len = len;
			pos += len;
		}
		n = pfs_free_extents(&pool, gaps);
		for (unsigned int i = 0; i < n; i++)
			free_total += gaps[i].len;
		CHECK(pfs_defrag_plan(&pool, plan, &err) == 0);
		CHECK(plan->extents_after <= plan->extents_before);
		CHECK(pfs_test_replay(plan) == 0);
		n = pfs_free_extents(&pool, gaps);
		largest = 0;
		for (unsigned int i = 0; i < n; i++)
			if (gaps[i].len > largest)
				largest = gaps[i].len;
		CHECK(n == plan->extents_after && largest == plan->largest_after);
		if (free_total >= 2 * max_len) {
			feasible++;
			one += n <= 1;
		}
	}
	/* With room for twice the largest image, one free extent every time. */
	CHECK(feasible > 100 && one == feasible);
	printf("defrag: %u random pools with room, %u end with one free extent\n", feasible, one);
	free(pool.table);
	free(plan);
	CHECK_DONE();
}
