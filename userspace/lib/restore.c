// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "freespace.h"
#include "pool.h"
#include "probe.h"
#include "restore.h"
#include "shared.h"

/* Fetch a non-negative integer member; a missing or wrong one is an error. */
static int pfs_restore_json_u64(struct json_object *o, const char *key, uint64_t *v,
			   struct pfs_error *err)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_int) ||
	    json_object_get_int64(m) < 0)
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: missing or invalid \"%s\"", key);
	*v = json_object_get_uint64(m);
	return 0;
}

static int pfs_restore_json_uuid(struct json_object *o, const char *key, uint8_t *uuid,
			    struct pfs_error *err)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    uuid_parse(json_object_get_string(m), uuid))
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: missing or invalid \"%s\"", key);
	return 0;
}

/* A copy under way in the dump (format 4 to 6) comes back as it was. */
static int pfs_restore_copy(struct json_object *o, struct pfs_image_entry *e,
			    struct pfs_error *err)
{
	static const struct { const char *key; uint32_t flag; } kinds[] = {
		{ "moving", PFS_IMAGE_MOVING }, { "moving_back", PFS_IMAGE_MOVING_BACK },
		{ "cloning", PFS_IMAGE_CLONING }, { "clone_being_made", PFS_IMAGE_CLONE },
		{ "moving_to_pool", PFS_IMAGE_TO_POOL }, { "incoming", PFS_IMAGE_INCOMING },
	};
	uint64_t dest, done, region;
	struct json_object *m;
	uint32_t flags = PFS_IMAGE_IN_USE;
	unsigned int i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (json_object_object_get_ex(o, kinds[i].key, &m) && json_object_get_boolean(m))
			flags |= kinds[i].flag;
	e->flags = cpu_to_le32(flags);
	if ((flags & PFS_IMAGE_POOL_MOVE) &&
	    pfs_restore_json_uuid(o, "copy_pool", e->copy_pool, err))
		return -1;
	if (!(flags & PFS_IMAGE_COPYING))
		return 0;
	if (pfs_restore_json_u64(o, "copy_dest_sector", &dest, err) ||
	    pfs_restore_json_u64(o, "copy_done_sectors", &done, err) ||
	    pfs_restore_json_u64(o, "copy_region_sectors", &region, err))
		return -1;
	if (region > UINT32_MAX)
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: image %s has an invalid copy region",
				e->name);
	e->copy_dest = cpu_to_le64(dest);
	e->copy_done = cpu_to_le64(done);
	e->copy_region = cpu_to_le32((uint32_t)region);
	return 0;
}

static int pfs_restore_image(struct json_object *o, struct pfs_image_entry *e,
				struct pfs_error *err)
{
	uint64_t start, len, weight, iops, bps, ctime;
	struct json_object *m;
	const char *name;

	if (!json_object_object_get_ex(o, "name", &m) || !(name = json_object_get_string(m)) ||
	    strlen(name) >= PFS_NAME_LEN)
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: image without a valid name");
	if (pfs_restore_json_uuid(o, "uuid", e->uuid, err) ||
	    pfs_restore_json_u64(o, "start_sector", &start, err) ||
	    pfs_restore_json_u64(o, "sectors", &len, err) ||
	    pfs_restore_json_u64(o, "weight", &weight, err) ||
	    pfs_restore_json_u64(o, "iops_max", &iops, err) ||
	    pfs_restore_json_u64(o, "bps_max", &bps, err) ||
	    pfs_restore_json_u64(o, "created", &ctime, err))
		return -1;
	if (weight > UINT32_MAX)
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: image %s has an invalid weight", name);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->start = cpu_to_le64(start);
	e->length = cpu_to_le64(len);
	e->weight = cpu_to_le32((uint32_t)weight);
	e->iops_max = cpu_to_le64(iops);
	e->bps_max = cpu_to_le64(bps);
	e->ctime = cpu_to_le64(ctime);
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
	return pfs_restore_copy(o, e, err);
}

/* The highest generation any table copy of pool @uuid on @dev claims. */
static uint64_t pfs_restore_copies_generation(const char *dev, const uint8_t *uuid)
{
	struct pfs_table_header h;
	uint64_t best = 0;
	int fd = open(dev, O_RDONLY | O_CLOEXEC), i;

	for (i = 0; fd >= 0 && i < 2; i++)
		if (pread(fd, &h, sizeof(h), (off_t)PFS_TABLE_OFFSET(i) << PFS_SECTOR_SHIFT) ==
		    (ssize_t)sizeof(h) && !memcmp(h.magic, PFS_TABLE_MAGIC, PFS_MAGIC_LEN) &&
		    !memcmp(h.pool_uuid, uuid, PFS_UUID_LEN) && le64_to_cpu(h.generation) > best)
			best = le64_to_cpu(h.generation);
	if (fd >= 0)
		close(fd);
	return best;
}

/*
 * What restore would overwrite on @dev: another tool's data is refused, and
 * so is another pool (by UUID), unless --force. Returns the generation the
 * restored table needs to win over what a pool of the same UUID left there.
 */
static int pfs_restore_target(const char *dev, const uint8_t *uuid, bool force,
				 uint64_t *generation, struct pfs_error *err)
{
	struct pfs_error ignored = { 0 };
	struct pfs_pool_handle *pool;
	char what[128];
	int found, i;

	*generation = 1;
	if (!pfs_pool_open(dev, PFS_OPEN_READ, &pool, &ignored)) {
		if (memcmp(pool->sb->pool_uuid, uuid, PFS_UUID_LEN) && !force) {
			pfs_pool_close(pool);
			return pfs_fail(err, PFS_EXIT_BUSY,
					"%s holds another pool than the dump's; use --force to replace it",
					dev);
		}
		for (i = 0; i < 2; i++)
			if (!pool->copy_why[i] &&
			    le64_to_cpu(pool->copy[i]->generation) >= *generation)
				*generation = le64_to_cpu(pool->copy[i]->generation) + 1;
		pfs_pool_close(pool);
		return 0;
	}
	/* No loadable pool: a damaged one (restore's case) or something else. */
	found = pfs_probe_signature(dev, what, sizeof(what), err);
	if (found < 0)
		return -1;
	if (found && strcmp(what, "dm-pfs pool") && !force)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s already holds data (%s); use --force to overwrite it", dev, what);
	/* A damaged pool of this UUID may still hold a valid copy: outrank it. */
	*generation = pfs_restore_copies_generation(dev, uuid) + 1;
	return 0;
}

int pfs_restore(const char *dev, const char *file, bool force, unsigned int *images_out,
		struct pfs_error *err)
{
	struct json_object *root, *sbj, *images, *shared;
	struct pfs_format_opts fo = { 0 };
	struct pfs_table_header *table;
	uint8_t pool_uuid[PFS_UUID_LEN];
	struct pfs_pool_handle view = { 0 };
	struct pfs_superblock sb;
	uint64_t version, n, i;
	const char *why;
	int r = -1;

	root = json_object_from_file(file);
	if (!root)
		return pfs_fail(err, PFS_EXIT_ARGS, "cannot parse %s: %s", file,
				json_util_get_last_err());
	if (!json_object_object_get_ex(root, "superblock", &sbj) ||
	    !json_object_object_get_ex(root, "images", &images) ||
	    !json_object_is_type(images, json_type_array)) {
		pfs_fail(err, PFS_EXIT_ARGS, "%s is not a pfsadm dump", file);
		goto out;
	}
	if (pfs_restore_json_u64(sbj, "version", &version, err) ||
	    pfs_restore_json_uuid(sbj, "pool_uuid", pool_uuid, err) ||
	    pfs_restore_json_u64(sbj, "align_sectors", &fo.align_sectors, err) ||
	    pfs_restore_json_u64(sbj, "device_sectors", &fo.device_sectors, err) ||
	    pfs_restore_json_u64(sbj, "format_time", &fo.now, err))
		goto out;
	if (version < PFS_FORMAT_VERSION_MIN || version > PFS_FORMAT_VERSION) {
		pfs_fail(err, PFS_EXIT_ARGS, "dump has format version %llu; this pfsadm reads %d to %d",
			 (unsigned long long)version, PFS_FORMAT_VERSION_MIN, PFS_FORMAT_VERSION);
		goto out;
	}
	/* A shared pool comes back shared (its lease area where it was), or not at all. */
	if (json_object_object_get_ex(sbj, "shared", &shared) &&
	    json_object_get_boolean(shared)) {
		struct pfs_conf conf;

		if (pfs_shared_can_format(&conf, err))
			goto out;
		fo.shared = true;
		fo.lease_io_timeout = conf.lease_io_timeout;
	}
	n = json_object_array_length(images);
	if (n > PFS_MAX_IMAGES || !fo.align_sectors || fo.align_sectors > (1ULL << 21)) {
		pfs_fail(err, PFS_EXIT_ARGS, "dump: invalid image count or alignment");
		goto out;
	}
	fo.pool_uuid = pool_uuid;
	/* Build and validate everything before touching the device. */
	table = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	if (!table) {
		pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (pfs_restore_image(json_object_array_get_idx(images, i),
					 &pfs_table_entries(table)[i], err))
			goto out_table;
	if (pfs_sb_init(&sb, &fo, fo.device_sectors, err))
		goto out_table;
	/*
	 * Whatever the dump says of free space is as old as the dump: since
	 * then an image may have come and gone there. All of it is dirty.
	 */
	view.sb = &sb;
	view.table = table;
	if (pfs_free_gaps_dirty(&view)) {
		pfs_fail(err, PFS_EXIT_ARGS, "dump: too many free extents");
		goto out_table;
	}
	pfs_table_seal(&sb, table, 1);
	if (pfs_table_validate(&sb, table, &why)) {
		pfs_fail(err, PFS_EXIT_ARGS, "dump describes an invalid table: %s", why);
		goto out_table;
	}
	/*
	 * One crash-safe sequence, under the pool's lock: format writes the
	 * dumped table into copy 1, then the superblock, then copy 0, each
	 * flushed (see pfs_pool_format).
	 */
	if (pfs_restore_target(dev, pool_uuid, force, &fo.generation, err))
		goto out_table;
	fo.table = table;
	if (!pfs_pool_format(dev, &fo, err)) {
		*images_out = (unsigned int)n;
		r = 0;
	}
out_table:
	free(table);
out:
	json_object_put(root);
	return r;
}
