// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "archive.h"
#include "devio.h"
#include "freespace.h"
#include "lease.h"
#include "lock.h"
#include "owner.h"
#include "pool.h"
#include "zero.h"

#define TABLE_BYTES (PFS_TABLE_SECTORS << PFS_SECTOR_SHIFT)

void pfs_pool_close(struct pfs_pool_handle *pool)
{
	if (!pool)
		return;
	pfs_lease_pool_release(pool->lease_sock);
	if (pool->fd >= 0)
		close(pool->fd);
	pfs_unlock_pool(pool->lock_fd);
	free(pool->sb);
	free(pool->copy[0]);
	free(pool->copy[1]);
	free(pool->table);
	free(pool);
}

/* Read one table copy; false on an I/O error (recorded in @err). */
static bool pfs_pool_read_copy(struct pfs_pool_handle *pool, int i, struct pfs_error *err)
{
	uint64_t off = le64_to_cpu(pool->sb->table_offset[i]) << PFS_SECTOR_SHIFT;

	if (!pfs_pread_all(pool->fd, pool->copy[i], TABLE_BYTES, off))
		return true;
	pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot read table copy %d: %s", pool->path, i,
		 strerror(errno));
	return false;
}

/*
 * Read and validate the superblock and both copies, and choose the table.
 * Readers hold no lock: a copy a writer is rewriting fails its checksum
 * and the other one stands. Should a reader meet both copies torn (it read
 * each while it was being written), it reads again.
 */
static int pfs_pool_read_sb(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	const char *why, *backup_why;

	pool->sb_why = NULL;
	if (pfs_pread_all(pool->fd, pool->sb, PFS_BLOCK_SIZE, 0))
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot read superblock: %s",
				pool->path, strerror(errno));
	if (!pfs_sb_validate(pool->sb, pool->dev_sectors, &why))
		return 0;
	if (!(pool->flags & PFS_OPEN_BACKUP_SB) || pool->dev_sectors < PFS_METADATA_SECTORS)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: %s", pool->path, why);
	if (pfs_pread_all(pool->fd, pool->sb, PFS_BLOCK_SIZE,
			  (uint64_t)PFS_BACKUP_SB_SECTOR << PFS_SECTOR_SHIFT))
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: %s; cannot read the backup: %s",
				pool->path, why, strerror(errno));
	if (pfs_sb_validate(pool->sb, pool->dev_sectors, &backup_why) ||
	    le32_to_cpu(pool->sb->version) < 2)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: %s, and no valid backup superblock",
				pool->path, why);
	pool->sb_why = why;
	return 0;
}

static int pfs_pool_read(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (tries)
			usleep(20000);
		if (pfs_pool_read_sb(pool, err))
			return -1;
		if (!pfs_pool_read_copy(pool, 0, err) || !pfs_pool_read_copy(pool, 1, err))
			return -1;
		pool->current = pfs_table_choose(pool->sb, pool->copy[0], pool->copy[1],
						 pool->copy_why);
		if (pool->current >= 0)
			return 0;
	}
	return pfs_fail(err, PFS_EXIT_DEVICE,
			"%s: no valid allocation table (copy 0: %s; copy 1: %s)",
			pool->path, pool->copy_why[0], pool->copy_why[1]);
}

/*
 * The table to work on. Reservations whose commands are gone are forgotten
 * (their dirty records stay): a writer's next commit drops them, and a
 * reader reports their space as the free space it is.
 */
/* Another host holding a reservation that sanlock reports gone; 0 if none. */
static uint32_t pfs_pool_gone_holder(const struct pfs_pool_handle *pool)
{
	const struct pfs_free_record *r = pool->table->free;
	uint32_t i, host, n = le32_to_cpu(pool->table->nr_free_records);

	for (i = 0; i < n && i < PFS_MAX_FREE_RECORDS; i++) {
		host = le32_to_cpu(r[i].host_id);
		if (le32_to_cpu(r[i].flags) == PFS_FREE_BUSY && host && host != pool->host_id &&
		    pfs_lease_host_gone(pool->sb, host))
			return host;
	}
	return 0;
}

static void pfs_pool_take_table(struct pfs_pool_handle *pool)
{
	uint32_t gone;

	memcpy(pool->table, pool->copy[pool->current], TABLE_BYTES);
	if (pfs_free_count_busy(pool->table, pool->host_id) &&
	    !pfs_zeroing_running(pool->sb->pool_uuid))
		pfs_free_drop_busy(pool->table, pool->host_id);
	/* A shared pool's writer: another host's, once sanlock says it died. */
	while (pool->host_id && (gone = pfs_pool_gone_holder(pool)))
		pfs_free_drop_busy(pool->table, gone);
}

/*
 * A shared pool's lease, taken after this host's lock (so this host's
 * commands queue on the flock, not on sanlock), then read again: another
 * host may have committed.
 */
static int pfs_pool_lease(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	struct pfs_lease_where w = { .path = pool->path, .fd = pool->fd, .sb = pool->sb };
	struct pfs_conf conf;

	if (pfs_conf_load(&conf, err) || pfs_lease_host_id_ok(&w, &conf, err))
		return -1;
	pool->lease_sock = pfs_lease_pool_acquire(&w, pfs_lock_get_wait(), err);
	if (pool->lease_sock < 0)
		return -1;
	pool->host_id = conf.host_id;
	return pfs_pool_read(pool, err);
}

/* Take the lock by UUID, then read again: others may have committed. */
static int pfs_pool_lock(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	uint8_t uuid[PFS_UUID_LEN];

	memcpy(uuid, pool->sb->pool_uuid, PFS_UUID_LEN);
	pool->lock_fd = pfs_lock_pool(uuid, err);
	if (pool->lock_fd < 0 || pfs_pool_read(pool, err))
		return -1;
	if (pfs_pool_is_shared(pool->sb) && pfs_pool_lease(pool, err))
		return -1;
	if (memcmp(uuid, pool->sb->pool_uuid, PFS_UUID_LEN))
		return pfs_fail(err, PFS_EXIT_BUSY, "%s was formatted again while waiting",
				pool->path);
	pfs_pool_take_table(pool);
	return 0;
}

void pfs_pool_unlock(struct pfs_pool_handle *pool)
{
	pfs_lease_pool_release(pool->lease_sock);
	pool->lease_sock = -1;
	pfs_unlock_pool(pool->lock_fd);
	pool->lock_fd = -1;
}

int pfs_pool_relock(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	return pfs_pool_lock(pool, err);
}

int pfs_pool_open(const char *path, unsigned int flags, struct pfs_pool_handle **out,
		  struct pfs_error *err)
{
	struct pfs_pool_handle *pool = calloc(1, sizeof(*pool));
	bool writable = flags & PFS_OPEN_WRITE;
	uint32_t version;

	if (!pool)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	pool->fd = -1;
	pool->lock_fd = -1;
	pool->lease_sock = -1;
	pool->flags = flags;
	snprintf(pool->path, sizeof(pool->path), "%s", path);
	pool->sb = pfs_alloc_io(PFS_BLOCK_SIZE);
	pool->copy[0] = pfs_alloc_io(TABLE_BYTES);
	pool->copy[1] = pfs_alloc_io(TABLE_BYTES);
	pool->table = pfs_alloc_io(TABLE_BYTES);
	if (!pool->sb || !pool->copy[0] || !pool->copy[1] || !pool->table) {
		pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
		goto fail;
	}
	pool->fd = pfs_open_device(path, writable, 0, err);
	if (pool->fd < 0)
		goto fail;
	if (pfs_device_sectors(pool->fd, &pool->dev_sectors)) {
		pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot get size: %s", path,
			 strerror(errno));
		goto fail;
	}
	if (pool->dev_sectors < PFS_METADATA_SECTORS_V1) {
		pfs_fail(err, PFS_EXIT_DEVICE, "%s: not a dm-pfs pool (too small)", path);
		goto fail;
	}
	/*
	 * A writer reads the tables once, under the lock: before it, the
	 * superblock (which pool, its version, its owner) is all it needs.
	 */
	if (writable ? pfs_pool_read_sb(pool, err) : pfs_pool_read(pool, err))
		goto fail;
	version = le32_to_cpu(pool->sb->version);
	if (writable && version < PFS_FORMAT_VERSION && !(flags & PFS_OPEN_ANY_VERSION)) {
		pfs_fail(err, PFS_EXIT_DEVICE,
			 "%s: pool is format version %u; run 'pfsadm upgrade' to bring it to version %d first",
			 path, version, PFS_FORMAT_VERSION);
		goto fail;
	}
	if (writable && !(flags & PFS_OPEN_FOREIGN) && pfs_owner_check(pool, err))
		goto fail;
	if (writable ? pfs_pool_lock(pool, err) : (pfs_pool_take_table(pool), 0))
		goto fail;
	*out = pool;
	return 0;
fail:
	pfs_pool_close(pool);
	return -1;
}

uint64_t pfs_pool_generation(const struct pfs_pool_handle *pool)
{
	return le64_to_cpu(pool->copy[pool->current]->generation);
}

/* Write @src into copy @index as generation @gen and make it durable. */
static int pfs_write_copy(struct pfs_pool_handle *pool, int index, uint64_t gen,
			  struct pfs_table_header *src, struct pfs_error *err)
{
	uint64_t off = le64_to_cpu(pool->sb->table_offset[index]) << PFS_SECTOR_SHIFT;
	const char *why;

	pfs_table_seal(pool->sb, src, gen);
	/* Never persist a table the kernel would refuse. */
	if (pfs_table_validate(pool->sb, src, &why))
		return pfs_fail(err, PFS_EXIT_INTERNAL,
				"internal error, nothing written: refusing an invalid table: %s", why);
	if (pfs_pwrite_all(pool->fd, src, TABLE_BYTES, off) || fdatasync(pool->fd))
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot write table copy %d: %s",
				pool->path, index, strerror(errno));
	memcpy(pool->copy[index], src, TABLE_BYTES);
	pool->copy_why[index] = NULL;
	return 0;
}

/*
 * Two durable writes: first over the copy not in use, then the mirror over
 * the other. A cut during the first leaves the old table; after it, the new
 * one. Once both are written, damage to either copy costs nothing.
 */
int pfs_pool_commit(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	uint64_t gen = pfs_pool_generation(pool) + 1;
	int first = 1 - pool->current;

	if (pfs_write_copy(pool, first, gen, pool->table, err))
		return -1;
	pool->current = first;
	if (pfs_write_copy(pool, 1 - first, gen, pool->table, err))
		return pfs_fail(err, PFS_EXIT_DEVICE,
				"%s: the new table is written but its mirror copy is not; run pfsadm check --repair",
				pool->path);
	pfs_archive_save(pool);
	return 0;
}

const char *pfs_pool_mirror_problem(const struct pfs_pool_handle *pool, char *buf, size_t len)
{
	int other = 1 - pool->current;
	uint64_t cur = le64_to_cpu(pool->copy[pool->current]->generation);
	uint64_t old = le64_to_cpu(pool->copy[other]->generation);

	if (pool->copy_why[other])
		snprintf(buf, len, "table copy %d is damaged: %s", other, pool->copy_why[other]);
	else if (old != cur)
		snprintf(buf, len, "table copy %d is stale: generation %llu, copy %d has %llu",
			 other, (unsigned long long)old, pool->current, (unsigned long long)cur);
	else if (memcmp(pfs_table_entries(pool->copy[0]), pfs_table_entries(pool->copy[1]),
			PFS_MAX_IMAGES * sizeof(struct pfs_image_entry)))
		snprintf(buf, len, "table copies 0 and 1 differ at generation %llu",
			 (unsigned long long)cur);
	else
		return NULL;
	return buf;
}

int pfs_pool_repair(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	int other = 1 - pool->current;

	memcpy(pool->table, pool->copy[pool->current], TABLE_BYTES);
	/* Same generation, same content: either copy may be chosen. */
	return pfs_write_copy(pool, other, pfs_pool_generation(pool),
			      pool->table, err);
}

static bool pfs_sb_has_backup(const struct pfs_superblock *sb)
{
	return le32_to_cpu(sb->version) >= 2;
}

int pfs_pool_write_sb(struct pfs_pool_handle *pool, const struct pfs_superblock *sb,
		      struct pfs_error *err)
{
	if (pfs_pwrite_all(pool->fd, sb, PFS_BLOCK_SIZE, 0) || fdatasync(pool->fd))
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot write superblock: %s",
				pool->path, strerror(errno));
	if (pfs_sb_has_backup(sb) &&
	    (pfs_pwrite_all(pool->fd, sb, PFS_BLOCK_SIZE,
			    (uint64_t)PFS_BACKUP_SB_SECTOR << PFS_SECTOR_SHIFT) ||
	     fdatasync(pool->fd)))
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot write backup superblock: %s",
				pool->path, strerror(errno));
	if (sb != pool->sb)
		memcpy(pool->sb, sb, PFS_BLOCK_SIZE);
	pool->sb_why = NULL;
	return 0;
}

const char *pfs_pool_sb_problem(const struct pfs_pool_handle *pool, char *buf, size_t len)
{
	struct pfs_superblock *backup;
	const char *why;

	if (pool->sb_why) {
		snprintf(buf, len, "superblock is damaged (%s); the backup stands in", pool->sb_why);
		return buf;
	}
	if (!pfs_sb_has_backup(pool->sb))
		return NULL;
	backup = pfs_alloc_io(PFS_BLOCK_SIZE);
	if (!backup) {
		snprintf(buf, len, "out of memory");
		return buf;
	}
	if (pfs_pread_all(pool->fd, backup, PFS_BLOCK_SIZE,
			  (uint64_t)PFS_BACKUP_SB_SECTOR << PFS_SECTOR_SHIFT))
		snprintf(buf, len, "cannot read backup superblock: %s", strerror(errno));
	else if (pfs_sb_validate(backup, pool->dev_sectors, &why))
		snprintf(buf, len, "backup superblock is damaged: %s", why);
	else if (memcmp(backup, pool->sb, sizeof(struct pfs_superblock)))
		snprintf(buf, len, "backup superblock differs from the superblock");
	else
		buf = NULL;
	free(backup);
	return buf;
}

int pfs_pool_repair_sb(struct pfs_pool_handle *pool, struct pfs_error *err)
{
	return pfs_pool_write_sb(pool, pool->sb, err);
}

int pfs_sb_init(struct pfs_superblock *sb, const struct pfs_format_opts *opts,
		uint64_t dev_sectors, struct pfs_error *err)
{
	uint64_t align = opts->align_sectors;
	uint64_t lease_start = (PFS_METADATA_SECTORS + PFS_LEASE_SECTORS - 1) /
			       PFS_LEASE_SECTORS * PFS_LEASE_SECTORS;
	uint64_t metadata_end = opts->shared ? lease_start + PFS_LEASE_AREA_SECTORS :
				PFS_METADATA_SECTORS;
	uint64_t data_start = (metadata_end + align - 1) / align * align;
	const char *why;

	if (dev_sectors < data_start + align)
		return pfs_fail(err, PFS_EXIT_DEVICE, "too small for a pool (%llu sectors)",
				(unsigned long long)dev_sectors);
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, PFS_SB_MAGIC, PFS_MAGIC_LEN);
	sb->version = cpu_to_le32(PFS_FORMAT_VERSION);
	if (opts->pool_uuid)
		memcpy(sb->pool_uuid, opts->pool_uuid, PFS_UUID_LEN);
	else
		uuid_generate(sb->pool_uuid);
	sb->device_sectors = cpu_to_le64(dev_sectors);
	sb->align_sectors = cpu_to_le64(align);
	sb->data_start = cpu_to_le64(data_start);
	sb->table_offset[0] = cpu_to_le64(PFS_TABLE_OFFSET(0));
	sb->table_offset[1] = cpu_to_le64(PFS_TABLE_OFFSET(1));
	sb->table_sectors = cpu_to_le32(PFS_TABLE_SECTORS);
	sb->max_images = cpu_to_le32(PFS_MAX_IMAGES);
	sb->format_time = cpu_to_le64(opts->now ? opts->now : (uint64_t)time(NULL));
	if (opts->shared) {
		sb->pool_flags = cpu_to_le32(PFS_POOL_SHARED);
		sb->lease_start = cpu_to_le64(lease_start);
	}
	pfs_owner_stamp(sb);
	sb->csum = cpu_to_le32(pfs_sb_csum(sb));
	if (pfs_sb_validate(sb, dev_sectors, &why))
		return pfs_fail(err, PFS_EXIT_ARGS, "%s", why);
	return 0;
}

void pfs_table_seal(const struct pfs_superblock *sb, struct pfs_table_header *t,
		    uint64_t generation)
{
	memcpy(t->magic, PFS_TABLE_MAGIC, PFS_MAGIC_LEN);
	memcpy(t->pool_uuid, sb->pool_uuid, PFS_UUID_LEN);
	t->max_images = cpu_to_le32(PFS_MAX_IMAGES);
	t->generation = cpu_to_le64(generation);
	t->csum = cpu_to_le32(pfs_table_csum(t));
}

int pfs_pool_format(const char *path, const struct pfs_format_opts *opts,
		    struct pfs_error *err)
{
	struct pfs_superblock *sb = NULL;
	uint64_t dev_sectors;
	struct pfs_pool_handle pool = { .fd = -1, .lock_fd = -1, .lease_sock = -1 };
	uint64_t gen = opts->generation ? opts->generation : 1;
	struct pfs_table_header *table = NULL;
	const uint8_t *lock_uuid;
	const char *why;
	int r = -1;

	/* O_EXCL: never format under a mounted filesystem or live images. */
	pool.fd = pfs_open_device(path, true, O_EXCL, err);
	if (pool.fd < 0)
		return -1;
	if (pfs_device_sectors(pool.fd, &dev_sectors)) {
		pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot get size: %s", path,
			 strerror(errno));
		goto out;
	}
	if (opts->device_sectors) {
		if (opts->device_sectors > dev_sectors) {
			pfs_fail(err, PFS_EXIT_DEVICE, "%s: %llu sectors, smaller than the %llu needed",
				 path, (unsigned long long)dev_sectors,
				 (unsigned long long)opts->device_sectors);
			goto out;
		}
		dev_sectors = opts->device_sectors;
	}
	sb = pfs_alloc_io(PFS_BLOCK_SIZE);
	table = pfs_alloc_io(TABLE_BYTES);
	if (!sb || !table) {
		pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
		goto out;
	}
	/*
	 * Formatting over a pool: no writer of that pool may be mid-commit.
	 * Restoring a pool whose superblock is gone: none of the pool it
	 * brings back either.
	 */
	lock_uuid = opts->pool_uuid;
	if (!pfs_pread_all(pool.fd, sb, PFS_BLOCK_SIZE, 0) &&
	    !pfs_sb_validate(sb, dev_sectors, &why))
		lock_uuid = sb->pool_uuid;
	if (lock_uuid) {
		pool.lock_fd = pfs_lock_pool(lock_uuid, err);
		if (pool.lock_fd < 0)
			goto out;
	}
	if (pfs_sb_init(sb, opts, dev_sectors, err))
		goto out;
	/* The leases first: a superblock that says shared has them. */
	if (opts->shared) {
		struct pfs_lease_where w = { .path = path, .fd = pool.fd, .sb = sb };

		if (pfs_lease_format(&w, opts->lease_io_timeout, err))
			goto out;
	}
	/* Until it is zeroed, the data area may hold anything. */
	if (opts->table)
		memcpy(table, opts->table, TABLE_BYTES);
	else
		pfs_free_mark_dirty(table, le64_to_cpu(sb->data_start),
				    pfs_data_end(sb) - le64_to_cpu(sb->data_start));

	/*
	 * Copy 1, superblock (and its backup), copy 0, each flushed. Cut in the
	 * first step, the old pool (if any) still loads from its copy 0; after
	 * the superblock, the new pool loads from copy 1, whatever copy 0 holds.
	 */
	pool.sb = sb;
	pool.copy[0] = pfs_alloc_io(TABLE_BYTES);
	pool.copy[1] = pfs_alloc_io(TABLE_BYTES);
	if (!pool.copy[0] || !pool.copy[1]) {
		pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
		goto out_copies;
	}
	snprintf(pool.path, sizeof(pool.path), "%s", path);
	if (pfs_write_copy(&pool, 1, gen, table, err) || pfs_pool_write_sb(&pool, sb, err) ||
	    pfs_write_copy(&pool, 0, gen, table, err))
		goto out_copies;
	r = 0;
out_copies:
	free(pool.copy[0]);
	free(pool.copy[1]);
out:
	free(sb);
	free(table);
	close(pool.fd);
	pfs_unlock_pool(pool.lock_fd);
	return r;
}

struct pfs_image_entry *pfs_pool_find(struct pfs_pool_handle *pool, const char *name)
{
	return (struct pfs_image_entry *)pfs_table_lookup(pool->table, name);
}

struct pfs_image_entry *pfs_pool_free_slot(struct pfs_pool_handle *pool)
{
	struct pfs_image_entry *e = pfs_table_entries(pool->table);
	unsigned int i;

	for (i = 0; i < PFS_MAX_IMAGES; i++)
		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE))
			return &e[i];
	return NULL;
}

unsigned int pfs_pool_count(const struct pfs_pool_handle *pool)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	unsigned int i, n = 0;

	for (i = 0; i < PFS_MAX_IMAGES; i++)
		n += !!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE);
	return n;
}
