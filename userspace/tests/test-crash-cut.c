// SPDX-License-Identifier: GPL-2.0
/*
 * Crash-cut: every metadata update pfsadm makes is two table-copy writes.
 * Stop them after every sector prefix and check that the pool then loads
 * the old table or the new one, never neither and never a mix, and only
 * the new one once the first write is complete.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "pool.h"

#define META_BYTES	((size_t)PFS_METADATA_SECTORS << PFS_SECTOR_SHIFT)
#define ENTRY_BYTES	(PFS_MAX_IMAGES * sizeof(struct pfs_image_entry))

static char path[] = "/tmp/pfs-test-cut-XXXXXX";
static unsigned long cuts;

static void meta_io(void *buf, bool write_it)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 || (write_it ? pwrite(fd, buf, META_BYTES, 0) :
		       pread(fd, buf, META_BYTES, 0)) != (ssize_t)META_BYTES)
		abort();
	close(fd);
}

static struct pfs_pool *open_pool(void)
{
	struct pfs_error err = { 0 };
	struct pfs_pool *pool;

	if (pfs_pool_open(path, true, &pool, &err)) {
		fprintf(stderr, "open: %s\n", err.msg);
		return NULL;
	}
	return pool;
}

/* Load the pool and check its table is @want (or @alt, if not NULL). */
static void expect_table(const char *what, size_t cut, const unsigned char *want,
			 const unsigned char *alt)
{
	struct pfs_pool *pool = open_pool();

	cuts++;
	if (!pool) {
		fprintf(stderr, "%s: pool lost at cut %zu\n", what, cut);
		check_failures++;
		return;
	}
	if (memcmp(pfs_table_entries(pool->table), want, ENTRY_BYTES) &&
	    (!alt || memcmp(pfs_table_entries(pool->table), alt, ENTRY_BYTES))) {
		fprintf(stderr, "%s: wrong table at cut %zu\n", what, cut);
		check_failures++;
	}
	pfs_pool_close(pool);
}

/*
 * Run @change + commit, then replay every cut of the two copy writes it
 * made: during the first, the old or the new table loads; during the
 * mirror, only the new one.
 */
static void cut_every_prefix(const char *what, void (*change)(struct pfs_pool *))
{
	const size_t copy_bytes = (size_t)PFS_TABLE_SECTORS << PFS_SECTOR_SHIFT;
	unsigned char *before = malloc(META_BYTES), *after = malloc(META_BYTES);
	unsigned char *state = malloc(META_BYTES);
	static unsigned char old_entries[ENTRY_BYTES], new_entries[ENTRY_BYTES];
	struct pfs_error err = { 0 };
	struct pfs_pool *pool = open_pool();
	size_t first, second, k;

	if (!pool || !before || !after || !state)
		abort();
	meta_io(before, false);
	memcpy(old_entries, pfs_table_entries(pool->table), ENTRY_BYTES);
	first = le64_to_cpu(pool->sb->table_offset[1 - pool->current]) << PFS_SECTOR_SHIFT;
	second = le64_to_cpu(pool->sb->table_offset[pool->current]) << PFS_SECTOR_SHIFT;
	change(pool);
	CHECK(pfs_pool_commit(pool, &err) == 0);
	memcpy(new_entries, pfs_table_entries(pool->table), ENTRY_BYTES);
	pfs_pool_close(pool);
	meta_io(after, false);
	/* Nothing but the two copies changed; both now hold the new table. */
	CHECK(!memcmp(before, after, PFS_TABLE_OFFSET(0) << PFS_SECTOR_SHIFT));
	CHECK(!memcmp(after + first, after + second, copy_bytes));

	for (k = 0; k <= PFS_TABLE_SECTORS; k++) {
		memcpy(state, before, META_BYTES);
		memcpy(state + first, after + first, k << PFS_SECTOR_SHIFT);
		meta_io(state, true);
		if (k == PFS_TABLE_SECTORS)
			expect_table(what, k, new_entries, NULL);
		else
			expect_table(what, k, old_entries, new_entries);
	}
	for (k = 0; k <= PFS_TABLE_SECTORS; k++) {
		memcpy(state, before, META_BYTES);
		memcpy(state + first, after + first, copy_bytes);
		memcpy(state + second, after + second, k << PFS_SECTOR_SHIFT);
		meta_io(state, true);
		expect_table(what, PFS_TABLE_SECTORS + k, new_entries, NULL);
	}
	meta_io(after, true);
	free(before);
	free(after);
	free(state);
}

static void create_a(struct pfs_pool *pool) { add_image(pool, "a", 2048, 4096); }
static void create_b(struct pfs_pool *pool) { add_image(pool, "b", 8192, 2048); }
static void create_c(struct pfs_pool *pool) { add_image(pool, "c", 20480, 2048); }
static void remove_a(struct pfs_pool *pool) { memset(pfs_pool_find(pool, "a"), 0, sizeof(struct pfs_image_entry)); }
static void grow_b(struct pfs_pool *pool) { pfs_pool_find(pool, "b")->length = cpu_to_le64(8192); }
static void set_c(struct pfs_pool *pool) { pfs_pool_find(pool, "c")->weight = cpu_to_le32(500); }

int main(void)
{
	struct pfs_format_opts opts = { .align_sectors = PFS_DEFAULT_ALIGN_SECTORS };
	struct pfs_error err = { 0 };
	int fd = mkstemp(path);

	CHECK(fd >= 0 && ftruncate(fd, 64 << 20) == 0);
	close(fd);
	CHECK(pfs_pool_format(path, &opts, &err) == 0);
	cut_every_prefix("create a", create_a);
	cut_every_prefix("create b", create_b);
	cut_every_prefix("create c", create_c);
	cut_every_prefix("remove a", remove_a);
	cut_every_prefix("grow b", grow_b);
	cut_every_prefix("set c", set_c);
	printf("%lu cut points, all loaded the old or the new table\n", cuts);
	unlink(path);
	CHECK_DONE();
}
