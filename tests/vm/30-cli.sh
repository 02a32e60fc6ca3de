# The whole pfsadm CLI on real block devices: exit codes, errors that leave
# the pool byte-for-byte unchanged, a 20G image used through qemu-io, live
# set and resize, dump/restore, check/--repair and pool selection.
. ./lib.sh
SECOND=/dev/vdb

metadata_sum() { dd if="$POOL" bs=512 count=1048 status=none | md5sum; }

# unchanged CODE CMD...: CMD fails with CODE, one line on stderr, no write.
unchanged() {
	local code=$1 before
	shift
	before=$(metadata_sum)
	expect_exit "$code" "$@"
	[ "$(wc -l </tmp/expect_exit.out)" -eq 1 ] || {
		cat /tmp/expect_exit.out >&2
		fail "not a one-line error: $*"
	}
	grep -q "^pfsadm" /tmp/expect_exit.out || fail "error does not name pfsadm: $*"
	[ "$(metadata_sum)" = "$before" ] || fail "pool metadata changed by: $*"
}

# wipefs does not know dm-pfs: clear our superblock by hand.
dd if=/dev/zero of="$POOL" bs=1M count=1 conv=notrunc status=none
wipefs -a -q "$POOL" "$SECOND"
# Devices that hold something are refused without --force (exit 5).
mkfs.ext4 -q "$SECOND"
expect_exit 5 "$PFSADM" format "$SECOND"
grep -q 'ext4' /tmp/expect_exit.out || fail "format does not name the ext4 signature"
wipefs -a -q "$SECOND"
pvcreate -q "$SECOND" >/dev/null
expect_exit 5 "$PFSADM" format "$SECOND"
grep -q 'LVM2_member' /tmp/expect_exit.out || fail "format does not name the LVM signature"
pvremove -q "$SECOND" >/dev/null
# RAID metadata at the end of the device (md 1.0): refused without --force;
# with it, wiped, so blkid reports nothing afterwards (the format itself
# only writes the device's start).
modprobe md_mod
mdadm --create /dev/md/pfs-test --run --quiet --metadata=1.0 --level=1 --raid-devices=2 \
	"$SECOND" missing 2>/dev/null
mdadm --stop --quiet /dev/md/pfs-test
# udev assembles it again from the signature (incremental assembly on the
# event the stop makes), holding the device: settle, and stop that too.
udevadm settle
mdadm --stop --scan --quiet 2>/dev/null || true
udevadm settle
expect_exit 5 "$PFSADM" format "$SECOND"
grep -q 'linux_raid_member' /tmp/expect_exit.out || fail "format does not name the RAID signature"
"$PFSADM" format --force "$SECOND" | grep -q 'wiped 1 signature' || fail "format --force wiped nothing"
if blkid -p "$SECOND" >/tmp/blkid.out 2>&1; then
	fail "a signature survived format --force: $(cat /tmp/blkid.out)"
fi
"$PFSADM" --pool "$SECOND" list >/dev/null || fail "the pool format --force wrote does not load"
wipefs -a -q "$SECOND"
dd if=/dev/zero of="$SECOND" bs=1M count=1 oflag=direct status=none
expect_exit 4 "$PFSADM" --pool "$SECOND" list		# not a pool
expect_exit 1 "$PFSADM" format --align 3K "$POOL"

"$PFSADM" format "$POOL" >/dev/null
export PFS_POOL=$POOL
"$PFSADM" create vm1 20G >/dev/null
[ "$(blockdev --getsize64 /dev/mapper/pfs-vm1)" -eq $((20 << 30)) ] || fail "vm1 is not 20G"

# Bad input: one line, non-zero, pool unchanged.
unchanged 1 "$PFSADM" create bad/name 1G
unchanged 1 "$PFSADM" create .. 1G
unchanged 1 "$PFSADM" create "$(printf 'a\tb')" 1G
unchanged 1 "$PFSADM" create "$(head -c 124 /dev/zero | tr '\0' x)" 1G
unchanged 1 "$PFSADM" create x 0
unchanged 1 "$PFSADM" create x 12Q
unchanged 1 "$PFSADM" create x
unchanged 1 "$PFSADM" create --weight 0 x 1G
unchanged 1 "$PFSADM" create --bogus x 1G
unchanged 5 "$PFSADM" create vm1 1G
unchanged 6 "$PFSADM" create huge 100G
grep -q 'largest free extent is 44.0G' /tmp/expect_exit.out || fail "no largest-extent hint"
# 2^64 - 1 bytes: refused as too big to fit, not wrapped round to nothing.
unchanged 6 "$PFSADM" create huge 18446744073709551615b
grep -q "no free extent of 16.0E" /tmp/expect_exit.out || fail "2^64-1 bytes: $(cat /tmp/expect_exit.out)"
unchanged 4 "$PFSADM" remove nosuch
unchanged 4 "$PFSADM" show nosuch
unchanged 1 "$PFSADM" resize vm1 10G
unchanged 6 "$PFSADM" resize vm1 70G
grep -q 'end of the pool' /tmp/expect_exit.out || fail "resize does not name the obstacle"
unchanged 1 "$PFSADM" nosuchcommand
unchanged 2 setpriv --reuid=65534 --regid=65534 --clear-groups "$PFSADM" list
grep -q 'Permission denied' /tmp/expect_exit.out || fail "no permission message for non-root"

# qemu-io through the device; the bytes land at start + offset on the disk.
start=$(image_field vm1 start_sector)
qemu_io_ok -f raw -c 'write -P 0xa5 0 1M' -c 'write -P 0x5a 19G 1M' /dev/mapper/pfs-vm1 ||
	fail "qemu-io write failed"
qemu_io_ok -f raw -c 'read -P 0xa5 0 1M' -c 'read -P 0x5a 19G 1M' /dev/mapper/pfs-vm1 ||
	fail "qemu-io read back failed"
# The check itself can fail: the wrong pattern is reported as such.
qemu_io_ok -f raw -c 'read -P 0x5b 19G 1M' /dev/mapper/pfs-vm1 2>/dev/null &&
	fail "qemu_io_ok passed a wrong pattern"
qemu_io_ok -f raw -c "read -P 0x5a $((start * 512 + (19 << 30))) 1M" "$POOL" ||
	fail "pattern not at start + 19G on the raw disk"
qemu-img info /dev/mapper/pfs-vm1 | grep -q 'virtual size: 20 GiB' || fail "qemu-img info"

# set: persisted and live.
"$PFSADM" set vm1 --weight 300 --iops-max 5000 --bps-max 100M
[ "$(image_field vm1 weight)" = 300 ] && [ "$(image_field vm1 bps_max)" = $((100 << 20)) ] ||
	fail "set did not persist"
dmsetup status pfs-vm1 | grep -q "weight=300 iops_max=5000 bps_max=$((100 << 20))" ||
	fail "set not applied live: $(dmsetup status pfs-vm1)"
unchanged 1 "$PFSADM" set vm1 --weight 10001
unchanged 1 "$PFSADM" set vm1
# A cap of "1000000" would be a million MiB/s, no cap at all: refused.
unchanged 1 "$PFSADM" set vm1 --bps-max 1000000
grep -q "has no unit" /tmp/expect_exit.out || fail "a unitless --bps-max was not named: $(cat /tmp/expect_exit.out)"
unchanged 1 "$PFSADM" create capped 1G --bps-max 5000
"$PFSADM" set vm1 --bps-max 1000000B
[ "$(image_field vm1 bps_max)" = 1000000 ] || fail "--bps-max 1000000B did not mean bytes per second"
"$PFSADM" set vm1 --bps-max 100M

# resize: grow live while the device is open; shrink needs --force.
exec 3<>/dev/mapper/pfs-vm1
"$PFSADM" resize vm1 24G >/dev/null
[ "$(blockdev --getsize64 /dev/mapper/pfs-vm1)" -eq $((24 << 30)) ] || fail "grow not live"
exec 3<&-
qemu_io_ok -f raw -c 'read -P 0x5a 19G 1M' /dev/mapper/pfs-vm1 || fail "data lost by grow"
"$PFSADM" resize --force vm1 20G >/dev/null
[ "$(blockdev --getsize64 /dev/mapper/pfs-vm1)" -eq $((20 << 30)) ] || fail "shrink failed"

# Best fit: a second image, then the obstacle is named.
"$PFSADM" create vm2 1G >/dev/null
unchanged 6 "$PFSADM" resize vm1 21G
grep -q 'then vm2' /tmp/expect_exit.out || fail "resize does not name vm2 as the obstacle"
"$PFSADM" list --json | grep -q '"name":"vm2"' || fail "list --json"
"$PFSADM" list --free | grep -q 'fragmentation' || fail "list --free"

# What an admin reads: list sorted by name with each image's state, show
# in words, pools with what is used and free.
"$PFSADM" create aaa 64M >/dev/null
[ "$("$PFSADM" list --names | tr '\n' ' ')" = "aaa vm1 vm2 " ] ||
	fail "list is not sorted by name: $("$PFSADM" list --names | tr '\n' ' ')"
"$PFSADM" list | awk 'NR > 1 { print $1 }' | tr '\n' ' ' | grep -qx 'aaa vm1 vm2 ' ||
	fail "list's rows are not sorted by name"
state_of() { "$PFSADM" list | awk -v n="$1" '$1 == n { print $3 }'; }
[ "$(state_of aaa)" = active ] || fail "a fresh image is listed $(state_of aaa)"
exec 3<>/dev/mapper/pfs-aaa
[ "$(state_of aaa)" = open ] || fail "an open image is listed $(state_of aaa)"
grep -qx 'state      open (1 opener)' <("$PFSADM" show aaa) || fail "show of an open image: $("$PFSADM" show aaa)"
exec 3<&-
dmsetup suspend pfs-aaa
[ "$(state_of aaa)" = suspended ] || fail "a suspended image is listed $(state_of aaa)"
dmsetup resume pfs-aaa
"$PFSADM" deactivate aaa
[ "$(state_of aaa)" = inactive ] || fail "an inactive image is listed $(state_of aaa)"
"$PFSADM" activate aaa >/dev/null
"$PFSADM" list | awk '$1 == "vm1" { print $4, $5, $6 }' | grep -qx '300 5000 100.0M/s' ||
	fail "vm1's caps are listed as $("$PFSADM" list | awk '$1 == "vm1" { print $4, $5, $6 }')"
# Columns, sort and units as lvs takes them.
[ "$("$PFSADM" list --noheadings -o name --sort size | tr '\n' ' ')" = "aaa vm2 vm1 " ] ||
	fail "list --sort size: $("$PFSADM" list --noheadings -o name --sort size)"
[ "$("$PFSADM" list --names --sort -start | tr '\n' ' ')" = "aaa vm2 vm1 " ] ||
	fail "list --names --sort -start: $("$PFSADM" list --names --sort -start)"
"$PFSADM" list -o name,size,weight --units m --nosuffix >/tmp/units.out
grep -qx 'NAME *SIZE *WEIGHT' /tmp/units.out || fail "list -o headings: $(cat /tmp/units.out)"
grep -qx 'aaa *64.00 *100' /tmp/units.out || fail "list --units m --nosuffix: $(cat /tmp/units.out)"
"$PFSADM" list -o +uuid,open --units b | awk '$1 == "aaa" { print $2, $9, $10 }' >/tmp/units.out
aaa_uuid=$("$PFSADM" show --json aaa | python3 -c 'import json, sys; print(json.load(sys.stdin)["image"]["uuid"])')
grep -qx "67108864B $aaa_uuid 0" /tmp/units.out ||
	fail "list -o +uuid,open --units b: $(cat /tmp/units.out)"
"$PFSADM" list --json --sort size | python3 -c 'import json,sys; print(*[i["name"] for i in json.load(sys.stdin)["images"]])' |
	grep -qx 'aaa vm2 vm1' || fail "list --json ignores --sort"
unchanged 1 "$PFSADM" list -o name,bogus
grep -q "unknown field 'bogus'; fields: name,uuid,size" /tmp/expect_exit.out || fail "bad -o: $(cat /tmp/expect_exit.out)"
unchanged 1 "$PFSADM" list --sort nosuch
unchanged 1 "$PFSADM" list --units x
start=$(image_field aaa start_sector)
"$PFSADM" show aaa >/tmp/show.out
for line in "size       64.0M (131072 sectors)" "start      .* into .* (sector $start)" \
	"end        .* (sector $((start + 131072)), exclusive)" "state      active" \
	"iops_max   none" "bps_max    none" "flags      in-use" \
	"created    [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z"; do
	grep -qx "$line" /tmp/show.out || { cat /tmp/show.out >&2; fail "show has no line '$line'"; }
done
[ "$(image_field aaa state)" = active ] || fail "show --json has no state"
"$PFSADM" pools --json >/tmp/pools.json
python3 - "$(readlink -f "$POOL")" $(((20 << 30) + (1 << 30) + (64 << 20))) /tmp/pools.json "$FORMAT_VERSION" <<'PY' ||
import json, os, sys
dev, used, path, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
r = json.load(open(path))
assert r["version"] == 1, r
pools = [p for p in r["pools"] if os.path.realpath(p["device"]) == dev]
assert len(pools) == 1, r
p = pools[0]
assert p["format_version"] == version and p["images"] == 3 and p["max_images"] >= 3, p
assert p["used_bytes"] == used, p
assert 0 < p["largest_free_bytes"] <= p["free_bytes"], p
assert p["used_bytes"] + p["free_bytes"] <= p["data_bytes"], p
assert p["data_bytes"] - p["used_bytes"] - p["free_bytes"] < 8 << 20, p
PY
	fail "pools --json: $(cat /tmp/pools.json)"
"$PFSADM" pools | awk 'NR == 2 { print $3, $6, $7 }' | grep -qx "21.1G 3/1024 $FORMAT_VERSION" ||
	fail "pools: $("$PFSADM" pools)"
unchanged 1 "$PFSADM" pools extra
# What an admin sees, kept in the results.
"$PFSADM" pools | sed 's/^/report: pools | /'
"$PFSADM" list | sed 's/^/report: list | /'
"$PFSADM" show vm1 | sed 's/^/report: show | /'
# Every --json report has the documented envelope and fields.
"$PFSADM" list --json >/tmp/list.json
"$PFSADM" show --json aaa >/tmp/show.json
"$PFSADM" list --free --json >/tmp/free.json
"$PFSADM" calibrate --show --json >/tmp/model.json
python3 - "$(readlink -f "$POOL")" <<'PY' || fail "a JSON report does not match docs/pfsadm.md"
import json, os, sys
dev = sys.argv[1]
image_fields = {"name", "uuid", "start_sector", "sectors", "size_bytes", "weight", "iops_max",
                "bps_max", "created", "flags", "moving", "moving_back", "cloning", "clone_being_made",
                "moving_to_pool", "incoming",
                "active", "state", "open_count", "device"}
def report(path, fields):
    r = json.load(open(path))
    assert r["version"] == 1, (path, r)
    assert os.path.realpath(r["pool"]["device"]) == dev and len(r["pool"]["uuid"]) == 36, (path, r)
    assert set(r) == {"version", "pool"} | fields, (path, sorted(r))
    return r
r = report("/tmp/list.json", {"images"})
assert [i["name"] for i in r["images"]] == ["aaa", "vm1", "vm2"], r
for i in r["images"]:
    assert set(i) == image_fields, sorted(i)
r = report("/tmp/show.json", {"image"})
assert set(r["image"]) == image_fields and r["image"]["name"] == "aaa", r
assert r["image"]["state"] == "active" and r["image"]["active"] is True, r
r = report("/tmp/free.json", {"free_extents", "free_sectors", "dirty_sectors",
                               "fragmentation_percent"})
assert sum(x["sectors"] for x in r["free_extents"]) == r["free_sectors"], r
r = report("/tmp/model.json", {"calibrated", "calibrate_time", "model"})
PY

# remove asks on a terminal: no keeps the image, yes removes it; so does
# a shrink of an open image. -y never asks, nor does a script (no tty).
on_tty() { script -qec "$*" /dev/null; }
printf 'n\n' | on_tty "$PFSADM remove aaa" >/tmp/ask.out 2>&1 && fail "remove went ahead on 'n'"
grep -q 'Remove image aaa (64.0M)? Its data is lost. \[y/N\]' /tmp/ask.out ||
	fail "remove did not ask: $(cat /tmp/ask.out)"
"$PFSADM" show aaa >/dev/null || fail "remove answered 'n' removed the image"
printf 'yes\n' | on_tty "$PFSADM remove aaa" >/tmp/ask.out 2>&1 ||
	fail "remove answered 'yes' failed: $(cat /tmp/ask.out)"
"$PFSADM" show aaa >/dev/null 2>&1 && fail "remove answered 'yes' left the image"
"$PFSADM" create aaa 64M >/dev/null
exec 3<>/dev/mapper/pfs-aaa
printf 'n\n' | on_tty "$PFSADM resize --force aaa 32M" >/tmp/ask.out 2>&1 &&
	fail "a shrink of an open image went ahead on 'n'"
grep -q 'Shrink aaa from 64.0M to 32.0M while it is open' /tmp/ask.out ||
	fail "a shrink of an open image did not ask: $(cat /tmp/ask.out)"
[ "$(image_field aaa sectors)" = 131072 ] || fail "a declined shrink changed the image"
on_tty "$PFSADM resize --force -y aaa 32M" </dev/null >/tmp/ask.out 2>&1 ||
	fail "resize -y failed: $(cat /tmp/ask.out)"
grep -q 'y/N' /tmp/ask.out && fail "resize -y asked"
[ "$(image_field aaa sectors)" = 65536 ] || fail "resize -y did not shrink"
exec 3<&-
"$PFSADM" remove aaa >/dev/null

# Sizes as lvcreate and lvresize take them: decimals, +SIZE, -SIZE,
# N%FREE (create: of the largest free extent), +N%FREE (resize: of the
# free space right after the image).
"$PFSADM" create dec 0.5G >/dev/null
[ "$(image_field dec sectors)" = $((512 << 11)) ] || fail "0.5G is $(image_field dec sectors) sectors"
"$PFSADM" resize dec +256M >/dev/null
[ "$(image_field dec sectors)" = $((768 << 11)) ] || fail "+256M gave $(image_field dec sectors) sectors"
unchanged 1 "$PFSADM" resize dec -256M
"$PFSADM" resize --force dec -512M >/dev/null
[ "$(image_field dec sectors)" = $((256 << 11)) ] || fail "-512M gave $(image_field dec sectors) sectors"
unchanged 1 "$PFSADM" resize --force dec -256M
unchanged 1 "$PFSADM" resize dec 50%FREE
unchanged 1 "$PFSADM" create rel +1G
unchanged 1 "$PFSADM" create rel 50%FRE
unchanged 1 "$PFSADM" create rel 0%FREE
unchanged 1 "$PFSADM" create rel 1.5S
unchanged 1 "$PFSADM" create rel 1.0000000001G
largest=$("$PFSADM" pools --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["pools"][0]["largest_free_bytes"] // 512)')
"$PFSADM" create rest 100%FREE >/dev/null
[ "$(image_field rest sectors)" = $((largest / 2048 * 2048)) ] ||
	fail "100%FREE of $largest sectors gave $(image_field rest sectors)"
"$PFSADM" remove --no-wipe rest >/dev/null
after=$("$PFSADM" list --free --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(max(x["sectors"] for x in r["free_extents"]))')
"$PFSADM" resize dec +50%FREE >/dev/null
grown=$(image_field dec sectors)
[ "$grown" -gt $((256 << 11)) ] && [ "$grown" -le $(((256 << 11) + after / 2)) ] ||
	fail "+50%FREE grew dec to $grown sectors ($after free)"
"$PFSADM" remove dec >/dev/null

# dump, wipe the metadata, restore: the same images, and the data is still there.
"$PFSADM" dump "$POOL" >/tmp/dump.json
"$PFSADM" deactivate --all
dd if=/dev/zero of="$POOL" bs=512 count=1048 conv=notrunc status=none
expect_exit 4 "$PFSADM" list
"$PFSADM" restore "$POOL" /tmp/dump.json >/dev/null
"$PFSADM" activate --all >/dev/null
[ "$(image_field vm1 weight)" = 300 ] || fail "restore lost QoS"
qemu_io_ok -f raw -c 'read -P 0x5a 19G 1M' /dev/mapper/pfs-vm1 || fail "data lost by restore"
unchanged 1 "$PFSADM" restore "$POOL" /etc/hostname
# restore refuses another tool's data and another pool (by UUID) unless
# --force, and leaves them as they were.
mkfs.ext4 -q -F "$SECOND"
expect_exit 5 "$PFSADM" restore "$SECOND" /tmp/dump.json
grep -q 'already holds data (ext4' /tmp/expect_exit.out || fail "restore over ext4: $(cat /tmp/expect_exit.out)"
blkid -p "$SECOND" | grep -q 'TYPE="ext4"' || fail "a refused restore touched the ext4"
"$PFSADM" format --force "$SECOND" >/dev/null
read_sectors "$SECOND" 0 1048 | sha256sum >/tmp/second.meta
expect_exit 5 "$PFSADM" restore "$SECOND" /tmp/dump.json
grep -q 'holds another pool' /tmp/expect_exit.out || fail "restore over another pool: $(cat /tmp/expect_exit.out)"
read_sectors "$SECOND" 0 1048 | sha256sum | cmp -s - /tmp/second.meta ||
	fail "a refused restore changed the other pool"
dd if=/dev/zero of="$SECOND" bs=1M count=1 oflag=direct status=none

# Both copies damaged: refused, never guessed; restore brings the pool back.
"$PFSADM" check "$POOL" >/dev/null
"$PFSADM" deactivate --all
dd if=/dev/urandom of="$POOL" bs=512 seek=20 count=1 conv=notrunc status=none
dd if=/dev/urandom of="$POOL" bs=512 seek=540 count=1 conv=notrunc status=none
expect_exit 4 "$PFSADM" list
grep -q 'no valid allocation table' /tmp/expect_exit.out || fail "both copies bad: wrong error"
"$PFSADM" restore "$POOL" /tmp/dump.json >/dev/null
# One copy damaged: check reports it, --repair rewrites it from the other.
dd if=/dev/urandom of="$POOL" bs=512 seek=540 count=1 conv=notrunc status=none
"$PFSADM" list | grep -q '^vm1 ' || fail "one damaged copy lost the pool"
expect_exit 4 "$PFSADM" check "$POOL"
grep -q 'damaged' /tmp/expect_exit.out || fail "check does not report the damage"
"$PFSADM" check --repair "$POOL" | grep -q repaired || fail "repair did nothing"
"$PFSADM" check "$POOL" >/dev/null || fail "check still fails after repair"
# A stale mirror (a cut between the two copy writes): reported, repaired.
read_sectors "$POOL" 8 1040 >/tmp/copies.old
"$PFSADM" set vm1 --weight 301
dd if=/tmp/copies.old of="$POOL" bs=512 seek=8 count=520 oflag=direct conv=notrunc status=none
expect_exit 4 "$PFSADM" check "$POOL"
grep -q 'is stale' /tmp/expect_exit.out || { cat /tmp/expect_exit.out; fail "check passes a stale mirror"; }
"$PFSADM" check --repair "$POOL" | grep -q repaired || fail "repair left the stale mirror"
"$PFSADM" check "$POOL" >/dev/null || fail "check still fails after repairing a stale mirror"
[ "$(image_field vm1 weight)" = 301 ] || fail "repair went back to the older table"
"$PFSADM" activate --all >/dev/null

# Pool selection: --pool, PFS_POOL, /etc/pfs.conf, then the only pool found.
unset PFS_POOL
"$PFSADM" list | grep -q '^vm1 ' || fail "the only pool was not found by scanning"
# Another path to the same pool is the same pool; a suspended device is
# not read at all (its I/O would wait for a resume, and so would the scan).
dmsetup create alias --table "0 $(blockdev --getsz "$POOL") linear $POOL 0"
"$PFSADM" list >/tmp/scan.out 2>&1 || fail "an alias made the scan see two pools: $(cat /tmp/scan.out)"
dmsetup suspend alias
timeout 60 "$PFSADM" list >/tmp/scan.out 2>&1 || fail "the scan hung on or failed at a suspended device: $(cat /tmp/scan.out)"
dmsetup resume alias
dmsetup remove alias
"$PFSADM" format "$SECOND" >/dev/null
expect_exit 1 "$PFSADM" list
grep -q '2 pools found' /tmp/expect_exit.out || fail "several pools are not listed"
"$PFSADM" --pool "$SECOND" create onsecond 8M >/dev/null
"$PFSADM" --pool "$SECOND" deactivate onsecond
echo "pool = $SECOND" >/etc/pfs.conf
"$PFSADM" list >/tmp/conf.out || fail "list with /etc/pfs.conf failed: $(cat /tmp/conf.out)"
grep -q '^onsecond ' /tmp/conf.out && ! grep -q '^vm1 ' /tmp/conf.out ||
	fail "/etc/pfs.conf ignored: $(cat /tmp/conf.out)"
PFS_POOL=$POOL "$PFSADM" list | grep -q '^vm1 ' || fail "PFS_POOL ignored"
"$PFSADM" --pool "$POOL" list | grep -q '^vm1 ' || fail "--pool ignored"
# A pool named by its UUID, wherever a pool is named; check and dump
# without DEVICE take the pool so named.
uuid=$("$PFSADM" --pool "$POOL" pools --json |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["pools"][0]["uuid"])')
echo "pool = UUID=$uuid" >/etc/pfs.conf
"$PFSADM" list | grep -q '^vm1 ' || fail "pool = UUID=... in /etc/pfs.conf ignored"
"$PFSADM" check >/tmp/conf.out || fail "check without DEVICE: $(cat /tmp/conf.out)"
"$PFSADM" dump | grep -q "\"pool_uuid\":\"$uuid\"" || fail "dump without DEVICE took another pool"
rm /etc/pfs.conf
"$PFSADM" --pool "UUID=$uuid" list | grep -q '^vm1 ' || fail "--pool UUID=... ignored"
PFS_POOL="UUID=$uuid" "$PFSADM" list | grep -q '^vm1 ' || fail "PFS_POOL=UUID=... ignored"
"$PFSADM" check "UUID=$uuid" >/dev/null || fail "check UUID=... failed"
unchanged 4 "$PFSADM" --pool UUID=00000000-0000-0000-0000-000000000000 list
unchanged 1 "$PFSADM" --pool UUID=nonsense list
unchanged 1 "$PFSADM" check
# Two pools with an image of the same name: the second pool's vm1 is
# refused activation with the clash named (not skipped as "active"), and
# its resize, set and remove leave the first pool's pfs-vm1 alone.
"$PFSADM" --pool "$POOL" deactivate vm1
"$PFSADM" --pool "$SECOND" create vm1 8M >/dev/null
"$PFSADM" --pool "$SECOND" deactivate vm1
"$PFSADM" --pool "$POOL" activate vm1 >/dev/null
expect_fail "activate of a clashing name" "$PFSADM" --pool "$SECOND" activate vm1
grep -q 'maps another image' /tmp/expect_fail.out || fail "no clash message: $(cat /tmp/expect_fail.out)"
"$PFSADM" --pool "$SECOND" resize vm1 16M >/dev/null
"$PFSADM" --pool "$SECOND" set vm1 --weight 42
"$PFSADM" --pool "$SECOND" remove vm1 >/dev/null
[ "$(blockdev --getsize64 /dev/mapper/pfs-vm1)" -eq $((20 << 30)) ] ||
	fail "the second pool's vm1 changed the first pool's pfs-vm1"
dmsetup status pfs-vm1 | grep -q ' weight=301 ' || fail "set reached the other pool's device"
qemu_io_ok -f raw -c 'read -P 0x5a 19G 1M' /dev/mapper/pfs-vm1 || fail "the first pool's vm1 lost its data"
"$PFSADM" --pool "$POOL" deactivate --all
"$PFSADM" --pool "$POOL" remove --no-wipe vm2
