// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "fence.h"
#include "hex.h"
#include "live.h"

/* One resource of the inquiry: "pfs_<pool hex>:<image hex>:..." */
static int pfs_fence_one(const char *res, struct pfs_error *err)
{
	uint8_t pool[PFS_UUID_LEN], image[PFS_UUID_LEN];
	struct pfs_live_maps maps = { 0 };
	unsigned int i;
	int n = 0;

	if (strncmp(res, "pfs_", 4) || strlen(res) < 4 + 32 + 1 + 32 || res[36] != ':' ||
	    pfs_hex_decode(res + 4, PFS_UUID_LEN, pool) ||
	    pfs_hex_decode(res + 37, PFS_UUID_LEN, image))
		return 0;	/* not an image lease of ours */
	if (pfs_live_read(pool, &maps, err))
		return -1;
	for (i = 0; i < maps.n; i++) {
		if (memcmp(maps.map[i].image_uuid, image, PFS_UUID_LEN))
			continue;
		if (pfs_dm_suspend(maps.map[i].dm_name, err)) {
			n = -1;
			break;
		}
		n++;
	}
	pfs_live_free(&maps);
	return n;
}

int pfs_fence_images(const char *state, struct pfs_error *err)
{
	char *copy = strdup(state ? state : ""), *res, *save = NULL;
	int total = 0, n, failed = 0;

	if (!copy)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	for (res = strtok_r(copy, " ", &save); res; res = strtok_r(NULL, " ", &save)) {
		n = pfs_fence_one(res, err);
		if (n < 0)
			failed = 1;
		else
			total += n;
	}
	free(copy);
	return failed ? -1 : total;
}
