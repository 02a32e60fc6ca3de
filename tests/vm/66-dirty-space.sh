# No tenant reads a former tenant's data, whatever the order of commands,
# kills or devices: space an image leaves (remove, remove --no-wipe, a
# shrink's tail, a kill in the middle of zeroing, a pool formatted over old
# data on a device that cannot zero for free) is recorded dirty and zeroed
# before anyone can read it. Zeroing runs without the pool's lock: other
# commands go on meanwhile, and none is given the space being zeroed.
# Images are a few MiB: every MiB costs seconds under emulation.
. ./lib.sh
export PFS_POOL=$POOL

dirty_sectors() {	# total free sectors still to be zeroed
	"$PFSADM" list --free --json | sed -n 's/^  "dirty_sectors": *\([0-9]*\),*$/\1/p'
}

# The whole of image NAME reads as zeroes.
reads_zero() {	# NAME WHAT
	local bytes=$(($(image_field "$1" sectors) * 512))
	cmp -n "$bytes" /dev/zero <(dd if="/dev/mapper/pfs-$1" bs=1M iflag=direct status=none) ||
		fail "$2: $1 shows a former tenant's data"
}

killed() {	# POINT CMD...: CMD must die of SIGKILL at POINT
	local point=$1 rc=0
	shift
	PFS_TEST_CRASH_AT=$point "$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 137 ] || fail "$* did not die at $point (exit $rc)"
}

fresh_pool
"$PFSADM" create keep 4M >/dev/null
write_pattern /dev/mapper/pfs-keep 66 4

# 1. remove --no-wipe, then create on the same space.
"$PFSADM" create old 8M >/dev/null
write_pattern /dev/mapper/pfs-old 1 8
old_start=$(image_field old start_sector)
"$PFSADM" remove --no-wipe old
[ "$(dirty_sectors)" -ge 16384 ] || fail "remove --no-wipe left no dirty record"
"$PFSADM" create new 8M >/dev/null
[ "$(image_field new start_sector)" = "$old_start" ] || fail "best fit did not reuse the space"
reads_zero new "remove --no-wipe then create"
[ "$(dirty_sectors)" -eq 0 ] || fail "create left its space dirty"

# 2. A shrink's tail: zeroed before it is free, and a new image there reads zero.
write_pattern /dev/mapper/pfs-new 2 8
"$PFSADM" resize --force new 4M >/dev/null
[ "$(dirty_sectors)" -eq 0 ] || fail "the shrink left its tail dirty"
cmp -n $((4 << 20)) /dev/zero <(dd if="$POOL" bs=1M skip=$(((old_start + 8192) / 2048)) count=4 iflag=direct status=none) ||
	fail "the tail freed by a shrink still holds data"
check_pattern /dev/mapper/pfs-new 2 4

# 3. Killed while zeroing: remove at each step, then create over the space.
for point in zeroing-reserved zeroing-done; do
	"$PFSADM" create victim 8M >/dev/null
	write_pattern /dev/mapper/pfs-victim 3 8
	start=$(image_field victim start_sector)
	killed "$point" "$PFSADM" remove victim
	"$PFSADM" show victim >/dev/null 2>&1 && fail "remove killed at $point left the image"
	"$PFSADM" --wait 2 check "$POOL" >/dev/null || fail "check fails after remove killed at $point"
	[ "$(dirty_sectors)" -ge 16384 ] || {
		"$PFSADM" dump "$POOL" >&2
		fail "remove killed at $point: its space is not dirty"
	}
	# The reservation died with the command: the space can be taken.
	"$PFSADM" --wait 2 create again 8M >/dev/null || fail "the space stayed reserved after a kill at $point"
	[ "$(image_field again start_sector)" = "$start" ] || fail "the space was not reused after a kill at $point"
	reads_zero again "remove killed at $point"
	"$PFSADM" remove again
done

# 4. create killed while zeroing dirty space: no image, the space still dirty.
"$PFSADM" create victim 8M >/dev/null
write_pattern /dev/mapper/pfs-victim 4 8
"$PFSADM" remove --no-wipe victim
killed zeroing-reserved "$PFSADM" create half 8M
"$PFSADM" show half >/dev/null 2>&1 && fail "create killed while zeroing left an image"
[ "$(dirty_sectors)" -ge 16384 ] || fail "create killed while zeroing: the space lost its dirty record"
"$PFSADM" --wait 2 create half 8M >/dev/null
reads_zero half "create after a create killed while zeroing"
"$PFSADM" remove half

# 5. Zeroing runs without the lock, and the space it zeroes is not given out.
"$PFSADM" create big 16M >/dev/null
write_pattern /dev/mapper/pfs-big 5 16
big_start=$(image_field big start_sector)
PFS_TEST_STOP_AT=zeroing-reserved "$PFSADM" remove big >/dev/null 2>&1 &
remover=$!
stopped() { ps -o stat= -p "$1" | grep -q '^T'; }
for _ in $(seq 100); do
	stopped $remover && break
	sleep 0.1
done
stopped $remover || fail "remove did not stop at zeroing-reserved"
"$PFSADM" --wait 2 create side 16M >/dev/null || fail "create waited for a remove that is zeroing"
side_start=$(image_field side start_sector)
[ $((side_start + 32768)) -le "$big_start" ] || [ "$side_start" -ge $((big_start + 32768)) ] ||
	fail "create was given space another command is zeroing"
"$PFSADM" --wait 2 list >/dev/null
kill -CONT $remover
wait $remover || fail "remove failed after it was let go on"
[ "$(dirty_sectors)" -eq 0 ] || fail "remove left its space dirty"
"$PFSADM" create back 16M >/dev/null
reads_zero back "create after remove"
"$PFSADM" remove side
"$PFSADM" remove back
check_pattern /dev/mapper/pfs-keep 66 4

# 6. A device that cannot zero for free (brd): format over old data marks
# the data area dirty; every new image is zeroed before it is used.
modprobe brd rd_nr=1 rd_size=65536
export PFS_POOL=/dev/ram0
[ "$(cat /sys/block/ram0/queue/write_zeroes_max_bytes)" -eq 0 ] || fail "brd now offloads zeroing: pick another device"
pattern 6 64 | dd of=$PFS_POOL bs=1M oflag=direct status=none
"$PFSADM" format --force $PFS_POOL | grep -q "zeroed as images are created" ||
	fail "format on brd did not say the data area is left to zero"
[ "$(dirty_sectors)" -gt 0 ] || fail "format on brd recorded the data area clean"
"$PFSADM" create fromold 16M >/dev/null
reads_zero fromold "format over old data on a device without write-zeroes"
"$PFSADM" remove fromold
rmmod brd
export PFS_POOL=$POOL

# 7. On the test disk, format zeroes for free; say which happened.
fresh_pool
[ "$(dirty_sectors)" -eq 0 ] || echo "note: $POOL cannot zero for free; its data area is zeroed lazily"
echo "dirty space: remove, --no-wipe, shrink, kills at every zeroing step, brd format: all read zero"
