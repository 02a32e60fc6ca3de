#!/usr/bin/env python3
"""Instructions per I/O by function, dm-linear against dm-pfs, from what
bench/profile-guest left in a results folder.

Usage: profile-report.py RESULTS_DIR ICOUNT_SHIFT FREQ
Under -icount shift S the guest executes one instruction per 2^S ns of its
clock, so a cpu-clock sample every 1/FREQ s stands for 1e9 / FREQ / 2^S
instructions. Samples over I/Os completed are then instructions per I/O.
"""
import json
import sys
from collections import defaultdict


# Where a halted vCPU's samples land: guest time passing, no instructions.
IDLE = ("safe_halt", "default_idle", "mwait_idle", "cpu_idle_poll")


def samples(path):
    """{(module, symbol): samples} from perf report -F sample,dso,symbol,
    the idle loop's halt left out."""
    out = defaultdict(int)
    with open(path) as f:
        for line in f:
            parts = line.split()
            # sample, module, "[k]" or "[.]", symbol (then perf's "-" columns)
            if len(parts) >= 4 and parts[0].isdigit() and not any(
                    i in parts[3] for i in IDLE):
                out[(parts[1], f"{parts[2]} {parts[3]}")] += int(parts[0])
    return out


def kernel(key):
    return key[0].startswith("[kernel") or key[1].startswith("[k]")


def dm_function(symbol):
    """dm core's, dm-linear's or dm-pfs's (modules or built in), and the
    clock dm-pfs reads."""
    name = symbol.split()[-1]
    return name.startswith(("pfs_", "dm_", "__dm_", "linear_", "native_sched_clock",
                            "sched_clock", "local_clock"))


def ios(path):
    with open(path) as f:
        text = f.read()
    job = json.loads(text[text.index("{"):])["jobs"][0]
    return sum(job[d]["total_ios"] for d in ("read", "write"))


def main():
    folder, shift, freq = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    per_sample = 1e9 / freq / (1 << shift)
    cost = {}
    for kind in ("linear", "pfs"):
        n = ios(f"{folder}/fio-{kind}.json")
        cost[kind] = {k: v * per_sample / n
                      for k, v in samples(f"{folder}/perf-{kind}-samples.txt").items()}
        print(f"{kind}: {n} I/Os, {sum(cost[kind].values()):,.0f} instructions per I/O")
    lin, pfs = cost["linear"], cost["pfs"]
    # fio's own pacing spins on the clock for a time that varies from run
    # to run: the kernel's share is the path's.
    kern = [sum(v for k, v in c.items() if kernel(k)) for c in (lin, pfs)]
    print(f"the kernel's: linear {kern[0]:,.0f}, pfs {kern[1]:,.0f} per I/O:"
          f" {kern[1] - kern[0]:+,.0f} ({(kern[1] - kern[0]) / kern[0]:+.2%})\n")
    print("device-mapper's own functions (linear, pfs):")
    for k in sorted((k for k in set(lin) | set(pfs) if dm_function(k[1])),
                    key=lambda k: -(pfs.get(k, 0) + lin.get(k, 0))):
        print(f"  {k[1][:44]:44.44s} {lin.get(k, 0):8,.0f} {pfs.get(k, 0):8,.0f}")
    print()
    mods = defaultdict(lambda: [0.0, 0.0])
    for i, c in enumerate((lin, pfs)):
        for (mod, _), v in c.items():
            mods[mod][i] += v
    print("instructions per I/O by module (linear, pfs, difference):")
    for mod, (a, b) in sorted(mods.items(), key=lambda kv: -abs(kv[1][1] - kv[1][0]))[:8]:
        print(f"  {mod:28.28s} {a:9,.0f} {b:9,.0f} {b - a:+9,.0f}")
    print("\nfunctions whose cost differs most (linear, pfs, difference):")
    keys = set(lin) | set(pfs)
    for k in sorted(keys, key=lambda k: -abs(pfs.get(k, 0) - lin.get(k, 0)))[:20]:
        a, b = lin.get(k, 0.0), pfs.get(k, 0.0)
        print(f"  {k[1][:44]:44.44s} {k[0][:14]:14.14s} {a:8,.0f} {b:8,.0f} {b - a:+8,.0f}")
    print("\none sample stands for about"
          f" {per_sample:,.0f} instructions: a difference under a few samples' worth"
          " is noise")


main()
