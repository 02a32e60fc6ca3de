/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UUIDs and machine-ids as bare lowercase hex (no dashes), as dm UUIDs,
 * sanlock's lease names and /etc/machine-id spell them.
 */
#ifndef PFS_HEX_H
#define PFS_HEX_H

#include <stdint.h>

/* @n bytes into 2 * @n digits and a NUL at @out. */
void pfs_hex_encode(const uint8_t *bytes, unsigned int n, char *out);
/* 2 * @n hex digits at @text into @n bytes: 0, or -1 if one is not a digit. */
int pfs_hex_decode(const char *text, unsigned int n, uint8_t *out);

#endif /* PFS_HEX_H */
