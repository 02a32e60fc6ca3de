# make check-load: 8 images run fio with verify=crc32c for $LOAD_SECONDS
# (default 180) while another process keeps suspending and resuming them,
# reloading their tables, growing them and changing their QoS. Zero verify
# errors, zero hangs, a clean dmesg (the harness checks it).
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh
seconds=${LOAD_SECONDS:-180}
fresh_pool
export PFS_POOL=$POOL
for i in $(seq 1 8); do "$PFSADM" create "l$i" 128M >/dev/null; done
for i in $(seq 1 8); do
	fio --name="l$i" --filename="/dev/mapper/pfs-l$i" --ioengine=libaio --direct=1 \
		--rw=randrw --bsrange=4k-64k --iodepth=8 --size=96M --time_based \
		--runtime="$seconds" --verify=crc32c --verify_fatal=1 --verify_backlog=64 \
		--output="/tmp/load-l$i.log" >/dev/null &
done
fio_pids=$(jobs -p)
touch /tmp/disturb
(
	round=0
	while [ -e /tmp/disturb ]; do
		i=$((round % 8 + 1))
		dmsetup suspend "pfs-l$i" && dmsetup resume "pfs-l$i"
		dmsetup reload "pfs-l$i" --table "$(dmsetup table "pfs-l$i")"
		dmsetup suspend "pfs-l$i" && dmsetup resume "pfs-l$i"
		"$PFSADM" set "l$i" --weight $((50 + round % 200)) --iops-max $(((round % 3) * 3000))
		# Grow while there is room after the image (the last one has it).
		"$PFSADM" resize l8 "$((128 + round))M" >/dev/null 2>&1 || true
		round=$((round + 1))
		sleep 0.2
	done
	echo "$round" >/tmp/load.rounds
) &
disturb=$!
for p in $fio_pids; do
	wait "$p" || { cat /tmp/load-*.log >&2; fail "fio verify failed"; }
done
rm /tmp/disturb
wait "$disturb"
grep -h 'err=' /tmp/load-*.log | grep -v 'err= 0' && fail "fio reported errors"
echo "load: $seconds s, $(cat /tmp/load.rounds) disturbance rounds, 8 images, 0 verify errors"
grep -h 'READ:\|WRITE:' /tmp/load-*.log | head -4
