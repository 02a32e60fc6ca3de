# Table lines that differ from a valid one in exactly one field: each is
# refused with the exact ti->error its field deserves (or by device-mapper
# core, for what never reaches the target), leaves no device behind, and
# the valid line still works after all of them. Every mutation gets past
# the checks before the one it aims at, so the deep checks (image lookup,
# the extent) are reached, not only argument parsing.
. ./lib.sh
fresh_pool
"$PFSADM" --pool "$POOL" create a 16M >/dev/null
"$PFSADM" --pool "$POOL" create b 16M >/dev/null
"$PFSADM" --pool "$POOL" deactivate --all
pool=$(pool_majmin)
start=$(PFS_POOL=$POOL image_field a start_sector)
len=$(PFS_POOL=$POOL image_field a sectors)
b_start=$(PFS_POOL=$POOL image_field b start_sector)
align=2048
long=$(printf 'a%.0s' $(seq 128))
tried=0

# mutant WANT LENGTH POOL IMAGE START [EXTRA]: the line is refused, and
# the kernel says WANT for it.
mutant() {
	table_refused "$1" "0 $2 pfs $3 $4 $5${6:+ $6}"
	tried=$((tried + 1))
}

target() {	# ERROR: as device-mapper logs a target's ti->error
	echo "pfs: $1 ("
}

# The valid line, for reference: 0 $len pfs $pool a $start
dmsetup create good --table "0 $len pfs $pool a $start"
dmsetup remove good

# Argument count (the 4th and later fields as a whole).
count='Invalid argument count: need <pool> <image> <start> [<pool moved to>]'
mutant "$(target "$count")" "$len" "$pool" a "$start" "$pool extra"
mutant "$(target "$count")" "$len" "$pool" a ""
mutant "$(target "$count")" "$len" "$pool" "" ""
# A second pool only for an image moving there (43-pool-move maps one).
mutant "$(target 'Image is not moving to another pool')" "$len" "$pool" a "$start" "$pool"

# Length: anything longer than the image reaches the extent check; a
# shorter one maps the image's head (a shrink's first step).
for l in $((len + 1)) $((len + 8)) $((len + align)) $((len * 2)); do
	mutant "$(target "Range is not inside the image's extent")" "$l" "$pool" a "$start"
done
for l in 1 8 $((len - 8)); do
	dmsetup create short --table "0 $l pfs $pool a $start"
	[ "$(blockdev --getsz /dev/mapper/short)" -eq "$l" ] || fail "a $l-sector map is not $l sectors"
	dmsetup remove short
done
mutant "zero-length target" 0 "$pool" a "$start"

# Pool device. ("MAJ:MIN:junk" is left out: 6.1's dm core parses it as MAJ:MIN.)
for p in /dev/nonexistent 999:999 8:99 "" 0 -1 "a/b"; do
	[ -n "$p" ] || continue
	mutant "$(target 'Pool device lookup failed')" "$len" "$p" a "$start"
done
dd if=/dev/zero of=/dev/vdb bs=4k count=1 oflag=direct status=none
mutant "$(target 'not a dm-pfs pool (bad superblock magic)')" "$len" /dev/vdb a "$start"
# The pool by path names the same device: the line is valid.
dmsetup create good --table "0 $len pfs $POOL a $start"
dmsetup remove good

# Image name: unknown names reach the table lookup.
for n in nosuch A "a." aa "$(printf 'a%.0s' $(seq 127))" "%s%n" "../a"; do
	mutant "$(target 'Unknown image')" "$len" "$pool" "$n" "$start"
done
mutant "$(target 'Image name too long')" "$len" "$pool" "$long" "$start"
# b's name with a's extent, and a's name with b's start.
mutant "$(target "Range is not inside the image's extent")" "$len" "$pool" b "$start"
mutant "$(target "Range is not inside the image's extent")" "$len" "$pool" a "$b_start"

# Start sector: numbers reach the extent check, the rest is refused early.
for s in $((start + 1)) $((start - 1)) $((start + align)) $((start - align)) 0 \
	18446744073709551615; do
	mutant "$(target "Range is not inside the image's extent")" "$len" "$pool" a "$s"
done
# The kernel's sscanf takes no sign on an unsigned number.
for s in "${start}x" 0x800 -1 + "+$start" "$start.0" "${start}k" x; do
	mutant "$(target 'Invalid start sector')" "$len" "$pool" a "$s"
done

# The image mapped once: a second map of it is refused.
dmsetup create good --table "0 $len pfs $pool a $start"
mutant "$(target 'Image is already active in another device')" "$len" "$pool" a "$start"
dmsetup remove good

echo "report: refused $tried table lines, each with its exact error"
# And the valid line still works afterwards.
dmsetup create good --table "0 $len pfs $pool a $start"
dmsetup remove good
