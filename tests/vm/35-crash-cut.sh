# Crash-cut every metadata-changing command on real devices. dm-log-writes
# records each write the command makes; tests/crash/replay.py then rebuilds
# the state a crash would leave after every sector prefix of every metadata
# write (every one by default; CUT_STEP=N samples every N-th) and checks
# that pfsadm and the kernel both load the old table or the new one. Most
# prefixes leave the same bytes as a shorter one, so only the distinct
# states are loaded, which makes every prefix affordable.
. ./lib.sh
LOG=/dev/vdb
STEP=${CUT_STEP:-1}
KSTEP=${CUT_KSTEP:-1}
modprobe dm-log-writes
size=$(blockdev --getsz "$POOL")
fresh_pool
"$PFSADM" --pool "$POOL" create base 16M >/dev/null
"$PFSADM" --pool "$POOL" create grow 8M >/dev/null
"$PFSADM" --pool "$POOL" deactivate --all

cut() {	# WHAT CMD... (run against $PFS_POOL, the logged device)
	local what=$1
	shift
	"$PFSADM" --pool "$POOL" list --json >/tmp/before.json
	dd if="$POOL" of=/tmp/base.bin bs=512 count=1048 status=none
	dd if=/dev/zero of="$LOG" bs=1M count=1 oflag=direct status=none
	dmsetup create lw --table "0 $size log-writes $POOL $LOG"
	PFS_POOL=/dev/mapper/lw "$@" >/dev/null
	PFS_POOL=/dev/mapper/lw "$PFSADM" deactivate --all 2>/dev/null || true
	dmsetup remove lw
	"$PFSADM" --pool "$POOL" list --json >/tmp/after.json
	PFSADM=$PFSADM python3 "$PFS_PROJECT/tests/crash/replay.py" "$LOG" "$POOL" \
		/tmp/before.json /tmp/after.json /tmp/base.bin "$STEP" "$KSTEP" >/tmp/replay.out ||
		fail "crash-cut of $what"
	echo "report: $what: $(cat /tmp/replay.out)"
}

cut resize "$PFSADM" resize grow 12M
cut create "$PFSADM" create new 4M
cut set "$PFSADM" set base --weight 700 --iops-max 900
cut remove "$PFSADM" remove new
dd if=/dev/urandom of="$POOL" bs=512 seek=600 count=1 conv=notrunc status=none
expect_exit 4 "$PFSADM" check "$POOL"
cut repair sh -c '"$0" check --repair /dev/mapper/lw' "$PFSADM"
"$PFSADM" check "$POOL" >/dev/null || fail "pool damaged after the repair replay"
cut format "$PFSADM" format --force /dev/mapper/lw
