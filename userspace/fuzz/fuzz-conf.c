// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: /etc/pfs.conf's parser. Whatever the text, it returns
 * 0 with values in their bounds, or -1 with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfs_error err = { 0 };
	struct pfs_conf conf;

	if (!pfs_conf_parse((const char *)data, size, "fuzz", &conf, &err)) {
		if (conf.host_id > PFS_MAX_HOST_ID || !conf.lease_io_timeout ||
		    conf.lease_io_timeout > 300)
			abort();
	} else if (!err.msg[0]) {
		abort();
	}
	return 0;
}
