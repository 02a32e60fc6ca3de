# A host of a shared pool, as operations.md sets one up (sourced by the
# boot stages): host_id 1, a sanlock host name that outlives reboots, and
# /var/lib/pfs kept across them (the exchange folder).
printf 'host_id = 1\nlease_io_timeout = 3\n' >/etc/pfs.conf
mkdir -p /etc/sanlock
echo "our_host_name = pfs-boot-test-host" >/etc/sanlock/sanlock.conf
mkdir -p /var/lib/pfs/held "$PFS_EXCHANGE/held"
mount --bind "$PFS_EXCHANGE/held" /var/lib/pfs/held
