// SPDX-License-Identifier: GPL-2.0
/*
 * Property test: free-space records against a model (one dirty flag per
 * unit) over random mark-dirty / mark-clean / reserve / release sequences,
 * with ranges small and scattered enough to run out of records. After every
 * step: every unit the model calls dirty is covered by a dirty record (the
 * records may say more, never less), reservations are exactly those held,
 * and the shared validator accepts the table.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "freespace.h"

#define UNITS	2048
#define ALIGN	8
#define SEQUENCES 100U
#define STEPS	400

static struct pfs_superblock sb;
static struct pfs_table_header *t;
static bool dirty[UNITS];
static uint64_t base;

static uint64_t sector(unsigned int unit)
{
	return base + (uint64_t)unit * ALIGN;
}

static void check_cover(void)
{
	struct pfs_extent parts[PFS_MAX_FREE_RECORDS];
	unsigned int n = pfs_free_dirty_parts(t, base, (uint64_t)UNITS * ALIGN, parts), i, u;
	static bool covered[UNITS];
	const char *why;

	memset(covered, 0, sizeof(covered));
	for (i = 0; i < n; i++)
		for (u = (unsigned int)((parts[i].start - base) / ALIGN);
		     u < (parts[i].start + parts[i].len - base) / ALIGN; u++)
			covered[u] = true;
	for (u = 0; u < UNITS; u++)
		if (dirty[u] && !covered[u]) {
			fprintf(stderr, "unit %u is dirty but not recorded\n", u);
			CHECK(0);
			return;
		}
	pfs_table_seal(&sb, t, 1);
	CHECK(!pfs_table_validate(&sb, t, &why));
	CHECK(le32_to_cpu(t->nr_free_records) <= PFS_MAX_FREE_RECORDS);
}

int main(void)
{
	struct pfs_format_opts fo = { .align_sectors = ALIGN, .now = 1 };
	struct pfs_error err = { 0 };
	unsigned int seq, step, u, merged_runs = 0;
	uint64_t held_start = 0, held_len = 0;

	srandom(4321);
	t = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	if (!t || pfs_sb_init(&sb, &fo, PFS_METADATA_SECTORS + UNITS * ALIGN + ALIGN, &err))
		return 1;
	base = le64_to_cpu(sb.data_start);

	for (seq = 0; seq < SEQUENCES && !check_failures; seq++) {
		memset(t, 0, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
		memset(dirty, 0, sizeof(dirty));
		held_len = 0;
		for (step = 0; step < STEPS && !check_failures; step++) {
			unsigned int a = (unsigned int)(random() % UNITS);
			/* Mostly single units, scattered: more runs than records. */
			unsigned int n = 1 + (unsigned int)(random() % (random() % 16 ? 1 : 100));
			int op = (int)(random() % 20);

			if (a + n > UNITS)
				n = UNITS - a;
			if (op < 16) {
				CHECK(!pfs_free_mark_dirty(t, sector(a), (uint64_t)n * ALIGN));
				for (u = a; u < a + n; u++)
					dirty[u] = true;
			} else if (op < 19) {
				pfs_free_mark_clean(t, sector(a), (uint64_t)n * ALIGN);
				for (u = a; u < a + n; u++)
					dirty[u] = false;
			} else if (!held_len) {
				CHECK(!pfs_free_reserve(t, sector(a), (uint64_t)n * ALIGN, 0));
				held_start = sector(a);
				held_len = (uint64_t)n * ALIGN;
			} else {
				CHECK(!pfs_free_release(t, held_start + ALIGN, held_len));
				CHECK(pfs_free_release(t, held_start, held_len));
				held_len = 0;
			}
			CHECK(pfs_free_count_busy(t, 0) == (held_len ? 1U : 0U));
			check_cover();
		}
		merged_runs += le32_to_cpu(t->nr_free_records) == PFS_MAX_FREE_RECORDS;
		if (held_len)
			CHECK(pfs_free_drop_busy(t, 0) == 1 && pfs_free_count_busy(t, 0) == 0);
	}
	/* The sequences must have run out of records, or the merge went untested. */
	CHECK(merged_runs > 0);

	/* Clean everything: no record is left. */
	pfs_free_mark_clean(t, base, (uint64_t)UNITS * ALIGN);
	CHECK(t->nr_free_records == 0 && pfs_free_dirty_sectors(t, base, UNITS * ALIGN) == 0);
	/* A shared pool: a host forgets its own reservations, never another's. */
	memset(t, 0, sizeof(*t));
	CHECK(!pfs_free_reserve(t, sector(0), ALIGN, 2) && !pfs_free_reserve(t, sector(2), ALIGN, 3));
	CHECK(pfs_free_drop_busy(t, 3) == 1 && pfs_free_count_busy(t, 3) == 0);
	CHECK(pfs_free_count_busy(t, PFS_ANY_HOST) == 1 && pfs_free_count_busy(t, 2) == 1);
	CHECK(le32_to_cpu(t->free[0].host_id) == 2);
	printf("%u sequences, %u ran out of records and merged: dirty space always recorded\n",
	       SEQUENCES, merged_runs);
	free(t);
	CHECK_DONE();
}
