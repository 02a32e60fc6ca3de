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

/* What two or more commands' --help say alike. */
#define PFSADM_HELP_SIZE \
	"  SIZE            K, M, G, T, P, E (powers of 1024; iB or B may follow;\n" \
	"                  decimals too: 1.5G), S for 512-byte sectors, a plain\n" \
	"                  number means MiB; rounded up to the pool's alignment\n" \
	"                  (1M unless format --align said otherwise)\n"
#define PFSADM_HELP_QOS \
	"  --weight N      the image's share of the device when images compete,\n" \
	"                  1 to 10000 (default 100): 200 gets twice what 100 gets;\n" \
	"                  an image alone, or with idle neighbours, gets it all\n" \
	"  --iops-max N    a cap in operations per second (default 0: none)\n" \
	"  --bps-max SIZE  a cap in bytes per second, with a unit: 100M, 1000000B\n" \
	"                  (default 0: none)\n"
#define PFSADM_HELP_JSON \
	"  --json          one JSON report (docs/pfsadm.md)\n"
#define PFSADM_HELP_DEVICE \
	"  DEVICE          the pool's device, or UUID=<pool UUID> (default: the\n" \
	"                  pool --pool, PFS_POOL or /etc/pfs.conf names, or the\n" \
	"                  only one found)\n"
#define PFSADM_HELP_ALL_SHARED \
	"  --all           every shared pool found (the one --pool or PFS_POOL\n" \
	"                  names, if one does)\n"
#define PFSADM_HELP_ALL \
	"  --all           every image of the pool (of every pool found, when\n" \
	"                  --pool or PFS_POOL names none)\n"

const struct pfsadm_cmd pfsadm_commands[] = {
	{ "format", "DEVICE [--align SIZE] [--force] [--shared]",
	  "make DEVICE an empty pool (refuses a device with data on it)",
	  "  DEVICE          a whole disk, partition or LUN; all of it becomes the pool\n"
	  "  --align SIZE    the unit images start on and are rounded up to, a power\n"
	  "                  of two from 4K to 1G (default 1M)\n"
	  "  --force         erase every signature libblkid finds first (filesystem,\n"
	  "                  RAID, LVM, partition table); without it such a device\n"
	  "                  is refused\n"
	  "  --shared        for several hosts at once (a LUN all of them see): sanlock\n"
	  "                  leases order their changes; needs host_id in /etc/pfs.conf\n"
	  "                  and the sanlock daemon; this host joins the pool\n", cmd_format },
	{ "create", "NAME SIZE [--weight N] [--iops-max N] [--bps-max SIZE]",
	  "allocate an image and create /dev/mapper/pfs-NAME",
	  "  NAME            letters, digits and . _ + -, up to 123, not starting\n"
	  "                  with . or -: the device is /dev/mapper/pfs-NAME, and\n"
	  "                  /dev/pfs/NAME with the udev rules\n"
	  PFSADM_HELP_SIZE
	  "                  or N%FREE: N % (1 to 100) of the largest free extent\n"
	  PFSADM_HELP_QOS, cmd_create },
	{ "remove", "NAME [--no-wipe] [--yes]",
	  "remove the device and free the extent (zeroed before reuse)",
	  "  --no-wipe       free the extent without zeroing it now; it stays\n"
	  "                  recorded dirty and is zeroed before another image gets it\n"
	  "  -y, --yes       do not ask (on a terminal it asks first)\n",
	  cmd_remove },
	{ "resize", "NAME SIZE [--force] [--yes]",
	  "grow an image in place (shrinking needs --force)",
	  PFSADM_HELP_SIZE
	  "                  or +SIZE, -SIZE (relative), +N%FREE (N % of the free\n"
	  "                  space right after the image)\n"
	  "  -f, --force     allow a shrink: what lies past the new end is lost\n"
	  "  -y, --yes       do not ask before shrinking an open image (on a\n"
	  "                  terminal it asks)\n",
	  cmd_resize },
	{ "set", "NAME [--weight N] [--iops-max N] [--bps-max SIZE]",
	  "change an image's QoS, persistently and live", PFSADM_HELP_QOS, cmd_set },
	{ "import", "NAME FILE [--format FMT] [--weight N] [--iops-max N] [--bps-max SIZE]",
	  "create an image from a disk image file (raw, qcow2, vmdk ...), with qemu-img",
	  "  FILE            any disk image qemu-img reads; the image gets its\n"
	  "                  virtual size, rounded up to the pool's alignment\n"
	  "  --format FMT    FILE's format (default: what qemu-img finds)\n"
	  PFSADM_HELP_QOS, cmd_import },
	{ "export", "NAME FILE [--format FMT] [--force]",
	  "copy an image into a new disk image file, with qemu-img",
	  "  --format FMT    the file's format: raw (the default), qcow2, vmdk ...\n"
	  "  --force         also of an open image (a running VM's disk: the copy is\n"
	  "                  not consistent) and over an existing FILE\n", cmd_export },
	{ "move", "NAME [--to SECTOR | --to-pool DEVICE | --abort [--force]]",
	  "move an image to another extent or another pool, live (or finish a move)",
	  "  --to SECTOR     where its new extent starts, a free and aligned pool\n"
	  "                  sector (default: the best fit, as create picks)\n"
	  "  --to-pool DEVICE  to another pool (a device or UUID=...), best fit there;\n"
	  "                  the image keeps its name, UUID and /dev/pfs/NAME\n"
	  "  --abort         undo a move under way (or cut short): what was copied\n"
	  "                  goes back, live, and the image stays where it was\n"
	  "  --force         with --abort: drop a move to a pool that is not present\n",
	  cmd_move },
	{ "clone", "SRC DST",
	  "copy an image into a new image, live: DST is SRC as of the copy's end",
	  "  SRC             the image to copy, active (its VM running) or not\n"
	  "  DST             the new image's name, as create takes it; it gets a\n"
	  "                  best-fit extent, SRC's QoS and a device once the copy\n"
	  "                  is done (run again to finish a cut clone; pfsadm\n"
	  "                  remove DST abandons one)\n",
	  cmd_clone },
	{ "defrag", "[--dry-run] [--json]",
	  "move images, live, until the pool's free space is one extent",
	  "  -n, --dry-run   print the plan (which image goes where) and change\n"
	  "                  nothing\n"
	  "  --json          the plan as one JSON report (with --dry-run)\n",
	  cmd_defrag },
	{ "rename", "NAME NEW_NAME", "rename an image, live: its device becomes pfs-NEW_NAME",
	  "  NEW_NAME        as create takes NAME; /dev/pfs/NAME follows, the\n"
	  "                  device's dm UUID (what libvirt or udev rules may\n"
	  "                  match) stays\n", cmd_rename },
	{ "refresh", "NAME", "make an image's device match the table (a cut resize or rename)", "",
	  cmd_refresh },
	{ "pools", "[--json]",
	  "summarise each pool: size, used, free, largest free extent, images",
	  PFSADM_HELP_JSON, cmd_pools },
	{ "list", "[-o FIELDS] [--sort FIELD] [--units U] [--nosuffix] [--noheadings] [--json] [--names] [--free]",
	  "list the images (or the free extents, or just the names)",
	  "  -o, --options FIELDS  the columns, comma-separated; +FIELDS adds them to\n"
	  "                  the default ones (name,size,state,weight,iops_max,\n"
	  "                  bps_max,start,device); also uuid, open, end, created\n"
	  "  --sort FIELD    sort by FIELD (default name); -FIELD for descending\n"
	  "  --units U       sizes in h (human, the default), b (bytes), s (512-byte\n"
	  "                  sectors), k, m, g, t, p, e (powers of 1024)\n"
	  "  --nosuffix      sizes without their unit letter\n"
	  "  --noheadings    no heading line\n"
	  PFSADM_HELP_JSON
	  "  --names         only the names, one per line\n"
	  "  --free          the free extents instead, and what is left to zero\n", cmd_list },
	{ "show", "NAME [--json]", "show one image", PFSADM_HELP_JSON, cmd_show },
	{ "stats", "[NAME] [--watch SECONDS | --json | --prometheus]",
	  "I/O of each active image, as iostat shows a disk's",
	  "  NAME            one image (default: every image of the pool)\n"
	  "  --watch SECONDS rates every SECONDS (1 to 3600) until interrupted;\n"
	  "                  without it, one report of the rates over 1 second\n"
	  "  --json          the counters since activation, as one JSON report\n"
	  "  --prometheus    the same in node_exporter's textfile collector format\n",
	  cmd_stats },
	{ "activate", "NAME|--all [--shared]", "create the dm device of images", PFSADM_HELP_ALL
	  "                  (in a shared pool: the images this host ran when it\n"
	  "                  stopped, unless another host has taken one over since)\n"
	  "  --shared        in a shared pool, take the image's lease shared, so that\n"
	  "                  two hosts hold it during a live migration (the host that\n"
	  "                  runs it first converts its own the same way); activate\n"
	  "                  without it converts back to exclusive\n", cmd_activate },
	{ "deactivate", "NAME|--all", "remove the dm device of images (not an open one)",
	  PFSADM_HELP_ALL, cmd_deactivate },
	{ "check", "[DEVICE] [--repair]",
	  "verify the superblock, its backup and both table copies",
	  PFSADM_HELP_DEVICE
	  "  --repair        rewrite what is damaged or stale from the good copy\n",
	  cmd_check },
	{ "take-over", "[DEVICE]", "make another host's pool this host's (a disk moved here)",
	  PFSADM_HELP_DEVICE, cmd_take_over },
	{ "lock-start", "[DEVICE | --all]", "join a shared pool's sanlock lockspace (before using it)",
	  PFSADM_HELP_DEVICE PFSADM_HELP_ALL_SHARED, cmd_lock_start },
	{ "lock-stop", "[DEVICE | --all]", "leave a shared pool's lockspace (nothing of it held here)",
	  PFSADM_HELP_DEVICE PFSADM_HELP_ALL_SHARED, cmd_lock_stop },
	{ "upgrade", "[DEVICE]", "bring a pool to the current on-disk format, in place",
	  PFSADM_HELP_DEVICE, cmd_upgrade },
	{ "grow-pool", "[DEVICE]", "take in the space the pool's device gained (a grown LUN)",
	  PFSADM_HELP_DEVICE, cmd_grow_pool },
	{ "calibrate", "[--seconds N] [--show] [--json]",
	  "measure what the pool's device spends per operation, for the arbiter",
	  "  --seconds N     seconds per figure, 1 to 60 (default 1; about 7 N in all)\n"
	  "  --show          print the current model, measure nothing\n"
	  PFSADM_HELP_JSON, cmd_calibrate },
	{ "dump", "[DEVICE]", "print all metadata as JSON", PFSADM_HELP_DEVICE, cmd_dump },
	{ "restore", "DEVICE FILE [--force]", "rewrite a pool's metadata from a dump",
	  "  DEVICE          the pool's device, or UUID=<pool UUID> while it is\n"
	  "                  still readable\n"
	  "  FILE            what dump printed\n"
	  "  --force         also over another tool's signature or another pool\n"
	  "                  (another UUID)\n", cmd_restore },
	{ NULL, NULL, NULL, NULL, NULL },
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

	fprintf(out, "usage: pfsadm [--pool DEVICE] [--wait SECONDS] COMMAND [ARGS]\n\n"
		"Quick start:\n"
		"  pfsadm format /dev/nvme1n1      # the whole device becomes a pool\n"
		"  pfsadm create vm1 20G           # a contiguous image: /dev/pfs/vm1\n"
		"  qemu-system-x86_64 -drive file=/dev/pfs/vm1,format=raw,cache=none ...\n"
		"\ncommands:\n");
	for (c = pfsadm_commands; c->name; c++)
		fprintf(out, "  %-11s %s\n", c->name, c->help);
	fprintf(out, "\nRun 'pfsadm COMMAND --help' for a command's arguments.\n"
		"A command that changes a pool waits up to --wait seconds (60) for its lock.\n"
		"Sizes take K, M, G, T suffixes (powers of 1024) and decimals (1.5G); no\n"
		"suffix means MiB (--bps-max needs one: 1000000B, 100M); an image's size\n"
		"is rounded up to the pool's alignment (1M by default).\n"
		"The pool is the one --pool, PFS_POOL or /etc/pfs.conf names (a device or\n"
		"UUID=<pool UUID>, as pfsadm pools shows it), or the only one found.\n"
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
			printf("usage: pfsadm %s %s\n%s\n\n%s"
			       "  --pool DEVICE   the pool: a device or UUID=<pool UUID> (default:\n"
			       "                  PFS_POOL, /etc/pfs.conf, the only one found)\n"
			       "  --wait SECONDS  how long to wait for the pool's lock (default 60)\n",
			       cmd->name, cmd->usage, cmd->help, cmd->options);
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
