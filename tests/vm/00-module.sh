# The module is loaded, registers the pfs target, and is pinned while used;
# a create whose dm step fails is rolled back.
. ./lib.sh
dmsetup targets | grep -q '^pfs ' || fail "dmsetup targets does not list pfs"
fresh_pool
"$PFSADM" create pin 16M >/dev/null
if rmmod dm_pfs 2>/dev/null; then
	fail "dm_pfs unloaded while a pfs device is active"
fi
"$PFSADM" deactivate pin
rmmod dm_pfs || fail "dm_pfs does not unload once unused"

# Without the target the dm step of create fails: the entry is rolled back.
expect_exit 4 "$PFSADM" create orphan 16M
grep -q 'cannot create /dev/mapper/pfs-orphan' /tmp/expect_exit.out || fail "no dm error"
"$PFSADM" list >/tmp/list.out || fail "list failed after a rolled-back create"
grep -q orphan /tmp/list.out && fail "failed create left its entry"
dmsetup info pfs-orphan >/dev/null 2>&1 && fail "failed create left a device"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after a rolled-back create"
insmod "$PFS_PROJECT/build/$(uname -r)/dm-pfs/dm-pfs.ko" || fail "reload of dm_pfs failed"
