# Crash-cut every metadata-changing command on real devices (restore too). dm-log-writes
# records each write and flush the command sends; tests/crash/replay.py then
# rebuilds every state a power cut could leave: what the flushes made
# durable, plus any subset of the sectors written since the last one. pfsadm
# and the kernel must both load the old table or the new one (only the new
# one once the command has returned), and every image the kernel maps must
# read back what it held before. Images are a few MiB: the metadata states
# are what is cut, and every MiB is hashed at every cut. pfsadm loads every
# distinct state; the kernel is asked about every CUT_KSTEP-th one and the
# final one. make check, to stay inside its time budget, cuts four commands
# (CUT_COMMANDS: a shrink, a remove with its zeroing outside the lock, an
# upgrade, a restore) and a move to another pool, and asks the kernel about
# every 5th state; make check-crash cuts every command (CUT_COMMANDS=all)
# and asks the kernel about every state (CUT_KSTEP=1). The move between
# pools is cut with both pools on one logged device, so that one log
# orders the writes to both: the image must be in exactly one of them.
. ./lib.sh
LOG=/dev/vdb
KSTEP=${CUT_KSTEP:-5}
COMMANDS=${CUT_COMMANDS:-shrink remove upgrade restore pool-move}
modprobe dm-log-writes
size=$(blockdev --getsz "$POOL")
fresh_pool
"$PFSADM" --pool "$POOL" create base 4M >/dev/null
"$PFSADM" --pool "$POOL" create grow 4M >/dev/null
write_pattern /dev/mapper/pfs-base 51 4
write_pattern /dev/mapper/pfs-grow 52 4
"$PFSADM" --pool "$POOL" deactivate --all
"$PFSADM" dump "$POOL" >/tmp/dump0.json	# restored near the end

# The replay loads every state with pfsadm: the build without sanitizers,
# at half the cost under emulation (the loader runs under ASan in the unit
# tests and the fuzzer, and in this test's own commands).
view_pfsadm=$PFS_PROJECT/build/user/pfsadm
[ -x "$view_pfsadm" ] || view_pfsadm=$PFSADM
replay() {
	PFSADM=$view_pfsadm python3 "$PFS_PROJECT/tests/crash/replay.py" "$@"
}

cut() {	# WHAT CMD... (run against $PFS_POOL, the logged device; @DEV@ names it)
	local what=$1
	shift
	# Not cut: run on the pool itself, so the next command starts as it would.
	if [ "$COMMANDS" != all ] && [[ " $COMMANDS " != *" $what "* ]]; then
		PFS_POOL=$POOL "${@//@DEV@/$POOL}" >/dev/null
		return
	fi
	set -- "${@//@DEV@//dev/mapper/lw}"
	"$PFSADM" --pool "$POOL" list --json >/tmp/before.json
	replay hash "$POOL" /tmp/before.json >/tmp/hashes.json
	# Format discards the data area on purpose: only its table is compared.
	[ "$what" = format ] && echo '{}' >/tmp/hashes.json
	read_sectors "$POOL" 0 1056 >/tmp/base.bin
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

cut resize "$PFSADM" resize grow 6M
cut shrink "$PFSADM" resize --force grow 5M
cut create "$PFSADM" create new 1M
cut set "$PFSADM" set base --weight 700 --iops-max 900
cut remove "$PFSADM" remove new
"$PFSADM" --pool "$POOL" create dirty 1M >/dev/null
cut remove-no-wipe "$PFSADM" remove --no-wipe dirty
cut create-on-dirty "$PFSADM" create again 1M
cut rename "$PFSADM" rename grow grown
# Copies: the kernel's region copies between the commits are cut too.
cut move "$PFSADM" move base
cut clone "$PFSADM" clone base copy
"$PFSADM" --pool "$POOL" deactivate --all
killed copy-progress "$PFSADM" --pool "$POOL" move grown
"$PFSADM" --pool "$POOL" deactivate grown
cut abort "$PFSADM" move --abort grown
# Writes free space it first records dirty and busy, then the superblock.
cut calibrate "$PFSADM" calibrate --seconds 1
# A version 1 pool (no free-space records, no backup superblock) upgraded.
python3 pfs_meta.py "$POOL" table 't[40:4096] = bytes(4056)'
python3 pfs_meta.py "$POOL" sb 'sb[8:12] = struct.pack("<I", 1)'
expect_exit 4 "$PFSADM" --pool "$POOL" set base --weight 100
cut upgrade "$PFSADM" upgrade
dd if=/dev/urandom of="$POOL" bs=512 seek=600 count=1 conv=notrunc status=none
expect_exit 4 "$PFSADM" check "$POOL"
cut repair "$PFSADM" check --repair @DEV@
"$PFSADM" check "$POOL" >/dev/null || fail "pool damaged after the repair replay"
cut restore "$PFSADM" restore @DEV@ /tmp/dump0.json
cut format "$PFSADM" format --force @DEV@

# A move to another pool: pools A and B on linear maps of the logged
# device, at 1 MiB and at half of it (the device itself holds no
# superblock, so each pool is found once).
cut_pool_move() {
	local half len a=/dev/mapper/cutpool-a b=/dev/mapper/cutpool-b
	half=$(((size / 2) / 2048 * 2048))
	len=$((half - 2048))
	pools_on() {	# DEVICE
		dmsetup create cutpool-a --table "0 $len linear $1 2048"
		dmsetup create cutpool-b --table "0 $len linear $1 $half"
	}
	pools_off() {	# (udev may still be probing a pool just written)
		udevadm settle
		dmsetup remove --retry cutpool-a || { dmsetup ls --tree >&2; fail "cutpool-a is held"; }
		dmsetup remove --retry cutpool-b
	}
	dd if=/dev/zero of="$POOL" bs=1M count=1 oflag=direct status=none
	pools_on "$POOL"
	"$PFSADM" format --force "$a" >/dev/null
	"$PFSADM" format --force "$b" >/dev/null
	"$PFSADM" --pool "$a" create vm 4M >/dev/null
	write_pattern /dev/mapper/pfs-vm 53 4
	"$PFSADM" --pool "$a" deactivate vm
	if [ "$COMMANDS" != all ] && [[ " $COMMANDS " != *" pool-move "* ]]; then
		pools_off
		return
	fi
	"$PFSADM" --pool "$a" list --json >/tmp/before.json
	replay hash "$a" /tmp/before.json >/tmp/hashes.json
	read_sectors "$a" 0 1056 >/tmp/base-a.bin
	read_sectors "$b" 0 1056 >/tmp/base-b.bin
	pools_off
	dd if=/dev/zero of="$LOG" bs=1M count=1 oflag=direct status=none
	dmsetup create lw --table "0 $size log-writes $POOL $LOG"
	pools_on /dev/mapper/lw
	"$PFSADM" --pool "$a" move vm --to-pool "$b" >/dev/null
	[ -e /dev/mapper/pfs-vm ] && fail "the move of inactive vm left it active"
	pools_off
	dmsetup remove lw
	pools_on "$POOL"
	replay pool-move "$LOG" "$POOL" "$a:2048:/tmp/base-a.bin" "$b:$half:/tmp/base-b.bin" vm \
		/tmp/hashes.json "$KSTEP" >/tmp/replay.out || fail "crash-cut of pool-move"
	echo "report: pool-move: $(cat /tmp/replay.out)"
	"$PFSADM" --pool "$b" activate vm
	check_pattern /dev/mapper/pfs-vm 53 4
	"$PFSADM" --pool "$b" deactivate vm
	pools_off
}
cut_pool_move
