// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libdevmapper.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm.h"

static char pfs_dm_last_error[256];

/* Keep libdevmapper's messages for our own one-line errors. */
__attribute__((format(printf, 5, 6)))
static void pfs_dm_log(int level, const char *file, int line, int dm_errno,
		       const char *fmt, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno;
	if (level > 3)	/* more verbose than an error */
		return;
	va_start(ap, fmt);
	vsnprintf(pfs_dm_last_error, sizeof(pfs_dm_last_error), fmt, ap);
	va_end(ap);
	if (getenv("PFS_DEBUG"))
		fprintf(stderr, "libdevmapper: %s\n", pfs_dm_last_error);
}

static struct dm_task *pfs_dm_task(int type, const char *name, struct pfs_error *err)
{
	struct dm_task *dmt;

	dm_log_with_errno_init(pfs_dm_log);
	pfs_dm_last_error[0] = '\0';
	dmt = dm_task_create(type);
	if (!dmt) {
		pfs_fail(err, PFS_EXIT_NOMEM, "cannot create a device-mapper task");
		return NULL;
	}
	if (name && !dm_task_set_name(dmt, name)) {
		pfs_fail(err, PFS_EXIT_ARGS, "invalid device-mapper name %s", name);
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

/* The errno of the last task that failed, kept before the task is gone. */
static int pfs_dm_errno;

static void pfs_dm_note_errno(struct dm_task *dmt)
{
	int e = dm_task_get_errno(dmt);

	pfs_dm_errno = e ? e : (errno ? errno : EIO);
}

/* Destroy @dmt; if it failed (!@ok), keep its errno first. */
static int pfs_dm_done(struct dm_task *dmt, int ok)
{
	if (!ok)
		pfs_dm_note_errno(dmt);
	dm_task_destroy(dmt);
	return ok;
}

static const char *pfs_dm_why(void)
{
	return pfs_dm_last_error[0] ? pfs_dm_last_error : strerror(pfs_dm_errno);
}

/*
 * Run @dmt and wait until udev has processed the uevents it caused. The
 * host's disk, LVM and md rules must never look inside a VM's disk: a
 * guest's whole-disk LVM would be activated on the host, and cloned
 * guests' filesystem UUIDs would collide in /dev/disk/by-uuid. udev keeps
 * these flags in its database, so later synthetic events honour them too.
 */
static int pfs_dm_run_udev(struct dm_task *dmt)
{
	const uint16_t flags = DM_UDEV_DISABLE_LIBRARY_FALLBACK |
		DM_UDEV_DISABLE_DISK_RULES_FLAG | DM_UDEV_DISABLE_OTHER_RULES_FLAG;
	uint32_t cookie = 0;
	int ok;

	if (!dm_task_set_cookie(dmt, &cookie, flags))
		return 0;
	ok = dm_task_run(dmt);
	if (!dm_udev_wait(cookie))
		ok = 0;
	return ok;
}

int pfs_dm_info(const char *name, struct pfs_dm_info *info, struct pfs_error *err)
{
	struct dm_task *dmt = pfs_dm_task(DM_DEVICE_INFO, name, err);
	struct dm_info dmi;
	int r = -1;

	memset(info, 0, sizeof(*info));
	if (!dmt)
		return -1;
	if (!dm_task_run(dmt) || !dm_task_get_info(dmt, &dmi)) {
		pfs_dm_note_errno(dmt);
		pfs_fail(err, pfs_dm_errno == EACCES || pfs_dm_errno == EPERM ?
			 PFS_EXIT_PERM : PFS_EXIT_DEVICE,
			 "cannot query device-mapper (is dm-mod loaded? are you root?): %s",
			 pfs_dm_why());
		goto out;
	}
	info->exists = dmi.exists;
	info->suspended = dmi.suspended;
	info->open_count = dmi.open_count;
	info->major = dmi.major;
	info->minor = dmi.minor;
	if (dmi.exists && dm_task_get_uuid(dmt))
		snprintf(info->uuid, sizeof(info->uuid), "%s", dm_task_get_uuid(dmt));
	r = 0;
out:
	dm_task_destroy(dmt);
	return r;
}

int pfs_dm_create(const char *name, const char *uuid, uint64_t sectors,
		  const char *params, struct pfs_error *err)
{
	struct dm_task *dmt = pfs_dm_task(DM_DEVICE_CREATE, name, err);
	struct pfs_error ignored = { 0 };
	int ok;

	if (!dmt)
		return -1;
	ok = dm_task_set_uuid(dmt, uuid) &&
		dm_task_add_target(dmt, 0, sectors, "pfs", params) &&
		dm_task_set_read_ahead(dmt, DM_READ_AHEAD_AUTO, 0) &&
		pfs_dm_run_udev(dmt);
	if (pfs_dm_done(dmt, ok))
		return 0;
	pfs_fail(err, pfs_dm_errno == EBUSY || pfs_dm_errno == EEXIST ? PFS_EXIT_BUSY :
		 PFS_EXIT_DEVICE,
		 "cannot create /dev/mapper/%s: %s", name, pfs_dm_why());
	/* A failed load can leave an empty device behind: remove it. */
	pfs_dm_remove(name, &ignored);
	return -1;
}

static int pfs_dm_simple(int type, const char *name, uint64_t sectors,
			 const char *params, bool udev)
{
	struct pfs_error ignored = { 0 };
	struct dm_task *dmt = pfs_dm_task(type, name, &ignored);
	int ok;

	if (!dmt)
		return 0;
	ok = (!params || dm_task_add_target(dmt, 0, sectors, "pfs", params)) &&
		(type != DM_DEVICE_REMOVE || dm_task_retry_remove(dmt)) &&
		(udev ? pfs_dm_run_udev(dmt) : dm_task_run(dmt));
	return pfs_dm_done(dmt, ok);
}

int pfs_dm_reload(const char *name, uint64_t sectors, const char *params,
		  struct pfs_error *err)
{
	sigset_t old;
	int r = 0;

	if (!pfs_dm_simple(DM_DEVICE_RELOAD, name, sectors, params, false))
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot load new table into %s: %s",
				name, pfs_dm_why());
	/*
	 * Resume swaps in the new table; the device is suspended only briefly,
	 * and no signal may leave it suspended. If a step fails, the new table
	 * is cleared before the resume: a resume with an inactive table loaded
	 * would swap it in after all.
	 */
	pfs_signals_block(&old);
	if (!pfs_dm_simple(DM_DEVICE_SUSPEND, name, 0, NULL, false) ||
	    !pfs_dm_simple(DM_DEVICE_RESUME, name, 0, NULL, true)) {
		r = pfs_fail(err, PFS_EXIT_DEVICE, "cannot switch %s to the new table: %s",
			     name, pfs_dm_why());
		pfs_dm_simple(DM_DEVICE_CLEAR, name, 0, NULL, false);
		pfs_dm_simple(DM_DEVICE_RESUME, name, 0, NULL, true);
	}
	pfs_signals_restore(&old);
	return r;
}

int pfs_dm_suspend(const char *name, struct pfs_error *err)
{
	if (!pfs_dm_simple(DM_DEVICE_SUSPEND, name, 0, NULL, false))
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot suspend %s: %s", name, pfs_dm_why());
	return 0;
}

int pfs_dm_resume(const char *name, struct pfs_error *err)
{
	if (!pfs_dm_simple(DM_DEVICE_RESUME, name, 0, NULL, true))
		return pfs_fail(err, PFS_EXIT_DEVICE, "cannot resume %s: %s", name, pfs_dm_why());
	return 0;
}

int pfs_dm_live_sectors(const char *name, uint64_t *sectors, struct pfs_error *err)
{
	return pfs_dm_live_table(name, sectors, NULL, 0, err);
}

int pfs_dm_live_table(const char *name, uint64_t *sectors, char *out, size_t len,
		      struct pfs_error *err)
{
	struct dm_task *dmt = pfs_dm_task(DM_DEVICE_TABLE, name, err);
	uint64_t start = 0, length = 0;
	char *type = NULL, *params = NULL;
	int r = -1;

	if (!dmt)
		return -1;
	if (!dm_task_run(dmt)) {
		pfs_dm_note_errno(dmt);
		pfs_fail(err, PFS_EXIT_DEVICE, "cannot read the table of %s: %s", name,
			 pfs_dm_why());
		goto out;
	}
	dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	*sectors = length;
	if (len)
		snprintf(out, len, "%s", params ? params : "");
	r = 0;
out:
	dm_task_destroy(dmt);
	return r;
}

void pfs_signals_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_BLOCK, &set, old);
}

void pfs_signals_restore(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

int pfs_dm_remove(const char *name, struct pfs_error *err)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };
	struct pfs_dm_info info;
	int tries = 20;

	/*
	 * udev opens a device for a moment after a writer closes it (its
	 * watch): give such an opener 2 s, as dm_task_retry_remove() does.
	 */
	for (;;) {
		if (pfs_dm_info(name, &info, err))
			return -1;
		if (!info.exists || !info.open_count || !--tries)
			break;
		nanosleep(&pause, NULL);
	}
	if (!info.exists)
		return 0;
	if (info.open_count > 0)
		return pfs_fail(err, PFS_EXIT_BUSY, "/dev/mapper/%s is in use (open count %d)",
				name, info.open_count);
	if (!pfs_dm_simple(DM_DEVICE_REMOVE, name, 0, NULL, true))
		return pfs_fail(err, pfs_dm_errno == EBUSY ? PFS_EXIT_BUSY : PFS_EXIT_DEVICE,
				"cannot remove /dev/mapper/%s: %s", name, pfs_dm_why());
	return 0;
}

int pfs_dm_rename(const char *name, const char *new_name, struct pfs_error *err)
{
	struct dm_task *dmt = pfs_dm_task(DM_DEVICE_RENAME, name, err);
	int ok;

	if (!dmt)
		return -1;
	ok = dm_task_set_newname(dmt, new_name) && pfs_dm_run_udev(dmt);
	if (!pfs_dm_done(dmt, ok))
		return pfs_fail(err, pfs_dm_errno == EBUSY || pfs_dm_errno == EEXIST ?
				PFS_EXIT_BUSY : PFS_EXIT_DEVICE,
				"cannot rename /dev/mapper/%s to %s: %s", name, new_name,
				pfs_dm_why());
	return 0;
}

int pfs_dm_message(const char *name, const char *message, struct pfs_error *err)
{
	struct dm_task *dmt = pfs_dm_task(DM_DEVICE_TARGET_MSG, name, err);
	int ok;

	if (!dmt)
		return -1;
	ok = dm_task_set_sector(dmt, 0) && dm_task_set_message(dmt, message) &&
		dm_task_run(dmt);
	if (!pfs_dm_done(dmt, ok))
		return pfs_fail(err, PFS_EXIT_DEVICE, "message to %s failed: %s", name,
				pfs_dm_why());
	return 0;
}

void pfs_dm_exit(void)
{
	dm_lib_release();
	dm_lib_exit();
}
