# Images made by pfsadm carry data, land where the table says, and a
# removed image's data never reaches the next image in its space.
. ./lib.sh
fresh_pool
"$PFSADM" create a 16M >/dev/null
"$PFSADM" create b 8M >/dev/null
[ -b /dev/mapper/pfs-a ] && [ -b /dev/mapper/pfs-b ] || fail "device nodes missing"
[ "$(blockdev --getsize64 /dev/mapper/pfs-a)" -eq $((16 << 20)) ] || fail "pfs-a has the wrong size"

write_pattern /dev/mapper/pfs-a 1 16
write_pattern /dev/mapper/pfs-b 2 8
check_pattern /dev/mapper/pfs-a 1 16
check_pattern /dev/mapper/pfs-b 2 8

# The remap is one addition: image sector N is pool sector start + N.
for img in a b; do
	start=$(image_field "$img" start_sector)
	table=$(dmsetup table "pfs-$img")
	[ "$table" = "0 $(image_field "$img" sectors) pfs $(pool_majmin) $img $start" ] ||
		fail "unexpected table for pfs-$img: $table"
	[ $((start % 2048)) -eq 0 ] || fail "extent of $img is not 1 MiB aligned"
done
check_pattern "$POOL" 1 16 $(($(image_field a start_sector) / 2048))
check_pattern "$POOL" 2 8 $(($(image_field b start_sector) / 2048))

# Busy devices are not removed (exit 5); the data survives the attempt.
exec 3</dev/mapper/pfs-a
expect_exit 5 "$PFSADM" remove a
exec 3<&-
check_pattern /dev/mapper/pfs-a 1 16

a_start=$(image_field a start_sector)
"$PFSADM" remove a
[ ! -e /dev/mapper/pfs-a ] || fail "pfs-a still exists after remove"
cmp -n $((16 << 20)) /dev/zero <(dd if="$POOL" bs=1M skip=$((a_start / 2048)) count=16 status=none) ||
	fail "removed extent was not zeroed"
"$PFSADM" create c 16M >/dev/null
[ "$(image_field c start_sector)" -eq "$a_start" ] || fail "best fit did not reuse the freed extent"
cmp -n $((16 << 20)) /dev/zero /dev/mapper/pfs-c || fail "new image shows old data"
check_pattern /dev/mapper/pfs-b 2 8

# Deactivate and activate again: same data.
"$PFSADM" deactivate --all
[ ! -e /dev/mapper/pfs-b ] || fail "deactivate --all left pfs-b"
"$PFSADM" activate --all >/dev/null
check_pattern /dev/mapper/pfs-b 2 8
"$PFSADM" list | grep -q '^b .*active' || fail "list does not show b active"
"$PFSADM" deactivate --all
