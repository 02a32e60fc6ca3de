// SPDX-License-Identifier: GPL-2.0
/* pfsadm: manage dm-pfs pools and the VM images carved out of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "lock.h"
#include "pfs-format.h"
#include "pfsadm.h"
#include "probe.h"
#include "size.h"

#ifndef PFS_VERSION
#define PFS_VERSION "unknown"
#endif

const char *pfsadm_pool;

const struct pfsadm_cmd pfsadm_commands[] = {
	{ "format", "DEVICE [--align SIZE] [--force]",
	  "make DEVICE an empty pool (refuses a device with data on it)", cmd_format },
	{ "create", "NAME SIZE [--weight N] [--iops-max N] [--bps-max SIZE]",
	  "allocate an image and create /dev/mapper/pfs-NAME", cmd_create },
	{ "remove", "NAME [--no-wipe]",
	  "remove the device and free the extent (zeroed before reuse)", cmd_remove },
	{ "resize", "NAME SIZE [--force]",
	  "grow an image in place (shrinking needs --force)", cmd_resize },
	{ "set", "NAME [--weight N] [--iops-max N] [--bps-max SIZE]",
	  "change an image's QoS, persistently and live", cmd_set },
	{ "refresh", "NAME", "reload an active image's device to match the table", cmd_refresh },
	{ "list", "[--free] [--json] [--names]",
	  "list the images (or the free extents, or just the names)", cmd_list },
	{ "show", "NAME [--json]", "show one image", cmd_show },
	{ "activate", "NAME|--all", "create the dm device of images", cmd_activate },
	{ "deactivate", "NAME|--all", "remove the dm device of images", cmd_deactivate },
	{ "check", "DEVICE [--repair]",
	  "verify the superblock, its backup and both table copies", cmd_check },
	{ "upgrade", "[DEVICE]", "bring a pool to the current on-disk format, in place",
	  cmd_upgrade },
	{ "calibrate", "[--seconds N] [--show] [--json]",
	  "measure what the pool's device spends per operation, for the arbiter", cmd_calibrate },
	{ "dump", "DEVICE", "print all metadata as JSON", cmd_dump },
	{ "restore", "DEVICE FILE [--force]", "rewrite a pool's metadata from a dump", cmd_restore },
	{ NULL, NULL, NULL, NULL },
};

const struct pfsadm_cmd *pfsadm_find(const char *name)
{
	const struct pfsadm_cmd *c;

	for (c = pfsadm_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int pfsadm_open_pool(unsigned int flags, struct pfs_pool_handle **pool, struct pfs_error *err)
{
	char path[4096];

	if (pfs_find_pool(pfsadm_pool, path, sizeof(path), err))
		return -1;
	return pfs_pool_open(path, flags, pool, err);
}

struct pfs_image_entry *pfsadm_open_image(const char *name, bool writable,
					  struct pfs_pool_handle **pool, struct pfs_error *err)
{
	struct pfs_image_entry *e;

	if (pfsadm_open_pool(writable ? PFS_OPEN_WRITE : PFS_OPEN_READ, pool, err))
		return NULL;
	e = pfs_pool_find(*pool, name);
	if (!e) {
		pfs_fail(err, PFS_EXIT_DEVICE, "no image named %s", name);
		pfs_pool_close(*pool);
		*pool = NULL;
	}
	return e;
}

static void pfsadm_usage(FILE *out)
{
	const struct pfsadm_cmd *c;

	fprintf(out, "usage: pfsadm [--pool DEVICE] [--wait SECONDS] COMMAND [ARGS]\n\ncommands:\n");
	for (c = pfsadm_commands; c->name; c++)
		fprintf(out, "  %-11s %s\n", c->name, c->help);
	fprintf(out, "\nRun 'pfsadm COMMAND --help' for a command's arguments.\n"
		"A command that changes a pool waits up to --wait seconds (60) for its lock.\n"
		"Sizes take K, M, G, T suffixes (powers of 1024); no suffix means MiB\n"
		"(--bps-max needs one: 1000000B, 100M).\n"
		"Exit codes: 0 ok, 1 bad arguments, 2 no permission, 3 out of memory,\n"
		"4 wrong device, 5 exists or busy.\n");
}

/* --wait SECONDS: how long a command waits for the pool's lock. */
static int pfsadm_set_wait(const char *text)
{
	uint64_t seconds;

	if (pfs_parse_u64(text, &seconds) || seconds > 86400) {
		fprintf(stderr, "pfsadm: invalid --wait '%s' (seconds, 0 to 86400)\n", text);
		return -1;
	}
	pfs_lock_set_wait((unsigned int)seconds);
	return 0;
}

int pfsadm_getopt(int argc, char **argv, const char *shortopts,
		  const struct option *longopts, const struct pfsadm_cmd *cmd,
		  int *exit_code)
{
	struct option all[17];
	unsigned int n = 0;
	int c;

	while (longopts && longopts[n].name && n < 13) {
		all[n] = longopts[n];
		n++;
	}
	all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n++] = (struct option){ "pool", required_argument, NULL, 'P' };
	all[n++] = (struct option){ "wait", required_argument, NULL, 'W' };
	all[n] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;	/* our own one-line message instead of getopt's */
	for (;;) {
		c = getopt_long(argc, argv, shortopts, all, NULL);
		if (c == 'P') {
			pfsadm_pool = optarg;
			continue;
		}
		if (c == 'W') {
			if (pfsadm_set_wait(optarg)) {
				*exit_code = PFS_EXIT_ARGS;
				return '?';
			}
			continue;
		}
		if (c == 'h') {
			printf("usage: pfsadm %s %s\n%s\n", cmd->name, cmd->usage, cmd->help);
			*exit_code = PFS_EXIT_OK;
			return '?';
		}
		if (c == '?') {
			fprintf(stderr, "pfsadm %s: invalid option or missing value '%s' (usage: pfsadm %s %s)\n",
				cmd->name, argv[optind - 1], cmd->name, cmd->usage);
			*exit_code = PFS_EXIT_ARGS;
		}
		return c;
	}
}

/* The lock file names its holder: "pfsadm remove vm1". */
static void pfsadm_name_lock_owner(int argc, char **argv)
{
	char owner[256];
	size_t used;
	int i;

	used = (size_t)snprintf(owner, sizeof(owner), "pfsadm");
	for (i = 0; i < argc && used < sizeof(owner); i++)
		used += (size_t)snprintf(owner + used, sizeof(owner) - used, " %s", argv[i]);
	pfs_lock_set_owner(owner);
}

int main(int argc, char **argv)
{
	struct pfs_error err = { 0 };
	const struct pfsadm_cmd *cmd;
	int i = 1, r;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("pfsadm %s (on-disk format %d)\n", PFS_VERSION, PFS_FORMAT_VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			pfsadm_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--pool") && i + 1 < argc) {
			pfsadm_pool = argv[i + 1];
			i += 2;
			continue;
		}
		if (!strncmp(argv[i], "--pool=", 7)) {
			pfsadm_pool = argv[i] + 7;
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--wait") && i + 1 < argc) {
			if (pfsadm_set_wait(argv[i + 1]))
				return PFS_EXIT_ARGS;
			i += 2;
			continue;
		}
		fprintf(stderr, "pfsadm: unknown option %s\n", argv[i]);
		return PFS_EXIT_ARGS;
	}
	if (i >= argc) {
		pfsadm_usage(stderr);
		return PFS_EXIT_ARGS;
	}
	cmd = pfsadm_find(argv[i]);
	if (!cmd) {
		fprintf(stderr, "pfsadm: unknown command '%s' (see pfsadm --help)\n", argv[i]);
		return PFS_EXIT_ARGS;
	}
	pfsadm_name_lock_owner(argc - i, argv + i);
	optind = 1;
	r = cmd->run(argc - i, argv + i, &err);
	if (r && err.code) {
		fprintf(stderr, "pfsadm %s: %s\n", cmd->name, err.msg);
		r = err.code;
	}
	pfs_dm_exit();
	return r;
}
