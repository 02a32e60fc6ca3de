# pfsadm grow-pool after the device under the pool grew (a linear map
# reloaded larger stands in for an extended LUN, 64 MiB to 128 MiB): the new space is free,
# zeroed before the superblock takes it in (what a former user left there
# never reaches an image), live images keep their data; killed before the
# superblock write it leaves the old pool, and running it again finishes.
. ./lib.sh
old=$((64 << 11))	# sectors
new=$((128 << 11))
# What a former user of the device left past the pool's end.
write_pattern "$POOL" 38 64 64
dmsetup create gp --table "0 $old linear $POOL 0"
GP=/dev/mapper/gp
export PFS_POOL=$GP
"$PFSADM" format --force "$GP" >/dev/null
"$PFSADM" create a 32M >/dev/null
write_pattern /dev/mapper/pfs-a 39 32

"$PFSADM" grow-pool | grep -q 'already spans its device' || fail "grow-pool did something on an unchanged device"
# A device that shrank under the pool is not a pool any more: refused, named.
dmsetup suspend gp
dmsetup reload gp --table "0 $((old - 2048)) linear $POOL 0"
dmsetup resume gp
expect_exit 4 "$PFSADM" grow-pool
grep -q "smaller than its superblock says" /tmp/expect_exit.out || fail "a shrunk device: $(cat /tmp/expect_exit.out)"
dmsetup suspend gp
dmsetup reload gp --table "0 $new linear $POOL 0"
dmsetup resume gp
"$PFSADM" check "$GP" | grep -q '^device: 64.0M larger than the pool' || fail "check does not see the grown device"

# Killed after zeroing, before the superblock: the old pool, whole.
killed grow-pool-zeroed "$PFSADM" grow-pool
"$PFSADM" pools --json | grep -q "\"data_bytes\": *$(((old - 2048) * 512))" ||
	fail "the killed grow-pool changed the pool's size: $("$PFSADM" pools)"
"$PFSADM" check "$GP" >/dev/null || fail "check fails after a killed grow-pool"

# Live: a is open and keeps its data; the new space is free and clean.
write_pattern "$POOL" 38 64 64
exec 3<>/dev/mapper/pfs-a
"$PFSADM" grow-pool | grep -q 'pool grown from 64.0M to 128.0M' || fail "grow-pool did not grow"
exec 3<&-
"$PFSADM" pools --json | grep -q "\"data_bytes\": *$(((new - 2048) * 512))" || fail "pools: $("$PFSADM" pools)"
"$PFSADM" check "$GP" >/dev/null || fail "check fails after grow-pool"
"$PFSADM" create b 60M >/dev/null
cmp -n $((60 << 20)) /dev/zero /dev/mapper/pfs-b || fail "the grown space holds what was there before"
check_pattern /dev/mapper/pfs-a 39 32
"$PFSADM" deactivate --all
"$PFSADM" activate --all >/dev/null
check_pattern /dev/mapper/pfs-a 39 32
"$PFSADM" deactivate --all
dmsetup remove gp
