# kill -9 of pfsadm between the steps of a live resize (PFS_TEST_CRASH_AT
# names the point): the device is never suspended afterwards, the lock is
# free, the table never calls free what the device maps (the table's length
# is at least the device's), the image keeps its head's data, no new image
# can be put under the live map, and running the same resize again
# finishes the job.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool

invariants() {	# IMAGE WHAT
	local table live
	dmsetup info "pfs-$1" | grep -q '^State: *ACTIVE' || fail "$2: pfs-$1 left suspended"
	"$PFSADM" --wait 2 set "$1" --weight 100 || fail "$2: the lock is still held"
	table=$(image_field "$1" sectors)
	live=$(blockdev --getsz "/dev/mapper/pfs-$1")
	# check compares the live device with the table and names the fix.
	if [ "$table" -eq "$live" ]; then
		"$PFSADM" check "$POOL" >/dev/null || fail "$2: check fails"
	else
		expect_exit 4 "$PFSADM" check "$POOL"
		grep -q "maps $live sectors of $1, the table says $table (pfsadm refresh $1)" /tmp/expect_exit.out ||
			fail "$2: check did not report the live size: $(cat /tmp/expect_exit.out)"
	fi
	[ "$table" -ge "$live" ] || fail "$2: the table has $table sectors, the device maps $live"
	check_pattern "/dev/mapper/pfs-$1" 81 4
	# Best fit would take the space right after the table's extent; none
	# of it may be under the live map.
	"$PFSADM" create probe 4M >/dev/null
	[ "$(image_field probe start_sector)" -ge $(($(image_field "$1" start_sector) + live)) ] ||
		fail "$2: a new image was put under the live map"
	"$PFSADM" remove probe >/dev/null
}

for point in shrink-reloaded zeroing-reserved zeroing-done; do
	"$PFSADM" create k 8M >/dev/null
	write_pattern /dev/mapper/pfs-k 81 8
	killed "$point" "$PFSADM" resize --force k 4M
	invariants k "shrink killed at $point"
	"$PFSADM" resize --force k 4M >/dev/null
	[ "$(image_field k sectors)" -eq 8192 ] && [ "$(blockdev --getsz /dev/mapper/pfs-k)" -eq 8192 ] ||
		fail "the shrink run again did not finish"
	cmp -n $((4 << 20)) /dev/zero <(dd if="$POOL" bs=1M skip=$(((($(image_field k start_sector)) + 8192) / 2048)) count=4 iflag=direct status=none) ||
		fail "the tail freed after a kill at $point still holds data"
	"$PFSADM" deactivate k
	"$PFSADM" remove k >/dev/null
done

"$PFSADM" create k 4M >/dev/null
write_pattern /dev/mapper/pfs-k 81 4
killed grow-committed "$PFSADM" resize k 8M
invariants k "grow killed after its commit"
"$PFSADM" refresh k | grep -q 'reloaded to match the table' || fail "refresh did not bring the device up to the table"
"$PFSADM" refresh k | grep -q 'already matches' || fail "a second refresh did something"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after refresh"
[ "$(blockdev --getsz /dev/mapper/pfs-k)" -eq 16384 ] || fail "the grow run again did not finish"
check_pattern /dev/mapper/pfs-k 81 4
"$PFSADM" deactivate --all
