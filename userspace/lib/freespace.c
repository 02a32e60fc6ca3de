// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "freespace.h"

/* Room for one record past the limit: an edit first, the merge after. */
struct pfs_free_set {
	unsigned int n;
	struct {
		uint64_t start, end;
		uint32_t flags, host_id;
	} r[PFS_MAX_FREE_RECORDS + 2];
};

static void pfs_free_load(const struct pfs_table_header *t, struct pfs_free_set *s)
{
	unsigned int i;

	s->n = le32_to_cpu(t->nr_free_records);
	if (s->n > PFS_MAX_FREE_RECORDS)
		s->n = PFS_MAX_FREE_RECORDS;
	for (i = 0; i < s->n; i++) {
		s->r[i].start = le64_to_cpu(t->free[i].start);
		s->r[i].end = s->r[i].start + le64_to_cpu(t->free[i].length);
		s->r[i].flags = le32_to_cpu(t->free[i].flags);
		s->r[i].host_id = le32_to_cpu(t->free[i].host_id);
	}
}

static int pfs_free_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;	/* start is the first member */

	return (*x > *y) - (*x < *y);
}

/*
 * Merge the two dirty records with the least space between them until
 * the set fits; false if it cannot (all busy).
 */
static bool pfs_free_fit(struct pfs_free_set *s)
{
	while (s->n > PFS_MAX_FREE_RECORDS) {
		unsigned int i, prev = 0, best = 0;
		uint64_t gap, best_gap = UINT64_MAX;
		bool have_prev = false;

		qsort(s->r, s->n, sizeof(s->r[0]), pfs_free_cmp);
		for (i = 0; i < s->n; i++) {
			if (s->r[i].flags != PFS_FREE_DIRTY)
				continue;
			if (have_prev) {
				gap = s->r[i].start > s->r[prev].end ?
				      s->r[i].start - s->r[prev].end : 0;
				if (gap < best_gap) {
					best_gap = gap;
					best = i;
				}
			}
			prev = i;
			have_prev = true;
		}
		if (best_gap == UINT64_MAX)
			return false;
		/* best's dirty predecessor absorbs it. */
		for (prev = best; prev-- > 0;)
			if (s->r[prev].flags == PFS_FREE_DIRTY)
				break;
		if (s->r[best].end > s->r[prev].end)
			s->r[prev].end = s->r[best].end;
		s->r[best] = s->r[--s->n];
	}
	return true;
}

static int pfs_free_store(struct pfs_table_header *t, struct pfs_free_set *s)
{
	unsigned int i;

	if (!pfs_free_fit(s))
		return -1;
	qsort(s->r, s->n, sizeof(s->r[0]), pfs_free_cmp);
	memset(t->free, 0, sizeof(t->free));
	for (i = 0; i < s->n; i++) {
		t->free[i].start = cpu_to_le64(s->r[i].start);
		t->free[i].length = cpu_to_le64(s->r[i].end - s->r[i].start);
		t->free[i].flags = cpu_to_le32(s->r[i].flags);
		t->free[i].host_id = cpu_to_le32(s->r[i].host_id);
	}
	t->nr_free_records = cpu_to_le32(s->n);
	return 0;
}

static void pfs_free_add(struct pfs_free_set *s, uint64_t start, uint64_t end, uint32_t flags)
{
	s->r[s->n].start = start;
	s->r[s->n].end = end;
	s->r[s->n].flags = flags;
	s->r[s->n].host_id = 0;
	s->n++;
}

int pfs_free_mark_dirty(struct pfs_table_header *t, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	struct pfs_free_set s;
	unsigned int i;

	if (!len)
		return 0;
	pfs_free_load(t, &s);
	/* Absorb every dirty record this one touches: they stay disjoint. */
	for (i = 0; i < s.n;) {
		if (s.r[i].flags == PFS_FREE_DIRTY && s.r[i].start <= end && start <= s.r[i].end) {
			if (s.r[i].start < start)
				start = s.r[i].start;
			if (s.r[i].end > end)
				end = s.r[i].end;
			s.r[i] = s.r[--s.n];
			continue;
		}
		i++;
	}
	pfs_free_add(&s, start, end, PFS_FREE_DIRTY);
	return pfs_free_store(t, &s);
}

void pfs_free_mark_clean(struct pfs_table_header *t, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	struct pfs_free_set s;
	unsigned int i, n;

	pfs_free_load(t, &s);
	n = s.n;
	for (i = 0; i < n;) {
		uint64_t rs = s.r[i].start, re = s.r[i].end;

		if (s.r[i].flags != PFS_FREE_DIRTY || re <= start || end <= rs) {
			i++;
			continue;
		}
		s.r[i] = s.r[--n];
		s.r[n] = s.r[--s.n];
		if (rs < start)
			pfs_free_add(&s, rs, start, PFS_FREE_DIRTY);
		if (end < re)
			pfs_free_add(&s, end, re, PFS_FREE_DIRTY);
	}
	/* Only dirty records merge, so this cannot fail. */
	pfs_free_store(t, &s);
}

int pfs_free_reserve(struct pfs_table_header *t, uint64_t start, uint64_t len,
		     uint32_t host_id)
{
	struct pfs_free_set s;

	pfs_free_load(t, &s);
	pfs_free_add(&s, start, start + len, PFS_FREE_BUSY);
	s.r[s.n - 1].host_id = host_id;
	return pfs_free_store(t, &s);
}

bool pfs_free_release(struct pfs_table_header *t, uint64_t start, uint64_t len)
{
	struct pfs_free_set s;
	unsigned int i;

	pfs_free_load(t, &s);
	for (i = 0; i < s.n; i++) {
		if (s.r[i].flags == PFS_FREE_BUSY && s.r[i].start == start &&
		    s.r[i].end == start + len) {
			s.r[i] = s.r[--s.n];
			pfs_free_store(t, &s);
			return true;
		}
	}
	return false;
}

unsigned int pfs_free_drop_busy(struct pfs_table_header *t, uint32_t host_id)
{
	struct pfs_free_set s;
	unsigned int i, dropped = 0;

	pfs_free_load(t, &s);
	for (i = 0; i < s.n;) {
		if (s.r[i].flags == PFS_FREE_BUSY &&
		    (host_id == PFS_ANY_HOST || s.r[i].host_id == host_id)) {
			s.r[i] = s.r[--s.n];
			dropped++;
		} else {
			i++;
		}
	}
	if (dropped)
		pfs_free_store(t, &s);
	return dropped;
}

unsigned int pfs_free_count_busy(const struct pfs_table_header *t, uint32_t host_id)
{
	struct pfs_free_set s;
	unsigned int i, n = 0;

	pfs_free_load(t, &s);
	for (i = 0; i < s.n; i++)
		n += s.r[i].flags == PFS_FREE_BUSY &&
		     (host_id == PFS_ANY_HOST || s.r[i].host_id == host_id);
	return n;
}

unsigned int pfs_free_dirty_parts(const struct pfs_table_header *t, uint64_t start,
				  uint64_t len, struct pfs_extent *out)
{
	uint64_t end = start + len;
	struct pfs_free_set s;
	unsigned int i, n = 0;

	pfs_free_load(t, &s);
	qsort(s.r, s.n, sizeof(s.r[0]), pfs_free_cmp);
	for (i = 0; i < s.n; i++) {
		uint64_t a = s.r[i].start > start ? s.r[i].start : start;
		uint64_t b = s.r[i].end < end ? s.r[i].end : end;

		if (s.r[i].flags != PFS_FREE_DIRTY || a >= b)
			continue;
		if (n && out[n - 1].start + out[n - 1].len >= a) {
			if (b > out[n - 1].start + out[n - 1].len)
				out[n - 1].len = b - out[n - 1].start;
			continue;
		}
		out[n].start = a;
		out[n].len = b - a;
		n++;
	}
	return n;
}

uint64_t pfs_free_dirty_sectors(const struct pfs_table_header *t, uint64_t start,
				uint64_t len)
{
	struct pfs_extent parts[PFS_MAX_FREE_RECORDS];
	unsigned int n = pfs_free_dirty_parts(t, start, len, parts), i;
	uint64_t sum = 0;

	for (i = 0; i < n; i++)
		sum += parts[i].len;
	return sum;
}
