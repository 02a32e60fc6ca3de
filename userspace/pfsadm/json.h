/* SPDX-License-Identifier: GPL-2.0 */
/* JSON renderings of images with their live state, with json-c. */
#ifndef PFSADM_JSON_H
#define PFSADM_JSON_H

#include "metadata-json.h"

/* An image's metadata, and whether it is active here, open, and its device. */
struct json_object *pfs_json_image(const struct pfs_pool_handle *pool,
				   const struct pfs_image_entry *e);
/* Print and release @obj. */
void pfs_json_print(struct json_object *obj);

#endif /* PFSADM_JSON_H */
