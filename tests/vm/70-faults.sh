# Faults below the pool while four images do I/O: the pool's table is
# swapped for dm-error, then for dm-flakey dropping writes, then back. EIO
# reaches every image's user (fio counts it, dd names it), nothing hangs,
# the workers survive, a write dropped below is not faked by dm-pfs (it
# reads back as before), and once the fault clears I/O works again on
# every image with the data written before.
. ./lib.sh
fresh_pool
size=$(blockdev --getsz "$POOL")
dmsetup create pfs-under --table "0 $size linear $POOL 0"
under=/dev/mapper/pfs-under
export PFS_POOL=$under
for i in 1 2 3 4; do
	"$PFSADM" create "f$i" 64M >/dev/null
	write_pattern "/dev/mapper/pfs-f$i" "$((20 + i))" 8
	write_pattern "/dev/mapper/pfs-f$i" "$((40 + i))" 1 50
done

swap_under() {	# TABLE
	dmsetup suspend pfs-under
	dmsetup load pfs-under --table "$1"
	dmsetup resume pfs-under
}

# dd must fail, and with EIO, not any other error.
expect_eio() {	# WHAT DD-ARGS...
	local what=$1
	shift
	if dd "$@" status=none 2>/tmp/dd.err; then
		fail "$what succeeded on a failing pool"
	fi
	grep -q 'Input/output error' /tmp/dd.err || fail "$what failed without EIO: $(cat /tmp/dd.err)"
}

# Background load that keeps going through errors; it must finish on its own
# and must have seen them.
fio_pids=()
for i in 1 2 3 4; do
	fio --name="load$i" --filename="/dev/mapper/pfs-f$i" --ioengine=libaio --direct=1 \
		--rw=randrw --bs=4k --iodepth=8 --offset=16M --size=32M --time_based --runtime=8 \
		--continue_on_error=all --output-format=json --output="/tmp/fio-load$i.json" \
		>/tmp/fio-load$i.out 2>&1 &
	fio_pids+=($!)
done
sleep 2
swap_under "0 $size error"
sleep 1
expect_eio "a read" if=/dev/mapper/pfs-f1 of=/dev/null bs=4k count=1 iflag=direct
expect_eio "a write" if=/dev/zero of=/dev/mapper/pfs-f2 bs=4k count=1 seek=4096 oflag=direct
swap_under "0 $size flakey $POOL 0 0 2 1 drop_writes"
# Acknowledged, dropped below: dm-pfs neither fails it nor keeps it.
write_pattern /dev/mapper/pfs-f3 99 1 50
sleep 1
swap_under "0 $size linear $POOL 0"
for i in 1 2 3 4; do
	wait "${fio_pids[$((i - 1))]}" || true	# errors make fio exit non-zero
	python3 - "/tmp/fio-load$i.json" <<'PY' || fail "load$i: $(cat /tmp/fio-load$i.out)"
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
ios = job["read"]["total_ios"] + job["write"]["total_ios"]
if ios == 0 or job["total_err"] == 0 or job["first_error"] != 5:
    sys.exit(f"{sys.argv[1]}: {ios} I/Os, {job['total_err']} errors, first {job['first_error']};"
             " want I/Os and EIO (5)")
PY
done

for i in 1 2 3 4; do
	pgrep -x "pfs-f$i" >/dev/null || fail "worker pfs-f$i died"
	check_pattern "/dev/mapper/pfs-f$i" "$((20 + i))" 8
	check_pattern "/dev/mapper/pfs-f$i" "$((40 + i))" 1 50
	write_pattern "/dev/mapper/pfs-f$i" "$((30 + i))" 4 40
	check_pattern "/dev/mapper/pfs-f$i" "$((30 + i))" 4 40
	st=$(dmsetup status "pfs-f$i")
	grep -q ' in_flight=0 queued=0 ' <<<"$st" || fail "pfs-f$i not idle: $st"
done
"$PFSADM" deactivate --all
dmsetup remove pfs-under
