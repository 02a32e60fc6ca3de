# A corpus of malformed pfs table lines fed to dmsetup create: every one is
# refused, no device is left behind, and the kernel never warns (the runner
# checks dmesg). Deterministic: the same seed gives the same lines.
. ./lib.sh
fresh_pool
"$PFSADM" --pool "$POOL" create a 16M >/dev/null
"$PFSADM" --pool "$POOL" deactivate a
pool=$(pool_majmin)
start=$(PFS_POOL=$POOL image_field a start_sector)
len=$(PFS_POOL=$POOL image_field a sectors)

words=("$pool" "$POOL" a b A "a " "" 0 1 -1 "$start" "$len" $((start + 1)) $((start - 2048))
	18446744073709551615 18446744073709551616 99999999999999999999 0x800 "$start"x
	"$(printf 'a%.0s' $(seq 130))" /dev/null /dev/vdb 8:0 999:999 "../a" "%s%s%n" "\\" "#"
	"a/b" "-" "--" "1 2 3" "$(printf '\001')")
lengths=("$len" $((len - 1)) $((len + 8)) 1 0 $((len * 2)))

RANDOM=4242
tried=0
while [ "$tried" -lt 150 ]; do
	n=$((RANDOM % 6))
	args=()
	for ((i = 0; i < n; i++)); do args+=("${words[RANDOM % ${#words[@]}]}"); done
	l=${lengths[RANDOM % ${#lengths[@]}]}
	line="0 $l pfs ${args[*]}"
	# The one valid line is not malformed; skip it if the dice make it.
	[ "$line" = "0 $len pfs $pool a $start" ] && continue
	[ "$line" = "0 $len pfs $POOL a $start" ] && continue
	if dmsetup create fuzz --table "$line" >/dev/null 2>&1; then
		dmsetup remove fuzz
		fail "accepted: $line"
	fi
	dmsetup info fuzz >/dev/null 2>&1 && fail "device left behind by: $line"
	tried=$((tried + 1))
done
echo "report: refused $tried malformed table lines"
# And the valid line still works afterwards.
dmsetup create good --table "0 $len pfs $pool a $start"
dmsetup remove good
