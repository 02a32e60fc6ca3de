# No image is mapped twice, and no live maps overlap, however the pool is
# reached: the kernel keeps one registry of live maps per pool UUID, not per
# device number. Tried through a linear alias of the whole pool, two loop
# devices on one pool file, a hand-made map under a foreign name, and a
# table rewritten under a live map so that another image's extent covers
# it. A line shorter than its image (a shrink's first step) is accepted.
. ./lib.sh
export PFS_POOL=$POOL
fresh_pool
pool=$(pool_majmin)

# Two images, a and b, each 4 MiB, a active as pfs-a.
"$PFSADM" create a 4M >/dev/null
"$PFSADM" create b 4M >/dev/null
"$PFSADM" deactivate b
a_start=$(image_field a start_sector)
b_start=$(image_field b start_sector)
len=$(image_field a sectors)
write_pattern /dev/mapper/pfs-a 61 4

# The same pool through a linear alias of the whole device.
dmsetup create alias --table "0 $(blockdev --getsz "$POOL") linear $POOL 0"
alias=$(dm_majmin alias)
refused "Image is already active in another device" "0 $len pfs $alias a $a_start"
refused "Image is already active in another device" "0 $len pfs $pool a $a_start"
# One map of b through the alias is fine, and it is b's data; then b is
# taken, through any path.
dmsetup create b-by-alias --table "0 $len pfs $alias b $b_start"
refused "Image is already active in another device" "0 $len pfs $pool b $b_start"
expect_fail "pfsadm activate of an image mapped through an alias" "$PFSADM" activate b
dmsetup remove b-by-alias
check_pattern /dev/mapper/pfs-a 61 4

# A shorter line is accepted (the extent's head), a longer one is not.
dmsetup create short --table "0 $((len - 2048)) pfs $pool b $b_start"
[ "$(blockdev --getsz /dev/mapper/short)" -eq $((len - 2048)) ] || fail "short map has the wrong size"
dmsetup remove short
refused "Range is not inside the image's extent" "0 $((len + 8)) pfs $pool b $b_start"
refused "Range is not inside the image's extent" "0 $((len - 2048)) pfs $pool b $((b_start + 2048))"

# A table rewritten under a live map: image x's extent covers b's, which a
# foreign-named device maps. The kernel refuses the overlap, to the sector.
"$PFSADM" deactivate a
dmsetup create held --table "0 $len pfs $alias b $b_start"
read_sectors "$POOL" 0 1048 >/tmp/meta.now
python3 pfs_meta.py "$POOL" table '
e = entries(t)
e["a"].name, e["a"].length = "x", 3 * e["a"].length	# a becomes x, over b
e["b"].clear()'
[ "$(PFS_POOL=$POOL image_field x sectors)" -eq $((3 * len)) ] || fail "the table edit did not take"
refused "Range overlaps a live map of another image" "0 $((3 * len)) pfs $pool x $a_start"
refused "Range overlaps a live map of another image" "0 $((len + 8)) pfs $alias x $a_start"
dmsetup create x-head --table "0 $len pfs $pool x $a_start"	# up to b: no overlap
dmsetup remove x-head
dd if=/tmp/meta.now of="$POOL" bs=512 count=1048 oflag=direct conv=notrunc status=none
dmsetup remove held

# Two loop devices on one pool file are one pool.
modprobe loop
truncate -s 256M /tmp/pool.img
l1=$(losetup -f --show /tmp/pool.img)
l2=$(losetup -f --show /tmp/pool.img)
"$PFSADM" format --force "$l1" >/dev/null
"$PFSADM" --pool "$l1" create c 16M >/dev/null
c_start=$(PFS_POOL=$l1 image_field c start_sector)
refused "Image is already active in another device" "0 $len pfs $l2 c $c_start"
"$PFSADM" --pool "$l1" deactivate c
dmsetup create c-by-l2 --table "0 $len pfs $l2 c $c_start"
dmsetup remove c-by-l2
losetup -d "$l1" "$l2"
rm /tmp/pool.img

dmsetup remove alias
"$PFSADM" check "$POOL" >/dev/null
