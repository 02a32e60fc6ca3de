/* SPDX-License-Identifier: GPL-2.0 */
/* JSON renderings of pool metadata, with json-c. */
#ifndef PFSADM_JSON_H
#define PFSADM_JSON_H

#include <json-c/json.h>

#include "pool.h"

struct json_object *pfs_json_image(const struct pfs_pool *pool,
				   const struct pfs_image_entry *e);
struct json_object *pfs_json_superblock(const struct pfs_superblock *sb);
/* Print and release @obj. */
void pfs_json_print(struct json_object *obj);

#endif /* PFSADM_JSON_H */
