// SPDX-License-Identifier: GPL-2.0
/* Best fit, coalescing and the fragmentation figure. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "check.h"
#include "fixtures.h"

#define ALIGN 2048

static struct pfs_superblock sb;
static struct pfs_pool_handle pool = { .sb = &sb };

int main(void)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	struct pfs_image_entry *b;
	uint64_t start = 0;
	unsigned int n;

	pool.table = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	sb.align_sectors = cpu_to_le64(ALIGN);
	sb.data_start = cpu_to_le64(ALIGN);
	sb.device_sectors = cpu_to_le64(101 * ALIGN + 100);	/* ragged end */

	/* Empty pool: one gap, aligned down at the end. */
	n = pfs_free_extents(&pool, gaps);
	CHECK(n == 1 && gaps[0].start == ALIGN && gaps[0].len == 100 * ALIGN);
	CHECK(pfs_fragmentation(gaps, n) == 0);

	/* a [1,11) b [11,31) c [31,36) d [40,50): gaps 4 and 51 units. */
	add_image(&pool, "a", 1 * ALIGN, 10 * ALIGN);
	b = add_image(&pool, "b", 11 * ALIGN, 20 * ALIGN);
	add_image(&pool, "c", 31 * ALIGN, 5 * ALIGN);
	add_image(&pool, "d", 40 * ALIGN, 10 * ALIGN);
	n = pfs_free_extents(&pool, gaps);
	CHECK(n == 2 && gaps[0].start == 36 * ALIGN && gaps[0].len == 4 * ALIGN);
	CHECK(gaps[1].start == 50 * ALIGN && gaps[1].len == 51 * ALIGN);

	/* Best fit takes the smallest gap that holds the request. */
	CHECK(pfs_alloc_best_fit(&pool, 3 * ALIGN, &start) == 0 && start == 36 * ALIGN);
	CHECK(pfs_alloc_best_fit(&pool, 5 * ALIGN, &start) == 0 && start == 50 * ALIGN);
	CHECK(pfs_alloc_best_fit(&pool, 52 * ALIGN, &start) != 0);

	/* Removing b coalesces nothing yet (neighbours in use) but adds a gap. */
	memset(b, 0, sizeof(*b));
	n = pfs_free_extents(&pool, gaps);
	CHECK(n == 3 && gaps[0].start == 11 * ALIGN && gaps[0].len == 20 * ALIGN);
	CHECK(pfs_fragmentation(gaps, n) == 100 - 51 * 100 / 75);
	CHECK(pfs_free_after(&pool, 1 * ALIGN, 10 * ALIGN) == 20 * ALIGN);
	CHECK(pfs_free_after(&pool, 31 * ALIGN, 5 * ALIGN) == 4 * ALIGN);

	/* Removing everything leaves one gap again. */
	memset(pfs_table_entries(pool.table), 0, PFS_MAX_IMAGES * sizeof(*b));
	n = pfs_free_extents(&pool, gaps);
	CHECK(n == 1 && gaps[0].len == 100 * ALIGN);
	free(pool.table);
	CHECK_DONE();
}
