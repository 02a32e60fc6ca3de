/* SPDX-License-Identifier: GPL-2.0 */
/* pfsadm's subcommands and what they share. */
#ifndef PFSADM_H
#define PFSADM_H

#include <getopt.h>
#include <stdbool.h>

#include "error.h"
#include "pool.h"

struct pfsadm_cmd {
	const char *name;
	const char *usage;	/* after "pfsadm NAME " */
	const char *help;	/* one line */
	const char *options;	/* its arguments and options, with units and defaults */
	int (*run)(int argc, char **argv, struct pfs_error *err);
};

extern const struct pfsadm_cmd pfsadm_commands[];
extern const char *pfsadm_pool;		/* --pool, before or after the command */

/*
 * getopt_long over a subcommand's own options plus --help and --pool.
 * Returns the option, -1 at the end, or '?' after printing usage for --help
 * (*exit_code 0) or a bad option (*exit_code 1).
 */
int pfsadm_getopt(int argc, char **argv, const char *shortopts,
		  const struct option *longopts, const struct pfsadm_cmd *cmd,
		  int *exit_code);
const struct pfsadm_cmd *pfsadm_find(const char *name);
/* Open the pool chosen by --pool, PFS_POOL, /etc/pfs.conf or a scan. */
int pfsadm_open_pool(unsigned int flags, struct pfs_pool_handle **pool, struct pfs_error *err);
/* Open the pool and find image @name in it; NULL (pool closed) if absent. */
struct pfs_image_entry *pfsadm_open_image(const char *name, bool writable,
					  struct pfs_pool_handle **pool, struct pfs_error *err);

int cmd_format(int argc, char **argv, struct pfs_error *err);
int cmd_check(int argc, char **argv, struct pfs_error *err);
int cmd_upgrade(int argc, char **argv, struct pfs_error *err);
int cmd_lock_start(int argc, char **argv, struct pfs_error *err);
int cmd_take_over(int argc, char **argv, struct pfs_error *err);
int cmd_lock_stop(int argc, char **argv, struct pfs_error *err);
int cmd_calibrate(int argc, char **argv, struct pfs_error *err);
int cmd_grow_pool(int argc, char **argv, struct pfs_error *err);
int cmd_dump(int argc, char **argv, struct pfs_error *err);
int cmd_create(int argc, char **argv, struct pfs_error *err);
int cmd_remove(int argc, char **argv, struct pfs_error *err);
int cmd_resize(int argc, char **argv, struct pfs_error *err);
int cmd_import(int argc, char **argv, struct pfs_error *err);
int cmd_export(int argc, char **argv, struct pfs_error *err);
int cmd_move(int argc, char **argv, struct pfs_error *err);
int cmd_defrag(int argc, char **argv, struct pfs_error *err);
int cmd_clone(int argc, char **argv, struct pfs_error *err);
int cmd_rename(int argc, char **argv, struct pfs_error *err);
int cmd_refresh(int argc, char **argv, struct pfs_error *err);
int cmd_set(int argc, char **argv, struct pfs_error *err);
int cmd_restore(int argc, char **argv, struct pfs_error *err);
int cmd_pools(int argc, char **argv, struct pfs_error *err);
int cmd_stats(int argc, char **argv, struct pfs_error *err);
int cmd_list(int argc, char **argv, struct pfs_error *err);
int cmd_show(int argc, char **argv, struct pfs_error *err);
int cmd_activate(int argc, char **argv, struct pfs_error *err);
int cmd_deactivate(int argc, char **argv, struct pfs_error *err);

#endif /* PFSADM_H */
