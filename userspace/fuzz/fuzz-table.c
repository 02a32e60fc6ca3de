// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the table loader the kernel shares with pfsadm
 * (dm-pfs/pfs-table.c).
 *
 * Input: one flag byte, then up to 512 bytes of superblock, then the rest
 * split between the two table copies. Each half fills the start of its
 * copy's header (144 bytes: through the first four free-space records),
 * and the remainder fills the entries. Flag bits
 * 0-2 recompute the superblock and copy checksums, so the fuzzer gets past
 * them to the checks behind.
 */
#include <stdlib.h>
#include <string.h>

#include "pfs-table.h"

#define HDR_PART 144

static struct pfs_table_header *copy_buf(unsigned int i)
{
	static struct pfs_table_header *copies[2];

	if (!copies[i])
		copies[i] = malloc(PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	memset(copies[i], 0, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	return copies[i];
}

static void fill_copy(struct pfs_table_header *t, const uint8_t *data, size_t len)
{
	size_t n = len < HDR_PART ? len : HDR_PART;
	size_t max = PFS_MAX_IMAGES * sizeof(struct pfs_image_entry);

	memcpy(t, data, n);
	if (len > n)
		memcpy(pfs_table_entries(t), data + n, len - n < max ? len - n : max);
}

static void must_not_overlap(unsigned __int128 a0, unsigned __int128 a1,
			     unsigned __int128 b0, unsigned __int128 b1)
{
	if (a0 < b1 && b0 < a1)
		abort();
}

/*
 * The extents an entry holds, [x[k], x[k] + len): a moving one's
 * destination too (a cloned one's destination is its clone's extent).
 */
static int held(const struct pfs_image_entry *e, unsigned __int128 x[2])
{
	x[0] = le64_to_cpu(e->start);
	if (!(le32_to_cpu(e->flags) & PFS_IMAGE_MOVING))
		return 1;
	x[1] = le64_to_cpu(e->copy_dest);
	return 2;
}

/*
 * A move's state in an accepted entry: all zero without one; with one, a
 * power-of-two region in bounds and a copied prefix no longer than the
 * image, on whole regions unless complete (a restart resumes from it).
 */
static void check_copy(const struct pfs_superblock *sb, const struct pfs_image_entry *e)
{
	static const uint8_t zero[PFS_UUID_LEN];
	uint64_t region = le32_to_cpu(e->copy_region), done = le64_to_cpu(e->copy_done);
	uint32_t flags = le32_to_cpu(e->flags);
	uint32_t pools = flags & PFS_IMAGE_POOL_MOVE;
	int copies = !!(flags & PFS_IMAGE_MOVING) + !!(flags & PFS_IMAGE_CLONING) +
		     !!(flags & PFS_IMAGE_CLONE) + !!(flags & PFS_IMAGE_TO_POOL) +
		     !!(flags & PFS_IMAGE_INCOMING);

	/* One kind of copy at most; undoing a move is a move. */
	if (copies > 1 || ((flags & PFS_IMAGE_MOVING_BACK) && !(flags & PFS_IMAGE_MOVING)) ||
	    (le32_to_cpu(sb->version) < 5 &&
	     (flags & (PFS_IMAGE_MOVING_BACK | PFS_IMAGE_CLONING | PFS_IMAGE_CLONE))) ||
	    (le32_to_cpu(sb->version) < 6 && pools))
		abort();
	/* The other pool: named exactly when moving between pools, never this one. */
	if (!pools != !memcmp(e->copy_pool, zero, PFS_UUID_LEN) ||
	    (pools && !memcmp(e->copy_pool, sb->pool_uuid, PFS_UUID_LEN)))
		abort();
	if (!(flags & (PFS_IMAGE_MOVING | PFS_IMAGE_CLONING | PFS_IMAGE_TO_POOL))) {
		if (e->copy_dest || done || region)
			abort();
		return;
	}
	if (le32_to_cpu(sb->version) < 4 || region < PFS_COPY_REGION_MIN ||
	    region > PFS_COPY_REGION_MAX || (region & (region - 1)) ||
	    done > le64_to_cpu(e->length) || (done % region && done != le64_to_cpu(e->length)) ||
	    !e->copy_dest)
		abort();
}

/*
 * Oracle, in 128-bit arithmetic: in a table the loader accepts, every extent
 * (a moving image's destination too) lies inside the data area, no two
 * overlap and no two images share a name (which would let one image's
 * table line reach the other's extent). Entries past the input are zero,
 * so only the first few can be in use.
 */
static void check_extents(const struct pfs_superblock *sb, const struct pfs_image_entry *e)
{
	unsigned __int128 end = le64_to_cpu(sb->device_sectors);
	unsigned __int128 a[2], b[2], alen, blen;
	int i, j, ka, kb, na, nb;

	for (i = 0; i < 16; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		check_copy(sb, &e[i]);
		na = held(&e[i], a);
		alen = le64_to_cpu(e[i].length);
		for (ka = 0; ka < na; ka++)
			if (a[ka] < le64_to_cpu(sb->data_start) || a[ka] + alen > end)
				abort();
		if (na == 2)
			must_not_overlap(a[0], a[0] + alen, a[1], a[1] + alen);
		for (j = 0; j < i; j++) {
			if (!(le32_to_cpu(e[j].flags) & PFS_IMAGE_IN_USE))
				continue;
			nb = held(&e[j], b);
			blen = le64_to_cpu(e[j].length);
			for (ka = 0; ka < na; ka++)
				for (kb = 0; kb < nb; kb++)
					must_not_overlap(a[ka], a[ka] + alen, b[kb], b[kb] + blen);
			if (!memcmp(e[i].name, e[j].name, PFS_NAME_LEN))
				abort();
		}
	}
}

/*
 * Oracle for clones: in an accepted table an image being cloned names, by
 * its copy destination, exactly one clone of its length, and a clone is
 * named so by exactly one image. (Only the first 16 entries can be in use.)
 */
static void check_clones(const struct pfs_image_entry *e)
{
	int i, j, n;

	for (i = 0; i < 16; i++) {
		uint32_t fi = le32_to_cpu(e[i].flags);

		if (!(fi & PFS_IMAGE_IN_USE) || !(fi & (PFS_IMAGE_CLONING | PFS_IMAGE_CLONE)))
			continue;
		for (j = 0, n = 0; j < 16; j++) {
			uint32_t fj = le32_to_cpu(e[j].flags);

			if (j == i || !(fj & PFS_IMAGE_IN_USE))
				continue;
			if (fi & PFS_IMAGE_CLONING)
				n += (fj & PFS_IMAGE_CLONE) && e[j].start == e[i].copy_dest &&
				     e[j].length == e[i].length;
			else
				n += (fj & PFS_IMAGE_CLONING) && e[j].copy_dest == e[i].start &&
				     e[j].length == e[i].length;
		}
		if (n != 1)
			abort();
	}
}

/*
 * Oracle for free-space records: in an accepted table every used record
 * lies inside the data area, and a busy one (space a command holds) overlaps
 * no image and no other busy record.
 */
static void check_records(const struct pfs_superblock *sb, const struct pfs_table_header *t)
{
	const struct pfs_image_entry *e = pfs_table_entries(t);
	unsigned __int128 a0, a1, b0, x[2];
	uint32_t n = le32_to_cpu(t->nr_free_records), i, j;
	int k, nx;

	if (n > PFS_MAX_FREE_RECORDS)
		abort();
	for (i = 0; i < n; i++) {
		a0 = le64_to_cpu(t->free[i].start);
		a1 = a0 + le64_to_cpu(t->free[i].length);
		if (a0 < le64_to_cpu(sb->data_start) || a1 > le64_to_cpu(sb->device_sectors) ||
		    a0 == a1)
			abort();
		if (le32_to_cpu(t->free[i].flags) != PFS_FREE_BUSY)
			continue;
		for (j = 0; j < 16; j++) {
			if (!(le32_to_cpu(e[j].flags) & PFS_IMAGE_IN_USE))
				continue;
			nx = held(&e[j], x);
			for (k = 0; k < nx; k++)
				must_not_overlap(a0, a1, x[k], x[k] + le64_to_cpu(e[j].length));
		}
		for (j = 0; j < i; j++) {
			if (le32_to_cpu(t->free[j].flags) != PFS_FREE_BUSY)
				continue;
			b0 = le64_to_cpu(t->free[j].start);
			must_not_overlap(a0, a1, b0, b0 + le64_to_cpu(t->free[j].length));
		}
	}
}

/*
 * Oracle for the cost model (version 3): in an accepted superblock it is
 * all zero, or every figure the arbiter divides and multiplies by is
 * positive and bounded, and the sequential part a percentage.
 */
static void check_cost(const struct pfs_superblock *sb)
{
	const struct pfs_cost_record *c = &sb->cost;
	const uint32_t f[] = { c->read_op_ns, c->write_op_ns, c->flush_ns, c->discard_ns };
	static const struct pfs_cost_record zero;
	unsigned int i;

	if (le32_to_cpu(sb->version) < 3)
		return;
	if (!c->calibrate_time) {
		if (memcmp(c, &zero, sizeof(zero)))
			abort();
		return;
	}
	for (i = 0; i < 4; i++)
		if (!le32_to_cpu(f[i]) || le32_to_cpu(f[i]) > 1000000000U)
			abort();
	if (!le32_to_cpu(c->read_mib_ns) || !le32_to_cpu(c->write_mib_ns) ||
	    le32_to_cpu(c->read_mib_ns) > 4000000000U || le32_to_cpu(c->write_mib_ns) > 4000000000U ||
	    !le32_to_cpu(c->seq_op_pct) || le32_to_cpu(c->seq_op_pct) > 100)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfs_table_header *copy0 = copy_buf(0), *copy1 = copy_buf(1);
	const struct pfs_image_entry *e;
	struct pfs_superblock sb;
	const char *why, *whys[2];
	size_t n, half;
	uint8_t flags;
	int chosen, i;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	memset(&sb, 0, sizeof(sb));
	n = size < sizeof(sb) ? size : sizeof(sb);
	memcpy(&sb, data, n);
	data += n;
	size -= n;
	half = size / 2;
	fill_copy(copy0, data, half);
	fill_copy(copy1, data + half, size - half);

	if (flags & 1)
		sb.csum = cpu_to_le32(pfs_sb_csum(&sb));
	if (flags & 2)
		copy0->csum = cpu_to_le32(pfs_table_csum(copy0));
	if (flags & 4)
		copy1->csum = cpu_to_le32(pfs_table_csum(copy1));

	if (pfs_sb_validate(&sb, le64_to_cpu(sb.device_sectors), &why))
		return 0;
	check_cost(&sb);
	chosen = pfs_table_choose(&sb, copy0, copy1, whys);
	if (chosen < 0)
		return 0;
	e = pfs_table_entries(chosen ? copy1 : copy0);
	for (i = 0; i < 4; i++)
		if (e[i].name[0] &&
		    pfs_table_lookup(chosen ? copy1 : copy0, e[i].name) == NULL)
			abort();	/* a valid table must find its own images */
	check_extents(&sb, e);
	check_clones(e);
	check_records(&sb, chosen ? copy1 : copy0);
	return 0;
}
