// SPDX-License-Identifier: GPL-2.0
/*
 * pfsadm calibrate's model: what it derives from measured figures gives
 * those figures back, fills what was not measured from the reads, always
 * lands within the superblock's bounds, and round-trips through a
 * superblock the kernel's validator accepts.
 */
#include <math.h>
#include <string.h>

#include "calibrate.h"
#include "check.h"
#include "pfs-table.h"
#include "pool.h"

#define DEV_SECTORS	(1ULL << 21)

/* Does the shared validator (kernel and pfsadm) accept @sb as it is now? */
static bool sb_valid(struct pfs_superblock *sb)
{
	const char *why;

	sb->csum = cpu_to_le32(pfs_sb_csum(sb));
	return !pfs_sb_validate(sb, DEV_SECTORS, &why);
}

/* The arbiter's charge for one op under @m (pfs_arb_cost). */
static double cost(const struct pfs_cost_model *m, bool write, bool seq, double bytes)
{
	double op = write ? m->write_op_ns : m->read_op_ns;
	double mib = write ? m->write_mib_ns : m->read_mib_ns;

	return (seq ? op * m->seq_op_pct / 100 : op) + bytes * mib / (1 << 20);
}

static bool near(double got, double want)
{
	return fabs(got - want) <= want * 0.02 + 1;
}

static bool in_bounds(const struct pfs_cost_model *m)
{
	return m->read_op_ns >= 1 && m->read_op_ns <= PFS_COST_MAX_NS &&
	       m->write_op_ns >= 1 && m->write_op_ns <= PFS_COST_MAX_NS &&
	       m->read_mib_ns >= 1 && m->read_mib_ns <= PFS_COST_MAX_MIB_NS &&
	       m->write_mib_ns >= 1 && m->write_mib_ns <= PFS_COST_MAX_MIB_NS &&
	       m->seq_op_pct >= 1 && m->seq_op_pct <= 100 &&
	       m->flush_ns >= 1 && m->flush_ns <= PFS_COST_MAX_NS &&
	       m->discard_ns >= 1 && m->discard_ns <= PFS_COST_MAX_NS;
}

int main(void)
{
	/* A depth-bound device: every command 200 us, 4 at a time. */
	struct pfs_calib_sample depth = {
		.rand_read_4k = 50000, .seq_read_4k = 50000, .seq_read_1m = 400000,
		.rand_write_4k = 60000, .seq_write_1m = 480000, .flush = 900000, .discard = 70000,
	};
	/* A bandwidth-bound one: 50 MiB/s whatever the size. */
	struct pfs_calib_sample bw = {
		.rand_read_4k = 78125, .seq_read_4k = 78125, .seq_read_1m = 20000000,
	};
	/* A disk: seeks cost, streaming does not. */
	struct pfs_calib_sample hdd = {
		.rand_read_4k = 8000000, .seq_read_4k = 40000, .seq_read_1m = 7000000,
	};
	struct pfs_calib_sample junk = {
		.rand_read_4k = 1e30, .seq_read_4k = NAN, .seq_read_1m = -5,
		.rand_write_4k = 0.001, .seq_write_1m = INFINITY, .flush = 1e20, .discard = -1,
	};
	struct pfs_calib_sample none = { 0 };
	struct pfs_format_opts opts = { .align_sectors = 2048 };
	struct pfs_superblock sb;
	struct pfs_cost_model m, back;
	struct pfs_error err = { 0 };

	pfs_calib_derive(&depth, &m);
	CHECK(in_bounds(&m));
	CHECK(near(cost(&m, false, false, 4096), depth.rand_read_4k));
	CHECK(near(cost(&m, false, true, 1 << 20), depth.seq_read_1m));
	CHECK(near(cost(&m, true, false, 4096), depth.rand_write_4k));
	CHECK(near(cost(&m, true, true, 1 << 20), depth.seq_write_1m));
	CHECK(m.seq_op_pct == 100);
	CHECK(m.flush_ns == 900000 && m.discard_ns == 70000);

	/* Bandwidth: bytes are the cost; writes, flush and discard scaled from reads. */
	pfs_calib_derive(&bw, &m);
	CHECK(in_bounds(&m));
	CHECK(near(cost(&m, false, true, 1 << 20), bw.seq_read_1m));
	CHECK(m.read_mib_ns > 100 * m.read_op_ns);
	CHECK(fabs(m.write_op_ns - m.read_op_ns * 1.25) <= 1.5);
	CHECK(fabs(m.write_mib_ns - m.read_mib_ns * 1.25) <= 1.5);
	CHECK(m.flush_ns > m.read_op_ns && m.discard_ns > m.read_op_ns);

	/* A disk: a sequential op pays a small part of a random one's. */
	pfs_calib_derive(&hdd, &m);
	CHECK(in_bounds(&m));
	CHECK(m.seq_op_pct <= 1);
	CHECK(near(cost(&m, false, false, 4096), hdd.rand_read_4k));

	/* Nonsense in, bounds out; nothing measured: the default. */
	pfs_calib_derive(&junk, &m);
	CHECK(in_bounds(&m));
	pfs_calib_derive(&none, &m);
	CHECK(!memcmp(&m, &pfs_arb_default_model, sizeof(m)));

	/* Round trip through a current superblock the validator accepts. */
	CHECK(!pfs_sb_init(&sb, &opts, DEV_SECTORS, &err));
	CHECK(le32_to_cpu(sb.version) >= 3 && sb_valid(&sb));
	CHECK(!pfs_arb_model_from_sb(&sb, &back));
	CHECK(!memcmp(&back, &pfs_arb_default_model, sizeof(back)));
	pfs_calib_derive(&depth, &m);
	sb.cost.read_op_ns = cpu_to_le32(m.read_op_ns);
	sb.cost.write_op_ns = cpu_to_le32(m.write_op_ns);
	sb.cost.read_mib_ns = cpu_to_le32(m.read_mib_ns);
	sb.cost.write_mib_ns = cpu_to_le32(m.write_mib_ns);
	sb.cost.seq_op_pct = cpu_to_le32(m.seq_op_pct);
	sb.cost.flush_ns = cpu_to_le32(m.flush_ns);
	sb.cost.discard_ns = cpu_to_le32(m.discard_ns);
	CHECK(!sb_valid(&sb));		/* figures without a calibration time */
	sb.cost.calibrate_time = cpu_to_le64(1);
	CHECK(sb_valid(&sb));
	CHECK(pfs_arb_model_from_sb(&sb, &back));
	CHECK(!memcmp(&m, &back, sizeof(m)));
	/* Out of bounds: refused, by the kernel as by pfsadm. */
	sb.cost.seq_op_pct = cpu_to_le32(101);
	CHECK(!sb_valid(&sb));
	sb.cost.seq_op_pct = cpu_to_le32(m.seq_op_pct);
	sb.cost.flush_ns = 0;
	CHECK(!sb_valid(&sb));
	sb.cost.flush_ns = cpu_to_le32(m.flush_ns);
	sb.cost.read_mib_ns = cpu_to_le32(PFS_COST_MAX_MIB_NS + 1);
	CHECK(!sb_valid(&sb));
	sb.cost.read_mib_ns = cpu_to_le32(m.read_mib_ns);
	sb.cost.reserved = cpu_to_le32(1);
	CHECK(!sb_valid(&sb));
	sb.cost.reserved = 0;
	CHECK(sb_valid(&sb));
	/* Version 2 had no model there: the default, whatever the bytes. */
	sb.version = cpu_to_le32(2);
	CHECK(!pfs_arb_model_from_sb(&sb, &back));
	CHECK(!memcmp(&back, &pfs_arb_default_model, sizeof(back)));
	CHECK_DONE();
}
