// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "crashpoint.h"

void pfs_crash_point(const char *name)
{
	const char *at = getenv("PFS_TEST_CRASH_AT");

	if (at && !strcmp(at, name))
		raise(SIGKILL);
	at = getenv("PFS_TEST_STOP_AT");
	if (at && !strcmp(at, name))
		raise(SIGSTOP);
}
