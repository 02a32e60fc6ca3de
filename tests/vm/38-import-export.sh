# pfsadm import and export with qemu-img: a qcow2 disk comes in as an
# image of its virtual size with its data (and zeros where it had none),
# and goes out again as qcow2 and raw that qemu-img compares equal to it;
# an inactive image is activated for the copy and left inactive; an open
# image and an existing file are refused without --force; a missing file,
# a file with a backing file, a taken name and a disk too large are refused
# with nothing made.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
rm -f /tmp/src.qcow2 /tmp/overlay.qcow2 /tmp/out.qcow2 /tmp/out.raw

qemu-img create -q -f qcow2 /tmp/src.qcow2 100M
qemu_io_ok -f qcow2 -c 'write -P 0x5a 0 1M' -c 'write -P 0x33 99M 1M' /tmp/src.qcow2 ||
	fail "cannot write the source qcow2"

"$PFSADM" import vm /tmp/src.qcow2 | grep -qx /dev/mapper/pfs-vm || fail "import did not print the device"
[ "$(blockdev --getsize64 /dev/mapper/pfs-vm)" -eq $((100 << 20)) ] || fail "the imported image is not 100M"
qemu_io_ok -f raw -c 'read -P 0x5a 0 1M' -c 'read -P 0 1M 98M' -c 'read -P 0x33 99M 1M' \
	/dev/mapper/pfs-vm || fail "the imported image does not hold the qcow2's disk"
qemu-img compare -q -f qcow2 -F raw /tmp/src.qcow2 /dev/mapper/pfs-vm || fail "qemu-img compare: import differs"

"$PFSADM" export --format qcow2 vm /tmp/out.qcow2
qemu-img compare -q /tmp/src.qcow2 /tmp/out.qcow2 || fail "the exported qcow2 differs"
[ "$(image_field vm state)" = active ] || fail "export changed an active image's state"
"$PFSADM" deactivate vm
"$PFSADM" export vm /tmp/out.raw
[ "$(stat -c %s /tmp/out.raw)" -eq $((100 << 20)) ] || fail "the raw export is not 100M"
qemu-img compare -q -f raw -F qcow2 /tmp/out.raw /tmp/src.qcow2 || fail "the exported raw file differs"
[ "$(image_field vm state)" = inactive ] || fail "export left an inactive image active"

# Refused without --force: an existing file, an open image.
unchanged_exit 5 "/tmp/out.raw exists" "$PFSADM" export vm /tmp/out.raw
"$PFSADM" activate vm >/dev/null
exec 3<>/dev/mapper/pfs-vm
unchanged_exit 5 "vm is open" "$PFSADM" export vm /tmp/open.raw
"$PFSADM" export --force vm /tmp/out.raw
exec 3<&-
qemu-img compare -q -f raw -F qcow2 /tmp/out.raw /tmp/src.qcow2 || fail "export --force differs"

# Bad imports make nothing.
unchanged_exit 1 "/tmp/nosuch.qcow2" "$PFSADM" import x /tmp/nosuch.qcow2
qemu-img create -q -f qcow2 -b /tmp/src.qcow2 -F qcow2 /tmp/overlay.qcow2
unchanged_exit 1 "has a backing file" "$PFSADM" import x /tmp/overlay.qcow2
unchanged_exit 5 "image vm already exists" "$PFSADM" import vm /tmp/src.qcow2
qemu-img create -q -f qcow2 /tmp/huge.qcow2 100T
unchanged_exit 6 "no free extent" "$PFSADM" import x /tmp/huge.qcow2
unchanged_exit 1 "bad/name" "$PFSADM" import bad/name /tmp/src.qcow2
[ "$("$PFSADM" list --names | tr '\n' ' ')" = "vm " ] || fail "a refused import left an image: $("$PFSADM" list --names)"
"$PFSADM" deactivate --all
rm -f /tmp/src.qcow2 /tmp/overlay.qcow2 /tmp/out.qcow2 /tmp/out.raw /tmp/open.raw /tmp/huge.qcow2
