/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfsadm calibrate: measure what each kind of operation costs the pool's
 * device, and keep the model in the superblock (pfs-format.h, version 3)
 * for the arbiter (pfs-arb.h). Reads sample the whole data area; writes,
 * flushes and discards go to free space only, held by a dirty reservation
 * (freespace.h) while they run, so no image's data is touched and the
 * space is zeroed before anyone reuses it.
 */
#ifndef PFS_CALIBRATE_H
#define PFS_CALIBRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "pfs-arb.h"
#include "pool.h"

/* Device time per operation at saturation, ns; 0: not measured. */
struct pfs_calib_sample {
	double rand_read_4k;	/* random 4 KiB reads, 32 deep */
	double seq_read_4k;	/* sequential 4 KiB reads, 32 deep */
	double seq_read_1m;	/* sequential 1 MiB reads, 4 deep */
	double rand_write_4k;
	double seq_write_1m;
	double flush;		/* fdatasync after a 4 KiB write, alone */
	double discard;		/* a 1 MiB discard, alone */
};

/*
 * The model the samples give: per-operation and per-MiB parts solved from
 * the 4 KiB random and 1 MiB sequential figures, the sequential discount
 * from the two 4 KiB ones. What was not measured (no free space for
 * writes, no discard) scales from the reads by the default model's ratios.
 * Every figure lands within pfs_sb_validate()'s bounds.
 */
void pfs_calib_derive(const struct pfs_calib_sample *s, struct pfs_cost_model *m);

/* Measure for @seconds per figure, commit the model, tell live maps. */
int pfs_calibrate(struct pfs_pool_handle *pool, double seconds, struct pfs_calib_sample *s,
		  struct pfs_cost_model *m, struct pfs_error *err);

#endif /* PFS_CALIBRATE_H */
