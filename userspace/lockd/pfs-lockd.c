// SPDX-License-Identifier: GPL-2.0
/*
 * pfs-lockd: holds this host's image leases of shared pools. It registers
 * with sanlock and waits; pfsadm asks sanlock to acquire and release image
 * leases for this process (sanlock's acquire for a registered pid), so a
 * lease outlives the command that took it, as the image's device does, and
 * ends with this process. Its pid is in /run/pfs-lockd.pid
 * ($PFS_LOCKD_PIDFILE).
 *
 * SIGTERM or SIGINT ends it, and sanlock then frees every image lease it
 * held. sanlock sends SIGTERM itself when a lockspace fails (this host
 * lost the LUN, or could not renew its lease in time): before it exits,
 * it suspends the device of every image it holds a lease for (fence.h),
 * so that once another host takes those images over, nothing more from
 * here reaches them. `pfsadm activate NAME` takes the lease again and
 * resumes the device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanlock.h>
#include <sanlock_resource.h>
#include <systemd/sd-daemon.h>

#include "fence.h"
#include "lease.h"

static int pfs_lockd_write_pid(const char *path)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Suspend the devices of the images whose leases this process holds. */
static void pfs_lockd_fence(int sock)
{
	struct pfs_error err = { 0 };
	char *state = NULL;
	int count = 0, n;

	if (sanlock_inquire(sock, -1, 0, &count, &state)) {
		fprintf(stderr, "pfs-lockd: cannot ask sanlock which leases it holds\n");
		return;
	}
	if (count > 0) {
		n = pfs_fence_images(state, &err);
		if (n < 0)
			fprintf(stderr, "pfs-lockd: %s\n", err.msg);
		else
			fprintf(stderr, "pfs-lockd: %d image lease%s freed; %d device%s suspended\n",
				count, count == 1 ? "" : "s", n, n == 1 ? "" : "s");
	}
	free(state);
}

int main(int argc, char **argv)
{
	const char *pidfile = pfs_lockd_pidfile();
	sigset_t set;
	int sock, sig;

	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments; see pfsadm(8), SHARED POOLS)\n",
			argv[0]);
		return 1;
	}
	sock = sanlock_register();
	if (sock < 0) {
		fprintf(stderr, "pfs-lockd: cannot register with sanlock: %s\n",
			sock == -ECONNREFUSED || sock == -ENOENT ?
			"the sanlock daemon is not running" : strerror(-sock));
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pfs_lockd_write_pid(pidfile)) {
		fprintf(stderr, "pfs-lockd: cannot write %s: %s\n", pidfile, strerror(errno));
		return 1;
	}
	fprintf(stderr, "pfs-lockd: holding image leases for pid %d\n", (int)getpid());
	/* Ready: the boot's activations (pfs-activate-shared) may start. */
	sd_notify(0, "READY=1");
	while (sigwait(&set, &sig))
		;
	fprintf(stderr, "pfs-lockd: %s\n", strsignal(sig));
	pfs_lockd_fence(sock);
	/* Now, not when sanlock notices the exit: its unit leaves the lockspaces next. */
	sanlock_release(sock, -1, SANLK_REL_ALL, 0, NULL);
	unlink(pidfile);
	close(sock);
	return 0;
}
