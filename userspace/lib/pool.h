/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pool's metadata as pfsadm sees it: open, validate, change, commit.
 * Every change goes through pfs_pool_commit(), which writes the next
 * generation over the copy not in use, flushes it, then mirrors it into the
 * other copy and flushes again before returning.
 */
#ifndef PFS_POOL_H
#define PFS_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "pfs-table.h"

struct pfs_pool_handle {
	int fd;
	int lock_fd;				/* the pool's lock, writers only */
	int lease_sock;				/* sanlock's hold of a shared pool's
						 * lease, with the lock; -1: none */
	uint32_t host_id;			/* shared pool: this host's, else 0 */
	unsigned int flags;			/* PFS_OPEN_* it was opened with */
	char path[4096];
	uint64_t dev_sectors;
	struct pfs_superblock *sb;
	const char *sb_why;			/* primary superblock's problem, if
						 * the backup stood in (PFS_OPEN_BACKUP_SB) */
	struct pfs_table_header *copy[2];	/* as read from disk */
	const char *copy_why[2];		/* NULL: that copy is valid */
	int current;				/* copy the table came from */
	struct pfs_table_header *table;		/* working copy, changed by callers */
};

struct pfs_format_opts {
	uint64_t align_sectors;
	const uint8_t *pool_uuid;	/* NULL: generate one */
	uint64_t now;			/* 0: the current time */
	/* The table to start with (restore), written in format's own ordered
	 * writes; NULL: empty. Its generation (0: 1) must exceed any copy a
	 * pool of the same UUID left on the device. */
	const struct pfs_table_header *table;
	uint64_t generation;
	uint64_t device_sectors;	/* 0: the whole device */
	bool shared;			/* sanlock leases (lease.h) */
	unsigned int lease_io_timeout;	/* with shared: seconds */
};

#define PFS_OPEN_READ		0
#define PFS_OPEN_WRITE		0x1	/* take the lock; changes to follow */
#define PFS_OPEN_ANY_VERSION	0x2	/* write an older format (check, upgrade) */
#define PFS_OPEN_BACKUP_SB	0x4	/* a bad superblock: use the backup (check) */
#define PFS_OPEN_FOREIGN	0x8	/* write another host's pool (take-over, owner.h) */

/*
 * Open an existing pool. A writable one holds the pool's lock (by UUID,
 * lock.h) until it is closed, and forgets reservations (freespace.h) whose
 * commands are gone; a read-only one holds none. Writers refuse a pool of
 * an older format by name (pfsadm upgrade), and another host's pool
 * (owner.h) unless PFS_OPEN_FOREIGN.
 */
int pfs_pool_open(const char *path, unsigned int flags, struct pfs_pool_handle **out,
		  struct pfs_error *err);
/*
 * Let go of the lock for a long step (zeroing space a reservation holds),
 * and take it again: relock reads the table anew, since other commands may
 * have committed meanwhile.
 */
void pfs_pool_unlock(struct pfs_pool_handle *pool);
int pfs_pool_relock(struct pfs_pool_handle *pool, struct pfs_error *err);
/* Fill and checksum a superblock for a device of @dev_sectors. */
int pfs_sb_init(struct pfs_superblock *sb, const struct pfs_format_opts *opts,
		uint64_t dev_sectors, struct pfs_error *err);
/* Stamp magic, pool UUID, generation and checksum on a table copy. */
void pfs_table_seal(const struct pfs_superblock *sb, struct pfs_table_header *t,
		    uint64_t generation);
/* Write a new superblock and two empty tables, then flush. */
int pfs_pool_format(const char *path, const struct pfs_format_opts *opts,
		    struct pfs_error *err);
/* Persist pool->table as the next generation. */
int pfs_pool_commit(struct pfs_pool_handle *pool, struct pfs_error *err);
/* Rewrite the copy that is not current with the current table's content. */
/*
 * NULL if both table copies are valid and hold the same generation and
 * entries; else why not ("copy 1 is damaged", "copy 0 is stale", ...).
 * pfs_pool_repair brings the other copy up to the current one.
 */
const char *pfs_pool_mirror_problem(const struct pfs_pool_handle *pool, char *buf, size_t len);
int pfs_pool_repair(struct pfs_pool_handle *pool, struct pfs_error *err);
/*
 * NULL if the backup superblock matches the one in use; else why not.
 * pfs_pool_repair_sb rewrites whichever of the two is wrong.
 */
const char *pfs_pool_sb_problem(const struct pfs_pool_handle *pool, char *buf, size_t len);
int pfs_pool_repair_sb(struct pfs_pool_handle *pool, struct pfs_error *err);
/* Write @sb as the superblock, and as the backup (version 2), flushed. */
int pfs_pool_write_sb(struct pfs_pool_handle *pool, const struct pfs_superblock *sb,
		      struct pfs_error *err);
void pfs_pool_close(struct pfs_pool_handle *pool);

uint64_t pfs_pool_generation(const struct pfs_pool_handle *pool);
/* End of the usable data area: a gap never holds a partial alignment unit. */
static inline uint64_t pfs_data_end(const struct pfs_superblock *sb)
{
	return le64_to_cpu(sb->device_sectors) / le64_to_cpu(sb->align_sectors) *
	       le64_to_cpu(sb->align_sectors);
}
struct pfs_image_entry *pfs_pool_find(struct pfs_pool_handle *pool, const char *name);
struct pfs_image_entry *pfs_pool_free_slot(struct pfs_pool_handle *pool);
unsigned int pfs_pool_count(const struct pfs_pool_handle *pool);


#endif /* PFS_POOL_H */
