# The Debian packages (make deb), installed as an admin would on a host that
# has neither: apt installs both from the files; the packaged pfsadm, udev
# rules, man pages and boot hooks are in place; an image made with it is
# written and read back; a purge leaves nothing behind.
#
# The module: with PFS_PACKAGE_DKMS=1 (make check-package) DKMS builds it
# for the running kernel (and the newest, as Debian's DKMS does on a first
# install), modprobe loads that build, and the image goes through it. That
# build takes longer than make check's budget under emulation, so there
# the package's DKMS build is held back (/etc/dkms/no-autoinstall), the
# sources are registered by hand, and the image goes through the harness's
# module;
# make check builds the packaged sources with DKMS natively instead
# (package/deb).
. ./lib.sh

kver=$(uname -r)
build=${PFS_PACKAGE_DKMS:-0}
deb_dir=$PFS_PROJECT/build/deb
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$PFS_PROJECT/dkms.conf")
pfsadm_deb=$deb_dir/pfsadm_${version}_amd64.deb
dkms_deb=$deb_dir/dm-pfs-dkms_${version}_all.deb
[ -f "$pfsadm_deb" ] && [ -f "$dkms_deb" ] || fail "no $version packages in $deb_dir: run make deb first"
export DEBIAN_FRONTEND=noninteractive

installed() {	# PACKAGE
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'
}

dkms_modules() {	# every dm-pfs.ko under this kernel's module tree
	find "/lib/modules/$kver" -name 'dm-pfs.ko*' 2>/dev/null
}

# Later tests use the harness's module: put it back if DKMS's replaced it.
restore_harness_module() {
	rm -f /etc/dkms/no-autoinstall
	[ "$build" = 1 ] || return 0
	if [ -d /sys/module/dm_pfs ]; then
		dmsetup remove_all >/dev/null 2>&1 || true
		rmmod dm_pfs || true
	fi
	insmod "$PFS_PROJECT/build/$kver/dm-pfs/dm-pfs.ko" ||
		echo "FAIL: could not put the harness's dm-pfs.ko back" >&2
}
trap restore_harness_module EXIT

# A host with neither package, and no dm-pfs module of its own.
! installed pfsadm && ! installed dm-pfs-dkms || fail "the guest already has a dm-pfs package"
[ ! -e /usr/sbin/pfsadm ] || fail "the guest already has /usr/sbin/pfsadm"
[ -z "$(dkms_modules)" ] || fail "the guest already has $(dkms_modules)"
if [ "$build" = 1 ]; then
	rmmod dm_pfs
else
	mkdir -p /etc/dkms
	touch /etc/dkms/no-autoinstall
fi

# man-db's trigger reindexes every man page, a minute under emulation;
# a host runs it, the guest's throwaway root need not.
rm -f /var/lib/man-db/auto-update
start=$(date +%s)
apt-get install -y -q "$pfsadm_deb" "$dkms_deb" >/tmp/apt-install.log 2>&1 ||
	{ cat /tmp/apt-install.log >&2; fail "apt install of the packages failed"; }
installed_in=$(($(date +%s) - start))
installed pfsadm && installed dm-pfs-dkms || fail "apt did not install both packages"

if [ "$build" = 1 ]; then
	# DKMS built and installed the module for this kernel; modprobe finds it.
	dkms status -m dm-pfs -v "$version" -k "$kver" | grep -q ': installed' ||
		fail "dkms status: $(dkms status -m dm-pfs 2>&1)"
	ko=$(modinfo -n dm-pfs) || fail "modprobe cannot find dm-pfs after install"
	case $ko in
	"/lib/modules/$kver/updates/dkms/"*) ;;
	*) fail "dm-pfs resolves to $ko, not DKMS's build" ;;
	esac
	[ "$(modinfo -F vermagic dm-pfs | cut -d' ' -f1)" = "$kver" ] ||
		fail "DKMS's dm-pfs was built for $(modinfo -F vermagic dm-pfs)"
	# The harness's module is out, so what modprobe loads is DKMS's.
	[ ! -d /sys/module/dm_pfs ] || fail "dm_pfs is still loaded"
	modprobe dm-pfs
else
	# The sources are in place for DKMS; registered by hand, as an admin
	# who builds later would, so that the purge must unregister them.
	[ -f "/usr/src/dm-pfs-$version/dkms.conf" ] || fail "no sources in /usr/src/dm-pfs-$version"
	dkms add -m dm-pfs -v "$version" >/dev/null
	dkms status -m dm-pfs -v "$version" | grep -q ': added' ||
		fail "dkms status: $(dkms status -m dm-pfs 2>&1)"
fi
dmsetup targets | grep -q '^pfs ' || fail "no pfs target"

# The packaged tool, rules and unit do their jobs.
PFSADM=/usr/sbin/pfsadm
"$PFSADM" --version | grep -qx "pfsadm $version.*" ||
	fail "pfsadm --version: $("$PFSADM" --version)"
[ -f /usr/lib/modules-load.d/dm-pfs.conf ] || fail "no modules-load.d entry"
[ -L /etc/systemd/system/sysinit.target.wants/pfs-activate.service ] ||
	fail "the package did not enable pfs-activate.service"
[ -x /usr/sbin/pfs-lockd ] && [ -f /lib/systemd/system/pfs-lockd.service ] ||
	fail "no pfs-lockd or its unit"
[ -f /lib/systemd/system/pfs-activate-shared.service ] || fail "no pfs-activate-shared.service"
for unit in pfs-lockd.service pfs-activate-shared.service; do
	[ ! -e "/etc/systemd/system/multi-user.target.wants/$unit" ] ||
		fail "the package enabled $unit (a shared pool's admin does)"
done
man -w pfsadm >/dev/null && man -w 4 dm-pfs >/dev/null && man -w pfs-lockd >/dev/null ||
	fail "man pages not found"
udevadm control --reload
"$PFSADM" format --force "$POOL" >/dev/null
"$PFSADM" create vm1 32M >/dev/null
udevadm settle
[ "$(readlink -f /dev/pfs/vm1)" = "$(readlink -f /dev/mapper/pfs-vm1)" ] ||
	fail "no /dev/pfs/vm1 from the packaged udev rules"
write_pattern /dev/pfs/vm1 90 32
check_pattern /dev/pfs/vm1 90 32
"$PFSADM" remove vm1 >/dev/null
if [ "$build" = 1 ]; then
	rmmod dm_pfs
fi

# Purge: the tool, the sources, DKMS's build and the boot hooks all go.
start=$(date +%s)
apt-get purge -y -q pfsadm dm-pfs-dkms >/tmp/apt-purge.log 2>&1 ||
	{ cat /tmp/apt-purge.log >&2; fail "apt purge failed"; }
purged_in=$(($(date +%s) - start))
! installed pfsadm && ! installed dm-pfs-dkms || fail "a package is still installed after purge"
for f in /usr/sbin/pfsadm /usr/sbin/pfs-lockd "/usr/src/dm-pfs-$version" /var/lib/dkms/dm-pfs \
	/usr/lib/modules-load.d/dm-pfs.conf /lib/udev/rules.d/60-pfs.rules /lib/udev/pfs-udev-name \
	/lib/systemd/system/pfs-activate.service /lib/systemd/system/pfs-lockd.service \
	/lib/systemd/system/pfs-activate-shared.service \
	/etc/systemd/system/sysinit.target.wants/pfs-activate.service; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is left after purge"
done
[ -z "$(dkms_modules)" ] || fail "left after purge: $(dkms_modules)"
if modinfo dm-pfs >/dev/null 2>&1; then
	fail "modprobe still finds a dm-pfs after purge"
fi
if dkms status -m dm-pfs 2>/dev/null | grep -q .; then
	fail "dkms still knows dm-pfs after purge"
fi
if [ "$build" = 1 ]; then
	echo "report: package: apt install with the DKMS build took ${installed_in}s, purge ${purged_in}s on $kver"
else
	echo "report: package: apt install (DKMS build held back) took ${installed_in}s, purge ${purged_in}s on $kver"
fi
