/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Image operations as transactions on an open, writable pool. Each one
 * checks everything it can before its first write, orders its writes so
 * that a crash at any point leaves the pool consistent and no data
 * exposed, and on failure takes one rollback path. Callers parse and print;
 * these functions print nothing but zeroing progress (pfs_txn_progress).
 *
 * Space that may hold a former image's data is zeroed before anyone can
 * read it. The zeroing runs without the pool's lock: the space is reserved
 * in the table (freespace.h), so other commands go on meanwhile.
 */
#ifndef PFS_TXN_H
#define PFS_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

/* QoS fields to set; the has_* flags say which. */
struct pfs_qos {
	bool has_weight, has_iops, has_bps;
	uint64_t weight, iops, bps;
};

/* Show a percentage on stderr while zeroing. */
void pfs_txn_progress(bool on);

/*
 * Free space a command works on without the pool's lock (zeroing it,
 * measuring on it): reserved in the table so no other command is given
 * it, and held with the zeroing lock (lock.h), so the reservation lapses
 * with this process.
 */
struct pfs_txn_hold {
	int zeroing;		/* the zeroing lock's fd, -1: none */
	uint64_t start, len;	/* sectors; len 0: nothing held */
};

/*
 * Reserve [start, start + len) of free space (recorded dirty first if
 * @dirty), commit with whatever else the caller changed, and let go of the
 * pool's lock. With @len 0 it only lets go of the lock.
 */
int pfs_txn_hold(struct pfs_pool_handle *pool, uint64_t start, uint64_t len, bool dirty,
		 struct pfs_txn_hold *h, struct pfs_error *err);
/*
 * Take the lock back and give the reservation back in pool->table, not
 * committed: pool->table is the current table, entry pointers from before
 * are stale. The zeroing lock is let go either way.
 */
int pfs_txn_unhold(struct pfs_pool_handle *pool, struct pfs_txn_hold *h, struct pfs_error *err);

/*
 * Image @name (into *@e), which no device but its own pfs-NAME maps: 1 if
 * that device is there, 0 if not, -1 (error set) for no such image or a
 * map of it that is not its own.
 */
int pfs_image_claim(struct pfs_pool_handle *pool, const char *name,
		    struct pfs_image_entry **e, struct pfs_error *err);

/* Create and activate image @name of @sectors (aligned by the caller). */
int pfs_txn_create(struct pfs_pool_handle *pool, const char *name, uint64_t sectors,
		   const struct pfs_qos *qos, struct pfs_error *err);
/*
 * Deactivate and remove image @name. @wipe: zero its space now; else it is
 * left marked dirty and zeroed when next allocated.
 */
int pfs_txn_remove(struct pfs_pool_handle *pool, const char *name, bool wipe,
		   struct pfs_error *err);
/*
 * Resize @name to @sectors, live. Grow: zero the new space, commit, reload.
 * Shrink: reload, commit (the tail marked dirty), zero the tail. If the
 * live device is smaller than the table (an interrupted grow), same size
 * brings it up; *@changed says whether anything was done.
 */
int pfs_txn_resize(struct pfs_pool_handle *pool, const char *name, uint64_t sectors,
		   bool *changed, struct pfs_error *err);
/*
 * Rename image @name to @new_name: the table, then its device (the dm
 * UUID stays; udev moves /dev/pfs/NAME), then a reload so that the live
 * table line names it too. Cut after the commit, pfs_txn_refresh() on the
 * new name finishes the job.
 */
int pfs_txn_rename(struct pfs_pool_handle *pool, const char *name, const char *new_name,
		   struct pfs_error *err);
/* Set QoS in the table and on the live device, or neither. */
int pfs_txn_set_qos(struct pfs_pool_handle *pool, const char *name, const struct pfs_qos *qos,
		    struct pfs_error *err);
/*
 * Make @name's live device map what the table says: reload it to the
 * table's length (an interrupted grow or shrink, a restored table), and
 * under the table's name (an interrupted rename: pfsadm's own device for
 * the image, by dm UUID, under the old name is renamed). A
 * device mapping another start is refused: reloading it would hand the
 * VM other data. *@changed says whether anything was done.
 */
int pfs_txn_refresh(struct pfs_pool_handle *pool, const char *name, bool *changed,
		    struct pfs_error *err);

/* Where live maps and the table disagree: one line each, at most @max. */
struct pfs_live_diff {
	char what[640];
};
int pfs_live_compare(const struct pfs_pool_handle *pool, struct pfs_live_diff *out, unsigned int max,
		     unsigned int *count, struct pfs_error *err);

/*
 * Zero the pool's dirty free space where the device does it without
 * writing (format). Returns 1 if all of it is clean now, 0 if the device
 * cannot, -1 on error.
 */
int pfs_txn_clean_offload(struct pfs_pool_handle *pool, struct pfs_error *err);

#endif /* PFS_TXN_H */
