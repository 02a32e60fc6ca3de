# 16 pfsadm creates (then removes) in parallel serialise on the pool lock:
# every one succeeds, no extents overlap, and check is clean. The lock is
# the pool's (by UUID), whatever path names it: a writer behind a held lock
# says so and gives up after --wait; a reader never waits.
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
	"$PFSADM" create "p$i" "${i}M" >/dev/null &
done
wait_all creates
[ "$("$PFSADM" list --json | grep -c '"name"')" -eq 16 ] || fail "not 16 images"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after parallel creates"
for i in $(seq 1 16); do
	[ "$(blockdev --getsize64 "/dev/mapper/pfs-p$i")" -eq $((i << 20)) ] ||
		fail "pfs-p$i has the wrong size"
done
# Each image holds its own data: write all, then read all back.
for i in $(seq 1 16); do write_pattern "/dev/mapper/pfs-p$i" "$i" 1; done
for i in $(seq 1 16); do check_pattern "/dev/mapper/pfs-p$i" "$i" 1; done
for i in $(seq 1 2 16); do
	"$PFSADM" remove "p$i" &
done
wait_all removes
[ "$("$PFSADM" list --json | grep -c '"name"')" -eq 8 ] || fail "not 8 images after removes"
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after parallel removes"
for i in $(seq 2 2 16); do check_pattern "/dev/mapper/pfs-p$i" "$i" 1; done

uuid=$("$PFSADM" dump "$POOL" | python3 -c 'import json, sys; print(json.load(sys.stdin)["superblock"]["pool_uuid"])')
lockfile=/run/lock/pfs/$uuid.lock
[ -e "$lockfile" ] || fail "no lock file $lockfile"
size=$(blockdev --getsz "$POOL")
dmsetup create alias --table "0 $size linear $POOL 0"
exec 9<>"$lockfile"
flock 9		# this shell holds the pool's lock now
for path in "$POOL" /dev/mapper/alias; do
	start=$(date +%s)
	expect_exit 5 "$PFSADM" --pool "$path" --wait 2 create late 8M
	grep -q "pool $uuid is locked by .*gave up after 2 s" /tmp/expect_exit.out ||
		fail "no lock message through $path: $(cat /tmp/expect_exit.out)"
	[ $(($(date +%s) - start)) -lt 20 ] || fail "--wait 2 waited far longer"
done
timeout 10 "$PFSADM" --pool /dev/mapper/alias list >/dev/null || fail "list waited for the writer's lock"
flock -u 9
exec 9>&-
"$PFSADM" create late 8M >/dev/null
"$PFSADM" list | grep -q '^late ' || fail "create after the lock was released failed"
dmsetup remove alias
"$PFSADM" deactivate --all
