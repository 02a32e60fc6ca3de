/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sanlock leases of a shared pool (format --shared), in the pool's lease
 * area (pfs-format.h). The lockspace is named after the pool's UUID; a host
 * joins it with its host_id (conf.h) before it changes the pool. Every
 * metadata change holds the pool's exclusive lease, taken by the pfsadm
 * process itself, so sanlock frees it if that process dies. Leases only
 * order hosts; the pool's flock (lock.h) still orders this host's commands.
 */
#ifndef PFS_LEASE_H
#define PFS_LEASE_H

#include <stdbool.h>

#include "conf.h"
#include "error.h"
#include "pfs-format.h"

/* Where a pool's leases are: its device on this host and its superblock. */
struct pfs_lease_where {
	const char *path;
	int fd;					/* open on path: its sector size */
	const struct pfs_superblock *sb;
};

/* Whether the superblock says the pool is shared. */
bool pfs_pool_is_shared(const struct pfs_superblock *sb);
/* The lockspace's name, "pfs_" and the pool UUID's hex digits. */
void pfs_lease_lockspace_name(const struct pfs_superblock *sb, char name[48]);

/* The sanlock daemon answers: 0, or -1 saying how to start it. */
int pfs_lease_daemon_ok(struct pfs_error *err);
/* @conf has a host_id this pool can take (1..2000; 250 on 4 KiB sectors). */
int pfs_lease_host_id_ok(const struct pfs_lease_where *w, const struct pfs_conf *conf,
			 struct pfs_error *err);
/* Write an empty lockspace and pool lease (format --shared). */
int pfs_lease_format(const struct pfs_lease_where *w, unsigned int io_timeout,
		     struct pfs_error *err);
/*
 * Join the pool's lockspace as conf->host_id (lock-start), waiting until
 * sanlock holds this host's delta lease; 1 if it had already joined.
 */
int pfs_lease_join(const struct pfs_lease_where *w, const struct pfs_conf *conf,
		   struct pfs_error *err);
/* Leave it (lock-stop); refused while this host holds a lease in it. */
int pfs_lease_leave(const struct pfs_lease_where *w, struct pfs_error *err);
/* 1 if this host is in the pool's lockspace, 0 if not, -1 on error. */
int pfs_lease_joined(const struct pfs_superblock *sb, struct pfs_error *err);

/*
 * Take the pool's exclusive lease for this process, waiting up to
 * @wait_seconds while another host holds it (saying which, once); returns
 * the sanlock connection that holds it, or -1.
 */
int pfs_lease_pool_acquire(const struct pfs_lease_where *w, unsigned int wait_seconds,
			   struct pfs_error *err);
void pfs_lease_pool_release(int sock);

/*
 * Whether sanlock reports host @host_id of the pool's lockspace gone (dead,
 * or its host ID free): nothing it started can still be running.
 */
bool pfs_lease_host_gone(const struct pfs_superblock *sb, uint32_t host_id);

/* Where pfs-lockd, which holds image leases, writes its pid. */
const char *pfs_lockd_pidfile(void);

/*
 * Image leases, one per table slot, named after the image's UUID. Init
 * writes slot @slot's lease for @uuid unless it is there already; call it
 * under the pool's lease, when the slot is given an image.
 */
int pfs_lease_image_init(const struct pfs_lease_where *w, unsigned int slot,
			 const uint8_t *uuid, struct pfs_error *err);
/*
 * Take the image's lease for pfs-lockd, exclusive or @shared (converting
 * one it holds already), waiting up to @wait_seconds while another host
 * holds it (a dead host's lease frees once sanlock declares it dead), and
 * saying so once: 1 if taken now, 0 if pfs-lockd held it already. Release
 * gives it up; 0 if pfs-lockd did not hold it.
 */
int pfs_lease_image_acquire(const struct pfs_lease_where *w, unsigned int slot,
			    const struct pfs_image_entry *e, bool shared,
			    unsigned int wait_seconds, struct pfs_error *err);
int pfs_lease_image_release(const struct pfs_lease_where *w, unsigned int slot,
			    const struct pfs_image_entry *e, struct pfs_error *err);
/*
 * Take the image's exclusive lease on connection @sock (the pool lease's),
 * not waiting: proof that no host has the image active. Freed with @sock.
 */
int pfs_lease_image_hold(const struct pfs_lease_where *w, unsigned int slot,
			 const struct pfs_image_entry *e, int sock, struct pfs_error *err);
/*
 * Who holds the image's lease, in words: "host 2", "hosts 1,2 (shared)";
 * "" if no host does, "?" if sanlock cannot say.
 */
void pfs_lease_image_holders(const struct pfs_lease_where *w, unsigned int slot,
			     const struct pfs_image_entry *e, char *buf, size_t len);

/*
 * Another host holding the image's lease: its host_id in @other, else 0
 * (none, or only this host's host_id: a former boot of this host). Fails
 * if this host has not joined the lockspace.
 */
int pfs_lease_image_other(const struct pfs_lease_where *w, unsigned int slot,
			  const struct pfs_image_entry *e, uint64_t *other, struct pfs_error *err);

#endif /* PFS_LEASE_H */
