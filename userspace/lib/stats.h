/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An image's I/O statistics as the pfs target reports them in its status
 * line (docs/target.md), parsed, and what pfsadm stats derives from them.
 */
#ifndef PFS_STATS_H
#define PFS_STATS_H

#include <stdint.h>

#include "error.h"

/* Latency buckets: completions under 16, 64, ... 65536 us, and the rest. */
#define PFS_STATS_LAT_BUCKETS	8

struct pfs_image_stats {
	uint64_t reads, writes, read_sectors, write_sectors, flushes, discards;
	uint64_t in_flight, queued, queued_bytes, throttled, queue_full;
	uint64_t weight, iops_max, bps_max;
	uint64_t charged_ns, arb_waits, pool_budget_ns, pool_floor_ns;
	uint64_t lat[PFS_STATS_LAT_BUCKETS];
};

/* The exclusive upper bound of bucket @i in us; UINT64_MAX for the last. */
uint64_t pfs_stats_bucket_us(unsigned int i);
/* Parse a pfs status line. Returns 0, or -1 if a field is missing or bad. */
int pfs_stats_parse(const char *status, struct pfs_image_stats *s);
/* Read and parse the status of device-mapper device @dm_name. */
int pfs_stats_read(const char *dm_name, struct pfs_image_stats *s, struct pfs_error *err);
/*
 * The latency under which @pct % of completions fell: the upper bound of
 * the bucket that holds that percentile, in us (UINT64_MAX: past the last
 * bound; 0: no completions).
 */
uint64_t pfs_stats_percentile_us(const uint64_t *lat, unsigned int pct);

#endif /* PFS_STATS_H */
