/* SPDX-License-Identifier: GPL-2.0 */
/* JSON renderings of images with their live state, with json-c. */
#ifndef PFSADM_JSON_H
#define PFSADM_JSON_H

#include "metadata-json.h"

/*
 * Every --json report is one object: {"version": PFSADM_JSON_VERSION,
 * "pool": {"device", "uuid"}, ...} (pools: "pools" instead). Within one
 * version fields are only ever added (docs/pfsadm.md).
 */
#define PFSADM_JSON_VERSION	1

/* An image's metadata, its state here (state, active, open_count) and its device. */
struct json_object *pfs_json_image(const struct pfs_pool_handle *pool,
				   const struct pfs_image_entry *e);
/* A report's envelope: the version and, with @pool, which pool it is of. */
struct json_object *pfs_json_report(const struct pfs_pool_handle *pool);
/* Print and release @obj. */
void pfs_json_print(struct json_object *obj);

#endif /* PFSADM_JSON_H */
