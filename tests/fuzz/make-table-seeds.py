#!/usr/bin/env python3
"""Write seed inputs for userspace/fuzz/fuzz-table.c into tests/fuzz/table/.

Each seed is a flag byte, a superblock, and two table copies in the fuzzer's
layout (the first 144 header bytes, through four free-space records, then
entries). The checksums are left zero:
flag bits 0-2 make the fuzzer recompute them.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
UUID = bytes(range(16))


def superblock(align=2048, data_start=2048, sectors=1 << 21, version=6, cost=None):
    sb = b"DMPFS-SB" + struct.pack("<II", version, 0) + UUID
    sb += struct.pack("<QQQQQIIQ", sectors, align, data_start, 8, 528, 520, 1024, 0)
    if cost:  # read_op write_op read_mib write_mib seq_pct flush discard, calibrate_time
        sb += struct.pack("<7IIQ", *cost[:7], 0, cost[7])
    return sb + bytes(512 - len(sb))


def entry(name, start, length, weight=100, flags=1, iops=0, bps=0, move=None, pool=None):
    e = name.encode().ljust(128, b"\0") + bytes(16)
    e += struct.pack("<QQQQQII", start, length, 0, iops, bps, flags, weight)
    if move or pool:  # copy_dest, copy_done, copy_region (version 4; flags bit 1)
        e += struct.pack("<QQI", *(move or (0, 0, 0)))
    if pool:  # the other pool's UUID (version 6; flags bit 5 or 6)
        e += pool
    return e + bytes(256 - len(e))


DIRTY, BUSY = 1, 2


def copy(gen, entries, free=()):
    hdr = b"DMPFS-TB" + struct.pack("<QII", gen, 0, 1024) + UUID
    hdr += struct.pack("<II", len(free), 0)
    for start, length, flags in free:
        hdr += struct.pack("<QQII", start, length, flags, 0)
    return hdr + bytes(144 - len(hdr)) + b"".join(entries)


def seed(name, flags, sb, c0, c1):
    # The fuzzer splits what follows the superblock in two equal halves.
    width = max(len(c0), len(c1))
    data = bytes([flags]) + sb + c0.ljust(width, b"\0") + c1.ljust(width, b"\0")
    with open(os.path.join(HERE, "table", name), "wb") as f:
        f.write(data)


os.makedirs(os.path.join(HERE, "table"), exist_ok=True)
two = [entry("vm1", 2048, 4096), entry("vm2", 8192, 2048, weight=500)]
seed("valid-two-images", 7, superblock(), copy(2, two), copy(1, two[:1]))
seed("valid-empty", 7, superblock(), copy(1, []), copy(0, []))
seed("overlap", 7, superblock(), copy(2, [entry("a", 2048, 8192), entry("b", 4096, 2048)]),
     copy(1, []))
seed("duplicate-name", 7, superblock(), copy(2, [entry("a", 2048, 2048), entry("a", 4096, 2048)]),
     copy(1, []))
seed("bad-checksums", 0, superblock(), copy(2, two), copy(1, two))
seed("newer-version", 7, superblock(version=7), copy(2, two), copy(1, []))
seed("version-4", 7, superblock(version=4), copy(2, two), copy(1, []))
seed("version-3", 7, superblock(version=3), copy(2, two), copy(1, []))
# A move under way: valid; over another image, or with a region of 3
# sectors, refused; the same on a version 3 pool refused (unknown flag).
seed("moving", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=3, move=(16384, 2048, 2048)), two[1]]), copy(1, []))
seed("moving-over-image", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=3, move=(8192, 0, 2048)), two[1]]), copy(1, []))
seed("moving-bad-region", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=3, move=(16384, 0, 3))]), copy(1, []))
seed("moving-v3", 7, superblock(version=3),
     copy(2, [entry("vm1", 2048, 4096, flags=3, move=(16384, 0, 2048))]), copy(1, []))
# Version 5: a move being undone (flags 1|2|4); a clone under way (the
# source 1|8 names the clone 1|16 by its start); a clone no image names,
# a clone of another length and the same on a version 4 pool, refused.
seed("moving-back", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=7, move=(16384, 2048, 2048)), two[1]]), copy(1, []))
seed("cloning", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=9, move=(16384, 2048, 2048)),
              entry("vm1c", 16384, 4096, flags=17), two[1]]), copy(1, []))
seed("clone-orphan", 7, superblock(), copy(2, [entry("vm1c", 16384, 4096, flags=17)]), copy(1, []))
seed("clone-other-length", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=9, move=(16384, 0, 2048)),
              entry("vm1c", 16384, 2048, flags=17)]), copy(1, []))
seed("cloning-v4", 7, superblock(version=4),
     copy(2, [entry("vm1", 2048, 4096, flags=9, move=(16384, 0, 2048)),
              entry("vm1c", 16384, 4096, flags=17)]), copy(1, []))
# Version 6: a move to another pool (flags 1|32: its extent there need not
# be in this pool) and an image incoming from one (1|64); refused: naming
# this pool, an incoming image with copy fields, either on a version 5 pool.
OTHER = bytes(range(100, 116))
seed("to-pool", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=33, move=(1 << 40, 2048, 2048), pool=OTHER), two[1]]),
     copy(1, []))
seed("incoming", 7, superblock(), copy(2, [entry("vm1", 2048, 4096, flags=65, pool=OTHER), two[1]]),
     copy(1, []))
seed("to-own-pool", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=33, move=(16384, 0, 2048), pool=UUID)]), copy(1, []))
seed("incoming-copying", 7, superblock(),
     copy(2, [entry("vm1", 2048, 4096, flags=65, move=(16384, 0, 2048), pool=OTHER)]), copy(1, []))
seed("to-pool-v5", 7, superblock(version=5),
     copy(2, [entry("vm1", 2048, 4096, flags=33, move=(16384, 0, 2048), pool=OTHER)]), copy(1, []))
seed("version-2", 7, superblock(version=2), copy(2, two), copy(1, []))
seed("calibrated", 7, superblock(cost=(50000, 60000, 350000, 420000, 100, 900000, 70000, 1)),
     copy(2, two), copy(1, []))
# A sequential discount of 101 %: refused, by the kernel as by pfsadm.
seed("cost-out-of-bounds", 7, superblock(cost=(50000, 60000, 350000, 420000, 101, 900000, 70000, 1)),
     copy(2, two), copy(1, []))
seed("version-1", 7, superblock(version=1), copy(2, two), copy(1, []))
seed("free-records", 7, superblock(),
     copy(5, [entry("vm1", 4096, 2048)], [(2048, 2048, DIRTY), (6144, 4096, BUSY), (4096, 8192, DIRTY)]),
     copy(4, [entry("vm1", 4096, 2048)]))
# A busy record over an image must be refused: the oracle checks it.
seed("busy-over-image", 7, superblock(),
     copy(5, [entry("vm1", 4096, 2048)], [(4096, 2048, BUSY)]), copy(4, []))
# An extent whose end wraps past 2^64 must not slip past the overlap check.
seed("wrapping-extent", 7, superblock(),
     copy(2, [entry("vm1", 2048, 2048), entry("wrap", (1 << 64) - 2048, 1 << 19)]), copy(1, []))
seed("huge-caps", 7, superblock(), copy(2, [entry("vm1", 2048, 2048, iops=1 << 63, bps=(1 << 64) - 1)]),
     copy(1, []))
seed("small-align", 7, superblock(align=8, data_start=1056), copy(3, [entry("x", 1056, 8)]),
     copy(4, [entry("x", 1056, 16), entry("y", 2048, 8)]))
seed("small-align-v1", 7, superblock(align=8, data_start=1048, version=1),
     copy(3, [entry("x", 1048, 8)]), copy(4, [entry("x", 1048, 16), entry("y", 2048, 8)]))
