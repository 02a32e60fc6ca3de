#!/usr/bin/env python3
"""Aggregate a benchmark run: medians over repetitions, ratios within the
run, the bars of docs/performance.md, a Markdown table and PNG plots.

Usage: report.py RESULTS_DIR   (reads measurements.jsonl, writes
results.json, results.md and plots/*.png there)
"""
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict


def load(path):
    groups = defaultdict(list)
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            groups[(rec["scenario"], rec["case"], rec["contender"])].append(rec)
    return groups


def medians(groups):
    out = {}
    for key, recs in groups.items():
        metrics = {}
        for name in recs[0]:
            if name in ("scenario", "case", "contender", "rep"):
                continue
            values = [r[name] for r in recs if name in r]
            if values:
                metrics[name] = statistics.median(values)
        metrics["reps"] = len(recs)
        out[key] = metrics
    return out


def get(m, scenario, case, contender, metric):
    return m.get((scenario, case, contender), {}).get(metric)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def fmt(v, digits=1):
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) < 10 and digits:
        return f"{v:.{max(digits, 2)}f}"
    return f"{v:,.{digits}f}" if isinstance(v, float) else str(v)


OVERHEAD_CASES = ("randread-qd1", "randwrite-qd1", "randread-qd32", "randwrite-qd32")
# Paired only: QD1 at a fixed rate with random arrivals; IOPS is the rate, the
# p99 is what the path adds to one I/O wherever the guest's tick lands.
POISSON_CASES = ("randread-qd1-poisson", "randwrite-qd1-poisson")


def paired_ratios(groups, case):
    """Per pair of one paired-overhead case: pfs over dm-linear on the same
    extent, for IOPS and p99."""
    pfs = {r["rep"]: r for r in groups.get(("paired", case, "pfs"), [])}
    lin = {r["rep"]: r for r in groups.get(("paired", case, "linear"), [])}
    out = {"iops": [], "p99": [], "tail1": []}
    for rep in sorted(set(pfs) & set(lin)):
        p, l = pfs[rep], lin[rep]
        out["iops"].append(ratio(p.get("iops"), l.get("iops")))
        # The total latency where both have it: on the paired device the
        # I/O completes inside io_submit, so clat (p99_us) is only the reap.
        key = "lat_p99_us" if "lat_p99_us" in p and "lat_p99_us" in l else "p99_us"
        out["p99"].append(ratio(p.get(key), l.get(key)))
        out["tail1"].append(ratio(p.get("lat_tail1_us"), l.get("lat_tail1_us")))
    return {k: [x for x in v if x is not None] for k, v in out.items()}


def paired_scale_cases(groups):
    """The paired scale cases that ran (images-N), by N."""
    cases = {k[1] for k in groups if k[0] == "paired" and k[1].startswith("images-")}
    return sorted(cases, key=lambda c: int(c.split("-")[1]))


def spread(values):
    """Median, and the range of the middle half (quartiles)."""
    if not values:
        return None, None, None
    if len(values) < 4:
        return statistics.median(values), min(values), max(values)
    q = statistics.quantiles(values, n=4)
    return statistics.median(values), q[0], q[2]


def bars(m, groups=None):
    """Each bar of the benchmark issue: (name, value, limit, met)."""
    out = []
    paired = groups is not None and any(k[0] == "paired" for k in groups)
    # The -poisson cases are context, not bars: their p99 falls on one of
    # two modes that both contenders show (docs/performance.md, 1b).
    for case in OVERHEAD_CASES if paired else ():
        r = paired_ratios(groups, case)
        v = spread(r["iops"])[0]
        out.append((f"overhead {case}: pfs/linear IOPS, paired median", v, ">= 0.98",
                    v is not None and v >= 0.98))
        v = spread(r["p99"])[0]
        out.append((f"overhead {case}: pfs/linear p99, paired median", v, "<= 1.05",
                    v is not None and v <= 1.05))
    for case in OVERHEAD_CASES if not paired else ():
        r = ratio(get(m, "overhead", case, "pfs", "iops"), get(m, "overhead", case, "linear", "iops"))
        out.append((f"overhead {case}: pfs/linear IOPS", r, ">= 0.98", r is not None and r >= 0.98))
        r = ratio(get(m, "overhead", case, "pfs", "p99_us"), get(m, "overhead", case, "linear", "p99_us"))
        out.append((f"overhead {case}: pfs/linear p99", r, "<= 1.05", r is not None and r <= 1.05))
    alone = get(m, "noisy", "victim-alone", "pfs", "p99_us")
    loaded = get(m, "noisy", "victim-with-neighbour", "pfs", "p99_us")
    r = ratio(loaded, alone)
    out.append(("noisy: pfs victim p99 with/alone", r, "<= 1.5", r is not None and r <= 1.5))
    lin = get(m, "noisy", "victim-with-neighbour", "linear", "p99_us")
    r = ratio(loaded, lin)
    out.append(("noisy: pfs/linear victim p99 with neighbour", r, "far below 1", r is not None and r < 0.1))
    for case in paired_scale_cases(groups) if paired else ():
        v = spread(paired_ratios(groups, case)["iops"])[0]
        out.append((f"scale {case}: pfs/linear aggregate IOPS, paired median", v, ">= 0.98",
                    v is not None and v >= 0.98))
    counts = sorted({k[1] for k in m if k[0] == "scale"}, key=lambda c: int(c.split("-")[1]))
    for case in counts if not (paired and paired_scale_cases(groups)) else ():
        r = ratio(get(m, "scale", case, "pfs", "iops"), get(m, "scale", case, "linear", "iops"))
        out.append((f"scale {case}: pfs/linear aggregate IOPS", r, ">= 0.98", r is not None and r >= 0.98))
    r = ratio(get(m, "control", "create-20G", "pfsadm", "ms"), get(m, "control", "create-20G", "lvcreate", "ms"))
    out.append(("control: pfsadm/lvcreate 20G", r, "<= 0.5", r is not None and r <= 0.5))
    small, big = get(m, "control", "create-1G", "pfsadm", "ms"), get(m, "control", "create-1T", "pfsadm", "ms")
    r = ratio(big, small)
    out.append(("control: pfsadm 1T/1G create time", r, "0.9 .. 1.1", r is not None and 0.9 <= r <= 1.1))
    return out + iso_bars(m)


ISO_CONTENDERS = ("pfs", "linear", "thin", "linear-iomax", "linear-iocost", "linear-bfq")


def iso_cells(m):
    """The isolation matrix's (device, neighbour, victim) cells that ran."""
    return sorted({tuple(k[1].split("/")[:3]) for k in m
                   if k[0] == "isolation" and k[1].endswith("/victim-with")})


def iso_cell(m, d, nb, v, c):
    """One contender in one cell: victim p99 with/alone, the neighbours'
    share of what the victim leaves of their raw capacity, their Jain."""
    alone = lambda mt: get(m, "isolation", f"{d}/-/{v}/victim-alone", c, mt)
    with_ = lambda mt: get(m, "isolation", f"{d}/{nb}/{v}/victim-with", c, mt)
    nbs = lambda mt: get(m, "isolation", f"{d}/{nb}/{v}/neighbours", c, mt)
    cap = get(m, "isolation", f"{d}/{'seqwrite' if nb == 'tenants8' else nb}/capacity",
              "raw", "bw_mbs")
    # The victim's share of the device: its ops times their unloaded latency.
    used = None
    if with_("iops") is not None and alone("p50_us") is not None:
        used = min(with_("iops") * alone("p50_us") / 1e6, 0.99)
    work = None
    if nbs("bw_mbs") is not None and cap and used is not None:
        work = nbs("bw_mbs") / (cap * (1 - used))
    return {"alone_p99": alone("p99_us"), "with_p99": with_("p99_us"),
            "p99_ratio": ratio(with_("p99_us"), alone("p99_us")),
            "work": work, "jain": nbs("jain")}


def iso_rep_views(groups):
    """The isolation records of each repetition on their own, as medians()
    gives them: ratios are taken within a repetition, then spread over them."""
    iso = {k: v for k, v in groups.items() if k[0] == "isolation"}
    reps = sorted({r["rep"] for v in iso.values() for r in v})
    views = [medians({k: [r for r in v if r["rep"] == rep] for k, v in iso.items()
                      if any(r["rep"] == rep for r in v)}) for rep in reps]
    return views


def iso_cell_spread(views, d, nb, v, c):
    """iso_cell() in each repetition: {metric: (median, min, max)}."""
    per = [iso_cell(mr, d, nb, v, c) for mr in views]
    out = {}
    for k in ("p99_ratio", "work", "jain"):
        vals = [r[k] for r in per if r[k] is not None]
        out[k] = (statistics.median(vals), min(vals), max(vals)) if vals else None
    return out


def fmt_spread(s):
    if s is None:
        return "-"
    med, lo, hi = s
    return fmt(med) if lo == hi else f"{fmt(med)} ({fmt(lo)}-{fmt(hi)})"


def iso_summary(m, contenders):
    """Per contender over every cell: how many meet the latency and the
    work bar, and the median and worst victim p99 ratio."""
    rows = []
    for c in contenders:
        got = [iso_cell(m, *cell, c) for cell in iso_cells(m)]
        lat = [r["p99_ratio"] for r in got if r["p99_ratio"] is not None]
        work = [r["work"] for r in got if r["work"] is not None]
        jain = [r["jain"] for r in got if r["jain"] is not None]
        rows.append((c, f"{sum(x <= 1.5 for x in lat)} of {len(lat)}",
                     statistics.median(lat) if lat else None, max(lat) if lat else None,
                     f"{sum(x >= 0.9 for x in work)} of {len(work)}",
                     statistics.median(work) if work else None, min(jain) if jain else None))
    return rows


def iso_bars(m):
    cells = iso_cells(m)
    if not cells:
        return []
    got = [(cell, iso_cell(m, *cell, "pfs")) for cell in cells]
    lat = [r["p99_ratio"] for _, r in got if r["p99_ratio"] is not None]
    work = [r["work"] for _, r in got if r["work"] is not None]
    jain = [r["jain"] for (d, nb, v), r in got if nb == "tenants8" and r["jain"] is not None]
    out = [(f"isolation: cells with pfs victim p99 with/alone <= 1.5 (of {len(lat)})",
            float(sum(x <= 1.5 for x in lat)), f"= {len(lat)}",
            bool(lat) and all(x <= 1.5 for x in lat)),
           (f"isolation: cells with pfs neighbours >= 0.9 of what is left (of {len(work)})",
            float(sum(x >= 0.9 for x in work)), f"= {len(work)}",
            bool(work) and all(x >= 0.9 for x in work))]
    if jain:
        out.append(("isolation: worst pfs Jain index, 7 equal tenants", min(jain), ">= 0.9",
                    min(jain) >= 0.9))
    return out


def iso_markdown(m, groups):
    cells = iso_cells(m)
    if not cells:
        return []
    views = iso_rep_views(groups)
    s = ["## 6. Isolation matrix", "",
         "Per cell: the victim's p99 with the neighbour over its p99 alone (same",
         "contender), then the neighbours' throughput over what the victim leaves of",
         "their capacity (the raw device's throughput for that neighbour alone, times",
         "1 - the victim's IOPS x its unloaded p50), and for 7 equal tenants Jain's",
         "index. Each figure is the median over the repetitions of the ratio",
         "taken within one, with their range in brackets where they differ.",
         "io.latency is not built into Debian's kernels.", ""]
    contenders = [c for c in ISO_CONTENDERS if any(k[2] == c for k in m if k[0] == "isolation")]
    s += [table(iso_summary(m, contenders),
                ["contender", "p99 x <= 1.5", "median p99 x", "worst p99 x",
                 "work >= 0.9", "median work", "worst Jain"]), ""]
    rows = []
    for d, nb, v in cells:
        r = {c: iso_cell_spread(views, d, nb, v, c) for c in contenders}
        rows.append((f"{d} / {nb} / {v}",) + tuple(
            f"{fmt_spread(r[c]['p99_ratio'])} / {fmt_spread(r[c]['work'])}" +
            (f" / J {fmt_spread(r[c]['jain'])}" if nb == "tenants8" else "") for c in contenders))
    s += [table(rows, ["device / neighbour / victim"] + [f"{c}: p99 x / work" for c in contenders]),
          "", "The victim's latency (us), p50 / p99 / p99.9, alone and with the neighbour:", ""]
    pct = lambda case, c: " / ".join(fmt(get(m, "isolation", case, c, k), 0)
                                     for k in ("p50_us", "p99_us", "p999_us"))
    rows = [(f"{d} / {v} alone",) + tuple(pct(f"{d}/-/{v}/victim-alone", c) for c in contenders)
            for d, v in sorted({(d, v) for d, _, v in cells})]
    rows += [(f"{d} / {nb} / {v}",) + tuple(pct(f"{d}/{nb}/{v}/victim-with", c) for c in contenders)
             for d, nb, v in cells]
    s += [table(rows, ["device / neighbour / victim"] + list(contenders)), ""]
    return s


# The live move's device: null_blk at 50 MiB/s, reads and writes together.
MOVE_DEVICE_MBS = 50 * 1.048576


def move_reps(groups):
    """Per repetition of the live move: pfs move / dd time on an idle pool
    (and to another pool), the moving image's own VM's p99 during the move
    / with no move, and the move's rate while the VM runs (it reads and
    writes what it copies) over the bandwidth the VM leaves; for the VM
    reading flat out and for a light one."""
    def by(case, c):
        return {r["rep"]: r for r in groups.get(("move", case, c), [])}

    def cases(prefix):
        return sorted({k[1] for k in groups if k[0] == "move" and k[1].startswith(prefix)})
    out = {}
    for prefix, name in (("idle-", "move/dd time"), ("to-pool-", "move --to-pool/dd time")):
        for case in cases(prefix)[:1]:
            dd, mv = by(case, "dd"), by(case, "pfs-move")
            out[name] = [mv[rep]["ms"] / dd[rep]["ms"] for rep in sorted(set(dd) & set(mv))]
    for vm, label in (("vm", ""), ("vm-light", " (light VM)")):
        alone, during = by(f"{vm}-no-move", "pfs"), by(f"{vm}-during-move", "pfs")
        p99, rate = out.setdefault("VM p99 during/no move" + label, []), \
            out.setdefault("move rate / left idle" + label, [])
        for rep in sorted(set(alone) & set(during)):
            a, d = alone[rep], during[rep]
            if a.get("p99_us") and d.get("p99_us"):
                p99.append(d["p99_us"] / a["p99_us"])
            left = MOVE_DEVICE_MBS - d.get("bw_mbs", 0)
            if d.get("during_ms") and left > 0:
                copied_mbs = d.get("copied_sectors", 0) * 512 / 1e6 / (d["during_ms"] / 1000)
                rate.append(2 * copied_mbs / left)
    return {k: v for k, v in out.items() if v}


def move_bars(groups):
    r = move_reps(groups)
    med = {k: statistics.median(v) for k, v in r.items()}
    out = []
    for name, limit, ok in (("move/dd time", "<= 1.2", lambda v: v <= 1.2),
                            ("move --to-pool/dd time", "<= 1.2", lambda v: v <= 1.2),
                            ("VM p99 during/no move", "<= 2", lambda v: v <= 2),
                            ("move rate / left idle", ">= 0.5", lambda v: v >= 0.5),
                            ("VM p99 during/no move (light VM)", "<= 2", lambda v: v <= 2),
                            ("move rate / left idle (light VM)", ">= 0.5", lambda v: v >= 0.5)):
        if name in med:
            out.append((f"move: {name}", med[name], limit, ok(med[name])))
    return out


def move_markdown(groups):
    r = move_reps(groups)
    if not r:
        return []
    rows = [(k, statistics.median(v), min(v), max(v), len(v)) for k, v in r.items()]
    return ["## 7. Live move (null_blk mbps=50)", "",
            table(rows, ["ratio", "median", "min", "max", "reps"]), "",
            "The move reads and writes its size; the image's VM reads 4k at random, QD1,",
            "flat out or (light VM) 200 times a second. A move to another pool reads one",
            "device and writes another, as its dd does.", ""]


def paired_markdown(groups):
    if not any(k[0] == "paired" for k in groups):
        return []
    rows = []
    for case in OVERHEAD_CASES + POISSON_CASES + tuple(paired_scale_cases(groups)):
        r = paired_ratios(groups, case)
        if not r["iops"]:
            continue
        lin = [x["iops"] for x in groups.get(("paired", case, "linear"), []) if "iops" in x]
        row = [case, len(r["iops"])]
        # A scale case's latency is one job's of N: not the aggregate's.
        for k in ("iops", "p99", "tail1") if not case.startswith("images-") else ("iops",):
            med, lo, hi = spread(r[k])
            row += [fmt(med, 3), f"{fmt(lo, 3)} .. {fmt(hi, 3)}" if lo is not None else "-"]
        if case in POISSON_CASES:
            row[2:4] = ["(the rate)", "-"]
        row += ["-"] * (8 - len(row))
        row.append(statistics.median(lin) if lin else None)
        rows.append(tuple(row))
    return ["## 1b. Overhead, paired (pfs / dm-linear on the same extent, under -icount)", "",
            table(rows, ["case", "pairs", "IOPS", "quartiles", "p99", "quartiles",
                         "slowest 1 %", "quartiles", "linear IOPS"]), "",
            "Each pair is one run of each, in turn. Guest time counts instructions and",
            "the one vCPU is never idle, so IOPS is the inverse of instructions per I/O.",
            "The -poisson cases run at a fixed rate with random arrivals: their IOPS is",
            "the rate, their p99 the latency one I/O sees wherever the tick lands.",
            "p99 is the total latency, submission included; \"slowest 1 %\" the mean",
            "latency of the slowest 1 % of the I/Os, which a mode holding about 1 % of",
            "them moves far less than the p99. images-N: one 4k random reader at QD4",
            "on each of N images, aggregate IOPS.", ""]


def table(rows, header):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return "\n".join(lines)


def markdown(m, bar_list, kernel, groups):
    s = [f"# dm-pfs benchmark (kernel {kernel})", "",
         "Medians over the repetitions; ratios are within this run. Absolute",
         "numbers are under TCG emulation and are context only.", "", "## Bars", "",
         table([(n, v, lim, "met" if ok else "**not met**") for n, v, lim, ok in bar_list],
               ["bar", "value", "limit", ""]), ""]
    s += ["## 1. Overhead (null_blk, one volume)", ""]
    rows = []
    for case in ("randread-qd1", "randwrite-qd1", "randread-qd32", "randwrite-qd32"):
        lin = get(m, "overhead", case, "linear", "iops")
        for c in ("raw", "linear", "thin", "pfs"):
            rows.append((case, c, get(m, "overhead", case, c, "iops"),
                         ratio(get(m, "overhead", case, c, "iops"), lin),
                         get(m, "overhead", case, c, "p99_us")))
    s += [table(rows, ["case", "contender", "IOPS", "vs linear", "p99 us"]), ""]
    s += paired_markdown(groups)
    s += ["## 2. Noisy neighbour (null_blk mbps=50)", ""]
    rows = []
    for c in ("linear", "thin", "pfs", "linear-iomax", "linear-iocost"):
        a = lambda mt: get(m, "noisy", "victim-alone", c, mt)
        w = lambda mt: get(m, "noisy", "victim-with-neighbour", c, mt)
        rows.append((c, a("p50_us"), a("p99_us"), a("p999_us"), w("p50_us"), w("p99_us"),
                     w("p999_us"), ratio(w("p99_us"), a("p99_us")), w("iops"),
                     get(m, "noisy", "neighbour", c, "bw_mbs")))
    s += [table(rows, ["contender", "alone p50", "alone p99", "alone p99.9", "with p50",
                       "with p99", "with p99.9", "p99 with/alone", "victim IOPS with",
                       "neighbour MB/s"]), "", "Latencies in us.", ""]
    s += ["## 3. Scale (4k randread QD4 per image)", ""]
    rows = []
    for case in sorted({k[1] for k in m if k[0] == "scale"}, key=lambda c: int(c.split("-")[1])):
        n = int(case.split("-")[1])
        for c in ("linear", "pfs"):
            kb = get(m, "scale", case, c, "kernel_kb")
            rows.append((case, c, get(m, "scale", case, c, "iops"),
                         ratio(get(m, "scale", case, c, "iops"), get(m, "scale", case, "linear", "iops")),
                         kb / n if kb is not None else None,
                         (get(m, "scale", case, c, "threads") or 0) / n))
    s += [table(rows, ["images", "contender", "aggregate IOPS", "vs linear",
                       "kernel KiB/image", "threads/image"]), ""]
    s += ["## 4. Control plane (to the udev-settled node)", ""]
    rows = [(case, c, get(m, "control", case, c, "ms"))
            for case, c in (("create-20G", "lvcreate"), ("create-20G", "pfsadm"),
                            ("create-1G", "pfsadm"), ("create-1T", "pfsadm"),
                            ("create-20G-dirty", "pfsadm"))]
    s += [table(rows, ["case", "tool", "ms"]), "",
          "Each create is on clean space (a plain remove zeroes the image it removes);",
          "create-20G-dirty follows a remove --no-wipe and zeroes the 20 GiB first.", ""]
    s += ["## 5. Aging (sequential read after a random 64k fill)", ""]
    rows = [(c, get(m, "aging", "seqread-after-random-fill", c, "bw_mbs")) for c in ("thin", "pfs")]
    s += [table(rows, ["contender", "MB/s"]), ""]
    s += iso_markdown(m, groups)
    s += move_markdown(groups)
    return "\n".join(s)


def plot(outdir, name, title, ylabel, rows, logscale=False):
    """A clustered bar chart: rows = [(cluster, {series: value})]."""
    series = sorted({k for _, d in rows for k in d})
    data = os.path.join(outdir, f"{name}.dat")
    with open(data, "w") as f:
        f.write("cluster " + " ".join(series) + "\n")
        for cluster, d in rows:
            f.write(cluster + " " + " ".join(str(d.get(s, 0) or 0) for s in series) + "\n")
    script = [
        "set terminal pngcairo size 900,480",
        f"set output '{os.path.join(outdir, name + '.png')}'",
        f"set title '{title}'", f"set ylabel '{ylabel}'",
        "set style data histogram", "set style histogram cluster gap 1",
        "set style fill solid border -1", "set key outside", "set grid ytics",
        "set xtics rotate by -20",
    ]
    if logscale:
        script.append("set logscale y")
    cols = ", ".join(f"'{data}' using {i + 2}:xtic(1) title '{s}'" for i, s in enumerate(series))
    script.append("plot " + cols)
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def plots(m, outdir):
    """One plot per scenario that ran (BENCH_SCENARIOS may pick some)."""
    os.makedirs(outdir, exist_ok=True)
    ran = {k[0] for k in m}
    cases = ("randread-qd1", "randwrite-qd1", "randread-qd32", "randwrite-qd32")
    if "overhead" in ran:
        plot(outdir, "overhead", "4k random I/O, one volume", "IOPS",
             [(c, {k: get(m, "overhead", c, k, "iops") for k in ("raw", "linear", "thin", "pfs")})
              for c in cases])
    contenders = ("linear", "thin", "pfs", "linear-iomax", "linear-iocost")
    if "noisy" in ran:
        plot(outdir, "noisy", "Victim p99 (us), alone and with the neighbour", "p99 us (log)",
             [(c, {"alone": get(m, "noisy", "victim-alone", c, "p99_us"),
                   "with-neighbour": get(m, "noisy", "victim-with-neighbour", c, "p99_us")})
              for c in contenders], logscale=True)
    if "scale" in ran:
        scale_cases = sorted({k[1] for k in m if k[0] == "scale"}, key=lambda c: int(c.split("-")[1]))
        plot(outdir, "scale", "Aggregate 4k randread IOPS, QD4 per image", "IOPS",
             [(c, {k: get(m, "scale", c, k, "iops") for k in ("linear", "pfs")}) for c in scale_cases])
    if "control" in ran:
        plot(outdir, "control", "Create to udev-settled node", "ms",
             [("20G", {"lvcreate": get(m, "control", "create-20G", "lvcreate", "ms"),
                       "pfsadm": get(m, "control", "create-20G", "pfsadm", "ms")}),
              ("1G", {"pfsadm": get(m, "control", "create-1G", "pfsadm", "ms")}),
              ("1T", {"pfsadm": get(m, "control", "create-1T", "pfsadm", "ms")})])
    for d in sorted({cell[0] for cell in iso_cells(m)}):
        plot(outdir, f"isolation-{d}", f"Victim p99 with / alone on {d}", "ratio (log)",
             [(f"{nb}/{v}", {c: iso_cell(m, d, nb, v, c)["p99_ratio"] for c in ISO_CONTENDERS})
              for dd, nb, v in iso_cells(m) if dd == d], logscale=True)


SCENARIOS = ("overhead", "paired", "noisy", "scale", "control", "aging", "isolation", "move")


def main():
    outdir = sys.argv[1]
    groups = load(os.path.join(outdir, "measurements.jsonl"))
    m = medians(groups)
    wanted = os.environ.get("BENCH_SCENARIOS", " ".join(SCENARIOS)).split()
    missing = [s for s in wanted if not any(k[0] == s for k in m)]
    if missing:
        sys.exit("report: no measurements for " + ", ".join(missing))
    kernel = open(os.path.join(outdir, "kernel")).read().strip()
    bar_list = bars(m, groups) + move_bars(groups)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"kernel": kernel,
                   "medians": [{"scenario": k[0], "case": k[1], "contender": k[2], **v}
                               for k, v in sorted(m.items())],
                   "bars": [{"bar": n, "value": v, "limit": lim, "met": ok}
                            for n, v, lim, ok in bar_list]}, f, indent=1)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(markdown(m, bar_list, kernel, groups))
    plots(m, os.path.join(outdir, "plots"))
    print(open(os.path.join(outdir, "results.md")).read())


if __name__ == "__main__":
    main()
