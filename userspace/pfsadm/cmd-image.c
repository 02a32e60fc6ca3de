// SPDX-License-Identifier: GPL-2.0
/* Image lifecycle: create, remove, resize. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "alloc.h"
#include "image.h"
#include "import.h"
#include "pfsadm.h"
#include "size.h"
#include "txn.h"

/* Parse SIZE (of a new image, or of @e) into sectors, rounded up to the alignment. */
static int pfsadm_image_size(const char *text, const struct pfs_pool_handle *pool,
			     const struct pfs_image_entry *e, uint64_t *sectors,
			     struct pfs_error *err)
{
	struct pfs_size_spec spec;

	if (pfs_parse_size_spec(text, &spec))
		return pfs_fail(err, PFS_EXIT_ARGS, "invalid size '%s' (examples: 20G, 1.5T, %s)",
				text, e ? "+5G, -512M, +100%FREE" : "100%FREE");
	return pfs_size_resolve(pool, e, &spec, sectors, err);
}

static int pfsadm_parse_count(const char *opt, const char *text, uint64_t max,
			      uint64_t *value, struct pfs_error *err)
{
	if (pfs_parse_u64(text, value) || *value > max)
		return pfs_fail(err, PFS_EXIT_ARGS, "invalid --%s '%s'", opt, text);
	return 0;
}

/* --weight, --iops-max, --bps-max: shared by create, set and import. */
#define PFSADM_QOS_OPTIONS \
	{ "weight", required_argument, NULL, 'w' }, \
	{ "iops-max", required_argument, NULL, 'i' }, \
	{ "bps-max", required_argument, NULL, 'b' }
static const struct option pfsadm_qos_opts[] = {
	PFSADM_QOS_OPTIONS,
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
	r = pfsadm_image_size(argv[optind + 1], pool, NULL, &len, err) ||
	    pfs_txn_create(pool, name, len, &qos, err) ? -1 : 0;
	if (!r)
		printf("/dev/mapper/" PFS_DM_PREFIX "%s\n", name);
	pfs_pool_close(pool);
	return r;
}

/*
 * Before what cannot be undone, ask whoever is at the terminal, as lvremove
 * does; -y/--yes, or a stdin that is no terminal (a script), answers yes.
 * Returns 0 to go ahead, else fails (PFS_EXIT_ARGS: nothing was done).
 */
static int pfsadm_confirm(bool yes, struct pfs_error *err, const char *fmt, ...)
{
	char answer[16] = "";
	va_list ap;

	if (yes || !isatty(STDIN_FILENO))
		return 0;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" [y/N] ", stderr);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin))
		answer[strcspn(answer, "\n")] = '\0';
	if (!strcasecmp(answer, "y") || !strcasecmp(answer, "yes"))
		return 0;
	return pfs_fail(err, PFS_EXIT_ARGS, "not confirmed; nothing changed");
}

int cmd_remove(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "no-wipe", no_argument, NULL, 'n' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("remove");
	const struct pfs_image_entry *e;
	struct pfs_pool_handle *pool;
	bool wipe = true, yes = false;
	int c, r, code = 0;
	char b[32];

	while ((c = pfsadm_getopt(argc, argv, "y", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		wipe &= c != 'n';
		yes |= c == 'y';
	}
	if (optind != argc - 1)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm remove %s", cmd->usage);
	/* Ask without holding the pool's lock: a person may take a while. */
	if (!yes && isatty(STDIN_FILENO)) {
		e = pfsadm_open_image(argv[optind], false, &pool, err);
		if (!e)
			return -1;
		pfs_format_size(le64_to_cpu(e->length) << PFS_SECTOR_SHIFT, b, sizeof(b));
		pfs_pool_close(pool);
		if (pfsadm_confirm(false, err, "Remove image %s (%s)? Its data is lost.",
				   argv[optind], b))
			return -1;
	}
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	pfs_txn_progress(isatty(STDERR_FILENO));
	r = pfs_txn_remove(pool, argv[optind], wipe, err);
	pfs_pool_close(pool);
	return r;
}

static int pfsadm_resize(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("resize");
	struct pfs_image_entry *e;
	struct pfs_pool_handle *pool;
	bool force = false, yes = false, changed, open_shrink;
	uint64_t len, old;
	int c, code = 0, openers;
	char b1[32], b2[32];

	while ((c = pfsadm_getopt(argc, argv, "fy", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		force |= c == 'f';
		yes |= c == 'y';
	}
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm resize %s", cmd->usage);
	/* Read first: a shrink of an open image is asked about without the lock. */
	e = pfsadm_open_image(argv[optind], false, &pool, err);
	if (!e)
		return -1;
	if (pfsadm_image_size(argv[optind + 1], pool, e, &len, err))
		goto fail;
	old = le64_to_cpu(e->length);
	pfs_format_size(old << 9, b1, sizeof(b1));
	pfs_format_size(len << 9, b2, sizeof(b2));
	if (len < old && !force) {
		pfs_fail(err, PFS_EXIT_ARGS,
			 "shrinking %s from %s to %s destroys data at its end; use --force",
			 e->name, b1, b2);
		goto fail;
	}
	open_shrink = len < old && pfs_image_state(pool, e, &openers) == PFS_IMAGE_OPEN;
	pfs_pool_close(pool);
	if (open_shrink &&
	    pfsadm_confirm(yes, err, "Shrink %s from %s to %s while it is open? What lies past %s is lost to whoever has it open.",
			   argv[optind], b1, b2, b2))
		return -1;
	e = pfsadm_open_image(argv[optind], true, &pool, err);
	if (!e)
		return -1;
	old = le64_to_cpu(e->length);
	if (len < old && !force) {
		pfs_fail(err, PFS_EXIT_ARGS, "%s grew to %s meanwhile; shrinking needs --force",
			 e->name, pfs_format_size(old << 9, b1, sizeof(b1)));
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

/*
 * "-512M" is a size, not options: getopt would read it as -5 -1 -2 ... So
 * "--" goes before the first argument that is a minus and a digit (unless
 * one is there already), and "pfsadm resize NAME -512M" works as
 * "lvresize -L -512M" does.
 */
int cmd_resize(int argc, char **argv, struct pfs_error *err)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int i, n = 0, r;
	bool ended = false;

	if (!args)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	for (i = 0; i < argc; i++) {
		if (!ended && i && argv[i][0] == '-' &&
		    argv[i][1] >= '0' && argv[i][1] <= '9') {
			args[n++] = "--";
			ended = true;
		}
		ended |= !strcmp(argv[i], "--");
		args[n++] = argv[i];
	}
	r = pfsadm_resize(n, args, err);
	free(args);
	return r;
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

/*
 * For a command with no options of its own and @nargs arguments: parse
 * them, open the pool for writing. True to go on; else *@ret is what the
 * command returns (0 after --help).
 */
static bool pfsadm_open_for(const char *name, int nargs, int argc, char **argv,
			    struct pfs_pool_handle **pool, int *ret, struct pfs_error *err)
{
	const struct pfsadm_cmd *cmd = pfsadm_find(name);
	int c;

	*ret = 0;
	while ((c = pfsadm_getopt(argc, argv, "", NULL, cmd, ret)) != -1)
		if (c == '?')
			return false;
	if (optind != argc - nargs)
		*ret = pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm %s %s", name, cmd->usage);
	else
		*ret = pfsadm_open_pool(PFS_OPEN_WRITE, pool, err);
	return !*ret;
}

int cmd_refresh(int argc, char **argv, struct pfs_error *err)
{
	struct pfs_pool_handle *pool;
	bool changed;
	int r;

	if (!pfsadm_open_for("refresh", 1, argc, argv, &pool, &r, err))
		return r;
	r = pfs_txn_refresh(pool, argv[optind], &changed, err);
	if (!r)
		printf(changed ? "%s: device reloaded to match the table\n" :
		       "%s: device already matches the table\n", argv[optind]);
	pfs_pool_close(pool);
	return r;
}

int cmd_rename(int argc, char **argv, struct pfs_error *err)
{
	struct pfs_pool_handle *pool;
	int r;

	if (!pfsadm_open_for("rename", 2, argc, argv, &pool, &r, err))
		return r;
	r = pfs_txn_rename(pool, argv[optind], argv[optind + 1], err);
	if (!r)
		printf("renamed %s to %s\n", argv[optind], argv[optind + 1]);
	pfs_pool_close(pool);
	return r;
}

int cmd_import(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		PFSADM_QOS_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("import");
	const char *format = NULL;
	struct pfs_qos qos = { 0 };
	struct pfs_pool_handle *pool;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (c == 'F')
			format = optarg;
		else if (pfsadm_parse_qos(c, optarg, &qos, err))
			return -1;
	}
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm import %s", cmd->usage);
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	pfs_txn_progress(isatty(STDERR_FILENO));
	r = pfs_image_import(pool, argv[optind], argv[optind + 1], format, &qos,
			     isatty(STDOUT_FILENO), err);
	if (!r)
		printf("/dev/mapper/" PFS_DM_PREFIX "%s\n", argv[optind]);
	pfs_pool_close(pool);
	return r;
}

int cmd_export(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("export");
	const char *format = "raw";
	struct pfs_pool_handle *pool;
	bool force = false;
	int c, r, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (c == 'F')
			format = optarg;
		force |= c == 'f';
	}
	if (optind != argc - 2)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm export %s", cmd->usage);
	if (pfsadm_open_pool(PFS_OPEN_WRITE, &pool, err))
		return -1;
	r = pfs_image_export(pool, argv[optind], argv[optind + 1], format, force,
			     isatty(STDOUT_FILENO), err);
	pfs_pool_close(pool);
	return r;
}
