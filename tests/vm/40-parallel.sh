# 16 pfsadm creates (then removes) in parallel serialise on the pool lock:
# every one succeeds, no extents overlap, and check is clean.
. ./lib.sh
fresh_pool
export PFS_POOL=$POOL
# Every background command's status counts.
wait_all() {	# WHAT: wait for every background job; fail if one failed
	local p bad=0
	for p in $(jobs -p); do wait "$p" || bad=$((bad + 1)); done
	[ "$bad" -eq 0 ] || fail "$bad of the parallel $1 failed"
}
for i in $(seq 1 16); do
	"$PFSADM" create "p$i" "$((i * 8))M" >/dev/null &
done
wait_all creates
[ "$("$PFSADM" list --json | grep -c '"name"')" -eq 16 ] || fail "not 16 images"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after parallel creates"
for i in $(seq 1 16); do
	[ "$(blockdev --getsize64 "/dev/mapper/pfs-p$i")" -eq $((i * 8 << 20)) ] ||
		fail "pfs-p$i has the wrong size"
done
# Each image holds its own data: write all, then read all back.
for i in $(seq 1 16); do write_pattern "/dev/mapper/pfs-p$i" "$i" 8; done
for i in $(seq 1 16); do check_pattern "/dev/mapper/pfs-p$i" "$i" 8; done
for i in $(seq 1 2 16); do
	"$PFSADM" remove "p$i" &
done
wait_all removes
[ "$("$PFSADM" list --json | grep -c '"name"')" -eq 8 ] || fail "not 8 images after removes"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after parallel removes"
for i in $(seq 2 2 16); do check_pattern "/dev/mapper/pfs-p$i" "$i" 8; done
"$PFSADM" deactivate --all
