// SPDX-License-Identifier: GPL-2.0
/*
 * Crash-cut, flush-aware: record every write and flush pfsadm's library
 * makes for a metadata change (pwrite and fdatasync are wrapped at link
 * time), then rebuild each state a power cut could leave and load it.
 *
 * A device may persist the writes issued since the last flush in any order
 * and any subset of their sectors; only what a flush covered is certain. So
 * before each flush, every subset of the sectors the pending writes change
 * (all of them when there are few, else prefixes, suffixes and random
 * subsets) is laid over what the flushes made durable, and the pool must
 * load the old table or the new one. Once the command has returned, the new
 * table must load whatever subset of still-pending writes persisted: an
 * update reported done is never lost. Writes to two metadata areas
 * (superblock, copy 0, copy 1) must be separated by a flush.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "pool.h"

#define SECTOR		(1U << PFS_SECTOR_SHIFT)
#define META_BYTES	((size_t)PFS_METADATA_SECTORS << PFS_SECTOR_SHIFT)
#define ENTRY_BYTES	(PFS_MAX_IMAGES * sizeof(struct pfs_image_entry))
#define MAX_PENDING	(2 * PFS_METADATA_SECTORS)
#define ALL_SUBSETS_UP_TO	10	/* changed sectors: 2^10 states at most */
#define RANDOM_SUBSETS	256

static char path[] = "/tmp/pfs-test-cut-XXXXXX";
static unsigned long cuts, states_tried, flushes_seen;

/* The recorder: what the library wrote, in order, while recording. */
static bool recording;
static struct {
	unsigned int sector;	/* first sector of a write; flush: 0 */
	unsigned int count;	/* sectors; 0 for a flush */
	unsigned char *data;
} ops[64];
static unsigned int nr_ops;

ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);
int __real_fsync(int fd);
int __wrap_fsync(int fd);

/* Is @fd the pool file (not, say, the pool's lock file)? */
static bool is_pool(int fd)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = __real_pwrite(fd, buf, n, off);

	if (recording && r > 0 && (size_t)off < META_BYTES && is_pool(fd)) {
		size_t len = (size_t)r;

		if (nr_ops == sizeof(ops) / sizeof(ops[0]) || off % SECTOR || len % SECTOR)
			abort();	/* the library writes whole sectors */
		if ((size_t)off + len > META_BYTES)
			len = META_BYTES - (size_t)off;
		ops[nr_ops].sector = (unsigned int)(off / SECTOR);
		ops[nr_ops].count = (unsigned int)(len / SECTOR);
		ops[nr_ops].data = malloc(len);
		if (!ops[nr_ops].data)
			abort();
		memcpy(ops[nr_ops++].data, buf, len);
	}
	return r;
}

static void record_flush(void)
{
	if (!recording)
		return;
	if (nr_ops == sizeof(ops) / sizeof(ops[0]))
		abort();
	ops[nr_ops++] = (typeof(ops[0])){ 0 };
}

int __wrap_fdatasync(int fd)
{
	int r = __real_fdatasync(fd);

	if (!r && is_pool(fd))
		record_flush();
	return r;
}

int __wrap_fsync(int fd)
{
	int r = __real_fsync(fd);

	if (!r && is_pool(fd))
		record_flush();
	return r;
}

static void meta_io(void *buf, bool write_it)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 || (write_it ? pwrite(fd, buf, META_BYTES, 0) :
		       pread(fd, buf, META_BYTES, 0)) != (ssize_t)META_BYTES)
		abort();
	close(fd);
}

/* Entries of the table the pool loads now; false if it loads none. */
static bool load_entries(unsigned char *entries)
{
	struct pfs_error err = { 0 };
	struct pfs_pool_handle *pool;

	if (pfs_pool_open(path, PFS_OPEN_WRITE, &pool, &err))
		return false;
	memcpy(entries, pfs_table_entries(pool->table), ENTRY_BYTES);
	pfs_pool_close(pool);
	return true;
}

/* Which metadata area a sector belongs to: superblock, copy 0, copy 1. */
static int meta_area(unsigned int sector)
{
	if (sector < PFS_TABLE_OFFSET(0))
		return 0;
	return sector < PFS_TABLE_OFFSET(1) ? 1 : 2;
}

struct replay {
	const char *what;
	unsigned char *durable;		/* what flushes made certain */
	const unsigned char *old_entries, *new_entries;
	bool old_loads;			/* false: before, no pool was there */
	bool unordered;			/* two areas in flight reported */
	/* Sectors written since the last flush that differ from durable. */
	unsigned int pending[MAX_PENDING];
	const unsigned char *pending_data[MAX_PENDING];
	unsigned int nr_pending;
};

/* Lay the pending sectors chosen by @pick over the durable state; load. */
static void try_state(struct replay *r, const bool *pick, bool only_new, const char *how)
{
	static unsigned char state[META_BYTES], loaded[ENTRY_BYTES];
	unsigned int i;

	memcpy(state, r->durable, META_BYTES);
	for (i = 0; i < r->nr_pending; i++)
		if (pick[i])
			memcpy(state + (size_t)r->pending[i] * SECTOR, r->pending_data[i], SECTOR);
	meta_io(state, true);
	states_tried++;
	if (!load_entries(loaded)) {
		if (!r->old_loads && !only_new)
			return;		/* no pool before, none yet */
		fprintf(stderr, "%s: %s: the pool loads no table\n", r->what, how);
		check_failures++;
	} else if (memcmp(loaded, r->new_entries, ENTRY_BYTES) &&
		   (only_new || memcmp(loaded, r->old_entries, ENTRY_BYTES))) {
		fprintf(stderr, "%s: %s: the pool loads neither the %s table\n", r->what, how,
			only_new ? "new (the command had returned)" : "old nor the new");
		check_failures++;
	}
}

/* Every state a cut may leave now: subsets of the pending sectors. */
static void cut_pending(struct replay *r, bool only_new)
{
	static bool pick[MAX_PENDING];
	unsigned int n = r->nr_pending, i, k;
	unsigned long mask;

	cuts++;
	if (n <= ALL_SUBSETS_UP_TO) {
		for (mask = 0; mask < 1UL << n; mask++) {
			for (i = 0; i < n; i++)
				pick[i] = mask >> i & 1;
			try_state(r, pick, only_new, "a subset of the pending sectors");
		}
		return;
	}
	for (k = 0; k <= n; k++) {
		for (i = 0; i < n; i++)
			pick[i] = i < k;
		try_state(r, pick, only_new, "a prefix of the pending sectors");
		for (i = 0; i < n; i++)
			pick[i] = i >= k;
		try_state(r, pick, only_new, "a suffix of the pending sectors");
	}
	for (k = 0; k < RANDOM_SUBSETS; k++) {
		for (i = 0; i < n; i++)
			pick[i] = rand() & 1;
		try_state(r, pick, only_new, "a random subset of the pending sectors");
	}
}

static void flush_pending(struct replay *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_pending; i++)
		memcpy(r->durable + (size_t)r->pending[i] * SECTOR, r->pending_data[i], SECTOR);
	r->nr_pending = 0;
}

static void add_pending(struct replay *r, unsigned int sector, const unsigned char *data)
{
	unsigned int i;

	for (i = 0; i < r->nr_pending && !r->unordered; i++) {
		if (meta_area(r->pending[i]) != meta_area(sector)) {
			r->unordered = true;
			fprintf(stderr, "%s: metadata areas %d and %d written with no flush between\n",
				r->what, meta_area(r->pending[i]), meta_area(sector));
			check_failures++;
			break;
		}
	}
	for (i = 0; i < r->nr_pending; i++) {
		if (r->pending[i] == sector) {	/* rewritten before a flush */
			r->pending_data[i] = data;
			return;
		}
	}
	if (!memcmp(r->durable + (size_t)sector * SECTOR, data, SECTOR))
		return;		/* unchanged: no cut can tell */
	r->pending[r->nr_pending] = sector;
	r->pending_data[r->nr_pending++] = data;
}

/* Replay the recorded ops over @before. */
static void replay(const char *what, const unsigned char *before, bool old_loads,
		   const unsigned char *old_entries, const unsigned char *new_entries)
{
	struct replay r = {
		.what = what, .durable = malloc(META_BYTES), .old_loads = old_loads,
		.old_entries = old_entries, .new_entries = new_entries,
	};
	unsigned int i, s;

	if (!r.durable)
		abort();
	memcpy(r.durable, before, META_BYTES);
	for (i = 0; i < nr_ops; i++) {
		if (!ops[i].count) {
			cut_pending(&r, false);
			flush_pending(&r);
			flushes_seen++;
			continue;
		}
		for (s = 0; s < ops[i].count; s++)
			add_pending(&r, ops[i].sector + s, ops[i].data + (size_t)s * SECTOR);
	}
	/* The command has returned: whatever is still pending may be lost. */
	cut_pending(&r, true);
	for (i = 0; i < nr_ops; i++)
		free(ops[i].data);
	nr_ops = 0;
	free(r.durable);
}

/* An edit to an open pool's working table, before a commit. */
typedef void (*edit_fn)(struct pfs_pool_handle *pool);

/* Run @change (a commit of @edit, a repair, a format), recording; then replay it. */
static void crash_cut(const char *what, int (*change)(edit_fn edit), edit_fn edit)
{
	unsigned char *before = malloc(META_BYTES), *after = malloc(META_BYTES);
	static unsigned char old_entries[ENTRY_BYTES], new_entries[ENTRY_BYTES];
	bool old_loads;

	if (!before || !after)
		abort();
	meta_io(before, false);
	old_loads = load_entries(old_entries);
	recording = true;
	CHECK(change(edit) == 0);
	recording = false;
	CHECK(load_entries(new_entries));
	meta_io(after, false);
	replay(what, before, old_loads, old_entries, new_entries);
	meta_io(after, true);
	free(before);
	free(after);
}

static struct pfs_pool_handle *open_pool(void)
{
	struct pfs_error err = { 0 };
	struct pfs_pool_handle *pool;

	if (pfs_pool_open(path, PFS_OPEN_WRITE, &pool, &err)) {
		fprintf(stderr, "open: %s\n", err.msg);
		abort();
	}
	return pool;
}

static int commit_edit(edit_fn edit)
{
	struct pfs_pool_handle *pool = open_pool();
	struct pfs_error err = { 0 };
	int r;

	edit(pool);
	r = pfs_pool_commit(pool, &err);
	if (r)
		fprintf(stderr, "commit: %s\n", err.msg);
	pfs_pool_close(pool);
	return r;
}

static int repair(edit_fn unused)
{
	struct pfs_error err = { 0 };
	struct pfs_pool_handle *pool = open_pool();
	int r = pfs_pool_repair(pool, &err);

	(void)unused;
	pfs_pool_close(pool);
	return r;
}

static int reformat(edit_fn unused)
{
	struct pfs_format_opts opts = { .align_sectors = PFS_DEFAULT_ALIGN_SECTORS };
	struct pfs_error err = { 0 };

	(void)unused;
	return pfs_pool_format(path, &opts, &err);
}

static void create_a(struct pfs_pool_handle *pool) { add_image(pool, "a", 2048, 4096); }
static void create_b(struct pfs_pool_handle *pool) { add_image(pool, "b", 8192, 2048); }
static void create_c(struct pfs_pool_handle *pool) { add_image(pool, "c", 20480, 2048); }
static void remove_a(struct pfs_pool_handle *pool) { memset(pfs_pool_find(pool, "a"), 0, sizeof(struct pfs_image_entry)); }
static void grow_b(struct pfs_pool_handle *pool) { pfs_pool_find(pool, "b")->length = cpu_to_le64(8192); }
static void set_c(struct pfs_pool_handle *pool) { pfs_pool_find(pool, "c")->weight = cpu_to_le32(500); }

/* Damage the copy the pool does not load from, as a torn mirror would. */
static void damage_other_copy(void)
{
	struct pfs_pool_handle *pool = open_pool();
	uint64_t sector = le64_to_cpu(pool->sb->table_offset[1 - pool->current]);
	int fd = open(path, O_RDWR);
	char junk = 0x5a;

	if (fd < 0 || pwrite(fd, &junk, 1, (off_t)(sector * SECTOR + 4200)) != 1)
		abort();
	close(fd);
	pfs_pool_close(pool);
}

int main(void)
{
	int fd = mkstemp(path);

	setenv("PFS_ARCHIVE_DIR", "", 1);	/* no archive: only the pool's writes */
	srand(4242);
	CHECK(fd >= 0 && ftruncate(fd, 64 << 20) == 0);
	close(fd);
	crash_cut("format a new device", reformat, NULL);
	crash_cut("create a", commit_edit, create_a);
	crash_cut("create b", commit_edit, create_b);
	crash_cut("create c", commit_edit, create_c);
	crash_cut("remove a", commit_edit, remove_a);
	crash_cut("grow b", commit_edit, grow_b);
	crash_cut("set c", commit_edit, set_c);
	damage_other_copy();
	crash_cut("check --repair", repair, NULL);
	crash_cut("format over a pool", reformat, NULL);
	/* Two formats (4 flushes each: copy, superblock, backup, copy), six
	 * commits (2 each), one repair. */
	CHECK(flushes_seen == 2 * 4 + 6 * 2 + 1);
	printf("%lu cut points, %lu states tried, %lu flushes: always the old or the new table, "
	       "and the new one once the command returned\n", cuts, states_tried, flushes_seen);
	unlink(path);
	CHECK_DONE();
}
