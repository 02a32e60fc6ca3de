# pfsadm sees every live map of its pool, whatever its name and path (the
# kernel reports each device's pool and image UUIDs): it will not remove,
# shrink or activate an image another device maps, nor create an image
# where a device left behind still maps the space. A live shrink maps the
# smaller size first, zeroes the freed tail, then commits, so the next
# image in that space reads zeros.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
pool=$(pool_majmin)

"$PFSADM" create a 8M >/dev/null
write_pattern /dev/mapper/pfs-a 71 8
"$PFSADM" create b 4M >/dev/null
"$PFSADM" deactivate a
"$PFSADM" deactivate b
a_start=$(image_field a start_sector)
b_start=$(image_field b start_sector)
a_len=$(image_field a sectors)
b_len=$(image_field b sectors)

# A hand-made map of a under a foreign name.
dmsetup create foreign --table "0 $a_len pfs $pool a $a_start"
unchanged_exit 5 "mapped by /dev/mapper/foreign" "$PFSADM" remove a
unchanged_exit 5 "mapped by /dev/mapper/foreign" "$PFSADM" resize --force a 4M
unchanged_exit 5 "mapped by /dev/mapper/foreign" "$PFSADM" activate a
# ... and through a linear alias of the pool.
dmsetup remove foreign
dmsetup create alias --table "0 $(blockdev --getsz "$POOL") linear $POOL 0"
dmsetup create foreign --table "0 $a_len pfs $(dm_majmin alias) a $a_start"
unchanged_exit 5 "mapped by /dev/mapper/foreign" "$PFSADM" remove a
dmsetup remove foreign
check_pattern /dev/mapper/alias 71 8 $((a_start / 2048))

# A device left behind over space the table calls free: create will not
# put a new image under it. (b's entry is dropped by hand while "held"
# maps b.)
dmsetup create held --table "0 $b_len pfs $pool b $b_start"
python3 pfs_meta.py "$POOL" table 'entries(t)["b"].clear()'
unchanged_exit 5 "mapped by /dev/mapper/held" "$PFSADM" create n 4M
dmsetup remove held
dmsetup remove alias

# Live shrink: the device shrinks first, the tail is zeroed, then the
# table; a new image in the tail reads zeros, a's head keeps its data.
"$PFSADM" activate a >/dev/null
exec 3<>/dev/mapper/pfs-a
"$PFSADM" resize --force a 4M >/dev/null
[ "$(blockdev --getsize64 /dev/mapper/pfs-a)" -eq $((4 << 20)) ] || fail "shrink not live"
exec 3<&-
[ "$(image_field a sectors)" -eq $((a_len / 2)) ] || fail "shrink not committed"
check_pattern /dev/mapper/pfs-a 71 4
cmp -n $((4 << 20)) /dev/zero <(dd if="$POOL" bs=1M skip=$(((a_start + a_len / 2) / 2048)) count=4 iflag=direct status=none) ||
	fail "the freed tail still holds a's data"
"$PFSADM" create n 4M >/dev/null
[ "$(image_field n start_sector)" -eq $((a_start + a_len / 2)) ] || fail "n is not in a's freed tail"
cmp -n $((4 << 20)) /dev/zero /dev/mapper/pfs-n || fail "n reads a's old data"

# The host's udev never looks inside an image: no blkid, no by-uuid link,
# no LVM scan, even on a synthetic change event; /dev/pfs/NAME stays (the
# rule is installed in this throwaway guest root as make install would).
install_udev_rules
mkfs.ext4 -q -F -U 0f0f0f0f-1111-2222-3333-444455556666 /dev/mapper/pfs-a
pvcreate -q -ff -y /dev/mapper/pfs-n >/dev/null 2>&1 || fail "pvcreate inside an image failed"
udevadm trigger --action=change /dev/mapper/pfs-a /dev/mapper/pfs-n
udevadm settle
[ ! -e /dev/disk/by-uuid/0f0f0f0f-1111-2222-3333-444455556666 ] ||
	fail "the host's udev made a by-uuid link for a filesystem inside an image"
props_a=$(udevadm info -q property /dev/mapper/pfs-a)
props_n=$(udevadm info -q property /dev/mapper/pfs-n)
grep -q '^DM_NAME=pfs-a$' <<<"$props_a" || fail "udevadm info shows nothing for pfs-a"
grep -q '^ID_FS_' <<<"$props_a" && fail "the host's udev probed an image: $props_a"
grep -q '^ID_FS_TYPE=LVM2_member' <<<"$props_n" && fail "the host's udev saw the guest's LVM PV"
[ -L /dev/pfs/a ] || fail "no /dev/pfs/a link"
wipefs -q -a /dev/mapper/pfs-n
"$PFSADM" deactivate --all
"$PFSADM" check "$POOL" >/dev/null
