#!/usr/bin/env python3
"""Crash-cut a pfsadm command on a real block device, from a dm-log-writes log.

Usage: replay.py hash POOLDEV BEFORE.json >HASHES.json
       replay.py LOGDEV POOLDEV BEFORE.json AFTER.json BASE.bin HASHES.json KSTEP
       replay.py pool-move LOGDEV DEV A:OFFSET:BASE_A.bin B:OFFSET:BASE_B.bin NAME \
           HASHES.json KSTEP

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

The pool-move mode cuts `pfsadm move NAME --to-pool B` from pool A, both
pools on linear maps A and B of DEV at OFFSET sectors (the log is of DEV,
so it orders every write to both pools). Each state is both pools'
metadata; HASHES.json holds NAME's hash in A before the move. In every
state NAME must be in exactly one pool: an image of B's own (A may still
say it moves there), or else A's, with B at most holding its incoming
extent; once the command returned, B's alone. The kernel must map NAME
exactly from the pool holding it (from A naming both pools while it moves)
and refuse it from the other, and the map must read back NAME's data.

Writes to two metadata areas (superblock, copy 0, copy 1; of one pool or
of two) with no flush between are refused outright. Prints one summary
line; exits 1 at the first violation.
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


def pfsadm_list(pool):
    """pfsadm list --json of @pool, or None and why not."""
    r = subprocess.run([PFSADM, "--pool", pool, "list", "--json"], capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr.strip()
    return json.loads(r.stdout), ""


def pfsadm_view(pool):
    """The images pfsadm sees, and the clones among them still being made
    (which no device may map), or None and why not."""
    doc, err = pfsadm_list(pool)
    if doc is None:
        return None, set(), err
    unmappable = {i["name"] for i in doc["images"] if i.get("clone_being_made")}
    return images(doc), unmappable, ""


def majmin_of(dev):
    st = os.stat(dev)
    return f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"


def kernel_maps(majmin, image, want, other_pool=None):
    """Whether the kernel accepts the image's line (naming @other_pool's
    device too: the pool it moves to); if so, whether its first want[1]
    sectors still hash to want[0] (want None: not compared)."""
    name, start, sectors = image[0], image[1], image[2]
    table = f"0 {sectors} pfs {majmin} {name} {start}"
    if other_pool:
        table += f" {other_pool}"
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
    """Cuts the log of one device holding the metadata of pools at
    @offsets (sectors); check() judges one state of them all."""

    def __init__(self, dev, offsets, kstep):
        self.offsets, self.kstep = offsets, kstep
        self.fd = os.open(dev, os.O_RDWR)
        self.cuts = self.states = self.kernel_checks = self.data_checks = 0
        self.checked = set()
        self.rng = random.Random(4242)

    def region(self, sector):
        """Which pool's metadata @sector is in, or None (data)."""
        for i, off in enumerate(self.offsets):
            if off <= sector < off + META_SECTORS:
                return i
        return None

    def data_region(self, sector):
        """Which pool's data area @sector is in, or None."""
        below = [i for i, off in enumerate(self.offsets) if off + META_SECTORS <= sector]
        return max(below, key=lambda i: self.offsets[i]) if below else None

    def data_written(self, region, durable):
        """A write to @region's data area, @durable (FUA) or not."""

    def flushed(self):
        """A flush: every write before it is durable."""

    def meta_written(self, region, label):
        """A write to @region's metadata."""

    def write_state(self, state):
        """Lay @state (one metadata image per pool) on the device."""
        for part, off in zip(state, self.offsets):
            os.pwrite(self.fd, part, off * SECTOR)
        os.fsync(self.fd)

    def new_state(self, state, only_new):
        """Lay @state down if it is new (with @only_new); False if seen."""
        digest = hashlib.sha256(b"".join(state)).digest() + bytes([only_new])
        if digest in self.checked:
            return False
        self.checked.add(digest)
        self.states += 1
        self.write_state(state)
        return True

    def cut(self, durable, pending, label, only_new=False):
        """Every state a power cut may leave: durable plus pending subsets."""
        self.cuts += 1
        changed = [(k, d) for k, d in pending.items()
                   if durable[k[0]][k[1] * SECTOR:(k[1] + 1) * SECTOR] != d]
        n = len(changed)
        if n <= ALL_SUBSETS_UP_TO:
            picks = [[m >> i & 1 for i in range(n)] for m in range(1 << n)]
        else:
            picks = [[i < k for i in range(n)] for k in range(n + 1)]
            picks += [[i >= k for i in range(n)] for k in range(n + 1)]
            picks += [[self.rng.random() < 0.5 for _ in range(n)]
                      for _ in range(RANDOM_SUBSETS)]
        for pick in picks:
            state = [bytearray(part) for part in durable]
            for ((r, s), d), p in zip(changed, pick):
                if p:
                    state[r][s * SECTOR:(s + 1) * SECTOR] = d
            self.check(state, f"{label}, {sum(pick)} of {n} pending sectors", only_new)

    def finish(self, durable):
        self.write_state(durable)
        os.close(self.fd)


class CommandReplay(Replay):
    """One pool: the command's old table or its new one, data intact."""

    def __init__(self, pool, old, new, hashes, kstep):
        super().__init__(pool, [0], kstep)
        self.pool, self.old, self.new, self.hashes = pool, old, new, hashes
        self.majmin = majmin_of(pool)
        self.probes = sorted(set(old) | set(new))
        self.seen = set()

    def check(self, state, label, only_new):
        if not self.new_state(state, only_new):
            return
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

    def summary(self):
        if "new" not in self.seen:
            sys.exit("replay: the new table never loaded")
        return "always the old or the new table, the new one once the command returned"


def pool_state(doc, name):
    """NAME in one pool's list: None, "incoming", "moving" or "own", and the
    entry."""
    for i in doc["images"] if doc else []:
        if i["name"] == name:
            if i.get("incoming"):
                return "incoming", i
            return ("moving" if i.get("moving_to_pool") else "own"), i
    return None, None


class PoolMoveReplay(Replay):
    """Two pools, an image moving from the first to the second."""

    def __init__(self, dev, pools, name, want, kstep):
        super().__init__(dev, [off for _, off in pools], kstep)
        self.pools, self.name, self.want = [p for p, _ in pools], name, want
        self.majmins = [majmin_of(p) for p in self.pools]
        self.seen = set()
        self.b_data_pending = False

    def view(self, label, pool):
        doc, err = pfsadm_list(pool)
        if doc is None:
            sys.exit(f"replay: {label}: {pool} loads nothing: {err}")
        return doc

    def check(self, state, label, only_new):
        if not self.new_state(state, only_new):
            return
        (a, ea), (b, eb) = (pool_state(self.view(label, p), self.name) for p in self.pools)
        # B's entry alone decides: its own image there, or still A's.
        holder = 1 if b == "own" else 0 if a in ("own", "moving") and b in (None, "incoming") \
            else None
        if holder is None or (holder == 1 and a == "own") or (a == "moving" and b is None) or \
                a == "incoming":
            sys.exit(f"replay: {label}: {self.name} is {a} in A and {b} in B")
        if only_new and (holder != 1 or a is not None):
            sys.exit(f"replay: {label}: the move returned, yet {self.name} is {a} in A, {b} in B")
        self.seen.add((a, b))
        if self.states % self.kstep and not only_new:
            return
        for i, entry in enumerate((ea, eb)):
            if not entry:
                continue
            image = (self.name, entry["start_sector"], entry["sectors"])
            other = self.majmins[1] if i == 0 and a == "moving" else None
            mapped, same = kernel_maps(self.majmins[i], image, self.want if i == holder else None,
                                       other)
            if mapped != (i == holder):
                sys.exit(f"replay: {label}: the kernel {'maps' if mapped else 'refuses'} "
                         f"{self.name} from {'AB'[i]}, where it is {(a, b)[i]}")
            if not same:
                sys.exit(f"replay: {label}: {self.name} no longer holds its data in {'AB'[i]}")
            self.data_checks += mapped
        self.kernel_checks += 1

    # B's table may take the image only once the data copied into it is
    # durable: no write of B's table while a data write to B is not
    # flushed. (The pools share one logged device, so a flush through
    # either covers both: that B itself is flushed is not shown here.)
    def data_written(self, region, durable):
        if region == 1 and not durable:
            self.b_data_pending = True

    def flushed(self):
        self.b_data_pending = False

    def meta_written(self, region, label):
        if region == 1 and self.b_data_pending:
            sys.exit(f"replay: {label}: B's table written while data written to B is not flushed")

    def summary(self):
        if ("own", None) not in self.seen or (None, "own") not in self.seen:
            sys.exit(f"replay: the move's ends were not both seen: {sorted(self.seen, key=str)}")
        return (f"the image in exactly one pool ({len(self.seen)} combinations seen), "
                "in the new one once the command returned")


def apply(state, pending):
    for (r, s), d in pending.items():
        state[r][s * SECTOR:(s + 1) * SECTOR] = d
    pending.clear()


def replay_log(r, logdev, durable):
    """Walk the log, cutting before each flush, at each FUA write and at
    the end; returns the counts of metadata writes and flushes."""
    pending = {}  # (pool, sector) -> data written since the last flush
    writes = flushes = 0
    for sector, data, flags in log_entries(logdev):
        if flags & FLAG_FLUSH:  # a preflush covers what completed before
            flushes += 1
            r.cut(durable, pending, f"before flush {flushes} (after write {writes})")
            apply(durable, pending)
            r.flushed()
        region = r.region(sector) if data else None
        if region is None:
            if data:
                r.data_written(r.data_region(sector), bool(flags & FLAG_FUA))
            continue
        writes += 1
        r.meta_written(region, f"write {writes} at sector {sector}")
        local = sector - r.offsets[region]
        n = min(len(data) // SECTOR, META_SECTORS - local)
        areas = {(p, meta_area(s)) for p, s in pending} | \
            {(region, meta_area(local)), (region, meta_area(local + n - 1))}
        if len(areas) > 1:
            sys.exit(f"replay: write {writes} at sector {sector}: metadata areas "
                     f"{sorted(areas)} in flight with no flush between")
        for k in range(n):
            pending[region, local + k] = data[k * SECTOR:(k + 1) * SECTOR]
        if flags & FLAG_FUA:
            r.cut(durable, pending, f"FUA write {writes} at sector {sector}")
            for k in range(n):
                s = local + k
                durable[region][s * SECTOR:(s + 1) * SECTOR] = pending.pop((region, s))
    r.cut(durable, pending, "after the command returned", only_new=True)
    # Leave the pools as the command left them, every write in place.
    apply(durable, pending)
    r.finish(durable)
    return writes, flushes


def main():
    if sys.argv[1] == "hash":
        pool, before = sys.argv[2], json.load(open(sys.argv[3]))
        json.dump({i["name"]: [extent_hash(pool, i["start_sector"], i["sectors"]), i["sectors"]]
                   for i in before["images"]}, sys.stdout)
        return
    if sys.argv[1] == "pool-move":
        logdev, dev = sys.argv[2:4]
        pools = [arg.split(":") for arg in sys.argv[4:6]]
        name, hashes = sys.argv[6], json.load(open(sys.argv[7]))
        r = PoolMoveReplay(dev, [(p, int(off)) for p, off, _ in pools], name, hashes[name],
                           int(sys.argv[8]))
        durable = [bytearray(open(base, "rb").read()) for _, _, base in pools]
    else:
        logdev, pool, before_f, after_f, base_f, hashes_f = sys.argv[1:7]
        r = CommandReplay(pool, images(json.load(open(before_f))),
                          images(json.load(open(after_f))), json.load(open(hashes_f)),
                          int(sys.argv[7]))
        durable = [bytearray(open(base_f, "rb").read())]
    writes, flushes = replay_log(r, logdev, durable)
    print(f"{writes} metadata writes, {flushes} flushes, {r.cuts} cut points, "
          f"{r.states} distinct states, {r.kernel_checks} kernel checks, "
          f"{r.data_checks} images read back: {r.summary()}; data lost: 0")


if __name__ == "__main__":
    main()
