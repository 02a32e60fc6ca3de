# Crash-cut every metadata-changing command on real devices (restore too). dm-log-writes
# records each write and flush the command sends; tests/crash/replay.py then
# rebuilds every state a power cut could leave: what the flushes made
# durable, plus any subset of the sectors written since the last one. pfsadm
# and the kernel must both load the old table or the new one (only the new
# one once the command has returned), and every image the kernel maps must
# read back what it held before. CUT_KSTEP=N asks the kernel about every
# N-th distinct state only.
. ./lib.sh
LOG=/dev/vdb
KSTEP=${CUT_KSTEP:-1}
modprobe dm-log-writes
size=$(blockdev --getsz "$POOL")
fresh_pool
"$PFSADM" --pool "$POOL" create base 16M >/dev/null
"$PFSADM" --pool "$POOL" create grow 8M >/dev/null
write_pattern /dev/mapper/pfs-base 51 16
write_pattern /dev/mapper/pfs-grow 52 8
"$PFSADM" --pool "$POOL" deactivate --all
"$PFSADM" dump "$POOL" >/tmp/dump0.json	# restored near the end

replay() {
	PFSADM=$PFSADM python3 "$PFS_PROJECT/tests/crash/replay.py" "$@"
}

cut() {	# WHAT CMD... (run against $PFS_POOL, the logged device)
	local what=$1
	shift
	"$PFSADM" --pool "$POOL" list --json >/tmp/before.json
	replay hash "$POOL" /tmp/before.json >/tmp/hashes.json
	# Format discards the data area on purpose: only its table is compared.
	[ "$what" = format ] && echo '{}' >/tmp/hashes.json
	dd if="$POOL" of=/tmp/base.bin bs=512 count=1056 iflag=direct status=none
	dd if=/dev/zero of="$LOG" bs=1M count=1 oflag=direct status=none
	dmsetup create lw --table "0 $size log-writes $POOL $LOG"
	PFS_POOL=/dev/mapper/lw "$@" >/dev/null
	PFS_POOL=/dev/mapper/lw "$PFSADM" deactivate --all 2>/dev/null || true
	dmsetup remove lw
	"$PFSADM" --pool "$POOL" list --json >/tmp/after.json
	replay "$LOG" "$POOL" /tmp/before.json /tmp/after.json /tmp/base.bin /tmp/hashes.json \
		"$KSTEP" >/tmp/replay.out || fail "crash-cut of $what"
	echo "report: $what: $(cat /tmp/replay.out)"
}

cut resize "$PFSADM" resize grow 12M
cut shrink "$PFSADM" resize --force grow 10M
cut create "$PFSADM" create new 4M
cut set "$PFSADM" set base --weight 700 --iops-max 900
cut remove "$PFSADM" remove new
"$PFSADM" --pool "$POOL" create dirty 4M >/dev/null
cut remove-no-wipe "$PFSADM" remove --no-wipe dirty
cut create-on-dirty "$PFSADM" create again 4M
# A version 1 pool (no free-space records, no backup superblock) upgraded.
python3 pfs_meta.py "$POOL" table 't[40:4096] = bytes(4056)'
python3 pfs_meta.py "$POOL" sb 'sb[8:12] = struct.pack("<I", 1)'
expect_exit 4 "$PFSADM" --pool "$POOL" set base --weight 100
cut upgrade "$PFSADM" upgrade
dd if=/dev/urandom of="$POOL" bs=512 seek=600 count=1 conv=notrunc status=none
expect_exit 4 "$PFSADM" check "$POOL"
cut repair sh -c '"$0" check --repair /dev/mapper/lw' "$PFSADM"
"$PFSADM" check "$POOL" >/dev/null || fail "pool damaged after the repair replay"
cut restore "$PFSADM" restore /dev/mapper/lw /tmp/dump0.json
cut format "$PFSADM" format --force /dev/mapper/lw
