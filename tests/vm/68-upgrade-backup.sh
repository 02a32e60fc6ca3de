# Format version 1 pools, and the backup superblock. A version 1 pool (made
# here from a current one by hand: no free-space records, version 1 in
# the superblock) is read and mapped as before; every command that would
# change it refuses by name until 'pfsadm upgrade', which converts it in
# place, survives a kill between its steps, and records all free space
# dirty (version 1 never said which free space held a former image's
# data). Every commit is archived, and an archived generation restores. A
# superblock overwritten on sector 0 is read through its backup by
# check, and check --repair brings it back; a damaged backup is rewritten.
. ./lib.sh
export PFS_POOL=$POOL

to_v1() {	# [DATA_START]: the pool as format version 1 left it
	python3 pfs_meta.py "$POOL" table 't[40:4096] = bytes(4056)'
	python3 pfs_meta.py "$POOL" sb "sb[8:12] = struct.pack('<I', 1)
${1:+sb[48:56] = struct.pack('<Q', $1)}"
}

sb_field() {	# FIELD (from pfsadm dump)
	"$PFSADM" dump "$POOL" | sed -n "s/^    \"$1\": *\([0-9]*\),*$/\1/p"
}

fresh_pool
"$PFSADM" create a 4M >/dev/null
write_pattern /dev/mapper/pfs-a 68 4
"$PFSADM" create b 4M >/dev/null
write_pattern /dev/mapper/pfs-b 69 4
b_start=$(image_field b start_sector)
"$PFSADM" remove --no-wipe b
"$PFSADM" deactivate a
to_v1
[ "$(sb_field version)" = 1 ] || fail "the pool is not version 1"

# Read and mapped as before; every change refused, naming upgrade.
"$PFSADM" list >/dev/null
"$PFSADM" check "$POOL" | grep -q "format version 1 (no backup" || fail "check does not say version 1"
"$PFSADM" activate a
check_pattern /dev/mapper/pfs-a 68 4
for cmd in "create x 4M" "remove a" "resize a 8M" "set a --weight 5"; do
	# shellcheck disable=SC2086
	expect_exit 4 "$PFSADM" $cmd
	grep -q "format version 1; run 'pfsadm upgrade'" /tmp/expect_exit.out ||
		fail "$cmd on a version 1 pool: $(cat /tmp/expect_exit.out)"
done
"$PFSADM" deactivate a

# Killed after its table commit: still version 1, and it loads; run again, done.
rc=0
PFS_TEST_CRASH_AT=upgrade-table "$PFSADM" upgrade >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 137 ] || fail "upgrade did not die at upgrade-table (exit $rc)"
[ "$(sb_field version)" = 1 ] || fail "a killed upgrade changed the superblock"
"$PFSADM" activate a
check_pattern /dev/mapper/pfs-a 68 4
"$PFSADM" upgrade | grep -q "upgraded from format version 1 to $FORMAT_VERSION" || fail "upgrade did not say what it did"
[ "$(sb_field version)" = "$FORMAT_VERSION" ] || fail "upgrade left version $(sb_field version)"
"$PFSADM" upgrade | grep -q "already at format version $FORMAT_VERSION" || fail "a second upgrade did not say it had nothing to do"
"$PFSADM" check "$POOL" | grep -q "format version $FORMAT_VERSION, backup matches" || fail "no backup after upgrade"
check_pattern /dev/mapper/pfs-a 68 4
# b's space held b's data when version 1 was in charge: a new image there reads zero.
"$PFSADM" create c 4M >/dev/null
[ "$(image_field c start_sector)" = "$b_start" ] || fail "best fit did not reuse b's space"
cmp -n $((4 << 20)) /dev/zero <(dd if=/dev/mapper/pfs-c bs=1M iflag=direct status=none) ||
	fail "an image in space freed under version 1 shows the former tenant's data"

# Sector 0 overwritten (as fdisk writing an MBR on the wrong disk would).
"$PFSADM" deactivate --all
dd if=/dev/urandom of="$POOL" bs=512 count=1 conv=notrunc oflag=direct status=none
expect_exit 4 "$PFSADM" activate a
expect_exit 4 "$PFSADM" check "$POOL"
grep -q "the backup stands in" /tmp/expect_exit.out || fail "check did not fall back to the backup: $(cat /tmp/expect_exit.out)"
"$PFSADM" check --repair "$POOL" | grep -q "repaired the primary superblock" || fail "check --repair did not restore the superblock"
"$PFSADM" check "$POOL" >/dev/null
"$PFSADM" activate a
check_pattern /dev/mapper/pfs-a 68 4
"$PFSADM" deactivate --all
# A damaged backup is reported and rewritten from the superblock.
printf 'X' | dd of="$POOL" bs=1 seek=$((1048 * 512 + 100)) conv=notrunc status=none
expect_exit 4 "$PFSADM" check "$POOL"
grep -q "backup superblock is damaged" /tmp/expect_exit.out || fail "check missed a damaged backup: $(cat /tmp/expect_exit.out)"
"$PFSADM" check --repair "$POOL" | grep -q "repaired the backup superblock" || fail "check --repair did not rewrite the backup"
"$PFSADM" check "$POOL" >/dev/null

# Every commit is archived: an image removed by mistake (--no-wipe, so its
# data is still there) comes back from the generation before the remove.
"$PFSADM" activate c
write_pattern /dev/mapper/pfs-c 70 4
uuid=$("$PFSADM" dump "$POOL" | sed -n 's/^    "pool_uuid": *"\([^"]*\)",*$/\1/p')
gen=$("$PFSADM" dump "$POOL" | sed -n 's/^  "generation": *\([0-9]*\),*$/\1/p')
[ -f "/etc/pfs/archive/$uuid/$gen.json" ] || fail "generation $gen is not in /etc/pfs/archive/$uuid"
"$PFSADM" deactivate --all
"$PFSADM" remove --no-wipe c
"$PFSADM" show c >/dev/null 2>&1 && fail "c was not removed"
"$PFSADM" restore "$POOL" "/etc/pfs/archive/$uuid/$gen.json" >/dev/null
"$PFSADM" activate c
check_pattern /dev/mapper/pfs-c 70 4
"$PFSADM" deactivate --all

# A version 1 pool aligned to 4 KiB has data from sector 1048, where version
# 2 keeps its backup: upgrade refuses while an image starts there, then
# moves the data area up by one unit.
fresh_pool --align 4K
"$PFSADM" create a 4M >/dev/null
"$PFSADM" deactivate a
[ "$(image_field a start_sector)" = 1056 ] || fail "a 4K pool does not start its data at 1056"
to_v1 1048
python3 pfs_meta.py "$POOL" table 'entries(t)["a"].start = 1048'
expect_exit 5 "$PFSADM" upgrade
grep -q "image a lies where format 2 keeps its backup superblock" /tmp/expect_exit.out ||
	fail "upgrade did not name the image in the way: $(cat /tmp/expect_exit.out)"
[ "$(sb_field version)" = 1 ] || fail "a refused upgrade changed the pool"
python3 pfs_meta.py "$POOL" table 'entries(t)["a"].start = 1056'
"$PFSADM" upgrade >/dev/null
[ "$(sb_field data_start)" = 1056 ] || fail "upgrade did not move the data area past the backup"
"$PFSADM" check "$POOL" >/dev/null
echo "version 1: read, mapped, changes refused by name, upgrade kill-safe; backup superblock restores sector 0"
