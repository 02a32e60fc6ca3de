// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <uuid/uuid.h>

#include "image.h"
#include "image-lease.h"
#include "json.h"
#include "lease.h"

struct json_object *pfs_json_image(const struct pfs_pool_handle *pool,
				   const struct pfs_image_entry *e)
{
	struct json_object *o = pfs_json_entry(e);
	char dev[PFS_NAME_LEN + 24];
	int open_count;
	enum pfs_image_state state = pfs_image_state(pool, e, &open_count);
	bool active = state != PFS_IMAGE_INACTIVE && state != PFS_IMAGE_FOREIGN;

	json_object_object_add(o, "active", json_object_new_boolean(active));
	json_object_object_add(o, "state", json_object_new_string(pfs_image_state_name(state)));
	json_object_object_add(o, "open_count", json_object_new_int(open_count));
	snprintf(dev, sizeof(dev), "/dev/mapper/" PFS_DM_PREFIX "%s", e->name);
	json_object_object_add(o, "device", json_object_new_string(dev));
	if (pfs_pool_is_shared(pool->sb)) {
		char host[64];

		pfs_image_holders(pool, e, host, sizeof(host));
		json_object_object_add(o, "host", json_object_new_string(host));
	}
	return o;
}

struct json_object *pfs_json_report(const struct pfs_pool_handle *pool)
{
	struct json_object *root = json_object_new_object(), *o;
	char uuid[37];

	json_object_object_add(root, "version", json_object_new_int(PFSADM_JSON_VERSION));
	if (pool) {
		o = json_object_new_object();
		json_object_object_add(o, "device", json_object_new_string(pool->path));
		uuid_unparse_lower(pool->sb->pool_uuid, uuid);
		json_object_object_add(o, "uuid", json_object_new_string(uuid));
		json_object_object_add(o, "shared", json_object_new_boolean(pfs_pool_is_shared(pool->sb)));
		json_object_object_add(root, "pool", o);
	}
	return root;
}

void pfs_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}
