# shellcheck shell=bash
# Helpers for tests that run inside the test VM (sourced by each test).
# A test is a bash script; it fails by exiting non-zero, usually via fail.
set -eEuo pipefail
shopt -s inherit_errexit
trap 'echo "FAIL: ${BASH_SOURCE[0]}:$LINENO: $BASH_COMMAND (status $?)" >&2' ERR

PFSADM=${PFSADM:-$PFS_PROJECT/build/user/pfsadm}
POOL=${POOL:-/dev/vda}
# The format version this tree writes (dm-pfs/pfs-format.h).
FORMAT_VERSION=$(awk '$2 == "PFS_FORMAT_VERSION" { print $3 }' "$PFS_PROJECT/dm-pfs/pfs-format.h")

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_fail DESCRIPTION CMD...: CMD must exit non-zero.
expect_fail() {
	local what=$1
	shift
	if "$@" >/tmp/expect_fail.out 2>&1; then
		cat /tmp/expect_fail.out >&2
		fail "$what: command succeeded: $*"
	fi
}

# expect_exit CODE CMD...: CMD must exit with CODE; prints its stderr.
expect_exit() {
	local want=$1 got=0
	shift
	"$@" >/tmp/expect_exit.out 2>&1 || got=$?
	[ "$got" -eq "$want" ] || {
		cat /tmp/expect_exit.out >&2
		fail "expected exit $want, got $got: $*"
	}
}

# killed POINT CMD...: CMD must die of SIGKILL at the crash point POINT.
killed() {	# POINT CMD...: CMD must die of SIGKILL at POINT
	local point=$1 rc=0
	shift
	PFS_TEST_CRASH_AT=$point "$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 137 ] || fail "$* did not die at $point (exit $rc)"
}

# Our udev rules (/dev/pfs/NAME) and their helper, where make install puts
# the helper, in this throwaway guest root.
install_udev_rules() {
	install -m 0755 "$PFS_PROJECT/build/user/pfs-udev-name" /lib/udev/pfs-udev-name
	install -m 0644 "$PFS_PROJECT/dist/60-pfs.rules" /etc/udev/rules.d/60-pfs.rules
	udevadm control --reload
}

# Sectors START.. of DEVICE, COUNT of them, to stdout: direct reads of up to
# 1 MiB each (sector-sized ones cost seconds per MiB under emulation).
read_sectors() {	# DEVICE START COUNT
	dd if="$1" bs=1M iflag=direct,skip_bytes,count_bytes skip=$(($2 * 512)) \
		count=$(($3 * 512)) status=none
}

# unchanged_exit CODE WANT-IN-MESSAGE CMD...: CMD fails with CODE and one
# line that says WANT, and the pool's metadata is byte-for-byte the same.
unchanged_exit() {	# CODE WANT-IN-MESSAGE CMD...: fails with CODE, says it, changes nothing
	local code=$1 want=$2
	shift 2
	read_sectors "$POOL" 0 1048 | sha256sum >/tmp/meta.before
	expect_exit "$code" "$@"
	grep -qF -- "$want" /tmp/expect_exit.out || fail "'$*' did not say '$want': $(cat /tmp/expect_exit.out)"
	[ "$(wc -l </tmp/expect_exit.out)" -eq 1 ] || fail "'$*' printed more than one line"
	read_sectors "$POOL" 0 1048 | sha256sum | cmp -s - /tmp/meta.before ||
		fail "'$*' changed the metadata"
}

# Fill a device (or a range of it) with a seeded pattern and verify it.
write_pattern() {	# DEVICE SEED MIB [OFFSET_MIB]
	local dev=$1 seed=$2 mib=$3 off=${4:-0}
	pattern "$seed" "$mib" | dd of="$dev" bs=1M seek="$off" count="$mib" \
		iflag=fullblock oflag=direct conv=fsync status=none
}

check_pattern() {	# DEVICE SEED MIB [OFFSET_MIB]
	local dev=$1 seed=$2 mib=$3 off=${4:-0}
	cmp <(pattern "$seed" "$mib") \
		<(dd if="$dev" bs=1M skip="$off" count="$mib" iflag=direct status=none) ||
		fail "data at $dev+${off}M (seed $seed) does not match"
}

# Deterministic pseudo-random bytes from a seed: AES-CTR over exactly
# MIB MiB of zeros, so openssl ends on its own and any failure of it fails
# the pipeline (pipefail) instead of yielding empty output that compares
# equal to empty.
pattern() {	# SEED MIB
	head -c "$(($2 * 1024 * 1024))" /dev/zero |
		openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -pbkdf2
}

# A fresh pool on $POOL.
fresh_pool() {
	dmsetup remove_all >/dev/null 2>&1 || true
	"$PFSADM" format --force "$@" "$POOL" >/dev/null
}

# The pool device as the kernel names it in tables: MAJ:MIN.
pool_majmin() {
	dev_majmin "$POOL"
}

# A block device as table lines name it: MAJ:MIN.
dev_majmin() {	# DEVICE
	printf '%d:%d' "0x$(stat -c %t "$1")" "0x$(stat -c %T "$1")"
}

# table_refused WANT TABLE: dmsetup create must fail, leave no device, and
# the kernel log lines of this very attempt must hold WANT.
table_refused() {
	local before
	before=$(dmesg | wc -l)
	if dmsetup create refused --table "$2" >/dev/null 2>&1; then
		dmsetup remove refused
		fail "accepted: $2"
	fi
	dmsetup info refused >/dev/null 2>&1 && fail "device left behind by: $2"
	dmesg | tail -n +"$((before + 1))" >/tmp/refused.dmesg
	grep -qF -- "$1" /tmp/refused.dmesg ||
		fail "the kernel did not say '$1' for: $2 ($(cat /tmp/refused.dmesg))"
}

# refused TI_ERROR TABLE: refused by the pfs target with this ti->error.
refused() {
	table_refused "pfs: $1 (" "$2"
}

# MAJ:MIN of a device-mapper device, as table lines name it.
dm_majmin() {	# NAME
	dmsetup info -c --noheadings -o major,minor "$1" | tr -d ' '
}

# qemu-io ARGS: every -c command must report its full length and none may
# fail. qemu-io prints "read N/N bytes" even after "Pattern verification
# failed", so its whole output is judged, not one line of it.
qemu_io_ok() {	# QEMU-IO ARGS...
	local out cmds=0 a
	for a in "$@"; do [ "$a" = -c ] && cmds=$((cmds + 1)); done
	out=$(qemu-io "$@" 2>&1) || { echo "$out" >&2; return 1; }
	if grep -qiE 'fail|error|mismatch' <<<"$out" ||
		[ "$(grep -cE '^(read|wrote) ([0-9]+)/\2 bytes' <<<"$out")" -ne "$cmds" ]; then
		echo "qemu-io $*:" >&2
		echo "$out" >&2
		return 1
	fi
}

# fio_rounds IMAGE DONE-FILE: in the background, rounds of fio random
# writes with crc32c verification over the first 16 MiB of pfs-IMAGE until
# DONE-FILE exists; the job fails on the first mismatch or error (its log:
# /tmp/fio-IMAGE.log).
fio_rounds() {	# IMAGE DONE-FILE
	(
		while [ ! -e "$2" ]; do
			fio --name="$1" --filename="/dev/mapper/pfs-$1" --ioengine=libaio --direct=1 \
				--rw=randwrite --bs=4k --bsrange=4k-64k --iodepth=8 --size=16M \
				--verify=crc32c --verify_fatal=1 --do_verify=1 --verify_backlog=64 \
				--output="/tmp/fio-$1.log" >/dev/null || exit 1
			grep -q "err= 0" "/tmp/fio-$1.log" || exit 1
		done
	) &
}

image_field() {	# NAME FIELD (from pfsadm show --json)
	"$PFSADM" show --json "$1" | sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p"
}

# nullb NAME SIZE_MB ATTR=VALUE...: a memory-backed null_blk made through
# configfs, with the given attributes; prints its /dev path.
nullb() {
	local name=$1 size=$2 dir=/sys/kernel/config/nullb/$1 kv
	shift 2
	modprobe null_blk nr_devices=0
	mkdir "$dir"
	for kv in size="$size" queue_mode=2 memory_backed=1 blocksize=512 "$@"; do
		echo "${kv#*=}" >"$dir/${kv%%=*}"
	done
	echo 1 >"$dir/power"
	udevadm settle
	# 6.1 names the device after the directory; 6.12 by index.
	if [ -b "/dev/$name" ]; then echo "/dev/$name"; else echo "/dev/nullb$(cat "$dir/index")"; fi
}

nullb_remove() {	# NAME
	echo 0 >"/sys/kernel/config/nullb/$1/power"
	rmdir "/sys/kernel/config/nullb/$1"
}
