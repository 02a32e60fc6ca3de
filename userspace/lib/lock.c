// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "devio.h"
#include "lock.h"

#define PFS_LOCK_DIR	"/run/lock/pfs"

static unsigned int pfs_lock_wait = 60;
static char pfs_lock_owner[256] = "pfsadm";

void pfs_lock_set_wait(unsigned int seconds)
{
	pfs_lock_wait = seconds;
}

unsigned int pfs_lock_get_wait(void)
{
	return pfs_lock_wait;
}

void pfs_lock_set_owner(const char *owner)
{
	snprintf(pfs_lock_owner, sizeof(pfs_lock_owner), "%s", owner);
}

/* Who holds the lock, as its holder wrote it: "pid 123 (pfsadm remove vm1)". */
static void pfs_lock_holder(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	if (n <= 0) {
		snprintf(buf, len, "a process that did not say who it is");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

double pfs_lock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open (create) the lock file @uuid@suffix; a descriptor or -1. */
static int pfs_lock_open(const uint8_t *uuid, const char *suffix, char *text,
			 struct pfs_error *err)
{
	const char *dir = getenv("PFS_LOCK_DIR") ? getenv("PFS_LOCK_DIR") : PFS_LOCK_DIR;
	char path[512];
	int fd;

	uuid_unparse_lower(uuid, text);
	if (pfs_mkdir_p(dir))
		return pfs_fail(err, pfs_errno_exit(errno), "cannot create %s: %s", dir,
				strerror(errno));
	snprintf(path, sizeof(path), "%s/%s%s", dir, text, suffix);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return pfs_fail(err, pfs_errno_exit(errno), "cannot open %s: %s", path,
				strerror(errno));
	return fd;
}

int pfs_lock_pool(const uint8_t *uuid, struct pfs_error *err)
{
	char text[37], holder[300], line[300];
	double deadline = pfs_lock_now() + pfs_lock_wait;
	bool told = false;
	int fd, n;

	fd = pfs_lock_open(uuid, ".lock", text, err);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			pfs_fail(err, PFS_EXIT_DEVICE, "cannot lock pool %s: %s", text,
				 strerror(errno));
			goto fail;
		}
		pfs_lock_holder(fd, holder, sizeof(holder));
		if (pfs_lock_now() >= deadline) {
			pfs_fail(err, PFS_EXIT_BUSY,
				 "pool %s is locked by %s; gave up after %u s (--wait)", text,
				 holder, pfs_lock_wait);
			goto fail;
		}
		if (!told) {
			fprintf(stderr, "pfsadm: pool %s is locked by %s; waiting up to %u s\n",
				text, holder, pfs_lock_wait);
			told = true;
		}
		usleep(100000);
	}
	n = snprintf(line, sizeof(line), "pid %d (%s)\n", (int)getpid(), pfs_lock_owner);
	if (ftruncate(fd, 0) || pwrite(fd, line, (size_t)n, 0) != n) {
		pfs_fail(err, PFS_EXIT_DEVICE, "cannot write the lock of pool %s: %s", text,
			 strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

void pfs_unlock_pool(int lock_fd)
{
	if (lock_fd < 0)
		return;
	/* Say nothing about a holder that has gone. */
	if (ftruncate(lock_fd, 0))
		(void)0;
	close(lock_fd);
}

int pfs_lock_zeroing(const uint8_t *uuid, struct pfs_error *err)
{
	char text[37];
	int fd = pfs_lock_open(uuid, ".zeroing", text, err);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_SH)) {
		if (errno == EINTR)
			continue;
		pfs_fail(err, PFS_EXIT_DEVICE, "cannot lock zeroing of pool %s: %s", text,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

bool pfs_zeroing_running(const uint8_t *uuid)
{
	struct pfs_error ignored = { 0 };
	char text[37];
	int fd = pfs_lock_open(uuid, ".zeroing", text, &ignored);
	bool running;

	if (fd < 0)
		return true;	/* cannot tell: keep the reservations */
	running = flock(fd, LOCK_EX | LOCK_NB) != 0;
	close(fd);
	return running;
}
