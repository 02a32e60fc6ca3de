# pfsadm move, live: fio with crc32c verification runs on the image
# through the whole move (reads and writes before, under and past the copy
# cursor) with no mismatch; the image ends on its new extent, the old one
# is free and dirty, the data outside fio's range is intact. An inactive
# image moves too and stays inactive, also when a run cut short is
# finished by another (or the move aborted), unless a user activated it
# meanwhile. Bad moves change nothing. Killed
# after a progress commit, and with the device removed and made again,
# the move resumes; killed after its switch commit, check names it and the
# same move finishes it.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool

"$PFSADM" create a 64M >/dev/null
"$PFSADM" create b 16M >/dev/null
write_pattern /dev/mapper/pfs-a 39 16 48	# past fio's range
write_pattern /dev/mapper/pfs-b 40 16
a_start=$(image_field a start_sector)

fio_verify() {	# IMAGE LOG: random writes with verification, 48 MiB
	fio --name="$1" --filename="/dev/mapper/pfs-$1" --ioengine=libaio --direct=1 \
		--rw=randwrite --bs=4k --bsrange=4k-64k --iodepth=16 --size=48M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --verify_backlog=64 \
		--output="$2" >/dev/null
}
fio_verify a /tmp/fio-move.log &
fio_pid=$!
sleep 2
"$PFSADM" move a | grep -q "^a is at sector " || fail "move did not say where a went"
wait "$fio_pid" || { cat /tmp/fio-move.log >&2; fail "fio saw a mismatch or an error through the move"; }
grep -q "err= 0" /tmp/fio-move.log || fail "fio: $(grep err= /tmp/fio-move.log)"
new_start=$(image_field a start_sector)
[ "$new_start" != "$a_start" ] || fail "a did not move"
dmsetup table pfs-a | grep -q " a $new_start$" || fail "the table line is not a's new extent: $(dmsetup table pfs-a)"
dmsetup status pfs-a | grep -q copy_dest && fail "a still copies after the move"
check_pattern /dev/mapper/pfs-a 39 16 48
"$PFSADM" list --free | awk -v s="$a_start" '$1 == s { print $4 }' | grep -qv '^0B$' ||
	fail "a's old extent is not free and dirty: $("$PFSADM" list --free)"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after a move"

# Inactive: activated for the copy, inactive after, data there.
"$PFSADM" deactivate b
b_start=$(image_field b start_sector)
"$PFSADM" move b --to "$a_start" | grep -qx "b is at sector $a_start" || fail "move --to did not go there"
[ "$(image_field b state)" = inactive ] || fail "an inactive image was left $(image_field b state)"
"$PFSADM" activate b >/dev/null
check_pattern /dev/mapper/pfs-b 40 16

# Bad moves: one line, an exit code, nothing changed.
unchanged_exit 4 "no image named nosuch" "$PFSADM" move nosuch
unchanged_exit 1 "invalid --to" "$PFSADM" move a --to 0
unchanged_exit 1 "invalid --to" "$PFSADM" move a --to 12x
unchanged_exit 1 "not aligned" "$PFSADM" move a --to $((b_start + 1))
unchanged_exit 6 "are not free" "$PFSADM" move a --to "$a_start"
unchanged_exit 6 "are not free" "$PFSADM" move a --to "$new_start"

# Killed after a progress commit: the table says moving; what cannot
# change a moving image is refused; the device is removed (the copy stops
# midway) and made again, and the same move finishes from the table.
write_pattern /dev/mapper/pfs-a 41 64
killed copy-progress "$PFSADM" move a
dmsetup status pfs-a | grep -q "copy_dest=" || fail "the killed move left no copy running"
"$PFSADM" list | awk '$1 == "a" { print $3 }' | grep -q '^active,moving:[0-9]*%$' ||
	fail "list does not show the move: $("$PFSADM" list)"
"$PFSADM" dump | python3 -c 'import json, sys; i = [i for i in json.load(sys.stdin)["images"] if i["name"] == "a"][0]; assert i["moving"] and i["copy_dest_sector"] > 0, i' ||
	fail "dump does not hold the move"
unchanged_exit 5 "is moving" "$PFSADM" remove -y a
unchanged_exit 5 "is moving" "$PFSADM" resize a 128M
"$PFSADM" check "$POOL" >/dev/null || fail "check fails on a pool with a move under way"
"$PFSADM" deactivate a
"$PFSADM" activate a >/dev/null
check_pattern /dev/mapper/pfs-a 41 64
"$PFSADM" move a >/dev/null || fail "the move did not resume"
check_pattern /dev/mapper/pfs-a 41 64

# Nothing committed: killed right after the move began, the device then
# reloaded by hand, so the kernel copies all of it while nobody commits.
# Writes behind its cursor must reach the source too: the device made
# again copies from the table's point (the start), and must not bring old
# data back over them.
killed move-begun "$PFSADM" move a
dmsetup reload pfs-a --table "$(dmsetup table pfs-a)"
dmsetup suspend pfs-a
dmsetup resume pfs-a
copied() { dmsetup status pfs-a | sed -n 's/.* copy_done=\([0-9]*\) .*/\1/p'; }
for _ in $(seq 300); do [ "$(copied)" = "$(image_field a sectors)" ] && break; sleep 0.2; done
[ "$(copied)" = "$(image_field a sectors)" ] || fail "the copy did not finish on its own: $(dmsetup status pfs-a)"
dmsetup status pfs-a | grep -q "copy_committed=0 " || fail "something committed: $(dmsetup status pfs-a)"
write_pattern /dev/mapper/pfs-a 42 64
"$PFSADM" deactivate a
"$PFSADM" activate a >/dev/null
check_pattern /dev/mapper/pfs-a 42 64
"$PFSADM" move a >/dev/null || fail "the move did not finish"
check_pattern /dev/mapper/pfs-a 42 64

# Killed after the switch commit: the device still names the old extent.
killed move-switched "$PFSADM" move a
expect_exit 4 "$PFSADM" check "$POOL"
grep -q "has moved a to sector .* (pfsadm refresh a)" /tmp/expect_exit.out ||
	fail "check did not name the unfinished switch: $(cat /tmp/expect_exit.out)"
check_pattern /dev/mapper/pfs-a 42 64
"$PFSADM" move a >/dev/null || fail "the move did not finish the switch"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after the finished switch"
dmsetup table pfs-a | grep -q " a $(image_field a start_sector)$" || fail "the table line is stale"

"$PFSADM" deactivate --all
"$PFSADM" activate --all >/dev/null
check_pattern /dev/mapper/pfs-a 42 64
check_pattern /dev/mapper/pfs-b 40 16
"$PFSADM" deactivate --all

# An inactive image's move cut short and finished by the next run (or
# aborted): the device made for the copy goes at the end, whichever run
# ends it; once a user activates or opens the image meanwhile, it stays.
"$PFSADM" create c 64M >/dev/null
write_pattern /dev/mapper/pfs-c 43 64
"$PFSADM" deactivate c
state_is() {	# STATE WHAT
	[ "$(image_field c state)" = "$1" ] || fail "$2 left c $(image_field c state)"
}
c_mark=/run/pfs/copy-made/$("$PFSADM" show c | awk '$1 == "uuid" { print $2 }' | tr -d -)
killed copy-progress "$PFSADM" move c
state_is active "a move of inactive c killed midway"
[ -e "$c_mark" ] || fail "no $c_mark for the device made for c's copy"
"$PFSADM" move c >/dev/null || fail "the move of inactive c did not resume"
state_is inactive "the resumed move of inactive c"
killed move-switched "$PFSADM" move c
"$PFSADM" move c >/dev/null || fail "the move of inactive c did not finish its switch"
state_is inactive "the move of inactive c finished after its switch"
killed copy-progress "$PFSADM" move c
"$PFSADM" move --abort c >/dev/null || fail "the move of inactive c was not aborted"
state_is inactive "the aborted move of inactive c"
killed copy-progress "$PFSADM" move c
killed abort-done "$PFSADM" move --abort c
"$PFSADM" move --abort c | grep -q "^c is not moving" || fail "the abort cut short was not finished"
state_is inactive "an abort of inactive c's move finished by the next abort"
# Opened meanwhile (a VM started on it): the user's, kept.
killed copy-progress "$PFSADM" move c
exec 3</dev/mapper/pfs-c
"$PFSADM" move c 2>/tmp/move-open.err >/dev/null || fail "the move of c, opened midway, failed: $(cat /tmp/move-open.err)"
exec 3<&-
grep -q "^pfsadm: c was activated for its copy and is open now: left active$" /tmp/move-open.err ||
	fail "the move did not say it left c open: $(cat /tmp/move-open.err)"
state_is active "the move of c, opened midway,"
"$PFSADM" deactivate c
killed copy-progress "$PFSADM" move c
"$PFSADM" activate c >/dev/null
"$PFSADM" move c >/dev/null || fail "the move of c did not resume"
state_is active "a move of c, activated by the user while it moved,"
[ -e "$c_mark" ] && fail "c's device, the user's now, is still marked as made for a copy"
check_pattern /dev/mapper/pfs-c 43 64
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after c's moves"
"$PFSADM" deactivate --all
