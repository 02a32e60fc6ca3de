# The arbiter's mechanics on the real module, asserted by its counters (no
# timings): flushes and discards take the image's path and are charged
# against its caps and its share; a cap changed while the image owes tokens
# keeps the debt, so a rate change never lets a bio through for free; an
# image alone on the pool never waits for the arbiter; two images that both
# keep the device busy are given device time in proportion to weight.
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
charged=$(field charged_ns)
python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for _ in range(40):
    os.fsync(fd)' "$dev"
# The default cost model charges a flush 1 ms of device time.
[ $(($(field charged_ns) - charged)) -ge 40000000 ] ||
	fail "40 flushes were charged $(($(field charged_ns) - charged)) ns of device time, not 40 ms"
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
[ "$(field arb_waits)" -eq 0 ] || fail "a lone image waited for the arbiter $(field arb_waits) times"
[ "$(field throttled)" -eq "$before" ] || fail "a lone image without caps waited in its queue"

# 5. Shares: weights 100 and 400, both writing flat out at QD32 for the
# same time. While both are busy the lighter one gets its turn only after
# the heavier has had four times its device time.
"$PFSADM" create n 64M >/dev/null
"$PFSADM" set m --weight 100
"$PFSADM" set n --weight 400
nfield() { dmsetup status pfs-n | tr ' ' '\n' | sed -n "s/^$1=//p"; }
m0=$(field charged_ns)
n0=$(nfield charged_ns)
for d in m n; do
	fio --name="$d" --filename=/dev/mapper/pfs-$d --rw=write --bs=128k --iodepth=32 \
		--ioengine=libaio --direct=1 --size=64M --runtime=6 --time_based \
		--output=/dev/null &
done
wait
dm=$(($(field charged_ns) - m0))
dn=$(($(nfield charged_ns) - n0))
echo "report: device time charged at weights 100:400: $dm:$dn ns ($((dn * 100 / (dm + 1)))%), $(nfield arb_waits) waits for n, $(field arb_waits) for m, pool budget $(field pool_budget_ns) ns"
[ "$dm" -gt 0 ] || fail "the weight-100 image moved nothing next to weight 400"
[ $((dn * 10)) -ge $((dm * 20)) ] ||
	fail "weights 100:400 gave device time $dm:$dn: the heavier got less than twice the lighter"
[ "$(field arb_waits)" -gt 0 ] || fail "the weight-100 image never waited for its share"
"$PFSADM" deactivate --all
echo "discards and flushes charged; debt kept across a rate change; a lone image never waits; weights share the device"
