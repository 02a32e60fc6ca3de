// SPDX-License-Identifier: GPL-2.0
/* list's columns, sort and units on a made-up table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report.h"

static struct pfs_image_entry entries[3];
static struct pfsadm_row rows[3];

static void entry(unsigned int i, const char *name, uint64_t start, uint64_t len,
		  uint32_t weight, uint64_t bps)
{
	snprintf(entries[i].name, sizeof(entries[i].name), "%s", name);
	entries[i].start = cpu_to_le64(start);
	entries[i].length = cpu_to_le64(len);
	entries[i].weight = cpu_to_le32(weight);
	entries[i].bps_max = cpu_to_le64(bps);
	entries[i].ctime = cpu_to_le64(86400);
	rows[i].e = &entries[i];
	rows[i].state = i == 1 ? PFS_IMAGE_OPEN : PFS_IMAGE_INACTIVE;
	rows[i].open_count = i == 1;
}

/* What pfsadm_report_print() writes for @r. */
static char *render(const struct pfsadm_report *r)
{
	static char out[4096];
	FILE *f = fmemopen(out, sizeof(out), "w");

	pfsadm_report_print(r, rows, 3, f);
	fclose(f);
	if (getenv("TEST_REPORT_SHOW"))
		fputs(out, stderr);
	return out;
}

int main(void)
{
	struct pfsadm_report r;
	struct pfs_error err = { 0 };

	entry(0, "vm2", 4096, 2 << 21, 100, 0);		/* 2 GiB */
	entry(1, "vm10", 2048, 2048, 300, 100 << 20);	/* 1 MiB */
	entry(2, "a", 8 << 21, 4 << 21, 50, 0);		/* 4 GiB */

	pfsadm_report_init(&r);
	CHECK(!strcmp(render(&r),
		      "NAME SIZE STATE    WEIGHT IOPS_MAX  BPS_MAX    START DEVICE\n"
		      "a    4.0G inactive     50        -        - 16777216 /dev/mapper/pfs-a\n"
		      "vm10 1.0M open        300        - 100.0M/s     2048 /dev/mapper/pfs-vm10\n"
		      "vm2  2.0G inactive    100        -        -     4096 /dev/mapper/pfs-vm2\n"));

	/* Numbers sort as numbers, "-" reverses, ties go by name. */
	pfsadm_report_init(&r);
	CHECK(!pfsadm_report_columns(&r, "name,size", &err));
	CHECK(!pfsadm_report_sort(&r, "-size", &err));
	r.headings = false;
	r.unit = 'g';
	CHECK(!strcmp(render(&r), "a    4.00G\nvm2  2.00G\nvm10 0.00G\n"));
	CHECK(!pfsadm_report_sort(&r, "weight", &err));
	r.suffix = false;
	r.unit = 's';
	CHECK(!strcmp(render(&r), "a    8388608\nvm2  4194304\nvm10    2048\n"));

	/* +FIELDS adds to the default columns; the last text column is not padded. */
	pfsadm_report_init(&r);
	CHECK(!pfsadm_report_columns(&r, "+created,open", &err));
	CHECK(strstr(render(&r), "/dev/mapper/pfs-a    1970-01-02T00:00:00Z    0\n"));
	CHECK(!pfsadm_report_columns(&r, "name,state", &err));
	CHECK(strstr(render(&r), "vm10 open\n"));
	/* A moving image says how far its copy is. */
	entries[2].flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_MOVING);
	rows[0].copy_done = 3 << 20;	/* of 4 GiB: rows[] is sorted by now, a first */
	CHECK(strstr(render(&r), "a    inactive,moving:37%\n"));

	CHECK(pfsadm_report_columns(&r, "name,bogus", &err));
	CHECK(err.code == PFS_EXIT_ARGS && strstr(err.msg, "unknown field 'bogus'"));
	memset(&err, 0, sizeof(err));
	CHECK(pfsadm_report_columns(&r, "name,", &err));
	memset(&err, 0, sizeof(err));
	CHECK(pfsadm_report_sort(&r, "-", &err) && strstr(err.msg, "cannot sort by ''"));
	CHECK_DONE();
}
