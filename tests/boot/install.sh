# Install dm-pfs into the guest's (throwaway, overlay) root as a host would.
# Sourced by the boot stages.
make -C "$PFS_PROJECT" --no-print-directory -s install prefix=/usr >/dev/null
# Before systemd starts (stage 2) there is no udevd to tell.
if udevadm control --ping 2>/dev/null; then
	udevadm control --reload
fi
PFSADM=/usr/sbin/pfsadm
