/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes as lvcreate takes them: a number with an optional binary suffix. */
#ifndef PFS_SIZE_H
#define PFS_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/* "20G", "1.5T", "512MiB", "8s", "100" (MiB) ... Returns 0, or -1 if invalid. */
int pfs_parse_size(const char *text, uint64_t *bytes);

/* What an image's SIZE argument asks for, as lvcreate and lvresize take it. */
enum pfs_size_kind {
	PFS_SIZE_ABSOLUTE,	/* "20G" */
	PFS_SIZE_GROW,		/* "+5G": that much more */
	PFS_SIZE_SHRINK,	/* "-5G": that much less */
	PFS_SIZE_PCT_FREE,	/* "50%FREE": of the largest free extent */
	PFS_SIZE_GROW_PCT_FREE,	/* "+50%FREE": of the free space after the image */
};

struct pfs_size_spec {
	enum pfs_size_kind kind;
	uint64_t bytes;		/* ABSOLUTE, GROW, SHRINK */
	unsigned int pct;	/* the %FREE kinds: 1 to 100 */
};

/* Parse SIZE, +SIZE, -SIZE, N%FREE or +N%FREE. Returns 0, or -1 if invalid. */
int pfs_parse_size_spec(const char *text, struct pfs_size_spec *spec);
/* Parse an unsigned decimal count with no suffix. Returns 0 or -1. */
int pfs_parse_u64(const char *text, uint64_t *value);
/* "20.0G"-style rendering into buf. */
const char *pfs_format_size(uint64_t bytes, char *buf, unsigned int len);
/* The same for a count of 512-byte sectors, which may pass 2^64 bytes. */
const char *pfs_format_sectors(uint64_t sectors, char *buf, unsigned int len);

/*
 * --units as lvs takes them: h (human, as pfs_format_size), b (bytes),
 * s (512-byte sectors), k, m, g, t, p, e (powers of 1024); either case.
 * Returns the unit in lower case, or 0 if @text is none of them.
 */
char pfs_parse_units(const char *text);
/* @bytes in @unit: b and s whole, k to e with two decimals; the unit's
 * letter (upper case) follows unless !@suffix. */
const char *pfs_format_units(uint64_t bytes, char unit, bool suffix, char *buf,
			     unsigned int len);

#endif /* PFS_SIZE_H */
