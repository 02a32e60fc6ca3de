// SPDX-License-Identifier: GPL-2.0
/*
 * pfs-udev-name DM_NAME: print the image name of a dm-pfs device, "vm1"
 * for "pfs-vm1", for the /dev/pfs/NAME link of 60-pfs.rules; exit 1 and
 * print nothing when DM_NAME is not "pfs-" and a valid image name.
 *
 * udev runs it for every event of every image. It is linked statically:
 * under emulation a shell took 44 ms an exec there, this 9 ms.
 */
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "pfs-table.h"

int main(int argc, char **argv)
{
	const size_t prefix_len = strlen(PFS_DM_PREFIX);
	const char *name;
	size_t len;

	if (argc != 2 || strncmp(argv[1], PFS_DM_PREFIX, prefix_len))
		return 1;
	name = argv[1] + prefix_len;
	len = strlen(name);
	if (len > PFS_MAX_NAME_CHARS || !pfs_name_valid(name, len))
		return 1;
	if (write(STDOUT_FILENO, name, len) != (ssize_t)len ||
	    write(STDOUT_FILENO, "\n", 1) != 1)
		return 1;
	return 0;
}
