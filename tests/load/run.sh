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
	set -e
	round=0
	while [ -e /tmp/disturb ]; do
		i=$((round % 8 + 1))
		dmsetup suspend "pfs-l$i"
		dmsetup resume "pfs-l$i"
		dmsetup reload "pfs-l$i" --table "$(dmsetup table "pfs-l$i")"
		dmsetup suspend "pfs-l$i"
		dmsetup resume "pfs-l$i"
		"$PFSADM" set "l$i" --weight $((50 + round % 200)) --iops-max $(((round % 3) * 3000))
		# Grow the last image by 1 MiB a round: the pool has room after it.
		"$PFSADM" resize l8 "$((128 + round + 1))M" >/dev/null
		round=$((round + 1))
		echo "$round" >/tmp/load.rounds
		sleep 0.2
	done
) &
disturb=$!
for p in $fio_pids; do
	wait "$p" || { cat /tmp/load-*.log >&2; fail "fio verify failed"; }
done
rm /tmp/disturb
wait "$disturb" || fail "a suspend, reload, set or resize failed (round $(cat /tmp/load.rounds 2>/dev/null))"
[ "$(blockdev --getsize64 /dev/mapper/pfs-l8)" -eq $(((128 + $(cat /tmp/load.rounds)) << 20)) ] ||
	fail "l8 is not $((128 + $(cat /tmp/load.rounds))) MiB"
# One "err= 0" per job: a missing log or a job with errors fails.
[ "$(cat /tmp/load-l*.log | grep -c '): err= 0:')" -eq 8 ] || fail "fio reported errors"
"$PFSADM" check "$POOL" >/dev/null || fail "pfsadm check is not clean after the load"
moved=$(grep -h 'READ:\|WRITE:' /tmp/load-*.log | sed -n 's/.* io=\([0-9.]*\)\([KMG]\)iB.*/\1 \2/p' |
	awk '{ m = $1; if ($2 == "K") m /= 1024; if ($2 == "G") m *= 1024; s += m } END { printf "%.0f", s }')
echo "load: $seconds s, 8 images, ${moved} MiB read or written and verified," \
	"$(cat /tmp/load.rounds) disturbance rounds, 0 verify errors, clean check" | tee /tmp/load.summary
