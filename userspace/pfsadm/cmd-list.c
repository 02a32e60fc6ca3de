// SPDX-License-Identifier: GPL-2.0
/* Reporting and activation: list, show, activate, deactivate. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "freespace.h"
#include "image.h"
#include "json.h"
#include "pfsadm.h"
#include "probe.h"
#include "size.h"

static void pfsadm_list_free(const struct pfs_pool_handle *pool, bool json)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;
	unsigned int frag = pfs_fragmentation(gaps, n);
	uint64_t total = 0, dirty = 0, d;
	char b[32], b2[32];

	if (json) {
		struct json_object *root = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "start_sector", json_object_new_uint64(gaps[i].start));
			json_object_object_add(o, "sectors", json_object_new_uint64(gaps[i].len));
			d = pfs_free_dirty_sectors(pool->table, gaps[i].start, gaps[i].len);
			json_object_object_add(o, "dirty_sectors", json_object_new_uint64(d));
			json_object_array_add(arr, o);
			total += gaps[i].len;
			dirty += d;
		}
		json_object_object_add(root, "free_extents", arr);
		json_object_object_add(root, "free_sectors", json_object_new_uint64(total));
		json_object_object_add(root, "dirty_sectors", json_object_new_uint64(dirty));
		json_object_object_add(root, "fragmentation_percent", json_object_new_int((int)frag));
		pfs_json_print(root);
		return;
	}
	printf("%-14s %-14s %-10s %s\n", "START", "SECTORS", "SIZE", "TO ZERO");
	for (i = 0; i < n; i++) {
		d = pfs_free_dirty_sectors(pool->table, gaps[i].start, gaps[i].len);
		printf("%-14llu %-14llu %-10s %s\n", (unsigned long long)gaps[i].start,
		       (unsigned long long)gaps[i].len,
		       pfs_format_size(gaps[i].len << PFS_SECTOR_SHIFT, b, sizeof(b)),
		       pfs_format_size(d << PFS_SECTOR_SHIFT, b2, sizeof(b2)));
		total += gaps[i].len;
		dirty += d;
	}
	printf("free: %s in %u extent%s, fragmentation %u%%, ", pfs_format_size(total << PFS_SECTOR_SHIFT, b, sizeof(b)), n, n == 1 ? "" : "s",
	       frag);
	printf("%s to be zeroed before reuse\n",
	       pfs_format_size(dirty << PFS_SECTOR_SHIFT, b, sizeof(b)));
}

int cmd_list(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "free", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "names", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("list");
	const struct pfs_image_entry *e;
	bool json = false, free_only = false, names = false;
	struct json_object *arr = NULL;
	struct pfs_pool_handle *pool;
	int c, i, code = 0;
	char b[32];

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		json |= c == 'j';
		free_only |= c == 'f';
		names |= c == 'n';
	}
	if (optind != argc)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm list %s", cmd->usage);
	if (pfsadm_open_pool(PFS_OPEN_READ, &pool, err))
		return -1;
	if (free_only) {
		pfsadm_list_free(pool, json);
		pfs_pool_close(pool);
		return 0;
	}
	if (json)
		arr = json_object_new_array();
	else if (!names)
		printf("%-20s %9s %14s %-8s %6s %9s %9s %s\n", "NAME", "SIZE", "START",
		       "STATE", "WEIGHT", "IOPS_MAX", "BPS_MAX", "DEVICE");
	e = pfs_table_entries(pool->table);
	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		if (json) {
			json_object_array_add(arr, pfs_json_image(pool, &e[i]));
			continue;
		}
		if (names) {
			puts(e[i].name);
			continue;
		}
		printf("%-20s %9s %14llu %-8s %6u %9llu %9llu /dev/mapper/" PFS_DM_PREFIX "%s\n",
		       e[i].name, pfs_format_size(le64_to_cpu(e[i].length) << 9, b, sizeof(b)),
		       (unsigned long long)le64_to_cpu(e[i].start),
		       pfs_image_maps_here(pool, &e[i]) ? "active" : "inactive",
		       le32_to_cpu(e[i].weight), (unsigned long long)le64_to_cpu(e[i].iops_max),
		       (unsigned long long)le64_to_cpu(e[i].bps_max), e[i].name);
	}
	if (json)
		pfs_json_print(arr);
	pfs_pool_close(pool);
	return 0;
}

int cmd_show(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("show");
	const struct pfs_image_entry *e;
	struct json_object *o;
	struct pfs_pool_handle *pool;
	bool json = false;
	int c, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		json |= c == 'j';
	}
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm show %s", cmd->usage);
	e = pfsadm_open_image(argv[optind], false, &pool, err);
	if (!e)
		return -1;
	o = pfs_json_image(pool, e);
	if (json) {
		pfs_json_print(o);
	} else {
		struct json_object_iterator it = json_object_iter_begin(o);
		struct json_object_iterator end = json_object_iter_end(o);

		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
			printf("%-13s %s\n", json_object_iter_peek_name(&it),
			       json_object_get_string(json_object_iter_peek_value(&it)));
		json_object_put(o);
	}
	pfs_pool_close(pool);
	return 0;
}

/* Run @fn on every image of one pool; carry on past failures, report each. */
static int pfsadm_all_images(struct pfs_pool_handle *pool, const char *cmd_name,
			     int (*fn)(const struct pfs_pool_handle *, const struct pfs_image_entry *,
				       struct pfs_error *),
			     struct pfs_error *err)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	int i, failed = 0;

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		struct pfs_error one = { 0 };

		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		if (fn(pool, &e[i], &one)) {
			fprintf(stderr, "pfsadm %s: %s\n", cmd_name, one.msg);
			if (!failed)
				*err = one;
			failed = -1;
		}
	}
	return failed;
}

/* --all with no pool chosen: every image of every pool found. */
static int pfsadm_all_pools(const char *cmd_name,
			    int (*fn)(const struct pfs_pool_handle *, const struct pfs_image_entry *,
				      struct pfs_error *),
			    struct pfs_error *err)
{
	char paths[64][PFS_PATH_LEN];
	struct pfs_pool_handle *pool;
	unsigned int n, i;
	int failed = 0;

	if (pfs_scan_pools(paths, 64, &n, err))
		return -1;
	for (i = 0; i < n && i < 64; i++) {
		struct pfs_error one = { 0 };

		if (pfs_pool_open(paths[i], PFS_OPEN_READ, &pool, &one)) {
			fprintf(stderr, "pfsadm %s: %s\n", cmd_name, one.msg);
			failed = -1;
			*err = one;
			continue;
		}
		if (pfsadm_all_images(pool, cmd_name, fn, err))
			failed = -1;
		pfs_pool_close(pool);
	}
	return failed;
}

/* Run @fn on NAME or, with --all, on every image. */
static int pfsadm_each_image(int argc, char **argv, const char *cmd_name,
			     int (*fn)(const struct pfs_pool_handle *, const struct pfs_image_entry *,
				       struct pfs_error *),
			     struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find(cmd_name);
	const struct pfs_image_entry *e;
	struct pfs_pool_handle *pool;
	int c, code = 0, failed;
	bool all = false;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		all |= c == 'a';
	}
	if (all ? optind != argc : optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm %s %s", cmd->name, cmd->usage);
	if (all && !pfs_pool_requested(pfsadm_pool))
		return pfsadm_all_pools(cmd_name, fn, err);
	if (all) {
		if (pfsadm_open_pool(PFS_OPEN_READ, &pool, err))
			return -1;
		failed = pfsadm_all_images(pool, cmd_name, fn, err);
	} else {
		e = pfsadm_open_image(argv[optind], false, &pool, err);
		if (!e)
			return -1;
		failed = fn(pool, e, err);
	}
	pfs_pool_close(pool);
	return failed;
}

static int pfsadm_activate_one(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			       struct pfs_error *err)
{
	int own = pfs_image_own_device(pool, e, err);

	if (own)
		return own > 0 ? 0 : -1;
	/* Mapped under another name (by hand, through another path): no. */
	if (pfs_image_check_unmapped(pool, e, le64_to_cpu(e->start), le64_to_cpu(e->length), err) ||
	    pfs_image_activate(pool, e, err))
		return -1;
	printf("/dev/mapper/" PFS_DM_PREFIX "%s\n", e->name);
	return 0;
}

static int pfsadm_deactivate_one(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
				 struct pfs_error *err)
{
	int own = pfs_image_own_device(pool, e, err);

	return own > 0 ? pfs_image_deactivate(e, err) : own;
}

int cmd_activate(int argc, char **argv, struct pfs_error *err)
{
	return pfsadm_each_image(argc, argv, "activate", pfsadm_activate_one, err);
}

int cmd_deactivate(int argc, char **argv, struct pfs_error *err)
{
	return pfsadm_each_image(argc, argv, "deactivate", pfsadm_deactivate_one, err);
}
