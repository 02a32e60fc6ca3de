/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A table's free-space records (pfs-format.h): which free space may still
 * hold a former image's data (dirty), and which a running command holds
 * while it zeroes (busy). Pure table edits, no I/O, so the orderings built
 * on them can be tested without a device.
 *
 * Dirty records only ever grow towards safety: when the table runs out of
 * records, the two closest dirty ones merge, and the space between them
 * counts as dirty too. Space is clean only once zeroed.
 */
#ifndef PFS_FREESPACE_H
#define PFS_FREESPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "alloc.h"

/* [start, start + len) may hold old data. Returns 0, or -1 if the table is full of busy records. */
int pfs_free_mark_dirty(struct pfs_table_header *t, uint64_t start, uint64_t len);
/* [start, start + len) has been zeroed (or is an image's own now). */
void pfs_free_mark_clean(struct pfs_table_header *t, uint64_t start, uint64_t len);
/*
 * Hold free space while it is zeroed without the metadata lock, for host
 * @host_id of a shared pool (0: a host-local pool). 0 or -1 (no record left).
 */
int pfs_free_reserve(struct pfs_table_header *t, uint64_t start, uint64_t len,
		     uint32_t host_id);
/* Give back a reservation; false if this exact one is not there. */
bool pfs_free_release(struct pfs_table_header *t, uint64_t start, uint64_t len);
/*
 * Forget (count) the reservations of host @host_id (0: a host-local pool's;
 * PFS_ANY_HOST: all): forgotten when their commands are gone (lock.h).
 * Another host's stay.
 */
#define PFS_ANY_HOST		UINT32_MAX
unsigned int pfs_free_drop_busy(struct pfs_table_header *t, uint32_t host_id);
unsigned int pfs_free_count_busy(const struct pfs_table_header *t, uint32_t host_id);
/*
 * The parts of [start, start + len) that dirty records cover, in sector
 * order, merged, into @out (room for PFS_MAX_FREE_RECORDS). Returns how
 * many.
 */
unsigned int pfs_free_dirty_parts(const struct pfs_table_header *t, uint64_t start,
				  uint64_t len, struct pfs_extent *out);
/* Sectors of [start, start + len) that dirty records cover. */
uint64_t pfs_free_dirty_sectors(const struct pfs_table_header *t, uint64_t start,
				uint64_t len);

#endif /* PFS_FREESPACE_H */
