// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <uuid/uuid.h>

#include "image.h"
#include "json.h"

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

struct json_object *pfs_json_image(const struct pfs_pool *pool,
				   const struct pfs_image_entry *e)
{
	struct json_object *o = json_object_new_object();
	char dev[PFS_NAME_LEN + 24];
	int open_count = 0;
	bool active = pfs_image_maps_here(pool, e) && pfs_image_active(e, &open_count);

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
	json_object_object_add(o, "active", json_object_new_boolean(active));
	json_object_object_add(o, "open_count", json_object_new_int(open_count));
	snprintf(dev, sizeof(dev), "/dev/mapper/" PFS_DM_PREFIX "%s", e->name);
	json_object_object_add(o, "device", json_object_new_string(dev));
	return o;
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
	return o;
}

void pfs_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}
