# Second boot on the same disk file, as a host boots (scripts/vm --systemd).
# Before systemd starts, install as the README says: make install, the
# module where DKMS puts it, systemctl enable pfs-activate.service. Then
# systemd itself must load dm-pfs from modules-load.d and run the unit
# before sysinit.target; this script runs again after it and checks that
# every image is back with its data, and that the order was kept.
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh

# A unit property, as a number.
prop() {	# UNIT PROPERTY
	systemctl show -P "$2" "$1"
}

case ${PFS_BOOT_PHASE:-} in
before-systemd)
	. "$PFS_PROJECT/tests/boot/install.sh"
	install -D -m 0644 "$PFS_PROJECT/build/$PFS_KVER/dm-pfs/dm-pfs.ko" \
		"/lib/modules/$PFS_KVER/updates/dm-pfs.ko"
	depmod -a "$PFS_KVER"
	systemctl enable pfs-activate.service 2>/dev/null
	[ -L /etc/systemd/system/sysinit.target.wants/pfs-activate.service ] ||
		fail "systemctl enable did not hook the unit into sysinit.target"
	[ ! -d /sys/module/dm_pfs ] || fail "dm_pfs loaded before systemd started"
	# A probe before the unit's own fallback modprobe records whether
	# modules-load.d had already loaded the module when the unit started.
	mkdir -p /run/systemd/system/pfs-activate.service.d
	cat >/run/systemd/system/pfs-activate.service.d/boot-test.conf <<-'CONF'
	[Service]
	ExecStartPre=
	ExecStartPre=/bin/sh -c 'if test -d /sys/module/dm_pfs; then touch /run/pfs-boot-test.preloaded; fi'
	ExecStartPre=-/sbin/modprobe dm-pfs
	CONF
	grep -qx 'ExecStartPre=-/sbin/modprobe dm-pfs' /lib/systemd/system/pfs-activate.service ||
		fail "the unit's fallback changed; update the probe above"
	;;
under-systemd)
	PFSADM=/usr/sbin/pfsadm
	[ "$(prop pfs-activate.service ActiveState)" = active ] ||
		fail "pfs-activate.service is $(prop pfs-activate.service ActiveState): $(systemctl status pfs-activate.service 2>&1)"
	[ "$(prop pfs-activate.service ExecMainStatus)" = 0 ] || fail "pfsadm activate --all failed"
	# modules-load.d loaded the module, not the unit's fallback modprobe.
	[ -e /run/pfs-boot-test.preloaded ] ||
		fail "dm_pfs was not loaded when pfs-activate started: modules-load.d did not load it"
	# The order the unit promises: modules, then activation, then sysinit.target.
	loaded=$(prop systemd-modules-load.service ActiveEnterTimestampMonotonic)
	started=$(prop pfs-activate.service InactiveExitTimestampMonotonic)
	done_at=$(prop pfs-activate.service ActiveEnterTimestampMonotonic)
	sysinit=$(prop sysinit.target ActiveEnterTimestampMonotonic)
	[ "$loaded" -gt 0 ] && [ "$loaded" -le "$started" ] ||
		fail "pfs-activate started ($started) before modules were loaded ($loaded)"
	[ "$done_at" -le "$sysinit" ] ||
		fail "sysinit.target ($sysinit) was reached before pfs-activate finished ($done_at)"
	udevadm settle
	check_pattern /dev/pfs/a 11 64
	check_pattern /dev/pfs/b 12 32
	"$PFSADM" --pool /dev/vda check /dev/vda >/dev/null
	echo "report: boot: modules-load at ${loaded}us, pfs-activate ${started}..${done_at}us, sysinit.target at ${sysinit}us"
	;;
*)
	fail "run me with scripts/vm --systemd (PFS_BOOT_PHASE is '${PFS_BOOT_PHASE:-}')"
	;;
esac
