#!/bin/bash
# One host of tests/shared/run, inside its guest: host_id $PFS_HOST_ID, the
# shared disk at /dev/vda, barriers through $PFS_EXCHANGE. Host 1 formats
# the pool shared; then both hosts create images at once (no overlap, no
# lost entry, check clean on both), each reads the other's data where the
# table puts it, and a change on one host is seen by the other's next
# command.
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh
[ "${PFS_VM_PFSADM:-plain}" = asan ] && PFSADM=$PFS_PROJECT/build/user-asan/pfsadm
me=${PFS_HOST_ID:?}
other=$((3 - me))
POOL=/dev/vda
PER_HOST=8
log() { echo "host $me: $*"; }

# barrier NAME: wait (up to 10 min) until both hosts reached NAME.
barrier() {
	local i
	: >"$PFS_EXCHANGE/$1.$me"
	for ((i = 0; i < 6000; i++)); do
		[ -e "$PFS_EXCHANGE/$1.$other" ] && return 0
		[ -e "$PFS_EXCHANGE/failed.$other" ] && fail "host $other failed (before $1)"
		sleep 0.1
	done
	fail "host $other never reached $1"
}
trap ': >"$PFS_EXCHANGE/failed.$me"' ERR

start_sanlock() {
	sanlock daemon -w 0 -U root -G root
	for _ in $(seq 100); do
		sanlock client status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "the sanlock daemon did not start"
}

# Refused, writing nothing: no host_id, then no sanlock daemon.
: >/etc/pfs.conf
if [ "$me" = 1 ]; then
	head -c 1M /dev/vda | sha256sum >/tmp/disk.before
	expect_exit 1 "$PFSADM" format --shared "$POOL"
	grep -q "needs this host's host_id" /tmp/expect_exit.out ||
		fail "no host_id: $(cat /tmp/expect_exit.out)"
fi
printf 'host_id = %s\nlease_io_timeout = 5\n' "$me" >/etc/pfs.conf
if [ "$me" = 1 ]; then
	expect_exit 4 "$PFSADM" format --shared "$POOL"
	grep -q "sanlock daemon is not running" /tmp/expect_exit.out ||
		fail "no daemon: $(cat /tmp/expect_exit.out)"
	head -c 1M /dev/vda | sha256sum | cmp -s - /tmp/disk.before || fail "a refused format wrote"
fi
start_sanlock

if [ "$me" = 1 ]; then
	t0=$(date +%s.%N)
	"$PFSADM" format --shared "$POOL"
	log "format --shared took $(echo "$(date +%s.%N) - $t0" | bc) s"
	"$PFSADM" check "$POOL" >/dev/null
fi
barrier formatted

if [ "$me" = 2 ]; then
	# Not in the lockspace yet: changes are refused, reads are not.
	"$PFSADM" list >/dev/null
	unchanged_exit 5 "has not joined its lockspace" "$PFSADM" create early 16M
	t0=$(date +%s.%N)
	"$PFSADM" lock-start | grep -q "joined the pool's lockspace"
	log "lock-start took $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
"$PFSADM" lock-start | grep -q "is in the pool's lockspace already"
barrier joined

# Both hosts create at once; each writes its own images.
t0=$(date +%s.%N)
for ((i = 0; i < PER_HOST; i++)); do
	"$PFSADM" create "h$me-$i" 16M >/dev/null
	write_pattern "/dev/mapper/pfs-h$me-$i" "$me$i" 16
done
log "$PER_HOST creates with writes took $(echo "$(date +%s.%N) - $t0" | bc) s"
barrier created

n=$("$PFSADM" list -o name | grep -cE '^h[12]-[0-9]+$')
[ "$n" = $((2 * PER_HOST)) ] || fail "list shows $n images, not $((2 * PER_HOST))"
"$PFSADM" check "$POOL" >/tmp/check.out || { cat /tmp/check.out; fail "check is not clean"; }
# The other host's data is where the table says, untouched by this host's.
for ((i = 0; i < PER_HOST; i++)); do
	start=$(image_field "h$other-$i" start_sector)
	[ -n "$start" ] || fail "no start for h$other-$i"
	cmp <(pattern "$other$i" 16) \
		<(dd if="$POOL" bs=512 skip="$start" count=32768 iflag=direct status=none) ||
		fail "h$other-$i's data is not at sector $start"
	check_pattern "/dev/mapper/pfs-h$me-$i" "$me$i" 16
done
barrier verified

# A change on host 1 is what host 2's next command sees.
[ "$me" = 1 ] && "$PFSADM" set h1-0 --weight 250 >/dev/null
barrier changed
[ "$(image_field h1-0 weight)" = 250 ] || fail "h1-0's weight is $(image_field h1-0 weight), not 250"

for ((i = 0; i < PER_HOST; i++)); do
	"$PFSADM" deactivate "h$me-$i" >/dev/null
done
barrier deactivated
"$PFSADM" lock-stop | grep -q "left the pool's lockspace"
log "passed"
