// SPDX-License-Identifier: GPL-2.0
/* The shared loader and pfsadm's commit path, on a pool in a temp file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "check.h"
#include "fixtures.h"
#include "archive.h"
#include "metadata-json.h"
#include "pool.h"

static char path[] = "/tmp/pfs-test-table-XXXXXX";
static char archive[] = "/tmp/pfs-test-archive-XXXXXX";

static struct pfs_pool_handle *open_pool(bool writable)
{
	struct pfs_error err = { 0 };
	struct pfs_pool_handle *pool = NULL;

	if (pfs_pool_open(path, writable, &pool, &err)) {
		fprintf(stderr, "open: %s\n", err.msg);
		exit(1);
	}
	return pool;
}

static void corrupt(uint64_t sector)
{
	int fd = open(path, O_RDWR);
	char junk = 0x5a;

	if (fd < 0 || pwrite(fd, &junk, 1, (off_t)(sector * 512 + 4200)) != 1)
		abort();
	close(fd);
}

/*
 * Every commit leaves a dump of its generation in the archive, which
 * restore can read, and only the newest PFS_ARCHIVE_KEEP stay.
 */
static void check_archive(struct pfs_pool_handle *pool)
{
	struct pfs_error err = { 0 };
	struct json_object *o, *images;
	char file[600], uuid[37];
	unsigned int i;
	uint64_t gen = pfs_pool_generation(pool);

	uuid_unparse_lower(pool->sb->pool_uuid, uuid);
	snprintf(file, sizeof(file), "%s/%s/%llu.json", archive, uuid, (unsigned long long)gen);
	o = json_object_from_file(file);
	CHECK(o && json_object_object_get_ex(o, "images", &images) &&
	      json_object_array_length(images) == 2);
	json_object_put(o);
	for (i = 0; i < PFS_ARCHIVE_KEEP + 5; i++)
		CHECK(pfs_pool_commit(pool, &err) == 0);
	gen = pfs_pool_generation(pool);
	snprintf(file, sizeof(file), "%s/%s/%llu.json", archive, uuid, (unsigned long long)gen);
	CHECK(access(file, F_OK) == 0);
	snprintf(file, sizeof(file), "%s/%s/%llu.json", archive, uuid,
		 (unsigned long long)(gen - PFS_ARCHIVE_KEEP + 1));
	CHECK(access(file, F_OK) == 0);
	snprintf(file, sizeof(file), "%s/%s/%llu.json", archive, uuid,
		 (unsigned long long)(gen - PFS_ARCHIVE_KEEP));
	CHECK(access(file, F_OK) != 0);
	snprintf(file, sizeof(file), "rm -rf %s", archive);
	CHECK(system(file) == 0);
}

int main(void)
{
	struct pfs_format_opts opts = { .align_sectors = PFS_DEFAULT_ALIGN_SECTORS };
	struct pfs_error err = { 0 };
	struct pfs_pool_handle *pool;
	unsigned char check[] = "123456789";
	int fd = mkstemp(path);

	CHECK(mkdtemp(archive) != NULL);
	setenv("PFS_ARCHIVE_DIR", archive, 1);
	/* The standard crc32c check value, through the kernel's contract. */
	CHECK((~crc32c(~0U, check, 9)) == 0xe3069283);
	/* The known answers the module also checks at load. */
	CHECK(pfs_crc32c_selftest() == 0);

	CHECK(fd >= 0 && ftruncate(fd, 1LL << 30) == 0);
	close(fd);
	CHECK(pfs_pool_format(path, &opts, &err) == 0);

	pool = open_pool(true);
	CHECK(pfs_pool_count(pool) == 0 && pfs_pool_generation(pool) == 1);
	add_image(pool, "vm1", 2048, 4096);
	CHECK(pfs_pool_commit(pool, &err) == 0);
	add_image(pool, "vm2", 8192, 2048);
	CHECK(pfs_pool_commit(pool, &err) == 0);
	CHECK(pfs_pool_generation(pool) == 3);
	CHECK(pool->copy[0]->generation == pool->copy[1]->generation);
	check_archive(pool);

	/* Overlap and duplicate names are never written. */
	add_image(pool, "vm3", 4096, 4096);
	CHECK(pfs_pool_commit(pool, &err) != 0);
	CHECK(strstr(err.msg, "table entries overlap") != NULL);
	pfs_pool_close(pool);
	pool = open_pool(true);
	memset(&err, 0, sizeof(err));
	add_image(pool, "vm2", 20480, 2048);	/* apart from vm2's extent */
	CHECK(pfs_pool_commit(pool, &err) != 0);
	CHECK(strstr(err.msg, "two table entries share a name") != NULL);
	pfs_pool_close(pool);
	/* Names differing only past the first byte, or in case, are distinct. */
	pool = open_pool(true);
	add_image(pool, "vm", 20480, 2048);
	add_image(pool, "VM2", 24576, 2048);
	CHECK(pfs_pool_commit(pool, &err) == 0);
	memset(pfs_pool_find(pool, "vm"), 0, sizeof(struct pfs_image_entry));
	memset(pfs_pool_find(pool, "VM2"), 0, sizeof(struct pfs_image_entry));
	CHECK(pfs_pool_commit(pool, &err) == 0);
	pfs_pool_close(pool);

	pool = open_pool(false);
	CHECK(pfs_pool_count(pool) == 2 && pfs_pool_find(pool, "vm2"));
	CHECK(!pool->copy_why[0] && !pool->copy_why[1]);

	/* A damaged copy: its mirror stands, with the latest update. */
	corrupt(le64_to_cpu(pool->sb->table_offset[pool->current]));
	pfs_pool_close(pool);
	pool = open_pool(true);
	CHECK(pfs_pool_count(pool) == 2 && pfs_pool_find(pool, "vm2"));
	CHECK((pool->copy_why[0] || pool->copy_why[1]));
	CHECK(pfs_pool_repair(pool, &err) == 0);
	pfs_pool_close(pool);
	pool = open_pool(false);
	CHECK(!pool->copy_why[0] && !pool->copy_why[1]);

	/* A stale mirror (a cut between the two copy writes): reported, and
	 * repaired from the current copy. */
	{
		char why[256], *older = malloc(PFS_TABLE_SECTORS << PFS_SECTOR_SHIFT);
		uint64_t off;
		int sfd;

		pfs_pool_close(pool);
		pool = open_pool(true);
		if (!older)
			abort();
		CHECK(!pfs_pool_mirror_problem(pool, why, sizeof(why)));
		memcpy(older, pool->copy[1 - pool->current], PFS_TABLE_SECTORS << PFS_SECTOR_SHIFT);
		pfs_pool_find(pool, "vm1")->weight = cpu_to_le32(700);
		CHECK(pfs_pool_commit(pool, &err) == 0);
		/* Put the previous generation back into the mirror copy. */
		off = le64_to_cpu(pool->sb->table_offset[1 - pool->current]) << PFS_SECTOR_SHIFT;
		sfd = open(path, O_RDWR);
		CHECK(sfd >= 0 && pwrite(sfd, older, PFS_TABLE_SECTORS << PFS_SECTOR_SHIFT,
					 (off_t)off) == (ssize_t)(PFS_TABLE_SECTORS << PFS_SECTOR_SHIFT));
		close(sfd);
		free(older);
		pfs_pool_close(pool);
		pool = open_pool(true);
		CHECK(le32_to_cpu(pfs_pool_find(pool, "vm1")->weight) == 700);
		CHECK(pfs_pool_mirror_problem(pool, why, sizeof(why)) && strstr(why, "is stale"));
		CHECK(pfs_pool_repair(pool, &err) == 0);
		pfs_pool_close(pool);
		pool = open_pool(false);
		CHECK(!pfs_pool_mirror_problem(pool, why, sizeof(why)));
	}

	/* Both copies bad: refused, never guessed. */
	corrupt(le64_to_cpu(pool->sb->table_offset[0]));
	corrupt(le64_to_cpu(pool->sb->table_offset[1]));
	pfs_pool_close(pool);
	memset(&err, 0, sizeof(err));
	CHECK(pfs_pool_open(path, PFS_OPEN_READ, &pool, &err) != 0);
	CHECK(strstr(err.msg, "no valid allocation table") != NULL);

	/* A pool from a newer pfsadm is refused by name, even with a good checksum. */
	memset(&err, 0, sizeof(err));
	CHECK(pfs_pool_format(path, &opts, &err) == 0);
	{
		struct pfs_superblock sb;
		int sfd = open(path, O_RDWR);

		CHECK(sfd >= 0 && pread(sfd, &sb, sizeof(sb), 0) == (ssize_t)sizeof(sb));
		sb.version = cpu_to_le32(PFS_FORMAT_VERSION + 1);
		sb.csum = cpu_to_le32(pfs_sb_csum(&sb));
		CHECK(pwrite(sfd, &sb, sizeof(sb), 0) == (ssize_t)sizeof(sb));
		close(sfd);
	}
	CHECK(pfs_pool_open(path, PFS_OPEN_READ, &pool, &err) != 0);
	CHECK(strstr(err.msg, "newer") != NULL);

	/* Names. */
	CHECK(pfs_name_valid("vm-1_a.b+c", 10));
	CHECK(!pfs_name_valid("", 0));
	CHECK(!pfs_name_valid("a/b", 3));
	CHECK(!pfs_name_valid("..", 2));
	CHECK(!pfs_name_valid("-x", 2));
	CHECK(!pfs_name_valid("a b", 3));
	CHECK(!pfs_name_valid("a\nb", 3));

	/* Version 5's copies: an undone move, a clone and its source. */
	{
		struct pfs_table_header *t = calloc(1, PFS_TABLE_BYTES(PFS_MAX_IMAGES));
		struct pfs_pool_handle tp = { .table = t };
		struct pfs_superblock sb5 = { 0 };
		struct pfs_image_entry *src, *dst;
		const char *why2;

		sb5.version = cpu_to_le32(5);
		sb5.align_sectors = cpu_to_le64(2048);
		sb5.data_start = cpu_to_le64(2048);
		sb5.device_sectors = cpu_to_le64(1 << 20);
		memcpy(t->magic, PFS_TABLE_MAGIC, PFS_MAGIC_LEN);
		t->max_images = cpu_to_le32(PFS_MAX_IMAGES);
		tp.sb = &sb5;
		src = add_image(&tp, "src", 2048, 4096);
		dst = add_image(&tp, "dst", 16384, 4096);
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_CLONING);
		src->copy_dest = dst->start;
		src->copy_done = cpu_to_le64(2048);
		src->copy_region = cpu_to_le32(2048);
		dst->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_CLONE);
#define VALID() (t->csum = cpu_to_le32(pfs_table_csum(t)), !pfs_table_validate(&sb5, t, &why2))
		CHECK(VALID());
		sb5.version = cpu_to_le32(4);
		CHECK(!VALID() && !strcmp(why2, "table entry has unknown flags"));
		sb5.version = cpu_to_le32(5);
		dst->length = cpu_to_le64(2048);
		CHECK(!VALID() && strstr(why2, "cloned into no clone"));
		dst->length = cpu_to_le64(4096);
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
		src->copy_dest = 0;
		src->copy_done = 0;
		src->copy_region = 0;
		CHECK(!VALID() && !strcmp(why2, "table entry is a clone of no image"));
		/* Undone move: only with a move; never with a clone. */
		memset(dst, 0, sizeof(*dst));
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_MOVING | PFS_IMAGE_MOVING_BACK);
		src->copy_dest = cpu_to_le64(16384);
		src->copy_done = cpu_to_le64(2048);
		src->copy_region = cpu_to_le32(2048);
		CHECK(VALID());
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_MOVING_BACK);
		CHECK(!VALID() && strstr(why2, "conflicting copy flags"));
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_MOVING | PFS_IMAGE_CLONING);
		CHECK(!VALID() && strstr(why2, "conflicting copy flags"));
		/*
		 * Version 6: to another pool (its extent there is that pool's
		 * business, even over this pool's images), or incoming from one.
		 */
		sb5.version = cpu_to_le32(6);
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_TO_POOL);
		src->copy_dest = src->start;
		memset(src->copy_pool, 0x5a, PFS_UUID_LEN);
		CHECK(VALID());
		sb5.version = cpu_to_le32(5);
		CHECK(!VALID() && !strcmp(why2, "table entry has unknown flags"));
		sb5.version = cpu_to_le32(6);
		memcpy(src->copy_pool, sb5.pool_uuid, PFS_UUID_LEN);
		CHECK(!VALID() && strstr(why2, "other pool is invalid"));
		memset(src->copy_pool, 0x5a, PFS_UUID_LEN);
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_TO_POOL | PFS_IMAGE_MOVING);
		CHECK(!VALID() && strstr(why2, "conflicting copy flags"));
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE | PFS_IMAGE_INCOMING);
		CHECK(!VALID() && strstr(why2, "a copy but no move"));
		src->copy_dest = 0;
		src->copy_done = 0;
		src->copy_region = 0;
		CHECK(VALID());
		src->flags = cpu_to_le32(PFS_IMAGE_IN_USE);
		CHECK(!VALID() && strstr(why2, "names another pool but no move"));
#undef VALID
		free(t);
	}

	unlink(path);
	CHECK_DONE();
}
