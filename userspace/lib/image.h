/* SPDX-License-Identifier: GPL-2.0 */
/* An image's dm device: its names, its table line, activation. */
#ifndef PFS_IMAGE_H
#define PFS_IMAGE_H

#include <stdbool.h>

#include "live.h"
#include "pool.h"

#define PFS_DM_PREFIX		"pfs-"
#define PFS_DM_UUID_PREFIX	"PFS-"
/* dm names hold 127 characters; "pfs-" takes four of them. */
#define PFS_MAX_NAME_CHARS	123

/* Is @name acceptable for a new image? Sets a one-line reason if not. */
bool pfs_image_name_ok(const char *name, struct pfs_error *err);
void pfs_image_dm_name(const struct pfs_image_entry *e, char *buf, unsigned int len);
void pfs_image_dm_uuid(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		       char *buf, unsigned int len);
/* "MAJ:MIN NAME START [MAJ:MIN]" for the pfs target, in this many bytes. */
#define PFS_IMAGE_PARAMS_LEN	(PFS_NAME_LEN + 96)
int pfs_image_params(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		     char *buf, unsigned int len, struct pfs_error *err);

/*
 * Map the image as pfs-NAME (unmap it). In a shared pool the image's
 * sanlock lease is taken first for pfs-lockd, exclusive or, with
 * activate_mode's @shared, shared (a live migration's two hosts), waiting
 * up to the lock's --wait while another host holds it; deactivate gives
 * it up after the device is gone.
 */
int pfs_image_activate(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		       struct pfs_error *err);
int pfs_image_activate_mode(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			    bool shared, struct pfs_error *err);
int pfs_image_deactivate(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 struct pfs_error *err);
/*
 * A shared pool's image mapped here already: take its lease in this mode
 * (activate again, or --shared). If it had to be taken anew, pfs-lockd had
 * lost it and suspended the device (fence.h): resume it.
 */
int pfs_image_reclaim(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		      bool shared, struct pfs_error *err);
/*
 * A user activated the image: in a shared pool, this host's boot activates
 * it again (held.h); a device made for a copy is the user's now. The device
 * stands if that cannot be written down; a warning says so. _record: the
 * boot record alone, for a device that moves with its image.
 */
void pfs_image_remember(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e);
void pfs_image_record(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e);

/*
 * A device made only for a copy (move, clone, abort) of an image nobody
 * had active here. Marked on the host (/run/pfs/copy-made/IMAGE-UUID,
 * which a reboot empties along with the devices), so that whichever run
 * ends the copy, the one that made the device or one after it was cut
 * short, removes that device and leaves a user's. A user's activate of
 * the image, or its deactivation, drops the mark.
 */
int pfs_image_activate_for_copy(const struct pfs_pool_handle *pool,
				const struct pfs_image_entry *e, struct pfs_error *err);
/*
 * The copy has ended: remove the device if this run made it for the copy
 * (@made) or an earlier one did; kept, and the user's then, if opened.
 */
int pfs_image_copy_ended(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 bool made, struct pfs_error *err);

/* Apply a changed extent to an active device (suspend, reload, resume). */
int pfs_image_reload(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
		     struct pfs_error *err);
bool pfs_image_active(const struct pfs_image_entry *e, int *open_count);

/*
 * Is the image's own device, pfs-NAME, there and mapping this very image
 * (1), absent (0), or taken by something else, such as another pool's
 * image of the same name (-1, with @err set)?
 */
int pfs_image_own_device(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			 struct pfs_error *err);
/* The live map of @e under its own name, pfs-NAME, or NULL. */
const struct pfs_live_map *pfs_image_own_map(const struct pfs_live_maps *maps,
					     const struct pfs_image_entry *e);
/* pfs_image_own_device() == 1, errors ignored: the image is active here. */
bool pfs_image_maps_here(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e);

/* What the image's own device, pfs-NAME, is doing, as list and show say it. */
enum pfs_image_state {
	PFS_IMAGE_INACTIVE,	/* no pfs-NAME */
	PFS_IMAGE_ACTIVE,	/* mapped, nobody has it open */
	PFS_IMAGE_OPEN,		/* mapped and open (a VM, a mount) */
	PFS_IMAGE_SUSPENDED,	/* mapped, I/O held */
	PFS_IMAGE_FOREIGN,	/* pfs-NAME maps something else */
};

/* Others may have changed the live maps: read them again when next asked. */
void pfs_live_forget(void);

enum pfs_image_state pfs_image_state(const struct pfs_pool_handle *pool,
				     const struct pfs_image_entry *e, int *open_count);
const char *pfs_image_state_name(enum pfs_image_state state);
/* A moving image's sectors on its destination: the live copy's, else the table's. */
uint64_t pfs_image_copy_done(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e);

/*
 * Refuse (PFS_EXIT_BUSY, naming the device) if any live device other than
 * the image's own pfs-NAME maps the image or any part of [start, start +
 * len): a hand-made map under another name, through any path to the pool.
 * @e may be NULL (new space, no image yet).
 */
int pfs_image_check_unmapped(const struct pfs_pool_handle *pool, const struct pfs_image_entry *e,
			     uint64_t start, uint64_t len, struct pfs_error *err);

#endif /* PFS_IMAGE_H */
