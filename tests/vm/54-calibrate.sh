# pfsadm calibrate: the pool learns its own device's costs. On two devices
# of different kinds (null_blk bound by bandwidth, and by queue depth) the
# models differ the way the devices do; the kernel takes the model live and
# at every activation; calibration writes only free space, which is then
# zeroed before reuse; images keep their data. A version 2 pool upgrades
# in place; a superblock with an impossible model is refused by pfsadm
# and by the kernel; bad arguments change nothing.
. ./lib.sh

cost_model() {	# IMAGE: the kernel's cost model for the image's pool
	dmsetup status "pfs-$1" | tr ' ' '\n' | sed -n 's/^cost_model=//p'
}

json_model() {	# the model in pfsadm calibrate --json, as the kernel prints it
	python3 -c 'import json, sys
m = json.load(sys.stdin)["model"]
print(",".join(str(m[k]) for k in ("read_op_ns", "write_op_ns", "read_mib_ns",
      "write_mib_ns", "seq_op_pct", "flush_ns", "discard_ns")))'
}

json_field() {	# FILE KEY.KEY...
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k]
print(str(v).lower())' "$@"
}

dirty_sectors() {
	"$PFSADM" list --free --json | sed -n 's/^  "dirty_sectors": *\([0-9]*\),*$/\1/p'
}

free_sectors() {
	"$PFSADM" list --free --json | sed -n 's/^  "free_sectors": *\([0-9]*\),*$/\1/p'
}

default_model=20000,25000,2000000,2500000,25,1000000,100000

# calibrate_on DEVICE SEED [clean]: format, one image with data, calibrate;
# leaves the JSON in /tmp/cal.json. With "clean", the free space is zeroed
# first (null_blk has no free zeroing, so format leaves it dirty): what
# calibrate records dirty is then its own doing.
calibrate_on() {
	export PFS_POOL=$1
	"$PFSADM" format --force "$PFS_POOL" >/dev/null
	"$PFSADM" create keep 16M >/dev/null
	write_pattern /dev/mapper/pfs-keep "$2" 16
	if [ "${3:-}" = clean ]; then
		"$PFSADM" create filler "$(($(free_sectors) / 2048))M" >/dev/null
		"$PFSADM" remove filler
		[ "$(dirty_sectors)" -eq 0 ] || fail "free space still dirty after a wiping remove"
	fi
	"$PFSADM" calibrate --show | grep -q "not calibrated" ||
		fail "a new pool on $1 claims a calibration"
	[ "$(cost_model keep)" = $default_model ] ||
		fail "an uncalibrated pool's kernel model is $(cost_model keep), not the default"
	"$PFSADM" calibrate --json >/tmp/cal.json
	[ "$(json_field /tmp/cal.json calibrated)" = true ] || fail "calibrate did not say it calibrated"
	# Live: the running image's pool took the new model at once.
	[ "$(cost_model keep)" = "$(json_model </tmp/cal.json)" ] ||
		fail "the kernel kept $(cost_model keep) after calibrate measured $(json_model </tmp/cal.json)"
	[ "$(json_field /tmp/cal.json measured.rand_write_4k_ns)" -gt 0 ] ||
		fail "calibrate did not measure writes with free space at hand"
	check_pattern /dev/mapper/pfs-keep "$2" 16
	# What it wrote is free space still to be zeroed; a new image reads zeroes.
	[ "$(dirty_sectors)" -gt 0 ] || fail "calibrate's writes left free space recorded clean"
	"$PFSADM" create fresh 64M >/dev/null
	cmp -n $((64 << 20)) /dev/zero <(dd if=/dev/mapper/pfs-fresh bs=1M iflag=direct status=none) ||
		fail "an image made after calibrate shows calibrate's writes"
	# At activation, from the superblock.
	"$PFSADM" deactivate --all
	"$PFSADM" activate keep
	[ "$(cost_model keep)" = "$(json_model </tmp/cal.json)" ] ||
		fail "after reactivation the kernel's model is $(cost_model keep)"
	"$PFSADM" check "$PFS_POOL" >/dev/null || fail "check fails after calibrate"
	"$PFSADM" deactivate --all
}

ratio() {	# JSON: per-MiB over per-op read cost
	python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))["model"]
print(m["read_mib_ns"] // m["read_op_ns"])' "$1"
}

bw=$(nullb cal_bw 512 mbps=50 hw_queue_depth=64)
calibrate_on "$bw" 54
cp /tmp/cal.json /tmp/cal-bw.json
depth=$(nullb cal_depth 512 irqmode=2 completion_nsec=200000 hw_queue_depth=4)
calibrate_on "$depth" 55 clean
cp /tmp/cal.json /tmp/cal-depth.json
echo "report: bandwidth-bound null_blk: $(json_model </tmp/cal-bw.json)"
echo "report: depth-bound null_blk: $(json_model </tmp/cal-depth.json)"
# 50 MiB/s is a floor of 20 ms per MiB whatever the host: a model below
# half of it did not measure the device.
[ "$(json_field /tmp/cal-bw.json model.read_mib_ns)" -ge 10000000 ] ||
	fail "a 50 MiB/s device calibrated at $(json_field /tmp/cal-bw.json model.read_mib_ns) ns per MiB"
# On one device bytes are the cost, on the other commands are.
[ "$(ratio /tmp/cal-bw.json)" -gt $((4 * $(ratio /tmp/cal-depth.json))) ] ||
	fail "per-MiB/per-op cost: bandwidth-bound $(ratio /tmp/cal-bw.json), depth-bound $(ratio /tmp/cal-depth.json): the models do not tell the devices apart"

# A full pool: nothing free to write, so writes scale from reads; the
# image is untouched.
export PFS_POOL=$depth
"$PFSADM" remove fresh
"$PFSADM" create all "$(($(free_sectors) / 2048))M" >/dev/null
all_start=$(image_field all start_sector)
all_sectors=$(image_field all sectors)
write_pattern /dev/mapper/pfs-all 56 16
"$PFSADM" calibrate --json >/tmp/cal.json
[ "$(json_field /tmp/cal.json measured.rand_write_4k_ns)" -eq 0 ] ||
	fail "calibrate wrote to a pool with no free space"
check_pattern /dev/mapper/pfs-all 56 16
"$PFSADM" deactivate --all

# Bad arguments: one line, exit 1, nothing changed.
before=$("$PFSADM" dump "$PFS_POOL" | sha256sum)
expect_exit 1 "$PFSADM" calibrate --seconds 0
expect_exit 1 "$PFSADM" calibrate --seconds 61
expect_exit 1 "$PFSADM" calibrate extra
[ "$("$PFSADM" dump "$PFS_POOL" | sha256sum)" = "$before" ] || fail "a refused calibrate changed the pool"

# An impossible model (a sequential op at 101 % of a random one), sealed
# with a good checksum: pfsadm and the kernel both refuse the pool.
python3 pfs_meta.py "$PFS_POOL" sb "sb[104:108] = struct.pack('<I', 101)"
expect_fail "pfsadm took a superblock with an invalid cost model" "$PFSADM" list
grep -q "cost model is invalid" /tmp/expect_fail.out || fail "pfsadm did not name the cost model: $(cat /tmp/expect_fail.out)"
table_refused "cost model is invalid" \
	"0 $all_sectors pfs $(POOL=$PFS_POOL pool_majmin) all $all_start"
nullb_remove cal_depth
nullb_remove cal_bw

# A version 2 pool (the cost model's bytes were reserved, zero): read and
# mapped, refused for changes until upgraded, then upgraded in place
# without touching the free-space records.
export PFS_POOL=$POOL
fresh_pool
"$PFSADM" create a 16M >/dev/null
write_pattern /dev/mapper/pfs-a 57 16
"$PFSADM" create b 16M >/dev/null
"$PFSADM" remove --no-wipe b
dirty=$(dirty_sectors)
"$PFSADM" deactivate a
python3 pfs_meta.py "$POOL" sb "sb[8:12] = struct.pack('<I', 2)"
"$PFSADM" activate a
check_pattern /dev/mapper/pfs-a 57 16
[ "$(cost_model a)" = $default_model ] || fail "a version 2 pool's model is $(cost_model a)"
expect_fail "calibrate changed a version 2 pool" "$PFSADM" calibrate
grep -q "run 'pfsadm upgrade'" /tmp/expect_fail.out || fail "calibrate on version 2 did not say to upgrade"
"$PFSADM" upgrade | grep -q "from format version 2 to $FORMAT_VERSION$" || fail "upgrade from version 2 did not say so"
[ "$(dirty_sectors)" -eq "$dirty" ] || fail "upgrade from version 2 changed the free-space records"
"$PFSADM" calibrate --seconds 1 >/dev/null
check_pattern /dev/mapper/pfs-a 57 16
"$PFSADM" deactivate --all
echo "calibrate: models tell bandwidth from depth, taken live and at activation; free space only, zeroed after; v2 upgrades; bad models refused"
