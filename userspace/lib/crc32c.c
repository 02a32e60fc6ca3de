// SPDX-License-Identifier: GPL-2.0
/* crc32c() for the shared format code, backed by ISA-L's crc32_iscsi(). */
#include <isa-l/crc.h>

#include "pfs-types.h"

u32 crc32c(u32 crc, const void *address, unsigned int length)
{
	return crc32_iscsi((unsigned char *)address, (int)length, crc);
}
