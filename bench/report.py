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


def bars(m):
    """Each bar of the benchmark issue: (name, value, limit, met)."""
    out = []
    for case in ("randread-qd1", "randwrite-qd1", "randread-qd32", "randwrite-qd32"):
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
    counts = sorted({k[1] for k in m if k[0] == "scale"}, key=lambda c: int(c.split("-")[1]))
    for case in counts:
        r = ratio(get(m, "scale", case, "pfs", "iops"), get(m, "scale", case, "linear", "iops"))
        out.append((f"scale {case}: pfs/linear aggregate IOPS", r, ">= 0.95", r is not None and r >= 0.95))
    r = ratio(get(m, "control", "create-20G", "pfsadm", "ms"), get(m, "control", "create-20G", "lvcreate", "ms"))
    out.append(("control: pfsadm/lvcreate 20G", r, "<= 0.5", r is not None and r <= 0.5))
    small, big = get(m, "control", "create-1G", "pfsadm", "ms"), get(m, "control", "create-1T", "pfsadm", "ms")
    r = ratio(big, small)
    out.append(("control: pfsadm 1T/1G create time", r, "0.9 .. 1.1", r is not None and 0.9 <= r <= 1.1))
    return out


def table(rows, header):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return "\n".join(lines)


def markdown(m, bar_list, kernel):
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
                            ("create-1G", "pfsadm"), ("create-1T", "pfsadm"))]
    s += [table(rows, ["case", "tool", "ms"]), ""]
    s += ["## 5. Aging (sequential read after a random 64k fill)", ""]
    rows = [(c, get(m, "aging", "seqread-after-random-fill", c, "bw_mbs")) for c in ("thin", "pfs")]
    s += [table(rows, ["contender", "MB/s"]), ""]
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
    os.makedirs(outdir, exist_ok=True)
    cases = ("randread-qd1", "randwrite-qd1", "randread-qd32", "randwrite-qd32")
    plot(outdir, "overhead", "4k random I/O, one volume", "IOPS",
         [(c, {k: get(m, "overhead", c, k, "iops") for k in ("raw", "linear", "thin", "pfs")})
          for c in cases])
    contenders = ("linear", "thin", "pfs", "linear-iomax", "linear-iocost")
    plot(outdir, "noisy", "Victim p99 (us), alone and with the neighbour", "p99 us (log)",
         [(c, {"alone": get(m, "noisy", "victim-alone", c, "p99_us"),
               "with-neighbour": get(m, "noisy", "victim-with-neighbour", c, "p99_us")})
          for c in contenders], logscale=True)
    scale_cases = sorted({k[1] for k in m if k[0] == "scale"}, key=lambda c: int(c.split("-")[1]))
    plot(outdir, "scale", "Aggregate 4k randread IOPS, QD4 per image", "IOPS",
         [(c, {k: get(m, "scale", c, k, "iops") for k in ("linear", "pfs")}) for c in scale_cases])
    plot(outdir, "control", "Create to udev-settled node", "ms",
         [("20G", {"lvcreate": get(m, "control", "create-20G", "lvcreate", "ms"),
                   "pfsadm": get(m, "control", "create-20G", "pfsadm", "ms")}),
          ("1G", {"pfsadm": get(m, "control", "create-1G", "pfsadm", "ms")}),
          ("1T", {"pfsadm": get(m, "control", "create-1T", "pfsadm", "ms")})])


SCENARIOS = ("overhead", "noisy", "scale", "control", "aging")


def main():
    outdir = sys.argv[1]
    m = medians(load(os.path.join(outdir, "measurements.jsonl")))
    wanted = os.environ.get("BENCH_SCENARIOS", " ".join(SCENARIOS)).split()
    missing = [s for s in wanted if not any(k[0] == s for k in m)]
    if missing:
        sys.exit("report: no measurements for " + ", ".join(missing))
    kernel = open(os.path.join(outdir, "kernel")).read().strip()
    bar_list = bars(m)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"kernel": kernel,
                   "medians": [{"scenario": k[0], "case": k[1], "contender": k[2], **v}
                               for k, v in sorted(m.items())],
                   "bars": [{"bar": n, "value": v, "limit": lim, "met": ok}
                            for n, v, lim, ok in bar_list]}, f, indent=1)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(markdown(m, bar_list, kernel))
    plots(m, os.path.join(outdir, "plots"))
    print(open(os.path.join(outdir, "results.md")).read())


if __name__ == "__main__":
    main()
