# pfsadm defrag, live: a pool fragmented by a random create/remove history
# (seeded, so a failure can be replayed) is made one free extent, whose
# size is all the free space; every image keeps its data, whether it was
# active, inactive or busy with fio (crc32c verification) through the
# whole defrag. --dry-run prints the plan and changes nothing; a second
# defrag finds nothing to do; pfsadm check is clean.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool

seed=${PFS_DEFRAG_SEED:-$RANDOM}
echo "random history: PFS_DEFRAG_SEED=$seed"
RANDOM=$seed
declare -A mib=()
n=0
for _ in $(seq 12); do
	if [ "${#mib[@]}" -gt 3 ] && [ $((RANDOM % 3)) -eq 0 ]; then
		victim=$(printf '%s\n' "${!mib[@]}" | sort | sed -n "$((RANDOM % ${#mib[@]} + 1))p")
		"$PFSADM" remove -y --no-wipe "$victim" >/dev/null
		unset "mib[$victim]"
	else
		n=$((n + 1))
		mib[i$n]=$((1 + RANDOM % 6))
		"$PFSADM" create "i$n" "${mib[i$n]}M" >/dev/null
		write_pattern "/dev/mapper/pfs-i$n" "$n" "${mib[i$n]}"
	fi
done
# The busy one, with room for fio.
"$PFSADM" create busy 8M >/dev/null
"$PFSADM" remove -y --no-wipe "$(printf '%s\n' "${!mib[@]}" | sort | head -1)" >/dev/null
for name in "${!mib[@]}"; do
	[ -e "/dev/mapper/pfs-$name" ] || unset "mib[$name]"
done
extents() { "$PFSADM" list --free --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["free_extents"]))'; }
# However the history went, at least three free extents: remove more, and
# when too few images are left for that (seed 24014 left one), make holes:
# two more 1 MiB images, the first removed (a hole, unless it filled one).
holes=0
while [ "$(extents)" -lt 3 ]; do
	if [ "${#mib[@]}" -gt 2 ]; then
		victim=$(printf '%s\n' "${!mib[@]}" | sort | sed -n "$((RANDOM % ${#mib[@]} + 1))p")
		"$PFSADM" remove -y --no-wipe "$victim" >/dev/null
		unset "mib[$victim]"
		continue
	fi
	holes=$((holes + 1))
	[ "$holes" -le 8 ] || break
	for k in 1 2; do
		n=$((n + 1))
		mib[i$n]=1
		"$PFSADM" create "i$n" 1M >/dev/null
		write_pattern "/dev/mapper/pfs-i$n" "$n" 1
	done
	"$PFSADM" remove -y --no-wipe "i$((n - 1))" >/dev/null
	unset "mib[i$((n - 1))]"
done
# Some inactive.
for name in $(printf '%s\n' "${!mib[@]}" | sort | sed -n '1~3p'); do
	"$PFSADM" deactivate "$name"
done
"$PFSADM" list --free
free_total() { "$PFSADM" list --free --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["free_sectors"])'; }
before=$(extents)
[ "$before" -gt 2 ] || fail "the history left only $before free extent(s); no test"

# The plan: printed, and nothing changes.
read_sectors "$POOL" 0 1048 | sha256sum >/tmp/meta.before
"$PFSADM" defrag --dry-run >/tmp/plan.txt
cat /tmp/plan.txt
grep -q "^move " /tmp/plan.txt || fail "the plan moves nothing"
grep -q "^plan: $before free extents .* -> 1 " /tmp/plan.txt || fail "the plan does not end with one free extent"
"$PFSADM" defrag --dry-run --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["version"] == 1 and r["moves"] and r["free_extents_after"] == 1, r
for m in r["moves"]:
    assert set(m) == {"image", "from_sector", "to_sector", "sectors"}, m
' || fail "the JSON plan is not right"
read_sectors "$POOL" 0 1048 | sha256sum | cmp -s - /tmp/meta.before ||
	fail "--dry-run changed the metadata"
unchanged_exit 1 "use it with --dry-run" "$PFSADM" defrag --json
unchanged_exit 1 "usage" "$PFSADM" defrag extra

# fio rounds, each writing and verifying all of busy, until defrag is done.
rm -f /tmp/defrag.done
trap 'touch /tmp/defrag.done; kill $(jobs -p) 2>/dev/null || true; pkill -x fio || true; wait || true' EXIT
(
	while [ ! -e /tmp/defrag.done ]; do
		fio --name=busy --filename=/dev/mapper/pfs-busy --ioengine=libaio --direct=1 \
			--rw=randwrite --bs=4k --bsrange=4k-64k --iodepth=8 --size=8M \
			--verify=crc32c --verify_fatal=1 --do_verify=1 --verify_backlog=64 \
			--output=/tmp/fio-defrag.log >/dev/null || exit 1
		grep -q "err= 0" /tmp/fio-defrag.log || exit 1
	done
) &
fio_pid=$!
sleep 1
total=$(free_total)
"$PFSADM" defrag >/tmp/defrag.txt || { cat /tmp/defrag.txt; fail "defrag failed"; }
cat /tmp/defrag.txt
touch /tmp/defrag.done
wait "$fio_pid" || { cat /tmp/fio-defrag.log >&2; fail "fio saw a mismatch or an error through defrag"; }

"$PFSADM" list --free
[ "$(extents)" = 1 ] || fail "free space is $(extents) extents after defrag"
largest=$("$PFSADM" list --free --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["free_extents"][0]["sectors"])')
[ "$largest" = "$total" ] || fail "the free extent is $largest sectors, the free space $total"
[ "$(free_total)" = "$total" ] || fail "defrag changed the free space: $total -> $(free_total)"
for name in "${!mib[@]}"; do
	state=$(image_field "$name" state)
	if [ "$state" = inactive ]; then
		"$PFSADM" activate "$name" >/dev/null
	fi
	check_pattern "/dev/mapper/pfs-$name" "${name#i}" "${mib[$name]}"
	dmsetup table "pfs-$name" | grep -q " $name $(image_field "$name" start_sector)$" ||
		fail "$name's device does not map its table extent: $(dmsetup table "pfs-$name")"
done
"$PFSADM" check "$POOL" >/dev/null || fail "check fails after defrag"
"$PFSADM" defrag | tail -1 | grep -q "^defragmented: 1 free extent .* -> 1 .*; 0B copied" ||
	fail "a second defrag did something: $("$PFSADM" defrag --dry-run)"
"$PFSADM" deactivate --all
