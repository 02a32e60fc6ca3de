#!/usr/bin/env python3
"""Edit a pool's metadata by hand, as a careless admin or a hostile tool
would, for the VM tests. Layout: dm-pfs/pfs-format.h.

Usage: pfs_meta.py POOL sb PYTHON        run PYTHON on sb (a bytearray of
                                          the 512-byte superblock), reseal
       pfs_meta.py POOL sb-raw PYTHON    the same, checksum left as it is
       pfs_meta.py POOL table PYTHON     run PYTHON on each table copy t
                                          (bytearray) with entries(t) at
                                          hand, reseal both copies
"""
import struct
import sys

SECTOR = 512
TABLE_OFFSETS = (8, 528)
TABLE_SECTORS = 520
ENTRIES = 1024
HEADER = 4096
ENTRY = 256


def _crc_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def seal(buf, csum_off):
    buf[csum_off:csum_off + 4] = bytes(4)
    struct.pack_into("<I", buf, csum_off, crc32c(bytes(buf)))


class Entry:
    """One table entry, edited in place."""

    def __init__(self, t, off):
        self.t, self.off = t, off

    @property
    def name(self):
        return bytes(self.t[self.off:self.off + 128]).rstrip(b"\0").decode()

    @name.setter
    def name(self, value):
        self.t[self.off:self.off + 128] = value.encode().ljust(128, b"\0")

    def _u64(self, field, value=None):
        if value is None:
            return struct.unpack_from("<Q", self.t, self.off + field)[0]
        struct.pack_into("<Q", self.t, self.off + field, value)
        return value

    start = property(lambda self: self._u64(144), lambda self, v: self._u64(144, v))
    length = property(lambda self: self._u64(152), lambda self, v: self._u64(152, v))

    def clear(self):
        self.t[self.off:self.off + ENTRY] = bytes(ENTRY)


def entries(t):
    """The in-use entries of copy t, by name."""
    found = {}
    for i in range(ENTRIES):
        e = Entry(t, HEADER + i * ENTRY)
        if struct.unpack_from("<I", t, e.off + 184)[0] & 1:
            found[e.name] = e
    return found


def main():
    pool, what, code = sys.argv[1:4]
    with open(pool, "r+b", buffering=0) as f:
        if what in ("sb", "sb-raw"):
            sb = bytearray(f.read(SECTOR))
            exec(code, {"sb": sb, "struct": struct})
            if what == "sb":
                seal(sb, 12)
            f.seek(0)
            f.write(sb)
            return
        for copy in TABLE_OFFSETS:
            f.seek(copy * SECTOR)
            t = bytearray(f.read(TABLE_SECTORS * SECTOR))
            exec(code, {"t": t, "entries": entries, "struct": struct})
            seal(t, 16)
            f.seek(copy * SECTOR)
            f.write(t)


if __name__ == "__main__":
    main()
