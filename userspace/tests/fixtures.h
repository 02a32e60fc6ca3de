/* SPDX-License-Identifier: GPL-2.0 */
/* Building table entries by hand for the native tests. */
#ifndef PFS_TEST_FIXTURES_H
#define PFS_TEST_FIXTURES_H

#include <stdio.h>
#include <string.h>

#include "pool.h"

/* Fill the first free slot of @pool's working table; returns the entry. */
static inline struct pfs_image_entry *add_image(struct pfs_pool_handle *pool, const char *name,
						uint64_t start, uint64_t len)
{
	struct pfs_image_entry *e = pfs_pool_free_slot(pool);

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->start = cpu_to_le64(start);
	e->length = cpu_to_le64(len);
	e->weight = cpu_to_le32(PFS_DEFAULT_WEIGHT);
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
	return e;
}

#endif /* PFS_TEST_FIXTURES_H */
