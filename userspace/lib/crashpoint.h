/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named points where the tests kill pfsadm (SIGKILL, as kill -9 or a power
 * cut of the host would) between the steps of a multi-step change:
 * PFS_TEST_CRASH_AT=NAME. PFS_TEST_STOP_AT=NAME stops it there instead
 * (SIGSTOP), so a test can look at what others can do meanwhile and then
 * let it go on (SIGCONT). Unset, a crash point costs two getenv().
 */
#ifndef PFS_CRASHPOINT_H
#define PFS_CRASHPOINT_H

void pfs_crash_point(const char *name);

#endif /* PFS_CRASHPOINT_H */
