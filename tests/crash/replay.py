#!/usr/bin/env python3
"""Crash-cut a pfsadm command on a real block device, from a dm-log-writes log.

Usage: replay.py LOGDEV POOLDEV BEFORE.json AFTER.json BASE.bin STEP KSTEP

LOGDEV holds the log of every write the command made to POOLDEV, in order.
BASE.bin is POOLDEV's metadata region before the command. For every write
that touches the metadata region, and every sector prefix of it (every
STEP-th, plus the first and the last), this puts the metadata region in the
state a crash would leave, then asks the real loaders (once per distinct
state: many prefixes leave the same bytes, because a write mostly rewrites
what is there, and the loaders read nothing else):

  - pfsadm (the shared table code in userspace) must load the pool and see
    exactly the images of BEFORE.json or of AFTER.json, never neither;
  - the kernel (every KSTEP-th distinct state) must accept a table line for an image
    exactly when pfsadm's view holds it.

Prints one summary line; exits 1 at the first violation.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys

SECTOR = 512
META_SECTORS = 1048
MAGIC = 0x6A736677736872
FLAG_DISCARD = 1 << 2  # LOG_DISCARD_FLAG: no data in the log
FLAG_MARK = 1 << 3  # LOG_MARK_FLAG: marks carry no device data
PFSADM = os.environ.get("PFSADM", "pfsadm")


def log_entries(path):
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
            yield sector * sectorsize // SECTOR, data


def images(doc):
    return sorted((i["name"], i["start_sector"], i["sectors"], i["weight"], i["iops_max"],
                   i["bps_max"]) for i in doc)


def pfsadm_view(pool):
    r = subprocess.run([PFSADM, "--pool", pool, "list", "--json"], capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr.strip()
    return images(json.loads(r.stdout)), ""


def kernel_maps(pool, majmin, image):
    name, start, sectors = image[0], image[1], image[2]
    table = f"0 {sectors} pfs {majmin} {name} {start}"
    r = subprocess.run(["dmsetup", "create", "pfs-cutcheck", "--table", table],
                       capture_output=True)
    if r.returncode == 0:
        subprocess.run(["dmsetup", "remove", "pfs-cutcheck"], check=True)
    return r.returncode == 0


def main():
    logdev, pool, before_f, after_f, base_f = sys.argv[1:6]
    step, kstep = int(sys.argv[6]), int(sys.argv[7])
    old = images(json.load(open(before_f)))
    new = images(json.load(open(after_f)))
    st = os.stat(pool)
    majmin = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    probes = sorted(set(old) | set(new))
    state = bytearray(open(base_f, "rb").read())
    fd = os.open(pool, os.O_RDWR)
    cuts = states = kernel_checks = writes = 0
    seen = set()
    checked = set()

    def check(label):
        nonlocal cuts, states, kernel_checks
        cuts += 1
        digest = hashlib.sha256(state).digest()
        if digest in checked:
            return
        checked.add(digest)
        states += 1
        os.pwrite(fd, state, 0)
        os.fsync(fd)
        view, err = pfsadm_view(pool)
        if view is None or (view != old and view != new):
            sys.exit(f"replay: {label}: pool loads {'nothing: ' + err if view is None else view}"
                     f", not the old {old} or the new {new}")
        seen.update(name for name, table in (("old", old), ("new", new)) if view == table)
        if states % kstep == 0 or label.endswith("end"):
            for image in probes:
                if kernel_maps(pool, majmin, image) != (image[:3] in [v[:3] for v in view]):
                    sys.exit(f"replay: {label}: kernel and pfsadm disagree on {image[0]}")
            kernel_checks += 1

    for sector, data in log_entries(logdev):
        if not data or sector >= META_SECTORS:
            continue
        writes += 1
        n = min(len(data) // SECTOR, META_SECTORS - sector)
        prefix = list(range(1, n + 1))
        for k in prefix:
            if k != 1 and k != n and k % step:
                continue
            trial = bytearray(state)
            trial[sector * SECTOR:(sector + k) * SECTOR] = data[:k * SECTOR]
            saved, state[:] = bytes(state), trial
            check(f"write {writes} at sector {sector}, {k}/{n} sectors" + (" end" if k == n else ""))
            state[:] = saved
        state[sector * SECTOR:(sector + n) * SECTOR] = data[:n * SECTOR]
    check("all writes end")
    os.close(fd)
    if "new" not in seen:
        sys.exit("replay: the new table never loaded")
    print(f"{writes} metadata writes, {cuts} cut points, {states} distinct states, "
          f"{kernel_checks} kernel checks: "
          f"always the old or the new table")


if __name__ == "__main__":
    main()
