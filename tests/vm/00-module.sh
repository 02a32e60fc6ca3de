# The module is loaded, registers the pfs target, and is pinned while used.
. ./lib.sh
dmsetup targets | grep -q '^pfs ' || fail "dmsetup targets does not list pfs"
fresh_pool
"$PFSADM" create pin 16M >/dev/null
if rmmod dm_pfs 2>/dev/null; then
	fail "dm_pfs unloaded while a pfs device is active"
fi
"$PFSADM" deactivate pin
rmmod dm_pfs || fail "dm_pfs does not unload once unused"
insmod "$PFS_PROJECT/build/$(uname -r)/dm-pfs/dm-pfs.ko" || fail "reload of dm_pfs failed"
