// SPDX-License-Identifier: GPL-2.0
/* Pool-wide commands: format, check, upgrade, dump, restore. */
#include <stdio.h>
#include <stdlib.h>
#include <uuid/uuid.h>
#include <string.h>
#include <unistd.h>

#include "freespace.h"
#include "grow-pool.h"
#include "json.h"
#include "pfsadm.h"
#include "pool-move.h"
#include "pool.h"
#include "probe.h"
#include "lease.h"
#include "owner.h"
#include "restore.h"
#include "shared.h"
#include "size.h"
#include "txn.h"
#include "upgrade.h"
#include "wipe.h"
#include "zero.h"

static int pfsadm_device_arg(int argc, const struct pfsadm_cmd *cmd,
			     struct pfs_error *err)
{
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "need exactly one DEVICE (usage: pfsadm %s %s)",
				cmd->name, cmd->usage);
	return 0;
}

/*
 * [DEVICE] as check, dump and upgrade take it: a path or UUID=<pool UUID>;
 * without it, the pool --pool, PFS_POOL or /etc/pfs.conf names, or the
 * only one found.
 */
static int pfsadm_pool_arg(int argc, char **argv, const struct pfsadm_cmd *cmd, char *path,
			   unsigned int len, struct pfs_error *err)
{
	if (optind < argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm %s %s", cmd->name, cmd->usage);
	if (optind == argc - 1)
		return pfs_resolve_pool(argv[optind], path, len, err);
	return pfs_find_pool(pfsadm_pool, path, len, err);
}

int cmd_format(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "align", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "shared", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct pfs_format_opts fo = { .align_sectors = PFS_DEFAULT_ALIGN_SECTORS };
	struct pfs_conf conf;
	const struct pfsadm_cmd *cmd = pfsadm_find("format");
	bool force = false;
	uint64_t bytes;
	char what[256];
	int c, clean, code = 0;
	const char *dev;
	struct pfs_pool_handle *pool;

	while ((c = pfsadm_getopt(argc, argv, "a:fs", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (c == 'a') {
			if (pfs_parse_size(optarg, &bytes) || bytes < PFS_BLOCK_SIZE ||
			    (bytes & (bytes - 1)) || bytes > (1ULL << 30))
				return pfs_fail(err, PFS_EXIT_ARGS,
						"invalid --align '%s': need a power of two from 4K to 1G",
						optarg);
			fo.align_sectors = bytes >> PFS_SECTOR_SHIFT;
		} else if (c == 'f') {
			force = true;
		} else if (c == 's') {
			fo.shared = true;
		}
	}
	if (pfsadm_device_arg(argc, cmd, err))
		return -1;
	dev = argv[optind];
	if (fo.shared) {
		if (pfs_shared_can_format(&conf, err))
			return -1;
		fo.lease_io_timeout = conf.lease_io_timeout;
	}
	if (!force) {
		int found = pfs_probe_signature(dev, what, sizeof(what), err);

		if (found < 0)
			return -1;
		if (found)
			return pfs_fail(err, PFS_EXIT_BUSY,
					"%s already holds data (%s); use --force to overwrite it",
					dev, what);
	}
	/* --force: nothing another tool recognises may survive the format. */
	if (force) {
		unsigned int wiped;

		if (pfs_wipe_signatures(dev, &wiped, err))
			return -1;
		if (wiped)
			printf("wiped %u signature%s\n", wiped, wiped == 1 ? "" : "s");
	}
	/*
	 * The data area starts dirty; zeroed now if the device does it for
	 * free, else discarded as mkfs does (discard promises no zeroes).
	 */
	if (pfs_pool_format(dev, &fo, err))
		return -1;
	if (fo.shared) {
		bool already;

		printf("joining the pool's lockspace as host %u (sanlock takes %u s)\n",
		       conf.host_id, 2 * conf.lease_io_timeout);
		fflush(stdout);
		if (pfs_shared_lock_start(dev, &already, err))
			return -1;
	}
	if (pfs_pool_open(dev, PFS_OPEN_WRITE, &pool, err))
		return -1;
	clean = pfs_txn_clean_offload(pool, err);
	if (clean < 0) {
		pfs_pool_close(pool);
		return -1;
	}
	if (clean)
		printf("zeroed the data area (offloaded to the device)\n");
	else if (!pfs_discard_range(pool->fd, le64_to_cpu(pool->sb->data_start),
				    pool->dev_sectors - le64_to_cpu(pool->sb->data_start)))
		printf("discarded the data area; it is zeroed as images are created\n");
	else
		printf("the data area is zeroed as images are created\n");
	bytes = (pool->dev_sectors - le64_to_cpu(pool->sb->data_start)) << PFS_SECTOR_SHIFT;
	printf("formatted %s: %s data area, %d images max, %lluK alignment%s\n", dev,
	       pfs_format_size(bytes, what, sizeof(what)), PFS_MAX_IMAGES,
	       (unsigned long long)fo.align_sectors / 2,
	       fo.shared ? ", shared (sanlock leases)" : "");
	pfs_pool_close(pool);
	return 0;
}

#define PFSADM_MAX_DIFFS	64

/*
 * One "move:" line per image moving between this pool and another, as the
 * other pool sees it too; how many need a command (the first in @why).
 */
static int pfsadm_check_moves(struct pfs_pool_handle *pool, char *why, unsigned int len)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	char line[512];
	int i, problems = 0;

	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_POOL_MOVE))
			continue;
		if (pfs_pool_move_check(pool, &e[i], line, sizeof(line)) && !problems++)
			snprintf(why, len, "%s", line);
		printf("move: %s\n", line);
	}
	return problems;
}

/* check's word on who may change the pool. */
static void pfsadm_print_owner(const struct pfs_pool_handle *pool)
{
	struct pfs_error why = { 0 };
	static const uint8_t zero[PFS_UUID_LEN];
	char ls[48];

	if (pfs_pool_is_shared(pool->sb)) {
		pfs_lease_lockspace_name(pool->sb, ls);
		printf("shared: sanlock lockspace %.48s\n", ls);
	} else if (!pfs_owner_is_here(pool->sb)) {
		pfs_owner_check(pool, &why);
		printf("owner: another host: %s\n", why.msg);
	} else if (le32_to_cpu(pool->sb->version) < 7 ||
		   !memcmp(pool->sb->owner_id, zero, PFS_UUID_LEN)) {
		printf("owner: none recorded (any host may change it)\n");
	} else {
		printf("owner: this host\n");
	}
}

int cmd_check(int argc, char **argv, struct pfs_error *err)
{
	char dev[PFS_PATH_LEN];
	static const struct option opts[] = {
		{ "repair", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("check");
	struct pfs_pool_handle *pool;
	static struct pfs_live_diff diffs[PFSADM_MAX_DIFFS];
	struct pfs_error live_err = { 0 };
	const char *problem, *sb_problem;
	unsigned int ndiffs;
	bool repair = false;
	char why[256], sb_why[256], move_why[512];
	int c, i, moves, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "r", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		repair = c == 'r';
	}
	if (pfsadm_pool_arg(argc, argv, cmd, dev, sizeof(dev), err))
		return -1;
	if (pfs_pool_open(dev, PFS_OPEN_BACKUP_SB | PFS_OPEN_ANY_VERSION |
			  (repair ? PFS_OPEN_WRITE : 0), &pool, err))
		return -1;
	sb_problem = pfs_pool_sb_problem(pool, sb_why, sizeof(sb_why));
	if (sb_problem)
		printf("superblock: %s\n", sb_problem);
	else
		printf("superblock: ok, format version %u%s\n", le32_to_cpu(pool->sb->version),
		       le32_to_cpu(pool->sb->version) >= 2 ? ", backup matches" :
		       " (no backup; pfsadm upgrade adds one)");
	pfsadm_print_owner(pool);
	for (i = 0; i < 2; i++) {
		if (pool->copy_why[i])
			printf("table copy %d: damaged: %s\n", i, pool->copy_why[i]);
		else
			printf("table copy %d: ok, generation %llu%s\n", i,
			       (unsigned long long)le64_to_cpu(pool->copy[i]->generation),
			       i == pool->current ? " (current)" : "");
	}
	if (pool->dev_sectors > le64_to_cpu(pool->sb->device_sectors)) {
		char b[32];

		printf("device: %s larger than the pool (pfsadm grow-pool takes it in)\n",
		       pfs_format_sectors(pool->dev_sectors - le64_to_cpu(pool->sb->device_sectors),
					  b, sizeof(b)));
	}
	printf("images: %u\n", pfs_pool_count(pool));
	printf("free space to zero before reuse: %llu sectors; held by running commands: %u extent%s\n",
	       (unsigned long long)pfs_free_dirty_total(pool), pfs_free_count_busy(pool->table, PFS_ANY_HOST),
	       pfs_free_count_busy(pool->table, PFS_ANY_HOST) == 1 ? "" : "s");
	if (sb_problem && repair) {
		const char *which = pool->sb_why ? "primary" : "backup";

		if (pfs_pool_repair_sb(pool, err)) {
			pfs_pool_close(pool);
			return -1;
		}
		printf("repaired the %s superblock\n", which);
		sb_problem = NULL;
	}
	if (pfs_live_compare(pool, diffs, PFSADM_MAX_DIFFS, &ndiffs, &live_err))
		printf("live devices: cannot list them: %s\n", live_err.msg);
	else if (!ndiffs)
		printf("live devices: match the table\n");
	for (i = 0; i < (int)ndiffs; i++)
		printf("live: %s\n", diffs[i].what);
	moves = pfsadm_check_moves(pool, move_why, sizeof(move_why));
	problem = pfs_pool_mirror_problem(pool, why, sizeof(why));
	if (problem && repair) {
		if (pfs_pool_repair(pool, err)) {
			pfs_pool_close(pool);
			return -1;
		}
		printf("repaired table copy %d from copy %d\n", 1 - pool->current,
		       pool->current);
		problem = NULL;
	}
	pfs_pool_close(pool);
	if (sb_problem || problem)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s; run pfsadm check --repair",
				sb_problem ? sb_problem : why);
	if (ndiffs)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s", diffs[0].what);
	if (moves)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s", move_why);
	return 0;
}

int cmd_take_over(int argc, char **argv, struct pfs_error *err)
{
	char dev[PFS_PATH_LEN];
	const struct pfsadm_cmd *cmd = pfsadm_find("take-over");
	struct pfs_pool_handle *pool;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", NULL, cmd, &code)) != -1)
		if (c == '?')
			return code;
	if (pfsadm_pool_arg(argc, argv, cmd, dev, sizeof(dev), err) ||
	    pfs_pool_open(dev, PFS_OPEN_WRITE | PFS_OPEN_FOREIGN, &pool, err))
		return -1;
	r = pfs_owner_take_over(pool, err);
	if (r > 0)
		printf("%s is this host's now\n", pool->path);
	else if (!r)
		printf("%s is this host's already\n", pool->path);
	pfs_pool_close(pool);
	return r < 0 ? -1 : 0;
}

int cmd_upgrade(int argc, char **argv, struct pfs_error *err)
{
	char dev[PFS_PATH_LEN];
	const struct pfsadm_cmd *cmd = pfsadm_find("upgrade");
	struct pfs_pool_handle *pool;
	uint32_t from;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", NULL, cmd, &code)) != -1)
		if (c == '?')
			return code;
	if (pfsadm_pool_arg(argc, argv, cmd, dev, sizeof(dev), err) ||
	    pfs_pool_open(dev, PFS_OPEN_WRITE | PFS_OPEN_ANY_VERSION, &pool, err))
		return -1;
	from = le32_to_cpu(pool->sb->version);
	r = pfs_pool_upgrade(pool, err);
	if (r > 0)
		printf("%s: upgraded from format version %u to %d%s\n", pool->path, from,
		       PFS_FORMAT_VERSION, from < 2 ? "; free space is zeroed before reuse" : "");
	else if (r == 0)
		printf("%s is already at format version %d\n", pool->path, PFS_FORMAT_VERSION);
	pfs_pool_close(pool);
	return r < 0 ? -1 : 0;
}

/* lock-start and lock-stop on one pool, said in one line. */
static int pfsadm_lockspace_one(const char *dev, bool start, struct pfs_error *err)
{
	bool already;

	if (start ? pfs_shared_lock_start(dev, &already, err) :
		    pfs_shared_lock_stop(dev, &already, err))
		return -1;
	if (already)
		printf("%s: this host %s the pool's lockspace already\n", dev,
		       start ? "is in" : "is not in");
	else
		printf("%s: %s the pool's lockspace\n", dev, start ? "joined" : "left");
	return 0;
}

/*
 * lock-start and lock-stop: join or leave a shared pool's lockspace; with
 * --all, every shared pool found (the chosen one, if a pool is chosen).
 */
static int pfsadm_lockspace(int argc, char **argv, const char *name, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	char dev[PFS_PATH_LEN], paths[64][PFS_PATH_LEN];
	const struct pfsadm_cmd *cmd = pfsadm_find(name);
	bool start = !strcmp(name, "lock-start"), all = false;
	unsigned int n = 0, i;
	int c, code = 0, failed = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		all |= c == 'a';
	}
	if (!all || pfs_pool_named(pfsadm_pool)) {
		if (all && optind != argc)
			return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm %s %s", cmd->name, cmd->usage);
		if (pfsadm_pool_arg(argc, argv, cmd, dev, sizeof(dev), err))
			return -1;
		return pfsadm_lockspace_one(dev, start, err);
	}
	if (optind != argc)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm %s %s", cmd->name, cmd->usage);
	if (pfs_shared_pools(paths, 64, &n, err))
		return -1;
	for (i = 0; i < n && i < 64; i++) {
		struct pfs_error one = { 0 };

		if (pfsadm_lockspace_one(paths[i], start, &one)) {
			fprintf(stderr, "pfsadm %s: %s\n", name, one.msg);
			if (!failed)
				*err = one;
			failed = -1;
		}
	}
	return failed;
}

int cmd_lock_start(int argc, char **argv, struct pfs_error *err)
{
	return pfsadm_lockspace(argc, argv, "lock-start", err);
}

int cmd_lock_stop(int argc, char **argv, struct pfs_error *err)
{
	return pfsadm_lockspace(argc, argv, "lock-stop", err);
}

int cmd_grow_pool(int argc, char **argv, struct pfs_error *err)
{
	char dev[PFS_PATH_LEN], b1[32], b2[32];
	const struct pfsadm_cmd *cmd = pfsadm_find("grow-pool");
	struct pfs_pool_handle *pool;
	uint64_t from, to;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", NULL, cmd, &code)) != -1)
		if (c == '?')
			return code;
	if (pfsadm_pool_arg(argc, argv, cmd, dev, sizeof(dev), err) ||
	    pfs_pool_open(dev, PFS_OPEN_WRITE, &pool, err))
		return -1;
	r = pfs_pool_grow(pool, isatty(STDERR_FILENO), &from, &to, err);
	if (r > 0)
		printf("%s: pool grown from %s to %s; the new space is free\n", pool->path,
		       pfs_format_sectors(from, b1, sizeof(b1)), pfs_format_sectors(to, b2, sizeof(b2)));
	else if (r == 0)
		printf("%s: the pool already spans its device (%s)\n", pool->path,
		       pfs_format_sectors(from, b1, sizeof(b1)));
	pfs_pool_close(pool);
	return r < 0 ? -1 : 0;
}

int cmd_dump(int argc, char **argv, struct pfs_error *err)
{
	char dev[PFS_PATH_LEN];
	const struct pfsadm_cmd *cmd = pfsadm_find("dump");
	struct json_object *root, *copies;
	struct pfs_pool_handle *pool;
	int c, i, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", NULL, cmd, &code)) != -1)
		if (c == '?')
			return code;
	if (pfsadm_pool_arg(argc, argv, cmd, dev, sizeof(dev), err) ||
	    pfs_pool_open(dev, PFS_OPEN_READ, &pool, err))
		return -1;
	/* Metadata only, as the archive keeps it: restore reads either. */
	root = pfs_json_metadata(pool);
	copies = json_object_new_array();
	for (i = 0; i < 2; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "valid", json_object_new_boolean(!pool->copy_why[i]));
		if (pool->copy_why[i])
			json_object_object_add(o, "problem",
					       json_object_new_string(pool->copy_why[i]));
		json_object_object_add(o, "generation",
				       json_object_new_uint64(le64_to_cpu(pool->copy[i]->generation)));
		json_object_object_add(o, "current", json_object_new_boolean(i == pool->current));
		json_object_array_add(copies, o);
	}
	json_object_object_add(root, "table_copies", copies);
	pfs_json_print(root);
	pfs_pool_close(pool);
	return 0;
}

int cmd_restore(int argc, char **argv, struct pfs_error *err)
{
	char dev[PFS_PATH_LEN];
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("restore");
	bool force = false;
	unsigned int n;
	int c, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "f", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		force = c == 'f';
	}
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm restore %s", cmd->usage);
	if (pfs_resolve_pool(argv[optind], dev, sizeof(dev), err) ||
	    pfs_restore(dev, argv[optind + 1], force, &n, err))
		return -1;
	printf("restored %u image%s to %s\n", n, n == 1 ? "" : "s", dev);
	return 0;
}
