// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-img.h"

/* What a child said on a stream: enough for info's JSON or the last error. */
#define PFS_QEMU_IMG_OUT (64 << 10)

static ssize_t pfs_read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/*
 * Run qemu-img with @argv; its stdout into @out (NULL: left to ours), its
 * stderr into @errbuf. Returns its exit status, or -1 if it did not run.
 */
static int pfs_qemu_img_run(char *const argv[], char *out, char *errbuf, size_t errlen)
{
	int outp[2] = { -1, -1 }, errp[2], status;
	pid_t pid;

	if (pipe2(errp, O_CLOEXEC))
		return -1;
	if (out && pipe2(outp, O_CLOEXEC)) {
		close(errp[0]);
		close(errp[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (out)
			dup2(outp[1], STDOUT_FILENO);
		dup2(errp[1], STDERR_FILENO);
		execvp("qemu-img", argv);
		fprintf(stderr, "cannot run qemu-img: %s (install qemu-utils)\n", strerror(errno));
		_exit(127);
	}
	close(errp[1]);
	if (out)
		close(outp[1]);
	if (pid < 0) {
		close(errp[0]);
		if (out)
			close(outp[0]);
		return -1;
	}
	/* info prints little; convert prints its progress to our stdout. */
	if (out)
		pfs_read_all(outp[0], out, PFS_QEMU_IMG_OUT);
	pfs_read_all(errp[0], errbuf, errlen);
	if (out)
		close(outp[0]);
	close(errp[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* qemu-img's last line of complaint, for a one-line error. */
static const char *pfs_qemu_img_why(char *errbuf)
{
	char *end = errbuf + strlen(errbuf), *line;

	while (end > errbuf && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	line = strrchr(errbuf, '\n');
	line = line ? line + 1 : errbuf;
	return *line ? line : "no reason given";
}

int pfs_qemu_img_info(const char *file, const char *format, struct pfs_qemu_img_info *info,
		      struct pfs_error *err)
{
	char *out = malloc(PFS_QEMU_IMG_OUT), errbuf[1024];
	char *argv[] = { "qemu-img", "info", "-U", "--output=json", NULL, NULL, NULL, NULL };
	struct json_object *root = NULL, *v;
	int rc, i = 4, r = -1;

	memset(info, 0, sizeof(*info));
	if (!out)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	if (format) {
		argv[i++] = "-f";
		argv[i++] = (char *)format;
	}
	argv[i] = (char *)file;
	rc = pfs_qemu_img_run(argv, out, errbuf, sizeof(errbuf));
	if (rc) {
		pfs_fail(err, rc == 127 || rc < 0 ? PFS_EXIT_DEVICE : PFS_EXIT_ARGS, "%s: %s", file,
			 rc < 0 ? "cannot run qemu-img" : pfs_qemu_img_why(errbuf));
		goto out;
	}
	root = json_tokener_parse(out);
	if (!root || !json_object_object_get_ex(root, "virtual-size", &v) ||
	    json_object_get_int64(v) <= 0) {
		pfs_fail(err, PFS_EXIT_DEVICE, "%s: qemu-img info gave no virtual size", file);
		goto out;
	}
	info->virtual_bytes = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(root, "format", &v))
		snprintf(info->format, sizeof(info->format), "%s", json_object_get_string(v));
	info->has_backing = json_object_object_get_ex(root, "backing-filename", NULL) ||
			    json_object_object_get_ex(root, "data-file", NULL);
	if (json_object_object_get_ex(root, "format-specific", &v) &&
	    json_object_object_get_ex(v, "data", &v) &&
	    json_object_object_get_ex(v, "data-file", NULL))
		info->has_backing = true;
	r = 0;
out:
	json_object_put(root);
	free(out);
	return r;
}

int pfs_qemu_img_convert(const char *src, const char *src_format, const char *dst,
			 const char *dst_format, bool dst_exists, bool progress,
			 struct pfs_error *err)
{
	char *argv[16], errbuf[1024];
	int i = 0, rc;

	argv[i++] = "qemu-img";
	argv[i++] = "convert";
	if (progress)
		argv[i++] = "-p";
	if (dst_exists)
		argv[i++] = "-n";
	/* No host page cache on the pfs device's side, as a VM uses it. */
	argv[i++] = dst_exists ? "-t" : "-T";
	argv[i++] = "none";
	argv[i++] = "-f";
	argv[i++] = (char *)src_format;
	argv[i++] = "-O";
	argv[i++] = (char *)dst_format;
	argv[i++] = (char *)src;
	argv[i++] = (char *)dst;
	argv[i] = NULL;
	rc = pfs_qemu_img_run(argv, NULL, errbuf, sizeof(errbuf));
	if (rc)
		return pfs_fail(err, PFS_EXIT_DEVICE, "qemu-img convert %s to %s: %s", src, dst,
				rc < 0 ? "cannot run qemu-img" : pfs_qemu_img_why(errbuf));
	return 0;
}
