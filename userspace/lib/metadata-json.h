/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pool's metadata as JSON (json-c): what `pfsadm dump` prints, what
 * `pfsadm restore` reads, and what the archive keeps. Metadata only: live
 * state (active, open) is the caller's to add.
 */
#ifndef PFS_METADATA_JSON_H
#define PFS_METADATA_JSON_H

#include <json-c/json.h>

#include "pool.h"

struct json_object *pfs_json_entry(const struct pfs_image_entry *e);
struct json_object *pfs_json_superblock(const struct pfs_superblock *sb);
/* The table's free-space records: start, sectors, "dirty" or "busy". */
struct json_object *pfs_json_free_records(const struct pfs_table_header *t);
/* Superblock, generation, every image and the free-space records. */
struct json_object *pfs_json_metadata(const struct pfs_pool_handle *pool);

#endif /* PFS_METADATA_JSON_H */
