// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define PFS_CONF_MAX_BYTES	65536

static const char *pfs_conf_skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A decimal in [lo, hi] filling [p, end) exactly. */
static int pfs_conf_number(const char *p, const char *end, unsigned int lo, unsigned int hi,
			   unsigned int *out)
{
	unsigned long v = 0;

	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static bool pfs_conf_key_is(const char *key, const char *key_end, const char *name)
{
	return (size_t)(key_end - key) == strlen(name) && !memcmp(key, name, strlen(name));
}

static int pfs_conf_line(const char *p, const char *end, const char *path, unsigned int lineno,
			 struct pfs_conf *conf, struct pfs_error *err)
{
	const char *key, *key_end, *value;
	const char *hash = memchr(p, '#', (size_t)(end - p));

	if (hash)
		end = hash;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	p = pfs_conf_skip_space(p, end);
	if (p == end)
		return 0;
	key = p;
	while (p < end && *p != '=' && *p != ' ' && *p != '\t')
		p++;
	key_end = p;
	p = pfs_conf_skip_space(p, end);
	if (p == end || *p != '=' || key == key_end)
		return pfs_fail(err, PFS_EXIT_ARGS, "%s:%u: expected \"key = value\"", path,
				lineno);
	value = pfs_conf_skip_space(p + 1, end);
	if (pfs_conf_key_is(key, key_end, "pool")) {
		if (value == end || (size_t)(end - value) >= sizeof(conf->pool) ||
		    memchr(value, ' ', (size_t)(end - value)) ||
		    memchr(value, '\t', (size_t)(end - value)))
			return pfs_fail(err, PFS_EXIT_ARGS, "%s:%u: pool must be one DEVICE or UUID=",
					path, lineno);
		memcpy(conf->pool, value, (size_t)(end - value));
		conf->pool[end - value] = '\0';
		return 0;
	}
	if (pfs_conf_key_is(key, key_end, "host_id")) {
		if (pfs_conf_number(value, end, 1, PFS_MAX_HOST_ID, &conf->host_id))
			return pfs_fail(err, PFS_EXIT_ARGS, "%s:%u: host_id must be 1..%u",
					path, lineno, PFS_MAX_HOST_ID);
		return 0;
	}
	if (pfs_conf_key_is(key, key_end, "lease_io_timeout")) {
		if (pfs_conf_number(value, end, 1, 300, &conf->lease_io_timeout))
			return pfs_fail(err, PFS_EXIT_ARGS,
					"%s:%u: lease_io_timeout must be 1..300 seconds", path,
					lineno);
		return 0;
	}
	return pfs_fail(err, PFS_EXIT_ARGS, "%s:%u: unknown key \"%.*s\"", path, lineno,
			(int)(key_end - key), key);
}

int pfs_conf_parse(const char *text, size_t len, const char *path, struct pfs_conf *conf,
		   struct pfs_error *err)
{
	const char *p = text, *end = text + len;
	unsigned int lineno = 0;

	memset(conf, 0, sizeof(*conf));
	conf->lease_io_timeout = PFS_LEASE_IO_TIMEOUT;
	snprintf(conf->path, sizeof(conf->path), "%s", path);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;

		lineno++;
		if (memchr(p, '\0', (size_t)(line_end - p)))
			return pfs_fail(err, PFS_EXIT_ARGS, "%s:%u: NUL byte", path, lineno);
		if (pfs_conf_line(p, line_end, path, lineno, conf, err))
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int pfs_conf_load(struct pfs_conf *conf, struct pfs_error *err)
{
	const char *path = getenv("PFS_CONF") ? getenv("PFS_CONF") : PFS_CONF_PATH;
	char *text = malloc(PFS_CONF_MAX_BYTES);
	size_t len;
	FILE *f;
	int r;

	if (!text)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	f = fopen(path, "re");
	if (!f) {
		free(text);
		if (errno != ENOENT)
			return pfs_fail(err, PFS_EXIT_ARGS, "cannot read %s: %s", path,
					strerror(errno));
		return pfs_conf_parse("", 0, path, conf, err);
	}
	len = fread(text, 1, PFS_CONF_MAX_BYTES, f);
	if (len == PFS_CONF_MAX_BYTES) {
		fclose(f);
		free(text);
		return pfs_fail(err, PFS_EXIT_ARGS, "%s: larger than %d bytes", path,
				PFS_CONF_MAX_BYTES);
	}
	fclose(f);
	r = pfs_conf_parse(text, len, path, conf, err);
	free(text);
	return r;
}
