// SPDX-License-Identifier: GPL-2.0
/* pfsadm calibrate: measure the pool's device, or show its cost model. */
#include <stdio.h>
#include <time.h>

#include "calibrate.h"
#include "json.h"
#include "pfsadm.h"
#include "size.h"

static struct json_object *pfsadm_model_json(const struct pfs_cost_model *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "read_op_ns", json_object_new_int64(m->read_op_ns));
	json_object_object_add(o, "write_op_ns", json_object_new_int64(m->write_op_ns));
	json_object_object_add(o, "read_mib_ns", json_object_new_int64(m->read_mib_ns));
	json_object_object_add(o, "write_mib_ns", json_object_new_int64(m->write_mib_ns));
	json_object_object_add(o, "seq_op_pct", json_object_new_int64(m->seq_op_pct));
	json_object_object_add(o, "flush_ns", json_object_new_int64(m->flush_ns));
	json_object_object_add(o, "discard_ns", json_object_new_int64(m->discard_ns));
	return o;
}

static struct json_object *pfsadm_sample_json(const struct pfs_calib_sample *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "rand_read_4k_ns", json_object_new_int64((int64_t)s->rand_read_4k));
	json_object_object_add(o, "seq_read_4k_ns", json_object_new_int64((int64_t)s->seq_read_4k));
	json_object_object_add(o, "seq_read_1m_ns", json_object_new_int64((int64_t)s->seq_read_1m));
	json_object_object_add(o, "rand_write_4k_ns", json_object_new_int64((int64_t)s->rand_write_4k));
	json_object_object_add(o, "seq_write_1m_ns", json_object_new_int64((int64_t)s->seq_write_1m));
	json_object_object_add(o, "flush_ns", json_object_new_int64((int64_t)s->flush));
	json_object_object_add(o, "discard_ns", json_object_new_int64((int64_t)s->discard));
	return o;
}

/* "12.3 us" / "4.56 ms": a duration an admin reads at a glance. */
static const char *pfsadm_ns(double ns, char *buf, size_t len)
{
	if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.1f us", ns / 1e3);
	return buf;
}

static void pfsadm_model_print(const struct pfs_pool_handle *pool, const struct pfs_cost_model *m,
			       bool calibrated)
{
	time_t when = (time_t)le64_to_cpu(pool->sb->cost.calibrate_time);
	char a[32], b[32], stamp[32];

	if (calibrated) {
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", localtime(&when));
		printf("%s: cost model calibrated %s\n", pool->path, stamp);
	} else {
		printf("%s: not calibrated; the default cost model (a middling SSD) applies\n",
		       pool->path);
	}
	printf("  read   %s per op + %s per MiB\n", pfsadm_ns(m->read_op_ns, a, sizeof(a)),
	       pfsadm_ns(m->read_mib_ns, b, sizeof(b)));
	printf("  write  %s per op + %s per MiB\n", pfsadm_ns(m->write_op_ns, a, sizeof(a)),
	       pfsadm_ns(m->write_mib_ns, b, sizeof(b)));
	printf("  a sequential op pays %u%% of the per-op part\n", m->seq_op_pct);
	printf("  flush %s, discard %s\n", pfsadm_ns(m->flush_ns, a, sizeof(a)),
	       pfsadm_ns(m->discard_ns, b, sizeof(b)));
}

int cmd_calibrate(int argc, char **argv, struct pfs_error *err)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "show", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct pfsadm_cmd *cmd = pfsadm_find("calibrate");
	struct pfs_calib_sample sample = { 0 };
	struct pfs_pool_handle *pool;
	struct json_object *root;
	struct pfs_cost_model m;
	bool show = false, json = false, calibrated;
	uint64_t seconds = 1;
	int c, code = 0;

	while ((c = pfsadm_getopt(argc, argv, "", opts, cmd, &code)) != -1) {
		switch (c) {
		case 's':
			if (pfs_parse_u64(optarg, &seconds) || !seconds || seconds > 60)
				return pfs_fail(err, PFS_EXIT_ARGS,
						"invalid --seconds '%s' (1 to 60, per measurement)",
						optarg);
			break;
		case 'S':
			show = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return code;
		}
	}
	if (optind != argc)
		return pfs_fail(err, PFS_EXIT_ARGS, "usage: pfsadm calibrate %s", cmd->usage);
	if (pfsadm_open_pool(show ? PFS_OPEN_READ : PFS_OPEN_WRITE, &pool, err))
		return -1;
	if (!show && pfs_calibrate(pool, (double)seconds, &sample, &m, err)) {
		pfs_pool_close(pool);
		return -1;
	}
	calibrated = pfs_arb_model_from_sb(pool->sb, &m);
	if (json) {
		root = pfs_json_report(pool);
		json_object_object_add(root, "calibrated", json_object_new_boolean(calibrated));
		json_object_object_add(root, "calibrate_time",
				       json_object_new_int64((int64_t)le64_to_cpu(
					       pool->sb->cost.calibrate_time)));
		json_object_object_add(root, "model", pfsadm_model_json(&m));
		if (!show)
			json_object_object_add(root, "measured", pfsadm_sample_json(&sample));
		pfs_json_print(root);
	} else {
		pfsadm_model_print(pool, &m, calibrated);
	}
	pfs_pool_close(pool);
	return 0;
}
