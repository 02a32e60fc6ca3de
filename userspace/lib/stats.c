// SPDX-License-Identifier: GPL-2.0
#include <libdevmapper.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "size.h"
#include "stats.h"

uint64_t pfs_stats_bucket_us(unsigned int i)
{
	return i < PFS_STATS_LAT_BUCKETS - 1 ? 16ULL << (2 * i) : UINT64_MAX;
}

static const struct {
	const char *key;
	size_t offset;
} pfs_stats_fields[] = {
#define F(name) { #name, offsetof(struct pfs_image_stats, name) }
	F(reads), F(writes), F(read_sectors), F(write_sectors), F(flushes), F(discards),
	F(in_flight), F(queued), F(queued_bytes), F(throttled), F(queue_full),
	F(weight), F(iops_max), F(bps_max),
	F(charged_ns), F(arb_waits), F(pool_budget_ns), F(pool_floor_ns),
#undef F
};

#define PFS_STATS_NFIELDS (sizeof(pfs_stats_fields) / sizeof(pfs_stats_fields[0]))

/* "16:N,64:N,...,inf:N", the buckets in order. */
static int pfs_stats_parse_lat(const char *text, size_t len, uint64_t *lat)
{
	char word[32];
	unsigned int i;
	size_t n;

	for (i = 0; i < PFS_STATS_LAT_BUCKETS; i++) {
		n = strcspn(text, ",");
		if (n > len)
			n = len;
		if (n >= sizeof(word))
			return -1;
		memcpy(word, text, n);
		word[n] = '\0';
		if (i < PFS_STATS_LAT_BUCKETS - 1) {
			char bound[24];
			int w = snprintf(bound, sizeof(bound), "%llu:",
					 (unsigned long long)pfs_stats_bucket_us(i));

			if (strncmp(word, bound, (size_t)w) || pfs_parse_u64(word + w, &lat[i]))
				return -1;
		} else if (strncmp(word, "inf:", 4) || pfs_parse_u64(word + 4, &lat[i])) {
			return -1;
		}
		if (i < PFS_STATS_LAT_BUCKETS - 1 && (n == len || text[n] != ','))
			return -1;
		text += n + 1;
		len -= n + (n < len);
	}
	return len ? -1 : 0;
}

int pfs_stats_parse(const char *status, struct pfs_image_stats *s)
{
	bool seen[PFS_STATS_NFIELDS] = { false }, lat = false;
	const char *p = status;
	char key[32], value[32];
	size_t n, k, i;

	memset(s, 0, sizeof(*s));
	while (*p) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n)
			break;
		k = strcspn(p, "=");
		if (k >= n || k >= sizeof(key))
			goto next;	/* not KEY=VALUE, or a key we cannot know */
		memcpy(key, p, k);
		key[k] = '\0';
		if (!strcmp(key, "lat_us")) {
			if (pfs_stats_parse_lat(p + k + 1, n - k - 1, s->lat))
				return -1;
			lat = true;
			goto next;
		}
		for (i = 0; i < PFS_STATS_NFIELDS; i++) {
			if (strcmp(key, pfs_stats_fields[i].key))
				continue;
			if (n - k - 1 >= sizeof(value))
				return -1;
			memcpy(value, p + k + 1, n - k - 1);
			value[n - k - 1] = '\0';
			if (pfs_parse_u64(value, (uint64_t *)((char *)s + pfs_stats_fields[i].offset)))
				return -1;
			seen[i] = true;
		}
next:
		p += n;
	}
	for (i = 0; i < PFS_STATS_NFIELDS; i++)
		if (!seen[i])
			return -1;
	return lat ? 0 : -1;
}

int pfs_stats_read(const char *dm_name, struct pfs_image_stats *s, struct pfs_error *err)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_STATUS);
	char *type = NULL, *params = NULL;
	uint64_t start, length;
	struct dm_info info;
	int r = -1;

	if (!dmt)
		return pfs_fail(err, PFS_EXIT_NOMEM, "cannot create a device-mapper task");
	if (!dm_task_set_name(dmt, dm_name) || !dm_task_run(dmt) ||
	    !dm_task_get_info(dmt, &info) || !info.exists) {
		pfs_fail(err, PFS_EXIT_DEVICE, "%s is not active", dm_name);
		goto out;
	}
	dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	if (!type || strcmp(type, "pfs") || !params || pfs_stats_parse(params, s)) {
		pfs_fail(err, PFS_EXIT_DEVICE, "%s has no pfs status this pfsadm can read", dm_name);
		goto out;
	}
	r = 0;
out:
	dm_task_destroy(dmt);
	return r;
}

uint64_t pfs_stats_percentile_us(const uint64_t *lat, unsigned int pct)
{
	uint64_t total = 0, seen = 0, want;
	unsigned int i;

	for (i = 0; i < PFS_STATS_LAT_BUCKETS; i++)
		total += lat[i];
	if (!total)
		return 0;
	/* The smallest bucket by which pct % of completions are counted. */
	want = total / 100 * pct + (total % 100 * pct + 99) / 100;
	for (i = 0; i < PFS_STATS_LAT_BUCKETS; i++) {
		seen += lat[i];
		if (seen >= want)
			return pfs_stats_bucket_us(i);
	}
	return UINT64_MAX;
}
