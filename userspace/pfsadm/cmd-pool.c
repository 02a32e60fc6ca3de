// SPDX-License-Identifier: GPL-2.0
/* Pool-wide commands: format, check, dump. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <uuid/uuid.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <unistd.h>

#include "json.h"
#include "pfsadm.h"
#include "pool.h"
#include "probe.h"
#include "wipe.h"
#include "size.h"

static int pfsadm_device_arg(int argc, const struct pfsadm_cmd *cmd,
			     struct pfs_error *err)
{
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "need exactly one DEVICE (usage: pfsadm %s %s)",
				cmd->name, cmd->usage);
	return 0;
}

int cmd_format(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "align", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct pfs_format_opts fo = { .align_sectors = PFS_DEFAULT_ALIGN_SECTORS };
	const struct pfsadm_cmd *cmd = pfsadm_find("format");
	bool force = false;
	uint64_t bytes, range[2];
	char what[256];
	int c, code = 0;
	const char *dev;
	struct pfs_pool *pool;

	while ((c = pfsadm_getopt(argc, argv, "a:f", opts, cmd, &code)) != -1) {
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
		}
	}
	if (pfsadm_device_arg(argc, cmd, err))
		return -1;
	dev = argv[optind];
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
	if (pfs_pool_format(dev, &fo, err))
		return -1;
	/* Discard, as mkfs does; a device without discard keeps its data. */
	if (!pfs_pool_open(dev, true, &pool, err)) {
		range[0] = le64_to_cpu(pool->sb->data_start) << PFS_SECTOR_SHIFT;
		range[1] = (pool->dev_sectors << PFS_SECTOR_SHIFT) - range[0];
		if (ioctl(pool->fd, BLKDISCARD, range) == 0)
			printf("discarded the data area\n");
		printf("formatted %s: %s data area, %d images max, %lluK alignment\n", dev,
		       pfs_format_size(range[1], what, sizeof(what)), PFS_MAX_IMAGES,
		       (unsigned long long)fo.align_sectors / 2);
		pfs_pool_close(pool);
		return 0;
	}
	return -1;
}

int cmd_check(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "repair", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("check");
	struct pfs_pool *pool;
	const char *problem;
	bool repair = false;
	char why[256];
	int c, i, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "r", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		repair = c == 'r';
	}
	if (pfsadm_device_arg(argc, cmd, err))
		return -1;
	if (pfs_pool_open(argv[optind], repair, &pool, err))
		return -1;
	printf("superblock: ok\n");
	for (i = 0; i < 2; i++) {
		if (pool->copy_why[i])
			printf("table copy %d: damaged: %s\n", i, pool->copy_why[i]);
		else
			printf("table copy %d: ok, generation %llu%s\n", i,
			       (unsigned long long)le64_to_cpu(pool->copy[i]->generation),
			       i == pool->current ? " (current)" : "");
	}
	printf("images: %u\n", pfs_pool_count(pool));
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
	if (problem)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s; run pfsadm check --repair", why);
	return 0;
}

int cmd_dump(int argc, char **argv, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find("dump");
	struct json_object *root, *copies, *images;
	const struct pfs_image_entry *e;
	struct pfs_pool *pool;
	int c, i, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", NULL, cmd, &code)) != -1)
		if (c == '?')
			return code;
	if (pfsadm_device_arg(argc, cmd, err))
		return -1;
	if (pfs_pool_open(argv[optind], false, &pool, err))
		return -1;
	root = json_object_new_object();
	json_object_object_add(root, "superblock", pfs_json_superblock(pool->sb));
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
	images = json_object_new_array();
	e = pfs_table_entries(pool->table);
	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if (le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE)
			json_object_array_add(images, pfs_json_image(pool, &e[i]));
	json_object_object_add(root, "images", images);
	pfs_json_print(root);
	pfs_pool_close(pool);
	return 0;
}

/* Fetch a non-negative integer member; a missing or wrong one is an error. */
static int pfsadm_json_u64(struct json_object *o, const char *key, uint64_t *v,
			   struct pfs_error *err)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_int) ||
	    json_object_get_int64(m) < 0)
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: missing or invalid \"%s\"", key);
	*v = json_object_get_uint64(m);
	return 0;
}

static int pfsadm_json_uuid(struct json_object *o, const char *key, uint8_t *uuid,
			    struct pfs_error *err)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    uuid_parse(json_object_get_string(m), uuid))
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: missing or invalid \"%s\"", key);
	return 0;
}

static int pfsadm_restore_image(struct json_object *o, struct pfs_image_entry *e,
				struct pfs_error *err)
{
	uint64_t start, len, weight, iops, bps, ctime;
	struct json_object *m;
	const char *name;

	if (!json_object_object_get_ex(o, "name", &m) || !(name = json_object_get_string(m)) ||
	    strlen(name) >= PFS_NAME_LEN)
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: image without a valid name");
	if (pfsadm_json_uuid(o, "uuid", e->uuid, err) ||
	    pfsadm_json_u64(o, "start_sector", &start, err) ||
	    pfsadm_json_u64(o, "sectors", &len, err) ||
	    pfsadm_json_u64(o, "weight", &weight, err) ||
	    pfsadm_json_u64(o, "iops_max", &iops, err) ||
	    pfsadm_json_u64(o, "bps_max", &bps, err) ||
	    pfsadm_json_u64(o, "created", &ctime, err))
		return -1;
	if (weight > UINT32_MAX)
		return pfs_fail(err, PFS_EXIT_ARGS, "dump: image %s has an invalid weight", name);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->start = cpu_to_le64(start);
	e->length = cpu_to_le64(len);
	e->weight = cpu_to_le32((uint32_t)weight);
	e->iops_max = cpu_to_le64(iops);
	e->bps_max = cpu_to_le64(bps);
	e->ctime = cpu_to_le64(ctime);
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
	return 0;
}

/* The highest generation any table copy of pool @uuid on @dev claims. */
static uint64_t pfsadm_copies_generation(const char *dev, const uint8_t *uuid)
{
	struct pfs_table_header h;
	uint64_t best = 0;
	int fd = open(dev, O_RDONLY | O_CLOEXEC), i;

	for (i = 0; fd >= 0 && i < 2; i++)
		if (pread(fd, &h, sizeof(h), (off_t)PFS_TABLE_OFFSET(i) << PFS_SECTOR_SHIFT) ==
		    (ssize_t)sizeof(h) && !memcmp(h.magic, PFS_TABLE_MAGIC, PFS_MAGIC_LEN) &&
		    !memcmp(h.pool_uuid, uuid, PFS_UUID_LEN) && le64_to_cpu(h.generation) > best)
			best = le64_to_cpu(h.generation);
	if (fd >= 0)
		close(fd);
	return best;
}

/*
 * What restore would overwrite on @dev: another tool's data is refused, and
 * so is another pool (by UUID), unless --force. Returns the generation the
 * restored table needs to win over what a pool of the same UUID left there.
 */
static int pfsadm_restore_target(const char *dev, const uint8_t *uuid, bool force,
				 uint64_t *generation, struct pfs_error *err)
{
	struct pfs_error ignored = { 0 };
	struct pfs_pool *pool;
	char what[128];
	int found, i;

	*generation = 1;
	if (!pfs_pool_open(dev, false, &pool, &ignored)) {
		if (memcmp(pool->sb->pool_uuid, uuid, PFS_UUID_LEN) && !force) {
			pfs_pool_close(pool);
			return pfs_fail(err, PFS_EXIT_BUSY,
					"%s holds another pool than the dump's; use --force to replace it",
					dev);
		}
		for (i = 0; i < 2; i++)
			if (!pool->copy_why[i] &&
			    le64_to_cpu(pool->copy[i]->generation) >= *generation)
				*generation = le64_to_cpu(pool->copy[i]->generation) + 1;
		pfs_pool_close(pool);
		return 0;
	}
	/* No loadable pool: a damaged one (restore's case) or something else. */
	found = pfs_probe_signature(dev, what, sizeof(what), err);
	if (found < 0)
		return -1;
	if (found && strcmp(what, "dm-pfs pool") && !force)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s already holds data (%s); use --force to overwrite it", dev, what);
	/* A damaged pool of this UUID may still hold a valid copy: outrank it. */
	*generation = pfsadm_copies_generation(dev, uuid) + 1;
	return 0;
}

int cmd_restore(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("restore");
	bool force = false;
	struct json_object *root, *sbj, *images;
	struct pfs_format_opts fo = { 0 };
	struct pfs_table_header *table;
	uint8_t pool_uuid[PFS_UUID_LEN];
	struct pfs_superblock sb;
	uint64_t version, n, i;
	const char *why;
	int c, code = 0, r = -1;

	while ((c = pfsadm_getopt(argc, argv, "f", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		force = c == 'f';
	}
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm restore %s", cmd->usage);
	root = json_object_from_file(argv[optind + 1]);
	if (!root)
		return pfs_fail(err, PFS_EXIT_ARGS, "cannot parse %s: %s", argv[optind + 1],
				json_util_get_last_err());
	if (!json_object_object_get_ex(root, "superblock", &sbj) ||
	    !json_object_object_get_ex(root, "images", &images) ||
	    !json_object_is_type(images, json_type_array)) {
		pfs_fail(err, PFS_EXIT_ARGS, "%s is not a pfsadm dump", argv[optind + 1]);
		goto out;
	}
	if (pfsadm_json_u64(sbj, "version", &version, err) ||
	    pfsadm_json_uuid(sbj, "pool_uuid", pool_uuid, err) ||
	    pfsadm_json_u64(sbj, "align_sectors", &fo.align_sectors, err) ||
	    pfsadm_json_u64(sbj, "device_sectors", &fo.device_sectors, err) ||
	    pfsadm_json_u64(sbj, "format_time", &fo.now, err))
		goto out;
	if (version != PFS_FORMAT_VERSION) {
		pfs_fail(err, PFS_EXIT_ARGS, "dump has format version %llu; this pfsadm writes %d",
			 (unsigned long long)version, PFS_FORMAT_VERSION);
		goto out;
	}
	n = json_object_array_length(images);
	if (n > PFS_MAX_IMAGES || !fo.align_sectors || fo.align_sectors > (1ULL << 21)) {
		pfs_fail(err, PFS_EXIT_ARGS, "dump: invalid image count or alignment");
		goto out;
	}
	fo.pool_uuid = pool_uuid;
	/* Build and validate everything before touching the device. */
	table = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
	if (!table) {
		pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (pfsadm_restore_image(json_object_array_get_idx(images, i),
					 &pfs_table_entries(table)[i], err))
			goto out_table;
	if (pfs_sb_init(&sb, &fo, fo.device_sectors, err))
		goto out_table;
	pfs_table_seal(&sb, table, 1);
	if (pfs_table_validate(&sb, table, &why)) {
		pfs_fail(err, PFS_EXIT_ARGS, "dump describes an invalid table: %s", why);
		goto out_table;
	}
	/*
	 * One crash-safe sequence, under the pool's lock: format writes the
	 * dumped table into copy 1, then the superblock, then copy 0, each
	 * flushed (see pfs_pool_format).
	 */
	if (pfsadm_restore_target(argv[optind], pool_uuid, force, &fo.generation, err))
		goto out_table;
	fo.table = table;
	if (!pfs_pool_format(argv[optind], &fo, err)) {
		printf("restored %llu image%s to %s\n", (unsigned long long)n, n == 1 ? "" : "s",
		       argv[optind]);
		r = 0;
	}
out_table:
	free(table);
out:
	json_object_put(root);
	return r;
}
