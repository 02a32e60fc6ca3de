// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/fs.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "calibrate.h"
#include "crashpoint.h"
#include "devio.h"
#include "dm.h"
#include "freespace.h"
#include "image.h"
#include "live.h"
#include "lock.h"
#include "pfs-table.h"
#include "txn.h"

#define MIB			(1024.0 * 1024.0)
/* Writes need room to spread; more than this measures nothing new. */
#define PFS_CALIB_MIN_WRITE	(8ULL << 20)
#define PFS_CALIB_MAX_WRITE	(256ULL << 20)

static uint32_t pfs_calib_clamp(double v, uint32_t max)
{
	if (!(v >= 1))		/* NaN too */
		return 1;
	if (v >= max)
		return max;
	return (uint32_t)(v + 0.5);
}

/*
 * t4k = op + mib / 256 (a random 4 KiB op), t1m = op * seq + mib (a
 * sequential 1 MiB op). The per-op part never vanishes entirely: a device
 * whose every cost is bandwidth still pays something per command.
 */
static void pfs_calib_solve(double t4k, double t1m, double seq, double *op, double *mib)
{
	*op = (t4k - t1m / 256) / (1 - seq / 256);
	if (!(*op >= t4k / 100))
		*op = t4k / 100;
	*mib = t1m - *op * seq;
	if (!(*mib >= t1m / 100))
		*mib = t1m / 100;
}

void pfs_calib_derive(const struct pfs_calib_sample *s, struct pfs_cost_model *m)
{
	const struct pfs_cost_model *d = &pfs_arb_default_model;
	double seq = d->seq_op_pct / 100.0, rop, rmib, wop, wmib, flush, discard;

	if (!(s->rand_read_4k > 0 && s->seq_read_1m > 0)) {
		*m = *d;
		return;
	}
	if (s->seq_read_4k > 0)
		seq = fmin(fmax(s->seq_read_4k / s->rand_read_4k, 0.01), 1);
	pfs_calib_solve(s->rand_read_4k, s->seq_read_1m, seq, &rop, &rmib);
	if (s->rand_write_4k > 0 && s->seq_write_1m > 0) {
		pfs_calib_solve(s->rand_write_4k, s->seq_write_1m, seq, &wop, &wmib);
	} else {
		wop = rop * d->write_op_ns / d->read_op_ns;
		wmib = rmib * d->write_mib_ns / d->read_mib_ns;
	}
	flush = s->flush > 0 ? s->flush : rop * d->flush_ns / d->read_op_ns;
	discard = s->discard > 0 ? s->discard : rop * d->discard_ns / d->read_op_ns;
	m->read_op_ns = pfs_calib_clamp(rop, PFS_COST_MAX_NS);
	m->write_op_ns = pfs_calib_clamp(wop, PFS_COST_MAX_NS);
	m->read_mib_ns = pfs_calib_clamp(rmib, PFS_COST_MAX_MIB_NS);
	m->write_mib_ns = pfs_calib_clamp(wmib, PFS_COST_MAX_MIB_NS);
	m->seq_op_pct = pfs_calib_clamp(seq * 100, 100);
	m->flush_ns = pfs_calib_clamp(flush, PFS_COST_MAX_NS);
	m->discard_ns = pfs_calib_clamp(discard, PFS_COST_MAX_NS);
}

static double pfs_calib_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One load: @depth threads doing @bs operations over [start, start + len). */
struct pfs_calib_load {
	int fd;
	uint64_t start, len;		/* bytes */
	uint32_t bs;
	bool write, seq;
	double end_ns;
	atomic_uint_fast64_t cursor;	/* sequential: the next block */
	atomic_uint_fast64_t ops;
	atomic_int error;		/* errno of the first failure */
};

static void *pfs_calib_worker(void *arg)
{
	struct pfs_calib_load *l = arg;
	uint64_t blocks = l->len / l->bs, rnd = (uint64_t)pfs_calib_now() | 1, off;
	void *buf = pfs_alloc_io(l->bs);
	ssize_t done;

	if (!buf) {
		atomic_store(&l->error, ENOMEM);
		return NULL;
	}
	memset(buf, 0xa5, l->bs);
	while (!atomic_load(&l->error) && pfs_calib_now() < l->end_ns) {
		if (l->seq) {
			off = atomic_fetch_add(&l->cursor, 1) % blocks;
		} else {
			rnd ^= rnd << 13;	/* xorshift64 */
			rnd ^= rnd >> 7;
			rnd ^= rnd << 17;
			off = rnd % blocks;
		}
		off = l->start + off * l->bs;
		done = l->write ? pwrite(l->fd, buf, l->bs, off) : pread(l->fd, buf, l->bs, off);
		if (done != (ssize_t)l->bs) {
			atomic_store(&l->error, done < 0 ? errno : EIO);
			break;
		}
		atomic_fetch_add(&l->ops, 1);
	}
	free(buf);
	return NULL;
}

/* ns of device time per operation, with @depth of them kept in flight. */
static int pfs_calib_run(struct pfs_calib_load *l, unsigned int depth, double seconds,
			 double *ns_per_op)
{
	pthread_t threads[32];
	unsigned int i, n = 0;
	double start = pfs_calib_now();

	if (l->len < l->bs)
		return ENOSPC;
	l->end_ns = start + seconds * 1e9;
	atomic_store(&l->ops, 0);
	atomic_store(&l->error, 0);
	for (i = 0; i < depth && i < 32; i++)
		if (!pthread_create(&threads[n], NULL, pfs_calib_worker, l))
			n++;
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	if (!n)
		return EAGAIN;
	if (atomic_load(&l->error))
		return atomic_load(&l->error);
	if (!atomic_load(&l->ops))
		return ETIMEDOUT;
	*ns_per_op = (pfs_calib_now() - start) / (double)atomic_load(&l->ops);
	return 0;
}

/* Mean time of an fdatasync after a 4 KiB write, alone; 0 if none ran. */
static int pfs_calib_flush(int fd, uint64_t start, uint64_t len, double seconds, double *ns)
{
	double end = pfs_calib_now() + seconds * 1e9, total = 0, t;
	void *buf = pfs_alloc_io(4096);
	uint64_t n = 0;
	int r = 0;

	if (!buf)
		return ENOMEM;
	memset(buf, 0x5a, 4096);
	while (pfs_calib_now() < end) {
		if (pfs_pwrite_all(fd, buf, 4096, start + (n * 4096) % len)) {
			r = errno;
			break;
		}
		t = pfs_calib_now();
		if (fdatasync(fd)) {
			r = errno;
			break;
		}
		total += pfs_calib_now() - t;
		n++;
	}
	free(buf);
	*ns = n ? total / n : 0;
	return r;
}

/* Mean time of a 1 MiB discard, alone; 0 if the device has none. */
static void pfs_calib_discard(int fd, uint64_t start, uint64_t len, double seconds, double *ns)
{
	double end = pfs_calib_now() + seconds * 1e9, total = 0, t;
	uint64_t range[2], n = 0;

	*ns = 0;
	while (pfs_calib_now() < end) {
		range[0] = start + (n << 20) % len;
		range[1] = 1 << 20;
		t = pfs_calib_now();
		if (ioctl(fd, BLKDISCARD, range))
			return;
		total += pfs_calib_now() - t;
		n++;
	}
	*ns = n ? total / n : 0;
}

static int pfs_calib_measure(struct pfs_pool_handle *pool, uint64_t wstart, uint64_t wlen,
			     double seconds, struct pfs_calib_sample *s, struct pfs_error *err)
{
	struct pfs_calib_load l = {
		.fd = pool->fd,
		.start = le64_to_cpu(pool->sb->data_start) << PFS_SECTOR_SHIFT,
		.len = (pfs_data_end(pool->sb) - le64_to_cpu(pool->sb->data_start)) <<
		       PFS_SECTOR_SHIFT,
	};
	const char *what = "reading";
	int r;

	l.bs = 4096;
	r = pfs_calib_run(&l, 32, seconds, &s->rand_read_4k);
	l.seq = true;
	if (!r)
		r = pfs_calib_run(&l, 32, seconds, &s->seq_read_4k);
	l.bs = 1 << 20;
	if (!r)
		r = pfs_calib_run(&l, 4, seconds, &s->seq_read_1m);
	if (!r && wlen) {
		what = "writing free space";
		l.write = true;
		l.start = wstart;
		l.len = wlen;
		r = pfs_calib_run(&l, 4, seconds, &s->seq_write_1m);
		l.seq = false;
		l.bs = 4096;
		if (!r)
			r = pfs_calib_run(&l, 32, seconds, &s->rand_write_4k);
		if (!r)
			r = pfs_calib_flush(pool->fd, wstart, wlen, seconds / 2, &s->flush);
		if (!r)
			pfs_calib_discard(pool->fd, wstart, wlen, seconds / 2, &s->discard);
	}
	if (r)
		return pfs_fail(err, PFS_EXIT_DEVICE, "%s: calibration failed %s: %s",
				pool->path, what, strerror(r));
	return 0;
}

/* The largest free extent, up to PFS_CALIB_MAX_WRITE, in bytes; 0: none big enough. */
static void pfs_calib_write_room(const struct pfs_pool_handle *pool, uint64_t *start,
				 uint64_t *len)
{
	struct pfs_extent gaps[PFS_MAX_GAPS];
	unsigned int n = pfs_free_extents(pool, gaps), i;
	uint64_t best = 0;

	*start = *len = 0;
	for (i = 0; i < n; i++) {
		if (gaps[i].len <= best)
			continue;
		best = gaps[i].len;
		*start = gaps[i].start;
	}
	best <<= PFS_SECTOR_SHIFT;
	if (best > PFS_CALIB_MAX_WRITE)
		best = PFS_CALIB_MAX_WRITE;
	*len = best >= PFS_CALIB_MIN_WRITE ? best & ~((1ULL << 20) - 1) : 0;
}

static void pfs_cost_record_set(struct pfs_cost_record *c, const struct pfs_cost_model *m)
{
	memset(c, 0, sizeof(*c));
	c->read_op_ns = cpu_to_le32(m->read_op_ns);
	c->write_op_ns = cpu_to_le32(m->write_op_ns);
	c->read_mib_ns = cpu_to_le32(m->read_mib_ns);
	c->write_mib_ns = cpu_to_le32(m->write_mib_ns);
	c->seq_op_pct = cpu_to_le32(m->seq_op_pct);
	c->flush_ns = cpu_to_le32(m->flush_ns);
	c->discard_ns = cpu_to_le32(m->discard_ns);
	c->calibrate_time = cpu_to_le64((uint64_t)time(NULL));
}

/* Every live map of the pool reads the new model from the superblock. */
static int pfs_calib_tell_live(const struct pfs_pool_handle *pool, struct pfs_error *err)
{
	struct pfs_live_maps maps;
	unsigned int i;
	int r = 0;

	if (pfs_live_read(pool->sb->pool_uuid, &maps, err))
		return -1;
	for (i = 0; i < maps.n && !r; i++)
		r = pfs_dm_message(maps.map[i].dm_name, "reload_cost_model", err);
	pfs_live_free(&maps);
	return r;
}

int pfs_calibrate(struct pfs_pool_handle *pool, double seconds, struct pfs_calib_sample *s,
		  struct pfs_cost_model *m, struct pfs_error *err)
{
	uint64_t wstart, wlen, sectors;
	struct pfs_error scratch = { 0 };
	struct pfs_superblock *sb;
	struct pfs_txn_hold hold;
	int r;
	const char *why;

	memset(s, 0, sizeof(*s));
	pfs_calib_write_room(pool, &wstart, &wlen);
	sectors = wlen >> PFS_SECTOR_SHIFT;
	/* Dirty from the start: whatever happens, it is zeroed before reuse. */
	if (wlen && pfs_image_check_unmapped(pool, NULL, wstart, sectors, err))
		return -1;
	/* Other commands go on meanwhile; the reservation keeps them off. */
	if (pfs_txn_hold(pool, wstart, sectors, true, &hold, err))
		return -1;
	pfs_crash_point("calibrate-reserved");
	r = pfs_calib_measure(pool, wstart << PFS_SECTOR_SHIFT, wlen, seconds, s, err);
	if (pfs_txn_unhold(pool, &hold, r ? &scratch : err))
		return -1;
	/* A failed measurement still gives the reservation back. */
	if ((wlen && pfs_pool_commit(pool, r ? &scratch : err)) || r)
		return -1;
	pfs_calib_derive(s, m);

	sb = pfs_alloc_io(PFS_BLOCK_SIZE);
	if (!sb)
		return pfs_fail(err, PFS_EXIT_NOMEM, "out of memory");
	memcpy(sb, pool->sb, PFS_BLOCK_SIZE);
	pfs_cost_record_set(&sb->cost, m);
	sb->csum = cpu_to_le32(pfs_sb_csum(sb));
	r = pfs_sb_validate(sb, pool->dev_sectors, &why) ?
	    pfs_fail(err, PFS_EXIT_DEVICE, "%s: calibrated superblock is invalid: %s", pool->path, why) :
	    pfs_pool_write_sb(pool, sb, err);
	free(sb);
	if (r)
		return -1;
	return pfs_calib_tell_live(pool, err);
}
