# Second boot on the same disk file: nothing is active until the boot unit's
# command runs; then every image is back with its data.
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh
. "$PFS_PROJECT/tests/boot/install.sh"
[ ! -e /dev/mapper/pfs-a ] || fail "pfs-a exists before activation"
activate=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/pfs-activate.service)
[ "$activate" = "/usr/sbin/pfsadm activate --all" ] || fail "unexpected ExecStart: $activate"
$activate >/dev/null
udevadm settle
check_pattern /dev/pfs/a 11 64
check_pattern /dev/pfs/b 12 32
"$PFSADM" --pool /dev/vda check /dev/vda >/dev/null
