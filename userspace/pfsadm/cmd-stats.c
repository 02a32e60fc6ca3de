// SPDX-License-Identifier: GPL-2.0
/* pfsadm stats: each active image's I/O, as iostat shows a disk's. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "image.h"
#include "json.h"
#include "pfsadm.h"
#include "size.h"
#include "stats.h"

struct pfsadm_sample {
	const struct pfs_image_entry *e;
	bool active;
	struct pfs_image_stats st;
};

/* Every active image of the pool (or @name only) and its counters now. */
static int pfsadm_sample(const struct pfs_pool_handle *pool, const char *name,
			 struct pfsadm_sample *out, unsigned int *n, struct pfs_error *err)
{
	const struct pfs_image_entry *e = pfs_table_entries(pool->table);
	char dm_name[PFS_NAME_LEN + 8];
	int open_count;
	unsigned int i;

	*n = 0;
	pfs_live_forget();	/* --watch: images come and go meanwhile */
	for (i = 0; i < PFS_MAX_IMAGES; i++) {
		struct pfsadm_sample *s = &out[*n];
		enum pfs_image_state state;

		if (!(le32_to_cpu(e[i].flags) & PFS_IMAGE_IN_USE) || (name && strcmp(name, e[i].name)))
			continue;
		state = pfs_image_state(pool, &e[i], &open_count);
		s->e = &e[i];
		s->active = state != PFS_IMAGE_INACTIVE && state != PFS_IMAGE_FOREIGN;
		snprintf(dm_name, sizeof(dm_name), PFS_DM_PREFIX "%s", e[i].name);
		if (s->active && pfs_stats_read(dm_name, &s->st, err))
			return -1;
		(*n)++;
	}
	if (name && !*n)
		return pfs_fail(err, PFS_EXIT_DEVICE, "no image named %s", name);
	return 0;
}

static const char *pfsadm_us(uint64_t us, char *buf, size_t len)
{
	if (!us)
		return "-";
	if (us == UINT64_MAX)
		snprintf(buf, len, ">%llums", (unsigned long long)
			 (pfs_stats_bucket_us(PFS_STATS_LAT_BUCKETS - 2) / 1000));
	else if (us >= 1000)
		snprintf(buf, len, "<%llums", (unsigned long long)(us / 1000));
	else
		snprintf(buf, len, "<%lluus", (unsigned long long)us);
	return buf;
}

/* One interval's rates, from two samples @secs apart. */
static void pfsadm_print_rates(const struct pfsadm_sample *a, const struct pfsadm_sample *b,
			       unsigned int n, double secs)
{
	static const struct pfs_image_stats zero;
	char p50[32], p99[32];
	uint64_t lat[PFS_STATS_LAT_BUCKETS];
	unsigned int i, k;

	printf("%-20s %8s %8s %8s %8s %6s %6s %8s %8s %8s %8s\n", "IMAGE", "r/s", "w/s",
	       "rMB/s", "wMB/s", "INFL", "QUEUED", "THROTTL", "WAITS", "p50", "p99");
	for (i = 0; i < n; i++) {
		const struct pfs_image_stats *x = &a[i].st, *y = &b[i].st;

		if (!b[i].active) {
			printf("%-20s %8s\n", b[i].e->name, "inactive");
			continue;
		}
		if (!a[i].active)	/* activated meanwhile: counted from zero */
			x = &zero;
		for (k = 0; k < PFS_STATS_LAT_BUCKETS; k++)
			lat[k] = y->lat[k] - x->lat[k];
		printf("%-20s %8.1f %8.1f %8.2f %8.2f %6llu %6llu %8llu %8llu %8s %8s\n",
		       b[i].e->name, (double)(y->reads - x->reads) / secs,
		       (double)(y->writes - x->writes) / secs,
		       (double)(y->read_sectors - x->read_sectors) * 512 / 1e6 / secs,
		       (double)(y->write_sectors - x->write_sectors) * 512 / 1e6 / secs,
		       (unsigned long long)y->in_flight, (unsigned long long)y->queued,
		       (unsigned long long)(y->throttled - x->throttled),
		       (unsigned long long)(y->arb_waits - x->arb_waits),
		       pfsadm_us(pfs_stats_percentile_us(lat, 50), p50, sizeof(p50)),
		       pfsadm_us(pfs_stats_percentile_us(lat, 99), p99, sizeof(p99)));
	}
}

static void pfsadm_json_stats(const struct pfs_pool_handle *pool, const struct pfsadm_sample *s,
			      unsigned int n)
{
	struct json_object *root = pfs_json_report(pool), *arr = json_object_new_array();
	unsigned int i, k;

#define U64(o, f) json_object_object_add(o, #f, json_object_new_uint64(s[i].st.f))
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object(), *lat;

		json_object_object_add(o, "name", json_object_new_string(s[i].e->name));
		json_object_object_add(o, "active", json_object_new_boolean(s[i].active));
		if (s[i].active) {
			U64(o, reads); U64(o, writes); U64(o, read_sectors); U64(o, write_sectors);
			U64(o, flushes); U64(o, discards); U64(o, in_flight); U64(o, queued);
			U64(o, queued_bytes); U64(o, throttled); U64(o, queue_full); U64(o, weight);
			U64(o, iops_max); U64(o, bps_max); U64(o, charged_ns); U64(o, arb_waits);
			lat = json_object_new_array();
			for (k = 0; k < PFS_STATS_LAT_BUCKETS; k++)
				json_object_array_add(lat, json_object_new_uint64(s[i].st.lat[k]));
			json_object_object_add(o, "latency_us_buckets", lat);
		}
		json_object_array_add(arr, o);
	}
#undef U64
	json_object_object_add(root, "images", arr);
	pfs_json_print(root);
}

/* The node_exporter textfile collector's format: counters and gauges. */
static void pfsadm_prometheus(const struct pfs_pool_handle *pool, const struct pfsadm_sample *s,
			      unsigned int n)
{
	static const struct {
		const char *name, *type, *help;
		size_t offset;
		unsigned int scale;
	} m[] = {
#define M(n, t, f, sc, h) { n, t, h, offsetof(struct pfs_image_stats, f), sc }
		M("pfs_reads_completed_total", "counter", reads, 1, "Reads completed."),
		M("pfs_writes_completed_total", "counter", writes, 1, "Writes completed."),
		M("pfs_read_bytes_total", "counter", read_sectors, 512, "Bytes read."),
		M("pfs_written_bytes_total", "counter", write_sectors, 512, "Bytes written."),
		M("pfs_flushes_total", "counter", flushes, 1, "Empty flushes."),
		M("pfs_discards_total", "counter", discards, 1, "Discards and write-zeroes."),
		M("pfs_throttled_total", "counter", throttled, 1, "Bios that waited in the image's queue."),
		M("pfs_arbiter_waits_total", "counter", arb_waits, 1, "Times the arbiter refused the image its turn."),
		M("pfs_in_flight", "gauge", in_flight, 1, "Bios sent to the pool's device, not completed."),
		M("pfs_queued", "gauge", queued, 1, "Bios waiting in the image's queue."),
		M("pfs_weight", "gauge", weight, 1, "The image's arbiter weight."),
#undef M
	};
	char uuid[37];
	unsigned int i, j, k;
	uint64_t cum;

	uuid_unparse_lower(pool->sb->pool_uuid, uuid);
	for (j = 0; j < sizeof(m) / sizeof(m[0]); j++) {
		printf("# HELP %s %s\n# TYPE %s %s\n", m[j].name, m[j].help, m[j].name, m[j].type);
		for (i = 0; i < n; i++)
			if (s[i].active)
				printf("%s{pool=\"%s\",image=\"%s\"} %llu\n", m[j].name, uuid,
				       s[i].e->name, (unsigned long long)
				       (*(const uint64_t *)((const char *)&s[i].st + m[j].offset) *
					m[j].scale));
	}
	printf("# HELP pfs_latency_us Bios by latency from map to completion, in us.\n"
	       "# TYPE pfs_latency_us histogram\n");
	for (i = 0; i < n; i++) {
		if (!s[i].active)
			continue;
		for (k = 0, cum = 0; k < PFS_STATS_LAT_BUCKETS; k++) {
			cum += s[i].st.lat[k];
			if (k < PFS_STATS_LAT_BUCKETS - 1)
				printf("pfs_latency_us_bucket{pool=\"%s\",image=\"%s\",le=\"%llu\"} %llu\n",
				       uuid, s[i].e->name,
				       (unsigned long long)pfs_stats_bucket_us(k), (unsigned long long)cum);
		}
		printf("pfs_latency_us_bucket{pool=\"%s\",image=\"%s\",le=\"+Inf\"} %llu\n"
		       "pfs_latency_us_count{pool=\"%s\",image=\"%s\"} %llu\n",
		       uuid, s[i].e->name, (unsigned long long)cum, uuid, s[i].e->name,
		       (unsigned long long)cum);
	}
}

static volatile sig_atomic_t pfsadm_stop;

static void pfsadm_on_signal(int sig)
{
	(void)sig;
	pfsadm_stop = 1;
}

int cmd_stats(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "watch", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static struct pfsadm_sample a[PFS_MAX_IMAGES], b[PFS_MAX_IMAGES];
	const struct pfsadm_cmd *cmd = pfsadm_find("stats");
	struct pfs_pool_handle *pool;
	uint64_t watch = 0;
	unsigned int n, m;
	bool json = false, prom = false;
	int c, code = 0, r = -1;
	const char *name;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		if (c == '?')
			return code;
		if (c == 'w' && (pfs_parse_u64(optarg, &watch) || watch < 1 || watch > 3600))
			return pfs_fail(err, PFS_EXIT_ARGS,
					"invalid --watch '%s' (seconds, 1 to 3600)", optarg);
		json |= c == 'j';
		prom |= c == 'p';
	}
	if (optind < argc - 1 || (json && prom) || (watch && (json || prom)))
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm stats %s", cmd->usage);
	name = optind < argc ? argv[optind] : NULL;
	if (pfsadm_open_pool(PFS_OPEN_READ, &pool, err))
		return -1;
	if (pfsadm_sample(pool, name, a, &n, err))
		goto out;
	if (json || prom) {
		(json ? pfsadm_json_stats : pfsadm_prometheus)(pool, a, n);
		r = 0;
		goto out;
	}
	signal(SIGINT, pfsadm_on_signal);
	signal(SIGTERM, pfsadm_on_signal);
	do {
		struct timespec t = { .tv_sec = watch ? (time_t)watch : 1 };

		while (nanosleep(&t, &t) && !pfsadm_stop)
			;
		if (pfsadm_stop)
			break;
		if (pfsadm_sample(pool, name, b, &m, err))
			goto out;
		/* The table is the pool's as opened: the same images, in order. */
		pfsadm_print_rates(a, b, m, watch ? (double)watch : 1.0);
		fflush(stdout);
		memcpy(a, b, sizeof(a[0]) * m);
	} while (watch && !pfsadm_stop);
	r = 0;
out:
	pfs_pool_close(pool);
	return r;
}
