# The arbiter's mechanics on the real module, asserted by its counters (no
# timings): flushes and discards take the image's path and are charged
# against its caps and its share; a cap changed while the image owes tokens
# keeps the debt, so a rate change never lets a bio through for free; an
# image alone on the pool never waits for the arbiter and goes solo (its
# bios skip the arbiter) until another image's first bio; two images that both
# keep the device busy are given device time in proportion to weight; a
# device that takes bursts far faster than its rate is paced while shared,
# and a virtio disk in the host's page cache is not; a live move's copy is
# paced beside an image and not alone.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
"$PFSADM" create m 64M >/dev/null
dev=/dev/mapper/pfs-m

field() {	# NAME: one key of pfs-m's status line
	dmsetup status pfs-m | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# 1. A discard storm at iops_max 20: counted, and made to wait.
"$PFSADM" set m --iops-max 20
before=$(field throttled)
python3 -c 'import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for i in range(40):  # BLKDISCARD, one 64 KiB range each
    fcntl.ioctl(fd, 0x1277, struct.pack("QQ", i * 65536, 65536))' "$dev"
[ "$(field discards)" -ge 40 ] || fail "discards are not counted: $(field discards)"
[ "$(field throttled)" -gt "$before" ] || fail "40 discards at iops_max 20 never waited: they bypass the cap"

# 2. A flush storm, the same (the pool's disk has a volatile write cache).
grep -q 'write back' /sys/block/"$(basename "$(readlink -f "$POOL")")"/queue/write_cache ||
	fail "$POOL has no write cache: flushes would never reach the target"
before=$(field throttled)
charged=$(field charged_ns)
python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for _ in range(40):
    os.fsync(fd)' "$dev"
# The default cost model charges a flush 1 ms of device time.
[ $(($(field charged_ns) - charged)) -ge 40000000 ] ||
	fail "40 flushes were charged $(($(field charged_ns) - charged)) ns of device time, not 40 ms"
[ "$(field flushes)" -ge 40 ] || fail "flushes are not counted: $(field flushes)"
[ "$(field throttled)" -gt "$before" ] || fail "40 flushes at iops_max 20 never waited: they bypass the cap"

# 3. Debt survives a rate change: 1 MiB written at bps_max 100K leaves the
# bucket about 1 MiB short; raising the cap to 200K must not forgive it,
# so the next read waits.
"$PFSADM" set m --iops-max 0 --bps-max 100K
dd if=/dev/zero of="$dev" bs=1M count=1 oflag=direct status=none
dmsetup message pfs-m 0 bps_max 204800
before=$(field throttled)
dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none
[ "$(field throttled)" -gt "$before" ] || fail "a rate change forgave the debt: the read did not wait"
"$PFSADM" set m --bps-max 0

# 4. Alone on the pool, no arbiter limit and no wait, under a deep load.
"$PFSADM" set m --iops-max 0 --bps-max 0
before=$(field throttled)
fio --name=alone --filename="$dev" --rw=randwrite --bs=64k --iodepth=32 --ioengine=libaio \
	--direct=1 --size=32M --runtime=5 --time_based --output=/dev/null
[ "$(field arb_waits)" -eq 0 ] || fail "a lone image waited for the arbiter $(field arb_waits) times"
[ "$(field throttled)" -eq "$before" ] || fail "a lone image without caps waited in its queue"
[ "$(field arb_waits)" -eq 0 ] || fail "a lone image waited for the arbiter $(field arb_waits) times"
[ "$(field throttled)" -eq "$before" ] || fail "a lone image without caps waited in its queue"

# 4b. Solo: alone, its bios skip the arbiter (the path with no lock), so
# almost none is charged; the first op of another image ends that, and the
# lone image's bios are charged again until the pool has been unshared for
# 250 ms (PFS_ARB_SHARED_NS), when it goes solo again.
"$PFSADM" create o 64M >/dev/null
# Long enough to outlast every check below; stopped after them.
fio --name=solo --filename="$dev" --rw=randwrite --bs=64k --iodepth=32 --ioengine=libaio \
	--direct=1 --size=32M --runtime=60 --time_based --output=/dev/null &
fio_pid=$!
# A failed check below must not leave it holding pfs-m for the runner.
trap 'kill $fio_pid 2>/dev/null; wait $fio_pid 2>/dev/null' EXIT
sleep 2
w0=$(field writes) c0=$(field charged_ns)
sleep 1
w1=$(field writes) c1=$(field charged_ns)
[ "$(field solo)" = 1 ] || fail "a lone image without caps is not solo: $(dmsetup status pfs-m)"
# One 64 KiB random write costs write_op + 64 KiB of write_mib in the model.
IFS=, read -r _ wop _ wmib _ < <(field cost_model)
op_ns=$((wop + wmib / 16))
echo "report: solo: $((w1 - w0)) writes in 1 s, $(((c1 - c0) / op_ns)) of them charged"
[ $((w1 - w0)) -ge 100 ] || fail "the lone image wrote only $((w1 - w0)) times in a second"
[ $(((c1 - c0) / op_ns)) -le 5 ] || fail "a solo image's bios are charged: $((c1 - c0)) ns for $((w1 - w0)) writes"
solos=$(field pool_solos) c2=$(field charged_ns)
dd if=/dev/mapper/pfs-o of=/dev/null bs=4k count=1 iflag=direct status=none
sleep 1
charged=$((($(field charged_ns) - c2) / op_ns))
echo "report: after another image's read: $charged writes of m charged in 1 s, pool went solo $(($(field pool_solos) - solos)) more times"
# The pool counts as shared for 250 ms after the read, and m's writes go
# through the budget, as shared ones do; then m goes solo again. Solo, at
# most 5 a second were charged: 20 tells the two apart.
[ "$charged" -ge 20 ] ||
	fail "after another image was active the lone image's writes were still not charged ($charged)"
[ "$(field pool_solos)" -gt "$solos" ] || fail "the lone image did not go solo again once the other was idle"
[ "$(field solo)" = 1 ] || fail "the lone image is not the one that went solo again"
kill -0 $fio_pid || fail "fio on m ended before the checks did: they measured an idle image"
kill $fio_pid
wait $fio_pid || true
trap - EXIT
"$PFSADM" remove -y o >/dev/null

# 5. Shares: weights 100 and 400, both writing flat out at QD32. The
# claim is about a device both keep busy, so the pool is one whose
# bottleneck is the device, not the emulator's CPU: null_blk throttled to
# 50 MiB/s. Device time is counted over the middle of the run only, when
# both are surely busy (two fio jobs of one process start together, but
# not to the millisecond). While both are busy the lighter one gets its
# turn only after the heavier has had four times its device time.
"$PFSADM" deactivate --all
PFS_POOL=$(nullb weights52 256 mbps=50 hw_queue_depth=64)
export PFS_POOL
"$PFSADM" format --force "$PFS_POOL" >/dev/null
"$PFSADM" create m 64M >/dev/null
"$PFSADM" create n 64M >/dev/null
"$PFSADM" set m --weight 100
"$PFSADM" set n --weight 400
nfield() { dmsetup status pfs-n | tr ' ' '\n' | sed -n "s/^$1=//p"; }
fio --rw=write --bs=128k --iodepth=32 --ioengine=libaio --direct=1 --size=64M \
	--runtime=10 --time_based --output=/dev/null \
	--name=m --filename=/dev/mapper/pfs-m --name=n --filename=/dev/mapper/pfs-n &
fio_pid=$!
sleep 3
m0=$(field charged_ns)
n0=$(nfield charged_ns)
sleep 5
dm=$(($(field charged_ns) - m0))
dn=$(($(nfield charged_ns) - n0))
wait $fio_pid
echo "report: device time charged at weights 100:400: $dm:$dn ns ($((dn * 100 / (dm + 1)))%), $(nfield arb_waits) waits for n, $(field arb_waits) for m, pool budget $(field pool_budget_ns) ns"
[ "$dm" -gt 0 ] || fail "the weight-100 image moved nothing next to weight 400"
[ "$dn" -gt 0 ] || fail "the weight-400 image moved nothing in the middle of the run"
[ $((dn * 10)) -ge $((dm * 20)) ] ||
	fail "weights 100:400 gave device time $dm:$dn: the heavier got less than twice the lighter"
[ "$(field arb_waits)" -gt 0 ] || fail "the weight-100 image never waited for its share"

# 5b. The pacer: null_blk's mbps throttle takes a 128 KiB write at once
# while its 20 ms tick lasts and holds everything after, so a depth limit
# cannot hold it; calibrated, the pool sees its best latency far under a
# write's cost and paces while a light reader shares it. The pace is
# charged, not a cap: the writer still moves data, and what both wrote
# and read is intact. The device passes whole writes while a tick's bytes
# last, so the sign needs a tick that holds two: then the write sent after
# the tick's first completes at once, every tick, and the best latency is
# an op's bare service time (under TCG about 0.5 ms on 6.1) over its cost,
# 10 ms. At mbps=15 a tick holds two 128 KiB writes; at 10 it held one,
# and a write was fast only when the tick found nothing waiting (on 6.1
# none did for a whole run, now and then: never paced); at 50 a write
# costs 2.6 ms, and 6.1's service time was 127-257/1000 of it, never far
# under (docs/performance.md, section 6f).
# The two writers above shared the pool and may have set a pace, in the
# old model's units: a calibration's new model must let it go.
"$PFSADM" calibrate --seconds 1 >/dev/null
[ "$(field pool_pace_permille)" -eq 0 ] ||
	fail "the pace outlived a new cost model: $(field pool_pace_permille)/1000"
"$PFSADM" deactivate --all
nullb_remove weights52
PFS_POOL=$(nullb pacer52 256 mbps=15 hw_queue_depth=64)
"$PFSADM" format --force "$PFS_POOL" >/dev/null
"$PFSADM" create m 64M >/dev/null
"$PFSADM" create n 64M >/dev/null
"$PFSADM" calibrate --seconds 1 >/dev/null
# The writer writes only, and what it wrote is verified after, with the
# pace on. (A verifying writer was blamed for a run never paced on 6.1 at
# mbps=10; at 15 it is paced on both kernels: docs/performance.md 6g.)
paced0=$(field pool_paced_windows)
w0=$(nfield write_sectors)
fio --output=/dev/null --direct=1 --ioengine=libaio --size=48M --runtime=8 --time_based \
	--name=heavy --filename=/dev/mapper/pfs-n --rw=write --bs=128k --iodepth=32 \
	--name=light --filename=/dev/mapper/pfs-m --rw=randread --bs=4k --iodepth=1 --rate_iops=20 &
fio_pid=$!
trap 'kill $fio_pid 2>/dev/null; wait $fio_pid 2>/dev/null' EXIT
signs=
for _ in 1 2 3 4 5 6 7; do
	sleep 1
	signs="$signs $(field pool_best_permille)/$(field pool_best_class_permille)"
done
wait $fio_pid || fail "fio failed with the pacer on"
trap - EXIT
pace=$(field pool_pace_permille)
paced=$(($(field pool_paced_windows) - paced0))
echo "report: heavy writer and light reader on null_blk mbps=15: pace $pace/1000 of device time, $paced windows paced, $(($(nfield write_sectors) - w0)) sectors written, best latency over cost each second, over all ops/its lowest over one class:$signs (/1000), model $(field cost_model)"
[ "$paced" -gt 0 ] || fail "a 128 KiB writer beside a light reader on a rate-throttled device was never paced (pace $pace, best latency over cost each second:$signs)"
# null_blk mbps=15 moves two 128 KiB writes a 20 ms tick, 12.5 MiB/s; a
# pace never goes under half of what the device delivered.
[ $(($(nfield write_sectors) - w0)) -ge $((8 * 4 * 2048)) ] ||
	fail "the paced writer moved under 4 MiB a second: $(($(nfield write_sectors) - w0)) sectors in 8 s"
paced0=$(field pool_paced_windows)
fio --output=/dev/null --direct=1 --ioengine=libaio \
	--name=verify --filename=/dev/mapper/pfs-n --rw=write --bs=128k --iodepth=32 --size=8M \
	--verify=crc32c \
	--name=light --filename=/dev/mapper/pfs-m --rw=randread --bs=4k --iodepth=1 --rate_iops=20 \
	--runtime=3 --time_based ||
	fail "fio's crc32c verify of what it wrote with the pacer on failed"
echo "report: 8 MiB written and verified beside the light reader, $(($(field pool_paced_windows) - paced0)) windows paced"
"$PFSADM" deactivate --all
nullb_remove pacer52

# 5d. A live move's copy on a device that hands out its rate in 20 ms
# ticks (null_blk mbps=50): while an image shares the pool the copy is
# held to 3/4 of the device's time by the cost model, so it never spends
# a tick and a light reader's read never waits for the next one; alone,
# it is never held. Counted (copy_paced, the last seen while each move
# runs), not timed; the moved data is compared after each move.
PFS_POOL=$(nullb copy52 192 mbps=50 hw_queue_depth=64)
"$PFSADM" format --force "$PFS_POOL" >/dev/null
"$PFSADM" create m 64M >/dev/null
"$PFSADM" calibrate --seconds 1 >/dev/null
write_pattern "$dev" 52 64
paced_in_move() {	# the last copy_paced of pfs-m seen while a move of it runs
	local mover paced=none v
	"$PFSADM" move m >/dev/null &
	mover=$!
	while kill -0 "$mover" 2>/dev/null; do
		v=$(field copy_paced)
		[ -z "$v" ] || paced=$v
		sleep 0.2
	done
	wait "$mover" || fail "the move of m failed"
	echo "$paced"
}
# Until 250 ms after m's last bio the pool counts as shared.
sleep 1
alone=$(paced_in_move)
[ "$alone" != none ] || fail "the move's status was never seen while it ran"
[ "$alone" = 0 ] || fail "a copy alone on the pool was held by its pace: copy_paced=$alone"
check_pattern "$dev" 52 64
fio --output=/dev/null --direct=1 --ioengine=libaio --name=light --filename="$dev" \
	--rw=randread --bs=4k --iodepth=1 --rate_iops=200 --runtime=6 --time_based &
fio_pid=$!
trap 'kill $fio_pid 2>/dev/null; wait $fio_pid 2>/dev/null' EXIT
# The move starts once the reader reads (fio may take a while to start).
reads0=$(field reads)
for _ in $(seq 50); do
	[ "$(field reads)" -gt "$reads0" ] && break
	sleep 0.1
done
[ "$(field reads)" -gt "$reads0" ] || fail "the reader did not read within 5 s"
beside=$(paced_in_move)
wait $fio_pid || fail "the light reader failed during the move"
trap - EXIT
echo "report: a 64 MiB move on null_blk mbps=50: copy_paced=$alone alone, $beside beside a reader at 200 IOPS"
[ "$beside" != none ] || fail "the move's status was never seen while it ran beside the reader"
[ "$beside" -gt 0 ] || fail "a copy beside a light reader was never held by its pace"
check_pattern "$dev" 52 64
"$PFSADM" deactivate --all
nullb_remove copy52

# 5c. A virtio disk in the host's page cache (this VM's own, as the bench's
# flushed disk) completes a write well before the device time calibrating
# it measured, though not as much sooner as a token bucket does, and a
# budget holds it: it never queues with the budget at its floor. A pace
# there only idled it (docs/performance.md, section 6c). The same writer
# beside a reader at QD1, after a short calibration that can put its cost
# so high that two spans look like a token bucket's (on 6.1, best latency
# 120-341/1000 of cost), may be paced: reported, not asserted. With the
# host loaded (the test VMs of both kernels side by side) the disk also
# queues now and then, as a token bucket does above its rate, and a
# climbing pace then stops under the tenants' demand until its next probe
# (199 of the last 4 s's windows once in CI on 6.1; docs/performance.md,
# section 6e).
export PFS_POOL=$POOL
"$PFSADM" activate m >/dev/null
"$PFSADM" create w 64M >/dev/null
"$PFSADM" calibrate --seconds 1 >/dev/null
paced0=$(field pool_paced_windows)
fio --output=/dev/null --direct=1 --ioengine=libaio --size=48M --runtime=8 --time_based \
	--name=heavy --filename=/dev/mapper/pfs-w --rw=write --bs=128k --iodepth=32 \
	--name=reader --filename="$dev" --rw=randread --bs=4k --iodepth=1 &
fio_pid=$!
trap 'kill $fio_pid 2>/dev/null; wait $fio_pid 2>/dev/null' EXIT
signs=
for i in 1 2 3 4 5 6 7; do
	sleep 1
	[ "$i" = 4 ] && paced_half=$(field pool_paced_windows)
	signs="$signs $(field pool_best_permille)/$(field pool_best_class_permille)"
done
wait $fio_pid || fail "fio failed beside the page-cached disk's writer"
trap - EXIT
pace=$(field pool_pace_permille)
paced=$(($(field pool_paced_windows) - paced0))
late=$(($(field pool_paced_windows) - paced_half))
echo "report: writer and QD1 reader on a page-cached virtio disk: best latency over cost each second, over all ops/its lowest over one class:$signs (/1000), pace $pace/1000, $paced windows paced ($late in the last 4 s), model $(field cost_model)"
"$PFSADM" deactivate --all
"$PFSADM" remove w >/dev/null
# 6. A bounded queue: a guest far past its cap waits in submission, and
# the image holds at most 1024 bios or 32 MiB of them (back-pressure, not
# pinned memory without limit). A suspend while submitters wait still
# drains and completes.
export PFS_POOL=$POOL
"$PFSADM" activate m >/dev/null
peak_while() {	# FIELD PID: the largest FIELD of pfs-m while PID runs
	local peak=0 v
	while kill -0 "$2" 2>/dev/null; do
		v=$(field "$1")
		[ "$v" -le "$peak" ] || peak=$v
		sleep 0.3
	done
	echo "$peak"
}
"$PFSADM" set m --iops-max 500
full0=$(field queue_full)
fio --name=deep --filename=$dev --rw=randwrite --bs=4k --iodepth=2000 --ioengine=libaio \
	--direct=1 --size=32M --runtime=4 --time_based --output=/dev/null &
fio_pid=$!
peak=$(peak_while queued $fio_pid)
wait $fio_pid
echo "report: 2000 writes deep at iops_max 500: at most $peak queued, $(($(field queue_full) - full0)) waits for room"
[ "$peak" -le 1024 ] || fail "the queue held $peak bios, past its bound of 1024"
[ "$peak" -ge 512 ] || fail "the queue never filled ($peak bios): the bound was not tested"
[ "$(field queue_full)" -gt "$full0" ] || fail "no submitter waited for room with 2000 writes at iops_max 500"
"$PFSADM" set m --iops-max 0 --bps-max 16M
fio --name=big --filename=$dev --rw=write --bs=256k --iodepth=200 --ioengine=libaio \
	--direct=1 --size=48M --runtime=4 --time_based --output=/dev/null &
fio_pid=$!
peak=$(peak_while queued_bytes $fio_pid)
wait $fio_pid
echo "report: 50 MiB of writes outstanding at bps_max 16M: at most $peak bytes queued"
[ "$peak" -le $((32 << 20)) ] || fail "the queue held $peak bytes, past its bound of 32 MiB"
[ "$peak" -ge $((16 << 20)) ] || fail "the queue never filled ($peak bytes): the bound was not tested"
"$PFSADM" set m --bps-max 0 --iops-max 100
fio --name=held --filename=$dev --rw=randwrite --bs=4k --iodepth=1500 --ioengine=libaio \
	--direct=1 --size=32M --runtime=6 --time_based --output=/dev/null &
fio_pid=$!
sleep 3
[ "$(field queued)" -ge 1000 ] || fail "1500 writes at iops_max 100 did not fill the queue: $(field queued)"
timeout 60 dmsetup suspend pfs-m || fail "suspend hung with submitters waiting for queue room"
[ "$(field queued)" -eq 0 ] || fail "suspended with $(field queued) bios still queued"
dmsetup resume pfs-m
"$PFSADM" set m --iops-max 0
wait $fio_pid

# 7. REQ_NOWAIT: io_uring issues inline on a device whose targets all take
# nowait bios, and hands every request to an io-wq worker (iou-wrk-N)
# otherwise. Uncapped, none is handed over; 1500 deep at iops_max 100,
# bios that find the queue full end with BLK_STS_AGAIN and are retried from
# io-wq, where they may wait. No error reaches fio either way.
iou_workers() {	# PID: the most io-wq workers at once while PID runs
	local peak=0 v
	while kill -0 "$1" 2>/dev/null; do
		# fio's jobs are child processes: count every thread there is.
		v=$(ps -e -L -o comm= | grep -c '^iou-wrk') || true
		[ "$v" -le "$peak" ] || peak=$v
		sleep 0.2
	done
	echo "$peak"
}
fio --name=uring --filename=$dev --rw=randread --bs=4k --iodepth=32 --ioengine=io_uring \
	--direct=1 --size=32M --runtime=4 --time_based --output=/tmp/uring.out &
fio_pid=$!
peak=$(iou_workers $fio_pid)
wait $fio_pid || fail "io_uring reads failed: $(cat /tmp/uring.out)"
echo "report: io_uring, 32 deep, uncapped: at most $peak io-wq workers"
[ "$peak" -eq 0 ] || fail "io_uring handed requests to $peak io-wq workers: the device does not take nowait bios"
"$PFSADM" set m --iops-max 100
fio --name=uring --filename=$dev --rw=randwrite --bs=4k --iodepth=1500 --ioengine=io_uring \
	--direct=1 --size=32M --runtime=4 --time_based --output=/tmp/uring.out &
fio_pid=$!
sleep 2
"$PFSADM" set m --iops-max 0
wait $fio_pid || fail "io_uring writes against a full queue failed: $(cat /tmp/uring.out)"
grep -q "err= 0" /tmp/uring.out || fail "io_uring writes against a full queue saw errors: $(cat /tmp/uring.out)"
"$PFSADM" deactivate --all
echo "discards and flushes charged; debt kept across a rate change; a lone image never waits; weights share the device; the queue is bounded; nowait bios are taken"
