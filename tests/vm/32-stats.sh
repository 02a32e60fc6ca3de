# pfsadm stats against the kernel's own counters: what is written and read
# through an image shows in the JSON report and the Prometheus text, the
# rates show I/O while it runs, an inactive image is said to be inactive,
# and bad arguments are one-line errors.
. ./lib.sh
fresh_pool
"$PFSADM" create s1 64M >/dev/null
"$PFSADM" create s2 16M >/dev/null
"$PFSADM" deactivate s2
udevadm settle

field() {	# FILE IMAGE FIELD: from a stats --json report
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["version"] == 1 and len(r["pool"]["uuid"]) == 36, r
i = [i for i in r["images"] if i["name"] == sys.argv[2]][0]
print(i[sys.argv[3]] if sys.argv[3] in i else "absent")' "$@"
}

"$PFSADM" stats --json >/tmp/s0.json
dd if=/dev/zero of=/dev/mapper/pfs-s1 bs=1M count=8 oflag=direct status=none
dd if=/dev/mapper/pfs-s1 of=/dev/null bs=4k count=256 iflag=direct status=none
udevadm settle
"$PFSADM" stats --json >/tmp/s1.json
written=$(($(field /tmp/s1.json s1 write_sectors) - $(field /tmp/s0.json s1 write_sectors)))
read=$(($(field /tmp/s1.json s1 read_sectors) - $(field /tmp/s0.json s1 read_sectors)))
[ "$written" -eq 16384 ] || fail "8 MiB written counted as $written sectors"
# udev may probe the device after the write is closed: at least ours.
[ "$read" -ge 2048 ] || fail "1 MiB read counted as $read sectors"
[ "$(field /tmp/s1.json s2 active)" = False ] || fail "s2 is not reported inactive"
[ "$(field /tmp/s1.json s2 writes)" = absent ] || fail "an inactive image has counters"
[ "$(field /tmp/s1.json s1 weight)" = 100 ] || fail "s1's weight is not reported"

# The Prometheus text: every line a comment or a sample; the same counts.
"$PFSADM" stats --prometheus >/tmp/s.prom
bad=$(grep -Ev '^(# (HELP|TYPE) pfs_[a-z_]+ .+|pfs_[a-z_]+\{pool="[0-9a-f-]{36}",image="[^"]+"(,le="[^"]+")?\} [0-9]+)$' /tmp/s.prom || true)
[ -z "$bad" ] || fail "not the textfile format: $bad"
bytes=$(sed -n 's/^pfs_written_bytes_total{pool="[^"]*",image="s1"} //p' /tmp/s.prom)
[ "$bytes" -eq $(($(field /tmp/s1.json s1 write_sectors) * 512)) ] ||
	fail "pfs_written_bytes_total is $bytes"
inf=$(sed -n 's/^pfs_latency_us_bucket{pool="[^"]*",image="s1",le="+Inf"} //p' /tmp/s.prom)
count=$(sed -n 's/^pfs_latency_us_count{pool="[^"]*",image="s1"} //p' /tmp/s.prom)
# 264 bios at least; the solo path times one in 16 and counts it 16 times
# (PFS_SOLO_TIME_EVERY), so each CPU's count is within 16 of its bios'.
[ -n "$inf" ] && [ "$inf" = "$count" ] && [ "$count" -ge $((264 - 16 * $(nproc))) ] ||
	fail "latency histogram: +Inf $inf, count $count"
grep -q 'image="s2"' /tmp/s.prom && fail "an inactive image has metrics"

# While a writer runs, one report shows writes; --watch stops cleanly on ^C.
dd if=/dev/zero of=/dev/mapper/pfs-s1 bs=64k count=100000 oflag=direct status=none &
writer=$!
"$PFSADM" stats s1 >/tmp/s.txt
awk '$1 == "s1" { exit !($3 > 0) }' /tmp/s.txt ||
	fail "no writes while a writer ran: $(cat /tmp/s.txt)"
timeout --preserve-status -s INT 6 "$PFSADM" stats --watch 1 >/tmp/w.txt ||
	fail "stats --watch did not stop cleanly on SIGINT"
grep -q '^IMAGE' /tmp/w.txt || fail "stats --watch printed no report"
grep -q '^s2 .*inactive' /tmp/w.txt || fail "stats --watch does not say s2 is inactive"
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true

expect_exit 1 "$PFSADM" stats --watch 0
expect_exit 1 "$PFSADM" stats --json --prometheus
expect_exit 1 "$PFSADM" stats --watch 1 --json
expect_exit 4 "$PFSADM" stats nosuch
echo "report: stats | $(head -n1 /tmp/s.txt)"
echo "report: stats | $(grep '^s1 ' /tmp/s.txt)"
"$PFSADM" remove s1 >/dev/null
"$PFSADM" remove s2 >/dev/null
