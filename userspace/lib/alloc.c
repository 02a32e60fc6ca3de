// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "freespace.h"
#include "size.h"

static int pfs_extent_cmp(const void *a, const void *b)
{
	const struct pfs_extent *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static uint64_t pfs_align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

unsigned int pfs_free_extents(const struct pfs_pool_handle *pool, struct pfs_extent *gaps)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	uint64_t align = le64_to_cpu(pool->sb->align_sectors);
	uint64_t end = le64_to_cpu(pool->sb->device_sectors);
	uint64_t pos = le64_to_cpu(pool->sb->data_start);
	/* Each image, a moving one's destination, each busy record. */
	struct pfs_extent used[2 * PFS_MAX_IMAGES + PFS_MAX_FREE_RECORDS];
	uint32_t records = le32_to_cpu(pool->table->nr_free_records);
	unsigned int i, j, k, n = 0, g = 0;
	u64 s[2], l[2];

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		k = pfs_entry_extents(&e[i], s, l);
		for (j = 0; j < k; j++) {
			used[n].start = s[j];
			used[n].len = l[j];
			n++;
		}
	}
	for (i = 0; i < records && i < PFS_MAX_FREE_RECORDS; i++) {
		if (le32_to_cpu(pool->table->free[i].flags) != PFS_FREE_BUSY)
			continue;
		used[n].start = le64_to_cpu(pool->table->free[i].start);
		used[n].len = le64_to_cpu(pool->table->free[i].length);
		n++;
	}
	qsort(used, n, sizeof(used[0]), pfs_extent_cmp);
	/* The usable end is aligned down: a gap never holds a partial unit. */
	end = end / align * align;
	for (i = 0; i <= n; i++) {
		uint64_t next = i < n ? used[i].start : end;

		if (next > pos) {
			gaps[g].start = pos;
			gaps[g].len = next - pos;
			g++;
		}
		if (i < n)
			pos = pfs_align_up(used[i].start + used[i].len, align);
	}
	return g;
}

int pfs_alloc_best_fit(const struct pfs_pool_handle *pool, uint64_t len, uint64_t *start)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;
	int best = -1;

	for (i = 0; i < n; i++)
		if (gaps[i].len >= len && (best < 0 || gaps[i].len < gaps[best].len))
			best = (int)i;
	if (best < 0)
		return -1;
	*start = gaps[best].start;
	return 0;
}

uint64_t pfs_largest_free(const struct pfs_pool_handle *pool)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;
	uint64_t largest = 0;

	for (i = 0; i < n; i++)
		if (gaps[i].len > largest)
			largest = gaps[i].len;
	return largest;
}

uint64_t pfs_free_after(const struct pfs_pool_handle *pool, uint64_t start, uint64_t len)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;
	uint64_t end = start + len;

	for (i = 0; i < n; i++)
		if (gaps[i].start <= end && gaps[i].start + gaps[i].len > end)
			return gaps[i].start + gaps[i].len - end;
	return 0;
}

unsigned int pfs_fragmentation(const struct pfs_extent *gaps, unsigned int n)
{
	uint64_t total = 0, largest = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		total += gaps[i].len;
		if (gaps[i].len > largest)
			largest = gaps[i].len;
	}
	return total ? (unsigned int)(100 - largest * 100 / total) : 0;
}

int pfs_free_gaps_dirty(struct pfs_pool_handle *pool)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;

	for (i = 0; i < n; i++)
		if (pfs_free_mark_dirty(pool->table, gaps[i].start, gaps[i].len))
			return -1;
	return 0;
}

uint64_t pfs_free_dirty_total(const struct pfs_pool_handle *pool)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;
	uint64_t sum = 0;

	for (i = 0; i < n; i++)
		sum += pfs_free_dirty_sectors(pool->table, gaps[i].start, gaps[i].len);
	return sum;
}

void pfs_pool_usage(const struct pfs_pool_handle *pool, struct pfs_pool_usage *u)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	uint64_t align = le64_to_cpu(pool->sb->align_sectors);
	uint64_t end = le64_to_cpu(pool->sb->device_sectors) / align * align;
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int i;

	memset(u, 0, sizeof(*u));
	u->data_sectors = end - le64_to_cpu(pool->sb->data_start);
	u->max_images = le32_to_cpu(pool->sb->max_images);
	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		u->images++;
		u->used_sectors += le64_to_cpu(e[i].length);
	}
	u->free_extents = pfs_free_extents(pool, gaps);
	for (i = 0; i < u->free_extents; i++) {
		u->free_sectors += gaps[i].len;
		if (gaps[i].len > u->largest_free)
			u->largest_free = gaps[i].len;
	}
	u->dirty_sectors = pfs_free_dirty_total(pool);
	u->fragmentation = pfs_fragmentation(gaps, u->free_extents);
}

/* @pct % of @sectors, rounded down to whole units of @align; no overflow. */
static uint64_t pfs_share(uint64_t sectors, unsigned int pct, uint64_t align)
{
	uint64_t s = sectors / 100 * pct + sectors % 100 * pct / 100;

	return s / align * align;
}

int pfs_size_resolve(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		     const struct pfs_size_spec *spec, uint64_t *sectors, struct pfs_error *err)
{
	uint64_t align = le64_to_cpu(pool->sb->align_sectors);
	uint64_t cur = e ? le64_to_cpu(e->length) : 0, s, delta;
	char b[32];

	/* Bytes to sectors, rounded up without overflow: 2^64 - 1 must not wrap. */
	delta = (spec->bytes >> PFS_SECTOR_SHIFT) +
		!!(spec->bytes & ((1 << PFS_SECTOR_SHIFT) - 1));
	switch (spec->kind) {
	case PFS_SIZE_ABSOLUTE:
		if (!delta)
			return pfs_fail(err, PFS_EXIT_ARGS, "a size of 0 is no image");
		s = delta;
		break;
	case PFS_SIZE_GROW:
	case PFS_SIZE_SHRINK:
		if (!e)
			return pfs_fail(err, PFS_EXIT_ARGS,
					"a size relative to the image's (+SIZE, -SIZE) is for resize");
		if (spec->kind == PFS_SIZE_SHRINK && delta >= cur)
			return pfs_fail(err, PFS_EXIT_ARGS, "shrinking %s by %s leaves nothing of it",
					e->name, pfs_format_size(spec->bytes, b, sizeof(b)));
		if (spec->kind == PFS_SIZE_GROW && delta > UINT64_MAX - cur)
			return pfs_fail(err, PFS_EXIT_ARGS, "growing %s by that is too large",
					e->name);
		s = spec->kind == PFS_SIZE_GROW ? cur + delta : cur - delta;
		break;
	case PFS_SIZE_PCT_FREE:
		if (e)
			return pfs_fail(err, PFS_EXIT_ARGS,
					"N%%FREE is for create; resize takes +N%%FREE (of the free space right after %s)",
					e->name);
		*sectors = pfs_share(pfs_largest_free(pool), spec->pct, align);
		if (!*sectors)
			return pfs_fail(err, PFS_EXIT_NOSPACE,
					"%u%% of the largest free extent is less than one %s unit",
					spec->pct, pfs_format_size(align << PFS_SECTOR_SHIFT, b, sizeof(b)));
		return 0;
	case PFS_SIZE_GROW_PCT_FREE:
		if (!e)
			return pfs_fail(err, PFS_EXIT_ARGS,
					"+N%%FREE is for resize; create takes N%%FREE");
		delta = pfs_share(pfs_free_after(pool, le64_to_cpu(e->start), cur), spec->pct,
				  align);
		if (!delta)
			return pfs_fail(err, PFS_EXIT_NOSPACE,
					"%u%% of the free space right after %s is less than one %s unit",
					spec->pct, e->name,
					pfs_format_size(align << PFS_SECTOR_SHIFT, b, sizeof(b)));
		s = cur + delta;
		break;
	default:
		return pfs_fail(err, PFS_EXIT_ARGS, "unknown kind of size");
	}
	if (s > UINT64_MAX - align)
		return pfs_fail(err, PFS_EXIT_ARGS, "that size is too large");
	*sectors = (s + align - 1) / align * align;
	return 0;
}
