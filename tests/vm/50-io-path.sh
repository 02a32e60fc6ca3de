# The per-image I/O path on real kernels: fio verify on 4 images while they
# are suspended, resumed, reloaded and grown; ext4 on an image; flush and
# discard reaching the disk; stats, caps, workers, errors from below.
. ./lib.sh
fresh_pool
export PFS_POOL=$POOL
for i in 1 2 3 4; do "$PFSADM" create "v$i" 64M >/dev/null; done

# Each image has its own worker, named after it.
for i in 1 2 3 4; do
	pgrep -x "pfs-v$i" >/dev/null || fail "no worker thread pfs-v$i"
done

# fio with crc32c verification on all four, while a second process
# suspends and resumes them, reloads one and grows another.
fio_job() {	# IMAGE
	fio --name="$1" --filename="/dev/mapper/pfs-$1" --ioengine=libaio --direct=1 \
		--rw=randrw --bs=4k --bsrange=4k-64k --iodepth=16 --size=12M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --time_based=0 \
		--output="/tmp/fio-$1.log" >/dev/null
}
for i in 1 2 3 4; do fio_job "v$i" & done
fio_pids=$(jobs -p)
disturb() {
	local round=0
	while [ -e /tmp/disturb ]; do
		# One command per line: under set -e a failing suspend in an
		# && list would be skipped silently.
		for i in 1 2 3 4; do
			dmsetup suspend "pfs-v$i"
			dmsetup resume "pfs-v$i"
		done
		dmsetup reload pfs-v2 --table "$(dmsetup table pfs-v2)"
		dmsetup suspend pfs-v2
		dmsetup resume pfs-v2
		"$PFSADM" set v3 --iops-max $(((round % 2) * 2000)) --weight $((100 + round))
		if [ "$round" -eq 0 ]; then "$PFSADM" resize v4 80M >/dev/null; fi
		round=$((round + 1))
	done
	echo "$round" >/tmp/disturb.rounds
}
touch /tmp/disturb
disturb &
disturb_pid=$!
for p in $fio_pids; do
	wait "$p" || { cat /tmp/fio-*.log >&2; fail "fio verify failed"; }
done
rm /tmp/disturb
wait "$disturb_pid" || fail "suspend/resume/reload loop failed"
[ "$(cat /tmp/disturb.rounds)" -ge 1 ] || fail "no disturbance round completed"
grep -q 'err= 0' /tmp/fio-v1.log || fail "fio reported errors"
[ "$(blockdev --getsize64 /dev/mapper/pfs-v4)" -eq $((80 << 20)) ] || fail "v4 did not grow"
for i in 1 2 3 4; do
	st=$(dmsetup status "pfs-v$i")
	grep -q ' in_flight=0 queued=0 ' <<<"$st" || fail "pfs-v$i not idle: $st"
done

# ext4 on an image: mkfs, files, fsck clean.
mkfs.ext4 -q -F /dev/mapper/pfs-v1
mkdir -p /tmp/mnt
mount /dev/mapper/pfs-v1 /tmp/mnt
for f in 1 2 3; do pattern "$f" 8 >"/tmp/mnt/file$f"; done
umount /tmp/mnt
e2fsck -f -n /dev/mapper/pfs-v1 >/tmp/fsck.log 2>&1 || { cat /tmp/fsck.log >&2; fail "e2fsck not clean"; }
mount /dev/mapper/pfs-v1 /tmp/mnt
for f in 1 2 3; do cmp <(pattern "$f" 8) "/tmp/mnt/file$f" || fail "file$f differs"; done
umount /tmp/mnt

# Stats count exactly what was done. Reads first: closing a device after
# writing makes udev probe it, and those reads would count too.
udevadm settle
dmsetup message pfs-v2 0 reset_stats
dd if=/dev/mapper/pfs-v2 of=/dev/null bs=8k count=50 iflag=direct status=none
st=$(dmsetup status pfs-v2)
grep -q 'reads=50 writes=0 read_sectors=800 write_sectors=0 ' <<<"$st" ||
	fail "wrong read stats: $st"
dd if=/dev/zero of=/dev/mapper/pfs-v2 bs=4k count=100 oflag=direct status=none
st=$(dmsetup status pfs-v2)
grep -q 'writes=100 read_sectors=[0-9]* write_sectors=800 ' <<<"$st" ||
	fail "wrong write stats: $st"
grep -q 'lat_us=16:[0-9]*,64:[0-9]*,.*inf:[0-9]*$' <<<"$st" || fail "no latency histogram: $st"

# A cap makes bios wait in the image's own queue (not a timing check).
dmsetup message pfs-v3 0 reset_stats
"$PFSADM" set v3 --iops-max 200
fio --name=cap --filename=/dev/mapper/pfs-v3 --ioengine=libaio --direct=1 --rw=randread \
	--bs=4k --iodepth=8 --number_ios=400 --output=/dev/null
dmsetup status pfs-v3 | grep -q 'throttled=[1-9]' || fail "iops cap never queued a bio"
"$PFSADM" set v3 --iops-max 0

# Bios sent later by the worker keep the submitter's cgroup: the writes of a
# capped image show up in its cgroup's io.stat for the disk below.
echo +io >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/pfs-tenant
"$PFSADM" set v3 --iops-max 100
dmsetup message pfs-v3 0 reset_stats
bash -c 'echo $$ >/sys/fs/cgroup/pfs-tenant/cgroup.procs
	exec dd if=/dev/zero of=/dev/mapper/pfs-v3 bs=4k count=64 oflag=direct status=none'
"$PFSADM" set v3 --iops-max 0
dmsetup status pfs-v3 | grep -q 'throttled=[1-9]' || fail "cgroup writes were not queued"
wbytes=$(sed -n "s/^$(pool_majmin) .*wbytes=\([0-9]*\).*/\1/p" /sys/fs/cgroup/pfs-tenant/io.stat)
[ "${wbytes:-0}" -ge $((64 * 4096)) ] ||
	fail "cgroup io.stat lacks the writes: $(cat /sys/fs/cgroup/pfs-tenant/io.stat)"

# Flush and discard reach the disk below (/sys/block/vda/stat fields 12, 16).
disk=$(basename "$POOL")
field() { awk -v f="$1" '{ print $f }' "/sys/block/$disk/stat"; }
[ "$(cat "/sys/block/$disk/queue/write_cache")" = "write back" ] || fail "disk has no write cache"
discards=$(field 12)
flushes=$(field 16)
blkdiscard -o 0 -l 1M /dev/mapper/pfs-v2
dd if=/dev/zero of=/dev/mapper/pfs-v2 bs=4k count=1 oflag=direct conv=fsync status=none
[ "$(field 12)" -gt "$discards" ] || fail "discard did not reach $disk"
[ "$(field 16)" -gt "$flushes" ] || fail "flush did not reach $disk"

# Errors from below reach the VM, and the image works again afterwards:
# an image on a pool that sits on dm-linear, swapped for dm-error.
"$PFSADM" deactivate --all
size=$(blockdev --getsz "$POOL")
dmsetup create pfs-under --table "0 $size linear $POOL 0"
PFS_POOL=/dev/mapper/pfs-under "$PFSADM" activate v1 >/dev/null
dmsetup suspend pfs-under
dmsetup load pfs-under --table "0 $size error"
dmsetup resume pfs-under
if dd if=/dev/mapper/pfs-v1 of=/dev/null bs=4k count=1 iflag=direct status=none 2>/tmp/dd.err; then
	fail "read through a failing pool succeeded"
fi
grep -q 'Input/output error' /tmp/dd.err || fail "the read failed without EIO: $(cat /tmp/dd.err)"
dmsetup suspend pfs-under
dmsetup load pfs-under --table "0 $size linear $POOL 0"
dmsetup resume pfs-under
mount /dev/mapper/pfs-v1 /tmp/mnt
cmp <(pattern 2 8) /tmp/mnt/file2 || fail "data unreadable after the fault cleared"
umount /tmp/mnt
dmsetup remove pfs-v1
dmsetup remove pfs-under
