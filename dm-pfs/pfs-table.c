// SPDX-License-Identifier: GPL-2.0
/*
 * Superblock and allocation-table validation, shared by dm-pfs and pfsadm.
 * Everything read from disk is untrusted: every field is range-checked
 * before any offset derived from it is used.
 */
#include "pfs-table.h"

#define PFS_MIN_ALIGN_SECTORS	PFS_BLOCK_SECTORS
#define PFS_MAX_ALIGN_SECTORS	2097152ULL	/* 1 GiB */

/* crc32c of @len bytes at @data, with the 4-byte field at @csum_off as zero. */
static u32 pfs_crc_skip(const void *data, size_t len, size_t csum_off, u32 crc)
{
	static const u8 zero[4];

	crc = crc32c(crc, data, csum_off);
	crc = crc32c(crc, zero, sizeof(zero));
	return crc32c(crc, (const u8 *)data + csum_off + sizeof(zero),
		      len - csum_off - sizeof(zero));
}

u32 pfs_sb_csum(const struct pfs_superblock *sb)
{
	return ~pfs_crc_skip(sb, sizeof(*sb),
			     offsetof(struct pfs_superblock, csum), ~0U);
}

u32 pfs_table_csum(const struct pfs_table_header *copy)
{
	u32 crc = pfs_crc_skip(copy, sizeof(*copy),
			       offsetof(struct pfs_table_header, csum), ~0U);

	return ~crc32c(crc, pfs_table_entries(copy),
		       PFS_MAX_IMAGES * sizeof(struct pfs_image_entry));
}

/*
 * crc32c known answers (RFC 3720 B.4 and the "123456789" check value),
 * run at module load and by the native tests, so both sides prove they
 * compute the same checksum.
 */
int pfs_crc32c_selftest(void)
{
	static const struct {
		const char *data;
		unsigned int len;
		u32 crc;
	} vectors[] = {
		{ "", 0, 0x00000000 },
		{ "a", 1, 0xc1d04330 },
		{ "123456789", 9, 0xe3069283 },
		{ "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		  "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		  32, 0x8a9136aa },
		{ "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		  "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		  32, 0x62a8ab43 },
		{ "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
		  "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
		  32, 0x46dd794e },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vectors); i++)
		if (~crc32c(~0U, vectors[i].data, vectors[i].len) != vectors[i].crc)
			return -EINVAL;
	return 0;
}

/*
 * A zero first byte, and every byte equal to the one before it: memcmp
 * goes a word or a vector at a time, where a byte loop over the table's
 * unused entries was most of what pfsadm spent opening a pool.
 */
static bool pfs_is_zero(const void *p, size_t len)
{
	const u8 *b = p;

	return !len || (!b[0] && !memcmp(b, b + 1, len - 1));
}

static bool pfs_in(u32 v, u32 max)
{
	return v >= 1 && v <= max;
}

/* All zero (never calibrated), or every figure within its bounds. */
static bool pfs_cost_valid(const struct pfs_cost_record *c)
{
	if (!c->calibrate_time)
		return pfs_is_zero(c, sizeof(*c));
	return pfs_in(le32_to_cpu(c->read_op_ns), PFS_COST_MAX_NS) &&
	       pfs_in(le32_to_cpu(c->write_op_ns), PFS_COST_MAX_NS) &&
	       pfs_in(le32_to_cpu(c->read_mib_ns), PFS_COST_MAX_MIB_NS) &&
	       pfs_in(le32_to_cpu(c->write_mib_ns), PFS_COST_MAX_MIB_NS) &&
	       pfs_in(le32_to_cpu(c->seq_op_pct), 100) &&
	       pfs_in(le32_to_cpu(c->flush_ns), PFS_COST_MAX_NS) &&
	       pfs_in(le32_to_cpu(c->discard_ns), PFS_COST_MAX_NS) &&
	       !c->reserved;
}

/*
 * Version 7's pool fields: a shared pool's lease area lies whole between
 * the metadata and the data area, aligned to sanlock's unit; a host-local
 * pool has none.
 */
static bool pfs_pool_fields_valid(const struct pfs_superblock *sb, u64 metadata)
{
	u32 flags = le32_to_cpu(sb->pool_flags);
	u64 lease = le64_to_cpu(sb->lease_start);

	if ((flags & ~PFS_POOL_FLAGS) || sb->reserved1)
		return false;
	if (!(flags & PFS_POOL_SHARED))
		return !lease;
	return lease >= metadata && !(lease % PFS_LEASE_SECTORS) &&
	       lease + PFS_LEASE_AREA_SECTORS <= le64_to_cpu(sb->data_start);
}

int pfs_sb_validate(const struct pfs_superblock *sb, u64 dev_sectors,
		    const char **why)
{
	u64 align = le64_to_cpu(sb->align_sectors);
	u64 data_start = le64_to_cpu(sb->data_start);
	u64 size = le64_to_cpu(sb->device_sectors);
	u32 version = le32_to_cpu(sb->version);
	u64 metadata = version >= 2 ? PFS_METADATA_SECTORS : PFS_METADATA_SECTORS_V1;

	*why = NULL;
	if (memcmp(sb->magic, PFS_SB_MAGIC, PFS_MAGIC_LEN))
		*why = "not a dm-pfs pool (bad superblock magic)";
	else if (version > PFS_FORMAT_VERSION)
		*why = "pool format version is newer than this code supports";
	else if (version < PFS_FORMAT_VERSION_MIN)
		*why = "unknown pool format version";
	else if (le32_to_cpu(sb->csum) != pfs_sb_csum(sb))
		*why = "superblock checksum mismatch";
	else if (le32_to_cpu(sb->max_images) != PFS_MAX_IMAGES ||
		 le32_to_cpu(sb->table_sectors) != PFS_TABLE_SECTORS ||
		 le64_to_cpu(sb->table_offset[0]) != PFS_TABLE_OFFSET(0) ||
		 le64_to_cpu(sb->table_offset[1]) != PFS_TABLE_OFFSET(1))
		*why = "superblock table geometry is invalid";
	else if (align < PFS_MIN_ALIGN_SECTORS || align > PFS_MAX_ALIGN_SECTORS ||
		 (align & (align - 1)))
		*why = "superblock alignment is invalid";
	else if (data_start < metadata || data_start % align ||
		 data_start > size)
		*why = "superblock data area is invalid";
	else if (size > dev_sectors)
		*why = "pool device is smaller than its superblock says";
	else if (version >= 3 && !pfs_cost_valid(&sb->cost))
		*why = "superblock cost model is invalid";
	else if (version >= 7 && !pfs_pool_fields_valid(sb, metadata))
		*why = "superblock lease area is invalid";
	return *why ? -EINVAL : 0;
}

unsigned int pfs_entry_extents(const struct pfs_image_entry *e, u64 start[2], u64 len[2])
{
	start[0] = le64_to_cpu(e->start);
	len[0] = le64_to_cpu(e->length);
	/* A clone's destination is the clone entry's own extent. */
	if (!(le32_to_cpu(e->flags) & PFS_IMAGE_MOVING))
		return 1;
	start[1] = le64_to_cpu(e->copy_dest);
	len[1] = len[0];
	return 2;
}

static bool pfs_extent_in_data(const struct pfs_superblock *sb, u64 start, u64 len)
{
	return len && !(start % le64_to_cpu(sb->align_sectors)) &&
	       start >= le64_to_cpu(sb->data_start) &&
	       start <= le64_to_cpu(sb->device_sectors) &&
	       len <= le64_to_cpu(sb->device_sectors) - start;
}

static bool pfs_ranges_overlap(u64 a_start, u64 a_len, u64 b_start, u64 b_len)
{
	return a_start < b_start + b_len && b_start < a_start + a_len;
}

/* A move to or from another pool: the other pool, and only where allowed. */
static const char *pfs_entry_pool_invalid(const struct pfs_superblock *sb,
					  const struct pfs_image_entry *e)
{
	u32 flags = le32_to_cpu(e->flags);
	bool named = !pfs_is_zero(e->copy_pool, PFS_UUID_LEN);

	if (!(flags & PFS_IMAGE_POOL_MOVE))
		return named ? "table entry names another pool but no move" : NULL;
	if ((flags & ~PFS_IMAGE_IN_USE) != PFS_IMAGE_TO_POOL &&
	    (flags & ~PFS_IMAGE_IN_USE) != PFS_IMAGE_INCOMING)
		return "table entry has conflicting copy flags";
	if (!named || !memcmp(e->copy_pool, sb->pool_uuid, PFS_UUID_LEN))
		return "table entry's other pool is invalid";
	if (flags & PFS_IMAGE_INCOMING && (e->copy_dest || e->copy_done || e->copy_region))
		return "table entry has a copy but no move";
	return NULL;
}

/* A copy's fields: all zero without one; with one, a copy that can resume. */
static const char *pfs_entry_copy_invalid(const struct pfs_superblock *sb,
					  const struct pfs_image_entry *e)
{
	u64 len = le64_to_cpu(e->length), dest = le64_to_cpu(e->copy_dest);
	u64 done = le64_to_cpu(e->copy_done);
	u32 region = le32_to_cpu(e->copy_region), flags = le32_to_cpu(e->flags);
	u32 version = le32_to_cpu(sb->version);
	u32 v5 = PFS_IMAGE_MOVING_BACK | PFS_IMAGE_CLONING | PFS_IMAGE_CLONE;
	u32 copying = flags & PFS_IMAGE_COPYING;
	const char *why;

	if ((version < 4 && (flags & PFS_IMAGE_MOVING)) || (version < 5 && (flags & v5)) ||
	    (version < 6 && (flags & PFS_IMAGE_POOL_MOVE)))
		return "table entry has unknown flags";
	why = pfs_entry_pool_invalid(sb, e);
	if (why || flags & PFS_IMAGE_INCOMING)
		return why;
	if ((flags & PFS_IMAGE_MOVING_BACK && !(flags & PFS_IMAGE_MOVING)) ||
	    (copying & (copying - 1)) ||
	    (flags & PFS_IMAGE_CLONE && flags & PFS_IMAGE_COPYING))
		return "table entry has conflicting copy flags";
	if (!(flags & PFS_IMAGE_COPYING))
		return dest || done || region ? "table entry has a copy but no move" : NULL;
	if (region < PFS_COPY_REGION_MIN || region > PFS_COPY_REGION_MAX ||
	    (region & (region - 1)) || done > len || (done % region && done != len))
		return "table entry has an invalid copy state";
	/* The other pool's extent is checked where that pool is read. */
	if (flags & PFS_IMAGE_TO_POOL)
		return dest ? NULL : "table entry's copy destination is invalid";
	if (!pfs_extent_in_data(sb, dest, len))
		return "table entry's copy destination is outside the data area";
	if (pfs_ranges_overlap(dest, len, le64_to_cpu(e->start), len))
		return "table entry's copy destination overlaps its extent";
	return NULL;
}

/*
 * Each image being cloned names a clone of its length by where the clone
 * starts, and each clone is named by exactly one.
 */
static const char *pfs_clones_invalid(const struct pfs_image_entry *entries)
{
	unsigned int i, j, n;

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		u32 flags = le32_to_cpu(entries[i].flags);
		bool clone = flags & PFS_IMAGE_CLONE;

		if (!(flags & PFS_IMAGE_IN_USE) || !(flags & (PFS_IMAGE_CLONING | PFS_IMAGE_CLONE)))
			continue;
		for (j = 0, n = 0; j < PFS_MAX_IMAGES; j++) {
			const struct pfs_image_entry *src = &entries[clone ? j : i];
			const struct pfs_image_entry *dst = &entries[clone ? i : j];

			if (i == j || !(le32_to_cpu(entries[j].flags) & PFS_IMAGE_IN_USE))
				continue;
			n += (le32_to_cpu(src->flags) & PFS_IMAGE_CLONING) &&
			     (le32_to_cpu(dst->flags) & PFS_IMAGE_CLONE) &&
			     src->copy_dest == dst->start && src->length == dst->length;
		}
		if (n != 1)
			return clone ? "table entry is a clone of no image" :
				       "table entry is cloned into no clone";
	}
	return NULL;
}

static int pfs_entry_validate(const struct pfs_superblock *sb,
			      const struct pfs_image_entry *e, const char **why)
{
	u64 start = le64_to_cpu(e->start);
	u64 len = le64_to_cpu(e->length);
	u32 weight = le32_to_cpu(e->weight);
	size_t name_len = strnlen(e->name, PFS_NAME_LEN);

	*why = NULL;
	if (!pfs_name_valid(e->name, name_len) ||
	    !pfs_is_zero(e->name + name_len, PFS_NAME_LEN - name_len))
		*why = "table entry has an invalid name";
	else if (le32_to_cpu(e->flags) & ~PFS_IMAGE_FLAGS)
		*why = "table entry has unknown flags";
	else if (weight == 0 || weight > PFS_MAX_WEIGHT)
		*why = "table entry has an invalid weight";
	else if (!pfs_extent_in_data(sb, start, len))
		*why = "table entry extent is outside the data area";
	else if (le64_to_cpu(e->iops_max) > PFS_MAX_RATE ||
		 le64_to_cpu(e->bps_max) > PFS_MAX_RATE)
		*why = "table entry has an invalid QoS cap";
	else
		*why = pfs_entry_copy_invalid(sb, e);
	return *why ? -EINVAL : 0;
}

/* Why two in-use entries cannot both be in one table, or NULL. */
static const char *pfs_entries_collide(const struct pfs_image_entry *a,
				       const struct pfs_image_entry *b)
{
	u64 as[2], al[2], bs[2], bl[2];
	unsigned int na = pfs_entry_extents(a, as, al), nb = pfs_entry_extents(b, bs, bl);
	unsigned int i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (pfs_ranges_overlap(as[i], al[i], bs[j], bl[j]))
				return "table entries overlap";
	if (!strncmp(a->name, b->name, PFS_NAME_LEN))
		return "two table entries share a name";
	return NULL;
}

/*
 * Free-space records: in the data area, one kind each; a busy record is
 * free space a command holds, so it never overlaps an image or another
 * busy record. A dirty one may span images: only its free sectors count.
 */
static const char *pfs_free_records_invalid(const struct pfs_superblock *sb,
					    const struct pfs_table_header *copy)
{
	const struct pfs_image_entry *entries = pfs_table_entries(copy);
	u32 n = le32_to_cpu(copy->nr_free_records);
	u64 data_start = le64_to_cpu(sb->data_start);
	u64 size = le64_to_cpu(sb->device_sectors);
	bool shared = le32_to_cpu(sb->version) >= 7 &&
		      (le32_to_cpu(sb->pool_flags) & PFS_POOL_SHARED);
	unsigned int i, j;

	if (n > PFS_MAX_FREE_RECORDS || copy->reserved0)
		return "table has an invalid free-space record count";
	for (i = 0; i < PFS_MAX_FREE_RECORDS; i++) {
		const struct pfs_free_record *r = &copy->free[i];
		u64 start = le64_to_cpu(r->start), len = le64_to_cpu(r->length);
		u32 flags = le32_to_cpu(r->flags);

		if (i >= n) {
			if (!pfs_is_zero(r, sizeof(*r)))
				return "unused free-space record is not empty";
			continue;
		}
		if ((flags != PFS_FREE_DIRTY && flags != PFS_FREE_BUSY) ||
		    (r->host_id && (flags != PFS_FREE_BUSY || !shared)))
			return "free-space record has invalid flags";
		if (len == 0 || start < data_start || start > size || len > size - start)
			return "free-space record is outside the data area";
		if (flags != PFS_FREE_BUSY)
			continue;
		for (j = 0; j < PFS_MAX_IMAGES; j++) {
			u64 es[2], el[2];
			unsigned int k, nr;

			if (!(le32_to_cpu(entries[j].flags) & PFS_IMAGE_IN_USE))
				continue;
			nr = pfs_entry_extents(&entries[j], es, el);
			for (k = 0; k < nr; k++)
				if (pfs_ranges_overlap(start, len, es[k], el[k]))
					return "busy free-space record overlaps an image";
		}
		for (j = 0; j < i; j++)
			if (le32_to_cpu(copy->free[j].flags) == PFS_FREE_BUSY &&
			    pfs_ranges_overlap(start, len, le64_to_cpu(copy->free[j].start),
					       le64_to_cpu(copy->free[j].length)))
				return "busy free-space records overlap";
	}
	return NULL;
}

int pfs_table_validate(const struct pfs_superblock *sb,
		       const struct pfs_table_header *copy, const char **why)
{
	const struct pfs_image_entry *entries = pfs_table_entries(copy);
	unsigned int i, j;

	*why = NULL;
	if (memcmp(copy->magic, PFS_TABLE_MAGIC, PFS_MAGIC_LEN))
		*why = "bad table magic";
	else if (le32_to_cpu(copy->csum) != pfs_table_csum(copy))
		*why = "table checksum mismatch";
	else if (le32_to_cpu(copy->max_images) != PFS_MAX_IMAGES ||
		 memcmp(copy->pool_uuid, sb->pool_uuid, PFS_UUID_LEN))
		*why = "table belongs to another pool";
	if (*why)
		return -EINVAL;

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(entries[i].flags) & PFS_IMAGE_IN_USE)) {
			if (!pfs_is_zero(&entries[i], sizeof(entries[i]))) {
				*why = "unused table entry is not empty";
				return -EINVAL;
			}
			continue;
		}
		if (pfs_entry_validate(sb, &entries[i], why))
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (!(le32_to_cpu(entries[j].flags) & PFS_IMAGE_IN_USE))
				continue;
			*why = pfs_entries_collide(&entries[i], &entries[j]);
			if (*why)
				return -EINVAL;
		}
	}
	*why = pfs_clones_invalid(entries);
	if (!*why)
		*why = pfs_free_records_invalid(sb, copy);
	return *why ? -EINVAL : 0;
}

int pfs_table_choose(const struct pfs_superblock *sb,
		     const struct pfs_table_header *copy0,
		     const struct pfs_table_header *copy1, const char *why[2])
{
	bool ok0 = !pfs_table_validate(sb, copy0, &why[0]);
	bool ok1 = !pfs_table_validate(sb, copy1, &why[1]);

	if (ok0 && ok1)
		return le64_to_cpu(copy1->generation) >
			le64_to_cpu(copy0->generation) ? 1 : 0;
	if (ok0 || ok1)
		return ok0 ? 0 : 1;
	return -EINVAL;
}

const struct pfs_image_entry *
pfs_table_lookup(const struct pfs_table_header *copy, const char *name)
{
	const struct pfs_image_entry *entries = pfs_table_entries(copy);
	unsigned int i;

	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if ((le32_to_cpu(entries[i].flags) & PFS_IMAGE_IN_USE) &&
		    !strncmp(entries[i].name, name, PFS_NAME_LEN))
			return &entries[i];
	return NULL;
}
