# Table lines that do not describe exactly one image's extent, and pools
# whose metadata cannot be trusted, are refused with their own ti->error
# (each looked for in the kernel log lines of that attempt only), and leave
# no device behind. The exact line maps the image's own bytes.
. ./lib.sh
export PFS_POOL=$POOL	# a second pool appears on /dev/vdb below
fresh_pool
"$PFSADM" create a 16M >/dev/null
"$PFSADM" create b 16M >/dev/null
"$PFSADM" deactivate b
pool=$(pool_majmin)
a_start=$(image_field a start_sector)
b_start=$(image_field b start_sector)
len=$(image_field b sectors)

refused "Range is not inside the image's extent" "0 $((len + 8)) pfs $pool b $b_start"
refused "Range is not inside the image's extent" "0 $((len + 2048)) pfs $pool b $b_start"
refused "Range is not inside the image's extent" "0 $len pfs $pool b $a_start"
refused "Range is not inside the image's extent" "0 $((len - 8)) pfs $pool b $((b_start + 8))"
refused "Unknown image" "0 $len pfs $pool nosuch $b_start"
refused "Invalid argument count: need <pool> <image> <start> [<pool moved to>]" "0 $len pfs $pool b"
refused "Invalid start sector" "0 $len pfs $pool b 12x"
refused "Image name too long" "0 $len pfs $pool $(printf 'b%.0s' $(seq 128)) $b_start"
refused "Image is already active in another device" "0 $len pfs $pool a $a_start"
refused "Pool device lookup failed" "0 $len pfs /dev/nonexistent b $b_start"

# The exact line is accepted and maps b's own bytes: what is written at
# b's extent on the pool reads back through the device, and a's data is
# not what it shows.
write_pattern /dev/mapper/pfs-a 3 16
write_pattern "$POOL" 4 1 $((b_start / 2048))
dmsetup create good --table "0 $len pfs $pool b $b_start"
check_pattern /dev/mapper/good 4 1
dmsetup remove good
check_pattern /dev/mapper/pfs-a 3 16
"$PFSADM" deactivate a

# A pool that cannot be read: an I/O error on the metadata.
dmsetup create broken --table "0 $(blockdev --getsz "$POOL") error"
refused "Cannot read pool metadata" "0 $len pfs $(dm_majmin broken) b $b_start"
dmsetup remove broken

# A damaged superblock: every way it can be wrong has its own message.
dd if="$POOL" of=/tmp/sb.orig bs=512 count=1 status=none
sb_edit() {	# PYTHON on sb; CSUM=0 leaves the checksum as it is
	python3 pfs_meta.py "$POOL" "$([ "${CSUM:-1}" = 1 ] && echo sb || echo sb-raw)" "$1"
}
sb_restore() {
	dd if=/tmp/sb.orig of="$POOL" bs=512 count=1 conv=notrunc,fsync status=none
}
CSUM=0 sb_edit 'sb[100] ^= 0xff'
refused "superblock checksum mismatch" "0 $len pfs $pool b $b_start"
sb_restore
sb_edit 'sb[0:8] = b"NOTAPOOL"'
refused "not a dm-pfs pool (bad superblock magic)" "0 $len pfs $pool b $b_start"
sb_restore
sb_edit "sb[8:12] = struct.pack('<I', $((FORMAT_VERSION + 1)))"
refused "pool format version is newer than this code supports" "0 $len pfs $pool b $b_start"
sb_restore
sb_edit 'sb[8:12] = struct.pack("<I", 0)'
refused "unknown pool format version" "0 $len pfs $pool b $b_start"
sb_restore
sb_edit 'sb[32:40] = struct.pack("<Q", struct.unpack("<Q", sb[32:40])[0] * 2)'
refused "pool device is smaller than its superblock says" "0 $len pfs $pool b $b_start"
sb_restore
# The restored superblock maps again: the refusals came from the edits.
dmsetup create good --table "0 $len pfs $pool b $b_start"
dmsetup remove good

# A move's fields are checked as the rest of an entry: copy fields without
# a move, a copy region that is no power of two, a destination over
# another image.
read_sectors "$POOL" 0 1048 >/tmp/meta.before
meta_restore() { dd if=/tmp/meta.before of="$POOL" bs=512 count=1048 oflag=direct conv=notrunc status=none; }
python3 pfs_meta.py "$POOL" table 'e = entries(t)["b"]; struct.pack_into("<Q", t, e.off + 192, 4096)'
table_refused "table copy 0: table entry has a copy but no move; table copy 1: table entry has a copy but no move" "0 $len pfs $pool b $b_start"
meta_restore
python3 pfs_meta.py "$POOL" table 'e = entries(t)["b"]; struct.pack_into("<IIQQI", t, e.off + 184, 3, struct.unpack_from("<I", t, e.off + 188)[0], e.start + 2 * e.length, 0, 3000)'
table_refused "table copy 0: table entry has an invalid copy state; table copy 1: table entry has an invalid copy state" "0 $len pfs $pool b $b_start"
meta_restore
python3 pfs_meta.py "$POOL" table 'e = entries(t)["b"]; struct.pack_into("<IIQQI", t, e.off + 184, 3, struct.unpack_from("<I", t, e.off + 188)[0], entries(t)["a"].start, 0, 2048)'
table_refused "table copy 0: table entries overlap; table copy 1: table entries overlap" "0 $len pfs $pool b $b_start"
meta_restore
dmsetup create good --table "0 $len pfs $pool b $b_start"
dmsetup remove good

# Reformatted under a live image: a line for the new pool is refused while
# an image of the old one is mapped.
"$PFSADM" activate a >/dev/null
dd if=/dev/zero of=/dev/vdb bs=1M count=1 oflag=direct status=none
"$PFSADM" format --force /dev/vdb >/dev/null
"$PFSADM" --pool /dev/vdb create c 16M >/dev/null
"$PFSADM" --pool /dev/vdb deactivate c
c_start=$(PFS_POOL=/dev/vdb image_field c start_sector)
read_sectors /dev/vdb 0 1048 >/tmp/other.meta
read_sectors "$POOL" 0 1048 >/tmp/pool.meta
dd if=/tmp/other.meta of="$POOL" bs=512 count=1048 oflag=direct conv=notrunc status=none
refused "Pool was reformatted while images are active" "0 $len pfs $pool c $c_start"
dd if=/tmp/pool.meta of="$POOL" bs=512 count=1048 oflag=direct conv=notrunc status=none
"$PFSADM" deactivate a

# Both table copies damaged.
for copy in 8 528; do	# table copies start at sectors 8 and 528
	dd if=/dev/urandom of="$POOL" bs=512 seek=$((copy + 9)) count=1 conv=notrunc status=none
done
refused "Pool has no valid allocation table" "0 $len pfs $pool b $b_start"
