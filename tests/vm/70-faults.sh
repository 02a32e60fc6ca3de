# Faults below the pool while four images do I/O: the pool's table is
# swapped for dm-error, then for dm-flakey dropping writes, then back. The
# images see EIO, nothing hangs, the workers survive, and once the fault
# clears I/O works again on every image with the data written before.
. ./lib.sh
fresh_pool
size=$(blockdev --getsz "$POOL")
dmsetup create pfs-under --table "0 $size linear $POOL 0"
under=/dev/mapper/pfs-under
export PFS_POOL=$under
for i in 1 2 3 4; do
	"$PFSADM" create "f$i" 64M >/dev/null
	write_pattern "/dev/mapper/pfs-f$i" "$((20 + i))" 8
done

swap_under() {	# TABLE
	dmsetup suspend pfs-under
	dmsetup load pfs-under --table "$1"
	dmsetup resume pfs-under
}

# Background load that tolerates errors; it must finish on its own.
for i in 1 2 3 4; do
	fio --name="load$i" --filename="/dev/mapper/pfs-f$i" --ioengine=libaio --direct=1 \
		--rw=randrw --bs=4k --iodepth=8 --offset=16M --size=32M --time_based --runtime=8 \
		--continue_on_error=all --output=/dev/null >/dev/null 2>&1 &
done
sleep 2
swap_under "0 $size error"
sleep 1
dd if=/dev/mapper/pfs-f1 of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null &&
	fail "read succeeded on a failing pool"
dd if=/dev/zero of=/dev/mapper/pfs-f2 bs=4k count=1 seek=4096 oflag=direct status=none 2>/dev/null &&
	fail "write succeeded on a failing pool"
swap_under "0 $size flakey $POOL 0 0 2 1 drop_writes"
sleep 1
swap_under "0 $size linear $POOL 0"
wait

for i in 1 2 3 4; do
	pgrep -x "pfs-f$i" >/dev/null || fail "worker pfs-f$i died"
	check_pattern "/dev/mapper/pfs-f$i" "$((20 + i))" 8
	write_pattern "/dev/mapper/pfs-f$i" "$((30 + i))" 4 40
	check_pattern "/dev/mapper/pfs-f$i" "$((30 + i))" 4 40
	st=$(dmsetup status "pfs-f$i")
	grep -q ' in_flight=0 queued=0 ' <<<"$st" || fail "pfs-f$i not idle: $st"
done
"$PFSADM" deactivate --all
dmsetup remove pfs-under
