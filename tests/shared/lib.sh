#!/bin/bash
# What both lives of a tests/shared host share (sourced): its pfsadm and
# pfs-lockd, the disks, barriers through $PFS_EXCHANGE, sanlock and
# pfs-lockd started as their units would.
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh
LOCKD=$PFS_PROJECT/build/user/pfs-lockd
if [ "${PFS_VM_PFSADM:-plain}" = asan ]; then
	PFSADM=$PFS_PROJECT/build/user-asan/pfsadm
	LOCKD=$PFS_PROJECT/build/user-asan/pfs-lockd
fi
me=${PFS_HOST_ID:?}
other=$((3 - me))
udevadm settle
POOL=$(readlink -f /dev/disk/by-id/virtio-pfs-shared0)
POOL2=$(readlink -f /dev/disk/by-id/virtio-pfs-shared1)
LOCAL=
for d in /dev/vd?; do [ "$d" = "$POOL" ] || [ "$d" = "$POOL2" ] || LOCAL=$d; done
[ -b "$POOL" ] && [ -b "$POOL2" ] && [ -b "$LOCAL" ] ||
	fail "no shared disks ($POOL, $POOL2) or local disk ($LOCAL)"
export PFS_POOL=$POOL
PER_HOST=8
log() { echo "host $me: $*"; }
# Seconds since the time (date +%s.%N) another step left in FILE.
seconds_since() { echo "$(date +%s.%N) - $(cat "$1")" | bc; }

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
# A host that fails tells the other, which stops waiting at its next barrier.
trap '[ $? -eq 0 ] || : >"$PFS_EXCHANGE/failed.$me"' EXIT

# Which images of shared pools this host ran outlives the guest, as
# /var/lib does a real host's reboot.
mkdir -p /var/lib/pfs/held "$PFS_EXCHANGE/held$me"
mount --bind "$PFS_EXCHANGE/held$me" /var/lib/pfs/held

start_sanlock() {
	# A name that outlives a reboot, as our_host_name in sanlock.conf: a
	# host coming back rejoins at once, not after its old lease expires.
	sanlock daemon -w 0 -U root -G root -e "pfs-test-host-$me"
	for _ in $(seq 100); do
		sanlock client status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "the sanlock daemon did not start"
}

start_lockd() {
	rm -f /run/pfs-lockd.pid
	"$LOCKD" 2>>/tmp/lockd.log &
	for _ in $(seq 100); do
		[ -s /run/pfs-lockd.pid ] && return 0
		sleep 0.1
	done
	cat /tmp/lockd.log
	fail "pfs-lockd did not start"
}

