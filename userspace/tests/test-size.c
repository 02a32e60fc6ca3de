// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "size.h"

static uint64_t size_of(const char *text)
{
	uint64_t v = 0;

	return pfs_parse_size(text, &v) ? UINT64_MAX : v;
}

int main(void)
{
	struct pfs_size_spec spec;
	char buf[32];

	CHECK(size_of("20G") == 20ULL << 30);
	CHECK(size_of("20g") == 20ULL << 30);
	CHECK(size_of("20GiB") == 20ULL << 30);
	CHECK(size_of("20GB") == 20ULL << 30);
	CHECK(size_of("512M") == 512ULL << 20);
	CHECK(size_of("1T") == 1ULL << 40);
	CHECK(size_of("4K") == 4096);
	CHECK(size_of("100") == 100ULL << 20);	/* no unit: MiB, as lvcreate */
	CHECK(size_of("8s") == 4096);
	CHECK(size_of("4096B") == 4096);
	CHECK(size_of("") == UINT64_MAX);
	CHECK(size_of("G") == UINT64_MAX);
	CHECK(size_of("-1G") == UINT64_MAX);
	CHECK(size_of("1.5G") == 3ULL << 29);
	CHECK(size_of("0.5T") == 1ULL << 39);
	CHECK(size_of("2.25") == 9ULL << 18);	/* MiB */
	CHECK(size_of("0.1K") == 103);		/* 102.4 bytes, rounded up */
	CHECK(size_of("1.000000001G") == (1ULL << 30) + 2);
	CHECK(size_of("1.5s") == UINT64_MAX);	/* half a sector */
	CHECK(size_of("1.5B") == UINT64_MAX);
	CHECK(size_of("1.G") == UINT64_MAX);
	CHECK(size_of(".5G") == UINT64_MAX);
	CHECK(size_of("1.5.5G") == UINT64_MAX);
	CHECK(size_of("1.0000000001G") == UINT64_MAX);	/* 10 decimals */
	CHECK(size_of("15.999999999E") == UINT64_MAX - 1152921503);
	CHECK(size_of("15.9999999999E") == UINT64_MAX);
	CHECK(size_of("16.0E") == UINT64_MAX);
	CHECK(size_of("1X") == UINT64_MAX);
	CHECK(size_of("1GiBx") == UINT64_MAX);
	CHECK(size_of("16E") == UINT64_MAX);	/* overflows 64 bits */
	CHECK(size_of("18446744073709551616") == UINT64_MAX);
	CHECK(size_of("17179869183G") == 17179869183ULL << 30);
	CHECK(!pfs_parse_size_spec("20G", &spec) && spec.kind == PFS_SIZE_ABSOLUTE &&
	      spec.bytes == 20ULL << 30);
	CHECK(!pfs_parse_size_spec("+1.5G", &spec) && spec.kind == PFS_SIZE_GROW &&
	      spec.bytes == 3ULL << 29);
	CHECK(!pfs_parse_size_spec("-512M", &spec) && spec.kind == PFS_SIZE_SHRINK &&
	      spec.bytes == 512ULL << 20);
	CHECK(!pfs_parse_size_spec("50%FREE", &spec) && spec.kind == PFS_SIZE_PCT_FREE &&
	      spec.pct == 50);
	CHECK(!pfs_parse_size_spec("100%free", &spec) && spec.pct == 100);
	CHECK(!pfs_parse_size_spec("+25%FREE", &spec) && spec.kind == PFS_SIZE_GROW_PCT_FREE &&
	      spec.pct == 25);
	CHECK(pfs_parse_size_spec("-25%FREE", &spec));
	CHECK(pfs_parse_size_spec("0%FREE", &spec));
	CHECK(pfs_parse_size_spec("101%FREE", &spec));
	CHECK(pfs_parse_size_spec("50%", &spec));
	CHECK(pfs_parse_size_spec("%FREE", &spec));
	CHECK(pfs_parse_size_spec("+-1G", &spec));
	CHECK(pfs_parse_size_spec("++1G", &spec));
	CHECK(pfs_parse_size_spec("+", &spec));
	CHECK(pfs_parse_size_spec("1.5%FREE", &spec));
	pfs_format_size(20ULL << 30, buf, sizeof(buf));
	CHECK(!strcmp(buf, "20.0G"));
	pfs_format_size(512, buf, sizeof(buf));
	CHECK(!strcmp(buf, "512B"));
	/* 2^64 - 1 bytes, rounded up to sectors, must not print as 0B. */
	pfs_format_sectors(1ULL << 55, buf, sizeof(buf));
	CHECK(!strcmp(buf, "16.0E"));
	pfs_format_sectors(2048, buf, sizeof(buf));
	CHECK(!strcmp(buf, "1.0M"));

	CHECK(pfs_parse_units("g") == 'g' && pfs_parse_units("G") == 'g');
	CHECK(pfs_parse_units("h") == 'h' && pfs_parse_units("s") == 's');
	CHECK(!pfs_parse_units("") && !pfs_parse_units("x") && !pfs_parse_units("gb"));
	CHECK(!strcmp(pfs_format_units(20ULL << 30, 'g', true, buf, sizeof(buf)), "20.00G"));
	CHECK(!strcmp(pfs_format_units(3ULL << 29, 'g', false, buf, sizeof(buf)), "1.50"));
	CHECK(!strcmp(pfs_format_units(1ULL << 20, 'b', true, buf, sizeof(buf)), "1048576B"));
	CHECK(!strcmp(pfs_format_units(1ULL << 20, 's', false, buf, sizeof(buf)), "2048"));
	CHECK(!strcmp(pfs_format_units(20ULL << 30, 'h', true, buf, sizeof(buf)), "20.0G"));
	CHECK(!strcmp(pfs_format_units(1ULL << 40, 'e', true, buf, sizeof(buf)), "0.00E"));
	CHECK_DONE();
}
