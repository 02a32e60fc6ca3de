// SPDX-License-Identifier: GPL-2.0
/*
 * pfs-udev-name, as udev runs it from 60-pfs.rules: the image name of a
 * pfs dm name on stdout, and nothing but exit 1 for anything else (udev
 * then makes no /dev/pfs/ link). It is the helper built next to this test.
 */
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char helper[PATH_MAX];

/* Run the helper on @dm_name; true if it exited 0 and printed @want + "\n". */
static bool prints(const char *dm_name, const char *want)
{
	char out[512] = "", expected[512];
	int pipefd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(pipefd))
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execl(helper, helper, dm_name, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += n;
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return false;
	if (!want)
		return WEXITSTATUS(status) == 1 && got == 0;
	snprintf(expected, sizeof(expected), "%s\n", want);
	return WEXITSTATUS(status) == 0 && strcmp(out, expected) == 0;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	char longest[128], too_long[129];

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(helper, sizeof(helper), "%s/pfs-udev-name", dirname(self));

	CHECK(prints("pfs-vm1", "vm1"));
	CHECK(prints("pfs-web_1.a+b-c", "web_1.a+b-c"));
	CHECK(prints("pfs-pfs-x", "pfs-x"));
	/* the longest dm name: "pfs-" and 123 characters */
	memcpy(longest, "pfs-", 4);
	memset(longest + 4, 'a', 123);
	longest[127] = '\0';
	CHECK(prints(longest, longest + 4));
	memcpy(too_long, longest, 127);
	too_long[127] = 'a';
	too_long[128] = '\0';
	CHECK(prints(too_long, NULL));

	/* not a pfs name, or a tail that is no image name: no link */
	CHECK(prints("vm1", NULL));
	CHECK(prints("pfs-", NULL));
	CHECK(prints("PFS-vm1", NULL));
	CHECK(prints("lvm-pfs-vm1", NULL));
	CHECK(prints("pfs-../etc", NULL));
	CHECK(prints("pfs-a/b", NULL));
	CHECK(prints("pfs-..", NULL));
	CHECK(prints("pfs-.hidden", NULL));
	CHECK(prints("pfs--x", NULL));
	CHECK(prints("pfs-a b", NULL));
	CHECK(prints("pfs-a\nb", NULL));
	CHECK_DONE();
}
