# shellcheck shell=bash
# Helpers for tests that run inside the test VM (sourced by each test).
# A test is a bash script; it fails by exiting non-zero, usually via fail.
set -eEuo pipefail
shopt -s inherit_errexit
trap 'echo "FAIL: ${BASH_SOURCE[0]}:$LINENO: $BASH_COMMAND (status $?)" >&2' ERR

PFSADM=${PFSADM:-$PFS_PROJECT/build/user/pfsadm}
POOL=${POOL:-/dev/vda}

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

# Deterministic pseudo-random bytes from a seed. openssl dies of SIGPIPE
# when head has enough, so this one pipeline runs without pipefail.
pattern() (	# SEED MIB
	set +o pipefail
	trap - ERR
	openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -pbkdf2 </dev/zero 2>/dev/null |
		head -c "$(($2 * 1024 * 1024))"
)

# A fresh pool on $POOL.
fresh_pool() {
	dmsetup remove_all >/dev/null 2>&1 || true
	"$PFSADM" format --force "$@" "$POOL" >/dev/null
}

# The pool device as the kernel names it in tables: MAJ:MIN.
pool_majmin() {
	printf '%d:%d' "0x$(stat -c %t "$POOL")" "0x$(stat -c %T "$POOL")"
}

image_field() {	# NAME FIELD (from pfsadm show --json)
	"$PFSADM" show --json "$1" | sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p"
}
