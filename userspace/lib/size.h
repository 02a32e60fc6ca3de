/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes as lvcreate takes them: a number with an optional binary suffix. */
#ifndef PFS_SIZE_H
#define PFS_SIZE_H

#include <stdint.h>

/* "20G", "512MiB", "1t", "8s", "100" (MiB) ... Returns 0, or -1 if invalid. */
int pfs_parse_size(const char *text, uint64_t *bytes);
/* Parse an unsigned decimal count with no suffix. Returns 0 or -1. */
int pfs_parse_u64(const char *text, uint64_t *value);
/* "20.0G"-style rendering into buf. */
const char *pfs_format_size(uint64_t bytes, char *buf, unsigned int len);
/* The same for a count of 512-byte sectors, which may pass 2^64 bytes. */
const char *pfs_format_sectors(uint64_t sectors, char *buf, unsigned int len);

#endif /* PFS_SIZE_H */
