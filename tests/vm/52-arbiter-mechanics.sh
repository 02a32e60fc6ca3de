# The arbiter's mechanics on the real module, asserted by its counters (no
# timings): flushes and discards take the image's path and are charged
# against its caps; a cap changed while the image owes tokens keeps the
# debt, so a rate change never lets a bio through for free; an image alone
# on the pool is never limited by the arbiter.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
"$PFSADM" create m 64M >/dev/null
dev=/dev/mapper/pfs-m

field() {	# NAME: one key of pfs-m's status line
	dmsetup status pfs-m | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# 1. A discard storm at iops_max 20: counted, and made to wait.
"$PFSADM" set m --iops-max 20
before=$(field throttled)
python3 -c 'import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for i in range(40):  # BLKDISCARD, one 64 KiB range each
    fcntl.ioctl(fd, 0x1277, struct.pack("QQ", i * 65536, 65536))' "$dev"
[ "$(field discards)" -ge 40 ] || fail "discards are not counted: $(field discards)"
[ "$(field throttled)" -gt "$before" ] || fail "40 discards at iops_max 20 never waited: they bypass the cap"

# 2. A flush storm, the same (the pool's disk has a volatile write cache).
grep -q 'write back' /sys/block/"$(basename "$(readlink -f "$POOL")")"/queue/write_cache ||
	fail "$POOL has no write cache: flushes would never reach the target"
before=$(field throttled)
python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for _ in range(40):
    os.fsync(fd)' "$dev"
[ "$(field flushes)" -ge 40 ] || fail "flushes are not counted: $(field flushes)"
[ "$(field throttled)" -gt "$before" ] || fail "40 flushes at iops_max 20 never waited: they bypass the cap"

# 3. Debt survives a rate change: 1 MiB written at bps_max 100K leaves the
# bucket about 1 MiB short; raising the cap to 200K must not forgive it,
# so the next read waits.
"$PFSADM" set m --iops-max 0 --bps-max 100K
dd if=/dev/zero of="$dev" bs=1M count=1 oflag=direct status=none
dmsetup message pfs-m 0 bps_max 204800
before=$(field throttled)
dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none
[ "$(field throttled)" -gt "$before" ] || fail "a rate change forgave the debt: the read did not wait"
"$PFSADM" set m --bps-max 0

# 4. Alone on the pool, no arbiter limit and no wait, under a deep load.
"$PFSADM" set m --iops-max 0 --bps-max 0
before=$(field throttled)
fio --name=alone --filename="$dev" --rw=randwrite --bs=64k --iodepth=32 --ioengine=libaio \
	--direct=1 --size=32M --runtime=5 --time_based --output=/dev/null
[ "$(field arb_limit)" -eq 0 ] || fail "a lone image got an arbiter limit: $(field arb_limit)"
[ "$(field throttled)" -eq "$before" ] || fail "a lone image without caps waited in its queue"
"$PFSADM" deactivate m
echo "discards and flushes charged; debt kept across a rate change; a lone image never limited"
