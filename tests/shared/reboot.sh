#!/bin/bash
# Host 1's second life in tests/shared/run. It was powered off holding
# h1-1..h1-6; host 2 has taken h1-1 over since. It boots again (a new
# guest, the same record of what it ran) and runs its boot units' commands
# as dist/ has them: they bring back h1-2..h1-6, and not h1-1. Then it loses
# the pool's lease area (the data stays reachable, through a path it can
# cut): sanlock fails its lockspace, pfs-lockd suspends its devices, and a
# write held there never reaches the pool, even once the path is back and
# host 2 runs the image.
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh && . ../shared/lib.sh
[ "$me" = 1 ] || fail "only host 1 boots twice"

# Booted now: the image host 2 took over while this host was down is
# that host's, once host 2 holds it for good (were host 2 still waiting,
# or between two holds of its own, the two would race for it).
while [ ! -e "$PFS_EXCHANGE/reboot-go" ]; do
	[ -e "$PFS_EXCHANGE/failed.2" ] && fail "host 2 failed before it took h1-1 over"
	sleep 0.5
done

# The LUN through a path of its own, as multipath gives one.
sectors=$(blockdev --getsz "$POOL")
dmsetup create lun0 --table "0 $sectors linear $POOL 0"
LUN=/dev/mapper/lun0
printf 'host_id = 1\nlease_io_timeout = 3\n' >/etc/pfs.conf
export PFS_POOL=$LUN

unit_commands() {	# UNIT: the pfsadm arguments of its ExecStart lines
	sed -n 's|^ExecStart=-\{0,1\}@SBINDIR@/pfsadm ||p' "$PFS_PROJECT/dist/$1"
}
run_unit() {	# UNIT: its commands in order, as systemd would (stop at a failure)
	local args
	while read -r args; do
		# shellcheck disable=SC2086
		"$PFSADM" $args >>"/tmp/$1.out" 2>&1 || { cat "/tmp/$1.out"; fail "$1: pfsadm $args failed"; }
	done < <(unit_commands "$1")
}

# Early boot (pfs-activate.service): no sanlock yet; the shared pool's
# images wait for their unit, and this one does not fail.
run_unit pfs-activate.service
grep -q "6 images of this shared pool ran here" /tmp/pfs-activate.service.out ||
	fail "early boot: $(cat /tmp/pfs-activate.service.out)"
start_sanlock
start_lockd
t0=$(date +%s.%N)
run_unit pfs-activate-shared.service
log "pfs-activate-shared.service took $(echo "$(date +%s.%N) - $t0" | bc) s"
grep -q "h1-1 runs on host 2 now; not activated here" /tmp/pfs-activate-shared.service.out ||
	fail "no word of h1-1: $(cat /tmp/pfs-activate-shared.service.out)"
for i in 2 3 4 5 6; do
	check_pattern "/dev/mapper/pfs-h1-$i" "1$i" 16
done
active=$(dmsetup ls --target pfs | awk '{ print $1 }' | sort | tr '\n' ' ')
[ "$active" = "pfs-h1-2 pfs-h1-3 pfs-h1-4 pfs-h1-5 pfs-h1-6 " ] || fail "the boot activated: $active"
held=$(cat /var/lib/pfs/held/*/* | sort | tr '\n' ' ')
[ "$held" = "h1-2 h1-3 h1-4 h1-5 h1-6 " ] || fail "after the boot, the record says: $held"
# Once more changes nothing.
"$PFSADM" activate --all >/tmp/again.out 2>&1 || fail "activate --all again: $(cat /tmp/again.out)"
! grep -q h1-1 /tmp/again.out || fail "h1-1 again: $(cat /tmp/again.out)"
barrier rebooted

# A VM's writer on h1-2, going on through the cut until the fence stops it.
start=$(image_field h1-2 start_sector)
(while write_pattern /dev/mapper/pfs-h1-2 77 1 8; do :; done) 2>/dev/null &
writer=$!
until cmp -s <(pattern 77 1) \
	<(read_sectors "$POOL" $((start + 16384)) 2048); do
	sleep 0.1
done
# Cut the lease area from this host (sanlock's line says where it starts).
lease_start=$(($(sanlock client status | sed -n 's/^s pfs_[^:]*:1:[^:]*:\([0-9]*\)$/\1/p') / 512))
data_start=$("$PFSADM" dump | sed -n 's/^ *"data_start": *\([0-9]*\).*/\1/p')
[ "$lease_start" -gt 0 ] && [ "$data_start" -gt "$lease_start" ] ||
	fail "no lease area found ($lease_start..$data_start): $(sanlock client status)"
dmsetup load lun0 <<-TABLE
	0 $lease_start linear $POOL 0
	$lease_start $((data_start - lease_start)) error
	$data_start $((sectors - data_start)) linear $POOL $data_start
TABLE
dmsetup resume lun0
date +%s.%N >"$PFS_EXCHANGE/cut-at"
barrier cut
log "cut from the lease area"
for ((i = 0; i < 1500; i++)); do
	dmsetup info pfs-h1-2 | grep -q "State: *SUSPENDED" && break
	sleep 0.1
done
fenced=$(seconds_since "$PFS_EXCHANGE/cut-at")
dmsetup info pfs-h1-2 | grep -q "State: *SUSPENDED" || fail "h1-2 not fenced 150 s after the cut: $(cat /tmp/lockd.log)"
log "fenced $fenced s after the cut: $(tail -n1 /tmp/lockd.log)"
echo "$fenced" >"$PFS_EXCHANGE/fenced-seconds"
for _ in $(seq 100); do [ -e /run/pfs-lockd.pid ] || break; sleep 0.1; done
[ ! -e /run/pfs-lockd.pid ] || fail "pfs-lockd did not exit when sanlock failed the lockspace"
sleep 2
kill -0 "$writer" 2>/dev/null || fail "the writer ended: a write to a fenced image completed"
cmp <(pattern 77 1) <(read_sectors "$POOL" $((start + 16384)) 2048) ||
	fail "h1-2 changed after the fence"

# Host 2 takes h1-2 over and writes; then the path comes back here.
barrier cut-taken
dmsetup load lun0 --table "0 $sectors linear $POOL 0"
dmsetup resume lun0
sleep 3
kill -0 "$writer" 2>/dev/null || fail "the writer ended once the path came back"
cmp <(pattern 88 1) <(read_sectors "$POOL" $((start + 16384)) 2048) ||
	fail "a write held by the fence reached the pool over host 2's"
# The VM stops here: its held writes fail, they do not land.
for dev in $(dmsetup ls --target pfs | awk '{ print $1 }'); do
	dmsetup remove --force "$dev" >/dev/null
done
wait "$writer" 2>/dev/null
cmp <(pattern 88 1) <(read_sectors "$POOL" $((start + 16384)) 2048) ||
	fail "a write held by the fence landed when its device went"
"$PFSADM" check >/tmp/check.out || { cat /tmp/check.out; fail "check is not clean"; }
barrier cut-verified
log "passed"
