/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types and helpers the shared format code needs, so that
 * pfs-format.h, pfs-table.c and pfs-arb.c compile unchanged in the kernel and in
 * pfsadm. In userspace crc32c comes from ISA-L (crc32_iscsi).
 */
#ifndef PFS_TYPES_H
#define PFS_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/stddef.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/crc32c.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <asm/byteorder.h>
#else
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

/* __packed comes from the userspace Makefile's CFLAGS. */
typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) htole64(x)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define U32_MAX UINT32_MAX

/* The simulator is single-threaded: plain accesses. */
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, v) ((x) = (v))

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

/* Same contract as the kernel's crc32c(): no pre- or post-inversion. */
u32 crc32c(u32 crc, const void *address, unsigned int length);
#endif

#endif /* PFS_TYPES_H */
