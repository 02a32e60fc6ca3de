# pfsadm move NAME --to-pool DEVICE: an image moves to another pool, live.
# fio with crc32c verification runs on it through the whole move; after
# it the image is in the other pool only, with its name, UUID and device,
# and its data. Cut at every commit (pfsadm killed there), the image is in
# exactly one pool, its device works, and the same command finishes the
# move; the device removed and made again (a crash) copies again from the
# table. --abort drops a move under way, and is refused once the image has
# switched. The kernel refuses table lines that leave out or misname the
# other pool, the extent held for an incoming image, and once switched, a
# line for the image in the other pool while a device still moves it
# there, and a line whose other pool's device was reformatted under a
# live image of the new pool. The copy is charged in both pools. Bad
# input: one line, an exit code, nothing changed.
. ./lib.sh
export PFS_POOL=$POOL
other=/dev/vdb
fresh_pool
"$PFSADM" format --force "$other" >/dev/null
pool=$(pool_majmin)
other_mm=$(dev_majmin "$other")
# A failing check must not leave fio holding a device.
trap 'touch /tmp/fio.done; kill $(jobs -p) 2>/dev/null || true; pkill -x fio || true; wait || true' EXIT

state_in() {	# POOL-DEVICE: vm's state there, as list shows it
	"$PFSADM" --pool "$1" list | awk '$1 == "vm" { print $3 }'
}

in_pool() {	# POOL-DEVICE NAME: the image is listed there, as an image of its own
	# (foreign: its device still maps the pool it moved from, until reloaded)
	"$PFSADM" --pool "$1" list | awk -v n="$2" '$1 == n { print $3 }' |
		grep -Eq '^(inactive|active|open|foreign)$'
}

pools_check() {	# WHEN: both pools check clean
	"$PFSADM" check "$POOL" >/dev/null || fail "check of $POOL fails $1"
	"$PFSADM" --pool "$other" check "$other" >/dev/null || fail "check of $other fails $1"
}

"$PFSADM" create vm 32M --weight 300 >/dev/null
write_pattern /dev/mapper/pfs-vm 60 16 16	# past fio's range
image_uuid() {	# POOL-DEVICE: vm's UUID as that pool's table holds it
	"$PFSADM" --pool "$1" show vm | awk '$1 == "uuid" { print $2 }'
}
uuid=$(image_uuid "$POOL")
a_start=$(image_field vm start_sector)

# A live move, fio verifying throughout.
rm -f /tmp/fio.done
fio_rounds vm /tmp/fio.done
fio_pid=$!
sleep 1
"$PFSADM" move vm --to-pool "$other" >/tmp/move.out || fail "the live move failed"
grep -Eq "^vm is in pool $other at sector [0-9]+$" /tmp/move.out || fail "move said: $(cat /tmp/move.out)"
sleep 1
touch /tmp/fio.done
wait "$fio_pid" || { cat /tmp/fio-vm.log >&2; fail "fio saw a mismatch or an error through the move"; }
# What fio wrote last, read back whole from the pool the image is in now.
fio --name=vm --filename=/dev/mapper/pfs-vm --ioengine=libaio --direct=1 --rw=randwrite --bs=4k \
	--bsrange=4k-64k --iodepth=8 --size=16M --verify=crc32c --verify_fatal=1 --verify_only \
	--output=/tmp/fio-verify.log >/dev/null || { cat /tmp/fio-verify.log >&2; fail "fio's data did not survive the move"; }
check_pattern /dev/mapper/pfs-vm 60 16 16
"$PFSADM" list | grep -q '^vm ' && fail "vm is still listed in its old pool"
in_pool "$other" vm || fail "vm is not in $other: $("$PFSADM" --pool "$other" list)"
[ "$(image_uuid "$other")" = "$uuid" ] || fail "the image's UUID changed: $(image_uuid "$other")"
[ "$(PFS_POOL=$other image_field vm weight)" = 300 ] || fail "the image's QoS did not follow it"
dmsetup table pfs-vm | awk '{ print $4 }' | grep -qx "$other_mm" || fail "pfs-vm does not map $other: $(dmsetup table pfs-vm)"
[ "$(dmsetup table pfs-vm | wc -w)" -eq 6 ] || fail "pfs-vm's table still names two pools: $(dmsetup table pfs-vm)"
dmsetup status pfs-vm | grep -q copy_dest && fail "pfs-vm still copies after the move"
"$PFSADM" list --free | grep -q "32.0M to be zeroed" || fail "the extent left behind is not dirty free space: $("$PFSADM" list --free)"
pools_check "after a live move"

# Cut at each step going back, then the same command finishes the move.
# Writes made while cut short must be in the pool the image ends in.
seed=70
for point in pool-move-reserved pool-move-begun copy-progress pool-move-switched pool-move-reloaded \
	pool-move-done; do
	from=$other to=$POOL
	[ $((seed % 2)) -eq 1 ] && from=$POOL to=$other
	killed "$point" "$PFSADM" --pool "$from" move vm --to-pool "$to"
	# The image is in exactly one pool: an image of its own in one of
	# them, or still in its own while the other holds its incoming extent.
	n=0
	in_pool "$POOL" vm && n=$((n + 1))
	in_pool "$other" vm && n=$((n + 1))
	if [ "$n" -eq 0 ] && state_in "$from" | grep -q ',moving-to-pool:' &&
		[ "$(state_in "$to")" = incoming ]; then
		n=1
	fi
	[ "$n" -eq 1 ] || fail "cut at $point: vm is in $n pools ($from: $(state_in "$from"), $to: $(state_in "$to"))"
	write_pattern /dev/mapper/pfs-vm "$seed" 4
	# check names what a cut left for a command to finish.
	case $point in
	pool-move-reserved)
		expect_exit 4 "$PFSADM" --pool "$to" check "$to"
		grep -q "move: vm is an extent held for a move from pool $from that is not under way" \
			/tmp/expect_exit.out || fail "check of $to after a cut at $point: $(cat /tmp/expect_exit.out)"
		"$PFSADM" --pool "$from" check "$from" >/dev/null || fail "check of $from fails after a cut at $point" ;;
	pool-move-switched | pool-move-reloaded)
		expect_exit 4 "$PFSADM" --pool "$from" check "$from"
		grep -q "move: vm has moved to pool $to: pfsadm move vm --to-pool $to finishes that" \
			/tmp/expect_exit.out || fail "check of $from after a cut at $point: $(cat /tmp/expect_exit.out)"
		"$PFSADM" --pool "$to" check "$to" >/dev/null || fail "check of $to fails after a cut at $point" ;;
	*)
		pools_check "cut at $point" ;;
	esac
	# Switched, not reloaded: the device maps vm in $from and writes to $to;
	# the kernel counts its extent in $to live, so no line maps vm there.
	if [ "$point" = pool-move-switched ]; then
		to_mm=$(dev_majmin "$to")
		refused "Image is already active in another device" \
			"0 65536 pfs $to_mm vm $(PFS_POOL=$to image_field vm start_sector)"
	fi
	# Switched and reloaded, the image cannot be moved back before the end.
	[ "$point" = pool-move-reloaded ] &&
		unchanged_exit 5 "still holds vm from its move here" "$PFSADM" --pool "$to" move vm --to-pool "$from"
	# Cut after its last commit, the move is over: nothing is left to run.
	if "$PFSADM" --pool "$from" list | grep -q '^vm '; then
		"$PFSADM" --pool "$from" move vm --to-pool "$to" >/dev/null ||
			fail "the move cut at $point did not finish"
	fi
	in_pool "$to" vm || fail "cut at $point: vm did not reach $to"
	"$PFSADM" --pool "$from" list | grep -q '^vm ' && fail "cut at $point: vm is left in $from"
	check_pattern /dev/mapper/pfs-vm "$seed" 4
	check_pattern /dev/mapper/pfs-vm 60 16 16
	pools_check "after the move cut at $point finished"
	seed=$((seed + 1))
done
here=$POOL there=$other
in_pool "$POOL" vm || { here=$other there=$POOL; }

# A crash mid-copy: the device goes away with nobody committing; made
# again by activate (with both pools in its line), it copies from the
# table's point, and the move finishes.
killed copy-progress "$PFSADM" --pool "$here" move vm --to-pool "$there"
dmsetup remove pfs-vm
"$PFSADM" --pool "$here" list | awk '$1 == "vm" { print $3 }' | grep -Eq '^inactive,moving-to-pool:[0-9]+%$' ||
	fail "list does not show the move: $("$PFSADM" --pool "$here" list)"
"$PFSADM" --pool "$there" list | awk '$1 == "vm" { print $3 }' | grep -qx incoming ||
	fail "list does not show the incoming image: $("$PFSADM" --pool "$there" list)"
"$PFSADM" --pool "$here" activate vm
[ "$(dmsetup table pfs-vm | wc -w)" -eq 7 ] || fail "the moving image's table does not name both pools: $(dmsetup table pfs-vm)"
dmsetup status pfs-vm | grep -q "copy_kind=pool" || fail "the device is not moving: $(dmsetup status pfs-vm)"
write_pattern /dev/mapper/pfs-vm 80 4 4
# The copy is a tenant of both pools' arbiters: its reads charged here,
# its writes there.
for _ in $(seq 50); do
	st=$(dmsetup status pfs-vm)
	charged=$(echo "$st" | sed -n 's/.* copy_charged_ns=\([0-9]*\).*/\1/p')
	dest_charged=$(echo "$st" | sed -n 's/.* copy_dest_charged_ns=\([0-9]*\).*/\1/p')
	[ "${charged:-0}" -gt 0 ] && [ "${dest_charged:-0}" -gt 0 ] && break
	sleep 0.2
done
[ "${charged:-0}" -gt 0 ] && [ "${dest_charged:-0}" -gt 0 ] ||
	fail "the copy is not charged in both pools: $st"
# Its table lines: the other pool is required, and must be the right one.
here_mm=$(dev_majmin "$here")
there_mm=$(dev_majmin "$there")
start=$(PFS_POOL=$here image_field vm start_sector)
in_start=$(PFS_POOL=$there image_field vm start_sector)
dmsetup remove pfs-vm
refused "Image moves to another pool: name that pool's device" "0 65536 pfs $here_mm vm $start"
refused "Destination pool is the image's own pool" "0 65536 pfs $here_mm vm $start $here_mm"
refused "Image is being moved here from another pool" "0 65536 pfs $there_mm vm $in_start"
"$PFSADM" --pool "$here" activate vm
unchanged_exit 5 "moving to another pool" "$PFSADM" --pool "$here" move vm
unchanged_exit 5 "moving to another pool" "$PFSADM" --pool "$here" clone vm vm2
unchanged_exit 5 "moving between pools" "$PFSADM" --pool "$here" resize vm 64M
unchanged_exit 5 "moving between pools" "$PFSADM" --pool "$here" rename vm vm3
unchanged_exit 5 "being moved here" "$PFSADM" --pool "$there" remove vm
"$PFSADM" --pool "$here" move vm --to-pool "$there" >/dev/null || fail "the move after a crash did not finish"
check_pattern /dev/mapper/pfs-vm 80 4 4
check_pattern /dev/mapper/pfs-vm 60 16 16
pools_check "after a move resumed by activation"
tmp=$here here=$there there=$tmp

# Abort: a move under way is dropped, the image never left, the extent
# held for it is freed; once switched, abort is refused and move finishes.
rm -f /tmp/fio.done
fio_rounds vm /tmp/fio.done
fio_pid=$!
sleep 1
killed copy-progress "$PFSADM" --pool "$here" move vm --to-pool "$there"
"$PFSADM" --pool "$here" move --abort vm | grep -Eq "^vm is back at sector [0-9]+$" || fail "abort did not say so"
touch /tmp/fio.done
wait "$fio_pid" || { cat /tmp/fio-vm.log >&2; fail "fio saw a mismatch or an error through the abort"; }
"$PFSADM" --pool "$there" list | grep -q '^vm ' && fail "the aborted move left vm's extent in $there"
[ "$(dmsetup table pfs-vm | wc -w)" -eq 6 ] || fail "the aborted move's device still names two pools"
check_pattern /dev/mapper/pfs-vm 60 16 16
pools_check "after an abort"
killed pool-move-switched "$PFSADM" --pool "$here" move vm --to-pool "$there"
unchanged_exit 5 "has moved to pool" "$PFSADM" --pool "$here" move --abort vm
"$PFSADM" --pool "$here" move vm --to-pool "$there" >/dev/null || fail "the switched move did not finish"
tmp=$here here=$there there=$tmp

# An abort cut after its commit: the device still mirrors into the other
# pool until the same abort (now "not moving") reloads it; the extent
# left there is named by check and freed by remove.
killed copy-progress "$PFSADM" --pool "$here" move vm --to-pool "$there"
killed pool-abort-cleared "$PFSADM" --pool "$here" move --abort vm
"$PFSADM" --pool "$here" move --abort vm | grep -q "^vm is not moving" || fail "the second abort did not say so"
[ "$(dmsetup table pfs-vm | wc -w)" -eq 6 ] || fail "the abort cut short left the device copying: $(dmsetup table pfs-vm)"
expect_exit 4 "$PFSADM" --pool "$there" check "$there"
grep -q "not under way" /tmp/expect_exit.out || fail "check does not name the extent left: $(cat /tmp/expect_exit.out)"
"$PFSADM" --pool "$there" remove vm
pools_check "after an abort cut short"

# The other pool gone (its superblock hidden): abort refuses to guess
# whether it took the image, --force drops the move; back, the pool holds
# an extent nobody moves into, which remove frees.
killed copy-progress "$PFSADM" --pool "$here" move vm --to-pool "$there"
dd if="$there" of=/tmp/there.sb bs=4096 count=1 iflag=direct status=none
dd if=/dev/zero of="$there" bs=4096 count=1 oflag=direct conv=notrunc status=none
expect_exit 4 "$PFSADM" --pool "$here" move --abort vm
grep -q "is not present: attach it, or pfsadm move --abort --force vm" /tmp/expect_exit.out ||
	fail "abort without the other pool: $(cat /tmp/expect_exit.out)"
"$PFSADM" --pool "$here" move --abort --force vm >/dev/null || fail "abort --force failed"
dd if=/tmp/there.sb of="$there" bs=4096 count=1 oflag=direct conv=notrunc status=none
[ "$(dmsetup table pfs-vm | wc -w)" -eq 6 ] || fail "abort --force left the device copying"
check_pattern /dev/mapper/pfs-vm 60 16 16
expect_exit 4 "$PFSADM" --pool "$there" check "$there"
"$PFSADM" --pool "$there" remove vm
pools_check "after an abort without the other pool"

# An inactive image's move cut short: the extent held for it cannot be
# removed while its pool still moves it there; abort drops both.
"$PFSADM" --pool "$here" deactivate vm
killed pool-move-begun "$PFSADM" --pool "$here" move vm --to-pool "$there"
unchanged_exit 5 "is being moved here from pool $here" "$PFSADM" --pool "$there" remove vm
"$PFSADM" --pool "$here" move --abort vm >/dev/null || fail "abort of an inactive image's move failed"
"$PFSADM" --pool "$there" list | grep -q '^vm ' && fail "abort left vm's extent in $there"
[ -e /dev/mapper/pfs-vm ] && fail "abort activated an inactive image"
"$PFSADM" --pool "$here" activate vm
check_pattern /dev/mapper/pfs-vm 60 16 16
# An inactive image moves and stays inactive.
"$PFSADM" --pool "$here" deactivate vm
"$PFSADM" --pool "$here" move vm --to-pool "$there" >/dev/null
[ -e /dev/mapper/pfs-vm ] && fail "an inactive image was left active by its move"
"$PFSADM" --pool "$there" activate vm
check_pattern /dev/mapper/pfs-vm 60 16 16
pools_check "after an inactive move"
# ... also when the next run finishes a move cut short: after its switch,
# or midway through the copy.
"$PFSADM" --pool "$there" deactivate vm
killed pool-move-switched "$PFSADM" --pool "$there" move vm --to-pool "$here"
"$PFSADM" --pool "$there" move vm --to-pool "$here" >/dev/null || fail "the switched move of inactive vm did not finish"
[ -e /dev/mapper/pfs-vm ] && fail "inactive vm was left active by a move finished after its switch"
killed copy-progress "$PFSADM" --pool "$here" move vm --to-pool "$there"
"$PFSADM" --pool "$here" move --abort vm >/dev/null || fail "the move of inactive vm was not aborted"
[ -e /dev/mapper/pfs-vm ] && fail "inactive vm was left active by an abort of its move cut short"
"$PFSADM" --pool "$there" list | grep -q '^vm ' && fail "abort left vm's extent in $there"
killed copy-progress "$PFSADM" --pool "$here" move vm --to-pool "$there"
"$PFSADM" --pool "$here" move vm --to-pool "$there" >/dev/null || fail "the move of inactive vm did not resume"
[ -e /dev/mapper/pfs-vm ] && fail "inactive vm was left active by its resumed move"
"$PFSADM" --pool "$there" activate vm
check_pattern /dev/mapper/pfs-vm 60 16 16
pools_check "after inactive moves cut short"
tmp=$here here=$there there=$tmp

# The pool an image moves into, reformatted under it (its metadata back
# over a live image of the new pool there): the kernel never maps two
# pools on one device, the one an image moves into included.
killed copy-progress "$PFSADM" --pool "$here" move vm --to-pool "$there"
dmsetup remove pfs-vm
dd if="$there" of=/tmp/there.meta bs=1M count=2 iflag=direct status=none
"$PFSADM" format --force "$there" >/dev/null
"$PFSADM" --pool "$there" create y 16M >/dev/null
dd if=/tmp/there.meta of="$there" bs=1M count=2 oflag=direct conv=notrunc status=none
here_mm=$(dev_majmin "$here")
there_mm=$(dev_majmin "$there")
refused "Destination pool was reformatted while images are active" \
	"0 65536 pfs $here_mm vm $(PFS_POOL=$here image_field vm start_sector) $there_mm"
dmsetup remove pfs-y
# y zeroed the extent held for vm there: the move is dropped, not resumed.
"$PFSADM" --pool "$here" move --abort vm >/dev/null || fail "the move into the reformatted pool was not aborted"
"$PFSADM" --pool "$here" activate vm
check_pattern /dev/mapper/pfs-vm 60 16 16
pools_check "after a move into a reformatted pool"

# Bad input: one line, an exit code, nothing changed (in $POOL).
"$PFSADM" --pool "$here" move vm --to-pool "$POOL" >/dev/null 2>&1 || true
unchanged_exit 1 "in pool $POOL already" "$PFSADM" move vm --to-pool "$POOL"
unchanged_exit 1 "exclude each other" "$PFSADM" move vm --to 4096 --to-pool "$other"
unchanged_exit 4 "no image named nosuch" "$PFSADM" move nosuch --to-pool "$other"
unchanged_exit 4 "" "$PFSADM" move vm --to-pool /dev/nonexistent
# A name the other pool has (its device inactive: dm names are global).
"$PFSADM" --pool "$other" create twin 16M >/dev/null
"$PFSADM" --pool "$other" deactivate twin
"$PFSADM" create twin 16M >/dev/null
unchanged_exit 5 "has an image named twin already" "$PFSADM" move twin --to-pool "$other"
"$PFSADM" --pool "$other" remove twin
"$PFSADM" create big 2G >/dev/null
unchanged_exit 6 "no free extent" "$PFSADM" move big --to-pool "$other"
pools_check "at the end"
"$PFSADM" deactivate --all
"$PFSADM" --pool "$other" deactivate --all
