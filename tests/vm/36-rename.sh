# pfsadm rename, live: the table, the device (its dm UUID kept) and
# /dev/pfs/NAME follow, while the image is open and its data stays; bad
# renames change nothing; a rename killed after its commit or after the
# device rename is finished by pfsadm refresh, and check names it meanwhile.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
install_udev_rules

"$PFSADM" create a 8M >/dev/null
write_pattern /dev/mapper/pfs-a 36 8
dm_uuid=$(dmsetup info -c --noheadings -o uuid pfs-a)

# Renamed while a "VM" holds it open, writing through its old fd.
exec 3<>/dev/mapper/pfs-a
"$PFSADM" rename a b | grep -qx 'renamed a to b' || fail "rename did not say so"
udevadm settle
[ -b /dev/mapper/pfs-b ] && [ ! -e /dev/mapper/pfs-a ] || fail "the device was not renamed"
[ -L /dev/pfs/b ] && [ ! -e /dev/pfs/a ] || fail "/dev/pfs did not follow: $(ls /dev/pfs)"
[ "$(dmsetup info -c --noheadings -o uuid pfs-b)" = "$dm_uuid" ] || fail "the dm UUID changed"
dmsetup table pfs-b | grep -q " pfs [0-9]*:[0-9]* b [0-9]*$" || fail "the table line still names a: $(dmsetup table pfs-b)"
[ "$(image_field b state)" = open ] || fail "b is $(image_field b state), not open"
pattern 37 1 | dd bs=1M count=1 seek=7 iflag=fullblock conv=notrunc,fsync status=none >&3
exec 3<&-
check_pattern /dev/mapper/pfs-b 36 7
check_pattern /dev/mapper/pfs-b 37 1 7
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after a rename"
[ "$("$PFSADM" list --names | tr '\n' ' ')" = "b " ] || fail "list: $("$PFSADM" list --names)"

# Bad renames: one line, an exit code, nothing changed.
"$PFSADM" create c 4M >/dev/null
unchanged_exit 1 "already named" "$PFSADM" rename b b
unchanged_exit 4 "no image named nosuch" "$PFSADM" rename nosuch x
unchanged_exit 1 "" "$PFSADM" rename b bad/name
unchanged_exit 1 "" "$PFSADM" rename b -x
unchanged_exit 5 "image c already exists" "$PFSADM" rename b c
dmsetup create pfs-d --table "0 8 zero"
unchanged_exit 5 "/dev/mapper/pfs-d already exists" "$PFSADM" rename b d
dmsetup remove pfs-d
unchanged_exit 1 "usage" "$PFSADM" rename b
# A second map of b made by hand: pfsadm will not rename under it.
dmsetup create other --table "0 $(image_field b sectors) pfs $(pool_majmin) b $(image_field b start_sector)" 2>/dev/null &&
	{ dmsetup remove other; fail "the kernel took a second map of b"; }

# Inactive: only the table changes; activation uses the new name.
"$PFSADM" deactivate c
"$PFSADM" rename c e >/dev/null
[ ! -e /dev/mapper/pfs-c ] && [ ! -e /dev/mapper/pfs-e ] || fail "renaming an inactive image activated it"
"$PFSADM" activate e >/dev/null
dmsetup table pfs-e | grep -q " e [0-9]*$" || fail "e activated with another name"

# Killed after the commit: the table says f, the device is still pfs-b.
killed rename-committed "$PFSADM" rename b f
[ -b /dev/mapper/pfs-b ] || fail "the device moved before the kill"
expect_exit 4 "$PFSADM" check "$POOL"
grep -q "/dev/mapper/pfs-b is f's device under another name (pfsadm refresh f)" /tmp/expect_exit.out ||
	fail "check did not name the cut rename: $(cat /tmp/expect_exit.out)"
unchanged_exit 5 "mapped by /dev/mapper/pfs-b" "$PFSADM" activate f
"$PFSADM" refresh f | grep -q 'reloaded to match the table' || fail "refresh did not finish the rename"
udevadm settle
[ -b /dev/mapper/pfs-f ] && [ ! -e /dev/mapper/pfs-b ] && [ -L /dev/pfs/f ] || fail "refresh left the old name"
dmsetup table pfs-f | grep -q " f [0-9]*$" || fail "refresh left the old name in the table line"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after refresh"
"$PFSADM" refresh f | grep -q 'already matches' || fail "a second refresh did something"

# Killed after the device rename: only the table line is left to do.
killed rename-device "$PFSADM" rename f g
dmsetup table pfs-g | grep -q " f [0-9]*$" || fail "the kill did not leave the old table line"
"$PFSADM" refresh g | grep -q 'reloaded to match the table' || fail "refresh did not reload the table line"
dmsetup table pfs-g | grep -q " g [0-9]*$" || fail "refresh left the old name in the table line"
check_pattern /dev/mapper/pfs-g 36 7
check_pattern /dev/mapper/pfs-g 37 1 7
"$PFSADM" deactivate --all
