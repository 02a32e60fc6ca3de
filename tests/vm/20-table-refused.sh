# Table lines that do not describe exactly one image's extent are refused
# with a clear error, and leave no device behind.
. ./lib.sh
fresh_pool
"$PFSADM" create a 16M >/dev/null
"$PFSADM" create b 16M >/dev/null
"$PFSADM" deactivate b
pool=$(pool_majmin)
a_start=$(image_field a start_sector)
b_start=$(image_field b start_sector)
len=$(image_field b sectors)

refused() {	# REASON TABLE
	if dmsetup create bad --table "$2" 2>/tmp/refused.err; then
		dmsetup remove bad
		fail "accepted: $2"
	fi
	dmsetup info bad >/dev/null 2>&1 && fail "device left behind by: $2"
	dmesg | tail -n 5 | grep -q "$1" || fail "dmesg lacks '$1' for: $2"
}

refused "Range is not the image's extent" "0 $((len - 8)) pfs $pool b $b_start"
refused "Range is not the image's extent" "0 $((len + 2048)) pfs $pool b $b_start"
refused "Range is not the image's extent" "0 $len pfs $pool b $a_start"
refused "Unknown image" "0 $len pfs $pool nosuch $b_start"
refused "Invalid argument count" "0 $len pfs $pool b"
refused "Invalid start sector" "0 $len pfs $pool b 12x"
refused "Image is already active in another device" "0 $len pfs $pool a $a_start"
refused "Pool device lookup failed" "0 $len pfs /dev/nonexistent b $b_start"

# The exact line is accepted and reads what the image holds.
write_pattern /dev/mapper/pfs-a 3 16
dmsetup create good --table "0 $len pfs $pool b $b_start"
dmsetup remove good

# A pool whose superblock or both table copies are damaged is refused.
"$PFSADM" deactivate a
dd if=/dev/urandom of="$POOL" bs=1 seek=100 count=8 conv=notrunc status=none
refused "superblock checksum mismatch" "0 $len pfs $pool b $b_start"
fresh_pool
"$PFSADM" create b 16M >/dev/null
"$PFSADM" deactivate b
b_start=$(image_field b start_sector)
for copy in 8 528; do	# table copies start at sectors 8 and 528
	dd if=/dev/urandom of="$POOL" bs=512 seek=$((copy + 9)) count=1 conv=notrunc status=none
done
refused "Pool has no valid allocation table" "0 $len pfs $pool b $b_start"
