#!/bin/bash
# One host of tests/shared/run, inside its guest: host_id $PFS_HOST_ID, the
# shared disk as virtio-pfs-shared0 (and a local one), barriers through
# $PFS_EXCHANGE. Host 1 formats
# the pool shared; then both hosts create images at once (no overlap, no
# lost entry, check clean on both), each reads the other's data where the
# table puts it, and a change on one host is seen by the other's next
# command.
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh && . ../shared/lib.sh

# Refused, writing nothing: no host_id, then no sanlock daemon.
: >/etc/pfs.conf
if [ "$me" = 1 ]; then
	head -c 1M "$POOL" | sha256sum >/tmp/disk.before
	expect_exit 1 "$PFSADM" format --shared "$POOL"
	grep -q "needs this host's host_id" /tmp/expect_exit.out ||
		fail "no host_id: $(cat /tmp/expect_exit.out)"
fi
printf 'host_id = %s\nlease_io_timeout = 3\n' "$me" >/etc/pfs.conf
if [ "$me" = 1 ]; then
	expect_exit 4 "$PFSADM" format --shared "$POOL"
	grep -q "sanlock daemon is not running" /tmp/expect_exit.out ||
		fail "no daemon: $(cat /tmp/expect_exit.out)"
	head -c 1M "$POOL" | sha256sum | cmp -s - /tmp/disk.before || fail "a refused format wrote"
fi
start_sanlock
start_lockd

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
		<(read_sectors "$POOL" "$start" 32768) ||
		fail "h$other-$i's data is not at sector $start"
	check_pattern "/dev/mapper/pfs-h$me-$i" "$me$i" 16
done
barrier verified

# A change on host 1 is what host 2's next command sees.
[ "$me" = 1 ] && "$PFSADM" set h1-0 --weight 250 >/dev/null
barrier changed
[ "$(image_field h1-0 weight)" = 250 ] || fail "h1-0's weight is $(image_field h1-0 weight), not 250"

# Image leases: an image runs on one host at a time.
if [ "$me" = 2 ]; then
	"$PFSADM" list -o name,host | grep -qE '^h1-0 +host 1$' || fail "list does not say host 1 runs h1-0"
	expect_exit 5 "$PFSADM" --wait 2 activate h1-0
	grep -q "image h1-0 is active on host 1" /tmp/expect_exit.out ||
		fail "activate of host 1's image: $(cat /tmp/expect_exit.out)"
	[ ! -e /dev/mapper/pfs-h1-0 ] || fail "a refused activate left a device"
	unchanged_exit 5 "image h1-0 is active on host 1" "$PFSADM" remove --yes h1-0
fi
barrier refused
# Handed over: host 1 stops it, host 2 runs it on host 1's data, and back.
[ "$me" = 1 ] && "$PFSADM" deactivate h1-0 >/dev/null
barrier handed
if [ "$me" = 2 ]; then
	"$PFSADM" activate h1-0 >/dev/null
	check_pattern /dev/mapper/pfs-h1-0 10 16
	write_pattern /dev/mapper/pfs-h1-0 20 16
	"$PFSADM" deactivate h1-0 >/dev/null
fi
barrier back
if [ "$me" = 1 ]; then
	"$PFSADM" activate h1-0 >/dev/null
	check_pattern /dev/mapper/pfs-h1-0 20 16
fi
barrier returned

# A live migration's window: both hosts hold the lease shared, then the
# destination alone, exclusive.
[ "$me" = 1 ] && "$PFSADM" activate --shared h1-0 >/dev/null
barrier source-shared
if [ "$me" = 2 ]; then
	"$PFSADM" activate --shared h1-0 >/dev/null
	"$PFSADM" list -o name,host | grep -qE '^h1-0 +hosts 1,2 \(shared\)$|^h1-0 +hosts 2,1 \(shared\)$' ||
		fail "list does not show h1-0 shared: $("$PFSADM" list -o name,host)"
	expect_exit 5 "$PFSADM" --wait 2 activate h1-0
fi
barrier both-shared
[ "$me" = 1 ] && "$PFSADM" deactivate h1-0 >/dev/null
barrier source-gone
if [ "$me" = 2 ]; then
	"$PFSADM" activate h1-0 >/dev/null
	check_pattern /dev/mapper/pfs-h1-0 20 16
	"$PFSADM" list -o name,host | grep -qE '^h1-0 +host 2$' || fail "h1-0 is not host 2's alone"
fi
barrier migrated
if [ "$me" = 1 ]; then
	expect_exit 5 "$PFSADM" --wait 2 activate h1-0
	grep -q "active on host 2" /tmp/expect_exit.out || fail "after migration: $(cat /tmp/expect_exit.out)"
fi
barrier checked-migration

# Host 1 dies (a power cut: no release) holding h1-1; host 2 takes it over
# once sanlock declares host 1 dead, and says so while it waits.
held_extents() {	# how many extents running commands hold, as check says
	"$PFSADM" check "$POOL" | sed -n 's/.*held by running commands: \([0-9]*\) extent.*/\1/p'
}
# A move between two shared pools, live: the image's lease and this host's
# record go with it, and it stays host 1's alone.
[ "$me" = 1 ] && "$PFSADM" format --shared "$POOL2" >/dev/null
barrier formatted2
[ "$me" = 2 ] && "$PFSADM" lock-start "$POOL2" >/dev/null
barrier joined2
leases_match_devices() {	# each active image holds one lease, no other is held
	local leases devices
	leases=$(sanlock client status | grep -c '^r pfs_')
	devices=$(dmsetup ls --target pfs | grep -c '^pfs-')
	[ "$leases" = "$devices" ] ||
		fail "$leases image leases held for $devices devices: $(sanlock client status)"
}
if [ "$me" = 1 ]; then
	"$PFSADM" move h1-3 --to-pool "$POOL2" >/dev/null
	check_pattern /dev/mapper/pfs-h1-3 13 16
	"$PFSADM" --pool "$POOL2" list -o name,host | grep -qE '^h1-3 +host 1$' ||
		fail "the second pool does not say host 1 runs h1-3"
	! "$PFSADM" list -o name | grep -qx h1-3 || fail "h1-3 is still in the first pool"
	dir3=$(grep -lx h1-3 /var/lib/pfs/held/*/* | xargs -r -n1 dirname)
	dir2=$(grep -lx h1-2 /var/lib/pfs/held/*/* | xargs -r -n1 dirname)
	[ -n "$dir3" ] && [ "$(echo "$dir3" | wc -l)" = 1 ] && [ "$dir3" != "$dir2" ] ||
		fail "h1-3 is not recorded in its new pool alone: $(grep -r . /var/lib/pfs/held)"
	leases_match_devices
fi
barrier moved
if [ "$me" = 2 ]; then
	expect_exit 5 "$PFSADM" --pool "$POOL2" --wait 2 activate h1-3
	grep -q "image h1-3 is active on host 1" /tmp/expect_exit.out ||
		fail "activate of the moved h1-3: $(cat /tmp/expect_exit.out)"
fi
barrier moved-refused
if [ "$me" = 1 ]; then
	"$PFSADM" --pool "$POOL2" move h1-3 --to-pool "$POOL" >/dev/null
	check_pattern /dev/mapper/pfs-h1-3 13 16
	"$PFSADM" list -o name,host | grep -qE '^h1-3 +host 1$' || fail "h1-3 is not back as host 1's"
	[ "$(grep -lx h1-3 /var/lib/pfs/held/*/* | wc -l)" = 1 ] || fail "h1-3 recorded twice"
	leases_match_devices
fi
barrier moved-back

# An image no host runs: no host's boot may take it.
[ "$me" = 2 ] && "$PFSADM" deactivate h2-7 >/dev/null
if [ "$me" = 1 ]; then
	# First a create killed while it zeroes space a removed image left:
	# its reservation (host 1's) stays in the table when host 1 dies.
	"$PFSADM" remove --no-wipe --yes h1-7 >/dev/null
	killed zeroing-reserved "$PFSADM" create doomed 16M
	[ "$(held_extents)" = 1 ] || fail "no reservation left by the killed create"
	# What its next boot activates: the images it runs now, and no other.
	held=$(cat /var/lib/pfs/held/*/* | sort | tr '\n' ' ')
	[ "$held" = "h1-1 h1-2 h1-3 h1-4 h1-5 h1-6 " ] || fail "this host's record of what it runs: $held"
	barrier dying
	date +%s.%N >"$PFS_EXCHANGE/died.1"
	log "powering off while holding h1-1"
	dmesg >"$PFS_RESULTS/dmesg"
	echo 0 >"$PFS_RESULTS/status"
	sync
	# From here the guest's filesystems go: nothing may report a failure.
	trap - ERR EXIT
	set +e
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
	sleep 60
	exit 1
fi
barrier dying
while [ ! -e "$PFS_EXCHANGE/died.1" ]; do
	[ -e "$PFS_EXCHANGE/failed.1" ] && fail "host 1 failed before it died"
	sleep 0.1
done
# Host 1 is not known dead yet: its reservation stays through a change here.
"$PFSADM" set h2-1 --weight 110 >/dev/null
[ "$(held_extents)" = 1 ] || fail "host 2 dropped a live host's reservation"
# Once sanlock here has seen host 1 miss renewals (it reads their delta
# leases every 2 x lease_io_timeout), host 1's image is refused at once,
# naming host 1, and --wait is kept: not held inside sanlock, silently,
# until host 1 is declared dead 8 x 3 + 60 s after its last renewal.
# 40 s: sanlock calls a host failed 8 x 3 s after it last saw a renewal,
# which may be up to 2 x 3 s after the power-off (and the guests' clocks
# may differ by a little); it is declared dead no sooner than 78 s.
while [ "$(echo "$(seconds_since "$PFS_EXCHANGE/died.1") < 40" | bc)" = 1 ]; do sleep 1; done
t0=$(date +%s.%N)
expect_exit 5 timeout 70 "$PFSADM" --wait 2 activate h1-1
refused=$(echo "$(date +%s.%N) - $t0" | bc)
grep -q "image h1-1 is active on host 1, which stopped renewing its lease" /tmp/expect_exit.out ||
	fail "activate of a failed host's image: $(cat /tmp/expect_exit.out)"
[ "$(echo "$refused < 20" | bc)" = 1 ] ||
	fail "activate --wait 2 of a failed host's image took $refused s"
log "refused in $refused s $(seconds_since "$PFS_EXCHANGE/died.1") s after host 1 died: $(tail -n1 /tmp/expect_exit.out)"
"$PFSADM" --wait 400 activate h1-1 >/dev/null 2>/tmp/takeover.err
took=$(seconds_since "$PFS_EXCHANGE/died.1")
grep -q "image h1-1 is active on host 1.*waiting up to 400 s" /tmp/takeover.err ||
	fail "no word while waiting: $(cat /tmp/takeover.err)"
log "took over h1-1 $took s after host 1 died: $(head -n1 /tmp/takeover.err)"
echo "$took" >"$PFS_EXCHANGE/takeover-seconds"
check_pattern /dev/mapper/pfs-h1-1 11 16
"$PFSADM" list -o name,host | grep -qE '^h1-1 +host 2$' || fail "h1-1 is not host 2's"
# Host 1 is dead now: the next change drops what its killed create held.
"$PFSADM" set h2-1 --weight 120 >/dev/null
[ "$(held_extents)" = 0 ] || fail "a dead host's reservation is still held: $(held_extents)"

# What the leases cost a create: 5 on the shared pool against 5 on a
# host-local pool on a local disk of the same kind (reported, not judged).
median_create_ms() {	# PREFIX POOL: the median of 5 creates there, in ms
	local i t0 times=()
	for ((i = 0; i < 5; i++)); do
		t0=$(date +%s%N)
		"$PFSADM" --pool "$2" create "$1-$i" 16M >/dev/null
		times+=($((($(date +%s%N) - t0) / 1000000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}
"$PFSADM" format --force "$LOCAL" >/dev/null
local_ms=$(median_create_ms local "$LOCAL")
shared_ms=$(median_create_ms shared "$POOL")
log "create: $shared_ms ms on the shared pool, $local_ms ms on a local one (median of 5)"
echo "$shared_ms $local_ms" >"$PFS_EXCHANGE/create-ms"
for ((i = 0; i < 5; i++)); do
	"$PFSADM" --pool "$POOL" remove --yes "shared-$i" >/dev/null
	"$PFSADM" --pool "$LOCAL" remove --yes "local-$i" >/dev/null
done

# pfs-lockd told to go, as sanlock does when the lockspace fails: before
# the leases go, the devices of the images it held are suspended, so a
# write made now reaches the LUN only once the lease is taken back.
start=$(image_field h2-0 start_sector)
kill -TERM "$(cat /run/pfs-lockd.pid)"
for _ in $(seq 100); do [ -e /run/pfs-lockd.pid ] || break; sleep 0.1; done
[ ! -e /run/pfs-lockd.pid ] || fail "pfs-lockd did not exit"
grep -q "device.* suspended" /tmp/lockd.log || fail "pfs-lockd did not say it suspended: $(cat /tmp/lockd.log)"
for img in h1-0 h1-1 h2-0; do
	dmsetup info "pfs-$img" | grep -q "State: *SUSPENDED" || fail "pfs-$img is not suspended"
done
"$PFSADM" list -o name,state | grep -qE '^h2-0 +suspended$' || fail "list does not show h2-0 suspended"
pattern 99 1 | dd of=/dev/mapper/pfs-h2-0 bs=1M count=1 iflag=fullblock oflag=direct status=none &
writer=$!
sleep 2
kill -0 "$writer" 2>/dev/null || fail "a write to a fenced image completed"
cmp <(pattern 20 1) <(read_sectors "$POOL" "$start" 2048) ||
	fail "a write to a fenced image reached the pool"
start_lockd
"$PFSADM" activate h2-0 >/dev/null
wait "$writer" || fail "the held write failed once resumed"
check_pattern /dev/mapper/pfs-h2-0 99 1
for img in $("$PFSADM" list -o name,state --noheadings | awk '$2 == "suspended" { print $1 }'); do
	"$PFSADM" activate "$img" >/dev/null
done
dmsetup info pfs-h1-1 | grep -q "State: *ACTIVE" || fail "activate did not resume pfs-h1-1"
! "$PFSADM" list -o state --noheadings | grep -q suspended || fail "an image is still suspended"
# Host 1 may boot again now: h1-1 is this host's, and held.
: >"$PFS_EXCHANGE/reboot-go"

# Host 1 boots again (tests/shared/reboot.sh) and runs its boot units:
# they bring back the images it ran, but not h1-1, which is this host's now.
barrier rebooted
dmsetup info pfs-h1-1 | grep -q "State: *ACTIVE" || fail "pfs-h1-1 is not active here after host 1's boot"
"$PFSADM" list -o name,host | grep -qE '^h1-1 +host 2$' || fail "host 1's boot took h1-1: $("$PFSADM" list -o name,host)"
"$PFSADM" list -o name,host | grep -qE '^h1-2 +host 1$' || fail "host 1's boot did not take h1-2 back"

# Host 1 loses the lease area, not the data: sanlock fails its lockspace
# and pfs-lockd fences its devices. h1-2 is this host's once sanlock
# declares host 1 dead, and host 1's held writes never land.
barrier cut
"$PFSADM" --wait 400 activate h1-2 >/dev/null 2>/tmp/cut.err || fail "h1-2 not taken over: $(cat /tmp/cut.err)"
took=$(seconds_since "$PFS_EXCHANGE/cut-at")
log "took over h1-2 $took s after host 1 lost the lease area: $(head -n1 /tmp/cut.err)"
echo "$took" >"$PFS_EXCHANGE/cut-takeover-seconds"
check_pattern /dev/mapper/pfs-h1-2 12 8
check_pattern /dev/mapper/pfs-h1-2 77 1 8
write_pattern /dev/mapper/pfs-h1-2 88 1 8
barrier cut-taken
barrier cut-verified
check_pattern /dev/mapper/pfs-h1-2 88 1 8

# Leaving the lockspace waits until nothing of it is held here.
expect_exit 5 "$PFSADM" lock-stop
grep -q "still holds leases" /tmp/expect_exit.out || fail "lock-stop: $(cat /tmp/expect_exit.out)"
"$PFSADM" deactivate --all >/dev/null
[ -z "$(ls /var/lib/pfs/held/*/)" ] || fail "deactivated images are still recorded: $(ls /var/lib/pfs/held/*/)"
"$PFSADM" check "$POOL" >/tmp/check.out || { cat /tmp/check.out; fail "check is not clean"; }
"$PFSADM" lock-stop | grep -q "left the pool's lockspace"
log "passed"
