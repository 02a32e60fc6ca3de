// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <sanlock.h>
#include <sanlock_admin.h>
#include <sanlock_resource.h>
#include <sanlock_rv.h>

#include "hex.h"
#include "lease.h"
#include "lock.h"

/*
 * A lease whose holder has stopped renewing is refused at once
 * (SANLK_ACQUIRE_OWNED_RETRY), as one a live host holds is: without it,
 * sanlock_acquire() itself waits, silently and whatever our --wait, until
 * sanlock declares the holder dead (8 x its io_timeout + 60 s after its
 * last renewal). We wait, say why, and give up, in our own loop.
 */
#define PFS_LEASE_ACQUIRE_FLAGS SANLK_ACQUIRE_OWNER_NOWAIT

/* A resource with room for its one disk. */
struct pfs_lease_res {
	struct sanlk_resource res;
	struct sanlk_disk disk;
};

bool pfs_pool_is_shared(const struct pfs_superblock *sb)
{
	return le32_to_cpu(sb->version) >= 7 &&
	       (le32_to_cpu(sb->pool_flags) & PFS_POOL_SHARED);
}

void pfs_lease_lockspace_name(const struct pfs_superblock *sb, char name[SANLK_NAME_LEN])
{
	memcpy(name, "pfs_", 4);
	pfs_hex_encode(sb->pool_uuid, PFS_UUID_LEN, name + 4);
}

/* sanlock's own words for what it returned. */
static const char *pfs_lease_strerror(int rv)
{
	switch (rv) {
	case -ECONNREFUSED:
	case -ENOENT:
		return "the sanlock daemon is not running (systemctl start sanlock)";
	case SANLK_AIO_TIMEOUT:
		return "I/O to the lease area timed out";
	case SANLK_LEADER_MAGIC:
		return "no lease where the pool's lease area should have one";
	case SANLK_ACQUIRE_LOCKSPACE:
		return "this host has not joined the pool's lockspace";
	case SANLK_ACQUIRE_IDDISK:
		return "the lease's disk does not match the lockspace";
	}
	if (rv < 0 && rv > -200)
		return strerror(-rv);
	return "sanlock error";
}

static bool pfs_lease_4k(int fd)
{
	int ssz = 512;

	return !ioctl(fd, BLKSSZGET, &ssz) && ssz == 4096;
}

static uint32_t pfs_lease_ls_flags(const struct pfs_lease_where *w)
{
	return SANLK_LSF_ALIGN1M | (pfs_lease_4k(w->fd) ? SANLK_LSF_SECTOR4K : SANLK_LSF_SECTOR512);
}

static uint32_t pfs_lease_res_flags(const struct pfs_lease_where *w)
{
	return SANLK_RES_ALIGN1M | (pfs_lease_4k(w->fd) ? SANLK_RES_SECTOR4K : SANLK_RES_SECTOR512);
}

static uint64_t pfs_lease_offset(const struct pfs_superblock *sb, unsigned int index)
{
	return (le64_to_cpu(sb->lease_start) + (uint64_t)index * PFS_LEASE_SECTORS)
	       << PFS_SECTOR_SHIFT;
}

static void pfs_lease_ls_init(const struct pfs_lease_where *w, uint64_t host_id,
			      struct sanlk_lockspace *ls)
{
	memset(ls, 0, sizeof(*ls));
	pfs_lease_lockspace_name(w->sb, ls->name);
	ls->host_id = host_id;
	ls->flags = pfs_lease_ls_flags(w);
	snprintf(ls->host_id_disk.path, SANLK_PATH_LEN, "%s", w->path);
	ls->host_id_disk.offset = pfs_lease_offset(w->sb, PFS_LEASE_LOCKSPACE);
}

static void pfs_lease_res_init(const struct pfs_lease_where *w, const char *name,
			       unsigned int index, struct pfs_lease_res *r)
{
	memset(r, 0, sizeof(*r));
	pfs_lease_lockspace_name(w->sb, r->res.lockspace_name);
	snprintf(r->res.name, SANLK_NAME_LEN, "%s", name);
	r->res.flags = pfs_lease_res_flags(w);
	r->res.num_disks = 1;
	snprintf(r->disk.path, SANLK_PATH_LEN, "%s", w->path);
	r->disk.offset = pfs_lease_offset(w->sb, index);
}

int pfs_lease_daemon_ok(struct pfs_error *err)
{
	int sock = sanlock_register();

	if (sock < 0)
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot reach sanlock: %s",
				pfs_lease_strerror(sock));
	close(sock);
	return 0;
}

int pfs_lease_format(const struct pfs_lease_where *w, unsigned int io_timeout,
		     struct pfs_error *err)
{
	struct sanlk_lockspace ls;
	struct pfs_lease_res pool;
	int rv;

	pfs_lease_ls_init(w, 0, &ls);
	rv = sanlock_write_lockspace(&ls, 0, 0, io_timeout);
	if (rv)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot write the lockspace: %s",
				w->path, pfs_lease_strerror(rv));
	pfs_lease_res_init(w, "pool", PFS_LEASE_POOL, &pool);
	rv = sanlock_write_resource(&pool.res, 0, 0, 0);
	if (rv)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot write the pool lease: %s",
				w->path, pfs_lease_strerror(rv));
	return 0;
}

int pfs_lease_host_id_ok(const struct pfs_lease_where *w, const struct pfs_conf *conf,
			 struct pfs_error *err)
{
	unsigned int max = pfs_lease_4k(w->fd) ? 250 : PFS_MAX_HOST_ID;

	if (!conf->host_id)
		return pfs_fail(err, PFS_EXIT_ARGS,
				"%s is a shared pool and this host has no host_id (set one in %s)",
				w->path, conf->path);
	if (conf->host_id > max)
		return pfs_fail(err, PFS_EXIT_ARGS,
				"host_id %u in %s: a pool on 4 KiB sectors has host IDs 1..%u",
				conf->host_id, conf->path, max);
	return 0;
}

/*
 * This host's entry for the pool's lockspace, by name: this host may reach
 * the pool by another path than it joined by. 1 (into @out), 0 if none.
 */
static int pfs_lease_find(const struct pfs_superblock *sb, struct sanlk_lockspace *out,
			  struct pfs_error *err)
{
	struct sanlk_lockspace *lss = NULL;
	char name[SANLK_NAME_LEN];
	int i, n = 0, rv, found = 0;

	pfs_lease_lockspace_name(sb, name);
	rv = sanlock_get_lockspaces(&lss, &n, 0);
	if (rv < 0) {
		free(lss);
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot ask sanlock about lockspace %s: %s",
				name, pfs_lease_strerror(rv));
	}
	for (i = 0; i < n && !found; i++) {
		if (!strncmp(lss[i].name, name, SANLK_NAME_LEN)) {
			*out = lss[i];
			found = 1;
		}
	}
	free(lss);
	return found;
}

int pfs_lease_join(const struct pfs_lease_where *w, const struct pfs_conf *conf,
		   struct pfs_error *err)
{
	struct sanlk_lockspace ls;
	int rv;

	if (pfs_lease_host_id_ok(w, conf, err))
		return -1;
	pfs_lease_ls_init(w, conf->host_id, &ls);
	rv = sanlock_add_lockspace_timeout(&ls, 0, conf->lease_io_timeout);
	if (rv == -EEXIST)
		return 1;
	if (rv)
		return pfs_fail(err, rv == -EINPROGRESS ? PFS_EXIT_BUSY : PFS_EXIT_DEVICE,
				"%s: cannot join lockspace %s as host %u: %s", w->path, ls.name,
				conf->host_id,
				rv == -EINPROGRESS ? "being joined or left already" :
				pfs_lease_strerror(rv));
	return 0;
}

int pfs_lease_leave(const struct pfs_lease_where *w, struct pfs_error *err)
{
	struct sanlk_lockspace ls;
	int rv = pfs_lease_find(w->sb, &ls, err);

	if (rv <= 0)
		return rv < 0 ? -1 : 1;
	/* UNUSED: never let sanlock kill a holder to leave. */
	ls.flags = 0;
	rv = sanlock_rem_lockspace(&ls, SANLK_REM_UNUSED);
	if (rv == -ENOENT)
		return 1;
	if (rv == -EBUSY)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s: this host still holds leases in lockspace %.48s", w->path,
				ls.name);
	if (rv)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot leave lockspace %.48s: %s",
				w->path, ls.name,
				rv == -EINPROGRESS ? "being joined or left already" :
				pfs_lease_strerror(rv));
	return 0;
}

int pfs_lease_joined(const struct pfs_superblock *sb, struct pfs_error *err)
{
	struct sanlk_lockspace ls;
	int r = pfs_lease_find(sb, &ls, err);

	if (r <= 0)
		return r;
	return !(ls.flags & (SANLK_LSF_ADD | SANLK_LSF_REM));
}

static bool pfs_lease_held_elsewhere(int rv)
{
	return rv == -EAGAIN || rv == SANLK_ACQUIRE_IDLIVE || rv == SANLK_ACQUIRE_OWNED ||
	       rv == SANLK_ACQUIRE_OTHER || rv == SANLK_ACQUIRE_OWNED_RETRY ||
	       rv == SANLK_ACQUIRE_SHRETRY;
}

/* Host @host_id's state in the pool's lockspace (SANLK_HOST_*); 0 if unknown. */
static uint32_t pfs_lease_host(const struct pfs_superblock *sb, uint64_t host_id)
{
	struct sanlk_host *hs = NULL;
	char ls[SANLK_NAME_LEN];
	uint32_t state = 0;
	int n = 0;

	pfs_lease_lockspace_name(sb, ls);
	if (!sanlock_get_hosts(ls, host_id, &hs, &n, 0) && n > 0)
		state = hs[0].flags & SANLK_HOST_MASK;
	free(hs);
	return state;
}

/* A holder's state as sanlock's lockspace sees it, for a waiting message. */
static const char *pfs_lease_host_state(const struct pfs_superblock *sb, uint64_t host_id)
{
	switch (pfs_lease_host(sb, host_id)) {
	case SANLK_HOST_FAIL:
		return ", which stopped renewing its lease: it frees once sanlock declares that host dead";
	case SANLK_HOST_DEAD:
		return ", which sanlock declares dead";
	}
	return "";
}

/* The first host holding lease @r, for a waiting message; 0 if sanlock cannot say. */
static uint64_t pfs_lease_owner(const struct pfs_lease_res *r)
{
	/* A copy: reading the owners rewrites the resource's flags. */
	struct pfs_lease_res read = *r;
	struct sanlk_host *hosts = NULL;
	uint64_t host_id = 0;
	int n = 0;

	if (!sanlock_read_resource_owners(&read.res, 0, &hosts, &n) && n > 0)
		host_id = hosts[0].host_id;
	free(hosts);
	return host_id;
}

/*
 * Who holds lease @r, and whether that host stopped renewing, for a
 * message: asked once when the wait starts and once when it ends, not on
 * every retry (reading the owners reads the lease area).
 */
static void pfs_lease_holder(const struct pfs_lease_where *w, const struct pfs_lease_res *r,
			     char *buf, size_t len)
{
	uint64_t host_id = pfs_lease_owner(r);

	if (host_id)
		snprintf(buf, len, "host %llu%s", (unsigned long long)host_id,
			 pfs_lease_host_state(w->sb, host_id));
	else
		snprintf(buf, len, "another host");
}

int pfs_lease_pool_acquire(const struct pfs_lease_where *w, unsigned int wait_seconds,
			   struct pfs_error *err)
{
	double deadline = pfs_lock_now() + wait_seconds;
	struct sanlk_resource *res;
	struct pfs_lease_res pool;
	char owner[128], ls_name[SANLK_NAME_LEN];
	bool told = false, given_up;
	int sock, rv;

	rv = pfs_lease_joined(w->sb, err);
	if (rv < 0)
		return -1;
	pfs_lease_lockspace_name(w->sb, ls_name);
	if (!rv)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is a shared pool and this host has not joined its lockspace %s (run 'pfsadm lock-start')",
				w->path, ls_name);
	sock = sanlock_register();
	if (sock < 0)
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot register with sanlock: %s",
				pfs_lease_strerror(sock));
	pfs_lease_res_init(w, "pool", PFS_LEASE_POOL, &pool);
	res = &pool.res;
	for (;;) {
		rv = sanlock_acquire(sock, -1, PFS_LEASE_ACQUIRE_FLAGS, 1, &res, NULL);
		if (!rv)
			return sock;
		if (!pfs_lease_held_elsewhere(rv)) {
			pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot take the pool's lease: %s",
				 w->path, pfs_lease_strerror(rv));
			break;
		}
		given_up = pfs_lock_now() >= deadline;
		if (!told || given_up)
			pfs_lease_holder(w, &pool, owner, sizeof(owner));
		if (given_up) {
			pfs_fail(err, PFS_EXIT_BUSY,
				 "%s: the pool's lease is held by %s; gave up after %u s (--wait)",
				 w->path, owner, wait_seconds);
			break;
		}
		if (!told) {
			fprintf(stderr, "pfsadm: %s: the pool's lease is held by %s; waiting up to %u s\n",
				w->path, owner, wait_seconds);
			told = true;
		}
		usleep(100000 + (unsigned int)(rand() % 200000));
	}
	close(sock);
	return -1;
}

void pfs_lease_pool_release(int sock)
{
	if (sock < 0)
		return;
	/* Closing the connection would release it too, but later. */
	sanlock_release(sock, -1, SANLK_REL_ALL, 0, NULL);
	close(sock);
}

bool pfs_lease_host_gone(const struct pfs_superblock *sb, uint32_t host_id)
{
	uint32_t state = pfs_lease_host(sb, host_id);

	return state == SANLK_HOST_DEAD || state == SANLK_HOST_FREE;
}

const char *pfs_lockd_pidfile(void)
{
	const char *path = getenv("PFS_LOCKD_PIDFILE");

	return path && *path ? path : "/run/pfs-lockd.pid";
}

/* pfs-lockd's pid, or -1 (error set) if it is not running. */
static int pfs_lockd_pid(struct pfs_error *err)
{
	const char *path = pfs_lockd_pidfile();
	FILE *f = fopen(path, "re");
	int pid = -1;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1 || pid <= 0 || (kill(pid, 0) && errno == ESRCH))
			pid = -1;
		fclose(f);
	}
	if (pid < 0)
		pfs_fail(err, PFS_EXIT_DEVICE,
			 "pfs-lockd, which holds this host's image leases, is not running (systemctl start pfs-lockd)");
	return pid;
}

static void pfs_lease_image_res(const struct pfs_lease_where *w, unsigned int slot,
				const uint8_t *uuid, struct pfs_lease_res *r)
{
	char name[2 * PFS_UUID_LEN + 1];

	pfs_hex_encode(uuid, PFS_UUID_LEN, name);
	pfs_lease_res_init(w, name, PFS_LEASE_SLOT(slot), r);
}

int pfs_lease_image_init(const struct pfs_lease_where *w, unsigned int slot,
			 const uint8_t *uuid, struct pfs_error *err)
{
	struct pfs_lease_res r;
	int rv;

	pfs_lease_image_res(w, slot, uuid, &r);
	rv = sanlock_read_resource(&r.res, 0);
	if (!rv)
		return 0;
	/* Never written, or a former image's (removed under its lease): write it. */
	if (rv != SANLK_LEADER_MAGIC && rv != SANLK_LEADER_RESOURCE &&
	    rv != SANLK_LEADER_CHECKSUM && rv != SANLK_LEADER_VERSION)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot read image lease %u: %s",
				w->path, slot, pfs_lease_strerror(rv));
	pfs_lease_image_res(w, slot, uuid, &r);
	rv = sanlock_write_resource(&r.res, 0, 0, 0);
	if (rv)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: cannot write image lease %u: %s",
				w->path, slot, pfs_lease_strerror(rv));
	return 0;
}

int pfs_lease_image_other(const struct pfs_lease_where *w, unsigned int slot,
			  const struct pfs_image_entry *e, uint64_t *other, struct pfs_error *err)
{
	struct sanlk_host *hosts = NULL;
	struct sanlk_lockspace ls;
	struct pfs_lease_res r;
	int i, n = 0, rv = pfs_lease_find(w->sb, &ls, err);

	if (rv < 0)
		return -1;
	if (!rv)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s: this host has not joined the pool's lockspace (run 'pfsadm lock-start')",
				w->path);
	*other = 0;
	pfs_lease_image_res(w, slot, e->uuid, &r);
	rv = sanlock_read_resource_owners(&r.res, 0, &hosts, &n);
	/* This host's own host_id is a former boot of it: no one else's. */
	for (i = 0; !rv && i < n && !*other; i++)
		if (hosts[i].host_id != ls.host_id)
			*other = hosts[i].host_id;
	free(hosts);
	if (rv)
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot read the lease of image %s: %s",
				e->name, pfs_lease_strerror(rv));
	return 0;
}

void pfs_lease_image_holders(const struct pfs_lease_where *w, unsigned int slot,
			     const struct pfs_image_entry *e, char *buf, size_t len)
{
	struct sanlk_host *hosts = NULL;
	struct pfs_lease_res r;
	size_t used = 0;
	int i, n = 0;

	pfs_lease_image_res(w, slot, e->uuid, &r);
	if (sanlock_read_resource_owners(&r.res, 0, &hosts, &n)) {
		snprintf(buf, len, "?");
		free(hosts);
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < n && used + 1 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%llu", i ? "," : n > 1 ? "hosts " : "host ",
					 (unsigned long long)hosts[i].host_id);
	if (n && (r.res.flags & SANLK_RES_SHARED) && used + 1 < len)
		snprintf(buf + used, len - used, " (shared)");
	free(hosts);
}

int pfs_lease_image_acquire(const struct pfs_lease_where *w, unsigned int slot,
			    const struct pfs_image_entry *e, bool shared,
			    unsigned int wait_seconds, struct pfs_error *err)
{
	double deadline = pfs_lock_now() + wait_seconds;
	struct sanlk_resource *res;
	struct pfs_lease_res r;
	char holder[128];
	bool told = false, given_up;
	int pid = pfs_lockd_pid(err), rv;

	if (pid < 0)
		return -1;
	pfs_lease_image_res(w, slot, e->uuid, &r);
	if (shared)
		r.res.flags |= SANLK_RES_SHARED;
	res = &r.res;
	for (;;) {
		rv = sanlock_acquire(-1, pid, PFS_LEASE_ACQUIRE_FLAGS, 1, &res, NULL);
		if (!rv)
			return 1;
		/* pfs-lockd holds it already: only the mode may change. */
		if (rv == -EEXIST) {
			rv = sanlock_convert(-1, pid, SANLK_CONVERT_OWNER_NOWAIT, res);
			if (rv == -EALREADY || !rv)
				return 0;
		}
		if (rv == -ESRCH)
			return pfs_lockd_pid(err) < 0 ? -1 :
				pfs_fail(err, PFS_EXIT_DEVICE, "pfs-lockd is not registered with sanlock");
		if (!pfs_lease_held_elsewhere(rv))
			return pfs_fail(err, PFS_EXIT_DEVICE, "cannot take the lease of image %s: %s",
					e->name, pfs_lease_strerror(rv));
		given_up = pfs_lock_now() >= deadline;
		if (!told || given_up)
			pfs_lease_holder(w, &r, holder, sizeof(holder));
		if (given_up)
			return pfs_fail(err, PFS_EXIT_BUSY,
					"image %s is active on %s (its sanlock lease%s)", e->name,
					holder, wait_seconds ? "; gave up waiting (--wait)" : "");
		if (!told) {
			fprintf(stderr, "pfsadm: image %s is active on %s; waiting up to %u s\n",
				e->name, holder, wait_seconds);
			told = true;
		}
		sleep(1);
	}
}

int pfs_lease_image_release(const struct pfs_lease_where *w, unsigned int slot,
			    const struct pfs_image_entry *e, struct pfs_error *err)
{
	struct pfs_error ignored = { 0 };
	struct sanlk_resource *res;
	struct pfs_lease_res r;
	int pid = pfs_lockd_pid(&ignored), rv;

	/* No pfs-lockd: nothing of this host holds the lease. */
	if (pid < 0)
		return 0;
	pfs_lease_image_res(w, slot, e->uuid, &r);
	res = &r.res;
	rv = sanlock_release(-1, pid, 0, 1, &res);
	if (!rv || rv == -ENOENT || rv == -ESRCH)
		return 0;
	return pfs_fail(err, PFS_EXIT_DEVICE, "cannot release the lease of image %s: %s",
			e->name, pfs_lease_strerror(rv));
}

int pfs_lease_image_hold(const struct pfs_lease_where *w, unsigned int slot,
			 const struct pfs_image_entry *e, int sock, struct pfs_error *err)
{
	struct sanlk_resource *res;
	struct pfs_lease_res r;
	char holder[128];
	int rv;

	pfs_lease_image_res(w, slot, e->uuid, &r);
	res = &r.res;
	rv = sanlock_acquire(sock, -1, PFS_LEASE_ACQUIRE_FLAGS, 1, &res, NULL);
	if (!rv)
		return 0;
	if (rv == -EEXIST)
		return pfs_fail(err, PFS_EXIT_BUSY, "image %s is active on this host", e->name);
	if (pfs_lease_held_elsewhere(rv)) {
		pfs_lease_image_holders(w, slot, e, holder, sizeof(holder));
		return pfs_fail(err, PFS_EXIT_BUSY, "image %s is active on %s (its sanlock lease)",
				e->name, holder[0] ? holder : "another host");
	}
	return pfs_fail(err, PFS_EXIT_DEVICE, "cannot take the lease of image %s: %s", e->name,
			pfs_lease_strerror(rv));
}
