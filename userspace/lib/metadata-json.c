// SPDX-License-Identifier: GPL-2.0
#include <uuid/uuid.h>

#include "lease.h"
#include "metadata-json.h"

static struct json_object *pfs_json_uuid(const uint8_t *uuid)
{
	char text[37];

	uuid_unparse_lower(uuid, text);
	return json_object_new_string(text);
}

static void pfs_json_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

struct json_object *pfs_json_entry(const struct pfs_image_entry *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(e->name));
	json_object_object_add(o, "uuid", pfs_json_uuid(e->uuid));
	pfs_json_u64(o, "start_sector", le64_to_cpu(e->start));
	pfs_json_u64(o, "sectors", le64_to_cpu(e->length));
	pfs_json_u64(o, "size_bytes", le64_to_cpu(e->length) << PFS_SECTOR_SHIFT);
	pfs_json_u64(o, "weight", le32_to_cpu(e->weight));
	pfs_json_u64(o, "iops_max", le64_to_cpu(e->iops_max));
	pfs_json_u64(o, "bps_max", le64_to_cpu(e->bps_max));
	pfs_json_u64(o, "created", le64_to_cpu(e->ctime));
	pfs_json_u64(o, "flags", le32_to_cpu(e->flags));
	/* A copy under way: restore must bring it back, or data is lost. */
	json_object_object_add(o, "moving",
			       json_object_new_boolean(le32_to_cpu(e->flags) & PFS_IMAGE_MOVING));
	json_object_object_add(o, "moving_back",
			       json_object_new_boolean(le32_to_cpu(e->flags) & PFS_IMAGE_MOVING_BACK));
	json_object_object_add(o, "cloning",
			       json_object_new_boolean(le32_to_cpu(e->flags) & PFS_IMAGE_CLONING));
	json_object_object_add(o, "clone_being_made",
			       json_object_new_boolean(le32_to_cpu(e->flags) & PFS_IMAGE_CLONE));
	json_object_object_add(o, "moving_to_pool",
			       json_object_new_boolean(le32_to_cpu(e->flags) & PFS_IMAGE_TO_POOL));
	json_object_object_add(o, "incoming",
			       json_object_new_boolean(le32_to_cpu(e->flags) & PFS_IMAGE_INCOMING));
	if (le32_to_cpu(e->flags) & PFS_IMAGE_POOL_MOVE)
		json_object_object_add(o, "copy_pool", pfs_json_uuid(e->copy_pool));
	if (le32_to_cpu(e->flags) & PFS_IMAGE_COPYING) {
		pfs_json_u64(o, "copy_dest_sector", le64_to_cpu(e->copy_dest));
		pfs_json_u64(o, "copy_done_sectors", le64_to_cpu(e->copy_done));
		pfs_json_u64(o, "copy_region_sectors", le32_to_cpu(e->copy_region));
	}
	return o;
}

struct json_object *pfs_json_free_records(const struct pfs_table_header *t)
{
	struct json_object *arr = json_object_new_array();
	uint32_t i, n = le32_to_cpu(t->nr_free_records);

	for (i = 0; i < n && i < PFS_MAX_FREE_RECORDS; i++) {
		struct json_object *o = json_object_new_object();

		pfs_json_u64(o, "start_sector", le64_to_cpu(t->free[i].start));
		pfs_json_u64(o, "sectors", le64_to_cpu(t->free[i].length));
		json_object_object_add(o, "state", json_object_new_string(
			le32_to_cpu(t->free[i].flags) == PFS_FREE_BUSY ? "busy" : "dirty"));
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *pfs_json_superblock(const struct pfs_superblock *sb)
{
	struct json_object *o = json_object_new_object();

	pfs_json_u64(o, "version", le32_to_cpu(sb->version));
	json_object_object_add(o, "pool_uuid", pfs_json_uuid(sb->pool_uuid));
	pfs_json_u64(o, "device_sectors", le64_to_cpu(sb->device_sectors));
	pfs_json_u64(o, "align_sectors", le64_to_cpu(sb->align_sectors));
	pfs_json_u64(o, "data_start", le64_to_cpu(sb->data_start));
	pfs_json_u64(o, "max_images", le32_to_cpu(sb->max_images));
	pfs_json_u64(o, "format_time", le64_to_cpu(sb->format_time));
	json_object_object_add(o, "shared", json_object_new_boolean(pfs_pool_is_shared(sb)));
	return o;
}

struct json_object *pfs_json_metadata(const struct pfs_pool_handle *pool)
{
	struct json_object *root = json_object_new_object();
	struct json_object *images = json_object_new_array();
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	unsigned int i;

	json_object_object_add(root, "superblock", pfs_json_superblock(pool->sb));
	pfs_json_u64(root, "generation", pfs_pool_generation(pool));
	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if (le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE)
			json_object_array_add(images, pfs_json_entry(&e[i]));
	json_object_object_add(root, "images", images);
	json_object_object_add(root, "free_records", pfs_json_free_records(pool->table));
	return root;
}
