# Install dm-pfs into the guest's (throwaway, overlay) root as a host would.
# Sourced by the boot stages.
make -C "$PFS_PROJECT" --no-print-directory -s install prefix=/usr >/dev/null
udevadm control --reload
PFSADM=/usr/sbin/pfsadm
