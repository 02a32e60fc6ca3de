# pfsadm clone and pfsadm move --abort, live.
# Clone: fio with crc32c verification runs on the source through the copy
# (writes behind the boundary go to both extents); when the source stops
# changing, the clone equals it byte for byte, and it is an image of its
# own after. A clone being made cannot be mapped (the kernel refuses its
# table line), is listed as such, and removing it abandons it. Abort: what
# the destination holds goes back (fio verifying throughout), the image
# stays where it was, the destination is free and dirty; killed midway,
# the same command finishes it.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
pool=$(pool_majmin)
# A failing check must not leave fio holding a device.
trap 'touch /tmp/fio.done; kill $(jobs -p) 2>/dev/null || true; pkill -x fio || true; wait || true' EXIT

"$PFSADM" create src 32M --weight 300 >/dev/null
write_pattern /dev/mapper/pfs-src 50 16 16	# past fio's range

# A clone whose copy runs with nobody committing (pfsadm killed after the
# first commit) while fio writes; then the same command finishes it.
rm -f /tmp/fio.done
fio_rounds src /tmp/fio.done
fio_pid=$!
sleep 1
killed copy-progress "$PFSADM" clone src dst
dmsetup status pfs-src | grep -q "copy_kind=clone" || fail "the source is not cloning: $(dmsetup status pfs-src)"
"$PFSADM" list | awk '$1 == "src" { print $3 }' | grep -Eq '^(active|open),cloning:[0-9]+%$' ||
	fail "list does not show the clone: $("$PFSADM" list)"
"$PFSADM" list | awk '$1 == "dst" { print $3 }' | grep -qx 'inactive,clone-being-made' ||
	fail "list does not show the clone being made: $("$PFSADM" list)"
dst_start=$(image_field dst start_sector)
refused "Image is a clone still being copied" "0 65536 pfs $pool dst $dst_start"
unchanged_exit 5 "clone still being copied" "$PFSADM" activate dst
unchanged_exit 5 "is being cloned" "$PFSADM" move src
unchanged_exit 5 "is being cloned" "$PFSADM" resize src 128M
unchanged_exit 5 "being cloned into dst already" "$PFSADM" clone src other
"$PFSADM" check "$POOL" >/dev/null || fail "check fails on a pool with a clone under way"
touch /tmp/fio.done
wait "$fio_pid" || { cat /tmp/fio-src.log >&2; fail "fio saw a mismatch or an error through the clone"; }
"$PFSADM" clone src dst | grep -qx /dev/mapper/pfs-dst || fail "clone did not name the new device"
cmp /dev/mapper/pfs-src /dev/mapper/pfs-dst || fail "the clone differs from its source"
dmsetup status pfs-src | grep -q copy_dest && fail "the source still copies after the clone"
[ "$(image_field dst weight)" = 300 ] || fail "the clone did not get the source's QoS"
[ "$(image_field dst uuid)" != "$(image_field src uuid)" ] || fail "the clone has the source's UUID"
# Its own image now: writes to one do not reach the other.
write_pattern /dev/mapper/pfs-dst 51 16
check_pattern /dev/mapper/pfs-src 50 16 16
check_pattern /dev/mapper/pfs-dst 51 16
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after a clone"

# A live clone, start to end in one command, fio verifying the source;
# the part fio does not touch is on the clone.
rm -f /tmp/fio.done
fio_rounds src /tmp/fio.done
fio_pid=$!
sleep 1
"$PFSADM" clone src live | grep -qx /dev/mapper/pfs-live || fail "the live clone failed"
touch /tmp/fio.done
wait "$fio_pid" || { cat /tmp/fio-src.log >&2; fail "fio saw a mismatch or an error through the live clone"; }
check_pattern /dev/mapper/pfs-live 50 16 16

# Bad clones: one line, an exit code, nothing changed.
unchanged_exit 4 "no image named nosuch" "$PFSADM" clone nosuch x
unchanged_exit 5 "already exists" "$PFSADM" clone src dst
unchanged_exit 1 "usage" "$PFSADM" clone src
"$PFSADM" create big 40G >/dev/null
unchanged_exit 6 "no free extent" "$PFSADM" clone big big2
"$PFSADM" remove -y --no-wipe big

# Abandoned: removing a clone being made ends the source's copy.
killed copy-progress "$PFSADM" clone src gone
gone_start=$(image_field gone start_sector)
"$PFSADM" remove -y gone
dmsetup status pfs-src | grep -q copy_dest && fail "the source still copies into an abandoned clone"
"$PFSADM" list --free | awk -v s="$gone_start" '$1 == s { print $4 }' | grep -qv '^0B$' ||
	fail "the abandoned clone's extent is not free and dirty: $("$PFSADM" list --free)"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after an abandoned clone"
check_pattern /dev/mapper/pfs-src 50 16 16

# Abort: a move cut short, the kernel copying ahead of the table, new data
# on both sides of the boundary; the abort brings it all home.
"$PFSADM" create m 32M >/dev/null
write_pattern /dev/mapper/pfs-m 60 8
write_pattern /dev/mapper/pfs-m 62 24 8
m_start=$(image_field m start_sector)
killed copy-progress "$PFSADM" move m
write_pattern /dev/mapper/pfs-m 61 8
unchanged_exit 1 "exclude each other" "$PFSADM" move m --abort --to 4096
"$PFSADM" move --abort m | grep -qx "m is back at sector $m_start" || fail "the abort did not say where m is"
dmsetup table pfs-m | grep -q " m $m_start$" || fail "m's device does not map its old extent: $(dmsetup table pfs-m)"
dmsetup status pfs-m | grep -q copy_dest && fail "m still copies after the abort"
check_pattern /dev/mapper/pfs-m 61 8
check_pattern /dev/mapper/pfs-m 62 24 8
"$PFSADM" move --abort m | grep -qx "m is not moving (at sector $m_start)" || fail "a second abort did not say m is not moving"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after an abort"

# Abort under fio, while pfsadm move follows the copy: the move stops
# (exit 5), the abort finishes, fio sees its own data throughout.
"$PFSADM" create m2 256M >/dev/null
m2_start=$(image_field m2 start_sector)
rm -f /tmp/fio.done
fio_rounds m2 /tmp/fio.done
fio_pid=$!
sleep 1
"$PFSADM" move m2 >/tmp/move.out 2>&1 &
move_pid=$!
for _ in $(seq 100); do
	dmsetup status pfs-m2 2>/dev/null | grep -q ' copy_done=[1-9]' && break
	sleep 0.1
done
"$PFSADM" move --abort m2 | grep -qx "m2 is back at sector $m2_start" || fail "the abort under fio failed"
rc=0
wait "$move_pid" || rc=$?
[ "$rc" -eq 5 ] && grep -q "the move of m2 was aborted" /tmp/move.out ||
	fail "the move being aborted ended with $rc: $(cat /tmp/move.out)"
touch /tmp/fio.done
wait "$fio_pid" || { cat /tmp/fio-m2.log >&2; fail "fio saw a mismatch or an error through the abort"; }
dmsetup table pfs-m2 | grep -q " m2 $m2_start$" || fail "m2's device does not map its old extent"

# Killed while going back: moving back is listed, move refuses, the same
# abort finishes; inactive, the image is activated for it and not after.
killed move-begun "$PFSADM" move m
killed abort-begun "$PFSADM" move --abort m
"$PFSADM" list | awk '$1 == "m" { print $3 }' | grep -q '^active,moving-back:[0-9]*%$' ||
	fail "list does not show the move going back: $("$PFSADM" list)"
unchanged_exit 5 "being undone" "$PFSADM" move m
"$PFSADM" deactivate m
"$PFSADM" move --abort m | grep -qx "m is back at sector $m_start" || fail "the resumed abort failed"
[ "$(image_field m state)" = inactive ] || fail "an inactive image was left $(image_field m state)"
"$PFSADM" activate m >/dev/null
check_pattern /dev/mapper/pfs-m 61 8
check_pattern /dev/mapper/pfs-m 62 24 8
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after the resumed abort"
"$PFSADM" deactivate --all
