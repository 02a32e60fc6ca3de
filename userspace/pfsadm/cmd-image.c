// SPDX-License-Identifier: GPL-2.0
/* Image lifecycle: create, remove, resize. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "image.h"
#include "pfsadm.h"
#include "size.h"
#include "txn.h"

/* Parse SIZE into sectors, rounded up to the pool's alignment. */
static int pfsadm_image_size(const char *text, const struct pfs_pool_handle *pool,
			     uint64_t *sectors, struct pfs_error *err)
{
	uint64_t align = le64_to_cpu(pool->sb->align_sectors), bytes, s;

	if (pfs_parse_size(text, &bytes) || bytes == 0)
		return pfs_fail(err, PFS_EXIT_ARGS, "invalid size '%s' (examples: 20G, 512M)", text);
	/* Rounded up without overflow: 2^64 - 1 bytes must not wrap to 0. */
	s = (bytes >> PFS_SECTOR_SHIFT) + !!(bytes & ((1 << PFS_SECTOR_SHIFT) - 1));
	if (s > UINT64_MAX - align)
		return pfs_fail(err, PFS_EXIT_ARGS, "size '%s' is too large", text);
	*sectors = (s + align - 1) / align * align;
	return 0;
}

static int pfsadm_parse_count(const char *opt, const char *text, uint64_t max,
			      uint64_t *value, struct pfs_error *err)
{
	if (pfs_parse_u64(text, value) || *value > max)
		return pfs_fail(err, PFS_EXIT_ARGS, "invalid --%s '%s'", opt, text);
	return 0;
}

/* --weight, --iops-max, --bps-max: shared by create and set. */
static const struct option pfsadm_qos_opts[] = {
	{ "weight", required_argument, NULL, 'w' },
	{ "iops-max", required_argument, NULL, 'i' },
	{ "bps-max", required_argument, NULL, 'b' },
	{ NULL, 0, NULL, 0 },
};

static int pfsadm_parse_qos(int c, const char *arg, struct pfs_qos *q,
			    struct pfs_error *err)
{
	switch (c) {
	case 'w':
		q->has_weight = true;
		if (pfsadm_parse_count("weight", arg, PFS_MAX_WEIGHT, &q->weight, err))
			return -1;
		if (!q->weight)
			return pfs_fail(err, PFS_EXIT_ARGS, "--weight must be 1..%d",
					PFS_MAX_WEIGHT);
		return 0;
	case 'i':
		q->has_iops = true;
		return pfsadm_parse_count("iops-max", arg, PFS_MAX_RATE, &q->iops, err);
	case 'b':
		q->has_bps = true;
		if (pfs_parse_size(arg, &q->bps) || q->bps > PFS_MAX_RATE)
			return pfs_fail(err, PFS_EXIT_ARGS, "invalid --bps-max '%s' (up to 1T per second)",
					arg);
		/* A size without a unit is MiB: "1000000" would be no cap at all. */
		if (q->bps && arg[strspn(arg, "0123456789")] == '\0')
			return pfs_fail(err, PFS_EXIT_ARGS,
					"--bps-max '%s' has no unit: write %sB for bytes or %sM for MiB per second",
					arg, arg, arg);
		return 0;
	}
	return 0;
}

int cmd_create(int argc, char **argv, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find("create");
	struct pfs_qos qos = { 0 };
	struct pfs_pool_handle *pool;
	uint64_t len;
	int c, r, code = 0;
	const char *name;

	while ((c = pfsadm_getopt(argc, argv, "", pfsadm_qos_opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (pfsadm_parse_qos(c, optarg, &qos, err))
			return -1;
	}
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm create %s", cmd->usage);
	name = argv[optind];
	if (!pfs_image_name_ok(name, err) || pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	pfs_txn_progress(isatty(STDERR_FILENO));
	r = pfsadm_image_size(argv[optind + 1], pool, &len, err) ||
	    pfs_txn_create(pool, name, len, &qos, err) ? -1 : 0;
	if (!r)
		printf("/dev/mapper/" PFS_DM_PREFIX "%s\n", name);
	pfs_pool_close(pool);
	return r;
}

int cmd_remove(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "no-wipe", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("remove");
	struct pfs_pool_handle *pool;
	bool wipe = true;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		wipe = c != 'n';
	}
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm remove %s", cmd->usage);
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	pfs_txn_progress(isatty(STDERR_FILENO));
	r = pfs_txn_remove(pool, argv[optind], wipe, err);
	pfs_pool_close(pool);
	return r;
}

int cmd_resize(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("resize");
	struct pfs_image_entry *e;
	struct pfs_pool_handle *pool;
	bool force = false, changed;
	uint64_t len, old;
	int c, code = 0;
	char b1[32], b2[32];

	while ((c = pfsadm_getopt(argc, argv, "f", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		force = c == 'f';
	}
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm resize %s", cmd->usage);
	e = pfsadm_open_image(argv[optind], true, &pool, err);
	if (!e)
		return -1;
	if (pfsadm_image_size(argv[optind + 1], pool, &len, err))
		goto fail;
	old = le64_to_cpu(e->length);
	if (len < old && !force) {
		pfs_fail(err, PFS_EXIT_ARGS,
			 "shrinking %s from %s to %s destroys data at its end; use --force",
			 e->name, pfs_format_size(old << 9, b1, sizeof(b1)),
			 pfs_format_size(len << 9, b2, sizeof(b2)));
		goto fail;
	}
	pfs_txn_progress(isatty(STDERR_FILENO));
	if (pfs_txn_resize(pool, argv[optind], len, &changed, err))
		goto fail;
	pfs_format_size(len << 9, b2, sizeof(b2));
	if (len != old)
		printf("%s: %s -> %s\n", argv[optind], pfs_format_size(old << 9, b1, sizeof(b1)), b2);
	else if (changed)
		printf("%s: device brought up to the table's %s\n", argv[optind], b2);
	else
		printf("%s is already %s\n", argv[optind], b2);
	pfs_pool_close(pool);
	return 0;
fail:
	pfs_pool_close(pool);
	return -1;
}

int cmd_set(int argc, char **argv, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find("set");
	struct pfs_qos qos = { 0 };
	struct pfs_pool_handle *pool;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", pfsadm_qos_opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (pfsadm_parse_qos(c, optarg, &qos, err))
			return -1;
	}
	if (optind != argc - 1 || !(qos.has_weight || qos.has_iops || qos.has_bps))
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm set %s", cmd->usage);
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	r = pfs_txn_set_qos(pool, argv[optind], &qos, err);
	pfs_pool_close(pool);
	return r;
}

int cmd_refresh(int argc, char **argv, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find("refresh");
	struct pfs_pool_handle *pool;
	bool changed;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", NULL, cmd, &code)) != -1)
		if (c == '?')
			return code;
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm refresh %s", cmd->usage);
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	r = pfs_txn_refresh(pool, argv[optind], &changed, err);
	if (!r)
		printf(changed ? "%s: device reloaded to match the table\n" :
		       "%s: device already matches the table\n", argv[optind]);
	pfs_pool_close(pool);
	return r;
}
