// SPDX-License-Identifier: GPL-2.0
/* Reporting and activation: pools, list, show, activate, deactivate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "freespace.h"
#include "held.h"
#include "image.h"
#include "image-lease.h"
#include "json.h"
#include "lease.h"
#include "lock.h"
#include "owner.h"
#include "pfsadm.h"
#include "probe.h"
#include "report.h"
#include "size.h"

static void pfsadm_list_free(const struct pfs_pool_handle *pool, bool json)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;
	unsigned int frag = pfs_fragmentation(gaps, n);
	uint64_t total = 0, dirty = 0, d;
	char b[32], b2[32];

	if (json) {
		struct json_object *root = pfs_json_report(pool);
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

/* A cap as an admin reads it: "-" for none. */
static const char *pfsadm_cap(uint64_t v, bool bytes, char *buf, unsigned int len)
{
	if (!v)
		return "-";
	if (!bytes) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	pfs_format_size(v, buf, len - 2);
	strcat(buf, "/s");
	return buf;
}

/* The pool's images with their state, in table order, into @rows. */
static unsigned int pfsadm_rows(const struct pfs_pool_handle *pool, struct pfsadm_row *rows)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	unsigned int i, n = 0;

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			continue;
		rows[n].e = &e[i];
		rows[n].state = pfs_image_state(pool, &e[i], &rows[n].open_count);
		rows[n].copy_done = pfs_image_copy_done(pool, &e[i]);
		pfs_image_holders(pool, &e[i], rows[n].host, sizeof(rows[n].host));
		n++;
	}
	return n;
}

static int pfsadm_list_opt(int c, struct pfsadm_report *r, struct pfs_error *err)
{
	switch (c) {
	case 'o':
		return pfsadm_report_columns(r, optarg, err);
	case 's':
		return pfsadm_report_sort(r, optarg, err);
	case 'u':
		r->unit = pfs_parse_units(optarg);
		if (!r->unit)
			return pfs_fail(err, PFS_EXIT_ARGS,
					"unknown unit '%s'; units: h, b, s, k, m, g, t, p, e",
					optarg);
		return 0;
	case 'S':
		r->suffix = false;
		return 0;
	case 'H':
		r->headings = false;
		return 0;
	default:
		return 0;
	}
}

int cmd_list(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "free", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "names", no_argument, NULL, 'n' },
		{ "options", required_argument, NULL, 'o' },
		{ "sort", required_argument, NULL, 's' },
		{ "units", required_argument, NULL, 'u' },
		{ "nosuffix", no_argument, NULL, 'S' },
		{ "noheadings", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("list");
	static struct pfsadm_row rows[PFS_MAX_IMAGES];
	bool json = false, free_only = false, names = false, columns = false;
	struct pfsadm_report report;
	struct json_object *arr;
	struct pfs_pool_handle *pool;
	unsigned int i, n;
	int c, code = 0;

	pfsadm_report_init(&report);
	while ((c = pfsadm_getopt(argc, argv, "o:", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		json |= c == 'j';
		free_only |= c == 'f';
		names |= c == 'n';
		columns |= c == 'o';
		if (pfsadm_list_opt(c, &report, err))
			return -1;
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
	/* A shared pool says which host runs each image. */
	if (!columns && pfs_pool_is_shared(pool->sb))
		pfsadm_report_columns(&report, "+host", err);
	n = pfsadm_rows(pool, rows);
	if (json) {
		struct json_object *root = pfs_json_report(pool);

		arr = json_object_new_array();
		pfsadm_report_sort_rows(&report, rows, n);
		for (i = 0; i < n; i++)
			json_object_array_add(arr, pfs_json_image(pool, rows[i].e));
		json_object_object_add(root, "images", arr);
		pfs_json_print(root);
	} else if (names) {
		pfsadm_report_sort_rows(&report, rows, n);
		for (i = 0; i < n; i++)
			puts(rows[i].e->name);
	} else {
		pfsadm_report_print(&report, rows, n, stdout);
	}
	pfs_pool_close(pool);
	return 0;
}

/* One image in words: sizes with their sectors, time in ISO 8601. */

/* The entry's flags by name, and a copy under way with its destination. */
static void pfsadm_show_flags(const struct pfs_image_entry *e)
{
	static const struct { uint32_t flag; const char *name; } names[] = {
		{ PFS_IMAGE_IN_USE, "in-use" }, { PFS_IMAGE_MOVING, "moving" },
		{ PFS_IMAGE_MOVING_BACK, "moving-back" }, { PFS_IMAGE_CLONING, "cloning" },
		{ PFS_IMAGE_CLONE, "clone-being-made" }, { PFS_IMAGE_TO_POOL, "moving-to-pool" },
		{ PFS_IMAGE_INCOMING, "incoming" },
	};
	char pool[37];
	uint32_t flags = le32_to_cpu(e->flags), known = 0;
	unsigned int i;

	printf("flags      ");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		known |= names[i].flag;
		if (flags & names[i].flag)
			printf("%s%s", flags & (names[i].flag - 1) ? "," : "", names[i].name);
	}
	printf("%s\n", flags & ~known ? ",unknown" : "");
	uuid_unparse_lower(e->copy_pool, pool);
	if (flags & PFS_IMAGE_TO_POOL)
		printf("copy       to pool %s at sector %llu, committed up to sector %llu of the image\n",
		       pool, (unsigned long long)le64_to_cpu(e->copy_dest),
		       (unsigned long long)le64_to_cpu(e->copy_done));
	else if (flags & PFS_IMAGE_INCOMING)
		printf("copy       from pool %s\n", pool);
	else if (flags & PFS_IMAGE_COPYING)
		printf("copy       to sector %llu, committed up to sector %llu of the image\n",
		       (unsigned long long)le64_to_cpu(e->copy_dest),
		       (unsigned long long)le64_to_cpu(e->copy_done));
}
static void pfsadm_show_words(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e)
{
	uint64_t start = le64_to_cpu(e->start), len = le64_to_cpu(e->length);
	time_t created = (time_t)le64_to_cpu(e->ctime);
	enum pfs_image_state state;
	char b[32], b2[32], uuid[37], when[32], link[PFS_NAME_LEN + 16];
	int open_count;

	uuid_unparse_lower(e->uuid, uuid);
	state = pfs_image_state(pool, e, &open_count);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&created));
	printf("name       %s\n", e->name);
	printf("uuid       %s\n", uuid);
	snprintf(link, sizeof(link), "/dev/pfs/%s", e->name);
	printf("device     /dev/mapper/" PFS_DM_PREFIX "%s%s%s%s\n", e->name,
	       access(link, F_OK) ? "" : " (", access(link, F_OK) ? "" : link,
	       access(link, F_OK) ? "" : ")");
	if (state == PFS_IMAGE_OPEN)
		printf("state      open (%d opener%s)\n", open_count, open_count == 1 ? "" : "s");
	else
		printf("state      %s\n", pfs_image_state_name(state));
	printf("size       %s (%llu sectors)\n", pfs_format_size(len << PFS_SECTOR_SHIFT, b, sizeof(b)),
	       (unsigned long long)len);
	printf("start      %s into %s (sector %llu)\n",
	       pfs_format_size(start << PFS_SECTOR_SHIFT, b, sizeof(b)), pool->path,
	       (unsigned long long)start);
	printf("end        %s (sector %llu, exclusive)\n",
	       pfs_format_size((start + len) << PFS_SECTOR_SHIFT, b2, sizeof(b2)),
	       (unsigned long long)(start + len));
	printf("weight     %u\n", le32_to_cpu(e->weight));
	printf("iops_max   %s\n", le64_to_cpu(e->iops_max) ?
	       pfsadm_cap(le64_to_cpu(e->iops_max), false, b, sizeof(b)) : "none");
	printf("bps_max    %s\n", le64_to_cpu(e->bps_max) ?
	       pfsadm_cap(le64_to_cpu(e->bps_max), true, b, sizeof(b)) : "none");
	printf("created    %s\n", when);
	pfsadm_show_flags(e);
}

int cmd_show(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("show");
	const struct pfs_image_entry *e;
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
	if (json) {
		struct json_object *root = pfs_json_report(pool);

		json_object_object_add(root, "image", pfs_json_image(pool, e));
		pfs_json_print(root);
	} else {
		pfsadm_show_words(pool, e);
	}
	pfs_pool_close(pool);
	return 0;
}

/* One pool's line (or object) in pfsadm pools. */
static void pfsadm_pool_summary(const struct pfs_pool_handle *pool, struct json_object *arr)
{
	struct pfs_pool_usage u;
	char uuid[37], sz[32], used[32], fr[32], big[32];
	bool calibrated = le32_to_cpu(pool->sb->version) >= 3 && pool->sb->cost.calibrate_time;

	pfs_pool_usage(pool, &u);
	uuid_unparse_lower(pool->sb->pool_uuid, uuid);
	if (arr) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(pool->path));
		json_object_object_add(o, "uuid", json_object_new_string(uuid));
		json_object_object_add(o, "format_version",
				       json_object_new_int((int)le32_to_cpu(pool->sb->version)));
		json_object_object_add(o, "data_bytes",
				       json_object_new_uint64(u.data_sectors << PFS_SECTOR_SHIFT));
		json_object_object_add(o, "used_bytes",
				       json_object_new_uint64(u.used_sectors << PFS_SECTOR_SHIFT));
		json_object_object_add(o, "free_bytes",
				       json_object_new_uint64(u.free_sectors << PFS_SECTOR_SHIFT));
		json_object_object_add(o, "largest_free_bytes",
				       json_object_new_uint64(u.largest_free << PFS_SECTOR_SHIFT));
		json_object_object_add(o, "dirty_bytes",
				       json_object_new_uint64(u.dirty_sectors << PFS_SECTOR_SHIFT));
		json_object_object_add(o, "free_extents", json_object_new_int((int)u.free_extents));
		json_object_object_add(o, "fragmentation_percent",
				       json_object_new_int((int)u.fragmentation));
		json_object_object_add(o, "images", json_object_new_int((int)u.images));
		json_object_object_add(o, "max_images", json_object_new_int((int)u.max_images));
		json_object_object_add(o, "calibrated", json_object_new_boolean(calibrated));
		json_object_array_add(arr, o);
		return;
	}
	printf("%-20s %9s %9s %9s %9s %6u/%-4u %2u %-3s %s\n", pool->path,
	       pfs_format_size(u.data_sectors << PFS_SECTOR_SHIFT, sz, sizeof(sz)),
	       pfs_format_size(u.used_sectors << PFS_SECTOR_SHIFT, used, sizeof(used)),
	       pfs_format_size(u.free_sectors << PFS_SECTOR_SHIFT, fr, sizeof(fr)),
	       pfs_format_size(u.largest_free << PFS_SECTOR_SHIFT, big, sizeof(big)),
	       u.images, u.max_images, le32_to_cpu(pool->sb->version),
	       calibrated ? "yes" : "no", uuid);
}

int cmd_pools(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("pools");
	char paths[64][PFS_PATH_LEN];
	struct json_object *root = NULL, *arr = NULL;
	struct pfs_pool_handle *pool;
	unsigned int n = 1, i;
	int c, code = 0, failed = 0;
	bool json = false;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		json |= c == 'j';
	}
	if (optind != argc)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm pools %s", cmd->usage);
	/* The chosen pool, else every pool found. */
	if (pfs_pool_requested(pfsadm_pool)) {
		if (pfs_find_pool(pfsadm_pool, paths[0], sizeof(paths[0]), err))
			return -1;
	} else if (pfs_scan_pools(paths, 64, &n, err)) {
		return -1;
	}
	if (json) {
		root = pfs_json_report(NULL);
		arr = json_object_new_array();
	} else {
		printf("%-20s %9s %9s %9s %9s %11s %2s %-3s %s\n", "POOL", "SIZE", "USED", "FREE",
		       "LARGEST", "IMAGES", "V", "CAL", "UUID");
	}
	for (i = 0; i < n && i < 64; i++) {
		struct pfs_error one = { 0 };

		if (pfs_pool_open(paths[i], PFS_OPEN_READ, &pool, &one)) {
			fprintf(stderr, "pfsadm pools: %s\n", one.msg);
			if (!failed)
				*err = one;
			failed = -1;
			continue;
		}
		pfsadm_pool_summary(pool, arr);
		pfs_pool_close(pool);
	}
	if (json) {
		json_object_object_add(root, "pools", arr);
		pfs_json_print(root);
	}
	return failed;
}

/* activate --shared: a shared lease, for a live migration's two hosts. */
static bool pfsadm_lease_shared;

/* An image --all covers: a clone or an incoming image has no device of its own yet. */
static bool pfsadm_all_covers(const struct pfs_image_entry *e)
{
	return (le32_to_cpu(e->flags) & PFS_IMAGE_IN_USE) &&
	       !(le32_to_cpu(e->flags) & (PFS_IMAGE_CLONE | PFS_IMAGE_INCOMING));
}

/*
 * activate --all in a shared pool (a boot): the images this host ran when
 * it stopped, unless another host has taken one over since (then it is
 * that host's, and forgotten here). Not waiting on a lease: at boot, a
 * lease held elsewhere is another host's image.
 */
static int pfsadm_activate_held(struct pfs_pool_handle *pool,
				int (*activate)(const struct pfs_pool_handle *,
						const struct pfs_image_entry *, struct pfs_error *),
				struct pfs_error *err)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	unsigned int wait = pfs_lock_get_wait();
	struct pfs_error ignored = { 0 };
	int i, joined, held = 0, failed = 0;

	pfs_held_prune(pool);
	for (i = 0; i < PFS_MAX_IMAGES; i++)
		held += pfsadm_all_covers(&e[i]) && pfs_held_has(pool, &e[i]);
	if (!held)
		return 0;
	/* Early in a boot sanlock is not up yet: pfs-activate-shared comes later. */
	joined = pfs_lease_daemon_ok(&ignored) ? 0 : pfs_lease_joined(pool->sb, err);
	if (joined < 0) {
		fprintf(stderr, "pfsadm activate: %s\n", err->msg);
		return -1;
	}
	if (!joined) {
		fprintf(stderr, "pfsadm activate: %s: %d image%s of this shared pool ran here; activated once this host joins its lockspace (pfsadm lock-start; pfs-activate-shared.service)\n",
			pool->path, held, held == 1 ? "" : "s");
		return 0;
	}
	pfs_lock_set_wait(0);
	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		struct pfs_error one = { 0 };
		uint64_t other;

		if (!pfsadm_all_covers(&e[i]) || !pfs_held_has(pool, &e[i]))
			continue;
		/* Mapped here (shared for a migration, say): this host's to keep. */
		if (!pfs_image_maps_here(pool, &e[i]) &&
		    !pfs_image_lease_other(pool, &e[i], &other, &one) && other) {
			fprintf(stderr, "pfsadm activate: %s runs on host %llu now; not activated here\n",
				e[i].name, (unsigned long long)other);
			if (!pfs_held_drop(pool, &e[i], &one))
				continue;
		}
		if (one.msg[0] || activate(pool, &e[i], &one)) {
			fprintf(stderr, "pfsadm activate: %s\n", one.msg);
			if (!failed)
				*err = one;
			failed = -1;
		}
	}
	pfs_lock_set_wait(wait);
	return failed;
}

/* Run @fn on every image of one pool; carry on past failures, report each. */
static int pfsadm_all_images(struct pfs_pool_handle *pool, const char *cmd_name,
			     int (*fn)(const struct pfs_pool_handle *, const struct pfs_image_entry *,
				       struct pfs_error *),
			     struct pfs_error *err)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	int i, failed = 0;

	/* Not every image of a shared pool is this host's to run. */
	if (!strcmp(cmd_name, "activate") && pfs_pool_is_shared(pool->sb))
		return pfsadm_activate_held(pool, fn, err);
	/* Nor any of another host's pool (a disk moved here, a LUN seen by two). */
	if (!strcmp(cmd_name, "activate") && !pfs_owner_is_here(pool->sb)) {
		struct pfs_error why = { 0 };

		pfs_owner_check(pool, &why);
		fprintf(stderr, "pfsadm activate: skipped: %s\n", why.msg);
		return 0;
	}
	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		struct pfs_error one = { 0 };

		if (!pfsadm_all_covers(&e[i]))
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
		{ "shared", no_argument, NULL, 's' },
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
		if (c == 's' && strcmp(cmd_name, "activate"))
			return pfs_fail(err, PFS_EXIT_ARGS, "pfsadm %s has no --shared", cmd_name);
		pfsadm_lease_shared |= c == 's';
	}
	if (pfsadm_lease_shared && all)
		return pfs_fail(err, PFS_EXIT_ARGS, "activate --shared takes one NAME, not --all");
	if (all ? optind != argc : optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm %s %s", cmd->name, cmd->usage);
	/* --all: every pool, unless one is named (pfs.conf's default is not). */
	if (all && !pfs_pool_named(pfsadm_pool))
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
	int own;

	/* A clone being made: refused by name, before its source's map is. */
	if (le32_to_cpu(e->flags) & (PFS_IMAGE_CLONE | PFS_IMAGE_INCOMING))
		return pfs_image_activate(pool, e, err);
	own = pfs_image_own_device(pool, e, err);
	/* Active here already: in a shared pool, its lease may change mode. */
	if (own)
		return own > 0 ? pfs_image_reclaim(pool, e, pfsadm_lease_shared, err) : -1;
	/* Mapped under another name (by hand, through another path): no. */
	if (pfs_image_check_unmapped(pool, e, le64_to_cpu(e->start), le64_to_cpu(e->length), err) ||
	    pfs_image_activate_mode(pool, e, pfsadm_lease_shared, err))
		return -1;
	pfs_image_remember(pool, e);
	printf("/dev/mapper/" PFS_DM_PREFIX "%s\n", e->name);
	return 0;
}

static int pfsadm_deactivate_one(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
				 struct pfs_error *err)
{
	int own = pfs_image_own_device(pool, e, err);

	return own > 0 ? pfs_image_deactivate(pool, e, err) : own;
}

int cmd_activate(int argc, char **argv, struct pfs_error *err)
{
	return pfsadm_each_image(argc, argv, "activate", pfsadm_activate_one, err);
}

int cmd_deactivate(int argc, char **argv, struct pfs_error *err)
{
	return pfsadm_each_image(argc, argv, "deactivate", pfsadm_deactivate_one, err);
}
