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
	CHECK(size_of("1.5G") == UINT64_MAX);
	CHECK(size_of("1X") == UINT64_MAX);
	CHECK(size_of("1GiBx") == UINT64_MAX);
	CHECK(size_of("16E") == UINT64_MAX);	/* overflows 64 bits */
	CHECK(size_of("18446744073709551616") == UINT64_MAX);
	CHECK(size_of("17179869183G") == 17179869183ULL << 30);
	pfs_format_size(20ULL << 30, buf, sizeof(buf));
	CHECK(!strcmp(buf, "20.0G"));
	pfs_format_size(512, buf, sizeof(buf));
	CHECK(!strcmp(buf, "512B"));
	/* 2^64 - 1 bytes, rounded up to sectors, must not print as 0B. */
	pfs_format_sectors(1ULL << 55, buf, sizeof(buf));
	CHECK(!strcmp(buf, "16.0E"));
	pfs_format_sectors(2048, buf, sizeof(buf));
	CHECK(!strcmp(buf, "1.0M"));
	CHECK_DONE();
}
