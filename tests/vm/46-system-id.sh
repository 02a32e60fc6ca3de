# A host-local pool belongs to the host that formatted it (its machine-id in
# the superblock, as LVM's system ID): another host reads it but may not
# change it or activate its images, one line and nothing changed, and
# activate --all skips it; take-over makes it that host's, and then the
# first host is the one refused. Another host is this one with another
# machine-id ($PFS_MACHINE_ID_FILE).
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
"$PFSADM" check "$POOL" | grep -qx "owner: this host" || fail "check does not say the pool is this host's"
"$PFSADM" create a 16M >/dev/null
write_pattern /dev/mapper/pfs-a 46 16
"$PFSADM" deactivate a >/dev/null

here=$(cat /etc/machine-id)
echo 0123456789abcdef0123456789abcdef >/tmp/other-id
other() { PFS_MACHINE_ID_FILE=/tmp/other-id "$PFSADM" "$@"; }

# The other host: reads, but changes and activations are refused.
other list -o name | grep -qx a || fail "another host cannot list the pool"
other check "$POOL" | grep -q "^owner: another host: .*belongs to host $here" ||
	fail "check on another host does not name the owner"
unchanged_exit 5 "belongs to host $here" other create b 16M
unchanged_exit 5 "belongs to host $here" other activate a
[ ! -e /dev/mapper/pfs-a ] || fail "a refused activate made a device"
unchanged_exit 5 "'pfsadm take-over' makes it this host's" other set a --weight 300
other activate --all 2>/tmp/all.err >/dev/null || fail "activate --all failed on another host's pool"
grep -q "skipped: .*belongs to host $here" /tmp/all.err || fail "activate --all did not say it skipped: $(cat /tmp/all.err)"
[ ! -e /dev/mapper/pfs-a ] || fail "activate --all activated another host's image"

# Taken over: the other host runs it, with its data; the first is refused.
other take-over | grep -q "is this host's now" || fail "take-over did not say so"
other take-over | grep -q "is this host's already" || fail "a second take-over did not say so"
other activate a >/dev/null
check_pattern /dev/mapper/pfs-a 46 16
other deactivate a >/dev/null
unchanged_exit 5 "belongs to host 0123456789abcdef0123456789abcdef" "$PFSADM" create c 16M
"$PFSADM" take-over >/dev/null
"$PFSADM" activate a >/dev/null
check_pattern /dev/mapper/pfs-a 46 16
"$PFSADM" deactivate a >/dev/null

# A host with no machine-id cannot prove it owns anything.
: >/tmp/no-id
unchanged_exit 5 "machine-id is none" env PFS_MACHINE_ID_FILE=/tmp/no-id "$PFSADM" create d 16M
echo "an owned pool: read by another host, its changes and activations refused, take-over moves it"
