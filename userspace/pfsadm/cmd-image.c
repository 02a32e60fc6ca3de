// SPDX-License-Identifier: GPL-2.0
/* Image lifecycle: create, remove, resize. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "crashpoint.h"
#include "dm.h"
#include "image.h"
#include "pfsadm.h"
#include "probe.h"
#include "size.h"

/* Zero this much at each end of a new extent: partition tables, fs labels. */
#define PFS_WIPE_SECTORS	2048

/* Parse SIZE into sectors, rounded up to the pool's alignment. */
static int pfsadm_image_size(const char *text, const struct pfs_pool *pool,
			     uint64_t *sectors, struct pfs_error *err)
{
	uint64_t align = le64_to_cpu(pool->sb->align_sectors), bytes, s;

	if (pfs_parse_size(text, &bytes) || bytes == 0)
		return pfs_fail(err, PFS_EXIT_ARGS, "invalid size '%s' (examples: 20G, 512M)", text);
	s = (bytes + (1 << PFS_SECTOR_SHIFT) - 1) >> PFS_SECTOR_SHIFT;
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

static int pfsadm_wipe_ends(const struct pfs_pool *pool, uint64_t start, uint64_t len,
			    struct pfs_error *err)
{
	uint64_t n = len < 2 * PFS_WIPE_SECTORS ? len : PFS_WIPE_SECTORS;

	if (pfs_zero_range(pool->fd, start, n, false, err))
		return -1;
	if (len > n && pfs_zero_range(pool->fd, start + len - n, n, false, err))
		return -1;
	return 0;
}

/* --weight, --iops-max, --bps-max: shared by create and set. */
static const struct option pfsadm_qos_opts[] = {
	{ "weight", required_argument, NULL, 'w' },
	{ "iops-max", required_argument, NULL, 'i' },
	{ "bps-max", required_argument, NULL, 'b' },
	{ NULL, 0, NULL, 0 },
};

struct pfsadm_qos {
	bool has_weight, has_iops, has_bps;
	uint64_t weight, iops, bps;
};

static int pfsadm_parse_qos(int c, const char *arg, struct pfsadm_qos *q,
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
		return 0;
	}
	return 0;
}

static void pfsadm_store_qos(const struct pfsadm_qos *q, struct pfs_image_entry *e)
{
	if (q->has_weight)
		e->weight = cpu_to_le32((uint32_t)q->weight);
	if (q->has_iops)
		e->iops_max = cpu_to_le64(q->iops);
	if (q->has_bps)
		e->bps_max = cpu_to_le64(q->bps);
}

/*
 * Persist the entry the caller has just put back after a failed live step.
 * The caller's error stays the one reported; this one is only printed.
 */
static int pfsadm_rollback(struct pfs_pool *pool, const char *cmd_name)
{
	struct pfs_error rollback = { 0 };

	if (!pfs_pool_commit(pool, &rollback))
		return 0;
	fprintf(stderr, "pfsadm %s: rollback failed: %s\n", cmd_name, rollback.msg);
	return -1;
}

int cmd_create(int argc, char **argv, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find("create");
	struct pfsadm_qos qos = { .has_weight = true, .weight = PFS_DEFAULT_WEIGHT };
	uint64_t len, start;
	struct pfs_image_entry *e;
	struct pfs_pool *pool;
	char buf[32], params[PFS_NAME_LEN + 64];
	int c, code = 0;
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
	if (!pfs_image_name_ok(name, err) || pfsadm_open_pool(true, &pool, err))
		return -1;
	if (pfsadm_image_size(argv[optind + 1], pool, &len, err))
		goto fail;
	if (pfs_pool_find(pool, name)) {
		pfs_fail(err, PFS_EXIT_BUSY, "image %s already exists", name);
		goto fail;
	}
	e = pfs_pool_free_slot(pool);
	if (!e) {
		pfs_fail(err, PFS_EXIT_BUSY, "pool holds %d images already", PFS_MAX_IMAGES);
		goto fail;
	}
	if (pfs_alloc_best_fit(pool, len, &start)) {
		char largest[32];

		pfs_fail(err, PFS_EXIT_DEVICE,
			 "no free extent of %s: the largest free extent is %s (see pfsadm list --free)",
			 pfs_format_size(len << PFS_SECTOR_SHIFT, buf, sizeof(buf)),
			 pfs_format_size(pfs_largest_free(pool) << PFS_SECTOR_SHIFT, largest,
					 sizeof(largest)));
		goto fail;
	}

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	uuid_generate(e->uuid);
	e->start = cpu_to_le64(start);
	e->length = cpu_to_le64(len);
	e->ctime = cpu_to_le64((uint64_t)time(NULL));
	pfsadm_store_qos(&qos, e);
	e->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
	if (pfs_image_active(e, NULL)) {
		pfs_fail(err, PFS_EXIT_BUSY, "/dev/mapper/" PFS_DM_PREFIX "%s already exists", name);
		goto fail;
	}

	/* Fail before any write if the device cannot be made at all, or if
	 * a device left behind still maps the space. */
	if (pfs_image_params(pool, e, params, sizeof(params), err) ||
	    pfs_image_check_unmapped(pool, NULL, start, len, err))
		goto fail;
	/* A new tenant must never see the previous one's partition table. */
	if (pfsadm_wipe_ends(pool, start, len, err) || pfs_pool_commit(pool, err))
		goto fail;
	if (pfs_image_activate(pool, e, err)) {
		memset(e, 0, sizeof(*e));
		pfsadm_rollback(pool, "create");
		goto fail;
	}
	printf("/dev/mapper/" PFS_DM_PREFIX "%s\n", name);
	pfs_pool_close(pool);
	return 0;
fail:
	pfs_pool_close(pool);
	return -1;
}

int cmd_remove(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "no-wipe", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("remove");
	struct pfs_image_entry *e;
	struct pfs_pool *pool;
	bool wipe = true;
	int c, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		wipe = c != 'n';
	}
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm remove %s", cmd->usage);
	e = pfsadm_open_image(argv[optind], true, &pool, err);
	if (!e)
		return -1;
	/* Its own device only: pfs-NAME may be another pool's image. */
	if ((pfs_image_maps_here(pool, e) && pfs_image_deactivate(e, err)) ||
	    pfs_image_check_unmapped(pool, e, le64_to_cpu(e->start), le64_to_cpu(e->length), err))
		goto fail;
	/* No tenant's data may reach the next image to use this space. */
	if (wipe && pfs_zero_range(pool->fd, le64_to_cpu(e->start), le64_to_cpu(e->length),
				   isatty(STDERR_FILENO), err))
		goto fail;
	memset(e, 0, sizeof(*e));
	if (pfs_pool_commit(pool, err))
		goto fail;
	pfs_pool_close(pool);
	return 0;
fail:
	pfs_pool_close(pool);
	return -1;
}

/*
 * After a failed reload, what is live? The caller's metadata must never
 * claim less than the device maps.
 */
static uint64_t pfsadm_live_sectors(const struct pfs_image_entry *e, uint64_t fallback)
{
	char name[PFS_NAME_LEN + 8];
	struct pfs_error ignored = { 0 };
	uint64_t live;

	pfs_image_dm_name(e, name, sizeof(name));
	return pfs_dm_live_sectors(name, &live, &ignored) ? fallback : live;
}

/*
 * Grow: commit first, so that a crash leaves the bigger extent reserved,
 * then reload the live device. If the reload fails and the device still
 * maps the old size, the table goes back to it.
 */
static int pfsadm_grow(struct pfs_pool *pool, struct pfs_image_entry *e, uint64_t len,
		       struct pfs_error *err)
{
	uint64_t old = le64_to_cpu(e->length), live;
	sigset_t sigs;
	int r = -1;

	e->length = cpu_to_le64(len);
	pfs_signals_block(&sigs);
	if (pfs_pool_commit(pool, err))
		goto out;
	pfs_crash_point("grow-committed");
	r = 0;
	if (!pfs_image_maps_here(pool, e) || !pfs_image_reload(pool, e, err))
		goto out;
	live = pfsadm_live_sectors(e, len);
	if (live == len) {
		memset(err, 0, sizeof(*err));	/* the new table went live after all */
		goto out;
	}
	r = -1;
	if (live == old) {
		e->length = cpu_to_le64(old);
		pfsadm_rollback(pool, "resize");
	}
out:
	pfs_signals_restore(&sigs);
	return r;
}

/*
 * Shrink: the live device first, so the table never calls free what a
 * device still maps; then zero the tail, so no data reaches the next
 * tenant of that space; then commit. A crash before the commit leaves the
 * image at its old size in the table, and its device smaller: both safe.
 */
static int pfsadm_shrink(struct pfs_pool *pool, struct pfs_image_entry *e, uint64_t len,
			 struct pfs_error *err)
{
	uint64_t old = le64_to_cpu(e->length), start = le64_to_cpu(e->start);
	sigset_t sigs;
	int r = -1;

	e->length = cpu_to_le64(len);
	pfs_signals_block(&sigs);
	if (pfs_image_maps_here(pool, e) && pfs_image_reload(pool, e, err)) {
		if (pfsadm_live_sectors(e, old) != len)
			goto out;	/* still the old size: nothing changed */
		memset(err, 0, sizeof(*err));	/* the new table went live after all */
	}
	pfs_crash_point("shrink-reloaded");
	if (pfs_zero_range(pool->fd, start + len, old - len, isatty(STDERR_FILENO), err))
		goto out;
	pfs_crash_point("shrink-zeroed");
	if (pfs_pool_commit(pool, err))
		goto out;
	r = 0;
out:
	pfs_signals_restore(&sigs);
	return r;
}

int cmd_resize(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("resize");
	uint64_t len, old, room;
	struct pfs_image_entry *e;
	struct pfs_pool *pool;
	bool force = false;
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
	if (len == old) {
		/* An interrupted grow leaves the device smaller than the table. */
		if (pfs_image_maps_here(pool, e) && pfsadm_live_sectors(e, len) != len) {
			if (pfs_image_reload(pool, e, err))
				goto fail;
			printf("%s: device brought up to the table's %s\n", e->name,
			       pfs_format_size(len << 9, b1, sizeof(b1)));
		} else {
			printf("%s is already %s\n", e->name,
			       pfs_format_size(len << 9, b1, sizeof(b1)));
		}
		pfs_pool_close(pool);
		return 0;
	}
	if (len < old && !force) {
		pfs_fail(err, PFS_EXIT_ARGS,
			 "shrinking %s from %s to %s destroys data at its end; use --force",
			 e->name, pfs_format_size(old << 9, b1, sizeof(b1)),
			 pfs_format_size(len << 9, b2, sizeof(b2)));
		goto fail;
	}
	room = pfs_free_after(pool, le64_to_cpu(e->start), old);
	if (len > old && len - old > room) {
		const struct pfs_image_entry *all = pfs_table_entries(pool->table);
		const char *next = "the end of the pool";
		uint64_t end = le64_to_cpu(e->start) + old + room;
		int i;

		for (i = 0; i < PFS_MAX_IMAGES; i++)
			if ((le32_to_cpu(all[i].flags) & PFS_IMAGE_IN_USE) &&
			    le64_to_cpu(all[i].start) == end)
				next = all[i].name;
		pfs_fail(err, PFS_EXIT_DEVICE,
			 "cannot grow %s in place to %s: only %s free after it, then %s",
			 e->name, pfs_format_size(len << 9, b1, sizeof(b1)),
			 pfs_format_size(room << 9, b2, sizeof(b2)), next);
		goto fail;
	}
	if (pfs_image_check_unmapped(pool, e, le64_to_cpu(e->start), len > old ? len : old, err))
		goto fail;
	if (len > old ? pfsadm_grow(pool, e, len, err) : pfsadm_shrink(pool, e, len, err))
		goto fail;
	printf("%s: %s -> %s\n", e->name, pfs_format_size(old << 9, b1, sizeof(b1)),
	       pfs_format_size(len << 9, b2, sizeof(b2)));
	pfs_pool_close(pool);
	return 0;
fail:
	pfs_pool_close(pool);
	return -1;
}

static int pfsadm_apply_qos(const struct pfs_image_entry *e, struct pfs_error *err)
{
	char name[PFS_NAME_LEN + 8], msg[64];

	pfs_image_dm_name(e, name, sizeof(name));
	snprintf(msg, sizeof(msg), "weight %u", le32_to_cpu(e->weight));
	if (pfs_dm_message(name, msg, err))
		return -1;
	snprintf(msg, sizeof(msg), "iops_max %llu", (unsigned long long)le64_to_cpu(e->iops_max));
	if (pfs_dm_message(name, msg, err))
		return -1;
	snprintf(msg, sizeof(msg), "bps_max %llu", (unsigned long long)le64_to_cpu(e->bps_max));
	return pfs_dm_message(name, msg, err);
}

int cmd_set(int argc, char **argv, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find("set");
	struct pfs_image_entry *e, old;
	struct pfsadm_qos qos = { 0 };
	struct pfs_pool *pool;
	int c, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", pfsadm_qos_opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (pfsadm_parse_qos(c, optarg, &qos, err))
			return -1;
	}
	if (optind != argc - 1 || !(qos.has_weight || qos.has_iops || qos.has_bps))
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm set %s", cmd->usage);
	e = pfsadm_open_image(argv[optind], true, &pool, err);
	if (!e)
		return -1;
	old = *e;
	pfsadm_store_qos(&qos, e);
	if (pfs_pool_commit(pool, err))
		goto fail;
	if (pfs_image_maps_here(pool, e) && pfsadm_apply_qos(e, err)) {
		struct pfs_error reapply = { 0 };

		*e = old;
		if (!pfsadm_rollback(pool, "set") && pfsadm_apply_qos(e, &reapply))
			fprintf(stderr, "pfsadm set: rollback failed: %s\n", reapply.msg);
		goto fail;
	}
	pfs_pool_close(pool);
	return 0;
fail:
	pfs_pool_close(pool);
	return -1;
}
