// SPDX-License-Identifier: GPL-2.0
/* pfsadm stats' parser of the pfs status line (docs/target.md). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "stats.h"

static const char line[] =
	"reads=10 writes=20 read_sectors=80 write_sectors=160 flushes=3 discards=4 "
	"in_flight=5 queued=6 queued_bytes=7 throttled=8 queue_full=9 "
	"weight=100 iops_max=0 bps_max=1048576 "
	"charged_ns=11 arb_waits=12 pool_budget_ns=13 pool_floor_ns=14 congested=15 probes=16 "
	"cost_model=1,2,3,4,5,6,7 "
	"pool_uuid=6d695256-c7ed-454a-84a7-c392ee1e7fa7 image_uuid=6d695256-c7ed-454a-84a7-c392ee1e7fa8 "
	"lat_us=16:1,64:2,256:3,1024:4,4096:0,16384:0,65536:0,inf:90";

/* @line with @from replaced by @to: a line that must not parse. */
static int parse_changed(const char *from, const char *to)
{
	struct pfs_image_stats s;
	char buf[sizeof(line) + 64];
	const char *p = strstr(line, from);

	if (!p)
		return 0;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - line), line, to, p + strlen(from));
	return pfs_stats_parse(buf, &s);
}

int main(void)
{
	struct pfs_image_stats s;
	uint64_t lat[PFS_STATS_LAT_BUCKETS] = { 0 };

	CHECK(!pfs_stats_parse(line, &s));
	CHECK(s.reads == 10 && s.writes == 20 && s.read_sectors == 80 && s.write_sectors == 160);
	CHECK(s.flushes == 3 && s.discards == 4 && s.in_flight == 5 && s.queued == 6);
	CHECK(s.queued_bytes == 7 && s.throttled == 8 && s.queue_full == 9);
	CHECK(s.weight == 100 && s.iops_max == 0 && s.bps_max == 1048576);
	CHECK(s.charged_ns == 11 && s.arb_waits == 12 && s.pool_budget_ns == 13 &&
	      s.pool_floor_ns == 14);
	CHECK(s.lat[0] == 1 && s.lat[3] == 4 && s.lat[7] == 90);
	/* Every field is needed; a wrong bucket, number or count is refused. */
	CHECK(parse_changed("reads=10 ", "") == -1);
	CHECK(parse_changed("pool_floor_ns=14 ", "") == -1);
	CHECK(parse_changed("writes=20", "writes=2x") == -1);
	CHECK(parse_changed("writes=20", "writes=") == -1);
	CHECK(parse_changed("writes=20", "writes=99999999999999999999") == -1);
	CHECK(parse_changed("64:2,", "63:2,") == -1);
	CHECK(parse_changed(",inf:90", "") == -1);
	CHECK(parse_changed("inf:90", "inf:90,1") == -1);
	CHECK(parse_changed("inf:90", "inf:") == -1);
	CHECK(parse_changed("lat_us=", "lat=") == -1);
	CHECK(pfs_stats_parse("", &s) == -1);
	/* Unknown fields, a newer kernel's, are left alone. */
	CHECK(parse_changed("probes=16 ", "probes=16 future_field=1 x ") == 0);

	/* Percentiles: the bound of the bucket that holds them. */
	CHECK(pfs_stats_percentile_us(lat, 50) == 0);
	lat[1] = 50;
	lat[2] = 49;
	lat[7] = 1;
	CHECK(pfs_stats_percentile_us(lat, 50) == 64);
	CHECK(pfs_stats_percentile_us(lat, 99) == 256);
	CHECK(pfs_stats_percentile_us(lat, 100) == UINT64_MAX);
	CHECK(pfs_stats_bucket_us(0) == 16 && pfs_stats_bucket_us(6) == 65536);
	CHECK_DONE();
}
