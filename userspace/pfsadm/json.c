// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "image.h"
#include "json.h"

struct json_object *pfs_json_image(const struct pfs_pool_handle *pool,
				   const struct pfs_image_entry *e)
{
	struct json_object *o = pfs_json_entry(e);
	char dev[PFS_NAME_LEN + 24];
	int open_count = 0;
	bool active = pfs_image_maps_here(pool, e) && pfs_image_active(e, &open_count);

	json_object_object_add(o, "active", json_object_new_boolean(active));
	json_object_object_add(o, "open_count", json_object_new_int(open_count));
	snprintf(dev, sizeof(dev), "/dev/mapper/" PFS_DM_PREFIX "%s", e->name);
	json_object_object_add(o, "device", json_object_new_string(dev));
	return o;
}

void pfs_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}
