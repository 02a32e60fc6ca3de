# Second boot on the same disk file, as a host boots (scripts/vm --systemd).
# Before systemd starts, install as the README says: make install, the
# module where DKMS puts it, systemctl enable pfs-activate.service (and,
# for the shared pool, sanlock, pfs-lockd and pfs-activate-shared). Then
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
	# The shared pool's host, set up as operations.md says (Debian's sanlock
	# package enables sanlock.service itself). Before anything makes
	# /run/systemd/system, or systemctl looks for a running systemd.
	. "$PFS_PROJECT/tests/boot/shared-host.sh"
	systemctl enable pfs-lockd.service pfs-activate-shared.service 2>/tmp/enable.log ||
		{ cat /tmp/enable.log; fail "systemctl enable of the shared units failed"; }
	[ -L /etc/systemd/system/multi-user.target.wants/pfs-activate-shared.service ] ||
		fail "systemctl enable did not hook pfs-activate-shared into multi-user.target"
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
	# This boot's target is the test's, not multi-user.target: it waits for
	# the shared unit as multi-user.target would.
	mkdir -p /run/systemd/system/pfs-test.service.d
	cat >/run/systemd/system/pfs-test.service.d/shared.conf <<-'CONF'
	[Unit]
	Wants=pfs-activate-shared.service
	After=pfs-activate-shared.service
	CONF
	;;
under-systemd)
	PFSADM=/usr/sbin/pfsadm
	# However this ends, leave the shared pool's lockspace: sanlock does not
	# stop while in one, and the guest would not power off.
	trap 'systemctl stop pfs-lockd.service >/dev/null 2>&1' EXIT
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
	# The shared pool: pfs-lockd ready (registered) before the shared unit
	# started, which joined and brought back s1, the image that ran, not s2.
	[ "$(prop pfs-activate-shared.service ActiveState)" = active ] ||
		fail "pfs-activate-shared.service is $(prop pfs-activate-shared.service ActiveState): $(systemctl status pfs-activate-shared.service 2>&1)"
	ready=$(prop pfs-lockd.service ActiveEnterTimestampMonotonic)
	shared_start=$(prop pfs-activate-shared.service InactiveExitTimestampMonotonic)
	shared_done=$(prop pfs-activate-shared.service ActiveEnterTimestampMonotonic)
	[ "$ready" -gt 0 ] && [ "$ready" -le "$shared_start" ] ||
		fail "pfs-activate-shared started ($shared_start) before pfs-lockd was ready ($ready)"
	check_pattern /dev/pfs/s1 21 32
	[ ! -e /dev/mapper/pfs-s2 ] || fail "the boot activated s2, which was not running"
	"$PFSADM" --pool /dev/vdb list -o name,host | grep -qE '^s1 +host 1$' ||
		fail "s1 is not host 1's: $("$PFSADM" --pool /dev/vdb list -o name,host)"
	# Restarting pfs-lockd fences and frees, then pfs-activate-shared (which
	# requires it) runs again: joined, s1 taken back and resumed.
	systemctl restart pfs-lockd.service
	again() {	# pfs-activate-shared started again since $shared_start, and done
		[ "$(prop pfs-activate-shared.service InactiveExitTimestampMonotonic)" -gt "$shared_start" ] &&
			[ "$(prop pfs-activate-shared.service ActiveState)" = active ]
	}
	for _ in $(seq 600); do again && break; sleep 0.1; done
	again ||
		fail "pfs-activate-shared did not come back: $(systemctl status pfs-activate-shared.service 2>&1)"
	dmsetup info pfs-s1 | grep -q "State: *ACTIVE" || fail "pfs-s1 is not resumed after the restart"
	check_pattern /dev/pfs/s1 21 32
	# A shutdown stops pfs-lockd after the VM managers: it fences what it
	# held and frees the leases, then its unit leaves the lockspace (or
	# sanlock would not stop); the record of s1 stays for the next boot.
	systemctl stop pfs-lockd.service
	dmsetup info pfs-s1 | grep -q "State: *SUSPENDED" || fail "stopping pfs-lockd did not suspend pfs-s1"
	! sanlock client status | grep -q '^s pfs_' || fail "the lockspace is still joined: $(sanlock client status)"
	[ "$(cat /var/lib/pfs/held/*/*)" = s1 ] || fail "after the stop, the record says: $(cat /var/lib/pfs/held/*/*)"
	dmsetup remove --force pfs-s1
	echo "report: boot: pfs-lockd ready at ${ready}us, pfs-activate-shared ${shared_start}..${shared_done}us"
	echo "report: boot: modules-load at ${loaded}us, pfs-activate ${started}..${done_at}us, sysinit.target at ${sysinit}us"
	;;
*)
	fail "run me with scripts/vm --systemd (PFS_BOOT_PHASE is '${PFS_BOOT_PHASE:-}')"
	;;
esac
