// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "import.h"
#include "qemu-img.h"

int pfs_image_import(struct pfs_pool_handle *pool, const char *name, const char *file,
		     const char *format, const struct pfs_qos *qos, bool progress,
		     struct pfs_error *err)
{
	uint64_t align = le64_to_cpu(pool->sb->align_sectors), sectors;
	struct pfs_error undo = { 0 };
	struct pfs_qemu_img_info info;
	char dev[PFS_NAME_LEN + 32];
	struct pfs_txn_hold h;
	int r;

	if (!pfs_image_name_ok(name, err) || pfs_qemu_img_info(file, format, &info, err))
		return -1;
	/* A backing file would copy whatever file it names into the image. */
	if (info.has_backing)
		return pfs_fail(err, PFS_EXIT_ARGS,
				"%s has a backing file or an external data file; make it standalone first (qemu-img convert)",
				file);
	if (info.virtual_bytes > (UINT64_MAX >> PFS_SECTOR_SHIFT) - align)
		return pfs_fail(err, PFS_EXIT_ARGS, "%s: a disk of %llu bytes is too large", file,
				(unsigned long long)info.virtual_bytes);
	sectors = (info.virtual_bytes + (1 << PFS_SECTOR_SHIFT) - 1) >> PFS_SECTOR_SHIFT;
	sectors = (sectors + align - 1) / align * align;
	if (pfs_txn_create(pool, name, sectors, qos, err))
		return -1;
	snprintf(dev, sizeof(dev), "/dev/mapper/" PFS_DM_PREFIX "%s", name);
	if (pfs_txn_hold(pool, 0, 0, false, &h, err))
		return -1;
	r = pfs_qemu_img_convert(file, info.format, dev, "raw", true, progress, err);
	if (pfs_txn_unhold(pool, &h, r ? &undo : err))
		return -1;
	if (r && pfs_txn_remove(pool, name, true, &undo))
		fprintf(stderr, "pfsadm import: could not remove the half-copied %s: %s\n", name,
			undo.msg);
	return r;
}

int pfs_image_export(struct pfs_pool_handle *pool, const char *name, const char *file,
		     const char *format, bool force, bool progress, struct pfs_error *err)
{
	struct pfs_error undo = { 0 };
	char dev[PFS_NAME_LEN + 32];
	struct pfs_image_entry *e;
	struct pfs_txn_hold h;
	int own = pfs_image_claim(pool, name, &e, err), open_count = 0, r;

	if (own < 0)
		return -1;
	if (own)
		pfs_image_active(e, &open_count);
	if (open_count && !force)
		return pfs_fail(err, PFS_EXIT_BUSY,
				"%s is open (a running VM?), so a copy would not be consistent; stop it first, or --force",
				name);
	if (!force && !access(file, F_OK))
		return pfs_fail(err, PFS_EXIT_BUSY, "%s exists; remove it first, or --force", file);
	if (!own && pfs_image_activate(pool, e, err))
		return -1;
	snprintf(dev, sizeof(dev), "/dev/mapper/" PFS_DM_PREFIX "%s", name);
	if (pfs_txn_hold(pool, 0, 0, false, &h, err))
		return -1;
	r = pfs_qemu_img_convert(dev, "raw", file, format, false, progress, err);
	if (pfs_txn_unhold(pool, &h, err))
		return -1;
	/* Back as it was; the table may have moved under us, so by name. */
	e = pfs_pool_find(pool, name);
	if (!own && e && pfs_image_deactivate(pool, e, r ? &undo : err))
		return -1;
	return r;
}
