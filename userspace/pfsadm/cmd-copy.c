// SPDX-License-Identifier: GPL-2.0
/* Copies of images under live I/O: move, clone and defrag. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "defrag.h"
#include "image.h"
#include "json.h"
#include "move.h"
#include "pool-move.h"
#include "probe.h"
#include "pfsadm.h"
#include "size.h"

int cmd_move(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "to-pool", required_argument, NULL, 'p' },
		{ "abort", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("move");
	struct pfs_pool_handle *pool;
	const char *to_pool = NULL;
	char to_path[4096];
	uint64_t dest = 0, to;
	bool abort_move = false, force = false, aborted;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (c == 't' && (pfs_parse_u64(optarg, &dest) || !dest))
			return pfs_fail(err, PFS_EXIT_ARGS, "invalid --to '%s' (a sector number)",
					optarg);
		if (c == 'p')
			to_pool = optarg;
		abort_move |= c == 'a';
		force |= c == 'f';
	}
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm move %s", cmd->usage);
	if (abort_move + !!dest + !!to_pool > 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "--to, --to-pool and --abort exclude each other");
	if (force && !abort_move)
		return pfs_fail(err, PFS_EXIT_ARGS, "--force goes with --abort only");
	if (to_pool && pfs_resolve_pool(to_pool, to_path, sizeof(to_path), err))
		return -1;
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	if (abort_move) {
		r = pfs_image_move_abort(pool, argv[optind], isatty(STDERR_FILENO), force, &aborted,
					 err);
		if (!r)
			printf(aborted ? "%s is back at sector %llu\n" : "%s is not moving (at sector %llu)\n",
			       argv[optind],
			       (unsigned long long)le64_to_cpu(pfs_pool_find(pool, argv[optind])->start));
	} else if (to_pool) {
		r = pfs_image_move_to_pool(pool, to_path, argv[optind], isatty(STDERR_FILENO), &to,
					   err);
		if (!r)
			printf("%s is in pool %s at sector %llu\n", argv[optind], to_path,
			       (unsigned long long)to);
	} else {
		r = pfs_image_move(pool, argv[optind], dest, isatty(STDERR_FILENO), &to, err);
		if (!r)
			printf("%s is at sector %llu\n", argv[optind], (unsigned long long)to);
	}
	pfs_pool_close(pool);
	return r;
}

int cmd_clone(int argc, char **argv, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find("clone");
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct pfs_pool_handle *pool;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1)
		if (c == '?')
			return code;
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm clone %s", cmd->usage);
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	r = pfs_image_clone(pool, argv[optind], argv[optind + 1], isatty(STDERR_FILENO), err);
	if (!r)
		printf("/dev/mapper/" PFS_DM_PREFIX "%s\n", argv[optind + 1]);
	pfs_pool_close(pool);
	return r;
}

static void pfsadm_defrag_step(const struct pfs_defrag_step *s)
{
	char b[32];

	printf("move %s: sector %llu -> %llu (%s)\n", s->name, (unsigned long long)s->from,
	       (unsigned long long)s->to, pfs_format_size(s->len << PFS_SECTOR_SHIFT, b, sizeof(b)));
	fflush(stdout);
}

static void pfsadm_defrag_json(const struct pfs_pool_handle *pool,
			       const struct pfs_defrag_plan *plan)
{
	struct json_object *root = pfs_json_report(pool), *arr = json_object_new_array();
	unsigned int i;

	for (i = 0; i < plan->nr_steps; i++) {
		const struct pfs_defrag_step *s = &plan->steps[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "image", json_object_new_string(s->name));
		json_object_object_add(o, "from_sector", json_object_new_uint64(s->from));
		json_object_object_add(o, "to_sector", json_object_new_uint64(s->to));
		json_object_object_add(o, "sectors", json_object_new_uint64(s->len));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "moves", arr);
	json_object_object_add(root, "free_extents_before",
			       json_object_new_int((int)plan->extents_before));
	json_object_object_add(root, "free_extents_after",
			       json_object_new_int((int)plan->extents_after));
	json_object_object_add(root, "largest_free_before",
			       json_object_new_uint64(plan->largest_before << PFS_SECTOR_SHIFT));
	json_object_object_add(root, "largest_free_after",
			       json_object_new_uint64(plan->largest_after << PFS_SECTOR_SHIFT));
	json_object_object_add(root, "bytes_to_copy",
			       json_object_new_uint64(plan->moved << PFS_SECTOR_SHIFT));
	pfs_json_print(root);
}

static void pfsadm_defrag_summary(const struct pfs_defrag_plan *plan, bool done)
{
	char b1[32], b2[32], b3[32];

	printf("%s: %u free extent%s (largest %s) -> %u (largest %s); %s %s\n",
	       done ? "defragmented" : "plan", plan->extents_before,
	       plan->extents_before == 1 ? "" : "s",
	       pfs_format_size(plan->largest_before << PFS_SECTOR_SHIFT, b1, sizeof(b1)),
	       plan->extents_after,
	       pfs_format_size(plan->largest_after << PFS_SECTOR_SHIFT, b2, sizeof(b2)),
	       pfs_format_size(plan->moved << PFS_SECTOR_SHIFT, b3, sizeof(b3)),
	       done ? "copied" : "to copy");
}

int cmd_defrag(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("defrag");
	struct pfs_defrag_plan *plan;
	struct pfs_pool_handle *pool;
	bool dry_run = false, json = false;
	unsigned int i;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "n", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		dry_run |= c == 'n';
		json |= c == 'j';
	}
	if (optind != argc)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm defrag %s", cmd->usage);
	if (json && !dry_run)
		return pfs_fail(err, PFS_EXIT_ARGS, "--json reports a plan: use it with --dry-run");
	plan = malloc(sizeof(*plan));
	if (!plan)
		return pfs_fail(err, PFS_EXIT_INTERNAL, "out of memory");
	r = pfsadm_open_pool(dry_run ? PFS_OPEN_READ : PFS_OPEN_WRITE, &pool, err);
	if (!r) {
		r = pfs_defrag_plan(pool, plan, err);
		if (!r && json)
			pfsadm_defrag_json(pool, plan);
		else if (!r && dry_run)
			for (i = 0; i < plan->nr_steps; i++)
				pfsadm_defrag_step(&plan->steps[i]);
		else if (!r)
			r = pfs_defrag_run(pool, plan, isatty(STDERR_FILENO), pfsadm_defrag_step,
					   err);
		if (!r && !json)
			pfsadm_defrag_summary(plan, !dry_run);
		pfs_pool_close(pool);
	}
	free(plan);
	return r;
}
