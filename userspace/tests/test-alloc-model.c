// SPDX-License-Identifier: GPL-2.0
/*
 * Property test: the allocator against a brute-force model (one flag per
 * alignment unit) over thousands of random create/remove/resize sequences.
 * After every step: no overlap, no leaked space, and the start chosen is the
 * model's best fit (the smallest free run that fits, lowest address first).
 * Grows are checked against the model's free run after the image.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "check.h"

#define UNITS	512			/* alignment units in the data area */
#define ALIGN	8			/* sectors per unit (4 KiB) */
#define SEQUENCES 2000
#define STEPS	120

static struct pfs_superblock sb;
static struct pfs_pool_handle pool = { .sb = &sb };
static int owner[UNITS];		/* model: 0 free, else slot + 1 */
static uint64_t base;			/* data_start: unit 0 */

/* Model best fit: start unit of the smallest free run >= @units, or -1. */
static int model_best_fit(unsigned int units)
{
	int best = -1, best_len = 0, i = 0;

	while (i < UNITS) {
		int j = i;

		if (owner[i]) {
			i++;
			continue;
		}
		while (j < UNITS && !owner[j])
			j++;
		if (j - i >= (int)units && (best < 0 || j - i < best_len)) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	return best;
}

static void model_set(int slot, uint64_t start, uint64_t len, int value)
{
	uint64_t u;

	for (u = (start - base) / ALIGN; u < (start - base + len) / ALIGN; u++)
		owner[u] = value ? slot + 1 : 0;
}

/*
 * The model and the table agree on every unit (one owner per unit, so no
 * overlap); every @validate-th call, the shared validator agrees too.
 */
static void check_consistent(bool validate)
{
	struct pfs_image_entry *e = pfs_table_entries(pool.table);
	struct pfs_extent gaps[PFS_MAX_GAPS];
	uint64_t used = 0, free_units = 0;
	unsigned int n, i, u;
	const char *why;

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		used += le64_to_cpu(e[i].length) / ALIGN;
		for (u = 0; u < le64_to_cpu(e[i].length) / ALIGN; u++)
			CHECK(owner[(le64_to_cpu(e[i].start) - base) / ALIGN + u] == (int)i + 1);
	}
	n = pfs_free_extents(&pool, gaps);
	for (i = 0; i < n; i++)
		free_units += gaps[i].len / ALIGN;
	CHECK(used + free_units == UNITS);	/* no leak, no double count */
	if (validate) {
		pfs_table_seal(&sb, pool.table, 1);
		CHECK(pfs_table_validate(&sb, pool.table, &why) == 0);
	}
}

int main(void)
{
	struct pfs_format_opts fo = { .align_sectors = ALIGN, .now = 1 };
	struct pfs_error err = { 0 };
	unsigned int seq, step;

	srandom(1234);
	pool.table = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	/* Data area: sectors [ALIGN, ALIGN + UNITS * ALIGN); metadata fits below. */
	if (pfs_sb_init(&sb, &fo, PFS_METADATA_SECTORS + UNITS * ALIGN, &err))
		return 1;
	base = le64_to_cpu(sb.data_start);
	CHECK(base % ALIGN == 0);

	for (seq = 0; seq < SEQUENCES; seq++) {
		struct pfs_image_entry *e = pfs_table_entries(pool.table);
		memset(pool.table, 0, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
		memset(owner, 0, sizeof(owner));
		for (step = 0; step < STEPS && !check_failures; step++) {
			int slot = (int)(random() % 64), op = (int)(random() % 3);
			uint64_t units = 1 + (uint64_t)(random() % (random() % 4 ? 16 : 128));
			uint64_t start, len = units * ALIGN;
			int want;

			if (!(le32_to_cpu(e[slot].flags) & PFS_IMAGE_IN_USE)) {
				want = model_best_fit((unsigned int)units);
				if (pfs_alloc_best_fit(&pool, len, &start)) {
					CHECK(want < 0);
					continue;
				}
				CHECK(want >= 0 && start == base + (uint64_t)want * ALIGN);
				snprintf(e[slot].name, sizeof(e[slot].name), "img%d", slot);
				e[slot].start = cpu_to_le64(start);
				e[slot].length = cpu_to_le64(len);
				e[slot].weight = cpu_to_le32(1);
				e[slot].flags = cpu_to_le32(PFS_IMAGE_IN_USE);
				model_set(slot, start, len, 1);
			} else if (op == 0) {
				model_set(slot, le64_to_cpu(e[slot].start),
					  le64_to_cpu(e[slot].length), 0);
				memset(&e[slot], 0, sizeof(e[slot]));
			} else {
				/* Grow in place when the space after it is free. */
				uint64_t cur = le64_to_cpu(e[slot].length);
				uint64_t room = pfs_free_after(&pool, le64_to_cpu(e[slot].start), cur);
				uint64_t end_unit = (le64_to_cpu(e[slot].start) - base + cur) / ALIGN;
				uint64_t model_room = 0;

				while (end_unit + model_room < UNITS && !owner[end_unit + model_room])
					model_room++;
				CHECK(room == model_room * ALIGN);
				if (len <= room) {
					e[slot].length = cpu_to_le64(cur + len);
					model_set(slot, le64_to_cpu(e[slot].start), cur + len, 1);
				}
			}
			check_consistent(step % 30 == 29);
		}
	}
	free(pool.table);
	CHECK_DONE();
}
