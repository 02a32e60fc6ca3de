#!/usr/bin/env python3
"""Crash-cut a pfsadm command on a real block device, from a dm-log-writes log.

Usage: replay.py hash POOLDEV BEFORE.json >HASHES.json
       replay.py LOGDEV POOLDEV BEFORE.json AFTER.json BASE.bin HASHES.json KSTEP

LOGDEV holds the log of every write and flush the command sent to POOLDEV,
in order. BASE.bin is POOLDEV's metadata region before the command, and
HASHES.json the sha256 of each image's extent then (the `hash` mode).

The model is flush-aware: a device may persist the writes sent since the
last flush in any order and any subset of their sectors; only what a flush
(or a FUA write, for its own sectors) covered is certain. Before each flush
and at the end, this lays subsets of the pending sectors that change
something over the durable state (every subset when there are few, else
prefixes, suffixes and random subsets) and asks the real loaders, once per
distinct state:

  - pfsadm (the shared table code in userspace) must see exactly the images
    of BEFORE.json or of AFTER.json; after the command returned, only those
    of AFTER.json (an update reported done is never lost);
  - the kernel (every KSTEP-th distinct state, and the last) must accept a
    table line for an image exactly when pfsadm's view holds that image at
    that start with at least that length, and an image it maps that
    existed before must read back what it held then.

Writes to two metadata areas (superblock, copy 0, copy 1) with no flush
between are refused outright. Prints one summary line; exits 1 at the first
violation.
"""
import hashlib
import json
import os
import random
import struct
import subprocess
import sys

SECTOR = 512
META_SECTORS = 1056  # superblock, two table copies, backup superblock
TABLE_OFFSETS = (8, 528)
BACKUP_SB = 1048
ALL_SUBSETS_UP_TO = 6
RANDOM_SUBSETS = 24
MAGIC = 0x6A736677736872
FLAG_FLUSH = 1 << 0  # LOG_FLUSH_FLAG
FLAG_FUA = 1 << 1  # LOG_FUA_FLAG
FLAG_DISCARD = 1 << 2  # LOG_DISCARD_FLAG: no data in the log
FLAG_MARK = 1 << 3  # LOG_MARK_FLAG: marks carry no device data
PFSADM = os.environ.get("PFSADM", "pfsadm")


def log_entries(path):
    """(sector, data, flags) per logged bio, in the order the log holds."""
    with open(path, "rb") as f:
        magic, version, nr, sectorsize = struct.unpack("<QQQI", f.read(28))
        if magic != MAGIC or version != 1:
            sys.exit(f"replay: {path} holds no dm-log-writes log")
        pos = sectorsize
        for _ in range(nr):
            f.seek(pos)
            sector, nr_sectors, flags, _data_len = struct.unpack("<QQQQ", f.read(32))
            pos += sectorsize
            data = b""
            if nr_sectors and not flags & (FLAG_MARK | FLAG_DISCARD):
                f.seek(pos)
                data = f.read(nr_sectors * sectorsize)
                pos += nr_sectors * sectorsize
            yield sector * sectorsize // SECTOR, data, flags


def meta_area(sector):
    return (0 if sector < TABLE_OFFSETS[0] else 1 if sector < TABLE_OFFSETS[1]
            else 2 if sector < BACKUP_SB else 3)


def images(doc):
    return sorted((i["name"], i["start_sector"], i["sectors"], i["weight"], i["iops_max"],
                   i["bps_max"]) for i in doc["images"])


def extent_hash(dev, start, sectors):
    h = hashlib.sha256()
    with open(dev, "rb", buffering=0) as f:
        f.seek(start * SECTOR)
        left = sectors * SECTOR
        while left:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                sys.exit(f"replay: short read of {dev}")
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def pfsadm_view(pool):
    """The images pfsadm sees, and the clones among them still being made
    (which no device may map), or None and why not."""
    r = subprocess.run([PFSADM, "--pool", pool, "list", "--json"], capture_output=True, text=True)
    if r.returncode:
        return None, set(), r.stderr.strip()
    doc = json.loads(r.stdout)
    unmappable = {i["name"] for i in doc["images"] if i.get("clone_being_made")}
    return images(doc), unmappable, ""


def kernel_maps(majmin, image, want):
    """Whether the kernel accepts the image's line; if so, whether its first
    want[1] sectors still hash to want[0] (want None: not compared)."""
    name, start, sectors = image[0], image[1], image[2]
    table = f"0 {sectors} pfs {majmin} {name} {start}"
    r = subprocess.run(["dmsetup", "create", "pfs-cutcheck", "--table", table],
                       capture_output=True)
    if r.returncode:
        return False, True
    try:
        same = want is None or \
            extent_hash("/dev/mapper/pfs-cutcheck", 0, want[1]) == want[0]
    finally:
        subprocess.run(["udevadm", "settle"], check=False)
        subprocess.run(["dmsetup", "remove", "pfs-cutcheck"], check=True)
    return True, same


class Replay:
    def __init__(self, pool, old, new, hashes, kstep):
        self.pool, self.old, self.new, self.hashes, self.kstep = pool, old, new, hashes, kstep
        st = os.stat(pool)
        self.majmin = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
        self.probes = sorted(set(old) | set(new))
        self.fd = os.open(pool, os.O_RDWR)
        self.cuts = self.states = self.kernel_checks = self.data_checks = 0
        self.seen = set()
        self.checked = set()
        self.rng = random.Random(4242)

    def check(self, state, label, only_new):
        digest = hashlib.sha256(state).digest() + bytes([only_new])
        if digest in self.checked:
            return
        self.checked.add(digest)
        self.states += 1
        os.pwrite(self.fd, state, 0)
        os.fsync(self.fd)
        view, unmappable, err = pfsadm_view(self.pool)
        allowed = [self.new] if only_new else [self.old, self.new]
        if view is None or view not in allowed:
            want = "the new" if only_new else f"the old {self.old} or the new"
            sys.exit(f"replay: {label}: pool loads {'nothing: ' + err if view is None else view}"
                     f", not {want} {self.new}")
        self.seen.update(n for n, t in (("old", self.old), ("new", self.new)) if view == t)
        if self.states % self.kstep and not only_new:
            return
        for image in self.probes:
            want = self.hashes.get(image[0])
            if want and want[1] > image[2]:
                want = None  # shrunk: its old contents no longer fit
            mapped, same = kernel_maps(self.majmin, image, want)
            # A line maps exactly when the view holds that image at that
            # start with at least that length (a shorter line maps its head).
            fits = image[0] not in unmappable and \
                any(v[0] == image[0] and v[1] == image[1] and v[2] >= image[2] for v in view)
            if mapped != fits:
                sys.exit(f"replay: {label}: kernel and pfsadm disagree on {image[0]}")
            if not same:
                sys.exit(f"replay: {label}: {image[0]} no longer holds its data")
            self.data_checks += bool(mapped and want)
        self.kernel_checks += 1

    def cut(self, durable, pending, label, only_new=False):
        """Every state a power cut may leave: durable plus pending subsets."""
        self.cuts += 1
        changed = [(s, d) for s, d in pending.items()
                   if durable[s * SECTOR:(s + 1) * SECTOR] != d]
        n = len(changed)
        if n <= ALL_SUBSETS_UP_TO:
            picks = [[m >> i & 1 for i in range(n)] for m in range(1 << n)]
        else:
            picks = [[i < k for i in range(n)] for k in range(n + 1)]
            picks += [[i >= k for i in range(n)] for k in range(n + 1)]
            picks += [[self.rng.random() < 0.5 for _ in range(n)]
                      for _ in range(RANDOM_SUBSETS)]
        for pick in picks:
            state = bytearray(durable)
            for (s, d), p in zip(changed, pick):
                if p:
                    state[s * SECTOR:(s + 1) * SECTOR] = d
            self.check(state, f"{label}, {sum(pick)} of {n} pending sectors", only_new)


def apply(state, pending):
    for s, d in pending.items():
        state[s * SECTOR:(s + 1) * SECTOR] = d
    pending.clear()


def main():
    if sys.argv[1] == "hash":
        pool, before = sys.argv[2], json.load(open(sys.argv[3]))
        json.dump({i["name"]: [extent_hash(pool, i["start_sector"], i["sectors"]), i["sectors"]]
                   for i in before["images"]}, sys.stdout)
        return
    logdev, pool, before_f, after_f, base_f, hashes_f = sys.argv[1:7]
    kstep = int(sys.argv[7])
    r = Replay(pool, images(json.load(open(before_f))), images(json.load(open(after_f))),
               json.load(open(hashes_f)), kstep)
    durable = bytearray(open(base_f, "rb").read())
    pending = {}  # sector -> data written since the last flush
    writes = flushes = 0
    for sector, data, flags in log_entries(logdev):
        if flags & FLAG_FLUSH:  # a preflush covers what completed before
            flushes += 1
            r.cut(durable, pending, f"before flush {flushes} (after write {writes})")
            apply(durable, pending)
        if not data or sector >= META_SECTORS:
            continue
        writes += 1
        n = min(len(data) // SECTOR, META_SECTORS - sector)
        areas = {meta_area(s) for s in pending} | {meta_area(sector), meta_area(sector + n - 1)}
        if len(areas) > 1:
            sys.exit(f"replay: write {writes} at sector {sector}: metadata areas "
                     f"{sorted(areas)} in flight with no flush between")
        for k in range(n):
            pending[sector + k] = data[k * SECTOR:(k + 1) * SECTOR]
        if flags & FLAG_FUA:
            r.cut(durable, pending, f"FUA write {writes} at sector {sector}")
            for k in range(n):
                s = sector + k
                durable[s * SECTOR:(s + 1) * SECTOR] = pending.pop(s)
    r.cut(durable, pending, "after the command returned", only_new=True)
    # Leave the pool as the command left it, every write in place.
    apply(durable, pending)
    os.pwrite(r.fd, durable, 0)
    os.fsync(r.fd)
    os.close(r.fd)
    if "new" not in r.seen:
        sys.exit("replay: the new table never loaded")
    print(f"{writes} metadata writes, {flushes} flushes, {r.cuts} cut points, "
          f"{r.states} distinct states, {r.kernel_checks} kernel checks, "
          f"{r.data_checks} images read back: always the old or the new table, "
          f"the new one once the command returned; data lost: 0")


if __name__ == "__main__":
    main()
